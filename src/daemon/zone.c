/*
 * zone.c - arcnetd --role zone: the live state of one geozone, the
 * routing of the requests that enter it, and its reports to the rest of
 * the mesh.
 *
 * The zone reads arcnet.telemetry (every partition, keeping its own
 * zone's nodes) into its mesh, idempotently by each node's sequence
 * number; routes each POST /v1/inference with the router over that
 * mesh; sends the request to the chosen agent on arcnet.inference (key:
 * the node id) and answers the client when the agent's outcome comes
 * back. A request spills to the neighbour zone whose last summary shows
 * the most free GPUs (key "zone:NAME", read by one replica of that
 * zone) when no node of the zone can take it, or first, when the zone
 * is short of healthy GPUs and the router's share rule picks it (a node
 * here takes it if no neighbour can). Every --summary-ms the zone
 * publishes its totals to arcnet.zone-summary; each event its detector
 * records goes to arcnet.events.
 *
 * One idea: nothing waits forever. Every request in flight has a
 * deadline (--request-timeout-ms) and a node; a sweep every 100 ms
 * answers 504 past the deadline, and when the node has been silent past
 * the heartbeat timeout it marks the node silent in the mesh (so it
 * leaves the healthy totals, the summary and the share rule until it
 * reports again), records node-down and places the request again
 * elsewhere (at most three placements), or answers 503.
 *
 * Replicas: each replica (--replica NAME) reads every message in its own
 * consumer groups, so replicas of a zone hold the same state from the
 * same log; each can route. A replica that restarts resumes from its
 * groups' committed offsets.
 *
 * Threads: the main thread runs the lws loop and polls the bus from a
 * 10 ms timer on it. Memory: the zone owns everything it opens.
 */
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/request.h"
#include "bus/ingest.h"
#include "core/geo.h"
#include "daemon/log.h"
#include "daemon/role.h"
#include "daemon/role_events.h"
#include "daemon/role_http.h"
#include "daemon/role_views.h"
#include "daemon/silence.h"
#include "route/router.h"
#include "store/feed.h"
#include "store/store.h"

#define MAX_PENDING 4096
#define MAX_PLACEMENTS 3
#define POLL_US (10 * 1000)
#define SWEEP_US (100 * 1000)

typedef struct pending {
    bool used;
    arc_request_t req;
    arc_rhttp_conn_t *conn; /* NULL: came from another zone */
    arc_policy_t policy;
    int node;               /* mesh index it was sent to; -1: spilled */
    uint32_t placements;
    int64_t deadline_us;    /* real time */
    double rtt_ms;
    bool spilled;           /* sent to a neighbour zone (once at most) */
} pending_t;

typedef struct summary {
    arc_msg_zone_summary_t msg;
    int64_t received_us;
} summary_t;

typedef struct zone {
    const arc_config_t *cfg;
    arc_zone_t zone;
    arc_role_bus_t rb;
    arc_role_mesh_t rm;
    arc_router_t *router;
    arc_event_log_t *events;
    arc_event_detector_t *detector;
    bool detector_hooked;
    arc_ingest_t *ingest;       /* telemetry, summaries, outcomes */
    arc_ingest_t *spill_ingest; /* requests addressed to this zone */
    arc_bus_sub_t *sub, *spill_sub;
    arc_rhttp_t *http;
    arc_store_t *store;         /* --store: the zone's history, or NULL */
    arc_store_feed_t *feed;
    arc_role_node_stats_t *stats;
    arc_silence_t *silence;     /* our nodes, longest unheard first */
    pending_t *pending;
    uint32_t npending;
    summary_t summaries[ARC_ZONE_COUNT];
    uint64_t summary_seq, msg_seq, next_id;
    uint64_t spilled_out;       /* requests sent to a neighbour zone */
    uint64_t spilled_out_share; /* of those, sent by the share rule */
    uint64_t spilled_in;        /* requests another zone or the brain
                                   sent here */
    uint64_t spilled_in_served; /* of those, served by our nodes */
    int64_t heartbeat_us;
    int64_t opened_us;          /* when the zone's state was opened */
    int64_t next_summary_us, next_sweep_us;
    bool sharing;               /* the share rule spills some requests */
    arc_role_outbox_t outbox;   /* events the producer refused */
    arc_role_backlog_t backlog;
    lws_sorted_usec_list_t sul;
    arc_jw_t out;
} zone_t;

