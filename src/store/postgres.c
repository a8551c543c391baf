/*
 * postgres.c - the store's PostgreSQL driver (see driver.h), through
 * libpq: the same bitemporal schema as SQLite, for operators who run
 * PostgreSQL already and for history at scale.
 *
 * The one idea: node rows, the bulk of the history, go in with binary
 * COPY (one stream per batch, no text to format or parse); everything
 * else is a server-side prepared statement with text parameters, so the
 * generic store's SQL runs unchanged once ?N becomes $N. A COPY that
 * meets a row already stored rolls back to a savepoint and falls back
 * to row-by-row inserts that skip it.
 *
 * Threads: a connection belongs to one thread at a time. Memory: the
 * driver owns the connection, statements and their last result.
 */
#include "store/driver.h"

#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 16
#define PARAM_LEN 64
#define COPY_CHUNK (256 * 1024)

struct arc_sdb {
    PGconn *conn;
    unsigned next_stmt;
    char err[256];
    bool duplicate; /* the last COPY met a row already stored */
};

struct arc_sstmt {
    arc_sdb_t *db;
    char name[24];
    int nparams;
    char vals[MAX_PARAMS][PARAM_LEN];
    char *long_vals[MAX_PARAMS]; /* text too long for vals */
    PGresult *res;
    int row;                     /* next row to hand out */
    bool started;
};

static const char *const migrations[] = {
    /* 0 -> 1: the bitemporal schema */
    "CREATE TABLE nodes (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL "
    "  UNIQUE, zone SMALLINT NOT NULL);"
    "CREATE TABLE node_state (node_id BIGINT NOT NULL,"
    "  valid_us BIGINT NOT NULL, system_us BIGINT NOT NULL,"
    "  kind SMALLINT NOT NULL, seq BIGINT NOT NULL,"
    "  status SMALLINT NOT NULL, source SMALLINT NOT NULL,"
    "  gpus_free INTEGER NOT NULL, gpus_total INTEGER NOT NULL,"
    "  models BIGINT NOT NULL, queue_depth BIGINT NOT NULL,"
    "  gpu_util REAL NOT NULL, gpu_mem_gb REAL NOT NULL,"
    "  battery_soc REAL NOT NULL, power_kw REAL NOT NULL,"
    "  carbon REAL NOT NULL,"
    "  PRIMARY KEY (node_id, valid_us, system_us));"
    "CREATE TABLE node_minute (node_id BIGINT NOT NULL,"
    "  minute_us BIGINT NOT NULL, system_us BIGINT NOT NULL,"
    "  samples INTEGER NOT NULL, status SMALLINT NOT NULL,"
    "  source SMALLINT NOT NULL, gpus_free INTEGER NOT NULL,"
    "  gpus_total INTEGER NOT NULL, gpu_util DOUBLE PRECISION NOT NULL,"
    "  battery_soc DOUBLE PRECISION NOT NULL,"
    "  power_kw DOUBLE PRECISION NOT NULL,"
    "  carbon DOUBLE PRECISION NOT NULL,"
    "  PRIMARY KEY (node_id, minute_us));"
    "CREATE TABLE zone_state (zone SMALLINT NOT NULL,"
    "  valid_us BIGINT NOT NULL, system_us BIGINT NOT NULL,"
    "  nodes INTEGER NOT NULL, nodes_up INTEGER NOT NULL,"
    "  gpus_total INTEGER NOT NULL, gpus_free INTEGER NOT NULL,"
    "  gpu_util DOUBLE PRECISION NOT NULL,"
    "  power_kw DOUBLE PRECISION NOT NULL,"
    "  carbon DOUBLE PRECISION NOT NULL,"
    "  kw_solar DOUBLE PRECISION NOT NULL,"
    "  kw_wind DOUBLE PRECISION NOT NULL,"
    "  kw_gas DOUBLE PRECISION NOT NULL,"
    "  kw_battery DOUBLE PRECISION NOT NULL,"
    "  kw_grid DOUBLE PRECISION NOT NULL,"
    "  PRIMARY KEY (zone, valid_us, system_us));"
    "CREATE TABLE events (seq BIGINT NOT NULL,"
    "  valid_us BIGINT NOT NULL, system_us BIGINT NOT NULL,"
    "  type SMALLINT NOT NULL, severity SMALLINT NOT NULL,"
    "  zone SMALLINT NOT NULL, node TEXT NOT NULL,"
    "  coalesced BIGINT NOT NULL, message TEXT NOT NULL);"
    "CREATE INDEX events_valid ON events (valid_us);"
    "CREATE TABLE requests (request_id BIGINT NOT NULL,"
    "  valid_us BIGINT NOT NULL, system_us BIGINT NOT NULL,"
    "  node TEXT NOT NULL, zone SMALLINT NOT NULL,"
    "  source SMALLINT NOT NULL, priority SMALLINT NOT NULL,"
    "  status SMALLINT NOT NULL, model INTEGER NOT NULL,"
    "  carbon_g DOUBLE PRECISION NOT NULL,"
    "  energy_kwh DOUBLE PRECISION NOT NULL,"
    "  rtt_ms DOUBLE PRECISION NOT NULL,"
    "  queue_ms DOUBLE PRECISION NOT NULL,"
    "  service_ms DOUBLE PRECISION NOT NULL);"
    "CREATE INDEX requests_valid ON requests (valid_us);",
};

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void keep_error(arc_sdb_t *db, const char *msg)
{
    size_t n;

    snprintf(db->err, sizeof(db->err), "%s", msg ? msg : "");
    n = strlen(db->err);
    while (n > 0 && (db->err[n - 1] == '\n' || db->err[n - 1] == ' ')) {
        db->err[--n] = '\0';
    }
}

