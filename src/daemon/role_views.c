/*
 * role_views.c - JSON bodies of the zone and brain roles (see
 * role_views.h).
 *
 * One idea: a view only reads; it writes straight into the caller's
 * JSON writer, so no tree is built and nothing is allocated here.
 *
 * Threads: the role's main thread. Memory: none of its own.
 */
#include "daemon/role_views.h"

static void write_event(void *ctx, const arc_event_t *ev)
{
    arc_jw_t *w = ctx;

    arc_jw_obj_open(w);
    arc_jw_kuint(w, "seq", ev->seq);
    arc_jw_kint(w, "time_us", ev->time_us);
    arc_jw_kstr(w, "type", arc_event_type_name(ev->type));
    arc_jw_kstr(w, "severity", arc_severity_name(ev->severity));
    arc_jw_kstr(w, "zone", ev->zone < ARC_ZONE_COUNT
                               ? arc_zone_name(ev->zone)
                               : NULL); /* the brain's own: null */
    arc_jw_kstr(w, "node", ev->node);
    arc_jw_kuint(w, "coalesced", ev->coalesced);
    arc_jw_kstr(w, "message", ev->message);
    arc_jw_obj_close(w);
}

void arc_role_view_events(arc_jw_t *w, const arc_event_log_t *log,
                          uint32_t limit)
{
    arc_event_filter_t f;

    arc_event_filter_init(&f);
    f.limit = limit;
    arc_jw_obj_open(w);
    arc_jw_key(w, "events");
    arc_jw_arr_open(w);
    arc_event_each(log, &f, write_event, w);
    arc_jw_arr_close(w);
    arc_jw_obj_close(w);
}

void arc_role_view_zone(arc_jw_t *w, arc_zone_t zone,
                        const arc_zone_totals_t *t, uint64_t seq,
                        int64_t time_us)
{
    arc_jw_obj_open(w);
    arc_jw_kstr(w, "id", arc_zone_name(zone));
    arc_jw_kuint(w, "seq", seq);
    arc_jw_kint(w, "time_us", time_us);
    arc_jw_kuint(w, "nodes", t->nodes);
    arc_jw_kuint(w, "nodes_up", t->nodes_up);
    arc_jw_kuint(w, "gpus_total", t->gpus_total);
    arc_jw_kuint(w, "gpus_healthy", t->gpus_healthy);
    arc_jw_kuint(w, "gpus_free", t->gpus_free);
    arc_jw_kdouble(w, "gpu_util", t->nodes_up ? t->gpu_util_sum /
                                                    t->nodes_up : 0.0);
    arc_jw_kdouble(w, "power_kw", t->power_kw_sum);
    arc_jw_key(w, "energy_mix");
    arc_jw_obj_open(w);
    for (int s = 0; s < ARC_SOURCE_COUNT; s++) {
        arc_jw_kdouble(w, arc_source_name((arc_energy_source_t)s),
                       t->power_kw_sum > 0
                           ? t->power_by_source_kw[s] / t->power_kw_sum
                           : 0.0);
    }
    arc_jw_obj_close(w);
    arc_jw_kdouble(w, "carbon_g_per_kwh",
                   t->power_kw_sum > 0 ? t->carbon_kw_sum / t->power_kw_sum
                                       : 0.0);
    arc_jw_obj_close(w);
}

static void write_node(arc_jw_t *w, const arc_node_t *n,
                       const arc_role_node_stats_t *s)
{
    arc_jw_obj_open(w);
    arc_jw_kstr(w, "id", n->id);
    arc_jw_kstr(w, "zone", arc_zone_name(n->zone));
    arc_jw_kstr(w, "status", arc_node_status_name(n->status));
    arc_jw_kuint(w, "seq", n->seq);
    arc_jw_kint(w, "last_heartbeat_us", n->last_heartbeat_us);
    arc_jw_kstr(w, "energy_source", arc_source_name(n->energy_source));
    arc_jw_kuint(w, "gpus_total", n->gpus_total);
    arc_jw_kuint(w, "gpus_free", n->gpus_free);
    arc_jw_kdouble(w, "battery_soc", n->battery_soc);
    arc_jw_kdouble(w, "carbon_g_per_kwh", n->carbon_g_per_kwh);
    if (s != NULL) {
        arc_jw_kuint(w, "reports", s->reports);
        arc_jw_kuint(w, "gaps", s->gaps);
    }
    arc_jw_obj_close(w);
}

void arc_role_view_nodes(arc_jw_t *w, const arc_mesh_t *mesh, int zone,
                         const arc_role_node_stats_t *stats)
{
    arc_jw_obj_open(w);
    arc_jw_key(w, "nodes");
    arc_jw_arr_open(w);
    for (uint32_t i = 0; i < arc_mesh_count(mesh); i++) {
        const arc_node_t *n = arc_mesh_node(mesh, i);

        if (zone < 0 || n->zone == (uint8_t)zone) {
            write_node(w, n, stats ? &stats[i] : NULL);
        }
    }
    arc_jw_arr_close(w);
    arc_jw_obj_close(w);
}

void arc_role_view_ingest(arc_jw_t *w, const arc_ingest_t *const *ingests,
                          size_t count)
{
    arc_ingest_stats_t sum = {0}, s;

    for (size_t i = 0; i < count; i++) {
        arc_ingest_stats(ingests[i], &s);
        sum.applied += s.applied;
        sum.duplicates += s.duplicates;
        sum.rejected += s.rejected;
        for (int r = 0; r < ARC_CODEC_ERROR_COUNT; r++) {
            sum.by_reason[r] += s.by_reason[r];
        }
    }
    arc_jw_key(w, "ingest");
    arc_jw_obj_open(w);
    arc_jw_kuint(w, "applied", sum.applied);
    arc_jw_kuint(w, "duplicates", sum.duplicates);
    arc_jw_kuint(w, "rejected", sum.rejected);
    for (int r = 1; r < ARC_CODEC_ERROR_COUNT; r++) {
        arc_jw_kuint(w, arc_codec_error_name((arc_codec_error_t)r),
                     sum.by_reason[r]);
    }
    arc_jw_obj_close(w);
}

void arc_role_view_counters(arc_jw_t *w, const arc_role_bus_t *rb,
                            const arc_ingest_t *const *ingests,
                            size_t count)
{
    arc_jw_key(w, "bus");
    arc_jw_obj_open(w);
    arc_jw_kuint(w, "backlog", arc_role_backlog(rb));
    arc_jw_kuint(w, "bound", rb->max_buffered);
    arc_jw_kuint(w, "refused", rb->refused);
    arc_jw_obj_close(w);
    arc_role_view_ingest(w, ingests, count);
}
