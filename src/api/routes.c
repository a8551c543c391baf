/*
 * routes.c - one handler per endpoint: read the mesh, the router or the
 * event log and render the answer.
 *
 * Handlers run once the request is known to be well-addressed and
 * authorised (server.c did that); they check their own parameters and
 * body through request.c, render through views.c into the API's
 * reusable writer, and answer in one write. Only inference leaves its
 * answer pending (inference.c).
 *
 * Threads: the API's one thread.
 */
#include "api/internal.h"

#include <string.h>

#include "api/history.h"
#include "api/views.h"

/* Reads the query arguments lws decoded into q. */
static arc_status_t read_query(struct lws *wsi, arc_query_t *q,
                               arc_api_error_t *err)
{
    char frag[ARC_QUERY_KEY_MAX + ARC_QUERY_VALUE_MAX + 2];

    arc_query_init(q);
    for (int i = 0; i < ARC_QUERY_MAX + 1; i++) {
        int len = lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, i);
        int n;

        if (len <= 0) {
            break;
        }
        n = len < (int)sizeof(frag)
                ? lws_hdr_copy_fragment(wsi, frag, sizeof(frag),
                                        WSI_TOKEN_HTTP_URI_ARGS, i)
                : -1;
        if (n < 0 || arc_query_add(q, frag, (size_t)n) != ARC_OK) {
            arc_api_error_set(err, 400, "invalid-parameter",
                              "malformed, too long or too many query "
                              "parameters");
            return ARC_ERR_INVALID;
        }
    }
    return ARC_OK;
}

static int reply_ok(arc_api_t *api, arc_session_t *s)
{
    return arc_api_write(s->wsi, 200, &api->out, NULL, 0);
}

static int fail(arc_api_t *api, arc_session_t *s, const arc_api_error_t *e)
{
    return arc_api_write_error(api, s->wsi, e);
}

static int get_healthz(arc_api_t *api, arc_session_t *s)
{
    arc_jw_obj_open(&api->out);
    arc_jw_kstr(&api->out, "status", "ok");
    arc_jw_obj_close(&api->out);
    return reply_ok(api, s);
}

static int get_nodes(arc_api_t *api, arc_session_t *s)
{
    arc_api_error_t err;
    arc_node_filter_t f;
    arc_query_t q;
    arc_jw_t *w = &api->out;

    if (read_query(s->wsi, &q, &err) != ARC_OK) {
        return fail(api, s, &err);
    }
    if (arc_api_wants_history(&q)) {
        return arc_api_get_nodes_at(api, s, &q);
    }
    if (arc_api_parse_node_filter(&q, &f, &err) != ARC_OK) {
        return fail(api, s, &err);
    }
    /* Not yet: paging; the whole (filtered) mesh goes in one reply. */
    arc_jw_obj_open(w);
    arc_jw_key(w, "nodes");
    arc_jw_arr_open(w);
    for (uint32_t i = 0; i < arc_mesh_count(api->mesh); i++) {
        const arc_node_t *n = arc_mesh_node(api->mesh, i);

        if (arc_api_node_matches(&f, n)) {
            arc_view_node(w, n);
        }
    }
    arc_jw_arr_close(w);
    arc_jw_obj_close(w);
    return reply_ok(api, s);
}

/* The node named by the path, or NULL with a 404 written to err. */
static const arc_node_t *path_node(arc_api_t *api, arc_session_t *s,
                                   uint32_t *index, arc_api_error_t *err)
{
    if (arc_mesh_find(api->mesh, s->match.node_id, index) != ARC_OK) {
        arc_api_error_set(err, 404, "unknown-node", "no node \"%s\"",
                          s->match.node_id);
        return NULL;
    }
    return arc_mesh_node(api->mesh, *index);
}

static int node_reply(arc_api_t *api, arc_session_t *s, const arc_node_t *n)
{
    arc_jw_obj_open(&api->out);
    arc_jw_key(&api->out, "node");
    arc_view_node(&api->out, n);
    arc_jw_obj_close(&api->out);
    return reply_ok(api, s);
}

