/*
 * role_http.h - the small HTTP server of the zone and brain roles: one
 * lws context, JSON in and out, token checks, and answers that may come
 * later than the request (a zone answers an inference when the agent's
 * outcome arrives).
 *
 * One idea: a handler either answers at once or keeps the connection
 * handle and answers later; if the client goes away first, the server
 * tells the owner (on_closed) so no answer is ever written to a freed
 * connection.
 *
 * Threads: the role's main thread runs every callback inside
 * arc_rhttp_service. Memory: the server owns its connections; a
 * connection handle is valid until on_closed names it or the server is
 * freed.
 */
#ifndef ARC_DAEMON_ROLE_HTTP_H
#define ARC_DAEMON_ROLE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "api/auth.h"
#include "core/arc.h"

struct lws_context;
typedef struct arc_rhttp arc_rhttp_t;
typedef struct arc_rhttp_conn arc_rhttp_conn_t;

/* One complete request. `path` holds no query; `query` may be "". */
typedef struct arc_rhttp_req {
    const char *method; /* "GET", "POST", ... */
    const char *path;
    const char *query;
    const char *body;   /* NUL-terminated; "" for none */
    size_t body_len;
} arc_rhttp_req_t;

typedef struct arc_rhttp_handlers {
    /* Answers with arc_rhttp_reply now, or keeps `conn` for later. */
    void (*request)(void *ctx, arc_rhttp_conn_t *conn,
                    const arc_rhttp_req_t *req);
    /* `conn` went away; forget it. */
    void (*closed)(void *ctx, arc_rhttp_conn_t *conn);
    void *ctx;
} arc_rhttp_handlers_t;

/*
 * Listens on host:port (0: any free port). Every /v1 path needs a
 * token of `auth` (borrowed); POST needs the operator token.
 * ARC_ERR_IO when the port cannot be bound, ARC_ERR_NOMEM.
 */
arc_status_t arc_rhttp_new(const char *host, uint16_t port,
                           const arc_auth_t *auth,
                           const arc_rhttp_handlers_t *handlers,
                           arc_rhttp_t **out);
void arc_rhttp_free(arc_rhttp_t *h);

uint16_t arc_rhttp_port(const arc_rhttp_t *h);
struct lws_context *arc_rhttp_lws(arc_rhttp_t *h);

/* Serves the loop once; negative when the loop failed. */
int arc_rhttp_service(arc_rhttp_t *h);

/*
 * Answers `conn` with `status` and the JSON `body` (copied). Once per
 * connection and request; later calls are ignored.
 */
void arc_rhttp_reply(arc_rhttp_conn_t *conn, int status, const char *body,
                     size_t len);

/* Answers {"error":{"code":code,"message":message}}. */
void arc_rhttp_error(arc_rhttp_conn_t *conn, int status, const char *code,
                     const char *message);

#endif
