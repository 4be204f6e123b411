/* QuerySet core on the blog models: laziness, caching, lookups, SQL text and bad input. */
#include <stdlib.h>
#include <string.h>

#include "db/db.h" /* the statement cache test looks inside the connection */
#include "support.h"

static const char *SELECT_POST =
        "SELECT \"blog_post\".\"id\", \"blog_post\".\"title\", \"blog_post\".\"slug\", "
        "\"blog_post\".\"body\", "
        "\"blog_post\".\"author_id\", \"blog_post\".\"category_id\", \"blog_post\".\"view_count\", "
        "\"blog_post\".\"is_active\", \"blog_post\".\"created_at\", \"blog_post\".\"updated_at\" "
        "FROM \"blog_post\"";

/* MariaDB quotes names with backticks (Django's quote_name on MySQL) */
static const char *SELECT_POST_MYSQL =
        "SELECT `blog_post`.`id`, `blog_post`.`title`, `blog_post`.`slug`, `blog_post`.`body`, "
        "`blog_post`.`author_id`, `blog_post`.`category_id`, `blog_post`.`view_count`, "
        "`blog_post`.`is_active`, `blog_post`.`created_at`, `blog_post`.`updated_at` "
        "FROM `blog_post`";

/* Asserts the SQL (with parameters written in) of a QuerySet: SELECT_POST + tail. */
static void assert_sql(test_env *env, corm_qs *qs, const char *tail)
{
	char *sql = NULL;
	ASSERT_OK(env, corm_qs_str(qs, &sql));
	char expected[4096];
	snprintf(expected, sizeof expected, "%s%s",
	         strcmp(test_backend(), "mysql") == 0 ? SELECT_POST_MYSQL : SELECT_POST, tail);
	assert_string_equal(sql, expected);
	corm_mem_free(sql);
}

static void seed(test_env *env)
{
	User *alice = test_user(env, "alice"), *bob = test_user(env, "bob");
	Post *p;
	p = test_post(env, alice, "Learning Django", "learning-django", 1500, true);
	corm_free(p);
	p = test_post(env, alice, "Python tips", "python-tips", 50, true);
	corm_free(p);
	p = test_post(env, bob, "Old news", "old-news", 5, false);
	corm_free(p);
	p = test_post(env, bob, "100% _real_ \\ stuff", "percent", 120, true);
	corm_free(p);
	corm_free(alice);
	corm_free(bob);
	test_clear_queries(env);
}

/* Collects titles (in order) into buf, comma-separated. */
static void titles(test_env *env, corm_qs *qs, char *buf, size_t size)
{
	buf[0] = '\0';
	Post *p;
	int rc;
	while ((rc = corm_next(qs, &p)) == CORM_ROW) {
		if (buf[0])
			strncat(buf, ",", size - strlen(buf) - 1);
		strncat(buf, p->title, size - strlen(buf) - 1);
	}
	if (rc != CORM_DONE)
		fail_msg("iteration failed: %s", corm_errmsg(env->db));
}

static void test_lazy_and_cached(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_filter(qs, CORM_Q("is_active", true)), CORM_OK);
	assert_int_equal(corm_order_by(qs, "title"), CORM_OK);
	assert_int_equal(env->nqueries, 0); /* nothing ran yet */
	char buf[256];
	titles(env, qs, buf, sizeof buf);
	assert_string_equal(buf, "100% _real_ \\ stuff,Learning Django,Python tips");
	assert_int_equal(env->nqueries, 1);
	titles(env, qs, buf, sizeof buf); /* from the cache */
	assert_int_equal(env->nqueries, 1);
	size_t n;
	ASSERT_OK(env, corm_len(qs, &n));
	assert_int_equal(n, 3);
	int64_t count;
	ASSERT_OK(env, corm_count(qs, &count)); /* cached: no query */
	assert_int_equal(count, 3);
	assert_int_equal(env->nqueries, 1);
	/* changing the QuerySet after evaluation queries again */
	ASSERT_OK(env, corm_filter(qs, CORM_Q("view_count__gt", 100)));
	titles(env, qs, buf, sizeof buf);
	assert_string_equal(buf, "100% _real_ \\ stuff,Learning Django");
	assert_int_equal(env->nqueries, 2);
	test_pg_placeholders(env->queries[1]);
	if (strcmp(test_backend(), "mysql") == 0) /* backticks */
		assert_string_equal(
		        env->queries[1],
		        "SELECT `blog_post`.`id`, `blog_post`.`title`, `blog_post`.`slug`, "
		        "`blog_post`.`body`, `blog_post`.`author_id`, "
		        "`blog_post`.`category_id`, `blog_post`.`view_count`, "
		        "`blog_post`.`is_active`, `blog_post`.`created_at`, "
		        "`blog_post`.`updated_at` FROM `blog_post` WHERE "
		        "(`blog_post`.`is_active` AND `blog_post`.`view_count` > ?) "
		        "ORDER BY `blog_post`.`title` ASC");
	else
		assert_string_equal(env->queries[1],
		                    "SELECT \"blog_post\".\"id\", \"blog_post\".\"title\", "
		                    "\"blog_post\".\"slug\", \"blog_post\".\"body\", "
		                    "\"blog_post\".\"author_id\", \"blog_post\".\"category_id\", "
		                    "\"blog_post\".\"view_count\", "
		                    "\"blog_post\".\"is_active\", \"blog_post\".\"created_at\", "
		                    "\"blog_post\".\"updated_at\" FROM "
		                    "\"blog_post\" WHERE (\"blog_post\".\"is_active\" AND "
		                    "\"blog_post\".\"view_count\" > ?) ORDER BY "
		                    "\"blog_post\".\"title\" ASC");
	corm_qs_free(qs);
}

/*
 * test_sql_text on MariaDB: Django's MySQL operators (LIKE without ESCAPE, whose
 * default escape is '\'; LIKE BINARY for the case-sensitive lookups; REGEXP
 * [BINARY]), EXTRACT/DAYOFWEEK/DATE, RAND(), backticks. Each query also runs,
 * so the server accepts every form.
 */
