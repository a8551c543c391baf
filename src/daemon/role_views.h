/*
 * role_views.h - the JSON bodies the zone and brain roles answer with:
 * events, zone totals, nodes with their report counters, and the bus
 * and ingest counters.
 *
 * One idea: the shapes follow the `all` role's API (docs/api/index.md)
 * where the same thing is shown, so the console and the CLI can read a
 * brain or a zone as they read the embedded daemon.
 *
 * Threads: the role's main thread. Memory: everything is written into
 * the caller's arc_jw_t.
 */
#ifndef ARC_DAEMON_ROLE_VIEWS_H
#define ARC_DAEMON_ROLE_VIEWS_H

#include "api/json_writer.h"
#include "bus/ingest.h"
#include "daemon/role.h"
#include "state/events.h"
#include "state/mesh.h"

/* Per-node report counters a zone keeps beside its mesh. */
typedef struct arc_role_node_stats {
    uint64_t reports; /* telemetry applied */
    uint64_t gaps;    /* reports whose seq skipped numbers */
} arc_role_node_stats_t;

/* {"events":[...]}: the newest `limit` events of `log`, oldest first. */
void arc_role_view_events(arc_jw_t *w, const arc_event_log_t *log,
                          uint32_t limit);

/* One zone's totals as an object (keys as in GET /v1/zones). */
void arc_role_view_zone(arc_jw_t *w, arc_zone_t zone,
                        const arc_zone_totals_t *t, uint64_t seq,
                        int64_t time_us);

/* {"nodes":[...]}: the nodes of `zone` (every zone when < 0). */
void arc_role_view_nodes(arc_jw_t *w, const arc_mesh_t *mesh, int zone,
                         const arc_role_node_stats_t *stats);

/* The "ingest" member: applied, duplicates and refusals by reason,
 * summed over `count` ingests. */
void arc_role_view_ingest(arc_jw_t *w, const arc_ingest_t *const *ingests,
                          size_t count);

/* "bus" and "ingest" members: backlog, refused and reject reasons. */
void arc_role_view_counters(arc_jw_t *w, const arc_role_bus_t *rb,
                            const arc_ingest_t *const *ingests,
                            size_t count);

#endif
