/* migratepages - move the memory of running processes between NUMA nodes.
 *
 * A static, dependency-free replacement for numactl's migratepages: the node
 * lists are checked against the system's nodes, the kernel's answer is turned
 * into a sentence, and --verbose/--json show memory per node before and after.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include "bitmap.h"
#include "fmt.h"
#include "syscall_arch.h"
#include "sysinfo.h"

#define VERSION "1.0.0"

/* Exit statuses (man page, EXIT STATUS). With several targets the worst one
 * wins, in this order: EX_FAIL, then EX_PARTIAL, then EX_OK. */
enum { EX_OK = 0, EX_FAIL = 1, EX_PARTIAL = 2 };

static const char usage_text[] =
"Usage: migratepages [OPTIONS] PID[,PID...] FROM-NODES TO-NODES\n"
"       migratepages [OPTIONS] --cgroup DIR FROM-NODES TO-NODES\n"
"\n"
"Move the memory of running processes from one set of NUMA nodes to another,\n"
"keeping their virtual addresses (migrate_pages(2)).\n"
"\n"
"Options:\n"
"  -v, --verbose     show the node mapping, memory per node before and after,\n"
"                    and the time the migration took\n"
"  -n, --dry-run     check everything and show what would move; move nothing\n"
"      --json        one JSON object per process on stdout\n"
"      --cgroup DIR  every process listed in DIR/cgroup.procs\n"
"  -h, --help        show this help and exit\n"
"  -V, --version     show the version and exit\n"
"\n"
"Node lists: all, N, A-B and comma lists of them (0,2-3). !LIST means every\n"
"node except LIST; +LIST counts within the nodes the process may use.\n"
"A list may end with the node of a device: netdev:DEV, pci:ADDR, block:DEV,\n"
"file:PATH (the block device holding it) or ip:ADDR (the interface that\n"
"routes to it), as in 0,netdev:eth0 or !pci:0000:80:00.0.\n"
"Several nodes on each side keep their order: 0-1 -> 2-3 moves 0->2, 1->3.\n"
"\n"
"Exit status: 0 everything moved; 2 the migration ran but some pages were\n"
"not moved; 1 any other error (nothing was changed).\n";

static struct {
	int verbose, dry_run, json;
	const char *cgroup;
} opt;

/* ---- output, without stdio ---------------------------------------------
 * stdout goes through a buffer that is flushed before anything is written to
 * stderr (so that the two stay in order) and at exit, where a failed write is
 * an error; stderr is written a line at a time. */

static char obuf[4096];
static size_t olen;
static int oerr; /* the errno of the first failed write to stdout */

static void write_all(int fd, const char *s, size_t n, int *errp)
{
	while (n) {
		ssize_t r = write(fd, s, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (errp && !*errp)
				*errp = r < 0 ? errno : EIO;
			return;
		}
		s += r;
		n -= (size_t)r;
	}
}

static void out_flush(void)
{
	write_all(1, obuf, olen, &oerr);
	olen = 0;
}

static void out_mem(const char *s, size_t n)
{
	if (olen + n > sizeof(obuf)) {
		out_flush();
		if (n > sizeof(obuf)) {
			write_all(1, s, n, &oerr);
			return;
		}
	}
	memcpy(obuf + olen, s, n);
	olen += n;
}

static void out_char(char c)
{
	out_mem(&c, 1);
}

static char line[16 * 1024];

__attribute__((format(printf, 1, 2)))
static void out(const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = fmt_v(line, sizeof(line), f, ap);
	va_end(ap);
	out_mem(line, n < sizeof(line) ? n : sizeof(line) - 1);
}

/* One line on stderr: "migratepages: " TEXT "\n". */
__attribute__((format(printf, 1, 2)))
static void say(const char *f, ...)
{
	static const char prefix[] = "migratepages: ";
	const size_t pl = sizeof(prefix) - 1;
	va_list ap;
	size_t n;

	out_flush();
	memcpy(line, prefix, pl);
	va_start(ap, f);
	n = fmt_v(line + pl, sizeof(line) - pl - 1, f, ap);
	va_end(ap);
	if (n > sizeof(line) - pl - 2)
		n = sizeof(line) - pl - 2;
	line[pl + n] = '\n';
	write_all(2, line, pl + n + 1, NULL);
}

static const char try_help[] = "Try 'migratepages --help' for more information.\n";

