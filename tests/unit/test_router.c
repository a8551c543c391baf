/*
 * test_router.c - the router's filters, terms, policies, explanations,
 * spill-over (and the share rule on its own) and failure answers, and
 * the index agreeing with a full scan of the mesh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "fixture.h"
#include "route/router.h"

/* Denver-ish origin in the west zone, and points around it. */
#define ORIGIN_LAT 39.74
#define ORIGIN_LON (-104.99)

struct world {
    arc_mesh_t *mesh;
    arc_router_t *router;
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof(*w));

    w->mesh = arc_mesh_new();
    w->router = arc_router_new(w->mesh, NULL);
    *state = w;
    return w->mesh && w->router ? 0 : -1;
}

static int teardown(void **state)
{
    struct world *w = *state;

    arc_router_free(w->router);
    arc_mesh_free(w->mesh);
    free(w);
    return 0;
}

static uint32_t add(struct world *w, const char *id, double lat, double lon)
{
    arc_node_t n = fix_node(id, lat, lon);
    uint32_t index;

    assert_int_equal(arc_mesh_add(w->mesh, &n, &index), ARC_OK);
    return index;
}

/* Applies one changed field through telemetry, as an agent would. */
static void report(struct world *w, arc_telemetry_t *t)
{
    assert_int_equal(arc_mesh_apply(w->mesh, t), ARC_OK);
}

static arc_decision_t decide(struct world *w, arc_policy_t policy,
                             arc_priority_t prio)
{
    arc_request_t req = fix_request(1, ORIGIN_LAT, ORIGIN_LON, prio);
    arc_decision_t d;

    arc_router_decide(w->router, &req, policy, FIX_NOW, &d);
    return d;
}

static void nearer_node_wins_when_all_else_is_equal(void **state)
{
    struct world *w = *state;
    uint32_t near = add(w, "near", 39.9, -105.2);

    add(w, "far", 45.5, -122.7);
    arc_decision_t d = decide(w, ARC_POLICY_ARCNET, ARC_PRIO_NORMAL);

    assert_int_equal(d.status, ARC_OK);
    assert_int_equal(d.chosen.node, near);
    assert_int_equal(d.runner_up_count, 1);
    assert_true(d.runner_ups[0].score >= d.chosen.score);
}

static void each_hard_filter_excludes_a_node(void **state)
{
    struct world *w = *state;
    uint32_t good = add(w, "good", 47.6, -122.3); /* far but fine */
    uint32_t bad[6];
    arc_telemetry_t t;

    for (int i = 0; i < 6; i++) {
        char id[8] = {'b', (char)('0' + i), 0};

        bad[i] = add(w, id, 39.75 + i * 0.01, -105.0);
    }
    t = fix_telemetry(w->mesh, bad[0]);
    t.status = ARC_NODE_DOWN;
    report(w, &t);
    arc_mesh_set_drained(w->mesh, bad[1], true);
    t = fix_telemetry(w->mesh, bad[2]);
    t.models = 1u << 1; /* not model 0 */
    report(w, &t);
    t = fix_telemetry(w->mesh, bad[3]);
    t.gpus_free = 0;
    report(w, &t);
    t = fix_telemetry(w->mesh, bad[4]);
    t.energy_source = ARC_SOURCE_BATTERY;
    t.battery_soc = 0.15f; /* below the 0.2 reserve */
    report(w, &t);
    t = fix_telemetry(w->mesh, bad[5]);
    t.time_us = FIX_NOW - 60 * ARC_US_PER_S; /* heartbeat too old */
    report(w, &t);

    arc_decision_t d = decide(w, ARC_POLICY_ARCNET, ARC_PRIO_CRITICAL);

    assert_int_equal(d.status, ARC_OK);
    assert_int_equal(d.chosen.node, good);
    assert_int_equal(d.runner_up_count, 0);
}

static void model_needing_more_gpus_than_free_is_filtered(void **state)
{
    struct world *w = *state;
    uint32_t small = add(w, "small", 39.8, -105.0);
    uint32_t big = add(w, "big", 44.0, -110.0);
    arc_request_t req = fix_request(1, ORIGIN_LAT, ORIGIN_LON,
                                    ARC_PRIO_NORMAL);
    arc_telemetry_t t = fix_telemetry(w->mesh, small);
    arc_decision_t d;

    t.gpus_free = 4;
    report(w, &t);
    assert_int_equal(arc_model_find("llama-3.1-405b", &req.model), ARC_OK);
    arc_router_decide(w->router, &req, ARC_POLICY_ARCNET, FIX_NOW, &d);
    assert_int_equal(d.status, ARC_OK);
    assert_int_equal(d.chosen.node, big); /* 405b needs 8 GPUs */
}

static void clean_power_beats_grid_at_equal_distance(void **state)
{
    struct world *w = *state;
    uint32_t grid = add(w, "grid", 39.8, -105.0);
    uint32_t solar = add(w, "solar", 39.68, -104.98);
    arc_telemetry_t t = fix_telemetry(w->mesh, grid);

    t.energy_source = ARC_SOURCE_GRID;
    t.carbon_g_per_kwh = 450.0f;
    report(w, &t);
    arc_decision_t d = decide(w, ARC_POLICY_ARCNET, ARC_PRIO_NORMAL);

    assert_int_equal(d.chosen.node, solar);
    assert_true(d.chosen.value[ARC_TERM_CARBON] < 100.0);
}

