/* Instances and CRUD: new/save/create/get_or_create/update_or_create/delete/refresh, defaults,
 * auto_now. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h" /* the connection lost test asks the backend directly */
#include "support.h"

/* The SQLSTATE as corm's PostgreSQL backend packs it (PostgreSQL's MAKE_SQLSTATE). */
static int pg_sqlstate(const char *s)
{
	int v = 0;
	for (int i = 0; i < 5; i++)
		v += ((s[i] - '0') & 0x3F) << (6 * i);
	return v;
}

static void test_new_applies_defaults(void **state)
{
	test_env *env = *state;
	Post *p;
	ASSERT_OK(env, corm_new(&Post_model, &p));
	assert_string_equal(p->title, "");
	assert_int_equal(p->view_count, 0);
	assert_true(p->is_active);
	assert_true(corm_is_null(p, &p->category));
	/* an FK never set is NULL (Django: post.author_id is None), even when not null=True */
	assert_true(corm_is_null(p, &p->author));
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

	/* create(): the fields given replace the defaults, the others keep them, kwargs in any
	 * order; an unknown name fails before anything is written */
	User *u = test_user(env, "alice");
	ASSERT_OK(env,
	          corm_create(env->db, &Post_model, &p,
	                      CORM_KWARGS(CORM_KW("view_count", 7), CORM_KW("slug", "s"),
	                                  CORM_KW("author", CORM_OBJ(u)), CORM_KW("title", "T"))));
	assert_string_equal(p->title, "T");
	assert_string_equal(p->slug, "s");
	assert_string_equal(p->body, "");
	assert_int_equal(p->view_count, 7);
	assert_true(p->is_active);
	assert_int_equal(p->author.id, corm_pk(u));
	corm_free(p);
	p = (Post *)1;
	assert_int_equal(corm_create(env->db, &Post_model, &p,
	                             CORM_KWARGS(CORM_KW("title", "T2"), CORM_KW("titel", "x"))),
	                 CORM_EFIELD);
	assert_null(p);
	assert_string_equal(corm_errmsg(env->db),
	                    "blog.Post has no field named 'titel'. Choices are: author, author_id, "
	                    "body, category, category_id, created_at, id, is_active, slug, title, "
	                    "updated_at, view_count");
	corm_qs *qs = corm_objects(env->db, &Post_model);
	int64_t n;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 1);
	corm_qs_free(qs);
	corm_free(u);
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

