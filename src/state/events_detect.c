/*
 * events_detect.c - turns mesh changes into events: a node going up,
 * down or draining, a battery running low or recovering, a node
 * switching energy source.
 *
 * The one idea: the mesh hands every change hook the node's state before
 * the change, so most events are a comparison of before and after with
 * no memory of our own. Battery hysteresis is the exception: whether a
 * battery at 0.27 is "low" depends on where it came from, so the detector
 * keeps one flag per node, grown as the mesh grows.
 *
 * Thread: the mesh's owner (hooks run inside arc_mesh_apply and friends).
 * Memory: the detector owns its flag array; mesh and log are borrowed.
 */
#include "state/events.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct arc_event_detector {
    const arc_mesh_t *mesh;
    arc_event_log_t *log;
    uint8_t *battery_low; /* per node: 1 while flagged low */
    uint32_t cap;         /* length of battery_low */
};

/* The status an operator sees: down, draining (node or operator), up. */
static arc_node_status_t effective_status(const arc_node_t *n)
{
    if (n->status == ARC_NODE_DOWN)
        return ARC_NODE_DOWN;
    if (n->status == ARC_NODE_DRAINING || n->admin_drained)
        return ARC_NODE_DRAINING;
    return ARC_NODE_UP;
}

static bool has_battery(const arc_node_t *n)
{
    return n->battery_kwh > 0.0f;
}

static bool grow(arc_event_detector_t *det, uint32_t need)
{
    uint32_t cap = det->cap != 0 ? det->cap : 64;
    uint8_t *flags;

    while (cap < need && cap < UINT32_MAX / 2)
        cap *= 2;
    if (cap < need)
        return false;

    flags = realloc(det->battery_low, cap);
    if (flags == NULL)
        return false;
    memset(flags + det->cap, 0, cap - det->cap);
    det->battery_low = flags;
    det->cap = cap;
    return true;
}

arc_event_detector_t *arc_event_detector_new(const arc_mesh_t *mesh,
                                             arc_event_log_t *log)
{
    arc_event_detector_t *det;
    uint32_t count;
    float low;

    if (mesh == NULL || log == NULL)
        return NULL;
    det = calloc(1, sizeof(*det));
    if (det == NULL)
        return NULL;
    det->mesh = mesh;
    det->log = log;

    count = arc_mesh_count(mesh);
    if (!grow(det, count)) {
        arc_event_detector_free(det);
        return NULL;
    }

    low = arc_event_log_config(log)->battery_low;
    for (uint32_t i = 0; i < count; i++) {
        const arc_node_t *n = arc_mesh_node(mesh, i);

        det->battery_low[i] = has_battery(n) && n->battery_soc < low;
    }
    return det;
}

void arc_event_detector_free(arc_event_detector_t *det)
{
    if (det == NULL)
        return;
    free(det->battery_low);
    free(det);
}

static const char *site_of(const arc_node_t *n)
{
    return n->site != NULL ? n->site : "its site";
}

static void detect_status(arc_event_detector_t *det, const arc_node_t *n,
                          const arc_node_t *before)
{
    arc_node_status_t was = effective_status(before);
    arc_node_status_t now = effective_status(n);
    arc_zone_t zone = (arc_zone_t)n->zone;

    if (was == now)
        return;

    if (now == ARC_NODE_UP) {
        arc_event_record(det->log, ARC_EVENT_NODE_UP, ARC_SEV_INFO, zone,
                         n->id, "%s at %s is up (was %s), %u of %u GPUs free",
                         n->id, site_of(n), arc_node_status_name(was),
                         n->gpus_free, n->gpus_total);
    } else if (now == ARC_NODE_DOWN) {
        arc_event_record(det->log, ARC_EVENT_NODE_DOWN, ARC_SEV_CRITICAL,
                         zone, n->id,
                         "%s at %s is down (was %s), %u GPUs lost, "
                         "queue depth %u",
                         n->id, site_of(n), arc_node_status_name(was),
                         n->gpus_total, n->queue_depth);
    } else {
        bool admin = n->admin_drained && n->status != ARC_NODE_DRAINING;

        arc_event_record(det->log, ARC_EVENT_NODE_DRAINING,
                         admin ? ARC_SEV_INFO : ARC_SEV_WARNING, zone,
                         n->id, "%s at %s is draining (was %s), %s",
                         n->id, site_of(n), arc_node_status_name(was),
                         admin ? "drained by an operator"
                               : "reported by the node");
    }
}

static void detect_battery(arc_event_detector_t *det, uint32_t index,
                           const arc_node_t *n)
{
    const arc_event_config_t *cfg = arc_event_log_config(det->log);
    uint8_t *low = &det->battery_low[index];
    arc_zone_t zone = (arc_zone_t)n->zone;
    /* Whole percent rounded away from the threshold, so a battery just
       below 25% never reads "25% (below 25%)". */
    double soc_pct = (double)n->battery_soc * 100.0;

    if (!has_battery(n))
        return;

    if (!*low && n->battery_soc < cfg->battery_low) {
        bool reserve = n->battery_soc <= n->battery_reserve;

        *low = 1;
        arc_event_record(det->log, ARC_EVENT_BATTERY_LOW,
                         reserve ? ARC_SEV_CRITICAL : ARC_SEV_WARNING, zone,
                         n->id, "%s battery low at %d%% (below %d%%%s), on %s",
                         n->id, (int)floor(soc_pct + 1e-3),
                         (int)(cfg->battery_low * 100.0f + 0.5f),
                         reserve ? ", at reserve" : "",
                         arc_source_name((arc_energy_source_t)
                                             n->energy_source));
    } else if (*low && n->battery_soc > cfg->battery_recover) {
        *low = 0;
        arc_event_record(det->log, ARC_EVENT_BATTERY_RECOVERED, ARC_SEV_INFO,
                         zone, n->id,
                         "%s battery recovered to %d%% (above %d%%)", n->id,
                         (int)ceil(soc_pct - 1e-3),
                         (int)(cfg->battery_recover * 100.0f + 0.5f));
    }
}

static void detect_source(arc_event_detector_t *det, const arc_node_t *n,
                          const arc_node_t *before)
{
    if (n->energy_source == before->energy_source)
        return;

    arc_event_record(
        det->log, ARC_EVENT_SOURCE_CHANGE, ARC_SEV_INFO,
        (arc_zone_t)n->zone, n->id,
        "%s switched from %s to %s (%.0f g CO2/kWh)", n->id,
        arc_source_name((arc_energy_source_t)before->energy_source),
        arc_source_name((arc_energy_source_t)n->energy_source),
        (double)n->carbon_g_per_kwh);
}

void arc_event_detector_hook(void *ctx, uint32_t node,
                             const arc_node_t *before)
{
    arc_event_detector_t *det = ctx;
    const arc_node_t *n;

    if (det == NULL || before == NULL)
        return;
    n = arc_mesh_node(det->mesh, node);
    if (n == NULL)
        return;

    detect_status(det, n, before);
    detect_source(det, n, before);

    /* Not yet: a node whose flag cannot be grown (out of memory) gets no
       battery events. */
    if (node < det->cap || grow(det, node + 1))
        detect_battery(det, node, n);
}
