/* shmtruth - the truth about a shared mapping's pages (PostgreSQL's
 * shared_buffers), seen from outside the processes that map it.
 *
 *   shmtruth snap PID START-END OUT
 *       one 64-bit hash per page of the mapping START-END (hex, as in
 *       /proc/PID/maps) into OUT, read through /proc/PID/map_files/START-END
 *       with pread(2): the shared memory object itself, so that no page table
 *       of any process is touched (a read(2) of shmem marks the folio
 *       accessed: idle page tracking and DAMON see it, soft-dirty does not).
 *       A page never allocated reads as zeros.
 *   shmtruth memsnap PID START-END OUT
 *       the same for a private mapping (a heap), read through /proc/PID/mem:
 *       a read marks the folio accessed (idle page tracking and DAMON see it)
 *       and never sets a soft-dirty bit; a page not present reads as zeros
 *       (the read maps the zero page there, never new memory).
 *   shmtruth nodes START-END OUT PID...
 *       the node of each page of the mapping (one a line; -1: mapped by none
 *       of the PIDs), from the frame numbers of the PIDs' pagemaps (root) and
 *       the nodes' frame spans in /proc/zoneinfo. Every process mapping a page
 *       maps the same frame; the first that maps it is asked.
 *   shmtruth judge A B NODES SLOW
 *       the pages whose hash differs between snapshots A and B (written
 *       between them), and where they are (NODES): prints
 *       "pages P written W on_slow S unmapped U" and, for the first pages on
 *       SLOW, "slow OFFSET" lines. Exit 0.
 * Exit status 2 on a usage or system error (one line on stderr).
 * SPDX-License-Identifier: GPL-2.0-only */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static long psize;

static int range(const char *s, unsigned long *a, unsigned long *b)
{
	char *e;

	*a = strtoul(s, &e, 16);
	if (*e != '-')
		return -1;
	*b = strtoul(e + 1, &e, 16);
	return (*e || *b <= *a || *a % psize || *b % psize) ? -1 : 0;
}

static uint64_t fnv(const unsigned char *p, long n)
{
	uint64_t h = 1469598103934665603ULL;

	for (long i = 0; i < n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 1099511628211ULL;
	}
	return h;
}

static int snap(const char *pid, const char *rng, const char *out, int mem)
{
	unsigned long a, b;
	char path[128];
	unsigned char *buf;
	const long chunk = 256;
	FILE *f;
	int fd;

	if (range(rng, &a, &b))
		return fprintf(stderr, "shmtruth: bad range %s\n", rng), 2;
	if (mem)
		snprintf(path, sizeof(path), "/proc/%s/mem", pid);
	else
		snprintf(path, sizeof(path), "/proc/%s/map_files/%lx-%lx", pid, a, b);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	f = fopen(out, "w");
	if (!f)
		die(out);
	buf = malloc(chunk * psize);
	if (!buf)
		die("malloc");
	for (unsigned long off = 0; off < b - a; off += chunk * psize) {
		long want = chunk * psize, got;

		if ((unsigned long)want > b - a - off)
			want = (long)(b - a - off);
		got = pread(fd, buf, want, (off_t)(off + (mem ? a : 0)));
		if (got < 0)
			die("pread");
		if (got < want)
			memset(buf + got, 0, want - got);
		for (long i = 0; i < want; i += psize)
			fprintf(f, "%016" PRIx64 "\n", fnv(buf + i, psize));
	}
	if (fclose(f))
		die(out);
	close(fd);
	return 0;
}

/* the nodes' frame spans, from /proc/zoneinfo: "Node N, zone Z", then
 * "spanned S" and "start_pfn: P" */
static struct span { uint64_t lo, hi; int node; } spans[256];
static int nspans;

