/*
 * test_json_writer.c - the streaming JSON writer: commas and nesting,
 * string escaping (quotes, control characters, invalid UTF-8), numbers,
 * misuse detection, headroom, and round trips through cJSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "api/json_writer.h"

static void writes_empty_object(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_obj_open(&w);
    arc_jw_obj_close(&w);
    assert_int_equal(arc_jw_finish(&w), ARC_OK);
    assert_string_equal(arc_jw_text(&w), "{}");
    arc_jw_free(&w);
}

static void places_commas_between_members_and_elements(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_obj_open(&w);
    arc_jw_kint(&w, "a", 1);
    arc_jw_key(&w, "b");
    arc_jw_arr_open(&w);
    arc_jw_int(&w, 2);
    arc_jw_obj_open(&w);
    arc_jw_obj_close(&w);
    arc_jw_arr_open(&w);
    arc_jw_arr_close(&w);
    arc_jw_null(&w);
    arc_jw_arr_close(&w);
    arc_jw_kbool(&w, "c", true);
    arc_jw_obj_close(&w);
    assert_int_equal(arc_jw_finish(&w), ARC_OK);
    assert_string_equal(arc_jw_text(&w),
                        "{\"a\":1,\"b\":[2,{},[],null],\"c\":true}");
    arc_jw_free(&w);
}

static void escapes_quotes_backslashes_and_controls(void **state)
{
    arc_jw_t w;
    const char in[] = "q\"b\\n\nt\tr\rz\x01\x1f/";

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_strn(&w, in, sizeof(in) - 1);
    assert_int_equal(arc_jw_finish(&w), ARC_OK);
    assert_string_equal(arc_jw_text(&w),
                        "\"q\\\"b\\\\n\\nt\\tr\\rz\\u0001\\u001f/\"");
    arc_jw_free(&w);
}

static void escapes_embedded_nul(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_strn(&w, "a\0b", 3);
    assert_string_equal(arc_jw_text(&w), "\"a\\u0000b\"");
    arc_jw_free(&w);
}

static void keeps_valid_utf8(void **state)
{
    arc_jw_t w;
    const char *s = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_str(&w, s);
    assert_int_equal(strlen(arc_jw_text(&w)), strlen(s) + 2);
    assert_memory_equal(arc_jw_text(&w) + 1, s, strlen(s));
    arc_jw_free(&w);
}

static void replaces_invalid_utf8(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_arr_open(&w);
    arc_jw_str(&w, "a\xFF");          /* never valid */
    arc_jw_str(&w, "\xC0\xAF");       /* overlong '/' */
    arc_jw_str(&w, "\xED\xA0\x80");   /* a surrogate */
    arc_jw_str(&w, "\xE2\x82");       /* truncated */
    arc_jw_str(&w, "\xF4\x90\x80\x80"); /* past U+10FFFF */
    arc_jw_arr_close(&w);
    assert_string_equal(arc_jw_text(&w),
                        "[\"a\xEF\xBF\xBD\","
                        "\"\xEF\xBF\xBD\xEF\xBF\xBD\","
                        "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\","
                        "\"\xEF\xBF\xBD\xEF\xBF\xBD\","
                        "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                        "\xEF\xBF\xBD\"]");
    arc_jw_free(&w);
}

static void writes_integers_at_their_limits(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_arr_open(&w);
    arc_jw_int(&w, INT64_MIN);
    arc_jw_uint(&w, UINT64_MAX);
    arc_jw_int(&w, 0);
    arc_jw_arr_close(&w);
    assert_string_equal(arc_jw_text(&w),
                        "[-9223372036854775808,18446744073709551615,0]");
    arc_jw_free(&w);
}

static void writes_non_finite_doubles_as_null(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_arr_open(&w);
    arc_jw_double(&w, 0.0 / 0.0);
    arc_jw_double(&w, 1.0 / 0.0);
    arc_jw_double(&w, -0.0);
    arc_jw_double(&w, 0.5);
    arc_jw_arr_close(&w);
    assert_string_equal(arc_jw_text(&w), "[null,null,0,0.5]");
    arc_jw_free(&w);
}

static void round_trips_doubles_through_cjson(void **state)
{
    const double values[] = {45.5152, -122.6784, 1e-9, 6.02e23, 0.1,
                             -273.15, 123456789.0};
    arc_jw_t w;
    cJSON *root;

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_arr_open(&w);
    for (size_t i = 0; i < ARC_ARRAY_LEN(values); i++) {
        arc_jw_double(&w, values[i]);
    }
    arc_jw_arr_close(&w);
    root = cJSON_Parse(arc_jw_text(&w));
    assert_non_null(root);
    for (size_t i = 0; i < ARC_ARRAY_LEN(values); i++) {
        double got = cJSON_GetArrayItem(root, (int)i)->valuedouble;

        assert_true(fabs(got - values[i]) <= fabs(values[i]) * 1e-8);
    }
    cJSON_Delete(root);
    arc_jw_free(&w);
}

static void round_trips_every_byte_through_cjson(void **state)
{
    char in[127];
    arc_jw_t w;
    cJSON *root;

    (void)state;
    for (int i = 0; i < 127; i++) {
        in[i] = (char)(i + 1); /* every ASCII byte but NUL */
    }
    arc_jw_init(&w, 0);
    arc_jw_obj_open(&w);
    arc_jw_key(&w, "k\"ey");
    arc_jw_strn(&w, in, 127);
    arc_jw_obj_close(&w);
    root = cJSON_Parse(arc_jw_text(&w));
    assert_non_null(root);
    assert_true(cJSON_IsString(cJSON_GetObjectItem(root, "k\"ey")));
    assert_memory_equal(cJSON_GetObjectItem(root, "k\"ey")->valuestring,
                        in, 127);
    cJSON_Delete(root);
    arc_jw_free(&w);
}

