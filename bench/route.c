/*
 * bench/route.c - how fast the router decides, at mesh sizes from one
 * default mesh (150 nodes) to a million, against a naive scorer that
 * computes the same score for every node of the zone.
 *
 * The mesh is synthetic but shaped like the real one: nodes cluster
 * around 150 site locations across the three zones, with mixed energy
 * sources, loads, batteries and models. Requests come from random points
 * in the continental US with the workload's priority mix (10% critical,
 * 60% normal, 30% background). Single-threaded. Prints a table (or JSON
 * with --json) and asserts nothing.
 *
 *   build/bench-route [--nodes 150,10000,100000,1000000] [--json]
 *                     [--priority critical|normal|background]
 *                     [--decisions N]
 *
 * --priority gives every request that priority instead of the mix;
 * --decisions times N decisions per size instead of 200,000 (fewer make
 * a run under callgrind short).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/geo.h"
#include "route/router.h"
#include "state/mesh.h"

#define CLUSTERS 150
#define MAX_SIZES 16
#define NOW_US (1700000000LL * ARC_US_PER_S)

struct result {
    uint32_t nodes;
    double ns_per_decision;
    double full_scan_ns;
    double bytes_per_node;
    double visited;
};

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static int only_priority = -1; /* -1: the workload's mix */
static uint32_t decisions = 200000; /* timed per mesh size */

static double uniform(double lo, double hi)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return lo + (hi - lo) * (double)((rng_state * 2685821657736338717ull) >>
                                     11) /
                    9007199254740992.0;
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void random_node(arc_node_t *n, uint32_t i, const double *centres)
{
    uint32_t c = i % CLUSTERS;

    memset(n, 0, sizeof(*n));
    snprintf(n->id, sizeof(n->id), "bench-%u", i);
    n->site = "bench";
    n->lat = centres[2 * c] + uniform(-1.5, 1.5);
    n->lon = centres[2 * c + 1] + uniform(-1.5, 1.5);
    n->zone = (uint8_t)arc_geo_zone_of(n->lat, n->lon);
    n->models = (uint32_t)uniform(1, (double)(1u << arc_model_count()));
    n->gpus_total = 64;
    n->gpus_free = (uint16_t)uniform(0, 65);
    n->gpu_util = 1.0f - n->gpus_free / 64.0f;
    n->battery_soc = (float)uniform(0.1, 1.0);
    n->battery_kwh = 400.0f;
    n->battery_reserve = 0.2f;
    n->energy_source = (uint8_t)uniform(0, ARC_SOURCE_COUNT);
    n->carbon_g_per_kwh = (float)uniform(11.0, 600.0);
    n->power_kw = 80.0f;
    n->queue_depth = (uint32_t)uniform(0, 10);
    n->status = uniform(0, 1) < 0.03 ? ARC_NODE_DOWN : ARC_NODE_UP;
    n->last_heartbeat_us = NOW_US;
}

static arc_mesh_t *build_mesh(uint32_t count)
{
    double centres[2 * CLUSTERS];
    arc_mesh_t *mesh = arc_mesh_new();

    if (mesh == NULL)
        return NULL;
    for (int c = 0; c < CLUSTERS; c++) {
        centres[2 * c] = uniform(29.0, 47.0);
        centres[2 * c + 1] = uniform(-122.0, -72.0);
    }
    for (uint32_t i = 0; i < count; i++) {
        arc_node_t n;

        random_node(&n, i, centres);
        if (arc_mesh_add(mesh, &n, NULL) != ARC_OK) {
            arc_mesh_free(mesh);
            return NULL;
        }
    }
    return mesh;
}

static void random_requests(arc_request_t *reqs, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        double p = uniform(0, 1);

        memset(&reqs[i], 0, sizeof(reqs[i]));
        reqs[i].id = i;
        reqs[i].model = (uint32_t)uniform(0, arc_model_count());
        reqs[i].priority = p < 0.1   ? ARC_PRIO_CRITICAL
                           : p < 0.7 ? ARC_PRIO_NORMAL
                                     : ARC_PRIO_BACKGROUND;
        if (only_priority >= 0)
            reqs[i].priority = (arc_priority_t)only_priority;
        reqs[i].lat = uniform(30.0, 46.0);
        reqs[i].lon = uniform(-121.0, -73.0);
        reqs[i].tokens = 256;
    }
}

