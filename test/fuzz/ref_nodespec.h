/* ref_nodespec.h - an independent reference model of the node-list grammar,
 * written from the grammar as the man page and NUMACTL.md state it, not from
 * bitmap.c. The fuzzers compare the tool's parser with it: both must accept the
 * same texts and select the same nodes. It uses plain bool arrays, not the
 * tool's word masks, so that a slip in one is not copied into the other.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef REF_NODESPEC_H
#define REF_NODESPEC_H

#include <stdbool.h>
#include <stddef.h>

#define REF_NODES 1024

/* A node set as 1024 booleans. */
struct refset {
	bool has[REF_NODES];
};

/* The grammar, with the topology it is resolved against:
 *   LIST   := [ '!' ] [ '+' ] ITEM { ',' ITEM }
 *   ITEM   := 'all' | NUM | NUM '-' NUM      (A-B needs A <= B)
 *   NUM    := '0' | [1-9][0-9]*              (decimal, no leading zero, 0..1023)
 * '!' means the domain minus what the list names; '+' means the numbers are
 * indices (from 0) into ALLOWED, the target's Mems_allowed; 'all' is the
 * domain. The domain is the online nodes for from-nodes and the nodes with
 * memory for to-nodes. Every node the list names must be online; a to-node
 * named without '!' must also have memory. An empty result is an error.
 * Returns 0 and fills OUT, or -1. ALLOWED may be NULL (unknown): then a '+'
 * list that names an index is an error.
 * Device forms: an ITEM that starts with netdev:, pci:, block:, file: or ip:
 * is the last one and takes the rest of the text, commas included; a name
 * must follow the prefix. DEVICE (the whole item → its node, or -1 for an
 * error; NULL: every device form is an error) gives its node, an absolute
 * node even after '+', checked as a named node is.
 * Tier forms: an ITEM 'fast', 'slow', 'tier:' NUM (NUM as above: 0..1023) or
 * 'near:' PID (decimal, no leading zero, 1..2147483647; at most 8 of them) is
 * a tier form; none may appear in a '+' list. TIERS (NULL: every tier form is
 * an error) gives the kernel's tier number of each node with memory (-1: in
 * no tier); tiers are ranked from the lowest number, 0 the fastest. 'fast' is
 * rank 0; 'slow' every rank from 1 (an error with one tier); 'tier:N' rank N
 * (an error when there is none); 'near:PID' what NEAR gives (or an error).
 * Their nodes are checked as named nodes are. */
struct reftiers {
	int ktier[REF_NODES];
	int (*near)(int pid, struct refset *out); /* 0, or -1 */
};
int ref_eval(const char *text, bool to, const struct refset *online,
	     const struct refset *memory, const struct refset *allowed,
	     int (*device)(const char *item), const struct reftiers *tiers,
	     struct refset *out);

/* The kernel's node-list format (sysfs "online", Mems_allowed_list): empty, or
 * comma-separated N or A-B (A <= B), decimal (leading zeros tolerated), all
 * below 1024; trailing newlines, blanks and NULs ignored. Returns 0 or -1. */
int ref_read_list(const char *text, size_t len, struct refset *out);

#endif
