/*
 * grammar.c - parsing an `arcnet` command line against the command
 * table: argv parsing with clear usage errors, shell-like splitting of
 * one typed line, and tab completion.
 *
 * The one idea: every check is driven by the table entry of the command
 * (grammar_table.c), so the program, the console's terminal and the
 * tests agree on what a valid command is. Nothing allocates; results
 * point into the caller's words.
 *
 * Any thread; no state.
 */
#include "cli/grammar.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static arc_status_t fail(arc_cli_parsed_t *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static arc_status_t fail(arc_cli_parsed_t *out, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(out->error, sizeof(out->error), fmt, ap);
    va_end(ap);
    return ARC_ERR_INVALID;
}

/* ---- option lookup and values ----------------------------------------- */

static const arc_cli_option_t *find_global(const char *name, size_t len)
{
    for (size_t i = 0; i < arc_cli_global_count(); i++) {
        const arc_cli_option_t *o = arc_cli_global_at(i);

        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    }
    return NULL;
}

static int find_option(const arc_cli_command_t *c, const char *name,
                       size_t len)
{
    for (uint32_t i = 0; c != NULL && i < c->option_count; i++) {
        const char *n = c->options[i].name;

        if (strlen(n) == len && strncmp(n, name, len) == 0)
            return (int)i;
    }
    return -1;
}

/* Writes "a, b or c" of an option's choices into out->error's tail. */
static arc_status_t fail_choices(arc_cli_parsed_t *out,
                                 const arc_cli_option_t *o)
{
    char list[ARC_CLI_ERROR_MAX] = "";
    size_t used = 0;
    const char *c;

    for (unsigned i = 0; (c = o->choices(i)) != NULL; i++) {
        const char *sep = i == 0 ? "" : o->choices(i + 1) ? ", " : " or ";
        int n = snprintf(list + used, sizeof(list) - used, "%s%s", sep, c);

        if (n < 0 || (size_t)n >= sizeof(list) - used)
            break;
        used += (size_t)n;
    }
    return fail(out, "%s must be %s", o->name, list);
}

static bool is_choice(const arc_cli_option_t *o, const char *v)
{
    const char *c;

    for (unsigned i = 0; (c = o->choices(i)) != NULL; i++) {
        if (strcmp(c, v) == 0)
            return true;
    }
    return false;
}

static bool parse_number(const char *v, bool whole, double *out)
{
    char *end;

    if (v[0] == '\0' || (whole && (v[0] < '0' || v[0] > '9')))
        return false;

    errno = 0;
    *out = whole ? (double)strtoull(v, &end, 10) : strtod(v, &end);
    return errno == 0 && *end == '\0' && isfinite(*out);
}

static arc_status_t check_value(arc_cli_parsed_t *out,
                                const arc_cli_option_t *o, const char *v)
{
    double x;

    switch (o->kind) {
    case ARC_CLI_FLAG:
        return ARC_OK;
    case ARC_CLI_TEXT:
        if (v[0] == '\0')
            return fail(out, "%s needs a non-empty %s", o->name, o->metavar);
        return ARC_OK;
    case ARC_CLI_CHOICE:
        return is_choice(o, v) ? ARC_OK : fail_choices(out, o);
    case ARC_CLI_NUMBER:
    case ARC_CLI_COUNT:
        if (!parse_number(v, o->kind == ARC_CLI_COUNT, &x))
            return fail(out, "%s needs a %s, not '%s'", o->name,
                        o->kind == ARC_CLI_COUNT ? "whole number" : "number",
                        v);
        if (x < o->min || x > o->max)
            return fail(out, "%s must be between %g and %g", o->name, o->min,
                        o->max);
        return ARC_OK;
    }
    return fail(out, "%s has an unknown kind", o->name);
}

/* ---- argv ------------------------------------------------------------- */

static void store_global(arc_cli_parsed_t *out, const arc_cli_option_t *o,
                         const char *v)
{
    if (strcmp(o->name, "--server") == 0)
        out->server = v;
    else if (strcmp(o->name, "--token") == 0)
        out->token = v;
    else if (strcmp(o->name, "--json") == 0)
        out->json = true;
    else
        out->help = true;
}

/*
 * Parses the option at argv[*i] ("--name" or "--name=value"), taking its
 * value from the next word when needed, and stores it.
 */
