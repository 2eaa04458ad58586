/* kerndat.c - the kernel's facts, probed once (see kerndat.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fmt.h"
#include "kerndat.h"
#include "output.h"
#include "syscall_arch.h"
#include "sysinfo.h"
#include "tracker.h"

#define UNKNOWN (-2) /* not probed yet */

unsigned long kd_thp_size(void)
{
	static unsigned long thp = 1; /* 1: not read yet */
	char v[32];

	if (thp == 1)
		thp = read_small("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", v, sizeof(v)) > 0
			? strtoul(v, NULL, 10) : 0;
	return thp;
}

/* The ioctl on a page of the tool's own (the one holding known): an old
 * kernel answers ENOTTY. */
int kd_pagemap_scan(void)
{
	static int known = UNKNOWN;
	struct pm_scan_arg a;
	int fd;

	if (known != UNKNOWN)
		return known;
	known = 0;
	if ((fd = open("/proc/self/pagemap", O_RDONLY)) < 0)
		return known;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.start = (uintptr_t)&known & ~(uintptr_t)(kd_page_size() - 1);
	a.end = a.start + kd_page_size();
	a.category_mask = a.return_mask = PAGE_IS_PRESENT; /* (no vector: counted) */
	known = ioctl(fd, PAGEMAP_SCAN, &a) >= 0;
	close(fd);
	return known;
}

/* move_pages(2) of a page of the tool's own made PROT_NONE: a kernel that
 * cannot see it answers -EFAULT in its status. */
int kd_prot_none_visible(void)
{
	static int known = UNKNOWN;
	unsigned long page = kd_page_size();
	char *p;
	int st = -1;

	if (known != UNKNOWN)
		return known;
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return known = 1; /* not known: looked at page by page as the others */
	p[0] = 1;
	if (mprotect(p, page, PROT_NONE) == 0 &&
	    syscall(SYS_move_pages, 0, 1UL, &p, NULL, &st, 0) == 0)
		known = st >= 0;
	else
		known = 1;
	munmap(p, page);
	return known;
}

int kd_numa_balancing(void)
{
	static int mode = UNKNOWN;
	char v[16];
	const char *p = v;
	unsigned long long m = 0;

	if (mode != UNKNOWN)
		return mode;
	if (read_small("/proc/sys/kernel/numa_balancing", v, sizeof(v)) > 0)
		dec_scan(&p, NULL, 1000, &m);
	return mode = (int)m; /* bit 0: normal balancing; bit 1: memory tiering */
}

/* /proc/self names this process: the /proc of this pid namespace. */
int kd_proc_ours(void)
{
	static int known = UNKNOWN;
	char buf[32];
	const char *p = buf;
	unsigned long long v = 0;
	ssize_t n;

	if (known != UNKNOWN)
		return known;
	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	if (n <= 0)
		return known = 0;
	buf[n] = 0;
	return known = dec_scan(&p, NULL, 0x7fffffff, &v) > 0 && !*p && (int)v == getpid();
}

const char *kd_proc_problem(void)
{
	if (kd_proc_ours())
		return NULL;
	return access("/proc/self", F_OK) == 0 ? "/proc belongs to another pid namespace"
					       : "/proc is not mounted";
}

/* The initial namespace maps everything: "0 0 4294967295" on one line. */
int kd_initial_userns(void)
{
	static int known = UNKNOWN;
	char buf[256];
	unsigned long long f[3] = { 1, 1, 0 };
	const char *p = buf;

	if (known != UNKNOWN)
		return known;
	if (read_small("/proc/self/uid_map", buf, sizeof(buf)) < 0)
		return known = -1;
	for (int i = 0; i < 3; i++) {
		while (*p == ' ')
			p++;
		if (dec_scan(&p, NULL, ~0ULL, &f[i]) <= 0)
			return known = 0;
	}
	while (*p == ' ' || *p == '\n')
		p++;
	return known = f[0] == 0 && f[1] == 0 && f[2] == 4294967295ULL && !*p;
}

