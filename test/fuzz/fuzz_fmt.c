/* fuzz_fmt.c - libFuzzer harness for fmt.c, the tool's small snprintf,
 * against the C library's snprintf.
 *
 * Input bytes choose: the buffer size (0..80, allocated exactly, so that ASan
 * sees a write past it), a literal prefix and suffix (no '%'), one conversion
 * among those fmt.h promises (%c %s %d %i %u %x with l, ll or z, the flags '-'
 * and '0', a width as digits or '*', a precision for %s), and its argument.
 * Checks: fmt returns what snprintf returns, writes the same bytes, and always
 * terminates. Left out, as fmt.h does not promise them: a precision on an
 * integer (fmt ignores it), a negative '*' width, the '0' flag on %c and %s
 * (undefined in C).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

#define CHECK(c, ...)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz_fmt: check failed: %s: ", #c);  \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

struct in {
	const uint8_t *d;
	size_t n;
};

static unsigned take(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->d++;
}

static uint64_t take64(struct in *in)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | take(in);
	return v;
}

/* up to MAX printable characters other than '%' */
static void literal(struct in *in, char *out, size_t max)
{
	size_t n = take(in) % (max + 1), i;
	for (i = 0; i < n; i++) {
		char c = (char)(0x20 + take(in) % 0x5f);
		out[i] = c == '%' ? '#' : c;
	}
	out[i] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char convs[] = "csdiux";
	static const char *lens[] = { "", "l", "ll", "z" };
	struct in in = { data, size };
	char pre[24], post[24], spec[64], str[40], want[256];
	size_t len = take(&in) % 81;
	char conv = convs[take(&in) % 6];
	const char *lm = (conv == 'c' || conv == 's') ? "" : lens[take(&in) % 4];
	unsigned flags = take(&in), width = take(&in) % 41, prec = take(&in) % 41;
	int star = flags & 4, use_prec = conv == 's' && (flags & 8);
	int left = flags & 1, zero = (flags & 2) && conv != 'c' && conv != 's';
	uint64_t v = take64(&in);
	char *buf = malloc(len ? len : 1), *p = spec;
	size_t got, exp;

	literal(&in, pre, sizeof(pre) - 1);
	literal(&in, post, sizeof(post) - 1);
	literal(&in, str, sizeof(str) - 1);
	p += sprintf(p, "%s%%%s%s", pre, left ? "-" : "", zero ? "0" : "");
	if (star)
		p += sprintf(p, "*");
	else if (flags & 16)
		p += sprintf(p, "%u", width);
	if (use_prec)
		p += sprintf(p, ".%u", prec);
	sprintf(p, "%s%c%s", lm, conv, post);

#define BOTH(...)                                                                  \
	do {                                                                       \
		if (star) {                                                        \
			exp = (size_t)snprintf(want, sizeof(want), spec, (int)width,   \
					       __VA_ARGS__);                           \
			got = fmt(buf, len, spec, (int)width, __VA_ARGS__);        \
		} else {                                                           \
			exp = (size_t)snprintf(want, sizeof(want), spec, __VA_ARGS__); \
			got = fmt(buf, len, spec, __VA_ARGS__);                    \
		}                                                                  \
	} while (0)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
	switch (conv) {
	case 'c':
		BOTH((int)(0x20 + v % 0x5f));
		break;
	case 's':
		BOTH(str);
		break;
	case 'd':
	case 'i':
		if (!*lm)
			BOTH((int)v);
		else if (!strcmp(lm, "l"))
			BOTH((long)v);
		else if (!strcmp(lm, "ll"))
			BOTH((long long)v);
		else
			BOTH((size_t)v); /* %zd: signed size_t */
		break;
	default:
		if (!*lm)
			BOTH((unsigned)v);
		else if (!strcmp(lm, "l"))
			BOTH((unsigned long)v);
		else if (!strcmp(lm, "ll"))
			BOTH((unsigned long long)v);
		else
			BOTH((size_t)v);
		break;
	}
#pragma GCC diagnostic pop

	CHECK(got == exp, "'%s': fmt says %zu characters, snprintf %zu ('%s')", spec, got, exp, want);
	if (len) {
		size_t keep = exp < len - 1 ? exp : len - 1;
		CHECK(memcmp(buf, want, keep) == 0 && buf[keep] == 0,
		      "'%s' into %zu bytes: fmt wrote '%.*s', snprintf '%.*s'", spec, len,
		      (int)keep, buf, (int)keep, want);
	}
	free(buf);
	return 0;
}
