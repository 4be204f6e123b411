/*
 * Primary keys of every kind Django allows (CharField, UUIDField, SlugField as
 * well as integers) with ForeignKeys to them, and the reverse relations the
 * registry's ready step builds with Django's clash checks (issue 8 item 5), on
 * every backend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

typedef struct Tag {
	corm_obj obj;
	char *code;
	char *label;
} Tag;

typedef struct Order {
	corm_obj obj;
	corm_uuid id;
	char *note;
} Order;

typedef struct Page {
	corm_obj obj;
	char *slug;
} Page;

typedef struct Item {
	corm_obj obj;
	char *name;
	corm_fk tag;
	corm_fk order;
	corm_fk page;
} Item;

static int new_uuid(void *member, const corm_field *field)
{
	(void)field;
	*(corm_uuid *)member = corm_uuid4();
	return CORM_OK;
}

static const corm_field tag_fields[] = {
        CORM_CHAR(Tag, code, .max_length = 10, .primary_key = true),
        CORM_CHAR(Tag, label, .max_length = 50),
};
static const corm_model Tag_model = CORM_MODEL(Tag, "keys", tag_fields);

static const corm_field order_fields[] = {
        CORM_UUID(Order, id, .primary_key = true, .default_fn = new_uuid),
        CORM_CHAR(Order, note, .max_length = 50),
};
static const corm_model Order_model = CORM_MODEL(Order, "keys", order_fields);

static const corm_field page_fields[] = {CORM_SLUG(Page, slug, .primary_key = true)};
static const corm_model Page_model = CORM_MODEL(Page, "keys", page_fields);

static const corm_field item_fields[] = {
        CORM_CHAR(Item, name, .max_length = 50),
        CORM_FK(Item, tag, &Tag_model, CORM_CASCADE, .related_name = "items"),
        CORM_FK(Item, order, &Order_model, CORM_SET_NULL, .null = true, .related_name = "items"),
        CORM_FK(Item, page, &Page_model, CORM_CASCADE, .null = true, .related_name = "+"),
};
static const corm_model Item_model = CORM_MODEL(Item, "keys", item_fields);

static bool is(const char *backend)
{
	return strcmp(test_backend(), backend) == 0;
}

static int setup(void **state)
{
	/* Item first: its targets are added after it */
	const corm_model *const models[] = {&Item_model, &Tag_model, &Order_model, &Page_model};
	return test_setup_models(state, models, 4);
}

/* The statements logged since the last test_clear_queries, each rewritten to '?'. */
static const char *query(test_env *env, size_t i)
{
	assert_true(i < env->nqueries);
	test_pg_placeholders(env->queries[i]);
	return env->queries[i];
}

static Tag *make_tag(test_env *env, const char *code, const char *label)
{
	Tag *t = NULL;
	ASSERT_OK(env, corm_create(env->db, &Tag_model, &t,
	                           CORM_KWARGS(CORM_KW("code", code), CORM_KW("label", label))));
	return t;
}

/*
 * Byte for byte Django 3.2's sqlmigrate of makemigrations for the same models: the
 * relations come last, sorted by name (see schema.c), each typed as its target's key.
 */
