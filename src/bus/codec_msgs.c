/*
 * codec_msgs.c - the messages off the telemetry hot path: events, zone
 * summaries, inference requests and inference outcomes.
 *
 * One idea: each message is its head and then its fields in the order
 * docs/protocol/topics.md gives, and each decoder reads them with the
 * strict readers of codec_read.c, stopping at the first refusal. Threads
 * and memory: as codec.h.
 */
#include "bus/codec_impl.h"

#include "route/router.h"

#include <string.h>

#define EVENT_FIELDS   10
#define SUMMARY_FIELDS 14
#define REQUEST_FIELDS 11
#define OUTCOME_FIELDS 16
#define MODEL_NAME_MAX 64

/* ---- events ----------------------------------------------------------- */

arc_status_t arc_codec_encode_event(arc_codec_t *codec, const arc_event_t *ev,
                                    const uint8_t **data, size_t *len)
{
    if (ev->type >= ARC_EVENT_TYPE_COUNT || ev->severity >= ARC_SEV_COUNT ||
        ev->zone >= ARC_ZONE_COUNT ||
        memchr(ev->node, '\0', sizeof(ev->node)) == NULL ||
        memchr(ev->message, '\0', sizeof(ev->message)) == NULL)
        return ARC_ERR_INVALID;

    arc_codec_begin(codec, ARC_MSG_EVENT, EVENT_FIELDS, ev->seq);
    msgpack_pack_int64(&codec->pk, ev->time_us);
    arc_codec_put_str(codec, arc_event_type_name(ev->type));
    arc_codec_put_str(codec, arc_severity_name(ev->severity));
    arc_codec_put_str(codec, arc_zone_name(ev->zone));
    arc_codec_put_str(codec, ev->node);
    msgpack_pack_uint32(&codec->pk, ev->coalesced);
    arc_codec_put_str(codec, ev->message);
    return arc_codec_finish(codec, data, len);
}

static arc_codec_error_t get_event_kind(const msgpack_object *e,
                                        arc_event_t *ev)
{
    char name[32];
    arc_event_type_t type;
    arc_severity_t sev;
    arc_codec_error_t err = arc_codec_get_str(&e[4], name, sizeof(name), true);

    if (err != ARC_CODEC_OK)
        return err;
    if (arc_event_type_parse(name, &type) != ARC_OK)
        return ARC_CODEC_BAD_VALUE;
    err = arc_codec_get_str(&e[5], name, sizeof(name), true);
    if (err != ARC_CODEC_OK)
        return err;
    if (arc_severity_parse(name, &sev) != ARC_OK)
        return ARC_CODEC_BAD_VALUE;
    ev->type = (uint8_t)type;
    ev->severity = (uint8_t)sev;
    return ARC_CODEC_OK;
}

arc_status_t arc_codec_decode_event(arc_codec_t *codec, const uint8_t *data,
                                    size_t len, arc_event_t *out,
                                    arc_codec_error_t *why)
{
    const msgpack_object *e = NULL;
    arc_event_t ev;
    uint64_t coalesced = 0;
    bool nomem;
    arc_codec_error_t err;

    memset(&ev, 0, sizeof(ev));
    err = arc_codec_open(codec, data, len, ARC_MSG_EVENT, EVENT_FIELDS, &e,
                         &ev.seq, &nomem);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_i64(&e[3], &ev.time_us);
    if (err == ARC_CODEC_OK)
        err = get_event_kind(e, &ev);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_zone(&e[6], &ev.zone);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_str(&e[7], ev.node, sizeof(ev.node), false);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_u64(&e[8], UINT32_MAX, &coalesced);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_str(&e[9], ev.message, sizeof(ev.message), false);
    if (err != ARC_CODEC_OK)
        return arc_codec_fail(err, nomem, why);

    ev.coalesced = (uint32_t)coalesced;
    *out = ev;
    if (why != NULL)
        *why = ARC_CODEC_OK;
    return ARC_OK;
}

/* ---- zone summaries --------------------------------------------------- */

