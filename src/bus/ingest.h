/*
 * ingest.h - the consumer side of the bus, ready to plug into
 * arc_bus_subscribe: decodes each message, applies telemetry to the
 * mesh, hands the other message types to hooks, and deals with bad
 * messages by one policy.
 *
 * One idea: a message that can never be applied must not stop the
 * consumer. A message refused by the codec (truncated, malformed, wrong
 * type or length, bad value, unknown type, version or node) is counted
 * under its reason, logged the first time its reason is seen (later
 * ones only counted), and answered ARC_ERR_INVALID or ARC_ERR_NOT_FOUND
 * so the bus commits past it. Telemetry already applied (its node's
 * sequence number is not newer) answers ARC_ERR_DUPLICATE, also
 * committed. Only a hook's own transient failure (ARC_ERR_FULL, ...)
 * asks the bus to deliver the message again.
 *
 * Threads: the owner of the mesh, the bus and this ingest (one thread).
 * Memory: the ingest owns its codec; the mesh is borrowed and must
 * outlive it.
 */
#ifndef ARC_BUS_INGEST_H
#define ARC_BUS_INGEST_H

#include "bus/bus.h"
#include "bus/codec.h"
#include "state/mesh.h"

/* What to do with each decoded message type. A NULL hook: telemetry is
 * applied with arc_mesh_apply; other types are counted as ignored. Each
 * hook answers as an arc_bus_handler_fn does. */
typedef struct arc_ingest_hooks {
    arc_status_t (*telemetry)(void *ctx, const arc_telemetry_t *t);
    arc_status_t (*event)(void *ctx, const arc_event_t *ev);
    arc_status_t (*zone_summary)(void *ctx, const arc_msg_zone_summary_t *s);
    arc_status_t (*request)(void *ctx, const arc_msg_request_t *r);
    arc_status_t (*outcome)(void *ctx, const arc_msg_outcome_t *o);
    void *ctx;
} arc_ingest_hooks_t;

typedef struct arc_ingest_stats {
    uint64_t applied;    /* messages whose hook (or apply) answered OK */
    uint64_t duplicates; /* answered ARC_ERR_DUPLICATE */
    uint64_t ignored;    /* well formed, but no hook for the type */
    uint64_t retried;    /* a hook asked for redelivery */
    uint64_t rejected;   /* refused, all reasons */
    uint64_t by_reason[ARC_CODEC_ERROR_COUNT]; /* refused, per reason */
} arc_ingest_stats_t;

typedef struct arc_ingest arc_ingest_t;

/*
 * A new ingest over `mesh` (may be NULL when no telemetry is expected:
 * telemetry is then refused as unknown-node). `hooks` is copied and may
 * be NULL. `log` NULL: stderr. NULL when out of memory.
 */
arc_ingest_t *arc_ingest_new(arc_mesh_t *mesh, const arc_ingest_hooks_t *hooks,
                             arc_bus_log_fn log, void *log_ctx);
void arc_ingest_free(arc_ingest_t *ingest);

/* The arc_bus_handler_fn; `ctx` is the ingest. */
arc_status_t arc_ingest_handle(void *ctx, const arc_bus_msg_t *msg);

void arc_ingest_stats(const arc_ingest_t *ingest, arc_ingest_stats_t *out);

#endif
