/*
 * codec.c - the codec's buffers, the opening of every message and the
 * telemetry message, the one on the hot path.
 *
 * One idea: before msgpack-c unpacks anything, a bounds scan walks the
 * bytes once and checks that every value ends inside the message and
 * that no container declares more elements than bytes remain. msgpack-c
 * sizes its allocations from those declared counts, so after the scan
 * the unpacker can allocate at most a few times the message's own
 * length, and a hostile "array of four billion" costs nothing. The scan
 * also sorts failures into truncated (ends early) and malformed.
 *
 * Every message ArcNet writes is one array of scalars, so a flat path
 * comes first: one pass over the bytes that builds the very objects
 * msgpack-c would, into an array the codec keeps, with no scan and no
 * zone. It takes only what it fully understands (an array of at most
 * ARC_CODEC_FLAT_MAX integers, floats, strings, booleans or nils, every
 * byte used); anything else goes the general way, which decides what
 * is wrong with it, so both ways refuse and accept the same messages.
 *
 * Threads: the owner of the codec. Memory: the codec owns its encode
 * buffer and decode zone; both are reused, so steady-state encoding and
 * decoding allocate nothing.
 */
#include "bus/codec_impl.h"

#include <stdlib.h>
#include <string.h>

#define ZONE_CHUNK       4096
#define TELEMETRY_FIELDS 15

static const char *const error_names[ARC_CODEC_ERROR_COUNT] = {
    "ok",           "truncated",       "malformed",
    "wrong-type",   "wrong-length",    "bad-value",
    "unknown-type", "unknown-version", "unknown-node",
};

const char *arc_codec_error_name(arc_codec_error_t err)
{
    if ((unsigned)err >= ARC_CODEC_ERROR_COUNT)
        return "unknown";
    return error_names[err];
}

arc_codec_t *arc_codec_new(void)
{
    arc_codec_t *codec = calloc(1, sizeof(*codec));

    if (codec == NULL)
        return NULL;
    msgpack_sbuffer_init(&codec->out);
    msgpack_packer_init(&codec->pk, &codec->out, msgpack_sbuffer_write);
    if (!msgpack_zone_init(&codec->zone, ZONE_CHUNK)) {
        free(codec);
        return NULL;
    }
    return codec;
}

void arc_codec_free(arc_codec_t *codec)
{
    if (codec == NULL)
        return;
    msgpack_sbuffer_destroy(&codec->out);
    msgpack_zone_destroy(&codec->zone);
    free(codec);
}

/* ---- encoding helpers ------------------------------------------------- */

void arc_codec_begin(arc_codec_t *codec, arc_msg_type_t type, uint32_t fields,
                     uint64_t seq)
{
    msgpack_sbuffer_clear(&codec->out);
    msgpack_pack_array(&codec->pk, fields);
    msgpack_pack_uint32(&codec->pk, (uint32_t)type);
    msgpack_pack_uint32(&codec->pk, ARC_MSG_VERSION);
    msgpack_pack_uint64(&codec->pk, seq);
}

void arc_codec_put_str(arc_codec_t *codec, const char *s)
{
    size_t n = s == NULL ? 0 : strlen(s);

    msgpack_pack_str(&codec->pk, n);
    if (n > 0)
        msgpack_pack_str_body(&codec->pk, s, n);
}

arc_status_t arc_codec_finish(arc_codec_t *codec, const uint8_t **data,
                              size_t *len)
{
    *data = (const uint8_t *)codec->out.data;
    *len = codec->out.size;
    return ARC_OK;
}

/* ---- the bounds scan -------------------------------------------------- */

static uint64_t read_be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/*
 * The layout of a value, from its first byte: how many bytes follow the
 * first (`extra`); whether the first `lenw` of them give the length of
 * a body after them, or the first `elems_w` an element count; for fix
 * containers the count itself. Maps hold two values per element.
 */
typedef struct shape {
    unsigned extra;   /* fixed bytes after the first */
    unsigned lenw;    /* width of a length field at the end of `extra` */
    unsigned elems_w; /* width of an element count at the end */
    uint64_t elems;   /* elements of a fix container */
    unsigned mul;     /* 2 for maps */
    bool bad;
} shape_t;

