/*
 * workload.c - population centres, the daily curve, and request draws.
 *
 * Populations are 2020 US Census metropolitan statistical areas, in
 * millions; only their ratios matter.
 */
#include "sim/workload.h"

#include <math.h>
#include <string.h>

typedef struct metro {
    double lat, lon, pop_m;
} metro_t;

static const metro_t metros[] = {
    {40.713, -74.006, 20.1},  {34.052, -118.244, 13.2},
    {41.878, -87.630, 9.6},   {32.777, -96.797, 7.6},
    {29.760, -95.370, 7.1},   {38.907, -77.037, 6.4},
    {39.953, -75.165, 6.2},   {25.762, -80.192, 6.1},
    {33.749, -84.388, 6.1},   {42.360, -71.058, 4.9},
    {33.448, -112.074, 4.8},  {37.775, -122.419, 4.7},
    {33.953, -117.396, 4.6},  {42.331, -83.046, 4.4},
    {47.606, -122.332, 4.0},  {44.978, -93.265, 3.7},
    {32.716, -117.161, 3.3},  {27.951, -82.457, 3.2},
    {39.739, -104.990, 3.0},  {39.290, -76.612, 2.8},
    {38.627, -90.199, 2.8},   {28.538, -81.379, 2.7},
    {35.227, -80.843, 2.7},   {29.424, -98.494, 2.6},
    {45.515, -122.679, 2.5},  {38.582, -121.494, 2.4},
    {40.441, -79.996, 2.4},   {30.267, -97.743, 2.3},
    {36.170, -115.140, 2.3},  {39.103, -84.512, 2.3},
    {39.100, -94.578, 2.2},   {39.961, -82.999, 2.1},
    {39.768, -86.158, 2.1},   {41.499, -81.694, 2.1},
    {37.338, -121.886, 2.0},  {36.163, -86.781, 2.0},
    {36.853, -75.978, 1.8},   {41.824, -71.413, 1.7},
    {30.332, -81.656, 1.6},   {43.039, -87.906, 1.6},
    {35.780, -78.639, 1.4},   {35.468, -97.516, 1.4},
    {35.150, -90.049, 1.3},   {40.761, -111.891, 1.3},
    {38.253, -85.759, 1.3},   {29.951, -90.072, 1.3},
    {32.222, -110.975, 1.0},  {41.257, -95.935, 1.0},
    {35.084, -106.650, 0.9},  {43.615, -116.202, 0.8},
};

#define METRO_COUNT (sizeof(metros) / sizeof(metros[0]))
#define ORIGIN_SD_DEG 0.25
#define TOKENS_MEDIAN 250.0
#define TOKENS_SIGMA 0.8
#define TOKENS_MIN 16
#define TOKENS_MAX 4096
#define MIX_SAMPLES 20000
#define MIX_SEED 0x6d6978ULL

/* Model mix by name; a name not in the catalogue is skipped. */
typedef struct mix_entry {
    const char *model;
    double share;
} mix_entry_t;

static const mix_entry_t model_mix[] = {
    {"llama-3.1-8b", 0.40},  {"mistral-7b", 0.20},
    {"mixtral-8x7b", 0.12},  {"llama-3.1-70b", 0.15},
    {"llama-3.1-405b", 0.03}, {"whisper-large-v3", 0.10},
};

_Static_assert(METRO_COUNT <= ARC_SIM_METRO_MAX, "metro table too big");

static void init_metros(arc_workload_t *w)
{
    double sum = 0.0;

    for (size_t i = 0; i < METRO_COUNT; i++) {
        sum += metros[i].pop_m;
        w->metro_cum[i] = sum;
    }
    w->metro_total = sum;
}

double arc_workload_daily(double local_hour)
{
    return 0.6 + 0.4 * cos(2.0 * M_PI * (local_hour - 17.0) / 24.0);
}

static double local_hour(double lon, int64_t utc_us)
{
    double h = fmod((double)utc_us / 3.6e9 + lon / 15.0, 24.0);

    return h < 0.0 ? h + 24.0 : h;
}

double arc_workload_peak_factor(void)
{
    double best = 0.0, total = 0.0;

    for (size_t i = 0; i < METRO_COUNT; i++)
        total += metros[i].pop_m;
    for (int minute = 0; minute < 24 * 60; minute += 5) {
        int64_t t = (int64_t)minute * 60 * ARC_US_PER_S;
        double f = 0.0;
        for (size_t i = 0; i < METRO_COUNT; i++)
            f += metros[i].pop_m * arc_workload_daily(
                                       local_hour(metros[i].lon, t));
        best = fmax(best, f / total);
    }
    return best;
}

