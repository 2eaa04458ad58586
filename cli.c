/* cli.c - the command line (see cli.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "cli.h"
#include "fmt.h"
#include "metrics.h"
#include "kerndat.h"
#include "report.h"
#include "mover.h"
#include "output.h"

struct options opt;

static const char usage_text[] =
"Usage: migratepages [OPTIONS] PID[,PID...] FROM-NODES TO-NODES\n"
"       migratepages [OPTIONS] --cgroup DIR FROM-NODES TO-NODES\n"
"\n"
"Move the memory of running processes from one set of NUMA nodes to another,\n"
"keeping their virtual addresses (migrate_pages(2)).\n"
"\n"
"Options:\n"
"  -v, --verbose     show the node mapping, memory per node before and after,\n"
"                    and the time the migration took\n"
"  -n, --dry-run     check everything and show what would move; move nothing\n"
"      --json        one JSON object per process on stdout (schema\n"
"                    migratepages/1; with --progress=always, progress events too)\n"
"      --metrics FILE  the run's figures for Prometheus (node_exporter's\n"
"                    textfile collector), FILE replaced atomically at the end\n"
"      --cgroup DIR  every process in cgroup DIR and the cgroups below it\n"
"  -h, --help        show this help and exit\n"
"  -V, --version     show the version and exit (with -v, the kernel facts it\n"
"                    probed, a line each; with --json, one object)\n"
"\n"
"Moving in chunks (move_pages(2); any of these options selects it): the\n"
"process keeps running, waiting at most for one chunk instead of the whole move.\n"
"      --rate SIZE   move at most SIZE bytes per second (K, M, G: KiB, MiB,\n"
"                    GiB; e.g. --rate 200M)\n"
"  -j, --jobs N      N workers in parallel (1-64), over the pages of each\n"
"                    process and over the processes\n"
"      --chunk PAGES pages looked at together and moved per move_pages call\n"
"                    (1-65536, default 4096), or a size such as 16M; with\n"
"                    --rate 1/8 s worth (512 to 4096), each call 1/32 s worth\n"
"      --progress[=WHEN]  a progress line on stderr: auto (default: only on a\n"
"                    terminal), always, or never\n"
"On SIGINT, SIGTERM or SIGHUP it makes no further move_pages call, reports\n"
"what moved (the rest stays where it is), then dies of the signal.\n"
"\n"
"Cold and hot pages (for tiered memory; moved by the chunked mover):\n"
"      --cold TIME   watch the processes for TIME (30s, 5m, 1h, 2d, 500ms or\n"
"                    seconds; up to 30 days), then move only the pages they\n"
"                    did not touch meanwhile\n"
"      --hot TIME    the same, moving only the pages they touched\n"
"      --tracker T   how touches are seen: auto (default: idle if it can be\n"
"                    used, else softdirty, else damon), idle (idle page\n"
"                    tracking: reads and writes; root), damon (DAMON: reads\n"
"                    and writes, sampled, judged by region; root; refused\n"
"                    while anyone else uses DAMON) or softdirty (writes only:\n"
"                    a page that is only read counts as cold)\n"
"      --verify TIME after the move, watch the moved pages for TIME with the\n"
"                    same tracker and report how much of them was touched\n"
"                    again (the regret), per node; not with --dry-run\n"
"With --dry-run they watch and report how much is cold and hot, per node.\n"
"\n"
"Node lists: all, N, A-B and comma lists of them (0,2-3). !LIST means every\n"
"node except LIST; +LIST counts within the nodes the process may use.\n"
"A list may end with the node of a device: netdev:DEV, pci:ADDR, block:DEV,\n"
"file:PATH (the block device holding it) or ip:ADDR (the interface that\n"
"routes to it), as in 0,netdev:eth0 or !pci:0000:80:00.0.\n"
"Tiers: fast (the fastest memory tier), slow (every tier below it), tier:N\n"
"(the N-th from the fastest, 0) and near:PID (the memory nearest the CPUs PID\n"
"may run on), from the kernel's memory tiers, else the firmware's rated\n"
"figures (HMAT), else the distance table (a guess; -v says which): fast slow.\n"
"Several nodes on each side keep their order: 0-1 -> 2-3 moves 0->2, 1->3.\n"
"\n"
"Exit status: 0 the kernel moved what it was asked to (shared pages that stay\n"
"without CAP_SYS_NICE are its rule, not a failure); 2 it could not move some\n"
"pages (its count checked against numa_maps: a count with none left behind is\n"
"0), or the to-nodes ran out of memory partway; 1 any other error: the\n"
"process it names was not changed, but others of a list may have been, and a\n"
"failed write to standard output does not undo a migration.\n";

/* The user's text for a message: quoted, at most 40 bytes shown, escaped. */
static const char *shown(const char *s)
{
	static char q[200];
	return quote_max(s, (size_t)-1, 40, q, sizeof(q));
}