static void sql_text_mysql(test_env *env)
{
	corm_qs *qs = corm_objects(env->db, &Post_model);
	corm_filter(qs, CORM_Q("is_active", true), CORM_Q("view_count__gt", 5));
	corm_slice(qs, 0, 20);
	assert_sql(env, qs,
	           " WHERE (`blog_post`.`is_active` AND `blog_post`.`view_count` > 5) "
	           "ORDER BY `blog_post`.`created_at` DESC LIMIT 20");
	corm_qs_free(qs);
	/* Django's pattern_esc: a right-hand side expression is escaped by the server */
	const char *esc = "REPLACE(REPLACE(REPLACE(`blog_post`.`slug`, '\\\\', '\\\\\\\\'), '%', "
	                  "'\\%'), '_', '\\_')";
	char contains_f[512], iendswith_f[512];
	snprintf(contains_f, sizeof contains_f,
	         " WHERE `blog_post`.`title` LIKE BINARY CONCAT('%%', %s, '%%')", esc);
	snprintf(iendswith_f, sizeof iendswith_f,
	         " WHERE `blog_post`.`title` LIKE CONCAT('%%', %s)", esc);
	struct {
		const char *path;
		corm_value v;
		const char *tail;
	} cases[] = {
	        {"title__icontains", corm_v_text("dj%a_n"),
	         " WHERE `blog_post`.`title` LIKE '%dj\\%a\\_n%'"},
	        {"title__iexact", corm_v_text("x"), " WHERE `blog_post`.`title` LIKE 'x'"},
	        {"title__contains", corm_v_text("x"),
	         " WHERE `blog_post`.`title` LIKE BINARY '%x%'"},
	        {"title__startswith", corm_v_text("x"),
	         " WHERE `blog_post`.`title` LIKE BINARY 'x%'"},
	        {"title__endswith", corm_v_text("x"),
	         " WHERE `blog_post`.`title` LIKE BINARY '%x'"},
	        {"title__istartswith", corm_v_text("x"), " WHERE `blog_post`.`title` LIKE 'x%'"},
	        {"title__iendswith", corm_v_text("x"), " WHERE `blog_post`.`title` LIKE '%x'"},
	        {"title__contains", corm_v_expr(corm_f("slug")), contains_f},
	        {"title__iendswith", corm_v_expr(corm_f("slug")), iendswith_f},
	        {"id__in", CORM_IN_INTS(1, 2), " WHERE `blog_post`.`id` IN (1, 2)"},
	        {"category__isnull", corm_v_bool(true), " WHERE `blog_post`.`category_id` IS NULL"},
	        {"view_count__range", CORM_IN_INTS(1, 5),
	         " WHERE `blog_post`.`view_count` BETWEEN 1 AND 5"},
	        {"title__regex", corm_v_text("^a"),
	         " WHERE `blog_post`.`title` REGEXP BINARY '^a'"},
	        {"title__iregex", corm_v_text("^a"), " WHERE `blog_post`.`title` REGEXP '^a'"},
	        {"created_at__year", corm_v_int(2024),
	         " WHERE `blog_post`.`created_at` BETWEEN '2024-01-01 00:00:00' AND "
	         "'2024-12-31 23:59:59.999999'"},
	        {"created_at__year__gte", corm_v_int(2024),
	         " WHERE `blog_post`.`created_at` >= '2024-01-01 00:00:00'"},
	        {"created_at__month", corm_v_int(3),
	         " WHERE EXTRACT(MONTH FROM `blog_post`.`created_at`) = 3"},
	        {"created_at__week_day", corm_v_int(2),
	         " WHERE DAYOFWEEK(`blog_post`.`created_at`) = 2"},
	        {"created_at__day", corm_v_int(1),
	         " WHERE EXTRACT(DAY FROM `blog_post`.`created_at`) = 1"},
	        {"created_at__hour__gte", corm_v_int(3),
	         " WHERE EXTRACT(HOUR FROM `blog_post`.`created_at`) >= 3"},
	        {"created_at__minute", corm_v_int(4),
	         " WHERE EXTRACT(MINUTE FROM `blog_post`.`created_at`) = 4"},
	        {"created_at__second__in", CORM_IN_INTS(5, 6),
	         " WHERE EXTRACT(SECOND FROM `blog_post`.`created_at`) IN (5, 6)"},
	        {"created_at__date", corm_v_text("2024-01-02"),
	         " WHERE DATE(`blog_post`.`created_at`) = '2024-01-02'"},
	        {"view_count__lt", corm_v_expr(corm_f("id")),
	         " WHERE `blog_post`.`view_count` < `blog_post`.`id`"},
	        {"author", corm_v_int(1), " WHERE `blog_post`.`author_id` = 1"},
	        {"pk", corm_v_int(3), " WHERE `blog_post`.`id` = 3"},
	        {"title", corm_v_null(), " WHERE `blog_post`.`title` IS NULL"},
	        {"title", corm_v_text("' OR '1'='1"),
	         " WHERE `blog_post`.`title` = ''' OR ''1''=''1'"},
	};
	size_t n;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		qs = corm_objects(env->db, &Post_model);
		corm_order_by_n(qs, NULL, 0);
		ASSERT_OK(env, corm_filter(qs, corm_q_new(cases[i].path, cases[i].v)));
		assert_sql(env, qs, cases[i].tail);
		ASSERT_OK(env, corm_len(qs, &n));
		corm_qs_free(qs);
	}

	qs = corm_objects(env->db, &Post_model);
	corm_order_by_n(qs, NULL, 0);
	corm_exclude(qs, CORM_Q("category_id", 2));
	assert_sql(env, qs,
	           " WHERE NOT (`blog_post`.`category_id` = 2 AND `blog_post`.`category_id` IS "
	           "NOT NULL)");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	corm_slice(qs, 5, 10);
	assert_sql(env, qs, " ORDER BY `blog_post`.`created_at` DESC LIMIT 5 OFFSET 5");
	corm_qs_free(qs);

	/* an OFFSET alone needs a LIMIT on MariaDB: Django's 2**64 - 1 */
	qs = corm_objects(env->db, &Post_model);
	corm_slice(qs, 5, CORM_END);
	assert_sql(env, qs,
	           " ORDER BY `blog_post`.`created_at` DESC LIMIT 18446744073709551615 OFFSET 5");
	ASSERT_OK(env, corm_len(qs, &n));
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	corm_order_by(qs, "?");
	assert_sql(env, qs, " ORDER BY RAND() ASC");
	ASSERT_OK(env, corm_len(qs, &n));
	corm_qs_free(qs);

	/* the values stay bound parameters */
	qs = corm_objects(env->db, &Post_model);
	corm_order_by_n(qs, NULL, 0);
	corm_filter(qs, CORM_Q("title__contains", "' OR 1=1 --"));
	const char *raw;
	const corm_value *params;
	ASSERT_OK(env, corm_qs_sql(qs, &raw, &params, &n));
	assert_non_null(strstr(raw, "WHERE `blog_post`.`title` LIKE BINARY ?"));
	assert_int_equal(n, 1);
	assert_string_equal(params[0].u.text, "%' OR 1=1 --%");
	corm_qs_free(qs);
}

/*
 * test_sql_text on PostgreSQL: Django's postgresql operators (the column cast
 * to text for the text lookups, UPPER() for the i-lookups, LIKE with its
 * default backslash escape and no ESCAPE clause, ~ and ~* for regex, the
 * pattern_esc REPLACE()s for expressions), EXTRACT from the UTC wall time,
 * $n placeholders, OFFSET without LIMIT. Each query also runs, so the server
 * accepts every form. Two deliberate differences from Django 3.2: iexact
 * with a value is LIKE UPPER(%s) (corm LIKE-escapes iexact values, Django on
 * PostgreSQL does not: '=' would then miss '100%'), and second is FLOORed to
 * whole seconds as on every other backend (Django 4.2 truncates it too).
 */
