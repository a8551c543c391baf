/*
 * store_query.c - the store's questions (see store.h): a node or the
 * whole mesh as of (valid time, system time), bucketed node and zone
 * history, events in a range, and what changed between two times.
 *
 * The one idea: "as of valid T known at S" is "the row with the
 * greatest valid time <= T, and among those the greatest system time
 * <= S", one backwards step in the (node, valid, system) key. History
 * ignores a row when a later version of the same valid time was known
 * by S (a correction replaces, it does not add). Bucketing is integer
 * division in SQL, so only occupied buckets come back.
 *
 * Threads: the caller's (one at a time), on the query connection.
 * Memory: results are malloc'd for the caller.
 */
#include "store/store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENTS_LIMIT 10000

static const char *const query_sql[QST_COUNT] = {
    [QST_NODE_AT] =
        "SELECT " ARC_STORE_NODE_COLS " FROM node_state s JOIN nodes n"
        " ON n.id = s.node_id"
        " WHERE s.node_id = (SELECT id FROM nodes WHERE name = ?3)"
        " AND s.valid_us <= ?1 AND s.system_us <= ?2"
        " ORDER BY s.valid_us DESC, s.system_us DESC LIMIT 1",
    [QST_NODE_AT_MINUTE] =
        "SELECT " ARC_STORE_MINUTE_COLS " FROM node_minute s"
        " JOIN nodes n ON n.id = s.node_id"
        " WHERE s.node_id = (SELECT id FROM nodes WHERE name = ?3)"
        " AND s.minute_us <= ?1 AND s.system_us <= ?2"
        " ORDER BY s.minute_us DESC LIMIT 1",
    [QST_MESH_AT] = NULL,        /* the driver's */
    [QST_MESH_AT_MINUTE] = NULL, /* the driver's */
    [QST_NODE_ID] = "SELECT id FROM nodes WHERE name = ?1",
    [QST_NODE_HISTORY] =
        "SELECT (r.t - ?2) / ?4, count(*), max(r.status), max(r.source),"
        " min(r.gpus_free), avg(r.gpu_util), avg(r.battery_soc),"
        " avg(r.power_kw), avg(r.carbon) FROM ("
        " SELECT s.valid_us AS t, s.status, s.source, s.gpus_free,"
        " s.gpu_util, s.battery_soc, s.power_kw, s.carbon"
        " FROM node_state s WHERE s.node_id = ?1 AND s.valid_us >= ?2"
        " AND s.valid_us < ?3 AND s.system_us <= ?5 AND NOT EXISTS"
        " (SELECT 1 FROM node_state c WHERE c.node_id = s.node_id"
        " AND c.valid_us = s.valid_us AND c.system_us > s.system_us"
        " AND c.system_us <= ?5)"
        " UNION ALL SELECT m.minute_us, m.status, m.source, m.gpus_free,"
        " m.gpu_util, m.battery_soc, m.power_kw, m.carbon"
        " FROM node_minute m WHERE m.node_id = ?1 AND m.minute_us >= ?2"
        " AND m.minute_us < ?3 AND m.system_us <= ?5) r"
        " GROUP BY 1 ORDER BY 1",
    [QST_ZONE_HISTORY] =
        "SELECT (z.valid_us - ?2) / ?4, count(*), avg(z.nodes_up),"
        " avg(z.gpu_util), avg(z.power_kw), avg(z.carbon),"
        " avg(z.kw_solar), avg(z.kw_wind), avg(z.kw_gas),"
        " avg(z.kw_battery), avg(z.kw_grid) FROM zone_state z"
        " WHERE z.zone = ?1 AND z.valid_us >= ?2 AND z.valid_us < ?3"
        " AND z.system_us <= ?5 AND NOT EXISTS (SELECT 1 FROM zone_state c"
        " WHERE c.zone = z.zone AND c.valid_us = z.valid_us"
        " AND c.system_us > z.system_us AND c.system_us <= ?5)"
        " GROUP BY 1 ORDER BY 1",
    [QST_EVENTS] =
        "SELECT seq, valid_us, system_us, type, severity, zone, node,"
        " coalesced, message FROM events WHERE valid_us >= ?1"
        " AND valid_us < ?2 AND system_us <= ?3"
        " AND (?4 = 0 OR ((1 << type) & ?4) <> 0)"
        " AND (?5 = 0 OR ((1 << zone) & ?5) <> 0)"
        " AND (?6 = 0 OR ((1 << severity) & ?6) <> 0)"
        " AND (?7 = '' OR node = ?7) ORDER BY valid_us, seq LIMIT ?8",
};

