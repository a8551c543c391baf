/*
 * bus.h - the message bus between the parts of ArcNet: publish bytes to
 * a topic under a key, subscribe to topics in a consumer group, and
 * receive messages when the owner polls.
 *
 * One idea: delivery is pulled, never pushed. Nothing happens behind the
 * owner's back: handlers run inside arc_bus_poll on the owner's thread
 * (the event loop), so they may touch the live state without locks. A
 * handler's answer decides the commit: a message counts as consumed by
 * its group only once its handler has applied it (or found it can never
 * be applied), so a consumer that stops and starts again resumes after
 * the last applied message and loses nothing; it may see a message
 * twice, which telemetry's per-node sequence numbers make harmless.
 *
 * Two backends behind one interface:
 *   "inproc"            one bounded ring per topic in this process (the
 *                       embedded default; one partition per topic);
 *   "kafka://h:p,h:p"   Kafka through librdkafka: idempotent producer
 *                       with acks=all and a bounded buffer, topics
 *                       created when absent, consumer groups with
 *                       offsets committed after apply.
 *
 * Threads: one thread owns a bus and calls every function here (the
 * Kafka backend runs librdkafka's own threads inside, unseen). Memory:
 * the bus copies what is published; a message handed to a handler is
 * valid only during the call.
 */
#ifndef ARC_BUS_H
#define ARC_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arc.h"

/* The topics ArcNet uses (docs/protocol/topics.md). */
#define ARC_TOPIC_TELEMETRY      "arcnet.telemetry"    /* key: node id */
#define ARC_TOPIC_EVENTS         "arcnet.events"       /* key: zone */
#define ARC_TOPIC_INFERENCE      "arcnet.inference"    /* key: request id */
#define ARC_TOPIC_ZONE_SUMMARY   "arcnet.zone-summary" /* key: zone */
#define ARC_TOPIC_BRIDGE_INGRESS "ornl.bridge.ingress"

#define ARC_BUS_TOPIC_MAX  128 /* longest topic name, NUL included */
#define ARC_BUS_MAX_TOPICS 32  /* topics one bus (or subscription) knows */

typedef struct arc_bus arc_bus_t;
typedef struct arc_bus_sub arc_bus_sub_t;

/* One message handed to a handler; valid only during the call. */
typedef struct arc_bus_msg {
    const char *topic;
    const uint8_t *key; /* NULL when published without a key */
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
    int32_t partition; /* 0 for inproc */
    int64_t offset;    /* position in the partition, from 0 */
} arc_bus_msg_t;

/*
 * Applies one message. What it returns decides the commit:
 *   ARC_OK             applied: committed;
 *   ARC_ERR_DUPLICATE  already applied: committed;
 *   ARC_ERR_INVALID,
 *   ARC_ERR_NOT_FOUND  can never be applied (malformed, unknown node):
 *                      committed, so the consumer moves past it;
 *   anything else      not applied for now (ARC_ERR_FULL, ARC_ERR_IO,
 *                      ...): not committed; the same message comes
 *                      again at a later poll, and nothing after it in
 *                      its partition is delivered before it.
 * A handler must not subscribe, unsubscribe or close the bus; it may
 * publish.
 */
typedef arc_status_t (*arc_bus_handler_fn)(void *ctx, const arc_bus_msg_t *msg);

/* Levels of the bus's log lines. */
typedef enum arc_bus_log_level {
    ARC_BUS_LOG_INFO = 0,
    ARC_BUS_LOG_WARN,
    ARC_BUS_LOG_ERROR
} arc_bus_log_level_t;

/* Receives one log line (no newline). NULL in a config: stderr. */
typedef void (*arc_bus_log_fn)(void *ctx, arc_bus_log_level_t level,
                               const char *line);

typedef struct arc_bus_config {
    const char *url;            /* "inproc" (also NULL or "") or
                                   "kafka://host:port[,host:port...]" */
    uint32_t ring_capacity;     /* inproc: messages kept per topic
                                   (default 65536) */
    uint32_t max_buffered;      /* kafka: messages the producer may
                                   hold unacknowledged
                                   (queue.buffering.max.messages,
                                   default 100000) */
    int32_t partitions;         /* kafka: partitions of topics this
                                   bus creates (default 3) */
    int32_t replication;        /* kafka: replicas of created topics;
                                   0: min(3, brokers) */
    int64_t retention_ms;       /* kafka: retention.ms of created topics;
                                   0: the brokers' default */
    int32_t message_timeout_ms; /* kafka: how long the producer may
                                   hold a message before it gives up on
                                   it (message.timeout.ms); 0, the
                                   default: never, so during an outage
                                   only max_buffered bounds what is
                                   held */
    int32_t session_timeout_ms; /* kafka consumers (default 10000) */
    int32_t linger_ms;          /* kafka producer batching wait
                                   (default 5) */
    const char *client_id;      /* default "arcnet" */
    arc_bus_log_fn log;         /* NULL: stderr */
    void *log_ctx;
} arc_bus_config_t;

