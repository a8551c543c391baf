/*
 * config.c - defaults, INI file, environment and flags (see config.h).
 *
 * The three outer sources are applied in order of rising precedence,
 * each through arc_config_set, so a later source simply overwrites an
 * earlier one. The command line is walked twice: first for --config and
 * the actions, then for the settings, which must win over the file and
 * the environment read in between.
 */
#include "daemon/config.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[ARC_DAEMON_ROLE_COUNT] = {
    "all", "agent", "zone", "brain",
};

/* Settings by name, with their flag and variable spellings derived. */
static const char *const setting_names[] = {
    "role", "listen", "data_dir", "seed", "nodes", "time_scale",
    "policy", "tick_ms", "log_level", "console_dir", "store",
    "bus", "node", "sim_site", "zone", "replica", "topic_prefix",
    "max_buffered", "session_timeout_ms", "request_timeout_ms",
    "summary_ms", "keyframe_s", "raw_keep_days", "minute_keep_days",
    "deadband_soc", "deadband_util", "deadband_carbon", "deadband_power_kw",
    "flush_ms", "partitions", "retention_hours",
};

void arc_config_default(arc_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->role = ARC_DAEMON_ROLE_ALL;
    snprintf(cfg->listen_host, sizeof(cfg->listen_host), "127.0.0.1");
    cfg->listen_port = 8080;
    snprintf(cfg->data_dir, sizeof(cfg->data_dir), "./arcnet-data");
    snprintf(cfg->console_dir, sizeof(cfg->console_dir), "console/dist");
    cfg->seed = 1;
    cfg->nodes = 150;
    cfg->time_scale = 1.0;
    cfg->policy = ARC_POLICY_ARCNET;
    cfg->tick_ms = 5000;
    cfg->log_level = ARC_LOG_INFO;
    snprintf(cfg->bus, sizeof(cfg->bus), "inproc");
    snprintf(cfg->replica, sizeof(cfg->replica), "0");
    cfg->zone = -1;
    cfg->max_buffered = 100000;
    cfg->session_timeout_ms = 10000;
    cfg->request_timeout_ms = 10000;
    cfg->summary_ms = 1000;
    cfg->keyframe_s = 300;
    cfg->raw_keep_days = 7;
    cfg->minute_keep_days = 365;
    cfg->deadband_soc = 0.01;
    cfg->deadband_util = 0.05;
    cfg->deadband_carbon = 5.0;
    cfg->deadband_power_kw = 25.0;
    cfg->flush_ms = 500;
    cfg->partitions = 3;
    cfg->retention_hours = 0;
}

const char *arc_config_role_name(arc_role_name_t role)
{
    return role < ARC_DAEMON_ROLE_COUNT ? role_names[role] : "?";
}

static arc_status_t parse_u64(const char *s, uint64_t min, uint64_t max,
                              uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (*s < '0' || *s > '9') {
        return ARC_ERR_INVALID;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return ARC_ERR_INVALID;
    }
    *out = v;
    return ARC_OK;
}

static arc_status_t set_listen(arc_config_t *cfg, const char *v)
{
    const char *colon = strrchr(v, ':');
    size_t hlen = colon ? (size_t)(colon - v) : 0;
    uint64_t port;

    if (colon == NULL || hlen == 0 || hlen >= sizeof(cfg->listen_host) ||
        parse_u64(colon + 1, 0, 65535, &port) != ARC_OK) {
        return ARC_ERR_INVALID;
    }
    memcpy(cfg->listen_host, v, hlen);
    cfg->listen_host[hlen] = '\0';
    cfg->listen_port = (uint16_t)port;
    return ARC_OK;
}

static arc_status_t set_role(arc_config_t *cfg, const char *v)
{
    for (int i = 0; i < ARC_DAEMON_ROLE_COUNT; i++) {
        if (strcmp(v, role_names[i]) == 0) {
            cfg->role = (arc_role_name_t)i;
            return ARC_OK;
        }
    }
    return ARC_ERR_INVALID;
}

static arc_status_t set_time_scale(arc_config_t *cfg, const char *v)
{
    char *end = NULL;
    double x;

    errno = 0;
    x = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !isfinite(x) ||
        x <= 0 || x > 1e6) {
        return ARC_ERR_INVALID;
    }
    cfg->time_scale = x;
    return ARC_OK;
}

