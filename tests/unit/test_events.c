/*
 * test_events.c - the event log and the mesh event detector: each event
 * type, battery hysteresis, query filters, ring wrap, `since`, and the
 * flapping guard. Time is a fake clock the tests move by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "state/events.h"
#include "state/mesh.h"

typedef struct fixture {
    int64_t now;
    arc_event_log_t *log;
    arc_mesh_t *mesh;
    arc_event_detector_t *det;
    uint64_t seq[4]; /* telemetry seq per node */
} fixture_t;

static int64_t fake_clock(void *ctx)
{
    return *(int64_t *)ctx;
}

static arc_node_t make_node(const char *id, arc_zone_t zone, float kwh)
{
    arc_node_t n;

    memset(&n, 0, sizeof(n));
    snprintf(n.id, sizeof(n.id), "%s", id);
    n.site = "Testville";
    n.lat = 40.0;
    n.lon = zone == ARC_ZONE_WEST ? -120.0 : -80.0;
    n.zone = (uint8_t)zone;
    n.status = ARC_NODE_UP;
    n.energy_source = ARC_SOURCE_SOLAR;
    n.gpus_total = 8;
    n.gpus_free = 8;
    n.battery_kwh = kwh;
    n.battery_soc = 0.8f;
    n.battery_reserve = 0.1f;
    return n;
}

static arc_event_log_t *new_log(fixture_t *fx, uint32_t capacity)
{
    arc_event_config_t cfg;

    arc_event_config_default(&cfg);
    cfg.capacity = capacity;
    cfg.clock = fake_clock;
    cfg.clock_ctx = &fx->now;
    return arc_event_log_new(&cfg);
}

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof(*fx));
    arc_node_t a = make_node("west-a", ARC_ZONE_WEST, 1000.0f);
    arc_node_t b = make_node("east-b", ARC_ZONE_EAST, 1000.0f);
    arc_node_t c = make_node("west-nobatt", ARC_ZONE_WEST, 0.0f);

    assert_non_null(fx);
    fx->now = 1000 * ARC_US_PER_S;
    fx->log = new_log(fx, 64);
    fx->mesh = arc_mesh_new();
    assert_non_null(fx->log);
    assert_non_null(fx->mesh);
    assert_int_equal(arc_mesh_add(fx->mesh, &a, NULL), ARC_OK);
    assert_int_equal(arc_mesh_add(fx->mesh, &b, NULL), ARC_OK);
    assert_int_equal(arc_mesh_add(fx->mesh, &c, NULL), ARC_OK);
    fx->det = arc_event_detector_new(fx->mesh, fx->log);
    assert_non_null(fx->det);
    assert_int_equal(
        arc_mesh_add_hook(fx->mesh, arc_event_detector_hook, fx->det),
        ARC_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;

    arc_mesh_free(fx->mesh);
    arc_event_detector_free(fx->det);
    arc_event_log_free(fx->log);
    free(fx);
    return 0;
}

/* Sends telemetry for node i: the node as it is, with changes given. */
static void telemetry(fixture_t *fx, uint32_t i, arc_node_status_t status,
                      arc_energy_source_t source, float soc)
{
    const arc_node_t *n = arc_mesh_node(fx->mesh, i);
    arc_telemetry_t t;

    memset(&t, 0, sizeof(t));
    t.node = i;
    t.seq = ++fx->seq[i];
    t.time_us = fx->now;
    t.status = (uint8_t)status;
    t.energy_source = (uint8_t)source;
    t.gpus_free = n->gpus_free;
    t.battery_soc = soc;
    t.carbon_g_per_kwh = source == ARC_SOURCE_GRID ? 400.0f : 0.0f;
    assert_int_equal(arc_mesh_apply(fx->mesh, &t), ARC_OK);
}

static void set_soc(fixture_t *fx, uint32_t i, float soc)
{
    fx->now += 10 * ARC_US_PER_S;
    telemetry(fx, i, ARC_NODE_UP, ARC_SOURCE_SOLAR, soc);
}

