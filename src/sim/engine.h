/*
 * engine.h - the discrete-event core of the simulated mesh, shared by
 * `arcnet sim` (offline policy comparison) and the live daemon (stepped
 * in real time).
 *
 * One idea: everything that happens is an event on one time line -
 * request arrivals from the built-in workload or from outside, deferred
 * retries, completions, physics ticks (sun, wind, batteries, telemetry),
 * node failures and recoveries. The engine pops them in time order, asks
 * the router where each request runs, reserves GPUs through the mesh and
 * records what it cost (latency, energy, carbon) in its metrics. The
 * simulated sites speak to the mesh only through telemetry
 * (arc_mesh_apply, or a sink such as the daemon's bus) and GPU
 * bookkeeping (arc_mesh_note_dispatch/complete), exactly as real agents
 * and a real dispatcher would.
 *
 * Threads: one thread owns an engine (and its mesh, router and queue);
 * nothing here locks. Callbacks run on that thread, inside the call that
 * processes the event; they may read the engine (arc_engine_now, the
 * mesh, the metrics) but must not submit, advance or fail nodes.
 *
 * Memory: the engine owns what it creates. Parts handed in through
 * arc_engine_parts_t are borrowed and must outlive the engine.
 * Determinism: the same config and the same external submissions at the
 * same simulated times give identical results on any machine.
 */
#ifndef ARC_SIM_ENGINE_H
#define ARC_SIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/types.h"
#include "route/queue.h"
#include "route/router.h"
#include "state/mesh.h"

/* ---- configuration ---------------------------------------------------- */

typedef struct arc_engine_config {
    uint64_t seed;              /* every random draw derives from it */
    uint32_t nodes;             /* simulated sites (default 150) */
    uint32_t gpus_per_site;     /* 0: the site table's full fleet; else
                                   generation scaled down to it (default
                                   4, see docs/protocol/simulation.md) */
    int64_t start_us;           /* simulated start, UTC microseconds */
    double hours;               /* length of an offline run */
    arc_policy_t policy;        /* routing policy for every decision */
    double mtbf_hours;          /* mean time between failures; 0: none */
    double mttr_hours;          /* mean time to repair */
    int64_t tick_us;            /* physics + telemetry period (60 s) */
    double workload_scale;      /* 1.0: peak GPU utilisation ~65% */
    bool workload;              /* run the built-in workload */
    uint32_t queue_capacity;    /* router queue bound (requests) */
    int64_t queue_age_step_us;  /* queue aging step */
    const arc_router_config_t *router; /* NULL: defaults; either way
                                          the heartbeat timeout is
                                          raised to 3 ticks */
} arc_engine_config_t;

/* Fills the documented defaults (seed 1, 150 nodes, 4 GPUs per site,
 * 24 h from 2026-03-20 06:00 UTC, policy arcnet, MTBF 720 h, MTTR 2 h,
 * 60 s ticks, scale 1, workload on, queue 20,000 requests, aging 30 s). */
void arc_engine_config_default(arc_engine_config_t *cfg);

/*
 * Optional parts to borrow instead of creating. A NULL member is created
 * and owned by the engine. A borrowed mesh may already hold other nodes:
 * the engine adds its simulated sites to it and simulates only those. A
 * router must be over the given mesh, so a router is only accepted
 * together with its mesh.
 */
typedef struct arc_engine_parts {
    arc_mesh_t *mesh;
    arc_router_t *router;
    arc_rqueue_t *queue;
} arc_engine_parts_t;

/* ---- outcomes and metrics --------------------------------------------- */

/* What became of one request. */
typedef struct arc_outcome {
    uint64_t request_id;
    arc_status_t status;   /* ARC_OK served; ARC_ERR_FULL rejected by a
                              full queue; ARC_ERR_UNAVAILABLE not served
                              (reason says why); ARC_ERR_INVALID bad */
    arc_reason_t reason;   /* when ARC_ERR_UNAVAILABLE */
    int64_t retry_after_us;/* when ARC_ERR_FULL: a retry may succeed then */
    uint32_t node;         /* mesh index (served only) */
    const char *node_id;   /* owned by the mesh; NULL when not served */
    arc_zone_t zone;       /* zone of the node that served it */
    arc_energy_source_t source; /* main source of that node at dispatch */
    double carbon_g;       /* grams CO2 of the energy it used */
    double energy_kwh;     /* GPU energy times PUE */
    double rtt_ms;         /* network round trip origin <-> node */
    double queue_ms;       /* time waiting in the router queue */
    double service_ms;     /* time on the GPUs */
    int64_t finished_us;   /* simulated time of the outcome */
    bool slo_missed;       /* finished after its deadline or not served */
} arc_outcome_t;

typedef void (*arc_engine_outcome_fn)(void *ctx, const arc_request_t *req,
                                      const arc_outcome_t *outcome);
typedef void (*arc_engine_decision_fn)(void *ctx, const arc_request_t *req,
                                       const arc_decision_t *decision,
                                       int64_t now_us);