static void test_ddl_matches_django(void **state)
{
	test_env *env = *state;
	char *sql;
	ASSERT_OK(env, corm_schema_sql(env->db, env->reg, &sql));
	const char *django;
	if (is("postgres"))
		django = "CREATE TABLE \"keys_tag\" (\"code\" varchar(10) NOT NULL PRIMARY KEY, "
		         "\"label\" varchar(50) NOT NULL);\n"
		         "CREATE TABLE \"keys_order\" (\"id\" uuid NOT NULL PRIMARY KEY, \"note\" "
		         "varchar(50) NOT NULL);\n"
		         "CREATE TABLE \"keys_page\" (\"slug\" varchar(50) NOT NULL PRIMARY KEY);\n"
		         "CREATE TABLE \"keys_item\" (\"id\" serial NOT NULL PRIMARY KEY, \"name\" "
		         "varchar(50) NOT NULL, \"order_id\" uuid NULL, \"page_id\" varchar(50) "
		         "NULL, \"tag_id\" varchar(10) NOT NULL);\n"
		         "CREATE INDEX \"keys_tag_code_6f19374a_like\" ON \"keys_tag\" (\"code\" "
		         "varchar_pattern_ops);\n"
		         "CREATE INDEX \"keys_page_slug_db4d59f7_like\" ON \"keys_page\" (\"slug\" "
		         "varchar_pattern_ops);\n"
		         "ALTER TABLE \"keys_item\" ADD CONSTRAINT "
		         "\"keys_item_order_id_329e6600_fk_keys_order_id\" FOREIGN KEY "
		         "(\"order_id\") REFERENCES \"keys_order\" (\"id\") DEFERRABLE INITIALLY "
		         "DEFERRED;\n"
		         "ALTER TABLE \"keys_item\" ADD CONSTRAINT "
		         "\"keys_item_page_id_66eb1d31_fk_keys_page_slug\" FOREIGN KEY "
		         "(\"page_id\") REFERENCES \"keys_page\" (\"slug\") DEFERRABLE INITIALLY "
		         "DEFERRED;\n"
		         "ALTER TABLE \"keys_item\" ADD CONSTRAINT "
		         "\"keys_item_tag_id_8bdc7968_fk_keys_tag_code\" FOREIGN KEY (\"tag_id\") "
		         "REFERENCES \"keys_tag\" (\"code\") DEFERRABLE INITIALLY DEFERRED;\n"
		         "CREATE INDEX \"keys_item_order_id_329e6600\" ON \"keys_item\" "
		         "(\"order_id\");\n"
		         "CREATE INDEX \"keys_item_page_id_66eb1d31\" ON \"keys_item\" "
		         "(\"page_id\");\n"
		         "CREATE INDEX \"keys_item_page_id_66eb1d31_like\" ON \"keys_item\" "
		         "(\"page_id\" varchar_pattern_ops);\n"
		         "CREATE INDEX \"keys_item_tag_id_8bdc7968\" ON \"keys_item\" "
		         "(\"tag_id\");\n"
		         "CREATE INDEX \"keys_item_tag_id_8bdc7968_like\" ON \"keys_item\" "
		         "(\"tag_id\" varchar_pattern_ops);\n";
	else if (is("mysql"))
		django =
		        "CREATE TABLE `keys_tag` (`code` varchar(10) NOT NULL PRIMARY KEY, `label` "
		        "varchar(50) NOT NULL);\n"
		        "CREATE TABLE `keys_order` (`id` char(32) NOT NULL PRIMARY KEY, `note` "
		        "varchar(50) NOT NULL);\n"
		        "CREATE TABLE `keys_page` (`slug` varchar(50) NOT NULL PRIMARY KEY);\n"
		        "CREATE TABLE `keys_item` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY "
		        "KEY, `name` varchar(50) NOT NULL, `order_id` char(32) NULL, `page_id` "
		        "varchar(50) NULL, `tag_id` varchar(10) NOT NULL);\n"
		        "ALTER TABLE `keys_item` ADD CONSTRAINT "
		        "`keys_item_order_id_329e6600_fk_keys_order_id` FOREIGN KEY (`order_id`) "
		        "REFERENCES `keys_order` (`id`);\n"
		        "ALTER TABLE `keys_item` ADD CONSTRAINT "
		        "`keys_item_page_id_66eb1d31_fk_keys_page_slug` FOREIGN KEY (`page_id`) "
		        "REFERENCES `keys_page` (`slug`);\n"
		        "ALTER TABLE `keys_item` ADD CONSTRAINT "
		        "`keys_item_tag_id_8bdc7968_fk_keys_tag_code` FOREIGN KEY (`tag_id`) "
		        "REFERENCES `keys_tag` (`code`);\n";
	else
		django =
		        "CREATE TABLE \"keys_tag\" (\"code\" varchar(10) NOT NULL PRIMARY KEY, "
		        "\"label\" varchar(50) NOT NULL);\n"
		        "CREATE TABLE \"keys_order\" (\"id\" char(32) NOT NULL PRIMARY KEY, "
		        "\"note\" "
		        "varchar(50) NOT NULL);\n"
		        "CREATE TABLE \"keys_page\" (\"slug\" varchar(50) NOT NULL PRIMARY KEY);\n"
		        "CREATE TABLE \"keys_item\" (\"id\" integer NOT NULL PRIMARY KEY "
		        "AUTOINCREMENT, \"name\" varchar(50) NOT NULL, \"order_id\" char(32) NULL "
		        "REFERENCES \"keys_order\" (\"id\") DEFERRABLE INITIALLY DEFERRED, "
		        "\"page_id\" varchar(50) NULL REFERENCES \"keys_page\" (\"slug\") "
		        "DEFERRABLE INITIALLY DEFERRED, \"tag_id\" varchar(10) NOT NULL REFERENCES "
		        "\"keys_tag\" (\"code\") DEFERRABLE INITIALLY DEFERRED);\n"
		        "CREATE INDEX \"keys_item_order_id_329e6600\" ON \"keys_item\" "
		        "(\"order_id\");\n"
		        "CREATE INDEX \"keys_item_page_id_66eb1d31\" ON \"keys_item\" "
		        "(\"page_id\");\n"
		        "CREATE INDEX \"keys_item_tag_id_8bdc7968\" ON \"keys_item\" "
		        "(\"tag_id\");\n";
	assert_string_equal(sql, django);
	corm_mem_free(sql);
}

