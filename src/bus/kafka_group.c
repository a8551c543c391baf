/*
 * kafka_group.c - the consumer-group side of the Kafka bus backend:
 * members, delivery to handlers, and commits.
 *
 * One idea: offsets are never committed automatically. Each member
 * keeps, per partition, the offset after the last message its handler
 * allowed to commit, and commits that list - asynchronously after each
 * poll, synchronously when partitions are revoked and when the member
 * leaves. A handler that asks for a retry makes the member seek its
 * partition back to that message, and every other partition of the
 * undelivered rest of the batch back to its first undelivered message.
 *
 * Threads: the bus's owner; rebalances are served inside its polls.
 * Memory: each member owns its consumer handle, queue and offset list.
 */
#include "bus/kafka_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_SLICE_MS 10
#define FETCH_BATCH   256

/* ---- committing ------------------------------------------------------- */

/* The entry of `applied` for a message's partition, added if new; the
 * last one found is remembered, as runs of one partition are common. */
static rd_kafka_topic_partition_t *applied_entry(member_t *m,
                                                 const rd_kafka_message_t *msg)
{
    const char *topic;
    rd_kafka_topic_partition_t *tp;

    if (m->last_rkt == msg->rkt && m->last_partition == msg->partition)
        return &m->applied->elems[m->last_index];
    topic = rd_kafka_topic_name(msg->rkt);
    tp = rd_kafka_topic_partition_list_find(m->applied, topic, msg->partition);
    if (tp == NULL)
        tp = rd_kafka_topic_partition_list_add(m->applied, topic,
                                               msg->partition);
    m->last_rkt = msg->rkt;
    m->last_partition = msg->partition;
    m->last_index = (int)(tp - m->applied->elems);
    return tp;
}

static void note_applied(member_t *m, const rd_kafka_message_t *msg)
{
    applied_entry(m, msg)->offset = msg->offset + 1;
    m->dirty = true;
}

static void commit(member_t *m, bool sync)
{
    rd_kafka_resp_err_t err;

    if (!m->dirty || m->applied->cnt == 0)
        return;
    err = rd_kafka_commit(m->rk, m->applied, sync ? 0 : 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        arc_bus_logf(m->bus, ARC_BUS_LOG_WARN,
                     "offset commit failed group=%s error=%s", m->sub->group,
                     rd_kafka_err2name(err));
    m->dirty = false;
}

/*
 * Revoked partitions: commit what was applied since the last commit,
 * then forget them. Offsets already sent by an asynchronous commit are
 * not sent again, so losing partitions while the brokers are away does
 * not wait on them.
 */
static void commit_revoked(member_t *m,
                           const rd_kafka_topic_partition_list_t *parts)
{
    commit(m, true);
    m->last_rkt = NULL;
    for (int i = 0; i < parts->cnt; i++)
        rd_kafka_topic_partition_list_del(m->applied, parts->elems[i].topic,
                                          parts->elems[i].partition);
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    member_t *m = opaque;

    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_assign(rk, parts);
        return;
    }
    commit_revoked(m, parts);
    rd_kafka_assign(rk, NULL);
}

/* ---- consuming -------------------------------------------------------- */

static rd_kafka_conf_t *consumer_conf(arc_bus_t *bus, member_t *m)
{
    rd_kafka_conf_t *conf = arc_bus_kafka_conf_common(bus, m);
    int session = bus->cfg.session_timeout_ms;
    arc_status_t st = conf != NULL ? ARC_OK : ARC_ERR_IO;

    if (st == ARC_OK)
        st = arc_bus_kafka_conf_set(bus, conf, "group.id", m->sub->group);
    if (st == ARC_OK)
        st = arc_bus_kafka_conf_set(bus, conf, "enable.auto.commit", "false");
    if (st == ARC_OK)
        st = arc_bus_kafka_conf_set(bus, conf, "enable.auto.offset.store",
                                    "false");
    if (st == ARC_OK)
        st = arc_bus_kafka_conf_set(bus, conf, "auto.offset.reset", "earliest");
    /* With a backlog, librdkafka 2.0 pauses fetching once this many
     * messages wait locally and resumes only at its next wake-up (about
     * 0.5 s later): at the default (100000) that cut a consumer catching
     * up to a quarter of its speed. Memory stays bounded by
     * queued.max.messages.kbytes (64 MiB). */
    if (st == ARC_OK)
        st =
            arc_bus_kafka_conf_set(bus, conf, "queued.min.messages", "1000000");
    if (st == ARC_OK)
        st = arc_bus_kafka_conf_set_int(bus, conf, "session.timeout.ms",
                                        session);
    if (st == ARC_OK)
        st =
            arc_bus_kafka_conf_set_int(bus, conf, "heartbeat.interval.ms",
                                       session / 3 < 3000 ? session / 3 : 3000);
    if (st != ARC_OK && conf != NULL) {
        rd_kafka_conf_destroy(conf);
        conf = NULL;
    }
    if (conf != NULL)
        rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    return conf;
}