static size_t all_events(fixture_t *fx, const arc_event_t **out, size_t cap)
{
    arc_event_filter_t f;

    arc_event_filter_init(&f);
    return arc_event_query(fx->log, &f, out, cap);
}

static const arc_event_t *only_event(fixture_t *fx)
{
    const arc_event_t *ev[8];

    assert_int_equal(all_events(fx, ev, 8), 1);
    return ev[0];
}

/* ---- detection -------------------------------------------------------- */

static void existing_nodes_produce_no_events(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];

    assert_int_equal(all_events(fx, ev, 8), 0);
}

static void node_going_down_is_critical_node_down(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev;

    telemetry(fx, 0, ARC_NODE_DOWN, ARC_SOURCE_SOLAR, 0.8f);
    ev = only_event(fx);
    assert_int_equal(ev->type, ARC_EVENT_NODE_DOWN);
    assert_int_equal(ev->severity, ARC_SEV_CRITICAL);
    assert_int_equal(ev->zone, ARC_ZONE_WEST);
    assert_string_equal(ev->node, "west-a");
    assert_int_equal(ev->seq, 1);
    assert_true(ev->time_us == fx->now);
    assert_non_null(strstr(ev->message, "west-a"));
    assert_non_null(strstr(ev->message, "down"));
}

static void node_coming_back_is_node_up(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];

    telemetry(fx, 1, ARC_NODE_DOWN, ARC_SOURCE_SOLAR, 0.8f);
    fx->now += 5 * ARC_US_PER_S;
    telemetry(fx, 1, ARC_NODE_UP, ARC_SOURCE_SOLAR, 0.8f);
    assert_int_equal(all_events(fx, ev, 8), 2);
    assert_int_equal(ev[1]->type, ARC_EVENT_NODE_UP);
    assert_int_equal(ev[1]->severity, ARC_SEV_INFO);
    assert_non_null(strstr(ev[1]->message, "was down"));
}

static void operator_drain_is_info_and_undrain_is_node_up(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];

    assert_int_equal(arc_mesh_set_drained(fx->mesh, 0, true), ARC_OK);
    fx->now += 5 * ARC_US_PER_S;
    assert_int_equal(arc_mesh_set_drained(fx->mesh, 0, false), ARC_OK);
    assert_int_equal(all_events(fx, ev, 8), 2);
    assert_int_equal(ev[0]->type, ARC_EVENT_NODE_DRAINING);
    assert_int_equal(ev[0]->severity, ARC_SEV_INFO);
    assert_non_null(strstr(ev[0]->message, "operator"));
    assert_int_equal(ev[1]->type, ARC_EVENT_NODE_UP);
    assert_non_null(strstr(ev[1]->message, "was draining"));
}

static void node_reported_draining_is_warning(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev;

    telemetry(fx, 0, ARC_NODE_DRAINING, ARC_SOURCE_SOLAR, 0.8f);
    ev = only_event(fx);
    assert_int_equal(ev->type, ARC_EVENT_NODE_DRAINING);
    assert_int_equal(ev->severity, ARC_SEV_WARNING);
}

static void node_added_after_hook_is_node_up(void **state)
{
    fixture_t *fx = *state;
    arc_node_t d = make_node("east-new", ARC_ZONE_EAST, 500.0f);
    const arc_event_t *ev;

    assert_int_equal(arc_mesh_add(fx->mesh, &d, NULL), ARC_OK);
    ev = only_event(fx);
    assert_int_equal(ev->type, ARC_EVENT_NODE_UP);
    assert_string_equal(ev->node, "east-new");
    assert_int_equal(ev->zone, ARC_ZONE_EAST);
}

static void gpu_bookkeeping_produces_no_events(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];

    assert_int_equal(arc_mesh_note_dispatch(fx->mesh, 0, 2), ARC_OK);
    assert_int_equal(arc_mesh_note_complete(fx->mesh, 0, 2), ARC_OK);
    assert_int_equal(all_events(fx, ev, 8), 0);
}

