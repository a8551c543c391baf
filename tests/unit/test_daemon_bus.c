/*
 * test_daemon_bus.c - the bus of arcnetd --role all: telemetry reaches
 * the mesh only when the bus delivers it, a repeated or older report is
 * not applied twice, a full ring is drained rather than lost, the
 * engine's reports arrive through the ingest, and events, placed
 * requests and served outcomes are published where the roles publish
 * them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>

#include "daemon/daemon_bus.h"
#include "fixture.h"

typedef struct world {
    arc_config_t cfg;
    arc_mesh_t *mesh;
    arc_event_log_t *events;
    arc_daemon_bus_t *db;
    arc_engine_telemetry_sink_t sink;
} world_t;

static void quiet_events(arc_event_config_t *ec)
{
    arc_event_config_default(ec);
    ec->capacity = 64;
}

static int setup(void **state)
{
    world_t *w = calloc(1, sizeof(*w));
    arc_event_config_t ec;
    arc_node_t n = fix_node("w-test-01", 37.0, -120.0);

    assert_non_null(w);
    arc_config_default(&w->cfg);
    w->mesh = arc_mesh_new();
    assert_non_null(w->mesh);
    assert_int_equal(arc_mesh_add(w->mesh, &n, NULL), ARC_OK);
    n = fix_node("e-test-01", 40.7, -74.0);
    assert_int_equal(arc_mesh_add(w->mesh, &n, NULL), ARC_OK);
    quiet_events(&ec);
    w->events = arc_event_log_new(&ec);
    assert_non_null(w->events);
    assert_int_equal(arc_daemon_bus_open(&w->cfg, w->mesh, w->events, &w->db),
                     ARC_OK);
    arc_daemon_bus_sink(w->db, &w->sink);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world_t *w = *state;

    arc_daemon_bus_close(w->db);
    arc_event_log_free(w->events);
    arc_mesh_free(w->mesh);
    free(w);
    return 0;
}

/* Publishes telemetry straight onto the telemetry topic, as a second
 * producer or a redelivery would. */
static void publish_raw(world_t *w, const arc_telemetry_t *t)
{
    arc_role_bus_t *rb = arc_daemon_bus_role_bus(w->db);
    const char *id = arc_mesh_node(w->mesh, t->node)->id;
    const uint8_t *data;
    size_t len;

    assert_int_equal(arc_codec_encode_telemetry(rb->codec, id, t, &data,
                                                &len),
                     ARC_OK);
    assert_int_equal(arc_bus_publish(rb->bus, rb->topic[ARC_RT_TELEMETRY],
                                     id, strlen(id), data, len),
                     ARC_OK);
}

static void telemetry_waits_for_the_bus(void **state)
{
    world_t *w = *state;
    arc_telemetry_t t = fix_telemetry(w->mesh, 0);
    arc_ingest_stats_t s;

    t.seq = 5;
    t.battery_soc = 0.42f;
    w->sink.send(w->sink.ctx, &t);
    assert_int_equal(arc_mesh_node(w->mesh, 0)->seq, 0); /* not yet */

    w->sink.deliver(w->sink.ctx);
    assert_int_equal(arc_mesh_node(w->mesh, 0)->seq, 5);
    assert_true(arc_mesh_node(w->mesh, 0)->battery_soc == 0.42f);
    arc_daemon_bus_ingest_stats(w->db, &s);
    assert_int_equal(s.applied, 1);
    assert_int_equal(s.duplicates, 0);
}

static void repeated_and_older_reports_are_not_applied(void **state)
{
    world_t *w = *state;
    arc_telemetry_t t = fix_telemetry(w->mesh, 0);
    arc_ingest_stats_t s;

    t.seq = 5;
    t.battery_soc = 0.42f;
    w->sink.send(w->sink.ctx, &t);
    w->sink.deliver(w->sink.ctx);

    t.battery_soc = 0.10f; /* the same number again, other values */
    publish_raw(w, &t);
    t.seq = 3;             /* an older report, late */
    publish_raw(w, &t);
    arc_daemon_bus_poll(w->db);
    assert_int_equal(arc_mesh_node(w->mesh, 0)->seq, 5);
    assert_true(arc_mesh_node(w->mesh, 0)->battery_soc == 0.42f);
    arc_daemon_bus_ingest_stats(w->db, &s);
    assert_int_equal(s.applied, 1);
    assert_int_equal(s.duplicates, 2);

    t.seq = 6;             /* the next one is applied */
    publish_raw(w, &t);
    arc_daemon_bus_poll(w->db);
    assert_int_equal(arc_mesh_node(w->mesh, 0)->seq, 6);
    assert_true(arc_mesh_node(w->mesh, 0)->battery_soc == 0.10f);
}