static void sql_text_postgres(test_env *env)
{
	corm_qs *qs = corm_objects(env->db, &Post_model);
	corm_filter(qs, CORM_Q("is_active", true), CORM_Q("view_count__gt", 5));
	corm_slice(qs, 0, 20);
	assert_sql(env, qs,
	           " WHERE (\"blog_post\".\"is_active\" AND \"blog_post\".\"view_count\" > 5) "
	           "ORDER BY \"blog_post\".\"created_at\" DESC LIMIT 20");
	corm_qs_free(qs);
	const char *esc = "REPLACE(REPLACE(REPLACE(\"blog_post\".\"slug\", E'\\\\', "
	                  "E'\\\\\\\\'), E'%', E'\\\\%'), E'_', E'\\\\_')";
	char contains_f[512], iendswith_f[512];
	snprintf(contains_f, sizeof contains_f,
	         " WHERE \"blog_post\".\"title\"::text LIKE '%%' || %s || '%%'", esc);
	snprintf(iendswith_f, sizeof iendswith_f,
	         " WHERE UPPER(\"blog_post\".\"title\"::text) LIKE '%%' || UPPER(%s)", esc);
	struct {
		const char *path;
		corm_value v;
		const char *tail;
	} cases[] = {
	        {"title__icontains", corm_v_text("dj%a_n"),
	         " WHERE UPPER(\"blog_post\".\"title\"::text) LIKE UPPER('%dj\\%a\\_n%')"},
	        {"title__iexact", corm_v_text("x"),
	         " WHERE UPPER(\"blog_post\".\"title\"::text) LIKE UPPER('x')"},
	        {"title__contains", corm_v_text("x"),
	         " WHERE \"blog_post\".\"title\"::text LIKE '%x%'"},
	        {"title__startswith", corm_v_text("x"),
	         " WHERE \"blog_post\".\"title\"::text LIKE 'x%'"},
	        {"title__endswith", corm_v_text("x"),
	         " WHERE \"blog_post\".\"title\"::text LIKE '%x'"},
	        {"title__istartswith", corm_v_text("x"),
	         " WHERE UPPER(\"blog_post\".\"title\"::text) LIKE UPPER('x%')"},
	        {"title__iendswith", corm_v_text("x"),
	         " WHERE UPPER(\"blog_post\".\"title\"::text) LIKE UPPER('%x')"},
	        {"title__contains", corm_v_expr(corm_f("slug")), contains_f},
	        {"title__iendswith", corm_v_expr(corm_f("slug")), iendswith_f},
	        {"id__in", CORM_IN_INTS(1, 2), " WHERE \"blog_post\".\"id\" IN (1, 2)"},
	        {"category__isnull", corm_v_bool(true),
	         " WHERE \"blog_post\".\"category_id\" IS NULL"},
	        {"view_count__range", CORM_IN_INTS(1, 5),
	         " WHERE \"blog_post\".\"view_count\" BETWEEN 1 AND 5"},
	        {"title__regex", corm_v_text("^a"), " WHERE \"blog_post\".\"title\"::text ~ '^a'"},
	        {"title__iregex", corm_v_text("^a"),
	         " WHERE \"blog_post\".\"title\"::text ~* '^a'"},
	        {"created_at__year", corm_v_int(2024),
	         " WHERE \"blog_post\".\"created_at\" BETWEEN '2024-01-01 00:00:00' AND "
	         "'2024-12-31 23:59:59.999999'"},
	        {"created_at__year__gte", corm_v_int(2024),
	         " WHERE \"blog_post\".\"created_at\" >= '2024-01-01 00:00:00'"},
	        {"created_at__month", corm_v_int(3),
	         " WHERE EXTRACT('month' FROM \"blog_post\".\"created_at\" AT TIME ZONE 'UTC') = "
	         "3"},
	        {"created_at__week_day", corm_v_int(2),
	         " WHERE EXTRACT('dow' FROM \"blog_post\".\"created_at\" AT TIME ZONE 'UTC') + 1 = "
	         "2"},
	        {"created_at__day", corm_v_int(1),
	         " WHERE EXTRACT('day' FROM \"blog_post\".\"created_at\" AT TIME ZONE 'UTC') = 1"},
	        {"created_at__hour__gte", corm_v_int(3),
	         " WHERE EXTRACT('hour' FROM \"blog_post\".\"created_at\" AT TIME ZONE 'UTC') >= "
	         "3"},
	        {"created_at__minute", corm_v_int(4),
	         " WHERE EXTRACT('minute' FROM \"blog_post\".\"created_at\" AT TIME ZONE 'UTC') = "
	         "4"},
	        {"created_at__second__in", CORM_IN_INTS(5, 6),
	         " WHERE FLOOR(EXTRACT('second' FROM \"blog_post\".\"created_at\" AT TIME ZONE "
	         "'UTC')) IN (5, 6)"},
	        {"created_at__date", corm_v_text("2024-01-02"),
	         " WHERE (\"blog_post\".\"created_at\" AT TIME ZONE 'UTC')::date = '2024-01-02'"},
	        {"view_count__lt", corm_v_expr(corm_f("id")),
	         " WHERE \"blog_post\".\"view_count\" < \"blog_post\".\"id\""},
	        {"author", corm_v_int(1), " WHERE \"blog_post\".\"author_id\" = 1"},
	        {"pk", corm_v_int(3), " WHERE \"blog_post\".\"id\" = 3"},
	        {"title", corm_v_null(), " WHERE \"blog_post\".\"title\" IS NULL"},
	        {"title", corm_v_text("' OR '1'='1"),
	         " WHERE \"blog_post\".\"title\" = ''' OR ''1''=''1'"},
	};
	size_t n;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		qs = corm_objects(env->db, &Post_model);
		corm_order_by_n(qs, NULL, 0);
		ASSERT_OK(env, corm_filter(qs, corm_q_new(cases[i].path, cases[i].v)));
		assert_sql(env, qs, cases[i].tail);
		ASSERT_OK(env, corm_len(qs, &n));
		corm_qs_free(qs);
	}

	qs = corm_objects(env->db, &Post_model);
	corm_order_by_n(qs, NULL, 0);
	corm_exclude(qs, CORM_Q("category_id", 2));
	assert_sql(env, qs,
	           " WHERE NOT (\"blog_post\".\"category_id\" = 2 AND "
	           "\"blog_post\".\"category_id\" IS NOT NULL)");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	corm_slice(qs, 5, 10);
	assert_sql(env, qs, " ORDER BY \"blog_post\".\"created_at\" DESC LIMIT 5 OFFSET 5");
	corm_qs_free(qs);

	/* Django's no_limit_value() is None on PostgreSQL: OFFSET stands alone */
	qs = corm_objects(env->db, &Post_model);
	corm_slice(qs, 5, CORM_END);
	assert_sql(env, qs, " ORDER BY \"blog_post\".\"created_at\" DESC OFFSET 5");
	ASSERT_OK(env, corm_len(qs, &n));
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	corm_order_by(qs, "?");
	assert_sql(env, qs, " ORDER BY RANDOM() ASC");
	ASSERT_OK(env, corm_len(qs, &n));
	corm_qs_free(qs);

	/* the values stay bound parameters */
	qs = corm_objects(env->db, &Post_model);
	corm_order_by_n(qs, NULL, 0);
	corm_filter(qs, CORM_Q("title__contains", "' OR 1=1 --"));
	const char *raw;
	const corm_value *params;
	ASSERT_OK(env, corm_qs_sql(qs, &raw, &params, &n));
	assert_non_null(strstr(raw, "WHERE \"blog_post\".\"title\"::text LIKE $1"));
	assert_int_equal(n, 1);
	assert_string_equal(params[0].u.text, "%' OR 1=1 --%");
	corm_qs_free(qs);
}

