/*
 * request.c - checks on request bodies and query filters (see
 * request.h).
 *
 * Bodies are parsed with cJSON_ParseWithLength, which never reads past
 * the given length and needs no NUL. Each field is read by a helper
 * that distinguishes "absent" from "present with the wrong type", so a
 * client always learns which field was wrong and why.
 */
#include "api/request.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"

void arc_api_error_set(arc_api_error_t *err, int http, const char *code,
                       const char *fmt, ...)
{
    va_list ap;

    err->http = http;
    err->code = code;
    err->allow = NULL;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

/* The string field `name`: ARC_OK, ARC_ERR_NOT_FOUND if absent. */
static arc_status_t get_string(const cJSON *obj, const char *name,
                               const char **out, arc_api_error_t *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (item == NULL || cJSON_IsNull(item)) {
        return ARC_ERR_NOT_FOUND;
    }
    if (!cJSON_IsString(item) || item->valuestring == NULL) {
        arc_api_error_set(err, 400, "invalid-field",
                          "field \"%s\" must be a string", name);
        return ARC_ERR_INVALID;
    }
    *out = item->valuestring;
    return ARC_OK;
}

static arc_status_t get_number(const cJSON *obj, const char *name,
                               double *out, arc_api_error_t *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (item == NULL || cJSON_IsNull(item)) {
        return ARC_ERR_NOT_FOUND;
    }
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble)) {
        arc_api_error_set(err, 400, "invalid-field",
                          "field \"%s\" must be a number", name);
        return ARC_ERR_INVALID;
    }
    *out = item->valuedouble;
    return ARC_OK;
}

static arc_status_t parse_model(const cJSON *root, arc_route_body_t *out,
                                arc_api_error_t *err)
{
    const char *name = NULL;
    arc_status_t st = get_string(root, "model", &name, err);

    if (st == ARC_ERR_NOT_FOUND) {
        arc_api_error_set(err, 400, "missing-field",
                          "field \"model\" is required");
        return ARC_ERR_INVALID;
    }
    if (st != ARC_OK) {
        return st;
    }
    if (arc_model_find(name, &out->req.model) != ARC_OK) {
        arc_api_error_set(err, 400, "unknown-model",
                          "unknown model \"%.64s\"", name);
        return ARC_ERR_INVALID;
    }
    return ARC_OK;
}

static arc_status_t parse_priority(const cJSON *root, arc_route_body_t *out,
                                   arc_api_error_t *err)
{
    const char *name = NULL;
    arc_status_t st = get_string(root, "priority", &name, err);
    arc_priority_t prio = ARC_PRIO_NORMAL;

    if (st == ARC_ERR_INVALID) {
        return st;
    }
    if (st == ARC_OK && arc_priority_parse(name, &prio) != ARC_OK) {
        arc_api_error_set(err, 400, "unknown-priority",
                          "unknown priority \"%.64s\" (critical, normal, "
                          "background)", name);
        return ARC_ERR_INVALID;
    }
    out->req.priority = (uint8_t)prio;
    return ARC_OK;
}

static arc_status_t parse_policy(const cJSON *root, arc_policy_t fallback,
                                 arc_route_body_t *out, arc_api_error_t *err)
{
    const char *name = NULL;
    arc_status_t st = get_string(root, "policy", &name, err);

    out->policy = fallback;
    if (st == ARC_ERR_INVALID) {
        return st;
    }
    if (st == ARC_OK && arc_policy_parse(name, &out->policy) != ARC_OK) {
        arc_api_error_set(err, 400, "unknown-policy",
                          "unknown policy \"%.64s\"", name);
        return ARC_ERR_INVALID;
    }
    return ARC_OK;
}

static arc_status_t parse_origin(const cJSON *root, arc_route_body_t *out,
                                 arc_api_error_t *err)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "origin");
    double lat = 0, lon = 0;
    arc_status_t st;

    if (o == NULL || !cJSON_IsObject(o)) {
        arc_api_error_set(err, 400, o ? "invalid-field" : "missing-field",
                          "field \"origin\" must be an object {\"lat\","
                          "\"lon\"}");
        return ARC_ERR_INVALID;
    }
    st = get_number(o, "lat", &lat, err);
    if (st == ARC_OK) {
        st = get_number(o, "lon", &lon, err);
    }
    if (st == ARC_ERR_NOT_FOUND) {
        arc_api_error_set(err, 400, "missing-field",
                          "origin needs both \"lat\" and \"lon\"");
        return ARC_ERR_INVALID;
    }
    if (st != ARC_OK) {
        return st;
    }
    if (!arc_geo_valid(lat, lon)) {
        arc_api_error_set(err, 400, "invalid-origin",
                          "origin out of range: lat in [-90, 90], lon in "
                          "[-180, 180]");
        return ARC_ERR_INVALID;
    }
    out->req.lat = lat;
    out->req.lon = lon;
    return ARC_OK;
}

