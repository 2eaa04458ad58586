/* fuzz_nodespec.c - libFuzzer harness for the node-list parser (bitmap.c).
 *
 * Input: TEXT [ '\0' TOPOLOGY ]. TEXT is the node list. TOPOLOGY bytes, when
 * present, choose the rest (missing bytes read as 0):
 *   [0]     flags: bit 0 to-nodes, bit 1 the target's Mems_allowed is known,
 *           bits 2-3 the size of the error buffer (256, 1, 20, 12 KiB),
 *           bit 4 add a high node (below) to the nodes with memory too
 *   [1..8]  online nodes 0-63 (bit n of the little-endian word)
 *   [9..16] nodes with memory among them
 *   [17..24] the target's Mems_allowed
 *   [25..26] one more online node, 64..1023 (value % 960 + 64), when not 0
 *   [27]    the tier map's seed (below)
 * Without TOPOLOGY: nodes 0-3 online, 0-2 with memory, Mems_allowed 0-3, seed 1.
 * Tier forms (fast, slow, tier:N, near:PID) are answered by a fake tier map:
 * node n is in the kernel's memory_tier 4 + 40 * (hash(n, seed) % (1 + seed % 4)),
 * has a rated read latency of 50 + 10 * (n * 37 % 5) ns with node n % 8 as its
 * best initiator; process PID may run on the CPUs of node PID % 8, and is
 * missing when PID % 5 == 0. The reference gets the same tier numbers and
 * computes ranks and near itself.
 * Device forms (netdev:NAME ...) are answered by a fake resolver: a hash of
 * the whole item picks "no such device" or a node 0-7 (some of them offline
 * or without memory), the same answer for the tool and the reference.
 *
 * Checks: no memory error or undefined behaviour (ASan, UBSan); the error text
 * fits its buffer, is one line and names the argument; a result is not empty
 * and lies within its domain; the result is what the reference model
 * (ref_nodespec.c) computes; ns_format's text of a result reads back to it,
 * both through ns_read_list and as a node list.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "tiers.h"
#include "ref_nodespec.h"

#define CHECK(c, ...)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz_nodespec: check failed: %s: ", #c); \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void to_ref(const struct nodeset *s, struct refset *r)
{
	for (int n = 0; n < REF_NODES; n++)
		r->has[n] = ns_has(s, n);
}

static int same(const struct nodeset *s, const struct refset *r)
{
	for (int n = 0; n < REF_NODES; n++)
		if (!!ns_has(s, n) != r->has[n])
			return 0;
	return 1;
}

static void check_err(const char *err, size_t errlen, const char *what)
{
	size_t len = strnlen(err, errlen);
	CHECK(len < errlen, "error text not terminated within %zu bytes", errlen);
	CHECK(strchr(err, '\n') == NULL, "error text has a newline: %s", err);
	if (errlen > strlen(what) + 2)
		CHECK(strncmp(err, what, strlen(what)) == 0, "error does not name %s: %s", what, err);
	else
		CHECK(strncmp(err, what, len) == 0, "truncated error is not a prefix: %s", err);
	if (errlen > 64)
		CHECK(len > strlen(what) + 2, "error says nothing: %s", err);
}

/* The fake device table: the node of an item ("netdev:eth0"), or -1. */
static int fake_item_node(const char *item)
{
	unsigned h = 7;

	for (const unsigned char *c = (const unsigned char *)item; *c; c++)
		h = h * 31 + *c;
	return h % 5 == 0 ? -1 : (int)(h % 8);
}

static int fake_device(int kind, const char *name, char *why, size_t whylen)
{
	static char item[4096];
	int n;

	CHECK(kind > DEV_NONE && kind <= DEV_IP && *name, "device kind %d, name '%s'", kind,
	      name);
	snprintf(item, sizeof(item), "%s%s", nodedev_prefix(kind), name);
	n = fake_item_node(item);
	if (n < 0)
		snprintf(why, whylen, "no such fake device");
	return n;
}

/* ---- the fake tier map ---- */

static unsigned tier_seed;
static struct nodeset fz_online, fz_memory;

static int fake_ktier(int n)
{
	unsigned h = ((unsigned)n * 2654435761u) ^ (tier_seed * 40503u);
	return 4 + 40 * (int)((h >> 7) % (1 + tier_seed % 4));
}

static uint32_t fake_latency(int n)
{
	return 50 + 10 * (uint32_t)(n * 37 % 5);
}

static const struct tiermap *fake_map(const struct nodeset *online, const struct nodeset *memory,
				      char *why, size_t whylen)
{
	static struct tiermap m;
	(void)why;
	(void)whylen;
	memset(&m, 0, sizeof(m));
	m.online = *online;
	m.memory = *memory;
	m.kernel_dir = 1;
	for (int n = 0; n < MP_MAXNODES; n++) {
		m.ktier[n] = fake_ktier(n);
		if (ns_has(memory, n)) {
			m.perf[n].read_latency = fake_latency(n);
			ns_add(&m.initiators[n], n % 8);
		}
	}
	tiermap_rank(&m);
	return &m;
}

static int fake_cpu_nodes(int pid, struct nodeset *out, char *why, size_t whylen)
{
	ns_clear(out);
	if (pid % 5 == 0) {
		snprintf(why, whylen, "no such process");
		return -1;
	}
	ns_add(out, pid % 8);
	return 0;
}

static const struct tier_source_fns fake_tiers = { fake_map, fake_cpu_nodes, NULL };