static void bad_messages_are_counted_and_skipped(void **state)
{
    world_t *w = *state;
    arc_role_bus_t *rb = arc_daemon_bus_role_bus(w->db);
    arc_telemetry_t t = fix_telemetry(w->mesh, 1);
    arc_ingest_stats_t s;

    assert_int_equal(arc_bus_publish(rb->bus, rb->topic[ARC_RT_TELEMETRY],
                                     "x", 1, "\xc1", 1),
                     ARC_OK);
    w->sink.send(w->sink.ctx, &t);
    w->sink.deliver(w->sink.ctx);
    arc_daemon_bus_ingest_stats(w->db, &s);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(s.applied, 1);
    assert_int_equal(arc_mesh_node(w->mesh, 1)->seq, 1);
}

/* More reports than the ring holds, with no delivery asked for: the
 * ring is drained into the mesh as it fills, and nothing is lost. */
static void a_full_ring_is_drained_not_lost(void **state)
{
    world_t *w = *state;
    arc_telemetry_t t = fix_telemetry(w->mesh, 0);
    const uint64_t count = ARC_DAEMON_BUS_RING + 100;
    arc_ingest_stats_t s;

    for (uint64_t i = 1; i <= count; i++) {
        t.seq = i;
        w->sink.send(w->sink.ctx, &t);
    }
    arc_daemon_bus_ingest_stats(w->db, &s);
    assert_int_equal(s.applied, ARC_DAEMON_BUS_RING);
    assert_int_equal(arc_daemon_bus_lost(w->db), 0);

    w->sink.deliver(w->sink.ctx);
    arc_daemon_bus_ingest_stats(w->db, &s);
    assert_int_equal(s.applied, count);
    assert_int_equal(arc_mesh_node(w->mesh, 0)->seq, count);
}

/* What a reader of the other topics receives. */
typedef struct heard {
    arc_codec_t *codec;
    uint32_t events, requests, outcomes;
    arc_event_t event;
    arc_msg_request_t request;
    arc_msg_outcome_t outcome;
    char key[32];
} heard_t;

static arc_status_t listen(void *ctx, const arc_bus_msg_t *msg)
{
    heard_t *h = ctx;
    arc_msg_head_t head;

    snprintf(h->key, sizeof(h->key), "%.*s", (int)msg->key_len,
             (const char *)msg->key);
    assert_int_equal(arc_codec_peek(h->codec, msg->value, msg->value_len,
                                    &head, NULL),
                     ARC_OK);
    if (head.type == ARC_MSG_EVENT) {
        assert_int_equal(arc_codec_decode_event(h->codec, msg->value,
                                                msg->value_len, &h->event,
                                                NULL),
                         ARC_OK);
        h->events++;
    } else if (head.type == ARC_MSG_INFERENCE_REQUEST) {
        assert_int_equal(arc_codec_decode_request(h->codec, msg->value,
                                                  msg->value_len,
                                                  &h->request, NULL),
                         ARC_OK);
        h->requests++;
    } else {
        assert_int_equal(arc_codec_decode_outcome(h->codec, msg->value,
                                                  msg->value_len,
                                                  &h->outcome, NULL),
                         ARC_OK);
        h->outcomes++;
    }
    return ARC_OK;
}