static arc_status_t parse_tokens(const cJSON *root, arc_route_body_t *out,
                                 arc_api_error_t *err)
{
    double v = ARC_API_TOKENS_DEFAULT;
    arc_status_t st = get_number(root, "max_tokens", &v, err);

    if (st == ARC_ERR_INVALID) {
        return st;
    }
    if (v < 1 || v > ARC_API_TOKENS_MAX || v != floor(v)) {
        arc_api_error_set(err, 400, "invalid-field",
                          "max_tokens must be an integer in [1, %d]",
                          ARC_API_TOKENS_MAX);
        return ARC_ERR_INVALID;
    }
    out->req.tokens = (uint32_t)v;
    return ARC_OK;
}

static uint32_t utf8_chars(const char *s, size_t n)
{
    uint32_t chars = 0;

    for (size_t i = 0; i < n; i++) {
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    }
    return chars;
}

static arc_status_t parse_input(const cJSON *root, arc_route_body_t *out,
                                arc_api_error_t *err)
{
    const char *input = NULL;
    arc_status_t st = get_string(root, "input", &input, err);

    if (st == ARC_ERR_NOT_FOUND) {
        arc_api_error_set(err, 400, "missing-field",
                          "field \"input\" is required");
        return ARC_ERR_INVALID;
    }
    if (st != ARC_OK) {
        return st;
    }
    out->input_bytes = strlen(input);
    out->input_chars = utf8_chars(input, out->input_bytes);
    return ARC_OK;
}

arc_status_t arc_api_parse_route_body(const char *body, size_t len,
                                      bool inference,
                                      arc_policy_t default_policy,
                                      arc_route_body_t *out,
                                      arc_api_error_t *err)
{
    cJSON *root = NULL;
    arc_status_t st = ARC_ERR_INVALID;

    memset(out, 0, sizeof(*out));
    if (len > ARC_API_BODY_MAX) {
        arc_api_error_set(err, 413, "payload-too-large",
                          "request body over %d bytes", ARC_API_BODY_MAX);
        goto out;
    }
    root = len > 0 ? cJSON_ParseWithLength(body, len) : NULL;
    if (root == NULL || !cJSON_IsObject(root)) {
        arc_api_error_set(err, 400, "invalid-json",
                          "request body must be a JSON object");
        goto out;
    }
    if (parse_model(root, out, err) != ARC_OK ||
        parse_priority(root, out, err) != ARC_OK ||
        parse_origin(root, out, err) != ARC_OK ||
        parse_policy(root, default_policy, out, err) != ARC_OK ||
        parse_tokens(root, out, err) != ARC_OK ||
        (inference && parse_input(root, out, err) != ARC_OK)) {
        goto out;
    }
    st = ARC_OK;
out:
    cJSON_Delete(root);
    return st;
}

arc_status_t arc_api_check_params(const arc_query_t *q,
                                  const char *const *allowed,
                                  arc_api_error_t *err)
{
    for (uint32_t i = 0; i < q->count; i++) {
        const char *key = q->pair[i].key;
        bool known = false;

        for (const char *const *a = allowed; *a != NULL && !known; a++) {
            known = strcmp(*a, key) == 0;
        }
        if (!known) {
            arc_api_error_set(err, 400, "unknown-parameter",
                              "unknown query parameter \"%s\"", key);
            return ARC_ERR_INVALID;
        }
    }
    return ARC_OK;
}

static arc_status_t filter_value(const arc_query_t *q, const char *key,
                                 int *out, arc_api_error_t *err)
{
    const char *v = arc_query_get(q, key);
    arc_status_t st;
    arc_zone_t zone = ARC_ZONE_WEST;
    arc_node_status_t status = ARC_NODE_UP;
    arc_energy_source_t source = ARC_SOURCE_SOLAR;
    uint32_t model = 0;

    *out = -1;
    if (v == NULL) {
        return ARC_OK;
    }
    if (strcmp(key, "zone") == 0) {
        st = arc_zone_parse(v, &zone);
        *out = (int)zone;
    } else if (strcmp(key, "status") == 0) {
        st = arc_node_status_parse(v, &status);
        *out = (int)status;
    } else if (strcmp(key, "model") == 0) {
        st = arc_model_find(v, &model);
        *out = (int)model;
    } else {
        st = arc_source_parse(v, &source);
        *out = (int)source;
    }
    if (st != ARC_OK) {
        *out = -1;
        arc_api_error_set(err, 400, "invalid-parameter",
                          "unknown %s \"%.64s\"", key, v);
        return ARC_ERR_INVALID;
    }
    return ARC_OK;
}

