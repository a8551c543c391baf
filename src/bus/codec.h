/*
 * codec.h - the MessagePack form of every message on the bus: telemetry,
 * events, zone summaries, inference requests and outcomes.
 *
 * One idea: a message is a flat MessagePack array whose first three
 * elements are always the message type, the schema version and a
 * sequence number, followed by the fields of that type and version in a
 * fixed order (docs/protocol/topics.md lists them). Enumerations travel
 * as their wire names ("up", "cogen-solar", "west"), numbers as
 * MessagePack integers or floats. Decoding is strict: a message that is
 * truncated, is not MessagePack, has trailing bytes, the wrong number of
 * fields, a field of the wrong type, a value out of range, an unknown
 * type or an unknown version is refused with a reason
 * (arc_codec_error_t), never a crash, and nothing is allocated beyond
 * the codec's own reusable buffers.
 *
 * Threads: a codec belongs to one thread (it holds one encode buffer and
 * one decode zone, reused for every message). Memory: the bytes an
 * encoder returns are owned by the codec and valid until its next encode;
 * decoded values are copied into the caller's structs.
 */
#ifndef ARC_BUS_CODEC_H
#define ARC_BUS_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/types.h"
#include "state/events.h"
#include "state/mesh.h"

/* Message types: the first element of every message. */
typedef enum arc_msg_type {
    ARC_MSG_TELEMETRY = 1,         /* a node's report (arc_telemetry_t) */
    ARC_MSG_EVENT = 2,             /* a mesh event (arc_event_t) */
    ARC_MSG_ZONE_SUMMARY = 3,      /* a zone's totals */
    ARC_MSG_INFERENCE_REQUEST = 4, /* a request to place and run */
    ARC_MSG_INFERENCE_OUTCOME = 5  /* what became of a request */
} arc_msg_type_t;

/* The schema version this codec writes and the only one it reads. */
#define ARC_MSG_VERSION 1

/* Why a message was refused. Stable: counters are kept per reason. */
typedef enum arc_codec_error {
    ARC_CODEC_OK = 0,
    ARC_CODEC_TRUNCATED,       /* "truncated": ends inside a value */
    ARC_CODEC_MALFORMED,       /* "malformed": not MessagePack, trailing
                                  bytes, not an array, or a container
                                  longer than the message could hold */
    ARC_CODEC_WRONG_TYPE,      /* "wrong-type": a field of the wrong
                                  MessagePack type */
    ARC_CODEC_WRONG_LENGTH,    /* "wrong-length": not the field count of
                                  its type and version */
    ARC_CODEC_BAD_VALUE,       /* "bad-value": out of range, unknown
                                  enum name, string too long */
    ARC_CODEC_UNKNOWN_TYPE,    /* "unknown-type" */
    ARC_CODEC_UNKNOWN_VERSION, /* "unknown-version" */
    ARC_CODEC_UNKNOWN_NODE,    /* "unknown-node": not in the mesh */
    ARC_CODEC_ERROR_COUNT
} arc_codec_error_t;

/* A short stable name for a reason ("truncated", ...). */
const char *arc_codec_error_name(arc_codec_error_t err);

/* The head every message starts with. */
typedef struct arc_msg_head {
    uint32_t type;    /* arc_msg_type_t (any value when peeked) */
    uint32_t version; /* schema version */
    uint64_t seq;     /* sequence number of the sender */
} arc_msg_head_t;

/* A zone's totals at one moment (topic arcnet.zone-summary). */
typedef struct arc_msg_zone_summary {
    uint64_t seq;             /* the zone's own summary counter */
    int64_t time_us;          /* when the totals were read */
    uint8_t zone;             /* arc_zone_t */
    arc_zone_totals_t totals; /* as arc_mesh_zone_totals gives them */
} arc_msg_zone_summary_t;

/* An inference request travelling between processes. */
typedef struct arc_msg_request {
    uint64_t seq;      /* the sender's message counter */
    arc_request_t req; /* model is a catalogue id on both ends;
                          it travels as the model's name */
} arc_msg_request_t;

