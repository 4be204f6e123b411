/*
 * Compiled model metadata (Django's Model._meta): compiled by corm_registry_add
 * from the user's declaration, its relations resolved by corm_registry_ready,
 * read by every layer above.
 */
#ifndef CORM_MODEL_META_H
#define CORM_MODEL_META_H

#include "corm/model.h"
#include "corm/instance.h"
#include "util/buf.h"
#include "util/error.h"

/* One concrete field (one column). */
/* Whether members of this type are pointers to memory the instance owns (NULL is SQL NULL). */
static inline bool corm__vtype_is_pointer(corm_type t)
{
	return t == CORM_TYPE_TEXT || t == CORM_TYPE_DECIMAL || t == CORM_TYPE_JSON ||
	       t == CORM_TYPE_BYTES;
}

/* How the row decoder writes a field it read (chosen at registration). */
typedef enum corm_store {
	CORM_STORE_VALUE, /* through corm__member_store */
	CORM_STORE_TEXT,  /* a char * copied with the length the driver gives */
	/* NOT NULL integers and booleans, written straight into the member */
	CORM_STORE_INT16,
	CORM_STORE_INT32,
	CORM_STORE_INT64,
	CORM_STORE_FK_ID,
	CORM_STORE_BOOL,
} corm_store;

typedef struct corm_fmeta {
	const corm_field *decl; /* the user's declaration (a static one for the implicit id) */
	const struct corm_meta *owner;
	const char *name;             /* attribute name: "author" */
	char *attname;                /* "author_id" for FKs, else the name (owned) */
	size_t name_len, attname_len; /* compared first when a field is looked up by name */
	char *column;                 /* db_column or attname (owned) */
	char *verbose_name;           /* declared, or the name with '_' -> ' ' (owned) */
	int index;                    /* position in meta->fields; also the null bit */
	corm_field_kind kind;
	corm_type vtype; /* the corm_value type the field stores */
	int max_length;  /* effective (kind defaults applied) */
	bool is_pk;
	bool nullable;
	corm_value deflt; /* parsed default_value (owned payload), CORM_TYPE_NULL if none */
	bool has_default;
	corm_value *choice_values; /* parsed choices (owned), decl->choices order */
	size_t nchoices;
	/* ForeignKey: the target's meta, resolved by corm_registry_ready (decl->related or
	 * decl->related_label); NULL before */
	const struct corm_meta *related;
} corm_fmeta;

struct corm_registry;

/*
 * A relation seen from the model it points to (Django's ForeignObjectRel, listed
 * in _meta.related_objects): built by corm_registry_ready on the target of every
 * ForeignKey, for the reverse accessor (`user.posts`) and reverse lookups
 * (`author__posts__title`).
 */
typedef struct corm_relmeta {
	const corm_fmeta *field;       /* the ForeignKey, on the model that declares it */
	const struct corm_meta *model; /* that model (field->owner) */
	/* "posts" (related_name) or "post_set"; related_name itself when hidden */
	char *accessor_name;
	/* "posts" / "post" (related_query_name, related_name, else the model's name in lower case;
	 * "+" when hidden) */
	char *query_name;
	size_t query_name_len;
	bool hidden;   /* related_name "+" (or ending in '+'): no accessor, no reverse lookup */
	bool multiple; /* a ForeignKey: many rows point here (a OneToOne: one) */
} corm_relmeta;

struct corm_meta {
	const corm_model *model;
	struct corm_registry *reg;
	char *label; /* "blog.Post" */
	char *table; /* "blog_post" */
	char *verbose_name, *verbose_name_plural;
	corm_fmeta *fields; /* concrete fields, implicit id first */
	size_t nfields;
	corm_fmeta *pk;
	char *field_choices; /* "author, author_id, body, ..." for FieldError messages */
	/* the same with the reverse relations' query names, for lookups (ready; owned) */
	char *lookup_choices;
	/* unique for the life of the process (an address can be reused by a later meta): keys
	 * what connections remember about the model */
	uint64_t serial;
	/* field index + 1 by member offset (model->size entries; 0: no field starts there):
	 * corm_is_null(p, &p->category) finds its field without a scan */
	uint16_t *field_by_offset;
	/* indexes of the text fields, and of the other fields that own memory (FKs' cached
	 * objects, decimals, JSON, bytes): what resetting a reused instance must visit */
	uint16_t *text_fields, *owning_fields;
	size_t ntext, nowning;
	/* the decoder's plan: one entry per field, in column order, packed so a row is decoded
	 * without walking the (large) corm_fmeta entries */
	struct corm_decode_op {
		uint32_t offset;
		uint8_t store; /* corm_store */
	} * decode_ops;
	/* the relations that point at this model, in registration order of their models, built
	 * by corm_registry_ready (owned) */
	corm_relmeta *related_objects;
	size_t nrelated;
	/* set by corm_registry_ready once every relation of the registry is resolved and the
	 * system checks passed */
	bool ready;
};

