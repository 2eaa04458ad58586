/* bench_raw.c - the kernel's own floor for test/bench-mover: the system calls
 * the tool makes, made with nothing around them.
 *   bench_raw migrate PID FROM TO   one migrate_pages(2) call, FROM -> TO
 *   bench_raw move1 PID FROM TO     move_pages(2) over every page of every
 *   bench_raw move2 PID FROM TO     mapping in /proc/PID/maps but the special
 *                                   ones, 4096 pages a call, asking TO for each
 *                                   (move2: two threads taking every other
 *                                   call's pages)
 * FROM and TO are single node numbers. No numa_maps, no pagemap, no report,
 * no check: what the tool's single call and its --jobs 1 and --jobs 2 cost
 * beyond this is the tool's; what this costs is the kernel's. Run it under
 * bench_run 0 for the same timing as the tool's. Exit 0, or 1 with a line on
 * stderr when a call failed. (move1/move2 ignore FROM: the bench's targets
 * have all their pages on FROM.)
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CALL 4096UL

static void **pages;
static unsigned long npages;
static int pid, to, failed;

struct share {
	unsigned long first; /* the first call this thread makes */
	unsigned long step;  /* calls between two of its own */
};

static void *mover(void *arg)
{
	const struct share *s = arg;
	int *nodes = malloc(CALL * sizeof(int)), *status = malloc(CALL * sizeof(int));

	if (!nodes || !status) {
		failed = ENOMEM;
		free(nodes);
		free(status);
		return NULL;
	}
	for (unsigned long i = 0; i < CALL; i++)
		nodes[i] = to;
	for (unsigned long at = s->first * CALL; at < npages; at += s->step * CALL) {
		unsigned long k = npages - at < CALL ? npages - at : CALL;
		if (syscall(SYS_move_pages, pid, k, pages + at, nodes, status, 0) < 0)
			failed = errno;
	}
	free(nodes);
	free(status);
	return NULL;
}

/* every page of every mapping but [vsyscall], [vvar], [vdso] */
static int list_pages(void)
{
	char path[64], line[512];
	unsigned long cap = 0, ps = (unsigned long)sysconf(_SC_PAGESIZE);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx", &lo, &hi) != 2 || strstr(line, "[v"))
			continue;
		for (unsigned long a = lo; a < hi; a += ps) {
			if (npages == cap) {
				void **p;
				cap = cap ? cap * 2 : 65536;
				p = realloc(pages, cap * sizeof(*pages));
				if (!p) {
					fclose(f);
					return -1;
				}
				pages = p;
			}
			pages[npages++] = (void *)a;
		}
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long from_mask, to_mask;
	int from;

	if (argc != 5 || (strcmp(argv[1], "migrate") && strcmp(argv[1], "move1") &&
			  strcmp(argv[1], "move2"))) {
		fprintf(stderr, "usage: bench_raw migrate|move1|move2 PID FROM TO\n");
		return 2;
	}
	pid = atoi(argv[2]);
	from = atoi(argv[3]);
	to = atoi(argv[4]);
	if (pid <= 0 || from < 0 || from > 63 || to < 0 || to > 63) {
		fprintf(stderr, "bench_raw: bad PID or node\n");
		return 2;
	}
	if (!strcmp(argv[1], "migrate")) {
		from_mask = 1UL << from;
		to_mask = 1UL << to;
		/* maxnode 65: the kernel reads one bit fewer than it is told */
		if (syscall(SYS_migrate_pages, pid, 65UL, &from_mask, &to_mask) < 0) {
			perror("bench_raw: migrate_pages");
			return 1;
		}
		return 0;
	}
	if (list_pages() < 0) {
		perror("bench_raw: maps");
		return 1;
	}
	if (!strcmp(argv[1], "move1")) {
		struct share s = { 0, 1 };
		mover(&s);
	} else {
		struct share a = { 0, 2 }, b = { 1, 2 };
		pthread_t t;
		if (pthread_create(&t, NULL, mover, &b) != 0) {
			fprintf(stderr, "bench_raw: pthread_create failed\n");
			return 1;
		}
		mover(&a);
		pthread_join(t, NULL);
	}
	if (failed) {
		fprintf(stderr, "bench_raw: move_pages: %s\n", strerror(failed));
		return 1;
	}
	return 0;
}
