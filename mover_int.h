/* mover_int.h - the chunked mover's own parts, shared by its three files:
 *
 *   mover.c        the run: setup, the workers, the rate cap, progress, and
 *                  the one guarded call that names a target (pidfd first)
 *   mover_walk.c   the producer: maps and numa_maps side by side, cut into
 *                  chunks (what is skipped, what is known, what is asked)
 *   mover_chunk.c  what a worker does with one chunk, in named steps
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_MOVER_INT_H
#define MP_MOVER_INT_H

#include <pthread.h>
#include <stdint.h>

#include "mover.h"
#include "sysinfo.h"
#include "tracker.h"

#define MPOL_MF_MOVE (1 << 1)
#define MPOL_MF_MOVE_ALL (1 << 2)
#define TRIES 5            /* tries of a busy page */
/* A chunk whose pages numa_maps placed on one node longer ago than this has
 * them asked where they are now (under --rate a mapping's last chunk comes
 * minutes after its line was read; NUMA balancing moves pages meanwhile). */
#define KNOWN_FOR_NS 1000000000ULL

/* pagemap entry bits */
#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
#define PM_FILE (1ULL << 61)
#define PM_EXCLUSIVE (1ULL << 56)

/* A run of present pages (PAGEMAP_SCAN's struct page_region). */
struct mv_run { uint64_t start, end, categories; };

/* How a chunk's pages are found where they are. */
enum { ASK, KNOWN };

struct chunk {
	int ti;                    /* target index */
	unsigned long start, end, psize;
	unsigned long vstart;      /* the mapping it was cut from */
	int how;                   /* ASK, or KNOWN: every page is on node src */
	int src;
	int dense;                 /* KNOWN, and numa_maps counts a page for every
	                            * address: all present, no pagemap to read */
	int sparse;                /* numa_maps counts under one page in 64 of the
	                            * addresses (or has no line): chunks are cut by
	                            * the pages present (PAGEMAP_SCAN), not by size */
	int scanned;               /* cut that way: its runs of present pages are
	                            * asked for again, its range may be wide */
	int vma_flagged;           /* with a tracker that reads VmFlags: the kernel
	                            * flagged its mapping soft-dirty as a whole */
	int shm_anon;              /* shared anonymous memory or SysV shm (its
	                            * entries get PM_TOOL_SHM_ANON, tracker.h) */
	int vma_shared;            /* with a tracker that reads VmFlags: smaps
	                            * counted shared pages in its mapping (or could
	                            * not say): pagemap tells which */
	uint64_t t_line;           /* when its numa_maps line was read (ns) */
};

struct mover_state {
	pthread_mutex_t lock;      /* the producer, the results, the rate */
	const struct mv_opts *o;
	struct mv_target *t;
	int n;
	unsigned long base;        /* base page size */
	unsigned long thp;         /* transparent huge page size, 0: none */
	int prot_none_seen;        /* move_pages sees PROT_NONE pages here */
	/* producer */
	int ti, pass;
	struct lines maps, nm;     /* maps and numa_maps, side by side */
	int maps_open, nm_open, nm_tried;
	struct nm_line nml;        /* the numa_maps line read last */
	int nml_valid;
	struct chunk cur;          /* the mapping being cut: start..vend from pos */
	unsigned long vend, pos;
	size_t seen_i;             /* second pass: position in the first pass's list */
	int ovf;                   /* an address wider than a long (a 32-bit build) */
	/* rate */
	uint64_t next_ns;
	/* progress */
	uint64_t t0, last_print, total, done;
	uint64_t *node_done;       /* bytes moved per destination node */
	int nnodes;
	struct mv_run *runs;       /* the producer's scan: o->chunk runs */
	/* the mappings of the target being cut that smaps calls soft-dirty as
	 * a whole (VmFlags "sd"), read once before its first chunk */
	struct mv_range *sd;
	size_t nsd, capsd;
	int sd_all;                /* they could not all be kept: every one */
	/* and those in which smaps counts shared pages (Shared_Clean or
	 * Shared_Dirty): in the others every page was mapped exclusively when
	 * smaps was read, after the window */
	struct mv_range *shr;
	size_t nshr, capshr;
	int shr_all;
};
extern struct mover_state mvg; /* mover.c; zero: an unlocked mutex */

/* ---- mover.c ---- */
uint64_t mv_now_ns(void);
/* The caller asked the mover to stop (opts->stop). */
int mv_stopping(void);
/* Where a page now on node n must end. */
static inline int mv_final_of(const struct mv_target *m, int n)
{
	return n >= 0 && n < m->nnodes ? m->finals[n] : n;
}
/* move_pages on the target through its handle (target_move_pages: made
 * only while its pidfd says it has not exited): -1 with ESRCH when it has,
 * or once the target is dead. */
