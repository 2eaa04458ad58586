/* mover.c - the chunked mover (see mover.h).
 *
 * One producer, under a lock, hands out chunks: it streams /proc/PID/maps of
 * each target in turn (a first pass, then a second pass that takes only
 * address ranges the first did not see), and cuts each mapping into aligned
 * ranges of opts->chunk base pages (hugetlb mappings: whole huge pages).
 * Workers take a chunk. Where it holds whole aligned blocks of a transparent
 * huge page's size, they are tried first at two addresses each (thp_pass):
 * a block whose first and last page sit on the same node that must be
 * emptied gets its first address moved, and when both then answer the
 * destination it was one huge page, moved whole, and is counted so: 4
 * lookups and one entry instead of one lookup per base page, twice. Every
 * other page of the chunk is asked where it is, those that must move are
 * moved (grouped by destination, in batches that respect the rate cap), then
 * the ones not confirmed by the call's status are asked again: the kernel
 * answers -EBUSY for the other addresses of a transparent huge page it is
 * moving whole, and after a failed call the status array is not filled in.
 * Pages still on the wrong node get four more tries (busy ones only), after
 * a pause of 1, 2, 4, 8 ms when a page was busy (a page the kernel could not
 * isolate this instant: under --jobs 2, 2 of 12 moves of 512 MiB in a guest
 * reported a busy page that a later look found moved).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "mover.h"
#include "syscall_arch.h"
#include "sysinfo.h"

#define MPOL_MF_MOVE (1 << 1)
#define MPOL_MF_MOVE_ALL (1 << 2)
#define NO_STATUS (-1000000)   /* not written by the kernel */
#define TRIES 5

struct mv_range {
	unsigned long start, end;
};

/* a hugetlbfs superblock: device number and page size */
struct hdev {
	unsigned major, minor;
	unsigned long size;
};

struct chunk {
	int ti;                    /* target index */
	unsigned long start, end, psize;
	unsigned long vstart;      /* the mapping it was cut from */
};

static struct {
	pthread_mutex_t lock;      /* the producer, the results, the rate */
	const struct mv_opts *o;
	struct mv_target *t;
	int n;
	unsigned long base;        /* base page size */
	unsigned long thp;         /* transparent huge page size, 0: none */
	/* producer */
	int ti, pass, fd;
	char buf[16384];
	size_t blen, bpos;
	int eof;
	unsigned long vstart, vend, vpsize, pos; /* the mapping being cut */
	size_t seen_i;             /* second pass: position in the first pass's list */
	struct hdev hdev[32];
	int nhdev, nhdev_global;
	int ovf;                   /* hex() met an address wider than a long */
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

/* pages: addresses in the target, as the kernel reads them (an array of
 * pointer-sized words; unsigned long has a pointer's size on Linux) */
static long move_pages(int pid, unsigned long n, const unsigned long *pages, const int *nodes,
		       int *status, int flags)
{
	return syscall(SYS_move_pages, pid, n, pages, nodes, status, flags);
}

/* ---- hugetlbfs devices ------------------------------------------------- */

static unsigned long parse_size(const char *s)
{
	unsigned long v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (unsigned long)(*s - '0');
	switch (*s) {
	case 'K': case 'k': return v << 10;
	case 'M': case 'm': return v << 20;
	case 'G': case 'g': return v << 30;
	default: return v;
	}
}

static void hdev_add(unsigned major, unsigned minor, unsigned long size)
{
	if (g.nhdev < (int)(sizeof(g.hdev) / sizeof(g.hdev[0])) && size)
		g.hdev[g.nhdev++] = (struct hdev){ major, minor, size };
}

/* The kernel's own hugetlbfs mounts (MAP_HUGETLB, SHM_HUGETLB, memfd), one per
 * huge page size: a hugetlb memfd lives there, and creating one reserves
 * nothing. */
static void hdev_kernel(void)
{
#ifdef SYS_memfd_create
	static const unsigned long sizes[] = { 64UL << 10, 512UL << 10, 1UL << 20, 2UL << 20,
					       8UL << 20, 16UL << 20, 32UL << 20, 256UL << 20,
					       512UL << 20, 1UL << 30, 2UL << 30 };
	char path[96];
	struct stat st;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned shift = 0;
		int fd;
		fmt(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%lukB", sizes[i] >> 10);
		if (access(path, F_OK) < 0)
			continue;
		while ((1UL << shift) < sizes[i])
			shift++;
		/* MFD_HUGETLB, the size's log2 at MFD_HUGE_SHIFT (26) */
		fd = (int)syscall(SYS_memfd_create, "migratepages", 0x4U | (shift << 26));
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0)
			hdev_add(major(st.st_dev), minor(st.st_dev), sizes[i]);
		close(fd);
	}
#endif
}

