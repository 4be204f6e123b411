/*
 * regex/iregex on SQLite through PCRE2 (8.10): Perl-style constructs, Unicode
 * case folding for iregex, and a clear error naming a bad pattern.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"

static const char *const titles[] = {"Order 66", "Order sixty", "Ordering",
                                     "\xc3\x89"
                                     "cole d'"
                                     "\xc3\xa9t\xc3\xa9",
                                     "na\xc3\xafve caf\xc3\xa9"};

static void seed(test_env *env)
{
	User *u = test_user(env, "alice");
	for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
		char slug[16];
		snprintf(slug, sizeof slug, "s%zu", i);
		corm_free(test_post(env, u, titles[i], slug, 0, true));
	}
	corm_free(u);
}

/* The titles matching `lookup`=`pattern`, joined with '|' in id order. */
static void matching(test_env *env, const char *lookup, const char *pattern, char *out, size_t cap)
{
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q(lookup, pattern)));
	ASSERT_OK(env, corm_order_by(qs, "id"));
	*out = '\0';
	Post *p;
	int rc;
	while ((rc = corm_next(qs, &p)) == CORM_ROW) {
		if (*out)
			strncat(out, "|", cap - strlen(out) - 1);
		strncat(out, p->title, cap - strlen(out) - 1);
	}
	if (rc != CORM_DONE)
		fail_msg("%s=%s: %s", lookup, pattern, corm_errmsg(env->db));
	corm_qs_free(qs);
}

#define EXPECT(lookup, pattern, want)                                                              \
	do {                                                                                       \
		char got_[512];                                                                    \
		matching(env, lookup, pattern, got_, sizeof got_);                                 \
		assert_string_equal(got_, want);                                                   \
	} while (0)

static void test_perl_constructs(void **state)
{
	test_env *env = *state;
	seed(env);
	EXPECT("title__regex", "\\d+", "Order 66");
	EXPECT("title__regex", "^Order(?= \\d)", "Order 66");
	EXPECT("title__regex", "^Order(?!ing)\\b", "Order 66|Order sixty");
	EXPECT("title__regex", "(?<=Order )six", "Order sixty");
	EXPECT("title__regex", "^\\S+\\s\\S+$",
	       "Order 66|Order sixty|\xc3\x89"
	       "cole d'\xc3\xa9t\xc3\xa9|na\xc3\xafve caf\xc3\xa9");
	EXPECT("title__regex", "(\\w)\\1", "Order 66");
	EXPECT("title__regex", "(?:six|66)$", "Order 66");
	/* case-sensitive by default */
	EXPECT("title__regex", "^order", "");
	EXPECT("title__iregex", "^order \\d", "Order 66");
}

static void test_unicode(void **state)
{
	test_env *env = *state;
	seed(env);
	/* iregex folds non-ASCII letters (PCRE2_UTF | PCRE2_UCP) */
	EXPECT("title__iregex",
	       "^\xc3\xa9"
	       "cole",
	       "\xc3\x89"
	       "cole d'\xc3\xa9t\xc3\xa9");
	EXPECT("title__regex",
	       "^\xc3\xa9"
	       "cole",
	       "");
	EXPECT("title__iregex", "CAF\xc3\x89$", "na\xc3\xafve caf\xc3\xa9");
	/* one character, not one byte; \w knows letters beyond ASCII */
	EXPECT("title__regex", "^na.ve", "na\xc3\xafve caf\xc3\xa9");
	EXPECT("title__regex", "^\\w+ \\w+$", "Order 66|Order sixty|na\xc3\xafve caf\xc3\xa9");
}

static void test_bad_pattern(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("title__regex", "a(b")));
	int64_t n = -1;
	assert_int_equal(corm_count(qs, &n), CORM_EBACKEND);
	assert_string_equal(corm_errmsg(env->db),
	                    "invalid regular expression 'a(b': missing closing parenthesis at "
	                    "offset 3");
	corm_qs_free(qs);
	/* iregex names the pattern as given, with its (?i) */
	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("title__iregex", "x{2,1}")));
	assert_int_equal(corm_count(qs, &n), CORM_EBACKEND);
	assert_string_equal(corm_errmsg(env->db),
	                    "invalid regular expression '(?i)x{2,1}': numbers out of order in {} "
	                    "quantifier at offset 9");
	corm_qs_free(qs);
	/* the connection still works */
	EXPECT("title__regex", "^Order \\d", "Order 66");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_perl_constructs, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_unicode, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_bad_pattern, test_setup, test_teardown),
	};
	return cmocka_run_group_tests_name("regex_pcre", tests, NULL, NULL);
}
