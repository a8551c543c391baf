/*
 * kafka.c - the Kafka bus backend, through librdkafka: its handles and
 * their configuration, topics, and the producer. kafka_group.c holds
 * the consumer-group side.
 *
 * One idea: librdkafka does the hard parts (batching, retries,
 * idempotence, group membership) on its own threads; this backend keeps
 * every callback on the owner's thread by routing logs, errors,
 * delivery reports and rebalances through queues that only the owner
 * serves, inside arc_bus_poll.
 *
 * The producer is idempotent with acks=all (no loss, no duplicates from
 * retries) and holds at most `max_buffered` messages, for as long as it
 * takes unless `message_timeout_ms` says otherwise; past the bound
 * publish answers ARC_ERR_FULL. Topics are created when absent with the
 * configured partitions through the admin API.
 *
 * Threads: the bus's owner, plus librdkafka's internal threads that
 * never call back into ArcNet. Memory: the bus owns the producer, one
 * consumer handle per subscription and the topic handles.
 */
#include "bus/kafka_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRSTR_LEN     512
#define CLOSE_FLUSH_MS 5000

/* ---- callbacks (all served on the owner's thread) --------------------- */

static arc_bus_t *bus_of(rd_kafka_t *rk)
{
    void *opaque = rd_kafka_opaque(rk);

    if (rd_kafka_type(rk) == RD_KAFKA_CONSUMER)
        return ((member_t *)opaque)->bus;
    return opaque;
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf)
{
    arc_bus_t *bus = bus_of((rd_kafka_t *)rk);
    arc_bus_log_level_t lvl = level <= 3   ? ARC_BUS_LOG_ERROR
                              : level == 4 ? ARC_BUS_LOG_WARN
                                           : ARC_BUS_LOG_INFO;

    arc_bus_logf(bus, lvl, "librdkafka %s: %s", fac, buf);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__TRANSPORT)
        return; /* librdkafka's own log line already said it */
    arc_bus_logf(bus_of(rk), ARC_BUS_LOG_WARN, "kafka error=%s reason=\"%s\"",
                 rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg,
                        void *opaque)
{
    arc_bus_t *bus = opaque;
    kafka_t *k = bus->impl;

    (void)rk;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        bus->stats.acked++;
        return;
    }
    bus->stats.failed++;
    if (msg->err != k->last_dr_err)
        arc_bus_logf(
            bus, ARC_BUS_LOG_ERROR, "delivery failed topic=%s error=%s",
            rd_kafka_topic_name(msg->rkt), rd_kafka_err2name(msg->err));
    k->last_dr_err = msg->err;
}

/* ---- configuration ---------------------------------------------------- */

arc_status_t arc_bus_kafka_conf_set(arc_bus_t *bus, rd_kafka_conf_t *conf,
                                    const char *name, const char *value)
{
    char errstr[ERRSTR_LEN];

    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) ==
        RD_KAFKA_CONF_OK)
        return ARC_OK;
    arc_bus_logf(bus, ARC_BUS_LOG_ERROR, "kafka config refused %s=%s: %s", name,
                 value, errstr);
    return ARC_ERR_IO;
}

arc_status_t arc_bus_kafka_conf_set_int(arc_bus_t *bus, rd_kafka_conf_t *conf,
                                        const char *name, long long value)
{
    char text[32];

    snprintf(text, sizeof(text), "%lld", value);
    return arc_bus_kafka_conf_set(bus, conf, name, text);
}

/* What every handle shares: brokers, client id, logs on a queue. */
rd_kafka_conf_t *arc_bus_kafka_conf_common(arc_bus_t *bus, void *opaque)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    arc_status_t st;

    st = arc_bus_kafka_conf_set(bus, conf, "bootstrap.servers", bus->brokers);
    if (st == ARC_OK)
        st = arc_bus_kafka_conf_set(bus, conf, "client.id", bus->client_id);
    if (st == ARC_OK)
        st = arc_bus_kafka_conf_set(bus, conf, "log.queue", "true");
    if (st == ARC_OK) /* back within a second of a broker's return */
        st = arc_bus_kafka_conf_set(bus, conf, "reconnect.backoff.max.ms",
                                    "1000");
    if (st != ARC_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_log_cb(conf, on_log);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_opaque(conf, opaque);
    return conf;
}