static void pg_disconnect(arc_sdb_t *db)
{
    if (db != NULL) {
        PQfinish(db->conn);
        free(db);
    }
}

/* Runs sql; ARC_OK when the server accepted it. */
static arc_status_t pg_exec(arc_sdb_t *db, const char *sql)
{
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType rs = PQresultStatus(res);
    arc_status_t st = ARC_OK;

    if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
        keep_error(db, PQerrorMessage(db->conn));
        st = ARC_ERR_IO;
    }
    PQclear(res);
    return st;
}

static arc_status_t pg_connect(const char *target, bool writer,
                               arc_sdb_t **out, char *err, size_t errlen)
{
    /* A connect timeout the URL may override (it comes later). */
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const values[] = {"5", target, NULL};
    arc_sdb_t *db = calloc(1, sizeof(*db));

    if (db == NULL) {
        return ARC_ERR_NOMEM;
    }
    db->conn = PQconnectdbParams(keys, values, 1);
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        keep_error(db, db->conn ? PQerrorMessage(db->conn) : "no memory");
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s",
                 db->err);
        pg_disconnect(db);
        return ARC_ERR_IO;
    }
    PQsetNoticeProcessor(db->conn, quiet_notices, NULL);
    if (pg_exec(db, writer ? "SET lock_timeout = '500ms'"
                           : "SET lock_timeout = '5s'") != ARC_OK) {
        snprintf(err, errlen, "PostgreSQL refused a setting: %s", db->err);
        pg_disconnect(db);
        return ARC_ERR_IO;
    }
    *out = db;
    return ARC_OK;
}

/* Copies sql with ?N turned into $N; NULL when out of memory. */
static char *dollar_params(const char *sql, int *nparams)
{
    size_t len = strlen(sql);
    char *out = malloc(len + 1);

    *nparams = 0;
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i <= len; i++) {
        out[i] = sql[i];
        if (sql[i] == '?' && sql[i + 1] >= '1' && sql[i + 1] <= '9') {
            int n = atoi(sql + i + 1);

            out[i] = '$';
            *nparams = n > *nparams ? n : *nparams;
        }
    }
    return out;
}

