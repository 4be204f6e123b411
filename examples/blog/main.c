/*
 * blog_demo - the guide's Module 01 ("Django ORM Fundamentals") run with corm.
 *
 * Every snippet of the module is replayed in order: each section prints the
 * Django code it mirrors (">>> ..."), the SQL corm ran for it ("   SQL: ...",
 * captured with corm_set_query_log) and the result ("   -> ...").
 *
 * Usage: blog_demo [DATABASE_URL]     (default: sqlite://:memory:)
 * The database must not already hold the blog tables.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models.h"

/* ---- plumbing: connection, query log, error handling ------------------ */

static corm_db *db;
static corm_registry *reg;

/* Objects that live for the whole walk-through (freed by cleanup()). */
static User *alice, *bob;
static Category *cat_django, *cat_python;

/* The query log: every statement corm runs is counted and (normally) printed. */
static struct {
	size_t count;
	bool echo;
} qlog = {0, true};

static void log_sql(const char *sql, void *ctx)
{
	(void)ctx;
	qlog.count++;
	if (qlog.echo)
		printf("   SQL: %s\n", sql);
}

static void cleanup(void)
{
	corm_free(alice);
	corm_free(bob);
	corm_free(cat_django);
	corm_free(cat_python);
	alice = bob = NULL;
	cat_django = cat_python = NULL;
	corm_close(db);
	db = NULL;
	corm_registry_free(reg);
	reg = NULL;
}

/* An unexpected error: report it and stop. */
static void die(int rc, const char *what, int line)
{
	fflush(stdout);
	fprintf(stderr, "blog_demo: line %d: %s failed: %s: %s\n", line, what, corm_err_name(rc),
	        corm_errmsg(db));
	exit(1);
}

