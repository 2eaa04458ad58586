/* sharer - a parent and a child sharing anonymous memory (MAP_SHARED |
 * MAP_ANONYMOUS), for soft-dirty bits combined by frame (--cgroup).
 *
 *   sharer -o PREFIX [-s MIB] [-p MS]
 *
 * Maps 2 x MIB MiB (default 2) of shared anonymous memory on node 0 (mbind),
 * writes every page of it, then forks a child that writes one word of every
 * page of the first half (A) every MS ms (default 100); the second half (B)
 * is never touched again, and the parent touches neither. Both map every
 * page (the child reads B once): each frame has two page table entries.
 * It writes PREFIX.ready ("PARENT CHILD", whole, then renamed) and waits:
 *   SIGUSR1  write PREFIX.rep: "region A nodes N*COUNT ..." and the same for
 *            B (move_pages, which touches no page); renamed into place
 *   SIGTERM  exit (the child is killed with it)
 * SPDX-License-Identifier: GPL-2.0-only */
#include "common.h"
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>

#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE 15
#endif

static const char *prog = "sharer";
static unsigned char *buf;
static size_t half, pagesz;

static void region_line(FILE *f, char name, unsigned char *at, size_t n)
{
	static void *pg[65536];
	static int st[65536];

	if (n > 65536)
		n = 65536;
	for (size_t i = 0; i < n; i++)
		pg[i] = at + i * pagesz;
	region_nodes(f, name, pg, st, n);
}

static void report(const char *prefix)
{
	char tmp[4096], final[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.rep.tmp", prefix);
	snprintf(final, sizeof final, "%s.rep", prefix);
	if (!(f = fopen(tmp, "w")))
		die(prog, tmp);
	region_line(f, 'A', buf, half / pagesz);
	region_line(f, 'B', buf + half, half / pagesz);
	fclose(f);
	if (rename(tmp, final) != 0)
		die(prog, final);
}

/* The child: reads B once (so that it maps every page), then writes A. */
static void child(unsigned period_ms)
{
	volatile unsigned long long sink = 0;
	struct timespec ts = { (time_t)(period_ms / 1000), (long)(period_ms % 1000) * 1000000 };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (size_t i = 0; i < half; i += pagesz)
		sink += buf[half + i];
	for (unsigned long long v = 1;; v++) {
		for (size_t i = 0; i < half; i += pagesz)
			((volatile unsigned long long *)(buf + i))[0] = v;
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	const char *prefix = NULL;
	unsigned long mib = 2;
	unsigned period_ms = 100;
	char path[4096], path2[4096];
	nodemask m;
	sigset_t set;
	pid_t kid;
	FILE *f;
	int opt, sig;

	while ((opt = getopt(argc, argv, "o:s:p:")) != -1) {
		if (opt == 'o')
			prefix = optarg;
		else if (opt == 's')
			mib = strtoul(optarg, NULL, 10);
		else if (opt == 'p')
			period_ms = (unsigned)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	if (!prefix || !mib) {
		fprintf(stderr, "usage: sharer -o PREFIX [-s MIB] [-p MS]\n");
		return 2;
	}
	pagesz = (size_t)sysconf(_SC_PAGESIZE);
	half = mib << 20;
	buf = mmap(NULL, 2 * half, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die(prog, "mmap");
	madvise(buf, 2 * half, MADV_NOHUGEPAGE);
	memset(&m, 0, sizeof(m));
	nm_set(&m, 0);
	if (sys_mbind(buf, 2 * half, MPOL_BIND, &m, 2, 0) != 0)
		die(prog, "mbind");
	memset(buf, 0x5a, 2 * half);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((kid = fork()) < 0)
		die(prog, "fork");
	if (kid == 0) {
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		child(period_ms);
	}
	snprintf(path, sizeof(path), "%s.ready.tmp", prefix);
	snprintf(path2, sizeof(path2), "%s.ready", prefix);
	if (!(f = fopen(path, "w")))
		die(prog, path);
	fprintf(f, "%d %d\n", (int)getpid(), (int)kid);
	fclose(f);
	if (rename(path, path2) != 0)
		die(prog, path2);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGTERM) {
			kill(kid, SIGKILL);
			return 0;
		}
		report(prefix);
	}
}
