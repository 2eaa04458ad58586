/* bitmap.h - node sets, the node-list grammar, and the kernel's node mapping.
 *
 * Everything here is pure: no file is read and no system call is made, so the
 * tests (and the fuzzers) can feed it any topology.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_BITMAP_H
#define MP_BITMAP_H

#include <stddef.h>

/* The kernel's MAX_NUMNODES is 1 << CONFIG_NODES_SHIFT, at most 1024 on every
 * architecture: node numbers 0..1023 are all a node list can name. */
#define MP_MAXNODES 1024
#define MP_WORD_BITS (8 * (int)sizeof(unsigned long))
#define MP_WORDS (MP_MAXNODES / (8 * sizeof(unsigned long)))

/* A set of node numbers, stored as the kernel reads a node mask: an array of
 * native unsigned longs, node n in bit n % MP_WORD_BITS of word n / MP_WORD_BITS. */
struct nodeset {
	unsigned long w[MP_WORDS];
};

void ns_clear(struct nodeset *s);
void ns_add(struct nodeset *s, int n);
void ns_del(struct nodeset *s, int n);
int ns_has(const struct nodeset *s, int n);
int ns_count(const struct nodeset *s);
int ns_next(const struct nodeset *s, int after); /* next member > after, or -1 */
int ns_last(const struct nodeset *s);            /* highest member, or -1 */
/* The maxnode argument of the NUMA system calls for a mask that covers nodes
 * 0..high: the bit count, rounded up to whole 64-bit words (a 32-bit kernel
 * reads the same bits), + 1, because the kernel reads maxnode - 1 bits. */
unsigned long ns_maxnode(int high);
int ns_nth(const struct nodeset *s, int i);      /* i-th member from 0, or -1 */
int ns_subset(const struct nodeset *a, const struct nodeset *b); /* a within b */
void ns_and(struct nodeset *d, const struct nodeset *a, const struct nodeset *b);
void ns_andnot(struct nodeset *d, const struct nodeset *a, const struct nodeset *b);

/* Writes the set as a list ("0-3,8"), "none" when empty. Always terminates buf
 * (when len > 0); returns the length the whole text needs, like snprintf. */
size_t ns_format(const struct nodeset *s, char *buf, size_t len);

/* Reads a kernel node list, the format of /sys/devices/system/node/online and
 * of Mems_allowed_list: "0-3,8", possibly empty, possibly ending in a newline.
 * Returns 0, or -1 when the text is not such a list (out is then empty). */
int ns_read_list(const char *text, size_t len, struct nodeset *out);

/* The device forms of a node list (numactl's libnuma accepts them too): the
 * node a device is attached to. The parser only recognises them; the answer
 * comes from the nodectx's device_node callback (sysinfo.c reads sysfs). */
enum nodedev { DEV_NONE, DEV_NETDEV, DEV_PCI, DEV_BLOCK, DEV_FILE, DEV_IP };

/* "netdev:", "pci:", ... for a kind, "" for DEV_NONE. */
const char *nodedev_prefix(int kind);

/* near:PID items a list may hold */
#define MP_NEAR_MAX 8

/* A parsed node list, before it is applied to a topology. */
struct nodespec {
	int invert;           /* leading '!' */
	int relative;         /* leading '+': numbers are indices */
	int all;              /* the word all appeared */
	struct nodeset nums;  /* the numbers named (nodes, or indices) */
	int dev;              /* a device form ends the list: enum nodedev */
	const char *dev_item; /* within the parsed text: "netdev:eth0" */
	const char *dev_name; /* within the parsed text: "eth0" */
	/* tier forms (tiers.h): the tier map is needed when any is set */
	int tier_forms;       /* how many tier forms appeared */
	int fast, slow;       /* the words fast and slow appeared */
	struct nodeset tiers; /* tier:N named (ranks from the fastest, 0) */
	int nnear;
	int near[MP_NEAR_MAX]; /* near:PID, in order */
};

/* Answers with the node of a device: the node (>= 0), or -1 with the reason
 * in why, one phrase naming what was missing ("no such network device"). */
typedef int (*nodedev_fn)(int kind, const char *name, char *why, size_t whylen);

struct tier_source_fns;

/* What a node list is resolved against. */
struct nodectx {
	int to;                          /* 1: the to-nodes argument (nodes need memory) */
	const struct nodeset *online;    /* nodes that exist */
	const struct nodeset *memory;    /* nodes with memory */
	const struct nodeset *allowed;   /* the target's Mems_allowed, or NULL if unknown */
	int pid;                         /* the target, for messages */
	nodedev_fn device_node;          /* resolves device forms; NULL: refused */
	const struct tier_source_fns *tiers; /* the tier map (tiers.h); NULL: refused */
};

/* Parses TEXT (grammar in the man page, NODE LISTS). On error returns -1 and
 * writes one line into err, naming the argument WHAT and the offending text. */
int nodespec_parse(const char *what, const char *text, struct nodespec *spec,
		   char *err, size_t errlen);

/* Applies a parsed list to a topology and validates the result: returns 0 and
 * the node set, or -1 with the reason in err. */
int nodespec_resolve(const char *what, const char *text, const struct nodespec *spec,
		     const struct nodectx *ctx, struct nodeset *out,
		     char *err, size_t errlen);

/* Both at once. */
int nodespec_eval(const char *what, const char *text, const struct nodectx *ctx,
		  struct nodeset *out, char *err, size_t errlen);

/* The kernel's plan (do_migrate_pages in mm/mempolicy.c): the moves it makes,
 * one source node at a time, in its order. Each step moves every page of the
 * process found on src at that moment to dst. Used to describe a migration,
 * never to perform one: the kernel is given the masks as they are. */
struct mig_step {
	short src, dst;
};
int mig_plan(const struct nodeset *from, const struct nodeset *to,
	     struct mig_step steps[MP_MAXNODES]);
/* Where a page that starts on node n ends after the steps. */
int mig_final(const struct mig_step *steps, int nsteps, int n);
/* Nodes the steps leave empty of the process's movable pages: the last step
 * that touches each of them takes pages away. */
void mig_drained(const struct mig_step *steps, int nsteps, struct nodeset *out);

#endif