/* A text key: create, get, save (Django's UPDATE-then-INSERT for a key that is set), delete. */
static void test_char_key(void **state)
{
	test_env *env = *state;
	Tag *py = make_tag(env, "py", "Python");
	assert_int_equal(corm_pk(py), 0); /* not an integer key */
	corm_value key;
	ASSERT_OK(env, corm_pk_value(py, &key));
	assert_int_equal(key.type, CORM_TYPE_TEXT);
	assert_string_equal(key.u.text, "py");

	Tag *got = NULL;
	corm_qs *qs = corm_objects(env->db, &Tag_model);
	ASSERT_OK(env, corm_get(qs, &got, CORM_Q("pk", "py")));
	assert_string_equal(got->label, "Python");
	corm_free(got);

	/* a new instance whose key is set: UPDATE first (it matches nothing), then INSERT */
	Tag *c = NULL;
	ASSERT_OK(env, corm_new(&Tag_model, &c));
	ASSERT_OK(env, CORM_SET(c, "code", "c"));
	ASSERT_OK(env, CORM_SET(c, "label", "C"));
	test_clear_queries(env);
	ASSERT_OK(env, corm_save(env->db, c));
	assert_int_equal(env->nqueries, 2);
	assert_string_equal(query(env, 0), is("mysql")
	                                           ? "UPDATE `keys_tag` SET `label` = ? WHERE "
	                                             "`keys_tag`.`code` = ?"
	                                           : "UPDATE \"keys_tag\" SET \"label\" = ? WHERE "
	                                             "\"keys_tag\".\"code\" = ?");
	assert_string_equal(query(env, 1),
	                    is("mysql") ? "INSERT INTO `keys_tag` (`code`, `label`) VALUES (?, ?)"
	                                : "INSERT INTO \"keys_tag\" (\"code\", \"label\") VALUES "
	                                  "(?, ?)");
	/* another instance with the same key saves over the row, as in Django */
	Tag *again = NULL;
	ASSERT_OK(env, corm_new(&Tag_model, &again));
	ASSERT_OK(env, CORM_SET(again, "code", "c"));
	ASSERT_OK(env, CORM_SET(again, "label", "C language"));
	test_clear_queries(env);
	ASSERT_OK(env, corm_save(env->db, again));
	assert_int_equal(env->nqueries, 1);
	int64_t n = 0;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 2);
	ASSERT_OK(env, corm_refresh(env->db, c));
	assert_string_equal(c->label, "C language");

	/* delete: the key becomes NULL (Django sets pk to None) */
	int64_t deleted = 0;
	ASSERT_OK(env, corm_delete(env->db, c, &deleted));
	assert_int_equal(deleted, 1);
	assert_null(c->code);
	ASSERT_OK(env, corm_pk_value(c, &key));
	assert_int_equal(key.type, CORM_TYPE_NULL);
	assert_int_equal(corm_delete(env->db, c, NULL), CORM_EINVAL);
	assert_string_equal(
	        corm_errmsg(env->db),
	        "Tag object can't be deleted because its code attribute is set to None.");
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 1);

	/* update_fields on a row that is gone names the key */
	ASSERT_OK(env, CORM_SET(again, "code", "gone"));
	assert_int_equal(corm_save_fields(env->db, again, CORM_FIELDS("label")), CORM_ENOTFOUND);
	assert_string_equal(
	        corm_errmsg(env->db),
	        "Save with update_fields did not affect any rows (keys.Tag pk='gone').");
	corm_qs_free(qs);
	corm_free(again);
	corm_free(c);
	corm_free(py);
}

