/*
 * test_cli_history.c - `arcnet history` output: one line per bucket
 * with its time, status and values; an empty range says so; a reply
 * without buckets is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/format_history.h"

static void test_each_bucket_is_one_line(void **state)
{
    const char *json =
        "{\"node\":\"west-a\",\"buckets\":["
        "{\"time\":1773986400000000,\"samples\":6,\"status\":\"up\","
        "\"energy_source\":\"cogen-solar\",\"gpus_free_min\":3,"
        "\"gpu_util\":0.5,\"battery_soc\":0.81,\"power_kw\":700,"
        "\"carbon_g_per_kwh\":41.2},"
        "{\"time\":1773986460000000,\"samples\":2,\"status\":\"down\","
        "\"energy_source\":\"grid\",\"gpus_free_min\":0,"
        "\"gpu_util\":0,\"battery_soc\":0.8,\"power_kw\":0,"
        "\"carbon_g_per_kwh\":400}]}";
    arc_cli_buf_t out;

    (void)state;
    arc_cli_buf_init(&out);
    assert_int_equal(arc_cli_format_history(json, strlen(json), &out),
                     ARC_OK);
    assert_non_null(strstr(arc_cli_buf_str(&out), "2026-03-20 06:00:00"));
    assert_non_null(strstr(arc_cli_buf_str(&out), "down"));
    assert_non_null(strstr(arc_cli_buf_str(&out), "81%"));
    assert_non_null(strstr(arc_cli_buf_str(&out), "2 buckets"));
    arc_cli_buf_free(&out);
}

static void test_empty_range_says_so(void **state)
{
    const char *json = "{\"buckets\":[]}";
    arc_cli_buf_t out;

    (void)state;
    arc_cli_buf_init(&out);
    assert_int_equal(arc_cli_format_history(json, strlen(json), &out),
                     ARC_OK);
    assert_string_equal(arc_cli_buf_str(&out), "no history in that range\n");
    arc_cli_buf_free(&out);
}

static void test_reply_without_buckets_is_refused(void **state)
{
    const char *json = "{\"nodes\":[]}";
    arc_cli_buf_t out;

    (void)state;
    arc_cli_buf_init(&out);
    assert_int_equal(arc_cli_format_history(json, strlen(json), &out),
                     ARC_ERR_INVALID);
    assert_int_equal(arc_cli_format_history("not json", 8, &out),
                     ARC_ERR_INVALID);
    arc_cli_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_bucket_is_one_line),
        cmocka_unit_test(test_empty_range_says_so),
        cmocka_unit_test(test_reply_without_buckets_is_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