arc_status_t arc_codec_encode_zone_summary(arc_codec_t *codec,
                                           const arc_msg_zone_summary_t *s,
                                           const uint8_t **data, size_t *len)
{
    msgpack_packer *pk = &codec->pk;
    const arc_zone_totals_t *t = &s->totals;

    if (s->zone >= ARC_ZONE_COUNT)
        return ARC_ERR_INVALID;

    arc_codec_begin(codec, ARC_MSG_ZONE_SUMMARY, SUMMARY_FIELDS, s->seq);
    msgpack_pack_int64(pk, s->time_us);
    arc_codec_put_str(codec, arc_zone_name(s->zone));
    msgpack_pack_uint32(pk, t->nodes);
    msgpack_pack_uint32(pk, t->nodes_up);
    msgpack_pack_uint32(pk, t->gpus_total);
    msgpack_pack_uint32(pk, t->gpus_healthy);
    msgpack_pack_uint32(pk, t->gpus_free);
    msgpack_pack_double(pk, t->gpu_util_sum);
    msgpack_pack_double(pk, t->power_kw_sum);
    msgpack_pack_double(pk, t->carbon_kw_sum);
    msgpack_pack_array(pk, ARC_SOURCE_COUNT);
    for (int i = 0; i < ARC_SOURCE_COUNT; i++)
        msgpack_pack_double(pk, t->power_by_source_kw[i]);
    return arc_codec_finish(codec, data, len);
}

static arc_codec_error_t get_u32(const msgpack_object *o, uint32_t *out)
{
    uint64_t v;
    arc_codec_error_t err = arc_codec_get_u64(o, UINT32_MAX, &v);

    if (err == ARC_CODEC_OK)
        *out = (uint32_t)v;
    return err;
}

/* A finite, non-negative sum. */
static arc_codec_error_t get_sum(const msgpack_object *o, double *out)
{
    double v;
    arc_codec_error_t err = arc_codec_get_f64(o, &v);

    if (err == ARC_CODEC_OK && v < 0.0)
        err = ARC_CODEC_BAD_VALUE;
    if (err == ARC_CODEC_OK)
        *out = v;
    return err;
}

static arc_codec_error_t get_totals(const msgpack_object *e,
                                    arc_zone_totals_t *t)
{
    arc_codec_error_t err = get_u32(&e[5], &t->nodes);
    const msgpack_object *src = &e[13];

    if (err == ARC_CODEC_OK)
        err = get_u32(&e[6], &t->nodes_up);
    if (err == ARC_CODEC_OK)
        err = get_u32(&e[7], &t->gpus_total);
    if (err == ARC_CODEC_OK)
        err = get_u32(&e[8], &t->gpus_healthy);
    if (err == ARC_CODEC_OK)
        err = get_u32(&e[9], &t->gpus_free);
    if (err == ARC_CODEC_OK)
        err = get_sum(&e[10], &t->gpu_util_sum);
    if (err == ARC_CODEC_OK)
        err = get_sum(&e[11], &t->power_kw_sum);
    if (err == ARC_CODEC_OK)
        err = get_sum(&e[12], &t->carbon_kw_sum);
    if (err != ARC_CODEC_OK)
        return err;

    if (src->type != MSGPACK_OBJECT_ARRAY)
        return ARC_CODEC_WRONG_TYPE;
    if (src->via.array.size != ARC_SOURCE_COUNT)
        return ARC_CODEC_WRONG_LENGTH;
    for (int i = 0; i < ARC_SOURCE_COUNT && err == ARC_CODEC_OK; i++)
        err = get_sum(&src->via.array.ptr[i], &t->power_by_source_kw[i]);
    return err;
}

arc_status_t arc_codec_decode_zone_summary(arc_codec_t *codec,
                                           const uint8_t *data, size_t len,
                                           arc_msg_zone_summary_t *out,
                                           arc_codec_error_t *why)
{
    const msgpack_object *e = NULL;
    arc_msg_zone_summary_t s;
    bool nomem;
    arc_codec_error_t err;

    memset(&s, 0, sizeof(s));
    err = arc_codec_open(codec, data, len, ARC_MSG_ZONE_SUMMARY, SUMMARY_FIELDS,
                         &e, &s.seq, &nomem);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_i64(&e[3], &s.time_us);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_zone(&e[4], &s.zone);
    if (err == ARC_CODEC_OK)
        err = get_totals(e, &s.totals);
    if (err != ARC_CODEC_OK)
        return arc_codec_fail(err, nomem, why);

    *out = s;
    if (why != NULL)
        *why = ARC_CODEC_OK;
    return ARC_OK;
}