__attribute__((format(printf, 1, 2), noreturn))
static void die_usage(const char *f, ...)
{
	static char msg[4096];
	va_list ap;

	va_start(ap, f);
	fmt_v(msg, sizeof(msg), f, ap);
	va_end(ap);
	say("%s", msg);
	write_all(2, try_help, sizeof(try_help) - 1, NULL);
	exit(EX_FAIL);
}

static int finish(int status)
{
	out_flush();
	if (oerr) {
		say("cannot write to standard output: %s", strerror(oerr));
		return EX_FAIL;
	}
	return status;
}

/* ---- system calls ---------------------------------------------------- */

#define CAP_SYS_PTRACE 19
#define CAP_SYS_NICE 23

static int have_cap(int cap)
{
	struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };
	struct { uint32_t effective, permitted, inheritable; } data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return geteuid() == 0;
	return (int)((data[cap / 32].effective >> (cap % 32)) & 1);
}

/* The mask covers the highest node named, rounded up to whole 64-bit words
 * (a 32-bit kernel reads the same bits); maxnode is that bit count + 1,
 * because the kernel reads maxnode - 1 bits. */
static long call_migrate(int pid, const struct nodeset *from, const struct nodeset *to)
{
	int high = ns_last(from) > ns_last(to) ? ns_last(from) : ns_last(to);
	unsigned long bits = ((unsigned long)high / 64 + 1) * 64;

	return syscall(SYS_migrate_pages, pid, bits + 1, from->w, to->w);
}

/* A real kernel answers this with EINVAL (4.16+) or 0, never EPERM; EPERM
 * can only come from a seccomp filter. It changes nothing. */
static int seccomp_blocks(void)
{
	return syscall(SYS_migrate_pages, 0, 0UL, NULL, NULL) < 0 && errno == EPERM;
}

/* ---- parsing the command line ------------------------------------------ */

/* A process id: decimal, 1..INT_MAX, nothing else. */
static int parse_pid(const char *s, size_t len, int *pid, const char *whole)
{
	const char *why = NULL;
	long long v = 0;
	char shown[64];

	fmt(shown, sizeof(shown), "%.*s%s", (int)(len > 40 ? 40 : len), s, len > 40 ? "..." : "");
	for (size_t i = 0; shown[i]; i++)
		if ((unsigned char)shown[i] < 0x20 || (unsigned char)shown[i] >= 0x7f)
			shown[i] = '?';
	if (len == 0)
		why = strcmp(whole, "") == 0 ? "empty process id" : "empty process id in the list";
	for (size_t i = 0; !why && i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			why = "not a decimal process id";
		else if ((v = v * 10 + (s[i] - '0')) > 0x7fffffff)
			why = "out of range (1-2147483647)";
	}
	if (!why && s[0] == '0')
		why = len == 1 ? "0 is not a process id (1-2147483647)"
			       : "leading zero (process ids are decimal)";
	if (why) {
		say("pid: '%s': %s", shown, why);
		return -1;
	}
	*pid = (int)v;
	return 0;
}

static int parse_pid_list(const char *arg, struct pidlist *l)
{
	for (const char *p = arg;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		int pid;
		if (parse_pid(p, len, &pid, arg) < 0)
			return -1;
		if (pidlist_add(l, pid) < 0) {
			say("%s", strerror(errno));
			return -1;
		}
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* ---- reporting --------------------------------------------------------- */

/* Bytes in binary units with one decimal ("1.5 GiB"), in integer arithmetic. */
static const char *human(uint64_t b, char *buf, size_t len)
{
	static const char unit[][4] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	uint64_t whole, tenths;

	while (u < 6 && b >> (10 * (u + 1)))
		u++;
	if (u == 0) {
		fmt(buf, len, "%llu B", (unsigned long long)b);
		return buf;
	}
	whole = b >> (10 * u);
	tenths = ((b & ((1ULL << (10 * u)) - 1)) * 10 + (1ULL << (10 * u - 1))) >> (10 * u);
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	fmt(buf, len, "%llu.%llu %s", (unsigned long long)whole,
		 (unsigned long long)tenths, unit[u]);
	return buf;
}

/* A JSON string. Messages show what a user typed with \xNN for anything
 * outside printable ASCII (quote_n in bitmap.c), so only ASCII arrives here;
 * a byte above 0x7e would still come out as valid JSON (\u00XX). */
static void json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	out_char('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			out("\\%c", *s);
		else if (*s < 0x20 || *s >= 0x7f)
			out("\\u%04x", *s);
		else
			out_char((char)*s);
	}
	out_char('"');
}

static void json_nodes(const struct nodeset *s)
{
	const char *sep = "";
	out_char('[');
	for (int n = ns_next(s, -1); n >= 0; n = ns_next(s, n), sep = ",")
		out("%s%d", sep, n);
	out_char(']');
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ESRCH: return "ESRCH";
	case EINVAL: return "EINVAL";
	case EACCES: return "EACCES";
	case ENOSYS: return "ENOSYS";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	default: return "EOTHER";
	}
}

