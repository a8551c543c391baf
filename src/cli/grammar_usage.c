/*
 * grammar_usage.c - help text and the JSON description of the grammar,
 * both derived from the command table.
 *
 * The one idea: help can never disagree with the parser, because both
 * read the same table. Synopses wrap at 80 columns.
 *
 * Any thread; output goes to the caller's buffer.
 */
#include "cli/grammar.h"

#include <stdio.h>
#include <string.h>

#define WIDTH 80

static const char *const kind_names[] = {
    "flag", "text", "choice", "number", "count",
};

/* Appends a synopsis word, wrapping to an indented line when needed. */
static void word(arc_cli_buf_t *b, size_t *col, const char *w)
{
    size_t n = strlen(w);

    if (*col + 1 + n > WIDTH) {
        arc_cli_buf_puts(b, "\n       ");
        *col = 7;
    }
    arc_cli_buf_printf(b, " %s", w);
    *col += 1 + n;
}

static void synopsis(arc_cli_buf_t *b, const arc_cli_command_t *c)
{
    size_t col = 0;
    char w[96];

    arc_cli_buf_printf(b, "usage: arcnet %s", c->name);
    col = strlen("usage: arcnet ") + strlen(c->name);
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < c->option_count; i++) {
            const arc_cli_option_t *o = &c->options[i];

            if (o->required != (pass == 0))
                continue;
            snprintf(w, sizeof(w), "%s%s%s%s%s", o->required ? "" : "[",
                     o->name, o->metavar ? " " : "",
                     o->metavar ? o->metavar : "", o->required ? "" : "]");
            word(b, &col, w);
        }
    }
    if (c->args != NULL)
        word(b, &col, c->args);
    arc_cli_buf_puts(b, "\n");
}

/* Width of "--zone ZONE", to pad option lines to a common column. */
static size_t option_width(const arc_cli_option_t *o)
{
    return strlen(o->name) + (o->metavar ? strlen(o->metavar) + 1 : 0);
}

/* "  --zone ZONE    help (required)" */
static void option_line(arc_cli_buf_t *b, const arc_cli_option_t *o,
                        size_t pad)
{
    arc_cli_buf_printf(b, "  %s%s%s", o->name, o->metavar ? " " : "",
                       o->metavar ? o->metavar : "");
    arc_cli_buf_repeat(b, ' ', pad + 2 - option_width(o));
    arc_cli_buf_printf(b, "%s%s\n", o->help,
                       o->required ? " (required)" : "");
}

void arc_cli_usage(arc_cli_buf_t *b)
{
    size_t pad = 0;

    arc_cli_buf_puts(b, "usage: arcnet [--server URL] [--token TOKEN] "
                        "[--json] COMMAND [options]\n\nCommands:\n");
    for (size_t i = 0; i < arc_cli_command_count(); i++) {
        const arc_cli_command_t *c = arc_cli_command_at(i);

        arc_cli_buf_printf(b, "  %-9s %s\n", c->name, c->summary);
    }

    for (size_t i = 0; i < arc_cli_global_count(); i++) {
        size_t w = option_width(arc_cli_global_at(i));

        pad = w > pad ? w : pad;
    }
    arc_cli_buf_puts(b, "\nGlobal options:\n");
    for (size_t i = 0; i < arc_cli_global_count(); i++)
        option_line(b, arc_cli_global_at(i), pad);
    arc_cli_buf_puts(b, "\nRun 'arcnet COMMAND --help' for the options of "
                        "a command.\nExit status: 0 ok, 1 server or "
                        "network error, 2 usage error.\n");
}

void arc_cli_command_usage(arc_cli_buf_t *b, const arc_cli_command_t *c)
{
    if (c == NULL) {
        arc_cli_usage(b);
        return;
    }

    synopsis(b, c);
    arc_cli_buf_printf(b, "\n%s.%s\n", c->summary,
                       c->changes_state ? " Needs an operator token." : "");
    if (c->option_count > 0) {
        size_t pad = 0;

        for (uint32_t i = 0; i < c->option_count; i++) {
            size_t w = option_width(&c->options[i]);

            pad = w > pad ? w : pad;
        }
        arc_cli_buf_puts(b, "\nOptions:\n");
        for (uint32_t i = 0; i < c->option_count; i++)
            option_line(b, &c->options[i], pad);
    }
    if (c->passthrough)
        arc_cli_buf_printf(b, "\nRun 'arcnet %s --help' for its own "
                              "options.\n", c->name);
}

/* ---- JSON ------------------------------------------------------------- */

static void json_option(arc_cli_buf_t *b, const arc_cli_option_t *o)
{
    const char *s;

    arc_cli_buf_puts(b, "{\"name\":");
    arc_cli_buf_json_string(b, o->name);
    arc_cli_buf_puts(b, ",\"metavar\":");
    if (o->metavar != NULL)
        arc_cli_buf_json_string(b, o->metavar);
    else
        arc_cli_buf_puts(b, "null");
    arc_cli_buf_puts(b, ",\"help\":");
    arc_cli_buf_json_string(b, o->help);
    arc_cli_buf_printf(b, ",\"kind\":\"%s\",\"required\":%s",
                       kind_names[o->kind], o->required ? "true" : "false");

    arc_cli_buf_puts(b, ",\"choices\":[");
    for (unsigned i = 0; o->choices != NULL && (s = o->choices(i)); i++) {
        arc_cli_buf_puts(b, i > 0 ? "," : "");
        arc_cli_buf_json_string(b, s);
    }
    arc_cli_buf_puts(b, "]");
    if (o->kind == ARC_CLI_NUMBER || o->kind == ARC_CLI_COUNT)
        arc_cli_buf_printf(b, ",\"min\":%.17g,\"max\":%.17g", o->min,
                           o->max);
    arc_cli_buf_puts(b, "}");
}

static void json_command(arc_cli_buf_t *b, const arc_cli_command_t *c)
{
    arc_cli_buf_puts(b, "{\"name\":");
    arc_cli_buf_json_string(b, c->name);
    arc_cli_buf_puts(b, ",\"summary\":");
    arc_cli_buf_json_string(b, c->summary);
    arc_cli_buf_puts(b, ",\"args\":");
    if (c->args != NULL)
        arc_cli_buf_json_string(b, c->args);
    else
        arc_cli_buf_puts(b, "null");
    arc_cli_buf_printf(b,
                       ",\"min_args\":%u,\"max_args\":%u,"
                       "\"changes_state\":%s,\"passthrough\":%s,"
                       "\"options\":[",
                       c->min_args, c->max_args,
                       c->changes_state ? "true" : "false",
                       c->passthrough ? "true" : "false");
    for (uint32_t i = 0; i < c->option_count; i++) {
        arc_cli_buf_puts(b, i > 0 ? "," : "");
        json_option(b, &c->options[i]);
    }
    arc_cli_buf_puts(b, "]}");
}

void arc_cli_grammar_json(arc_cli_buf_t *b)
{
    arc_cli_buf_puts(b, "{\"commands\":[");
    for (size_t i = 0; i < arc_cli_command_count(); i++) {
        arc_cli_buf_puts(b, i > 0 ? "," : "");
        json_command(b, arc_cli_command_at(i));
    }
    arc_cli_buf_puts(b, "],\"globals\":[");
    for (size_t i = 0; i < arc_cli_global_count(); i++) {
        arc_cli_buf_puts(b, i > 0 ? "," : "");
        json_option(b, arc_cli_global_at(i));
    }
    arc_cli_buf_puts(b, "]}");
}
