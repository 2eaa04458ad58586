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
#include <poll.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bitmap.h"
#include "fmt.h"
#include "mover.h"
#include "syscall_arch.h"
#include "sysinfo.h"

#define VERSION "1.2.0"

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
"      --cgroup DIR  every process in cgroup DIR and the cgroups below it\n"
"  -h, --help        show this help and exit\n"
"  -V, --version     show the version and exit\n"
"\n"
"Moving in chunks (move_pages(2); any of these options selects it): the\n"
"process keeps running, waiting at most for one chunk instead of the whole move.\n"
"      --rate SIZE   move at most SIZE bytes per second (K, M, G: KiB, MiB,\n"
"                    GiB; e.g. --rate 200M)\n"
"  -j, --jobs N      N workers in parallel (1-64), over the pages of each\n"
"                    process and over the processes\n"
"      --chunk PAGES pages per move_pages call (1-65536, default 4096, or\n"
"                    1/8 s worth with --rate), or a size such as 16M\n"
"      --progress[=WHEN]  a progress line on stderr: auto (default: only on a\n"
"                    terminal), always, or never\n"
"On SIGINT, SIGTERM or SIGHUP it makes no further move_pages call, reports\n"
"what moved (the rest stays where it is), then dies of the signal.\n"
"\n"
"Node lists: all, N, A-B and comma lists of them (0,2-3). !LIST means every\n"
"node except LIST; +LIST counts within the nodes the process may use.\n"
"A list may end with the node of a device: netdev:DEV, pci:ADDR, block:DEV,\n"
"file:PATH (the block device holding it) or ip:ADDR (the interface that\n"
"routes to it), as in 0,netdev:eth0 or !pci:0000:80:00.0.\n"
"Several nodes on each side keep their order: 0-1 -> 2-3 moves 0->2, 1->3.\n"
"\n"
"Exit status: 0 the kernel moved what it was asked to (shared pages that stay\n"
"without CAP_SYS_NICE are its rule, not a failure); 2 it could not move some\n"
"pages, or the to-nodes ran out of memory partway; 1 any other error: the\n"
"process it names was not changed, but others of a list may have been, and a\n"
"failed write to standard output does not undo a migration.\n";

static struct {
	int verbose, dry_run, json;
	const char *cgroup;
	/* the chunked mover: used when mover is set (by any of its options) */
	int mover, jobs, progress; /* progress: 0 never, 1 auto, 2 always */
	int chunk_given;
	uint64_t rate;
	unsigned long chunk;
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
	if (!oerr) /* after a failed write, the rest of the output is dropped */
		write_all(1, obuf, olen, &oerr);
	olen = 0;
}

