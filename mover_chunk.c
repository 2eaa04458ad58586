/* mover_chunk.c - what a worker of the chunked mover does with one chunk
 * (see mover_int.h), in named steps: the pages present (pagemap), where they
 * are (known from numa_maps, or asked), with a tracker their verdict (touched
 * or not: --cold, --hot), whole transparent huge pages first (one address
 * moves 2 MiB), then the remaining pages, grouped by destination in batches
 * that respect the rate cap, busy ones tried again after a pause of 1, 2, 4
 * and 8 ms; then its figures folded into the target's under the lock.
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
#include "mover_int.h"
#include "syscall_arch.h"
#include "sysinfo.h"
#include "target.h"
#include "tracker.h"

/* Counts b bytes of one fate, from node `from` (before) to node `to`
 * (after); -1: no node (pages move_pages could not see). */
static void count(struct job *j, int kind, int from, int to, uint64_t b)
{
	uint64_t *acc = j->w->acc;

	j->bytes[kind] += b;
	if (from >= 0 && from < j->m->nnodes)
		acc[ACC_BEFORE * mvg.nnodes + from] += b;
	if (to >= 0 && to < j->m->nnodes) {
		acc[ACC_AFTER * mvg.nnodes + to] += b;
		if (kind == MV_MOVED)
			acc[ACC_MOVED * mvg.nnodes + to] += b;
	}
}

static void untracked(struct job *j, int v, uint64_t b);

/* --verify: a unit moved, its range kept (joined to the last when they
 * touch); folded into the target's list under the lock (fold_moved). */
static void moved_at(struct job *j, unsigned long addr, unsigned long bytes)
{
	struct worker *w = j->w;

	if (!mvg.o->record_moved)
		return;
	if (w->nmr && w->mr[w->nmr - 1].end == addr) {
		w->mr[w->nmr - 1].end += bytes;
		return;
	}
	if (w->nmr == w->capmr) {
		size_t cap = w->capmr ? w->capmr * 2 : 256;
		void *v = mem_grow(w->mr, NULL, w->capmr * sizeof(*w->mr), cap * sizeof(*w->mr));
		if (!v) {
			w->mr_lost = 1;
			return;
		}
		w->mr = v;
		w->capmr = cap;
	}
	w->mr[w->nmr++] = (struct mv_range){ .start = addr, .end = addr + bytes };
}

/* Under the lock: the chunk's moved ranges appended to its target's. */
static void fold_moved(struct worker *w, struct mv_target *m)
{
	for (size_t i = 0; i < w->nmr; i++) {
		if (m->nmoved == m->capmoved) {
			size_t cap = m->capmoved ? m->capmoved * 2 : 1024;
			void *v = mem_grow(m->moved, NULL, m->capmoved * sizeof(*m->moved),
					   cap * sizeof(*m->moved));
			if (!v) {
				m->moved_lost = 1;
				break;
			}
			m->moved = v;
			m->capmoved = cap;
		}
		m->moved[m->nmoved++] = w->mr[i];
	}
	if (w->mr_lost)
		m->moved_lost = 1;
	w->nmr = 0;
	w->mr_lost = 0;
}

/* MV_VERIFY: 1 when the unit at addr is in the target's ranges to judge. */
static int in_only(const struct mv_target *m, unsigned long addr)
{
	size_t l = 0, h = m->nonly;

	while (l < h) {
		size_t k = l + (h - l) / 2;
		if (m->only[k].end <= addr)
			l = k + 1;
		else
			h = k;
	}
	return l < m->nonly && m->only[l].start <= addr;
}

/* A negative status for a page pagemap found present: a page move_pages
 * cannot see (-ENOENT, or -EFAULT for a page mapped once or from a file:
 * a PROT_NONE or NUMA-hinting entry on kernels before 6.5), else nothing to
 * move there (the zero page, or unmapped meanwhile). */
static void count_absent(struct job *j, unsigned long i, int status)
{
	if (status == -ENOENT ||
	    (status == -EFAULT && (j->w->flags[i] & (PM_EXCLUSIVE | PM_FILE)))) {
		if (mvg.o->tracker) /* neither judged nor moved */
			untracked(j, TRACK_UNTRACKED, j->c->psize);
		else
			count(j, MV_UNSEEN, -1, -1, j->c->psize);
	}
	j->w->node[i] = U_DONE;
}

