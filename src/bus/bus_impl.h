/*
 * bus_impl.h - what the bus front (bus.c) and its backends (inproc.c,
 * kafka.c) share: the bus and subscription structs and the table of
 * operations each backend fills. Not for use outside src/bus/.
 *
 * One idea: bus.c checks arguments, keeps the counters and calls the
 * handlers (arc_bus_deliver); a backend only stores, fetches and commits.
 * Threads and memory: as bus.h; a backend owns what hangs off `impl`.
 */
#ifndef ARC_BUS_IMPL_H
#define ARC_BUS_IMPL_H

#include "bus/bus.h"

#define ARC_BUS_GROUP_MAX 128

typedef struct arc_bus_ops {
    const char *name;
    arc_status_t (*open)(arc_bus_t *bus);
    void (*close)(arc_bus_t *bus);
    arc_status_t (*declare)(arc_bus_t *bus, const char *topic, int timeout_ms);
    arc_status_t (*publish)(arc_bus_t *bus, const char *topic, const void *key,
                            size_t key_len, const void *value,
                            size_t value_len);
    arc_status_t (*subscribe)(arc_bus_t *bus, arc_bus_sub_t *sub);
    void (*unsubscribe)(arc_bus_t *bus, arc_bus_sub_t *sub);
    /* Delivers up to `max` messages; adds their count to *handled. */
    void (*poll)(arc_bus_t *bus, int timeout_ms, uint32_t max,
                 uint32_t *handled);
    arc_status_t (*flush)(arc_bus_t *bus, int timeout_ms);
    uint64_t (*buffered)(const arc_bus_t *bus);
} arc_bus_ops_t;

struct arc_bus_sub {
    arc_bus_sub_t *next;
    char group[ARC_BUS_GROUP_MAX];
    char topics[ARC_BUS_MAX_TOPICS][ARC_BUS_TOPIC_MAX];
    size_t topic_count;
    arc_bus_handler_fn handler;
    void *ctx;
    arc_bus_stats_t stats;
    void *impl; /* the backend's member state */
};

struct arc_bus {
    const arc_bus_ops_t *ops;
    arc_bus_config_t cfg; /* url and client_id point at the copies */
    char *url;            /* copy of cfg.url */
    char *client_id;      /* copy of cfg.client_id */
    const char *brokers;  /* kafka: the part of url after the scheme */
    arc_bus_stats_t stats;
    arc_bus_sub_t *subs; /* live subscriptions, newest first */
    void *impl;          /* the backend's state */
};

extern const arc_bus_ops_t arc_bus_inproc_ops;
extern const arc_bus_ops_t arc_bus_kafka_ops;

/*
 * Hands one message to a subscription's handler and counts the answer.
 * Returns true when the answer allows a commit.
 */
bool arc_bus_deliver(arc_bus_t *bus, arc_bus_sub_t *sub,
                     const arc_bus_msg_t *msg);

/* Writes one log line through the configured log function. */
void arc_bus_logf(const arc_bus_t *bus, arc_bus_log_level_t level,
                  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* True for a legal topic name: 1..ARC_BUS_TOPIC_MAX-1 characters of
 * [A-Za-z0-9._-]. */
bool arc_bus_topic_valid(const char *topic);

#endif