/* A grid node next to the origin and a wind node 1,000 km away. */
static void near_grid_far_wind(struct world *w, uint32_t *grid,
                               uint32_t *wind)
{
    arc_telemetry_t t;

    *grid = add(w, "grid", 39.75, -105.0);
    *wind = add(w, "wind", 44.0, -115.5);
    t = fix_telemetry(w->mesh, *grid);
    t.energy_source = ARC_SOURCE_GRID;
    t.carbon_g_per_kwh = 500.0f;
    report(w, &t);
    t = fix_telemetry(w->mesh, *wind);
    t.energy_source = ARC_SOURCE_WIND;
    t.carbon_g_per_kwh = 11.0f;
    report(w, &t);
}

static void critical_work_stays_near_on_grid_power(void **state)
{
    struct world *w = *state;
    uint32_t grid, wind;

    near_grid_far_wind(w, &grid, &wind);
    assert_int_equal(decide(w, ARC_POLICY_ARCNET, ARC_PRIO_CRITICAL)
                         .chosen.node,
                     grid);
}

static void background_work_travels_to_clean_power(void **state)
{
    struct world *w = *state;
    uint32_t grid, wind;

    near_grid_far_wind(w, &grid, &wind);
    assert_int_equal(decide(w, ARC_POLICY_ARCNET, ARC_PRIO_BACKGROUND)
                         .chosen.node,
                     wind);
}

static void battery_near_reserve_loses_to_healthy_battery(void **state)
{
    struct world *w = *state;
    uint32_t low = add(w, "low", 39.76, -105.0);
    uint32_t full = add(w, "full", 39.9, -105.3);
    arc_telemetry_t t = fix_telemetry(w->mesh, low);

    t.energy_source = ARC_SOURCE_BATTERY;
    t.battery_soc = 0.27f; /* above reserve + margin, but barely */
    report(w, &t);
    t = fix_telemetry(w->mesh, full);
    t.energy_source = ARC_SOURCE_BATTERY;
    t.battery_soc = 0.95f;
    report(w, &t);

    arc_decision_t d = decide(w, ARC_POLICY_ARCNET, ARC_PRIO_NORMAL);

    assert_int_equal(d.chosen.node, full);
    assert_true(d.runner_ups[0].value[ARC_TERM_BATTERY] > 0.9);
}

static void battery_within_the_margin_above_reserve_is_filtered(void **s)
{
    struct world *w = *s;
    uint32_t low = add(w, "low", 39.76, -105.0);
    uint32_t far = add(w, "far", 45.5, -122.7);
    arc_telemetry_t t = fix_telemetry(w->mesh, low);

    t.energy_source = ARC_SOURCE_BATTERY;
    t.battery_soc = 0.24f; /* reserve 0.2 + margin 0.05 = 0.25 */
    report(w, &t);
    assert_int_equal(decide(w, ARC_POLICY_ARCNET, ARC_PRIO_CRITICAL)
                         .chosen.node,
                     far);
}

static void scored_policy_spares_a_low_battery_behind_other_sources(void **s)
{
    struct world *w = *s;
    uint32_t low = add(w, "low", 39.76, -105.0);
    uint32_t far = add(w, "far", 45.5, -122.7);
    arc_telemetry_t t = fix_telemetry(w->mesh, low);

    /* Solar is its largest source, but the battery near its reserve
     * may be covering the rest. */
    t.energy_source = ARC_SOURCE_SOLAR;
    t.battery_soc = 0.22f;
    report(w, &t);
    assert_int_equal(decide(w, ARC_POLICY_ARCNET, ARC_PRIO_CRITICAL)
                         .chosen.node,
                     far);
    /* Baselines know only the shared filter: on battery, below reserve. */
    assert_int_equal(decide(w, ARC_POLICY_NEAREST, ARC_PRIO_CRITICAL)
                         .chosen.node,
                     low);
}

static void busy_node_loses_to_idle_node(void **state)
{
    struct world *w = *state;
    uint32_t busy = add(w, "busy", 39.76, -105.0);
    uint32_t idle = add(w, "idle", 39.8, -105.1);
    arc_telemetry_t t = fix_telemetry(w->mesh, busy);

    t.gpu_util = 0.9f;
    t.queue_depth = 6;
    t.gpus_free = 1;
    report(w, &t);
    assert_int_equal(decide(w, ARC_POLICY_ARCNET, ARC_PRIO_NORMAL)
                         .chosen.node,
                     idle);
}

