/* cli.h - the command line: the options, and the arguments as typed. Every
 * check of what the user typed that needs no file is made here, before
 * anything is read or moved; a mistake exits 1 with one line (and, for an
 * option, the --help hint).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_CLI_H
#define MP_CLI_H

#include <stdint.h>

#include "sysinfo.h"

#define VERSION "1.5.1"

struct options {
	int verbose, dry_run, json;
	const char *cgroup;
	const char *metrics;     /* --metrics FILE, or NULL */
	/* the chunked mover: used when mover is set (by any of its options) */
	int mover, jobs, chunk_given;
	int progress;            /* 0 never, 1 auto, 2 always */
	uint64_t rate;           /* bytes per second, 0: no cap */
	unsigned long chunk;     /* pages per move_pages call */
	/* cold and hot pages: watch for a while, then move only those */
	int watch;               /* 0, WATCH_COLD or WATCH_HOT */
	uint64_t watch_ms;       /* how long */
	int tracker;             /* TRACK_AUTO, TRACK_IDLE, TRACK_SOFTDIRTY, TRACK_DAMON */
	int tracker_given;
	uint64_t verify_ms;      /* --verify: the moved pages watched this long after */
	/* the arguments */
	const char *pids_text, *from_text, *to_text;
	struct pidlist pids;     /* without --cgroup */
};
extern struct options opt;

enum { WATCH_COLD = 1, WATCH_HOT = 2 };
enum { TRACK_AUTO, TRACK_IDLE, TRACK_SOFTDIRTY, TRACK_DAMON };

/* Parses argv into opt; --help and --version print and exit 0, a bad
 * command line exits 1. */
void cli_parse(int argc, char **argv);

/* "30s", "5m", "1h", "500ms", or plain seconds: a whole number from 1 with
 * an optional unit. Returns 0 and the milliseconds, or -1. */
int parse_duration(const char *s, uint64_t *ms);

/* "200M": a whole number with an optional K, M, G or T (powers of 1024),
 * optionally followed by "iB" or "B". Returns 0, or -1 when it is not one. */
int parse_size(const char *s, uint64_t *out);

#endif
