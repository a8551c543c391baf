/*
 * commands.h - what each `arcnet` command does: the request it sends to
 * the daemon and how the reply is shown.
 *
 * The one idea: a command is grammar (grammar.h) plus one action here;
 * the action builds a request from the parsed options, sends it, and
 * prints either the raw JSON (--json) or a table. Exit statuses are the
 * ARC_CLI_EXIT_* of grammar.h: 0 ok, 1 server or network error (the
 * server's own message is printed), 2 usage.
 *
 * The program's one thread. `sim` is not run here: the program hands it
 * to the simulator's own command line before calling arc_cli_run.
 */
#ifndef ARC_CLI_COMMANDS_H
#define ARC_CLI_COMMANDS_H

#include <stdio.h>

#include "cli/grammar.h"
#include "cli/http.h"

/*
 * Runs a parsed, valid command (not `sim`) against the daemon at `c`,
 * writing results to `out` and messages to `err`. Returns the exit
 * status. --help and `help` print usage to `out` and return 0;
 * `help --json` prints the whole grammar as JSON (arc_cli_grammar_json).
 */
int arc_cli_run(const arc_cli_parsed_t *p, const arc_cli_conn_t *c,
                FILE *out, FILE *err);

/*
 * The JSON body of `route` and `infer` from their options:
 * {"model","priority","origin":{"lat","lon"},"policy"?,"input"?}.
 * Numbers are written as given (they were checked by the grammar).
 */
void arc_cli_request_body(const arc_cli_parsed_t *p, arc_cli_buf_t *body);

/*
 * The path and query of a listing command (`nodes`, `events`) from its
 * options, e.g. /v1/nodes?zone=west&energy_source=grid.
 */
void arc_cli_list_path(const arc_cli_parsed_t *p, arc_cli_buf_t *path);

/* `events --follow`: prints events as they arrive until interrupted. */
int arc_cli_follow(const arc_cli_parsed_t *p, const arc_cli_conn_t *c,
                   FILE *out, FILE *err);

/* `top`: the live terminal view until q or Ctrl-C. */
int arc_cli_top(const arc_cli_parsed_t *p, const arc_cli_conn_t *c,
                FILE *out, FILE *err);

#endif
