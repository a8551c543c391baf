/*
 * stream.c - GET /v1/stream: the live WebSocket feed of telemetry
 * deltas, routing decisions and events.
 *
 * One idea: frames are rendered once, numbered, and kept in a bounded
 * ring that every client reads at its own pace. A flush (once per
 * simulation step) turns what changed into at most three frames - one
 * telemetry delta with every node that changed, one batch of
 * decisions, one batch of events - so a client gets one frame per kind
 * per step whatever the load. Each client holds only the number of the
 * next frame it needs:
 *
 *   - a new client, or one whose ?since= is older than the ring (or
 *     ahead of it), gets a snapshot of every node first, then the live
 *     frames;
 *   - a client with ?since=SEQ inside the ring gets every frame after
 *     SEQ replayed, then the live ones;
 *   - a client more than ARC_STREAM_BACKLOG frames behind is closed
 *     with the reason "too slow": a slow reader never makes the daemon
 *     buffer without bound or wait.
 *
 * Every frame is a JSON object with "seq", "v" (schema version),
 * "type" and "time" (simulated UTC microseconds).
 *
 * Memory: the hub owns the ring's frames (each a buffer with LWS_PRE
 * headroom, shared by every client's writes) and the batch writers.
 * Threads: the API's one thread.
 */
#include "api/internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/views.h"
#include "daemon/log.h"

#define ARC_STREAM_RING 512       /* frames kept for replay */
#define ARC_STREAM_BACKLOG 256    /* frames a client may lag */
#define ARC_STREAM_BATCH_MAX 256  /* decisions or events per frame */
#define ARC_STREAM_VERSION 1
#define ARC_STREAM_MSG_MAX 4096   /* largest client message */

typedef struct frame {
    uint64_t seq;  /* 0: empty slot */
    char *buf;     /* LWS_PRE bytes, then len bytes of JSON */
    size_t len;
} frame_t;

struct arc_stream {
    arc_api_t *api;
    frame_t ring[ARC_STREAM_RING];
    uint64_t last_seq;       /* newest frame published; 0: none yet */
    arc_session_t *clients;

    uint8_t *dirty;          /* per node: changed since the last flush */
    uint32_t *dirty_list;    /* those nodes, in order of change */
    uint32_t dirty_count;
    uint32_t dirty_cap;      /* nodes the two arrays have room for */

    arc_jw_t decisions;      /* "[...]" being filled */
    uint32_t decision_count;
    uint64_t decisions_dropped;
    arc_jw_t events;
    uint32_t event_count;
    uint64_t events_dropped;
};

/* ---- collecting changes ------------------------------------------------ */

static bool grow_dirty(arc_stream_t *st, uint32_t need)
{
    uint32_t cap = st->dirty_cap ? st->dirty_cap : 256;
    uint8_t *d;
    uint32_t *l;

    while (cap < need) {
        cap *= 2;
    }
    d = realloc(st->dirty, cap);
    if (d == NULL) {
        return false;
    }
    st->dirty = d;
    memset(d + st->dirty_cap, 0, cap - st->dirty_cap);
    l = realloc(st->dirty_list, cap * sizeof(*l));
    if (l == NULL) {
        return false;
    }
    st->dirty_list = l;
    st->dirty_cap = cap;
    return true;
}

static void on_mesh_change(void *ctx, uint32_t node, const arc_node_t *b)
{
    arc_stream_t *st = ctx;

    (void)b;
    if (node >= st->dirty_cap && !grow_dirty(st, node + 1)) {
        return;
    }
    if (!st->dirty[node]) {
        st->dirty[node] = 1;
        st->dirty_list[st->dirty_count++] = node;
    }
}

static void begin_batch(arc_jw_t *w, uint32_t count)
{
    if (count == 0) {
        arc_jw_reset(w);
        arc_jw_arr_open(w);
    }
}

static void on_event(void *ctx, const arc_event_t *ev)
{
    arc_stream_t *st = ctx;

    if (st->event_count >= ARC_STREAM_BATCH_MAX) {
        st->events_dropped++;
        return;
    }
    begin_batch(&st->events, st->event_count++);
    arc_view_event(&st->events, ev);
}

static const char *decision_outcome(const arc_decision_t *d)
{
    switch (d->status) {
    case ARC_OK:
        return "placed";
    case ARC_ERR_DEFERRED:
        return "deferred";
    default:
        return "unavailable";
    }
}

