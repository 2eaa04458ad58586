/* report.c - the reports (see report.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fmt.h"
#include "mover.h"
#include "output.h"
#include "report.h"
#include "sysinfo.h"
#include "watch.h"

static int numa_balancing, cgroup_mode;

void report_setup(int nb, int cg)
{
	numa_balancing = nb;
	cgroup_mode = cg;
}

const char *human(uint64_t b, char *buf, size_t len)
{
	static const char unit[][4] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	uint64_t whole, tenths;

	while (u < 6 && b >> (10 * (u + 1)))
		u++;
	if (u == 0) {
		fmt(buf, len, "%llu B", (unsigned long long)b);
		return buf;
	}
	whole = b >> (10 * u);
	tenths = ((b & ((1ULL << (10 * u)) - 1)) * 10 + (1ULL << (10 * u - 1))) >> (10 * u);
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	fmt(buf, len, "%llu.%llu %s", (unsigned long long)whole, (unsigned long long)tenths,
	    unit[u]);
	return buf;
}

static const char *errno_name(int e)
{
	static char other[16];

	switch (e) {
	case EPERM: return "EPERM";
	case ESRCH: return "ESRCH";
	case EINVAL: return "EINVAL";
	case EACCES: return "EACCES";
	case ENOSYS: return "ENOSYS";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case EINTR: return "EINTR";
	case EBUSY: return "EBUSY";
	case EAGAIN: return "EAGAIN";
	case EOVERFLOW: return "EOVERFLOW";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	default:
		fmt(other, sizeof(other), "E%d", e);
		return other;
	}
}

/* ---- the plan: the kernel's mapping --------------------------------------- */

struct shown_plan {
	struct mig_step steps[MP_MAXNODES];
	int nsteps;
};

static void mapping_text(const struct target *t, const struct shown_plan *p, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (int s = ns_next(&t->from, -1); s >= 0 && o < len; s = ns_next(&t->from, s)) {
		int d = mig_final(p->steps, p->nsteps, s);
		if (d == s)
			o += fmt(buf + o, len - o, "%s%d stays", o ? ", " : "", s);
		else
			o += fmt(buf + o, len - o, "%s%d->%d", o ? ", " : "", s, d);
	}
}

/* The nodes a report shows: from, to, and any node holding memory. */
static void report_nodes(const struct target *t, struct nodeset *rows)
{
	for (size_t i = 0; i < MP_WORDS; i++)
		rows->w[i] = t->from.w[i] | t->to.w[i];
	for (int n = 0; n < t->nnodes; n++)
		if ((t->before && t->before[n]) || (t->after && t->after[n]) ||
		    (t->mv && t->mv->accessed && (t->mv->accessed[n] || t->mv->idle[n])))
			ns_add(rows, n);
}

static uint64_t at(const uint64_t *v, int nnodes, int n)
{
	return v && n < nnodes ? v[n] : 0;
}

static uint64_t total(const uint64_t *v, int nnodes)
{
	uint64_t s = 0;
	for (int n = 0; v && n < nnodes; n++)
		s += v[n];
	return s;
}

/* ---- JSON ------------------------------------------------------------------ */

/* A JSON string; anything outside printable ASCII as \u00XX. */
static void json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	out_char('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			out("\\%c", *s);
		else if (*s < 0x20 || *s >= 0x7f)
			out("\\u%04x", *s);
		else
			out_char((char)*s);
	}
	out_char('"');
}

static void json_nodes(const struct nodeset *s)
{
	const char *sep = "";

	out_char('[');
	for (int n = ns_next(s, -1); n >= 0; n = ns_next(s, n), sep = ",")
		out("%s%d", sep, n);
	out_char(']');
}

