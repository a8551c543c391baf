/*
 * workload.h - the built-in stream of inference requests: where they come
 * from, when, how urgent, for which model and how large.
 *
 * One idea: a non-homogeneous Poisson process per US metropolitan area,
 * weighted by population, whose rate follows a daily curve in the area's
 * local (solar) time, peaking at 17:00 and lowest at 05:00. Arrivals are
 * drawn by thinning: candidates at the all-peak rate, each kept with the
 * probability of its city's present share of the peak. Origins are
 * jittered around the city centre. Priority mix 10% critical, 60% normal,
 * 30% background; the model mix favours small models; output tokens are
 * log-normal (median 250). Deadlines: service + 2 s (critical), + 30 s
 * (normal), + 4 h (background).
 *
 * Threads: none. Memory: a plain value owned by the caller.
 */
#ifndef ARC_SIM_WORKLOAD_H
#define ARC_SIM_WORKLOAD_H

#include <stdint.h>

#include "core/types.h"
#include "sim/rng.h"

#define ARC_SIM_METRO_MAX 64

typedef struct arc_workload {
    arc_rng_t rng;
    double metro_cum[ARC_SIM_METRO_MAX]; /* cumulative population */
    double metro_total;
    double rate_per_s;   /* candidate rate: every city at its peak */
    int64_t now_us;      /* time of the last arrival */
    uint64_t next_id;
    double model_cum[ARC_MAX_MODELS]; /* cumulative model mix */
    uint32_t model_count;
} arc_workload_t;

/* Deadline slack after the expected service time, per priority. */
#define ARC_SIM_SLACK_CRITICAL_US (2 * ARC_US_PER_S)
#define ARC_SIM_SLACK_NORMAL_US (30 * ARC_US_PER_S)
#define ARC_SIM_SLACK_BACKGROUND_US (4 * 3600 * ARC_US_PER_S)

/*
 * Starts a workload at `start_us` whose candidate rate (all areas at
 * their daily peak) is `peak_rate_per_s` requests per second. Request ids
 * start at first_id. Models needing more than `max_gpus` GPUs (which no
 * site could hold) are left out of the mix.
 */
void arc_workload_init(arc_workload_t *w, uint64_t seed,
                       double peak_rate_per_s, int64_t start_us,
                       uint64_t first_id, uint32_t max_gpus);

/* Draws the next request (arrival_us strictly after the previous one). */
void arc_workload_next(arc_workload_t *w, arc_request_t *out);

/* The daily curve in local hours (0..24): 1 at 17:00, 0.2 at 05:00. */
double arc_workload_daily(double local_hour);

/* Largest population-weighted daily factor over a day (0..1]. */
double arc_workload_peak_factor(void);

/* Mean GPU-seconds per request of the mix (fixed-seed estimate). */
double arc_workload_mean_gpu_seconds(uint32_t max_gpus);

/*
 * The candidate rate that brings `gpus` GPUs (sites of at most max_gpus)
 * to `util` utilisation at the mesh's daily peak.
 */
double arc_workload_rate_for(uint32_t gpus, uint32_t max_gpus, double util);

/* Deadline of a request with the given priority and service time. */
int64_t arc_workload_deadline(int64_t arrival_us, uint8_t priority,
                              int64_t service_us);

#endif
