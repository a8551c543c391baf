/*
 * test_mesh.c - the live node table: adding and finding nodes, applying
 * telemetry once and only once, rejecting bad values, zone totals,
 * nodes marked silent and change hooks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "fixture.h"

static arc_mesh_t *mesh_with(uint32_t *index)
{
    arc_mesh_t *mesh = arc_mesh_new();
    arc_node_t n = fix_node("w-portland-01", 45.52, -122.68);

    assert_non_null(mesh);
    assert_int_equal(arc_mesh_add(mesh, &n, index), ARC_OK);
    return mesh;
}

static void added_node_is_found_by_id(void **state)
{
    uint32_t index, found;
    arc_mesh_t *mesh = mesh_with(&index);

    (void)state;
    assert_int_equal(arc_mesh_find(mesh, "w-portland-01", &found), ARC_OK);
    assert_int_equal(found, index);
    assert_int_equal(arc_mesh_find(mesh, "nope", &found), ARC_ERR_NOT_FOUND);
    arc_mesh_free(mesh);
}

static void duplicate_id_is_refused(void **state)
{
    uint32_t index;
    arc_mesh_t *mesh = mesh_with(&index);
    arc_node_t again = fix_node("w-portland-01", 45.0, -122.0);

    (void)state;
    assert_int_equal(arc_mesh_add(mesh, &again, NULL), ARC_ERR_DUPLICATE);
    assert_int_equal(arc_mesh_count(mesh), 1);
    arc_mesh_free(mesh);
}

static void invalid_node_is_refused(void **state)
{
    arc_mesh_t *mesh = arc_mesh_new();
    arc_node_t bad = fix_node("x", 95.0, -122.0);
    arc_node_t unnamed = fix_node("", 45.0, -122.0);

    (void)state;
    assert_int_equal(arc_mesh_add(mesh, &bad, NULL), ARC_ERR_INVALID);
    assert_int_equal(arc_mesh_add(mesh, &unnamed, NULL), ARC_ERR_INVALID);
    arc_mesh_free(mesh);
}

static void many_nodes_stay_findable_as_the_table_grows(void **state)
{
    arc_mesh_t *mesh = arc_mesh_new();
    char id[32];
    uint32_t found;

    (void)state;
    for (int i = 0; i < 5000; i++) {
        arc_node_t n;

        snprintf(id, sizeof(id), "n-%d", i);
        n = fix_node(id, 30.0 + i % 10, -100.0 + i % 20);
        assert_int_equal(arc_mesh_add(mesh, &n, NULL), ARC_OK);
    }
    for (int i = 0; i < 5000; i += 97) {
        snprintf(id, sizeof(id), "n-%d", i);
        assert_int_equal(arc_mesh_find(mesh, id, &found), ARC_OK);
        assert_int_equal(found, (uint32_t)i);
    }
    arc_mesh_free(mesh);
}

static void telemetry_applies_once(void **state)
{
    uint32_t index;
    arc_mesh_t *mesh = mesh_with(&index);
    arc_telemetry_t t = fix_telemetry(mesh, index);

    (void)state;
    t.gpu_util = 0.5f;
    assert_int_equal(arc_mesh_apply(mesh, &t), ARC_OK);
    t.gpu_util = 0.9f;
    assert_int_equal(arc_mesh_apply(mesh, &t), ARC_ERR_DUPLICATE);
    assert_true(arc_mesh_node(mesh, index)->gpu_util == 0.5f);
    arc_mesh_free(mesh);
}

static void older_telemetry_changes_nothing(void **state)
{
    uint32_t index;
    arc_mesh_t *mesh = mesh_with(&index);
    arc_telemetry_t t = fix_telemetry(mesh, index);

    (void)state;
    t.seq = 10;
    t.battery_soc = 0.7f;
    assert_int_equal(arc_mesh_apply(mesh, &t), ARC_OK);
    t.seq = 9;
    t.battery_soc = 0.1f;
    assert_int_equal(arc_mesh_apply(mesh, &t), ARC_ERR_DUPLICATE);
    assert_true(arc_mesh_node(mesh, index)->battery_soc == 0.7f);
    arc_mesh_free(mesh);
}

static void out_of_range_telemetry_is_refused(void **state)
{
    uint32_t index;
    arc_mesh_t *mesh = mesh_with(&index);
    arc_telemetry_t t = fix_telemetry(mesh, index);
    arc_telemetry_t bad;

    (void)state;
    bad = t;
    bad.battery_soc = 1.5f;
    assert_int_equal(arc_mesh_apply(mesh, &bad), ARC_ERR_INVALID);
    bad = t;
    bad.gpu_util = NAN;
    assert_int_equal(arc_mesh_apply(mesh, &bad), ARC_ERR_INVALID);
    bad = t;
    bad.gpus_free = 9; /* more than the 8 it has */
    assert_int_equal(arc_mesh_apply(mesh, &bad), ARC_ERR_INVALID);
    bad = t;
    bad.energy_source = ARC_SOURCE_COUNT;
    assert_int_equal(arc_mesh_apply(mesh, &bad), ARC_ERR_INVALID);
    bad = t;
    bad.node = 7;
    assert_int_equal(arc_mesh_apply(mesh, &bad), ARC_ERR_NOT_FOUND);
    /* A refused report does not use up its sequence number. */
    assert_int_equal(arc_mesh_apply(mesh, &t), ARC_OK);
    arc_mesh_free(mesh);
}

