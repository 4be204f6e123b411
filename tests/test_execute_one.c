/*
 * corm_execute runs one statement per call on every backend (13.14): a second
 * statement is refused before anything runs; a trailing ';', whitespace and
 * comments are fine; a ';' inside quoted text or a quoted name does not count,
 * read as each server reads its quotes.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"

static bool is(const char *backend)
{
	return strcmp(test_backend(), backend) == 0;
}

/* The username of the only user (the caller frees it), or NULL when there is none. */
static char *only_username(test_env *env)
{
	corm_qs *qs = corm_objects(env->db, &User_model);
	User *u = NULL;
	int rc = corm_get(qs, &u, corm_q_empty());
	corm_qs_free(qs);
	if (rc == CORM_ENOTFOUND)
		return NULL;
	if (rc)
		fail_msg("get: %s", corm_errmsg(env->db));
	char *name = strdup(u->username);
	corm_free(u);
	return name;
}

static void expect_name(test_env *env, const char *want)
{
	char *name = only_username(env);
	if (!name)
		fail_msg("the user is gone");
	assert_string_equal(name, want);
	free(name);
}

static void test_second_statement_refused(void **state)
{
	test_env *env = *state;
	corm_free(test_user(env, "alice"));
	const char *sql = "UPDATE auth_user SET username = 'bob'; DELETE FROM auth_user";
	int64_t rows = -1;
	assert_int_equal(corm_execute(env->db, sql, NULL, 0, &rows), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db), "corm_execute: only one statement per call "
	                                          "(found more after ';' at offset 37)");
	assert_int_equal(rows, -1);
	expect_name(env, "alice"); /* nothing of the first statement ran */
	/* a second statement after a comment and blank lines is still a second statement */
	assert_int_equal(corm_execute(env->db,
	                              "UPDATE auth_user SET username = 'bob';\n-- next\n\n"
	                              "  DELETE FROM auth_user;",
	                              NULL, 0, NULL),
	                 CORM_EINVAL);
	expect_name(env, "alice");
}

static void test_trailing_semicolon_and_comments(void **state)
{
	test_env *env = *state;
	corm_free(test_user(env, "alice"));
	int64_t rows = 0;
	ASSERT_OK(env,
	          corm_execute(env->db, "UPDATE auth_user SET username = 'bob';", NULL, 0, &rows));
	assert_int_equal(rows, 1);
	expect_name(env, "bob");
	ASSERT_OK(env, corm_execute(env->db,
	                            "UPDATE auth_user SET username = 'carol' ;  ; \n\t-- done; "
	                            "really\n/* and; this */ ",
	                            NULL, 0, NULL));
	expect_name(env, "carol");
	ASSERT_OK(env,
	          corm_execute(env->db, "UPDATE auth_user SET username = 'dave' -- a; comment\n",
	                       NULL, 0, NULL));
	expect_name(env, "dave");
}

static void test_semicolons_inside_quotes(void **state)
{
	test_env *env = *state;
	corm_free(test_user(env, "alice"));
	/* a string */
	ASSERT_OK(env,
	          corm_execute(env->db, "UPDATE auth_user SET username = 'a;b'", NULL, 0, NULL));
	expect_name(env, "a;b");
	/* a doubled quote inside the string, then a ';' still inside it */
	ASSERT_OK(env, corm_execute(env->db, "UPDATE auth_user SET username = 'it''s; c'", NULL, 0,
	                            NULL));
	expect_name(env, "it's; c");
	/* a quoted identifier holding a ';' (an alias) */
	const char *alias = is("mysql") ? "UPDATE auth_user SET username = (SELECT `x;y` FROM "
	                                  "(SELECT 'q;1' AS `x;y`) AS `t;`)"
	                                : "UPDATE auth_user SET username = (SELECT \"x;y\" FROM "
	                                  "(SELECT 'q;1' AS \"x;y\") AS \"t;\")";
	ASSERT_OK(env, corm_execute(env->db, alias, NULL, 0, NULL));
	expect_name(env, "q;1");
	/* the server's own escapes */
	if (is("mysql")) { /* a backslash escapes the quote: the string runs on */
		ASSERT_OK(env, corm_execute(env->db, "UPDATE auth_user SET username = 'x\\'; y'",
		                            NULL, 0, NULL));
		expect_name(env, "x'; y");
		ASSERT_OK(env, corm_execute(env->db, "UPDATE auth_user SET username = \"d;\\\"q\"",
		                            NULL, 0, NULL));
		expect_name(env, "d;\"q");
	} else if (is("postgres")) {
		ASSERT_OK(env, corm_execute(env->db, "UPDATE auth_user SET username = E'x\\'; y'",
		                            NULL, 0, NULL));
		expect_name(env, "x'; y");
		ASSERT_OK(env,
		          corm_execute(env->db, "UPDATE auth_user SET username = $tag$a;'b$tag$",
		                       NULL, 0, NULL));
		expect_name(env, "a;'b");
	} else {
		ASSERT_OK(env, corm_execute(env->db, "UPDATE auth_user SET username = [username]",
		                            NULL, 0, NULL));
		ASSERT_OK(env, corm_execute(env->db,
		                            "UPDATE auth_user SET username = (SELECT `a;` FROM "
		                            "(SELECT 'e;f' AS [a;]))",
		                            NULL, 0, NULL));
		expect_name(env, "e;f");
	}
	/* standard strings: a backslash is just a character, so the string ends at the second
	 * quote and what follows the ';' is a second statement (MariaDB reads it as an escape) */
	if (!is("mysql")) {
		assert_int_equal(corm_execute(env->db,
		                              "UPDATE auth_user SET username = 'z\\'; DELETE FROM "
		                              "auth_user; SELECT '",
		                              NULL, 0, NULL),
		                 CORM_EINVAL);
		assert_string_equal(corm_errmsg(env->db),
		                    "corm_execute: only one statement per call (found more after "
		                    "';' at offset 36)");
		expect_name(env, is("postgres") ? "a;'b" : "e;f");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_second_statement_refused, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_trailing_semicolon_and_comments, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_semicolons_inside_quotes, test_setup,
	                                        test_teardown),
	};
	return cmocka_run_group_tests_name("execute_one", tests, NULL, NULL);
}