static shape_t shape_of(uint8_t b)
{
    shape_t s = {0, 0, 0, 0, 1, false};

    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
        return s;
    if (b <= 0x8f) {
        s.elems = b & 0x0f;
        s.mul = 2;
    } else if (b <= 0x9f) {
        s.elems = b & 0x0f;
    } else if (b <= 0xbf) {
        s.extra = b & 0x1f;
    } else if (b >= 0xc4 && b <= 0xc6) {
        s.lenw = 1u << (b - 0xc4);
        s.extra = s.lenw;
    } else if (b >= 0xc7 && b <= 0xc9) {
        s.lenw = 1u << (b - 0xc7);
        s.extra = s.lenw + 1;
    } else if (b == 0xca || b == 0xcb) {
        s.extra = b == 0xca ? 4 : 8;
    } else if (b >= 0xcc && b <= 0xd3) {
        s.extra = 1u << ((b - 0xcc) & 3);
    } else if (b >= 0xd4 && b <= 0xd8) {
        s.extra = 1 + (1u << (b - 0xd4));
    } else if (b >= 0xd9 && b <= 0xdb) {
        s.lenw = 1u << (b - 0xd9);
        s.extra = s.lenw;
    } else if (b >= 0xdc && b <= 0xdf) {
        s.elems_w = (b & 1) ? 4 : 2;
        s.extra = s.elems_w;
        s.mul = b >= 0xde ? 2 : 1;
    } else {
        s.bad = true; /* 0xc1: never used */
    }
    return s;
}

/* Containers may nest this deep; bus messages use two levels. */
#define MAX_DEPTH 8

static arc_codec_error_t scan(const uint8_t *data, size_t len)
{
    uint64_t left[MAX_DEPTH + 1] = {1};
    uint64_t pending = 1; /* values still to read, at every depth */
    int depth = 0;
    size_t pos = 0;

    while (depth >= 0) {
        shape_t s;
        uint64_t body = 0;

        if (left[depth] == 0) {
            depth--;
            continue;
        }
        if (pos >= len)
            return ARC_CODEC_TRUNCATED;
        s = shape_of(data[pos]);
        if (s.bad)
            return ARC_CODEC_MALFORMED;
        if (len - pos - 1 < s.extra)
            return ARC_CODEC_TRUNCATED;
        if (s.lenw > 0)
            body = read_be(data + pos + 1, s.lenw);
        if (s.elems_w > 0)
            s.elems = read_be(data + pos + 1, s.elems_w);
        left[depth]--;
        pending = pending - 1 + s.elems * s.mul;
        pos += 1 + s.extra;
        if (body > len - pos || pending > len - pos)
            return ARC_CODEC_TRUNCATED;
        pos += (size_t)body;
        if (s.elems > 0) {
            if (depth == MAX_DEPTH)
                return ARC_CODEC_MALFORMED;
            left[++depth] = s.elems * s.mul;
        }
    }
    return pos == len ? ARC_CODEC_OK : ARC_CODEC_MALFORMED;
}

/* ---- the flat path ---------------------------------------------------- */

/* Reads one scalar at p (left bytes) as msgpack-c would build it;
 * returns its length, or 0 for anything else or too few bytes. */
static size_t read_scalar(const uint8_t *p, size_t left, msgpack_object *o)
{
    uint8_t b = p[0];
    size_t head = 1, body = 0;
    uint32_t bits32;
    uint64_t bits64;
    float f;

    if (b <= 0x7f) {
        o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
        o->via.u64 = b;
    } else if (b >= 0xe0) {
        o->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
        o->via.i64 = (int8_t)b;
    } else if (b >= 0xa0 && b <= 0xbf) {
        body = b & 0x1f;
    } else if (b == 0xc0) {
        o->type = MSGPACK_OBJECT_NIL;
    } else if (b == 0xc2 || b == 0xc3) {
        o->type = MSGPACK_OBJECT_BOOLEAN;
        o->via.boolean = b == 0xc3;
    } else if (b == 0xca || b == 0xcb) {
        head += b == 0xca ? 4 : 8;
    } else if (b >= 0xcc && b <= 0xd3) {
        head += 1u << ((b - 0xcc) & 3);
    } else if (b >= 0xd9 && b <= 0xdb) {
        head += 1u << (b - 0xd9);
        if (head > left)
            return 0;
        body = (size_t)read_be(p + 1, (unsigned)head - 1);
    } else {
        return 0; /* a container, bin, ext or the unused 0xc1 */
    }
    if (head > left || body > left - head)
        return 0;

    if ((b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb)) {
        o->type = MSGPACK_OBJECT_STR;
        o->via.str.ptr = (const char *)p + head;
        o->via.str.size = (uint32_t)body;
    } else if (b == 0xca) {
        bits32 = (uint32_t)read_be(p + 1, 4);
        memcpy(&f, &bits32, sizeof(f));
        o->type = MSGPACK_OBJECT_FLOAT32;
        o->via.f64 = f;
    } else if (b == 0xcb) {
        bits64 = read_be(p + 1, 8);
        o->type = MSGPACK_OBJECT_FLOAT64;
        memcpy(&o->via.f64, &bits64, sizeof(o->via.f64));
    } else if (b >= 0xcc && b <= 0xcf) {
        o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
        o->via.u64 = read_be(p + 1, (unsigned)head - 1);
    } else if (b >= 0xd0 && b <= 0xd3) {
        unsigned w = (unsigned)head - 1;
        uint64_t raw = read_be(p + 1, w);
        int64_t v = w == 8 ? (int64_t)raw
                           : (int64_t)(raw ^ (1ull << (8 * w - 1))) -
                                 (int64_t)(1ull << (8 * w - 1));

        o->type = v < 0 ? MSGPACK_OBJECT_NEGATIVE_INTEGER
                        : MSGPACK_OBJECT_POSITIVE_INTEGER;
        if (v < 0)
            o->via.i64 = v;
        else
            o->via.u64 = (uint64_t)v;
    }
    return head + body;
}

