/* sysinfo.c - reading /proc and /sys.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fmt.h"
#include "syscall_arch.h"
#include "sysinfo.h"

#define MPOL_F_MEMS_ALLOWED (1 << 2)

/* The tool never runs another program, so no descriptor needs O_CLOEXEC (musl
 * would add an fcntl for it). /proc and /sys files hand over their whole text
 * to a read whose buffer is large enough, so a short read ends the file. */
long read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got + 1 < len) {
		ssize_t r = read(fd, buf + got, len - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		got += (size_t)r;
		if (r == 0 || got + 1 < len)
			break;
	}
	buf[got] = 0;
	close(fd);
	return (long)got;
}

int self_mems_allowed(struct nodeset *out)
{
	ns_clear(out);
	/* maxnode is the mask's bit count + 1 (the kernel's off-by-one) */
	if (syscall(SYS_get_mempolicy, NULL, out->w, (unsigned long)MP_MAXNODES + 1,
		    NULL, (unsigned long)MPOL_F_MEMS_ALLOWED) < 0)
		return -1;
	return 0;
}

static int sys_nodes(const char *name, struct nodeset *out)
{
	char path[64], buf[4096 + 1];
	long n;

	fmt(path, sizeof(path), "/sys/devices/system/node/%s", name);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return -1;
	if (ns_read_list(buf, (size_t)n, out) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

void topo_read(struct topology *t)
{
	if (sys_nodes("online", &t->online) == 0 && ns_count(&t->online) > 0) {
		/* has_memory exists since 2.6.23; without it, every online node */
		if (sys_nodes("has_memory", &t->memory) < 0)
			t->memory = t->online;
		t->source = TOPO_SYSFS;
		return;
	}
	if (self_mems_allowed(&t->online) == 0 && ns_count(&t->online) > 0) {
		t->memory = t->online;
		t->source = TOPO_MEMPOLICY;
		return;
	}
	/* a kernel without NUMA: one node, 0 (migrate_pages will say ENOSYS) */
	ns_clear(&t->online);
	ns_add(&t->online, 0);
	t->memory = t->online;
	t->source = TOPO_ASSUMED;
}

int proc_status(int pid, const char *key, char *val, size_t len)
{
	char path[32], buf[8192];
	size_t klen = strlen(key);
	char *line;

	if (pid)
		fmt(path, sizeof(path), "/proc/%d/status", pid);
	else
		fmt(path, sizeof(path), "/proc/self/status");
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	for (line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			char *v = line + klen + 1, *e;
			while (*v == ' ' || *v == '\t')
				v++;
			e = strchr(v, '\n');
			if (!e)
				e = v + strlen(v);
			fmt(val, len, "%.*s", (int)(e - v), v);
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

void nm_init(struct nm_parser *p, struct usage *u, unsigned long base_kb)
{
	memset(p, 0, sizeof(*p));
	memset(u, 0, sizeof(*u));
	p->u = u;
	p->base_kb = base_kb;
}

/* "<prefix><digits>" at s: the value, or -1 when s is not that. */
static long long tok_num(const char *s, const char *prefix)
{
	size_t pl = strlen(prefix);
	unsigned long long v = 0;

	if (strncmp(s, prefix, pl) != 0 || !s[pl])
		return -1;
	for (s += pl; *s; s++) {
		if (*s < '0' || *s > '9' || v > (1ULL << 52))
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	return (long long)v;
}

static void nm_token(struct nm_parser *p)
{
	long long kb;
	const char *eq;

	if (p->toklen == 0 && !p->tok_long)
		return; /* two separators in a row: no token */
	if (p->tok_long) {
		p->nrun = 0;
		return;
	}
	p->tok[p->toklen] = 0;
	if (p->tok[0] == 'N' && (eq = strchr(p->tok, '=')) != NULL) {
		char node[8];
		long long n, c;
		size_t nl = (size_t)(eq - p->tok);
		if (nl >= 2 && nl < sizeof(node)) {
			memcpy(node, p->tok, nl);
			node[nl] = 0;
			n = tok_num(node, "N");
			c = tok_num(eq + 1, "");
			if (n >= 0 && n < MP_MAXNODES && c >= 0) {
				/* one token per node: a longer run is a hostile
				 * file; keep what fits */
				if (p->nrun < MP_MAXNODES) {
					p->run[p->nrun].node = (int)n;
					p->run[p->nrun].pages = (uint64_t)c;
					p->nrun++;
				}
				return;
			}
		}
		p->nrun = 0;
		return;
	}
	kb = tok_num(p->tok, "kernelpagesize_kB=");
	if (kb > 0) {
		memcpy(p->cand, p->run, sizeof(p->run[0]) * (size_t)p->nrun);
		p->ncand = p->nrun;
		p->cand_kb = (unsigned long)kb;
	}
	p->nrun = 0;
}

static void nm_line(struct nm_parser *p)
{
	unsigned long kb = p->cand_kb;
	int n = p->ncand;

	if (!kb) { /* an old kernel without kernelpagesize_kB: the run that ends the line */
		memcpy(p->cand, p->run, sizeof(p->run[0]) * (size_t)p->nrun);
		n = p->nrun;
		kb = p->base_kb;
	}
	for (int i = 0; i < n; i++) {
		uint64_t b = p->cand[i].pages * kb * 1024;
		p->u->bytes[p->cand[i].node] += b;
		p->u->total += b;
	}
	p->nrun = p->ncand = 0;
	p->cand_kb = 0;
}

void nm_feed(struct nm_parser *p, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == ' ' || c == '\n' || c == '\t') {
			nm_token(p);
			p->toklen = 0;
			p->tok_long = 0;
			if (c == '\n')
				nm_line(p);
		} else if (p->toklen + 1 < sizeof(p->tok)) {
			p->tok[p->toklen++] = c;
		} else {
			p->tok_long = 1;
		}
	}
}

void nm_finish(struct nm_parser *p)
{
	if (p->toklen || p->nrun || p->ncand)
		nm_feed(p, "\n", 1);
	p->u->valid = 1;
}

int proc_usage(int pid, struct usage *u)
{
	static struct nm_parser p;
	char path[40], buf[4096];
	unsigned long page = getauxval(AT_PAGESZ);
	int fd;

	fmt(path, sizeof(path), "/proc/%d/numa_maps", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	nm_init(&p, u, page ? page / 1024 : 4);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			u->valid = 0;
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		nm_feed(&p, buf, (size_t)r);
	}
	close(fd);
	nm_finish(&p);
	return 0;
}

int pidlist_add(struct pidlist *l, int pid)
{
	if (!l->v) {
		l->v = l->first;
		l->cap = sizeof(l->first) / sizeof(l->first[0]);
	}
	if (l->n == l->cap) {
		/* whole pages from mmap, so that the tool needs no malloc */
		size_t cap = l->cap * 2;
		void *v = l->v != l->first
			? mremap(l->v, l->cap * sizeof(int), cap * sizeof(int), MREMAP_MAYMOVE)
			: mmap(NULL, cap * sizeof(int), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (v == MAP_FAILED)
			return -1;
		if (l->v == l->first)
			memcpy(v, l->first, sizeof(l->first));
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = pid;
	return 0;
}

int read_pids(const char *path, struct pidlist *l)
{
	int fd = open(path, O_RDONLY), e = EINVAL;
	char buf[4096];
	long long v = -1; /* the number being read; -1 at the start of a line */
	ssize_t r;

	if (fd < 0)
		return -1;
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			goto fail;
		}
		if (r == 0) {
			if (v < 0)
				break;
			buf[r++] = '\n'; /* a last line without its newline still counts */
		}
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				v = (v < 0 ? 0 : v) * 10 + (buf[i] - '0');
				if (v > 0x7fffffff)
					goto fail;
			} else if (buf[i] == '\n' && v != 0) {
				if (v > 0 && pidlist_add(l, (int)v) < 0) {
					e = errno;
					goto fail;
				}
				v = -1;
			} else {
				goto fail;
			}
		}
	}
	close(fd);
	return 0;
fail:
	close(fd);
	errno = e;
	return -1;
}
