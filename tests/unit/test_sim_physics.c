/*
 * test_sim_physics.c - the simulated sites' physics: the sun's position,
 * solar and wind output, battery charging and its carbon, the fall back
 * to the grid, and the merit order that picks a node's energy source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "core/geo.h"
#include "sim/carbon.h"
#include "sim/physics.h"
#include "sim/rng.h"

/* 2026-06-21 and 2026-12-21, 00:00 UTC. */
#define JUNE_21_US 1782000000000000LL
#define DEC_21_US 1797811200000000LL
#define HOUR_US (3600LL * ARC_US_PER_S)

static arc_site_t test_site(double solar, double wind, double gas,
                            double battery)
{
    arc_site_t s;

    memset(&s, 0, sizeof(s));
    memcpy(s.id, "w-test", 7);
    memcpy(s.grid_region, "AZNM", 5);
    s.zone = ARC_ZONE_WEST;
    s.lat = 33.448;
    s.lon = -112.074;
    arc_sim_grid_intensity("AZNM", &s.grid_g_per_kwh);
    s.solar_kw = solar;
    s.wind_kw = wind;
    s.gas_kw = gas;
    s.battery_kwh = battery;
    s.gpus = 640;
    return s;
}

static void sun_is_high_at_solar_noon_on_the_solstice(void **state)
{
    /* Phoenix, solar noon ~19:30 UTC: 90 - (33.45 - 23.44) = ~80 deg. */
    double e = arc_sun_elevation_deg(33.448, -112.074,
                                     JUNE_21_US + 19 * HOUR_US +
                                         30 * 60 * ARC_US_PER_S);
    (void)state;
    assert_true(fabs(e - 80.0) < 1.5);
}

static void sun_is_low_at_winter_noon_and_below_horizon_at_night(void **s)
{
    /* Boston at solar noon (~16:45 UTC) in December: 90-42.4-23.4 ~ 24. */
    double noon = arc_sun_elevation_deg(42.36, -71.06,
                                        DEC_21_US + 16 * HOUR_US +
                                            45 * 60 * ARC_US_PER_S);
    double night = arc_sun_elevation_deg(42.36, -71.06,
                                         DEC_21_US + 5 * HOUR_US);
    (void)s;
    assert_true(fabs(noon - 24.2) < 1.5);
    assert_true(night < 0.0);
}

static void solar_is_zero_at_night_and_positive_at_noon(void **state)
{
    arc_site_t site = test_site(2400, 0, 0, 0);
    arc_site_sim_t s;
    double sun = arc_physics_mean_sun(site.lat);

    (void)state;
    arc_physics_init(&s, &site, 640, 0.5, sun, 8.0, 1, 1);
    assert_true(arc_physics_solar_kw(&s, site.lat, site.lon,
                                     JUNE_21_US + 7 * HOUR_US, 1) == 0.0);
    assert_true(arc_physics_solar_kw(&s, site.lat, site.lon,
                                     JUNE_21_US + 19 * HOUR_US, 1) > 500.0);
    assert_true(arc_physics_solar_kw(&s, site.lat, site.lon,
                                     JUNE_21_US + 19 * HOUR_US, 1) <=
                2400.0);
}

static double solar_year_cf(const arc_site_t *site)
{
    arc_site_sim_t s;
    double sum = 0.0;
    int n = 0;

    arc_physics_init(&s, site, site->gpus, 0.5,
                     arc_physics_mean_sun(site->lat), 8.0, 7, 3);
    for (int64_t h = 0; h < 365 * 24; h++) {
        int64_t t = 1767225600000000LL + h * HOUR_US + HOUR_US / 2;
        sum += arc_physics_solar_kw(&s, site->lat, site->lon, t, 7);
        n++;
    }
    return sum / n / site->solar_kw;
}

