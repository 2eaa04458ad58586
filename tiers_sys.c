/* tiers_sys.c - the facts of the tier map, read from sysfs only when a tier
 * form is resolved (a plain node list opens none of these files), and the
 * nodes whose CPUs a process may run on (near:PID).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fmt.h"
#include "mem.h"
#include "sysinfo.h"
#include "tiers.h"
#include "tiers_sys.h"

#define NODE_DIR "/sys/devices/system/node"
#define TIER_DIR "/sys/devices/virtual/memory_tiering"

static struct tiermap map;
static int loaded;

/* A decimal number ended by a newline or the end; 0 when there is none. */
static uint32_t read_u32(const char *path)
{
	char buf[32];
	const char *p = buf;
	unsigned long long v = 0;

	if (read_small(path, buf, sizeof(buf)) <= 0 || dec_scan(&p, NULL, 0xffffffffULL, &v) <= 0)
		return 0;
	return (uint32_t)v;
}

/* memory_tierN/nodelist for every tier directory. Returns 0 when the
 * directory is there. */
static int read_kernel_tiers(struct tiermap *m)
{
	struct dents d;
	const char *name;
	unsigned char type;
	int fd = open(TIER_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC), e;
	static char path[300], buf[8192];

	if (fd < 0)
		return -1;
	dents_open(&d, fd);
	while ((name = dents_next(&d, &type, &e)) != NULL) {
		unsigned long long id;
		const char *p = name + 11;
		struct nodeset s;
		long n;
		if (strncmp(name, "memory_tier", 11) != 0 ||
		    dec_scan(&p, NULL, 1UL << 30, &id) <= 0 || *p)
			continue;
		fmt(path, sizeof(path), "%s/%s/nodelist", TIER_DIR, name);
		if ((n = read_small(path, buf, sizeof(buf))) < 0 ||
		    ns_read_list(buf, (size_t)n, &s) < 0)
			continue;
		for (int k = ns_next(&s, -1); k >= 0; k = ns_next(&s, k))
			m->ktier[k] = (int)id;
	}
	close(fd);
	return 0;
}

/* access0's rated figures and best initiators of node n. */
static void read_perf(struct tiermap *m, int n)
{
	static char path[300];
	static const char *const f[4] = { "read_latency", "write_latency", "read_bandwidth",
					  "write_bandwidth" };
	uint32_t *v[4] = { &m->perf[n].read_latency, &m->perf[n].write_latency,
			   &m->perf[n].read_bandwidth, &m->perf[n].write_bandwidth };
	struct dents d;
	const char *name;
	unsigned char type;
	int fd, e;

	for (int i = 0; i < 4; i++) {
		fmt(path, sizeof(path), NODE_DIR "/node%d/access0/initiators/%s", n, f[i]);
		*v[i] = read_u32(path);
	}
	fmt(path, sizeof(path), NODE_DIR "/node%d/access0/initiators", n);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	dents_open(&d, fd);
	while ((name = dents_next(&d, &type, &e)) != NULL) {
		unsigned long long k;
		const char *p = name + 4;
		if (strncmp(name, "node", 4) == 0 && dec_scan(&p, NULL, MP_MAXNODES - 1, &k) > 0 && !*p)
			ns_add(&m->initiators[n], (int)k);
	}
	close(fd);
}

/* Node n's row of the distance table: one number per online node, in order. */
static void read_distances(struct tiermap *m, unsigned char *dist, int n)
{
	static char path[300], buf[8192];
	const char *p = buf;
	int to = ns_next(&m->online, -1);

	fmt(path, sizeof(path), NODE_DIR "/node%d/distance", n);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return;
	while (to >= 0) {
		unsigned long long v;
		while (*p == ' ')
			p++;
		if (dec_scan(&p, NULL, 255, &v) <= 0)
			return;
		dist[(size_t)n * MP_MAXNODES + (size_t)to] = (unsigned char)v;
		to = ns_next(&m->online, to);
	}
}

