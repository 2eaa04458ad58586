/* engine.h - the two ways of moving a target's pages, behind one interface.
 *
 *   single.c  one migrate_pages(2) call per process: the kernel walks the
 *             whole address space under the process's mmap lock (the plain
 *             command line, numactl's way)
 *   mover_engine.c  the chunked mover (mover.c, mover_walk.c, mover_chunk.c):
 *             move_pages(2) a chunk at a time, with
 *             workers, a rate cap, progress and a clean stop (--jobs,
 *             --rate, --chunk, --progress)
 *
 * The pipeline (run.c) holds the targets, makes the checks every engine shares
 * (checks.c), asks the engine for its own refusals, then hands it the targets
 * that passed, a batch at a time. The engine fills in each target's outcome;
 * the reports (report.c) are the same for both.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_ENGINE_H
#define MP_ENGINE_H

#include <stddef.h>

struct target;

struct engine {
	const char *call;     /* the system call it moves pages with */
	/* Refusals of this engine beyond the kernel's shared rules, known
	 * without moving anything (the dry run asks too): 0, or an errno (-1:
	 * no system call's) with the target's message set. NULL: none. */
	int (*refuses)(struct target *t);
	/* Before the move, in the real run: a call that moves nothing and says
	 * whether the kernel would refuse the process (0 or its errno). NULL:
	 * the moving call itself is the check. */
	int (*probe)(struct target *t);
	/* Moves the targets (each has passed the checks and its pidfd said it
	 * was alive), filling in their outcome. */
	void (*move)(struct target **v, size_t n);
};

extern const struct engine engine_single, engine_mover;

#endif
