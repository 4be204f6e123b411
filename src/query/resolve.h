/*
 * Name resolution (Django's Query.names_to_path / setup_joins /
 * build_lookup): "author__username__icontains" becomes joins in the alias
 * map, a Col, transforms and a lookup.
 */
#ifndef CORM_QUERY_RESOLVE_H
#define CORM_QUERY_RESOLVE_H

#include "query/query.h"

/* Joins beyond this many aliases are still made, but not demoted/promoted (the vote sets are
 * bit sets). */
#define CORM_VOTE_BITS 64

typedef struct corm_resolver {
	corm_query *query;
	corm_err *err;
	/* the joins the leaf being resolved used (bits by alias index) */
	uint64_t used;
	/* the filter() call being resolved (a multi-valued join is reused only inside it); 0:
	 * any join may be reused (order_by, values, F()) */
	uint32_t call;
} corm_resolver;

/* F(path): Col through the joins plus the transforms the path names. */
int corm__resolve_f(corm_resolver *r, const char *path, corm_expr **out);

#endif
