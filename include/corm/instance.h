/*
 * corm/instance.h - model instances: creating, saving, deleting, validating.
 *
 * Instances are the user's model structs (Post *), allocated by corm so that
 * corm can free what they own: strings, decimals, JSON, bytes. Functions take
 * them as `void *` and check the corm_obj header.
 *
 * Out parameters, for every function here: they are written only on success.
 * On failure an out pointer (`void *out` receiving a T *) is set to NULL, so
 * there is nothing to free, and every other out parameter (`bool *created`,
 * `int64_t *deleted`) is left untouched.
 *
 * A foreign key member whose id is 0 is unset: it reads as NULL (Django's
 * post.author_id is None; AutoField ids start at 1), and saving it sends NULL,
 * so a non-null ForeignKey left unset fails at once with CORM_ECONSTRAINT.
 */
#ifndef CORM_INSTANCE_H
#define CORM_INSTANCE_H

#include "db.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A keyword argument: a field name and a (borrowed) value. */
typedef struct corm_kw {
	const char *name;
	corm_value value;
} corm_kw;

#ifndef __cplusplus
/** One keyword argument: CORM_KW("title", "Hello"). */
#define CORM_KW(name, value) ((corm_kw){(name), CORM_V(value)})
/** A NULL-terminated keyword list: CORM_KWARGS(CORM_KW("a", 1), CORM_KW("b", "x")). */
#define CORM_KWARGS(...) ((const corm_kw[]){__VA_ARGS__, {NULL, {CORM_TYPE_NULL, {0}}}})
/** A NULL-terminated list of field names: CORM_FIELDS("title", "slug"). */
#define CORM_FIELDS(...) ((const char *const[]){__VA_ARGS__, NULL})
#endif
/** An empty keyword list. */
#define CORM_NO_KWARGS ((const corm_kw *)NULL)

/**
 * Allocates a new, unsaved instance of `model` with defaults applied (field
 * defaults and default_fn; "" for non-null text fields). *(T **)out receives
 * it, owned by the caller (corm_free). The model must be registered.
 * Errors: CORM_EINVAL (NULL argument, unregistered model), CORM_ENOMEM, or
 * the error a default_fn returned; the message is in corm_error_last().
 */
CORM_EXTERN(int) corm_new(const corm_model *model, void *out);

/** Frees an instance and everything it owns (strings, decimals, JSON, cached related objects). NULL
 * is a no-op. */
CORM_EXTERN(void) corm_free(void *instance);

/** A deep copy of an instance; *(T **)out is owned by the caller. CORM_ENOMEM, CORM_EINVAL
 * (message in corm_error_last()). */
CORM_EXTERN(int) corm_clone(const void *instance, void *out);
#ifndef __cplusplus
/* `out` must be the address of a pointer (&post), checked at compile time */
#define corm_new(model, out)      corm_new((model), CORM__OUT(out))
#define corm_clone(instance, out) corm_clone((instance), CORM__OUT(out))
#endif

/**
 * Sets a field by name ("title", "author" or "author_id") from a borrowed
 * value, converting it as Django's get_prep_value would: 1/0 for booleans,
 * text for dates ("2024-01-02"), a model instance for a foreign key.
 * Errors: CORM_EFIELD (unknown field; the message lists the choices),
 * CORM_ETYPE ("Field 'view_count' expected a number but got 'abc'."),
 * CORM_EINVAL, CORM_ENOMEM. The message is in corm_error_last().
 */
CORM_EXTERN(int) corm_set(void *instance, const char *field, corm_value value);
#ifndef __cplusplus
/** corm_set with any C value: CORM_SET(post, "title", "Hello"). */
#define CORM_SET(instance, field, value) corm_set((instance), (field), CORM_V(value))
#endif

/** Replaces a string member with a copy of `value` (NULL stores NULL). Frees the old text.
 * CORM_ENOMEM, CORM_EINVAL (message in corm_error_last()). */
CORM_EXTERN(int) corm_set_str(char **member, const char *value);

/** Whether the member at `member` (an address inside instance) holds SQL NULL. */
CORM_EXTERN(bool) corm_is_null(const void *instance, const void *member);
/**
 * Marks the value-type member at `member` as NULL (or not). For pointer
 * members (text, decimal, JSON, bytes) NULL is the NULL pointer and this
 * frees the value when null is true. CORM_EINVAL if `member` is not a field
 * (message in corm_error_last()).
 */
CORM_EXTERN(int) corm_set_null(void *instance, void *member, bool null);

/**
 * The primary key of an instance with an integer key (obj.id, or the custom
 * integer pk field's value); 0 when it has none yet, and for UUID and text
 * keys (read those with corm_pk_value).
 */
CORM_EXTERN(int64_t) corm_pk(const void *instance);
/**
 * The primary key of any kind as a value: CORM_TYPE_INT, _UUID or _TEXT (the
 * text is borrowed from the instance: valid until the key changes or the
 * instance is freed), or CORM_TYPE_NULL when the instance has no key yet.
 * CORM_EINVAL when instance is NULL or not of a registered model, or out is
 * NULL (message in corm_error_last()).
 */
CORM_EXTERN(int) corm_pk_value(const void *instance, corm_value *out);
/** Whether the instance is not yet saved (Django's instance._state.adding). */
CORM_EXTERN(bool) corm_is_adding(const void *instance);

/**
 * The label of the member's current value from its field's choices
 * (get_FOO_display()); the value itself as text when it is not a choice.
 * Borrowed from the model or the instance; NULL for NULL values.
 */
