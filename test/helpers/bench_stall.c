/* bench_stall - the target of test/bench-mover's guest benchmark.
 *
 *   bench_stall -o PREFIX -s MIB [-H | -N] [-p] [-b THREADS] [-r] [-e N]
 *               [-P GIB] [-V GIB]
 *
 * Maps MIB MiB (-H asks for transparent huge pages, -N refuses them), binds
 * it to node 0 and writes a pattern into it. Then, as asked:
 *   -p  a probe thread loops mmap(64 KiB) + touch + munmap and keeps the
 *       longest iteration: the stall a target sees while its pages move
 *   -b  THREADS busy threads keep writing into the buffer (a busy target)
 *   -r  a sampler thread asks every 250 ms where the buffer's pages are
 *       (move_pages with nodes = NULL, about one page in 64) and logs how
 *       many are on node 1: the rate the mover achieved, window by window
 *   -e  only every Nth page is written (a sparse heap; the buffer is reserved
 *       with MAP_NORESERVE)
 *   -P  GIB GiB of PROT_NONE address space reserved beside the buffer
 *   -V  GIB GiB of readable and writable address space reserved beside it
 *       (MAP_NORESERVE, never touched: shadow memory's way)
 * It writes PREFIX.ready (its pid) and waits for signals:
 *   SIGUSR1  start a measurement: longest wait and sample log cleared
 *   SIGUSR2  write PREFIX.res: "max_us=N intact=0|1 node0=P node1=P" and the
 *            samples "sample MS PAGES_ON_NODE1", then rename it into place
 *   SIGTERM  exit
 * Benchmark helper; not installed. SPDX-License-Identifier: GPL-2.0-only */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15
#endif

static unsigned char *buf;
static size_t len, npages, pagesz, every = 1;
static volatile long max_us;
static volatile int measuring;
static long t_start;
#define MAXS 4096
static long s_ms[MAXS], s_pages[MAXS];
static volatile int ns;

static long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

static unsigned char pat(size_t i)
{
	return (unsigned char)(i * 31 + (i >> 12));
}

static void *probe(void *arg)
{
	(void)arg;
	for (;;) {
		long t0 = now_us(), d;
		unsigned char *p = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED) {
			for (size_t i = 0; i < (64 << 10); i += 4096)
				p[i] = 1;
			munmap(p, 64 << 10);
		}
		d = now_us() - t0;
		if (measuring && d > max_us)
			max_us = d;
		usleep(1000);
	}
	return NULL;
}

static void *busy(void *arg)
{
	unsigned long x = (unsigned long)arg * 2654435761UL + 1;
	for (;;) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		size_t k = (x >> 17) % len;
		((volatile unsigned char *)buf)[k] = pat(k); /* keeps the pattern */
	}
	return NULL;
}

