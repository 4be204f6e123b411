/*
 * The replaceable allocator (corm_set_allocator) and the internal wrappers.
 * jansson and GMP are handed the same allocator, so every allocation corm
 * causes goes through it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <jansson.h>

#include "corm/common.h"
#include "util/alloc.h"
#include "util/buf.h"

static void *default_malloc(size_t size, void *ctx)
{
	return malloc(size);
}
static void *default_realloc(void *ptr, size_t size, void *ctx)
{
	return realloc(ptr, size);
}
static void default_free(void *ptr, void *ctx)
{
	free(ptr);
}

static corm_allocator current = {default_malloc, default_realloc, default_free, NULL};

/* Allocations jansson asked for and did not get, on this thread (corm__json_loadb). */
static _Thread_local unsigned long json_failures;

/* jansson's allocator: no size on free, NULL on failure (jansson handles it). */
static void *json_malloc(size_t size)
{
	void *p = current.malloc(size ? size : 1, current.ctx);
	if (!p)
		json_failures++;
	return p;
}
static void json_free(void *ptr)
{
	if (ptr)
		current.free(ptr, current.ctx);
}

/* GMP's allocator: GMP cannot recover from a failed allocation, so a NULL ends the process
 * with a message (documented at corm_decimal in corm/types.h). */
static void gmp_out_of_memory(size_t size)
{
	fprintf(stderr,
	        "corm: GMP could not allocate %zu bytes (GMP cannot recover from "
	        "out of memory); aborting\n",
	        size);
	abort();
}
static void *gmp_malloc(size_t size)
{
	void *p = current.malloc(size ? size : 1, current.ctx);
	if (!p)
		gmp_out_of_memory(size);
	return p;
}
static void *gmp_realloc(void *ptr, size_t old_size, size_t new_size)
{
	void *p = current.realloc(ptr, new_size ? new_size : 1, current.ctx);
	if (!p)
		gmp_out_of_memory(new_size);
	return p;
}
static void gmp_free(void *ptr, size_t size)
{
	if (ptr)
		current.free(ptr, current.ctx);
}

void corm_set_allocator(const corm_allocator *allocator)
{
	if (allocator && allocator->malloc && allocator->realloc && allocator->free)
		current = *allocator;
	else
		current = (corm_allocator){default_malloc, default_realloc, default_free, NULL};
	json_set_alloc_funcs(json_malloc, json_free);
	mp_set_memory_functions(gmp_malloc, gmp_realloc, gmp_free);
}

json_t *corm__json_loadb(const char *text, size_t len, size_t flags, bool *oom)
{
	unsigned long before = json_failures;
	json_t *j = json_loadb(text, len, flags, NULL);
	/* jansson does not always say that an allocation failed: count them */
	*oom = !j && json_failures != before;
	return j;
}

/* json_dump_callback's sink: appends to a corm_buf. */
static int dump_to_buf(const char *text, size_t size, void *data)
{
	corm_buf *b = data;
	corm_buf_put(b, text, size);
	return b->oom ? -1 : 0;
}

char *corm__json_dumps(const json_t *json, size_t flags, size_t *len)
{
	corm_buf b = CORM_BUF_INIT;
	if (!json || json_dump_callback(json, dump_to_buf, &b, flags) != 0 ||
	    !corm_buf_reserve(&b, 0)) {
		corm_buf_free(&b);
		return NULL;
	}
	if (len)
		*len = b.len;
	return corm_buf_detach(&b);
}

void *corm__alloc(size_t size)
{
	return current.malloc(size ? size : 1, current.ctx);
}

void *corm__calloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	void *p = corm__alloc(n * size);
	if (p)
		memset(p, 0, n * size > 0 ? n * size : 1);
	return p;
}

void *corm__realloc(void *ptr, size_t size)
{
	return current.realloc(ptr, size ? size : 1, current.ctx);
}

void corm__free(void *ptr)
{
	if (ptr)
		current.free(ptr, current.ctx);
}

char *corm__strndup(const char *s, size_t n)
{
	char *out = corm__alloc(n + 1);
	if (!out)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

char *corm__strdup(const char *s)
{
	return s ? corm__strndup(s, strlen(s)) : NULL;
}

void *corm_malloc(size_t size)
{
	return corm__alloc(size);
}
void corm_mem_free(void *ptr)
{
	corm__free(ptr);
}
char *corm_strdup(const char *s)
{
	return corm__strdup(s);
}