/*
 * The meta of a model in a ready registry, or NULL: of the live registries that
 * hold the model, the one made ready last (a per-thread cache makes the usual
 * case a few comparisons).
 */
const struct corm_meta *corm__meta(const corm_model *m);

/* The meta of the registry's i-th model (corm_registry_at's order), or NULL. */
const struct corm_meta *corm__registry_meta_at(const struct corm_registry *reg, size_t i);

/* The meta an instance was made with, or NULL. */
static inline const struct corm_meta *corm__obj_meta(const void *inst)
{
	return inst ? ((const corm_obj *)inst)->meta : NULL;
}

/* The end of the message of a call given a model whose registry is not ready yet. */
#define CORM__NOT_READY                                                                            \
	"the registry is not ready: call corm_registry_ready() after adding the models"

/* Whether the model is in no ready registry but was added to one that is not ready yet. */
bool corm__meta_pending(const corm_model *m);

/* Field by attribute name, attname or column-less alias "pk"; NULL if none. */
const corm_fmeta *corm__meta_field(const struct corm_meta *meta, const char *name);
/* Field by name with the given length (for parsing "a__b" paths). */
const corm_fmeta *corm__meta_field_n(const struct corm_meta *meta, const char *name, size_t len);
/*
 * The same, looking first where the previous lookup left *hint (start at 0):
 * names given in declaration order, as create()'s kwargs usually are, are
 * each found at the first comparison.
 */
const corm_fmeta *corm__meta_field_hint(const struct corm_meta *meta, const char *name,
                                        size_t *hint);
/* The reverse relation whose query name is name[0..len) (hidden ones never match), or NULL. */
const corm_relmeta *corm__meta_relation_n(const struct corm_meta *meta, const char *name,
                                          size_t len);
/* Field whose member lives at byte offset `offset` in the struct; NULL if none. */
const corm_fmeta *corm__meta_field_at(const struct corm_meta *meta, size_t offset);

/* Django's class names for messages: "CharField", "ForeignKey", ... */
const char *corm__kind_name(corm_field_kind kind);
/* The value type a field kind stores. */
corm_type corm__kind_vtype(corm_field_kind kind);
/* Whether the kind is textual (Char, Text, Slug, Email, URL; not GenericIPAddress, inet on
 * PostgreSQL). */
bool corm__kind_is_text(corm_field_kind kind);
/* Whether the kind is an automatic primary key (AutoField, BigAutoField, SmallAutoField). */
bool corm__kind_is_auto(corm_field_kind kind);
/*
 * GenericIPAddressField's get_prep_value: an IPv6 address in Django's
 * clean_ipv6_address form (compressed, lower case, "::ffff:1.2.3.4", or
 * "1.2.3.4" with unpack_ipv4) written into out[46]; returns false (out
 * untouched) for text that is not one, which is then stored as given.
 */
bool corm__ip_clean(const corm_fmeta *fm, const char *text, char out[46]);
/* Strips the /32 or /128 netmask PostgreSQL's inet may show, in place. NULL is a no-op. */
void corm__ip_from_db(char *text);
/* Whether the kind is an integer kind (incl. Auto and FK). */
bool corm__kind_is_int(corm_field_kind kind);

/* ---- values <-> struct members (src/model/convert.c) ---- */

/* corm_err, corm__err_set and corm__err_free are in util/error.h. */

