/* pagecheck - checks hog reports against the placement the kernel must give.
 *
 *   pagecheck check BEFORE.rep AFTER.rep FROM TO [-p] [-z] [-c CALLER_MEMS]
 *       Predicts the node of every page after migrate_pages(FROM, TO) from
 *       its node before, and compares page by page. -p (partial): a page
 *       may also stop anywhere along its path (to-nodes ran out of memory, or
 *       pages the kernel leaves in place). -c: the caller's cpuset mems (the
 *       kernel ANDs the to-nodes with them). -z: a case where no page is to
 *       move is allowed (else it is refused: it could not fail). Exit 0 when all pages match, 1
 *       when not (the first differences are printed), 2 on a usage error.
 *   pagecheck same A.rep B.rep
 *   pagecheck same A.before A.after B.before B.after
 *       Compares two placements page by page (two tools, identical hogs);
 *       with four reports and hogs that started placed differently, compares
 *       how many pages went from each node to each node instead.
 *   pagecheck numamaps NUMA_MAPS REP
 *       Compares the per-node page counts of the buffer's line in a
 *       numa_maps file (N<node>= times kernelpagesize_kB) with the report's.
 *   pagecheck plan FROM TO
 *       Prints the kernel's migration steps (source->dest, in order).
 *
 * The prediction is written from the kernel's do_migrate_pages() loop in
 * mm/mempolicy.c, independently of the tool under test: while source nodes
 * remain, scan them in order; skip a node that is in TO when FROM and TO
 * differ in weight; map s to the n-th set bit of TO where n is s's position
 * in FROM modulo |TO|; skip s == d; remember the pair and stop the scan at a
 * pair whose dest is not itself still a pending source; migrate every page
 * currently on source to dest; drop source from the pending set.
 */
#include "common.h"

static const char *prog = "pagecheck";

struct rep {
	long pages;
	int *node;
	char pattern[128];
	long thp_kb;
	unsigned long addr;
	long pagesize;
};

static void load(const char *path, struct rep *r)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	memset(r, 0, sizeof(*r));
	if (!f)
		die(prog, path);
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "pages %ld", &r->pages) == 1) {
			r->node = calloc((size_t)r->pages + 1, sizeof(int));
		} else if (!strncmp(line, "pattern ", 8)) {
			snprintf(r->pattern, sizeof r->pattern, "%s", line + 8);
			r->pattern[strcspn(r->pattern, "\n")] = 0;
		} else if (sscanf(line, "thp_kb %ld", &r->thp_kb) == 1) {
		} else if (sscanf(line, "addr %lx", &r->addr) == 1) {
		} else if (sscanf(line, "pagesize %ld", &r->pagesize) == 1) {
		} else if (!strncmp(line, "nodes", 5)) {
			char *p = line + 5;
			long at = 0;
			int nd, used;
			long cnt;
			if (!r->node) {
				fprintf(stderr, "%s: %s: nodes before pages\n", prog, path);
				exit(2);
			}
			while (sscanf(p, " %d*%ld%n", &nd, &cnt, &used) == 2) {
				if (at + cnt > r->pages) {
					fprintf(stderr, "%s: %s: too many pages\n", prog, path);
					exit(2);
				}
				for (long i = 0; i < cnt; i++)
					r->node[at++] = nd;
				p += used;
			}
			if (at != r->pages) {
				fprintf(stderr, "%s: %s: %ld of %ld pages listed\n", prog, path, at, r->pages);
				exit(2);
			}
		}
	}
	free(line);
	fclose(f);
	if (!r->node) {
		fprintf(stderr, "%s: %s: not a report\n", prog, path);
		exit(2);
	}
}

/* bitmap_bitremap(): the n-th set bit of from -> the (n mod w(to))-th of to. */
static int remap(int s, const nodemask *from, const nodemask *to)
{
	int n = 0, w = nm_weight(to), k;
	if (!nm_isset(from, s) || w == 0)
		return s;
	for (k = 0; k < s; k++)
		n += nm_isset(from, k);
	n %= w;
	for (k = 0; k < MAXNODES; k++)
		if (nm_isset(to, k) && n-- == 0)
			return k;
	return s;
}