/* Everything known about one target, for the report. The large parts live
 * apart (struct bulk), so that starting the next target clears only the small
 * fields and a plain run touches none of the large ones. */
struct target {
	int pid;
	struct nodeset from, to;
	int nsteps;
	long not_moved;         /* the kernel's count of pages it could not move */
	uint64_t left;          /* bytes still on nodes the migration should empty */
	struct nodeset left_on;
	uint64_t ns;            /* how long migrate_pages took */
	int status;             /* EX_* */
	int err;                /* errno, or 0 */
	int resolved;           /* from/to are known */
	struct mig_step *steps; /* the kernel's plan, nsteps long */
	struct usage *before, *after;
	char *msg;              /* the error or warning sentence, "" if none */
};

#define MSG_LEN ((size_t)12 * 1024) /* node lists in a message can be long */
static struct bulk {
	struct mig_step steps[MP_MAXNODES];
	struct usage before, after;
	char msg[MSG_LEN];
} bulk;

static void target_start(struct target *t, int pid)
{
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->steps = bulk.steps;
	t->before = &bulk.before;
	t->after = &bulk.after;
	t->before->valid = t->after->valid = 0;
	t->msg = bulk.msg;
	t->msg[0] = 0;
}

static void mapping_text(const struct target *t, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = 0;
	for (int s = ns_next(&t->from, -1); s >= 0 && o < len; s = ns_next(&t->from, s)) {
		int d = mig_final(t->steps, t->nsteps, s);
		if (d == s)
			o += (size_t)fmt(buf + o, len - o, "%s%d stays", o ? ", " : "", s);
		else
			o += (size_t)fmt(buf + o, len - o, "%s%d->%d", o ? ", " : "", s, d);
	}
}

/* The nodes a report shows: from, to, and any node holding memory. */
static void report_nodes(const struct target *t, struct nodeset *rows)
{
	for (size_t i = 0; i < MP_WORDS; i++)
		rows->w[i] = t->from.w[i] | t->to.w[i];
	for (int n = 0; n < MP_MAXNODES; n++)
		if ((t->before->valid && t->before->bytes[n]) || (t->after->valid && t->after->bytes[n]))
			ns_add(rows, n);
}

static void json_usage(const char *key, const struct usage *u, const struct nodeset *rows)
{
	const char *sep = "";
	out(",\"%s\":", key);
	if (!u->valid) {
		out("null");
		return;
	}
	out_char('{');
	for (int n = ns_next(rows, -1); n >= 0; n = ns_next(rows, n), sep = ",")
		out("%s\"%d\":%llu", sep, n, (unsigned long long)u->bytes[n]);
	out_char('}');
}

static void report_json(const struct target *t, int numa_balancing)
{
	static const char *status[] = { "ok", "error", "partial" };
	struct nodeset rows;
	const char *sep = "";

	ns_clear(&rows);
	out("{\"pid\":%d,\"status\":\"%s\",\"dry_run\":%s", t->pid,
	       opt.dry_run && t->status == EX_OK ? "dry-run" : status[t->status],
	       opt.dry_run ? "true" : "false");
	if (t->resolved) {
		report_nodes(t, &rows);
		out(",\"from\":");
		json_nodes(&t->from);
		out(",\"to\":");
		json_nodes(&t->to);
		out(",\"mapping\":[");
		for (int s = ns_next(&t->from, -1); s >= 0; s = ns_next(&t->from, s), sep = ",")
			out("%s[%d,%d]", sep, s, mig_final(t->steps, t->nsteps, s));
		out_char(']');
	}
	json_usage("before", t->before, &rows);
	json_usage("after", t->after, &rows);
	out(",\"not_moved\":%ld,\"left_bytes\":%llu,\"seconds\":%llu.%06llu",
	       t->not_moved, (unsigned long long)t->left,
	       (unsigned long long)(t->ns / 1000000000u),
	       (unsigned long long)(t->ns % 1000000000u / 1000u));
	out(",\"numa_balancing\":%s", numa_balancing ? "true" : "false");
	out(",\"error\":");
	if (t->err || t->msg[0]) {
		out("{\"errno\":");
		if (t->err)
			json_str(errno_name(t->err));
		else
			out("null");
		out(",\"message\":");
		json_str(t->msg);
		out_char('}');
	} else {
		out("null");
	}
	out("}\n");
}

