/*
 * latency.c - the log histogram: bin i holds [0.1 * 1.01^i, 0.1 *
 * 1.01^(i+1)) ms; a quantile reports the geometric middle of its bin.
 */
#include "sim/latency.h"

#include <math.h>

#define BASE_MS 0.1
#define GROWTH 1.01

void arc_latency_add(arc_latency_t *h, double ms)
{
    double x = ms > BASE_MS ? log(ms / BASE_MS) / log(GROWTH) : 0.0;
    uint32_t bin = x < ARC_LATENCY_BINS - 1 ? (uint32_t)x
                                            : ARC_LATENCY_BINS - 1;

    h->bins[bin]++;
    h->count++;
}

double arc_latency_quantile(const arc_latency_t *h, double q)
{
    uint64_t rank, seen = 0;

    if (h->count == 0)
        return 0.0;
    q = q < 0.0 ? 0.0 : (q > 1.0 ? 1.0 : q);
    rank = (uint64_t)ceil(q * (double)h->count);
    if (rank == 0)
        rank = 1;

    for (uint32_t i = 0; i < ARC_LATENCY_BINS; i++) {
        seen += h->bins[i];
        if (seen >= rank)
            return BASE_MS * pow(GROWTH, i + 0.5);
    }
    return BASE_MS * pow(GROWTH, ARC_LATENCY_BINS);
}
