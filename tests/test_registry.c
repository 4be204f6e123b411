/*
 * The two-phase registry (issue 8 item 5): corm_registry_add records, corm_registry_ready
 * resolves foreign keys (pointers, "app.Model", "Model", "self"; circular ones) and runs the
 * system checks (issue 9 item 8: fields.E300, E320, E321); a registry used before ready is
 * refused with one message. The circular models get tables and rows on every backend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define NOT_READY "the registry is not ready: call corm_registry_ready() after adding the models"

static void assert_last(int code, const char *msg)
{
	const corm_error *e = corm_error_last();
	assert_int_equal(e->code, code);
	assert_string_equal(e->message, msg);
}

/* ---- circular models: Person.home -> Home, Home.owner -> Person, Person.best_friend ->
 * self; declared by label, so the order of declaration does not matter ---- */

typedef struct Person {
	corm_obj obj;
	char *name;
	corm_fk best_friend;
	corm_fk home;
} Person;

typedef struct Home {
	corm_obj obj;
	char *address;
	corm_fk owner;
} Home;

static const corm_field person_fields[] = {
        CORM_CHAR(Person, name, .max_length = 50),
        CORM_FK_LABEL(Person, best_friend, "self", CORM_SET_NULL, .null = true),
        CORM_FK_LABEL(Person, home, "Home", CORM_SET_NULL, .null = true),
};
static corm_model Person_model = CORM_MODEL(Person, "town", person_fields);

static const corm_field home_fields[] = {
        CORM_CHAR(Home, address, .max_length = 80),
        CORM_FK_LABEL(Home, owner, "town.Person", CORM_CASCADE, .related_name = "homes"),
};
static corm_model Home_model = CORM_MODEL(Home, "town", home_fields);

/* ---- models for the checks ---- */

typedef struct Loose {
	corm_obj obj;
	corm_fk to;
} Loose;

static const corm_field typo_fields[] = {CORM_FK_LABEL(Loose, to, "auth.Usr", CORM_CASCADE)};
static corm_model Typo_model = CORM_MODEL(Loose, "checks", typo_fields);

static const corm_field bare_fields[] = {CORM_FK_LABEL(Loose, to, "Nobody", CORM_CASCADE)};
static corm_model Bare_model = CORM_MODEL(Loose, "checks", bare_fields);

static const corm_field ptr_fields[] = {CORM_FK(Loose, to, &Home_model, CORM_CASCADE)};
static corm_model Ptr_model = CORM_MODEL(Loose, "checks", ptr_fields);

static const corm_field set_null_fields[] = {
        CORM_FK_LABEL(Loose, to, "self", CORM_SET_NULL),
};
static corm_model SetNull_model = CORM_MODEL(Loose, "checks", set_null_fields);

static const corm_field set_default_fields[] = {
        CORM_FK_LABEL(Loose, to, "self", CORM_SET_DEFAULT, .null = true),
};
static corm_model SetDefault_model = CORM_MODEL(Loose, "checks", set_default_fields);

static const corm_field set_default_ok_fields[] = {
        CORM_FK_LABEL(Loose, to, "self", CORM_SET_DEFAULT, .null = true, .default_value = "1"),
};
static corm_model SetDefaultOk_model = CORM_MODEL(Loose, "checks", set_default_ok_fields);

static const corm_field twice_fields[] = {
        CORM_FK(Loose, to, &Home_model, CORM_CASCADE, .related_label = "town.Home"),
};
static corm_model Twice_model = CORM_MODEL(Loose, "checks", twice_fields);

/* A ready registry with only `m`'s check failing: the code and the exact message. */
static void assert_check(corm_model *m, const char *msg)
{
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, m), CORM_OK);
	assert_int_equal(corm_registry_ready(reg), CORM_EMODEL);
	assert_string_equal(corm_registry_errmsg(reg), msg);
	assert_last(CORM_EMODEL, msg);
	assert_false(corm_registry_is_ready(reg));
	corm_registry_free(reg);
}