static void events_requests_and_outcomes_go_out(void **state)
{
    world_t *w = *state;
    arc_role_bus_t *rb = arc_daemon_bus_role_bus(w->db);
    const char *topics[2] = {rb->topic[ARC_RT_EVENTS],
                             rb->topic[ARC_RT_INFERENCE]};
    heard_t h = {.codec = arc_codec_new()};
    arc_request_t req = fix_request(77, 40.7, -74.0, ARC_PRIO_NORMAL);
    arc_decision_t dec = {0};
    arc_outcome_t o = {0};
    arc_bus_sub_t *sub;

    assert_non_null(h.codec);
    assert_int_equal(arc_bus_subscribe(rb->bus, topics, 2, "reader", listen,
                                       &h, &sub),
                     ARC_OK);

    arc_event_record(w->events, ARC_EVENT_NODE_DOWN, ARC_SEV_WARNING,
                     ARC_ZONE_EAST, "e-test-01", "down for the test");
    arc_event_record(w->events, ARC_EVENT_STORE_FAILED, ARC_SEV_CRITICAL,
                     ARC_EVENT_MESH_WIDE, NULL, "mesh-wide: stays here");
    arc_daemon_bus_poll(w->db);
    assert_int_equal(h.events, 1);
    assert_int_equal(h.event.type, ARC_EVENT_NODE_DOWN);
    assert_string_equal(h.event.node, "e-test-01");
    assert_string_equal(h.key, "east");

    dec.status = ARC_ERR_DEFERRED; /* not placed: nothing goes out */
    arc_daemon_bus_decision(w->db, &req, &dec);
    dec.status = ARC_OK;
    dec.chosen.node = 1;
    arc_daemon_bus_decision(w->db, &req, &dec);
    arc_daemon_bus_poll(w->db);
    assert_int_equal(h.requests, 1);
    assert_int_equal(h.request.req.id, 77);
    assert_string_equal(h.key, "e-test-01");

    o.status = ARC_ERR_UNAVAILABLE; /* not served: no agent answers */
    arc_daemon_bus_outcome(w->db, &req, &o);
    o.status = ARC_OK;
    o.node_id = "e-test-01";
    o.zone = ARC_ZONE_EAST;
    o.service_ms = 1200.0;
    arc_daemon_bus_outcome(w->db, &req, &o);
    arc_daemon_bus_poll(w->db);
    assert_int_equal(h.outcomes, 1);
    assert_int_equal(h.outcome.request_id, 77);
    assert_string_equal(h.outcome.node, "e-test-01");
    assert_string_equal(h.key, "e-test-01");

    arc_bus_unsubscribe(rb->bus, sub);
    arc_codec_free(h.codec);
}

/* An engine over the daemon's mesh with the bus as its sink: one tick
 * of reports arrives through the ingest, one per node. */
static void engine_reports_arrive_through_the_ingest(void **state)
{
    world_t *w = *state;
    arc_engine_config_t ec;
    arc_engine_parts_t parts = {w->mesh, NULL, NULL};
    arc_engine_t *e = NULL;
    arc_ingest_stats_t s;

    arc_engine_config_default(&ec);
    ec.nodes = 20;
    ec.workload = false;
    ec.mtbf_hours = 0.0;
    assert_int_equal(arc_engine_new(&ec, &parts, &e), ARC_OK);
    arc_engine_set_telemetry_sink(e, &w->sink);
    assert_int_equal(arc_engine_advance(e, ec.start_us + ec.tick_us / 2),
                     ARC_OK);
    arc_daemon_bus_ingest_stats(w->db, &s);
    assert_int_equal(s.applied, 20);
    assert_int_equal(arc_mesh_node(w->mesh, 2)->seq, 1); /* first sim node */
    assert_int_equal(arc_mesh_node(w->mesh, 0)->seq, 0); /* not simulated */
    arc_engine_free(e);
}

static void role_all_refuses_a_kafka_bus(void **state)
{
    arc_config_t cfg;
    arc_mesh_t *mesh = arc_mesh_new();
    arc_event_config_t ec;
    arc_event_log_t *events;
    arc_daemon_bus_t *db = NULL;

    (void)state;
    quiet_events(&ec);
    events = arc_event_log_new(&ec);
    arc_config_default(&cfg);
    snprintf(cfg.bus, sizeof(cfg.bus), "kafka://127.0.0.1:1");
    assert_int_equal(arc_daemon_bus_open(&cfg, mesh, events, &db),
                     ARC_ERR_INVALID);
    assert_null(db);
    arc_event_log_free(events);
    arc_mesh_free(mesh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(telemetry_waits_for_the_bus, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            repeated_and_older_reports_are_not_applied, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_messages_are_counted_and_skipped,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_full_ring_is_drained_not_lost,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(events_requests_and_outcomes_go_out,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            engine_reports_arrive_through_the_ingest, setup, teardown),
        cmocka_unit_test(role_all_refuses_a_kafka_bus),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