__attribute__((noreturn)) static void print_and_exit(const char *s, size_t n)
{
	out_mem(s, n);
	exit(finish(EX_OK));
}

static int cl_argc;
static char **cl_argv;

/* -v, --verbose or --json anywhere before "--" (-Vv too): the version is
 * followed by the kernel's facts (kerndat.h). */
static void ask_facts(int *lines, int *json)
{
	for (int i = 1; i < cl_argc && strcmp(cl_argv[i], "--") != 0; i++) {
		const char *a = cl_argv[i];
		if (strcmp(a, "--verbose") == 0)
			*lines = 1;
		else if (strcmp(a, "--json") == 0)
			*json = 1;
		else if (a[0] == '-' && a[1] != '-')
			*lines |= strcspn(a, "j") > strcspn(a, "v");
	}
}

/* --version: the version; with -v a line per kernel fact, with --json one
 * object. */
__attribute__((noreturn)) static void version_and_exit(void)
{
	int lines = 0, json = 0;

	ask_facts(&lines, &json);
	if (json) {
		out("{\"schema\":\"" MP_SCHEMA "\",\"event\":\"version\",\"version\":\"" VERSION "\"");
		kd_print(1);
		out("}\n");
	} else {
		out("migratepages " VERSION "\n");
		if (lines)
			kd_print(0);
	}
	exit(finish(EX_OK));
}

/* ---- values ---------------------------------------------------------------- */