static void json_usage(const char *key, const struct target *t, const uint64_t *v,
		       const struct nodeset *rows)
{
	const char *sep = "";

	out(",\"%s\":", key);
	if (!v) {
		out("null");
		return;
	}
	out_char('{');
	for (int n = ns_next(rows, -1); n >= 0; n = ns_next(rows, n), sep = ",")
		out("%s\"%d\":%llu", sep, n, (unsigned long long)at(v, t->nnodes, n));
	out_char('}');
}

static const char *const mv_names[MV_NKINDS] = {
	"moved", "in_place", "shared", "busy", "no_memory", "other", "interrupted", "unseen"
};

static void json_mover(const struct mv_target *m)
{
	out(",\"mover\":{\"jobs\":%d,\"chunk_pages\":%lu,\"rate\":%llu", opt.jobs, opt.chunk,
	    (unsigned long long)opt.rate);
	for (int k = 0; k < MV_NKINDS; k++)
		out(",\"%s_bytes\":%llu", mv_names[k], (unsigned long long)m->bytes[k]);
	out(",\"final_call_bytes\":%llu}", (unsigned long long)m->final_bytes);
}

static void json_text(const char *key, const char *s)
{
	out(",\"%s\":", key);
	if (s)
		json_str(s);
	else
		out("null");
}

/* --verify: the share of the bytes moved touched again, in millionths. */
static uint64_t regret_ppm(const struct mv_target *m, int nnodes)
{
	uint64_t moved = m->bytes[MV_MOVED], again = total(m->again, nnodes);
	return moved ? (again >= moved ? 1000000 : again * 1000000 / moved) : 0;
}

static void json_verify(const struct target *t, const struct nodeset *rows)
{
	const struct watch_info *w = watch_info();
	const struct mv_target *m = t->mv;
	uint64_t ppm = regret_ppm(m, t->nnodes);

	out(",\"verify\":{\"seconds\":%llu.%03llu,\"watched_seconds\":%llu.%03llu,\"stopped\":%s,"
	    "\"moved_bytes\":%llu,\"touched_bytes\":%llu,\"fraction\":%llu.%06llu",
	    (unsigned long long)(opt.verify_ms / 1000), (unsigned long long)(opt.verify_ms % 1000),
	    (unsigned long long)(w->verify_ms / 1000), (unsigned long long)(w->verify_ms % 1000),
	    w->verify_stopped ? "true" : "false", (unsigned long long)m->bytes[MV_MOVED],
	    (unsigned long long)total(m->again, t->nnodes), (unsigned long long)(ppm / 1000000),
	    (unsigned long long)(ppm % 1000000));
	json_usage("touched", t, m->again, rows);
	json_usage("untouched", t, m->quiet, rows);
	out(",\"untracked_bytes\":%llu}", (unsigned long long)m->again_untracked);
}

/* --cold, --hot: the window and what was found touched, per node. */
static void json_watch(const struct target *t, const struct nodeset *rows)
{
	const struct watch_info *w = watch_info();
	const struct mv_target *m = t->mv;

	out(",\"watch\":{\"mode\":\"%s\",\"seconds\":%llu.%03llu,\"watched_seconds\":%llu.%03llu,"
	    "\"start_seconds\":%llu.%06llu,\"judge_seconds\":%llu.%06llu,"
	    "\"tracker\":\"%s\",\"sees\":\"%s\",\"stopped\":%s", opt.watch == WATCH_COLD ? "cold" : "hot",
	    (unsigned long long)(w->asked_ms / 1000), (unsigned long long)(w->asked_ms % 1000),
	    (unsigned long long)(w->watched_ms / 1000), (unsigned long long)(w->watched_ms % 1000),
	    (unsigned long long)(w->start_us / 1000000), (unsigned long long)(w->start_us % 1000000),
	    (unsigned long long)(w->judge_us / 1000000), (unsigned long long)(w->judge_us % 1000000),
	    w->tracker, w->sees, w->stopped ? "true" : "false");
	if (m && m->accessed) {
		json_usage("touched", t, m->accessed, rows);
		json_usage("untouched", t, m->idle, rows);
		out(",\"untracked_bytes\":%llu", (unsigned long long)m->untracked);
	}
	if (m && m->verified)
		json_verify(t, rows);
	out_char('}');
}