/* Creates a handle from `conf` (consumed either way). */
rd_kafka_t *arc_bus_kafka_new_handle(arc_bus_t *bus, rd_kafka_type_t type,
                                     rd_kafka_conf_t *conf)
{
    char errstr[ERRSTR_LEN];
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));

    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        arc_bus_logf(bus, ARC_BUS_LOG_ERROR, "rd_kafka_new() failed: %s",
                     errstr);
        return NULL;
    }
    rd_kafka_set_log_queue(rk, NULL);
    return rk;
}

static arc_status_t kf_open(arc_bus_t *bus)
{
    kafka_t *k = calloc(1, sizeof(*k));
    rd_kafka_conf_t *conf =
        k != NULL ? arc_bus_kafka_conf_common(bus, bus) : NULL;
    arc_status_t st = conf != NULL ? ARC_OK : ARC_ERR_IO;

    if (st == ARC_OK)
        st = arc_bus_kafka_conf_set(bus, conf, "enable.idempotence", "true");
    if (st == ARC_OK)
        st = arc_bus_kafka_conf_set(bus, conf, "acks", "all");
    if (st == ARC_OK)
        st = arc_bus_kafka_conf_set_int(
            bus, conf, "queue.buffering.max.messages", bus->cfg.max_buffered);
    if (st == ARC_OK)
        st = arc_bus_kafka_conf_set_int(bus, conf, "linger.ms",
                                        bus->cfg.linger_ms);
    /* librdkafka's default (5 minutes) would drop what an outage longer
     * than that left in the buffer, well within its bound. */
    if (st == ARC_OK)
        st = arc_bus_kafka_conf_set_int(bus, conf, "message.timeout.ms",
                                        bus->cfg.message_timeout_ms);
    if (st == ARC_OK) {
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        bus->impl = k;
        k->producer = arc_bus_kafka_new_handle(bus, RD_KAFKA_PRODUCER, conf);
        conf = NULL;
        st = k->producer != NULL ? ARC_OK : ARC_ERR_IO;
    }
    if (conf != NULL)
        rd_kafka_conf_destroy(conf);
    if (st != ARC_OK) {
        free(k);
        bus->impl = NULL;
        return k == NULL ? ARC_ERR_NOMEM : st;
    }
    return ARC_OK;
}

static void kf_close(arc_bus_t *bus)
{
    kafka_t *k = bus->impl;

    if (rd_kafka_flush(k->producer, CLOSE_FLUSH_MS) != 0)
        arc_bus_logf(bus, ARC_BUS_LOG_WARN,
                     "closing with undelivered messages count=%d",
                     rd_kafka_outq_len(k->producer));
    for (uint32_t i = 0; i < k->known_count; i++)
        rd_kafka_topic_destroy(k->known[i].rkt);
    rd_kafka_destroy(k->producer);
    free(k);
}

/* ---- topics ----------------------------------------------------------- */

static known_topic_t *find_known(kafka_t *k, const char *topic)
{
    for (uint32_t i = 0; i < k->known_count; i++)
        if (strcmp(k->known[i].name, topic) == 0)
            return &k->known[i];
    return NULL;
}

/* Replicas for a new topic: as configured, else min(3, brokers). */
static int replicas(const arc_bus_t *bus, const struct rd_kafka_metadata *md)
{
    if (bus->cfg.replication > 0)
        return bus->cfg.replication;
    return md->broker_cnt < 3 ? md->broker_cnt : 3;
}

static bool topic_listed(const struct rd_kafka_metadata *md, const char *topic)
{
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0 &&
            md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
            return true;
    return false;
}

/* True when the controller the brokers name is one of them (brokers
 * without one, such as librdkafka's mock cluster, cannot create topics
 * through the admin API). */
