/* A model type for the snippets. */
#include <corm.h>

typedef struct Post {
	corm_obj obj;
	char *title;
	corm_fk author;
} Post;
extern corm_model Post_model;
