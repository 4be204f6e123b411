/*
 * test_validation.c - corm_full_clean(), Django 3.2's Model.full_clean().
 *
 * Every expected message was produced by Django 3.2 running the same
 * models (with the generic integer_field_range, as the SQLite backend has
 * none): the email and URL tables come from django.core.validators.
 * Self-contained: the models are declared here.
 */
#include <gmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corm/instance.h"
#include "corm/model.h"

/* ---- models ------------------------------------------------------------- */

typedef struct Author {
	corm_obj obj;
	char *name;
} Author;

static const corm_field author_fields[] = {
        CORM_CHAR(Author, name, .max_length = 50, .blank = true),
};
static corm_model Author_model = CORM_MODEL(Author, "val", author_fields, .verbose_name = "author");

typedef struct Article {
	corm_obj obj;
	char *title;
	char *slug;
	char *email;
	char *site;
	char *body;
	char *status;
	char *subtitle;
	char *initial;
	int16_t rank;
	int64_t count;
	int32_t views;
	int64_t big;
	int32_t small_wide;
	int32_t level;
	corm_decimal *price;
	corm_decimal *tiny;
	corm_decimal *ratio;
	json_t *data;
	json_t *extra;
	corm_fk author;
	corm_fk editor;
	corm_datetime published_at;
	corm_datetime created;
	char *internal;
} Article;

static const corm_choice status_choices[] = {
        {"draft", "Draft"}, {"published", "Published"}, {NULL, NULL}};
static const corm_choice level_choices[] = {{"1", "Low"}, {"2", "High"}, {NULL, NULL}};

static const corm_field article_fields[] = {
        CORM_CHAR(Article, title, .max_length = 10),
        CORM_SLUG(Article, slug, .max_length = 8),
        CORM_EMAIL(Article, email, .max_length = 20),
        CORM_URL(Article, site, .blank = true),
        CORM_TEXT(Article, body, .null = true, .blank = true),
        CORM_CHAR(Article, status, .max_length = 10, .choices = status_choices,
                  .default_value = "draft"),
        CORM_CHAR(Article, subtitle, .max_length = 20, .null = true),
        CORM_CHAR(Article, initial, .max_length = 1, .blank = true),
        CORM_SMALLINT(Article, rank, .default_value = "0"),
        CORM_INT(Article, count, .default_value = "0"),
        CORM_POSITIVE_INT(Article, views, .default_value = "0"),
        CORM_BIGINT(Article, big, .default_value = "0"),
        CORM_SMALLINT(Article, small_wide, .default_value = "0"),
        CORM_INT(Article, level, .choices = level_choices, .default_value = "1"),
        CORM_DECIMAL(Article, price, .max_digits = 5, .decimal_places = 2, .default_value = "0.00"),
        CORM_DECIMAL(Article, tiny, .max_digits = 1, .decimal_places = 0, .null = true,
                     .blank = true),
        CORM_DECIMAL(Article, ratio, .max_digits = 2, .decimal_places = 1, .null = true,
                     .blank = true),
        CORM_JSON(Article, data, .default_value = "{\"k\": 1}"),
        CORM_JSON(Article, extra, .null = true, .blank = true),
        CORM_FK(Article, author, &Author_model, CORM_CASCADE, .related_name = "articles"),
        CORM_FK(Article, editor, &Author_model, CORM_SET_NULL, .null = true, .blank = true,
                .related_name = "edited_articles"),
        CORM_DATETIME(Article, published_at, .null = true),
        CORM_DATETIME(Article, created, .auto_now_add = true),
        CORM_CHAR(Article, internal, .max_length = 3, .editable_false = true),
};
static corm_model Article_model =
        CORM_MODEL(Article, "val", article_fields, .verbose_name = "article");

/* One field per value type, each with choices, for the repr() in "Value %r is not a valid choice."
 */
typedef struct Pick {
	corm_obj obj;
	corm_decimal *amount;
	double ratio;
	corm_date day;
	corm_datetime at;
	corm_time clock;
	corm_uuid uid;
	json_t *tag;
	bool flag;
	char *code;
} Pick;

static const corm_choice amount_choices[] = {{"1.50", "a"}, {"2.00", "b"}, {NULL, NULL}};
static const corm_choice ratio_choices[] = {{"0.5", "half"}, {NULL, NULL}};
static const corm_choice day_choices[] = {{"2024-01-02", "d"}, {NULL, NULL}};
static const corm_choice at_choices[] = {{"2024-01-02 10:30:00", "t"}, {NULL, NULL}};
static const corm_choice clock_choices[] = {{"10:30", "t"}, {NULL, NULL}};
static const corm_choice uid_choices[] = {{"12345678-1234-5678-1234-567812345679", "u"},
                                          {NULL, NULL}};
static const corm_choice tag_choices[] = {{"\"a\"", "a"}, {"{\"k\": [1, 2]}", "k"}, {NULL, NULL}};
static const corm_choice flag_choices[] = {{"true", "yes"}, {NULL, NULL}};
static const corm_choice code_choices[] = {{"A", "a"}, {NULL, NULL}};

