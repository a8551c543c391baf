/*
 * test_sim_engine.c - the workload and the simulation engine: seeded
 * determinism, the priority mix, rejection by a full queue, the retry of
 * work on a failed node, external submission, telemetry through a sink,
 * and `arcnet sim` options.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli.h"
#include "sim/engine.h"
#include "sim/workload.h"

static void small_config(arc_engine_config_t *cfg, uint64_t seed)
{
    arc_engine_config_default(cfg);
    cfg->seed = seed;
    cfg->nodes = 30;
    cfg->hours = 1.0;
    cfg->mtbf_hours = 0.0;
}

static arc_sim_metrics_t run(const arc_engine_config_t *cfg)
{
    arc_engine_t *e = NULL;
    arc_sim_metrics_t m;

    assert_int_equal(arc_engine_new(cfg, NULL, &e), ARC_OK);
    assert_int_equal(arc_engine_run(e), ARC_OK);
    m = *arc_engine_metrics(e);
    arc_engine_free(e);
    return m;
}

static void workload_is_deterministic(void **state)
{
    arc_workload_t a, b;
    arc_request_t ra, rb;

    (void)state;
    arc_workload_init(&a, 42, 100.0, 0, 1, 8);
    arc_workload_init(&b, 42, 100.0, 0, 1, 8);
    for (int i = 0; i < 1000; i++) {
        arc_workload_next(&a, &ra);
        arc_workload_next(&b, &rb);
        assert_memory_equal(&ra, &rb, sizeof(ra));
    }
    arc_workload_init(&b, 43, 100.0, 0, 1, 8);
    arc_workload_next(&b, &rb);
    arc_workload_init(&a, 42, 100.0, 0, 1, 8);
    arc_workload_next(&a, &ra);
    assert_true(ra.arrival_us != rb.arrival_us || ra.lat != rb.lat);
}

static void workload_priority_mix_is_ten_sixty_thirty(void **state)
{
    arc_workload_t w;
    arc_request_t r;
    uint32_t count[ARC_PRIO_COUNT] = {0};
    int64_t last = -1;
    const int n = 50000;

    (void)state;
    arc_workload_init(&w, 7, 100.0, 0, 1, 8);
    for (int i = 0; i < n; i++) {
        arc_workload_next(&w, &r);
        assert_true(r.arrival_us > last);
        assert_true(r.deadline_us > r.arrival_us);
        assert_true(arc_model_get(r.model) != NULL);
        last = r.arrival_us;
        count[r.priority]++;
    }
    assert_true(count[ARC_PRIO_CRITICAL] > 0.09 * n &&
                count[ARC_PRIO_CRITICAL] < 0.11 * n);
    assert_true(count[ARC_PRIO_NORMAL] > 0.58 * n &&
                count[ARC_PRIO_NORMAL] < 0.62 * n);
    assert_true(count[ARC_PRIO_BACKGROUND] > 0.28 * n &&
                count[ARC_PRIO_BACKGROUND] < 0.32 * n);
}

static void workload_leaves_out_models_no_site_can_hold(void **state)
{
    arc_workload_t w;
    arc_request_t r;

    (void)state;
    arc_workload_init(&w, 7, 100.0, 0, 1, 2);
    for (int i = 0; i < 5000; i++) {
        arc_workload_next(&w, &r);
        assert_true(arc_model_get(r.model)->gpus <= 2);
    }
}

static void daily_curve_peaks_in_the_afternoon(void **state)
{
    (void)state;
    assert_true(arc_workload_daily(17.0) > arc_workload_daily(12.0));
    assert_true(arc_workload_daily(17.0) > arc_workload_daily(22.0));
    assert_true(arc_workload_daily(5.0) < arc_workload_daily(9.0));
}

static void same_seed_gives_identical_metrics(void **state)
{
    arc_engine_config_t cfg;
    arc_sim_metrics_t a, b;

    (void)state;
    small_config(&cfg, 3);
    cfg.mtbf_hours = 5.0; /* failures too */
    a = run(&cfg);
    b = run(&cfg);
    assert_true(a.served > 1000);
    assert_memory_equal(&a, &b, sizeof(a));
}

