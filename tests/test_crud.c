/* Instances and CRUD: new/save/create/get_or_create/update_or_create/delete/refresh, defaults,
 * auto_now. */
#include <string.h>

#include "support.h"

static void test_new_applies_defaults(void **state)
{
	test_env *env = *state;
	Post *p;
	ASSERT_OK(env, corm_new(&Post_model, &p));
	assert_string_equal(p->title, "");
	assert_int_equal(p->view_count, 0);
	assert_true(p->is_active);
	assert_true(corm_is_null(p, &p->category));
	assert_false(corm_is_null(p, &p->author));
	assert_true(corm_is_adding(p));
	assert_int_equal(corm_pk(p), 0);
	corm_free(p);

	Kitchen *k;
	ASSERT_OK(env, corm_new(&Kitchen_model, &k));
	char *price = corm_decimal_to_string(k->price);
	assert_string_equal(price, "0.00");
	corm_mem_free(price);
	assert_true(json_is_object(k->data));
	assert_string_equal(k->status, "pending");
	assert_string_equal(corm_get_display(k, &k->status), "Pending");
	assert_true(corm_is_null(k, &k->ratio));
	corm_free(k);
}

static void test_save_insert_update(void **state)
{
	test_env *env = *state;
	User *alice = test_user(env, "alice");
	Post *p;
	ASSERT_OK(env, corm_new(&Post_model, &p));
	ASSERT_OK(env, CORM_SET(p, "title", "My First Post"));
	ASSERT_OK(env, CORM_SET(p, "slug", "my-first-post"));
	ASSERT_OK(env, CORM_SET(p, "body", "Hello world!"));
	ASSERT_OK(env, CORM_SET(p, "author", alice));
	test_clear_queries(env);
	ASSERT_OK(env, corm_save(env->db, p));
	assert_int_equal(env->nqueries, 1);
	assert_string_equal(env->queries[0],
	                    "INSERT INTO \"blog_post\" (\"title\", \"slug\", \"body\", "
	                    "\"author_id\", \"category_id\", \"view_count\", "
	                    "\"is_active\", \"created_at\", \"updated_at\") VALUES (?, ?, ?, ?, ?, "
	                    "?, ?, ?, ?) RETURNING \"id\"");
	assert_true(corm_pk(p) > 0);
	assert_false(corm_is_adding(p));
	assert_int_equal(p->author.id, corm_pk(alice));
	corm_datetime created = p->created_at;

	/* update_fields: only the title column */
	ASSERT_OK(env, corm_set_str(&p->title, "Updated Title"));
	test_clear_queries(env);
	ASSERT_OK(env, corm_save_fields(env->db, p, CORM_FIELDS("title")));
	assert_string_equal(
	        env->queries[0],
	        "UPDATE \"blog_post\" SET \"title\" = ? WHERE \"blog_post\".\"id\" = ?");

	/* a full save updates every column and bumps auto_now */
	p->view_count = 7;
	ASSERT_OK(env, corm_save(env->db, p));
	Post *again;
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_get(qs, &again, CORM_Q("pk", corm_pk(p))));
	assert_string_equal(again->title, "Updated Title");
	assert_int_equal(again->view_count, 7);
	assert_int_equal(again->created_at.us, created.us);
	assert_true(again->updated_at.us >= created.us);
	assert_true(corm_is_null(again, &again->category));
	corm_free(again);
	corm_qs_free(qs);

	/* refresh_from_db picks up a change made by update() */
	qs = corm_objects(env->db, &Post_model);
	corm_filter(qs, CORM_Q("pk", corm_pk(p)));
	ASSERT_OK(env, corm_update(qs, CORM_KWARGS(CORM_KW("title", "Changed elsewhere")), NULL));
	corm_qs_free(qs);
	ASSERT_OK(env, corm_refresh(env->db, p));
	assert_string_equal(p->title, "Changed elsewhere");

	/* delete */
	int64_t deleted;
	ASSERT_OK(env, corm_delete(env->db, p, &deleted));
	assert_int_equal(deleted, 1);
	assert_int_equal(corm_pk(p), 0);
	assert_int_equal(corm_refresh(env->db, p), CORM_ENOTFOUND);
	assert_int_equal(corm_delete(env->db, p, NULL), CORM_EINVAL);
	assert_string_equal(
	        corm_errmsg(env->db),
	        "Post object can't be deleted because its id attribute is set to None.");
	corm_free(p);
	corm_free(alice);
}

