/* track_softdirty.c - the soft-dirty tracker (see tracker.h).
 *
 * Writing "4" to /proc/PID/clear_refs clears the soft-dirty bit of every
 * page of the process (and write-protects them, so that the next write
 * faults and sets it again); bit 55 of a page's pagemap entry then tells
 * whether it was written since. A page that is only read stays clean: it
 * counts as not touched. A transparent huge page has one bit for its 2 MiB.
 * Clearing resets the bits for anyone else using them at the same time (a
 * CRIU incremental dump, another tool's tracking).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fmt.h"
#include "frames.h"
#include "kerndat.h"
#include "mem.h"
#include "target.h"
#include "tracker.h"

#define PM_SOFT_DIRTY (1ULL << 55)
#define PM_EXCLUSIVE_BIT (1ULL << 56)
#define PM_FILE_BIT (1ULL << 61)
#define PM_PRESENT_BIT (1ULL << 63)
#define PFN_BITS ((1ULL << 55) - 1)

/* The judging reads the bits through PAGEMAP_SCAN: the kernel has it, it
 * reports soft-dirty (the probe below), and MIGRATEPAGES_SOFTDIRTY_READ is
 * not "pagemap" (the man page's ENVIRONMENT: for comparing the two ways). */
static int scan_ok;

/* The two probe pages through PAGEMAP_SCAN: the first soft-dirty, the
 * second not, as pagemap said. */
static int scan_agrees(int pm, const char *p, long page)
{
	struct { uint64_t start, end, categories; } r[2];
	struct pm_scan_arg a;
	const char *env = getenv("MIGRATEPAGES_SOFTDIRTY_READ");
	long n;

	if (!kd_pagemap_scan() || (env && strcmp(env, "pagemap") == 0))
		return 0;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.start = (uintptr_t)p;
	a.end = a.start + 2 * (uint64_t)page;
	a.vec = (uintptr_t)r;
	a.vec_len = 2;
	a.category_mask = PAGE_IS_PRESENT;
	a.return_mask = PAGE_IS_PRESENT | PAGE_IS_SOFT_DIRTY;
	n = ioctl(pm, PAGEMAP_SCAN, &a);
	return n == 2 && (r[0].categories & PAGE_IS_SOFT_DIRTY) &&
	       !(r[1].categories & PAGE_IS_SOFT_DIRTY);
}

/* The bits of two pages of the tool's own: both written, the bits cleared,
 * the first written again. A kernel with soft-dirty shows the first dirty
 * and the second clean. */
static int usable(char *why, size_t len)
{
	long page = (long)kd_page_size();
	uint64_t e[2] = { 0, 0 };
	char *p;
	int self, pm, known = 0, no_proc;

	frames_readable(); /* probed here, before the workers judge */
	p = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	self = open("/proc/self", O_RDONLY | O_DIRECTORY);
	no_proc = self < 0 && errno == ENOENT;
	if (p == MAP_FAILED || self < 0) {
		if (self >= 0)
			close(self);
		goto done;
	}
	p[0] = p[page] = 1;
	pm = openat(self, "pagemap", O_RDONLY);
	if (pm >= 0 && clear_refs(self) == 0) {
		p[0] = 2;
		if (pread(pm, e, sizeof(e), (off_t)((unsigned long)p / (unsigned long)page * 8)) ==
		    (ssize_t)sizeof(e))
			known = (e[0] & PM_SOFT_DIRTY) && !(e[1] & PM_SOFT_DIRTY);
		scan_ok = known && scan_agrees(pm, p, page);
	}
	if (pm >= 0)
		close(pm);
	close(self);
	munmap(p, 2 * (size_t)page);
done:
	if (!known && no_proc)
		fmt(why, len, "/proc is not mounted (soft-dirty bits are read from "
		    "/proc/PID/pagemap)");
	else if (!known)
		fmt(why, len, "this kernel keeps no soft-dirty bits (CONFIG_MEM_SOFT_DIRTY: it "
		    "takes \"4\" in clear_refs, but a page written after that does not show as "
		    "soft-dirty in pagemap; arm64 has none)");
	return known ? 0 : -1;
}

static int start(struct target *t)
{
	return clear_refs(target_mmfd(t));
}

static int cmp_pair(const void *a, const void *b)
{
	return frames_cmp(a, b); /* by the head, the first word */
}

/* The units of one large folio get one verdict: touched if any of its pages
 * mapped here was written (moving any of them moves all), none if any of
 * them has none. pairs: 2 words a unit. */
