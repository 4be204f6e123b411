/*
 * corm/common.h - error codes, export macros and the replaceable allocator.
 *
 * Every fallible corm function returns an int: CORM_OK (0) on success, a
 * negative CORM_E* code on failure, or CORM_ROW / CORM_DONE while stepping.
 * The message for the last error on a handle is read with corm_errmsg().
 */
#ifndef CORM_COMMON_H
#define CORM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CORM_EXTERN(type) __attribute__((visibility("default"))) type
#else
#define CORM_EXTERN(type) type
#endif

/** Result codes. Negative values are errors; each maps one kind of failure. */
typedef enum corm_error_code {
	CORM_OK = 0,     /**< success */
	CORM_ROW = 100,  /**< a row is available (stepping) */
	CORM_DONE = 101, /**< no more rows (stepping) */

	CORM_ERROR = -1,  /**< generic error */
	CORM_ENOMEM = -2, /**< out of memory; nothing was leaked */
	CORM_EINVAL =
	        -3, /**< invalid argument: NULL handle, NULL out pointer, negative index, ... */
	CORM_ENOTFOUND = -4, /**< get() matched no row (Django's DoesNotExist) */
	CORM_EMULTIPLE = -5, /**< get() matched more than one row (MultipleObjectsReturned) */
	CORM_ECONSTRAINT =
	        -6, /**< the database rejected a write: UNIQUE, FOREIGN KEY, CHECK, NOT NULL */
	CORM_EVALIDATION = -7, /**< full_clean() found invalid values; see corm_validation */
	CORM_EFIELD = -8,      /**< unknown field, lookup or transform (Django's FieldError) */
	CORM_EPROTECTED = -9,  /**< delete blocked by on_delete=PROTECT */
	CORM_EBACKEND = -10,   /**< any other database/driver error; native code kept */
	CORM_ETYPE = -11,      /**< a value of the wrong type for a field */
	CORM_EURL = -12,       /**< malformed database URL */
	CORM_ENOTSUP = -13,    /**< backend not built in, or feature not supported by it */
	CORM_EMODEL = -14,     /**< an invalid model declaration (checked at registration) */
	CORM_ETXN = -15,       /**< transaction misuse (commit without begin, ...) */
	CORM_ELOCKED = -16,    /**< row or database locked and the caller asked not to wait */
	CORM_EDEADLOCK = -17,  /**< the database chose this transaction as a deadlock victim */
	CORM_ECONNECTION = -18, /**< connection to the server lost or refused */
	CORM_ETIMEOUT = -19     /**< waited longer than the allowed time (pool acquire) */
} corm_error_code;

/** Returns a static, human-readable name for a result code ("CORM_ENOTFOUND"). Never NULL. */
CORM_EXTERN(const char *) corm_strerror(int code);

/** A replaceable allocator. All three functions must be set. */
typedef struct corm_allocator {
	void *(*malloc)(size_t size, void *ctx);
	void *(*realloc)(void *ptr, size_t size, void *ctx);
	void (*free)(void *ptr, void *ctx);
	void *ctx;
} corm_allocator;

/**
 * Replaces the allocator used for every allocation corm makes. Call it before
 * any other corm function; memory must be freed by the allocator that made it.
 * Passing NULL restores malloc/realloc/free. Not thread-safe. jansson
 * (json_set_alloc_funcs) and GMP (mp_set_memory_functions) are given the same
 * allocator, for the whole process: JSON values the caller builds afterwards
 * use it too. GMP aborts when it gets NULL (see corm_decimal in corm/types.h).
 */
CORM_EXTERN(void) corm_set_allocator(const corm_allocator *allocator);

/** Allocates with corm's allocator (for strings handed to corm to own). NULL on failure. */
CORM_EXTERN(void *) corm_malloc(size_t size);
/** Frees memory that corm allocated (strings, rows, SQL text). NULL is a no-op. */
CORM_EXTERN(void) corm_mem_free(void *ptr);
/** Copies a NUL-terminated string with corm's allocator. NULL on failure or NULL input. */
CORM_EXTERN(char *) corm_strdup(const char *s);

#ifdef __cplusplus
}
#endif
#endif
