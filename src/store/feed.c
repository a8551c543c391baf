/*
 * feed.c - the live mesh into the history (see feed.h).
 *
 * Each mesh change becomes a telemetry row stamped with the owner's
 * clock and offered to the dead-band; each event and outcome a row of
 * its own; zone totals, which the mesh keeps up to date, become a zone
 * row per interval. Owner thread only.
 */
#include "store/feed.h"

#include <stdlib.h>
#include <string.h>

struct arc_store_feed {
    arc_store_t *store;
    arc_mesh_t *mesh;
    arc_event_log_t *events;
    arc_store_clock_fn clock;
    void *clock_ctx;
    int64_t zone_every_us;
    int64_t last_zone_us;
    bool hooked, subscribed;
};

static int64_t feed_now(const arc_store_feed_t *f)
{
    return f->clock ? f->clock(f->clock_ctx) : arc_now_us();
}

static void on_change(void *ctx, uint32_t node, const arc_node_t *before)
{
    arc_store_feed_t *f = ctx;
    const arc_node_t *n = arc_mesh_node(f->mesh, node);
    arc_store_node_row_t row;

    (void)before;
    if (n != NULL) {
        arc_store_row_from_node(n, feed_now(f), &row);
        arc_store_put_telemetry(f->store, &row);
    }
}

static void on_event(void *ctx, const arc_event_t *ev)
{
    arc_store_feed_t *f = ctx;
    arc_store_event_row_t row;

    memset(&row, 0, sizeof(row));
    row.ev = *ev;
    arc_store_put_event(f->store, &row);
}

arc_status_t arc_store_feed_new(arc_store_t *store, arc_mesh_t *mesh,
                                arc_event_log_t *events,
                                arc_store_clock_fn clock, void *clock_ctx,
                                int64_t zone_every_us,
                                arc_store_feed_t **out)
{
    arc_store_feed_t *f = calloc(1, sizeof(*f));
    arc_status_t st;

    if (f == NULL) {
        return ARC_ERR_NOMEM;
    }
    f->store = store;
    f->mesh = mesh;
    f->events = events;
    f->clock = clock;
    f->clock_ctx = clock_ctx;
    f->zone_every_us = zone_every_us;
    f->last_zone_us = INT64_MIN;
    st = arc_mesh_add_hook(mesh, on_change, f);
    f->hooked = st == ARC_OK;
    if (st == ARC_OK && events != NULL) {
        st = arc_event_subscribe(events, on_event, f);
        f->subscribed = st == ARC_OK;
    }
    if (st != ARC_OK) {
        arc_store_feed_free(f);
        return st;
    }
    *out = f;
    return ARC_OK;
}

void arc_store_feed_free(arc_store_feed_t *feed)
{
    if (feed == NULL) {
        return;
    }
    if (feed->hooked) {
        arc_mesh_remove_hook(feed->mesh, on_change, feed);
    }
    if (feed->subscribed) {
        arc_event_unsubscribe(feed->events, on_event, feed);
    }
    free(feed);
}

static void zone_row(const arc_zone_totals_t *t, arc_zone_t zone,
                     int64_t now_us, arc_store_zone_row_t *z)
{
    memset(z, 0, sizeof(*z));
    z->zone = (uint8_t)zone;
    z->valid_us = now_us;
    z->nodes = t->nodes;
    z->nodes_up = t->nodes_up;
    z->gpus_total = t->gpus_total;
    z->gpus_free = t->gpus_free;
    z->gpu_util = t->nodes_up ? t->gpu_util_sum / t->nodes_up : 0.0;
    z->power_kw = t->power_kw_sum;
    z->carbon_g_per_kwh =
        t->power_kw_sum > 0 ? t->carbon_kw_sum / t->power_kw_sum : 0.0;
    for (int i = 0; i < ARC_SOURCE_COUNT; i++) {
        z->power_by_source_kw[i] = t->power_by_source_kw[i];
    }
}

void arc_store_feed_tick(arc_store_feed_t *feed, int64_t now_us)
{
    arc_store_zone_row_t z;

    if (feed->zone_every_us <= 0 ||
        (feed->last_zone_us != INT64_MIN &&
         now_us - feed->last_zone_us < feed->zone_every_us)) {
        return;
    }
    feed->last_zone_us = now_us;
    for (int zone = 0; zone < ARC_ZONE_COUNT; zone++) {
        zone_row(arc_mesh_zone_totals(feed->mesh, (arc_zone_t)zone),
                 (arc_zone_t)zone, now_us, &z);
        arc_store_put_zone(feed->store, &z);
    }
}

void arc_store_feed_outcome(arc_store_feed_t *feed,
                            const arc_request_t *req,
                            const arc_outcome_t *o)
{
    arc_store_request_row_t r;

    memset(&r, 0, sizeof(r));
    r.request_id = o->request_id;
    r.valid_us = o->finished_us;
    if (o->node_id != NULL) {
        memcpy(r.node, o->node_id, strnlen(o->node_id, sizeof(r.node) - 1));
    }
    r.zone = (uint8_t)o->zone;
    r.source = (uint8_t)o->source;
    r.priority = req->priority;
    r.status = (uint8_t)o->status;
    r.model = req->model;
    r.carbon_g = o->carbon_g;
    r.energy_kwh = o->energy_kwh;
    r.rtt_ms = o->rtt_ms;
    r.queue_ms = o->queue_ms;
    r.service_ms = o->service_ms;
    arc_store_put_request(feed->store, &r);
}