/* A connection builds each model's INSERT once; other models and an explicit pk get their own. */
static void test_insert_text_per_shape(void **state)
{
	test_env *env = *state;
	char *inserts[4];
	User *u = test_user(env, "alice");
	Post *p;
	for (int i = 0; i < 4; i++) {
		char slug[16];
		snprintf(slug, sizeof slug, "post-%d", i);
		test_clear_queries(env);
		if (i ==
		    1) /* an explicit pk: save() tries an UPDATE first, then inserts the id too */
			ASSERT_OK(env,
			          corm_create(env->db, &Post_model, &p,
			                      CORM_KWARGS(CORM_KW("id", 500), CORM_KW("slug", slug),
			                                  CORM_KW("author", CORM_OBJ(u)))));
		else if (i == 2)
			corm_free(test_user(env, "bob"));
		else
			ASSERT_OK(env, corm_create(env->db, &Post_model, &p,
			                           CORM_KWARGS(CORM_KW("slug", slug),
			                                       CORM_KW("author", CORM_OBJ(u)))));
		inserts[i] = strdup(env->queries[env->nqueries - 1]); /* the log is cleared next */
		assert_true(strncmp(inserts[i], "INSERT INTO ", 12) == 0);
		if (i != 2) {
			if (i == 1)
				assert_int_equal(corm_pk(p), 500);
			else
				assert_true(corm_pk(p) > 0 && corm_pk(p) != 500);
			assert_string_equal(p->slug, slug);
			corm_free(p);
		}
	}
	assert_int_equal(count_char(inserts[1], ','), count_char(inserts[0], ',') + 2);
	assert_non_null(strstr(inserts[2], "auth_user"));
	assert_string_equal(inserts[3], inserts[0]);
	for (int i = 0; i < 4; i++)
		free(inserts[i]);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	int64_t n;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 3);
	corm_qs_free(qs);
	corm_free(u);
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
	ASSERT_OK(env, CORM_SET(p, "author", CORM_OBJ(alice)));
	test_clear_queries(env);
	ASSERT_OK(env, corm_save(env->db, p));
	assert_int_equal(env->nqueries, 1);
	test_pg_placeholders(env->queries[0]);
	if (strcmp(test_backend(), "mysql") == 0)
		/* MariaDB quotes with backticks; 10.5+ has INSERT ... RETURNING (the test servers
		 * are 10.11) */
		assert_string_equal(env->queries[0], "INSERT INTO `blog_post` (`title`, `slug`, "
		                                     "`body`, `author_id`, `category_id`, "
		                                     "`view_count`, `is_active`, `created_at`, "
		                                     "`updated_at`) VALUES (?, ?, ?, ?, ?, "
		                                     "?, ?, ?, ?) RETURNING `id`");
	else
		/* PostgreSQL returns the new id; SQLite reads sqlite3_last_insert_rowid(), as
		 * Django does: RETURNING there costs a statement journal per insert
		 * (docs/performance.md) */
		assert_string_equal(
		        env->queries[0],
		        strcmp(test_backend(), "postgres") == 0
		                ? "INSERT INTO \"blog_post\" (\"title\", \"slug\", \"body\", "
		                  "\"author_id\", \"category_id\", \"view_count\", \"is_active\", "
		                  "\"created_at\", \"updated_at\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
		                  "?) "
		                  "RETURNING \"id\""
		                : "INSERT INTO \"blog_post\" (\"title\", \"slug\", \"body\", "
		                  "\"author_id\", \"category_id\", \"view_count\", \"is_active\", "
		                  "\"created_at\", \"updated_at\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
		                  "?)");
	assert_true(corm_pk(p) > 0);
	assert_false(corm_is_adding(p));
	assert_int_equal(p->author.id, corm_pk(alice));
	corm_datetime created = p->created_at;

	/* update_fields: only the title column */
	ASSERT_OK(env, corm_set_str(&p->title, "Updated Title"));
	test_clear_queries(env);
	ASSERT_OK(env, corm_save_fields(env->db, p, CORM_FIELDS("title")));
	test_pg_placeholders(env->queries[0]);
	if (strcmp(test_backend(), "mysql") == 0) /* MariaDB quotes names with backticks */
		assert_string_equal(
		        env->queries[0],
		        "UPDATE `blog_post` SET `title` = ? WHERE `blog_post`.`id` = ?");
	else
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
	                                              CORM_KW("author", CORM_OBJ(alice)))));
	assert_true(created);
	int64_t id = corm_pk(p);
	corm_free(p);
	ASSERT_OK(env, corm_get_or_create(env->db, &Post_model, &p, &created,
	                                  CORM_KWARGS(CORM_KW("slug", "my-first-post")),
	                                  CORM_KWARGS(CORM_KW("title", "ignored"),
	                                              CORM_KW("author", CORM_OBJ(alice)))));
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
	ASSERT_OK(env, corm_update_or_create(env->db, &Post_model, &p, &created,
	                                     CORM_KWARGS(CORM_KW("slug", "second")),
	                                     CORM_KWARGS(CORM_KW("title", "Second"),
	                                                 CORM_KW("author", CORM_OBJ(alice)))));
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
	if (strcmp(test_backend(), "mysql") == 0) {
		/* MariaDB's own message and number (ER_DUP_ENTRY); the key is the column's UNIQUE
		 * index, named after the column */
		assert_string_equal(corm_errmsg(env->db),
		                    "Duplicate entry 'alice' for key 'username'");
		assert_int_equal(corm_native_errcode(env->db), 1062);
	} else if (strcmp(test_backend(), "postgres") == 0) {
		/* the server's own message and SQLSTATE 23505 (unique_violation) */
		assert_string_equal(corm_errmsg(env->db), "duplicate key value violates unique "
		                                          "constraint \"auth_user_username_key\"");
		assert_int_equal(corm_native_errcode(env->db), pg_sqlstate("23505"));
	} else {
		assert_string_equal(corm_errmsg(env->db),
		                    "UNIQUE constraint failed: auth_user.username");
		assert_int_equal(corm_native_errcode(env->db), 2067 /* SQLITE_CONSTRAINT_UNIQUE */);
	}
	assert_null(dup);

	Post *p;
	ASSERT_OK(env, corm_new(&Post_model, &p));
	assert_int_equal(CORM_SET(p, "view_count", "abc"), CORM_ETYPE);
	assert_int_equal(CORM_SET(p, "view_count", 5000000000LL), CORM_ETYPE);
	assert_int_equal(CORM_SET(p, "nope", 1), CORM_EFIELD);
	assert_int_equal(CORM_SET(p, "is_active", 2), CORM_ETYPE);
	assert_int_equal(CORM_SET(p, "author", CORM_OBJ(p)), CORM_ETYPE); /* a Post is not a User */
	/* a negative view_count breaks the CHECK constraint */
	ASSERT_OK(env, CORM_SET(p, "author", CORM_OBJ(alice)));
	ASSERT_OK(env, CORM_SET(p, "slug", "neg"));
	p->view_count = -1;
	if (strcmp(test_backend(), "mysql") == 0) {
		/* MariaDB checks the range of integer UNSIGNED before the CHECK: in strict mode -1
		 * is refused as out of range (Django's DataError), never clipped to 0 */
		assert_int_equal(corm_save(env->db, p), CORM_ETYPE);
		assert_string_equal(corm_errmsg(env->db),
		                    "Out of range value for column 'view_count' at row 1");
		assert_int_equal(corm_native_errcode(env->db), 1264);
		/* a CHECK proper: the JSON_VALID one MariaDB's json type carries */
		assert_int_equal(
		        corm_execute(env->db,
		                     "INSERT INTO `blog_kitchen` (`big`, `small`, `price`, "
		                     "`data`, `email`, `url`, `status`) VALUES (1, 1, 0, "
		                     "'{oops', '', '', 'paid')",
		                     NULL, 0, NULL),
		        CORM_ECONSTRAINT);
		assert_int_equal(corm_native_errcode(env->db), 4025);
		assert_non_null(
		        strstr(corm_errmsg(env->db), "CONSTRAINT `blog_kitchen.data` failed"));
	} else if (strcmp(test_backend(), "postgres") == 0) { /* 23514 check_violation */
		assert_int_equal(corm_save(env->db, p), CORM_ECONSTRAINT);
		assert_string_equal(corm_errmsg(env->db),
		                    "new row for relation \"blog_post\" violates check constraint "
		                    "\"blog_post_view_count_check\"");
		assert_int_equal(corm_native_errcode(env->db), pg_sqlstate("23514"));
	} else {
		assert_int_equal(corm_save(env->db, p), CORM_ECONSTRAINT);
		assert_string_equal(corm_errmsg(env->db), "CHECK constraint failed: view_count");
	}
	/* a foreign key to nothing fails at commit (deferred constraint) */
	p->view_count = 0;
	p->author.id = 999;
	ASSERT_OK(env, corm_atomic_begin(env->db));
	if (strcmp(test_backend(), "mysql") == 0) {
		/* InnoDB has no deferred constraints: the INSERT itself fails, only that statement
		 * is undone, and the block stays open */
		assert_int_equal(corm_save(env->db, p), CORM_ECONSTRAINT);
		assert_int_equal(corm_native_errcode(env->db), 1452);
		assert_non_null(strstr(corm_errmsg(env->db), "Cannot add or update a child row: a "
		                                             "foreign key constraint fails"));
		assert_non_null(strstr(corm_errmsg(env->db),
		                       "CONSTRAINT `blog_post_author_id_dd7a8485_fk_auth_user_id` "
		                       "FOREIGN KEY (`author_id`) REFERENCES `auth_user` (`id`)"));
		assert_int_equal(corm_atomic_depth(env->db), 1);
		ASSERT_OK(env, corm_atomic_rollback(env->db));
		/* and a referenced row cannot be deleted behind the ORM's back */
		p->author.id = corm_pk(alice);
		ASSERT_OK(env, corm_save(env->db, p));
		assert_int_equal(corm_execute(env->db, "DELETE FROM `auth_user`", NULL, 0, NULL),
		                 CORM_ECONSTRAINT);
		assert_int_equal(corm_native_errcode(env->db), 1451);
	} else if (strcmp(test_backend(), "postgres") == 0) {
		/* deferred: the COMMIT fails with 23503, the constraint named as Django names it */
		ASSERT_OK(env, corm_save(env->db, p));
		assert_int_equal(corm_atomic_commit(env->db), CORM_ECONSTRAINT);
		assert_string_equal(corm_errmsg(env->db),
		                    "insert or update on table \"blog_post\" violates foreign key "
		                    "constraint \"blog_post_author_id_dd7a8485_fk_auth_user_id\"");
		assert_int_equal(corm_native_errcode(env->db), pg_sqlstate("23503"));
	} else {
		ASSERT_OK(env, corm_save(env->db, p));
		assert_int_equal(corm_atomic_commit(env->db), CORM_ECONSTRAINT);
		assert_string_equal(corm_errmsg(env->db), "FOREIGN KEY constraint failed");
	}
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