static void by_folios(const uint64_t *head, const uint64_t *kfl, size_t n, int *out,
		      uint64_t *pairs)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (head[i] < FRAME_ZERO && (kfl[i] & (KPF_COMPOUND_HEAD | KPF_COMPOUND_TAIL))) {
			pairs[2 * k] = head[i];
			pairs[2 * k++ + 1] = i;
		}
	qsort(pairs, k, 2 * sizeof(*pairs), cmp_pair);
	for (size_t a = 0; a < k;) {
		size_t b = a;
		int v = TRACK_IDLE_UNIT;
		while (b < k && pairs[2 * b] == pairs[2 * a]) {
			int u = out[pairs[2 * b + 1]];
			/* none over touched over untouched */
			if ((u < 0 && v >= 0) || (u == TRACK_ACCESSED && v == TRACK_IDLE_UNIT))
				v = u;
			b++;
		}
		for (size_t e = a; e < b; e++)
			out[pairs[2 * e + 1]] = v;
		a = b;
	}
}

/* ---- combining bits by frame (tracker.h: gather) ---------------------------
 * Several processes watched in one window (a pid list, --cgroup), frames
 * readable: a page not mapped exclusively (anonymous: a page shared since a
 * fork, a KSM page; or shared anonymous memory and SysV shm, whose pages no
 * file descriptor writes) is judged after all where every page table entry
 * that maps its frame (kpagecount) belongs to a watched process: touched if
 * any of them has the soft-dirty bit. File and other shmem pages never are
 * (write(2) changes them unseen). The frames are gathered in a pass before
 * the judging, into a table of SHARE_SLOTS slots (16 bytes each: 4 MiB,
 * allocated only then), filled to three quarters at most: a frame that finds
 * no place stays untracked, as without combining. */
#define SHARE_SLOTS (1UL << 18)
#define SHARE_MAX (SHARE_SLOTS / 4 * 3)

struct share {
	uint64_t pfn;      /* 0: a free slot */
	uint32_t maps;     /* entries seen mapping it */
	uint16_t dirty;    /* one of them soft-dirty */
	uint16_t whole;    /* one of them in a mapping flagged as a whole: no
	                    * verdict */
};

static struct share *shares;
static size_t nshares;
static pthread_mutex_t share_lock = PTHREAD_MUTEX_INITIALIZER;

/* A page that may be combined: present, its frame known, shared anonymous
 * memory or an anonymous page not mapped exclusively. */
static int combinable(uint64_t e)
{
	if (!(e & PM_PRESENT_BIT) || !(e & PFN_BITS))
		return 0;
	return (e & PM_FILE_BIT) ? (e & PM_TOOL_SHM_ANON) != 0 : !(e & PM_EXCLUSIVE_BIT);
}

static struct share *share_slot(uint64_t pfn, int add)
{
	size_t i = (size_t)((pfn * 0x9e3779b97f4a7c15ULL) >> 46) & (SHARE_SLOTS - 1);

	for (;; i = (i + 1) & (SHARE_SLOTS - 1)) {
		if (shares[i].pfn == pfn)
			return &shares[i];
		if (shares[i].pfn == 0) {
			if (!add || nshares >= SHARE_MAX)
				return NULL;
			nshares++;
			shares[i].pfn = pfn;
			return &shares[i];
		}
	}
}

static int gather_begin(void)
{
	if (!frames_readable())
		return -1;
	shares = mem_get(SHARE_SLOTS * sizeof(*shares));
	nshares = 0;
	return shares ? 0 : -1;
}

static void gather(const uint64_t *pm, size_t n, int whole_vma)
{
	pthread_mutex_lock(&share_lock);
	for (size_t i = 0; i < n; i++) {
		struct share *sh;
		if (!combinable(pm[i]) || !(sh = share_slot(pm[i] & PFN_BITS, 1)))
			continue;
		sh->maps++;
		sh->dirty |= (pm[i] & PM_SOFT_DIRTY) != 0;
		sh->whole |= whole_vma != 0;
	}
	pthread_mutex_unlock(&share_lock);
}

static void gather_end(void)
{
	mem_put(shares, SHARE_SLOTS * sizeof(*shares));
	shares = NULL;
}

/* The units judged shared that the gathered frames can judge: their
 * verdict, and byf[i] set. Returns how many. */
static size_t combine(const uint64_t *pm, size_t n, int *out, uint64_t *byf)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct share *sh;
		byf[i] = 0;
		if (!shares || out[i] != TRACK_SHARED || !combinable(pm[i]) ||
		    !(sh = share_slot(pm[i] & PFN_BITS, 0)) || sh->whole ||
		    sh->maps != frames_mapcount(sh->pfn))
			continue;
		out[i] = (sh->dirty || (pm[i] & PM_SOFT_DIRTY)) ? TRACK_ACCESSED : TRACK_IDLE_UNIT;
		byf[i] = 1;
		k++;
	}
	return k;
}

