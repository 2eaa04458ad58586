/* cgroup.h - every process of a cgroup tree: the directory and all below it,
 * each cgroup.procs (or, in threaded cgroups, cgroup.threads mapped to
 * processes). The tree is walked with directory descriptors (openat), so a
 * path has no length limit, and only names are kept: 10,000 cgroups cost
 * their names and a few words each.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_CGROUP_H
#define MP_CGROUP_H

#include <stddef.h>

#include "sysinfo.h"

struct cgdir {
	int parent;               /* index of the parent directory, -1 for the top */
	unsigned name;            /* offset of its name in names */
	unsigned char threaded;   /* its processes come from cgroup.threads */
};

struct cgwalk {
	const char *top;
	int topfd;
	struct cgdir *dirs;
	size_t ndirs, capdirs;
	char *names;
	size_t nlen, ncap;
	struct pidlist pids, dir; /* each process found, and its directory's index */
	size_t outside;           /* "0" lines: processes outside this pid namespace */
	/* what could not be read: the top (cg_walk fails), or subtrees below it,
	 * which are skipped (their processes are not in pids) */
	size_t unreadable;
	int err, err_dir;         /* the first such error and its directory */
	int err_threads;          /* it was a threaded cgroup's threads */
};

/* Walks the tree under top. Returns 0 (subtrees that could not be read are
 * counted in unreadable), or -1 with errno when top itself cannot be read. */
int cg_walk(const char *top, struct cgwalk *w);

/* Reads directory i's processes again (for a membership check), into l. */
int cg_dir_pids(const struct cgwalk *w, int i, struct pidlist *l);

/* Directory i's path for a message (a long one shortened in its middle). */
const char *cg_path(const struct cgwalk *w, int i, char *buf, size_t len);

void cg_free(struct cgwalk *w);

#endif