static int measure(uint32_t nodes, struct result *out)
{
    /* The full scan replays the first of the timed requests. */
    uint32_t scans = nodes >= 100000 ? 50 : 2000;
    arc_request_t *reqs = malloc(sizeof(*reqs) * decisions);
    arc_mesh_t *mesh = build_mesh(nodes);
    arc_router_t *router = mesh ? arc_router_new(mesh, NULL) : NULL;
    arc_decision_t d;
    double start, visited = 0;
    volatile uint32_t sink = 0;

    if (reqs == NULL || router == NULL) {
        fprintf(stderr, "bench-route: out of memory at %u nodes\n", nodes);
        free(reqs);
        arc_router_free(router);
        arc_mesh_free(mesh);
        return -1;
    }
    random_requests(reqs, decisions);
    if (scans > decisions)
        scans = decisions;
    arc_router_decide(router, &reqs[0], ARC_POLICY_ARCNET, NOW_US, &d);

    start = now_ns();
    for (uint32_t i = 0; i < decisions; i++) {
        arc_router_decide(router, &reqs[i], ARC_POLICY_ARCNET, NOW_US, &d);
        sink += d.chosen.node;
        visited += d.nodes_visited;
    }
    out->ns_per_decision = (now_ns() - start) / decisions;
    out->visited = visited / decisions;

    start = now_ns();
    for (uint32_t i = 0; i < scans; i++) {
        arc_router_decide_full_scan(router, &reqs[i], NOW_US, &d);
        sink += d.chosen.node;
    }
    out->full_scan_ns = (now_ns() - start) / scans;

    out->nodes = nodes;
    out->bytes_per_node =
        (double)sizeof(arc_node_t) + 2.0 * sizeof(uint32_t) +
        (double)arc_router_index_bytes(router) / (double)nodes;
    (void)sink;
    arc_router_free(router);
    arc_mesh_free(mesh);
    free(reqs);
    return 0;
}

static int parse_sizes(const char *arg, uint32_t *sizes, int *count)
{
    char *copy = strdup(arg), *save = NULL, *tok;
    int n = 0;

    for (tok = strtok_r(copy, ",", &save); tok && n < MAX_SIZES;
         tok = strtok_r(NULL, ",", &save)) {
        char *end;
        unsigned long v = strtoul(tok, &end, 10);

        if (*end != '\0' || v == 0 || v > 10000000) {
            fprintf(stderr, "bench-route: bad node count '%s'\n", tok);
            free(copy);
            return -1;
        }
        sizes[n++] = (uint32_t)v;
    }
    free(copy);
    *count = n;
    return n > 0 ? 0 : -1;
}

static void print_table(const struct result *r, int n)
{
    printf("%10s %14s %14s %14s %10s %12s %10s\n", "nodes", "ns/decision",
           "decisions/s", "full-scan ns", "speed-up", "bytes/node",
           "visited");
    for (int i = 0; i < n; i++)
        printf("%10u %14.0f %14.0f %14.0f %9.0fx %12.0f %10.1f\n",
               r[i].nodes, r[i].ns_per_decision,
               1e9 / r[i].ns_per_decision, r[i].full_scan_ns,
               r[i].full_scan_ns / r[i].ns_per_decision, r[i].bytes_per_node,
               r[i].visited);
}

static void print_json(const struct result *r, int n)
{
    printf("{\"results\":[");
    for (int i = 0; i < n; i++)
        printf("%s{\"nodes\":%u,\"ns_per_decision\":%.1f,"
               "\"full_scan_ns_per_decision\":%.1f,\"bytes_per_node\":%.0f}",
               i ? "," : "", r[i].nodes, r[i].ns_per_decision,
               r[i].full_scan_ns, r[i].bytes_per_node);
    printf("]}\n");
}

int main(int argc, char **argv)
{
    uint32_t sizes[MAX_SIZES] = {150, 10000, 100000, 1000000};
    struct result results[MAX_SIZES];
    int count = 4, json = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--priority") == 0 && i + 1 < argc) {
            arc_priority_t prio;

            if (arc_priority_parse(argv[++i], &prio) != ARC_OK) {
                fprintf(stderr, "bench-route: unknown priority '%s'\n",
                        argv[i]);
                return 2;
            }
            only_priority = (int)prio;
        } else if (strcmp(argv[i], "--decisions") == 0 && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);

            if (*end != '\0' || v == 0 || v > 100000000) {
                fprintf(stderr, "bench-route: bad decision count '%s'\n",
                        argv[i]);
                return 2;
            }
            decisions = (uint32_t)v;
        } else if (strcmp(argv[i], "--nodes") == 0 && i + 1 < argc) {
            if (parse_sizes(argv[++i], sizes, &count) != 0)
                return 2;
        } else {
            fprintf(stderr, "usage: bench-route [--nodes N,N,...] [--json] "
                            "[--priority P] [--decisions N]\n");
            return 2;
        }
    }
    for (int i = 0; i < count; i++) {
        if (measure(sizes[i], &results[i]) != 0)
            return 1;
    }
    if (json)
        print_json(results, count);
    else
        print_table(results, count);
    return 0;
}
