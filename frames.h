/* frames.h - the page frames behind a process's pages, where the caller may
 * read them (PFNs in pagemap need CAP_SYS_ADMIN, /proc/kpageflags is root's):
 * which pages are the shared zero page, and which belong to one large folio
 * (a transparent huge page mapped by its PMD or by page table entries, an
 * anonymous multi-size THP, a large page-cache folio). The kernel moves and
 * (idle page tracking) tracks a folio as one unit, from its head frame:
 * /proc/kpageflags marks a head (bit 15) and its tails (bit 16), and a tail
 * is found its head by walking back over the tails before it.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_FRAMES_H
#define MP_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_NONE (~0ULL)       /* no frame known (not readable, or changing) */
#define FRAME_ZERO (~0ULL - 1)   /* the shared zero page (or the huge zero page) */

#define KPF_COMPOUND_HEAD (1ULL << 15)
#define KPF_COMPOUND_TAIL (1ULL << 16)
#define KPF_HUGE (1ULL << 17)    /* hugetlb */
#define KPF_ZERO_PAGE (1ULL << 24)

/* 1 when this process can read page frames here (probed once, on a page of
 * its own: a frame number in pagemap, and /proc/kpageflags readable). Called
 * first from one thread (a tracker's probe). */
int frames_readable(void);

/* The folio of each of n pagemap entries pm[]: head[i] is the frame of its
 * folio's head (a base page's own frame), FRAME_ZERO for the zero page, or
 * FRAME_NONE (absent, no frame number, flags that changed while read);
 * kflags[i] its frame's kpageflags. scratch: 3 * n words. */
void frames_heads(const uint64_t *pm, size_t n, uint64_t *head, uint64_t *kflags,
		  uint64_t *scratch);

/* How many page table entries map the frame pfn (/proc/kpagecount), or
 * FRAME_NONE when it cannot be read. */
uint64_t frames_mapcount(uint64_t pfn);

/* For sorting frame numbers (qsort, bsearch). */
int frames_cmp(const void *a, const void *b);

#endif
