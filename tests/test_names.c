/*
 * Generated names (13.16): table, index and constraint names longer than the
 * backend allows (PostgreSQL 63 bytes, MariaDB 64 characters) are shortened as
 * Django 3.2 does (truncate_name and _create_index_name with names_digest),
 * counted in characters and never cut inside a UTF-8 sequence; the DDL
 * script is not split at a ";\n" inside a quoted name.
 *
 * The expected ASCII names were produced by Django 3.2.25 (python3-django),
 * django.db.backends.utils.truncate_name(table, 63 / 64) and
 * BaseDatabaseSchemaEditor._create_index_name with max_name_length() of each
 * backend (None for SQLite, so 200), and Index.set_name_with_model.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"

typedef struct ArchiveEntryWithAnExceptionallyLongDescriptiveModelNameForTests {
	corm_obj obj;
	char *headline_of_the_archive_entry_which_is_long;
	corm_fk author;
	int32_t n;
} ArchiveEntryWithAnExceptionallyLongDescriptiveModelNameForTests;
typedef ArchiveEntryWithAnExceptionallyLongDescriptiveModelNameForTests Archive;

static const corm_field archive_fields[] = {
        CORM_CHAR(ArchiveEntryWithAnExceptionallyLongDescriptiveModelNameForTests,
                  headline_of_the_archive_entry_which_is_long, .max_length = 50, .db_index = true),
        CORM_FK(ArchiveEntryWithAnExceptionallyLongDescriptiveModelNameForTests, author,
                &User_model, CORM_CASCADE, .related_name = "archives"),
        CORM_INT(ArchiveEntryWithAnExceptionallyLongDescriptiveModelNameForTests, n),
};
static corm_model Archive_model = CORM_MODEL(
        ArchiveEntryWithAnExceptionallyLongDescriptiveModelNameForTests, "blog", archive_fields,
        .unique_together = {{"headline_of_the_archive_entry_which_is_long", "n"}},
        .indexes = {{{"n"}}});

/* Non-ASCII names: the table is 62 characters but 66 bytes (PostgreSQL counts bytes), the
 * first column 64 characters (71 bytes), the second 73 characters. */
typedef struct Buch {
	corm_obj obj;
	char *titel;
	int32_t jahr;
	corm_fk author;
} Buch;

static const corm_field buch_fields[] = {
        CORM_CHAR(Buch, titel, .max_length = 100, .db_index = true,
                  .db_column = "\xc3\xbc"
                               "berschrift_des_eintrags_in_der_gro\xc3\x9f"
                               "en_\xc3\xb6"
                               "ffentlichen_b\xc3\xbc"
                               "cherei_\xc3\xa4\xc3\xb6\xc3\xbc"),
        CORM_INT(Buch, jahr,
                 .db_column = "erscheinungsjahr_des_buches_laut_titelblatt_gr\xc3\xb6\xc3\x9f"
                              "er_als_null_\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f_und_mehr"),
        CORM_FK(Buch, author, &User_model, CORM_CASCADE, .related_name = "buecher"),
};
static corm_model Buch_model =
        CORM_MODEL(Buch, "blog", buch_fields,
                   .db_table = "b\xc3\xbc"
                               "cher_und_zeitschriften_der_gro\xc3\x9f"
                               "en_\xc3\xb6"
                               "ffentlichen_stadtb\xc3\xbc"
                               "cherei",
                   .unique_together = {{"titel", "jahr"}}, .indexes = {{{"jahr"}}});

/* A quoted name holding ";\n". */
typedef struct Semi {
	corm_obj obj;
	char *text;
} Semi;
static const corm_field semi_fields[] = {
        CORM_CHAR(Semi, text, .max_length = 20, .db_index = true, .db_column = "a;\nb"),
};
static corm_model Semi_model = CORM_MODEL(Semi, "blog", semi_fields, .db_table = "semi;\ncolon");

static bool is(const char *backend)
{
	return strcmp(test_backend(), backend) == 0;
}

typedef struct names_env {
	corm_registry *reg;
	corm_db *db;
} names_env;

static int setup(void **state)
{
	static names_env env;
	if (corm_registry_new(&env.reg) || corm_registry_add(env.reg, &User_model) ||
	    corm_registry_add(env.reg, &Archive_model) || corm_registry_add(env.reg, &Buch_model) ||
	    corm_registry_add(env.reg, &Semi_model) || corm_registry_ready(env.reg))
		return -1;
	if (corm_open(&env.db, test_url()))
		return -1;
	corm_drop_tables(env.db, env.reg);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	names_env *env = *state;
	corm_drop_tables(env->db, env->reg);
	corm_close(env->db);
	corm_registry_free(env->reg);
	return 0;
}