static void test_sql_text(void **state)
{
	test_env *env = *state;
	if (strcmp(test_backend(), "mysql") == 0) { /* MariaDB's dialect: see sql_text_mysql */
		sql_text_mysql(env);
		return;
	}
	if (strcmp(test_backend(), "postgres") == 0) { /* PostgreSQL's: see sql_text_postgres */
		sql_text_postgres(env);
		return;
	}
	corm_qs *qs = corm_objects(env->db, &Post_model);
	corm_filter(qs, CORM_Q("is_active", true), CORM_Q("view_count__gt", 5));
	corm_slice(qs, 0, 20);
	assert_sql(env, qs,
	           " WHERE (\"blog_post\".\"is_active\" AND \"blog_post\".\"view_count\" > 5) "
	           "ORDER BY \"blog_post\".\"created_at\" DESC LIMIT 20");
	corm_qs_free(qs);

	struct {
		const char *path;
		corm_value v;
		const char *tail;
	} cases[] = {
	        {"title__icontains", corm_v_text("dj%a_n"),
	         " WHERE \"blog_post\".\"title\" LIKE '%dj\\%a\\_n%' ESCAPE '\\'"},
	        {"title__iexact", corm_v_text("x"),
	         " WHERE \"blog_post\".\"title\" LIKE 'x' ESCAPE '\\'"},
	        {"title__startswith", corm_v_text("x"),
	         " WHERE \"blog_post\".\"title\" LIKE 'x%' ESCAPE '\\'"},
	        {"title__iendswith", corm_v_text("x"),
	         " WHERE \"blog_post\".\"title\" LIKE '%x' ESCAPE '\\'"},
	        {"id__in", CORM_IN_INTS(1, 2), " WHERE \"blog_post\".\"id\" IN (1, 2)"},
	        {"category__isnull", corm_v_bool(true),
	         " WHERE \"blog_post\".\"category_id\" IS NULL"},
	        {"view_count__range", CORM_IN_INTS(1, 5),
	         " WHERE \"blog_post\".\"view_count\" BETWEEN 1 AND 5"},
	        {"title__regex", corm_v_text("^a"), " WHERE \"blog_post\".\"title\" REGEXP '^a'"},
	        {"title__iregex", corm_v_text("^a"),
	         " WHERE \"blog_post\".\"title\" REGEXP '(?i)' || '^a'"},
	        {"created_at__year", corm_v_int(2024),
	         " WHERE \"blog_post\".\"created_at\" BETWEEN '2024-01-01 00:00:00' AND "
	         "'2024-12-31 23:59:59.999999'"},
	        {"created_at__year__gte", corm_v_int(2024),
	         " WHERE \"blog_post\".\"created_at\" >= '2024-01-01 00:00:00'"},
	        {"created_at__month", corm_v_int(3),
	         " WHERE (CAST(strftime('%m', \"blog_post\".\"created_at\") AS INTEGER)) = 3"},
	        {"created_at__week_day", corm_v_int(2),
	         " WHERE (CAST(strftime('%w', \"blog_post\".\"created_at\") AS INTEGER) + 1) = 2"},
	        {"created_at__day", corm_v_int(1),
	         " WHERE (CAST(strftime('%d', \"blog_post\".\"created_at\") AS INTEGER)) = 1"},
	        {"created_at__hour__gte", corm_v_int(3),
	         " WHERE (CAST(strftime('%H', \"blog_post\".\"created_at\") AS INTEGER)) >= 3"},
	        {"created_at__minute", corm_v_int(4),
	         " WHERE (CAST(strftime('%M', \"blog_post\".\"created_at\") AS INTEGER)) = 4"},
	        {"created_at__second__in", CORM_IN_INTS(5, 6),
	         " WHERE (CAST(strftime('%S', \"blog_post\".\"created_at\") AS INTEGER)) IN (5, "
	         "6)"},
	        {"created_at__date", corm_v_text("2024-01-02"),
	         " WHERE date(\"blog_post\".\"created_at\") = '2024-01-02'"},
	        {"view_count__lt", corm_v_expr(corm_f("id")),
	         " WHERE \"blog_post\".\"view_count\" < \"blog_post\".\"id\""},
	        {"author", corm_v_int(1), " WHERE \"blog_post\".\"author_id\" = 1"},
	        {"author_id", corm_v_int(1), " WHERE \"blog_post\".\"author_id\" = 1"},
	        {"pk", corm_v_int(3), " WHERE \"blog_post\".\"id\" = 3"},
	        {"title", corm_v_null(), " WHERE \"blog_post\".\"title\" IS NULL"},
	        {"title", corm_v_text("' OR '1'='1"),
	         " WHERE \"blog_post\".\"title\" = ''' OR ''1''=''1'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		qs = corm_objects(env->db, &Post_model);
		corm_order_by_n(qs, NULL, 0);
		ASSERT_OK(env, corm_filter(qs, corm_q_new(cases[i].path, cases[i].v)));
		assert_sql(env, qs, cases[i].tail);
		corm_qs_free(qs);
	}

	qs = corm_objects(env->db, &Post_model);
	corm_order_by_n(qs, NULL, 0);
	corm_exclude(qs, CORM_Q("title", "a"));
	assert_sql(env, qs, " WHERE NOT (\"blog_post\".\"title\" = 'a')");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	corm_order_by_n(qs, NULL, 0);
	corm_exclude(qs, CORM_Q("category_id", 2));
	assert_sql(env, qs,
	           " WHERE NOT (\"blog_post\".\"category_id\" = 2 AND "
	           "\"blog_post\".\"category_id\" IS NOT NULL)");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	corm_order_by_n(qs, NULL, 0);
	corm_filter(qs, corm_or(CORM_Q("title", "a"), corm_not(CORM_Q("slug", "b"))));
	assert_sql(env, qs,
	           " WHERE (\"blog_post\".\"title\" = 'a' OR NOT (\"blog_post\".\"slug\" = 'b'))");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	corm_slice(qs, 5, 10);
	assert_sql(env, qs, " ORDER BY \"blog_post\".\"created_at\" DESC LIMIT 5 OFFSET 5");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	corm_reverse(qs);
	corm_distinct(qs);
	char *sql;
	ASSERT_OK(env, corm_qs_str(qs, &sql));
	assert_non_null(strstr(sql, "SELECT DISTINCT "));
	assert_non_null(strstr(sql, " ORDER BY \"blog_post\".\"created_at\" ASC"));
	corm_mem_free(sql);
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	corm_order_by(qs, "?");
	assert_sql(env, qs, " ORDER BY RANDOM() ASC");
	corm_qs_free(qs);

	/* the values stay bound parameters */
	qs = corm_objects(env->db, &Post_model);
	corm_order_by_n(qs, NULL, 0);
	corm_filter(qs, CORM_Q("title__contains", "' OR 1=1 --"));
	const char *raw;
	const corm_value *params;
	size_t n;
	ASSERT_OK(env, corm_qs_sql(qs, &raw, &params, &n));
	assert_non_null(strstr(raw, "WHERE \"blog_post\".\"title\" LIKE ? ESCAPE '\\'"));
	assert_int_equal(n, 1);
	assert_string_equal(params[0].u.text, "%' OR 1=1 --%");
	corm_qs_free(qs);
}

static void test_lookups_match(void **state)
{
	test_env *env = *state;
	seed(env);
	struct {
		const char *path;
		corm_value v;
		const char *expect;
	} cases[] = {
	        {"title__icontains", corm_v_text("DJANGO"), "Learning Django"},
	        {"title__contains", corm_v_text("%"), "100% _real_ \\ stuff"},
	        {"title__contains", corm_v_text("_real_"), "100% _real_ \\ stuff"},
	        {"title__contains", corm_v_text("\\"), "100% _real_ \\ stuff"},
	        {"title__startswith", corm_v_text("Py"), "Python tips"},
	        {"title__iendswith", corm_v_text("NEWS"), "Old news"},
	        {"title__iexact", corm_v_text("python TIPS"), "Python tips"},
	        {"view_count__gte", corm_v_int(1500), "Learning Django"},
	        {"view_count__lte", corm_v_int(5), "Old news"},
	        {"view_count__range", CORM_IN_INTS(40, 60), "Python tips"},
	        {"slug__in", CORM_IN_TEXTS("old-news", "nope"), "Old news"},
	        {"title__regex", corm_v_text("^Py.*s$"), "Python tips"},
	        {"title__iregex", corm_v_text("^old"), "Old news"},
	        {"is_active", corm_v_bool(false), "Old news"},
	        {"title", corm_v_text("' OR '1'='1"), ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		corm_qs *qs = corm_objects(env->db, &Post_model);
		ASSERT_OK(env, corm_filter(qs, corm_q_new(cases[i].path, cases[i].v)));
		char buf[256];
		titles(env, qs, buf, sizeof buf);
		if (strcmp(buf, cases[i].expect) != 0)
			fail_msg("%s: got '%s', expected '%s'", cases[i].path, buf,
			         cases[i].expect);
		corm_qs_free(qs);
	}
	/*
	 * Case sensitivity follows each database, as in Django. MariaDB compares text
	 * under the column's collation, utf8mb4_general_ci by default: `exact` and `in`
	 * ignore case there, while contains/startswith/endswith use LIKE BINARY and
	 * regex REGEXP BINARY (case-sensitive). SQLite compares `exact` bytewise but its
	 * LIKE folds ASCII case, so contains/startswith/endswith ignore it.
	 */
	if (strcmp(test_backend(), "mysql") == 0 || strcmp(test_backend(), "sqlite") == 0) {
		bool my = strcmp(test_backend(), "mysql") == 0;
		struct {
			const char *path;
			corm_value v;
			const char *sqlite, *mysql;
		} fold[] = {
		        {"title", corm_v_text("learning DJANGO"), "", "Learning Django"},
		        {"slug__in", CORM_IN_TEXTS("OLD-NEWS"), "", "Old news"},
		        {"title__contains", corm_v_text("django"), "Learning Django", ""},
		        {"title__startswith", corm_v_text("py"), "Python tips", ""},
		        {"title__endswith", corm_v_text("NEWS"), "Old news", ""},
		        {"title__regex", corm_v_text("^py"), "", ""},
		        {"title__iregex", corm_v_text("^py"), "Python tips", "Python tips"},
		};
		for (size_t i = 0; i < sizeof fold / sizeof fold[0]; i++) {
			corm_qs *qs = corm_objects(env->db, &Post_model);
			ASSERT_OK(env, corm_filter(qs, corm_q_new(fold[i].path, fold[i].v)));
			char buf[256];
			titles(env, qs, buf, sizeof buf);
			const char *want = my ? fold[i].mysql : fold[i].sqlite;
			if (strcmp(buf, want) != 0)
				fail_msg("%s on %s: got '%s', expected '%s'", fold[i].path,
				         test_backend(), buf, want);
			corm_qs_free(qs);
		}
	}
	/*
	 * PostgreSQL compares text bytewise and its LIKE and ~ are case-sensitive, as in
	 * Django: only the i-lookups fold case.
	 */
	if (strcmp(test_backend(), "postgres") == 0) {
		struct {
			const char *path;
			corm_value v;
			const char *expect;
		} pg[] = {
		        {"title", corm_v_text("learning DJANGO"), ""},
		        {"slug__in", CORM_IN_TEXTS("OLD-NEWS"), ""},
		        {"title__contains", corm_v_text("django"), ""},
		        {"title__icontains", corm_v_text("django"), "Learning Django"},
		        {"title__startswith", corm_v_text("py"), ""},
		        {"title__istartswith", corm_v_text("py"), "Python tips"},
		        {"title__endswith", corm_v_text("NEWS"), ""},
		        {"title__regex", corm_v_text("^py"), ""},
		        {"title__iregex", corm_v_text("^py"), "Python tips"},
		        {"title__iexact", corm_v_text("100% _REAL_ \\ STUFF"),
		         "100% _real_ \\ stuff"},
		        {"title__iexact", corm_v_text("100_ _REAL_ \\ STUFF"), ""},
		};
		for (size_t i = 0; i < sizeof pg / sizeof pg[0]; i++) {
			corm_qs *qs = corm_objects(env->db, &Post_model);
			ASSERT_OK(env, corm_filter(qs, corm_q_new(pg[i].path, pg[i].v)));
			char buf[256];
			titles(env, qs, buf, sizeof buf);
			if (strcmp(buf, pg[i].expect) != 0)
				fail_msg("%s on postgres: got '%s', expected '%s'", pg[i].path, buf,
				         pg[i].expect);
			corm_qs_free(qs);
		}
	}
	/* empty `in` matches nothing and runs no SQL */
	corm_qs *qs = corm_objects(env->db, &Post_model);
	test_clear_queries(env);
	ASSERT_OK(env, corm_filter(qs, corm_q_new("id__in", corm_v_int_list(NULL, 0))));
	size_t n;
	ASSERT_OK(env, corm_len(qs, &n));
	assert_int_equal(n, 0);
	assert_int_equal(env->nqueries, 0);
	corm_qs_free(qs);
	/* ... but OR with something else keeps the other branch */
	qs = corm_objects(env->db, &Post_model);
	corm_filter(qs, corm_or(corm_q_new("id__in", corm_v_int_list(NULL, 0)),
	                        CORM_Q("slug", "old-news")));
	ASSERT_OK(env, corm_len(qs, &n));
	assert_int_equal(n, 1);
	corm_qs_free(qs);
	/* year and date transforms on real rows */
	int year;
	corm_datetime_to_parts(corm_datetime_now(), &year, NULL, NULL, NULL, NULL, NULL, NULL);
	qs = corm_objects(env->db, &Post_model);
	corm_filter(qs, CORM_Q("created_at__year__gte", year),
	            CORM_Q("created_at__year__lt", year + 1));
	int64_t count;
	ASSERT_OK(env, corm_count(qs, &count));
	assert_int_equal(count, 4);
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Post_model);
	corm_filter(qs, CORM_Q("created_at__date", corm_date_today()));
	ASSERT_OK(env, corm_count(qs, &count));
	assert_int_equal(count, 4);
	corm_qs_free(qs);
}

static void test_in_list_100k(void **state)
{
	test_env *env = *state;
	seed(env);
	int64_t *ids = malloc(100000 * sizeof *ids);
	for (int i = 0; i < 100000; i++)
		ids[i] = i + 1;
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_filter(qs, corm_q_new("id__in", corm_v_int_list(ids, 100000))));
	free(ids);
	int64_t n;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 4);
	corm_qs_free(qs);
	if (strcmp(test_backend(), "mysql") == 0) {
		/* MariaDB reads the list as one JSON parameter through JSON_TABLE (MariaDB
		 * >= 10.6), in a column type wide enough that no value is clipped into one that is
		 * stored; text compares under the column's collation, like a plain IN list */
		const char *raw;
		size_t np;
		qs = corm_objects(env->db, &Post_model);
		int64_t *many = malloc(20000 * sizeof *many);
		for (int i = 0; i < 20000; i++)
			many[i] = i + 1;
		ASSERT_OK(env, corm_filter(qs, corm_q_new("id__in", corm_v_int_list(many, 20000))));
		free(many);
		ASSERT_OK(env, corm_qs_sql(qs, &raw, NULL, &np));
		assert_non_null(strstr(raw, "WHERE `blog_post`.`id` IN (SELECT `value` FROM "
		                            "JSON_TABLE(?, '$[*]' COLUMNS (`value` bigint PATH "
		                            "'$')) AS `corm_in`)"));
		assert_int_equal(np, 1);
		corm_qs_free(qs);

		/* varchar(50): a 51-character value must not match its 50-character prefix */
		char slug50[51], slug51[52];
		memset(slug50, 'a', 50);
		slug50[50] = '\0';
		memset(slug51, 'a', 51);
		slug51[51] = '\0';
		qs = corm_objects(env->db, &Post_model);
		corm_filter(qs, CORM_Q("slug", "python-tips"));
		ASSERT_OK(env, corm_update(qs, CORM_KWARGS(CORM_KW("slug", slug50)), NULL));
		corm_qs_free(qs);
		const char **texts = malloc(20002 * sizeof *texts);
		char(*fill)[16] = malloc(20000 * sizeof *fill);
		for (int i = 0; i < 20000; i++) {
			snprintf(fill[i], sizeof fill[i], "slug-%d", i);
			texts[i] = fill[i];
		}
		texts[20000] = slug51;
		texts[20001] = "OLD-NEWS";
		qs = corm_objects(env->db, &Post_model);
		ASSERT_OK(env,
		          corm_filter(qs, corm_q_new("slug__in", corm_v_text_list(texts, 20002))));
		char buf[256];
		titles(env, qs, buf, sizeof buf);
		assert_string_equal(buf, "Old news");
		corm_qs_free(qs);
		free(texts);
		free(fill);

		/* datetime(6): microseconds survive the JSON text */
		Post *old;
		qs = corm_objects(env->db, &Post_model);
		ASSERT_OK(env, corm_get(qs, &old, CORM_Q("slug", "old-news")));
		corm_qs_free(qs);
		corm_value *when = malloc(20000 * sizeof *when);
		for (int i = 0; i < 20000; i++)
			when[i] = corm_v_datetime((corm_datetime){
			        old->created_at.us - 1 - (i == 0 ? 0 : 86400000000LL * i)});
		when[19999] = corm_v_datetime(old->created_at);
		qs = corm_objects(env->db, &Post_model);
		ASSERT_OK(env,
		          corm_filter(qs, corm_q_new("created_at__in", corm_v_list(when, 20000))));
		int64_t in_list, exact;
		ASSERT_OK(env, corm_count(qs, &in_list));
		corm_qs_free(qs);
		qs = corm_objects(env->db, &Post_model);
		ASSERT_OK(env, corm_filter(qs, corm_q_new("created_at",
		                                          corm_v_datetime(old->created_at))));
		ASSERT_OK(env, corm_count(qs, &exact));
		corm_qs_free(qs);
		assert_true(exact >= 1);
		assert_int_equal(in_list, exact);
		free(when);
		corm_free(old);
	}
}

