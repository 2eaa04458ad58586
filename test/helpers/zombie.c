/* zombie - a process with one child it never reaps: the child exits at once
 * and stays a zombie for as long as this process lives.
 *   zombie FILE   writes the child's pid to FILE (whole, by a rename) once the
 *                 child is a zombie, then sleeps until killed
 * No race: waitid(WNOWAIT) returns once the child has exited and leaves it
 * unreaped, and SIGCHLD is set to its default first (an ignored SIGCHLD,
 * inherited, would have the kernel reap the child at once). A shell's
 * `sleep 0 &` before an exec could be reaped by the shell before the exec.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char tmp[4096];
	siginfo_t si;
	FILE *f;
	pid_t c;

	if (argc != 2 || snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]) >= (int)sizeof tmp) {
		fprintf(stderr, "usage: zombie FILE\n");
		return 2;
	}
	signal(SIGCHLD, SIG_DFL);
	c = fork();
	if (c < 0) {
		perror("zombie: fork");
		return 1;
	}
	if (c == 0)
		_exit(0);
	if (waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT) != 0) {
		perror("zombie: waitid");
		return 1;
	}
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", (int)c) < 0 || fclose(f) != 0 || rename(tmp, argv[1]) != 0) {
		perror("zombie: write the pid");
		return 1;
	}
	for (;;)
		pause();
}