/* A value longer than its varchar column is refused whole, never stored cut short. */
static void test_too_long_for_column(void **state)
{
	test_env *env = *state;
	User *alice = test_user(env, "alice");
	char title[202];
	memset(title, 'x', 201);
	title[201] = '\0'; /* title is varchar(200) */
	corm_qs *qs = corm_objects(env->db, &Post_model);
	Post *p = NULL;
	int rc = corm_create(env->db, &Post_model, &p,
	                     CORM_KWARGS(CORM_KW("title", title), CORM_KW("slug", "long"),
	                                 CORM_KW("body", "b"), CORM_KW("author", CORM_OBJ(alice))));
	int64_t n;
	if (strcmp(test_backend(), "mysql") == 0) {
		/* strict sql_mode: MariaDB refuses the value (Django's DataError) instead of
		 * cutting it to 200 characters with a warning */
		assert_int_equal(rc, CORM_ETYPE);
		assert_string_equal(corm_errmsg(env->db),
		                    "Data too long for column 'title' at row 1");
		assert_int_equal(corm_native_errcode(env->db), 1406);
		assert_null(p);
	} else if (strcmp(test_backend(), "sqlite") == 0) {
		/* SQLite does not enforce varchar lengths (nor does Django there): stored whole */
		ASSERT_OK(env, rc);
		corm_free(p);
		p = NULL;
		ASSERT_OK(env, corm_get(qs, &p, CORM_Q("slug", "long")));
		assert_string_equal(p->title, title);
		corm_free(p);
		ASSERT_OK(env, corm_qs_delete(qs, NULL));
	} else {
		assert_int_not_equal(rc, CORM_OK);
	}
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 0); /* nothing truncated was left behind */
	corm_qs_free(qs);

	/* the limit counts characters, not bytes: 200 two-byte letters fit */
	char wide[401];
	for (int i = 0; i < 200; i++)
		memcpy(wide + 2 * i, "\xc3\xa9", 2);
	wide[400] = '\0';
	p = NULL;
	ASSERT_OK(env, corm_create(env->db, &Post_model, &p,
	                           CORM_KWARGS(CORM_KW("title", wide), CORM_KW("slug", "wide"),
	                                       CORM_KW("body", "b"),
	                                       CORM_KW("author", CORM_OBJ(alice)))));
	ASSERT_OK(env, corm_refresh(env->db, p));
	assert_string_equal(p->title, wide);
	corm_free(p);
	corm_free(alice);
}