/* Fills the defaults above with url "inproc". */
void arc_bus_config_default(arc_bus_config_t *cfg);

/*
 * Opens a bus. ARC_ERR_INVALID for a url of no known scheme or an empty
 * broker list; ARC_ERR_IO when librdkafka refuses its configuration;
 * ARC_ERR_NOMEM. Opening a Kafka bus does not wait for the brokers.
 */
arc_status_t arc_bus_open(const arc_bus_config_t *cfg, arc_bus_t **out);

/*
 * Commits what was applied, leaves every group, flushes what the
 * producer holds (waiting up to 5 s; messages still undelivered then
 * are dropped, with a warning), frees everything. NULL is a no-op.
 */
void arc_bus_close(arc_bus_t *bus);

/* "inproc" or "kafka". */
const char *arc_bus_backend(const arc_bus_t *bus);

/*
 * Makes sure a topic exists (Kafka: creates it with the configured
 * partitions when absent, waiting up to `timeout_ms`). Publish and
 * subscribe call it on a topic's first use; call it at start to keep
 * that wait off the hot path. ARC_ERR_UNAVAILABLE when the brokers did
 * not answer in time, ARC_ERR_INVALID for a bad name.
 */
arc_status_t arc_bus_declare(arc_bus_t *bus, const char *topic, int timeout_ms);

/*
 * Publishes a copy of `value` (and of `key`, which may be NULL) to
 * `topic`. Messages with the same key keep their order. ARC_ERR_FULL
 * when the producer's buffer (Kafka) or the topic's ring (inproc, when
 * a subscribed group has not consumed its oldest message) is full: poll
 * and try again. ARC_ERR_INVALID for a bad topic.
 */
arc_status_t arc_bus_publish(arc_bus_t *bus, const char *topic, const void *key,
                             size_t key_len, const void *value,
                             size_t value_len);

/*
 * Subscribes `handler` to `topic_count` topics as a member of `group`.
 * Delivery starts at the group's committed position (the oldest message
 * kept when the group has none). A bus may hold several subscriptions;
 * each is its own group member. Inproc allows one live member per group
 * and topic (ARC_ERR_DUPLICATE otherwise). *out is owned by the bus
 * until arc_bus_unsubscribe or arc_bus_close.
 */
arc_status_t arc_bus_subscribe(arc_bus_t *bus, const char *const *topics,
                               size_t topic_count, const char *group,
                               arc_bus_handler_fn handler, void *ctx,
                               arc_bus_sub_t **out);

/* Commits what the member applied, leaves the group, frees it. */
void arc_bus_unsubscribe(arc_bus_t *bus, arc_bus_sub_t *sub);

/*
 * Serves the bus: producer acknowledgements, then up to `max` messages
 * to the handlers, committing what they applied. Waits up to
 * `timeout_ms` for a first message when none is ready (0: never waits).
 * Writes how many messages were handed to handlers to *handled (may be
 * NULL). ARC_OK, or ARC_ERR_INVALID for bad arguments.
 */
arc_status_t arc_bus_poll(arc_bus_t *bus, int timeout_ms, uint32_t max,
                          uint32_t *handled);

/*
 * Waits up to `timeout_ms` until the producer holds nothing
 * unacknowledged. ARC_ERR_UNAVAILABLE when time ran out.
 */
arc_status_t arc_bus_flush(arc_bus_t *bus, int timeout_ms);

/* Counters of a bus since it opened. */
typedef struct arc_bus_stats {
    uint64_t published;   /* accepted by arc_bus_publish */
    uint64_t acked;       /* acknowledged by the brokers (inproc: stored) */
    uint64_t failed;      /* kafka: delivery failed for good */
    uint64_t buffered;    /* held by the producer, not yet acknowledged */
    uint64_t refused;     /* arc_bus_publish answered ARC_ERR_FULL */
    uint64_t handled;     /* handed to handlers */
    uint64_t committed;   /* handler answers that allowed a commit */
    uint64_t retried;     /* handler answers that asked for redelivery */
    uint64_t overwritten; /* inproc: dropped from a full ring before an
                             idle group had consumed them */
} arc_bus_stats_t;

void arc_bus_stats(const arc_bus_t *bus, arc_bus_stats_t *out);

/* The counters of one subscription (handled, committed, retried). */
void arc_bus_sub_stats(const arc_bus_sub_t *sub, arc_bus_stats_t *out);

/* True when a handler answer allows the offset to be committed. */
bool arc_bus_answer_commits(arc_status_t answer);

#endif
