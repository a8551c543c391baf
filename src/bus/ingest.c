/*
 * ingest.c - decodes what a subscription receives, applies telemetry to
 * the mesh, hands other messages to hooks, and counts, logs once and
 * skips what cannot be applied.
 *
 * One idea: the message type is read from the message's second byte
 * when the head has its usual shape (a short array whose type is a
 * small integer), so a telemetry message is unpacked exactly once on
 * the hot path; anything else goes through the codec's full peek,
 * which names what is wrong with it.
 *
 * Threads: the owner's. Memory: the ingest owns its codec; nothing is
 * allocated per message.
 */
#include "bus/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct arc_ingest {
    arc_mesh_t *mesh;
    arc_ingest_hooks_t hooks;
    arc_codec_t *codec;
    arc_bus_log_fn log;
    void *log_ctx;
    bool logged[ARC_CODEC_ERROR_COUNT]; /* reason already logged */
    arc_ingest_stats_t stats;
};

arc_ingest_t *arc_ingest_new(arc_mesh_t *mesh, const arc_ingest_hooks_t *hooks,
                             arc_bus_log_fn log, void *log_ctx)
{
    arc_ingest_t *in = calloc(1, sizeof(*in));

    if (in == NULL)
        return NULL;
    in->codec = arc_codec_new();
    if (in->codec == NULL) {
        free(in);
        return NULL;
    }
    in->mesh = mesh;
    if (hooks != NULL)
        in->hooks = *hooks;
    in->log = log;
    in->log_ctx = log_ctx;
    return in;
}

void arc_ingest_free(arc_ingest_t *ingest)
{
    if (ingest == NULL)
        return;
    arc_codec_free(ingest->codec);
    free(ingest);
}

void arc_ingest_stats(const arc_ingest_t *ingest, arc_ingest_stats_t *out)
{
    *out = ingest->stats;
}

static void log_line(const arc_ingest_t *in, const char *line)
{
    struct timespec ts;
    struct tm tm;
    char when[32];

    if (in->log != NULL) {
        in->log(in->log_ctx, ARC_BUS_LOG_WARN, line);
        return;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ warn  bus %s\n", when, ts.tv_nsec / 1000000,
            line);
}

/* Counts a refusal; logs the first of each reason. */
static arc_status_t refuse(arc_ingest_t *in, const arc_bus_msg_t *msg,
                           arc_codec_error_t why, arc_status_t st)
{
    char line[256];

    if ((unsigned)why >= ARC_CODEC_ERROR_COUNT || why == ARC_CODEC_OK)
        why = ARC_CODEC_MALFORMED;
    in->stats.rejected++;
    in->stats.by_reason[why]++;
    if (!in->logged[why]) {
        in->logged[why] = true;
        snprintf(line, sizeof(line),
                 "skipped a message that cannot be applied reason=%s "
                 "topic=%s partition=%d offset=%lld (later ones with "
                 "this reason are counted, not logged)",
                 arc_codec_error_name(why), msg->topic, (int)msg->partition,
                 (long long)msg->offset);
        log_line(in, line);
    }
    return st == ARC_ERR_NOT_FOUND ? ARC_ERR_NOT_FOUND : ARC_ERR_INVALID;
}

/* Counts a hook's answer and passes it on. */
static arc_status_t answered(arc_ingest_t *in, arc_status_t st)
{
    if (st == ARC_OK)
        in->stats.applied++;
    else if (st == ARC_ERR_DUPLICATE)
        in->stats.duplicates++;
    else if (!arc_bus_answer_commits(st))
        in->stats.retried++;
    return st;
}

static arc_status_t on_telemetry(arc_ingest_t *in, const arc_bus_msg_t *msg)
{
    arc_telemetry_t t;
    arc_codec_error_t why = ARC_CODEC_UNKNOWN_NODE;
    arc_status_t st = ARC_ERR_NOT_FOUND;

    if (in->mesh != NULL)
        st = arc_codec_decode_telemetry(in->codec, in->mesh, msg->value,
                                        msg->value_len, &t, &why);
    if (st != ARC_OK)
        return refuse(in, msg, why, st);
    if (in->hooks.telemetry != NULL)
        st = in->hooks.telemetry(in->hooks.ctx, &t);
    else
        st = arc_mesh_apply(in->mesh, &t);
    if (st == ARC_ERR_INVALID || st == ARC_ERR_NOT_FOUND)
        return refuse(in, msg, ARC_CODEC_BAD_VALUE, ARC_ERR_INVALID);
    return answered(in, st);
}