static void solar_capacity_factor_matches_the_region(void **state)
{
    arc_site_t phoenix = test_site(2400, 0, 0, 0);
    arc_site_t boston = test_site(2400, 0, 0, 0);
    double sw, ne;

    (void)state;
    memcpy(boston.grid_region, "NEWE", 5);
    boston.lat = 42.36;
    boston.lon = -71.06;
    sw = solar_year_cf(&phoenix);
    ne = solar_year_cf(&boston);
    assert_true(sw > 0.24 && sw < 0.29);
    assert_true(ne > 0.16 && ne < 0.20);
    assert_true(sw > ne);
}

static void wind_capacity_factor_is_higher_on_the_plains(void **state)
{
    arc_site_t plains = test_site(0, 2000, 0, 0);
    arc_site_t east = test_site(0, 2000, 0, 0);
    double cf[2];
    const arc_site_t *sites[2] = {&plains, &east};

    (void)state;
    memcpy(plains.grid_region, "SPSO", 5);
    memcpy(east.grid_region, "RFCE", 5);
    for (int k = 0; k < 2; k++) {
        arc_site_sim_t s;
        arc_rng_t rng;
        double sum = 0.0;
        double mean = arc_physics_wind_mean_for_cf(
            arc_physics_wind_cf_target(sites[k]));
        arc_physics_init(&s, sites[k], 640, 0.5, 0.3, mean, 5, 9);
        arc_rng_seed(&rng, 5, 9);
        for (int i = 0; i < 2 * 365 * 24; i++) {
            arc_physics_step(&s, &rng, 35.0, -100.0, JUNE_21_US, 3600.0,
                             0.0, 5);
            sum += s.wind_kw * arc_physics_power_curve(s.wind_ms);
        }
        cf[k] = sum / (2 * 365 * 24) / s.wind_kw;
    }
    assert_true(cf[0] > 0.35 && cf[0] < 0.45);
    assert_true(cf[1] > 0.24 && cf[1] < 0.32);
}

static void battery_charges_from_surplus_with_its_carbon(void **state)
{
    arc_site_t site = test_site(2400, 0, 0, 1000);
    arc_site_sim_t s;

    (void)state;
    arc_physics_init(&s, &site, 640, 0.5, 0.3, 8.0, 1, 1);
    s.stored_g_per_kwh = 400.0; /* pretend it held dirtier energy */
    arc_physics_dispatch(&s, 1000.0, 0.0, 400.0, 3600.0);

    /* 600 kW surplus for an hour, capped at the 4-hour rate (250 kW),
     * 85% of it stored: +212.5 kWh. */
    assert_true(fabs(s.soc - (0.5 + 212.5 / 1000.0)) < 1e-6);
    assert_true(s.stored_g_per_kwh < 400.0);
    assert_true(s.source == ARC_SOURCE_SOLAR);
    assert_true(fabs(s.carbon_g_per_kwh - ARC_SIM_SOLAR_G_PER_KWH) < 1e-6);
}

static void battery_carries_the_carbon_of_its_charge(void **state)
{
    arc_site_t site = test_site(0, 2000, 0, 1000);
    arc_site_sim_t s;
    double expect = ARC_SIM_WIND_G_PER_KWH / ARC_SIM_BATTERY_RTE;

    (void)state;
    arc_physics_init(&s, &site, 640, 0.21, 0.3, 8.0, 1, 1);
    s.stored_g_per_kwh = expect;
    arc_physics_dispatch(&s, 0.0, 1000.0, 100.0, 3600.0); /* charge */
    assert_true(fabs(s.stored_g_per_kwh - expect) < 1e-6);

    arc_physics_dispatch(&s, 0.0, 0.0, 100.0, 60.0); /* discharge */
    assert_int_equal(s.source, ARC_SOURCE_BATTERY);
    assert_true(fabs(s.carbon_g_per_kwh - expect) < 1e-6);
}