static void energy_source_change_names_both_sources(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev;

    telemetry(fx, 0, ARC_NODE_UP, ARC_SOURCE_GRID, 0.8f);
    ev = only_event(fx);
    assert_int_equal(ev->type, ARC_EVENT_SOURCE_CHANGE);
    assert_non_null(strstr(ev->message, "cogen-solar"));
    assert_non_null(strstr(ev->message, "grid"));
    assert_non_null(strstr(ev->message, "400 g"));
}

static void battery_below_threshold_is_battery_low(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev;

    set_soc(fx, 0, 0.24f);
    ev = only_event(fx);
    assert_int_equal(ev->type, ARC_EVENT_BATTERY_LOW);
    assert_int_equal(ev->severity, ARC_SEV_WARNING);
    assert_non_null(strstr(ev->message, "24%"));
}

static void battery_at_reserve_is_critical(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev;

    set_soc(fx, 0, 0.05f);
    ev = only_event(fx);
    assert_int_equal(ev->type, ARC_EVENT_BATTERY_LOW);
    assert_int_equal(ev->severity, ARC_SEV_CRITICAL);
}

static void battery_hovering_near_threshold_does_not_flap(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];

    set_soc(fx, 0, 0.24f);
    set_soc(fx, 0, 0.27f);
    set_soc(fx, 0, 0.24f);
    set_soc(fx, 0, 0.29f);
    set_soc(fx, 0, 0.20f);
    assert_int_equal(all_events(fx, ev, 8), 1);
    assert_int_equal(ev[0]->type, ARC_EVENT_BATTERY_LOW);
}

static void battery_recovers_only_above_recover_level(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];

    set_soc(fx, 0, 0.24f);
    set_soc(fx, 0, 0.30f);
    assert_int_equal(all_events(fx, ev, 8), 1);
    set_soc(fx, 0, 0.31f);
    assert_int_equal(all_events(fx, ev, 8), 2);
    assert_int_equal(ev[1]->type, ARC_EVENT_BATTERY_RECOVERED);
    assert_int_equal(ev[1]->severity, ARC_SEV_INFO);
    set_soc(fx, 0, 0.24f);
    assert_int_equal(all_events(fx, ev, 8), 3);
    assert_int_equal(ev[2]->type, ARC_EVENT_BATTERY_LOW);
}

static void node_without_battery_is_never_low(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];

    set_soc(fx, 2, 0.0f);
    assert_int_equal(all_events(fx, ev, 8), 0);
}

static void battery_already_low_at_start_recovers_without_low(void **s)
{
    fixture_t *fx = *s;
    arc_event_detector_t *det;
    const arc_event_t *ev[8];

    set_soc(fx, 1, 0.1f);
    arc_mesh_remove_hook(fx->mesh, arc_event_detector_hook, fx->det);
    det = arc_event_detector_new(fx->mesh, fx->log);
    assert_non_null(det);
    assert_int_equal(
        arc_mesh_add_hook(fx->mesh, arc_event_detector_hook, det), ARC_OK);
    set_soc(fx, 1, 0.2f);
    set_soc(fx, 1, 0.5f);
    assert_int_equal(all_events(fx, ev, 8), 2);
    assert_int_equal(ev[1]->type, ARC_EVENT_BATTERY_RECOVERED);
    arc_mesh_remove_hook(fx->mesh, arc_event_detector_hook, det);
    arc_event_detector_free(det);
}

/* ---- events the router's owner reports -------------------------------- */

static arc_request_t make_request(arc_priority_t prio)
{
    arc_request_t r;

    memset(&r, 0, sizeof(r));
    r.id = 42;
    r.model = 0;
    r.priority = (uint8_t)prio;
    return r;
}

