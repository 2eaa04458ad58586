/* hog - a test process whose memory placement the guest tests observe.
 *
 *   hog -o PREFIX [-s MIB | -p PAGES] [-H | -N | -L] [-b NODES | -i NODES]
 *       [-t THREADS] [-S] [-k SEED] [-g MS] [-E] [-F FILE] [-C] [-M NODE]
 *       [-e N] [-P] [-R GIB]
 *
 * Maps a buffer (anonymous private, or shared with -S), optionally places it
 * with mbind (-b bind, -i interleave), asks for or against transparent huge
 * pages (-H / -N), or takes hugetlbfs pages (-L, MAP_HUGETLB: 2 MiB pages
 * reserved beforehand in /sys/.../hugepages), writes a pattern into every word (split between -t threads
 * when asked, so each thread first-touches its slice), and with -S forks a
 * child that maps every page too (page mapcount 2: "shared pages").
 * -g MS: a thread maps and touches one new page every MS ms, on and on (a
 * target that keeps allocating; those pages are not part of the buffer).
 * -E: the main thread calls pthread_exit once set up; another thread serves
 * the signals (a process whose main thread has exited).
 * -F FILE maps the buffer from FILE (created and sized; MAP_SHARED, a page
 * cache mapping) instead of anonymous memory. -C starts a thread that keeps
 * mapping, touching and unmapping 64 KiB (a target whose mappings change
 * while it is moved). -M NODE then moves the pages whose index is 1 or 2
 * modulo 4 to NODE: with -N, every 2 MiB block has its first and last page
 * where the buffer was put and half of the others elsewhere (a block that
 * looks like one huge page at its ends and is not).
 * -e N writes only every Nth page (a sparse heap: the others are never
 * touched). -P makes the buffer PROT_NONE once written (a guard region, a
 * freed arena: its pages stay, out of move_pages' sight on some kernels); the
 * reports make it readable for their look. -R GIB reserves GIB GiB of
 * PROT_NONE address space beside the buffer (a JVM's or ASan's reservation).
 * -V pins 64 KiB at the lowest address a process may map (0x10000: the first
 * pages a mover meets), written and placed as the buffer, by vmsplice into a
 * pipe (the pipe holds a reference to each page: migration fails, busy,
 * until SIGUSR2 drains it), and maps 2 MiB more of base pages, written,
 * above the program (pages a mover meets late).
 * Then it writes PREFIX.ready ("PID CHILD TID": the -S child's pid or -1, the
 * first extra thread's id or -1) and waits:
 *   SIGUSR1  write PREFIX.rep: the node of every page (move_pages with
 *            nodes = NULL, run-length coded), the per-node counts, the
 *            buffer's address, its THP size from smaps, and whether the
 *            pattern is intact. Written to a temporary name, then renamed.
 *   SIGUSR2  (-V) drain the pipe: the pinned pages may move from then on.
 *   SIGTERM  exit (the -S child goes too).
 */
#include "common.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15
#endif

static const char *prog = "hog";
static unsigned char *buf;
static size_t npages, pagesz, len;
static unsigned long long seed = 0x5eedULL;
static int nthreads = 1;
static size_t every = 1;   /* -e: only every Nth page is written */
static int protnone;       /* -P */
static volatile pid_t first_tid = -1;

/* -C: map, touch, unmap, forever */
static void *churner(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned char *p = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			continue;
		for (size_t i = 0; i < (64 << 10); i += 4096)
			p[i] = 1;
		munmap(p, 64 << 10);
	}
	return NULL;
}

static unsigned long long word_at(size_t i)
{
	unsigned long long z = (i + seed) * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct slice { size_t from, to; };

static void *fill(void *arg)
{
	struct slice *s = arg;
	unsigned long long *w = (unsigned long long *)buf;
	size_t per = pagesz / sizeof(*w);
	for (size_t i = s->from; i < s->to; i++)
		if ((i / per) % every == 0)
			w[i] = word_at(i);
	return NULL;
}

static void *idle(void *arg)
{
	if (arg)
		first_tid = (pid_t)syscall(SYS_gettid);
	for (;;)
		pause();
	return NULL;
}

/* Returns the index of the first bad word, or (size_t)-1 when all are right. */
static size_t verify(void)
{
	const unsigned long long *w = (const unsigned long long *)buf;
	size_t n = len / sizeof(*w), per = pagesz / sizeof(*w);
	for (size_t i = 0; i < n; i += (i / per) % every ? per : 1)
		if ((i / per) % every == 0 && w[i] != word_at(i))
			return i;
	return (size_t)-1;
}

/* AnonHugePages (or ShmemPmdMapped) of the buffer's mapping in smaps, in kB;
 * -1 when /proc is not there. */
static long thp_kb(void)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0;
	long kb = -1;
	if (!f)
		return -1;
	kb = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long a, b;
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = (a <= (unsigned long)buf && (unsigned long)buf < b);
			continue;
		}
		if (in) {
			long v;
			if (sscanf(line, "AnonHugePages: %ld", &v) == 1 ||
			    sscanf(line, "ShmemPmdMapped: %ld", &v) == 1)
				kb += v;
		}
	}
	fclose(f);
	return kb;
}

