/*
 * commands.c - the one-shot `arcnet` commands: build the request from
 * the parsed options, send it, print the table or the raw JSON.
 *
 * The one idea: every command is the same three steps (path and body,
 * exchange, show), so they differ only in data: which method and path,
 * which formatter. Errors are printed once, here, with the server's own
 * message, and mapped to the exit status.
 *
 * The program's thread; buffers and replies live for one command.
 */
#include "cli/commands.h"

#include <stdlib.h>
#include <string.h>

#include "cli/format.h"
#include "cli/format_history.h"

typedef arc_status_t (*format_fn)(const char *json, size_t len,
                                  arc_cli_buf_t *out);

/* Marks an exchange whose reply is still to be shown. */
#define SHOW_REPLY (-1)

/* ---- requests --------------------------------------------------------- */

/* "--energy-source" -> "energy_source" */
static void param_name(const char *option, char *out, size_t cap)
{
    size_t i = 0;

    for (const char *p = option + 2; *p != '\0' && i + 1 < cap; p++)
        out[i++] = *p == '-' ? '_' : *p;
    out[i] = '\0';
}

void arc_cli_list_path(const arc_cli_parsed_t *p, arc_cli_buf_t *path)
{
    char name[32];

    arc_cli_buf_printf(path, "/v1/%s", p->cmd->name);
    for (uint32_t i = 0; i < p->cmd->option_count; i++) {
        if (p->cmd->options[i].kind == ARC_CLI_FLAG)
            continue;
        param_name(p->cmd->options[i].name, name, sizeof(name));
        arc_cli_query_add(path, name, p->values[i]);
    }
}

/* /v1/nodes/ID[suffix] with the id percent-encoded. */
static void node_path(const char *id, const char *suffix,
                      arc_cli_buf_t *path)
{
    arc_cli_buf_puts(path, "/v1/nodes/");
    arc_cli_put_encoded(path, id);
    arc_cli_buf_puts(path, suffix);
}

static void json_member(arc_cli_buf_t *b, const char *key, const char *v)
{
    arc_cli_buf_printf(b, ",\"%s\":", key);
    arc_cli_buf_json_string(b, v);
}

void arc_cli_request_body(const arc_cli_parsed_t *p, arc_cli_buf_t *body)
{
    const char *priority = arc_cli_get(p, "--priority");
    const char *policy = arc_cli_get(p, "--policy");
    const char *input = arc_cli_get(p, "--input");
    const char *lat = arc_cli_get(p, "--lat");
    const char *lon = arc_cli_get(p, "--lon");

    arc_cli_buf_puts(body, "{\"model\":");
    arc_cli_buf_json_string(body, arc_cli_get(p, "--model"));
    json_member(body, "priority", priority ? priority : "normal");
    arc_cli_buf_printf(body, ",\"origin\":{\"lat\":%.10g,\"lon\":%.10g}",
                       lat ? strtod(lat, NULL) : 0.0,
                       lon ? strtod(lon, NULL) : 0.0);
    if (policy != NULL)
        json_member(body, "policy", policy);
    if (input != NULL)
        json_member(body, "input", input);
    arc_cli_buf_puts(body, "}");
}

/* ---- exchange and show ------------------------------------------------ */

static void print_body(const arc_cli_reply_t *r, FILE *out)
{
    fputs(arc_cli_buf_str(&r->body), out);
    if (r->body.len == 0 || r->body.data[r->body.len - 1] != '\n')
        fputc('\n', out);
}

/*
 * Sends the request. Returns an exit status when the command is over
 * (an error, printed; or --json, printed), or SHOW_REPLY when the reply
 * in *r is a success still to be formatted.
 */
static int exchange(const arc_cli_parsed_t *p, const arc_cli_conn_t *c,
                    const char *method, const arc_cli_buf_t *path,
                    const char *body, arc_cli_reply_t *r, FILE *out,
                    FILE *err)
{
    char msg[ARC_CLI_ERROR_MAX + 64];
    arc_status_t st;

    if (path->failed)
        st = ARC_ERR_NOMEM;
    else
        st = arc_cli_http(c, method, arc_cli_buf_str(path), body, r, msg);
    if (st != ARC_OK) {
        fprintf(err, "arcnet: %s\n",
                st == ARC_ERR_IO ? msg : "out of memory");
        return ARC_CLI_EXIT_ERROR;
    }

    if (arc_cli_exit_status(st, r->status) != ARC_CLI_EXIT_OK) {
        arc_cli_error_text(r->body.data, r->body.len, r->status, msg,
                           sizeof(msg));
        fprintf(err, "arcnet: %s\n", msg);
        if (p->json && r->body.len > 0)
            print_body(r, out);
        return ARC_CLI_EXIT_ERROR;
    }
    if (p->json) {
        print_body(r, out);
        return ARC_CLI_EXIT_OK;
    }
    return SHOW_REPLY;
}

static int show(arc_status_t st, const arc_cli_buf_t *text, FILE *out,
                FILE *err)
{
    if (st != ARC_OK) {
        fprintf(err, "arcnet: %s\n",
                st == ARC_ERR_NOMEM ? "out of memory"
                                    : "the server's reply was not "
                                      "understood (try --json)");
        return ARC_CLI_EXIT_ERROR;
    }
    fputs(arc_cli_buf_str(text), out);
    return ARC_CLI_EXIT_OK;
}

