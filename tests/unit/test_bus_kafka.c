/*
 * test_bus_kafka.c - the Kafka bus backend against librdkafka's mock
 * cluster (three brokers on loopback, real Kafka protocol, no network):
 * produce and consume, commit only after apply (a restarted member
 * resumes at the first message it did not apply), the producer holding
 * messages while every broker is down and delivering all of them once
 * they return, bad messages skipped and counted, a full producer buffer
 * answering "full", and the mock cluster helper program obeying its
 * commands.
 *
 * Each test gets its own mock cluster and fresh topic names (a mock
 * partition keeps only 5 MiB), and consumers use a 6 s session timeout
 * (a group rejoin waits about that long).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/bus.h"
#include "bus/ingest.h"
#include "fixture.h"

#define WAIT_US (15 * ARC_US_PER_S)

typedef struct world {
    rd_kafka_t *mock_rk;
    rd_kafka_mock_cluster_t *mock;
    char url[256];
    arc_bus_t *bus;
    arc_mesh_t *mesh;
    arc_codec_t *codec;
    int log_lines;
} world_t;

/* Counts log lines; prints them when ARC_TEST_VERBOSE is set. */
static void quiet_log(void *ctx, arc_bus_log_level_t level, const char *line)
{
    if (getenv("ARC_TEST_VERBOSE") != NULL)
        fprintf(stderr, "bus log %d: %s\n", (int)level, line);
    (*(int *)ctx)++;
}

static arc_bus_t *open_bus(world_t *w)
{
    arc_bus_config_t cfg;
    arc_bus_t *bus = NULL;

    arc_bus_config_default(&cfg);
    cfg.url = w->url;
    cfg.session_timeout_ms = 6000;
    cfg.linger_ms = 1;
    cfg.log = quiet_log;
    cfg.log_ctx = &w->log_lines;
    assert_int_equal(arc_bus_open(&cfg, &bus), ARC_OK);
    assert_string_equal(arc_bus_backend(bus), "kafka");
    return bus;
}

static int setup(void **state)
{
    world_t *w = calloc(1, sizeof(*w));
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[256];
    arc_node_t a = fix_node("w-a", 45.0, -122.0);
    arc_node_t b = fix_node("w-b", 46.0, -121.0);

    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
    w->mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(w->mock_rk);
    w->mock = rd_kafka_mock_cluster_new(w->mock_rk, 3);
    assert_non_null(w->mock);
    snprintf(w->url, sizeof(w->url), "kafka://%s",
             rd_kafka_mock_cluster_bootstraps(w->mock));
    w->bus = open_bus(w);
    w->mesh = arc_mesh_new();
    w->codec = arc_codec_new();
    assert_int_equal(arc_mesh_add(w->mesh, &a, NULL), ARC_OK);
    assert_int_equal(arc_mesh_add(w->mesh, &b, NULL), ARC_OK);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world_t *w = *state;

    arc_bus_close(w->bus);
    arc_codec_free(w->codec);
    arc_mesh_free(w->mesh);
    rd_kafka_mock_cluster_destroy(w->mock);
    rd_kafka_destroy(w->mock_rk);
    free(w);
    return 0;
}

/* A topic name no other test (or earlier run) has used. */
static void fresh_topic(char *buf, size_t cap, const char *what)
{
    snprintf(buf, cap, "test.%s.%lld", what, (long long)arc_now_us());
}

static void publish_telemetry(world_t *w, const char *topic, const char *node,
                              uint64_t seq)
{
    uint32_t index = 0;
    arc_telemetry_t t;
    const uint8_t *p;
    size_t n;

    assert_int_equal(arc_mesh_find(w->mesh, node, &index), ARC_OK);
    t = fix_telemetry(w->mesh, index);
    t.seq = seq;
    assert_int_equal(arc_codec_encode_telemetry(w->codec, node, &t, &p, &n),
                     ARC_OK);
    assert_int_equal(arc_bus_publish(w->bus, topic, node, strlen(node), p, n),
                     ARC_OK);
}

