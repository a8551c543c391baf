/*
 * engine.c - the event loop, request placement and outcomes of the
 * simulation engine (engine.h); the sites' side is in engine_sites.c.
 *
 * A request's life: it arrives (from the workload or arc_engine_submit),
 * the router decides; placed -> GPUs reserved through the mesh and a
 * completion scheduled after the round trip and the service time; no
 * capacity -> it waits in the router queue, or is refused when the queue
 * is full; no node loads its model -> refused; deferred -> asked again
 * at the router's retry time. Every completion, and every tick, gives
 * the queue a chance to place what waits. One owner thread, no locks.
 */
#include "sim/engine_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"

#define START_US 1773986400000000LL /* 2026-03-20 06:00 UTC */
#define DRAIN_US (5 * 3600 * ARC_US_PER_S)
#define EXPIRE_EVERY_US ARC_US_PER_S
#define TARGET_PEAK_UTIL 0.65

void arc_engine_config_default(arc_engine_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->seed = 1;
    cfg->nodes = 150;
    cfg->gpus_per_site = 4;
    cfg->start_us = START_US;
    cfg->hours = 24.0;
    cfg->policy = ARC_POLICY_ARCNET;
    cfg->mtbf_hours = 720.0;
    cfg->mttr_hours = 2.0;
    cfg->tick_us = 60 * ARC_US_PER_S;
    cfg->workload_scale = 1.0;
    cfg->workload = true;
    cfg->queue_capacity = 20000;
    cfg->queue_age_step_us = 30 * ARC_US_PER_S;
}

/* ---- records ---------------------------------------------------------- */

static uint64_t internal_id(const engine_record_t *r, uint32_t slot)
{
    return (uint64_t)r->gen << 32 | slot;
}

static uint32_t alloc_record(arc_engine_t *e, const arc_request_t *req)
{
    engine_record_t *r;
    uint32_t slot, gen;

    if (e->free_head == ARC_ENGINE_NIL) {
        uint32_t ncap = e->rec_cap ? e->rec_cap * 2 : 4096;
        engine_record_t *p;
        if (ncap < e->rec_cap || ncap == ARC_ENGINE_NIL)
            return ARC_ENGINE_NIL;
        p = realloc(e->recs, (size_t)ncap * sizeof(*p));
        if (p == NULL)
            return ARC_ENGINE_NIL;
        memset(p + e->rec_cap, 0, (size_t)(ncap - e->rec_cap) * sizeof(*p));
        for (uint32_t i = ncap; i-- > e->rec_cap;) {
            p[i].next = e->free_head;
            p[i].gen = 1;
            e->free_head = i;
        }
        e->recs = p;
        e->rec_cap = ncap;
    }

    slot = e->free_head;
    r = &e->recs[slot];
    e->free_head = r->next;
    gen = r->gen;
    memset(r, 0, sizeof(*r));
    r->gen = gen;
    r->req = *req;
    r->req.id = internal_id(r, slot);
    r->user_id = req->id;
    r->state = REC_PLACING;
    r->node = ARC_ENGINE_NIL;
    r->prev = r->next = ARC_ENGINE_NIL;
    e->live++;
    return slot;
}

static void free_record(arc_engine_t *e, uint32_t slot)
{
    engine_record_t *r = &e->recs[slot];

    r->state = REC_FREE;
    r->gen++;
    r->next = e->free_head;
    e->free_head = slot;
    e->live--;
}

/* The record behind an internal id, or NULL when it is stale. */
static engine_record_t *record_of(arc_engine_t *e, uint64_t id,
                                  uint32_t *slot_out)
{
    uint32_t slot = (uint32_t)id;

    if (slot >= e->rec_cap || e->recs[slot].gen != (uint32_t)(id >> 32) ||
        e->recs[slot].state == REC_FREE)
        return NULL;
    *slot_out = slot;
    return &e->recs[slot];
}

static void schedule(arc_engine_t *e, int64_t t, uint32_t type, uint32_t a,
                     uint32_t b)
{
    if (arc_evq_push(&e->evq, t, type, a, b) != ARC_OK)
        e->failed_alloc = true;
}

/* ---- outcomes --------------------------------------------------------- */

static void user_request(const engine_record_t *r, arc_request_t *out)
{
    *out = r->req;
    out->id = r->user_id;
}

