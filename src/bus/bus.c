/*
 * bus.c - the bus front: opens the backend a url names, checks every
 * argument once, keeps the counters and calls the handlers.
 *
 * One idea: backends never call a handler themselves; they hand each
 * message to arc_bus_deliver, so the rule that decides a commit (see
 * arc_bus_handler_fn) lives in one place for both backends.
 *
 * Threads: the bus's owner. Memory: the bus owns its copies of the
 * config's strings and every subscription until it is unsubscribed.
 */
#include "bus/bus_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KAFKA_SCHEME "kafka://"

void arc_bus_config_default(arc_bus_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->url = "inproc";
    cfg->ring_capacity = 65536;
    cfg->max_buffered = 100000;
    cfg->partitions = 3;
    cfg->replication = 0;
    cfg->message_timeout_ms = 0; /* hold messages as long as it takes */
    cfg->session_timeout_ms = 10000;
    cfg->linger_ms = 5;
    cfg->client_id = "arcnet";
}

static void log_stderr(void *ctx, arc_bus_log_level_t level, const char *line)
{
    static const char *const names[] = {"info ", "warn ", "error"};
    struct timespec ts;
    struct tm tm;
    char when[32];

    (void)ctx;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ %s bus %s\n", when, ts.tv_nsec / 1000000,
            names[level <= ARC_BUS_LOG_ERROR ? level : ARC_BUS_LOG_ERROR],
            line);
}