/* An array of scalars using every byte, into codec->flat; false for
 * anything else. */
static bool flat_unpack(arc_codec_t *codec, const uint8_t *data, size_t len,
                        msgpack_object *obj)
{
    size_t pos = 1, n;

    if (len == 0)
        return false;
    if (data[0] >= 0x90 && data[0] <= 0x9f) {
        n = data[0] & 0x0f;
    } else if (data[0] == 0xdc && len >= 3) {
        n = (size_t)read_be(data + 1, 2);
        pos = 3;
    } else {
        return false;
    }
    if (n > ARC_CODEC_FLAT_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        size_t used = pos < len ? read_scalar(data + pos, len - pos,
                                              &codec->flat[i])
                                : 0;

        if (used == 0)
            return false;
        pos += used;
    }
    if (pos != len)
        return false;
    obj->type = MSGPACK_OBJECT_ARRAY;
    obj->via.array.size = (uint32_t)n;
    obj->via.array.ptr = codec->flat;
    return true;
}

/* ---- opening a message ------------------------------------------------ */

static arc_codec_error_t unpack(arc_codec_t *codec, const uint8_t *data,
                                size_t len, msgpack_object *obj, bool *nomem)
{
    arc_codec_error_t err;
    size_t off = 0;
    msgpack_unpack_return r;

    if (flat_unpack(codec, data, len, obj))
        return ARC_CODEC_OK;
    err = scan(data, len);
    if (err != ARC_CODEC_OK)
        return err;
    msgpack_zone_clear(&codec->zone);
    r = msgpack_unpack((const char *)data, len, &off, &codec->zone, obj);
    if (r == MSGPACK_UNPACK_NOMEM_ERROR)
        *nomem = true;
    if (r == MSGPACK_UNPACK_CONTINUE)
        return ARC_CODEC_TRUNCATED;
    if (r != MSGPACK_UNPACK_SUCCESS)
        return ARC_CODEC_MALFORMED;
    return obj->type == MSGPACK_OBJECT_ARRAY ? ARC_CODEC_OK
                                             : ARC_CODEC_MALFORMED;
}

static arc_codec_error_t read_head(const msgpack_object *arr,
                                   arc_msg_head_t *head)
{
    const msgpack_object *e = arr->via.array.ptr;
    uint64_t type, version;
    arc_codec_error_t err;

    if (arr->via.array.size < 3)
        return ARC_CODEC_WRONG_LENGTH;
    err = arc_codec_get_u64(&e[0], UINT32_MAX, &type);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_u64(&e[1], UINT32_MAX, &version);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_u64(&e[2], UINT64_MAX, &head->seq);
    if (err != ARC_CODEC_OK)
        return err;
    head->type = (uint32_t)type;
    head->version = (uint32_t)version;
    return ARC_CODEC_OK;
}

arc_codec_error_t arc_codec_open(arc_codec_t *codec, const uint8_t *data,
                                 size_t len, arc_msg_type_t type,
                                 uint32_t fields, const msgpack_object **elems,
                                 uint64_t *seq, bool *nomem)
{
    msgpack_object obj;
    arc_msg_head_t head;
    arc_codec_error_t err;

    *nomem = false;
    if (data == NULL)
        return ARC_CODEC_TRUNCATED;
    err = unpack(codec, data, len, &obj, nomem);
    if (err == ARC_CODEC_OK)
        err = read_head(&obj, &head);
    if (err != ARC_CODEC_OK)
        return err;

    if (head.type != (uint32_t)type)
        return ARC_CODEC_UNKNOWN_TYPE;
    if (head.version != ARC_MSG_VERSION)
        return ARC_CODEC_UNKNOWN_VERSION;
    if (obj.via.array.size != fields)
        return ARC_CODEC_WRONG_LENGTH;
    *elems = obj.via.array.ptr;
    *seq = head.seq;
    return ARC_CODEC_OK;
}