static void finish(arc_engine_t *e, uint32_t slot, arc_status_t status,
                   arc_reason_t reason, int64_t retry_after_us)
{
    engine_record_t *r = &e->recs[slot];
    arc_outcome_t o;
    arc_request_t req;
    const arc_node_t *node;

    memset(&o, 0, sizeof(o));
    o.request_id = r->user_id;
    o.status = status;
    o.reason = reason;
    o.retry_after_us = retry_after_us;
    o.node = r->node;
    o.finished_us = e->now_us;
    o.slo_missed = status != ARC_OK ||
                   (r->req.deadline_us > 0 && e->now_us > r->req.deadline_us);
    if (status == ARC_OK && (node = arc_mesh_node(e->mesh, r->node))) {
        o.node_id = node->id;
        o.zone = (arc_zone_t)node->zone;
        o.source = (arc_energy_source_t)r->source;
        o.carbon_g = r->carbon_g;
        o.energy_kwh = r->energy_kwh;
        o.rtt_ms = r->rtt_ms;
        o.queue_ms = r->queue_ms;
        o.service_ms = r->service_ms;
    }
    if (o.slo_missed && r->req.priority < ARC_PRIO_COUNT)
        e->m.slo_miss[r->req.priority]++;

    user_request(r, &req);
    if (r->done != NULL)
        r->done(r->done_ctx, &req, &o);
    if (e->on_outcome != NULL)
        e->on_outcome(e->cb_ctx, &req, &o);
    free_record(e, slot);
}

static void refuse(arc_engine_t *e, uint32_t slot, arc_status_t status,
                   arc_reason_t reason, int64_t retry_after_us)
{
    e->m.rejected++;
    finish(e, slot, status, reason, retry_after_us);
}

/* ---- dispatch and completion ------------------------------------------ */

static void link_flight(arc_engine_t *e, sim_node_t *n, uint32_t slot)
{
    engine_record_t *r = &e->recs[slot];

    r->prev = ARC_ENGINE_NIL;
    r->next = n->head;
    if (n->head != ARC_ENGINE_NIL)
        e->recs[n->head].prev = slot;
    n->head = slot;
}

void arc_engine_unlink(arc_engine_t *e, sim_node_t *n, uint32_t slot)
{
    engine_record_t *r = &e->recs[slot];
    const arc_model_t *m = arc_model_get(r->req.model);

    if (r->prev != ARC_ENGINE_NIL)
        e->recs[r->prev].next = r->next;
    else
        n->head = r->next;
    if (r->next != ARC_ENGINE_NIL)
        e->recs[r->next].prev = r->prev;
    r->prev = r->next = ARC_ENGINE_NIL;

    n->busy -= m->gpus <= n->busy ? m->gpus : n->busy;
    n->inflight--;
    n->mem_gb -= m->gpu_mem_gb * m->gpus;
    if (n->inflight == 0)
        n->mem_gb = 0.0f;
}

/* Energy and carbon of a request, from its node's mix at dispatch. */
static void account_energy(arc_engine_t *e, engine_record_t *r,
                           const arc_node_t *node, const sim_node_t *n)
{
    const arc_model_t *m = arc_model_get(r->req.model);
    double kw_per_gpu = (ARC_SIM_GPU_PEAK_W + ARC_SIM_SERVER_W_PER_GPU) *
                        ARC_SIM_PUE / 1000.0;
    double total = 0.0;

    (void)e;
    r->energy_kwh = m->gpus * r->service_ms / 3.6e6 * kw_per_gpu;
    r->carbon_g = r->energy_kwh * node->carbon_g_per_kwh;
    r->source = node->energy_source;

    if (n != NULL) {
        for (int i = 0; i < ARC_SOURCE_COUNT; i++)
            total += n->phys.supply_kw[i];
    }
    for (int i = 0; i < ARC_SOURCE_COUNT; i++) {
        if (total > 0.0)
            r->kwh_by_source[i] = r->energy_kwh * n->phys.supply_kw[i] /
                                  total;
        else
            r->kwh_by_source[i] = i == r->source ? r->energy_kwh : 0.0;
    }
}

/* Sends a request where the router chose; the round trip is the one
 * the router computed with the same geo model. */