/* Counters of one run. Energy figures count served requests' energy. */
typedef struct arc_sim_metrics {
    uint64_t arrived;     /* requests that entered (workload + submitted) */
    uint64_t served;      /* completed on a node */
    uint64_t rejected;    /* refused: queue full, or no node loads model */
    uint64_t expired;     /* waited in the queue past their deadline */
    uint64_t deferred;    /* deferred at least once (counted once each) */
    uint64_t failed;      /* in flight on a node when it failed */
    uint64_t retried;     /* of those, sent back through the router */
    uint64_t queued;      /* waited in the router queue at least once */
    uint64_t unfinished;  /* still waiting when an offline run ended */
    uint64_t slo_miss[ARC_PRIO_COUNT]; /* late or never served */
    uint64_t node_failures;            /* failure events */
    uint64_t battery_depletions;       /* battery hit reserve with work */
    double co2_g;                      /* over served requests */
    double energy_kwh;                 /* over served requests */
    double energy_kwh_by_source[ARC_SOURCE_COUNT];
    double p50_ms, p99_ms; /* end-to-end latency (rtt + queue + service)
                              of served requests; filled on read */
} arc_sim_metrics_t;

/* ---- the engine ------------------------------------------------------- */

typedef struct arc_engine arc_engine_t;

/*
 * Creates an engine: loads the embedded site table, adds cfg->nodes
 * simulated sites to the mesh, creates what `parts` does not give, and
 * schedules the first tick, the workload and the failures at
 * cfg->start_us. `parts` may be NULL. ARC_ERR_INVALID on a bad config
 * (0 nodes, tick <= 0, negative rates ...), ARC_ERR_NOMEM.
 */
arc_status_t arc_engine_new(const arc_engine_config_t *cfg,
                            const arc_engine_parts_t *parts,
                            arc_engine_t **out);
void arc_engine_free(arc_engine_t *engine);

/* Callbacks on every decision and every outcome; either may be NULL. */
void arc_engine_set_callbacks(arc_engine_t *engine,
                              arc_engine_decision_fn on_decision,
                              arc_engine_outcome_fn on_outcome, void *ctx);

/*
 * Where the simulated sites' telemetry goes. Without a sink (the
 * default, and what `arcnet sim` uses) each report is applied to the
 * mesh at once with arc_mesh_apply. With one, each report is handed to
 * `send` instead, and `deliver` is called wherever the engine is about
 * to rely on the mesh holding what was sent: after a tick's reports,
 * after a failing site's last report and after a repaired site's first.
 * `deliver` must return only once every report sent so far has reached
 * the mesh (applied, or refused as a duplicate); the daemon's sink
 * publishes on its bus and applies through the bus's consumer. Both
 * run on the engine's thread and must not call the engine.
 */
typedef struct arc_engine_telemetry_sink {
    void (*send)(void *ctx, const arc_telemetry_t *t);
    void (*deliver)(void *ctx);
    void *ctx;
} arc_engine_telemetry_sink_t;

/* Sets the sink (copied); NULL goes back to applying directly. */
void arc_engine_set_telemetry_sink(arc_engine_t *engine,
                                   const arc_engine_telemetry_sink_t *sink);

/*
 * Processes every event up to and including `until_us` and leaves the
 * clock there. ARC_ERR_INVALID when until_us is before the clock.
 */
arc_status_t arc_engine_advance(arc_engine_t *engine, int64_t until_us);

/*
 * Offline run: advances to start + hours with the workload on, then stops
 * the workload and lets the work already accepted finish (at most 5
 * simulated hours more); what is still waiting then is `unfinished` and
 * an SLO miss.
 */
arc_status_t arc_engine_run(arc_engine_t *engine);

/*
 * Submits one request from outside (the daemon's API) at the engine's
 * present time; its arrival_us is set to that time when 0. `done` (may be
 * NULL) is called exactly once with its outcome, possibly before this
 * returns (rejections). ARC_ERR_INVALID for a bad model or origin (done
 * is then not called), ARC_ERR_NOMEM.
 */
arc_status_t arc_engine_submit(arc_engine_t *engine,
                               const arc_request_t *req,
                               arc_engine_outcome_fn done, void *ctx);

/*
 * Resumes simulated node `node` (a mesh index) from its last known state,
 * as a restarting daemon reads it from history: its telemetry sequence
 * continues after state->seq, its battery from state->battery_soc, and
 * the state is applied to the mesh as the node's telemetry, with every
 * GPU free (no work survives a restart). The node itself resumes up: a
 * site down at shutdown is taken as repaired meanwhile. Call before the
 * first advance. ARC_ERR_NOT_FOUND when `node` is not a simulated node of
 * this engine; ARC_ERR_INVALID for values the mesh refuses.
 */
arc_status_t arc_engine_restore_node(arc_engine_t *engine, uint32_t node,
                                     const arc_telemetry_t *state);

/* Fails a simulated node now (its in-flight work is retried). */
arc_status_t arc_engine_fail_node(arc_engine_t *engine, uint32_t node);

int64_t arc_engine_now(const arc_engine_t *engine);
arc_mesh_t *arc_engine_mesh(arc_engine_t *engine);
arc_router_t *arc_engine_router(arc_engine_t *engine);
arc_rqueue_t *arc_engine_queue(arc_engine_t *engine);

/* The metrics so far, with p50/p99 computed at this call. */
const arc_sim_metrics_t *arc_engine_metrics(arc_engine_t *engine);

#endif
