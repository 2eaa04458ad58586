/* track_damon.c - the DAMON tracker (see tracker.h).
 *
 * One kdamond of the tool's own, driven through DAMON's sysfs interface
 * (/sys/kernel/mm/damon/admin/kdamonds): one context with "vaddr" operations,
 * one target per process watched, and one "stat" scheme (it watches and acts
 * on nothing) whose access pattern takes every region. At the window's end
 * "update_schemes_tried_regions" (6.2+) lists every region with its
 * nr_accesses and age; then the kdamond is stopped and removed.
 *
 * The model. DAMON samples: each sampling interval it clears the accessed bit
 * of one page chosen at random in each region and looks at it again at the
 * next; the samples of an aggregation interval that found an access are the
 * region's nr_accesses. The aggregation interval is 5 sampling intervals, so
 * that the kernel's threshold for "the same access pattern" (a tenth of the
 * samples an aggregation holds) is 0: a region's age, counted in aggregation
 * intervals, goes back to 0 whenever its nr_accesses changes, and two
 * neighbouring regions merge only when their nr_accesses are equal (the age
 * of the merged region is the size-weighted mean, rounded down). A region
 * that no sample found accessed since the kdamond started is therefore as old
 * as the kdamond; any region younger had an access seen in the window (or
 * was merged with one that had, or is new: a mapping made in the window).
 * How old that is is read, not computed from the clock: the tool's own
 * process is the first target, with 4 MiB of address space it never
 * touches, and the oldest of its regions is the kdamond's age. So a region is
 * untouched when its nr_accesses is 0 and its age is that age; every other
 * region is touched (conservative); a page outside every region is untracked.
 * That age is also how many aggregations the kdamond completed: under half
 * of what the window held (a starved kdamond, a stalled guest), every region
 * is about as old as the reference, so nothing is judged (collect()).
 * A region, not a page, is judged: a page never touched in a region where
 * others are is touched, and a page touched once, never while it was the one
 * sampled, is not seen. So an untouched region that borders a touched one
 * gets no verdict (flanks()): the even split puts boundaries anywhere, and
 * the region holding the end of a touched range may have had all its samples
 * on its untouched part (arm64, 6.12: 2 and 4 of 512 written pages).
 *
 * The TLB. DAMON clears the sampled page's accessed bit without a flush
 * (6.12 mm/damon/ops-common.c damon_ptep_mkold: ptep_clear_young_notify;
 * arch/x86/mm/pgtable.c says x86 never flushes for it, "it will eventually be
 * flushed by a context switch"), and a CPU that keeps the translation cached
 * accesses the page without setting the bit again. A CPU that only idles
 * between a thread's runs keeps the thread's mm loaded (lazy TLB), and coming
 * back to it flushes only when the mm's tlb_gen moved meanwhile
 * (arch/x86/mm/tlb.c switch_mm_irqs_off, real_prev == next); the kdamond's
 * page-table walks do not move it. So a thread is unseen for as long as its
 * translations stay cached: in x86_64-damon guests (2 CPUs) 7 of 60 windows
 * of 3 s on the tier helper, in 3 of 7 boots, saw not one of its 1999
 * regions accessed (W and R called untouched), where the others saw about
 * 490; the helper ran 7 to 10 ms in those, 12 to 22 ms in the others (its
 * page walks). Pinned alone on CPU 1, everything else on CPU 0, it was
 * unseen in 4 of 6 windows (3 of 3 in one boot). What flushes its CPU in
 * the windows that see it is not pinned down (not NUMA balancing: off in
 * the guests).
 * From outside the process only an mm change flushes its TLB (clear_refs "4":
 * under the mmap write lock, and it clears soft-dirty bits and
 * write-protects every page where they are kept), too dear every sampling
 * interval. So a process that ran at least BLIND_NS in the window (its
 * threads' schedstat) of whose regions none was accessed in the last
 * aggregation and under 1% at all is blind: nothing is judged (collect()). A
 * partial miss (a thread unseen beside one seen) is not found: auto takes
 * soft-dirty before DAMON (tracker.c).
 *
 * vaddr operations look at the process's own page table entries (and the
 * folio's idle flag): a page another process maps too is touched through
 * that one's page table unseen, and a page-cache page can be changed with
 * write(2) unseen (shmem's write path does not mark it accessed). Such a page
 * (pagemap: not exclusively mapped, or a file page) is called touched when
 * its region is, and otherwise gets no verdict (TRACK_SHARED). Where
 * frames can be read (root: always here) the zero page is said so and the
 * pages of one large folio get one verdict (touched if any is).
 *
 * Regions are fixed, not adapted. DAMON splits regions at random and merges
 * neighbours with the same nr_accesses, and a merged region's age is the
 * mean of the two: an untouched region merged with one touched earlier in
 * the window (idle now) becomes younger than the window for good, and its
 * children after a split too; over a window of 20 aggregations that spread a
 * touch over whole megabytes of untouched memory (a heap grown by brk beside
 * an idle part of it read touched whole). So each process's address space is
 * cut into NR_REGIONS / (processes + 1) regions at the start (min_nr_regions,
 * which also makes the largest merge DAMON allows that size: two neighbours
 * exceed it), and max_nr_regions is set just above the total, so that DAMON
 * neither splits (it splits only below half the maximum) nor merges to stay
 * under it. The error is then one region: an untouched page in a region
 * with a touched one is touched.
 * But DAMON's even split (damon_va_evenly_split_region) rounds each piece
 * down to whole pages and gives the last piece of each range the remainder:
 * up to a page a piece. On Debian 13's arm64 6.12 in the TCG guest that
 * region was 4480 KiB beside 16 KiB ones, [W + 3712 KiB, the vdso's end):
 * the last 96 pages of the helper's W (written every 100 ms) and 4 MiB never
 * touched or not mapped; sampled as often as the small ones, it saw no
 * access in 10 of 30 windows of 3 s, and those 96 pages read untouched
 * (tier_damon, aarch64-trixie boot; a TLB flush of the helper every 2 ms did
 * not change that: see the reverted commit). So a region more than twice
 * its process's median size that reads untouched gets no verdict (thin).
 *
 * Intervals: aggregation every twentieth of the window (100 ms to 5 s),
 * sampling 5 times an aggregation (a region sampled about 100 times in the
 * window); the address spaces looked at again every second. The kdamond's
 * cost follows regions x samples a second: 4000 regions every 600 ms in a
 * 60 s window, 6% of a CPU in the TCG guest (test/bench-tier); fewer
 * samples (2000 regions every 2 s: 1%) let touched pages at a region's edge
 * and a heap growing by brk be called untouched (tier_truth on 6.12).
 *
 * Never disturbing another user: writing nr_kdamonds destroys the
 * configuration of every kdamond. The tracker is refused when DAMON is in
 * use by anyone (kerndat.c: a kdamond configured or running, DAMON_RECLAIM or
 * DAMON_LRU_SORT enabled), looked at again right before the kdamond is made.
 * The tool's kdamond carries a mark (its scheme's quotas/reset_interval_ms
 * is KD_DAMON_MARK, a value without effect on a scheme without quotas) and
 * the tool's own pid as its first target: a run killed by SIGKILL leaves it
 * behind, and the next run recognises it and says how to clear it. Every
 * other exit leaves DAMON as it was found: the window's end, exit() (an
 * atexit handler) and a second stop signal (stop.c runs the same restore
 * first); the stop signals are held while the kdamond is set up and taken
 * down.
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
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "frames.h"
#include "kerndat.h"
#include "mem.h"
#include "stop.h"
#include "sysinfo.h"
#include "target.h"
#include "tracker.h"

#define ADMIN KD_DAMON_ADMIN
#define CTX "0/contexts/0"
#define SCHEME CTX "/schemes/0"
#define SENTINEL (4UL << 20)    /* address space the tool never touches */
#define MAX_TARGETS 100000
#define NR_REGIONS 4000         /* regions in all (see the top) */
#define MIN_PER_TARGET 100
#define BLIND_NS 1000000ULL      /* a process that ran this long was seen (see the top) */
#define PM_EXCLUSIVE_BIT (1ULL << 56)
#define PM_FILE_BIT (1ULL << 61)

