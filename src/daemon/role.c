/*
 * role.c - the bus, topic names and mesh shared by the distributed roles
 * (see role.h).
 *
 * One idea: the only difference between two deployments on one Kafka
 * cluster is a prefix on every topic and group name, so tests and
 * parallel environments never read each other's messages.
 *
 * Threads: the role's main thread. Memory: see role.h.
 */
#include "daemon/role.h"

#include <stdio.h>
#include <string.h>

#include "daemon/log.h"

#define DECLARE_WAIT_MS 10000

static const char *const base_topics[ARC_RT_COUNT] = {
    ARC_TOPIC_TELEMETRY, ARC_TOPIC_EVENTS, ARC_TOPIC_INFERENCE,
    ARC_TOPIC_ZONE_SUMMARY, ARC_TOPIC_BRIDGE_INGRESS,
};

void arc_role_bus_log(void *ctx, arc_bus_log_level_t level, const char *line)
{
    static const arc_log_level_t map[] = {ARC_LOG_INFO, ARC_LOG_WARN,
                                          ARC_LOG_ERROR};

    (void)ctx;
    arc_daemon_log(map[level <= ARC_BUS_LOG_ERROR ? level : 2], "bus",
                   "%s", line);
}

/*
 * Finds or creates every topic of the deployment now, while the brokers
 * answer: a topic first named during an outage could not be looked up,
 * and what was published to it would be lost rather than held.
 */
static arc_status_t declare_topics(arc_role_bus_t *rb)
{
    for (int i = 0; i < ARC_RT_COUNT; i++) {
        arc_status_t st = arc_bus_declare(rb->bus, rb->topic[i],
                                          DECLARE_WAIT_MS);

        if (st != ARC_OK) {
            arc_daemon_log(ARC_LOG_ERROR, "bus", "cannot find or create "
                           "topic=%s status=%s", rb->topic[i],
                           arc_status_name(st));
            return st;
        }
    }
    return ARC_OK;
}

/*
 * Names the topics, makes the codec, opens the bus `bc` describes and
 * declares every topic.
 */
static arc_status_t open_bus(arc_role_bus_t *rb, const arc_config_t *cfg,
                             arc_bus_config_t *bc, uint32_t bound)
{
    arc_status_t st;

    snprintf(rb->prefix, sizeof(rb->prefix), "%s", cfg->topic_prefix);
    for (int i = 0; i < ARC_RT_COUNT; i++) {
        snprintf(rb->topic[i], sizeof(rb->topic[i]), "%s%s", rb->prefix,
                 base_topics[i]);
    }
    bc->log = arc_role_bus_log;
    rb->max_buffered = bound;
    rb->codec = arc_codec_new();
    if (rb->codec == NULL) {
        return ARC_ERR_NOMEM;
    }
    st = arc_bus_open(bc, &rb->bus);
    if (st == ARC_OK) {
        st = declare_topics(rb);
    }
    if (st != ARC_OK) {
        arc_role_bus_close(rb);
    }
    return st;
}

arc_status_t arc_role_bus_open(arc_role_bus_t *rb, const arc_config_t *cfg,
                               const char *client_id)
{
    arc_bus_config_t bc;

    memset(rb, 0, sizeof(*rb));
    if (strncmp(cfg->bus, "kafka://", 8) != 0) {
        return ARC_ERR_INVALID;
    }
    arc_bus_config_default(&bc);
    bc.url = cfg->bus;
    bc.max_buffered = cfg->max_buffered;
    bc.partitions = (int32_t)cfg->partitions;
    bc.retention_ms = (int64_t)cfg->retention_hours * 3600 * 1000;
    bc.session_timeout_ms = (int32_t)cfg->session_timeout_ms;
    bc.client_id = client_id;
    return open_bus(rb, cfg, &bc, cfg->max_buffered);
}

arc_status_t arc_role_bus_open_inproc(arc_role_bus_t *rb,
                                      const arc_config_t *cfg,
                                      uint32_t ring_capacity)
{
    arc_bus_config_t bc;

    memset(rb, 0, sizeof(*rb));
    if (strcmp(cfg->bus, "inproc") != 0 || ring_capacity == 0) {
        return ARC_ERR_INVALID;
    }
    arc_bus_config_default(&bc);
    bc.url = "inproc";
    bc.ring_capacity = ring_capacity;
    return open_bus(rb, cfg, &bc, ring_capacity);
}

