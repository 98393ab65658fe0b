/*
 * rng.h -- a small deterministic PRNG (xoshiro256**, seeded by splitmix64)
 * for demo data and reproducible sampling.  Not for secrets: those come
 * from libsodium's randombytes.
 */
#ifndef PROOFLINE_RNG_H
#define PROOFLINE_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

void rng_seed(struct rng *g, uint64_t seed);
uint64_t rng_next(struct rng *g);

/* Uniform in [0, n) without modulo bias; n > 0. */
uint64_t rng_below(struct rng *g, uint64_t n);

/* Uniform double in [0, 1). */
double rng_unit(struct rng *g);

#endif