/* The steps of the kernel's loop: src[i] -> dst[i]. Returns the count. */
static int plan(const nodemask *from, const nodemask *to, int *src, int *dst)
{
	nodemask tmp = *from;
	int steps = 0;
	int unequal = nm_weight(from) != nm_weight(to);
	while (!nm_empty(&tmp)) {
		int source = -1, dest = 0;
		for (int s = 0; s < MAXNODES; s++) {
			int d;
			if (!nm_isset(&tmp, s))
				continue;
			if (unequal && nm_isset(to, s))
				continue;
			d = remap(s, from, to);
			if (s == d)
				continue;
			source = s;
			dest = d;
			if (!nm_isset(&tmp, dest))
				break;
		}
		if (source < 0)
			break;
		nm_clr(&tmp, source);
		src[steps] = source;
		dst[steps] = dest;
		steps++;
	}
	return steps;
}

static void masks(const char *f, const char *t, const char *caller, nodemask *from, nodemask *to)
{
	if (nm_parse(f, from) || nm_parse(t, to)) {
		fprintf(stderr, "%s: bad node list\n", prog);
		exit(2);
	}
	if (caller) {
		nodemask c;
		if (nm_parse(caller, &c)) {
			fprintf(stderr, "%s: bad node list\n", prog);
			exit(2);
		}
		for (int i = 0; i < MASKWORDS; i++)
			to->w[i] &= c.w[i];
	}
}

static int cmd_check(int argc, char **argv)
{
	struct rep b, a;
	nodemask from, to;
	int src[MAXNODES], dst[MAXNODES], steps, partial = 0, zero_ok = 0;
	const char *caller = NULL;
	long bad = 0, moved = 0, stayed = 0, expect = 0;

	if (argc < 6)
		return 2;
	for (int i = 6; i < argc; i++) {
		if (!strcmp(argv[i], "-p"))
			partial = 1;
		else if (!strcmp(argv[i], "-z"))
			zero_ok = 1;
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			caller = argv[++i];
		else
			return 2;
	}
	load(argv[2], &b);
	load(argv[3], &a);
	masks(argv[4], argv[5], caller, &from, &to);
	if (a.pages != b.pages) {
		printf("page count differs: %ld before, %ld after\n", b.pages, a.pages);
		return 1;
	}
	if (strcmp(a.pattern, "ok") != 0) {
		printf("data pattern damaged: %s\n", a.pattern);
		return 1;
	}
	steps = plan(&from, &to, src, dst);
	for (long i = 0; i < b.pages; i++) {
		int n = b.node[i], ok;
		int path[MAXNODES + 1], plen = 0;
		path[plen++] = n;
		for (int s = 0; s < steps; s++)
			if (n == src[s]) {
				n = dst[s];
				path[plen++] = n;
			}
		if (b.node[i] < 0) {
			ok = a.node[i] == b.node[i];
		} else if (partial) {
			ok = 0;
			for (int k = 0; k < plen; k++)
				ok |= a.node[i] == path[k];
		} else {
			ok = a.node[i] == n;
		}
		if (!ok) {
			if (bad < 5)
				printf("page %ld: node %d before, %d after, expected %d\n",
				       i, b.node[i], a.node[i], n);
			bad++;
		}
		if (n != b.node[i])
			expect++;
		if (a.node[i] != b.node[i])
			moved++;
		else if (n != b.node[i])
			stayed++;
	}
	if (!expect && !zero_ok) {
		printf("the kernel's mapping moves none of the %ld pages: this case could not fail\n", b.pages);
		return 1;
	}
	if (bad) {
		printf("%ld of %ld pages not where the kernel's mapping puts them\n", bad, b.pages);
		return 1;
	}
	printf("%ld pages checked, %ld moved%s", b.pages, moved, partial ? "" : "\n");
	if (partial)
		printf(", %ld left on their way\n", stayed);
	return 0;
}

/* same A.after B.after, or same A.before A.after B.before B.after: when the
 * two hogs started alike, page by page; when not (their addresses differ, so
 * interleaving did too), the counts of (node before, node after) pairs. */