static arc_status_t pg_prepare(arc_sdb_t *db, const char *sql,
                               arc_sstmt_t **out)
{
    arc_sstmt_t *st = calloc(1, sizeof(*st));
    int nparams = 0;
    char *text = dollar_params(sql, &nparams);
    arc_status_t status = ARC_ERR_NOMEM;
    PGresult *res;

    if (st == NULL || text == NULL || nparams > MAX_PARAMS) {
        goto out;
    }
    st->nparams = nparams;
    snprintf(st->name, sizeof(st->name), "arc%u", db->next_stmt++);
    res = PQprepare(db->conn, st->name, text, st->nparams, NULL);
    status = PQresultStatus(res) == PGRES_COMMAND_OK ? ARC_OK : ARC_ERR_IO;
    if (status != ARC_OK) {
        keep_error(db, PQerrorMessage(db->conn));
    }
    PQclear(res);
    st->db = db;

out:
    free(text);
    if (status != ARC_OK) {
        free(st);
        return status;
    }
    *out = st;
    return ARC_OK;
}

static void pg_bind_i64(arc_sstmt_t *st, int i, int64_t v)
{
    if (i >= 1 && i <= MAX_PARAMS) {
        snprintf(st->vals[i - 1], PARAM_LEN, "%lld", (long long)v);
    }
}

static void pg_bind_f64(arc_sstmt_t *st, int i, double v)
{
    if (i >= 1 && i <= MAX_PARAMS) {
        snprintf(st->vals[i - 1], PARAM_LEN, "%.17g", v);
    }
}

static void pg_bind_text(arc_sstmt_t *st, int i, const char *v)
{
    if (i < 1 || i > MAX_PARAMS) {
        return;
    }
    free(st->long_vals[i - 1]);
    st->long_vals[i - 1] = NULL;
    if (strlen(v) < PARAM_LEN) {
        snprintf(st->vals[i - 1], PARAM_LEN, "%s", v);
    } else {
        st->long_vals[i - 1] = strdup(v);
    }
}

static arc_status_t run(arc_sstmt_t *st)
{
    const char *params[MAX_PARAMS];
    ExecStatusType rs;

    for (int i = 0; i < st->nparams; i++) {
        params[i] = st->long_vals[i] ? st->long_vals[i] : st->vals[i];
    }
    st->res = PQexecPrepared(st->db->conn, st->name, st->nparams, params,
                             NULL, NULL, 0);
    st->started = true;
    st->row = 0;
    rs = PQresultStatus(st->res);
    if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
        keep_error(st->db, PQerrorMessage(st->db->conn));
        return ARC_ERR_IO;
    }
    return ARC_OK;
}

static arc_status_t pg_step(arc_sstmt_t *st, bool *row)
{
    *row = false;
    if (!st->started) {
        if (run(st) != ARC_OK) {
            return ARC_ERR_IO;
        }
    } else {
        st->row++;
    }
    *row = st->row < PQntuples(st->res);
    return ARC_OK;
}

static int64_t pg_col_i64(arc_sstmt_t *st, int col)
{
    return strtoll(PQgetvalue(st->res, st->row, col), NULL, 10);
}

static double pg_col_f64(arc_sstmt_t *st, int col)
{
    return strtod(PQgetvalue(st->res, st->row, col), NULL);
}

static const char *pg_col_text(arc_sstmt_t *st, int col)
{
    return PQgetvalue(st->res, st->row, col);
}

static void pg_reset(arc_sstmt_t *st)
{
    PQclear(st->res);
    st->res = NULL;
    st->started = false;
    for (int i = 0; i < MAX_PARAMS; i++) {
        free(st->long_vals[i]);
        st->long_vals[i] = NULL;
    }
}

static void pg_finalize(arc_sstmt_t *st)
{
    if (st != NULL) {
        pg_reset(st);
        free(st);
    }
}