/* ---- the query connection --------------------------------------------- */

void arc_store_query_disconnect(arc_store_t *s)
{
    for (int i = 0; i < QST_COUNT; i++) {
        if (s->qst[i] != NULL) {
            s->drv->finalize(s->qst[i]);
            s->qst[i] = NULL;
        }
    }
    if (s->qdb != NULL) {
        s->drv->disconnect(s->qdb);
        s->qdb = NULL;
    }
}

/* The cached statement `which`, reset and ready to bind. */
static arc_status_t statement(arc_store_t *s, int which, arc_sstmt_t **out,
                              char *err, size_t errlen)
{
    const char *sql = which == QST_MESH_AT          ? s->drv->mesh_at_sql
                      : which == QST_MESH_AT_MINUTE ? s->drv->mesh_minute_sql
                                                    : query_sql[which];
    arc_status_t st = ARC_OK;

    if (s->qdb == NULL) {
        st = s->drv->connect(s->target, false, &s->qdb, err, errlen);
    }
    if (st == ARC_OK && s->qst[which] == NULL) {
        st = s->drv->prepare(s->qdb, sql, &s->qst[which]);
        if (st != ARC_OK) {
            snprintf(err, errlen, "store: %s", s->drv->errmsg(s->qdb));
        }
    }
    if (st == ARC_OK) {
        s->drv->reset(s->qst[which]);
        *out = s->qst[which];
    }
    return st;
}

/* After a failed step: the sentence, and a fresh connection next time. */
static arc_status_t query_failed(arc_store_t *s, char *err, size_t errlen)
{
    snprintf(err, errlen, "store: query failed: %s",
             s->qdb ? s->drv->errmsg(s->qdb) : "no connection");
    arc_store_query_disconnect(s);
    return ARC_ERR_IO;
}

/* ---- checking times --------------------------------------------------- */

static int64_t known_bound(int64_t known_at_us)
{
    return known_at_us == 0 ? INT64_MAX : known_at_us;
}

static arc_status_t check_times(arc_store_t *s, int64_t valid_us,
                                int64_t known_at_us, char *err,
                                size_t errlen)
{
    int64_t sys_now = s->cfg.clock ? s->cfg.clock(s->cfg.clock_ctx)
                                   : arc_now_us();
    int64_t valid_now = s->cfg.valid_clock
                            ? s->cfg.valid_clock(s->cfg.valid_clock_ctx)
                            : sys_now;

    if (valid_us > valid_now) {
        snprintf(err, errlen, "valid time %lld is in the future (now "
                 "%lld)", (long long)valid_us, (long long)valid_now);
        return ARC_ERR_INVALID;
    }
    if (known_at_us != INT64_MAX && known_at_us > sys_now) {
        snprintf(err, errlen, "known-at time %lld is in the future (now "
                 "%lld)", (long long)known_at_us, (long long)sys_now);
        return ARC_ERR_INVALID;
    }
    return ARC_OK;
}

static arc_status_t check_range(arc_store_t *s, const arc_store_range_t *r,
                                bool bucketed, char *err, size_t errlen)
{
    if (r == NULL || r->from_us > r->to_us) {
        snprintf(err, errlen, "the range starts after it ends (from > to)");
        return ARC_ERR_INVALID;
    }
    if (bucketed && r->step_us <= 0) {
        snprintf(err, errlen, "the step must be a positive duration");
        return ARC_ERR_INVALID;
    }
    if (bucketed && (r->to_us - r->from_us) / r->step_us >=
                        ARC_STORE_MAX_BUCKETS) {
        snprintf(err, errlen, "the range holds more than %d steps",
                 ARC_STORE_MAX_BUCKETS);
        return ARC_ERR_INVALID;
    }
    return check_times(s, r->from_us, known_bound(r->known_at_us), err,
                       errlen);
}

