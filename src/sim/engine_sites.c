/*
 * engine_sites.c - the simulated sites inside the engine: their physics
 * each tick, the telemetry they send, their failures and repairs.
 *
 * One idea: the sites are agents. They speak to the mesh only through
 * telemetry (their own sequence numbers; applied with arc_mesh_apply, or
 * handed to the engine's sink and delivered before the engine next
 * relies on the mesh), so the router sees exactly what it would see from
 * real sites - one tick old. A failed site reports itself down once and
 * then falls silent until it is repaired; the work it held goes back
 * through the router.
 */
#include "sim/engine_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_REPAIR_US ARC_US_PER_S

sim_node_t *arc_engine_sim_node(arc_engine_t *e, uint32_t mesh_index)
{
    if (mesh_index < e->node_base ||
        mesh_index - e->node_base >= e->node_count)
        return NULL;
    return &e->nodes[mesh_index - e->node_base];
}

static void schedule(arc_engine_t *e, int64_t t, uint32_t type, uint32_t a)
{
    if (arc_evq_push(&e->evq, t, type, a, 0) != ARC_OK)
        e->failed_alloc = true;
}

static void schedule_failure(arc_engine_t *e, uint32_t i)
{
    double h;

    if (e->cfg.mtbf_hours <= 0.0)
        return;
    h = arc_rng_exp(&e->fail_rng, e->cfg.mtbf_hours);
    if (h < 1e6)
        schedule(e, e->now_us + (int64_t)(h * 3.6e9), EV_FAIL, i);
}

/* The wind speed for a capacity factor, solved once per distinct
 * factor (the regions share a few). */
static double wind_mean(double cf, double memo[4][2])
{
    for (int k = 0; k < 4; k++) {
        if (memo[k][0] == cf)
            return memo[k][1];
        if (memo[k][0] < 0.0) {
            memo[k][0] = cf;
            memo[k][1] = arc_physics_wind_mean_for_cf(cf);
            return memo[k][1];
        }
    }
    return arc_physics_wind_mean_for_cf(cf);
}

/* Physics for every node, calibrated once per site row. */
static arc_status_t init_physics(arc_engine_t *e, const uint32_t *site_of)
{
    double memo[4][2] = {{-1, 0}, {-1, 0}, {-1, 0}, {-1, 0}};
    double *sun = malloc((size_t)e->sites->count * 2 * sizeof(*sun));
    double *wind = sun + e->sites->count;

    if (sun == NULL)
        return ARC_ERR_NOMEM;
    for (uint32_t s = 0; s < e->sites->count; s++)
        sun[s] = -1.0;

    for (uint32_t i = 0; i < e->node_count; i++) {
        const arc_site_t *site = &e->sites->sites[site_of[i]];
        const arc_node_t *node = arc_mesh_node(e->mesh, e->node_base + i);
        sim_node_t *n = &e->nodes[i];

        if (sun[site_of[i]] < 0.0) {
            sun[site_of[i]] = arc_physics_mean_sun(site->lat);
            wind[site_of[i]] = wind_mean(arc_physics_wind_cf_target(site),
                                         memo);
        }
        arc_physics_init(&n->phys, site, node->gpus_total,
                         node->battery_soc, sun[site_of[i]],
                         wind[site_of[i]], e->cfg.seed, i);
        arc_rng_seed(&n->weather, e->cfg.seed, 0x100000000ULL + i);
        n->mesh_index = e->node_base + i;
        n->head = ARC_ENGINE_NIL;
    }
    free(sun);
    return ARC_OK;
}

arc_status_t arc_engine_sites_init(arc_engine_t *e)
{
    uint32_t *site_of = NULL;
    arc_status_t st = arc_sites_load_default(&e->sites);

    e->node_count = e->cfg.nodes;
    e->node_base = arc_mesh_count(e->mesh);
    if (st == ARC_OK) {
        site_of = malloc((size_t)e->node_count * sizeof(*site_of));
        e->nodes = calloc(e->node_count, sizeof(*e->nodes));
        if (site_of == NULL || e->nodes == NULL)
            st = ARC_ERR_NOMEM;
    }
    if (st == ARC_OK)
        st = arc_sites_add_nodes(e->mesh, e->sites, e->node_count,
                                 e->cfg.gpus_per_site, e->now_us, site_of);
    if (st == ARC_OK &&
        arc_mesh_count(e->mesh) != e->node_base + e->node_count)
        st = ARC_ERR_INVALID;
    if (st == ARC_OK)
        st = init_physics(e, site_of);
    for (uint32_t i = 0; st == ARC_OK && i < e->node_count; i++)
        schedule_failure(e, i);
    free(site_of);
    return st;
}