/* Long TEXT and BLOB values of different sizes in one result come back whole. */
static void test_large_values_round_trip(void **state)
{
	test_env *env = *state;
	User *alice = test_user(env, "alice");
	size_t sizes[] = {3 << 20, 10, 70000};
	char slug[32];
	for (size_t i = 0; i < 3; i++) {
		char *body = malloc(sizes[i] + 1);
		for (size_t k = 0; k < sizes[i]; k++)
			body[k] = (char)('a' + (k * 7 + i) % 26);
		body[sizes[i]] = '\0';
		snprintf(slug, sizeof slug, "big-%zu", i);
		Post *p = NULL;
		ASSERT_OK(env, corm_create(env->db, &Post_model, &p,
		                           CORM_KWARGS(CORM_KW("title", "big"),
		                                       CORM_KW("slug", slug), CORM_KW("body", body),
		                                       CORM_KW("author", CORM_OBJ(alice)))));
		corm_free(p);
		free(body);
	}
	corm_qs *qs = corm_objects(env->db, &Post_model);
	corm_order_by(qs, "id");
	Post *p;
	size_t i = 0;
	while (corm_next(qs, &p) == CORM_ROW) {
		assert_int_equal(strlen(p->body), sizes[i]);
		for (size_t k = 0; k < sizes[i]; k += 997)
			assert_int_equal(p->body[k], (char)('a' + (k * 7 + i) % 26));
		i++;
	}
	assert_int_equal(i, 3);
	corm_qs_free(qs);

	/* every byte value, NULs included, in blobs of different lengths */
	size_t blen[] = {256 * 1024, 0, 1};
	int64_t ids[3];
	for (size_t b = 0; b < 3; b++) {
		uint8_t *data = malloc(blen[b] + 1);
		for (size_t k = 0; k < blen[b]; k++)
			data[k] = (uint8_t)(k * 31 + b);
		Kitchen *k;
		ASSERT_OK(env, corm_new(&Kitchen_model, &k));
		k->big = (int64_t)b;
		ASSERT_OK(env, corm_set(k, "blob", corm_v_bytes(data, blen[b])));
		ASSERT_OK(env, corm_save(env->db, k));
		ids[b] = corm_pk(k);
		corm_free(k);
		free(data);
	}
	qs = corm_objects(env->db, &Kitchen_model);
	corm_order_by(qs, "id");
	Kitchen *k;
	size_t b = 0;
	while (corm_next(qs, &k) == CORM_ROW) {
		assert_int_equal(corm_pk(k), ids[b]);
		assert_int_equal(k->blob.len, blen[b]);
		for (size_t x = 0; x < blen[b]; x++)
			if (k->blob.data[x] != (uint8_t)(x * 31 + b))
				fail_msg("blob %zu differs at byte %zu", b, x);
		b++;
	}
	assert_int_equal(b, 3);
	corm_qs_free(qs);
	corm_free(alice);
}

/*
 * A connection the server closes stays closed: no silent reconnect (which would
 * lose an open transaction and carry on outside it), CORM_ECONNECTION on every
 * later use, and the pool's health check sees it without a round trip.
 */
static void test_server_closes_connection(void **state)
{
	test_env *env = *state;
	bool mysql = !strcmp(test_backend(), "mysql");
	if (!mysql && strcmp(test_backend(), "postgres") != 0)
		skip(); /* SQLite has no server to close the session */
	corm_db *db;
	ASSERT_OK(env, corm_open(&db, test_url()));
	assert_true(db->be->is_alive(db->conn));
	/* the server ends a session left idle (MariaDB) or idle inside a transaction
	 * (PostgreSQL) for a second */
	assert_int_equal(corm_execute(db,
	                              mysql ? "SET SESSION wait_timeout = 1"
	                                    : "SET idle_in_transaction_session_timeout = 1000",
	                              NULL, 0, NULL),
	                 CORM_OK);
	assert_int_equal(corm_atomic_begin(db), CORM_OK);
	User *u = NULL;
	assert_int_equal(corm_create(db, &User_model, &u, CORM_KWARGS(CORM_KW("username", "lost"))),
	                 CORM_OK);
	corm_free(u);
	struct timespec pause = {2, 500000000};
	nanosleep(&pause, NULL); /* the server ends the idle session */
	assert_false(db->be->is_alive(db->conn));
	assert_int_equal(corm_atomic_commit(db), CORM_ECONNECTION);
	if (mysql)
		assert_true(corm_native_errcode(db) == 2006 || corm_native_errcode(db) == 2013 ||
		            corm_native_errcode(db) == 4031);
	assert_int_equal(corm_atomic_depth(db), 0);
	assert_int_equal(corm_execute(db, "SELECT 1", NULL, 0, NULL), CORM_ECONNECTION);
	corm_close(db);
	/* the uncommitted row died with the session */
	corm_qs *qs = corm_objects(env->db, &User_model);
	int64_t n;
	ASSERT_OK(env, corm_filter(qs, CORM_Q("username", "lost")));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 0);
	corm_qs_free(qs);
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

