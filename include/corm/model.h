/*
 * corm/model.h - declaring models as plain C structs.
 *
 * A model is a struct whose first member is a corm_obj header, a static table
 * of corm_field entries built with the CORM_* field macros (each checks the
 * member's C type at compile time), and a corm_model built with CORM_MODEL:
 *
 *     typedef struct Post {
 *         corm_obj obj;              // pk `id`, state, null flags
 *         char *title;
 *         corm_fk author;            // author.id is the author_id column
 *         corm_fk reply_to;
 *         int32_t view_count;
 *         bool is_active;
 *         corm_datetime created_at;
 *     } Post;
 *
 *     static const corm_field post_fields[] = {
 *         CORM_CHAR(Post, title, .max_length = 200),
 *         CORM_FK(Post, author, &User_model, CORM_CASCADE, .related_name = "posts"),
 *         CORM_FK_LABEL(Post, reply_to, "self", CORM_SET_NULL, .null = true),
 *         CORM_POSITIVE_INT(Post, view_count, .default_value = "0"),
 *         CORM_BOOL(Post, is_active, .default_value = "true"),
 *         CORM_DATETIME(Post, created_at, .auto_now_add = true),
 *     };
 *     const corm_model Post_model = CORM_MODEL(Post, "blog", post_fields,
 *         .ordering = {"-created_at"}, .indexes = {{"slug"}, {"-created_at"}});
 *
 * Models are registered in a corm_registry (Django's "apps") in two phases, as
 * Django's apps.populate: corm_registry_add records each model (in any order) and
 * checks its own declaration; corm_registry_ready then resolves the foreign keys
 * (pointers or "app.Model" / "self" labels, circular ones included) and runs the
 * system checks. A registry (and every model in it) is usable only once ready.
 *
 * The registry owns the compiled metadata; the declaration is never written to
 * (it may be `const`) and can be in several registries at once. Calls that take
 * a model (corm_objects, corm_new, corm_create, corm_model_table, ...) use the
 * registry made ready most recently among the live ones that hold it (freeing
 * that registry makes the previous one current again for the model); instances
 * remember the metadata they were made with (corm_obj.meta).
 */
#ifndef CORM_MODEL_H
#define CORM_MODEL_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct corm_model corm_model;
typedef struct corm_meta corm_meta; /* compiled metadata, private */
typedef struct corm_field corm_field;

/**
 * The header every model struct starts with. `id` is the automatic primary
 * key (AutoField); models that declare their own primary_key field (an
 * integer, UUIDField, CharField, SlugField, EmailField or URLField, as Django
 * allows; ForeignKeys to such a model hold the key in the matching member of
 * corm_fk) leave it 0.
 * `model` is the declaration; `meta` the compiled metadata of the registry the
 * instance was made through (by corm_new, a query, ...): an instance must not
 * outlive that registry. The other members are corm's bookkeeping: read them
 * through the API.
 */
/* What an instance carries beyond its members (annotations, related caches, deferred
 * fields): private, made on first use, owned by the instance. */
typedef struct corm_obj_ext corm_obj_ext;

typedef struct corm_obj {
	const corm_model *model;
	const corm_meta *meta;
	int64_t id;
	uint64_t nulls; /* bit i set: field i holds SQL NULL (value-type fields) */
	uint32_t state; /* CORM_STATE_* */
	uint32_t _reserved;
	corm_obj_ext *_ext; /* NULL until a feature attaches something */
} corm_obj;

#ifndef __cplusplus
/** A model instance as a value: CORM_KW("author", CORM_OBJ(alice)). p must have a corm_obj obj. */
#define CORM_OBJ(p) corm__v_obj(&(p)->obj)
#endif

/**
 * A foreign key: the related row's primary key (Django's `author_id`), and the
 * related object when it was loaded (select_related; owned by this instance,
 * freed with it; reading it never runs a query). Which member of the union holds
 * the key follows the target's primary key: `id` for integer keys (0 is NULL:
 * automatic keys start at 1), `uuid` for a UUIDField (NULL is the field's null
 * flag: corm_is_null / corm_set_null), `key` for a CharField or SlugField key
 * (a string owned by the instance, NULL is NULL; set it with corm_set or
 * corm_set_str).
 */
typedef struct corm_fk {
	union {
		int64_t id;
		corm_uuid uuid;
		char *key;
	};
	void *obj;
} corm_fk;