/*
 * Converts `in` to the field's storage type (Django's get_prep_value): on
 * success *out holds a value of fm->vtype, or NULL; payloads that had to be
 * made (parsed decimals, JSON) are owned by `out` and freed with
 * corm__value_clear. Text/bytes may borrow from `in` (or, for an IPv6 address
 * rewritten in its stored form, from a per-thread buffer that is reused 16
 * calls later: copy it at once). CORM_ETYPE on mismatch,
 * and for dates, datetimes and times outside what every backend stores
 * (0001-01-01 .. 9999-12-31, 00:00 .. 23:59:59.999999), filters included.
 */
int corm__coerce(const corm_fmeta *fm, const corm_value *in, corm_value *out, corm_err *err);
/*
 * Whether an integer fits the field's column and member: SmallIntegerField
 * -32768..32767, IntegerField/AutoField/PositiveIntegerField -2^31..2^31-1 (as
 * Django's integer_field_range; negatives on Positive* are left to the CHECK
 * constraint), Big* int64, and never wider than the C member. Foreign keys:
 * always (their ids are int64).
 */
int corm__int_fits_range(const corm_fmeta *fm, int64_t v);
static inline int corm__int_fits(const corm_fmeta *fm, int64_t v)
{
	/* every integer kind and member holds these: the row decoder's usual case */
	return (v >= INT16_MIN && v <= INT16_MAX) || corm__int_fits_range(fm, v);
}
/* Sets err to CORM_ETYPE "Field 'view_count' of blog.Post expected an integer between ...". */
int corm__int_unfit(const corm_fmeta *fm, int64_t v, corm_err *err);
/*
 * Whether the column can hold `v` (already of the field's type), where
 * corm__coerce does not check it itself: integer ranges, dates 0001-01-01 ..
 * 9999-12-31, times of day, and with `saving`: decimals against
 * max_digits/decimal_places, and what the backend `vendor` ("sqlite",
 * "postgresql", "mysql"; NULL: unknown) cannot store exactly (SQLite: decimals
 * of more than 15 significant digits, NaN; MariaDB: NaN and infinities).
 * CORM_OK or CORM_ETYPE with a message naming the model, field and range.
 */
int corm__value_check(const corm_fmeta *fm, const corm_value *v, const char *vendor, bool saving,
                      corm_err *err);
/* Frees the decimal/JSON payload corm__coerce made (text and bytes are borrowed). */
void corm__value_clear(corm_value *v);
/* Deep copy of a value (text, bytes, decimal, JSON, lists copied). CORM_ENOMEM. */
int corm__value_copy(corm_value *dst, const corm_value *src);
/* Frees a deep copy made by corm__value_copy. */
void corm__value_free(corm_value *v);
/* Writes an SQL-ish display of a value ("'abc'", "12", "NULL") for messages and corm_qs_str. */
void corm__value_display(corm_buf *b, const corm_value *v);
/*
 * Writes a bound parameter as an SQL literal that `be` parses back to the same
 * value (corm_qs_str): text, JSON, dates and UUIDs quoted with be->quote_value
 * (standard '' doubling when NULL), numbers bare, booleans TRUE/FALSE. Sets
 * b->oom when out of memory.
 */
struct corm_backend;
void corm__value_sql_literal(corm_buf *b, const struct corm_backend *be, const corm_value *v);

/* Reads a member as a value; pointers are borrowed from the instance. */
void corm__member_get(const corm_fmeta *fm, const void *inst, corm_value *out);
/* Stores a value already of fm->vtype (or NULL) into the member, copying payloads. CORM_ENOMEM. */
int corm__member_store(const corm_fmeta *fm, void *inst, const corm_value *v);
/* Frees what a member owns and zeroes it. */
void corm__member_clear(const corm_fmeta *fm, void *inst);
/* Frees what every member of inst owns (only the fields that can own memory are visited), and
 * its extension (model/ext.h). */
void corm__members_clear(const struct corm_meta *meta, void *inst);
/* The same for every member but the texts (the iterator reuses their buffers). */
void corm__members_clear_owning(const struct corm_meta *meta, void *inst);
/* Whether the member holds NULL. */
bool corm__member_is_null(const corm_fmeta *fm, const void *inst);

#endif