static void read_spans(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256];
	int node = -1;
	uint64_t spanned = 0, start;

	if (!f)
		die("/proc/zoneinfo");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone", &node) == 1)
			spanned = 0;
		else if (sscanf(line, " spanned %" SCNu64, &spanned) == 1)
			;
		else if (sscanf(line, " start_pfn: %" SCNu64, &start) == 1 && spanned &&
			 nspans < 256)
			spans[nspans++] = (struct span){ start, start + spanned, node };
	}
	fclose(f);
}

static int node_of(uint64_t pfn)
{
	for (int i = 0; i < nspans; i++)
		if (pfn >= spans[i].lo && pfn < spans[i].hi)
			return spans[i].node;
	return -2;
}

static int nodes(const char *rng, const char *out, int npids, char **pids)
{
	unsigned long a, b, n;
	int *node;
	uint64_t *pm;
	FILE *f;

	if (range(rng, &a, &b))
		return fprintf(stderr, "shmtruth: bad range %s\n", rng), 2;
	n = (b - a) / psize;
	node = malloc(n * sizeof(*node));
	pm = malloc(n * sizeof(*pm));
	if (!node || !pm)
		die("malloc");
	for (unsigned long i = 0; i < n; i++)
		node[i] = -1;
	read_spans();
	for (int p = 0; p < npids; p++) {
		char path[64];
		int fd;
		ssize_t got;

		snprintf(path, sizeof(path), "/proc/%s/pagemap", pids[p]);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue; /* exited meanwhile */
		got = pread(fd, pm, n * sizeof(*pm), (off_t)(a / psize * sizeof(*pm)));
		close(fd);
		if (got != (ssize_t)(n * sizeof(*pm)))
			continue;
		for (unsigned long i = 0; i < n; i++) {
			uint64_t pfn = pm[i] & ((1ULL << 55) - 1);

			if (node[i] == -1 && (pm[i] >> 63) && pfn)
				node[i] = node_of(pfn);
		}
	}
	f = fopen(out, "w");
	if (!f)
		die(out);
	for (unsigned long i = 0; i < n; i++)
		fprintf(f, "%d\n", node[i]);
	if (fclose(f))
		die(out);
	return 0;
}

static int judge(const char *fa, const char *fb, const char *fn, int slow)
{
	int nonodes = !strcmp(fn, "-");
	FILE *a = fopen(fa, "r"), *b = fopen(fb, "r"), *n = nonodes ? NULL : fopen(fn, "r");
	char la[64], lb[64], ln[64] = "-1";
	unsigned long pages = 0, written = 0, onslow = 0, unmapped = 0, shown = 0;

	if (!a || !b || (!n && !nonodes))
		die("shmtruth judge");
	while (fgets(la, sizeof(la), a) && fgets(lb, sizeof(lb), b) &&
	       (nonodes || fgets(ln, sizeof(ln), n))) {
		int node = atoi(ln);

		if (strcmp(la, lb)) {
			written++;
			if (node == slow) {
				onslow++;
				if (shown++ < 8)
					printf("slow %#lx\n", pages * psize);
			} else if (node < 0) {
				unmapped++;
			}
		}
		pages++;
	}
	printf("pages %lu written %lu on_slow %lu unmapped %lu\n", pages, written, onslow, unmapped);
	return 0;
}

int main(int argc, char **argv)
{
	psize = sysconf(_SC_PAGESIZE);
	if (argc == 5 && !strcmp(argv[1], "snap"))
		return snap(argv[2], argv[3], argv[4], 0);
	if (argc == 5 && !strcmp(argv[1], "memsnap"))
		return snap(argv[2], argv[3], argv[4], 1);
	if (argc >= 5 && !strcmp(argv[1], "nodes"))
		return nodes(argv[2], argv[3], argc - 4, argv + 4);
	if (argc == 6 && !strcmp(argv[1], "judge"))
		return judge(argv[2], argv[3], argv[4], atoi(argv[5]));
	fprintf(stderr, "usage: shmtruth snap|memsnap PID START-END OUT | nodes START-END OUT PID... | "
			"judge A B NODES SLOW\n");
	return 2;
}
