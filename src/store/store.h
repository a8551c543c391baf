/*
 * store.h - the bitemporal history of the mesh: node telemetry and
 * status, zone summaries, events and request outcomes, on SQLite (the
 * embedded default) or PostgreSQL, behind one interface.
 *
 * Every fact carries two times, both UTC microseconds: valid time (when
 * it was true in the world) and system time (when ArcNet recorded it).
 * Nothing is updated in place: a correction or a late report is a new
 * row with the same or an earlier valid time and a later system time,
 * so any question can be asked "as the store knew it at system time S".
 * Only retention (arc_store_maintain) deletes, after folding raw rows
 * into per-minute aggregates.
 *
 * Threads: the owner (the daemon's event loop) calls arc_store_put_*;
 * they copy the row into a bounded in-memory buffer and return at once,
 * never touching the disk or the network. A writer thread owned by the
 * store takes the buffer every flush interval (or sooner when it is half
 * full) and commits it in one transaction. When the buffer is full a put
 * returns ARC_ERR_FULL and the row is counted as dropped; when a commit
 * fails the writer reports it, keeps the batch and retries, so nothing
 * accepted is lost while the process lives. Queries run synchronously
 * on the caller's thread over a separate connection (one caller thread
 * at a time).
 *
 * Memory: the store owns its buffers and connections. Query results are
 * arrays the caller frees with free().
 */
#ifndef ARC_STORE_H
#define ARC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/types.h"
#include "state/events.h"
#include "state/mesh.h"

typedef struct arc_store arc_store_t;

/* ---- rows ------------------------------------------------------------- */

typedef enum arc_store_kind {
    ARC_STORE_TELEMETRY = 0, /* a report that passed the dead-band */
    ARC_STORE_KEYFRAME,      /* periodic full row, dead-band or not */
    ARC_STORE_CORRECTION,    /* an operator's or agent's correction */
    ARC_STORE_KIND_COUNT
} arc_store_kind_t;

/* One version of a node's state. */
typedef struct arc_store_node_row {
    char node[ARC_NODE_ID_MAX]; /* node id */
    int64_t valid_us;           /* when it was true */
    int64_t system_us;          /* when recorded; 0 on put: the store's
                                   clock stamps it */
    uint64_t seq;               /* the node's telemetry sequence */
    uint8_t kind;               /* arc_store_kind_t */
    uint8_t zone;               /* arc_zone_t */
    uint8_t status;             /* arc_node_status_t */
    uint8_t energy_source;      /* arc_energy_source_t */
    uint16_t gpus_free;
    uint16_t gpus_total;
    uint32_t models;            /* bit i: model i loaded */
    uint32_t queue_depth;
    float gpu_util;             /* 0..1 */
    float gpu_mem_used_gb;
    float battery_soc;          /* 0..1 */
    float power_kw;
    float carbon_g_per_kwh;
} arc_store_node_row_t;

/* One summary of a zone (the mesh's zone totals at a moment). */
typedef struct arc_store_zone_row {
    uint8_t zone;               /* arc_zone_t */
    int64_t valid_us;
    int64_t system_us;          /* 0 on put: stamped by the store */
    uint32_t nodes, nodes_up;
    uint32_t gpus_total, gpus_free;
    double gpu_util;            /* mean over nodes up, 0..1 */
    double power_kw;            /* total draw */
    double carbon_g_per_kwh;    /* power-weighted intensity */
    double power_by_source_kw[ARC_SOURCE_COUNT];
} arc_store_zone_row_t;

/* One request's outcome summary. */
typedef struct arc_store_request_row {
    uint64_t request_id;
    int64_t valid_us;           /* when it finished (or was refused) */
    int64_t system_us;          /* 0 on put: stamped by the store */
    char node[ARC_NODE_ID_MAX]; /* where it ran; "" when not served */
    uint8_t zone, source, priority;
    uint8_t status;             /* arc_status_t of the outcome */
    uint32_t model;
    double carbon_g, energy_kwh;
    double rtt_ms, queue_ms, service_ms;
} arc_store_request_row_t;

