/* bench_floor.c - the floor for test/bench: a static program that makes the
 * one system call migratepages exists for, and nothing else.
 *   bench_floor PID FROM TO   (single node numbers 0..63, decimal, no checks)
 * Exit status 0 when migrate_pages returned 0, 2 when it left pages, 1 on error.
 * Built with musl-gcc -static -Os and stripped: what a static C program costs
 * before it does any work of its own.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include <sys/syscall.h>
#include <unistd.h>

static long num(const char *s)
{
	long v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

int main(int argc, char **argv)
{
	unsigned long from, to;
	long r;

	if (argc != 4)
		return 1;
	from = 1UL << num(argv[2]);
	to = 1UL << num(argv[3]);
	r = syscall(SYS_migrate_pages, (int)num(argv[1]), 65UL, &from, &to);
	return r < 0 ? 1 : r > 0 ? 2 : 0;
}
