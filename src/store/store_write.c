/*
 * store_write.c - schema migrations, one batch as one transaction, and
 * retention (see store_impl.h).
 *
 * The one idea for batches: the writer resolves node ids to database
 * ids through a cache (one upsert per node the first time it is seen),
 * hands every node row of the batch to the driver's bulk path at once,
 * and writes the few other rows with prepared statements, all between
 * one BEGIN and one COMMIT. Any failure rolls the whole batch back and
 * drops the connection and the cache, so the next attempt starts clean
 * and a retried batch can never be half written.
 *
 * Threads: batches and the writer's connection belong to the writer
 * thread; migrations run on the opening thread before it starts.
 */
#include "store/store_impl.h"

#include <stdio.h>
#include <string.h>

static const char *const writer_sql[WST_COUNT] = {
    [WST_NODE_ID] = "INSERT INTO nodes (name, zone) VALUES (?1, ?2) "
                    "ON CONFLICT (name) DO UPDATE SET zone = excluded.zone "
                    "RETURNING id",
    [WST_ZONE] = "INSERT INTO zone_state VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                 "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
                 "ON CONFLICT DO NOTHING",
    [WST_EVENT] = "INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                  "?8, ?9)",
    [WST_REQUEST] = "INSERT INTO requests VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
};

/* ---- migrations ------------------------------------------------------- */

static arc_status_t schema_version(arc_store_t *s, arc_sdb_t *db,
                                   int64_t *out)
{
    arc_sstmt_t *st;
    arc_status_t rc;
    bool row = false;

    rc = s->drv->prepare(db, "SELECT coalesce(max(version), 0) "
                             "FROM schema_version", &st);
    if (rc != ARC_OK) {
        return rc;
    }
    rc = s->drv->step(st, &row);
    *out = row ? s->drv->col_i64(st, 0) : 0;
    s->drv->finalize(st);
    return rc;
}

static arc_status_t apply(arc_store_t *s, arc_sdb_t *db, int64_t from)
{
    char sql[96];

    for (size_t v = (size_t)from; v < s->drv->migration_count; v++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO schema_version VALUES (%zu)", v + 1);
        if (s->drv->exec(db, s->drv->migrations[v]) != ARC_OK ||
            s->drv->exec(db, sql) != ARC_OK) {
            return ARC_ERR_IO;
        }
    }
    return ARC_OK;
}

arc_status_t arc_store_migrate(arc_store_t *s, arc_sdb_t *db, char *err,
                               size_t errlen)
{
    int64_t version = 0;
    arc_status_t st;

    st = s->drv->exec(db, "CREATE TABLE IF NOT EXISTS schema_version "
                          "(version INTEGER NOT NULL)");
    if (st == ARC_OK) {
        st = s->drv->exec(db, "BEGIN");
    }
    if (st == ARC_OK) {
        st = schema_version(s, db, &version);
    }
    if (st == ARC_OK && version > (int64_t)s->drv->migration_count) {
        s->drv->exec(db, "ROLLBACK");
        snprintf(err, errlen, "store: schema version %lld is newer than "
                 "this program's %zu", (long long)version,
                 s->drv->migration_count);
        return ARC_ERR_INVALID;
    }
    if (st == ARC_OK) {
        st = apply(s, db, version);
    }
    if (st == ARC_OK) {
        st = s->drv->exec(db, "COMMIT");
    }
    if (st != ARC_OK) {
        snprintf(err, errlen, "store: migration failed: %s",
                 s->drv->errmsg(db));
        s->drv->exec(db, "ROLLBACK");
    }
    return st;
}

/* ---- the writer's connection ------------------------------------------ */

void arc_store_writer_disconnect(arc_store_t *s)
{
    for (int i = 0; i < WST_COUNT; i++) {
        if (s->wst[i] != NULL) {
            s->drv->finalize(s->wst[i]);
            s->wst[i] = NULL;
        }
    }
    if (s->wdb != NULL) {
        s->drv->disconnect(s->wdb);
        s->wdb = NULL;
    }
    if (s->ids != NULL) {
        arc_nodemap_clear(s->ids);
    }
}

