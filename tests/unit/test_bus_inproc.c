/*
 * test_bus_inproc.c - the in-process bus: delivery only when polled,
 * commit after apply, redelivery after a retry answer, resume at a
 * group's committed position, the bounded ring's back-pressure and
 * drops, and the ingest handler's apply, dedup and malformed policy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "bus/bus.h"
#include "bus/ingest.h"
#include "fixture.h"

#define TOPIC "t.one"

typedef struct seen {
    uint32_t count;
    int64_t offsets[64];
    char values[64][16];
    arc_status_t answer; /* what the handler answers */
    int64_t answer_at;   /* ... at this offset only (-1: always) */
} seen_t;

static arc_status_t record(void *ctx, const arc_bus_msg_t *msg)
{
    seen_t *s = ctx;
    uint32_t i = s->count % 64;

    s->offsets[i] = msg->offset;
    snprintf(s->values[i], sizeof(s->values[i]), "%.*s", (int)msg->value_len,
             (const char *)msg->value);
    s->count++;
    if (s->answer_at < 0 || s->answer_at == msg->offset)
        return s->answer;
    return ARC_OK;
}

static arc_bus_t *open_bus(uint32_t ring)
{
    arc_bus_config_t cfg;
    arc_bus_t *bus = NULL;

    arc_bus_config_default(&cfg);
    cfg.ring_capacity = ring;
    assert_int_equal(arc_bus_open(&cfg, &bus), ARC_OK);
    assert_string_equal(arc_bus_backend(bus), "inproc");
    return bus;
}

static void publish_n(arc_bus_t *bus, int from, int n)
{
    char v[16];

    for (int i = from; i < from + n; i++) {
        snprintf(v, sizeof(v), "m%d", i);
        assert_int_equal(arc_bus_publish(bus, TOPIC, "k", 1, v, strlen(v)),
                         ARC_OK);
    }
}

static arc_bus_sub_t *subscribe(arc_bus_t *bus, const char *group, seen_t *s)
{
    const char *topics[] = {TOPIC};
    arc_bus_sub_t *sub = NULL;

    assert_int_equal(arc_bus_subscribe(bus, topics, 1, group, record, s, &sub),
                     ARC_OK);
    return sub;
}

static void messages_arrive_only_when_polled(void **state)
{
    arc_bus_t *bus = open_bus(16);
    seen_t s = {.answer = ARC_OK, .answer_at = -1};
    uint32_t handled = 0;

    (void)state;
    subscribe(bus, "g", &s);
    publish_n(bus, 0, 3);
    assert_int_equal(s.count, 0);
    assert_int_equal(arc_bus_poll(bus, 0, 100, &handled), ARC_OK);
    assert_int_equal(handled, 3);
    assert_int_equal(s.count, 3);
    assert_string_equal(s.values[2], "m2");
    assert_int_equal(s.offsets[2], 2);
    arc_bus_close(bus);
}

static void poll_hands_over_at_most_max(void **state)
{
    arc_bus_t *bus = open_bus(16);
    seen_t s = {.answer = ARC_OK, .answer_at = -1};
    uint32_t handled = 0;

    (void)state;
    subscribe(bus, "g", &s);
    publish_n(bus, 0, 5);
    arc_bus_poll(bus, 0, 2, &handled);
    assert_int_equal(handled, 2);
    arc_bus_poll(bus, 0, 100, &handled);
    assert_int_equal(handled, 3);
    assert_string_equal(s.values[4], "m4");
    arc_bus_close(bus);
}

static void a_retry_answer_redelivers_that_message_first(void **state)
{
    arc_bus_t *bus = open_bus(16);
    seen_t s = {.answer = ARC_ERR_FULL, .answer_at = 1};
    arc_bus_stats_t st;

    (void)state;
    subscribe(bus, "g", &s);
    publish_n(bus, 0, 3);
    arc_bus_poll(bus, 0, 100, NULL);
    assert_int_equal(s.count, 2); /* m0 applied, m1 refused, stop */
    s.answer = ARC_OK;
    arc_bus_poll(bus, 0, 100, NULL);
    assert_int_equal(s.count, 4);
    assert_int_equal(s.offsets[2], 1);
    assert_int_equal(s.offsets[3], 2);
    arc_bus_stats(bus, &st);
    assert_int_equal(st.retried, 1);
    assert_int_equal(st.committed, 3);
    arc_bus_close(bus);
}