static void test_values(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	corm_order_by(qs, "view_count");
	ASSERT_OK(env, corm_values(qs, "id", "title", "author_id"));
	const corm_row *row;
	assert_int_equal(corm_next_row(qs, &row), CORM_ROW);
	assert_int_equal(corm_row_len(row), 3);
	assert_string_equal(corm_row_name(row, 1), "title");
	assert_string_equal(corm_row_get(row, "title")->u.text, "Old news");
	assert_int_equal(corm_row_get(row, "author_id")->type, CORM_TYPE_INT);
	assert_null(corm_row_get(row, "nope"));
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	corm_order_by(qs, "-view_count");
	ASSERT_OK(env, corm_values_list(qs, true, "view_count"));
	int64_t got[4];
	int i = 0;
	while (corm_next_row(qs, &row) == CORM_ROW)
		got[i++] = corm_row_cell(row, 0)->u.i;
	assert_int_equal(i, 4);
	assert_int_equal(got[0], 1500);
	assert_int_equal(got[3], 5);
	corm_qs_free(qs);

	/* flat=True one value at a time */
	qs = corm_objects(env->db, &Post_model);
	corm_order_by(qs, "view_count");
	ASSERT_OK(env, corm_values_list(qs, true, "view_count"));
	const corm_value *v;
	int64_t flat[4];
	i = 0;
	while (corm_next_value(qs, &v) == CORM_ROW)
		flat[i++] = v->u.i;
	assert_int_equal(i, 4);
	assert_int_equal(flat[0], 5);
	assert_int_equal(flat[1], 50);
	assert_int_equal(flat[2], 120);
	assert_int_equal(flat[3], 1500);
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_values_list(qs, false, "view_count"));
	assert_int_equal(corm_next_value(qs, &v), CORM_EINVAL);
	assert_null(v);
	assert_string_equal(corm_errmsg(env->db),
	                    "corm_next_value: call corm_values_list() with flat=true first");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_values_list(qs, true, "id", "title"), CORM_EINVAL);
	assert_string_equal(
	        corm_errmsg(env->db),
	        "'flat' is not valid when values_list is called with more than one field.");
	corm_qs_free(qs);
}

