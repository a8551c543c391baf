/*
 * codec_impl.h - what the codec's files share: the codec's buffers, the
 * opening of a message (bounds scan, unpack, head checks) and the strict
 * readers of one field each. Not for use outside src/bus/codec*.c.
 *
 * Every reader returns ARC_CODEC_OK or the reason it refused the field,
 * and writes its output only on success. Threads and memory: as codec.h.
 */
#ifndef ARC_BUS_CODEC_IMPL_H
#define ARC_BUS_CODEC_IMPL_H

#include <msgpack.h>

#include "bus/codec.h"

/* Elements of the longest array the flat path reads (codec.c). */
#define ARC_CODEC_FLAT_MAX 24

struct arc_codec {
    msgpack_sbuffer out; /* encode buffer, reused */
    msgpack_packer pk;   /* writes into `out` */
    msgpack_zone zone;   /* decode zone, cleared before each message */
    msgpack_object flat[ARC_CODEC_FLAT_MAX]; /* elements read by the flat
                                                path, until the next
                                                decode */
};

/* Empties the encode buffer and writes the head of a message of
 * `fields` elements (head included). */
void arc_codec_begin(arc_codec_t *codec, arc_msg_type_t type, uint32_t fields,
                     uint64_t seq);

/* Writes a string field (may be NULL: written as ""). */
void arc_codec_put_str(arc_codec_t *codec, const char *s);

/* Hands out the encoded bytes. Always ARC_OK. */
arc_status_t arc_codec_finish(arc_codec_t *codec, const uint8_t **data,
                              size_t *len);

/*
 * Opens a message of type `type` with exactly `fields` elements (head
 * included); on success *elems points at them (owned by the codec's
 * zone, valid until the next decode) and *seq holds the head's seq.
 * *nomem is set when the zone could not grow.
 */
arc_codec_error_t arc_codec_open(arc_codec_t *codec, const uint8_t *data,
                                 size_t len, arc_msg_type_t type,
                                 uint32_t fields, const msgpack_object **elems,
                                 uint64_t *seq, bool *nomem);

/* Turns a refusal into the status the public functions return. */
arc_status_t arc_codec_fail(arc_codec_error_t err, bool nomem,
                            arc_codec_error_t *why);

/* A non-negative integer no larger than `max`. */
arc_codec_error_t arc_codec_get_u64(const msgpack_object *o, uint64_t max,
                                    uint64_t *out);
/* Any integer that fits int64_t. */
arc_codec_error_t arc_codec_get_i64(const msgpack_object *o, int64_t *out);
/* A finite number (float or integer). */
arc_codec_error_t arc_codec_get_f64(const msgpack_object *o, double *out);
/* A finite number in [0, max] as a float. */
arc_codec_error_t arc_codec_get_f32(const msgpack_object *o, float max,
                                    float *out);
arc_codec_error_t arc_codec_get_bool(const msgpack_object *o, bool *out);
/*
 * A string shorter than `cap` with no NUL inside, copied with its NUL.
 * `nonempty` refuses "".
 */
arc_codec_error_t arc_codec_get_str(const msgpack_object *o, char *buf,
                                    size_t cap, bool nonempty);
/* A string naming a zone, node status, energy source, priority. */
arc_codec_error_t arc_codec_get_zone(const msgpack_object *o, uint8_t *out);
arc_codec_error_t arc_codec_get_status(const msgpack_object *o, uint8_t *out);
arc_codec_error_t arc_codec_get_source(const msgpack_object *o, uint8_t *out);

#endif
