/*
 * physics.c - solar, wind, gas, battery and grid for one simulated site.
 *
 * Solar: nameplate * max(0, sin(sun elevation)) * a calibrated factor *
 * the day's clear-sky fraction, clipped at nameplate. The factor stands
 * for tracking gain, DC/AC ratio and system losses together; it is set so
 * the annual capacity factor matches the region's. Wind: an
 * Ornstein-Uhlenbeck speed (mean, s.d. 0.45 of it, 8 h correlation)
 * through a cubic power curve; the mean is solved so the long-run
 * capacity factor matches the region's.
 */
#include "sim/physics.h"

#include <math.h>
#include <string.h>

#include "core/geo.h"
#include "sim/carbon.h"

#define CLOUD_DEPTH 0.7           /* clear fraction = 1 - 0.7 u^2 */
#define CLOUD_MEAN (1.0 - CLOUD_DEPTH / 3.0)
#define YEAR_START_US 1767225600000000LL /* 2026-01-01 00:00 UTC */
#define EPS 1e-9
#define REARM 0.05

static bool in(const char *region, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(region, list[i]) == 0)
            return true;
    }
    return false;
}

double arc_physics_solar_cf_target(const arc_site_t *site)
{
    static const char *const sw[] = {"AZNM", "CAMX"};
    static const char *const south[] = {"ERCT", "SPSO", "RMPA"};
    static const char *const se[] = {"FRCC", "SRSO", "SRMV", "SRTV",
                                      "SRVC"};
    static const char *const plains[] = {"SPNO", "MROW", "MROE", "SRMW"};
    const char *r = site->grid_region;

    if (in(r, sw, 2) || (strcmp(r, "NWPP") == 0 && site->lat < 38.5))
        return site->lat < 36.5 ? 0.27 : 0.24;
    if (in(r, south, 3))
        return 0.24;
    if (strcmp(r, "NWPP") == 0)
        return 0.21;
    if (in(r, se, 5))
        return 0.21;
    if (in(r, plains, 4))
        return 0.20;
    return 0.185; /* the RFC, New York and New England subregions */
}

double arc_physics_wind_cf_target(const arc_site_t *site)
{
    static const char *const plains[] = {"SPSO", "SPNO", "MROW", "RMPA"};
    bool west_texas = strcmp(site->grid_region, "ERCT") == 0 &&
                      site->lon < -98.0;
    bool wyoming = strcmp(site->grid_region, "NWPP") == 0 &&
                   site->lat > 41.0 && site->lon > -111.0;

    if (in(site->grid_region, plains, 4) || west_texas || wyoming)
        return 0.40;
    return 0.28;
}

double arc_physics_mean_sun(double lat)
{
    double sum = 0.0;
    int n = 0;

    /* Every fifth day, every hour (on the half hour), at longitude 0. */
    for (int day = 2; day < 365; day += 5) {
        for (int hour = 0; hour < 24; hour++) {
            int64_t t = YEAR_START_US +
                        ((int64_t)day * 86400 + hour * 3600 + 1800) *
                            ARC_US_PER_S;
            double e = arc_sun_elevation_deg(lat, 0.0, t);
            sum += fmax(0.0, sin(e * M_PI / 180.0));
            n++;
        }
    }
    return sum / n;
}

double arc_physics_power_curve(double v)
{
    double ci3 = pow(ARC_SIM_WIND_CUT_IN, 3);

    if (v < ARC_SIM_WIND_CUT_IN || v >= ARC_SIM_WIND_CUT_OUT)
        return 0.0;
    if (v >= ARC_SIM_WIND_RATED)
        return 1.0;
    return (v * v * v - ci3) / (pow(ARC_SIM_WIND_RATED, 3) - ci3);
}

/* Expected output of the power curve for a normal speed (mean mu). */
static double expected_cf(double mu)
{
    double sd = ARC_SIM_WIND_SD_RATIO * mu;
    double sum = 0.0, wsum = 0.0;

    for (int i = -400; i <= 400; i++) {
        double z = i / 80.0;
        double w = exp(-0.5 * z * z);
        sum += w * arc_physics_power_curve(fmax(0.0, mu + z * sd));
        wsum += w;
    }
    return sum / wsum;
}