/* ---- answers ---------------------------------------------------------- */

static void answer_json(zone_t *z, arc_rhttp_conn_t *conn, int status)
{
    if (arc_jw_finish(&z->out) == ARC_OK) {
        arc_rhttp_reply(conn, status, arc_jw_text(&z->out),
                        arc_jw_len(&z->out));
    } else {
        arc_rhttp_error(conn, 500, "internal", "the answer did not fit");
    }
}

static void answer_outcome(zone_t *z, pending_t *p,
                           const arc_msg_outcome_t *o)
{
    arc_jw_t *w = &z->out;

    arc_jw_reset(w);
    arc_jw_obj_open(w);
    arc_jw_kuint(w, "id", p->req.id);
    arc_jw_kstr(w, "model", arc_model_get(p->req.model)->name);
    arc_jw_kstr(w, "node", o->node);
    arc_jw_kstr(w, "zone", arc_zone_name(o->zone));
    arc_jw_kbool(w, "spilled", o->zone != (uint8_t)z->zone);
    arc_jw_kuint(w, "placements", p->placements);
    arc_jw_kstr(w, "energy_source", arc_source_name(o->source));
    arc_jw_kdouble(w, "carbon_g", o->carbon_g);
    arc_jw_kdouble(w, "energy_kwh", o->energy_kwh);
    arc_jw_kdouble(w, "rtt_ms", p->rtt_ms);
    arc_jw_kdouble(w, "service_ms", o->service_ms);
    arc_jw_kbool(w, "slo_missed", o->slo_missed);
    arc_jw_obj_close(w);
    answer_json(z, p->conn, 200);
}

/* ---- requests in flight ----------------------------------------------- */

static pending_t *find_pending(zone_t *z, uint64_t id)
{
    for (uint32_t i = 0; i < MAX_PENDING; i++) {
        if (z->pending[i].used && z->pending[i].req.id == id) {
            return &z->pending[i];
        }
    }
    return NULL;
}

static pending_t *new_pending(zone_t *z)
{
    for (uint32_t i = 0; i < MAX_PENDING; i++) {
        if (!z->pending[i].used) {
            memset(&z->pending[i], 0, sizeof(pending_t));
            z->pending[i].used = true;
            z->pending[i].node = -1;
            z->npending++;
            return &z->pending[i];
        }
    }
    return NULL;
}

/* Forgets a request; gives its GPUs back to the node's bookkeeping. */
static void drop_pending(zone_t *z, pending_t *p)
{
    if (p->node >= 0) {
        arc_mesh_note_complete(z->rm.mesh, (uint32_t)p->node,
                               arc_model_get(p->req.model)->gpus);
    }
    p->used = false;
    z->npending--;
}

/* Tells the client (or, for a request from another zone, its zone)
 * that the request failed, and forgets it. */
static void fail_pending(zone_t *z, pending_t *p, int http,
                         const char *code, const char *message)
{
    if (p->conn != NULL) {
        arc_rhttp_error(p->conn, http, code, message);
    } else {
        arc_msg_outcome_t o;
        const uint8_t *data;
        size_t len;

        memset(&o, 0, sizeof(o));
        o.seq = ++z->msg_seq;
        o.request_id = p->req.id;
        o.status = ARC_ERR_UNAVAILABLE;
        o.reason = ARC_REASON_NO_CAPACITY;
        o.zone = (uint8_t)z->zone;
        o.finished_us = arc_now_us();
        o.slo_missed = true;
        if (arc_codec_encode_outcome(z->rb.codec, &o, &data, &len) ==
            ARC_OK) {
            arc_role_publish(&z->rb, ARC_RT_INFERENCE,
                             arc_zone_name(z->zone), data, len);
        }
    }
    arc_event_request_failed(z->events, z->zone, NULL, &p->req, message);
    drop_pending(z, p);
}

