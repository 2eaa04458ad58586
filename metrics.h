/* metrics.h - --metrics FILE: the run's figures in Prometheus' text
 * exposition format, for node_exporter's textfile collector.
 *
 * The samples of each metric family are gathered in a buffer of its own as
 * the targets are reported (a run may report thousands of processes in
 * batches), and written together at the end: into a temporary file created
 * in FILE's folder before anything is moved (so that a path that cannot be
 * written is refused first), then renamed over FILE, so a collector never
 * reads half a file. Nothing here runs without --metrics: a plain move makes
 * no more system calls than before.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_METRICS_H
#define MP_METRICS_H

#include <stdint.h>

#include "bitmap.h"

/* The option, while the command line is parsed: the path, and the start of
 * the run's clock. */
void metrics_start(const char *path);

/* Before anything is moved: the temporary file is created; a failure exits 1
 * (die). Nothing without --metrics. */
void metrics_open(void);

/* One process's figures. cgroup: its cgroup (--cgroup), or NULL. Per-node
 * arrays of nnodes entries, NULL when not known; rows: the nodes shown. */
struct metrics_target {
	int pid, status, nnodes;
	const char *cgroup;
	const struct nodeset *rows;
	const uint64_t *before, *after, *touched, *untouched;
	uint64_t moved, left, untracked;
	int moved_known, watched;
	/* --verify: the pages moved, touched again and not, per node (NULL:
	 * not verified) */
	const uint64_t *again, *quiet;
};
void metrics_target(const struct metrics_target *m);

/* The end of the run, exit status status, or 128 + sig when signal sig
 * (non-zero) stopped it: the run's figures, the file written and renamed.
 * Returns status, or EX_FAIL when the file could not be written (said).
 * Nothing without --metrics. */
int metrics_finish(int status, int sig);

#endif