static void report_text(const struct target *t)
{
	struct nodeset rows;
	char map[MP_MAXNODES * 12], a[48], b[48];

	if (!t->resolved || t->status == EX_FAIL)
		return; /* a target that failed has its one line on stderr */
	ns_clear(&rows);
	report_nodes(t, &rows);
	mapping_text(t, map, sizeof(map));
	out("pid %d: %s%s\n", t->pid, map, opt.dry_run ? " (dry run: nothing moved)" : "");
	if (opt.dry_run) {
		if (!t->before->valid)
			return;
		out("  %5s %12s\n", "node", "now");
		for (int n = ns_next(&rows, -1); n >= 0; n = ns_next(&rows, n))
			out("  %5d %12s\n", n, human(t->before->bytes[n], a, sizeof(a)));
		out("  %5s %12s\n", "total", human(t->before->total, a, sizeof(a)));
		return;
	}
	if (t->before->valid || t->after->valid) {
		out("  %5s %12s %12s\n", "node", "before", "after");
		for (int n = ns_next(&rows, -1); n >= 0; n = ns_next(&rows, n))
			out("  %5d %12s %12s\n", n,
			       t->before->valid ? human(t->before->bytes[n], a, sizeof(a)) : "?",
			       t->after->valid ? human(t->after->bytes[n], b, sizeof(b)) : "?");
		out("  %5s %12s %12s\n", "total",
		       t->before->valid ? human(t->before->total, a, sizeof(a)) : "?",
		       t->after->valid ? human(t->after->total, b, sizeof(b)) : "?");
	}
	if (t->err == 0 || t->err == ENOMEM)
		out("  migrate_pages took %llu.%03llu s\n",
		       (unsigned long long)(t->ns / 1000000000u),
		       (unsigned long long)(t->ns % 1000000000u / 1000000u));
}

/* ---- why the kernel said no ------------------------------------------------ */

/* The first three ids of "Uid:"/"Gid:" in /proc/PID/status: real, effective, saved. */
static int status_uids(int pid, const char *key, unsigned long ids[3])
{
	char v[128], *p = v;
	if (proc_status(pid, key, v, sizeof(v)) < 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			return -1;
		for (ids[i] = 0; *p >= '0' && *p <= '9'; p++)
			ids[i] = ids[i] * 10 + (unsigned long)(*p - '0');
	}
	return 0;
}