static arc_status_t send_request(zone_t *z, const arc_request_t *req,
                                 const char *key)
{
    arc_msg_request_t m = {++z->msg_seq, *req};
    const uint8_t *data;
    size_t len;
    arc_status_t st = arc_codec_encode_request(z->rb.codec, &m, &data, &len);

    return st == ARC_OK ? arc_role_publish(&z->rb, ARC_RT_INFERENCE, key,
                                           data, len)
                        : st;
}

/* The neighbour whose fresh summary shows the most free GPUs. */
static int spill_target(zone_t *z, uint32_t gpus)
{
    int64_t fresh = 3 * (int64_t)z->cfg->summary_ms * ARC_US_PER_MS;
    int best = -1;
    uint32_t most = 0;

    for (int i = 0; i < ARC_ZONE_COUNT; i++) {
        const summary_t *s = &z->summaries[i];

        if (i == (int)z->zone || s->received_us == 0 ||
            arc_now_us() - s->received_us > fresh ||
            s->msg.totals.nodes_up == 0 || s->msg.totals.gpus_free < gpus ||
            s->msg.totals.gpus_free <= most) {
            continue;
        }
        best = i;
        most = s->msg.totals.gpus_free;
    }
    return best;
}

static bool spill(zone_t *z, pending_t *p)
{
    char key[32];
    int target;

    if (p->conn == NULL || p->spilled) {
        return false; /* a request spills once, and not back */
    }
    target = spill_target(z, arc_model_get(p->req.model)->gpus);
    if (target < 0) {
        return false;
    }
    snprintf(key, sizeof(key), "zone:%s", arc_zone_name((arc_zone_t)target));
    if (send_request(z, &p->req, key) != ARC_OK) {
        return false;
    }
    p->spilled = true;
    p->placements++;
    z->spilled_out++;
    return true;
}

/* Sends a request to the node of this zone the router picks; false:
 * no node here can take it. */
static bool place_here(zone_t *z, pending_t *p)
{
    arc_decision_t dec;
    const arc_node_t *n;

    if (arc_router_decide(z->router, &p->req, p->policy, arc_now_us(),
                          &dec) != ARC_OK) {
        return false;
    }
    n = arc_mesh_node(z->rm.mesh, dec.chosen.node);
    if (send_request(z, &p->req, n->id) != ARC_OK) {
        return false;
    }
    p->node = (int)dec.chosen.node;
    p->rtt_ms = dec.chosen.value[ARC_TERM_LATENCY];
    p->placements++;
    arc_mesh_note_dispatch(z->rm.mesh, dec.chosen.node,
                           arc_model_get(p->req.model)->gpus);
    return true;
}

/*
 * Places a request; false: nowhere to go. While too few of the zone's
 * GPUs are healthy, the share of requests the router's rule picks by
 * id goes to a neighbour first (spill() refuses requests that came
 * from another zone); the rest, and those no neighbour's summary shows
 * room for, go to a node here; what no node here can take spills.
 */
static bool place(zone_t *z, pending_t *p)
{
    if (arc_router_spills(arc_router_config(z->router),
                          arc_mesh_zone_totals(z->rm.mesh, z->zone),
                          p->req.id) &&
        spill(z, p)) {
        z->spilled_out_share++;
        return true;
    }
    return place_here(z, p) || spill(z, p);
}

/* Marks silent in the mesh, and records node-down once for, each node
 * of the zone silent past the heartbeat timeout: one that reported and
 * then stopped, or one never heard from since the zone opened. It
 * leaves the healthy totals until its next report. The silence watch
 * names them longest unheard first, so a sweep reads only those. */
static void watch_silence(zone_t *z, int64_t now)
{
    int64_t since;
    uint32_t i;

    while ((i = arc_silence_front(z->silence, &since)) != ARC_SILENCE_NONE &&
           now - since > z->heartbeat_us) {
        const arc_node_t *n = arc_mesh_node(z->rm.mesh, i);
        bool never = n->seq == 0;

        arc_silence_forget(z->silence, i); /* until its next report */
        if (n->silent) {
            continue;
        }
        arc_mesh_mark_silent(z->rm.mesh, i);
        if (never) {
            arc_event_record(z->events, ARC_EVENT_NODE_DOWN,
                             ARC_SEV_WARNING, z->zone, n->id,
                             "no telemetry in the %lld ms since the zone "
                             "opened; not routed to until it reports",
                             (long long)(z->heartbeat_us / ARC_US_PER_MS));
            continue;
        }
        arc_event_record(z->events, ARC_EVENT_NODE_DOWN, ARC_SEV_WARNING,
                         z->zone, n->id, "no telemetry for %lld ms; not "
                         "routed to until it reports again",
                         (long long)(z->heartbeat_us / ARC_US_PER_MS));
    }
}

