/* tracker.c - what the trackers share (see tracker.h): choosing one, and
 * clear_refs (the soft-dirty tracker's start, the idle tracker's TLB flush).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "cli.h"
#include "fmt.h"
#include "kerndat.h"
#include "tracker.h"

const struct tracker *tracker_choose(int want, char *why, size_t len)
{
	char idle_why[400], damon_why[700], sd_why[400];

	if ((want == TRACK_AUTO || want == TRACK_IDLE) &&
	    kd_tracker(&tracker_idle, idle_why, sizeof(idle_why)) == 0)
		return &tracker_idle;
	/* soft-dirty before DAMON: DAMON misses accesses made through a
	 * translation the CPU kept cached (track_damon.c), soft-dirty's
	 * clear_refs flushes the TLB and sees every write */
	if ((want == TRACK_AUTO || want == TRACK_SOFTDIRTY) &&
	    kd_tracker(&tracker_softdirty, sd_why, sizeof(sd_why)) == 0)
		return &tracker_softdirty;
	if ((want == TRACK_AUTO || want == TRACK_DAMON) &&
	    kd_tracker(&tracker_damon, damon_why, sizeof(damon_why)) == 0)
		return &tracker_damon;
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

int clear_refs(int dirfd)
{
	int fd = openat(dirfd, "clear_refs", O_WRONLY), e;
	ssize_t r;

	if (fd < 0)
		return -1;
	r = write(fd, "4", 1);
	e = errno;
	close(fd);
	errno = e;
	return r == 1 ? 0 : -1;
}