/* One event as stored: the log's event with its system time. */
typedef struct arc_store_event_row {
    arc_event_t ev;             /* ev.time_us is the valid time */
    int64_t system_us;          /* 0 on put: stamped by the store */
} arc_store_event_row_t;

/* ---- configuration ---------------------------------------------------- */

typedef int64_t (*arc_store_clock_fn)(void *ctx);

/* What the writer thread tells its owner. Runs on the writer thread. */
typedef enum arc_store_report_kind {
    ARC_STORE_REPORT_WRITE_FAILED = 0, /* a commit failed; will retry */
    ARC_STORE_REPORT_RECOVERED,        /* a commit succeeded after that */
    ARC_STORE_REPORT_DROPPED,          /* rows refused since last report */
    ARC_STORE_REPORT_LOST              /* rows given up at close */
} arc_store_report_kind_t;

typedef struct arc_store_report {
    arc_store_report_kind_t kind;
    uint64_t rows;              /* rows concerned (batch, drops, losses) */
    const char *message;        /* the database's own sentence, or "" */
} arc_store_report_t;

/* Must be thread-safe: it runs on the writer thread. */
typedef void (*arc_store_report_fn)(void *ctx, const arc_store_report_t *r);

typedef struct arc_store_config {
    uint32_t queue_rows;        /* rows buffered before drops (65536) */
    int64_t flush_us;           /* longest wait before a commit (500 ms) */
    int64_t retry_us;           /* wait after a failed commit (1 s) */
    /* dead-band: a telemetry row is written when any value moved
       further than this since the node's last written row */
    float deadband_soc;         /* 0.01 */
    float deadband_util;        /* 0.05 */
    float deadband_carbon;      /* 5 g/kWh */
    float deadband_power_kw;    /* 25 kW */
    uint32_t deadband_gpus;     /* free GPUs; 0 (default): a change in
                                   free GPUs alone is not written (every
                                   dispatch changes it; utilisation
                                   carries the load) */
    int64_t keyframe_us;        /* full row at least this often in valid
                                   time (5 min); 0: no keyframes */
    int64_t raw_keep_us;        /* raw rows kept (7 days of valid time) */
    int64_t minute_keep_us;     /* minute aggregates kept (365 days) */
    int64_t maintain_every_us;  /* the writer runs retention this often
                                   in valid time (1 h); 0: never */
    arc_store_clock_fn clock;   /* system time; NULL: the wall clock */
    void *clock_ctx;
    arc_store_clock_fn valid_clock; /* "now" in valid time, for refusing
                                       future queries; NULL: clock */
    void *valid_clock_ctx;
    arc_store_report_fn report; /* NULL: reports are only counted */
    void *report_ctx;
} arc_store_config_t;

/* Fills the defaults given in the comments above. */
void arc_store_config_default(arc_store_config_t *cfg);

/* ---- open and close --------------------------------------------------- */

/*
 * Opens a store and runs its schema migrations. `target` is
 *   postgres://... or postgresql://...   a PostgreSQL URL (libpq)
 *   sqlite:PATH, sqlite://PATH or PATH   a SQLite file (WAL)
 * Starts the writer thread. ARC_ERR_INVALID for an empty target or a
 * bad config, ARC_ERR_IO when the database cannot be opened or
 * migrated, ARC_ERR_NOMEM. A sentence goes to err (errlen bytes).
 */
arc_status_t arc_store_open(const char *target,
                            const arc_store_config_t *cfg,
                            arc_store_t **out, char *err, size_t errlen);

/*
 * Commits what is buffered (retrying a failing commit for at most
 * 3 retry intervals, then reporting the rest as lost), stops the writer
 * and frees everything. NULL is ignored.
 */
void arc_store_close(arc_store_t *store);