/* ---- growing result arrays -------------------------------------------- */

static void *grow(void *arr, size_t *cap, size_t n, size_t size)
{
    void *bigger;
    size_t want;

    if (n < *cap) {
        return arr;
    }
    want = *cap ? *cap * 2 : 64;
    bigger = realloc(arr, want * size);
    if (bigger != NULL) {
        *cap = want;
    }
    return bigger;
}

/* ---- node rows -------------------------------------------------------- */

static void read_node_row(const arc_store_driver_t *d, arc_sstmt_t *st,
                          arc_store_node_row_t *r)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->node, sizeof(r->node), "%s", d->col_text(st, 0));
    r->valid_us = d->col_i64(st, 1);
    r->system_us = d->col_i64(st, 2);
    r->kind = (uint8_t)d->col_i64(st, 3);
    r->seq = (uint64_t)d->col_i64(st, 4);
    r->zone = (uint8_t)d->col_i64(st, 5);
    r->status = (uint8_t)d->col_i64(st, 6);
    r->energy_source = (uint8_t)d->col_i64(st, 7);
    r->gpus_free = (uint16_t)d->col_i64(st, 8);
    r->gpus_total = (uint16_t)d->col_i64(st, 9);
    r->models = (uint32_t)d->col_i64(st, 10);
    r->queue_depth = (uint32_t)d->col_i64(st, 11);
    r->gpu_util = (float)d->col_f64(st, 12);
    r->gpu_mem_used_gb = (float)d->col_f64(st, 13);
    r->battery_soc = (float)d->col_f64(st, 14);
    r->power_kw = (float)d->col_f64(st, 15);
    r->carbon_g_per_kwh = (float)d->col_f64(st, 16);
}

/* One row of statement `which` for a node; *found says if there was. */
static arc_status_t one_node_row(arc_store_t *s, int which,
                                 const char *node, int64_t valid_us,
                                 int64_t known, arc_store_node_row_t *out,
                                 bool *found, char *err, size_t errlen)
{
    arc_sstmt_t *st;
    arc_status_t rc = statement(s, which, &st, err, errlen);

    if (rc != ARC_OK) {
        return rc;
    }
    s->drv->bind_i64(st, 1, valid_us);
    s->drv->bind_i64(st, 2, known);
    s->drv->bind_text(st, 3, node);
    if (s->drv->step(st, found) != ARC_OK) {
        return query_failed(s, err, errlen);
    }
    if (*found) {
        read_node_row(s->drv, st, out);
    }
    s->drv->reset(st);
    return ARC_OK;
}

arc_status_t arc_store_node_at(arc_store_t *store, const char *node,
                               int64_t valid_us, int64_t known_at_us,
                               arc_store_node_row_t *out, char *err,
                               size_t errlen)
{
    int64_t known = known_bound(known_at_us);
    arc_store_node_row_t raw, minute;
    bool have_raw = false, have_minute = false;
    arc_status_t st;

    if (node == NULL || node[0] == '\0') {
        snprintf(err, errlen, "a node id is required");
        return ARC_ERR_INVALID;
    }
    st = check_times(store, valid_us, known, err, errlen);
    if (st == ARC_OK) {
        st = one_node_row(store, QST_NODE_AT, node, valid_us, known, &raw,
                          &have_raw, err, errlen);
    }
    if (st == ARC_OK) {
        st = one_node_row(store, QST_NODE_AT_MINUTE, node, valid_us, known,
                          &minute, &have_minute, err, errlen);
    }
    if (st == ARC_OK && !have_raw && !have_minute) {
        snprintf(err, errlen, "no history for node %s at that time", node);
        return ARC_ERR_NOT_FOUND;
    }
    if (st == ARC_OK) {
        *out = have_raw && (!have_minute || raw.valid_us >= minute.valid_us)
                   ? raw
                   : minute;
    }
    return st;
}

