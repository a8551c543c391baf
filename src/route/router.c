/*
 * router.c - filters, score terms, policies, zone spill-over and the
 * explanation of every decision (see router.h for the formula).
 *
 * The router keeps no per-request state: a decision reads the mesh and
 * the index and fills an arc_decision_t. The index is kept current by a
 * mesh change hook. Owned by the thread that owns the mesh.
 *
 * Spill-over follows an over-provisioning rule: a zone keeps all of
 * its own traffic while its healthy share of GPUs (GPUs on nodes up,
 * not drained and not silent, over all its GPUs) times the
 * over-provisioning factor (1.4) is at least 1. Below that, the
 * missing fraction of its requests, chosen by a hash of the request id
 * so the choice is stable, goes to the nearest neighbouring zone first.
 * A zone with nothing eligible passes the request on to its neighbours
 * in order; nothing eligible anywhere is an explicit "unavailable".
 */
#include "route/router.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"
#include "route/index.h"

/* Output tokens assumed when estimating queue wait on a node. */
#define TYPICAL_TOKENS 256

/* What the queue term needs of a model, worked out once. */
struct model_cost {
    double service_ms; /* one request of TYPICAL_TOKENS */
    uint32_t gpus;     /* GPUs a request of it takes */
};

struct arc_router {
    arc_mesh_t *mesh;
    arc_router_config_t cfg;
    arc_index_t *index;
    uint32_t rr_cursor[ARC_ZONE_COUNT];
    struct model_cost *model; /* one per model of the table */
};

static const char *const policy_names[ARC_POLICY_COUNT] = {
    "arcnet", "nearest", "least-loaded", "greenest", "round-robin",
};

static const char *const term_names[ARC_TERM_COUNT] = {
    "latency", "queue", "carbon", "battery", "load",
};

const char *arc_policy_name(arc_policy_t policy)
{
    return (unsigned)policy < ARC_POLICY_COUNT ? policy_names[policy]
                                               : "unknown";
}

arc_status_t arc_policy_parse(const char *s, arc_policy_t *out)
{
    if (s == NULL)
        return ARC_ERR_INVALID;
    for (int i = 0; i < ARC_POLICY_COUNT; i++) {
        if (strcmp(policy_names[i], s) == 0) {
            *out = (arc_policy_t)i;
            return ARC_OK;
        }
    }
    return ARC_ERR_NOT_FOUND;
}

const char *arc_term_name(arc_term_t term)
{
    return (unsigned)term < ARC_TERM_COUNT ? term_names[term] : "unknown";
}

const char *arc_reason_text(arc_reason_t reason)
{
    switch (reason) {
    case ARC_REASON_NONE:
        return "";
    case ARC_REASON_NO_CAPACITY:
        return "every live node that loads the model is at capacity";
    case ARC_REASON_NO_MODEL:
        return "no live node loads the model";
    case ARC_REASON_GREENER_SOON:
        return "background request waits for cleaner power";
    }
    return "unknown";
}

void arc_router_config_default(arc_router_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->latency_weight[ARC_PRIO_CRITICAL] = 10.0;
    cfg->latency_weight[ARC_PRIO_NORMAL] = 1.0;
    cfg->latency_weight[ARC_PRIO_BACKGROUND] = 0.05;
    cfg->queue_weight = 1.0;
    cfg->carbon_weight = 0.3;
    cfg->battery_weight = 60.0;
    cfg->load_weight = 5.0;
    cfg->battery_margin = 0.05;
    cfg->heartbeat_timeout_us = 15 * ARC_US_PER_S;
    cfg->overprovision = 1.4;
    cfg->defer_carbon_g_per_kwh = 300.0;
    cfg->defer_step_us = 15 * 60 * ARC_US_PER_S;
}

/* ---- filters and terms ------------------------------------------------ */

/*
 * The hard filters every policy shares (liveness is checked when a
 * candidate is visited, since it depends on the time).
 */