arc_status_t arc_engine_restore_node(arc_engine_t *e, uint32_t node,
                                     const arc_telemetry_t *state)
{
    const arc_node_t *mesh_node = arc_mesh_node(e->mesh, node);
    arc_telemetry_t t = *state;
    sim_node_t *n;

    if (mesh_node == NULL || node < e->node_base ||
        node - e->node_base >= e->node_count)
        return ARC_ERR_NOT_FOUND;
    if (!(state->battery_soc >= 0.0f && state->battery_soc <= 1.0f))
        return ARC_ERR_INVALID;
    n = &e->nodes[node - e->node_base];

    t.node = node;
    t.time_us = e->now_us;
    t.gpus_free = mesh_node->gpus_total;
    t.queue_depth = 0;
    t.gpu_util = 0.0f;
    if (arc_mesh_apply(e->mesh, &t) != ARC_OK)
        return ARC_ERR_INVALID;
    n->seq = state->seq;
    if (n->phys.battery_kwh > 0.0)
        n->phys.soc = state->battery_soc;
    return ARC_OK;
}

static void report(arc_engine_t *e, sim_node_t *n)
{
    const arc_node_t *node = arc_mesh_node(e->mesh, n->mesh_index);
    arc_telemetry_t t;
    uint32_t gpus = n->phys.gpus;

    memset(&t, 0, sizeof(t));
    t.node = n->mesh_index;
    t.seq = ++n->seq;
    t.time_us = e->now_us;
    t.status = n->down ? ARC_NODE_DOWN : ARC_NODE_UP;
    t.energy_source = (uint8_t)n->phys.source;
    t.gpus_free = (uint16_t)(n->busy < gpus ? gpus - n->busy : 0);
    t.models = node->models;
    t.queue_depth = n->inflight;
    t.gpu_util = gpus ? (float)n->busy / (float)gpus : 0.0f;
    t.gpu_mem_used_gb = n->mem_gb > 0.0f ? n->mem_gb : 0.0f;
    t.battery_soc = (float)fmin(1.0, fmax(0.0, n->phys.soc));
    t.power_kw = (float)n->phys.load_kw;
    t.carbon_g_per_kwh = (float)n->phys.carbon_g_per_kwh;
    if (e->sink.send != NULL)
        e->sink.send(e->sink.ctx, &t);
    else
        arc_mesh_apply(e->mesh, &t);
}

/* Makes sure every report sent has reached the mesh. */
static void deliver(arc_engine_t *e)
{
    if (e->sink.deliver != NULL)
        e->sink.deliver(e->sink.ctx);
}

void arc_engine_tick(arc_engine_t *e)
{
    double dt_s = (double)e->cfg.tick_us / 1e6;

    for (uint32_t i = 0; i < e->node_count; i++) {
        sim_node_t *n = &e->nodes[i];
        const arc_node_t *node = arc_mesh_node(e->mesh, n->mesh_index);
        double util = n->phys.gpus ? (double)n->busy / n->phys.gpus : 0.0;
        double load = n->down ? 0.0 : arc_physics_load_kw(n->phys.gpus,
                                                          util);

        arc_physics_step(&n->phys, &n->weather, node->lat, node->lon,
                         e->now_us, dt_s, load, e->cfg.seed);
        if (n->phys.depleted && n->busy > 0)
            e->m.battery_depletions++;
        if (!n->down)
            report(e, n);
    }
    deliver(e);
    if (arc_evq_push(&e->evq, e->now_us + e->cfg.tick_us, EV_TICK, 0, 0) !=
        ARC_OK)
        e->failed_alloc = true;
    arc_engine_place_waiting(e);
}

void arc_engine_node_fail(arc_engine_t *e, uint32_t i)
{
    sim_node_t *n;
    double h;

    if (i >= e->node_count || e->nodes[i].down)
        return;
    n = &e->nodes[i];
    n->down = true;
    e->m.node_failures++;
    report(e, n); /* its last word: down */
    deliver(e);

    while (n->head != ARC_ENGINE_NIL) {
        uint32_t slot = n->head;
        engine_record_t *r = &e->recs[slot];

        arc_engine_unlink(e, n, slot);
        arc_mesh_note_complete(e->mesh, n->mesh_index,
                               arc_model_get(r->req.model)->gpus);
        r->gen++;
        r->req.id = (uint64_t)r->gen << 32 | slot;
        r->state = REC_PLACING;
        r->node = ARC_ENGINE_NIL;
        e->m.failed++;
        e->m.retried++;
        arc_engine_place(e, slot);
    }

    h = arc_rng_exp(&e->fail_rng, e->cfg.mttr_hours);
    schedule(e, e->now_us + (int64_t)fmax(MIN_REPAIR_US, fmin(h, 1e6) * 3.6e9),
             EV_RECOVER, i);
}

void arc_engine_node_recover(arc_engine_t *e, uint32_t i)
{
    sim_node_t *n;

    if (i >= e->node_count || !e->nodes[i].down)
        return;
    n = &e->nodes[i];
    n->down = false;
    report(e, n);
    deliver(e);
    schedule_failure(e, i);
    arc_engine_place_waiting(e);
}
