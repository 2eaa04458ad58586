/* test/unit.c - unit tests of the pure code: the node-list table
 * (test/nodespec.cases), node-set formatting and reading, the kernel's mapping
 * plan, the numa_maps parser. Prints PASS/FAIL lines (test/run's contract).
 * Usage: unit CASES-FILE
 * SPDX-License-Identifier: GPL-2.0-only */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../bitmap.h"
#include "../fmt.h"
#include "../devices.h"
#include "../sysinfo.h"
#include "../tiers.h"

static int failures;

static void check(int ok, const char *name, const char *fmt, const char *a, const char *b)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: ", name);
		printf(fmt, a, b);
		printf("\n");
		failures++;
	}
}

static void set_of(const char *text, struct nodeset *s)
{
	if (!strcmp(text, "none")) {
		ns_clear(s);
		return;
	}
	if (ns_read_list(text, strlen(text), s) < 0) {
		fprintf(stderr, "unit: bad set '%s' in the table\n", text);
		exit(2);
	}
}

/* '' is the empty string; \xNN a byte; \s a space */
static void unescape(const char *in, char *out)
{
	if (!strcmp(in, "''")) {
		*out = 0;
		return;
	}
	while (*in) {
		if (in[0] == '\\' && in[1] == 'x' && in[2] && in[3]) {
			char h[3] = { in[2], in[3], 0 };
			*out++ = (char)strtol(h, NULL, 16);
			in += 4;
		} else if (in[0] == '\\' && in[1] == 's') {
			*out++ = ' ';
			in += 2;
		} else {
			*out++ = *in++;
		}
	}
	*out = 0;
}

/* The device table of the cases: a fixed answer per item, as sysinfo.c's
 * device_node would give from sysfs. */
static int fake_device(int kind, const char *name, char *why, size_t whylen)
{
	static const struct { const char *item; int node; const char *why; } table[] = {
		{ "netdev:eth0", 1, NULL },
		{ "netdev:eth1", 3, NULL },
		{ "netdev:lo", -1, "lo is not attached to a node (no numa_node on its sysfs path)" },
		{ "netdev:eth9", -1, "no such network device" },
		{ "pci:0000:80:00.0", 2, NULL },
		{ "pci:0000:00:03.0", -1, "the kernel does not know the node of 0000:00:03.0" },
		{ "block:nvme0n1", 3, NULL },
		{ "file:/data/a,b", 1, NULL },
		{ "ip:10.0.0.1", 1, NULL },
		{ "ip:::1", 0, NULL },
		{ "netdev:far", 9, NULL },
	};
	char item[256];

	snprintf(item, sizeof(item), "%s%s", nodedev_prefix(kind), name);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(item, table[i].item))
			continue;
		if (table[i].why)
			snprintf(why, whylen, "%s", table[i].why);
		return table[i].node;
	}
	snprintf(why, whylen, "not in the unit table");
	return -1;
}

/* Tier-map fixtures: "topology NAME KEY=VALUE ..." lines of the cases file,
 * named by the cases that start with @NAME. The keys (each optional):
 *   cpus=LIST                 nodes with CPUs (has_cpu)
 *   kernel=ID:LIST;ID:LIST    memory_tierID/nodelist (absent: no memory_tiering)
 *   perf=N:RL/WL/RB/WB;...    access0 figures (ns, MB/s)
 *   init=N:LIST;...           access0 initiators
 *   dist=ROW/ROW/...          the distance table, a row per online node (A,B,...)
 *   pids=PID:LIST;...         the nodes whose CPUs a process may run on
 * The map is built from them as tiers_sys.c builds it from sysfs, over the
 * case's own online and memory columns. */
#define FIXTURES 64
static struct { char name[32], text[1024]; } fixtures[FIXTURES];
static int nfixtures;
static const char *fixture; /* the current case's */

static const char *fixture_key(const char *key)
{
	static char val[1024];
	const char *p = fixture;
	size_t k = strlen(key);

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, k) && p[k] == '=') {
			size_t n = strcspn(p + k + 1, " ");
			snprintf(val, sizeof(val), "%.*s", (int)n, p + k + 1);
			return val;
		}
		p += strcspn(p, " ");
	}
	return NULL;
}

