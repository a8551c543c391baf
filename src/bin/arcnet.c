/*
 * arcnet.c - the `arcnet` command: a thin main that hands each
 * subcommand to its library. Single-threaded; owns nothing.
 */
#include <stdio.h>
#include <string.h>

#include "sim/cli.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "sim") == 0)
        return arc_sim_cli(argc - 1, argv + 1, stdout);

    fprintf(stderr, "usage: arcnet sim [options]   (arcnet sim --help)\n");
    return 2;
}