static void report(const char *prefix)
{
	char tmp[4096], final[4096];
	static int *status;
	static void **pages;
	long counts[MAXNODES + 1] = { 0 };
	long errs = 0;
	size_t bad;
	FILE *f;

	if (!status) {
		status = calloc(npages, sizeof(*status));
		pages = calloc(npages, sizeof(*pages));
		if (!status || !pages)
			die(prog, "calloc");
	}
	for (size_t i = 0; i < npages; i++) {
		pages[i] = buf + i * pagesz;
		status[i] = -1000;
	}
	if (protnone && mprotect(buf, len, PROT_READ) != 0)
		die(prog, "mprotect(PROT_READ)");
	/* In chunks: the kernel handles any count, but keep each call modest. */
	for (size_t at = 0; at < npages; at += 4096) {
		size_t n = npages - at < 4096 ? npages - at : 4096;
		if (sys_move_pages(0, n, pages + at, NULL, status + at, 0) < 0) {
			for (size_t i = 0; i < n; i++)
				status[at + i] = -errno;
		}
	}
	bad = verify();
	if (protnone && mprotect(buf, len, PROT_NONE) != 0)
		die(prog, "mprotect(PROT_NONE)");
	snprintf(tmp, sizeof tmp, "%s.rep.tmp", prefix);
	snprintf(final, sizeof final, "%s.rep", prefix);
	f = fopen(tmp, "w");
	if (!f)
		die(prog, tmp);
	fprintf(f, "pid %d\naddr %lx\npages %zu\npagesize %zu\nthp_kb %ld\n",
		(int)getpid(), (unsigned long)buf, npages, pagesz, thp_kb());
	if (bad == (size_t)-1)
		fprintf(f, "pattern ok\n");
	else
		fprintf(f, "pattern bad at word %zu (page %zu)\n", bad, bad * 8 / pagesz);
	fprintf(f, "nodes");
	status_runs(f, status, npages);
	fprintf(f, "\ncount");
	for (size_t i = 0; i < npages; i++) {
		if (status[i] >= 0 && status[i] < MAXNODES)
			counts[status[i]]++;
		else
			errs++;
	}
	for (int n = 0; n < MAXNODES; n++)
		if (counts[n])
			fprintf(f, " %d=%ld", n, counts[n]);
	if (errs)
		fprintf(f, " err=%ld", errs);
	fprintf(f, "\n");
	if (fclose(f) != 0 || rename(tmp, final) != 0)
		die(prog, final);
}

static void usage(void)
{
	fprintf(stderr, "usage: hog -o PREFIX [-s MIB | -p PAGES] [-H | -N | -L] [-b NODES | -i NODES] [-t THREADS] [-S] [-k SEED] [-g MS] [-E] [-F FILE] [-C] [-M NODE]\n");
	exit(2);
}

static int grow_ms;

