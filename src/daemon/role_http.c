/*
 * role_http.c - the HTTP server of the zone and brain roles (see
 * role_http.h).
 *
 * One idea: every answer, immediate or late, takes the same path - it is
 * copied into the connection, the connection asks to be writable, and
 * the WRITEABLE callback sends headers and body in one write - so a late
 * answer needs nothing special and the loop never blocks.
 *
 * Threads: the role's main thread, inside lws_service. Memory: each
 * connection's body and answer buffers belong to it and are freed when
 * it closes.
 */
#include "daemon/role_http.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#include "api/json_writer.h"

#define BODY_MAX (64 * 1024)
#define HEADER_ROOM 512

struct arc_rhttp_conn {
    struct lws *wsi;
    arc_rhttp_t *server;
    char method[8];
    char path[256];
    char query[256];
    char *body;
    size_t body_len;
    unsigned char *answer; /* LWS_PRE + HEADER_ROOM + body */
    size_t answer_len;
    int status;
    bool answered;
};

struct arc_rhttp {
    struct lws_context *ctx;
    struct lws_protocols protocols[2];
    const arc_auth_t *auth;
    arc_rhttp_handlers_t handlers;
    uint16_t port;
};

void arc_rhttp_reply(arc_rhttp_conn_t *c, int status, const char *body,
                     size_t len)
{
    if (c == NULL || c->answered) {
        return;
    }
    c->answer = malloc(LWS_PRE + HEADER_ROOM + len + 1);
    if (c->answer == NULL) {
        return;
    }
    memcpy(c->answer + LWS_PRE + HEADER_ROOM, body, len);
    c->answer[LWS_PRE + HEADER_ROOM + len] = '\n';
    c->answer_len = len + 1;
    c->status = status;
    c->answered = true;
    lws_callback_on_writable(c->wsi);
}

void arc_rhttp_error(arc_rhttp_conn_t *c, int status, const char *code,
                     const char *message)
{
    arc_jw_t w;

    arc_jw_init(&w, 0);
    arc_jw_obj_open(&w);
    arc_jw_key(&w, "error");
    arc_jw_obj_open(&w);
    arc_jw_kstr(&w, "code", code);
    arc_jw_kstr(&w, "message", message);
    arc_jw_obj_close(&w);
    arc_jw_obj_close(&w);
    if (arc_jw_finish(&w) == ARC_OK) {
        arc_rhttp_reply(c, status, arc_jw_text(&w), arc_jw_len(&w));
    }
    arc_jw_free(&w);
}

/* Headers go just before the body, then one write. */
static int write_answer(arc_rhttp_conn_t *c)
{
    unsigned char hbuf[LWS_PRE + HEADER_ROOM];
    unsigned char *start = hbuf + LWS_PRE, *p = start;
    unsigned char *body = c->answer + LWS_PRE + HEADER_ROOM;
    size_t hlen;

    if (lws_add_http_common_headers(c->wsi, (unsigned)c->status,
                                    "application/json", c->answer_len, &p,
                                    hbuf + sizeof(hbuf)) ||
        lws_finalize_http_header(c->wsi, &p, hbuf + sizeof(hbuf))) {
        return -1;
    }
    hlen = (size_t)(p - start);
    memcpy(body - hlen, start, hlen);
    if (lws_write(c->wsi, body - hlen, hlen + c->answer_len,
                  LWS_WRITE_HTTP_FINAL) < 0) {
        return -1;
    }
    free(c->answer);
    c->answer = NULL;
    return lws_http_transaction_completed(c->wsi) ? -1 : 0;
}

static void reset_conn(arc_rhttp_conn_t *c)
{
    free(c->body);
    free(c->answer);
    c->body = NULL;
    c->answer = NULL;
    c->body_len = 0;
    c->answered = false;
}

static bool authorised(arc_rhttp_conn_t *c)
{
    char hdr[ARC_TOKEN_MAX + 64];
    const char *tok;
    size_t len;
    int n;
    bool change = strcmp(c->method, "GET") != 0;

    if (strncmp(c->path, "/v1/", 4) != 0) {
        return true;
    }
    n = lws_hdr_copy(c->wsi, hdr, sizeof(hdr),
                     WSI_TOKEN_HTTP_AUTHORIZATION);
    if (n <= 0 || arc_auth_parse_bearer(hdr, (size_t)n, &tok, &len) !=
                      ARC_OK) {
        return false;
    }
    return arc_auth_allows(arc_auth_role(c->server->auth, tok, len), change);
}

