/*
 * types.h - the mesh model: zones, energy sources, node status, request
 * priorities, the model catalogue, a node's live state and a request.
 *
 * A node is one ganglion (a GPU site). Its live state is kept compact
 * (about 100 bytes) because a zone may hold a million of them and the
 * router reads them on every decision. Names of enums are the wire names
 * used by the API, the bus and the CLI; each has a parser that rejects
 * anything else.
 */
#ifndef ARC_TYPES_H
#define ARC_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arc.h"

/* ---- zones ------------------------------------------------------------ */

typedef enum arc_zone {
    ARC_ZONE_WEST = 0,
    ARC_ZONE_CENTRAL,
    ARC_ZONE_EAST,
    ARC_ZONE_COUNT
} arc_zone_t;

const char *arc_zone_name(arc_zone_t zone);           /* "west", ... */
arc_status_t arc_zone_parse(const char *s, arc_zone_t *out);

/* The brain: the HPC facility at Oak Ridge, TN. */
#define ARC_BRAIN_LAT 35.9311
#define ARC_BRAIN_LON (-84.3100)

/* ---- energy ----------------------------------------------------------- */

typedef enum arc_energy_source {
    ARC_SOURCE_SOLAR = 0, /* co-located solar ("cogen-solar") */
    ARC_SOURCE_WIND,      /* co-located wind ("cogen-wind") */
    ARC_SOURCE_GAS,       /* co-located gas turbine ("cogen-gas") */
    ARC_SOURCE_BATTERY,   /* the site's battery */
    ARC_SOURCE_GRID,      /* the regional grid */
    ARC_SOURCE_COUNT
} arc_energy_source_t;

const char *arc_source_name(arc_energy_source_t source);
arc_status_t arc_source_parse(const char *s, arc_energy_source_t *out);

/* True for the three co-located generation sources. */
bool arc_source_is_cogen(arc_energy_source_t source);

/* ---- node status and request priority --------------------------------- */

typedef enum arc_node_status {
    ARC_NODE_UP = 0,
    ARC_NODE_DRAINING, /* finishing its work, takes no new requests */
    ARC_NODE_DOWN,
    ARC_NODE_STATUS_COUNT
} arc_node_status_t;

const char *arc_node_status_name(arc_node_status_t status);
arc_status_t arc_node_status_parse(const char *s, arc_node_status_t *out);

typedef enum arc_priority {
    ARC_PRIO_CRITICAL = 0, /* served first, may use grid power */
    ARC_PRIO_NORMAL,
    ARC_PRIO_BACKGROUND,   /* favours carbon, may wait for greener power */
    ARC_PRIO_COUNT
} arc_priority_t;

const char *arc_priority_name(arc_priority_t prio);
arc_status_t arc_priority_parse(const char *s, arc_priority_t *out);

/* ---- model catalogue -------------------------------------------------- */

#define ARC_MAX_MODELS 32

/*
 * One servable model. Service time of a request is
 * prefill_ms + tokens / tokens_per_s, on `gpus` GPUs held for that long.
 */
typedef struct arc_model {
    const char *name;    /* wire name, e.g. "llama-3.1-8b" */
    float params_b;      /* parameters, billions */
    uint8_t gpus;        /* GPUs one request occupies (tensor parallel) */
    float gpu_mem_gb;    /* memory held on each of those GPUs */
    float prefill_ms;    /* fixed cost per request */
    float tokens_per_s;  /* decode throughput of one request */
} arc_model_t;

/* The catalogue: a static table, indexed by model id (0..count-1). */
uint32_t arc_model_count(void);
const arc_model_t *arc_model_get(uint32_t id);
arc_status_t arc_model_find(const char *name, uint32_t *id_out);

/* Expected service time in microseconds for `tokens` output tokens. */
int64_t arc_model_service_us(uint32_t id, uint32_t tokens);

/* ---- a node's live state ---------------------------------------------- */

#define ARC_NODE_ID_MAX 24

typedef struct arc_node {
    char id[ARC_NODE_ID_MAX];  /* stable name, e.g. "west-portland-01" */
    const char *site;          /* site name; owned by the site table */
    double lat, lon;           /* degrees */

    uint32_t models;           /* bit i set: model i is loaded */
    uint16_t gpus_total;
    uint16_t gpus_free;
    float gpu_util;            /* 0..1 */
    float gpu_mem_used_gb;

    float battery_soc;         /* state of charge, 0..1 */
    float battery_kwh;         /* capacity; 0 for a site without one */
    float battery_reserve;     /* soc below which it must not serve load */
    float power_kw;            /* present draw */
    float carbon_g_per_kwh;    /* intensity of what it runs on now */

    uint8_t zone;              /* arc_zone_t */
    uint8_t status;            /* arc_node_status_t */
    uint8_t energy_source;     /* arc_energy_source_t */
    uint8_t admin_drained;     /* an operator asked it to drain */
    uint8_t silent;            /* its owner heard nothing past the
                                  heartbeat timeout; cleared by the
                                  next report applied */

    uint32_t queue_depth;      /* requests in flight or queued on site */
    int64_t last_heartbeat_us;
    uint64_t seq;              /* last telemetry sequence applied */
} arc_node_t;

/* ---- a request -------------------------------------------------------- */

typedef struct arc_request {
    uint64_t id;
    uint32_t model;        /* catalogue id */
    uint8_t priority;      /* arc_priority_t */
    double lat, lon;       /* where the request comes from */
    int64_t arrival_us;
    int64_t deadline_us;   /* 0: none */
    uint32_t tokens;       /* size estimate: output tokens */
} arc_request_t;

#endif