arc_status_t arc_api_parse_node_filter(const arc_query_t *q,
                                       arc_node_filter_t *f,
                                       arc_api_error_t *err)
{
    static const char *const allowed[] = {"zone", "status", "model",
                                          "energy_source", NULL};

    if (arc_api_check_params(q, allowed, err) != ARC_OK ||
        filter_value(q, "zone", &f->zone, err) != ARC_OK ||
        filter_value(q, "status", &f->status, err) != ARC_OK ||
        filter_value(q, "model", &f->model, err) != ARC_OK ||
        filter_value(q, "energy_source", &f->energy_source, err) != ARC_OK) {
        return ARC_ERR_INVALID;
    }
    return ARC_OK;
}

bool arc_api_node_matches(const arc_node_filter_t *f, const arc_node_t *n)
{
    if (f->zone >= 0 && n->zone != f->zone) {
        return false;
    }
    if (f->status >= 0) {
        int status = n->status == ARC_NODE_UP && n->admin_drained
                         ? ARC_NODE_DRAINING : n->status;

        if (status != f->status) {
            return false;
        }
    }
    if (f->model >= 0 && (n->models >> f->model & 1u) == 0) {
        return false;
    }
    return f->energy_source < 0 || n->energy_source == f->energy_source;
}

arc_status_t arc_api_parse_int(const char *s, long long min, long long max,
                               long long *out)
{
    char *end = NULL;
    long long v;

    if (s == NULL || *s == '\0' || *s == ' ' || *s == '+') {
        return ARC_ERR_INVALID;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return ARC_ERR_INVALID;
    }
    *out = v;
    return ARC_OK;
}

/* Sets bit i of *mask for each comma-separated name in `list`. */
static arc_status_t name_mask(const char *list, bool zones, uint32_t *mask)
{
    char name[64];
    size_t n = 0;

    *mask = 0;
    for (const char *c = list;; c++) {
        if (*c != ',' && *c != '\0') {
            if (n + 1 >= sizeof(name)) {
                return ARC_ERR_INVALID;
            }
            name[n++] = *c;
            continue;
        }
        name[n] = '\0';
        if (zones) {
            arc_zone_t z;

            if (arc_zone_parse(name, &z) != ARC_OK) {
                return ARC_ERR_INVALID;
            }
            *mask |= 1u << z;
        } else {
            arc_event_type_t t;

            if (arc_event_type_parse(name, &t) != ARC_OK) {
                return ARC_ERR_INVALID;
            }
            *mask |= 1u << t;
        }
        n = 0;
        if (*c == '\0') {
            return ARC_OK;
        }
    }
}

static arc_status_t event_numbers(const arc_query_t *q,
                                  arc_event_filter_t *f,
                                  arc_api_error_t *err)
{
    const char *since = arc_query_get(q, "since");
    const char *limit = arc_query_get(q, "limit");
    long long v = 0;

    if (since != NULL) {
        if (arc_api_parse_int(since, 0, INT64_MAX, &v) != ARC_OK) {
            arc_api_error_set(err, 400, "invalid-parameter",
                              "since must be a sequence number");
            return ARC_ERR_INVALID;
        }
        f->since = (uint64_t)v;
    }
    f->limit = ARC_API_EVENTS_DEFAULT;
    if (limit != NULL) {
        if (arc_api_parse_int(limit, 1, ARC_API_EVENTS_MAX, &v) != ARC_OK) {
            arc_api_error_set(err, 400, "invalid-parameter",
                              "limit must be an integer in [1, %d]",
                              ARC_API_EVENTS_MAX);
            return ARC_ERR_INVALID;
        }
        f->limit = (uint32_t)v;
    }
    return ARC_OK;
}

