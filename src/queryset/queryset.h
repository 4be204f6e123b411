/*
 * QuerySets (Django's db/models/query.py): the lazy, chainable, cached
 * handle over a query tree, and its evaluation state. Above the tree, the
 * compiler and the connection.
 */
#ifndef CORM_QUERYSET_QUERYSET_H
#define CORM_QUERYSET_QUERYSET_H

#include "db/db.h"
#include "query/query.h"

struct corm_row {
	size_t n;
	const char *const *names;
	corm_value *cells;
};

struct corm_qs {
	corm_db *db;
	corm_query query;
	int error; /* sticky */
	corm_buf errmsg;
	/* result cache: instances and values() cells live in blocks, many per allocation */
	struct corm_block *blocks;
	bool evaluated;
	void **items;
	corm_row *rows;    /* values() rows: views into cells */
	corm_value *cells; /* every values() row's cells, one after another */
	size_t ncells, cells_cap;
	size_t len, cap, pos;
	char **names; /* values() names, in select order (views of query.values[i].name) */
	/* iterator mode */
	size_t chunk_size;
	bool streaming;
	corm_stmt stream;
	void *current;
	struct corm_text_slot *text_slots; /* current's text buffers, one slot per field */
	corm_row current_row;
	/* corm_qs_sql output */
	corm_buf sql;
	corm_value *params;
	size_t nparams;
};

#endif
