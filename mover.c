/* mover.c - the chunked mover (see mover.h): the run.
 *
 * One producer, under a lock, hands out chunks (mover_walk.c): it streams
 * maps and numa_maps of each target side by side. Workers (threads, here)
 * take a chunk each and go through it in named steps (mover_chunk.c). This
 * file holds what they share: the lock and the state, the one call that
 * names a target (target_move_pages: the handle checks its pidfd), the
 * rate cap, the progress display, and the run's setup and end.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "kerndat.h"
#include "mem.h"
#include "mover_int.h"
#include "syscall_arch.h"
#include "sysinfo.h"
#include "target.h"
#include "tracker.h"

struct mover_state mvg;

uint64_t mv_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The caller asked the mover to stop (opts->stop). */
int mv_stopping(void)
{
	return mvg.o->stop && *mvg.o->stop;
}


/* ---- the target: alive, and the calls that name it ----------------------- */

/* move_pages on the target (target.h: only while its pidfd says it has not
 * exited): -1 with ESRCH when it has (the target is then dead: no call
 * names it again). */
long mv_move_pages(struct mv_target *m, unsigned long n, const unsigned long *pages,
		   const int *nodes, int *status, int flags)
{
	if (__atomic_load_n(&m->dead, __ATOMIC_RELAXED)) {
		errno = ESRCH;
		return -1;
	}
	return target_move_pages(m->t, n, pages, nodes, status, flags);
}

/* ---- rate and progress ------------------------------------------------- */

/* Sleeps until then; -1 as soon as the mover is told to stop (looked at
 * every 50 ms: the signal may have gone to another thread). */
static int sleep_until(uint64_t when)
{
	for (;;) {
		uint64_t now = mv_now_ns(), until = when;
		struct timespec ts;

		if (mv_stopping())
			return -1;
		if (now >= when)
			return 0;
		if (mvg.o->stop && when - now > 50000000u)
			until = now + 50000000u;
		ts.tv_sec = (time_t)(until / 1000000000u);
		ts.tv_nsec = (long)(until % 1000000000u);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL); /* or EINTR */
	}
}

/* Under the lock: when a batch of this many bytes may start. Time the
 * workers lost (reading pagemap and the maps) is made up for, up to 1/16 s,
 * two batches: a 250 ms window gets at most 1.375 times the cap. */
static uint64_t rate_slot(uint64_t bytes)
{
	uint64_t now = mv_now_ns(), start, slack = 62500000u;

	if (!mvg.o->rate)
		return 0;
	if (mvg.next_ns + slack < now)
		mvg.next_ns = now - slack;
	start = mvg.next_ns > now ? mvg.next_ns : now;
	mvg.next_ns += (uint64_t)((double)bytes * 1e9 / (double)mvg.o->rate);
	return start;
}

/* Bytes moved beyond what a batch waited for (a huge page found whole after
 * its first base page was paid for): the next batch waits for them. */
void mv_rate_charge(uint64_t bytes)
{
	if (!mvg.o->rate || !bytes)
		return;
	pthread_mutex_lock(&mvg.lock);
	rate_slot(bytes);
	pthread_mutex_unlock(&mvg.lock);
}

/* Waits for the moment a batch of this many bytes may start: 0, or -1 when
 * the mover was told to stop (the batch is not to be made). */
int mv_rate_wait(uint64_t bytes)
{
	uint64_t start;

	if (mv_stopping())
		return -1;
	if (!mvg.o->rate)
		return 0;
	pthread_mutex_lock(&mvg.lock);
	start = rate_slot(bytes);
	pthread_mutex_unlock(&mvg.lock);
	return start ? sleep_until(start) : 0;
}

/* Under the lock: tells the caller how far we are, at most every interval. */
void mv_progress(int final)
{
	uint64_t now = mv_now_ns();
	struct mv_progress p;

	if (!mvg.o->progress || (!final && now - mvg.last_print < mvg.o->progress_ns))
		return;
	mvg.last_print = now;
	p.done = mvg.done;
	p.total = mvg.total;
	p.elapsed_ns = now - mvg.t0;
	p.node_done = mvg.node_done;
	p.nnodes = mvg.nnodes;
	mvg.o->progress(&p, final);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct chunk c;

	for (;;) {
		int got;
		if (mv_stopping())
			return NULL;
		pthread_mutex_lock(&mvg.lock);
		got = mv_next_chunk(&c);
		pthread_mutex_unlock(&mvg.lock);
		if (!got)
			return NULL;
		if (!__atomic_load_n(&mvg.t[c.ti].dead, __ATOMIC_RELAXED))
			mv_do_chunk(w, &c);
	}
}

/* ---- the whole job ------------------------------------------------------ */

/* acc: ACC_N * mvg.nnodes words; pm, addr, flags, blk, maddr, midx: cap
 * words each; node, orig, mnode, mst, ast: cap ints each; the tracker's
 * scratch and verdicts */
static size_t worker_bytes(unsigned long cap)
{
	size_t tr = mvg.o->tracker ? cap * (mvg.o->tracker->scratch + sizeof(int)) : 0;

	return ACC_N * (size_t)mvg.nnodes * sizeof(uint64_t) + cap * sizeof(struct mv_run) +
	       cap * (6 * sizeof(uint64_t) + 5 * sizeof(int)) + 16 + tr;
}