#define OK(expr)                                                                                   \
	do {                                                                                       \
		int rc_ = (expr);                                                                  \
		if (rc_)                                                                           \
			fail_msg("%s -> %s: %s", #expr, corm_strerror(rc_), corm_errmsg(env->db)); \
	} while (0)

/* Whether s[0..len) is well-formed UTF-8 (no cut sequence). */
static bool valid_utf8(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n = c < 0x80         ? 1
		           : (c >> 5) == 6  ? 2
		           : (c >> 4) == 14 ? 3
		           : (c >> 3) == 30 ? 4
		                            : 0;
		if (!n || i + n > len)
			return false;
		for (size_t k = 1; k < n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += n;
	}
	return true;
}

static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Every quoted name in the DDL is whole UTF-8 and within the backend's limit. */
static void check_names(const char *sql)
{
	char q = is("mysql") ? '`' : '"';
	for (const char *p = strchr(sql, q); p; p = strchr(p, q)) {
		const char *end = strchr(p + 1, q);
		assert_non_null(end);
		size_t len = (size_t)(end - p - 1);
		if (!valid_utf8((const unsigned char *)p + 1, len))
			fail_msg("name %.*s is cut inside a UTF-8 sequence", (int)len, p + 1);
		if (is("postgres") && len > 63)
			fail_msg("name %.*s is %zu bytes (PostgreSQL: 63)", (int)len, p + 1, len);
		if (is("mysql") && utf8_chars(p + 1, len) > 64)
			fail_msg("name %.*s is over 64 characters", (int)len, p + 1);
		p = end + 1;
	}
}

static void expect_in(const char *sql, const char *name)
{
	char quoted[300];
	char q = is("mysql") ? '`' : '"';
	snprintf(quoted, sizeof quoted, "%c%s%c", q, name, q);
	if (!strstr(sql, quoted))
		fail_msg("%s is not in\n%s", quoted, sql);
}

static void test_django_names_ascii(void **state)
{
	names_env *env = *state;
	char *sql = NULL;
	OK(corm_schema_sql(env->db, env->reg, &sql));
	check_names(sql);
	if (is("sqlite")) {
		expect_in(sql,
		          "blog_archiveentrywithanexceptionallylongdescriptivemodelnamefortests");
		expect_in(sql,
		          "blog_archiveentrywithanexceptionallylongdescriptivemodelnamefortests_"
		          "headline_of_the_archive_entry_which_is_long_760608c6");
		expect_in(sql,
		          "blog_archiveentrywithanexceptionallylongdescriptivemodelnamefortests_"
		          "author_id_f4c29447");
		expect_in(sql,
		          "blog_archiveentrywithanexceptionallylongdescriptivemodelnamefortests_"
		          "headline_of_the_archive_entry_which_is_long_n_0310af2e_uniq");
		expect_in(sql, "blog_archiv_n_dc780d_idx");
	} else if (is("postgres")) {
		expect_in(sql, "blog_archiveentrywithanexceptionallylongdescriptivemodelnam2e30");
		expect_in(sql, "blog_archiveentrywithanexc_headline_of_the_archive_en_bfa3f4e6");
		expect_in(sql, "blog_archiveentrywithane_headline_of_the_archive__bfa3f4e6_like");
		expect_in(sql, "blog_archiveentrywithanexc_author_id_d3e6455a");
		expect_in(sql, "blog_archiveentrywit_author_id_d3e6455a_fk_auth_user");
		expect_in(sql, "blog_archiveentrywithane_headline_of_the_archive__cf222867_uniq");
		expect_in(sql, "blog_archiv_n_d0ebcb_idx");
	} else {
		expect_in(sql, "blog_archiveentrywithanexceptionallylongdescriptivemodelname2e30");
		expect_in(sql, "blog_archiveentrywithanexce_headline_of_the_archive_ent_7ad1e36b");
		expect_in(sql, "blog_archiveentrywit_author_id_355520b3_fk_auth_user");
		expect_in(sql, "blog_archiveentrywithane_headline_of_the_archive__5d105868_uniq");
		expect_in(sql, "blog_archiv_n_7d1b6e_idx");
	}
	corm_mem_free(sql);
}

/* The tables are made and used under their shortened names, on every backend. */
static void test_long_and_non_ascii_names_work(void **state)
{
	names_env *env = *state;
	OK(corm_create_tables(env->db, env->reg));
	User *u = NULL;
	OK(corm_create(env->db, &User_model, &u, CORM_KWARGS(CORM_KW("username", "ann"))));
	OK(corm_create(env->db, &Archive_model, NULL,
	               CORM_KWARGS(CORM_KW("headline_of_the_archive_entry_which_is_long", "h"),
	                           CORM_KW("author", CORM_OBJ(u)), CORM_KW("n", 3))));
	OK(corm_create(env->db, &Buch_model, NULL,
	               CORM_KWARGS(CORM_KW("titel", "B\xc3\xbc"
	                                            "cher"),
	                           CORM_KW("jahr", 1999), CORM_KW("author", CORM_OBJ(u)))));
	OK(corm_create(env->db, &Semi_model, NULL, CORM_KWARGS(CORM_KW("text", "x;\ny"))));
	/* the unique constraints exist under their names */
	assert_int_equal(corm_create(env->db, &Buch_model, NULL,
	                             CORM_KWARGS(CORM_KW("titel", "B\xc3\xbc"
	                                                          "cher"),
	                                         CORM_KW("jahr", 1999), CORM_KW("author", CORM_OBJ(u)))),
	                 CORM_ECONSTRAINT);
	corm_qs *qs = corm_objects(env->db, &Buch_model);
	Buch *b = NULL;
	OK(corm_get(qs, &b, CORM_Q("jahr__gt", 1000)));
	assert_string_equal(b->titel, "B\xc3\xbc"
	                              "cher");
	corm_free(b);
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Archive_model);
	Archive *a = NULL;
	OK(corm_get(qs, &a, CORM_Q("n", 3)));
	assert_int_equal(a->n, 3);
	corm_free(a);
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Semi_model);
	Semi *s = NULL;
	OK(corm_get(qs, &s, CORM_Q("text", "x;\ny")));
	corm_free(s);
	corm_qs_free(qs);
	char *sql = NULL;
	OK(corm_schema_sql(env->db, env->reg, &sql));
	check_names(sql);
	corm_mem_free(sql);
	/* the foreign keys exist under their names: the user cannot go while rows refer to it */
	assert_int_equal(corm_delete(env->db, u, NULL), CORM_ECONSTRAINT);
	corm_free(u);
	OK(corm_drop_tables(env->db, env->reg));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_django_names_ascii),
	        cmocka_unit_test(test_long_and_non_ascii_names_work),
	};
	return cmocka_run_group_tests_name("names", tests, setup, teardown);
}