/* A UUID key with a default: a new instance is inserted at once (no UPDATE tried). */
static void test_uuid_key(void **state)
{
	test_env *env = *state;
	Order *o = NULL;
	ASSERT_OK(env, corm_new(&Order_model, &o));
	corm_uuid zero = {{0}};
	assert_memory_not_equal(o->id.bytes, zero.bytes, 16); /* uuid4 from the default */
	ASSERT_OK(env, CORM_SET(o, "note", "first"));
	test_clear_queries(env);
	ASSERT_OK(env, corm_save(env->db, o));
	assert_int_equal(env->nqueries, 1);
	assert_non_null(strstr(query(env, 0), "INSERT INTO"));
	/* saved again: an UPDATE */
	ASSERT_OK(env, CORM_SET(o, "note", "second"));
	test_clear_queries(env);
	ASSERT_OK(env, corm_save(env->db, o));
	assert_int_equal(env->nqueries, 1);
	assert_non_null(strstr(query(env, 0), "UPDATE"));

	Order *got = NULL;
	corm_qs *qs = corm_objects(env->db, &Order_model);
	ASSERT_OK(env, corm_get(qs, &got, CORM_Q("id", o->id)));
	assert_memory_equal(got->id.bytes, o->id.bytes, 16);
	assert_string_equal(got->note, "second");
	corm_value key;
	ASSERT_OK(env, corm_pk_value(got, &key));
	assert_int_equal(key.type, CORM_TYPE_UUID);
	assert_memory_equal(key.u.uuid.bytes, o->id.bytes, 16);
	corm_free(got);
	/* the key as text is parsed as the field's */
	char text[CORM_UUID_STRLEN];
	corm_uuid_format(o->id, text);
	ASSERT_OK(env, corm_get(qs, &got, CORM_Q("pk", text)));
	assert_string_equal(got->note, "second");
	ASSERT_OK(env, corm_delete(env->db, got, NULL));
	assert_true(corm_is_null(got, &got->id));
	int64_t n = 1;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 0);
	corm_qs_free(qs);
	corm_free(got);
	corm_free(o);
}

