/*
 * test_codec.c - the bus codec: every message type survives a round
 * trip, telemetry is written byte for byte as msgpack-c's packer would
 * and read alike in any integer or float width, and every kind of bad
 * input is refused with its reason, never a crash: truncation at every
 * byte, trailing bytes, non-MessagePack, hostile container sizes, deep
 * nesting, wrong types, wrong lengths, out-of-range values, unknown
 * types, versions and nodes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <msgpack.h>
#include <stdlib.h>

#include "bus/codec.h"
#include "fixture.h"

typedef struct world {
    arc_mesh_t *mesh;
    arc_codec_t *codec;
    uint32_t node;
    msgpack_sbuffer sb;
    msgpack_packer pk;
} world_t;

static int setup(void **state)
{
    world_t *w = calloc(1, sizeof(*w));
    arc_node_t n = fix_node("w-portland-01", 45.52, -122.68);

    w->mesh = arc_mesh_new();
    w->codec = arc_codec_new();
    assert_int_equal(arc_mesh_add(w->mesh, &n, &w->node), ARC_OK);
    msgpack_sbuffer_init(&w->sb);
    msgpack_packer_init(&w->pk, &w->sb, msgpack_sbuffer_write);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world_t *w = *state;

    msgpack_sbuffer_destroy(&w->sb);
    arc_codec_free(w->codec);
    arc_mesh_free(w->mesh);
    free(w);
    return 0;
}

static arc_telemetry_t sample_telemetry(uint32_t node)
{
    arc_telemetry_t t;

    memset(&t, 0, sizeof(t));
    t.node = node;
    t.seq = 42;
    t.time_us = FIX_NOW + 5;
    t.status = ARC_NODE_DRAINING;
    t.energy_source = ARC_SOURCE_WIND;
    t.gpus_free = 6;
    t.models = 0x15;
    t.queue_depth = 3;
    t.gpu_util = 0.25f;
    t.gpu_mem_used_gb = 71.5f;
    t.battery_soc = 0.5f;
    t.power_kw = 812.0f;
    t.carbon_g_per_kwh = 11.0f;
    return t;
}

static arc_codec_error_t decode_tel(world_t *w, const uint8_t *p, size_t n)
{
    arc_telemetry_t t;
    arc_codec_error_t why = ARC_CODEC_OK;

    arc_codec_decode_telemetry(w->codec, w->mesh, p, n, &t, &why);
    return why;
}

/* Copies an encoded telemetry message into a buffer the test owns. */
static size_t encoded_telemetry(world_t *w, uint8_t *buf, size_t cap)
{
    arc_telemetry_t t = sample_telemetry(w->node);
    const uint8_t *p;
    size_t n;

    assert_int_equal(
        arc_codec_encode_telemetry(w->codec, "w-portland-01", &t, &p, &n),
        ARC_OK);
    assert_true(n <= cap);
    memcpy(buf, p, n);
    return n;
}

/* Packs a telemetry message by hand; field `swap` (if >= 0) is replaced
 * by what `put` writes. `fields` is the array length to declare. */
static void pack_tel(world_t *w, uint32_t fields, uint32_t version, int swap,
                     void (*put)(msgpack_packer *pk))
{
    msgpack_packer *pk = &w->pk;

    msgpack_sbuffer_clear(&w->sb);
    msgpack_pack_array(pk, fields);
    for (uint32_t i = 0; i < fields; i++) {
        if ((int)i == swap) {
            put(pk);
            continue;
        }
        switch (i) {
        case 0:
            msgpack_pack_uint8(pk, ARC_MSG_TELEMETRY);
            break;
        case 1:
            msgpack_pack_uint32(pk, version);
            break;
        case 2:
            msgpack_pack_uint64(pk, 7);
            break;
        case 3:
            msgpack_pack_str_with_body(pk, "w-portland-01", 13);
            break;
        case 4:
            msgpack_pack_int64(pk, FIX_NOW);
            break;
        case 5:
            msgpack_pack_str_with_body(pk, "up", 2);
            break;
        case 6:
            msgpack_pack_str_with_body(pk, "grid", 4);
            break;
        case 7:
        case 8:
        case 9:
            msgpack_pack_uint8(pk, 1);
            break;
        default:
            msgpack_pack_float(pk, 0.5f);
            break;
        }
    }
}

