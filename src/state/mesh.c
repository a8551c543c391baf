/*
 * mesh.c - the live node table, its id index and the zone totals.
 *
 * Nodes live in one growable array, addressed by index; ids map to
 * indexes through an open-addressing hash table (linear probing, load at
 * most one half), so a lookup by id costs one hash and a probe or two at
 * any size. Zone totals are adjusted by subtracting a node's old
 * contribution and adding its new one on every change: O(1) per update,
 * never a scan. A node marked silent keeps its last report and leaves
 * the healthy totals the same way, through `account`. Owned by one
 * thread.
 */
#include "state/mesh.h"

#include "core/geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY_SLOT UINT32_MAX

struct hook {
    arc_mesh_hook_fn fn;
    void *ctx;
};

struct arc_mesh {
    arc_node_t *nodes;
    uint32_t count;
    uint32_t capacity;

    uint32_t *slots; /* id hash table: node index or EMPTY_SLOT */
    uint32_t slot_count; /* a power of two */

    arc_zone_totals_t zones[ARC_ZONE_COUNT];

    struct hook hooks[ARC_MESH_MAX_HOOKS];
    uint32_t hook_count;
};

/* FNV-1a over the id: short keys, good spread, no allocation. */
static uint32_t hash_id(const char *id)
{
    uint32_t h = 2166136261u;

    for (; *id != '\0'; id++) {
        h ^= (uint8_t)*id;
        h *= 16777619u;
    }
    return h;
}

static uint32_t find_slot(const arc_mesh_t *mesh, const char *id)
{
    uint32_t mask = mesh->slot_count - 1;
    uint32_t i = hash_id(id) & mask;

    while (mesh->slots[i] != EMPTY_SLOT &&
           strcmp(mesh->nodes[mesh->slots[i]].id, id) != 0)
        i = (i + 1) & mask;
    return i;
}

static arc_status_t grow_slots(arc_mesh_t *mesh)
{
    uint32_t new_count = mesh->slot_count ? mesh->slot_count * 2 : 64;
    uint32_t *old = mesh->slots;
    uint32_t old_count = mesh->slot_count;

    mesh->slots = malloc(sizeof(uint32_t) * new_count);
    if (mesh->slots == NULL) {
        mesh->slots = old;
        return ARC_ERR_NOMEM;
    }
    memset(mesh->slots, 0xff, sizeof(uint32_t) * new_count);
    mesh->slot_count = new_count;

    for (uint32_t i = 0; i < old_count; i++) {
        if (old[i] != EMPTY_SLOT)
            mesh->slots[find_slot(mesh, mesh->nodes[old[i]].id)] = old[i];
    }
    free(old);
    return ARC_OK;
}

arc_mesh_t *arc_mesh_new(void)
{
    arc_mesh_t *mesh = calloc(1, sizeof(*mesh));

    if (mesh == NULL)
        return NULL;
    if (grow_slots(mesh) != ARC_OK) {
        free(mesh);
        return NULL;
    }
    return mesh;
}

void arc_mesh_free(arc_mesh_t *mesh)
{
    if (mesh == NULL)
        return;
    free(mesh->nodes);
    free(mesh->slots);
    free(mesh);
}

/* Adds (sign +1) or removes (sign -1) a node's share of its zone. */
static void account(arc_mesh_t *mesh, const arc_node_t *n, int sign)
{
    arc_zone_totals_t *z = &mesh->zones[n->zone];
    double power = n->power_kw;

    z->nodes += (uint32_t)sign;
    z->gpus_total += (uint32_t)(sign * n->gpus_total);
    z->power_kw_sum += sign * power;
    z->carbon_kw_sum += sign * power * n->carbon_g_per_kwh;
    if (n->energy_source < ARC_SOURCE_COUNT)
        z->power_by_source_kw[n->energy_source] += sign * power;

    if (arc_node_is_healthy(n)) {
        z->nodes_up += (uint32_t)sign;
        z->gpus_healthy += (uint32_t)(sign * n->gpus_total);
        z->gpus_free += (uint32_t)(sign * n->gpus_free);
        z->gpu_util_sum += sign * n->gpu_util;
    }
}

