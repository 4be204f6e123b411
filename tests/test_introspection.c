/*
 * Introspection (corm/introspection.h; issue 8 item 6): what each server says of the blog
 * tables corm made: table names, column types as the server spells them, nullability,
 * defaults, primary keys, indexes with their column orders, unique and check constraints,
 * foreign keys; an unknown table (CORM_ENOTFOUND, named), NULL arguments, and the
 * description builders a backend uses (their ownership: one free per result).
 */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "corm/introspection.h"

static bool is(const char *backend)
{
	return strcmp(test_backend(), backend) == 0;
}

static const char *pick(const char *sq, const char *pg, const char *my)
{
	return is("postgres") ? pg : is("mysql") ? my : sq;
}

static corm_table_desc *describe(test_env *env, const char *table)
{
	corm_table_desc *d = NULL;
	if (corm_introspect_table(env->db, table, &d))
		fail_msg("introspect %s: %s", table, corm_errmsg(env->db));
	return d;
}

static void assert_column(const corm_table_desc *d, const char *name, const char *type, bool null)
{
	const corm_column_desc *c = corm_table_desc_column(d, name);
	if (!c)
		fail_msg("%s has no column %s", d->name, name);
	if (strcmp(c->type, type) != 0)
		fail_msg("%s.%s: type '%s', expected '%s'", d->name, name, c->type, type);
	assert_int_equal(c->null, null);
}