static arc_status_t parse_option(int argc, char **argv, int *i,
                                 arc_cli_parsed_t *out)
{
    const char *word = argv[*i];
    const char *eq = strchr(word, '=');
    size_t len = eq != NULL ? (size_t)(eq - word) : strlen(word);
    const arc_cli_option_t *g = find_global(word, len);
    int k = find_option(out->cmd, word, len);
    const arc_cli_option_t *o = k >= 0 ? &out->cmd->options[k] : g;
    const char *value = "";
    arc_status_t st;

    if (strcmp(word, "-h") == 0)
        o = g = find_global("--help", 6);
    if (o == NULL)
        return fail(out, "unknown option '%.*s'%s%s", (int)len, word,
                    out->cmd != NULL ? " for " : "",
                    out->cmd != NULL ? out->cmd->name : "");

    if (o->kind == ARC_CLI_FLAG && eq != NULL)
        return fail(out, "%s takes no value", o->name);
    if (o->kind != ARC_CLI_FLAG) {
        if (eq == NULL && *i + 1 >= argc)
            return fail(out, "%s needs a value (%s)", o->name, o->metavar);
        value = eq != NULL ? eq + 1 : argv[++*i];
    }

    st = check_value(out, o, value);
    if (st != ARC_OK)
        return st;
    if (k >= 0)
        out->values[k] = value;
    else
        store_global(out, o, value);
    return ARC_OK;
}

static arc_status_t parse_word(const char *word, arc_cli_parsed_t *out)
{
    if (out->cmd == NULL) {
        out->cmd = arc_cli_command_find(word);
        if (out->cmd == NULL)
            return fail(out, "unknown command '%s' (try 'arcnet help')",
                        word);
        return ARC_OK;
    }

    if (word[0] == '\0')
        return fail(out, "an empty argument for %s", out->cmd->name);
    if (out->arg_count >= out->cmd->max_args ||
        out->arg_count >= ARC_CLI_MAX_ARGS)
        return fail(out, "unexpected argument '%s' for %s", word,
                    out->cmd->name);
    out->args[out->arg_count++] = word;
    return ARC_OK;
}

/* What --help does not excuse: required options and arguments. */
static arc_status_t check_complete(arc_cli_parsed_t *out)
{
    const arc_cli_command_t *c = out->cmd;

    if (out->help)
        return ARC_OK;
    if (c == NULL)
        return fail(out, "no command given (try 'arcnet help')");

    for (uint32_t i = 0; i < c->option_count; i++) {
        if (c->options[i].required && out->values[i] == NULL)
            return fail(out, "%s needs %s %s", c->name, c->options[i].name,
                        c->options[i].metavar);
    }
    if (out->arg_count < c->min_args)
        return fail(out, "%s needs %s", c->name, c->args);
    return ARC_OK;
}

arc_status_t arc_cli_parse(int argc, char **argv, arc_cli_parsed_t *out)
{
    bool options_done = false;

    memset(out, 0, sizeof(*out));
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        arc_status_t st;

        if (out->cmd != NULL && out->cmd->passthrough) {
            out->rest_argc = argc - i;
            out->rest_argv = &argv[i];
            break;
        }
        if (!options_done && strcmp(w, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && w[0] == '-' && w[1] != '\0')
            st = parse_option(argc, argv, &i, out);
        else
            st = parse_word(w, out);
        if (st != ARC_OK)
            return st;
    }
    return check_complete(out);
}

const char *arc_cli_get(const arc_cli_parsed_t *p, const char *name)
{
    int k;

    if (p->cmd == NULL || name == NULL)
        return NULL;
    k = find_option(p->cmd, name, strlen(name));
    return k >= 0 ? p->values[k] : NULL;
}

/* ---- one line --------------------------------------------------------- */

typedef struct splitter {
    const char *p;   /* next input character */
    char *o;         /* next output byte */
    char *end;       /* end of the output buffer */
    char quote;      /* 0, '\'' or '"' while inside quotes */
    bool in_word;
    bool lenient;    /* completion: an unclosed quote is fine */
} splitter_t;

static arc_status_t split_error(char *error, const char *msg)
{
    if (error != NULL)
        snprintf(error, ARC_CLI_ERROR_MAX, "%s", msg);
    return ARC_ERR_INVALID;
}

/* Starts a word at the output position unless one is open. */
static bool start_word(splitter_t *s, arc_cli_line_t *out)
{
    if (s->in_word)
        return true;
    if (out->count == ARC_CLI_LINE_WORDS)
        return false;
    out->words[out->count++] = s->o;
    s->in_word = true;
    return true;
}

/* Appends one byte to the current word, keeping room for its NUL. */
static bool put(splitter_t *s, arc_cli_line_t *out, char c)
{
    if (!start_word(s, out) || s->o + 1 >= s->end)
        return false;
    *s->o++ = c;
    return true;
}