/* By node id, and for one node the latest valid time first. */
static int by_node_latest(const void *a, const void *b)
{
    const arc_store_node_row_t *x = a, *y = b;
    int c = strcmp(x->node, y->node);

    if (c != 0) {
        return c;
    }
    return x->valid_us > y->valid_us ? -1 : x->valid_us < y->valid_us;
}

/* Appends the rows of statement `which` at (valid, known) to *arr. */
static arc_status_t append_rows(arc_store_t *s, int which, int64_t valid_us,
                                int64_t known, arc_store_node_row_t **arr,
                                size_t *n, size_t *cap, char *err,
                                size_t errlen)
{
    arc_store_node_row_t *bigger;
    arc_sstmt_t *st;
    arc_status_t rc = statement(s, which, &st, err, errlen);
    bool row = false;

    if (rc != ARC_OK) {
        return rc;
    }
    s->drv->bind_i64(st, 1, valid_us);
    s->drv->bind_i64(st, 2, known);
    while ((rc = s->drv->step(st, &row)) == ARC_OK && row) {
        if ((bigger = grow(*arr, cap, *n, sizeof(**arr))) == NULL) {
            return ARC_ERR_NOMEM;
        }
        *arr = bigger;
        read_node_row(s->drv, st, &(*arr)[(*n)++]);
    }
    if (rc != ARC_OK) {
        return query_failed(s, err, errlen);
    }
    s->drv->reset(st);
    return ARC_OK;
}

/* Keeps the first row of each node (the latest, once sorted). */
static size_t one_per_node(arc_store_node_row_t *arr, size_t n)
{
    size_t kept = 0;

    for (size_t i = 0; i < n; i++) {
        if (kept == 0 || strcmp(arr[kept - 1].node, arr[i].node) != 0) {
            arr[kept++] = arr[i];
        }
    }
    return kept;
}

/* Raw rows and minute aggregates (for nodes whose raw rows retention
 * folded), the latest of the two for each node, by node id. */
static arc_status_t mesh_rows(arc_store_t *s, int64_t valid_us,
                              int64_t known, arc_store_node_row_t **rows,
                              size_t *count, char *err, size_t errlen)
{
    arc_store_node_row_t *arr = NULL;
    size_t n = 0, cap = 0;
    arc_status_t rc;

    rc = append_rows(s, QST_MESH_AT, valid_us, known, &arr, &n, &cap, err,
                     errlen);
    if (rc == ARC_OK) {
        rc = append_rows(s, QST_MESH_AT_MINUTE, valid_us, known, &arr, &n,
                         &cap, err, errlen);
    }
    if (rc != ARC_OK) {
        free(arr);
        return rc;
    }
    if (n > 1) {
        qsort(arr, n, sizeof(*arr), by_node_latest);
    }
    *rows = arr;
    *count = one_per_node(arr, n);
    return ARC_OK;
}

arc_status_t arc_store_mesh_at(arc_store_t *store, int64_t valid_us,
                               int64_t known_at_us,
                               arc_store_node_row_t **rows, size_t *count,
                               char *err, size_t errlen)
{
    int64_t known = known_bound(known_at_us);
    arc_status_t st = check_times(store, valid_us, known, err, errlen);

    *rows = NULL;
    *count = 0;
    if (st != ARC_OK) {
        return st;
    }
    return mesh_rows(store, valid_us, known, rows, count, err, errlen);
}

arc_status_t arc_store_load_latest(arc_store_t *store,
                                   arc_store_node_row_t **rows,
                                   size_t *count, char *err, size_t errlen)
{
    *rows = NULL;
    *count = 0;
    return mesh_rows(store, INT64_MAX, INT64_MAX, rows, count, err,
                     errlen);
}

/* ---- history ---------------------------------------------------------- */