static bool has_controller(rd_kafka_t *rk, const struct rd_kafka_metadata *md)
{
    int32_t id = rd_kafka_controllerid(rk, 0);

    for (int i = 0; i < md->broker_cnt; i++)
        if (md->brokers[i].id == id)
            return true;
    return false;
}

static arc_status_t create_result(arc_bus_t *bus, const char *topic,
                                  rd_kafka_event_t *ev)
{
    const rd_kafka_CreateTopics_result_t *res;
    const rd_kafka_topic_result_t **topics;
    size_t count = 0;
    rd_kafka_resp_err_t err = rd_kafka_event_error(ev);

    res = rd_kafka_event_CreateTopics_result(ev);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && res != NULL) {
        topics = rd_kafka_CreateTopics_result_topics(res, &count);
        err = count == 1 ? rd_kafka_topic_result_error(topics[0])
                         : RD_KAFKA_RESP_ERR__FAIL;
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR ||
        err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        return ARC_OK;
    arc_bus_logf(bus, ARC_BUS_LOG_ERROR,
                 "topic creation failed topic=%s error=%s", topic,
                 rd_kafka_err2name(err));
    return ARC_ERR_UNAVAILABLE;
}

static arc_status_t create_topic(arc_bus_t *bus, const char *topic,
                                 const struct rd_kafka_metadata *md,
                                 int timeout_ms)
{
    kafka_t *k = bus->impl;
    char errstr[ERRSTR_LEN];
    rd_kafka_NewTopic_t *nt = NULL;
    rd_kafka_AdminOptions_t *opts = NULL;
    rd_kafka_queue_t *q = NULL;
    rd_kafka_event_t *ev = NULL;
    arc_status_t st = ARC_ERR_UNAVAILABLE;

    nt = rd_kafka_NewTopic_new(topic, bus->cfg.partitions, replicas(bus, md),
                               errstr, sizeof(errstr));
    q = rd_kafka_queue_new(k->producer);
    opts =
        rd_kafka_AdminOptions_new(k->producer, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    if (nt == NULL || q == NULL || opts == NULL)
        goto out;
    if (bus->cfg.retention_ms > 0) {
        char ms[24];

        snprintf(ms, sizeof(ms), "%lld", (long long)bus->cfg.retention_ms);
        if (rd_kafka_NewTopic_set_config(nt, "retention.ms", ms) !=
            RD_KAFKA_RESP_ERR_NO_ERROR)
            goto out;
    }
    rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, errstr,
                                              sizeof(errstr));
    rd_kafka_CreateTopics(k->producer, &nt, 1, opts, q);
    ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
    if (ev != NULL)
        st = create_result(bus, topic, ev);
out:
    if (ev != NULL)
        rd_kafka_event_destroy(ev);
    if (opts != NULL)
        rd_kafka_AdminOptions_destroy(opts);
    if (q != NULL)
        rd_kafka_queue_destroy(q);
    if (nt != NULL)
        rd_kafka_NewTopic_destroy(nt);
    return st;
}

/*
 * Without a controller, asks for the topic's metadata from the producer,
 * which lets the brokers create it with their default partitions. (So
 * does merely naming a topic to the producer: topic handles are made
 * only after a topic exists, or creation through the admin API would
 * find it already made with the brokers' defaults.)
 */
static arc_status_t auto_create(arc_bus_t *bus, const char *topic,
                                int timeout_ms)
{
    kafka_t *k = bus->impl;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(k->producer, topic, NULL);
    rd_kafka_resp_err_t err;

    if (rkt == NULL)
        return ARC_ERR_NOMEM;

    /* Not yet: the configured partition count on such brokers. */
    if (!k->warned_auto)
        arc_bus_logf(bus, ARC_BUS_LOG_INFO,
                     "the brokers name no controller: topics are created "
                     "by the brokers' auto-creation, with their default "
                     "partitions");
    k->warned_auto = true;
    err = rd_kafka_metadata(k->producer, 0, rkt, &md, timeout_ms);
    rd_kafka_topic_destroy(rkt);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return ARC_ERR_UNAVAILABLE;
    rd_kafka_metadata_destroy(md);
    return ARC_OK;
}

