/* bench_writer - a write-heavy target for test/bench-tier: its write rate
 * with and without a soft-dirty window (clearing the bits write-protects
 * every page: the next write to each faults once).
 *   bench_writer -o PREFIX -s MIB
 * Maps MIB MiB on node 0 (THP refused), writes it, then a thread writes one
 * word of every page in turn, for ever, counting pages. PREFIX.ready holds
 * its pid. SIGUSR1 writes PREFIX.rate: "pages_per_s=N" over the time since
 * the last SIGUSR1 (or the start), then renames it into place. SIGTERM exits.
 * Benchmark helper; not installed. SPDX-License-Identifier: GPL-2.0-only */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long long written;
static unsigned char *buf;
static size_t len, pagesz;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *writer(void *arg)
{
	(void)arg;
	for (;;)
		for (size_t i = 0; i < len; i += pagesz) {
			buf[i]++;
			__atomic_add_fetch(&written, 1, __ATOMIC_RELAXED);
		}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *prefix = NULL;
	size_t mib = 64;
	unsigned long one = 1;
	sigset_t set;
	pthread_t th;
	char path[4096], tmp[4200];
	double t0;
	unsigned long long w0;
	int c, sig;
	FILE *f;

	while ((c = getopt(argc, argv, "o:s:")) != -1) {
		if (c == 'o')
			prefix = optarg;
		else if (c == 's')
			mib = strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	if (!prefix)
		return 2;
	pagesz = (size_t)sysconf(_SC_PAGESIZE);
	len = mib << 20;
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	madvise(buf, len, 15 /* MADV_NOHUGEPAGE */);
	syscall(SYS_mbind, buf, len, 2 /* MPOL_BIND */, &one, 65UL, 0);
	for (size_t i = 0; i < len; i += pagesz)
		buf[i] = 1;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pthread_create(&th, NULL, writer, NULL);
	snprintf(path, sizeof(path), "%s.ready", prefix);
	if (!(f = fopen(path, "w")))
		return 1;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	t0 = now();
	w0 = written;
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGTERM)
			return 0;
		snprintf(path, sizeof(path), "%s.rate", prefix);
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		if ((f = fopen(tmp, "w"))) {
			double t = now();
			unsigned long long w = written;
			fprintf(f, "pages_per_s=%.0f\n", (double)(w - w0) / (t - t0));
			fclose(f);
			rename(tmp, path);
			t0 = t;
			w0 = w;
		}
	}
}
