/*
 * The field kinds added after the first release: PositiveSmallIntegerField,
 * PositiveBigIntegerField, SmallAutoField and GenericIPAddressField, on every
 * backend: the DDL Django 3.2 writes, round trips, validation messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

typedef struct Tiny {
	corm_obj obj;
	int64_t id;
	char *name;
} Tiny;

typedef struct Host {
	corm_obj obj;
	corm_fk tiny;
	int16_t ps;
	int64_t pb;
	char *ip, *ip4, *ip6, *ipu;
} Host;

static const corm_field tiny_fields[] = {
        CORM_SMALLAUTO(Tiny, id),
        CORM_CHAR(Tiny, name, .max_length = 10),
};
static corm_model Tiny_model = CORM_MODEL(Tiny, "blog", tiny_fields);

static const corm_field host_fields[] = {
        CORM_FK(Host, tiny, &Tiny_model, CORM_CASCADE),
        CORM_POSITIVE_SMALLINT(Host, ps, .default_value = "0"),
        CORM_POSITIVE_BIGINT(Host, pb, .default_value = "0"),
        CORM_GENERIC_IP(Host, ip, .null = true),
        CORM_GENERIC_IP(Host, ip4, .protocol = CORM_IP_V4, .null = true),
        CORM_GENERIC_IP(Host, ip6, .protocol = CORM_IP_V6, .null = true, .unique = true),
        CORM_GENERIC_IP(Host, ipu, .unpack_ipv4 = true, .null = true, .blank = true),
};
static corm_model Host_model = CORM_MODEL(Host, "blog", host_fields);

static bool is(const char *backend)
{
	return strcmp(test_backend(), backend) == 0;
}

static int setup(void **state)
{
	test_env *env = calloc(1, sizeof *env);
	if (corm_registry_new(&env->reg) || corm_registry_add(env->reg, &Tiny_model) ||
	    corm_registry_add(env->reg, &Host_model) || corm_registry_ready(env->reg))
		return -1;
	if (corm_open(&env->db, test_url()))
		return -1;
	corm_drop_tables(env->db, env->reg);
	if (corm_create_tables(env->db, env->reg)) {
		fprintf(stderr, "create tables: %s\n", corm_errmsg(env->db));
		return -1;
	}
	*state = env;
	return 0;
}

/* Byte for byte Django 3.2's sqlmigrate for the same models (comments, BEGIN, COMMIT left out). */
static void test_ddl_matches_django(void **state)
{
	test_env *env = *state;
	char *sql;
	ASSERT_OK(env, corm_schema_sql(env->db, env->reg, &sql));
	const char *django;
	if (is("postgres"))
		django =
		        "CREATE TABLE \"blog_tiny\" (\"id\" smallserial NOT NULL PRIMARY KEY, "
		        "\"name\" "
		        "varchar(10) NOT NULL);\n"
		        "CREATE TABLE \"blog_host\" (\"id\" serial NOT NULL PRIMARY KEY, \"ps\" "
		        "smallint "
		        "NOT NULL CHECK (\"ps\" >= 0), \"pb\" bigint NOT NULL CHECK (\"pb\" >= 0), "
		        "\"ip\" inet NULL, \"ip4\" inet NULL, \"ip6\" inet NULL UNIQUE, \"ipu\" "
		        "inet "
		        "NULL, \"tiny_id\" smallint NOT NULL);\n"
		        "ALTER TABLE \"blog_host\" ADD CONSTRAINT "
		        "\"blog_host_tiny_id_1ecf87c3_fk_blog_tiny_id\" FOREIGN KEY (\"tiny_id\") "
		        "REFERENCES \"blog_tiny\" (\"id\") DEFERRABLE INITIALLY DEFERRED;\n"
		        "CREATE INDEX \"blog_host_tiny_id_1ecf87c3\" ON \"blog_host\" "
		        "(\"tiny_id\");\n";
	else if (is("mysql"))
		django = "CREATE TABLE `blog_tiny` (`id` smallint AUTO_INCREMENT NOT NULL PRIMARY "
		         "KEY, "
		         "`name` varchar(10) NOT NULL);\n"
		         "CREATE TABLE `blog_host` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY "
		         "KEY, "
		         "`ps` smallint UNSIGNED NOT NULL CHECK (`ps` >= 0), `pb` bigint UNSIGNED "
		         "NOT "
		         "NULL CHECK (`pb` >= 0), `ip` char(39) NULL, `ip4` char(39) NULL, `ip6` "
		         "char(39) "
		         "NULL UNIQUE, `ipu` char(39) NULL, `tiny_id` smallint NOT NULL);\n"
		         "ALTER TABLE `blog_host` ADD CONSTRAINT "
		         "`blog_host_tiny_id_1ecf87c3_fk_blog_tiny_id` FOREIGN KEY (`tiny_id`) "
		         "REFERENCES "
		         "`blog_tiny` (`id`);\n";
	else
		django = "CREATE TABLE \"blog_tiny\" (\"id\" integer NOT NULL PRIMARY KEY "
		         "AUTOINCREMENT, "
		         "\"name\" varchar(10) NOT NULL);\n"
		         "CREATE TABLE \"blog_host\" (\"id\" integer NOT NULL PRIMARY KEY "
		         "AUTOINCREMENT, "
		         "\"ps\" smallint unsigned NOT NULL CHECK (\"ps\" >= 0), \"pb\" bigint "
		         "unsigned "
		         "NOT NULL CHECK (\"pb\" >= 0), \"ip\" char(39) NULL, \"ip4\" char(39) "
		         "NULL, "
		         "\"ip6\" char(39) NULL UNIQUE, \"ipu\" char(39) NULL, \"tiny_id\" "
		         "smallint NOT "
		         "NULL REFERENCES \"blog_tiny\" (\"id\") DEFERRABLE INITIALLY DEFERRED);\n"
		         "CREATE INDEX \"blog_host_tiny_id_1ecf87c3\" ON \"blog_host\" "
		         "(\"tiny_id\");\n";
	assert_string_equal(sql, django);
	corm_mem_free(sql);
}