void arc_stream_note_decision(arc_stream_t *st, const arc_request_t *req,
                              const arc_decision_t *d)
{
    const arc_node_t *n;
    arc_jw_t *w = &st->decisions;

    if (st->decision_count >= ARC_STREAM_BATCH_MAX) {
        st->decisions_dropped++;
        return;
    }
    begin_batch(w, st->decision_count++);
    n = d->status == ARC_OK ? arc_mesh_node(st->api->mesh, d->chosen.node)
                            : NULL;
    arc_jw_obj_open(w);
    arc_jw_kuint(w, "request", req->id);
    arc_jw_kstr(w, "model", arc_model_get(req->model)->name);
    arc_jw_kstr(w, "priority",
                arc_priority_name((arc_priority_t)req->priority));
    arc_jw_kstr(w, "outcome", decision_outcome(d));
    arc_jw_key(w, "origin");
    arc_jw_obj_open(w);
    arc_jw_kdouble(w, "lat", req->lat);
    arc_jw_kdouble(w, "lon", req->lon);
    arc_jw_obj_close(w);
    arc_jw_kstr(w, "node", n ? n->id : NULL);
    arc_jw_kstr(w, "zone", n ? arc_zone_name(d->zone) : NULL);
    arc_jw_kstr(w, "policy", arc_policy_name(d->policy));
    arc_jw_kdouble(w, "score", n ? d->chosen.score : 0.0);
    arc_jw_kbool(w, "spilled", d->spilled);
    arc_jw_obj_close(w);
}

/* ---- publishing frames ------------------------------------------------- */

static void frame_head(arc_jw_t *w, uint64_t seq, const char *type,
                       int64_t now_us)
{
    arc_jw_obj_open(w);
    arc_jw_kuint(w, "seq", seq);
    arc_jw_kint(w, "v", ARC_STREAM_VERSION);
    arc_jw_kstr(w, "type", type);
    arc_jw_kint(w, "time", now_us);
}

/* Moves a finished frame writer's buffer into the ring. */
static void publish(arc_stream_t *st, arc_jw_t *w)
{
    frame_t *f;

    if (arc_jw_finish(w) != ARC_OK) {
        arc_jw_free(w);
        st->last_seq--; /* the number was taken by frame_head */
        return;
    }
    f = &st->ring[st->last_seq % ARC_STREAM_RING];
    free(f->buf);
    f->seq = st->last_seq;
    f->buf = arc_jw_base(w);
    f->len = arc_jw_len(w);
    w->buf = NULL; /* the ring owns it now */
    arc_jw_free(w);
}

/*
 * Not yet: a cap on a telemetry frame's size; with very large meshes
 * one step's delta (and a snapshot) holds every node that changed.
 */
static void publish_telemetry(arc_stream_t *st, int64_t now_us)
{
    arc_jw_t w;

    arc_jw_init(&w, LWS_PRE);
    frame_head(&w, ++st->last_seq, "telemetry", now_us);
    arc_jw_key(&w, "nodes");
    arc_jw_arr_open(&w);
    for (uint32_t i = 0; i < st->dirty_count; i++) {
        uint32_t node = st->dirty_list[i];
        const arc_node_t *n = arc_mesh_node(st->api->mesh, node);

        st->dirty[node] = 0;
        if (n != NULL) {
            arc_view_node_delta(&w, n);
        }
    }
    st->dirty_count = 0;
    arc_jw_arr_close(&w);
    arc_jw_obj_close(&w);
    publish(st, &w);
}

static void publish_batch(arc_stream_t *st, const char *type,
                          arc_jw_t *batch, uint32_t *count,
                          uint64_t *dropped, int64_t now_us)
{
    arc_jw_t w;

    arc_jw_arr_close(batch);
    arc_jw_init(&w, LWS_PRE);
    frame_head(&w, ++st->last_seq, type, now_us);
    arc_jw_key(&w, type);
    arc_jw_raw(&w, arc_jw_text(batch), arc_jw_len(batch));
    arc_jw_kuint(&w, "dropped", *dropped);
    arc_jw_obj_close(&w);
    publish(st, &w);
    *count = 0;
    *dropped = 0;
}

static void wake_clients(arc_stream_t *st)
{
    for (arc_session_t *s = st->clients; s != NULL; s = s->next) {
        uint64_t behind = st->last_seq + 1 - s->next_seq;

        if (!s->snapshot_due && !s->too_slow &&
            behind > ARC_STREAM_BACKLOG) {
            s->too_slow = true;
            lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, 5);
            arc_daemon_log(ARC_LOG_INFO, "stream",
                           "closing a client too slow to keep up "
                           "behind=%llu", (unsigned long long)behind);
        }
        lws_callback_on_writable(s->wsi);
    }
}

