/*
 * views.c - JSON shapes of nodes, zones, decisions and events (see
 * views.h).
 *
 * Floats from the mesh are widened to double and rounded for the wire
 * where more digits would only be noise (utilisation and state of
 * charge to 4 decimals, carbon to 1).
 */
#include "api/views.h"

#include <math.h>

static double round_to(double v, double unit)
{
    return round(v / unit) * unit;
}

arc_node_status_t arc_view_node_status(const arc_node_t *n)
{
    if (n->status == ARC_NODE_UP && n->admin_drained) {
        return ARC_NODE_DRAINING;
    }
    return (arc_node_status_t)n->status;
}

void arc_view_models(arc_jw_t *w, uint32_t mask)
{
    arc_jw_arr_open(w);
    for (uint32_t i = 0; i < arc_model_count() && i < 32; i++) {
        if (mask >> i & 1u) {
            arc_jw_str(w, arc_model_get(i)->name);
        }
    }
    arc_jw_arr_close(w);
}

static void dynamic_fields(arc_jw_t *w, const arc_node_t *n)
{
    arc_jw_kstr(w, "status", arc_node_status_name(arc_view_node_status(n)));
    arc_jw_kbool(w, "drained", n->admin_drained != 0);
    arc_jw_kstr(w, "energy_source",
                arc_source_name((arc_energy_source_t)n->energy_source));
    arc_jw_kdouble(w, "carbon_g_per_kwh", round_to(n->carbon_g_per_kwh, 0.1));
    arc_jw_kdouble(w, "battery_soc", round_to(n->battery_soc, 1e-4));
    arc_jw_kdouble(w, "gpu_util", round_to(n->gpu_util, 1e-4));
    arc_jw_kuint(w, "gpus_free", n->gpus_free);
    arc_jw_kuint(w, "queue_depth", n->queue_depth);
    arc_jw_kdouble(w, "power_kw", round_to(n->power_kw, 0.1));
    arc_jw_kint(w, "last_seen", n->last_heartbeat_us);
}

void arc_view_node(arc_jw_t *w, const arc_node_t *n)
{
    arc_jw_obj_open(w);
    arc_jw_kstr(w, "id", n->id);
    arc_jw_kstr(w, "zone", arc_zone_name((arc_zone_t)n->zone));
    arc_jw_kstr(w, "site", n->site);
    arc_jw_kdouble(w, "lat", n->lat);
    arc_jw_kdouble(w, "lon", n->lon);
    arc_jw_kuint(w, "gpus_total", n->gpus_total);
    arc_jw_kdouble(w, "battery_kwh", n->battery_kwh);
    arc_jw_key(w, "models");
    arc_view_models(w, n->models);
    dynamic_fields(w, n);
    arc_jw_obj_close(w);
}

void arc_view_node_delta(arc_jw_t *w, const arc_node_t *n)
{
    arc_jw_obj_open(w);
    arc_jw_kstr(w, "id", n->id);
    dynamic_fields(w, n);
    arc_jw_obj_close(w);
}

