/* migratepages - move the memory of running processes between NUMA nodes.
 *
 * A static, dependency-free replacement for numactl's migratepages: the node
 * lists are checked against the system's nodes, the kernel's answer is turned
 * into a sentence, and --verbose/--json show memory per node before and after.
 *
 * Where things are: cli.c (the command line), run.c (the pipeline every
 * target goes through), target.c (a process held by pidfd and /proc
 * directory, and the calls that name it), stop.c (stopping on a signal),
 * checks.c (why the kernel refuses), engine.h with single.c (one
 * migrate_pages call) and mover_engine.c with mover.c, mover_walk.c,
 * mover_chunk.c (the chunked mover), watch.c with tracker.h and tracker.c
 * (--cold, --hot),
 * report.c (what the user is told), output.c (stdout and stderr), cgroup.c,
 * sysinfo.c, devices.c (what is read from /proc and /sys), kerndat.c (the
 * kernel's facts, probed once), bitmap.c (node
 * sets and the kernel's mapping), fmt.c, mem.c.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "cli.h"
#include "run.h"

int main(int argc, char **argv)
{
	cli_parse(argc, argv);
	return run();
}
