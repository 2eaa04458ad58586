/* target.c - holding a process by handles (see target.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "kerndat.h"
#include "mem.h"
#include "output.h"
#include "syscall_arch.h"
#include "sysinfo.h"
#include "target.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open -1 /* ENOSYS: no guard against pid reuse but /proc's */
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal -1
#endif

static struct arena batch;

static int pidfd_open(int pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

#define DIR_UNOPENED (-3)

/* /proc/TGID, kept only when the pidfd shows the process not yet reaped
 * after it was opened: a pid is not reused before that, so the directory is
 * that process's. */
static void open_dir(struct target *t)
{
	char path[32];

	t->dirfd = -1;
	if (!kd_proc_ours() || (t->gone && t->pidfd < 0)) /* (no such process) */
		return;
	fmt(path, sizeof(path), "/proc/%d", t->tgid);
	t->dirfd = open(path, O_RDONLY | O_DIRECTORY);
	t->dir_err = t->dirfd < 0 ? errno : 0;
	if (t->dirfd >= 0 && t->pidfd >= 0 &&
	    syscall(SYS_pidfd_send_signal, t->pidfd, 0, NULL, 0) < 0 && errno == ESRCH) {
		close(t->dirfd); /* reaped meanwhile: the number may name another */
		t->dirfd = -1;
		t->gone = 1;
	}
}

void target_open(struct target *t, int pid, int cgdir)
{
	memset(t, 0, sizeof(*t));
	t->pid = t->tgid = t->mm_pid = pid;
	t->pidfd = t->dirfd = t->mmfd = -1;
	t->cgdir = cgdir;
	t->pidfd = pidfd_open(pid);
	if (t->pidfd < 0 && (errno == EINVAL || errno == ENOENT) && kd_proc_ours()) {
		/* a thread id (pidfd_open takes processes: EINVAL, or ENOENT
		 * since Linux 6.9): its process */
		int tg = proc_tgid(pid);
		if (tg > 0) {
			t->tgid = t->mm_pid = tg;
			t->pidfd = pidfd_open(tg);
		}
	}
	if (t->pidfd < 0 && errno == ESRCH)
		t->gone = 1;
	t->dirfd = DIR_UNOPENED;
}

int target_dir(struct target *t)
{
	if (t->dirfd == DIR_UNOPENED)
		open_dir(t);
	return t->dirfd;
}

void target_close(struct target *t)
{
	if (t->pidfd >= 0)
		close(t->pidfd);
	if (t->dirfd >= 0)
		close(t->dirfd);
	if (t->mmfd >= 0)
		close(t->mmfd);
	t->pidfd = t->dirfd = t->mmfd = -1;
}

int target_mmfd(struct target *t)
{
	return t->mmfd >= 0 ? t->mmfd : target_dir(t);
}

void target_use_thread(struct target *t, int tid)
{
	char task[32];

	t->mm_pid = tid;
	fmt(task, sizeof(task), "task/%d", tid);
	if (t->mmfd >= 0)
		close(t->mmfd);
	t->mmfd = target_dir(t) < 0 ? -1 : openat(t->dirfd, task, O_RDONLY | O_DIRECTORY);
}

/* Has the process exited (its pidfd; else its /proc directory, when open;
 * else kill(0))? Opens nothing, so the mover's workers may ask at once. */
static int exited_now(const struct target *t)
{
	struct pstat st;

	if (t->pidfd >= 0) {
		struct pollfd p = { t->pidfd, POLLIN, 0 };
		return poll(&p, 1, 0) == 1;
	}
	if (t->dirfd >= 0)
		return proc_stat(t->dirfd, &st) < 0 || st.state == 'Z' || st.state == 'X';
	return kill(t->tgid, 0) < 0 && errno == ESRCH;
}

/* Exited and reaped: its number may have been given to a new process. */
static int reaped(const struct target *t)
{
	struct pstat st;

	if (t->pidfd >= 0)
		return syscall(SYS_pidfd_send_signal, t->pidfd, 0, NULL, 0) < 0 && errno == ESRCH;
	if (t->dirfd >= 0)
		return proc_stat(t->dirfd, &st) < 0;
	return 1; /* (kill(0) said ESRCH, or now names another process) */
}

int target_alive(struct target *t)
{
	if (__atomic_load_n(&t->gone, __ATOMIC_RELAXED))
		return 0;
	if (t->pidfd < 0)
		target_dir(t);
	if (exited_now(t))
		__atomic_store_n(&t->gone, 1, __ATOMIC_RELAXED);
	return !__atomic_load_n(&t->gone, __ATOMIC_RELAXED);
}

/* Some process holds the number now (kill(0) answers for it, or refuses). */
static int number_taken(int pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* After a call that named the process by number: when it has been reaped
 * since and a process holds the number now, the call may have reached that
 * successor (no check made before a call closes that window); the pipeline
 * reports it (target_settle). When the number names no process after the
 * call, any process the call could have reached has exited too: no living
 * process was touched, and the target is one that exited during the move. */
static void after_call(struct target *t, long r)
{
	int e = errno;

	if (exited_now(t)) {
		__atomic_store_n(&t->gone, 1, __ATOMIC_RELAXED);
		/* (ESRCH: the number named no process; the call reached none) */
		if (!(r < 0 && e == ESRCH) && reaped(t) && number_taken(t->mm_pid))
			__atomic_store_n(&t->successor, 1, __ATOMIC_RELAXED);
	}
	errno = e;
}

long target_migrate_pages(struct target *t, const struct nodeset *from, const struct nodeset *to)
{
	int high = ns_last(from) > ns_last(to) ? ns_last(from) : ns_last(to);
	long r;

	if (!target_alive(t)) {
		errno = ESRCH;
		return -1;
	}
	r = syscall(SYS_migrate_pages, t->mm_pid, ns_maxnode(high), from->w, to->w);
	after_call(t, r);
	return r;
}

long target_move_pages(struct target *t, unsigned long n, const unsigned long *pages,
		       const int *nodes, int *status, int flags)
{
	long r;

	if (__atomic_load_n(&t->gone, __ATOMIC_RELAXED) || exited_now(t)) {
		__atomic_store_n(&t->gone, 1, __ATOMIC_RELAXED);
		errno = ESRCH;
		return -1;
	}
	r = syscall(SYS_move_pages, t->mm_pid, n, pages, nodes, status, flags);
	after_call(t, r);
	return r;
}

void target_settle(struct target *t)
{
	if (!t->successor)
		return;
	t->status = EX_FAIL;
	t->err = ESRCH;
	t->skip = NULL;
	t->before = t->after = NULL;
	target_msg(t, "the process exited during a call that named its pid: the call may have "
		   "reached a new process given the same pid, and what it moved is not known");
}

int target_mems(struct target *t, struct nodeset *out)
{
	return proc_mems(target_dir(t), out);
}

static struct nodeset caller_mems;
static int caller_mems_known;

void target_set_caller_mems(const struct nodeset *mems)
{
	caller_mems_known = mems != NULL;
	if (mems)
		caller_mems = *mems;
}

int target_plan(const struct target *t, struct mig_step steps[MP_MAXNODES])
{
	struct nodeset eff = t->to;

	if (caller_mems_known)
		ns_and(&eff, &t->to, &caller_mems);
	return mig_plan(&t->from, ns_next(&eff, -1) < 0 ? &t->to : &eff, steps);
}

static const char *keep(const char *f, va_list ap)
{
	static char scratch[12 * 1024];
	const char *s;

	fmt_v(scratch, sizeof(scratch), f, ap);
	s = arena_strdup(&batch, scratch);
	return s ? s : "(no memory left for this message)";
}

void target_msg(struct target *t, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	t->msg = keep(f, ap);
	va_end(ap);
}

void target_note(struct target *t, const char *f, ...)
{
	static char joined[12 * 1024];
	va_list ap;
	const char *n;

	va_start(ap, f);
	n = keep(f, ap);
	va_end(ap);
	if (t->note) { /* notes add up: "first; second" */
		fmt(joined, sizeof(joined), "%s; %s", t->note, n);
		n = arena_strdup(&batch, joined);
	}
	if (n)
		t->note = n;
}

void *target_alloc(size_t bytes)
{
	return arena_alloc(&batch, bytes);
}

uint64_t *target_nodes(int n)
{
	return arena_alloc(&batch, (size_t)n * sizeof(uint64_t));
}

void target_batch_reset(void)
{
	arena_reset(&batch);
}
