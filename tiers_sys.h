/* tiers_sys.h - the tier map and near:PID's CPU nodes from sysfs (tiers.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_TIERS_SYS_H
#define MP_TIERS_SYS_H

#include "tiers.h"

/* For struct nodectx: reads the map once, when a tier form is resolved. */
extern const struct tier_source_fns tiers_sysfs;

/* The map read so far, or NULL when no tier form needed it. */
const struct tiermap *tiers_loaded(void);

/* The near:PID items resolved so far (each pid once), for the reports. */
struct near_answer {
	int pid;
	struct nodeset cpu_nodes, nodes;
	const char *how;             /* "rated latency" or "distance" */
};
int tiers_near(const struct near_answer **v);

#endif
