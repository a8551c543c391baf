/*
 * brain.c - arcnetd --role brain: the global view at the HPC facility.
 *
 * The brain reads every zone's summaries (arcnet.zone-summary) and
 * events (arcnet.events) and the requests that enter through the Oak
 * Ridge bridge (ornl.bridge.ingress). It answers GET /v1/zones with the
 * latest summary of each zone and GET /v1/events with the events of all
 * zones, and hands each bridge request to the zone of its origin (key
 * "zone:NAME" on arcnet.inference, the same path a spill takes).
 *
 * One idea: replicas of a zone report the same events; the brain keeps
 * one of each by remembering the last few (zone, type, node, time) keys.
 *
 * Threads: the main thread runs the lws loop and polls the bus from a
 * 10 ms timer on it. Memory: the brain owns everything it opens.
 */
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#include "bus/ingest.h"
#include "core/geo.h"
#include "daemon/log.h"
#include "daemon/role.h"
#include "daemon/role_events.h"
#include "daemon/role_http.h"
#include "daemon/role_views.h"

#define POLL_US (10 * 1000)
#define RECENT 512

typedef struct brain {
    const arc_config_t *cfg;
    arc_role_bus_t rb;
    arc_event_log_t *events;
    arc_ingest_t *ingest;
    arc_bus_sub_t *sub;
    arc_rhttp_t *http;
    arc_msg_zone_summary_t zones[ARC_ZONE_COUNT];
    bool have_zone[ARC_ZONE_COUNT];
    uint64_t recent[RECENT]; /* hashes of events already kept */
    uint32_t recent_next;
    int64_t event_time;      /* the clock of the event being recorded */
    uint64_t bridged, msg_seq;
    arc_role_backlog_t backlog;
    lws_sorted_usec_list_t sul;
    arc_jw_t out;
} brain_t;

static int64_t event_clock(void *ctx)
{
    return ((brain_t *)ctx)->event_time;
}

static uint64_t event_key(const arc_event_t *ev)
{
    uint64_t h = 1469598103934665603ULL;
    const char *p;

    h = (h ^ ev->zone) * 1099511628211ULL;
    h = (h ^ ev->type) * 1099511628211ULL;
    h = (h ^ (uint64_t)ev->time_us) * 1099511628211ULL;
    for (p = ev->node; *p != '\0'; p++) {
        h = (h ^ (uint8_t)*p) * 1099511628211ULL;
    }
    return h | 1;
}

static arc_status_t on_event(void *ctx, const arc_event_t *ev)
{
    brain_t *b = ctx;
    uint64_t key = event_key(ev);

    for (uint32_t i = 0; i < RECENT; i++) {
        if (b->recent[i] == key) {
            return ARC_ERR_DUPLICATE; /* another replica's copy */
        }
    }
    b->recent[b->recent_next++ % RECENT] = key;
    b->event_time = ev->time_us;
    arc_event_record(b->events, (arc_event_type_t)ev->type,
                     (arc_severity_t)ev->severity, (arc_zone_t)ev->zone,
                     ev->node, "%s", ev->message);
    return ARC_OK;
}

static arc_status_t on_summary(void *ctx, const arc_msg_zone_summary_t *s)
{
    brain_t *b = ctx;

    if (b->have_zone[s->zone] && b->zones[s->zone].time_us > s->time_us) {
        return ARC_ERR_DUPLICATE; /* older than what we hold */
    }
    b->zones[s->zone] = *s;
    b->have_zone[s->zone] = true;
    return ARC_OK;
}

/* A bridge request goes to the zone of its origin. */
static arc_status_t on_bridge(void *ctx, const arc_msg_request_t *r)
{
    brain_t *b = ctx;
    arc_msg_request_t m = {++b->msg_seq, r->req};
    char key[32];
    const uint8_t *data;
    size_t len;
    arc_status_t st;

    snprintf(key, sizeof(key), "zone:%s",
             arc_zone_name(arc_geo_zone_of(r->req.lat, r->req.lon)));
    st = arc_codec_encode_request(b->rb.codec, &m, &data, &len);
    if (st == ARC_OK) {
        st = arc_role_publish(&b->rb, ARC_RT_INFERENCE, key, data, len);
    }
    b->bridged += st == ARC_OK;
    return st;
}

/* The backlog watcher's events stay in the brain's own log: they
 * concern no zone, so they have no wire form, and the brain's log is
 * the global view anyway. */
static void say_bus(void *ctx, arc_event_type_t type, arc_severity_t sev,
                    const char *message)
{
    brain_t *b = ctx;

    b->event_time = arc_now_us();
    arc_event_record(b->events, type, sev, ARC_EVENT_MESH_WIDE, NULL, "%s",
                     message);
}

static void answer_json(brain_t *b, arc_rhttp_conn_t *conn)
{
    if (arc_jw_finish(&b->out) == ARC_OK) {
        arc_rhttp_reply(conn, 200, arc_jw_text(&b->out), arc_jw_len(&b->out));
    } else {
        arc_rhttp_error(conn, 500, "internal", "the answer did not fit");
    }
}

