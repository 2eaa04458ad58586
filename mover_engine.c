/* mover_engine.c - the chunked mover as an engine (engine.h): what it refuses
 * beyond the kernel's rules, the probe before it moves, the closing
 * migrate_pages call for pages move_pages cannot see, and what its figures
 * mean for each target's outcome. The moving itself is mover.c's.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "cli.h"
#include "engine.h"
#include "fmt.h"
#include "kerndat.h"
#include "mem.h"
#include "mover.h"
#include "output.h"
#include "report.h"
#include "stop.h"
#include "syscall_arch.h"
#include "sysinfo.h"
#include "target.h"

static const struct tracker *tracker; /* --cold, --hot */

/* ---- refusals and the probe ------------------------------------------------- */

/* The nodes the target's pages go to: the finals of the from-nodes that
 * move (a from-node that maps to itself is left alone, not a destination). */
static void destinations(const struct target *t, struct nodeset *dest)
{
	static struct mig_step steps[MP_MAXNODES];
	int nsteps = target_plan(t, steps);

	ns_clear(dest);
	for (int n = ns_next(&t->from, -1); n >= 0; n = ns_next(&t->from, n)) {
		int d = mig_final(steps, nsteps, n);
		if (d != n)
			ns_add(dest, d);
	}
}

static int mover_refuses(struct target *t)
{
	static char list[MP_MAXNODES * 5], list2[MP_MAXNODES * 5];
	struct nodeset mems, dest, outside;
	int r;

	if (kd_proc_problem()) {
		target_msg(t, "%s: the chunked mover reads each process's memory map there; "
			   "mount a /proc of this pid namespace, or leave out --jobs, --rate, "
			   "--chunk and --progress (one migrate_pages call needs no /proc)",
			   kd_proc_problem());
		return -1;
	}
	if (target_mmfd(t) >= 0 && mover_out_of_reach(target_mmfd(t))) {
		target_msg(t, "it has memory above 4 GiB, out of reach of this 32-bit build's "
			   "move_pages (it is a 64-bit process): use the 64-bit build, or leave "
			   "out --jobs, --rate, --chunk and --progress (the single migrate_pages "
			   "call has no such limit)");
		return EOVERFLOW;
	}
	if ((r = check_node_rules(t)) != 0 || target_mems(t, &mems) < 0)
		return r; /* (not known: move_pages will say) */
	destinations(t, &dest);
	if (ns_subset(&dest, &mems))
		return 0;
	/* migrate_pages may, with CAP_SYS_NICE; move_pages never does */
	ns_andnot(&outside, &dest, &mems);
	ns_format(&outside, list2, sizeof(list2));
	ns_format(&mems, list, sizeof(list));
	target_msg(t, "to-nodes %s are outside the nodes the process may use "
		   "(Mems_allowed_list: %s): move_pages cannot put pages there; without "
		   "--rate, --jobs, --chunk and --progress, one migrate_pages call can", list2, list);
	return EPERM;
}

/* move_pages of no page: the kernel's checks of the process (it exists, may
 * be read, has memory), and nothing moved. */
static int mover_probe(struct target *t)
{
	if (target_move_pages(t, 0UL, NULL, NULL, NULL, 0) == 0)
		return 0;
	if (errno == ESRCH && t->gone && !t->successor) {
		check_exited(t, &engine_mover); /* exited before the call: none made */
		return t->err;
	}
	if (errno == EINVAL && check_live_thread(t) &&
	    target_move_pages(t, 0UL, NULL, NULL, NULL, 0) == 0)
		return 0;
	return errno;
}

/* ---- the closing call ---------------------------------------------------------- */

static void usage_into(struct target *t, uint64_t *v, int nnodes)
{
	static struct usage u;

	memset(v, 0, (size_t)nnodes * sizeof(*v));
	if (proc_usage(target_mmfd(t), &u) == 0)
		for (int n = 0; n < nnodes; n++)
			v[n] = u.bytes[n];
}

/* The closing call moves every page it can from the nodes to be emptied,
 * not only those move_pages could not see: pages move_pages left (busy a
 * moment, the to-nodes full, another error) may have gone with it, and are
 * then counted moved (in final_bytes). What numa_maps shows on those nodes
 * after the call bounds what stayed: the reasons are cut down to it, busy
 * pages first (the likeliest to have moved since), shared ones last. */
static void recount_left(struct mv_target *m)
{
	static const int kinds[] = { MV_BUSY, MV_OTHER, MV_NOMEM, MV_SHARED };
	uint64_t on = 0, left = 0;

	for (int n = 0; n < m->nnodes; n++)
		if (m->finals[n] != n)
			on += m->after[n];
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		left += m->bytes[kinds[k]];
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && left > on; k++) {
		uint64_t cut = left - on < m->bytes[kinds[k]] ? left - on : m->bytes[kinds[k]];
		m->bytes[kinds[k]] -= cut;
		left -= cut;
	}
}