static int cmd_same(int argc, char **argv)
{
	struct rep a, b, ab, bb;
	long diff = 0;
	int alike = 1;
	if (argc != 4 && argc != 6)
		return 2;
	if (argc == 6) {
		load(argv[2], &ab);
		load(argv[3], &a);
		load(argv[4], &bb);
		load(argv[5], &b);
		alike = ab.pages == bb.pages && !memcmp(ab.node, bb.node, sizeof(int) * (size_t)ab.pages);
	} else {
		load(argv[2], &a);
		load(argv[3], &b);
	}
	if (a.pages != b.pages) {
		printf("page counts differ: %ld and %ld\n", a.pages, b.pages);
		return 1;
	}
	if (!alike) {
		/* Small tables: nodes below 64 only, which the guests have. */
		static long ta[64][64], tb[64][64];
		for (long i = 0; i < a.pages; i++) {
			if (ab.node[i] < 0 || ab.node[i] >= 64 || a.node[i] < 0 || a.node[i] >= 64 ||
			    bb.node[i] < 0 || bb.node[i] >= 64 || b.node[i] < 0 || b.node[i] >= 64) {
				printf("page %ld: node out of the table's range\n", i);
				return 1;
			}
			ta[ab.node[i]][a.node[i]]++;
			tb[bb.node[i]][b.node[i]]++;
		}
		for (int x = 0; x < 64; x++)
			for (int y = 0; y < 64; y++)
				if (ta[x][y] != tb[x][y]) {
					if (diff < 3)
						printf("pages from node %d to %d: %ld vs %ld\n", x, y, ta[x][y], tb[x][y]);
					diff++;
				}
		if (diff) {
			printf("the two runs moved pages differently\n");
			return 1;
		}
		printf("same moves (node to node) for %ld pages; the hogs started placed differently\n", a.pages);
		return 0;
	}
	for (long i = 0; i < a.pages; i++)
		if (a.node[i] != b.node[i]) {
			if (diff < 3)
				printf("page %ld: node %d vs %d\n", i, a.node[i], b.node[i]);
			diff++;
		}
	if (diff) {
		printf("%ld of %ld pages placed differently\n", diff, a.pages);
		return 1;
	}
	printf("identical placement of %ld pages\n", a.pages);
	return 0;
}

static int cmd_numamaps(int argc, char **argv)
{
	struct rep r;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	long fromrep[MAXNODES] = { 0 }, frommaps[MAXNODES] = { 0 };
	int found = 0, bad = 0;

	if (argc != 4)
		return 2;
	load(argv[3], &r);
	for (long i = 0; i < r.pages; i++)
		if (r.node[i] >= 0)
			fromrep[r.node[i]]++;
	f = fopen(argv[2], "r");
	if (!f)
		die(prog, argv[2]);
	while (getline(&line, &cap, f) > 0) {
		unsigned long start;
		long kps = r.pagesize / 1024;
		char *tok, *save;
		if (sscanf(line, "%lx ", &start) != 1 || start != r.addr)
			continue;
		found = 1;
		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
			sscanf(tok, "kernelpagesize_kB=%ld", &kps);
		/* Second pass for the counts, now that the page size is known. */
		fclose(f);
		f = fopen(argv[2], "r");
		while (getline(&line, &cap, f) > 0) {
			if (sscanf(line, "%lx ", &start) != 1 || start != r.addr)
				continue;
			for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
				int nd;
				long cnt;
				if (sscanf(tok, "N%d=%ld", &nd, &cnt) == 2 && nd >= 0 && nd < MAXNODES)
					frommaps[nd] += cnt * kps * 1024 / r.pagesize;
			}
			break;
		}
		break;
	}
	free(line);
	fclose(f);
	if (!found) {
		printf("no numa_maps line at %lx\n", r.addr);
		return 1;
	}
	for (int n = 0; n < MAXNODES; n++)
		if (fromrep[n] != frommaps[n]) {
			printf("node %d: %ld pages by move_pages, %ld by numa_maps\n", n, fromrep[n], frommaps[n]);
			bad = 1;
		}
	if (!bad)
		printf("numa_maps agrees with move_pages\n");
	return bad;
}

int main(int argc, char **argv)
{
	int rc = 2;
	if (argc >= 2 && !strcmp(argv[1], "check"))
		rc = cmd_check(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "same"))
		rc = cmd_same(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "numamaps"))
		rc = cmd_numamaps(argc, argv);
	else if (argc == 4 && !strcmp(argv[1], "plan")) {
		nodemask from, to;
		int src[MAXNODES], dst[MAXNODES], steps;
		masks(argv[2], argv[3], NULL, &from, &to);
		steps = plan(&from, &to, src, dst);
		for (int i = 0; i < steps; i++)
			printf("%s%d->%d", i ? " " : "", src[i], dst[i]);
		printf("\n");
		rc = 0;
	}
	if (rc == 2)
		fprintf(stderr, "usage: pagecheck check BEFORE AFTER FROM TO [-p] [-z] [-c MEMS] | same [A0] A [B0] B | numamaps FILE REP | plan FROM TO\n");
	return rc;
}