static arc_codec_error_t decode_packed(world_t *w)
{
    return decode_tel(w, (const uint8_t *)w->sb.data, w->sb.size);
}

/* ---- round trips ------------------------------------------------------ */

static void telemetry_round_trips(void **state)
{
    world_t *w = *state;
    arc_telemetry_t in = sample_telemetry(w->node), out;
    const uint8_t *p;
    size_t n;

    assert_int_equal(
        arc_codec_encode_telemetry(w->codec, "w-portland-01", &in, &p, &n),
        ARC_OK);
    assert_int_equal(
        arc_codec_decode_telemetry(w->codec, w->mesh, p, n, &out, NULL),
        ARC_OK);
    assert_memory_equal(&in, &out, sizeof(in));
}

/* What msgpack-c's packer writes for a telemetry message. */
static void pack_reference(world_t *w, const char *id, const arc_telemetry_t *t)
{
    msgpack_packer *pk = &w->pk;
    const char *status = arc_node_status_name(t->status);
    const char *source = arc_source_name(t->energy_source);

    msgpack_sbuffer_clear(&w->sb);
    msgpack_pack_array(pk, 15);
    msgpack_pack_uint32(pk, ARC_MSG_TELEMETRY);
    msgpack_pack_uint32(pk, ARC_MSG_VERSION);
    msgpack_pack_uint64(pk, t->seq);
    msgpack_pack_str_with_body(pk, id, strlen(id));
    msgpack_pack_int64(pk, t->time_us);
    msgpack_pack_str_with_body(pk, status, strlen(status));
    msgpack_pack_str_with_body(pk, source, strlen(source));
    msgpack_pack_uint16(pk, t->gpus_free);
    msgpack_pack_uint32(pk, t->models);
    msgpack_pack_uint32(pk, t->queue_depth);
    msgpack_pack_float(pk, t->gpu_util);
    msgpack_pack_float(pk, t->gpu_mem_used_gb);
    msgpack_pack_float(pk, t->battery_soc);
    msgpack_pack_float(pk, t->power_kw);
    msgpack_pack_float(pk, t->carbon_g_per_kwh);
}

/* The telemetry encoder writes by hand what the packer would, for
 * integers of every width and sign and a 23-byte id. */
static void telemetry_bytes_are_the_packers(void **state)
{
    static const int64_t times[] = {0, 5, -1, -32, -33, -128, -129,
                                    -32768, -32769, INT32_MIN,
                                    (int64_t)INT32_MIN - 1, INT64_MIN,
                                    127, 128, 255, 256, 65535, 65536,
                                    UINT32_MAX, (int64_t)UINT32_MAX + 1,
                                    INT64_MAX, FIX_NOW};
    world_t *w = *state;
    arc_telemetry_t t = sample_telemetry(w->node);
    const char *id = "w-a-very-long-node-id-1"; /* 23 bytes, the most */
    const uint8_t *p;
    size_t n;

    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        t.time_us = times[i];
        t.seq = (uint64_t)times[i];
        t.gpus_free = (uint16_t)times[i];
        t.models = (uint32_t)times[i];
        t.queue_depth = (uint32_t)(times[i] >> 3);
        t.power_kw = (float)times[i];
        t.status = (uint8_t)(i % ARC_NODE_STATUS_COUNT);
        t.energy_source = (uint8_t)(i % ARC_SOURCE_COUNT);
        assert_int_equal(arc_codec_encode_telemetry(w->codec, id, &t, &p, &n),
                         ARC_OK);
        pack_reference(w, id, &t);
        assert_int_equal(n, w->sb.size);
        assert_memory_equal(p, w->sb.data, n);
    }
}

/* Any integer or float width the format allows decodes to the same
 * values as the encoder's own choice. */