/* Pages move_pages could not see are moved by one migrate_pages call, which
 * makes the placement the single call's. The figures come from numa_maps
 * just before and after it: what left a node was there before; after is
 * what numa_maps says. Returns the call's errno, or 0. */
static int closing_call(struct mv_target *m)
{
	struct target *t = m->t;
	uint64_t *a = target_nodes(m->nnodes), *b = target_nodes(m->nnodes);
	long r;
	int e = 0;

	if (!a || !b || !target_alive(t))
		return a && b ? ESRCH : ENOMEM;
	usage_into(t, a, m->nnodes);
	r = target_migrate_pages(t, &t->from, &t->to);
	if (r < 0)
		e = errno;
	else if (r > 0)
		e = EBUSY;
	usage_into(t, b, m->nnodes);
	for (int n = 0; n < m->nnodes; n++) {
		if (a[n] > m->after[n])
			m->before[n] += a[n] - m->after[n];
		if (m->finals[n] != n && a[n] > b[n])
			m->final_bytes += a[n] - b[n];
		m->after[n] = b[n];
	}
	m->bytes[MV_MOVED] += m->final_bytes;
	recount_left(m);
	return e;
}

/* ---- outcomes ------------------------------------------------------------------- */

static void interrupted(struct target *t, const struct mv_target *m)
{
	char a[48];

	t->before = t->after = NULL; /* what it looked at is not all it has */
	t->status = m->bytes[MV_MOVED] ? EX_PARTIAL : EX_FAIL;
	t->err = EINTR;
	target_msg(t, "interrupted by %s %s%s; the rest of its memory stays where it is",
		   stop_name(stop_sig), m->bytes[MV_MOVED] ? "after moving " :
		   "before any of its pages moved", m->bytes[MV_MOVED] ?
		   human(m->bytes[MV_MOVED], a, sizeof(a)) : "");
}

static void exited_meanwhile(struct target *t, const struct mv_target *m)
{
	char a[48];

	t->before = t->after = NULL;
	t->status = EX_FAIL;
	t->err = ESRCH;
	t->skip = "exited";
	target_msg(t, "the process exited during the move, after %s had moved; no call "
		   "named its pid after that", human(m->bytes[MV_MOVED], a, sizeof(a)));
}

/* Pages left on nodes the plan empties: why, in one sentence. */
static void left_behind(struct target *t, const struct mv_target *m, uint64_t left,
			int final_err)
{
	char a[48], b[48], why[600];
	size_t o = 0;

	why[0] = 0;
	if (m->bytes[MV_BUSY])
		o += fmt(why + o, sizeof(why) - o, "in use: %s", human(m->bytes[MV_BUSY], b, sizeof(b)));
	if (m->bytes[MV_NOMEM])
		o += fmt(why + o, sizeof(why) - o, "%sthe to-nodes ran out of free memory",
			 o ? "; " : "");
	if (m->bytes[MV_OTHER])
		o += fmt(why + o, sizeof(why) - o, "%sother errors, the last: %s", o ? "; " : "",
			 strerror(m->other_err));
	if (final_err)
		o += fmt(why + o, sizeof(why) - o, "%smove_pages could not see some (PROT_NONE), "
			 "and the closing migrate_pages call %s", o ? "; " : "",
			 final_err == EBUSY ? "could not move all of them" : strerror(final_err));
	if (tracker && m->bytes[MV_UNSEEN])
		o += fmt(why + o, sizeof(why) - o, "%s%s in PROT_NONE mappings, which move_pages "
			 "cannot see on this kernel (before 6.5, with NUMA balancing)", o ? "; " : "",
			 human(m->bytes[MV_UNSEEN], b, sizeof(b)));
	if (m->bytes[MV_SHARED])
		fmt(why + o, sizeof(why) - o, "; and %s", left_reason());
	t->status = EX_PARTIAL;
	target_msg(t, "%s could not be moved (%s)", human(left, a, sizeof(a)), why);
}

/* move_pages answers -EACCES for a page both when it is shared (and the
 * caller lacks CAP_SYS_NICE) and when its destination is outside the
 * process's cpuset: the cpuset was checked before the move, so a
 * destination outside it now left it during the run. 1 with the reason in
 * why, else 0. */
