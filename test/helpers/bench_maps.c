/* bench_maps.c - a target with many mappings, for test/bench.
 *   bench_maps N
 * Maps N adjacent anonymous pages with alternating protections (read-write,
 * read-only), so that the kernel cannot merge neighbours into one mapping,
 * touches each (one resident page per mapping, so every numa_maps line has an
 * N0= count), prints "ready <mappings in /proc/self/maps>" and waits to be
 * killed. N may need vm.max_map_count raised above its default 65530.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, page = sysconf(_SC_PAGESIZE), lines = 0;
	char *base, buf[4096];
	FILE *f;

	/* one reservation, then each page becomes its own mapping */
	base = mmap(NULL, (size_t)(n * page), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		perror("bench_maps: mmap");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		char *p = base + i * page;
		if (mmap(p, (size_t)page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
			fprintf(stderr, "bench_maps: mapping %ld: ", i);
			perror("mmap");
			return 1;
		}
		p[0] = 1;
		if (i % 2 && mprotect(p, (size_t)page, PROT_READ) < 0) {
			perror("bench_maps: mprotect");
			return 1;
		}
	}
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(buf, sizeof(buf), f))
		lines++;
	if (f)
		fclose(f);
	printf("ready %ld\n", lines);
	fflush(stdout);
	for (;;)
		pause();
}