static int get_node(arc_api_t *api, arc_session_t *s)
{
    arc_api_error_t err;
    uint32_t index;
    arc_query_t q;
    const arc_node_t *n;

    if (read_query(s->wsi, &q, &err) != ARC_OK) {
        return fail(api, s, &err);
    }
    if (arc_api_wants_history(&q)) {
        return arc_api_get_node_at(api, s, &q);
    }
    n = path_node(api, s, &index, &err);
    return n ? node_reply(api, s, n) : fail(api, s, &err);
}

/* The history endpoints, which read their own parameters. */
static int get_history(arc_api_t *api, arc_session_t *s)
{
    arc_api_error_t err;
    arc_query_t q;

    if (read_query(s->wsi, &q, &err) != ARC_OK) {
        return fail(api, s, &err);
    }
    switch (s->match.endpoint) {
    case ARC_EP_NODE_HISTORY:
        return arc_api_get_node_history(api, s, &q);
    case ARC_EP_ZONE_HISTORY:
        return arc_api_get_zone_history(api, s, &q);
    default:
        return arc_api_get_changes(api, s, &q);
    }
}

static int post_drain(arc_api_t *api, arc_session_t *s, bool drained)
{
    arc_api_error_t err;
    uint32_t index;
    const arc_node_t *n = path_node(api, s, &index, &err);

    if (n == NULL) {
        return fail(api, s, &err);
    }
    if (arc_mesh_set_drained(api->mesh, index, drained) != ARC_OK) {
        arc_api_error_set(&err, 500, "internal", "drain failed");
        return fail(api, s, &err);
    }
    return node_reply(api, s, arc_mesh_node(api->mesh, index));
}

static int get_zones(arc_api_t *api, arc_session_t *s)
{
    int64_t now = arc_engine_now(api->deps.engine);
    arc_jw_t *w = &api->out;

    arc_jw_obj_open(w);
    arc_jw_key(w, "zones");
    arc_jw_arr_open(w);
    for (int z = 0; z < ARC_ZONE_COUNT; z++) {
        arc_zone_rates_t r;

        arc_rates_get(api->deps.rates, (arc_zone_t)z, now, &r);
        arc_view_zone(w, (arc_zone_t)z,
                      arc_mesh_zone_totals(api->mesh, (arc_zone_t)z), &r);
    }
    arc_jw_arr_close(w);
    arc_jw_kint(w, "time", now);
    arc_jw_obj_close(w);
    return reply_ok(api, s);
}

/* 503 for a decision that placed nothing (deferred or unavailable). */
static int unplaced(arc_api_t *api, arc_session_t *s,
                    const arc_decision_t *d)
{
    arc_api_header_t hdr;
    arc_api_error_t err;
    double wait_s;

    if (d->status != ARC_ERR_DEFERRED) {
        arc_api_error_set(&err, 503, "unavailable", "%s",
                          arc_reason_text(d->reason));
        return fail(api, s, &err);
    }
    wait_s = (double)(d->retry_at_us - arc_engine_now(api->deps.engine)) /
             ARC_US_PER_S / api->deps.time_scale;
    arc_api_error_set(&err, 503, "deferred", "%s",
                      arc_reason_text(d->reason));
    arc_jw_reset(&api->out);
    arc_jw_obj_open(&api->out);
    arc_jw_key(&api->out, "error");
    arc_jw_obj_open(&api->out);
    arc_jw_kstr(&api->out, "code", err.code);
    arc_jw_kstr(&api->out, "message", err.message);
    arc_jw_kint(&api->out, "retry_at", d->retry_at_us);
    arc_jw_obj_close(&api->out);
    arc_jw_obj_close(&api->out);
    hdr.name = "retry-after:";
    snprintf(hdr.value, sizeof(hdr.value), "%d",
             wait_s < 1 ? 1 : (int)(wait_s + 0.999));
    return arc_api_write(s->wsi, 503, &api->out, &hdr, 1);
}