/* A string setting that must fit `cap` bytes (empty allowed or not). */
static arc_status_t set_str(char *dst, size_t cap, const char *v,
                            bool empty_ok)
{
    if ((!empty_ok && v[0] == '\0') || strlen(v) >= cap) {
        return ARC_ERR_INVALID;
    }
    snprintf(dst, cap, "%s", v);
    return ARC_OK;
}

static arc_status_t set_u32(uint32_t *dst, const char *v, uint64_t min,
                            uint64_t max)
{
    uint64_t u = 0;
    arc_status_t st = parse_u64(v, min, max, &u);

    if (st == ARC_OK) {
        *dst = (uint32_t)u;
    }
    return st;
}

static arc_status_t set_bool(bool *dst, const char *v)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
        strcmp(v, "yes") == 0) {
        *dst = true;
    } else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 ||
               strcmp(v, "no") == 0) {
        *dst = false;
    } else {
        return ARC_ERR_INVALID;
    }
    return ARC_OK;
}

/* A number from 0 to `max` (a dead-band threshold). */
static arc_status_t set_fraction(double *dst, const char *v, double max)
{
    char *end = NULL;
    double x = strtod(v, &end);

    if (end == v || *end != '\0' || !(x >= 0.0 && x <= max)) {
        return ARC_ERR_INVALID;
    }
    *dst = x;
    return ARC_OK;
}

static arc_status_t set_zone(arc_config_t *cfg, const char *v)
{
    arc_zone_t z;

    if (v[0] == '\0') {
        cfg->zone = -1;
        return ARC_OK;
    }
    if (arc_zone_parse(v, &z) != ARC_OK) {
        return ARC_ERR_INVALID;
    }
    cfg->zone = (int)z;
    return ARC_OK;
}

/* The settings of the distributed roles (bus and after). */
static arc_status_t set_role_value(arc_config_t *cfg, int which,
                                   const char *v)
{
    switch (which) {
    case 11:
        if (strcmp(v, "inproc") != 0 && strncmp(v, "kafka://", 8) != 0) {
            return ARC_ERR_INVALID;
        }
        return set_str(cfg->bus, sizeof(cfg->bus), v, false);
    case 12:
        return set_str(cfg->node, sizeof(cfg->node), v, true);
    case 13:
        return set_bool(&cfg->sim_site, v);
    case 14:
        return set_zone(cfg, v);
    case 15:
        return set_str(cfg->replica, sizeof(cfg->replica), v, false);
    case 16:
        return set_str(cfg->topic_prefix, sizeof(cfg->topic_prefix), v,
                       true);
    case 17:
        return set_u32(&cfg->max_buffered, v, 1, 10000000);
    case 18:
        return set_u32(&cfg->session_timeout_ms, v, 1000, 3600000);
    case 19:
        return set_u32(&cfg->request_timeout_ms, v, 100, 3600000);
    case 20:
        return set_u32(&cfg->summary_ms, v, 50, 3600000);
    case 21:
        return set_u32(&cfg->keyframe_s, v, 0, 86400);
    case 22:
        return set_u32(&cfg->raw_keep_days, v, 1, 36500);
    case 23:
        return set_u32(&cfg->minute_keep_days, v, 1, 36500);
    case 24:
        return set_fraction(&cfg->deadband_soc, v, 1.0);
    case 25:
        return set_fraction(&cfg->deadband_util, v, 1.0);
    case 26:
        return set_fraction(&cfg->deadband_carbon, v, 10000.0);
    case 27:
        return set_fraction(&cfg->deadband_power_kw, v, 1000000.0);
    case 28:
        return set_u32(&cfg->flush_ms, v, 10, 60000);
    case 29:
        return set_u32(&cfg->partitions, v, 1, 10000);
    default:
        return set_u32(&cfg->retention_hours, v, 0, 876000);
    }
}

