/*
 * fixture.h - small builders shared by the unit tests: a node with sane
 * defaults, telemetry that mirrors a node, a request. Header-only so each
 * test program stays one file.
 */
#ifndef ARC_TEST_FIXTURE_H
#define ARC_TEST_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "core/geo.h"
#include "core/types.h"
#include "state/mesh.h"

#define FIX_NOW (1700000000LL * ARC_US_PER_S)

/* An up node on solar with 8 free GPUs, every model loaded. */
static inline arc_node_t fix_node(const char *id, double lat, double lon)
{
    arc_node_t n;

    memset(&n, 0, sizeof(n));
    memcpy(n.id, id, strnlen(id, sizeof(n.id) - 1));
    n.site = "test site";
    n.lat = lat;
    n.lon = lon;
    n.zone = (uint8_t)arc_geo_zone_of(lat, lon);
    n.models = (1u << arc_model_count()) - 1;
    n.gpus_total = 8;
    n.gpus_free = 8;
    n.battery_soc = 0.8f;
    n.battery_kwh = 500.0f;
    n.battery_reserve = 0.2f;
    n.power_kw = 10.0f;
    n.carbon_g_per_kwh = 40.0f;
    n.status = ARC_NODE_UP;
    n.energy_source = ARC_SOURCE_SOLAR;
    n.last_heartbeat_us = FIX_NOW;
    return n;
}

/* Telemetry carrying a node's present values with the next sequence. */
static inline arc_telemetry_t fix_telemetry(const arc_mesh_t *mesh,
                                            uint32_t index)
{
    const arc_node_t *n = arc_mesh_node(mesh, index);
    arc_telemetry_t t;

    memset(&t, 0, sizeof(t));
    t.node = index;
    t.seq = n->seq + 1;
    t.time_us = n->last_heartbeat_us;
    t.status = n->status;
    t.energy_source = n->energy_source;
    t.gpus_free = n->gpus_free;
    t.models = n->models;
    t.queue_depth = n->queue_depth;
    t.gpu_util = n->gpu_util;
    t.gpu_mem_used_gb = n->gpu_mem_used_gb;
    t.battery_soc = n->battery_soc;
    t.power_kw = n->power_kw;
    t.carbon_g_per_kwh = n->carbon_g_per_kwh;
    return t;
}

static inline arc_request_t fix_request(uint64_t id, double lat, double lon,
                                        arc_priority_t prio)
{
    arc_request_t r;

    memset(&r, 0, sizeof(r));
    r.id = id;
    r.model = 0;
    r.priority = (uint8_t)prio;
    r.lat = lat;
    r.lon = lon;
    r.arrival_us = FIX_NOW;
    r.tokens = 256;
    return r;
}

#endif