static volatile sig_atomic_t owned; /* the tool wrote nr_kdamonds: it puts it back */
static void *sentinel = MAP_FAILED;

/* After the window: each process's regions, in address order. */
struct region {
	unsigned long start, end;
	int verdict;
	int now;                   /* accessed in the last aggregation */
};
static struct {
	struct target **t;         /* the processes, in target order */
	uint64_t *ran_ns;          /* their threads' run time: at the window's start,
	                            * then in the window (collect()) */
	size_t *first;             /* their first region in r (n + 2 entries: the
	                            * tool's own first) */
	size_t n, capt;
	struct region *r;
	size_t nr, capr;
	unsigned long sample_us;
	uint64_t on_ns;            /* when the kdamond was seen on (CLOCK_MONOTONIC) */
} dm;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- sysfs --------------------------------------------------------------- */

static int put_ul(const char *rel, unsigned long long v)
{
	char b[32];

	fmt(b, sizeof(b), "%llu", v);
	return kd_damon_put(rel, b);
}

static void hold_signals(int hold, sigset_t *old)
{
	sigset_t s;

	if (!hold) {
		sigprocmask(SIG_SETMASK, old, NULL);
		return;
	}
	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_BLOCK, &s, old);
}

/* DAMON as the tool found it: its kdamond stopped and removed. Async-signal-
 * safe (stop.c calls it from its handler): fixed paths, open/write/close. */