static arc_status_t writer_connect(arc_store_t *s, char *err,
                                   size_t errlen)
{
    arc_status_t st = ARC_OK;

    if (s->wdb == NULL) {
        st = s->drv->connect(s->target, true, &s->wdb, err, errlen);
    }
    for (int i = 0; i < WST_COUNT && st == ARC_OK; i++) {
        if (s->wst[i] == NULL) {
            st = s->drv->prepare(s->wdb, writer_sql[i], &s->wst[i]);
            if (st != ARC_OK) {
                snprintf(err, errlen, "store: %s", s->drv->errmsg(s->wdb));
            }
        }
    }
    return st;
}

/* Runs a bound write statement to the end and resets it. */
static arc_status_t run(arc_store_t *s, arc_sstmt_t *st)
{
    bool row = true;
    arc_status_t rc = ARC_OK;

    while (rc == ARC_OK && row) {
        rc = s->drv->step(st, &row);
    }
    s->drv->reset(st);
    return rc;
}

/* ---- one batch -------------------------------------------------------- */

static arc_status_t node_id(arc_store_t *s, const arc_store_node_row_t *r,
                            int64_t *out)
{
    const arc_store_driver_t *d = s->drv;
    arc_sstmt_t *st = s->wst[WST_NODE_ID];
    int64_t *cached = arc_nodemap_get(s->ids, r->node);
    arc_status_t rc;
    bool row = false;

    if (cached != NULL) {
        *out = *cached;
        return ARC_OK;
    }
    d->bind_text(st, 1, r->node);
    d->bind_i64(st, 2, r->zone);
    rc = d->step(st, &row);
    if (rc == ARC_OK && !row) {
        rc = ARC_ERR_IO;
    }
    if (rc == ARC_OK) {
        *out = d->col_i64(st, 0);
        cached = arc_nodemap_put(s->ids, r->node, NULL);
        rc = cached ? ARC_OK : ARC_ERR_NOMEM;
    }
    if (rc == ARC_OK) {
        *cached = *out;
    }
    d->reset(st);
    return rc;
}

static arc_status_t put_zone(arc_store_t *s, const arc_store_zone_row_t *z)
{
    const arc_store_driver_t *d = s->drv;
    arc_sstmt_t *st = s->wst[WST_ZONE];

    d->bind_i64(st, 1, z->zone);
    d->bind_i64(st, 2, z->valid_us);
    d->bind_i64(st, 3, z->system_us);
    d->bind_i64(st, 4, z->nodes);
    d->bind_i64(st, 5, z->nodes_up);
    d->bind_i64(st, 6, z->gpus_total);
    d->bind_i64(st, 7, z->gpus_free);
    d->bind_f64(st, 8, z->gpu_util);
    d->bind_f64(st, 9, z->power_kw);
    d->bind_f64(st, 10, z->carbon_g_per_kwh);
    for (int i = 0; i < ARC_SOURCE_COUNT; i++) {
        d->bind_f64(st, 11 + i, z->power_by_source_kw[i]);
    }
    return run(s, st);
}

static arc_status_t put_event(arc_store_t *s,
                              const arc_store_event_row_t *e)
{
    const arc_store_driver_t *d = s->drv;
    arc_sstmt_t *st = s->wst[WST_EVENT];

    d->bind_i64(st, 1, (int64_t)(e->ev.seq & INT64_MAX));
    d->bind_i64(st, 2, e->ev.time_us);
    d->bind_i64(st, 3, e->system_us);
    d->bind_i64(st, 4, e->ev.type);
    d->bind_i64(st, 5, e->ev.severity);
    d->bind_i64(st, 6, e->ev.zone);
    d->bind_text(st, 7, e->ev.node);
    d->bind_i64(st, 8, e->ev.coalesced);
    d->bind_text(st, 9, e->ev.message);
    return run(s, st);
}