static bool eligible(const arc_node_t *n, uint32_t model)
{
    const arc_model_t *m = arc_model_get(model);

    if (!arc_node_is_healthy(n))
        return false;
    if (!(n->models & (1u << model)) || n->gpus_free < m->gpus)
        return false;
    if (n->energy_source == ARC_SOURCE_BATTERY &&
        n->battery_soc <= n->battery_reserve)
        return false;
    return true;
}

/*
 * A site with a battery may be drawing on it while another source is its
 * largest (the sun setting, the wind dropping): unless it runs on the
 * grid, its battery counts.
 */
static bool leans_on_battery(const arc_node_t *n)
{
    return n->battery_kwh > 0.0f && n->energy_source != ARC_SOURCE_GRID;
}

/*
 * The scored policy protects batteries further: a site leaning on its
 * battery takes new work only while the charge is a margin above the
 * reserve, so the work it takes can finish before the site must fall
 * back to the grid.
 */
static bool spares_battery(const arc_router_config_t *cfg,
                           const arc_node_t *n)
{
    return !(leans_on_battery(n) &&
             n->battery_soc <= n->battery_reserve + cfg->battery_margin);
}

static bool arcnet_eligible(const arc_router_config_t *cfg,
                            const arc_node_t *n, uint32_t model)
{
    return eligible(n, model) && spares_battery(cfg, n);
}

/*
 * Expected wait behind work queued on the node itself: requests beyond
 * those its busy GPUs are running, served `slots` at a time.
 */
static double queue_ms(const arc_router_t *r, const arc_node_t *n,
                       uint32_t model)
{
    const struct model_cost *m = &r->model[model];
    double slots = (double)(n->gpus_total / m->gpus);
    double running = (double)(n->gpus_total - n->gpus_free) / m->gpus;
    double waiting = (double)n->queue_depth - running;

    if (slots < 1.0)
        slots = 1.0;
    if (waiting <= 0.0)
        return 0.0;
    return m->service_ms * waiting / slots;
}

/* 0 with headroom (or on the grid), rising to 1 at the reserve. */
static double battery_risk(const arc_node_t *n)
{
    double headroom;

    if (!leans_on_battery(n))
        return 0.0;
    if (n->battery_reserve >= 1.0f)
        return 1.0;
    headroom = (n->battery_soc - n->battery_reserve) /
               (1.0 - n->battery_reserve);
    /* Clamped to [0, 1] by comparisons (NaN counts as no headroom). */
    headroom = !(headroom > 0.0) ? 0.0 : headroom > 1.0 ? 1.0 : headroom;
    return 1.0 - headroom;
}

static void term_values(const arc_router_t *r, const arc_node_t *n,
                        uint32_t model, double rtt_ms,
                        double value[ARC_TERM_COUNT])
{
    value[ARC_TERM_LATENCY] = rtt_ms;
    value[ARC_TERM_QUEUE] = queue_ms(r, n, model);
    value[ARC_TERM_CARBON] = n->carbon_g_per_kwh;
    value[ARC_TERM_BATTERY] = battery_risk(n);
    value[ARC_TERM_LOAD] = n->gpu_util;
}

static void policy_weights(const arc_router_config_t *cfg,
                           arc_policy_t policy, arc_priority_t prio,
                           double weight[ARC_TERM_COUNT])
{
    memset(weight, 0, sizeof(double) * ARC_TERM_COUNT);
    switch (policy) {
    case ARC_POLICY_ARCNET:
        weight[ARC_TERM_LATENCY] = cfg->latency_weight[prio];
        weight[ARC_TERM_QUEUE] = cfg->queue_weight;
        weight[ARC_TERM_CARBON] = cfg->carbon_weight;
        weight[ARC_TERM_BATTERY] = cfg->battery_weight;
        weight[ARC_TERM_LOAD] = cfg->load_weight;
        break;
    case ARC_POLICY_NEAREST:
        weight[ARC_TERM_LATENCY] = 1.0;
        break;
    case ARC_POLICY_LEAST_LOADED:
        weight[ARC_TERM_LOAD] = 1.0;
        break;
    case ARC_POLICY_GREENEST:
        weight[ARC_TERM_CARBON] = 1.0;
        break;
    default:
        break;
    }
}

