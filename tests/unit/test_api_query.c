/*
 * test_api_query.c - query string parsing: splitting, decoding, limits,
 * and refusal of malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/query.h"

static arc_status_t parse(arc_query_t *q, const char *s)
{
    arc_query_init(q);
    return arc_query_parse(q, s, strlen(s));
}

static void splits_pairs_on_ampersands(void **state)
{
    arc_query_t q;

    (void)state;
    assert_int_equal(parse(&q, "zone=west&status=up"), ARC_OK);
    assert_int_equal(q.count, 2);
    assert_string_equal(arc_query_get(&q, "zone"), "west");
    assert_string_equal(arc_query_get(&q, "status"), "up");
    assert_null(arc_query_get(&q, "model"));
}

static void decodes_percent_escapes_and_plus(void **state)
{
    arc_query_t q;

    (void)state;
    assert_int_equal(parse(&q, "q=low+battery%21&k%3D=%7e"), ARC_OK);
    assert_string_equal(arc_query_get(&q, "q"), "low battery!");
    assert_string_equal(arc_query_get(&q, "k="), "~");
}

static void splits_key_from_value_at_first_equals(void **state)
{
    arc_query_t q;

    (void)state;
    assert_int_equal(parse(&q, "a=b=c&flag"), ARC_OK);
    assert_string_equal(arc_query_get(&q, "a"), "b=c");
    assert_string_equal(arc_query_get(&q, "flag"), "");
}

static void skips_empty_pairs(void **state)
{
    arc_query_t q;

    (void)state;
    assert_int_equal(parse(&q, "&&a=1&&"), ARC_OK);
    assert_int_equal(q.count, 1);
    assert_int_equal(parse(&q, ""), ARC_OK);
    assert_int_equal(q.count, 0);
}

static void refuses_bad_escapes(void **state)
{
    const char *bad[] = {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1"};
    arc_query_t q;

    (void)state;
    for (size_t i = 0; i < ARC_ARRAY_LEN(bad); i++) {
        assert_int_equal(parse(&q, bad[i]), ARC_ERR_INVALID);
    }
}

static void refuses_encoded_nul(void **state)
{
    arc_query_t q;

    (void)state;
    assert_int_equal(parse(&q, "a=x%00y"), ARC_ERR_INVALID);
}

static void refuses_empty_keys(void **state)
{
    arc_query_t q;

    (void)state;
    assert_int_equal(parse(&q, "=1"), ARC_ERR_INVALID);
}

static void refuses_overlong_keys_and_values(void **state)
{
    char s[ARC_QUERY_VALUE_MAX + 8];
    arc_query_t q;

    (void)state;
    memset(s, 'k', ARC_QUERY_KEY_MAX);
    s[ARC_QUERY_KEY_MAX] = '\0';
    assert_int_equal(parse(&q, s), ARC_ERR_INVALID);

    memcpy(s, "v=", 2);
    memset(s + 2, 'x', ARC_QUERY_VALUE_MAX);
    s[ARC_QUERY_VALUE_MAX + 2] = '\0';
    assert_int_equal(parse(&q, s), ARC_ERR_INVALID);
}

static void refuses_too_many_pairs(void **state)
{
    char s[256] = "";
    arc_query_t q;

    (void)state;
    for (int i = 0; i <= ARC_QUERY_MAX; i++) {
        size_t n = strlen(s);

        snprintf(s + n, sizeof(s) - n, "k%d=1&", i);
    }
    assert_int_equal(parse(&q, s), ARC_ERR_INVALID);
}

static void adds_a_decoded_pair_without_decoding_again(void **state)
{
    arc_query_t q;

    (void)state;
    arc_query_init(&q);
    assert_int_equal(arc_query_add(&q, "q=50%+x", 7), ARC_OK);
    assert_string_equal(arc_query_get(&q, "q"), "50%+x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(splits_pairs_on_ampersands),
        cmocka_unit_test(decodes_percent_escapes_and_plus),
        cmocka_unit_test(splits_key_from_value_at_first_equals),
        cmocka_unit_test(skips_empty_pairs),
        cmocka_unit_test(refuses_bad_escapes),
        cmocka_unit_test(refuses_encoded_nul),
        cmocka_unit_test(refuses_empty_keys),
        cmocka_unit_test(refuses_overlong_keys_and_values),
        cmocka_unit_test(refuses_too_many_pairs),
        cmocka_unit_test(adds_a_decoded_pair_without_decoding_again),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
