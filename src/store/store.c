/*
 * store.c - the store's handle, its buffer and its writer thread (see
 * store.h).
 *
 * The one idea: two buffers. The owner appends rows to `fill` under a
 * mutex held only for a copy; the writer thread swaps `fill` with its
 * empty `drain` (a pointer swap under the same mutex) and writes `drain`
 * outside the lock. So the owner never waits on the disk or the network,
 * and a failing database only ever costs rows that arrive while `fill`
 * is full - counted and reported as dropped - never rows accepted.
 *
 * Threads: put, flush, stats and close run on the owner's thread; the
 * writer thread runs writer_main. Memory: the store owns both buffers.
 */
#include "store/store_impl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLOSE_ATTEMPTS 3

void arc_store_config_default(arc_store_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->queue_rows = 65536;
    cfg->flush_us = 500 * ARC_US_PER_MS;
    cfg->retry_us = ARC_US_PER_S;
    cfg->deadband_soc = 0.01f;
    cfg->deadband_util = 0.05f;
    cfg->deadband_carbon = 5.0f;
    cfg->deadband_power_kw = 25.0f;
    cfg->deadband_gpus = 0;
    cfg->keyframe_us = 300 * ARC_US_PER_S;
    cfg->raw_keep_us = 7 * 86400 * ARC_US_PER_S;
    cfg->minute_keep_us = 365 * 86400 * ARC_US_PER_S;
    cfg->maintain_every_us = 3600 * ARC_US_PER_S;
}

const char *arc_store_backend(const arc_store_t *store)
{
    return store->drv->name;
}

static int64_t system_now(arc_store_t *s)
{
    return s->cfg.clock ? s->cfg.clock(s->cfg.clock_ctx) : arc_now_us();
}

/* An absolute CLOCK_REALTIME deadline `us` from now. */
static struct timespec deadline_in(int64_t us)
{
    struct timespec ts;
    int64_t ns;

