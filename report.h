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

/* Every JSON object the tool prints names its schema (contrib/
 * migratepages.schema.json; man page, JSON OUTPUT): "migratepages/MAJOR". A
 * field is added within a major version, never renamed or removed. */
#define MP_SCHEMA "migratepages/1"

/* Set once: the value of /proc/sys/kernel/numa_balancing, and whether the
 * targets come from --cgroup (whose vanished processes are passed over). */
void report_setup(int numa_balancing, int cgroup_mode);

/* --cgroup: the path of the cgroup of index cgdir, for --metrics' labels. */
void report_cgroup_names(const char *(*name)(int cgdir));

/* Reports one target and folds its status into *worst. */
void report_target(const struct target *t, int *worst);

/* The mover's progress line on stderr (final: the last one); with --json a
 * progress event on stdout instead. */
void report_progress(const struct mv_progress *p, int final);

/* A failure of the whole run, said on stderr already (die, output.h): with
 * --json an error object on stdout; --metrics' file with exit status 1. */
void report_fatal(const char *msg);

#endif