static void wide_encodings_decode_alike(void **state)
{
    world_t *w = *state;
    arc_telemetry_t in = sample_telemetry(w->node), out;
    msgpack_packer *pk = &w->pk;

    msgpack_sbuffer_clear(&w->sb);
    msgpack_pack_array(pk, 15);
    msgpack_pack_fix_int8(pk, ARC_MSG_TELEMETRY); /* signed, positive */
    msgpack_pack_fix_uint64(pk, ARC_MSG_VERSION);
    msgpack_pack_fix_int64(pk, (int64_t)in.seq);
    msgpack_pack_str_with_body(pk, "w-portland-01", 13);
    msgpack_pack_fix_uint64(pk, (uint64_t)in.time_us);
    msgpack_pack_str_with_body(pk, "draining", 8);
    msgpack_pack_str_with_body(pk, "cogen-wind", 10);
    msgpack_pack_fix_int16(pk, (int16_t)in.gpus_free);
    msgpack_pack_fix_uint32(pk, in.models);
    msgpack_pack_fix_int32(pk, (int32_t)in.queue_depth);
    msgpack_pack_double(pk, in.gpu_util);
    msgpack_pack_double(pk, in.gpu_mem_used_gb);
    msgpack_pack_double(pk, in.battery_soc);
    msgpack_pack_fix_uint16(pk, 812); /* an integer where a float goes */
    msgpack_pack_fix_uint8(pk, 11);
    assert_int_equal(arc_codec_decode_telemetry(w->codec, w->mesh,
                                                (const uint8_t *)w->sb.data,
                                                w->sb.size, &out, NULL),
                     ARC_OK);
    assert_memory_equal(&in, &out, sizeof(in));
}

static void telemetry_for_an_unknown_node_is_not_found(void **state)
{
    world_t *w = *state;
    arc_telemetry_t in = sample_telemetry(w->node), out;
    arc_codec_error_t why;
    const uint8_t *p;
    size_t n;

    assert_int_equal(
        arc_codec_encode_telemetry(w->codec, "e-nowhere-99", &in, &p, &n),
        ARC_OK);
    assert_int_equal(
        arc_codec_decode_telemetry(w->codec, w->mesh, p, n, &out, &why),
        ARC_ERR_NOT_FOUND);
    assert_int_equal(why, ARC_CODEC_UNKNOWN_NODE);
}

static void event_round_trips(void **state)
{
    world_t *w = *state;
    arc_event_t in, out;
    const uint8_t *p;
    size_t n;

    memset(&in, 0, sizeof(in));
    in.seq = 9;
    in.time_us = FIX_NOW;
    in.coalesced = 2;
    in.type = ARC_EVENT_BATTERY_LOW;
    in.severity = ARC_SEV_WARNING;
    in.zone = ARC_ZONE_EAST;
    snprintf(in.node, sizeof(in.node), "e-atlanta-02");
    snprintf(in.message, sizeof(in.message), "battery at 0.21");
    assert_int_equal(arc_codec_encode_event(w->codec, &in, &p, &n), ARC_OK);
    memset(&out, 0, sizeof(out));
    assert_int_equal(arc_codec_decode_event(w->codec, p, n, &out, NULL),
                     ARC_OK);
    assert_memory_equal(&in, &out, sizeof(in));
}

static void zone_summary_round_trips(void **state)
{
    world_t *w = *state;
    arc_msg_zone_summary_t in, out;
    const uint8_t *p;
    size_t n;

    memset(&in, 0, sizeof(in));
    in.seq = 3;
    in.time_us = FIX_NOW;
    in.zone = ARC_ZONE_CENTRAL;
    in.totals = *arc_mesh_zone_totals(w->mesh, ARC_ZONE_WEST);
    in.totals.power_by_source_kw[ARC_SOURCE_GAS] = 123.25;
    assert_int_equal(arc_codec_encode_zone_summary(w->codec, &in, &p, &n),
                     ARC_OK);
    memset(&out, 0, sizeof(out));
    assert_int_equal(arc_codec_decode_zone_summary(w->codec, p, n, &out, NULL),
                     ARC_OK);
    assert_memory_equal(&in, &out, sizeof(in));
}

