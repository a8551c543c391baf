/*
 * role.h - what the distributed roles of arcnetd (agent, zone, brain)
 * share: the bus with its topic names, the codec, a mesh laid out from
 * the site table, and the entry point of each role. The all role opens
 * the same bus, topics and codec over the inproc backend.
 *
 * One idea: every process of a distributed mesh derives the same node
 * list from the same settings (--nodes over the embedded site table), so
 * a node id means the same site everywhere and the codec can resolve it;
 * the processes then agree on state only through the bus.
 *
 * Threads: the main thread of the process runs its role; nothing here
 * locks. Memory: an arc_role_bus_t and an arc_role_mesh_t own what they
 * open; close them with their close functions.
 */
#ifndef ARC_DAEMON_ROLE_H
#define ARC_DAEMON_ROLE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "api/auth.h"
#include "bus/bus.h"
#include "bus/codec.h"
#include "daemon/config.h"
#include "sim/sites.h"
#include "state/mesh.h"

/* The topics, in the order of arc_role_bus_t.topic. */
typedef enum arc_role_topic {
    ARC_RT_TELEMETRY = 0,
    ARC_RT_EVENTS,
    ARC_RT_INFERENCE,
    ARC_RT_SUMMARY,
    ARC_RT_BRIDGE,
    ARC_RT_COUNT
} arc_role_topic_t;

typedef struct arc_role_bus {
    arc_bus_t *bus;     /* Kafka (inproc for the all role) */
    arc_codec_t *codec; /* for this thread's encodes */
    char topic[ARC_RT_COUNT][ARC_BUS_TOPIC_MAX]; /* prefixed names */
    char prefix[64];    /* --topic-prefix */
    uint32_t max_buffered; /* the producer's bound */
    uint64_t refused;   /* publishes refused: the bound was crossed */
    bool over_bound;    /* the last publish was refused */
} arc_role_bus_t;

/*
 * Opens the bus of cfg (Kafka only: the roles talk between processes)
 * and a codec, names the topics with cfg->topic_prefix and finds or
 * creates every one of them (up to 10 s each), so that nothing published
 * later waits on a topic lookup. ARC_ERR_INVALID for an inproc URL,
 * ARC_ERR_UNAVAILABLE when the brokers did not answer, else as
 * arc_bus_open.
 */
arc_status_t arc_role_bus_open(arc_role_bus_t *rb, const arc_config_t *cfg,
                               const char *client_id);

/*
 * Opens the in-process bus of the all role with the same topic names
 * and a codec, keeping `ring_capacity` messages per topic (the bound
 * shown as max_buffered). ARC_ERR_INVALID unless cfg->bus is inproc.
 */
arc_status_t arc_role_bus_open_inproc(arc_role_bus_t *rb,
                                      const arc_config_t *cfg,
                                      uint32_t ring_capacity);

/* Flushes, leaves every group and frees. Safe on a zeroed struct. */
void arc_role_bus_close(arc_role_bus_t *rb);

/* An arc_bus_log_fn writing to the daemon's log (component "bus"). */
void arc_role_bus_log(void *ctx, arc_bus_log_level_t level,
                      const char *line);

/* Writes prefix + name to out (a consumer group name). */
void arc_role_group(const arc_role_bus_t *rb, const char *name, char *out,
                    size_t cap);

/*
 * Publishes to one of the role topics under `key` (a C string). When
 * the producer's buffer is full it serves the bus once and tries again;
 * if still full, counts the message in `refused`, sets over_bound and
 * answers ARC_ERR_FULL (the caller decides what that means).
 */
arc_status_t arc_role_publish(arc_role_bus_t *rb, arc_role_topic_t topic,
                              const char *key, const uint8_t *data,
                              size_t len);

/* Messages the producer holds, not yet acknowledged. */
uint64_t arc_role_backlog(const arc_role_bus_t *rb);

/* A mesh holding the first cfg->nodes simulated sites, all down. */
typedef struct arc_role_mesh {
    arc_mesh_t *mesh;
    arc_site_table_t *sites; /* node names point into it */
} arc_role_mesh_t;

arc_status_t arc_role_mesh_open(arc_role_mesh_t *rm, const arc_config_t *cfg);
void arc_role_mesh_close(arc_role_mesh_t *rm);

/*
 * Checks that cfg has what its role needs (all: the inproc bus; the
 * others: a Kafka bus; agent: a node; zone: a zone). ARC_ERR_INVALID
 * with a sentence in err otherwise.
 */
arc_status_t arc_role_check(const arc_config_t *cfg, char *err,
                            size_t errlen);

/*
 * The roles. Each runs until *stop becomes non-zero and answers ARC_OK
 * after a clean stop, or the error that kept it from starting.
 */
arc_status_t arc_agent_run(const arc_config_t *cfg,
                           const volatile sig_atomic_t *stop);
arc_status_t arc_zone_run(const arc_config_t *cfg, const arc_auth_t *auth,
                          const volatile sig_atomic_t *stop);
arc_status_t arc_brain_run(const arc_config_t *cfg, const arc_auth_t *auth,
                           const volatile sig_atomic_t *stop);

#endif