static arc_status_t put_request(arc_store_t *s,
                                const arc_store_request_row_t *r)
{
    const arc_store_driver_t *d = s->drv;
    arc_sstmt_t *st = s->wst[WST_REQUEST];

    d->bind_i64(st, 1, (int64_t)(r->request_id & INT64_MAX));
    d->bind_i64(st, 2, r->valid_us);
    d->bind_i64(st, 3, r->system_us);
    d->bind_text(st, 4, r->node);
    d->bind_i64(st, 5, r->zone);
    d->bind_i64(st, 6, r->source);
    d->bind_i64(st, 7, r->priority);
    d->bind_i64(st, 8, r->status);
    d->bind_i64(st, 9, r->model);
    d->bind_f64(st, 10, r->carbon_g);
    d->bind_f64(st, 11, r->energy_kwh);
    d->bind_f64(st, 12, r->rtt_ms);
    d->bind_f64(st, 13, r->queue_ms);
    d->bind_f64(st, 14, r->service_ms);
    return run(s, st);
}

static arc_status_t write_items(arc_store_t *s,
                                const arc_store_item_t *items, size_t n)
{
    size_t nodes = 0;
    arc_status_t st = ARC_OK;

    for (size_t i = 0; i < n && st == ARC_OK; i++) {
        const arc_store_item_t *it = &items[i];

        if (it->type == ITEM_NODE) {
            s->rows[nodes] = it->u.node;
            st = node_id(s, &it->u.node, &s->row_ids[nodes]);
            nodes++;
        } else if (it->type == ITEM_ZONE) {
            st = put_zone(s, &it->u.zone);
        } else if (it->type == ITEM_EVENT) {
            st = put_event(s, &it->u.event);
        } else {
            st = put_request(s, &it->u.request);
        }
    }
    if (st == ARC_OK && nodes > 0) {
        st = s->drv->put_node_rows(s->wdb, s->rows, s->row_ids, nodes);
    }
    return st;
}

arc_status_t arc_store_write_batch(arc_store_t *s,
                                   const arc_store_item_t *items, size_t n,
                                   char *err, size_t errlen)
{
    arc_status_t st = writer_connect(s, err, errlen);

    if (st != ARC_OK) {
        arc_store_writer_disconnect(s);
        return st;
    }
    st = s->drv->exec(s->wdb, "BEGIN");
    if (st == ARC_OK) {
        st = write_items(s, items, n);
    }
    if (st == ARC_OK) {
        st = s->drv->exec(s->wdb, "COMMIT");
    }
    if (st != ARC_OK) {
        snprintf(err, errlen, "store: commit failed: %s",
                 s->drv->errmsg(s->wdb));
        s->drv->exec(s->wdb, "ROLLBACK");
        arc_store_writer_disconnect(s);
    }
    return st;
}

/* ---- retention -------------------------------------------------------- */

static const char fold_sql[] =
    "INSERT INTO node_minute (node_id, minute_us, system_us, samples,"
    " status, source, gpus_free, gpus_total, gpu_util, battery_soc,"
    " power_kw, carbon)"
    " SELECT node_id, (valid_us / 60000000) * 60000000, max(system_us),"
    " count(*), max(status), max(source), min(gpus_free),"
    " max(gpus_total), avg(gpu_util), avg(battery_soc), avg(power_kw),"
    " avg(carbon) FROM node_state s WHERE valid_us < ?1 AND NOT EXISTS"
    " (SELECT 1 FROM node_state c WHERE c.node_id = s.node_id"
    " AND c.valid_us = s.valid_us AND c.system_us > s.system_us)"
    " GROUP BY node_id, (valid_us / 60000000) * 60000000"
    " ON CONFLICT (node_id, minute_us) DO UPDATE SET"
    " gpu_util = (node_minute.gpu_util * node_minute.samples"
    "  + excluded.gpu_util * excluded.samples)"
    "  / (node_minute.samples + excluded.samples),"
    " battery_soc = (node_minute.battery_soc * node_minute.samples"
    "  + excluded.battery_soc * excluded.samples)"
    "  / (node_minute.samples + excluded.samples),"
    " power_kw = (node_minute.power_kw * node_minute.samples"
    "  + excluded.power_kw * excluded.samples)"
    "  / (node_minute.samples + excluded.samples),"
    " carbon = (node_minute.carbon * node_minute.samples"
    "  + excluded.carbon * excluded.samples)"
    "  / (node_minute.samples + excluded.samples),"
    " samples = node_minute.samples + excluded.samples,"
    " system_us = excluded.system_us";

