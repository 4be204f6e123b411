#include "db/db.h" /* util reaching up to the connection: the checker must refuse it */