#define CHECK(expr)                                                                                \
	do {                                                                                       \
		int rc_ = (expr);                                                                  \
		if (rc_ != CORM_OK)                                                                \
			die(rc_, #expr, __LINE__);                                                 \
	} while (0)

/* Like CHECK, for calls that must fail with one particular code. */
#define EXPECT(expr, code)                                                                         \
	do {                                                                                       \
		int rc_ = (expr);                                                                  \
		if (rc_ != (code))                                                                 \
			die(rc_, #expr " (expected " #code ")", __LINE__);                         \
	} while (0)

/* Model.objects: a new QuerySet, or stop. */
static corm_qs *objects(const corm_model *model)
{
	corm_qs *qs = corm_objects(db, model);
	if (!qs)
		die(corm_errcode(db), "corm_objects", __LINE__);
	return qs;
}

/* ---- printing --------------------------------------------------------- */

static void heading(const char *title)
{
	printf("\n== %s\n", title);
}

/* The Django code a step mirrors; indented lines continue the previous one, as in the REPL. */
static void py(const char *code)
{
	printf("%s %s\n", code[0] == ' ' ? "..." : ">>>", code);
}

static const char *author_name(const Post *p)
{
	if (alice && p->author.id == alice->obj.id)
		return "alice";
	if (bob && p->author.id == bob->obj.id)
		return "bob";
	return "?";
}

static void print_post(const Post *p)
{
	char day[CORM_DATE_STRLEN];
	corm_date_format(corm_datetime_date(p->created_at), day);
	printf("   -> #%-2" PRId64 " %-30s by %-5s views=%-5" PRId32 " %s  %s\n", corm_pk(p),
	       p->title, author_name(p), p->view_count, day, p->is_active ? "active" : "inactive");
}

/* Iterates a QuerySet (evaluating it), printing every post; returns how many. */
static size_t print_posts(corm_qs *qs)
{
	Post *p;
	size_t n = 0;
	int rc;
	while ((rc = corm_next(qs, &p)) == CORM_ROW) {
		print_post(p);
		n++;
	}
	if (rc != CORM_DONE)
		die(rc, "corm_next", __LINE__);
	printf("   (%zu post%s)\n", n, n == 1 ? "" : "s");
	return n;
}

/* Fetches one post by slug (Post.objects.get(slug=...)); caller frees it. */
static Post *get_post(const char *slug)
{
	corm_qs *qs = objects(&Post_model);
	Post *p = NULL;
	CHECK(corm_get(qs, &p, CORM_Q("slug", slug)));
	corm_qs_free(qs);
	return p;
}

/* ---- Models & Migrations ---------------------------------------------- */

static void models_and_migrations(void)
{
	heading("MODELS: the registered models and their Meta");
	for (size_t i = 0; i < corm_registry_count(reg); i++) {
		const corm_model *m = corm_registry_at(reg, i);
		printf("   %s.%-9s table=%-14s verbose_name='%s' verbose_name_plural='%s'\n",
		       m->app_label, m->name, corm_model_table(m), corm_model_verbose_name(m),
		       corm_model_verbose_name_plural(m));
	}

	heading("MIGRATIONS: python manage.py sqlmigrate blog 0001");
	char *ddl = NULL;
	CHECK(corm_schema_sql(db, reg, &ddl));
	for (const char *line = ddl; *line;) {
		const char *end = strchr(line, '\n');
		int len = end ? (int)(end - line) : (int)strlen(line);
		printf("   %.*s\n", len, line);
		line += len + (end ? 1 : 0);
	}
	corm_mem_free(ddl);

	heading("MIGRATIONS: python manage.py migrate");
	size_t before = qlog.count;
	qlog.echo = false; /* the same statements as printed above */
	CHECK(corm_create_tables(db, reg));
	qlog.echo = true;
	printf("   -> ran %zu statements (the DDL above, in one transaction)\n",
	       qlog.count - before);
}

/* Users and categories the CREATE examples refer to. */
static void sample_users_and_categories(void)
{
	heading("SETUP: users alice and bob, two categories, three tags");
	py("alice = User.objects.create(username='alice', email='alice@example.com', "
	   "is_staff=True)");
	CHECK(corm_create(db, &User_model, &alice,
	                  CORM_KWARGS(CORM_KW("username", "alice"),
	                              CORM_KW("email", "alice@example.com"),
	                              CORM_KW("is_staff", true))));
	py("bob = User.objects.create(username='bob', email='bob@example.com')");
	CHECK(corm_create(
	        db, &User_model, &bob,
	        CORM_KWARGS(CORM_KW("username", "bob"), CORM_KW("email", "bob@example.com"))));
	printf("   -> alice.id=%" PRId64 " (is_staff=%s), bob.id=%" PRId64 " (is_staff=%s)\n",
	       corm_pk(alice), alice->is_staff ? "True" : "False", corm_pk(bob),
	       bob->is_staff ? "True" : "False");

	py("django = Category.objects.create(name='Django', slug='django')");
	CHECK(corm_create(db, &Category_model, &cat_django,
	                  CORM_KWARGS(CORM_KW("name", "Django"), CORM_KW("slug", "django"))));
	py("python = Category.objects.create(name='Python', slug='python')");
	CHECK(corm_create(db, &Category_model, &cat_python,
	                  CORM_KWARGS(CORM_KW("name", "Python"), CORM_KW("slug", "python"))));

	/* Tags exist as a table; Post.tags (ManyToManyField) comes in a later module. */
	static const char *const tags[][2] = {
	        {"orm", "orm"}, {"beginner", "beginner"}, {"performance", "performance"}};
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		printf(">>> Tag.objects.create(name='%s', slug='%s')\n", tags[i][0], tags[i][1]);
		CHECK(corm_create(
		        db, &Tag_model, NULL,
		        CORM_KWARGS(CORM_KW("name", tags[i][0]), CORM_KW("slug", tags[i][1]))));
	}
}

/* ---- CRUD: CREATE ----------------------------------------------------- */

static void create_method1_save(void)
{
	heading("CREATE: Method 1 save()");
	py("author = User.objects.get(username='alice')");
	corm_qs *qs = objects(&User_model);
	User *author = NULL;
	CHECK(corm_get(qs, &author, CORM_Q("username", "alice")));
	corm_qs_free(qs);
	printf("   -> User #%" PRId64 " %s <%s>\n", corm_pk(author), author->username,
	       author->email);

	py("post = Post(title='Learning Django ORM (draft)', slug='learning-django-orm',");
	py("            body='...', author=author, is_active=False)");
	Post *post = NULL;
	CHECK(corm_new(&Post_model, &post));
	CHECK(CORM_SET(post, "title", "Learning Django ORM (draft)"));
	CHECK(CORM_SET(post, "slug", "learning-django-orm"));
	CHECK(CORM_SET(post, "body",
	               "Django's ORM maps Python classes to database tables, so you write "
	               "Python instead of SQL."));
	CHECK(CORM_SET(post, "author", CORM_OBJ(author)));
	CHECK(CORM_SET(post, "is_active", false));
	printf("   -> not saved yet: pk=%" PRId64 ", adding=%s, view_count=%" PRId32 " (default)\n",
	       corm_pk(post), corm_is_adding(post) ? "True" : "False", post->view_count);
	py("post.save()");
	CHECK(corm_save(db, post));
	printf("   -> saved: pk=%" PRId64 ", adding=%s\n", corm_pk(post),
	       corm_is_adding(post) ? "True" : "False");
	corm_free(post);
	corm_free(author);
}

static void create_method2_create(void)
{
	heading("CREATE: Method 2 create()");
	py("post = Post.objects.create(title='Python tips', slug='python-tips',");
	py("    body='...', author=alice, category=python, view_count=340)");
	Post *post = NULL;
	CHECK(corm_create(
	        db, &Post_model, &post,
	        CORM_KWARGS(CORM_KW("title", "Python tips"), CORM_KW("slug", "python-tips"),
	                    CORM_KW("body", "List comprehensions, f-strings and other Python "
	                                    "goodies you will use every day."),
	                    CORM_KW("author", CORM_OBJ(alice)), CORM_KW("category", CORM_OBJ(cat_python)),
	                    CORM_KW("view_count", 340))));
	print_post(post);
	corm_free(post);
}

static void create_method3_get_or_create(void)
{
	heading("CREATE: Method 3 get_or_create()");
	py("post, created = Post.objects.get_or_create(slug='learning-django-orm',");
	py("    defaults={'title': 'Learning Django ORM', 'body': '...', 'author': alice})");
	Post *post = NULL;
	bool created = false;
	CHECK(corm_get_or_create(db, &Post_model, &post, &created,
	                         CORM_KWARGS(CORM_KW("slug", "learning-django-orm")),
	                         CORM_KWARGS(CORM_KW("title", "Learning Django ORM"),
	                                     CORM_KW("body", "..."), CORM_KW("author", CORM_OBJ(alice)))));
	printf("   -> created=%s (it already existed): '%s'\n", created ? "True" : "False",
	       post->title);
	corm_free(post);

	py("post, created = Post.objects.get_or_create(slug='django-querysets-explained',");
	py("    defaults={'title': 'Django QuerySets explained', 'body': '...', 'author': bob,");
	py("              'category': django, 'view_count': 85})");
	CHECK(corm_get_or_create(
	        db, &Post_model, &post, &created,
	        CORM_KWARGS(CORM_KW("slug", "django-querysets-explained")),
	        CORM_KWARGS(CORM_KW("title", "Django QuerySets explained"),
	                    CORM_KW("body", "QuerySets are lazy: Django only hits the database "
	                                    "when you ask for the results."),
	                    CORM_KW("author", CORM_OBJ(bob)), CORM_KW("category", CORM_OBJ(cat_django)),
	                    CORM_KW("view_count", 85))));
	printf("   -> created=%s: '%s' (pk=%" PRId64 ")\n", created ? "True" : "False", post->title,
	       corm_pk(post));
	corm_free(post);
}

static void create_method4_update_or_create(void)
{
	heading("CREATE: Method 4 update_or_create()");
	py("post, created = Post.objects.update_or_create(slug='learning-django-orm',");
	py("    defaults={'title': 'Learning Django ORM', 'is_active': True, "
	   "'category': django, 'view_count': 1520})");
	Post *post = NULL;
	bool created = false;
	CHECK(corm_update_or_create(
	        db, &Post_model, &post, &created,
	        CORM_KWARGS(CORM_KW("slug", "learning-django-orm")),
	        CORM_KWARGS(CORM_KW("title", "Learning Django ORM"), CORM_KW("is_active", true),
	                    CORM_KW("category", CORM_OBJ(cat_django)), CORM_KW("view_count", 1520))));
	printf("   -> created=%s, the draft was updated and published:\n",
	       created ? "True" : "False");
	print_post(post);
	corm_free(post);
}

/* More posts, and fixed publication dates so ordering and date lookups have something to show. */
static void sample_posts(void)
{
	heading("SETUP: four more posts, then fixed created_at dates via update()");
	static const struct {
		const char *title, *slug, *body;
		int author;   /* 0 alice, 1 bob */
		int category; /* 0 none, 1 Django, 2 Python */
		int views;
		bool active;
	} posts[] = {
	        {"Understanding database indexes", "database-indexes",
	         "An index trades a little write speed for a lot of read speed.", 1, 0, 210, true},
	        {"Django admin tricks", "django-admin-tricks",
	         "Customise the Django admin with list_display, search_fields and actions.", 0, 1,
	         45, true},
	        {"Old news", "old-news", "Nothing to see here any more.", 1, 0, 3, false},
	        {"SQLite vs PostgreSQL", "sqlite-vs-postgresql",
	         "Which database should a new Django project start with?", 0, 0, 130, true},
	};
	for (size_t i = 0; i < sizeof posts / sizeof posts[0]; i++) {
		printf(">>> Post.objects.create(title='%s', slug='%s', author=%s, "
		       "view_count=%d%s)\n",
		       posts[i].title, posts[i].slug, posts[i].author ? "bob" : "alice",
		       posts[i].views, posts[i].active ? "" : ", is_active=False");
		const Category *cat = posts[i].category == 1   ? cat_django
		                      : posts[i].category == 2 ? cat_python
		                                               : NULL;
		CHECK(corm_create(db, &Post_model, NULL,
		                  CORM_KWARGS(CORM_KW("title", posts[i].title),
		                              CORM_KW("slug", posts[i].slug),
		                              CORM_KW("body", posts[i].body),
		                              CORM_KW("author", CORM_OBJ((posts[i].author ? bob : alice))),
		                              CORM_KW("category", cat ? CORM_OBJ(cat) : corm_v_null()),
		                              CORM_KW("view_count", posts[i].views),
		                              CORM_KW("is_active", posts[i].active))));
	}

	/* auto_now_add always stamps "now"; update() writes the column directly. */
	static const struct {
		const char *slug;
		int y, mo, d, h, mi;
	} dates[] = {
	        {"learning-django-orm", 2024, 1, 15, 9, 0},
	        {"python-tips", 2024, 3, 2, 14, 30},
	        {"django-querysets-explained", 2024, 3, 20, 8, 15},
	        {"database-indexes", 2024, 7, 4, 10, 0},
	        {"django-admin-tricks", 2024, 11, 30, 16, 45},
	        {"old-news", 2023, 12, 24, 12, 0},
	        {"sqlite-vs-postgresql", 2025, 2, 10, 11, 20},
	};
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		corm_datetime when;
		CHECK(corm_datetime_from_parts(&when, dates[i].y, dates[i].mo, dates[i].d,
		                               dates[i].h, dates[i].mi, 0, 0));
		char text[CORM_DATETIME_STRLEN];
		corm_datetime_format(when, text);
		printf(">>> Post.objects.filter(slug='%s').update(created_at='%s', "
		       "updated_at=...)\n",
		       dates[i].slug, text);
		corm_qs *qs = objects(&Post_model);
		int64_t rows = 0;
		CHECK(corm_filter(qs, CORM_Q("slug", dates[i].slug)));
		CHECK(corm_update(
		        qs, CORM_KWARGS(CORM_KW("created_at", when), CORM_KW("updated_at", when)),
		        &rows));
		corm_qs_free(qs);
		if (rows != 1)
			die(CORM_ERROR, "backdating a post", __LINE__);
	}
}