/* The node of a request went silent: place the request again. */
static void replace_lost(zone_t *z, pending_t *p)
{
    arc_mesh_note_complete(z->rm.mesh, (uint32_t)p->node,
                           arc_model_get(p->req.model)->gpus);
    p->node = -1;
    if (p->placements >= MAX_PLACEMENTS || !place(z, p)) {
        fail_pending(z, p, 503, "node-lost",
                     "the node running the request stopped reporting and "
                     "no other node could take it");
    }
}

/* Says in the log when the share rule starts, and stops, sending part
 * of the zone's new requests to its neighbours first. */
static void watch_share(zone_t *z)
{
    const arc_zone_totals_t *t = arc_mesh_zone_totals(z->rm.mesh, z->zone);
    double spill = arc_router_spill_fraction(arc_router_config(z->router),
                                             t);

    if ((spill > 0.0) == z->sharing) {
        return;
    }
    z->sharing = spill > 0.0;
    if (z->sharing) {
        arc_daemon_log(ARC_LOG_WARN, "zone", "too few healthy GPUs; a "
                       "share of new requests goes to a neighbour zone "
                       "first zone=%s gpus_healthy=%u gpus_total=%u "
                       "spill=%.2f", arc_zone_name(z->zone),
                       t->gpus_healthy, t->gpus_total, spill);
    } else {
        arc_daemon_log(ARC_LOG_INFO, "zone", "enough healthy GPUs again; "
                       "new requests stay in the zone zone=%s "
                       "gpus_healthy=%u gpus_total=%u",
                       arc_zone_name(z->zone), t->gpus_healthy,
                       t->gpus_total);
    }
}

static void sweep(zone_t *z, int64_t now)
{
    watch_silence(z, now);
    watch_share(z);
    for (uint32_t i = 0; i < MAX_PENDING && z->npending > 0; i++) {
        pending_t *p = &z->pending[i];

        if (!p->used) {
            continue;
        }
        if (now > p->deadline_us) {
            fail_pending(z, p, 504, "timeout",
                         "no outcome came back before the request's "
                         "timeout");
        } else if (p->node >= 0 &&
                   !arc_node_is_live(arc_mesh_node(z->rm.mesh,
                                                   (uint32_t)p->node),
                                     now, z->heartbeat_us)) {
            replace_lost(z, p);
        }
    }
}

/* ---- what the bus brings ---------------------------------------------- */

static arc_status_t on_telemetry(void *ctx, const arc_telemetry_t *t)
{
    zone_t *z = ctx;
    const arc_node_t *n = arc_mesh_node(z->rm.mesh, t->node);
    uint64_t prev = n->seq;
    arc_status_t st;

    if (n->zone != (uint8_t)z->zone) {
        return ARC_OK; /* another zone's node: not ours to apply */
    }
    st = arc_mesh_apply(z->rm.mesh, t);
    if (st == ARC_OK) {
        z->stats[t->node].reports++;
        z->stats[t->node].gaps += prev != 0 && t->seq != prev + 1;
        arc_silence_heard(z->silence, t->node, n->last_heartbeat_us);
    }
    return st;
}

static arc_status_t on_summary(void *ctx, const arc_msg_zone_summary_t *s)
{
    zone_t *z = ctx;
    summary_t *mine = &z->summaries[s->zone];

    if (s->zone == (uint8_t)z->zone) {
        return ARC_OK; /* ours, maybe from another replica */
    }
    mine->msg = *s;
    mine->received_us = arc_now_us();
    return ARC_OK;
}

