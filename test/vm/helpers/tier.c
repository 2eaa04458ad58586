/* tier - a test process for --cold and --hot: memory it writes, memory it
 * only reads, memory it never touches, and memory it starts writing when told.
 *
 *   tier -o PREFIX [-s MIB] [-H | -N] [-p MS]
 *
 * Maps four regions of MIB MiB each (default 4; 2 MiB aligned), binds them
 * to node 0 and writes a pattern into every page of each. Then a thread, every
 * MS ms (default 100), writes one word of every page of W (the word it holds:
 * the pattern stays), reads one word of every page of R, and, once SIGUSR2
 * came, writes every page of L too; U is never touched again. -H asks for
 * transparent huge pages, -N refuses them.
 * It writes PREFIX.ready (its pid) and waits:
 *   SIGUSR1  write PREFIX.rep: for each region "region NAME nodes N*COUNT ..."
 *            (the node of every page, run-length coded, from move_pages,
 *            which touches no page); renamed into place
 *   SIGHUP   the same, and "pattern ok" or "pattern bad REGION" (reading
 *            every region: the last report, it touches U)
 *   SIGUSR2  L starts being written
 *   SIGTERM  exit
 * SPDX-License-Identifier: GPL-2.0-only */
#include "common.h"
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15
#endif

static const char *prog = "tier";
static const char names[4] = { 'W', 'R', 'U', 'L' };
static unsigned char *reg[4];
static size_t len, pagesz, npages;
static volatile int write_l;
static unsigned period_ms = 100;

static unsigned long long word_at(size_t r, size_t i)
{
	unsigned long long z = (i + r * 0x1000003ULL) * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	return z ^ (z >> 31);
}

static void *toucher(void *arg)
{
	volatile unsigned long long sink = 0;
	(void)arg;
	for (;;) {
		for (size_t p = 0; p < npages; p++) {
			size_t w = p * pagesz / 8;
			((volatile unsigned long long *)reg[0])[w] = word_at(0, w);
			sink += ((volatile unsigned long long *)reg[1])[w];
			if (write_l)
				((volatile unsigned long long *)reg[3])[w] = word_at(3, w);
		}
		usleep(period_ms * 1000);
	}
	(void)sink;
	return NULL;
}

static void report(const char *prefix, int verify)
{
	char tmp[4096], final[4096];
	static void **pages;
	static int *st;
	int bad = -1;
	FILE *f;

	if (!pages && (!(pages = calloc(npages, sizeof(*pages))) || !(st = calloc(npages, sizeof(*st)))))
		die(prog, "calloc");
	snprintf(tmp, sizeof tmp, "%s.rep.tmp", prefix);
	snprintf(final, sizeof final, "%s.rep", prefix);
	if (!(f = fopen(tmp, "w")))
		die(prog, tmp);
	fprintf(f, "pid %d\n", (int)getpid());
	for (int r = 0; r < 4; r++) {
		const unsigned long long *w = (const unsigned long long *)reg[r];
		for (size_t i = 0; i < npages; i++)
			pages[i] = reg[r] + i * pagesz;
		if (sys_move_pages(0, npages, pages, NULL, st, 0) < 0)
			for (size_t i = 0; i < npages; i++)
				st[i] = -errno;
		fprintf(f, "region %c nodes", names[r]);
		for (size_t i = 0; i < npages;) {
			size_t j = i;
			while (j < npages && st[j] == st[i])
				j++;
			fprintf(f, " %d*%zu", st[i], j - i);
			i = j;
		}
		fprintf(f, "\n");
		for (size_t i = 0; verify && i < len / 8 && bad < 0; i++)
			if (w[i] != word_at((size_t)r, i))
				bad = r;
	}
	if (verify && bad < 0)
		fprintf(f, "pattern ok\n");
	else if (verify)
		fprintf(f, "pattern bad %c\n", names[bad]);
	if (fclose(f) != 0 || rename(tmp, final) != 0)
		die(prog, final);
}

int main(int argc, char **argv)
{
	const char *prefix = NULL;
	size_t mib = 4;
	int thp = 0, c, sig;
	sigset_t set;
	pthread_t th;
	char path[4096];
	FILE *f;

	while ((c = getopt(argc, argv, "o:s:HNp:")) != -1) {
		switch (c) {
		case 'o': prefix = optarg; break;
		case 's': mib = strtoul(optarg, NULL, 10); break;
		case 'H': thp = 1; break;
		case 'N': thp = -1; break;
		case 'p': period_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: tier -o PREFIX [-s MIB] [-H|-N] [-p MS]\n");
			return 2;
		}
	}
	if (!prefix || !mib)
		return 2;
	pagesz = (size_t)sysconf(_SC_PAGESIZE);
	len = mib << 20;
	npages = len / pagesz;
	for (int r = 0; r < 4; r++) {
		size_t align = 2UL << 20;
		unsigned char *raw = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		nodemask m;
		if (raw == MAP_FAILED)
			die(prog, "mmap");
		reg[r] = (unsigned char *)(((unsigned long)raw + align - 1) & ~(align - 1));
		if (thp && madvise(reg[r], len, thp > 0 ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0)
			die(prog, "madvise");
		memset(&m, 0, sizeof(m));
		nm_set(&m, 0);
		if (sys_mbind(reg[r], len, MPOL_BIND, &m, 2, 0) != 0)
			die(prog, "mbind");
		for (size_t i = 0; i < len / 8; i++)
			((unsigned long long *)reg[r])[i] = word_at((size_t)r, i);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&th, NULL, toucher, NULL) != 0)
		die(prog, "pthread_create");
	snprintf(path, sizeof(path), "%s.ready", prefix);
	if (!(f = fopen(path, "w")))
		die(prog, path);
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGTERM)
			return 0;
		if (sig == SIGUSR2)
			write_l = 1;
		else
			report(prefix, sig == SIGHUP);
	}
}
