/*
 * server.c - the lws context, the one protocol callback, request
 * intake (method, path, token, body) and the response writer.
 *
 * One idea: every answer is written in a single lws_write of headers
 * and body together, then the transaction is completed, which keeps
 * keep-alive connections fast. The body is rendered first into a
 * writer that keeps ARC_API_HEADROOM bytes free in front; the headers
 * are then built and copied right before it.
 *
 * A request with a body is answered only once the body has arrived
 * (LWS_CALLBACK_HTTP_BODY_COMPLETION), even when the answer (401, 404,
 * 405) is known from the headers, so no body bytes are ever read as the
 * next request. Bodies past ARC_API_BODY_MAX are read and dropped and
 * answered 413; one announced past ARC_API_BODY_HARD_MAX is refused at
 * once and the connection closed.
 *
 * Threads: the API's one thread, inside lws_service.
 */
#include "api/internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/static.h"
#include "api/static_http.h"
#include "daemon/log.h"

#define ARC_API_BODY_HARD_MAX (64LL * 1024 * 1024)

int arc_api_write(struct lws *wsi, int status, arc_jw_t *w,
                  const arc_api_header_t *hdrs, uint32_t nhdrs)
{
    unsigned char hbuf[LWS_PRE + ARC_API_HEADER_MAX];
    unsigned char *start = hbuf + LWS_PRE, *p = start;
    unsigned char *end = hbuf + sizeof(hbuf);
    size_t blen = arc_jw_len(w);
    char *text = (char *)arc_jw_text(w);
    size_t hlen;

    if (arc_jw_finish(w) != ARC_OK || w->headroom < ARC_API_HEADROOM) {
        return -1;
    }
    text[blen++] = '\n'; /* the writer always keeps a byte spare */
    if (lws_add_http_common_headers(wsi, (unsigned)status,
                                    "application/json", blen, &p, end)) {
        return -1;
    }
    for (uint32_t i = 0; i < nhdrs; i++) {
        if (lws_add_http_header_by_name(
                wsi, (const unsigned char *)hdrs[i].name,
                (const unsigned char *)hdrs[i].value,
                (int)strlen(hdrs[i].value), &p, end)) {
            return -1;
        }
    }
    if (lws_finalize_http_header(wsi, &p, end)) {
        return -1;
    }
    hlen = (size_t)(p - start);
    memcpy(text - hlen, start, hlen);
    if (lws_write(wsi, (unsigned char *)text - hlen, hlen + blen,
                  LWS_WRITE_HTTP_FINAL) < 0) {
        return -1;
    }
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int arc_api_write_error(arc_api_t *api, struct lws *wsi,
                        const arc_api_error_t *err)
{
    arc_api_header_t hdr[2];
    uint32_t n = 0;
    arc_jw_t *w = &api->out;

    arc_jw_reset(w);
    arc_jw_obj_open(w);
    arc_jw_key(w, "error");
    arc_jw_obj_open(w);
    arc_jw_kstr(w, "code", err->code);
    arc_jw_kstr(w, "message", err->message);
    arc_jw_obj_close(w);
    arc_jw_obj_close(w);
    if (err->http == 401) {
        hdr[n].name = "www-authenticate:";
        snprintf(hdr[n++].value, sizeof(hdr[0].value), "Bearer");
    }
    if (err->http == 405 && err->allow != NULL) {
        hdr[n].name = "allow:";
        snprintf(hdr[n++].value, sizeof(hdr[0].value), "%s", err->allow);
    }
    return arc_api_write(wsi, err->http, w, hdr, n);
}

static const char *method_name(int m)
{
    static const char *const names[] = {"GET", "POST", "OPTIONS", "PUT",
                                        "PATCH", "DELETE", "CONNECT",
                                        "HEAD"};

    return m >= 0 && m < (int)ARC_ARRAY_LEN(names) ? names[m] : "OTHER";
}

/* The role the request's bearer token grants. */
static arc_role_t request_role(arc_api_t *api, struct lws *wsi)
{
    char hdr[ARC_TOKEN_MAX + 64];
    const char *tok;
    size_t len;
    int n = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);

    if (n <= 0 || n >= (int)sizeof(hdr) ||
        lws_hdr_copy(wsi, hdr, sizeof(hdr), WSI_TOKEN_HTTP_AUTHORIZATION) <
            0 ||
        arc_auth_parse_bearer(hdr, strlen(hdr), &tok, &len) != ARC_OK) {
        return ARC_ROLE_NONE;
    }
    return arc_auth_role(api->deps.auth, tok, len);
}

/* Decides from the headers alone whether the answer is an error. */
static void check_request(arc_api_t *api, arc_session_t *s,
                          struct lws *wsi, const char *path)
{
    char *uri = NULL;
    int uri_len = 0;
    int m = lws_http_get_uri_and_method(wsi, &uri, &uri_len);

