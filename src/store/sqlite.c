/*
 * sqlite.c - the store's SQLite driver (see driver.h): the embedded
 * default, one file in WAL mode with synchronous=NORMAL, so a commit
 * costs an append to the log and readers never wait for the writer.
 *
 * The one idea: node rows live in a WITHOUT ROWID table keyed by
 * (node, valid time, system time), so the rows of one node sit together
 * in key order and "the latest row at or before T known by S" is a short
 * backwards walk of one B-tree. Each connection belongs to one thread
 * (the writer thread, or the store's query caller); SQLite's own
 * serialised mode is left on as a guard.
 */
#include "store/driver.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arc_sdb {
    sqlite3 *db;
};

struct arc_sstmt {
    sqlite3_stmt *st;
    arc_sdb_t *db;
    bool started;
    bool done;
};

static const char *const migrations[] = {
    /* 0 -> 1: the bitemporal schema */
    "CREATE TABLE nodes (id INTEGER PRIMARY KEY, name TEXT NOT NULL "
    "  UNIQUE, zone INTEGER NOT NULL);"
    "CREATE TABLE node_state (node_id INTEGER NOT NULL,"
    "  valid_us INTEGER NOT NULL, system_us INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL, seq INTEGER NOT NULL,"
    "  status INTEGER NOT NULL, source INTEGER NOT NULL,"
    "  gpus_free INTEGER NOT NULL, gpus_total INTEGER NOT NULL,"
    "  models INTEGER NOT NULL, queue_depth INTEGER NOT NULL,"
    "  gpu_util REAL NOT NULL, gpu_mem_gb REAL NOT NULL,"
    "  battery_soc REAL NOT NULL, power_kw REAL NOT NULL,"
    "  carbon REAL NOT NULL,"
    "  PRIMARY KEY (node_id, valid_us, system_us)) WITHOUT ROWID;"
    "CREATE TABLE node_minute (node_id INTEGER NOT NULL,"
    "  minute_us INTEGER NOT NULL, system_us INTEGER NOT NULL,"
    "  samples INTEGER NOT NULL, status INTEGER NOT NULL,"
    "  source INTEGER NOT NULL, gpus_free INTEGER NOT NULL,"
    "  gpus_total INTEGER NOT NULL, gpu_util REAL NOT NULL,"
    "  battery_soc REAL NOT NULL, power_kw REAL NOT NULL,"
    "  carbon REAL NOT NULL,"
    "  PRIMARY KEY (node_id, minute_us)) WITHOUT ROWID;"
    "CREATE TABLE zone_state (zone INTEGER NOT NULL,"
    "  valid_us INTEGER NOT NULL, system_us INTEGER NOT NULL,"
    "  nodes INTEGER NOT NULL, nodes_up INTEGER NOT NULL,"
    "  gpus_total INTEGER NOT NULL, gpus_free INTEGER NOT NULL,"
    "  gpu_util REAL NOT NULL, power_kw REAL NOT NULL,"
    "  carbon REAL NOT NULL, kw_solar REAL NOT NULL,"
    "  kw_wind REAL NOT NULL, kw_gas REAL NOT NULL,"
    "  kw_battery REAL NOT NULL, kw_grid REAL NOT NULL,"
    "  PRIMARY KEY (zone, valid_us, system_us)) WITHOUT ROWID;"
    "CREATE TABLE events (seq INTEGER NOT NULL,"
    "  valid_us INTEGER NOT NULL, system_us INTEGER NOT NULL,"
    "  type INTEGER NOT NULL, severity INTEGER NOT NULL,"
    "  zone INTEGER NOT NULL, node TEXT NOT NULL,"
    "  coalesced INTEGER NOT NULL, message TEXT NOT NULL);"
    "CREATE INDEX events_valid ON events (valid_us);"
    "CREATE TABLE requests (request_id INTEGER NOT NULL,"
    "  valid_us INTEGER NOT NULL, system_us INTEGER NOT NULL,"
    "  node TEXT NOT NULL, zone INTEGER NOT NULL,"
    "  source INTEGER NOT NULL, priority INTEGER NOT NULL,"
    "  status INTEGER NOT NULL, model INTEGER NOT NULL,"
    "  carbon_g REAL NOT NULL, energy_kwh REAL NOT NULL,"
    "  rtt_ms REAL NOT NULL, queue_ms REAL NOT NULL,"
    "  service_ms REAL NOT NULL);"
    "CREATE INDEX requests_valid ON requests (valid_us);",
};

static void sq_disconnect(arc_sdb_t *db)
{
    if (db != NULL) {
        sqlite3_close_v2(db->db);
        free(db);
    }
}

static arc_status_t sq_exec(arc_sdb_t *db, const char *sql)
{
    return sqlite3_exec(db->db, sql, NULL, NULL, NULL) == SQLITE_OK
               ? ARC_OK
               : ARC_ERR_IO;
}

static arc_status_t sq_connect(const char *target, bool writer,
                               arc_sdb_t **out, char *err, size_t errlen)
{
    arc_sdb_t *db = calloc(1, sizeof(*db));
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                SQLITE_OPEN_FULLMUTEX;

    if (db == NULL) {
        return ARC_ERR_NOMEM;
    }
    if (sqlite3_open_v2(target, &db->db, flags, NULL) != SQLITE_OK) {
        goto fail;
    }
    sqlite3_busy_timeout(db->db, writer ? 200 : 5000);
    if (sq_exec(db, "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA cache_size=-65536;"
                    "PRAGMA wal_autocheckpoint=16384;") != ARC_OK) {
        goto fail;
    }
    *out = db;
    return ARC_OK;

fail:
    snprintf(err, errlen, "cannot open %s: %s", target,
             db->db ? sqlite3_errmsg(db->db) : "out of memory");
    sq_disconnect(db);
    return ARC_ERR_IO;
}