static void test_get_or_create_and_update_or_create(void **state)
{
	test_env *env = *state;
	User *alice = test_user(env, "alice");
	Post *p;
	bool created;
	ASSERT_OK(env, corm_get_or_create(env->db, &Post_model, &p, &created,
	                                  CORM_KWARGS(CORM_KW("slug", "my-first-post")),
	                                  CORM_KWARGS(CORM_KW("title", "My First Post"),
	                                              CORM_KW("body", "..."),
	                                              CORM_KW("author", alice))));
	assert_true(created);
	int64_t id = corm_pk(p);
	corm_free(p);
	ASSERT_OK(env, corm_get_or_create(
	                       env->db, &Post_model, &p, &created,
	                       CORM_KWARGS(CORM_KW("slug", "my-first-post")),
	                       CORM_KWARGS(CORM_KW("title", "ignored"), CORM_KW("author", alice))));
	assert_false(created);
	assert_int_equal(corm_pk(p), id);
	assert_string_equal(p->title, "My First Post");
	corm_free(p);

	ASSERT_OK(env, corm_update_or_create(env->db, &Post_model, &p, &created,
	                                     CORM_KWARGS(CORM_KW("slug", "my-first-post")),
	                                     CORM_KWARGS(CORM_KW("title", "Updated Title"),
	                                                 CORM_KW("is_active", true))));
	assert_false(created);
	assert_string_equal(p->title, "Updated Title");
	corm_free(p);
	ASSERT_OK(env, corm_update_or_create(
	                       env->db, &Post_model, &p, &created,
	                       CORM_KWARGS(CORM_KW("slug", "second")),
	                       CORM_KWARGS(CORM_KW("title", "Second"), CORM_KW("author", alice))));
	assert_true(created);
	corm_free(p);
	assert_int_equal(corm_atomic_depth(env->db), 0);
	corm_free(alice);
}

static void test_constraints_and_types(void **state)
{
	test_env *env = *state;
	User *alice = test_user(env, "alice");
	User *dup = NULL;
	assert_int_equal(
	        corm_create(env->db, &User_model, &dup, CORM_KWARGS(CORM_KW("username", "alice"))),
	        CORM_ECONSTRAINT);
	assert_string_equal(corm_errmsg(env->db), "UNIQUE constraint failed: auth_user.username");
	assert_int_equal(corm_native_errcode(env->db), 2067 /* SQLITE_CONSTRAINT_UNIQUE */);
	assert_null(dup);

	Post *p;
	ASSERT_OK(env, corm_new(&Post_model, &p));
	assert_int_equal(CORM_SET(p, "view_count", "abc"), CORM_ETYPE);
	assert_int_equal(CORM_SET(p, "view_count", 5000000000LL), CORM_ETYPE);
	assert_int_equal(CORM_SET(p, "nope", 1), CORM_EFIELD);
	assert_int_equal(CORM_SET(p, "is_active", 2), CORM_ETYPE);
	assert_int_equal(CORM_SET(p, "author", p), CORM_ETYPE); /* a Post is not a User */
	/* a negative view_count breaks the CHECK constraint */
	ASSERT_OK(env, CORM_SET(p, "author", alice));
	ASSERT_OK(env, CORM_SET(p, "slug", "neg"));
	p->view_count = -1;
	assert_int_equal(corm_save(env->db, p), CORM_ECONSTRAINT);
	assert_string_equal(corm_errmsg(env->db), "CHECK constraint failed: view_count");
	/* a foreign key to nothing fails at commit (deferred constraint) */
	p->view_count = 0;
	p->author.id = 999;
	ASSERT_OK(env, corm_atomic_begin(env->db));
	ASSERT_OK(env, corm_save(env->db, p));
	assert_int_equal(corm_atomic_commit(env->db), CORM_ECONSTRAINT);
	assert_string_equal(corm_errmsg(env->db), "FOREIGN KEY constraint failed");
	assert_int_equal(corm_atomic_depth(env->db), 0);
	corm_free(p);
	corm_free(alice);
}