static void *sampler(void *arg)
{
	size_t n = npages / 64 ? npages / 64 : 1;
	void **pages = calloc(n, sizeof(void *));
	int *st = calloc(n, sizeof(int));
	(void)arg;
	for (size_t i = 0; i < n; i++)
		pages[i] = buf + i * 64 * pagesz;
	for (;;) {
		long t = now_us(), on1 = 0;
		if (measuring && ns < MAXS) {
			syscall(SYS_move_pages, 0, n, pages, NULL, st, 0);
			for (size_t i = 0; i < n; i++)
				on1 += st[i] == 1;
			s_ms[ns] = (t - t_start) / 1000;
			s_pages[ns] = on1 * 64;
			ns++;
		}
		t = 250000 - (now_us() - t);
		if (t > 0)
			usleep((useconds_t)t);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *prefix = NULL;
	size_t mib = 64;
	int thp = 0, probe_on = 0, nbusy = 0, rate_on = 0, c, sig;
	unsigned long pn_gib = 0, nr_gib = 0;
	sigset_t set;
	pthread_t th;
	char path[512], tmpp[520];
	FILE *f;

	while ((c = getopt(argc, argv, "o:s:HNpb:re:P:V:")) != -1) {
		switch (c) {
		case 'o': prefix = optarg; break;
		case 's': mib = strtoul(optarg, NULL, 10); break;
		case 'H': thp = 1; break;
		case 'N': thp = -1; break;
		case 'p': probe_on = 1; break;
		case 'b': nbusy = atoi(optarg); break;
		case 'r': rate_on = 1; break;
		case 'e': every = strtoul(optarg, NULL, 10); break;
		case 'P': pn_gib = strtoul(optarg, NULL, 10); break;
		case 'V': nr_gib = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench_stall -o PREFIX -s MIB [-H|-N] [-p] [-b N] [-r] [-e N] [-P GIB] [-V GIB]\n");
			return 2;
		}
	}
	if (!prefix || !every)
		return 2;
	if ((pn_gib && mmap(NULL, pn_gib << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
			    MAP_NORESERVE, -1, 0) == MAP_FAILED) ||
	    (nr_gib && mmap(NULL, nr_gib << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE |
			    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED)) {
		perror("bench_stall: the reservation");
		return 1;
	}
	pagesz = (size_t)sysconf(_SC_PAGESIZE);
	len = mib << 20;
	npages = len / pagesz;
	{
		unsigned char *raw = mmap(NULL, len + (2 << 20), PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS |
					  (every > 1 ? MAP_NORESERVE : 0), -1, 0);
		unsigned long m = 1; /* node 0 */
		if (raw == MAP_FAILED)
			return 1;
		buf = (unsigned char *)(((unsigned long)raw + (2 << 20) - 1) & ~((2UL << 20) - 1));
		if (thp)
			madvise(buf, len, thp > 0 ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
		/* MPOL_BIND (2), maxnode = bits + 1 */
		if (syscall(SYS_mbind, buf, len, 2, &m, 65UL, 0) != 0)
			perror("bench_stall: mbind");
	}
	for (size_t i = 0; i < len; i++) {
		if ((i / pagesz) % every) {
			i += pagesz - 1;
			continue;
		}
		buf[i] = pat(i);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (probe_on)
		pthread_create(&th, NULL, probe, NULL);
	for (int i = 0; i < nbusy; i++)
		pthread_create(&th, NULL, busy, (void *)(unsigned long)i);
	if (rate_on)
		pthread_create(&th, NULL, sampler, NULL);
	snprintf(path, sizeof(path), "%s.ready", prefix);
	f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGTERM)
			return 0;
		if (sig == SIGUSR1) {
			max_us = 0;
			ns = 0;
			t_start = now_us();
			measuring = 1;
			continue;
		}
		/* SIGUSR2: the result */
		measuring = 0;
		{
			int intact = 1;
			long on[2] = { 0, 0 };
			static int st[1 << 20];
			static void *pg[1 << 20];
			size_t n = npages < (1 << 20) ? npages : (1 << 20);
			for (size_t i = 0; i < len && intact; i++) {
				if ((i / pagesz) % every) {
					i += pagesz - 1;
					continue;
				}
				intact = buf[i] == pat(i);
			}
			for (size_t i = 0; i < n; i++)
				pg[i] = buf + i * pagesz;
			syscall(SYS_move_pages, 0, n, pg, NULL, st, 0);
			for (size_t i = 0; i < n; i++)
				if (st[i] == 0 || st[i] == 1)
					on[st[i]]++;
			snprintf(path, sizeof(path), "%s.res", prefix);
			snprintf(tmpp, sizeof(tmpp), "%s.tmp", path);
			f = fopen(tmpp, "w");
			if (!f)
				continue;
			fprintf(f, "max_us=%ld intact=%d node0=%ld node1=%ld\n", max_us, intact, on[0], on[1]);
			for (int i = 0; i < ns; i++)
				fprintf(f, "sample %ld %ld\n", s_ms[i], s_pages[i]);
			fclose(f);
			rename(tmpp, path);
		}
	}
}