static int cpuset_changed(struct target *t, char *why, size_t len)
{
	static char list[MP_MAXNODES * 5], list2[MP_MAXNODES * 5];
	struct nodeset mems, dest, outside;

	if (target_mems(t, &mems) < 0)
		return 0;
	destinations(t, &dest);
	if (ns_subset(&dest, &mems))
		return 0;
	ns_andnot(&outside, &dest, &mems);
	ns_format(&outside, list, sizeof(list));
	ns_format(&mems, list2, sizeof(list2));
	fmt(why, len, "to-nodes %s left the process's cpuset during the move "
	    "(Mems_allowed_list: %s)", list, list2);
	return 1;
}

/* What the mover found becomes the target's outcome. */
static void outcome(struct target *t, struct mv_target *m, int final_err)
{
	static char why[600];
	char a[48];
	uint64_t left = m->bytes[MV_BUSY] + m->bytes[MV_NOMEM] + m->bytes[MV_OTHER] +
			(tracker ? m->bytes[MV_UNSEEN] : 0);

	t->mv = m;
	t->ns = m->ns;
	t->before = m->before;
	t->after = m->after;
	if (m->stopped) {
		interrupted(t, m);
		return;
	}
	if (m->exited) {
		exited_meanwhile(t, m);
		return;
	}
	if (m->err) {
		t->before = t->after = NULL;
		check_fail(t, m->err, &engine_mover);
		return;
	}
	if (final_err) {
		/* what numa_maps still shows on nodes to be emptied, beyond what
		 * the mover itself left there */
		uint64_t on = 0, known = left + m->bytes[MV_SHARED];
		for (int n = 0; n < m->nnodes; n++)
			if (m->finals[n] != n)
				on += m->after[n];
		left += on > known ? on - known : 0;
	}
	t->left = left + m->bytes[MV_SHARED];
	if (m->bytes[MV_SHARED] && cpuset_changed(t, why, sizeof(why))) {
		t->status = EX_PARTIAL;
		target_msg(t, "%s could not be moved: %s", human(t->left, a, sizeof(a)), why);
	} else if (left)
		left_behind(t, m, left, final_err);
	else if (m->bytes[MV_SHARED]) /* the kernel's single call leaves them too */
		target_note(t, "%s stayed: %s", human(m->bytes[MV_SHARED], a, sizeof(a)),
			    left_reason());
}

/* ---- the engine ------------------------------------------------------------------- */

void mover_set_tracker(const struct tracker *tr)
{
	tracker = tr;
}

static void mover_opts(struct mv_opts *mo, int phase)
{
	unsigned long page = kd_page_size();

	memset(mo, 0, sizeof(*mo));
	mo->rate = opt.rate;
	mo->chunk = opt.chunk;
	if (opt.rate && !opt.chunk_given) {
		/* under a cap, chunks of an eighth of a second's worth (512 to 4096
		 * pages): a pause between chunks then stays short enough for the
		 * pacing to make up */
		uint64_t c = opt.rate / 8 / page;
		mo->chunk = c < 512 ? 512 : c < opt.chunk ? (unsigned long)c : opt.chunk;
	}
	mo->jobs = opt.jobs;
	mo->move_all = sys_nice();
	/* a scan after a stop in the window runs to its end: the second
	 * signal ends the tool */
	mo->stop = (phase == MV_SCAN || phase == MV_VERIFY || phase == MV_GATHER) && stop_sig ? NULL : &stop_sig;
	mo->phase = phase;
	mo->tracker = tracker;
	mo->record_moved = phase == MV_MOVE && tracker && opt.verify_ms;
	if (tracker) {
		/* chunks of whole huge pages: a huge page is judged by its head,
		 * which must be in the same chunk as its tails */
		unsigned long thp = kd_thp_size(), per = thp ? thp / page : 1;
		if (per > 1 && mo->chunk % per)
			mo->chunk += per - mo->chunk % per;
		if (mo->chunk > MV_MAX_CHUNK)
			mo->chunk = MV_MAX_CHUNK;
	}
	mo->select = !tracker ? MV_SELECT_ALL : opt.watch == WATCH_COLD ? MV_SELECT_IDLE
								    : MV_SELECT_ACCESSED;
	/* progress only where pages move (not the marking at a window's start,
	 * nor a scan that judges); --json: events on stdout, only when asked
	 * (--progress=always) */
	if (phase == MV_MOVE && (opt.progress == 2 || (opt.progress == 1 && !opt.json && isatty(2)))) {
		mo->progress = report_progress;
		mo->progress_ns = !opt.json && isatty(2) ? 250000000u : 1000000000u;
	}
}