static void out_mem(const char *s, size_t n)
{
	if (olen + n > sizeof(obuf)) {
		out_flush();
		if (n > sizeof(obuf)) {
			if (!oerr)
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

/* A failed write to stdout (a full disk, a closed pipe: SIGPIPE is ignored,
 * so that every target is still processed) makes the exit status 1, whatever
 * moved: the report is lost, the migration is not undone. */
static int called; /* migrate_pages was called */

static int finish(int status)
{
	out_flush();
	if (oerr) {
		say("cannot write to standard output: %s%s", strerror(oerr),
		    called ? " (the migration went on regardless; exit status 1)" : "");
		return EX_FAIL;
	}
	return status;
}

/* ---- system calls ---------------------------------------------------- */

#define CAP_SYS_PTRACE 19
#define CAP_SYS_NICE 23

/* The caller's capabilities, read once when first needed. The kernel checks
 * CAP_SYS_NICE with capable(), in the initial user namespace: root inside
 * `unshare -r` or a rootless container does not have it there. */
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
	me.init_ns = in_initial_userns();
}

static int have_cap(int cap)
{
	caps_read();
	return (int)((me.eff >> cap) & 1);
}

/* CAP_SYS_NICE as migrate_pages sees it */
static int sys_nice(void)
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

/* The same for move_pages: a real kernel answers an empty list of the
 * caller's own pages with 0. */
static int seccomp_blocks_move(void)
{
	return syscall(SYS_move_pages, 0, 0UL, NULL, NULL, NULL, 0) < 0 && errno == EPERM;
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
	case EINTR: return "EINTR";
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
	char *note;             /* information for the reports (not a failure), "" if none */
	int mm_pid;             /* the id the call names: pid, or a live thread of it */
	const char *skip;       /* --cgroup: why the process was passed over, or NULL */
	const struct mv_target *mv; /* the chunked mover's results, or NULL */
};

#define MSG_LEN ((size_t)12 * 1024) /* node lists in a message can be long */
static struct bulk {
	struct mig_step steps[MP_MAXNODES];
	struct usage before, after;
	char msg[MSG_LEN], note[MSG_LEN];
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
	t->note = bulk.note;
	t->note[0] = 0;
	t->mm_pid = pid;
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

/* ---- the chunked mover's part of the reports ------------------------------- */

static const char *const mv_names[MV_NKINDS] = {
	"moved", "in_place", "shared", "busy", "no_memory", "other", "interrupted"
};

static void json_mover(const struct mv_target *m)
{
	out(",\"mover\":{\"jobs\":%d,\"chunk_pages\":%lu,\"rate\":%llu", opt.jobs,
	    opt.chunk, (unsigned long long)opt.rate);
	for (int k = 0; k < MV_NKINDS; k++)
		out(",\"%s_bytes\":%llu", mv_names[k], (unsigned long long)m->bytes[k]);
	out_char('}');
}

static void text_mover(const struct target *t)
{
	const struct mv_target *m = t->mv;
	char a[48], b[48];
	uint64_t secs = m->ns / 1000000000u, ms = m->ns % 1000000000u / 1000000u;

	out("  moved %s in %llu.%03llu s (move_pages, %d job%s, chunks of %lu pages",
	    human(m->bytes[MV_MOVED], a, sizeof(a)), (unsigned long long)secs,
	    (unsigned long long)ms, opt.jobs, opt.jobs == 1 ? "" : "s", opt.chunk);
	if (opt.rate)
		out(", at most %s/s", human(opt.rate, b, sizeof(b)));
	out("); %s already in place\n", human(m->bytes[MV_IN_PLACE], a, sizeof(a)));
	for (int k = MV_SHARED; k < MV_NKINDS; k++)
		if (m->bytes[k])
			out("  left %s: %s\n", mv_names[k], human(m->bytes[k], a, sizeof(a)));
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
	if (t->mv)
		json_mover(t->mv);
	out(",\"numa_balancing\":%s", numa_balancing ? "true" : "false");
	out(",\"note\":");
	if (t->note[0])
		json_str(t->note);
	else
		out("null");
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
		if (!t->before->valid) {
			if (t->note[0])
				out("  note: %s\n", t->note);
			return;
		}
		out("  %5s %12s\n", "node", "now");
		for (int n = ns_next(&rows, -1); n >= 0; n = ns_next(&rows, n))
			out("  %5d %12s\n", n, human(t->before->bytes[n], a, sizeof(a)));
		out("  %5s %12s\n", "total", human(t->before->total, a, sizeof(a)));
		if (t->note[0])
			out("  note: %s\n", t->note);
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
	if (t->mv)
		text_mover(t);
	else if (t->err == 0 || t->err == ENOMEM)
		out("  migrate_pages took %llu.%03llu s\n",
		       (unsigned long long)(t->ns / 1000000000u),
		       (unsigned long long)(t->ns % 1000000000u / 1000000u));
	if (t->note[0])
		out("  note: %s\n", t->note);
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

/* /proc/PID/status "CapPrm:" (hex) */
static int status_capprm(int pid, uint64_t *m)
{
	char v[64];
	if (proc_status(pid, "CapPrm", v, sizeof(v)) < 0)
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

/* 1: PID is in the caller's user namespace, 0: another, -1: unknown */
static int same_userns(int pid)
{
	char a[64], b[64], path[40];
	ssize_t na, nb;

	fmt(path, sizeof(path), "/proc/%d/ns/user", pid);
	na = readlink("/proc/self/ns/user", a, sizeof(a));
	nb = readlink(path, b, sizeof(b));
	if (na <= 0 || nb <= 0)
		return -1;
	return na == nb && memcmp(a, b, (size_t)na) == 0;
}

/* The kernel's ptrace_may_access(PTRACE_MODE_READ_REALCREDS), as far as /proc
 * shows it (KERNEL.md, step 3): 0 allowed, 1 refused (msg says why), -1 not
 * known (msg says what could not be read). */
static int perm_check(int pid, char *msg, size_t n)
{
	unsigned long uid[3], gid[3];
	uint64_t tprm;
	struct stat sb;
	char path[32], caps[160];
	int same, ptrace, mine;

	if (pid == getpid())
		return 0;
	if (!proc_is_ours() || status_uids(pid, "Uid", uid) < 0 || status_uids(pid, "Gid", gid) < 0) {
		fmt(msg, n, "permission not checked: /proc/%d/status could not be read", pid);
		return -1;
	}
	caps_read();
	same = same_userns(pid);
	/* CAP_SYS_PTRACE counts in the process's user namespace: the caller's
	 * own, or any when the caller is in the initial one */
	ptrace = have_cap(CAP_SYS_PTRACE) && (me.init_ns != 0 || same == 1);
	mine = uid[0] == getuid() && uid[1] == getuid() && uid[2] == getuid() &&
	       gid[0] == getgid() && gid[1] == getgid() && gid[2] == getgid();
	/* from a user namespace of its own, the caller cannot even read the
	 * namespace of a process outside it; such a process shows the overflow
	 * uid 65534 when its uid is not mapped (podman --uidmap, rootless) */
	if (!ptrace && (same == 0 || (same < 0 && me.init_ns == 0 && (mine || uid[1] == 65534)))) {
		fmt(msg, n, "permission denied: the process is outside your user namespace "
		    "(you run in one of your own), and CAP_SYS_PTRACE in its namespace is needed");
		return 1;
	}
	if (!ptrace && !mine) {
		fmt(msg, n, "permission denied: the process runs as uid %lu gid %lu and you are "
		    "uid %lu gid %lu; run as its user, or with CAP_SYS_PTRACE",
		    uid[1], gid[1], (unsigned long)getuid(), (unsigned long)getgid());
		return 1;
	}
	/* a process that is not dumpable has its /proc files owned by root
	 * (its files: the directory keeps the process's own uid) */
	fmt(path, sizeof(path), "/proc/%d/stat", pid);
	if (!ptrace && uid[1] != 0 && stat(path, &sb) == 0 && sb.st_uid == 0) {
		fmt(msg, n, "permission denied: the process is not dumpable (setuid or setgid, "
		    "or it cleared PR_SET_DUMPABLE); CAP_SYS_PTRACE is needed");
		return 1;
	}
	if (ptrace)
		return 0;
	if (status_capprm(pid, &tprm) == 0 && (tprm & ~me.prm)) {
		cap_list(tprm & ~me.prm, caps, sizeof(caps));
		fmt(msg, n, "permission denied: the process holds capabilities you do not have "
		    "(%s), and the kernel then requires CAP_SYS_PTRACE (in a container: "
		    "--cap-add SYS_PTRACE)", caps);
		return 1;
	}
	return 0;
}

/* /proc hides a process that exists (hidepid=invisible hides the processes
 * the caller may not inspect): 1 with msg, else 0. */
static int hidden_check(int pid, char *msg, size_t n)
{
	char path[32];

	fmt(path, sizeof(path), "/proc/%d", pid);
	if (!proc_is_ours() || access(path, F_OK) == 0 || errno != ENOENT ||
	    (kill(pid, 0) < 0 && errno == ESRCH))
		return 0;
	fmt(msg, n, "permission denied: /proc hides the process (hidepid), as it hides "
	    "processes you may not inspect; CAP_SYS_PTRACE or its user is needed");
	return 1;
}

/* EPERM for to-nodes outside the process's cpuset: 1 with msg, 0 not the
 * cause, -1 not known. */
static int cpuset_check(const struct target *t, char *msg, size_t n)
{
	static char list[MP_MAXNODES * 5], list2[MP_MAXNODES * 5];
	struct nodeset mems, outside;

	if (sys_nice())
		return 0;
	if (!proc_is_ours() || proc_status(t->mm_pid, "Mems_allowed_list", list, sizeof(list)) < 0 ||
	    ns_read_list(list, strlen(list), &mems) < 0) {
		fmt(msg, n, "the process's cpuset was not checked: /proc/%d/status could not be read",
		    t->mm_pid);
		return -1;
	}
	if (ns_subset(&t->to, &mems))
		return 0;
	ns_andnot(&outside, &t->to, &mems);
	ns_format(&outside, list2, sizeof(list2));
	fmt(msg, n, "permission denied: to-nodes %s are outside the nodes the process may "
	    "use (Mems_allowed_list: %s); moving memory there needs CAP_SYS_NICE%s",
	    list2, list, have_cap(CAP_SYS_NICE) ? " in the initial user namespace (you hold it "
	    "only in a user namespace of your own)" : "");
	return 1;
}

/* EINVAL for to-nodes outside the caller's own cpuset: 1 with msg, else 0. */
static int caller_cpuset_check(const struct target *t, char *msg, size_t n)
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
	fmt(msg, n, "to-nodes %s are all outside the nodes this process may use (its cpuset "
	    "allows %s): run it from a cpuset that includes them", list, list2);
	return 1;
}

/* Why a process has no memory to move (EINVAL after the other checks):
 * 1 with msg and *skip set, 0 not known. */
static int no_mm_check(int pid, char *msg, size_t n, const char **skip)
{
	struct pstat st;

	if (proc_stat(pid, &st) < 0)
		return 0;
	if (st.flags & PF_KTHREAD) {
		*skip = "a kernel thread";
		fmt(msg, n, "a kernel thread: it has no user memory to move");
	} else if (st.state == 'Z' || st.state == 'X') {
		*skip = "exited (a zombie)";
		fmt(msg, n, "the process has exited (a zombie): its memory is gone");
	} else if (st.flags & PF_EXITING) {
		*skip = "exiting";
		fmt(msg, n, "the process is exiting: its memory is going away");
	} else {
		return 0;
	}
	return 1;
}

static int seccomp_filtered(void)
{
	char v[16];
	return proc_status(0, "Seccomp", v, sizeof(v)) == 0 && strcmp(v, "2") == 0;
}

static void explain(struct target *t, int e)
{
	size_t n = MSG_LEN;

	t->err = e;
	t->status = EX_FAIL;
	switch (e) {
	case ESRCH:
		fmt(t->msg, n, "no such process");
		t->skip = "exited";
		return;
	case EPERM:
		if (!opt.dry_run && (opt.mover ? seccomp_blocks_move() : seccomp_blocks())) {
			const char *call = opt.mover ? "move_pages" : "migrate_pages";
			fmt(t->msg, n,
				 "%s was refused by a seccomp filter%s, not by the kernel: "
				 "container runtimes' default profiles block it whatever the "
				 "capabilities; run with --security-opt seccomp=unconfined or a "
				 "profile that allows %s", call,
				 seccomp_filtered() ? " (Seccomp: 2 in /proc/self/status)" : "", call);
			return;
		}
		if (hidden_check(t->mm_pid, t->msg, n) || perm_check(t->mm_pid, t->msg, n) == 1 ||
		    cpuset_check(t, t->msg, n) == 1)
			return;
		fmt(t->msg, n,
			 "permission denied: the process belongs to another user or holds "
			 "capabilities you lack (needs CAP_SYS_PTRACE), or the to-nodes are "
			 "outside its cpuset (needs CAP_SYS_NICE)");
		return;
	case EINVAL:
		if (caller_cpuset_check(t, t->msg, n) || no_mm_check(t->mm_pid, t->msg, n, &t->skip))
			return;
		fmt(t->msg, n, "the process has no memory of its own to move (a kernel "
			 "thread, or it is exiting)");
		return;
	case EACCES:
		fmt(t->msg, n, "denied by a security module (SELinux, AppArmor, ...)");
		return;
	case EOVERFLOW: /* the mover, a 32-bit build */
		fmt(t->msg, n, "it has memory above 4 GiB, out of reach of this 32-bit "
			 "build's move_pages (it is a 64-bit process): use the 64-bit build, or "
			 "leave out --jobs, --rate, --chunk and --progress (the single "
			 "migrate_pages call has no such limit)");
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

/* A process whose main thread has exited while others run: the kernel finds
 * no memory through the main thread's id, but any live thread names the
 * same memory. Returns 1 when t->mm_pid now names such a thread. */
static int use_live_thread(struct target *t)
{
	struct pstat st;
	int tid;

	if (!proc_is_ours() || proc_stat(t->pid, &st) < 0 || st.state != 'Z' ||
	    (tid = live_thread(t->pid)) < 0)
		return 0;
	t->mm_pid = tid;
	fmt(t->note, MSG_LEN, "its main thread has exited; moved through thread %d", tid);
	return 1;
}

/* The dry run: every check the kernel makes before migrating (KERNEL.md's
 * order) that can be known without calling migrate_pages. Returns 0 when
 * the call would be made, else the errno it would give (t->msg says why, as
 * the real run would). Checks that could not be made are named in t->note. */
static int predict(struct target *t)
{
	char why[512];
	size_t o = 0;
	int proc = proc_is_ours();

	/* 1. the process exists (no /proc needed; kill() does not see thread
	 * ids other than a process's main one, /proc does) */
	if (kill(t->pid, 0) < 0 && errno == ESRCH) {
		char path[32];
		fmt(path, sizeof(path), "/proc/%d/stat", t->pid);
		if (!proc || access(path, F_OK) < 0) {
			if (!proc)
				fmt(t->note, MSG_LEN, "/proc is not available: a thread id other than "
				    "a process's main one is not recognised");
			return ESRCH;
		}
	}
	if (!proc) {
		fmt(t->note, MSG_LEN, "%s: permissions and the process's cpuset were not checked",
		    access("/proc/self", F_OK) == 0 ? "/proc belongs to another pid namespace"
						   : "/proc is not mounted");
		return caller_cpuset_check(t, why, sizeof(why)) ? EINVAL : 0;
	}
	if (hidden_check(t->pid, why, sizeof(why)))
		return EPERM;
	/* a main thread that exited: the kernel is asked through a live thread */
	use_live_thread(t);
	/* 3. ptrace_may_access */
	switch (perm_check(t->mm_pid, why, sizeof(why))) {
	case 1:
		return EPERM;
	case -1:
		o += fmt(t->note + o, MSG_LEN - o, "%s", why);
		break;
	}
	/* 4. to-nodes within the process's cpuset, or CAP_SYS_NICE */
	switch (cpuset_check(t, why, sizeof(why))) {
	case 1:
		return EPERM;
	case -1:
		o += fmt(t->note + o, MSG_LEN - o, "%s%s", o ? "; " : "", why);
		break;
	}
	/* 5. to-nodes within the caller's cpuset; 7. a process with memory */
	if (caller_cpuset_check(t, why, sizeof(why)))
		return EINVAL;
	if (no_mm_check(t->mm_pid, why, sizeof(why), &t->skip))
		return EINVAL;
	if (opt.mover && mover_out_of_reach(t->mm_pid))
		return EOVERFLOW;
	/* 6. security modules, and a seccomp filter on this process, are known
	 * only by asking */
	if (seccomp_filtered())
		fmt(t->note + o, MSG_LEN - o, "%sa seccomp filter is installed on this process: "
		    "whether it allows %s is not known without calling it",
		    o ? "; " : "", opt.mover ? "move_pages" : "migrate_pages");
	return 0;
}

/* ---- one target --------------------------------------------------------------- */

struct plan {
	const char *from_text, *to_text;
	struct nodespec from_spec, to_spec;
	struct topology topo;
	struct nodeset caller_mems;   /* the kernel ANDs to-nodes with these */
	int caller_mems_known;
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

/* Why pages stay on a node the plan empties although the call succeeded. */
static const char *left_reason(void)
{
	if (sys_nice())
		return "pages in use, or allocated there since the call";
	if (have_cap(CAP_SYS_NICE))
		return "pages shared with other processes, which move only with CAP_SYS_NICE in "
		       "the initial user namespace (you hold it in a user namespace only)";
	return "pages shared with other processes, which move only with CAP_SYS_NICE";
}

/* Pages still on a node the kernel's plan empties: information for the
 * reports. Without CAP_SYS_NICE they are mostly pages shared with other
 * processes (the kernel's rule for an unprivileged call: not counted, not a
 * failure); with it, pages in use or allocated there since the call. */
static void note_left(struct target *t)
{
	struct nodeset drained;
	char h[48], list[MP_MAXNODES * 5];
	unsigned long page = getauxval(AT_PAGESZ);
	size_t o = strlen(t->note);

	mig_drained(t->steps, t->nsteps, &drained);
	ns_clear(&t->left_on);
	for (int n = ns_next(&drained, -1); n >= 0; n = ns_next(&drained, n)) {
		if (t->after->bytes[n]) {
			t->left += t->after->bytes[n];
			ns_add(&t->left_on, n);
		}
	}
	if (!t->left || t->err == ENOMEM)
		return;
	ns_format(&t->left_on, list, sizeof(list));
	fmt(t->note + o, MSG_LEN - o, "%s%s (%llu pages) stayed on node%s %s: %s", o ? "; " : "",
	    human(t->left, h, sizeof(h)),
	    (unsigned long long)(t->left / (uint64_t)(page ? page : 4096)),
	    ns_count(&t->left_on) > 1 ? "s" : "", list, left_reason());
}

static void migrate_one(const struct plan *pl, struct target *t)
{
	struct nodeset effective_to;
	struct timespec t0, t1;
	int reports = opt.verbose || opt.json, e;
	long r;

	/* describe what the kernel will do: it maps onto to-nodes within the
	 * caller's cpuset (when none is left, the call fails: predict/explain) */
	effective_to = t->to;
	if (pl->caller_mems_known)
		ns_and(&effective_to, &t->to, &pl->caller_mems);
	if (ns_next(&effective_to, -1) < 0)
		effective_to = t->to;
	t->nsteps = mig_plan(&t->from, &effective_to, t->steps);

	if (opt.dry_run) {
		/* the same words as the real run: explain() what predict() found */
		if ((e = predict(t)) != 0)
			explain(t, e);
		if (proc_is_ours())
			proc_usage(t->mm_pid, t->before);
		return;
	}
	if (reports && !proc_is_ours())
		fmt(t->note, MSG_LEN, "per-node figures not shown: %s", access("/proc/self", F_OK) == 0
		    ? "/proc belongs to another pid namespace (mount a /proc of this one)"
		    : "/proc is not mounted");
	if (reports && proc_is_ours()) {
		use_live_thread(t);
		proc_usage(t->mm_pid, t->before);
	}

	called = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = call_migrate(t->mm_pid, &t->from, &t->to);
	e = errno;
	if (r < 0 && e == EINVAL && t->mm_pid == t->pid && use_live_thread(t)) {
		r = call_migrate(t->mm_pid, &t->from, &t->to);
		e = errno;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	t->ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u + (uint64_t)t1.tv_nsec -
		(uint64_t)t0.tv_nsec;

	if (r < 0) {
		explain(t, e);
		if (t->err != ENOMEM)
			return;
		reports = 1; /* say how much stayed behind */
	} else if (r > 0) {
		t->not_moved = r;
		t->status = EX_PARTIAL;
		fmt(t->msg, MSG_LEN, "%ld page%s could not be moved", r, r == 1 ? "" : "s");
	}
	if (!reports || !proc_is_ours() || proc_usage(t->mm_pid, t->after) < 0)
		return;
	note_left(t);
	if (t->err == ENOMEM && t->left) {
		char h[48], list[MP_MAXNODES * 5];
		unsigned long page = getauxval(AT_PAGESZ);
		ns_format(&t->left_on, list, sizeof(list));
		fmt(t->msg, MSG_LEN, "the to-nodes ran out of free memory: %s (%llu pages) could "
		    "not be moved and stayed on node%s %s; the rest moved",
		    human(t->left, h, sizeof(h)),
		    (unsigned long long)(t->left / (uint64_t)(page ? page : 4096)),
		    ns_count(&t->left_on) > 1 ? "s" : "", list);
	}
}

/* ---- main -------------------------------------------------------------------- */

static int numa_balancing_mode(void)
{
	char v[16];
	int m = 0;

	if (read_small("/proc/sys/kernel/numa_balancing", v, sizeof(v)) <= 0)
		return 0;
	for (const char *c = v; *c >= '0' && *c <= '9'; c++)
		m = m * 10 + (*c - '0');
	return m; /* bit 0: normal balancing; bit 1: memory tiering */
}

/* Report one target, and fold its status into *worst. */
static void report(const struct plan *pl, struct target *t, int *worst)
{
	if (pl->cgroup_mode && t->skip && t->status == EX_FAIL) {
		/* it exited, turned zombie, left the cgroup, or is a kernel thread */
		if (opt.verbose && !opt.json)
			out("pid %d: skipped (%s)\n", t->pid, t->skip);
		return;
	}
	if (opt.json)
		report_json(t, pl->numa_balancing);
	else if (opt.verbose || opt.dry_run)
		report_text(t);
	if (t->msg[0])
		say("%d: %s", t->pid, t->msg);
	if (t->status == EX_FAIL || (t->status == EX_PARTIAL && *worst == EX_OK))
		*worst = t->status;
}

/* Starts target pid with its node lists: the fixed ones (from, to), or with
 * from NULL resolved for it (+N). Returns t->resolved; a failure is its
 * status and message. */
static int target_lists(const struct plan *pl, struct target *t, int pid,
			const struct nodeset *from, const struct nodeset *to)
{
	target_start(t, pid);
	if (from) {
		t->from = *from;
		t->to = *to;
		t->resolved = 1;
	} else {
		resolve(pl, t, t->msg, MSG_LEN);
		if (!t->resolved)
			t->status = EX_FAIL;
	}
	return t->resolved;
}

static void run_target(const struct plan *pl, struct target *t, int pid,
		       const struct nodeset *from, const struct nodeset *to, int *worst)
{
	if (target_lists(pl, t, pid, from, to))
		migrate_one(pl, t);
	report(pl, t, worst);
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open -1 /* ENOSYS: no guard against pid reuse */
#endif

/* --cgroup: the processes of each directory in batches. A pidfd is opened
 * for each, then the directory is read again: a pid still listed after its
 * pidfd was opened is that process, and if the pidfd shows it alive after the
 * call, the call reached it (a pid is not reused while its process lives). */
static void run_cgroup(const struct plan *pl, struct target *t, const struct cgwalk *w,
		       const struct nodeset *from, const struct nodeset *to, int *worst)
{
	enum { BATCH = 256 };
	static int fds[BATCH];
	static struct pidlist now;

	for (size_t i = 0; i < w->pids.n;) {
		int dir = w->dir.v[i], listed;
		size_t j = i;

		while (j < w->pids.n && w->dir.v[j] == dir && j - i < BATCH)
			j++;
		for (size_t k = i; k < j; k++)
			fds[k - i] = (int)syscall(SYS_pidfd_open, w->pids.v[k], 0);
		now.n = 0;
		listed = cg_dir_pids(w, dir, &now) == 0;
		pidlist_sort(&now);
		for (size_t k = i; k < j; k++) {
			int pid = w->pids.v[k], fd = fds[k - i];
			if (!listed || !pidlist_has_sorted(&now, pid)) {
				target_start(t, pid);
				t->status = EX_FAIL;
				t->skip = "it left the cgroup";
				report(pl, t, worst);
			} else {
				run_target(pl, t, pid, from, to, worst);
			}
			if (fd >= 0) {
				struct pollfd p = { fd, POLLIN, 0 };
				if (poll(&p, 1, 0) == 1 && t->status == EX_OK && !opt.dry_run &&
				    opt.verbose && !opt.json)
					out("pid %d: exited during the migration\n", pid);
				close(fd);
			}
		}
		i = j;
	}
}

/* ---- the chunked mover ----------------------------------------------------------
 * --rate, --jobs, --chunk and --progress select it. Each process is checked
 * first as the kernel checks migrate_pages (it exists and may be read, its
 * cpuset allows the to-nodes), then all of them go to the mover at once, so
 * that the workers share out processes as well as pages. */

/* "200M", "1.5G"? No: whole numbers with an optional K, M, G or T (powers of
 * 1024), optionally followed by "iB" or "B". Returns -1 when it is not one. */
static int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	switch (*p) {
	case 'k': case 'K': shift = 10; p++; break;
	case 'm': case 'M': shift = 20; p++; break;
	case 'g': case 'G': shift = 30; p++; break;
	case 't': case 'T': shift = 40; p++; break;
	}
	if (shift && p[0] == 'i' && p[1] == 'B')
		p += 2;
	else if (*p == 'B')
		p++;
	if (*p || (shift && v > UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static void parse_mover_opt(const char *name, const char *val)
{
	uint64_t v;
	unsigned long page = getauxval(AT_PAGESZ);

	opt.mover = 1;
	if (!page)
		page = 4096;
	if (strcmp(name, "--rate") == 0) {
		if (parse_size(val, &v) < 0 || v == 0)
			die_usage("--rate: '%s' is not a rate (bytes per second, e.g. 200M)", val);
		opt.rate = v;
	} else if (strcmp(name, "--jobs") == 0) {
		size_t i = 0;
		for (v = 0; val[i] >= '0' && val[i] <= '9' && v <= MV_MAX_JOBS; i++)
			v = v * 10 + (uint64_t)(val[i] - '0');
		if (i == 0 || val[i] || v < 1 || v > MV_MAX_JOBS)
			die_usage("--jobs: '%s' is not a number of workers (1-%d)", val, MV_MAX_JOBS);
		opt.jobs = (int)v;
	} else if (strcmp(name, "--chunk") == 0) {
		size_t l = strlen(val);
		if (parse_size(val, &v) < 0)
			die_usage("--chunk: '%s' is not a number of pages or a size", val);
		if (l && (val[l - 1] < '0' || val[l - 1] > '9'))
			v /= page; /* a size */
		if (v < 1 || v > MV_MAX_CHUNK)
			die_usage("--chunk: '%s' is out of range (1-%lu pages of %lu bytes)", val,
				  MV_MAX_CHUNK, page);
		opt.chunk = (unsigned long)v;
		opt.chunk_given = 1;
	} else { /* --progress */
		if (strcmp(val, "auto") == 0)
			opt.progress = 1;
		else if (strcmp(val, "always") == 0)
			opt.progress = 2;
		else if (strcmp(val, "never") == 0)
			opt.progress = 0;
		else
			die_usage("--progress: '%s' is not auto, always or never", val);
	}
}

static int progress_tty; /* rewrite one line (a terminal) or print lines */

static void show_progress(const struct mv_progress *p, int final)
{
	static char buf[1024];
	char a[48], b[48];
	size_t o = 0, len = sizeof(buf);
	uint64_t rate = p->elapsed_ns ? (uint64_t)((double)p->done * 1e9 / (double)p->elapsed_ns) : 0;

	o += fmt(buf + o, len - o, "%smigratepages: moved %s", progress_tty ? "\r" : "",
		 human(p->done, a, sizeof(a)));
	if (p->total)
		o += fmt(buf + o, len - o, " of %s (%llu%%)", human(p->total, b, sizeof(b)),
			 (unsigned long long)(p->done >= p->total ? 100 : p->done * 100 / p->total));
	for (int n = 0, first = 1; n < p->nnodes && o < len; n++)
		if (p->node_done[n]) {
			o += fmt(buf + o, len - o, "%s%d: %s", first ? "; to node " : ", ", n,
				 human(p->node_done[n], a, sizeof(a)));
			first = 0;
		}
	if (o < len)
		o += fmt(buf + o, len - o, "; %s/s", human(rate, a, sizeof(a)));
	if (!final && rate && p->total > p->done && o < len) {
		uint64_t eta = (p->total - p->done) / rate;
		o += fmt(buf + o, len - o, "; ETA %llu:%02llu", (unsigned long long)(eta / 60),
			 (unsigned long long)(eta % 60));
	}
	if (o < len)
		o += fmt(buf + o, len - o, "%s%s", progress_tty ? "\033[K" : "",
			 final || !progress_tty ? "\n" : "");
	write_all(2, buf, o < len ? o : len - 1, NULL);
}

/* Checks one process as the kernel checks migrate_pages; 0 when the mover may
 * go ahead, else the target's status and message are set. */
static int mover_check(struct target *t, const struct nodeset *eff_to)
{
	static char list[MP_MAXNODES * 5], list2[MP_MAXNODES * 5];
	struct nodeset mems, dest, outside;

	/* the process exists, may be read, and has memory (nothing is moved);
	 * a process whose main thread has exited is reached through another */
	if (syscall(SYS_move_pages, t->mm_pid, 0UL, NULL, NULL, NULL, 0) < 0 &&
	    (errno != EINVAL || !use_live_thread(t) ||
	     syscall(SYS_move_pages, t->mm_pid, 0UL, NULL, NULL, NULL, 0) < 0)) {
		explain(t, errno);
		return -1;
	}
	if (mover_out_of_reach(t->mm_pid)) { /* a 32-bit build, a 64-bit process */
		explain(t, EOVERFLOW);
		return -1;
	}
	if (ns_next(eff_to, -1) < 0) {
		explain(t, EINVAL);
		return -1;
	}
	if (proc_status(t->mm_pid, "Mems_allowed_list", list, sizeof(list)) < 0 ||
	    ns_read_list(list, strlen(list), &mems) < 0)
		return 0; /* unknown: move_pages will say */
	if (!sys_nice() && !ns_subset(&t->to, &mems)) {
		explain(t, EPERM);
		return -1;
	}
	ns_clear(&dest);
	for (int n = ns_next(&t->from, -1); n >= 0; n = ns_next(&t->from, n))
		ns_add(&dest, mig_final(t->steps, t->nsteps, n));
	if (!ns_subset(&dest, &mems)) {
		/* migrate_pages may, with CAP_SYS_NICE; move_pages never does */
		ns_andnot(&outside, &dest, &mems);
		ns_format(&outside, list2, sizeof(list2));
		t->status = EX_FAIL;
		t->err = EPERM;
		fmt(t->msg, MSG_LEN, "to-nodes %s are outside the nodes the process may use "
		    "(Mems_allowed_list: %s): move_pages cannot put pages there; without "
		    "--rate, --jobs, --chunk and --progress, one migrate_pages call can",
		    list2, list);
		return -1;
	}
	return 0;
}

/* The signal that stopped the mover (SIGINT, SIGTERM, SIGHUP), or 0. Its
 * handler runs once: a second such signal ends the tool at once. */
static volatile sig_atomic_t mv_signal;

static void on_stop_signal(int sig)
{
	mv_signal = sig;
}

static const char *sig_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
}

/* The mover stops cleanly on these signals, unless they were ignored when
 * the tool started (nohup, a background job of a script). */
static void catch_stop_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

/* What the mover found becomes the report's before/after and status. */
static void mover_result(struct target *t, const struct mv_target *m)
{
	char a[48], b[48];
	uint64_t left = m->bytes[MV_BUSY] + m->bytes[MV_NOMEM] + m->bytes[MV_OTHER];

	t->mv = m;
	t->ns = m->ns;
	for (int k = 0; k < 2; k++) {
		struct usage *u = k ? t->after : t->before;
		const uint64_t *v = k ? m->after : m->before;
		memset(u->bytes, 0, sizeof(u->bytes));
		u->total = 0;
		for (int n = 0; n < m->nnodes; n++) {
			u->bytes[n] = v[n];
			u->total += v[n];
		}
		u->valid = !m->err;
	}
	t->left = left + m->bytes[MV_SHARED] + m->bytes[MV_STOPPED];
	if (m->err) {
		explain(t, m->err);
		return;
	}
	if (m->stopped) {
		/* what it looked at is not all it has: no per-node table */
		t->before->valid = t->after->valid = 0;
		t->status = m->bytes[MV_MOVED] ? EX_PARTIAL : EX_FAIL;
		t->err = EINTR;
		fmt(t->msg, MSG_LEN, "interrupted by %s %s%s; the rest of its memory stays where "
		    "it is", sig_name(mv_signal), m->bytes[MV_MOVED] ? "after moving " :
		    "before any of its pages moved", m->bytes[MV_MOVED] ?
		    human(m->bytes[MV_MOVED], a, sizeof(a)) : "");
		return;
	}
	if (left) {
		t->status = EX_PARTIAL;
		fmt(t->msg, MSG_LEN, "%s could not be moved (%s%s%s%s%s%s%s%s%s)",
		    human(left, a, sizeof(a)),
		    m->bytes[MV_BUSY] ? "in use: " : "",
		    m->bytes[MV_BUSY] ? human(m->bytes[MV_BUSY], b, sizeof(b)) : "",
		    m->bytes[MV_NOMEM] ? (m->bytes[MV_BUSY] ? "; " : "") : "",
		    m->bytes[MV_NOMEM] ? "the to-nodes ran out of free memory" : "",
		    m->bytes[MV_OTHER] && (m->bytes[MV_BUSY] || m->bytes[MV_NOMEM]) ? "; " : "",
		    m->bytes[MV_OTHER] ? "other errors, the last: " : "",
		    m->bytes[MV_OTHER] ? strerror(m->other_err) : "",
		    m->bytes[MV_SHARED] ? "; and " : "",
		    m->bytes[MV_SHARED] ? left_reason() : "");
	} else if (m->bytes[MV_SHARED]) {
		/* information, not a failure: the kernel's single call leaves them too */
		size_t o = strlen(t->note);
		fmt(t->note + o, MSG_LEN - o, "%s%s stayed: %s", o ? "; " : "",
		    human(m->bytes[MV_SHARED], a, sizeof(a)), left_reason());
	}
}

/* The target's lists and the kernel's plan, as migrate_one has them. */
static void mover_target(const struct plan *pl, struct target *t, int pid, int fixed,
			 const struct nodeset *from, const struct nodeset *to,
			 struct nodeset *eff_to)
{
	if (!target_lists(pl, t, pid, fixed ? from : NULL, to))
		return;
	*eff_to = t->to;
	if (pl->caller_mems_known)
		ns_and(eff_to, &t->to, &pl->caller_mems);
	t->nsteps = mig_plan(&t->from, ns_next(eff_to, -1) < 0 ? &t->to : eff_to, t->steps);
}

static int run_mover(const struct plan *pl, const struct pidlist *pids, int fixed,
		     const struct nodeset *from, const struct nodeset *to)
{
	static struct target t;
	struct mv_target *m;
	int nn = ns_last(&pl->topo.online) + 1, worst = EX_OK, nlive = 0;
	size_t n = pids->n ? pids->n : 1, per, bytes;
	struct mv_opts mo;
	struct nodeset eff_to;
	char *mem;

	/* node lists name nodes that exist: online ones (checked) */
	if (fixed && ns_last(from) + 1 > nn)
		nn = ns_last(from) + 1;
	if (fixed && ns_last(to) + 1 > nn)
		nn = ns_last(to) + 1;
	/* one mapping (the tool uses no malloc): the targets, then for each its
	 * before and after bytes per node and its finals */
	per = 2 * (size_t)nn * sizeof(uint64_t) + ((size_t)nn * sizeof(short) + 7) / 8 * 8;
	bytes = n * (sizeof(*m) + per);
	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		say("%s", strerror(errno));
		return EX_FAIL;
	}
	m = (struct mv_target *)(void *)mem;
	/* the checks, one process at a time; a process that fails them is
	 * marked dead for the mover (and checked again for its report) */
	for (size_t i = 0; i < pids->n; i++) {
		char *mine = mem + n * sizeof(*m) + i * per;
		short *finals = (short *)(void *)(mine + 2 * (size_t)nn * sizeof(uint64_t));

		m[i].pid = pids->v[i];
		m[i].dead = 1;
		mover_target(pl, &t, pids->v[i], fixed, from, to, &eff_to);
		if (!t.resolved || mover_check(&t, &eff_to) < 0)
			continue;
		m[i].pid = t.mm_pid; /* the id its memory is reached through */
		m[i].dead = 0;
		for (int k = 0; k < nn; k++)
			finals[k] = (short)mig_final(t.steps, t.nsteps, k);
		m[i].nnodes = nn;
		m[i].finals = finals;
		m[i].before = (uint64_t *)(void *)mine;
		m[i].after = m[i].before + nn;
		nlive++;
	}
	memset(&mo, 0, sizeof(mo));
	mo.rate = opt.rate;
	mo.chunk = opt.chunk;
	if (opt.rate && !opt.chunk_given) {
		/* under a cap, chunks of an eighth of a second's worth (at least 512
		 * pages): a pause between chunks then stays short enough for the
		 * pacing to make up */
		uint64_t c = opt.rate / 8 / (getauxval(AT_PAGESZ) ? getauxval(AT_PAGESZ) : 4096);
		mo.chunk = c < 512 ? 512 : c < opt.chunk ? (unsigned long)c : opt.chunk;
		opt.chunk = mo.chunk; /* what the reports say was used */
	}
	mo.jobs = opt.jobs;
	mo.move_all = sys_nice();
	mo.stop = &mv_signal;
	catch_stop_signals();
	progress_tty = isatty(2);
	if (opt.progress == 2 || (opt.progress == 1 && progress_tty)) {
		mo.progress = show_progress;
		mo.progress_ns = progress_tty ? 250000000u : 1000000000u;
	}
	if (nlive && mover_run(m, (int)pids->n, &mo) < 0) {
		say("cannot start the workers: %s", strerror(errno));
		munmap(mem, bytes);
		return EX_FAIL;
	}
	/* the reports, in the order the processes were named */
	for (size_t i = 0; i < pids->n; i++) {
		mover_target(pl, &t, pids->v[i], fixed, from, to, &eff_to);
		if (!m[i].finals) {
			/* it failed the checks: they say why again */
			if (t.resolved && mover_check(&t, &eff_to) == 0) {
				t.status = EX_FAIL;
				fmt(t.msg, MSG_LEN, "its checks failed before the move and pass "
				    "now (it changed meanwhile): not moved; run again");
			}
		} else {
			if (m[i].pid != pids->v[i])
				fmt(t.note, MSG_LEN, "its main thread has exited; moved through "
				    "thread %d", m[i].pid);
			mover_result(&t, &m[i]);
		}
		if (pl->cgroup_mode && t.err == ESRCH)
			continue; /* it exited, or left the cgroup, since it was listed */
		report(pl, &t, &worst);
	}
	munmap(mem, bytes);
	return worst;
}

int main(int argc, char **argv)
{
	const char *pos[3];
	int npos = 0, only_pos = 0, worst = EX_OK, fixed;
	static struct pidlist pids;
	static struct cgwalk walk;
	static char err[12 * 1024];
	static struct plan pl;
	static struct target t;
	struct nodeset from, to;
	char q[200];

	opt.jobs = 1;
	opt.chunk = MV_DEFAULT_CHUNK;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == 0) {
			if (npos == 3)
				die_usage("too many arguments (from %s on)",
					  quote_max(a, (size_t)-1, 40, q, sizeof(q)));
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
			} else if (strcmp(a, "--rate") == 0 || strcmp(a, "--jobs") == 0 ||
				   strcmp(a, "--chunk") == 0) {
				if (++i == argc)
					die_usage("option '%s' needs a value", a);
				parse_mover_opt(a, argv[i]);
			} else if (strncmp(a, "--rate=", 7) == 0 || strncmp(a, "--jobs=", 7) == 0 ||
				   strncmp(a, "--chunk=", 8) == 0 || strncmp(a, "--progress=", 11) == 0) {
				char name[16];
				size_t l = (size_t)(strchr(a, '=') - a);
				memcpy(name, a, l);
				name[l] = 0;
				parse_mover_opt(name, a + l + 1);
			} else if (strcmp(a, "--progress") == 0) {
				parse_mover_opt(a, "auto");
			} else {
				die_usage("unknown option %s", quote_max(a, (size_t)-1, 40, q, sizeof(q)));
			}
		} else {
			for (const char *c = a + 1; *c; c++) {
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
				case 'j':
					/* -jN or -j N */
					if (c[1]) {
						parse_mover_opt("--jobs", c + 1);
					} else {
						if (++i == argc)
							die_usage("option '-j' needs a value");
						parse_mover_opt("--jobs", argv[i]);
					}
					c += strlen(c) - 1; /* the rest of the word was the value */
					break;
				default: {
					char o[3] = { '-', *c, 0 };
					die_usage("unknown option %s", quote_max(o, 2, 2, q, sizeof(q)));
				}
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

	/* every target is processed whatever happens to stdout (finish) */
	signal(SIGPIPE, SIG_IGN);

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
		if (cg_walk(opt.cgroup, &walk) < 0) {
			int e = errno;
			const char *dir = walk.err_dir >= 0 && walk.off.n ? cg_dir(&walk, walk.err_dir)
									  : opt.cgroup;
			quote_max(dir, (size_t)-1, 160, q, sizeof(q));
			if (walk.err_threads)
				say("--cgroup: %s is a threaded cgroup, and its processes could not be "
				    "found from its threads: %s", q,
				    e == ENOENT ? "/proc is not mounted" : strerror(e));
			else
				say("--cgroup: cannot read %s: %s", q,
				    e == EINVAL ? "cgroup.procs is not a list of process ids"
				    : e == ENOENT ? "no such cgroup (cgroup.procs not found)"
				    : strerror(e));
			return EX_FAIL;
		}
		pidlist_dedupe(&walk.pids, &walk.dir);
		quote_max(opt.cgroup, (size_t)-1, 160, q, sizeof(q));
		if (walk.outside)
			say("note: --cgroup: %zu process%s outside this pid namespace (listed as 0) "
			    "skipped", walk.outside, walk.outside == 1 ? "" : "es");
		if (walk.pids.n == 0 && !walk.outside)
			say("--cgroup: no processes in %s or below it", q);
		pl.cgroup_mode = 1;
	} else {
		pidlist_dedupe(&pids, NULL);
	}

	if (opt.verbose || opt.json || opt.dry_run || opt.mover)
		pl.caller_mems_known = self_mems_allowed(&pl.caller_mems) == 0;
	if (opt.verbose || opt.json)
		pl.numa_balancing = numa_balancing_mode();
	if (opt.verbose && !opt.json && pl.numa_balancing)
		say("note: automatic NUMA balancing is on (/proc/sys/kernel/numa_balancing = %d%s); "
		    "it may move pages back", pl.numa_balancing,
		    pl.numa_balancing & 2 ? ", memory tiering" : "");

	if (opt.mover && !opt.dry_run) {
		worst = finish(run_mover(&pl, opt.cgroup ? &walk.pids : &pids, fixed, &from, &to));
		if (mv_signal)
			raise(mv_signal); /* reported; now as the signal asked (its
					   * handler was reset when it ran) */
		return worst;
	}
	if (opt.cgroup)
		run_cgroup(&pl, &t, &walk, fixed ? &from : NULL, &to, &worst);
	else
		for (size_t i = 0; i < pids.n; i++)
			run_target(&pl, &t, pids.v[i], fixed ? &from : NULL, &to, &worst);
	return finish(worst);
}
