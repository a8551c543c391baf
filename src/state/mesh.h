/*
 * mesh.h - the live state of the mesh: every node's latest telemetry,
 * lookup by id, and per-zone totals kept up to date as telemetry arrives.
 *
 * One thread owns a mesh (the event loop of its process, or the simulator);
 * nothing here locks. Telemetry carries the node's own sequence number and
 * is applied only when it is newer than what the mesh holds, so delivering
 * a message twice, or out of order, changes nothing.
 *
 * Whoever derives something from the mesh (the router's index, the event
 * detector) registers a change hook; the mesh calls every hook after each
 * change to a node, with the node's state before the change, so nothing
 * derived can go stale behind the owner's back.
 *
 * A node whose reports stop keeps its last reported state, but once its
 * owner marks it silent it no longer counts as healthy (zone totals,
 * liveness, routing) until its next report is applied.
 */
#ifndef ARC_MESH_H
#define ARC_MESH_H

#include "core/types.h"

typedef struct arc_mesh arc_mesh_t;

/* One telemetry report from a node (the agent's view of its site). */
typedef struct arc_telemetry {
    uint32_t node;            /* mesh index (the bus codec resolves ids) */
    uint64_t seq;             /* the node's own sequence number, from 1 */
    int64_t time_us;          /* when the agent measured it */
    uint8_t status;           /* arc_node_status_t */
    uint8_t energy_source;    /* arc_energy_source_t */
    uint16_t gpus_free;
    uint32_t models;
    uint32_t queue_depth;
    float gpu_util;
    float gpu_mem_used_gb;
    float battery_soc;
    float power_kw;
    float carbon_g_per_kwh;
} arc_telemetry_t;

/* Totals of one zone, maintained incrementally (never by a scan). */
typedef struct arc_zone_totals {
    uint32_t nodes;
    uint32_t nodes_up;          /* healthy: up, not drained, not silent */
    uint32_t gpus_total;        /* over all nodes of the zone */
    uint32_t gpus_healthy;      /* gpus_total of the nodes up */
    uint32_t gpus_free;         /* free GPUs on the nodes up */
    double gpu_util_sum;        /* over nodes up; mean = sum / nodes_up */
    double power_kw_sum;        /* over all nodes */
    double carbon_kw_sum;       /* sum of power_kw * carbon, all nodes */
    double power_by_source_kw[ARC_SOURCE_COUNT];
} arc_zone_totals_t;

/* Called after node `node` changed; `before` is its previous state. */
typedef void (*arc_mesh_hook_fn)(void *ctx, uint32_t node,
                                 const arc_node_t *before);

#define ARC_MESH_MAX_HOOKS 4

/* A new, empty mesh. NULL when out of memory. */
arc_mesh_t *arc_mesh_new(void);
void arc_mesh_free(arc_mesh_t *mesh);

/*
 * Adds a node (copied). Its id must be unique and non-empty, its zone
 * valid and its coordinates valid. Writes its index to *index_out.
 */
arc_status_t arc_mesh_add(arc_mesh_t *mesh, const arc_node_t *node,
                          uint32_t *index_out);

uint32_t arc_mesh_count(const arc_mesh_t *mesh);

/* The node at an index; NULL when out of range. Read-only to callers. */
const arc_node_t *arc_mesh_node(const arc_mesh_t *mesh, uint32_t index);

/* Finds a node by id in O(1). */
arc_status_t arc_mesh_find(const arc_mesh_t *mesh, const char *id,
                           uint32_t *index_out);

/*
 * Applies telemetry. ARC_ERR_DUPLICATE when seq is not newer than the
 * node's; ARC_ERR_NOT_FOUND for an unknown index; ARC_ERR_INVALID for
 * values out of range (negative, NaN, soc above 1, unknown enums).
 */
arc_status_t arc_mesh_apply(arc_mesh_t *mesh, const arc_telemetry_t *t);

/*
 * The owner heard nothing from the node past its heartbeat timeout: the
 * node keeps its last reported state but stops counting as healthy (zone
 * totals, liveness), and the hooks are told. The next telemetry applied
 * for it clears the mark; a duplicate or older report does not. Marking
 * a silent node again changes nothing. ARC_ERR_NOT_FOUND for an unknown
 * index.
 */
arc_status_t arc_mesh_mark_silent(arc_mesh_t *mesh, uint32_t index);

/* Operator drain: the node keeps its work but takes no new requests. */
arc_status_t arc_mesh_set_drained(arc_mesh_t *mesh, uint32_t index,
                                  bool drained);

/*
 * Local bookkeeping for the owner that dispatches work and learns of it
 * before the next telemetry report: a request holding `gpus` GPUs was
 * sent to the node (queue depth +1, free GPUs -gpus), or finished there
 * (the reverse). Free GPUs never go below 0 or above the total.
 */
arc_status_t arc_mesh_note_dispatch(arc_mesh_t *mesh, uint32_t index,
                                    uint32_t gpus);
arc_status_t arc_mesh_note_complete(arc_mesh_t *mesh, uint32_t index,
                                    uint32_t gpus);

/* Totals of a zone. */
const arc_zone_totals_t *arc_mesh_zone_totals(const arc_mesh_t *mesh,
                                              arc_zone_t zone);

/*
 * Registers a change hook, called in registration order. ARC_ERR_FULL
 * past ARC_MESH_MAX_HOOKS. A node added with arc_mesh_add is reported
 * too, with `before` holding a copy of the new node whose status is down.
 */
arc_status_t arc_mesh_add_hook(arc_mesh_t *mesh, arc_mesh_hook_fn fn,
                               void *ctx);
void arc_mesh_remove_hook(arc_mesh_t *mesh, arc_mesh_hook_fn fn, void *ctx);

/*
 * True when a node is up, not drained and not marked silent: what the
 * zone totals count as healthy. Inline: the router asks it of every
 * node it keys or scans.
 */
static inline bool arc_node_is_healthy(const arc_node_t *node)
{
    return node->status == ARC_NODE_UP && !node->admin_drained &&
           !node->silent;
}

/* True when a node is healthy and heard from within timeout. */
static inline bool arc_node_is_live(const arc_node_t *node, int64_t now_us,
                                    int64_t heartbeat_timeout_us)
{
    return arc_node_is_healthy(node) &&
           now_us - node->last_heartbeat_us <= heartbeat_timeout_us;
}

#endif
