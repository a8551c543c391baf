/*
 * daemon.c - composition and the live loop of arcnetd (see daemon.h).
 *
 * The simulation is stepped from an lws timer rather than a thread of
 * its own: the step runs between network events on the same thread, so
 * the API always reads a mesh that is not changing under it. Simulated
 * time advances by the real time measured between steps (monotonic
 * clock) times the time scale, so a slow step delays the simulation
 * rather than letting it drift.
 *
 * The simulated sites' telemetry reaches the mesh through the
 * in-process bus (daemon_bus.h): the engine publishes each report and
 * the bus's consumer applies it with the same ingest handler a zone
 * uses, idempotently by the node's sequence number. Events, placed
 * requests and served outcomes are published there too.
 *
 * Outcomes feed the per-zone rates and the event log (queue overflows,
 * failed requests); decisions go to the stream.
 */
#include "daemon/daemon.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/geo.h"
#include "daemon/daemon_bus.h"
#include "daemon/log.h"
#include "sim/engine.h"
#include "state/events.h"
#include "store/feed.h"
#include "store/store.h"

struct arc_daemon {
    arc_config_t cfg;
    arc_auth_t auth;
    arc_mesh_t *mesh;
    arc_engine_t *engine;
    arc_event_log_t *events;
    arc_event_detector_t *detector;
    bool detector_hooked;
    arc_rates_t rates;
    arc_api_t *api;
    arc_store_t *store;        /* the history (writer thread inside) */
    arc_store_node_row_t *known; /* last known row per node, at start */
    size_t known_count;
    /* What the history's writer thread reported, for the loop to turn
     * into events at its next step (the event log is the loop's). */
    pthread_mutex_t report_lock;
    bool report_failed;        /* writes failing since the last step */
    bool report_recovered;     /* writes recovered since the last step */
    uint64_t report_rows;
    char report_message[128];
    bool store_failing;        /* loop side: a failure event is open */
    arc_store_feed_t *feed;    /* mesh, events, outcomes -> store */
    arc_daemon_bus_t *bus;     /* telemetry in; events, work out */
    lws_sorted_usec_list_t sul;
    lws_usec_t last_step;      /* monotonic time of the last step */
    volatile sig_atomic_t stopping;
    uint64_t steps;
};

static int64_t event_clock(void *ctx)
{
    arc_daemon_t *d = ctx;

    return d->engine ? arc_engine_now(d->engine) : arc_now_us();
}

static void on_outcome(void *ctx, const arc_request_t *req,
                       const arc_outcome_t *o)
{
    arc_daemon_t *d = ctx;
    arc_zone_t home = arc_geo_zone_of(req->lat, req->lon);

    if (d->feed != NULL) {
        arc_store_feed_outcome(d->feed, req, o);
    }
    if (d->bus != NULL) {
        arc_daemon_bus_outcome(d->bus, req, o);
    }

    switch (o->status) {
    case ARC_OK:
        arc_rates_record(&d->rates, o->zone, o->finished_us,
                         o->rtt_ms + o->queue_ms + o->service_ms);
        break;
    case ARC_ERR_FULL:
        arc_event_queue_overflow(d->events, home, req,
                                 arc_rqueue_len(
                                     arc_engine_queue(d->engine)));
        break;
    case ARC_ERR_UNAVAILABLE:
        arc_event_request_failed(d->events, home, o->node_id, req,
                                 arc_reason_text(o->reason));
        break;
    default:
        break;
    }
}

static void on_decision(void *ctx, const arc_request_t *req,
                        const arc_decision_t *dec, int64_t now_us)
{
    arc_daemon_t *d = ctx;

    if (d->bus != NULL) {
        arc_daemon_bus_decision(d->bus, req, dec);
    }
    if (d->api != NULL) {
        arc_api_on_decision(d->api, req, dec, now_us);
    }
}

/* Runs on the history's writer thread: log now, record events later. */
static void on_store_report(void *ctx, const arc_store_report_t *r)
{
    static const char *const what[] = {"write failed, will retry",
                                       "writes recovered",
                                       "rows dropped, buffer full",
                                       "rows lost at close"};
    arc_daemon_t *d = ctx;

    arc_daemon_log(r->kind == ARC_STORE_REPORT_RECOVERED ? ARC_LOG_INFO
                                                         : ARC_LOG_WARN,
                   "store", "%s rows=%llu message=\"%s\"", what[r->kind],
                   (unsigned long long)r->rows, r->message);
    if (r->kind != ARC_STORE_REPORT_WRITE_FAILED &&
        r->kind != ARC_STORE_REPORT_RECOVERED) {
        return;
    }
    pthread_mutex_lock(&d->report_lock);
    if (r->kind == ARC_STORE_REPORT_WRITE_FAILED) {
        d->report_failed = true;
        d->report_rows = r->rows;
        snprintf(d->report_message, sizeof(d->report_message), "%s",
                 r->message);
    } else {
        d->report_recovered = true;
    }
    pthread_mutex_unlock(&d->report_lock);
}

