/*
 * test_store.c - the history store's behaviour, the same suite run on
 * SQLite and on PostgreSQL: as-of answers with late and corrected rows,
 * the whole mesh as of a time, dead-band and keyframes, bucketed node
 * and zone history, events, changes, retention into minute aggregates,
 * reopening, bad times, and writes that fail and recover without loss.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store_fixture.h"

#define MIN_US (60 * ARC_US_PER_S)
#define T0 (SFX_NOW - 3600 * ARC_US_PER_S) /* an hour before "now" */
#define WAIT_US (10 * ARC_US_PER_S)

static arc_store_node_row_t row(const char *node, int64_t valid_us,
                                int64_t system_us)
{
    arc_store_node_row_t r;

    memset(&r, 0, sizeof(r));
    snprintf(r.node, sizeof(r.node), "%s", node);
    r.valid_us = valid_us;
    r.system_us = system_us;
    r.zone = ARC_ZONE_WEST;
    r.status = ARC_NODE_UP;
    r.energy_source = ARC_SOURCE_SOLAR;
    r.gpus_total = 8;
    r.gpus_free = 8;
    r.battery_soc = 0.5f;
    r.gpu_util = 0.2f;
    r.power_kw = 100.0f;
    r.carbon_g_per_kwh = 40.0f;
    return r;
}

static void put(sfx_t *fx, const arc_store_node_row_t *r)
{
    assert_int_equal(arc_store_put_node(fx->store, r), ARC_OK);
}

static void flush(sfx_t *fx)
{
    assert_int_equal(arc_store_flush(fx->store, WAIT_US), ARC_OK);
}

static arc_store_node_row_t at(sfx_t *fx, const char *node, int64_t valid,
                               int64_t known)
{
    arc_store_node_row_t out;
    char err[256];

    assert_int_equal(arc_store_node_at(fx->store, node, valid, known, &out,
                                       err, sizeof(err)),
                     ARC_OK);
    return out;
}

/* ---- as-of ------------------------------------------------------------ */

static void test_as_of_returns_latest_row_at_or_before_valid_time(
    void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_node_row_t a = row("n1", T0, T0 + 1);
    arc_store_node_row_t b = row("n1", T0 + MIN_US, T0 + MIN_US + 1);

    b.battery_soc = 0.9f;
    put(fx, &a);
    put(fx, &b);
    flush(fx);
    assert_float_equal(at(fx, "n1", T0 + 30 * ARC_US_PER_S, 0).battery_soc,
                       0.5, 1e-6);
    assert_float_equal(at(fx, "n1", T0 + MIN_US, 0).battery_soc, 0.9,
                       1e-6);
    assert_int_equal(at(fx, "n1", SFX_NOW, 0).valid_us, T0 + MIN_US);
}

static void test_late_row_is_invisible_before_its_system_time(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_node_row_t first = row("n1", T0, T0);
    arc_store_node_row_t late = row("n1", T0 + MIN_US, T0 + 10 * MIN_US);

    late.status = ARC_NODE_DOWN;
    put(fx, &first);
    put(fx, &late);
    flush(fx);
    /* as known before the late report arrived: still up */
    assert_int_equal(at(fx, "n1", T0 + 2 * MIN_US, T0 + 5 * MIN_US).status,
                     ARC_NODE_UP);
    /* as known now: down since T0 + 1 min */
    assert_int_equal(at(fx, "n1", T0 + 2 * MIN_US, 0).status,
                     ARC_NODE_DOWN);
}

static void test_correction_replaces_row_as_known_after_it(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_node_row_t orig = row("n1", T0, T0 + 1);
    arc_store_node_row_t fix = row("n1", T0, T0 + 20 * MIN_US);

    fix.kind = ARC_STORE_CORRECTION;
    fix.carbon_g_per_kwh = 400.0f;
    put(fx, &orig);
    put(fx, &fix);
    flush(fx);
    assert_float_equal(at(fx, "n1", T0, T0 + MIN_US).carbon_g_per_kwh,
                       40.0, 1e-3);
    assert_float_equal(at(fx, "n1", T0, 0).carbon_g_per_kwh, 400.0, 1e-3);
    assert_int_equal(at(fx, "n1", T0, 0).kind, ARC_STORE_CORRECTION);
}