/* Enough rows that the cells array grows: every row keeps its own values, in order. */
static void test_values_many_rows(void **state)
{
	test_env *env = *state;
	enum { N = 150 };
	char name[32];
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "user%03d", i);
		corm_free(test_user(env, name));
	}
	corm_qs *qs = corm_objects(env->db, &User_model);
	corm_order_by(qs, "-username");
	ASSERT_OK(env, corm_values(qs, "username", "email"));
	const corm_row *rows[N], *row;
	int n = 0;
	while (corm_next_row(qs, &row) == CORM_ROW)
		rows[n++] = row;
	assert_int_equal(n, N);
	for (int i = 0; i < N; i++) { /* rows stay valid and distinct while the cache lives */
		snprintf(name, sizeof name, "user%03d", N - 1 - i);
		assert_string_equal(corm_row_get(rows[i], "username")->u.text, name);
		strcat(name, "@example.com");
		assert_string_equal(corm_row_cell(rows[i], 1)->u.text, name);
	}
	corm_qs_free(qs);

	/* the same through iterator(): one row reused, each read fresh */
	qs = corm_objects(env->db, &User_model);
	corm_order_by(qs, "username");
	ASSERT_OK(env, corm_values_list(qs, false, "username", "is_staff"));
	ASSERT_OK(env, corm_iterator(qs, 7));
	n = 0;
	while (corm_next_row(qs, &row) == CORM_ROW) {
		snprintf(name, sizeof name, "user%03d", n++);
		assert_int_equal(corm_row_len(row), 2);
		assert_string_equal(corm_row_cell(row, 0)->u.text, name);
		assert_int_equal(corm_row_cell(row, 1)->type, CORM_TYPE_BOOL);
	}
	assert_int_equal(n, N);
	corm_qs_free(qs);
}

static void test_first_last_get_at(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	corm_order_by(qs, "view_count");
	Post *p;
	ASSERT_OK(env, corm_first(qs, &p));
	assert_string_equal(p->title, "Old news");
	corm_free(p);
	ASSERT_OK(env, corm_last(qs, &p));
	assert_string_equal(p->title, "Learning Django");
	corm_free(p);
	ASSERT_OK(env, corm_at(qs, 1, &p));
	assert_string_equal(p->title, "Python tips");
	corm_free(p);
	assert_int_equal(corm_at(qs, 10, &p), CORM_ENOTFOUND);
	assert_int_equal(corm_at(qs, -1, &p), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db), "Negative indexing is not supported.");
	assert_int_equal(corm_slice(qs, -1, 2), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db), "Negative indexing is not supported.");
	/* the error is sticky: evaluation reports it too */
	size_t n;
	assert_int_equal(corm_len(qs, &n), CORM_EINVAL);
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_get(qs, &p, CORM_Q("slug", "python-tips")));
	assert_int_equal(p->view_count, 50);
	corm_free(p);
	assert_int_equal(corm_get(qs, &p, CORM_Q("slug", "nope")), CORM_ENOTFOUND);
	assert_string_equal(corm_errmsg(env->db),
	                    "Post matching query does not exist (slug='nope').");
	assert_int_equal(corm_get(qs, &p, CORM_Q("is_active", true)), CORM_EMULTIPLE);
	assert_string_equal(corm_errmsg(env->db),
	                    "get() returned more than one Post -- it returned 3! (is_active=True)");
	assert_null(p);
	bool exists;
	ASSERT_OK(env, corm_exists(qs, &exists));
	assert_true(exists);
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	corm_none(qs);
	ASSERT_OK(env, corm_exists(qs, &exists));
	assert_false(exists);
	corm_qs_free(qs);
}

static void test_iterator_streams(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	corm_order_by(qs, "id");
	ASSERT_OK(env, corm_iterator(qs, 2));
	Post *p;
	int n = 0;
	/* one instance is reused: each row's texts, longer or shorter than the last, read whole */
	static const char *const want[] = {"Learning Django", "Python tips", "Old news",
	                                   "100% _real_ \\ stuff"};
	while (corm_next(qs, &p) == CORM_ROW) {
		assert_string_equal(p->title, want[n]);
		assert_int_equal(corm_pk(p), n + 1);
		if (n ==
		    1) /* the caller may change the borrowed instance; the next row is intact */
			ASSERT_OK(env, corm_set(p, "title",
			                        corm_v_text("a much longer title than any")));
		n++;
	}
	assert_int_equal(n, 4);
	/* not cached: a second pass queries again */
	size_t before = env->nqueries;
	while (corm_next(qs, &p) == CORM_ROW)
		n++;
	assert_int_equal(n, 8);
	assert_int_equal(env->nqueries, before + 1);
	corm_qs_free(qs);
}

