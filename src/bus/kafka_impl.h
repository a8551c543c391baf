/*
 * kafka_impl.h - what the two halves of the Kafka backend share: the
 * producer side (kafka.c: handles, configuration, topics, publishing)
 * and the group side (kafka_group.c: members, commits, delivery). Not
 * for use outside src/bus/kafka*.c.
 *
 * Threads and memory: as kafka.c says.
 */
#ifndef ARC_BUS_KAFKA_IMPL_H
#define ARC_BUS_KAFKA_IMPL_H

#include <librdkafka/rdkafka.h>

#include "bus/bus_impl.h"

#define ARC_KAFKA_DECLARE_WAIT_MS 10000 /* topic lookup and creation */

/* A topic found or created, with the producer's handle for it. */
typedef struct known_topic {
    char name[ARC_BUS_TOPIC_MAX];
    rd_kafka_topic_t *rkt;
} known_topic_t;

/* The backend's state (arc_bus_t.impl). */
typedef struct kafka {
    rd_kafka_t *producer;                    /* also runs admin requests */
    known_topic_t known[ARC_BUS_MAX_TOPICS]; /* topics that exist */
    uint32_t known_count;
    rd_kafka_resp_err_t last_dr_err; /* last delivery failure logged */
    bool warned_auto;                /* auto-creation was announced */
} kafka_t;

/* One group member (arc_bus_sub_t.impl). */
typedef struct member {
    arc_bus_t *bus;                           /* its bus */
    arc_bus_sub_t *sub;                       /* its subscription */
    rd_kafka_t *rk;                           /* its consumer handle */
    rd_kafka_queue_t *queue;                  /* the consumer's queue */
    rd_kafka_topic_partition_list_t *applied; /* next offset to commit */
    const rd_kafka_topic_t *last_rkt;         /* entry found last ... */
    int32_t last_partition;                   /* ... for this partition */
    int last_index;                           /* ... at this index */
    bool dirty;                               /* applied not committed */
} member_t;

/* Sets one librdkafka property; logs and answers ARC_ERR_IO if refused. */
arc_status_t arc_bus_kafka_conf_set(arc_bus_t *bus, rd_kafka_conf_t *conf,
                                    const char *name, const char *value);
arc_status_t arc_bus_kafka_conf_set_int(arc_bus_t *bus, rd_kafka_conf_t *conf,
                                        const char *name, long long value);

/*
 * A configuration with what every handle shares (brokers, client id,
 * logs and errors served on the owner's thread); `opaque` is the bus for
 * the producer, the member for a consumer. NULL when refused.
 */
rd_kafka_conf_t *arc_bus_kafka_conf_common(arc_bus_t *bus, void *opaque);

/* A handle made from `conf` (consumed either way); NULL on failure. */
rd_kafka_t *arc_bus_kafka_new_handle(arc_bus_t *bus, rd_kafka_type_t type,
                                     rd_kafka_conf_t *conf);

/* The declare operation (bus.h: arc_bus_declare). */
arc_status_t arc_bus_kafka_declare(arc_bus_t *bus, const char *topic,
                                   int timeout_ms);

/* The group operations (bus.h: subscribe, unsubscribe, poll). */
arc_status_t arc_bus_kafka_subscribe(arc_bus_t *bus, arc_bus_sub_t *sub);
void arc_bus_kafka_unsubscribe(arc_bus_t *bus, arc_bus_sub_t *sub);
void arc_bus_kafka_poll(arc_bus_t *bus, int timeout_ms, uint32_t max,
                        uint32_t *handled);

#endif