static void different_seed_gives_different_metrics(void **state)
{
    arc_engine_config_t cfg;
    arc_sim_metrics_t a, b;

    (void)state;
    small_config(&cfg, 3);
    a = run(&cfg);
    cfg.seed = 4;
    b = run(&cfg);
    assert_true(a.served != b.served || a.co2_g != b.co2_g);
}

static void every_request_is_accounted_for(void **state)
{
    arc_engine_config_t cfg;
    arc_sim_metrics_t m;

    (void)state;
    small_config(&cfg, 5);
    cfg.mtbf_hours = 2.0;
    m = run(&cfg);
    assert_int_equal(m.arrived,
                     m.served + m.rejected + m.expired + m.unfinished);
    assert_true(m.energy_kwh > 0.0);
    assert_true(m.co2_g > 0.0);
    assert_true(m.p99_ms >= m.p50_ms);
}

static void full_queue_rejects_requests(void **state)
{
    arc_engine_config_t cfg;
    arc_sim_metrics_t m;

    (void)state;
    small_config(&cfg, 5);
    cfg.workload_scale = 4.0;  /* far more work than GPUs */
    cfg.queue_capacity = 8;
    m = run(&cfg);
    assert_true(m.queued > 0);
    assert_true(m.rejected > 0);
}

static void failed_node_work_is_retried(void **state)
{
    arc_engine_config_t cfg;
    arc_engine_t *e = NULL;
    const arc_sim_metrics_t *m;
    uint32_t busiest = 0, depth = 0;
    arc_mesh_t *mesh;

    (void)state;
    small_config(&cfg, 9);
    cfg.workload_scale = 1.5;
    assert_int_equal(arc_engine_new(&cfg, NULL, &e), ARC_OK);
    assert_int_equal(arc_engine_advance(e, cfg.start_us + 600 * ARC_US_PER_S),
                     ARC_OK);
    mesh = arc_engine_mesh(e);
    for (uint32_t i = 0; i < arc_mesh_count(mesh); i++) {
        if (arc_mesh_node(mesh, i)->queue_depth > depth) {
            depth = arc_mesh_node(mesh, i)->queue_depth;
            busiest = i;
        }
    }
    assert_true(depth > 0);

    assert_int_equal(arc_engine_fail_node(e, busiest), ARC_OK);
    m = arc_engine_metrics(e);
    assert_int_equal(m->failed, depth);
    assert_int_equal(m->retried, depth);
    assert_int_equal(arc_mesh_node(mesh, busiest)->status, ARC_NODE_DOWN);
    assert_int_equal(arc_mesh_node(mesh, busiest)->queue_depth, 0);
    arc_engine_free(e);
}

typedef struct seen {
    int calls;
    arc_outcome_t last;
    uint64_t id;
} seen_t;

static void remember(void *ctx, const arc_request_t *req,
                     const arc_outcome_t *o)
{
    seen_t *s = ctx;

    s->calls++;
    s->last = *o;
    s->id = req->id;
}

static void submitted_request_completes_with_a_receipt(void **state)
{
    arc_engine_config_t cfg;
    arc_engine_t *e = NULL;
    arc_request_t req;
    seen_t seen = {0};

    (void)state;
    small_config(&cfg, 2);
    cfg.workload = false;
    assert_int_equal(arc_engine_new(&cfg, NULL, &e), ARC_OK);
    assert_int_equal(arc_engine_advance(e, cfg.start_us + ARC_US_PER_S),
                     ARC_OK);

    memset(&req, 0, sizeof(req));
    req.id = 777;
    req.model = 0;
    req.priority = ARC_PRIO_CRITICAL;
    req.lat = 40.7;
    req.lon = -74.0;
    req.tokens = 100;
    assert_int_equal(arc_engine_submit(e, &req, remember, &seen), ARC_OK);
    assert_int_equal(seen.calls, 0);
    assert_int_equal(arc_engine_advance(e, cfg.start_us + 60 * ARC_US_PER_S),
                     ARC_OK);

    assert_int_equal(seen.calls, 1);
    assert_int_equal(seen.id, 777);
    assert_int_equal(seen.last.request_id, 777);
    assert_int_equal(seen.last.status, ARC_OK);
    assert_non_null(seen.last.node_id);
    assert_int_equal(seen.last.zone, ARC_ZONE_EAST);
    assert_true(seen.last.carbon_g > 0.0);
    assert_true(seen.last.service_ms > 1000.0);
    assert_true(seen.last.rtt_ms > 2.0);
    arc_engine_free(e);
}