static void request_round_trips(void **state)
{
    world_t *w = *state;
    arc_msg_request_t in, out;
    const uint8_t *p;
    size_t n;

    memset(&in, 0, sizeof(in));
    in.seq = 77;
    in.req.id = 1234567890123ULL;
    in.req.model = arc_model_count() - 1;
    in.req.priority = ARC_PRIO_BACKGROUND;
    in.req.lat = 35.93;
    in.req.lon = -84.31;
    in.req.arrival_us = FIX_NOW;
    in.req.deadline_us = FIX_NOW + ARC_US_PER_S;
    in.req.tokens = 512;
    assert_int_equal(arc_codec_encode_request(w->codec, &in, &p, &n), ARC_OK);
    memset(&out, 0, sizeof(out));
    assert_int_equal(arc_codec_decode_request(w->codec, p, n, &out, NULL),
                     ARC_OK);
    assert_memory_equal(&in, &out, sizeof(in));
}

static void outcome_round_trips(void **state)
{
    world_t *w = *state;
    arc_msg_outcome_t in, out;
    const uint8_t *p;
    size_t n;

    memset(&in, 0, sizeof(in));
    in.seq = 5;
    in.request_id = 99;
    in.status = ARC_ERR_UNAVAILABLE;
    in.reason = 2;
    snprintf(in.node, sizeof(in.node), "c-denver-03");
    in.zone = ARC_ZONE_CENTRAL;
    in.source = ARC_SOURCE_BATTERY;
    in.carbon_g = 1.5;
    in.energy_kwh = 0.02;
    in.rtt_ms = 12.5;
    in.queue_ms = 3.0;
    in.service_ms = 800.0;
    in.finished_us = FIX_NOW;
    in.slo_missed = true;
    assert_int_equal(arc_codec_encode_outcome(w->codec, &in, &p, &n), ARC_OK);
    memset(&out, 0, sizeof(out));
    assert_int_equal(arc_codec_decode_outcome(w->codec, p, n, &out, NULL),
                     ARC_OK);
    assert_memory_equal(&in, &out, sizeof(in));
}

static void encoder_refuses_what_it_cannot_write(void **state)
{
    world_t *w = *state;
    arc_telemetry_t t = sample_telemetry(w->node);
    const uint8_t *p;
    size_t n;

    assert_int_equal(arc_codec_encode_telemetry(
                         w->codec, "a-node-id-far-too-long-to-fit", &t, &p, &n),
                     ARC_ERR_INVALID);
    t.status = ARC_NODE_STATUS_COUNT;
    assert_int_equal(arc_codec_encode_telemetry(w->codec, "x", &t, &p, &n),
                     ARC_ERR_INVALID);
}

static void peek_reads_the_head_of_any_version(void **state)
{
    world_t *w = *state;
    arc_msg_head_t head;

    pack_tel(w, 3, 9, -1, NULL);
    assert_int_equal(arc_codec_peek(w->codec, (const uint8_t *)w->sb.data,
                                    w->sb.size, &head, NULL),
                     ARC_OK);
    assert_int_equal(head.type, ARC_MSG_TELEMETRY);
    assert_int_equal(head.version, 9);
    assert_int_equal(head.seq, 7);
}

/* ---- malformed input -------------------------------------------------- */

static void every_truncation_is_refused_as_truncated(void **state)
{
    world_t *w = *state;
    uint8_t buf[256];
    size_t n = encoded_telemetry(w, buf, sizeof(buf));

    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = malloc(cut + 1); /* exact size: ASan sees reads */

        memcpy(copy, buf, cut);
        assert_int_equal(decode_tel(w, copy, cut), ARC_CODEC_TRUNCATED);
        free(copy);
    }
}

static void trailing_bytes_are_malformed(void **state)
{
    world_t *w = *state;
    uint8_t buf[256];
    size_t n = encoded_telemetry(w, buf, sizeof(buf) - 1);

    buf[n] = 0x00;
    assert_int_equal(decode_tel(w, buf, n + 1), ARC_CODEC_MALFORMED);
}