static void restore(void)
{
	if (!owned)
		return;
	write_small(ADMIN "/0/state", "off"); /* (refused when it is off: fine) */
	if (write_small(ADMIN "/nr_kdamonds", "0") == 0)
		owned = 0;
}

static void restore_at_exit(void)
{
	restore();
}

static void own(void)
{
	static int registered;

	if (!registered && atexit(restore_at_exit) == 0)
		registered = 1;
	owned = 1;
	stop_cleanup(restore);
}

/* After restore: the sentinel unmapped, stop.c told. 0, or -1 when the
 * kdamond could not be removed. */
static int disown(void)
{
	stop_cleanup(NULL);
	if (sentinel != MAP_FAILED) {
		munmap(sentinel, SENTINEL);
		sentinel = MAP_FAILED;
	}
	return owned ? -1 : 0;
}

/* ---- who uses DAMON ------------------------------------------------------ */

/* 1 with the sentence in why when anyone uses DAMON (d: kerndat.c's look),
 * else 0. */
static int in_use(const struct kd_damon *d, char *why, size_t len)
{
	if (d->reclaim || d->lru_sort) {
		fmt(why, len, "DAMON is in use: %s is enabled (/sys/module/%s/parameters/enabled) "
		    "and runs a kdamond of its own", d->reclaim ? "DAMON_RECLAIM" : "DAMON_LRU_SORT",
		    d->reclaim ? "damon_reclaim" : "damon_lru_sort");
		return 1;
	}
	if (d->kdamonds > 0 && d->mark_pid && d->mark_pid != (unsigned long)getpid()) {
		if (d->mark_alive)
			fmt(why, len, "DAMON is in use by another migratepages run (pid %lu)", d->mark_pid);
		else
			fmt(why, len, "DAMON holds a kdamond (state %s) left by a migratepages run "
			    "(pid %lu) that was killed before it could remove it; nothing else uses "
			    "it. Clear it with: %secho 0 >" ADMIN "/nr_kdamonds", d->state[0] ?
			    d->state : "?", d->mark_pid, strcmp(d->state, "off") != 0 ?
			    "echo off >" ADMIN "/0/state; " : "");
		return 1;
	}
	if (d->kdamonds > 0) {
		fmt(why, len, "DAMON is in use: %ld kdamond%s configured in " ADMIN " (kdamond 0 "
		    "is %s, operations %s); writing nr_kdamonds would destroy %s", d->kdamonds,
		    d->kdamonds == 1 ? " is" : "s are", d->state[0] ? d->state : "?",
		    d->ops[0] ? d->ops : "none", d->kdamonds == 1 ? "it" : "them");
		return 1;
	}
	if (d->running) {
		fmt(why, len, "DAMON is in use: the kernel thread %s (pid %d) runs, started by "
		    "another interface or module", d->thread, d->thread_pid);
		return 1;
	}
	return 0;
}