static const corm_field pick_fields[] = {
        CORM_DECIMAL(Pick, amount, .max_digits = 6, .decimal_places = 2, .null = true,
                     .blank = true, .choices = amount_choices),
        CORM_FLOAT(Pick, ratio, .null = true, .blank = true, .choices = ratio_choices),
        CORM_DATE(Pick, day, .null = true, .blank = true, .choices = day_choices),
        CORM_DATETIME(Pick, at, .null = true, .blank = true, .choices = at_choices),
        CORM_TIME(Pick, clock, .null = true, .blank = true, .choices = clock_choices),
        CORM_UUID(Pick, uid, .null = true, .blank = true, .choices = uid_choices),
        CORM_JSON(Pick, tag, .null = true, .blank = true, .choices = tag_choices),
        CORM_BOOL(Pick, flag, .default_value = "true", .choices = flag_choices),
        CORM_CHAR(Pick, code, .max_length = 10, .blank = true, .choices = code_choices),
};
static corm_model Pick_model = CORM_MODEL(Pick, "val", pick_fields, .verbose_name = "pick");

/* Never registered. */
typedef struct Stray {
	corm_obj obj;
	char *name;
} Stray;
static const corm_field stray_fields[] = {CORM_CHAR(Stray, name, .max_length = 5)};
static corm_model Stray_model = CORM_MODEL(Stray, "val", stray_fields, .verbose_name = "stray");

/* ---- fixtures ----------------------------------------------------------- */

static int setup(void **state)
{
	corm_registry *reg = NULL;
	if (corm_registry_new(&reg) != CORM_OK)
		return -1;
	if (corm_registry_add(reg, &Author_model) != CORM_OK ||
	    corm_registry_add(reg, &Article_model) != CORM_OK ||
	    corm_registry_add(reg, &Pick_model) != CORM_OK || corm_registry_ready(reg) != CORM_OK) {
		fprintf(stderr, "registry: %s\n", corm_registry_errmsg(reg));
		corm_registry_free(reg);
		return -1;
	}
	*state = reg;
	return 0;
}

static int teardown(void **state)
{
	corm_registry_free(*state);
	return 0;
}

/* An Article that passes full_clean(). */
static Article *valid_article(void)
{
	Article *a = NULL;
	assert_int_equal(corm_new(&Article_model, &a), CORM_OK);
	assert_int_equal(corm_set_str(&a->title, "Hello"), CORM_OK);
	assert_int_equal(corm_set_str(&a->slug, "hello"), CORM_OK);
	assert_int_equal(corm_set_str(&a->email, "a@b.com"), CORM_OK);
	assert_int_equal(corm_set_str(&a->subtitle, "Sub"), CORM_OK);
	assert_int_equal(CORM_SET(a, "published_at", "2024-01-02 10:30:00"), CORM_OK);
	assert_int_equal(corm_set_str(&a->internal, "abc"), CORM_OK);
	a->author.id = 1;
	return a;
}

typedef struct expected {
	const char *field, *message;
} expected;

/* Runs full_clean and checks the (field, message) list exactly; `want` ends with {NULL, NULL}. */
static void expect_errors(const void *inst, const char *const *exclude, const expected *want)
{
	corm_validation *v = (corm_validation *)(uintptr_t)1;
	int rc = corm_full_clean(inst, exclude, &v);
	size_t i = 0;
	for (; want[i].field; i++) {
		if (i >= corm_validation_count(v))
			fail_msg("missing error %zu: %s: %s", i, want[i].field, want[i].message);
		assert_string_equal(corm_validation_field(v, i), want[i].field);
		assert_string_equal(corm_validation_message(v, i), want[i].message);
	}
	if (corm_validation_count(v) != i)
		fail_msg("unexpected error %s: %s", corm_validation_field(v, i),
		         corm_validation_message(v, i));
	if (i == 0) {
		assert_int_equal(rc, CORM_OK);
		assert_null(v);
	} else {
		assert_int_equal(rc, CORM_EVALIDATION);
		assert_non_null(v);
	}
	corm_validation_free(v);
}

/* EXPECT(inst, exclude, {"field", "message"}, ...) */
#define EXPECT(inst, exclude, ...)                                                                 \
	expect_errors((inst), (exclude), (const expected[]){__VA_ARGS__, {NULL, NULL}})
#define EXPECT_VALID(inst) expect_errors((inst), NULL, (const expected[]){{NULL, NULL}})

/* ---- tests -------------------------------------------------------------- */

static void test_valid_instance(void **state)
{
	Article *a = valid_article();
	EXPECT_VALID(a);
	corm_validation *v = (corm_validation *)(uintptr_t)1;
	assert_int_equal(corm_full_clean(a, NULL, &v), CORM_OK);
	assert_null(v);
	assert_int_equal(corm_full_clean(a, NULL, NULL), CORM_OK);
	corm_free(a);
}

static void test_new_instance_errors(void **state)
{
	/* Article() straight from corm_new: every required field is empty */
	Article *a = NULL;
	assert_int_equal(corm_new(&Article_model, &a), CORM_OK);
	EXPECT(a, NULL, {"title", "This field cannot be blank."},
	       {"slug", "This field cannot be blank."}, {"email", "This field cannot be blank."},
	       {"subtitle", "This field cannot be blank."},
	       {"author", "This field cannot be null."},
	       {"published_at", "This field cannot be blank."});
	corm_free(a);
}

