#include "models.h"

static const corm_field user_fields[] = {
        CORM_CHAR(User, username, .max_length = 150, .unique = true),
        CORM_EMAIL(User, email, .blank = true),
        CORM_BOOL(User, is_staff, .default_value = "false"),
};
corm_model User_model = CORM_MODEL(User, "auth", user_fields);

static const corm_field category_fields[] = {
        CORM_CHAR(Category, name, .max_length = 100),
        CORM_SLUG(Category, slug, .unique = true),
};
corm_model Category_model =
        CORM_MODEL(Category, "blog", category_fields, .verbose_name_plural = "categories");

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

static const corm_choice status_choices[] = {
        {"pending", "Pending"}, {"paid", "Paid"}, {"shipped", "Shipped"}, {NULL, NULL}};

static const corm_field kitchen_fields[] = {
        CORM_BIGINT(Kitchen, big, .default_value = "0"),
        CORM_SMALLINT(Kitchen, small, .default_value = "0"),
        CORM_FLOAT(Kitchen, ratio, .null = true),
        CORM_DECIMAL(Kitchen, price, .max_digits = 10, .decimal_places = 2,
                     .default_value = "0.00"),
        CORM_DATE(Kitchen, day, .null = true),
        CORM_TIME(Kitchen, at, .null = true),
        CORM_DURATION(Kitchen, span, .null = true),
        CORM_UUID(Kitchen, uid, .null = true),
        CORM_BINARY(Kitchen, blob, .null = true),
        CORM_JSON(Kitchen, data, .default_value = "{}"),
        CORM_EMAIL(Kitchen, email, .blank = true),
        CORM_URL(Kitchen, url, .blank = true),
        CORM_CHAR(Kitchen, status, .max_length = 20, .choices = status_choices,
                  .default_value = "pending"),
        CORM_INT(Kitchen, rating, .db_index = true, .db_column = "stars", .null = true),
};
corm_model Kitchen_model =
        CORM_MODEL(Kitchen, "blog", kitchen_fields, .unique_together = {{"big", "small"}});