static const struct tiermap *fake_map(const struct nodeset *online, const struct nodeset *memory,
				      char *why, size_t whylen)
{
	static struct tiermap m;
	static unsigned char dist[MP_MAXNODES * MP_MAXNODES];
	const char *v;
	char *item, *save, buf[1024];

	if ((v = fixture_key("fail"))) {
		snprintf(why, whylen, "%s", v);
		return NULL;
	}
	memset(&m, 0, sizeof(m));
	memset(dist, 0, sizeof(dist));
	m.online = *online;
	m.memory = *memory;
	for (int n = 0; n < MP_MAXNODES; n++)
		m.ktier[n] = -1;
	if ((v = fixture_key("cpus")))
		set_of(v, &m.cpus);
	if ((v = fixture_key("kernel"))) {
		m.kernel_dir = 1;
		snprintf(buf, sizeof(buf), "%s", v);
		for (item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
			struct nodeset s;
			set_of(strchr(item, ':') + 1, &s);
			for (int n = ns_next(&s, -1); n >= 0; n = ns_next(&s, n))
				m.ktier[n] = atoi(item);
		}
	}
	if ((v = fixture_key("perf"))) {
		snprintf(buf, sizeof(buf), "%s", v);
		for (item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
			int n = atoi(item);
			struct tierperf *p = &m.perf[n];
			sscanf(strchr(item, ':') + 1, "%u/%u/%u/%u", &p->read_latency,
			       &p->write_latency, &p->read_bandwidth, &p->write_bandwidth);
		}
	}
	if ((v = fixture_key("init"))) {
		snprintf(buf, sizeof(buf), "%s", v);
		for (item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save))
			set_of(strchr(item, ':') + 1, &m.initiators[atoi(item)]);
	}
	if ((v = fixture_key("dist"))) {
		int a = ns_next(online, -1);
		snprintf(buf, sizeof(buf), "%s", v);
		for (item = strtok_r(buf, "/", &save); item && a >= 0;
		     item = strtok_r(NULL, "/", &save), a = ns_next(online, a)) {
			char *p = item;
			for (int b = ns_next(online, -1); b >= 0 && *p; b = ns_next(online, b)) {
				dist[a * MP_MAXNODES + b] = (unsigned char)strtol(p, &p, 10);
				if (*p == ',')
					p++;
			}
		}
		m.dist = dist;
	}
	tiermap_rank(&m);
	return &m;
}

static int fake_cpu_nodes(int pid, struct nodeset *out, char *why, size_t whylen)
{
	const char *v = fixture_key("pids");
	char buf[1024], *item, *save;

	if (v) {
		snprintf(buf, sizeof(buf), "%s", v);
		for (item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save))
			if (atoi(item) == pid) {
				set_of(strchr(item, ':') + 1, out);
				return 0;
			}
	}
	snprintf(why, whylen, "no such process");
	return -1;
}

static const struct tier_source_fns fake_tiers = { fake_map, fake_cpu_nodes, NULL };

