/* two_threads - a process of two threads that both sleep until killed: the
 * second thread's id is printed (after the process id), so that a test can
 * put one thread in another cgroup than the main thread.
 *   two_threads [MIB]   touches MIB MiB of memory first (default 1)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

char *volatile keep; /* the memory stays reachable */

static void *worker(void *arg)
{
	(void)arg;
	printf("%d %ld\n", (int)getpid(), (long)syscall(SYS_gettid));
	fflush(stdout);
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	size_t len = (size_t)(argc > 1 ? atoi(argv[1]) : 1) << 20;
	pthread_t th;

	keep = malloc(len);
	if (!keep)
		return 1;
	memset(keep, 1, len);
	if (pthread_create(&th, NULL, worker, NULL) != 0)
		return 1;
	for (;;)
		pause();
}