arc_status_t arc_codec_fail(arc_codec_error_t err, bool nomem,
                            arc_codec_error_t *why)
{
    if (why != NULL)
        *why = err;
    if (nomem)
        return ARC_ERR_NOMEM;
    return err == ARC_CODEC_UNKNOWN_NODE ? ARC_ERR_NOT_FOUND : ARC_ERR_INVALID;
}

arc_status_t arc_codec_peek(arc_codec_t *codec, const uint8_t *data, size_t len,
                            arc_msg_head_t *out, arc_codec_error_t *why)
{
    msgpack_object obj;
    arc_msg_head_t head;
    bool nomem = false;
    arc_codec_error_t err = ARC_CODEC_TRUNCATED;

    if (data != NULL)
        err = unpack(codec, data, len, &obj, &nomem);
    if (err == ARC_CODEC_OK)
        err = read_head(&obj, &head);
    if (err != ARC_CODEC_OK)
        return arc_codec_fail(err, nomem, why);
    *out = head;
    if (why != NULL)
        *why = ARC_CODEC_OK;
    return ARC_OK;
}

/* ---- telemetry -------------------------------------------------------- */

/*
 * The telemetry message is written by hand into one stack buffer and
 * copied into the encode buffer once: byte for byte what msgpack-c's
 * packer writes (the smallest integer form, float32, fixstr), without
 * its call per field. The longest message is 104 bytes.
 */
#define TELEMETRY_MAX 128

/*
 * A node id (at most ARC_NODE_ID_MAX - 1 characters) is written as a
 * fixstr, and the longest message is its characters plus 81 bytes.
 */
_Static_assert(ARC_NODE_ID_MAX <= 32, "node ids fit a msgpack fixstr");
_Static_assert(ARC_NODE_ID_MAX + 80 <= TELEMETRY_MAX,
               "the longest telemetry message fits its buffer");

static uint8_t *put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return p + n;
}

static uint8_t *put_uint(uint8_t *p, uint64_t v)
{
    if (v < 0x80) {
        *p = (uint8_t)v;
        return p + 1;
    }
    if (v <= UINT8_MAX) {
        *p = 0xcc;
        return put_be(p + 1, v, 1);
    }
    if (v <= UINT16_MAX) {
        *p = 0xcd;
        return put_be(p + 1, v, 2);
    }
    if (v <= UINT32_MAX) {
        *p = 0xce;
        return put_be(p + 1, v, 4);
    }
    *p = 0xcf;
    return put_be(p + 1, v, 8);
}

static uint8_t *put_int(uint8_t *p, int64_t v)
{
    if (v >= 0)
        return put_uint(p, (uint64_t)v);
    if (v >= -32) {
        *p = (uint8_t)v; /* negative fixint */
        return p + 1;
    }
    if (v >= INT8_MIN) {
        *p = 0xd0;
        return put_be(p + 1, (uint64_t)v, 1);
    }
    if (v >= INT16_MIN) {
        *p = 0xd1;
        return put_be(p + 1, (uint64_t)v, 2);
    }
    if (v >= INT32_MIN) {
        *p = 0xd2;
        return put_be(p + 1, (uint64_t)v, 4);
    }
    *p = 0xd3;
    return put_be(p + 1, (uint64_t)v, 8);
}

static uint8_t *put_float(uint8_t *p, float f)
{
    uint32_t bits;

    memcpy(&bits, &f, sizeof(bits));
    *p = 0xca;
    return put_be(p + 1, bits, 4);
}

/* A string shorter than 32 bytes (every one telemetry carries). */
static uint8_t *put_short_str(uint8_t *p, const char *s, size_t n)
{
    *p = (uint8_t)(0xa0 | n);
    memcpy(p + 1, s, n);
    return p + 1 + n;
}