static void run_cases(const char *path)
{
	FILE *f = fopen(path, "r");
	static char line[70000], input[70000], got[20000], err[20000];
	int lineno = 0;

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		char on[64], mem[64], al[64], arg[8], in[66000], name[100];
		int used = 0;
		struct nodeset online, memory, allowed, out;
		lineno++;
		char *c = line;
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		if (!strncmp(line, "topology ", 9)) {
			if (nfixtures == FIXTURES) {
				fprintf(stderr, "unit: %s:%d: too many topologies\n", path, lineno);
				exit(2);
			}
			sscanf(line + 9, "%31s %n", fixtures[nfixtures].name, &used);
			snprintf(fixtures[nfixtures].text, sizeof(fixtures[0].text), "%s",
				 line + 9 + used);
			nfixtures++;
			continue;
		}
		fixture = NULL;
		if (line[0] == '@') {
			size_t n = strcspn(line + 1, " ");
			for (int f = 0; f < nfixtures; f++)
				if (strlen(fixtures[f].name) == n && !strncmp(fixtures[f].name, line + 1, n))
					fixture = fixtures[f].text;
			if (!fixture) {
				fprintf(stderr, "unit: %s:%d: no topology %.*s\n", path, lineno, (int)n,
					line + 1);
				exit(2);
			}
			c = line + 1 + n;
		}
		if (sscanf(c, "%63s %63s %63s %7s %65999s %n", on, mem, al, arg, in, &used) != 5 ||
		    (c[used] != '=' && c[used] != '!')) {
			fprintf(stderr, "unit: %s:%d: malformed line\n", path, lineno);
			exit(2);
		}
		set_of(on, &online);
		set_of(mem, &memory);
		if (strcmp(al, "-"))
			set_of(al, &allowed);
		unescape(in, input);
		struct nodectx ctx = { strcmp(arg, "to") == 0, &online, &memory,
				       strcmp(al, "-") ? &allowed : NULL, 42, fake_device,
				       fixture ? &fake_tiers : NULL };
		const char *want = c + used + 2;
		snprintf(name, sizeof(name), "nodespec:%d %s %.40s", lineno, arg, in);
		if (nodespec_eval(strcmp(arg, "to") ? "from-nodes" : "to-nodes", input, &ctx, &out,
				  err, sizeof(err)) == 0) {
			ns_format(&out, got, sizeof(got));
			if (c[used] == '=')
				check(!strcmp(got, want), name, "got %s, want %s", got, want);
			else
				check(0, name, "accepted as %s, want error '%s'", got, want);
		} else {
			if (c[used] == '!')
				check(!strcmp(err, want), name, "got error '%s', want '%s'", err, want);
			else
				check(0, name, "error '%s', want %s", err, want);
		}
	}
	fclose(f);
}

static void t_format(void)
{
	static const char *lists[] = { "0", "0-3", "0,2,5", "0-1,3", "1023", "0-1023",
				       "0,1023", "5-6,8-9,11" };
	char buf[6000];
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		struct nodeset s;
		char name[64];
		set_of(lists[i], &s);
		ns_format(&s, buf, sizeof(buf));
		snprintf(name, sizeof(name), "format %s", lists[i]);
		check(!strcmp(buf, lists[i]), name, "got %s, want %s", buf, lists[i]);
	}
	struct nodeset s;
	ns_clear(&s);
	ns_format(&s, buf, sizeof(buf));
	check(!strcmp(buf, "none"), "format empty", "got %s, want %s", buf, "none");
	/* a small buffer is cut, terminated, and the full length is returned */
	set_of("0-3,8", &s);
	size_t need = ns_format(&s, buf, 4);
	check(need == 5 && strlen(buf) < 4, "format truncates", "%s%s", buf, "");
}

static void t_read_list(void)
{
	static const struct { const char *in; const char *want; } c[] = {
		{ "0-3\n", "0-3" }, { "", "none" }, { "\n", "none" }, { "0,2,5\n", "0,2,5" },
		{ "0-1023\n", "0-1023" }, { "1024\n", NULL }, { "3-1\n", NULL }, { "0,\n", NULL },
		{ "a\n", NULL }, { "0-\n", NULL }, { "-1\n", NULL }, { "0 1\n", NULL },
		{ "007\n", "7" }, { ",0\n", NULL },
	};
	char buf[6000], name[64];
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct nodeset s;
		int r = ns_read_list(c[i].in, strlen(c[i].in), &s);
		snprintf(name, sizeof(name), "read_list %zu", i);
		if (!c[i].want) {
			check(r < 0, name, "accepted %s%s", c[i].in, "");
			continue;
		}
		ns_format(&s, buf, sizeof(buf));
		check(r == 0 && !strcmp(buf, c[i].want), name, "got %s, want %s", buf, c[i].want);
	}
}

