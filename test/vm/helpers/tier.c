/* tier - a test process for --cold and --hot: memory it writes, memory it
 * only reads, memory it never touches, and memory it starts writing when told.
 *
 *   tier -o PREFIX [-s MIB] [-H | -N] [-p MS] [-x [-t DIR]]
 *
 * Maps four regions of MIB MiB each (default 4; 2 MiB aligned), binds them
 * to node 0 and writes a pattern into every page of each. Then a thread, every
 * MS ms (default 100), writes one word of every page of W (the word it holds:
 * the pattern stays), reads one word of every page of R, and, once SIGUSR2
 * came, writes every page of L too; U is never touched again. -H asks for
 * transparent huge pages, -N refuses them.
 * -x adds regions whose truth a single page table does not show (each MIB MiB,
 * on node 0; the whole process is bound to node 0):
 *   Z  the first half written once, the second half only read: it maps the
 *      zero page, which is no memory of the process's
 *   S  shared anonymous memory written only by a second process (a child made
 *      first, so that the private regions stay mapped once)
 *   F  a shared memory file (memfd) mapped here, changed only by the child
 *      with pwrite(2)
 *   H  a heap (brk) written once, ending on a 2 MiB boundary; N: the heap grows by brk by one page every
 *      MS ms, and the pages it grew are written every MS ms (the kernel flags
 *      the whole heap soft-dirty at each growth)
 *   M  anonymous memory without MADV_NOHUGEPAGE, 64 KiB aligned, of which the
 *      first half of every 64 KiB is written every MS ms (a 64 KiB mTHP is
 *      then half written)
 *   T  with -t DIR (a tmpfs mounted huge=always): a file written once, mapped
 *      64 KiB off a 2 MiB boundary (its large folios mapped by page table
 *      entries), never touched again
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
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>

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

/* -x: the regions a single page table does not show */
#define NMAX 4096 /* heap pages grown at most */
static unsigned char *xz, *xs, *xf, *xh, *xm, *xt;
static int xfd = -1;
static unsigned char *xn[NMAX];
static volatile size_t nn;

static unsigned long long word_at(size_t r, size_t i)
{
	unsigned long long z = (i + r * 0x1000003ULL) * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	return z ^ (z >> 31);
}

/* The second process: writes S and changes F with pwrite(2), every MS ms. */
static void second(void)
{
	unsigned long long v = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	for (;; v++) {
		for (size_t p = 0; p < npages; p++) {
			((volatile unsigned long long *)xs)[p * pagesz / 8] = v;
			if (pwrite(xfd, &v, sizeof(v), (off_t)(p * pagesz)) != (ssize_t)sizeof(v))
				_exit(1);
		}
		usleep(period_ms * 1000);
	}
}

/* An anonymous mapping of len bytes aligned to align; fills it when fill. */
static unsigned char *aligned(size_t align, int flags, int fill)
{
	unsigned char *raw = mmap(NULL, len + align, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0), *a;
	if (raw == MAP_FAILED)
		die(prog, "mmap");
	a = (unsigned char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	if (fill)
		memset(a, 0x5a, len);
	return a;
}

/* -x: the regions a single page table does not show (see the top). */
static void setup_x(const char *tdir, int thp)
{
	nodemask m;
	uintptr_t b;
	pid_t child;

	memset(&m, 0, sizeof(m));
	nm_set(&m, 0);
	if (syscall(SYS_set_mempolicy, MPOL_BIND, m.w, 2UL) != 0)
		die(prog, "set_mempolicy");
	mallopt(M_MMAP_THRESHOLD, 0); /* malloc leaves brk to H and N */
	xs = aligned(2UL << 20, MAP_SHARED, 1);
	if ((xfd = (int)syscall(SYS_memfd_create, "tier-f", 0U)) < 0 || ftruncate(xfd, (off_t)len) != 0)
		die(prog, "memfd_create");
	xf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, xfd, 0);
	if (xf == MAP_FAILED)
		die(prog, "mmap memfd");
	memset(xf, 0x5a, len);
	if ((child = fork()) < 0)
		die(prog, "fork");
	if (child == 0)
		second(); /* before the private regions: they stay mapped once */
	xz = aligned(2UL << 20, MAP_PRIVATE, 0);
	if (thp && madvise(xz, len, thp > 0 ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0)
		die(prog, "madvise");
	memset(xz, 0x5a, len / 2);
	for (size_t p = npages / 2; p < npages; p++)
		(void)((volatile unsigned char *)xz)[p * pagesz];
	/* H ends on a 2 MiB boundary: no huge page (khugepaged) holds both H and
	 * N, whose folio would be touched as a whole */
	b = (uintptr_t)sbrk(0);
	if (sbrk((intptr_t)(((2UL << 20) - (b + len) % (2UL << 20)) % (2UL << 20))) == (void *)-1 ||
	    (xh = sbrk((intptr_t)len)) == (void *)-1)
		die(prog, "sbrk");
	memset(xh, 0x5a, len);
	xm = aligned(65536, MAP_PRIVATE, 1);
	if (tdir) {
		char path[4096];
		unsigned char *at = aligned(4UL << 20, MAP_PRIVATE, 0) + 65536;
		int fd;
		snprintf(path, sizeof(path), "%s/tier-t.%d", tdir, (int)getpid());
		if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0)
			die(prog, path);
		unlink(path);
		for (size_t o = 0; o < len; o += 65536) {
			static char blk[65536];
			memset(blk, 0x5a, sizeof(blk));
			if (pwrite(fd, blk, sizeof(blk), (off_t)o) != (ssize_t)sizeof(blk))
				die(prog, "pwrite");
		}
		xt = mmap(at, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
		if (xt == MAP_FAILED)
			die(prog, "mmap T");
		for (size_t p = 0; p < npages; p++)
			(void)((volatile unsigned char *)xt)[p * pagesz];
	}
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
			if (xz && p >= npages / 2)
				sink += ((volatile unsigned long long *)xz)[w];
			if (xm && p % (65536 / pagesz) < 32768 / pagesz)
				((volatile unsigned char *)xm)[p * pagesz] = 1;
		}
		if (xh) {
			void *g;
			if (nn < NMAX && (g = sbrk((intptr_t)pagesz)) != (void *)-1)
				xn[nn++] = g;
			for (size_t i = 0; i < nn; i++)
				((volatile unsigned char *)xn[i])[0] = 1;
		}
		usleep(period_ms * 1000);
	}
	(void)sink;
	return NULL;
}

