#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static void capture(const char *sql, void *ctx)
{
	test_env *env = ctx;
	if (env->nqueries < sizeof env->queries / sizeof env->queries[0])
		env->queries[env->nqueries++] = strdup(sql);
}

void test_clear_queries(test_env *env)
{
	for (size_t i = 0; i < env->nqueries; i++)
		free(env->queries[i]);
	env->nqueries = 0;
}

const char *test_backend(void)
{
	const char *b = getenv("CORM_TEST_BACKEND");
	return b && *b ? b : "sqlite";
}

const char *test_url(void)
{
	const char *backend = test_backend();
	if (strcmp(backend, "sqlite") == 0)
		return "sqlite://:memory:";
	/* servers started by `make test` export CORM_TEST_POSTGRES_URL / CORM_TEST_MYSQL_URL */
	char var[64];
	snprintf(var, sizeof var, "CORM_TEST_%s_URL",
	         strcmp(backend, "postgres") == 0 ? "POSTGRES" : "MYSQL");
	const char *url = getenv(var);
	if (!url || !*url) {
		fprintf(stderr,
		        "%s is not set: run the suites through `make test`, which starts the "
		        "servers\n",
		        var);
		exit(1); /* never skip: a missing server is a failure */
	}
	return url;
}

int test_setup_models(void **state, const corm_model *const *models, size_t n)
{
	test_env *env = calloc(1, sizeof *env);
	if (!env || corm_registry_new(&env->reg))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (corm_registry_add(env->reg, models[i])) {
			fprintf(stderr, "registry: %s\n", corm_registry_errmsg(env->reg));
			return -1;
		}
	if (corm_registry_ready(env->reg)) {
		fprintf(stderr, "registry: %s\n", corm_registry_errmsg(env->reg));
		return -1;
	}
	if (corm_open(&env->db, test_url())) {
		fprintf(stderr, "cannot open %s: %s\n", test_backend(), corm_errmsg(env->db));
		return -1;
	}
	/* a server database outlives the test: start from no tables */
	corm_drop_tables(env->db, env->reg);
	if (corm_create_tables(env->db, env->reg)) {
		fprintf(stderr, "create tables: %s\n", corm_errmsg(env->db));
		return -1;
	}
	corm_set_query_log(env->db, capture, env);
	*state = env;
	return 0;
}

int test_setup(void **state)
{
	const corm_model *const blog[] = {&User_model, &Category_model, &Post_model,
	                                  &Kitchen_model};
	return test_setup_models(state, blog, sizeof blog / sizeof blog[0]);
}

int test_teardown(void **state)
{
	test_env *env = *state;
	test_clear_queries(env);
	corm_set_query_log(env->db, NULL, NULL);
	if (corm_atomic_depth(env->db) > 0)
		corm_atomic_rollback(env->db);
	corm_drop_tables(env->db, env->reg);
	corm_close(env->db);
	corm_registry_free(env->reg);
	free(env);
	return 0;
}

User *test_user(test_env *env, const char *username)
{
	User *u = NULL;
	char email[128];
	snprintf(email, sizeof email, "%s@example.com", username);
	ASSERT_OK(env,
	          corm_create(env->db, &User_model, &u,
	                      CORM_KWARGS(CORM_KW("username", username), CORM_KW("email", email))));
	return u;
}

Post *test_post(test_env *env, User *author, const char *title, const char *slug, int views,
                bool active)
{
	Post *p = NULL;
	ASSERT_OK(env,
	          corm_create(
	                  env->db, &Post_model, &p,
	                  CORM_KWARGS(CORM_KW("title", title), CORM_KW("slug", slug),
	                              CORM_KW("body", "Hello"), CORM_KW("author", CORM_OBJ(author)),
	                              CORM_KW("view_count", views), CORM_KW("is_active", active))));
	return p;
}

/*
 * PostgreSQL numbers its placeholders ($1, $2, ...) where SQLite writes '?':
 * on postgres, checks that they run $1..$n in order and rewrites them to '?'
 * so the SQL text can be compared with the shared expectation.
 */
void test_pg_placeholders(char *sql)
{
	if (strcmp(test_backend(), "postgres") != 0)
		return;
	char *out = sql;
	int n = 0;
	for (const char *p = sql; *p;) {
		if (*p != '$') {
			*out++ = *p++;
			continue;
		}
		char *end;
		long k = strtol(p + 1, &end, 10);
		if (end == p + 1 || k != ++n)
			fail_msg("placeholder %d is not $%d in %s", n, n, p);
		*out++ = '?';
		p = end;
	}
	*out = '\0';
}

void test_assert_qs_str(test_env *env, corm_qs *qs, const char *expected)
{
	char *sql = NULL;
	ASSERT_OK(env, corm_qs_str(qs, &sql));
	char want[4096];
	snprintf(want, sizeof want, "%s", expected);
	if (!strcmp(test_backend(), "mysql"))
		for (char *p = want; *p; p++)
			if (*p == '"')
				*p = '`';
	assert_string_equal(sql, want);
	corm_mem_free(sql);
}