/*
 * On the loop: the writer's reports since the last step, as events; one
 * event when writes start failing and one when they recover, however
 * often the writer retries in between.
 */
static void record_store_events(arc_daemon_t *d)
{
    bool failed, recovered;
    uint64_t rows;
    char message[128];

    pthread_mutex_lock(&d->report_lock);
    failed = d->report_failed;
    recovered = d->report_recovered;
    rows = d->report_rows;
    snprintf(message, sizeof(message), "%s", d->report_message);
    d->report_failed = d->report_recovered = false;
    pthread_mutex_unlock(&d->report_lock);

    if (failed && !d->store_failing) {
        d->store_failing = true;
        arc_event_record(d->events, ARC_EVENT_STORE_FAILED, ARC_SEV_CRITICAL,
                         ARC_EVENT_MESH_WIDE, NULL,
                         "history writes failing, %llu rows held and "
                         "retried: %s",
                         (unsigned long long)rows, message);
    }
    if (recovered && d->store_failing) {
        d->store_failing = false;
        arc_event_record(d->events, ARC_EVENT_STORE_RECOVERED, ARC_SEV_INFO,
                         ARC_EVENT_MESH_WIDE, NULL,
                         "history writes recovered");
    }
}

static void step(lws_sorted_usec_list_t *sul)
{
    arc_daemon_t *d = lws_container_of(sul, arc_daemon_t, sul);
    lws_usec_t now = lws_now_usecs();
    double real_us = (double)(now - d->last_step);
    int64_t target = arc_engine_now(d->engine) +
                     (int64_t)(real_us * d->cfg.time_scale);

    d->last_step = now;
    if (arc_engine_advance(d->engine, target) != ARC_OK) {
        arc_daemon_log(ARC_LOG_ERROR, "sim", "step failed target=%lld",
                       (long long)target);
    }
    arc_daemon_bus_poll(d->bus);
    arc_api_flush(d->api, arc_engine_now(d->engine));
    arc_store_feed_tick(d->feed, arc_engine_now(d->engine));
    record_store_events(d);
    d->steps++;
    lws_sul_schedule(arc_api_lws(d->api), 0, &d->sul, step,
                     ARC_DAEMON_STEP_US);
}

/*
 * The simulated clock starts at the wall clock, or, when the history
 * already runs past it (a faster time scale last time), just after the
 * last thing recorded, so valid time never runs backwards.
 */
static int64_t resume_time(const arc_daemon_t *d, int64_t tick_us)
{
    int64_t start = arc_now_us();

    for (size_t i = 0; i < d->known_count; i++) {
        if (d->known[i].valid_us + tick_us > start) {
            start = d->known[i].valid_us + tick_us;
        }
    }
    return start;
}

/* Puts every node the history knows back in its last known state. */
static void restore_nodes(arc_daemon_t *d)
{
    size_t restored = 0;

    for (size_t i = 0; i < d->known_count; i++) {
        const arc_store_node_row_t *r = &d->known[i];
        arc_telemetry_t t = {0};
        uint32_t index;

        if (arc_mesh_find(d->mesh, r->node, &index) != ARC_OK) {
            continue; /* a site this run does not simulate */
        }
        t.seq = r->seq;
        t.status = r->status == ARC_NODE_DRAINING ? ARC_NODE_UP : r->status;
        t.energy_source = r->energy_source;
        t.models = r->models;
        t.gpu_mem_used_gb = r->gpu_mem_used_gb;
        t.battery_soc = r->battery_soc;
        t.power_kw = r->power_kw;
        t.carbon_g_per_kwh = r->carbon_g_per_kwh;
        if (arc_engine_restore_node(d->engine, index, &t) != ARC_OK) {
            arc_daemon_log(ARC_LOG_WARN, "store",
                           "cannot restore node=%s seq=%llu", r->node,
                           (unsigned long long)r->seq);
            continue;
        }
        if (r->status == ARC_NODE_DRAINING) {
            arc_mesh_set_drained(d->mesh, index, true);
        }
        restored++;
    }
    if (d->known_count > 0) {
        arc_daemon_log(ARC_LOG_INFO, "store",
                       "restored last known state nodes=%zu of=%zu",
                       restored, d->known_count);
    }
    free(d->known);
    d->known = NULL;
    d->known_count = 0;
}

