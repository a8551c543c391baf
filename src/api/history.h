/*
 * history.h - the API's questions to the history store: the mesh or one
 * node as of a valid time and a known-at time, a node's or a zone's
 * bucketed history, and what changed between two times.
 *
 * Times are RFC 3339 or integer microseconds (store/stime.h); steps are
 * integer microseconds or a number with a unit (ms, s, m, h, d). The
 * handlers answer 503 (no-history) when the daemon runs without a
 * store, 400 for bad times (invalid-time), 404 for an unknown node.
 *
 * Threads: the API's one thread. Queries run on it, synchronously.
 */
#ifndef ARC_API_HISTORY_H
#define ARC_API_HISTORY_H

#include "api/internal.h"

/* True when a query asks a node listing about the past (valid_at,
 * as_of or known_at present). */
bool arc_api_wants_history(const arc_query_t *q);

/* GET /v1/nodes?valid_at=T&known_at=S */
int arc_api_get_nodes_at(arc_api_t *api, arc_session_t *s,
                         const arc_query_t *q);

/* GET /v1/nodes/{id}?valid_at=T&known_at=S */
int arc_api_get_node_at(arc_api_t *api, arc_session_t *s,
                        const arc_query_t *q);

/* GET /v1/nodes/{id}/history?from=&to=&step=&known_at= */
int arc_api_get_node_history(arc_api_t *api, arc_session_t *s,
                             const arc_query_t *q);

/* GET /v1/zones/{id}/history?from=&to=&step=&known_at= */
int arc_api_get_zone_history(arc_api_t *api, arc_session_t *s,
                             const arc_query_t *q);

/* GET /v1/changes?from=&to=&known_at= */
int arc_api_get_changes(arc_api_t *api, arc_session_t *s,
                        const arc_query_t *q);

#endif
