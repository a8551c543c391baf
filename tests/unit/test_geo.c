/*
 * test_geo.c - distances, the round-trip model, zones and the sun's
 * position against known values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "core/geo.h"

/* 2024-03-20 00:00:00 UTC, the March equinox day. */
#define EQUINOX_DAY_US (1710892800LL * ARC_US_PER_S)

static void los_angeles_to_new_york_is_about_3940_km(void **state)
{
    double km = arc_geo_distance_km(34.0522, -118.2437, 40.7128, -74.0060);

    (void)state;
    assert_true(fabs(km - 3936.0) < 10.0);
}

static void distance_is_symmetric_and_zero_to_itself(void **state)
{
    (void)state;
    assert_true(arc_geo_distance_km(35.0, -84.0, 35.0, -84.0) < 1e-9);
    assert_true(fabs(arc_geo_distance_km(30, -90, 45, -120) -
                     arc_geo_distance_km(45, -120, 30, -90)) < 1e-9);
}

/*
 * Through unit vectors (the node's kept in floats) the distance matches
 * the haversine within a couple of metres, and R times the chord never
 * exceeds it.
 */
static void unit_vector_distance_matches_the_haversine(void **state)
{
    static const double points[][4] = {
        {34.0522, -118.2437, 40.7128, -74.0060},
        {35.9606, -83.9207, 35.9606, -83.9207},
        {47.6062, -122.3321, 47.6100, -122.3400},
        {25.7617, -80.1918, 61.2181, -149.9003},
        {30.2672, -97.7431, 39.7392, -104.9903},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
        const double *p = points[i];
        double origin[3], chord, km;
        float node[3];

        arc_geo_unit(p[0], p[1], origin);
        arc_geo_unit_f(p[2], p[3], node);
        chord = arc_geo_chord(origin, node);
        km = arc_geo_chord_km(chord);
        assert_true(fabs(km - arc_geo_distance_km(p[0], p[1], p[2], p[3])) <
                    2e-3);
        assert_true(chord * ARC_EARTH_RADIUS_KM <= km);
    }
}

/*
 * The unit vector's own sine and cosine agree with the library's to a
 * few units of the last place at every angle a place can have, through
 * each quarter turn and its edges, and stay a unit vector.
 */
static void unit_vector_matches_the_library_trigonometry(void **state)
{
    const double deg = M_PI / 180.0;

    (void)state;
    for (int i = -720000; i <= 720000; i += 7) {
        double lon = i / 4000.0, lat = lon / 2.0, v[3];

        arc_geo_unit(lat, lon, v);
        assert_true(fabs(v[0] - cos(lat * deg) * cos(lon * deg)) < 1e-15);
        assert_true(fabs(v[1] - cos(lat * deg) * sin(lon * deg)) < 1e-15);
        assert_true(fabs(v[2] - sin(lat * deg)) < 1e-15);
        assert_true(fabs(v[0] * v[0] + v[1] * v[1] + v[2] * v[2] - 1.0) <
                    1e-15);
    }
    for (int q = -2; q <= 2; q++) {
        double v[3];

        arc_geo_unit(0.0, 90.0 * q, v);
        assert_true(fabs(v[0] - cos(90.0 * q * deg)) < 1e-15);
        assert_true(fabs(v[1] - sin(90.0 * q * deg)) < 1e-15);
        assert_true(v[2] == 0.0);
    }
}

static void rtt_grows_with_distance_from_a_fixed_base(void **state)
{
    (void)state;
    assert_true(fabs(arc_geo_rtt_ms(0.0) - 2.0) < 1e-12);
    /* 1000 km: 2 x 1000 x 1.5 / 200 = 15 ms of fibre, plus 2 ms. */
    assert_true(fabs(arc_geo_rtt_ms(1000.0) - 17.0) < 1e-9);
}