/* Frames change a verdict only where units differ (a folio then takes one
 * verdict for all its pages) or where a unit is shared (it may be the zero
 * page, which is said so): when every unit has the same verdict, and it is
 * not "shared", reading them would change nothing (kpageflags costs more
 * than pagemap to read: the kernel looks at each frame's folio). */
static int frames_needed(const int *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (out[i] != out[0] || out[i] == TRACK_SHARED)
			return 1;
	return 0;
}

/* A page mapped by another process too (pagemap bit 56, "exclusively
 * mapped", clear), or a page-cache page (bit 61: write(2) changes it
 * unseen), cannot be judged from this page table: no verdict, unless the
 * bits of every mapping of its frame were gathered (combine). Where frames
 * can be read, the zero page is said so, and a large folio is one unit.
 * clear_refs leaves hugetlb pages alone: their bits say nothing of the
 * window. scratch: head, kpageflags, 3 words a unit for frames_heads (then
 * the folio pairs), and a word a unit: judged by frame. */
static void judge(const struct target *t, const unsigned long *addr, const uint64_t *pm,
		  size_t n, unsigned long psize, int *out, void *scratch)
{
	uint64_t *head = scratch, *kfl = head + n, *f = kfl + n, *byf = f + 3 * n;
	int huge = psize > kd_page_size();
	size_t k;

	(void)t;
	(void)addr;
	for (size_t i = 0; i < n; i++) {
		if (huge)
			out[i] = TRACK_UNTRACKED;
		else if (pm[i] & PM_TOOL_ZERO)
			out[i] = TRACK_ZERO;
		else if (!(pm[i] & PM_EXCLUSIVE_BIT) || (pm[i] & PM_FILE_BIT))
			out[i] = TRACK_SHARED;
		else
			out[i] = (pm[i] & PM_SOFT_DIRTY) ? TRACK_ACCESSED : TRACK_IDLE_UNIT;
	}
	if (huge || !frames_readable())
		return;
	k = combine(pm, n, out, byf);
	if (frames_needed(out, n)) {
		frames_heads(pm, n, head, kfl, f);
		for (size_t i = 0; i < n; i++)
			if (head[i] == FRAME_ZERO)
				out[i] = TRACK_ZERO;
		by_folios(head, kfl, n, out, f);
	}
	for (size_t i = 0; k && i < n; i++)
		if (byf[i] && out[i] >= 0)
			out[i] |= TRACK_BY_FRAME;
}

static int scans(void)
{
	return scan_ok;
}

/* A run PAGEMAP_SCAN found: the zero page (PFNZERO, seen without root) and
 * file or shmem pages (shared: no verdict from one page table) need nothing
 * more; nor do anonymous pages known to be mapped exclusively (tracker.h),
 * whose soft-dirty category is their verdict. Other anonymous pages are
 * read from pagemap, for their exclusive bit (the ioctl has no category for
 * it) and their frame (the folio). A file run mapped by a PMD is read too
 * where frames can be read: it may be the huge zero page, which kpageflags
 * names. */
static int from_scan(uint64_t cat, int exclusive, uint64_t *entry)
{
	uint64_t dirty = cat & PAGE_IS_SOFT_DIRTY ? PM_SOFT_DIRTY : 0;

	if (cat & PAGE_IS_PFNZERO) {
		*entry = PM_PRESENT_BIT | PM_TOOL_ZERO;
		return 1;
	}
	if ((cat & PAGE_IS_FILE) && !shares && !((cat & PAGE_IS_HUGE) && frames_readable())) {
		*entry = PM_PRESENT_BIT | PM_FILE_BIT;
		return 1;
	}
	if (!(cat & PAGE_IS_FILE) && exclusive) {
		*entry = PM_PRESENT_BIT | PM_EXCLUSIVE_BIT | dirty;
		return 1;
	}
	*entry = dirty;
	return 0;
}

const struct tracker tracker_softdirty = {
	.name = "softdirty",
	.sees = "writes only",
	.usable = usable,
	.start = start,
	.walk = 0,       /* clear_refs marks every page at once */
	.settle = NULL,
	.scratch = 6 * sizeof(uint64_t), /* head, kpageflags, frames_heads' 3, by frame */
	.mark = NULL,
	.judge = judge,
	.by_folio = frames_readable,
	.whole_vma = 1,
	.scans = scans,
	.scan_categories = PAGE_IS_FILE | PAGE_IS_PFNZERO | PAGE_IS_HUGE | PAGE_IS_SOFT_DIRTY,
	.from_scan = from_scan,
	.gather_begin = gather_begin,
	.gather = gather,
	.gather_end = gather_end,
};
