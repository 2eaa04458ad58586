/* target.h - one process to move, held by handles, and what became of it.
 *
 * Every target, from a pid list or a cgroup walk, is held the same way before
 * anything is read or moved: a pidfd (pidfd_open: the process, whatever its
 * number is given to later) and a descriptor of its /proc/PID directory,
 * opened after the pidfd and kept only when the pidfd shows the process
 * still there, so that it is that process's directory, in a /proc of this
 * pid namespace. The files of the process are read through the directory;
 * the calls that name the process by number are made here, and only here
 * (target_migrate_pages, target_move_pages): each only after the pidfd says
 * the process has not exited, and after each the pidfd is polled again. No
 * check closes the window between it and a call that names a number: when
 * the process has been reaped after a call, the call may have reached a new
 * process given its number, and the target's outcome says so (target_settle),
 * an error, whatever the call answered.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_TARGET_H
#define MP_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "bitmap.h"

struct mv_target;

struct target {
	/* who */
	int pid;              /* as named: the pid list, or cgroup.procs */
	int tgid;             /* its process (a thread id named: the process) */
	int mm_pid;           /* the id the calls name: tgid, or a live thread of
	                       * it when its main thread has exited */
	int pidfd;            /* -1: none (no such process, or a kernel before 5.3) */
	int dirfd;            /* /proc/TGID of this pid namespace, or -1; opened
	                       * when first asked for (target_dir) */
	int mmfd;             /* /proc/TGID/task/MM_PID when mm_pid is a thread, else -1 */
	int dir_err;          /* why /proc/TGID could not be opened (errno), or 0 */
	int cgdir;            /* --cgroup: the index of its cgroup, else -1 */
	/* what */
	int resolved;         /* from/to are known */
	struct nodeset from, to;
	/* what became of it */
	int status;           /* EX_* */
	int err;              /* errno, or 0 */
	const char *skip;     /* --cgroup: why it was passed over silently, or NULL */
	const char *msg;      /* the error or warning sentence, or NULL */
	const char *note;     /* information for the reports (not a failure), or NULL */
	long not_moved;       /* the kernel's count of pages it could not move */
	uint64_t left;        /* bytes still on nodes the migration should empty */
	uint64_t ns;          /* how long the moving took */
	int nnodes;           /* before/after cover nodes 0..nnodes-1 */
	uint64_t *before, *after; /* bytes per node, or NULL when not known */
	const struct mv_target *mv; /* the chunked mover's results, or NULL */
	int exited;           /* the pidfd said it exited during the move */
	int gone;             /* no call may name its pid any more */
	int successor;        /* reaped after a call named its pid: the call may
	                       * have reached a successor (atomic: workers set it) */
};

/* Opens the handles of a target named by pid (see the top). Sets tgid, mm_pid,
 * pidfd, dirfd; a process that does not exist gets status EX_FAIL, err
 * ESRCH. Never fails otherwise: a handle that cannot be had is -1. */
void target_open(struct target *t, int pid, int cgdir);
void target_close(struct target *t);

/* 1 while the process has not exited (its pidfd, or else its /proc
 * directory or kill(0), says so), else 0, and from then on t->gone. */
int target_alive(struct target *t);

/* The two calls that name the process by number (t->mm_pid), made only
 * while its pidfd says it has not exited: else -1 with ESRCH and no call.
 * After the call the pidfd is polled; the call's answer and errno are
 * returned unchanged, and t->successor is set when the process has been
 * reaped meanwhile. target_move_pages may be called from several threads at
 * once (it opens nothing). */
long target_migrate_pages(struct target *t, const struct nodeset *from, const struct nodeset *to);
long target_move_pages(struct target *t, unsigned long n, const unsigned long *pages,
		       const int *nodes, int *status, int flags);
/* After the engine: a target a call may have reached a successor of gets
 * the outcome that says so (status EX_FAIL, ESRCH), whatever came before. */
void target_settle(struct target *t);

/* The process's /proc directory, opened the first time it is asked for
 * (a plain move reads nothing there), and kept only when the pidfd shows the
 * process not reaped after the open; -1 without one. */
int target_dir(struct target *t);

/* The /proc directory to read the memory of the process from (maps,
 * numa_maps, pagemap): its own, or that of the live thread the calls name
 * when its main thread has exited; -1 without /proc. */
int target_mmfd(struct target *t);

/* Calls name the live thread tid from now on (its main thread has exited). */
void target_use_thread(struct target *t, int tid);

/* The nodes the process may use (its cpuset): 0, or -1 with errno. */
int target_mems(struct target *t, struct nodeset *out);

/* The kernel's plan for the target (mig_plan, bitmap.h): its from-nodes
 * mapped onto its to-nodes as far as they lie within the caller's own cpuset
 * (the kernel uses only those; when none does, onto all of them, for the
 * messages). Returns the number of steps. */
int target_plan(const struct target *t, struct mig_step steps[MP_MAXNODES]);
/* The caller's cpuset, read once by the pipeline (NULL: not known). */
void target_set_caller_mems(const struct nodeset *mems);

/* Messages and notes, kept in the batch's arena until the reports. */
void target_msg(struct target *t, const char *f, ...) __attribute__((format(printf, 2, 3)));
void target_note(struct target *t, const char *f, ...) __attribute__((format(printf, 2, 3)));
/* The batch is done: every message and per-node array is given back. */
void target_batch_reset(void);
/* Per-node arrays for before and after, of n nodes, and other memory that
 * lives as long as the batch (zeroed; NULL when none is left). */
uint64_t *target_nodes(int n);
void *target_alloc(size_t bytes);

#endif
