/* watch.h - --cold and --hot: the window in which the targets are watched,
 * between the checks and the move (run.c calls it instead of the engine).
 *
 *   start   the tracker's window begins for every target at once (clear
 *           soft-dirty bits, or mark every page idle: tracker.h)
 *   wait    the time asked for; SIGINT, SIGTERM or SIGHUP end it early
 *   judge   the chunked mover goes through each process and judges every
 *           page: touched during the window or not, counted per node; then
 *           moves only the pages asked for (--cold: not touched, --hot:
 *           touched) with everything the mover does (--rate, --jobs, ...).
 *           A dry run, or a window a signal ended, only counts.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_WATCH_H
#define MP_WATCH_H

#include <stddef.h>
#include <stdint.h>

struct target;

struct watch_info {
	const char *tracker;     /* "idle" or "softdirty" */
	const char *sees;        /* "reads and writes" or "writes only" */
	const char *unit;        /* "folio": a large folio judged as one; "page":
	                          * each base page (frames cannot be read) */
	const char *read;        /* how soft-dirty bits are read: "pagemap_scan"
	                          * (the ioctl, Linux 6.7+) or "pagemap"; NULL:
	                          * a tracker without that choice */
	uint64_t asked_ms;       /* the window asked for */
	uint64_t watched_ms;     /* the window the processes were watched for */
	uint64_t start_us;       /* how long the tracker's start took (in it) */
	uint64_t judge_us;       /* how long judging (and moving) took after it */
	int stopped;             /* a signal ended it: nothing moved */
	int combined;            /* the bits of shared pages were combined by
	                          * frame across the processes (tracker.h) */
	/* --verify */
	int verify;              /* the moved pages were watched again */
	uint64_t verify_ms;      /* for how long */
	int verify_stopped;      /* a signal ended that window */
};

/* Chooses the tracker (--tracker): exits 1, saying what is missing, when none
 * can be used here. Called before any process is looked at. */
void watch_setup(void);

/* The window, for the targets that passed the checks: started, and waited
 * out (or ended by a signal). Returns how many are left in v (those it could
 * not be started for fail, and are taken out). */
size_t watch_window(struct target **v, size_t n);

/* What follows it: every page judged, and the pages asked for moved (a dry
 * run, or a window a signal ended: only judged). */
void watch_finish(struct target **v, size_t n);

/* --verify: after watch_finish, the pages moved are watched again for the
 * time asked with the same tracker, and judged (the regret: mover.h's
 * mv_target again, quiet). What goes wrong here is a note: the exit status
 * is the move's. */
void watch_verify(struct target **v, size_t n);

/* For the reports: NULL without --cold and --hot. */
const struct watch_info *watch_info(void);

#endif