/* Each case: from, to, and the final node of every from-node, "s>d ..." */
static void t_plan(void)
{
	static const struct { const char *from, *to, *want; } c[] = {
		{ "2-5", "7,9,12-13", "2>7 3>9 4>12 5>13" },
		{ "0-7", "3-5", "0>3 1>4 2>5 3>3 4>4 5>5 6>3 7>4" },
		{ "2-4", "3-5", "2>3 3>4 4>5" },
		{ "0", "1", "0>1" },
		{ "0-1", "2-3", "0>2 1>3" },
		{ "0-3", "1-2", "0>1 1>1 2>2 3>2" },
		{ "0-1", "1-2", "0>1 1>2" },
		/* lists are sets: "1,0" is 0-1, so nothing moves (no swap) */
		{ "0-1", "1,0", "0>0 1>1" },
		{ "0", "0", "0>0" },
		{ "0-3", "0-3", "0>0 1>1 2>2 3>3" },
		{ "1", "0-3", "1>1" },
		{ "0", "0-3", "0>0" },
		{ "3", "0-2", "3>0" },
		{ "1022-1023", "0-1", "1022>0 1023>1" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct nodeset from, to;
		static struct mig_step steps[MP_MAXNODES];
		char got[400] = "", name[80];
		size_t o = 0;
		set_of(c[i].from, &from);
		set_of(c[i].to, &to);
		int n = mig_plan(&from, &to, steps);
		for (int s = ns_next(&from, -1); s >= 0; s = ns_next(&from, s))
			o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%d>%d", o ? " " : "", s,
					      mig_final(steps, n, s));
		snprintf(name, sizeof(name), "plan %s -> %s", c[i].from, c[i].to);
		check(!strcmp(got, c[i].want), name, "got %s, want %s", got, c[i].want);
	}
	/* drained nodes: 0-1 -> 1-2 empties 0, not 1 (it receives 0's pages) */
	struct nodeset from, to, d;
	struct mig_step steps[MP_MAXNODES];
	char buf[100];
	set_of("0-1", &from);
	set_of("1-2", &to);
	mig_drained(steps, mig_plan(&from, &to, steps), &d);
	ns_format(&d, buf, sizeof(buf));
	check(!strcmp(buf, "0"), "drained 0-1 -> 1-2", "got %s, want %s", buf, "0");
}

static void feed_all(struct usage *u, const char *text, size_t chunk)
{
	struct nm_parser p;
	size_t len = strlen(text);
	nm_init(&p, u, 4);
	for (size_t i = 0; i < len; i += chunk)
		nm_feed(&p, text + i, len - i < chunk ? len - i : chunk);
	nm_finish(&p);
}

