/* ref_nodespec.c - the reference model of the node-list grammar (see the
 * header). Deliberately simple: split on commas, then look at each piece whole.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include <string.h>

#include "ref_nodespec.h"

/* A whole piece [s, e) as a node number; LEADING_ZERO_OK for the kernel's
 * format. Returns the number, or -1. */
static int ref_number(const char *s, const char *e, bool leading_zero_ok)
{
	long v = 0;

	if (s == e)
		return -1;
	if (!leading_zero_ok && *s == '0' && e - s > 1)
		return -1;
	for (const char *c = s; c < e; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		v = v * 10 + (*c - '0');
		if (v >= REF_NODES)
			return -1;
	}
	return (int)v;
}

/* One comma-separated piece: a number or a range A-B. */
static int ref_piece(const char *s, const char *e, bool lz, int *a, int *b)
{
	const char *dash = memchr(s, '-', (size_t)(e - s));

	if (!dash) {
		*a = *b = ref_number(s, e, lz);
		return *a < 0 ? -1 : 0;
	}
	*a = ref_number(s, dash, lz);
	*b = ref_number(dash + 1, e, lz);
	if (*a < 0 || *b < 0 || *a > *b)
		return -1;
	return 0;
}

static bool ref_device_form(const char *p)
{
	static const char *const forms[] = { "netdev:", "pci:", "block:", "file:", "ip:" };

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strncmp(p, forms[i], strlen(forms[i])) == 0)
			return p[strlen(forms[i])] != 0;
	return false;
}

/* A whole piece [s, e) as a decimal number from min to max, no leading
 * zero. Returns it, or -1. */
static long ref_decimal(const char *s, const char *e, long min, long max)
{
	long v = 0;

	if (s == e || (*s == '0' && e - s > 1))
		return -1;
	for (const char *c = s; c < e; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		v = v * 10 + (*c - '0');
		if (v > max)
			return -1;
	}
	return v < min ? -1 : v;
}

/* The rank of each node with memory: how many distinct smaller kernel tier
 * numbers there are. Returns the number of tiers. */
static int ref_ranks(const struct reftiers *t, const struct refset *memory, int *rank)
{
	static bool seen[1 << 16];
	int ntiers = 0;

	memset(seen, 0, sizeof(seen));
	for (int n = 0; n < REF_NODES; n++)
		if (memory->has[n] && t->ktier[n] >= 0 && !seen[t->ktier[n]]) {
			seen[t->ktier[n]] = true;
			ntiers++;
		}
	for (int n = 0; n < REF_NODES; n++) {
		rank[n] = -1;
		if (!memory->has[n] || t->ktier[n] < 0)
			continue;
		rank[n] = 0;
		for (int id = 0; id < t->ktier[n]; id++)
			rank[n] += seen[id];
	}
	return ntiers;
}

int ref_eval(const char *text, bool to, const struct refset *online,
	     const struct refset *memory, const struct refset *allowed,
	     int (*device)(const char *item), const struct reftiers *tiers,
	     struct refset *out)
{
	static int rank[REF_NODES];
	static struct refset near;
	bool fast = false, slow = false, any_tier = false;
	static bool tiern[REF_NODES];
	int nnear = 0, nears[9];
	int dev = -1;
	const struct refset *domain = to ? memory : online;
	bool invert = false, relative = false, all = false;
	static bool nums[REF_NODES];
	static struct refset named;
	const char *p = text, *end = text + strlen(text);

	memset(out, 0, sizeof(*out));
	memset(nums, 0, sizeof(nums));
	memset(&named, 0, sizeof(named));
	memset(tiern, 0, sizeof(tiern));
	if (p < end && *p == '!') {
		invert = true;
		p++;
	}
	if (p < end && *p == '+') {
		relative = true;
		p++;
	}
	/* every piece between commas must be an item; an empty piece is an error
	 * (this also rejects "", "!", "+", "0," and ",0") */
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		int a, b;

		if ((size_t)(e - p) == 3 && memcmp(p, "all", 3) == 0) {
			all = true;
		} else if ((size_t)(e - p) == 4 && memcmp(p, "fast", 4) == 0) {
			fast = any_tier = true;
		} else if ((size_t)(e - p) == 4 && memcmp(p, "slow", 4) == 0) {
			slow = any_tier = true;
		} else if (e - p >= 5 && memcmp(p, "tier:", 5) == 0) {
			long v = ref_decimal(p + 5, e, 0, REF_NODES - 1);
			if (v < 0)
				return -1;
			tiern[v] = any_tier = true;
		} else if (e - p >= 5 && memcmp(p, "near:", 5) == 0) {
			long v = ref_decimal(p + 5, e, 1, 2147483647L);
			if (v < 0 || nnear == 8)
				return -1;
			nears[nnear++] = (int)v;
			any_tier = true;
		} else if (ref_device_form(p)) {
			dev = device ? device(p) : -1;
			if (dev < 0 || dev >= REF_NODES || !online->has[dev] ||
			    (to && !invert && !memory->has[dev]))
				return -1;
			break;
		} else {
			if (ref_piece(p, e, false, &a, &b) < 0)
				return -1;
			for (int n = a; n <= b; n++)
				nums[n] = true;
		}
		if (!comma)
			break;
		p = comma + 1;
	}

	if (any_tier && (relative || !tiers))
		return -1;
	if (relative) {
		int members[REF_NODES], count = 0;
		bool any = false;

		for (int i = 0; i < REF_NODES; i++)
			any |= nums[i];
		if (any && !allowed)
			return -1;
		for (int n = 0; allowed && n < REF_NODES; n++)
			if (allowed->has[n])
				members[count++] = n;
		for (int i = 0; i < REF_NODES; i++) {
			if (!nums[i])
				continue;
			if (i >= count)
				return -1;
			named.has[members[i]] = true;
		}
	} else {
		memcpy(named.has, nums, sizeof(nums));
	}
	if (dev >= 0)
		named.has[dev] = true;
	if (any_tier) {
		int ntiers = ref_ranks(tiers, memory, rank);
		if (slow && ntiers < 2)
			return -1;
		for (int r = ntiers; r < REF_NODES; r++)
			if (tiern[r])
				return -1;
		for (int n = 0; n < REF_NODES; n++)
			if (rank[n] >= 0 && ((fast && rank[n] == 0) || (slow && rank[n] > 0) ||
					     tiern[rank[n]]))
				named.has[n] = true;
		for (int i = 0; i < nnear; i++) {
			if (tiers->near(nears[i], &near) < 0)
				return -1;
			for (int n = 0; n < REF_NODES; n++)
				named.has[n] |= near.has[n];
		}
	}
	for (int n = 0; n < REF_NODES; n++) {
		if (!named.has[n])
			continue;
		if (!online->has[n])
			return -1;
		if (to && !invert && !memory->has[n])
			return -1;
	}
	if (all)
		for (int n = 0; n < REF_NODES; n++)
			named.has[n] |= domain->has[n];

	bool any = false;
	for (int n = 0; n < REF_NODES; n++) {
		out->has[n] = invert ? domain->has[n] && !named.has[n] : named.has[n];
		any |= out->has[n];
	}
	if (!any) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

int ref_read_list(const char *text, size_t len, struct refset *out)
{
	const char *p = text, *end = text + len;

	memset(out, 0, sizeof(*out));
	while (end > p && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t' || end[-1] == 0))
		end--;
	if (p == end)
		return 0;
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		int a, b;

		if (ref_piece(p, e, true, &a, &b) < 0) {
			memset(out, 0, sizeof(*out));
			return -1;
		}
		for (int n = a; n <= b; n++)
			out->has[n] = true;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}
