/*
 * stream.c - a libwebsockets client for /v1/stream: one context, one
 * connection, fragments joined into whole frames, and a timer for the
 * caller's tick.
 *
 * The one idea: lws_service() sleeps until a socket or a timer needs
 * it, so a timer (lws_sul) re-armed every tick gives the caller a steady
 * heartbeat without a second thread or a busy loop.
 *
 * The calling thread; the context and frame buffer live for one call.
 */
#include "cli/stream.h"

#include <stdio.h>
#include <string.h>

#include <libwebsockets.h>

#include "cli/grammar.h"

#define FRAME_MAX (16u << 20)

typedef struct run {
    const arc_cli_stream_opts_t *o;
    lws_sorted_usec_list_t sul;
    struct lws_context *ctx;
    arc_cli_buf_t frame;  /* fragments of the frame being received */
    bool done;
    bool stopped;         /* a callback asked to stop */
    char error[ARC_CLI_ERROR_MAX];
} run_t;

static void end(run_t *r, const char *why, const char *detail)
{
    if (r->done)
        return;
    r->done = true;
    snprintf(r->error, sizeof(r->error), "%s%s%.120s", why,
             detail != NULL && detail[0] ? ": " : "",
             detail != NULL ? detail : "");
}

static void stop(run_t *r)
{
    r->done = true;
    r->stopped = true;
}

/* A received fragment; a whole frame goes to the caller. */
static void receive(run_t *r, struct lws *wsi, const void *in, size_t len)
{
    arc_cli_buf_add(&r->frame, in, len);
    if (r->frame.failed || r->frame.len > FRAME_MAX) {
        end(r, "stream frame too large", NULL);
        return;
    }
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
        return;

    if (!r->o->on_frame(r->o->ctx, arc_cli_buf_str(&r->frame),
                        r->frame.len))
        stop(r);
    arc_cli_buf_reset(&r->frame);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
                    void *user, void *in, size_t len)
{
    struct lws_context *ctx = lws_get_context(wsi);
    run_t *r = ctx != NULL ? lws_context_user(ctx) : NULL;

    (void)user;
    if (r == NULL)
        return 0;

    switch (reason) {
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (!r->done)
            receive(r, wsi, in, len);
        return r->done ? -1 : 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        end(r, "cannot open the stream", in != NULL ? (const char *)in
                                                    : "connection failed");
        break;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
    case LWS_CALLBACK_CLIENT_CLOSED:
        end(r, "the server closed the stream", NULL);
        break;
    default:
        break;
    }
    return 0;
}

static void tick(lws_sorted_usec_list_t *sul)
{
    run_t *r = lws_container_of(sul, run_t, sul);
    int ms = r->o->tick_ms > 0 ? r->o->tick_ms : 100;

    if (r->o->on_tick != NULL && !r->o->on_tick(r->o->ctx))
        stop(r);
    if (!r->done)
        lws_sul_schedule(r->ctx, 0, &r->sul, tick, ms * LWS_US_PER_MS);
}

void arc_cli_stream_path(const arc_cli_conn_t *c, const char *prefix,
                         uint64_t since, arc_cli_buf_t *out)
{
    char n[24];

    arc_cli_buf_printf(out, "%s/v1/stream", prefix);
    if (c->token[0] != '\0')
        arc_cli_query_add(out, "token", c->token);
    if (since > 0) {
        snprintf(n, sizeof(n), "%llu", (unsigned long long)since);
        arc_cli_query_add(out, "since", n);
    }
}

static const struct lws_protocols protocols[] = {
    {"arcnet-cli", callback, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static struct lws_context *make_context(run_t *r, bool tls)
{
    struct lws_context_creation_info info;

    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.user = r;
    info.gid = -1;
    info.uid = -1;
    if (tls)
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    return lws_create_context(&info);
}

static bool connect_to(run_t *r, const arc_cli_url_t *url,
                       const char *path)
{
    struct lws_client_connect_info ci;

    memset(&ci, 0, sizeof(ci));
    ci.context = r->ctx;
    ci.address = url->host;
    ci.port = url->port;
    ci.path = path;
    ci.host = url->host;
    ci.origin = url->host;
    ci.ssl_connection = url->tls ? LCCSCF_USE_SSL : 0;
    return lws_client_connect_via_info(&ci) != NULL;
}

arc_status_t arc_cli_stream_run(const arc_cli_conn_t *c,
                                const arc_cli_stream_opts_t *o,
                                char *error)
{
    run_t r;
    arc_cli_url_t url;
    arc_cli_buf_t path;
    arc_status_t st = ARC_OK;

    memset(&r, 0, sizeof(r));
    r.o = o;
    arc_cli_buf_init(&path);
    lws_set_log_level(0, NULL);

    if (arc_cli_url_parse(c->server, &url) != ARC_OK) {
        end(&r, "bad server URL", c->server);
        goto out;
    }
    arc_cli_stream_path(c, url.prefix, o->since, &path);
    r.ctx = make_context(&r, url.tls);
    if (r.ctx == NULL || path.failed) {
        end(&r, "cannot start the stream client", NULL);
        goto out;
    }
    if (!connect_to(&r, &url, arc_cli_buf_str(&path)))
        end(&r, "cannot open the stream", "connection failed");
    tick(&r.sul);

    while (!r.done && lws_service(r.ctx, 0) >= 0)
        ;

out:
    if (!r.stopped) {
        st = ARC_ERR_IO;
        if (!r.done)
            end(&r, "the stream stopped", NULL);
    }
    if (st != ARC_OK && error != NULL)
        snprintf(error, ARC_CLI_ERROR_MAX, "%s", r.error);
    if (r.ctx != NULL) {
        lws_sul_cancel(&r.sul);
        lws_context_destroy(r.ctx);
    }
    arc_cli_buf_free(&r.frame);
    arc_cli_buf_free(&path);
    return st;
}