/* ---- CRUD: READ ------------------------------------------------------- */

static void read_all(void)
{
	heading("READ: all()");
	py("posts = Post.objects.all()        # Meta.ordering = ['-created_at']");
	corm_qs *qs = objects(&Post_model);
	print_posts(qs);
	corm_qs_free(qs);
}

static void read_get(void)
{
	heading("READ: get()");
	py("post = Post.objects.get(id=1)");
	corm_qs *qs = objects(&Post_model);
	Post *post = NULL;
	CHECK(corm_get(qs, &post, CORM_Q("id", 1)));
	print_post(post);
	corm_free(post);

	py("post = Post.objects.get(slug='python-tips')");
	CHECK(corm_get(qs, &post, CORM_Q("slug", "python-tips")));
	print_post(post);
	corm_free(post);

	py("try:");
	py("    post = Post.objects.get(pk=999)");
	py("except Post.DoesNotExist:");
	py("    post = None");
	EXPECT(corm_get(qs, &post, CORM_Q("pk", 999)), CORM_ENOTFOUND);
	printf("   -> Post.DoesNotExist: corm_errcode=%s, corm_errmsg=\"%s\"\n",
	       corm_err_name(corm_errcode(db)), corm_errmsg(db));
	printf("   -> post = %s\n", post ? "<a post?>" : "None");
	corm_qs_free(qs);
}