/* hugetlbfs mounts the target sees: /proc/PID/mountinfo lines
 * "ID PARENT MAJ:MIN ROOT POINT OPTS [TAGS] - hugetlbfs SOURCE SUPEROPTS". */
static void hdev_mounts(int pid)
{
	char path[64], ln[4096];
	int fd;
	size_t len = 0;
	ssize_t r;

	fmt(path, sizeof(path), "/proc/%d/mountinfo", pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return;
	for (;;) {
		char *nl;
		r = read(fd, ln + len, sizeof(ln) - 1 - len);
		if (r <= 0 && len == 0)
			break;
		len += r > 0 ? (size_t)r : 0;
		ln[len] = 0;
		nl = strchr(ln, '\n');
		if (!nl && r > 0 && len < sizeof(ln) - 1)
			continue;
		if (nl)
			*nl = 0;
		if (strstr(ln, " - hugetlbfs ")) {
			unsigned maj = 0, min = 0;
			const char *p = strchr(ln, ' '), *ps = strstr(ln, "pagesize=");
			if (p)
				p = strchr(p + 1, ' ');
			for (p = p ? p + 1 : ""; *p >= '0' && *p <= '9'; p++)
				maj = maj * 10 + (unsigned)(*p - '0');
			for (p += *p == ':'; *p >= '0' && *p <= '9'; p++)
				min = min * 10 + (unsigned)(*p - '0');
			hdev_add(maj, min, ps ? parse_size(ps + 9) : 2UL << 20);
		}
		if (!nl) { /* an overlong line: dropped */
			len = 0;
			if (r <= 0)
				break;
			continue;
		}
		len -= (size_t)(nl + 1 - ln);
		memmove(ln, nl + 1, len + 1);
	}
	close(fd);
}

static unsigned long hdev_size(unsigned major, unsigned minor)
{
	for (int i = 0; i < g.nhdev; i++)
		if (g.hdev[i].major == major && g.hdev[i].minor == minor)
			return g.hdev[i].size;
	return 0;
}

/* ---- the producer ------------------------------------------------------- */

static unsigned long hex(const char **s)
{
	unsigned long v = 0;
	for (;; (*s)++) {
		char c = **s;
		if (v >> (sizeof(v) * 8 - 4) && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			g.ovf = 1;
		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned long)(c - 'a' + 10);
		else
			return v;
	}
}

/* The next line of the maps file, NUL-terminated, or NULL at its end. An
 * overlong line (a long path) keeps its first part. */
static char *next_line(void)
{
	for (;;) {
		char *s = g.buf + g.bpos, *nl = memchr(s, '\n', g.blen - g.bpos);
		ssize_t r;
		if (nl) {
			*nl = 0;
			g.bpos = (size_t)(nl + 1 - g.buf);
			return s;
		}
		if (g.eof) {
			if (g.bpos == g.blen)
				return NULL;
			g.buf[g.blen] = 0;
			g.bpos = g.blen;
			return s;
		}
		memmove(g.buf, s, g.blen - g.bpos);
		g.blen -= g.bpos;
		g.bpos = 0;
		if (g.blen == sizeof(g.buf) - 1) { /* overlong: keep its start */
			g.buf[g.blen] = 0;
			while ((r = read(g.fd, g.buf + g.blen, 1)) == 1 && g.buf[g.blen] != '\n')
				;
			g.bpos = g.blen = 0;
			if (r != 1)
				g.eof = 1;
			return g.buf;
		}
		r = read(g.fd, g.buf + g.blen, sizeof(g.buf) - 1 - g.blen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			g.eof = 1;
		else
			g.blen += (size_t)r;
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

static void seen_add(struct mv_target *t, unsigned long s, unsigned long e)
{
	if (t->nseen && t->seen[t->nseen - 1].end == s) {
		t->seen[t->nseen - 1].end = e;
		return;
	}
	if (t->nseen == t->capseen) {
		/* whole pages from mmap: the tool uses no malloc */
		size_t cap = t->capseen ? t->capseen * 2 : 256;
		void *n = t->seen ? mremap(t->seen, t->capseen * sizeof(*t->seen),
					   cap * sizeof(*t->seen), MREMAP_MAYMOVE)
				  : mmap(NULL, cap * sizeof(*t->seen), PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (n == MAP_FAILED)
			return; /* the second pass then looks at this range again */
		t->seen = n;
		t->capseen = cap;
	}
	t->seen[t->nseen++] = (struct mv_range){ s, e };
}

/* Opens the next mapping: 1, or 0 when this pass over this target is done. */
static int next_mapping(void)
{
	struct mv_target *t = &g.t[g.ti];
	char *l;

	while ((l = next_line())) {
		const char *p = l, *name;
		unsigned long s, e, maj, min;
		int field = 0;

		g.ovf = 0;
		s = hex(&p);
		if (*p++ != '-')
			continue;
		e = hex(&p);
		if (g.ovf)
			continue; /* beyond a 32-bit build's reach (see out_of_reach) */
		/* perms offset dev inode name */
		while (*p && field < 3) {
			if (*p++ == ' ') {
				while (*p == ' ')
					p++;
				field++;
			}
		}
		maj = hex(&p);
		if (*p == ':')
			p++;
		min = hex(&p);
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++; /* inode */
		while (*p == ' ')
			p++;
		name = p;
		if (e <= s || special(name))
			continue;
		if (g.pass == 1) {
			seen_add(t, s, e);
		} else {
			/* only what the first pass did not see */
			while (g.seen_i < t->nseen && t->seen[g.seen_i].end <= s)
				g.seen_i++;
			if (g.seen_i < t->nseen && t->seen[g.seen_i].start <= s) {
				if (t->seen[g.seen_i].end >= e)
					continue;
				s = t->seen[g.seen_i].end;
				g.seen_i++;
			}
			/* up to the next range seen (a later gap waits for a third read
			 * that is not made: such a mapping grew in two places at once) */
			if (g.seen_i < t->nseen && t->seen[g.seen_i].start < e)
				e = t->seen[g.seen_i].start;
			if (e <= s)
				continue;
		}
		g.vstart = g.pos = s;
		g.vend = e;
		g.vpsize = hdev_size((unsigned)maj, (unsigned)min);
		if (!g.vpsize || g.vpsize < g.base)
			g.vpsize = g.base;
		return 1;
	}
	return 0;
}

static int open_maps(int pid)
{
	char path[64];
	fmt(path, sizeof(path), "/proc/%d/maps", pid);
	g.blen = g.bpos = 0;
	g.eof = 0;
	g.seen_i = 0;
	g.vstart = g.vend = g.pos = 0;
	g.fd = open(path, O_RDONLY);
	return g.fd;
}

/* A 32-bit build's move_pages passes 32-bit addresses (the kernel's compat
 * entry reads an array of them): a 64-bit process, whose mappings lie above
 * 4 GiB, cannot be moved that way. Read the whole maps file first, so that
 * such a process is refused before any of its pages moves. */
static int out_of_reach(void)
{
	char *l;
	const char *p;

	g.ovf = 0;
	while (!g.ovf && (l = next_line())) {
		p = l;
		hex(&p);
		if (*p == '-')
			p++;
		hex(&p);
	}
	return g.ovf;
}

int mover_out_of_reach(int pid)
{
	int far;

	if (sizeof(unsigned long) >= 8 || open_maps(pid) < 0)
		return 0;
	far = out_of_reach();
	close(g.fd);
	g.fd = -1;
	return far;
}

/* Under the lock: the next chunk, or 0 when everything was handed out. */
static int next_chunk(struct chunk *c)
{
	while (g.ti < g.n) {
		struct mv_target *t = &g.t[g.ti];
		if (!t->dead && g.fd < 0 && g.pass == 0) {
			g.nhdev = g.nhdev_global;
			hdev_mounts(t->pid);
			g.pass = 1;
			if (open_maps(t->pid) >= 0 && sizeof(unsigned long) < 8) {
				int far = out_of_reach();
				close(g.fd);
				g.fd = -1;
				if (far)
					errno = EOVERFLOW;
				else
					open_maps(t->pid);
			}
			if (g.fd < 0) {
				t->err = errno == ENOENT ? ESRCH : errno;
				t->dead = 1;
			}
		}
		if (!t->dead && g.fd >= 0) {
			if (g.pos < g.vend || next_mapping()) {
				unsigned long cb = g.o->chunk * g.base, e;
				if (cb < g.vpsize)
					cb = g.vpsize;
				cb -= cb % g.vpsize;
				e = (g.pos / cb + 1) * cb; /* aligned chunks, so THPs stay whole */
				if (e > g.vend || e < g.pos)
					e = g.vend;
				c->ti = g.ti;
				c->start = g.pos;
				c->end = e;
				c->psize = g.vpsize;
				c->vstart = g.vstart;
				g.pos = e;
				return 1;
			}
			close(g.fd);
			g.fd = -1;
			if (g.pass == 1) {
				g.pass = 2; /* mappings made since the first read */
				if (open_maps(t->pid) >= 0)
					continue;
			}
		}
		if (g.fd >= 0)
			close(g.fd);
		g.fd = -1;
		if (t->seen)
			munmap(t->seen, t->capseen * sizeof(*t->seen));
		t->seen = NULL;
		t->nseen = t->capseen = 0;
		g.pass = 0;
		g.ti++;
	}
	return 0;
}

/* ---- rate and progress ------------------------------------------------- */

/* Under the lock: when a batch of this many bytes may start. Time the
 * workers lost (asking where pages are, reading the maps) is made up for, up
 * to 1/16 s, two batches: a 250 ms window gets at most 1.375 times the cap. */
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

	if (!g.o->progress)
		return;
	if (!final && now - g.last_print < g.o->progress_ns)
		return;
	g.last_print = now;
	p.done = g.done;
	p.total = g.total;
	p.elapsed_ns = now - g.t0;
	p.node_done = g.node_done;
	p.nnodes = g.nnodes;
	g.o->progress(&p, final);
}

/* ---- a worker ----------------------------------------------------------- */

struct worker {
	pthread_t th;
	unsigned long *addr, *maddr;
	int *st, *mst, *mnode, *idx, *why, *wt;
	uint64_t *acc;             /* 3 * g.nnodes: before, after, moved */
	unsigned long cap;
	/* the mapping (target, start) where thp_pass found only base pages:
	 * its further chunks skip it */
	int base_ti;
	unsigned long base_vstart;
};

static int final_of(const struct mv_target *t, int n)
{
	return n >= 0 && n < t->nnodes ? t->finals[n] : n;
}

static int kind_of(int err)
{
	switch (err) {
	case EACCES: return MV_SHARED;
	case EBUSY: case EAGAIN: return MV_BUSY;
	case ENOMEM: return MV_NOMEM;
	default: return MV_OTHER;
	}
}

/* Results of one chunk, folded into the target under the lock. */
struct tally {
	uint64_t bytes[MV_NKINDS];
	int other_err;
};

/* Per-node bytes of one chunk, kept by the worker and folded into the
 * target under the lock (no 64-bit atomics: 32-bit ARM has none). */
enum { ACC_BEFORE, ACC_AFTER, ACC_MOVED };

static void account(struct worker *w, const struct mv_target *t, int which, int node, uint64_t b)
{
	if (node >= 0 && node < t->nnodes)
		w->acc[which * g.nnodes + node] += b;
}

/* A transparent huge page moves whole when any of its addresses is given, and
 * each other address then costs the kernel a lookup and answers -EBUSY. So
 * where a whole aligned huge-page block of the chunk sits on one node and
 * must move, the first try gives only its first address and defers the rest,
 * which are then asked about (cheap) and moved only if still where they were
 * (they were base pages). Whether it is worth it is tried on the chunk's first
 * such block. Returns the entries per block to treat so, or 0. */
static unsigned long thp_probe(struct worker *w, const struct chunk *c, struct mv_target *t,
			       unsigned long m, int flags)
{
	unsigned long hp = g.thp / c->psize;

	if (!g.thp || c->psize != g.base || hp < 2 ||
	    (w->base_ti == c->ti && w->base_vstart == c->vstart))
		return 0; /* (thp_pass found this mapping's blocks to be base pages) */
	for (unsigned long j = 0; j + hp <= m; j++) {
		unsigned long i = (unsigned long)w->idx[j];
		int s = w->st[i], d, moved = 1;
		if (w->addr[i] % g.thp || w->addr[w->idx[j + hp - 1]] != w->addr[i] + g.thp - c->psize)
			continue;
		for (unsigned long k = 1; k < hp && moved; k++)
			moved = w->st[i + k] == s;
		if (!moved)
			continue;
		d = final_of(t, s);
		if (rate_wait(c->psize) < 0) /* the rest is paid for if it was a huge page */
			return 0;
		if (move_pages(t->pid, 1, w->addr + i, &d, w->mst, flags) < 0 ||
		    move_pages(t->pid, hp, w->addr + i, NULL, w->mst, 0) < 0)
			return 0;
		for (unsigned long k = 0; k < hp && moved; k++)
			moved = w->mst[k] == d;
		if (moved)
			rate_charge(g.thp - c->psize);
		return moved ? hp : 0;
	}
	return 0;
}

/* Whole huge pages first (see the top): the chunk's aligned blocks of g.thp
 * bytes are asked at their first and last page; a block with both on one
 * node that must be emptied gets its first address moved (the kernel moves a
 * transparent huge page whole from any of its addresses), then both are asked
 * again. Both at the destination: one huge page moved, counted as g.thp
 * bytes. Anything else (base pages, a split huge page, a failed move) is left
 * to the page-by-page path, which asks the block's every page. A block of
 * base pages that only looked whole would need both ends moved by someone
 * else in between; one whose first and last page were on a from-node and all
 * the others already on the destination is counted as moved whole (the
 * placement is right either way). A block whose first page moved and whose
 * last did not was base pages: that one page is counted moved here (the
 * page-by-page path would find it on its destination and count it as in
 * place). Marks the blocks moved whole in w->wt (3, by block from *first),
 * those with only their first page moved (4), and returns how many blocks the
 * chunk has from there, or 0 when none is marked. */
static unsigned long thp_pass(struct worker *w, const struct chunk *c, struct mv_target *t,
			      int flags, struct tally *ty, unsigned long *first)
{
	unsigned long ps = c->psize, nb, k = 0, cand = 0, tried = 0, moved = 0, single = 0;
	uint64_t batch_max = g.o->rate ? g.o->rate / 32 : UINT64_MAX;

	if (!g.thp || ps != g.base || g.thp / ps < 2 ||
	    (w->base_ti == c->ti && w->base_vstart == c->vstart))
		return 0;
	*first = (c->start + g.thp - 1) / g.thp * g.thp;
	if (*first < c->start || *first >= c->end)
		return 0;
	nb = (c->end - *first) / g.thp;
	for (unsigned long b = 0; b < nb; b++) {
		w->addr[2 * b] = *first + b * g.thp;
		w->addr[2 * b + 1] = *first + (b + 1) * g.thp - ps;
	}
	if (!nb || move_pages(t->pid, 2 * nb, w->addr, NULL, w->st, 0) < 0)
		return 0; /* the page-by-page path meets the error again */
	for (unsigned long b = 0; b < nb; b++) {
		int s = w->st[2 * b];
		w->wt[b] = s >= 0 && s == w->st[2 * b + 1] && final_of(t, s) != s;
		cand += (unsigned long)w->wt[b];
	}
	/* grouped by destination; why[e]: the node the block was on */
	while (k < cand) {
		int d = -1;
		for (unsigned long b = 0; b < nb; b++) {
			int s = w->st[2 * b], db = final_of(t, s);
			if (w->wt[b] != 1 || (d >= 0 && db != d))
				continue;
			d = db;
			w->maddr[k] = w->addr[2 * b];
			w->mnode[k] = d;
			w->why[k] = s;
			w->idx[k++] = (int)b;
			w->wt[b] = 2;
		}
	}
	/* a batch as long as the cap allows were they all huge pages; it waits
	 * for one base page each, and each found moved whole pays the rest */
	while (tried < k) {
		unsigned long len = 1;
		while (tried + len < k && (uint64_t)(len + 1) * g.thp <= batch_max)
			len++;
		if (rate_wait((uint64_t)len * ps) < 0)
			break; /* told to stop: the page-by-page path counts the rest */
		if (move_pages(t->pid, len, w->maddr + tried, w->mnode + tried, w->mst + tried,
			       flags) < 0 && errno != ENOMEM)
			break; /* met again by the page-by-page path */
		tried += len;
	}
	for (unsigned long e = 0; e < tried; e++) {
		w->addr[2 * e] = w->maddr[e];
		w->addr[2 * e + 1] = w->maddr[e] + g.thp - ps;
	}
	if (!tried || move_pages(t->pid, 2 * tried, w->addr, NULL, w->st, 0) < 0)
		tried = 0;
	for (unsigned long e = 0; e < tried; e++) {
		int d = w->mnode[e], whole = w->st[2 * e + 1] == d;
		uint64_t b = whole ? g.thp : ps;
		if (w->st[2 * e] != d)
			continue;
		w->wt[w->idx[e]] = whole ? 3 : 4;
		ty->bytes[MV_MOVED] += b;
		account(w, t, ACC_BEFORE, w->why[e], b);
		account(w, t, ACC_AFTER, d, b);
		account(w, t, ACC_MOVED, d, b);
		moved += (unsigned long)whole;
		single += (unsigned long)!whole;
	}
	rate_charge((uint64_t)moved * (g.thp - ps));
	if (cand && !moved) { /* base pages: not tried again in this mapping */
		w->base_ti = c->ti;
		w->base_vstart = c->vstart;
	}
	return moved || single ? nb : 0;
}

/* Under the lock: a chunk's per-node bytes into the target and the progress. */
static void fold(struct worker *w, struct mv_target *t)
{
	for (int k = 0; k < t->nnodes; k++) {
		t->before[k] += w->acc[ACC_BEFORE * g.nnodes + k];
		t->after[k] += w->acc[ACC_AFTER * g.nnodes + k];
		g.node_done[k] += w->acc[ACC_MOVED * g.nnodes + k];
		g.done += w->acc[ACC_MOVED * g.nnodes + k];
	}
}

static void do_chunk(struct worker *w, const struct chunk *c)
{
	struct mv_target *t = &g.t[c->ti];
	unsigned long n = 0, m = 0, hp, first = 0, nb;
	int flags = g.o->move_all ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;
	struct tally ty;
	uint64_t ps = c->psize, t0 = now_ns();
	int e;

	memset(&ty, 0, sizeof(ty));
	memset(w->acc, 0, 3 * (size_t)g.nnodes * sizeof(uint64_t));
	nb = thp_pass(w, c, t, flags, &ty, &first);
	/* the pages of the blocks not moved whole */
	for (unsigned long a = c->start; a < c->end; a += c->psize) {
		unsigned long b = nb && a >= first ? (a - first) / g.thp : nb;
		if (b < nb && w->wt[b] == 3) {
			a = first + (b + 1) * g.thp - c->psize;
			continue;
		}
		if (b < nb && w->wt[b] == 4 && a == first + b * g.thp)
			continue; /* its first page, moved and counted by thp_pass */
		w->addr[n++] = a;
	}
	if (n && move_pages(t->pid, n, w->addr, NULL, w->st, 0) < 0)
		goto fatal;
	/* what must move; the rest is where it should be, or not there */
	for (unsigned long i = 0; i < n; i++) {
		int s = w->st[i];
		if (s < 0)
			continue; /* -EFAULT/-ENOENT: no page there (never touched, zero page) */
		account(w, t, ACC_BEFORE, s, ps);
		if (final_of(t, s) == s) {
			ty.bytes[MV_IN_PLACE] += ps;
			account(w, t, ACC_AFTER, s, ps);
		} else {
			w->idx[m] = (int)i;
			w->why[m++] = 0;
		}
	}
	/* why[j]: 0 to move now, 1 deferred (the rest of a huge-page block),
	 * -1-k after the call: entry k of it */
	hp = thp_probe(w, c, t, m, flags);
	for (unsigned long j = 0; hp && j + hp <= m; j++) {
		unsigned long i = (unsigned long)w->idx[j];
		int uniform = !(w->addr[i] % g.thp) &&
			      w->addr[w->idx[j + hp - 1]] == w->addr[i] + g.thp - c->psize;
		for (unsigned long k = 1; k < hp && uniform; k++)
			uniform = w->st[i + k] == w->st[i];
		if (!uniform)
			continue;
		for (unsigned long k = 1; k < hp; k++)
			w->why[j + k] = 1;
		j += hp - 1;
	}
	int busy_kept = 0, stopped = 0;
	for (int attempt = 0; m && attempt < TRIES; attempt++) {
		unsigned long k = 0, keep = 0;

		if (busy_kept)
			usleep(1000u << (attempt - 1));
		busy_kept = 0;
		uint64_t batch_max = g.o->rate ? g.o->rate / 32 : UINT64_MAX;
		long r = 0;
		int call_err = 0;

		/* grouped by destination: the kernel moves a run of one node at
		 * once; wt: the pages an entry stands for (a huge-page block's
		 * first address stands for the block), for the rate */
		unsigned long todo = 0;
		for (unsigned long j = 0; j < m; j++)
			todo += w->why[j] == 0;
		for (unsigned long done = 0; done < todo;) {
			int d = -1;
			for (unsigned long j = 0; j < m; j++) {
				int dj = final_of(t, w->st[w->idx[j]]);
				if (w->why[j] == 0 && (d < 0 || dj == d)) {
					unsigned long f = 1;
					while (j + f < m && w->why[j + f] == 1)
						f++;
					d = dj;
					w->maddr[k] = w->addr[w->idx[j]];
					w->mnode[k] = d;
					w->wt[k] = (int)f;
					w->why[j] = -1 - (int)k;
					k++;
					done++;
				}
			}
		}
		/* in batches of at most rate/32 bytes, each waiting for its slot */
		for (unsigned long j = 0; j < k; j++)
			w->mst[j] = NO_STATUS;
		for (unsigned long b = 0; b < k;) {
			unsigned long len = 0;
			uint64_t bytes = 0;
			while (b + len < k && (len == 0 || bytes + (uint64_t)w->wt[b + len] * ps <= batch_max))
				bytes += (uint64_t)w->wt[b + len++] * ps;
			if (rate_wait(bytes) < 0) {
				stopped = 1; /* this batch and the next are not made */
				break;
			}
			r = move_pages(t->pid, len, w->maddr + b, w->mnode + b, w->mst + b, flags);
			if (r < 0 && errno != ENOMEM)
				goto fatal;
			if (r != 0) {
				call_err = r < 0 ? ENOMEM : EBUSY;
				for (unsigned long j = b; j < b + len; j++)
					if (w->mst[j] == w->mnode[j])
						w->mst[j] = NO_STATUS; /* not to be trusted: ask again */
			}
			b += len;
		}
		/* where are they now? the call's status where it says "there", else ask */
		k = 0;
		for (unsigned long j = 0; j < m; j++) {
			int ce = -1 - w->why[j];
			if (w->why[j] < 0 && w->mst[ce] == w->mnode[ce])
				continue;
			w->maddr[k++] = w->addr[w->idx[j]];
		}
		if (k && move_pages(t->pid, k, w->maddr, NULL, w->mst + m, 0) < 0)
			goto fatal;
		k = 0;
		for (unsigned long j = 0; j < m; j++) {
			int deferred = w->why[j] == 1, ce = deferred ? 0 : -1 - w->why[j];
			int i = w->idx[j], want = final_of(t, w->st[i]), now, why;
			int sure = !deferred && w->mst[ce] == w->mnode[ce];
			now = sure ? w->mst[ce] : w->mst[m + k++];
			why = !deferred && w->mst[ce] < 0 && w->mst[ce] != NO_STATUS ? -w->mst[ce]
			      : call_err ? call_err : EBUSY;
			if (now == want) {
				ty.bytes[MV_MOVED] += ps;
				account(w, t, ACC_AFTER, now, ps);
				account(w, t, ACC_MOVED, now, ps);
			} else if (now < 0) {
				/* unmapped while we moved it: no longer the process's page */
			} else if (final_of(t, now) == now) {
				ty.bytes[MV_IN_PLACE] += ps; /* moved by someone else */
				account(w, t, ACC_AFTER, now, ps);
			} else if (stopped) {
				ty.bytes[MV_STOPPED] += ps;
				account(w, t, ACC_AFTER, now, ps);
			} else if (deferred || (kind_of(why) == MV_BUSY && attempt + 1 < TRIES)) {
				busy_kept |= !deferred;
				w->st[i] = now;
				w->idx[keep] = i;
				w->why[keep++] = 0;
			} else {
				int kd = kind_of(why);
				ty.bytes[kd] += ps;
				if (kd == MV_OTHER)
					ty.other_err = why;
				account(w, t, ACC_AFTER, now, ps);
			}
		}
		m = keep;
	}
	/* left after the last try (a deferred page kept for one more) */
	for (unsigned long j = 0; j < m; j++) {
		ty.bytes[MV_BUSY] += ps;
		account(w, t, ACC_AFTER, w->st[w->idx[j]], ps);
	}
	pthread_mutex_lock(&g.lock);
	fold(w, t);
	for (int i = 0; i < MV_NKINDS; i++)
		t->bytes[i] += ty.bytes[i];
	if (ty.other_err)
		t->other_err = ty.other_err;
	if (!t->t_first || t0 < t->t_first)
		t->t_first = t0;
	t->t_last = now_ns();
	progress(0);
	pthread_mutex_unlock(&g.lock);
	return;
fatal:
	e = errno;
	pthread_mutex_lock(&g.lock);
	if (!t->err)
		t->err = e;
	__atomic_store_n(&t->dead, 1, __ATOMIC_RELAXED);
	fold(w, t);
	for (int i = 0; i < MV_NKINDS; i++)
		t->bytes[i] += ty.bytes[i];
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

/* acc: 3 * g.nnodes words; addr and maddr: cap words each; st, mnode, idx,
 * why, wt: cap ints each; mst: 2 * cap ints (the call's status, then the
 * second question's) */
static size_t worker_bytes(unsigned long cap)
{
	return 3 * (size_t)g.nnodes * sizeof(uint64_t) +
	       cap * (2 * sizeof(unsigned long) + 7 * sizeof(int));
}

static int worker_init(struct worker *w, unsigned long cap)
{
	char *p = mmap(NULL, worker_bytes(cap), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	w->cap = cap;
	w->base_ti = -1;
	w->acc = (uint64_t *)(void *)p;
	w->addr = (unsigned long *)(void *)(w->acc + 3 * (size_t)g.nnodes);
	w->maddr = w->addr + cap;
	w->st = (int *)(void *)(w->maddr + cap);
	w->mnode = w->st + cap;
	w->idx = w->mnode + cap;
	w->why = w->idx + cap;
	w->wt = w->why + cap;
	w->mst = w->wt + cap;
	return 0;
}

int mover_run(struct mv_target *t, int n, const struct mv_opts *o)
{
	static struct worker w[MV_MAX_JOBS];
	static struct usage u;
	int jobs = o->jobs < 1 ? 1 : o->jobs > MV_MAX_JOBS ? MV_MAX_JOBS : o->jobs, started;
	unsigned long base = getauxval(AT_PAGESZ);

	g.o = o;
	g.t = t;
	g.n = n;
	g.base = base ? base : 4096;
	g.ti = g.pass = 0;
	g.fd = -1;
	g.nhdev = 0;
	hdev_kernel();
	{
		char v[32];
		g.thp = read_small("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", v,
				   sizeof(v)) > 0 ? parse_size(v) : 0;
	}
	g.nhdev_global = g.nhdev;
	g.nnodes = 0;
	for (int i = 0; i < n; i++)
		if (t[i].nnodes > g.nnodes)
			g.nnodes = t[i].nnodes;
	g.node_done = mmap(NULL, ((size_t)g.nnodes + 1) * sizeof(uint64_t), PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g.node_done == MAP_FAILED)
		return -1;
	g.total = g.done = 0;
	if (o->progress) {
		/* the total: what numa_maps shows on nodes that will be emptied */
		for (int i = 0; i < n; i++) {
			if (t[i].dead || proc_usage(t[i].pid, &u) < 0)
				continue;
			for (int k = 0; k < t[i].nnodes; k++)
				if (t[i].finals[k] != k)
					g.total += u.bytes[k];
		}
	}
	for (int i = 0; i < jobs; i++) {
		/* a chunk of huge pages needs no more entries than one of base pages */
		if (worker_init(&w[i], o->chunk) < 0) {
			if (i == 0)
				return -1;
			jobs = i;
			break;
		}
	}
	g.t0 = g.last_print = now_ns();
	g.next_ns = 0;
	for (started = 1; started < jobs; started++)
		if (pthread_create(&w[started].th, NULL, work, &w[started]) != 0)
			break;
	work(&w[0]);
	for (int i = 1; i < started; i++)
		pthread_join(w[i].th, NULL);
	if (stopping()) {
		/* the processes not looked at to the end: the producer's current
		 * one and those after it, and any with a batch not made */
		for (int i = 0; i < n; i++)
			t[i].stopped = !t[i].dead && (i >= g.ti || t[i].bytes[MV_STOPPED]);
		if (g.fd >= 0)
			close(g.fd);
		g.fd = -1;
		if (g.ti < n && t[g.ti].seen) {
			munmap(t[g.ti].seen, t[g.ti].capseen * sizeof(*t[g.ti].seen));
			t[g.ti].seen = NULL;
		}
	}
	for (int i = 0; i < jobs; i++)
		munmap(w[i].acc, worker_bytes(w[i].cap));
	for (int i = 0; i < n; i++)
		t[i].ns = t[i].t_last > t[i].t_first ? t[i].t_last - t[i].t_first : 0;
	progress(1);
	munmap(g.node_done, ((size_t)g.nnodes + 1) * sizeof(uint64_t));
	g.node_done = NULL;
	return 0;
}
