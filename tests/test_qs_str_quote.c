/*
 * corm_qs_str writes each parameter as the backend's server parses it (13.17):
 * the displayed SQL, run as it is, selects exactly the rows the QuerySet does.
 * On MariaDB a backslash escapes the next character, so a value holding \'
 * used to end the literal early and let the rest of the value run as SQL.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"

/* Runs `DELETE FROM table WHERE id IN (<displayed SQL of qs's ids>)`; returns the count. */
static int64_t delete_displayed(test_env *env, corm_qs *qs, const char *table)
{
	char *shown = NULL;
	ASSERT_OK(env, corm_values_list(qs, true, "id"));
	ASSERT_OK(env, corm_qs_str(qs, &shown));
	char sql[2048];
	snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id IN (SELECT id FROM (%s) AS shown)",
	         table, shown);
	int64_t rows = -1;
	int rc = corm_execute(env->db, sql, NULL, 0, &rows);
	if (rc)
		fail_msg("%s\n-> %s: %s", sql, corm_strerror(rc), corm_errmsg(env->db));
	corm_mem_free(shown);
	return rows;
}

static int64_t count(test_env *env, const corm_model *model)
{
	corm_qs *qs = corm_objects(env->db, model);
	int64_t n = -1;
	ASSERT_OK(env, corm_count(qs, &n));
	corm_qs_free(qs);
	return n;
}

static const char *const titles[] = {
        "it's",    "back\\slash",  "dq\"x",  "\\' OR 1=1 -- ", "trail\\",
        "\\\\'';", "new\nline\t.", "pct%_x", "plain",          "lit\\%\\_\\\\%",
};
#define NTITLES (sizeof titles / sizeof titles[0])

static void test_text_values_parse_back(void **state)
{
	test_env *env = *state;
	User *u = test_user(env, "alice");
	for (size_t i = 0; i < NTITLES; i++) {
		char slug[16];
		snprintf(slug, sizeof slug, "s%zu", i);
		corm_free(test_post(env, u, titles[i], slug, 0, true));
	}
	/* exact, then a LIKE pattern (its escapes are in the value) */
	for (size_t i = 0; i < NTITLES; i++) {
		int64_t before = count(env, &Post_model);
		corm_qs *qs = corm_objects(env->db, &Post_model);
		ASSERT_OK(env, corm_filter(qs, CORM_Q("title", titles[i])));
		if (delete_displayed(env, qs, "blog_post") != 1)
			fail_msg("title %zu: the displayed SQL did not match exactly its row", i);
		corm_qs_free(qs);
		assert_int_equal(count(env, &Post_model), before - 1);
		qs = corm_objects(env->db, &Post_model);
		ASSERT_OK(env, corm_filter(qs, CORM_Q("title", titles[i])));
		int64_t left = -1;
		ASSERT_OK(env, corm_count(qs, &left));
		assert_int_equal(left, 0); /* the row deleted was that one */
		corm_qs_free(qs);
	}
	corm_free(test_post(env, u, "50% off \\o/ 'now'", "pat", 0, true));
	corm_free(test_post(env, u, "50 off", "decoy", 0, true));
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("title__contains", "% off \\o/ 'n")));
	assert_int_equal(delete_displayed(env, qs, "blog_post"), 1);
	corm_qs_free(qs);
	assert_int_equal(count(env, &Post_model), 1);
	corm_free(u);
}

/* The MariaDB injection through the display: with standard '' doubling only, \' ended the
 * literal and " OR 1=1 -- " matched every row. */
static void test_display_of_backslash_quote(void **state)
{
	test_env *env = *state;
	User *u = test_user(env, "alice");
	corm_free(test_post(env, u, "x\\' OR 1=1 -- ", "a", 0, true));
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("title", "x\\' OR 1=1 -- ")));
	ASSERT_OK(env, corm_values_list(qs, true, "id"));
	char *shown = NULL;
	ASSERT_OK(env, corm_qs_str(qs, &shown));
	const char *want = strcmp(test_backend(), "mysql") == 0 ? "= 'x\\\\'' OR 1=1 -- '"
	                                                        : "= 'x\\'' OR 1=1 -- '";
	if (!strstr(shown, want))
		fail_msg("%s does not hold %s", shown, want);
	corm_mem_free(shown);
	corm_qs_free(qs);
	corm_free(u);
}

/* A JSON value: its quotes escaped like any text. */
static void test_json_value_parses_back(void **state)
{
	test_env *env = *state;
	json_t *a = json_pack("{s:s, s:s}", "k", "it's \"q\" \\", "o", "\\'");
	json_t *b = json_pack("{s:s}", "k", "other");
	ASSERT_OK(env, corm_create(env->db, &Kitchen_model, NULL,
	                           CORM_KWARGS(CORM_KW("big", 1), CORM_KW("data", a))));
	ASSERT_OK(env, corm_create(env->db, &Kitchen_model, NULL,
	                           CORM_KWARGS(CORM_KW("big", 2), CORM_KW("data", b))));
	corm_qs *qs = corm_objects(env->db, &Kitchen_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("data", a)));
	int64_t n = -1;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 1);
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Kitchen_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("data", a)));
	assert_int_equal(delete_displayed(env, qs, "blog_kitchen"), 1);
	corm_qs_free(qs);
	Kitchen *k = NULL;
	qs = corm_objects(env->db, &Kitchen_model);
	ASSERT_OK(env, corm_get(qs, &k, corm_q_empty()));
	assert_int_equal(k->big, 2);
	corm_free(k);
	corm_qs_free(qs);
	json_decref(a);
	json_decref(b);
}

/* Bytes: a hex literal of the backend's form (X'..', PostgreSQL '\x..'::bytea). */
static void test_bytes_value_parses_back(void **state)
{
	test_env *env = *state;
	static const char blob[] = {'a', 0, '\'', '\\', (char)0xff, '"'};
	ASSERT_OK(env, corm_create(env->db, &Kitchen_model, NULL,
	                           CORM_KWARGS(CORM_KW("big", 1),
	                                       CORM_KW("blob", corm_v_bytes(blob, sizeof blob)))));
	ASSERT_OK(env, corm_create(env->db, &Kitchen_model, NULL,
	                           CORM_KWARGS(CORM_KW("big", 2),
	                                       CORM_KW("blob", corm_v_bytes(blob, 2)))));
	corm_qs *qs = corm_objects(env->db, &Kitchen_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("blob", corm_v_bytes(blob, sizeof blob))));
	char *shown = NULL;
	ASSERT_OK(env, corm_qs_str(qs, &shown));
	const char *want = strcmp(test_backend(), "postgres") == 0 ? "'\\x6100275cff22'::bytea"
	                                                           : "X'6100275cff22'";
	if (!strstr(shown, want))
		fail_msg("%s does not hold %s", shown, want);
	corm_mem_free(shown);
	assert_int_equal(delete_displayed(env, qs, "blog_kitchen"), 1);
	corm_qs_free(qs);
	Kitchen *k = NULL;
	qs = corm_objects(env->db, &Kitchen_model);
	ASSERT_OK(env, corm_get(qs, &k, corm_q_empty()));
	assert_int_equal(k->big, 2);
	corm_free(k);
	corm_qs_free(qs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_text_values_parse_back, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_display_of_backslash_quote, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_json_value_parses_back, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_bytes_value_parses_back, test_setup,
	                                        test_teardown),
	};
	return cmocka_run_group_tests_name("qs_str_quote", tests, NULL, NULL);
}
