/*
 * corm/common.h - error codes, export macros and the replaceable allocator.
 *
 * Every fallible corm function returns an int: CORM_OK (0) on success, a
 * negative CORM_E* code on failure, or CORM_ROW / CORM_DONE while stepping.
 * The message for the last error on a handle is read with corm_errmsg(); calls
 * without a handle leave theirs in the thread's corm_error_last().
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

/**
 * The result codes, their values and what they mean, as one list (libuv's
 * UV_ERRNO_MAP): XX(name, value, sentence). The corm_error_code enum,
 * corm_err_name() and corm_strerror() are all generated from it, so a code
 * cannot exist in one and be missing from another. Negative values are
 * errors; a code's value never changes once released.
 */
#define CORM_ERRNO_MAP(XX)                                                                         \
	XX(OK, 0, "success")                                                                       \
	XX(ROW, 100, "a row is available (stepping)")                                              \
	XX(DONE, 101, "no more rows (stepping)")                                                   \
	XX(ERROR, -1, "unspecified error")                                                         \
	XX(ENOMEM, -2, "out of memory; nothing was leaked")                                        \
	XX(EINVAL, -3,                                                                             \
	   "invalid argument: a NULL handle or out pointer, a value out of range, or a handle "    \
	   "used against its contract")                                                            \
	XX(ENOTFOUND, -4, "no row matched the query (Django's DoesNotExist)")                      \
	XX(EMULTIPLE, -5,                                                                          \
	   "more than one row matched the query (Django's MultipleObjectsReturned)")               \
	XX(ECONSTRAINT, -6,                                                                        \
	   "the database rejected a write: UNIQUE, FOREIGN KEY, CHECK or NOT NULL (Django's "      \
	   "IntegrityError)")                                                                      \
	XX(EVALIDATION, -7, "full_clean() found invalid values (Django's ValidationError)")        \
	XX(EFIELD, -8, "unknown field, lookup or transform (Django's FieldError)")                 \
	XX(EPROTECTED, -9, "delete blocked by on_delete=PROTECT (Django's ProtectedError)")        \
	XX(EBACKEND, -10, "database or driver error (the driver's own code is kept)")              \
	XX(ETYPE, -11, "a value of the wrong type or range for a field")                           \
	XX(EURL, -12, "malformed database URL")                                                    \
	XX(ENOTSUP, -13, "backend not built in, or feature not supported by it")                   \
	XX(EMODEL, -14, "invalid model declaration (found at registration)")                       \
	XX(ETXN, -15,                                                                              \
	   "transaction misuse: commit without begin, or a query in a failed transaction")         \
	XX(ELOCKED, -16, "row or database locked and the caller asked not to wait")                \
	XX(EDEADLOCK, -17, "the database chose this transaction as a deadlock victim")             \
	XX(ECONNECTION, -18, "connection to the server lost or refused")                           \
	XX(ETIMEOUT, -19, "waited longer than the allowed time")

/** Result codes, generated from CORM_ERRNO_MAP: CORM_OK, CORM_ENOTFOUND, ... */
typedef enum corm_error_code {
#define CORM__ERRNO_ENUM(name, value, sentence) CORM_##name = value,
	CORM_ERRNO_MAP(CORM__ERRNO_ENUM)
#undef CORM__ERRNO_ENUM
} corm_error_code;

/**
 * The name of a result code: "CORM_ENOTFOUND" for CORM_ENOTFOUND, and
 * "CORM_UNKNOWN" for a value that is no code. Static; never NULL.
 */
CORM_EXTERN(const char *) corm_err_name(int code);

/**
 * A sentence describing a result code: "no row matched the query (Django's
 * DoesNotExist)" for CORM_ENOTFOUND, "unknown result code" for a value that
 * is no code. Static; never NULL. (The message of one failure, naming the
 * model and field, is corm_errmsg(db) or corm_error_last().)
 */
CORM_EXTERN(const char *) corm_strerror(int code);

/** The most bytes a thread's last error message keeps (longer ones are cut at a UTF-8
 * character boundary), NUL included. */
#define CORM_ERROR_MESSAGE_MAX 1024

/** A failure: its code and its message. See corm_error_last(). */
typedef struct corm_error {
	int code;            /**< a CORM_E* code; CORM_OK when there was no failure */
	const char *message; /**< never NULL; "no error" when code is CORM_OK */
} corm_error;

/**
 * The last failure of the calling thread (libgit2's git_error_last), for the
 * calls that have no connection to keep a message on: corm_new, corm_clone,
 * corm_set, corm_set_str, corm_set_null, corm_full_clean (its failures other
 * than CORM_EVALIDATION), the registry functions, the pool functions, and
 * corm_open (every failure of it: also those that return a handle whose
 * corm_errmsg says the same). Other calls on a connection report through
 * corm_errmsg(db) and corm_errcode(db) only, and leave the last error alone.
 *
 * A successful call does not clear it: read it right after the call that
 * failed. Each thread has its own; the storage is per thread and fixed-size,
 * so recording an error never allocates and never fails. Never NULL; the
 * struct and its message are borrowed until the thread's next corm call.
 */
CORM_EXTERN(const corm_error *) corm_error_last(void);

/** Resets the calling thread's last error to CORM_OK / "no error". */
CORM_EXTERN(void) corm_error_clear(void);

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