static arc_status_t on_outcome(void *ctx, const arc_msg_outcome_t *o)
{
    zone_t *z = ctx;
    pending_t *p = find_pending(z, o->request_id);

    if (p == NULL) {
        return ARC_OK; /* another replica's or another zone's request */
    }
    if (p->conn == NULL) {
        z->spilled_in_served += o->status == ARC_OK;
        drop_pending(z, p); /* the asking zone reads the outcome too */
    } else if (o->status == ARC_OK) {
        answer_outcome(z, p, o);
        drop_pending(z, p);
    } else if (p->node < 0 && p->placements < MAX_PLACEMENTS &&
               place_here(z, p)) {
        /* The neighbour could not take it after all; a node here can. */
    } else {
        fail_pending(z, p, 503, "no-capacity",
                     "no node in this zone or its neighbours could take "
                     "the request");
    }
    return ARC_OK;
}

/* A request another zone (or the brain) sent here. */
static arc_status_t on_spilled(void *ctx, const arc_msg_request_t *r)
{
    zone_t *z = ctx;
    pending_t *p;

    if (find_pending(z, r->req.id) != NULL) {
        return ARC_ERR_DUPLICATE;
    }
    p = new_pending(z);
    if (p == NULL) {
        return ARC_ERR_FULL;
    }
    z->spilled_in++;
    p->req = r->req;
    p->policy = z->cfg->policy;
    p->deadline_us = r->req.deadline_us ? r->req.deadline_us
                                        : arc_now_us() +
                                              (int64_t)z->cfg
                                                      ->request_timeout_ms *
                                                  ARC_US_PER_MS;
    if (!place(z, p)) {
        fail_pending(z, p, 503, "no-capacity", "no node could take it");
    }
    return ARC_OK;
}

static arc_status_t on_spill_message(void *ctx, const arc_bus_msg_t *msg)
{
    zone_t *z = ctx;
    char key[32];
    size_t n = (size_t)snprintf(key, sizeof(key), "zone:%s",
                                arc_zone_name(z->zone));

    if (msg->key == NULL || msg->key_len != n ||
        memcmp(msg->key, key, n) != 0) {
        return ARC_OK;
    }
    return arc_ingest_handle(z->spill_ingest, msg);
}

static void on_event(void *ctx, const arc_event_t *ev)
{
    zone_t *z = ctx;

    arc_role_send_event(&z->rb, &z->outbox, ev);
}

/* The backlog watcher's events go into the zone's own log (GET
 * /v1/events here at once) and from there to the brain. */
static void say_bus(void *ctx, arc_event_type_t type, arc_severity_t sev,
                    const char *message)
{
    zone_t *z = ctx;

    arc_event_record(z->events, type, sev, z->zone, NULL, "%s", message);
}

static void publish_summary(zone_t *z, int64_t now)
{
    arc_msg_zone_summary_t s;
    const uint8_t *data;
    size_t len;

    s.seq = ++z->summary_seq;
    s.time_us = now;
    s.zone = (uint8_t)z->zone;
    s.totals = *arc_mesh_zone_totals(z->rm.mesh, z->zone);
    if (arc_codec_encode_zone_summary(z->rb.codec, &s, &data, &len) ==
        ARC_OK) {
        arc_role_publish(&z->rb, ARC_RT_SUMMARY, arc_zone_name(z->zone),
                         data, len);
    }
}

/* Every 10 ms on the lws loop: the bus, the sweep, the summary. */
static void on_timer(lws_sorted_usec_list_t *sul)
{
    zone_t *z = lws_container_of(sul, zone_t, sul);
    int64_t now = arc_now_us();

    arc_bus_poll(z->rb.bus, 0, 1024, NULL);
    arc_role_outbox_retry(&z->rb, &z->outbox);
    arc_role_backlog_watch(&z->backlog, &z->rb, now);
    if (now >= z->next_sweep_us) {
        sweep(z, now);
        z->next_sweep_us = now + SWEEP_US;
    }
    if (z->feed != NULL) {
        arc_store_feed_tick(z->feed, now);
    }
    if (now >= z->next_summary_us) {
        publish_summary(z, now);
        z->next_summary_us = now + (int64_t)z->cfg->summary_ms *
                                       ARC_US_PER_MS;
    }
    lws_sul_schedule(arc_rhttp_lws(z->http), 0, &z->sul, on_timer, POLL_US);
}