arc_status_t arc_api_parse_event_filter(const arc_query_t *q,
                                        arc_event_filter_t *f,
                                        arc_api_error_t *err)
{
    static const char *const allowed[] = {"type", "zone", "severity", "q",
                                          "since", "limit", NULL};
    const char *type = arc_query_get(q, "type");
    const char *zone = arc_query_get(q, "zone");
    const char *sev = arc_query_get(q, "severity");
    arc_severity_t s;

    arc_event_filter_init(f);
    if (arc_api_check_params(q, allowed, err) != ARC_OK) {
        return ARC_ERR_INVALID;
    }
    if (type != NULL && name_mask(type, false, &f->type_mask) != ARC_OK) {
        arc_api_error_set(err, 400, "invalid-parameter",
                          "unknown event type in \"%.64s\"", type);
        return ARC_ERR_INVALID;
    }
    if (zone != NULL && name_mask(zone, true, &f->zone_mask) != ARC_OK) {
        arc_api_error_set(err, 400, "invalid-parameter",
                          "unknown zone in \"%.64s\"", zone);
        return ARC_ERR_INVALID;
    }
    if (sev != NULL) {
        if (arc_severity_parse(sev, &s) != ARC_OK) {
            arc_api_error_set(err, 400, "invalid-parameter",
                              "unknown severity \"%.64s\"", sev);
            return ARC_ERR_INVALID;
        }
        f->severity_mask = arc_severity_mask_at_least(s);
    }
    f->q = arc_query_get(q, "q");
    return event_numbers(q, f, err);
}

typedef struct endpoint_def {
    const char *path;     /* exact path; NULL for the node paths */
    const char *suffix;   /* node paths: after /v1/nodes/{id} */
    const char *method;
    bool needs_token;
    bool changes;
    const char *prefix;   /* paths with an id: before it; NULL: nodes */
} endpoint_def_t;

static const endpoint_def_t endpoints[ARC_EP_COUNT] = {
    [ARC_EP_HEALTHZ] = {"/healthz", NULL, "GET", false, false},
    [ARC_EP_NODES] = {"/v1/nodes", NULL, "GET", true, false},
    [ARC_EP_NODE] = {NULL, "", "GET", true, false},
    [ARC_EP_DRAIN] = {NULL, "/drain", "POST", true, true},
    [ARC_EP_UNDRAIN] = {NULL, "/undrain", "POST", true, true},
    [ARC_EP_ZONES] = {"/v1/zones", NULL, "GET", true, false},
    [ARC_EP_ROUTE] = {"/v1/route", NULL, "POST", true, false},
    [ARC_EP_INFERENCE] = {"/v1/inference", NULL, "POST", true, true},
    [ARC_EP_EVENTS] = {"/v1/events", NULL, "GET", true, false},
    [ARC_EP_STREAM] = {"/v1/stream", NULL, "GET", true, false},
    [ARC_EP_NODE_HISTORY] = {NULL, "/history", "GET", true, false},
    [ARC_EP_ZONE_HISTORY] = {NULL, "/history", "GET", true, false,
                             "/v1/zones/"},
    [ARC_EP_CHANGES] = {"/v1/changes", NULL, "GET", true, false},
    [ARC_EP_STATS] = {"/v1/stats", NULL, "GET", true, false},
};

#define NODES_PREFIX "/v1/nodes/"

/* Matches {prefix}{id}{suffix}; copies the id. */
static bool match_node_path(const char *path, const char *prefix,
                            const char *suffix, char *id_out)
{
    const char *id = path + strlen(prefix);
    const char *slash;
    size_t n;

    if (strncmp(path, prefix, strlen(prefix)) != 0) {
        return false;
    }
    slash = strchr(id, '/');
    n = slash ? (size_t)(slash - id) : strlen(id);
    if (n == 0 || n >= ARC_NODE_ID_MAX || strcmp(id + n, suffix) != 0) {
        return false;
    }
    memcpy(id_out, id, n);
    id_out[n] = '\0';
    return true;
}

arc_status_t arc_api_resolve(const char *method, const char *path,
                             arc_endpoint_match_t *m, arc_api_error_t *err)
{
    memset(m, 0, sizeof(*m));
    for (int i = 0; i < ARC_EP_COUNT; i++) {
        const endpoint_def_t *d = &endpoints[i];
        bool hit = d->path ? strcmp(path, d->path) == 0
                           : match_node_path(path,
                                             d->prefix ? d->prefix
                                                       : NODES_PREFIX,
                                             d->suffix, m->node_id);

        if (!hit) {
            continue;
        }
        m->endpoint = (arc_endpoint_t)i;
        m->needs_token = d->needs_token;
        m->changes = d->changes;
        m->allow = d->method;
        if (strcmp(method, d->method) != 0) {
            arc_api_error_set(err, 405, "method-not-allowed",
                              "%s takes %s only", path, d->method);
            err->allow = d->method;
            return ARC_ERR_INVALID;
        }
        return ARC_OK;
    }
    arc_api_error_set(err, 404, "not-found", "no such path");
    return ARC_ERR_INVALID;
}
