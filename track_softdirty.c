/* track_softdirty.c - the soft-dirty tracker (see tracker.h).
 *
 * Writing "4" to /proc/PID/clear_refs clears the soft-dirty bit of every
 * page of the process (and write-protects them, so that the next write
 * faults and sets it again); bit 55 of a page's pagemap entry then tells
 * whether it was written since. A page that is only read stays clean: it
 * counts as not touched. A transparent huge page has one bit for its 2 MiB.
 * Clearing resets the bits for anyone else using them at the same time (a
 * CRIU incremental dump, another tool's tracking).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fmt.h"
#include "target.h"
#include "tracker.h"

#define PM_SOFT_DIRTY (1ULL << 55)

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

/* The bits of two pages of the tool's own: both written, the bits cleared,
 * the first written again. A kernel with soft-dirty shows the first dirty
 * and the second clean. */
static int usable(char *why, size_t len)
{
	static int known = -1;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t e[2] = { 0, 0 };
	char *p;
	int self, pm;

	if (known >= 0)
		goto done;
	known = 0;
	p = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	self = open("/proc/self", O_RDONLY | O_DIRECTORY);
	if (p == MAP_FAILED || self < 0) {
		if (self >= 0)
			close(self);
		goto done;
	}
	p[0] = p[page] = 1;
	pm = openat(self, "pagemap", O_RDONLY);
	if (pm >= 0 && clear_refs(self) == 0) {
		p[0] = 2;
		if (pread(pm, e, sizeof(e), (off_t)((unsigned long)p / (unsigned long)page * 8)) ==
		    (ssize_t)sizeof(e))
			known = (e[0] & PM_SOFT_DIRTY) && !(e[1] & PM_SOFT_DIRTY);
	}
	if (pm >= 0)
		close(pm);
	close(self);
	munmap(p, 2 * (size_t)page);
done:
	if (!known)
		fmt(why, len, "this kernel keeps no soft-dirty bits (CONFIG_MEM_SOFT_DIRTY: it "
		    "takes \"4\" in clear_refs, but a page written after that does not show as "
		    "soft-dirty in pagemap; arm64 has none)");
	return known ? 0 : -1;
}

static int start(struct target *t)
{
	return clear_refs(target_mmfd(t));
}

/* clear_refs leaves hugetlb pages alone: their bits say nothing of the window */
static void judge(const struct target *t, const unsigned long *addr, const uint64_t *pm,
		  size_t n, unsigned long psize, int *out, void *scratch)
{
	int huge = psize > (unsigned long)sysconf(_SC_PAGESIZE);

	(void)t;
	(void)addr;
	(void)scratch;
	for (size_t i = 0; i < n; i++) {
		if (huge)
			out[i] = TRACK_UNTRACKED;
		else
			out[i] = (pm[i] & PM_SOFT_DIRTY) ? TRACK_ACCESSED : TRACK_IDLE_UNIT;
	}
}

const struct tracker tracker_softdirty = {
	.name = "softdirty",
	.sees = "writes only",
	.usable = usable,
	.start = start,
	.judge = judge,
};