/*
 * The origin-free part of the scored policy's score: every term but
 * latency, weighted. The index keys its heaps by it and the full scan
 * adds latency to it, so both compute it here, alike to the last bit.
 */
static float score_key(const arc_router_t *r, const arc_node_t *n,
                       uint32_t model)
{
    const arc_router_config_t *cfg = &r->cfg;
    double sum = 0.0;

    sum += cfg->queue_weight * queue_ms(r, n, model);
    sum += cfg->carbon_weight * (double)n->carbon_g_per_kwh;
    sum += cfg->battery_weight * battery_risk(n);
    sum += cfg->load_weight * (double)n->gpu_util;
    return (float)sum;
}

/*
 * The index's key function: which kinds may take the node for a model,
 * and their keys. The scored policy filters further than the others.
 */
static uint32_t index_keys(void *ctx, const arc_node_t *n, uint32_t model,
                           float key[ARC_KEY_KIND_COUNT])
{
    const arc_router_t *r = ctx;
    uint32_t kinds = 1u << ARC_KEY_NEAREST | 1u << ARC_KEY_LOAD |
                     1u << ARC_KEY_CARBON;

    if (!eligible(n, model))
        return 0;
    key[ARC_KEY_NEAREST] = 0.0f;
    key[ARC_KEY_LOAD] = n->gpu_util;
    key[ARC_KEY_CARBON] = n->carbon_g_per_kwh;
    if (spares_battery(&r->cfg, n)) {
        kinds |= 1u << ARC_KEY_SCORE | 1u << ARC_KEY_SCORE_WIDE;
        key[ARC_KEY_SCORE] = score_key(r, n, model);
        key[ARC_KEY_SCORE_WIDE] = key[ARC_KEY_SCORE];
    }
    return kinds;
}

static void on_mesh_change(void *ctx, uint32_t node, const arc_node_t *before)
{
    arc_router_t *r = ctx;

    (void)before;
    arc_index_update(r->index, node);
}

/* ---- construction ----------------------------------------------------- */

arc_router_t *arc_router_new(arc_mesh_t *mesh,
                             const arc_router_config_t *cfg)
{
    arc_router_t *r = calloc(1, sizeof(*r));

    if (r == NULL)
        return NULL;
    r->mesh = mesh;
    if (cfg != NULL)
        r->cfg = *cfg;
    else
        arc_router_config_default(&r->cfg);
    r->model = calloc(arc_model_count(), sizeof(*r->model));
    if (r->model == NULL) {
        free(r);
        return NULL;
    }
    for (uint32_t m = 0; m < arc_model_count(); m++) {
        r->model[m].service_ms =
            (double)arc_model_service_us(m, TYPICAL_TOKENS) / 1000.0;
        r->model[m].gpus = arc_model_get(m)->gpus;
    }

    r->index = arc_index_new(mesh, index_keys, r);
    if (r->index == NULL ||
        arc_mesh_add_hook(mesh, on_mesh_change, r) != ARC_OK) {
        arc_index_free(r->index);
        free(r->model);
        free(r);
        return NULL;
    }
    return r;
}

void arc_router_free(arc_router_t *r)
{
    if (r == NULL)
        return;
    arc_mesh_remove_hook(r->mesh, on_mesh_change, r);
    arc_index_free(r->index);
    free(r->model);
    free(r);
}

const arc_router_config_t *arc_router_config(const arc_router_t *r)
{
    return &r->cfg;
}

size_t arc_router_index_bytes(const arc_router_t *r)
{
    return sizeof(*r) + sizeof(*r->model) * arc_model_count() +
           arc_index_bytes(r->index);
}

/* ---- decisions -------------------------------------------------------- */

