/* sysinfo.c - reading /proc and /sys (see sysinfo.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "kerndat.h"
#include "mem.h"
#include "syscall_arch.h"
#include "sysinfo.h"

#define MPOL_F_MEMS_ALLOWED (1 << 2)

/* The tool never runs another program, so no descriptor needs O_CLOEXEC (musl
 * would add an fcntl for it). /proc and /sys files hand over their whole text
 * to a read whose buffer is large enough, so a short read ends the file. */
static long read_fd(int fd, char *buf, size_t len)
{
	size_t got = 0;

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

long read_small_at(int dirfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dirfd, name, O_RDONLY);
	return fd < 0 ? -1 : read_fd(fd, buf, len);
}

long read_small(const char *path, char *buf, size_t len)
{
	return read_small_at(AT_FDCWD, path, buf, len);
}

int write_small(const char *path, const char *val)
{
	size_t n = 0;
	ssize_t w;
	int fd = open(path, O_WRONLY | O_CLOEXEC), e;

	if (fd < 0)
		return -1;
	while (val[n])
		n++;
	w = write(fd, val, n);
	e = errno;
	close(fd);
	errno = e;
	return w == (ssize_t)n ? 0 : -1;
}

int self_mems_allowed(struct nodeset *out)
{
	ns_clear(out);
	if (syscall(SYS_get_mempolicy, NULL, out->w, ns_maxnode(MP_MAXNODES - 1),
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


int proc_status(int dirfd, const char *key, char *val, size_t len)
{
	char buf[8192];
	size_t klen = strlen(key);
	char *line;

	if (dirfd == PROC_SELF ? read_small("/proc/self/status", buf, sizeof(buf)) < 0
			       : read_small_at(dirfd, "status", buf, sizeof(buf)) < 0)
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

int proc_mems(int dirfd, struct nodeset *out)
{
	static char list[MP_MAXNODES * 5];

	ns_clear(out);
	if (dirfd < 0 && dirfd != PROC_SELF) {
		errno = ENOENT;
		return -1;
	}
	if (proc_status(dirfd, "Mems_allowed_list", list, sizeof(list)) < 0)
		return -1;
	if (ns_read_list(list, strlen(list), out) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int proc_tgid(int tid)
{
	char path[40], v[24];
	const char *p = v;
	unsigned long long t;
	int dirfd;

	fmt(path, sizeof(path), "/proc/%d", tid);
	dirfd = open(path, O_RDONLY | O_DIRECTORY);
	if (dirfd < 0)
		return -1;
	if (proc_status(dirfd, "Tgid", v, sizeof(v)) < 0) {
		int e = errno;
		close(dirfd);
		errno = e;
		return -1;
	}
	close(dirfd);
	if (dec_scan(&p, NULL, 0x7fffffff, &t) <= 0 || t == 0) {
		errno = EINVAL;
		return -1;
	}
	return (int)t;
}

void nm_init(struct nm_parser *p, struct usage *u, unsigned long base_kb)
{
	p->toklen = 0;
	p->tok_long = p->nrun = p->ncand = p->nlast = 0;
	p->cand_kb = p->last_kb = p->mapmax = 0;
	if (u)
		memset(u, 0, sizeof(*u));
	p->u = u;
	p->base_kb = base_kb;
}

/* "<prefix><digits>" at s: the value, or -1 when s is not that. */
static long long tok_num(const char *s, const char *prefix)
{
	size_t pl = strlen(prefix);
	unsigned long long v;

	if (strncmp(s, prefix, pl) != 0)
		return -1;
	s += pl;
	/* at most 2^52 before the last digit */
	if (dec_scan(&s, NULL, (1ULL << 52) * 10 + 9, &v) <= 0 || *s)
		return -1;
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
	if ((kb = tok_num(p->tok, "mapmax=")) > 0) {
		p->mapmax = (unsigned long)kb;
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
	for (int i = 0; p->u && i < n; i++) {
		uint64_t b = p->cand[i].pages * kb * 1024;
		p->u->bytes[p->cand[i].node] += b;
		if (p->mapmax > 1)
			p->u->shared[p->cand[i].node] += b;
		p->u->total += b;
	}
	if (!p->u) { /* nm_parse_line: the counts of this line */
		memcpy(p->last, p->cand, sizeof(p->cand[0]) * (size_t)n);
		p->nlast = n;
		p->last_kb = kb;
	}
	p->nrun = p->ncand = 0;
	p->cand_kb = p->mapmax = 0;
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
	if (p->u)
		p->u->valid = 1;
}


int proc_usage(int dirfd, struct usage *u)
{
	static struct nm_parser p;
	char buf[4096];
	unsigned long page = kd_page_size();
	int fd = dirfd < 0 ? -1 : openat(dirfd, "numa_maps", O_RDONLY);

	if (fd < 0) {
		if (dirfd < 0)
			errno = ENOENT;
		u->valid = 0;
		return -1;
	}
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

int nm_parse_line(const char *line, unsigned long base, struct nm_line *out)
{
	static struct nm_parser p;
	unsigned long long v = 0;
	int digits = 0;

	for (const char *s = line; *s; s++, digits++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
		if (d < 0)
			break;
		if (v >> (sizeof(unsigned long) * 8 - 4))
			return -1; /* wider than an address */
		v = v * 16 + (unsigned)d;
	}
	if (!digits || (line[digits] != ' ' && line[digits] != 0))
		return -1;
	nm_init(&p, NULL, base / 1024);
	nm_feed(&p, line, strlen(line));
	nm_feed(&p, "\n", 1);
	out->start = (unsigned long)v;
	out->pagesize = p.last_kb * 1024;
	out->nnodes = p.nlast;
	out->n = p.last;
	return 0;
}

int pidlist_add(struct pidlist *l, int pid)
{
	if (!l->v) {
		l->v = l->first;
		l->cap = sizeof(l->first) / sizeof(l->first[0]);
	}
	if (l->n == l->cap) {
		void *v = mem_grow(l->v, l->first, l->cap * sizeof(int), l->cap * 2 * sizeof(int));
		if (!v)
			return -1;
		l->v = v;
		l->cap *= 2;
	}
	l->v[l->n++] = pid;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

size_t pidlist_dedupe(struct pidlist *l, struct pidlist *par)
{
	uint64_t small[64], *key = small;
	size_t n = l->n, o = 0, dropped;

	if (n < 2)
		return 0;
	if (n > 64) {
		key = mem_get(n * sizeof(*key));
		if (!key)
			return 0; /* keep the duplicates rather than fail */
	}
	/* sort (pid, position) pairs; every pair after the first of its pid is
	 * a duplicate, marked by setting the pid to 0 */
	for (size_t i = 0; i < n; i++)
		key[i] = (uint64_t)(uint32_t)l->v[i] << 32 | i;
	qsort(key, n, sizeof(*key), cmp_key);
	for (size_t i = 1; i < n; i++)
		if (key[i] >> 32 == key[i - 1] >> 32)
			l->v[(uint32_t)key[i]] = 0;
	for (size_t i = 0; i < n; i++) {
		if (!l->v[i])
			continue;
		if (par)
			par->v[o] = par->v[i];
		l->v[o++] = l->v[i];
	}
	dropped = n - o;
	l->n = o;
	if (par)
		par->n = o;
	if (key != small)
		mem_put(key, n * sizeof(*key));
	return dropped;
}

int pidlist_has_sorted(const struct pidlist *l, int pid)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->v[mid] == pid)
			return 1;
		if (l->v[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

void pidlist_sort(struct pidlist *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(int), cmp_int);
}

void pidlist_free(struct pidlist *l)
{
	if (l->v && l->v != l->first)
		mem_put(l->v, l->cap * sizeof(int));
	l->v = NULL;
	l->n = l->cap = 0;
}

int read_pids(int fd, struct pidlist *l, size_t *zeros)
{
	static struct lines ln;
	const char *s;
	int e = 0;

	lines_open(&ln, fd);
	while (!e && (s = lines_next(&ln))) {
		unsigned long long v;
		if (!*s)
			continue;
		if (dec_strict(s, strlen(s), 0, 0x7fffffff, &v) != DEC_OK || (v == 0 && !zeros))
			e = EINVAL;
		else if (v == 0) /* a process outside the reader's pid namespace */
			++*zeros;
		else if (pidlist_add(l, (int)v) < 0)
			e = errno;
	}
	if (!e)
		e = ln.err;
	close(fd);
	errno = e;
	return e ? -1 : 0;
}

/* ---- processes: state, threads, namespaces ------------------------------ */

int proc_stat(int dirfd, struct pstat *st)
{
	char buf[1024], *p;
	int field;

	memset(st, 0, sizeof(*st));
	if (dirfd < 0) {
		errno = ENOENT;
		return -1;
	}
	if (read_small_at(dirfd, "stat", buf, sizeof(buf)) < 0)
		return -1;
	/* "pid (comm) S ppid ..." : comm may hold anything, so start after the
	 * last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2]) {
		errno = EINVAL;
		return -1;
	}
	st->state = p[2];
	p += 3;
	/* fields 4.. after the state; flags is field 9 */
	for (field = 4; field <= 9 && *p; field++) {
		const char *q;
		unsigned long long v = 0;
		while (*p == ' ')
			p++;
		if (*p == '-')
			p++;
		q = p;
		dec_scan(&q, NULL, ~0ULL, &v);
		p = (char *)q;
		if (field == 9)
			st->flags = (unsigned long)v;
	}
	if (field <= 9) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int live_thread(int dirfd, int tgid)
{
	static struct dents d;
	const char *name;
	int fd = dirfd < 0 ? -1 : openat(dirfd, "task", O_RDONLY | O_DIRECTORY), found = 0, err;
	unsigned char type;

	if (fd < 0)
		return -1;
	dents_open(&d, fd);
	while (!found && (name = dents_next(&d, &type, &err))) {
		struct pstat st;
		unsigned long long tid;
		int tfd;
		if (dec_strict(name, strlen(name), 1, 0x7fffffff, &tid) != DEC_OK || (int)tid == tgid)
			continue;
		tfd = openat(fd, name, O_RDONLY | O_DIRECTORY);
		if (tfd < 0)
			continue;
		if (proc_stat(tfd, &st) == 0 && st.state != 'Z' && st.state != 'X')
			found = (int)tid;
		close(tfd);
	}
	close(fd);
	if (!found)
		errno = ESRCH;
	return found ? found : -1;
}

/* ---- readers: lines, directories ----------------------------------------- */

void lines_open(struct lines *l, int fd)
{
	l->fd = fd;
	l->eof = l->err = 0;
	l->len = l->pos = 0;
}

/* Reads more after the unread part, moved to the front. 0 at the end. */
static int lines_fill(struct lines *l)
{
	ssize_t r;

	if (l->eof)
		return 0;
	memmove(l->buf, l->buf + l->pos, l->len - l->pos);
	l->len -= l->pos;
	l->pos = 0;
	do
		r = read(l->fd, l->buf + l->len, sizeof(l->buf) - 1 - l->len);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		l->eof = 1;
		if (r < 0)
			l->err = errno;
		return 0;
	}
	l->len += (size_t)r;
	return 1;
}

/* A line longer than the buffer (which is full of its start): its head and
 * its tail, joined at blanks, the middle read in large pieces and dropped:
 * the fields at both ends come whole (numa_maps puts a file's path, which
 * may be longer than the buffer, between the policy and the N<node>=
 * counts). */
static char *long_line(struct lines *l)
{
	const size_t head = LINE_BUF / 4, keep = LINE_BUF / 2, cap = sizeof(l->buf) - 1;
	size_t len = l->len, h = head;
	char *e = NULL, *t, *b;

	while (!e) {
		ssize_t r;
		if (len == cap) { /* the latest part of the line is kept after the head */
			memmove(l->buf + head, l->buf + len - keep, keep);
			len = head + keep;
		}
		r = read(l->fd, l->buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) { /* a last line without its newline */
			l->eof = 1;
			l->err = r < 0 ? errno : 0;
			e = l->buf + len;
			break;
		}
		e = memchr(l->buf + len, '\n', (size_t)r);
		len += (size_t)r;
	}
	l->len = len;
	l->pos = l->eof ? len : (size_t)(e + 1 - l->buf);
	*e = 0;
	/* the head up to its last blank, the tail from its first one */
	for (b = l->buf + head; b > l->buf && b[-1] != ' '; b--)
		;
	if (b > l->buf + 1)
		h = (size_t)(b - 1 - l->buf);
	t = memchr(l->buf + head, ' ', (size_t)(e - (l->buf + head)));
	if (!t) { /* (a byte of the tail marks the junction) */
		t = l->buf + head;
		*t = ' ';
	}
	memmove(l->buf + h, t, (size_t)(e - t) + 1);
	return l->buf;
}

char *lines_next(struct lines *l)
{
	for (;;) {
		char *s = l->buf + l->pos, *nl = memchr(s, '\n', l->len - l->pos);
		if (nl) {
			*nl = 0;
			l->pos = (size_t)(nl + 1 - l->buf);
			return s;
		}
		if (l->pos == 0 && l->len == sizeof(l->buf) - 1)
			return long_line(l);
		if (!lines_fill(l)) { /* (it moved the unread part to the front) */
			s = l->buf + l->pos;
			if (l->pos == l->len)
				return NULL;
			l->buf[l->len] = 0; /* a last line without its newline */
			l->pos = l->len;
			return s;
		}
	}
}

void dents_open(struct dents *d, int fd)
{
	d->fd = fd;
	d->n = d->pos = 0;
}

const char *dents_next(struct dents *d, unsigned char *type, int *err)
{
	*err = 0;
	for (;;) {
		while (d->pos < d->n) {
			struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type;
				 char name[]; } *e = (void *)(d->buf + d->pos);
			d->pos += e->reclen;
			if (e->name[0] == '.' && (!e->name[1] || (e->name[1] == '.' && !e->name[2])))
				continue;
			*type = e->type;
			return e->name;
		}
		d->n = syscall(SYS_getdents64, d->fd, d->buf, sizeof(d->buf));
		d->pos = 0;
		if (d->n <= 0) {
			if (d->n < 0)
				*err = errno;
			d->n = 0;
			return NULL;
		}
	}
}
