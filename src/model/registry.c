/*
 * The model registry (Django's apps), in two phases as Django's apps.populate:
 * corm_registry_add checks a declaration and compiles its metadata into a
 * corm_meta the registry owns (not usable yet; the declaration is never
 * written to, so it can be in several registries); corm_registry_ready
 * resolves the foreign keys' targets (pointers or labels), orders the models by
 * dependency and runs the system checks, then marks every meta ready.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/meta.h"
#include "util/alloc.h"

struct corm_registry {
	corm_meta **metas; /* one per model, owned; metas[i]->model is the declaration */
	size_t len, cap;
	corm_buf err;
	bool ready;
	uint64_t ready_seq; /* when it was made ready: the latest one serves a model */
	struct corm_registry *next_live;
};

/*
 * The live registries, for the calls that take a model and no registry
 * (corm__meta). `generation` changes whenever a registry becomes ready or is
 * freed, which invalidates every thread's cache.
 */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static corm_registry *live;
static uint64_t last_ready_seq;
static atomic_uint_least64_t generation = 1;

static void live_link(corm_registry *reg)
{
	pthread_mutex_lock(&live_lock);
	reg->next_live = live;
	live = reg;
	pthread_mutex_unlock(&live_lock);
}

static void live_unlink(corm_registry *reg)
{
	pthread_mutex_lock(&live_lock);
	for (corm_registry **p = &live; *p; p = &(*p)->next_live)
		if (*p == reg) {
			*p = reg->next_live;
			break;
		}
	atomic_fetch_add(&generation, 1);
	pthread_mutex_unlock(&live_lock);
}

static corm_meta *meta_in(const corm_registry *reg, const corm_model *m)
{
	for (size_t i = 0; i < reg->len; i++)
		if (reg->metas[i]->model == m)
			return reg->metas[i];
	return NULL;
}

/* initial-exec: read %fs-relative, without a __tls_get_addr call (corm_objects runs this) */
#define META_CACHE 4
static _Thread_local __attribute__((tls_model("initial-exec"))) struct {
	const corm_model *model;
	const corm_meta *meta;
	uint64_t generation;
} meta_cache[META_CACHE];
static _Thread_local __attribute__((tls_model("initial-exec"))) unsigned meta_cache_next;

const corm_meta *corm__meta(const corm_model *m)
{
	if (!m)
		return NULL;
	uint64_t gen = atomic_load_explicit(&generation, memory_order_acquire);
	for (unsigned i = 0; i < META_CACHE; i++)
		if (meta_cache[i].model == m && meta_cache[i].generation == gen)
			return meta_cache[i].meta;
	const corm_meta *found = NULL;
	uint64_t best = 0;
	pthread_mutex_lock(&live_lock);
	gen = atomic_load_explicit(&generation, memory_order_acquire);
	for (const corm_registry *r = live; r; r = r->next_live) {
		if (!r->ready || r->ready_seq < best)
			continue;
		const corm_meta *meta = meta_in(r, m);
		if (meta) {
			found = meta;
			best = r->ready_seq;
		}
	}
	pthread_mutex_unlock(&live_lock);
	if (found) {
		unsigned slot = meta_cache_next++ % META_CACHE;
		meta_cache[slot].model = m;
		meta_cache[slot].meta = found;
		meta_cache[slot].generation = gen;
	}
	return found;
}

bool corm__meta_pending(const corm_model *m)
{
	if (!m || corm__meta(m))
		return false;
	bool pending = false;
	pthread_mutex_lock(&live_lock);
	for (const corm_registry *r = live; r && !pending; r = r->next_live)
		pending = !r->ready && meta_in(r, m);
	pthread_mutex_unlock(&live_lock);
	return pending;
}

const corm_meta *corm__registry_meta_at(const corm_registry *reg, size_t i)
{
	return reg && i < reg->len ? reg->metas[i] : NULL;
}

/* The AutoField Django adds when no field is primary_key=True. */
static const corm_field implicit_id = {
        .name = "id",
        .kind = CORM_FIELD_AUTO,
        .offset = offsetof(corm_obj, id),
        .size = sizeof(int64_t),
        .primary_key = true,
};

int corm_registry_new(corm_registry **out)
{
	if (!out)
		return corm__last_error(CORM_EINVAL, "corm_registry_new: the out pointer is NULL");
	*out = corm__calloc(1, sizeof(corm_registry));
	if (!*out)
		return corm__last_error(CORM_ENOMEM, "corm_registry_new: out of memory");
	live_link(*out);
	return CORM_OK;
}

