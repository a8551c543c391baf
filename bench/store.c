/*
 * bench/store.c - how fast the history store takes telemetry and
 * answers as-of questions, on SQLite and (with --pg) PostgreSQL, beside
 * each database's own bulk tool fed the very same rows: the sqlite3
 * shell importing a CSV in one transaction (with the same WAL,
 * synchronous and 64 MiB cache settings as the store), and psql's
 * \copy.
 *
 * Rows are synthetic: `--nodes` nodes reporting every 10 s of valid
 * time, a month ago, values drifting so every row differs. Ingest goes
 * through arc_store_put_node (no dead-band: every row is written) and
 * is timed from the first put to the end of arc_store_flush; each
 * ingest, the store's and the raw tool's, runs twice into a fresh
 * database and the better run counts (the machine is shared). Then the
 * store is grown to `--asof-rows` rows and timed answering "node N at
 * valid time T as known now" and the same for the whole mesh. Prints
 * tables; asserts nothing.
 *
 *   build/bench-store [--rows 1000000] [--asof-rows 10000000]
 *                     [--nodes 1000] [--pg postgresql://...]
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

#define STEP_US (10 * ARC_US_PER_S)
#define NODE_QUERIES 2000
#define MESH_QUERIES 20
#define ROUNDS 2 /* each ingest is timed twice; the best counts */

typedef struct opts {
    long rows;
    long asof_rows;
    int nodes;
    const char *pg;
} opts_t;

typedef struct result {
    const char *backend;
    double store_rps, raw_rps;
    long asof_rows;
    double node_p50_us, node_p99_us, mesh_p50_ms, mesh_max_ms;
} result_t;

static int64_t t0_us;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Row i of the synthetic stream. */
static void make_row(long i, int nodes, arc_store_node_row_t *r)
{
    long node = i % nodes, k = i / nodes;

    memset(r, 0, sizeof(*r));
    snprintf(r->node, sizeof(r->node), "bench-%05ld", node);
    r->valid_us = t0_us + k * STEP_US;
    r->system_us = r->valid_us + ARC_US_PER_S;
    r->seq = (uint64_t)k + 1;
    r->zone = (uint8_t)(node % ARC_ZONE_COUNT);
    r->energy_source = (uint8_t)((node + k / 360) % ARC_SOURCE_COUNT);
    r->gpus_total = 8;
    r->gpus_free = (uint16_t)(k % 9);
    r->models = 7;
    r->gpu_util = (float)(k % 100) / 100.0f;
    r->battery_soc = (float)((k + node) % 1000) / 1000.0f;
    r->power_kw = 500.0f + (float)(k % 50);
    r->carbon_g_per_kwh = 20.0f + (float)(node % 400);
}

static arc_store_t *open_store(const char *target)
{
    arc_store_config_t cfg;
    arc_store_t *s = NULL;
    char err[256];

    arc_store_config_default(&cfg);
    cfg.maintain_every_us = 0;
    if (arc_store_open(target, &cfg, &s, err, sizeof(err)) != ARC_OK) {
        fprintf(stderr, "bench-store: %s\n", err);
        exit(1);
    }
    return s;
}

/* Puts rows [from, to) and waits until they are committed. The rows
 * are made before the clock starts (as the raw tools' CSV is). */
static double ingest(arc_store_t *s, long from, long to, int nodes)
{
    long n = to - from;
    arc_store_node_row_t *rows = malloc((size_t)n * sizeof(*rows));
    double start;

    if (rows == NULL) {
        fprintf(stderr, "bench-store: out of memory\n");
        exit(1);
    }
    for (long i = 0; i < n; i++) {
        make_row(from + i, nodes, &rows[i]);
    }
    start = now_s();
    for (long i = 0; i < n; i++) {
        while (arc_store_put_node(s, &rows[i]) == ARC_ERR_FULL) {
            usleep(100);
        }
    }
    free(rows);
    if (arc_store_flush(s, 600 * ARC_US_PER_S) != ARC_OK) {
        fprintf(stderr, "bench-store: flush failed\n");
    }
    return now_s() - start;
}

/* Adds rows after the timed ones up to --asof-rows, a million at a
 * time. */
static void grow_to(arc_store_t *s, const opts_t *o)
{
    for (long from = o->rows; from < o->asof_rows; from += 1000000) {
        long to = from + 1000000;

        ingest(s, from, to < o->asof_rows ? to : o->asof_rows, o->nodes);
    }
}

/* The same rows as the raw tools read them (node ids 1..nodes, in the
 * order the store assigns them: first seen, first numbered). */
