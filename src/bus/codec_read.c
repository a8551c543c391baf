/*
 * codec_read.c - strict readers of one decoded MessagePack field each:
 * integers in range, finite numbers, booleans, bounded strings and the
 * enumerations that travel by their wire names.
 *
 * One idea: a reader either returns the value exactly as the schema
 * says or names what was wrong with it (wrong-type for the wrong
 * MessagePack type, bad-value for the right type out of range), and
 * writes nothing on failure. Threads: any (no state). Memory: strings
 * are copied into the caller's buffer.
 */
#include "bus/codec_impl.h"

#include <math.h>
#include <string.h>

/* Enum names are short; longer strings cannot name anything. */
#define NAME_MAX_LEN 32

arc_codec_error_t arc_codec_get_u64(const msgpack_object *o, uint64_t max,
                                    uint64_t *out)
{
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return ARC_CODEC_BAD_VALUE;
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return ARC_CODEC_WRONG_TYPE;
    if (o->via.u64 > max)
        return ARC_CODEC_BAD_VALUE;
    *out = o->via.u64;
    return ARC_CODEC_OK;
}

arc_codec_error_t arc_codec_get_i64(const msgpack_object *o, int64_t *out)
{
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = o->via.i64;
        return ARC_CODEC_OK;
    }
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return ARC_CODEC_WRONG_TYPE;
    if (o->via.u64 > (uint64_t)INT64_MAX)
        return ARC_CODEC_BAD_VALUE;
    *out = (int64_t)o->via.u64;
    return ARC_CODEC_OK;
}

arc_codec_error_t arc_codec_get_f64(const msgpack_object *o, double *out)
{
    double v;

    switch (o->type) {
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        v = o->via.f64;
        break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        v = (double)o->via.u64;
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        v = (double)o->via.i64;
        break;
    default:
        return ARC_CODEC_WRONG_TYPE;
    }
    if (!isfinite(v))
        return ARC_CODEC_BAD_VALUE;
    *out = v;
    return ARC_CODEC_OK;
}

arc_codec_error_t arc_codec_get_f32(const msgpack_object *o, float max,
                                    float *out)
{
    double v;
    arc_codec_error_t err = arc_codec_get_f64(o, &v);

    if (err != ARC_CODEC_OK)
        return err;
    if (!(v >= 0.0 && v <= (double)max))
        return ARC_CODEC_BAD_VALUE;
    *out = (float)v;
    return ARC_CODEC_OK;
}

arc_codec_error_t arc_codec_get_bool(const msgpack_object *o, bool *out)
{
    if (o->type != MSGPACK_OBJECT_BOOLEAN)
        return ARC_CODEC_WRONG_TYPE;
    *out = o->via.boolean;
    return ARC_CODEC_OK;
}

arc_codec_error_t arc_codec_get_str(const msgpack_object *o, char *buf,
                                    size_t cap, bool nonempty)
{
    uint32_t n;

    if (o->type != MSGPACK_OBJECT_STR)
        return ARC_CODEC_WRONG_TYPE;
    n = o->via.str.size;
    if (n >= cap || (nonempty && n == 0))
        return ARC_CODEC_BAD_VALUE;
    if (n > 0 && memchr(o->via.str.ptr, '\0', n) != NULL)
        return ARC_CODEC_BAD_VALUE;
    if (n > 0)
        memcpy(buf, o->via.str.ptr, n);
    buf[n] = '\0';
    return ARC_CODEC_OK;
}

/* Reads a name and hands it to a parser of wire names. */
typedef arc_status_t (*parse_fn)(const char *s, void *out);

static arc_codec_error_t get_named(const msgpack_object *o, parse_fn parse,
                                   void *out)
{
    char name[NAME_MAX_LEN];
    arc_codec_error_t err = arc_codec_get_str(o, name, sizeof(name), true);

    if (err != ARC_CODEC_OK)
        return err;
    return parse(name, out) == ARC_OK ? ARC_CODEC_OK : ARC_CODEC_BAD_VALUE;
}

static arc_status_t parse_zone(const char *s, void *out)
{
    arc_zone_t z;
    arc_status_t st = arc_zone_parse(s, &z);

    if (st == ARC_OK)
        *(uint8_t *)out = (uint8_t)z;
    return st;
}

static arc_status_t parse_status(const char *s, void *out)
{
    arc_node_status_t v;
    arc_status_t st = arc_node_status_parse(s, &v);

    if (st == ARC_OK)
        *(uint8_t *)out = (uint8_t)v;
    return st;
}

static arc_status_t parse_source(const char *s, void *out)
{
    arc_energy_source_t v;
    arc_status_t st = arc_source_parse(s, &v);

    if (st == ARC_OK)
        *(uint8_t *)out = (uint8_t)v;
    return st;
}

arc_codec_error_t arc_codec_get_zone(const msgpack_object *o, uint8_t *out)
{
    return get_named(o, parse_zone, out);
}

arc_codec_error_t arc_codec_get_status(const msgpack_object *o, uint8_t *out)
{
    return get_named(o, parse_status, out);
}

arc_codec_error_t arc_codec_get_source(const msgpack_object *o, uint8_t *out)
{
    return get_named(o, parse_source, out);
}