static void test_table_names(void **state)
{
	test_env *env = *state;
	corm_name_list *l = NULL;
	assert_int_equal(corm_introspect_tables(env->db, &l), CORM_OK);
	assert_non_null(l);
	const char *expected[] = {"auth_user", "blog_category", "blog_kitchen", "blog_post"};
	assert_int_equal(l->n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(l->names[i], expected[i]);
	corm_name_list_free(l);
}

static void test_post_table(void **state)
{
	test_env *env = *state;
	corm_table_desc *d = describe(env, "blog_post");
	assert_string_equal(d->name, "blog_post");
	/* Django's column order: the relations last, sorted by name */
	const char *order[] = {"id",        "title",      "slug",       "body",      "view_count",
	                       "is_active", "created_at", "updated_at", "author_id", "category_id"};
	assert_int_equal(d->ncolumns, 10);
	for (size_t i = 0; i < 10; i++)
		assert_string_equal(d->columns[i].name, order[i]);
	const corm_column_desc *id = &d->columns[0];
	assert_true(id->primary_key);
	assert_true(id->autoincrement);
	assert_false(id->null);
	assert_string_equal(id->type, pick("integer", "integer", "int(11)"));
	for (size_t i = 1; i < 10; i++) {
		assert_false(d->columns[i].primary_key);
		assert_false(d->columns[i].autoincrement);
	}
	assert_column(d, "title", pick("varchar(200)", "character varying(200)", "varchar(200)"),
	              false);
	assert_column(d, "slug", pick("varchar(50)", "character varying(50)", "varchar(50)"),
	              false);
	assert_column(d, "body", pick("text", "text", "longtext"), false);
	assert_column(d, "view_count", pick("integer unsigned", "integer", "int(10) unsigned"),
	              false);
	assert_column(d, "is_active", pick("bool", "boolean", "tinyint(1)"), false);
	assert_column(d, "created_at", pick("datetime", "timestamp with time zone", "datetime(6)"),
	              false);
	assert_column(d, "author_id", pick("integer", "integer", "int(11)"), false);
	assert_column(d, "category_id", pick("integer", "integer", "int(11)"), true);
	for (size_t i = 1; i < 10; i++)
		assert_null(d->columns[i].default_sql);

	assert_int_equal(d->nfks, 2);
	const corm_fk_desc *author = corm_table_desc_fk(d, "author_id");
	assert_non_null(author);
	assert_string_equal(author->to_table, "auth_user");
	assert_string_equal(author->to_column, "id");
	const corm_fk_desc *category = corm_table_desc_fk(d, "category_id");
	assert_non_null(category);
	assert_string_equal(category->to_table, "blog_category");
	assert_string_equal(category->name,
	                    pick(category == &d->fks[0] ? "fk_0" : "fk_1",
	                         "blog_post_category_id_c326dbf8_fk_blog_category_id",
	                         "blog_post_category_id_c326dbf8_fk_blog_category_id"));

	assert_int_equal(d->nuniques, 1);
	assert_string_equal(d->uniques[0].name,
	                    pick("sqlite_autoindex_blog_post_1", "blog_post_slug_key", "slug"));
	assert_int_equal(d->uniques[0].ncolumns, 1);
	assert_string_equal(d->uniques[0].columns[0], "slug");
	assert_null(d->uniques[0].check);

	assert_int_equal(d->nchecks, 1);
	assert_string_equal(d->checks[0].name, pick("__unnamed_constraint_1__",
	                                            "blog_post_view_count_check", "view_count"));
	assert_string_equal(d->checks[0].check,
	                    pick("\"view_count\" >= 0", "(view_count >= 0)", "`view_count` >= 0"));
	assert_int_equal(d->checks[0].ncolumns, 1);
	assert_string_equal(d->checks[0].columns[0], "view_count");

	/* Meta.indexes: {"slug"}, {"-created_at"} */
	const corm_index_desc *desc_ix = corm_table_desc_index(d, "blog_post_created_45f0c6_idx");
	if (!desc_ix) {
		for (size_t i = 0; i < d->nindexes; i++)
			fprintf(stderr, "index %s\n", d->indexes[i].name);
		fail_msg("no index blog_post_created_45f0c6_idx");
	}
	assert_false(desc_ix->unique);
	assert_int_equal(desc_ix->ncolumns, 1);
	assert_string_equal(desc_ix->columns[0], "created_at");
	assert_string_equal(desc_ix->orders[0], "DESC");
	const corm_index_desc *author_ix = corm_table_desc_index(d, "blog_post_author_id_dd7a8485");
	if (is("mysql")) /* InnoDB's own index for the foreign key, named after the constraint */
		author_ix =
		        corm_table_desc_index(d, "blog_post_author_id_dd7a8485_fk_auth_user_id");
	assert_non_null(author_ix);
	assert_string_equal(author_ix->columns[0], "author_id");
	assert_string_equal(author_ix->orders[0], "ASC");
	corm_table_desc_free(d);
}

static void test_kitchen_types(void **state)
{
	test_env *env = *state;
	corm_table_desc *d = describe(env, "blog_kitchen");
	assert_column(d, "big", pick("bigint", "bigint", "bigint(20)"), false);
	assert_column(d, "small", pick("smallint", "smallint", "smallint(6)"), false);
	assert_column(d, "ratio", pick("real", "double precision", "double"), true);
	assert_column(d, "price", pick("decimal", "numeric(10,2)", "decimal(10,2)"), false);
	assert_column(d, "day", "date", true);
	assert_column(d, "at", pick("time", "time without time zone", "time(6)"), true);
	assert_column(d, "span", pick("bigint", "interval", "bigint(20)"), true);
	assert_column(d, "uid", pick("char(32)", "uuid", "char(32)"), true);
	assert_column(d, "blob", pick("blob", "bytea", "longblob"), true);
	assert_column(d, "data", pick("text", "jsonb", "longtext"), false);
	assert_column(d, "email", pick("varchar(254)", "character varying(254)", "varchar(254)"),
	              false);
	assert_column(d, "url", pick("varchar(200)", "character varying(200)", "varchar(200)"),
	              false);
	assert_column(d, "stars", pick("integer", "integer", "int(11)"), true);
	assert_null(corm_table_desc_column(d, "rating")); /* db_column */
	/* unique_together: a unique index on SQLite, a constraint elsewhere */
	const char *ut = "blog_kitchen_big_small_08fa0112_uniq";
	const corm_constraint_desc *u = corm_table_desc_unique(d, ut);
	const corm_index_desc *ix = corm_table_desc_index(d, ut);
	if (is("sqlite")) {
		assert_null(u);
		assert_non_null(ix);
		assert_true(ix->unique);
		assert_int_equal(ix->ncolumns, 2);
		assert_string_equal(ix->columns[0], "big");
		assert_string_equal(ix->columns[1], "small");
	} else {
		assert_null(ix);
		if (!u)
			fail_msg("no unique %s", ut);
		assert_int_equal(u->ncolumns, 2);
		assert_string_equal(u->columns[0], "big");
		assert_string_equal(u->columns[1], "small");
	}
	/* JSON: SQLite's CHECK names the column; MariaDB's json is LONGTEXT with its own */
	if (is("sqlite")) {
		assert_int_equal(d->nchecks, 1);
		assert_string_equal(d->checks[0].check,
		                    "(JSON_VALID(\"data\") OR \"data\" IS NULL)");
		assert_string_equal(d->checks[0].columns[0], "data");
	} else if (is("postgres")) {
		assert_int_equal(d->nchecks, 0);
	} else {
		const corm_constraint_desc *c = corm_table_desc_check(d, "data");
		assert_non_null(c);
		assert_string_equal(c->check, "json_valid(`data`)");
		assert_string_equal(c->columns[0], "data");
	}
	corm_table_desc_free(d);
}

static void test_defaults(void **state)
{
	test_env *env = *state;
	corm_execute(env->db, "DROP TABLE IF EXISTS intro_d", NULL, 0, NULL);
	assert_int_equal(corm_execute(env->db,
	                              "CREATE TABLE intro_d (a integer DEFAULT 5 NOT NULL, "
	                              "b varchar(10) DEFAULT 'x', c integer)",
	                              NULL, 0, NULL),
	                 CORM_OK);
	corm_table_desc *d = describe(env, "intro_d");
	assert_int_equal(d->ncolumns, 3);
	assert_string_equal(d->columns[0].default_sql, "5");
	assert_string_equal(d->columns[1].default_sql,
	                    pick("'x'", "'x'::character varying", "'x'"));
	assert_null(d->columns[2].default_sql);
	assert_false(d->columns[0].null);
	assert_true(d->columns[1].null);
	assert_true(d->columns[2].null);
	assert_false(d->columns[0].primary_key);
	assert_int_equal(d->nindexes + d->nuniques + d->nchecks + d->nfks, 0);
	corm_table_desc_free(d);
	corm_execute(env->db, "DROP TABLE intro_d", NULL, 0, NULL);
}

static void test_unknown_table(void **state)
{
	test_env *env = *state;
	corm_table_desc *d = (corm_table_desc *)state; /* untouched on failure */
	assert_int_equal(corm_introspect_table(env->db, "blog_nope", &d), CORM_ENOTFOUND);
	assert_ptr_equal(d, (corm_table_desc *)state);
	assert_int_equal(corm_errcode(env->db), CORM_ENOTFOUND);
	assert_string_equal(corm_errmsg(env->db), "table 'blog_nope' does not exist");
	/* a name that differs only in case is another table */
	if (!is("mysql")) {
		assert_int_equal(corm_introspect_table(env->db, "BLOG_POST", &d), CORM_ENOTFOUND);
		assert_string_equal(corm_errmsg(env->db), "table 'BLOG_POST' does not exist");
	}
	/* quotes in the name are data, not SQL */
	assert_int_equal(corm_introspect_table(env->db, "x' OR '1'='1", &d), CORM_ENOTFOUND);
	assert_string_equal(corm_errmsg(env->db), "table 'x' OR '1'='1' does not exist");
}

static void test_null_arguments(void **state)
{
	test_env *env = *state;
	corm_table_desc *d = NULL;
	corm_name_list *l = NULL;
	assert_int_equal(corm_introspect_table(env->db, NULL, &d), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db), "corm_introspect_table: NULL argument");
	assert_int_equal(corm_introspect_table(env->db, "blog_post", NULL), CORM_EINVAL);
	assert_int_equal(corm_introspect_table(NULL, "blog_post", &d), CORM_EINVAL);
	assert_int_equal(corm_introspect_tables(env->db, NULL), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db), "corm_introspect_tables: NULL argument");
	assert_int_equal(corm_introspect_tables(NULL, &l), CORM_EINVAL);
	assert_null(d);
	assert_null(l);
	corm_table_desc_free(NULL);
	corm_name_list_free(NULL);
	assert_null(corm_table_desc_column(NULL, "a"));
	assert_null(corm_table_desc_fk(NULL, "a"));
}

