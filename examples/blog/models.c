/*
 * The field tables and Meta options of the blog models (models.py of the
 * guide's Module 01). Compare with:
 *
 *     class Post(models.Model):
 *         title      = models.CharField(max_length=200)
 *         slug       = models.SlugField(unique=True)
 *         ...
 *         class Meta:
 *             ordering = ['-created_at']
 *             indexes = [models.Index(fields=['slug']), models.Index(fields=['-created_at'])]
 */
#include "models.h"

/* ---- auth.User -------------------------------------------------------- */

static const corm_field user_fields[] = {
        CORM_CHAR(User, username, .max_length = 150, .unique = true),
        CORM_EMAIL(User, email, .blank = true),
        CORM_BOOL(User, is_staff, .default_value = "false"),
};
corm_model User_model = CORM_MODEL(User, "auth", user_fields);

/* ---- blog.Category ---------------------------------------------------- */

static const corm_field category_fields[] = {
        CORM_CHAR(Category, name, .max_length = 100),
        CORM_SLUG(Category, slug, .unique = true),
};
corm_model Category_model =
        CORM_MODEL(Category, "blog", category_fields, .verbose_name_plural = "categories");

/* ---- blog.Tag --------------------------------------------------------- */

static const corm_field tag_fields[] = {
        CORM_CHAR(Tag, name, .max_length = 50, .unique = true),
        CORM_SLUG(Tag, slug, .unique = true),
};
corm_model Tag_model = CORM_MODEL(Tag, "blog", tag_fields);

/* ---- blog.Post -------------------------------------------------------- */

static const corm_field post_fields[] = {
        CORM_CHAR(Post, title, .max_length = 200),
        CORM_SLUG(Post, slug, .unique = true),
        CORM_TEXT(Post, body),
        CORM_FK(Post, author, &User_model, CORM_CASCADE, .related_name = "posts"),
        CORM_FK(Post, category, &Category_model, CORM_SET_NULL, .null = true, .blank = true,
                .related_name = "posts"),
        CORM_POSITIVE_INT(Post, view_count, .default_value = "0"),
        CORM_BOOL(Post, is_active, .default_value = "true"),
        CORM_DATETIME(Post, created_at, .auto_now_add = true),
        CORM_DATETIME(Post, updated_at, .auto_now = true),
};
corm_model Post_model =
        CORM_MODEL(Post, "blog", post_fields, .ordering = {"-created_at"}, .verbose_name = "Post",
                   .verbose_name_plural = "Posts", .indexes = {{{"slug"}}, {{"-created_at"}}});

/* ---- blog.Order ------------------------------------------------------- */

const corm_choice order_status_choices[] = {
        {ORDER_PENDING, "Pending"},     {ORDER_PAID, "Paid"}, {ORDER_SHIPPED, "Shipped"},
        {ORDER_CANCELLED, "Cancelled"}, {NULL, NULL},
};

/* default=uuid.uuid4: a callable default, run by corm_new for every new Order. */
static int new_order_number(void *member, const corm_field *field)
{
	(void)field;
	*(corm_uuid *)member = corm_uuid4();
	return CORM_OK;
}

static const corm_field order_fields[] = {
        CORM_UUID(Order, order_number, .default_fn = new_order_number, .editable_false = true),
        CORM_CHAR(Order, status, .max_length = 20, .choices = order_status_choices,
                  .default_value = ORDER_PENDING),
        CORM_DATETIME(Order, created_at, .auto_now_add = true),
};
corm_model Order_model = CORM_MODEL(Order, "blog", order_fields);

/* ---- registration ----------------------------------------------------- */

int blog_register_models(corm_registry *reg)
{
	/* Any order: corm_registry_ready resolves the FKs (Post -> User, Category) and orders
	 * the tables by dependency. */
	corm_model *models[] = {&Post_model, &User_model, &Category_model, &Tag_model,
	                        &Order_model};
	for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
		int rc = corm_registry_add(reg, models[i]);
		if (rc != CORM_OK)
			return rc;
	}
	return corm_registry_ready(reg);
}