static void bytes_that_are_not_messagepack_are_malformed(void **state)
{
    world_t *w = *state;
    const uint8_t never_used[] = {0x93, 0x01, 0x01, 0xc1};
    const uint8_t text[] = "hello, world";

    assert_int_equal(decode_tel(w, never_used, sizeof(never_used)),
                     ARC_CODEC_MALFORMED);
    assert_int_equal(decode_tel(w, text, sizeof(text) - 1),
                     ARC_CODEC_MALFORMED);
}

static void a_message_that_is_not_an_array_is_malformed(void **state)
{
    world_t *w = *state;
    const uint8_t map[] = {0x81, 0x01, 0x02};
    const uint8_t number[] = {0x07};

    assert_int_equal(decode_tel(w, map, sizeof(map)), ARC_CODEC_MALFORMED);
    assert_int_equal(decode_tel(w, number, sizeof(number)),
                     ARC_CODEC_MALFORMED);
}

static void huge_declared_sizes_are_refused(void **state)
{
    world_t *w = *state;
    const uint8_t array[] = {0x93, 0x01, 0x01, 0xdd, 0xff, 0xff, 0xff, 0xff};
    const uint8_t map[] = {0xdf, 0xff, 0xff, 0xff, 0xff};
    const uint8_t str[] = {0x93, 0x01, 0x01, 0xdb, 0xff, 0xff, 0xff, 0xf0};

    assert_int_equal(decode_tel(w, array, sizeof(array)), ARC_CODEC_TRUNCATED);
    assert_int_equal(decode_tel(w, map, sizeof(map)), ARC_CODEC_TRUNCATED);
    assert_int_equal(decode_tel(w, str, sizeof(str)), ARC_CODEC_TRUNCATED);
}

static void deep_nesting_is_malformed(void **state)
{
    world_t *w = *state;
    uint8_t deep[64];

    memset(deep, 0x91, sizeof(deep) - 1); /* [[[[...[0]...]]]] */
    deep[sizeof(deep) - 1] = 0x00;
    assert_int_equal(decode_tel(w, deep, sizeof(deep)), ARC_CODEC_MALFORMED);
}

static void put_str(msgpack_packer *pk)
{
    msgpack_pack_str_with_body(pk, "oops", 4);
}

static void put_nil(msgpack_packer *pk)
{
    msgpack_pack_nil(pk);
}

static void put_negative(msgpack_packer *pk)
{
    msgpack_pack_int32(pk, -1);
}

static void put_big(msgpack_packer *pk)
{
    msgpack_pack_uint32(pk, 70000);
}

static void put_nan(msgpack_packer *pk)
{
    msgpack_pack_double(pk, NAN);
}

static void put_sleeping(msgpack_packer *pk)
{
    msgpack_pack_str_with_body(pk, "sleeping", 8);
}

static void put_one_and_a_half(msgpack_packer *pk)
{
    msgpack_pack_float(pk, 1.5f);
}

static void put_nul_inside(msgpack_packer *pk)
{
    msgpack_pack_str_with_body(pk, "w-port\0and-01", 13);
}

static void a_hand_packed_message_decodes(void **state)
{
    world_t *w = *state;

    pack_tel(w, 15, 1, -1, NULL);
    assert_int_equal(decode_packed(w), ARC_CODEC_OK);
}

static void a_field_of_the_wrong_type_is_wrong_type(void **state)
{
    world_t *w = *state;

    pack_tel(w, 15, 1, 7, put_str); /* gpus_free as a string */
    assert_int_equal(decode_packed(w), ARC_CODEC_WRONG_TYPE);
    pack_tel(w, 15, 1, 3, put_nil); /* node id as nil */
    assert_int_equal(decode_packed(w), ARC_CODEC_WRONG_TYPE);
    pack_tel(w, 15, 1, 12, put_str); /* soc as a string */
    assert_int_equal(decode_packed(w), ARC_CODEC_WRONG_TYPE);
}

