/*
 * corm/query.h - QuerySets, Q objects and F expressions.
 *
 * A corm_qs is lazy: building it (filter, exclude, order_by, slice, ...) runs
 * no SQL; evaluation (corm_next, corm_len, corm_at, corm_count, corm_exists,
 * corm_get, corm_first/last) does. Results are cached, so iterating twice
 * queries once; changing a QuerySet after evaluation drops the cache and the
 * next evaluation queries again.
 *
 * Errors are sticky: a builder call that fails returns its code AND records
 * it in the QuerySet; later builder calls become no-ops returning the same
 * code, and evaluation returns it too. So a chain may be checked once, at
 * evaluation. The message is on the connection: corm_errmsg(db).
 */
#ifndef CORM_QUERY_H
#define CORM_QUERY_H

#include "instance.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct corm_q corm_q;
typedef struct corm_qs corm_qs;
typedef struct corm_row corm_row;

/* ---- F expressions ---------------------------------------------------- */

/** F("field"): a reference to a column of the row. Caller owns it (or hands it to corm). NULL on
 * OOM. */
CORM_EXTERN(corm_expr *) corm_f(const char *path);
/** A literal value inside an expression (copied). NULL on OOM. */
CORM_EXTERN(corm_expr *) corm_expr_value(corm_value value);
/** Arithmetic: a + b, a - b, a * b, a / b, a % b. Consume both operands (even on failure; NULL in
 * gives NULL out). */
CORM_EXTERN(corm_expr *) corm_expr_add(corm_expr *a, corm_expr *b);
CORM_EXTERN(corm_expr *) corm_expr_sub(corm_expr *a, corm_expr *b);
CORM_EXTERN(corm_expr *) corm_expr_mul(corm_expr *a, corm_expr *b);
CORM_EXTERN(corm_expr *) corm_expr_div(corm_expr *a, corm_expr *b);
CORM_EXTERN(corm_expr *) corm_expr_mod(corm_expr *a, corm_expr *b);
/** Frees an expression tree. NULL is a no-op. */
CORM_EXTERN(void) corm_expr_free(corm_expr *e);
#ifndef __cplusplus
/** F("view_count") + 1 is written CORM_F_ADD(corm_f("view_count"), 1). */
#define CORM_F_ADD(e, v) corm_expr_add((e), corm_expr_value(CORM_V(v)))
#define CORM_F_SUB(e, v) corm_expr_sub((e), corm_expr_value(CORM_V(v)))
#endif

/* ---- Q objects -------------------------------------------------------- */

/**
 * Q(path=value): `path` is "field[__transform...][__lookup]" such as
 * "title__icontains" or "created_at__year__gte". The value is copied (an
 * expression value is consumed). Names are resolved when the Q is applied to
 * a QuerySet. Caller owns the result; NULL on OOM.
 */
CORM_EXTERN(corm_q *) corm_q_new(const char *path, corm_value value);
#ifndef __cplusplus
/** CORM_Q("view_count__gt", 100) */
#define CORM_Q(path, value) corm_q_new((path), CORM_V(value))
#endif
/** Q(): matches everything; the start of a dynamically built condition. NULL on OOM. */
CORM_EXTERN(corm_q *) corm_q_empty(void);
/**
 * a & b & ..., a | b | ..., ~a. Consume their operands; any NULL operand
 * (an earlier OOM) makes the result NULL after freeing the others.
 */
CORM_EXTERN(corm_q *) corm_q_and_n(corm_q *const *qs, size_t n);
CORM_EXTERN(corm_q *) corm_q_or_n(corm_q *const *qs, size_t n);
CORM_EXTERN(corm_q *) corm_not(corm_q *q);
/** Deep copy. NULL on OOM. */
CORM_EXTERN(corm_q *) corm_q_copy(const corm_q *q);
/** Frees a Q tree. NULL is a no-op. */
CORM_EXTERN(void) corm_q_free(corm_q *q);
#ifndef __cplusplus
#define CORM__QARR(...) ((corm_q *const[]){__VA_ARGS__})
#define CORM__QLEN(...) (sizeof(CORM__QARR(__VA_ARGS__)) / sizeof(corm_q *))
/** corm_and(q1, q2, ...), corm_or(q1, q2, ...) */
#define corm_and(...) corm_q_and_n(CORM__QARR(__VA_ARGS__), CORM__QLEN(__VA_ARGS__))
#define corm_or(...)  corm_q_or_n(CORM__QARR(__VA_ARGS__), CORM__QLEN(__VA_ARGS__))
#endif