int kd_seccomp(void)
{
	static int mode = UNKNOWN;
	char v[16];

	if (mode == UNKNOWN)
		mode = proc_status(PROC_SELF, "Seccomp", v, sizeof(v)) == 0 ? (int)strtol(v, NULL, 10) : -1;
	return mode;
}

/* A real kernel answers migrate_pages with empty masks EINVAL (4.16+) or 0,
 * and move_pages of an empty list of the caller's own pages 0; never EPERM. */
int kd_seccomp_blocks(const char *call)
{
	static int migrate = UNKNOWN, move = UNKNOWN;
	int mv = strcmp(call, "move_pages") == 0, *known = mv ? &move : &migrate;
	long r;

	if (*known != UNKNOWN)
		return *known;
	r = mv ? syscall(SYS_move_pages, 0, 0UL, NULL, NULL, NULL, 0)
	       : syscall(SYS_migrate_pages, 0, 0UL, NULL, NULL);
	return *known = r < 0 && errno == EPERM;
}

int kd_tracker(const struct tracker *tr, char *why, size_t len)
{
	static int known[2] = { UNKNOWN, UNKNOWN };
	static char reason[2][400];
	int i = tr == &tracker_idle ? 0 : 1;

	if (known[i] == UNKNOWN)
		known[i] = tr->usable(reason[i], sizeof(reason[i]));
	if (known[i] < 0)
		fmt(why, len, "%s", reason[i]);
	return known[i];
}

/* ---- printing ------------------------------------------------------------ */

static long f_page(void) { return (long)kd_page_size(); }
static long f_thp(void) { return (long)kd_thp_size(); }
static long f_userns(void) { return kd_initial_userns(); }
static long f_balancing(void) { return kd_numa_balancing(); }
static long f_seccomp(void) { return kd_seccomp(); }
static long f_scan(void) { return kd_pagemap_scan(); }
static long f_prot_none(void) { return kd_prot_none_visible(); }
static long f_proc(void) { return kd_proc_ours(); }
static long f_sc_migrate(void) { return kd_seccomp_blocks("migrate_pages"); }
static long f_sc_move(void) { return kd_seccomp_blocks("move_pages"); }
static long f_idle(void) { char w[400]; return kd_tracker(&tracker_idle, w, sizeof(w)) == 0; }
static long f_softdirty(void) { char w[400]; return kd_tracker(&tracker_softdirty, w, sizeof(w)) == 0; }

enum { KD_NUMBER, KD_BOOL, KD_TRISTATE };

static const struct {
	const char *name;
	long (*get)(void);
	int kind;
} facts[] = {
	{ .name = "page_size", .get = f_page, .kind = KD_NUMBER },
	{ .name = "thp_size", .get = f_thp, .kind = KD_NUMBER },
	{ .name = "pagemap_scan", .get = f_scan, .kind = KD_BOOL },
	{ .name = "prot_none_visible", .get = f_prot_none, .kind = KD_BOOL },
	{ .name = "numa_balancing", .get = f_balancing, .kind = KD_NUMBER },
	{ .name = "proc_ours", .get = f_proc, .kind = KD_BOOL },
	{ .name = "initial_userns", .get = f_userns, .kind = KD_TRISTATE },
	{ .name = "seccomp", .get = f_seccomp, .kind = KD_NUMBER },
	{ .name = "seccomp_blocks_migrate_pages", .get = f_sc_migrate, .kind = KD_BOOL },
	{ .name = "seccomp_blocks_move_pages", .get = f_sc_move, .kind = KD_BOOL },
	{ .name = "tracker_idle", .get = f_idle, .kind = KD_BOOL },
	{ .name = "tracker_softdirty", .get = f_softdirty, .kind = KD_BOOL },
};

void kd_print(int json)
{
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		long v = facts[i].get();
		const char *word = facts[i].kind == KD_NUMBER ? NULL : v < 0 ? "null" : v ? "true"
													       : "false";
		if (json)
			out("%s\"%s\":", i ? "," : ",\"kernel\":{", facts[i].name);
		else
			out("%s: ", facts[i].name);
		if (word)
			out("%s", word);
		else
			out("%ld", v);
		out(json ? "" : "\n");
	}
	if (json)
		out("}");
}