/* the reference's near: by the same facts, computed on its own */
static int ref_near(int pid, struct refset *out)
{
	uint32_t best = 0;

	memset(out, 0, sizeof(*out));
	if (pid % 5 == 0)
		return -1;
	for (int n = 0; n < REF_NODES; n++)
		if (ns_has(&fz_memory, n) && n % 8 == pid % 8 && (!best || fake_latency(n) < best))
			best = fake_latency(n);
	for (int n = 0; n < REF_NODES; n++)
		out->has[n] = ns_has(&fz_memory, n) && n % 8 == pid % 8 && fake_latency(n) == best;
	return best ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct reftiers rtiers;
	static const size_t errlens[4] = { 256, 1, 20, 12 * 1024 };
	uint8_t topo[28] = { 0 };
	struct nodeset online, memory, allowed, out, back;
	struct refset ronline, rmemory, rallowed, rout;
	size_t tlen = strnlen((const char *)data, size);
	char *text = malloc(tlen + 1), *err;
	size_t errlen;
	int to, r, rr;
	const char *what;

	memcpy(text, data, tlen);
	text[tlen] = 0;
	if (tlen < size) {
		size_t n = size - tlen - 1;
		memcpy(topo, data + tlen + 1, n < sizeof(topo) ? n : sizeof(topo));
	} else {
		topo[0] = 2;       /* from-nodes, Mems_allowed known */
		topo[1] = 0x0f;    /* 0-3 online */
		topo[9] = 0x07;    /* 0-2 with memory */
		topo[17] = 0x0f;   /* allowed 0-3 */
		topo[27] = 1;
	}
	tier_seed = topo[27];
	ns_clear(&online);
	ns_clear(&memory);
	ns_clear(&allowed);
	for (int n = 0; n < 64; n++) {
		if (le64(topo + 1) >> n & 1)
			ns_add(&online, n);
		if (le64(topo + 1) >> n & le64(topo + 9) >> n & 1)
			ns_add(&memory, n);
		if (le64(topo + 17) >> n & 1)
			ns_add(&allowed, n);
	}
	if (topo[25] | topo[26]) {
		int hi = (topo[25] | topo[26] << 8) % 960 + 64;
		ns_add(&online, hi);
		if (topo[0] & 16)
			ns_add(&memory, hi);
		ns_add(&allowed, hi);
	}
	to = topo[0] & 1;
	what = to ? "to-nodes" : "from-nodes";
	errlen = errlens[(topo[0] >> 2) & 3];
	err = malloc(errlen); /* exactly errlen, so that ASan sees an overrun */

	fz_online = online;
	fz_memory = memory;
	struct nodectx ctx = { to, &online, &memory, (topo[0] & 2) ? &allowed : NULL, 4242,
			       fake_device, &fake_tiers };
	r = nodespec_eval(what, text, &ctx, &out, err, errlen);
	CHECK(r == 0 || r == -1, "returned %d", r);
	if (r < 0) {
		check_err(err, errlen, what);
	} else {
		CHECK(ns_next(&out, -1) >= 0, "empty result accepted for '%s'", text);
		CHECK(ns_subset(&out, to ? &memory : &online), "result outside domain for '%s'", text);
	}

	/* the reference model */
	to_ref(&online, &ronline);
	to_ref(&memory, &rmemory);
	to_ref(&allowed, &rallowed);
	for (int n = 0; n < REF_NODES; n++)
		rtiers.ktier[n] = fake_ktier(n);
	rtiers.near = ref_near;
	rr = ref_eval(text, to, &ronline, &rmemory, (topo[0] & 2) ? &rallowed : NULL,
		      fake_item_node, &rtiers, &rout);
	CHECK((r == 0) == (rr == 0), "'%s' (%s): tool %s, reference %s (%s)", text, what,
	      r == 0 ? "accepts" : "rejects", rr == 0 ? "accepts" : "rejects",
	      r == 0 ? "-" : err);
	if (r == 0)
		CHECK(same(&out, &rout), "'%s' (%s): tool and reference select different nodes",
		      text, what);

	/* parse + resolve gives what eval gave */
	{
		struct nodespec spec;
		struct nodeset out2;
		char err2[256];
		int r2 = nodespec_parse(what, text, &spec, err2, sizeof(err2));
		if (r2 == 0)
			r2 = nodespec_resolve(what, text, &spec, &ctx, &out2, err2, sizeof(err2));
		CHECK(r2 == r, "parse+resolve %d, eval %d for '%s'", r2, r, text);
		if (r == 0)
			CHECK(memcmp(&out, &out2, sizeof(out)) == 0, "parse+resolve differs");
	}

	/* a result's text reads back to the same set */
	if (r == 0) {
		static char list[MP_MAXNODES * 5 + 8], small[7];
		size_t need = ns_format(&out, list, sizeof(list));
		CHECK(need == strlen(list), "ns_format length %zu vs %zu", need, strlen(list));
		CHECK(ns_read_list(list, need, &back) == 0, "ns_read_list rejects '%s'", list);
		CHECK(memcmp(&back, &out, sizeof(out)) == 0, "'%s' does not read back", list);
		/* as a from-node list (every result is online) it selects the same */
		struct nodectx fctx = { 0, &online, &memory, NULL, 1, NULL, NULL };
		char err3[256];
		CHECK(nodespec_eval("from-nodes", list, &fctx, &back, err3, sizeof(err3)) == 0,
		      "formatted '%s' is not a valid node list: %s", list, err3);
		CHECK(memcmp(&back, &out, sizeof(out)) == 0, "'%s' selects other nodes", list);
		/* truncation: same length reported, text a prefix, terminated */
		size_t need2 = ns_format(&out, small, sizeof(small));
		CHECK(need2 == need, "ns_format into 7 bytes says %zu, not %zu", need2, need);
		CHECK(strlen(small) < sizeof(small) && strncmp(small, list, strlen(small)) == 0,
		      "truncated '%s' is not a prefix of '%s'", small, list);
	}
	free(err);
	free(text);
	return 0;
}
