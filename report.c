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
#include "metrics.h"
#include "mover.h"
#include "output.h"
#include "report.h"
#include "sysinfo.h"
#include "tiers_sys.h"
#include "tracker.h"
#include "watch.h"

static int numa_balancing, cgroup_mode, tiers_shown;
static const char *(*cgroup_name)(int cgdir);

void report_cgroup_names(const char *(*name)(int cgdir))
{
	cgroup_name = name;
}

void report_setup(int nb, int cg)
{
	numa_balancing = nb;
	cgroup_mode = cg;
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

/* ---- the tier map (when a tier form was resolved) ---------------------------- */


static int has_figures(const struct tierperf *p)
{
	return p->read_latency || p->write_latency || p->read_bandwidth || p->write_bandwidth;
}

static void text_tiers(const struct tiermap *m)
{
	static char list[MP_MAXNODES * 5 + 8];
	const struct near_answer *near;
	struct nodeset s;

	out("tiers: %s\n", m->source == TIER_KERNEL ? "the kernel's memory tiers "
	    "(/sys/devices/virtual/memory_tiering)" : m->source == TIER_HMAT
	    ? "the firmware's rated figures (HMAT: node*/access0/initiators), the kernel "
	      "having no tiers that split the nodes"
	    : "a guess from the distance table (CPU-less nodes farther than a CPU node's "
	      "own memory are slower), nothing better being there");
	for (int r = 0; r < m->ntiers; r++) {
		tiermap_tier(m, r, &s);
		ns_format(&s, list, sizeof(list));
		out("  tier %d: node%s %s (%s%ld%s)\n", r, ns_count(&s) == 1 ? "" : "s", list,
		    m->source == TIER_DISTANCE ? "distance " : "memory_tier", m->key[r],
		    m->source == TIER_HMAT ? " by the kernel's formula" : "");
	}
	for (int n = ns_next(&m->memory, -1); n >= 0; n = ns_next(&m->memory, n)) {
		const struct tierperf *p = &m->perf[n];
		if (has_figures(p))
			out("  node %d: read %lu ns, %lu MB/s; write %lu ns, %lu MB/s\n", n,
			    (unsigned long)p->read_latency, (unsigned long)p->read_bandwidth,
			    (unsigned long)p->write_latency, (unsigned long)p->write_bandwidth);
	}
	for (int i = 0, k = tiers_near(&near); i < k; i++) {
		char cpus[MP_MAXNODES * 5 + 8];
		ns_format(&near[i].cpu_nodes, cpus, sizeof(cpus));
		ns_format(&near[i].nodes, list, sizeof(list));
		out("  near:%d: CPUs on node%s %s; nearest memory: %s (by %s)\n", near[i].pid,
		    ns_count(&near[i].cpu_nodes) == 1 ? "" : "s", cpus, list, near[i].how);
	}
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
	out(",\"mover\":{\"jobs\":%d,\"chunk_pages\":%lu,\"rate\":%llu", opt.jobs, m->chunk,
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
		out(",\"untracked_bytes\":%llu,\"untracked\":{\"shared\":%llu,\"whole_mapping\":%llu,"
		    "\"zero_page\":%llu,\"other\":%llu}", (unsigned long long)m->untracked,
		    (unsigned long long)m->untracked_why[-1 - TRACK_SHARED],
		    (unsigned long long)m->untracked_why[-1 - TRACK_VMA],
		    (unsigned long long)m->untracked_why[-1 - TRACK_ZERO],
		    (unsigned long long)m->untracked_why[-1 - TRACK_UNTRACKED]);
	}
	if (m && m->accessed && w->combined)
		out(",\"shared_judged_bytes\":%llu", (unsigned long long)m->shared_judged);
	out(",\"unit\":\"%s\"", w->unit);
	if (w->read)
		out(",\"read\":\"%s\"", w->read);
	if (m && m->verified)
		json_verify(t, rows);
	out_char('}');
}

static void json_figure(const char *key, uint32_t v, const char *sep)
{
	if (v)
		out("%s\"%s\":%lu", sep, key, (unsigned long)v);
	else
		out("%s\"%s\":null", sep, key);
}

static void json_tiers(const struct tiermap *m)
{
	const struct near_answer *near;
	struct nodeset s;
	const char *sep = "";

	out(",\"tiers\":");
	if (!m) {
		out("null");
		return;
	}
	out("{\"source\":\"%s\",\"guess\":%s,\"tiers\":[", tier_source_name(m->source),
	    m->guess ? "true" : "false");
	for (int r = 0; r < m->ntiers; r++) {
		tiermap_tier(m, r, &s);
		out("%s{\"nodes\":", r ? "," : "");
		json_nodes(&s);
		out(",\"%s\":%ld}", m->source == TIER_KERNEL ? "kernel_tier" : m->source == TIER_HMAT
		    ? "computed_tier" : "distance", m->key[r]);
	}
	out("],\"figures\":{");
	for (int n = ns_next(&m->memory, -1); n >= 0; n = ns_next(&m->memory, n)) {
		const struct tierperf *p = &m->perf[n];
		if (!has_figures(p))
			continue;
		out("%s\"%d\":{", sep, n);
		json_figure("read_latency_ns", p->read_latency, "");
		json_figure("write_latency_ns", p->write_latency, ",");
		json_figure("read_bandwidth_mbps", p->read_bandwidth, ",");
		json_figure("write_bandwidth_mbps", p->write_bandwidth, ",");
		out_char('}');
		sep = ",";
	}
	out("},\"near\":[");
	for (int i = 0, k = tiers_near(&near); i < k; i++) {
		out("%s{\"pid\":%d,\"cpu_nodes\":", i ? "," : "", near[i].pid);
		json_nodes(&near[i].cpu_nodes);
		out(",\"nodes\":");
		json_nodes(&near[i].nodes);
		out(",\"by\":\"%s\"}", near[i].how);
	}
	out("]}");
}

static void report_json(const struct target *t, const struct shown_plan *p)
{
	static const char *status[] = { "ok", "error", "partial" };
	struct nodeset rows;
	const char *sep = "";

	ns_clear(&rows);
	out("{\"schema\":\"" MP_SCHEMA "\",\"event\":\"process\",\"pid\":%d,\"status\":\"%s\","
	    "\"dry_run\":%s", t->pid,
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
	json_tiers(tiers_loaded());
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
	    (unsigned long long)ms, opt.jobs, opt.jobs == 1 ? "" : "s", m->chunk);
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

	if (rows)
		out("  ");
	else
		out("pid %d: ", t->pid);
	out("touched again: %s of the %s moved (%llu.%02llu%%) in %llu.%llu s after the move, "
	    "seen with %s%s\n", human(total(m->again, t->nnodes), a, sizeof(a)),
	    human(m->bytes[MV_MOVED], b, sizeof(b)), (unsigned long long)(ppm / 10000),
	    (unsigned long long)(ppm % 10000 / 100), (unsigned long long)(w->verify_ms / 1000),
	    (unsigned long long)(w->verify_ms % 1000 / 100), w->tracker,
	    w->verify_stopped ? " (ended by a signal)" : "");
	if (!rows)
		return;
	out("  %5s %12s %12s   (the pages moved, where they are now)\n", "node", "again", "quiet");
	for (int n = ns_next(rows, -1); n >= 0; n = ns_next(rows, n))
		if (at(m->again, t->nnodes, n) || at(m->quiet, t->nnodes, n))
			out("  %5d %12s %12s\n", n, human(at(m->again, t->nnodes, n), a, sizeof(a)),
			    human(at(m->quiet, t->nnodes, n), b, sizeof(b)));
	if (m->again_untracked)
		out("  not judged: %s of the pages moved\n", human(m->again_untracked, a, sizeof(a)));
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

	out("  watched %llu.%llu s with %s (%s%s), judged per %s\n", (unsigned long long)(w->watched_ms / 1000),
	    (unsigned long long)(w->watched_ms % 1000 / 100), w->tracker, w->sees,
	    strcmp(w->tracker, "softdirty") == 0 ? ": a page only read counts as untouched" :
	    strcmp(w->tracker, "damon") == 0 ? ": a region is judged whole; a page touched only "
	    "while another was sampled, or through a translation a CPU kept cached, is not seen "
	    "(see the man page)" : "", w->unit);
	if (opt.verbose && w->read)
		out("  soft-dirty bits read %s\n", strcmp(w->read, "pagemap") == 0 ? "from pagemap" :
		    "through PAGEMAP_SCAN (pagemap only for anonymous pages' exclusive bit and frames)");
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
		out("  not judged, not moved: %s\n", human(m->untracked, a, sizeof(a)));
	for (int r = 0; r < TRACK_NREASONS; r++) {
		static const char *const why[TRACK_NREASONS] = {
			"other (hugetlb pages, or out of move_pages' sight)",
			"the zero page (no memory of its own)",
			"shared with another process, or file pages: one page table does not tell",
			"in mappings the kernel flagged soft-dirty as a whole (brk, merge, mremap, "
			"khugepaged): every page reads written",
		};
		if (m->untracked_why[r] && (opt.verbose || r == -1 - TRACK_SHARED))
			out("    %12s %s\n", human(m->untracked_why[r], a, sizeof(a)), why[r]);
	}
	if (w->combined && (m->shared_judged || opt.verbose))
		out("  shared with the other processes watched, judged by frame: %s (included above)\n",
		    human(m->shared_judged, a, sizeof(a)));
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

/* ---- --metrics -------------------------------------------------------------- */

static void report_metrics(const struct target *t, const struct shown_plan *p)
{
	struct metrics_target m = { .pid = t->pid, .status = t->status, .nnodes = t->nnodes,
				    .before = t->before, .after = t->after, .left = t->left };
	struct nodeset rows;

	ns_clear(&rows);
	if (t->resolved)
		report_nodes(t, &rows);
	m.rows = &rows;
	if (cgroup_mode && cgroup_name && t->cgdir >= 0)
		m.cgroup = cgroup_name(t->cgdir);
	if (t->mv && !opt.dry_run) {
		m.moved = t->mv->bytes[MV_MOVED];
		m.moved_known = 1;
	} else if (t->resolved && !opt.dry_run && t->before && t->after) {
		/* one migrate_pages call: what left the nodes it empties */
		uint64_t had = 0;
		for (int s = ns_next(&t->from, -1); s >= 0; s = ns_next(&t->from, s))
			if (mig_final(p->steps, p->nsteps, s) != s)
				had += at(t->before, t->nnodes, s);
		m.moved = had > t->left ? had - t->left : 0;
		m.moved_known = 1;
	}
	if (t->mv && t->mv->accessed) {
		m.watched = 1;
		m.touched = t->mv->accessed;
		m.untouched = t->mv->idle;
		m.untracked = t->mv->untracked;
	}
	if (t->mv && t->mv->verified && t->mv->again) {
		m.again = t->mv->again;
		m.quiet = t->mv->quiet;
	}
	metrics_target(&m);
}

/* ---- the run's failure ----------------------------------------------------- */

void report_fatal(const char *msg)
{
	if (opt.json) {
		out("{\"schema\":\"" MP_SCHEMA "\",\"event\":\"error\",\"exit_status\":%d,"
		    "\"error\":{\"errno\":null", EX_FAIL);
		json_text("message", msg);
		out("}}\n");
	}
	metrics_finish(EX_FAIL, 0);
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
	if (opt.metrics)
		report_metrics(t, &p);
	if (!opt.json && (opt.verbose || opt.dry_run) && t->resolved && !tiers_shown &&
	    tiers_loaded()) {
		text_tiers(tiers_loaded());
		tiers_shown = 1;
	}
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

/* --json: one event a line on stdout, with the objects of the processes. */
static void json_progress(const struct mv_progress *p, int final, uint64_t rate)
{
	const char *sep = "";

	out("{\"schema\":\"" MP_SCHEMA "\",\"event\":\"progress\",\"final\":%s,"
	    "\"moved_bytes\":%llu,\"total_bytes\":%llu,\"to_node_bytes\":{", final ? "true" : "false",
	    (unsigned long long)p->done, (unsigned long long)p->total);
	for (int n = 0; n < p->nnodes; n++)
		if (p->node_done[n]) {
			out("%s\"%d\":%llu", sep, n, (unsigned long long)p->node_done[n]);
			sep = ",";
		}
	out("},\"elapsed_seconds\":%llu.%06llu,\"bytes_per_second\":%llu,\"eta_seconds\":",
	    (unsigned long long)(p->elapsed_ns / 1000000000u),
	    (unsigned long long)(p->elapsed_ns % 1000000000u / 1000u), (unsigned long long)rate);
	if (!final && rate && p->total > p->done)
		out("%llu}\n", (unsigned long long)((p->total - p->done) / rate));
	else
		out("null}\n");
	out_flush();
}

void report_progress(const struct mv_progress *p, int final)
{
	static char buf[1024];
	static int tty = -1;
	char a[48], b[48];
	size_t o = 0, len = sizeof(buf);
	uint64_t rate = p->elapsed_ns ? (uint64_t)((double)p->done * 1e9 / (double)p->elapsed_ns) : 0;

	if (opt.json) {
		json_progress(p, final, rate);
		return;
	}
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