static void explanation_sums_weighted_terms_to_the_score(void **state)
{
    struct world *w = *state;

    for (int i = 0; i < 6; i++) {
        char id[8] = {'n', (char)('0' + i), 0};

        add(w, id, 38.0 + i * 0.7, -106.0 - i * 1.3);
    }
    arc_decision_t d = decide(w, ARC_POLICY_ARCNET, ARC_PRIO_NORMAL);

    assert_int_equal(d.status, ARC_OK);
    assert_int_equal(d.runner_up_count, ARC_RUNNER_UPS);
    for (uint32_t i = 0; i <= d.runner_up_count; i++) {
        const arc_candidate_t *c = i == 0 ? &d.chosen : &d.runner_ups[i - 1];
        double sum = 0.0;

        for (int t = 0; t < ARC_TERM_COUNT; t++)
            sum += c->value[t] * c->weight[t];
        assert_true(fabs(sum - c->score) < 1e-3);
        if (i > 0)
            assert_true(c->score >= d.runner_ups[i > 1 ? i - 2 : 0].score ||
                        i == 1);
    }
    assert_true(d.chosen.weight[ARC_TERM_LATENCY] > 0.0);
    assert_true(d.chosen.weight[ARC_TERM_CARBON] > 0.0);
}

static void nothing_loaded_is_unavailable_with_no_model(void **state)
{
    struct world *w = *state;
    uint32_t n = add(w, "n", 39.8, -105.0);
    arc_telemetry_t t = fix_telemetry(w->mesh, n);

    t.models = 1u << 2;
    report(w, &t);
    arc_decision_t d = decide(w, ARC_POLICY_ARCNET, ARC_PRIO_NORMAL);

    assert_int_equal(d.status, ARC_ERR_UNAVAILABLE);
    assert_int_equal(d.reason, ARC_REASON_NO_MODEL);
}

static void full_mesh_is_unavailable_with_no_capacity(void **state)
{
    struct world *w = *state;
    uint32_t n = add(w, "n", 39.8, -105.0);
    arc_telemetry_t t = fix_telemetry(w->mesh, n);

    t.gpus_free = 0;
    report(w, &t);
    arc_decision_t d = decide(w, ARC_POLICY_ARCNET, ARC_PRIO_NORMAL);

    assert_int_equal(d.status, ARC_ERR_UNAVAILABLE);
    assert_int_equal(d.reason, ARC_REASON_NO_CAPACITY);
}

static void empty_home_zone_fails_over_to_a_neighbour(void **state)
{
    struct world *w = *state;
    uint32_t east = add(w, "east", 33.75, -84.39);
    arc_decision_t d = decide(w, ARC_POLICY_ARCNET, ARC_PRIO_NORMAL);

    assert_int_equal(d.status, ARC_OK);
    assert_int_equal(d.chosen.node, east);
    assert_int_equal(d.home_zone, ARC_ZONE_WEST);
    assert_int_equal(d.zone, ARC_ZONE_EAST);
    assert_true(d.spilled);
}

static void unhealthy_home_zone_spills_a_share_of_requests(void **state)
{
    struct world *w = *state;
    uint32_t down[8];
    int spilled = 0;

    add(w, "central", 35.47, -97.52);
    for (int i = 0; i < 8; i++) {
        char id[8] = {'w', (char)('0' + i), 0};

        down[i] = add(w, id, 39.0 + i * 0.2, -106.0);
    }
    /* 6 of 8 west nodes down: healthy share 0.25, 1.4 x 0.25 = 0.35,
     * so about 65% of west requests should go to central first. */
    for (int i = 0; i < 6; i++) {
        arc_telemetry_t t = fix_telemetry(w->mesh, down[i]);

        t.status = ARC_NODE_DOWN;
        report(w, &t);
    }
    for (uint64_t id = 0; id < 1000; id++) {
        arc_request_t req = fix_request(id, ORIGIN_LAT, ORIGIN_LON,
                                        ARC_PRIO_NORMAL);
        arc_decision_t d;

        assert_int_equal(arc_router_decide(w->router, &req,
                                           ARC_POLICY_ARCNET, FIX_NOW, &d),
                         ARC_OK);
        spilled += d.spilled;
    }
    assert_in_range(spilled, 580, 720);
}

static void healthy_home_zone_keeps_its_traffic(void **state)
{
    struct world *w = *state;

    add(w, "central", 35.47, -97.52);
    add(w, "west", 45.5, -122.7); /* far, but home */
    for (uint64_t id = 0; id < 200; id++) {
        arc_request_t req = fix_request(id, ORIGIN_LAT, ORIGIN_LON,
                                        ARC_PRIO_NORMAL);
        arc_decision_t d;

        arc_router_decide(w->router, &req, ARC_POLICY_ARCNET, FIX_NOW, &d);
        assert_false(d.spilled);
    }
}

static arc_zone_totals_t totals(uint32_t healthy, uint32_t total)
{
    arc_zone_totals_t t;

    memset(&t, 0, sizeof(t));
    t.gpus_healthy = healthy;
    t.gpus_total = total;
    return t;
}

