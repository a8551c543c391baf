/*
 * test_mesh.c - the live node table: adding and finding nodes, applying
 * telemetry once and only once, rejecting bad values, zone totals and
 * change hooks.
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
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