/* One request whose reply is shown by `fmt`. */
static int simple(const arc_cli_parsed_t *p, const arc_cli_conn_t *c,
                  const char *method, const arc_cli_buf_t *path,
                  const char *body, format_fn fmt, FILE *out, FILE *err)
{
    arc_cli_reply_t r;
    arc_cli_buf_t text;
    int code;

    arc_cli_buf_init(&text);
    code = exchange(p, c, method, path, body, &r, out, err);
    if (code == SHOW_REPLY)
        code = show(fmt(r.body.data, r.body.len, &text), &text, out, err);
    arc_cli_reply_free(&r);
    arc_cli_buf_free(&text);
    return code;
}

/* ---- commands --------------------------------------------------------- */

static int drain(const arc_cli_parsed_t *p, const arc_cli_conn_t *c,
                 bool drained, FILE *out, FILE *err)
{
    arc_cli_buf_t path, text;
    arc_cli_reply_t r;
    int code;

    arc_cli_buf_init(&path);
    arc_cli_buf_init(&text);
    node_path(p->args[0], drained ? "/drain" : "/undrain", &path);
    code = exchange(p, c, "POST", &path, NULL, &r, out, err);
    if (code == SHOW_REPLY)
        code = show(arc_cli_format_drain(r.body.data, r.body.len,
                                         p->args[0], drained, &text),
                    &text, out, err);
    arc_cli_reply_free(&r);
    arc_cli_buf_free(&path);
    arc_cli_buf_free(&text);
    return code;
}

static int request_command(const arc_cli_parsed_t *p,
                           const arc_cli_conn_t *c, bool infer, FILE *out,
                           FILE *err)
{
    arc_cli_buf_t path, body;
    int code;

    arc_cli_buf_init(&path);
    arc_cli_buf_init(&body);
    arc_cli_buf_puts(&path, infer ? "/v1/inference" : "/v1/route");
    arc_cli_request_body(p, &body);
    code = simple(p, c, "POST", &path, body.failed ? NULL
                                                    : arc_cli_buf_str(&body),
                  infer ? arc_cli_format_inference : arc_cli_format_decision,
                  out, err);
    arc_cli_buf_free(&path);
    arc_cli_buf_free(&body);
    return code;
}

static int help(const arc_cli_parsed_t *p, FILE *out, FILE *err)
{
    const arc_cli_command_t *c = p->cmd;
    arc_cli_buf_t text;

    if (c != NULL && strcmp(c->name, "help") == 0) {
        c = p->arg_count > 0 ? arc_cli_command_find(p->args[0]) : NULL;
        if (p->arg_count > 0 && c == NULL) {
            fprintf(err, "arcnet: unknown command '%s'\n", p->args[0]);
            return ARC_CLI_EXIT_USAGE;
        }
    }

    arc_cli_buf_init(&text);
    if (p->json && c == NULL) {
        arc_cli_grammar_json(&text);
        arc_cli_buf_puts(&text, "\n");
    } else {
        arc_cli_command_usage(&text, c);
    }
    fputs(arc_cli_buf_str(&text), out);
    arc_cli_buf_free(&text);
    return ARC_CLI_EXIT_OK;
}

/* A GET of `path` shown by `fmt`. */
static int get(const arc_cli_parsed_t *p, const arc_cli_conn_t *c,
               arc_cli_buf_t *path, format_fn fmt, FILE *out, FILE *err)
{
    int code = simple(p, c, "GET", path, NULL, fmt, out, err);

    arc_cli_buf_free(path);
    return code;
}

int arc_cli_run(const arc_cli_parsed_t *p, const arc_cli_conn_t *c,
                FILE *out, FILE *err)
{
    const char *name = p->cmd != NULL ? p->cmd->name : "help";
    arc_cli_buf_t path;

    arc_cli_buf_init(&path);
    if (p->help || strcmp(name, "help") == 0)
        return help(p, out, err);
    if (strcmp(name, "nodes") == 0 || strcmp(name, "events") == 0) {
        if (arc_cli_get(p, "--follow") != NULL)
            return arc_cli_follow(p, c, out, err);
        arc_cli_list_path(p, &path);
        return get(p, c, &path,
                   name[0] == 'n' ? arc_cli_format_nodes
                                  : arc_cli_format_events,
                   out, err);
    }
    if (strcmp(name, "node") == 0) {
        node_path(p->args[0], "", &path);
        return get(p, c, &path, arc_cli_format_node, out, err);
    }
    if (strcmp(name, "history") == 0) {
        node_path(p->args[0], "/history", &path);
        arc_cli_query_add(&path, "from", arc_cli_get(p, "--from"));
        arc_cli_query_add(&path, "to", arc_cli_get(p, "--to"));
        arc_cli_query_add(&path, "step", arc_cli_get(p, "--step"));
        return get(p, c, &path, arc_cli_format_history, out, err);
    }
    if (strcmp(name, "zones") == 0) {
        arc_cli_buf_puts(&path, "/v1/zones");
        return get(p, c, &path, arc_cli_format_zones, out, err);
    }
    if (strcmp(name, "route") == 0 || strcmp(name, "infer") == 0)
        return request_command(p, c, name[0] == 'i', out, err);
    if (strcmp(name, "drain") == 0 || strcmp(name, "undrain") == 0)
        return drain(p, c, name[0] == 'd', out, err);
    if (strcmp(name, "top") == 0)
        return arc_cli_top(p, c, out, err);

    fprintf(err, "arcnet: %s is not run by this program\n", name);
    return ARC_CLI_EXIT_USAGE;
}
