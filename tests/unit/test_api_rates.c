/*
 * test_api_rates.c - per-zone request rate and latency percentiles over
 * the last simulated minute.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/rates.h"

#define SEC ARC_US_PER_S

static void empty_zone_reports_zeros(void **state)
{
    arc_rates_t r;
    arc_zone_rates_t z;

    (void)state;
    arc_rates_init(&r);
    arc_rates_get(&r, ARC_ZONE_WEST, 100 * SEC, &z);
    assert_true(z.req_per_s == 0 && z.p50_ms == 0 && z.p99_ms == 0);
}

static void rate_counts_the_last_minute(void **state)
{
    arc_rates_t r;
    arc_zone_rates_t z;

    (void)state;
    arc_rates_init(&r);
    for (int s = 0; s < 120; s++) {
        arc_rates_record(&r, ARC_ZONE_EAST, (int64_t)s * SEC, 10.0);
        arc_rates_record(&r, ARC_ZONE_EAST, (int64_t)s * SEC, 10.0);
    }
    arc_rates_get(&r, ARC_ZONE_EAST, 119 * SEC, &z);
    assert_true(z.req_per_s == 2.0);
    arc_rates_get(&r, ARC_ZONE_WEST, 119 * SEC, &z);
    assert_true(z.req_per_s == 0.0);
}

static void old_slots_fall_out_of_the_window(void **state)
{
    arc_rates_t r;
    arc_zone_rates_t z;

    (void)state;
    arc_rates_init(&r);
    arc_rates_record(&r, ARC_ZONE_WEST, 10 * SEC, 5.0);
    arc_rates_get(&r, ARC_ZONE_WEST, 69 * SEC, &z);
    assert_true(z.req_per_s > 0);
    arc_rates_get(&r, ARC_ZONE_WEST, 70 * SEC, &z);
    assert_true(z.req_per_s == 0);
}

static void percentiles_bound_the_latencies_from_above(void **state)
{
    arc_rates_t r;
    arc_zone_rates_t z;

    (void)state;
    arc_rates_init(&r);
    for (int i = 0; i < 99; i++) {
        arc_rates_record(&r, ARC_ZONE_CENTRAL, 5 * SEC, 100.0);
    }
    arc_rates_record(&r, ARC_ZONE_CENTRAL, 5 * SEC, 5000.0);
    arc_rates_record(&r, ARC_ZONE_CENTRAL, 5 * SEC, 5000.0);
    arc_rates_get(&r, ARC_ZONE_CENTRAL, 5 * SEC, &z);
    assert_true(z.p50_ms >= 100.0 && z.p50_ms < 100.0 * 1.2);
    assert_true(z.p99_ms >= 5000.0 && z.p99_ms < 5000.0 * 1.2);
}

static void ignores_unknown_zones(void **state)
{
    arc_rates_t r;
    arc_zone_rates_t z;

    (void)state;
    arc_rates_init(&r);
    arc_rates_record(&r, (arc_zone_t)7, SEC, 1.0);
    arc_rates_get(&r, (arc_zone_t)7, SEC, &z);
    assert_true(z.req_per_s == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_zone_reports_zeros),
        cmocka_unit_test(rate_counts_the_last_minute),
        cmocka_unit_test(old_slots_fall_out_of_the_window),
        cmocka_unit_test(percentiles_bound_the_latencies_from_above),
        cmocka_unit_test(ignores_unknown_zones),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
