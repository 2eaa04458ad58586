/* metrics.c - --metrics FILE (see metrics.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fmt.h"
#include "mem.h"
#include "metrics.h"
#include "output.h"

/* The families, in the order the file lists them. */
enum {
	F_BEFORE, F_AFTER, F_MOVED, F_LEFT, F_TOUCHED, F_UNTOUCHED, F_UNTRACKED, F_REGRET,
	F_REGRET_QUIET, F_STATUS, F_PROCESSES, F_DRY_RUN, F_WATCH, F_VERIFY, F_DURATION, F_EXIT,
	F_TIMESTAMP, F_N
};

static const struct family {
	const char *name, *help;
} families[F_N] = {
	[F_BEFORE] = { "migratepages_process_before_bytes",
		       "Bytes of the process on the node before the move (numa_maps)." },
	[F_AFTER] = { "migratepages_process_after_bytes",
		      "Bytes of the process on the node after the move (numa_maps)." },
	[F_MOVED] = { "migratepages_process_moved_bytes",
		      "Bytes moved: move_pages' count (chunked mover), or what left the nodes "
		      "emptied (one migrate_pages call)." },
	[F_LEFT] = { "migratepages_process_left_bytes",
		     "Bytes still on the nodes the move should have emptied." },
	[F_TOUCHED] = { "migratepages_process_touched_bytes",
			"--cold/--hot: bytes on the node touched in the window (the working set)." },
	[F_UNTOUCHED] = { "migratepages_process_untouched_bytes",
			  "--cold/--hot: bytes on the node not touched in the window." },
	[F_UNTRACKED] = { "migratepages_process_untracked_bytes",
			  "--cold/--hot: bytes the tracker could not judge (hugetlb pages)." },
	[F_REGRET] = { "migratepages_process_regret_bytes",
		       "--verify: bytes of the pages moved that were touched again in the window "
		       "after the move, on the node they are on now." },
	[F_REGRET_QUIET] = { "migratepages_process_regret_untouched_bytes",
			     "--verify: bytes of the pages moved not touched in the window after "
			     "the move, on the node they are on now." },
	[F_STATUS] = { "migratepages_process_status",
		       "The process's outcome: 0 ok, 1 error, 2 partial (as the exit status)." },
	[F_PROCESSES] = { "migratepages_processes",
			  "Processes reported by the run." },
	[F_DRY_RUN] = { "migratepages_dry_run", "1 when the run was a dry run (nothing moved)." },
	[F_WATCH] = { "migratepages_watch_seconds", "--cold/--hot: the window asked for." },
	[F_VERIFY] = { "migratepages_verify_seconds",
		       "--verify: the window after the move asked for." },
	[F_DURATION] = { "migratepages_duration_seconds", "How long the run took." },
	[F_EXIT] = { "migratepages_exit_status",
		     "The run's exit status (0, 1, 2; 128 + N after signal N)." },
	[F_TIMESTAMP] = { "migratepages_last_run_timestamp_seconds",
			  "When the run ended (seconds since the epoch)." },
};

static struct {
	const char *path;
	struct timespec start;
	int fd;
	char tmp[4200];
	struct buf {
		char *v;
		size_t n, cap;
	} fam[F_N];
	unsigned long processes;
	int failed;             /* no memory for a sample: said once at the end */
} M = { .fd = -1 };

void metrics_start(const char *path)
{
	M.path = path;
	clock_gettime(CLOCK_MONOTONIC, &M.start);
}

void metrics_open(void)
{
	if (!M.path)
		return;
	if (fmt(M.tmp, sizeof(M.tmp), "%s.%d.tmp", M.path, (int)getpid()) >= sizeof(M.tmp))
		die("--metrics: the path is too long");
	M.fd = open(M.tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (M.fd < 0)
		die("--metrics: cannot create %s: %s", M.tmp, strerror(errno));
}

static void add(int f, const char *s, size_t n)
{
	struct buf *b = &M.fam[f];

	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : (size_t)64 * 1024;
		char *v;
		while (b->n + n > cap)
			cap *= 2;
		if (!(v = mem_grow(b->v, NULL, b->cap, cap))) {
			M.failed = errno;
			return;
		}
		b->v = v;
		b->cap = cap;
	}
	memcpy(b->v + b->n, s, n);
	b->n += n;
}

/* A label value: \, " and newline escaped as the format says; any other byte
 * that is not printable ASCII as the text \xNN (the format wants UTF-8). */