/* ForeignKeys to text, UUID and slug keys: set, saved, read back, filtered, joined, cleared. */
static void test_fks_to_keys(void **state)
{
	test_env *env = *state;
	Tag *py = make_tag(env, "py", "Python"), *rs = make_tag(env, "rs", "Rust");
	Order *o = NULL;
	ASSERT_OK(env, corm_create(env->db, &Order_model, &o, CORM_KWARGS(CORM_KW("note", "n"))));
	Page *pg = NULL;
	ASSERT_OK(env,
	          corm_create(env->db, &Page_model, &pg, CORM_KWARGS(CORM_KW("slug", "home"))));
	Item *a = NULL, *b = NULL;
	ASSERT_OK(env, corm_create(env->db, &Item_model, &a,
	                           CORM_KWARGS(CORM_KW("name", "a"), CORM_KW("tag", CORM_OBJ(py)),
	                                       CORM_KW("order", CORM_OBJ(o)),
	                                       CORM_KW("page", CORM_OBJ(pg)))));
	assert_string_equal(a->tag.key, "py");
	assert_memory_equal(a->order.uuid.bytes, o->id.bytes, 16);
	assert_string_equal(a->page.key, "home");
	/* by key value, the order left NULL */
	ASSERT_OK(env, corm_create(env->db, &Item_model, &b,
	                           CORM_KWARGS(CORM_KW("name", "b"), CORM_KW("tag_id", "rs"))));
	assert_true(corm_is_null(b, &b->order));
	assert_true(corm_is_null(b, &b->page));
	assert_false(corm_is_null(b, &b->tag));

	/* read back, in one iteration (the instance reused across rows frees each key) */
	corm_qs *qs = corm_objects(env->db, &Item_model);
	ASSERT_OK(env, corm_order_by(qs, "name"));
	Item *it;
	int rows = 0;
	while (corm_next(qs, &it) == CORM_ROW) {
		if (rows++ == 0) {
			assert_string_equal(it->tag.key, "py");
			assert_memory_equal(it->order.uuid.bytes, o->id.bytes, 16);
			assert_false(corm_is_null(it, &it->order));
			assert_string_equal(it->page.key, "home");
		} else {
			assert_string_equal(it->tag.key, "rs");
			assert_true(corm_is_null(it, &it->order));
			assert_null(it->page.key);
		}
	}
	assert_int_equal(rows, 2);
	corm_qs_free(qs);

	/* filters: by instance, by key, across the join */
	int64_t n = 0;
	qs = corm_objects(env->db, &Item_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("tag", CORM_OBJ(rs))));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 1);
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Item_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("order", o->id)));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 1);
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Item_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("tag__label", "Python")));
	char *sql = NULL;
	ASSERT_OK(env, corm_qs_str(qs, &sql));
	assert_string_equal(
	        sql,
	        is("mysql")
	                ? "SELECT `keys_item`.`id`, `keys_item`.`name`, `keys_item`.`tag_id`, "
	                  "`keys_item`.`order_id`, `keys_item`.`page_id` FROM `keys_item` "
	                  "INNER JOIN `keys_tag` ON (`keys_item`.`tag_id` = `keys_tag`.`code`) "
	                  "WHERE `keys_tag`.`label` = 'Python'"
	                : "SELECT \"keys_item\".\"id\", \"keys_item\".\"name\", "
	                  "\"keys_item\".\"tag_id\", \"keys_item\".\"order_id\", "
	                  "\"keys_item\".\"page_id\" FROM \"keys_item\" INNER JOIN \"keys_tag\" "
	                  "ON (\"keys_item\".\"tag_id\" = \"keys_tag\".\"code\") WHERE "
	                  "\"keys_tag\".\"label\" = 'Python'");
	corm_mem_free(sql);
	ASSERT_OK(env, corm_select_related(qs, "tag", "order"));
	ASSERT_OK(env, corm_get(qs, &it, corm_q_empty()));
	assert_string_equal(it->name, "a");
	assert_non_null(it->tag.obj);
	assert_string_equal(((Tag *)it->tag.obj)->label, "Python");
	assert_string_equal(((Order *)it->order.obj)->note, "n");
	/* a copy owns its own keys and related objects */
	Item *copy = NULL;
	ASSERT_OK(env, corm_clone(it, &copy));
	corm_free(it);
	assert_string_equal(copy->tag.key, "py");
	assert_string_equal(((Tag *)copy->tag.obj)->code, "py");
	/* a new key drops the cached object that no longer matches; the same key keeps it */
	ASSERT_OK(env, CORM_SET(copy, "tag", "py"));
	assert_non_null(copy->tag.obj);
	ASSERT_OK(env, CORM_SET(copy, "tag", "rs"));
	assert_null(copy->tag.obj);
	assert_string_equal(copy->tag.key, "rs");
	ASSERT_OK(env, CORM_SET(copy, "order", corm_v_null()));
	assert_true(corm_is_null(copy, &copy->order));
	ASSERT_OK(env, corm_save(env->db, copy));
	corm_free(copy);
	corm_qs_free(qs);

	/* values_list of the key column, and update() of a key */
	qs = corm_objects(env->db, &Item_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("tag", "rs")));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 2);
	ASSERT_OK(env, corm_update(qs, CORM_KWARGS(CORM_KW("tag", CORM_OBJ(py))), &n));
	assert_int_equal(n, 2);
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Item_model);
	ASSERT_OK(env, corm_values_list(qs, true, "tag"));
	const corm_row *row;
	while (corm_next_row(qs, &row) == CORM_ROW) {
		const char *t = NULL;
		ASSERT_OK(env, corm_row_text(row, "tag", &t));
		assert_string_equal(t, "py");
	}
	corm_qs_free(qs);

	/* a value of the wrong type for the target's key */
	assert_int_equal(CORM_SET(b, "order", "not-a-uuid"), CORM_ETYPE);
	assert_string_equal(corm_error_last()->message,
	                    "Field 'Order.id' expected a valid UUID but got 'not-a-uuid'.");
	assert_int_equal(CORM_SET(b, "tag", CORM_OBJ(o)), CORM_ETYPE);
	assert_non_null(strstr(corm_error_last()->message, "expected a Tag instance or id"));
	corm_free(a);
	corm_free(b);
	corm_free(pg);
	corm_free(o);
	corm_free(rs);
	corm_free(py);
}