static void read_filter_exclude(void)
{
	heading("READ: filter() and exclude()");
	py("active_posts = Post.objects.filter(is_active=True)");
	corm_qs *qs = objects(&Post_model);
	CHECK(corm_filter(qs, CORM_Q("is_active", true)));
	print_posts(qs);
	corm_qs_free(qs);

	py("my_posts = Post.objects.filter(author=alice, is_active=True)");
	qs = objects(&Post_model);
	CHECK(corm_filter(qs, CORM_Q("author", CORM_OBJ(alice)), CORM_Q("is_active", true)));
	print_posts(qs);
	corm_qs_free(qs);

	py("not_mine = Post.objects.exclude(author=alice)");
	qs = objects(&Post_model);
	CHECK(corm_exclude(qs, CORM_Q("author", CORM_OBJ(alice))));
	print_posts(qs);
	corm_qs_free(qs);
}

static void read_ordering(void)
{
	heading("READ: Ordering");
	py("newest_first = Post.objects.order_by('-created_at')");
	corm_qs *qs = objects(&Post_model);
	CHECK(corm_order_by(qs, "-created_at"));
	print_posts(qs);
	corm_qs_free(qs);

	py("by_title = Post.objects.order_by('title')");
	qs = objects(&Post_model);
	CHECK(corm_order_by(qs, "title"));
	print_posts(qs);
	corm_qs_free(qs);
}

static void read_slicing(void)
{
	heading("READ: Slicing (LIMIT/OFFSET)");
	py("first_five = Post.objects.all()[:5]");
	corm_qs *qs = objects(&Post_model);
	CHECK(corm_slice(qs, 0, 5));
	print_posts(qs);
	corm_qs_free(qs);

	py("page_two = Post.objects.all()[5:10]");
	qs = objects(&Post_model);
	CHECK(corm_slice(qs, 5, 10));
	print_posts(qs);
	corm_qs_free(qs);
}

static void read_first_last(void)
{
	heading("READ: first() and last()");
	py("latest = Post.objects.order_by('-created_at').first()");
	corm_qs *qs = objects(&Post_model);
	CHECK(corm_order_by(qs, "-created_at"));
	Post *post = NULL;
	CHECK(corm_first(qs, &post));
	if (!post)
		die(CORM_ENOTFOUND, "first()", __LINE__);
	print_post(post);
	corm_free(post);
	corm_qs_free(qs);

	py("oldest = Post.objects.order_by('created_at').first()");
	qs = objects(&Post_model);
	CHECK(corm_order_by(qs, "created_at"));
	CHECK(corm_first(qs, &post));
	if (!post)
		die(CORM_ENOTFOUND, "first()", __LINE__);
	print_post(post);
	corm_free(post);

	py("Post.objects.order_by('created_at').last()     # the same as the latest");
	CHECK(corm_last(qs, &post));
	if (!post)
		die(CORM_ENOTFOUND, "last()", __LINE__);
	print_post(post);
	corm_free(post);
	corm_qs_free(qs);
}

/* ---- CRUD: UPDATE ----------------------------------------------------- */

static void update_method1_save(void)
{
	heading("UPDATE: Method 1 save() on an instance");
	py("post = Post.objects.get(pk=2)");
	corm_qs *qs = objects(&Post_model);
	Post *post = NULL;
	CHECK(corm_get(qs, &post, CORM_Q("pk", 2)));
	corm_qs_free(qs);
	print_post(post);
	py("post.title = 'Python tips & tricks'");
	CHECK(corm_set_str(&post->title, "Python tips & tricks"));
	py("post.save()              # UPDATE of every column; auto_now bumps updated_at");
	CHECK(corm_save(db, post));
	print_post(post);
	corm_free(post);
}

