/*
 * cli.h - `arcnet sim`: runs every chosen routing policy on the same
 * seeded workload and mesh and prints one comparison table (or JSON).
 *
 * Threads: runs on the caller's thread. Memory: nothing outlives a call.
 */
#ifndef ARC_SIM_CLI_H
#define ARC_SIM_CLI_H

#include <stdio.h>

/*
 * argv[0] is "sim"; options follow (see --help). Writes the report to
 * `out` and problems to stderr. Returns the exit status: 0 on success,
 * 2 for bad options, 1 when a run failed.
 */
int arc_sim_cli(int argc, char **argv, FILE *out);

#endif
