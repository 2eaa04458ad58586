/* leader_exit - a process whose main thread calls pthread_exit while another
 * thread runs on: the main thread turns zombie, the process and its memory
 * live on. Prints the main thread's id and the other thread's id, then the
 * other thread sleeps until killed.
 *   leader_exit [MIB]   touches MIB MiB of memory first (default 1)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

char *volatile keep; /* the memory stays reachable: the compiler may not drop it */

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
	char *buf = malloc(len);
	pthread_t t;

	if (!buf)
		return 1;
	memset(buf, 0x5a, len);
	keep = buf;
	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 1;
	pthread_exit(NULL);
}