/* ---- reverse relations and the clash checks ---- */

static void test_reverse_relations(void **state)
{
	(void)state;
	assert_int_equal(corm_model_related_count(&Tag_model), 1);
	corm_related_object r;
	assert_int_equal(corm_model_related_at(&Tag_model, 0, &r), CORM_OK);
	assert_string_equal(r.accessor_name, "items");
	assert_string_equal(r.query_name, "items");
	assert_ptr_equal(r.model, &Item_model);
	assert_ptr_equal(r.field, &item_fields[1]);
	assert_true(r.multiple);
	assert_false(r.hidden);
	corm_related_object by_name;
	assert_int_equal(corm_model_related_get(&Tag_model, "items", &by_name), CORM_OK);
	assert_ptr_equal(by_name.field, r.field);
	assert_int_equal(corm_model_related_get(&Tag_model, "item", &by_name), CORM_ENOTFOUND);
	assert_string_equal(corm_error_last()->message, "keys.Tag has no relation named 'item'");
	assert_int_equal(corm_model_related_at(&Tag_model, 1, &r), CORM_EINVAL);
	assert_string_equal(corm_error_last()->message,
	                    "corm_model_related_at: keys.Tag has 1 relations, no 1");
	/* related_name "+": a relation without accessor or lookup */
	assert_int_equal(corm_model_related_count(&Page_model), 1);
	assert_int_equal(corm_model_related_at(&Page_model, 0, &r), CORM_OK);
	assert_true(r.hidden);
	assert_string_equal(r.accessor_name, "+");
	assert_int_equal(corm_model_related_get(&Page_model, "+", &r), CORM_ENOTFOUND);
	assert_int_equal(corm_model_related_get(&Page_model, "item", &r), CORM_ENOTFOUND);
	assert_int_equal(corm_model_related_count(&Item_model), 0);
	assert_int_equal(corm_model_related_get(NULL, "x", &r), CORM_EINVAL);
	assert_string_equal(corm_error_last()->message,
	                    "corm_model_related_get: the model is NULL");
}

