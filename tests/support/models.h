/* The blog models of the guide's Module 01, shared by the test suites. */
#ifndef CORM_TEST_MODELS_H
#define CORM_TEST_MODELS_H

#include <corm.h>

typedef struct User {
	corm_obj obj;
	char *username;
	char *email;
	bool is_staff;
} User;

typedef struct Category {
	corm_obj obj;
	char *name;
	char *slug;
} Category;

typedef struct Post {
	corm_obj obj;
	char *title;
	char *slug;
	char *body;
	corm_fk author;
	corm_fk category;
	int32_t view_count;
	bool is_active;
	corm_datetime created_at;
	corm_datetime updated_at;
} Post;

typedef struct Kitchen {
	corm_obj obj;
	int64_t big;
	int16_t small;
	double ratio;
	corm_decimal *price;
	corm_date day;
	corm_time at;
	corm_duration span;
	corm_uuid uid;
	corm_bytes blob;
	json_t *data;
	char *email;
	char *url;
	char *status;
	int32_t rating;
} Kitchen;

extern corm_model User_model, Category_model, Post_model, Kitchen_model;

#endif
