/* mem.c - memory from mmap (see mem.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "mem.h"

void *mem_get(size_t n)
{
	void *p = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void mem_put(void *p, size_t n)
{
	if (p)
		munmap(p, n ? n : 1);
}

void *mem_grow(void *v, const void *inline_buf, size_t old, size_t new)
{
	void *n;

	if (v && v != inline_buf) {
		n = mremap(v, old, new, MREMAP_MAYMOVE);
		return n == MAP_FAILED ? NULL : n;
	}
	n = mem_get(new);
	if (n && v && old)
		memcpy(n, v, old);
	return n;
}

/* A block that filled up: its header sits at its start. */
struct arena_block {
	struct arena_block *next;
	size_t cap;
};

void *arena_alloc(struct arena *a, size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (a->used + n > a->cap) {
		size_t cap = n + 16 > 65536 ? n + 16 : 65536;
		char *b = mem_get(cap);
		if (!b)
			return NULL;
		if (a->base) {
			struct arena_block *old = (struct arena_block *)(void *)a->base;
			old->next = a->more;
			old->cap = a->cap;
			a->more = old;
		}
		a->base = b;
		a->cap = cap;
		a->used = 16; /* room for the header when it fills up */
	}
	p = a->base + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = arena_alloc(a, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

void arena_reset(struct arena *a)
{
	while (a->more) {
		struct arena_block *b = a->more;
		a->more = b->next;
		mem_put(b, b->cap);
	}
	a->used = a->base ? 16 : 0;
}