/* Default names: "<model>_set" and the model's name; related_query_name on its own. */
typedef struct Note {
	corm_obj obj;
	corm_fk tag;
	corm_fk other;
} Note;

static void test_default_relation_names(void **state)
{
	(void)state;
	const corm_field fields[] = {
	        CORM_FK(Note, tag, &Tag_model, CORM_CASCADE),
	        CORM_FK(Note, other, &Tag_model, CORM_CASCADE, .related_name = "others",
	                .related_query_name = "other_note"),
	};
	corm_model note = CORM_MODEL(Note, "keys", fields);
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &Tag_model), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &note), CORM_OK);
	assert_int_equal(corm_registry_ready(reg), CORM_OK);
	corm_related_object r;
	assert_int_equal(corm_model_related_at(&Tag_model, 0, &r), CORM_OK);
	assert_string_equal(r.accessor_name, "note_set");
	assert_string_equal(r.query_name, "note");
	assert_int_equal(corm_model_related_at(&Tag_model, 1, &r), CORM_OK);
	assert_string_equal(r.accessor_name, "others");
	assert_string_equal(r.query_name, "other_note");
	assert_int_equal(corm_model_related_get(&Tag_model, "others", &r), CORM_ENOTFOUND);
	corm_registry_free(reg);
}

typedef struct Account {
	corm_obj obj;
	char *name;
	int32_t transfer_set;
} Account;

typedef struct Transfer {
	corm_obj obj;
	corm_fk sender;
	corm_fk receiver;
} Transfer;

static const corm_field account_fields[] = {
        CORM_CHAR(Account, name, .max_length = 10),
        CORM_INT(Account, transfer_set),
};
static const corm_model Account_model = CORM_MODEL(Account, "bank", account_fields);

/* Ready on a registry of Account and a Transfer with these fields; the message, or "". */
static const char *ready_with(const corm_model *account, const corm_field *fields, size_t n,
                              int want)
{
	static char msg[1024];
	corm_model transfer = CORM_MODEL(Transfer, "bank", account_fields);
	transfer.fields = fields;
	transfer.nfields = n;
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, account), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &transfer), CORM_OK);
	assert_int_equal(corm_registry_ready(reg), want);
	snprintf(msg, sizeof msg, "%s", want ? corm_registry_errmsg(reg) : "");
	if (want)
		assert_string_equal(corm_error_last()->message, msg);
	corm_registry_free(reg);
	return msg;
}