static void report_json(const struct target *t, const struct shown_plan *p)
{
	static const char *status[] = { "ok", "error", "partial" };
	struct nodeset rows;
	const char *sep = "";

	ns_clear(&rows);
	out("{\"pid\":%d,\"status\":\"%s\",\"dry_run\":%s", t->pid,
	    opt.dry_run && t->status == EX_OK ? "dry-run" : status[t->status],
	    opt.dry_run ? "true" : "false");
	if (t->resolved) {
		report_nodes(t, &rows);
		out(",\"from\":");
		json_nodes(&t->from);
		out(",\"to\":");
		json_nodes(&t->to);
		out(",\"mapping\":[");
		for (int s = ns_next(&t->from, -1); s >= 0; s = ns_next(&t->from, s), sep = ",")
			out("%s[%d,%d]", sep, s, mig_final(p->steps, p->nsteps, s));
		out_char(']');
	}
	json_usage("before", t, t->before, &rows);
	json_usage("after", t, t->after, &rows);
	out(",\"not_moved\":%ld,\"left_bytes\":%llu,\"seconds\":%llu.%06llu", t->not_moved,
	    (unsigned long long)t->left, (unsigned long long)(t->ns / 1000000000u),
	    (unsigned long long)(t->ns % 1000000000u / 1000u));
	if (t->mv)
		json_mover(t->mv);
	if (watch_info())
		json_watch(t, &rows);
	out(",\"numa_balancing\":%s", numa_balancing ? "true" : "false");
	json_text("note", t->note);
	out(",\"error\":");
	if (t->err || t->msg) {
		out("{\"errno\":");
		if (t->err)
			json_str(errno_name(t->err));
		else
			out("null");
		json_text("message", t->msg ? t->msg : "");
		out_char('}');
	} else {
		out("null");
	}
	out("}\n");
}

/* ---- text ------------------------------------------------------------------ */

static void text_mover(const struct mv_target *m)
{
	char a[48], b[48];
	uint64_t secs = m->ns / 1000000000u, ms = m->ns % 1000000000u / 1000000u;

	out("  moved %s in %llu.%03llu s (move_pages, %d job%s, chunks of %lu pages",
	    human(m->bytes[MV_MOVED], a, sizeof(a)), (unsigned long long)secs,
	    (unsigned long long)ms, opt.jobs, opt.jobs == 1 ? "" : "s", opt.chunk);
	if (opt.rate)
		out(", at most %s/s", human(opt.rate, b, sizeof(b)));
	out("); %s already in place\n", human(m->bytes[MV_IN_PLACE], a, sizeof(a)));
	if (m->final_bytes)
		out("  moved %s of it with a closing migrate_pages call (pages move_pages "
		    "could not see)\n", human(m->final_bytes, a, sizeof(a)));
	for (int k = MV_SHARED; k < MV_NKINDS; k++)
		if (m->bytes[k])
			out("  left %s: %s\n", mv_names[k], human(m->bytes[k], a, sizeof(a)));
}

static void text_table(const struct target *t, const struct nodeset *rows)
{
	char a[48], b[48];

	if (opt.dry_run) {
		out("  %5s %12s\n", "node", "now");
		for (int n = ns_next(rows, -1); n >= 0; n = ns_next(rows, n))
			out("  %5d %12s\n", n, human(at(t->before, t->nnodes, n), a, sizeof(a)));
		out("  %5s %12s\n", "total", human(total(t->before, t->nnodes), a, sizeof(a)));
		return;
	}
	out("  %5s %12s %12s\n", "node", "before", "after");
	for (int n = ns_next(rows, -1); n >= 0; n = ns_next(rows, n))
		out("  %5d %12s %12s\n", n,
		    t->before ? human(at(t->before, t->nnodes, n), a, sizeof(a)) : "?",
		    t->after ? human(at(t->after, t->nnodes, n), b, sizeof(b)) : "?");
	out("  %5s %12s %12s\n", "total",
	    t->before ? human(total(t->before, t->nnodes), a, sizeof(a)) : "?",
	    t->after ? human(total(t->after, t->nnodes), b, sizeof(b)) : "?");
}

