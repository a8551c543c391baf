/*
 * test_role_events.c - what the distributed roles say about their own
 * bus, against librdkafka's mock cluster: opening a role's bus finds or
 * creates every topic; the backlog watcher says bus-backlog after a
 * stall, bus-buffer-full when a publish was refused and
 * bus-backlog-drained once the brokers took everything, each once per
 * outage; events the producer refused wait in the outbox and go out in
 * order; a full outbox counts what it drops.
 *
 * Time: the watcher is handed the clock, so a stall is simulated by
 * passing a later time, never by sleeping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "bus/ingest.h"
#include "daemon/log.h"
#include "daemon/role_events.h"

#define WAIT_US (15 * ARC_US_PER_S)
#define MAX_SAID 16

typedef struct world {
    rd_kafka_t *mock_rk;
    rd_kafka_mock_cluster_t *mock;
    arc_config_t cfg;
    arc_role_bus_t rb;
    arc_role_outbox_t box;
    arc_role_backlog_t watch;
    arc_event_type_t said[MAX_SAID];
    char said_msg[MAX_SAID][ARC_EVENT_MSG_MAX];
    int nsaid;
} world_t;

static void note_said(void *ctx, arc_event_type_t type, arc_severity_t sev,
                      const char *message)
{
    world_t *w = ctx;

    (void)sev;
    assert_true(w->nsaid < MAX_SAID);
    w->said[w->nsaid] = type;
    snprintf(w->said_msg[w->nsaid], ARC_EVENT_MSG_MAX, "%s", message);
    w->nsaid++;
}

static int count_said(const world_t *w, arc_event_type_t type)
{
    int n = 0;

    for (int i = 0; i < w->nsaid; i++) {
        n += w->said[i] == type;
    }
    return n;
}

/* A mock cluster and a role bus with a bound of `bound` messages. */
static void open_world(world_t *w, uint32_t bound)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[256];

    arc_daemon_log_set_level(ARC_LOG_ERROR);
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
    w->mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr,
                              sizeof(errstr));
    assert_non_null(w->mock_rk);
    w->mock = rd_kafka_mock_cluster_new(w->mock_rk, 3);
    assert_non_null(w->mock);
    arc_config_default(&w->cfg);
    snprintf(w->cfg.bus, sizeof(w->cfg.bus), "kafka://%s",
             rd_kafka_mock_cluster_bootstraps(w->mock));
    snprintf(w->cfg.topic_prefix, sizeof(w->cfg.topic_prefix), "t%lld.",
             (long long)arc_now_us());
    w->cfg.max_buffered = bound;
    w->cfg.session_timeout_ms = 6000;
    assert_int_equal(arc_role_bus_open(&w->rb, &w->cfg, "test"), ARC_OK);
    arc_role_backlog_init(&w->watch, "role=test", "the test", note_said, w);
}

static int setup(void **state)
{
    world_t *w = calloc(1, sizeof(*w));

    assert_non_null(w);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world_t *w = *state;

    arc_role_bus_close(&w->rb);
    if (w->mock != NULL) {
        rd_kafka_mock_cluster_destroy(w->mock);
        rd_kafka_destroy(w->mock_rk);
    }
    free(w);
    return 0;
}

static void set_brokers(world_t *w, bool up)
{
    for (int32_t id = 1; id <= 3; id++) {
        if (up) {
            rd_kafka_mock_broker_set_up(w->mock, id);
        } else {
            rd_kafka_mock_broker_set_down(w->mock, id);
        }
    }
}

static arc_event_t event_of(uint64_t seq)
{
    arc_event_t ev;

    memset(&ev, 0, sizeof(ev));
    ev.seq = seq;
    ev.time_us = arc_now_us();
    ev.type = ARC_EVENT_NODE_DOWN;
    ev.severity = ARC_SEV_WARNING;
    ev.zone = ARC_ZONE_WEST;
    snprintf(ev.node, sizeof(ev.node), "w-test-%02u", (unsigned)seq);
    snprintf(ev.message, sizeof(ev.message), "event %u", (unsigned)seq);
    return ev;
}

static arc_status_t publish_bytes(world_t *w)
{
    static const uint8_t bytes[] = {0xc0};

    return arc_role_publish(&w->rb, ARC_RT_SUMMARY, "west", bytes,
                            sizeof(bytes));
}

static void opening_finds_or_creates_every_topic(void **state)
{
    world_t *w = *state;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_t *rk;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[256];
    int found = 0;

    open_world(w, 100);
    rd_kafka_conf_set(conf, "bootstrap.servers", w->cfg.bus + 8, errstr,
                      sizeof(errstr));
    rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", errstr,
                      sizeof(errstr));
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, 5000),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    for (int i = 0; i < md->topic_cnt; i++) {
        for (int t = 0; t < ARC_RT_COUNT; t++) {
            found += strcmp(md->topics[i].topic, w->rb.topic[t]) == 0 &&
                     md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                     md->topics[i].partition_cnt > 0;
        }
    }
    rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(rk);
    assert_int_equal(found, ARC_RT_COUNT);
}

