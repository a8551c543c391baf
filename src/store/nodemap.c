/*
 * nodemap.c - node id -> value hash table (see nodemap.h).
 *
 * Each slot holds the id inline (ARC_NODE_ID_MAX bytes, "" when empty)
 * followed by the value, in one flat array; FNV-1a picks the first
 * slot. One thread per map; the map owns the array.
 */
#include "store/nodemap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/types.h"

struct arc_nodemap {
    size_t value_size;
    size_t slot_size;
    size_t cap;   /* slots, a power of 2 */
    size_t used;
    unsigned char *slots;
};

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static unsigned char *slot_at(const arc_nodemap_t *m, size_t i)
{
    return m->slots + i * m->slot_size;
}

arc_nodemap_t *arc_nodemap_new(size_t value_size)
{
    arc_nodemap_t *m = calloc(1, sizeof(*m));

    if (m == NULL) {
        return NULL;
    }
    m->value_size = value_size;
    m->slot_size = (ARC_NODE_ID_MAX + value_size + 7) / 8 * 8;
    m->cap = 64;
    m->slots = calloc(m->cap, m->slot_size);
    if (m->slots == NULL) {
        free(m);
        return NULL;
    }
    return m;
}

void arc_nodemap_free(arc_nodemap_t *map)
{
    if (map != NULL) {
        free(map->slots);
        free(map);
    }
}

/* The slot holding name, or the empty slot where it would go. */
static size_t find(const arc_nodemap_t *m, const char *name)
{
    size_t i = hash_name(name) & (m->cap - 1);

    for (;;) {
        const char *key = (const char *)slot_at(m, i);

        if (key[0] == '\0' || strncmp(key, name, ARC_NODE_ID_MAX) == 0) {
            return i;
        }
        i = (i + 1) & (m->cap - 1);
    }
}

void *arc_nodemap_get(const arc_nodemap_t *map, const char *name)
{
    unsigned char *slot;

    if (name == NULL || name[0] == '\0') {
        return NULL;
    }
    slot = slot_at(map, find(map, name));
    return slot[0] == '\0' ? NULL : slot + ARC_NODE_ID_MAX;
}

static bool grow(arc_nodemap_t *m)
{
    arc_nodemap_t bigger = *m;

    bigger.cap = m->cap * 2;
    bigger.slots = calloc(bigger.cap, m->slot_size);
    if (bigger.slots == NULL) {
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        unsigned char *old = slot_at(m, i);

        if (old[0] != '\0') {
            memcpy(slot_at(&bigger, find(&bigger, (char *)old)), old,
                   m->slot_size);
        }
    }
    free(m->slots);
    *m = bigger;
    return true;
}

void *arc_nodemap_put(arc_nodemap_t *map, const char *name, bool *created)
{
    unsigned char *slot;

    if (created != NULL) {
        *created = false;
    }
    if (name == NULL || name[0] == '\0') {
        return NULL;
    }
    if ((map->used + 1) * 2 > map->cap && !grow(map)) {
        return NULL;
    }
    slot = slot_at(map, find(map, name));
    if (slot[0] == '\0') {
        memset(slot, 0, map->slot_size);
        memcpy(slot, name, strnlen(name, ARC_NODE_ID_MAX - 1));
        map->used++;
        if (created != NULL) {
            *created = true;
        }
    }
    return slot + ARC_NODE_ID_MAX;
}

void arc_nodemap_clear(arc_nodemap_t *map)
{
    memset(map->slots, 0, map->cap * map->slot_size);
    map->used = 0;
}
