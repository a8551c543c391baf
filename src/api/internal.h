/*
 * internal.h - what the API's files share and nothing outside src/api
 * should use: the server and session structures, the response writer,
 * the handlers, inference in flight and the stream hub.
 *
 * One session (arc_session_t) is the per-connection memory lws keeps
 * for us. An HTTP connection uses its transaction fields, a WebSocket
 * its stream fields; lws zeroes it when the connection opens and the
 * server frees what it points to when the connection closes.
 *
 * Threads: the API's one thread.
 */
#ifndef ARC_API_INTERNAL_H
#define ARC_API_INTERNAL_H

#include <libwebsockets.h>
#include <stdbool.h>

#include "api/api.h"
#include "api/json_writer.h"
#include "api/request.h"

/* Room kept before a body for lws and the HTTP headers. */
#define ARC_API_HEADER_MAX 1024
#define ARC_API_HEADROOM (LWS_PRE + ARC_API_HEADER_MAX)

typedef struct arc_stream arc_stream_t;
typedef struct arc_pending arc_pending_t;

/*
 * Ids of requests submitted through the API start here, apart from the
 * built-in workload's and below 2^53, so JavaScript clients read them
 * exactly.
 */
#define ARC_API_REQUEST_ID_BASE (UINT64_C(1) << 52)

/* An extra response header. */
typedef struct arc_api_header {
    const char *name;  /* lower case with a colon, e.g. "retry-after:" */
    char value[64];
} arc_api_header_t;

#define ARC_API_MAX_HEADERS 4

typedef struct arc_session {
    struct lws *wsi;

    /* One HTTP transaction. */
    arc_endpoint_match_t match;
    arc_role_t role;
    bool failed;            /* err holds the answer, sent at body end */
    arc_api_error_t err;
    char *body;             /* request body, grown as it arrives */
    size_t body_len, body_cap;
    bool body_over;         /* over ARC_API_BODY_MAX: dropped, 413 */
    arc_pending_t *pending; /* inference waiting for the engine */

    /* A response prepared outside a callback, written when writable. */
    bool reply_ready;
    int reply_status;
    arc_jw_t reply;
    arc_api_header_t reply_hdr[ARC_API_MAX_HEADERS];
    uint32_t reply_hdr_count;

    /* WebSocket stream client. */
    struct arc_session *next, *prev; /* in the hub's client list */
    bool attached;
    bool has_since;
    uint64_t since;         /* ?since= from the upgrade request */
    uint64_t next_seq;      /* next frame to send */
    bool snapshot_due;      /* send a snapshot before next_seq */
    bool too_slow;          /* close with "too slow" when writable */
    bool bad_frame;         /* close after a bad client frame */
    int close_code;         /* with this WebSocket status */
    char close_reason[64];  /* and this reason */
} arc_session_t;

struct arc_api {
    arc_api_deps_t deps;
    arc_mesh_t *mesh;
    arc_router_t *router;
    struct lws_context *ctx;
    struct lws_protocols protocols[2];
    uint16_t port;
    arc_jw_t out;              /* reused for every synchronous reply */
    arc_stream_t *stream;
    arc_pending_t *pending;    /* inference in flight (a list) */
    uint32_t replies_waiting;  /* sessions with reply_ready set */
    uint64_t next_request_id;
};

/* ---- responses (server.c) --------------------------------------------- */

/*
 * Writes status, headers and the body in `w` (a writer with
 * ARC_API_HEADROOM) in one lws_write, then completes the transaction.
 * Returns 0, or -1 when lws wants the connection closed.
 */
int arc_api_write(struct lws *wsi, int status, arc_jw_t *w,
                  const arc_api_header_t *hdrs, uint32_t nhdrs);

/* Writes {"error":{"code","message"}} with err's status. */
int arc_api_write_error(arc_api_t *api, struct lws *wsi,
                        const arc_api_error_t *err);

/* ---- handlers (routes.c) ---------------------------------------------- */

/*
 * Answers a transaction whose endpoint, role and body are known. Writes
 * the reply (returning as arc_api_write) or, for inference, leaves it
 * pending and returns 0.
 */
int arc_api_handle(arc_api_t *api, arc_session_t *s);

/* ---- inference in flight (inference.c) -------------------------------- */

/*
 * Submits a checked inference body to the engine for session s. The
 * reply is prepared in s->reply when the outcome arrives and s's
 * connection is asked for a writable callback. ARC_OK, or an error
 * filled in err for an immediate reply.
 */
arc_status_t arc_api_inference_submit(arc_api_t *api, arc_session_t *s,
                                      const arc_route_body_t *body,
                                      arc_api_error_t *err);

/*
 * Renders an engine outcome as the session's reply (s->reply must be an
 * initialised writer with ARC_API_HEADROOM): 200 with the receipt and
 * the ArcNet-* headers; 429 queue-full with Retry-After in real seconds
 * (at least 1) for a full queue; 503 unavailable with the reason; 400
 * for a request the engine refused.
 */
void arc_api_inference_render(arc_session_t *s, double time_scale,
                              const arc_request_t *req,
                              const arc_outcome_t *o, uint32_t input_chars);

/* The session's connection closed: forget it, let the engine finish. */
void arc_api_inference_detach(arc_session_t *s);

/*
 * Answers every inference still waiting with 503 shutting-down (the
 * replies go out on the next writable callbacks).
 */
void arc_api_inference_abort_all(arc_api_t *api);

/* Frees every pending record (at shutdown, after the engine). */
void arc_api_inference_free_all(arc_api_t *api);

/* ---- stream (stream.c) ------------------------------------------------ */

arc_stream_t *arc_stream_new(arc_api_t *api);
void arc_stream_free(arc_stream_t *st);

/* Filter before the upgrade: 0 to accept, else refuse. */
int arc_stream_filter(arc_api_t *api, arc_session_t *s, struct lws *wsi);

void arc_stream_attach(arc_stream_t *st, arc_session_t *s);
void arc_stream_detach(arc_stream_t *st, arc_session_t *s);

/* WRITEABLE: sends one frame. Returns -1 to close the connection. */
int arc_stream_writable(arc_stream_t *st, arc_session_t *s);

/* A frame from the client. Returns -1 to close the connection. */
int arc_stream_receive(arc_stream_t *st, arc_session_t *s, const void *in,
                       size_t len);

void arc_stream_note_decision(arc_stream_t *st, const arc_request_t *req,
                              const arc_decision_t *d);
void arc_stream_flush(arc_stream_t *st, int64_t now_us);

#endif
