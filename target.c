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
	if (!proc_is_ours() || (t->gone && t->pidfd < 0)) /* (no such process) */
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
	if (t->pidfd < 0 && (errno == EINVAL || errno == ENOENT) && proc_is_ours()) {
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

int target_alive(struct target *t)
{
	struct pstat st;

	if (t->gone)
		return 0;
	if (t->pidfd >= 0) {
		struct pollfd p = { t->pidfd, POLLIN, 0 };
		if (poll(&p, 1, 0) == 1)
			t->gone = 1;
	} else if (target_dir(t) >= 0) {
		if (proc_stat(t->dirfd, &st) < 0 || st.state == 'Z' || st.state == 'X')
			t->gone = 1;
	} else if (kill(t->tgid, 0) < 0 && errno == ESRCH) {
		t->gone = 1;
	}
	return !t->gone;
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
