/*
 * rates.c - per-zone one-minute rate and latency histogram (see
 * rates.h).
 *
 * Bin i covers latencies up to 2^(i/4) ms; a percentile reports the
 * upper bound of the bin it falls in, so figures err on the slow side.
 */
#include "api/rates.h"

#include <math.h>
#include <string.h>

void arc_rates_init(arc_rates_t *r)
{
    memset(r, 0, sizeof(*r));
    for (int z = 0; z < ARC_ZONE_COUNT; z++) {
        for (int s = 0; s < ARC_RATES_SLOTS; s++) {
            r->slot[z][s].second = -1;
        }
    }
}

static int bin_of(double ms)
{
    double b;

    if (!(ms > 1.0)) {
        return 0;
    }
    b = ceil(log2(ms) * 4.0);
    return b >= ARC_RATES_BINS - 1 ? ARC_RATES_BINS - 1 : (int)b;
}

static double bin_upper_ms(int bin)
{
    return exp2(bin / 4.0);
}

void arc_rates_record(arc_rates_t *r, arc_zone_t zone, int64_t now_us,
                      double latency_ms)
{
    int64_t second = now_us / ARC_US_PER_S;
    arc_rates_slot_t *s;

    if ((unsigned)zone >= ARC_ZONE_COUNT || second < 0) {
        return;
    }
    s = &r->slot[zone][second % ARC_RATES_SLOTS];
    if (s->second != second) {
        memset(s, 0, sizeof(*s));
        s->second = second;
    }
    s->count++;
    s->bins[bin_of(latency_ms)]++;
}

static double percentile(const uint64_t *bins, uint64_t total, double p)
{
    uint64_t want = (uint64_t)ceil(p * (double)total);
    uint64_t seen = 0;

    for (int i = 0; i < ARC_RATES_BINS; i++) {
        seen += bins[i];
        if (seen >= want && seen > 0) {
            return bin_upper_ms(i);
        }
    }
    return 0.0;
}

void arc_rates_get(const arc_rates_t *r, arc_zone_t zone, int64_t now_us,
                   arc_zone_rates_t *out)
{
    int64_t now_s = now_us / ARC_US_PER_S;
    uint64_t bins[ARC_RATES_BINS] = {0};
    uint64_t total = 0;

    memset(out, 0, sizeof(*out));
    if ((unsigned)zone >= ARC_ZONE_COUNT) {
        return;
    }
    for (int i = 0; i < ARC_RATES_SLOTS; i++) {
        const arc_rates_slot_t *s = &r->slot[zone][i];

        if (s->second < 0 || s->second > now_s ||
            s->second <= now_s - ARC_RATES_SLOTS) {
            continue;
        }
        total += s->count;
        for (int b = 0; b < ARC_RATES_BINS; b++) {
            bins[b] += s->bins[b];
        }
    }
    out->req_per_s = (double)total / ARC_RATES_SLOTS;
    out->p50_ms = percentile(bins, total, 0.50);
    out->p99_ms = percentile(bins, total, 0.99);
}
