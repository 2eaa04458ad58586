/* run.h - the pipeline every target goes through, whatever its source and
 * whatever engine moves it:
 *
 *   source      the pid list, or the --cgroup walk, a batch at a time
 *   handles     pidfd and /proc/PID directory (target.h); a thread id's
 *               process; each process once
 *   membership  --cgroup: its cgroup is read again, after the handles are held
 *   lists       the node lists resolved for it (+LIST: within its cpuset)
 *   checks      the dry run predicts (checks.h); the real run asks the engine
 *               for its probe and its own refusals
 *   engine      the single migrate_pages call or the chunked mover (engine.h)
 *   reports     one per target, in the order they were named (report.h)
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_RUN_H
#define MP_RUN_H

/* Runs the command line parsed into opt (cli.h). Returns the exit status. */
int run(void);

#endif