static Tiny *tiny(test_env *env)
{
	Tiny *t = NULL;
	ASSERT_OK(env, corm_create(env->db, &Tiny_model, &t, CORM_KWARGS(CORM_KW("name", "t"))));
	return t;
}

static void test_round_trip(void **state)
{
	test_env *env = *state;
	Tiny *t = tiny(env);
	assert_true(corm_pk(t) >= 1);
	assert_int_equal(t->id, corm_pk(t));
	Host *h;
	ASSERT_OK(env,
	          corm_create(env->db, &Host_model, &h,
	                      CORM_KWARGS(CORM_KW("tiny", CORM_OBJ(t)), CORM_KW("ps", 32767),
	                                  CORM_KW("pb", INT64_MAX), CORM_KW("ip", "192.168.0.1"),
	                                  CORM_KW("ip4", "10.0.0.1"),
	                                  CORM_KW("ip6", "2001:0DB8:0000:0000:0000:0000:0000:0001"),
	                                  CORM_KW("ipu", "::ffff:10.0.0.1"))));
	/* stored as Django's get_prep_value writes them */
	assert_string_equal(h->ip6, "2001:db8::1");
	assert_string_equal(h->ipu, "10.0.0.1");
	ASSERT_OK(env, corm_refresh(env->db, h));
	assert_int_equal(h->tiny.id, t->id);
	assert_int_equal(h->ps, 32767);
	assert_int_equal(h->pb, INT64_MAX);
	assert_string_equal(h->ip, "192.168.0.1");
	assert_string_equal(h->ip4, "10.0.0.1");
	assert_string_equal(h->ip6, "2001:db8::1");
	assert_string_equal(h->ipu, "10.0.0.1");
	/* the IPv6 forms of ipaddress: first longest zero run, "::ffff:" kept without unpack_ipv4
	 */
	const char *const forms[][2] = {
	        {"0:0:0:0:0:0:0:0", "::"},
	        {"0:0:0:0:0:0:0:1", "::1"},
	        {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
	        {"1:0:0:2:0:0:3:4", "1::2:0:0:3:4"},
	        {"fe80:0:0:0:0:0:0:1", "fe80::1"},
	        {"1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"},
	        {"1:2:3:4:5:6:0:0", "1:2:3:4:5:6::"},
	        {"::FFFF:1.2.3.4", "::ffff:1.2.3.4"},
	        {"::ffff:0102:0304", "::ffff:1.2.3.4"},
	        {"::1.2.3.4", "::102:304"},
	};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		ASSERT_OK(env, CORM_SET(h, "ip", forms[i][0]));
		assert_string_equal(h->ip, forms[i][1]);
		ASSERT_OK(env, corm_save(env->db, h));
		ASSERT_OK(env, corm_refresh(env->db, h));
		/* what the database gives back, as Django reads it: PostgreSQL's inet writes an
		 * IPv4-compatible address with its dotted quad */
		if (is("postgres") && !strcmp(forms[i][0], "::1.2.3.4"))
			assert_string_equal(h->ip, "::1.2.3.4");
		else
			assert_string_equal(h->ip, forms[i][1]);
	}
	/* "" is stored as NULL, as Django's adapt_ipaddressfield_value does */
	ASSERT_OK(env, CORM_SET(h, "ipu", ""));
	ASSERT_OK(env, corm_save(env->db, h));
	ASSERT_OK(env, corm_refresh(env->db, h));
	assert_null(h->ipu);
	/* filters find the stored form */
	corm_qs *qs = corm_objects(env->db, &Host_model);
	int64_t n;
	ASSERT_OK(env, corm_filter(qs, CORM_Q("ip6", "2001:db8::1")));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 1);
	corm_qs_free(qs);
	/* a filter's and update()'s IPv6 text is rewritten as get_prep_value does */
	qs = corm_objects(env->db, &Host_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("ip6", "2001:DB8:0:0::1")));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 1);
	ASSERT_OK(env, corm_update(qs, CORM_KWARGS(CORM_KW("ip4", "0:0::FFFF:10.9.8.7")), NULL));
	corm_qs_free(qs);
	ASSERT_OK(env, corm_refresh(env->db, h));
	assert_string_equal(h->ip4, "::ffff:10.9.8.7");
	/* the database refuses a negative Positive* value, corm one the member cannot hold */
	int rc = corm_create(env->db, &Host_model, NULL,
	                     CORM_KWARGS(CORM_KW("tiny", CORM_OBJ(t)), CORM_KW("ps", -1)));
	assert_int_equal(rc, is("mysql") ? CORM_ETYPE : CORM_ECONSTRAINT);
	assert_int_equal(corm_create(env->db, &Host_model, NULL,
	                             CORM_KWARGS(CORM_KW("tiny", CORM_OBJ(t)), CORM_KW("ps", 40000))),
	                 CORM_ETYPE);
	assert_string_equal(corm_errmsg(env->db),
	                    "Field 'ps' of blog.Host expected an integer between -32768 and 32767 "
	                    "(PositiveSmallIntegerField) but got 40000.");
	corm_free(h);
	corm_free(t);
}

