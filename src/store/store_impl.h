/*
 * store_impl.h - the store's insides, shared by its files: the handle,
 * the buffered item, and the functions one file calls in another.
 *
 * store.c owns the handle, the buffers and the writer thread;
 * store_write.c turns a batch into one transaction, runs migrations and
 * retention; store_query.c answers queries. Not for use outside
 * src/store/.
 */
#ifndef ARC_STORE_IMPL_H
#define ARC_STORE_IMPL_H

#include <pthread.h>

#include "store/deadband.h"
#include "store/driver.h"
#include "store/nodemap.h"
#include "store/store.h"

typedef enum item_type {
    ITEM_NODE = 0,
    ITEM_ZONE,
    ITEM_EVENT,
    ITEM_REQUEST
} item_type_t;

/* One buffered row. */
typedef struct arc_store_item {
    uint8_t type; /* item_type_t */
    union {
        arc_store_node_row_t node;
        arc_store_zone_row_t zone;
        arc_store_event_row_t event;
        arc_store_request_row_t request;
    } u;
} arc_store_item_t;

/* Prepared statements of the writer's connection. */
enum { WST_NODE_ID = 0, WST_ZONE, WST_EVENT, WST_REQUEST, WST_COUNT };

/* Cached statements of the query connection. */
enum {
    QST_NODE_AT = 0,
    QST_NODE_AT_MINUTE,
    QST_MESH_AT,
    QST_MESH_AT_MINUTE,
    QST_NODE_ID,
    QST_NODE_HISTORY,
    QST_ZONE_HISTORY,
    QST_EVENTS,
    QST_COUNT
};

struct arc_store {
    const arc_store_driver_t *drv;
    char target[1024];
    arc_store_config_t cfg;

    /* owner thread */
    arc_deadband_t *deadband;
    int64_t last_stamp;         /* last system time handed out */

    /* shared, under mu */
    pthread_mutex_t mu;
    pthread_cond_t wake;        /* the writer waits on it */
    pthread_cond_t idle;        /* flush waits on it */
    arc_store_item_t *fill;     /* the owner appends here */
    size_t fill_n;
    size_t cap;
    bool stopping;
    bool flush_req;
    int64_t latest_valid_us;    /* greatest valid time accepted */
    arc_store_stats_t stats;
    uint64_t lost;
    uint64_t dropped_reported;

    /* writer thread */
    pthread_t thread;
    bool thread_started;
    arc_store_item_t *drain;    /* the batch being written */
    size_t drain_n;
    arc_sdb_t *wdb;
    arc_sstmt_t *wst[WST_COUNT];
    arc_nodemap_t *ids;         /* node id -> int64_t database id */
    arc_store_node_row_t *rows; /* scratch: the batch's node rows */
    int64_t *row_ids;
    int64_t last_maintain_us;

    /* query caller's thread */
    arc_sdb_t *qdb;
    arc_sstmt_t *qst[QST_COUNT];
};

/* store_write.c */

/* Creates schema_version and applies missing migrations. */
arc_status_t arc_store_migrate(arc_store_t *s, arc_sdb_t *db, char *err,
                               size_t errlen);

/* Writes items in one transaction on the writer's connection (which it
 * opens when needed). On failure rolls back, drops the connection and
 * writes a sentence to err. */
arc_status_t arc_store_write_batch(arc_store_t *s,
                                   const arc_store_item_t *items, size_t n,
                                   char *err, size_t errlen);

/* Drops the writer's statements and connection. */
void arc_store_writer_disconnect(arc_store_t *s);

/* Retention on connection db, in one transaction. */
arc_status_t arc_store_maintain_on(arc_store_t *s, arc_sdb_t *db,
                                   int64_t now_us, uint64_t *folded,
                                   char *err, size_t errlen);

/* store_query.c */

/* Drops the query connection's statements and the connection. */
void arc_store_query_disconnect(arc_store_t *s);

#endif