/** Field kinds, one per Django field class. */
typedef enum corm_field_kind {
	CORM_FIELD_AUTO = 1,
	CORM_FIELD_BIGAUTO,
	CORM_FIELD_CHAR,
	CORM_FIELD_TEXT,
	CORM_FIELD_SLUG,
	CORM_FIELD_EMAIL,
	CORM_FIELD_URL,
	CORM_FIELD_INT,
	CORM_FIELD_BIGINT,
	CORM_FIELD_SMALLINT,
	CORM_FIELD_POSITIVE_INT,
	CORM_FIELD_FLOAT,
	CORM_FIELD_DECIMAL,
	CORM_FIELD_BOOL,
	CORM_FIELD_DATE,
	CORM_FIELD_DATETIME,
	CORM_FIELD_TIME,
	CORM_FIELD_DURATION,
	CORM_FIELD_UUID,
	CORM_FIELD_BINARY,
	CORM_FIELD_JSON,
	CORM_FIELD_FK,
	/* added later: at the end, so the numbers above never change */
	CORM_FIELD_POSITIVE_SMALLINT,
	CORM_FIELD_POSITIVE_BIGINT,
	CORM_FIELD_SMALLAUTO,
	CORM_FIELD_GENERIC_IP
} corm_field_kind;

/** GenericIPAddressField(protocol=...): which addresses the field accepts. */
typedef enum corm_ip_protocol {
	CORM_IP_BOTH = 0, /**< 'both' (the default) */
	CORM_IP_V4,       /**< 'IPv4' */
	CORM_IP_V6        /**< 'IPv6' */
} corm_ip_protocol;

/** What deleting a referenced row does to this row (ForeignKey on_delete). */
typedef enum corm_on_delete {
	CORM_CASCADE = 1,
	CORM_PROTECT,
	CORM_RESTRICT,
	CORM_SET_NULL,
	CORM_SET_DEFAULT,
	CORM_DO_NOTHING
} corm_on_delete;

/** One entry of `choices`: the stored value (as text, parsed per field kind) and its label. */
typedef struct corm_choice {
	const char *value;
	const char *label;
} corm_choice;

/**
 * A default computed at instance creation (Django's callable default):
 * writes the value into `member` (the struct member's address). Strings
 * written into char* members must come from corm_malloc/corm_strdup.
 * Returns CORM_OK or an error code.
 */
typedef int (*corm_default_fn)(void *member, const corm_field *field);

/** A field declaration. Build it with the CORM_* macros, never by hand. */
struct corm_field {
	const char *name; /* attribute name, from the member name */
	corm_field_kind kind;
	size_t offset; /* offsetof(struct, member) */
	size_t size;   /* sizeof(member): integer width */

	/* options (designated initializers in the macro's variadic part) */
	bool null, blank, unique, db_index, primary_key, auto_now, auto_now_add;
	bool editable_false; /* editable=False */
	int max_length;      /* Char/Slug/Email/URL; 0 = the kind's default */
	int max_digits, decimal_places;
	const char *db_column;
	const char *default_value; /* literal parsed per kind: "0", "true", "12.50", "{}" */
	corm_default_fn default_fn;
	const corm_choice *choices; /* terminated by {NULL, NULL} */
	const char *verbose_name;
	const char *help_text;

	/* ForeignKey: the target as a pointer (CORM_FK) or by name (CORM_FK_LABEL), resolved by
	 * corm_registry_ready: "app_label.ModelName", "ModelName" (same app) or "self" */
	const corm_model *related;
	const char *related_label;
	corm_on_delete on_delete;
	const char *related_name; /* the reverse accessor's name; "+" (or ending in '+'): none */
	/* the name of the reverse relation in lookups (author__posts__title); default:
	 * related_name, else the model's name in lower case */
	const char *related_query_name;

	/* GenericIPAddressField */
	corm_ip_protocol protocol;
	bool unpack_ipv4; /* "::ffff:1.2.3.4" is stored as "1.2.3.4"; protocol 'both' only */
};

#define CORM_MAX_ORDERING        8
#define CORM_MAX_INDEXES         16
#define CORM_MAX_INDEX_FIELDS    8
#define CORM_MAX_UNIQUE_TOGETHER 8