static void test_round_trip_kitchen(void **state)
{
	test_env *env = *state;
	Kitchen *k;
	ASSERT_OK(env, corm_new(&Kitchen_model, &k));
	k->big = INT64_MIN;
	k->small = -32768;
	ASSERT_OK(env, CORM_SET(k, "price", "12345678.90"));
	ASSERT_OK(env, CORM_SET(k, "ratio", 0.25));
	ASSERT_OK(env, CORM_SET(k, "day", "1969-07-20"));
	ASSERT_OK(env, CORM_SET(k, "at", "23:59:59.999999"));
	ASSERT_OK(env, CORM_SET(k, "span", corm_v_duration((corm_duration){-1})));
	ASSERT_OK(env, CORM_SET(k, "uid", "12345678-1234-5678-1234-567812345678"));
	ASSERT_OK(env, corm_set(k, "blob", corm_v_bytes("a\0b", 3)));
	json_t *doc = json_pack("{s:i, s:[s, s]}", "n", 1, "tags", "x", "\xf0\x9f\x98\x80");
	ASSERT_OK(env, CORM_SET(k, "data", doc));
	json_decref(doc);
	ASSERT_OK(env, CORM_SET(k, "status", "paid"));
	ASSERT_OK(env, corm_save(env->db, k));
	Kitchen *r;
	corm_qs *qs = corm_objects(env->db, &Kitchen_model);
	ASSERT_OK(env, corm_get(qs, &r, CORM_Q("pk", corm_pk(k))));
	assert_int_equal(r->big, INT64_MIN);
	assert_int_equal(r->small, -32768);
	char *price = corm_decimal_to_string(r->price);
	assert_string_equal(price, "12345678.90");
	corm_mem_free(price);
	assert_true(r->ratio == 0.25);
	char buf[64];
	corm_date_format(r->day, buf);
	assert_string_equal(buf, "1969-07-20");
	corm_time_format(r->at, buf);
	assert_string_equal(buf, "23:59:59.999999");
	assert_int_equal(r->span.us, -1);
	corm_uuid_format(r->uid, buf);
	assert_string_equal(buf, "12345678-1234-5678-1234-567812345678");
	assert_int_equal(r->blob.len, 3);
	assert_memory_equal(r->blob.data, "a\0b", 3);
	assert_true(json_equal(r->data, k->data));
	assert_string_equal(corm_get_display(r, &r->status), "Paid");
	assert_true(corm_is_null(r, &r->rating));
	corm_free(r);
	corm_qs_free(qs);
	corm_free(k);
}

static int inner_fails(corm_db *db, void *ctx)
{
	User *u = NULL;
	corm_create(db, &User_model, &u, CORM_KWARGS(CORM_KW("username", "inner")));
	corm_free(u);
	return CORM_ERROR;
}

static void note(void *ctx)
{
	(*(int *)ctx)++;
}

