/* checks.h - why the kernel refuses a process, known before or after the
 * call, in one place for the dry run, the single call and the mover: the same
 * refusal gets the same words and the same exit status on every path.
 *
 * The kernel's order (kernel_migrate_pages() in mm/mempolicy.c; move_pages'
 * find_mm_struct() in mm/migrate.c): the process exists; the caller may read
 * it (ptrace_may_access(PTRACE_MODE_READ_REALCREDS): Yama, which acts only on
 * PTRACE_MODE_ATTACH, never refuses it); the to-nodes are within its cpuset or
 * the caller has CAP_SYS_NICE; some to-node is within the caller's cpuset;
 * security modules (security_task_movememory()); it has memory. Then an engine may refuse on its own (engine.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_CHECKS_H
#define MP_CHECKS_H

#include "engine.h"
#include "target.h"

/* CAP_SYS_NICE as migrate_pages sees it (in the initial user namespace). */
int sys_nice(void);

/* The dry run: every check that can be known without the call, in the
 * kernel's order, then the engine's own refusals. Returns 0 when the engine
 * would go ahead, else the errno the real run would give (the target's
 * message is then set, as the real run sets it). Checks that could not be
 * made are named in the target's note. */
int check_predict(struct target *t, const struct engine *e);

/* The rules the kernel applies to the to-nodes (the target's cpuset unless
 * CAP_SYS_NICE: EPERM; the caller's cpuset: EINVAL), for an engine whose call
 * does not apply them the same way. 0, or the errno with the message set. */
int check_node_rules(struct target *t);

/* Turns the errno of a refused call (or a predicted one) into the target's
 * status, message and, for processes that are gone, skip reason; -1: a
 * refusal of the engine's own, its message set (errno null in the JSON). */
void check_fail(struct target *t, int e, const struct engine *eng);

/* The process's pidfd says it has exited: a zombie (EINVAL: it has no
 * memory) or gone (ESRCH), failed with the words of either. */
void check_exited(struct target *t, const struct engine *eng);

/* A process whose main thread has exited while others run: the kernel finds
 * no memory through the main thread's id, but any live thread names the same
 * memory. 1 when t->mm_pid now names such a thread (a note says so). errno
 * is kept. */
int check_live_thread(struct target *t);

/* Why pages stay on a node the plan empties although the call succeeded. */
const char *left_reason(void);

#endif