static void site_falls_back_to_grid_below_reserve(void **state)
{
    arc_site_t site = test_site(0, 0, 0, 1000);
    arc_site_sim_t s;
    int ticks = 0;

    (void)state;
    arc_physics_init(&s, &site, 640, 0.3, 0.3, 8.0, 1, 1);
    while (s.source == ARC_SOURCE_BATTERY || ticks == 0) {
        arc_physics_dispatch(&s, 0.0, 0.0, 300.0, 60.0);
        if (s.depleted)
            break;
        ticks++;
        assert_true(ticks < 1000);
    }
    assert_true(s.depleted);
    assert_true(fabs(s.soc - s.reserve) < 1e-9);

    arc_physics_dispatch(&s, 0.0, 0.0, 300.0, 60.0);
    assert_int_equal(s.source, ARC_SOURCE_GRID);
    assert_true(fabs(s.carbon_g_per_kwh - site.grid_g_per_kwh) < 1e-6);
    assert_false(s.depleted); /* counted once, not every tick */
}

static void merit_order_is_renewables_gas_battery_grid(void **state)
{
    arc_site_t site = test_site(100, 0, 200, 1000);
    arc_site_sim_t s;

    (void)state;
    arc_physics_init(&s, &site, 640, 0.9, 0.3, 8.0, 1, 1);
    arc_physics_dispatch(&s, 100.0, 0.0, 600.0, 60.0);
    assert_true(fabs(s.supply_kw[ARC_SOURCE_SOLAR] - 100.0) < 1e-9);
    assert_true(fabs(s.supply_kw[ARC_SOURCE_GAS] - 200.0) < 1e-9);
    assert_true(fabs(s.supply_kw[ARC_SOURCE_BATTERY] - 250.0) < 1e-9);
    assert_true(fabs(s.supply_kw[ARC_SOURCE_GRID] - 50.0) < 1e-9);
    assert_int_equal(s.source, ARC_SOURCE_BATTERY);
}

static void gas_carries_the_epa_emission_factor(void **state)
{
    arc_site_t site = test_site(0, 0, 1000, 0);
    arc_site_sim_t s;

    (void)state;
    arc_physics_init(&s, &site, 640, 0.0, 0.3, 8.0, 1, 1);
    arc_physics_dispatch(&s, 0.0, 0.0, 500.0, 60.0);
    assert_int_equal(s.source, ARC_SOURCE_GAS);
    assert_true(fabs(s.carbon_g_per_kwh - 504.07) < 0.01);
}

static void power_draw_follows_utilisation(void **state)
{
    (void)state;
    /* 640 GPUs: idle (100 + 200) W * 1.3, full (700 + 200) W * 1.3. */
    assert_true(fabs(arc_physics_load_kw(640, 0.0) - 249.6) < 1e-6);
    assert_true(fabs(arc_physics_load_kw(640, 1.0) - 748.8) < 1e-6);
    assert_true(arc_physics_load_kw(640, 1.0) < 1000.0);
}

static void unknown_grid_region_is_not_found(void **state)
{
    double g;

    (void)state;
    assert_int_equal(arc_sim_grid_intensity("XXXX", &g), ARC_ERR_NOT_FOUND);
    assert_int_equal(arc_sim_grid_intensity("CAMX", &g), ARC_OK);
    assert_true(g > 200.0 && g < 250.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sun_is_high_at_solar_noon_on_the_solstice),
        cmocka_unit_test(
            sun_is_low_at_winter_noon_and_below_horizon_at_night),
        cmocka_unit_test(solar_is_zero_at_night_and_positive_at_noon),
        cmocka_unit_test(solar_capacity_factor_matches_the_region),
        cmocka_unit_test(wind_capacity_factor_is_higher_on_the_plains),
        cmocka_unit_test(battery_charges_from_surplus_with_its_carbon),
        cmocka_unit_test(battery_carries_the_carbon_of_its_charge),
        cmocka_unit_test(site_falls_back_to_grid_below_reserve),
        cmocka_unit_test(merit_order_is_renewables_gas_battery_grid),
        cmocka_unit_test(gas_carries_the_epa_emission_factor),
        cmocka_unit_test(power_draw_follows_utilisation),
        cmocka_unit_test(unknown_grid_region_is_not_found),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