/* ---- building QuerySets ----------------------------------------------- */

/**
 * Model.objects.all(): a new QuerySet over a registered model, owned by the
 * caller (corm_qs_free). NULL on OOM or if the model is not registered (the
 * message is on db). The QuerySet borrows db: free it before closing db.
 */
CORM_EXTERN(corm_qs *) corm_objects(corm_db *db, const corm_model *model);

/**
 * A reverse relation of `instance` as a QuerySet (Django's `alice.posts.all()`):
 * the rows of the model that declares the ForeignKey whose key is the
 * instance's, named by the relation's accessor ("posts" from related_name, or
 * "post_set"). Owned by the caller (corm_qs_free); filter, order, count, slice,
 * update and delete it like any QuerySet. Reading it runs a query each time
 * (nothing is cached on the instance). NULL on failure, the code and message on
 * db: CORM_EFIELD ("'User' object has no attribute 'postz'"; also for a hidden
 * relation, related_name "+"), CORM_EINVAL (NULL instance or name, or an
 * instance without a key: "'User' instance needs to have a primary key value
 * before this relationship can be used."), CORM_ENOMEM.
 */
CORM_EXTERN(corm_qs *) corm_related_qs(corm_db *db, const void *instance, const char *accessor);
/** A copy of the query (not of the result cache). NULL on OOM. Caller owns it. */
CORM_EXTERN(corm_qs *) corm_qs_clone(const corm_qs *qs);
/** Frees the QuerySet and its cached results. NULL is a no-op. */
CORM_EXTERN(void) corm_qs_free(corm_qs *qs);

/**
 * filter(q1, q2, ...): ANDs the conditions in. Consumes the Q objects, also
 * on error. Errors: CORM_EFIELD ("Cannot resolve keyword 'titel' into field.
 * Choices are: ..."; "Unsupported lookup 'icontainz' for CharField ..."),
 * CORM_ETYPE (value of the wrong type), CORM_EINVAL (NULL qs or a NULL Q
 * after OOM -> CORM_ENOMEM), CORM_ENOMEM.
 */
CORM_EXTERN(int) corm_filter_n(corm_qs *qs, corm_q *const *qs_list, size_t n);
/** exclude(q1, q2, ...): ANDs NOT(q1 AND q2 ...) in, with Django's NULL handling. */
CORM_EXTERN(int) corm_exclude_n(corm_qs *qs, corm_q *const *qs_list, size_t n);
#ifndef __cplusplus
#define corm_filter(qs, ...)  corm_filter_n((qs), CORM__QARR(__VA_ARGS__), CORM__QLEN(__VA_ARGS__))
#define corm_exclude(qs, ...) corm_exclude_n((qs), CORM__QARR(__VA_ARGS__), CORM__QLEN(__VA_ARGS__))
#endif

/**
 * order_by("f1", "-f2", "?"): replaces the ordering; NULL list or zero names
 * clears it (no ORDER BY, not even Meta.ordering). "pk" names the primary key.
 * Errors: CORM_EFIELD for a name that is not a field.
 */
