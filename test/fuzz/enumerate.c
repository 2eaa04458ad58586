/* enumerate.c - runs the fuzz_nodespec checks (the reference model included)
 * over every node list of up to MAXLEN characters from a small alphabet, on a
 * few fixed topologies, both as from-nodes and as to-nodes. Deterministic and
 * independent of libFuzzer: it links the harness and calls its entry point.
 *   enumerate [MAXLEN]   (default 5)
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "a" stands for the word all, "n" for netdev:e and "p" for pci:1 (device
 * forms, answered by fuzz_nodespec's fake resolver), "f" for fast, "s" for
 * slow, "t" for tier:1 and "r" for near:3 (tier forms, answered by its fake
 * tier map), so that each is one letter of the alphabet */
static const char alphabet[] = "0123-,!+anpfstr";

/* flags, online, memory, allowed, high node, tier seed (see fuzz_nodespec.c) */
static const struct { uint8_t flags; uint64_t online, memory, allowed; uint16_t hi; uint8_t seed; } topo[] = {
	{ 2, 0x1, 0x1, 0x1, 0, 1 },      /* one node */
	{ 2, 0xf, 0x5, 0xa, 0, 2 },      /* 0-3, memory on 0,2; allowed 1,3 */
	{ 0, 0xd, 0xd, 0xd, 0, 3 },      /* sparse: 0,2,3; Mems_allowed unknown */
	{ 2 | 16, 0x3, 0x3, 0x2, 3, 7 }, /* 0,1 and 67 */
};

static unsigned long long cases;

static void run(const char *text, size_t len)
{
	uint8_t buf[128 + 32];
	char expanded[128];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == 'a') {
			memcpy(expanded + n, "all", 3);
			n += 3;
		} else if (strchr("npfstr", text[i])) {
			static const char *const words[] = { "netdev:e", "pci:1", "fast", "slow",
							      "tier:1", "near:3" };
			const char *w = words[strchr("npfstr", text[i]) - "npfstr"];
			memcpy(expanded + n, w, strlen(w));
			n += strlen(w);
		} else {
			expanded[n++] = text[i];
		}
	}
	for (size_t t = 0; t < sizeof(topo) / sizeof(topo[0]); t++) {
		for (int to = 0; to < 2; to++) {
			size_t k = 0;
			memcpy(buf, expanded, n);
			k = n;
			buf[k++] = 0;
			buf[k++] = (uint8_t)(topo[t].flags | to);
			for (int w = 0; w < 3; w++) {
				uint64_t m = w == 0 ? topo[t].online : w == 1 ? topo[t].memory
									  : topo[t].allowed;
				for (int b = 0; b < 8; b++)
					buf[k++] = (uint8_t)(m >> (8 * b));
			}
			buf[k++] = (uint8_t)(topo[t].hi & 0xff);
			buf[k++] = (uint8_t)(topo[t].hi >> 8);
			buf[k++] = topo[t].seed;
			LLVMFuzzerTestOneInput(buf, k);
			cases++;
		}
	}
}

int main(int argc, char **argv)
{
	int maxlen = argc > 1 ? atoi(argv[1]) : 5;
	char text[16];
	int idx[16];
	const int base = (int)strlen(alphabet);

	if (maxlen < 0 || maxlen > 12)
		maxlen = 5;
	for (int len = 0; len <= maxlen; len++) {
		memset(idx, 0, sizeof(idx));
		for (;;) {
			for (int i = 0; i < len; i++)
				text[i] = alphabet[idx[i]];
			run(text, (size_t)len);
			int i = len - 1;
			while (i >= 0 && ++idx[i] == base)
				idx[i--] = 0;
			if (i < 0)
				break;
		}
	}
	printf("enumerate: %llu cases (node lists up to %d characters over \"%s\", 'a' = all, 'n' = netdev:e, 'p' = pci:1, 'f' fast, 's' slow, 't' tier:1, 'r' near:3)\n",
	       cases, maxlen, alphabet);
	return 0;
}
