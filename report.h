/* report.h - what the user is told about each target: --json objects, the
 * --verbose and --dry-run tables, the one line on stderr for a failure, and
 * the mover's progress line. The exit status is folded here too.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_REPORT_H
#define MP_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "target.h"

struct mv_progress;

/* Set once: the value of /proc/sys/kernel/numa_balancing, and whether the
 * targets come from --cgroup (whose vanished processes are passed over). */
void report_setup(int numa_balancing, int cgroup_mode);

/* Reports one target and folds its status into *worst. */
void report_target(const struct target *t, int *worst);

/* The mover's progress line on stderr (final: the last one). */
void report_progress(const struct mv_progress *p, int final);

#endif