static void test_transactions(void **state)
{
	test_env *env = *state;
	int ran = 0;
	ASSERT_OK(env, corm_atomic_begin(env->db));
	User *u = test_user(env, "outer");
	corm_free(u);
	ASSERT_OK(env, corm_on_commit(env->db, note, &ran, NULL));
	/* the inner block fails: only it is rolled back */
	assert_int_equal(corm_atomic(env->db, inner_fails, NULL), CORM_ERROR);
	assert_int_equal(corm_atomic_depth(env->db), 1);
	assert_int_equal(ran, 0);
	ASSERT_OK(env, corm_atomic_commit(env->db));
	assert_int_equal(ran, 1);
	corm_qs *qs = corm_objects(env->db, &User_model);
	corm_order_by(qs, "username");
	ASSERT_OK(env, corm_values_list(qs, true, "username"));
	const corm_row *row;
	assert_int_equal(corm_next_row(qs, &row), CORM_ROW);
	assert_string_equal(corm_row_cell(row, 0)->u.text, "outer");
	assert_int_equal(corm_next_row(qs, &row), CORM_DONE);
	corm_qs_free(qs);

	/* an outer rollback drops its on_commit callbacks */
	ASSERT_OK(env, corm_atomic_begin(env->db));
	ASSERT_OK(env, corm_on_commit(env->db, note, &ran, NULL));
	ASSERT_OK(env, corm_atomic_rollback(env->db));
	assert_int_equal(ran, 1);
	/* outside a transaction on_commit runs at once */
	ASSERT_OK(env, corm_on_commit(env->db, note, &ran, NULL));
	assert_int_equal(ran, 2);
	assert_int_equal(corm_atomic_commit(env->db), CORM_ETXN);
}

static void test_schema_matches_django(void **state)
{
	test_env *env = *state;
	char *sql;
	ASSERT_OK(env, corm_schema_sql(env->db, env->reg, &sql));
	/* what Django 3.2's sqlmigrate prints for the same models */
	assert_non_null(strstr(sql, "CREATE TABLE \"blog_post\" (\"id\" integer NOT NULL PRIMARY "
	                            "KEY AUTOINCREMENT, \"title\" varchar(200) NOT NULL, "
	                            "\"slug\" varchar(50) NOT NULL UNIQUE, \"body\" text NOT NULL, "
	                            "\"view_count\" integer unsigned NOT NULL "
	                            "CHECK (\"view_count\" >= 0), \"is_active\" bool NOT NULL, "
	                            "\"created_at\" datetime NOT NULL, "
	                            "\"updated_at\" datetime NOT NULL, \"author_id\" integer NOT "
	                            "NULL REFERENCES \"auth_user\" (\"id\") "
	                            "DEFERRABLE INITIALLY DEFERRED, \"category_id\" integer NULL "
	                            "REFERENCES \"blog_category\" (\"id\") "
	                            "DEFERRABLE INITIALLY DEFERRED);\n"));
	assert_non_null(strstr(sql, "CREATE INDEX \"blog_post_author_id_dd7a8485\" ON "
	                            "\"blog_post\" (\"author_id\");\n"));
	assert_non_null(strstr(sql, "CREATE INDEX \"blog_post_category_id_c326dbf8\" ON "
	                            "\"blog_post\" (\"category_id\");\n"));
	assert_non_null(strstr(
	        sql, "CREATE INDEX \"blog_post_slug_cdb902_idx\" ON \"blog_post\" (\"slug\");\n"));
	assert_non_null(strstr(sql, "CREATE INDEX \"blog_post_created_45f0c6_idx\" ON "
	                            "\"blog_post\" (\"created_at\" DESC);\n"));
	assert_non_null(strstr(
	        sql, "\"data\" text NOT NULL CHECK ((JSON_VALID(\"data\") OR \"data\" IS NULL))"));
	assert_non_null(strstr(sql, "\"price\" decimal NOT NULL"));
	assert_non_null(strstr(sql, "\"uid\" char(32) NULL"));
	assert_non_null(strstr(sql, "\"blob\" BLOB NULL"));
	assert_non_null(strstr(sql, "\"stars\" integer NULL"));
	assert_non_null(strstr(sql, "CREATE UNIQUE INDEX \"blog_kitchen_big_small_"));
	corm_mem_free(sql);
}

