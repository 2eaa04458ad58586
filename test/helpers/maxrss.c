/* maxrss PROGRAM [ARG...] - runs PROGRAM and prints "EXIT KIB": its exit
 * status and its peak resident set size. The figure is VmHWM from
 * /proc/PID/status, read while the child is stopped at its exit under ptrace
 * (PTRACE_O_TRACEEXIT: its memory is still mapped). wait4's ru_maxrss is the
 * fallback where ptrace is refused: Linux 6.2 and later keep RSS in per-CPU
 * counters that ru_maxrss reads without summing, so a small process reads as
 * 0 there, and ru_maxrss also counts the forked copy of this helper before
 * exec (build it static with musl-gcc). "maxrss -" measures nothing but
 * itself. Test helper.
 * SPDX-License-Identifier: GPL-2.0-only */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm_hwm.h"

int main(int argc, char **argv)
{
	struct rusage ru;
	int st;
	long kb = -1;
	pid_t pid;

	if (argc < 2) {
		fputs("usage: maxrss PROGRAM [ARG...] | maxrss -\n", stderr);
		return 125;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0) {
		if (argv[1][0] == '-' && !argv[1][1])
			_exit(0);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	memset(&ru, 0, sizeof(ru));
	for (int first = 1;; first = 0) {
		int sig = 0;

		if (wait4(pid, &st, __WALL, &ru) < 0)
			return 125;
		if (!WIFSTOPPED(st))
			break;
		if (first) /* the SIGTRAP after exec */
			ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_TRACEEXIT);
		else if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8)))
			kb = vm_hwm(pid);
		else
			sig = WSTOPSIG(st);
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
	}
	if (kb < 0)
		kb = ru.ru_maxrss;
	printf("%d %ld\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), kb);
	return 0;
}