/* What became of one request (mirror of the engine's outcome). */
typedef struct arc_msg_outcome {
    uint64_t seq; /* the sender's message counter */
    uint64_t request_id;
    arc_status_t status;        /* travels as arc_status_name() */
    uint8_t reason;             /* arc_reason_t, 0..3 */
    char node[ARC_NODE_ID_MAX]; /* where it ran; "" when not served */
    uint8_t zone;               /* arc_zone_t of that node */
    uint8_t source;             /* arc_energy_source_t at dispatch */
    double carbon_g;            /* grams CO2 */
    double energy_kwh;
    double rtt_ms, queue_ms, service_ms;
    int64_t finished_us;
    bool slo_missed;
} arc_msg_outcome_t;

typedef struct arc_codec arc_codec_t;

/* A codec with empty buffers. NULL when out of memory. */
arc_codec_t *arc_codec_new(void);
void arc_codec_free(arc_codec_t *codec);

/* ---- encoding: each returns the message's bytes through *data and *len,
 * owned by the codec and valid until its next encode. ARC_ERR_INVALID for
 * a value that cannot be written (unknown enum, id too long, NULL);
 * ARC_ERR_NOMEM when the encode buffer cannot grow (telemetry). ------- */

/* Telemetry of the node named `node_id` (t->node is not sent). */
arc_status_t arc_codec_encode_telemetry(arc_codec_t *codec, const char *node_id,
                                        const arc_telemetry_t *t,
                                        const uint8_t **data, size_t *len);

/* An event; its seq is the event's own. */
arc_status_t arc_codec_encode_event(arc_codec_t *codec, const arc_event_t *ev,
                                    const uint8_t **data, size_t *len);

arc_status_t arc_codec_encode_zone_summary(arc_codec_t *codec,
                                           const arc_msg_zone_summary_t *s,
                                           const uint8_t **data, size_t *len);

arc_status_t arc_codec_encode_request(arc_codec_t *codec,
                                      const arc_msg_request_t *r,
                                      const uint8_t **data, size_t *len);

arc_status_t arc_codec_encode_outcome(arc_codec_t *codec,
                                      const arc_msg_outcome_t *o,
                                      const uint8_t **data, size_t *len);

/* ---- decoding: each returns ARC_OK and fills *out, or an error with
 * the reason in *why (which may be NULL): ARC_ERR_INVALID for every
 * reason but these two - ARC_ERR_NOT_FOUND for an unknown node and
 * ARC_ERR_NOMEM when the decode zone could not grow. *out is untouched
 * on failure. --------------------------------------------------------- */

/*
 * Reads only the head: type, version, seq. A head that is well formed
 * but of an unknown type or version still decodes here (so the caller
 * can count it); the body is not checked.
 */
arc_status_t arc_codec_peek(arc_codec_t *codec, const uint8_t *data, size_t len,
                            arc_msg_head_t *out, arc_codec_error_t *why);

/*
 * Telemetry; the node id is resolved to its mesh index with
 * arc_mesh_find (ARC_CODEC_UNKNOWN_NODE when absent). Values are checked
 * for range (enums, soc in 0..1, no NaN) as arc_mesh_apply would.
 */
arc_status_t arc_codec_decode_telemetry(arc_codec_t *codec,
                                        const arc_mesh_t *mesh,
                                        const uint8_t *data, size_t len,
                                        arc_telemetry_t *out,
                                        arc_codec_error_t *why);

arc_status_t arc_codec_decode_event(arc_codec_t *codec, const uint8_t *data,
                                    size_t len, arc_event_t *out,
                                    arc_codec_error_t *why);

arc_status_t arc_codec_decode_zone_summary(arc_codec_t *codec,
                                           const uint8_t *data, size_t len,
                                           arc_msg_zone_summary_t *out,
                                           arc_codec_error_t *why);

/* The model name is resolved with arc_model_find (bad-value if absent). */
arc_status_t arc_codec_decode_request(arc_codec_t *codec, const uint8_t *data,
                                      size_t len, arc_msg_request_t *out,
                                      arc_codec_error_t *why);

arc_status_t arc_codec_decode_outcome(arc_codec_t *codec, const uint8_t *data,
                                      size_t len, arc_msg_outcome_t *out,
                                      arc_codec_error_t *why);

#endif