static void test_checks_e300_unknown_model(void **state)
{
	(void)state;
	assert_check(&Typo_model, "checks.Loose.to: (fields.E300) Field defines a relation with "
	                          "model 'auth.Usr', which is either not installed, or is "
	                          "abstract.");
	/* a bare name is looked up in the model's own app */
	assert_check(&Bare_model, "checks.Loose.to: (fields.E300) Field defines a relation with "
	                          "model 'checks.Nobody', which is either not installed, or is "
	                          "abstract.");
	/* a pointer to a model that was never added is no longer registered behind the back */
	assert_check(&Ptr_model, "checks.Loose.to: (fields.E300) Field defines a relation with "
	                         "model 'town.Home', which is either not installed, or is "
	                         "abstract.");
}

static void test_checks_on_delete(void **state)
{
	(void)state;
	assert_check(&SetNull_model, "checks.Loose.to: (fields.E320) Field specifies "
	                             "on_delete=SET_NULL, but cannot be null.");
	assert_check(&SetDefault_model, "checks.Loose.to: (fields.E321) Field specifies "
	                                "on_delete=SET_DEFAULT, but has no default value.");
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &SetDefaultOk_model), CORM_OK);
	assert_int_equal(corm_registry_ready(reg), CORM_OK);
	corm_registry_free(reg);
}

static void test_fk_named_twice(void **state)
{
	(void)state;
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &Twice_model), CORM_EMODEL);
	const char *msg =
	        "checks.Loose.to: ForeignKey names its model twice (related and "
	        "related_label): use CORM_FK with a pointer or CORM_FK_LABEL with a label.";
	assert_string_equal(corm_registry_errmsg(reg), msg);
	assert_last(CORM_EMODEL, msg);
	assert_int_equal(corm_registry_count(reg), 0);
	corm_registry_free(reg);
}

/* A failed ready changes nothing: the missing model can be added and ready called again. */
static void test_failed_ready_can_be_completed(void **state)
{
	(void)state;
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &Ptr_model), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &Person_model), CORM_OK);
	assert_int_equal(corm_registry_ready(reg), CORM_EMODEL);
	assert_null(corm_model_table(&Ptr_model));
	assert_int_equal(corm_registry_add(reg, &Home_model), CORM_OK);
	assert_int_equal(corm_registry_ready(reg), CORM_OK);
	assert_true(corm_registry_is_ready(reg));
	assert_int_equal(corm_registry_ready(reg), CORM_OK); /* again: nothing to do */
	assert_string_equal(corm_model_table(&Ptr_model), "checks_loose");
	/* dependency order: Ptr (-> Home) after Person and Home, which form a cycle and keep
	 * their order of registration */
	assert_int_equal(corm_registry_count(reg), 3);
	assert_ptr_equal(corm_registry_at(reg, 0), &Person_model);
	assert_ptr_equal(corm_registry_at(reg, 1), &Home_model);
	assert_ptr_equal(corm_registry_at(reg, 2), &Ptr_model);
	corm_registry_free(reg);
	assert_null(corm_model_table(&Ptr_model));
}

/* Targets are ordered before the models pointing to them, whatever the order of adding. */
static void test_dependency_order(void **state)
{
	(void)state;
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &Post_model), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &Category_model), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &User_model), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &Post_model), CORM_OK); /* twice: no-op */
	assert_int_equal(corm_registry_count(reg), 3);
	assert_ptr_equal(corm_registry_at(reg, 0), &Post_model);
	assert_ptr_equal(corm_registry_at(reg, 1), &Category_model);
	assert_ptr_equal(corm_registry_at(reg, 2), &User_model);
	assert_int_equal(corm_registry_ready(reg), CORM_OK);
	assert_ptr_equal(corm_registry_at(reg, 0), &Category_model);
	assert_ptr_equal(corm_registry_at(reg, 1), &User_model);
	assert_ptr_equal(corm_registry_at(reg, 2), &Post_model);
	corm_registry_free(reg);
}