static void explain(struct target *t, int e)
{
	static char list[MP_MAXNODES * 5], list2[MP_MAXNODES * 5];
	char v[64];
	size_t n = MSG_LEN;
	struct nodeset mems, outside;
	unsigned long uid[3], gid[3];

	t->err = e;
	t->status = EX_FAIL;
	switch (e) {
	case ESRCH:
		fmt(t->msg, n, "no such process");
		return;
	case EPERM:
		if (!opt.dry_run && seccomp_blocks()) {
			fmt(t->msg, n,
				 "migrate_pages was refused by a seccomp filter%s, not by the kernel: "
				 "container runtimes' default profiles block it whatever the "
				 "capabilities; run with --security-opt seccomp=unconfined or a "
				 "profile that allows migrate_pages",
				 proc_status(0, "Seccomp", v, sizeof(v)) == 0 && strcmp(v, "2") == 0
					 ? " (Seccomp: 2 in /proc/self/status)" : "");
			return;
		}
		if (!have_cap(CAP_SYS_PTRACE) && status_uids(t->pid, "Uid", uid) == 0 &&
		    status_uids(t->pid, "Gid", gid) == 0 &&
		    (uid[0] != getuid() || uid[1] != getuid() || uid[2] != getuid() ||
		     gid[0] != getgid() || gid[1] != getgid() || gid[2] != getgid())) {
			fmt(t->msg, n,
				 "permission denied: the process runs as uid %lu gid %lu and you are "
				 "uid %lu gid %lu; run as its user, or with CAP_SYS_PTRACE",
				 uid[1], gid[1], (unsigned long)getuid(), (unsigned long)getgid());
			return;
		}
		if (!have_cap(CAP_SYS_NICE) && proc_status(t->pid, "Mems_allowed_list", list,
							    sizeof(list)) == 0 &&
		    ns_read_list(list, strlen(list), &mems) == 0 && !ns_subset(&t->to, &mems)) {
			ns_andnot(&outside, &t->to, &mems);
			ns_format(&outside, list2, sizeof(list2));
			fmt(t->msg, n,
				 "permission denied: to-nodes %s are outside the nodes the process may "
				 "use (Mems_allowed_list: %s); moving memory there needs CAP_SYS_NICE",
				 list2, list);
			return;
		}
		if (!have_cap(CAP_SYS_PTRACE) && status_uids(t->pid, "Uid", uid) == 0) {
			fmt(t->msg, n,
				 "permission denied: the process is not dumpable (setuid, or it "
				 "cleared PR_SET_DUMPABLE); CAP_SYS_PTRACE is needed");
			return;
		}
		fmt(t->msg, n,
			 "permission denied: the process belongs to another user (needs "
			 "CAP_SYS_PTRACE) or the to-nodes are outside its cpuset (needs "
			 "CAP_SYS_NICE)");
		return;
	case EINVAL:
		if (self_mems_allowed(&mems) == 0) {
			ns_and(&outside, &t->to, &mems);
			if (ns_next(&outside, -1) < 0) {
				ns_format(&t->to, list, sizeof(list));
				ns_format(&mems, list2, sizeof(list2));
				fmt(t->msg, n,
					 "to-nodes %s are all outside the nodes this process may use "
					 "(its cpuset allows %s): run it from a cpuset that includes them",
					 list, list2);
				return;
			}
		}
		fmt(t->msg, n, "the process has no memory of its own to move (a kernel "
			 "thread, or it is exiting)");
		return;
	case EACCES:
		fmt(t->msg, n, "denied by a security module (SELinux, AppArmor, ...)");
		return;
	case ENOSYS:
		fmt(t->msg, n, "this kernel has no page migration (it needs CONFIG_NUMA and "
			 "CONFIG_MIGRATION), or this environment does not provide migrate_pages");
		return;
	case ENOMEM:
		t->status = EX_PARTIAL;
		fmt(t->msg, n, "the to-nodes ran out of free memory: part of the pages moved, "
			 "the rest stayed where they were");
		return;
	default:
		fmt(t->msg, n, "migrate_pages failed: %s", strerror(e));
		return;
	}
}

/* ---- one target --------------------------------------------------------------- */

struct plan {
	const char *from_text, *to_text;
	struct nodespec from_spec, to_spec;
	struct topology topo;
	struct nodeset caller_mems;   /* the kernel ANDs to-nodes with these */
	int caller_mems_known;
	int sys_nice;
	int cgroup_mode;
	int numa_balancing;
};

static void resolve(const struct plan *pl, struct target *t, char *err, size_t errlen)
{
	struct nodeset allowed;
	char list[MP_MAXNODES * 5];
	int have_allowed = 0;
	struct nodectx ctx = { 0, &pl->topo.online, &pl->topo.memory, NULL, t->pid,
			       device_node };

	if ((pl->from_spec.relative || pl->to_spec.relative) &&
	    proc_status(t->pid, "Mems_allowed_list", list, sizeof(list)) == 0 &&
	    ns_read_list(list, strlen(list), &allowed) == 0)
		have_allowed = 1;
	if (have_allowed)
		ctx.allowed = &allowed;
	if (nodespec_resolve("from-nodes", pl->from_text, &pl->from_spec, &ctx, &t->from,
			     err, errlen) < 0)
		return;
	ctx.to = 1;
	if (nodespec_resolve("to-nodes", pl->to_text, &pl->to_spec, &ctx, &t->to,
			     err, errlen) < 0)
		return;
	t->resolved = 1;
}

