/* watch.c - the window of --cold and --hot (see watch.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks.h"
#include "cli.h"
#include "engine.h"
#include "mover.h"
#include "output.h"
#include "stop.h"
#include "target.h"
#include "tracker.h"
#include "watch.h"

static struct watch_info info;
static const struct tracker *tracker;

const struct watch_info *watch_info(void)
{
	return opt.watch ? &info : NULL;
}

void watch_setup(void)
{
	char why[1000];

	if (!opt.watch)
		return;
	tracker = tracker_choose(opt.tracker, why, sizeof(why));
	if (!tracker)
		die("%s", why);
	info.tracker = tracker->name;
	info.sees = tracker->sees;
	info.unit = tracker->unit ? tracker->unit : tracker->by_folio() ? "folio" : "page";
	info.read = !tracker->scans ? NULL : tracker->scans() ? "pagemap_scan" : "pagemap";
	info.asked_ms = opt.watch_ms;
	mover_set_tracker(tracker);
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t now_ms(void)
{
	return now_us() / 1000;
}

/* The window (ms long) starts for each target; those it cannot start for
 * fail. Returns how many are left (v is compacted). */
static size_t start(struct target **v, size_t n, uint64_t ms)
{
	size_t k = 0;
	char why[1000];

	for (size_t i = 0; i < n; i++) {
		struct target *t = v[i];
		if (!target_alive(t)) {
			check_exited(t, &engine_mover);
			continue;
		}
		if (tracker->start(t) < 0) {
			int e = errno;
			if (!target_alive(t)) {
				check_exited(t, &engine_mover); /* before its window: as any exit */
				continue;
			}
			t->status = EX_FAIL;
			t->err = e;
			target_msg(t, "cannot watch it: %s", e == ENOENT || e == ESRCH ? "the process "
				   "exited" : e == EACCES || e == EPERM ? "its clear_refs may not be "
				   "written (it belongs to another user)" : strerror(e));
			continue;
		}
		v[k++] = t;
	}
	if (tracker->walk && k)
		mover_engine_run(v, k, MV_MARK); /* every present page marked */
	for (size_t i = 0; tracker->settle && i < k; i++)
		tracker->settle(v[i]); /* (a process that exited is found so later) */
	if (k && tracker->begin && tracker->begin(v, k, ms, why, sizeof(why)) < 0) {
		for (size_t i = 0; i < k; i++) {
			v[i]->status = EX_FAIL;
			v[i]->err = EBUSY;
			target_msg(v[i], "cannot watch it: %s", why);
		}
		return 0;
	}
	return k;
}

/* The tracker's end of a window (DAMON: its regions read, and DAMON put
 * back as found). 0, or -1 with why. */
static int window_end(size_t n, char *why, size_t len)
{
	return n && tracker->end ? tracker->end(why, len) : 0;
}

/* Waits for the window's end (ms after t0), or a stop. */
static void wait_window(uint64_t t0, uint64_t ms)
{
	uint64_t end = t0 + ms, now;

	while (!stop_sig && (now = now_ms()) < end) {
		uint64_t d = end - now < 200 ? end - now : 200; /* a signal is seen within 0.2 s */
		struct timespec ts = { (time_t)(d / 1000), (long)(d % 1000) * 1000000 };
		nanosleep(&ts, NULL);
	}
}

/* Those that exited during the window are said so and left out (their pid
 * may be another process's by now). Returns how many are left. */
static size_t gone(struct target **v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct target *t = v[i];
		if (target_alive(t)) {
			v[k++] = t;
			continue;
		}
		t->before = t->after = NULL;
		t->status = EX_FAIL;
		t->err = ESRCH;
		t->skip = "exited";
		target_msg(t, "the process exited during the window: nothing of it moved, and "
			   "no call named its pid after that");
	}
	return k;
}

static int window_started;