static void test_mesh_at_returns_one_row_per_node(void **state)
{
    sfx_t *fx = sfx_begin(state);
    const char *names[] = {"c", "a", "b"};
    arc_store_node_row_t *rows = NULL;
    size_t n = 0;
    char err[256];

    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 4; k++) {
            arc_store_node_row_t r = row(names[i], T0 + k * MIN_US,
                                         T0 + k * MIN_US + 1);

            r.queue_depth = (uint32_t)k;
            put(fx, &r);
        }
    }
    flush(fx);
    assert_int_equal(arc_store_mesh_at(fx->store, T0 + 2 * MIN_US, 0,
                                       &rows, &n, err, sizeof(err)),
                     ARC_OK);
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].node, "a");
    assert_string_equal(rows[2].node, "c");
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].queue_depth, 2);
    }
    free(rows);
}

static void test_unknown_node_is_not_found(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_node_row_t out;
    arc_store_node_bucket_t *b = NULL;
    arc_store_range_t r = {T0, SFX_NOW, MIN_US, 0};
    size_t n = 0;
    char err[256];

    assert_int_equal(arc_store_node_at(fx->store, "nope", T0, 0, &out, err,
                                       sizeof(err)),
                     ARC_ERR_NOT_FOUND);
    assert_non_null(strstr(err, "nope"));
    assert_int_equal(arc_store_node_history(fx->store, "nope", &r, &b, &n,
                                            err, sizeof(err)),
                     ARC_ERR_NOT_FOUND);
}

/* ---- bad times -------------------------------------------------------- */

static void test_future_valid_time_is_refused(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_node_row_t out;
    char err[256];

    assert_int_equal(arc_store_node_at(fx->store, "n1", SFX_NOW + 1, 0,
                                       &out, err, sizeof(err)),
                     ARC_ERR_INVALID);
    assert_non_null(strstr(err, "future"));
}

static void test_future_known_at_is_refused(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_node_row_t *rows = NULL;
    size_t n = 0;
    char err[256];

    assert_int_equal(arc_store_mesh_at(fx->store, T0, SFX_NOW + 1, &rows,
                                       &n, err, sizeof(err)),
                     ARC_ERR_INVALID);
    assert_non_null(strstr(err, "future"));
}

static void test_from_after_to_is_refused(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_zone_bucket_t *b = NULL;
    arc_store_range_t r = {T0 + MIN_US, T0, MIN_US, 0};
    size_t n = 0;
    char err[256];

    assert_int_equal(arc_store_zone_history(fx->store, ARC_ZONE_WEST, &r,
                                            &b, &n, err, sizeof(err)),
                     ARC_ERR_INVALID);
    assert_non_null(strstr(err, "from > to"));
}

static void test_zero_step_and_too_many_buckets_are_refused(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_zone_bucket_t *b = NULL;
    arc_store_range_t r = {T0, SFX_NOW, 0, 0};
    size_t n = 0;
    char err[256];

    assert_int_equal(arc_store_zone_history(fx->store, ARC_ZONE_WEST, &r,
                                            &b, &n, err, sizeof(err)),
                     ARC_ERR_INVALID);
    r.step_us = 1;
    assert_int_equal(arc_store_zone_history(fx->store, ARC_ZONE_WEST, &r,
                                            &b, &n, err, sizeof(err)),
                     ARC_ERR_INVALID);
}

/* ---- dead-band and keyframes ------------------------------------------ */