static arc_status_t make_engine(arc_daemon_t *d)
{
    arc_engine_config_t ec;
    arc_engine_parts_t parts = {d->mesh, NULL, NULL};
    arc_status_t st;

    arc_engine_config_default(&ec);
    ec.seed = d->cfg.seed;
    ec.nodes = d->cfg.nodes;
    ec.policy = d->cfg.policy;
    ec.tick_us = (int64_t)d->cfg.tick_ms * ARC_US_PER_MS;
    ec.start_us = resume_time(d, ec.tick_us);
    st = arc_engine_new(&ec, &parts, &d->engine);
    if (st != ARC_OK) {
        return st;
    }
    restore_nodes(d);
    arc_engine_set_callbacks(d->engine, on_decision, on_outcome, d);
    return ARC_OK;
}

static arc_status_t make_events(arc_daemon_t *d)
{
    arc_event_config_t ec;

    arc_event_config_default(&ec);
    ec.capacity = 20000;
    ec.clock = event_clock;
    ec.clock_ctx = d;
    d->events = arc_event_log_new(&ec);
    return d->events ? ARC_OK : ARC_ERR_NOMEM;
}

static arc_status_t make_detector(arc_daemon_t *d)
{
    d->detector = arc_event_detector_new(d->mesh, d->events);
    if (d->detector == NULL ||
        arc_mesh_add_hook(d->mesh, arc_event_detector_hook, d->detector) !=
            ARC_OK) {
        return ARC_ERR_NOMEM;
    }
    d->detector_hooked = true;
    return ARC_OK;
}

/* Runs on the store's writer thread; the log is thread-safe. */

static int64_t engine_clock(void *ctx)
{
    return event_clock(ctx);
}

/*
 * Opens the history (--store, else DATA_DIR/history.db) and reads the
 * last known state of every node, which the engine restores.
 */
static arc_status_t open_store(arc_daemon_t *d)
{
    arc_store_config_t sc;
    char target[1100], err[256];
    arc_status_t st;

    arc_store_config_default(&sc);
    sc.deadband_soc = (float)d->cfg.deadband_soc;
    sc.deadband_util = (float)d->cfg.deadband_util;
    sc.deadband_carbon = (float)d->cfg.deadband_carbon;
    sc.deadband_power_kw = (float)d->cfg.deadband_power_kw;
    sc.flush_us = (int64_t)d->cfg.flush_ms * ARC_US_PER_MS;
    sc.keyframe_us = (int64_t)d->cfg.keyframe_s * ARC_US_PER_S;
    sc.raw_keep_us = (int64_t)d->cfg.raw_keep_days * 86400 * ARC_US_PER_S;
    sc.minute_keep_us =
        (int64_t)d->cfg.minute_keep_days * 86400 * ARC_US_PER_S;
    sc.valid_clock = engine_clock;
    sc.valid_clock_ctx = d;
    sc.report = on_store_report;
    sc.report_ctx = d;
    if (d->cfg.store[0] != '\0') {
        snprintf(target, sizeof(target), "%s", d->cfg.store);
    } else {
        snprintf(target, sizeof(target), "%s/history.db", d->cfg.data_dir);
    }
    st = arc_store_open(target, &sc, &d->store, err, sizeof(err));
    if (st != ARC_OK) {
        arc_daemon_log(ARC_LOG_ERROR, "store", "cannot open history: %s",
                       err);
        return st;
    }
    st = arc_store_load_latest(d->store, &d->known, &d->known_count, err,
                               sizeof(err));
    if (st != ARC_OK) {
        arc_daemon_log(ARC_LOG_ERROR, "store",
                       "cannot read the last known state: %s", err);
        return st;
    }
    arc_daemon_log(ARC_LOG_INFO, "store",
                   "history open backend=%s known_nodes=%zu",
                   arc_store_backend(d->store), d->known_count);
    return ARC_OK;
}

/* Feeds every change of the mesh, events and outcomes to the history. */
static arc_status_t make_feed(arc_daemon_t *d)
{
    return arc_store_feed_new(d->store, d->mesh, d->events, engine_clock,
                              d, 60 * ARC_US_PER_S, &d->feed);
}