/* The text `n` bytes long that row i carries: its first letter tells the rows apart. */
static char *body_of(int i, size_t n)
{
	char *b = malloc(n + 1);
	for (size_t k = 0; k < n; k++)
		b[k] = (char)('a' + (i + k) % 26);
	b[n] = '\0';
	return b;
}

/*
 * Texts that grow and shrink from row to row come back whole, through the
 * cache and through iterator() (whose instance keeps its buffers; MariaDB
 * grows its fetch buffers as it meets longer values), also when another query
 * runs on the connection between two rows.
 */
static void test_texts_of_every_length(void **state)
{
	test_env *env = *state;
	static const size_t lengths[] = {10, 300, 5000, 70000, 0, 20, 300, 65535, 7};
	enum { N = sizeof lengths / sizeof lengths[0] };
	User *u = test_user(env, "alice");
	for (int i = 0; i < N; i++) {
		char slug[16], *body = body_of(i, lengths[i]);
		snprintf(slug, sizeof slug, "s%d", i);
		Post *p;
		ASSERT_OK(env,
		          corm_create(env->db, &Post_model, &p,
		                      CORM_KWARGS(CORM_KW("title", slug), CORM_KW("slug", slug),
		                                  CORM_KW("body", body), CORM_KW("author", CORM_OBJ(u)),
		                                  CORM_KW("view_count", i))));
		corm_free(p);
		free(body);
	}
	for (size_t chunk = 0; chunk <= 2; chunk += 2) {
		corm_qs *qs = corm_objects(env->db, &Post_model);
		corm_order_by(qs, "view_count");
		if (chunk)
			ASSERT_OK(env, corm_iterator(qs, chunk));
		Post *p;
		int n = 0;
		while (corm_next(qs, &p) == CORM_ROW) {
			char *want = body_of(n, lengths[n]);
			assert_int_equal(strlen(p->body), lengths[n]);
			assert_string_equal(p->body, want);
			free(want);
			if (n == 3) { /* the connection is needed mid-iteration */
				corm_qs *other = corm_objects(env->db, &Post_model);
				int64_t count;
				ASSERT_OK(env, corm_count(other, &count));
				assert_int_equal(count, N);
				corm_qs_free(other);
			}
			n++;
		}
		assert_int_equal(n, N);
		corm_qs_free(qs);
	}
	corm_free(u);
}

static void test_q_dynamic_and_f(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_q *q = corm_q_empty();
	q = corm_and(q, CORM_Q("title__icontains", "t"));
	q = corm_and(q, CORM_Q("view_count__gt", 10));
	corm_qs *qs = corm_objects(env->db, &Post_model);
	corm_order_by(qs, "title");
	ASSERT_OK(env, corm_filter(qs, q));
	char buf[256];
	titles(env, qs, buf, sizeof buf);
	assert_string_equal(buf, "100% _real_ \\ stuff,Python tips");
	corm_qs_free(qs);

	/* (A OR B) AND NOT C */
	qs = corm_objects(env->db, &Post_model);
	corm_order_by(qs, "title");
	corm_filter(qs,
	            corm_and(corm_or(CORM_Q("view_count__gt", 1000), CORM_Q("is_active", false)),
	                     corm_not(CORM_Q("title__icontains", "old"))));
	titles(env, qs, buf, sizeof buf);
	assert_string_equal(buf, "Learning Django");
	corm_qs_free(qs);

	/* update(view_count=F('view_count') + 1) */
	qs = corm_objects(env->db, &Post_model);
	corm_filter(qs, CORM_Q("slug", "python-tips"));
	int64_t rows;
	ASSERT_OK(env, corm_update(qs,
	                           CORM_KWARGS(CORM_KW("view_count",
	                                               CORM_F_ADD(corm_f("view_count"), 1))),
	                           &rows));
	assert_int_equal(rows, 1);
	test_pg_placeholders(env->queries[env->nqueries - 1]);
	if (strcmp(test_backend(), "mysql") == 0) /* backticks */
		assert_string_equal(
		        env->queries[env->nqueries - 1],
		        "UPDATE `blog_post` SET `view_count` = (`blog_post`.`view_count` + "
		        "?) WHERE `blog_post`.`slug` = ?");
	else
		assert_string_equal(env->queries[env->nqueries - 1],
		                    "UPDATE \"blog_post\" SET \"view_count\" = "
		                    "(\"blog_post\".\"view_count\" + ?) WHERE "
		                    "\"blog_post\".\"slug\" = ?");
	Post *p;
	ASSERT_OK(env, corm_get(qs, &p, corm_q_empty()));
	assert_int_equal(p->view_count, 51);
	corm_free(p);
	corm_qs_free(qs);

	/* F() comparing two fields */
	qs = corm_objects(env->db, &Post_model);
	corm_filter(qs, CORM_Q("view_count__lt", corm_f("id")));
	int64_t n;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 0);
	corm_qs_free(qs);
}

static void test_bad_input(void **state)
{
	test_env *env = *state;
	corm_qs *qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_filter(qs, CORM_Q("titel__icontains", "x")), CORM_EFIELD);
	assert_string_equal(
	        corm_errmsg(env->db),
	        "Cannot resolve keyword 'titel' into field of blog.Post. Choices are: author, "
	        "author_id, body, category, "
	        "category_id, created_at, id, is_active, slug, title, updated_at, view_count");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_filter(qs, CORM_Q("title__icontainz", "x")), CORM_EFIELD);
	assert_string_equal(corm_errmsg(env->db),
	                    "Unsupported lookup 'icontainz' for CharField 'title' of blog.Post, "
	                    "perhaps you meant icontains? "
	                    "Choices are: contains, endswith, exact, gt, gte, icontains, "
	                    "iendswith, iexact, in, iregex, isnull, "
	                    "istartswith, lt, lte, range, regex, startswith.");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_filter(qs, CORM_Q("view_count", "abc")), CORM_ETYPE);
	assert_string_equal(corm_errmsg(env->db),
	                    "Field 'Post.view_count' expected a number but got 'abc'.");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_order_by(qs, "nope"), CORM_EFIELD);
	assert_non_null(strstr(corm_errmsg(env->db),
	                       "Cannot resolve keyword 'nope' into field of blog.Post."));
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_filter(qs, CORM_Q("title__year", 2020)), CORM_EFIELD);
	corm_qs_free(qs);

	/* NULL handles and out pointers */
	assert_int_equal(corm_filter(NULL, CORM_Q("title", "x")), CORM_EINVAL);
	assert_int_equal(corm_count(NULL, NULL), CORM_EINVAL);
	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_count(qs, NULL), CORM_EINVAL);
	assert_int_equal(corm_next(qs, NULL), CORM_EINVAL);
	assert_int_equal(corm_filter(qs, NULL), CORM_ENOMEM);
	corm_qs_free(qs);
	assert_null(corm_objects(NULL, &Post_model));
}