static void bad_submission_is_invalid(void **state)
{
    arc_engine_config_t cfg;
    arc_engine_t *e = NULL;
    arc_request_t req;

    (void)state;
    small_config(&cfg, 2);
    cfg.workload = false;
    assert_int_equal(arc_engine_new(&cfg, NULL, &e), ARC_OK);
    memset(&req, 0, sizeof(req));
    req.model = 999;
    req.lat = 40.7;
    req.lon = -74.0;
    assert_int_equal(arc_engine_submit(e, &req, NULL, NULL), ARC_ERR_INVALID);
    req.model = 0;
    req.lat = 123.0;
    assert_int_equal(arc_engine_submit(e, &req, NULL, NULL), ARC_ERR_INVALID);
    arc_engine_free(e);
}

static void restored_node_resumes_its_sequence_and_battery(void **state)
{
    arc_engine_config_t cfg;
    arc_engine_t *e = NULL;
    arc_telemetry_t t;
    const arc_node_t *n;

    (void)state;
    small_config(&cfg, 2);
    cfg.workload = false;
    assert_int_equal(arc_engine_new(&cfg, NULL, &e), ARC_OK);
    memset(&t, 0, sizeof(t));
    t.seq = 500;
    t.status = ARC_NODE_UP;
    t.energy_source = ARC_SOURCE_BATTERY;
    t.battery_soc = 0.61f;
    t.carbon_g_per_kwh = 50.0f;
    assert_int_equal(arc_engine_restore_node(e, 3, &t), ARC_OK);

    n = arc_mesh_node(arc_engine_mesh(e), 3);
    assert_int_equal(n->seq, 500);
    assert_true(n->battery_soc == 0.61f);
    assert_int_equal(n->gpus_free, n->gpus_total); /* no work survives */

    /* The next report continues the node's own sequence. */
    assert_int_equal(arc_engine_advance(e, arc_engine_now(e) + cfg.tick_us),
                     ARC_OK);
    assert_in_range(n->seq, 501, 502);
    assert_true(fabs(n->battery_soc - 0.61f) < 0.1f);

    assert_int_equal(arc_engine_restore_node(e, 30, &t), ARC_ERR_NOT_FOUND);
    t.battery_soc = 1.5f;
    assert_int_equal(arc_engine_restore_node(e, 4, &t), ARC_ERR_INVALID);
    arc_engine_free(e);
}

static void bad_config_is_invalid(void **state)
{
    arc_engine_config_t cfg;
    arc_engine_t *e = NULL;

    (void)state;
    arc_engine_config_default(&cfg);
    cfg.nodes = 0;
    assert_int_equal(arc_engine_new(&cfg, NULL, &e), ARC_ERR_INVALID);
    arc_engine_config_default(&cfg);
    cfg.tick_us = 0;
    assert_int_equal(arc_engine_new(&cfg, NULL, &e), ARC_ERR_INVALID);
    assert_null(e);
}

static int cli(const char *a1, const char *a2, const char *a3)
{
    char *argv[4] = {"sim", (char *)a1, (char *)a2, (char *)a3};
    int argc = 1 + (a1 != NULL) + (a2 != NULL) + (a3 != NULL);
    FILE *out = tmpfile();
    int st;

    assert_non_null(out);
    st = arc_sim_cli(argc, argv, out);
    fclose(out);
    return st;
}

static void cli_option_errors_exit_two(void **state)
{
    (void)state;
    assert_int_equal(cli("--bogus", NULL, NULL), 2);
    assert_int_equal(cli("--hours", NULL, NULL), 2);
    assert_int_equal(cli("--hours", "-1", NULL), 2);
    assert_int_equal(cli("--hours", "abc", NULL), 2);
    assert_int_equal(cli("--nodes", "0", NULL), 2);
    assert_int_equal(cli("--seed", "x", NULL), 2);
    assert_int_equal(cli("--policies", "arcnet,fastest", NULL), 2);
    assert_int_equal(cli("extra", NULL, NULL), 2);
    assert_int_equal(cli("--help", NULL, NULL), 0);
}

