/* mover.c - the chunked mover (see mover.h).
 *
 * One producer, under a lock, hands out chunks (producer part below): it
 * streams maps and numa_maps of each target side by side, a first pass and
 * then a second one that takes only address ranges the first did not see
 * (mappings made meanwhile). Workers take a chunk each and go through it in
 * named steps (worker part): the pages present (pagemap), where they are
 * (known from numa_maps, or asked), whole transparent huge pages first (one
 * address moves 2 MiB), then the remaining pages, grouped by destination in
 * batches that respect the rate cap, busy ones tried again after a pause of
 * 1, 2, 4 and 8 ms. Every move_pages call is made only after the target's
 * pidfd said it had not exited.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "mem.h"
#include "mover.h"
#include "syscall_arch.h"
#include "sysinfo.h"
#include "target.h"
#include "tracker.h"

#define MPOL_MF_MOVE (1 << 1)
#define MPOL_MF_MOVE_ALL (1 << 2)
#define TRIES 5

/* pagemap entry bits */
#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
#define PM_FILE (1ULL << 61)
#define PM_EXCLUSIVE (1ULL << 56)

struct mv_range {
	unsigned long start, end;
};

/* How a chunk's pages are found where they are. */
enum { ASK, KNOWN };

struct chunk {
	int ti;                    /* target index */
	unsigned long start, end, psize;
	unsigned long vstart;      /* the mapping it was cut from */
	int how;                   /* ASK, or KNOWN: every page is on node src */
	int src;
	int dense;                 /* KNOWN, and numa_maps counts a page for every
	                            * address: all present, no pagemap to read */
};

static struct {
	pthread_mutex_t lock;      /* the producer, the results, the rate */
	const struct mv_opts *o;
	struct mv_target *t;
	int n;
	unsigned long base;        /* base page size */
	unsigned long thp;         /* transparent huge page size, 0: none */
	int prot_none_seen;        /* move_pages sees PROT_NONE pages here */
	/* producer */
	int ti, pass;
	struct lines maps, nm;     /* maps and numa_maps, side by side */
	int maps_open, nm_open, nm_tried;
	struct nm_line nml;        /* the numa_maps line read last */
	int nml_valid;
	struct chunk cur;          /* the mapping being cut: start..vend from pos */
	unsigned long vend, pos;
	size_t seen_i;             /* second pass: position in the first pass's list */
	int ovf;                   /* an address wider than a long (a 32-bit build) */
	/* rate */
	uint64_t next_ns;
	/* progress */
	uint64_t t0, last_print, total, done;
	uint64_t *node_done;       /* bytes moved per destination node */
	int nnodes;
} g; /* zero: an unlocked mutex */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The caller asked the mover to stop (opts->stop). */
static int stopping(void)
{
	return g.o->stop && *g.o->stop;
}

static int final_of(const struct mv_target *m, int n)
{
	return n >= 0 && n < m->nnodes ? m->finals[n] : n;
}

/* ---- the target: alive, and the calls that name it ----------------------- */

/* Has the process exited? Its pidfd says (or its /proc directory, without
 * one). A pid is not reused before its process is reaped, so a call made
 * after a "no" names this process. */
static int exited(const struct mv_target *m)
{
	const struct target *t = m->t;

	if (t->pidfd >= 0) {
		struct pollfd p = { t->pidfd, POLLIN, 0 };
		return poll(&p, 1, 0) == 1;
	}
	if (t->dirfd >= 0) {
		struct pstat st;
		return proc_stat(t->dirfd, &st) < 0 || st.state == 'Z' || st.state == 'X';
	}
	return 0;
}

/* move_pages on the target, after the check above: -1 with ESRCH when it has
 * exited (the target is then dead: no call names it again). */
static long move_pages(struct mv_target *m, unsigned long n, const unsigned long *pages,
		       const int *nodes, int *status, int flags)
{
	if (__atomic_load_n(&m->dead, __ATOMIC_RELAXED) || exited(m)) {
		errno = ESRCH;
		return -1;
	}
	return syscall(SYS_move_pages, m->t->mm_pid, n, pages, nodes, status, flags);
}

/* ---- rate and progress ------------------------------------------------- */

/* Sleeps until then; -1 as soon as the mover is told to stop (looked at
 * every 50 ms: the signal may have gone to another thread). */
static int sleep_until(uint64_t when)
{
	for (;;) {
		uint64_t now = now_ns(), until = when;
		struct timespec ts;

		if (stopping())
			return -1;
		if (now >= when)
			return 0;
		if (g.o->stop && when - now > 50000000u)
			until = now + 50000000u;
		ts.tv_sec = (time_t)(until / 1000000000u);
		ts.tv_nsec = (long)(until % 1000000000u);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL); /* or EINTR */
	}
}

/* Under the lock: when a batch of this many bytes may start. Time the
 * workers lost (reading pagemap and the maps) is made up for, up to 1/16 s,
 * two batches: a 250 ms window gets at most 1.375 times the cap. */
static uint64_t rate_slot(uint64_t bytes)
{
	uint64_t now = now_ns(), start, slack = 62500000u;

	if (!g.o->rate)
		return 0;
	if (g.next_ns + slack < now)
		g.next_ns = now - slack;
	start = g.next_ns > now ? g.next_ns : now;
	g.next_ns += (uint64_t)((double)bytes * 1e9 / (double)g.o->rate);
	return start;
}

/* Bytes moved beyond what a batch waited for (a huge page found whole after
 * its first base page was paid for): the next batch waits for them. */
