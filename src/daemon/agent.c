/*
 * agent.c - arcnetd --role agent: one ganglion's reporter and executor.
 *
 * Every tick the agent publishes its site's telemetry to
 * arcnet.telemetry under its node id, numbered by its own report
 * counter; it runs the inference requests that zones address to it on
 * arcnet.inference (key: its node id) and publishes each outcome there
 * under the same key.
 *
 * One idea: a simulated site (--sim-site) is the same engine the `all`
 * role runs, with no workload, stepped in real time; the agent reads its
 * one node out of the engine's mesh. A real host starts from the site
 * table's node and overwrites what it can measure (host.h).
 *
 * Threads: the main thread runs everything. Memory: the agent owns its
 * engine, bus, ingest and in-flight table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/ingest.h"
#include "daemon/host.h"
#include "daemon/log.h"
#include "daemon/role.h"
#include "daemon/role_events.h"
#include "sim/engine.h"

#define MAX_INFLIGHT 256
#define PUE 1.2
#define GPU_KW 0.7

typedef struct job {
    arc_request_t req;
    int64_t done_us; /* real time the simulated service ends */
    double service_ms;
} job_t;

typedef struct agent {
    const arc_config_t *cfg;
    arc_role_bus_t rb;
    arc_role_mesh_t site_mesh; /* real host: the site table's node */
    arc_engine_t *engine;      /* simulated site */
    arc_host_t *host;
    arc_ingest_t *ingest;
    arc_bus_sub_t *sub;
    uint32_t node;             /* index in the mesh we read */
    uint64_t seq;              /* our report counter (see run) */
    uint64_t out_seq;          /* our outcome counter */
    job_t jobs[MAX_INFLIGHT];
    uint32_t njobs;
    uint32_t busy_gpus;
    uint64_t done_ids[64];     /* recent request ids, for redelivery */
    uint32_t done_next;
    uint64_t event_seq;        /* our event counter */
    arc_role_outbox_t outbox;  /* events the producer refused */
    arc_role_backlog_t backlog;
} agent_t;

static const arc_mesh_t *agent_mesh(agent_t *a)
{
    return a->engine ? arc_engine_mesh(a->engine) : a->site_mesh.mesh;
}

static int64_t period_us(const agent_t *a)
{
    return (int64_t)((double)a->cfg->tick_ms * ARC_US_PER_MS /
                     a->cfg->time_scale);
}

static void fill_telemetry(agent_t *a, arc_telemetry_t *t)
{
    const arc_node_t *n = arc_mesh_node(agent_mesh(a), a->node);

    memset(t, 0, sizeof(*t));
    t->seq = ++a->seq;
    t->time_us = arc_now_us();
    t->status = n->status;
    t->energy_source = n->energy_source;
    t->gpus_free = (uint16_t)(n->gpus_free > a->busy_gpus
                                  ? n->gpus_free - a->busy_gpus : 0);
    t->models = n->models;
    t->queue_depth = n->queue_depth + a->njobs;
    t->gpu_util = n->gpus_total ? (float)(n->gpus_total - t->gpus_free) /
                                      (float)n->gpus_total
                                : 0.0f;
    t->gpu_mem_used_gb = n->gpu_mem_used_gb;
    t->battery_soc = n->battery_soc;
    t->power_kw = n->power_kw;
    t->carbon_g_per_kwh = n->carbon_g_per_kwh;
    if (a->host != NULL) {
        /* Not yet: a real host reports the site table's models, energy
         * source and carbon intensity; only battery and GPUs are
         * measured. */
        arc_host_measure(a->host, a->busy_gpus, t);
    }
}

/*
 * Puts an event of the backlog watcher about this agent's node on
 * arcnet.events, where the brain (and every console on it) sees it. The
 * event waits in the producer with everything else while the brokers
 * are away, and reaches the brain with its original time once they are
 * back; one the producer refused waits in the outbox.
 */
static void say_bus(void *ctx, arc_event_type_t type, arc_severity_t sev,
                    const char *message)
{
    agent_t *a = ctx;
    const arc_node_t *n = arc_mesh_node(agent_mesh(a), a->node);
    arc_event_t ev;

    memset(&ev, 0, sizeof(ev));
    ev.seq = ++a->event_seq;
    ev.time_us = arc_now_us();
    ev.type = (uint8_t)type;
    ev.severity = (uint8_t)sev;
    ev.zone = n->zone;
    snprintf(ev.node, sizeof(ev.node), "%s", n->id);
    snprintf(ev.message, sizeof(ev.message), "%s", message);
    arc_role_send_event(&a->rb, &a->outbox, &ev);
}