void arc_role_bus_close(arc_role_bus_t *rb)
{
    arc_bus_close(rb->bus);
    arc_codec_free(rb->codec);
    rb->bus = NULL;
    rb->codec = NULL;
}

void arc_role_group(const arc_role_bus_t *rb, const char *name, char *out,
                    size_t cap)
{
    snprintf(out, cap, "%s%s", rb->prefix, name);
}

arc_status_t arc_role_publish(arc_role_bus_t *rb, arc_role_topic_t topic,
                              const char *key, const uint8_t *data,
                              size_t len)
{
    const char *t = rb->topic[topic];
    arc_status_t st = arc_bus_publish(rb->bus, t, key, strlen(key), data, len);

    if (st == ARC_ERR_FULL) {
        arc_bus_poll(rb->bus, 0, 0, NULL);
        st = arc_bus_publish(rb->bus, t, key, strlen(key), data, len);
    }
    if (st == ARC_ERR_FULL) {
        /* Counted here; the role's backlog watcher (role_events.h) says
         * it as a log line and a bus-buffer-full event. */
        rb->refused++;
        rb->over_bound = true;
        return st;
    }
    if (st == ARC_OK) {
        rb->over_bound = false;
    }
    return st;
}

uint64_t arc_role_backlog(const arc_role_bus_t *rb)
{
    arc_bus_stats_t s;

    arc_bus_stats(rb->bus, &s);
    return s.buffered;
}

arc_status_t arc_role_mesh_open(arc_role_mesh_t *rm, const arc_config_t *cfg)
{
    arc_status_t st;

    memset(rm, 0, sizeof(*rm));
    st = arc_sites_load_default(&rm->sites);
    if (st != ARC_OK) {
        return st;
    }
    rm->mesh = arc_mesh_new();
    if (rm->mesh == NULL) {
        arc_role_mesh_close(rm);
        return ARC_ERR_NOMEM;
    }
    /* 4 GPUs per site, as the engine's default, so agents agree; a
     * heartbeat at the epoch keeps every node out of routing until its
     * agent has reported. */
    st = arc_sites_add_nodes(rm->mesh, rm->sites, cfg->nodes, 4, 1, NULL);
    if (st != ARC_OK) {
        arc_role_mesh_close(rm);
    }
    return st;
}

void arc_role_mesh_close(arc_role_mesh_t *rm)
{
    arc_mesh_free(rm->mesh);
    arc_sites_free(rm->sites);
    rm->mesh = NULL;
    rm->sites = NULL;
}

arc_status_t arc_role_check(const arc_config_t *cfg, char *err,
                            size_t errlen)
{
    const char *role = arc_config_role_name(cfg->role);

    if (cfg->role == ARC_DAEMON_ROLE_ALL) {
        /* Not yet: the all role over Kafka; its engine waits for every
         * report to be applied, which a round trip would stall. */
        if (strcmp(cfg->bus, "inproc") == 0) {
            return ARC_OK;
        }
        snprintf(err, errlen, "role all runs its bus inside the process "
                 "(--bus inproc); kafka:// is for the agent, zone and "
                 "brain roles");
        return ARC_ERR_INVALID;
    }
    if (strncmp(cfg->bus, "kafka://", 8) != 0) {
        snprintf(err, errlen, "role %s talks to other processes: it needs "
                 "--bus kafka://HOST:PORT", role);
        return ARC_ERR_INVALID;
    }
    if (cfg->role == ARC_DAEMON_ROLE_AGENT && cfg->node[0] == '\0') {
        snprintf(err, errlen, "role agent needs --node ID");
        return ARC_ERR_INVALID;
    }
    if (cfg->role == ARC_DAEMON_ROLE_ZONE && cfg->zone < 0) {
        snprintf(err, errlen, "role zone needs --zone west|central|east");
        return ARC_ERR_INVALID;
    }
    return ARC_OK;
}
