/*
 * daemon_bus.h - the bus inside arcnetd --role all: the simulated sites'
 * telemetry goes out on arcnet.telemetry and reaches the mesh only
 * through the bus's consumer and the ingest handler, as a zone applies
 * its agents' reports; events, placed requests and served outcomes go
 * out where the zone and agent roles publish them.
 *
 * One idea: the all role is the distributed roles folded into one
 * process over the inproc backend. Telemetry reaches the mesh by one
 * path - publish, poll, decode, apply only when the node's sequence
 * number is newer - so a repeated or older report changes nothing, and
 * swapping the backend touches no state or API code.
 *
 * Threads: the daemon's loop thread owns the bus, its ingest and the
 * mesh; nothing locks. Memory: the daemon bus owns its bus, codec and
 * ingest; the mesh and the event log are borrowed and must outlive it.
 * Nothing is allocated per message once every ring slot has held a
 * message (slots, the codec's buffer and the decoder's zone are reused).
 */
#ifndef ARC_DAEMON_BUS_H
#define ARC_DAEMON_BUS_H

#include "api/json_writer.h"
#include "bus/ingest.h"
#include "daemon/config.h"
#include "daemon/role.h"
#include "sim/engine.h"
#include "state/events.h"
#include "state/mesh.h"

/* Messages each topic's ring holds; a full telemetry ring is drained
 * into the mesh before the next report goes in. */
#define ARC_DAEMON_BUS_RING 8192

typedef struct arc_daemon_bus arc_daemon_bus_t;

/*
 * Opens the inproc bus of cfg (cfg->bus must be "inproc", else
 * ARC_ERR_INVALID), subscribes the ingest over `mesh` to the telemetry
 * topic in the group "all" (prefixed by --topic-prefix) and publishes
 * every event `events` records from now on. ARC_ERR_NOMEM.
 */
arc_status_t arc_daemon_bus_open(const arc_config_t *cfg, arc_mesh_t *mesh,
                                 arc_event_log_t *events,
                                 arc_daemon_bus_t **out);

/* Stops publishing events and frees everything. NULL is a no-op. */
void arc_daemon_bus_close(arc_daemon_bus_t *db);

/* The engine's telemetry sink: reports are published, and delivered
 * to the mesh by arc_daemon_bus_poll. */
void arc_daemon_bus_sink(arc_daemon_bus_t *db,
                         arc_engine_telemetry_sink_t *out);

/* Applies every message published and not yet consumed. */
void arc_daemon_bus_poll(arc_daemon_bus_t *db);

/* An engine decision: a placed request goes to arcnet.inference under
 * its node's id, as a zone sends it to the node's agent. */
void arc_daemon_bus_decision(arc_daemon_bus_t *db, const arc_request_t *req,
                             const arc_decision_t *dec);

/* An engine outcome: a served request's outcome goes to arcnet.inference
 * under its node's id, as that node's agent reports it. */
void arc_daemon_bus_outcome(arc_daemon_bus_t *db, const arc_request_t *req,
                            const arc_outcome_t *o);

/* The bus's topics, codec and counters (tests publish through it). */
arc_role_bus_t *arc_daemon_bus_role_bus(arc_daemon_bus_t *db);

/* What the ingest has applied, skipped and refused. */
void arc_daemon_bus_ingest_stats(const arc_daemon_bus_t *db,
                                 arc_ingest_stats_t *out);

/* Messages that could not be published (refused or not encodable). */
uint64_t arc_daemon_bus_lost(const arc_daemon_bus_t *db);

/* Writes the "bus" and "ingest" members of GET /v1/stats. */
void arc_daemon_bus_view(const arc_daemon_bus_t *db, arc_jw_t *w);

#endif
