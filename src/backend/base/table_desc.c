/*
 * The structures of corm/introspection.h: how a backend's introspection hooks
 * fill them (corm_table_desc_add_*), how they are looked up and freed.
 */
#include <string.h>

#include "corm/introspection.h"
#include "util/alloc.h"

/* Grows *arr (of *n elements of `size`, capacity *cap) by one zeroed element: its address,
 * or NULL when out of memory. */
static void *grow(void **arr, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		void *p = corm__realloc(*arr, ncap * size);
		if (!p)
			return NULL;
		*arr = p;
		*cap = ncap;
	}
	char *e = (char *)*arr + (*n)++ * size;
	memset(e, 0, size);
	return e;
}

/* Strings copied for a description: NULL stays NULL; *ok is cleared when out of memory. */
static char *dup(const char *s, bool *ok)
{
	if (!s)
		return NULL;
	char *d = corm__strdup(s);
	if (!d)
		*ok = false;
	return d;
}

corm_name_list *corm_name_list_new(void)
{
	return corm__calloc(1, sizeof(corm_name_list));
}

corm_table_desc *corm_table_desc_new(const char *name)
{
	corm_table_desc *d = corm__calloc(1, sizeof *d);
	if (d && !(d->name = corm__strdup(name ? name : ""))) {
		corm__free(d);
		d = NULL;
	}
	return d;
}

int corm_name_list_add(corm_name_list *list, const char *name)
{
	char *d = corm__strdup(name ? name : "");
	char **slot =
	        d ? grow((void **)&list->names, &list->n, &list->cap, sizeof *list->names) : NULL;
	if (!slot) {
		corm__free(d);
		return CORM_ENOMEM;
	}
	*slot = d;
	return CORM_OK;
}

void corm_name_list_free(corm_name_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->n; i++)
		corm__free(list->names[i]);
	corm__free(list->names);
	corm__free(list);
}

int corm_table_desc_add_column(corm_table_desc *d, const char *name, const char *type, bool null,
                               const char *default_sql, bool primary_key, bool autoincrement)
{
	corm_column_desc *c = grow((void **)&d->columns, &d->ncolumns, &d->caps[0], sizeof *c);
	if (!c)
		return CORM_ENOMEM;
	bool ok = true;
	c->name = dup(name ? name : "", &ok);
	c->type = dup(type ? type : "", &ok);
	c->default_sql = dup(default_sql, &ok);
	c->null = null;
	c->primary_key = primary_key;
	c->autoincrement = autoincrement;
	return ok ? CORM_OK : CORM_ENOMEM;
}

/* Appends a copy of s to the string array *arr of *n (grown one by one). */
static int push(char ***arr, size_t n, const char *s)
{
	char **p = corm__realloc(*arr, (n + 1) * sizeof *p);
	if (!p)
		return CORM_ENOMEM;
	*arr = p;
	p[n] = NULL;
	p[n] = corm__strdup(s);
	return p[n] ? CORM_OK : CORM_ENOMEM;
}

int corm_table_desc_add_index_column(corm_table_desc *d, const char *name, bool unique,
                                     const char *column, const char *order)
{
	corm_index_desc *ix = NULL;
	for (size_t i = d->nindexes; i-- > 0;)
		if (strcmp(d->indexes[i].name, name) == 0) {
			ix = &d->indexes[i];
			break;
		}
	if (!ix) {
		ix = grow((void **)&d->indexes, &d->nindexes, &d->caps[1], sizeof *ix);
		if (!ix)
			return CORM_ENOMEM;
		ix->unique = unique;
		if (!(ix->name = corm__strdup(name)))
			return CORM_ENOMEM;
	}
	/* columns and orders stay the same length: the order is pushed only with its column */
	if (push(&ix->columns, ix->ncolumns, column ? column : ""))
		return CORM_ENOMEM;
	int rc = push(&ix->orders, ix->ncolumns, order ? order : "ASC");
	if (rc) {
		corm__free(ix->columns[ix->ncolumns]);
		return rc;
	}
	ix->ncolumns++;
	return CORM_OK;
}

static corm_constraint_desc *find_constraint(corm_constraint_desc *arr, size_t n, const char *name)
{
	for (size_t i = n; i-- > 0;)
		if (strcmp(arr[i].name, name) == 0)
			return &arr[i];
	return NULL;
}

