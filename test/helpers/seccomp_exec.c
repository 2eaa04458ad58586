/* seccomp_exec MODE PROGRAM [ARG...] - run PROGRAM with a seccomp filter that
 * answers migrate_pages(2) and move_pages(2) (x86_64, x32 and i386 numbers;
 * aarch64's on arm64) with:
 *   kill    the process dies of SIGSYS (proves that no call was made)
 *   eperm   EPERM, as container runtimes' default profiles do
 *   enosys  ENOSYS, as a kernel without NUMA does
 *   eacces  EACCES, as a security module would
 * Every other system call is allowed. Test helper; not installed.
 * SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARCH_OFF offsetof(struct seccomp_data, arch)

int main(int argc, char **argv)
{
	unsigned action;

	if (argc < 3) {
		fprintf(stderr, "usage: seccomp_exec kill|eperm|enosys|eacces PROGRAM [ARG...]\n");
		return 125;
	}
	if (!strcmp(argv[1], "kill"))
		action = SECCOMP_RET_KILL_PROCESS;
	else if (!strcmp(argv[1], "eperm"))
		action = SECCOMP_RET_ERRNO | EPERM;
	else if (!strcmp(argv[1], "enosys"))
		action = SECCOMP_RET_ERRNO | ENOSYS;
	else if (!strcmp(argv[1], "eacces"))
		action = SECCOMP_RET_ERRNO | EACCES;
	else {
		fprintf(stderr, "seccomp_exec: unknown mode '%s'\n", argv[1]);
		return 125;
	}
	/* jt/jf count instructions after the jump; every match goes to 19 */
	struct sock_filter f[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARCH_OFF),
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 6),
		/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		/* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 256, 15, 0),             /* x86_64 migrate_pages */
		/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x40000000 | 256, 14, 0), /* x32 */
		/* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 279, 13, 0),             /* x86_64 move_pages */
		/* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x40000000 | 533, 12, 0), /* x32 */
		/* 7 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 4),
		/* 9 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		/* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 294, 8, 0),             /* i386 migrate_pages */
		/* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 317, 7, 0),             /* i386 move_pages */
		/* 12 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 13 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_AARCH64, 0, 4),
		/* 14 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		/* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 238, 3, 0),             /* aarch64 migrate_pages */
		/* 16 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 239, 2, 0),             /* aarch64 move_pages */
		/* 17 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 18 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 19 */ BPF_STMT(BPF_RET | BPF_K, action),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("seccomp_exec: installing the filter");
		return 125;
	}
	/* execv for a path: execvp would hand a file the kernel refuses (ENOEXEC,
	 * e.g. an i386 binary on a kernel without IA32 emulation) to /bin/sh as a
	 * script, which prints the binary's bytes as errors. */
	if (strchr(argv[2], '/'))
		execv(argv[2], argv + 2);
	else
		execvp(argv[2], argv + 2);
	perror("seccomp_exec: exec");
	return 127;
}
