/*
 * Run against a corm built with -DCORM_WITH_POSTGRES=OFF -DCORM_WITH_MYSQL=OFF
 * (tests/packaging/run.cmake): their URLs give CORM_ENOTSUP and a message naming
 * the option, SQLite still works, and neither client library is loaded.
 */
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <corm.h>

static void expect_not_built(const char *url, const char *message)
{
	corm_db *db = NULL;
	assert_int_equal(corm_open(&db, url), CORM_ENOTSUP);
	assert_non_null(db);
	assert_int_equal(corm_errcode(db), CORM_ENOTSUP);
	assert_string_equal(corm_errmsg(db), message);
	corm_close(db);
}

static void test_postgres_not_built(void **state)
{
	(void)state;
	const char *msg = "backend not built: this corm was built without PostgreSQL "
	                  "(CORM_WITH_POSTGRES=OFF)";
	expect_not_built("postgres://u@127.0.0.1/x", msg);
	expect_not_built("postgresql://u:secret@127.0.0.1:5432/x", msg);
	expect_not_built("pgsql://u@127.0.0.1/x", msg);
}

static void test_mysql_not_built(void **state)
{
	(void)state;
	const char *msg = "backend not built: this corm was built without MariaDB/MySQL "
	                  "(CORM_WITH_MYSQL=OFF)";
	expect_not_built("mysql://u@127.0.0.1/x", msg);
	expect_not_built("mariadb://u:secret@127.0.0.1:3306/x", msg);
}

/* An unknown scheme still is a malformed URL, not a backend left out. */
static void test_unknown_scheme_unchanged(void **state)
{
	(void)state;
	corm_db *db = NULL;
	assert_int_equal(corm_open(&db, "oracle://u@127.0.0.1/x"), CORM_EURL);
	corm_close(db);
}

static void test_sqlite_still_opens(void **state)
{
	(void)state;
	corm_db *db = NULL;
	assert_int_equal(corm_open(&db, "sqlite://:memory:"), CORM_OK);
	assert_int_equal(corm_execute(db, "CREATE TABLE t (x INTEGER)", NULL, 0, NULL), CORM_OK);
	corm_close(db);
}

static int find_client_lib(struct dl_phdr_info *info, size_t size, void *found)
{
	(void)size;
	if (info->dlpi_name &&
	    (strstr(info->dlpi_name, "libpq.so") || strstr(info->dlpi_name, "libmariadb.so")))
		*(const char **)found = info->dlpi_name;
	return 0;
}

static void test_no_client_library_loaded(void **state)
{
	(void)state;
	const char *found = NULL;
	dl_iterate_phdr(find_client_lib, &found);
	assert_null(found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_postgres_not_built),
	        cmocka_unit_test(test_mysql_not_built),
	        cmocka_unit_test(test_unknown_scheme_unchanged),
	        cmocka_unit_test(test_sqlite_still_opens),
	        cmocka_unit_test(test_no_client_library_loaded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
