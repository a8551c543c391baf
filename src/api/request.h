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

#define ARC_API_BODY_MAX (1024 * 1024) /* largest request body accepted */
#define ARC_API_TOKENS_DEFAULT 128     /* max_tokens when not given */
#define ARC_API_TOKENS_MAX 8192        /* largest max_tokens accepted */

typedef struct arc_api_error {
    int http;          /* HTTP status, 4xx or 5xx */
    const char *code;  /* stable, lower-case, e.g. "unknown-model" */
    char message[200]; /* one sentence for a human */
} arc_api_error_t;

/* Fills an error; the message is printf-formatted and cut to fit. */
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