static void queue_overflow_names_request_and_queue(void **state)
{
    fixture_t *fx = *state;
    arc_request_t r = make_request(ARC_PRIO_NORMAL);
    const arc_event_t *ev;

    assert_int_equal(
        arc_event_queue_overflow(fx->log, ARC_ZONE_CENTRAL, &r, 20000), 1);
    ev = only_event(fx);
    assert_int_equal(ev->type, ARC_EVENT_QUEUE_OVERFLOW);
    assert_int_equal(ev->severity, ARC_SEV_WARNING);
    assert_int_equal(ev->zone, ARC_ZONE_CENTRAL);
    assert_string_equal(ev->node, "");
    assert_non_null(strstr(ev->message, "20000 waiting"));
    assert_non_null(strstr(ev->message, "llama-3.1-8b"));
}

static void mesh_wide_event_matches_no_zone_filter(void **state)
{
    fixture_t *fx = *state;
    arc_event_filter_t f;
    const arc_event_t *out[4];
    arc_event_type_t type;

    assert_true(arc_event_record(fx->log, ARC_EVENT_STORE_FAILED,
                                 ARC_SEV_CRITICAL, ARC_EVENT_MESH_WIDE, NULL,
                                 "history writes failing") > 0);
    memset(&f, 0, sizeof(f));
    assert_int_equal(arc_event_query(fx->log, &f, out, 4), 1);
    assert_int_equal(out[0]->zone, ARC_ZONE_COUNT);
    f.zone_mask = 1u << ARC_ZONE_WEST | 1u << ARC_ZONE_EAST |
                  1u << ARC_ZONE_CENTRAL;
    assert_int_equal(arc_event_query(fx->log, &f, out, 4), 0);

    assert_int_equal(arc_event_type_parse("store-write-failed", &type),
                     ARC_OK);
    assert_int_equal(type, ARC_EVENT_STORE_FAILED);
    /* Past the mesh-wide value, a zone is refused. */
    assert_int_equal(arc_event_record(fx->log, ARC_EVENT_STORE_FAILED,
                                      ARC_SEV_CRITICAL,
                                      (arc_zone_t)(ARC_ZONE_COUNT + 1), NULL,
                                      "x"),
                     0);
}

static void critical_request_failure_is_critical(void **state)
{
    fixture_t *fx = *state;
    arc_request_t r = make_request(ARC_PRIO_CRITICAL);
    const arc_event_t *ev;

    assert_int_equal(arc_event_request_failed(fx->log, ARC_ZONE_WEST,
                                              "west-a", &r, "node failed"),
                     1);
    ev = only_event(fx);
    assert_int_equal(ev->type, ARC_EVENT_REQUEST_FAILED);
    assert_int_equal(ev->severity, ARC_SEV_CRITICAL);
    assert_string_equal(ev->node, "west-a");
    assert_non_null(strstr(ev->message, "on west-a: node failed"));
}

static void unplaced_request_failure_has_no_node(void **state)
{
    fixture_t *fx = *state;
    arc_request_t r = make_request(ARC_PRIO_BACKGROUND);
    const arc_event_t *ev;

    arc_event_request_failed(fx->log, ARC_ZONE_EAST, NULL, &r,
                             "no capacity");
    ev = only_event(fx);
    assert_int_equal(ev->severity, ARC_SEV_WARNING);
    assert_string_equal(ev->node, "");
    assert_non_null(strstr(ev->message, "failed: no capacity"));
}

static void record_rejects_bad_enums(void **state)
{
    fixture_t *fx = *state;

    assert_int_equal(arc_event_record(fx->log, ARC_EVENT_TYPE_COUNT,
                                      ARC_SEV_INFO, ARC_ZONE_WEST, NULL,
                                      "x"),
                     0);
    assert_int_equal(arc_event_record(fx->log, ARC_EVENT_NODE_UP,
                                      ARC_SEV_COUNT, ARC_ZONE_WEST, NULL,
                                      "x"),
                     0);
    /* ARC_ZONE_COUNT itself is ARC_EVENT_MESH_WIDE. */
    assert_int_equal(arc_event_record(fx->log, ARC_EVENT_NODE_UP,
                                      ARC_SEV_INFO,
                                      (arc_zone_t)(ARC_ZONE_COUNT + 1), NULL,
                                      "x"),
                     0);
}