static arc_status_t validate(const arc_request_t *req, arc_policy_t policy)
{
    if (req->model >= arc_model_count() || req->priority >= ARC_PRIO_COUNT ||
        (unsigned)policy >= ARC_POLICY_COUNT ||
        !arc_geo_valid(req->lat, req->lon))
        return ARC_ERR_INVALID;
    return ARC_OK;
}

/* A stable number in [0, 1) from a request id (splitmix64 finaliser). */
static double unit_hash(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (double)(x >> 11) / 9007199254740992.0;
}

double arc_router_spill_fraction(const arc_router_config_t *cfg,
                                 const arc_zone_totals_t *home)
{
    double healthy = home->gpus_total ? (double)home->gpus_healthy /
                                            (double)home->gpus_total
                                      : 0.0;
    double spill = 1.0 - healthy * cfg->overprovision;

    return spill > 0.0 ? spill : 0.0; /* and 0 for NaN */
}

bool arc_router_spills(const arc_router_config_t *cfg,
                       const arc_zone_totals_t *home, uint64_t request_id)
{
    double spill = arc_router_spill_fraction(cfg, home);

    return spill > 0.0 && unit_hash(request_id) < spill;
}

/* The zones to try, in order: home first unless this request spills. */
static int zone_order(const arc_router_t *r, const arc_request_t *req,
                      arc_zone_t home, arc_zone_t order[ARC_ZONE_COUNT])
{
    const arc_zone_totals_t *t = arc_mesh_zone_totals(r->mesh, home);
    arc_zone_t next[2];
    int n = arc_geo_zone_neighbours(home, next);

    if (n > 0 && arc_router_spills(&r->cfg, t, req->id)) {
        order[0] = next[0];
        order[1] = home;
        order[2] = next[1];
        return 1 + n;
    }
    order[0] = home;
    for (int i = 0; i < n; i++)
        order[1 + i] = next[i];
    return 1 + n;
}

static void fill_candidate(const arc_router_t *r, const arc_request_t *req,
                           const double weight[ARC_TERM_COUNT],
                           uint32_t node, double score, double rtt_ms,
                           arc_candidate_t *c)
{
    const arc_node_t *n = arc_mesh_node(r->mesh, node);

    c->node = node;
    c->score = score;
    memcpy(c->weight, weight, sizeof(c->weight));
    term_values(r, n, req->model, rtt_ms, c->value);
}

/*
 * The round trip from an origin (a unit vector) to a node, measured the
 * way the index measures it: through the node's float unit vector, so a
 * scan and a search score a node alike to the last bit.
 */
static double rtt_from(const double origin[3], const arc_node_t *n)
{
    float unit[3];

    arc_geo_unit_f(n->lat, n->lon, unit);
    return arc_geo_rtt_ms(arc_geo_chord_km(arc_geo_chord(origin, unit)));
}

/*
 * Each eligible node of the zone in turn, after the last one chosen.
 * The index names the next node past the shared filters; only liveness,
 * which changes with the clock, is checked here, so a decision skips
 * no more nodes than went silent since their last report.
 */
static uint32_t round_robin(arc_router_t *r, const arc_request_t *req,
                            arc_zone_t zone, int64_t now_us,
                            arc_index_hit_t *hit, uint32_t *visited)
{
    uint32_t count;
    const uint32_t *nodes = arc_index_zone_nodes(r->index, zone, &count);
    uint32_t start, from;
    bool wrapped = false;
    double origin[3];

    if (count == 0)
        return 0;
    start = r->rr_cursor[zone] % count;
    from = start;
    for (;;) {
        uint32_t at = arc_index_next_ready(r->index, zone, req->model, from);
        const arc_node_t *n;

        if (at >= count || (wrapped && at >= start)) {
            if (wrapped)
                return 0; /* a full turn: nothing live can take it */
            wrapped = true;
            from = 0;
            continue;
        }
        n = arc_mesh_node(r->mesh, nodes[at]);
        (*visited)++;
        if (!arc_node_is_live(n, now_us, r->cfg.heartbeat_timeout_us)) {
            from = at + 1;
            continue;
        }
        r->rr_cursor[zone] = (at + 1) % count;
        hit->node = nodes[at];
        hit->score = 0.0;
        arc_geo_unit(req->lat, req->lon, origin);
        hit->rtt_ms = rtt_from(origin, n);
        return 1;
    }
}

