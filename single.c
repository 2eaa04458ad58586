/* single.c - the engine of the plain command line: one migrate_pages(2) call
 * per process (engine.h). The kernel checks and moves in one go; its answer
 * is the outcome, and the per-node figures of the reports come from
 * numa_maps before and after.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include "checks.h"
#include "cli.h"
#include "engine.h"
#include "output.h"
#include "report.h"
#include "syscall_arch.h"
#include "sysinfo.h"
#include "target.h"

/* The mask covers the highest node named, rounded up to whole 64-bit words
 * (a 32-bit kernel reads the same bits); maxnode is that bit count + 1,
 * because the kernel reads maxnode - 1 bits. */
static long call_migrate(int pid, const struct nodeset *from, const struct nodeset *to)
{
	int high = ns_last(from) > ns_last(to) ? ns_last(from) : ns_last(to);
	unsigned long bits = ((unsigned long)high / 64 + 1) * 64;

	return syscall(SYS_migrate_pages, pid, bits + 1, from->w, to->w);
}

/* numa_maps of the target, per node (NULL when it cannot be read). */
static uint64_t *figures(struct target *t)
{
	static struct usage u;
	uint64_t *v;

	if (target_dir(t) < 0 || proc_usage(target_mmfd(t), &u) < 0 || !(v = target_nodes(t->nnodes)))
		return NULL;
	for (int n = 0; n < t->nnodes; n++)
		v[n] = u.bytes[n];
	return v;
}

static uint64_t page_size(void)
{
	unsigned long page = getauxval(AT_PAGESZ);
	return page ? page : 4096;
}

/* Pages still on a node the kernel's plan empties: information for the
 * reports. Without CAP_SYS_NICE they are mostly pages shared with other
 * processes (the kernel's rule for an unprivileged call: not counted, not a
 * failure); with it, pages in use or allocated there since the call. */
static void note_left(struct target *t)
{
	static struct mig_step steps[MP_MAXNODES];
	char h[48], list[MP_MAXNODES * 5];
	struct nodeset drained, left_on;

	mig_drained(steps, target_plan(t, steps), &drained);
	ns_clear(&left_on);
	for (int n = ns_next(&drained, -1); n >= 0 && n < t->nnodes; n = ns_next(&drained, n)) {
		if (t->after[n]) {
			t->left += t->after[n];
			ns_add(&left_on, n);
		}
	}
	if (!t->left)
		return;
	ns_format(&left_on, list, sizeof(list));
	if (t->err == ENOMEM)
		target_msg(t, "the to-nodes ran out of free memory: %s (%llu pages) could not be "
			   "moved and stayed on node%s %s; the rest moved", human(t->left, h, sizeof(h)),
			   (unsigned long long)(t->left / page_size()), ns_count(&left_on) > 1 ? "s" : "",
			   list);
	else
		target_note(t, "%s (%llu pages) stayed on node%s %s: %s", human(t->left, h, sizeof(h)),
			    (unsigned long long)(t->left / page_size()),
			    ns_count(&left_on) > 1 ? "s" : "", list, left_reason());
}

static void move_one(struct target *t)
{
	int reports = opt.verbose || opt.json, e;
	struct timespec t0, t1;
	long r;

	if (reports && target_dir(t) < 0)
		target_note(t, "per-node figures not shown: %s", proc_is_ours() ? "the process's "
			    "/proc directory could not be opened" : proc_problem());
	if (reports && target_dir(t) >= 0) {
		check_live_thread(t);
		t->before = figures(t);
	}
	if (!target_alive(t)) {
		check_exited(t, &engine_single);
		return;
	}
	out_moved();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = call_migrate(t->mm_pid, &t->from, &t->to);
	e = errno;
	if (r < 0 && e == EINVAL && t->mm_pid == t->tgid && check_live_thread(t)) {
		r = call_migrate(t->mm_pid, &t->from, &t->to);
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
	if (reports && (t->after = figures(t)))
		note_left(t);
}

static void single_move(struct target **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		move_one(v[i]);
}

const struct engine engine_single = { "migrate_pages", NULL, NULL, single_move };