static void rate_charge(uint64_t bytes)
{
	if (!g.o->rate || !bytes)
		return;
	pthread_mutex_lock(&g.lock);
	rate_slot(bytes);
	pthread_mutex_unlock(&g.lock);
}

/* Waits for the moment a batch of this many bytes may start: 0, or -1 when
 * the mover was told to stop (the batch is not to be made). */
static int rate_wait(uint64_t bytes)
{
	uint64_t start;

	if (stopping())
		return -1;
	if (!g.o->rate)
		return 0;
	pthread_mutex_lock(&g.lock);
	start = rate_slot(bytes);
	pthread_mutex_unlock(&g.lock);
	return start ? sleep_until(start) : 0;
}

/* Under the lock: tells the caller how far we are, at most every interval. */
static void progress(int final)
{
	uint64_t now = now_ns();
	struct mv_progress p;

	if (!g.o->progress || (!final && now - g.last_print < g.o->progress_ns))
		return;
	g.last_print = now;
	p.done = g.done;
	p.total = g.total;
	p.elapsed_ns = now - g.t0;
	p.node_done = g.node_done;
	p.nnodes = g.nnodes;
	g.o->progress(&p, final);
}

/* ---- the producer ------------------------------------------------------- */

static unsigned long hex(const char **s)
{
	unsigned long v = 0;

	for (;; (*s)++) {
		char c = **s;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return v;
		if (v >> (sizeof(v) * 8 - 4))
			g.ovf = 1;
		v = v * 16 + (unsigned long)d;
	}
}

/* Special mappings no migration touches: [vdso], [vvar], [vsyscall],
 * [vectors], [sigpage], [uprobes], ... but not [heap], [stack] or named
 * anonymous memory ([anon:NAME], [anon_shmem:NAME]). */
static int special(const char *name)
{
	if (name[0] != '[')
		return 0;
	return strncmp(name, "[heap]", 6) != 0 && strncmp(name, "[stack", 6) != 0 &&
	       strncmp(name, "[anon", 5) != 0;
}

/* One line of maps: "START-END PERMS OFFSET DEV INODE NAME". */
struct mapping {
	unsigned long s, e;
	int prot_none;        /* perms "---" */
};