static void spill_fraction_follows_the_healthy_share(void **state)
{
    arc_router_config_t cfg;
    arc_zone_totals_t t;

    (void)state;
    arc_router_config_default(&cfg);
    t = totals(40, 40);
    assert_true(arc_router_spill_fraction(&cfg, &t) == 0.0);
    t = totals(29, 40); /* 72.5% healthy: 1.4 x share above 1 */
    assert_true(arc_router_spill_fraction(&cfg, &t) == 0.0);
    t = totals(28, 40);
    assert_true(fabs(arc_router_spill_fraction(&cfg, &t) - 0.02) < 1e-9);
    t = totals(20, 40);
    assert_true(fabs(arc_router_spill_fraction(&cfg, &t) - 0.3) < 1e-9);
    t = totals(0, 40);
    assert_true(arc_router_spill_fraction(&cfg, &t) == 1.0);
    t = totals(0, 0); /* no GPUs at all */
    assert_true(arc_router_spill_fraction(&cfg, &t) == 1.0);
    cfg.overprovision = 2.0;
    t = totals(20, 40);
    assert_true(arc_router_spill_fraction(&cfg, &t) == 0.0);
}

static void share_rule_picks_a_stable_fraction_of_ids(void **state)
{
    arc_router_config_t cfg;
    arc_zone_totals_t half = totals(20, 40), healthy = totals(29, 40);
    arc_zone_totals_t none = totals(0, 40);
    int picked = 0;

    (void)state;
    arc_router_config_default(&cfg);
    for (uint64_t id = 1; id <= 2000; id++) {
        bool spills = arc_router_spills(&cfg, &half, id);

        picked += spills;
        assert_true(arc_router_spills(&cfg, &half, id) == spills);
        assert_false(arc_router_spills(&cfg, &healthy, id));
        assert_true(arc_router_spills(&cfg, &none, id));
        /* A request picked at a higher share is picked at a lower. */
        if (spills) {
            arc_zone_totals_t worse = totals(10, 40);

            assert_true(arc_router_spills(&cfg, &worse, id));
        }
    }
    assert_in_range(picked, 520, 680); /* 30% of 2000 */
}

/* The router's own decisions follow the rule it exposes, id by id. */
static void decisions_spill_exactly_the_ids_the_rule_picks(void **state)
{
    struct world *w = *state;
    uint32_t west[4];
    const arc_zone_totals_t *home;
    int spilled = 0;

    add(w, "central", 35.47, -97.52);
    for (int i = 0; i < 4; i++) {
        char id[8] = {'w', (char)('0' + i), 0};

        west[i] = add(w, id, 39.0 + i * 0.2, -106.0);
    }
    assert_int_equal(arc_mesh_mark_silent(w->mesh, west[0]), ARC_OK);
    assert_int_equal(arc_mesh_mark_silent(w->mesh, west[1]), ARC_OK);
    home = arc_mesh_zone_totals(w->mesh, ARC_ZONE_WEST);
    assert_int_equal(home->gpus_healthy, 16);
    for (uint64_t id = 0; id < 500; id++) {
        arc_request_t req = fix_request(id, ORIGIN_LAT, ORIGIN_LON,
                                        ARC_PRIO_NORMAL);
        arc_decision_t d;

        assert_int_equal(arc_router_decide(w->router, &req,
                                           ARC_POLICY_ARCNET, FIX_NOW, &d),
                         ARC_OK);
        assert_true(d.spilled ==
                    arc_router_spills(arc_router_config(w->router), home,
                                      id));
        assert_true(d.chosen.node != west[0] && d.chosen.node != west[1]);
        spilled += d.spilled;
    }
    assert_in_range(spilled, 110, 190); /* 30% of 500 */
}

static void silent_node_is_routed_to_again_after_its_report(void **state)
{
    struct world *w = *state;
    uint32_t near = add(w, "near", 39.9, -105.2);
    uint32_t far = add(w, "far", 45.5, -122.7);
    arc_telemetry_t t;

    assert_int_equal(arc_mesh_mark_silent(w->mesh, near), ARC_OK);
    assert_int_equal(decide(w, ARC_POLICY_ARCNET, ARC_PRIO_NORMAL)
                         .chosen.node,
                     far);
    t = fix_telemetry(w->mesh, near);
    report(w, &t);
    assert_int_equal(decide(w, ARC_POLICY_ARCNET, ARC_PRIO_NORMAL)
                         .chosen.node,
                     near);
}

static void background_on_dirty_power_is_deferred_within_deadline(void **s)
{
    struct world *w = *s;
    uint32_t n = add(w, "grid", 39.8, -105.0);
    arc_telemetry_t t = fix_telemetry(w->mesh, n);
    arc_request_t req = fix_request(1, ORIGIN_LAT, ORIGIN_LON,
                                    ARC_PRIO_BACKGROUND);
    arc_decision_t d;

    t.energy_source = ARC_SOURCE_GRID;
    t.carbon_g_per_kwh = 600.0f;
    report(w, &t);

    req.deadline_us = FIX_NOW + 6 * 3600 * ARC_US_PER_S;
    arc_router_decide(w->router, &req, ARC_POLICY_ARCNET, FIX_NOW, &d);
    assert_int_equal(d.status, ARC_ERR_DEFERRED);
    assert_int_equal(d.reason, ARC_REASON_GREENER_SOON);
    assert_true(d.retry_at_us > FIX_NOW);

    /* No time left before the deadline: it runs on what there is. */
    req.deadline_us = FIX_NOW + 60 * ARC_US_PER_S;
    arc_router_decide(w->router, &req, ARC_POLICY_ARCNET, FIX_NOW, &d);
    assert_int_equal(d.status, ARC_OK);

    /* Normal work is never deferred. */
    req.priority = ARC_PRIO_NORMAL;
    req.deadline_us = FIX_NOW + 6 * 3600 * ARC_US_PER_S;
    arc_router_decide(w->router, &req, ARC_POLICY_ARCNET, FIX_NOW, &d);
    assert_int_equal(d.status, ARC_OK);
}

