/*
 * physics.h - the energy of one simulated site, tick by tick: what its
 * GPUs draw, what its sun, wind, gas engine, battery and grid supply, and
 * the carbon intensity of the mix.
 *
 * One idea: dispatch in a fixed merit order - co-located solar and wind
 * first, then the gas engine, then the battery while it is above its
 * reserve, then the grid - and let the battery carry the carbon of what
 * charged it (renewable surplus only, after round-trip losses). The
 * node's reported source is the largest contributor of the tick; its
 * intensity is the mix-weighted one. Solar is calibrated per site to a
 * regional annual capacity factor, wind is an Ornstein-Uhlenbeck wind
 * speed through a turbine power curve, calibrated to a regional capacity
 * factor. Figures and sources: docs/protocol/simulation.md.
 *
 * Threads: none; the engine's thread steps every site. Memory: plain
 * values, owned by the caller.
 */
#ifndef ARC_SIM_PHYSICS_H
#define ARC_SIM_PHYSICS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/types.h"
#include "sim/rng.h"
#include "sim/sites.h"

/* NVIDIA H100 SXM: 700 W board power at full load; ~100 W idle. */
#define ARC_SIM_GPU_PEAK_W 700.0
#define ARC_SIM_GPU_IDLE_W 100.0
/* CPUs, memory, network and fans of the server, per GPU. */
#define ARC_SIM_SERVER_W_PER_GPU 200.0
#define ARC_SIM_PUE 1.3

/* Li-ion battery: NREL ATB round-trip efficiency, 4-hour rating. */
#define ARC_SIM_BATTERY_RTE 0.85
#define ARC_SIM_BATTERY_HOURS 4.0

/* Turbine power curve, m/s. */
#define ARC_SIM_WIND_CUT_IN 3.0
#define ARC_SIM_WIND_RATED 12.0
#define ARC_SIM_WIND_CUT_OUT 25.0
#define ARC_SIM_WIND_TAU_H 8.0      /* correlation time of wind speed */
#define ARC_SIM_WIND_SD_RATIO 0.45  /* speed s.d. / mean */

/* One simulated site's physics, scaled to the GPUs it runs. */
typedef struct arc_site_sim {
    /* constants */
    double solar_kw, wind_kw, gas_kw, battery_kwh; /* scaled */
    double grid_g_per_kwh;
    double solar_derate;   /* calibrated: annual CF hits the target */
    double wind_mean_ms;   /* calibrated OU mean speed */
    double reserve;        /* battery soc it keeps */
    uint32_t gpus;
    uint32_t key;          /* seeds the site's weather */

    /* state */
    double wind_ms;
    double soc;              /* 0..1 */
    double stored_g_per_kwh; /* carbon of the energy in the battery */

    /* results of the last tick */
    double load_kw;
    double supply_kw[ARC_SOURCE_COUNT];
    double carbon_g_per_kwh;
    arc_energy_source_t source;
    bool depleted;   /* fell to its reserve this tick and used the grid */
    bool armed;      /* a depletion may be counted (re-armed once the
                        battery is back above reserve + 5%) */
} arc_site_sim_t;

/* Target annual capacity factors of the site's region (AC). */
double arc_physics_solar_cf_target(const arc_site_t *site);
double arc_physics_wind_cf_target(const arc_site_t *site);

/* Mean of max(0, sin(sun elevation)) over a year at a latitude. */
double arc_physics_mean_sun(double lat);

/* Wind turbine output per unit of nameplate at speed v (m/s). */
double arc_physics_power_curve(double v);

/* The OU mean speed whose long-run capacity factor is `cf`. */
double arc_physics_wind_mean_for_cf(double cf);

/*
 * Sets up a site with `gpus` GPUs (generation and battery scaled by
 * gpus / site->gpus), calibrated, battery at `soc`, weather seeded from
 * (seed, key). `mean_sun` is arc_physics_mean_sun(site->lat) and
 * `wind_mean` arc_physics_wind_mean_for_cf(arc_physics_wind_cf_target
 * (site)), passed in so that replicas of one site share the work.
 */
void arc_physics_init(arc_site_sim_t *s, const arc_site_t *site,
                      uint32_t gpus, double soc, double mean_sun,
                      double wind_mean, uint64_t seed, uint32_t key);

/* Power a site draws at GPU utilisation util (0..1), kW. */
double arc_physics_load_kw(uint32_t gpus, double util);

/* Solar output at a point and time, kW (weather from seed and key). */
double arc_physics_solar_kw(const arc_site_sim_t *s, double lat,
                            double lon, int64_t utc_us, uint64_t seed);

/*
 * Advances the site by dt_s seconds ending at utc_us while it draws
 * load_kw (arc_physics_load_kw, or 0 while it is down): moves the wind,
 * dispatches the sources, charges or discharges the battery, and fills
 * the tick's results.
 */
void arc_physics_step(arc_site_sim_t *s, arc_rng_t *weather, double lat,
                      double lon, int64_t utc_us, double dt_s,
                      double load_kw, uint64_t seed);

/* The dispatch alone, for given renewable output (used by the step). */
void arc_physics_dispatch(arc_site_sim_t *s, double solar_kw,
                          double wind_kw, double load_kw, double dt_s);

#endif
