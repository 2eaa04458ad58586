/* landlock_exec PROGRAM [ARG...] - run PROGRAM in a new Landlock domain.
 * Landlock lets a process of a domain ptrace (and so move the pages of) only
 * processes of the same domain or of domains nested in it: every process
 * started outside is refused by the security module, whatever the
 * credentials and capabilities. The ruleset handles one access right
 * (creating character devices) and grants it nowhere: files are otherwise
 * untouched. Exit 125 when the kernel has no Landlock (or it is off).
 *   landlock_exec -p   prints the Landlock ABI version, exit 0 (a probe)
 * Test helper; not installed.
 * SPDX-License-Identifier: GPL-2.0-only */
#define _GNU_SOURCE
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_restrict_self 446
#endif

int main(int argc, char **argv)
{
	struct landlock_ruleset_attr attr;
	long abi, fd;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (argc == 2 && !strcmp(argv[1], "-p")) {
		if (abi < 1) {
			perror("landlock_exec: no Landlock");
			return 125;
		}
		printf("%ld\n", abi);
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: landlock_exec PROGRAM [ARG...] | -p\n");
		return 125;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_CHAR;
	fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr.handled_access_fs), 0);
	if (fd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_landlock_restrict_self, fd, 0) < 0) {
		perror("landlock_exec: Landlock");
		return 125;
	}
	close((int)fd);
	if (strchr(argv[1], '/'))
		execv(argv[1], argv + 1);
	else
		execvp(argv[1], argv + 1);
	perror("landlock_exec: exec");
	return 127;
}