static void names_round_trip_and_unknown_is_rejected(void **state)
{
    arc_event_type_t t;
    arc_severity_t s;

    (void)state;
    for (int i = 0; i < ARC_EVENT_TYPE_COUNT; i++) {
        assert_int_equal(arc_event_type_parse(
                             arc_event_type_name((arc_event_type_t)i), &t),
                         ARC_OK);
        assert_int_equal(t, i);
    }
    for (int i = 0; i < ARC_SEV_COUNT; i++) {
        assert_int_equal(
            arc_severity_parse(arc_severity_name((arc_severity_t)i), &s),
            ARC_OK);
        assert_int_equal(s, i);
    }
    assert_string_equal(arc_event_type_name(ARC_EVENT_SOURCE_CHANGE),
                        "energy-source-change");
    assert_int_equal(arc_event_type_parse("node-sideways", &t),
                     ARC_ERR_NOT_FOUND);
    assert_int_equal(arc_severity_parse(NULL, &s), ARC_ERR_INVALID);
}

/* ---- queries ---------------------------------------------------------- */

/* Records one event per call, each a second apart (no coalescing). */
static uint64_t add(fixture_t *fx, arc_event_type_t type,
                    arc_severity_t sev, arc_zone_t zone, const char *node,
                    const char *msg)
{
    fx->now += 2 * ARC_US_PER_S;
    return arc_event_record(fx->log, type, sev, zone, node, "%s", msg);
}

static void add_mixed(fixture_t *fx)
{
    add(fx, ARC_EVENT_NODE_DOWN, ARC_SEV_CRITICAL, ARC_ZONE_WEST, "west-a",
        "west-a is down");
    add(fx, ARC_EVENT_NODE_UP, ARC_SEV_INFO, ARC_ZONE_WEST, "west-a",
        "west-a is up");
    add(fx, ARC_EVENT_BATTERY_LOW, ARC_SEV_WARNING, ARC_ZONE_EAST, "east-b",
        "east-b battery low at 20%");
    add(fx, ARC_EVENT_QUEUE_OVERFLOW, ARC_SEV_WARNING, ARC_ZONE_CENTRAL,
        NULL, "router queue in central is full");
}

static void filter_by_type_zone_and_severity(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];
    arc_event_filter_t f;

    add_mixed(fx);
    arc_event_filter_init(&f);
    f.type_mask = 1u << ARC_EVENT_NODE_UP;
    assert_int_equal(arc_event_query(fx->log, &f, ev, 8), 1);
    assert_int_equal(ev[0]->seq, 2);

    arc_event_filter_init(&f);
    f.zone_mask = 1u << ARC_ZONE_WEST;
    assert_int_equal(arc_event_query(fx->log, &f, ev, 8), 2);

    arc_event_filter_init(&f);
    f.severity_mask = 1u << ARC_SEV_WARNING;
    assert_int_equal(arc_event_query(fx->log, &f, ev, 8), 2);
    assert_int_equal(ev[0]->seq, 3);
    assert_int_equal(ev[1]->seq, 4);
}

static void severity_at_least_includes_more_severe(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];
    arc_event_filter_t f;

    add_mixed(fx);
    arc_event_filter_init(&f);
    f.severity_mask = arc_severity_mask_at_least(ARC_SEV_WARNING);
    assert_int_equal(arc_event_query(fx->log, &f, ev, 8), 3);
    assert_int_equal(ev[0]->seq, 1);
}

static void q_matches_message_or_node_ignoring_case(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];
    arc_event_filter_t f;

    add_mixed(fx);
    add(fx, ARC_EVENT_NODE_UP, ARC_SEV_INFO, ARC_ZONE_EAST, "east-zz",
        "a message without the id");
    arc_event_filter_init(&f);
    f.q = "BATTERY";
    assert_int_equal(arc_event_query(fx->log, &f, ev, 8), 1);
    assert_int_equal(ev[0]->seq, 3);

    f.q = "EAST-ZZ";
    assert_int_equal(arc_event_query(fx->log, &f, ev, 8), 1);
    assert_int_equal(ev[0]->seq, 5);

    f.q = "nothing like this";
    assert_int_equal(arc_event_query(fx->log, &f, ev, 8), 0);
}