/* "region NAME nodes N*COUNT ..." for n pages */
static void region_line(FILE *f, char name, void **pages, size_t n)
{
	static int st[NMAX > 65536 ? NMAX : 65536];
	if (n > sizeof(st) / sizeof(st[0]))
		n = sizeof(st) / sizeof(st[0]);
	region_nodes(f, name, pages, st, n);
}

/* the -x regions; Z and M also as halves (Z1/M1: written, Z2/M2 the rest) */
static void report_x(FILE *f)
{
	static void *pg[65536];
	unsigned char *r[] = { xz, xs, xf, xh, xm, xt };
	const char nm[] = "ZSFHMT";
	size_t blk = 65536 / pagesz, half = 32768 / pagesz;

	for (int k = 0; k < 6; k++) {
		if (!r[k])
			continue;
		for (size_t i = 0; i < npages; i++)
			pg[i] = r[k] + i * pagesz;
		region_line(f, nm[k], pg, npages);
	}
	if (xz) { /* the half written once (z) and the half only read (zero page) */
		for (size_t i = 0; i < npages; i++)
			pg[i] = xz + i * pagesz;
		region_line(f, 'z', pg, npages / 2);
	}
	if (xh) {
		size_t n = nn;
		for (size_t i = 0; i < n; i++)
			pg[i] = xn[i];
		region_line(f, 'N', pg, n);
	}
	if (xm) { /* the written halves (m) and the others (o) of every 64 KiB */
		size_t a = 0, b = npages / 2;
		for (size_t i = 0; i < npages; i++) {
			if (i % blk < half)
				pg[a++] = xm + i * pagesz;
			else
				pg[b++] = xm + i * pagesz;
		}
		region_line(f, 'm', pg, a);
		region_line(f, 'o', pg + npages / 2, b - npages / 2);
	}
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
	report_x(f);
	for (int r = 0; r < 4; r++) {
		const unsigned long long *w = (const unsigned long long *)reg[r];
		for (size_t i = 0; i < npages; i++)
			pages[i] = reg[r] + i * pagesz;
		region_nodes(f, names[r], pages, st, npages);
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
	int thp = 0, c, sig, x = 0;
	const char *tdir = NULL;
	sigset_t set;
	pthread_t th;
	char path[4096], path2[4096];
	FILE *f;

	while ((c = getopt(argc, argv, "o:s:HNp:xt:")) != -1) {
		switch (c) {
		case 'o': prefix = optarg; break;
		case 's': mib = strtoul(optarg, NULL, 10); break;
		case 'H': thp = 1; break;
		case 'N': thp = -1; break;
		case 'p': period_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'x': x = 1; break;
		case 't': tdir = optarg; break;
		default:
			fprintf(stderr, "usage: tier -o PREFIX [-s MIB] [-H|-N] [-p MS] [-x [-t DIR]]\n");
			return 2;
		}
	}
	if (!prefix || !mib)
		return 2;
	pagesz = (size_t)sysconf(_SC_PAGESIZE);
	len = mib << 20;
	npages = len / pagesz;
	if (npages > 65536 / 2)
		return 2;
	if (x)
		setup_x(tdir, thp);
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
	/* written whole, then renamed: a reader that sees the file sees the pid */
	snprintf(path, sizeof(path), "%s.ready.tmp", prefix);
	if (!(f = fopen(path, "w")))
		die(prog, path);
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	snprintf(path2, sizeof(path2), "%s.ready", prefix);
	if (rename(path, path2) != 0)
		die(prog, path2);
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