static void cli_prints_json_for_each_policy(void **state)
{
    char *argv[] = {"sim", "--hours", "0.2", "--nodes", "12",
                    "--policies", "nearest,greenest", "--json"};
    FILE *out = tmpfile();
    char buf[4096];
    size_t n;

    (void)state;
    assert_non_null(out);
    assert_int_equal(arc_sim_cli(8, argv, out), 0);
    rewind(out);
    n = fread(buf, 1, sizeof(buf) - 1, out);
    buf[n] = '\0';
    fclose(out);
    assert_non_null(strstr(buf, "{\"policies\":[{\"policy\":\"nearest\""));
    assert_non_null(strstr(buf, "{\"policy\":\"greenest\""));
    assert_non_null(strstr(buf, "\"energy_share\":{\"cogen\":"));
    assert_non_null(strstr(buf, "\"slo_misses\":{\"critical\":"));
}

typedef struct tally {
    uint64_t decisions, outcomes, deferrals;
    uint64_t *deferred; /* ids of deferral decisions */
    size_t count, cap;
} tally_t;

static void count_decision(void *ctx, const arc_request_t *req,
                           const arc_decision_t *d, int64_t now_us)
{
    tally_t *t = ctx;

    (void)now_us;
    t->decisions++;
    if (d->status != ARC_ERR_DEFERRED)
        return;
    t->deferrals++;
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->deferred = realloc(t->deferred, t->cap * sizeof(uint64_t));
        assert_non_null(t->deferred);
    }
    t->deferred[t->count++] = req->id;
}

static void count_outcome(void *ctx, const arc_request_t *req,
                          const arc_outcome_t *o)
{
    tally_t *t = ctx;

    assert_int_equal(req->id, o->request_id);
    t->outcomes++;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static size_t distinct(uint64_t *ids, size_t n)
{
    size_t k = 0;

    qsort(ids, n, sizeof(*ids), cmp_u64);
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || ids[i] != ids[i - 1])
            k++;
    }
    return k;
}

static void callbacks_see_every_decision_and_outcome(void **state)
{
    arc_engine_config_t cfg;
    arc_engine_t *e = NULL;
    const arc_sim_metrics_t *m;
    tally_t t = {0};

    (void)state;
    small_config(&cfg, 11);
    cfg.hours = 3.0;
    assert_int_equal(arc_engine_new(&cfg, NULL, &e), ARC_OK);
    arc_engine_set_callbacks(e, count_decision, count_outcome, &t);
    assert_int_equal(arc_engine_run(e), ARC_OK);
    m = arc_engine_metrics(e);

    assert_int_equal(t.outcomes, m->arrived - m->unfinished);
    assert_true(t.decisions >= m->arrived);
    assert_true(m->deferred > 0); /* background work on dirty power */
    assert_true(t.deferrals > m->deferred); /* some deferred again ... */
    assert_int_equal(m->deferred, distinct(t.deferred, t.count)); /* once */
    free(t.deferred);
    arc_engine_free(e);
}

static void baseline_policies_never_defer(void **state)
{
    arc_engine_config_t cfg;
    arc_sim_metrics_t m;

    (void)state;
    small_config(&cfg, 11);
    cfg.policy = ARC_POLICY_LEAST_LOADED;
    m = run(&cfg);
    assert_int_equal(m.deferred, 0);
}

/* A sink that holds reports until the engine asks for delivery. */
typedef struct held {
    arc_mesh_t *mesh; /* NULL: never apply (reports are lost) */
    arc_telemetry_t reports[64];
    uint32_t count, most;
    uint64_t sent, delivered, deliveries;
} held_t;

static void hold_report(void *ctx, const arc_telemetry_t *t)
{
    held_t *h = ctx;

    assert_true(h->count < 64);
    h->reports[h->count++] = *t;
    h->sent++;
}

static void deliver_held(void *ctx)
{
    held_t *h = ctx;

    h->deliveries++;
    if (h->count > h->most)
        h->most = h->count;
    for (uint32_t i = 0; h->mesh != NULL && i < h->count; i++) {
        assert_int_equal(arc_mesh_apply(h->mesh, &h->reports[i]), ARC_OK);
        h->delivered++;
    }
    h->count = 0;
}