static arc_status_t lookup_node(arc_store_t *s, const char *node,
                                int64_t *id, char *err, size_t errlen)
{
    arc_sstmt_t *st;
    arc_status_t rc;
    bool row = false;

    if (node == NULL || node[0] == '\0') {
        snprintf(err, errlen, "a node id is required");
        return ARC_ERR_INVALID;
    }
    rc = statement(s, QST_NODE_ID, &st, err, errlen);
    if (rc != ARC_OK) {
        return rc;
    }
    s->drv->bind_text(st, 1, node);
    if (s->drv->step(st, &row) != ARC_OK) {
        return query_failed(s, err, errlen);
    }
    if (!row) {
        s->drv->reset(st);
        snprintf(err, errlen, "unknown node %s", node);
        return ARC_ERR_NOT_FOUND;
    }
    *id = s->drv->col_i64(st, 0);
    s->drv->reset(st);
    return ARC_OK;
}

static void bind_range(arc_store_t *s, arc_sstmt_t *st, int64_t key,
                       const arc_store_range_t *r)
{
    s->drv->bind_i64(st, 1, key);
    s->drv->bind_i64(st, 2, r->from_us);
    s->drv->bind_i64(st, 3, r->to_us);
    s->drv->bind_i64(st, 4, r->step_us);
    s->drv->bind_i64(st, 5, known_bound(r->known_at_us));
}

static void read_node_bucket(const arc_store_driver_t *d, arc_sstmt_t *st,
                             const arc_store_range_t *r,
                             arc_store_node_bucket_t *b)
{
    b->start_us = r->from_us + d->col_i64(st, 0) * r->step_us;
    b->samples = (uint32_t)d->col_i64(st, 1);
    b->status = (uint8_t)d->col_i64(st, 2);
    b->energy_source = (uint8_t)d->col_i64(st, 3);
    b->gpus_free_min = (uint16_t)d->col_i64(st, 4);
    b->gpu_util = d->col_f64(st, 5);
    b->battery_soc = d->col_f64(st, 6);
    b->power_kw = d->col_f64(st, 7);
    b->carbon_g_per_kwh = d->col_f64(st, 8);
}

arc_status_t arc_store_node_history(arc_store_t *store, const char *node,
                                    const arc_store_range_t *range,
                                    arc_store_node_bucket_t **out,
                                    size_t *count, char *err,
                                    size_t errlen)
{
    arc_store_node_bucket_t *arr = NULL, *bigger;
    size_t n = 0, cap = 0;
    int64_t id = 0;
    arc_sstmt_t *st = NULL;
    arc_status_t rc = check_range(store, range, true, err, errlen);
    bool row = false;

    *out = NULL;
    *count = 0;
    if (rc == ARC_OK) {
        rc = lookup_node(store, node, &id, err, errlen);
    }
    if (rc == ARC_OK) {
        rc = statement(store, QST_NODE_HISTORY, &st, err, errlen);
    }
    if (rc != ARC_OK) {
        return rc;
    }
    bind_range(store, st, id, range);
    while ((rc = store->drv->step(st, &row)) == ARC_OK && row) {
        if ((bigger = grow(arr, &cap, n, sizeof(*arr))) == NULL) {
            rc = ARC_ERR_NOMEM;
            break;
        }
        arr = bigger;
        read_node_bucket(store->drv, st, range, &arr[n++]);
    }
    if (rc != ARC_OK) {
        free(arr);
        return rc == ARC_ERR_IO ? query_failed(store, err, errlen) : rc;
    }
    store->drv->reset(st);
    *out = arr;
    *count = n;
    return ARC_OK;
}

static void read_zone_bucket(const arc_store_driver_t *d, arc_sstmt_t *st,
                             const arc_store_range_t *r,
                             arc_store_zone_bucket_t *b)
{
    b->start_us = r->from_us + d->col_i64(st, 0) * r->step_us;
    b->samples = (uint32_t)d->col_i64(st, 1);
    b->nodes_up = d->col_f64(st, 2);
    b->gpu_util = d->col_f64(st, 3);
    b->power_kw = d->col_f64(st, 4);
    b->carbon_g_per_kwh = d->col_f64(st, 5);
    for (int i = 0; i < ARC_SOURCE_COUNT; i++) {
        b->power_by_source_kw[i] = d->col_f64(st, 6 + i);
    }
}