arc_status_t arc_codec_encode_telemetry(arc_codec_t *codec, const char *node_id,
                                        const arc_telemetry_t *t,
                                        const uint8_t **data, size_t *len)
{
    uint8_t buf[TELEMETRY_MAX], *p = buf;
    const char *status, *source;
    size_t id_len;

    if (node_id == NULL || node_id[0] == '\0' ||
        (id_len = strlen(node_id)) >= ARC_NODE_ID_MAX ||
        t->status >= ARC_NODE_STATUS_COUNT ||
        t->energy_source >= ARC_SOURCE_COUNT)
        return ARC_ERR_INVALID;
    status = arc_node_status_name(t->status);
    source = arc_source_name(t->energy_source);

    *p++ = 0x90 | TELEMETRY_FIELDS;
    p = put_uint(p, ARC_MSG_TELEMETRY);
    p = put_uint(p, ARC_MSG_VERSION);
    p = put_uint(p, t->seq);
    p = put_short_str(p, node_id, id_len);
    p = put_int(p, t->time_us);
    p = put_short_str(p, status, strlen(status));
    p = put_short_str(p, source, strlen(source));
    p = put_uint(p, t->gpus_free);
    p = put_uint(p, t->models);
    p = put_uint(p, t->queue_depth);
    p = put_float(p, t->gpu_util);
    p = put_float(p, t->gpu_mem_used_gb);
    p = put_float(p, t->battery_soc);
    p = put_float(p, t->power_kw);
    p = put_float(p, t->carbon_g_per_kwh);

    msgpack_sbuffer_clear(&codec->out);
    if (msgpack_sbuffer_write(&codec->out, (const char *)buf,
                              (size_t)(p - buf)) != 0)
        return ARC_ERR_NOMEM;
    return arc_codec_finish(codec, data, len);
}

static arc_codec_error_t read_counts(const msgpack_object *e,
                                     arc_telemetry_t *t)
{
    uint64_t gpus, models, depth;
    arc_codec_error_t err;

    err = arc_codec_get_status(&e[5], &t->status);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_source(&e[6], &t->energy_source);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_u64(&e[7], UINT16_MAX, &gpus);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_u64(&e[8], UINT32_MAX, &models);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_u64(&e[9], UINT32_MAX, &depth);
    if (err != ARC_CODEC_OK)
        return err;
    t->gpus_free = (uint16_t)gpus;
    t->models = (uint32_t)models;
    t->queue_depth = (uint32_t)depth;
    return ARC_CODEC_OK;
}

static arc_codec_error_t read_gauges(const msgpack_object *e,
                                     arc_telemetry_t *t)
{
    arc_codec_error_t err;

    err = arc_codec_get_f32(&e[10], 1.0f, &t->gpu_util);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_f32(&e[11], 1e9f, &t->gpu_mem_used_gb);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_f32(&e[12], 1.0f, &t->battery_soc);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_f32(&e[13], 1e9f, &t->power_kw);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_f32(&e[14], 1e9f, &t->carbon_g_per_kwh);
    return err;
}

static arc_codec_error_t read_node(const msgpack_object *o,
                                   const arc_mesh_t *mesh, uint32_t *node)
{
    char id[ARC_NODE_ID_MAX];
    arc_codec_error_t err = arc_codec_get_str(o, id, sizeof(id), true);

    if (err != ARC_CODEC_OK)
        return err;
    if (arc_mesh_find(mesh, id, node) != ARC_OK)
        return ARC_CODEC_UNKNOWN_NODE;
    return ARC_CODEC_OK;
}

arc_status_t arc_codec_decode_telemetry(arc_codec_t *codec,
                                        const arc_mesh_t *mesh,
                                        const uint8_t *data, size_t len,
                                        arc_telemetry_t *out,
                                        arc_codec_error_t *why)
{
    const msgpack_object *e = NULL;
    arc_telemetry_t t;
    bool nomem;
    arc_codec_error_t err;

    memset(&t, 0, sizeof(t));
    err = arc_codec_open(codec, data, len, ARC_MSG_TELEMETRY, TELEMETRY_FIELDS,
                         &e, &t.seq, &nomem);
    if (err == ARC_CODEC_OK && t.seq == 0)
        err = ARC_CODEC_BAD_VALUE;
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_i64(&e[4], &t.time_us);
    if (err == ARC_CODEC_OK)
        err = read_counts(e, &t);
    if (err == ARC_CODEC_OK)
        err = read_gauges(e, &t);
    if (err == ARC_CODEC_OK)
        err = read_node(&e[3], mesh, &t.node);
    if (err != ARC_CODEC_OK)
        return arc_codec_fail(err, nomem, why);

    *out = t;
    if (why != NULL)
        *why = ARC_CODEC_OK;
    return ARC_OK;
}