/* Polls until the ingest has seen `count` messages or time runs out. */
static void poll_until_seen(arc_bus_t *bus, const arc_ingest_t *in,
                            uint64_t count)
{
    int64_t deadline = arc_now_us() + WAIT_US;
    arc_ingest_stats_t st;

    do {
        arc_bus_poll(bus, 100, 1000, NULL);
        arc_ingest_stats(in, &st);
    } while (st.applied + st.duplicates + st.rejected + st.retried < count &&
             arc_now_us() < deadline);
}

static arc_bus_sub_t *subscribe(arc_bus_t *bus, const char *topic,
                                const char *group, arc_bus_handler_fn fn,
                                void *ctx)
{
    const char *topics[] = {topic};
    arc_bus_sub_t *sub = NULL;

    assert_int_equal(arc_bus_subscribe(bus, topics, 1, group, fn, ctx, &sub),
                     ARC_OK);
    return sub;
}

static void messages_travel_through_the_kafka_protocol(void **state)
{
    world_t *w = *state;
    char topic[64];
    arc_ingest_t *in = arc_ingest_new(w->mesh, NULL, quiet_log, &w->log_lines);
    arc_ingest_stats_t st;

    fresh_topic(topic, sizeof(topic), "basic");
    assert_int_equal(arc_bus_declare(w->bus, topic, 5000), ARC_OK);
    for (uint64_t seq = 1; seq <= 50; seq++) {
        publish_telemetry(w, topic, "w-a", seq);
        publish_telemetry(w, topic, "w-b", seq);
    }
    subscribe(w->bus, topic, "zone-west", arc_ingest_handle, in);
    poll_until_seen(w->bus, in, 100);

    arc_ingest_stats(in, &st);
    assert_int_equal(st.applied, 100);
    assert_int_equal(arc_mesh_node(w->mesh, 0)->seq, 50);
    assert_int_equal(arc_mesh_node(w->mesh, 1)->seq, 50);
    arc_bus_close(w->bus);
    w->bus = NULL;
    arc_ingest_free(in);
}

/* Applies telemetry through the ingest but answers "busy" for one
 * sequence number, as a consumer whose store is full would. */
typedef struct balky {
    arc_ingest_t *in;
    uint64_t refuse_seq;
} balky_t;

static arc_status_t balky_apply(void *ctx, const arc_telemetry_t *t)
{
    balky_t *b = ctx;

    if (t->seq == b->refuse_seq)
        return ARC_ERR_FULL;
    return ARC_OK;
}

static void a_restarted_member_resumes_at_its_first_unapplied(void **state)
{
    world_t *w = *state;
    char topic[64];
    uint64_t last_seq = 0;
    balky_t b = {NULL, 11};
    arc_ingest_hooks_t hooks = {.telemetry = balky_apply, .ctx = &b};
    arc_ingest_t *first =
        arc_ingest_new(w->mesh, &hooks, quiet_log, &w->log_lines);
    arc_ingest_t *second =
        arc_ingest_new(w->mesh, NULL, quiet_log, &w->log_lines);
    arc_bus_sub_t *sub;
    arc_ingest_stats_t st;

    fresh_topic(topic, sizeof(topic), "resume");
    for (uint64_t seq = 1; seq <= 20; seq++)
        publish_telemetry(w, topic, "w-a", seq);
    sub = subscribe(w->bus, topic, "zone", arc_ingest_handle, first);
    poll_until_seen(w->bus, first, 11);
    arc_ingest_stats(first, &st);
    assert_int_equal(st.applied, 10);
    assert_true(st.retried >= 1);
    arc_bus_unsubscribe(w->bus, sub);

    /* The same group again: starts at seq 11, never sees 1..10. */
    subscribe(w->bus, topic, "zone", arc_ingest_handle, second);
    poll_until_seen(w->bus, second, 10);
    arc_ingest_stats(second, &st);
    assert_int_equal(st.applied, 10);
    assert_int_equal(st.duplicates, 0);
    last_seq = arc_mesh_node(w->mesh, 0)->seq;
    assert_int_equal(last_seq, 20);

    /* A sender repeating itself changes nothing. */
    publish_telemetry(w, topic, "w-a", 7);
    poll_until_seen(w->bus, second, 11);
    arc_ingest_stats(second, &st);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(arc_mesh_node(w->mesh, 0)->seq, 20);
    arc_bus_close(w->bus);
    w->bus = NULL;
    arc_ingest_free(first);
    arc_ingest_free(second);
}