static void since_returns_only_later_events(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];
    arc_event_filter_t f;

    add_mixed(fx);
    arc_event_filter_init(&f);
    f.since = 2;
    assert_int_equal(arc_event_query(fx->log, &f, ev, 8), 2);
    assert_int_equal(ev[0]->seq, 3);
    assert_int_equal(ev[1]->seq, 4);

    f.since = 4;
    assert_int_equal(arc_event_query(fx->log, &f, ev, 8), 0);
    f.since = 1000;
    assert_int_equal(arc_event_query(fx->log, &f, ev, 8), 0);
}

static void limit_takes_newest_newest_last(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];
    arc_event_filter_t f;

    add_mixed(fx);
    arc_event_filter_init(&f);
    f.limit = 2;
    assert_int_equal(arc_event_query(fx->log, &f, ev, 8), 2);
    assert_int_equal(ev[0]->seq, 3);
    assert_int_equal(ev[1]->seq, 4);
}

static void limit_oldest_first_pages_after_since(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[8];
    arc_event_filter_t f;

    add_mixed(fx);
    arc_event_filter_init(&f);
    f.limit = 2;
    f.oldest_first = true;
    f.since = 1;
    assert_int_equal(arc_event_query(fx->log, &f, ev, 8), 2);
    assert_int_equal(ev[0]->seq, 2);
    assert_int_equal(ev[1]->seq, 3);
}

static void output_capacity_bounds_the_answer(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[2];
    arc_event_filter_t f;

    add_mixed(fx);
    arc_event_filter_init(&f);
    assert_int_equal(arc_event_query(fx->log, &f, ev, 2), 2);
    assert_int_equal(ev[1]->seq, 4);
}

typedef struct seen {
    uint64_t seq[16];
    size_t n;
} seen_t;

static void note_seq(void *ctx, const arc_event_t *ev)
{
    seen_t *s = ctx;

    if (s->n < 16)
        s->seq[s->n] = ev->seq;
    s->n++;
}

static void each_hands_out_oldest_first(void **state)
{
    fixture_t *fx = *state;
    arc_event_filter_t f;
    seen_t s = {{0}, 0};

    add_mixed(fx);
    arc_event_filter_init(&f);
    f.limit = 3;
    assert_int_equal(arc_event_each(fx->log, &f, note_seq, &s), 3);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.seq[0], 2);
    assert_int_equal(s.seq[2], 4);
}

static void ring_wrap_keeps_newest_and_counts_overwrites(void **state)
{
    fixture_t *fx = *state;
    arc_event_log_t *small = new_log(fx, 4);
    const arc_event_t *ev[8];
    arc_event_filter_t f;
    arc_event_stats_t st;
    char node[16];

    assert_non_null(small);
    for (int i = 0; i < 10; i++) {
        snprintf(node, sizeof(node), "n%d", i);
        arc_event_record(small, ARC_EVENT_NODE_UP, ARC_SEV_INFO,
                         ARC_ZONE_WEST, node, "event %d", i);
    }
    arc_event_log_stats(small, &st);
    assert_int_equal(st.held, 4);
    assert_int_equal(st.first_seq, 7);
    assert_int_equal(st.last_seq, 10);
    assert_int_equal(st.overwritten, 6);

    arc_event_filter_init(&f);
    assert_int_equal(arc_event_query(small, &f, ev, 8), 4);
    assert_int_equal(ev[0]->seq, 7);
    assert_string_equal(ev[0]->message, "event 6");
    assert_int_equal(ev[3]->seq, 10);

    f.since = 3;
    assert_int_equal(arc_event_query(small, &f, ev, 8), 4);
    assert_int_equal(ev[0]->seq, 7);
    f.since = 8;
    assert_int_equal(arc_event_query(small, &f, ev, 8), 2);
    assert_int_equal(ev[0]->seq, 9);
    arc_event_log_free(small);
}