static void init_models(arc_workload_t *w, uint32_t max_gpus)
{
    double sum = 0.0;
    uint32_t id;

    w->model_count = arc_model_count() < ARC_MAX_MODELS ? arc_model_count()
                                                        : ARC_MAX_MODELS;
    memset(w->model_cum, 0, sizeof(w->model_cum));
    for (size_t i = 0; i < ARC_ARRAY_LEN(model_mix); i++) {
        if (arc_model_find(model_mix[i].model, &id) == ARC_OK &&
            id < w->model_count && arc_model_get(id)->gpus <= max_gpus)
            w->model_cum[id] = model_mix[i].share;
    }
    for (uint32_t m = 0; m < w->model_count; m++) {
        sum += w->model_cum[m];
        w->model_cum[m] = sum;
    }
    for (uint32_t m = 0; m < w->model_count && sum > 0.0; m++)
        w->model_cum[m] /= sum;
}

void arc_workload_init(arc_workload_t *w, uint64_t seed,
                       double peak_rate_per_s, int64_t start_us,
                       uint64_t first_id, uint32_t max_gpus)
{
    memset(w, 0, sizeof(*w));
    init_metros(w);
    init_models(w, max_gpus);
    arc_rng_seed(&w->rng, seed, 0x574f524bULL);
    w->rate_per_s = peak_rate_per_s;
    w->now_us = start_us;
    w->next_id = first_id;
}

static uint32_t pick_model(arc_workload_t *w)
{
    double u = arc_rng_double(&w->rng);

    for (uint32_t m = 0; m < w->model_count; m++) {
        if (u < w->model_cum[m])
            return m;
    }
    return 0;
}

static uint8_t pick_priority(arc_workload_t *w)
{
    double u = arc_rng_double(&w->rng);

    if (u < 0.10)
        return ARC_PRIO_CRITICAL;
    return u < 0.70 ? ARC_PRIO_NORMAL : ARC_PRIO_BACKGROUND;
}

static uint32_t pick_tokens(arc_workload_t *w)
{
    double t = TOKENS_MEDIAN * exp(TOKENS_SIGMA * arc_rng_normal(&w->rng));

    return (uint32_t)fmin(TOKENS_MAX, fmax(TOKENS_MIN, t));
}

static size_t pick_metro(arc_workload_t *w)
{
    double u = arc_rng_double(&w->rng) * w->metro_total;
    size_t lo = 0, hi = METRO_COUNT - 1;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->metro_cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int64_t arc_workload_deadline(int64_t arrival_us, uint8_t priority,
                              int64_t service_us)
{
    static const int64_t slack[ARC_PRIO_COUNT] = {
        ARC_SIM_SLACK_CRITICAL_US, ARC_SIM_SLACK_NORMAL_US,
        ARC_SIM_SLACK_BACKGROUND_US,
    };

    return arrival_us + service_us +
           slack[priority < ARC_PRIO_COUNT ? priority : ARC_PRIO_NORMAL];
}

/* Fills everything but the arrival time. */
static void draw_request(arc_workload_t *w, const metro_t *c,
                         arc_request_t *out)
{
    memset(out, 0, sizeof(*out));
    out->id = w->next_id++;
    out->lat = c->lat + ORIGIN_SD_DEG * arc_rng_normal(&w->rng);
    out->lon = c->lon + ORIGIN_SD_DEG * arc_rng_normal(&w->rng);
    out->priority = pick_priority(w);
    out->model = pick_model(w);
    out->tokens = pick_tokens(w);
}

void arc_workload_next(arc_workload_t *w, arc_request_t *out)
{
    const metro_t *c;
    int64_t gap;

    for (;;) {
        gap = (int64_t)(arc_rng_exp(&w->rng, 1.0 / w->rate_per_s) * 1e6);
        w->now_us += gap > 0 ? gap : 1;
        c = &metros[pick_metro(w)];
        if (arc_rng_double(&w->rng) <
            arc_workload_daily(local_hour(c->lon, w->now_us)))
            break;
    }
    draw_request(w, c, out);
    out->arrival_us = w->now_us;
    out->deadline_us = arc_workload_deadline(
        w->now_us, out->priority,
        arc_model_service_us(out->model, out->tokens));
}

double arc_workload_mean_gpu_seconds(uint32_t max_gpus)
{
    arc_workload_t w;
    arc_request_t r;
    double sum = 0.0;

    arc_workload_init(&w, MIX_SEED, 1.0, 0, 1, max_gpus);
    for (int i = 0; i < MIX_SAMPLES; i++) {
        draw_request(&w, &metros[0], &r);
        sum += arc_model_get(r.model)->gpus *
               (double)arc_model_service_us(r.model, r.tokens) / 1e6;
    }
    return sum / MIX_SAMPLES;
}

double arc_workload_rate_for(uint32_t gpus, uint32_t max_gpus, double util)
{
    return util * gpus / (arc_workload_mean_gpu_seconds(max_gpus) *
                          arc_workload_peak_factor());
}