static void test_null_and_blank(void **state)
{
	Article *a = valid_article();

	/* null=False: NULL is "cannot be null", "" is "cannot be blank" */
	assert_int_equal(corm_set_str(&a->title, NULL), CORM_OK);
	EXPECT(a, NULL, {"title", "This field cannot be null."});
	assert_int_equal(corm_set_str(&a->title, ""), CORM_OK);
	EXPECT(a, NULL, {"title", "This field cannot be blank."});
	assert_int_equal(corm_set_str(&a->title, "Hello"), CORM_OK);

	/* null=True, blank=False: None is still blank */
	assert_int_equal(corm_set_str(&a->subtitle, NULL), CORM_OK);
	EXPECT(a, NULL, {"subtitle", "This field cannot be blank."});
	assert_int_equal(corm_set_str(&a->subtitle, "Sub"), CORM_OK);
	assert_int_equal(corm_set_null(a, &a->published_at, true), CORM_OK);
	EXPECT(a, NULL, {"published_at", "This field cannot be blank."});
	assert_int_equal(CORM_SET(a, "published_at", "2024-01-02 10:30"), CORM_OK);

	/* blank=True: empty values skip every check, even null=False */
	assert_int_equal(corm_set_str(&a->site, ""), CORM_OK);
	assert_int_equal(corm_set_str(&a->body, NULL), CORM_OK);
	assert_int_equal(corm_set_str(&a->initial, NULL), CORM_OK);
	EXPECT_VALID(a);
	assert_int_equal(corm_set_str(&a->body, ""), CORM_OK);
	EXPECT_VALID(a);

	/* a non-null value-type field holding NULL */
	assert_int_equal(corm_set_null(a, &a->count, true), CORM_OK);
	EXPECT(a, NULL, {"count", "This field cannot be null."});
	assert_int_equal(corm_set_null(a, &a->count, false), CORM_OK);

	/* foreign keys: unset (id 0) and NULL are author_id = None */
	a->author.id = 0;
	EXPECT(a, NULL, {"author", "This field cannot be null."});
	assert_int_equal(corm_set_null(a, &a->author, true), CORM_OK);
	EXPECT(a, NULL, {"author", "This field cannot be null."});
	assert_int_equal(corm_set_null(a, &a->author, false), CORM_OK);
	a->author.id = 7;
	a->editor.id = 3;
	EXPECT_VALID(a);
	corm_free(a);
}