static void invalid_requests_are_refused(void **state)
{
    struct world *w = *state;
    arc_request_t req = fix_request(1, 91.0, 0.0, ARC_PRIO_NORMAL);
    arc_decision_t d;

    add(w, "n", 39.8, -105.0);
    assert_int_equal(arc_router_decide(w->router, &req, ARC_POLICY_ARCNET,
                                       FIX_NOW, &d),
                     ARC_ERR_INVALID);
    req = fix_request(1, 39.0, -105.0, ARC_PRIO_NORMAL);
    req.model = 999;
    assert_int_equal(arc_router_decide(w->router, &req, ARC_POLICY_ARCNET,
                                       FIX_NOW, &d),
                     ARC_ERR_INVALID);
    req.model = 0;
    req.priority = 7;
    assert_int_equal(arc_router_decide(w->router, &req, ARC_POLICY_ARCNET,
                                       FIX_NOW, &d),
                     ARC_ERR_INVALID);
}

/* ---- baselines ------------------------------------------------------- */

static void three_distinct_nodes(struct world *w, uint32_t ids[3])
{
    arc_telemetry_t t;

    ids[0] = add(w, "near-busy-grid", 39.76, -105.0);
    ids[1] = add(w, "mid-idle-gas", 41.0, -108.0);
    ids[2] = add(w, "far-half-wind", 46.0, -119.0);
    t = fix_telemetry(w->mesh, ids[0]);
    t.gpu_util = 0.8f;
    t.energy_source = ARC_SOURCE_GRID;
    t.carbon_g_per_kwh = 400.0f;
    report(w, &t);
    t = fix_telemetry(w->mesh, ids[1]);
    t.gpu_util = 0.1f;
    t.energy_source = ARC_SOURCE_GAS;
    t.carbon_g_per_kwh = 500.0f;
    report(w, &t);
    t = fix_telemetry(w->mesh, ids[2]);
    t.gpu_util = 0.5f;
    t.energy_source = ARC_SOURCE_WIND;
    t.carbon_g_per_kwh = 11.0f;
    report(w, &t);
}

static void nearest_picks_the_lowest_round_trip(void **state)
{
    struct world *w = *state;
    uint32_t ids[3];

    three_distinct_nodes(w, ids);
    assert_int_equal(decide(w, ARC_POLICY_NEAREST, ARC_PRIO_NORMAL)
                         .chosen.node,
                     ids[0]);
}

static void least_loaded_picks_the_lowest_utilisation(void **state)
{
    struct world *w = *state;
    uint32_t ids[3];

    three_distinct_nodes(w, ids);
    assert_int_equal(decide(w, ARC_POLICY_LEAST_LOADED, ARC_PRIO_NORMAL)
                         .chosen.node,
                     ids[1]);
}

static void greenest_picks_the_lowest_carbon(void **state)
{
    struct world *w = *state;
    uint32_t ids[3];

    three_distinct_nodes(w, ids);
    assert_int_equal(decide(w, ARC_POLICY_GREENEST, ARC_PRIO_NORMAL)
                         .chosen.node,
                     ids[2]);
}

static void round_robin_visits_each_node_in_turn(void **state)
{
    struct world *w = *state;
    uint32_t ids[3];
    int seen[3] = {0};

    three_distinct_nodes(w, ids);
    for (int i = 0; i < 6; i++) {
        arc_decision_t d = decide(w, ARC_POLICY_ROUND_ROBIN, ARC_PRIO_NORMAL);

        for (int k = 0; k < 3; k++)
            seen[k] += d.chosen.node == ids[k];
    }
    assert_int_equal(seen[0], 2);
    assert_int_equal(seen[1], 2);
    assert_int_equal(seen[2], 2);
}

/*
 * Round-robin takes the next node in turn that can serve, reading only
 * the nodes it offers: among 500 that cannot take the model, full or
 * gone quiet, the two that can alternate, each decision looking at one
 * or two nodes; once neither is live the answer is unavailable.
 */
