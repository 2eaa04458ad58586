/* frames.c - the page frames behind a process's pages (see frames.h).
 *
 * kpageflags is read a window at a time over the sorted frames of a chunk,
 * never page by page. A tail frame whose frame before it is in the list
 * takes that frame's head (compound pages are contiguous: the frame before a
 * tail is its head or another of its tails); any other tail walks back, 64
 * entries a read, to its head.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "frames.h"
#include "kerndat.h"

#define PFN_MASK ((1ULL << 55) - 1)
#define PM_PRESENT (1ULL << 63)
#define SPAN 512            /* kpageflags entries one read covers at most */
#define GAP 64              /* entries between two frames one read still spans */
#define WALK_MAX (1UL << 18) /* a folio of 1 GiB at most */

static int kflags_fd = -1;
static int kcount_fd = -1;   /* /proc/kpagecount */

int frames_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int frames_readable(void)
{
	static int known = -1;
	long page = (long)kd_page_size();
	volatile char *p;
	uint64_t e = 0, f = 0;
	int pm;

	if (known >= 0)
		return known;
	known = 0;
	kflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (kflags_fd >= 0 && p != MAP_FAILED && pm >= 0) {
		p[0] = 1;
		if (pread(pm, &e, 8, (off_t)((unsigned long)p / (unsigned long)page * 8)) == 8 &&
		    (e & PFN_MASK) && pread(kflags_fd, &f, 8, (off_t)((e & PFN_MASK) * 8)) == 8)
			known = 1;
	}
	if (pm >= 0)
		close(pm);
	if (p != MAP_FAILED)
		munmap((void *)p, (size_t)page);
	if (!known && kflags_fd >= 0) {
		close(kflags_fd);
		kflags_fd = -1;
	}
	if (known)
		kcount_fd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
	return known;
}

/* The head of the tail frame pfn, walking back; FRAME_NONE when no head is
 * found before a frame that is no tail (a folio split meanwhile). */
static uint64_t walk_back(uint64_t pfn)
{
	uint64_t buf[GAP];

	for (uint64_t p = pfn, walked = 0; p > 0 && walked < WALK_MAX;) {
		uint64_t a = p >= GAP ? p - GAP : 0, k = p - a;
		if (pread(kflags_fd, buf, k * 8, (off_t)(a * 8)) != (ssize_t)(k * 8))
			return FRAME_NONE;
		for (uint64_t i = k; i-- > 0;) {
			if (buf[i] & KPF_COMPOUND_HEAD)
				return a + i;
			if (!(buf[i] & KPF_COMPOUND_TAIL))
				return FRAME_NONE;
		}
		walked += k;
		p = a;
	}
	return FRAME_NONE;
}

/* The flags of the sorted distinct frames f[0..m) into fl, a window a read. */
static void read_flags(const uint64_t *f, size_t m, uint64_t *fl)
{
	uint64_t buf[SPAN];

	for (size_t i = 0; i < m;) {
		size_t k = 1;
		ssize_t got;
		while (i + k < m && f[i + k] - f[i] < SPAN && f[i + k] - f[i + k - 1] <= GAP)
			k++;
		got = pread(kflags_fd, buf, (f[i + k - 1] - f[i] + 1) * 8, (off_t)(f[i] * 8));
		for (size_t e = i; e < i + k; e++)
			fl[e] = got > 0 && (f[e] - f[i]) * 8 < (uint64_t)got ? buf[f[e] - f[i]] : 0;
		i += k;
	}
}

void frames_heads(const uint64_t *pm, size_t n, uint64_t *head, uint64_t *kflags,
		  uint64_t *scratch)
{
	uint64_t *f = scratch, *fl = f + n, *fh = fl + n;
	size_t k = 0, m = 0;

	for (size_t i = 0; i < n; i++) {
		head[i] = FRAME_NONE;
		kflags[i] = 0;
		if (kflags_fd >= 0 && (pm[i] & PM_PRESENT) && (pm[i] & PFN_MASK))
			f[k++] = pm[i] & PFN_MASK;
	}
	qsort(f, k, sizeof(*f), frames_cmp);
	for (size_t i = 0; i < k; i++)
		if (!m || f[m - 1] != f[i])
			f[m++] = f[i];
	read_flags(f, m, fl);
	for (size_t i = 0; i < m; i++) {
		if (fl[i] & KPF_ZERO_PAGE)
			fh[i] = FRAME_ZERO;
		else if (!(fl[i] & KPF_COMPOUND_TAIL))
			fh[i] = f[i];
		else if (i > 0 && f[i - 1] + 1 == f[i] && fh[i - 1] < FRAME_ZERO &&
			 (fl[i - 1] & (KPF_COMPOUND_HEAD | KPF_COMPOUND_TAIL)))
			fh[i] = fh[i - 1];
		else
			fh[i] = walk_back(f[i]);
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = pm[i] & PFN_MASK;
		const uint64_t *at;
		if (kflags_fd < 0 || !(pm[i] & PM_PRESENT) || !pfn)
			continue;
		at = bsearch(&pfn, f, m, sizeof(*f), frames_cmp);
		if (at) {
			head[i] = fh[at - f];
			kflags[i] = fl[at - f];
		}
	}
}

uint64_t frames_mapcount(uint64_t pfn)
{
	uint64_t c;

	if (kcount_fd < 0 || pread(kcount_fd, &c, 8, (off_t)(pfn * 8)) != 8)
		return FRAME_NONE;
	return c;
}
