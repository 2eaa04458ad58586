/* mover_walk.c - the chunked mover's producer (see mover_int.h).
 *
 * For each target in turn: a first pass over its maps, with numa_maps read
 * side by side (one line a mapping, in the same order), then a second pass
 * that takes only the address ranges the first did not see (mappings made
 * meanwhile). A mapping that holds nothing on a node to be emptied is skipped
 * and counted from numa_maps; one whose pages all sit on one such node is
 * cut into KNOWN chunks (moved without being asked first); the others into
 * chunks whose pages are asked where they are. Chunks are aligned to their
 * size, so that huge pages stay whole.
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "kerndat.h"
#include "mem.h"
#include "mover_int.h"
#include "syscall_arch.h"
#include "sysinfo.h"
#include "target.h"
#include "tracker.h"

static unsigned long hex(const char **s)
{
	unsigned long v = 0;

	for (;; (*s)++) {
		char c = **s;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return v;
		if (v >> (sizeof(v) * 8 - 4))
			mvg.ovf = 1;
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
	int shm_anon;         /* shared anonymous memory or SysV shm: no file
	                       * descriptor writes its pages */
};

static int parse_maps_line(const char *l, struct mapping *mp)
{
	const char *p = l;

	mvg.ovf = 0;
	mp->s = hex(&p);
	if (*p++ != '-')
		return -1;
	mp->e = hex(&p);
	if (mvg.ovf || *p++ != ' ' || mp->e <= mp->s)
		return -1; /* (an address beyond a 32-bit build's reach: out_of_reach) */
	mp->prot_none = strncmp(p, "---", 3) == 0;
	for (int field = 0; *p && field < 4; field++) { /* perms offset dev inode */
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	mp->shm_anon = strncmp(p, "/dev/zero (deleted)", 19) == 0 || strncmp(p, "/SYSV", 5) == 0 ||
		       strncmp(p, "[anon_shmem:", 12) == 0;
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
	while (mvg.seen_i < m->nseen && m->seen[mvg.seen_i].end <= mp->s)
		mvg.seen_i++;
	if (mvg.seen_i < m->nseen && m->seen[mvg.seen_i].start <= mp->s) {
		if (m->seen[mvg.seen_i].end >= mp->e)
			return 0;
		mp->s = m->seen[mvg.seen_i].end;
		mvg.seen_i++;
	}
	if (mvg.seen_i < m->nseen && m->seen[mvg.seen_i].start < mp->e)
		mp->e = m->seen[mvg.seen_i].start;
	return mp->e > mp->s;
}

/* The numa_maps line of the mapping that starts at s, in mvg.nml: 1, or 0 when
 * numa_maps has none (a mapping made between the two reads). The second pass
 * opens it only for a mapping the first did not see (reading it makes the
 * kernel walk every page table of the process). */
static int nm_find(struct mv_target *m, unsigned long s)
{
	if (mvg.pass == 2 && !mvg.nm_open && !mvg.nm_tried) {
		int nfd = openat(target_mmfd(m->t), "numa_maps", O_RDONLY);
		mvg.nm_tried = 1;
		if (nfd >= 0) {
			lines_open(&mvg.nm, nfd);
			mvg.nm_open = 1;
		}
	}
	for (;;) {
		char *l;
		if (mvg.nml_valid && mvg.nml.start >= s)
			return mvg.nml.start == s;
		if (!mvg.nm_open || !(l = lines_next(&mvg.nm)))
			return 0;
		mvg.nml_valid = nm_parse_line(l, mvg.base, &mvg.nml) == 0;
	}
}

/* Under the lock: the pages of a mapping that is not looked at page by page,
 * counted as numa_maps gives them. Those on nodes the plan empties (a
 * PROT_NONE mapping move_pages cannot see) are left to the closing
 * migrate_pages call, whose figures count them. */
static void count_mapping(struct mv_target *m)
{
	for (int i = 0; i < mvg.nml.nnodes; i++) {
		int n = mvg.nml.n[i].node;
		uint64_t b = mvg.nml.n[i].pages * mvg.nml.pagesize;
		if (n >= m->nnodes)
			continue;
		if (mv_final_of(m, n) != n) {
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
	for (int i = 0; i < mvg.nml.nnodes; i++) {
		int n = mvg.nml.n[i].node;
		uint64_t b = mvg.nml.n[i].pages * mvg.nml.pagesize;
		m->untracked += b;
		if (mvg.o->phase == MV_MOVE && mvg.o->select == MV_SELECT_IDLE && n < m->nnodes &&
		    mv_final_of(m, n) != n)
			m->bytes[MV_UNSEEN] += b;
	}
}

/* The bytes numa_maps counts in the mapping, on all nodes. */
static uint64_t held_bytes(void)
{
	uint64_t b = 0;

	for (int i = 0; i < mvg.nml.nnodes; i++)
		b += mvg.nml.n[i].pages * mvg.nml.pagesize;
	return b;
}

/* What the first pass does with a mapping numa_maps describes: -1 nothing
 * more (counted), else ASK, or KNOWN with every page on *src. With a tracker
 * every mapping that holds pages is looked at (each page is judged). */
static int classify(struct mv_target *m, const struct mapping *mp, int *src)
{
	int drains = 0, held = 0;

	for (int i = 0; i < mvg.nml.nnodes; i++) {
		held |= mvg.nml.n[i].pages != 0;
		drains |= mvg.nml.n[i].pages && mv_final_of(m, mvg.nml.n[i].node) != mvg.nml.n[i].node;
	}
	if (mvg.o->tracker && (!held || (mp->prot_none && !mvg.prot_none_seen))) {
		if (held && mvg.o->phase != MV_MARK && mvg.o->phase != MV_VERIFY &&
		    mvg.o->phase != MV_GATHER)
			count_unjudged(m);
		return -1;
	}
	if (mvg.o->tracker) {
		*src = mvg.nml.nnodes == 1 ? mvg.nml.n[0].node : -1;
		return *src >= 0 ? KNOWN : ASK;
	}
	if (!drains) {
		count_mapping(m); /* nothing on a node to be emptied */
		return -1;
	}
	if (mp->prot_none && !mvg.prot_none_seen) {
		count_mapping(m); /* PROT_NONE, out of move_pages' sight */
		return -1;
	}
	if (mvg.nml.nnodes == 1) {
		*src = mvg.nml.n[0].node;
		return KNOWN;
	}
	return ASK;
}

/* " sd" as a word of a VmFlags line. */
static int flag_sd(const char *p)
{
	for (const char *q = p; (q = strstr(q, " sd")); q += 3)
		if (q[3] == ' ' || q[3] == '\0' || q[3] == '\n')
			return 1;
	return 0;
}

/* Adds [s, e) to a list of ranges (mvg.sd, mvg.shr): 0, or -1 when it
 * cannot grow. */
static int range_add(struct mv_range **v, size_t *n, size_t *cap, unsigned long s, unsigned long e)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		void *p = mem_grow(*v, NULL, *cap * sizeof(**v), c * sizeof(**v));
		if (!p)
			return -1;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = (struct mv_range){ s, e };
	return 0;
}

/* A "Shared_Clean:" or "Shared_Dirty:" line of smaps with more than 0 kB. */
static int shared_line(const char *p)
{
	if (strncmp(p, "Shared_Clean:", 13) != 0 && strncmp(p, "Shared_Dirty:", 13) != 0)
		return 0;
	for (p += 13; *p == ' '; p++)
		;
	return *p >= '1' && *p <= '9';
}

/* With a tracker that reads VmFlags, after the window: the target's mappings
 * that smaps calls soft-dirty as a whole, into mvg.sd (sd_all when they could
 * not all be kept: then no mapping gets a verdict), and those in which it
 * counts shared pages, into mvg.shr (shr_all likewise: then every mapping is
 * taken to have some). A mapping flagged after this read reads as written:
 * touched, never untouched. */
static void read_vmflags(struct mv_target *m)
{
	static struct lines l;
	unsigned long s = 0, e = 0;
	const char *p;
	int fd, shared = 0;

	mvg.nsd = mvg.nshr = 0;
	mvg.sd_all = 0;
	mvg.shr_all = 1; /* (not read: not known) */
	if (!mvg.o->tracker || !mvg.o->tracker->whole_vma || mvg.o->phase == MV_MARK)
		return;
	mvg.shr_all = 0;
	if ((fd = openat(target_mmfd(m->t), "smaps", O_RDONLY)) < 0) {
		mvg.shr_all = 1;
		return; /* (the process is gone: pagemap says so) */
	}
	lines_open(&l, fd);
	while ((p = lines_next(&l))) {
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')) {
			s = hex(&p);
			if (*p == '-')
				p++;
			e = hex(&p);
			shared = 0;
			continue;
		}
		if (!shared && e > s && shared_line(p)) {
			shared = 1;
			if (range_add(&mvg.shr, &mvg.nshr, &mvg.capshr, s, e) < 0)
				mvg.shr_all = 1;
			continue;
		}
		if (strncmp(p, "VmFlags:", 8) != 0 || !flag_sd(p + 7) || e <= s)
			continue;
		if (range_add(&mvg.sd, &mvg.nsd, &mvg.capsd, s, e) < 0) {
			mvg.sd_all = 1;
			break;
		}
	}
	if (l.err || p)
		mvg.sd_all = mvg.shr_all = 1;
	close(fd);
}

/* [s, e) overlaps a range of v[0..n), or all is set. */
static int overlaps(const struct mv_range *v, size_t n, int all, unsigned long s, unsigned long e)
{
	if (all)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (v[i].start < e && s < v[i].end)
			return 1;
	return 0;
}

/* Opens the next mapping to cut: 1, or 0 when this pass over this target is
 * done. */
static int next_mapping(struct mv_target *m)
{
	char *l;

	while ((l = lines_next(&mvg.maps))) {
		struct mapping mp;
		int known, src = -1, how = ASK;

		if (parse_maps_line(l, &mp) < 0)
			continue;
		if (mvg.pass == 1)
			seen_add(m, mp.s, mp.e);
		else if (!unseen_part(m, &mp))
			continue;
		known = nm_find(m, mp.s);
		if (known && mvg.pass == 1 && (how = classify(m, &mp, &src)) < 0)
			continue;
		mvg.cur.vstart = mvg.pos = mp.s;
		mvg.vend = mp.e;
		mvg.cur.psize = known && mvg.nml.pagesize > mvg.base ? mvg.nml.pagesize : mvg.base;
		mvg.cur.how = how;
		mvg.cur.src = src;
		mvg.cur.dense = how == KNOWN && !mvg.o->tracker &&
			      mvg.nml.n[0].pages * mvg.nml.pagesize == mp.e - mp.s;
		mvg.cur.sparse = !known || held_bytes() < (mp.e - mp.s) / 64;
		mvg.cur.scanned = 0;
		mvg.cur.vma_flagged = overlaps(mvg.sd, mvg.nsd, mvg.sd_all, mp.s, mp.e);
		mvg.cur.shm_anon = mp.shm_anon;
		/* (a mapping made since smaps was read: not known) */
		mvg.cur.vma_shared = mvg.pass == 2 || overlaps(mvg.shr, mvg.nshr, mvg.shr_all, mp.s, mp.e);
		mvg.cur.t_line = mv_now_ns();
		return 1;
	}
	return 0;
}

void mv_close_files(void)
{
	if (mvg.maps_open)
		close(mvg.maps.fd);
	if (mvg.nm_open)
		close(mvg.nm.fd);
	mvg.maps_open = mvg.nm_open = mvg.nml_valid = 0;
}

/* Opens maps and numa_maps for a pass; -1 with errno when maps cannot be. */
static int open_files(struct mv_target *m)
{
	int fd = openat(target_mmfd(m->t), "maps", O_RDONLY), nfd;

	if (fd < 0)
		return -1;
	lines_open(&mvg.maps, fd);
	mvg.maps_open = 1;
	mvg.nm_tried = 0;
	nfd = mvg.pass == 1 ? openat(target_mmfd(m->t), "numa_maps", O_RDONLY) : -1;
	if (nfd >= 0) {
		lines_open(&mvg.nm, nfd);
		mvg.nm_open = 1;
	}
	mvg.seen_i = 0;
	mvg.pos = mvg.vend = 0;
	return 0;
}

/* The first pass over a target begins: its files. */
static void start_target(struct mv_target *m)
{
	mvg.pass = 1;
	read_vmflags(m);
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
	mv_close_files();
	mem_put(m->seen, m->capseen * sizeof(*m->seen));
	m->seen = NULL;
	m->nseen = m->capseen = 0;
	mvg.pass = 0;
	mvg.ti++;
}

long mv_scan(int pagemap, unsigned long start, unsigned long end, struct mv_run *v, size_t n,
	     unsigned long max_pages, uint64_t categories, unsigned long *walk_end)
{
	struct pm_scan_arg a;
	long r;

	if (!kd_pagemap_scan() || pagemap < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.start = start;
	a.end = end;
	a.vec = (uint64_t)(uintptr_t)v;
	a.vec_len = n;
	a.max_pages = max_pages;
	a.category_mask = PAGE_IS_PRESENT;
	a.return_mask = PAGE_IS_PRESENT | categories;
	r = ioctl(pagemap, PAGEMAP_SCAN, &a); /* (an error: the process is going;
					       * pagemap says so) */
	*walk_end = r < 0 || a.walk_end < start || a.walk_end > end ? end : (unsigned long)a.walk_end;
	return r;
}

/* A chunk of a very sparse mapping (ASan's shadow, a heap reserved and
 * touched here and there) holds up to a chunk's worth of present pages, as
 * far apart as they are: the kernel finds them (PAGEMAP_SCAN) and steps over
 * the empty page tables between. Its end is kept on a huge-page boundary
 * where it can be, so that no transparent huge page is cut in two. 1: cut,
 * 0: nothing present in the rest of the mapping, -1: not this way. */
static int scan_chunk(struct mv_target *m, struct chunk *c)
{
	unsigned long align = mvg.thp ? mvg.thp : mvg.base, s, e;
	long n;

	if (!mvg.cur.sparse || mvg.cur.psize != mvg.base)
		return -1;
	n = mv_scan(m->pagemap, mvg.pos, mvg.vend, mvg.runs, mvg.o->chunk, mvg.o->chunk, 0, &e);
	if (n <= 0)
		return n < 0 ? -1 : 0;
	s = mvg.runs[0].start - mvg.runs[0].start % align;
	if (s < mvg.pos)
		s = mvg.pos;
	if (e < mvg.vend && e - e % align > s)
		e -= e % align;
	if (e <= s)
		return -1;
	*c = mvg.cur;
	c->ti = mvg.ti;
	c->start = s;
	c->end = e;
	c->scanned = 1;
	mvg.pos = e;
	return 1;
}

/* Under the lock: the next chunk, or 0 when everything was handed out.
 * Chunks are aligned to their size, so that huge pages stay whole. */
int mv_next_chunk(struct chunk *c)
{
	while (mvg.ti < mvg.n) {
		struct mv_target *m = &mvg.t[mvg.ti];
		if (!m->dead && mvg.pass == 0)
			start_target(m);
		if (!m->dead && mvg.maps_open) {
			if (mvg.pos < mvg.vend || next_mapping(m)) {
				unsigned long cb = mvg.o->chunk * mvg.base, e;
				if (cb < mvg.cur.psize)
					cb = mvg.cur.psize;
				cb -= cb % mvg.cur.psize;
				switch (scan_chunk(m, c)) {
				case 1:
					return 1;
				case 0: /* nothing present in the rest of it */
					mvg.pos = mvg.vend;
					continue;
				}
				e = (mvg.pos / cb + 1) * cb;
				if (e > mvg.vend || e < mvg.pos)
					e = mvg.vend;
				*c = mvg.cur;
				c->ti = mvg.ti;
				c->start = mvg.pos;
				c->end = e;
				mvg.pos = e;
				return 1;
			}
			mv_close_files();
			if (mvg.pass == 1) {
				mvg.pass = 2; /* mappings made since the first read */
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
	mvg.ovf = 0;
	while (!mvg.ovf && (s = lines_next(&l))) {
		hex(&s);
		if (*s == '-')
			s++;
		hex(&s);
	}
	close(fd);
	return mvg.ovf;
}

