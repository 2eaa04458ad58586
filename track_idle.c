/* track_idle.c - the idle page tracker (see tracker.h).
 *
 * The frame of each page (pagemap bits 0-54, which only CAP_SYS_ADMIN sees)
 * is marked idle by setting its bit in /sys/kernel/mm/page_idle/bitmap (u64
 * words, read and written 8 bytes at a time at multiples of 8); the kernel
 * clears the accessed bits of its mappings then. After the window, reading
 * the bit makes the kernel walk the page's mappings: a bit still set means
 * nobody read or wrote the page meanwhile. A compound page (a transparent
 * huge page) has one flag, its head frame's; /proc/kpageflags tells head from
 * tail. hugetlb pages and the zero page are not tracked.
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
#include "target.h"
#include "tracker.h"

#define PFN_MASK ((1ULL << 55) - 1)
#define KPF_COMPOUND_HEAD (1ULL << 15)
#define KPF_COMPOUND_TAIL (1ULL << 16)
#define KPF_HUGE (1ULL << 17)
#define KPF_ZERO_PAGE (1ULL << 24)
#define NO_FRAME (~0ULL)

static int bitmap = -1, kflags = -1;

/* ---- frames ------------------------------------------------------------- */

/* The flags of the frames of n units, read in runs of consecutive frames. */
static void frame_flags(const uint64_t *pfn, size_t n, uint64_t *flags)
{
	for (size_t i = 0; i < n;) {
		size_t k = 1;
		while (i + k < n && pfn[i + k] == pfn[i] + k)
			k++;
		if (pread(kflags, flags + i, k * 8, (off_t)(pfn[i] * 8)) != (ssize_t)(k * 8))
			memset(flags + i, 0, k * 8);
		i += k;
	}
}

/* A tail frame's head: the frames before it, back to the head. */
static uint64_t head_of(uint64_t pfn)
{
	for (uint64_t p = pfn; p + 512 > pfn && p > 0; p--) {
		uint64_t f;
		if (pread(kflags, &f, 8, (off_t)((p - 1) * 8)) != 8)
			break;
		if (f & KPF_COMPOUND_HEAD)
			return p - 1;
	}
	return pfn;
}

/* The frame each unit is judged by (its head's, for a compound page), or
 * NO_FRAME when it cannot be tracked. scratch: 2 words a unit. */
static void heads(const uint64_t *pm, size_t n, unsigned long psize, uint64_t *head,
		  uint64_t *flags)
{
	uint64_t last_head = NO_FRAME;

	for (size_t i = 0; i < n; i++)
		head[i] = pm[i] & PFN_MASK;
	frame_flags(head, n, flags);
	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = head[i];
		if (!pfn || psize > (unsigned long)sysconf(_SC_PAGESIZE) ||
		    (flags[i] & (KPF_HUGE | KPF_ZERO_PAGE))) {
			head[i] = NO_FRAME; /* hugetlb, the zero page: not on an LRU */
			continue;
		}
		if (flags[i] & KPF_COMPOUND_HEAD)
			last_head = pfn;
		else if (flags[i] & KPF_COMPOUND_TAIL)
			head[i] = i > 0 && last_head != NO_FRAME && pfn == (pm[i - 1] & PFN_MASK) + 1
				  ? last_head : head_of(pfn);
	}
}

/* ---- the bitmap ---------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The distinct head frames, sorted: into w (n words at most). */
static size_t sorted_frames(const uint64_t *head, size_t n, uint64_t *w)
{
	size_t k = 0, m = 0;

	for (size_t i = 0; i < n; i++)
		if (head[i] != NO_FRAME)
			w[k++] = head[i];
	qsort(w, k, sizeof(*w), cmp_u64);
	for (size_t i = 0; i < k; i++)
		if (!m || w[m - 1] != w[i])
			w[m++] = w[i];
	return m;
}

/* Sets the bits of the sorted frames f[0..m), a run of nearby words at a
 * time (a zero bit in a word written changes nothing). */
static void set_bits(const uint64_t *f, size_t m)
{
	uint64_t words[64];

	for (size_t i = 0; i < m;) {
		uint64_t first = f[i] / 64, nw = 0;
		memset(words, 0, sizeof(words));
		while (i < m && f[i] / 64 - first < 64) {
			words[f[i] / 64 - first] |= 1ULL << (f[i] % 64);
			nw = f[i] / 64 - first + 1;
			i++;
		}
		if (pwrite(bitmap, words, nw * 8, (off_t)(first * 8)) < 0)
			continue; /* frames gone meanwhile (ENXIO past the last one) */
	}
}

static void mark(const uint64_t *pm, size_t n, unsigned long psize, void *scratch)
{
	uint64_t *head = scratch, *flags = head + n;

	heads(pm, n, psize, head, flags);
	set_bits(flags, sorted_frames(head, n, flags));
}

/* Whether frame pfn's bit is set, from words read in runs. */
static void judge(const uint64_t *pm, size_t n, unsigned long psize, int *out, void *scratch)
{
	uint64_t *head = scratch, *flags = head + n, words[64], first = NO_FRAME;

	heads(pm, n, psize, head, flags);
	for (size_t i = 0; i < n; i++) {
		uint64_t w = head[i] / 64;
		if (head[i] == NO_FRAME) {
			out[i] = TRACK_UNTRACKED;
			continue;
		}
		if (first == NO_FRAME || w < first || w >= first + 64) {
			first = w;
			memset(words, 0, sizeof(words)); /* (a short read near the end) */
			if (pread(bitmap, words, sizeof(words), (off_t)(first * 8)) < 0)
				memset(words, 0, sizeof(words));
		}
		out[i] = (words[w - first] >> (head[i] % 64)) & 1 ? TRACK_IDLE_UNIT : TRACK_ACCESSED;
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
	long page = sysconf(_SC_PAGESIZE);
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

static int usable(char *why, size_t len)
{
	static int known = -1;
	static char reason[300];

	if (known >= 0)
		goto done;
	known = 0;
	bitmap = open("/sys/kernel/mm/page_idle/bitmap", O_RDWR);
	if (bitmap < 0 && errno == ENOENT) {
		fmt(reason, sizeof(reason), "this kernel has no idle page tracking "
		    "(CONFIG_IDLE_PAGE_TRACKING: no /sys/kernel/mm/page_idle/bitmap)");
	} else if (bitmap < 0) {
		fmt(reason, sizeof(reason), "idle page tracking needs root (/sys/kernel/mm/"
		    "page_idle/bitmap: %s)", strerror(errno));
	} else if ((kflags = open("/proc/kpageflags", O_RDONLY)) < 0) {
		fmt(reason, sizeof(reason), "idle page tracking needs root (/proc/kpageflags: %s)",
		    strerror(errno));
	} else if (!probe_page()) {
		fmt(reason, sizeof(reason), "idle page tracking needs root with CAP_SYS_ADMIN "
		    "(page frame numbers in pagemap), and a page of its own did not show as "
		    "idle and then touched");
	} else {
		known = 1;
	}
done:
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

const struct tracker tracker_idle = {
	"idle", "reads and writes", usable, start, 1, settle, 2 * sizeof(uint64_t), mark, judge
};
