/* pagemap_floor - the floor of a tracker's scan for test/bench-tier: a
 * plain read of a process's pagemap over every mapping of it, in the same
 * windows the mover reads (4096 entries), and nothing else.
 *   pagemap_floor PID      prints "us=N entries=N present=N"
 * Benchmark helper; not installed. SPDX-License-Identifier: GPL-2.0-only */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static uint64_t pm[4096];
	char path[64], line[4096];
	unsigned long long entries = 0, present = 0;
	long page = sysconf(_SC_PAGESIZE);
	struct timespec t0, t1;
	FILE *maps;
	int fd;

	if (argc != 2)
		return 2;
	snprintf(path, sizeof(path), "/proc/%s/maps", argv[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%s/pagemap", argv[1]);
	fd = open(path, O_RDONLY);
	if (!maps || fd < 0)
		return 1;
	while (fgets(line, sizeof(line), maps)) {
		unsigned long s, e;
		if (sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		for (unsigned long a = s; a < e && a >= s; a += 4096UL * (unsigned long)page) {
			unsigned long n = (e - a) / (unsigned long)page;
			ssize_t r;
			if (n > 4096)
				n = 4096;
			r = pread(fd, pm, n * 8, (off_t)(a / (unsigned long)page * 8));
			for (ssize_t i = 0; r > 0 && i < r / 8; i++)
				present += pm[i] >> 63;
			entries += r > 0 ? (unsigned long long)r / 8 : 0;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("us=%.0f entries=%llu present=%llu\n",
	       (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3,
	       entries, present);
	return 0;
}