/*
 * Opens the in-process bus and makes it the engine's telemetry sink:
 * from here on every report reaches the mesh through the bus. (The
 * last known states restored from history went in directly, before.)
 */
static arc_status_t make_bus(arc_daemon_t *d)
{
    arc_engine_telemetry_sink_t sink;
    arc_status_t st = arc_daemon_bus_open(&d->cfg, d->mesh, d->events,
                                          &d->bus);

    if (st != ARC_OK) {
        return st;
    }
    arc_daemon_bus_sink(d->bus, &sink);
    arc_engine_set_telemetry_sink(d->engine, &sink);
    return ARC_OK;
}

/* GET /v1/stats: the role, the bus and its consumer's counters. */
static void write_stats(void *ctx, arc_jw_t *w)
{
    arc_daemon_t *d = ctx;

    arc_jw_kstr(w, "role", "all");
    arc_daemon_bus_view(d->bus, w);
}

static arc_status_t make_api(arc_daemon_t *d)
{
    arc_api_deps_t deps = {
        .engine = d->engine,
        .events = d->events,
        .rates = &d->rates,
        .auth = &d->auth,
        .default_policy = d->cfg.policy,
        .time_scale = d->cfg.time_scale,
        .console_dir = d->cfg.console_dir,
        .store = d->store,
        .stats = write_stats,
        .stats_ctx = d,
    };

    return arc_api_new(&deps, d->cfg.listen_host, d->cfg.listen_port,
                       &d->api);
}

arc_status_t arc_daemon_new(const arc_config_t *cfg, const arc_auth_t *auth,
                            arc_daemon_t **out)
{
    arc_daemon_t *d = calloc(1, sizeof(*d));
    arc_status_t st = ARC_ERR_NOMEM;

    *out = NULL;
    if (d == NULL) {
        return st;
    }
    d->cfg = *cfg;
    d->auth = *auth;
    pthread_mutex_init(&d->report_lock, NULL);
    arc_rates_init(&d->rates);
    d->mesh = arc_mesh_new();
    if (d->mesh == NULL || (st = make_events(d)) != ARC_OK ||
        (st = open_store(d)) != ARC_OK || (st = make_engine(d)) != ARC_OK ||
        (st = make_detector(d)) != ARC_OK || (st = make_feed(d)) != ARC_OK ||
        (st = make_bus(d)) != ARC_OK || (st = make_api(d)) != ARC_OK) {
        arc_daemon_free(d);
        return st;
    }
    *out = d;
    return ARC_OK;
}

uint16_t arc_daemon_port(const arc_daemon_t *d)
{
    return arc_api_port(d->api);
}

arc_status_t arc_daemon_run(arc_daemon_t *d)
{
    d->last_step = lws_now_usecs();
    lws_sul_schedule(arc_api_lws(d->api), 0, &d->sul, step,
                     ARC_DAEMON_STEP_US);
    while (!d->stopping) {
        if (arc_api_service(d->api) < 0) {
            arc_daemon_log(ARC_LOG_ERROR, "api", "event loop failed");
            return ARC_ERR_IO;
        }
    }
    lws_sul_cancel(&d->sul);
    arc_daemon_log(ARC_LOG_INFO, "daemon", "stopping steps=%llu",
                   (unsigned long long)d->steps);
    arc_api_shutdown(d->api, 500 * ARC_US_PER_MS);
    return ARC_OK;
}

void arc_daemon_stop(arc_daemon_t *d)
{
    d->stopping = 1;
    if (d->api != NULL) {
        arc_api_wake(d->api);
    }
}

void arc_daemon_free(arc_daemon_t *d)
{
    if (d == NULL) {
        return;
    }
    /* The engine goes first: its outcomes may still reach live
     * sessions, and the router it owns hooks the mesh. */
    arc_engine_free(d->engine);
    d->engine = NULL;
    arc_api_free(d->api);
    arc_daemon_bus_close(d->bus); /* stops publishing the log's events */
    arc_store_feed_free(d->feed);
    arc_store_close(d->store);
    free(d->known);
    if (d->detector_hooked) {
        arc_mesh_remove_hook(d->mesh, arc_event_detector_hook, d->detector);
    }
    arc_event_detector_free(d->detector);
    arc_event_log_free(d->events);
    arc_mesh_free(d->mesh);
    memset(&d->auth, 0, sizeof(d->auth));
    pthread_mutex_destroy(&d->report_lock);
    free(d);
}
