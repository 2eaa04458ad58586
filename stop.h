/* stop.h - stopping cleanly on SIGINT, SIGTERM or SIGHUP: the flag, its
 * handler, and the one table of the signals' names. The pipeline installs
 * the handler before a long run (the mover, the watch); the mover and the
 * watch look at the flag and name the signal in their messages.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_STOP_H
#define MP_STOP_H

#include <signal.h>

/* The signal (SIGINT, SIGTERM, SIGHUP) that asked a stop, or 0; set by the
 * handler stop_catch installs. */
extern volatile sig_atomic_t stop_sig;

/* From now on the three signals stop the run cleanly instead of killing it,
 * unless they were ignored when the tool started. The handler runs once: it
 * gives all three back their default, so a second one ends the tool. */
void stop_catch(void);

/* While something outside the tool must be put back before it ends (DAMON's
 * sysfs, track_damon.c): fn (async-signal-safe) is run by the handler
 * before a second stop signal ends the tool, which the handler then waits
 * for instead of the default. NULL: nothing any more (a second signal ends
 * the tool at once, as before). */
void stop_cleanup(void (*fn)(void));

/* "SIGINT", "SIGTERM" or "SIGHUP"; "a signal" for any other number. */
const char *stop_name(int sig);

#endif
