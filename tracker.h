/* tracker.h - how the tool sees which pages a process touches during a
 * window (--cold, --hot), behind one interface:
 *
 *   track_softdirty.c  soft-dirty bits: "4" written to /proc/PID/clear_refs
 *                      at the start, bit 55 of each page's pagemap entry at
 *                      the end. Writes only; ptrace access (a user may watch
 *                      their own processes); CONFIG_MEM_SOFT_DIRTY.
 *   track_idle.c       idle page tracking: the frames of the process's pages
 *                      are marked idle in /sys/kernel/mm/page_idle/bitmap at
 *                      the start and read back at the end. Reads and writes;
 *                      root; CONFIG_IDLE_PAGE_TRACKING.
 *   track_damon.c      DAMON (/sys/kernel/mm/damon/admin): one kdamond of the
 *                      tool's own monitors the processes' address spaces by
 *                      sampling; a region (not a page) is judged from its
 *                      nr_accesses and age. Reads and writes of the process;
 *                      root; CONFIG_DAMON_VADDR and CONFIG_DAMON_SYSFS, 6.2+;
 *                      only when nobody else uses DAMON.
 *
 * Each is probed once on a page of the tool's own before it is trusted: a
 * kernel without soft-dirty accepts "4" and never sets the bit, so a tool
 * that did not probe would call every page cold.
 *
 * Pages are judged where they are found, a chunk at a time, by the mover
 * (mover.c): the tool's memory does not grow with the process's.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_TRACKER_H
#define MP_TRACKER_H

#include <stddef.h>
#include <stdint.h>

struct target;

/* A unit's verdict after the window: touched, not touched, or none (never
 * moved, and counted by the reason: the negative ones). */
enum {
	TRACK_VMA = -4,        /* in a mapping the kernel flagged soft-dirty as a
	                        * whole during the window (brk, a merge, mremap,
	                        * khugepaged): every page of it reads written */
	TRACK_SHARED = -3,     /* mapped by another process too, or a file page:
	                        * one page table does not tell (soft-dirty) */
	TRACK_ZERO = -2,       /* the shared zero page: no memory of its own */
	TRACK_UNTRACKED = -1,  /* other: hugetlb, no frame, out of sight */
	TRACK_IDLE_UNIT = 0,
	TRACK_ACCESSED = 1
};
#define TRACK_NREASONS 4   /* -1 .. -4: untracked[-1 - verdict] */
/* ORed to a verdict (touched or not) that combines the bits of several
 * watched processes' mappings of one frame (soft-dirty: a shared page) */
#define TRACK_BY_FRAME 0x100

/* Bits 59 and 60 of a pagemap entry are always zero from the kernel; in the
 * entries given to a tracker they say: */
#define PM_TOOL_ZERO (1ULL << 59)     /* the zero page (PAGEMAP_SCAN's PFNZERO) */
#define PM_TOOL_SHM_ANON (1ULL << 60) /* in shared anonymous memory or SysV shm
                                       * (maps: "/dev/zero (deleted)", "/SYSV",
                                       * "[anon_shmem:"): no file descriptor
                                       * writes its pages */

struct tracker {
	const char *name;        /* "idle", "softdirty" or "damon" */
	const char *sees;        /* what it sees, for the reports */
	/* 0 when it can be used here, else -1 with the reason in why */
	int (*usable)(char *why, size_t len);
	/* the window starts for one process: 0, or -1 with errno */
	int (*start)(struct target *t);
	/* 1 when the start needs every present page of the process (mark) */
	int walk;
	/* after the walk, per process: 0, or -1 with errno (NULL: nothing) */
	int (*settle)(struct target *t);
	/* bytes of scratch memory per unit that mark and judge need (a worker
	 * of the mover holds it, so that workers run them at once) */
	size_t scratch;
	/* for the walk: marks n units (their addresses, in order, and their
	 * pagemap entries) */
	void (*mark)(const unsigned long *addr, const uint64_t *pm, size_t n, unsigned long psize,
		     void *scratch);
	/* after the window: the verdict on n units of process t, each psize
	 * bytes, from their pagemap entries (read after the window) */
	void (*judge)(const struct target *t, const unsigned long *addr, const uint64_t *pm,
		      size_t n, unsigned long psize, int *out, void *scratch);
	/* 1 when a large folio is judged as one unit here (its frames can be
	 * read), 0 when each base page is judged on its own */
	int (*by_folio)(void);
	/* 1: a mapping whose VmFlags (smaps) say "sd" after the window gives no
	 * verdict (TRACK_VMA): the mover reads them before judging */
	int whole_vma;
	/* PAGEMAP_SCAN in the judging (NULL: never): scans() is 1 when the
	 * pages present after the window are found with the ioctl here, which
	 * asks for scan_categories; for each run of pages it returns,
	 * from_scan(categories, exclusive, &entry) makes the pagemap entry the
	 * judge is given and returns 1, or returns 0 when pagemap must be read
	 * for the run (entry: bits to add to what it says). exclusive: the
	 * run's pages are known to be mapped exclusively (smaps counted no
	 * shared page in the mapping) and no frame is needed for them (each
	 * run of the chunk that would need pagemap has the same categories, so
	 * no folio holds pages of two verdicts; or frames are not read) */
	int (*scans)(void);
	uint64_t scan_categories;
	int (*from_scan)(uint64_t categories, int exclusive, uint64_t *entry);
	/* combining bits by frame across the processes watched in one window
	 * (NULL: never): gather_begin() before a pass over every chunk of
	 * every process after the window (0, or -1 when it cannot be done
	 * here: frames not readable, no memory); gather() is given each
	 * chunk's present pages there (whole_vma: in a mapping flagged as a
	 * whole, see above: its bits say nothing); the judge then gives a
	 * shared page a verdict (TRACK_BY_FRAME) where every mapping of its
	 * frame was gathered, none of them flagged; gather_end() after the
	 * judging */
	int (*gather_begin)(void);
	void (*gather)(const uint64_t *pm, size_t n, int whole_vma);
	void (*gather_end)(void);
	/* what a verdict covers when not a page or folio ("region"), or NULL */
	const char *unit;
	/* after every start and settle: the window (window_ms long) begins for
	 * all the processes at once (n of them): 0, or -1 with the reason in why
	 * (NULL: nothing to do) */
	int (*begin)(struct target *const *v, size_t n, uint64_t window_ms, char *why, size_t len);
	/* at the window's end (or its stop), before any judge: what the verdicts
	 * need is collected, and what the tracker changed outside the tool put
	 * back as it was found; 0, or -1 with the reason in why (NULL: nothing) */
	int (*end)(char *why, size_t len);
};

extern const struct tracker tracker_softdirty, tracker_idle, tracker_damon;

/* Writes "4" to clear_refs in the /proc/PID directory dirfd: clears the
 * process's soft-dirty bits and flushes its TLB. 0, or -1 with errno. */
int clear_refs(int dirfd);

/* The tracker --tracker asks for (auto: idle where it can be used, else
 * DAMON, else soft-dirty). NULL when none can be: why names what is missing, the kernel
 * options and the privilege. */
const struct tracker *tracker_choose(int want, char *why, size_t len);

#endif