static uint32_t search_zone(arc_router_t *r, const arc_request_t *req,
                            arc_policy_t policy, arc_zone_t zone,
                            int64_t now_us, arc_index_hit_t *hits,
                            uint32_t *visited)
{
    arc_index_query_t q = {
        .zone = zone,
        .model = req->model,
        .kind = ARC_KEY_SCORE,
        .lat = req->lat,
        .lon = req->lon,
        .latency_weight = r->cfg.latency_weight[req->priority],
        .use_keys = true,
        .now_us = now_us,
        .heartbeat_timeout_us = r->cfg.heartbeat_timeout_us,
    };
    uint32_t seen = 0, found;

    switch (policy) {
    case ARC_POLICY_NEAREST:
        q.kind = ARC_KEY_NEAREST;
        q.latency_weight = 1.0;
        q.use_keys = false;
        break;
    case ARC_POLICY_LEAST_LOADED:
    case ARC_POLICY_GREENEST:
        q.kind = policy == ARC_POLICY_GREENEST ? ARC_KEY_CARBON
                                               : ARC_KEY_LOAD;
        q.latency_weight = 0.0;
        break;
    case ARC_POLICY_ROUND_ROBIN:
        return round_robin(r, req, zone, now_us, hits, visited);
    default:
        break;
    }
    found = arc_index_search(r->index, &q, hits, 1 + ARC_RUNNER_UPS, &seen);
    *visited += seen;
    return found;
}

static arc_reason_t why_unavailable(const arc_router_t *r, uint32_t model)
{
    for (int z = 0; z < ARC_ZONE_COUNT; z++) {
        if (arc_index_model_nodes(r->index, z, model) > 0)
            return ARC_REASON_NO_CAPACITY;
    }
    return ARC_REASON_NO_MODEL;
}

/* Background work on dirty power waits, if its deadline allows. */
static bool should_defer(const arc_router_t *r, const arc_request_t *req,
                         arc_policy_t policy, const arc_candidate_t *chosen,
                         int64_t now_us)
{
    int64_t done_by;

    if (policy != ARC_POLICY_ARCNET || req->priority != ARC_PRIO_BACKGROUND)
        return false;
    if (chosen->value[ARC_TERM_CARBON] <= r->cfg.defer_carbon_g_per_kwh ||
        req->deadline_us <= 0)
        return false;
    done_by = now_us + r->cfg.defer_step_us +
              arc_model_service_us(req->model, req->tokens);
    return done_by < req->deadline_us;
}

static void explain(arc_router_t *r, const arc_request_t *req,
                    arc_policy_t policy, const arc_index_hit_t *hits,
                    uint32_t found, arc_decision_t *out)
{
    double weight[ARC_TERM_COUNT];

    for (uint32_t i = 0; i < found; i++)
        __builtin_prefetch(arc_mesh_node(r->mesh, hits[i].node));
    policy_weights(&r->cfg, policy, req->priority, weight);
    fill_candidate(r, req, weight, hits[0].node, hits[0].score,
                   hits[0].rtt_ms, &out->chosen);
    out->runner_up_count = found - 1;
    for (uint32_t i = 1; i < found; i++)
        fill_candidate(r, req, weight, hits[i].node, hits[i].score,
                       hits[i].rtt_ms, &out->runner_ups[i - 1]);
    out->zone = arc_mesh_node(r->mesh, hits[0].node)->zone;
    out->spilled = out->zone != out->home_zone;
}