static void dispatch(arc_engine_t *e, uint32_t slot,
                     const arc_candidate_t *chosen)
{
    engine_record_t *r = &e->recs[slot];
    const arc_model_t *m = arc_model_get(r->req.model);
    uint32_t node_index = chosen->node;
    const arc_node_t *node = arc_mesh_node(e->mesh, node_index);
    sim_node_t *n = arc_engine_sim_node(e, node_index);
    int64_t rtt_us, service_us;

    r->rtt_ms = chosen->value[ARC_TERM_LATENCY];
    service_us = arc_model_service_us(r->req.model, r->req.tokens);
    r->service_ms = (double)service_us / 1000.0;
    r->node = node_index;
    r->state = REC_FLIGHT;
    account_energy(e, r, node, n);

    arc_mesh_note_dispatch(e->mesh, node_index, m->gpus);
    if (n != NULL) {
        n->busy += m->gpus;
        n->inflight++;
        n->mem_gb += m->gpu_mem_gb * m->gpus;
        link_flight(e, n, slot);
    }
    rtt_us = (int64_t)(r->rtt_ms * 1000.0);
    schedule(e, e->now_us + rtt_us + service_us, EV_COMPLETE, slot, r->gen);
}

static void complete(arc_engine_t *e, uint32_t slot, uint32_t gen)
{
    engine_record_t *r = &e->recs[slot];
    sim_node_t *n;

    if (slot >= e->rec_cap || r->gen != gen || r->state != REC_FLIGHT)
        return; /* stale: its node failed and it was retried */

    n = arc_engine_sim_node(e, r->node);
    if (n != NULL)
        arc_engine_unlink(e, n, slot);
    arc_mesh_note_complete(e->mesh, r->node,
                           arc_model_get(r->req.model)->gpus);

    e->m.served++;
    e->m.co2_g += r->carbon_g;
    e->m.energy_kwh += r->energy_kwh;
    for (int i = 0; i < ARC_SOURCE_COUNT; i++)
        e->m.energy_kwh_by_source[i] += r->kwh_by_source[i];
    arc_latency_add(&e->latency, r->rtt_ms + r->queue_ms + r->service_ms);
    finish(e, slot, ARC_OK, ARC_REASON_NONE, 0);
    arc_engine_place_waiting(e);
}

/* ---- placement -------------------------------------------------------- */

static void decided(arc_engine_t *e, const engine_record_t *r,
                    const arc_decision_t *d)
{
    arc_request_t req;

    if (e->on_decision == NULL)
        return;
    user_request(r, &req);
    e->on_decision(e->cb_ctx, &req, d, e->now_us);
}

static void defer(arc_engine_t *e, uint32_t slot, int64_t retry_at_us)
{
    engine_record_t *r = &e->recs[slot];

    if (!r->was_deferred) {
        r->was_deferred = 1;
        e->m.deferred++;
    }
    r->state = REC_DEFERRED;
    if (retry_at_us <= e->now_us)
        retry_at_us = e->now_us + 1;
    schedule(e, retry_at_us, EV_RETRY, slot, r->gen);
}

static void enqueue(arc_engine_t *e, uint32_t slot)
{
    engine_record_t *r = &e->recs[slot];
    int64_t retry_after = 0;
    arc_status_t st = arc_rqueue_push(e->queue, &r->req, e->now_us,
                                      &retry_after);

    if (st == ARC_ERR_FULL) {
        refuse(e, slot, ARC_ERR_FULL, ARC_REASON_NO_CAPACITY, retry_after);
        return;
    }
    if (st != ARC_OK) {
        refuse(e, slot, st, ARC_REASON_NONE, 0);
        return;
    }
    r->state = REC_QUEUED;
    if (!r->was_queued) {
        r->was_queued = 1;
        e->m.queued++;
    }
}

void arc_engine_place(arc_engine_t *e, uint32_t slot)
{
    engine_record_t *r = &e->recs[slot];
    arc_decision_t d;
    arc_status_t st = arc_router_decide(e->router, &r->req, e->cfg.policy,
                                        e->now_us, &d);

    decided(e, r, &d);
    if (st == ARC_OK)
        dispatch(e, slot, &d.chosen);
    else if (st == ARC_ERR_DEFERRED)
        defer(e, slot, d.retry_at_us);
    else if (st == ARC_ERR_UNAVAILABLE && d.reason == ARC_REASON_NO_CAPACITY)
        enqueue(e, slot);
    else
        refuse(e, slot, st, d.reason, 0);
}