static void test_unicode_literal(void **state)
{
	test_env *env = *state;
	User *u = test_user(env, "\xc3\xa9mile");
	Post *p = test_post(env, u, "\xc3\x89t\xc3\xa9 \xf0\x9f\x98\x80 'quoted' \"double\"",
	                    "unicode", 1, true);
	corm_free(p);
	corm_free(u);
	struct {
		const char *path;
		const char *value;
		int64_t count;
	} cases[] = {
	        {"title", "\xc3\x89t\xc3\xa9 \xf0\x9f\x98\x80 'quoted' \"double\"", 1},
	        {"title__contains", "\xf0\x9f\x98\x80", 1},
	        {"title__icontains", "\xc3\xa9t\xc3\xa9",
	         0}, /* SQLite's LIKE folds ASCII only, as Django on SQLite */
	        {"title__icontains", "'QUOTED'", 1},
	        {"author__in", "1", 1},
	        /* utf8mb4_general_ci folds case and accents for every letter: MariaDB only */
	        {"title__icontains", "ETE", 0},
	};
	if (strcmp(test_backend(), "mysql") == 0) {
		/* MariaDB's default collation (utf8mb4_general_ci) folds 'É' to 'é', and to 'e',
		 * as Django on MySQL does */
		cases[2].count = 1;
		cases[5].count = 1;
	}
	/* PostgreSQL's UPPER() folds non-ASCII letters in the database's UTF-8 ctype (C.UTF-8,
	 * en_US.UTF-8): 'été' matches 'Été', but accents stay ('ETE' does not), as in Django */
	if (strcmp(test_backend(), "postgres") == 0)
		cases[2].count = 1;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		corm_qs *qs = corm_objects(env->db, &Post_model);
		corm_q *q = strcmp(cases[i].path, "author__in") == 0
		                    ? corm_q_new(cases[i].path, CORM_IN_TEXTS(cases[i].value))
		                    : corm_q_new(cases[i].path, corm_v_text(cases[i].value));
		ASSERT_OK(env, corm_filter(qs, q));
		int64_t n;
		ASSERT_OK(env, corm_count(qs, &n));
		if (n != cases[i].count)
			fail_msg("%s=%s: %lld rows, expected %lld", cases[i].path, cases[i].value,
			         (long long)n, (long long)cases[i].count);
		corm_qs_free(qs);
	}
}

static void test_select_for_update_sql(void **state)
{
	test_env *env = *state;
	corm_qs *qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_select_for_update(qs, CORM_LOCK_NOWAIT | CORM_LOCK_SKIP_LOCKED),
	                 CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db),
	                    "The nowait option cannot be used with skip_locked.");
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Post_model);
	corm_order_by_n(qs, NULL, 0);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("pk", 1)));
	ASSERT_OK(env, corm_select_for_update(qs, CORM_LOCK_NOWAIT));
	ASSERT_OK(env, corm_atomic_begin(env->db));
	if (strcmp(test_backend(), "sqlite") == 0) {
		/* SQLite has no row locks (a write transaction locks the file): the clause is left
		 * out, as in Django */
		assert_sql(env, qs, " WHERE \"blog_post\".\"id\" = 1");
	} else {
		char *sql;
		ASSERT_OK(env, corm_qs_str(qs, &sql));
		assert_non_null(strstr(sql, " FOR UPDATE NOWAIT"));
		corm_mem_free(sql);
	}
	size_t n;
	ASSERT_OK(env, corm_len(qs, &n));
	assert_int_equal(n, 0);
	ASSERT_OK(env, corm_atomic_rollback(env->db));
	corm_qs_free(qs);
}

/* The per-connection statement cache: reuse, nesting, invalidation and the off switch. */
static void test_statement_cache(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_db *db = env->db;
	corm_qs *qs = corm_objects(db, &Post_model);
	for (int round = 0; round < 2; round++) {
		size_t before = db->ncache;
		for (int i = 1; i <= 3; i++) {
			Post *p;
			ASSERT_OK(env, corm_get(qs, &p, CORM_Q("pk", i)));
			assert_int_equal(corm_pk(p), i);
			corm_free(p);
		}
		/* three gets of one shape: one cached statement (added in round 0, reused in round
		 * 1) */
		assert_int_equal(db->ncache, round == 0 ? before + 1 : before);
	}
	/* the same shape evaluated while it is being iterated gets a statement of its own */
	corm_qs *outer = corm_objects(db, &Post_model);
	corm_filter(outer, CORM_Q("pk__gte", 1));
	ASSERT_OK(env, corm_iterator(outer, 1));
	Post *p;
	int n = 0;
	while (corm_next(outer, &p) == CORM_ROW) {
		corm_qs *inner = corm_objects(db, &Post_model);
		corm_filter(inner, CORM_Q("pk__gte", corm_pk(p)));
		int64_t count;
		ASSERT_OK(env, corm_count(inner, &count));
		corm_qs_free(inner);
		n++;
	}
	assert_int_equal(n, 4);
	corm_qs_free(outer);
	/* raw SQL may change the schema: the cache is emptied */
	ASSERT_OK(env, corm_execute(db, "SELECT 1", NULL, 0, NULL));
	assert_int_equal(db->ncache, 0);
	/* turned off, everything still works */
	ASSERT_OK(env, corm_set_statement_cache(db, 0));
	ASSERT_OK(env, corm_get(qs, &p, CORM_Q("pk", 2)));
	corm_free(p);
	assert_int_equal(db->ncache, 0);
	ASSERT_OK(env, corm_set_statement_cache(db, 2));
	corm_qs_free(qs);
}

/* NULLS FIRST / LAST: the modifier where the backend has it, Django's emulation elsewhere. */
static void test_nulls_ordering(void **state)
{
	test_env *env = *state;
	Kitchen *k;
	int ratings[] = {3, -1, 1}; /* -1: NULL */
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(env, corm_new(&Kitchen_model, &k));
		k->big = i;
		if (ratings[i] < 0)
			corm_set_null(k, &k->rating, true);
		else
			ASSERT_OK(env, CORM_SET(k, "rating", ratings[i]));
		ASSERT_OK(env, corm_save(env->db, k));
		corm_free(k);
	}
	struct {
		const char *name;
		corm_nulls nulls;
		bool reverse;
		const char *expect;
	} cases[] = {
	        {"rating", CORM_NULLS_LAST, false, "2,0,1"},
	        {"rating", CORM_NULLS_FIRST, false, "1,2,0"},
	        {"-rating", CORM_NULLS_LAST, false, "0,2,1"},
	        {"-rating", CORM_NULLS_FIRST, false, "1,0,2"},
	        {"rating", CORM_NULLS_LAST, true, "1,0,2"}, /* reverse() flips the NULLs too */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		corm_qs *qs = corm_objects(env->db, &Kitchen_model);
		ASSERT_OK(env, corm_order_by_nulls(qs, cases[i].name, cases[i].nulls));
		if (cases[i].reverse)
			ASSERT_OK(env, corm_reverse(qs));
		char got[32] = "";
		while (corm_next(qs, &k) == CORM_ROW)
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld",
			         got[0] ? "," : "", (long long)k->big);
		if (strcmp(got, cases[i].expect) != 0)
			fail_msg("order %s nulls %d: got %s, expected %s", cases[i].name,
			         cases[i].nulls, got, cases[i].expect);
		const char *sql;
		ASSERT_OK(env, corm_qs_sql(qs, &sql, NULL, NULL));
		if (strcmp(test_backend(), "mysql") ==
		    0) /* no NULLS FIRST/LAST in MariaDB: Django's IS NULL term */
			assert_non_null(strstr(sql, "`stars` IS "));
		else
			assert_non_null(
			        strstr(sql, (cases[i].nulls == CORM_NULLS_LAST) != cases[i].reverse
			                            ? "NULLS LAST"
			                            : "NULLS FIRST"));
		corm_qs_free(qs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_lazy_and_cached, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_sql_text, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_lookups_match, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_in_list_100k, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_values, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_values_many_rows, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_first_last_get_at, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_iterator_streams, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_texts_of_every_length, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_q_dynamic_and_f, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_bad_input, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_unicode_literal, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_select_for_update_sql, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_statement_cache, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_nulls_ordering, test_setup, test_teardown),
	};
	return cmocka_run_group_tests_name("queryset", tests, NULL, NULL);
}
