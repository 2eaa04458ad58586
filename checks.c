/* checks.c - why the kernel refuses a process (see checks.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"
#include "cli.h"
#include "fmt.h"
#include "kerndat.h"
#include "output.h"
#include "syscall_arch.h"
#include "sysinfo.h"

#define CAP_SYS_PTRACE 19
#define CAP_SYS_NICE 23

/* ---- the caller's capabilities ------------------------------------------ */

/* Read once when first needed. The kernel checks CAP_SYS_NICE with capable(),
 * in the initial user namespace: root inside `unshare -r` or a rootless
 * container does not have it there. */
static struct {
	int read;
	uint64_t eff, prm;
	int init_ns; /* 1, 0, or -1 unknown (no /proc: taken as the initial one) */
} me;

static void caps_read(void)
{
	struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };
	struct { uint32_t effective, permitted, inheritable; } data[2];

	if (me.read)
		return;
	me.read = 1;
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0) {
		me.eff = me.prm = geteuid() == 0 ? ~0ULL : 0;
	} else {
		me.eff = (uint64_t)data[1].effective << 32 | data[0].effective;
		me.prm = (uint64_t)data[1].permitted << 32 | data[0].permitted;
	}
	me.init_ns = kd_initial_userns();
}

static int have_cap(int cap)
{
	caps_read();
	return (int)((me.eff >> cap) & 1);
}

int sys_nice(void)
{
	return have_cap(CAP_SYS_NICE) && me.init_ns != 0;
}

static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill",
	"setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service",
	"net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
	"sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time",
	"sys_tty_config", "mknod", "lease", "audit_write", "audit_control",
	"setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};

/* "cap_a, cap_b, cap_c and N more" for the bits of m */
static void cap_list(uint64_t m, char *buf, size_t len)
{
	size_t o = 0;
	int shown = 0, more = 0;

	buf[0] = 0;
	for (int c = 0; c < 64; c++) {
		if (!((m >> c) & 1))
			continue;
		if (shown == 3) {
			more++;
			continue;
		}
		if (c < (int)(sizeof(cap_names) / sizeof(cap_names[0])))
			o += fmt(buf + o, len - o, "%scap_%s", shown ? ", " : "", cap_names[c]);
		else
			o += fmt(buf + o, len - o, "%scapability %d", shown ? ", " : "", c);
		shown++;
	}
	if (more)
		fmt(buf + o, len - o, " and %d more", more);
}

/* ---- what /proc tells about the process ---------------------------------- */

/* The first three ids of "Uid:"/"Gid:" in its status: real, effective, saved. */
static int status_ids(struct target *t, const char *key, unsigned long ids[3])
{
	char v[128];
	const char *p = v;

	if (proc_status(target_dir(t), key, v, sizeof(v)) < 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		unsigned long long x;
		while (*p == ' ' || *p == '\t')
			p++;
		if (dec_scan(&p, NULL, ~0UL, &x) <= 0)
			return -1;
		ids[i] = (unsigned long)x;
	}
	return 0;
}

/* "CapPrm:" (hex) */
static int status_capprm(struct target *t, uint64_t *m)
{
	char v[64];

	if (proc_status(target_dir(t), "CapPrm", v, sizeof(v)) < 0)
		return -1;
	*m = 0;
	for (const char *c = v; *c; c++) {
		int d = *c >= '0' && *c <= '9' ? *c - '0' : *c >= 'a' && *c <= 'f' ? *c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		*m = *m << 4 | (uint64_t)d;
	}
	return 0;
}

/* 1: the process is in the caller's user namespace, 0: another, -1: unknown */
static int same_userns(struct target *t)
{
	char a[64], b[64];
	ssize_t na, nb;

	na = readlink("/proc/self/ns/user", a, sizeof(a));
	nb = readlinkat(target_dir(t), "ns/user", b, sizeof(b));
	if (na <= 0 || nb <= 0)
		return -1;
	return na == nb && memcmp(a, b, (size_t)na) == 0;
}

/* Another user's process, or one outside the caller's user namespace,
 * without CAP_SYS_PTRACE where it counts: 1 with the message, else 0. */
