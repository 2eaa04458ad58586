/* stop.c - the stop flag, its handler and the signals' names (see stop.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <string.h>

#include "stop.h"

volatile sig_atomic_t stop_sig;

static const struct {
	int sig;
	const char *name;
} sigs[] = {
	{ .sig = SIGINT, .name = "SIGINT" },
	{ .sig = SIGTERM, .name = "SIGTERM" },
	{ .sig = SIGHUP, .name = "SIGHUP" },
};
#define NSIGS (sizeof(sigs) / sizeof(sigs[0]))
static int caught[NSIGS];

const char *stop_name(int sig)
{
	for (size_t i = 0; i < NSIGS; i++)
		if (sigs[i].sig == sig)
			return sigs[i].name;
	return "a signal";
}

static void (*volatile cleanup)(void);

static void to_default(void)
{
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (size_t i = 0; i < NSIGS; i++)
		if (caught[i])
			sigaction(sigs[i].sig, &dfl, NULL);
}

static void on_stop(int sig)
{
	void (*fn)(void) = cleanup;

	if (stop_sig && fn) { /* the second: put back, then end as it asks */
		cleanup = NULL;
		fn();
		to_default();
		raise(sig);
		return;
	}
	stop_sig = sig;
	if (!fn)
		to_default();
}

void stop_cleanup(void (*fn)(void))
{
	cleanup = fn;
	if (!fn && stop_sig)
		to_default(); /* a stop came meanwhile: the next signal ends the tool */
}

void stop_catch(void)
{
	struct sigaction sa, old;

	if (stop_sig)
		return; /* a stop came: its handler made way for the default, which
			 * the end of the run raises */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGS; i++)
		sigaddset(&sa.sa_mask, sigs[i].sig);
	for (size_t i = 0; i < NSIGS; i++)
		if (sigaction(sigs[i].sig, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			caught[i] = sigaction(sigs[i].sig, &sa, NULL) == 0;
}
