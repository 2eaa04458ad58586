/* sysinfo.h - what the tool reads from /proc and /sys (and the fallbacks when
 * they are not mounted), and the readers it reads them with: whole small
 * files, lines, directories. The numa_maps parser is pure: it is fed bytes.
 *
 * A process's files are read through a directory descriptor of its /proc/PID
 * (target.h opens it and checks that it is that process's): a pid that is
 * reused meanwhile then gives errors, never another process's figures.
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

/* Reads a whole small file (name relative to dirfd; AT_FDCWD or an absolute
 * name for others) into buf, NUL-terminated. Returns its length, or -1 with
 * errno. */
long read_small_at(int dirfd, const char *name, char *buf, size_t len);
long read_small(const char *path, char *buf, size_t len);
/* Writes val to the file path (a sysfs attribute) in one write(2): 0, or -1
 * with errno. Async-signal-safe (open, write, close). */
int write_small(const char *path, const char *val);

/* The value of "Key:" in the status file of the /proc/PID directory dirfd
 * (PROC_SELF: the caller's), leading blanks skipped, without the newline.
 * Returns 0, or -1 with errno (ENOENT when the file or the key is missing). */
#define PROC_SELF (-2)
int proc_status(int dirfd, const char *key, char *val, size_t len);

/* Mems_allowed_list of a process: the nodes it may use (its cpuset).
 * Returns 0, or -1 with errno. */
int proc_mems(int dirfd, struct nodeset *out);

/* The process (Tgid) a thread id belongs to, from /proc/TID/status; -1 with
 * errno when it cannot be read. */
int proc_tgid(int tid);

/* Per-node memory of a process. */
struct usage {
	uint64_t bytes[MP_MAXNODES];
	uint64_t shared[MP_MAXNODES]; /* of bytes: in mappings with a page mapped
	                               * more than once (numa_maps' mapmax) */
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
	int nrun, ncand, nlast;
	unsigned long cand_kb, last_kb, mapmax;
	struct nm_count { int node; uint64_t pages; } run[MP_MAXNODES], cand[MP_MAXNODES],
		last[MP_MAXNODES]; /* the counts of the line ended last, in last_kb */
};
void nm_init(struct nm_parser *p, struct usage *u, unsigned long base_kb);
void nm_feed(struct nm_parser *p, const char *buf, size_t len);
void nm_finish(struct nm_parser *p);

/* One numa_maps line: its start address, the pages it counts per node (in
 * the page size kernelpagesize_kB gives, or the base page size on kernels
 * that do not print it), as the streaming parser reads them. Returns 0, or
 * -1 when the line does not start with an address. The result points into a
 * static buffer, valid until the next call. */
struct nm_line {
	unsigned long start;
	unsigned long pagesize;     /* bytes */
	int nnodes;                 /* entries in n */
	const struct nm_count *n;
};
int nm_parse_line(const char *line, unsigned long base, struct nm_line *out);

/* Reads numa_maps of the /proc/PID directory dirfd. Returns 0, or -1 with errno. */
int proc_usage(int dirfd, struct usage *u);

/* From the stat file of a /proc/PID (or /proc/PID/task/TID) directory: the
 * state letter (R, S, Z, ...) and the flags. */
struct pstat {
	char state;
	unsigned long flags;
};
#define PF_EXITING 0x00000004UL
#define PF_KTHREAD 0x00200000UL
int proc_stat(int dirfd, struct pstat *st); /* 0, or -1 with errno */

/* A thread of the process in dirfd other than tgid itself that has not
 * exited, or -1 (ESRCH: none). For a process whose main thread ended while
 * others run. */
int live_thread(int dirfd, int tgid);

/* A growing list of process ids. */
struct pidlist {
	int *v;
	size_t n, cap;
	int first[64]; /* most lists fit here; longer ones move to mmap'd pages */
};
int pidlist_add(struct pidlist *l, int pid); /* 0, or -1 with errno */
void pidlist_free(struct pidlist *l);

/* Drops every repeated pid, keeping the first of each in its place; par, if
 * given, is a list of the same length kept in step. Returns how many went. */
size_t pidlist_dedupe(struct pidlist *l, struct pidlist *par);
void pidlist_sort(struct pidlist *l);
int pidlist_has_sorted(const struct pidlist *l, int pid);

/* Appends the decimal pids of an open file, one per line (cgroup.procs), and
 * closes it. A line "0" (a process outside the reader's pid namespace) is
 * counted in *zeros, or is an error when zeros is NULL. Returns 0, or -1 with
 * errno (EINVAL: a line is not a process id). */
int read_pids(int fd, struct pidlist *l, size_t *zeros);

/* Lines of a file, read in large pieces: each call gives the next line,
 * NUL-terminated without its newline, or NULL at the end (or on an error:
 * err is then set). A line longer than the buffer comes as its head (up to
 * its last blank within the first LINE_BUF / 4 bytes) and its tail (from its
 * first blank within the last LINE_BUF / 2 bytes or more), the middle read
 * in large pieces and dropped: the fields at both ends survive whole. */
#define LINE_BUF 16384
struct lines {
	int fd, eof, err;
	size_t len, pos;
	char buf[LINE_BUF];
};
void lines_open(struct lines *l, int fd);
char *lines_next(struct lines *l);

/* The entries of an open directory, "." and ".." left out. */
struct dents {
	int fd;
	long n, pos;
	char buf[4096];
};
void dents_open(struct dents *d, int fd);
/* The next name (and its d_type, 0 when the file system does not say), or
 * NULL at the end; err: the getdents errno, or 0. */
const char *dents_next(struct dents *d, unsigned char *type, int *err);

#endif