static void zones_split_by_longitude(void **state)
{
    (void)state;
    assert_int_equal(arc_geo_zone_of(37.77, -122.42), ARC_ZONE_WEST);
    assert_int_equal(arc_geo_zone_of(39.74, -104.99), ARC_ZONE_WEST);
    assert_int_equal(arc_geo_zone_of(32.78, -96.80), ARC_ZONE_CENTRAL);
    assert_int_equal(arc_geo_zone_of(41.88, -87.63), ARC_ZONE_CENTRAL);
    assert_int_equal(arc_geo_zone_of(33.75, -84.39), ARC_ZONE_EAST);
    assert_int_equal(arc_geo_zone_of(40.71, -74.01), ARC_ZONE_EAST);
}

static void central_spills_east_first_and_west_second(void **state)
{
    arc_zone_t next[2];

    (void)state;
    assert_int_equal(arc_geo_zone_neighbours(ARC_ZONE_CENTRAL, next), 2);
    assert_int_equal(next[0], ARC_ZONE_EAST);
    assert_int_equal(next[1], ARC_ZONE_WEST);
    assert_int_equal(arc_geo_zone_neighbours(ARC_ZONE_WEST, next), 2);
    assert_int_equal(next[0], ARC_ZONE_CENTRAL);
}

static void validity_rejects_out_of_range_and_nan(void **state)
{
    (void)state;
    assert_true(arc_geo_valid(90.0, -180.0));
    assert_false(arc_geo_valid(90.1, 0.0));
    assert_false(arc_geo_valid(0.0, 180.5));
    assert_false(arc_geo_valid(NAN, 0.0));
}

static void equinox_noon_on_the_equator_is_overhead(void **state)
{
    /* Solar noon at longitude 0 on the equinox is near 12:07 UTC. */
    int64_t t = EQUINOX_DAY_US + (12 * 3600 + 7 * 60) * ARC_US_PER_S;

    (void)state;
    assert_true(arc_sun_elevation_deg(0.0, 0.0, t) > 88.5);
}

static void equinox_noon_elevation_is_ninety_minus_latitude(void **state)
{
    /* Oak Ridge, TN: solar noon near 17:45 UTC; 90 - 35.9 = 54.1. */
    int64_t t = EQUINOX_DAY_US + (17 * 3600 + 45 * 60) * ARC_US_PER_S;
    double elev = arc_sun_elevation_deg(35.93, -84.31, t);

    (void)state;
    assert_true(fabs(elev - 54.1) < 1.0);
}

static void local_midnight_is_below_the_horizon(void **state)
{
    /* Phoenix at 07:00 UTC is midnight local time. */
    int64_t t = EQUINOX_DAY_US + 7 * 3600 * ARC_US_PER_S;

    (void)state;
    assert_true(arc_sun_elevation_deg(33.45, -112.07, t) < -30.0);
}

static void summer_noon_is_higher_than_winter_noon(void **state)
{
    int64_t june = 1718884800LL * ARC_US_PER_S + 5 * 3600 * ARC_US_PER_S;
    int64_t dec = 1734782400LL * ARC_US_PER_S + 5 * 3600 * ARC_US_PER_S;

    (void)state;
    /* 2024-06-20 and 2024-12-21, 17:00 UTC, Chicago. */
    assert_true(arc_sun_elevation_deg(41.88, -87.63, june) >
                arc_sun_elevation_deg(41.88, -87.63, dec) + 40.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(los_angeles_to_new_york_is_about_3940_km),
        cmocka_unit_test(distance_is_symmetric_and_zero_to_itself),
        cmocka_unit_test(unit_vector_distance_matches_the_haversine),
        cmocka_unit_test(unit_vector_matches_the_library_trigonometry),
        cmocka_unit_test(rtt_grows_with_distance_from_a_fixed_base),
        cmocka_unit_test(zones_split_by_longitude),
        cmocka_unit_test(central_spills_east_first_and_west_second),
        cmocka_unit_test(validity_rejects_out_of_range_and_nan),
        cmocka_unit_test(equinox_noon_on_the_equator_is_overhead),
        cmocka_unit_test(equinox_noon_elevation_is_ninety_minus_latitude),
        cmocka_unit_test(local_midnight_is_below_the_horizon),
        cmocka_unit_test(summer_noon_is_higher_than_winter_noon),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
