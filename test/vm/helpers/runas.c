/* runas UID GID COMMAND [ARG...] - drop to UID/GID (no supplementary groups)
 * and exec COMMAND: the guest's stand-in for su/setpriv. */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: runas UID GID COMMAND [ARG...]\n");
		return 111;
	}
	gid_t g = (gid_t)strtoul(argv[2], NULL, 10);
	uid_t u = (uid_t)strtoul(argv[1], NULL, 10);
	if (setgroups(0, NULL) != 0 || setresgid(g, g, g) != 0 || setresuid(u, u, u) != 0) {
		perror("runas");
		return 111;
	}
	execvp(argv[3], argv + 3);
	perror("runas: exec");
	return 111;
}
