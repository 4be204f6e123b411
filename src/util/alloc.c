/* The replaceable allocator (corm_set_allocator) and the internal wrappers. */
#include <stdlib.h>
#include <string.h>

#include "corm/common.h"
#include "util/alloc.h"

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

void corm_set_allocator(const corm_allocator *allocator)
{
	if (allocator && allocator->malloc && allocator->realloc && allocator->free)
		current = *allocator;
	else
		current = (corm_allocator){default_malloc, default_realloc, default_free, NULL};
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
