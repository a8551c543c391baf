/*
 * sites.h - the table of simulated ganglion sites (data/sites.csv, also
 * embedded in the library) and the placement of any number of simulated
 * nodes on it.
 *
 * One idea: a node count is a view of the table. Up to the table's size
 * a balanced subset is taken (zones in turn, each in file order); beyond
 * it the sites are replicated with a small deterministic coordinate
 * jitter and numbered ids ("w-phoenix-01", "w-phoenix-02", ...), so the
 * router can be measured on a million nodes that still sit where people
 * would build them.
 *
 * The parser takes a buffer and its length, never reads past it, and
 * reports the first bad line by number. Threads: none of its own. Memory:
 * a table is owned by whoever parsed it and freed with arc_sites_free;
 * nodes added to a mesh point at its site names, so the table must
 * outlive that mesh.
 */
#ifndef ARC_SIM_SITES_H
#define ARC_SIM_SITES_H

#include <stddef.h>
#include <stdint.h>

#include "core/types.h"
#include "state/mesh.h"

#define ARC_SITE_ID_MAX 17   /* base id incl. NUL: 16 characters */
#define ARC_SITE_NAME_MAX 48
#define ARC_SITE_REGION_MAX 8

/* One row of the table: a full-size ganglion. */
typedef struct arc_site {
    char id[ARC_SITE_ID_MAX];         /* base id, e.g. "w-phoenix" */
    char name[ARC_SITE_NAME_MAX];     /* "Phoenix AZ" */
    char grid_region[ARC_SITE_REGION_MAX]; /* eGRID subregion acronym */
    arc_zone_t zone;                  /* agrees with arc_geo_zone_of */
    double lat, lon;                  /* degrees */
    double grid_g_per_kwh;            /* the subregion's grid rate */
    double solar_kw;                  /* nameplate, AC */
    double wind_kw;                   /* nameplate */
    double gas_kw;                    /* engine capacity */
    double battery_kwh;               /* usable capacity */
    uint32_t gpus;                    /* GPUs of the full site */
} arc_site_t;

typedef struct arc_site_table {
    arc_site_t *sites;
    uint32_t count;
    uint32_t zone_count[ARC_ZONE_COUNT];
    uint32_t *order;   /* rows with the zones taken in turn */
} arc_site_table_t;

/*
 * Parses CSV text (a header line naming the columns id, zone, site, lat,
 * lon, grid_region, solar_kw, wind_kw, gas_kw, battery_kwh, gpus in that
 * order; '#' lines and blank lines ignored). On failure returns
 * ARC_ERR_INVALID (or ARC_ERR_NOMEM) and writes "line N: what" to err
 * (if not NULL). The table needs at least one site in every zone.
 */
arc_status_t arc_sites_parse(const char *buf, size_t len,
                             arc_site_table_t **out, char *err,
                             size_t err_len);

/* The embedded default table (the text of data/sites.csv). */
const char *arc_sites_default_csv(size_t *len_out);
arc_status_t arc_sites_load_default(arc_site_table_t **out);

void arc_sites_free(arc_site_table_t *table);

/* Where node k of a simulated mesh stands. */
typedef struct arc_site_place {
    uint32_t site;      /* row of the table */
    uint32_t replica;   /* 1 for the first node on that site */
    double lat, lon;    /* jittered for replicas past the first */
    char id[ARC_NODE_ID_MAX];
} arc_site_place_t;

/*
 * The placement of node k (0-based) in a mesh of any size: balanced
 * across zones, deterministic, ids unique. ARC_ERR_INVALID when the id
 * would not fit.
 */
arc_status_t arc_sites_place(const arc_site_table_t *table, uint64_t k,
                             arc_site_place_t *out);

/*
 * Adds `count` nodes to `mesh`, placed as above, each with
 * `gpus_per_site` GPUs (0: the site's own count), every catalogue model
 * loaded (the largest only on every third site), status up, battery at
 * 60%, heartbeat `now_us`. When site_of_node is not NULL it receives the
 * table row of each added node. Stops at the first error.
 */
arc_status_t arc_sites_add_nodes(arc_mesh_t *mesh,
                                 const arc_site_table_t *table,
                                 uint32_t count, uint32_t gpus_per_site,
                                 int64_t now_us, uint32_t *site_of_node);

/* The GPUs node k gets: gpus_per_site, or the site's own when 0. */
uint32_t arc_sites_gpus(const arc_site_t *site, uint32_t gpus_per_site);

#endif