static void test_deadband_skips_small_moves_and_writes_changes(
    void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_node_row_t r = row("n1", T0, 0);
    arc_store_stats_t st;

    assert_int_equal(arc_store_put_telemetry(fx->store, &r), ARC_OK);
    r.valid_us += ARC_US_PER_S;
    r.battery_soc += 0.004f; /* inside the 1% band */
    assert_int_equal(arc_store_put_telemetry(fx->store, &r), ARC_OK);
    r.valid_us += ARC_US_PER_S;
    r.battery_soc += 0.004f; /* 0.8% from the written row: still inside */
    assert_int_equal(arc_store_put_telemetry(fx->store, &r), ARC_OK);
    r.valid_us += ARC_US_PER_S;
    r.battery_soc += 0.004f; /* 1.2% from the written row: written */
    assert_int_equal(arc_store_put_telemetry(fx->store, &r), ARC_OK);
    r.valid_us += ARC_US_PER_S;
    r.energy_source = ARC_SOURCE_GRID; /* a change: written */
    assert_int_equal(arc_store_put_telemetry(fx->store, &r), ARC_OK);
    flush(fx);
    arc_store_stats(fx->store, &st);
    assert_int_equal(st.filtered, 2);
    assert_int_equal(st.committed, 3);
    assert_int_equal(at(fx, "n1", T0 + 2 * ARC_US_PER_S, 0).valid_us, T0);
    assert_int_equal(at(fx, "n1", T0 + 4 * ARC_US_PER_S, 0).energy_source,
                     ARC_SOURCE_GRID);
}

static void test_keyframe_written_after_interval(void **state)
{
    sfx_t *fx = *state;
    arc_store_node_row_t r = row("n1", T0, 0);
    arc_store_stats_t st;

    if (fx != NULL) {
        fx->cfg.keyframe_us = 5 * MIN_US;
    }
    fx = sfx_begin(state);
    for (int i = 0; i <= 10; i++) { /* one report a minute, no change */
        r.valid_us = T0 + i * MIN_US;
        assert_int_equal(arc_store_put_telemetry(fx->store, &r), ARC_OK);
    }
    flush(fx);
    arc_store_stats(fx->store, &st);
    assert_int_equal(st.committed, 3); /* 0, 5 and 10 minutes */
    assert_int_equal(at(fx, "n1", T0 + 9 * MIN_US, 0).valid_us,
                     T0 + 5 * MIN_US);
    assert_int_equal(at(fx, "n1", T0 + 9 * MIN_US, 0).kind,
                     ARC_STORE_KEYFRAME);
}

/* ---- history ---------------------------------------------------------- */

static void test_node_history_buckets_means(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_range_t range = {T0, T0 + 30 * MIN_US, 10 * MIN_US, 0};
    arc_store_node_bucket_t *b = NULL;
    size_t n = 0;
    char err[256];

    for (int i = 0; i < 20; i++) { /* minutes 0..19: two buckets */
        arc_store_node_row_t r = row("n1", T0 + i * MIN_US,
                                     T0 + i * MIN_US + 1);

        r.gpu_util = i < 10 ? 0.2f : 0.6f;
        r.status = i == 15 ? ARC_NODE_DOWN : ARC_NODE_UP;
        put(fx, &r);
    }
    flush(fx);
    assert_int_equal(arc_store_node_history(fx->store, "n1", &range, &b,
                                            &n, err, sizeof(err)),
                     ARC_OK);
    assert_int_equal(n, 2); /* the third bucket holds nothing */
    assert_int_equal(b[0].start_us, T0);
    assert_int_equal(b[1].start_us, T0 + 10 * MIN_US);
    assert_int_equal(b[0].samples, 10);
    assert_float_equal(b[0].gpu_util, 0.2, 1e-6);
    assert_float_equal(b[1].gpu_util, 0.6, 1e-6);
    assert_int_equal(b[0].status, ARC_NODE_UP);
    assert_int_equal(b[1].status, ARC_NODE_DOWN);
    free(b);
}