static arc_status_t start_member(arc_bus_t *bus, member_t *m)
{
    rd_kafka_topic_partition_list_t *list;
    rd_kafka_resp_err_t err;
    rd_kafka_conf_t *conf = consumer_conf(bus, m);

    if (conf == NULL)
        return ARC_ERR_IO;
    m->rk = arc_bus_kafka_new_handle(bus, RD_KAFKA_CONSUMER, conf);
    if (m->rk == NULL)
        return ARC_ERR_IO;
    rd_kafka_poll_set_consumer(m->rk);
    m->queue = rd_kafka_queue_get_consumer(m->rk);
    if (m->queue == NULL)
        return ARC_ERR_IO;

    list = rd_kafka_topic_partition_list_new((int)m->sub->topic_count);
    for (size_t i = 0; i < m->sub->topic_count; i++)
        rd_kafka_topic_partition_list_add(list, m->sub->topics[i],
                                          RD_KAFKA_PARTITION_UA);
    err = rd_kafka_subscribe(m->rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return ARC_OK;
    arc_bus_logf(bus, ARC_BUS_LOG_ERROR, "subscribe failed group=%s: %s",
                 m->sub->group, rd_kafka_err2name(err));
    return ARC_ERR_IO;
}

static void free_member(member_t *m)
{
    if (m->queue != NULL)
        rd_kafka_queue_destroy(m->queue);
    if (m->rk != NULL)
        rd_kafka_destroy(m->rk);
    if (m->applied != NULL)
        rd_kafka_topic_partition_list_destroy(m->applied);
    free(m);
}

arc_status_t arc_bus_kafka_subscribe(arc_bus_t *bus, arc_bus_sub_t *sub)
{
    member_t *m = calloc(1, sizeof(*m));
    arc_status_t st = m != NULL ? ARC_OK : ARC_ERR_NOMEM;

    for (size_t i = 0; i < sub->topic_count && st == ARC_OK; i++)
        st = arc_bus_kafka_declare(bus, sub->topics[i],
                                   ARC_KAFKA_DECLARE_WAIT_MS);
    if (st == ARC_OK) {
        m->bus = bus;
        m->sub = sub;
        m->applied = rd_kafka_topic_partition_list_new(8);
        st = start_member(bus, m);
    }
    if (st != ARC_OK) {
        if (m != NULL)
            free_member(m);
        return st;
    }
    sub->impl = m;
    return ARC_OK;
}

void arc_bus_kafka_unsubscribe(arc_bus_t *bus, arc_bus_sub_t *sub)
{
    member_t *m = sub->impl;

    (void)bus;
    commit(m, true);
    rd_kafka_consumer_close(m->rk);
    free_member(m);
}

/* Sends the consumer back to a message its handler could not apply. */
static void seek_back(member_t *m, const rd_kafka_message_t *msg)
{
    rd_kafka_topic_partition_list_t *list;
    rd_kafka_error_t *error;

    list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, rd_kafka_topic_name(msg->rkt),
                                      msg->partition)
        ->offset = msg->offset;
    error = rd_kafka_seek_partitions(m->rk, list, 0);
    if (error != NULL) {
        arc_bus_logf(m->bus, ARC_BUS_LOG_WARN, "seek failed: %s",
                     rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    }
    rd_kafka_topic_partition_list_destroy(list);
}

/* Hands one fetched message to the handler; false after a retry. */
static bool handle_one(member_t *m, const rd_kafka_message_t *msg,
                       uint32_t *handled)
{
    arc_bus_msg_t out = {
        .topic = rd_kafka_topic_name(msg->rkt),
        .key = msg->key,
        .key_len = msg->key_len,
        .value = msg->payload,
        .value_len = msg->len,
        .partition = msg->partition,
        .offset = msg->offset,
    };

    (*handled)++;
    if (arc_bus_deliver(m->bus, m->sub, &out)) {
        note_applied(m, msg);
        return true;
    }
    seek_back(m, msg);
    return false;
}

/* True when `msg`'s partition is among the first `n` of `seen`. */
static bool seen_partition(rd_kafka_message_t *const *seen, size_t n,
                           const rd_kafka_message_t *msg)
{
    for (size_t i = 0; i < n; i++)
        if (seen[i]->rkt == msg->rkt && seen[i]->partition == msg->partition)
            return true;
    return false;
}

/*
 * After a retry answer the rest of a fetched batch is not delivered:
 * each partition it touches (other than those already sent back) is
 * sent back to its first undelivered message, so nothing is skipped.
 * `msgs[0]` is the message that asked for the retry.
 */
static void rewind_rest(member_t *m, rd_kafka_message_t **msgs, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (msgs[i]->err != RD_KAFKA_RESP_ERR_NO_ERROR ||
            seen_partition(msgs, i, msgs[i]))
            continue;
        seek_back(m, msgs[i]);
    }
}