int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	const char *p = s;

	if (dec_scan(&p, NULL, ~0ULL - 9, &v) <= 0)
		return -1;
	switch (*p) {
	case 'k': case 'K': shift = 10; p++; break;
	case 'm': case 'M': shift = 20; p++; break;
	case 'g': case 'G': shift = 30; p++; break;
	case 't': case 'T': shift = 40; p++; break;
	}
	if (shift && p[0] == 'i' && p[1] == 'B')
		p += 2;
	else if (*p == 'B')
		p++;
	if (*p || (shift && v > UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static void set_rate(const char *val)
{
	if (parse_size(val, &opt.rate) < 0 || opt.rate == 0)
		die_usage("--rate: %s is not a rate (bytes per second, e.g. 200M)", shown(val));
}

static void set_jobs(const char *val)
{
	unsigned long long v;

	if (dec_strict(val, strlen(val), 1, MV_MAX_JOBS, &v) != DEC_OK)
		die_usage("--jobs: %s is not a number of workers (1-%d)", shown(val),
			  MV_MAX_JOBS);
	opt.jobs = (int)v;
}

static void set_chunk(const char *val)
{
	unsigned long page = kd_page_size();
	size_t l = strlen(val);
	uint64_t v;

	if (parse_size(val, &v) < 0 || (val[0] == '0' && l > 1 && val[1] >= '0' && val[1] <= '9'))
		die_usage("--chunk: %s is not a number of pages or a size", shown(val));
	if (l && (val[l - 1] < '0' || val[l - 1] > '9'))
		v /= page; /* a size */
	if (v < 1 || v > MV_MAX_CHUNK)
		die_usage("--chunk: %s is out of range (1-%lu pages of %lu bytes)", shown(val),
			  MV_MAX_CHUNK, page);
	opt.chunk = (unsigned long)v;
	opt.chunk_given = 1;
}

static void set_progress(const char *val)
{
	if (strcmp(val, "auto") == 0)
		opt.progress = 1;
	else if (strcmp(val, "always") == 0)
		opt.progress = 2;
	else if (strcmp(val, "never") == 0)
		opt.progress = 0;
	else
		die_usage("--progress: %s is not auto, always or never", shown(val));
}

int parse_duration(const char *s, uint64_t *ms)
{
	static const struct { const char *unit; uint64_t ms; } units[] = {
		{ "", 1000 }, { "s", 1000 }, { "ms", 1 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
	};
	unsigned long long v;
	const char *p = s;
	int n = dec_scan(&p, NULL, 30ULL * 86400000, &v);

	if (n <= 0 || v == 0 || (s[0] == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(p, units[i].unit) == 0 && v <= 30ULL * 86400000 / units[i].ms) {
			*ms = v * units[i].ms;
			return 0;
		}
	return -1;
}

static void set_watch(int mode, const char *name, const char *val)
{
	if (opt.watch && opt.watch != mode)
		die_usage("--cold and --hot cannot be given together");
	if (parse_duration(val, &opt.watch_ms) < 0)
		die_usage("--%s: %s is not a time (30s, 5m, 1h, 2d, 500ms or seconds; up to 30 days)",
			  name, shown(val));
	opt.watch = mode;
}

static void set_cold(const char *val)
{
	set_watch(WATCH_COLD, "cold", val);
}

static void set_hot(const char *val)
{
	set_watch(WATCH_HOT, "hot", val);
}

static void set_tracker(const char *val)
{
	if (strcmp(val, "auto") == 0)
		opt.tracker = TRACK_AUTO;
	else if (strcmp(val, "idle") == 0)
		opt.tracker = TRACK_IDLE;
	else if (strcmp(val, "softdirty") == 0)
		opt.tracker = TRACK_SOFTDIRTY;
	else if (strcmp(val, "damon") == 0)
		opt.tracker = TRACK_DAMON;
	else
		die_usage("--tracker: %s is not auto, idle, damon or softdirty", shown(val));
	opt.tracker_given = 1;
}

static void set_verify(const char *val)
{
	if (parse_duration(val, &opt.verify_ms) < 0)
		die_usage("--verify: %s is not a time (30s, 5m, 1h, 2d, 500ms or seconds; up to 30 days)",
			  shown(val));
}

static void set_metrics(const char *val)
{
	if (!*val)
		die_usage("option '--metrics' needs a file");
	opt.metrics = val;
	metrics_start(val);
}

static void set_cgroup(const char *val)
{
	if (!*val)
		die_usage("option '--cgroup' needs a directory");
	opt.cgroup = val;
}

/* ---- options --------------------------------------------------------------- */

enum { NO_ARG, ARG, OPT_ARG };
static const struct longopt {
	const char *name;
	int arg;
	int mover;                 /* selects the chunked mover */
	void (*set)(const char *val);
} longopts[] = {
	{ "cgroup", ARG, 0, set_cgroup },
	{ "metrics", ARG, 0, set_metrics },
	{ "rate", ARG, 1, set_rate },
	{ "jobs", ARG, 1, set_jobs },
	{ "chunk", ARG, 1, set_chunk },
	{ "progress", OPT_ARG, 1, set_progress },
	{ "cold", ARG, 1, set_cold },
	{ "hot", ARG, 1, set_hot },
	{ "tracker", ARG, 0, set_tracker },
	{ "verify", ARG, 0, set_verify },
};

static void flag(char c)
{
	switch (c) {
	case 'h':
		print_and_exit(usage_text, sizeof(usage_text) - 1);
	case 'V':
		version_and_exit();
	case 'v':
		opt.verbose = 1;
		break;
	case 'n':
		opt.dry_run = 1;
		break;
	default: {
		char o[3] = { '-', c, 0 };
		die_usage("unknown option %s", shown(o));
	}
	}
}

/* --NAME, --NAME=VALUE or --NAME VALUE; returns the index of the last word used. */
static int long_option(int argc, char **argv, int i)
{
	const char *a = argv[i] + 2, *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);

	if (!eq && strcmp(a, "help") == 0)
		flag('h');
	if (!eq && strcmp(a, "version") == 0)
		flag('V');
	if (!eq && (strcmp(a, "verbose") == 0 || strcmp(a, "dry-run") == 0)) {
		flag(a[0] == 'v' ? 'v' : 'n');
		return i;
	}
	if (!eq && strcmp(a, "json") == 0) {
		opt.json = 1;
		return i;
	}
	for (size_t k = 0; k < sizeof(longopts) / sizeof(longopts[0]); k++) {
		const struct longopt *o = &longopts[k];
		if (strlen(o->name) != len || strncmp(o->name, a, len) != 0)
			continue;
		opt.mover |= o->mover;
		if (eq)
			o->set(eq + 1);
		else if (o->arg == OPT_ARG)
			o->set("auto");
		else if (++i == argc)
			die_usage("option '--%s' needs %s", o->name,
				  o->set == set_cgroup ? "a directory" : "a value");
		else
			o->set(argv[i]);
		return i;
	}
	die_usage("unknown option %s", shown(argv[i]));
}

/* -vn, -j4, -j 4; returns the index of the last word used. */
static int short_options(int argc, char **argv, int i)
{
	for (const char *c = argv[i] + 1; *c; c++) {
		if (*c != 'j') {
			flag(*c);
			continue;
		}
		opt.mover = 1;
		if (c[1]) {
			set_jobs(c + 1);
		} else {
			if (++i == argc)
				die_usage("option '-j' needs a value");
			set_jobs(argv[i]);
		}
		break; /* the rest of the word was the value */
	}
	return i;
}

/* ---- process ids ----------------------------------------------------------- */

/* A process id: decimal, 1..INT_MAX, nothing else. Exits 1 otherwise. */
static int parse_pid(const char *s, size_t len, const char *whole)
{
	static const char *const why[] = {
		[-DEC_EMPTY] = "empty process id",
		[-DEC_NOT_A_NUMBER] = "not a decimal process id",
		[-DEC_LEADING_ZERO] = "leading zero (process ids are decimal)",
		[-DEC_RANGE] = "out of range (1-2147483647)",
	};
	char text[64], q[200];
	unsigned long long v;
	int r = dec_strict(s, len, 1, 0x7fffffff, &v);

	if (r == DEC_OK)
		return (int)v;
	fmt(text, sizeof(text), "%.*s%s", (int)(len > 40 ? 40 : len), s, len > 40 ? "..." : "");
	quote_max(text, (size_t)-1, 60, q, sizeof(q));
	if (r == DEC_EMPTY && *whole)
		die("pid: %s: empty process id in the list", q);
	if (r == DEC_RANGE && len == 1)
		die("pid: %s: 0 is not a process id (1-2147483647)", q);
	die("pid: %s: %s", q, why[-r]);
}

static void parse_pid_list(const char *arg, struct pidlist *l)
{
	for (const char *p = arg;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (pidlist_add(l, parse_pid(p, len, arg)) < 0)
			die("%s", strerror(errno));
		if (!e)
			return;
		p = e + 1;
	}
}

void cli_parse(int argc, char **argv)
{
	const char *pos[3];
	int npos = 0, only_pos = 0;

	cl_argc = argc;
	cl_argv = argv;
	opt.jobs = 1;
	opt.chunk = MV_DEFAULT_CHUNK;
	/* --json anywhere before "--": a mistake found before it is reached is
	 * an error object too */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			opt.json = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == 0) {
			if (npos == 3)
				die_usage("too many arguments (from %s on)", shown(a));
			pos[npos++] = a;
		} else if (strcmp(a, "--") == 0) {
			only_pos = 1;
		} else if (a[1] == '-') {
			i = long_option(argc, argv, i);
		} else {
			i = short_options(argc, argv, i);
		}
	}
	if (npos != (opt.cgroup ? 2 : 3))
		die_usage(opt.cgroup ? "expected FROM-NODES TO-NODES after --cgroup DIR, got %d "
				       "argument%s" : "expected PID FROM-NODES TO-NODES, got %d "
				       "argument%s", npos, npos == 1 ? "" : "s");
	if (opt.tracker_given && !opt.watch)
		die_usage("--tracker needs --cold or --hot");
	if (opt.verify_ms && !opt.watch)
		die_usage("--verify needs --cold or --hot");
	if (opt.verify_ms && opt.dry_run)
		die_usage("--verify watches the pages a move moved: with --dry-run nothing moves");
	opt.from_text = pos[npos - 2];
	opt.to_text = pos[npos - 1];
	if (!opt.cgroup) {
		opt.pids_text = pos[0];
		parse_pid_list(pos[0], &opt.pids);
	}
}