static int format_row(char *buf, size_t cap, const arc_store_node_row_t *r,
                      int64_t id)
{
    return snprintf(buf, cap,
                    "%lld\t%lld\t%lld\t%u\t%llu\t%u\t%u\t%u\t%u\t%lu\t%lu"
                    "\t%.9g\t%.9g\t%.9g\t%.9g\t%.9g\n",
                    (long long)id, (long long)r->valid_us,
                    (long long)r->system_us, r->kind,
                    (unsigned long long)(r->seq & INT64_MAX), r->status,
                    r->energy_source, r->gpus_free, r->gpus_total,
                    (unsigned long)r->models,
                    (unsigned long)r->queue_depth, (double)r->gpu_util,
                    (double)r->gpu_mem_used_gb, (double)r->battery_soc,
                    (double)r->power_kw, (double)r->carbon_g_per_kwh);
}

/* ---- binary COPY: network byte order, each field length-prefixed --- */

static unsigned char *put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) {
        *p++ = (unsigned char)(v >> (8 * i));
    }
    return p;
}

static unsigned char *field(unsigned char *p, uint64_t v, int bytes)
{
    return put_be(put_be(p, (uint64_t)bytes, 4), v, bytes);
}

static unsigned char *field_f32(unsigned char *p, float f)
{
    uint32_t bits;

    memcpy(&bits, &f, sizeof(bits));
    return field(p, bits, 4);
}

/* One tuple in COPY BINARY form; returns the end of what it wrote. */
static unsigned char *binary_row(unsigned char *p,
                                 const arc_store_node_row_t *r, int64_t id)
{
    p = put_be(p, 16, 2);
    p = field(p, (uint64_t)id, 8);
    p = field(p, (uint64_t)r->valid_us, 8);
    p = field(p, (uint64_t)r->system_us, 8);
    p = field(p, r->kind, 2);
    p = field(p, r->seq & INT64_MAX, 8);
    p = field(p, r->status, 2);
    p = field(p, r->energy_source, 2);
    p = field(p, r->gpus_free, 4);
    p = field(p, r->gpus_total, 4);
    p = field(p, r->models, 8);
    p = field(p, r->queue_depth, 8);
    p = field_f32(p, r->gpu_util);
    p = field_f32(p, r->gpu_mem_used_gb);
    p = field_f32(p, r->battery_soc);
    p = field_f32(p, r->power_kw);
    return field_f32(p, r->carbon_g_per_kwh);
}

static const unsigned char copy_header[19] = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0,
    0, 0, 0, 0, /* flags */
    0, 0, 0, 0  /* header extension length */
};

/* Sends what is in buf; false when the server refused. */
static bool send_chunk(arc_sdb_t *db, unsigned char *buf, size_t *used)
{
    bool ok = *used == 0 ||
              PQputCopyData(db->conn, (const char *)buf, (int)*used) == 1;

    *used = 0;
    return ok;
}

/* Streams the rows through COPY; ARC_OK when the server took them. */
static arc_status_t copy_rows(arc_sdb_t *db,
                              const arc_store_node_row_t *rows,
                              const int64_t *ids, size_t n)
{
    unsigned char *buf = malloc(COPY_CHUNK);
    size_t used = sizeof(copy_header);
    arc_status_t st = ARC_ERR_IO;
    PGresult *res = PQexec(db->conn, "COPY node_state FROM STDIN "
                                     "(FORMAT binary)");
    bool copying = PQresultStatus(res) == PGRES_COPY_IN;

    PQclear(res);
    db->duplicate = false;
    if (buf == NULL || !copying) {
        goto out;
    }
    memcpy(buf, copy_header, sizeof(copy_header));
    for (size_t i = 0; i < n; i++) {
        if (COPY_CHUNK - used < 256 && !send_chunk(db, buf, &used)) {
            goto out;
        }
        used = (size_t)(binary_row(buf + used, &rows[i], ids[i]) - buf);
    }
    used = (size_t)(put_be(buf + used, 0xffff, 2) - buf); /* trailer */
    if (!send_chunk(db, buf, &used)) {
        goto out;
    }
    copying = false;
    if (PQputCopyEnd(db->conn, NULL) == 1) {
        const char *state;

        res = PQgetResult(db->conn);
        st = PQresultStatus(res) == PGRES_COMMAND_OK ? ARC_OK : ARC_ERR_IO;
        state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        db->duplicate = state != NULL && strcmp(state, "23505") == 0;
        PQclear(res);
    }

out:
    if (copying) {
        PQputCopyEnd(db->conn, "aborted");
    }
    if (st != ARC_OK) {
        keep_error(db, PQerrorMessage(db->conn));
    }
    while ((res = PQgetResult(db->conn)) != NULL) {
        PQclear(res);
    }
    free(buf);
    return st;
}

