/*
 * tick.c - what a simulated tick costs the daemon when every site's
 * report goes through the all role's in-process bus instead of straight
 * into the mesh.
 *
 *   build/bench-tick [--nodes N] [--ticks T]
 *
 * For 150 sites and for N (100,000 by default): an engine without its
 * workload or failures is advanced T ticks (20 by default), once with
 * reports applied by the engine itself (arcnet sim's way) and once with
 * the daemon's bus as its telemetry sink (encode, publish, deliver,
 * decode, apply only when newer). Both include the sites' physics; the
 * difference is the bus. Prints the time per tick and per report and
 * how many reports a second each way could carry on one core.
 *
 * Prints a table; asserts nothing. Threads: the main thread. Memory:
 * everything is freed before exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/daemon_bus.h"
#include "daemon/log.h"
#include "sim/engine.h"

#define RUNS 3 /* each figure is the best of this many runs */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds for `ticks` ticks of `nodes` sites; through the bus or not.
 * Writes the reports applied to *applied. Negative on failure. */
static double run(uint32_t nodes, uint32_t ticks, bool bus, uint64_t *applied)
{
    arc_engine_config_t ec;
    arc_engine_parts_t parts = {NULL, NULL, NULL};
    arc_event_config_t lc;
    arc_config_t cfg;
    arc_engine_t *e = NULL;
    arc_event_log_t *events = NULL;
    arc_daemon_bus_t *db = NULL;
    arc_engine_telemetry_sink_t sink;
    arc_ingest_stats_t st;
    double secs = -1.0;

    arc_engine_config_default(&ec);
    ec.nodes = nodes;
    ec.workload = false;
    ec.mtbf_hours = 0.0;
    parts.mesh = arc_mesh_new();
    arc_event_config_default(&lc);
    events = arc_event_log_new(&lc);
    arc_config_default(&cfg);
    if (parts.mesh == NULL || events == NULL ||
        arc_engine_new(&ec, &parts, &e) != ARC_OK)
        goto out;
    if (bus) {
        if (arc_daemon_bus_open(&cfg, parts.mesh, events, &db) != ARC_OK)
            goto out;
        arc_daemon_bus_sink(db, &sink);
        arc_engine_set_telemetry_sink(e, &sink);
    }

    /* The first tick fills the rings; time the ones after it. */
    if (arc_engine_advance(e, ec.start_us) != ARC_OK)
        goto out;
    secs = now_s();
    if (arc_engine_advance(e, ec.start_us + (int64_t)ticks * ec.tick_us) !=
        ARC_OK)
        secs = -1.0;
    else
        secs = now_s() - secs;
    *applied = (uint64_t)ticks * nodes;
    if (db != NULL) {
        arc_daemon_bus_ingest_stats(db, &st);
        /* Without the first tick; none at all if even that fell short. */
        *applied = st.applied > nodes ? st.applied - nodes : 0;
    }
out:
    arc_engine_free(e);
    arc_daemon_bus_close(db);
    arc_event_log_free(events);
    arc_mesh_free(parts.mesh);
    return secs;
}

static double best_of(uint32_t nodes, uint32_t ticks, bool bus,
                      uint64_t *applied)
{
    double best = -1.0;

    for (int r = 0; r < RUNS; r++) {
        double secs = run(nodes, ticks, bus, applied);

        if (secs >= 0.0 && (best < 0.0 || secs < best))
            best = secs;
    }
    return best;
}

static void row(const char *how, uint32_t nodes, uint32_t ticks,
                uint64_t applied, double secs)
{
    double reports = (double)ticks * nodes;

    if (secs < 0.0) {
        printf("%-28s %7u   failed\n", how, nodes);
        return;
    }
    printf("%-28s %7u %9llu %10.3f %10.3f %12.0f\n", how, nodes,
           (unsigned long long)applied, secs * 1e3 / ticks,
           secs * 1e9 / reports, reports / secs);
}

int main(int argc, char **argv)
{
    uint32_t sizes[2] = {150, 100000}, ticks = 20;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--nodes") == 0)
            sizes[1] = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--ticks") == 0)
            ticks = (uint32_t)strtoul(argv[i + 1], NULL, 10);
    }
    if (sizes[1] == 0 || ticks == 0) {
        fprintf(stderr, "usage: bench-tick [--nodes N] [--ticks T]\n");
        return 2;
    }
    arc_daemon_log_set_level(ARC_LOG_WARN);
    printf("simulated ticks without workload (best of %d runs)\n", RUNS);
    printf("%-28s %7s %9s %10s %10s %12s\n", "reports", "nodes", "applied",
           "ms/tick", "ns/report", "reports/s");
    for (int i = 0; i < 2; i++) {
        uint64_t applied = 0;
        double secs = best_of(sizes[i], ticks, false, &applied);

        row("applied by the engine", sizes[i], ticks, applied, secs);
        secs = best_of(sizes[i], ticks, true, &applied);
        row("through the inproc bus", sizes[i], ticks, applied, secs);
    }
    return 0;
}