static void test_node_history_counts_a_correction_once(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_range_t range = {T0, T0 + 10 * MIN_US, 10 * MIN_US, 0};
    arc_store_node_bucket_t *b = NULL;
    arc_store_node_row_t a = row("n1", T0, T0 + 1);
    arc_store_node_row_t fix = row("n1", T0, T0 + 2);
    size_t n = 0;
    char err[256];

    fix.gpu_util = 1.0f;
    put(fx, &a);
    put(fx, &fix);
    flush(fx);
    assert_int_equal(arc_store_node_history(fx->store, "n1", &range, &b,
                                            &n, err, sizeof(err)),
                     ARC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(b[0].samples, 1);
    assert_float_equal(b[0].gpu_util, 1.0, 1e-6);
    free(b);
    range.known_at_us = T0 + 1; /* before the correction */
    assert_int_equal(arc_store_node_history(fx->store, "n1", &range, &b,
                                            &n, err, sizeof(err)),
                     ARC_OK);
    assert_float_equal(b[0].gpu_util, 0.2, 1e-6);
    free(b);
}

static void test_zone_history_buckets_energy_mix(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_range_t range = {T0, T0 + 20 * MIN_US, 10 * MIN_US, 0};
    arc_store_zone_bucket_t *b = NULL;
    size_t n = 0;
    char err[256];

    for (int i = 0; i < 20; i++) {
        arc_store_zone_row_t z;

        memset(&z, 0, sizeof(z));
        z.zone = ARC_ZONE_EAST;
        z.valid_us = T0 + i * MIN_US;
        z.nodes_up = 10;
        z.carbon_g_per_kwh = i < 10 ? 100.0 : 300.0;
        z.power_by_source_kw[ARC_SOURCE_SOLAR] = i < 10 ? 50.0 : 0.0;
        z.power_by_source_kw[ARC_SOURCE_GRID] = i < 10 ? 0.0 : 50.0;
        assert_int_equal(arc_store_put_zone(fx->store, &z), ARC_OK);
    }
    flush(fx);
    assert_int_equal(arc_store_zone_history(fx->store, ARC_ZONE_EAST,
                                            &range, &b, &n, err,
                                            sizeof(err)),
                     ARC_OK);
    assert_int_equal(n, 2);
    assert_float_equal(b[0].carbon_g_per_kwh, 100.0, 1e-6);
    assert_float_equal(b[1].carbon_g_per_kwh, 300.0, 1e-6);
    assert_float_equal(b[0].power_by_source_kw[ARC_SOURCE_SOLAR], 50.0,
                       1e-6);
    assert_float_equal(b[1].power_by_source_kw[ARC_SOURCE_GRID], 50.0,
                       1e-6);
    free(b);
}

/* ---- events and changes ----------------------------------------------- */

static void put_event(sfx_t *fx, uint64_t seq, arc_event_type_t type,
                      arc_zone_t zone, const char *node, int64_t t)
{
    arc_store_event_row_t e;

    memset(&e, 0, sizeof(e));
    e.ev.seq = seq;
    e.ev.time_us = t;
    e.ev.type = (uint8_t)type;
    e.ev.severity = ARC_SEV_WARNING;
    e.ev.zone = (uint8_t)zone;
    snprintf(e.ev.node, sizeof(e.ev.node), "%s", node);
    snprintf(e.ev.message, sizeof(e.ev.message), "%s did something",
             node);
    assert_int_equal(arc_store_put_event(fx->store, &e), ARC_OK);
}

static void test_events_filtered_by_type_zone_and_node(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_range_t range = {T0, T0 + 10 * MIN_US, 0, 0};
    arc_store_event_filter_t f = {0};
    arc_store_event_row_t *ev = NULL;
    size_t n = 0;
    char err[256];

    put_event(fx, 1, ARC_EVENT_NODE_DOWN, ARC_ZONE_WEST, "a", T0);
    put_event(fx, 2, ARC_EVENT_BATTERY_LOW, ARC_ZONE_WEST, "b", T0 + 1);
    put_event(fx, 3, ARC_EVENT_NODE_DOWN, ARC_ZONE_EAST, "c", T0 + 2);
    put_event(fx, 4, ARC_EVENT_NODE_DOWN, ARC_ZONE_WEST, "a",
              T0 + 20 * MIN_US); /* outside the range */
    flush(fx);
    f.type_mask = 1u << ARC_EVENT_NODE_DOWN;
    assert_int_equal(arc_store_events(fx->store, &range, &f, &ev, &n, err,
                                      sizeof(err)),
                     ARC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ev[0].ev.seq, 1);
    assert_int_equal(ev[1].ev.seq, 3);
    free(ev);
    f.zone_mask = 1u << ARC_ZONE_WEST;
    f.node = "a";
    assert_int_equal(arc_store_events(fx->store, &range, &f, &ev, &n, err,
                                      sizeof(err)),
                     ARC_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ev[0].ev.message, "a did something");
    free(ev);
}

static void test_changes_lists_nodes_whose_status_or_source_changed(
    void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_range_t range = {T0 + MIN_US, T0 + 3 * MIN_US, 0, 0};
    arc_store_change_t *c = NULL;
    arc_store_node_row_t r;
    size_t n = 0;
    char err[256];

    r = row("steady", T0, T0);
    put(fx, &r);
    r = row("fails", T0, T0);
    put(fx, &r);
    r = row("fails", T0 + 2 * MIN_US, T0 + 2 * MIN_US);
    r.status = ARC_NODE_DOWN;
    put(fx, &r);
    r = row("joins", T0 + 2 * MIN_US, T0 + 2 * MIN_US);
    put(fx, &r);
    flush(fx);
    assert_int_equal(arc_store_changes(fx->store, &range, &c, &n, err,
                                       sizeof(err)),
                     ARC_OK);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].node, "fails");
    assert_int_equal(c[0].status_before, ARC_NODE_UP);
    assert_int_equal(c[0].status_after, ARC_NODE_DOWN);
    assert_string_equal(c[1].node, "joins");
    assert_false(c[1].existed_before);
    free(c);
}