/* ---- inference requests ----------------------------------------------- */

arc_status_t arc_codec_encode_request(arc_codec_t *codec,
                                      const arc_msg_request_t *r,
                                      const uint8_t **data, size_t *len)
{
    msgpack_packer *pk = &codec->pk;
    const arc_model_t *model = arc_model_get(r->req.model);

    if (model == NULL || r->req.priority >= ARC_PRIO_COUNT)
        return ARC_ERR_INVALID;

    arc_codec_begin(codec, ARC_MSG_INFERENCE_REQUEST, REQUEST_FIELDS, r->seq);
    msgpack_pack_uint64(pk, r->req.id);
    arc_codec_put_str(codec, model->name);
    arc_codec_put_str(codec, arc_priority_name(r->req.priority));
    msgpack_pack_double(pk, r->req.lat);
    msgpack_pack_double(pk, r->req.lon);
    msgpack_pack_int64(pk, r->req.arrival_us);
    msgpack_pack_int64(pk, r->req.deadline_us);
    msgpack_pack_uint32(pk, r->req.tokens);
    return arc_codec_finish(codec, data, len);
}

static arc_codec_error_t get_model(const msgpack_object *e, arc_request_t *req)
{
    char name[MODEL_NAME_MAX];
    arc_priority_t prio;
    arc_codec_error_t err = arc_codec_get_str(&e[4], name, sizeof(name), true);

    if (err != ARC_CODEC_OK)
        return err;
    if (arc_model_find(name, &req->model) != ARC_OK)
        return ARC_CODEC_BAD_VALUE;
    err = arc_codec_get_str(&e[5], name, sizeof(name), true);
    if (err != ARC_CODEC_OK)
        return err;
    if (arc_priority_parse(name, &prio) != ARC_OK)
        return ARC_CODEC_BAD_VALUE;
    req->priority = (uint8_t)prio;
    return ARC_CODEC_OK;
}

static arc_codec_error_t get_place(const msgpack_object *e, arc_request_t *req)
{
    arc_codec_error_t err = arc_codec_get_f64(&e[6], &req->lat);

    if (err == ARC_CODEC_OK)
        err = arc_codec_get_f64(&e[7], &req->lon);
    if (err == ARC_CODEC_OK && (req->lat < -90.0 || req->lat > 90.0 ||
                                req->lon < -180.0 || req->lon > 180.0))
        err = ARC_CODEC_BAD_VALUE;
    return err;
}

arc_status_t arc_codec_decode_request(arc_codec_t *codec, const uint8_t *data,
                                      size_t len, arc_msg_request_t *out,
                                      arc_codec_error_t *why)
{
    const msgpack_object *e = NULL;
    arc_msg_request_t r;
    bool nomem;
    arc_codec_error_t err;

    memset(&r, 0, sizeof(r));
    err = arc_codec_open(codec, data, len, ARC_MSG_INFERENCE_REQUEST,
                         REQUEST_FIELDS, &e, &r.seq, &nomem);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_u64(&e[3], UINT64_MAX, &r.req.id);
    if (err == ARC_CODEC_OK)
        err = get_model(e, &r.req);
    if (err == ARC_CODEC_OK)
        err = get_place(e, &r.req);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_i64(&e[8], &r.req.arrival_us);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_i64(&e[9], &r.req.deadline_us);
    if (err == ARC_CODEC_OK)
        err = get_u32(&e[10], &r.req.tokens);
    if (err != ARC_CODEC_OK)
        return arc_codec_fail(err, nomem, why);

    *out = r;
    if (why != NULL)
        *why = ARC_CODEC_OK;
    return ARC_OK;
}

/* ---- inference outcomes ----------------------------------------------- */