/* SQLite keeps CHECK constraints only in the CREATE TABLE text: the parser meets quoted
 * names holding commas and parentheses, string literals, and named table constraints. */
static void test_sqlite_checks_parsed(void **state)
{
	test_env *env = *state;
	if (!is("sqlite"))
		skip();
	assert_int_equal(
	        corm_execute(env->db,
	                     "CREATE TABLE \"we(ird\" (\"a,b\" integer CHECK (\"a,b\" > 0), "
	                     "c text, CONSTRAINT \"ck\" CHECK (c <> 'x,)'), CHECK (c <> "
	                     "\"a,b\"))",
	                     NULL, 0, NULL),
	        CORM_OK);
	corm_table_desc *d = describe(env, "we(ird");
	assert_int_equal(d->ncolumns, 2);
	assert_int_equal(d->nchecks, 3);
	assert_string_equal(d->checks[0].name, "__unnamed_constraint_1__");
	assert_string_equal(d->checks[0].check, "\"a,b\" > 0");
	assert_int_equal(d->checks[0].ncolumns, 1);
	assert_string_equal(d->checks[0].columns[0], "a,b");
	const corm_constraint_desc *ck = corm_table_desc_check(d, "ck");
	assert_non_null(ck);
	assert_string_equal(ck->check, "c <> 'x,)'");
	assert_int_equal(ck->ncolumns, 1);
	assert_string_equal(ck->columns[0], "c");
	assert_string_equal(d->checks[2].name, "__unnamed_constraint_2__");
	assert_string_equal(d->checks[2].check, "c <> \"a,b\"");
	assert_int_equal(d->checks[2].ncolumns, 2);
	assert_string_equal(d->checks[2].columns[0], "c");
	assert_string_equal(d->checks[2].columns[1], "a,b");
	corm_table_desc_free(d);
	corm_execute(env->db, "DROP TABLE \"we(ird\"", NULL, 0, NULL);
}