static void a_message_that_cannot_be_applied_is_passed(void **state)
{
    arc_bus_t *bus = open_bus(16);
    seen_t s = {.answer = ARC_ERR_INVALID, .answer_at = 0};

    (void)state;
    subscribe(bus, "g", &s);
    publish_n(bus, 0, 2);
    arc_bus_poll(bus, 0, 100, NULL);
    arc_bus_poll(bus, 0, 100, NULL);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.offsets[1], 1);
    arc_bus_close(bus);
}

static void a_group_resumes_after_its_last_applied_message(void **state)
{
    arc_bus_t *bus = open_bus(16);
    seen_t s = {.answer = ARC_ERR_IO, .answer_at = 2};
    arc_bus_sub_t *sub = subscribe(bus, "g", &s);

    (void)state;
    publish_n(bus, 0, 4);
    arc_bus_poll(bus, 0, 100, NULL); /* m0, m1 applied; m2 not */
    arc_bus_unsubscribe(bus, sub);
    publish_n(bus, 4, 1);

    memset(&s, 0, sizeof(s));
    s.answer = ARC_OK;
    s.answer_at = -1;
    subscribe(bus, "g", &s);
    arc_bus_poll(bus, 0, 100, NULL);
    assert_int_equal(s.count, 3);
    assert_int_equal(s.offsets[0], 2);
    assert_string_equal(s.values[2], "m4");
    arc_bus_close(bus);
}

static void each_group_gets_every_message(void **state)
{
    arc_bus_t *bus = open_bus(16);
    seen_t a = {.answer = ARC_OK, .answer_at = -1};
    seen_t b = {.answer = ARC_OK, .answer_at = -1};

    (void)state;
    subscribe(bus, "a", &a);
    subscribe(bus, "b", &b);
    publish_n(bus, 0, 3);
    arc_bus_poll(bus, 0, 100, NULL);
    assert_int_equal(a.count, 3);
    assert_int_equal(b.count, 3);
    arc_bus_close(bus);
}

static void a_second_live_member_of_a_group_is_refused(void **state)
{
    arc_bus_t *bus = open_bus(16);
    seen_t s = {.answer = ARC_OK, .answer_at = -1};
    const char *topics[] = {TOPIC};
    arc_bus_sub_t *sub = NULL;

    (void)state;
    subscribe(bus, "g", &s);
    assert_int_equal(arc_bus_subscribe(bus, topics, 1, "g", record, &s, &sub),
                     ARC_ERR_DUPLICATE);
    assert_null(sub);
    arc_bus_close(bus);
}

static void a_full_ring_pushes_back_while_a_member_lags(void **state)
{
    arc_bus_t *bus = open_bus(4);
    seen_t s = {.answer = ARC_OK, .answer_at = -1};
    arc_bus_stats_t st;

    (void)state;
    subscribe(bus, "g", &s);
    publish_n(bus, 0, 4);
    assert_int_equal(arc_bus_publish(bus, TOPIC, NULL, 0, "x", 1),
                     ARC_ERR_FULL);
    arc_bus_poll(bus, 0, 100, NULL);
    assert_int_equal(arc_bus_publish(bus, TOPIC, NULL, 0, "x", 1), ARC_OK);
    arc_bus_stats(bus, &st);
    assert_int_equal(st.refused, 1);
    assert_int_equal(st.overwritten, 0);
    arc_bus_close(bus);
}

static void a_full_ring_drops_the_oldest_for_an_idle_group(void **state)
{
    arc_bus_t *bus = open_bus(4);
    seen_t s = {.answer = ARC_OK, .answer_at = -1};
    arc_bus_stats_t st;

    (void)state;
    arc_bus_unsubscribe(bus, subscribe(bus, "g", &s));
    publish_n(bus, 0, 10);
    subscribe(bus, "g", &s);
    arc_bus_poll(bus, 0, 100, NULL);
    assert_int_equal(s.count, 4);
    assert_string_equal(s.values[0], "m6");
    arc_bus_stats(bus, &st);
    assert_int_equal(st.overwritten, 6);
    arc_bus_close(bus);
}

