/*
 * views.h - how the API shows the mesh's things in JSON: nodes, zones,
 * routing decisions and events, in the shapes docs/api/index.md
 * documents.
 *
 * The REST handlers and the WebSocket stream render through these same
 * functions, so a node looks the same in GET /v1/nodes, a stream
 * snapshot and the console. Each writes one JSON value into a writer;
 * they allocate only through the writer.
 *
 * One thread (the daemon's event loop) calls these.
 */
#ifndef ARC_API_VIEWS_H
#define ARC_API_VIEWS_H

#include "api/json_writer.h"
#include "api/rates.h"
#include "route/router.h"
#include "state/events.h"
#include "state/mesh.h"

/* The status a client sees: an operator-drained node is "draining". */
arc_node_status_t arc_view_node_status(const arc_node_t *n);

/* A node, every field (id, zone, site, lat, lon, status, ...). */
void arc_view_node(arc_jw_t *w, const arc_node_t *n);

/* A model bit mask as an array of model names, in catalogue order. */
void arc_view_models(arc_jw_t *w, uint32_t mask);

/* A node's changing fields only (the stream's telemetry delta). */
void arc_view_node_delta(arc_jw_t *w, const arc_node_t *n);

/* A zone: its id, the mesh totals and the served-request rates. */
void arc_view_zone(arc_jw_t *w, arc_zone_t zone,
                   const arc_zone_totals_t *t, const arc_zone_rates_t *r);

/* A decision (the value of "decision" in POST /v1/route). */
void arc_view_decision(arc_jw_t *w, const arc_mesh_t *mesh,
                       const arc_decision_t *d);

/* An event, as GET /v1/events and the stream show it. */
void arc_view_event(arc_jw_t *w, const arc_event_t *ev);

#endif
