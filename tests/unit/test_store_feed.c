/*
 * test_store_feed.c - the feed from the live mesh into the history:
 * mesh changes arrive as telemetry rows through the dead-band, events
 * and outcomes as their own rows, zone summaries once per interval.
 * SQLite in a temporary directory; a fake clock gives valid time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "store/feed.h"

#define WAIT_US (10 * ARC_US_PER_S)

typedef struct fx {
    char dir[64];
    int64_t now;
    arc_store_t *store;
    arc_mesh_t *mesh;
    arc_event_log_t *log;
    arc_store_feed_t *feed;
} fx_t;

static int64_t clock_fn(void *ctx)
{
    return ((fx_t *)ctx)->now;
}

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));
    arc_store_config_t cfg;
    arc_event_config_t ecfg;
    char path[128], err[256];

    snprintf(fx->dir, sizeof(fx->dir), "/tmp/arc-feed-test.XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(path, sizeof(path), "%s/history.db", fx->dir);
    fx->now = FIX_NOW;
    arc_store_config_default(&cfg);
    cfg.flush_us = 10 * ARC_US_PER_MS;
    cfg.clock = clock_fn;
    cfg.clock_ctx = fx;
    assert_int_equal(arc_store_open(path, &cfg, &fx->store, err,
                                    sizeof(err)),
                     ARC_OK);
    arc_event_config_default(&ecfg);
    ecfg.clock = clock_fn;
    ecfg.clock_ctx = fx;
    fx->log = arc_event_log_new(&ecfg);
    fx->mesh = arc_mesh_new();
    assert_int_equal(arc_store_feed_new(fx->store, fx->mesh, fx->log,
                                        clock_fn, fx, 60 * ARC_US_PER_S,
                                        &fx->feed),
                     ARC_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    char cmd[96];

    arc_store_feed_free(fx->feed);
    arc_store_close(fx->store);
    arc_mesh_free(fx->mesh);
    arc_event_log_free(fx->log);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

static void test_mesh_changes_become_telemetry_rows(void **state)
{
    fx_t *fx = *state;
    arc_node_t n = fix_node("west-a", 45.5, -122.6);
    arc_store_node_row_t row;
    arc_telemetry_t t;
    uint32_t idx;
    char err[256];

    assert_int_equal(arc_mesh_add(fx->mesh, &n, &idx), ARC_OK);
    fx->now += 60 * ARC_US_PER_S;
    t = fix_telemetry(fx->mesh, idx);
    t.status = ARC_NODE_DOWN;
    assert_int_equal(arc_mesh_apply(fx->mesh, &t), ARC_OK);
    assert_int_equal(arc_store_flush(fx->store, WAIT_US), ARC_OK);
    assert_int_equal(arc_store_node_at(fx->store, "west-a", FIX_NOW, 0,
                                       &row, err, sizeof(err)),
                     ARC_OK);
    assert_int_equal(row.status, ARC_NODE_UP);
    assert_int_equal(arc_store_node_at(fx->store, "west-a", fx->now, 0,
                                       &row, err, sizeof(err)),
                     ARC_OK);
    assert_int_equal(row.status, ARC_NODE_DOWN);
}

static void test_events_and_zone_summaries_are_stored(void **state)
{
    fx_t *fx = *state;
    arc_node_t n = fix_node("west-a", 45.5, -122.6);
    arc_store_range_t range = {FIX_NOW, FIX_NOW + 600 * ARC_US_PER_S,
                               60 * ARC_US_PER_S, 0};
    arc_store_event_row_t *ev = NULL;
    arc_store_zone_bucket_t *zb = NULL;
    size_t n_ev = 0, n_zb = 0;
    uint32_t idx;
    char err[256];

    assert_int_equal(arc_mesh_add(fx->mesh, &n, &idx), ARC_OK);
    arc_event_record(fx->log, ARC_EVENT_NODE_DOWN, ARC_SEV_WARNING,
                     ARC_ZONE_WEST, "west-a", "west-a is down");
    for (int i = 0; i < 5; i++) { /* 30 s steps: a summary a minute */
        arc_store_feed_tick(fx->feed, fx->now);
        fx->now += 30 * ARC_US_PER_S;
    }
    assert_int_equal(arc_store_flush(fx->store, WAIT_US), ARC_OK);
    assert_int_equal(arc_store_events(fx->store, &range, NULL, &ev, &n_ev,
                                      err, sizeof(err)),
                     ARC_OK);
    assert_int_equal(n_ev, 1);
    assert_string_equal(ev[0].ev.node, "west-a");
    free(ev);
    assert_int_equal(arc_store_zone_history(fx->store, ARC_ZONE_WEST,
                                            &range, &zb, &n_zb, err,
                                            sizeof(err)),
                     ARC_OK);
    assert_int_equal(n_zb, 3); /* at 0, 60 and 120 s */
    assert_float_equal(zb[0].nodes_up, 1.0, 1e-9);
    free(zb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_mesh_changes_become_telemetry_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_events_and_zone_summaries_are_stored, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