    if (arc_api_resolve(method_name(m), path, &s->match, &s->err) !=
        ARC_OK) {
        s->failed = true;
        return;
    }
    if (!s->match.needs_token) {
        return;
    }
    s->role = request_role(api, wsi);
    if (s->role == ARC_ROLE_NONE) {
        arc_api_error_set(&s->err, 401, "unauthorized",
                          "a valid bearer token is required");
        s->failed = true;
    } else if (!arc_auth_allows(s->role, s->match.changes)) {
        arc_api_error_set(&s->err, 403, "forbidden",
                          "this token may only read");
        s->failed = true;
    }
}

/* Bytes the request announces; -1 for none. */
static long long content_length(struct lws *wsi)
{
    char buf[32];
    char *end = NULL;
    long long v;

    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0 ||
        lws_hdr_copy(wsi, buf, sizeof(buf), WSI_TOKEN_HTTP_CONTENT_LENGTH) <
            0) {
        return -1;
    }
    v = strtoll(buf, &end, 10);
    return *end == '\0' && v >= 0 ? v : ARC_API_BODY_HARD_MAX + 1;
}

static void reset_transaction(arc_session_t *s, struct lws *wsi)
{
    free(s->body);
    s->body = NULL;
    s->body_len = s->body_cap = 0;
    s->body_over = false;
    s->failed = false;
    s->role = ARC_ROLE_NONE;
    s->reply_ready = false;
    s->wsi = wsi;
}

static int on_http(arc_api_t *api, arc_session_t *s, struct lws *wsi,
                   const char *path)
{
    long long clen;

    if (api->deps.console_dir != NULL && arc_static_wants(path) &&
        lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0) {
        return arc_api_serve_static(wsi, api->deps.console_dir, path);
    }
    reset_transaction(s, wsi);
    check_request(api, s, wsi, path);
    clen = content_length(wsi);
    if (clen > ARC_API_BODY_HARD_MAX) {
        arc_api_error_set(&s->err, 413, "payload-too-large",
                          "request body over %d bytes", ARC_API_BODY_MAX);
        arc_api_write_error(api, wsi, &s->err);
        return -1;
    }
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0) {
        /* Not yet: chunked request bodies (lws 4.1 does not decode
         * them for us); the client must send a Content-Length. */
        arc_api_error_set(&s->err, 411, "length-required",
                          "send the body with a Content-Length");
        arc_api_write_error(api, wsi, &s->err);
        return -1;
    }
    if (clen > 0) {
        return 0; /* answered at LWS_CALLBACK_HTTP_BODY_COMPLETION */
    }
    if (s->failed) {
        return arc_api_write_error(api, wsi, &s->err);
    }
    return arc_api_handle(api, s);
}

static int on_body(arc_session_t *s, const void *in, size_t len)
{
    size_t cap = s->body_cap ? s->body_cap : 1024;
    char *nb;

    if (s->failed || s->body_over) {
        return 0;
    }
    if (s->body_len + len > ARC_API_BODY_MAX) {
        s->body_over = true;
        return 0;
    }
    while (cap < s->body_len + len) {
        cap *= 2;
    }
    if (cap != s->body_cap) {
        nb = realloc(s->body, cap);
        if (nb == NULL) {
            return -1;
        }
        s->body = nb;
        s->body_cap = cap;
    }
    memcpy(s->body + s->body_len, in, len);
    s->body_len += len;
    return 0;
}

static int on_body_complete(arc_api_t *api, arc_session_t *s)
{
    if (!s->failed && s->body_over) {
        arc_api_error_set(&s->err, 413, "payload-too-large",
                          "request body over %d bytes", ARC_API_BODY_MAX);
        s->failed = true;
    }
    if (s->failed) {
        return arc_api_write_error(api, s->wsi, &s->err);
    }
    return arc_api_handle(api, s);
}

/*
 * Completing the transaction frees the session (lws gives each HTTP
 * transaction fresh per-session memory), so everything the write needs
 * is moved out of it first.
 */
static int on_http_writable(arc_api_t *api, arc_session_t *s)
{
    arc_api_header_t hdr[ARC_API_MAX_HEADERS];
    uint32_t nhdr = s->reply_hdr_count;
    arc_jw_t reply = s->reply;
    int rc;

    if (!s->reply_ready) {
        return 0;
    }
    memcpy(hdr, s->reply_hdr, sizeof(hdr));
    memset(&s->reply, 0, sizeof(s->reply));
    s->reply_ready = false;
    api->replies_waiting--;
    rc = arc_api_write(s->wsi, s->reply_status, &reply, hdr, nhdr);
    arc_jw_free(&reply);
    return rc;
}