static void set_brokers(world_t *w, bool up)
{
    for (int32_t id = 1; id <= 3; id++) {
        if (up)
            rd_kafka_mock_broker_set_up(w->mock, id);
        else
            rd_kafka_mock_broker_set_down(w->mock, id);
    }
}

static void the_producer_holds_messages_while_brokers_are_down(void **state)
{
    world_t *w = *state;
    char topic[64];
    arc_ingest_t *in = arc_ingest_new(w->mesh, NULL, quiet_log, &w->log_lines);
    arc_bus_stats_t bs;
    arc_ingest_stats_t st;

    fresh_topic(topic, sizeof(topic), "outage");
    assert_int_equal(arc_bus_declare(w->bus, topic, 5000), ARC_OK);
    set_brokers(w, false);
    for (uint64_t seq = 1; seq <= 1000; seq++)
        publish_telemetry(w, topic, seq % 2 ? "w-a" : "w-b", seq);
    for (int i = 0; i < 20; i++)
        arc_bus_poll(w->bus, 100, 1000, NULL);
    arc_bus_stats(w->bus, &bs);
    assert_int_equal(bs.buffered, 1000);

    set_brokers(w, true);
    assert_int_equal(arc_bus_flush(w->bus, 15000), ARC_OK);
    arc_bus_stats(w->bus, &bs);
    assert_int_equal(bs.acked, 1000);
    assert_int_equal(bs.failed, 0);

    subscribe(w->bus, topic, "after-outage", arc_ingest_handle, in);
    poll_until_seen(w->bus, in, 1000);
    for (int i = 0; i < 5; i++)
        arc_bus_poll(w->bus, 100, 1000, NULL); /* any extra would show */
    arc_ingest_stats(in, &st);
    assert_int_equal(st.applied, 1000);
    assert_int_equal(st.duplicates, 0);
    arc_bus_close(w->bus);
    w->bus = NULL;
    arc_ingest_free(in);
}

static void bad_messages_are_skipped_and_counted(void **state)
{
    world_t *w = *state;
    char topic[64];
    arc_ingest_t *in = arc_ingest_new(w->mesh, NULL, quiet_log, &w->log_lines);
    const uint8_t future[] = {0x93, 0x01, 0x07, 0x01}; /* version 7 */
    arc_ingest_stats_t st;

    fresh_topic(topic, sizeof(topic), "bad");
    publish_telemetry(w, topic, "w-a", 1);
    assert_int_equal(arc_bus_publish(w->bus, topic, "w-a", 3, "\xc1", 1),
                     ARC_OK);
    assert_int_equal(
        arc_bus_publish(w->bus, topic, "w-a", 3, future, sizeof(future)),
        ARC_OK);
    publish_telemetry(w, topic, "w-a", 2);
    subscribe(w->bus, topic, "zone", arc_ingest_handle, in);
    poll_until_seen(w->bus, in, 4);

    arc_ingest_stats(in, &st);
    assert_int_equal(st.applied, 2);
    assert_int_equal(st.rejected, 2);
    assert_int_equal(st.by_reason[ARC_CODEC_MALFORMED], 1);
    assert_int_equal(st.by_reason[ARC_CODEC_UNKNOWN_VERSION], 1);
    assert_int_equal(arc_mesh_node(w->mesh, 0)->seq, 2);
    arc_bus_close(w->bus);
    w->bus = NULL;
    arc_ingest_free(in);
}

static void a_full_producer_buffer_answers_full(void **state)
{
    world_t *w = *state;
    char topic[64];
    arc_bus_config_t cfg;
    arc_bus_t *small = NULL;
    arc_bus_stats_t bs;

    arc_bus_config_default(&cfg);
    cfg.url = w->url;
    cfg.max_buffered = 10;
    cfg.log = quiet_log;
    cfg.log_ctx = &w->log_lines;
    assert_int_equal(arc_bus_open(&cfg, &small), ARC_OK);
    fresh_topic(topic, sizeof(topic), "full");
    assert_int_equal(arc_bus_declare(small, topic, 5000), ARC_OK);
    set_brokers(w, false);
    for (int i = 0; i < 10; i++)
        assert_int_equal(arc_bus_publish(small, topic, "k", 1, "v", 1), ARC_OK);
    assert_int_equal(arc_bus_publish(small, topic, "k", 1, "v", 1),
                     ARC_ERR_FULL);
    arc_bus_stats(small, &bs);
    assert_int_equal(bs.refused, 1);
    assert_int_equal(bs.buffered, 10);
    set_brokers(w, true);
    assert_int_equal(arc_bus_flush(small, 15000), ARC_OK);
    assert_int_equal(arc_bus_publish(small, topic, "k", 1, "v", 1), ARC_OK);
    arc_bus_close(small);
}