CORM_EXTERN(const char *) corm_get_display(const void *instance, const void *member);

/**
 * Saves the instance: INSERT when it is new (and sets its pk), UPDATE of
 * every column otherwise. auto_now fields are set to now, auto_now_add on
 * insert. Errors: CORM_ECONSTRAINT (unique, foreign key, check, not null;
 * message from the database), CORM_EBACKEND, CORM_EINVAL, CORM_ENOMEM.
 */
CORM_EXTERN(int) corm_save(corm_db *db, void *instance);
/**
 * Saves only the named fields (save(update_fields=[...])): an UPDATE of those
 * columns (plus auto_now fields in the list). A NULL or empty list saves
 * nothing. Errors as corm_save, CORM_EFIELD for unknown names, CORM_EINVAL for
 * an instance that was never saved (Django raises "Cannot force an update in
 * save() with no primary key.").
 */
CORM_EXTERN(int) corm_save_fields(corm_db *db, void *instance, const char *const *fields);

/**
 * Deletes the instance's row. Afterwards the instance is unsaved with pk 0
 * (Django sets pk to None). `deleted` (may be NULL) gets the number of rows
 * deleted (untouched on failure). Errors: CORM_EINVAL (never saved),
 * CORM_ECONSTRAINT, CORM_EBACKEND.
 */
CORM_EXTERN(int) corm_delete(corm_db *db, void *instance, int64_t *deleted);

/**
 * Reloads every field from the database (refresh_from_db()).
 * Errors: CORM_ENOTFOUND if the row is gone, CORM_EINVAL, CORM_EBACKEND.
 */
CORM_EXTERN(int) corm_refresh(corm_db *db, void *instance);

/**
 * Model.objects.create(**kwargs): a new instance with defaults, the keyword
 * arguments set, saved. *(T **)out is owned by the caller; out may be NULL to
 * free it at once. Errors as corm_set and corm_save.
 */
CORM_EXTERN(int)
corm_create(corm_db *db, const corm_model *model, void *out, const corm_kw *kwargs);

/**
 * get_or_create(**lookup, defaults=...): gets the one row matching `lookup`
 * (exact lookups, ANDed), or creates it from lookup + defaults inside an
 * atomic block, handling the race where another writer creates it first.
 * *created (may be NULL) says which. *(T **)out is owned by the caller.
 * On failure *out is NULL and *created untouched; the connection's error is
 * the create's when the create was refused (not the lookup's "does not exist").
 * Errors: CORM_EMULTIPLE, and those of corm_create.
 */
CORM_EXTERN(int)
corm_get_or_create(corm_db *db, const corm_model *model, void *out, bool *created,
                   const corm_kw *lookup, const corm_kw *defaults);
/**
 * update_or_create(**lookup, defaults=...): in one atomic block, reads the
 * matching row with select_for_update (as Django: a concurrent
 * update_or_create waits instead of overwriting it; SQLite locks the whole
 * database instead), sets `defaults` on it and saves it, or creates it from
 * lookup + defaults. *(T **)out is owned by the caller; *created (may be
 * NULL) says which. On failure everything is rolled back, *out is NULL and
 * *created untouched. Errors: CORM_EMULTIPLE, those of corm_set, corm_save
 * and corm_create.
 */
CORM_EXTERN(int)
corm_update_or_create(corm_db *db, const corm_model *model, void *out, bool *created,
                      const corm_kw *lookup, const corm_kw *defaults);
#ifndef __cplusplus
#define corm_create(db, model, out, kwargs) corm_create((db), (model), CORM__OUT(out), (kwargs))
#define corm_get_or_create(db, model, out, created, lookup, defaults)                              \
	corm_get_or_create((db), (model), CORM__OUT(out), (created), (lookup), (defaults))
#define corm_update_or_create(db, model, out, created, lookup, defaults)                           \
	corm_update_or_create((db), (model), CORM__OUT(out), (created), (lookup), (defaults))
#endif

/* ---- validation ------------------------------------------------------- */

typedef struct corm_validation corm_validation;

/**
 * full_clean(): checks every field (null/blank, max_length, choices, email,
 * URL and slug formats, decimal digits, integer ranges). Returns CORM_OK, or
 * CORM_EVALIDATION with *errors (owned by the caller, corm_validation_free)
 * listing messages per field, in field order. `errors` may be NULL.
 * `exclude` (NULL-terminated, may be NULL) skips fields. CORM_ENOMEM,
 * CORM_EINVAL (NULL or unregistered instance): their message is in
 * corm_error_last() (CORM_EVALIDATION leaves it alone: see *errors).
 */
CORM_EXTERN(int)
corm_full_clean(const void *instance, const char *const *exclude, corm_validation **errors);
/** Number of (field, message) pairs. */
CORM_EXTERN(size_t) corm_validation_count(const corm_validation *v);
/** The i-th field name and its message ("Ensure this value has at most 200 characters (it has
 * 201)."). Borrowed. */
CORM_EXTERN(const char *) corm_validation_field(const corm_validation *v, size_t i);
CORM_EXTERN(const char *) corm_validation_message(const corm_validation *v, size_t i);
/** The first message for `field`, or NULL. Borrowed. */
CORM_EXTERN(const char *) corm_validation_get(const corm_validation *v, const char *field);
/** Frees the error list. NULL is a no-op. */
CORM_EXTERN(void) corm_validation_free(corm_validation *v);

#ifdef __cplusplus
}
#endif
#endif