void arc_stream_flush(arc_stream_t *st, int64_t now_us)
{
    uint64_t before = st->last_seq;

    if (st->dirty_count > 0) {
        publish_telemetry(st, now_us);
    }
    if (st->decision_count > 0) {
        publish_batch(st, "decisions", &st->decisions, &st->decision_count,
                      &st->decisions_dropped, now_us);
    }
    if (st->event_count > 0) {
        publish_batch(st, "events", &st->events, &st->event_count,
                      &st->events_dropped, now_us);
    }
    if (st->last_seq != before) {
        wake_clients(st);
    }
}

/* ---- clients ----------------------------------------------------------- */

static uint64_t oldest_seq(const arc_stream_t *st)
{
    return st->last_seq > ARC_STREAM_RING
               ? st->last_seq - ARC_STREAM_RING + 1 : 1;
}

void arc_stream_attach(arc_stream_t *st, arc_session_t *s)
{
    s->attached = true;
    s->prev = NULL;
    s->next = st->clients;
    if (s->next != NULL) {
        s->next->prev = s;
    }
    st->clients = s;
    s->snapshot_due = true;
    if (s->has_since && s->since + 1 >= oldest_seq(st) &&
        s->since <= st->last_seq) {
        s->snapshot_due = false;
        s->next_seq = s->since + 1;
    }
    lws_callback_on_writable(s->wsi);
}

void arc_stream_detach(arc_stream_t *st, arc_session_t *s)
{
    if (!s->attached) {
        return;
    }
    if (s->prev != NULL) {
        s->prev->next = s->next;
    } else {
        st->clients = s->next;
    }
    if (s->next != NULL) {
        s->next->prev = s->prev;
    }
    s->attached = false;
}

static int send_snapshot(arc_stream_t *st, arc_session_t *s)
{
    arc_mesh_t *mesh = st->api->mesh;
    arc_jw_t w;
    int rc = 0;

    arc_jw_init(&w, LWS_PRE);
    frame_head(&w, st->last_seq, "snapshot",
               arc_engine_now(st->api->deps.engine));
    arc_jw_key(&w, "nodes");
    arc_jw_arr_open(&w);
    for (uint32_t i = 0; i < arc_mesh_count(mesh); i++) {
        arc_view_node(&w, arc_mesh_node(mesh, i));
    }
    arc_jw_arr_close(&w);
    arc_jw_obj_close(&w);
    if (arc_jw_finish(&w) != ARC_OK ||
        lws_write(s->wsi, (unsigned char *)arc_jw_text(&w), arc_jw_len(&w),
                  LWS_WRITE_TEXT) < 0) {
        rc = -1;
    }
    arc_jw_free(&w);
    s->snapshot_due = false;
    s->next_seq = st->last_seq + 1;
    return rc;
}

/*
 * Closes with a reason at the next writable callback, after whatever
 * lws still buffers of earlier frames (closing at once could drop the
 * close frame behind them). The client gets no further frames.
 */
static int close_later(arc_stream_t *st, arc_session_t *s,
                       enum lws_close_status code, const char *reason)
{
    arc_stream_detach(st, s);
    s->bad_frame = true;
    s->close_code = code;
    snprintf(s->close_reason, sizeof(s->close_reason), "%s", reason);
    lws_callback_on_writable(s->wsi);
    return 0;
}

static int close_now(arc_session_t *s, enum lws_close_status code,
                     const char *reason)
{
    lws_close_reason(s->wsi, code, (unsigned char *)reason, strlen(reason));
    return -1;
}

int arc_stream_writable(arc_stream_t *st, arc_session_t *s)
{
    const frame_t *f;

    if (s->bad_frame) {
        return close_now(s, (enum lws_close_status)s->close_code,
                         s->close_reason);
    }
    if (s->too_slow) {
        arc_stream_detach(st, s);
        return close_now(s, LWS_CLOSE_STATUS_POLICY_VIOLATION, "too slow");
    }
    if (!s->snapshot_due && s->next_seq > st->last_seq) {
        return 0;
    }
    f = &st->ring[s->next_seq % ARC_STREAM_RING];
    if (!s->snapshot_due && f->seq != s->next_seq) {
        s->snapshot_due = true; /* fell out of the ring */
    }
    if (s->snapshot_due) {
        if (send_snapshot(st, s) < 0) {
            return -1;
        }
    } else {
        if (lws_write(s->wsi, (unsigned char *)f->buf + LWS_PRE, f->len,
                      LWS_WRITE_TEXT) < 0) {
            return -1;
        }
        s->next_seq++;
    }
    if (s->next_seq <= st->last_seq) {
        lws_callback_on_writable(s->wsi);
    }
    return 0;
}

