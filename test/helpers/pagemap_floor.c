/* pagemap_floor - the floor of a tracker's scan for test/bench-tier: a
 * plain read of a process's pagemap over every mapping of it, in the same
 * windows the mover reads (4096 entries), and nothing else; with -i also the
 * idle page bitmap's words of the frames found (sorted, each run of
 * consecutive words in one read): what judging with idle page tracking cannot
 * do without (root).
 *   pagemap_floor [-i] PID      prints "us=N entries=N present=N"
 * Benchmark helper; not installed. SPDX-License-Identifier: GPL-2.0-only */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The bitmap words of the present frames of pm[0..n), read in runs. */
static void idle_words(int bm, const uint64_t *pm, size_t n)
{
	static uint64_t w[4096], buf[4096];
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (pm[i] >> 63 && (pm[i] & ((1ULL << 55) - 1)))
			w[k++] = (pm[i] & ((1ULL << 55) - 1)) / 64;
	qsort(w, k, sizeof(*w), cmp);
	for (size_t i = 0; i < k;) {
		size_t e = i;
		while (e + 1 < k && w[e + 1] - w[e] <= 1 && w[e + 1] - w[i] < 4096)
			e++;
		if (pread(bm, buf, (w[e] - w[i] + 1) * 8, (off_t)(w[i] * 8)) < 0)
			break;
		i = e + 1;
	}
}

int main(int argc, char **argv)
{
	static uint64_t pm[4096];
	int idle = argc == 3 && argv[1][0] == '-' && argv[1][1] == 'i', bm = -1;
	char path[64], line[4096];
	unsigned long long entries = 0, present = 0;
	long page = sysconf(_SC_PAGESIZE);
	struct timespec t0, t1;
	FILE *maps;
	int fd;

	if (argc != 2 + idle)
		return 2;
	argv += idle;
	if (idle && (bm = open("/sys/kernel/mm/page_idle/bitmap", O_RDONLY)) < 0)
		return 1;
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
			if (idle && r > 0)
				idle_words(bm, pm, (size_t)r / 8);
			entries += r > 0 ? (unsigned long long)r / 8 : 0;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("us=%.0f entries=%llu present=%llu\n",
	       (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3,
	       entries, present);
	return 0;
}