static arc_status_t set_value(arc_config_t *cfg, int which, const char *v)
{
    uint64_t u = 0;
    arc_status_t st;

    switch (which) {
    case 0:
        return set_role(cfg, v);
    case 1:
        return set_listen(cfg, v);
    case 2:
        if (v[0] == '\0' || strlen(v) >= sizeof(cfg->data_dir)) {
            return ARC_ERR_INVALID;
        }
        snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", v);
        return ARC_OK;
    case 3:
        return parse_u64(v, 0, UINT64_MAX, &cfg->seed);
    case 4:
        st = parse_u64(v, 1, 1000000, &u);
        cfg->nodes = st == ARC_OK ? (uint32_t)u : cfg->nodes;
        return st;
    case 5:
        return set_time_scale(cfg, v);
    case 6:
        return arc_policy_parse(v, &cfg->policy);
    case 7:
        st = parse_u64(v, 10, 3600000, &u);
        cfg->tick_ms = st == ARC_OK ? (uint32_t)u : cfg->tick_ms;
        return st;
    case 9:
        if (v[0] == '\0' || strlen(v) >= sizeof(cfg->console_dir)) {
            return ARC_ERR_INVALID;
        }
        snprintf(cfg->console_dir, sizeof(cfg->console_dir), "%s", v);
        return ARC_OK;
    case 10:
        if (strlen(v) >= sizeof(cfg->store)) {
            return ARC_ERR_INVALID;
        }
        snprintf(cfg->store, sizeof(cfg->store), "%s", v);
        return ARC_OK;
    case 8:
        return arc_daemon_log_level_parse(v, &cfg->log_level);
    default:
        return set_role_value(cfg, which, v);
    }
}

arc_status_t arc_config_set(arc_config_t *cfg, const char *name,
                            const char *value, char *err, size_t errlen)
{
    for (size_t i = 0; i < ARC_ARRAY_LEN(setting_names); i++) {
        if (strcmp(name, setting_names[i]) != 0) {
            continue;
        }
        if (set_value(cfg, (int)i, value) != ARC_OK) {
            snprintf(err, errlen, "bad value for %s: \"%.100s\"", name,
                     value);
            return ARC_ERR_INVALID;
        }
        return ARC_OK;
    }
    snprintf(err, errlen, "unknown setting \"%.100s\"", name);
    return ARC_ERR_NOT_FOUND;
}

typedef struct ini_ctx {
    arc_config_t *cfg;
    char *err;
    size_t errlen;
    bool failed;
} ini_ctx_t;

static int on_ini(void *user, const char *section, const char *name,
                  const char *value)
{
    ini_ctx_t *ctx = user;

    (void)section;
    if (ctx->failed) {
        return 0;
    }
    if (arc_config_set(ctx->cfg, name, value, ctx->err, ctx->errlen) !=
        ARC_OK) {
        ctx->failed = true;
        return 0;
    }
    return 1;
}

static arc_status_t load_file(arc_config_t *cfg, const char *path,
                              char *err, size_t errlen)
{
    ini_ctx_t ctx = {cfg, err, errlen, false};
    char inner[200];
    int rc;

    ctx.err = inner;
    ctx.errlen = sizeof(inner);
    rc = ini_parse(path, on_ini, &ctx);
    if (rc == -1) {
        snprintf(err, errlen, "cannot open config file %s", path);
        return ARC_ERR_IO;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s:%d: %s", path, rc,
                 ctx.failed ? inner : "syntax error");
        return ARC_ERR_INVALID;
    }
    return ARC_OK;
}

static arc_status_t load_env(arc_config_t *cfg, arc_config_getenv_fn env,
                             char *err, size_t errlen)
{
    for (size_t i = 0; i < ARC_ARRAY_LEN(setting_names); i++) {
        char var[64];
        const char *v;
        size_t n = (size_t)snprintf(var, sizeof(var), "ARCNET_%s",
                                    setting_names[i]);

        for (size_t j = 7; j < n; j++) {
            var[j] = (char)(var[j] >= 'a' && var[j] <= 'z' ? var[j] - 32
                                                           : var[j]);
        }
        v = env(var);
        if (v != NULL && arc_config_set(cfg, setting_names[i], v, err,
                                        errlen) != ARC_OK) {
            return ARC_ERR_INVALID;
        }
    }
    return ARC_OK;
}

/* "--data-dir" -> "data_dir" in out; false when not a --flag. */
static bool flag_name(const char *arg, char *out, size_t cap,
                      const char **inline_value)
{
    size_t n = 0;

    *inline_value = NULL;
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
        return false;
    }
    for (arg += 2; *arg != '\0' && *arg != '=' && n + 1 < cap; arg++) {
        out[n++] = *arg == '-' ? '_' : *arg;
    }
    out[n] = '\0';
    if (*arg == '=') {
        *inline_value = arg + 1;
    }
    return true;
}

