/*
 * bitset.h - a growable set of small integers that answers "the next
 * member at or after i" in a few word reads, however large the set.
 *
 * Level 0 holds a bit per integer; each level above holds a bit per
 * word of the level below, set when that word has any member, up to a
 * single word. A query that finds nothing in its own word climbs to the
 * first level that shows a non-empty word further on and comes back
 * down through it: at most two steps per level, and a level covers 64
 * times the one below (four levels cover 16 million integers).
 */
#ifndef ARC_BITSET_H
#define ARC_BITSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arc.h"

#define ARC_BITSET_NONE UINT32_MAX
#define ARC_BITSET_MAX_LEVELS 6 /* 64^6 words: beyond any uint32_t */

typedef struct arc_bitset {
    uint64_t *word[ARC_BITSET_MAX_LEVELS]; /* level 0 first */
    uint32_t words[ARC_BITSET_MAX_LEVELS]; /* words per level */
    uint32_t levels;
    uint32_t cap; /* integers 0 .. cap-1 may be members */
} arc_bitset_t;

/* An empty set of no capacity; arc_bitset_reserve gives it room. */
void arc_bitset_init(arc_bitset_t *set);
void arc_bitset_free(arc_bitset_t *set);

/*
 * Makes room for integers below `cap`, keeping the members. On
 * ARC_ERR_NOMEM the set is as it was.
 */
arc_status_t arc_bitset_reserve(arc_bitset_t *set, uint32_t cap);

/* Removes every member, keeping the room. */
void arc_bitset_clear(arc_bitset_t *set);

/* Adds or removes `i` (below the capacity; others are ignored). */
void arc_bitset_put(arc_bitset_t *set, uint32_t i, bool member);

bool arc_bitset_has(const arc_bitset_t *set, uint32_t i);

/* The smallest member at or after `from`, or ARC_BITSET_NONE. */
uint32_t arc_bitset_next(const arc_bitset_t *set, uint32_t from);

/* Heap bytes held. */
size_t arc_bitset_bytes(const arc_bitset_t *set);

#endif
