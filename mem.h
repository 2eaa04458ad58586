/* mem.h - memory from mmap: the tool links no malloc (musl's would add to the
 * binary, and every buffer here is either small and static or sized by the
 * work). Growing arrays and one arena for the strings of a batch of targets.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_MEM_H
#define MP_MEM_H

#include <stddef.h>

/* Pages for n bytes, zeroed; NULL with errno on failure. */
void *mem_get(size_t n);
void mem_put(void *p, size_t n);

/* Grows *v from old to new bytes (an inline first buffer is copied out of;
 * v == NULL or v == inline_buf: new pages). Returns the new address, or NULL
 * with errno (the old buffer is then untouched). */
void *mem_grow(void *v, const void *inline_buf, size_t old, size_t new);

/* An arena: bytes handed out in order, all given back at once. Memory is
 * mapped in blocks of 64 KiB or more and kept for the next use. */
struct arena {
	char *base;
	size_t used, cap;
	struct arena_block *more; /* blocks that filled up */
};
void *arena_alloc(struct arena *a, size_t n); /* zeroed, 16-aligned; NULL with errno */
char *arena_strdup(struct arena *a, const char *s);
void arena_reset(struct arena *a);  /* everything handed out is free again */

#endif
