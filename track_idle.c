/* track_idle.c - the idle page tracker (see tracker.h).
 *
 * The frame of each page (pagemap bits 0-54, which only CAP_SYS_ADMIN sees)
 * is marked idle by setting its bit in /sys/kernel/mm/page_idle/bitmap (u64
 * words, read and written 8 bytes at a time at multiples of 8); the kernel
 * clears the accessed bits of its mappings then. After the window, reading
 * the bit makes the kernel walk the page's mappings: a bit still set means
 * nobody read or wrote the page meanwhile. A large folio has one flag, its
 * head frame's (a mark on a tail is lost): only heads are marked and read,
 * found by frames.c. hugetlb pages and the zero page are not tracked.
 *
 * Two things would make the marks lie, and are taken care of. The kernel
 * tracks only pages on an LRU list, and a page just faulted in may wait in a
 * per-CPU batch: a move_pages call (of a page of the tool's own, to the node
 * it is on: nothing moves) drains those batches on every CPU before the
 * marking. And marking clears the accessed bits without a TLB flush (x86 does
 * so on purpose): a page the process keeps touching through a cached
 * translation would never be seen touched. Clearing the process's soft-dirty
 * bits (clear_refs 4) is the one way the kernel offers to flush another
 * process's TLB: it is done after the marking, with the soft-dirty tracker's
 * side effect (the bits are reset for anyone else using them, and each
 * page's next write faults once).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "syscall_arch.h"

#include "fmt.h"
#include "frames.h"
#include "kerndat.h"
#include "target.h"
#include "tracker.h"

#define PFN_MASK ((1ULL << 55) - 1)

static int bitmap = -1;

/* ---- frames ------------------------------------------------------------- */

/* The frame each unit is judged by: its folio's head (frames.h), whose flag
 * the kernel keeps for the whole folio (page_idle_get_folio() takes no tail
 * frame: a mark on a tail is lost and a tail reads "touched"). NO_FRAME for
 * a unit that is not tracked (hugetlb, no frame); the zero page is said so
 * (TRACK_ZERO). */
#define NO_FRAME FRAME_NONE
static void heads(const uint64_t *pm, size_t n, unsigned long psize, uint64_t *head,
		  uint64_t *kfl, uint64_t *scratch)
{
	int huge = psize > kd_page_size();

	frames_heads(pm, n, head, kfl, scratch);
	for (size_t i = 0; i < n; i++)
		if (huge || (kfl[i] & KPF_HUGE))
			head[i] = NO_FRAME;
}

/* ---- the bitmap ---------------------------------------------------------- */

/* The distinct frames, sorted: into w (n words at most). */
static size_t sorted_frames(const uint64_t *head, size_t n, uint64_t *w)
{
	size_t k = 0, m = 0;

	for (size_t i = 0; i < n; i++)
		if (head[i] < FRAME_ZERO)
			w[k++] = head[i];
	qsort(w, k, sizeof(*w), frames_cmp);
	for (size_t i = 0; i < k; i++)
		if (!m || w[m - 1] != w[i])
			w[m++] = w[i];
	return m;
}

#define WINDOW 64   /* words of the bitmap a call reads or writes at most */
#define GAP 8       /* words between two frames that one call still spans */

/* The sorted frames f[i..) that one call covers: those within WINDOW words
 * of f[i], with no gap of more than GAP words. Returns how many. */
static size_t window_of(const uint64_t *f, size_t i, size_t m)
{
	size_t k = 1;

	while (i + k < m && f[i + k] / 64 - f[i] / 64 < WINDOW &&
	       f[i + k] / 64 - f[i + k - 1] / 64 <= GAP)
		k++;
	return k;
}

/* Sets the bits of the sorted frames f[0..m) (a zero bit in a word written
 * changes nothing). */
static void set_bits(const uint64_t *f, size_t m)
{
	uint64_t words[WINDOW];

	for (size_t i = 0; i < m;) {
		size_t k = window_of(f, i, m);
		uint64_t first = f[i] / 64, nw = f[i + k - 1] / 64 - first + 1;
		memset(words, 0, nw * 8);
		for (size_t e = i; e < i + k; e++)
			words[f[e] / 64 - first] |= 1ULL << (f[e] % 64);
		if (pwrite(bitmap, words, nw * 8, (off_t)(first * 8)) < 0) {
			/* frames gone meanwhile (ENXIO past the last one) */
		}
		i += k;
	}
}

/* scratch: head, kpageflags, then 3 words a unit for frames_heads, which
 * are free again after it (the sorted heads and their bits) */
static void mark(const unsigned long *addr, const uint64_t *pm, size_t n, unsigned long psize,
		 void *scratch)
{
	uint64_t *head = scratch, *kfl = head + n, *f = kfl + n;

	(void)addr;
	heads(pm, n, psize, head, kfl, f);
	set_bits(f, sorted_frames(head, n, f));
}

/* The verdict of each unit, from the bits of the sorted frames f[0..m),
 * read a window at a time (reading makes the kernel walk the mappings of
 * each idle frame read: only the words needed are read). */