double arc_physics_wind_mean_for_cf(double cf)
{
    double lo = 1.0, hi = 20.0;

    for (int i = 0; i < 50; i++) {
        double mid = 0.5 * (lo + hi);
        if (expected_cf(mid) < cf)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

void arc_physics_init(arc_site_sim_t *s, const arc_site_t *site,
                      uint32_t gpus, double soc, double mean_sun,
                      double wind_mean, uint64_t seed, uint32_t key)
{
    double scale = (double)gpus / site->gpus;
    arc_rng_t rng;

    memset(s, 0, sizeof(*s));
    s->solar_kw = site->solar_kw * scale;
    s->wind_kw = site->wind_kw * scale;
    s->gas_kw = site->gas_kw * scale;
    s->battery_kwh = site->battery_kwh * scale;
    s->grid_g_per_kwh = site->grid_g_per_kwh;
    s->solar_derate = mean_sun > EPS ? arc_physics_solar_cf_target(site) /
                                           (mean_sun * CLOUD_MEAN)
                                     : 0.0;
    s->wind_mean_ms = wind_mean;
    s->reserve = 0.2;
    s->gpus = gpus;
    s->key = key;

    arc_rng_seed(&rng, seed, 0x57494e44ULL + key);
    s->wind_ms = fmax(0.0, s->wind_mean_ms *
                               (1.0 + ARC_SIM_WIND_SD_RATIO *
                                          arc_rng_normal(&rng)));
    s->soc = s->battery_kwh > 0 ? soc : 0.0;
    s->armed = s->soc >= s->reserve + REARM;
    s->stored_g_per_kwh = ARC_SIM_SOLAR_G_PER_KWH / ARC_SIM_BATTERY_RTE;
    s->carbon_g_per_kwh = s->grid_g_per_kwh;
    s->source = ARC_SOURCE_GRID;
}

double arc_physics_load_kw(uint32_t gpus, double util)
{
    double u = fmin(1.0, fmax(0.0, util));
    double w = ARC_SIM_GPU_IDLE_W +
               u * (ARC_SIM_GPU_PEAK_W - ARC_SIM_GPU_IDLE_W) +
               ARC_SIM_SERVER_W_PER_GPU;

    return gpus * w * ARC_SIM_PUE / 1000.0;
}

double arc_physics_solar_kw(const arc_site_sim_t *s, double lat,
                            double lon, int64_t utc_us, uint64_t seed)
{
    double elev, clear, u, out;
    int64_t local_s;

    if (s->solar_kw <= 0.0)
        return 0.0;
    elev = arc_sun_elevation_deg(lat, lon, utc_us);
    if (elev <= 0.0)
        return 0.0;

    /* One clear-sky fraction per local solar day. */
    local_s = utc_us / ARC_US_PER_S + (int64_t)(lon / 15.0 * 3600.0);
    u = arc_rng_hash_double(seed, s->key,
                            (uint64_t)(local_s / 86400 + 100000));
    clear = 1.0 - CLOUD_DEPTH * u * u;

    out = s->solar_kw * sin(elev * M_PI / 180.0) * s->solar_derate * clear;
    return fmin(out, s->solar_kw);
}

static void step_wind(arc_site_sim_t *s, arc_rng_t *rng, double dt_s)
{
    double phi = exp(-dt_s / (ARC_SIM_WIND_TAU_H * 3600.0));
    double sd = ARC_SIM_WIND_SD_RATIO * s->wind_mean_ms;
    double v = s->wind_mean_ms + (s->wind_ms - s->wind_mean_ms) * phi +
               sd * sqrt(1.0 - phi * phi) * arc_rng_normal(rng);

    s->wind_ms = fmax(0.0, v);
}

/* Stores surplus renewable power; the battery's carbon follows it. */
static void charge(arc_site_sim_t *s, double surplus_kw, double g_per_kwh,
                   double dt_h)
{
    double room, in_kwh, stored_kwh, new_kwh;

    if (s->battery_kwh <= 0.0 || surplus_kw <= 0.0)
        return;
    room = (1.0 - s->soc) * s->battery_kwh;
    in_kwh = fmin(surplus_kw,
                  s->battery_kwh / ARC_SIM_BATTERY_HOURS) * dt_h;
    stored_kwh = fmin(in_kwh * ARC_SIM_BATTERY_RTE, room);
    if (stored_kwh <= 0.0)
        return;

    new_kwh = s->soc * s->battery_kwh + stored_kwh;
    s->stored_g_per_kwh =
        (s->soc * s->battery_kwh * s->stored_g_per_kwh +
         stored_kwh * g_per_kwh / ARC_SIM_BATTERY_RTE) / new_kwh;
    s->soc = fmin(1.0, new_kwh / s->battery_kwh);
}

/* Serves `need_kw` from the battery down to its reserve; returns kW. */
static double discharge(arc_site_sim_t *s, double need_kw, double dt_h)
{
    double avail_kwh, kw;

    if (s->battery_kwh <= 0.0 || need_kw <= 0.0 ||
        s->soc <= s->reserve + EPS)
        return 0.0;
    avail_kwh = (s->soc - s->reserve) * s->battery_kwh;
    kw = fmin(need_kw, s->battery_kwh / ARC_SIM_BATTERY_HOURS);
    kw = fmin(kw, avail_kwh / dt_h);
    s->soc -= kw * dt_h / s->battery_kwh;
    if (s->soc < s->reserve + EPS)
        s->soc = s->reserve;
    return kw;
}

static void mix_results(arc_site_sim_t *s)
{
    const double g[ARC_SOURCE_COUNT] = {
        ARC_SIM_SOLAR_G_PER_KWH, ARC_SIM_WIND_G_PER_KWH,
        ARC_SIM_GAS_G_PER_KWH, s->stored_g_per_kwh, s->grid_g_per_kwh,
    };
    double total = 0.0, grams = 0.0, best = -1.0;

    for (int i = 0; i < ARC_SOURCE_COUNT; i++) {
        total += s->supply_kw[i];
        grams += s->supply_kw[i] * g[i];
        if (s->supply_kw[i] > best + EPS) {
            best = s->supply_kw[i];
            s->source = (arc_energy_source_t)i;
        }
    }
    s->carbon_g_per_kwh = total > EPS ? grams / total : s->grid_g_per_kwh;
}

void arc_physics_dispatch(arc_site_sim_t *s, double solar_kw,
                          double wind_kw, double load_kw, double dt_s)
{
    double dt_h = dt_s / 3600.0;
    double renew = solar_kw + wind_kw;
    double used = fmin(load_kw, renew);
    double rest = load_kw - used;
    double share = renew > EPS ? solar_kw / renew : 0.0;

    if (s->soc >= s->reserve + REARM)
        s->armed = true;
    memset(s->supply_kw, 0, sizeof(s->supply_kw));
    s->load_kw = load_kw;
    s->supply_kw[ARC_SOURCE_SOLAR] = used * share;
    s->supply_kw[ARC_SOURCE_WIND] = used * (1.0 - share);
    charge(s, renew - used,
           share * ARC_SIM_SOLAR_G_PER_KWH +
               (1.0 - share) * ARC_SIM_WIND_G_PER_KWH,
           dt_h);

    s->supply_kw[ARC_SOURCE_GAS] = fmin(rest, s->gas_kw);
    rest -= s->supply_kw[ARC_SOURCE_GAS];
    s->supply_kw[ARC_SOURCE_BATTERY] = discharge(s, rest, dt_h);
    rest -= s->supply_kw[ARC_SOURCE_BATTERY];
    s->supply_kw[ARC_SOURCE_GRID] = fmax(0.0, rest);

    s->depleted = s->armed && s->battery_kwh > 0.0 &&
                  s->soc <= s->reserve + EPS && rest > EPS;
    if (s->depleted)
        s->armed = false;
    mix_results(s);
}

void arc_physics_step(arc_site_sim_t *s, arc_rng_t *weather, double lat,
                      double lon, int64_t utc_us, double dt_s,
                      double load_kw, uint64_t seed)
{
    double solar = arc_physics_solar_kw(s, lat, lon, utc_us, seed);
    double wind = 0.0;

    if (s->wind_kw > 0.0) {
        step_wind(s, weather, dt_s);
        wind = s->wind_kw * arc_physics_power_curve(s->wind_ms);
    }
    arc_physics_dispatch(s, solar, wind, load_kw, dt_s);
}