static void update_method2_queryset(void)
{
	heading("UPDATE: Method 2 update() on a QuerySet");
	py("Post.objects.filter(is_active=False).update(is_active=True)");
	corm_qs *qs = objects(&Post_model);
	int64_t rows = 0;
	CHECK(corm_filter(qs, CORM_Q("is_active", false)));
	CHECK(corm_update(qs, CORM_KWARGS(CORM_KW("is_active", true)), &rows));
	printf("   -> %" PRId64 " row(s) updated (one UPDATE; no save(), no signals)\n", rows);
	corm_qs_free(qs);
}

static void update_fields(void)
{
	heading("UPDATE: save(update_fields=['title'])");
	py("post = Post.objects.get(slug='python-tips')");
	Post *post = get_post("python-tips");
	py("post.title = 'Python tips and tricks'");
	CHECK(corm_set_str(&post->title, "Python tips and tricks"));
	py("post.save(update_fields=['title'])     # only the title column");
	CHECK(corm_save_fields(db, post, CORM_FIELDS("title")));
	print_post(post);
	corm_free(post);
}

/* ---- CRUD: DELETE ----------------------------------------------------- */

static void delete_instance(void)
{
	heading("DELETE: delete() on an instance");
	py("post = Post.objects.get(slug='old-news')");
	Post *post = get_post("old-news");
	print_post(post);
	py("post.delete()");
	int64_t deleted = 0;
	CHECK(corm_delete(db, post, &deleted));
	printf("   -> %" PRId64 " row deleted; post.pk is now %s (adding=%s)\n", deleted,
	       corm_pk(post) ? "still set?" : "None", corm_is_adding(post) ? "True" : "False");
	corm_free(post);
}

static void delete_queryset(void)
{
	heading("DELETE: delete() on a QuerySet");
	/* Two throwaway drafts, so the bulk delete has something to remove. */
	static const char *const drafts[][2] = {{"Draft: untitled", "draft-untitled"},
	                                        {"Draft: ideas for 2025", "draft-ideas-2025"}};
	for (size_t i = 0; i < 2; i++) {
		printf(">>> Post.objects.create(title='%s', slug='%s', body='TODO', author=bob, "
		       "is_active=False)\n",
		       drafts[i][0], drafts[i][1]);
		CHECK(corm_create(db, &Post_model, NULL,
		                  CORM_KWARGS(CORM_KW("title", drafts[i][0]),
		                              CORM_KW("slug", drafts[i][1]),
		                              CORM_KW("body", "TODO"), CORM_KW("author", CORM_OBJ(bob)),
		                              CORM_KW("is_active", false))));
	}
	py("Post.objects.filter(is_active=False).delete()");
	corm_qs *qs = objects(&Post_model);
	int64_t deleted = 0;
	CHECK(corm_filter(qs, CORM_Q("is_active", false)));
	CHECK(corm_qs_delete(qs, &deleted));
	printf("   -> (%" PRId64 ", {'blog.Post': %" PRId64 "})\n", deleted, deleted);
	corm_qs_free(qs);

	py("Post.objects.all().delete()      # be careful! -- left out: it would empty the blog");
	qs = objects(&Post_model);
	int64_t left = 0;
	CHECK(corm_count(qs, &left));
	printf("   -> skipped; %" PRId64 " posts remain\n", left);
	corm_qs_free(qs);
}

/* ---- QuerySets & Lazy Evaluation -------------------------------------- */

static void lazy_evaluation(void)
{
	heading("QuerySets & Lazy Evaluation");
	size_t start = qlog.count;
	py("posts = Post.objects.filter(is_active=True)      # no query yet");
	corm_qs *qs = objects(&Post_model);
	CHECK(corm_filter(qs, CORM_Q("is_active", true)));
	py("posts = posts.order_by('-created_at')             # still no query");
	CHECK(corm_order_by(qs, "-created_at"));
	printf("   -> queries so far: %zu\n", qlog.count - start);

	py("print(posts.query)                                # compiles SQL, runs nothing");
	char *sql = NULL;
	CHECK(corm_qs_str(qs, &sql));
	printf("   -> %s\n", sql);
	corm_mem_free(sql);
	printf("   -> queries so far: %zu\n", qlog.count - start);

	py("for post in posts: print(post.title)              # evaluation: one query");
	size_t n = print_posts(qs);
	printf("   -> queries so far: %zu\n", qlog.count - start);

	py("for post in posts: print(post.title)              # served from the result cache");
	if (print_posts(qs) != n)
		die(CORM_ERROR, "second iteration", __LINE__);
	size_t len = 0;
	int64_t count = 0;
	py("len(posts), posts.count()                         # the cache again");
	CHECK(corm_len(qs, &len));
	CHECK(corm_count(qs, &count));
	printf("   -> %zu, %" PRId64 "\n", len, count);
	printf("   -> queries so far: %zu (still one)\n", qlog.count - start);
	corm_qs_free(qs);
}

/* ---- Field Lookups ---------------------------------------------------- */

