/* maxrss PROGRAM [ARG...] - runs PROGRAM and prints "EXIT KIB": its exit
 * status and its peak resident set size (wait4's ru_maxrss). The kernel
 * counts the child's memory from before exec too, so this helper keeps its
 * own small (build it static with musl-gcc): its figure is the floor of what
 * it can measure, printed by "maxrss -" (the helper alone). Test helper.
 * SPDX-License-Identifier: GPL-2.0-only */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	int st;
	pid_t pid;

	if (argc < 2) {
		fputs("usage: maxrss PROGRAM [ARG...] | maxrss -\n", stderr);
		return 125;
	}
	pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0) {
		if (argv[1][0] == '-' && !argv[1][1])
			_exit(0);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		return 125;
	printf("%d %ld\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), ru.ru_maxrss);
	return 0;
}
