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

/* Appends the decimal pids of a file, one per line (cgroup.procs). Returns 0,
 * or -1 with errno (EINVAL: a line is not a process id). */
int read_pids(const char *path, struct pidlist *l);

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