static void round_robin_skips_what_cannot_serve_without_reading_it(
    void **state)
{
    struct world *w = *state;
    uint32_t first = add(w, "rr-first", 39.0, -105.0), second;
    arc_telemetry_t t;

    for (int i = 0; i < 500; i++) {
        char id[24];
        uint32_t n;

        snprintf(id, sizeof(id), "rr-no-%d", i);
        n = add(w, id, 39.0 + i * 0.001, -105.5);
        t = fix_telemetry(w->mesh, n);
        if (i % 2)
            t.models = 1u << 1; /* not the request's model */
        else
            t.gpus_free = 0;
        report(w, &t);
    }
    second = add(w, "rr-second", 40.0, -106.0);

    for (int i = 0; i < 6; i++) {
        arc_decision_t d = decide(w, ARC_POLICY_ROUND_ROBIN, ARC_PRIO_NORMAL);

        assert_int_equal(d.status, ARC_OK);
        assert_int_equal(d.chosen.node, i % 2 ? second : first);
        assert_true(d.nodes_visited <= 2);
    }

    t = fix_telemetry(w->mesh, first);
    t.time_us = FIX_NOW - 60 * ARC_US_PER_S; /* heartbeat too old */
    report(w, &t);
    for (int i = 0; i < 3; i++) {
        arc_decision_t d = decide(w, ARC_POLICY_ROUND_ROBIN, ARC_PRIO_NORMAL);

        assert_int_equal(d.status, ARC_OK);
        assert_int_equal(d.chosen.node, second);
    }

    t = fix_telemetry(w->mesh, second);
    t.time_us = FIX_NOW - 60 * ARC_US_PER_S;
    report(w, &t);
    assert_int_equal(decide(w, ARC_POLICY_ROUND_ROBIN, ARC_PRIO_NORMAL).status,
                     ARC_ERR_UNAVAILABLE);
}

static void policy_names_round_trip(void **state)
{
    arc_policy_t p;

    (void)state;
    for (int i = 0; i < ARC_POLICY_COUNT; i++) {
        assert_int_equal(arc_policy_parse(arc_policy_name(i), &p), ARC_OK);
        assert_int_equal(p, i);
    }
    assert_int_equal(arc_policy_parse("fastest", &p), ARC_ERR_NOT_FOUND);
}

/* ---- the index against a full scan ----------------------------------- */

static double uniform(uint64_t *s, double lo, double hi)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * (double)(*s >> 11) / 9007199254740992.0;
}

static void random_mesh(struct world *w, uint64_t *seed, int count)
{
    for (int i = 0; i < count; i++) {
        char id[16];
        arc_node_t n;
        uint32_t index;
        arc_telemetry_t t;

        snprintf(id, sizeof(id), "r%d", i);
        n = fix_node(id, uniform(seed, 25.0, 49.0),
                     uniform(seed, -124.0, -67.0));
        n.gpus_total = 16;
        n.gpus_free = 16;
        assert_int_equal(arc_mesh_add(w->mesh, &n, &index), ARC_OK);

        t = fix_telemetry(w->mesh, index);
        t.energy_source = (uint8_t)(uniform(seed, 0, 5));
        t.carbon_g_per_kwh = (float)uniform(seed, 10.0, 700.0);
        t.gpu_util = (float)uniform(seed, 0.0, 1.0);
        t.battery_soc = (float)uniform(seed, 0.0, 1.0);
        t.queue_depth = (uint32_t)uniform(seed, 0, 20);
        t.gpus_free = (uint16_t)uniform(seed, 0, 17);
        t.models = (uint32_t)uniform(seed, 1, 64);
        t.status = uniform(seed, 0, 1) < 0.1 ? ARC_NODE_DOWN : ARC_NODE_UP;
        report(w, &t);
    }
}

static void assert_same_decision(const arc_decision_t *a,
                                 const arc_decision_t *b)
{
    assert_int_equal(a->status, b->status);
    if (a->status != ARC_OK)
        return;
    assert_int_equal(a->chosen.node, b->chosen.node);
    assert_int_equal(a->runner_up_count, b->runner_up_count);
    for (uint32_t i = 0; i < a->runner_up_count; i++)
        assert_true(fabs(a->runner_ups[i].score - b->runner_ups[i].score) <
                    1e-9);
}

/* A box that requests come from: south, north, west, east. */
struct area {
    double lat_lo, lat_hi, lon_lo, lon_hi;
};

/*
 * Decides a random request from `area` through the index and by the
 * full scan, and checks that they agree.
 */
static void decide_both_ways(struct world *w, uint64_t *seed, uint64_t id,
                             const struct area *area, arc_decision_t *fast,
                             arc_decision_t *slow)
{
    arc_request_t req = fix_request(
        id, uniform(seed, area->lat_lo, area->lat_hi),
        uniform(seed, area->lon_lo, area->lon_hi), (arc_priority_t)(id % 3));

    req.model = (uint32_t)uniform(seed, 0, 6);
    arc_router_decide(w->router, &req, ARC_POLICY_ARCNET, FIX_NOW, fast);
    arc_router_decide_full_scan(w->router, &req, FIX_NOW, slow);
    assert_same_decision(fast, slow);
}

static void index_agrees_with_a_full_scan(void **state)
{
    struct world *w = *state;
    uint64_t seed = 42;
    const struct area wide = {20.0, 52.0, -130.0, -60.0};

    random_mesh(w, &seed, 3000);
    for (uint64_t id = 0; id < 3000; id++) {
        arc_decision_t fast, slow;

        decide_both_ways(w, &seed, id, &wide, &fast, &slow);
        if (fast.status == ARC_OK)
            assert_true(fast.nodes_visited <= slow.nodes_visited);
    }
}