/* What Django 3.2's sqlmigrate prints for the same models on MariaDB 10.11. */
static void assert_mysql_schema(const char *sql)
{
	assert_non_null(strstr(sql,
	                       "CREATE TABLE `blog_post` (`id` integer AUTO_INCREMENT NOT NULL "
	                       "PRIMARY KEY, `title` varchar(200) NOT NULL, `slug` varchar(50) "
	                       "NOT NULL UNIQUE, `body` longtext NOT NULL, `view_count` integer "
	                       "UNSIGNED NOT NULL CHECK (`view_count` >= 0), `is_active` bool "
	                       "NOT NULL, `created_at` datetime(6) NOT NULL, `updated_at` "
	                       "datetime(6) NOT NULL, `author_id` integer NOT NULL, "
	                       "`category_id` integer NULL);\n"));
	/* InnoDB checks foreign keys at once: they are added once every table exists */
	assert_non_null(strstr(sql, "ALTER TABLE `blog_post` ADD CONSTRAINT "
	                            "`blog_post_author_id_dd7a8485_fk_auth_user_id` FOREIGN KEY "
	                            "(`author_id`) REFERENCES `auth_user` (`id`);\n"));
	assert_non_null(strstr(sql,
	                       "ALTER TABLE `blog_post` ADD CONSTRAINT "
	                       "`blog_post_category_id_c326dbf8_fk_blog_category_id` FOREIGN KEY "
	                       "(`category_id`) REFERENCES `blog_category` (`id`);\n"));
	assert_non_null(
	        strstr(sql, "CREATE INDEX `blog_post_slug_cdb902_idx` ON `blog_post` (`slug`);\n"));
	assert_non_null(strstr(sql, "CREATE INDEX `blog_post_created_45f0c6_idx` ON `blog_post` "
	                            "(`created_at` DESC);\n"));
	/* MariaDB's json is longtext with an implied CHECK (json_valid(`data`)): none written */
	assert_non_null(strstr(sql, "`data` json NOT NULL, "));
	assert_non_null(strstr(sql, "`price` numeric(10, 2) NOT NULL"));
	assert_non_null(strstr(sql, "`ratio` double precision NULL"));
	assert_non_null(strstr(sql, "`at` time(6) NULL, `span` bigint NULL"));
	assert_non_null(strstr(sql, "`uid` char(32) NULL"));
	assert_non_null(strstr(sql, "`blob` longblob NULL"));
	assert_non_null(strstr(sql, "`stars` integer NULL"));
	/* as Django: a named UNIQUE constraint, and no separate index on foreign keys (InnoDB makes
	 * one) */
	assert_non_null(strstr(
	        sql,
	        "ALTER TABLE `blog_kitchen` ADD CONSTRAINT `blog_kitchen_big_small_08fa0112_uniq` "
	        "UNIQUE (`big`, `small`);\n"));
	assert_null(strstr(sql, "CREATE INDEX `blog_post_author_id_dd7a8485`"));
}

/*
 * PostgreSQL: what Django 3.2's sqlmigrate prints for the same models on
 * django.db.backends.postgresql (serial keys, native types, foreign keys as
 * named deferred constraints, the extra varchar_pattern_ops LIKE indexes).
 */