arc_status_t arc_codec_encode_outcome(arc_codec_t *codec,
                                      const arc_msg_outcome_t *o,
                                      const uint8_t **data, size_t *len)
{
    msgpack_packer *pk = &codec->pk;

    if (o->zone >= ARC_ZONE_COUNT || o->source >= ARC_SOURCE_COUNT ||
        o->reason > ARC_REASON_GREENER_SOON ||
        (unsigned)o->status > ARC_ERR_IO ||
        memchr(o->node, '\0', sizeof(o->node)) == NULL)
        return ARC_ERR_INVALID;

    arc_codec_begin(codec, ARC_MSG_INFERENCE_OUTCOME, OUTCOME_FIELDS, o->seq);
    msgpack_pack_uint64(pk, o->request_id);
    arc_codec_put_str(codec, arc_status_name(o->status));
    msgpack_pack_uint8(pk, o->reason);
    arc_codec_put_str(codec, o->node);
    arc_codec_put_str(codec, arc_zone_name(o->zone));
    arc_codec_put_str(codec, arc_source_name(o->source));
    msgpack_pack_double(pk, o->carbon_g);
    msgpack_pack_double(pk, o->energy_kwh);
    msgpack_pack_double(pk, o->rtt_ms);
    msgpack_pack_double(pk, o->queue_ms);
    msgpack_pack_double(pk, o->service_ms);
    msgpack_pack_int64(pk, o->finished_us);
    if (o->slo_missed)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    return arc_codec_finish(codec, data, len);
}

static arc_codec_error_t get_result(const msgpack_object *e,
                                    arc_msg_outcome_t *o)
{
    char name[32];
    uint64_t reason;
    arc_codec_error_t err = arc_codec_get_str(&e[4], name, sizeof(name), true);
    int s;

    if (err != ARC_CODEC_OK)
        return err;
    for (s = ARC_OK; s <= ARC_ERR_IO; s++)
        if (strcmp(name, arc_status_name((arc_status_t)s)) == 0)
            break;
    if (s > ARC_ERR_IO)
        return ARC_CODEC_BAD_VALUE;
    err = arc_codec_get_u64(&e[5], ARC_REASON_GREENER_SOON, &reason);
    if (err != ARC_CODEC_OK)
        return err;
    o->status = (arc_status_t)s;
    o->reason = (uint8_t)reason;
    return ARC_CODEC_OK;
}

static arc_codec_error_t get_costs(const msgpack_object *e,
                                   arc_msg_outcome_t *o)
{
    arc_codec_error_t err = get_sum(&e[9], &o->carbon_g);

    if (err == ARC_CODEC_OK)
        err = get_sum(&e[10], &o->energy_kwh);
    if (err == ARC_CODEC_OK)
        err = get_sum(&e[11], &o->rtt_ms);
    if (err == ARC_CODEC_OK)
        err = get_sum(&e[12], &o->queue_ms);
    if (err == ARC_CODEC_OK)
        err = get_sum(&e[13], &o->service_ms);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_i64(&e[14], &o->finished_us);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_bool(&e[15], &o->slo_missed);
    return err;
}

arc_status_t arc_codec_decode_outcome(arc_codec_t *codec, const uint8_t *data,
                                      size_t len, arc_msg_outcome_t *out,
                                      arc_codec_error_t *why)
{
    const msgpack_object *e = NULL;
    arc_msg_outcome_t o;
    bool nomem;
    arc_codec_error_t err;

    memset(&o, 0, sizeof(o));
    err = arc_codec_open(codec, data, len, ARC_MSG_INFERENCE_OUTCOME,
                         OUTCOME_FIELDS, &e, &o.seq, &nomem);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_u64(&e[3], UINT64_MAX, &o.request_id);
    if (err == ARC_CODEC_OK)
        err = get_result(e, &o);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_str(&e[6], o.node, sizeof(o.node), false);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_zone(&e[7], &o.zone);
    if (err == ARC_CODEC_OK)
        err = arc_codec_get_source(&e[8], &o.source);
    if (err == ARC_CODEC_OK)
        err = get_costs(e, &o);
    if (err != ARC_CODEC_OK)
        return arc_codec_fail(err, nomem, why);

    *out = o;
    if (why != NULL)
        *why = ARC_CODEC_OK;
    return ARC_OK;
}