static void zone_totals_follow_status_changes(void **state)
{
    uint32_t index;
    arc_mesh_t *mesh = mesh_with(&index);
    const arc_zone_totals_t *z = arc_mesh_zone_totals(mesh, ARC_ZONE_WEST);
    arc_telemetry_t t = fix_telemetry(mesh, index);

    (void)state;
    assert_int_equal(z->nodes, 1);
    assert_int_equal(z->nodes_up, 1);
    assert_int_equal(z->gpus_healthy, 8);

    t.status = ARC_NODE_DOWN;
    assert_int_equal(arc_mesh_apply(mesh, &t), ARC_OK);
    assert_int_equal(z->nodes, 1);
    assert_int_equal(z->nodes_up, 0);
    assert_int_equal(z->gpus_healthy, 0);
    assert_int_equal(z->gpus_total, 8);
    arc_mesh_free(mesh);
}

static void zone_totals_track_power_and_carbon(void **state)
{
    uint32_t index;
    arc_mesh_t *mesh = mesh_with(&index);
    const arc_zone_totals_t *z = arc_mesh_zone_totals(mesh, ARC_ZONE_WEST);
    arc_telemetry_t t = fix_telemetry(mesh, index);

    (void)state;
    t.power_kw = 100.0f;
    t.carbon_g_per_kwh = 300.0f;
    t.energy_source = ARC_SOURCE_GRID;
    assert_int_equal(arc_mesh_apply(mesh, &t), ARC_OK);
    assert_true(fabs(z->power_kw_sum - 100.0) < 1e-6);
    assert_true(fabs(z->carbon_kw_sum - 30000.0) < 1e-3);
    assert_true(fabs(z->power_by_source_kw[ARC_SOURCE_GRID] - 100.0) < 1e-6);
    assert_true(fabs(z->power_by_source_kw[ARC_SOURCE_SOLAR]) < 1e-6);
    arc_mesh_free(mesh);
}

static void drain_removes_the_node_from_healthy_capacity(void **state)
{
    uint32_t index;
    arc_mesh_t *mesh = mesh_with(&index);
    const arc_zone_totals_t *z = arc_mesh_zone_totals(mesh, ARC_ZONE_WEST);

    (void)state;
    assert_int_equal(arc_mesh_set_drained(mesh, index, true), ARC_OK);
    assert_int_equal(z->nodes_up, 0);
    assert_int_equal(arc_mesh_set_drained(mesh, index, false), ARC_OK);
    assert_int_equal(z->nodes_up, 1);
    assert_int_equal(arc_mesh_set_drained(mesh, 99, true), ARC_ERR_NOT_FOUND);
    arc_mesh_free(mesh);
}

static void dispatch_and_completion_move_gpus(void **state)
{
    uint32_t index;
    arc_mesh_t *mesh = mesh_with(&index);
    const arc_node_t *n = arc_mesh_node(mesh, index);

    (void)state;
    assert_int_equal(arc_mesh_note_dispatch(mesh, index, 4), ARC_OK);
    assert_int_equal(n->gpus_free, 4);
    assert_int_equal(n->queue_depth, 1);
    assert_true(fabs(n->gpu_util - 0.5f) < 1e-6);
    assert_int_equal(arc_mesh_note_dispatch(mesh, index, 8), ARC_OK);
    assert_int_equal(n->gpus_free, 0); /* never below zero */
    assert_int_equal(arc_mesh_note_complete(mesh, index, 8), ARC_OK);
    assert_int_equal(arc_mesh_note_complete(mesh, index, 8), ARC_OK);
    assert_int_equal(n->gpus_free, 8); /* never above the total */
    assert_int_equal(n->queue_depth, 0);
    arc_mesh_free(mesh);
}