/* "sqlite" or "postgres". */
const char *arc_store_backend(const arc_store_t *store);

/* ---- writing (owner thread; never waits on I/O) ------------------------ */

/*
 * Offers telemetry: written only when it passes the node's dead-band or
 * a keyframe is due (ARC_OK either way; a filtered row is counted).
 * ARC_ERR_FULL when the buffer is full (the row is dropped and counted),
 * ARC_ERR_INVALID for an empty node id or unknown enums.
 */
arc_status_t arc_store_put_telemetry(arc_store_t *store,
                                     const arc_store_node_row_t *row);

/* Writes a node row as given, bypassing the dead-band (corrections,
 * backfill). Errors as arc_store_put_telemetry. */
arc_status_t arc_store_put_node(arc_store_t *store,
                                const arc_store_node_row_t *row);

arc_status_t arc_store_put_zone(arc_store_t *store,
                                const arc_store_zone_row_t *row);
arc_status_t arc_store_put_event(arc_store_t *store,
                                 const arc_store_event_row_t *row);
/* Not yet: no query reads request rows back. */
arc_status_t arc_store_put_request(arc_store_t *store,
                                   const arc_store_request_row_t *row);

/* A node row from a mesh node's live state (kind telemetry); a node up
 * but drained by an operator is recorded as draining. */
void arc_store_row_from_node(const arc_node_t *node, int64_t valid_us,
                             arc_store_node_row_t *out);

/*
 * Waits until every row accepted so far is committed. ARC_ERR_IO when
 * that did not happen within timeout_us (commits failing). For tests,
 * benchmarks and shutdown: this one waits.
 */
arc_status_t arc_store_flush(arc_store_t *store, int64_t timeout_us);

/* Counters, safe to read from any thread. */
typedef struct arc_store_stats {
    uint64_t accepted;      /* rows buffered */
    uint64_t filtered;      /* telemetry held back by the dead-band */
    uint64_t dropped;       /* rows refused: buffer full */
    uint64_t committed;     /* rows committed */
    uint64_t commits;       /* transactions committed */
    uint64_t failures;      /* commits that failed */
    bool failing;           /* the last commit failed */
} arc_store_stats_t;

void arc_store_stats(arc_store_t *store, arc_store_stats_t *out);

/* ---- queries (caller's thread, synchronous) --------------------------- */

/*
 * Every query takes `known_at_us`, the system time to answer as of
 * (INT64_MAX or 0: everything recorded), and writes a sentence to
 * err on failure. Bad times give ARC_ERR_INVALID: a valid time or
 * known_at in the future (past the configured clocks), from > to, a
 * step <= 0 or more than ARC_STORE_MAX_BUCKETS buckets.
 */
#define ARC_STORE_MAX_BUCKETS 100000

/*
 * The state of one node at valid time `valid_us` as known at
 * `known_at_us`: the row with the greatest valid time <= valid_us and,
 * among those, the greatest system time <= known_at_us. Falls back to
 * the minute aggregates for times past the raw window.
 * ARC_ERR_NOT_FOUND when the node has no such row (or is unknown).
 */
arc_status_t arc_store_node_at(arc_store_t *store, const char *node,
                               int64_t valid_us, int64_t known_at_us,
                               arc_store_node_row_t *out, char *err,
                               size_t errlen);

/*
 * The same for every node that has a row by then, ordered by node id.
 * *rows is malloc'd (NULL when *count is 0); the caller frees it.
 */
arc_status_t arc_store_mesh_at(arc_store_t *store, int64_t valid_us,
                               int64_t known_at_us,
                               arc_store_node_row_t **rows, size_t *count,
                               char *err, size_t errlen);

/*
 * The latest known row of every node (valid and system time
 * unbounded): what a restarting daemon reloads. Frees as above.
 */
arc_status_t arc_store_load_latest(arc_store_t *store,
                                   arc_store_node_row_t **rows,
                                   size_t *count, char *err,
                                   size_t errlen);