/* (asked once: kerndat.c keeps the answer) */
static int usable(char *why, size_t len)
{
	const struct kd_damon *d = kd_damon();

	if (!d->sysfs && access("/sys/kernel", F_OK) != 0)
		fmt(why, len, "/sys is not mounted (DAMON is " ADMIN ")");
	else if (!d->sysfs)
		fmt(why, len, "this kernel has no DAMON sysfs interface (CONFIG_DAMON_SYSFS, with "
		    "CONFIG_DAMON_VADDR: no " ADMIN ")");
	else if (d->err)
		fmt(why, len, "DAMON needs root (" ADMIN "/nr_kdamonds: %s)", strerror(d->err));
	else if (in_use(d, why, len))
		return -1;
	else if (d->vaddr == 0)
		fmt(why, len, "this kernel's DAMON cannot watch a process (CONFIG_DAMON_VADDR: it "
		    "refuses \"vaddr\" operations)");
	else if (d->tried_regions == 0)
		fmt(why, len, "this kernel's DAMON has no schemes' tried_regions (Linux 6.2 or "
		    "later is needed)");
	else if (d->vaddr < 0 || d->tried_regions < 0)
		fmt(why, len, "DAMON could not be probed (" ADMIN " could not be written)");
	else if (!frames_readable())
		fmt(why, len, "DAMON needs root with CAP_SYS_ADMIN (page frame numbers in pagemap)");
	else
		return 0;
	return -1;
}

/* ---- the window ------------------------------------------------------------ */

static int start(struct target *t)
{
	(void)t; /* every process at once: begin */
	return 0;
}

static int grow_targets(size_t need)
{
	void *a, *b;

	if (dm.capt >= need)
		return 0;
	/* (the type, not *dm.t: clang-tidy takes sizeof of a pointer to a struct for a slip) */
	a = mem_grow(dm.t, NULL, dm.capt * sizeof(struct target *), need * sizeof(struct target *));
	if (!a)
		return -1;
	dm.t = a;
	b = mem_grow(dm.first, NULL, (dm.capt ? dm.capt + 2 : 0) * sizeof(*dm.first),
		     (need + 2) * sizeof(*dm.first));
	if (!b)
		return -1;
	dm.first = b;
	b = mem_grow(dm.ran_ns, NULL, dm.capt * sizeof(*dm.ran_ns), need * sizeof(*dm.ran_ns));
	if (!b)
		return -1;
	dm.ran_ns = b;
	dm.capt = need;
	return 0;
}

/* The kdamond's files, written in order; the first that fails is named. */
static int configure(struct target *const *v, size_t n, unsigned long sample, char *fail,
		     size_t flen)
{
	char rel[128];
	const char *at = NULL;
	int e = 0;
	unsigned long per = NR_REGIONS / (n + 1) < MIN_PER_TARGET ? MIN_PER_TARGET
				: NR_REGIONS / (n + 1);

#define STEP(r, val) do { if (!at && kd_damon_put(r, val) < 0) { e = errno; at = r; } } while (0)
#define STEPN(r, val) do { if (!at && put_ul(r, val) < 0) { e = errno; at = r; } } while (0)
	STEP("nr_kdamonds", "1");
	STEP("0/contexts/nr_contexts", "1");
	STEP(CTX "/operations", "vaddr");
	STEPN(CTX "/monitoring_attrs/intervals/sample_us", sample);
	STEPN(CTX "/monitoring_attrs/intervals/aggr_us", 5 * sample);
	STEPN(CTX "/monitoring_attrs/intervals/update_us", 1000000);
	STEPN(CTX "/monitoring_attrs/nr_regions/max", per * (n + 1) + 4 * (n + 1) + 10);
	STEPN(CTX "/monitoring_attrs/nr_regions/min", per);
	STEPN(CTX "/targets/nr_targets", n + 1);
	STEPN(CTX "/targets/0/pid_target", (unsigned long long)getpid());
	for (size_t i = 0; i < n && !at; i++) {
		fmt(rel, sizeof(rel), CTX "/targets/%zu/pid_target", i + 1);
		if (put_ul(rel, (unsigned long long)v[i]->mm_pid) < 0) {
			e = errno;
			fmt(fail, flen, "%s", rel);
			errno = e;
			return -1;
		}
	}
	STEP(CTX "/schemes/nr_schemes", "1");
	STEP(SCHEME "/action", "stat");
	STEP(SCHEME "/access_pattern/sz/min", "0");
	if (!at && kd_damon_put(SCHEME "/access_pattern/sz/max", "18446744073709551615") < 0)
		STEP(SCHEME "/access_pattern/sz/max", "4294967295"); /* 32-bit */
	STEP(SCHEME "/access_pattern/nr_accesses/min", "0");
	STEP(SCHEME "/access_pattern/nr_accesses/max", "4294967295");
	STEP(SCHEME "/access_pattern/age/min", "0");
	STEP(SCHEME "/access_pattern/age/max", "4294967295");
	STEPN(SCHEME "/quotas/reset_interval_ms", KD_DAMON_MARK);
	STEP("0/state", "on");
#undef STEP
#undef STEPN
	if (at) {
		fmt(fail, flen, "%s", at);
		errno = e;
		return -1;
	}
	return 0;
}