/* Every use of a registry that is not ready is refused with the same message. */
static void test_not_ready(void **state)
{
	(void)state;
	corm_db *db;
	assert_int_equal(corm_open(&db, "sqlite://:memory:"), CORM_OK);
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &Person_model), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &Home_model), CORM_OK);
	assert_false(corm_registry_is_ready(reg));

	Person *p = (Person *)&p;
	assert_int_equal(corm_new(&Person_model, &p), CORM_EINVAL);
	assert_null(p);
	assert_last(CORM_EINVAL, "corm_new: town.Person: " NOT_READY);

	assert_null(corm_objects(db, &Person_model));
	assert_int_equal(corm_errcode(db), CORM_EINVAL);
	assert_string_equal(corm_errmsg(db), "corm_objects: town.Person: " NOT_READY);

	assert_int_equal(
	        corm_create(db, &Home_model, NULL, CORM_KWARGS(CORM_KW("address", "1 Main St"))),
	        CORM_EINVAL);
	assert_string_equal(corm_errmsg(db), "corm_create: town.Home: " NOT_READY);

	assert_int_equal(corm_create_tables(db, reg), CORM_EINVAL);
	assert_string_equal(corm_errmsg(db), "corm_create_tables: " NOT_READY);
	char *sql = (char *)&sql;
	assert_int_equal(corm_schema_sql(db, reg, &sql), CORM_EINVAL);
	assert_string_equal(corm_errmsg(db), "corm_schema_sql: " NOT_READY);
	assert_int_equal(corm_drop_tables(db, reg), CORM_EINVAL);
	assert_string_equal(corm_errmsg(db), "corm_drop_tables: " NOT_READY);

	const corm_model *found = (corm_model *)&found;
	assert_int_equal(corm_registry_get(reg, "town.Person", &found), CORM_EINVAL);
	assert_null(found);
	assert_string_equal(corm_registry_errmsg(reg), "corm_registry_get: " NOT_READY);
	assert_last(CORM_EINVAL, "corm_registry_get: " NOT_READY);
	assert_null(corm_model_table(&Person_model));
	assert_null(corm_model_field(&Person_model, "name"));

	assert_int_equal(corm_registry_ready(reg), CORM_OK);
	assert_int_equal(corm_registry_get(reg, "town.person", &found), CORM_OK);
	assert_ptr_equal(found, &Person_model);
	assert_int_equal(corm_new(&Person_model, &p), CORM_OK);
	corm_free(p);

	/* models are added before ready, not after */
	assert_int_equal(corm_registry_add(reg, &Typo_model), CORM_EINVAL);
	const char *msg = "checks.Loose: the registry is ready: add every model before "
	                  "corm_registry_ready()";
	assert_string_equal(corm_registry_errmsg(reg), msg);
	assert_last(CORM_EINVAL, msg);
	assert_int_equal(corm_registry_count(reg), 2);

	assert_int_equal(corm_registry_ready(NULL), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_registry_ready: the registry is NULL");
	assert_false(corm_registry_is_ready(NULL));
	corm_registry_free(reg);
	corm_close(db);
}

/* The user-filled structs carry a version (libgit2 style): another value is refused. */
static void test_versions(void **state)
{
	(void)state;
	assert_int_equal(Person_model.version, CORM_MODEL_VERSION);
	corm_model old = Typo_model;
	old.version = 0; /* a declaration made without CORM_MODEL */
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &old), CORM_EINVAL);
	const char *msg = "checks.Loose: corm_model.version is 0, this corm expects 2 "
	                  "(CORM_MODEL_VERSION): declare models with CORM_MODEL";
	assert_string_equal(corm_registry_errmsg(reg), msg);
	assert_last(CORM_EINVAL, msg);
	old.version = CORM_MODEL_VERSION + 1;
	assert_int_equal(corm_registry_add(reg, &old), CORM_EINVAL);
	assert_last(CORM_EINVAL, "checks.Loose: corm_model.version is 3, this corm expects 2 "
	                         "(CORM_MODEL_VERSION): declare models with CORM_MODEL");
	assert_int_equal(corm_registry_count(reg), 0);
	corm_registry_free(reg);

	corm_pool_options opt = CORM_POOL_OPTIONS_INIT;
	assert_int_equal(opt.version, CORM_POOL_OPTIONS_VERSION);
	assert_int_equal(opt.max_size, 8);
	opt.version = 0;
	corm_pool *pool = (corm_pool *)&pool;
	assert_int_equal(corm_pool_new(&pool, "sqlite://:memory:", &opt), CORM_EINVAL);
	assert_null(pool);
	assert_last(CORM_EINVAL, "corm_pool_new: corm_pool_options.version is 0, this corm "
	                         "expects 1 (start from CORM_POOL_OPTIONS_INIT)");
	opt.version = CORM_POOL_OPTIONS_VERSION;
	assert_int_equal(corm_pool_new(&pool, "sqlite://:memory:", &opt), CORM_OK);
	corm_pool_free(pool);
}

