/*
 * bitset.c - the levelled bit set of bitset.h.
 *
 * Growth keeps level 0 and recomputes the levels above from it: it
 * happens when the integers outgrow the room, which doubles, so its
 * cost is spread thin. Puts keep the summaries exact: a word that
 * gains its first member sets its bit above, one that loses its last
 * clears it, and either stops climbing at the first level it leaves
 * unchanged.
 */
#include "core/bitset.h"

#include <stdlib.h>
#include <string.h>

static uint32_t words_for(uint32_t bits)
{
    return (uint32_t)(((uint64_t)bits + 63) / 64);
}

void arc_bitset_init(arc_bitset_t *set)
{
    memset(set, 0, sizeof(*set));
}

void arc_bitset_free(arc_bitset_t *set)
{
    for (uint32_t l = 0; l < ARC_BITSET_MAX_LEVELS; l++)
        free(set->word[l]);
    arc_bitset_init(set);
}

/* Sets every level above 0 from the one below it. */
static void summarise(arc_bitset_t *set)
{
    for (uint32_t l = 1; l < set->levels; l++) {
        memset(set->word[l], 0, sizeof(uint64_t) * set->words[l]);
        for (uint32_t w = 0; w < set->words[l - 1]; w++) {
            if (set->word[l - 1][w] != 0)
                set->word[l][w / 64] |= 1ull << (w % 64);
        }
    }
}

arc_status_t arc_bitset_reserve(arc_bitset_t *set, uint32_t cap)
{
    uint64_t *grown[ARC_BITSET_MAX_LEVELS] = {0};
    uint32_t words[ARC_BITSET_MAX_LEVELS] = {0};
    uint32_t levels = 0, n = words_for(cap ? cap : 1);

    if (cap <= set->cap && set->levels > 0)
        return ARC_OK;

    /* Every level's size first, then all of the memory, then commit. */
    for (;;) {
        words[levels++] = n;
        if (n == 1)
            break;
        n = words_for(n);
    }
    for (uint32_t l = 0; l < levels; l++) {
        grown[l] = calloc(words[l], sizeof(uint64_t));
        if (grown[l] == NULL) {
            for (uint32_t k = 0; k <= l; k++)
                free(grown[k]);
            return ARC_ERR_NOMEM;
        }
    }
    if (set->levels > 0)
        memcpy(grown[0], set->word[0], sizeof(uint64_t) * set->words[0]);
    for (uint32_t l = 0; l < ARC_BITSET_MAX_LEVELS; l++) {
        free(set->word[l]);
        set->word[l] = grown[l];
        set->words[l] = words[l];
    }
    set->levels = levels;
    set->cap = cap;
    summarise(set);
    return ARC_OK;
}

void arc_bitset_clear(arc_bitset_t *set)
{
    for (uint32_t l = 0; l < set->levels; l++)
        memset(set->word[l], 0, sizeof(uint64_t) * set->words[l]);
}

void arc_bitset_put(arc_bitset_t *set, uint32_t i, bool member)
{
    if (i >= set->cap)
        return;

    for (uint32_t l = 0; l < set->levels; l++, i /= 64) {
        uint64_t *w = &set->word[l][i / 64];
        uint64_t bit = 1ull << (i % 64);
        bool was_empty = *w == 0;

        if (member) {
            *w |= bit;
            if (!was_empty)
                return; /* the levels above already show this word */
        } else {
            *w &= ~bit;
            if (*w != 0 || was_empty)
                return; /* still has members, or never had */
        }
    }
}

bool arc_bitset_has(const arc_bitset_t *set, uint32_t i)
{
    return i < set->cap && (set->word[0][i / 64] >> (i % 64) & 1u);
}

/* The smallest set bit at or after `from` on one level. */
static uint32_t next_on(const arc_bitset_t *set, uint32_t level,
                        uint32_t from)
{
    uint32_t w = from / 64, below;
    uint64_t bits;

    if (level >= set->levels || w >= set->words[level])
        return ARC_BITSET_NONE;
    bits = set->word[level][w] & (~0ull << (from % 64));
    if (bits != 0)
        return w * 64 + (uint32_t)__builtin_ctzll(bits);

    /* Nothing further in this word: the level above says where. */
    below = next_on(set, level + 1, w + 1);
    if (below == ARC_BITSET_NONE)
        return ARC_BITSET_NONE;
    return below * 64 + (uint32_t)__builtin_ctzll(set->word[level][below]);
}

uint32_t arc_bitset_next(const arc_bitset_t *set, uint32_t from)
{
    if (from >= set->cap)
        return ARC_BITSET_NONE;
    return next_on(set, 0, from);
}

size_t arc_bitset_bytes(const arc_bitset_t *set)
{
    size_t bytes = 0;

    for (uint32_t l = 0; l < set->levels; l++)
        bytes += sizeof(uint64_t) * set->words[l];
    return bytes;
}
