/*
 * driver.h - what the store needs from a database, and nothing more:
 * connect, run a statement with bound parameters, read its rows, and
 * append many node rows fast. SQLite and PostgreSQL each implement it
 * (sqlite.c, postgres.c); every query and every write is written once,
 * in SQL both understand, by the generic store.
 *
 * SQL handed to a driver numbers its parameters ?1, ?2, ...; the
 * PostgreSQL driver rewrites them as $1, $2, ... A statement is run by
 * its first step(); step() then yields rows until it says there are no
 * more; reset() makes it ready for new parameters.
 *
 * Threads: a connection and its statements belong to one thread at a
 * time. Memory: the driver owns connections and statements; text read
 * from a row stays valid until the next step or reset.
 */
#ifndef ARC_STORE_DRIVER_H
#define ARC_STORE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arc.h"
#include "store/store.h"

/* The columns every node-row query returns, in this order (n: nodes,
 * s: node_state). */
#define ARC_STORE_NODE_COLS                                               \
    "n.name, s.valid_us, s.system_us, s.kind, s.seq, n.zone, s.status, " \
    "s.source, s.gpus_free, s.gpus_total, s.models, s.queue_depth, "     \
    "s.gpu_util, s.gpu_mem_gb, s.battery_soc, s.power_kw, s.carbon"

/* The same columns read from a minute aggregate (s: node_minute);
 * what it does not keep reads as 0. */
#define ARC_STORE_MINUTE_COLS                                             \
    "n.name, s.minute_us, s.system_us, 1, 0, n.zone, s.status, "         \
    "s.source, s.gpus_free, s.gpus_total, 0, 0, s.gpu_util, 0, "         \
    "s.battery_soc, s.power_kw, s.carbon"

typedef struct arc_sdb arc_sdb_t;
typedef struct arc_sstmt arc_sstmt_t;

typedef struct arc_store_driver {
    const char *name; /* "sqlite" or "postgres" */

    /* Opens a connection. `writer` says whether it will write (SQLite
       applies its WAL and synchronous settings there). A sentence goes
       to err on failure (ARC_ERR_IO). */
    arc_status_t (*connect)(const char *target, bool writer,
                            arc_sdb_t **out, char *err, size_t errlen);
    void (*disconnect)(arc_sdb_t *db);

    /* Runs one or more statements without parameters or rows. */
    arc_status_t (*exec)(arc_sdb_t *db, const char *sql);

    arc_status_t (*prepare)(arc_sdb_t *db, const char *sql,
                            arc_sstmt_t **out);
    void (*bind_i64)(arc_sstmt_t *st, int index, int64_t v);
    void (*bind_f64)(arc_sstmt_t *st, int index, double v);
    void (*bind_text)(arc_sstmt_t *st, int index, const char *v);

    /* Runs the statement (first call) or moves to the next row. *row
       tells whether a row is there. */
    arc_status_t (*step)(arc_sstmt_t *st, bool *row);
    int64_t (*col_i64)(arc_sstmt_t *st, int col);
    double (*col_f64)(arc_sstmt_t *st, int col);
    const char *(*col_text)(arc_sstmt_t *st, int col);
    void (*reset)(arc_sstmt_t *st);
    void (*finalize)(arc_sstmt_t *st);

    /* Appends node rows in the open transaction; ids[i] is the nodes
       table id of rows[i]. A row whose (node, valid, system) is already
       stored is skipped. */
    arc_status_t (*put_node_rows)(arc_sdb_t *db,
                                  const arc_store_node_row_t *rows,
                                  const int64_t *ids, size_t n);

    /* The last error's sentence. */
    const char *(*errmsg)(arc_sdb_t *db);

    /* The latest row of every node: ?1 valid time, ?2 system time,
       columns ARC_STORE_NODE_COLS (each database plans this one its own
       way, so each driver words it). */
    const char *mesh_at_sql;

    /* The same over the minute aggregates, columns
       ARC_STORE_MINUTE_COLS. */
    const char *mesh_minute_sql;

    /* Schema migrations: migrations[i] brings version i to i + 1. */
    const char *const *migrations;
    size_t migration_count;
} arc_store_driver_t;

const arc_store_driver_t *arc_store_sqlite_driver(void);
const arc_store_driver_t *arc_store_postgres_driver(void);

#endif
