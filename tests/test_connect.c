/*
 * Connecting to real servers with bad input: wrong password, missing
 * database, a server that never answers (bounded by connect_timeout),
 * a closed port, and injection attempts in every part of the URL.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

/* The parts of the test server's URL: scheme://user:password@host:port/name */
typedef struct url_parts {
	char scheme[32], user[64], password[128], host[64], name[64];
	int port;
} url_parts;

static void split(url_parts *u)
{
	const char *url = test_url();
	memset(u, 0, sizeof *u);
	int n = sscanf(url, "%31[^:]://%63[^:]:%127[^@]@%63[^:]:%d/%63[^?]", u->scheme, u->user,
	               u->password, u->host, &u->port, u->name);
	if (n != 6)
		fail_msg("cannot split the test URL %s", url);
}

static int open_url(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char last_error[1024];

static int open_url(const char *fmt, ...)
{
	char url[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(url, sizeof url, fmt, ap);
	va_end(ap);
	corm_db *db;
	int rc = corm_open(&db, url);
	snprintf(last_error, sizeof last_error, "%s", corm_errmsg(db));
	corm_close(db);
	return rc;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_good_url(void **state)
{
	url_parts u;
	split(&u);
	assert_int_equal(open_url("%s://%s:%s@%s:%d/%s", u.scheme, u.user, u.password, u.host,
	                          u.port, u.name),
	                 CORM_OK);
}

static void test_wrong_password(void **state)
{
	url_parts u;
	split(&u);
	assert_int_equal(open_url("%s://%s:%s@%s:%d/%s", u.scheme, u.user, "not-the-password",
	                          u.host, u.port, u.name),
	                 CORM_ECONNECTION);
	assert_null(strstr(last_error, "not-the-password")); /* the password is never echoed */
	assert_true(strlen(last_error) > 0);
}

static void test_missing_database(void **state)
{
	url_parts u;
	split(&u);
	assert_int_equal(open_url("%s://%s:%s@%s:%d/%s", u.scheme, u.user, u.password, u.host,
	                          u.port, "no_such_db"),
	                 CORM_ECONNECTION);
	assert_non_null(strstr(last_error, "no_such_db"));
}

static void test_closed_port(void **state)
{
	url_parts u;
	split(&u);
	/* bind and close a socket to get a loopback port nobody listens on */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	close(fd);
	assert_int_equal(open_url("%s://%s:%s@127.0.0.1:%d/%s", u.scheme, u.user, u.password,
	                          ntohs(sa.sin_port), u.name),
	                 CORM_ECONNECTION);
}

static void test_silent_server_times_out(void **state)
{
	url_parts u;
	split(&u);
	/* a loopback listener that never accepts: TCP connects, the server never speaks */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 4), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = open_url("%s://%s:%s@127.0.0.1:%d/%s?connect_timeout=2", u.scheme, u.user,
	                  u.password, ntohs(sa.sin_port), u.name);
	double waited = seconds_since(&t0);
	close(fd);
	assert_int_equal(rc, CORM_ECONNECTION);
	if (waited > 6.0)
		fail_msg("connect took %.1f s; connect_timeout=2 should bound it", waited);
}

static void test_injection_in_every_part(void **state)
{
	url_parts u;
	split(&u);
	/* percent-encoded quotes, semicolons and SQL in each part: handed to the driver as values,
	 * never as SQL */
	const char *evil = "x%27%3B%20DROP%20TABLE%20auth_user%3B--";
	assert_int_equal(
	        open_url("%s://%s:%s@%s:%d/%s", u.scheme, evil, u.password, u.host, u.port, u.name),
	        CORM_ECONNECTION);
	assert_int_equal(
	        open_url("%s://%s:%s@%s:%d/%s", u.scheme, u.user, evil, u.host, u.port, u.name),
	        CORM_ECONNECTION);
	assert_int_equal(
	        open_url("%s://%s:%s@%s:%d/%s", u.scheme, u.user, u.password, u.host, u.port, evil),
	        CORM_ECONNECTION);
	/* hosts are checked before anything is sent */
	assert_int_equal(
	        open_url("%s://%s:%s@ho'st:%d/%s", u.scheme, u.user, u.password, u.port, u.name),
	        CORM_EURL);
	assert_int_equal(open_url("%s://%s:%s@%s:%s/%s", u.scheme, u.user, u.password, u.host,
	                          "1;2", u.name),
	                 CORM_EURL);
	/* and the database is still there */
	corm_db *db;
	assert_int_equal(corm_open(&db, test_url()), CORM_OK);
	assert_int_equal(corm_execute(db, "SELECT 1", NULL, 0, NULL), CORM_OK);
	corm_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_good_url),
	        cmocka_unit_test(test_wrong_password),
	        cmocka_unit_test(test_missing_database),
	        cmocka_unit_test(test_closed_port),
	        cmocka_unit_test(test_silent_server_times_out),
	        cmocka_unit_test(test_injection_in_every_part),
	};
	return cmocka_run_group_tests_name("connect", tests, NULL, NULL);
}
