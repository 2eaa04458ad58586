/* run.c - the pipeline (see run.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cgroup.h"
#include "checks.h"
#include "cli.h"
#include "devices.h"
#include "engine.h"
#include "fmt.h"
#include "kerndat.h"
#include "mem.h"
#include "metrics.h"
#include "output.h"
#include "report.h"
#include "run.h"
#include "stop.h"
#include "sysinfo.h"
#include "target.h"
#include "tiers_sys.h"
#include "watch.h"

/* What holds for every target of the run. */
static struct {
	struct nodespec from_spec, to_spec;
	struct topology topo;
	int fixed;                    /* the lists do not depend on the target */
	struct nodeset from, to;      /* resolved once when fixed */
	const struct engine *engine;
	int worst;
} plan;

/* ---- the plan ---------------------------------------------------------------- */

/* The node lists of one target: "+" lists count within its cpuset. Returns
 * 0, or -1 with the error in err. */
static int resolve(struct target *t, struct nodeset *from, struct nodeset *to,
		   char *err, size_t errlen)
{
	struct nodeset allowed;
	struct nodectx ctx = { 0, &plan.topo.online, &plan.topo.memory, NULL, t ? t->pid : 0,
			       device_node, &tiers_sysfs };

	if (t && (plan.from_spec.relative || plan.to_spec.relative) &&
	    target_mems(t, &allowed) == 0)
		ctx.allowed = &allowed;
	if (nodespec_resolve("from-nodes", opt.from_text, &plan.from_spec, &ctx, from,
			     err, errlen) < 0)
		return -1;
	ctx.to = 1;
	return nodespec_resolve("to-nodes", opt.to_text, &plan.to_spec, &ctx, to, err, errlen);
}

/* Everything that does not depend on a target, checked before any is
 * touched: a mistake in the lists exits 1 here. */
static void plan_init(void)
{
	static char err[12 * 1024];
	struct nodeset caller;
	int nb = 0;

	metrics_open(); /* --metrics: a file that cannot be written, before anything */

	if (nodespec_parse("from-nodes", opt.from_text, &plan.from_spec, err, sizeof(err)) < 0 ||
	    nodespec_parse("to-nodes", opt.to_text, &plan.to_spec, err, sizeof(err)) < 0)
		die("%s", err);
	/* every target is processed whatever happens to stdout (finish) */
	signal(SIGPIPE, SIG_IGN);
	topo_read(&plan.topo);
	plan.fixed = !plan.from_spec.relative && !plan.to_spec.relative;
	if (plan.fixed && resolve(NULL, &plan.from, &plan.to, err, sizeof(err)) < 0)
		die("%s", err);
	plan.engine = opt.mover ? &engine_mover : &engine_single;
	watch_setup(); /* --cold, --hot: a tracker, or exit 1 before any waiting */
	if ((opt.verbose || opt.json || opt.metrics || opt.dry_run || opt.mover) &&
	    self_mems_allowed(&caller) == 0)
		target_set_caller_mems(&caller);
	if (opt.verbose || opt.json)
		nb = kd_numa_balancing();
	report_setup(nb, opt.cgroup != NULL);
	if (opt.verbose && !opt.json && nb)
		say("note: automatic NUMA balancing is on (/proc/sys/kernel/numa_balancing = %d%s); "
		    "it may move pages back", nb, nb & 2 ? ", memory tiering" : "");
}

/* ---- the sources ------------------------------------------------------------- */

static struct {
	struct cgwalk walk;
	struct pidlist sorted;        /* the pid list, sorted: thread ids' processes */
	struct pidlist threads_seen;  /* processes reached through a thread id */
	size_t next;
} src;

/* The targets of a run: the cgroup walk's, or the pid list's. */
static const struct pidlist *source_pids(void)
{
	return opt.cgroup ? &src.walk.pids : &opt.pids;
}

/* A cgroup's path for a message: quoted, escaped, long ones shortened. */
static const char *cg_shown(int i)
{
	static char path[320], q[800];

	cg_path(&src.walk, i, path, sizeof(path));
	return quote_max(path, (size_t)-1, 300, q, sizeof(q));
}

/* A cgroup's path for --metrics' labels. */
static const char *cg_label(int i)
{
	static char path[4200];

	return cg_path(&src.walk, i, path, sizeof(path));
}

static void cgroup_errors(void)
{
	const char *q;
	const struct cgwalk *w = &src.walk;

	if (w->err_dir == 0) {
		q = cg_shown(0);
		if (w->err_threads)
			die("--cgroup: %s is a threaded cgroup, and its processes could not be found "
			    "from its threads: %s", q, w->err == ENOENT ? "/proc is not mounted"
			    : strerror(w->err));
		die("--cgroup: cannot read %s: %s", q, w->err == EINVAL ? "cgroup.procs is "
		    "not a list of process ids" : w->err == ENOENT ? "no such cgroup "
		    "(cgroup.procs not found)" : w->err == ENOTDIR ? "not a directory"
		    : strerror(w->err));
	}
	if (w->unreadable) {
		q = cg_shown(w->err_dir);
		say("--cgroup: cannot read %s: %s; the processes below it were not moved%s", q,
		    strerror(w->err), w->unreadable > 1 ? " (nor those of other cgroups that "
		    "could not be read)" : "");
		plan.worst = EX_FAIL;
	}
}

