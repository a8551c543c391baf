/*
 * test_cli_http.c - how `arcnet` finds its daemon and token, builds
 * query strings, parses server URLs, maps outcomes to exit statuses,
 * and reports an unreachable server as a transport error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/grammar.h"
#include "cli/http.h"

static void server_defaults_to_loopback(void **state)
{
    arc_cli_conn_t c;

    (void)state;
    assert_int_equal(arc_cli_conn_init(&c, NULL, NULL, NULL, NULL, NULL,
                                       NULL),
                     ARC_OK);
    assert_string_equal(c.server, "http://127.0.0.1:8080");
    assert_string_equal(c.token, "");
}

static void option_beats_environment(void **state)
{
    arc_cli_conn_t c;

    (void)state;
    assert_int_equal(arc_cli_conn_init(&c, "http://a:1/", "t1",
                                       "http://b:2", "t2", NULL, NULL),
                     ARC_OK);
    assert_string_equal(c.server, "http://a:1");
    assert_string_equal(c.token, "t1");

    assert_int_equal(arc_cli_conn_init(&c, NULL, NULL, "http://b:2", "t2",
                                       NULL, NULL),
                     ARC_OK);
    assert_string_equal(c.server, "http://b:2");
    assert_string_equal(c.token, "t2");
}

static void token_file_is_the_last_resort(void **state)
{
    char path[] = "/tmp/arcnet-token-XXXXXX";
    int fd = mkstemp(path);
    arc_cli_conn_t c;

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "s3cret \n", 8), 8);
    close(fd);

    assert_int_equal(arc_cli_conn_init(&c, NULL, NULL, NULL, NULL, path,
                                       NULL),
                     ARC_OK);
    assert_string_equal(c.token, "s3cret");
    assert_int_equal(arc_cli_conn_init(&c, NULL, NULL, NULL, "env", path,
                                       NULL),
                     ARC_OK);
    assert_string_equal(c.token, "env");
    unlink(path);

    assert_int_equal(arc_cli_conn_init(&c, NULL, NULL, NULL, NULL, path,
                                       NULL),
                     ARC_OK);
    assert_string_equal(c.token, "");
}

static void bad_server_url_is_refused(void **state)
{
    arc_cli_conn_t c;
    char error[ARC_CLI_ERROR_MAX];

    (void)state;
    assert_int_equal(arc_cli_conn_init(&c, "ftp://x", NULL, NULL, NULL,
                                       NULL, error),
                     ARC_ERR_INVALID);
    assert_non_null(strstr(error, "--server"));
}

static void urls_parse_into_parts(void **state)
{
    arc_cli_url_t u;

    (void)state;
    assert_int_equal(arc_cli_url_parse("http://127.0.0.1:8080", &u), ARC_OK);
    assert_false(u.tls);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.prefix, "");

    assert_int_equal(arc_cli_url_parse("https://arc.example/api/", &u),
                     ARC_OK);
    assert_true(u.tls);
    assert_int_equal(u.port, 443);
    assert_string_equal(u.prefix, "/api");

    assert_int_equal(arc_cli_url_parse("http://[::1]:9000", &u), ARC_OK);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 9000);
}

static void malformed_urls_are_refused(void **state)
{
    static const char *const bad[] = {
        "127.0.0.1:8080", "http://", "http://h:0", "http://h:70000",
        "http://h:8x",    "http://[::1", "http://h/a?b", NULL,
    };
    arc_cli_url_t u;

    (void)state;
    for (size_t i = 0; i < ARC_ARRAY_LEN(bad); i++) {
        if (arc_cli_url_parse(bad[i], &u) != ARC_ERR_INVALID)
            fail_msg("accepted '%s'", bad[i] ? bad[i] : "(null)");
    }
}

static void query_values_are_percent_encoded(void **state)
{
    arc_cli_buf_t b;

    (void)state;
    arc_cli_buf_init(&b);
    arc_cli_buf_puts(&b, "/v1/events");
    arc_cli_query_add(&b, "q", "low battery & more");
    arc_cli_query_add(&b, "zone", NULL);
    arc_cli_query_add(&b, "type", "node-down");
    assert_string_equal(arc_cli_buf_str(&b),
                        "/v1/events?q=low%20battery%20%26%20more"
                        "&type=node-down");
    arc_cli_buf_free(&b);
}

static void exit_status_follows_the_outcome(void **state)
{
    (void)state;
    assert_int_equal(arc_cli_exit_status(ARC_OK, 200), ARC_CLI_EXIT_OK);
    assert_int_equal(arc_cli_exit_status(ARC_OK, 204), ARC_CLI_EXIT_OK);
    assert_int_equal(arc_cli_exit_status(ARC_OK, 404), ARC_CLI_EXIT_ERROR);
    assert_int_equal(arc_cli_exit_status(ARC_OK, 503), ARC_CLI_EXIT_ERROR);
    assert_int_equal(arc_cli_exit_status(ARC_ERR_IO, 0), ARC_CLI_EXIT_ERROR);
    assert_int_equal(ARC_CLI_EXIT_USAGE, 2);
}

static void unreachable_server_is_a_transport_error(void **state)
{
    arc_cli_conn_t c;
    arc_cli_reply_t r;
    char error[ARC_CLI_ERROR_MAX] = "";

    (void)state;
    /* Port 1 on loopback: nothing listens there, so it is refused. */
    assert_int_equal(arc_cli_conn_init(&c, "http://127.0.0.1:1", NULL, NULL,
                                       NULL, NULL, NULL),
                     ARC_OK);
    assert_int_equal(arc_cli_http(&c, "GET", "/healthz", NULL, &r, error),
                     ARC_ERR_IO);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(error, "cannot reach the server"));
    arc_cli_reply_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(server_defaults_to_loopback),
        cmocka_unit_test(option_beats_environment),
        cmocka_unit_test(token_file_is_the_last_resort),
        cmocka_unit_test(bad_server_url_is_refused),
        cmocka_unit_test(urls_parse_into_parts),
        cmocka_unit_test(malformed_urls_are_refused),
        cmocka_unit_test(query_values_are_percent_encoded),
        cmocka_unit_test(exit_status_follows_the_outcome),
        cmocka_unit_test(unreachable_server_is_a_transport_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
