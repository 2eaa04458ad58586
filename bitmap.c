/* bitmap.c - node sets, the node-list grammar, and the kernel's node mapping.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include <stdarg.h>
#include <string.h>

#include "bitmap.h"
#include "fmt.h"
#include "tiers.h"

void ns_clear(struct nodeset *s)
{
	memset(s, 0, sizeof(*s));
}

void ns_add(struct nodeset *s, int n)
{
	if (n >= 0 && n < MP_MAXNODES)
		s->w[n / MP_WORD_BITS] |= 1UL << (n % MP_WORD_BITS);
}

void ns_del(struct nodeset *s, int n)
{
	if (n >= 0 && n < MP_MAXNODES)
		s->w[n / MP_WORD_BITS] &= ~(1UL << (n % MP_WORD_BITS));
}

int ns_has(const struct nodeset *s, int n)
{
	if (n < 0 || n >= MP_MAXNODES)
		return 0;
	return (int)((s->w[n / MP_WORD_BITS] >> (n % MP_WORD_BITS)) & 1);
}

int ns_count(const struct nodeset *s)
{
	int c = 0;
	for (size_t i = 0; i < MP_WORDS; i++)
		c += __builtin_popcountl(s->w[i]);
	return c;
}

int ns_next(const struct nodeset *s, int after)
{
	int n = after < 0 ? 0 : after + 1;
	while (n < MP_MAXNODES) {
		unsigned long word = s->w[n / MP_WORD_BITS] >> (n % MP_WORD_BITS);
		if (word)
			return n + __builtin_ctzl(word);
		n = (n / MP_WORD_BITS + 1) * MP_WORD_BITS;
	}
	return -1;
}

int ns_last(const struct nodeset *s)
{
	for (int i = (int)MP_WORDS - 1; i >= 0; i--)
		if (s->w[i])
			return i * MP_WORD_BITS + MP_WORD_BITS - 1 - __builtin_clzl(s->w[i]);
	return -1;
}

unsigned long ns_maxnode(int high)
{
	return ((unsigned long)(high < 0 ? 0 : high) / 64 + 1) * 64 + 1;
}

int ns_nth(const struct nodeset *s, int i)
{
	if (i < 0)
		return -1;
	for (int n = ns_next(s, -1); n >= 0; n = ns_next(s, n))
		if (i-- == 0)
			return n;
	return -1;
}

int ns_subset(const struct nodeset *a, const struct nodeset *b)
{
	for (size_t i = 0; i < MP_WORDS; i++)
		if (a->w[i] & ~b->w[i])
			return 0;
	return 1;
}

void ns_and(struct nodeset *d, const struct nodeset *a, const struct nodeset *b)
{
	for (size_t i = 0; i < MP_WORDS; i++)
		d->w[i] = a->w[i] & b->w[i];
}

void ns_andnot(struct nodeset *d, const struct nodeset *a, const struct nodeset *b)
{
	for (size_t i = 0; i < MP_WORDS; i++)
		d->w[i] = a->w[i] & ~b->w[i];
}

size_t ns_format(const struct nodeset *s, char *buf, size_t len)
{
	size_t used = 0;
	int n = ns_next(s, -1);

	if (len)
		buf[0] = 0;
	if (n < 0)
		return fmt(buf, len, "none");
	while (n >= 0) {
		int end = n;
		while (ns_has(s, end + 1))
			end++;
		char piece[16];
		size_t k = end > n ? fmt(piece, sizeof(piece), "%s%d-%d", used ? "," : "", n, end)
				: fmt(piece, sizeof(piece), "%s%d", used ? "," : "", n);
		if (len && used + k < len)
			memcpy(buf + used, piece, k + 1);
		else if (len)
			buf[used < len ? used : len - 1] = 0;
		used += k;
		n = ns_next(s, end);
	}
	return used;
}

/* Reads a decimal number at *p (stopping at end). Returns 1 and advances on
 * success; 0 when no digit is there; -1 when it has a leading zero and strict
 * is set; -2 when it exceeds MP_MAXNODES - 1. *p is left at the first
 * character after the digits in every case but 0. */