/** Meta.indexes entry: field names ("-name" for descending) and an optional name. */
typedef struct corm_index {
	const char *fields[CORM_MAX_INDEX_FIELDS];
	const char *name;
} corm_index;

/** The layout of corm_model this header declares (CORM_MODEL sets corm_model.version). */
/* 2: corm_field.related_query_name; corm_fk's key is a union (integer, UUID or text keys) */
#define CORM_MODEL_VERSION 2

/** A model: its struct, fields and Meta options. Build it with CORM_MODEL. */
struct corm_model {
	/* CORM_MODEL_VERSION, set by CORM_MODEL: corm_registry_add refuses another value, so a
	 * declaration compiled against another layout of this struct is caught (libgit2 style) */
	unsigned version;
	const char *app_label;
	const char *name; /* class name, from the struct name */
	size_t size;      /* sizeof(struct) */
	const corm_field *fields;
	size_t nfields;

	/* Meta */
	const char *db_table; /* default: app_label + "_" + lower(name) */
	const char *ordering[CORM_MAX_ORDERING];
	corm_index indexes[CORM_MAX_INDEXES];
	const char *unique_together[CORM_MAX_UNIQUE_TOGETHER][CORM_MAX_INDEX_FIELDS];
	const char *verbose_name;
	const char *verbose_name_plural;
	/* corm never writes into a declaration (it may be const): the registries keep their
	 * compiled metadata, so one declaration can be in several registries at once */
};

/** Lifecycle flags in corm_obj.state. */
#define CORM_STATE_SAVED 1u /* loaded from or written to the database */
/* lent out: by its QuerySet (corm_next) or by the instance whose ForeignKey caches it
 * (select_related); corm_free refuses it, its owner frees it */
#define CORM_STATE_BORROWED 2u

/* ---- compile-time checked field macros -------------------------------- */

/* 0 when T.m has one of the listed types; a compile error otherwise. */
#define CORM__CHECK(T, m, ...)                                                                     \
	(0 * sizeof(char[_Generic(((T *)0)->m, __VA_ARGS__ : 1, default : -1)]))
#define CORM__INTS                                                                                 \
	int16_t:                                                                                   \
	1, int32_t : 1, int64_t
#define CORM__FIELD(T, m, k, check, ...)                                                           \
	{                                                                                          \
		.name = #m, .kind = (k), .offset = offsetof(T, m) + (check),                       \
		.size = sizeof(((T *)0)->m), __VA_ARGS__                                           \
	}

/* Each macro: CORM_X(StructType, member, .option = value, ...). */
#define CORM_AUTO(T, m, ...)                                                                       \
	CORM__FIELD(T, m, CORM_FIELD_AUTO, CORM__CHECK(T, m, int64_t), .primary_key = true,        \
	            __VA_ARGS__)
#define CORM_BIGAUTO(T, m, ...)                                                                    \
	CORM__FIELD(T, m, CORM_FIELD_BIGAUTO, CORM__CHECK(T, m, int64_t), .primary_key = true,     \
	            __VA_ARGS__)
#define CORM_CHAR(T, m, ...)                                                                       \
	CORM__FIELD(T, m, CORM_FIELD_CHAR, CORM__CHECK(T, m, char *), __VA_ARGS__)
#define CORM_TEXT(T, m, ...)                                                                       \
	CORM__FIELD(T, m, CORM_FIELD_TEXT, CORM__CHECK(T, m, char *), __VA_ARGS__)
#define CORM_SLUG(T, m, ...)                                                                       \
	CORM__FIELD(T, m, CORM_FIELD_SLUG, CORM__CHECK(T, m, char *), __VA_ARGS__)
#define CORM_EMAIL(T, m, ...)                                                                      \
	CORM__FIELD(T, m, CORM_FIELD_EMAIL, CORM__CHECK(T, m, char *), __VA_ARGS__)
#define CORM_URL(T, m, ...)                                                                        \
	CORM__FIELD(T, m, CORM_FIELD_URL, CORM__CHECK(T, m, char *), __VA_ARGS__)
#define CORM_INT(T, m, ...)                                                                        \
	CORM__FIELD(T, m, CORM_FIELD_INT, CORM__CHECK(T, m, CORM__INTS), __VA_ARGS__)