static void assert_pg_schema(const char *sql)
{
	static const char *const lines[] = {
	        "CREATE TABLE \"auth_user\" (\"id\" serial NOT NULL PRIMARY KEY, \"username\" "
	        "varchar(150) NOT NULL UNIQUE, \"email\" varchar(254) NOT NULL, \"is_staff\" "
	        "boolean NOT NULL);\n",
	        "CREATE TABLE \"blog_category\" (\"id\" serial NOT NULL PRIMARY KEY, \"name\" "
	        "varchar(100) NOT NULL, \"slug\" varchar(50) NOT NULL UNIQUE);\n",
	        "CREATE TABLE \"blog_post\" (\"id\" serial NOT NULL PRIMARY KEY, \"title\" "
	        "varchar(200) NOT NULL, \"slug\" varchar(50) NOT NULL UNIQUE, \"body\" text NOT "
	        "NULL, \"view_count\" integer NOT NULL CHECK (\"view_count\" >= 0), \"is_active\" "
	        "boolean NOT NULL, \"created_at\" timestamp with time zone NOT NULL, "
	        "\"updated_at\" timestamp with time zone NOT NULL, \"author_id\" integer NOT "
	        "NULL, \"category_id\" integer NULL);\n",
	        "CREATE TABLE \"blog_kitchen\" (\"id\" serial NOT NULL PRIMARY KEY, \"big\" bigint "
	        "NOT NULL, \"small\" smallint NOT NULL, \"ratio\" double precision NULL, "
	        "\"price\" numeric(10, 2) NOT NULL, \"day\" date NULL, \"at\" time NULL, "
	        "\"span\" interval NULL, \"uid\" uuid NULL, \"blob\" bytea NULL, \"data\" jsonb "
	        "NOT NULL, \"email\" varchar(254) NOT NULL, \"url\" varchar(200) NOT NULL, "
	        "\"status\" varchar(20) NOT NULL, \"stars\" integer NULL);\n",
	        "CREATE INDEX \"auth_user_username_6821ab7c_like\" ON \"auth_user\" (\"username\" "
	        "varchar_pattern_ops);\n",
	        "CREATE INDEX \"blog_category_slug_92643dc5_like\" ON \"blog_category\" (\"slug\" "
	        "varchar_pattern_ops);\n",
	        "ALTER TABLE \"blog_post\" ADD CONSTRAINT "
	        "\"blog_post_author_id_dd7a8485_fk_auth_user_id\" FOREIGN KEY (\"author_id\") "
	        "REFERENCES \"auth_user\" (\"id\") DEFERRABLE INITIALLY DEFERRED;\n",
	        "ALTER TABLE \"blog_post\" ADD CONSTRAINT "
	        "\"blog_post_category_id_c326dbf8_fk_blog_category_id\" FOREIGN KEY "
	        "(\"category_id\") REFERENCES \"blog_category\" (\"id\") DEFERRABLE INITIALLY "
	        "DEFERRED;\n",
	        "CREATE INDEX \"blog_post_slug_b95473f2_like\" ON \"blog_post\" (\"slug\" "
	        "varchar_pattern_ops);\n",
	        "CREATE INDEX \"blog_post_author_id_dd7a8485\" ON \"blog_post\" (\"author_id\");\n",
	        "CREATE INDEX \"blog_post_category_id_c326dbf8\" ON \"blog_post\" "
	        "(\"category_id\");\n",
	        "CREATE INDEX \"blog_post_slug_cdb902_idx\" ON \"blog_post\" (\"slug\");\n",
	        "CREATE INDEX \"blog_post_created_45f0c6_idx\" ON \"blog_post\" (\"created_at\" "
	        "DESC);\n",
	        "CREATE INDEX \"blog_kitchen_stars_20a72a57\" ON \"blog_kitchen\" (\"stars\");\n",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		if (!strstr(sql, lines[i]))
			fail_msg("Django's line\n%s\nis missing from\n%s", lines[i], sql);
	/* unique_together: exactly Django 3.2's named constraint */
	assert_non_null(strstr(sql, "ALTER TABLE \"blog_kitchen\" ADD CONSTRAINT "
	                            "\"blog_kitchen_big_small_08fa0112_uniq\" "
	                            "UNIQUE (\"big\", \"small\");\n"));
	/* no SQLite or MariaDB leftovers */
	assert_null(strstr(sql, "AUTOINCREMENT"));
	assert_null(
	        strstr(sql, "REFERENCES \"auth_user\" (\"id\") DEFERRABLE INITIALLY DEFERRED, "));
}

static void test_schema_matches_django(void **state)
{
	test_env *env = *state;
	char *sql;
	ASSERT_OK(env, corm_schema_sql(env->db, env->reg, &sql));
	if (strcmp(test_backend(), "mysql") == 0) { /* backticks, MariaDB types, ALTER TABLE FKs */
		assert_mysql_schema(sql);
		corm_mem_free(sql);
		return;
	}
	if (strcmp(test_backend(), "postgres") == 0) {
		assert_pg_schema(sql);
		corm_mem_free(sql);
		return;
	}
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

/* A foreign key in the middle, and two of them out of alphabetical order. */
typedef struct Writer {
	corm_obj obj;
	char *name;
} Writer;
typedef struct Article {
	corm_obj obj;
	char *title;
	corm_fk writer;
	corm_fk editor;
	int32_t view_count;
} Article;
static const corm_field writer_fields[] = {CORM_CHAR(Writer, name, .max_length = 100)};
static corm_model Writer_model = CORM_MODEL(Writer, "blog", writer_fields);
static const corm_field article_fields[] = {
        CORM_CHAR(Article, title, .max_length = 200),
        CORM_FK(Article, writer, &Writer_model, CORM_CASCADE),
        CORM_FK(Article, editor, &Writer_model, CORM_SET_NULL, .null = true, .related_name = "+"),
        CORM_INT(Article, view_count, .default_value = "0"),
};
static corm_model Article_model = CORM_MODEL(Article, "blog", article_fields);

/*
 * Byte for byte what Django 3.2's sqlmigrate prints for these models after
 * makemigrations: its autodetector moves the relations to the end of
 * CreateModel, sorted by name (the comments, BEGIN and COMMIT left out).
 */
static void test_column_order_matches_django(void **state)
{
	test_env *env = *state;
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &Article_model), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &Writer_model), CORM_OK); /* any order */
	assert_int_equal(corm_registry_ready(reg), CORM_OK);
	char *sql;
	ASSERT_OK(env, corm_schema_sql(env->db, reg, &sql));
	const char *django;
	if (strcmp(test_backend(), "postgres") == 0)
		django = "CREATE TABLE \"blog_writer\" (\"id\" serial NOT NULL PRIMARY KEY, "
		         "\"name\" "
		         "varchar(100) NOT NULL);\n"
		         "CREATE TABLE \"blog_article\" (\"id\" serial NOT NULL PRIMARY KEY, "
		         "\"title\" "
		         "varchar(200) NOT NULL, \"view_count\" integer NOT NULL, \"editor_id\" "
		         "integer NULL, \"writer_id\" integer NOT NULL);\n"
		         "ALTER TABLE \"blog_article\" ADD CONSTRAINT "
		         "\"blog_article_editor_id_46d1965f_fk_blog_writer_id\" FOREIGN KEY "
		         "(\"editor_id\") REFERENCES \"blog_writer\" (\"id\") DEFERRABLE INITIALLY "
		         "DEFERRED;\n"
		         "ALTER TABLE \"blog_article\" ADD CONSTRAINT "
		         "\"blog_article_writer_id_3c027bd3_fk_blog_writer_id\" FOREIGN KEY "
		         "(\"writer_id\") REFERENCES \"blog_writer\" (\"id\") DEFERRABLE INITIALLY "
		         "DEFERRED;\n"
		         "CREATE INDEX \"blog_article_editor_id_46d1965f\" ON \"blog_article\" "
		         "(\"editor_id\");\n"
		         "CREATE INDEX \"blog_article_writer_id_3c027bd3\" ON \"blog_article\" "
		         "(\"writer_id\");\n";
	else if (strcmp(test_backend(), "mysql") == 0)
		django =
		        "CREATE TABLE `blog_writer` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY "
		        "KEY, `name` varchar(100) NOT NULL);\n"
		        "CREATE TABLE `blog_article` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY "
		        "KEY, `title` varchar(200) NOT NULL, `view_count` integer NOT NULL, "
		        "`editor_id` integer NULL, `writer_id` integer NOT NULL);\n"
		        "ALTER TABLE `blog_article` ADD CONSTRAINT "
		        "`blog_article_editor_id_46d1965f_fk_blog_writer_id` FOREIGN KEY "
		        "(`editor_id`) REFERENCES `blog_writer` (`id`);\n"
		        "ALTER TABLE `blog_article` ADD CONSTRAINT "
		        "`blog_article_writer_id_3c027bd3_fk_blog_writer_id` FOREIGN KEY "
		        "(`writer_id`) REFERENCES `blog_writer` (`id`);\n";
	else
		django = "CREATE TABLE \"blog_writer\" (\"id\" integer NOT NULL PRIMARY KEY "
		         "AUTOINCREMENT, \"name\" varchar(100) NOT NULL);\n"
		         "CREATE TABLE \"blog_article\" (\"id\" integer NOT NULL PRIMARY KEY "
		         "AUTOINCREMENT, \"title\" varchar(200) NOT NULL, \"view_count\" integer "
		         "NOT "
		         "NULL, \"editor_id\" integer NULL REFERENCES \"blog_writer\" (\"id\") "
		         "DEFERRABLE INITIALLY DEFERRED, \"writer_id\" integer NOT NULL REFERENCES "
		         "\"blog_writer\" (\"id\") DEFERRABLE INITIALLY DEFERRED);\n"
		         "CREATE INDEX \"blog_article_editor_id_46d1965f\" ON \"blog_article\" "
		         "(\"editor_id\");\n"
		         "CREATE INDEX \"blog_article_writer_id_3c027bd3\" ON \"blog_article\" "
		         "(\"writer_id\");\n";
	assert_string_equal(sql, django);
	corm_mem_free(sql);
	/* and the tables work in that order */
	ASSERT_OK(env, corm_drop_tables(env->db, reg));
	ASSERT_OK(env, corm_create_tables(env->db, reg));
	Writer *w;
	Article *a;
	ASSERT_OK(env, corm_create(env->db, &Writer_model, &w, CORM_KWARGS(CORM_KW("name", "W"))));
	ASSERT_OK(env,
	          corm_create(env->db, &Article_model, &a,
	                      CORM_KWARGS(CORM_KW("title", "A"), CORM_KW("writer", CORM_OBJ(w)),
	                                  CORM_KW("view_count", 3))));
	ASSERT_OK(env, corm_refresh(env->db, a));
	assert_int_equal(a->writer.id, corm_pk(w));
	assert_true(corm_is_null(a, &a->editor));
	assert_int_equal(a->view_count, 3);
	corm_free(a);
	corm_free(w);
	ASSERT_OK(env, corm_drop_tables(env->db, reg));
	corm_registry_free(reg);
}

