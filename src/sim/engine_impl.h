/*
 * engine_impl.h - the engine's private state, shared by engine.c (events,
 * placement, outcomes) and engine_sites.c (physics ticks, telemetry,
 * failures). Not for use outside src/sim.
 *
 * Requests live in a pool of records indexed by slot. The router and
 * queue see a copy whose id is (generation << 32 | slot), so a record is
 * found in O(1) when the queue hands a request back, and a completion
 * scheduled before a node failed is recognised as stale by its
 * generation. The caller's own id is kept beside it and is what every
 * callback reports.
 */
#ifndef ARC_SIM_ENGINE_IMPL_H
#define ARC_SIM_ENGINE_IMPL_H

#include "sim/engine.h"
#include "sim/evq.h"
#include "sim/latency.h"
#include "sim/physics.h"
#include "sim/sites.h"
#include "sim/workload.h"

#define ARC_ENGINE_NIL UINT32_MAX

enum engine_event {
    EV_TICK = 0,
    EV_ARRIVAL,
    EV_RETRY,
    EV_COMPLETE,
    EV_FAIL,
    EV_RECOVER,
    EV_EXPIRE
};

enum record_state {
    REC_FREE = 0,
    REC_PLACING,
    REC_FLIGHT,
    REC_QUEUED,
    REC_DEFERRED
};

typedef struct engine_record {
    arc_request_t req;        /* internal copy (id = gen << 32 | slot) */
    uint64_t user_id;         /* the id the caller gave */
    arc_engine_outcome_fn done;
    void *done_ctx;
    uint32_t gen;
    uint8_t state;            /* enum record_state */
    uint8_t was_deferred;
    uint8_t was_queued;
    uint8_t reason;           /* arc_reason_t of a refusal from the queue */
    uint32_t node;            /* mesh index while in flight */
    uint32_t prev, next;      /* the node's in-flight list, or free list */
    double rtt_ms, queue_ms, service_ms;
    double energy_kwh, carbon_g;
    double kwh_by_source[ARC_SOURCE_COUNT];
    uint8_t source;
} engine_record_t;

typedef struct sim_node {
    arc_site_sim_t phys;
    arc_rng_t weather;
    uint32_t mesh_index;
    uint32_t busy;            /* GPUs reserved by work in flight */
    uint32_t inflight;        /* requests in flight */
    float mem_gb;             /* GPU memory they hold */
    uint32_t head;            /* first record in flight */
    uint64_t seq;             /* telemetry sequence */
    bool down;
} sim_node_t;

struct arc_engine {
    arc_engine_config_t cfg;
    arc_router_config_t rcfg;
    arc_site_table_t *sites;
    arc_mesh_t *mesh;
    arc_router_t *router;
    arc_rqueue_t *queue;
    bool own_mesh, own_router, own_queue;

    sim_node_t *nodes;
    uint32_t node_count;
    uint32_t node_base;       /* mesh index of the first simulated node */

    engine_record_t *recs;
    uint32_t rec_cap, free_head, live;

    arc_evq_t evq;
    arc_workload_t workload;
    arc_request_t pending;    /* the workload's next arrival */
    arc_rng_t fail_rng;
    int64_t now_us;
    int64_t arrivals_until;   /* the workload stops here */
    bool in_expire;
    bool failed_alloc;

    arc_engine_decision_fn on_decision;
    arc_engine_outcome_fn on_outcome;
    void *cb_ctx;
    arc_engine_telemetry_sink_t sink; /* send NULL: apply directly */

    arc_sim_metrics_t m;
    arc_latency_t latency;
};

/* engine_sites.c */
arc_status_t arc_engine_sites_init(arc_engine_t *e);
void arc_engine_tick(arc_engine_t *e);
void arc_engine_node_fail(arc_engine_t *e, uint32_t sim_index);
void arc_engine_node_recover(arc_engine_t *e, uint32_t sim_index);
sim_node_t *arc_engine_sim_node(arc_engine_t *e, uint32_t mesh_index);

/* engine.c */
void arc_engine_place(arc_engine_t *e, uint32_t slot);
void arc_engine_unlink(arc_engine_t *e, sim_node_t *n, uint32_t slot);
void arc_engine_place_waiting(arc_engine_t *e);

#endif