static const char *const delete_sql[] = {
    "DELETE FROM node_state WHERE valid_us < ?1",
    "DELETE FROM zone_state WHERE valid_us < ?1",
    "DELETE FROM events WHERE valid_us < ?1",
    "DELETE FROM requests WHERE valid_us < ?1",
};

/* Prepares sql, binds ?1 = a, runs it. With `count`, the first column
 * of the first row goes there. */
static arc_status_t run_sql(arc_store_t *s, arc_sdb_t *db, const char *sql,
                            int64_t a, int64_t *count)
{
    const arc_store_driver_t *d = s->drv;
    arc_sstmt_t *st;
    arc_status_t rc = d->prepare(db, sql, &st);
    bool row = false;

    if (rc != ARC_OK) {
        return rc;
    }
    d->bind_i64(st, 1, a);
    rc = d->step(st, &row);
    if (rc == ARC_OK && count != NULL) {
        *count = row ? d->col_i64(st, 0) : 0;
    }
    while (rc == ARC_OK && row) {
        rc = d->step(st, &row);
    }
    d->finalize(st);
    return rc;
}

static arc_status_t fold_and_delete(arc_store_t *s, arc_sdb_t *db,
                                    int64_t raw_cut, int64_t minute_cut,
                                    int64_t *folded)
{
    arc_status_t st;

    st = run_sql(s, db, "SELECT count(*) FROM node_state WHERE "
                        "valid_us < ?1", raw_cut, folded);
    if (st == ARC_OK && *folded > 0) {
        st = run_sql(s, db, fold_sql, raw_cut, NULL);
    }
    for (size_t i = 0; i < ARC_ARRAY_LEN(delete_sql) && st == ARC_OK;
         i++) {
        st = run_sql(s, db, delete_sql[i], raw_cut, NULL);
    }
    if (st == ARC_OK) {
        st = run_sql(s, db, "DELETE FROM node_minute WHERE minute_us < ?1",
                     minute_cut, NULL);
    }
    return st;
}

arc_status_t arc_store_maintain_on(arc_store_t *s, arc_sdb_t *db,
                                   int64_t now_us, uint64_t *folded,
                                   char *err, size_t errlen)
{
    const int64_t minute = 60 * ARC_US_PER_S;
    int64_t raw_cut = (now_us - s->cfg.raw_keep_us) / minute * minute;
    int64_t minute_cut = now_us - s->cfg.minute_keep_us;
    int64_t n = 0;
    arc_status_t st = s->drv->exec(db, "BEGIN");

    if (st == ARC_OK) {
        st = fold_and_delete(s, db, raw_cut, minute_cut, &n);
    }
    if (st == ARC_OK) {
        st = s->drv->exec(db, "COMMIT");
    }
    if (st != ARC_OK) {
        snprintf(err, errlen, "store: retention failed: %s",
                 s->drv->errmsg(db));
        s->drv->exec(db, "ROLLBACK");
        return st;
    }
    if (folded != NULL) {
        *folded = (uint64_t)n;
    }
    return ARC_OK;
}
