/* kerndat.c - the kernel's facts, probed once (see kerndat.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

/* ---- DAMON ----------------------------------------------------------------- */

int kd_damon_get(const char *rel, char *buf, size_t len)
{
	char path[256];

	fmt(path, sizeof(path), KD_DAMON_ADMIN "/%s", rel);
	if (read_small(path, buf, len) < 0)
		return -1;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

int kd_damon_get_ull(const char *rel, unsigned long long *v)
{
	char b[64];
	const char *p = b;

	return kd_damon_get(rel, b, sizeof(b)) == 0 && dec_scan(&p, NULL, ~0ULL, v) > 0 && !*p ? 0 : -1;
}

int kd_damon_put(const char *rel, const char *val)
{
	char path[256];

	fmt(path, sizeof(path), KD_DAMON_ADMIN "/%s", rel);
	return write_small(path, val);
}

/* "Y" in /sys/module/MOD/parameters/enabled */
static int module_enabled(const char *mod)
{
	char path[128], b[8];

	fmt(path, sizeof(path), "/sys/module/%s/parameters/enabled", mod);
	return read_small(path, b, sizeof(b)) > 0 && b[0] == 'Y';
}

/* The kernel threads named kdamond.N: how many, and one of them. */
static void kdamond_threads(struct kd_damon *d)
{
	struct dents dd;
	const char *name;
	unsigned char type;
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;

	if (fd < 0)
		return;
	dents_open(&dd, fd);
	while ((name = dents_next(&dd, &type, &err))) {
		char path[64], b[32];
		if (name[0] < '1' || name[0] > '9')
			continue;
		fmt(path, sizeof(path), "%s/comm", name);
		if (read_small_at(fd, path, b, sizeof(b)) > 0 && strncmp(b, "kdamond.", 8) == 0) {
			b[strcspn(b, "\n")] = 0;
			if (!d->running++) {
				fmt(d->thread, sizeof(d->thread), "%s", b);
				d->thread_pid = (int)strtol(name, NULL, 10);
			}
		}
	}
	close(fd);
}

void kd_damon_look(struct kd_damon *d)
{
	unsigned long long v;
	char b[64];

	memset(d, 0, sizeof(*d));
	d->kdamonds = -1;
	d->vaddr = d->tried_regions = -1;
	d->reclaim = module_enabled("damon_reclaim");
	d->lru_sort = module_enabled("damon_lru_sort");
	kdamond_threads(d);
	if (kd_damon_get_ull("nr_kdamonds", &v) < 0) {
		d->err = errno;
		d->sysfs = errno != ENOENT && errno != ENOTDIR;
		return;
	}
	d->sysfs = 1;
	d->kdamonds = (long)v;
	if (!v)
		return;
	kd_damon_get("0/state", d->state, sizeof(d->state));
	kd_damon_get("0/contexts/0/operations", d->ops, sizeof(d->ops));
	if (kd_damon_get("0/contexts/0/avail_operations", b, sizeof(b)) == 0)
		d->vaddr = strstr(b, "vaddr") != NULL;
	if (access(KD_DAMON_ADMIN "/0/contexts/0/schemes/0/tried_regions", F_OK) == 0)
		d->tried_regions = 1;
	if (kd_damon_get_ull("0/contexts/0/schemes/0/quotas/reset_interval_ms", &v) == 0 &&
	    v == KD_DAMON_MARK && kd_damon_get_ull("0/contexts/0/targets/0/pid_target", &v) == 0 && v) {
		char path[64];
		d->mark_pid = (unsigned long)v;
		fmt(path, sizeof(path), "/proc/%lu/comm", d->mark_pid);
		d->mark_alive = read_small(path, b, sizeof(b)) > 0 && strncmp(b, "migratepages", 12) == 0;
	}
}

int kd_damon_in_use(const struct kd_damon *d)
{
	return d->kdamonds > 0 || d->running || d->reclaim || d->lru_sort;
}

/* With nobody using DAMON: a kdamond made and removed again (the stop
 * signals held meanwhile), to see that it takes "vaddr" operations and its
 * schemes have tried_regions. */
static void damon_probe_ops(struct kd_damon *d)
{
	sigset_t hold, old;

	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigprocmask(SIG_BLOCK, &hold, &old);
	if (kd_damon_put("nr_kdamonds", "1") == 0 && kd_damon_put("0/contexts/nr_contexts", "1") == 0) {
		d->vaddr = kd_damon_put("0/contexts/0/operations", "vaddr") == 0;
		d->tried_regions = d->vaddr && kd_damon_put("0/contexts/0/schemes/nr_schemes", "1") == 0 &&
				   access(KD_DAMON_ADMIN "/0/contexts/0/schemes/0/tried_regions", F_OK) == 0;
	}
	kd_damon_put("nr_kdamonds", "0");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

const struct kd_damon *kd_damon(void)
{
	static struct kd_damon d;
	static int known;

	if (known)
		return &d;
	known = 1;
	kd_damon_look(&d);
	if (d.sysfs && !d.err && !kd_damon_in_use(&d))
		damon_probe_ops(&d);
	return &d;
}

int kd_tracker(const struct tracker *tr, char *why, size_t len)
{
	static int known[3] = { UNKNOWN, UNKNOWN, UNKNOWN };
	static char reason[3][700];
	int i = tr == &tracker_idle ? 0 : tr == &tracker_damon ? 2 : 1;

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
static long f_damon(void) { char w[700]; return kd_tracker(&tracker_damon, w, sizeof(w)) == 0; }
static long f_d_sysfs(void) { return kd_damon()->sysfs; }
static long f_d_kdamonds(void) { return kd_damon()->kdamonds; }
static long f_d_running(void) { return kd_damon()->running; }
static long f_d_reclaim(void) { return kd_damon()->reclaim; }
static long f_d_lru_sort(void) { return kd_damon()->lru_sort; }
static long f_d_in_use(void) { return kd_damon_in_use(kd_damon()); }
static long f_d_vaddr(void) { return kd_damon()->vaddr; }
static long f_d_tried(void) { return kd_damon()->tried_regions; }

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
	{ .name = "damon_sysfs", .get = f_d_sysfs, .kind = KD_BOOL },
	{ .name = "damon_vaddr", .get = f_d_vaddr, .kind = KD_TRISTATE },
	{ .name = "damon_tried_regions", .get = f_d_tried, .kind = KD_TRISTATE },
	{ .name = "damon_kdamonds", .get = f_d_kdamonds, .kind = KD_NUMBER },
	{ .name = "damon_kdamonds_running", .get = f_d_running, .kind = KD_NUMBER },
	{ .name = "damon_reclaim", .get = f_d_reclaim, .kind = KD_BOOL },
	{ .name = "damon_lru_sort", .get = f_d_lru_sort, .kind = KD_BOOL },
	{ .name = "damon_in_use", .get = f_d_in_use, .kind = KD_BOOL },
	{ .name = "tracker_damon", .get = f_damon, .kind = KD_BOOL },
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