/* What a backend's hook builds with: every string copied, one free for the whole. */
static void test_builders(void **state)
{
	(void)state;
	corm_table_desc *d = corm_table_desc_new("t");
	assert_non_null(d);
	assert_string_equal(d->name, "t");
	char col[] = "a";
	assert_int_equal(corm_table_desc_add_column(d, col, "integer", false, "5", true, true),
	                 CORM_OK);
	col[0] = 'z'; /* copied */
	assert_string_equal(d->columns[0].name, "a");
	assert_string_equal(d->columns[0].default_sql, "5");
	assert_int_equal(corm_table_desc_add_column(d, "b", "text", true, NULL, false, false),
	                 CORM_OK);
	assert_null(d->columns[1].default_sql);
	assert_ptr_equal(corm_table_desc_column(d, "b"), &d->columns[1]);
	assert_int_equal(corm_table_desc_add_index_column(d, "ix", false, "a", NULL), CORM_OK);
	assert_int_equal(corm_table_desc_add_index_column(d, "ix", true, "b", "DESC"), CORM_OK);
	assert_int_equal(d->nindexes, 1);
	assert_false(d->indexes[0].unique); /* the first row decides */
	assert_int_equal(d->indexes[0].ncolumns, 2);
	assert_string_equal(d->indexes[0].orders[0], "ASC");
	assert_string_equal(d->indexes[0].orders[1], "DESC");
	assert_int_equal(corm_table_desc_add_unique_column(d, "u", "a"), CORM_OK);
	assert_int_equal(corm_table_desc_add_unique_column(d, "u", "b"), CORM_OK);
	assert_int_equal(d->uniques[0].ncolumns, 2);
	assert_int_equal(corm_table_desc_add_check(d, "c", "a > 0", "a"), CORM_OK);
	assert_int_equal(corm_table_desc_add_check(d, "c", NULL, "a"), CORM_OK); /* not twice */
	assert_int_equal(corm_table_desc_add_check(d, "c", NULL, "b"), CORM_OK);
	assert_int_equal(d->checks[0].ncolumns, 2);
	assert_string_equal(d->checks[0].check, "a > 0");
	assert_int_equal(corm_table_desc_add_fk(d, "f", "a", "other", "id"), CORM_OK);
	assert_non_null(corm_table_desc_fk(d, "a"));
	assert_null(corm_table_desc_fk(d, "b"));
	assert_non_null(corm_table_desc_index(d, "ix"));
	assert_non_null(corm_table_desc_unique(d, "u"));
	assert_non_null(corm_table_desc_check(d, "c"));
	assert_null(corm_table_desc_check(d, "u"));
	corm_table_desc_free(d); /* the sanitizer pass checks that nothing leaks */
	corm_name_list *l = corm_name_list_new();
	assert_non_null(l);
	assert_int_equal(corm_name_list_add(l, "x"), CORM_OK);
	assert_int_equal(corm_name_list_add(l, "y"), CORM_OK);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->names[1], "y");
	corm_name_list_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_table_names, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_post_table, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_kitchen_types, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_defaults, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_unknown_table, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_null_arguments, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_sqlite_checks_parsed, test_setup,
	                                        test_teardown),
	        cmocka_unit_test(test_builders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