static void test_clash_checks(void **state)
{
	(void)state;
	/* the guide's Transfer: two ForeignKeys to Account without related_names (E304); the
	 * accessor "transfer_set" is a field of Account too (E302, reported first) */
	const corm_field two[] = {
	        CORM_FK(Transfer, sender, &Account_model, CORM_CASCADE),
	        CORM_FK(Transfer, receiver, &Account_model, CORM_CASCADE),
	};
	assert_string_equal(
	        ready_with(&Account_model, two, 2, CORM_EMODEL),
	        "bank.Transfer.sender: (fields.E302) Reverse accessor for 'bank.Transfer.sender' "
	        "clashes with field name 'bank.Account.transfer_set'.\n\tHINT: Rename field "
	        "'bank.Account.transfer_set', or add/change a related_name argument to the "
	        "definition for field 'bank.Transfer.sender'.");
	const corm_field plain_account_fields[] = {CORM_CHAR(Account, name, .max_length = 10)};
	corm_model plain = CORM_MODEL(Account, "bank", plain_account_fields);
	const corm_field two_plain[] = {
	        CORM_FK(Transfer, sender, &plain, CORM_CASCADE),
	        CORM_FK(Transfer, receiver, &plain, CORM_CASCADE),
	};
	assert_string_equal(ready_with(&plain, two_plain, 2, CORM_EMODEL),
	                    "bank.Transfer.sender: (fields.E304) Reverse accessor for "
	                    "'bank.Transfer.sender' clashes with reverse accessor for "
	                    "'bank.Transfer.receiver'.\n\tHINT: Add or change a related_name "
	                    "argument to the definition for 'bank.Transfer.sender' or "
	                    "'bank.Transfer.receiver'.");
	/* distinct accessors but one query name */
	const corm_field query_clash[] = {
	        CORM_FK(Transfer, sender, &plain, CORM_CASCADE, .related_name = "sent",
	                .related_query_name = "received"),
	        CORM_FK(Transfer, receiver, &plain, CORM_CASCADE, .related_name = "received"),
	};
	assert_string_equal(ready_with(&plain, query_clash, 2, CORM_EMODEL),
	                    "bank.Transfer.sender: (fields.E305) Reverse query name for "
	                    "'bank.Transfer.sender' clashes with reverse query name for "
	                    "'bank.Transfer.receiver'.\n\tHINT: Add or change a related_name "
	                    "argument to the definition for 'bank.Transfer.sender' or "
	                    "'bank.Transfer.receiver'.");
	/* a query name that is a field of the target */
	const corm_field field_clash[] = {
	        CORM_FK(Transfer, sender, &plain, CORM_CASCADE, .related_name = "sent",
	                .related_query_name = "name"),
	};
	assert_string_equal(ready_with(&plain, field_clash, 1, CORM_EMODEL),
	                    "bank.Transfer.sender: (fields.E303) Reverse query name for "
	                    "'bank.Transfer.sender' clashes with field name 'bank.Account.name'."
	                    "\n\tHINT: Rename field 'bank.Account.name', or add/change a "
	                    "related_name argument to the definition for field "
	                    "'bank.Transfer.sender'.");
	/* distinct related_names pass; hidden relations ("+") never clash */
	const corm_field fine[] = {
	        CORM_FK(Transfer, sender, &Account_model, CORM_CASCADE, .related_name = "sent"),
	        CORM_FK(Transfer, receiver, &Account_model, CORM_CASCADE, .related_name = "+"),
	};
	assert_string_equal(ready_with(&Account_model, fine, 2, CORM_OK), "");
	const corm_field hidden[] = {
	        CORM_FK(Transfer, sender, &plain, CORM_CASCADE, .related_name = "+"),
	        CORM_FK(Transfer, receiver, &plain, CORM_CASCADE, .related_name = "+"),
	};
	assert_string_equal(ready_with(&plain, hidden, 2, CORM_OK), "");
}

typedef struct Day {
	corm_obj obj;
	corm_date day;
} Day;

static void test_key_kinds_refused(void **state)
{
	(void)state;
	const corm_field fields[] = {CORM_DATE(Day, day, .primary_key = true)};
	corm_model day = CORM_MODEL(Day, "cal", fields);
	corm_registry *reg;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &day), CORM_EMODEL);
	assert_string_equal(corm_registry_errmsg(reg),
	                    "cal.Day.day: a DateField cannot be the primary key: corm's primary "
	                    "keys are integer fields, UUIDField, CharField, SlugField, EmailField "
	                    "or URLField.");
	corm_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_ddl_matches_django, setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_char_key, setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_uuid_key, setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_fks_to_keys, setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_reverse_relations, setup, test_teardown),
	        cmocka_unit_test(test_default_relation_names),
	        cmocka_unit_test(test_clash_checks),
	        cmocka_unit_test(test_key_kinds_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
