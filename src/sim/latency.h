/*
 * latency.h - a fixed-size log histogram of latencies, for percentiles
 * over millions of samples in constant memory.
 *
 * One idea: bins 1% wide on a log scale from 0.1 ms to about 28 hours,
 * so any percentile is exact to within 1% and adding a sample is O(1).
 * Threads: none. Memory: a plain value.
 */
#ifndef ARC_SIM_LATENCY_H
#define ARC_SIM_LATENCY_H

#include <stdint.h>

#define ARC_LATENCY_BINS 2000

typedef struct arc_latency {
    uint64_t count;
    uint64_t bins[ARC_LATENCY_BINS];
} arc_latency_t;

void arc_latency_add(arc_latency_t *h, double ms);

/* The q-quantile (0..1) in ms; 0 when empty. */
double arc_latency_quantile(const arc_latency_t *h, double q);

#endif