/* ---- flapping guard --------------------------------------------------- */

static void flapping_node_is_coalesced_within_a_second(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[16];
    arc_event_stats_t st;

    for (int i = 0; i < 5; i++) {
        fx->now += 100 * ARC_US_PER_MS;
        telemetry(fx, 0, ARC_NODE_DOWN, ARC_SOURCE_SOLAR, 0.8f);
        fx->now += 100 * ARC_US_PER_MS;
        telemetry(fx, 0, ARC_NODE_UP, ARC_SOURCE_SOLAR, 0.8f);
    }
    assert_int_equal(all_events(fx, ev, 16), 2);
    assert_int_equal(ev[0]->type, ARC_EVENT_NODE_DOWN);
    assert_int_equal(ev[1]->type, ARC_EVENT_NODE_UP);
    arc_event_log_stats(fx->log, &st);
    assert_int_equal(st.coalesced, 8);
}

static void event_after_window_carries_coalesced_count(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[16];

    for (int i = 0; i < 3; i++) {
        fx->now += 200 * ARC_US_PER_MS;
        arc_event_record(fx->log, ARC_EVENT_NODE_DOWN, ARC_SEV_CRITICAL,
                         ARC_ZONE_WEST, "west-a", "down %d", i);
    }
    fx->now += ARC_US_PER_S;
    arc_event_record(fx->log, ARC_EVENT_NODE_DOWN, ARC_SEV_CRITICAL,
                     ARC_ZONE_WEST, "west-a", "down again");
    assert_int_equal(all_events(fx, ev, 16), 2);
    assert_int_equal(ev[0]->coalesced, 0);
    assert_int_equal(ev[1]->coalesced, 2);
    assert_string_equal(ev[1]->message, "down again");
}

static void guard_keys_on_node_and_type(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[16];

    arc_event_record(fx->log, ARC_EVENT_NODE_DOWN, ARC_SEV_CRITICAL,
                     ARC_ZONE_WEST, "west-a", "a down");
    arc_event_record(fx->log, ARC_EVENT_NODE_DOWN, ARC_SEV_CRITICAL,
                     ARC_ZONE_EAST, "east-b", "b down");
    arc_event_record(fx->log, ARC_EVENT_SOURCE_CHANGE, ARC_SEV_INFO,
                     ARC_ZONE_WEST, "west-a", "a source");
    arc_event_record(fx->log, ARC_EVENT_NODE_DOWN, ARC_SEV_CRITICAL,
                     ARC_ZONE_WEST, "west-a", "a down twice");
    assert_int_equal(all_events(fx, ev, 16), 3);
}

static void source_changes_use_the_longer_window(void **state)
{
    fixture_t *fx = *state;
    const arc_event_t *ev[16];

    for (int i = 0; i < 10; i++) {
        fx->now += 5 * ARC_US_PER_S;
        telemetry(fx, 0, ARC_NODE_UP,
                  i % 2 ? ARC_SOURCE_SOLAR : ARC_SOURCE_BATTERY, 0.8f);
    }
    assert_int_equal(all_events(fx, ev, 16), 1);
    fx->now += 300 * ARC_US_PER_S;
    telemetry(fx, 0, ARC_NODE_UP, ARC_SOURCE_GRID, 0.8f);
    assert_int_equal(all_events(fx, ev, 16), 2);
    assert_int_equal(ev[1]->type, ARC_EVENT_SOURCE_CHANGE);
    assert_int_equal(ev[1]->coalesced, 9);
}

static void guard_off_records_everything(void **state)
{
    fixture_t *fx = *state;
    arc_event_config_t cfg;
    arc_event_log_t *log;
    arc_event_stats_t st;

    arc_event_config_default(&cfg);
    cfg.coalesce_us = 0;
    cfg.source_coalesce_us = 0;
    cfg.clock = fake_clock;
    cfg.clock_ctx = &fx->now;
    log = arc_event_log_new(&cfg);
    assert_non_null(log);
    for (int i = 0; i < 5; i++)
        arc_event_record(log, ARC_EVENT_NODE_DOWN, ARC_SEV_CRITICAL,
                         ARC_ZONE_WEST, "west-a", "down");
    arc_event_log_stats(log, &st);
    assert_int_equal(st.recorded, 5);
    arc_event_log_free(log);
}