static const struct tiermap *sys_map(const struct nodeset *online, const struct nodeset *memory,
				     char *why, size_t whylen)
{
	static char buf[8192];
	unsigned char *dist;
	long n;

	if (loaded)
		return &map;
	if (access(NODE_DIR, F_OK) < 0) {
		fmt(why, whylen, "no %s (is sysfs mounted?)", NODE_DIR);
		return NULL;
	}
	map.online = *online;
	map.memory = *memory;
	for (int k = 0; k < MP_MAXNODES; k++)
		map.ktier[k] = -1;
	if ((n = read_small(NODE_DIR "/has_cpu", buf, sizeof(buf))) >= 0)
		ns_read_list(buf, (size_t)n, &map.cpus);
	map.kernel_dir = read_kernel_tiers(&map) == 0;
	for (int k = ns_next(memory, -1); k >= 0; k = ns_next(memory, k))
		read_perf(&map, k);
	dist = mem_get((size_t)MP_MAXNODES * MP_MAXNODES);
	if (dist) {
		for (int k = ns_next(online, -1); k >= 0; k = ns_next(online, k))
			read_distances(&map, dist, k);
		map.dist = dist;
	}
	tiermap_rank(&map);
	loaded = 1;
	return &map;
}

/* The CPUs of node n (its cpulist) that are set in the mask. */
static int node_runs(int n, const unsigned long *mask, size_t bits)
{
	static char path[300], buf[16384];
	const char *p = buf;

	fmt(path, sizeof(path), NODE_DIR "/node%d/cpulist", n);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	for (;;) {
		unsigned long long a, b;
		if (dec_scan(&p, NULL, 1 << 22, &a) <= 0)
			return 0;
		b = a;
		if (*p == '-') {
			p++;
			if (dec_scan(&p, NULL, 1 << 22, &b) <= 0)
				return 0;
		}
		for (unsigned long long c = a; c <= b && c < bits; c++)
			if (mask[c / (8 * sizeof(long))] >> (c % (8 * sizeof(long))) & 1)
				return 1;
		if (*p != ',')
			return 0;
		p++;
	}
}

static int sys_cpu_nodes(int pid, struct nodeset *out, char *why, size_t whylen)
{
	static unsigned long mask[8192 / (8 * sizeof(long))];
	long got = syscall(SYS_sched_getaffinity, pid, sizeof(mask), mask);
	struct nodeset cpus;
	static char buf[8192];
	long n;

	ns_clear(out);
	if (got < 0) {
		fmt(why, whylen, "%s", errno == ESRCH ? "no such process"
		    : strerror(errno));
		return -1;
	}
	if (loaded) {
		cpus = map.cpus; /* (read once: the resolver asks for the map first) */
	} else if ((n = read_small(NODE_DIR "/has_cpu", buf, sizeof(buf))) < 0 ||
		   ns_read_list(buf, (size_t)n, &cpus) < 0) {
		fmt(why, whylen, "cannot read " NODE_DIR "/has_cpu: %s",
		    n < 0 ? strerror(errno) : "not a node list");
		return -1;
	}
	for (int k = ns_next(&cpus, -1); k >= 0; k = ns_next(&cpus, k))
		if (node_runs(k, mask, (size_t)got * 8))
			ns_add(out, k);
	if (ns_next(out, -1) < 0) {
		fmt(why, whylen, "none of the CPUs process %d may run on belongs to a node", pid);
		return -1;
	}
	return 0;
}

static struct near_answer nears[2 * MP_NEAR_MAX];
static int nnears;

static void sys_near_seen(int pid, const struct nodeset *cpu_nodes, const struct nodeset *nodes,
			  const char *how)
{
	for (int i = 0; i < nnears; i++)
		if (nears[i].pid == pid)
			return;
	if (nnears == (int)(sizeof(nears) / sizeof(nears[0])))
		return;
	nears[nnears].pid = pid;
	nears[nnears].cpu_nodes = *cpu_nodes;
	nears[nnears].nodes = *nodes;
	nears[nnears].how = how;
	nnears++;
}

int tiers_near(const struct near_answer **v)
{
	*v = nears;
	return nnears;
}

const struct tier_source_fns tiers_sysfs = { sys_map, sys_cpu_nodes, sys_near_seen };

const struct tiermap *tiers_loaded(void)
{
	return loaded ? &map : NULL;
}