/* Handles one input character; false when the buffer or words ran out. */
static bool split_char(splitter_t *s, arc_cli_line_t *out)
{
    char c = *s->p++;

    if (s->quote != 0 && c == s->quote) {
        s->quote = 0;
        return true;
    }
    if (s->quote == '\'')
        return put(s, out, c);
    if (s->quote == '"') {
        if (c == '\\' && (*s->p == '"' || *s->p == '\\'))
            c = *s->p++;
        return put(s, out, c);
    }

    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (s->in_word)
            *s->o++ = '\0';
        s->in_word = false;
        return true;
    }
    if (c == '\'' || c == '"') {
        s->quote = c;
        return start_word(s, out);
    }
    if (c == '\\' && *s->p != '\0')
        c = *s->p++;
    return put(s, out, c);
}

static arc_status_t split(const char *line, arc_cli_line_t *out,
                          char *error, bool lenient)
{
    splitter_t s = {line, out->buf, out->buf + sizeof(out->buf), 0, false,
                    lenient};

    out->count = 0;
    if (line == NULL)
        return split_error(error, "no line given");

    while (*s.p != '\0') {
        if (!split_char(&s, out))
            return split_error(error, "the line is too long");
    }
    if (s.quote != 0 && !s.lenient)
        return split_error(error, "a quote is not closed");
    if (s.in_word)
        *s.o = '\0';

    if (out->count > 0 && strcmp(out->words[0], "arcnet") == 0) {
        memmove(out->words, out->words + 1,
                sizeof(out->words[0]) * (size_t)(out->count - 1));
        out->count--;
    }
    return ARC_OK;
}

arc_status_t arc_cli_split(const char *line, arc_cli_line_t *out,
                           char *error)
{
    return split(line, out, error, false);
}

arc_status_t arc_cli_check_line(const char *line, arc_cli_line_t *line_out,
                                arc_cli_parsed_t *out)
{
    arc_status_t st;

    memset(out, 0, sizeof(*out));
    st = arc_cli_split(line, line_out, out->error);
    if (st != ARC_OK)
        return st;
    return arc_cli_parse(line_out->count, line_out->words, out);
}

/* ---- completion ------------------------------------------------------- */

typedef struct candidates {
    const char **out;
    size_t cap;
    size_t n;
    const char *prefix;
} candidates_t;

static void offer(candidates_t *c, const char *s)
{
    if (strncmp(s, c->prefix, strlen(c->prefix)) != 0)
        return;
    if (c->n < c->cap)
        c->out[c->n] = s;
    c->n++;
}

static void offer_options(candidates_t *c, const arc_cli_command_t *cmd)
{
    for (uint32_t i = 0; cmd != NULL && i < cmd->option_count; i++)
        offer(c, cmd->options[i].name);
    for (size_t i = 0; i < arc_cli_global_count(); i++)
        offer(c, arc_cli_global_at(i)->name);
}

static void offer_commands(candidates_t *c)
{
    for (size_t i = 0; i < arc_cli_command_count(); i++)
        offer(c, arc_cli_command_at(i)->name);
}

/* The option `word` names (for `cmd` or global), or NULL. */
static const arc_cli_option_t *option_named(const arc_cli_command_t *cmd,
                                            const char *word)
{
    int k = find_option(cmd, word, strlen(word));

    return k >= 0 ? &cmd->options[k] : find_global(word, strlen(word));
}

/* The command among the finished words, skipping options and values. */
static const arc_cli_command_t *command_of(arc_cli_line_t *l, int done)
{
    for (int i = 0; i < done; i++) {
        const arc_cli_option_t *o;

        if (l->words[i][0] != '-')
            return arc_cli_command_find(l->words[i]);
        o = option_named(NULL, l->words[i]);
        if (o != NULL && o->kind != ARC_CLI_FLAG)
            i++;
    }
    return NULL;
}

size_t arc_cli_complete(const char *line, const char **out, size_t cap)
{
    arc_cli_line_t l;
    candidates_t c = {out, cap, 0, ""};
    size_t len = line != NULL ? strlen(line) : 0;
    bool fresh = len == 0 || strchr(" \t", line[len - 1]) != NULL;
    const arc_cli_command_t *cmd;
    const arc_cli_option_t *prev = NULL;
    int done;

    if (split(line, &l, NULL, true) != ARC_OK)
        return 0;
    done = fresh ? l.count : l.count - 1;
    if (!fresh && done >= 0)
        c.prefix = l.words[done];

    cmd = command_of(&l, done);
    if (done > 0)
        prev = option_named(cmd, l.words[done - 1]);

    if (prev != NULL && prev->kind != ARC_CLI_FLAG) {
        const char *s;

        for (unsigned i = 0; prev->choices && (s = prev->choices(i)); i++)
            offer(&c, s);
    } else if (c.prefix[0] == '-') {
        offer_options(&c, cmd);
    } else if (cmd == NULL) {
        offer_commands(&c);
    } else if (strcmp(cmd->name, "help") == 0) {
        offer_commands(&c);
    }
    return c.n;
}