static void the_watcher_says_each_event_once_per_outage(void **state)
{
    world_t *w = *state;
    int64_t t0;

    open_world(w, 3);
    t0 = arc_now_us();
    arc_role_backlog_watch(&w->watch, &w->rb, t0);
    assert_int_equal(w->nsaid, 0); /* nothing held: nothing to say */

    set_brokers(w, false);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(publish_bytes(w), ARC_OK);
    }
    arc_role_backlog_watch(&w->watch, &w->rb, t0 + ARC_US_PER_S);
    assert_int_equal(w->nsaid, 0); /* held, but not for long yet */

    assert_int_equal(publish_bytes(w), ARC_ERR_FULL);
    assert_int_equal(publish_bytes(w), ARC_ERR_FULL);
    arc_role_backlog_watch(&w->watch, &w->rb, t0 + 3 * ARC_US_PER_S);
    arc_role_backlog_watch(&w->watch, &w->rb, t0 + 9 * ARC_US_PER_S);
    assert_int_equal(count_said(w, ARC_EVENT_BUS_BUFFER_FULL), 1);
    assert_int_equal(count_said(w, ARC_EVENT_BUS_BACKLOG), 1);
    assert_int_equal(count_said(w, ARC_EVENT_BUS_DRAINED), 0);
    assert_non_null(strstr(w->said_msg[0], "the test"));

    set_brokers(w, true);
    assert_int_equal(arc_bus_flush(w->rb.bus, 15000), ARC_OK);
    arc_role_backlog_watch(&w->watch, &w->rb, arc_now_us());
    arc_role_backlog_watch(&w->watch, &w->rb, arc_now_us());
    assert_int_equal(count_said(w, ARC_EVENT_BUS_DRAINED), 1);
    assert_int_equal(w->said[w->nsaid - 1], ARC_EVENT_BUS_DRAINED);
    assert_non_null(strstr(w->said_msg[w->nsaid - 1], "2 publishes refused"));

    /* A second outage is said again. */
    set_brokers(w, false);
    assert_int_equal(publish_bytes(w), ARC_OK);
    arc_role_backlog_watch(&w->watch, &w->rb, arc_now_us());
    arc_role_backlog_watch(&w->watch, &w->rb,
                           arc_now_us() + 3 * ARC_US_PER_S);
    assert_int_equal(count_said(w, ARC_EVENT_BUS_BACKLOG), 2);
    set_brokers(w, true);
    assert_int_equal(arc_bus_flush(w->rb.bus, 15000), ARC_OK);
}

/* Collects the sequence numbers of events read back from the topic. */
typedef struct seen {
    uint64_t seqs[64];
    uint32_t count;
} seen_t;

static arc_status_t on_seen(void *ctx, const arc_event_t *ev)
{
    seen_t *s = ctx;

    if (s->count < ARC_ARRAY_LEN(s->seqs)) {
        s->seqs[s->count++] = ev->seq;
    }
    return ARC_OK;
}

static void refused_events_wait_and_go_out_in_order(void **state)
{
    world_t *w = *state;
    seen_t seen = {{0}, 0};
    arc_ingest_hooks_t hooks = {.event = on_seen, .ctx = &seen};
    arc_ingest_t *in = NULL;
    const char *topic;
    arc_bus_sub_t *sub = NULL;
    int64_t deadline;

    open_world(w, 2);
    set_brokers(w, false);
    for (uint64_t seq = 1; seq <= 5; seq++) {
        arc_event_t ev = event_of(seq);

        assert_int_equal(arc_role_send_event(&w->rb, &w->box, &ev), ARC_OK);
    }
    assert_int_equal(w->box.count, 3); /* 1 and 2 held; 3, 4, 5 wait */
    arc_role_outbox_retry(&w->rb, &w->box);
    assert_int_equal(w->box.count, 3); /* still full */

    set_brokers(w, true);
    assert_int_equal(arc_bus_flush(w->rb.bus, 15000), ARC_OK);
    deadline = arc_now_us() + WAIT_US;
    while (w->box.count > 0 && arc_now_us() < deadline) {
        arc_role_outbox_retry(&w->rb, &w->box);
        arc_bus_poll(w->rb.bus, 50, 0, NULL);
    }
    assert_int_equal(w->box.count, 0);

    in = arc_ingest_new(NULL, &hooks, NULL, NULL);
    topic = w->rb.topic[ARC_RT_EVENTS];
    assert_int_equal(arc_bus_subscribe(w->rb.bus, &topic, 1, "reader",
                                       arc_ingest_handle, in, &sub),
                     ARC_OK);
    deadline = arc_now_us() + WAIT_US;
    while (seen.count < 5 && arc_now_us() < deadline) {
        arc_bus_poll(w->rb.bus, 100, 100, NULL);
    }
    assert_int_equal(seen.count, 5);
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(seen.seqs[i], i + 1);
    }
    arc_bus_unsubscribe(w->rb.bus, sub);
    arc_ingest_free(in);
}

static void a_full_outbox_counts_what_it_drops(void **state)
{
    world_t *w = *state;
    arc_event_t wide = event_of(99);

    open_world(w, 1);
    set_brokers(w, false);
    for (uint64_t seq = 1; seq <= 1 + ARC_ROLE_OUTBOX; seq++) {
        arc_event_t ev = event_of(seq);

        assert_int_equal(arc_role_send_event(&w->rb, &w->box, &ev), ARC_OK);
    }
    assert_int_equal(w->box.count, ARC_ROLE_OUTBOX);
    assert_int_equal(arc_role_send_event(&w->rb, &w->box, &wide),
                     ARC_ERR_FULL);
    assert_int_equal(w->box.dropped, 1);

    wide.zone = ARC_EVENT_MESH_WIDE; /* no wire form */
    assert_int_equal(arc_role_send_event(&w->rb, &w->box, &wide),
                     ARC_ERR_INVALID);
    set_brokers(w, true);
    assert_int_equal(arc_bus_flush(w->rb.bus, 15000), ARC_OK);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(opening_finds_or_creates_every_topic),
        T(the_watcher_says_each_event_once_per_outage),
        T(refused_events_wait_and_go_out_in_order),
        T(a_full_outbox_counts_what_it_drops),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