static void a_wrong_field_count_is_wrong_length(void **state)
{
    world_t *w = *state;

    pack_tel(w, 14, 1, -1, NULL);
    assert_int_equal(decode_packed(w), ARC_CODEC_WRONG_LENGTH);
    pack_tel(w, 16, 1, -1, NULL);
    assert_int_equal(decode_packed(w), ARC_CODEC_WRONG_LENGTH);
    pack_tel(w, 2, 1, -1, NULL);
    assert_int_equal(decode_packed(w), ARC_CODEC_WRONG_LENGTH);
}

static void values_out_of_range_are_bad_values(void **state)
{
    world_t *w = *state;

    pack_tel(w, 15, 1, 7, put_negative); /* gpus_free */
    assert_int_equal(decode_packed(w), ARC_CODEC_BAD_VALUE);
    pack_tel(w, 15, 1, 7, put_big); /* gpus_free past 65535 */
    assert_int_equal(decode_packed(w), ARC_CODEC_BAD_VALUE);
    pack_tel(w, 15, 1, 10, put_nan); /* gpu_util */
    assert_int_equal(decode_packed(w), ARC_CODEC_BAD_VALUE);
    pack_tel(w, 15, 1, 5, put_sleeping); /* status */
    assert_int_equal(decode_packed(w), ARC_CODEC_BAD_VALUE);
    pack_tel(w, 15, 1, 12, put_one_and_a_half); /* soc */
    assert_int_equal(decode_packed(w), ARC_CODEC_BAD_VALUE);
    pack_tel(w, 15, 1, 3, put_nul_inside); /* node id */
    assert_int_equal(decode_packed(w), ARC_CODEC_BAD_VALUE);
}

static void an_unknown_version_is_refused(void **state)
{
    world_t *w = *state;

    pack_tel(w, 15, 2, -1, NULL);
    assert_int_equal(decode_packed(w), ARC_CODEC_UNKNOWN_VERSION);
    pack_tel(w, 17, 2, -1, NULL); /* a newer layout, more fields */
    assert_int_equal(decode_packed(w), ARC_CODEC_UNKNOWN_VERSION);
}

static void another_type_is_refused_as_unknown_type(void **state)
{
    world_t *w = *state;
    arc_event_t ev;
    arc_codec_error_t why;
    uint8_t buf[256];
    size_t n = encoded_telemetry(w, buf, sizeof(buf));

    assert_int_equal(arc_codec_decode_event(w->codec, buf, n, &ev, &why),
                     ARC_ERR_INVALID);
    assert_int_equal(why, ARC_CODEC_UNKNOWN_TYPE);
}

static void error_names_are_stable(void **state)
{
    (void)state;
    assert_string_equal(arc_codec_error_name(ARC_CODEC_TRUNCATED), "truncated");
    assert_string_equal(arc_codec_error_name(ARC_CODEC_UNKNOWN_VERSION),
                        "unknown-version");
    assert_string_equal(arc_codec_error_name(ARC_CODEC_ERROR_COUNT), "unknown");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(telemetry_round_trips),
        T(telemetry_bytes_are_the_packers),
        T(wide_encodings_decode_alike),
        T(telemetry_for_an_unknown_node_is_not_found),
        T(event_round_trips),
        T(zone_summary_round_trips),
        T(request_round_trips),
        T(outcome_round_trips),
        T(encoder_refuses_what_it_cannot_write),
        T(peek_reads_the_head_of_any_version),
        T(every_truncation_is_refused_as_truncated),
        T(trailing_bytes_are_malformed),
        T(bytes_that_are_not_messagepack_are_malformed),
        T(a_message_that_is_not_an_array_is_malformed),
        T(huge_declared_sizes_are_refused),
        T(deep_nesting_is_malformed),
        T(a_hand_packed_message_decodes),
        T(a_field_of_the_wrong_type_is_wrong_type),
        T(a_wrong_field_count_is_wrong_length),
        T(values_out_of_range_are_bad_values),
        T(an_unknown_version_is_refused),
        T(another_type_is_refused_as_unknown_type),
        T(error_names_are_stable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
