/* vm_hwm.h - a process's peak resident set (VmHWM in /proc/PID/status), in
 * kB, or -1: read by the benchmark and test helpers while the process is
 * stopped at its exit under ptrace (its memory is still mapped then).
 * SPDX-License-Identifier: GPL-2.0-only */
#ifndef VM_HWM_H
#define VM_HWM_H
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static inline long vm_hwm(pid_t pid)
{
	char path[64], buf[4096], *p;
	long kb = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = 0;
		p = strstr(buf, "VmHWM:");
		if (p)
			kb = atol(p + 6);
	}
	if (fd >= 0)
		close(fd);
	return kb;
}
#endif