/* --verify: how much of what moved was touched again (-v: per node; without
 * -v the one line, after "pid N:"). */
static void text_verify(const struct target *t, const struct nodeset *rows)
{
	const struct watch_info *w = watch_info();
	const struct mv_target *m = t->mv;
	uint64_t ppm = regret_ppm(m, t->nnodes);
	char a[48], b[48];

	if (opt.verbose)
		out("  ");
	else
		out("pid %d: ", t->pid);
	out("touched again: %s of the %s moved (%llu.%02llu%%) in %llu.%llu s after the move%s\n",
	    human(total(m->again, t->nnodes), a, sizeof(a)), human(m->bytes[MV_MOVED], b, sizeof(b)),
	    (unsigned long long)(ppm / 10000), (unsigned long long)(ppm % 10000 / 100),
	    (unsigned long long)(w->verify_ms / 1000), (unsigned long long)(w->verify_ms % 1000 / 100),
	    w->verify_stopped ? " (ended by a signal)" : "");
	if (!opt.verbose)
		return;
	out("  %5s %12s %12s   (the pages moved, where they are now)\n", "node", "again", "quiet");
	for (int n = ns_next(rows, -1); n >= 0; n = ns_next(rows, n))
		if (at(m->again, t->nnodes, n) || at(m->quiet, t->nnodes, n))
			out("  %5d %12s %12s\n", n, human(at(m->again, t->nnodes, n), a, sizeof(a)),
			    human(at(m->quiet, t->nnodes, n), b, sizeof(b)));
	if (m->again_untracked)
		out("  not tracked: %s of the pages moved\n", human(m->again_untracked, a, sizeof(a)));
}

/* --cold, --hot: what the window found, per node, and (dry run) what would
 * move. */
static void text_watch(const struct target *t, const struct shown_plan *p,
		       const struct nodeset *rows)
{
	const struct watch_info *w = watch_info();
	const struct mv_target *m = t->mv;
	const uint64_t *sel = opt.watch == WATCH_COLD ? m->idle : m->accessed;
	char a[48], b[48];
	uint64_t would = 0;

	out("  watched %llu.%llu s with %s (%s%s)\n", (unsigned long long)(w->watched_ms / 1000),
	    (unsigned long long)(w->watched_ms % 1000 / 100), w->tracker, w->sees,
	    strcmp(w->tracker, "softdirty") == 0 ? ": a page only read counts as untouched" :
	    strcmp(w->tracker, "damon") == 0 ? ": a region is judged whole, a page touched only "
	    "while not sampled is not seen" : "");
	out("  %5s %12s %12s\n", "node", "untouched", "touched");
	for (int n = ns_next(rows, -1); n >= 0; n = ns_next(rows, n)) {
		out("  %5d %12s %12s\n", n, human(at(m->idle, t->nnodes, n), a, sizeof(a)),
		    human(at(m->accessed, t->nnodes, n), b, sizeof(b)));
		if (mig_final(p->steps, p->nsteps, n) != n)
			would += at(sel, t->nnodes, n);
	}
	out("  %5s %12s %12s\n", "total", human(total(m->idle, t->nnodes), a, sizeof(a)),
	    human(total(m->accessed, t->nnodes), b, sizeof(b)));
	if (m->untracked)
		out("  not tracked: %s (hugetlb pages, or out of move_pages' sight)\n",
		    human(m->untracked, a, sizeof(a)));
	if (opt.dry_run)
		out("  would move %s: the %s pages on nodes to be emptied\n", human(would, a, sizeof(a)),
		    opt.watch == WATCH_COLD ? "untouched" : "touched");
	if (m->verified)
		text_verify(t, rows);
}