#define CORM_BIGINT(T, m, ...)                                                                     \
	CORM__FIELD(T, m, CORM_FIELD_BIGINT, CORM__CHECK(T, m, int64_t), __VA_ARGS__)
#define CORM_SMALLINT(T, m, ...)                                                                   \
	CORM__FIELD(T, m, CORM_FIELD_SMALLINT, CORM__CHECK(T, m, CORM__INTS), __VA_ARGS__)
#define CORM_POSITIVE_INT(T, m, ...)                                                               \
	CORM__FIELD(T, m, CORM_FIELD_POSITIVE_INT, CORM__CHECK(T, m, CORM__INTS), __VA_ARGS__)
/** PositiveSmallIntegerField: 0 .. 32767. */
#define CORM_POSITIVE_SMALLINT(T, m, ...)                                                          \
	CORM__FIELD(T, m, CORM_FIELD_POSITIVE_SMALLINT, CORM__CHECK(T, m, CORM__INTS), __VA_ARGS__)
/** PositiveBigIntegerField: 0 .. 9223372036854775807. */
#define CORM_POSITIVE_BIGINT(T, m, ...)                                                            \
	CORM__FIELD(T, m, CORM_FIELD_POSITIVE_BIGINT, CORM__CHECK(T, m, int64_t), __VA_ARGS__)
/** SmallAutoField: an automatic primary key of 1 .. 32767 (the member is an int64_t). */
#define CORM_SMALLAUTO(T, m, ...)                                                                  \
	CORM__FIELD(T, m, CORM_FIELD_SMALLAUTO, CORM__CHECK(T, m, int64_t), .primary_key = true,   \
	            __VA_ARGS__)
/**
 * GenericIPAddressField: text of at most 39 characters (inet on PostgreSQL).
 * Options .protocol = CORM_IP_V4 / CORM_IP_V6 (default both) and
 * .unpack_ipv4 = true. IPv6 addresses are stored in their compressed form
 * ("2001:db8::1"), as Django's clean_ipv6_address writes them, whether they
 * come from corm_set, create, update() or a filter (not when written straight
 * into the member); "" is stored as NULL, as Django does (so blank=True needs
 * null=True). Values read back are the database's text, as in Django, less a
 * /32 or /128 netmask.
 */
#define CORM_GENERIC_IP(T, m, ...)                                                                 \
	CORM__FIELD(T, m, CORM_FIELD_GENERIC_IP, CORM__CHECK(T, m, char *), __VA_ARGS__)
#define CORM_FLOAT(T, m, ...)                                                                      \
	CORM__FIELD(T, m, CORM_FIELD_FLOAT, CORM__CHECK(T, m, double), __VA_ARGS__)
#define CORM_DECIMAL(T, m, ...)                                                                    \
	CORM__FIELD(T, m, CORM_FIELD_DECIMAL, CORM__CHECK(T, m, corm_decimal *), __VA_ARGS__)
#define CORM_BOOL(T, m, ...)                                                                       \
	CORM__FIELD(T, m, CORM_FIELD_BOOL, CORM__CHECK(T, m, bool), __VA_ARGS__)
#define CORM_DATE(T, m, ...)                                                                       \
	CORM__FIELD(T, m, CORM_FIELD_DATE, CORM__CHECK(T, m, corm_date), __VA_ARGS__)
#define CORM_DATETIME(T, m, ...)                                                                   \
	CORM__FIELD(T, m, CORM_FIELD_DATETIME, CORM__CHECK(T, m, corm_datetime), __VA_ARGS__)
#define CORM_TIME(T, m, ...)                                                                       \
	CORM__FIELD(T, m, CORM_FIELD_TIME, CORM__CHECK(T, m, corm_time), __VA_ARGS__)
#define CORM_DURATION(T, m, ...)                                                                   \
	CORM__FIELD(T, m, CORM_FIELD_DURATION, CORM__CHECK(T, m, corm_duration), __VA_ARGS__)
#define CORM_UUID(T, m, ...)                                                                       \
	CORM__FIELD(T, m, CORM_FIELD_UUID, CORM__CHECK(T, m, corm_uuid), __VA_ARGS__)
#define CORM_BINARY(T, m, ...)                                                                     \
	CORM__FIELD(T, m, CORM_FIELD_BINARY, CORM__CHECK(T, m, corm_bytes), __VA_ARGS__)
