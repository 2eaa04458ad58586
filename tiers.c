/* tiers.c - the tier map, ranked from its facts (see tiers.h). Pure: no file
 * is read and no system call is made.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include <string.h>

#include "tiers.h"

const char *tier_source_name(int source)
{
	switch (source) {
	case TIER_KERNEL: return "kernel";
	case TIER_HMAT: return "hmat";
	case TIER_DISTANCE: return "distance";
	}
	return "none";
}

/* Ranks the nodes with memory by key (nodes without a key: -1 stay out),
 * lowest first; equal keys share a tier. Returns the number of tiers. */
static int rank_by(struct tiermap *m, const long *nodekey)
{
	long last = -1;
	int r = -1;

	for (int n = 0; n < MP_MAXNODES; n++)
		m->rank[n] = -1;
	for (;;) {
		long lo = -1;
		for (int n = ns_next(&m->memory, -1); n >= 0; n = ns_next(&m->memory, n))
			if (nodekey[n] >= 0 && nodekey[n] > last && (lo < 0 || nodekey[n] < lo))
				lo = nodekey[n];
		if (lo < 0)
			break;
		r++;
		m->key[r] = lo;
		for (int n = ns_next(&m->memory, -1); n >= 0; n = ns_next(&m->memory, n))
			if (nodekey[n] == lo)
				m->rank[n] = r;
		last = lo;
	}
	return r + 1;
}

/* mm/memory-tiers.c: MEMTIER_ADISTANCE_DRAM, in chunks of 1 << 7 */
#define ADIST_DRAM (4 * 128 + 64)
#define ADIST_CHUNK_BITS 7

/* The abstract distance of each node with memory from its rated figures,
 * as the kernel computes it: nodes with CPUs (and nodes without figures) are
 * DRAM; the others scale by latency and inverse bandwidth relative to the
 * mean of the DRAM nodes' figures. Returns how many nodes were placed by
 * their figures (0: the figures cannot rank anything). */
static int hmat_keys(const struct tiermap *m, long *key)
{
	uint64_t lat = 0, bw = 0, k = 0;
	int rated = 0;

	for (int n = ns_next(&m->memory, -1); n >= 0; n = ns_next(&m->memory, n)) {
		const struct tierperf *p = &m->perf[n];
		if (ns_has(&m->cpus, n) && p->read_latency && p->write_latency &&
		    p->read_bandwidth && p->write_bandwidth) {
			lat += (uint64_t)p->read_latency + p->write_latency;
			bw += (uint64_t)p->read_bandwidth + p->write_bandwidth;
			k++;
		}
	}
	for (int n = ns_next(&m->memory, -1); n >= 0; n = ns_next(&m->memory, n)) {
		const struct tierperf *p = &m->perf[n];
		uint64_t a = ADIST_DRAM;
		if (k && !ns_has(&m->cpus, n) && p->read_latency && p->write_latency &&
		    p->read_bandwidth && p->write_bandwidth) {
			/* (a * lat_n / lat_dram) * bw_dram / bw_n, with the means' k
			 * cancelled, in 64 bits: latencies and bandwidths are 32 */
			a = a * ((uint64_t)p->read_latency + p->write_latency) * k / lat;
			a = a * bw / (k * ((uint64_t)p->read_bandwidth + p->write_bandwidth));
			rated++;
		}
		key[n] = (long)(a >> ADIST_CHUNK_BITS);
	}
	return rated;
}

/* The distance table's guess: 0 for nodes with CPUs and for CPU-less nodes
 * as near to a CPU node as its own memory; else the distance to the nearest
 * CPU node. Returns 0, or -1 when there is no table or no CPU node. */
static int distance_keys(const struct tiermap *m, long *key)
{
	if (!m->dist || ns_next(&m->cpus, -1) < 0)
		return -1;
	for (int n = ns_next(&m->memory, -1); n >= 0; n = ns_next(&m->memory, n)) {
		long best = -1, local = 0;
		if (ns_has(&m->cpus, n)) {
			key[n] = 0;
			continue;
		}
		for (int c = ns_next(&m->cpus, -1); c >= 0; c = ns_next(&m->cpus, c)) {
			long d = m->dist[(size_t)c * MP_MAXNODES + (size_t)n];
			if (d && (best < 0 || d < best)) {
				best = d;
				local = m->dist[(size_t)c * MP_MAXNODES + (size_t)c];
			}
		}
		key[n] = best < 0 ? -1 : best <= local ? 0 : best;
	}
	return 0;
}

void tiermap_rank(struct tiermap *m)
{
	static long key[MP_MAXNODES];
	int kernel_tiers = 0;

	m->guess = 0;
	if (m->kernel_dir) {
		for (int n = 0; n < MP_MAXNODES; n++)
			key[n] = m->ktier[n];
		kernel_tiers = rank_by(m, key);
		m->source = TIER_KERNEL;
		m->ntiers = kernel_tiers;
		if (kernel_tiers >= 2)
			return;
	}
	if (hmat_keys(m, key) > 0 && rank_by(m, key) >= 2) {
		m->ntiers = rank_by(m, key);
		m->source = TIER_HMAT;
		return;
	}
	if (distance_keys(m, key) == 0 && rank_by(m, key) >= 2) {
		m->ntiers = rank_by(m, key);
		m->source = TIER_DISTANCE;
		m->guess = 1;
		return;
	}
	if (m->kernel_dir && kernel_tiers == 1) {
		for (int n = 0; n < MP_MAXNODES; n++)
			key[n] = m->ktier[n];
		m->ntiers = rank_by(m, key);
		return;
	}
	/* no tiers from the kernel and nothing that splits the nodes: one tier
	 * of every node with memory, by the distance table's word */
	for (int n = 0; n < MP_MAXNODES; n++)
		key[n] = ns_has(&m->memory, n) ? 0 : -1;
	m->ntiers = rank_by(m, key);
	m->source = TIER_DISTANCE;
	m->guess = 1;
}

void tiermap_tier(const struct tiermap *m, int r, struct nodeset *out)
{
	ns_clear(out);
	for (int n = ns_next(&m->memory, -1); n >= 0; n = ns_next(&m->memory, n))
		if (m->rank[n] == r)
			ns_add(out, n);
}

int tiermap_near(const struct tiermap *m, const struct nodeset *cpu_nodes,
		 struct nodeset *out, const char **how)
{
	long best = -1;

	ns_clear(out);
	for (int n = ns_next(&m->memory, -1); n >= 0; n = ns_next(&m->memory, n)) {
		struct nodeset both;
		long lat = m->perf[n].read_latency;
		ns_and(&both, &m->initiators[n], cpu_nodes);
		if (!lat || ns_next(&both, -1) < 0)
			continue;
		if (best < 0 || lat < best) {
			best = lat;
			ns_clear(out);
		}
		if (lat == best)
			ns_add(out, n);
	}
	if (best >= 0) {
		*how = "rated latency";
		return 0;
	}
	if (!m->dist)
		return -1;
	for (int n = ns_next(&m->memory, -1); n >= 0; n = ns_next(&m->memory, n)) {
		long d = -1;
		for (int c = ns_next(cpu_nodes, -1); c >= 0; c = ns_next(cpu_nodes, c)) {
			long x = m->dist[(size_t)c * MP_MAXNODES + (size_t)n];
			if (x && (d < 0 || x < d))
				d = x;
		}
		if (d < 0)
			continue;
		if (best < 0 || d < best) {
			best = d;
			ns_clear(out);
		}
		if (d == best)
			ns_add(out, n);
	}
	*how = "distance";
	return best < 0 ? -1 : 0;
}