static void test_urls(void **state)
{
	corm_db *db;
	assert_int_equal(corm_open(&db, "sqlite://:memory:"), CORM_OK);
	assert_string_equal(corm_vendor(db), "sqlite");
	corm_close(db);
	/* built in: a server that refuses (or nobody listening) is a connection error, and the
	 * password is never echoed */
	assert_int_equal(corm_open(&db, "postgres://u:p%40ss@localhost:5432/app?sslmode=disable"),
	                 CORM_ECONNECTION);
	assert_null(strstr(corm_errmsg(db), "p@ss"));
	corm_close(db);
	assert_int_equal(corm_open(&db, "postgres://u:p@localhost/app?sslmode=disable&nope=1"),
	                 CORM_EURL);
	assert_non_null(strstr(corm_errmsg(db), "'nope' is not a PostgreSQL connection option"));
	corm_close(db);
	/* the MariaDB backend is built in: a closed port is refused, the password never echoed,
	 * and options are checked before anything is sent */
	assert_int_equal(corm_open(&db, "mysql://root:s3cret@127.0.0.1:1/app"), CORM_ECONNECTION);
	assert_string_equal(corm_vendor(db), "mysql");
	assert_null(strstr(corm_errmsg(db), "s3cret"));
	corm_close(db);
	assert_int_equal(corm_open(&db, "mysql://root@127.0.0.1:1/app?connect_timeout=0"),
	                 CORM_EURL);
	corm_close(db);
	assert_int_equal(corm_open(&db, "mariadb://root@127.0.0.1:1/app?sslmode=disable"),
	                 CORM_EURL);
	assert_string_equal(corm_errmsg(db), "malformed database URL: unknown mysql option "
	                                     "'sslmode' (known: connect_timeout, isolation_level)");
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

/* Names holding the quote characters of every backend are quoted, not cut short. */
static void test_quotes_inside_names(void **state)
{
	test_env *env = *state;
	typedef struct Odd {
		corm_obj obj;
		char *name;
		int32_t n;
	} Odd;
	static const corm_field fields[] = {
	        CORM_CHAR(Odd, name, .max_length = 20, .db_column = "na\"me`x"),
	        CORM_INT(Odd, n, .db_column = "plain"),
	};
	static corm_model odd = CORM_MODEL(Odd, "t", fields, .db_table = "odd\"tab`le");
	corm_registry *reg;
	ASSERT_OK(env, corm_registry_new(&reg));
	assert_int_equal(corm_registry_add(reg, &odd), CORM_OK);
	assert_int_equal(corm_registry_ready(reg), CORM_OK);
	corm_drop_tables(env->db, reg);
	ASSERT_OK(env, corm_create_tables(env->db, reg));
	Odd *o;
	ASSERT_OK(env, corm_create(env->db, &odd, &o,
	                           CORM_KWARGS(CORM_KW("name", "q\"`'"), CORM_KW("n", 3))));
	corm_free(o);
	corm_qs *qs = corm_objects(env->db, &odd);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("name", "q\"`'"), CORM_Q("n__gte", 3)));
	ASSERT_OK(env, corm_get(qs, &o, corm_q_empty()));
	assert_string_equal(o->name, "q\"`'");
	assert_int_equal(o->n, 3);
	corm_free(o);
	corm_qs_free(qs);
	const char *q = env->queries[env->nqueries - 1];
	if (strcmp(test_backend(), "mysql") == 0)
		assert_non_null(
		        strstr(q, "FROM `odd\"tab``le` WHERE (`odd\"tab``le`.`na\"me``x` = ?"));
	else
		assert_non_null(strstr(
		        q, "FROM \"odd\"\"tab`le\" WHERE (\"odd\"\"tab`le\".\"na\"\"me`x\" = "));
	ASSERT_OK(env, corm_drop_tables(env->db, reg));
	corm_registry_free(reg);
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
	                                      CORM_FK_LABEL(Bad, parent, "self", CORM_SET_NULL)};
	static corm_model m2 = CORM_MODEL(Bad, "x", set_null);
	static const corm_field bad_default[] = {CORM_CHAR(Bad, name, .max_length = 5)};
	static corm_model m3 = CORM_MODEL(Bad, "x", bad_default, .ordering = {"nope"});
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &m1), CORM_EMODEL);
	assert_string_equal(corm_registry_errmsg(reg),
	                    "x.Bad.name: CharFields must define a 'max_length' attribute.");
	/* SET_NULL on a non-null FK is a system check of corm_registry_ready */
	assert_int_equal(corm_registry_add(reg, &m2), CORM_OK);
	assert_int_equal(corm_registry_ready(reg), CORM_EMODEL);
	assert_string_equal(corm_registry_errmsg(reg),
	                    "x.Bad.parent: (fields.E320) Field specifies on_delete=SET_NULL, but "
	                    "cannot be null.");
	assert_int_equal(corm_registry_add(reg, &m3), CORM_EMODEL);
	assert_string_equal(corm_registry_errmsg(reg),
	                    "x.Bad: 'ordering' refers to the nonexistent field 'nope'.");
	const corm_model *found;
	assert_int_equal(corm_registry_get(reg, "blog.Post", &found), CORM_EINVAL);
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