arc_status_t arc_router_decide(arc_router_t *r, const arc_request_t *req,
                               arc_policy_t policy, int64_t now_us,
                               arc_decision_t *out)
{
    arc_zone_t order[ARC_ZONE_COUNT];
    arc_index_hit_t hits[1 + ARC_RUNNER_UPS];
    uint32_t found = 0;
    int zones;

    memset(out, 0, sizeof(*out));
    out->policy = policy;
    out->status = validate(req, policy);
    if (out->status != ARC_OK)
        return out->status;

    out->home_zone = arc_geo_zone_of(req->lat, req->lon);
    zones = zone_order(r, req, out->home_zone, order);
    for (int i = 0; i < zones && found == 0; i++)
        found = search_zone(r, req, policy, order[i], now_us, hits,
                            &out->nodes_visited);

    if (found == 0) {
        out->status = ARC_ERR_UNAVAILABLE;
        out->reason = why_unavailable(r, req->model);
        return out->status;
    }
    explain(r, req, policy, hits, found, out);

    if (should_defer(r, req, policy, &out->chosen, now_us)) {
        out->status = ARC_ERR_DEFERRED;
        out->reason = ARC_REASON_GREENER_SOON;
        out->retry_at_us = now_us + r->cfg.defer_step_us;
    }
    return out->status;
}

/* ---- the reference: score every node ---------------------------------- */

static void offer(arc_index_hit_t *top, uint32_t *len, uint32_t k,
                  uint32_t node, double score, double rtt_ms)
{
    uint32_t i;

    if (*len == k && !(score < top[*len - 1].score))
        return;
    i = *len < k ? (*len)++ : *len - 1;
    while (i > 0 && (score < top[i - 1].score ||
                     (score == top[i - 1].score && node < top[i - 1].node))) {
        top[i] = top[i - 1];
        i--;
    }
    top[i].node = node;
    top[i].score = score;
    top[i].rtt_ms = rtt_ms;
}

static uint32_t scan_zone(arc_router_t *r, const arc_request_t *req,
                          arc_zone_t zone, int64_t now_us,
                          arc_index_hit_t *top, uint32_t *visited)
{
    uint32_t count = arc_mesh_count(r->mesh), len = 0;
    double w_lat = r->cfg.latency_weight[req->priority];
    double origin[3];

    arc_geo_unit(req->lat, req->lon, origin);
    for (uint32_t i = 0; i < count; i++) {
        const arc_node_t *n = arc_mesh_node(r->mesh, i);
        float key;
        double rtt;

        if (n->zone != zone)
            continue;
        (*visited)++;
        if (!arcnet_eligible(&r->cfg, n, req->model) ||
            !arc_node_is_live(n, now_us, r->cfg.heartbeat_timeout_us))
            continue;
        key = score_key(r, n, req->model);
        rtt = rtt_from(origin, n);
        offer(top, &len, 1 + ARC_RUNNER_UPS, i, w_lat * rtt + (double)key,
              rtt);
    }
    return len;
}

arc_status_t arc_router_decide_full_scan(arc_router_t *r,
                                         const arc_request_t *req,
                                         int64_t now_us, arc_decision_t *out)
{
    arc_zone_t order[ARC_ZONE_COUNT];
    arc_index_hit_t hits[1 + ARC_RUNNER_UPS];
    uint32_t found = 0;
    int zones;

    memset(out, 0, sizeof(*out));
    out->policy = ARC_POLICY_ARCNET;
    out->status = validate(req, ARC_POLICY_ARCNET);
    if (out->status != ARC_OK)
        return out->status;

    out->home_zone = arc_geo_zone_of(req->lat, req->lon);
    zones = zone_order(r, req, out->home_zone, order);
    for (int i = 0; i < zones && found == 0; i++)
        found = scan_zone(r, req, order[i], now_us, hits,
                          &out->nodes_visited);
    if (found == 0) {
        out->status = ARC_ERR_UNAVAILABLE;
        out->reason = why_unavailable(r, req->model);
        return out->status;
    }
    explain(r, req, ARC_POLICY_ARCNET, hits, found, out);
    return ARC_OK;
}