#define CORM_JSON(T, m, ...)                                                                       \
	CORM__FIELD(T, m, CORM_FIELD_JSON, CORM__CHECK(T, m, json_t *), __VA_ARGS__)
/** ForeignKey: the member is a corm_fk; the column is "<name>_id"; target is a corm_model *. */
#define CORM_FK(T, m, target, on_del, ...)                                                         \
	CORM__FIELD(T, m, CORM_FIELD_FK, CORM__CHECK(T, m, corm_fk), .related = (target),          \
	            .on_delete = (on_del), __VA_ARGS__)
/**
 * ForeignKey to a model named by label, resolved by corm_registry_ready (Django's lazy
 * references): "auth.User", "User" (a model of the same app) or "self". The target may be
 * added to the registry before or after this model, and may point back (circular FKs).
 */
#define CORM_FK_LABEL(T, m, label, on_del, ...)                                                    \
	CORM__FIELD(T, m, CORM_FIELD_FK, CORM__CHECK(T, m, corm_fk), .related_label = (label),     \
	            .on_delete = (on_del), __VA_ARGS__)

/** Declares a model: CORM_MODEL(Struct, "app_label", field_table, .ordering = {...}, ...). */
#define CORM_MODEL(T, app, table, ...)                                                             \
	{                                                                                          \
		.version = CORM_MODEL_VERSION, .app_label = (app), .name = #T,                     \
		.size = sizeof(T) + 0 * sizeof(char[offsetof(T, obj) == 0 ? 1 : -1]),              \
		.fields = (table), .nfields = sizeof(table) / sizeof((table)[0]), __VA_ARGS__      \
	}

/* ---- the registry ("apps") -------------------------------------------- */

typedef struct corm_registry corm_registry;

/** Creates an empty registry; *out is owned by the caller (corm_registry_free). CORM_ENOMEM,
 * CORM_EINVAL (message in corm_error_last()). */
CORM_EXTERN(int) corm_registry_new(corm_registry **out);

/**
 * Records a model in the registry (phase one; models may be added in any order)
 * and checks its own declaration: unique field names, max_length on CharFields,
 * max_digits/decimal_places on DecimalFields, defaults and choices that parse
 * for their kind, ordering/index names that are fields. Foreign keys are not
 * followed here: their targets must be added too, then corm_registry_ready()
 * called. Adding a model already in this registry does nothing; one declaration
 * may be in several registries at once (each compiles its own metadata). The
 * registry borrows the declaration, which must outlive it, and never writes to it.
 * Errors: CORM_EMODEL (message from corm_registry_errmsg names the model and
 * field), CORM_EINVAL (NULL argument; a version that is not CORM_MODEL_VERSION:
 * "blog.Post: corm_model.version is 0, this corm expects 2 (CORM_MODEL_VERSION):
 * declare models with CORM_MODEL"; the registry is already ready: "blog.Post:
 * the registry is ready: add every model before corm_registry_ready()"),
 * CORM_ENOMEM. Every failure's message is also the thread's corm_error_last().
 */
CORM_EXTERN(int) corm_registry_add(corm_registry *reg, const corm_model *model);

/**
 * Phase two (Django's apps.populate / ready): resolves every foreign key's
 * target (CORM_FK's pointer or CORM_FK_LABEL's "app.Model", "Model", "self"),
 * orders the models so that a model comes after the models it points to (in a
 * cycle, the model registered first goes first), and runs the system checks, with
 * Django's ids and messages:
 *   "blog.Post.author: (fields.E300) Field defines a relation with model
 *    'auth.Usr', which is either not installed, or is abstract."
 *   "(fields.E320) Field specifies on_delete=SET_NULL, but cannot be null."
 *   "(fields.E321) Field specifies on_delete=SET_DEFAULT, but has no default value."
 * Until it succeeds, corm_objects, corm_new, corm_create, corm_create_tables,
 * corm_registry_get, ... refuse the registry's models with CORM_EINVAL
 * "...: the registry is not ready: call corm_registry_ready() after adding the
 * models". A failed ready changes nothing: add the missing model and call it
 * again. Calling it on a ready registry does nothing. Once ready, this registry
 * serves the calls that take a model without a registry (see the top of this
 * header) for its models, until another registry holding them is made ready.
 * Errors: CORM_EMODEL (a check failed: message from corm_registry_errmsg and
 * corm_error_last()), CORM_EINVAL (NULL registry), CORM_ENOMEM.
 */