/* Serves `bus` until `failed` messages failed for good or 15 s passed. */
static void poll_until_failed(arc_bus_t *bus, uint64_t failed)
{
    int64_t deadline = arc_now_us() + WAIT_US;
    arc_bus_stats_t bs;

    do {
        arc_bus_poll(bus, 100, 0, NULL);
        arc_bus_stats(bus, &bs);
    } while (bs.failed < failed && arc_now_us() < deadline);
}

/*
 * By default the producer holds messages for as long as the brokers are
 * away (only its bound limits it); with a message timeout it gives up on
 * them when the timeout passes. Both buses see the same outage: when
 * the one with a 300 ms timeout has failed its messages, the default
 * one still holds all of its own, and delivers them once the brokers
 * return.
 */
static void held_messages_wait_past_any_timeout_by_default(void **state)
{
    world_t *w = *state;
    char topic[64];
    arc_bus_config_t cfg;
    arc_bus_t *timed = NULL;
    arc_bus_stats_t bs;

    arc_bus_config_default(&cfg);
    assert_int_equal(cfg.message_timeout_ms, 0); /* never, by default */
    cfg.url = w->url;
    cfg.message_timeout_ms = 300;
    cfg.log = quiet_log;
    cfg.log_ctx = &w->log_lines;
    assert_int_equal(arc_bus_open(&cfg, &timed), ARC_OK);
    fresh_topic(topic, sizeof(topic), "timeout");
    assert_int_equal(arc_bus_declare(timed, topic, 5000), ARC_OK);
    assert_int_equal(arc_bus_declare(w->bus, topic, 5000), ARC_OK);

    set_brokers(w, false);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(arc_bus_publish(w->bus, topic, "k", 1, "v", 1),
                         ARC_OK);
        assert_int_equal(arc_bus_publish(timed, topic, "k", 1, "v", 1),
                         ARC_OK);
    }
    poll_until_failed(timed, 5);
    arc_bus_stats(timed, &bs);
    assert_int_equal(bs.failed, 5);
    for (int i = 0; i < 10; i++)
        arc_bus_poll(w->bus, 100, 0, NULL); /* past the 300 ms too */
    arc_bus_stats(w->bus, &bs);
    assert_int_equal(bs.failed, 0);
    assert_int_equal(bs.buffered, 5);

    set_brokers(w, true);
    assert_int_equal(arc_bus_flush(w->bus, 15000), ARC_OK);
    arc_bus_stats(w->bus, &bs);
    assert_int_equal(bs.acked, 5);
    arc_bus_close(timed);
}

/* Partitions of `topic` as the brokers list it; -1 when not listed.
 * Asks through a client of its own that never auto-creates topics. */
static int listed_partitions(world_t *w, const char *topic)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const struct rd_kafka_metadata *md = NULL;
    char errstr[256];
    rd_kafka_t *rk;
    int count = -1;

    rd_kafka_conf_set(conf, "bootstrap.servers", w->url + strlen("kafka://"),
                      errstr, sizeof(errstr));
    rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", errstr,
                      sizeof(errstr));
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, 5000),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0 &&
            md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
            count = md->topics[i].partition_cnt;
    rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(rk);
    return count;
}

/* Notes whether a log line said the brokers name no controller. */
static void controller_log(void *ctx, arc_bus_log_level_t level,
                           const char *line)
{
    (void)level;
    if (strstr(line, "name no controller") != NULL)
        (*(int *)ctx)++;
}

/*
 * A topic the bus has never seen is created on its first declare. The
 * mock cluster has no CreateTopics handler and names no controller, so
 * the bus falls back to the brokers' auto-creation (their default
 * partition count, not the configured one) and says so once; a topic
 * that exists keeps its partitions.
 */
