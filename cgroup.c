/* cgroup.c - walking a cgroup tree (see cgroup.h).
 *
 * Breadth first: the directories found are kept in the order they were found,
 * so the children of one directory sit together. A directory is opened from
 * its parent's descriptor, which is kept while its children are read (and,
 * for a chain of single children, from the directory read just before): the
 * walk makes one openat per directory however deep the tree goes.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "fmt.h"
#include "mem.h"

static const char *name_of(const struct cgwalk *w, int i)
{
	return w->names + w->dirs[i].name;
}

static int add_dir(struct cgwalk *w, int parent, const char *name)
{
	size_t need = strlen(name) + 1;

	if (w->ndirs == w->capdirs) {
		size_t cap = w->capdirs ? w->capdirs * 2 : 256;
		void *v = mem_grow(w->dirs, NULL, w->capdirs * sizeof(*w->dirs), cap * sizeof(*w->dirs));
		if (!v)
			return -1;
		w->dirs = v;
		w->capdirs = cap;
	}
	if (w->nlen + need > w->ncap || w->nlen + need > 0xffffffffu) {
		size_t cap = w->ncap ? w->ncap : 16384;
		void *v;
		while (cap < w->nlen + need)
			cap *= 2;
		if (cap > 0xffffffffu || !(v = mem_grow(w->names, NULL, w->ncap, cap))) {
			errno = ENOMEM;
			return -1;
		}
		w->names = v;
		w->ncap = cap;
	}
	memcpy(w->names + w->nlen, name, need);
	w->dirs[w->ndirs++] = (struct cgdir){ parent, (unsigned)w->nlen, 0 };
	w->nlen += need;
	return 0;
}

/* Opens directory i by walking down from the top, one name at a time. */
static int open_chain(const struct cgwalk *w, int i)
{
	int fd = openat(w->topfd, ".", O_RDONLY | O_DIRECTORY), cur = 0;

	while (fd >= 0 && cur != i) {
		int d = i, next;
		while (w->dirs[d].parent != cur) /* the next one down on the way to i */
			d = w->dirs[d].parent;
		next = openat(fd, name_of(w, d), O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = next;
		cur = d;
	}
	return fd;
}

/* The processes of one threaded cgroup: the process (Tgid) of each thread
 * in cgroup.threads. */
static int threads_pids(int fd, struct pidlist *l, size_t *zeros)
{
	struct pidlist tids;
	int r = 0;

	memset(&tids, 0, sizeof(tids));
	if (read_pids(fd, &tids, zeros) < 0)
		return -1;
	for (size_t i = 0; i < tids.n && r == 0; i++) {
		int tgid = proc_tgid(tids.v[i]);
		if (tgid < 0) {
			if (errno == ENOENT && access("/proc/self", F_OK) == 0)
				continue; /* the thread ended */
			r = -1;
		} else if (pidlist_add(l, tgid) < 0) {
			r = -1;
		}
	}
	{
		int e = errno;
		pidlist_free(&tids);
		errno = e;
	}
	return r;
}

/* The processes of the directory open at dfd. A threaded cgroup lists
 * threads only (its cgroup.procs answers EOPNOTSUPP): its processes are found
 * from them, on the walk and on every reading after it. */
static int dir_pids(struct cgwalk *w, int i, int dfd, struct pidlist *l, size_t *zeros)
{
	int fd;

	if (!w->dirs[i].threaded) {
		fd = openat(dfd, "cgroup.procs", O_RDONLY);
		if (fd >= 0 && read_pids(fd, l, zeros) == 0)
			return 0;
		if (fd < 0 || errno != EOPNOTSUPP)
			return -1;
		w->dirs[i].threaded = 1;
	}
	fd = openat(dfd, "cgroup.threads", O_RDONLY);
	if (fd >= 0 && threads_pids(fd, l, zeros) == 0)
		return 0;
	w->err_threads = 1;
	return -1;
}

int cg_dir_pids(const struct cgwalk *w, int i, struct pidlist *l)
{
	size_t zeros = 0;
	int dfd = open_chain(w, i), r;

	if (dfd < 0)
		return -1;
	r = dir_pids((struct cgwalk *)w, i, dfd, l, &zeros);
	{
		int e = errno;
		close(dfd);
		errno = e;
	}
	return r;
}

/* Reads one directory: its processes, then its subdirectories (queued). */
static int read_dir(struct cgwalk *w, int i, int dfd)
{
	static struct dents d;
	size_t before = w->pids.n;
	const char *name;
	unsigned char type;
	int err = 0;

	if (dir_pids(w, i, dfd, &w->pids, &w->outside) < 0)
		return -1;
	for (size_t k = before; k < w->pids.n; k++)
		if (pidlist_add(&w->dir, i) < 0)
			return -1;
	/* (reading the entries moves dfd's offset, which openat ignores) */
	dents_open(&d, dfd);
	while ((name = dents_next(&d, &type, &err))) {
		struct stat sb;
		if (type != DT_DIR && (type != DT_UNKNOWN ||
				       fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
				       !S_ISDIR(sb.st_mode)))
			continue;
		if (add_dir(w, i, name) < 0) {
			err = errno;
			break;
		}
	}
	errno = err;
	return err ? -1 : 0;
}

/* A subtree that could not be read: counted, the first one kept for the
 * message; the top is fatal. ENOENT below the top: removed meanwhile. */
static int unreadable(struct cgwalk *w, int i, int e)
{
	if (i == 0) {
		w->err = e;
		w->err_dir = 0;
		errno = e;
		return -1;
	}
	if (e == ENOENT)
		return 0;
	if (!w->unreadable++) {
		w->err = e;
		w->err_dir = i;
	}
	return 0;
}

int cg_walk(const char *top, struct cgwalk *w)
{
	int pfd = -1, parent = -2, lastfd = -1, last = -1;

	memset(w, 0, sizeof(*w));
	w->top = top;
	w->err_dir = -1;
	w->topfd = open(top, O_RDONLY | O_DIRECTORY);
	if (w->topfd < 0 || add_dir(w, -1, ".") < 0)
		return unreadable(w, 0, errno);
	for (size_t i = 0; i < w->ndirs; i++) {
		int p = w->dirs[i].parent, fd;
		if (p != parent) {
			/* the children of a new parent: open it (the directory just
			 * read, or by the chain from the top) */
			if (pfd >= 0)
				close(pfd);
			pfd = p < 0 ? -1 : p == last ? lastfd : open_chain(w, p);
			if (p == last)
				lastfd = -1;
			parent = p;
		}
		if (lastfd >= 0)
			close(lastfd);
		lastfd = -1;
		fd = p < 0 ? openat(w->topfd, ".", O_RDONLY | O_DIRECTORY)
		     : pfd < 0 ? -1 : openat(pfd, name_of(w, (int)i), O_RDONLY | O_DIRECTORY);
		if (fd < 0 || read_dir(w, (int)i, fd) < 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			if (unreadable(w, (int)i, e) < 0)
				break;
			continue;
		}
		lastfd = fd;
		last = (int)i;
	}
	if (pfd >= 0)
		close(pfd);
	if (lastfd >= 0)
		close(lastfd);
	if (w->err_dir == 0) {
		errno = w->err;
		return -1;
	}
	return 0;
}

const char *cg_path(const struct cgwalk *w, int i, char *buf, size_t len)
{
	static char tail[4096];
	size_t t = sizeof(tail) - 1, toplen = strlen(w->top), rl, keep;
	int cut = 0;

	tail[t] = 0;
	/* "/a/b/c": the names from i up, written backwards into the end of tail */
	for (int d = i; d > 0; d = w->dirs[d].parent) {
		const char *n = name_of(w, d);
		size_t nl = strlen(n);
		if (nl + 1 > t) {
			cut = 1;
			break;
		}
		t -= nl;
		memcpy(tail + t, n, nl);
		tail[--t] = '/';
	}
	rl = sizeof(tail) - 1 - t;
	if (!cut && toplen + rl < len) {
		fmt(buf, len, "%s%s", w->top, tail + t);
	} else {
		/* TOP/...the last part */
		keep = len > toplen + 5 ? len - toplen - 5 : 0;
		if (keep > rl)
			keep = rl;
		fmt(buf, len, "%s/...%s", w->top, tail + sizeof(tail) - 1 - keep);
	}
	return buf;
}

void cg_free(struct cgwalk *w)
{
	if (w->topfd >= 0)
		close(w->topfd);
	mem_put(w->dirs, w->capdirs * sizeof(*w->dirs));
	mem_put(w->names, w->ncap);
	pidlist_free(&w->pids);
	pidlist_free(&w->dir);
	memset(w, 0, sizeof(*w));
	w->topfd = -1;
}
