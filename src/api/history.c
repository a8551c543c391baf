/*
 * history.c - the API's history endpoints (see history.h).
 *
 * The one idea: the store answers in its own rows and buckets; this
 * file only reads times from the query, maps the store's statuses to
 * HTTP answers and renders the rows in the same shapes the live
 * endpoints use (a node as of a time looks like a live node, plus the
 * times it was valid and recorded), so clients and the CLI read both
 * the same way.
 *
 * Threads: the API's one thread.
 */
#include "api/history.h"
#include "api/views.h"

#include <string.h>

#include "store/stime.h"
#include "store/store.h"

#define HOUR_US (3600 * ARC_US_PER_S)
#define MINUTE_US (60 * ARC_US_PER_S)

static const char *const at_params[] = {"valid_at", "as_of", "known_at",
                                        NULL};
static const char *const range_params[] = {"from", "to", "step",
                                           "known_at", NULL};

static int reply(arc_api_t *api, arc_session_t *s)
{
    return arc_api_write(s->wsi, 200, &api->out, NULL, 0);
}

static int fail(arc_api_t *api, arc_session_t *s, const arc_api_error_t *e)
{
    return arc_api_write_error(api, s->wsi, e);
}

bool arc_api_wants_history(const arc_query_t *q)
{
    return arc_query_get(q, "valid_at") != NULL ||
           arc_query_get(q, "as_of") != NULL ||
           arc_query_get(q, "known_at") != NULL;
}

/* ---- reading the query ------------------------------------------------ */

/* The time `key` (or `dflt` when absent). */
static arc_status_t time_param(const arc_query_t *q, const char *key,
                               int64_t dflt, int64_t *out,
                               arc_api_error_t *err)
{
    const char *v = arc_query_get(q, key);

    if (v == NULL) {
        *out = dflt;
        return ARC_OK;
    }
    if (arc_time_parse(v, out) != ARC_OK) {
        arc_api_error_set(err, 400, "invalid-time",
                          "%s: \"%s\" is not an RFC 3339 time or integer "
                          "microseconds", key, v);
        return ARC_ERR_INVALID;
    }
    return ARC_OK;
}

/* A duration: integer microseconds, or a number with ms, s, m, h, d. */
static arc_status_t step_param(const arc_query_t *q, int64_t dflt,
                               int64_t *out, arc_api_error_t *err)
{
    static const struct {
        const char *unit;
        int64_t us;
    } units[] = {{"", 1},          {"us", 1},          {"ms", 1000},
                 {"s", ARC_US_PER_S}, {"m", MINUTE_US}, {"h", HOUR_US},
                 {"d", 24 * HOUR_US}};
    const char *v = arc_query_get(q, "step");
    long long n;
    char num[32];
    size_t digits;

    *out = dflt;
    if (v == NULL) {
        return ARC_OK;
    }
    digits = strspn(v, "0123456789");
    if (digits > 0 && digits < sizeof(num)) {
        memcpy(num, v, digits);
        num[digits] = '\0';
        for (size_t i = 0; i < ARC_ARRAY_LEN(units); i++) {
            if (strcmp(v + digits, units[i].unit) == 0 &&
                arc_api_parse_int(num, 1, INT64_MAX / units[i].us, &n) ==
                    ARC_OK) {
                *out = (int64_t)n * units[i].us;
                return ARC_OK;
            }
        }
    }
    arc_api_error_set(err, 400, "invalid-parameter",
                      "step: \"%s\" is not a duration (60s, 5m, 1h or "
                      "microseconds)", v);
    return ARC_ERR_INVALID;
}

/* The range of a history query; `to` defaults to now, `from` to an
 * hour before `to`, the step to a minute. */
static arc_status_t range_params_read(arc_api_t *api, const arc_query_t *q,
                                      arc_store_range_t *r,
                                      arc_api_error_t *err)
{
    int64_t now = arc_engine_now(api->deps.engine);

    if (arc_api_check_params(q, range_params, err) != ARC_OK ||
        time_param(q, "to", now, &r->to_us, err) != ARC_OK ||
        time_param(q, "from", r->to_us - HOUR_US, &r->from_us, err) !=
            ARC_OK ||
        step_param(q, MINUTE_US, &r->step_us, err) != ARC_OK ||
        time_param(q, "known_at", 0, &r->known_at_us, err) != ARC_OK) {
        return ARC_ERR_INVALID;
    }
    return ARC_OK;
}