/* The present ones among k pagemap entries in w->pm, the first for the
 * address at. */
static void take(struct job *j, unsigned long at, unsigned long k)
{
	struct worker *w = j->w;

	for (unsigned long i = 0; i < k; i++) {
		if (!(w->pm[i] & PM_PRESENT))
			continue;
		w->addr[j->n] = at + i * j->c->psize;
		w->flags[j->n++] = w->pm[i];
	}
}

/* A chunk cut by the pages present (a very sparse mapping): the kernel says
 * again where its runs of present pages are, and only their pagemap entries
 * are read (no more than the worker holds: a page that appeared since is
 * left, as one that appears behind any chunk). */
static void present_runs(struct job *j)
{
	const struct chunk *c = j->c;
	unsigned long cap = j->w->cap, e;
	long n = mv_scan(j->m->pagemap, c->start, c->end, j->w->runs, cap, cap, 0, &e);

	for (long i = 0; i < n && j->n < cap; i++) {
		unsigned long a = j->w->runs[i].start, k = (j->w->runs[i].end - a) / mvg.base;
		ssize_t got;

		if (k > cap - j->n)
			k = cap - j->n;
		got = pread(j->m->pagemap, j->w->pm, k * 8, (off_t)(a / mvg.base * 8));
		take(j, a, got > 0 ? (unsigned long)got / 8 : 0);
	}
}

/* Whether the runs v[0..n) that would need pagemap all have the same
 * categories (then no folio holds pages of two verdicts among them). */
static int uniform(const struct tracker *t, const struct mv_run *v, long n)
{
	uint64_t e, cat = 0;
	int seen = 0;

	for (long i = 0; i < n; i++) {
		if (t->from_scan(v[i].categories, 0, &e))
			continue;
		if (seen && v[i].categories != cat)
			return 0;
		cat = v[i].categories;
		seen = 1;
	}
	return 1;
}

/* Step 1 where the tracker judges through PAGEMAP_SCAN (soft-dirty, Linux
 * 6.7+): the kernel gives the runs of present pages with their categories,
 * and pagemap is read only for the runs the tracker needs it for (tracker.h:
 * from_scan): none where smaps counted no shared page in the mapping and the
 * chunk's runs are uniform (or frames are not read). At most a worker's
 * worth of pages, as present_runs. 0, or -1 when the ioctl failed before any
 * page (pagemap is read then). */
static int present_scanned(struct job *j, const struct tracker *t)
{
	const struct chunk *c = j->c;
	struct worker *w = j->w;
	unsigned long at = c->start, e;

	while (at < c->end && j->n < w->cap) {
		long n = mv_scan(j->m->pagemap, at, c->end, w->runs, w->cap, w->cap - j->n,
				 t->scan_categories, &e);
		/* all of the chunk in this one answer, and one verdict a kind */
		int excl = !c->vma_shared && (!t->by_folio() || (at == c->start && e >= c->end &&
								  uniform(t, w->runs, n)));

		if (n < 0)
			return at == c->start ? -1 : 0;
		for (long i = 0; i < n && j->n < w->cap; i++) {
			unsigned long a = w->runs[i].start, k = (w->runs[i].end - a) / mvg.base, f = j->n;
			uint64_t entry;
			ssize_t got;

			if (k > w->cap - j->n)
				k = w->cap - j->n;
			if (t->from_scan(w->runs[i].categories, excl, &entry)) {
				for (unsigned long u = 0; u < k; u++) {
					w->addr[j->n] = a + u * mvg.base;
					w->flags[j->n++] = entry;
				}
				continue;
			}
			got = pread(j->m->pagemap, w->pm, k * 8, (off_t)(a / mvg.base * 8));
			take(j, a, got > 0 ? (unsigned long)got / 8 : 0);
			for (unsigned long u = f; u < j->n; u++)
				w->flags[u] |= entry;
		}
		if (n == 0 || e <= at)
			break;
		at = e;
	}
	return 0;
}

/* Step 1: the units of the chunk that are present, from pagemap (a swapped
 * page is on no node: the single call leaves it too). */