static void notify(arc_mesh_t *mesh, uint32_t index, const arc_node_t *before)
{
    for (uint32_t i = 0; i < mesh->hook_count; i++)
        mesh->hooks[i].fn(mesh->hooks[i].ctx, index, before);
}

static bool node_valid(const arc_node_t *n)
{
    return n->id[0] != '\0' && memchr(n->id, '\0', ARC_NODE_ID_MAX) &&
           n->zone < ARC_ZONE_COUNT && arc_geo_valid(n->lat, n->lon) &&
           n->status < ARC_NODE_STATUS_COUNT &&
           n->energy_source < ARC_SOURCE_COUNT &&
           n->gpus_free <= n->gpus_total;
}

arc_status_t arc_mesh_add(arc_mesh_t *mesh, const arc_node_t *node,
                          uint32_t *index_out)
{
    arc_node_t before;
    uint32_t slot;

    if (!node_valid(node))
        return ARC_ERR_INVALID;
    if (mesh->slots[find_slot(mesh, node->id)] != EMPTY_SLOT)
        return ARC_ERR_DUPLICATE;

    if (mesh->count == mesh->capacity) {
        uint32_t cap = mesh->capacity ? mesh->capacity * 2 : 256;
        arc_node_t *grown = realloc(mesh->nodes, sizeof(*grown) * cap);

        if (grown == NULL)
            return ARC_ERR_NOMEM;
        mesh->nodes = grown;
        mesh->capacity = cap;
    }
    if ((mesh->count + 1) * 2 > mesh->slot_count &&
        grow_slots(mesh) != ARC_OK)
        return ARC_ERR_NOMEM;

    mesh->nodes[mesh->count] = *node;
    slot = find_slot(mesh, node->id);
    mesh->slots[slot] = mesh->count;
    account(mesh, node, +1);
    if (index_out != NULL)
        *index_out = mesh->count;
    mesh->count++;

    before = *node;
    before.status = ARC_NODE_DOWN;
    notify(mesh, mesh->count - 1, &before);
    return ARC_OK;
}

uint32_t arc_mesh_count(const arc_mesh_t *mesh)
{
    return mesh->count;
}

const arc_node_t *arc_mesh_node(const arc_mesh_t *mesh, uint32_t index)
{
    return index < mesh->count ? &mesh->nodes[index] : NULL;
}

arc_status_t arc_mesh_find(const arc_mesh_t *mesh, const char *id,
                           uint32_t *index_out)
{
    uint32_t slot;

    if (id == NULL || id[0] == '\0')
        return ARC_ERR_INVALID;
    slot = mesh->slots[find_slot(mesh, id)];
    if (slot == EMPTY_SLOT)
        return ARC_ERR_NOT_FOUND;
    *index_out = slot;
    return ARC_OK;
}

static bool unit_range(float v)
{
    return v >= 0.0f && v <= 1.0f; /* false for NaN */
}

static bool non_negative(float v)
{
    return v >= 0.0f && isfinite(v);
}

static bool telemetry_valid(const arc_node_t *n, const arc_telemetry_t *t)
{
    return t->status < ARC_NODE_STATUS_COUNT &&
           t->energy_source < ARC_SOURCE_COUNT &&
           t->gpus_free <= n->gpus_total && unit_range(t->gpu_util) &&
           unit_range(t->battery_soc) && non_negative(t->gpu_mem_used_gb) &&
           non_negative(t->power_kw) && non_negative(t->carbon_g_per_kwh);
}

arc_status_t arc_mesh_apply(arc_mesh_t *mesh, const arc_telemetry_t *t)
{
    arc_node_t *n;
    arc_node_t before;

    if (t->node >= mesh->count)
        return ARC_ERR_NOT_FOUND;
    n = &mesh->nodes[t->node];
    if (t->seq <= n->seq)
        return ARC_ERR_DUPLICATE;
    if (!telemetry_valid(n, t))
        return ARC_ERR_INVALID;

    before = *n;
    account(mesh, n, -1);
    n->seq = t->seq;
    n->last_heartbeat_us = t->time_us;
    n->status = t->status;
    n->energy_source = t->energy_source;
    n->gpus_free = t->gpus_free;
    n->models = t->models;
    n->queue_depth = t->queue_depth;
    n->gpu_util = t->gpu_util;
    n->gpu_mem_used_gb = t->gpu_mem_used_gb;
    n->battery_soc = t->battery_soc;
    n->power_kw = t->power_kw;
    n->carbon_g_per_kwh = t->carbon_g_per_kwh;
    n->silent = 0; /* heard from again */
    account(mesh, n, +1);

    notify(mesh, t->node, &before);
    return ARC_OK;
}