static arc_status_t at_params_read(arc_api_t *api, const arc_query_t *q,
                                   int64_t *valid, int64_t *known,
                                   arc_api_error_t *err)
{
    int64_t now = arc_engine_now(api->deps.engine);
    const char *key = arc_query_get(q, "as_of") ? "as_of" : "valid_at";

    if (arc_api_check_params(q, at_params, err) != ARC_OK ||
        time_param(q, key, now, valid, err) != ARC_OK ||
        time_param(q, "known_at", 0, known, err) != ARC_OK) {
        return ARC_ERR_INVALID;
    }
    return ARC_OK;
}

/* The store's answer as an HTTP error. */
static void store_error(arc_status_t st, const char *msg,
                        arc_api_error_t *err)
{
    if (st == ARC_ERR_INVALID) {
        arc_api_error_set(err, 400, "invalid-time", "%s", msg);
    } else if (st == ARC_ERR_NOT_FOUND) {
        arc_api_error_set(err, 404, "unknown-node", "%s", msg);
    } else {
        arc_api_error_set(err, 503, "history-unavailable", "%s", msg);
    }
}

static bool have_store(arc_api_t *api, arc_api_error_t *err)
{
    if (api->deps.store != NULL) {
        return true;
    }
    arc_api_error_set(err, 503, "no-history",
                      "this daemon runs without a history store");
    return false;
}

/* ---- rendering -------------------------------------------------------- */

static void view_row(arc_jw_t *w, const arc_store_node_row_t *r)
{
    static const char *const kinds[] = {"telemetry", "keyframe",
                                        "correction"};

    arc_jw_obj_open(w);
    arc_jw_kstr(w, "id", r->node);
    arc_jw_kstr(w, "zone", arc_zone_name((arc_zone_t)r->zone));
    arc_jw_kstr(w, "status", arc_node_status_name(r->status));
    arc_jw_kstr(w, "energy_source", arc_source_name(r->energy_source));
    arc_jw_kdouble(w, "carbon_g_per_kwh", r->carbon_g_per_kwh);
    arc_jw_kdouble(w, "battery_soc", r->battery_soc);
    arc_jw_kdouble(w, "gpu_util", r->gpu_util);
    arc_jw_kuint(w, "gpus_free", r->gpus_free);
    arc_jw_kuint(w, "gpus_total", r->gpus_total);
    arc_jw_kuint(w, "queue_depth", r->queue_depth);
    arc_jw_kdouble(w, "power_kw", r->power_kw);
    arc_jw_key(w, "models");
    arc_view_models(w, r->models);
    arc_jw_kint(w, "valid_from", r->valid_us);
    arc_jw_kint(w, "recorded_at", r->system_us);
    arc_jw_kstr(w, "kind", r->kind < 3 ? kinds[r->kind] : "telemetry");
    arc_jw_obj_close(w);
}

static void times(arc_jw_t *w, int64_t valid, int64_t known)
{
    arc_jw_kint(w, "valid_at", valid);
    if (known != 0) {
        arc_jw_kint(w, "known_at", known);
    } else {
        arc_jw_key(w, "known_at");
        arc_jw_null(w);
    }
}

/* ---- handlers --------------------------------------------------------- */

int arc_api_get_nodes_at(arc_api_t *api, arc_session_t *s,
                         const arc_query_t *q)
{
    arc_store_node_row_t *rows = NULL;
    int64_t valid, known;
    arc_api_error_t err;
    arc_status_t st;
    char msg[200];
    size_t n = 0;

    if (!have_store(api, &err) ||
        at_params_read(api, q, &valid, &known, &err) != ARC_OK) {
        return fail(api, s, &err);
    }
    st = arc_store_mesh_at(api->deps.store, valid, known, &rows, &n, msg,
                           sizeof(msg));
    if (st != ARC_OK) {
        store_error(st, msg, &err);
        return fail(api, s, &err);
    }
    arc_jw_obj_open(&api->out);
    arc_jw_key(&api->out, "nodes");
    arc_jw_arr_open(&api->out);
    for (size_t i = 0; i < n; i++) {
        view_row(&api->out, &rows[i]);
    }
    arc_jw_arr_close(&api->out);
    times(&api->out, valid, known);
    arc_jw_obj_close(&api->out);
    free(rows);
    return reply(api, s);
}