static void t_numa_maps(void)
{
	static const char text[] =
		"55eb072e3000 default file=/usr/bin/cat mapped=2 N0=2 kernelpagesize_kB=4\n"
		"7f0000000000 default anon=512 dirty=512 N1=512 kernelpagesize_kB=2048\n"
		"7f1000000000 interleave:0-1 anon=4 dirty=4 N0=2 N1=2 kernelpagesize_kB=4\n"
		"7f2000000000 default\n"
		"7f3000000000 weighted interleave:0-3 anon=1 N3=1 kernelpagesize_kB=4\n"
		/* a file name with spaces that looks like counts must not count */
		"7f4000000000 default file=/tmp/x\\sN2=999 kernelpagesize_kB=4 mapped=1 N2=1 kernelpagesize_kB=4\n"
		/* an old kernel without kernelpagesize_kB: the base page size */
		"7f5000000000 default anon=3 N2=3\n"
		"7f6000000000 prefer (many):0-1 anon=1 N0=1 kernelpagesize_kB=4";
	char fixed[sizeof(text)];
	/* unescape \s in the test text (it stands for a space inside a file name) */
	size_t o = 0;
	for (size_t i = 0; text[i]; i++) {
		if (text[i] == '\\' && text[i + 1] == 's') {
			fixed[o++] = ' ';
			i++;
		} else {
			fixed[o++] = text[i];
		}
	}
	fixed[o] = 0;
	static struct usage u;
	uint64_t want0 = (2 + 2 + 1) * 4096ULL, want1 = 512 * 2048 * 1024ULL + 2 * 4096ULL;
	uint64_t want2 = 1 * 4096ULL + 3 * 4096ULL, want3 = 4096;
	static const size_t chunks[] = { 1, 2, 3, 7, 64, 4096 };
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		char name[64], got[200], want[200];
		feed_all(&u, fixed, chunks[c]);
		snprintf(name, sizeof(name), "numa_maps chunk %zu", chunks[c]);
		snprintf(got, sizeof(got), "%llu %llu %llu %llu total %llu",
			 (unsigned long long)u.bytes[0], (unsigned long long)u.bytes[1],
			 (unsigned long long)u.bytes[2], (unsigned long long)u.bytes[3],
			 (unsigned long long)u.total);
		snprintf(want, sizeof(want), "%llu %llu %llu %llu total %llu",
			 (unsigned long long)want0, (unsigned long long)want1,
			 (unsigned long long)want2, (unsigned long long)want3,
			 (unsigned long long)(want0 + want1 + want2 + want3));
		check(!strcmp(got, want), name, "got %s, want %s", got, want);
	}
	/* the bytes of mappings with a page mapped more than once (mapmax), per
	 * node: what an unprivileged migrate_pages leaves */
	feed_all(&u, "55e0 default file=/bin/busybox mapped=300 mapmax=12 N0=300 kernelpagesize_kB=4\n"
		 "7f00 default anon=5 dirty=5 N0=4 N1=1 kernelpagesize_kB=4\n"
		 "7f10 default file=/lib/libc.so.6 mapped=2 mapmax=2 N1=2 kernelpagesize_kB=4\n", 7);
	{
		char a[32], b[32];
		snprintf(a, sizeof(a), "%llu", (unsigned long long)u.shared[0]);
		snprintf(b, sizeof(b), "%llu", (unsigned long long)u.shared[1]);
		check(u.bytes[0] == 304 * 4096ULL && u.shared[0] == 300 * 4096ULL &&
		      u.bytes[1] == 3 * 4096ULL && u.shared[1] == 2 * 4096ULL,
		      "numa_maps: bytes in shared mappings (mapmax)", "got shared %s %s", a, b);
	}
	/* blanks in a row are no token; a line ending in a blank still counts */
	feed_all(&u, "7f0 default anon=2 N0=1 N1=1 \n7f1 default anon=1 N2=1  kernelpagesize_kB=4\n", 5);
	check(u.bytes[0] == 4096 && u.bytes[1] == 4096 && u.bytes[2] == 4096,
	      "numa_maps blanks in a row", "%s%s", "", "");
	/* a mapping interleaved over 70 nodes keeps every node's count */
	static char wide[4000];
	size_t w = (size_t)snprintf(wide, sizeof(wide), "7f0 interleave:0-69 anon=70");
	for (int n = 0; n < 70; n++)
		w += (size_t)snprintf(wide + w, sizeof(wide) - w, " N%d=1", n);
	snprintf(wide + w, sizeof(wide) - w, " kernelpagesize_kB=4\n");
	feed_all(&u, wide, 13);
	check(u.bytes[0] == 4096 && u.bytes[69] == 4096 && u.total == 70 * 4096ULL,
	      "numa_maps 70 nodes on one line", "%s%s", "", "");
	/* a line far longer than any buffer, and a node number beyond 1023 */
	static char big[200000];
	memset(big, 'x', sizeof(big) - 100);
	strcpy(big + sizeof(big) - 100, " N1024=5 N7=1 kernelpagesize_kB=4\n");
	feed_all(&u, big, 4096);
	check(u.bytes[7] == 4096 && u.total == 4096, "numa_maps long line", "%s%s", "", "");
}

/* fmt() against the C library's snprintf, for every form the tool uses */
static void t_fmt(void)
{
	char a[200], b[200], name[80];
	int i = 0;
#define SAME(...) do { \
		size_t na = fmt(a, sizeof(a), __VA_ARGS__); \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__); \
		fmt(name, sizeof(name), "fmt %d", ++i); \
		check(na == (size_t)nb && !strcmp(a, b), name, "got '%s', want '%s'", a, b); \
	} while (0)
	SAME("plain");
	SAME("%d %d %d %i", 0, -1, 2147483647, -2147483647 - 1);
	SAME("%u %u", 0u, 4294967295u);
	SAME("%ld %lu", -9223372036854775807L - 1, 18446744073709551615UL);
	SAME("%lld %llu", -5LL, 18446744073709551615ULL);
	SAME("%zu", (size_t)12345);
	SAME("%x %02x %02x", 255u, 7u, 0xabu);
	SAME("[%5d] [%-5d] [%05d] [%05d]", 42, 42, 42, -42);
	SAME("[%12s] [%-12s] [%5s]", "abc", "abc", "toolongtext");
	SAME("[%.*s] [%.3s] [%.0s]", 2, "abcdef", "abcdef", "x");
	SAME("%c%c %%", 'a', 'Z');
	SAME("%s: '%s': %s", "to-nodes", "0-x", "range 0- has no end");
	SAME("%llu.%06llu", 1ULL, 5ULL);
	SAME("%*d|%-*d|", 6, 1, 6, 2);
	/* truncation: the length the whole text needs, and a terminated buffer */
	size_t n = fmt(a, 5, "%s", "abcdefgh");
	check(n == 8 && !strcmp(a, "abcd"), "fmt truncates", "got '%s'%s", a, "");
	n = fmt(a, 0, "%d", 12345);
	check(n == 5, "fmt with no room", "%s%s", "", "");
}

