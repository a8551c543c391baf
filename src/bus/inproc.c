/*
 * inproc.c - the in-process bus backend: one bounded ring per topic and
 * one committed position per consumer group, all in this process.
 *
 * One idea: a topic is a single partition held in a ring of
 * `ring_capacity` slots, numbered by offsets that only grow. A group's
 * position is the offset of the next message it has not applied; it
 * moves only when the handler's answer allows a commit, exactly as the
 * Kafka backend's committed offsets do. When the ring is full the
 * oldest message is dropped - unless a live member has not applied it
 * yet, in which case publish answers ARC_ERR_FULL (back-pressure, not
 * loss). A group with no live member is like a stopped consumer: it
 * may lose messages to the ring (counted as overwritten) and resumes at
 * the oldest kept.
 *
 * Nothing can arrive while the owner waits (the owner is the only
 * publisher), so poll never sleeps. Threads: the bus's owner. Memory:
 * each slot keeps a buffer that grows to the largest message it held and
 * is reused, so steady-state publishing allocates nothing.
 */
#include "bus/bus_impl.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
    uint8_t *buf; /* key bytes, then value bytes */
    size_t cap;
    size_t key_len;
    size_t value_len;
    bool has_key;
} slot_t;

typedef struct group_pos {
    char name[ARC_BUS_GROUP_MAX];
    uint64_t next; /* first offset not yet applied */
    bool live;     /* a member is subscribed now */
} group_pos_t;

typedef struct topic {
    char name[ARC_BUS_TOPIC_MAX];
    slot_t *ring;
    uint32_t cap;
    uint64_t head; /* offset the next message gets */
    uint64_t tail; /* oldest offset kept */
    group_pos_t *groups;
    uint32_t group_count;
} topic_t;

typedef struct inproc {
    topic_t *topics[ARC_BUS_MAX_TOPICS];
    uint32_t count;
} inproc_t;

/* A member: for each of its topics, the topic and its group's slot. */
typedef struct member {
    topic_t *topic[ARC_BUS_MAX_TOPICS];
    uint32_t group[ARC_BUS_MAX_TOPICS];
} member_t;

static arc_status_t ip_open(arc_bus_t *bus)
{
    bus->impl = calloc(1, sizeof(inproc_t));
    return bus->impl != NULL ? ARC_OK : ARC_ERR_NOMEM;
}

static void topic_free(topic_t *t)
{
    for (uint32_t i = 0; i < t->cap; i++)
        free(t->ring[i].buf);
    free(t->ring);
    free(t->groups);
    free(t);
}

static void ip_close(arc_bus_t *bus)
{
    inproc_t *ip = bus->impl;

    for (uint32_t i = 0; i < ip->count; i++)
        topic_free(ip->topics[i]);
    free(ip);
}

static arc_status_t find_topic(arc_bus_t *bus, const char *name, topic_t **out)
{
    inproc_t *ip = bus->impl;
    topic_t *t;

    for (uint32_t i = 0; i < ip->count; i++) {
        if (strcmp(ip->topics[i]->name, name) == 0) {
            *out = ip->topics[i];
            return ARC_OK;
        }
    }
    if (ip->count == ARC_BUS_MAX_TOPICS)
        return ARC_ERR_FULL;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return ARC_ERR_NOMEM;
    t->ring = calloc(bus->cfg.ring_capacity, sizeof(slot_t));
    if (t->ring == NULL) {
        free(t);
        return ARC_ERR_NOMEM;
    }
    t->cap = bus->cfg.ring_capacity;
    memcpy(t->name, name, strlen(name) + 1);
    ip->topics[ip->count++] = t;
    *out = t;
    return ARC_OK;
}

static arc_status_t ip_declare(arc_bus_t *bus, const char *topic,
                               int timeout_ms)
{
    topic_t *t;

    (void)timeout_ms;
    return find_topic(bus, topic, &t);
}

/* Makes room for one more message: ARC_ERR_FULL when a live member
 * still needs the oldest. */
static arc_status_t make_room(arc_bus_t *bus, topic_t *t)
{
    bool lost = false;

    if (t->head - t->tail < t->cap)
        return ARC_OK;
    for (uint32_t i = 0; i < t->group_count; i++) {
        if (t->groups[i].next > t->tail)
            continue;
        if (t->groups[i].live)
            return ARC_ERR_FULL;
        lost = true;
    }
    if (lost)
        bus->stats.overwritten++;
    t->tail++;
    return ARC_OK;
}

static arc_status_t store(slot_t *s, const void *key, size_t key_len,
                          const void *value, size_t value_len)
{
    size_t need = key_len + value_len;

    if (need > s->cap) {
        uint8_t *buf = realloc(s->buf, need);

        if (buf == NULL)
            return ARC_ERR_NOMEM;
        s->buf = buf;
        s->cap = need;
    }
    if (key_len > 0)
        memcpy(s->buf, key, key_len);
    if (value_len > 0)
        memcpy(s->buf + key_len, value, value_len);
    s->has_key = key != NULL;
    s->key_len = key_len;
    s->value_len = value_len;
    return ARC_OK;
}