static void on_closed(arc_api_t *api, arc_session_t *s)
{
    if (s == NULL) {
        return;
    }
    arc_api_inference_detach(s);
    if (s->reply_ready) {
        s->reply_ready = false;
        api->replies_waiting--;
    }
    if (s->attached) {
        arc_stream_detach(api->stream, s);
    }
    free(s->body);
    s->body = NULL;
    s->body_len = s->body_cap = 0;
    arc_jw_free(&s->reply);
}

static int http_reasons(arc_api_t *api, arc_session_t *s, struct lws *wsi,
                        enum lws_callback_reasons reason, void *in,
                        size_t len)
{
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return on_http(api, s, wsi, (const char *)in);
    case LWS_CALLBACK_HTTP_BODY:
        return on_body(s, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return on_body_complete(api, s);
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return on_http_writable(api, s);
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        on_closed(api, s);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, s, in, len);
    }
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
                    void *user, void *in, size_t len)
{
    const struct lws_protocols *proto = lws_get_protocol(wsi);
    arc_api_t *api = proto ? proto->user : NULL;
    arc_session_t *s = user;

    if (api == NULL) {
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return arc_stream_filter(api, s, wsi);
    case LWS_CALLBACK_ESTABLISHED:
        s->wsi = wsi;
        arc_stream_attach(api->stream, s);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return arc_stream_writable(api->stream, s);
    case LWS_CALLBACK_RECEIVE:
        return arc_stream_receive(api->stream, s, in, len);
    case LWS_CALLBACK_CLOSED:
        on_closed(api, s);
        return 0;
    default:
        return http_reasons(api, s, wsi, reason, in, len);
    }
}

static arc_status_t create_context(arc_api_t *api, const char *host,
                                   uint16_t port)
{
    struct lws_context_creation_info info;

    api->protocols[0].name = "arcnet";
    api->protocols[0].callback = callback;
    api->protocols[0].per_session_data_size = sizeof(arc_session_t);
    api->protocols[0].rx_buffer_size = 4096;
    api->protocols[0].user = api;
    memset(&info, 0, sizeof(info));
    info.port = port; /* 0: the kernel picks a free port */
    info.iface = host;
    info.protocols = api->protocols;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6 |
                   LWS_SERVER_OPTION_VALIDATE_UTF8;
    info.keepalive_timeout = 30;
    info.timeout_secs = 30;
    api->ctx = lws_create_context(&info);
    if (api->ctx == NULL) {
        return ARC_ERR_IO;
    }
    api->port = (uint16_t)lws_get_vhost_listen_port(
        lws_get_vhost_by_name(api->ctx, "default"));
    return api->port ? ARC_OK : ARC_ERR_IO;
}

arc_status_t arc_api_new(const arc_api_deps_t *deps, const char *host,
                         uint16_t port, arc_api_t **out)
{
    arc_api_t *api = calloc(1, sizeof(*api));
    arc_status_t st = ARC_ERR_NOMEM;

    *out = NULL;
    if (api == NULL) {
        return ARC_ERR_NOMEM;
    }
    api->deps = *deps;
    api->mesh = arc_engine_mesh(deps->engine);
    api->router = arc_engine_router(deps->engine);
    api->next_request_id = 1;
    arc_jw_init(&api->out, ARC_API_HEADROOM);
    api->stream = arc_stream_new(api);
    if (api->stream == NULL) {
        goto fail;
    }
    st = create_context(api, host, port);
    if (st != ARC_OK) {
        goto fail;
    }
    *out = api;
    return ARC_OK;
fail:
    arc_api_free(api);
    return st;
}

void arc_api_free(arc_api_t *api)
{
    if (api == NULL) {
        return;
    }
    if (api->ctx != NULL) {
        lws_context_destroy(api->ctx);
    }
    arc_stream_free(api->stream);
    arc_api_inference_free_all(api);
    arc_jw_free(&api->out);
    free(api);
}

uint16_t arc_api_port(const arc_api_t *api)
{
    return api->port;
}

struct lws_context *arc_api_lws(arc_api_t *api)
{
    return api->ctx;
}

int arc_api_service(arc_api_t *api)
{
    return lws_service(api->ctx, 0);
}

void arc_api_shutdown(arc_api_t *api, int64_t max_wait_us)
{
    lws_usec_t deadline = lws_now_usecs() + max_wait_us;

    arc_api_inference_abort_all(api);
    while (api->replies_waiting > 0 && lws_now_usecs() < deadline) {
        if (lws_service(api->ctx, -1) < 0) {
            break;
        }
        usleep(1000);
    }
}

void arc_api_wake(arc_api_t *api)
{
    lws_cancel_service(api->ctx);
}

void arc_api_on_decision(arc_api_t *api, const arc_request_t *req,
                         const arc_decision_t *d, int64_t now_us)
{
    (void)now_us;
    arc_stream_note_decision(api->stream, req, d);
}

void arc_api_flush(arc_api_t *api, int64_t now_us)
{
    arc_stream_flush(api->stream, now_us);
}