static void *grow(void *arg)
{
	size_t n = 0;
	(void)arg;
	for (;;) {
		unsigned char *p = mmap(NULL, pagesz, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			p[0] = 1;
		if (++n == 16384) { /* 64 MiB of 4 KiB pages: start again */
			n = 0;
		}
		usleep((useconds_t)grow_ms * 1000);
	}
	return NULL;
}

static int pin_fd = -1;     /* -V: the pipe's read end */

/* -V: see the top. */
static void pin_low(const nodemask *bind)
{
	size_t n = 16 * pagesz;
	unsigned char *p = mmap((void *)0x10000, n, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	unsigned char *top = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec iov;
	int pfd[2];

	if (p != (void *)0x10000 || top == MAP_FAILED || madvise(top, 2 << 20, MADV_NOHUGEPAGE) != 0)
		die(prog, "mmap (-V)");
	if (bind && (sys_mbind(p, n, MPOL_BIND, bind, (unsigned long)nm_last(bind) + 2, 0) != 0 ||
		     sys_mbind(top, 2 << 20, MPOL_BIND, bind, (unsigned long)nm_last(bind) + 2, 0) != 0))
		die(prog, "mbind (-V)");
	memset(p, 7, n);
	memset(top, 7, 2 << 20);
	if (pipe(pfd) != 0 || fcntl(pfd[1], F_SETPIPE_SZ, (int)n) < (int)n)
		die(prog, "pipe (-V)");
	iov.iov_base = p;
	iov.iov_len = n;
	if (vmsplice(pfd[1], &iov, 1, 0) != (ssize_t)n)
		die(prog, "vmsplice (-V)");
	close(pfd[1]); /* (the pipe keeps its pages; a read ends at its end) */
	pin_fd = pfd[0];
}

static void unpin(void)
{
	char b[4096];

	while (pin_fd >= 0 && read(pin_fd, b, sizeof(b)) > 0)
		;
	if (pin_fd >= 0)
		close(pin_fd);
	pin_fd = -1;
}

static const char *g_prefix;
static pid_t g_child = -1;
static sigset_t g_set;
static pthread_t main_thread;
static int exit_main;

static void write_ready(const char *prefix, pid_t child);

static void *serve(void *arg)
{
	(void)arg;
	if (exit_main) {
		/* the main thread is gone (in the kernel too) once it is joined */
		pthread_join(main_thread, NULL);
		write_ready(g_prefix, g_child);
	}
	for (;;) {
		int sig = sigwaitinfo(&g_set, NULL);
		if (sig == SIGUSR1) {
			report(g_prefix);
		} else if (sig == SIGUSR2) {
			unpin();
		} else if (sig > 0) {
			if (g_child > 0) {
				kill(g_child, SIGTERM);
				waitpid(g_child, NULL, 0);
			}
			exit(0);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *prefix = NULL, *bind = NULL, *inter = NULL;
	int thp = 0, shared = 0, c;
	size_t mib = 16, pg = 0;
	pid_t child = -1;
	sigset_t set;
	const char *file = NULL;
	int churn = 0, mix = -1, pin = 0;
	unsigned long reserve_gib = 0;

	while ((c = getopt(argc, argv, "o:s:p:HNLb:i:t:Sk:g:EF:CM:e:PR:V")) != -1) {
		switch (c) {
		case 'o': prefix = optarg; break;
		case 's': mib = strtoul(optarg, NULL, 10); break;
		case 'p': pg = strtoul(optarg, NULL, 10); break;
		case 'H': thp = 1; break;
		case 'N': thp = -1; break;
		case 'L': thp = 2; break;
		case 'b': bind = optarg; break;
		case 'i': inter = optarg; break;
		case 't': nthreads = atoi(optarg); break;
		case 'S': shared = 1; break;
		case 'k': seed = strtoull(optarg, NULL, 0); break;
		case 'g': grow_ms = atoi(optarg); break;
		case 'E': exit_main = 1; break;
		case 'F': file = optarg; break;
		case 'C': churn = 1; break;
		case 'M': mix = atoi(optarg); break;
		case 'e': every = strtoul(optarg, NULL, 10); break;
		case 'P': protnone = 1; break;
		case 'R': reserve_gib = strtoul(optarg, NULL, 10); break;
		case 'V': pin = 1; break;
		default: usage();
		}
	}
	if (!prefix || nthreads < 1 || nthreads > 256 || every < 1)
		usage();
	if (reserve_gib && mmap(NULL, reserve_gib << 30, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED)
		die(prog, "mmap(-R)");
	pagesz = (size_t)sysconf(_SC_PAGESIZE);
	npages = pg ? pg : mib * 1024 * 1024 / pagesz;
	len = npages * pagesz;

	/* Map 2 MiB more and align, so that huge pages can back the buffer. */
	{
		size_t align = 2UL << 20;
		unsigned char *raw;
		if (thp == 2) {
			/* hugetlbfs mappings come aligned; the length must be whole pages. */
			len = (len + align - 1) & ~(align - 1);
			npages = len / pagesz;
			buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
				   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
			if (buf == MAP_FAILED)
				die(prog, "mmap(MAP_HUGETLB)");
			goto mapped;
		}
		if (file) {
			int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
			if (fd < 0 || ftruncate(fd, (off_t)len) != 0)
				die(prog, file);
			buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (buf == MAP_FAILED)
				die(prog, "mmap(FILE)");
			close(fd);
			goto mapped;
		}
		/* a sparse heap is reserved, not committed (more than the guest's
		 * memory may be reserved) */
		raw = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
			   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS |
			   (every > 1 ? MAP_NORESERVE : 0), -1, 0);
		if (raw == MAP_FAILED)
			die(prog, "mmap");
		buf = (unsigned char *)(((unsigned long)raw + align - 1) & ~(align - 1));
		if (buf > raw)
			munmap(raw, (size_t)(buf - raw));
		munmap(buf + len, (size_t)(raw + len + align - (buf + len)));
	}
mapped:
	if (thp == 1 && madvise(buf, len, MADV_HUGEPAGE) != 0)
		die(prog, "madvise(MADV_HUGEPAGE)");
	if (thp == -1 && madvise(buf, len, MADV_NOHUGEPAGE) != 0)
		die(prog, "madvise(MADV_NOHUGEPAGE)");
	if (bind || inter) {
		nodemask m;
		if (nm_parse(bind ? bind : inter, &m) != 0) {
			fprintf(stderr, "hog: bad node list\n");
			return 2;
		}
		if (sys_mbind(buf, len, bind ? MPOL_BIND : MPOL_INTERLEAVE, &m,
			      (unsigned long)nm_last(&m) + 2, 0) != 0)
			die(prog, "mbind");
	}

	/* Signals are taken synchronously by the main thread; block them before
	 * any thread starts so that every thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (grow_ms > 0) {
		pthread_t g;
		if (pthread_create(&g, NULL, grow, NULL) != 0)
			die(prog, "pthread_create");
	}
	if (churn) {
		pthread_t ct;
		if (pthread_create(&ct, NULL, churner, NULL) != 0)
			die(prog, "pthread_create");
	}

	{
		size_t words = len / 8;
		pthread_t th[256];
		struct slice sl[256];
		for (int t = 0; t < nthreads; t++) {
			sl[t].from = words * (size_t)t / (size_t)nthreads;
			sl[t].to = words * (size_t)(t + 1) / (size_t)nthreads;
		}
		if (nthreads == 1) {
			fill(&sl[0]);
		} else {
			for (int t = 0; t < nthreads; t++)
				if (pthread_create(&th[t], NULL, fill, &sl[t]) != 0)
					die(prog, "pthread_create");
			for (int t = 0; t < nthreads; t++)
				pthread_join(th[t], NULL);
			/* Keep the threads around: a multi-threaded target. */
			for (int t = 0; t < nthreads; t++)
				if (pthread_create(&th[t], NULL, idle, t == 0 ? (void *)&nthreads : NULL) != 0)
					die(prog, "pthread_create");
			while (first_tid < 0)
				usleep(1000);
		}
	}

	if (mix >= 0) {
		static void *pp[1024];
		static int nd[1024], st[1024];
		size_t k = 0;
		for (size_t i = 0; i <= npages; i++) {
			if (k == 1024 || (i == npages && k)) {
				if (sys_move_pages(0, k, pp, nd, st, 1 << 1) < 0)
					die(prog, "move_pages (-M)");
				k = 0;
			}
			if (i < npages && (i % 4 == 1 || i % 4 == 2)) {
				pp[k] = buf + i * pagesz;
				nd[k++] = mix;
			}
		}
	}

	if (shared) {
		int pfd[2];
		if (pipe(pfd) != 0)
			die(prog, "pipe");
		child = fork();
		if (child < 0)
			die(prog, "fork");
		if (child == 0) {
			volatile unsigned char sink = 0;
			close(pfd[0]);
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			sigprocmask(SIG_UNBLOCK, &set, NULL);
			for (size_t i = 0; i < npages; i++)
				sink ^= buf[i * pagesz];
			(void)sink;
			if (write(pfd[1], "x", 1) != 1)
				_exit(1);
			close(pfd[1]);
			for (;;)
				pause();
		}
		close(pfd[1]);
		{
			char x;
			if (read(pfd[0], &x, 1) != 1) {
				fprintf(stderr, "hog: child failed\n");
				return 111;
			}
		}
		close(pfd[0]);
	}

	if (pin) {
		nodemask m;
		if (bind && nm_parse(bind, &m) != 0)
			die(prog, "-b");
		pin_low(bind ? &m : NULL);
	}
	if (protnone && mprotect(buf, len, PROT_NONE) != 0)
		die(prog, "mprotect(PROT_NONE)");
	g_prefix = prefix;
	g_child = child;
	g_set = set;
	if (exit_main) {
		pthread_t t;
		main_thread = pthread_self();
		if (pthread_create(&t, NULL, serve, NULL) != 0)
			die(prog, "pthread_create");
		pthread_exit(NULL);
	}
	write_ready(prefix, child);
	serve(NULL);
	return 0;
}

static void write_ready(const char *prefix, pid_t child)
{
	char path[4096], tmp[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s.ready", prefix);
	snprintf(tmp, sizeof tmp, "%s.ready.tmp", prefix);
	f = fopen(tmp, "w");
	if (!f)
		die(prog, tmp);
	fprintf(f, "%d %d %d\n", (int)getpid(), (int)child, (int)first_tid);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		die(prog, path);
}