static int perm_owner(struct target *t, const unsigned long uid[3], const unsigned long gid[3],
		      int ptrace)
{
	int same = same_userns(t);
	int mine = uid[0] == getuid() && uid[1] == getuid() && uid[2] == getuid() &&
		   gid[0] == getgid() && gid[1] == getgid() && gid[2] == getgid();

	/* from a user namespace of its own, the caller cannot even read the
	 * namespace of a process outside it; such a process shows the overflow
	 * uid 65534 when its uid is not mapped (podman --uidmap, rootless) */
	if (!ptrace && (same == 0 || (same < 0 && me.init_ns == 0 && (mine || uid[1] == 65534)))) {
		target_msg(t, "permission denied: the process is outside your user namespace "
			   "(you run in one of your own), and CAP_SYS_PTRACE in its namespace "
			   "is needed");
		return 1;
	}
	if (!ptrace && !mine) {
		target_msg(t, "permission denied: the process runs as uid %lu gid %lu and you "
			   "are uid %lu gid %lu; run as its user, or with CAP_SYS_PTRACE",
			   uid[1], gid[1], (unsigned long)getuid(), (unsigned long)getgid());
		return 1;
	}
	return 0;
}

/* The kernel's ptrace_may_access(PTRACE_MODE_READ_REALCREDS), as far as /proc
 * shows it (the third step of kernel_migrate_pages() in mm/mempolicy.c and of
 * find_mm_struct() in mm/migrate.c; __ptrace_may_access() in kernel/ptrace.c):
 * 0 allowed, 1 refused (the message says why), -1 not known. */
static int perm_check(struct target *t)
{
	unsigned long uid[3], gid[3];
	uint64_t tprm;
	struct stat sb;
	char caps[160];
	int ptrace;

	if (t->mm_pid == getpid())
		return 0;
	if (target_dir(t) < 0 || status_ids(t, "Uid", uid) < 0 || status_ids(t, "Gid", gid) < 0)
		return -1;
	caps_read();
	/* CAP_SYS_PTRACE counts in the process's user namespace: the caller's
	 * own, or any when the caller is in the initial one */
	ptrace = have_cap(CAP_SYS_PTRACE) && (me.init_ns != 0 || same_userns(t) == 1);
	if (perm_owner(t, uid, gid, ptrace))
		return 1;
	/* a process that is not dumpable has its /proc files owned by root
	 * (its files: the directory keeps the process's own uid) */
	if (!ptrace && uid[1] != 0 && fstatat(target_dir(t), "stat", &sb, 0) == 0 && sb.st_uid == 0) {
		target_msg(t, "permission denied: the process is not dumpable (setuid or setgid, "
			   "or it cleared PR_SET_DUMPABLE); CAP_SYS_PTRACE is needed");
		return 1;
	}
	if (ptrace)
		return 0;
	if (status_capprm(t, &tprm) == 0 && (tprm & ~me.prm)) {
		cap_list(tprm & ~me.prm, caps, sizeof(caps));
		target_msg(t, "permission denied: the process holds capabilities you do not "
			   "have (%s), and the kernel then requires CAP_SYS_PTRACE (in a "
			   "container: --cap-add SYS_PTRACE)", caps);
		return 1;
	}
	return 0;
}

/* Out of file descriptors (EMFILE, ENFILE): the sentence, in one place. */
static const char *fd_shortage(int e)
{
	static char why[200];
	struct rlimit rl;

	if (e == ENFILE)
		return "the system's table of open files is full (fs.file-max)";
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		fmt(why, sizeof(why), "too many open files: the limit on open files (ulimit -n) "
		    "is %llu, too low for this run", (unsigned long long)rl.rlim_cur);
	else
		fmt(why, sizeof(why), "too many open files (ulimit -n)");
	return why;
}

/* /proc/PID of a process that exists could not be opened: hidden by hidepid
 * (ENOENT: hidepid=invisible hides the processes the caller may not
 * inspect), or another reason, named. Returns the error to report (EPERM
 * for hidepid) with the message, ESRCH when there is no such process, or 0. */
static int hidden_check(struct target *t)
{
	int e;

	if (!kd_proc_ours() || target_dir(t) >= 0)
		return 0;
	if (!target_alive(t))
		return ESRCH; /* (no pidfd said so before: no such process) */
	e = t->dir_err;
	if (e == ENOENT || e == EACCES || e == 0) {
		target_msg(t, "permission denied: /proc hides the process (hidepid), as it hides "
			   "processes you may not inspect; CAP_SYS_PTRACE or its user is needed");
		return EPERM;
	}
	target_msg(t, "cannot open /proc/%d: %s", t->tgid, e == EMFILE || e == ENFILE
		   ? fd_shortage(e) : strerror(e));
	return e;
}

