/*
 * The names the schema editor gives tables, indexes and constraints: Django 3.2's
 * model._meta.db_table truncation, _create_index_name (table, columns, suffix, hash) and
 * Index.set_name_with_model, shortened to the backend's max_name_length as Django does
 * (src/backend/base/names.c holds truncate_name and the digest).
 */
#include <stdio.h>
#include <string.h>

#include "backend/base/names.h"
#include "schema/editor.h"

/* Appends the first `nchars` characters of s (Python's s[:nchars]). */
static void put_chars(corm_buf *b, const char *s, size_t nchars)
{
	corm_buf_put(b, s, corm__utf8_prefix(s, strlen(s), nchars));
}

/* Django's model._meta.db_table: an automatic table name is truncate_name'd to the backend's
 * limit (quote_name shortens every name past it the same way). Appended to b. */
void corm__schema_db_table(corm_buf *b, const corm_features *f, const char *table)
{
	if (f->max_name_length)
		corm__truncate_name(b, table, (size_t)f->max_name_length,
		                    f->max_name_length_in_bytes);
	else
		corm_buf_puts(b, table);
}

static bool starts_badly(const char *s)
{
	return s[0] == '_' || (s[0] >= '0' && s[0] <= '9');
}

/*
 * Django's _create_index_name(table, columns, suffix), lengths in characters
 * as Python counts them; where the backend counts bytes (PostgreSQL), the two
 * shortened parts lose whole characters until the name fits.
 */
void corm__schema_index_name(corm_buf *b, const corm_backend *be, const corm_features *f,
                             const char *full_table, const char *const *cols, size_t n,
                             const char *suffix)
{
	corm_buf tb = CORM_BUF_INIT;
	corm__schema_db_table(&tb, f, full_table);
	const char *table = corm_buf_cstr(&tb) ? corm_buf_cstr(&tb) : "";
	const char *parts[CORM_MAX_INDEX_FIELDS + 1];
	parts[0] = table;
	for (size_t i = 0; i < n; i++)
		parts[i + 1] = cols[i];
	char digest[9];
	corm__names_digest(digest, 8, parts, n + 1);
	corm_buf hash_part = CORM_BUF_INIT, joined = CORM_BUF_INIT, name = CORM_BUF_INIT;
	corm_buf_printf(&hash_part, "%s%s", digest, suffix);
	for (size_t i = 0; i < n; i++) {
		if (i)
			corm_buf_putc(&joined, '_');
		corm_buf_puts(&joined, cols[i]);
	}
	const char *j = corm_buf_cstr(&joined), *h = corm_buf_cstr(&hash_part);
	size_t max = f->max_name_length ? (size_t)f->max_name_length : 200;
	bool bytes = f->max_name_length_in_bytes;
	if (!j || !h)
		goto out;
	corm_buf_printf(&name, "%s_%s_%s", table, j, h);
	if (name.oom || corm__name_fits(name.ptr, name.len, max, bytes))
		goto out;
	size_t hl = corm__utf8_chars(h, hash_part.len);
	if (hl * 3 > max) /* len(hash_suffix_part) > max_length / 3 */
		hl = max / 3;
	size_t hbytes = corm__utf8_prefix(h, hash_part.len, hl);
	for (size_t other = (max - hl) / 2 - 1;; other--) {
		corm_buf_clear(&name);
		put_chars(&name, table, other);
		corm_buf_putc(&name, '_');
		put_chars(&name, j, other);
		corm_buf_putc(&name, '_');
		corm_buf_put(&name, h, hbytes);
		const char *s = corm_buf_cstr(&name);
		if (s && starts_badly(s)) { /* "D%s" % index_name[:-1] */
			size_t last =
			        corm__utf8_prefix(s, name.len, corm__utf8_chars(s, name.len) - 1);
			corm_buf d = CORM_BUF_INIT;
			corm_buf_putc(&d, 'D');
			corm_buf_put(&d, s, last);
			corm_buf_free(&name);
			name = d;
		}
		if (name.oom || other == 0 || corm__name_fits(name.ptr, name.len, max, bytes))
			break;
	}
out:
	if (tb.oom || hash_part.oom || joined.oom || name.oom)
		b->oom = true;
	else
		be->quote_name(b, name.ptr);
	corm_buf_free(&tb);
	corm_buf_free(&name);
	corm_buf_free(&hash_part);
	corm_buf_free(&joined);
}

/* Django's Index.set_name_with_model for Meta.indexes without a name (characters, not bytes:
 * table_name[:11], column_names[0][:7]). */
void corm__schema_meta_index_name(corm_buf *b, const corm_backend *be, const corm_features *f,
                                  const corm_meta *meta, const corm_index *ix)
{
	const char *parts[CORM_MAX_INDEX_FIELDS + 2];
	char with_order[CORM_MAX_INDEX_FIELDS][128];
	size_t n = 0;
	corm_buf tb = CORM_BUF_INIT;
	corm__schema_db_table(&tb, f, meta->table);
	const char *table = corm_buf_cstr(&tb) ? corm_buf_cstr(&tb) : "";
	parts[n++] = table;
	const char *first_col = "";
	for (size_t i = 0; i < CORM_MAX_INDEX_FIELDS && ix->fields[i]; i++) {
		bool desc = ix->fields[i][0] == '-';
		const corm_fmeta *fm = corm__meta_field(meta, ix->fields[i] + desc);
		if (i == 0)
			first_col = fm->column;
		snprintf(with_order[i], sizeof with_order[i], "%s%s", desc ? "-" : "", fm->column);
		parts[n++] = with_order[i];
	}
	parts[n++] = "idx";
	char digest[7];
	corm__names_digest(digest, 6, parts, n);
	corm_buf name = CORM_BUF_INIT;
	put_chars(&name, table, 11);
	corm_buf_putc(&name, '_');
	put_chars(&name, first_col, 7);
	corm_buf_printf(&name, "_%s_idx", digest);
	if (!name.oom && starts_badly(name.ptr)) /* "D%s" % self.name[1:] */
		name.ptr[0] = 'D';
	if (name.oom || tb.oom)
		b->oom = true;
	else
		be->quote_name(b, name.ptr);
	corm_buf_free(&name);
	corm_buf_free(&tb);
}