static arc_status_t try_place(void *ctx, const arc_request_t *req,
                              int64_t waited_us)
{
    arc_engine_t *e = ctx;
    engine_record_t *r;
    uint32_t slot;
    arc_decision_t d;
    arc_status_t st;

    if ((r = record_of(e, req->id, &slot)) == NULL)
        return ARC_ERR_NOT_FOUND;
    st = arc_router_decide(e->router, &r->req, e->cfg.policy, e->now_us,
                           &d);
    if (st == ARC_ERR_UNAVAILABLE && d.reason == ARC_REASON_NO_CAPACITY)
        return ARC_ERR_UNAVAILABLE;

    decided(e, r, &d);
    r = &e->recs[slot];
    r->queue_ms += (double)waited_us / 1000.0;
    if (st == ARC_OK)
        dispatch(e, slot, &d.chosen);
    else if (st == ARC_ERR_DEFERRED)
        defer(e, slot, d.retry_at_us);
    else
        r->reason = (uint8_t)d.reason;
    return st == ARC_OK || st == ARC_ERR_DEFERRED ? ARC_OK
                                                   : ARC_ERR_NOT_FOUND;
}

static void on_drop(void *ctx, const arc_request_t *req, arc_status_t why)
{
    arc_engine_t *e = ctx;
    engine_record_t *r;
    uint32_t slot;

    (void)why;
    if ((r = record_of(e, req->id, &slot)) == NULL)
        return;
    if (e->in_expire) {
        e->m.expired++;
        finish(e, slot, ARC_ERR_UNAVAILABLE, ARC_REASON_NO_CAPACITY, 0);
    } else {
        refuse(e, slot, ARC_ERR_UNAVAILABLE, (arc_reason_t)r->reason, 0);
    }
}

void arc_engine_place_waiting(arc_engine_t *e)
{
    if (arc_rqueue_len(e->queue) > 0)
        arc_rqueue_dispatch(e->queue, e->now_us, try_place, on_drop, e);
}

static void expire(arc_engine_t *e)
{
    if (arc_rqueue_len(e->queue) > 0) {
        e->in_expire = true;
        arc_rqueue_expire(e->queue, e->now_us, on_drop, e);
        e->in_expire = false;
    }
    schedule(e, e->now_us + EXPIRE_EVERY_US, EV_EXPIRE, 0, 0);
}

/* ---- arrivals --------------------------------------------------------- */

static arc_status_t admit(arc_engine_t *e, const arc_request_t *req,
                          arc_engine_outcome_fn done, void *ctx)
{
    uint32_t slot = alloc_record(e, req);

    if (slot == ARC_ENGINE_NIL)
        return ARC_ERR_NOMEM;
    e->recs[slot].done = done;
    e->recs[slot].done_ctx = ctx;
    e->m.arrived++;
    arc_engine_place(e, slot);
    return ARC_OK;
}

/* Draws the workload's next request and schedules its arrival. */
static void next_arrival(arc_engine_t *e)
{
    arc_workload_next(&e->workload, &e->pending);
    if (e->pending.arrival_us < e->arrivals_until)
        schedule(e, e->pending.arrival_us, EV_ARRIVAL, 0, 0);
}

static void arrival(arc_engine_t *e)
{
    arc_request_t req = e->pending;

    if (e->now_us >= e->arrivals_until)
        return; /* an offline run's workload has ended */
    if (admit(e, &req, NULL, NULL) != ARC_OK)
        e->failed_alloc = true;
    next_arrival(e);
}

static void retry(arc_engine_t *e, uint32_t slot, uint32_t gen)
{
    if (slot < e->rec_cap && e->recs[slot].gen == gen &&
        e->recs[slot].state == REC_DEFERRED) {
        e->recs[slot].state = REC_PLACING;
        arc_engine_place(e, slot);
    }
}

/* ---- the loop --------------------------------------------------------- */

static void handle(arc_engine_t *e, const arc_event_t *ev)
{
    switch (ev->type) {
    case EV_TICK:
        arc_engine_tick(e);
        break;
    case EV_ARRIVAL:
        arrival(e);
        break;
    case EV_RETRY:
        retry(e, ev->a, ev->b);
        break;
    case EV_COMPLETE:
        complete(e, ev->a, ev->b);
        break;
    case EV_FAIL:
        arc_engine_node_fail(e, ev->a);
        break;
    case EV_RECOVER:
        arc_engine_node_recover(e, ev->a);
        break;
    case EV_EXPIRE:
        expire(e);
        break;
    default:
        break;
    }
}