struct seen {
    int calls;
    uint32_t node;
    uint8_t before_status;
};

static void remember(void *ctx, uint32_t node, const arc_node_t *before)
{
    struct seen *s = ctx;

    s->calls++;
    s->node = node;
    s->before_status = before->status;
}

static void hooks_see_every_change_with_the_state_before(void **state)
{
    uint32_t index;
    arc_mesh_t *mesh = mesh_with(&index);
    struct seen s = {0};
    arc_telemetry_t t = fix_telemetry(mesh, index);

    (void)state;
    assert_int_equal(arc_mesh_add_hook(mesh, remember, &s), ARC_OK);
    t.status = ARC_NODE_DOWN;
    arc_mesh_apply(mesh, &t);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.node, index);
    assert_int_equal(s.before_status, ARC_NODE_UP);

    arc_mesh_apply(mesh, &t); /* duplicate: no call */
    assert_int_equal(s.calls, 1);
    arc_mesh_remove_hook(mesh, remember, &s);
    arc_mesh_set_drained(mesh, index, true);
    assert_int_equal(s.calls, 1);
    arc_mesh_free(mesh);
}

/* Two nodes in the west, the first having reported once. */
static arc_mesh_t *reported_pair(uint32_t *first, uint32_t *second)
{
    arc_mesh_t *mesh = mesh_with(first);
    arc_node_t n = fix_node("w-tucson-01", 32.22, -110.97);
    arc_telemetry_t t = fix_telemetry(mesh, *first);

    assert_int_equal(arc_mesh_add(mesh, &n, second), ARC_OK);
    assert_int_equal(arc_mesh_apply(mesh, &t), ARC_OK);
    return mesh;
}

static void silent_node_leaves_the_healthy_totals(void **state)
{
    uint32_t a, b;
    arc_mesh_t *mesh = reported_pair(&a, &b);
    const arc_zone_totals_t *z = arc_mesh_zone_totals(mesh, ARC_ZONE_WEST);
    const arc_node_t *n = arc_mesh_node(mesh, a);

    (void)state;
    assert_int_equal(z->gpus_healthy, 16);
    assert_int_equal(arc_mesh_mark_silent(mesh, a), ARC_OK);
    assert_int_equal(z->nodes, 2);
    assert_int_equal(z->nodes_up, 1);
    assert_int_equal(z->gpus_total, 16);
    assert_int_equal(z->gpus_healthy, 8);
    assert_int_equal(z->gpus_free, 8);
    /* It keeps what it last reported, but is neither healthy nor live. */
    assert_int_equal(n->status, ARC_NODE_UP);
    assert_false(arc_node_is_healthy(n));
    assert_false(arc_node_is_live(n, n->last_heartbeat_us, ARC_US_PER_S));
    assert_true(arc_node_is_healthy(arc_mesh_node(mesh, b)));

    /* Marking it again changes nothing. */
    assert_int_equal(arc_mesh_mark_silent(mesh, a), ARC_OK);
    assert_int_equal(z->nodes_up, 1);
    assert_int_equal(z->gpus_healthy, 8);
    assert_int_equal(arc_mesh_mark_silent(mesh, 9), ARC_ERR_NOT_FOUND);
    arc_mesh_free(mesh);
}