/* ---- retention and reopening ------------------------------------------ */

static void test_maintenance_folds_old_rows_into_minutes(void **state)
{
    sfx_t *fx = *state;
    arc_store_range_t range = {T0, T0 + 10 * MIN_US, 10 * MIN_US, 0};
    arc_store_node_bucket_t *b = NULL;
    arc_store_node_row_t *rows = NULL;
    uint64_t folded = 0;
    size_t n = 0;
    char err[256];

    if (fx != NULL) {
        fx->cfg.raw_keep_us = 30 * MIN_US;
        fx->cfg.minute_keep_us = 120 * MIN_US;
    }
    fx = sfx_begin(state);
    for (int i = 0; i < 10; i++) { /* 6 rows a minute for 10 minutes... */
        for (int k = 0; k < 6; k++) {
            int64_t t = T0 + i * MIN_US + k * 10 * ARC_US_PER_S;
            arc_store_node_row_t r = row("n1", t, t + 1);

            r.gpu_util = k < 3 ? 0.0f : 1.0f;
            put(fx, &r);
        }
    }
    flush(fx); /* ...all older than the 30-minute raw window */
    assert_int_equal(arc_store_maintain(fx->store, SFX_NOW, &folded, err,
                                        sizeof(err)),
                     ARC_OK);
    assert_int_equal(folded, 60);
    assert_int_equal(arc_store_node_history(fx->store, "n1", &range, &b,
                                            &n, err, sizeof(err)),
                     ARC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(b[0].samples, 10); /* one aggregate a minute */
    assert_float_equal(b[0].gpu_util, 0.5, 1e-6);
    free(b);
    assert_int_equal(at(fx, "n1", T0 + 5 * MIN_US, 0).valid_us,
                     T0 + 5 * MIN_US); /* from the minute table */
    assert_int_equal(arc_store_mesh_at(fx->store, T0 + 5 * MIN_US, 0, &rows,
                                       &n, err, sizeof(err)),
                     ARC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].valid_us, T0 + 5 * MIN_US);
    free(rows);
    /* a later pass past the aggregate window removes them too */
    assert_int_equal(arc_store_maintain(fx->store, SFX_NOW + 180 * MIN_US,
                                        &folded, err, sizeof(err)),
                     ARC_OK);
    assert_int_equal(arc_store_node_history(fx->store, "n1", &range, &b,
                                            &n, err, sizeof(err)),
                     ARC_OK);
    assert_int_equal(n, 0);
    free(b);
}