arc_status_t arc_engine_advance(arc_engine_t *e, int64_t until_us)
{
    arc_event_t ev;

    if (e == NULL || until_us < e->now_us)
        return ARC_ERR_INVALID;
    while (arc_evq_peek(&e->evq, &ev) && ev.time_us <= until_us) {
        arc_evq_pop(&e->evq, &ev);
        e->now_us = ev.time_us;
        handle(e, &ev);
    }
    e->now_us = until_us;
    return e->failed_alloc ? ARC_ERR_NOMEM : ARC_OK;
}

/* Live records other than the ones the workload has not sent yet. */
static uint32_t waiting(const arc_engine_t *e)
{
    return e->live;
}

static void count_unfinished(arc_engine_t *e)
{
    for (uint32_t i = 0; i < e->rec_cap; i++) {
        engine_record_t *r = &e->recs[i];
        if (r->state == REC_FREE)
            continue;
        e->m.unfinished++;
        if (r->req.priority < ARC_PRIO_COUNT)
            e->m.slo_miss[r->req.priority]++;
    }
}

arc_status_t arc_engine_run(arc_engine_t *e)
{
    int64_t end, limit;
    arc_status_t st;

    if (e == NULL)
        return ARC_ERR_INVALID;
    end = e->cfg.start_us + (int64_t)(e->cfg.hours * 3.6e9);
    limit = end + DRAIN_US;
    e->arrivals_until = end;

    st = arc_engine_advance(e, end > e->now_us ? end : e->now_us);
    while (st == ARC_OK && waiting(e) > 0 && e->now_us < limit)
        st = arc_engine_advance(e, e->now_us + e->cfg.tick_us);
    count_unfinished(e);
    return st;
}

/* ---- creation --------------------------------------------------------- */

static arc_status_t check_config(const arc_engine_config_t *c)
{
    if (c->nodes == 0 || c->tick_us <= 0 || c->hours < 0.0 ||
        !(c->mtbf_hours >= 0.0) || !(c->mttr_hours >= 0.0) ||
        !(c->workload_scale >= 0.0) || c->queue_capacity == 0 ||
        c->queue_age_step_us <= 0 || c->gpus_per_site > 65535 ||
        (unsigned)c->policy >= ARC_POLICY_COUNT || !isfinite(c->hours))
        return ARC_ERR_INVALID;
    return ARC_OK;
}

static arc_status_t make_parts(arc_engine_t *e,
                               const arc_engine_parts_t *parts)
{
    if (parts != NULL && parts->router != NULL && parts->mesh == NULL)
        return ARC_ERR_INVALID;
    e->mesh = parts ? parts->mesh : NULL;
    e->router = parts ? parts->router : NULL;
    e->queue = parts ? parts->queue : NULL;

    if (e->mesh == NULL) {
        e->mesh = arc_mesh_new();
        e->own_mesh = true;
    }
    if (e->queue == NULL) {
        e->queue = arc_rqueue_new(e->cfg.queue_capacity,
                                  e->cfg.queue_age_step_us);
        e->own_queue = true;
    }
    if (e->mesh == NULL || e->queue == NULL)
        return ARC_ERR_NOMEM;
    return arc_engine_sites_init(e);
}

static arc_status_t make_router(arc_engine_t *e)
{
    int64_t beat = 3 * e->cfg.tick_us;

    if (e->router != NULL)
        return ARC_OK;
    if (e->cfg.router == NULL) /* else copied in arc_engine_new */
        arc_router_config_default(&e->rcfg);
    /* The simulated sites report once a tick. */
    if (e->rcfg.heartbeat_timeout_us < beat)
        e->rcfg.heartbeat_timeout_us = beat;
    e->router = arc_router_new(e->mesh, &e->rcfg);
    e->own_router = true;
    return e->router ? ARC_OK : ARC_ERR_NOMEM;
}

static void start_workload(arc_engine_t *e)
{
    uint32_t gpus = 0, most = 0;
    double rate;

    for (uint32_t i = 0; i < e->node_count; i++) {
        gpus += e->nodes[i].phys.gpus;
        if (e->nodes[i].phys.gpus > most)
            most = e->nodes[i].phys.gpus;
    }
    rate = arc_workload_rate_for(gpus, most,
                                 TARGET_PEAK_UTIL * e->cfg.workload_scale);
    if (!e->cfg.workload || rate <= 0.0)
        return;
    arc_workload_init(&e->workload, e->cfg.seed, rate, e->cfg.start_us, 1,
                      most);
    next_arrival(e);
}