/* A target's part of the mover: its finals and its per-node figures. */
static int mover_target(struct mv_target *m, struct target *t)
{
	static struct mig_step steps[MP_MAXNODES];
	int nsteps = target_plan(t, steps);
	short *finals = (short *)(void *)target_nodes((t->nnodes + 3) / 4);

	memset(m, 0, sizeof(*m));
	m->t = t;
	m->nnodes = t->nnodes;
	m->before = target_nodes(t->nnodes);
	m->after = target_nodes(t->nnodes);
	if (tracker) {
		m->accessed = target_nodes(t->nnodes);
		m->idle = target_nodes(t->nnodes);
		if (!m->accessed || !m->idle)
			return -1;
	}
	if (!finals || !m->before || !m->after)
		return -1;
	for (int k = 0; k < t->nnodes; k++)
		finals[k] = (short)mig_final(steps, nsteps, k);
	m->finals = finals;
	return 0;
}

/* --verify: the ranges a target moved, in address order, joined. */
static int cmp_range(const void *a, const void *b)
{
	const struct mv_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void sort_moved(struct mv_target *m)
{
	size_t k = 0;
	struct mv_range *r = m->moved;

	if (!m->nmoved)
		return;
	qsort(r, m->nmoved, sizeof(*r), cmp_range);
	for (size_t i = 1; i < m->nmoved; i++) {
		if (r[i].start <= r[k].end) {
			if (r[i].end > r[k].end)
				r[k].end = r[i].end;
		} else {
			r[++k] = r[i];
		}
	}
	m->nmoved = k + 1;
}

/* --verify: the last MV_MOVE run's targets (t->mv points into it) */
static struct mv_target *moved_run;
static size_t moved_n;

/* The move's results for t (with the ranges it moved), or NULL. */
static struct mv_target *moved_of(const struct target *t)
{
	uintptr_t a = (uintptr_t)t->mv, lo = (uintptr_t)moved_run;

	if (!moved_n || a < lo || a >= lo + moved_n * sizeof(*moved_run))
		return NULL;
	return &moved_run[(a - lo) / sizeof(*moved_run)];
}

void mover_engine_verify(struct target **v, size_t n)
{
	static struct mv_opts mo;
	struct mv_target *m = target_alloc(n * sizeof(struct mv_target));

	if (!m)
		return;
	mover_opts(&mo, MV_VERIFY);
	for (size_t i = 0; i < n; i++) {
		struct mv_target *moved = moved_of(v[i]);
		if (mover_target(&m[i], v[i]) < 0 || !moved || !moved->nmoved) {
			m[i].dead = 1;
			continue;
		}
		m[i].only = moved->moved;
		m[i].nonly = moved->nmoved;
		m[i].chunk = mo.chunk;
	}
	if (mover_run(m, (int)n, &mo) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		struct mv_target *moved = moved_of(v[i]);
		if (!moved)
			continue;
		moved->verified = 1;
		if (moved->nmoved && !m[i].dead) {
			moved->again = m[i].accessed;
			moved->quiet = m[i].idle;
			moved->again_untracked = m[i].untracked;
		}
		mem_put(moved->moved, moved->capmoved * sizeof(*moved->moved));
		moved->moved = NULL;
		moved->nmoved = moved->capmoved = 0;
	}
}

void mover_engine_run(struct target **v, size_t n, int phase)
{
	static struct mv_opts mo;
	/* the reports read m[] (t->mv): it lives as long as the batch */
	struct mv_target *m = target_alloc(n * sizeof(struct mv_target));
	int e = errno;

	mover_opts(&mo, phase);
	for (size_t i = 0; m && i < n; i++) {
		if (mover_target(&m[i], v[i]) < 0)
			m[i].dead = 1, m[i].err = ENOMEM;
		m[i].chunk = mo.chunk; /* what the reports say was used */
	}
	if (phase == MV_MOVE) {
		out_moved();
		moved_run = m;
		moved_n = m ? n : 0;
	}
	if (!m || mover_run(m, (int)n, &mo) < 0) {
		e = m ? errno : e;
		for (size_t i = 0; i < n; i++) {
			v[i]->status = EX_FAIL;
			target_msg(v[i], "cannot start the workers: %s", strerror(e));
		}
		return;
	}
	for (size_t i = 0; i < n && phase != MV_MARK && phase != MV_GATHER; i++) {
		int final_err = 0;
		/* (with a tracker the closing call is not made: it would move
		 * every page, touched or not) */
		if (m[i].bytes[MV_UNSEEN] && !m[i].stopped && !m[i].err && !stop_sig && !tracker)
			final_err = closing_call(&m[i]);
		if (mo.record_moved)
			sort_moved(&m[i]);
		outcome(v[i], &m[i], final_err);
		if (phase == MV_SCAN) /* judged, not moved: no before and after */
			v[i]->before = v[i]->after = NULL;
	}
}

static void mover_move(struct target **v, size_t n)
{
	mover_engine_run(v, n, MV_MOVE);
}

const struct engine engine_mover = {
	.call = "move_pages",
	.refuses = mover_refuses,
	.probe = mover_probe,
	.move = mover_move,
};