/* Walks the flags; pass 0 reads actions and --config, pass 1 settings. */
static arc_status_t walk_flags(arc_config_t *cfg, int argc, char **argv,
                               int pass, arc_config_action_t *action,
                               char *err, size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        char name[64];
        const char *value;

        if (!flag_name(argv[i], name, sizeof(name), &value)) {
            snprintf(err, errlen, "unexpected argument \"%.100s\"",
                     argv[i]);
            return ARC_ERR_INVALID;
        }
        if (strcmp(name, "help") == 0 || strcmp(name, "print_config") == 0) {
            if (name[0] == 'h') {
                action->help = true;
            } else {
                action->print_config = true;
            }
            continue;
        }
        if (value == NULL && strcmp(name, "sim_site") == 0) {
            value = "true";
        }
        if (value == NULL && i + 1 >= argc) {
            snprintf(err, errlen, "--%s needs a value", argv[i] + 2);
            return ARC_ERR_INVALID;
        }
        if (value == NULL) {
            value = argv[++i];
        }
        if (strcmp(name, "config") == 0) {
            if (pass == 0) {
                snprintf(cfg->config_file, sizeof(cfg->config_file), "%s",
                         value);
            }
            continue;
        }
        if (pass == 1 &&
            arc_config_set(cfg, name, value, err, errlen) != ARC_OK) {
            return ARC_ERR_INVALID;
        }
    }
    return ARC_OK;
}

arc_status_t arc_config_load(arc_config_t *cfg, int argc, char **argv,
                             arc_config_getenv_fn env,
                             arc_config_action_t *action, char *err,
                             size_t errlen)
{
    const char *file;
    arc_status_t st;

    arc_config_default(cfg);
    memset(action, 0, sizeof(*action));
    st = walk_flags(cfg, argc, argv, 0, action, err, errlen);
    if (st != ARC_OK || action->help) {
        return st;
    }
    file = env("ARCNET_CONFIG");
    if (cfg->config_file[0] == '\0' && file != NULL) {
        snprintf(cfg->config_file, sizeof(cfg->config_file), "%s", file);
    }
    if (cfg->config_file[0] != '\0') {
        st = load_file(cfg, cfg->config_file, err, errlen);
    }
    if (st == ARC_OK) {
        st = load_env(cfg, env, err, errlen);
    }
    if (st == ARC_OK) {
        st = walk_flags(cfg, argc, argv, 1, action, err, errlen);
    }
    return st;
}

void arc_config_print(const arc_config_t *cfg, FILE *out)
{
    fprintf(out,
            "[daemon]\n"
            "role = %s\n"
            "listen = %s:%u\n"
            "data_dir = %s\n"
            "console_dir = %s\n"
            "store = %s\n"
            "keyframe_s = %u\n"
            "raw_keep_days = %u\n"
            "minute_keep_days = %u\n"
            "deadband_soc = %g\n"
            "deadband_util = %g\n"
            "deadband_carbon = %g\n"
            "deadband_power_kw = %g\n"
            "flush_ms = %u\n"
            "log_level = %s\n"
            "\n[sim]\n"
            "seed = %llu\n"
            "nodes = %u\n"
            "time_scale = %g\n"
            "policy = %s\n"
            "tick_ms = %u\n"
            "\n[bus]\n"
            "bus = %s\n"
            "topic_prefix = %s\n"
            "max_buffered = %u\n"
            "session_timeout_ms = %u\n"
            "partitions = %u\n"
            "retention_hours = %u\n"
            "\n[role]\n"
            "node = %s\n"
            "sim_site = %s\n"
            "zone = %s\n"
            "replica = %s\n"
            "request_timeout_ms = %u\n"
            "summary_ms = %u\n",
            arc_config_role_name(cfg->role), cfg->listen_host,
            (unsigned)cfg->listen_port, cfg->data_dir, cfg->console_dir,
            cfg->store, cfg->keyframe_s, cfg->raw_keep_days,
            cfg->minute_keep_days, cfg->deadband_soc, cfg->deadband_util,
            cfg->deadband_carbon, cfg->deadband_power_kw, cfg->flush_ms,
            arc_daemon_log_level_name(cfg->log_level),
            (unsigned long long)cfg->seed, cfg->nodes, cfg->time_scale,
            arc_policy_name(cfg->policy), cfg->tick_ms, cfg->bus,
            cfg->topic_prefix, cfg->max_buffered, cfg->session_timeout_ms,
            cfg->partitions, cfg->retention_hours,
            cfg->node, cfg->sim_site ? "true" : "false",
            cfg->zone >= 0 ? arc_zone_name((arc_zone_t)cfg->zone) : "",
            cfg->replica, cfg->request_timeout_ms, cfg->summary_ms);
}

