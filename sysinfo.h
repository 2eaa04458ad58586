/* sysinfo.h - what the tool reads from /proc and /sys (and the fallbacks when
 * they are not mounted). The numa_maps parser is pure: it is fed bytes.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_SYSINFO_H
#define MP_SYSINFO_H

#include <stddef.h>
#include <stdint.h>

#include "bitmap.h"

/* Where the node sets came from. */
enum topo_source { TOPO_SYSFS, TOPO_MEMPOLICY, TOPO_ASSUMED };

struct topology {
	struct nodeset online, memory;
	enum topo_source source;
};

/* Reads /sys/devices/system/node/{online,has_memory}; without /sys, the
 * caller's allowed memory nodes (get_mempolicy); without NUMA in the kernel,
 * node 0 alone. Never fails. */
void topo_read(struct topology *t);

/* The caller's allowed memory nodes (its cpuset), from get_mempolicy, which
 * needs no /proc. Returns 0 or -1 with errno. */
int self_mems_allowed(struct nodeset *out);

/* Reads a whole small file into buf (NUL-terminated). Returns its length, or
 * -1 with errno. */
long read_small(const char *path, char *buf, size_t len);

/* The value of "Key:" in /proc/PID/status (pid 0: /proc/self), leading blanks
 * skipped, without the newline. Returns 0, or -1 with errno (ENOENT when the
 * file or the key is missing). */
int proc_status(int pid, const char *key, char *val, size_t len);

/* Per-node memory of a process. */
struct usage {
	uint64_t bytes[MP_MAXNODES];
	uint64_t total;
	int valid;
};

/* The streaming numa_maps parser: feed it any chunks, then finish. Only the
 * N<node>=<pages> tokens that stand right before the line's last
 * kernelpagesize_kB token count (or, on kernels that do not print it, the run
 * of N tokens that ends the line), so a file name with spaces cannot pose as a
 * count. */
struct nm_parser {
	struct usage *u;
	unsigned long base_kb;
	char tok[48];
	size_t toklen;
	int tok_long;
	int nrun, ncand;
	unsigned long cand_kb;
	struct { int node; uint64_t pages; } run[MP_MAXNODES], cand[MP_MAXNODES];
};
void nm_init(struct nm_parser *p, struct usage *u, unsigned long base_kb);
void nm_feed(struct nm_parser *p, const char *buf, size_t len);
void nm_finish(struct nm_parser *p);

/* Reads /proc/PID/numa_maps with a fixed buffer. Returns 0, or -1 with errno. */
int proc_usage(int pid, struct usage *u);

/* A growing list of process ids. */
struct pidlist {
	int *v;
	size_t n, cap;
	int first[64]; /* most lists fit here; longer ones move to mmap'd pages */
};
int pidlist_add(struct pidlist *l, int pid); /* 0, or -1 with errno */

/* Drops every repeated pid, keeping the first of each in its place; par, if
 * given, is a list of the same length kept in step. Returns how many went. */
size_t pidlist_dedupe(struct pidlist *l, struct pidlist *par);
void pidlist_sort(struct pidlist *l);
int pidlist_has_sorted(const struct pidlist *l, int pid);

/* Appends the decimal pids of a file, one per line (cgroup.procs). A line "0"
 * (a process outside the reader's pid namespace) is counted in *zeros, or is
 * an error when zeros is NULL. Returns 0, or -1 with errno (EINVAL: a line is
 * not a process id). */
int read_pids(const char *path, struct pidlist *l, size_t *zeros);

/* From /proc/PID/stat: the state letter (R, S, Z, ...) and the flags. */
struct pstat {
	char state;
	unsigned long flags;
};
#define PF_EXITING 0x00000004UL
#define PF_KTHREAD 0x00200000UL
int proc_stat(int pid, struct pstat *st); /* 0, or -1 with errno */

/* A thread of PID other than PID itself that has not exited, or -1 (ESRCH:
 * none). For a process whose main thread ended while others run. */
int live_thread(int pid);

/* 1 when /proc is mounted and belongs to this process's pid namespace (a
 * /proc left from the parent after unshare -p shows other processes under
 * the same numbers), else 0. */
int proc_is_ours(void);

/* 1 in the initial user namespace, 0 in another, -1 unknown (no /proc). */
int in_initial_userns(void);

/* Every process of a cgroup tree: the directory and all below it, each
 * cgroup.procs (or, in threaded cgroups, cgroup.threads mapped to processes).
 * pids may repeat (a process that moved during the walk); dir[i] is the index
 * of the directory pids[i] was found in. */
struct cgwalk {
	struct pidlist pids, dir;
	struct pidlist off, threaded; /* per directory: path offset, threaded flag */
	char *paths;
	size_t plen, pcap;
	size_t outside;   /* "0" lines: processes outside this pid namespace */
	int err_dir;      /* on failure, the directory being read */
	int err_threads;  /* on failure, it was a threaded cgroup's threads */
};
int cg_walk(const char *top, struct cgwalk *w); /* 0, or -1 with errno */
const char *cg_dir(const struct cgwalk *w, int i);
/* Reads directory i's processes again (for a membership check). */
int cg_dir_pids(const struct cgwalk *w, int i, struct pidlist *l);

/* The node of a device named in a node list (nodedev_fn, bitmap.h): from
 * sysfs (numa_node of the device or of the first parent that has one), the
 * file's block device (stat, /sys/dev/block), or the network device that the
 * main routing table (/proc/net/route, /proc/net/ipv6_route) picks for an
 * address. Returns the node, or -1 with one phrase in why. */
int device_node(int kind, const char *name, char *why, size_t whylen);

/* [DOMAIN:]BUS:DEVICE[.FUNCTION] in hex, as sysfs names it: "0000:80:00.0".
 * Returns 0, or -1 when s is not such an address. */
int pci_addr_parse(const char *s, char *canon, size_t len);

/* The route an address takes: the longest matching prefix, then the lowest
 * metric, of the routes that are up and not reject routes. Fed one line of
 * /proc/net/route (addr: 4 bytes, network order) or /proc/net/ipv6_route (16
 * bytes) at a time; plen is -1 while nothing matched. */
struct route_pick {
	int plen;
	unsigned long metric;
	char dev[32];
};
void route_init(struct route_pick *r);
void route4_line(const char *line, const unsigned char addr[4], struct route_pick *r);
void route6_line(const char *line, const unsigned char addr[16], struct route_pick *r);

#endif