int corm_table_desc_add_unique_column(corm_table_desc *d, const char *name, const char *column)
{
	corm_constraint_desc *u = find_constraint(d->uniques, d->nuniques, name);
	if (!u) {
		u = grow((void **)&d->uniques, &d->nuniques, &d->caps[2], sizeof *u);
		if (!u || !(u->name = corm__strdup(name)))
			return CORM_ENOMEM;
	}
	if (push(&u->columns, u->ncolumns, column ? column : ""))
		return CORM_ENOMEM;
	u->ncolumns++;
	return CORM_OK;
}

int corm_table_desc_add_check(corm_table_desc *d, const char *name, const char *check,
                              const char *column)
{
	corm_constraint_desc *c = find_constraint(d->checks, d->nchecks, name);
	if (!c) {
		c = grow((void **)&d->checks, &d->nchecks, &d->caps[3], sizeof *c);
		if (!c || !(c->name = corm__strdup(name)) ||
		    !(c->check = corm__strdup(check ? check : "")))
			return CORM_ENOMEM;
	}
	if (!column)
		return CORM_OK;
	for (size_t i = 0; i < c->ncolumns; i++)
		if (strcmp(c->columns[i], column) == 0)
			return CORM_OK;
	if (push(&c->columns, c->ncolumns, column))
		return CORM_ENOMEM;
	c->ncolumns++;
	return CORM_OK;
}

int corm_table_desc_add_fk(corm_table_desc *d, const char *name, const char *column,
                           const char *to_table, const char *to_column)
{
	corm_fk_desc *f = grow((void **)&d->fks, &d->nfks, &d->caps[4], sizeof *f);
	if (!f)
		return CORM_ENOMEM;
	bool ok = true;
	f->name = dup(name ? name : "", &ok);
	f->column = dup(column ? column : "", &ok);
	f->to_table = dup(to_table ? to_table : "", &ok);
	f->to_column = dup(to_column ? to_column : "", &ok);
	return ok ? CORM_OK : CORM_ENOMEM;
}

static void free_strings(char **arr, size_t n)
{
	if (!arr)
		return;
	for (size_t i = 0; i < n; i++)
		corm__free(arr[i]);
	corm__free(arr);
}

static void free_constraints(corm_constraint_desc *arr, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		corm__free(arr[i].name);
		corm__free(arr[i].check);
		free_strings(arr[i].columns, arr[i].ncolumns);
	}
	corm__free(arr);
}

void corm_table_desc_free(corm_table_desc *d)
{
	if (!d)
		return;
	corm__free(d->name);
	for (size_t i = 0; i < d->ncolumns; i++) {
		corm__free(d->columns[i].name);
		corm__free(d->columns[i].type);
		corm__free(d->columns[i].default_sql);
	}
	corm__free(d->columns);
	for (size_t i = 0; i < d->nindexes; i++) {
		corm__free(d->indexes[i].name);
		free_strings(d->indexes[i].columns, d->indexes[i].ncolumns);
		free_strings(d->indexes[i].orders, d->indexes[i].ncolumns);
	}
	corm__free(d->indexes);
	free_constraints(d->uniques, d->nuniques);
	free_constraints(d->checks, d->nchecks);
	for (size_t i = 0; i < d->nfks; i++) {
		corm__free(d->fks[i].name);
		corm__free(d->fks[i].column);
		corm__free(d->fks[i].to_table);
		corm__free(d->fks[i].to_column);
	}
	corm__free(d->fks);
	corm__free(d);
}

const corm_column_desc *corm_table_desc_column(const corm_table_desc *d, const char *name)
{
	for (size_t i = 0; d && name && i < d->ncolumns; i++)
		if (strcmp(d->columns[i].name, name) == 0)
			return &d->columns[i];
	return NULL;
}

const corm_index_desc *corm_table_desc_index(const corm_table_desc *d, const char *name)
{
	for (size_t i = 0; d && name && i < d->nindexes; i++)
		if (strcmp(d->indexes[i].name, name) == 0)
			return &d->indexes[i];
	return NULL;
}

const corm_constraint_desc *corm_table_desc_unique(const corm_table_desc *d, const char *name)
{
	return d && name ? find_constraint(d->uniques, d->nuniques, name) : NULL;
}

const corm_constraint_desc *corm_table_desc_check(const corm_table_desc *d, const char *name)
{
	return d && name ? find_constraint(d->checks, d->nchecks, name) : NULL;
}

const corm_fk_desc *corm_table_desc_fk(const corm_table_desc *d, const char *column)
{
	for (size_t i = 0; d && column && i < d->nfks; i++)
		if (strcmp(d->fks[i].column, column) == 0)
			return &d->fks[i];
	return NULL;
}