CORM_EXTERN(int) corm_registry_ready(corm_registry *reg);

/** Whether corm_registry_ready succeeded on the registry (false for NULL). */
CORM_EXTERN(bool) corm_registry_is_ready(const corm_registry *reg);

/**
 * Finds a registered model by "app_label.ModelName" (case-insensitive, like
 * apps.get_model). *out is borrowed from the registry.
 * Errors: CORM_ENOTFOUND (message lists the registered models), CORM_EINVAL
 * (NULL argument; the registry is not ready); the message is also the thread's
 * corm_error_last().
 */
CORM_EXTERN(int)
corm_registry_get(const corm_registry *reg, const char *label, const corm_model **out);

/** Number of registered models, and the i-th (borrowed): in registration order until
 * corm_registry_ready, then in dependency order (targets of foreign keys first). */
CORM_EXTERN(size_t) corm_registry_count(const corm_registry *reg);
CORM_EXTERN(const corm_model *) corm_registry_at(const corm_registry *reg, size_t i);

/** The message for the registry's last error ("" when none). Borrowed. */
CORM_EXTERN(const char *) corm_registry_errmsg(const corm_registry *reg);

/** Unregisters every model and frees the registry and its compiled metadata: instances and
 * QuerySets made through it must be freed first. NULL is a no-op. */
CORM_EXTERN(void) corm_registry_free(corm_registry *reg);

/* ---- model introspection ---------------------------------------------- */

/* The functions below give NULL for a model that is not in a ready registry. */

/** The table name (Meta.db_table or "app_model"). Borrowed; NULL if not registered. */
CORM_EXTERN(const char *) corm_model_table(const corm_model *model);
/** The field named `name` (attribute name, or "<fk>_id"), or NULL. Borrowed. */
CORM_EXTERN(const corm_field *) corm_model_field(const corm_model *model, const char *name);
/** The column name of a field ("author_id" for FK author). Borrowed; NULL if not registered. */
CORM_EXTERN(const char *) corm_field_column(const corm_model *model, const corm_field *field);
/** verbose_name (default: name with '_' -> ' '). Borrowed. */
CORM_EXTERN(const char *) corm_field_verbose_name(const corm_model *model, const corm_field *field);
/** Meta.verbose_name / verbose_name_plural with Django's defaults ("post", "posts"). Borrowed. */
CORM_EXTERN(const char *) corm_model_verbose_name(const corm_model *model);
CORM_EXTERN(const char *) corm_model_verbose_name_plural(const corm_model *model);

/**
 * A relation seen from the model it points to (Django's ForeignObjectRel, in
 * _meta.related_objects): made by corm_registry_ready for every ForeignKey.
 * Every pointer is borrowed from the registry.
 */
typedef struct corm_related_object {
	const corm_model *model;   /**< the model that declares the ForeignKey */
	const corm_field *field;   /**< the ForeignKey */
	const char *accessor_name; /**< related_name, or "<model>_set" ("post_set") */
	/** the name in lookups (`author__posts__title`): related_query_name, related_name, or the
	 * model's name in lower case */
	const char *query_name;
	bool hidden;   /**< related_name "+" (or ending in '+'): no accessor, no reverse lookup */
	bool multiple; /**< many rows can point at one (a ForeignKey) */
} corm_related_object;

/** How many relations point at the model (hidden ones included); 0 when not in a ready
 * registry. */
CORM_EXTERN(size_t) corm_model_related_count(const corm_model *model);
/**
 * The i-th relation pointing at the model, in the registry's order of the
 * declaring models (corm_registry_at), then of their fields. CORM_EINVAL when
 * model or out is NULL, the model is not in a ready registry, or i is out of
 * range (message in corm_error_last()).
 */
CORM_EXTERN(int)
corm_model_related_at(const corm_model *model, size_t i, corm_related_object *out);
/**
 * The relation whose query name is `name` (hidden ones never match). CORM_ENOTFOUND
 * when there is none ("keys.Tag has no relation named 'x'"), CORM_EINVAL as above;
 * the message is also corm_error_last().
 */
CORM_EXTERN(int)
corm_model_related_get(const corm_model *model, const char *name, corm_related_object *out);

#ifdef __cplusplus
}
#endif
#endif