static int parse_maps_line(const char *l, struct mapping *mp)
{
	const char *p = l;

	g.ovf = 0;
	mp->s = hex(&p);
	if (*p++ != '-')
		return -1;
	mp->e = hex(&p);
	if (g.ovf || *p++ != ' ' || mp->e <= mp->s)
		return -1; /* (an address beyond a 32-bit build's reach: out_of_reach) */
	mp->prot_none = strncmp(p, "---", 3) == 0;
	for (int field = 0; *p && field < 4; field++) { /* perms offset dev inode */
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return special(p) ? -1 : 0;
}

static void seen_add(struct mv_target *m, unsigned long s, unsigned long e)
{
	if (m->nseen && m->seen[m->nseen - 1].end == s) {
		m->seen[m->nseen - 1].end = e;
		return;
	}
	if (m->nseen == m->capseen) {
		size_t cap = m->capseen ? m->capseen * 2 : 256;
		void *v = mem_grow(m->seen, NULL, m->capseen * sizeof(*m->seen), cap * sizeof(*m->seen));
		if (!v)
			return; /* the second pass then looks at this range again */
		m->seen = v;
		m->capseen = cap;
	}
	m->seen[m->nseen++] = (struct mv_range){ s, e };
}

/* The second pass: the part of [s, e) the first did not see (a mapping that
 * grew in two places at once keeps its first new part only). 0: none. */
static int unseen_part(struct mv_target *m, struct mapping *mp)
{
	while (g.seen_i < m->nseen && m->seen[g.seen_i].end <= mp->s)
		g.seen_i++;
	if (g.seen_i < m->nseen && m->seen[g.seen_i].start <= mp->s) {
		if (m->seen[g.seen_i].end >= mp->e)
			return 0;
		mp->s = m->seen[g.seen_i].end;
		g.seen_i++;
	}
	if (g.seen_i < m->nseen && m->seen[g.seen_i].start < mp->e)
		mp->e = m->seen[g.seen_i].start;
	return mp->e > mp->s;
}

/* The numa_maps line of the mapping that starts at s, in g.nml: 1, or 0 when
 * numa_maps has none (a mapping made between the two reads). The second pass
 * opens it only for a mapping the first did not see (reading it makes the
 * kernel walk every page table of the process). */
static int nm_find(struct mv_target *m, unsigned long s)
{
	if (g.pass == 2 && !g.nm_open && !g.nm_tried) {
		int nfd = openat(target_mmfd(m->t), "numa_maps", O_RDONLY);
		g.nm_tried = 1;
		if (nfd >= 0) {
			lines_open(&g.nm, nfd);
			g.nm_open = 1;
		}
	}
	for (;;) {
		char *l;
		if (g.nml_valid && g.nml.start >= s)
			return g.nml.start == s;
		if (!g.nm_open || !(l = lines_next(&g.nm)))
			return 0;
		g.nml_valid = nm_parse_line(l, g.base, &g.nml) == 0;
	}
}

/* Under the lock: the pages of a mapping that is not looked at page by page,
 * counted as numa_maps gives them. Those on nodes the plan empties (a
 * PROT_NONE mapping move_pages cannot see) are left to the closing
 * migrate_pages call, whose figures count them. */
static void count_mapping(struct mv_target *m)
{
	for (int i = 0; i < g.nml.nnodes; i++) {
		int n = g.nml.n[i].node;
		uint64_t b = g.nml.n[i].pages * g.nml.pagesize;
		if (n >= m->nnodes)
			continue;
		if (final_of(m, n) != n) {
			m->bytes[MV_UNSEEN] += b;
			continue;
		}
		m->before[n] += b;
		m->after[n] += b;
		m->bytes[MV_IN_PLACE] += b;
	}
}

/* With a tracker: a mapping out of move_pages' sight (PROT_NONE) cannot be
 * judged either; not touched (it cannot be), its pages on a node to empty
 * are cold ones left behind. */
static void count_unjudged(struct mv_target *m)
{
	for (int i = 0; i < g.nml.nnodes; i++) {
		int n = g.nml.n[i].node;
		uint64_t b = g.nml.n[i].pages * g.nml.pagesize;
		m->untracked += b;
		if (g.o->phase == MV_MOVE && g.o->select == MV_SELECT_IDLE && n < m->nnodes &&
		    final_of(m, n) != n)
			m->bytes[MV_UNSEEN] += b;
	}
}

/* What the first pass does with a mapping numa_maps describes: -1 nothing
 * more (counted), else ASK, or KNOWN with every page on *src. With a tracker
 * every mapping that holds pages is looked at (each page is judged). */
static int classify(struct mv_target *m, const struct mapping *mp, int *src)
{
	int drains = 0, held = 0;

	for (int i = 0; i < g.nml.nnodes; i++) {
		held |= g.nml.n[i].pages != 0;
		drains |= g.nml.n[i].pages && final_of(m, g.nml.n[i].node) != g.nml.n[i].node;
	}
	if (g.o->tracker && (!held || (mp->prot_none && !g.prot_none_seen))) {
		if (held && g.o->phase != MV_MARK)
			count_unjudged(m);
		return -1;
	}
	if (g.o->tracker) {
		*src = g.nml.nnodes == 1 ? g.nml.n[0].node : -1;
		return *src >= 0 ? KNOWN : ASK;
	}
	if (!drains) {
		count_mapping(m); /* nothing on a node to be emptied */
		return -1;
	}
	if (mp->prot_none && !g.prot_none_seen) {
		count_mapping(m); /* PROT_NONE, out of move_pages' sight */
		return -1;
	}
	if (g.nml.nnodes == 1) {
		*src = g.nml.n[0].node;
		return KNOWN;
	}
	return ASK;
}

/* Opens the next mapping to cut: 1, or 0 when this pass over this target is
 * done. */
static int next_mapping(struct mv_target *m)
{
	char *l;

	while ((l = lines_next(&g.maps))) {
		struct mapping mp;
		int known, src = -1, how = ASK;

		if (parse_maps_line(l, &mp) < 0)
			continue;
		if (g.pass == 1)
			seen_add(m, mp.s, mp.e);
		else if (!unseen_part(m, &mp))
			continue;
		known = nm_find(m, mp.s);
		if (known && g.pass == 1 && (how = classify(m, &mp, &src)) < 0)
			continue;
		g.cur.vstart = g.pos = mp.s;
		g.vend = mp.e;
		g.cur.psize = known && g.nml.pagesize > g.base ? g.nml.pagesize : g.base;
		g.cur.how = how;
		g.cur.src = src;
		g.cur.dense = how == KNOWN && !g.o->tracker &&
			      g.nml.n[0].pages * g.nml.pagesize == mp.e - mp.s;
		return 1;
	}
	return 0;
}

static void close_files(void)
{
	if (g.maps_open)
		close(g.maps.fd);
	if (g.nm_open)
		close(g.nm.fd);
	g.maps_open = g.nm_open = g.nml_valid = 0;
}

/* Opens maps and numa_maps for a pass; -1 with errno when maps cannot be. */
static int open_files(struct mv_target *m)
{
	int fd = openat(target_mmfd(m->t), "maps", O_RDONLY), nfd;

	if (fd < 0)
		return -1;
	lines_open(&g.maps, fd);
	g.maps_open = 1;
	g.nm_tried = 0;
	nfd = g.pass == 1 ? openat(target_mmfd(m->t), "numa_maps", O_RDONLY) : -1;
	if (nfd >= 0) {
		lines_open(&g.nm, nfd);
		g.nm_open = 1;
	}
	g.seen_i = 0;
	g.pos = g.vend = 0;
	return 0;
}

/* The first pass over a target begins: its files. */
static void start_target(struct mv_target *m)
{
	g.pass = 1;
	m->pagemap = openat(target_mmfd(m->t), "pagemap", O_RDONLY);
	if (m->pagemap < 0 || open_files(m) < 0) {
		int e = errno; /* a reaped process: ENOENT, or ESRCH */
		m->err = e == ENOENT ? ESRCH : e;
		m->exited = e == ENOENT || e == ESRCH;
		m->dead = 1;
	}
}

static void end_target(struct mv_target *m)
{
	close_files();
	mem_put(m->seen, m->capseen * sizeof(*m->seen));
	m->seen = NULL;
	m->nseen = m->capseen = 0;
	g.pass = 0;
	g.ti++;
}

/* Under the lock: the next chunk, or 0 when everything was handed out.
 * Chunks are aligned to their size, so that huge pages stay whole. */
static int next_chunk(struct chunk *c)
{
	while (g.ti < g.n) {
		struct mv_target *m = &g.t[g.ti];
		if (!m->dead && g.pass == 0)
			start_target(m);
		if (!m->dead && g.maps_open) {
			if (g.pos < g.vend || next_mapping(m)) {
				unsigned long cb = g.o->chunk * g.base, e;
				if (cb < g.cur.psize)
					cb = g.cur.psize;
				cb -= cb % g.cur.psize;
				e = (g.pos / cb + 1) * cb;
				if (e > g.vend || e < g.pos)
					e = g.vend;
				*c = g.cur;
				c->ti = g.ti;
				c->start = g.pos;
				c->end = e;
				g.pos = e;
				return 1;
			}
			close_files();
			if (g.pass == 1) {
				g.pass = 2; /* mappings made since the first read */
				if (open_files(m) == 0)
					continue;
			}
		}
		end_target(m);
	}
	return 0;
}

/* A 32-bit build's move_pages passes 32-bit addresses (the kernel's compat
 * entry reads an array of them): a 64-bit process, whose mappings lie above
 * 4 GiB, cannot be moved that way. */
int mover_out_of_reach(int dirfd)
{
	static struct lines l;
	const char *s;
	int fd;

	if (sizeof(unsigned long) >= 8 || (fd = openat(dirfd, "maps", O_RDONLY)) < 0)
		return 0;
	lines_open(&l, fd);
	g.ovf = 0;
	while (!g.ovf && (s = lines_next(&l))) {
		hex(&s);
		if (*s == '-')
			s++;
		hex(&s);
	}
	close(fd);
	return g.ovf;
}

/* ---- a worker ----------------------------------------------------------- */

/* A unit (a base page, or a hugetlb page) of the chunk: where it is, or */
#define U_ASK (-1000001)     /* present, where is not known yet */
#define U_INNER (-1000002)   /* inside a huge-page block: waits for the block */
#define U_DONE (-1000003)    /* counted (or gone: nothing to move there) */
#define NO_STATUS (-1000000) /* not written by the kernel */

struct worker {
	pthread_t th;
	unsigned long cap;
	uint64_t *pm;              /* the chunk's pagemap entries */
	unsigned long *addr;       /* the units present */
	uint64_t *flags;           /* their pagemap entries */
	int *node;                 /* where each is, or U_* */
	int *orig;                 /* where each was first found (for the report) */
	unsigned long *blk;        /* huge-page blocks: the index of their first unit */
	unsigned long *maddr;      /* one call: addresses, */
	int *mnode, *mst;          /* destinations, status, */
	unsigned long *midx;       /* and the unit (or block) each entry stands for */
	int *ast;                  /* the status of a question */
	uint64_t *acc;             /* ACC_N * g.nnodes: bytes per node (before, after,
	                            * moved; touched and not, with a tracker) */
	void *scratch;             /* the tracker's, and its verdicts */
	int *verdict;
	/* the mapping (target, start) where a block turned out to be base
	 * pages: its further chunks try no huge page */
	int base_ti;
	unsigned long base_vstart;
};

/* One chunk as a worker goes through it. */
struct job {
	struct worker *w;
	const struct chunk *c;
	struct mv_target *m;
	int flags;                 /* MPOL_MF_MOVE or MPOL_MF_MOVE_ALL */
	unsigned long n;           /* units present */
	unsigned long nblk, hp;    /* huge-page blocks, and units in each */
	int stopped;               /* a batch was not made: told to stop */
	int err;                   /* a call failed for the whole target */
	int busy;                  /* a page was busy: pause before the next try */
	int enomem;                /* the last call failed with ENOMEM */
	int call_err;              /* a call's error that left pages unmoved */
	uint64_t untracked;        /* bytes a tracker could not judge */
	uint64_t bytes[MV_NKINDS];
	int other_err;
};

enum { ACC_BEFORE, ACC_AFTER, ACC_MOVED, ACC_ACCESSED, ACC_IDLE, ACC_N };

/* Counts b bytes of one fate, from node `from` (before) to node `to`
 * (after); -1: no node (pages move_pages could not see). */
static void count(struct job *j, int kind, int from, int to, uint64_t b)
{
	uint64_t *acc = j->w->acc;

	j->bytes[kind] += b;
	if (from >= 0 && from < j->m->nnodes)
		acc[ACC_BEFORE * g.nnodes + from] += b;
	if (to >= 0 && to < j->m->nnodes) {
		acc[ACC_AFTER * g.nnodes + to] += b;
		if (kind == MV_MOVED)
			acc[ACC_MOVED * g.nnodes + to] += b;
	}
}

/* A negative status for a page pagemap found present: a page move_pages
 * cannot see (-ENOENT, or -EFAULT for a page mapped once or from a file:
 * a PROT_NONE or NUMA-hinting entry on kernels before 6.5), else nothing to
 * move there (the zero page, or unmapped meanwhile). */
static void count_absent(struct job *j, unsigned long i, int status)
{
	if (status == -ENOENT ||
	    (status == -EFAULT && (j->w->flags[i] & (PM_EXCLUSIVE | PM_FILE)))) {
		if (g.o->tracker) /* neither judged nor moved */
			j->untracked += j->c->psize;
		else
			count(j, MV_UNSEEN, -1, -1, j->c->psize);
	}
	j->w->node[i] = U_DONE;
}

/* Step 1: the units of the chunk that are present, from pagemap (a swapped
 * page is on no node: the single call leaves it too). */
static void present(struct job *j)
{
	struct worker *w = j->w;
	const struct chunk *c = j->c;
	unsigned long ps = c->psize, units = (c->end - c->start) / ps, step = ps / g.base;
	ssize_t got;

	j->n = 0;
	if (c->dense) { /* every address holds a page (numa_maps) */
		for (unsigned long i = 0; i < units; i++) {
			w->addr[i] = c->start + i * ps;
			w->flags[i] = PM_PRESENT;
			w->node[i] = w->orig[i] = c->src;
		}
		j->n = units;
		return;
	}
	if (step == 1) {
		got = pread(j->m->pagemap, w->pm, units * 8, (off_t)(c->start / g.base * 8));
		units = got > 0 ? (unsigned long)got / 8 : 0;
	} else {
		for (unsigned long i = 0; i < units; i++)
			if (pread(j->m->pagemap, &w->pm[i], 8, (off_t)((c->start + i * ps) / g.base * 8)) != 8)
				w->pm[i] = 0;
	}
	for (unsigned long i = 0; i < units; i++) {
		if (!(w->pm[i] & PM_PRESENT))
			continue;
		w->addr[j->n] = c->start + i * ps;
		w->flags[j->n] = w->pm[i];
		w->node[j->n] = w->orig[j->n] = c->how == KNOWN ? c->src : U_ASK;
		j->n++;
	}
}

/* With a tracker, at the start of its window: every present page marked. */
static void mark_units(struct job *j)
{
	g.o->tracker->mark(j->w->flags, j->n, j->c->psize, j->w->scratch);
}

/* With a tracker, after its window: each unit judged touched or not, counted
 * on its node, and only those asked for (--cold: not touched; --hot:
 * touched) kept for the steps that move. */
static void judge_units(struct job *j)
{
	struct worker *w = j->w;
	uint64_t ps = j->c->psize, *acc = w->acc;

	g.o->tracker->judge(w->flags, j->n, ps, w->verdict, w->scratch);
	for (unsigned long i = 0; i < j->n; i++) {
		int s = w->node[i], v = w->verdict[i], keep;

		if (s < 0)
			continue; /* not there (or counted as out of sight) */
		if (v == TRACK_UNTRACKED) {
			j->untracked += ps;
			w->node[i] = U_DONE;
			continue;
		}
		if (s < j->m->nnodes)
			acc[(v == TRACK_ACCESSED ? ACC_ACCESSED : ACC_IDLE) * g.nnodes + s] += ps;
		keep = g.o->select == MV_SELECT_IDLE ? v == TRACK_IDLE_UNIT : v == TRACK_ACCESSED;
		if (!keep || g.o->phase == MV_SCAN)
			w->node[i] = U_DONE;
	}
}

/* Step 2: aligned runs of present base pages as long as a transparent huge
 * page; their inner units wait (U_INNER) while the block is tried whole. */
static void find_blocks(struct job *j)
{
	struct worker *w = j->w;

	j->nblk = 0;
	j->hp = g.thp / g.base;
	if (!g.thp || j->c->psize != g.base || j->hp < 2 ||
	    (w->base_ti == j->c->ti && w->base_vstart == j->c->vstart))
		return;
	for (unsigned long i = 0; i + j->hp <= j->n;) {
		unsigned long k = 0;
		if (w->addr[i] % g.thp || w->addr[i + j->hp - 1] != w->addr[i] + g.thp - g.base) {
			i++;
			continue;
		}
		while (k < j->hp && w->node[i + k] != U_DONE)
			k++;
		if (k < j->hp) { /* a page of it is done with (not selected) */
			i += k + 1;
			continue;
		}
		w->blk[j->nblk++] = i;
		for (unsigned long u = i + 1; u + 1 < i + j->hp; u++)
			w->node[u] = U_INNER;
		i += j->hp;
	}
}

/* Step 3: where the units marked U_ASK are (one question). -1: the call
 * failed for the whole target. */
static int ask(struct job *j)
{
	struct worker *w = j->w;
	unsigned long k = 0;

	if (stopping()) /* no further call; what is not known is not counted */
		return 0;
	for (unsigned long i = 0; i < j->n; i++)
		if (w->node[i] == U_ASK) {
			w->maddr[k] = w->addr[i];
			w->midx[k++] = i;
		}
	if (!k)
		return 0;
	if (move_pages(j->m, k, w->maddr, NULL, w->ast, 0) < 0) {
		j->err = errno;
		return -1;
	}
	for (unsigned long e = 0; e < k; e++) {
		unsigned long i = w->midx[e];
		if (w->ast[e] < 0) {
			count_absent(j, i, w->ast[e]);
			continue;
		}
		w->node[i] = w->ast[e];
		if (w->orig[i] < 0)
			w->orig[i] = w->ast[e];
	}
	return 0;
}

/* Entries [0, k) of w->maddr/mnode ordered by destination (the kernel moves
 * a run of one node at once); midx follows. */
static void by_destination(struct worker *w, unsigned long k)
{
	for (unsigned long a = 0; a < k;) {
		unsigned long b = a + 1;
		for (unsigned long e = a + 1; e < k; e++) {
			if (w->mnode[e] != w->mnode[a])
				continue;
			unsigned long ta = w->maddr[b], ti = w->midx[b];
			int tn = w->mnode[b];
			w->maddr[b] = w->maddr[e], w->midx[b] = w->midx[e], w->mnode[b] = w->mnode[e];
			w->maddr[e] = ta, w->midx[e] = ti, w->mnode[e] = tn;
			b++;
		}
		a = b;
	}
}

/* Moves entries [0, k) in batches of at most rate/32 bytes (each entry
 * `each` bytes for the rate), each batch waiting for its slot. Returns 0, 1
 * when the call said some pages were not moved (their status is then not to
 * be trusted: it is set to NO_STATUS where it claims the destination), or -1
 * when a call failed for the whole target. Sets j->stopped when told to stop
 * (the entries not tried keep NO_STATUS). */
static int move_batches(struct job *j, unsigned long k, uint64_t each)
{
	struct worker *w = j->w;
	uint64_t batch_max = g.o->rate ? g.o->rate / 32 : UINT64_MAX;
	int partial = 0;

	for (unsigned long e = 0; e < k; e++)
		w->mst[e] = NO_STATUS;
	for (unsigned long b = 0; b < k;) {
		unsigned long len = 1;
		long r;
		while (b + len < k && (uint64_t)(len + 1) * each <= batch_max)
			len++;
		if (rate_wait((uint64_t)len * each) < 0) {
			j->stopped = 1;
			return partial;
		}
		r = move_pages(j->m, len, w->maddr + b, w->mnode + b, w->mst + b, j->flags);
		if (r < 0 && errno != ENOMEM) {
			j->err = errno;
			return -1;
		}
		j->enomem = r < 0;
		if (r != 0) {
			partial = 1;
			for (unsigned long e = b; e < b + len; e++)
				if (w->mst[e] == w->mnode[e])
					w->mst[e] = NO_STATUS;
		}
		b += len;
	}
	return partial;
}

/* After a block was tried: its units go page by page, where known. */
static void release_block(struct job *j, unsigned long f)
{
	int v = j->c->how == KNOWN ? j->c->src : U_ASK;

	for (unsigned long k = f + 1; k + 1 < f + j->hp; k++)
		j->w->node[k] = v;
}

/* Step 4: each block whose first and last page sit on one node to be
 * emptied gets its first address moved: a transparent huge page moves whole
 * from any of its addresses. Its last address is then asked: at the
 * destination, the block was one huge page, moved whole (4 KiB of questions
 * instead of 2 MiB). Otherwise its pages go page by page; when the first
 * moved alone they were base pages, and this mapping tries no more blocks.
 * Returns -1 when a call failed for the whole target. */
static int huge_pages(struct job *j)
{
	struct worker *w = j->w;
	unsigned long k = 0, whole = 0, ps = j->c->psize;

	for (unsigned long b = 0; b < j->nblk; b++) {
		unsigned long f = w->blk[b], l = f + j->hp - 1;
		int s = w->node[f];
		if (s >= 0 && s == w->node[l] && final_of(j->m, s) != s) {
			w->maddr[k] = w->addr[f];
			w->mnode[k] = final_of(j->m, s);
			w->midx[k++] = b;
		} else {
			release_block(j, f);
		}
	}
	if (!k)
		return 0;
	by_destination(w, k);
	/* a batch as long as the cap allows were they all huge pages; each
	 * waits for one base page, and each found moved whole pays the rest */
	if (move_batches(j, k, g.thp) < 0)
		return -1;
	for (unsigned long e = 0; e < k; e++)
		w->maddr[e] = w->addr[w->blk[w->midx[e]] + j->hp - 1];
	if (move_pages(j->m, k, w->maddr, NULL, w->ast, 0) < 0) {
		j->err = errno;
		return -1;
	}
	for (unsigned long e = 0; e < k; e++) {
		unsigned long f = w->blk[w->midx[e]], l = f + j->hp - 1;
		int d = w->mnode[e], s = w->node[f];
		if (w->mst[e] == d && w->ast[e] == d) {
			count(j, MV_MOVED, s, d, g.thp);
			for (unsigned long u = f; u <= l; u++)
				w->node[u] = U_DONE;
			whole++;
			continue;
		}
		release_block(j, f);
		w->node[l] = w->ast[e] >= 0 ? w->ast[e] : j->c->how == KNOWN ? s : U_ASK;
		if (w->mst[e] == d) { /* the first moved alone: base pages */
			count(j, MV_MOVED, s, d, ps);
			w->node[f] = U_DONE;
			w->base_ti = j->c->ti;
			w->base_vstart = j->c->vstart;
		}
	}
	rate_charge(whole * (g.thp - ps));
	return 0;
}

/* What is left of a unit after the last try, by the reason the call gave. */
static int kind_of(int err)
{
	switch (err) {
	case EACCES: return MV_SHARED;
	case EBUSY: case EAGAIN: return MV_BUSY;
	case ENOMEM: return MV_NOMEM;
	default: return MV_OTHER;
	}
}

/* The outcome of entry e of the last call for its unit i: counted (and
 * U_DONE), or kept for another try (returns 1). */
static int outcome(struct job *j, unsigned long e, int last, int call_err)
{
	struct worker *w = j->w;
	unsigned long i = w->midx[e], ps = j->c->psize;
	int from = w->orig[i], st = w->mst[e], d = w->mnode[e];

	if (st == d) {
		count(j, MV_MOVED, from, d, ps);
	} else if (st == NO_STATUS && j->stopped) {
		count(j, MV_STOPPED, from, w->node[i], ps);
	} else if (st == NO_STATUS || (st >= 0 && final_of(j->m, st) != st)) {
		w->node[i] = U_ASK; /* where is it now? (asked before the next try) */
		return 1;
	} else if (st >= 0) {
		count(j, MV_IN_PLACE, from, st, ps); /* moved by someone else */
	} else if (st == -ENOENT || st == -EFAULT) {
		count_absent(j, i, st);
	} else if (!last && kind_of(-st) == MV_BUSY) {
		j->busy = 1;
		return 1; /* tried again after a pause */
	} else {
		count(j, kind_of(-st), from, w->node[i], ps);
		if (kind_of(-st) == MV_OTHER)
			j->other_err = -st;
	}
	(void)call_err;
	w->node[i] = U_DONE;
	return 0;
}

/* One try of step 5: the units whose node is known and must change are
 * moved, grouped by destination. Returns how many are kept for another
 * try, or -1 when a call failed for the whole target. */
static long move_units(struct job *j, int last)
{
	struct worker *w = j->w;
	unsigned long k = 0, ps = j->c->psize;
	long kept = 0;
	int partial;

	for (unsigned long i = 0; i < j->n; i++) {
		int s = w->node[i];
		if (s < 0)
			continue;
		if (final_of(j->m, s) == s) {
			count(j, MV_IN_PLACE, w->orig[i], s, ps);
			w->node[i] = U_DONE;
			continue;
		}
		w->maddr[k] = w->addr[i];
		w->mnode[k] = final_of(j->m, s);
		w->midx[k++] = i;
	}
	if (!k)
		return 0;
	by_destination(w, k);
	if ((partial = move_batches(j, k, ps)) < 0)
		return -1;
	if (partial)
		j->call_err = j->enomem ? ENOMEM : EBUSY;
	for (unsigned long e = 0; e < k; e++)
		kept += outcome(j, e, last, j->call_err);
	return kept;
}

/* Step 5: page by page, with up to TRIES tries for busy pages (after 1, 2,
 * 4 and 8 ms: a page the kernel could not isolate at that instant), then a
 * last question for those whose fate the calls did not tell. */
static int pages(struct job *j)
{
	struct worker *w = j->w;
	long kept = 1;

	for (int attempt = 0; attempt < TRIES && kept && !j->stopped; attempt++) {
		if (attempt > 0 && j->busy)
			usleep(1000u << (attempt - 1));
		j->busy = 0;
		if (ask(j) < 0 || (kept = move_units(j, attempt + 1 == TRIES)) < 0)
			return -1;
	}
	if (kept > 0 && ask(j) < 0)
		return -1;
	for (unsigned long i = 0; i < j->n; i++) {
		int s = w->node[i];
		if (s < 0)
			continue;
		if (s == final_of(j->m, w->orig[i]) && s != w->orig[i])
			count(j, MV_MOVED, w->orig[i], s, j->c->psize);
		else if (final_of(j->m, s) == s)
			count(j, MV_IN_PLACE, w->orig[i], s, j->c->psize);
		else
			count(j, j->stopped ? MV_STOPPED : kind_of(j->call_err ? j->call_err : EBUSY),
			      w->orig[i], s, j->c->psize);
	}
	return 0;
}

/* Under the lock: a chunk's results into its target and the progress. */
static void fold(struct job *j, uint64_t t0)
{
	struct mv_target *m = j->m;
	const uint64_t *acc = j->w->acc;

	for (int k = 0; k < m->nnodes; k++) {
		m->before[k] += acc[ACC_BEFORE * g.nnodes + k];
		m->after[k] += acc[ACC_AFTER * g.nnodes + k];
		g.node_done[k] += acc[ACC_MOVED * g.nnodes + k];
		g.done += acc[ACC_MOVED * g.nnodes + k];
		if (m->accessed) {
			m->accessed[k] += acc[ACC_ACCESSED * g.nnodes + k];
			m->idle[k] += acc[ACC_IDLE * g.nnodes + k];
		}
	}
	m->untracked += j->untracked;
	for (int i = 0; i < MV_NKINDS; i++)
		m->bytes[i] += j->bytes[i];
	if (j->other_err)
		m->other_err = j->other_err;
	if (!m->t_first || t0 < m->t_first)
		m->t_first = t0;
	m->t_last = now_ns();
	if (j->err && !m->err) {
		m->err = j->err;
		m->exited = j->err == ESRCH;
		__atomic_store_n(&m->dead, 1, __ATOMIC_RELAXED);
	}
	progress(0);
}

static void do_chunk(struct worker *w, const struct chunk *c)
{
	struct job j;
	uint64_t t0 = now_ns();

	memset(&j, 0, sizeof(j));
	j.w = w;
	j.c = c;
	j.m = &g.t[c->ti];
	j.flags = g.o->move_all ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;
	memset(w->acc, 0, ACC_N * (size_t)g.nnodes * sizeof(uint64_t));
	present(&j);
	if (g.o->phase == MV_MARK) {
		mark_units(&j);
	} else if (g.o->tracker && ask(&j) == 0) {
		judge_units(&j);
		if (g.o->phase == MV_MOVE) {
			find_blocks(&j);
			if (ask(&j) == 0 && huge_pages(&j) == 0)
				pages(&j);
		}
	} else if (!g.o->tracker) {
		find_blocks(&j);
		if (ask(&j) == 0 && huge_pages(&j) == 0)
			pages(&j);
	}
	pthread_mutex_lock(&g.lock);
	fold(&j, t0);
	pthread_mutex_unlock(&g.lock);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct chunk c;

	for (;;) {
		int got;
		if (stopping())
			return NULL;
		pthread_mutex_lock(&g.lock);
		got = next_chunk(&c);
		pthread_mutex_unlock(&g.lock);
		if (!got)
			return NULL;
		if (!__atomic_load_n(&g.t[c.ti].dead, __ATOMIC_RELAXED))
			do_chunk(w, &c);
	}
}

/* ---- the whole job ------------------------------------------------------ */

/* acc: ACC_N * g.nnodes words; pm, addr, flags, blk, maddr, midx: cap
 * words each; node, orig, mnode, mst, ast: cap ints each; the tracker's
 * scratch and verdicts */
static size_t worker_bytes(unsigned long cap)
{
	size_t tr = g.o->tracker ? cap * (g.o->tracker->scratch + sizeof(int)) : 0;

	return ACC_N * (size_t)g.nnodes * sizeof(uint64_t) +
	       cap * (6 * sizeof(uint64_t) + 5 * sizeof(int)) + 16 + tr;
}

static int worker_init(struct worker *w, unsigned long cap)
{
	char *p = mem_get(worker_bytes(cap));

	if (!p)
		return -1;
	w->cap = cap;
	w->base_ti = -1;
	w->acc = (uint64_t *)(void *)p;
	w->pm = w->acc + ACC_N * (size_t)g.nnodes;
	w->flags = w->pm + cap;
	w->addr = (unsigned long *)(void *)(w->flags + cap);
	w->blk = (unsigned long *)(void *)((uint64_t *)(void *)w->addr + cap);
	w->maddr = (unsigned long *)(void *)((uint64_t *)(void *)w->blk + cap);
	w->midx = (unsigned long *)(void *)((uint64_t *)(void *)w->maddr + cap);
	w->node = (int *)(void *)((uint64_t *)(void *)w->midx + cap);
	w->orig = w->node + cap;
	w->mnode = w->orig + cap;
	w->mst = w->mnode + cap;
	w->ast = w->mst + cap;
	w->verdict = w->ast + cap;
	/* the tracker's scratch: 16-aligned after the verdicts */
	w->scratch = p + (((size_t)((char *)(w->verdict + cap) - p) + 15) & ~(size_t)15);
	return 0;
}

int mover_sees_prot_none(void)
{
	static int known = -1;
	unsigned long page = g.base ? g.base : 4096;
	char *p;
	int st = -1;

	if (known >= 0)
		return known;
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return known = 1; /* not known: looked at page by page as the others */
	p[0] = 1;
	if (mprotect(p, page, PROT_NONE) == 0 &&
	    syscall(SYS_move_pages, 0, 1UL, &p, NULL, &st, 0) == 0)
		known = st >= 0;
	else
		known = 1;
	munmap(p, page);
	return known;
}

/* The setup of one run: sizes, the probe, the per-node progress. */
static int setup(struct mv_target *t, int n, const struct mv_opts *o)
{
	static struct usage u;
	char v[32];
	unsigned long base = getauxval(AT_PAGESZ);

	g.o = o;
	g.t = t;
	g.n = n;
	g.base = base ? base : 4096;
	g.ti = g.pass = 0;
	g.maps_open = g.nm_open = g.nml_valid = 0;
	g.thp = read_small("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", v, sizeof(v)) > 0
		? strtoul(v, NULL, 10) : 0;
	g.prot_none_seen = stopping() || mover_sees_prot_none();
	g.nnodes = 0;
	for (int i = 0; i < n; i++)
		if (t[i].nnodes > g.nnodes)
			g.nnodes = t[i].nnodes;
	g.node_done = mem_get(((size_t)g.nnodes + 1) * sizeof(uint64_t));
	if (!g.node_done)
		return -1;
	g.total = g.done = 0;
	for (int i = 0; o->progress && !o->tracker && i < n; i++) {
		/* the total: what numa_maps shows on nodes that will be emptied */
		if (t[i].dead || proc_usage(target_mmfd(t[i].t), &u) < 0)
			continue;
		for (int k = 0; k < t[i].nnodes; k++)
			if (t[i].finals[k] != k)
				g.total += u.bytes[k];
	}
	for (int i = 0; i < n; i++)
		t[i].pagemap = -1;
	return 0;
}

/* After the workers: the targets not looked at to the end when told to
 * stop, the files, the times. */
static void wind_up(struct mv_target *t, int n)
{
	if (stopping()) {
		for (int i = 0; i < n; i++)
			t[i].stopped = !t[i].dead && (i >= g.ti || t[i].bytes[MV_STOPPED]);
		close_files();
		if (g.ti < n) {
			mem_put(t[g.ti].seen, t[g.ti].capseen * sizeof(*t[g.ti].seen));
			t[g.ti].seen = NULL;
		}
	}
	for (int i = 0; i < n; i++) {
		if (t[i].pagemap >= 0)
			close(t[i].pagemap);
		t[i].pagemap = -1;
		t[i].ns = t[i].t_last > t[i].t_first ? t[i].t_last - t[i].t_first : 0;
	}
}

int mover_run(struct mv_target *t, int n, const struct mv_opts *o)
{
	static struct worker w[MV_MAX_JOBS];
	int jobs = o->jobs < 1 ? 1 : o->jobs > MV_MAX_JOBS ? MV_MAX_JOBS : o->jobs, started;
	int e = 0;

	if (setup(t, n, o) < 0)
		return -1;
	for (int i = 0; i < jobs; i++) {
		/* a chunk of huge pages needs no more entries than one of base pages */
		if (worker_init(&w[i], o->chunk) < 0) {
			e = errno;
			jobs = i;
			break;
		}
	}
	if (jobs == 0) {
		mem_put(g.node_done, ((size_t)g.nnodes + 1) * sizeof(uint64_t));
		errno = e;
		return -1;
	}
	g.t0 = g.last_print = now_ns();
	g.next_ns = 0;
	for (started = 1; started < jobs; started++)
		if (pthread_create(&w[started].th, NULL, work, &w[started]) != 0)
			break;
	work(&w[0]);
	for (int i = 1; i < started; i++)
		pthread_join(w[i].th, NULL);
	wind_up(t, n);
	for (int i = 0; i < jobs; i++)
		mem_put(w[i].acc, worker_bytes(w[i].cap));
	progress(1);
	mem_put(g.node_done, ((size_t)g.nnodes + 1) * sizeof(uint64_t));
	g.node_done = NULL;
	return 0;
}
