/*
 * daemon_bus.c - the in-process bus of the all role (see daemon_bus.h):
 * what the simulated sites, the engine and the event log publish, and
 * the one subscription that applies telemetry to the mesh.
 *
 * One idea: the engine hands each report to the sink, which encodes it
 * and publishes it under the node's id; the engine asks for delivery
 * before it next relies on the mesh, and the poll hands every waiting
 * message to arc_ingest_handle, the handler a zone subscribes. A ring
 * that fills up mid-tick (more nodes than slots) is drained the same
 * way before the next report goes in.
 *
 * Events are encoded with a codec of their own: the detector records
 * them while telemetry is applied, inside a delivery, which can fall
 * between another message's encoding and its publication.
 *
 * Threads: the daemon's loop thread. Memory: see daemon_bus.h.
 */
#include "daemon/daemon_bus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "daemon/role_views.h"

struct arc_daemon_bus {
    arc_role_bus_t rb;           /* bus, topic names, main codec */
    arc_codec_t *event_codec;    /* events only (see above) */
    arc_mesh_t *mesh;
    arc_event_log_t *events;
    bool events_hooked;
    arc_ingest_t *ingest;
    arc_bus_sub_t *sub;
    bool polling;                /* inside arc_bus_poll */
    uint64_t msg_seq;            /* requests and outcomes sent */
    uint64_t lost;               /* messages that did not go out */
    bool losing;                 /* a loss logged, none gone out since */
};

/* ---- publishing ------------------------------------------------------- */

/* Counts a message that did not go out; logs the first of a run. */
static void lose(arc_daemon_bus_t *db, const char *topic, arc_status_t st)
{
    db->lost++;
    if (st == ARC_ERR_FULL) {
        db->rb.refused++;
    }
    if (db->losing) {
        return;
    }
    db->losing = true;
    arc_daemon_log(ARC_LOG_WARN, "bus", "a message was not published "
                   "topic=%s error=%s (later ones are counted as bus.lost "
                   "in GET /v1/stats until a publish works again)", topic,
                   arc_status_name(st));
}

static void sent(arc_daemon_bus_t *db)
{
    if (!db->losing) {
        return;
    }
    db->losing = false;
    arc_daemon_log(ARC_LOG_INFO, "bus", "publishing again lost=%llu",
                   (unsigned long long)db->lost);
}

/*
 * Publishes under `key`. A full ring still holds messages its consumer
 * has not taken: they are applied first and the publish tried again -
 * but never from inside a delivery, which would hand the message being
 * delivered over a second time.
 */
static void publish(arc_daemon_bus_t *db, arc_role_topic_t topic,
                    const char *key, const uint8_t *data, size_t len)
{
    const char *name = db->rb.topic[topic];
    arc_status_t st = arc_bus_publish(db->rb.bus, name, key, strlen(key),
                                      data, len);

    if (st == ARC_ERR_FULL && !db->polling) {
        arc_daemon_bus_poll(db);
        st = arc_bus_publish(db->rb.bus, name, key, strlen(key), data, len);
    }
    if (st == ARC_OK) {
        sent(db);
    } else {
        lose(db, name, st);
    }
}

static void send_telemetry(void *ctx, const arc_telemetry_t *t)
{
    arc_daemon_bus_t *db = ctx;
    const arc_node_t *n = arc_mesh_node(db->mesh, t->node);
    const uint8_t *data;
    size_t len;
    arc_status_t st = n != NULL
                          ? arc_codec_encode_telemetry(db->rb.codec, n->id,
                                                       t, &data, &len)
                          : ARC_ERR_NOT_FOUND;

    if (st != ARC_OK) {
        lose(db, db->rb.topic[ARC_RT_TELEMETRY], st);
        return;
    }
    publish(db, ARC_RT_TELEMETRY, n->id, data, len);
}

static void deliver(void *ctx)
{
    arc_daemon_bus_poll(ctx);
}

void arc_daemon_bus_poll(arc_daemon_bus_t *db)
{
    db->polling = true;
    arc_bus_poll(db->rb.bus, 0, UINT32_MAX, NULL);
    db->polling = false;
}

static void on_event(void *ctx, const arc_event_t *ev)
{
    arc_daemon_bus_t *db = ctx;
    const uint8_t *data;
    size_t len;
    arc_status_t st;

    /* Not yet: a mesh-wide event (the history's write failures) has no
     * wire form in version 1 of the event message; it stays in this
     * process's event log. */
    if (ev->zone >= ARC_ZONE_COUNT) {
        return;
    }
    st = arc_codec_encode_event(db->event_codec, ev, &data, &len);
    if (st != ARC_OK) {
        lose(db, db->rb.topic[ARC_RT_EVENTS], st);
        return;
    }
    publish(db, ARC_RT_EVENTS, arc_zone_name(ev->zone), data, len);
}

/* Not yet: zone summaries; no brain reads this process's bus. */

void arc_daemon_bus_decision(arc_daemon_bus_t *db, const arc_request_t *req,
                             const arc_decision_t *dec)
{
    arc_msg_request_t m = {0};
    const arc_node_t *n;
    const uint8_t *data;
    size_t len;
    arc_status_t st;

    if (dec->status != ARC_OK) {
        return; /* queued, deferred or refused: nothing is sent yet */
    }
    n = arc_mesh_node(db->mesh, dec->chosen.node);
    m.seq = ++db->msg_seq;
    m.req = *req;
    st = n != NULL ? arc_codec_encode_request(db->rb.codec, &m, &data, &len)
                   : ARC_ERR_NOT_FOUND;
    if (st != ARC_OK) {
        lose(db, db->rb.topic[ARC_RT_INFERENCE], st);
        return;
    }
    publish(db, ARC_RT_INFERENCE, n->id, data, len);
}