long mv_move_pages(struct mv_target *m, unsigned long n, const unsigned long *pages,
		   const int *nodes, int *status, int flags);
/* The rate cap: waits for a batch's slot (-1: told to stop), or charges
 * bytes moved beyond what a batch waited for. */
int mv_rate_wait(uint64_t bytes);
void mv_rate_charge(uint64_t bytes);
/* Under the lock: the progress display, at most every interval. */
void mv_progress(int final);

/* ---- mover_walk.c ---- */
/* Under the lock: the next chunk, or 0 when everything was handed out. */
int mv_next_chunk(struct chunk *c);
/* The runs of present pages in [start, end), from the kernel's PAGEMAP_SCAN
 * (Linux 6.7 and later), which steps over empty page tables where a read of
 * pagemap returns 8 bytes for every page: at most n runs, and at most
 * max_pages pages (0: no limit), a run for each change of the categories
 * asked for besides PAGE_IS_PRESENT (kerndat.h; 0: none); *walk_end: where
 * it stopped (end when it looked at all). Returns how many runs, or -1
 * (this kernel has no PAGEMAP_SCAN: pagemap is read as before; or the
 * process is gone). */
long mv_scan(int pagemap, unsigned long start, unsigned long end, struct mv_run *v, size_t n,
	     unsigned long max_pages, uint64_t categories, unsigned long *walk_end);
void mv_close_files(void);

/* ---- mover_chunk.c ---- */

/* A unit (a base page, or a hugetlb page) of the chunk: where it is, or */
#define U_ASK (-1000001)     /* present, where is not known yet */
#define U_INNER (-1000002)   /* inside a huge-page block: waits for the block */
#define U_DONE (-1000003)    /* counted (or gone: nothing to move there) */
#define NO_STATUS (-1000000) /* not written by the kernel */

struct worker {
	pthread_t th;
	unsigned long cap;
	struct mv_run *runs;       /* a scanned chunk's runs of present pages */
	uint64_t *pm;              /* the chunk's pagemap entries */
	unsigned long *addr;       /* the units present */
	uint64_t *flags;           /* their pagemap entries */
	int *node;                 /* where each is, or U_* */
	int *orig;                 /* where each was first found (for the report) */
	unsigned long *blk;        /* huge-page blocks: the index of their first unit */
	unsigned long *maddr;      /* one call: addresses, */
	int *mnode, *mst;          /* destinations, status, */
	unsigned long *midx;       /* and the unit (or block) each entry stands for */
	int *ast;                  /* the status of a question */
	uint64_t *acc;             /* ACC_N * mvg.nnodes: bytes per node (before, after,
	                            * moved; touched and not, with a tracker) */
	void *scratch;             /* the tracker's, and its verdicts */
	int *verdict;
	struct mv_range *mr;       /* --verify: ranges moved by the chunk in hand */
	size_t nmr, capmr;
	int mr_lost;
	/* the mapping (target, start) where a block turned out to be base
	 * pages: its further chunks try no huge page */
	int base_ti;
	unsigned long base_vstart;
};

/* One chunk as a worker goes through it. */
struct job {
	struct worker *w;
	const struct chunk *c;
	struct mv_target *m;
	int flags;                 /* MPOL_MF_MOVE or MPOL_MF_MOVE_ALL */
	unsigned long n;           /* units present */
	unsigned long nblk, hp;    /* huge-page blocks, and units in each */
	int stopped;               /* a batch was not made: told to stop */
	int err;                   /* a call failed for the whole target */
	int busy;                  /* a page was busy: pause before the next try */
	int enomem;                /* the last call failed with ENOMEM */
	int call_err;              /* a call's error that left pages unmoved */
	uint64_t untracked;        /* bytes a tracker could not judge */
	uint64_t untracked_why[TRACK_NREASONS]; /* the same by reason */
	uint64_t shared_judged;    /* bytes judged by frame (TRACK_BY_FRAME) */
	int counting;              /* judged and counted only, every page on src
	                            * (a tracker's scan of a KNOWN chunk; its mark) */
	uint64_t bytes[MV_NKINDS];
	int other_err;
};

enum { ACC_BEFORE, ACC_AFTER, ACC_MOVED, ACC_ACCESSED, ACC_IDLE, ACC_N };

void mv_do_chunk(struct worker *w, const struct chunk *c);

#endif