static void migrate_one(const struct plan *pl, struct target *t)
{
	struct nodeset effective_to, drained;
	struct timespec t0, t1;
	int want_after = opt.verbose || opt.json || !pl->sys_nice;
	long r;

	/* describe what the kernel will do: it maps onto to-nodes within the
	 * caller's cpuset */
	effective_to = t->to;
	if (pl->caller_mems_known)
		ns_and(&effective_to, &t->to, &pl->caller_mems);
	if (ns_next(&effective_to, -1) < 0)
		effective_to = t->to;
	t->nsteps = mig_plan(&t->from, &effective_to, t->steps);

	if ((opt.verbose || opt.json || opt.dry_run) && proc_usage(t->pid, t->before) < 0 &&
	    opt.dry_run) {
		/* a dry run has no kernel answer: say what reading the process said */
		if (errno == ENOENT && access("/proc/self", F_OK) == 0)
			explain(t, ESRCH);
		else if (errno == EACCES || errno == EPERM)
			explain(t, EPERM);
		return;
	}
	if (opt.dry_run)
		return;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = call_migrate(t->pid, &t->from, &t->to);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	t->ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u + (uint64_t)t1.tv_nsec -
		(uint64_t)t0.tv_nsec;

	if (r < 0) {
		explain(t, errno);
		if (t->err != ENOMEM)
			return;
		want_after = 1; /* say how much stayed behind */
	} else if (r > 0) {
		t->not_moved = r;
		t->status = EX_PARTIAL;
		fmt(t->msg, MSG_LEN, "%ld page%s could not be moved", r,
			 r == 1 ? "" : "s");
	}
	if (!want_after || proc_usage(t->pid, t->after) < 0)
		return;
	/* Pages still on a node the kernel's plan empties did not move: shared
	 * pages without CAP_SYS_NICE (the kernel does not count those), pages in
	 * use, pages the to-nodes had no room for, or pages allocated there since. */
	mig_drained(t->steps, t->nsteps, &drained);
	ns_clear(&t->left_on);
	for (int n = ns_next(&drained, -1); n >= 0; n = ns_next(&drained, n)) {
		if (t->after->bytes[n]) {
			t->left += t->after->bytes[n];
			ns_add(&t->left_on, n);
		}
	}
	if (t->left && (t->status == EX_OK || t->err == ENOMEM)) {
		char h[48], list[MP_MAXNODES * 5];
		unsigned long page = getauxval(AT_PAGESZ);
		t->status = EX_PARTIAL;
		ns_format(&t->left_on, list, sizeof(list));
		fmt(t->msg, MSG_LEN, "%s%s (%llu pages) could not be moved and stayed on "
			 "node%s %s (%s)",
			 t->err == ENOMEM ? "the to-nodes ran out of free memory: " : "",
			 human(t->left, h, sizeof(h)),
			 (unsigned long long)(t->left / (uint64_t)(page ? page : 4096)),
			 ns_count(&t->left_on) > 1 ? "s" : "", list,
			 t->err == ENOMEM ? "the rest moved"
			 : pl->sys_nice ? "pages in use, or allocated there since"
			 : "pages shared with other processes move only with CAP_SYS_NICE");
	}
}