static void source_init(void)
{
	if (!opt.cgroup) {
		pidlist_dedupe(&opt.pids, NULL);
		for (size_t i = 0; i < opt.pids.n; i++)
			pidlist_add(&src.sorted, opt.pids.v[i]);
		pidlist_sort(&src.sorted);
		return;
	}
	report_cgroup_names(cg_label);
	if (cg_walk(opt.cgroup, &src.walk) < 0 || src.walk.unreadable)
		cgroup_errors();
	pidlist_dedupe(&src.walk.pids, &src.walk.dir);
	if (src.walk.outside)
		say("note: --cgroup: %zu process%s outside this pid namespace (listed as 0) "
		    "skipped", src.walk.outside, src.walk.outside == 1 ? "" : "es");
	if (src.walk.pids.n == 0 && !src.walk.outside)
		say("note: --cgroup: no processes in %s or below it", cg_shown(0));
}

/* A thread id whose process is named too (or was reached through another
 * thread id): that process is moved once. */
static int same_process_seen(const struct target *t)
{
	if (opt.cgroup || t->tgid == t->pid)
		return 0;
	if (pidlist_has_sorted(&src.sorted, t->tgid))
		return 1;
	for (size_t i = 0; i < src.threads_seen.n; i++)
		if (src.threads_seen.v[i] == t->tgid)
			return 1;
	pidlist_add(&src.threads_seen, t->tgid);
	return 0;
}

/* Descriptors a held target needs: its pidfd and /proc directory, one
 * more for a thread's directory (a main thread that exited), and the
 * mover's pagemap, held until its last chunk is done. */
#define FDS_PER_TARGET(mover) ((mover) ? 4 : 3)
/* Descriptors the run needs beside its targets: stdio, the maps and
 * numa_maps being read, a cgroup walk's top and the chain down to a cgroup
 * read again, the tracker's files. */
#define FDS_RESERVED 16

/* How many targets are held at once. A watch holds them all, so that they
 * are watched in one window (the limit on open files is raised as far as it
 * goes); others at most 256; fewer when the limit on open files allows no
 * more (at least one). */
