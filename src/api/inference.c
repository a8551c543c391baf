/*
 * inference.c - POST /v1/inference: hand the request to the engine and
 * answer when the simulated node has served it.
 *
 * The HTTP connection stays open while the engine works. A pending
 * record links the engine's request to the session; the engine calls
 * back with the outcome (at once for a rejection, after the simulated
 * queue and service time otherwise), the reply is rendered into the
 * session and lws is asked for a writable callback, where server.c
 * writes it. If the client hangs up first, the session forgets the
 * record and the outcome is simply dropped when it comes.
 *
 * Memory: pending records are owned by the API's list and freed when
 * their outcome arrives or at shutdown. Threads: the API's one thread.
 */
#include "api/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct arc_pending {
    arc_api_t *api;
    arc_session_t *session; /* NULL once the client has gone */
    arc_pending_t *next, *prev;
    uint32_t input_chars;
};

static void unlink_pending(arc_pending_t *p)
{
    if (p->prev != NULL) {
        p->prev->next = p->next;
    } else {
        p->api->pending = p->next;
    }
    if (p->next != NULL) {
        p->next->prev = p->prev;
    }
}

static void add_header(arc_session_t *s, const char *name,
                       const char *value)
{
    arc_api_header_t *h;
    size_t n = strlen(value);

    if (s->reply_hdr_count >= ARC_API_MAX_HEADERS) {
        return;
    }
    h = &s->reply_hdr[s->reply_hdr_count++];
    h->name = name;
    n = n < sizeof(h->value) - 1 ? n : sizeof(h->value) - 1;
    memcpy(h->value, value, n);
    h->value[n] = '\0';
}

static void render_served(arc_session_t *s, const arc_request_t *req,
                          const arc_outcome_t *o, uint32_t input_chars)
{
    const char *model = arc_model_get(req->model)->name;
    const char *source = arc_source_name(o->source);
    char output[256];
    arc_jw_t *w = &s->reply;

    snprintf(output, sizeof(output),
             "[simulated] %s on %s read %u characters of input and wrote "
             "%u tokens on %s power.",
             model, o->node_id, input_chars, req->tokens, source);
    arc_jw_obj_open(w);
    arc_jw_kuint(w, "request", req->id);
    arc_jw_kstr(w, "model", model);
    arc_jw_kstr(w, "node", o->node_id);
    arc_jw_kstr(w, "zone", arc_zone_name(o->zone));
    arc_jw_kstr(w, "energy_source", source);
    arc_jw_kdouble(w, "carbon_g", o->carbon_g);
    arc_jw_kdouble(w, "energy_kwh", o->energy_kwh);
    arc_jw_kdouble(w, "rtt_ms", o->rtt_ms);
    arc_jw_kdouble(w, "queue_ms", o->queue_ms);
    arc_jw_kdouble(w, "service_ms", o->service_ms);
    arc_jw_kstr(w, "output", output);
    arc_jw_obj_close(w);
    s->reply_status = 200;
    snprintf(output, sizeof(output), "%.6g", o->carbon_g);
    add_header(s, "arcnet-node:", o->node_id);
    add_header(s, "arcnet-energy-source:", source);
    add_header(s, "arcnet-carbon-g:", output);
}

static void render_error(arc_session_t *s, int status, const char *code,
                         const char *message)
{
    arc_jw_t *w = &s->reply;

    arc_jw_obj_open(w);
    arc_jw_key(w, "error");
    arc_jw_obj_open(w);
    arc_jw_kstr(w, "code", code);
    arc_jw_kstr(w, "message", message);
    arc_jw_obj_close(w);
    arc_jw_obj_close(w);
    s->reply_status = status;
}

void arc_api_inference_render(arc_session_t *s, double time_scale,
                              const arc_request_t *req,
                              const arc_outcome_t *o, uint32_t input_chars)
{
    double wait_s;
    char secs[32];

    s->reply_hdr_count = 0;
    switch (o->status) {
    case ARC_OK:
        render_served(s, req, o, input_chars);
        break;
    case ARC_ERR_FULL:
        render_error(s, 429, "queue-full",
                     "the router queue is full: retry later");
        wait_s = (double)(o->retry_after_us - o->finished_us) /
                 ARC_US_PER_S / time_scale;
        snprintf(secs, sizeof(secs), "%.0f",
                 wait_s < 1 ? 1.0 : ceil(wait_s));
        add_header(s, "retry-after:", secs);
        break;
    case ARC_ERR_UNAVAILABLE:
        render_error(s, 503, "unavailable", arc_reason_text(o->reason));
        break;
    case ARC_ERR_INVALID:
        render_error(s, 400, "invalid-request", "the engine refused it");
        break;
    default:
        render_error(s, 500, "internal", arc_status_name(o->status));
    }
}

/* Makes s's reply ready and asks lws to let us write it. */
static void reply_ready(arc_api_t *api, arc_session_t *s)
{
    s->reply_ready = true;
    api->replies_waiting++;
    lws_callback_on_writable(s->wsi);
}

static void on_done(void *ctx, const arc_request_t *req,
                    const arc_outcome_t *o)
{
    arc_pending_t *p = ctx;
    arc_session_t *s = p->session;

    unlink_pending(p);
    if (s != NULL) {
        s->pending = NULL;
        arc_jw_free(&s->reply);
        arc_jw_init(&s->reply, ARC_API_HEADROOM);
        arc_api_inference_render(s, p->api->deps.time_scale, req, o,
                                 p->input_chars);
        reply_ready(p->api, s);
    }
    free(p);
}

arc_status_t arc_api_inference_submit(arc_api_t *api, arc_session_t *s,
                                      const arc_route_body_t *body,
                                      arc_api_error_t *err)
{
    arc_pending_t *p = calloc(1, sizeof(*p));
    arc_request_t req = body->req;
    arc_status_t st;

    if (p == NULL) {
        arc_api_error_set(err, 503, "out-of-memory", "try again later");
        return ARC_ERR_NOMEM;
    }
    p->api = api;
    p->session = s;
    p->input_chars = body->input_chars;
    p->next = api->pending;
    if (p->next != NULL) {
        p->next->prev = p;
    }
    api->pending = p;
    s->pending = p;
    req.id = ARC_API_REQUEST_ID_BASE + api->next_request_id++;
    req.arrival_us = 0;
    lws_set_timeout(s->wsi, NO_PENDING_TIMEOUT, 0);
    st = arc_engine_submit(api->deps.engine, &req, on_done, p);
    if (st != ARC_OK) {
        s->pending = NULL;
        unlink_pending(p);
        free(p);
        arc_api_error_set(err, st == ARC_ERR_INVALID ? 400 : 503,
                          arc_status_name(st), "the engine refused it");
    }
    return st;
}

void arc_api_inference_detach(arc_session_t *s)
{
    if (s->pending != NULL) {
        s->pending->session = NULL;
        s->pending = NULL;
    }
}

void arc_api_inference_abort_all(arc_api_t *api)
{
    for (arc_pending_t *p = api->pending; p != NULL; p = p->next) {
        arc_session_t *s = p->session;

        if (s == NULL) {
            continue;
        }
        p->session = NULL;
        s->pending = NULL;
        arc_jw_free(&s->reply);
        arc_jw_init(&s->reply, ARC_API_HEADROOM);
        s->reply_hdr_count = 0;
        render_error(s, 503, "shutting-down", "the daemon is stopping");
        reply_ready(api, s);
    }
}

void arc_api_inference_free_all(arc_api_t *api)
{
    while (api->pending != NULL) {
        arc_pending_t *p = api->pending;

        api->pending = p->next;
        free(p);
    }
}