/* ---- main -------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *pos[3];
	int npos = 0, only_pos = 0, worst = EX_OK, fixed;
	static struct pidlist pids;
	static char err[12 * 1024];
	char v[16];
	static struct plan pl;
	static struct target t;
	struct nodeset from, to;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == 0) {
			if (npos == 3)
				die_usage("too many arguments (from '%s' on)", a);
			pos[npos++] = a;
		} else if (strcmp(a, "--") == 0) {
			only_pos = 1;
		} else if (a[1] == '-') {
			if (strcmp(a, "--help") == 0) {
				out_mem(usage_text, sizeof(usage_text) - 1);
				return finish(EX_OK);
			} else if (strcmp(a, "--version") == 0) {
				out("migratepages " VERSION "\n");
				return finish(EX_OK);
			} else if (strcmp(a, "--verbose") == 0) {
				opt.verbose = 1;
			} else if (strcmp(a, "--dry-run") == 0) {
				opt.dry_run = 1;
			} else if (strcmp(a, "--json") == 0) {
				opt.json = 1;
			} else if (strcmp(a, "--cgroup") == 0) {
				if (++i == argc)
					die_usage("option '%s' needs a directory", a);
				opt.cgroup = argv[i];
			} else if (strncmp(a, "--cgroup=", 9) == 0) {
				opt.cgroup = a + 9;
			} else {
				die_usage("unknown option '%s'", a);
			}
		} else {
			for (const char *c = a + 1; *c; c++) {
				char o[3] = { '-', *c, 0 };
				switch (*c) {
				case 'h':
					out_mem(usage_text, sizeof(usage_text) - 1);
					return finish(EX_OK);
				case 'V':
					out("migratepages " VERSION "\n");
					return finish(EX_OK);
				case 'v':
					opt.verbose = 1;
					break;
				case 'n':
					opt.dry_run = 1;
					break;
				default:
					if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
						o[1] = '?';
					die_usage("unknown option '%s'", o);
				}
			}
		}
	}
	if (opt.cgroup && !*opt.cgroup)
		die_usage("option '--cgroup' needs a directory");
	if (npos != (opt.cgroup ? 2 : 3)) {
		char got[64];
		fmt(got, sizeof(got), "%d argument%s", npos, npos == 1 ? "" : "s");
		die_usage(opt.cgroup ? "expected FROM-NODES TO-NODES after --cgroup DIR, got %s"
				     : "expected PID FROM-NODES TO-NODES, got %s", got);
	}
	pl.from_text = pos[npos - 2];
	pl.to_text = pos[npos - 1];

	/* Everything the user typed is checked before anything is read or moved. */
	if (!opt.cgroup && parse_pid_list(pos[0], &pids) < 0)
		return EX_FAIL;
	if (nodespec_parse("from-nodes", pl.from_text, &pl.from_spec, err, sizeof(err)) < 0 ||
	    nodespec_parse("to-nodes", pl.to_text, &pl.to_spec, err, sizeof(err)) < 0) {
		say("%s", err);
		return EX_FAIL;
	}

	topo_read(&pl.topo);
	/* Lists that do not depend on the target are resolved once, now, so that a
	 * mistake stops the run before the first process is touched. */
	fixed = !pl.from_spec.relative && !pl.to_spec.relative;
	if (fixed) {
		resolve(&pl, &t, err, sizeof(err));
		if (!t.resolved) {
			say("%s", err);
			return EX_FAIL;
		}
		from = t.from;
		to = t.to;
	}

	if (opt.cgroup) {
		char path[4096];
		fmt(path, sizeof(path), "%s/cgroup.procs", opt.cgroup);
		if (read_pids(path, &pids) < 0) {
			say("--cgroup: cannot read %s: %s", path,
				errno == EINVAL ? "not a list of process ids" : strerror(errno));
			return EX_FAIL;
		}
		if (pids.n == 0)
			say("--cgroup: no processes in %s", path);
		pl.cgroup_mode = 1;
	}

	if (opt.verbose || opt.json || opt.dry_run)
		pl.caller_mems_known = self_mems_allowed(&pl.caller_mems) == 0;
	pl.sys_nice = have_cap(CAP_SYS_NICE);
	if ((opt.verbose || opt.json) && read_small("/proc/sys/kernel/numa_balancing", v,
						     sizeof(v)) > 0)
		pl.numa_balancing = v[0] >= '0' && v[0] <= '9' && ((v[0] - '0') & 1); /* bit 0: on */
	if (opt.verbose && !opt.json && pl.numa_balancing)
		say("note: automatic NUMA balancing is on (/proc/sys/kernel/numa_balancing); "
		    "it may move pages back");

	for (size_t i = 0; i < pids.n; i++) {
		target_start(&t, pids.v[i]);
		if (fixed) {
			t.from = from;
			t.to = to;
			t.resolved = 1;
		} else {
			resolve(&pl, &t, t.msg, MSG_LEN);
			if (!t.resolved)
				t.status = EX_FAIL;
		}
		if (t.resolved)
			migrate_one(&pl, &t);
		if (pl.cgroup_mode && t.err == ESRCH) {
			/* it exited, or left the cgroup, since cgroup.procs was read */
			if (opt.verbose && !opt.json)
				out("pid %d: exited; skipped\n", t.pid);
			continue;
		}
		if (opt.json)
			report_json(&t, pl.numa_balancing);
		else if (opt.verbose || opt.dry_run)
			report_text(&t);
		if (t.msg[0])
			say("%d: %s", t.pid, t.msg);
		if (t.status == EX_FAIL || (t.status == EX_PARTIAL && worst == EX_OK))
			worst = t.status;
	}
	return finish(worst);
}