static int worker_init(struct worker *w, unsigned long cap)
{
	char *p = mem_get(worker_bytes(cap));

	if (!p)
		return -1;
	w->cap = cap;
	w->base_ti = -1;
	w->acc = (uint64_t *)(void *)p;
	w->runs = (struct mv_run *)(void *)(w->acc + ACC_N * (size_t)mvg.nnodes);
	w->pm = (uint64_t *)(void *)(w->runs + cap);
	w->flags = w->pm + cap;
	w->addr = (unsigned long *)(void *)(w->flags + cap);
	w->blk = (unsigned long *)(void *)((uint64_t *)(void *)w->addr + cap);
	w->maddr = (unsigned long *)(void *)((uint64_t *)(void *)w->blk + cap);
	w->midx = (unsigned long *)(void *)((uint64_t *)(void *)w->maddr + cap);
	w->node = (int *)(void *)((uint64_t *)(void *)w->midx + cap);
	w->orig = w->node + cap;
	w->mnode = w->orig + cap;
	w->mst = w->mnode + cap;
	w->ast = w->mst + cap;
	w->verdict = w->ast + cap;
	/* the tracker's scratch: 16-aligned after the verdicts */
	w->scratch = p + (((size_t)((char *)(w->verdict + cap) - p) + 15) & ~(size_t)15);
	return 0;
}

/* The setup of one run: sizes, the probe, the per-node progress. */
static int setup(struct mv_target *t, int n, const struct mv_opts *o)
{
	static struct usage u;
	mvg.o = o;
	mvg.t = t;
	mvg.n = n;
	mvg.base = kd_page_size();
	mvg.ti = mvg.pass = 0;
	mvg.maps_open = mvg.nm_open = mvg.nml_valid = 0;
	mvg.thp = kd_thp_size();
	mvg.prot_none_seen = mv_stopping() || kd_prot_none_visible();
	kd_pagemap_scan(); /* (probed before the workers ask) */
	mvg.nnodes = 0;
	for (int i = 0; i < n; i++)
		if (t[i].nnodes > mvg.nnodes)
			mvg.nnodes = t[i].nnodes;
	mvg.node_done = mem_get(((size_t)mvg.nnodes + 1) * sizeof(uint64_t) +
				o->chunk * sizeof(struct mv_run));
	if (!mvg.node_done)
		return -1;
	mvg.runs = (struct mv_run *)(void *)(mvg.node_done + mvg.nnodes + 1);
	mvg.total = mvg.done = 0;
	for (int i = 0; o->progress && !o->tracker && i < n; i++) {
		/* the total: what numa_maps shows on nodes that will be emptied */
		if (t[i].dead || proc_usage(target_mmfd(t[i].t), &u) < 0)
			continue;
		for (int k = 0; k < t[i].nnodes; k++)
			if (t[i].finals[k] != k)
				mvg.total += u.bytes[k];
	}
	for (int i = 0; i < n; i++)
		t[i].pagemap = -1;
	return 0;
}

/* After the workers: the targets not looked at to the end when told to
 * stop, the files, the times. */
static void wind_up(struct mv_target *t, int n)
{
	if (mv_stopping()) {
		for (int i = 0; i < n; i++)
			t[i].stopped = !t[i].dead && (i >= mvg.ti || t[i].bytes[MV_STOPPED]);
		mv_close_files();
		if (mvg.ti < n) {
			mem_put(t[mvg.ti].seen, t[mvg.ti].capseen * sizeof(*t[mvg.ti].seen));
			t[mvg.ti].seen = NULL;
		}
	}
	for (int i = 0; i < n; i++) {
		if (t[i].pagemap >= 0)
			close(t[i].pagemap);
		t[i].pagemap = -1;
		t[i].ns = t[i].t_last > t[i].t_first ? t[i].t_last - t[i].t_first : 0;
	}
}

int mover_run(struct mv_target *t, int n, const struct mv_opts *o)
{
	static struct worker w[MV_MAX_JOBS];
	int jobs = o->jobs < 1 ? 1 : o->jobs > MV_MAX_JOBS ? MV_MAX_JOBS : o->jobs, started;
	int e = 0;

	if (setup(t, n, o) < 0)
		return -1;
	for (int i = 0; i < jobs; i++) {
		/* a chunk of huge pages needs no more entries than one of base pages */
		if (worker_init(&w[i], o->chunk) < 0) {
			e = errno;
			jobs = i;
			break;
		}
	}
	if (jobs == 0) {
		mem_put(mvg.node_done, ((size_t)mvg.nnodes + 1) * sizeof(uint64_t) +
			o->chunk * sizeof(struct mv_run));
		errno = e;
		return -1;
	}
	mvg.t0 = mvg.last_print = mv_now_ns();
	mvg.next_ns = 0;
	for (started = 1; started < jobs; started++)
		if (pthread_create(&w[started].th, NULL, work, &w[started]) != 0)
			break;
	work(&w[0]);
	for (int i = 1; i < started; i++)
		pthread_join(w[i].th, NULL);
	wind_up(t, n);
	for (int i = 0; i < jobs; i++) {
		mem_put(w[i].acc, worker_bytes(w[i].cap));
		mem_put(w[i].mr, w[i].capmr * sizeof(*w[i].mr));
		w[i].mr = NULL;
		w[i].nmr = w[i].capmr = 0;
	}
	mv_progress(1);
	mem_put(mvg.node_done, ((size_t)mvg.nnodes + 1) * sizeof(uint64_t) +
			o->chunk * sizeof(struct mv_run));
	mvg.node_done = NULL;
	return 0;
}

