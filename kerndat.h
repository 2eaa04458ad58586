/* kerndat.h - the facts of this kernel and of the tool's place in it, in one
 * place (as CRIU's kerndat.c): each is probed the first time it is asked
 * for, once, and kept; every other file asks here. A plain move asks for
 * none of them that costs a system call (the page size comes with the
 * program's auxiliary vector), so probing adds nothing to it.
 *
 * `migratepages --version --verbose` probes them all and prints one
 * "NAME: VALUE" line each after the version; with --json, one object
 * ({"version":..., "kernel":{NAME:VALUE,...}}). The names are the fields
 * below.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_KERNDAT_H
#define MP_KERNDAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>

struct tracker;

/* PAGEMAP_SCAN (include/uapi/linux/fs.h, Linux 6.7), declared here: the C
 * libraries' headers may predate it. */
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_FILE (1 << 2)        /* a page-cache or shmem page (not anonymous) */
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_PFNZERO (1 << 5)     /* the shared zero page (4 KiB; not the huge one) */
#define PAGE_IS_HUGE (1 << 6)        /* mapped by a PMD (a THP), or hugetlb */
#define PAGE_IS_SOFT_DIRTY (1 << 7)  /* the entry's soft-dirty bit, or VM_SOFTDIRTY */

/* page_size: the base page size, bytes (AT_PAGESZ, which the kernel hands
 * every program: no system call; 4096 if not given). Inline, so that the
 * pure parsers (sysinfo.c) need no more than this header. */
static inline unsigned long kd_page_size(void)
{
	unsigned long page = getauxval(AT_PAGESZ);
	return page ? page : 4096;
}
/* thp_size: a transparent huge page's size, bytes (hpage_pmd_size); 0
 * without transparent huge pages. */
unsigned long kd_thp_size(void);
/* pagemap_scan: pagemap answers the PAGEMAP_SCAN ioctl (Linux 6.7). */
int kd_pagemap_scan(void);
/* prot_none_visible: move_pages(2) sees pages of a PROT_NONE mapping (not
 * so before Linux 6.5 with NUMA balancing built in): 1, or 0. Not known
 * (no page to try it on) counts as 1: such pages are looked at one by one
 * as the others. */
int kd_prot_none_visible(void);
/* numa_balancing: /proc/sys/kernel/numa_balancing (bit 0 balancing, bit 1
 * memory tiering); 0 when off or not there. */
int kd_numa_balancing(void);
/* proc_ours: /proc is mounted and is this pid namespace's. */
int kd_proc_ours(void);
/* Why /proc cannot be used ("/proc is not mounted", "/proc belongs to
 * another pid namespace"), or NULL when it can. */
const char *kd_proc_problem(void);
/* initial_userns: the tool runs in the initial user namespace: 1, 0, or -1
 * when /proc/self/uid_map cannot be read. */
int kd_initial_userns(void);
/* seccomp: the tool's seccomp mode (Seccomp: in /proc/self/status: 0 none,
 * 1 strict, 2 a filter), -1 when not known. */
int kd_seccomp(void);
/* seccomp_blocks_<call>: a seccomp filter answers EPERM to call
 * ("migrate_pages" or "move_pages"), which a real kernel never does to the
 * empty call made to find out. */
int kd_seccomp_blocks(const char *call);
/* DAMON (Linux 5.18+ sysfs, /sys/kernel/mm/damon/admin), and who uses it.
 * Writing nr_kdamonds destroys every kdamond's configuration: the tool
 * drives DAMON only when nobody else does (track_damon.c). */
#define KD_DAMON_ADMIN "/sys/kernel/mm/damon/admin/kdamonds"
#define KD_DAMON_MARK 2718281UL  /* the tool's kdamond: its scheme's
				  * quotas/reset_interval_ms (track_damon.c) */
struct kd_damon {
	int sysfs;          /* damon_sysfs: KD_DAMON_ADMIN/nr_kdamonds is there */
	int err;            /* errno reading it (EACCES: not root), or 0 */
	long kdamonds;      /* damon_kdamonds: nr_kdamonds, -1 not known */
	int running;        /* damon_kdamonds_running: kernel threads "kdamond.N" */
	int thread_pid;     /* one of them, 0 */
	char thread[16];    /* its name */
	int reclaim;        /* damon_reclaim: DAMON_RECLAIM enabled */
	int lru_sort;       /* damon_lru_sort: DAMON_LRU_SORT enabled */
	char state[16];     /* kdamond 0's state, ops its operations ("" none) */
	char ops[16];
	unsigned long mark_pid; /* kdamond 0 carries the tool's mark: the pid of
				 * the run that made it (its first target), else 0 */
	int mark_alive;     /* that pid is a migratepages process now */
	/* asked only of a DAMON nobody uses (a kdamond made and removed, the
	 * stop signals held meanwhile), or read from kdamond 0: 1, 0, or -1
	 * not known */
	int vaddr;          /* damon_vaddr: "vaddr" operations (CONFIG_DAMON_VADDR) */
	int tried_regions;  /* damon_tried_regions: schemes' tried_regions (6.2+) */
};
/* damon_*: probed once (the first call). */
const struct kd_damon *kd_damon(void);
/* The same facts read again now, without the probe of vaddr and
 * tried_regions (left -1): before the tool writes anything there. */
void kd_damon_look(struct kd_damon *d);
/* damon_in_use: anyone uses DAMON (a kdamond configured or running,
 * DAMON_RECLAIM or DAMON_LRU_SORT enabled). */
int kd_damon_in_use(const struct kd_damon *d);
/* DAMON's sysfs files, named below KD_DAMON_ADMIN ("0/state"): the first
 * line without its newline, or a decimal number; a value written. 0, or -1
 * with errno (the probe here and the tracker, track_damon.c, share them). */
int kd_damon_get(const char *rel, char *buf, size_t len);
int kd_damon_get_ull(const char *rel, unsigned long long *v);
int kd_damon_put(const char *rel, const char *val);
/* tracker_<name>: the tracker can be used here (its probe on a page of the
 * tool's own, tracker.h): 0, or -1 with the reason in why. */
int kd_tracker(const struct tracker *tr, char *why, size_t len);

/* Probes every fact and prints them (see the top). */
void kd_print(int json);

#endif
