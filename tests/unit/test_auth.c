/*
 * test_auth.c - token comparison, bearer header parsing, roles, and the
 * operator token file (generated once with mode 0600, then reused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/auth.h"

#define OP "operator-token-0123456789"
#define VIEW "viewer-token-0123456789"

static void equal_tokens_compare_equal(void **state)
{
    (void)state;
    assert_true(arc_auth_equal("abcdef", 6, "abcdef", 6));
}

static void tokens_differing_in_any_byte_differ(void **state)
{
    char b[7] = "abcdef";

    (void)state;
    for (int i = 0; i < 6; i++) {
        b[i] ^= 1;
        assert_false(arc_auth_equal("abcdef", 6, b, 6));
        b[i] ^= 1;
    }
}

static void a_prefix_is_not_equal(void **state)
{
    (void)state;
    assert_false(arc_auth_equal("abcdef", 6, "abc", 3));
    assert_false(arc_auth_equal("abc", 3, "abcdef", 6));
    assert_false(arc_auth_equal("abc", 3, "", 0));
}

static void parses_a_bearer_header(void **state)
{
    const char *h = "  bEaReR   tok.en-1  ";
    const char *tok = NULL;
    size_t len = 0;

    (void)state;
    assert_int_equal(arc_auth_parse_bearer(h, strlen(h), &tok, &len),
                     ARC_OK);
    assert_int_equal(len, 8);
    assert_memory_equal(tok, "tok.en-1", 8);
}

static void refuses_other_schemes_and_empty_tokens(void **state)
{
    const char *bad[] = {"Basic abc", "Bearer", "Bearer ", "Bearerabc",
                         "Bearer a b", "", "Bearer a\x01"};
    const char *tok;
    size_t len;

    (void)state;
    for (size_t i = 0; i < ARC_ARRAY_LEN(bad); i++) {
        assert_int_equal(arc_auth_parse_bearer(bad[i], strlen(bad[i]),
                                               &tok, &len),
                         ARC_ERR_INVALID);
    }
}

static void refuses_an_overlong_token(void **state)
{
    char h[ARC_TOKEN_MAX + 16];
    const char *tok;
    size_t len;

    (void)state;
    memset(h, 'a', sizeof(h));
    memcpy(h, "Bearer ", 7);
    assert_int_equal(arc_auth_parse_bearer(h, sizeof(h), &tok, &len),
                     ARC_ERR_INVALID);
}

static void roles_follow_the_token_presented(void **state)
{
    arc_auth_t a;
    bool gen;

    (void)state;
    assert_int_equal(arc_auth_setup(&a, OP, VIEW, "/nonexistent", &gen),
                     ARC_OK);
    assert_false(gen);
    assert_int_equal(arc_auth_role(&a, OP, strlen(OP)), ARC_ROLE_OPERATOR);
    assert_int_equal(arc_auth_role(&a, VIEW, strlen(VIEW)),
                     ARC_ROLE_VIEWER);
    assert_int_equal(arc_auth_role(&a, "nope", 4), ARC_ROLE_NONE);
    assert_int_equal(arc_auth_role(&a, "", 0), ARC_ROLE_NONE);
}

static void without_viewer_token_nothing_is_viewer(void **state)
{
    arc_auth_t a;
    bool gen;

    (void)state;
    assert_int_equal(arc_auth_setup(&a, OP, NULL, "/nonexistent", &gen),
                     ARC_OK);
    assert_int_equal(arc_auth_role(&a, "", 0), ARC_ROLE_NONE);
}

static void viewer_reads_operator_changes(void **state)
{
    (void)state;
    assert_true(arc_auth_allows(ARC_ROLE_VIEWER, false));
    assert_false(arc_auth_allows(ARC_ROLE_VIEWER, true));
    assert_true(arc_auth_allows(ARC_ROLE_OPERATOR, true));
    assert_false(arc_auth_allows(ARC_ROLE_NONE, false));
}

static void refuses_short_configured_tokens(void **state)
{
    arc_auth_t a;
    bool gen;

    (void)state;
    assert_int_equal(arc_auth_setup(&a, "short", NULL, "/x", &gen),
                     ARC_ERR_INVALID);
    assert_int_equal(arc_auth_setup(&a, OP, "has space in it!!", "/x",
                                    &gen),
                     ARC_ERR_INVALID);
}

static void generates_a_private_token_file_once(void **state)
{
    char dir[] = "/tmp/arc-auth-XXXXXX";
    char path[64];
    arc_auth_t a, b;
    struct stat st;
    bool gen = false;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(arc_auth_setup(&a, NULL, NULL, dir, &gen), ARC_OK);
    assert_true(gen);
    assert_int_equal(strlen(a.operator_token), 64);
    snprintf(path, sizeof(path), "%s/token", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    assert_int_equal(arc_auth_setup(&b, NULL, NULL, dir, &gen), ARC_OK);
    assert_false(gen);
    assert_string_equal(a.operator_token, b.operator_token);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_tokens_compare_equal),
        cmocka_unit_test(tokens_differing_in_any_byte_differ),
        cmocka_unit_test(a_prefix_is_not_equal),
        cmocka_unit_test(parses_a_bearer_header),
        cmocka_unit_test(refuses_other_schemes_and_empty_tokens),
        cmocka_unit_test(refuses_an_overlong_token),
        cmocka_unit_test(roles_follow_the_token_presented),
        cmocka_unit_test(without_viewer_token_nothing_is_viewer),
        cmocka_unit_test(viewer_reads_operator_changes),
        cmocka_unit_test(refuses_short_configured_tokens),
        cmocka_unit_test(generates_a_private_token_file_once),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