static void bad_urls_and_topics_are_refused(void **state)
{
    arc_bus_config_t cfg;
    arc_bus_t *bus = NULL;
    char name[ARC_BUS_TOPIC_MAX + 1];

    (void)state;
    arc_bus_config_default(&cfg);
    cfg.url = "amqp://somewhere";
    assert_int_equal(arc_bus_open(&cfg, &bus), ARC_ERR_INVALID);
    cfg.url = "kafka://";
    assert_int_equal(arc_bus_open(&cfg, &bus), ARC_ERR_INVALID);
    assert_null(bus);

    bus = open_bus(4);
    assert_int_equal(arc_bus_publish(bus, "bad topic", NULL, 0, "x", 1),
                     ARC_ERR_INVALID);
    assert_int_equal(arc_bus_publish(bus, "", NULL, 0, "x", 1),
                     ARC_ERR_INVALID);
    memset(name, 'a', sizeof(name) - 1); /* one character too many */
    name[sizeof(name) - 1] = '\0';
    assert_int_equal(arc_bus_publish(bus, name, NULL, 0, "x", 1),
                     ARC_ERR_INVALID);
    name[ARC_BUS_TOPIC_MAX - 1] = '\0'; /* the longest legal name */
    name[3] = '.';
    name[4] = '_';
    name[5] = '-';
    name[6] = 'Z';
    name[7] = '9';
    assert_int_equal(arc_bus_publish(bus, name, NULL, 0, "x", 1), ARC_OK);
    arc_bus_close(bus);
}

/* ---- the ingest handler on the inproc bus ----------------------------- */

static void count_log(void *ctx, arc_bus_log_level_t level, const char *line)
{
    (void)level;
    (void)line;
    (*(int *)ctx)++;
}

static void publish_telemetry(arc_bus_t *bus, arc_codec_t *codec,
                              const arc_mesh_t *mesh, uint64_t seq)
{
    arc_telemetry_t t = fix_telemetry(mesh, 0);
    const uint8_t *p;
    size_t n;

    t.seq = seq;
    t.gpus_free = (uint16_t)seq;
    assert_int_equal(arc_codec_encode_telemetry(codec, "w-a", &t, &p, &n),
                     ARC_OK);
    assert_int_equal(arc_bus_publish(bus, TOPIC, "w-a", 3, p, n), ARC_OK);
}

static void ingest_applies_dedups_and_skips_bad_messages(void **state)
{
    arc_bus_t *bus = open_bus(64);
    arc_mesh_t *mesh = arc_mesh_new();
    arc_node_t n = fix_node("w-a", 45.0, -122.0);
    arc_codec_t *codec = arc_codec_new();
    int logged = 0;
    arc_ingest_t *in = arc_ingest_new(mesh, NULL, count_log, &logged);
    const char *topics[] = {TOPIC};
    arc_bus_sub_t *sub = NULL;
    arc_ingest_stats_t st;

    (void)state;
    assert_int_equal(arc_mesh_add(mesh, &n, NULL), ARC_OK);
    assert_int_equal(
        arc_bus_subscribe(bus, topics, 1, "zone", arc_ingest_handle, in, &sub),
        ARC_OK);
    publish_telemetry(bus, codec, mesh, 1);
    arc_bus_publish(bus, TOPIC, NULL, 0, "\xc1", 1);
    arc_bus_publish(bus, TOPIC, NULL, 0, "\x93\x01", 2);
    arc_bus_publish(bus, TOPIC, NULL, 0, "\xc1\xc1", 2);
    publish_telemetry(bus, codec, mesh, 3);
    publish_telemetry(bus, codec, mesh, 2); /* older: a duplicate */
    arc_bus_poll(bus, 0, 100, NULL);

    arc_ingest_stats(in, &st);
    assert_int_equal(st.applied, 2);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(st.rejected, 3);
    assert_int_equal(st.by_reason[ARC_CODEC_MALFORMED], 2);
    assert_int_equal(st.by_reason[ARC_CODEC_TRUNCATED], 1);
    assert_int_equal(logged, 2); /* once per reason */
    assert_int_equal(arc_mesh_node(mesh, 0)->seq, 3);
    assert_int_equal(arc_mesh_node(mesh, 0)->gpus_free, 3);

    arc_bus_close(bus);
    arc_ingest_free(in);
    arc_codec_free(codec);
    arc_mesh_free(mesh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_arrive_only_when_polled),
        cmocka_unit_test(poll_hands_over_at_most_max),
        cmocka_unit_test(a_retry_answer_redelivers_that_message_first),
        cmocka_unit_test(a_message_that_cannot_be_applied_is_passed),
        cmocka_unit_test(a_group_resumes_after_its_last_applied_message),
        cmocka_unit_test(each_group_gets_every_message),
        cmocka_unit_test(a_second_live_member_of_a_group_is_refused),
        cmocka_unit_test(a_full_ring_pushes_back_while_a_member_lags),
        cmocka_unit_test(a_full_ring_drops_the_oldest_for_an_idle_group),
        cmocka_unit_test(bad_urls_and_topics_are_refused),
        cmocka_unit_test(ingest_applies_dedups_and_skips_bad_messages),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
