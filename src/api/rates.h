/*
 * rates.h - per-zone request rate and latency percentiles over the last
 * minute of simulated time.
 *
 * The mesh keeps what a zone *is* (nodes, GPUs, power); this keeps what
 * a zone *does*: served requests per second and their p50/p99 end-to-end
 * latency. Each zone has a ring of one-second slots, each holding a
 * count and a latency histogram with bins a quarter of a power of two
 * wide (1 ms to about 65 s, about 19% resolution), so recording is O(1)
 * and a query reads a fixed 60 x 64 counters, whatever the load.
 *
 * One thread owns a rates table (the daemon's event loop). Plain value,
 * no allocation.
 */
#ifndef ARC_API_RATES_H
#define ARC_API_RATES_H

#include <stdint.h>

#include "core/types.h"

#define ARC_RATES_SLOTS 60 /* seconds of history */
#define ARC_RATES_BINS 64  /* latency bins */

typedef struct arc_rates_slot {
    int64_t second;                 /* which second it counts; -1: none */
    uint32_t count;                 /* requests served in it */
    uint32_t bins[ARC_RATES_BINS];  /* their latencies */
} arc_rates_slot_t;

typedef struct arc_rates {
    arc_rates_slot_t slot[ARC_ZONE_COUNT][ARC_RATES_SLOTS];
} arc_rates_t;

/* One zone's figures over the window. */
typedef struct arc_zone_rates {
    double req_per_s; /* served per second over the window */
    double p50_ms;    /* 0 when nothing was served */
    double p99_ms;
} arc_zone_rates_t;

void arc_rates_init(arc_rates_t *r);

/* Records one served request finishing at `now_us` after `latency_ms`. */
void arc_rates_record(arc_rates_t *r, arc_zone_t zone, int64_t now_us,
                      double latency_ms);

/* The zone's figures over the minute ending at `now_us`. */
void arc_rates_get(const arc_rates_t *r, arc_zone_t zone, int64_t now_us,
                   arc_zone_rates_t *out);

#endif