CORM_EXTERN(int) corm_order_by_n(corm_qs *qs, const char *const *names, size_t n);
#ifndef __cplusplus
#define corm_order_by(qs, ...)                                                                     \
	corm_order_by_n((qs), (const char *const[]){__VA_ARGS__},                                  \
	                sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#endif
/** Where NULLs sort: the database's default, first or last. */
typedef enum corm_nulls { CORM_NULLS_DEFAULT = 0, CORM_NULLS_FIRST, CORM_NULLS_LAST } corm_nulls;

/**
 * Appends one term to the explicit ordering with NULLs placed first or last:
 * order_by(F("rating").desc(nulls_last=True)) is corm_order_by(qs, NULL)
 * (or nothing, on a QuerySet with no ordering yet) then
 * corm_order_by_nulls(qs, "-rating", CORM_NULLS_LAST). Backends without
 * NULLS FIRST/LAST (MariaDB) get Django's emulation ("x IS NULL, x DESC").
 * Errors: CORM_EFIELD for a name that is not a field.
 */
CORM_EXTERN(int) corm_order_by_nulls(corm_qs *qs, const char *name, corm_nulls nulls);
/** reverse(): flips the ordering (explicit or Meta.ordering), and NULLS FIRST/LAST with it. */
CORM_EXTERN(int) corm_reverse(corm_qs *qs);
/** distinct(): SELECT DISTINCT. */
CORM_EXTERN(int) corm_distinct(corm_qs *qs);
/** none(): matches nothing and never queries. */
CORM_EXTERN(int) corm_none(corm_qs *qs);

/** Open end for corm_slice. */
#define CORM_END INT64_MAX
/**
 * qs[start:stop] -> LIMIT/OFFSET (CORM_END for an open end). Slicing a sliced
 * QuerySet narrows it, as in Python. Errors: CORM_EINVAL "Negative indexing
 * is not supported." for negative bounds.
 */
CORM_EXTERN(int) corm_slice(corm_qs *qs, int64_t start, int64_t stop);

/**
 * values("f1", "author_id", ...): rows of named, typed cells instead of
 * instances (read with corm_next_row). No names: every concrete field.
 */
CORM_EXTERN(int) corm_values_n(corm_qs *qs, const char *const *names, size_t n);
/** values_list(..., flat=): like values; with flat exactly one name is allowed. */
CORM_EXTERN(int) corm_values_list_n(corm_qs *qs, bool flat, const char *const *names, size_t n);
#ifndef __cplusplus
#define corm_values(qs, ...)                                                                       \
	corm_values_n((qs), (const char *const[]){__VA_ARGS__},                                    \
	              sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#define corm_values_list(qs, flat, ...)                                                            \
	corm_values_list_n((qs), (flat), (const char *const[]){__VA_ARGS__},                       \
	                   sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#endif

/**
 * iterator(chunk_size): the next evaluation streams rows from the database
 * without caching them (chunk_size rows are fetched per round trip where the
 * backend supports it). Instances from corm_next are then valid only until the
 * next corm_next call. chunk_size 0 means 2000 (Django's default).
 */
CORM_EXTERN(int) corm_iterator(corm_qs *qs, size_t chunk_size);

/**
 * select_related("author", "category__parent"): the same query also reads
 * the models these ForeignKey paths reach (INNER JOIN, or LEFT OUTER JOIN
 * where the key is nullable), and each instance comes back with the related
 * object in its corm_fk's `obj` (owned by the instance: corm_free frees it).
 * A relation that is NULL comes back as `obj == NULL`, never as a zeroed
 * struct. corm_select_related_n(qs, NULL, 0), select_related() without
 * names: every non-null ForeignKey, followed to depth 5, as Django does;
 * corm_select_related(qs, NULL) forgets the list. Ignored by values().
 * Errors: CORM_EFIELD "Invalid field name(s) given in select_related: 'x'.
 * Choices are: author, category" or "Non-relational field given in
 * select_related: 'title'. ...", CORM_EINVAL (names NULL with n > 0).
 */
CORM_EXTERN(int) corm_select_related_n(corm_qs *qs, const char *const *names, size_t n);
#ifndef __cplusplus
#define corm_select_related(qs, ...)                                                               \
	corm_select_related_n((qs), (const char *const[]){__VA_ARGS__},                            \
	                      sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#endif

/** Options of select_for_update(). */
typedef enum corm_lock_flags {
	CORM_LOCK_WAIT = 0,        /**< wait for other transactions' locks */
	CORM_LOCK_NOWAIT = 1,      /**< fail at once with CORM_ELOCKED if a row is locked */
	CORM_LOCK_SKIP_LOCKED = 2, /**< leave locked rows out of the result */
	CORM_LOCK_OF_SELF = 4      /**< FOR UPDATE OF this model's table only */
} corm_lock_flags;

/**
 * select_for_update(nowait=, skip_locked=, of=('self',)): evaluating the
 * QuerySet locks the selected rows until the transaction ends. Evaluation
 * outside an atomic block fails with CORM_ETXN ("select_for_update cannot be
 * used outside of a transaction."). Ignored on backends without row locks
 * (SQLite, whose transactions lock the whole database). Errors:
 * CORM_EINVAL for NOWAIT together with SKIP_LOCKED; CORM_ENOTSUP when the
 * backend lacks the option asked for.
 */
CORM_EXTERN(int) corm_select_for_update(corm_qs *qs, unsigned flags);

/* ---- evaluating ------------------------------------------------------- */

/**
 * Iterates over the results: sets *(T **)out and returns CORM_ROW, then
 * CORM_DONE at the end (after which the next call starts over, from the
 * cache). The first call evaluates the whole QuerySet. Instances are borrowed
 * from the QuerySet (valid until it is freed or changed; in iterator mode
 * until the next call). Errors: sticky builder errors, CORM_EBACKEND, ...
 */
CORM_EXTERN(int) corm_next(corm_qs *qs, void *out);
/** len(qs): evaluates and caches, *n = number of results. */
CORM_EXTERN(int) corm_len(corm_qs *qs, size_t *n);
/**
 * qs[i]: from the cache when evaluated, else a LIMIT 1 OFFSET i query.
 * *(T **)out is a copy owned by the caller. CORM_ENOTFOUND past the end
 * (Django's IndexError), CORM_EINVAL for a negative index.
 */
CORM_EXTERN(int) corm_at(corm_qs *qs, int64_t i, void *out);
/** count(): SELECT COUNT(*) (or the cache's length when evaluated). */
CORM_EXTERN(int) corm_count(corm_qs *qs, int64_t *n);
/** exists(): SELECT 1 ... LIMIT 1 (or the cache when evaluated). */
CORM_EXTERN(int) corm_exists(corm_qs *qs, bool *exists);
/**
 * get(): the single matching instance, owned by the caller. `q` (consumed)
 * is ANDed in first, as in qs.get(pk=1); pass corm_q_empty() for qs.get().
 * A NULL `q` is what a failed constructor returns, so it is CORM_ENOMEM,
 * never "no condition".
 * Errors: CORM_ENOTFOUND ("Post matching query does not exist."),
 * CORM_EMULTIPLE ("get() returned more than one Post -- it returned 2!"),
 * CORM_ENOMEM.
 */
CORM_EXTERN(int) corm_get(corm_qs *qs, void *out, corm_q *q);
/** first()/last(): ordered by the QuerySet's ordering or the pk. *out NULL when empty (returns
 * CORM_OK). */
CORM_EXTERN(int) corm_first(corm_qs *qs, void *out);
CORM_EXTERN(int) corm_last(corm_qs *qs, void *out);
#ifndef __cplusplus
/* `out` must be the address of a pointer (&post), checked at compile time */
#define corm_next(qs, out)   corm_next((qs), CORM__OUT(out))
#define corm_at(qs, i, out)  corm_at((qs), (i), CORM__OUT(out))
#define corm_get(qs, out, q) corm_get((qs), CORM__OUT(out), (q))
#define corm_first(qs, out)  corm_first((qs), CORM__OUT(out))
#define corm_last(qs, out)   corm_last((qs), CORM__OUT(out))
#endif

/** Reads the next values()/values_list() row; borrowed like corm_next. CORM_ROW / CORM_DONE. */
CORM_EXTERN(int) corm_next_row(corm_qs *qs, const corm_row **row);
/**
 * values_list(name, flat=True): reads the next value, as `for v in
 * qs.values_list("view_count", flat=True)` does. Borrowed like corm_next_row.
 * CORM_ROW / CORM_DONE; CORM_EINVAL when qs is not a flat values_list.
 */
CORM_EXTERN(int) corm_next_value(corm_qs *qs, const corm_value **value);
/** Number of cells in a row. */
CORM_EXTERN(size_t) corm_row_len(const corm_row *row);
/** The i-th cell's name ("author__username", "id"). Borrowed. */
CORM_EXTERN(const char *) corm_row_name(const corm_row *row, size_t i);
/** The i-th cell, or NULL past the end. Borrowed (text points into the QuerySet). */
CORM_EXTERN(const corm_value *) corm_row_cell(const corm_row *row, size_t i);
/** The cell named `name`, or NULL. Borrowed. */
CORM_EXTERN(const corm_value *) corm_row_get(const corm_row *row, const char *name);

/**
 * Typed cell getters: the cell named `name` of a values() row, as the C type
 * asked for. Integers and booleans read as each other (0/1), as do integers
 * and floats (widened) only where no precision is lost.
 * What comes back through a pointer (text, decimal, JSON) is borrowed from the
 * row: valid until the QuerySet's next row in iterator mode, else until the
 * QuerySet is changed or freed. On failure *out is untouched.
 * Errors: CORM_EINVAL (NULL argument), CORM_EFIELD (no cell of that name),
 * CORM_ETYPE (the cell holds another type, or SQL NULL: test with
 * corm_row_is_null first for nullable columns).
 */
CORM_EXTERN(int) corm_row_int(const corm_row *row, const char *name, int64_t *out);
CORM_EXTERN(int) corm_row_float(const corm_row *row, const char *name, double *out);
CORM_EXTERN(int) corm_row_bool(const corm_row *row, const char *name, bool *out);
CORM_EXTERN(int) corm_row_text(const corm_row *row, const char *name, const char **out);
CORM_EXTERN(int) corm_row_date(const corm_row *row, const char *name, corm_date *out);
CORM_EXTERN(int) corm_row_datetime(const corm_row *row, const char *name, corm_datetime *out);
CORM_EXTERN(int)
corm_row_decimal(const corm_row *row, const char *name, const corm_decimal **out);
CORM_EXTERN(int) corm_row_json(const corm_row *row, const char *name, const json_t **out);
/** Whether the cell named `name` holds SQL NULL (false when there is no such cell). */
CORM_EXTERN(bool) corm_row_is_null(const corm_row *row, const char *name);

/* ---- writing through a QuerySet --------------------------------------- */

/**
 * update(**kwargs): one UPDATE of every matching row, no save() logic.
 * Values may be expressions (consumed): corm_f("view_count") + 1.
 * *rows (may be NULL) gets the number of rows matched.
 */
CORM_EXTERN(int) corm_update(corm_qs *qs, const corm_kw *kwargs, int64_t *rows);
/** delete(): deletes every matching row; *rows (may be NULL) gets the count. */
CORM_EXTERN(int) corm_qs_delete(corm_qs *qs, int64_t *rows);

/* ---- SQL -------------------------------------------------------------- */

/**
 * The SQL and parameters that evaluating the QuerySet as instances (or rows)
 * would run, like str(qs.query) but with the parameters kept apart. Both
 * are borrowed from qs until it is changed or freed. A none() QuerySet has
 * no SQL: CORM_ENOTFOUND ("EmptyResultSet").
 */
CORM_EXTERN(int)
corm_qs_sql(corm_qs *qs, const char **sql, const corm_value **params, size_t *nparams);
/**
 * The SQL with the parameters written in as SQL literals (for display and
 * logs only; corm never runs this text). Caller frees with corm_mem_free.
 */
CORM_EXTERN(int) corm_qs_str(corm_qs *qs, char **out);

#ifdef __cplusplus
}
#endif
#endif
