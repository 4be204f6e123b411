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

int test_setup(void **state)
{
	test_env *env = calloc(1, sizeof *env);
	const char *url = getenv("CORM_TEST_URL");
	if (corm_registry_new(&env->reg) || corm_registry_add(env->reg, &Post_model) ||
	    corm_registry_add(env->reg, &Kitchen_model))
		return -1;
	if (corm_open(&env->db, url ? url : "sqlite://:memory:"))
		return -1;
	if (corm_create_tables(env->db, env->reg))
		return -1;
	corm_set_query_log(env->db, capture, env);
	*state = env;
	return 0;
}

int test_teardown(void **state)
{
	test_env *env = *state;
	test_clear_queries(env);
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
	ASSERT_OK(env, corm_create(env->db, &Post_model, &p,
	                           CORM_KWARGS(CORM_KW("title", title), CORM_KW("slug", slug),
	                                       CORM_KW("body", "Hello"), CORM_KW("author", author),
	                                       CORM_KW("view_count", views),
	                                       CORM_KW("is_active", active))));
	return p;
}
