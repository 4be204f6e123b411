/* Internal allocation entry points: every allocation in corm goes through these. */
#ifndef CORM_UTIL_ALLOC_H
#define CORM_UTIL_ALLOC_H

#include <stddef.h>

void *corm__alloc(size_t size);
void *corm__calloc(size_t n, size_t size);
void *corm__realloc(void *ptr, size_t size);
void corm__free(void *ptr);
char *corm__strndup(const char *s, size_t n);
char *corm__strdup(const char *s);

#endif
