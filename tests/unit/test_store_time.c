/*
 * test_store_time.c - reading times as RFC 3339 or integer
 * microseconds, and writing them back: offsets, fractions, leap days,
 * the edges of the ranges, and everything that must be refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store/stime.h"

static int64_t parse_ok(const char *s)
{
    int64_t v = 0;

    assert_int_equal(arc_time_parse(s, &v), ARC_OK);
    return v;
}

static void test_utc_time_reads_as_epoch_microseconds(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2026-03-20T06:00:00Z"),
                     1773986400LL * ARC_US_PER_S);
    assert_int_equal(parse_ok("2000-01-01t00:00:00z"),
                     946684800LL * ARC_US_PER_S);
}

static void test_offset_is_applied(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-03-20T01:00:00-05:00"),
                     parse_ok("2026-03-20T06:00:00Z"));
    assert_int_equal(parse_ok("2026-03-20T07:30:00+01:30"),
                     parse_ok("2026-03-20T06:00:00Z"));
}

static void test_fraction_keeps_microseconds(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00.5Z"), 500000);
    assert_int_equal(parse_ok("1970-01-01T00:00:00.000001Z"), 1);
    assert_int_equal(parse_ok("1970-01-01T00:00:00.123456789Z"), 123456);
}

static void test_leap_day_and_before_epoch(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-02-29T00:00:00Z") -
                         parse_ok("2024-02-28T00:00:00Z"),
                     86400LL * ARC_US_PER_S);
    assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -ARC_US_PER_S);
}

static void test_integer_microseconds_read_as_is(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1774000000000000"), 1774000000000000LL);
    assert_int_equal(parse_ok("-5"), -5);
    assert_int_equal(parse_ok("9223372036854775807"), INT64_MAX);
}

static void test_malformed_times_are_refused(void **state)
{
    const char *bad[] = {
        "", "-", "12a", "9223372036854775808", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-01-01T24:00:00Z",
        "2026-01-01T00:60:00Z", "2026-01-01T00:00:00", "2026-01-01",
        "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00Zjunk",
        "2026-01-01T00:00:00+5:00", "2026-01-01T00:00:00.1234567890Z",
        "0000-01-01T00:00:00Z", " 2026-01-01T00:00:00Z", "+5"};
    int64_t v;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (arc_time_parse(bad[i], &v) != ARC_ERR_INVALID) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
    assert_int_equal(arc_time_parse(NULL, &v), ARC_ERR_INVALID);
}

static void test_format_round_trips(void **state)
{
    char buf[ARC_TIME_TEXT_MAX];
    const int64_t samples[] = {0, 1, -1, 1774000000123456LL,
                               -62135596800LL * ARC_US_PER_S,
                               253402300799999999LL};

    (void)state;
    assert_int_equal(arc_time_format(1773986400LL * ARC_US_PER_S, buf,
                                     sizeof(buf)),
                     ARC_OK);
    assert_string_equal(buf, "2026-03-20T06:00:00.000000Z");
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        assert_int_equal(arc_time_format(samples[i], buf, sizeof(buf)),
                         ARC_OK);
        assert_int_equal(parse_ok(buf), samples[i]);
    }
    assert_int_equal(arc_time_format(INT64_MAX, buf, sizeof(buf)),
                     ARC_ERR_INVALID);
    assert_int_equal(arc_time_format(0, buf, 8), ARC_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utc_time_reads_as_epoch_microseconds),
        cmocka_unit_test(test_offset_is_applied),
        cmocka_unit_test(test_fraction_keeps_microseconds),
        cmocka_unit_test(test_leap_day_and_before_epoch),
        cmocka_unit_test(test_integer_microseconds_read_as_is),
        cmocka_unit_test(test_malformed_times_are_refused),
        cmocka_unit_test(test_format_round_trips),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