void arc_daemon_bus_outcome(arc_daemon_bus_t *db, const arc_request_t *req,
                            const arc_outcome_t *o)
{
    arc_msg_outcome_t m = {0};
    const uint8_t *data;
    size_t len;
    arc_status_t st;

    if (o->status != ARC_OK || o->node_id == NULL) {
        return; /* not served: no node ran it, no agent would answer */
    }
    m.seq = ++db->msg_seq;
    m.request_id = req->id;
    m.status = o->status;
    m.reason = (uint8_t)o->reason;
    snprintf(m.node, sizeof(m.node), "%s", o->node_id);
    m.zone = (uint8_t)o->zone;
    m.source = (uint8_t)o->source;
    m.carbon_g = o->carbon_g;
    m.energy_kwh = o->energy_kwh;
    m.rtt_ms = o->rtt_ms;
    m.queue_ms = o->queue_ms;
    m.service_ms = o->service_ms;
    m.finished_us = o->finished_us;
    m.slo_missed = o->slo_missed;
    st = arc_codec_encode_outcome(db->rb.codec, &m, &data, &len);
    if (st != ARC_OK) {
        lose(db, db->rb.topic[ARC_RT_INFERENCE], st);
        return;
    }
    publish(db, ARC_RT_INFERENCE, o->node_id, data, len);
}

/* ---- life ------------------------------------------------------------- */

arc_status_t arc_daemon_bus_open(const arc_config_t *cfg, arc_mesh_t *mesh,
                                 arc_event_log_t *events,
                                 arc_daemon_bus_t **out)
{
    arc_daemon_bus_t *db = calloc(1, sizeof(*db));
    const char *topic;
    char group[200];
    arc_status_t st = ARC_ERR_NOMEM;

    *out = NULL;
    if (db == NULL) {
        return st;
    }
    db->mesh = mesh;
    db->events = events;
    st = arc_role_bus_open_inproc(&db->rb, cfg, ARC_DAEMON_BUS_RING);
    if (st == ARC_OK) {
        db->event_codec = arc_codec_new();
        db->ingest = arc_ingest_new(mesh, NULL, arc_role_bus_log, NULL);
        st = db->event_codec != NULL && db->ingest != NULL ? ARC_OK
                                                           : ARC_ERR_NOMEM;
    }
    if (st == ARC_OK) {
        topic = db->rb.topic[ARC_RT_TELEMETRY];
        arc_role_group(&db->rb, "all", group, sizeof(group));
        st = arc_bus_subscribe(db->rb.bus, &topic, 1, group,
                               arc_ingest_handle, db->ingest, &db->sub);
    }
    if (st == ARC_OK) {
        st = arc_event_subscribe(events, on_event, db);
        db->events_hooked = st == ARC_OK;
    }
    if (st != ARC_OK) {
        arc_daemon_log(ARC_LOG_ERROR, "bus", "cannot open the in-process "
                       "bus error=%s", arc_status_name(st));
        arc_daemon_bus_close(db);
        return st;
    }
    *out = db;
    return ARC_OK;
}

void arc_daemon_bus_close(arc_daemon_bus_t *db)
{
    if (db == NULL) {
        return;
    }
    if (db->events_hooked) {
        arc_event_unsubscribe(db->events, on_event, db);
    }
    arc_role_bus_close(&db->rb); /* leaves the group first */
    arc_ingest_free(db->ingest);
    arc_codec_free(db->event_codec);
    free(db);
}

void arc_daemon_bus_sink(arc_daemon_bus_t *db,
                         arc_engine_telemetry_sink_t *out)
{
    out->send = send_telemetry;
    out->deliver = deliver;
    out->ctx = db;
}

/* ---- counters --------------------------------------------------------- */

arc_role_bus_t *arc_daemon_bus_role_bus(arc_daemon_bus_t *db)
{
    return &db->rb;
}

void arc_daemon_bus_ingest_stats(const arc_daemon_bus_t *db,
                                 arc_ingest_stats_t *out)
{
    arc_ingest_stats(db->ingest, out);
}

uint64_t arc_daemon_bus_lost(const arc_daemon_bus_t *db)
{
    return db->lost;
}

void arc_daemon_bus_view(const arc_daemon_bus_t *db, arc_jw_t *w)
{
    const arc_ingest_t *ingest = db->ingest;
    arc_bus_stats_t s;

    arc_bus_stats(db->rb.bus, &s);
    arc_jw_key(w, "bus");
    arc_jw_obj_open(w);
    arc_jw_kstr(w, "backend", arc_bus_backend(db->rb.bus));
    arc_jw_kuint(w, "published", s.published);
    arc_jw_kuint(w, "delivered", s.handled);
    arc_jw_kuint(w, "bound", db->rb.max_buffered);
    arc_jw_kuint(w, "refused", db->rb.refused);
    arc_jw_kuint(w, "lost", db->lost);
    arc_jw_obj_close(w);
    arc_role_view_ingest(w, &ingest, 1);
}