/* DDL inside an atomic block: undone with the block where DDL is transactional, refused where it is
 * not. */
static void test_ddl_inside_atomic(void **state)
{
	test_env *env = *state;
	User *u = test_user(env, "kept");
	corm_free(u);
	ASSERT_OK(env, corm_atomic_begin(env->db));
	User *v = test_user(env, "inside");
	corm_free(v);
	int rc =
	        corm_create_tables(env->db, env->reg); /* the tables exist: this fails either way */
	if (strcmp(test_backend(), "mysql") == 0) {
		/* MariaDB would commit the open transaction implicitly: Django refuses, and so does
		 * corm */
		assert_int_equal(rc, CORM_ETXN);
		assert_string_equal(corm_errmsg(env->db),
		                    "Executing DDL statements while in a transaction on databases "
		                    "that can't perform a rollback is prohibited.");
	} else {
		assert_int_equal(rc, CORM_EBACKEND);
	}
	/* the outer block is intact: its row is still there until it rolls back */
	assert_int_equal(corm_atomic_depth(env->db), 1);
	corm_qs *qs = corm_objects(env->db, &User_model);
	int64_t n;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 2);
	ASSERT_OK(env, corm_atomic_rollback(env->db));
	corm_qs_free(qs);
	qs = corm_objects(env->db, &User_model);
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 1);
	corm_qs_free(qs);
}

/*
 * A statement that fails inside an atomic block leaves the block rollback-only on every
 * backend (Django's needs_rollback): PostgreSQL would answer COMMIT with ROLLBACK and lose the
 * first row while corm said OK; now the commit fails, alike everywhere, and nothing is kept.
 */
static void test_failed_statement_makes_block_rollback_only(void **state)
{
	test_env *env = *state;
	ASSERT_OK(env, corm_atomic_begin(env->db));
	ASSERT_OK(env, corm_create(env->db, &User_model, NULL,
	                           CORM_KWARGS(CORM_KW("username", "first"))));
	assert_int_equal(
	        corm_create(env->db, &User_model, NULL, CORM_KWARGS(CORM_KW("username", "first"))),
	        CORM_ECONSTRAINT);
	assert_int_equal(corm_atomic_commit(env->db), CORM_ETXN);
	assert_string_equal(corm_errmsg(env->db),
	                    "the atomic block was rolled back, not committed: "
	                    "a statement in it failed");
	assert_int_equal(corm_atomic_depth(env->db), 0);
	corm_qs *qs = corm_objects(env->db, &User_model);
	int64_t n = -1;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 0);

	/* inside a savepoint: rolling the inner block back makes the outer one usable again */
	ASSERT_OK(env, corm_atomic_begin(env->db));
	ASSERT_OK(env, corm_create(env->db, &User_model, NULL,
	                           CORM_KWARGS(CORM_KW("username", "kept"))));
	ASSERT_OK(env, corm_atomic_begin(env->db));
	assert_int_equal(
	        corm_create(env->db, &User_model, NULL, CORM_KWARGS(CORM_KW("username", "kept"))),
	        CORM_ECONSTRAINT);
	ASSERT_OK(env, corm_atomic_rollback(env->db));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 1);
	/* an inner block committed after its failure is rolled back, and says so */
	ASSERT_OK(env, corm_atomic_begin(env->db));
	assert_int_equal(
	        corm_create(env->db, &User_model, NULL, CORM_KWARGS(CORM_KW("username", "kept"))),
	        CORM_ECONSTRAINT);
	assert_int_equal(corm_atomic_commit(env->db), CORM_ETXN);
	assert_int_equal(corm_atomic_depth(env->db), 1);
	ASSERT_OK(env, corm_atomic_commit(env->db));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 1);
	corm_qs_free(qs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_new_applies_defaults, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_save_insert_update, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_insert_text_per_shape, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_get_or_create_and_update_or_create, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_constraints_and_types, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_round_trip_kitchen, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_too_long_for_column, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_large_values_round_trip, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_server_closes_connection, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_transactions, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_ddl_inside_atomic, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_schema_matches_django, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_urls, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_column_order_matches_django, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_registry_errors, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_failed_statement_makes_block_rollback_only,
	                                        test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_quotes_inside_names, test_setup,
	                                        test_teardown),
	};
	return cmocka_run_group_tests_name("crud", tests, NULL, NULL);
}