arc_status_t arc_engine_new(const arc_engine_config_t *cfg,
                            const arc_engine_parts_t *parts,
                            arc_engine_t **out)
{
    arc_engine_t *e;
    arc_status_t st;

    if (cfg == NULL || out == NULL)
        return ARC_ERR_INVALID;
    *out = NULL;
    if ((st = check_config(cfg)) != ARC_OK)
        return st;
    if ((e = calloc(1, sizeof(*e))) == NULL)
        return ARC_ERR_NOMEM;

    e->cfg = *cfg;
    e->cfg.router = NULL;
    e->free_head = ARC_ENGINE_NIL;
    e->now_us = cfg->start_us;
    e->arrivals_until = INT64_MAX;
    arc_evq_init(&e->evq);
    arc_rng_seed(&e->fail_rng, cfg->seed, 0x4641494cULL);
    if (cfg->router != NULL)
        e->rcfg = *cfg->router;
    e->cfg.router = cfg->router != NULL ? &e->rcfg : NULL;

    st = make_parts(e, parts);
    if (st == ARC_OK)
        st = make_router(e);
    if (st == ARC_OK) {
        start_workload(e);
        schedule(e, e->now_us, EV_TICK, 0, 0);
        schedule(e, e->now_us + EXPIRE_EVERY_US, EV_EXPIRE, 0, 0);
        st = e->failed_alloc ? ARC_ERR_NOMEM : ARC_OK;
    }
    if (st != ARC_OK) {
        arc_engine_free(e);
        return st;
    }
    *out = e;
    return ARC_OK;
}

void arc_engine_free(arc_engine_t *e)
{
    if (e == NULL)
        return;
    if (e->own_router)
        arc_router_free(e->router);
    if (e->own_queue)
        arc_rqueue_free(e->queue);
    if (e->own_mesh)
        arc_mesh_free(e->mesh);
    arc_sites_free(e->sites);
    arc_evq_free(&e->evq);
    free(e->nodes);
    free(e->recs);
    free(e);
}

/* ---- the daemon's side ------------------------------------------------ */

void arc_engine_set_callbacks(arc_engine_t *e,
                              arc_engine_decision_fn on_decision,
                              arc_engine_outcome_fn on_outcome, void *ctx)
{
    e->on_decision = on_decision;
    e->on_outcome = on_outcome;
    e->cb_ctx = ctx;
}

void arc_engine_set_telemetry_sink(arc_engine_t *e,
                                   const arc_engine_telemetry_sink_t *sink)
{
    if (sink != NULL && sink->send != NULL)
        e->sink = *sink;
    else
        memset(&e->sink, 0, sizeof(e->sink));
}

arc_status_t arc_engine_submit(arc_engine_t *e, const arc_request_t *req,
                               arc_engine_outcome_fn done, void *ctx)
{
    arc_request_t copy;

    if (e == NULL || req == NULL || arc_model_get(req->model) == NULL ||
        req->priority >= ARC_PRIO_COUNT || !arc_geo_valid(req->lat, req->lon))
        return ARC_ERR_INVALID;
    copy = *req;
    copy.arrival_us = e->now_us;
    return admit(e, &copy, done, ctx);
}

arc_status_t arc_engine_fail_node(arc_engine_t *e, uint32_t node)
{
    if (e == NULL || arc_engine_sim_node(e, node) == NULL)
        return ARC_ERR_NOT_FOUND;
    arc_engine_node_fail(e, node - e->node_base);
    return ARC_OK;
}

int64_t arc_engine_now(const arc_engine_t *e)
{
    return e->now_us;
}

arc_mesh_t *arc_engine_mesh(arc_engine_t *e)
{
    return e->mesh;
}

arc_router_t *arc_engine_router(arc_engine_t *e)
{
    return e->router;
}

arc_rqueue_t *arc_engine_queue(arc_engine_t *e)
{
    return e->queue;
}

const arc_sim_metrics_t *arc_engine_metrics(arc_engine_t *e)
{
    e->m.p50_ms = arc_latency_quantile(&e->latency, 0.50);
    e->m.p99_ms = arc_latency_quantile(&e->latency, 0.99);
    return &e->m;
}
