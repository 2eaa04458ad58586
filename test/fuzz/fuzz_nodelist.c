/* fuzz_nodelist.c - libFuzzer harness for ns_read_list (bitmap.c), the reader
 * of kernel node lists (/sys/devices/system/node/online, Mems_allowed_list).
 *
 * Input: the file's bytes, as read_small would hand them over (any bytes,
 * NULs included). Checks: no memory error or undefined behaviour; the result
 * agrees with the reference reader (ref_nodespec.c); a rejected text leaves an
 * empty set; an accepted set printed by ns_format reads back to itself.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "ref_nodespec.h"

#define CHECK(c, ...)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz_nodelist: check failed: %s: ", #c); \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly SIZE bytes, so that ASan sees a read past the end */
	char *text = malloc(size ? size : 1);
	struct nodeset out, back;
	static struct refset ref;
	static char list[MP_MAXNODES * 5 + 8];
	int r, rr;

	memcpy(text, data, size);
	memset(&out, 0xa5, sizeof(out)); /* garbage in: the reader must clear it */
	r = ns_read_list(text, size, &out);
	rr = ref_read_list(text, size, &ref);
	CHECK(r == 0 || r == -1, "returned %d", r);
	CHECK(r == rr, "tool %d, reference %d for '%.*s'", r, rr, (int)size, text);
	for (int n = 0; n < MP_MAXNODES; n++)
		CHECK(!!ns_has(&out, n) == ref.has[n], "node %d differs for '%.*s'", n,
		      (int)size, text);
	if (r < 0) {
		CHECK(ns_next(&out, -1) < 0, "rejected text left nodes in the set");
	} else if (ns_next(&out, -1) >= 0) {
		size_t len = ns_format(&out, list, sizeof(list));
		CHECK(ns_read_list(list, len, &back) == 0, "'%s' does not read", list);
		CHECK(memcmp(&back, &out, sizeof(out)) == 0, "'%s' reads back different", list);
	}
	free(text);
	return 0;
}
