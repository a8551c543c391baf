/*
 * types.c - wire names of the mesh enums, their parsers, and the model
 * catalogue.
 *
 * The catalogue's figures are for one request on NVIDIA H100 80 GB GPUs:
 * GPUs held (tensor parallel degree needed to fit the weights), memory per
 * GPU, a fixed prefill cost and single-stream decode speed. Sources are in
 * docs/protocol/simulation.md.
 */
#include "core/types.h"

#include <string.h>

static const char *const zone_names[ARC_ZONE_COUNT] = {
    "west", "central", "east",
};

static const char *const source_names[ARC_SOURCE_COUNT] = {
    "cogen-solar", "cogen-wind", "cogen-gas", "battery", "grid",
};

static const char *const node_status_names[ARC_NODE_STATUS_COUNT] = {
    "up", "draining", "down",
};

static const char *const priority_names[ARC_PRIO_COUNT] = {
    "critical", "normal", "background",
};

static const arc_model_t models[] = {
    {"llama-3.1-8b", 8.0f, 1, 20.0f, 30.0f, 95.0f},
    {"mistral-7b", 7.3f, 1, 18.0f, 28.0f, 100.0f},
    {"mixtral-8x7b", 46.7f, 2, 52.0f, 60.0f, 60.0f},
    {"llama-3.1-70b", 70.6f, 4, 40.0f, 90.0f, 35.0f},
    {"llama-3.1-405b", 405.0f, 8, 62.0f, 220.0f, 18.0f},
    {"whisper-large-v3", 1.55f, 1, 10.0f, 50.0f, 400.0f},
};

static arc_status_t find_name(const char *const *names, uint32_t count,
                              const char *s, uint32_t *out)
{
    if (s == NULL)
        return ARC_ERR_INVALID;

    for (uint32_t i = 0; i < count; i++) {
        if (strcmp(names[i], s) == 0) {
            *out = i;
            return ARC_OK;
        }
    }
    return ARC_ERR_NOT_FOUND;
}

const char *arc_zone_name(arc_zone_t zone)
{
    return (unsigned)zone < ARC_ZONE_COUNT ? zone_names[zone] : "unknown";
}

arc_status_t arc_zone_parse(const char *s, arc_zone_t *out)
{
    uint32_t i;
    arc_status_t st = find_name(zone_names, ARC_ZONE_COUNT, s, &i);

    if (st == ARC_OK)
        *out = (arc_zone_t)i;
    return st;
}

const char *arc_source_name(arc_energy_source_t source)
{
    return (unsigned)source < ARC_SOURCE_COUNT ? source_names[source]
                                               : "unknown";
}

arc_status_t arc_source_parse(const char *s, arc_energy_source_t *out)
{
    uint32_t i;
    arc_status_t st = find_name(source_names, ARC_SOURCE_COUNT, s, &i);

    if (st == ARC_OK)
        *out = (arc_energy_source_t)i;
    return st;
}

bool arc_source_is_cogen(arc_energy_source_t source)
{
    return source == ARC_SOURCE_SOLAR || source == ARC_SOURCE_WIND ||
           source == ARC_SOURCE_GAS;
}

const char *arc_node_status_name(arc_node_status_t status)
{
    return (unsigned)status < ARC_NODE_STATUS_COUNT
               ? node_status_names[status]
               : "unknown";
}

arc_status_t arc_node_status_parse(const char *s, arc_node_status_t *out)
{
    uint32_t i;
    arc_status_t st =
        find_name(node_status_names, ARC_NODE_STATUS_COUNT, s, &i);

    if (st == ARC_OK)
        *out = (arc_node_status_t)i;
    return st;
}

const char *arc_priority_name(arc_priority_t prio)
{
    return (unsigned)prio < ARC_PRIO_COUNT ? priority_names[prio]
                                           : "unknown";
}

arc_status_t arc_priority_parse(const char *s, arc_priority_t *out)
{
    uint32_t i;
    arc_status_t st = find_name(priority_names, ARC_PRIO_COUNT, s, &i);

    if (st == ARC_OK)
        *out = (arc_priority_t)i;
    return st;
}

uint32_t arc_model_count(void)
{
    return (uint32_t)ARC_ARRAY_LEN(models);
}

const arc_model_t *arc_model_get(uint32_t id)
{
    return id < ARC_ARRAY_LEN(models) ? &models[id] : NULL;
}

arc_status_t arc_model_find(const char *name, uint32_t *id_out)
{
    if (name == NULL)
        return ARC_ERR_INVALID;

    for (uint32_t i = 0; i < ARC_ARRAY_LEN(models); i++) {
        if (strcmp(models[i].name, name) == 0) {
            *id_out = i;
            return ARC_OK;
        }
    }
    return ARC_ERR_NOT_FOUND;
}

int64_t arc_model_service_us(uint32_t id, uint32_t tokens)
{
    const arc_model_t *m = arc_model_get(id);
    double ms;

    if (m == NULL)
        return 0;
    ms = m->prefill_ms + (double)tokens * 1000.0 / m->tokens_per_s;
    return (int64_t)(ms * 1000.0);
}
