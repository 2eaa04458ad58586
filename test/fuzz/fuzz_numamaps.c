/* fuzz_numamaps.c - libFuzzer harness for the streaming numa_maps parser
 * (sysinfo.c: nm_init, nm_feed, nm_finish).
 *
 * Input: [0] selects the base page size (4, 16, 64 KiB), [1..] seeds the
 * chunking; the rest is the text of a /proc/PID/numa_maps.
 * The text is fed three ways: whole, one byte at a time, and in pseudo-random
 * chunks (as read(2) may cut it anywhere). Checks: no memory error or
 * undefined behaviour; the three results are identical; total is the sum of
 * the per-node bytes; and the result is what a line-by-line reference of the
 * documented rule computes: per line, the N<node>=<pages> tokens standing
 * right before the line's last kernelpagesize_kB=<kB> token count, or, when
 * the line has none, the run of N tokens that ends the line, at the base size.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysinfo.h"

#define CHECK(c, ...)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz_numamaps: check failed: %s: ", #c); \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

/* ---- reference ---------------------------------------------------------- */

/* Tokens are what the parser sees: at most 47 bytes (a longer one counts as
 * "something else"), read as C strings (the kernel writes no NUL). */
#define TOKMAX 47

static int all_digits(const char *s, unsigned long long *v)
{
	unsigned long long x = 0;
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (1ULL << 52))
			return 0;
		x = x * 10 + (unsigned)(*s - '0');
	}
	*v = x;
	return 1;
}

/* kind: 0 other, 1 N token (node, pages), 2 page size token (kb > 0) */
static int classify(const char *t, size_t len, int *node, uint64_t *val)
{
	char s[TOKMAX + 1];
	unsigned long long a, b;
	const char *eq;

	if (len > TOKMAX)
		return 0;
	memcpy(s, t, len);
	s[len] = 0;
	if (strncmp(s, "kernelpagesize_kB=", 18) == 0)
		return all_digits(s + 18, &a) && a > 0 ? (*val = a, 2) : 0;
	if (s[0] != 'N' || !(eq = strchr(s, '=')))
		return 0;
	char num[16];
	size_t nl = (size_t)(eq - s - 1);
	if (nl < 1 || nl > 6)
		return 0;
	memcpy(num, s + 1, nl);
	num[nl] = 0;
	if (!all_digits(num, &a) || a >= MP_MAXNODES || !all_digits(eq + 1, &b))
		return 0;
	*node = (int)a;
	*val = b;
	return 1;
}

static void ref_line(const char *l, size_t len, unsigned long base_kb, struct usage *u)
{
	struct { int node; uint64_t pages; } run[1024];
	static struct { int node; uint64_t pages; } cand[1024];
	int nrun = 0, ncand = 0;
	uint64_t kb = 0, v;
	size_t i = 0;

	while (i < len) {
		size_t s;
		int node, k;
		while (i < len && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (i == len)
			break;
		for (s = i; i < len && l[i] != ' ' && l[i] != '\t'; i++)
			;
		k = classify(l + s, i - s, &node, &v);
		if (k == 1) {
			if (nrun == 1024)
				continue; /* a full run keeps what it has */
			run[nrun].node = node;
			run[nrun++].pages = v;
		} else if (k == 2) {
			memcpy(cand, run, sizeof(run[0]) * (size_t)nrun);
			ncand = nrun;
			kb = v;
			nrun = 0;
		} else {
			nrun = 0;
		}
	}
	if (!kb) {
		memcpy(cand, run, sizeof(run[0]) * (size_t)nrun);
		ncand = nrun;
		kb = base_kb;
	}
	for (int j = 0; j < ncand; j++) {
		uint64_t b = cand[j].pages * kb * 1024;
		u->bytes[cand[j].node] += b;
		u->total += b;
	}
}

static void ref_parse(const char *t, size_t len, unsigned long base_kb, struct usage *u)
{
	memset(u, 0, sizeof(*u));
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(t + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - t) : len;
		ref_line(t + i, e - i, base_kb, u);
		i = e + 1;
	}
	u->valid = 1;
}

/* ---- harness ------------------------------------------------------------- */

static struct usage u1, u2, u3, ur;
static struct nm_parser p1, p2, p3;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned long kbs[3] = { 4, 16, 64 };
	unsigned long base_kb;
	uint32_t seed;
	char *text;
	size_t len;

	if (size < 2)
		return 0;
	base_kb = kbs[data[0] % 3];
	seed = data[1] * 2654435761u + 1;
	len = size - 2;
	text = malloc(len ? len : 1);
	memcpy(text, data + 2, len);

	nm_init(&p1, &u1, base_kb);
	nm_feed(&p1, text, len);
	nm_finish(&p1);

	nm_init(&p2, &u2, base_kb);
	for (size_t i = 0; i < len; i++)
		nm_feed(&p2, text + i, 1);
	nm_finish(&p2);

	nm_init(&p3, &u3, base_kb);
	for (size_t i = 0; i < len;) {
		seed = seed * 1103515245u + 12345u;
		size_t n = (seed >> 16) % 97;
		if (n > len - i)
			n = len - i;
		nm_feed(&p3, text + i, n); /* zero-length chunks too */
		i += n;
	}
	nm_finish(&p3);

	CHECK(u1.valid && u2.valid && u3.valid, "not marked valid");
	CHECK(memcmp(&u1, &u2, sizeof(u1)) == 0, "byte-at-a-time feeding differs");
	CHECK(memcmp(&u1, &u3, sizeof(u1)) == 0, "chunked feeding differs");
	uint64_t sum = 0;
	for (int n = 0; n < MP_MAXNODES; n++)
		sum += u1.bytes[n];
	CHECK(sum == u1.total, "total %llu, sum of nodes %llu", (unsigned long long)u1.total,
	      (unsigned long long)sum);

	ref_parse(text, len, base_kb, &ur);
	for (int n = 0; n < MP_MAXNODES; n++)
		CHECK(ur.bytes[n] == u1.bytes[n], "node %d: tool %llu bytes, reference %llu", n,
		      (unsigned long long)u1.bytes[n], (unsigned long long)ur.bytes[n]);
	CHECK(ur.total == u1.total, "total: tool %llu, reference %llu",
	      (unsigned long long)u1.total, (unsigned long long)ur.total);
	free(text);
	return 0;
}