/* ---- HTTP ------------------------------------------------------------- */

static void http_inference(zone_t *z, arc_rhttp_conn_t *conn,
                           const arc_rhttp_req_t *r)
{
    arc_route_body_t body;
    arc_api_error_t err;
    pending_t *p;

    if (arc_api_parse_route_body(r->body, r->body_len, true,
                                 z->cfg->policy, &body, &err) != ARC_OK) {
        arc_rhttp_error(conn, err.http, err.code, err.message);
        return;
    }
    p = new_pending(z);
    if (p == NULL) {
        arc_rhttp_error(conn, 503, "queue-full",
                        "too many requests in flight; try again");
        return;
    }
    p->req = body.req;
    p->req.id = ++z->next_id;
    p->req.arrival_us = arc_now_us();
    p->deadline_us = p->req.arrival_us +
                     (int64_t)z->cfg->request_timeout_ms * ARC_US_PER_MS;
    p->req.deadline_us = p->deadline_us;
    p->policy = body.policy;
    p->conn = conn;
    if (!place(z, p)) {
        fail_pending(z, p, 503, "no-capacity",
                     "no node in this zone or its neighbours can take the "
                     "request now");
    }
}

static void http_zones(zone_t *z, arc_rhttp_conn_t *conn)
{
    arc_jw_t *w = &z->out;

    arc_jw_reset(w);
    arc_jw_obj_open(w);
    arc_jw_key(w, "zones");
    arc_jw_arr_open(w);
    for (int i = 0; i < ARC_ZONE_COUNT; i++) {
        const summary_t *s = &z->summaries[i];

        if (i == (int)z->zone) {
            arc_role_view_zone(w, z->zone,
                               arc_mesh_zone_totals(z->rm.mesh, z->zone),
                               z->summary_seq, arc_now_us());
        } else if (s->received_us != 0) {
            arc_role_view_zone(w, (arc_zone_t)i, &s->msg.totals, s->msg.seq,
                               s->msg.time_us);
        }
    }
    arc_jw_arr_close(w);
    arc_jw_obj_close(w);
    answer_json(z, conn, 200);
}

static void http_stats(zone_t *z, arc_rhttp_conn_t *conn)
{
    const arc_ingest_t *ing[2] = {z->ingest, z->spill_ingest};
    arc_jw_t *w = &z->out;

    arc_jw_reset(w);
    arc_jw_obj_open(w);
    arc_jw_kstr(w, "role", "zone");
    arc_jw_kstr(w, "zone", arc_zone_name(z->zone));
    arc_jw_kstr(w, "replica", z->cfg->replica);
    arc_jw_kuint(w, "in_flight", z->npending);
    arc_jw_kuint(w, "spilled_out", z->spilled_out);
    arc_jw_kuint(w, "spilled_out_share", z->spilled_out_share);
    arc_jw_kuint(w, "spilled_in", z->spilled_in);
    arc_jw_kuint(w, "spilled_in_served", z->spilled_in_served);
    arc_role_view_counters(w, &z->rb, ing, 2);
    arc_jw_obj_close(w);
    answer_json(z, conn, 200);
}

static void on_http(void *ctx, arc_rhttp_conn_t *conn,
                    const arc_rhttp_req_t *r)
{
    zone_t *z = ctx;
    bool get = strcmp(r->method, "GET") == 0;

    if (strcmp(r->path, "/v1/inference") == 0 &&
        strcmp(r->method, "POST") == 0) {
        http_inference(z, conn, r);
    } else if (get && strcmp(r->path, "/v1/nodes") == 0) {
        arc_jw_reset(&z->out);
        arc_role_view_nodes(&z->out, z->rm.mesh, (int)z->zone, z->stats);
        answer_json(z, conn, 200);
    } else if (get && strcmp(r->path, "/v1/zones") == 0) {
        http_zones(z, conn);
    } else if (get && strcmp(r->path, "/v1/events") == 0) {
        arc_jw_reset(&z->out);
        arc_role_view_events(&z->out, z->events, 1000);
        answer_json(z, conn, 200);
    } else if (get && (strcmp(r->path, "/v1/stats") == 0 ||
                       strcmp(r->path, "/healthz") == 0)) {
        http_stats(z, conn);
    } else {
        arc_rhttp_error(conn, 404, "not-found", "no such path on a zone");
    }
}