static size_t batch_cap(void)
{
	struct rlimit rl;
	size_t n = source_pids()->n ? source_pids()->n : 1;
	size_t cap = opt.watch || n < 256 ? n : 256, per = FDS_PER_TARGET(opt.mover), fit;

	if (opt.watch && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return cap;
	fit = rl.rlim_cur > FDS_RESERVED + per ? (size_t)(rl.rlim_cur - FDS_RESERVED) / per : 1;
	if (fit < cap) {
		cap = fit;
		if (opt.watch)
			say("note: %zu processes are watched in windows of %zu, one after the "
			    "other (the limit on open files, %llu, allows no more at once)",
			    source_pids()->n, cap, (unsigned long long)rl.rlim_cur);
	}
	return cap;
}

/* --cgroup: each cgroup of the batch read again, now that its processes are
 * held: one no longer listed left it (or exited) and is passed over. A
 * cgroup that cannot be read again (removed or renamed, no descriptor left)
 * says nothing of who is still in it: its processes are not moved, and that
 * is an error, not a skip. */
static void membership(struct target *v, size_t n)
{
	static struct pidlist now;

	for (size_t i = 0; i < n; i++) {
		int dir = v[i].cgdir, listed, e;
		if (dir < 0 || (i > 0 && v[i - 1].cgdir == dir))
			continue; /* (a cgroup's processes come one after the other) */
		now.n = 0;
		listed = cg_dir_pids(&src.walk, dir, &now) == 0;
		e = errno;
		pidlist_sort(&now);
		for (size_t k = i; k < n && v[k].cgdir == dir; k++) {
			if (v[k].status)
				continue;
			if (!listed) {
				v[k].status = EX_FAIL;
				v[k].err = e;
				target_msg(&v[k], "not moved: its cgroup %s could not be read again to "
					   "see that it is still in it: %s", cg_shown(dir),
					   e == ENOENT ? "the cgroup is gone (removed or renamed)"
					   : strerror(e));
			} else if (!pidlist_has_sorted(&now, v[k].pid)) {
				v[k].status = EX_FAIL;
				v[k].skip = "it left the cgroup";
			}
		}
	}
}

/* --cgroup after a window: the cgroups read once more; the ready targets
 * that left are passed over. Returns how many are left in ready. */
static size_t membership_again(struct target *v, size_t n, struct target **ready, size_t k)
{
	size_t m = 0;

	membership(v, n);
	for (size_t i = 0; i < k; i++)
		if (ready[i]->status == EX_OK)
			ready[m++] = ready[i];
	return m;
}

/* The next batch of held targets; 0 at the end. */
static size_t source_batch(struct target *v, size_t cap)
{
	const struct pidlist *l = source_pids();
	size_t n = 0;

	while (n < cap && src.next < l->n) {
		size_t i = src.next++;
		target_open(&v[n], l->v[i], opt.cgroup ? src.walk.dir.v[i] : -1);
		if (same_process_seen(&v[n])) {
			target_close(&v[n]);
			continue;
		}
		n++;
	}
	if (opt.cgroup)
		membership(v, n);
	return n;
}

/* ---- one target: lists and checks ------------------------------------------ */

static int node_count(const struct target *t)
{
	int n = ns_last(&plan.topo.online);

	if (ns_last(&t->from) > n)
		n = ns_last(&t->from);
	if (ns_last(&t->to) > n)
		n = ns_last(&t->to);
	return n + 1;
}

/* Lists, then the checks; leaves t->status EX_OK when the engine may go on. */
static void prepare(struct target *t)
{
	static char err[12 * 1024];
	const struct engine *e = plan.engine;
	int r;

	if (t->status || stop_sig)
		return; /* it left the cgroup; or a stop came: no further call */
	if (t->gone) {
		check_fail(t, ESRCH, e);
		return;
	}
	if (plan.fixed) {
		t->from = plan.from;
		t->to = plan.to;
	} else if (resolve(t, &t->from, &t->to, err, sizeof(err)) < 0) {
		if (!target_alive(t)) {
			check_fail(t, ESRCH, e); /* it exited meanwhile */
			return;
		}
		t->status = EX_FAIL;
		target_msg(t, "%s", err);
		return;
	}
	t->resolved = 1;
	t->nnodes = node_count(t);
	if (opt.dry_run)
		r = check_predict(t, e);
	else if ((r = e->probe ? e->probe(t) : 0) == 0 && e->refuses)
		r = e->refuses(t);
	if (r)
		check_fail(t, r, e);
}

/* ---- the dry run's figures ----------------------------------------------------- */

static void dry_figures(struct target *t)
{
	static struct usage u;

	if (target_dir(t) < 0 || proc_usage(target_mmfd(t), &u) < 0 || !(t->before = target_nodes(t->nnodes)))
		return;
	for (int n = 0; n < t->nnodes; n++)
		t->before[n] = u.bytes[n];
}

/* ---- the run ------------------------------------------------------------------- */

#define SMALL_BATCH 8

static void run_batch(struct target *v, size_t n, struct target **ready)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		prepare(&v[i]);
		if (opt.dry_run && v[i].resolved && !opt.watch)
			dry_figures(&v[i]);
		if (v[i].status == EX_OK && (!opt.dry_run || opt.watch))
			ready[k++] = &v[i];
	}
	if (k && opt.watch) {
		k = watch_window(ready, k);
		if (opt.cgroup && !stop_sig) /* who left the cgroup during the window */
			k = membership_again(v, n, ready, k);
		watch_finish(ready, k);
		watch_verify(ready, k); /* --verify */
	} else if (k) {
		plan.engine->move(ready, k);
	}
	for (size_t i = 0; i < n; i++) {
		target_settle(&v[i]);
		report_target(&v[i], &plan.worst);
		target_close(&v[i]);
	}
	target_batch_reset();
}

int run(void)
{
	size_t cap, n;
	struct target *v, **ready;

	plan_init();
	source_init();
	cap = batch_cap();
	if (cap <= SMALL_BATCH) { /* most command lines: no memory to map */
		static struct target small[SMALL_BATCH];
		static struct target *small_ready[SMALL_BATCH];
		v = small;
		ready = small_ready;
	} else {
		v = mem_get(cap * sizeof(*v));
		ready = mem_get(cap * sizeof(struct target *));
	}
	if (!v || !ready)
		die("%s", strerror(errno));
	if (plan.engine == &engine_mover && !opt.dry_run)
		stop_catch();
	while (!stop_sig && (n = source_batch(v, cap)) > 0)
		run_batch(v, n, ready);
	if (stop_sig && src.next < source_pids()->n) {
		size_t more = source_pids()->n - src.next;
		say("interrupted: %zu more process%s not looked at", more, more == 1 ? " was" : "es were");
		plan.worst = EX_FAIL;
	}
	plan.worst = metrics_finish(finish(plan.worst), stop_sig);
	if (stop_sig)
		raise(stop_sig); /* reported; now as the signal asked (its handler
				  * was reset when it ran) */
	return plan.worst;
}