static void http_zones(brain_t *b, arc_rhttp_conn_t *conn)
{
    arc_jw_t *w = &b->out;

    arc_jw_reset(w);
    arc_jw_obj_open(w);
    arc_jw_key(w, "zones");
    arc_jw_arr_open(w);
    for (int i = 0; i < ARC_ZONE_COUNT; i++) {
        if (b->have_zone[i]) {
            arc_role_view_zone(w, (arc_zone_t)i, &b->zones[i].totals,
                               b->zones[i].seq, b->zones[i].time_us);
        }
    }
    arc_jw_arr_close(w);
    arc_jw_obj_close(w);
    answer_json(b, conn);
}

static void http_stats(brain_t *b, arc_rhttp_conn_t *conn)
{
    const arc_ingest_t *ing[1] = {b->ingest};
    arc_jw_t *w = &b->out;

    arc_jw_reset(w);
    arc_jw_obj_open(w);
    arc_jw_kstr(w, "role", "brain");
    arc_jw_kuint(w, "bridged", b->bridged);
    arc_role_view_counters(w, &b->rb, ing, 1);
    arc_jw_obj_close(w);
    answer_json(b, conn);
}

static void on_http(void *ctx, arc_rhttp_conn_t *conn,
                    const arc_rhttp_req_t *r)
{
    brain_t *b = ctx;

    if (strcmp(r->method, "GET") != 0) {
        arc_rhttp_error(conn, 405, "method-not-allowed",
                        "the brain's API only reads");
    } else if (strcmp(r->path, "/v1/zones") == 0) {
        http_zones(b, conn);
    } else if (strcmp(r->path, "/v1/events") == 0) {
        arc_jw_reset(&b->out);
        arc_role_view_events(&b->out, b->events, 5000);
        answer_json(b, conn);
    } else if (strcmp(r->path, "/v1/stats") == 0 ||
               strcmp(r->path, "/healthz") == 0) {
        http_stats(b, conn);
    } else {
        arc_rhttp_error(conn, 404, "not-found", "no such path on the brain");
    }
}

static void on_http_closed(void *ctx, arc_rhttp_conn_t *conn)
{
    (void)ctx;
    (void)conn; /* the brain answers at once: nothing to forget */
}

static void on_timer(lws_sorted_usec_list_t *sul)
{
    brain_t *b = lws_container_of(sul, brain_t, sul);

    arc_bus_poll(b->rb.bus, 0, 1024, NULL);
    arc_role_backlog_watch(&b->backlog, &b->rb, arc_now_us());
    lws_sul_schedule(arc_rhttp_lws(b->http), 0, &b->sul, on_timer, POLL_US);
}

static arc_status_t brain_open(brain_t *b, const arc_auth_t *auth)
{
    arc_ingest_hooks_t hooks = {.event = on_event, .zone_summary = on_summary,
                                .request = on_bridge, .ctx = b};
    arc_rhttp_handlers_t h = {on_http, on_http_closed, b};
    arc_event_config_t ec;
    const char *topics[3];
    char group[128];
    arc_status_t st;

    arc_jw_init(&b->out, 0);
    arc_event_config_default(&ec);
    ec.capacity = 50000;
    ec.coalesce_us = 0; /* the zones coalesced already */
    ec.clock = event_clock;
    ec.clock_ctx = b;
    b->events = arc_event_log_new(&ec);
    b->ingest = arc_ingest_new(NULL, &hooks, arc_role_bus_log, NULL);
    if (b->events == NULL || b->ingest == NULL) {
        return ARC_ERR_NOMEM;
    }
    st = arc_role_bus_open(&b->rb, b->cfg, "brain");
    if (st != ARC_OK) {
        return st;
    }
    arc_role_backlog_init(&b->backlog, "role=brain", "the brain", say_bus, b);
    topics[0] = b->rb.topic[ARC_RT_SUMMARY];
    topics[1] = b->rb.topic[ARC_RT_EVENTS];
    topics[2] = b->rb.topic[ARC_RT_BRIDGE];
    arc_role_group(&b->rb, "brain", group, sizeof(group));
    st = arc_bus_subscribe(b->rb.bus, topics, 3, group, arc_ingest_handle,
                           b->ingest, &b->sub);
    if (st == ARC_OK) {
        st = arc_rhttp_new(b->cfg->listen_host, b->cfg->listen_port, auth,
                           &h, &b->http);
    }
    return st;
}

static void brain_close(brain_t *b)
{
    arc_rhttp_free(b->http);
    arc_role_bus_close(&b->rb);
    arc_ingest_free(b->ingest);
    arc_event_log_free(b->events);
    arc_jw_free(&b->out);
}

arc_status_t arc_brain_run(const arc_config_t *cfg, const arc_auth_t *auth,
                           const volatile sig_atomic_t *stop)
{
    brain_t *b = calloc(1, sizeof(*b));
    arc_status_t st = ARC_ERR_NOMEM;

    if (b != NULL) {
        b->cfg = cfg;
        st = brain_open(b, auth);
    }
    if (st == ARC_OK) {
        printf("ArcNet brain: http://%s:%u/v1\n", cfg->listen_host,
               (unsigned)arc_rhttp_port(b->http));
        fflush(stdout);
        arc_daemon_log(ARC_LOG_INFO, "brain", "running port=%u",
                       (unsigned)arc_rhttp_port(b->http));
        lws_sul_schedule(arc_rhttp_lws(b->http), 0, &b->sul, on_timer,
                         POLL_US);
        while (!*stop && arc_rhttp_service(b->http) >= 0) {
        }
        lws_sul_cancel(&b->sul);
    }
    if (b != NULL) {
        brain_close(b);
        free(b);
    }
    return st;
}