/* Finds the topic, or creates it (admin API, else auto-creation). */
static arc_status_t ensure_topic(arc_bus_t *bus, const char *topic,
                                 int timeout_ms)
{
    kafka_t *k = bus->impl;
    const struct rd_kafka_metadata *md = NULL;
    arc_status_t st = ARC_OK;

    if (rd_kafka_metadata(k->producer, 1, NULL, &md, timeout_ms) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
        arc_bus_logf(bus, ARC_BUS_LOG_WARN, "no broker answered for topic=%s",
                     topic);
        return ARC_ERR_UNAVAILABLE;
    }
    if (topic_listed(md, topic)) {
        st = ARC_OK;
    } else if (has_controller(k->producer, md)) {
        st = create_topic(bus, topic, md, timeout_ms);
        if (st == ARC_OK)
            arc_bus_logf(bus, ARC_BUS_LOG_INFO,
                         "created topic=%s partitions=%d", topic,
                         (int)bus->cfg.partitions);
    } else {
        st = auto_create(bus, topic, timeout_ms);
    }
    rd_kafka_metadata_destroy(md);
    return st;
}

arc_status_t arc_bus_kafka_declare(arc_bus_t *bus, const char *topic,
                                   int timeout_ms)
{
    kafka_t *k = bus->impl;
    rd_kafka_topic_t *rkt;
    arc_status_t st;

    if (find_known(k, topic) != NULL)
        return ARC_OK;
    if (k->known_count == ARC_BUS_MAX_TOPICS)
        return ARC_ERR_FULL;
    st = ensure_topic(bus, topic, timeout_ms);
    if (st != ARC_OK)
        return st;
    rkt = rd_kafka_topic_new(k->producer, topic, NULL);
    if (rkt == NULL)
        return ARC_ERR_NOMEM;
    k->known[k->known_count].rkt = rkt;
    snprintf(k->known[k->known_count].name, ARC_BUS_TOPIC_MAX, "%s", topic);
    k->known_count++;
    return ARC_OK;
}

/* ---- producing -------------------------------------------------------- */

static arc_status_t kf_publish(arc_bus_t *bus, const char *topic,
                               const void *key, size_t key_len,
                               const void *value, size_t value_len)
{
    kafka_t *k = bus->impl;
    known_topic_t *kt = find_known(k, topic);
    int rc;

    if (kt == NULL) {
        /* Not yet: a topic first named while the brokers are away costs
         * a 10 s wait here and the message is lost, not held; declare
         * topics at start (the roles do). */
        arc_status_t st =
            arc_bus_kafka_declare(bus, topic, ARC_KAFKA_DECLARE_WAIT_MS);

        if (st != ARC_OK)
            return st;
        kt = find_known(k, topic);
    }
    rc = rd_kafka_produce(kt->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                          (void *)value, value_len, key, key_len, NULL);
    if (rc == 0)
        return ARC_OK;
    if (rd_kafka_last_error() == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        return ARC_ERR_FULL;
    arc_bus_logf(bus, ARC_BUS_LOG_ERROR, "produce failed topic=%s error=%s",
                 topic, rd_kafka_err2name(rd_kafka_last_error()));
    return ARC_ERR_IO;
}

static arc_status_t kf_flush(arc_bus_t *bus, int timeout_ms)
{
    kafka_t *k = bus->impl;

    if (rd_kafka_flush(k->producer, timeout_ms) != 0)
        return ARC_ERR_UNAVAILABLE;
    return ARC_OK;
}

static uint64_t kf_buffered(const arc_bus_t *bus)
{
    const arc_bus_stats_t *s = &bus->stats;

    return s->published - s->acked - s->failed;
}

const arc_bus_ops_t arc_bus_kafka_ops = {
    .name = "kafka",
    .open = kf_open,
    .close = kf_close,
    .declare = arc_bus_kafka_declare,
    .publish = kf_publish,
    .subscribe = arc_bus_kafka_subscribe,
    .unsubscribe = arc_bus_kafka_unsubscribe,
    .poll = arc_bus_kafka_poll,
    .flush = kf_flush,
    .buffered = kf_buffered,
};