/* Row by row, skipping what is stored already. */
static arc_status_t insert_rows(arc_sdb_t *db,
                                const arc_store_node_row_t *rows,
                                const int64_t *ids, size_t n)
{
    char line[512];
    char *sql;
    arc_status_t st = ARC_OK;

    for (size_t i = 0; i < n && st == ARC_OK; i++) {
        format_row(line, sizeof(line), &rows[i], ids[i]);
        line[strlen(line) - 1] = '\0';
        for (char *p = line; *p; p++) {
            *p = *p == '\t' ? ',' : *p;
        }
        if (asprintf(&sql, "INSERT INTO node_state VALUES (%s) "
                           "ON CONFLICT DO NOTHING", line) < 0) {
            return ARC_ERR_NOMEM;
        }
        st = pg_exec(db, sql);
        free(sql);
    }
    return st;
}

static arc_status_t pg_put_node_rows(arc_sdb_t *db,
                                     const arc_store_node_row_t *rows,
                                     const int64_t *ids, size_t n)
{
    if (pg_exec(db, "SAVEPOINT arc_copy") != ARC_OK) {
        return ARC_ERR_IO;
    }
    if (copy_rows(db, rows, ids, n) == ARC_OK) {
        return pg_exec(db, "RELEASE SAVEPOINT arc_copy");
    }
    if (!db->duplicate ||
        pg_exec(db, "ROLLBACK TO SAVEPOINT arc_copy") != ARC_OK) {
        return ARC_ERR_IO;
    }
    return insert_rows(db, rows, ids, n);
}

static const char *pg_errmsg(arc_sdb_t *db)
{
    return db->err;
}

static const arc_store_driver_t driver = {
    .name = "postgres",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_i64 = pg_bind_i64,
    .bind_f64 = pg_bind_f64,
    .bind_text = pg_bind_text,
    .step = pg_step,
    .col_i64 = pg_col_i64,
    .col_f64 = pg_col_f64,
    .col_text = pg_col_text,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .put_node_rows = pg_put_node_rows,
    .errmsg = pg_errmsg,
    .mesh_at_sql =
        "SELECT " ARC_STORE_NODE_COLS " FROM nodes n CROSS JOIN LATERAL"
        " (SELECT * FROM node_state x WHERE x.node_id = n.id"
        " AND x.valid_us <= ?1 AND x.system_us <= ?2"
        " ORDER BY x.valid_us DESC, x.system_us DESC LIMIT 1) s",
    .mesh_minute_sql =
        "SELECT " ARC_STORE_MINUTE_COLS " FROM nodes n CROSS JOIN LATERAL"
        " (SELECT * FROM node_minute x WHERE x.node_id = n.id"
        " AND x.minute_us <= ?1 AND x.system_us <= ?2"
        " ORDER BY x.minute_us DESC LIMIT 1) s",
    .migrations = migrations,
    .migration_count = ARC_ARRAY_LEN(migrations),
};

const arc_store_driver_t *arc_store_postgres_driver(void)
{
    return &driver;
}