size_t watch_window(struct target **v, size_t n)
{
	uint64_t t0;
	char why[1000];

	stop_catch();
	window_started = !stop_sig;
	if (stop_sig) { /* a stop came before the window: it does not start */
		info.stopped = 1;
		return n;
	}
	t0 = now_ms();
	info.start_us = now_us();
	n = start(v, n, opt.watch_ms);
	info.start_us = now_us() - info.start_us;
	wait_window(t0, opt.watch_ms);
	info.watched_ms = now_ms() - t0;
	info.stopped = stop_sig != 0;
	if (window_end(n, why, sizeof(why)) < 0) {
		for (size_t i = 0; i < n; i++) {
			v[i]->status = EX_FAIL;
			v[i]->err = EIO;
			target_msg(v[i], "cannot judge its pages: %s", why);
		}
		return 0;
	}
	return gone(v, n);
}

void watch_verify(struct target **v, size_t n)
{
	struct target **u;
	size_t k = 0;
	uint64_t t0;
	char why[1000];

	if (!opt.verify_ms || opt.dry_run || stop_sig || !window_started || !n ||
	    !(u = target_alloc(n * sizeof(struct target *))))
		return;
	for (size_t i = 0; i < n; i++) {
		struct target *t = v[i];
		if (t->status == EX_FAIL || !t->mv || !t->mv->bytes[MV_MOVED])
			continue;
		if (!target_alive(t) || tracker->start(t) < 0) {
			target_note(t, "the moved pages were not watched (--verify): %s",
				    target_alive(t) ? strerror(errno) : "the process exited");
			continue;
		}
		u[k++] = t;
	}
	if (!k)
		return;
	info.verify = 1;
	t0 = now_ms();
	if (tracker->walk)
		mover_engine_run(u, k, MV_MARK);
	for (size_t i = 0; tracker->settle && i < k; i++)
		tracker->settle(u[i]);
	if (tracker->begin && tracker->begin(u, k, opt.verify_ms, why, sizeof(why)) < 0) {
		for (size_t i = 0; i < k; i++)
			target_note(u[i], "the moved pages were not watched (--verify): %s", why);
		return;
	}
	wait_window(t0, opt.verify_ms);
	info.verify_ms = now_ms() - t0;
	info.verify_stopped = stop_sig != 0;
	if (window_end(k, why, sizeof(why)) < 0) {
		for (size_t i = 0; i < k; i++)
			target_note(u[i], "the moved pages were not judged (--verify): %s", why);
		return;
	}
	mover_engine_verify(u, k);
}

void watch_finish(struct target **v, size_t n)
{
	for (size_t i = 0; !window_started && i < n; i++) {
		v[i]->status = EX_FAIL;
		v[i]->err = EINTR;
		target_msg(v[i], "interrupted by %s before its window started: nothing watched, "
			   "nothing moved", stop_name(stop_sig));
	}
	if (!window_started)
		return;
	info.judge_us = now_us();
	/* several processes in one window: the tracker may combine their bits
	 * by frame (tracker.h: gather), in a pass over them all first */
	info.combined = n > 1 && tracker->gather_begin && tracker->gather_begin() == 0;
	if (info.combined)
		mover_engine_run(v, n, MV_GATHER);
	mover_engine_run(v, n, stop_sig || opt.dry_run ? MV_SCAN : MV_MOVE);
	if (info.combined)
		tracker->gather_end();
	info.judge_us = now_us() - info.judge_us;
	for (size_t i = 0; info.stopped && i < n; i++) {
		struct target *t = v[i];
		t->status = EX_FAIL;
		t->err = EINTR;
		target_msg(t, "interrupted by %s while watching (%llu.%llu s of %llu.%llu s): "
			   "nothing moved", stop_name(stop_sig),
			   (unsigned long long)(info.watched_ms / 1000),
			   (unsigned long long)(info.watched_ms % 1000 / 100),
			   (unsigned long long)(opt.watch_ms / 1000),
			   (unsigned long long)(opt.watch_ms % 1000 / 100));
	}
}
