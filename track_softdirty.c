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
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fmt.h"
#include "frames.h"
#include "kerndat.h"
#include "target.h"
#include "tracker.h"

#define PM_SOFT_DIRTY (1ULL << 55)
#define PM_EXCLUSIVE_BIT (1ULL << 56)
#define PM_FILE_BIT (1ULL << 61)

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

/* A page mapped by another process too (pagemap bit 56, "exclusively
 * mapped", clear), or a page-cache page (bit 61: write(2) changes it
 * unseen), cannot be judged from this page table: no verdict. Where frames
 * can be read, the zero page is said so, and a large folio is one unit.
 * clear_refs leaves hugetlb pages alone: their bits say nothing of the
 * window. scratch: head, kpageflags, and 3 words a unit for frames_heads
 * (then the folio pairs). */
static void judge(const struct target *t, const unsigned long *addr, const uint64_t *pm,
		  size_t n, unsigned long psize, int *out, void *scratch)
{
	uint64_t *head = scratch, *kfl = head + n, *f = kfl + n;
	int huge = psize > kd_page_size();

	(void)t;
	(void)addr;
	for (size_t i = 0; i < n; i++) {
		if (huge)
			out[i] = TRACK_UNTRACKED;
		else if (!(pm[i] & PM_EXCLUSIVE_BIT) || (pm[i] & PM_FILE_BIT))
			out[i] = TRACK_SHARED;
		else
			out[i] = (pm[i] & PM_SOFT_DIRTY) ? TRACK_ACCESSED : TRACK_IDLE_UNIT;
	}
	if (huge || !frames_readable())
		return;
	frames_heads(pm, n, head, kfl, f);
	for (size_t i = 0; i < n; i++)
		if (head[i] == FRAME_ZERO)
			out[i] = TRACK_ZERO;
	by_folios(head, kfl, n, out, f);
}

const struct tracker tracker_softdirty = {
	.name = "softdirty",
	.sees = "writes only",
	.usable = usable,
	.start = start,
	.walk = 0,       /* clear_refs marks every page at once */
	.settle = NULL,
	.scratch = 5 * sizeof(uint64_t), /* head, kpageflags, frames_heads' 3 */
	.mark = NULL,
	.judge = judge,
	.by_folio = frames_readable,
	.whole_vma = 1,
};
