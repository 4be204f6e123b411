/* Helpers shared by the test suites: a fresh database per test, query capture. */
#ifndef CORM_TEST_SUPPORT_H
#define CORM_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "models.h"

typedef struct test_env {
	corm_registry *reg;
	corm_db *db;
	char *queries[256]; /* SQL captured by the query log */
	size_t nqueries;
} test_env;

/* The backend under test: CORM_TEST_BACKEND = sqlite (default), postgres or mysql. */
const char *test_backend(void);
/* Its URL: in-memory SQLite, or CORM_TEST_POSTGRES_URL / CORM_TEST_MYSQL_URL (exits if unset). */
const char *test_url(void);
/* Opens the backend named by CORM_TEST_BACKEND (default sqlite://:memory:), registers the blog
 * models and creates their tables. */
int test_setup(void **state);
/* The same with these models (added in this order) instead of the blog's. */
int test_setup_models(void **state, const corm_model *const *models, size_t n);
int test_teardown(void **state);
/* Forgets the captured queries. */
void test_clear_queries(test_env *env);
/* Creates a user; returns it (owned by the caller). */
User *test_user(test_env *env, const char *username);
/* Creates a post with the given title/slug/views; returns it (owned by the caller). */
Post *test_post(test_env *env, User *author, const char *title, const char *slug, int views,
                bool active);

/*
 * PostgreSQL numbers its placeholders ($1, $2, ...) where SQLite writes '?':
 * on postgres, checks that they run $1..$n in order and rewrites them to '?'.
 */
void test_pg_placeholders(char *sql);
/* Asserts corm_qs_str(qs): `expected` in SQLite's quoting, turned into the backend's
 * ("..." -> `...` on MariaDB). */
void test_assert_qs_str(test_env *env, corm_qs *qs, const char *expected);

#define ASSERT_OK(env, expr)                                                                       \
	do {                                                                                       \
		int rc_ = (expr);                                                                  \
		if (rc_ != CORM_OK)                                                                \
			fail_msg("%s -> %s: %s", #expr, corm_err_name(rc_),                        \
			         corm_errmsg((env)->db));                                          \
	} while (0)

#endif
