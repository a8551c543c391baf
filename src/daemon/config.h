/*
 * config.h - the daemon's settings, from defaults, an INI file, the
 * environment and the command line, in rising precedence.
 *
 * Every source goes through one setter keyed by the setting's name
 * (listen, data_dir, seed, ...), so a value is checked the same way
 * whether it came from a flag, ARCNET_<NAME> or the file. In the file a
 * setting may sit in any section ([daemon], [sim]); the section is for
 * people, the name is what counts. Tokens are not settings: they come
 * only from the environment (ARCNET_TOKEN, ARCNET_VIEWER_TOKEN) or the
 * token file, so they never sit in a config file or show in
 * --print-config.
 *
 * The main thread loads the config once at start; afterwards it is
 * read-only. All strings are held inline.
 */
#ifndef ARC_DAEMON_CONFIG_H
#define ARC_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arc.h"
#include "daemon/log.h"
#include "route/router.h"

typedef enum arc_role_name {
    ARC_DAEMON_ROLE_ALL = 0, /* everything in one process */
    ARC_DAEMON_ROLE_AGENT,
    ARC_DAEMON_ROLE_ZONE,
    ARC_DAEMON_ROLE_BRAIN,
    ARC_DAEMON_ROLE_COUNT
} arc_role_name_t;

typedef struct arc_config {
    arc_role_name_t role;     /* --role */
    char listen_host[128];    /* --listen HOST:PORT, host part */
    uint16_t listen_port;     /* port part; 0: any free port */
    char data_dir[1024];      /* --data-dir, created 0700 */
    uint64_t seed;            /* --seed: the simulation's seed */
    uint32_t nodes;           /* --nodes: simulated sites */
    double time_scale;        /* --time-scale: sim seconds per second */
    arc_policy_t policy;      /* --policy: default routing policy */
    uint32_t tick_ms;         /* --tick-ms: simulated telemetry period */
    arc_log_level_t log_level; /* --log-level */
    char config_file[1024];   /* --config, or "" */
    char console_dir[1024];   /* --console-dir: the built console */
    char store[1024];         /* --store: history URL or path; "":
                                 DATA_DIR/history.db (SQLite) */
    char bus[1024];           /* --bus: "inproc" or "kafka://h:p,..." */
    char node[32];            /* --node: the agent's node id */
    bool sim_site;            /* --sim-site: the agent simulates its
                                 site instead of reading the host */
    int zone;                 /* --zone: arc_zone_t, -1 when unset */
    char replica[32];         /* --replica: names a zone replica; its
                                 consumer groups derive from it */
    char topic_prefix[64];    /* --topic-prefix: put before each topic
                                 and group name ("" by default) */
    uint32_t max_buffered;    /* --max-buffered: messages a producer
                                 holds while brokers are away */
    uint32_t session_timeout_ms; /* --session-timeout-ms (Kafka) */
    uint32_t request_timeout_ms; /* --request-timeout-ms: a zone answers
                                    504 when no outcome came by then */
    uint32_t summary_ms;      /* --summary-ms: zone summary period */
    uint32_t keyframe_s;      /* --keyframe-s: history keyframe period */
    uint32_t raw_keep_days;   /* --raw-keep-days: raw history kept */
    uint32_t minute_keep_days; /* --minute-keep-days: aggregates kept */
    double deadband_soc;      /* --deadband-soc: history dead-bands */
    double deadband_util;     /* --deadband-util */
    double deadband_carbon;   /* --deadband-carbon, g CO2 / kWh */
    double deadband_power_kw; /* --deadband-power-kw */
    uint32_t flush_ms;        /* --flush-ms: history commit window */
    uint32_t partitions;      /* --partitions: of topics it creates */
    uint32_t retention_hours; /* --retention-hours: of topics it creates;
                                 0: the brokers' default */
} arc_config_t;

/* Fills the defaults. */
void arc_config_default(arc_config_t *cfg);

const char *arc_config_role_name(arc_role_name_t role);

/*
 * Sets one setting by name ("listen", "data_dir", "seed", "nodes",
 * "time_scale", "policy", "tick_ms", "log_level", "role", "bus",
 * "node", "sim_site", "zone", "replica", "topic_prefix",
 * "max_buffered", "session_timeout_ms", "request_timeout_ms",
 * "summary_ms"). ARC_ERR_NOT_FOUND
 * for an unknown name, ARC_ERR_INVALID for a bad value; either way a
 * sentence goes to err (errlen bytes).
 */
arc_status_t arc_config_set(arc_config_t *cfg, const char *name,
                            const char *value, char *err, size_t errlen);

/* What the command line asked for besides settings. */
typedef struct arc_config_action {
    bool help;         /* --help */
    bool print_config; /* --print-config */
} arc_config_action_t;

/*
 * Builds the effective config: defaults, then the INI file (--config
 * or ARCNET_CONFIG), then ARCNET_* variables, then flags. `env` looks
 * variables up (getenv in the daemon; a table in tests). ARC_OK, or an
 * error with a sentence in err.
 */
typedef const char *(*arc_config_getenv_fn)(const char *name);

arc_status_t arc_config_load(arc_config_t *cfg, int argc, char **argv,
                             arc_config_getenv_fn env,
                             arc_config_action_t *action, char *err,
                             size_t errlen);

/* Writes the config as an INI file that --config would accept. */
void arc_config_print(const arc_config_t *cfg, FILE *out);

/* The usage text for --help. */
void arc_config_usage(FILE *out);

#endif