static void present(struct job *j)
{
	struct worker *w = j->w;
	const struct chunk *c = j->c;
	const struct tracker *t = mvg.o->tracker;
	unsigned long ps = c->psize, units = (c->end - c->start) / ps, step = ps / mvg.base;
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
	if (t && t->scans && mvg.o->phase != MV_MARK && mvg.o->phase != MV_GATHER && step == 1 &&
	    t->scans() && present_scanned(j, t) == 0) {
		/* found so */
	} else if (c->scanned) {
		present_runs(j);
	} else if (step == 1) {
		got = pread(j->m->pagemap, w->pm, units * 8, (off_t)(c->start / mvg.base * 8));
		take(j, c->start, got > 0 ? (unsigned long)got / 8 : 0);
	} else {
		for (unsigned long i = 0; i < units; i++)
			if (pread(j->m->pagemap, &w->pm[i], 8, (off_t)((c->start + i * ps) / mvg.base * 8)) != 8)
				w->pm[i] = 0;
		take(j, c->start, units);
	}
	for (unsigned long i = 0; c->shm_anon && i < j->n; i++)
		w->flags[i] |= PM_TOOL_SHM_ANON;
	if (j->counting) /* judged and counted on src, nothing more */
		return;
	for (unsigned long i = 0; i < j->n; i++)
		w->node[i] = w->orig[i] = c->how == KNOWN ? c->src : U_ASK;
}

/* With a tracker, at the start of its window: every present page marked. */
static void mark_units(struct job *j, const struct tracker *t)
{
	t->mark(j->w->addr, j->w->flags, j->n, j->c->psize, j->w->scratch);
}

/* Counts b bytes a tracker gave no verdict (v < 0), by reason. */
static void untracked(struct job *j, int v, uint64_t b)
{
	j->untracked += b;
	j->untracked_why[-1 - v] += b;
}

/* With a tracker, after its window: each unit judged touched or not, counted
 * on its node, and only those asked for (--cold: not touched; --hot:
 * touched) kept for the steps that move. A mapping the kernel flagged
 * soft-dirty as a whole gives no verdict on any of its pages. */
static void judge_units(struct job *j, const struct tracker *t)
{
	struct worker *w = j->w;
	uint64_t ps = j->c->psize, *acc = w->acc, n[TRACK_NREASONS + 2];

	memset(n, 0, sizeof(n));
	if (j->c->vma_flagged) {
		for (unsigned long i = 0; i < j->n; i++)
			w->verdict[i] = TRACK_VMA;
	} else {
		t->judge(j->m->t, w->addr, w->flags, j->n, ps, w->verdict, w->scratch);
		for (unsigned long i = 0; i < j->n; i++)
			if (w->verdict[i] >= 0 && (w->verdict[i] & TRACK_BY_FRAME)) {
				w->verdict[i] &= ~TRACK_BY_FRAME;
				j->shared_judged += ps;
			}
	}
	if (mvg.o->phase == MV_VERIFY) { /* only the pages moved, counted where they are */
		for (unsigned long i = 0; i < j->n; i++) {
			int s = j->counting ? j->c->src : w->node[i], v = w->verdict[i];
			if (!j->counting)
				w->node[i] = U_DONE;
			if (s < 0 || !in_only(j->m, w->addr[i]))
				continue;
			if (v < 0)
				untracked(j, v, ps);
			else if (s < j->m->nnodes)
				acc[(v == TRACK_ACCESSED ? ACC_ACCESSED : ACC_IDLE) * mvg.nnodes + s] += ps;
		}
		return;
	}
	if (j->counting) { /* every unit on src, none to move: sums */
		for (unsigned long i = 0; i < j->n; i++)
			n[w->verdict[i] + TRACK_NREASONS]++;
		for (int v = -TRACK_NREASONS; v < 0; v++)
			untracked(j, v, n[v + TRACK_NREASONS] * ps);
		if (j->c->src < j->m->nnodes) {
			acc[ACC_IDLE * mvg.nnodes + j->c->src] += n[TRACK_NREASONS] * ps;
			acc[ACC_ACCESSED * mvg.nnodes + j->c->src] += n[TRACK_NREASONS + 1] * ps;
		}
		return;
	}
	for (unsigned long i = 0; i < j->n; i++) {
		int s = w->node[i], v = w->verdict[i], keep;

		if (s < 0)
			continue; /* not there (or counted as out of sight) */
		if (v < 0) {
			untracked(j, v, ps);
			w->node[i] = U_DONE;
			continue;
		}
		if (s < j->m->nnodes)
			acc[(v == TRACK_ACCESSED ? ACC_ACCESSED : ACC_IDLE) * mvg.nnodes + s] += ps;
		keep = mvg.o->select == MV_SELECT_IDLE ? v == TRACK_IDLE_UNIT : v == TRACK_ACCESSED;
		if (!keep || mvg.o->phase == MV_SCAN)
			w->node[i] = U_DONE;
	}
}