static void write_csv(const char *path, long rows, int nodes)
{
    FILE *f = fopen(path, "w");
    arc_store_node_row_t r;

    if (f == NULL) {
        perror(path);
        exit(1);
    }
    for (long i = 0; i < rows; i++) {
        make_row(i, nodes, &r);
        fprintf(f, "%ld,%lld,%lld,0,%llu,%u,%u,%u,%u,%u,%u,%.9g,%.9g,"
                   "%.9g,%.9g,%.9g\n",
                i % nodes + 1, (long long)r.valid_us,
                (long long)r.system_us, (unsigned long long)r.seq,
                r.status, r.energy_source, r.gpus_free, r.gpus_total,
                r.models, r.queue_depth, (double)r.gpu_util,
                (double)r.gpu_mem_used_gb, (double)r.battery_soc,
                (double)r.power_kw, (double)r.carbon_g_per_kwh);
    }
    fclose(f);
}

/* Runs a shell command; the wall time it took. */
static double timed(const char *cmd)
{
    double start = now_s();

    if (system(cmd) != 0) {
        fprintf(stderr, "bench-store: failed: %s\n", cmd);
    }
    return now_s() - start;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static long pick(long n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (long)(rng % (uint64_t)n);
}

static void time_queries(arc_store_t *s, const opts_t *o, long rows,
                         result_t *res)
{
    static double lat[NODE_QUERIES];
    long steps = rows / o->nodes;
    arc_store_node_row_t one, *all;
    size_t n;
    char id[ARC_NODE_ID_MAX], err[256];

    for (int q = 0; q < NODE_QUERIES; q++) {
        int64_t t = t0_us + pick(steps) * STEP_US + 5 * ARC_US_PER_S;
        double start;

        snprintf(id, sizeof(id), "bench-%05ld", pick(o->nodes));
        start = now_s();
        arc_store_node_at(s, id, t, 0, &one, err, sizeof(err));
        lat[q] = (now_s() - start) * 1e6;
    }
    qsort(lat, NODE_QUERIES, sizeof(double), cmp_double);
    res->node_p50_us = lat[NODE_QUERIES / 2];
    res->node_p99_us = lat[NODE_QUERIES * 99 / 100];
    for (int q = 0; q < MESH_QUERIES; q++) {
        int64_t t = t0_us + pick(steps) * STEP_US;
        double start = now_s();

        arc_store_mesh_at(s, t, 0, &all, &n, err, sizeof(err));
        lat[q] = (now_s() - start) * 1e3;
        free(all);
    }
    qsort(lat, MESH_QUERIES, sizeof(double), cmp_double);
    res->mesh_p50_ms = lat[MESH_QUERIES / 2];
    res->mesh_max_ms = lat[MESH_QUERIES - 1];
}

/* ---- SQLite ----------------------------------------------------------- */

static void sqlite_raw(const opts_t *o, const char *dir, int round,
                       const char *csv, result_t *res)
{
    char db[512], cmd[2048];
    double rps;

    snprintf(db, sizeof(db), "%s/raw%d.db", dir, round);
    arc_store_close(open_store(db)); /* the same schema */
    snprintf(cmd, sizeof(cmd),
             "printf 'PRAGMA journal_mode=WAL;\\nPRAGMA synchronous=NORMAL;\\n"
             "PRAGMA cache_size=-65536;"
             "\\nBEGIN;\\n.import --csv %s node_state\\nCOMMIT;\\n' | "
             "sqlite3 %s >/dev/null", csv, db);
    rps = (double)o->rows / timed(cmd);
    res->raw_rps = rps > res->raw_rps ? rps : res->raw_rps;
}

/* Ingests the timed rows into a fresh store; returns it open. */
static arc_store_t *timed_store(const opts_t *o, const char *target,
                                result_t *res)
{
    arc_store_t *s = open_store(target);
    double rps = (double)o->rows / ingest(s, 0, o->rows, o->nodes);

    res->store_rps = rps > res->store_rps ? rps : res->store_rps;
    return s;
}

static void bench_sqlite(const opts_t *o, const char *dir, result_t *res)
{
    char db[512], csv[512];
    arc_store_t *s = NULL;

    snprintf(csv, sizeof(csv), "%s/rows.csv", dir);
    write_csv(csv, o->rows, o->nodes);
    for (int round = 0; round < ROUNDS; round++) {
        sqlite_raw(o, dir, round, csv, res);
        snprintf(db, sizeof(db), "%s/store%d.db", dir, round);
        arc_store_close(s);
        s = timed_store(o, db, res);
    }
    grow_to(s, o);
    res->asof_rows = o->asof_rows > o->rows ? o->asof_rows : o->rows;
    time_queries(s, o, res->asof_rows, res);
    arc_store_close(s);
}

/* ---- PostgreSQL ------------------------------------------------------- */

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void pg_admin(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);

    PQsetNoticeProcessor(c, quiet, NULL);
    PQclear(PQexec(c, sql));
    PQfinish(c);
}

