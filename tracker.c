/* tracker.c - choosing a tracker (see tracker.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "cli.h"
#include "fmt.h"
#include "tracker.h"

const struct tracker *tracker_choose(int want, char *why, size_t len)
{
	char idle_why[400], damon_why[700], sd_why[400];

	if ((want == TRACK_AUTO || want == TRACK_IDLE) &&
	    tracker_idle.usable(idle_why, sizeof(idle_why)) == 0)
		return &tracker_idle;
	if ((want == TRACK_AUTO || want == TRACK_DAMON) &&
	    tracker_damon.usable(damon_why, sizeof(damon_why)) == 0)
		return &tracker_damon;
	if ((want == TRACK_AUTO || want == TRACK_SOFTDIRTY) &&
	    tracker_softdirty.usable(sd_why, sizeof(sd_why)) == 0)
		return &tracker_softdirty;
	if (want == TRACK_IDLE)
		fmt(why, len, "--tracker idle: %s", idle_why);
	else if (want == TRACK_DAMON)
		fmt(why, len, "--tracker damon: %s", damon_why);
	else if (want == TRACK_SOFTDIRTY)
		fmt(why, len, "--tracker softdirty: %s", sd_why);
	else
		fmt(why, len, "%s: no way to see which pages are touched here: %s; %s; and %s",
		    opt.watch == WATCH_COLD ? "--cold" : "--hot", idle_why, damon_why, sd_why);
	return NULL;
}