static void test_reopen_restores_latest_row_of_every_node(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_node_row_t *rows = NULL;
    arc_store_node_row_t r;
    size_t n = 0;
    char err[256];

    for (int i = 0; i < 5; i++) {
        r = row("a", T0 + i * MIN_US, T0 + i * MIN_US);
        r.seq = (uint64_t)i + 1;
        put(fx, &r);
        r = row("b", T0 + i * MIN_US, T0 + i * MIN_US);
        r.seq = (uint64_t)i + 100;
        put(fx, &r);
    }
    sfx_close(fx); /* close commits what is buffered */
    assert_int_equal(sfx_open(fx), ARC_OK);
    assert_int_equal(arc_store_load_latest(fx->store, &rows, &n, err,
                                           sizeof(err)),
                     ARC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].seq, 5);
    assert_int_equal(rows[1].seq, 104);
    assert_int_equal(rows[1].valid_us, T0 + 4 * MIN_US);
    free(rows);
}

/* ---- failing writes --------------------------------------------------- */

typedef struct reports {
    pthread_mutex_t mu;
    int failed, recovered, dropped;
} reports_t;

static void on_report(void *ctx, const arc_store_report_t *r)
{
    reports_t *rep = ctx;

    pthread_mutex_lock(&rep->mu);
    rep->failed += r->kind == ARC_STORE_REPORT_WRITE_FAILED;
    rep->recovered += r->kind == ARC_STORE_REPORT_RECOVERED;
    rep->dropped += r->kind == ARC_STORE_REPORT_DROPPED;
    pthread_mutex_unlock(&rep->mu);
}

static void wait_failing(sfx_t *fx)
{
    arc_store_stats_t st;

    for (int i = 0; i < 2000; i++) {
        arc_store_stats(fx->store, &st);
        if (st.failing) {
            return;
        }
        usleep(5000);
    }
    fail_msg("the writer never reported a failure");
}

static void test_failed_writes_retry_and_lose_nothing_accepted(
    void **state)
{
    sfx_t *fx = *state;
    reports_t rep = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0};
    arc_store_node_row_t *rows = NULL;
    arc_store_stats_t st;
    arc_status_t rc = ARC_OK;
    size_t n = 0;
    uint64_t seq = 0;
    char err[256];

    if (fx != NULL) {
        fx->cfg.queue_rows = 8;
        fx->cfg.report = on_report;
        fx->cfg.report_ctx = &rep;
    }
    fx = sfx_begin(state);
    sfx_block_writes(fx);
    for (seq = 1; seq <= 4; seq++) { /* the batch that will fail */
        arc_store_node_row_t r = row("n1", T0 + (int64_t)seq, 0);

        r.seq = seq;
        put(fx, &r);
    }
    wait_failing(fx);
    while (rc == ARC_OK) { /* fill the buffer until a put is refused */
        arc_store_node_row_t r = row("n1", T0 + (int64_t)seq, 0);

        r.seq = seq++;
        rc = arc_store_put_node(fx->store, &r);
    }
    assert_int_equal(rc, ARC_ERR_FULL);
    sfx_unblock_writes(fx);
    flush(fx);
    arc_store_stats(fx->store, &st);
    assert_true(st.dropped >= 1);
    assert_int_equal(st.committed, st.accepted);
    assert_int_equal(arc_store_load_latest(fx->store, &rows, &n, err,
                                           sizeof(err)),
                     ARC_OK);
    assert_int_equal(rows[0].seq, st.accepted); /* seqs 1..accepted */
    free(rows);
    pthread_mutex_lock(&rep.mu);
    assert_true(rep.failed >= 1);
    assert_true(rep.recovered >= 1);
    assert_true(rep.dropped >= 1);
    pthread_mutex_unlock(&rep.mu);
}