static void on_http_closed(void *ctx, arc_rhttp_conn_t *conn)
{
    zone_t *z = ctx;

    for (uint32_t i = 0; i < MAX_PENDING; i++) {
        if (z->pending[i].used && z->pending[i].conn == conn) {
            /* The client left; the outcome, if any, is dropped. */
            drop_pending(z, &z->pending[i]);
        }
    }
}

/* ---- life ------------------------------------------------------------- */

static arc_status_t open_state(zone_t *z)
{
    arc_router_config_t rc;
    arc_event_config_t ec;
    uint32_t n;
    arc_status_t st = arc_role_mesh_open(&z->rm, z->cfg);

    if (st != ARC_OK) {
        return st;
    }
    n = arc_mesh_count(z->rm.mesh);
    z->stats = calloc(n, sizeof(*z->stats));
    z->silence = arc_silence_new(n);
    z->pending = calloc(MAX_PENDING, sizeof(*z->pending));
    arc_router_config_default(&rc);
    z->heartbeat_us = 3 * (int64_t)((double)z->cfg->tick_ms *
                                    ARC_US_PER_MS / z->cfg->time_scale);
    rc.heartbeat_timeout_us = z->heartbeat_us;
    z->opened_us = arc_now_us();
    for (uint32_t i = 0; z->silence != NULL && i < n; i++) {
        if (arc_mesh_node(z->rm.mesh, i)->zone == (uint8_t)z->zone) {
            arc_silence_heard(z->silence, i, z->opened_us);
        }
    }
    z->router = arc_router_new(z->rm.mesh, &rc);
    arc_event_config_default(&ec);
    ec.capacity = 20000;
    z->events = arc_event_log_new(&ec);
    if (z->stats == NULL || z->silence == NULL || z->pending == NULL ||
        z->router == NULL || z->events == NULL) {
        return ARC_ERR_NOMEM;
    }
    z->detector = arc_event_detector_new(z->rm.mesh, z->events);
    if (z->detector == NULL ||
        arc_mesh_add_hook(z->rm.mesh, arc_event_detector_hook,
                          z->detector) != ARC_OK) {
        return ARC_ERR_NOMEM;
    }
    z->detector_hooked = true;
    return arc_event_subscribe(z->events, on_event, z);
}

/* With --store, the zone keeps the history of its nodes and events.
 * Not yet: request outcomes are not written to it. */
static arc_status_t open_store(zone_t *z)
{
    arc_store_config_t sc;
    char err[256];
    arc_status_t st;

    if (z->cfg->store[0] == '\0') {
        return ARC_OK;
    }
    arc_store_config_default(&sc);
    st = arc_store_open(z->cfg->store, &sc, &z->store, err, sizeof(err));
    if (st != ARC_OK) {
        arc_daemon_log(ARC_LOG_ERROR, "store", "cannot open history: %s",
                       err);
        return st;
    }
    return arc_store_feed_new(z->store, z->rm.mesh, z->events, NULL, NULL,
                              60 * ARC_US_PER_S, &z->feed);
}