int arc_api_get_node_at(arc_api_t *api, arc_session_t *s,
                        const arc_query_t *q)
{
    arc_store_node_row_t row;
    int64_t valid, known;
    arc_api_error_t err;
    arc_status_t st;
    char msg[200];

    if (!have_store(api, &err) ||
        at_params_read(api, q, &valid, &known, &err) != ARC_OK) {
        return fail(api, s, &err);
    }
    st = arc_store_node_at(api->deps.store, s->match.node_id, valid, known,
                           &row, msg, sizeof(msg));
    if (st != ARC_OK) {
        store_error(st, msg, &err);
        return fail(api, s, &err);
    }
    arc_jw_obj_open(&api->out);
    arc_jw_key(&api->out, "node");
    view_row(&api->out, &row);
    times(&api->out, valid, known);
    arc_jw_obj_close(&api->out);
    return reply(api, s);
}

static void view_node_bucket(arc_jw_t *w, const void *bucket)
{
    const arc_store_node_bucket_t *b = bucket;

    arc_jw_obj_open(w);
    arc_jw_kint(w, "time", b->start_us);
    arc_jw_kuint(w, "samples", b->samples);
    arc_jw_kstr(w, "status", arc_node_status_name(b->status));
    arc_jw_kstr(w, "energy_source", arc_source_name(b->energy_source));
    arc_jw_kuint(w, "gpus_free_min", b->gpus_free_min);
    arc_jw_kdouble(w, "gpu_util", b->gpu_util);
    arc_jw_kdouble(w, "battery_soc", b->battery_soc);
    arc_jw_kdouble(w, "power_kw", b->power_kw);
    arc_jw_kdouble(w, "carbon_g_per_kwh", b->carbon_g_per_kwh);
    arc_jw_obj_close(w);
}

/*
 * The reply of both history endpoints: {KEY: NAME, from, to, step,
 * buckets: [...]}, each of the `n` buckets (`size` bytes apart) written
 * by `view`. Frees the buckets.
 */
static int reply_buckets(arc_api_t *api, arc_session_t *s, const char *key,
                         const char *name, const arc_store_range_t *r,
                         void *buckets, size_t n, size_t size,
                         void (*view)(arc_jw_t *w, const void *bucket))
{
    arc_jw_obj_open(&api->out);
    arc_jw_kstr(&api->out, key, name);
    arc_jw_kint(&api->out, "from", r->from_us);
    arc_jw_kint(&api->out, "to", r->to_us);
    arc_jw_kint(&api->out, "step", r->step_us);
    arc_jw_key(&api->out, "buckets");
    arc_jw_arr_open(&api->out);
    for (size_t i = 0; i < n; i++) {
        view(&api->out, (const char *)buckets + i * size);
    }
    arc_jw_arr_close(&api->out);
    arc_jw_obj_close(&api->out);
    free(buckets);
    return reply(api, s);
}

int arc_api_get_node_history(arc_api_t *api, arc_session_t *s,
                             const arc_query_t *q)
{
    arc_store_node_bucket_t *b = NULL;
    arc_store_range_t r;
    arc_api_error_t err;
    arc_status_t st;
    char msg[200];
    size_t n = 0;

    if (!have_store(api, &err) ||
        range_params_read(api, q, &r, &err) != ARC_OK) {
        return fail(api, s, &err);
    }
    st = arc_store_node_history(api->deps.store, s->match.node_id, &r, &b,
                                &n, msg, sizeof(msg));
    if (st != ARC_OK) {
        store_error(st, msg, &err);
        return fail(api, s, &err);
    }
    return reply_buckets(api, s, "node", s->match.node_id, &r, b, n,
                         sizeof(*b), view_node_bucket);
}