static void field_lookups(void)
{
	heading("Field Lookups (the double underscore __)");
	corm_date march2;
	CHECK(corm_date_from_ymd(&march2, 2024, 3, 2));
	const struct {
		const char *path;
		corm_value value;
		const char *shown; /* the value as Python would write it */
	} cases[] = {
	        {"title__exact", corm_v_text("Python tips and tricks"), "'Python tips and tricks'"},
	        {"title__iexact", corm_v_text("python TIPS and tricks"),
	         "'python TIPS and tricks'"},
	        {"title__contains", corm_v_text("Django"), "'Django'"},
	        {"title__icontains", corm_v_text("django"), "'django'"},
	        {"title__startswith", corm_v_text("Django"), "'Django'"},
	        {"title__endswith", corm_v_text("ORM"), "'ORM'"},
	        {"view_count__gt", corm_v_int(100), "100"},
	        {"view_count__gte", corm_v_int(130), "130"},
	        {"view_count__lt", corm_v_int(100), "100"},
	        {"view_count__lte", corm_v_int(85), "85"},
	        {"id__in", CORM_IN_INTS(1, 5, 10), "[1, 5, 10]"},
	        {"category__isnull", corm_v_bool(true), "True"},
	        {"view_count__range", CORM_IN_INTS(100, 500), "(100, 500)"},
	        {"created_at__date", corm_v_date(march2), "date(2024, 3, 2)"},
	        {"created_at__year", corm_v_int(2024), "2024"},
	        {"created_at__month", corm_v_int(3), "3"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		printf(">>> Post.objects.filter(%s=%s).count()\n", cases[i].path, cases[i].shown);
		corm_qs *qs = objects(&Post_model);
		int64_t n = 0;
		CHECK(corm_filter(qs, corm_q_new(cases[i].path, cases[i].value)));
		CHECK(corm_count(qs, &n));
		printf("   -> %" PRId64 "\n", n);
		corm_qs_free(qs);
	}
}

static void lookups_body_and_views(void)
{
	heading("Field Lookups: posts where body contains Django AND views > 100");
	py("results = Post.objects.filter(body__icontains='django', view_count__gt=100)");
	corm_qs *qs = objects(&Post_model);
	CHECK(corm_filter(qs, CORM_Q("body__icontains", "django"), CORM_Q("view_count__gt", 100)));
	print_posts(qs);
	corm_qs_free(qs);
}

/* ---- choices ---------------------------------------------------------- */

static void print_order(const Order *o)
{
	char uuid[CORM_UUID_STRLEN];
	corm_uuid_format(o->order_number, uuid);
	printf("   -> Order #%" PRId64 " %s  status='%s'  get_status_display()='%s'\n", corm_pk(o),
	       uuid, o->status, corm_get_display(o, &o->status));
}

static void choices(void)
{
	heading("Choices: Order.status and get_status_display()");
	printf("   Order.Status.choices = [");
	for (const corm_choice *c = order_status_choices; c->value; c++)
		printf("%s('%s', '%s')", c == order_status_choices ? "" : ", ", c->value, c->label);
	printf("]\n");

	py("order = Order.objects.create()                    # status defaults to PENDING");
	Order *order = NULL;
	CHECK(corm_create(db, &Order_model, &order, CORM_NO_KWARGS));
	print_order(order);
	corm_free(order);

	py("Order.objects.create(status=Order.Status.PAID); "
	   "Order.objects.create(status='shipped')");
	CHECK(corm_create(db, &Order_model, NULL, CORM_KWARGS(CORM_KW("status", ORDER_PAID))));
	CHECK(corm_create(db, &Order_model, NULL, CORM_KWARGS(CORM_KW("status", ORDER_SHIPPED))));

	py("order = Order.objects.get(pk=2)");
	corm_qs *qs = objects(&Order_model);
	CHECK(corm_get(qs, &order, CORM_Q("pk", 2)));
	print_order(order);
	py("order.status = Order.Status.CANCELLED; order.save()");
	CHECK(corm_set_str(&order->status, ORDER_CANCELLED));
	CHECK(corm_save(db, order));
	print_order(order);
	corm_free(order);
	corm_qs_free(qs);

	py("Order.objects.filter(status=Order.Status.SHIPPED).count()   # the raw value");
	qs = objects(&Order_model);
	int64_t n = 0;
	CHECK(corm_filter(qs, CORM_Q("status", ORDER_SHIPPED)));
	CHECK(corm_count(qs, &n));
	printf("   -> %" PRId64 "\n", n);
	corm_qs_free(qs);
}

/* ---- Q objects -------------------------------------------------------- */

static void q_objects(void)
{
	heading("Q objects: OR, NOT and dynamic filters");
	py("Post.objects.filter(Q(category__isnull=True) | Q(view_count__gt=1000))");
	corm_qs *qs = objects(&Post_model);
	CHECK(corm_filter(
	        qs, corm_or(CORM_Q("category__isnull", true), CORM_Q("view_count__gt", 1000))));
	print_posts(qs);
	corm_qs_free(qs);

	py("Post.objects.filter(~Q(author=alice))");
	qs = objects(&Post_model);
	CHECK(corm_filter(qs, corm_not(CORM_Q("author", CORM_OBJ(alice)))));
	print_posts(qs);
	corm_qs_free(qs);

	py("Post.objects.filter((Q(title__icontains='django') | Q(title__icontains='python'))");
	py("                    & ~Q(view_count__lt=100))");
	qs = objects(&Post_model);
	CHECK(corm_filter(qs, corm_and(corm_or(CORM_Q("title__icontains", "django"),
	                                       CORM_Q("title__icontains", "python")),
	                               corm_not(CORM_Q("view_count__lt", 100)))));
	print_posts(qs);
	corm_qs_free(qs);

	/* A search form: only the fields the user filled in become conditions. */
	const char *search = "django";
	int min_views = 50;
	const User *author = NULL; /* "any author" */
	py("search, min_views, author = 'django', 50, None     # from a search form");
	py("q = Q()");
	corm_q *q = corm_q_empty();
	if (search) {
		py("if search: q &= Q(title__icontains=search) | Q(body__icontains=search)");
		q = corm_and(q, corm_or(CORM_Q("title__icontains", search),
		                        CORM_Q("body__icontains", search)));
	}
	if (min_views) {
		py("if min_views: q &= Q(view_count__gte=min_views)");
		q = corm_and(q, CORM_Q("view_count__gte", min_views));
	}
	if (author) {
		py("if author: q &= Q(author=author)");
		q = corm_and(q, CORM_Q("author", CORM_OBJ(author)));
	}
	if (!q)
		die(CORM_ENOMEM, "building Q", __LINE__);
	py("Post.objects.filter(q)");
	qs = objects(&Post_model);
	CHECK(corm_filter(qs, q));
	print_posts(qs);
	corm_qs_free(qs);
}

/* ---- F expressions ---------------------------------------------------- */

static void f_expressions(void)
{
	heading("F expressions: update in the database, compare two fields");
	py("post = Post.objects.get(slug='python-tips')");
	Post *post = get_post("python-tips");
	printf("   -> view_count before: %" PRId32 "\n", post->view_count);
	py("Post.objects.filter(slug='python-tips').update(view_count=F('view_count') + 1)");
	corm_qs *qs = objects(&Post_model);
	int64_t rows = 0;
	CHECK(corm_filter(qs, CORM_Q("slug", "python-tips")));
	CHECK(corm_update(qs,
	                  CORM_KWARGS(CORM_KW("view_count", CORM_F_ADD(corm_f("view_count"), 1))),
	                  &rows));
	corm_qs_free(qs);
	printf("   -> %" PRId64 " row(s) updated, no read-modify-write race\n", rows);
	py("post.refresh_from_db()");
	CHECK(corm_refresh(db, post));
	printf("   -> view_count after: %" PRId32 "\n", post->view_count);
	corm_free(post);

	py("Post.objects.filter(updated_at__gt=F('created_at'))    # edited after publishing");
	qs = objects(&Post_model);
	CHECK(corm_filter(qs, CORM_Q("updated_at__gt", corm_f("created_at"))));
	print_posts(qs);
	corm_qs_free(qs);
}

/* ---- Transactions ----------------------------------------------------- */

static void notify_subscribers(void *ctx)
{
	printf("   -> on_commit: emailing subscribers about '%s'\n", (const char *)ctx);
}

static void callback_dropped(void *ctx)
{
	printf("   -> on_commit callback for '%s' dropped: its block rolled back\n",
	       (const char *)ctx);
}

/* The inner `with transaction.atomic():` block: its second create fails. */
static int inner_block(corm_db *conn, void *ctx)
{
	(void)ctx;
	printf("   -> inner block, atomic depth %d (SAVEPOINT)\n", corm_atomic_depth(conn));
	int rc = corm_create(conn, &Post_model, NULL,
	                     CORM_KWARGS(CORM_KW("title", "Savepoints explained"),
	                                 CORM_KW("slug", "savepoints-explained"),
	                                 CORM_KW("body", "A savepoint is a transaction inside "
	                                                 "a transaction."),
	                                 CORM_KW("author", CORM_OBJ(bob))));
	if (rc != CORM_OK)
		return rc;
	rc = corm_on_commit(conn, notify_subscribers, (void *)"Savepoints explained",
	                    callback_dropped);
	if (rc != CORM_OK)
		return rc;
	/* slug is unique: this INSERT fails and the savepoint is rolled back */
	return corm_create(conn, &Post_model, NULL,
	                   CORM_KWARGS(CORM_KW("title", "Python tips, again"),
	                               CORM_KW("slug", "python-tips"), CORM_KW("body", "Duplicate"),
	                               CORM_KW("author", CORM_OBJ(bob))));
}

/* The outer `with transaction.atomic():` block. */
static int outer_block(corm_db *conn, void *ctx)
{
	(void)ctx;
	printf("   -> outer block, atomic depth %d (BEGIN)\n", corm_atomic_depth(conn));
	int rc =
	        corm_create(conn, &Post_model, NULL,
	                    CORM_KWARGS(CORM_KW("title", "Transactions in Django"),
	                                CORM_KW("slug", "transactions-in-django"),
	                                CORM_KW("body", "atomic() makes a block all or nothing; "
	                                                "Django nests them with savepoints."),
	                                CORM_KW("author", CORM_OBJ(alice)), CORM_KW("category", CORM_OBJ(cat_django))));
	if (rc != CORM_OK)
		return rc;
	rc = corm_on_commit(conn, notify_subscribers, (void *)"Transactions in Django", NULL);
	if (rc != CORM_OK)
		return rc;
	rc = corm_atomic(conn, inner_block, NULL);
	if (rc != CORM_ECONSTRAINT) /* the failure the inner block is meant to hit */
		return rc == CORM_OK ? CORM_ERROR : rc;
	printf("   -> IntegrityError caught: %s: %s\n", corm_err_name(rc), corm_errmsg(conn));
	printf("   -> only the savepoint was rolled back; the outer block goes on (depth %d)\n",
	       corm_atomic_depth(conn));
	return CORM_OK;
}

static int64_t count_slug(const char *slug)
{
	corm_qs *qs = objects(&Post_model);
	int64_t n = 0;
	CHECK(corm_filter(qs, CORM_Q("slug", slug)));
	CHECK(corm_count(qs, &n));
	corm_qs_free(qs);
	return n;
}

static void transactions(void)
{
	heading("Transactions: atomic(), a failing nested block, on_commit()");
	py("with transaction.atomic():");
	py("    Post.objects.create(title='Transactions in Django', ...)");
	py("    transaction.on_commit(lambda: notify_subscribers('Transactions in Django'))");
	py("    try:");
	py("        with transaction.atomic():");
	py("            Post.objects.create(title='Savepoints explained', ...)");
	py("            transaction.on_commit(lambda: notify_subscribers('Savepoints explained'))");
	py("            Post.objects.create(title='Python tips, again', slug='python-tips', ...)");
	py("    except IntegrityError:");
	py("        pass");
	CHECK(corm_atomic(db, outer_block, NULL));
	printf("   -> committed; atomic depth %d\n", corm_atomic_depth(db));

	py("Post.objects.filter(slug='transactions-in-django').count(), "
	   "Post.objects.filter(slug='savepoints-explained').count()");
	int64_t kept = count_slug("transactions-in-django");
	int64_t undone = count_slug("savepoints-explained");
	printf("   -> (%" PRId64 ", %" PRId64 ")   the outer post was kept, the inner one undone\n",
	       kept, undone);
}

/* ---- Validation: full_clean() ----------------------------------------- */

static void full_clean_validation(void)
{
	heading("Validation: full_clean() on an invalid instance");
	char long_title[202];
	memset(long_title, 'x', 201);
	long_title[201] = '\0';
	py("post = Post(title='x' * 201, slug='not a slug!', body='', view_count=-5)");
	py("post.full_clean()            # no author either");
	Post *post = NULL;
	CHECK(corm_new(&Post_model, &post));
	CHECK(CORM_SET(post, "title", long_title));
	CHECK(CORM_SET(post, "slug", "not a slug!"));
	CHECK(CORM_SET(post, "body", ""));
	CHECK(CORM_SET(post, "view_count", -5));
	corm_validation *errors = NULL;
	int rc = corm_full_clean(post, NULL, &errors);
	if (rc == CORM_EVALIDATION) {
		printf("   -> ValidationError (%zu messages):\n", corm_validation_count(errors));
		for (size_t i = 0; i < corm_validation_count(errors); i++)
			printf("      %-10s %s\n", corm_validation_field(errors, i),
			       corm_validation_message(errors, i));
	} else {
		printf("   -> corm_full_clean returned %s (expected CORM_EVALIDATION)\n",
		       corm_err_name(rc));
	}
	corm_validation_free(errors);
	corm_free(post);

	py("Order(status='refunded').full_clean()");
	Order *order = NULL;
	CHECK(corm_new(&Order_model, &order));
	CHECK(CORM_SET(order, "status", "refunded"));
	errors = NULL;
	rc = corm_full_clean(order, NULL, &errors);
	if (rc == CORM_EVALIDATION) {
		for (size_t i = 0; i < corm_validation_count(errors); i++)
			printf("   -> %s: %s\n", corm_validation_field(errors, i),
			       corm_validation_message(errors, i));
	} else {
		printf("   -> corm_full_clean returned %s (expected CORM_EVALIDATION)\n",
		       corm_err_name(rc));
	}
	corm_validation_free(errors);
	corm_free(order);
}

/* ---- main ------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *url = argc > 1 ? argv[1] : "sqlite://:memory:";
	int rc = corm_registry_new(&reg);
	if (rc != CORM_OK) {
		fprintf(stderr, "blog_demo: corm_registry_new: %s\n", corm_err_name(rc));
		return 1;
	}
	rc = blog_register_models(reg);
	if (rc != CORM_OK) {
		fprintf(stderr, "blog_demo: registering the models: %s: %s\n", corm_err_name(rc),
		        corm_registry_errmsg(reg));
		cleanup();
		return 1;
	}
	rc = corm_open(&db, url);
	if (rc != CORM_OK) {
		fprintf(stderr, "blog_demo: cannot open %s: %s: %s\n", url, corm_err_name(rc),
		        corm_errmsg(db));
		cleanup();
		return 1;
	}
	printf("corm %s blog demo -- the guide's Module 01 on %s (%s)\n", CORM_VERSION, url,
	       corm_vendor(db));
	corm_set_query_log(db, log_sql, NULL);

	models_and_migrations();
	sample_users_and_categories();
	create_method1_save();
	create_method2_create();
	create_method3_get_or_create();
	create_method4_update_or_create();
	sample_posts();
	read_all();
	read_get();
	read_filter_exclude();
	read_ordering();
	read_slicing();
	read_first_last();
	update_method1_save();
	update_method2_queryset();
	update_fields();
	delete_instance();
	delete_queryset();
	lazy_evaluation();
	field_lookups();
	lookups_body_and_views();
	choices();
	q_objects();
	f_expressions();
	transactions();
	full_clean_validation();

	printf("\n== Done: %zu SQL statements in all.\n", qlog.count);
	cleanup();
	return 0;
}