/* Delivers one fetched batch; false after a retry answer. */
static bool deliver_batch(member_t *m, rd_kafka_message_t **msgs, size_t n,
                          uint32_t *handled)
{
    bool go_on = true;
    size_t i;

    for (i = 0; i < n && go_on; i++) {
        if (msgs[i]->err == RD_KAFKA_RESP_ERR_NO_ERROR)
            go_on = handle_one(m, msgs[i], handled);
        else if (msgs[i]->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            arc_bus_logf(m->bus, ARC_BUS_LOG_WARN,
                         "consume error group=%s error=%s", m->sub->group,
                         rd_kafka_err2name(msgs[i]->err));
    }
    if (!go_on)
        rewind_rest(m, msgs + i - 1, n - i + 1);
    for (size_t j = 0; j < n; j++)
        rd_kafka_message_destroy(msgs[j]);
    return go_on;
}

/*
 * Delivers a member's ready messages, fetched from its queue in batches
 * (one queue operation per batch, not per message); waits `wait_ms`
 * for the first batch.
 */
static void drain(member_t *m, int wait_ms, uint32_t max, uint32_t *handled)
{
    rd_kafka_message_t *msgs[FETCH_BATCH];

    while (*handled < max) {
        size_t want =
            max - *handled < FETCH_BATCH ? max - *handled : FETCH_BATCH;
        ssize_t n = rd_kafka_consume_batch_queue(m->queue, wait_ms, msgs, want);

        if (n <= 0)
            return;
        wait_ms = 0;
        if (!deliver_batch(m, msgs, (size_t)n, handled))
            return;
    }
}

static int count_subs(const arc_bus_t *bus)
{
    int n = 0;

    for (const arc_bus_sub_t *s = bus->subs; s != NULL; s = s->next)
        n++;
    return n;
}

/* Waits up to timeout_ms for any member to deliver something. */
static void wait_any(arc_bus_t *bus, int timeout_ms, uint32_t max,
                     uint32_t *handled)
{
    int subs = count_subs(bus);
    int64_t deadline = arc_now_us() + timeout_ms * ARC_US_PER_MS;
    int slice = subs == 1 ? timeout_ms : WAIT_SLICE_MS;

    while (*handled == 0 && arc_now_us() < deadline) {
        for (arc_bus_sub_t *s = bus->subs; s != NULL; s = s->next)
            drain(s->impl, slice, max, handled);
        if (subs == 1)
            break;
    }
}

void arc_bus_kafka_poll(arc_bus_t *bus, int timeout_ms, uint32_t max,
                        uint32_t *handled)
{
    kafka_t *k = bus->impl;

    if (bus->subs == NULL) {
        rd_kafka_poll(k->producer, timeout_ms);
        return;
    }
    rd_kafka_poll(k->producer, 0);
    for (arc_bus_sub_t *s = bus->subs; s != NULL; s = s->next)
        drain(s->impl, 0, max, handled);
    if (*handled == 0 && timeout_ms > 0)
        wait_any(bus, timeout_ms, max, handled);
    for (arc_bus_sub_t *s = bus->subs; s != NULL; s = s->next)
        commit(s->impl, false);
}