static void report_text(const struct target *t, const struct shown_plan *p)
{
	static char map[MP_MAXNODES * 12];
	struct nodeset rows;

	if (!t->resolved || t->status == EX_FAIL)
		return; /* a target that failed has its one line on stderr */
	ns_clear(&rows);
	report_nodes(t, &rows);
	mapping_text(t, p, map, sizeof(map));
	out("pid %d: %s%s\n", t->pid, map, opt.dry_run ? " (dry run: nothing moved)" : "");
	if (t->mv && t->mv->accessed)
		text_watch(t, p, &rows);
	else if (t->before || (t->after && !opt.dry_run))
		text_table(t, &rows);
	if (t->mv && !opt.dry_run)
		text_mover(t->mv);
	else if (!opt.dry_run && (t->err == 0 || t->err == ENOMEM))
		out("  migrate_pages took %llu.%03llu s\n", (unsigned long long)(t->ns / 1000000000u),
		    (unsigned long long)(t->ns % 1000000000u / 1000000u));
	if (t->note)
		out("  note: %s\n", t->note);
}

void report_target(const struct target *t, int *worst)
{
	static struct shown_plan p;

	if (cgroup_mode && t->skip && t->status == EX_FAIL) {
		/* it exited, turned zombie, left the cgroup, or is a kernel thread */
		if (opt.verbose && !opt.json)
			out("pid %d: skipped (%s)\n", t->pid, t->skip);
		return;
	}
	if (t->resolved)
		p.nsteps = target_plan(t, p.steps);
	if (opt.json)
		report_json(t, &p);
	else if (opt.verbose || opt.dry_run)
		report_text(t, &p);
	else if (t->mv && t->mv->verified && t->status != EX_FAIL)
		text_verify(t, NULL); /* --verify: the figure is the output */
	if (t->msg)
		say("%d: %s", t->pid, t->msg);
	if (t->status == EX_FAIL || (t->status == EX_PARTIAL && *worst == EX_OK))
		*worst = t->status;
}

/* ---- the progress line ------------------------------------------------------ */

void report_progress(const struct mv_progress *p, int final)
{
	static char buf[1024];
	static int tty = -1;
	char a[48], b[48];
	size_t o = 0, len = sizeof(buf);
	uint64_t rate = p->elapsed_ns ? (uint64_t)((double)p->done * 1e9 / (double)p->elapsed_ns) : 0;

	if (tty < 0)
		tty = isatty(2);
	o += fmt(buf + o, len - o, "%smigratepages: moved %s", tty ? "\r" : "",
		 human(p->done, a, sizeof(a)));
	if (p->total)
		o += fmt(buf + o, len - o, " of %s (%llu%%)", human(p->total, b, sizeof(b)),
			 (unsigned long long)(p->done >= p->total ? 100 : p->done * 100 / p->total));
	for (int n = 0, first = 1; n < p->nnodes && o < len; n++)
		if (p->node_done[n]) {
			o += fmt(buf + o, len - o, "%s%d: %s", first ? "; to node " : ", ", n,
				 human(p->node_done[n], a, sizeof(a)));
			first = 0;
		}
	if (o < len)
		o += fmt(buf + o, len - o, "; %s/s", human(rate, a, sizeof(a)));
	if (!final && rate && p->total > p->done && o < len) {
		uint64_t eta = (p->total - p->done) / rate;
		o += fmt(buf + o, len - o, "; ETA %llu:%02llu", (unsigned long long)(eta / 60),
			 (unsigned long long)(eta % 60));
	}
	if (o < len)
		o += fmt(buf + o, len - o, "%s%s", tty ? "\033[K" : "", final || !tty ? "\n" : "");
	write_all(2, buf, o < len ? o : len - 1, NULL);
}
