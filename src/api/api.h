/*
 * api.h - the REST and WebSocket API of arcnetd, on one port, served by
 * libwebsockets' default poll loop.
 *
 * The API reads the live mesh, asks the router, submits inference to
 * the simulation engine and streams what changes. It owns the lws
 * context; the daemon drives the loop (arc_api_service) and tells the
 * API, after each step of the simulation, to push the step's changes to
 * stream clients (arc_api_flush).
 *
 * Threads: one thread owns the API, the engine, the mesh and the event
 * log; every callback runs on it. Memory: the API owns its context,
 * sessions and stream buffers; what arc_api_deps_t points at is
 * borrowed and must outlive the API.
 */
#ifndef ARC_API_H
#define ARC_API_H

#include <stdint.h>

#include "api/auth.h"
#include "api/json_writer.h"
#include "api/rates.h"
#include "route/router.h"
#include "sim/engine.h"
#include "state/events.h"
#include "store/store.h"

typedef struct arc_api_deps {
    arc_engine_t *engine;        /* the live simulation (mesh, router) */
    arc_event_log_t *events;     /* what GET /v1/events reads */
    const arc_rates_t *rates;    /* per-zone rates for GET /v1/zones */
    const arc_auth_t *auth;      /* tokens */
    arc_policy_t default_policy; /* when a request names none */
    double time_scale;           /* simulated seconds per real second */
    const char *console_dir;     /* built console served at /; NULL: none */
    arc_store_t *store;          /* history; NULL: history answers 503 */
    /* Writes the daemon's members of GET /v1/stats (its bus and what
     * the bus's consumer applied) into the reply's object; NULL: the
     * reply is {}. */
    void (*stats)(void *ctx, arc_jw_t *w);
    void *stats_ctx;
} arc_api_deps_t;

typedef struct arc_api arc_api_t;

/*
 * Creates the lws context listening on host:port (port 0: any free
 * port) and hooks the stream into the mesh and the event log.
 * ARC_ERR_IO when the port cannot be bound, ARC_ERR_NOMEM.
 */
arc_status_t arc_api_new(const arc_api_deps_t *deps, const char *host,
                         uint16_t port, arc_api_t **out);

/* Closes every connection and frees everything the API owns. */
void arc_api_free(arc_api_t *api);

/* The port actually listened on. */
uint16_t arc_api_port(const arc_api_t *api);

/* The lws context, for the daemon's timers on the same loop. */
struct lws_context *arc_api_lws(arc_api_t *api);

/* Serves the loop once (waits for activity or the next timer). */
int arc_api_service(arc_api_t *api);

/*
 * Before stopping: answers every inference still waiting with 503
 * shutting-down and serves the loop until those answers are written or
 * `max_wait_us` has passed.
 */
void arc_api_shutdown(arc_api_t *api, int64_t max_wait_us);

/* Wakes arc_api_service from another thread or a signal handler. */
void arc_api_wake(arc_api_t *api);

/* The engine's decision callback, forwarded by the daemon. */
void arc_api_on_decision(arc_api_t *api, const arc_request_t *req,
                         const arc_decision_t *d, int64_t now_us);

/* Publishes what changed since the last flush to stream clients. */
void arc_api_flush(arc_api_t *api, int64_t now_us);

#endif