/* How long the threads of t have run (ns, schedstat's first field, summed
 * over /proc/PID/task), or RAN_UNKNOWN. */
#define RAN_UNKNOWN UINT64_MAX
static uint64_t ran_ns(struct target *t)
{
	struct dents d;
	const char *name;
	unsigned char type;
	int dfd = target_dir(t), fd, err;
	uint64_t sum = 0;
	size_t k = 0;

	if (dfd < 0 || (fd = openat(dfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return RAN_UNKNOWN;
	dents_open(&d, fd);
	while ((name = dents_next(&d, &type, &err))) {
		char rel[64], buf[128];
		const char *q = buf;
		unsigned long long v;
		if (name[0] < '0' || name[0] > '9')
			continue;
		fmt(rel, sizeof(rel), "%s/schedstat", name);
		if (read_small_at(fd, rel, buf, sizeof(buf)) < 0)
			continue; /* (a thread that ended meanwhile) */
		if (dec_scan(&q, NULL, ~0ULL, &v) < 0)
			continue;
		sum += v;
		k++;
	}
	close(fd);
	return k ? sum : RAN_UNKNOWN;
}

static int begin(struct target *const *v, size_t n, uint64_t window_ms, char *why, size_t len)
{
	unsigned long aggr = (unsigned long)(window_ms * 1000 / 20), sample;
	char fail[128] = "", st[16];
	struct kd_damon now;
	sigset_t old;

	if (n + 1 > MAX_TARGETS) {
		fmt(why, len, "DAMON: at most %d processes in one window", MAX_TARGETS - 1);
		return -1;
	}
	if (grow_targets(n) < 0) {
		fmt(why, len, "DAMON: %s", strerror(ENOMEM));
		return -1;
	}
	dm.n = n;
	dm.nr = 0;
	for (size_t i = 0; i < n; i++)
		dm.t[i] = v[i];
	aggr = aggr < 100000 ? 100000 : aggr > 5000000 ? 5000000 : aggr;
	sample = aggr / 5; /* (under 10 samples an aggregation: threshold 0) */
	dm.sample_us = sample;
	sentinel = mmap(NULL, SENTINEL, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	hold_signals(1, &old);
	kd_damon_look(&now); /* (someone may have started using it meanwhile) */
	if (in_use(&now, why, len)) {
		hold_signals(0, &old);
		disown();
		return -1;
	}
	own();
	if (configure(v, n, sample, fail, sizeof(fail)) < 0 ||
	    kd_damon_get("0/state", st, sizeof(st)) < 0 || strcmp(st, "on") != 0) {
		int e = errno;
		restore();
		hold_signals(0, &old);
		if (fail[0])
			fmt(why, len, "cannot start DAMON: writing %s: %s", fail, strerror(e));
		else
			fmt(why, len, "cannot start DAMON: its kdamond did not stay on");
		if (disown() < 0)
			fmt(why, len, "cannot start DAMON, and its kdamond could not be removed (" ADMIN ")");
		return -1;
	}
	dm.on_ns = mono_ns();
	for (size_t i = 0; i < n; i++)
		dm.ran_ns[i] = ran_ns(v[i]);

	hold_signals(0, &old);
	return 0;
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return x < y ? -1 : x > y;
}

/* Regions [lo, hi) of one process: an untouched one more than twice the
 * median size was sampled too thinly to say so (DAMON's even split gives the
 * last region of each range the rounding's remainder, see the top): no
 * verdict. */
static void thin(size_t lo, size_t hi)
{
	unsigned long *sz, median;

	if (hi - lo < 3 || !(sz = malloc((hi - lo) * sizeof(*sz))))
		return;
	for (size_t i = lo; i < hi; i++)
		sz[i - lo] = dm.r[i].end - dm.r[i].start;
	qsort(sz, hi - lo, sizeof(*sz), cmp_ul);
	median = sz[(hi - lo) / 2];
	free(sz);
	for (size_t i = lo; i < hi; i++)
		if (dm.r[i].verdict == TRACK_IDLE_UNIT && dm.r[i].end - dm.r[i].start > 2 * median)
			dm.r[i].verdict = TRACK_UNTRACKED;
}

/* Regions [lo, hi) of one process: an untouched one that borders a touched
 * one gets no verdict. DAMON's region boundaries fall where its even split
 * put them, not where the process's use of memory changes: the region that
 * holds the end of a touched range holds untouched pages too, and its samples
 * may all have fallen on those (on arm64, 2 and 4 of 512 written pages read
 * untouched). Its pages are the ones next to a touched region. */
static void flanks(size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++) {
		if (dm.r[i].verdict != TRACK_IDLE_UNIT)
			continue;
		if ((i > lo && dm.r[i - 1].end == dm.r[i].start &&
		     dm.r[i - 1].verdict == TRACK_ACCESSED) ||
		    (i + 1 < hi && dm.r[i].end == dm.r[i + 1].start &&
		     dm.r[i + 1].verdict == TRACK_ACCESSED))
			dm.r[i].verdict = TRACK_UNTRACKED;
	}
}

/* How many tried regions the scheme lists now. */
static size_t count_tried(void)
{
	struct dents d;
	const char *name;
	unsigned char type;
	int fd = open(ADMIN "/" SCHEME "/tried_regions", O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;
	size_t c = 0;

	if (fd < 0)
		return 0;
	dents_open(&d, fd);
	while ((name = dents_next(&d, &type, &err)))
		c += name[0] >= '0' && name[0] <= '9';
	close(fd);
	return c;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* "update_schemes_tried_regions", and the regions waited for: the kernel
 * fills the directory during the next aggregation interval, one sysfs
 * directory a region (the write waits for that on the kernels seen, but is
 * not relied on): done when two looks half an interval apart find the same
 * number. The command is written again only when none came at all (a new
 * write starts the listing over). Returns how many, or 0. */
static size_t update_tried(char *why, size_t len)
{
	unsigned long aggr_ms = dm.sample_us * 5 / 1000, step = aggr_ms / 2 < 50 ? 50 : aggr_ms / 2;

	for (int attempt = 0; attempt < 3; attempt++) {
		/* (a millisecond a region on top: slow machines, emulators) */
		uint64_t wait = (20 * aggr_ms > 3000 ? 20 * aggr_ms : 3000) + NR_REGIONS,
			 until = mono_ms() + wait;
		size_t prev = 0, c = 0;
		if (kd_damon_put("0/state", "update_schemes_tried_regions") < 0) {
			fmt(why, len, "DAMON: update_schemes_tried_regions: %s", strerror(errno));
			return 0;
		}
		while (mono_ms() < until) {
			struct timespec ts = { (time_t)(step / 1000), (long)(step % 1000) * 1000000 };
			c = count_tried();
			if (c && c == prev)
				return c;
			prev = c;
			nanosleep(&ts, NULL);
		}
		if (c) {
			fmt(why, len, "DAMON was still listing its regions after %llu s "
			    "(update_schemes_tried_regions)", (unsigned long long)(wait / 1000));
			return 0;
		}
	}
	fmt(why, len, "DAMON listed no regions (update_schemes_tried_regions)");
	return 0;
}

/* Reads tried region i: 1, 0 when there is none, -1 on an error. */
static int tried(size_t i, struct region *r, unsigned long long *nr, unsigned long long *age)
{
	char rel[160];
	unsigned long long s, e;

	fmt(rel, sizeof(rel), SCHEME "/tried_regions/%zu/start", i);
	if (kd_damon_get_ull(rel, &s) < 0)
		return errno == ENOENT ? 0 : -1;
	fmt(rel, sizeof(rel), SCHEME "/tried_regions/%zu/end", i);
	if (kd_damon_get_ull(rel, &e) < 0)
		return -1;
	fmt(rel, sizeof(rel), SCHEME "/tried_regions/%zu/nr_accesses", i);
	if (kd_damon_get_ull(rel, nr) < 0)
		return -1;
	fmt(rel, sizeof(rel), SCHEME "/tried_regions/%zu/age", i);
	if (kd_damon_get_ull(rel, age) < 0)
		return -1;
	r->start = (unsigned long)s;
	r->end = (unsigned long)e;
	return 1;
}

static int grow_regions(void)
{
	size_t cap = dm.capr ? dm.capr * 2 : 1024;
	void *a;

	if (dm.nr < dm.capr)
		return 0;
	a = mem_grow(dm.r, NULL, dm.capr * sizeof(*dm.r), cap * sizeof(*dm.r));
	if (!a)
		return -1;
	dm.r = a;
	dm.capr = cap;
	return 0;
}

/* The regions, split by process where the addresses go back (each process's
 * regions come in address order, the tool's first; every process has its
 * stack above everything else). Verdicts against the oldest untouched region
 * of the tool's own. Returns 0, or -1 with why. */
static int collect(char *why, size_t len)
{
	unsigned long long nr, age, ref = 0;
	/* how long the kdamond has been on, taken before its regions are read
	 * (their ages only grow meanwhile) */
	uint64_t on_us = (mono_ns() - dm.on_ns) / 1000;
	size_t g = 0, i, count;

	for (i = 0; i < dm.n; i++) { /* each process's run time in the window */
		uint64_t now = ran_ns(dm.t[i]);
		dm.ran_ns[i] = now == RAN_UNKNOWN || dm.ran_ns[i] == RAN_UNKNOWN ? RAN_UNKNOWN
			       : now - dm.ran_ns[i];
	}
	count = update_tried(why, len);

	if (!count)
		return -1;
	dm.nr = 0;
	for (i = 0; i < count; i++) {
		struct region r;
		int k = tried(i, &r, &nr, &age);
		if (k <= 0) {
			fmt(why, len, "DAMON: reading its regions: %s", k ? strerror(errno) :
			    "they changed while read");
			return -1;
		}
		if (grow_regions() < 0) {
			fmt(why, len, "DAMON: %s", strerror(ENOMEM));
			return -1;
		}
		if (!dm.nr || r.start < dm.r[dm.nr - 1].end) { /* the next process */
			if (g > dm.n)
				g++; /* more groups than processes: counted, refused below */
			else
				dm.first[g++] = dm.nr;
		}
		r.now = nr != 0;
		/* nr_accesses and age kept in verdict's place until ref is known */
		r.verdict = nr ? -2 : (int)(age > 0x3fffffff ? 0x3fffffff : age);
		if (g == 1 && !nr && age > ref)
			ref = age;
		dm.r[dm.nr++] = r;
	}
	if (g != dm.n + 1) {
		fmt(why, len, "DAMON's regions could not be told apart by process (%zu groups for "
		    "%zu processes): nothing judged", g, dm.n + 1);
		return -1;
	}
	dm.first[g] = dm.nr;
	if (!ref) {
		fmt(why, len, "DAMON saw no region of the tool's own untouched for a whole "
		    "aggregation interval: nothing judged");
		return -1;
	}
	/* DAMON's own clock must cover the window: the reference region's age,
	 * in aggregation intervals, is how many the kdamond completed. On a
	 * machine too busy for it (a starved kdamond, a stalled guest) it is
	 * far fewer than the window held, every region is about as old as the
	 * reference and would read untouched: no verdict then. */
	if (ref * 5 * dm.sample_us < on_us / 2) {
		fmt(why, len, "DAMON's kdamond completed %llu of the %llu aggregation intervals of "
		    "its %llu ms (the machine too busy for it): nothing judged", ref,
		    (unsigned long long)(on_us / (5 * dm.sample_us)),
		    (unsigned long long)(on_us / 1000));
		return -1;
	}
	for (i = 0; i < dm.nr; i++)
		dm.r[i].verdict = dm.r[i].verdict >= 0 && (unsigned long long)dm.r[i].verdict >= ref
				  ? TRACK_IDLE_UNIT : TRACK_ACCESSED;
	for (g = 1; g <= dm.n; g++) {
		size_t young = 0, now = 0, all = dm.first[g + 1] - dm.first[g];
		for (i = dm.first[g]; i < dm.first[g + 1]; i++) {
			young += dm.r[i].verdict == TRACK_ACCESSED;
			now += dm.r[i].now;
		}
		if (!now && young * 100 < all && dm.ran_ns[g - 1] >= BLIND_NS) {
			fmt(why, len, "DAMON saw no access in any region of process %d although it ran "
			    "%llu ms in the window (its accesses went through translations the CPU "
			    "kept cached after DAMON cleared their accessed bits, see the man page): "
			    "nothing judged", dm.t[g - 1]->mm_pid,
			    dm.ran_ns[g - 1] == RAN_UNKNOWN ? 0ULL
			    : (unsigned long long)(dm.ran_ns[g - 1] / 1000000));
			return -1;
		}
		thin(dm.first[g], dm.first[g + 1]);
		flanks(dm.first[g], dm.first[g + 1]);
	}
	return 0;
}

static int end(char *why, size_t len)
{
	sigset_t old;
	int r;

	hold_signals(1, &old);
	r = collect(why, len);
	restore();
	hold_signals(0, &old);
	if (disown() < 0) {
		fmt(why, len, "DAMON could not be put back as it was found: its kdamond is still "
		    "there (" ADMIN ")");
		return -1;
	}
	return r;
}

/* The verdict of the page at a (psize bytes) from process g's regions [lo,
 * hi): touched when a region it overlaps is; else none when part of it is in
 * no region or in one without a verdict (thin); else untouched. */
static int region_verdict(size_t lo, size_t hi, unsigned long a, unsigned long psize)
{
	unsigned long e = a + psize;
	size_t l = lo, h = hi;
	int v = TRACK_IDLE_UNIT;

	while (l < h) { /* the first region that ends after a */
		size_t m = l + (h - l) / 2;
		if (dm.r[m].end <= a)
			l = m + 1;
		else
			h = m;
	}
	for (; a < e; l++) {
		if (l == hi || dm.r[l].start > a)
			return TRACK_UNTRACKED;
		if (dm.r[l].verdict == TRACK_ACCESSED)
			v = TRACK_ACCESSED;
		else if (dm.r[l].verdict == TRACK_UNTRACKED && v == TRACK_IDLE_UNIT)
			v = TRACK_UNTRACKED;
		a = dm.r[l].end;
	}
	return v;
}

/* Neighbouring units of one large folio get one verdict: touched if any is,
 * none if any has none (a folio's pages mapped here lie side by side). */
static void by_folios(const uint64_t *head, size_t n, int *out)
{
	for (size_t a = 0; a < n;) {
		size_t b = a + 1;
		int v = out[a];
		if (head[a] >= FRAME_ZERO) {
			a++;
			continue;
		}
		while (b < n && head[b] == head[a]) {
			if ((out[b] < 0 && v >= 0) || (out[b] == TRACK_ACCESSED && v == TRACK_IDLE_UNIT))
				v = out[b];
			b++;
		}
		for (size_t e = a; e < b; e++)
			out[e] = v;
		a = b;
	}
}

/* scratch: head, kpageflags, and 3 words a unit for frames_heads */
static void judge(const struct target *t, const unsigned long *addr, const uint64_t *pm,
		  size_t n, unsigned long psize, int *out, void *scratch)
{
	uint64_t *head = scratch, *kfl = head + n, *f = kfl + n;
	size_t g = 0, lo, hi;

	while (g < dm.n && dm.t[g] != t)
		g++;
	if (g == dm.n) {
		for (size_t i = 0; i < n; i++)
			out[i] = TRACK_UNTRACKED;
		return;
	}
	lo = dm.first[g + 1];
	hi = dm.first[g + 2];
	for (size_t i = 0; i < n; i++) {
		out[i] = region_verdict(lo, hi, addr[i], psize);
		if (out[i] == TRACK_IDLE_UNIT &&
		    (!(pm[i] & PM_EXCLUSIVE_BIT) || (pm[i] & PM_FILE_BIT)))
			out[i] = TRACK_SHARED; /* others' page tables, write(2) unseen */
	}
	if (psize > kd_page_size() || !frames_readable())
		return;
	frames_heads(pm, n, head, kfl, f);
	for (size_t i = 0; i < n; i++)
		if (head[i] == FRAME_ZERO)
			out[i] = TRACK_ZERO;
	by_folios(head, n, out);
}

static int by_folio(void)
{
	return 0; /* a region is judged (the unit "region") */
}

const struct tracker tracker_damon = {
	.name = "damon",
	.sees = "reads and writes of this process, sampled, by region",
	.usable = usable,
	.start = start,
	.walk = 0,
	.settle = NULL,
	.scratch = 5 * sizeof(uint64_t), /* head, kpageflags, frames_heads' 3 */
	.mark = NULL,
	.judge = judge,
	.by_folio = by_folio,
	.whole_vma = 0,
	.unit = "region",
	.begin = begin,
	.end = end,
};