/* EPERM for to-nodes outside the process's cpuset: 1 with the message, 0 not
 * the cause, -1 not known. */
static int cpuset_check(struct target *t)
{
	static char list[MP_MAXNODES * 5], list2[MP_MAXNODES * 5];
	struct nodeset mems, outside;

	if (sys_nice())
		return 0;
	if (target_mems(t, &mems) < 0)
		return -1;
	if (ns_subset(&t->to, &mems))
		return 0;
	ns_andnot(&outside, &t->to, &mems);
	ns_format(&outside, list2, sizeof(list2));
	ns_format(&mems, list, sizeof(list));
	target_msg(t, "permission denied: to-nodes %s are outside the nodes the process may "
		   "use (Mems_allowed_list: %s); moving memory there needs CAP_SYS_NICE%s",
		   list2, list, have_cap(CAP_SYS_NICE) ? " in the initial user namespace (you "
		   "hold it only in a user namespace of your own)" : "");
	return 1;
}

/* EINVAL for to-nodes outside the caller's own cpuset: 1 with the message. */
static int caller_cpuset_check(struct target *t)
{
	static char list[MP_MAXNODES * 5], list2[MP_MAXNODES * 5];
	struct nodeset mems, inside;

	if (self_mems_allowed(&mems) < 0)
		return 0;
	ns_and(&inside, &t->to, &mems);
	if (ns_next(&inside, -1) >= 0)
		return 0;
	ns_format(&t->to, list, sizeof(list));
	ns_format(&mems, list2, sizeof(list2));
	target_msg(t, "to-nodes %s are all outside the nodes this process may use (its cpuset "
		   "allows %s): run it from a cpuset that includes them", list, list2);
	return 1;
}

/* Why a process has no memory to move (EINVAL after the other checks):
 * 1 with the message and t->skip set, 0 not known. */
static int no_mm_check(struct target *t)
{
	struct pstat st;

	if (proc_stat(target_mmfd(t), &st) < 0)
		return 0;
	if (st.flags & PF_KTHREAD) {
		t->skip = "a kernel thread";
		target_msg(t, "a kernel thread: it has no user memory to move");
	} else if (st.state == 'Z' || st.state == 'X') {
		t->skip = "exited (a zombie)";
		target_msg(t, "the process has exited (a zombie): its memory is gone");
	} else if (st.flags & PF_EXITING) {
		t->skip = "exiting";
		target_msg(t, "the process is exiting: its memory is going away");
	} else {
		return 0;
	}
	return 1;
}

/* EPERM: the filter, the owner, the cpuset, or else a security module. */
static void explain_eperm(struct target *t, const struct engine *eng)
{
	int perm, cpuset;

	if (!opt.dry_run && kd_seccomp_blocks(eng->call)) {
		target_msg(t, "%s was refused by a seccomp filter%s, not by the kernel: container "
			   "runtimes' default profiles block it whatever the capabilities; run "
			   "with --security-opt seccomp=unconfined or a profile that allows %s",
			   eng->call, kd_seccomp() == 2 ? " (Seccomp: 2 in /proc/self/status)" : "",
			   eng->call);
		return;
	}
	if (hidden_check(t) == EPERM || (perm = perm_check(t)) == 1 ||
	    (cpuset = cpuset_check(t)) == 1)
		return;
	if (perm == 0 && cpuset == 0)
		target_msg(t, "permission denied, although the process may be read by you and its "
			   "cpuset allows the to-nodes: probably a security module (Landlock, "
			   "AppArmor, SELinux) refused it");
	else
		target_msg(t, "permission denied: the process belongs to another user or holds "
			   "capabilities you lack (needs CAP_SYS_PTRACE), or the to-nodes are "
			   "outside its cpuset (needs CAP_SYS_NICE)");
}