static void test_max_length_counts_characters(void **state)
{
	Article *a = valid_article();
	/* 11 code points, 22 bytes */
	assert_int_equal(corm_set_str(&a->title, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                                         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"),
	                 CORM_OK);
	EXPECT(a, NULL, {"title", "Ensure this value has at most 10 characters (it has 11)."});
	/* 10 code points, 31 bytes: fits */
	assert_int_equal(corm_set_str(&a->title,
	                              "\xf0\x9f\x98\x80\xe4\xbe\x8b\xe4\xbe\x8b\xe4\xbe\x8b"
	                              "\xe4\xbe\x8b\xe4\xbe\x8b\xe4\xbe\x8b\xe4\xbe\x8b\xc3\xa9x"),
	                 CORM_OK);
	EXPECT_VALID(a);
	assert_int_equal(corm_set_str(&a->title, "0123456789"), CORM_OK);
	EXPECT_VALID(a);
	/* singular "character" for max_length=1 */
	assert_int_equal(corm_set_str(&a->initial, "ab"), CORM_OK);
	EXPECT(a, NULL, {"initial", "Ensure this value has at most 1 character (it has 2)."});
	corm_free(a);
}

static void test_choices(void **state)
{
	Article *a = valid_article();
	assert_int_equal(corm_set_str(&a->status, "archived"), CORM_OK);
	EXPECT(a, NULL, {"status", "Value 'archived' is not a valid choice."});
	assert_int_equal(corm_set_str(&a->status, "it's"), CORM_OK);
	EXPECT(a, NULL, {"status", "Value \"it's\" is not a valid choice."});
	/* validate() raises first, so max_length is not reported */
	assert_int_equal(corm_set_str(&a->status, "archived-for-good"), CORM_OK);
	EXPECT(a, NULL, {"status", "Value 'archived-for-good' is not a valid choice."});
	assert_int_equal(corm_set_str(&a->status, ""), CORM_OK);
	EXPECT(a, NULL, {"status", "This field cannot be blank."});
	assert_int_equal(corm_set_str(&a->status, "published"), CORM_OK);
	EXPECT_VALID(a);

	a->level = 3;
	EXPECT(a, NULL, {"level", "Value 3 is not a valid choice."});
	a->level = -12;
	EXPECT(a, NULL, {"level", "Value -12 is not a valid choice."});
	a->level = 2;
	EXPECT_VALID(a);
	corm_free(a);
}

static void test_choice_value_repr(void **state)
{
	Pick *p = NULL;
	assert_int_equal(corm_new(&Pick_model, &p), CORM_OK);
	EXPECT_VALID(p);

	assert_int_equal(CORM_SET(p, "amount", "1.5"), CORM_OK); /* == Decimal('1.50') */
	EXPECT_VALID(p);
	assert_int_equal(CORM_SET(p, "amount", "3.10"), CORM_OK);
	EXPECT(p, NULL, {"amount", "Value Decimal('3.10') is not a valid choice."});
	assert_int_equal(CORM_SET(p, "amount", "1E+1"), CORM_OK);
	EXPECT(p, NULL, {"amount", "Value Decimal('1E+1') is not a valid choice."});
	assert_int_equal(CORM_SET(p, "amount", "0.0000001"), CORM_OK);
	EXPECT(p, NULL, {"amount", "Value Decimal('1E-7') is not a valid choice."});
	assert_int_equal(corm_set_null(p, &p->amount, true), CORM_OK);

	p->ratio = 0.1;
	corm_set_null(p, &p->ratio, false);
	EXPECT(p, NULL, {"ratio", "Value 0.1 is not a valid choice."});
	p->ratio = 1e20;
	EXPECT(p, NULL, {"ratio", "Value 1e+20 is not a valid choice."});
	p->ratio = 3.0;
	EXPECT(p, NULL, {"ratio", "Value 3.0 is not a valid choice."});
	p->ratio = -0.00001;
	EXPECT(p, NULL, {"ratio", "Value -1e-05 is not a valid choice."});
	p->ratio = 0.5;
	EXPECT_VALID(p);

	assert_int_equal(CORM_SET(p, "day", "2024-02-03"), CORM_OK);
	EXPECT(p, NULL, {"day", "Value datetime.date(2024, 2, 3) is not a valid choice."});
	assert_int_equal(CORM_SET(p, "day", "2024-01-02"), CORM_OK);

	assert_int_equal(CORM_SET(p, "at", "2024-01-02 10:31:05"), CORM_OK);
	EXPECT(p, NULL,
	       {"at", "Value datetime.datetime(2024, 1, 2, 10, 31, 5, tzinfo=<UTC>) is not a valid "
	              "choice."});
	assert_int_equal(CORM_SET(p, "at", "2024-01-02 00:00"), CORM_OK);
	EXPECT(p, NULL,
	       {"at",
	        "Value datetime.datetime(2024, 1, 2, 0, 0, tzinfo=<UTC>) is not a valid choice."});
	assert_int_equal(CORM_SET(p, "at", "2024-01-02 10:30:00"), CORM_OK);

	assert_int_equal(CORM_SET(p, "clock", "09:00"), CORM_OK);
	EXPECT(p, NULL, {"clock", "Value datetime.time(9, 0) is not a valid choice."});
	assert_int_equal(CORM_SET(p, "clock", "09:00:00.000250"), CORM_OK);
	EXPECT(p, NULL, {"clock", "Value datetime.time(9, 0, 0, 250) is not a valid choice."});
	assert_int_equal(corm_set_null(p, &p->clock, true), CORM_OK);

	assert_int_equal(CORM_SET(p, "uid", "12345678-1234-5678-1234-567812345678"), CORM_OK);
	EXPECT(p, NULL,
	       {"uid",
	        "Value UUID('12345678-1234-5678-1234-567812345678') is not a valid choice."});
	assert_int_equal(corm_set_null(p, &p->uid, true), CORM_OK);

	json_error_t jerr;
	p->tag = json_loads("{\"k\": [1, 2.5, null, true], \"s\": \"x'y\"}", 0, &jerr);
	assert_non_null(p->tag);
	EXPECT(p, NULL,
	       {"tag", "Value {'k': [1, 2.5, None, True], 's': \"x'y\"} is not a valid choice."});
	json_decref(p->tag);
	p->tag = json_loads("{\"k\": [1.0, true]}", 0, &jerr); /* == {'k': [1, 2]}? no: True == 1 */
	EXPECT(p, NULL, {"tag", "Value {'k': [1.0, True]} is not a valid choice."});
	json_decref(p->tag);
	p->tag = json_loads("{\"k\": [1.0, 2]}", 0, &jerr); /* 1.0 == 1 in Python */
	EXPECT_VALID(p);
	json_decref(p->tag);
	p->tag = json_string("a");
	EXPECT_VALID(p);

	p->flag = false;
	EXPECT(p, NULL, {"flag", "Value False is not a valid choice."});
	p->flag = true;

	assert_int_equal(corm_set_str(&p->code, "a\tb\n\x01\\"), CORM_OK);
	EXPECT(p, NULL, {"code", "Value 'a\\tb\\n\\x01\\\\' is not a valid choice."});
	assert_int_equal(corm_set_str(&p->code, "a'b\"c"), CORM_OK);
	EXPECT(p, NULL, {"code", "Value 'a\\'b\"c' is not a valid choice."});
	assert_int_equal(corm_set_str(&p->code, "\xc3\xa9\xc2\xa0"),
	                 CORM_OK); /* é + no-break space */
	EXPECT(p, NULL, {"code", "Value '\xc3\xa9\\xa0' is not a valid choice."});
	assert_int_equal(corm_set_str(&p->code, "A"), CORM_OK);
	EXPECT_VALID(p);
	corm_free(p);
}

static const char *const good_emails[] = {"a@b.com",
                                          "a.b+c@sub.example.co.uk",
                                          "\"quoted\"@example.com",
                                          "a@localhost",
                                          "a@[127.0.0.1]",
                                          "a@[::1]",
                                          "a@[::ffff:1.2.3.4]",
                                          "a@m\xc3\xbcller.de",
                                          "a@b.-com",
                                          "a@x.c0m",
                                          "\"a\\\"b\"@x.com",
                                          "\"a\\ b\"@x.com",
                                          "a@xn--mller-kva.de",
                                          "!#$%&'*+/=?^_`{}|~@x.com",
                                          NULL};

static const char *const bad_emails[] = {
        "no-at-sign",  "a@b",          "a@@b.com",      "a@b..com",       "a b@c.com",
        "a@LOCALHOST", "a@[IPv6:::1]", "a@[1.2.3.04]",  "\xc3\xbc@x.com", ".a@b.com",
        "a.@b.com",    "a..b@c.com",   "a@b.c",         "a@-b.com",       "a@b-.com",
        "a@b.com-",    "a@b.com.",     "a@1.2.3.4",     "\"a b\"@x.com",  "\"ab\\\"@x.com",
        "@x.com",      "a@",           "a@x.y.z.com\n", "a@[1::2::3]",    NULL};

static void check_email(const char *value, bool valid)
{
	Article *a = valid_article();
	assert_int_equal(corm_set_str(&a->email, value), CORM_OK);
	corm_validation *v = NULL;
	int rc = corm_full_clean(a, NULL, &v);
	const char *msg = corm_validation_get(v, "email");
	bool too_long = corm_validation_count(v) == 1 && msg && strncmp(msg, "Ensure", 6) == 0;
	if (valid && rc != CORM_OK && !too_long)
		fail_msg("rejected valid email \"%s\": %s", value, msg);
	if (!valid && (!msg || strcmp(msg, "Enter a valid email address.") != 0))
		fail_msg("accepted invalid email \"%s\"", value);
	corm_validation_free(v);
	corm_free(a);
}

static void test_email(void **state)
{
	for (size_t i = 0; good_emails[i]; i++)
		check_email(good_emails[i], true);
	for (size_t i = 0; bad_emails[i]; i++)
		check_email(bad_emails[i], false);

	/* the IDN label is checked in its punycode: 40 'ä' fit in 63 characters, 60 do not */
	char addr[256] = "a@";
	for (int i = 0; i < 40; i++)
		strcat(addr, "\xc3\xa4");
	strcat(addr, ".com");
	check_email(addr, true);
	addr[2] = '\0';
	for (int i = 0; i < 60; i++)
		strcat(addr, "\xc3\xa4");
	strcat(addr, ".com");
	check_email(addr, false);
}

static void test_email_and_max_length(void **state)
{
	Article *a = valid_article();
	/* both of EmailField's validators report, in order */
	assert_int_equal(corm_set_str(&a->email, "this is not an email address"), CORM_OK);
	EXPECT(a, NULL, {"email", "Enter a valid email address."},
	       {"email", "Ensure this value has at most 20 characters (it has 28)."});
	assert_int_equal(corm_set_str(&a->email, "someone@example.com"), CORM_OK);
	EXPECT_VALID(a);
	corm_free(a);
}

static const char *const good_urls[] = {"https://www.djangoproject.com/",
                                        "http://localhost:8000/x?y=1#z",
                                        "http://192.168.0.1",
                                        "ftp://example.com",
                                        "HTTP://EXAMPLE.COM",
                                        "http://[::1]:8080/",
                                        "http://user:pass@example.com",
                                        "http://a.b-c.de",
                                        "http://www.example.com.",
                                        "http://\xe4\xbe\x8b\xe5\xad\x90.\xe6\xb5\x8b\xe8\xaf\x95",
                                        "ftps://x.yz",
                                        "http://xn--d1abbgf6aiiy.xn--p1ai/",
                                        "http://localhost",
                                        "http://foo.bar:80#x",
                                        "http://a:@example.com",
                                        "http://foo.com/blah_(wikipedia)#cite-1",
                                        "http://[2001:db8::1]",
                                        "http://[::ffff:192.168.1.1]:80/",
                                        "http://1.1.1.1.com",
                                        "http://\xf0\x9f\x98\x80.com",
                                        NULL};

static const char *const bad_urls[] = {"example.com",
                                       "http://",
                                       "javascript:alert(1)",
                                       "http://exa mple.com",
                                       "http://-bad-.com",
                                       "http://[::1",
                                       "http://[gg::1]/",
                                       "http://user@example.com:1",
                                       "http://example.com:123456",
                                       "http://1.2.3.256",
                                       "http://01.2.3.4",
                                       "http://1.2.3",
                                       "https://x.y",
                                       "http://localhost.",
                                       "http://foo.bar?q=Spaces should be encoded",
                                       "http://a\tb.com",
                                       "http://[a]@example.com",
                                       "http://us[er@example.com",
                                       "http://foo.-bar.com",
                                       "http://foo.bar-.com",
                                       "http://.com",
                                       "http://a..com",
                                       "http://:@example.com",
                                       "http://a:b:c@example.com",
                                       "http://a@b@c.com",
                                       "rdar://1234",
                                       "http://2001:db8::1/",
                                       "http://[1:2:3:4:5:6:7:8:9]",
                                       "http://[1.2.3.4]/",
                                       NULL};

static void check_url(const char *value, bool valid)
{
	Article *a = valid_article();
	assert_int_equal(corm_set_str(&a->site, value), CORM_OK);
	corm_validation *v = NULL;
	corm_full_clean(a, NULL, &v);
	const char *msg = corm_validation_get(v, "site");
	if (valid && msg)
		fail_msg("rejected valid URL \"%s\": %s", value, msg);
	if (!valid && (!msg || strcmp(msg, "Enter a valid URL.") != 0))
		fail_msg("accepted invalid URL \"%s\"", value);
	corm_validation_free(v);
	corm_free(a);
}

static void test_url(void **state)
{
	for (size_t i = 0; good_urls[i]; i++)
		check_url(good_urls[i], true);
	for (size_t i = 0; bad_urls[i]; i++)
		check_url(bad_urls[i], false);

	/* labels of up to 63 characters; URLField's max_length 200 reports too */
	char url[300] = "http://";
	memset(url + 7, 'a', 63);
	strcpy(url + 70, ".com");
	check_url(url, true);
	memset(url + 7, 'a', 64);
	strcpy(url + 71, ".com");
	Article *a = valid_article();
	assert_int_equal(corm_set_str(&a->site, url), CORM_OK);
	EXPECT(a, NULL, {"site", "Enter a valid URL."});
	memset(url + 7, 'a', 200);
	strcpy(url + 207, ".com");
	assert_int_equal(corm_set_str(&a->site, url), CORM_OK);
	EXPECT(a, NULL, {"site", "Enter a valid URL."},
	       {"site", "Ensure this value has at most 200 characters (it has 211)."});
	corm_free(a);
}

static void test_slug(void **state)
{
	Article *a = valid_article();
	assert_int_equal(corm_set_str(&a->slug, "ok-slug_"), CORM_OK);
	EXPECT_VALID(a);
	assert_int_equal(corm_set_str(&a->slug, "a b"), CORM_OK);
	EXPECT(a, NULL,
	       {"slug",
	        "Enter a valid \xe2\x80\x9cslug\xe2\x80\x9d consisting of letters, numbers, "
	        "underscores "
	        "or hyphens."});
	assert_int_equal(corm_set_str(&a->slug, "h\xc3\xa9llo"), CORM_OK);
	EXPECT(a, NULL,
	       {"slug",
	        "Enter a valid \xe2\x80\x9cslug\xe2\x80\x9d consisting of letters, numbers, "
	        "underscores "
	        "or hyphens."});
	assert_int_equal(corm_set_str(&a->slug, "a b c d e"), CORM_OK);
	EXPECT(a, NULL,
	       {"slug",
	        "Enter a valid \xe2\x80\x9cslug\xe2\x80\x9d consisting of letters, numbers, "
	        "underscores or hyphens."},
	       {"slug", "Ensure this value has at most 8 characters (it has 9)."});
	assert_int_equal(corm_set_str(&a->slug, "abcdefghi"), CORM_OK);
	EXPECT(a, NULL, {"slug", "Ensure this value has at most 8 characters (it has 9)."});
	corm_free(a);
}

static void set_decimal(void *inst, const char *field, const char *text)
{
	assert_int_equal(corm_set(inst, field, corm_v_text(text)), CORM_OK);
}

static void test_decimal_digits(void **state)
{
	Article *a = valid_article();
	set_decimal(a, "price", "123.45");
	EXPECT_VALID(a);
	set_decimal(a, "price", "-999.99");
	EXPECT_VALID(a);
	set_decimal(a, "price", "1234.5");
	EXPECT(a, NULL,
	       {"price", "Ensure that there are no more than 3 digits before the decimal point."});
	set_decimal(a, "price", "1.234");
	EXPECT(a, NULL, {"price", "Ensure that there are no more than 2 decimal places."});
	set_decimal(a, "price", "-0.001");
	EXPECT(a, NULL, {"price", "Ensure that there are no more than 2 decimal places."});
	set_decimal(a, "price", "123456");
	EXPECT(a, NULL, {"price", "Ensure that there are no more than 5 digits in total."});
	set_decimal(a, "price", "0.00");

	/* singular forms, and "0 decimal places" */
	set_decimal(a, "tiny", "12");
	EXPECT(a, NULL, {"tiny", "Ensure that there are no more than 1 digit in total."});
	set_decimal(a, "tiny", "0.5");
	EXPECT(a, NULL, {"tiny", "Ensure that there are no more than 0 decimal places."});
	set_decimal(a, "tiny", "7");
	EXPECT_VALID(a);
	set_decimal(a, "ratio", "0.12");
	EXPECT(a, NULL, {"ratio", "Ensure that there are no more than 1 decimal place."});
	set_decimal(a, "ratio", "10");
	EXPECT(a, NULL,
	       {"ratio", "Ensure that there are no more than 1 digit before the decimal point."});
	set_decimal(a, "ratio", "1E+2");
	EXPECT(a, NULL, {"ratio", "Ensure that there are no more than 2 digits in total."});
	set_decimal(a, "ratio", "9.9");
	EXPECT_VALID(a);
	corm_free(a);
}

static void test_integer_ranges(void **state)
{
	Article *a = valid_article();
	a->count = 2147483647;
	EXPECT_VALID(a);
	a->count = 2147483648LL;
	EXPECT(a, NULL, {"count", "Ensure this value is less than or equal to 2147483647."});
	a->count = -2147483649LL;
	EXPECT(a, NULL, {"count", "Ensure this value is greater than or equal to -2147483648."});
	a->count = 0;
	a->views = -1;
	EXPECT(a, NULL, {"views", "Ensure this value is greater than or equal to 0."});
	a->views = 2147483647;
	EXPECT_VALID(a);
	a->small_wide = 40000;
	EXPECT(a, NULL, {"small_wide", "Ensure this value is less than or equal to 32767."});
	a->small_wide = -32769;
	EXPECT(a, NULL, {"small_wide", "Ensure this value is greater than or equal to -32768."});
	a->small_wide = -32768;
	a->rank = INT16_MIN;
	a->big = INT64_MIN;
	EXPECT_VALID(a);
	corm_free(a);
}

static void test_json_empty_values(void **state)
{
	Article *a = valid_article();
	json_decref(a->data);
	a->data = json_object();
	EXPECT(a, NULL, {"data", "This field cannot be blank."});
	json_decref(a->data);
	a->data = json_array();
	EXPECT(a, NULL, {"data", "This field cannot be blank."});
	json_decref(a->data);
	a->data = json_string("");
	EXPECT(a, NULL, {"data", "This field cannot be blank."});
	json_decref(a->data);
	a->data = json_null(); /* json.loads('null') is None */
	EXPECT(a, NULL, {"data", "This field cannot be null."});
	a->data = NULL;
	EXPECT(a, NULL, {"data", "This field cannot be null."});
	a->data = json_integer(0);
	EXPECT_VALID(a);
	json_decref(a->data);
	a->data = json_false();
	EXPECT_VALID(a);
	/* null=True, blank=True */
	a->extra = json_object();
	EXPECT_VALID(a);
	corm_free(a);
}

static void test_non_editable_field(void **state)
{
	Article *a = valid_article();
	/* editable=False skips validate() (null/blank/choices) but not the validators */
	assert_int_equal(corm_set_str(&a->internal, NULL), CORM_OK);
	EXPECT_VALID(a);
	assert_int_equal(corm_set_str(&a->internal, "abcd"), CORM_OK);
	EXPECT(a, NULL, {"internal", "Ensure this value has at most 3 characters (it has 4)."});
	corm_free(a);
}

static Article *broken_article(void)
{
	Article *a = valid_article();
	assert_int_equal(corm_set_str(&a->title, ""), CORM_OK);
	assert_int_equal(corm_set_str(&a->slug, "a b c d e"), CORM_OK);
	assert_int_equal(corm_set_str(&a->email, "nope"), CORM_OK);
	assert_int_equal(corm_set_str(&a->site, "nope"), CORM_OK);
	assert_int_equal(corm_set_str(&a->status, "gone"), CORM_OK);
	a->views = -5;
	set_decimal(a, "price", "1000");
	a->author.id = 0;
	return a;
}

static void test_every_error_in_field_order(void **state)
{
	Article *a = broken_article();
	EXPECT(a, NULL, {"title", "This field cannot be blank."},
	       {"slug",
	        "Enter a valid \xe2\x80\x9cslug\xe2\x80\x9d consisting of letters, numbers, "
	        "underscores or hyphens."},
	       {"slug", "Ensure this value has at most 8 characters (it has 9)."},
	       {"email", "Enter a valid email address."}, {"site", "Enter a valid URL."},
	       {"status", "Value 'gone' is not a valid choice."},
	       {"views", "Ensure this value is greater than or equal to 0."},
	       {"price", "Ensure that there are no more than 3 digits before the decimal point."},
	       {"author", "This field cannot be null."});

	corm_validation *v = NULL;
	assert_int_equal(corm_full_clean(a, NULL, &v), CORM_EVALIDATION);
	assert_int_equal(corm_validation_count(v), 9);
	assert_string_equal(
	        corm_validation_get(v, "slug"),
	        "Enter a valid \xe2\x80\x9cslug\xe2\x80\x9d consisting of letters, numbers, "
	        "underscores or hyphens.");
	assert_string_equal(corm_validation_get(v, "author"), "This field cannot be null.");
	assert_null(corm_validation_get(v, "body"));
	assert_null(corm_validation_get(v, NULL));
	assert_null(corm_validation_field(v, 9));
	assert_null(corm_validation_message(v, 9));
	corm_validation_free(v);

	/* without an error list only the code comes back */
	assert_int_equal(corm_full_clean(a, NULL, NULL), CORM_EVALIDATION);
	corm_free(a);
}

static void test_exclude(void **state)
{
	Article *a = broken_article();
	EXPECT(a, CORM_FIELDS("title", "slug", "site", "status", "views", "author", "unknown"),
	       {"email", "Enter a valid email address."},
	       {"price", "Ensure that there are no more than 3 digits before the decimal point."});
	expect_errors(
	        a,
	        CORM_FIELDS("title", "slug", "email", "site", "status", "views", "price", "author"),
	        (const expected[]){{NULL, NULL}});
	corm_free(a);
}

static void test_invalid_arguments(void **state)
{
	corm_validation *v = (corm_validation *)(uintptr_t)1;
	assert_int_equal(corm_full_clean(NULL, NULL, &v), CORM_EINVAL);
	assert_null(v);
	assert_int_equal(corm_full_clean(NULL, NULL, NULL), CORM_EINVAL);

	Stray stray = {.obj = {.model = &Stray_model}, .name = "x"};
	v = (corm_validation *)(uintptr_t)1;
	assert_int_equal(corm_full_clean(&stray, NULL, &v), CORM_EINVAL);
	assert_null(v);
	Stray bare = {0};
	assert_int_equal(corm_full_clean(&bare, NULL, &v), CORM_EINVAL);

	assert_int_equal(corm_validation_count(NULL), 0);
	assert_null(corm_validation_field(NULL, 0));
	assert_null(corm_validation_message(NULL, 0));
	assert_null(corm_validation_get(NULL, "title"));
	corm_validation_free(NULL);
}

/* ---- out of memory ------------------------------------------------------ */

typedef struct oom_ctx {
	long budget; /* allocations left before failing */
	long live;   /* blocks currently allocated */
} oom_ctx;

static void *oom_malloc(size_t size, void *ctx)
{
	oom_ctx *c = ctx;
	if (c->budget-- <= 0)
		return NULL;
	void *p = malloc(size);
	if (p)
		c->live++;
	return p;
}

static void *oom_realloc(void *ptr, size_t size, void *ctx)
{
	oom_ctx *c = ctx;
	if (c->budget-- <= 0)
		return NULL;
	void *p = realloc(ptr, size);
	if (p && !ptr)
		c->live++;
	return p;
}

static void oom_free(void *ptr, void *ctx)
{
	oom_ctx *c = ctx;
	if (ptr)
		c->live--;
	free(ptr);
}

/* full_clean under every possible allocation failure: ENOMEM and no leak, until it succeeds. */
static void check_oom(const void *inst, size_t expected_errors)
{
	oom_ctx ctx = {0, 0};
	corm_allocator alloc = {oom_malloc, oom_realloc, oom_free, &ctx};
	for (long budget = 0;; budget++) {
		ctx.budget = budget;
		ctx.live = 0;
		corm_validation *v = NULL;
		corm_set_allocator(&alloc);
		/* GMP cannot survive a failed allocation (it aborts): keep its own allocator */
		mp_set_memory_functions(NULL, NULL, NULL);
		int rc = corm_full_clean(inst, NULL, &v);
		if (rc == CORM_ENOMEM) {
			corm_set_allocator(NULL);
			assert_null(v);
			if (ctx.live != 0)
				fail_msg("budget %ld: %ld blocks leaked", budget, ctx.live);
			assert_true(budget < 10000);
			continue;
		}
		assert_int_equal(rc, CORM_EVALIDATION);
		assert_int_equal(corm_validation_count(v), expected_errors);
		corm_validation_free(v);
		corm_set_allocator(NULL);
		assert_int_equal(ctx.live, 0);
		break;
	}
}

static void test_out_of_memory(void **state)
{
	Article *a = broken_article();
	/* IDN domains take the punycode paths, which allocate */
	assert_int_equal(corm_set_str(&a->email, "\xc3\xbc@m\xc3\xbcller.de"), CORM_OK);
	assert_int_equal(corm_set_str(&a->site, "http://a:b@\xf0\x9f\x98\x80.com"), CORM_OK);
	check_oom(a, 9);
	assert_int_equal(corm_set_str(&a->email, "a@m\xc3\xbcller.x"), CORM_OK);
	check_oom(a, 9);
	corm_free(a);

	Pick *p = NULL;
	assert_int_equal(corm_new(&Pick_model, &p), CORM_OK);
	assert_int_equal(CORM_SET(p, "amount", "3.10"), CORM_OK);
	assert_int_equal(corm_set_str(&p->code, "no"), CORM_OK);
	p->tag = json_loads("{\"k\": [1, 2.5, null, true, \"s\"]}", 0, NULL);
	check_oom(p, 3);
	corm_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_valid_instance),
	        cmocka_unit_test(test_new_instance_errors),
	        cmocka_unit_test(test_null_and_blank),
	        cmocka_unit_test(test_max_length_counts_characters),
	        cmocka_unit_test(test_choices),
	        cmocka_unit_test(test_choice_value_repr),
	        cmocka_unit_test(test_email),
	        cmocka_unit_test(test_email_and_max_length),
	        cmocka_unit_test(test_url),
	        cmocka_unit_test(test_slug),
	        cmocka_unit_test(test_decimal_digits),
	        cmocka_unit_test(test_integer_ranges),
	        cmocka_unit_test(test_json_empty_values),
	        cmocka_unit_test(test_non_editable_field),
	        cmocka_unit_test(test_every_error_in_field_order),
	        cmocka_unit_test(test_exclude),
	        cmocka_unit_test(test_invalid_arguments),
	        cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
