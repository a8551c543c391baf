/*
 * request.h - turning what a client sent into checked values, or into
 * the error the client gets back.
 *
 * Every check a request body or a query filter must pass lives here,
 * away from the HTTP code, so each bad input can be unit-tested and
 * fuzzed without a socket. A failure fills an arc_api_error_t with the
 * HTTP status, a stable machine code (the "code" of the JSON error) and
 * a sentence for a human.
 *
 * Any thread; everything here is a plain value owned by the caller.
 */
#ifndef ARC_API_REQUEST_H
#define ARC_API_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "api/query.h"
#include "core/types.h"
#include "route/router.h"
#include "state/events.h"

#define ARC_API_BODY_MAX (1024 * 1024) /* largest request body accepted */
#define ARC_API_TOKENS_DEFAULT 128     /* max_tokens when not given */
#define ARC_API_TOKENS_MAX 8192        /* largest max_tokens accepted */

typedef struct arc_api_error {
    int http;          /* HTTP status, 4xx or 5xx */
    const char *code;  /* stable, lower-case, e.g. "unknown-model" */
    char message[200]; /* one sentence for a human */
    const char *allow; /* 405: the method the path takes; else NULL */
} arc_api_error_t;

/*
 * Fills an error (allow becomes NULL); the message is printf-formatted
 * and cut to fit.
 */
void arc_api_error_set(arc_api_error_t *err, int http, const char *code,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The body of POST /v1/route and POST /v1/inference, checked. */
typedef struct arc_route_body {
    arc_request_t req;    /* model, priority, origin, tokens; id 0 */
    arc_policy_t policy;  /* the given policy, or the default */
    size_t input_bytes;   /* inference: bytes of "input" */
    uint32_t input_chars; /* inference: characters (UTF-8) of "input" */
} arc_route_body_t;

/*
 * Parses and checks a route body: "model" (a catalogue name), optional
 * "priority" (critical, normal, background; normal by default),
 * "origin" {"lat","lon"} (valid coordinates), optional "policy" (else
 * `default_policy`), optional "max_tokens" (1..ARC_API_TOKENS_MAX).
 * With `inference`, "input" (a string) is required too. Unknown fields
 * are ignored. ARC_ERR_INVALID with *err filled on any failure.
 */
arc_status_t arc_api_parse_route_body(const char *body, size_t len,
                                      bool inference,
                                      arc_policy_t default_policy,
                                      arc_route_body_t *out,
                                      arc_api_error_t *err);

/* Which nodes GET /v1/nodes lists; -1 in a field: any. */
typedef struct arc_node_filter {
    int zone;          /* arc_zone_t */
    int status;        /* arc_node_status_t */
    int model;         /* catalogue id the node must have loaded */
    int energy_source; /* arc_energy_source_t */
} arc_node_filter_t;

/*
 * Reads zone, status, model and energy_source from a query. Unknown
 * parameters and unknown values are ARC_ERR_INVALID with *err filled.
 */
arc_status_t arc_api_parse_node_filter(const arc_query_t *q,
                                       arc_node_filter_t *f,
                                       arc_api_error_t *err);

/* True when a node passes the filter. */
bool arc_api_node_matches(const arc_node_filter_t *f, const arc_node_t *n);

#define ARC_API_EVENTS_DEFAULT 100 /* events returned without a limit */
#define ARC_API_EVENTS_MAX 1000    /* largest limit accepted */

/*
 * Reads the filters of GET /v1/events: type and zone (comma-separated
 * lists of names), severity (that severity and above), q (a substring),
 * since (a sequence number) and limit (1..ARC_API_EVENTS_MAX, default
 * ARC_API_EVENTS_DEFAULT). f->q points into `q`, which must outlive f.
 * ARC_ERR_INVALID with *err filled for unknown names or bad numbers.
 */
arc_status_t arc_api_parse_event_filter(const arc_query_t *q,
                                        arc_event_filter_t *f,
                                        arc_api_error_t *err);

/* The API's endpoints. */
typedef enum arc_endpoint {
    ARC_EP_HEALTHZ = 0, /* GET /healthz */
    ARC_EP_NODES,       /* GET /v1/nodes */
    ARC_EP_NODE,        /* GET /v1/nodes/{id} */
    ARC_EP_DRAIN,       /* POST /v1/nodes/{id}/drain */
    ARC_EP_UNDRAIN,     /* POST /v1/nodes/{id}/undrain */
    ARC_EP_ZONES,       /* GET /v1/zones */
    ARC_EP_ROUTE,       /* POST /v1/route */
    ARC_EP_INFERENCE,   /* POST /v1/inference */
    ARC_EP_EVENTS,      /* GET /v1/events */
    ARC_EP_STREAM,      /* GET /v1/stream (WebSocket) */
    ARC_EP_NODE_HISTORY, /* GET /v1/nodes/{id}/history */
    ARC_EP_ZONE_HISTORY, /* GET /v1/zones/{id}/history (id in node_id) */
    ARC_EP_CHANGES,      /* GET /v1/changes */
    ARC_EP_STATS,        /* GET /v1/stats */
    ARC_EP_COUNT
} arc_endpoint_t;

typedef struct arc_endpoint_match {
    arc_endpoint_t endpoint;
    char node_id[ARC_NODE_ID_MAX]; /* {id} of the node paths */
    bool needs_token;              /* every /v1 path */
    bool changes;                  /* needs the operator role */
    const char *allow;             /* the method the path takes */
} arc_endpoint_match_t;

/*
 * Finds the endpoint for a method ("GET", "POST", ...) and path. 404
 * (not-found) for an unknown path or a node id that cannot be one, 405
 * (method-not-allowed, m->allow set) for a known path with another
 * method; ARC_ERR_INVALID with *err filled either way.
 */
arc_status_t arc_api_resolve(const char *method, const char *path,
                             arc_endpoint_match_t *m, arc_api_error_t *err);

/*
 * Checks that every key of `q` is one of the NULL-terminated `allowed`
 * names; ARC_ERR_INVALID with *err filled otherwise.
 */
arc_status_t arc_api_check_params(const arc_query_t *q,
                                  const char *const *allowed,
                                  arc_api_error_t *err);

/*
 * Parses a decimal integer in [min, max] (the whole string); ARC_OK or
 * ARC_ERR_INVALID.
 */
arc_status_t arc_api_parse_int(const char *s, long long min, long long max,
                               long long *out);

#endif