/* Client messages: only {"type":"ping"} is understood. */
int arc_stream_receive(arc_stream_t *st, arc_session_t *s, const void *in,
                       size_t len)
{
    cJSON *msg;
    const cJSON *type;
    int rc = 0;

    if (s->bad_frame) {
        return 0; /* already closing */
    }
    if (lws_frame_is_binary(s->wsi)) {
        return close_later(st, s, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
                          "binary frames are not accepted");
    }
    if (!lws_is_final_fragment(s->wsi) || !lws_is_first_fragment(s->wsi) ||
        len > ARC_STREAM_MSG_MAX) {
        return close_later(st, s, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
                          "message too large");
    }
    msg = cJSON_ParseWithLength(in, len);
    type = cJSON_GetObjectItemCaseSensitive(msg, "type");
    if (msg == NULL || !cJSON_IsObject(msg)) {
        rc = close_later(st, s, LWS_CLOSE_STATUS_INVALID_PAYLOAD,
                        "invalid JSON");
    } else if (!cJSON_IsString(type) ||
               strcmp(type->valuestring, "ping") != 0) {
        rc = close_later(st, s, LWS_CLOSE_STATUS_POLICY_VIOLATION,
                        "unknown message type");
    }
    cJSON_Delete(msg);
    return rc;
}

/* ---- the upgrade filter ------------------------------------------------ */

/* The value of query argument `name` ("token="), or NULL. */
static const char *read_arg(struct lws *wsi, const char *name, char *buf,
                            size_t cap)
{
    return lws_get_urlarg_by_name(wsi, name, buf, (int)cap);
}

/* Answers the upgrade request with an HTTP error, then refuses it. */
static int refuse(arc_api_t *api, struct lws *wsi, int status,
                  const char *code, const char *message)
{
    arc_api_error_t err;

    arc_api_error_set(&err, status, code, "%s", message);
    arc_api_write_error(api, wsi, &err);
    return -1;
}

int arc_stream_filter(arc_api_t *api, arc_session_t *s, struct lws *wsi)
{
    char path[32];
    char arg[ARC_TOKEN_MAX + 16];
    arc_role_t role = ARC_ROLE_NONE;
    const char *tok;
    const char *v;
    size_t len;
    long long since;

    if (lws_hdr_copy(wsi, path, sizeof(path), WSI_TOKEN_GET_URI) < 0 ||
        strcmp(path, "/v1/stream") != 0) {
        return refuse(api, wsi, 404, "not-found", "no such path");
    }
    if (lws_hdr_copy(wsi, arg, sizeof(arg),
                     WSI_TOKEN_HTTP_AUTHORIZATION) > 0 &&
        arc_auth_parse_bearer(arg, strlen(arg), &tok, &len) == ARC_OK) {
        role = arc_auth_role(api->deps.auth, tok, len);
    } else if ((v = read_arg(wsi, "token=", arg, sizeof(arg))) != NULL) {
        role = arc_auth_role(api->deps.auth, v, strlen(v));
    }
    if (!arc_auth_allows(role, false)) {
        return refuse(api, wsi, 401, "unauthorized",
                      "a valid token is required");
    }
    if ((v = read_arg(wsi, "since=", arg, sizeof(arg))) != NULL) {
        if (arc_api_parse_int(v, 0, INT64_MAX, &since) != ARC_OK) {
            return refuse(api, wsi, 400, "invalid-parameter",
                          "since must be a sequence number");
        }
        s->has_since = true;
        s->since = (uint64_t)since;
    }
    return 0;
}

/* ---- life ------------------------------------------------------------- */

arc_stream_t *arc_stream_new(arc_api_t *api)
{
    arc_stream_t *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        return NULL;
    }
    st->api = api;
    arc_jw_init(&st->decisions, 0);
    arc_jw_init(&st->events, 0);
    if (!grow_dirty(st, arc_mesh_count(api->mesh) + 1) ||
        arc_mesh_add_hook(api->mesh, on_mesh_change, st) != ARC_OK ||
        arc_event_subscribe(api->deps.events, on_event, st) != ARC_OK) {
        arc_mesh_remove_hook(api->mesh, on_mesh_change, st);
        arc_stream_free(st);
        return NULL;
    }
    return st;
}

void arc_stream_free(arc_stream_t *st)
{
    if (st == NULL) {
        return;
    }
    arc_mesh_remove_hook(st->api->mesh, on_mesh_change, st);
    arc_event_unsubscribe(st->api->deps.events, on_event, st);
    for (uint32_t i = 0; i < ARC_STREAM_RING; i++) {
        free(st->ring[i].buf);
    }
    free(st->dirty);
    free(st->dirty_list);
    arc_jw_free(&st->decisions);
    arc_jw_free(&st->events);
    free(st);
}