static void t_pci_addr(void)
{
	static const struct { const char *in, *want; } ok[] = {
		{ "0000:80:00.0", "0000:80:00.0" }, { "80:00.0", "0000:80:00.0" },
		{ "0:80:0", "0000:80:00.0" },       { "00:1f.7", "0000:00:1f.7" },
		{ "0001:0A:1b.3", "0001:0a:1b.3" }, { "10000:e0:00.0", "10000:e0:00.0" },
	};
	static const char *bad[] = { "", "80", "80:00.8", "80:20.0", "100:00.0", "80:00.",
				     "80:00.0x", "x:80:00.0", "0:0:0:0", ":00.0", "80:.0",
				     "123456789:00:00.0", "80:00.00", "eth0" };
	char canon[32], name[64];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(name, sizeof(name), "pci address %s", ok[i].in);
		canon[0] = 0;
		check(pci_addr_parse(ok[i].in, canon, sizeof(canon)) == 0 &&
		      !strcmp(canon, ok[i].want), name, "got '%s', want '%s'", canon, ok[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "pci address '%s' refused", bad[i]);
		check(pci_addr_parse(bad[i], canon, sizeof(canon)) < 0, name, "accepted as %s%s",
		      canon, "");
	}
}

/* Routing tables as the kernel prints them (x86_64, so the IPv4 words show
 * their bytes reversed; the parser reads them as native words either way). */
static void t_routes(void)
{
	static const char *v4 =
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
		"eth0\t00000000\t0102000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
		"eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
		"eth1\t0000000A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
		"wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
		"lo\t0000FEA9\t00000000\t0201\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
		"eth2\t0000A8C0\t00000000\t0000\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
	static const char *v6 =
		"fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
		"fd000000000000000000000000000000 30 00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth1\n"
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
		"fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth1\n"
		"00000000000000000000000000000001 80 00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo\n"
		"fd000000000000000000000000000002 80 00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00000000 00000003 00000000 80200001     eth0\n"
		"20010db8000000000000000000000000 20 00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";
	static const struct { int v6; unsigned char a[16]; const char *want; } q[] = {
		{ 0, { 10, 0, 2, 15 }, "eth0" },   /* the /24 beats the /16 and defaults */
		{ 0, { 10, 0, 3, 1 }, "eth1" },    /* the /16 */
		{ 0, { 8, 8, 8, 8 }, "eth0" },     /* default: metric 100 beats 600 */
		{ 0, { 169, 254, 1, 1 }, "eth0" }, /* a reject route is skipped */
		{ 0, { 192, 168, 1, 1 }, "eth0" }, /* a route that is not up too */
		{ 1, { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 }, "eth0" },
		{ 1, { 0xfd, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 }, "eth1" },
		{ 1, { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 }, "eth0" },
		{ 1, { [15] = 1 }, "lo" },
		{ 1, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, "eth1" },
		{ 1, { 0x26, 0x06, [15] = 1 }, "eth1" },
	};
	char line[512], name[64];
	const unsigned one = 1;
	const int big_endian = *(const unsigned char *)&one == 0;

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct route_pick r;
		if (big_endian && !q[i].v6) {
			/* the IPv4 table above is a little-endian kernel's */
			printf("SKIP route %zu (IPv4): the table is a little-endian one\n", i);
			continue;
		}
		const char *t = q[i].v6 ? v6 : v4;
		route_init(&r);
		while (*t) {
			size_t n = strcspn(t, "\n");
			snprintf(line, sizeof(line), "%.*s", (int)n, t);
			(q[i].v6 ? route6_line : route4_line)(line, q[i].a, &r);
			t += n + (t[n] == '\n');
		}
		snprintf(name, sizeof(name), "route %zu (IPv%d)", i, q[i].v6 ? 6 : 4);
		check(r.plen >= 0 && !strcmp(r.dev, q[i].want), name, "got '%s', want '%s'",
		      r.plen >= 0 ? r.dev : "(none)", q[i].want);
	}
	/* no default route: nothing matches */
	struct route_pick r;
	const unsigned char a[4] = { 172, 16, 0, 1 };
	route_init(&r);
	if (big_endian)
		return;
	route4_line("eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0", a, &r);
	check(r.plen < 0, "route: no match", "got '%s'%s", r.dev, "");
}