static arc_sim_metrics_t run_with_sink(const arc_engine_config_t *cfg,
                                       held_t *h, bool apply)
{
    arc_engine_telemetry_sink_t sink = {hold_report, deliver_held, h};
    arc_engine_t *e = NULL;
    arc_sim_metrics_t m;

    assert_int_equal(arc_engine_new(cfg, NULL, &e), ARC_OK);
    h->mesh = apply ? arc_engine_mesh(e) : NULL;
    arc_engine_set_telemetry_sink(e, &sink);
    assert_int_equal(arc_engine_run(e), ARC_OK);
    m = *arc_engine_metrics(e);
    arc_engine_free(e);
    return m;
}

/* Reports delivered through a sink at the engine's delivery points give
 * the very same run as reports applied at once, failures included. */
static void sink_delivered_reports_give_the_same_run(void **state)
{
    arc_engine_config_t cfg;
    arc_sim_metrics_t direct, sunk;
    held_t h = {0};

    (void)state;
    small_config(&cfg, 3);
    cfg.mtbf_hours = 5.0;
    direct = run(&cfg);
    sunk = run_with_sink(&cfg, &h, true);
    assert_true(direct.node_failures > 0);
    assert_memory_equal(&direct, &sunk, sizeof(direct));
    assert_true(h.sent >= 60 * cfg.nodes); /* an hour of ticks at least */
    assert_int_equal(h.delivered, h.sent);
    assert_int_equal(h.most, cfg.nodes);   /* a tick's reports at once */
}

/* With a sink, the engine never applies a report itself: a sink that
 * drops them leaves every node as it was added, never heard from. */
static void reports_go_only_to_the_sink(void **state)
{
    arc_engine_telemetry_sink_t sink = {hold_report, deliver_held, NULL};
    arc_engine_config_t cfg;
    arc_engine_t *e = NULL;
    arc_mesh_t *mesh;
    held_t h = {0};

    (void)state;
    small_config(&cfg, 3);
    sink.ctx = &h;
    assert_int_equal(arc_engine_new(&cfg, NULL, &e), ARC_OK);
    arc_engine_set_telemetry_sink(e, &sink);
    assert_int_equal(arc_engine_advance(e, cfg.start_us + 10 * cfg.tick_us),
                     ARC_OK);
    assert_int_equal(h.sent, 11 * cfg.nodes); /* ticks at 0, 1, ... 10 */
    mesh = arc_engine_mesh(e);
    for (uint32_t i = 0; i < arc_mesh_count(mesh); i++)
        assert_int_equal(arc_mesh_node(mesh, i)->seq, 0);

    arc_engine_set_telemetry_sink(e, NULL); /* back to applying */
    assert_int_equal(arc_engine_advance(e, cfg.start_us + 11 * cfg.tick_us),
                     ARC_OK);
    assert_int_equal(arc_mesh_node(mesh, 0)->seq, 12);
    arc_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(workload_is_deterministic),
        cmocka_unit_test(workload_priority_mix_is_ten_sixty_thirty),
        cmocka_unit_test(workload_leaves_out_models_no_site_can_hold),
        cmocka_unit_test(daily_curve_peaks_in_the_afternoon),
        cmocka_unit_test(same_seed_gives_identical_metrics),
        cmocka_unit_test(different_seed_gives_different_metrics),
        cmocka_unit_test(every_request_is_accounted_for),
        cmocka_unit_test(full_queue_rejects_requests),
        cmocka_unit_test(failed_node_work_is_retried),
        cmocka_unit_test(submitted_request_completes_with_a_receipt),
        cmocka_unit_test(bad_submission_is_invalid),
        cmocka_unit_test(restored_node_resumes_its_sequence_and_battery),
        cmocka_unit_test(bad_config_is_invalid),
        cmocka_unit_test(callbacks_see_every_decision_and_outcome),
        cmocka_unit_test(baseline_policies_never_defer),
        cmocka_unit_test(sink_delivered_reports_give_the_same_run),
        cmocka_unit_test(reports_go_only_to_the_sink),
        cmocka_unit_test(cli_option_errors_exit_two),
        cmocka_unit_test(cli_prints_json_for_each_policy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
