/* tiers.h - the memory tier map behind the tier forms of node lists (fast,
 * slow, tier:N, near:PID): facts read from sysfs (tiers_sys.c), ranked here
 * by a pure function so that the tests can feed it any topology.
 *
 * Resolution order (man page, NODE LISTS):
 *   1. the kernel's memory tiers (/sys/devices/virtual/memory_tiering/
 *      memory_tierN/nodelist; lower N is faster, N is not a rank);
 *   2. where the kernel has no such directory or puts every node with memory
 *      in one tier: the firmware's rated figures (ACPI HMAT, CXL CDAT) of
 *      /sys/devices/system/node/nodeN/access0/initiators/, turned into the
 *      kernel's abstract distance (mm/memory-tiers.c: latency and bandwidth
 *      relative to the nodes with CPUs, in chunks of 128);
 *   3. else the distance table: nodes with CPUs, and CPU-less nodes no
 *      farther from their nearest CPU node than its own distance, are tier
 *      0; the other CPU-less nodes follow by that distance. A guess.
 * A fallback that cannot split the nodes either leaves the kernel's one tier.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_TIERS_H
#define MP_TIERS_H

#include <stdint.h>

#include "bitmap.h"

enum tier_source { TIER_KERNEL = 1, TIER_HMAT, TIER_DISTANCE };

/* A node's rated figures (access0: from its best initiators); 0: unknown. */
struct tierperf {
	uint32_t read_latency, write_latency;     /* ns */
	uint32_t read_bandwidth, write_bandwidth; /* MB/s */
};

struct tiermap {
	/* the facts (tiers_sys.c reads them; the tests write them) */
	struct nodeset online, memory, cpus;   /* cpus: nodes with CPUs */
	int kernel_dir;                        /* memory_tiering was read */
	int ktier[MP_MAXNODES];                /* memory_tierN's N per node, -1 */
	struct tierperf perf[MP_MAXNODES];
	struct nodeset initiators[MP_MAXNODES]; /* access0/initiators/nodeM */
	const unsigned char *dist;             /* [a * MP_MAXNODES + b]; NULL: none */
	/* the result (tiermap_rank) */
	int source;                            /* enum tier_source */
	int guess;                             /* only the distance table split them */
	int ntiers;
	int rank[MP_MAXNODES];                 /* tier of a node with memory, else -1 */
	long key[MP_MAXNODES];                 /* per tier: the kernel's N, the
						* abstract distance's N, or the distance */
};

/* The names of a source, as -v and --json print them. */
const char *tier_source_name(int source);

/* Ranks the nodes with memory (sets source, guess, ntiers, rank, key) from
 * the facts, in the order above. */
void tiermap_rank(struct tiermap *m);

/* The nodes of tier r (r < ntiers). */
void tiermap_tier(const struct tiermap *m, int r, struct nodeset *out);

/* near: the nodes with memory closest to the CPU nodes cpu_nodes: by rated
 * read latency among the nodes that name one of them as a best initiator,
 * else by the distance table. Returns 0 (how: "rated latency" or
 * "distance"), or -1 when neither says anything. */
int tiermap_near(const struct tiermap *m, const struct nodeset *cpu_nodes,
		 struct nodeset *out, const char **how);

/* What the node-list resolver asks (struct nodectx): the tier map, loaded
 * when a tier form is first resolved; and the nodes whose CPUs a process may
 * run on. Each returns NULL / -1 with one phrase in why. */
struct tier_source_fns {
	const struct tiermap *(*map)(const struct nodeset *online, const struct nodeset *memory,
				     char *why, size_t whylen);
	int (*cpu_nodes)(int pid, struct nodeset *out, char *why, size_t whylen);
	/* told each near:PID's answer, for the reports; may be NULL */
	void (*near_seen)(int pid, const struct nodeset *cpu_nodes, const struct nodeset *nodes,
			  const char *how);
};

#endif