arc_status_t arc_store_zone_history(arc_store_t *store, arc_zone_t zone,
                                    const arc_store_range_t *range,
                                    arc_store_zone_bucket_t **out,
                                    size_t *count, char *err,
                                    size_t errlen)
{
    arc_store_zone_bucket_t *arr = NULL, *bigger;
    size_t n = 0, cap = 0;
    arc_sstmt_t *st = NULL;
    arc_status_t rc = check_range(store, range, true, err, errlen);
    bool row = false;

    *out = NULL;
    *count = 0;
    if (rc == ARC_OK && (unsigned)zone >= ARC_ZONE_COUNT) {
        snprintf(err, errlen, "unknown zone");
        rc = ARC_ERR_NOT_FOUND;
    }
    if (rc == ARC_OK) {
        rc = statement(store, QST_ZONE_HISTORY, &st, err, errlen);
    }
    if (rc != ARC_OK) {
        return rc;
    }
    bind_range(store, st, zone, range);
    while ((rc = store->drv->step(st, &row)) == ARC_OK && row) {
        if ((bigger = grow(arr, &cap, n, sizeof(*arr))) == NULL) {
            rc = ARC_ERR_NOMEM;
            break;
        }
        arr = bigger;
        read_zone_bucket(store->drv, st, range, &arr[n++]);
    }
    if (rc != ARC_OK) {
        free(arr);
        return rc == ARC_ERR_IO ? query_failed(store, err, errlen) : rc;
    }
    store->drv->reset(st);
    *out = arr;
    *count = n;
    return ARC_OK;
}

/* ---- events ----------------------------------------------------------- */

static void read_event(const arc_store_driver_t *d, arc_sstmt_t *st,
                       arc_store_event_row_t *e)
{
    memset(e, 0, sizeof(*e));
    e->ev.seq = (uint64_t)d->col_i64(st, 0);
    e->ev.time_us = d->col_i64(st, 1);
    e->system_us = d->col_i64(st, 2);
    e->ev.type = (uint8_t)d->col_i64(st, 3);
    e->ev.severity = (uint8_t)d->col_i64(st, 4);
    e->ev.zone = (uint8_t)d->col_i64(st, 5);
    snprintf(e->ev.node, sizeof(e->ev.node), "%s", d->col_text(st, 6));
    e->ev.coalesced = (uint32_t)d->col_i64(st, 7);
    snprintf(e->ev.message, sizeof(e->ev.message), "%s",
             d->col_text(st, 8));
}

static void bind_event_filter(arc_store_t *s, arc_sstmt_t *st,
                              const arc_store_range_t *r,
                              const arc_store_event_filter_t *f)
{
    const arc_store_driver_t *d = s->drv;

    d->bind_i64(st, 1, r->from_us);
    d->bind_i64(st, 2, r->to_us);
    d->bind_i64(st, 3, known_bound(r->known_at_us));
    d->bind_i64(st, 4, f ? f->type_mask : 0);
    d->bind_i64(st, 5, f ? f->zone_mask : 0);
    d->bind_i64(st, 6, f ? f->severity_mask : 0);
    d->bind_text(st, 7, f && f->node ? f->node : "");
    d->bind_i64(st, 8, f && f->limit ? f->limit : EVENTS_LIMIT);
}