static void judge(const struct target *t, const unsigned long *addr, const uint64_t *pm,
		  size_t n, unsigned long psize, int *out, void *scratch)
{
	uint64_t *head = scratch, *kfl = head + n, *f = kfl + n, *bit = f + n, words[WINDOW];
	size_t m;

	(void)t;
	(void)addr;
	heads(pm, n, psize, head, kfl, f);
	m = sorted_frames(head, n, f);
	for (size_t i = 0; i < m;) {
		size_t k = window_of(f, i, m);
		uint64_t first = f[i] / 64, nw = f[i + k - 1] / 64 - first + 1;
		memset(words, 0, sizeof(words)); /* (a short read near the end) */
		if (pread(bitmap, words, nw * 8, (off_t)(first * 8)) < 0)
			memset(words, 0, sizeof(words));
		for (size_t e = i; e < i + k; e++)
			bit[e] = (words[f[e] / 64 - first] >> (f[e] % 64)) & 1;
		i += k;
	}
	for (size_t u = 0; u < n; u++) {
		const uint64_t *at;
		if (head[u] >= FRAME_ZERO) {
			out[u] = head[u] == FRAME_ZERO ? TRACK_ZERO : TRACK_UNTRACKED;
			continue;
		}
		at = bsearch(&head[u], f, m, sizeof(*f), frames_cmp);
		out[u] = at && bit[at - f] ? TRACK_IDLE_UNIT : TRACK_ACCESSED;
	}
}

/* ---- the start of a window ----------------------------------------------------- */

/* Empties the per-CPU batches of pages on their way to an LRU list (on every
 * CPU): moving a page of the tool's own to the node it is on moves nothing,
 * and makes the kernel drain them first. */
static void drain(void)
{
	static char page_of_ours[1] = { 1 };
	void *p = page_of_ours;
	int node = -1, st = -1;

	if (syscall(SYS_move_pages, 0, 1UL, &p, NULL, &node, 0) == 0 && node >= 0)
		syscall(SYS_move_pages, 0, 1UL, &p, &node, &st, 0);
}

/* ---- the probe -------------------------------------------------------------- */

/* A page of the tool's own: its frame is visible, its bit can be set and
 * reads back set, and reads back clear once the page is read. */
static int probe_page(void)
{
	long page = (long)kd_page_size();
	volatile char *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t e = 0, w = 0, pfn;
	int pm = open("/proc/self/pagemap", O_RDONLY), ok = 0;
	char sink;

	if (p == MAP_FAILED || pm < 0)
		goto out;
	p[0] = 1;
	if (pread(pm, &e, 8, (off_t)((unsigned long)p / (unsigned long)page * 8)) != 8 ||
	    !(pfn = e & PFN_MASK))
		goto out;
	drain();
	set_bits(&pfn, 1);
	if (pread(bitmap, &w, 8, (off_t)(pfn / 64 * 8)) != 8 || !((w >> (pfn % 64)) & 1))
		goto out;
	/* the page's translation out of this CPU's TLB, as settle does for a
	 * process */
	if (mprotect((void *)p, (size_t)page, PROT_READ) != 0 ||
	    mprotect((void *)p, (size_t)page, PROT_READ | PROT_WRITE) != 0)
		goto out;
	sink = p[0];
	(void)sink;
	ok = pread(bitmap, &w, 8, (off_t)(pfn / 64 * 8)) == 8 && !((w >> (pfn % 64)) & 1);
out:
	if (pm >= 0)
		close(pm);
	if (p != MAP_FAILED)
		munmap((void *)p, (size_t)page);
	return ok;
}

/* (asked once: kerndat.c keeps the answer) */
static int usable(char *why, size_t len)
{
	static char reason[300];
	int known = 0;

	bitmap = open("/sys/kernel/mm/page_idle/bitmap", O_RDWR);
	if (bitmap < 0 && errno == ENOENT && access("/sys/kernel/mm", F_OK) != 0) {
		fmt(reason, sizeof(reason), "/sys is not mounted (idle page tracking is "
		    "/sys/kernel/mm/page_idle/bitmap)");
	} else if (bitmap < 0 && errno == ENOENT) {
		fmt(reason, sizeof(reason), "this kernel has no idle page tracking "
		    "(CONFIG_IDLE_PAGE_TRACKING: no /sys/kernel/mm/page_idle/bitmap)");
	} else if (bitmap < 0) {
		fmt(reason, sizeof(reason), "idle page tracking needs root (/sys/kernel/mm/"
		    "page_idle/bitmap: %s)", strerror(errno));
	} else if (access("/proc/kpageflags", F_OK) != 0 && errno == ENOENT) {
		fmt(reason, sizeof(reason), "/proc is not mounted (idle page tracking reads "
		    "/proc/kpageflags)");
	} else if (!frames_readable()) {
		fmt(reason, sizeof(reason), "idle page tracking needs root with CAP_SYS_ADMIN "
		    "(page frame numbers in pagemap, /proc/kpageflags)");
	} else if (!probe_page()) {
		fmt(reason, sizeof(reason), "idle page tracking needs root with CAP_SYS_ADMIN "
		    "(page frame numbers in pagemap), and a page of its own did not show as "
		    "idle and then touched");
	} else {
		known = 1;
	}
	if (!known)
		fmt(why, len, "%s", reason);
	return known ? 0 : -1;
}

static int start(struct target *t)
{
	(void)t; /* the pages are marked by the walk (mark) */
	drain();
	return 0;
}

static int settle(struct target *t)
{
	return clear_refs(target_mmfd(t)); /* its TLB flushed (see the top) */
}

static int by_folio(void)
{
	return 1; /* root: frames are read */
}

const struct tracker tracker_idle = {
	.name = "idle",
	.sees = "reads and writes",
	.usable = usable,
	.start = start,
	.walk = 1,
	.settle = settle,
	.scratch = 5 * sizeof(uint64_t), /* head, kpageflags, frames_heads' 3 */
	.mark = mark,
	.judge = judge,
	.by_folio = by_folio,
};
