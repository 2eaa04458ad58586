/* common.h - small shared pieces of the guest test helpers: raw NUMA system
 * calls (no libnuma), node list parsing and node masks as arrays of longs. */
#ifndef VM_HELPERS_COMMON_H
#define VM_HELPERS_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAXNODES 1024
#define LBITS (8 * (int)sizeof(unsigned long))
#define MASKWORDS (MAXNODES / LBITS)

typedef struct { unsigned long w[MASKWORDS]; } nodemask;

#ifndef MPOL_DEFAULT
#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#endif
#ifndef MPOL_MF_STRICT
#define MPOL_MF_STRICT (1 << 0)
#define MPOL_MF_MOVE (1 << 1)
#endif

static inline void nm_set(nodemask *m, int n) { m->w[n / LBITS] |= 1UL << (n % LBITS); }
static inline void nm_clr(nodemask *m, int n) { m->w[n / LBITS] &= ~(1UL << (n % LBITS)); }
static inline int nm_isset(const nodemask *m, int n) { return (m->w[n / LBITS] >> (n % LBITS)) & 1; }
static inline int nm_weight(const nodemask *m)
{
	int n, c = 0;
	for (n = 0; n < MAXNODES; n++)
		c += nm_isset(m, n);
	return c;
}
static inline int nm_empty(const nodemask *m) { return nm_weight(m) == 0; }
static inline int nm_last(const nodemask *m)
{
	int n;
	for (n = MAXNODES - 1; n >= 0; n--)
		if (nm_isset(m, n))
			return n;
	return -1;
}

/* "0-3,5" -> mask. Decimal numbers, ranges, commas. "" is the empty set.
 * Returns 0, or -1 on a syntax error. */
static inline int nm_parse(const char *s, nodemask *m)
{
	memset(m, 0, sizeof(*m));
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b;
		if (end == s || a < 0 || a >= MAXNODES)
			return -1;
		b = a;
		s = end;
		if (*s == '-') {
			s++;
			b = strtol(s, &end, 10);
			if (end == s || b < a || b >= MAXNODES)
				return -1;
			s = end;
		}
		for (; a <= b; a++)
			nm_set(m, (int)a);
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return 0;
}

static inline long sys_mbind(void *addr, unsigned long len, int mode,
			     const nodemask *m, unsigned long maxnode, unsigned flags)
{
	return syscall(SYS_mbind, addr, len, mode, m ? m->w : NULL, maxnode, flags);
}

static inline long sys_move_pages(int pid, unsigned long count, void **pages,
				  const int *nodes, int *status, int flags)
{
	return syscall(SYS_move_pages, pid, count, pages, nodes, status, flags);
}

/* " N*COUNT ...": move_pages's answers st[0..n) in runs of equal answers */
static inline void status_runs(FILE *f, const int *st, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && st[j] == st[i])
			j++;
		fprintf(f, " %d*%zu", st[i], j - i);
		i = j;
	}
}

/* "region NAME nodes N*COUNT ...": where the n pages are (move_pages asked,
 * st[] its answers), in runs of equal answers; -errno for every page when the
 * call fails. The helpers' one report line, read by the guest scenarios. */
static inline void region_nodes(FILE *f, char name, void **pages, int *st, size_t n)
{
	if (sys_move_pages(0, n, pages, NULL, st, 0) < 0)
		for (size_t i = 0; i < n; i++)
			st[i] = -errno;
	fprintf(f, "region %c nodes", name);
	status_runs(f, st, n);
	fprintf(f, "\n");
}

static inline long sys_migrate_pages(int pid, unsigned long maxnode,
				     const unsigned long *from, const unsigned long *to)
{
	return syscall(SYS_migrate_pages, pid, maxnode, from, to);
}

static inline void die(const char *prog, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(111);
}

#endif
