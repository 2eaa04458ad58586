/* bench_reserve - a process with memory written and address space reserved
 * beside it, for test/bench (the chunked mover's cost on a JVM's or ASan's
 * kind of address space).
 *   bench_reserve WRITTEN_MIB PROT_NONE_GIB NORESERVE_GIB
 * Maps and writes WRITTEN_MIB MiB, reserves PROT_NONE_GIB GiB of PROT_NONE
 * and NORESERVE_GIB GiB of untouched read-write MAP_NORESERVE memory, prints
 * "ready" and sleeps until killed. Benchmark helper; not installed.
 * SPDX-License-Identifier: GPL-2.0-only */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long w, pn, nr;
	char *buf;

	if (argc != 4)
		return 2;
	w = strtoul(argv[1], NULL, 10) << 20;
	pn = strtoul(argv[2], NULL, 10) << 30;
	nr = strtoul(argv[3], NULL, 10) << 30;
	if ((pn && mmap(NULL, pn, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED) ||
	    (nr && mmap(NULL, nr, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			-1, 0) == MAP_FAILED)) {
		perror("bench_reserve: mmap");
		return 1;
	}
	buf = mmap(NULL, w ? w : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("bench_reserve: mmap");
		return 1;
	}
	memset(buf, 1, w);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