static void test_urls(void **state)
{
	corm_db *db;
	assert_int_equal(corm_open(&db, "sqlite://:memory:"), CORM_OK);
	assert_string_equal(corm_vendor(db), "sqlite");
	corm_close(db);
	assert_int_equal(corm_open(&db, "postgres://u:p%40ss@localhost:5432/app?sslmode=disable"),
	                 CORM_ENOTSUP);
	assert_string_equal(corm_errmsg(db), "postgresql backend not built into this corm");
	corm_close(db);
	assert_int_equal(corm_open(&db, "mysql://root@127.0.0.1/app"), CORM_ENOTSUP);
	corm_close(db);
	const char *bad[] = {"nonsense",
	                     "ftp://x/y",
	                     "postgres://u:p@host:99999/db",
	                     "postgres://u:p@host:/db",
	                     "postgres://u:%zz@h/db",
	                     "sqlite:relative.db",
	                     "postgres://u:p@ho'st/db",
	                     "postgres://h/d?x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(corm_open(&db, bad[i]), CORM_EURL);
		assert_null(strstr(corm_errmsg(db), "p@"));
		corm_close(db);
	}
	assert_int_equal(corm_open(&db, "sqlite:////nonexistent-dir/x.db"), CORM_ECONNECTION);
	corm_close(db);
	assert_int_equal(corm_open(NULL, "sqlite://"), CORM_EINVAL);
}

static void test_registry_errors(void **state)
{
	typedef struct Bad {
		corm_obj obj;
		char *name;
		corm_fk parent;
	} Bad;
	static const corm_field no_len[] = {CORM_CHAR(Bad, name)};
	static corm_model m1 = CORM_MODEL(Bad, "x", no_len);
	static const corm_field set_null[] = {CORM_CHAR(Bad, name, .max_length = 5),
	                                      CORM_FK(Bad, parent, &User_model, CORM_SET_NULL)};
	static corm_model m2 = CORM_MODEL(Bad, "x", set_null);
	static const corm_field bad_default[] = {CORM_CHAR(Bad, name, .max_length = 5)};
	static corm_model m3 = CORM_MODEL(Bad, "x", bad_default, .ordering = {"nope"});
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &m1), CORM_EMODEL);
	assert_string_equal(corm_registry_errmsg(reg),
	                    "x.Bad.name: CharFields must define a 'max_length' attribute.");
	assert_int_equal(corm_registry_add(reg, &m2), CORM_EMODEL);
	assert_non_null(
	        strstr(corm_registry_errmsg(reg),
	               "x.Bad.parent: Field specifies on_delete=SET_NULL, but cannot be null."));
	assert_int_equal(corm_registry_add(reg, &m3), CORM_EMODEL);
	assert_string_equal(corm_registry_errmsg(reg),
	                    "x.Bad: 'ordering' refers to the nonexistent field 'nope'.");
	corm_model *found;
	assert_int_equal(corm_registry_get(reg, "blog.Post", &found), CORM_ENOTFOUND);
	corm_registry_free(reg);
	test_env *env = *state;
	assert_int_equal(corm_registry_get(env->reg, "BLOG.post", &found), CORM_OK);
	assert_ptr_equal(found, &Post_model);
	assert_string_equal(corm_model_table(&Category_model), "blog_category");
	assert_string_equal(corm_model_verbose_name_plural(&Category_model), "categories");
	assert_string_equal(
	        corm_field_column(&Kitchen_model, corm_model_field(&Kitchen_model, "rating")),
	        "stars");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_new_applies_defaults, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_save_insert_update, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_get_or_create_and_update_or_create, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_constraints_and_types, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_round_trip_kitchen, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_transactions, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_schema_matches_django, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_urls, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_registry_errors, test_setup, test_teardown),
	};
	return cmocka_run_group_tests_name("crud", tests, NULL, NULL);
}