static arc_status_t ip_publish(arc_bus_t *bus, const char *topic,
                               const void *key, size_t key_len,
                               const void *value, size_t value_len)
{
    topic_t *t = NULL;
    arc_status_t st = find_topic(bus, topic, &t);

    if (st == ARC_OK)
        st = make_room(bus, t);
    if (st == ARC_OK)
        st = store(&t->ring[t->head % t->cap], key, key_len, value, value_len);
    if (st != ARC_OK)
        return st;
    t->head++;
    bus->stats.acked++;
    return ARC_OK;
}

/* The group's slot in a topic, added (at the oldest kept) if new. */
static arc_status_t join_group(topic_t *t, const char *group, uint32_t *index)
{
    group_pos_t *g;

    for (uint32_t i = 0; i < t->group_count; i++) {
        if (strcmp(t->groups[i].name, group) != 0)
            continue;
        /* Not yet: members sharing a group's work; with one partition
         * per topic a group has one reader here. */
        if (t->groups[i].live)
            return ARC_ERR_DUPLICATE;
        *index = i;
        return ARC_OK;
    }
    g = realloc(t->groups, (t->group_count + 1) * sizeof(*g));
    if (g == NULL)
        return ARC_ERR_NOMEM;
    t->groups = g;
    g = &t->groups[t->group_count];
    memset(g, 0, sizeof(*g));
    memcpy(g->name, group, strlen(group) + 1);
    g->next = t->tail;
    *index = t->group_count++;
    return ARC_OK;
}

static arc_status_t ip_subscribe(arc_bus_t *bus, arc_bus_sub_t *sub)
{
    member_t *m = calloc(1, sizeof(*m));
    arc_status_t st = m != NULL ? ARC_OK : ARC_ERR_NOMEM;
    size_t i;

    for (i = 0; i < sub->topic_count && st == ARC_OK; i++) {
        st = find_topic(bus, sub->topics[i], &m->topic[i]);
        if (st == ARC_OK)
            st = join_group(m->topic[i], sub->group, &m->group[i]);
        if (st == ARC_OK)
            m->topic[i]->groups[m->group[i]].live = true;
    }
    if (st != ARC_OK && m != NULL) {
        for (size_t j = 0; j + 1 < i; j++)
            m->topic[j]->groups[m->group[j]].live = false;
        free(m);
        return st;
    }
    sub->impl = m;
    return st;
}

static void ip_unsubscribe(arc_bus_t *bus, arc_bus_sub_t *sub)
{
    member_t *m = sub->impl;

    (void)bus;
    for (size_t i = 0; i < sub->topic_count; i++)
        m->topic[i]->groups[m->group[i]].live = false;
    free(m);
}

/* Delivers one topic's messages to a member until `max` or a retry. */
static void drain(arc_bus_t *bus, arc_bus_sub_t *sub, size_t i, uint32_t max,
                  uint32_t *handled)
{
    member_t *m = sub->impl;
    topic_t *t = m->topic[i];
    group_pos_t *g = &t->groups[m->group[i]];

    if (g->next < t->tail)
        g->next = t->tail;
    while (g->next < t->head && *handled < max) {
        const slot_t *s = &t->ring[g->next % t->cap];
        arc_bus_msg_t msg = {
            .topic = t->name,
            .key = s->has_key ? s->buf : NULL,
            .key_len = s->key_len,
            .value = s->buf + s->key_len,
            .value_len = s->value_len,
            .partition = 0,
            .offset = (int64_t)g->next,
        };

        (*handled)++;
        if (!arc_bus_deliver(bus, sub, &msg))
            break;
        g->next++;
    }
}

static void ip_poll(arc_bus_t *bus, int timeout_ms, uint32_t max,
                    uint32_t *handled)
{
    (void)timeout_ms;
    for (arc_bus_sub_t *sub = bus->subs; sub != NULL; sub = sub->next)
        for (size_t i = 0; i < sub->topic_count; i++)
            drain(bus, sub, i, max, handled);
}

static arc_status_t ip_flush(arc_bus_t *bus, int timeout_ms)
{
    (void)bus;
    (void)timeout_ms;
    return ARC_OK;
}

static uint64_t ip_buffered(const arc_bus_t *bus)
{
    (void)bus;
    return 0;
}

const arc_bus_ops_t arc_bus_inproc_ops = {
    .name = "inproc",
    .open = ip_open,
    .close = ip_close,
    .declare = ip_declare,
    .publish = ip_publish,
    .subscribe = ip_subscribe,
    .unsubscribe = ip_unsubscribe,
    .poll = ip_poll,
    .flush = ip_flush,
    .buffered = ip_buffered,
};
