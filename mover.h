/* mover.h - the chunked mover: moves a process's pages with move_pages(2), a
 * chunk at a time, so that the process's mmap lock is never held for the
 * whole job (migrate_pages(2) holds it throughout). The engine behind
 * --rate, --jobs, --progress and --chunk (engine.h: engine_mover).
 *
 * Per process, /proc/PID/maps and numa_maps are streamed side by side (a
 * fixed buffer each): a mapping that holds nothing on a node to be emptied is
 * skipped whole and counted from numa_maps, so reserved address space costs
 * nothing. The other mappings are cut into chunks; a chunk's present pages
 * come from /proc/PID/pagemap, and only they are passed to move_pages. Where
 * numa_maps says all of a mapping's pages sit on one node to be emptied, they
 * are moved without being asked where they are first (the call's status
 * array says where each ended); elsewhere each is asked, and moved to
 * finals[node], the node the kernel's own migrate_pages would leave it on
 * (mig_final in bitmap.c), so the placement is the single call's.
 *
 * Pages move_pages cannot see (on kernels before 6.6 built with NUMA
 * balancing, those of mappings made PROT_NONE; found by a probe) are counted
 * from numa_maps, and one migrate_pages call at the end moves them.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_MOVER_H
#define MP_MOVER_H

#include <signal.h>
#include <stdint.h>

struct target;
struct tracker;

/* A range of addresses, [start, end). */
struct mv_range {
	unsigned long start, end;
};

/* What became of the pages found, in bytes. */
enum mv_kind {
	MV_MOVED,      /* moved to its destination */
	MV_IN_PLACE,   /* on a node the plan leaves alone */
	MV_SHARED,     /* left: mapped by other processes too, no CAP_SYS_NICE (-EACCES) */
	MV_BUSY,       /* left: in use, could not be isolated (-EBUSY) */
	MV_NOMEM,      /* left: no free memory on the destination (-ENOMEM) */
	MV_OTHER,      /* left: any other per-page error */
	MV_STOPPED,    /* left: found on a from-node when the mover was told to stop */
	MV_UNSEEN,     /* found on a from-node where move_pages cannot see it
	                * (PROT_NONE); the closing migrate_pages call moves it */
	MV_NKINDS
};

struct mv_target {
	/* in */
	struct target *t;     /* the process: mm_pid, pidfd, dirfd, from, to */
	int nnodes;           /* finals, before and after cover nodes 0..nnodes-1 */
	const short *finals;  /* finals[n]: where a page now on node n must end */
	/* out */
	uint64_t *before;     /* bytes per node when each chunk was first seen */
	uint64_t *after;      /* bytes per node when the mover was done with it */
	uint64_t bytes[MV_NKINDS];
	uint64_t final_bytes; /* moved by the closing migrate_pages call */
	/* with a tracker (mv_opts.tracker): bytes judged per node, and those
	 * that could not be judged (hugetlb, the zero page, out of sight) */
	uint64_t *accessed, *idle;
	uint64_t untracked;
	/* untracked by reason: [-1 - v] for a verdict v (tracker.h: other,
	 * the zero page, shared, a mapping flagged as a whole) */
	uint64_t untracked_why[4];
	/* judged though shared: every mapping of their frames was in a watched
	 * process (tracker.h: TRACK_BY_FRAME) */
	uint64_t shared_judged;
	int other_err;        /* the errno of the last MV_OTHER page */
	int err;              /* errno of a call that stopped this target, or 0 */
	int exited;           /* its pidfd said it exited: no call named it after */
	int stopped;          /* the stop came before the mover was done with it */
	uint64_t ns;          /* from its first chunk to its last */
	unsigned long chunk;  /* pages per move_pages call the mover used */
	/* the engine's own */
	int dead, pagemap;
	uint64_t t_first, t_last;
	struct mv_range *seen;
	size_t nseen, capseen;
	/* --verify: the ranges moved (mv_opts.record_moved), in address order
	 * after the run; moved_lost: some could not be kept (no memory) */
	struct mv_range *moved;
	size_t nmoved, capmoved;
	int moved_lost;
	/* MV_VERIFY: only the units in these ranges are judged (in) */
	const struct mv_range *only;
	size_t nonly;
	/* --verify's results, per node where the moved pages are now: touched
	 * again and not, and the bytes that could not be judged */
	int verified;
	uint64_t *again, *quiet;
	uint64_t again_untracked;
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
	/* cold and hot pages: what this run does with a tracker's verdict */
	int phase;            /* MV_MOVE; MV_MARK: the tracker marks every page
	                       * (the start of its window), nothing else; MV_SCAN:
	                       * the pages are judged and counted, nothing moved;
	                       * MV_GATHER: the tracker is given every page
	                       * (tracker.h: gather), before MV_SCAN or MV_MOVE */
	int select;           /* MV_MOVE: 0 every page; MV_SELECT_IDLE only those
	                       * not touched in the window (--cold),
	                       * MV_SELECT_ACCESSED only those touched (--hot) */
	const struct tracker *tracker;
	int record_moved;     /* MV_MOVE: keep the ranges moved (mv_target.moved) */
};

/* MV_VERIFY: like MV_SCAN, but only the units in each target's only[] are
 * judged and counted (--verify: the pages a move moved) */
enum { MV_MOVE, MV_MARK, MV_SCAN, MV_VERIFY, MV_GATHER };
enum { MV_SELECT_ALL, MV_SELECT_IDLE, MV_SELECT_ACCESSED };

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
 * 32-bit build and a process with mappings above 4 GiB; else 0. */
int mover_out_of_reach(int dirfd);

/* mover_engine.c, for --cold and --hot (watch.c): the tracker the mover
 * judges pages with (NULL: none), and one run of the mover over the
 * targets in a phase (MV_MARK, MV_SCAN, MV_MOVE), filling their outcome. */
void mover_set_tracker(const struct tracker *tr);
void mover_engine_run(struct target **v, size_t n, int phase);

/* --verify, after its window: the pages each target's last move moved,
 * judged (its mv_target's verified, again, quiet, again_untracked filled). */
void mover_engine_verify(struct target **v, size_t n);

#endif