void arc_bus_logf(const arc_bus_t *bus, arc_bus_log_level_t level,
                  const char *fmt, ...)
{
    char line[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (bus->cfg.log != NULL)
        bus->cfg.log(bus->cfg.log_ctx, level, line);
    else
        log_stderr(NULL, level, line);
}

static bool topic_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* Checked on every publish, so one pass with no table to build (strspn
 * builds one per call). */
bool arc_bus_topic_valid(const char *topic)
{
    size_t n = 0;

    if (topic == NULL)
        return false;
    while (n < ARC_BUS_TOPIC_MAX && topic[n] != '\0') {
        if (!topic_char((unsigned char)topic[n]))
            return false;
        n++;
    }
    return n > 0 && n < ARC_BUS_TOPIC_MAX;
}

bool arc_bus_answer_commits(arc_status_t answer)
{
    return answer == ARC_OK || answer == ARC_ERR_DUPLICATE ||
           answer == ARC_ERR_INVALID || answer == ARC_ERR_NOT_FOUND;
}

bool arc_bus_deliver(arc_bus_t *bus, arc_bus_sub_t *sub,
                     const arc_bus_msg_t *msg)
{
    arc_status_t answer = sub->handler(sub->ctx, msg);
    bool commit = arc_bus_answer_commits(answer);

    bus->stats.handled++;
    sub->stats.handled++;
    if (commit) {
        bus->stats.committed++;
        sub->stats.committed++;
    } else {
        bus->stats.retried++;
        sub->stats.retried++;
    }
    return commit;
}

/* Picks the backend from the url; brokers point into bus->url. */
static arc_status_t pick_backend(arc_bus_t *bus)
{
    const char *url = bus->url;

    if (url[0] == '\0' || strcmp(url, "inproc") == 0) {
        bus->ops = &arc_bus_inproc_ops;
        return ARC_OK;
    }
    if (strncmp(url, KAFKA_SCHEME, strlen(KAFKA_SCHEME)) != 0)
        return ARC_ERR_INVALID;
    bus->brokers = url + strlen(KAFKA_SCHEME);
    if (bus->brokers[0] == '\0' || bus->brokers[0] == ',')
        return ARC_ERR_INVALID;
    bus->ops = &arc_bus_kafka_ops;
    return ARC_OK;
}

static bool config_valid(const arc_bus_config_t *cfg)
{
    return cfg->ring_capacity > 0 && cfg->max_buffered > 0 &&
           cfg->partitions > 0 && cfg->replication >= 0 &&
           cfg->message_timeout_ms >= 0 &&
           cfg->session_timeout_ms > 0 && cfg->linger_ms >= 0;
}

arc_status_t arc_bus_open(const arc_bus_config_t *cfg, arc_bus_t **out)
{
    arc_bus_t *bus = NULL;
    arc_status_t st = ARC_ERR_INVALID;

    if (cfg == NULL || out == NULL || !config_valid(cfg))
        goto out;
    st = ARC_ERR_NOMEM;
    bus = calloc(1, sizeof(*bus));
    if (bus == NULL)
        goto out;
    bus->cfg = *cfg;
    bus->url = strdup(cfg->url != NULL ? cfg->url : "");
    bus->client_id = strdup(cfg->client_id != NULL ? cfg->client_id : "arcnet");
    if (bus->url == NULL || bus->client_id == NULL)
        goto out;
    bus->cfg.url = bus->url;
    bus->cfg.client_id = bus->client_id;

    st = pick_backend(bus);
    if (st == ARC_OK)
        st = bus->ops->open(bus);
out:
    if (st != ARC_OK && bus != NULL) {
        free(bus->url);
        free(bus->client_id);
        free(bus);
        bus = NULL;
    }
    if (out != NULL)
        *out = bus;
    return st;
}

void arc_bus_close(arc_bus_t *bus)
{
    if (bus == NULL)
        return;
    while (bus->subs != NULL)
        arc_bus_unsubscribe(bus, bus->subs);
    bus->ops->close(bus);
    free(bus->url);
    free(bus->client_id);
    free(bus);
}

const char *arc_bus_backend(const arc_bus_t *bus)
{
    return bus->ops->name;
}

arc_status_t arc_bus_declare(arc_bus_t *bus, const char *topic, int timeout_ms)
{
    if (bus == NULL || !arc_bus_topic_valid(topic))
        return ARC_ERR_INVALID;
    return bus->ops->declare(bus, topic, timeout_ms);
}

arc_status_t arc_bus_publish(arc_bus_t *bus, const char *topic, const void *key,
                             size_t key_len, const void *value,
                             size_t value_len)
{
    arc_status_t st;

    if (bus == NULL || !arc_bus_topic_valid(topic) ||
        (value == NULL && value_len > 0) || (key == NULL && key_len > 0))
        return ARC_ERR_INVALID;
    st = bus->ops->publish(bus, topic, key, key_len, value, value_len);
    if (st == ARC_OK)
        bus->stats.published++;
    else if (st == ARC_ERR_FULL)
        bus->stats.refused++;
    return st;
}

static arc_status_t fill_sub(arc_bus_sub_t *sub, const char *const *topics,
                             size_t topic_count, const char *group)
{
    if (topics == NULL || topic_count == 0 ||
        topic_count > ARC_BUS_MAX_TOPICS || group == NULL || group[0] == '\0' ||
        strlen(group) >= sizeof(sub->group))
        return ARC_ERR_INVALID;
    for (size_t i = 0; i < topic_count; i++) {
        if (!arc_bus_topic_valid(topics[i]))
            return ARC_ERR_INVALID;
        snprintf(sub->topics[i], ARC_BUS_TOPIC_MAX, "%s", topics[i]);
    }
    sub->topic_count = topic_count;
    snprintf(sub->group, sizeof(sub->group), "%s", group);
    return ARC_OK;
}

arc_status_t arc_bus_subscribe(arc_bus_t *bus, const char *const *topics,
                               size_t topic_count, const char *group,
                               arc_bus_handler_fn handler, void *ctx,
                               arc_bus_sub_t **out)
{
    arc_bus_sub_t *sub = NULL;
    arc_status_t st = ARC_ERR_INVALID;

    if (bus == NULL || handler == NULL || out == NULL)
        goto out;
    st = ARC_ERR_NOMEM;
    sub = calloc(1, sizeof(*sub));
    if (sub == NULL)
        goto out;
    st = fill_sub(sub, topics, topic_count, group);
    if (st != ARC_OK)
        goto out;
    sub->handler = handler;
    sub->ctx = ctx;
    st = bus->ops->subscribe(bus, sub);
    if (st != ARC_OK)
        goto out;
    sub->next = bus->subs;
    bus->subs = sub;
out:
    if (st != ARC_OK) {
        free(sub);
        sub = NULL;
    }
    if (out != NULL)
        *out = sub;
    return st;
}

void arc_bus_unsubscribe(arc_bus_t *bus, arc_bus_sub_t *sub)
{
    arc_bus_sub_t **p;

    if (bus == NULL || sub == NULL)
        return;
    for (p = &bus->subs; *p != NULL && *p != sub; p = &(*p)->next)
        ;
    if (*p == NULL)
        return;
    *p = sub->next;
    bus->ops->unsubscribe(bus, sub);
    free(sub);
}

arc_status_t arc_bus_poll(arc_bus_t *bus, int timeout_ms, uint32_t max,
                          uint32_t *handled)
{
    uint32_t n = 0;

    if (bus == NULL || timeout_ms < 0)
        return ARC_ERR_INVALID;
    bus->ops->poll(bus, timeout_ms, max, &n);
    if (handled != NULL)
        *handled = n;
    return ARC_OK;
}

arc_status_t arc_bus_flush(arc_bus_t *bus, int timeout_ms)
{
    if (bus == NULL || timeout_ms < 0)
        return ARC_ERR_INVALID;
    return bus->ops->flush(bus, timeout_ms);
}

void arc_bus_stats(const arc_bus_t *bus, arc_bus_stats_t *out)
{
    *out = bus->stats;
    out->buffered = bus->ops->buffered(bus);
}

void arc_bus_sub_stats(const arc_bus_sub_t *sub, arc_bus_stats_t *out)
{
    *out = sub->stats;
}