/* A time range, split into buckets [from + k*step, from + (k+1)*step). */
typedef struct arc_store_range {
    int64_t from_us;            /* inclusive */
    int64_t to_us;              /* exclusive */
    int64_t step_us;            /* bucket width (history queries) */
    int64_t known_at_us;        /* as known at; 0 or INT64_MAX: all */
} arc_store_range_t;

/* One bucket of a node's history: means over the rows in it. */
typedef struct arc_store_node_bucket {
    int64_t start_us;
    uint32_t samples;           /* rows in the bucket (minute rows: 1) */
    uint8_t status;             /* worst status seen (down > draining) */
    uint8_t energy_source;      /* highest-numbered source seen */
    uint16_t gpus_free_min;
    double gpu_util, battery_soc, power_kw, carbon_g_per_kwh;
} arc_store_node_bucket_t;

/*
 * A node's history, one entry per bucket that holds rows (a bucket
 * without rows is left out: the node's values stayed inside the
 * dead-band). Rows superseded by a correction known at known_at are
 * not counted. ARC_ERR_NOT_FOUND for an unknown node.
 */
arc_status_t arc_store_node_history(arc_store_t *store, const char *node,
                                    const arc_store_range_t *range,
                                    arc_store_node_bucket_t **out,
                                    size_t *count, char *err,
                                    size_t errlen);

/* One bucket of a zone's history: means over its summaries. */
typedef struct arc_store_zone_bucket {
    int64_t start_us;
    uint32_t samples;
    double nodes_up, gpu_util, power_kw, carbon_g_per_kwh;
    double power_by_source_kw[ARC_SOURCE_COUNT];
} arc_store_zone_bucket_t;

arc_status_t arc_store_zone_history(arc_store_t *store, arc_zone_t zone,
                                    const arc_store_range_t *range,
                                    arc_store_zone_bucket_t **out,
                                    size_t *count, char *err,
                                    size_t errlen);

/* Which events to return (masks: bit i for value i; 0 matches all). */
typedef struct arc_store_event_filter {
    uint32_t type_mask;
    uint32_t zone_mask;
    uint32_t severity_mask;
    const char *node;           /* exact node id; NULL or "": any */
    uint32_t limit;             /* 0: 10000 */
} arc_store_event_filter_t;

/* Events with valid time in [from, to), oldest first. */
arc_status_t arc_store_events(arc_store_t *store,
                              const arc_store_range_t *range,
                              const arc_store_event_filter_t *filter,
                              arc_store_event_row_t **out, size_t *count,
                              char *err, size_t errlen);

/* A node whose status or energy source differs between two times. */
typedef struct arc_store_change {
    char node[ARC_NODE_ID_MAX];
    bool existed_before;        /* false: first seen after `from` */
    uint8_t status_before, status_after;
    uint8_t source_before, source_after;
    int64_t valid_after_us;     /* valid time of the row seen at `to` */
} arc_store_change_t;

/*
 * Nodes whose status or source at valid time range->to_us differs from
 * that at range->from_us (both as known at range->known_at_us), by id.
 */
arc_status_t arc_store_changes(arc_store_t *store,
                               const arc_store_range_t *range,
                               arc_store_change_t **out, size_t *count,
                               char *err, size_t errlen);

/* ---- retention -------------------------------------------------------- */

/*
 * Folds raw node rows with valid time older than now_us - raw_keep_us
 * (rounded down to a minute) into per-minute aggregates (means; the
 * latest version of each valid time; worst status) and deletes them,
 * with zone summaries, events and requests older than that; deletes
 * minute aggregates older than now_us - minute_keep_us. Runs on the
 * caller's thread, in one transaction. *folded (may be NULL) gets the
 * number of raw node rows folded.
 */
arc_status_t arc_store_maintain(arc_store_t *store, int64_t now_us,
                                uint64_t *folded, char *err,
                                size_t errlen);

#endif