/*
 * Enough nodes that each zone's grid has several levels above its cells
 * and each cell's heaps run many levels deep, so the search prunes both
 * regions and heap subtrees; it must still agree with the scan.
 */
static void index_agrees_with_a_full_scan_over_a_deep_grid(void **state)
{
    struct world *w = *state;
    uint64_t seed = 1234;
    const struct area mainland = {25.0, 49.0, -124.0, -67.0};

    random_mesh(w, &seed, 60000);
    for (uint64_t id = 0; id < 400; id++) {
        arc_decision_t fast, slow;

        decide_both_ways(w, &seed, id, &mainland, &fast, &slow);
        assert_int_equal(fast.status, ARC_OK);
        assert_true(fast.nodes_visited * 20 < slow.nodes_visited);
    }
}

/* A request of priority `prio` from a random point of the mainland. */
static arc_request_t mainland_request(uint64_t *seed, uint64_t id,
                                      arc_priority_t prio)
{
    double lat = uniform(seed, 25.0, 49.0);
    double lon = uniform(seed, -124.0, -67.0);

    return fix_request(id, lat, lon, prio);
}

static void index_follows_telemetry_changes(void **state)
{
    struct world *w = *state;
    uint64_t seed = 7;

    random_mesh(w, &seed, 800);
    for (int round = 0; round < 2000; round++) {
        uint32_t node = (uint32_t)uniform(&seed, 0, 800);
        arc_telemetry_t t = fix_telemetry(w->mesh, node);
        arc_request_t req =
            mainland_request(&seed, (uint64_t)round, ARC_PRIO_NORMAL);
        arc_decision_t fast, slow;

        t.gpu_util = (float)uniform(&seed, 0.0, 1.0);
        t.carbon_g_per_kwh = (float)uniform(&seed, 10.0, 700.0);
        t.gpus_free = (uint16_t)uniform(&seed, 0, 17);
        t.status = uniform(&seed, 0, 1) < 0.2 ? ARC_NODE_DOWN : ARC_NODE_UP;
        report(w, &t);
        if (round % 3 == 0)
            arc_mesh_note_dispatch(w->mesh, node, 1);

        arc_router_decide(w->router, &req, ARC_POLICY_ARCNET, FIX_NOW,
                          &fast);
        arc_router_decide_full_scan(w->router, &req, FIX_NOW, &slow);
        assert_same_decision(&fast, &slow);
    }
}

/*
 * Heartbeats spread around the timeout, many inside the same second as
 * the cut-off: the index settles most from whole seconds it keeps and
 * must agree with the scan on every one.
 */
static void index_agrees_on_heartbeats_near_the_timeout(void **state)
{
    struct world *w = *state;
    int64_t timeout = arc_router_config(w->router)->heartbeat_timeout_us;
    uint64_t seed = 11;

    random_mesh(w, &seed, 1500);
    for (uint32_t node = 0; node < 1500; node++) {
        arc_telemetry_t t = fix_telemetry(w->mesh, node);

        t.status = ARC_NODE_UP;
        t.time_us = FIX_NOW - timeout +
                    (int64_t)uniform(&seed, -1.5e6, 1.5e6);
        report(w, &t);
    }
    for (uint64_t id = 0; id < 1500; id++) {
        arc_request_t req =
            mainland_request(&seed, id, (arc_priority_t)(id % 3));
        int64_t now = FIX_NOW + (int64_t)uniform(&seed, -1e6, 1e6);
        arc_decision_t fast, slow;

        req.model = (uint32_t)uniform(&seed, 0, 6);
        arc_router_decide(w->router, &req, ARC_POLICY_ARCNET, now, &fast);
        arc_router_decide_full_scan(w->router, &req, now, &slow);
        assert_same_decision(&fast, &slow);
    }
}

/* Whether a node passes the hard filters every policy shares. */
static bool could_serve(const arc_node_t *n, uint32_t model, int64_t now,
                        int64_t timeout)
{
    return arc_node_is_live(n, now, timeout) &&
           (n->models & (1u << model)) &&
           n->gpus_free >= arc_model_get(model)->gpus &&
           !(n->energy_source == ARC_SOURCE_BATTERY &&
             n->battery_soc <= n->battery_reserve);
}

/* The lowest round trip to a node of `zone` that could serve `req`. */
static double lowest_round_trip(struct world *w, const arc_request_t *req,
                                arc_zone_t zone)
{
    int64_t timeout = arc_router_config(w->router)->heartbeat_timeout_us;
    double origin[3], best = INFINITY;

    arc_geo_unit(req->lat, req->lon, origin);
    for (uint32_t i = 0; i < arc_mesh_count(w->mesh); i++) {
        const arc_node_t *n = arc_mesh_node(w->mesh, i);
        float unit[3];

        if (n->zone != zone || !could_serve(n, req->model, FIX_NOW, timeout))
            continue;
        arc_geo_unit_f(n->lat, n->lon, unit);
        best = fmin(best, arc_geo_rtt_ms(arc_geo_chord_km(
                              arc_geo_chord(origin, unit))));
    }
    return best;
}