static void grows_past_its_first_buffer(void **state)
{
    arc_jw_t w;
    cJSON *root;

    (void)state;
    arc_jw_init(&w, 16);
    arc_jw_arr_open(&w);
    for (int i = 0; i < 10000; i++) {
        arc_jw_int(&w, i);
    }
    arc_jw_arr_close(&w);
    assert_int_equal(arc_jw_finish(&w), ARC_OK);
    root = cJSON_Parse(arc_jw_text(&w));
    assert_int_equal(cJSON_GetArraySize(root), 10000);
    assert_int_equal(cJSON_GetArrayItem(root, 9999)->valueint, 9999);
    cJSON_Delete(root);
    arc_jw_free(&w);
}

static void keeps_headroom_before_the_text(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 40);
    arc_jw_str(&w, "x");
    assert_ptr_equal(arc_jw_base(&w) + 40, arc_jw_text(&w));
    arc_jw_free(&w);
}

static void refuses_a_key_inside_an_array(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_arr_open(&w);
    arc_jw_key(&w, "a");
    arc_jw_arr_close(&w);
    assert_int_equal(arc_jw_finish(&w), ARC_ERR_INVALID);
    arc_jw_free(&w);
}

static void refuses_a_value_without_a_key_in_an_object(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_obj_open(&w);
    arc_jw_int(&w, 1);
    arc_jw_obj_close(&w);
    assert_int_equal(arc_jw_finish(&w), ARC_ERR_INVALID);
    arc_jw_free(&w);
}

static void refuses_unbalanced_containers(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_obj_open(&w);
    assert_int_equal(arc_jw_finish(&w), ARC_ERR_INVALID);
    arc_jw_arr_close(&w);
    assert_int_equal(arc_jw_finish(&w), ARC_ERR_INVALID);
    arc_jw_free(&w);
}

static void refuses_two_top_level_values(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_int(&w, 1);
    arc_jw_int(&w, 2);
    assert_int_equal(arc_jw_finish(&w), ARC_ERR_INVALID);
    arc_jw_free(&w);
}

static void refuses_nesting_past_the_limit(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    for (int i = 0; i < ARC_JW_MAX_DEPTH + 1; i++) {
        arc_jw_arr_open(&w);
    }
    assert_int_equal(arc_jw_finish(&w), ARC_ERR_INVALID);
    arc_jw_free(&w);
}

static void reset_starts_a_new_document(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    arc_jw_int(&w, 1);
    arc_jw_reset(&w);
    arc_jw_str(&w, "b");
    assert_int_equal(arc_jw_finish(&w), ARC_OK);
    assert_string_equal(arc_jw_text(&w), "\"b\"");
    arc_jw_free(&w);
}

static const char *one_double(arc_jw_t *w, double v)
{
    arc_jw_reset(w);
    arc_jw_double(w, v);
    return arc_jw_text(w);
}

static void formats_common_doubles_exactly(void **state)
{
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    assert_string_equal(one_double(&w, 45.5152), "45.5152");
    assert_string_equal(one_double(&w, -122.6784), "-122.6784");
    assert_string_equal(one_double(&w, 0.1), "0.1");
    assert_string_equal(one_double(&w, 16), "16");
    assert_string_equal(one_double(&w, 123456789.0), "123456789");
    assert_string_equal(one_double(&w, 0.0048712846), "0.0048712846");
    assert_string_equal(one_double(&w, 0.99999999999), "1");
    assert_string_equal(one_double(&w, 1e-9), "1e-09");
    assert_string_equal(one_double(&w, 6.02e23), "6.02e+23");
    arc_jw_free(&w);
}

static void formats_doubles_to_nine_significant_digits(void **state)
{
    uint64_t x = 88172645463325252ULL;
    arc_jw_t w;

    (void)state;
    arc_jw_init(&w, 0);
    for (int i = 0; i < 20000; i++) {
        double mant, v, want, got;
        char ref[40];
        int exp10;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        mant = (double)(x >> 11) / 9007199254740992.0;
        exp10 = (int)(x % 16) - 6;
        v = (i & 1 ? -1 : 1) * mant * pow(10, exp10);
        snprintf(ref, sizeof(ref), "%.9g", v);
        want = strtod(ref, NULL);
        got = strtod(one_double(&w, v), NULL);
        assert_true(fabs(got - want) <= fabs(want) * 1.1e-8);
    }
    arc_jw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_empty_object),
        cmocka_unit_test(places_commas_between_members_and_elements),
        cmocka_unit_test(escapes_quotes_backslashes_and_controls),
        cmocka_unit_test(escapes_embedded_nul),
        cmocka_unit_test(keeps_valid_utf8),
        cmocka_unit_test(replaces_invalid_utf8),
        cmocka_unit_test(writes_integers_at_their_limits),
        cmocka_unit_test(writes_non_finite_doubles_as_null),
        cmocka_unit_test(round_trips_doubles_through_cjson),
        cmocka_unit_test(round_trips_every_byte_through_cjson),
        cmocka_unit_test(grows_past_its_first_buffer),
        cmocka_unit_test(keeps_headroom_before_the_text),
        cmocka_unit_test(refuses_a_key_inside_an_array),
        cmocka_unit_test(refuses_a_value_without_a_key_in_an_object),
        cmocka_unit_test(refuses_unbalanced_containers),
        cmocka_unit_test(refuses_two_top_level_values),
        cmocka_unit_test(refuses_nesting_past_the_limit),
        cmocka_unit_test(reset_starts_a_new_document),
        cmocka_unit_test(formats_common_doubles_exactly),
        cmocka_unit_test(formats_doubles_to_nine_significant_digits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