static arc_status_t sq_prepare(arc_sdb_t *db, const char *sql,
                               arc_sstmt_t **out)
{
    arc_sstmt_t *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        return ARC_ERR_NOMEM;
    }
    if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &st->st, NULL) != SQLITE_OK) {
        free(st);
        return ARC_ERR_IO;
    }
    st->db = db;
    *out = st;
    return ARC_OK;
}

static void sq_bind_i64(arc_sstmt_t *st, int i, int64_t v)
{
    sqlite3_bind_int64(st->st, i, v);
}

static void sq_bind_f64(arc_sstmt_t *st, int i, double v)
{
    sqlite3_bind_double(st->st, i, v);
}

static void sq_bind_text(arc_sstmt_t *st, int i, const char *v)
{
    sqlite3_bind_text(st->st, i, v, -1, SQLITE_TRANSIENT);
}

static arc_status_t sq_step(arc_sstmt_t *st, bool *row)
{
    int rc;

    *row = false;
    if (st->done) {
        return ARC_OK;
    }
    rc = sqlite3_step(st->st);
    st->started = true;
    if (rc == SQLITE_ROW) {
        *row = true;
        return ARC_OK;
    }
    st->done = true;
    return rc == SQLITE_DONE ? ARC_OK : ARC_ERR_IO;
}

static int64_t sq_col_i64(arc_sstmt_t *st, int col)
{
    return sqlite3_column_int64(st->st, col);
}

static double sq_col_f64(arc_sstmt_t *st, int col)
{
    return sqlite3_column_double(st->st, col);
}

static const char *sq_col_text(arc_sstmt_t *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st->st, col);

    return t ? (const char *)t : "";
}

static void sq_reset(arc_sstmt_t *st)
{
    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
    st->started = false;
    st->done = false;
}

static void sq_finalize(arc_sstmt_t *st)
{
    if (st != NULL) {
        sqlite3_finalize(st->st);
        free(st);
    }
}

static void bind_node_row(sqlite3_stmt *st, const arc_store_node_row_t *r,
                          int64_t id)
{
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, r->valid_us);
    sqlite3_bind_int64(st, 3, r->system_us);
    sqlite3_bind_int(st, 4, r->kind);
    sqlite3_bind_int64(st, 5, (int64_t)r->seq);
    sqlite3_bind_int(st, 6, r->status);
    sqlite3_bind_int(st, 7, r->energy_source);
    sqlite3_bind_int(st, 8, r->gpus_free);
    sqlite3_bind_int(st, 9, r->gpus_total);
    sqlite3_bind_int64(st, 10, r->models);
    sqlite3_bind_int64(st, 11, r->queue_depth);
    sqlite3_bind_double(st, 12, r->gpu_util);
    sqlite3_bind_double(st, 13, r->gpu_mem_used_gb);
    sqlite3_bind_double(st, 14, r->battery_soc);
    sqlite3_bind_double(st, 15, r->power_kw);
    sqlite3_bind_double(st, 16, r->carbon_g_per_kwh);
}

static arc_status_t sq_put_node_rows(arc_sdb_t *db,
                                     const arc_store_node_row_t *rows,
                                     const int64_t *ids, size_t n)
{
    static const char sql[] =
        "INSERT INTO node_state VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
        " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) ON CONFLICT DO NOTHING";
    sqlite3_stmt *st = NULL;
    arc_status_t status = ARC_OK;

    if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return ARC_ERR_IO;
    }
    for (size_t i = 0; i < n && status == ARC_OK; i++) {
        bind_node_row(st, &rows[i], ids[i]);
        if (sqlite3_step(st) != SQLITE_DONE) {
            status = ARC_ERR_IO;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return status;
}

static const char *sq_errmsg(arc_sdb_t *db)
{
    return sqlite3_errmsg(db->db);
}

static const arc_store_driver_t driver = {
    .name = "sqlite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .bind_i64 = sq_bind_i64,
    .bind_f64 = sq_bind_f64,
    .bind_text = sq_bind_text,
    .step = sq_step,
    .col_i64 = sq_col_i64,
    .col_f64 = sq_col_f64,
    .col_text = sq_col_text,
    .reset = sq_reset,
    .finalize = sq_finalize,
    .put_node_rows = sq_put_node_rows,
    .errmsg = sq_errmsg,
    .mesh_at_sql =
        "SELECT " ARC_STORE_NODE_COLS " FROM nodes n CROSS JOIN node_state s"
        " ON s.node_id = n.id AND (s.valid_us, s.system_us) ="
        " (SELECT x.valid_us, x.system_us FROM node_state x"
        " WHERE x.node_id = n.id AND x.valid_us <= ?1 AND x.system_us <= ?2"
        " ORDER BY x.valid_us DESC, x.system_us DESC LIMIT 1)",
    .mesh_minute_sql =
        "SELECT " ARC_STORE_MINUTE_COLS " FROM nodes n"
        " CROSS JOIN node_minute s ON s.node_id = n.id AND s.minute_us ="
        " (SELECT max(x.minute_us) FROM node_minute x"
        " WHERE x.node_id = n.id AND x.minute_us <= ?1"
        " AND x.system_us <= ?2)",
    .migrations = migrations,
    .migration_count = ARC_ARRAY_LEN(migrations),
};

const arc_store_driver_t *arc_store_sqlite_driver(void)
{
    return &driver;
}