    clock_gettime(CLOCK_REALTIME, &ts);
    ns = ts.tv_nsec + (us % ARC_US_PER_S) * 1000;
    ts.tv_sec += (time_t)(us / ARC_US_PER_S + ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    return ts;
}

static void report(arc_store_t *s, arc_store_report_kind_t kind,
                   uint64_t rows, const char *msg)
{
    arc_store_report_t r = {kind, rows, msg ? msg : ""};

    if (s->cfg.report != NULL) {
        s->cfg.report(s->cfg.report_ctx, &r);
    }
}

/* ---- the writer thread ------------------------------------------------ */

/* Waits for work; returns with mu held and the batch in drain. */
static void wait_for_batch(arc_store_t *s)
{
    struct timespec until = deadline_in(s->cfg.flush_us);

    while (!s->stopping && !s->flush_req && s->fill_n < s->cap / 2) {
        if (pthread_cond_timedwait(&s->wake, &s->mu, &until) == ETIMEDOUT) {
            break;
        }
    }
    s->flush_req = false;
    if (s->drain_n == 0) {
        arc_store_item_t *t = s->drain;

        s->drain = s->fill;
        s->drain_n = s->fill_n;
        s->fill = t;
        s->fill_n = 0;
    }
}

static void note_success(arc_store_t *s)
{
    bool was_failing;

    pthread_mutex_lock(&s->mu);
    was_failing = s->stats.failing;
    s->stats.committed += s->drain_n;
    s->stats.commits++;
    s->stats.failing = false;
    s->drain_n = 0;
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
    if (was_failing) {
        report(s, ARC_STORE_REPORT_RECOVERED, 0, "");
    }
}

/* After a failed commit: report, then wait retry_us (or until close). */
static void note_failure(arc_store_t *s, const char *msg)
{
    struct timespec until = deadline_in(s->cfg.retry_us);

    report(s, ARC_STORE_REPORT_WRITE_FAILED, s->drain_n, msg);
    pthread_mutex_lock(&s->mu);
    s->stats.failures++;
    s->stats.failing = true;
    while (!s->stopping) {
        if (pthread_cond_timedwait(&s->wake, &s->mu, &until) == ETIMEDOUT) {
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
}

static void report_drops(arc_store_t *s)
{
    uint64_t fresh;

    pthread_mutex_lock(&s->mu);
    fresh = s->stats.dropped - s->dropped_reported;
    s->dropped_reported = s->stats.dropped;
    pthread_mutex_unlock(&s->mu);
    if (fresh > 0) {
        report(s, ARC_STORE_REPORT_DROPPED, fresh, "buffer full");
    }
}

static void maybe_maintain(arc_store_t *s, int64_t latest)
{
    char err[256];

    if (s->cfg.maintain_every_us <= 0 || s->wdb == NULL ||
        latest - s->last_maintain_us < s->cfg.maintain_every_us) {
        return;
    }
    s->last_maintain_us = latest;
    if (arc_store_maintain_on(s, s->wdb, latest, NULL, err,
                              sizeof(err)) != ARC_OK) {
        report(s, ARC_STORE_REPORT_WRITE_FAILED, 0, err);
    }
}

/* Gives up what is left at close after repeated failures. */
static void give_up(arc_store_t *s)
{
    uint64_t rows;

    pthread_mutex_lock(&s->mu);
    rows = s->drain_n + s->fill_n;
    s->lost += rows;
    s->drain_n = 0;
    s->fill_n = 0;
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
    report(s, ARC_STORE_REPORT_LOST, rows, "store closed while failing");
}

static void *writer_main(void *arg)
{
    arc_store_t *s = arg;
    int failed_at_close = 0;
    char err[256];

    for (;;) {
        bool stop, more;
        int64_t latest;

        pthread_mutex_lock(&s->mu);
        wait_for_batch(s);
        stop = s->stopping;
        latest = s->latest_valid_us;
        pthread_mutex_unlock(&s->mu);

        if (s->drain_n > 0) {
            if (arc_store_write_batch(s, s->drain, s->drain_n, err,
                                      sizeof(err)) == ARC_OK) {
                note_success(s);
            } else {
                failed_at_close += stop;
                note_failure(s, err);
            }
        }
        report_drops(s);
        maybe_maintain(s, latest);

        pthread_mutex_lock(&s->mu);
        more = s->drain_n > 0 || s->fill_n > 0;
        pthread_mutex_unlock(&s->mu);
        if (stop && more && failed_at_close >= CLOSE_ATTEMPTS) {
            give_up(s);
            more = false;
        }
        if (stop && !more) {
            break;
        }
    }
    arc_store_writer_disconnect(s);
    return NULL;
}

/* ---- open and close --------------------------------------------------- */

static bool config_ok(const arc_store_config_t *c)
{
    return c->queue_rows >= 2 && c->flush_us > 0 && c->retry_us > 0 &&
           c->keyframe_us >= 0 && c->raw_keep_us > 0 &&
           c->minute_keep_us >= c->raw_keep_us &&
           c->deadband_soc >= 0 && c->deadband_util >= 0 &&
           c->deadband_carbon >= 0 && c->deadband_power_kw >= 0;
}

/* Picks the driver and the driver's target from the store target. */
static const char *parse_target(const char *target,
                                const arc_store_driver_t **drv)
{
    if (strncmp(target, "postgres://", 11) == 0 ||
        strncmp(target, "postgresql://", 13) == 0) {
        *drv = arc_store_postgres_driver();
        return target;
    }
    *drv = arc_store_sqlite_driver();
    if (strncmp(target, "sqlite://", 9) == 0) {
        return target + 9;
    }
    if (strncmp(target, "sqlite:", 7) == 0) {
        return target + 7;
    }
    return target;
}

static arc_status_t alloc_parts(arc_store_t *s)
{
    s->cap = s->cfg.queue_rows;
    s->fill = calloc(s->cap, sizeof(arc_store_item_t));
    s->drain = calloc(s->cap, sizeof(arc_store_item_t));
    s->rows = calloc(s->cap, sizeof(arc_store_node_row_t));
    s->row_ids = calloc(s->cap, sizeof(int64_t));
    s->ids = arc_nodemap_new(sizeof(int64_t));
    s->deadband = arc_deadband_new(&s->cfg);
    if (!s->fill || !s->drain || !s->rows || !s->row_ids || !s->ids ||
        !s->deadband) {
        return ARC_ERR_NOMEM;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    pthread_cond_init(&s->idle, NULL);
    return ARC_OK;
}

static void free_parts(arc_store_t *s)
{
    arc_store_query_disconnect(s);
    arc_store_writer_disconnect(s);
    arc_deadband_free(s->deadband);
    arc_nodemap_free(s->ids);
    free(s->fill);
    free(s->drain);
    free(s->rows);
    free(s->row_ids);
    free(s);
}

static arc_status_t connect_both(arc_store_t *s, char *err, size_t errlen)
{
    arc_status_t st;

    st = s->drv->connect(s->target, true, &s->wdb, err, errlen);
    if (st == ARC_OK) {
        st = arc_store_migrate(s, s->wdb, err, errlen);
    }
    if (st == ARC_OK) {
        st = s->drv->connect(s->target, false, &s->qdb, err, errlen);
    }
    return st;
}

arc_status_t arc_store_open(const char *target,
                            const arc_store_config_t *cfg,
                            arc_store_t **out, char *err, size_t errlen)
{
    arc_store_t *s;
    const char *path;
    arc_status_t st;

    if (target == NULL || target[0] == '\0' || cfg == NULL ||
        !config_ok(cfg) || strlen(target) >= sizeof(s->target)) {
        snprintf(err, errlen, "store: empty target or bad settings");
        return ARC_ERR_INVALID;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return ARC_ERR_NOMEM;
    }
    s->cfg = *cfg;
    path = parse_target(target, &s->drv);
    snprintf(s->target, sizeof(s->target), "%s", path);
    st = alloc_parts(s);
    if (st == ARC_OK) {
        st = connect_both(s, err, errlen);
    }
    if (st == ARC_OK && pthread_create(&s->thread, NULL, writer_main, s)) {
        snprintf(err, errlen, "store: cannot start the writer thread");
        st = ARC_ERR_NOMEM;
    }
    if (st != ARC_OK) {
        free_parts(s);
        return st;
    }
    s->thread_started = true;
    *out = s;
    return ARC_OK;
}

void arc_store_close(arc_store_t *store)
{
    if (store == NULL) {
        return;
    }
    if (store->thread_started) {
        pthread_mutex_lock(&store->mu);
        store->stopping = true;
        pthread_cond_broadcast(&store->wake);
        pthread_mutex_unlock(&store->mu);
        pthread_join(store->thread, NULL);
    }
    pthread_mutex_destroy(&store->mu);
    pthread_cond_destroy(&store->wake);
    pthread_cond_destroy(&store->idle);
    free_parts(store);
}

/* ---- putting rows (owner thread) -------------------------------------- */

static int64_t stamp(arc_store_t *s, int64_t given)
{
    int64_t now;

    if (given != 0) {
        return given;
    }
    now = system_now(s);
    s->last_stamp = now > s->last_stamp ? now : s->last_stamp + 1;
    return s->last_stamp;
}

static arc_status_t enqueue(arc_store_t *s, const arc_store_item_t *item,
                            int64_t valid_us)
{
    bool wake;

    pthread_mutex_lock(&s->mu);
    if (s->fill_n == s->cap) {
        s->stats.dropped++;
        pthread_mutex_unlock(&s->mu);
        return ARC_ERR_FULL;
    }
    s->fill[s->fill_n++] = *item;
    s->stats.accepted++;
    if (valid_us > s->latest_valid_us) {
        s->latest_valid_us = valid_us;
    }
    wake = s->fill_n == s->cap / 2;
    pthread_mutex_unlock(&s->mu);
    if (wake) {
        pthread_cond_signal(&s->wake);
    }
    return ARC_OK;
}

static bool node_row_ok(const arc_store_node_row_t *r)
{
    return r->node[0] != '\0' &&
           memchr(r->node, '\0', sizeof(r->node)) != NULL &&
           r->zone < ARC_ZONE_COUNT &&
           r->status < ARC_NODE_STATUS_COUNT &&
           r->energy_source < ARC_SOURCE_COUNT &&
           r->kind < ARC_STORE_KIND_COUNT && isfinite(r->gpu_util) &&
           isfinite(r->battery_soc) && isfinite(r->power_kw) &&
           isfinite(r->carbon_g_per_kwh) && isfinite(r->gpu_mem_used_gb);
}

static arc_status_t put_node_kind(arc_store_t *s,
                                  const arc_store_node_row_t *row,
                                  int kind)
{
    arc_store_item_t item;
    arc_status_t st;

    item.type = ITEM_NODE;
    item.u.node = *row;
    item.u.node.kind = (uint8_t)kind;
    item.u.node.system_us = stamp(s, row->system_us);
    st = enqueue(s, &item, row->valid_us);
    if (st == ARC_OK) {
        st = arc_deadband_commit(s->deadband, &item.u.node);
    }
    return st;
}

arc_status_t arc_store_put_telemetry(arc_store_t *store,
                                     const arc_store_node_row_t *row)
{
    int kind;

    if (store == NULL || row == NULL || !node_row_ok(row)) {
        return ARC_ERR_INVALID;
    }
    kind = arc_deadband_check(store->deadband, row);
    if (kind < 0) {
        pthread_mutex_lock(&store->mu);
        store->stats.filtered++;
        pthread_mutex_unlock(&store->mu);
        return ARC_OK;
    }
    return put_node_kind(store, row, kind);
}

arc_status_t arc_store_put_node(arc_store_t *store,
                                const arc_store_node_row_t *row)
{
    if (store == NULL || row == NULL || !node_row_ok(row)) {
        return ARC_ERR_INVALID;
    }
    return put_node_kind(store, row, row->kind);
}

arc_status_t arc_store_put_zone(arc_store_t *store,
                                const arc_store_zone_row_t *row)
{
    arc_store_item_t item;

    if (store == NULL || row == NULL || row->zone >= ARC_ZONE_COUNT) {
        return ARC_ERR_INVALID;
    }
    item.type = ITEM_ZONE;
    item.u.zone = *row;
    item.u.zone.system_us = stamp(store, row->system_us);
    return enqueue(store, &item, row->valid_us);
}

arc_status_t arc_store_put_event(arc_store_t *store,
                                 const arc_store_event_row_t *row)
{
    arc_store_item_t item;

    if (store == NULL || row == NULL ||
        row->ev.type >= ARC_EVENT_TYPE_COUNT ||
        row->ev.severity >= ARC_SEV_COUNT ||
        row->ev.zone >= ARC_ZONE_COUNT ||
        memchr(row->ev.node, '\0', sizeof(row->ev.node)) == NULL ||
        memchr(row->ev.message, '\0', sizeof(row->ev.message)) == NULL) {
        return ARC_ERR_INVALID;
    }
    item.type = ITEM_EVENT;
    item.u.event = *row;
    item.u.event.system_us = stamp(store, row->system_us);
    return enqueue(store, &item, row->ev.time_us);
}

arc_status_t arc_store_put_request(arc_store_t *store,
                                   const arc_store_request_row_t *row)
{
    arc_store_item_t item;

    if (store == NULL || row == NULL ||
        memchr(row->node, '\0', sizeof(row->node)) == NULL) {
        return ARC_ERR_INVALID;
    }
    item.type = ITEM_REQUEST;
    item.u.request = *row;
    item.u.request.system_us = stamp(store, row->system_us);
    return enqueue(store, &item, row->valid_us);
}

void arc_store_row_from_node(const arc_node_t *n, int64_t valid_us,
                             arc_store_node_row_t *out)
{
    memset(out, 0, sizeof(*out));
    memcpy(out->node, n->id, sizeof(out->node));
    out->node[sizeof(out->node) - 1] = '\0';
    out->valid_us = valid_us;
    out->seq = n->seq;
    out->kind = ARC_STORE_TELEMETRY;
    out->zone = n->zone;
    /* An operator's drain is part of the node's state: kept as
     * "draining", as the API shows it, so the past shows it too. */
    out->status = n->status == ARC_NODE_UP && n->admin_drained
                      ? ARC_NODE_DRAINING
                      : n->status;
    out->energy_source = n->energy_source;
    out->gpus_free = n->gpus_free;
    out->gpus_total = n->gpus_total;
    out->models = n->models;
    out->queue_depth = n->queue_depth;
    out->gpu_util = n->gpu_util;
    out->gpu_mem_used_gb = n->gpu_mem_used_gb;
    out->battery_soc = n->battery_soc;
    out->power_kw = n->power_kw;
    out->carbon_g_per_kwh = n->carbon_g_per_kwh;
}

/* ---- flush and stats -------------------------------------------------- */

arc_status_t arc_store_flush(arc_store_t *store, int64_t timeout_us)
{
    struct timespec until = deadline_in(timeout_us);
    arc_status_t st = ARC_OK;
    uint64_t target;

    pthread_mutex_lock(&store->mu);
    target = store->stats.accepted;
    store->flush_req = true;
    pthread_cond_signal(&store->wake);
    while (store->stats.committed + store->lost < target) {
        if (pthread_cond_timedwait(&store->idle, &store->mu, &until) ==
            ETIMEDOUT) {
            st = ARC_ERR_IO;
            break;
        }
    }
    pthread_mutex_unlock(&store->mu);
    return st;
}

void arc_store_stats(arc_store_t *store, arc_store_stats_t *out)
{
    pthread_mutex_lock(&store->mu);
    *out = store->stats;
    pthread_mutex_unlock(&store->mu);
}