static int scan_num(const char **p, const char *end, int strict, unsigned *val)
{
	const char *s = *p;
	unsigned long long v;
	int n;

	if (s >= end || *s < '0' || *s > '9')
		return 0;
	n = dec_scan(p, end, MP_MAXNODES - 1, &v); /* above: MP_MAXNODES */
	if (strict && *s == '0' && *p - s > 1)
		return -1;
	*val = (unsigned)v;
	return n < 0 ? -2 : 1;
}

int ns_read_list(const char *text, size_t len, struct nodeset *out)
{
	const char *p = text, *end = text + len;

	ns_clear(out);
	while (end > p && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t' || end[-1] == 0))
		end--;
	if (p == end)
		return 0;
	for (;;) {
		unsigned a, b;
		if (scan_num(&p, end, 0, &a) != 1)
			goto bad;
		b = a;
		if (p < end && *p == '-') {
			p++;
			if (scan_num(&p, end, 0, &b) != 1 || b < a)
				goto bad;
		}
		for (unsigned n = a; n <= b; n++)
			ns_add(out, (int)n);
		if (p == end)
			return 0;
		if (*p != ',')
			goto bad;
		p++;
	}
bad:
	ns_clear(out);
	return -1;
}

static const char *quote_n(const char *text, size_t n, char *buf, size_t len)
{
	return quote_max(text, n, 40, buf, len);
}

static const char *quote(const char *text, char *buf, size_t len)
{
	return quote_n(text, (size_t)-1, buf, len);
}

/* the run of digits at s */
static size_t digits(const char *s)
{
	size_t n = 0;
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

#define QBUF 200

__attribute__((format(printf, 5, 6)))
static int fail(char *err, size_t errlen, const char *what, const char *text,
		const char *f, ...)
{
	static char msg[12 * 1024];
	char q[QBUF];
	va_list ap;

	va_start(ap, f);
	fmt_v(msg, sizeof(msg), f, ap);
	va_end(ap);
	if (text)
		fmt(err, errlen, "%s: %s: %s", what, quote(text, q, sizeof(q)), msg);
	else
		fmt(err, errlen, "%s: %s", what, msg);
	return -1;
}

/* The error for a number scan_num refused: -1 a leading zero, -2 too large. */
static int bad_num(char *err, size_t errlen, const char *what, const char *text, int r,
		   const char *num)
{
	char at[QBUF];

	return fail(err, errlen, what, text,
		    r == -1 ? "leading zero in %s (node numbers are decimal)"
			    : "node number %s is out of range (0-1023)",
		    quote_n(num, digits(num), at, sizeof(at)));
}

static const char *const dev_prefixes[] = {
	[DEV_NONE] = "", [DEV_NETDEV] = "netdev:", [DEV_PCI] = "pci:",
	[DEV_BLOCK] = "block:", [DEV_FILE] = "file:", [DEV_IP] = "ip:",
};

const char *nodedev_prefix(int kind)
{
	if (kind <= DEV_NONE || kind > DEV_IP)
		return "";
	return dev_prefixes[kind];
}

/* A device form at p: its kind, or DEV_NONE. */
static int dev_form(const char *p, const char *end)
{
	for (int k = DEV_NETDEV; k <= DEV_IP; k++) {
		size_t n = strlen(dev_prefixes[k]);
		if ((size_t)(end - p) >= n && memcmp(p, dev_prefixes[k], n) == 0)
			return k;
	}
	return DEV_NONE;
}

/* The word w at p, ended by a comma or the end of the text. */
static int word_at(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);
	return (size_t)(end - p) >= n && memcmp(p, w, n) == 0 && (p + n == end || p[n] == ',');
}

/* A tier form at p (fast, slow, tier:N, near:PID), recorded in spec and
 * skipped. Returns 1 when one was there, 0 when not, -1 with err on a bad one. */
static int tier_form(const char *what, const char *text, const char **pp, const char *end,
		     struct nodespec *spec, char *err, size_t errlen)
{
	const char *p = *pp, *e = p, *arg;
	unsigned long long v;
	char at[QBUF];
	int r;

	while (e < end && *e != ',')
		e++;
	if (word_at(p, end, "fast") || word_at(p, end, "slow")) {
		*(p[0] == 'f' ? &spec->fast : &spec->slow) = 1;
	} else if (e - p >= 5 && memcmp(p, "tier:", 5) == 0) {
		arg = p + 5;
		if (arg == e)
			return fail(err, errlen, what, NULL, "%s names no tier (tier:0 is the fastest)",
				    quote_n(p, (size_t)(e - p), at, sizeof(at)));
		r = dec_strict(arg, (size_t)(e - arg), 0, MP_MAXNODES - 1, &v);
		if (r == DEC_RANGE)
			return fail(err, errlen, what, NULL, "%s: tier numbers go up to %d",
				    quote_n(p, (size_t)(e - p), at, sizeof(at)), MP_MAXNODES - 1);
		if (r != DEC_OK)
			return fail(err, errlen, what, NULL, "%s: a tier is a number from 0, the "
				    "fastest (tier:0, tier:1, ...)",
				    quote_n(p, (size_t)(e - p), at, sizeof(at)));
		ns_add(&spec->tiers, (int)v);
	} else if (e - p >= 5 && memcmp(p, "near:", 5) == 0) {
		arg = p + 5;
		if (arg == e)
			return fail(err, errlen, what, NULL, "%s names no process",
				    quote_n(p, (size_t)(e - p), at, sizeof(at)));
		r = dec_strict(arg, (size_t)(e - arg), 1, 0x7fffffff, &v);
		if (r != DEC_OK)
			return fail(err, errlen, what, NULL, "%s: not a process id (a decimal "
				    "number from 1)", quote_n(p, (size_t)(e - p), at, sizeof(at)));
		if (spec->nnear == MP_NEAR_MAX)
			return fail(err, errlen, what, text, "more than %d near: items",
				    MP_NEAR_MAX);
		spec->near[spec->nnear++] = (int)v;
	} else {
		return 0;
	}
	if (spec->relative)
		return fail(err, errlen, what, text, "%s is a tier form: it names nodes, not "
			    "places in the process's cpuset, so it cannot be in a '+' list",
			    quote_n(p, (size_t)(e - p), at, sizeof(at)));
	spec->tier_forms++;
	*pp = e;
	return 1;
}

int nodespec_parse(const char *what, const char *text, struct nodespec *spec,
		   char *err, size_t errlen)
{
	const char *p = text, *end = text + strlen(text);
	char at[QBUF];

	memset(spec, 0, sizeof(*spec));
	if (p == end)
		return fail(err, errlen, what, text,
			    "empty node list (give nodes such as 0, 0-3 or all)");
	if (*p == '!') {
		spec->invert = 1;
		p++;
	}
	if (p < end && *p == '+') {
		spec->relative = 1;
		p++;
	}
	for (;;) {
		unsigned a, b;
		const char *start = p;
		int r;

		if (end - p >= 3 && memcmp(p, "all", 3) == 0 &&
		    (end - p == 3 || p[3] == ',')) {
			spec->all = 1;
			p += 3;
			goto next;
		}
		r = tier_form(what, text, &p, end, spec, err, errlen);
		if (r < 0)
			return -1;
		if (r > 0)
			goto next;
		/* As in libnuma, a device form takes the rest of the text (a file
		 * name may hold commas), so it is the last item of the list. */
		spec->dev = dev_form(p, end);
		if (spec->dev != DEV_NONE) {
			spec->dev_item = p;
			spec->dev_name = p + strlen(dev_prefixes[spec->dev]);
			if (spec->dev_name == end)
				return fail(err, errlen, what, NULL, "%s names no device",
					    quote(p, at, sizeof(at)));
			return 0;
		}
		r = scan_num(&p, end, 1, &a);
		if (r == 0) {
			size_t w = 0;
			while (p + w < end && ((p[w] >= 'a' && p[w] <= 'z') ||
					       (p[w] >= 'A' && p[w] <= 'Z')))
				w++;
			if (w && p + w < end && p[w] == ':')
				return fail(err, errlen, what, text,
					    "unknown device form %s (netdev:, pci:, block:, file:, ip:)",
					    quote_n(p, w + 1, at, sizeof(at)));
			if (p == end)
				return fail(err, errlen, what, text,
					    "a node number is missing at the end");
			return fail(err, errlen, what, text, "expected a node number at %s",
				    quote(p, at, sizeof(at)));
		}
		if (r < 0)
			return bad_num(err, errlen, what, text, r, start);
		b = a;
		if (p < end && *p == '-') {
			const char *bstart = ++p;
			r = scan_num(&p, end, 1, &b);
			if (r == 0)
				return fail(err, errlen, what, text, "range %u- has no end", a);
			if (r < 0)
				return bad_num(err, errlen, what, text, r, bstart);
			if (b < a)
				return fail(err, errlen, what, text,
					    "range %u-%u is backwards (write %u-%u)", a, b, b, a);
		}
		for (unsigned n = a; n <= b; n++)
			ns_add(&spec->nums, (int)n);
next:
		if (p == end)
			return 0;
		if (*p != ',')
			return fail(err, errlen, what, text, "unexpected character %s",
				    quote_n(p, 1, at, sizeof(at)));
		p++;
	}
}

/* The node of the list's device, added to named after the checks a node
 * number gets, with messages that name the device. */
static int resolve_device(const char *what, const struct nodespec *spec,
			  const struct nodectx *ctx, struct nodeset *named,
			  char *err, size_t errlen)
{
	static char why[600], list[MP_MAXNODES * 5 + 8];
	int n;

	if (!ctx->device_node)
		return fail(err, errlen, what, spec->dev_item,
			    "device forms cannot be resolved here");
	why[0] = 0;
	n = ctx->device_node(spec->dev, spec->dev_name, why, sizeof(why));
	if (n < 0)
		return fail(err, errlen, what, spec->dev_item, "%s",
			    why[0] ? why : "its node could not be found");
	if (!ns_has(ctx->online, n)) {
		ns_format(ctx->online, list, sizeof(list));
		return fail(err, errlen, what, spec->dev_item,
			    "the device is on node %d, which does not exist (nodes: %s)", n, list);
	}
	if (ctx->to && !spec->invert && !ns_has(ctx->memory, n)) {
		ns_format(ctx->memory, list, sizeof(list));
		return fail(err, errlen, what, spec->dev_item,
			    "the device is on node %d, which has no memory (nodes with memory: %s)",
			    n, list);
	}
	ns_add(named, n);
	return 0;
}

static const char *tier_source_words(const struct tiermap *m)
{
	switch (m->source) {
	case TIER_KERNEL: return "the kernel's memory tiers";
	case TIER_HMAT: return "the firmware's rated figures (HMAT)";
	}
	return "a guess from the distance table";
}

/* The nodes the tier forms of the list name, added to named. */
static int resolve_tiers(const char *what, const struct nodespec *spec,
			 const struct nodectx *ctx, struct nodeset *named,
			 char *err, size_t errlen)
{
	static char why[600], list[MP_MAXNODES * 5 + 8], item[32];
	const struct tiermap *m;
	struct nodeset s;

	if (!ctx->tiers || !ctx->tiers->map)
		return fail(err, errlen, what, NULL, "tier forms (fast, slow, tier:N, near:PID) "
			    "cannot be resolved here");
	why[0] = 0;
	m = ctx->tiers->map(ctx->online, ctx->memory, why, sizeof(why));
	if (!m)
		return fail(err, errlen, what, NULL, "the memory tiers could not be read: %s",
			    why[0] ? why : "unknown reason");
	if (spec->fast) {
		tiermap_tier(m, 0, &s);
		for (int n = ns_next(&s, -1); n >= 0; n = ns_next(&s, n))
			ns_add(named, n);
	}
	if (spec->slow) {
		if (m->ntiers < 2) {
			tiermap_tier(m, 0, &s);
			ns_format(&s, list, sizeof(list));
			return fail(err, errlen, what, "slow", "every node with memory (%s) is in one "
				    "tier, by %s: no node is slower than another", list,
				    tier_source_words(m));
		}
		for (int r = 1; r < m->ntiers; r++) {
			tiermap_tier(m, r, &s);
			for (int n = ns_next(&s, -1); n >= 0; n = ns_next(&s, n))
				ns_add(named, n);
		}
	}
	for (int r = ns_next(&spec->tiers, -1); r >= 0; r = ns_next(&spec->tiers, r)) {
		if (r >= m->ntiers) {
			fmt(item, sizeof(item), "tier:%d", r);
			if (m->ntiers == 0)
				return fail(err, errlen, what, item, "no node with memory is in a "
					    "memory tier, by %s", tier_source_words(m));
			if (m->ntiers == 1)
				return fail(err, errlen, what, item, "there is one memory tier "
					    "(tier:0), by %s", tier_source_words(m));
			return fail(err, errlen, what, item, "there are %d memory tiers (tier:0 "
				    "to tier:%d, fastest first), by %s", m->ntiers, m->ntiers - 1,
				    tier_source_words(m));
		}
		tiermap_tier(m, r, &s);
		for (int n = ns_next(&s, -1); n >= 0; n = ns_next(&s, n))
			ns_add(named, n);
	}
	for (int i = 0; i < spec->nnear; i++) {
		const char *how;
		struct nodeset cpu;
		fmt(item, sizeof(item), "near:%d", spec->near[i]);
		if (!ctx->tiers->cpu_nodes)
			return fail(err, errlen, what, item, "cannot be resolved here");
		why[0] = 0;
		if (ctx->tiers->cpu_nodes(spec->near[i], &cpu, why, sizeof(why)) < 0)
			return fail(err, errlen, what, item, "%s", why[0] ? why : "no such process");
		if (tiermap_near(m, &cpu, &s, &how) < 0) {
			ns_format(&cpu, list, sizeof(list));
			return fail(err, errlen, what, item, "neither rated latencies nor a distance "
				    "table say which memory is nearest to node%s %s",
				    ns_count(&cpu) == 1 ? "" : "s", list);
		}
		if (ctx->tiers->near_seen)
			ctx->tiers->near_seen(spec->near[i], &cpu, &s, how);
		for (int n = ns_next(&s, -1); n >= 0; n = ns_next(&s, n))
			ns_add(named, n);
	}
	return 0;
}

int nodespec_resolve(const char *what, const char *text, const struct nodespec *spec,
		     const struct nodectx *ctx, struct nodeset *out,
		     char *err, size_t errlen)
{
	const struct nodeset *domain = ctx->to ? ctx->memory : ctx->online;
	struct nodeset named;
	static char list[MP_MAXNODES * 5 + 8];

	ns_clear(&named);
	if (spec->relative && ns_count(&spec->nums)) {
		if (!ctx->allowed)
			return fail(err, errlen, what, text,
				    "relative node numbers ('+') need the nodes process %d may "
				    "use, from /proc/%d/status, which could not be read",
				    ctx->pid, ctx->pid);
		for (int i = ns_next(&spec->nums, -1); i >= 0; i = ns_next(&spec->nums, i)) {
			int n = ns_nth(ctx->allowed, i), c = ns_count(ctx->allowed);
			if (n < 0) {
				ns_format(ctx->allowed, list, sizeof(list));
				return fail(err, errlen, what, text,
					    "index %d is beyond the %d node%s process %d may use (%s)",
					    i, c, c == 1 ? "" : "s", ctx->pid, list);
			}
			ns_add(&named, n);
		}
	} else if (!spec->relative) {
		named = spec->nums;
	}
	if (spec->dev != DEV_NONE && resolve_device(what, spec, ctx, &named, err, errlen) < 0)
		return -1;
	if (spec->tier_forms && resolve_tiers(what, spec, ctx, &named, err, errlen) < 0)
		return -1;
	for (int n = ns_next(&named, -1); n >= 0; n = ns_next(&named, n)) {
		if (!ns_has(ctx->online, n)) {
			ns_format(ctx->online, list, sizeof(list));
			return fail(err, errlen, what, NULL, "node %d does not exist (nodes: %s)",
				    n, list);
		}
		if (ctx->to && !spec->invert && !ns_has(ctx->memory, n)) {
			ns_format(ctx->memory, list, sizeof(list));
			return fail(err, errlen, what, NULL,
				    "node %d has no memory (nodes with memory: %s)", n, list);
		}
	}
	if (spec->all)
		for (int n = ns_next(domain, -1); n >= 0; n = ns_next(domain, n))
			ns_add(&named, n);
	if (spec->invert)
		ns_andnot(out, domain, &named);
	else
		*out = named;
	if (ns_next(out, -1) < 0)
		return fail(err, errlen, what, text, "selects no nodes");
	return 0;
}

int nodespec_eval(const char *what, const char *text, const struct nodectx *ctx,
		  struct nodeset *out, char *err, size_t errlen)
{
	struct nodespec spec;

	ns_clear(out);
	if (nodespec_parse(what, text, &spec, err, errlen) < 0)
		return -1;
	return nodespec_resolve(what, text, &spec, ctx, out, err, errlen);
}

int mig_plan(const struct nodeset *from, const struct nodeset *to,
	     struct mig_step steps[MP_MAXNODES])
{
	static short map[MP_MAXNODES];
	int wf = ns_count(from), wt = ns_count(to), nsteps = 0, ord = 0;
	struct nodeset pending = *from;

	/* bitmap_bitremap: the ord-th member of from goes to the (ord mod wt)-th of to */
	for (int s = ns_next(from, -1); s >= 0; s = ns_next(from, s), ord++)
		map[s] = (short)(wt ? ns_nth(to, ord % wt) : s);

	while (ns_next(&pending, -1) >= 0) {
		int source = -1, dest = 0;
		for (int s = ns_next(&pending, -1); s >= 0; s = ns_next(&pending, s)) {
			/* unequal weights: a source that is also a destination stays */
			if (wf != wt && ns_has(to, s))
				continue;
			if (map[s] == s)
				continue;
			source = s;
			dest = map[s];
			/* prefer a move whose destination is no longer a pending source */
			if (!ns_has(&pending, dest))
				break;
		}
		if (source < 0)
			break;
		ns_del(&pending, source);
		steps[nsteps].src = (short)source;
		steps[nsteps].dst = (short)dest;
		nsteps++;
	}
	return nsteps;
}

int mig_final(const struct mig_step *steps, int nsteps, int n)
{
	for (int i = 0; i < nsteps; i++)
		if (steps[i].src == n)
			n = steps[i].dst;
	return n;
}

void mig_drained(const struct mig_step *steps, int nsteps, struct nodeset *out)
{
	ns_clear(out);
	for (int i = 0; i < nsteps; i++) {
		ns_add(out, steps[i].src);
		ns_del(out, steps[i].dst);
	}
}