static void test_same_row_twice_is_stored_once(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_node_row_t a = row("n1", T0, T0 + 1);
    arc_store_node_row_t b = row("n1", T0 + MIN_US, T0 + MIN_US);
    arc_store_range_t range = {T0, T0 + 10 * MIN_US, 10 * MIN_US, 0};
    arc_store_node_bucket_t *bk = NULL;
    size_t n = 0;
    char err[256];

    put(fx, &a);
    flush(fx);
    put(fx, &a); /* delivered again, with a new row beside it */
    put(fx, &b);
    flush(fx);
    assert_int_equal(arc_store_node_history(fx->store, "n1", &range, &bk,
                                            &n, err, sizeof(err)),
                     ARC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(bk[0].samples, 2);
    free(bk);
}

static void test_bad_rows_are_refused(void **state)
{
    sfx_t *fx = sfx_begin(state);
    arc_store_node_row_t r = row("", T0, 0);

    assert_int_equal(arc_store_put_node(fx->store, &r), ARC_ERR_INVALID);
    r = row("n1", T0, 0);
    r.status = 9;
    assert_int_equal(arc_store_put_telemetry(fx->store, &r),
                     ARC_ERR_INVALID);
}

/* ---- both backends ---------------------------------------------------- */

#define STORE_TESTS(setup)                                                 \
    {                                                                      \
        cmocka_unit_test_setup_teardown(                                   \
            test_as_of_returns_latest_row_at_or_before_valid_time, setup,  \
            sfx_teardown),                                                 \
        cmocka_unit_test_setup_teardown(                                   \
            test_late_row_is_invisible_before_its_system_time, setup,      \
            sfx_teardown),                                                 \
        cmocka_unit_test_setup_teardown(                                   \
            test_correction_replaces_row_as_known_after_it, setup,         \
            sfx_teardown),                                                 \
        cmocka_unit_test_setup_teardown(                                   \
            test_mesh_at_returns_one_row_per_node, setup, sfx_teardown),   \
        cmocka_unit_test_setup_teardown(test_unknown_node_is_not_found,    \
                                        setup, sfx_teardown),              \
        cmocka_unit_test_setup_teardown(test_future_valid_time_is_refused, \
                                        setup, sfx_teardown),              \
        cmocka_unit_test_setup_teardown(test_future_known_at_is_refused,   \
                                        setup, sfx_teardown),              \
        cmocka_unit_test_setup_teardown(test_from_after_to_is_refused,     \
                                        setup, sfx_teardown),              \
        cmocka_unit_test_setup_teardown(                                   \
            test_zero_step_and_too_many_buckets_are_refused, setup,        \
            sfx_teardown),                                                 \
        cmocka_unit_test_setup_teardown(                                   \
            test_deadband_skips_small_moves_and_writes_changes, setup,     \
            sfx_teardown),                                                 \
        cmocka_unit_test_setup_teardown(                                   \
            test_keyframe_written_after_interval, setup, sfx_teardown),    \
        cmocka_unit_test_setup_teardown(test_node_history_buckets_means,   \
                                        setup, sfx_teardown),              \
        cmocka_unit_test_setup_teardown(                                   \
            test_node_history_counts_a_correction_once, setup,             \
            sfx_teardown),                                                 \
        cmocka_unit_test_setup_teardown(                                   \
            test_zone_history_buckets_energy_mix, setup, sfx_teardown),    \
        cmocka_unit_test_setup_teardown(                                   \
            test_events_filtered_by_type_zone_and_node, setup,             \
            sfx_teardown),                                                 \
        cmocka_unit_test_setup_teardown(                                   \
            test_changes_lists_nodes_whose_status_or_source_changed,       \
            setup, sfx_teardown),                                          \
        cmocka_unit_test_setup_teardown(                                   \
            test_maintenance_folds_old_rows_into_minutes, setup,           \
            sfx_teardown),                                                 \
        cmocka_unit_test_setup_teardown(                                   \
            test_reopen_restores_latest_row_of_every_node, setup,          \
            sfx_teardown),                                                 \
        cmocka_unit_test_setup_teardown(                                   \
            test_failed_writes_retry_and_lose_nothing_accepted, setup,     \
            sfx_teardown),                                                 \
        cmocka_unit_test_setup_teardown(                                   \
            test_same_row_twice_is_stored_once, setup, sfx_teardown),      \
        cmocka_unit_test_setup_teardown(test_bad_rows_are_refused, setup,  \
                                        sfx_teardown),                     \
    }

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = STORE_TESTS(sfx_setup_sqlite);
    const struct CMUnitTest pg_tests[] = STORE_TESTS(sfx_setup_postgres);
    int failed = 0;

    failed += cmocka_run_group_tests_name("store on sqlite", sqlite_tests,
                                          NULL, NULL);
    failed += cmocka_run_group_tests_name("store on postgres", pg_tests,
                                          NULL, NULL);
    return failed;
}