/* ---- subscribers and config ------------------------------------------- */

static void subscriber_sees_each_recorded_event_once(void **state)
{
    fixture_t *fx = *state;
    seen_t s = {{0}, 0};

    assert_int_equal(arc_event_subscribe(fx->log, note_seq, &s), ARC_OK);
    add_mixed(fx);
    arc_event_record(fx->log, ARC_EVENT_QUEUE_OVERFLOW, ARC_SEV_WARNING,
                     ARC_ZONE_CENTRAL, NULL, "coalesced");
    assert_int_equal(s.n, 4);
    assert_int_equal(s.seq[3], 4);

    arc_event_unsubscribe(fx->log, note_seq, &s);
    add_mixed(fx);
    assert_int_equal(s.n, 4);
}

static void subscribers_are_bounded(void **state)
{
    fixture_t *fx = *state;
    seen_t s[ARC_EVENT_MAX_SUBS + 1];

    for (int i = 0; i < ARC_EVENT_MAX_SUBS; i++)
        assert_int_equal(arc_event_subscribe(fx->log, note_seq, &s[i]),
                         ARC_OK);
    assert_int_equal(
        arc_event_subscribe(fx->log, note_seq, &s[ARC_EVENT_MAX_SUBS]),
        ARC_ERR_FULL);
}

static void invalid_config_is_refused(void **state)
{
    arc_event_config_t cfg;

    (void)state;
    arc_event_config_default(&cfg);
    cfg.capacity = 0;
    assert_null(arc_event_log_new(&cfg));

    arc_event_config_default(&cfg);
    cfg.guard_slots = 1000;
    assert_null(arc_event_log_new(&cfg));

    arc_event_config_default(&cfg);
    cfg.battery_recover = 0.2f;
    assert_null(arc_event_log_new(&cfg));
    assert_null(arc_event_log_new(NULL));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(existing_nodes_produce_no_events),
        T(node_going_down_is_critical_node_down),
        T(node_coming_back_is_node_up),
        T(operator_drain_is_info_and_undrain_is_node_up),
        T(node_reported_draining_is_warning),
        T(node_added_after_hook_is_node_up),
        T(gpu_bookkeeping_produces_no_events),
        T(energy_source_change_names_both_sources),
        T(battery_below_threshold_is_battery_low),
        T(battery_at_reserve_is_critical),
        T(battery_hovering_near_threshold_does_not_flap),
        T(battery_recovers_only_above_recover_level),
        T(node_without_battery_is_never_low),
        T(battery_already_low_at_start_recovers_without_low),
        T(queue_overflow_names_request_and_queue),
        T(mesh_wide_event_matches_no_zone_filter),
        T(critical_request_failure_is_critical),
        T(unplaced_request_failure_has_no_node),
        T(record_rejects_bad_enums),
        T(names_round_trip_and_unknown_is_rejected),
        T(filter_by_type_zone_and_severity),
        T(severity_at_least_includes_more_severe),
        T(q_matches_message_or_node_ignoring_case),
        T(since_returns_only_later_events),
        T(limit_takes_newest_newest_last),
        T(limit_oldest_first_pages_after_since),
        T(output_capacity_bounds_the_answer),
        T(each_hands_out_oldest_first),
        T(ring_wrap_keeps_newest_and_counts_overwrites),
        T(flapping_node_is_coalesced_within_a_second),
        T(event_after_window_carries_coalesced_count),
        T(guard_keys_on_node_and_type),
        T(source_changes_use_the_longer_window),
        T(guard_off_records_everything),
        T(subscriber_sees_each_recorded_event_once),
        T(subscribers_are_bounded),
        T(invalid_config_is_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