static size_t label_value(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && o + 8 < len; p++) {
		if (*p == '\\' || *p == '"')
			o += fmt(buf + o, len - o, "\\%c", *p);
		else if (*p == '\n')
			o += fmt(buf + o, len - o, "\\n");
		else if (*p < 0x20 || *p >= 0x7f)
			o += fmt(buf + o, len - o, "\\\\x%02x", *p);
		else
			buf[o++] = (char)*p;
	}
	buf[o] = 0;
	return o;
}

/* One sample: family f, the process's labels (m NULL: none), a node (-1:
 * none), and the value. */
static void sample(int f, const struct metrics_target *m, int node, uint64_t v)
{
	static char line[8192], cg[4200];
	size_t o = fmt(line, sizeof(line), "%s", families[f].name);

	if (m) {
		o += fmt(line + o, sizeof(line) - o, "{pid=\"%d\"", m->pid);
		if (m->cgroup) {
			label_value(m->cgroup, cg, sizeof(cg));
			o += fmt(line + o, sizeof(line) - o, ",cgroup=\"%s\"", cg);
		}
		if (node >= 0)
			o += fmt(line + o, sizeof(line) - o, ",node=\"%d\"", node);
		o += fmt(line + o, sizeof(line) - o, "}");
	}
	o += fmt(line + o, sizeof(line) - o, " %llu\n", (unsigned long long)v);
	add(f, line, o < sizeof(line) ? o : sizeof(line) - 1);
}

static void per_node(int f, const struct metrics_target *m, const uint64_t *v)
{
	if (!v)
		return;
	for (int n = ns_next(m->rows, -1); n >= 0; n = ns_next(m->rows, n))
		sample(f, m, n, n < m->nnodes ? v[n] : 0);
}

void metrics_target(const struct metrics_target *m)
{
	if (!M.path)
		return;
	M.processes++;
	per_node(F_BEFORE, m, m->before);
	if (!opt.dry_run)
		per_node(F_AFTER, m, m->after);
	if (m->moved_known)
		sample(F_MOVED, m, -1, m->moved);
	if (!opt.dry_run && m->after)
		sample(F_LEFT, m, -1, m->left);
	if (m->watched) {
		per_node(F_TOUCHED, m, m->touched);
		per_node(F_UNTOUCHED, m, m->untouched);
		sample(F_UNTRACKED, m, -1, m->untracked);
	}
	if (m->again) {
		per_node(F_REGRET, m, m->again);
		per_node(F_REGRET_QUIET, m, m->quiet);
	}
	sample(F_STATUS, m, -1, (uint64_t)m->status);
}

/* A value in seconds with microseconds: the text after the name. */
static void seconds(int f, uint64_t us)
{
	char line[160];
	size_t o = fmt(line, sizeof(line), "%s %llu.%06llu\n", families[f].name,
		       (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000));
	add(f, line, o);
}

int metrics_finish(int status, int sig)
{
	static char head[1024];
	struct timespec now, wall;
	uint64_t us;
	int err = 0;

	if (!M.path || M.fd < 0)
		return status;
	clock_gettime(CLOCK_MONOTONIC, &now);
	clock_gettime(CLOCK_REALTIME, &wall);
	us = (uint64_t)(now.tv_sec - M.start.tv_sec) * 1000000u +
	     (uint64_t)((now.tv_nsec - M.start.tv_nsec) / 1000);
	sample(F_PROCESSES, NULL, -1, M.processes);
	sample(F_DRY_RUN, NULL, -1, (uint64_t)opt.dry_run);
	if (opt.watch)
		seconds(F_WATCH, opt.watch_ms * 1000);
	if (opt.verify_ms)
		seconds(F_VERIFY, opt.verify_ms * 1000);
	seconds(F_DURATION, us);
	sample(F_EXIT, NULL, -1, (uint64_t)(sig ? 128 + sig : status));
	sample(F_TIMESTAMP, NULL, -1, (uint64_t)wall.tv_sec);
	for (int f = 0; f < F_N && !M.failed; f++) {
		size_t n;
		if (!M.fam[f].n)
			continue;
		n = fmt(head, sizeof(head), "# HELP %s %s\n# TYPE %s gauge\n", families[f].name,
			families[f].help, families[f].name);
		write_all(M.fd, head, n, &err);
		write_all(M.fd, M.fam[f].v, M.fam[f].n, &err);
	}
	if (M.failed)
		err = M.failed;
	if (close(M.fd) < 0 && !err)
		err = errno;
	M.fd = -1;
	if (!err && rename(M.tmp, M.path) < 0)
		err = errno;
	if (!err)
		return status;
	unlink(M.tmp);
	say("--metrics: cannot write %s: %s", M.path, strerror(err));
	return EX_FAIL;
}
