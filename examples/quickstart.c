/* The README's quick start, built by CMake so that it stays true. */
#include <corm.h>
#include <stdio.h>

typedef struct Book {
	corm_obj obj;
	char *title;
	int32_t pages;
} Book;

static const corm_field book_fields[] = {
        CORM_CHAR(Book, title, .max_length = 200),
        CORM_POSITIVE_INT(Book, pages, .default_value = "0"),
};
corm_model Book_model = CORM_MODEL(Book, "library", book_fields, .ordering = {"title"});

int main(void)
{
	corm_registry *apps;
	corm_db *db;
	corm_registry_new(&apps);
	corm_registry_add(apps, &Book_model);
	corm_registry_ready(apps); /* resolves the foreign keys, runs the system checks */
	if (corm_open(&db, "sqlite://:memory:") || corm_create_tables(db, apps)) {
		fprintf(stderr, "%s\n", corm_errmsg(db));
		return 1;
	}
	corm_create(db, &Book_model, NULL,
	            CORM_KWARGS(CORM_KW("title", "Two Scoops of Django"), CORM_KW("pages", 500)));
	corm_create(
	        db, &Book_model, NULL,
	        CORM_KWARGS(CORM_KW("title", "The C Programming Language"), CORM_KW("pages", 272)));

	corm_qs *qs = corm_objects(db, &Book_model);
	corm_filter(qs, CORM_Q("title__icontains", "django"), CORM_Q("pages__gt", 100));
	Book *b;
	int rc;
	while ((rc = corm_next(qs, &b)) == CORM_ROW) /* b is borrowed from qs */
		printf("%s (%d pages)\n", b->title, b->pages);
	if (rc != CORM_DONE)
		fprintf(stderr, "%s: %s\n", corm_err_name(rc), corm_errmsg(db));
	corm_qs_free(qs);
	corm_close(db);
	corm_registry_free(apps);
	return rc == CORM_DONE ? 0 : 1;
}
