/* single.c - the engine of the plain command line: one migrate_pages(2) call
 * per process (engine.h). The kernel checks and moves in one go; its answer
 * is the outcome, and the per-node figures of the reports come from
 * numa_maps before and after.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "checks.h"
#include "cli.h"
#include "engine.h"
#include "kerndat.h"
#include "output.h"
#include "fmt.h"
#include "syscall_arch.h"
#include "sysinfo.h"
#include "target.h"

/* numa_maps of the target, per node (NULL when it cannot be read); the
 * last reading's bytes in mappings with pages mapped more than once stay in
 * seen.shared. */
static struct usage seen;

static uint64_t *figures(struct target *t)
{
	uint64_t *v;

	if (target_dir(t) < 0 || proc_usage(target_mmfd(t), &seen) < 0 ||
	    !(v = target_nodes(t->nnodes)))
		return NULL;
	for (int n = 0; n < t->nnodes; n++)
		v[n] = seen.bytes[n];
	return v;
}

/* Pages still on a node the kernel's plan empties: information for the
 * reports. Without CAP_SYS_NICE they are mostly pages shared with other
 * processes (the kernel's rule for an unprivileged call: not counted, not a
 * failure); with it, pages in use or allocated there since the call.
 * Returns 1 when a page left behind would show there: every node the plan
 * moves from is one it empties (not so for 0,1 -> 1,2, where node 1 gets
 * node 0's pages). */
static uint64_t by_rule; /* of t->left: in mappings shared with others, which
			  * an unprivileged call leaves (note_left) */

static int note_left(struct target *t)
{
	static struct mig_step steps[MP_MAXNODES];
	char h[48], list[MP_MAXNODES * 5];
	struct nodeset drained, left_on;
	int nsteps = target_plan(t, steps), shows = nsteps > 0;

	mig_drained(steps, nsteps, &drained);
	for (int i = 0; i < nsteps; i++)
		if (!ns_has(&drained, steps[i].src))
			shows = 0;
	ns_clear(&left_on);
	by_rule = 0;
	for (int n = ns_next(&drained, -1); n >= 0 && n < t->nnodes; n = ns_next(&drained, n)) {
		if (t->after[n]) {
			t->left += t->after[n];
			ns_add(&left_on, n);
			if (!sys_nice())
				by_rule += seen.shared[n] < t->after[n] ? seen.shared[n] : t->after[n];
		}
	}
	if (!t->left)
		return shows;
	ns_format(&left_on, list, sizeof(list));
	if (t->err == ENOMEM)
		target_msg(t, "the to-nodes ran out of free memory: %s (%llu pages) could not be "
			   "moved and stayed on node%s %s; the rest moved", human(t->left, h, sizeof(h)),
			   (unsigned long long)(t->left / kd_page_size()), ns_count(&left_on) > 1 ? "s" : "",
			   list);
	else
		target_note(t, "%s (%llu pages) stayed on node%s %s: %s", human(t->left, h, sizeof(h)),
			    (unsigned long long)(t->left / kd_page_size()),
			    ns_count(&left_on) > 1 ? "s" : "", list, left_reason());
	return shows;
}

/* A positive answer with nothing left behind (but, for a caller without
 * CAP_SYS_NICE, pages in mappings shared with other processes, which the
 * kernel's rule leaves and does not count). In Linux 6.12 (6.1 has no
 * such count) migrate_pages(2) adds to its answer the folios its page-table
 * walk could not take off the LRU list when it met them, and the answer can
 * be positive with every page moved: Debian's 6.12 answered 1 for every move
 * of a busybox process whose binary's pages were on the from-node, while
 * /proc/vmstat's pgmigrate_fail did not change and numa_maps showed every
 * page on the to-node. (Which page it counted is not known: kpageflags showed
 * every page of the process on the LRU but the vDSO's, which the walk skips.)
 * When numa_maps after the call shows no page on any node the plan empties,
 * and a page left would show there, nothing stayed: the run is complete
 * (exit 0); the kernel's count is kept in not_moved and a note says why it
 * is not a failure. */
static void settle_count(struct target *t, long r)
{
	t->status = EX_OK;
	t->msg = NULL;
	if (t->left)
		target_note(t, "the kernel counted %ld page%s as not moved, yet the only pages "
			    "that stayed on the nodes moved from are in mappings shared with other "
			    "processes (numa_maps after the call), which the kernel's rule leaves "
			    "without CAP_SYS_NICE: counted, not left behind", r, r == 1 ? "" : "s");
	else
		target_note(t, "the kernel counted %ld page%s as not moved, yet none stayed on "
			    "the nodes moved from (numa_maps after the call): counted, not left "
			    "behind", r, r == 1 ? "" : "s");
}

static void move_one(struct target *t)
{
	int reports = opt.verbose || opt.json || opt.metrics, e;
	struct timespec t0, t1;
	long r;

	if (reports && target_dir(t) < 0)
		target_note(t, "per-node figures not shown: %s", kd_proc_ours() ? "the process's "
			    "/proc directory could not be opened" : kd_proc_problem());
	if (reports && target_dir(t) >= 0) {
		check_live_thread(t);
		t->before = figures(t);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = target_migrate_pages(t, &t->from, &t->to);
	e = errno;
	if (r < 0 && e == ESRCH && t->gone && !t->successor) {
		check_exited(t, &engine_single); /* exited before the call: none made */
		return;
	}
	out_moved();
	if (r < 0 && e == EINVAL && t->mm_pid == t->tgid && check_live_thread(t)) {
		r = target_migrate_pages(t, &t->from, &t->to);
		e = errno;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	t->ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u + (uint64_t)t1.tv_nsec -
		(uint64_t)t0.tv_nsec;
	if (r < 0) {
		check_fail(t, e, &engine_single);
		if (t->err != ENOMEM)
			return;
		reports = 1; /* say how much stayed behind */
	} else if (r > 0) {
		t->not_moved = r;
		t->status = EX_PARTIAL;
		target_msg(t, "%ld page%s could not be moved", r, r == 1 ? "" : "s");
	}
	if (reports && t->pidfd >= 0 && !target_alive(t))
		target_note(t, "it exited during the migration");
	/* a positive count is checked against numa_maps even without reports */
	if ((reports || r > 0) && (t->after = figures(t)) && note_left(t) && r > 0 &&
	    t->left == by_rule && target_alive(t))
		settle_count(t, r);
}

static void single_move(struct target **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		move_one(v[i]);
}

const struct engine engine_single = {
	.call = "migrate_pages",
	.refuses = NULL, /* the call is the check */
	.probe = NULL,
	.move = single_move,
};