static void a_fresh_topic_is_created_on_first_declare(void **state)
{
    world_t *w = *state;
    char topic[64], made[64];
    arc_bus_config_t cfg;
    arc_bus_t *bus = NULL;
    int said = 0;

    arc_bus_config_default(&cfg);
    cfg.url = w->url;
    cfg.partitions = 7;
    cfg.log = controller_log;
    cfg.log_ctx = &said;
    assert_int_equal(arc_bus_open(&cfg, &bus), ARC_OK);
    fresh_topic(topic, sizeof(topic), "fresh");
    assert_int_equal(listed_partitions(w, topic), -1);

    assert_int_equal(arc_bus_declare(bus, topic, 5000), ARC_OK);
    assert_true(listed_partitions(w, topic) >= 1);
    assert_int_equal(said, 1); /* the fallback is announced, once */
    assert_int_equal(arc_bus_publish(bus, topic, "k", 1, "v", 1), ARC_OK);
    assert_int_equal(arc_bus_flush(bus, 15000), ARC_OK);

    fresh_topic(made, sizeof(made), "made");
    assert_int_equal(rd_kafka_mock_topic_create(w->mock, made, 5, 1),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(arc_bus_declare(bus, made, 5000), ARC_OK);
    assert_int_equal(listed_partitions(w, made), 5);
    fresh_topic(made, sizeof(made), "again");
    assert_int_equal(arc_bus_declare(bus, made, 5000), ARC_OK);
    assert_int_equal(said, 1);
    arc_bus_close(bus);
}

/* The helper program next to the test programs (build/kafka/). */
static void helper_path(char *buf, size_t cap)
{
    char self[1024];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;

    assert_true(n > 0);
    self[n] = '\0';
    slash = strrchr(self, '/');
    assert_non_null(slash);
    *slash = '\0';
    snprintf(buf, cap, "%s/../kafka/mock_cluster", self);
}

static void the_helper_hosts_brokers_and_takes_commands(void **state)
{
    world_t *w = *state;
    char path[1200], cmd[1400], line[512];
    FILE *p;

    (void)w;
    helper_path(path, sizeof(path));
    if (access(path, X_OK) != 0)
        skip(); /* built by `make all`, which `make test` runs first */
    snprintf(cmd, sizeof(cmd),
             "(echo 'down 2'; echo 'up 2'; echo 'errors Produce 2 "
             "NOT_LEADER_FOR_PARTITION'; echo 'topic led 2'; "
             "echo 'leaders led -1'; echo 'leaders led 9'; "
             "echo 'down 9'; echo 'dance') | %s",
             path);
    p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(line, sizeof(line), p));
    assert_non_null(strstr(line, "127.0.0.1:"));
    assert_non_null(fgets(line, sizeof(line), p));
    assert_string_equal(line, "ok\n");
    assert_non_null(fgets(line, sizeof(line), p));
    assert_string_equal(line, "ok\n");
    assert_non_null(fgets(line, sizeof(line), p));
    assert_string_equal(line, "ok\n");
    assert_non_null(fgets(line, sizeof(line), p));
    assert_string_equal(line, "ok\n");       /* topic led, 2 partitions */
    assert_non_null(fgets(line, sizeof(line), p));
    assert_string_equal(line, "ok 2\n");     /* both without a leader */
    assert_non_null(fgets(line, sizeof(line), p));
    assert_string_equal(line, "error: no such broker\n");
    assert_non_null(fgets(line, sizeof(line), p));
    assert_string_equal(line, "error: no such broker\n");
    assert_non_null(fgets(line, sizeof(line), p));
    assert_string_equal(line, "error: unknown command\n");
    assert_null(fgets(line, sizeof(line), p)); /* stdin closed: it left */
    assert_int_equal(pclose(p), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(messages_travel_through_the_kafka_protocol),
        T(a_restarted_member_resumes_at_its_first_unapplied),
        T(the_producer_holds_messages_while_brokers_are_down),
        T(bad_messages_are_skipped_and_counted),
        T(a_full_producer_buffer_answers_full),
        T(a_fresh_topic_is_created_on_first_declare),
        T(held_messages_wait_past_any_timeout_by_default),
        T(the_helper_hosts_brokers_and_takes_commands),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