/* The line reader: a line longer than its buffer comes as its head and its
 * tail joined at a blank (NUL-terminated: it used to run on into the next
 * field), the middle read in large pieces and dropped, the next lines come
 * whole, and a last line without a newline still counts. A numa_maps line
 * with a path longer than the buffer keeps its N<node>= counts (they were
 * cut off with the path). Fed through a pipe in small writes, so that lines
 * straddle reads. */
static void t_lines(void)
{
	static struct lines l;
	static char big[20000], path[40000], nmline[40100];
	const char *want[] = { "first", NULL, "third", "", NULL, "last" };
	int fd[2], ok = 1, n = 0;
	char name[64];
	pid_t kid;
	const char *s;
	struct nm_line nl;

	memset(big, 'x', sizeof(big) - 1);
	big[0] = 'B';
	big[sizeof(big) - 2] = 'E';
	memset(path, 'a', sizeof(path) - 1);
	snprintf(nmline, sizeof(nmline), "7f0000000000 default file=/%s dirty=3 N0=2 N1=1 "
		 "kernelpagesize_kB=4\n", path);
	if (pipe(fd) != 0 || (kid = fork()) < 0) {
		check(0, "lines: pipe and fork", "%s%s", "failed", "");
		return;
	}
	if (kid == 0) {
		const char *parts[] = { "fir", "st\n", big, "\nthi", "rd\n\n", nmline, "la", "st" };
		close(fd[0]);
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			if (write(fd[1], parts[i], strlen(parts[i])) < 0)
				_exit(1);
		_exit(0);
	}
	close(fd[1]);
	lines_open(&l, fd[0]);
	while ((s = lines_next(&l)) && n < 6) {
		if (n == 1)
			ok &= strlen(s) < LINE_BUF && s[0] == 'B' && s[1] == 'x' &&
			      s[strlen(s) - 1] == 'E' && strchr(s, ' ') == s + LINE_BUF / 4 &&
			      !strchr(s + LINE_BUF / 4 + 1, ' ');
		else if (n == 4)
			ok &= nm_parse_line(s, 4096, &nl) == 0 && nl.start == 0x7f0000000000UL &&
			      nl.nnodes == 2 && nl.n[0].node == 0 && nl.n[0].pages == 2 &&
			      nl.n[1].node == 1 && nl.n[1].pages == 1 && nl.pagesize == 4096 &&
			      !strcmp(s, "7f0000000000 default dirty=3 N0=2 N1=1 kernelpagesize_kB=4");
		else
			ok &= !strcmp(s, want[n]);
		snprintf(name, sizeof(name), "lines: line %d", n + 1);
		check(ok, name, "got '%.80s'%s", s, ok ? "" : " (wrong)");
		n++;
	}
	check(n == 6 && !s && !l.err, "lines: six lines, then the end", "%s%s",
	      n == 6 ? "more lines than six" : "fewer lines", "");
	close(fd[0]);
	waitpid(kid, NULL, 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: unit CASES-FILE\n");
		return 2;
	}
	run_cases(argv[1]);
	t_format();
	t_read_list();
	t_plan();
	t_numa_maps();
	t_fmt();
	t_pci_addr();
	t_routes();
	t_lines();
	return failures ? 1 : 0;
}
