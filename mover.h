/* mover.h - the chunked mover: moves a process's pages with move_pages(2), a
 * chunk at a time, so that the process's mmap lock is never held for the
 * whole job (migrate_pages(2) holds it throughout). Used when --rate, --jobs,
 * --progress or --chunk is given; the plain command line makes one
 * migrate_pages call instead.
 *
 * The address space is streamed from /proc/PID/maps (a fixed buffer, a page
 * list per chunk only). Each chunk's pages are asked where they are
 * (move_pages with nodes = NULL); a page on node n goes to finals[n], the node
 * the kernel's own migrate_pages would leave it on (mig_final in bitmap.c), so
 * the placement is the single call's. Pages elsewhere are left alone. Mappings
 * that appear after the first read are found by a second read.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_MOVER_H
#define MP_MOVER_H

#include <signal.h>
#include <stdint.h>

/* What became of the pages found, in bytes. */
enum mv_kind {
	MV_MOVED,      /* moved to its destination */
	MV_IN_PLACE,   /* on a node the plan leaves alone */
	MV_SHARED,     /* left: mapped by other processes too, no CAP_SYS_NICE (-EACCES) */
	MV_BUSY,       /* left: in use, could not be isolated (-EBUSY, or the kernel's count) */
	MV_NOMEM,      /* left: no free memory on the destination (-ENOMEM) */
	MV_OTHER,      /* left: any other per-page error */
	MV_STOPPED,    /* left: found on a from-node when the mover was told to stop */
	MV_NKINDS
};

struct mv_target {
	/* in */
	int pid;
	int nnodes;           /* finals, before and after cover nodes 0..nnodes-1 */
	const short *finals;  /* finals[n]: where a page now on node n must end */
	/* out */
	uint64_t *before;     /* bytes per node when each chunk was first seen */
	uint64_t *after;      /* bytes per node when the mover was done with it */
	uint64_t bytes[MV_NKINDS];
	int other_err;        /* the errno of the last MV_OTHER page */
	int err;              /* errno of a call that stopped this target, or 0 */
	int stopped;          /* *opts->stop ended the work on it early: some of
	                       * its memory was not looked at (or not moved) */
	uint64_t ns;          /* from its first chunk to its last */
	/* the engine's own */
	int dead;
	uint64_t t_first, t_last;
	struct mv_range *seen;
	size_t nseen, capseen;
};

/* How far the mover is, for a progress display. */
struct mv_progress {
	uint64_t done;        /* bytes moved */
	uint64_t total;       /* bytes to move (numa_maps, read at the start) */
	uint64_t elapsed_ns;
	const uint64_t *node_done; /* bytes moved to each node, nnodes of them */
	int nnodes;
};

struct mv_opts {
	uint64_t rate;        /* bytes per second; 0: no cap */
	unsigned long chunk;  /* base pages per move_pages call */
	int jobs;             /* workers */
	/* called under the mover's lock at most every progress_ns, and once at
	 * the end with final = 1; NULL: no progress (and no numa_maps read) */
	void (*progress)(const struct mv_progress *p, int final);
	uint64_t progress_ns;
	int move_all;         /* MPOL_MF_MOVE_ALL (the caller has CAP_SYS_NICE) */
	/* when *stop becomes non-zero (a signal handler may set it), no worker
	 * starts another move_pages batch: the calls in flight finish (a rate
	 * wait is cut short within 50 ms), pages not yet moved stay, and the
	 * targets not looked at to the end are marked stopped; NULL: never */
	const volatile sig_atomic_t *stop;
};

/* Limits of the options, for the command line's checks. */
#define MV_MAX_JOBS 64
#define MV_MAX_CHUNK 65536UL
#define MV_DEFAULT_CHUNK 4096UL

/* Moves the targets' pages: their chunks are shared out among opts->jobs
 * workers (threads), across processes as well as within each. Fills each
 * target's results. Returns 0, or -1 with errno when the workers could not
 * be started (nothing was moved then). */
int mover_run(struct mv_target *t, int n, const struct mv_opts *opts);

/* 1 when this build cannot reach the process's pages with move_pages: a
 * 32-bit build and a process with mappings above 4 GiB (mover_run then fails
 * that target with EOVERFLOW before moving any of it); else 0. */
int mover_out_of_reach(int pid);

#endif