/* Step 2: aligned runs of present base pages as long as a transparent huge
 * page; their inner units wait (U_INNER) while the block is tried whole. */
static void find_blocks(struct job *j)
{
	struct worker *w = j->w;

	j->nblk = 0;
	j->hp = mvg.thp / mvg.base;
	if (!mvg.thp || j->c->psize != mvg.base || j->hp < 2 ||
	    (w->base_ti == j->c->ti && w->base_vstart == j->c->vstart))
		return;
	for (unsigned long i = 0; i + j->hp <= j->n;) {
		unsigned long k = 0;
		if (w->addr[i] % mvg.thp || w->addr[i + j->hp - 1] != w->addr[i] + mvg.thp - mvg.base) {
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

	if (mv_stopping()) /* no further call; what is not known is not counted */
		return 0;
	for (unsigned long i = 0; i < j->n; i++)
		if (w->node[i] == U_ASK) {
			w->maddr[k] = w->addr[i];
			w->midx[k++] = i;
		}
	if (!k)
		return 0;
	if (mv_move_pages(j->m, k, w->maddr, NULL, w->ast, 0) < 0) {
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
 * `each` bytes at most), each batch waiting for its slot, `pay` bytes an
 * entry (a huge page's block pays for its first base page; the rest when it
 * is found moved whole). Returns 0, 1
 * when the call said some pages were not moved (their status is then not to
 * be trusted: it is set to NO_STATUS where it claims the destination), or -1
 * when a call failed for the whole target. Sets j->stopped when told to stop
 * (the entries not tried keep NO_STATUS). */
static int move_batches(struct job *j, unsigned long k, uint64_t each, uint64_t pay)
{
	struct worker *w = j->w;
	uint64_t batch_max = mvg.o->rate ? mvg.o->rate / 32 : UINT64_MAX;
	int partial = 0;

	for (unsigned long e = 0; e < k; e++)
		w->mst[e] = NO_STATUS;
	for (unsigned long b = 0; b < k;) {
		unsigned long len = 1;
		long r;
		while (b + len < k && (uint64_t)(len + 1) * each <= batch_max)
			len++;
		if (mv_rate_wait((uint64_t)len * pay) < 0) {
			j->stopped = 1;
			return partial;
		}
		r = mv_move_pages(j->m, len, w->maddr + b, w->mnode + b, w->mst + b, j->flags);
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
		if (s >= 0 && s == w->node[l] && mv_final_of(j->m, s) != s) {
			w->maddr[k] = w->addr[f];
			w->mnode[k] = mv_final_of(j->m, s);
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
	if (move_batches(j, k, mvg.thp, ps) < 0)
		return -1;
	for (unsigned long e = 0; e < k; e++)
		w->maddr[e] = w->addr[w->blk[w->midx[e]] + j->hp - 1];
	if (mv_move_pages(j->m, k, w->maddr, NULL, w->ast, 0) < 0) {
		j->err = errno;
		return -1;
	}
	for (unsigned long e = 0; e < k; e++) {
		unsigned long f = w->blk[w->midx[e]], l = f + j->hp - 1;
		int d = w->mnode[e], s = w->node[f];
		if (w->mst[e] == d && w->ast[e] == d) {
			count(j, MV_MOVED, s, d, mvg.thp);
			moved_at(j, w->addr[f], mvg.thp);
			for (unsigned long u = f; u <= l; u++)
				w->node[u] = U_DONE;
			whole++;
			continue;
		}
		release_block(j, f);
		w->node[l] = w->ast[e] >= 0 ? w->ast[e] : j->c->how == KNOWN ? s : U_ASK;
		if (w->mst[e] == d) { /* the first moved alone: base pages */
			count(j, MV_MOVED, s, d, ps);
			moved_at(j, w->addr[f], ps);
			w->node[f] = U_DONE;
			w->base_ti = j->c->ti;
			w->base_vstart = j->c->vstart;
		}
	}
	mv_rate_charge(whole * (mvg.thp - ps));
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
		moved_at(j, w->addr[i], ps);
	} else if (st == NO_STATUS && j->stopped) {
		count(j, MV_STOPPED, from, w->node[i], ps);
	} else if (st == NO_STATUS || (st >= 0 && mv_final_of(j->m, st) != st)) {
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
		if (mv_final_of(j->m, s) == s) {
			count(j, MV_IN_PLACE, w->orig[i], s, ps);
			w->node[i] = U_DONE;
			continue;
		}
		w->maddr[k] = w->addr[i];
		w->mnode[k] = mv_final_of(j->m, s);
		w->midx[k++] = i;
	}
	if (!k)
		return 0;
	by_destination(w, k);
	if ((partial = move_batches(j, k, ps, ps)) < 0)
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
		if (s == mv_final_of(j->m, w->orig[i]) && s != w->orig[i]) {
			count(j, MV_MOVED, w->orig[i], s, j->c->psize);
			moved_at(j, w->addr[i], j->c->psize);
		} else if (mv_final_of(j->m, s) == s)
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
		m->before[k] += acc[ACC_BEFORE * mvg.nnodes + k];
		m->after[k] += acc[ACC_AFTER * mvg.nnodes + k];
		mvg.node_done[k] += acc[ACC_MOVED * mvg.nnodes + k];
		mvg.done += acc[ACC_MOVED * mvg.nnodes + k];
		if (m->accessed) {
			m->accessed[k] += acc[ACC_ACCESSED * mvg.nnodes + k];
			m->idle[k] += acc[ACC_IDLE * mvg.nnodes + k];
		}
	}
	m->untracked += j->untracked;
	for (int i = 0; i < TRACK_NREASONS; i++)
		m->untracked_why[i] += j->untracked_why[i];
	m->shared_judged += j->shared_judged;
	fold_moved(j->w, m);
	for (int i = 0; i < MV_NKINDS; i++)
		m->bytes[i] += j->bytes[i];
	if (j->other_err)
		m->other_err = j->other_err;
	if (!m->t_first || t0 < m->t_first)
		m->t_first = t0;
	m->t_last = mv_now_ns();
	if (j->err && !m->err) {
		m->err = j->err;
		m->exited = j->err == ESRCH;
		__atomic_store_n(&m->dead, 1, __ATOMIC_RELAXED);
	}
	mv_progress(0);
}

void mv_do_chunk(struct worker *w, const struct chunk *c)
{
	struct job j;
	struct chunk asked;
	const struct tracker *t = mvg.o->tracker;
	uint64_t t0 = mv_now_ns();

	if (c->how == KNOWN && t0 - c->t_line > KNOWN_FOR_NS) {
		asked = *c; /* numa_maps is too old to say where they are now */
		asked.how = ASK;
		asked.dense = 0;
		c = &asked;
	}
	memset(&j, 0, sizeof(j));
	j.w = w;
	j.c = c;
	j.m = &mvg.t[c->ti];
	j.flags = mvg.o->move_all ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;
	j.counting = t && mvg.o->phase != MV_MOVE && c->how == KNOWN;
	memset(w->acc, 0, ACC_N * (size_t)mvg.nnodes * sizeof(uint64_t));
	present(&j);
	if (t && mvg.o->phase == MV_MARK) {
		mark_units(&j, t);
	} else if (t && mvg.o->phase == MV_GATHER) {
		t->gather(w->flags, j.n, c->vma_flagged);
	} else if (t && (c->how == KNOWN || ask(&j) == 0)) {
		judge_units(&j, t);
		if (mvg.o->phase == MV_MOVE) {
			find_blocks(&j);
			if (ask(&j) == 0 && huge_pages(&j) == 0)
				pages(&j);
		}
	} else if (!t) {
		find_blocks(&j);
		if (ask(&j) == 0 && huge_pages(&j) == 0)
			pages(&j);
	}
	pthread_mutex_lock(&mvg.lock);
	fold(&j, t0);
	pthread_mutex_unlock(&mvg.lock);
}