static char *lower_dup(const char *s)
{
	char *out = corm__strdup(s);
	for (char *p = out; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

static void relations_free(corm_meta *meta)
{
	for (size_t i = 0; i < meta->nrelated; i++) {
		corm__free(meta->related_objects[i].accessor_name);
		corm__free(meta->related_objects[i].query_name);
	}
	corm__free(meta->related_objects);
	meta->related_objects = NULL;
	meta->nrelated = 0;
}

static void meta_free(corm_meta *meta)
{
	if (!meta)
		return;
	for (size_t i = 0; i < meta->nfields; i++) {
		corm_fmeta *fm = &meta->fields[i];
		corm__free(fm->attname);
		corm__free(fm->column);
		corm__free(fm->verbose_name);
		corm__value_free(&fm->deflt);
		for (size_t c = 0; c < fm->nchoices; c++)
			corm__value_free(&fm->choice_values[c]);
		corm__free(fm->choice_values);
	}
	corm__free(meta->fields);
	corm__free(meta->field_by_offset);
	corm__free(meta->text_fields);
	corm__free(meta->decode_ops);
	corm__free(meta->owning_fields);
	corm__free(meta->label);
	corm__free(meta->table);
	corm__free(meta->verbose_name);
	corm__free(meta->verbose_name_plural);
	corm__free(meta->field_choices);
	corm__free(meta->lookup_choices);
	relations_free(meta);
	corm__free(meta);
}

/* Records the registry's message (reg->err) as the thread's last error too; returns code. */
static int publish(const corm_registry *reg, int code)
{
	return corm__last_error_str(code, corm_buf_cstr((corm_buf *)&reg->err));
}

static int fail_code(corm_registry *reg, int code, const corm_model *m, const char *field,
                     const char *fmt, va_list ap)
{
	corm_buf_clear(&reg->err);
	corm_buf_printf(&reg->err, "%s.%s", m->app_label ? m->app_label : "?",
	                m->name ? m->name : "?");
	if (field)
		corm_buf_printf(&reg->err, ".%s", field);
	corm_buf_puts(&reg->err, ": ");
	corm_buf_vprintf(&reg->err, fmt, ap);
	return publish(reg, code);
}

static int fail(corm_registry *reg, const corm_model *m, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int fail_einval(corm_registry *reg, const corm_model *m, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail_einval(corm_registry *reg, const corm_model *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = fail_code(reg, CORM_EINVAL, m, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

/* An invalid declaration: "app.Model.field: what is wrong", CORM_EMODEL. */
static int fail(corm_registry *reg, const corm_model *m, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = fail_code(reg, CORM_EMODEL, m, field, fmt, ap);
	va_end(ap);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "author, author_id, body, ..." sorted, as Django lists keyword choices. */
static corm_store store_of(const corm_fmeta *fm)
{
	/* GenericIPAddress text is rewritten after it is read (PostgreSQL's /32): the generic
	 * path, so that the text fast path tests nothing per row */
	/* a ForeignKey to a text key also drops a cached object that no longer matches */
	if (fm->vtype == CORM_TYPE_TEXT)
		return fm->kind == CORM_FIELD_GENERIC_IP || fm->kind == CORM_FIELD_FK
		               ? CORM_STORE_VALUE
		               : CORM_STORE_TEXT;
	if (fm->nullable)
		return CORM_STORE_VALUE;
	if (fm->vtype == CORM_TYPE_BOOL)
		return CORM_STORE_BOOL;
	if (fm->vtype != CORM_TYPE_INT)
		return CORM_STORE_VALUE;
	if (fm->kind == CORM_FIELD_FK)
		return CORM_STORE_FK_ID;
	return fm->decl->size == 2   ? CORM_STORE_INT16
	       : fm->decl->size == 4 ? CORM_STORE_INT32
	                             : CORM_STORE_INT64;
}

/* The kinds a primary key may be: those a corm_fk can hold a reference to. */
static bool pk_kind_allowed(corm_field_kind kind)
{
	switch (kind) {
	case CORM_FIELD_UUID:
	case CORM_FIELD_CHAR:
	case CORM_FIELD_SLUG:
	case CORM_FIELD_EMAIL:
	case CORM_FIELD_URL:
		return true;
	case CORM_FIELD_FK:
		return false;
	default:
		return corm__kind_is_int(kind);
	}
}

/* What the row decoder needs to know of the struct's layout. */
static int build_layout(corm_registry *reg, corm_meta *meta)
{
	size_t size = meta->model->size, n = meta->nfields;
	if (n >= UINT16_MAX)
		return fail(reg, meta->model, NULL, "a model has at most 65534 fields");
	meta->field_by_offset = corm__calloc(size ? size : 1, sizeof *meta->field_by_offset);
	meta->text_fields = corm__calloc(n, sizeof *meta->text_fields);
	meta->owning_fields = corm__calloc(n, sizeof *meta->owning_fields);
	meta->decode_ops = corm__calloc(n, sizeof *meta->decode_ops);
	if (!meta->field_by_offset || !meta->text_fields || !meta->owning_fields ||
	    !meta->decode_ops)
		return CORM_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		corm_fmeta *fm = &meta->fields[i];
		meta->decode_ops[i].offset = (uint32_t)fm->decl->offset;
		meta->decode_ops[i].store = (uint8_t)store_of(fm);
		if (fm->decl->offset < size)
			meta->field_by_offset[fm->decl->offset] = (uint16_t)(i + 1);
		if (meta->decode_ops[i].store ==
		    CORM_STORE_TEXT) /* the iterator reuses their buffers */
			meta->text_fields[meta->ntext++] = (uint16_t)i;
		else if (fm->kind == CORM_FIELD_FK || corm__vtype_is_pointer(fm->vtype))
			meta->owning_fields[meta->nowning++] = (uint16_t)i;
	}
	return CORM_OK;
}

/* "author, author_id, body, ...": the names of the fields (and, with rels, of the reverse
 * relations that lookups may name, as Django's get_fields()), sorted, into *out. */
static int build_choices(const corm_meta *meta, bool rels, char **out)
{
	const char **names = corm__calloc(meta->nfields * 2 + meta->nrelated + 1, sizeof(char *));
	if (!names)
		return CORM_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < meta->nfields; i++) {
		names[n++] = meta->fields[i].name;
		if (strcmp(meta->fields[i].attname, meta->fields[i].name) != 0)
			names[n++] = meta->fields[i].attname;
	}
	for (size_t i = 0; rels && i < meta->nrelated; i++)
		if (!meta->related_objects[i].hidden)
			names[n++] = meta->related_objects[i].query_name;
	qsort(names, n, sizeof(char *), cmp_str);
	corm_buf b = CORM_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			corm_buf_puts(&b, ", ");
		corm_buf_puts(&b, names[i]);
	}
	corm__free(names);
	char *text = corm_buf_detach(&b);
	if (!text)
		return CORM_ENOMEM;
	corm__free(*out);
	*out = text;
	return CORM_OK;
}

static int build_field_choices(corm_meta *meta)
{
	return build_choices(meta, false, &meta->field_choices);
}

/* Parses a literal from the declaration (default or choice) as the field's value. */
static int parse_literal(corm_registry *reg, const corm_model *m, corm_fmeta *fm, const char *text,
                         const char *what, corm_value *out)
{
	corm_err err = {0, CORM_BUF_INIT};
	corm_value in = corm_v_text(text);
	int rc;
	if (fm->kind == CORM_FIELD_JSON) {
		json_error_t jerr;
		json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
		if (!j)
			return fail(reg, m, fm->name, "%s '%s' is not valid JSON: %s", what, text,
			            jerr.text);
		*out = corm_v_json(j);
		return CORM_OK;
	}
	corm_value tmp;
	rc = corm__coerce(fm, &in, &tmp, &err);
	if (rc == CORM_OK) {
		rc = corm__value_copy(out, &tmp);
		corm__value_clear(&tmp);
	} else if (rc != CORM_ENOMEM) {
		rc = fail(reg, m, fm->name, "%s '%s' is not a valid %s value: %s", what, text,
		          corm__kind_name(fm->kind), corm_buf_cstr(&err.msg));
	}
	corm__err_free(&err);
	return rc;
}

static int check_field(corm_registry *reg, const corm_model *m, corm_fmeta *fm)
{
	const corm_field *f = fm->decl;
	switch (f->kind) {
	case CORM_FIELD_CHAR:
		if (f->max_length <= 0)
			return fail(reg, m, f->name,
			            "CharFields must define a 'max_length' attribute.");
		break;
	case CORM_FIELD_DECIMAL:
		if (f->max_digits <= 0)
			return fail(reg, m, f->name,
			            "DecimalFields must define a 'max_digits' attribute.");
		if (f->decimal_places < 0)
			return fail(reg, m, f->name,
			            "'decimal_places' must be a non-negative integer.");
		if (f->decimal_places > f->max_digits)
			return fail(reg, m, f->name,
			            "'max_digits' must be greater or equal to 'decimal_places'.");
		break;
	case CORM_FIELD_FK:
		if (!f->related && (!f->related_label || !*f->related_label))
			return fail(reg, m, f->name, "ForeignKey has no related model.");
		if (f->related && f->related_label)
			return fail(reg, m, f->name,
			            "ForeignKey names its model twice (related and related_label): "
			            "use CORM_FK with a pointer or CORM_FK_LABEL with a label.");
		if (f->on_delete < CORM_CASCADE || f->on_delete > CORM_DO_NOTHING)
			return fail(reg, m, f->name,
			            "ForeignKey needs an on_delete (CORM_CASCADE, ...).");
		/* SET_NULL / SET_DEFAULT are system checks run by corm_registry_ready */
		break;
	case CORM_FIELD_GENERIC_IP:
		if (f->protocol < CORM_IP_BOTH || f->protocol > CORM_IP_V6)
			return fail(reg, m, f->name,
			            "The protocol '%d' is unknown. Supported: CORM_IP_BOTH, "
			            "CORM_IP_V4, CORM_IP_V6",
			            (int)f->protocol);
		if (f->unpack_ipv4 && f->protocol != CORM_IP_BOTH)
			return fail(
			        reg, m, f->name,
			        "You can only use `unpack_ipv4` if `protocol` is set to 'both'.");
		if (f->blank && !f->null)
			return fail(
			        reg, m, f->name,
			        "GenericIPAddressFields cannot have blank=True if null=True isn't "
			        "also True.");
		break;
	default:
		break;
	}
	if (f->primary_key && f->null)
		return fail(reg, m, f->name, "Primary keys must not have null=True.");
	if (fm->vtype != CORM_TYPE_TEXT && fm->vtype != CORM_TYPE_DECIMAL &&
	    fm->vtype != CORM_TYPE_JSON && fm->vtype != CORM_TYPE_BYTES && f->null &&
	    fm->index >= 64)
		return fail(reg, m, f->name,
		            "only the first 64 fields of a model can be null=True value types");
	if (f->offset + f->size > m->size)
		return fail(reg, m, f->name, "member lies outside the struct");
	return CORM_OK;
}

static int compile_field(corm_registry *reg, corm_meta *meta, corm_fmeta *fm, const corm_field *f,
                         int index)
{
	const corm_model *m = meta->model;
	fm->decl = f;
	fm->owner = meta;
	fm->name = f->name;
	fm->index = index;
	fm->kind = f->kind;
	fm->vtype = corm__kind_vtype(f->kind);
	fm->is_pk = f->primary_key;
	fm->nullable = f->null;
	fm->max_length = f->max_length;
	if (!fm->max_length) {
		if (f->kind == CORM_FIELD_SLUG)
			fm->max_length = 50;
		else if (f->kind == CORM_FIELD_EMAIL)
			fm->max_length = 254;
		else if (f->kind == CORM_FIELD_URL)
			fm->max_length = 200;
		else if (f->kind == CORM_FIELD_GENERIC_IP)
			fm->max_length = 39;
	}
	if (!f->name || !*f->name)
		return fail(reg, m, NULL, "a field has no name");
	if (f->kind == CORM_FIELD_FK) {
		size_t n = strlen(f->name);
		fm->attname = corm__alloc(n + 4);
		if (fm->attname)
			snprintf(fm->attname, n + 4, "%s_id", f->name);
	} else {
		fm->attname = corm__strdup(f->name);
	}
	fm->name_len = strlen(fm->name);
	fm->attname_len = fm->attname ? strlen(fm->attname) : 0;
	fm->column = corm__strdup(f->db_column ? f->db_column : fm->attname);
	fm->verbose_name = corm__strdup(f->verbose_name ? f->verbose_name : f->name);
	if (!fm->attname || !fm->column || !fm->verbose_name)
		return CORM_ENOMEM;
	if (!f->verbose_name)
		for (char *p = fm->verbose_name; *p; p++)
			if (*p == '_')
				*p = ' ';
	int rc = check_field(reg, m, fm);
	if (rc)
		return rc;
	if (f->default_value) {
		rc = parse_literal(reg, m, fm, f->default_value, "default", &fm->deflt);
		if (rc)
			return rc;
		fm->has_default = true;
	}
	if (f->choices) {
		size_t n = 0;
		while (f->choices[n].value)
			n++;
		fm->choice_values = corm__calloc(n ? n : 1, sizeof(corm_value));
		if (!fm->choice_values)
			return CORM_ENOMEM;
		for (size_t i = 0; i < n; i++) {
			rc = parse_literal(reg, m, fm, f->choices[i].value, "choice",
			                   &fm->choice_values[i]);
			if (rc)
				return rc;
			fm->nchoices++;
		}
	}
	return CORM_OK;
}

/* Checks that Meta.ordering and Meta.indexes name fields. */
static int check_meta_names(corm_registry *reg, corm_meta *meta)
{
	const corm_model *m = meta->model;
	for (int i = 0; i < CORM_MAX_ORDERING && m->ordering[i]; i++) {
		const char *name = m->ordering[i];
		if (*name == '-')
			name++;
		if (strcmp(name, "?") != 0 && !corm__meta_field(meta, name))
			return fail(reg, m, NULL,
			            "'ordering' refers to the nonexistent field '%s'.", name);
	}
	for (int i = 0; i < CORM_MAX_INDEXES && m->indexes[i].fields[0]; i++)
		for (int j = 0; j < CORM_MAX_INDEX_FIELDS && m->indexes[i].fields[j]; j++) {
			const char *name = m->indexes[i].fields[j];
			if (*name == '-')
				name++;
			if (!corm__meta_field(meta, name))
				return fail(reg, m, NULL,
				            "'indexes' refers to the nonexistent field '%s'.",
				            name);
		}
	for (int i = 0; i < CORM_MAX_UNIQUE_TOGETHER && m->unique_together[i][0]; i++)
		for (int j = 0; j < CORM_MAX_INDEX_FIELDS && m->unique_together[i][j]; j++)
			if (!corm__meta_field(meta, m->unique_together[i][j]))
				return fail(
				        reg, m, NULL,
				        "'unique_together' refers to the nonexistent field '%s'.",
				        m->unique_together[i][j]);
	return CORM_OK;
}

static atomic_uint_least64_t last_meta_serial;

static int compile_meta(corm_registry *reg, const corm_model *m, corm_meta **out)
{
	corm_meta *meta = corm__calloc(1, sizeof(corm_meta));
	if (!meta)
		return CORM_ENOMEM;
	meta->serial = atomic_fetch_add(&last_meta_serial, 1) + 1;
	meta->model = m;
	meta->reg = reg;
	bool has_pk = false;
	for (size_t i = 0; i < m->nfields; i++)
		has_pk |= m->fields[i].primary_key;
	size_t n = m->nfields + (has_pk ? 0 : 1);
	int rc = CORM_ENOMEM;
	meta->fields = corm__calloc(n, sizeof(corm_fmeta));
	if (!meta->fields)
		goto out;
	if (!has_pk) {
		rc = compile_field(reg, meta, &meta->fields[meta->nfields], &implicit_id, 0);
		meta->nfields++;
		if (rc)
			goto out;
	}
	for (size_t i = 0; i < m->nfields; i++) {
		int idx = (int)meta->nfields;
		rc = compile_field(reg, meta, &meta->fields[meta->nfields], &m->fields[i], idx);
		meta->nfields++;
		if (rc)
			goto out;
		for (int j = 0; j < idx; j++)
			if (strcmp(meta->fields[j].name, m->fields[i].name) == 0 ||
			    strcmp(meta->fields[j].column, meta->fields[idx].column) == 0) {
				rc = fail(reg, m, m->fields[i].name,
				          "field name or column clashes with '%s'.",
				          meta->fields[j].name);
				goto out;
			}
	}
	for (size_t i = 0; i < meta->nfields; i++)
		if (meta->fields[i].is_pk) {
			if (meta->pk) {
				rc = fail(reg, m, meta->fields[i].name,
				          "The model cannot have more than one field with "
				          "'primary_key=True'.");
				goto out;
			}
			meta->pk = &meta->fields[i];
		}
	if (!pk_kind_allowed(meta->pk->kind)) {
		rc = fail(reg, m, meta->pk->name,
		          "a %s cannot be the primary key: corm's primary keys are integer fields, "
		          "UUIDField, CharField, SlugField, EmailField or URLField.",
		          corm__kind_name(meta->pk->kind));
		goto out;
	}
	rc = CORM_ENOMEM;
	char label[256];
	snprintf(label, sizeof label, "%s.%s", m->app_label, m->name);
	meta->label = corm__strdup(label);
	if (m->db_table) {
		meta->table = corm__strdup(m->db_table);
	} else {
		snprintf(label, sizeof label, "%s_%s", m->app_label, m->name);
		meta->table = lower_dup(label);
	}
	if (m->verbose_name) {
		meta->verbose_name = corm__strdup(m->verbose_name);
	} else {
		/* Django's camel_case_to_spaces: "BlogPost" -> "blog post" */
		corm_buf b = CORM_BUF_INIT;
		for (const char *p = m->name; *p; p++) {
			if (p != m->name && isupper((unsigned char)*p) &&
			    islower((unsigned char)p[-1]))
				corm_buf_putc(&b, ' ');
			corm_buf_putc(&b, (char)tolower((unsigned char)*p));
		}
		meta->verbose_name = corm_buf_detach(&b);
	}
	if (m->verbose_name_plural) {
		meta->verbose_name_plural = corm__strdup(m->verbose_name_plural);
	} else if (meta->verbose_name) {
		snprintf(label, sizeof label, "%ss", meta->verbose_name);
		meta->verbose_name_plural = corm__strdup(label);
	}
	if (!meta->label || !meta->table || !meta->verbose_name || !meta->verbose_name_plural)
		goto out;
	rc = build_field_choices(meta);
	if (rc)
		goto out;
	rc = build_layout(reg, meta);
	if (rc)
		goto out;
	rc = check_meta_names(reg, meta);
out:
	if (rc) {
		meta_free(meta);
		return rc;
	}
	*out = meta;
	return CORM_OK;
}

static int append(corm_registry *reg, corm_meta *meta)
{
	if (reg->len == reg->cap) {
		size_t cap = reg->cap ? reg->cap * 2 : 8;
		corm_meta **p = corm__realloc(reg->metas, cap * sizeof(*p));
		if (!p)
			return CORM_ENOMEM;
		reg->metas = p;
		reg->cap = cap;
	}
	reg->metas[reg->len++] = meta;
	return CORM_OK;
}

/* Phase one: checks and compiles the declaration; relations stay unresolved. */
static int add(corm_registry *reg, const corm_model *m)
{
	if (m->version != CORM_MODEL_VERSION)
		return fail_einval(reg, m,
		                   "corm_model.version is %u, this corm expects %u "
		                   "(CORM_MODEL_VERSION): declare models with CORM_MODEL",
		                   m->version, (unsigned)CORM_MODEL_VERSION);
	if (meta_in(reg, m))
		return CORM_OK;
	if (!m->app_label || !*m->app_label || !m->name || !m->fields)
		return fail(reg, m, NULL, "incomplete model declaration (use CORM_MODEL)");
	if (reg->ready)
		return fail_einval(reg, m,
		                   "the registry is ready: add every model before "
		                   "corm_registry_ready()");
	corm_meta *meta;
	int rc = compile_meta(reg, m, &meta);
	if (rc)
		return rc;
	rc = append(reg, meta);
	if (rc)
		meta_free(meta);
	return rc;
}

int corm_registry_add(corm_registry *reg, const corm_model *model)
{
	if (!reg || !model)
		return corm__last_error(CORM_EINVAL, "corm_registry_add: %s is NULL",
		                        reg ? "the model" : "the registry");
	corm_buf_clear(&reg->err);
	int rc = add(reg, model);
	if (rc == CORM_ENOMEM) {
		corm_buf_clear(&reg->err);
		corm_buf_printf(&reg->err, "%s.%s: out of memory registering the model",
		                model->app_label ? model->app_label : "?",
		                model->name ? model->name : "?");
		publish(reg, rc);
	}
	return rc;
}

/* A system check's error: "app.Model.field: (fields.E300) message", CORM_EMODEL. */
static int check_error(corm_registry *reg, const corm_meta *meta, const corm_fmeta *fm,
                       const char *id, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int check_error(corm_registry *reg, const corm_meta *meta, const corm_fmeta *fm,
                       const char *id, const char *fmt, ...)
{
	corm_buf_clear(&reg->err);
	corm_buf_printf(&reg->err, "%s.%s: (%s) ", meta->label, fm->name, id);
	va_list ap;
	va_start(ap, fmt);
	corm_buf_vprintf(&reg->err, fmt, ap);
	va_end(ap);
	return publish(reg, CORM_EMODEL);
}

/* The registered model whose label is `label` ("app.Model", case-insensitive as
 * apps.get_model), or NULL. */
static corm_meta *find_label(const corm_registry *reg, const char *app, size_t app_len,
                             const char *name)
{
	for (size_t i = 0; i < reg->len; i++) {
		corm_meta *meta = reg->metas[i];
		const corm_model *m = meta->model;
		if (strlen(m->app_label) == app_len && strncmp(m->app_label, app, app_len) == 0 &&
		    strcasecmp(m->name, name) == 0)
			return meta;
	}
	return NULL;
}

/* Resolves one foreign key's target, or reports fields.E300. */
static int resolve_fk(corm_registry *reg, corm_meta *meta, corm_fmeta *fm)
{
	const corm_field *f = fm->decl;
	corm_meta *target = NULL;
	char shown[256];
	if (f->related) {
		target = meta_in(reg, f->related);
		snprintf(shown, sizeof shown, "%s.%s",
		         f->related->app_label ? f->related->app_label : "?",
		         f->related->name ? f->related->name : "?");
	} else if (strcmp(f->related_label, "self") == 0) {
		target = meta;
	} else {
		const char *label = f->related_label, *dot = strchr(label, '.');
		if (dot)
			target = find_label(reg, label, (size_t)(dot - label), dot + 1);
		else
			target = find_label(reg, meta->model->app_label,
			                    strlen(meta->model->app_label), label);
		if (dot)
			snprintf(shown, sizeof shown, "%s", label);
		else
			snprintf(shown, sizeof shown, "%s.%s", meta->model->app_label, label);
	}
	if (!target)
		return check_error(reg, meta, fm, "fields.E300",
		                   "Field defines a relation with model '%s', which is either not "
		                   "installed, or is abstract.",
		                   shown);
	fm->related = target;
	return CORM_OK;
}

/* The system checks of a resolved foreign key (Django's ForeignKey._check_on_delete). */
static int check_fk(corm_registry *reg, const corm_meta *meta, const corm_fmeta *fm)
{
	const corm_field *f = fm->decl;
	if (f->on_delete == CORM_SET_NULL && !f->null)
		return check_error(reg, meta, fm, "fields.E320",
		                   "Field specifies on_delete=SET_NULL, but cannot be null.");
	if (f->on_delete == CORM_SET_DEFAULT && !fm->has_default && !f->default_fn)
		return check_error(
		        reg, meta, fm, "fields.E321",
		        "Field specifies on_delete=SET_DEFAULT, but has no default value.");
	return CORM_OK;
}

/* The index of the registered model whose meta is `t`, or n. */
static size_t index_of(const corm_registry *reg, const corm_meta *t)
{
	size_t i = 0;
	while (i < reg->len && reg->metas[i] != t)
		i++;
	return i;
}

/* Whether model `from` reaches model `to` through foreign keys to models not placed yet. */
static bool reaches(const corm_registry *reg, const bool *placed, bool *seen, size_t from,
                    size_t to)
{
	const corm_meta *meta = reg->metas[from];
	for (size_t k = 0; k < meta->nfields; k++) {
		const corm_meta *t = meta->fields[k].related;
		if (!t || t == meta)
			continue;
		size_t j = index_of(reg, t);
		if (j == reg->len || placed[j] || seen[j])
			continue;
		if (j == to)
			return true;
		seen[j] = true;
		if (reaches(reg, placed, seen, j, to))
			return true;
	}
	return false;
}

/*
 * Orders reg->models so that each model follows the targets of its foreign keys
 * (what CREATE TABLE with inline REFERENCES and DROP TABLE in reverse need). A
 * cycle cannot be ordered: when only cycles are left, the first model (in order
 * of registration) that lies on one goes next. Deterministic: depends only on
 * the order of registration.
 */
static int order_models(corm_registry *reg)
{
	size_t n = reg->len;
	corm_meta **out = corm__calloc(n ? n : 1, sizeof *out);
	bool *placed = corm__calloc(n ? n : 1, sizeof *placed);
	bool *seen = corm__calloc(n ? n : 1, sizeof *seen);
	if (!out || !placed || !seen) {
		corm__free(out);
		corm__free(placed);
		corm__free(seen);
		return CORM_ENOMEM;
	}
	size_t len = 0;
	while (len < n) {
		bool progress = false;
		for (size_t i = 0; i < n; i++) {
			if (placed[i])
				continue;
			const corm_meta *meta = reg->metas[i];
			bool waits = false;
			for (size_t k = 0; k < meta->nfields && !waits; k++) {
				const corm_meta *t = meta->fields[k].related;
				if (t && t != meta && !placed[index_of(reg, t)])
					waits = true;
			}
			if (!waits) {
				placed[i] = true;
				out[len++] = reg->metas[i];
				progress = true;
			}
		}
		if (progress)
			continue;
		/* only cycles (and models waiting on them) are left: break the first cycle */
		size_t pick = n;
		for (size_t i = 0; i < n && pick == n; i++) {
			if (placed[i])
				continue;
			memset(seen, 0, n * sizeof *seen);
			if (reaches(reg, placed, seen, i, i))
				pick = i;
		}
		if (pick == n) /* cannot happen: something waits, so a cycle exists */
			for (pick = 0; placed[pick]; pick++)
				;
		placed[pick] = true;
		out[len++] = reg->metas[pick];
	}
	memcpy(reg->metas, out, n * sizeof *out);
	corm__free(out);
	corm__free(placed);
	corm__free(seen);
	return CORM_OK;
}

/* Once its target is known, a ForeignKey stores what the target's primary key stores. */
static void adopt_target_key(corm_meta *meta, corm_fmeta *fm)
{
	fm->vtype = fm->related->pk->vtype;
	fm->max_length = fm->related->pk->max_length;
	meta->decode_ops[fm->index].store = (uint8_t)store_of(fm);
}

/* Undoes resolve_fk and adopt_target_key (a failed ready changes nothing). */
static void forget_target(corm_meta *meta, corm_fmeta *fm)
{
	fm->related = NULL;
	fm->vtype = corm__kind_vtype(fm->kind);
	fm->max_length = fm->decl->max_length;
	meta->decode_ops[fm->index].store = (uint8_t)store_of(fm);
}

static char *lower_name(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	char *s = corm__alloc(n + k + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = (char)tolower((unsigned char)name[i]);
	memcpy(s + n, suffix, k + 1);
	return s;
}

/* Django's ForeignObjectRel names: get_accessor_name() and the field's related_query_name(). */
static int describe_relation(const corm_fmeta *fm, corm_relmeta *r)
{
	const corm_field *f = fm->decl;
	size_t len = f->related_name ? strlen(f->related_name) : 0;
	r->field = fm;
	r->model = fm->owner;
	r->multiple = true;
	r->hidden = len && f->related_name[len - 1] == '+';
	r->accessor_name = f->related_name ? corm__strdup(f->related_name)
	                                   : lower_name(fm->owner->model->name, "_set");
	const char *query = f->related_query_name ? f->related_query_name : f->related_name;
	r->query_name = query ? corm__strdup(query) : lower_name(fm->owner->model->name, "");
	if (!r->accessor_name || !r->query_name)
		return CORM_ENOMEM;
	r->query_name_len = strlen(r->query_name);
	return CORM_OK;
}

/* Builds every model's related_objects from the ForeignKeys that point at it. */
static int build_relations(corm_registry *reg)
{
	for (size_t i = 0; i < reg->len; i++)
		for (size_t k = 0; k < reg->metas[i]->nfields; k++) {
			const corm_fmeta *fm = &reg->metas[i]->fields[k];
			if (fm->kind != CORM_FIELD_FK)
				continue;
			corm_meta *target = (corm_meta *)fm->related;
			corm_relmeta *p = corm__realloc(target->related_objects,
			                                (target->nrelated + 1) * sizeof *p);
			if (!p)
				return CORM_ENOMEM;
			target->related_objects = p;
			corm_relmeta *r = &p[target->nrelated++];
			memset(r, 0, sizeof *r);
			if (describe_relation(fm, r))
				return CORM_ENOMEM;
		}
	return CORM_OK;
}

/* The relation of target that describes fm. */
static const corm_relmeta *relation_of(const corm_meta *target, const corm_fmeta *fm)
{
	for (size_t i = 0; i < target->nrelated; i++)
		if (target->related_objects[i].field == fm)
			return &target->related_objects[i];
	return NULL;
}

/* Django's RelatedField._check_clashes: fields.E302 to E305. */
static int check_clashes(corm_registry *reg, const corm_meta *meta, const corm_fmeta *fm)
{
	const corm_meta *target = fm->related;
	const corm_relmeta *rel = relation_of(target, fm);
	const char *accessor = rel->accessor_name, *query = rel->query_name;
	for (size_t i = 0; i < target->nfields; i++) {
		const char *name = target->fields[i].name;
		bool by_accessor = !rel->hidden && !strcmp(name, accessor);
		if (by_accessor || !strcmp(name, query))
			return check_error(
			        reg, meta, fm, by_accessor ? "fields.E302" : "fields.E303",
			        "Reverse %s for '%s.%s' clashes with field name '%s.%s'."
			        "\n\tHINT: Rename field '%s.%s', or add/change a "
			        "related_name argument to the definition for field '%s.%s'.",
			        by_accessor ? "accessor" : "query name", meta->label, fm->name,
			        target->label, name, target->label, name, meta->label, fm->name);
	}
	for (size_t i = 0; i < target->nrelated; i++) {
		const corm_relmeta *other = &target->related_objects[i];
		if (other == rel || other->hidden)
			continue;
		const char *other_model = other->model->label, *other_field = other->field->name;
		/* Django compares the query name with the other's accessor name too (E305) */
		bool by_accessor = !rel->hidden && !strcmp(other->accessor_name, accessor);
		if (by_accessor || !strcmp(other->accessor_name, query))
			return check_error(
			        reg, meta, fm, by_accessor ? "fields.E304" : "fields.E305",
			        "Reverse %s for '%s.%s' clashes with reverse %s for "
			        "'%s.%s'.\n\tHINT: Add or change a related_name argument to "
			        "the definition for '%s.%s' or '%s.%s'.",
			        by_accessor ? "accessor" : "query name", meta->label, fm->name,
			        by_accessor ? "accessor" : "query name", other_model, other_field,
			        meta->label, fm->name, other_model, other_field);
	}
	return CORM_OK;
}

int corm_registry_ready(corm_registry *reg)
{
	if (!reg)
		return corm__last_error(CORM_EINVAL, "corm_registry_ready: the registry is NULL");
	if (reg->ready)
		return CORM_OK;
	corm_buf_clear(&reg->err);
	int rc = CORM_OK;
	for (size_t i = 0; i < reg->len && !rc; i++) {
		corm_meta *meta = reg->metas[i];
		for (size_t k = 0; k < meta->nfields && !rc; k++)
			if (meta->fields[k].kind == CORM_FIELD_FK) {
				rc = resolve_fk(reg, meta, &meta->fields[k]);
				if (!rc)
					rc = check_fk(reg, meta, &meta->fields[k]);
			}
	}
	for (size_t i = 0; i < reg->len && !rc; i++)
		for (size_t k = 0; k < reg->metas[i]->nfields; k++)
			if (reg->metas[i]->fields[k].kind == CORM_FIELD_FK)
				adopt_target_key(reg->metas[i], &reg->metas[i]->fields[k]);
	if (!rc && (rc = order_models(reg)) == CORM_OK && (rc = build_relations(reg)) == CORM_OK) {
		for (size_t i = 0; i < reg->len && !rc; i++)
			rc = build_choices(reg->metas[i], true, &reg->metas[i]->lookup_choices);
		for (size_t i = 0; i < reg->len && !rc; i++)
			for (size_t k = 0; k < reg->metas[i]->nfields && !rc; k++)
				if (reg->metas[i]->fields[k].kind == CORM_FIELD_FK)
					rc = check_clashes(reg, reg->metas[i],
					                   &reg->metas[i]->fields[k]);
	}
	if (rc == CORM_ENOMEM)
		corm__last_error(rc, "corm_registry_ready: out of memory");
	if (rc) { /* nothing changes: the registry can be completed and made ready again */
		for (size_t i = 0; i < reg->len; i++) {
			corm_meta *meta = reg->metas[i];
			relations_free(meta);
			corm__free(meta->lookup_choices);
			meta->lookup_choices = NULL;
			for (size_t k = 0; k < meta->nfields; k++)
				if (meta->fields[k].kind == CORM_FIELD_FK)
					forget_target(meta, &meta->fields[k]);
		}
		return rc;
	}
	for (size_t i = 0; i < reg->len; i++)
		reg->metas[i]->ready = true;
	pthread_mutex_lock(&live_lock);
	reg->ready = true;
	reg->ready_seq = ++last_ready_seq;
	atomic_fetch_add(&generation, 1);
	pthread_mutex_unlock(&live_lock);
	return CORM_OK;
}

bool corm_registry_is_ready(const corm_registry *reg)
{
	return reg && reg->ready;
}

int corm_registry_get(const corm_registry *reg, const char *label, const corm_model **out)
{
	if (!reg || !label || !out)
		return corm__last_error(CORM_EINVAL, "corm_registry_get: %s is NULL",
		                        !reg     ? "the registry"
		                        : !label ? "the label"
		                                 : "the out pointer");
	*out = NULL;
	corm_registry *r = (corm_registry *)reg;
	if (!reg->ready) {
		corm_buf_clear(&r->err);
		corm_buf_printf(&r->err, "corm_registry_get: " CORM__NOT_READY);
		return publish(reg, CORM_EINVAL);
	}
	for (size_t i = 0; i < reg->len; i++)
		if (strcasecmp(reg->metas[i]->label, label) == 0) {
			*out = reg->metas[i]->model;
			return CORM_OK;
		}
	corm_buf_clear(&r->err);
	corm_buf_printf(&r->err, "No installed model '%s'. Choices are: ", label);
	for (size_t i = 0; i < reg->len; i++)
		corm_buf_printf(&r->err, "%s%s", i ? ", " : "", reg->metas[i]->label);
	return publish(reg, CORM_ENOTFOUND);
}

size_t corm_registry_count(const corm_registry *reg)
{
	return reg ? reg->len : 0;
}

const corm_model *corm_registry_at(const corm_registry *reg, size_t i)
{
	return reg && i < reg->len ? reg->metas[i]->model : NULL;
}

const char *corm_registry_errmsg(const corm_registry *reg)
{
	if (!reg)
		return "NULL registry";
	const char *s = corm_buf_cstr((corm_buf *)&reg->err);
	return s ? s : "out of memory";
}

void corm_registry_free(corm_registry *reg)
{
	if (!reg)
		return;
	live_unlink(reg);
	for (size_t i = 0; i < reg->len; i++)
		meta_free(reg->metas[i]);
	corm__free(reg->metas);
	corm_buf_free(&reg->err);
	corm__free(reg);
}

/* ---- lookups on compiled metadata ---- */

/* Looks from *hint on, wrapping around; *hint is left just past the field found. */
static const corm_fmeta *find_field(const corm_meta *meta, const char *name, size_t len,
                                    size_t *hint)
{
	if (len == 2 && memcmp(name, "pk", 2) == 0)
		return meta->pk;
	size_t n = meta->nfields;
	for (size_t k = 0; k < n; k++) {
		size_t i = (*hint + k) % n;
		const corm_fmeta *fm = &meta->fields[i];
		if ((fm->name_len == len && memcmp(fm->name, name, len) == 0) ||
		    (fm->attname_len == len && memcmp(fm->attname, name, len) == 0)) {
			*hint = i + 1;
			return fm;
		}
	}
	return NULL;
}

const corm_fmeta *corm__meta_field_n(const corm_meta *meta, const char *name, size_t len)
{
	size_t from = 0;
	return find_field(meta, name, len, &from);
}

const corm_fmeta *corm__meta_field_hint(const corm_meta *meta, const char *name, size_t *hint)
{
	return find_field(meta, name, strlen(name), hint);
}

const corm_fmeta *corm__meta_field(const corm_meta *meta, const char *name)
{
	return corm__meta_field_n(meta, name, strlen(name));
}

const corm_relmeta *corm__meta_relation_n(const corm_meta *meta, const char *name, size_t len)
{
	for (size_t i = 0; i < meta->nrelated; i++) {
		const corm_relmeta *r = &meta->related_objects[i];
		if (!r->hidden && r->query_name_len == len && !memcmp(r->query_name, name, len))
			return r;
	}
	return NULL;
}

const corm_fmeta *corm__meta_field_at(const corm_meta *meta, size_t offset)
{
	if (offset >= meta->model->size || !meta->field_by_offset[offset])
		return NULL;
	return &meta->fields[meta->field_by_offset[offset] - 1];
}

const char *corm_model_table(const corm_model *model)
{
	const corm_meta *meta = corm__meta(model);
	return meta ? meta->table : NULL;
}

const corm_field *corm_model_field(const corm_model *model, const char *name)
{
	const corm_meta *meta = corm__meta(model);
	if (!meta || !name)
		return NULL;
	const corm_fmeta *fm = corm__meta_field(meta, name);
	return fm ? fm->decl : NULL;
}

static const corm_fmeta *fmeta_of(const corm_model *model, const corm_field *field)
{
	const corm_meta *meta = corm__meta(model);
	if (!meta || !field)
		return NULL;
	for (size_t i = 0; i < meta->nfields; i++)
		if (meta->fields[i].decl == field)
			return &meta->fields[i];
	return NULL;
}

const char *corm_field_column(const corm_model *model, const corm_field *field)
{
	const corm_fmeta *fm = fmeta_of(model, field);
	return fm ? fm->column : NULL;
}

const char *corm_field_verbose_name(const corm_model *model, const corm_field *field)
{
	const corm_fmeta *fm = fmeta_of(model, field);
	if (!fm)
		return NULL;
	return fm->verbose_name;
}

const char *corm_model_verbose_name(const corm_model *model)
{
	const corm_meta *meta = corm__meta(model);
	return meta ? meta->verbose_name : NULL;
}

const char *corm_model_verbose_name_plural(const corm_model *model)
{
	const corm_meta *meta = corm__meta(model);
	return meta ? meta->verbose_name_plural : NULL;
}

static void related_out(const corm_relmeta *r, corm_related_object *out)
{
	*out = (corm_related_object){r->model->model, r->field->decl, r->accessor_name,
	                             r->query_name,   r->hidden,      r->multiple};
}

static const corm_meta *related_meta(const char *fn, const corm_model *model,
                                     const corm_related_object *out)
{
	const corm_meta *meta = model ? corm__meta(model) : NULL;
	if (!model || !out)
		corm__last_error(CORM_EINVAL, "%s: %s is NULL", fn, model ? "out" : "the model");
	else if (!meta)
		corm__last_error(CORM_EINVAL, "%s: %s.%s is not in a ready registry", fn,
		                 model->app_label, model->name);
	return out ? meta : NULL;
}

size_t corm_model_related_count(const corm_model *model)
{
	const corm_meta *meta = corm__meta(model);
	return meta ? meta->nrelated : 0;
}

int corm_model_related_at(const corm_model *model, size_t i, corm_related_object *out)
{
	const corm_meta *meta = related_meta("corm_model_related_at", model, out);
	if (!meta)
		return CORM_EINVAL;
	if (i >= meta->nrelated)
		return corm__last_error(CORM_EINVAL,
		                        "corm_model_related_at: %s has %zu relations, no %zu",
		                        meta->label, meta->nrelated, i);
	related_out(&meta->related_objects[i], out);
	return CORM_OK;
}

int corm_model_related_get(const corm_model *model, const char *name, corm_related_object *out)
{
	const corm_meta *meta = related_meta("corm_model_related_get", model, out);
	if (!meta)
		return CORM_EINVAL;
	if (!name)
		return corm__last_error(CORM_EINVAL, "corm_model_related_get: the name is NULL");
	const corm_relmeta *r = corm__meta_relation_n(meta, name, strlen(name));
	if (!r)
		return corm__last_error(CORM_ENOTFOUND, "%s has no relation named '%s'",
		                        meta->label, name);
	related_out(r, out);
	return CORM_OK;
}