void check_fail(struct target *t, int e, const struct engine *eng)
{
	if (e < 0) { /* a refusal of the engine's own: no call failed */
		t->err = 0;
		t->status = EX_FAIL;
		return;
	}
	t->err = e;
	t->status = e == ENOMEM ? EX_PARTIAL : EX_FAIL;
	if (e == ESRCH)
		t->skip = "exited";
	if (t->msg) /* a check that found it has said why */
		return;
	switch (e) {
	case ESRCH:
		target_msg(t, "no such process");
		return;
	case EPERM:
		explain_eperm(t, eng);
		return;
	case EINVAL:
		if (!caller_cpuset_check(t) && !no_mm_check(t))
			target_msg(t, "the process has no memory of its own to move (a kernel "
				   "thread, or it is exiting)");
		return;
	case EACCES:
		/* the checks passed before the move: the process may have changed
		 * since (not dumpable any more, another cpuset) */
		if (perm_check(t) != 1 && cpuset_check(t) != 1)
			target_msg(t, "denied by a security module (SELinux, AppArmor, ...)");
		return;
	case ENOSYS:
		target_msg(t, "this kernel has no page migration (it needs CONFIG_NUMA and "
			   "CONFIG_MIGRATION), or this environment does not provide %s",
			   eng->call);
		return;
	case ENOMEM:
		target_msg(t, "the to-nodes ran out of free memory: part of the pages moved, "
			   "the rest stayed where they were");
		return;
	case EMFILE:
	case ENFILE:
		target_msg(t, "%s", fd_shortage(e));
		return;
	default:
		target_msg(t, "%s failed: %s", eng->call, strerror(e));
		return;
	}
}

void check_exited(struct target *t, const struct engine *eng)
{
	struct pstat st;

	if (proc_stat(target_dir(t), &st) == 0 && (st.state == 'Z' || st.state == 'X'))
		check_fail(t, EINVAL, eng);
	else
		check_fail(t, ESRCH, eng);
}

int check_live_thread(struct target *t)
{
	struct pstat st;
	int e = errno, tid;

	if (t->mm_pid != t->tgid || proc_stat(target_dir(t), &st) < 0 || st.state != 'Z' ||
	    (tid = live_thread(target_dir(t), t->tgid)) < 0) {
		errno = e;
		return 0;
	}
	target_use_thread(t, tid);
	target_note(t, "its main thread has exited; moved through thread %d", tid);
	errno = e;
	return 1;
}

int check_node_rules(struct target *t)
{
	if (cpuset_check(t) == 1)
		return EPERM;
	if (caller_cpuset_check(t))
		return EINVAL;
	return 0;
}

/* Without a /proc of this pid namespace: what can still be known. */
static int predict_without_proc(struct target *t, const struct engine *e)
{
	int r;

	target_note(t, "%s: permissions and the process's cpuset were not checked",
		    kd_proc_problem());
	if (caller_cpuset_check(t))
		return EINVAL;
	if (e->refuses && (r = e->refuses(t)) != 0)
		return r;
	return 0;
}

int check_predict(struct target *t, const struct engine *e)
{
	int r;

	/* 1. the process exists (its pidfd, or kill() without one) */
	if (t->gone)
		return ESRCH;
	if (!kd_proc_ours())
		return predict_without_proc(t, e);
	if ((r = hidden_check(t)) != 0)
		return r;
	check_live_thread(t); /* a main thread that exited: asked through a live one */
	/* 3. ptrace_may_access */
	if ((r = perm_check(t)) == 1)
		return EPERM;
	if (r < 0)
		target_note(t, "permission not checked: the status of process %d could not be "
			    "read", t->tgid);
	/* 4. to-nodes within the process's cpuset, or CAP_SYS_NICE */
	if ((r = cpuset_check(t)) == 1)
		return EPERM;
	if (r < 0)
		target_note(t, "the process's cpuset was not checked: the status of process %d "
			    "could not be read", t->tgid);
	/* 5. to-nodes within the caller's cpuset; 7. a process with memory */
	if (caller_cpuset_check(t) || no_mm_check(t))
		return EINVAL;
	if (e->refuses && (r = e->refuses(t)) != 0)
		return r;
	/* 6. security modules, and a seccomp filter on this process, are known
	 * only by asking */
	if (kd_seccomp() == 2)
		target_note(t, "a seccomp filter is installed on this process: whether it allows "
			    "%s is not known without calling it", e->call);
	return 0;
}

const char *left_reason(void)
{
	if (sys_nice())
		return "pages in use, or allocated there since the call";
	if (have_cap(CAP_SYS_NICE))
		return "pages shared with other processes, which move only with CAP_SYS_NICE in "
		       "the initial user namespace (you hold it in a user namespace only)";
	return "pages shared with other processes, which move only with CAP_SYS_NICE";
}