static void test_validation_messages(void **state)
{
	test_env *env = *state;
	Tiny *t = tiny(env);
	Host *h;
	ASSERT_OK(env, corm_new(&Host_model, &h));
	ASSERT_OK(env, CORM_SET(h, "tiny", CORM_OBJ(t)));
	ASSERT_OK(env, CORM_SET(h, "ps", -1));
	ASSERT_OK(env, CORM_SET(h, "pb", -5));
	ASSERT_OK(env, CORM_SET(h, "ip", "1.2.3"));
	ASSERT_OK(env, CORM_SET(h, "ip4", "::1"));
	ASSERT_OK(env, CORM_SET(h, "ip6", "1.2.3.4"));
	corm_validation *v = NULL;
	assert_int_equal(corm_full_clean(h, NULL, &v), CORM_EVALIDATION);
	assert_string_equal(corm_validation_get(v, "ps"),
	                    "Ensure this value is greater than or equal to 0.");
	assert_string_equal(corm_validation_get(v, "pb"),
	                    "Ensure this value is greater than or equal to 0.");
	assert_string_equal(corm_validation_get(v, "ip"), "Enter a valid IPv4 or IPv6 address.");
	assert_string_equal(corm_validation_get(v, "ip4"), "Enter a valid IPv4 address.");
	assert_string_equal(corm_validation_get(v, "ip6"), "Enter a valid IPv6 address.");
	assert_null(corm_validation_get(v, "ipu")); /* blank=True, null */
	assert_int_equal(corm_validation_count(v), 5);
	corm_validation_free(v);
	ASSERT_OK(env, CORM_SET(h, "ps", 0));
	ASSERT_OK(env, CORM_SET(h, "pb", 0));
	ASSERT_OK(env, CORM_SET(h, "ip", "2001:db8::1"));
	ASSERT_OK(env, CORM_SET(h, "ip4", "127.0.0.1"));
	ASSERT_OK(env, CORM_SET(h, "ip6", "::1"));
	ASSERT_OK(env, corm_full_clean(h, NULL, NULL));
	corm_free(h);
	corm_free(t);
}

typedef struct BadIp {
	corm_obj obj;
	char *ip;
} BadIp;
static const corm_field bad_unpack[] = {
        CORM_GENERIC_IP(BadIp, ip, .protocol = CORM_IP_V4, .unpack_ipv4 = true, .null = true),
};
static const corm_field bad_blank[] = {CORM_GENERIC_IP(BadIp, ip, .blank = true)};

static void test_declaration_errors(void **state)
{
	(void)state;
	corm_model unpack = CORM_MODEL(BadIp, "blog", bad_unpack);
	corm_model blank = CORM_MODEL(BadIp, "blog", bad_blank);
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &unpack), CORM_EMODEL);
	assert_non_null(strstr(corm_registry_errmsg(reg),
	                       "You can only use `unpack_ipv4` if `protocol` is set to 'both'."));
	assert_int_equal(corm_registry_add(reg, &blank), CORM_EMODEL);
	assert_non_null(strstr(corm_registry_errmsg(reg),
	                       "GenericIPAddressFields cannot have blank=True if null=True isn't "
	                       "also True."));
	corm_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_ddl_matches_django, setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_round_trip, setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_validation_messages, setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_declaration_errors, setup, test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
