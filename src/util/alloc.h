/* Internal allocation entry points: every allocation in corm goes through these. */
#ifndef CORM_UTIL_ALLOC_H
#define CORM_UTIL_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

void *corm__alloc(size_t size);
void *corm__calloc(size_t n, size_t size);
void *corm__realloc(void *ptr, size_t size);
void corm__free(void *ptr);
char *corm__strndup(const char *s, size_t n);
char *corm__strdup(const char *s);

struct json_t;
/*
 * jansson's json_dumps, but the text is allocated with corm's allocator (free it with
 * corm__free, never free()), so it does not depend on which allocator jansson has.
 * *len (may be NULL) gets its length. NULL when out of memory or json is NULL.
 */
char *corm__json_dumps(const struct json_t *json, size_t flags, size_t *len);
/*
 * jansson's json_loadb; when it returns NULL, *oom tells an allocation failure
 * (jansson does not always report it) from text that is not JSON.
 */
struct json_t *corm__json_loadb(const char *text, size_t len, size_t flags, bool *oom);

#endif
