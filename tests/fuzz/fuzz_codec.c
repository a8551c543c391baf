/*
 * fuzz_codec.c - every decoder of the bus codec at once: the first byte
 * picks the decoder (telemetry, event, zone summary, inference request,
 * inference outcome, the head peek, or the ingest handler that routes
 * by type), the rest is the message. Each must refuse bad input with a
 * reason and never crash, hang or leak; whatever decodes must encode
 * again and decode to the same value (the codec is its own oracle).
 *
 * The mesh the telemetry decoder resolves ids against is built once and
 * holds the nodes the committed corpus names.
 */
#include <stdlib.h>
#include <string.h>

#include "bus/codec.h"
#include "bus/ingest.h"
#include "fuzz.h"

static arc_mesh_t *mesh;
static arc_codec_t *codec;
static arc_codec_t *codec2;
static arc_ingest_t *ingest;

static void quiet(void *ctx, arc_bus_log_level_t level, const char *line)
{
    (void)ctx;
    (void)level;
    (void)line;
}

static void add_node(const char *id, double lat, double lon)
{
    arc_node_t n;

    memset(&n, 0, sizeof(n));
    memcpy(n.id, id, strlen(id));
    n.site = "fuzz";
    n.lat = lat;
    n.lon = lon;
    n.zone = ARC_ZONE_WEST;
    n.gpus_total = 8;
    n.gpus_free = 8;
    n.battery_kwh = 100.0f;
    arc_mesh_add(mesh, &n, NULL);
}

static void init_once(void)
{
    if (mesh != NULL)
        return;
    mesh = arc_mesh_new();
    codec = arc_codec_new();
    codec2 = arc_codec_new();
    if (mesh == NULL || codec == NULL || codec2 == NULL)
        abort();
    add_node("w-a", 45.0, -122.0);
    add_node("w-portland-01", 45.5, -122.7);
    ingest = arc_ingest_new(mesh, NULL, quiet, NULL);
    if (ingest == NULL)
        abort();
}

/* A refusal must name a reason; success must name none. */
static void check_reason(arc_status_t st, arc_codec_error_t why)
{
    if ((st == ARC_OK) != (why == ARC_CODEC_OK))
        abort();
    if ((unsigned)why >= ARC_CODEC_ERROR_COUNT)
        abort();
}

/*
 * The oracle: re-encoding a decoded value and decoding that must give
 * bytes that encode identically (compared as bytes, so struct padding
 * plays no part).
 */
static uint8_t first[4096];

static void keep(const uint8_t *out, size_t len, size_t *kept)
{
    if (len > sizeof(first))
        abort();
    memcpy(first, out, len);
    *kept = len;
}

static void same(const uint8_t *out, size_t len, size_t kept)
{
    if (len != kept || memcmp(out, first, len) != 0)
        abort();
}

static void fuzz_telemetry(const uint8_t *p, size_t n)
{
    arc_telemetry_t a, b;
    arc_codec_error_t why = ARC_CODEC_ERROR_COUNT;
    const uint8_t *out;
    size_t len, kept;
    const char *id;
    arc_status_t st = arc_codec_decode_telemetry(codec, mesh, p, n, &a, &why);

    check_reason(st, why);
    if (st != ARC_OK)
        return;
    id = arc_mesh_node(mesh, a.node)->id;
    if (arc_codec_encode_telemetry(codec2, id, &a, &out, &len) != ARC_OK)
        abort();
    keep(out, len, &kept);
    if (arc_codec_decode_telemetry(codec, mesh, first, kept, &b, NULL) !=
            ARC_OK ||
        arc_codec_encode_telemetry(codec2, id, &b, &out, &len) != ARC_OK)
        abort();
    same(out, len, kept);
}

/* The same oracle for the types that need no mesh. */
#define ORACLE(name, type, decode, encode)                                     \
    static void name(const uint8_t *p, size_t n)                               \
    {                                                                          \
        type a, b;                                                             \
        arc_codec_error_t why = ARC_CODEC_ERROR_COUNT;                         \
        const uint8_t *out;                                                    \
        size_t len, kept;                                                      \
        arc_status_t st = decode(codec, p, n, &a, &why);                       \
                                                                               \
        check_reason(st, why);                                                 \
        if (st != ARC_OK)                                                      \
            return;                                                            \
        if (encode(codec2, &a, &out, &len) != ARC_OK)                          \
            abort();                                                           \
        keep(out, len, &kept);                                                 \
        if (decode(codec, first, kept, &b, NULL) != ARC_OK ||                  \
            encode(codec2, &b, &out, &len) != ARC_OK)                          \
            abort();                                                           \
        same(out, len, kept);                                                  \
    }

ORACLE(fuzz_event, arc_event_t, arc_codec_decode_event, arc_codec_encode_event)
ORACLE(fuzz_summary, arc_msg_zone_summary_t, arc_codec_decode_zone_summary,
       arc_codec_encode_zone_summary)
ORACLE(fuzz_request, arc_msg_request_t, arc_codec_decode_request,
       arc_codec_encode_request)
ORACLE(fuzz_outcome, arc_msg_outcome_t, arc_codec_decode_outcome,
       arc_codec_encode_outcome)

static void fuzz_peek(const uint8_t *p, size_t n)
{
    arc_msg_head_t head;
    arc_codec_error_t why = ARC_CODEC_ERROR_COUNT;
    arc_status_t st = arc_codec_peek(codec, p, n, &head, &why);

    check_reason(st, why);
}

static void fuzz_ingest(const uint8_t *p, size_t n)
{
    arc_bus_msg_t msg = {
        .topic = "fuzz", .value = p, .value_len = n, .offset = 0};
    arc_status_t st = arc_ingest_handle(ingest, &msg);

    if (!arc_bus_answer_commits(st))
        abort(); /* no hook here can ask for a retry */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data + 1;
    size_t n = size - 1;

    if (size == 0)
        return 0;
    init_once();
    switch (data[0] % 7) {
    case 0:
        fuzz_telemetry(p, n);
        break;
    case 1:
        fuzz_event(p, n);
        break;
    case 2:
        fuzz_summary(p, n);
        break;
    case 3:
        fuzz_request(p, n);
        break;
    case 4:
        fuzz_outcome(p, n);
        break;
    case 5:
        fuzz_peek(p, n);
        break;
    default:
        fuzz_ingest(p, n);
        break;
    }
    return 0;
}