static void report(agent_t *a)
{
    arc_telemetry_t t;
    const uint8_t *data;
    size_t len;

    fill_telemetry(a, &t);
    if (arc_codec_encode_telemetry(a->rb.codec, a->cfg->node, &t, &data,
                                   &len) != ARC_OK) {
        arc_daemon_log(ARC_LOG_ERROR, "agent", "cannot encode telemetry "
                       "node=%s", a->cfg->node);
        return;
    }
    if (arc_role_publish(&a->rb, ARC_RT_TELEMETRY, a->cfg->node, data,
                         len) != ARC_OK) {
        a->seq--; /* not sent: the next report reuses the number */
    }
}

static bool seen(agent_t *a, uint64_t id)
{
    for (uint32_t i = 0; i < ARC_ARRAY_LEN(a->done_ids); i++) {
        if (a->done_ids[i] == id) {
            return true;
        }
    }
    for (uint32_t i = 0; i < a->njobs; i++) {
        if (a->jobs[i].req.id == id) {
            return true;
        }
    }
    return false;
}

/* Not yet: requests run for a simulated service time, also on a real
 * host; no model server is called. */
static arc_status_t on_request(void *ctx, const arc_msg_request_t *r)
{
    agent_t *a = ctx;
    const arc_model_t *m = arc_model_get(r->req.model);
    int64_t now = arc_now_us();
    job_t *j;

    if (seen(a, r->req.id) ||
        (r->req.deadline_us != 0 && r->req.deadline_us < now)) {
        return ARC_ERR_DUPLICATE; /* redelivered, or nobody waits */
    }
    if (a->njobs == MAX_INFLIGHT || m == NULL) {
        return ARC_ERR_FULL; /* comes again once a job finishes */
    }
    j = &a->jobs[a->njobs++];
    j->req = r->req;
    j->service_ms = m->prefill_ms + 1000.0 * r->req.tokens / m->tokens_per_s;
    j->done_us = now + (int64_t)(j->service_ms * ARC_US_PER_MS /
                                 a->cfg->time_scale);
    a->busy_gpus += m->gpus;
    return ARC_OK;
}

static void publish_outcome(agent_t *a, const job_t *j)
{
    const arc_node_t *n = arc_mesh_node(agent_mesh(a), a->node);
    const arc_model_t *m = arc_model_get(j->req.model);
    arc_msg_outcome_t o;
    const uint8_t *data;
    size_t len;

    memset(&o, 0, sizeof(o));
    o.seq = ++a->out_seq;
    o.request_id = j->req.id;
    o.status = ARC_OK;
    snprintf(o.node, sizeof(o.node), "%s", n->id);
    o.zone = n->zone;
    o.source = n->energy_source;
    o.service_ms = j->service_ms;
    o.energy_kwh = m->gpus * GPU_KW * PUE * j->service_ms / 3.6e6;
    o.carbon_g = o.energy_kwh * n->carbon_g_per_kwh;
    o.finished_us = arc_now_us();
    o.slo_missed = j->req.deadline_us != 0 &&
                   o.finished_us > j->req.deadline_us;
    if (arc_codec_encode_outcome(a->rb.codec, &o, &data, &len) == ARC_OK) {
        arc_role_publish(&a->rb, ARC_RT_INFERENCE, a->cfg->node, data, len);
    }
}

static void finish_due(agent_t *a)
{
    int64_t now = arc_now_us();

    for (uint32_t i = 0; i < a->njobs;) {
        job_t *j = &a->jobs[i];

        if (j->done_us > now) {
            i++;
            continue;
        }
        publish_outcome(a, j);
        a->busy_gpus -= arc_model_get(j->req.model)->gpus;
        a->done_ids[a->done_next++ % ARC_ARRAY_LEN(a->done_ids)] =
            j->req.id;
        a->jobs[i] = a->jobs[--a->njobs];
    }
}

/* Only requests addressed to this node reach the ingest. */
static arc_status_t on_message(void *ctx, const arc_bus_msg_t *msg)
{
    agent_t *a = ctx;
    size_t n = strlen(a->cfg->node);

    if (msg->key == NULL || msg->key_len != n ||
        memcmp(msg->key, a->cfg->node, n) != 0) {
        return ARC_OK;
    }
    return arc_ingest_handle(a->ingest, msg);
}

