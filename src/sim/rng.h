/*
 * rng.h - the simulator's own random numbers: xoshiro256** seeded through
 * splitmix64, plus the few distributions the simulation draws from.
 *
 * One idea: every random stream is derived from (seed, stream id), so the
 * same seed gives the same run on any machine and adding draws to one
 * stream (say, the workload) never shifts another (the weather). No libc
 * rand(), no clock. Values only; the caller owns each arc_rng_t.
 */
#ifndef ARC_SIM_RNG_H
#define ARC_SIM_RNG_H

#include <stdint.h>

typedef struct arc_rng {
    uint64_t s[4];
} arc_rng_t;

/* splitmix64 finaliser: a well-mixed 64-bit hash of x. */
uint64_t arc_rng_mix(uint64_t x);

/* Seeds stream `stream` of `seed`. */
void arc_rng_seed(arc_rng_t *rng, uint64_t seed, uint64_t stream);

uint64_t arc_rng_u64(arc_rng_t *rng);

/* Uniform in [0, 1), 53 bits. */
double arc_rng_double(arc_rng_t *rng);

/* Standard normal (Box-Muller; one value per call). */
double arc_rng_normal(arc_rng_t *rng);

/* Exponential with the given mean (> 0). */
double arc_rng_exp(arc_rng_t *rng, double mean);

/* Uniform in [0, 1) from a hash of three values (no state). */
double arc_rng_hash_double(uint64_t a, uint64_t b, uint64_t c);

#endif