static arc_status_t on_event(arc_ingest_t *in, const arc_bus_msg_t *msg)
{
    arc_event_t ev;
    arc_codec_error_t why;
    arc_status_t st = arc_codec_decode_event(in->codec, msg->value,
                                             msg->value_len, &ev, &why);

    if (st != ARC_OK)
        return refuse(in, msg, why, st);
    if (in->hooks.event == NULL) {
        in->stats.ignored++;
        return ARC_OK;
    }
    return answered(in, in->hooks.event(in->hooks.ctx, &ev));
}

static arc_status_t on_summary(arc_ingest_t *in, const arc_bus_msg_t *msg)
{
    arc_msg_zone_summary_t s;
    arc_codec_error_t why;
    arc_status_t st = arc_codec_decode_zone_summary(in->codec, msg->value,
                                                    msg->value_len, &s, &why);

    if (st != ARC_OK)
        return refuse(in, msg, why, st);
    if (in->hooks.zone_summary == NULL) {
        in->stats.ignored++;
        return ARC_OK;
    }
    return answered(in, in->hooks.zone_summary(in->hooks.ctx, &s));
}

static arc_status_t on_request(arc_ingest_t *in, const arc_bus_msg_t *msg)
{
    arc_msg_request_t r;
    arc_codec_error_t why;
    arc_status_t st = arc_codec_decode_request(in->codec, msg->value,
                                               msg->value_len, &r, &why);

    if (st != ARC_OK)
        return refuse(in, msg, why, st);
    if (in->hooks.request == NULL) {
        in->stats.ignored++;
        return ARC_OK;
    }
    return answered(in, in->hooks.request(in->hooks.ctx, &r));
}

static arc_status_t on_outcome(arc_ingest_t *in, const arc_bus_msg_t *msg)
{
    arc_msg_outcome_t o;
    arc_codec_error_t why;
    arc_status_t st = arc_codec_decode_outcome(in->codec, msg->value,
                                               msg->value_len, &o, &why);

    if (st != ARC_OK)
        return refuse(in, msg, why, st);
    if (in->hooks.outcome == NULL) {
        in->stats.ignored++;
        return ARC_OK;
    }
    return answered(in, in->hooks.outcome(in->hooks.ctx, &o));
}

/* The type from the usual head shape, else from a full peek. */
static arc_status_t message_type(arc_ingest_t *in, const arc_bus_msg_t *msg,
                                 uint32_t *type, arc_codec_error_t *why)
{
    const uint8_t *p = msg->value;
    arc_msg_head_t head;
    arc_status_t st;

    if (msg->value_len >= 2 && p[0] >= 0x93 && p[0] <= 0x9f && p[1] <= 0x7f) {
        *type = p[1];
        return ARC_OK;
    }
    st = arc_codec_peek(in->codec, msg->value, msg->value_len, &head, why);
    if (st == ARC_OK)
        *type = head.type;
    return st;
}

arc_status_t arc_ingest_handle(void *ctx, const arc_bus_msg_t *msg)
{
    arc_ingest_t *in = ctx;
    arc_codec_error_t why = ARC_CODEC_MALFORMED;
    uint32_t type = 0;
    arc_status_t st = message_type(in, msg, &type, &why);

    if (st != ARC_OK)
        return refuse(in, msg, why, st);
    switch (type) {
    case ARC_MSG_TELEMETRY:
        return on_telemetry(in, msg);
    case ARC_MSG_EVENT:
        return on_event(in, msg);
    case ARC_MSG_ZONE_SUMMARY:
        return on_summary(in, msg);
    case ARC_MSG_INFERENCE_REQUEST:
        return on_request(in, msg);
    case ARC_MSG_INFERENCE_OUTCOME:
        return on_outcome(in, msg);
    default:
        return refuse(in, msg, ARC_CODEC_UNKNOWN_TYPE, ARC_ERR_INVALID);
    }
}