arc_status_t arc_store_events(arc_store_t *store,
                              const arc_store_range_t *range,
                              const arc_store_event_filter_t *filter,
                              arc_store_event_row_t **out, size_t *count,
                              char *err, size_t errlen)
{
    arc_store_event_row_t *arr = NULL, *bigger;
    size_t n = 0, cap = 0;
    arc_sstmt_t *st = NULL;
    arc_status_t rc = check_range(store, range, false, err, errlen);
    bool row = false;

    *out = NULL;
    *count = 0;
    if (rc == ARC_OK) {
        rc = statement(store, QST_EVENTS, &st, err, errlen);
    }
    if (rc != ARC_OK) {
        return rc;
    }
    bind_event_filter(store, st, range, filter);
    while ((rc = store->drv->step(st, &row)) == ARC_OK && row) {
        if ((bigger = grow(arr, &cap, n, sizeof(*arr))) == NULL) {
            rc = ARC_ERR_NOMEM;
            break;
        }
        arr = bigger;
        read_event(store->drv, st, &arr[n++]);
    }
    if (rc != ARC_OK) {
        free(arr);
        return rc == ARC_ERR_IO ? query_failed(store, err, errlen) : rc;
    }
    store->drv->reset(st);
    *out = arr;
    *count = n;
    return ARC_OK;
}

/* ---- changes ---------------------------------------------------------- */

/* Appends a change when `after` differs from `before` (NULL: absent). */
static bool add_change(arc_store_change_t *arr, size_t *n,
                       const arc_store_node_row_t *before,
                       const arc_store_node_row_t *after)
{
    arc_store_change_t *c = &arr[*n];

    if (before != NULL && before->status == after->status &&
        before->energy_source == after->energy_source) {
        return false;
    }
    memset(c, 0, sizeof(*c));
    memcpy(c->node, after->node, sizeof(c->node));
    c->existed_before = before != NULL;
    c->status_before = before ? before->status : 0;
    c->source_before = before ? before->energy_source : 0;
    c->status_after = after->status;
    c->source_after = after->energy_source;
    c->valid_after_us = after->valid_us;
    (*n)++;
    return true;
}

/* Both lists are sorted by node id: one merge pass. */
static size_t diff(const arc_store_node_row_t *a, size_t na,
                   const arc_store_node_row_t *b, size_t nb,
                   arc_store_change_t *out)
{
    size_t i = 0, n = 0;

    for (size_t j = 0; j < nb; j++) {
        int cmp = 1;

        while (i < na && (cmp = strcmp(a[i].node, b[j].node)) < 0) {
            i++;
            cmp = 1;
        }
        add_change(out, &n, i < na && cmp == 0 ? &a[i] : NULL, &b[j]);
    }
    return n;
}

arc_status_t arc_store_changes(arc_store_t *store,
                               const arc_store_range_t *range,
                               arc_store_change_t **out, size_t *count,
                               char *err, size_t errlen)
{
    arc_store_node_row_t *before = NULL, *after = NULL;
    size_t nb = 0, na = 0;
    arc_status_t rc = check_range(store, range, false, err, errlen);

    *out = NULL;
    *count = 0;
    if (rc == ARC_OK) {
        rc = check_times(store, range->to_us, known_bound(range->known_at_us),
                         err, errlen);
    }
    if (rc == ARC_OK) {
        rc = arc_store_mesh_at(store, range->from_us, range->known_at_us,
                               &before, &nb, err, errlen);
    }
    if (rc == ARC_OK) {
        rc = arc_store_mesh_at(store, range->to_us, range->known_at_us,
                               &after, &na, err, errlen);
    }
    if (rc == ARC_OK && na > 0) {
        *out = calloc(na, sizeof(**out));
        rc = *out ? ARC_OK : ARC_ERR_NOMEM;
    }
    if (rc == ARC_OK && na > 0) {
        *count = diff(before, nb, after, na, *out);
    }
    free(before);
    free(after);
    return rc;
}

/* ---- retention on the query connection -------------------------------- */

arc_status_t arc_store_maintain(arc_store_t *store, int64_t now_us,
                                uint64_t *folded, char *err, size_t errlen)
{
    arc_status_t st = ARC_OK;

    if (store->qdb == NULL) {
        st = store->drv->connect(store->target, false, &store->qdb, err,
                                 errlen);
    }
    if (st == ARC_OK) {
        st = arc_store_maintain_on(store, store->qdb, now_us, folded, err,
                                   errlen);
    }
    return st;
}