/* ---- one declaration, several registries; const declarations ---- */

typedef struct Note {
	corm_obj obj;
	char *text;
	corm_fk parent;
} Note;
static const corm_field note_fields[] = {
        CORM_CHAR(Note, text, .max_length = 20),
        CORM_FK_LABEL(Note, parent, "self", CORM_CASCADE, .null = true),
};
/* const: corm never writes into a declaration */
static const corm_model Note_model = CORM_MODEL(Note, "memo", note_fields);

static int64_t count_notes(corm_db *db)
{
	corm_qs *qs = corm_objects(db, &Note_model);
	int64_t n = -1;
	if (!qs || corm_count(qs, &n))
		n = -1;
	corm_qs_free(qs);
	return n;
}

static void test_one_declaration_two_registries(void **state)
{
	(void)state;
	corm_registry *a, *b;
	corm_db *db;
	assert_int_equal(corm_open(&db, "sqlite://:memory:"), CORM_OK);
	assert_int_equal(corm_registry_new(&a), CORM_OK);
	assert_int_equal(corm_registry_new(&b), CORM_OK);
	assert_int_equal(corm_registry_add(a, &Note_model), CORM_OK);
	assert_int_equal(corm_registry_add(b, &Note_model), CORM_OK);
	assert_int_equal(corm_registry_add(b, &User_model), CORM_OK);
	assert_int_equal(corm_registry_ready(a), CORM_OK);
	assert_int_equal(corm_create_tables(db, a), CORM_OK);
	Note *n1;
	assert_int_equal(corm_create(db, &Note_model, &n1, CORM_KWARGS(CORM_KW("text", "one"))),
	                 CORM_OK);
	assert_non_null(n1->obj.meta);
	assert_ptr_equal(n1->obj.model, &Note_model);
	/* b is not ready: the model is served by a meanwhile */
	assert_int_equal(count_notes(db), 1);
	assert_int_equal(corm_registry_ready(b), CORM_OK);
	assert_int_equal(corm_registry_count(b), 2);
	Note *n2;
	assert_int_equal(corm_create(db, &Note_model, &n2,
	                             CORM_KWARGS(CORM_KW("text", "two"), CORM_KW("parent", CORM_OBJ(n1)))),
	                 CORM_OK);
	assert_true(n2->obj.meta != n1->obj.meta); /* made through b, the latest ready */
	assert_int_equal(n2->parent.id, corm_pk(n1));
	assert_int_equal(count_notes(db), 2);
	const corm_model *found;
	assert_int_equal(corm_registry_get(a, "memo.Note", &found), CORM_OK);
	assert_ptr_equal(found, &Note_model);
	assert_int_equal(corm_registry_get(a, "auth.User", &found), CORM_ENOTFOUND);
	assert_int_equal(corm_registry_get(b, "auth.User", &found), CORM_OK);
	corm_free(n1); /* made through a: freed before a is */
	corm_registry_free(a);
	/* b still works on its own */
	assert_int_equal(count_notes(db), 2);
	assert_string_equal(corm_model_table(&Note_model), "memo_note");
	Note *n3;
	assert_int_equal(corm_new(&Note_model, &n3), CORM_OK);
	assert_int_equal(CORM_SET(n3, "text", "three"), CORM_OK);
	assert_int_equal(corm_save(db, n3), CORM_OK);
	assert_int_equal(count_notes(db), 3);
	corm_free(n3);
	corm_free(n2);
	assert_int_equal(corm_drop_tables(db, b), CORM_OK);
	corm_registry_free(b);
	/* in no registry any more */
	assert_null(corm_model_table(&Note_model));
	assert_int_equal(corm_new(&Note_model, &n3), CORM_EINVAL);
	assert_last(CORM_EINVAL,
	            "corm_new: model memo.Note is not registered (corm_registry_add it first)");
	corm_close(db);
}

/* ---- circular foreign keys on the backend under test ---- */