void arc_view_zone(arc_jw_t *w, arc_zone_t zone,
                   const arc_zone_totals_t *t, const arc_zone_rates_t *r)
{
    double util = t->nodes_up ? t->gpu_util_sum / t->nodes_up : 0.0;
    double carbon = t->power_kw_sum > 0
                        ? t->carbon_kw_sum / t->power_kw_sum : 0.0;

    arc_jw_obj_open(w);
    arc_jw_kstr(w, "id", arc_zone_name(zone));
    arc_jw_kuint(w, "nodes", t->nodes);
    arc_jw_kuint(w, "nodes_up", t->nodes_up);
    arc_jw_kuint(w, "gpus_total", t->gpus_total);
    arc_jw_kuint(w, "gpus_free", t->gpus_free);
    arc_jw_kdouble(w, "gpu_util", round_to(util, 1e-4));
    arc_jw_kdouble(w, "power_kw", round_to(t->power_kw_sum, 0.1));
    arc_jw_key(w, "energy_mix");
    arc_jw_obj_open(w);
    for (int s = 0; s < ARC_SOURCE_COUNT; s++) {
        double share = t->power_kw_sum > 0
                           ? t->power_by_source_kw[s] / t->power_kw_sum : 0;

        arc_jw_kdouble(w, arc_source_name((arc_energy_source_t)s),
                       round_to(share, 1e-4));
    }
    arc_jw_obj_close(w);
    arc_jw_kdouble(w, "carbon_g_per_kwh", round_to(carbon, 0.1));
    arc_jw_kdouble(w, "req_per_s", round_to(r->req_per_s, 0.01));
    arc_jw_kdouble(w, "p50_ms", round_to(r->p50_ms, 0.1));
    arc_jw_kdouble(w, "p99_ms", round_to(r->p99_ms, 0.1));
    arc_jw_obj_close(w);
}

static void candidate_fields(arc_jw_t *w, const arc_mesh_t *mesh,
                             const arc_candidate_t *c)
{
    const arc_node_t *n = arc_mesh_node(mesh, c->node);

    arc_jw_kstr(w, "node", n ? n->id : NULL);
    arc_jw_kstr(w, "zone", n ? arc_zone_name((arc_zone_t)n->zone) : NULL);
    arc_jw_kdouble(w, "score", c->score);
    arc_jw_key(w, "terms");
    arc_jw_obj_open(w);
    for (int t = 0; t < ARC_TERM_COUNT; t++) {
        arc_jw_key(w, arc_term_name((arc_term_t)t));
        arc_jw_obj_open(w);
        arc_jw_kdouble(w, "value", c->value[t]);
        arc_jw_kdouble(w, "weight", c->weight[t]);
        arc_jw_obj_close(w);
    }
    arc_jw_obj_close(w);
}

void arc_view_decision(arc_jw_t *w, const arc_mesh_t *mesh,
                       const arc_decision_t *d)
{
    arc_jw_obj_open(w);
    candidate_fields(w, mesh, &d->chosen);
    arc_jw_kstr(w, "policy", arc_policy_name(d->policy));
    arc_jw_kstr(w, "home_zone", arc_zone_name(d->home_zone));
    arc_jw_kbool(w, "spilled", d->spilled);
    arc_jw_key(w, "runner_ups");
    arc_jw_arr_open(w);
    for (uint32_t i = 0; i < d->runner_up_count && i < ARC_RUNNER_UPS; i++) {
        arc_jw_obj_open(w);
        candidate_fields(w, mesh, &d->runner_ups[i]);
        arc_jw_obj_close(w);
    }
    arc_jw_arr_close(w);
    arc_jw_obj_close(w);
}

void arc_view_event(arc_jw_t *w, const arc_event_t *ev)
{
    arc_jw_obj_open(w);
    arc_jw_kuint(w, "seq", ev->seq);
    arc_jw_kint(w, "time", ev->time_us);
    arc_jw_kstr(w, "type", arc_event_type_name((arc_event_type_t)ev->type));
    arc_jw_kstr(w, "severity",
                arc_severity_name((arc_severity_t)ev->severity));
    if (ev->zone < ARC_ZONE_COUNT) {
        arc_jw_kstr(w, "zone", arc_zone_name((arc_zone_t)ev->zone));
    } else {
        arc_jw_key(w, "zone"); /* mesh-wide */
        arc_jw_null(w);
    }
    if (ev->node[0] != '\0') {
        arc_jw_kstr(w, "node", ev->node);
    } else {
        arc_jw_key(w, "node");
        arc_jw_null(w);
    }
    arc_jw_kstr(w, "message", ev->message);
    arc_jw_kuint(w, "coalesced", ev->coalesced);
    arc_jw_obj_close(w);
}
