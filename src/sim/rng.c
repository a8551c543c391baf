/*
 * rng.c - xoshiro256** (Blackman and Vigna's public-domain design,
 * written here from its published description) seeded by splitmix64.
 */
#include "sim/rng.h"

#include <math.h>

uint64_t arc_rng_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void arc_rng_seed(arc_rng_t *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x = arc_rng_mix(seed) ^
                 arc_rng_mix(stream * 0x632be59bd9b4e019ULL);

    for (int i = 0; i < 4; i++) {
        x = arc_rng_mix(x);
        rng->s[i] = x;
    }
    if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0)
        rng->s[0] = 1;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t arc_rng_u64(arc_rng_t *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double arc_rng_double(arc_rng_t *rng)
{
    return (double)(arc_rng_u64(rng) >> 11) * 0x1.0p-53;
}

double arc_rng_normal(arc_rng_t *rng)
{
    double u1 = 1.0 - arc_rng_double(rng); /* (0, 1] */
    double u2 = arc_rng_double(rng);

    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double arc_rng_exp(arc_rng_t *rng, double mean)
{
    return -mean * log(1.0 - arc_rng_double(rng));
}

double arc_rng_hash_double(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t h = arc_rng_mix(a ^ arc_rng_mix(b ^ arc_rng_mix(c)));

    return (double)(h >> 11) * 0x1.0p-53;
}