static void view_zone_bucket(arc_jw_t *w, const void *bucket)
{
    const arc_store_zone_bucket_t *b = bucket;

    arc_jw_obj_open(w);
    arc_jw_kint(w, "time", b->start_us);
    arc_jw_kuint(w, "samples", b->samples);
    arc_jw_kdouble(w, "nodes_up", b->nodes_up);
    arc_jw_kdouble(w, "gpu_util", b->gpu_util);
    arc_jw_kdouble(w, "power_kw", b->power_kw);
    arc_jw_kdouble(w, "carbon_g_per_kwh", b->carbon_g_per_kwh);
    arc_jw_key(w, "power_by_source_kw");
    arc_jw_obj_open(w);
    for (int i = 0; i < ARC_SOURCE_COUNT; i++) {
        arc_jw_kdouble(w, arc_source_name((arc_energy_source_t)i),
                       b->power_by_source_kw[i]);
    }
    arc_jw_obj_close(w);
    arc_jw_obj_close(w);
}

int arc_api_get_zone_history(arc_api_t *api, arc_session_t *s,
                             const arc_query_t *q)
{
    arc_store_zone_bucket_t *b = NULL;
    arc_store_range_t r;
    arc_api_error_t err;
    arc_zone_t zone;
    arc_status_t st;
    char msg[200];
    size_t n = 0;

    if (arc_zone_parse(s->match.node_id, &zone) != ARC_OK) {
        arc_api_error_set(&err, 404, "unknown-zone", "no zone \"%s\"",
                          s->match.node_id);
        return fail(api, s, &err);
    }
    if (!have_store(api, &err) ||
        range_params_read(api, q, &r, &err) != ARC_OK) {
        return fail(api, s, &err);
    }
    st = arc_store_zone_history(api->deps.store, zone, &r, &b, &n, msg,
                                sizeof(msg));
    if (st != ARC_OK) {
        store_error(st, msg, &err);
        return fail(api, s, &err);
    }
    return reply_buckets(api, s, "zone", arc_zone_name(zone), &r, b, n,
                         sizeof(*b), view_zone_bucket);
}

static void view_change(arc_jw_t *w, const arc_store_change_t *c)
{
    arc_jw_obj_open(w);
    arc_jw_kstr(w, "id", c->node);
    arc_jw_kbool(w, "new", !c->existed_before);
    if (c->existed_before) {
        arc_jw_kstr(w, "status_before",
                    arc_node_status_name(c->status_before));
        arc_jw_kstr(w, "energy_source_before",
                    arc_source_name(c->source_before));
    }
    arc_jw_kstr(w, "status", arc_node_status_name(c->status_after));
    arc_jw_kstr(w, "energy_source", arc_source_name(c->source_after));
    arc_jw_kint(w, "valid_from", c->valid_after_us);
    arc_jw_obj_close(w);
}

int arc_api_get_changes(arc_api_t *api, arc_session_t *s,
                        const arc_query_t *q)
{
    arc_store_change_t *c = NULL;
    arc_store_range_t r;
    arc_api_error_t err;
    arc_status_t st;
    char msg[200];
    size_t n = 0;

    if (!have_store(api, &err) ||
        range_params_read(api, q, &r, &err) != ARC_OK) {
        return fail(api, s, &err);
    }
    st = arc_store_changes(api->deps.store, &r, &c, &n, msg, sizeof(msg));
    if (st != ARC_OK) {
        store_error(st, msg, &err);
        return fail(api, s, &err);
    }
    arc_jw_obj_open(&api->out);
    arc_jw_kint(&api->out, "from", r.from_us);
    arc_jw_kint(&api->out, "to", r.to_us);
    arc_jw_key(&api->out, "changes");
    arc_jw_arr_open(&api->out);
    for (size_t i = 0; i < n; i++) {
        view_change(&api->out, &c[i]);
    }
    arc_jw_arr_close(&api->out);
    arc_jw_obj_close(&api->out);
    free(c);
    return reply(api, s);
}
