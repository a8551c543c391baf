/*
 * arcnetd.c - the ArcNet daemon's main: read the config, prepare the
 * data directory and the tokens, run the daemon until SIGINT or
 * SIGTERM, and exit cleanly.
 *
 * The agent, zone and brain roles (daemon/role.h) run over Kafka
 * instead: main checks what the role needs and hands over to it.
 *
 * Exit codes: 0 after a clean stop (or --help, --print-config), 1 when
 * the daemon cannot start or its loop fails, 2 for a bad command line
 * or config, or a role missing a setting it needs (--bus, --node,
 * --zone), or the all role given a Kafka bus.
 *
 * The operator token is printed on stdout when it is generated, never
 * logged; the log (stderr) says only where the token lives.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/role.h"

static arc_daemon_t *running;
static volatile sig_atomic_t role_stop;

static void on_signal(int sig)
{
    (void)sig;
    role_stop = 1;
    if (running != NULL) {
        arc_daemon_stop(running);
    }
}

static void install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

static const char *env_lookup(const char *name)
{
    return getenv(name);
}

static int make_data_dir(const char *dir)
{
    struct stat st;

    if (mkdir(dir, 0700) == 0) {
        return 0;
    }
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        return 0;
    }
    arc_daemon_log(ARC_LOG_ERROR, "daemon",
                   "cannot create the data directory dir=%s error=\"%s\"",
                   dir, strerror(errno));
    return -1;
}

static int setup_auth(const arc_config_t *cfg, arc_auth_t *auth)
{
    bool generated = false;
    arc_status_t st = arc_auth_setup(auth, getenv("ARCNET_TOKEN"),
                                     getenv("ARCNET_VIEWER_TOKEN"),
                                     cfg->data_dir, &generated);

    if (st != ARC_OK) {
        arc_daemon_log(ARC_LOG_ERROR, "auth",
                       "no usable operator token (ARCNET_TOKEN, or "
                       "%s/token: 16-128 printable characters) error=%s",
                       cfg->data_dir, arc_status_name(st));
        return -1;
    }
    if (generated) {
        printf("operator token: %s\n", auth->operator_token);
        arc_daemon_log(ARC_LOG_INFO, "auth",
                       "generated the operator token file=%s/token",
                       cfg->data_dir);
    } else if (getenv("ARCNET_TOKEN") != NULL) {
        printf("operator token: from ARCNET_TOKEN\n");
    } else {
        printf("operator token: in %s/token\n", cfg->data_dir);
    }
    return 0;
}

static int run(const arc_config_t *cfg)
{
    arc_auth_t auth;
    arc_daemon_t *d = NULL;
    arc_status_t st;
    int rc = 1;

    if (make_data_dir(cfg->data_dir) != 0 || setup_auth(cfg, &auth) != 0) {
        goto out;
    }
    st = arc_daemon_new(cfg, &auth, &d);
    if (st != ARC_OK) {
        arc_daemon_log(ARC_LOG_ERROR, "daemon", "cannot start error=%s "
                       "listen=%s:%u", arc_status_name(st),
                       cfg->listen_host, (unsigned)cfg->listen_port);
        goto out;
    }
    printf("ArcNet API: http://%s:%u/v1 (stream ws://%s:%u/v1/stream)\n",
           cfg->listen_host, (unsigned)arc_daemon_port(d), cfg->listen_host,
           (unsigned)arc_daemon_port(d));
    fflush(stdout);
    arc_daemon_log(ARC_LOG_INFO, "api", "listening address=%s:%u nodes=%u "
                   "seed=%llu time_scale=%g policy=%s", cfg->listen_host,
                   (unsigned)arc_daemon_port(d), cfg->nodes,
                   (unsigned long long)cfg->seed, cfg->time_scale,
                   arc_policy_name(cfg->policy));
    running = d;
    st = arc_daemon_run(d);
    running = NULL;
    rc = st == ARC_OK ? 0 : 1;
out:
    arc_daemon_free(d);
    memset(&auth, 0, sizeof(auth));
    if (rc == 0) {
        arc_daemon_log(ARC_LOG_INFO, "daemon", "stopped cleanly");
    }
    return rc;
}

/* Runs the agent, zone or brain role until a signal stops it. */
static int run_role(const arc_config_t *cfg)
{
    arc_auth_t auth;
    arc_status_t st;
    int rc = 1;

    memset(&auth, 0, sizeof(auth));
    if (cfg->role == ARC_DAEMON_ROLE_AGENT) {
        st = arc_agent_run(cfg, &role_stop);
    } else if (make_data_dir(cfg->data_dir) != 0 ||
               setup_auth(cfg, &auth) != 0) {
        goto out;
    } else if (cfg->role == ARC_DAEMON_ROLE_ZONE) {
        st = arc_zone_run(cfg, &auth, &role_stop);
    } else {
        st = arc_brain_run(cfg, &auth, &role_stop);
    }
    if (st != ARC_OK) {
        arc_daemon_log(ARC_LOG_ERROR, "daemon", "cannot start role=%s "
                       "error=%s", arc_config_role_name(cfg->role),
                       arc_status_name(st));
    }
    rc = st == ARC_OK ? 0 : 1;
out:
    memset(&auth, 0, sizeof(auth));
    if (rc == 0) {
        arc_daemon_log(ARC_LOG_INFO, "daemon", "stopped cleanly");
    }
    return rc;
}

int main(int argc, char **argv)
{
    arc_config_t cfg;
    arc_config_action_t action;
    char err[256];

    if (arc_config_load(&cfg, argc, argv, env_lookup, &action, err,
                        sizeof(err)) != ARC_OK) {
        fprintf(stderr, "arcnetd: %s (try --help)\n", err);
        return 2;
    }
    if (action.help) {
        arc_config_usage(stdout);
        return 0;
    }
    if (action.print_config) {
        arc_config_print(&cfg, stdout);
        return 0;
    }
    if (arc_role_check(&cfg, err, sizeof(err)) != ARC_OK) {
        fprintf(stderr, "arcnetd: %s (try --help)\n", err);
        return 2;
    }
    arc_daemon_log_set_level(cfg.log_level);
    arc_daemon_log_route_lws();
    install_signals();
    return cfg.role == ARC_DAEMON_ROLE_ALL ? run(&cfg) : run_role(&cfg);
}