static arc_status_t open_site(agent_t *a)
{
    arc_engine_config_t ec;
    arc_status_t st;

    if (!a->cfg->sim_site) {
        st = arc_role_mesh_open(&a->site_mesh, a->cfg);
        a->host = st == ARC_OK ? arc_host_open() : NULL;
        return st != ARC_OK ? st : a->host ? ARC_OK : ARC_ERR_NOMEM;
    }
    arc_engine_config_default(&ec);
    ec.seed = a->cfg->seed;
    ec.nodes = a->cfg->nodes;
    ec.start_us = arc_now_us();
    ec.tick_us = (int64_t)a->cfg->tick_ms * ARC_US_PER_MS;
    ec.workload = false;
    return arc_engine_new(&ec, NULL, &a->engine);
}

static arc_status_t agent_open(agent_t *a)
{
    const char *topic;
    arc_ingest_hooks_t hooks = {.request = on_request, .ctx = a};
    char group[160], name[64], label[64];
    arc_status_t st;

    snprintf(name, sizeof(name), "agent-%s", a->cfg->node);
    st = open_site(a);
    if (st == ARC_OK &&
        arc_mesh_find(agent_mesh(a), a->cfg->node, &a->node) != ARC_OK) {
        arc_daemon_log(ARC_LOG_ERROR, "agent", "no such node in the site "
                       "table node=%s nodes=%u", a->cfg->node,
                       a->cfg->nodes);
        st = ARC_ERR_NOT_FOUND;
    }
    if (st == ARC_OK) {
        st = arc_role_bus_open(&a->rb, a->cfg, name);
    }
    if (st != ARC_OK) {
        return st;
    }
    snprintf(label, sizeof(label), "node=%s", a->cfg->node);
    arc_role_backlog_init(&a->backlog, label, a->cfg->node, say_bus, a);
    a->ingest = arc_ingest_new(NULL, &hooks, arc_role_bus_log, NULL);
    if (a->ingest == NULL) {
        return ARC_ERR_NOMEM;
    }
    topic = a->rb.topic[ARC_RT_INFERENCE];
    arc_role_group(&a->rb, name, group, sizeof(group));
    return arc_bus_subscribe(a->rb.bus, &topic, 1, group, on_message, a,
                             &a->sub);
}

static void agent_close(agent_t *a)
{
    arc_role_bus_close(&a->rb);
    arc_ingest_free(a->ingest);
    arc_engine_free(a->engine);
    arc_host_close(a->host);
    arc_role_mesh_close(&a->site_mesh);
}

/* Advances the simulated site to now and reports. */
static void tick(agent_t *a, int64_t real_elapsed_us)
{
    if (a->engine != NULL) {
        int64_t target = arc_engine_now(a->engine) +
                         (int64_t)((double)real_elapsed_us *
                                   a->cfg->time_scale);

        arc_engine_advance(a->engine, target);
    }
    report(a);
}

static void agent_loop(agent_t *a, const volatile sig_atomic_t *stop)
{
    int64_t last = arc_now_us(), next = last;

    while (!*stop) {
        int64_t now = arc_now_us();

        if (now >= next) {
            tick(a, now - last);
            last = now;
            next += period_us(a);
            next = next < now ? now + period_us(a) : next;
        }
        arc_bus_poll(a->rb.bus, 20, 256, NULL);
        finish_due(a);
        arc_role_outbox_retry(&a->rb, &a->outbox);
        arc_role_backlog_watch(&a->backlog, &a->rb, arc_now_us());
    }
}

arc_status_t arc_agent_run(const arc_config_t *cfg,
                           const volatile sig_atomic_t *stop)
{
    agent_t *a = calloc(1, sizeof(*a));
    arc_status_t st = ARC_ERR_NOMEM;

    if (a != NULL) {
        a->cfg = cfg;
        /* Reports are numbered from the start time in milliseconds, so
         * an agent that restarts continues above its old numbers. */
        a->seq = (uint64_t)(arc_now_us() / ARC_US_PER_MS);
        st = agent_open(a);
    }
    if (st == ARC_OK) {
        arc_daemon_log(ARC_LOG_INFO, "agent", "running node=%s site=%s "
                       "period_ms=%lld", cfg->node,
                       cfg->sim_site ? "simulated" : "host",
                       (long long)(period_us(a) / ARC_US_PER_MS));
        agent_loop(a, stop);
        arc_daemon_log(ARC_LOG_INFO, "agent", "stopping node=%s seq=%llu",
                       cfg->node, (unsigned long long)a->seq);
    }
    if (a != NULL) {
        agent_close(a);
        free(a);
    }
    return st;
}