static int drop_town(corm_db *db)
{
	const char *be = test_backend();
	if (strcmp(be, "postgres") == 0)
		return corm_execute(db, "DROP TABLE IF EXISTS town_home, town_person CASCADE", NULL,
		                    0, NULL);
	int rc = CORM_OK;
	if (strcmp(be, "mysql") == 0)
		rc = corm_execute(db, "SET FOREIGN_KEY_CHECKS = 0", NULL, 0, NULL);
	else
		rc = corm_execute(db, "PRAGMA foreign_keys = OFF", NULL, 0, NULL);
	if (!rc)
		rc = corm_execute(db, "DROP TABLE IF EXISTS town_home", NULL, 0, NULL);
	if (!rc)
		rc = corm_execute(db, "DROP TABLE IF EXISTS town_person", NULL, 0, NULL);
	if (!rc && strcmp(be, "mysql") == 0)
		rc = corm_execute(db, "SET FOREIGN_KEY_CHECKS = 1", NULL, 0, NULL);
	else if (!rc)
		rc = corm_execute(db, "PRAGMA foreign_keys = ON", NULL, 0, NULL);
	return rc;
}

static void test_circular_fks(void **state)
{
	(void)state;
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	/* Home first: its target Person is added after it */
	assert_int_equal(corm_registry_add(reg, &Home_model), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &Person_model), CORM_OK);
	assert_int_equal(corm_registry_ready(reg), CORM_OK);
	test_env env = {.reg = reg};
	assert_int_equal(corm_open(&env.db, test_url()), CORM_OK);
	ASSERT_OK(&env, drop_town(env.db));
	ASSERT_OK(&env, corm_create_tables(env.db, reg));

	/* rows both ways: Person -> Home and Home -> Person, and Person -> Person */
	Person *alice, *bob;
	Home *h;
	ASSERT_OK(&env, corm_create(env.db, &Person_model, &alice,
	                            CORM_KWARGS(CORM_KW("name", "alice"))));
	ASSERT_OK(&env, corm_create(env.db, &Home_model, &h,
	                            CORM_KWARGS(CORM_KW("address", "1 Main St"),
	                                        CORM_KW("owner", CORM_OBJ(alice)))));
	ASSERT_OK(&env, corm_create(env.db, &Person_model, &bob,
	                            CORM_KWARGS(CORM_KW("name", "bob"), CORM_KW("home", CORM_OBJ(h)),
	                                        CORM_KW("best_friend", CORM_OBJ(alice)))));
	ASSERT_OK(&env, CORM_SET(alice, "home", CORM_OBJ(h)));
	ASSERT_OK(&env, CORM_SET(alice, "best_friend", CORM_OBJ(bob)));
	ASSERT_OK(&env, corm_save(env.db, alice));
	assert_int_equal(h->owner.id, corm_pk(alice));
	assert_int_equal(bob->home.id, corm_pk(h));

	/* traversal across the cycle, each way */
	corm_qs *qs = corm_objects(env.db, &Person_model);
	assert_non_null(qs);
	corm_filter(qs, CORM_Q("home__owner__name", "alice"), CORM_Q("best_friend__name", "bob"));
	Person *got;
	ASSERT_OK(&env, corm_first(qs, &got));
	assert_string_equal(got->name, "alice");
	assert_int_equal(got->home.id, corm_pk(h));
	corm_free(got);
	corm_qs_free(qs);

	qs = corm_objects(env.db, &Home_model);
	corm_filter(qs, CORM_Q("owner__best_friend__home__address", "1 Main St"));
	int64_t n = -1;
	ASSERT_OK(&env, corm_count(qs, &n));
	assert_int_equal(n, 1);
	corm_qs_free(qs);

	/* the database enforces both constraints */
	assert_int_equal(corm_create(env.db, &Home_model, NULL,
	                             CORM_KWARGS(CORM_KW("address", "x"), CORM_KW("owner", 999))),
	                 CORM_ECONSTRAINT);

	corm_free(alice);
	corm_free(bob);
	corm_free(h);
	ASSERT_OK(&env, drop_town(env.db));
	corm_close(env.db);
	corm_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_checks_e300_unknown_model),
	        cmocka_unit_test(test_checks_on_delete),
	        cmocka_unit_test(test_fk_named_twice),
	        cmocka_unit_test(test_failed_ready_can_be_completed),
	        cmocka_unit_test(test_dependency_order),
	        cmocka_unit_test(test_not_ready),
	        cmocka_unit_test(test_versions),
	        cmocka_unit_test(test_one_declaration_two_registries),
	        cmocka_unit_test(test_circular_fks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