void arc_config_usage(FILE *out)
{
    fputs("usage: arcnetd [--role all] [--listen HOST:PORT] "
          "[--data-dir DIR]\n"
          "               [--seed N] [--nodes N] [--time-scale X] "
          "[--policy NAME]\n"
          "               [--tick-ms MS] [--log-level LEVEL] "
          "[--config FILE]\n"
          "               [--console-dir DIR] [--store URL] "
          "[--print-config] [--help]\n"
          "               [--bus URL] [--node ID] [--sim-site] "
          "[--zone ZONE]\n"
          "               [--replica NAME] [--topic-prefix P] "
          "[--max-buffered N]\n"
          "               [--session-timeout-ms MS] "
          "[--request-timeout-ms MS] [--summary-ms MS]\n"
          "\n"
          "Runs ArcNet: the simulated mesh, the router and the REST and\n"
          "WebSocket API on one port (role all), or one part of a\n"
          "distributed mesh over Kafka (agent, zone, brain).\n"
          "\n"
          "  --role ROLE        all, agent, zone or brain (all)\n"
          "  --bus URL          inproc (role all) or kafka://h:p,h:p\n"
          "  --node ID          agent: the node it reports for\n"
          "  --sim-site         agent: simulate the site (else read the "
          "host)\n"
          "  --zone ZONE        zone: west, central or east\n"
          "  --replica NAME     zone: this replica's name (0)\n"
          "  --topic-prefix P   put before every topic and group name\n"
          "  --max-buffered N   messages held while brokers are away "
          "(100000)\n"
          "  --session-timeout-ms MS  Kafka consumer session (10000)\n"
          "  --request-timeout-ms MS  zone: answer 504 after (10000)\n"
          "  --summary-ms MS    zone: summary period (1000)\n"
          "  --listen HOST:PORT API address (127.0.0.1:8080)\n"
          "  --data-dir DIR     state and the token file (./arcnet-data)\n"
          "  --seed N           simulation seed (1)\n"
          "  --nodes N          simulated sites (150)\n"
          "  --time-scale X     simulated seconds per real second (1)\n"
          "  --policy NAME      arcnet, nearest, least-loaded, greenest,\n"
          "                     round-robin (arcnet)\n"
          "  --tick-ms MS       simulated telemetry period (5000)\n"
          "  --log-level LEVEL  debug, info, warn, error (info)\n"
          "  --config FILE      INI file with the same settings\n"
          "  --console-dir DIR  the built console, served at / "
          "(console/dist)\n"
          "  --store URL        history: postgres://... or a SQLite file\n"
          "                     (DATA_DIR/history.db)\n"
          "  --keyframe-s S     history: a full row per node this often,\n"
          "                     simulated seconds; 0: none (300)\n"
          "  --raw-keep-days D  history: raw rows kept, then folded into\n"
          "                     minute aggregates (7)\n"
          "  --minute-keep-days D  minute aggregates kept (365)\n"
          "  --deadband-soc X, --deadband-util X, --deadband-carbon G,\n"
          "  --deadband-power-kw K  history: a node's row is written when\n"
          "                     a value moves further than this (0.01,\n"
          "                     0.05, 5 g/kWh, 25 kW)\n"
          "  --partitions N     Kafka: partitions of topics it creates (3)\n"
          "  --retention-hours H  Kafka: retention of topics it creates;\n"
          "                     0: the brokers' default (0)\n"
          "  --flush-ms MS      history: longest wait before a commit, so\n"
          "                     the most a crash can lose (500)\n"
          "  --print-config     print the effective config and exit\n"
          "\n"
          "Each setting may also come from ARCNET_<NAME> (ARCNET_LISTEN,\n"
          "ARCNET_DATA_DIR, ...); flags win over the environment, which\n"
          "wins over the file. ARCNET_TOKEN sets the operator token and\n"
          "ARCNET_VIEWER_TOKEN a read-only one.\n",
          out);
}