/* A fresh, empty database `db`; its URL in out. */
static void pg_fresh(const char *url, const char *db, char *out,
                     size_t len)
{
    const char *host = strstr(url, "://");
    const char *slash = host ? strchr(host + 3, '/') : NULL;
    int keep = slash ? (int)(slash - url) : (int)strlen(url);
    char sql[128];

    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db);
    pg_admin(url, sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
    pg_admin(url, sql);
    snprintf(out, len, "%.*s/%s", keep, url, db);
}

static void pg_raw(const opts_t *o, const char *csv, result_t *res)
{
    char url[600], cmd[2048];
    double rps;

    pg_fresh(o->pg, "arc_bench_raw", url, sizeof(url));
    arc_store_close(open_store(url));
    snprintf(cmd, sizeof(cmd),
             "psql -q '%s' -c \"\\copy node_state FROM '%s' "
             "WITH (FORMAT csv)\" >/dev/null", url, csv);
    rps = (double)o->rows / timed(cmd);
    res->raw_rps = rps > res->raw_rps ? rps : res->raw_rps;
}

static void bench_pg(const opts_t *o, const char *dir, result_t *res)
{
    char url[600], csv[512];
    arc_store_t *s = NULL;

    snprintf(csv, sizeof(csv), "%s/rows.csv", dir);
    for (int round = 0; round < ROUNDS; round++) {
        pg_raw(o, csv, res);
        arc_store_close(s);
        pg_fresh(o->pg, "arc_bench_store", url, sizeof(url));
        s = timed_store(o, url, res);
    }
    grow_to(s, o);
    pg_admin(url, "VACUUM ANALYZE");
    res->asof_rows = o->asof_rows > o->rows ? o->asof_rows : o->rows;
    time_queries(s, o, res->asof_rows, res);
    arc_store_close(s);
    pg_admin(o->pg, "DROP DATABASE IF EXISTS arc_bench_store");
    pg_admin(o->pg, "DROP DATABASE IF EXISTS arc_bench_raw");
}

/* ---- main ------------------------------------------------------------- */

static void parse_args(int argc, char **argv, opts_t *o)
{
    o->rows = 1000000;
    o->asof_rows = 10000000;
    o->nodes = 1000;
    o->pg = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--rows") == 0) {
            o->rows = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--asof-rows") == 0) {
            o->asof_rows = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--nodes") == 0) {
            o->nodes = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--pg") == 0) {
            o->pg = argv[i + 1];
        }
    }
    if (o->rows < 1000 || o->nodes < 1 || o->nodes > 99999) {
        fprintf(stderr, "bench-store: bad --rows or --nodes\n");
        exit(2);
    }
}

static void print(const opts_t *o, const result_t *r, int n)
{
    printf("\nstore ingest: %ld telemetry rows, %d nodes\n", o->rows,
           o->nodes);
    printf("%-9s %13s %13s %7s  %s\n", "backend", "store rows/s",
           "raw rows/s", "ratio", "raw tool");
    for (int i = 0; i < n; i++) {
        printf("%-9s %13.0f %13.0f %7.2f  %s\n", r[i].backend,
               r[i].store_rps, r[i].raw_rps, r[i].store_rps / r[i].raw_rps,
               i == 0 ? "sqlite3 .import CSV, one transaction"
                      : "psql \\copy CSV");
    }
    printf("\nas-of queries (valid T, known now)\n");
    printf("%-9s %11s %12s %12s %12s %12s\n", "backend", "rows",
           "node p50 us", "node p99 us", "mesh p50 ms", "mesh max ms");
    for (int i = 0; i < n; i++) {
        printf("%-9s %11ld %12.1f %12.1f %12.2f %12.2f\n", r[i].backend,
               r[i].asof_rows, r[i].node_p50_us, r[i].node_p99_us,
               r[i].mesh_p50_ms, r[i].mesh_max_ms);
    }
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/arc-bench-store.XXXXXX";
    char cmd[128];
    result_t res[2];
    opts_t o;
    int n = 0;

    parse_args(argc, argv, &o);
    t0_us = (arc_now_us() - 30LL * 86400 * ARC_US_PER_S) /
            (60 * ARC_US_PER_S) * (60 * ARC_US_PER_S);
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    memset(res, 0, sizeof(res));
    res[n].backend = "sqlite";
    bench_sqlite(&o, dir, &res[n++]);
    if (o.pg != NULL) {
        res[n].backend = "postgres";
        bench_pg(&o, dir, &res[n++]);
    }
    print(&o, res, n);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
