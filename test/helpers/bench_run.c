/* bench_run.c - runs a command many times and reports its wall time and peak
 * memory, for test/bench.
 *   bench_run N COMMAND [ARG...] [-- COMMAND [ARG...]]...
 *   bench_run 0 COMMAND [ARG...]   one run, no warm-up: "once_us=.. status=S"
 *                                  (for work that changes state, such as a
 *                                  migration; also used inside the guests)
 * Runs COMMAND N times (after 3 warm-up runs), stdout and stderr to /dev/null,
 * timing each from fork to the end of wait4 with CLOCK_MONOTONIC, and prints
 * one line per command. Several commands (up to 8, separated by --) are run
 * in turn, A B C A B C ..., so that a busy machine slows them alike:
 *   runs=N median_us=.. p10_us=.. p90_us=.. min_us=.. hwm_kb=.. maxrss_kb=.. status=S
 * Then 20 more runs under ptrace measure memory: each child is stopped at its
 * exit (PTRACE_O_TRACEEXIT), while its memory is still mapped, and hwm_kb is
 * the median of VmHWM from /proc/PID/status (peak resident set). maxrss_kb is
 * the median ru_maxrss from wait4, printed for comparison only: recent kernels
 * keep RSS in per-CPU counters that wait4 reads without summing, so a process
 * of a few dozen pages reads as 0, and it also counts the forked copy of this
 * runner before exec. status is the exit status (a differing one is an error).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm_hwm.h"

static int cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

static long run(char **argv, long *rss, int *status)
{
	struct timespec t0, t1;
	struct rusage ru;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("bench_run: fork");
		exit(1);
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, status, 0, &ru) < 0) {
		perror("bench_run: wait4");
		exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*rss = ru.ru_maxrss;
	return (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
}

/* one run under ptrace: VmHWM at the exit stop, in kB */
static long hwm(char **argv)
{
	char path[64];
	long kb = -1;
	int st;
	pid_t pid = fork();

	if (pid < 0) {
		perror("bench_run: fork");
		exit(1);
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &st, 0); /* the SIGTRAP after exec */
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_TRACEEXIT);
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	for (;;) {
		if (waitpid(pid, &st, 0) < 0 || WIFEXITED(st) || WIFSIGNALED(st))
			return kb;
		if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8)))
			break;
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)(WIFSTOPPED(st) ? WSTOPSIG(st) : 0));
	}
	kb = vm_hwm(pid);
	if (getenv("BENCH_SMAPS")) { /* where the pages are, to stderr */
		FILE *f;
		char line[512], name[512] = "";
		snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			if (strchr(line, '-') && strchr(line, ' ') > strchr(line, '-'))
				snprintf(name, sizeof(name), "%.*s", (int)strcspn(line, "\n"), line);
			else if (strncmp(line, "Rss:", 4) == 0 && atol(line + 4))
				fprintf(stderr, "%6ld kB  %s\n", atol(line + 4), name);
		}
		if (f)
			fclose(f);
	}
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	waitpid(pid, &st, 0);
	return kb;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : 0, status = 0, ncmd = 0;
	long dummy;
	char **cmd[8];
	int first[8];
	long *ns[8], *rss[8];

	if (argc > 2 && strcmp(argv[1], "0") == 0) {
		long t = run(argv + 2, &dummy, &status);
		printf("once_us=%.1f status=%d\n", t / 1e3,
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return 0;
	}
	if (n < 1) {
		fprintf(stderr, "usage: bench_run N|0 /path/to/command [ARG...] [-- COMMAND...]\n");
		return 1;
	}
	/* commands separated by "--", run in turn so that they share the noise */
	cmd[ncmd++] = argv + 2;
	for (int i = 2; i < argc && ncmd < 8; i++) {
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			if (i + 1 < argc)
				cmd[ncmd++] = argv + i + 1;
		}
	}
	for (int c = 0; c < ncmd; c++) {
		ns[c] = calloc((size_t)n, sizeof(long));
		rss[c] = calloc((size_t)n, sizeof(long));
		first[c] = -1;
		for (int i = 0; i < 3; i++)
			run(cmd[c], &dummy, &status);
	}
	for (int i = 0; i < n; i++) {
		for (int c = 0; c < ncmd; c++) {
			ns[c][i] = run(cmd[c], &rss[c][i], &status);
			if (first[c] < 0) {
				first[c] = status;
			} else if (status != first[c]) {
				fprintf(stderr, "bench_run: %s: exit status changed between runs\n",
					cmd[c][0]);
				return 1;
			}
		}
	}
	for (int c = 0; c < ncmd; c++) {
		long hw[20];
		for (int i = 0; i < 20; i++)
			hw[i] = hwm(cmd[c]);
		qsort(hw, 20, sizeof(*hw), cmp);
		qsort(ns[c], (size_t)n, sizeof(long), cmp);
		qsort(rss[c], (size_t)n, sizeof(long), cmp);
		printf("runs=%d median_us=%.1f p10_us=%.1f p90_us=%.1f min_us=%.1f hwm_kb=%ld "
		       "maxrss_kb=%ld status=%d\n",
		       n, ns[c][n / 2] / 1e3, ns[c][n / 10] / 1e3, ns[c][n * 9 / 10] / 1e3,
		       ns[c][0] / 1e3, hw[10], rss[c][n / 2],
		       WIFEXITED(first[c]) ? WEXITSTATUS(first[c]) : 128 + WTERMSIG(first[c]));
	}
	return 0;
}
