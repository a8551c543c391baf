/*
 * arcnet.c - the `arcnet` command line: parse argv with the shared
 * grammar, hand `sim` to the simulator's own command line, and run
 * every other command against the daemon.
 *
 * The one idea: main only wires libraries together - the grammar
 * (src/cli/grammar.h) decides what is valid, the commands
 * (src/cli/commands.h) talk to the daemon, the simulator
 * (src/sim/cli.h) runs offline - so the same grammar serves the
 * console's terminal too. Exit status: 0 ok, 1 server or network
 * error, 2 usage error.
 *
 * Single-threaded; owns nothing beyond libcurl's global state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/commands.h"
#include "cli/grammar.h"
#include "cli/http.h"
#include "sim/cli.h"

static int usage_error(const char *msg)
{
    fprintf(stderr, "arcnet: %s\n", msg);
    return ARC_CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    arc_cli_parsed_t p;
    arc_cli_conn_t conn;
    char error[ARC_CLI_ERROR_MAX];
    int code;

    if (arc_cli_parse(argc - 1, argv + 1, &p) != ARC_OK)
        return usage_error(p.error);

    /* `sim` parses its own options: it gets argv from the word "sim". */
    if (p.cmd != NULL && p.cmd->passthrough && !p.help)
        return arc_sim_cli(p.rest_argc + 1, p.rest_argv - 1, stdout);

    if (arc_cli_conn_init(&conn, p.server, p.token, getenv("ARCNET_SERVER"),
                          getenv("ARCNET_TOKEN"), ARC_CLI_TOKEN_FILE,
                          error) != ARC_OK)
        return usage_error(error);

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "arcnet: cannot start libcurl\n");
        return ARC_CLI_EXIT_ERROR;
    }
    code = arc_cli_run(&p, &conn, stdout, stderr);
    curl_global_cleanup();
    return code;
}