static void dispatch(arc_rhttp_conn_t *c)
{
    arc_rhttp_req_t r = {c->method, c->path, c->query,
                         c->body ? c->body : "", c->body_len};

    if (!authorised(c)) {
        arc_rhttp_error(c, 401, "unauthorized",
                        "a valid bearer token is required");
        return;
    }
    c->server->handlers.request(c->server->handlers.ctx, c, &r);
}

static int on_http(arc_rhttp_t *h, arc_rhttp_conn_t *c, struct lws *wsi,
                   const char *uri)
{
    reset_conn(c);
    c->wsi = wsi;
    c->server = h;
    snprintf(c->path, sizeof(c->path), "%s", uri);
    c->query[0] = '\0';
    if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0) {
        snprintf(c->method, sizeof(c->method), "POST");
        return 0; /* answered when the body is complete */
    }
    snprintf(c->method, sizeof(c->method), "%s",
             lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0 ? "GET"
                                                             : "OTHER");
    lws_hdr_copy(wsi, c->query, sizeof(c->query), WSI_TOKEN_HTTP_URI_ARGS);
    dispatch(c);
    return 0;
}

static int on_body(arc_rhttp_conn_t *c, const void *in, size_t len)
{
    char *grown;

    if (c->body_len + len > BODY_MAX) {
        return -1;
    }
    grown = realloc(c->body, c->body_len + len + 1);
    if (grown == NULL) {
        return -1;
    }
    c->body = grown;
    memcpy(c->body + c->body_len, in, len);
    c->body_len += len;
    c->body[c->body_len] = '\0';
    return 0;
}

static void on_closed(arc_rhttp_t *h, arc_rhttp_conn_t *c)
{
    if (c->server != NULL) {
        h->handlers.closed(h->handlers.ctx, c);
    }
    reset_conn(c);
    c->server = NULL;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
                    void *user, void *in, size_t len)
{
    const struct lws_protocols *proto = lws_get_protocol(wsi);
    arc_rhttp_t *h = proto ? proto->user : NULL;
    arc_rhttp_conn_t *c = user;

    if (h == NULL || c == NULL) {
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return on_http(h, c, wsi, (const char *)in);
    case LWS_CALLBACK_HTTP_BODY:
        return on_body(c, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        dispatch(c);
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return c->answer != NULL ? write_answer(c) : 0;
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        on_closed(h, c);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

arc_status_t arc_rhttp_new(const char *host, uint16_t port,
                           const arc_auth_t *auth,
                           const arc_rhttp_handlers_t *handlers,
                           arc_rhttp_t **out)
{
    struct lws_context_creation_info info;
    arc_rhttp_t *h = calloc(1, sizeof(*h));

    *out = NULL;
    if (h == NULL) {
        return ARC_ERR_NOMEM;
    }
    h->auth = auth;
    h->handlers = *handlers;
    h->protocols[0].name = "arcnet-role";
    h->protocols[0].callback = callback;
    h->protocols[0].per_session_data_size = sizeof(arc_rhttp_conn_t);
    h->protocols[0].rx_buffer_size = 4096;
    h->protocols[0].user = h;
    memset(&info, 0, sizeof(info));
    info.port = port;
    info.iface = host;
    info.protocols = h->protocols;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    info.keepalive_timeout = 30;
    info.timeout_secs = 60;
    h->ctx = lws_create_context(&info);
    if (h->ctx != NULL) {
        h->port = (uint16_t)lws_get_vhost_listen_port(
            lws_get_vhost_by_name(h->ctx, "default"));
    }
    if (h->ctx == NULL || h->port == 0) {
        arc_rhttp_free(h);
        return ARC_ERR_IO;
    }
    *out = h;
    return ARC_OK;
}

void arc_rhttp_free(arc_rhttp_t *h)
{
    if (h == NULL) {
        return;
    }
    if (h->ctx != NULL) {
        lws_context_destroy(h->ctx);
    }
    free(h);
}

uint16_t arc_rhttp_port(const arc_rhttp_t *h)
{
    return h->port;
}

struct lws_context *arc_rhttp_lws(arc_rhttp_t *h)
{
    return h->ctx;
}

int arc_rhttp_service(arc_rhttp_t *h)
{
    return lws_service(h->ctx, 0);
}