static int post_route(arc_api_t *api, arc_session_t *s)
{
    arc_route_body_t body;
    arc_api_error_t err;
    arc_decision_t d;
    int64_t now = arc_engine_now(api->deps.engine);

    if (arc_api_parse_route_body(s->body, s->body_len, false,
                                 api->deps.default_policy, &body,
                                 &err) != ARC_OK) {
        return fail(api, s, &err);
    }
    body.req.arrival_us = now;
    if (arc_router_decide(api->router, &body.req, body.policy, now, &d) !=
        ARC_OK) {
        return unplaced(api, s, &d);
    }
    arc_jw_obj_open(&api->out);
    arc_jw_key(&api->out, "decision");
    arc_view_decision(&api->out, api->mesh, &d);
    arc_jw_obj_close(&api->out);
    return reply_ok(api, s);
}

static int post_inference(arc_api_t *api, arc_session_t *s)
{
    arc_route_body_t body;
    arc_api_error_t err;

    if (arc_api_parse_route_body(s->body, s->body_len, true,
                                 api->deps.default_policy, &body,
                                 &err) != ARC_OK ||
        arc_api_inference_submit(api, s, &body, &err) != ARC_OK) {
        return fail(api, s, &err);
    }
    return 0;
}

typedef struct events_ctx {
    arc_jw_t *w;
} events_ctx_t;

static void each_event(void *ctx, const arc_event_t *ev)
{
    events_ctx_t *ec = ctx;

    arc_view_event(ec->w, ev);
}

static int get_events(arc_api_t *api, arc_session_t *s)
{
    arc_event_filter_t f;
    arc_api_error_t err;
    arc_query_t q;
    events_ctx_t ec = {&api->out};

    if (read_query(s->wsi, &q, &err) != ARC_OK ||
        arc_api_parse_event_filter(&q, &f, &err) != ARC_OK) {
        return fail(api, s, &err);
    }
    arc_jw_obj_open(ec.w);
    arc_jw_key(ec.w, "events");
    arc_jw_arr_open(ec.w);
    arc_event_each(api->deps.events, &f, each_event, &ec);
    arc_jw_arr_close(ec.w);
    arc_jw_obj_close(ec.w);
    return reply_ok(api, s);
}

/* The daemon's counters: its bus and what the bus's consumer applied. */
static int get_stats(arc_api_t *api, arc_session_t *s)
{
    arc_jw_obj_open(&api->out);
    if (api->deps.stats != NULL) {
        api->deps.stats(api->deps.stats_ctx, &api->out);
    }
    arc_jw_obj_close(&api->out);
    return reply_ok(api, s);
}

static int get_stream_without_upgrade(arc_api_t *api, arc_session_t *s)
{
    arc_api_error_t err;

    arc_api_error_set(&err, 400, "upgrade-required",
                      "/v1/stream is a WebSocket: send an Upgrade request");
    return fail(api, s, &err);
}

int arc_api_handle(arc_api_t *api, arc_session_t *s)
{
    arc_jw_reset(&api->out);
    switch (s->match.endpoint) {
    case ARC_EP_HEALTHZ:
        return get_healthz(api, s);
    case ARC_EP_NODES:
        return get_nodes(api, s);
    case ARC_EP_NODE:
        return get_node(api, s);
    case ARC_EP_DRAIN:
        return post_drain(api, s, true);
    case ARC_EP_UNDRAIN:
        return post_drain(api, s, false);
    case ARC_EP_ZONES:
        return get_zones(api, s);
    case ARC_EP_ROUTE:
        return post_route(api, s);
    case ARC_EP_INFERENCE:
        return post_inference(api, s);
    case ARC_EP_EVENTS:
        return get_events(api, s);
    case ARC_EP_NODE_HISTORY:
    case ARC_EP_ZONE_HISTORY:
    case ARC_EP_CHANGES:
        return get_history(api, s);
    case ARC_EP_STATS:
        return get_stats(api, s);
    default:
        return get_stream_without_upgrade(api, s);
    }
}