static void next_report_brings_a_silent_node_back_once(void **state)
{
    uint32_t a, b;
    arc_mesh_t *mesh = reported_pair(&a, &b);
    const arc_zone_totals_t *z = arc_mesh_zone_totals(mesh, ARC_ZONE_WEST);
    arc_telemetry_t old = fix_telemetry(mesh, a);
    arc_telemetry_t next;

    (void)state;
    old.seq = arc_mesh_node(mesh, a)->seq; /* already applied */
    assert_int_equal(arc_mesh_mark_silent(mesh, a), ARC_OK);

    /* A report delivered again does not bring it back. */
    assert_int_equal(arc_mesh_apply(mesh, &old), ARC_ERR_DUPLICATE);
    assert_true(arc_mesh_node(mesh, a)->silent);
    assert_int_equal(z->gpus_healthy, 8);

    next = fix_telemetry(mesh, a);
    assert_int_equal(arc_mesh_apply(mesh, &next), ARC_OK);
    assert_false(arc_mesh_node(mesh, a)->silent);
    assert_int_equal(z->nodes_up, 2);
    assert_int_equal(z->gpus_healthy, 16);
    assert_int_equal(z->gpus_free, 16);

    /* Nor is it counted twice when that report comes again. */
    assert_int_equal(arc_mesh_apply(mesh, &next), ARC_ERR_DUPLICATE);
    assert_int_equal(z->nodes_up, 2);
    assert_int_equal(z->gpus_healthy, 16);
    arc_mesh_free(mesh);
}

static void silent_drained_node_stays_out_after_its_report(void **state)
{
    uint32_t a, b;
    arc_mesh_t *mesh = reported_pair(&a, &b);
    const arc_zone_totals_t *z = arc_mesh_zone_totals(mesh, ARC_ZONE_WEST);
    arc_telemetry_t t = fix_telemetry(mesh, a);

    (void)state;
    assert_int_equal(arc_mesh_set_drained(mesh, a, true), ARC_OK);
    assert_int_equal(arc_mesh_mark_silent(mesh, a), ARC_OK);
    assert_int_equal(z->nodes_up, 1);
    assert_int_equal(arc_mesh_apply(mesh, &t), ARC_OK);
    assert_int_equal(z->nodes_up, 1); /* still drained */
    assert_int_equal(arc_mesh_set_drained(mesh, a, false), ARC_OK);
    assert_int_equal(z->nodes_up, 2);
    assert_int_equal(z->gpus_healthy, 16);
    arc_mesh_free(mesh);
}

struct silence_seen {
    int calls;
    uint8_t before_silent, after_silent;
    const arc_mesh_t *mesh;
};

static void remember_silence(void *ctx, uint32_t node,
                             const arc_node_t *before)
{
    struct silence_seen *s = ctx;

    s->calls++;
    s->before_silent = before->silent;
    s->after_silent = arc_mesh_node(s->mesh, node)->silent;
}

static void hooks_are_told_of_silence_and_return(void **state)
{
    uint32_t a, b;
    arc_mesh_t *mesh = reported_pair(&a, &b);
    struct silence_seen s = {.mesh = mesh};
    arc_telemetry_t t = fix_telemetry(mesh, a);

    (void)state;
    assert_int_equal(arc_mesh_add_hook(mesh, remember_silence, &s), ARC_OK);
    arc_mesh_mark_silent(mesh, a);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.before_silent, 0);
    assert_int_equal(s.after_silent, 1);

    arc_mesh_mark_silent(mesh, a); /* already silent: no call */
    assert_int_equal(s.calls, 1);

    arc_mesh_apply(mesh, &t);
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.before_silent, 1);
    assert_int_equal(s.after_silent, 0);
    arc_mesh_remove_hook(mesh, remember_silence, &s);
    arc_mesh_free(mesh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(added_node_is_found_by_id),
        cmocka_unit_test(duplicate_id_is_refused),
        cmocka_unit_test(invalid_node_is_refused),
        cmocka_unit_test(many_nodes_stay_findable_as_the_table_grows),
        cmocka_unit_test(telemetry_applies_once),
        cmocka_unit_test(older_telemetry_changes_nothing),
        cmocka_unit_test(out_of_range_telemetry_is_refused),
        cmocka_unit_test(zone_totals_follow_status_changes),
        cmocka_unit_test(zone_totals_track_power_and_carbon),
        cmocka_unit_test(drain_removes_the_node_from_healthy_capacity),
        cmocka_unit_test(dispatch_and_completion_move_gpus),
        cmocka_unit_test(hooks_see_every_change_with_the_state_before),
        cmocka_unit_test(silent_node_leaves_the_healthy_totals),
        cmocka_unit_test(next_report_brings_a_silent_node_back_once),
        cmocka_unit_test(silent_drained_node_stays_out_after_its_report),
        cmocka_unit_test(hooks_are_told_of_silence_and_return),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
