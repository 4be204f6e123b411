/*
 * The blog models of the guide's Module 01 ("Models -- Your Database Tables"),
 * declared with corm. Each struct mirrors a Django model class; the matching
 * field tables and Meta options are in models.c.
 */
#ifndef BLOG_MODELS_H
#define BLOG_MODELS_H

#include <corm.h>

/* django.contrib.auth.models.User, reduced to the fields the guide uses. */
typedef struct User {
	corm_obj obj;
	char *username; /* CharField(max_length=150, unique=True) */
	char *email;    /* EmailField(blank=True) */
	bool is_staff;  /* BooleanField(default=False) */
} User;

typedef struct Category {
	corm_obj obj;
	char *name; /* CharField(max_length=100) */
	char *slug; /* SlugField(unique=True) */
} Category;

/* Declared for later modules; Post.tags (ManyToManyField) is not available yet. */
typedef struct Tag {
	corm_obj obj;
	char *name; /* CharField(max_length=50, unique=True) */
	char *slug; /* SlugField(unique=True) */
} Tag;

typedef struct Post {
	corm_obj obj;
	char *title;              /* CharField(max_length=200) */
	char *slug;               /* SlugField(unique=True) */
	char *body;               /* TextField() */
	corm_fk author;           /* ForeignKey(User, CASCADE, related_name='posts') */
	corm_fk category;         /* ForeignKey(Category, SET_NULL, null=True, blank=True) */
	int32_t view_count;       /* PositiveIntegerField(default=0) */
	bool is_active;           /* BooleanField(default=True) */
	corm_datetime created_at; /* DateTimeField(auto_now_add=True) */
	corm_datetime updated_at; /* DateTimeField(auto_now=True) */
} Post;

/* The guide's Order: a UUID set by code (editable=False) and a status with choices. */
typedef struct Order {
	corm_obj obj;
	corm_uuid order_number; /* UUIDField(default=uuid.uuid4, editable=False) */
	char *status; /* CharField(max_length=20, choices=Status.choices, default=PENDING) */
	corm_datetime created_at; /* DateTimeField(auto_now_add=True) */
} Order;

/* Order.Status (TextChoices): the stored values. */
#define ORDER_PENDING   "pending"
#define ORDER_PAID      "paid"
#define ORDER_SHIPPED   "shipped"
#define ORDER_CANCELLED "cancelled"

/* Order.Status.choices: {value, label} pairs ending with {NULL, NULL}. */
extern const corm_choice order_status_choices[];

extern corm_model User_model, Category_model, Tag_model, Post_model, Order_model;

/*
 * Registers every blog model in `reg` (INSTALLED_APPS for this example).
 * Returns CORM_OK or the error of corm_registry_add (message from
 * corm_registry_errmsg).
 */
int blog_register_models(corm_registry *reg);

#endif
