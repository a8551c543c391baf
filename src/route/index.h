/*
 * index.h - the router's candidate index: for each zone, model and kind
 * of key, the eligible nodes ordered by key, in a grid of geographic
 * cells.
 *
 * A key is the part of a node's score that does not depend on where a
 * request comes from (queue, carbon, battery and load for the scored
 * policy; nothing for `nearest`; GPU load alone or carbon alone for two
 * other baselines). Each kind has its own heaps because each policy may
 * filter differently. A search enters cells nearest-and-cheapest first,
 * and inside each cell walks its heap from the root, skipping any entry
 * (and all below it) whose distance to the cell plus key cannot beat the
 * k-th best score found. The answer is the same as scoring every node;
 * the work depends on how far the search must look, not on how many
 * nodes exist.
 *
 * A search for the scored kind whose latency weight is below 0.1 per ms
 * (background work, by default) uses a second copy of its keys instead,
 * one heap per zone and model over the whole zone: across
 * a zone such a weight is worth a few points at most, less than the
 * spread of keys, so key order alone finds the answer after a handful
 * of visits, where the grid would open a cell for each of many similar
 * smallest keys.
 *
 * The index does not know what a key means: the router supplies a
 * function that says which kinds may take a node for a model, and the
 * node's key in each.
 * Internal to src/route/.
 */
#ifndef ARC_ROUTE_INDEX_H
#define ARC_ROUTE_INDEX_H

#include "core/types.h"
#include "state/mesh.h"

typedef enum arc_key_kind {
    ARC_KEY_SCORE = 0,  /* the scored policy's origin-free part */
    ARC_KEY_SCORE_WIDE, /* the same, one cell per zone (see above) */
    ARC_KEY_NEAREST,    /* no key: ranked by latency alone */
    ARC_KEY_LOAD,       /* GPU utilisation */
    ARC_KEY_CARBON,     /* carbon intensity */
    ARC_KEY_KIND_COUNT
} arc_key_kind_t;

/*
 * Kinds whose entries carry their node's place, so that the scored
 * policy, the one that serves, scores a node without reading it.
 */
#define ARC_KEY_PLACED(kind) \
    ((kind) == ARC_KEY_SCORE || (kind) == ARC_KEY_SCORE_WIDE)

/*
 * Says for which kinds node `n` may take model `model` (bit k set for
 * kind k) and, for each of those, its key in key[k]. One call serves
 * every kind, since they share most of the work. It is asked only about
 * models the node loads while it is healthy (arc_node_is_healthy):
 * any other node takes no kind.
 */
typedef uint32_t (*arc_index_key_fn)(void *ctx, const arc_node_t *n,
                                     uint32_t model,
                                     float key[ARC_KEY_KIND_COUNT]);

typedef struct arc_index arc_index_t;

typedef struct arc_index_query {
    arc_zone_t zone;
    uint32_t model;
    arc_key_kind_t kind;
    double lat, lon;        /* the request's origin */
    double latency_weight;  /* per ms of round trip */
    bool use_keys;          /* false: rank by latency alone */
    int64_t now_us;
    int64_t heartbeat_timeout_us;
} arc_index_query_t;

typedef struct arc_index_hit {
    uint32_t node;
    double score;  /* latency_weight * rtt + key (when use_keys) */
    double rtt_ms;
} arc_index_hit_t;

/* Builds the index over the mesh's nodes. NULL when out of memory. */
arc_index_t *arc_index_new(const arc_mesh_t *mesh, arc_index_key_fn key_fn,
                           void *key_ctx);
void arc_index_free(arc_index_t *index);

/* Re-reads node `node` from the mesh and moves it in every heap. */
arc_status_t arc_index_update(arc_index_t *index, uint32_t node);

/*
 * The `k` best hits (k <= 8), best first; returns how many were found.
 * *visited (if not NULL) counts the nodes scored.
 */
uint32_t arc_index_search(arc_index_t *index, const arc_index_query_t *q,
                          arc_index_hit_t *hits, uint32_t k,
                          uint32_t *visited);

/* Live nodes of a zone that load a model (whether or not they have room). */
uint32_t arc_index_model_nodes(const arc_index_t *index, arc_zone_t zone,
                               uint32_t model);

/*
 * Node indexes of a zone, in the order they were added (first bringing
 * the index up to date, so that places match arc_index_next_ready's).
 */
const uint32_t *arc_index_zone_nodes(arc_index_t *index, arc_zone_t zone,
                                     uint32_t *count);

#define ARC_INDEX_NONE UINT32_MAX

/*
 * The first place, at or after `from`, in the zone's list above whose
 * node passes the filters every policy shares for `model` (liveness
 * aside: it changes with the clock), or ARC_INDEX_NONE. A few word
 * reads however large the zone: round-robin's "next one in turn"
 * without walking past the nodes that cannot take the request.
 */
uint32_t arc_index_next_ready(arc_index_t *index, arc_zone_t zone,
                              uint32_t model, uint32_t from);

/* Heap bytes held by the index. */
size_t arc_index_bytes(const arc_index_t *index);

#endif