arc_status_t arc_mesh_mark_silent(arc_mesh_t *mesh, uint32_t index)
{
    arc_node_t *n;
    arc_node_t before;

    if (index >= mesh->count)
        return ARC_ERR_NOT_FOUND;
    n = &mesh->nodes[index];
    if (n->silent)
        return ARC_OK;

    before = *n;
    account(mesh, n, -1);
    n->silent = 1;
    account(mesh, n, +1);
    notify(mesh, index, &before);
    return ARC_OK;
}

arc_status_t arc_mesh_set_drained(arc_mesh_t *mesh, uint32_t index,
                                  bool drained)
{
    arc_node_t *n;
    arc_node_t before;

    if (index >= mesh->count)
        return ARC_ERR_NOT_FOUND;
    n = &mesh->nodes[index];
    if ((n->admin_drained != 0) == drained)
        return ARC_OK;

    before = *n;
    account(mesh, n, -1);
    n->admin_drained = drained ? 1 : 0;
    account(mesh, n, +1);
    notify(mesh, index, &before);
    return ARC_OK;
}

/* Moves `gpus` GPUs between free and busy, and one request in or out. */
static arc_status_t adjust_work(arc_mesh_t *mesh, uint32_t index,
                                int gpus, int requests)
{
    arc_node_t *n;
    arc_node_t before;
    int free_gpus;
    int64_t depth;

    if (index >= mesh->count)
        return ARC_ERR_NOT_FOUND;
    n = &mesh->nodes[index];
    before = *n;
    account(mesh, n, -1);

    free_gpus = (int)n->gpus_free - gpus;
    if (free_gpus < 0)
        free_gpus = 0;
    if (free_gpus > n->gpus_total)
        free_gpus = n->gpus_total;
    n->gpus_free = (uint16_t)free_gpus;

    depth = (int64_t)n->queue_depth + requests;
    n->queue_depth = depth < 0 ? 0 : (uint32_t)depth;
    if (n->gpus_total > 0)
        n->gpu_util = 1.0f - (float)n->gpus_free / (float)n->gpus_total;

    account(mesh, n, +1);
    notify(mesh, index, &before);
    return ARC_OK;
}

arc_status_t arc_mesh_note_dispatch(arc_mesh_t *mesh, uint32_t index,
                                    uint32_t gpus)
{
    return adjust_work(mesh, index, (int)gpus, +1);
}

arc_status_t arc_mesh_note_complete(arc_mesh_t *mesh, uint32_t index,
                                    uint32_t gpus)
{
    return adjust_work(mesh, index, -(int)gpus, -1);
}

const arc_zone_totals_t *arc_mesh_zone_totals(const arc_mesh_t *mesh,
                                              arc_zone_t zone)
{
    return (unsigned)zone < ARC_ZONE_COUNT ? &mesh->zones[zone] : NULL;
}

arc_status_t arc_mesh_add_hook(arc_mesh_t *mesh, arc_mesh_hook_fn fn,
                               void *ctx)
{
    if (fn == NULL)
        return ARC_ERR_INVALID;
    if (mesh->hook_count == ARC_MESH_MAX_HOOKS)
        return ARC_ERR_FULL;
    mesh->hooks[mesh->hook_count].fn = fn;
    mesh->hooks[mesh->hook_count].ctx = ctx;
    mesh->hook_count++;
    return ARC_OK;
}

void arc_mesh_remove_hook(arc_mesh_t *mesh, arc_mesh_hook_fn fn, void *ctx)
{
    for (uint32_t i = 0; i < mesh->hook_count; i++) {
        if (mesh->hooks[i].fn == fn && mesh->hooks[i].ctx == ctx) {
            memmove(&mesh->hooks[i], &mesh->hooks[i + 1],
                    sizeof(struct hook) * (mesh->hook_count - i - 1));
            mesh->hook_count--;
            return;
        }
    }
}

