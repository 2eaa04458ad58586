/* sysinfo.c - reading /proc and /sys.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/* Whole pages from mmap, so that the tool needs no malloc: grows *v from
 * old to new bytes (v == inline: the first growth copies out of it). */
static void *grow(void *v, void *inline_buf, size_t old, size_t new)
{
	void *n = v != inline_buf && v
		? mremap(v, old, new, MREMAP_MAYMOVE)
		: mmap(NULL, new, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (n == MAP_FAILED)
		return NULL;
	if (inline_buf && v == inline_buf && old)
		memcpy(n, inline_buf, old);
	return n;
}

int pidlist_add(struct pidlist *l, int pid)
{
	if (!l->v) {
		l->v = l->first;
		l->cap = sizeof(l->first) / sizeof(l->first[0]);
	}
	if (l->n == l->cap) {
		void *v = grow(l->v, l->first, l->cap * sizeof(int), l->cap * 2 * sizeof(int));
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
		key = mmap(NULL, n * sizeof(*key), PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (key == MAP_FAILED)
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
		munmap(key, n * sizeof(*key));
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

int read_pids(const char *path, struct pidlist *l, size_t *zeros)
{
	int fd = open(path, O_RDONLY), e = EINVAL;
	char buf[4096];
	long long v = -1; /* the number being read; -1 at the start of a line */
	ssize_t r;

	if (fd < 0)
		return -1;
	for (;;) {
		r = read(fd, buf, sizeof(buf) - 1);
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
			} else if (buf[i] == '\n' && v >= 0) {
				/* 0: a process outside the reader's pid namespace */
				if (v == 0 && zeros)
					++*zeros;
				else if (v == 0)
					goto fail;
				else if (pidlist_add(l, (int)v) < 0) {
					e = errno;
					goto fail;
				}
				v = -1;
			} else {
				goto fail;
			}
		}
		if (r == 0)
			break;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	errno = e;
	return -1;
}

/* ---- processes: state, threads, namespaces ------------------------------ */

int proc_stat(int pid, struct pstat *st)
{
	char path[40], buf[1024], *p;
	long n;
	int field;

	memset(st, 0, sizeof(*st));
	fmt(path, sizeof(path), "/proc/%d/stat", pid);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
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
		unsigned long long v = 0;
		while (*p == ' ')
			p++;
		if (*p == '-')
			p++;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + (unsigned long long)(*p++ - '0');
		if (field == 9)
			st->flags = (unsigned long)v;
	}
	if (field <= 9) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int live_thread(int pid)
{
	char path[40], buf[4096];
	int fd, found = 0;

	fmt(path, sizeof(path), "/proc/%d/task", pid);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (long o = 0; o < n && !found;) {
			struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *d = (void *)(buf + o);
			struct pstat st;
			int tid = 0;
			o += d->reclen;
			for (const char *c = d->name; *c >= '0' && *c <= '9'; c++)
				tid = tid * 10 + (*c - '0');
			if (tid <= 0 || tid == pid)
				continue;
			/* /proc/TID/stat works for any thread id */
			if (proc_stat(tid, &st) == 0 && st.state != 'Z' && st.state != 'X')
				found = tid;
		}
		if (found)
			break;
	}
	close(fd);
	if (!found)
		errno = ESRCH;
	return found ? found : -1;
}

int proc_is_ours(void)
{
	static int known = -1;
	char buf[32];
	ssize_t n;
	int v = 0;

	if (known >= 0)
		return known;
	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	if (n <= 0)
		return known = 0;
	buf[n] = 0;
	for (char *c = buf; *c >= '0' && *c <= '9'; c++)
		v = v * 10 + (*c - '0');
	return known = v == getpid();
}

int in_initial_userns(void)
{
	char buf[256];
	long n = read_small("/proc/self/uid_map", buf, sizeof(buf));
	unsigned long long f[3] = { 1, 1, 0 };
	const char *p = buf;

	if (n < 0)
		return -1;
	/* the initial namespace maps everything: "0 0 4294967295" on one line */
	for (int i = 0; i < 3; i++) {
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			return 0;
		for (f[i] = 0; *p >= '0' && *p <= '9'; p++)
			f[i] = f[i] * 10 + (unsigned long long)(*p - '0');
	}
	while (*p == ' ' || *p == '\n')
		p++;
	return f[0] == 0 && f[1] == 0 && f[2] == 4294967295ULL && !*p;
}

/* ---- cgroup trees --------------------------------------------------------- */

const char *cg_dir(const struct cgwalk *w, int i)
{
	return w->paths + w->off.v[i];
}

static int cg_add_dir(struct cgwalk *w, const char *a, const char *b, int threaded)
{
	size_t need = strlen(a) + (b ? 1 + strlen(b) : 0) + 1;

	if (w->plen + need > w->pcap) {
		size_t cap = w->pcap ? w->pcap : 16384;
		void *v;
		while (cap < w->plen + need)
			cap *= 2;
		v = grow(w->paths, NULL, w->pcap, cap);
		if (!v)
			return -1;
		w->paths = v;
		w->pcap = cap;
	}
	if (pidlist_add(&w->off, (int)w->plen) < 0 || pidlist_add(&w->threaded, threaded) < 0)
		return -1;
	w->plen += (size_t)fmt(w->paths + w->plen, need, b ? "%s/%s" : "%s", a, b) + 1;
	return 0;
}

/* The processes of one threaded cgroup: the process (Tgid) of each thread
 * in cgroup.threads. */
static int cg_threads(const char *path, struct pidlist *l, size_t *zeros)
{
	struct pidlist tids;
	int r = -1;

	memset(&tids, 0, sizeof(tids));
	if (read_pids(path, &tids, zeros) < 0)
		return -1;
	r = 0;
	for (size_t i = 0; i < tids.n && r == 0; i++) {
		char v[24];
		int tgid = 0;
		if (proc_status(tids.v[i], "Tgid", v, sizeof(v)) < 0) {
			if (errno == ENOENT && access("/proc/self", F_OK) == 0)
				continue; /* the thread ended */
			r = -1;
			break;
		}
		for (const char *c = v; *c >= '0' && *c <= '9'; c++)
			tgid = tgid * 10 + (*c - '0');
		if (tgid > 0 && pidlist_add(l, tgid) < 0)
			r = -1;
	}
	if (tids.v && tids.v != tids.first) {
		int e = errno;
		munmap(tids.v, tids.cap * sizeof(int));
		errno = e;
	}
	return r;
}

int cg_dir_pids(const struct cgwalk *w, int i, struct pidlist *l)
{
	char path[4200];
	size_t zeros = 0;

	fmt(path, sizeof(path), "%s/%s", cg_dir(w, i), w->threaded.v[i] ? "cgroup.threads" : "cgroup.procs");
	return w->threaded.v[i] ? cg_threads(path, l, &zeros) : read_pids(path, l, &zeros);
}

int cg_walk(const char *top, struct cgwalk *w)
{
	char path[4200], buf[4096];

	if (cg_add_dir(w, top, NULL, 0) < 0)
		return -1;
	for (size_t i = 0; i < w->off.n; i++) {
		const char *dir = cg_dir(w, (int)i);
		size_t before = w->pids.n;
		int fd;

		w->err_dir = (int)i;
		fmt(path, sizeof(path), "%s/cgroup.procs", dir);
		if (read_pids(path, &w->pids, &w->outside) < 0) {
			if (errno == ENOENT && i > 0)
				continue; /* removed since its parent was read */
			if (errno != EOPNOTSUPP)
				return -1;
			/* a threaded cgroup */
			w->threaded.v[i] = 1;
			fmt(path, sizeof(path), "%s/cgroup.threads", dir);
			if (cg_threads(path, &w->pids, &w->outside) < 0) {
				w->err_threads = 1;
				return -1;
			}
		}
		for (size_t k = before; k < w->pids.n; k++)
			if (pidlist_add(&w->dir, (int)i) < 0)
				return -1;
		fd = open(dir, O_RDONLY | O_DIRECTORY);
		if (fd < 0) {
			if (errno == ENOENT && i > 0)
				continue;
			return -1;
		}
		for (;;) {
			long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
			if (n < 0) {
				int e = errno;
				close(fd);
				errno = e;
				return -1;
			}
			if (n == 0)
				break;
			for (long o = 0; o < n;) {
				struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *d = (void *)(buf + o);
				struct stat sb;
				o += d->reclen;
				if (d->name[0] == '.' && (!d->name[1] || (d->name[1] == '.' && !d->name[2])))
					continue;
				if (d->type != 4 /* DT_DIR */ &&
				    (d->type != 0 || fstatat(fd, d->name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
				     !S_ISDIR(sb.st_mode)))
					continue;
				/* a path longer than this cannot be opened by name anyway */
				if (strlen(cg_dir(w, (int)i)) + strlen(d->name) + 16 >= sizeof(path)) {
					close(fd);
					errno = ENAMETOOLONG;
					return -1;
				}
				if (cg_add_dir(w, cg_dir(w, (int)i), d->name, 0) < 0) {
					int e = errno;
					close(fd);
					errno = e;
					return -1;
				}
			}
		}
		close(fd);
	}
	w->err_dir = -1;
	return 0;
}

/* ---- the node of a device: the device forms of node lists -------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A hex number of 1..maxdigits digits at *s, ended by one of the characters
 * of stop (or the end of the text). Returns 0 and the value, or -1. */
static int hex_field(const char **s, int maxdigits, const char *stop, unsigned long *v)
{
	int n = 0;

	*v = 0;
	while (hexval(**s) >= 0) {
		if (++n > maxdigits)
			return -1;
		*v = *v * 16 + (unsigned long)hexval(**s);
		(*s)++;
	}
	if (n == 0 || (**s && !strchr(stop, **s)))
		return -1;
	return 0;
}

int pci_addr_parse(const char *s, char *canon, size_t len)
{
	unsigned long f[4] = { 0, 0, 0, 0 }; /* domain, bus, device, function */
	int colons = 0;

	for (const char *p = s; *p; p++)
		colons += *p == ':';
	if (colons < 1 || colons > 2)
		return -1;
	if (colons == 2 && hex_field(&s, 8, ":", &f[0]) < 0)
		return -1;
	if (colons == 2)
		s++;
	if (hex_field(&s, 2, ":", &f[1]) < 0)
		return -1;
	s++;
	if (hex_field(&s, 2, ".", &f[2]) < 0 || f[2] > 0x1f)
		return -1;
	if (*s == '.') {
		s++;
		if (hex_field(&s, 1, "", &f[3]) < 0 || f[3] > 7)
			return -1;
	}
	fmt(canon, len, "%04lx:%02lx:%02lx.%lx", f[0], f[1], f[2], f[3]);
	return 0;
}

/* The target of a sysfs link, e.g. "../../devices/pci0000:00/.../net/eth0",
 * as an absolute path "/sys/devices/...". Returns 0, or -1 with errno. */
static int sys_link(const char *link, char *path, size_t len)
{
	char buf[4096];
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	const char *d;

	if (n < 0)
		return -1;
	buf[n] = 0;
	/* (a loop, not strstr: musl's brings in 1.3 KB of two-way search) */
	for (d = buf; *d && strncmp(d, "/devices/", 9) != 0; d++)
		;
	if (!*d || fmt(path, len, "/sys%s", d) >= len) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* The reason a sysfs link could not be read (errno from sys_link): the
 * device is missing (the phrase absent), or sysfs is not there at all. */
static void link_error(const char *link, const char *absent, char *why, size_t whylen)
{
	if (errno != ENOENT)
		fmt(why, whylen, "cannot read %s: %s", link, strerror(errno));
	else if (access("/sys/devices", F_OK) < 0)
		fmt(why, whylen, "no /sys/devices to look it up in (is sysfs mounted?)");
	else
		fmt(why, whylen, "%s", absent);
}

/* From a device directory in /sys/devices up to the first one with a
 * numa_node file: most buses (virtio, ATA, SCSI, NVMe namespaces) have none
 * of their own and sit below the PCI device that has it. dev names the device
 * in messages. Returns the node, or -1 with why. */
static int walk_numa_node(char *path, const char *dev, char *why, size_t whylen)
{
	const size_t top = strlen("/sys/devices");
	size_t len = strlen(path);
	char file[4200], buf[32];

	while (len > top) {
		long n;
		fmt(file, sizeof(file), "%.*s/numa_node", (int)len, path);
		n = read_small(file, buf, sizeof(buf));
		if (n >= 0) {
			const char *p = buf;
			int neg = *p == '-', v = 0, digits = 0;
			p += neg;
			while (*p >= '0' && *p <= '9' && v < 100000) {
				v = v * 10 + (*p++ - '0');
				digits++;
			}
			if (!digits || (*p && *p != '\n')) {
				fmt(why, whylen, "cannot read a node number in %s", file);
				return -1;
			}
			if (neg) {
				fmt(why, whylen, "the kernel does not know the node of %s "
				    "(numa_node is -1 in %.*s)", dev, (int)len, path);
				return -1;
			}
			if (v >= MP_MAXNODES) {
				fmt(why, whylen, "%s names node %d, out of range", file, v);
				return -1;
			}
			return v;
		}
		while (len > top && path[len - 1] != '/')
			len--;
		len--;
	}
	fmt(why, whylen, "%s is not attached to a node (no numa_node on its sysfs path %s)",
	    dev, path);
	return -1;
}

/* The node of /sys/class/CLS/NAME (a network or block device). */
static int class_node(const char *cls, const char *name, const char *kind,
		      char *why, size_t whylen)
{
	char link[300], path[4096];

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strlen(name) > 255) {
		fmt(why, whylen, "not a %s device name", kind);
		return -1;
	}
	fmt(link, sizeof(link), "/sys/class/%s/%s", cls, name);
	if (sys_link(link, path, sizeof(path)) < 0) {
		char absent[40];
		fmt(absent, sizeof(absent), "no such %s device", kind);
		link_error(link, absent, why, whylen);
		return -1;
	}
	return walk_numa_node(path, name, why, whylen);
}

static int pci_node(const char *addr, char *why, size_t whylen)
{
	char canon[32], link[64], path[4096];

	if (pci_addr_parse(addr, canon, sizeof(canon)) < 0) {
		fmt(why, whylen, "not a PCI address (write [DOMAIN:]BUS:DEVICE[.FUNCTION] in "
		    "hex, e.g. 0000:80:00.0)");
		return -1;
	}
	fmt(link, sizeof(link), "/sys/bus/pci/devices/%s", canon);
	if (sys_link(link, path, sizeof(path)) < 0) {
		char absent[64];
		fmt(absent, sizeof(absent), "no such PCI device (%s)", canon);
		link_error(link, absent, why, whylen);
		return -1;
	}
	return walk_numa_node(path, canon, why, whylen);
}

static int file_node(const char *name, char *why, size_t whylen)
{
	struct stat st;
	char link[64], path[4096], dev[40];
	const char *cls = "block";
	dev_t d;

	if (stat(name, &st) < 0) {
		fmt(why, whylen, "cannot stat it: %s", strerror(errno));
		return -1;
	}
	d = st.st_dev;
	if (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)) {
		d = st.st_rdev;
		cls = S_ISBLK(st.st_mode) ? "block" : "char";
	}
	fmt(dev, sizeof(dev), "%s device %u:%u", cls, major(d), minor(d));
	fmt(link, sizeof(link), "/sys/dev/%s/%u:%u", cls, major(d), minor(d));
	if (sys_link(link, path, sizeof(path)) < 0) {
		char absent[160];
		if (d == st.st_dev)
			fmt(absent, sizeof(absent),
			    "its file system (device %u:%u) is not on a block device", major(d),
			    minor(d));
		else
			fmt(absent, sizeof(absent), "%s is not in %s", dev, link);
		link_error(link, absent, why, whylen);
		return -1;
	}
	return walk_numa_node(path, dev, why, whylen);
}

void route_init(struct route_pick *r)
{
	memset(r, 0, sizeof(*r));
	r->plen = -1;
}

#define RTF_UP_ 0x0001
#define RTF_REJECT_ 0x0200

/* The next blank-separated field of a line. */
static const char *next_field(const char **s, size_t *n)
{
	const char *p = *s;
	while (*p == ' ' || *p == '\t')
		p++;
	*n = 0;
	while (p[*n] && p[*n] != ' ' && p[*n] != '\t' && p[*n] != '\n')
		(*n)++;
	*s = p + *n;
	return p;
}

static int hex_word(const char *p, size_t n, unsigned long *v)
{
	const char *q = p;
	if (n == 0 || n > 8 || hex_field(&q, 8, " \t\n", v) < 0 || (size_t)(q - p) != n)
		return -1;
	return 0;
}

static void route_take(struct route_pick *r, int plen, unsigned long metric,
		       const char *dev, size_t devlen)
{
	if (devlen == 0 || devlen >= sizeof(r->dev))
		return;
	if (plen < r->plen || (plen == r->plen && metric >= r->metric))
		return;
	r->plen = plen;
	r->metric = metric;
	memcpy(r->dev, dev, devlen);
	r->dev[devlen] = 0;
}

void route4_line(const char *line, const unsigned char addr[4], struct route_pick *r)
{
	/* Iface Destination Gateway Flags RefCnt Use Metric Mask ...: addresses
	 * as the kernel's 32-bit words in hex, so read into native words */
	const char *s = line, *f[8];
	size_t n[8];
	unsigned long dest, flags, mask, metric = 0;
	uint32_t a;
	int plen = 0;

	for (int i = 0; i < 8; i++)
		f[i] = next_field(&s, &n[i]);
	if (hex_word(f[1], n[1], &dest) < 0 || hex_word(f[3], n[3], &flags) < 0 ||
	    hex_word(f[7], n[7], &mask) < 0)
		return;
	for (size_t i = 0; i < n[6]; i++) {
		if (f[6][i] < '0' || f[6][i] > '9')
			return;
		metric = metric * 10 + (unsigned long)(f[6][i] - '0');
	}
	if (!(flags & RTF_UP_) || (flags & RTF_REJECT_))
		return;
	memcpy(&a, addr, 4);
	if ((a & (uint32_t)mask) != ((uint32_t)dest & (uint32_t)mask))
		return;
	for (unsigned long m = mask; m; m >>= 1)
		plen += (int)(m & 1);
	route_take(r, plen, metric, f[0], n[0]);
}

void route6_line(const char *line, const unsigned char addr[16], struct route_pick *r)
{
	/* dest plen src src_plen nexthop metric refcnt use flags dev, hex */
	const char *s = line, *f[10];
	size_t n[10];
	unsigned long plen, metric, flags;
	unsigned char dest[16];

	for (int i = 0; i < 10; i++)
		f[i] = next_field(&s, &n[i]);
	if (n[0] != 32 || hex_word(f[1], n[1], &plen) < 0 || plen > 128 ||
	    hex_word(f[5], n[5], &metric) < 0 || hex_word(f[8], n[8], &flags) < 0)
		return;
	for (size_t i = 0; i < 16; i++) {
		int hi = hexval(f[0][2 * i]), lo = hexval(f[0][2 * i + 1]);
		if (hi < 0 || lo < 0)
			return;
		dest[i] = (unsigned char)(hi * 16 + lo);
	}
	if (!(flags & RTF_UP_) || (flags & RTF_REJECT_))
		return;
	for (unsigned long b = 0; b < plen; b++) {
		unsigned bit = 0x80u >> (b % 8);
		if ((addr[b / 8] & bit) != (dest[b / 8] & bit))
			return;
	}
	route_take(r, (int)plen, metric, f[9], n[9]);
}

/* Feeds each line of a file (lines longer than 511 bytes cut) to a route
 * parser. Returns 0, or -1 with errno. */
static int route_scan(const char *path, int v6, const unsigned char *addr,
		      struct route_pick *r)
{
	char buf[4096], line[512];
	size_t ll = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		for (ssize_t i = 0; i <= got; i++) {
			if (i < got && buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			if (i == got && got > 0)
				break;
			line[ll] = 0;
			if (ll)
				(v6 ? route6_line : route4_line)(line, addr, r);
			ll = 0;
		}
		if (got == 0)
			break;
	}
	close(fd);
	return 0;
}

static int ip_node(const char *text, char *why, size_t whylen)
{
	unsigned char addr[16];
	char host[64], sub[400];
	const char *zone = strchr(text, '%');
	struct route_pick r;
	int v6, n;

	route_init(&r);
	fmt(host, sizeof(host), "%.*s", zone ? (int)(zone - text) : (int)strlen(text), text);
	v6 = inet_pton(AF_INET6, host, addr) == 1;
	if (!v6 && (zone || inet_pton(AF_INET, host, addr) != 1)) {
		fmt(why, whylen, "not an IPv4 or IPv6 address (host names are not looked up)");
		return -1;
	}
	if (zone) {
		/* fe80::1%eth0: the interface is named */
		route_take(&r, 128, 0, zone + 1, strlen(zone + 1));
	} else if (!v6 && addr[0] == 127) {
		/* the loopback net lives in the local table, not in /proc/net/route */
		route_take(&r, 8, 0, "lo", 2);
	} else {
		const char *path = v6 ? "/proc/net/ipv6_route" : "/proc/net/route";
		if (route_scan(path, v6, addr, &r) < 0) {
			fmt(why, whylen, "cannot read %s: %s", path, strerror(errno));
			return -1;
		}
		if (r.plen < 0) {
			fmt(why, whylen, "no route to it in %s", path);
			return -1;
		}
	}
	n = class_node("net", r.dev, "network", sub, sizeof(sub));
	if (n < 0)
		fmt(why, whylen, "routed through %s: %s", r.dev, sub);
	return n;
}

int device_node(int kind, const char *name, char *why, size_t whylen)
{
	switch (kind) {
	case DEV_NETDEV:
		return class_node("net", name, "network", why, whylen);
	case DEV_BLOCK:
		return class_node("block", name, "block", why, whylen);
	case DEV_PCI:
		return pci_node(name, why, whylen);
	case DEV_FILE:
		return file_node(name, why, whylen);
	case DEV_IP:
		return ip_node(name, why, whylen);
	}
	fmt(why, whylen, "unknown device form");
	return -1;
}
