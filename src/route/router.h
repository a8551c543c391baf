/*
 * router.h - picks the node that serves each inference request, and says
 * why.
 *
 * A decision filters (node up and heard from, model loaded, GPUs free,
 * battery above reserve when running on it; the scored policy also wants
 * a margin above reserve on any site leaning on its battery), then
 * scores every survivor with five terms, lower is better:
 *
 *   score = w_latency(priority) * rtt_ms            (distance to origin)
 *         + w_queue   * queue_ms                    (work already there)
 *         + w_carbon  * carbon_g_per_kwh            (what it runs on)
 *         + w_battery * battery_risk                (0..1, near reserve)
 *         + w_load    * gpu_util                    (0..1)
 *
 * Only the latency weight depends on priority: critical work pays dearly
 * for distance (and so accepts grid power nearby), background work hardly
 * at all (and so travels to clean power). Because the other four terms do
 * not depend on the request's origin, they are kept per node as one key;
 * the index orders each grid cell's nodes by that key and a decision walks
 * cells outward from the origin, stopping once distance alone rules out
 * anything better. Its cost grows with log N, not N (docs/protocol/
 * routing.md has the proof sketch and the figures).
 *
 * The baselines `nearest`, `least-loaded`, `greenest` and `round-robin`
 * use the same filters and the same index.
 *
 * One thread owns a router and its mesh; nothing here locks.
 */
#ifndef ARC_ROUTER_H
#define ARC_ROUTER_H

#include "core/types.h"
#include "state/mesh.h"

typedef enum arc_policy {
    ARC_POLICY_ARCNET = 0, /* the scored policy above (default) */
    ARC_POLICY_NEAREST,      /* lowest round trip */
    ARC_POLICY_LEAST_LOADED, /* lowest GPU utilisation in the zone */
    ARC_POLICY_GREENEST,     /* lowest carbon intensity in the zone */
    ARC_POLICY_ROUND_ROBIN,  /* each eligible node of the zone in turn */
    ARC_POLICY_COUNT
} arc_policy_t;

const char *arc_policy_name(arc_policy_t policy);
arc_status_t arc_policy_parse(const char *s, arc_policy_t *out);

typedef enum arc_term {
    ARC_TERM_LATENCY = 0,
    ARC_TERM_QUEUE,
    ARC_TERM_CARBON,
    ARC_TERM_BATTERY,
    ARC_TERM_LOAD,
    ARC_TERM_COUNT
} arc_term_t;

const char *arc_term_name(arc_term_t term); /* "latency", ... */

/* Why a request could not be placed. */
typedef enum arc_reason {
    ARC_REASON_NONE = 0,
    ARC_REASON_NO_CAPACITY,  /* nodes load the model but all are busy */
    ARC_REASON_NO_MODEL,     /* no live node loads the model at all */
    ARC_REASON_GREENER_SOON  /* deferred: background, waiting for clean power */
} arc_reason_t;

const char *arc_reason_text(arc_reason_t reason);

typedef struct arc_router_config {
    double latency_weight[ARC_PRIO_COUNT]; /* per ms of round trip */
    double queue_weight;                   /* per ms of queue wait */
    double carbon_weight;                  /* per g CO2 / kWh */
    double battery_weight;                 /* per unit of battery risk */
    double load_weight;                    /* per unit of GPU load */
    double battery_margin; /* arcnet: a site leaning on its battery
                              needs soc above reserve + this */

    int64_t heartbeat_timeout_us;  /* older than this: not live */
    double overprovision;          /* healthy-share factor (1.4) */
    double defer_carbon_g_per_kwh; /* background waits above this */
    int64_t defer_step_us;         /* and tries again after this */
} arc_router_config_t;

/* Fills the documented defaults. */
void arc_router_config_default(arc_router_config_t *cfg);

/* One scored candidate: the node, its score, each term and weight. */
typedef struct arc_candidate {
    uint32_t node;
    double score;
    double value[ARC_TERM_COUNT];
    double weight[ARC_TERM_COUNT];
} arc_candidate_t;

#define ARC_RUNNER_UPS 3

typedef struct arc_decision {
    arc_status_t status;  /* ARC_OK, ARC_ERR_UNAVAILABLE, ARC_ERR_DEFERRED */
    arc_reason_t reason;  /* why, when not ARC_OK */
    arc_policy_t policy;
    arc_zone_t home_zone; /* the zone of the request's origin */
    arc_zone_t zone;      /* the zone of the chosen node */
    bool spilled;         /* served outside the home zone */
    arc_candidate_t chosen;
    uint32_t runner_up_count;
    arc_candidate_t runner_ups[ARC_RUNNER_UPS];
    int64_t retry_at_us;  /* deferred: when to ask again */
    uint32_t nodes_visited; /* candidates scored (for benchmarks) */
} arc_decision_t;

typedef struct arc_router arc_router_t;

/*
 * A router over `mesh`, which must outlive it. Builds the index from the
 * nodes present and registers itself as the mesh's change hook; nodes
 * added later are indexed as they arrive. NULL when out of memory.
 */
arc_router_t *arc_router_new(arc_mesh_t *mesh,
                             const arc_router_config_t *cfg);
void arc_router_free(arc_router_t *router);

const arc_router_config_t *arc_router_config(const arc_router_t *router);

/*
 * Decides where `req` runs under `policy` at time `now_us`. Always fills
 * *out; returns out->status. A request whose model id or origin is
 * invalid is ARC_ERR_INVALID. Nothing is dispatched: the caller does that
 * (and tells the mesh through arc_mesh_note_dispatch).
 */
arc_status_t arc_router_decide(arc_router_t *router, const arc_request_t *req,
                               arc_policy_t policy, int64_t now_us,
                               arc_decision_t *out);

/*
 * The same decision for the `arcnet` policy computed by scoring every
 * node of the mesh: the reference the index is tested and benchmarked
 * against. Never used on the request path.
 */
arc_status_t arc_router_decide_full_scan(arc_router_t *router,
                                         const arc_request_t *req,
                                         int64_t now_us,
                                         arc_decision_t *out);

/*
 * The share rule. A zone keeps all of its traffic while its healthy
 * share of GPUs (gpus_healthy / gpus_total) times cfg->overprovision is
 * at least 1; below that, the missing fraction of its requests tries
 * the nearest neighbour zone first, chosen by a hash of the request id
 * so the same request always goes the same way. A zone without GPUs
 * spills everything. arc_router_decide applies it within one mesh; a
 * zone process applies it between zone processes.
 *
 * arc_router_spill_fraction: the fraction that spills, 0..1.
 * arc_router_spills: whether request `request_id`, whose home zone has
 * the totals `home`, is one of them.
 */
double arc_router_spill_fraction(const arc_router_config_t *cfg,
                                 const arc_zone_totals_t *home);
bool arc_router_spills(const arc_router_config_t *cfg,
                       const arc_zone_totals_t *home, uint64_t request_id);

/* Bytes the router's index holds, for the state-per-node figure. */
size_t arc_router_index_bytes(const arc_router_t *router);

#endif
