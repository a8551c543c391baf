/*
 * nodemap.h - a small hash table from node id to a fixed-size value,
 * for the store's per-node memory (dead-band state on the owner's side,
 * database ids on the writer's side).
 *
 * Open addressing with linear probing, grown at half load, so a lookup
 * is one hash and usually one probe. Values are zeroed when created.
 * Pointers to values stay valid until the next put (which may grow the
 * table). One thread per map; the map owns its memory.
 */
#ifndef ARC_STORE_NODEMAP_H
#define ARC_STORE_NODEMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct arc_nodemap arc_nodemap_t;

/* A new map of values of `value_size` bytes. NULL when out of memory. */
arc_nodemap_t *arc_nodemap_new(size_t value_size);
void arc_nodemap_free(arc_nodemap_t *map);

/* The value of `name`, or NULL when absent. */
void *arc_nodemap_get(const arc_nodemap_t *map, const char *name);

/* The value of `name`, created zeroed when absent (*created says so;
 * may be NULL). NULL when out of memory or for an empty name. */
void *arc_nodemap_put(arc_nodemap_t *map, const char *name, bool *created);

/* Forgets every entry. */
void arc_nodemap_clear(arc_nodemap_t *map);

#endif