static arc_status_t open_bus(zone_t *z)
{
    arc_ingest_hooks_t hooks = {.telemetry = on_telemetry,
                                .zone_summary = on_summary,
                                .outcome = on_outcome, .ctx = z};
    arc_ingest_hooks_t spill_hooks = {.request = on_spilled, .ctx = z};
    const char *topics[3];
    char name[96], group[200], label[96], subject[96];
    arc_status_t st;

    snprintf(name, sizeof(name), "zone-%s-%s", arc_zone_name(z->zone),
             z->cfg->replica);
    st = arc_role_bus_open(&z->rb, z->cfg, name);
    if (st != ARC_OK) {
        return st;
    }
    snprintf(label, sizeof(label), "zone=%s replica=%s",
             arc_zone_name(z->zone), z->cfg->replica);
    snprintf(subject, sizeof(subject), "zone %s replica %s",
             arc_zone_name(z->zone), z->cfg->replica);
    arc_role_backlog_init(&z->backlog, label, subject, say_bus, z);
    z->ingest = arc_ingest_new(z->rm.mesh, &hooks, arc_role_bus_log, NULL);
    z->spill_ingest = arc_ingest_new(NULL, &spill_hooks, arc_role_bus_log,
                                     NULL);
    if (z->ingest == NULL || z->spill_ingest == NULL) {
        return ARC_ERR_NOMEM;
    }
    topics[0] = z->rb.topic[ARC_RT_TELEMETRY];
    topics[1] = z->rb.topic[ARC_RT_SUMMARY];
    topics[2] = z->rb.topic[ARC_RT_INFERENCE];
    arc_role_group(&z->rb, name, group, sizeof(group));
    st = arc_bus_subscribe(z->rb.bus, topics, 3, group, arc_ingest_handle,
                           z->ingest, &z->sub);
    if (st != ARC_OK) {
        return st;
    }
    snprintf(name, sizeof(name), "zone-%s-spill", arc_zone_name(z->zone));
    arc_role_group(&z->rb, name, group, sizeof(group));
    return arc_bus_subscribe(z->rb.bus, &topics[2], 1, group,
                             on_spill_message, z, &z->spill_sub);
}

static arc_status_t zone_open(zone_t *z, const arc_auth_t *auth)
{
    arc_rhttp_handlers_t h = {on_http, on_http_closed, z};
    arc_status_t st;

    z->zone = (arc_zone_t)z->cfg->zone;
    /* Ids stay below 2^53 so JSON clients read them exactly. */
    z->next_id = ((uint64_t)(((unsigned)getpid() ^ (unsigned)arc_now_us()) &
                             0xfffffu)
                  << 32);
    arc_jw_init(&z->out, 0);
    st = open_state(z);
    if (st == ARC_OK) {
        st = open_store(z);
    }
    if (st == ARC_OK) {
        st = open_bus(z);
    }
    if (st == ARC_OK) {
        st = arc_rhttp_new(z->cfg->listen_host, z->cfg->listen_port, auth, &h,
                           &z->http);
    }
    return st;
}

static void zone_close(zone_t *z)
{
    arc_rhttp_free(z->http); /* tells on_http_closed of every client */
    arc_role_bus_close(&z->rb);
    arc_ingest_free(z->ingest);
    arc_ingest_free(z->spill_ingest);
    arc_store_feed_free(z->feed);
    arc_store_close(z->store);
    if (z->events != NULL) {
        arc_event_unsubscribe(z->events, on_event, z);
    }
    if (z->detector_hooked) {
        arc_mesh_remove_hook(z->rm.mesh, arc_event_detector_hook,
                             z->detector);
    }
    arc_event_detector_free(z->detector);
    arc_event_log_free(z->events);
    arc_router_free(z->router);
    arc_role_mesh_close(&z->rm);
    free(z->stats);
    arc_silence_free(z->silence);
    free(z->pending);
    arc_jw_free(&z->out);
}

arc_status_t arc_zone_run(const arc_config_t *cfg, const arc_auth_t *auth,
                          const volatile sig_atomic_t *stop)
{
    zone_t *z = calloc(1, sizeof(*z));
    arc_status_t st = ARC_ERR_NOMEM;

    if (z != NULL) {
        z->cfg = cfg;
        st = zone_open(z, auth);
    }
    if (st == ARC_OK) {
        printf("ArcNet zone %s: http://%s:%u/v1\n", arc_zone_name(z->zone),
               cfg->listen_host, (unsigned)arc_rhttp_port(z->http));
        fflush(stdout);
        arc_daemon_log(ARC_LOG_INFO, "zone", "running zone=%s replica=%s "
                       "port=%u", arc_zone_name(z->zone), cfg->replica,
                       (unsigned)arc_rhttp_port(z->http));
        lws_sul_schedule(arc_rhttp_lws(z->http), 0, &z->sul, on_timer,
                         POLL_US);
        while (!*stop && arc_rhttp_service(z->http) >= 0) {
        }
        lws_sul_cancel(&z->sul);
    }
    if (z != NULL) {
        zone_close(z);
        free(z);
    }
    return st;
}
