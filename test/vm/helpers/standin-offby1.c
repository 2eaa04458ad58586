/* standin-offby1 - negative control: a migratepages that forgets the kernel's
 * maxnode quirk. It passes maxnode = number of bits in the masks (highest
 * node + 1) instead of that + 1, so the kernel drops the highest node of
 * both masks. "0-1 2-3" on four nodes then returns 0 and puts every page on
 * node 2, which a check of the final node set alone would accept.
 *   standin-offby1 PID FROM TO   (plain lists only: N, A-B, commas)
 */
#include "common.h"

int main(int argc, char **argv)
{
	nodemask from, to;
	int hi;
	long r;
	if (argc != 4 || nm_parse(argv[2], &from) || nm_parse(argv[3], &to)) {
		fprintf(stderr, "usage: standin-offby1 PID FROM TO\n");
		return 1;
	}
	hi = nm_last(&from) > nm_last(&to) ? nm_last(&from) : nm_last(&to);
	r = sys_migrate_pages(atoi(argv[1]), (unsigned long)hi + 1, from.w, to.w);
	if (r < 0) {
		perror("standin-offby1: migrate_pages");
		return 1;
	}
	return 0;
}