/*
 * `nearest` scores every node of each small cell it opens; over many
 * levels of cells it must still find the lowest round trip of the zone.
 */
static void nearest_finds_the_lowest_round_trip_over_a_deep_grid(
    void **state)
{
    struct world *w = *state;
    uint64_t seed = 99;

    random_mesh(w, &seed, 20000);
    for (uint64_t id = 0; id < 300; id++) {
        arc_request_t req = mainland_request(&seed, id, ARC_PRIO_NORMAL);
        arc_decision_t d;

        req.model = (uint32_t)uniform(&seed, 0, 6);
        arc_router_decide(w->router, &req, ARC_POLICY_NEAREST, FIX_NOW, &d);
        assert_int_equal(d.status, ARC_OK);
        assert_true(fabs(d.chosen.value[ARC_TERM_LATENCY] -
                         lowest_round_trip(w, &req, d.zone)) < 1e-9);
    }
}

/*
 * Nodes load and drop models while requests of every priority and of
 * the nearest policy go on: the index must drop a node's entries for a
 * model it no longer loads, index it for one it gains, and keep
 * agreeing with the scan.
 */
static void index_follows_models_loaded_and_dropped(void **state)
{
    struct world *w = *state;
    uint64_t seed = 5;

    random_mesh(w, &seed, 600);
    for (uint64_t round = 0; round < 4000; round++) {
        uint32_t node = (uint32_t)uniform(&seed, 0, 600);
        arc_telemetry_t t = fix_telemetry(w->mesh, node);
        arc_request_t req =
            mainland_request(&seed, round, (arc_priority_t)(round % 3));
        arc_decision_t fast, slow;

        t.models = (uint32_t)uniform(&seed, 0, 64); /* 0: none loaded */
        report(w, &t);
        req.model = (uint32_t)uniform(&seed, 0, 6);

        arc_router_decide(w->router, &req, ARC_POLICY_ARCNET, FIX_NOW,
                          &fast);
        arc_router_decide_full_scan(w->router, &req, FIX_NOW, &slow);
        assert_same_decision(&fast, &slow);

        arc_router_decide(w->router, &req, ARC_POLICY_NEAREST, FIX_NOW,
                          &fast);
        if (fast.status == ARC_OK)
            assert_true(fabs(fast.chosen.value[ARC_TERM_LATENCY] -
                             lowest_round_trip(w, &req, fast.zone)) < 1e-9);
    }
}

static void nodes_added_after_the_router_are_routable(void **state)
{
    struct world *w = *state;
    uint32_t late;

    add(w, "first", 39.8, -105.0);
    decide(w, ARC_POLICY_ARCNET, ARC_PRIO_NORMAL);
    late = add(w, "late", 39.741, -104.991); /* outside the first grid */
    assert_int_equal(decide(w, ARC_POLICY_ARCNET, ARC_PRIO_NORMAL)
                         .chosen.node,
                     late);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(nearer_node_wins_when_all_else_is_equal),
        T(each_hard_filter_excludes_a_node),
        T(model_needing_more_gpus_than_free_is_filtered),
        T(clean_power_beats_grid_at_equal_distance),
        T(critical_work_stays_near_on_grid_power),
        T(background_work_travels_to_clean_power),
        T(battery_near_reserve_loses_to_healthy_battery),
        T(battery_within_the_margin_above_reserve_is_filtered),
        T(scored_policy_spares_a_low_battery_behind_other_sources),
        T(busy_node_loses_to_idle_node),
        T(explanation_sums_weighted_terms_to_the_score),
        T(nothing_loaded_is_unavailable_with_no_model),
        T(full_mesh_is_unavailable_with_no_capacity),
        T(empty_home_zone_fails_over_to_a_neighbour),
        T(unhealthy_home_zone_spills_a_share_of_requests),
        T(healthy_home_zone_keeps_its_traffic),
        T(spill_fraction_follows_the_healthy_share),
        T(share_rule_picks_a_stable_fraction_of_ids),
        T(decisions_spill_exactly_the_ids_the_rule_picks),
        T(silent_node_is_routed_to_again_after_its_report),
        T(background_on_dirty_power_is_deferred_within_deadline),
        T(invalid_requests_are_refused),
        T(nearest_picks_the_lowest_round_trip),
        T(least_loaded_picks_the_lowest_utilisation),
        T(greenest_picks_the_lowest_carbon),
        T(round_robin_visits_each_node_in_turn),
        T(round_robin_skips_what_cannot_serve_without_reading_it),
        T(policy_names_round_trip),
        T(index_agrees_with_a_full_scan),
        T(index_agrees_with_a_full_scan_over_a_deep_grid),
        T(index_agrees_on_heartbeats_near_the_timeout),
        T(index_follows_telemetry_changes),
        T(nearest_finds_the_lowest_round_trip_over_a_deep_grid),
        T(index_follows_models_loaded_and_dropped),
        T(nodes_added_after_the_router_are_routable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
