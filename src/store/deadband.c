/*
 * deadband.c - telemetry dead-band and keyframes (see deadband.h).
 *
 * The node's last written row is kept whole in a node map; a report is
 * compared field by field against it. Owner thread only.
 */
#include "store/deadband.h"

#include <math.h>
#include <stdlib.h>

#include "store/nodemap.h"

struct arc_deadband {
    arc_store_config_t cfg;
    arc_nodemap_t *last; /* node id -> arc_store_node_row_t */
};

arc_deadband_t *arc_deadband_new(const arc_store_config_t *cfg)
{
    arc_deadband_t *db = calloc(1, sizeof(*db));

    if (db == NULL) {
        return NULL;
    }
    db->cfg = *cfg;
    db->last = arc_nodemap_new(sizeof(arc_store_node_row_t));
    if (db->last == NULL) {
        free(db);
        return NULL;
    }
    return db;
}

void arc_deadband_free(arc_deadband_t *db)
{
    if (db != NULL) {
        arc_nodemap_free(db->last);
        free(db);
    }
}

static bool moved(float a, float b, float band)
{
    return fabsf(a - b) >= band;
}

static bool changed(const arc_store_config_t *c,
                    const arc_store_node_row_t *a,
                    const arc_store_node_row_t *b)
{
    uint32_t gpus_diff = a->gpus_free > b->gpus_free
                             ? (uint32_t)(a->gpus_free - b->gpus_free)
                             : (uint32_t)(b->gpus_free - a->gpus_free);

    if (a->status != b->status || a->energy_source != b->energy_source ||
        a->models != b->models || a->gpus_total != b->gpus_total ||
        a->zone != b->zone) {
        return true;
    }
    return moved(a->battery_soc, b->battery_soc, c->deadband_soc) ||
           moved(a->gpu_util, b->gpu_util, c->deadband_util) ||
           moved(a->carbon_g_per_kwh, b->carbon_g_per_kwh,
                 c->deadband_carbon) ||
           moved(a->power_kw, b->power_kw, c->deadband_power_kw) ||
           (c->deadband_gpus > 0 && gpus_diff >= c->deadband_gpus);
}

int arc_deadband_check(const arc_deadband_t *db,
                       const arc_store_node_row_t *row)
{
    const arc_store_node_row_t *last = arc_nodemap_get(db->last, row->node);

    if (last == NULL || row->valid_us < last->valid_us ||
        changed(&db->cfg, row, last)) {
        return ARC_STORE_TELEMETRY;
    }
    if (db->cfg.keyframe_us > 0 &&
        row->valid_us - last->valid_us >= db->cfg.keyframe_us) {
        return ARC_STORE_KEYFRAME;
    }
    return -1;
}

arc_status_t arc_deadband_commit(arc_deadband_t *db,
                                 const arc_store_node_row_t *row)
{
    arc_store_node_row_t *last = arc_nodemap_put(db->last, row->node, NULL);

    if (last == NULL) {
        return ARC_ERR_NOMEM;
    }
    if (last->node[0] == '\0' || row->valid_us >= last->valid_us) {
        *last = *row;
    }
    return ARC_OK;
}
