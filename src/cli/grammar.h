/*
 * grammar.h - the `arcnet` command grammar: which commands exist, which
 * options each takes, and how a command line is parsed and checked.
 *
 * The one idea: the grammar is a table, not code. Each command is one
 * entry (name, summary, positional arguments, options, and whether it
 * changes state, which only an operator may do), and everything else -
 * parsing argv, splitting and checking one typed line, usage text, tab
 * completion, the JSON description for other front ends - is derived
 * from that table. The command line tool and the console's terminal
 * therefore speak exactly the same language.
 *
 * Nothing here does I/O except the usage printers, which write to a
 * buffer. Any thread: the table is constant and the functions keep no
 * state. Parsed results point into the caller's argv (or into the
 * arc_cli_line_t they were split into); the caller owns both.
 */
#ifndef ARC_CLI_GRAMMAR_H
#define ARC_CLI_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/buf.h"
#include "core/arc.h"

/* Exit statuses of the `arcnet` program. */
#define ARC_CLI_EXIT_OK 0
#define ARC_CLI_EXIT_ERROR 1 /* the server refused, or no connection */
#define ARC_CLI_EXIT_USAGE 2 /* the command line was wrong */

/* What an option's value must look like. */
typedef enum arc_cli_kind {
    ARC_CLI_FLAG = 0, /* no value */
    ARC_CLI_TEXT,     /* any non-empty text */
    ARC_CLI_CHOICE,   /* one of the option's choices */
    ARC_CLI_NUMBER,   /* a finite decimal number within [min, max] */
    ARC_CLI_COUNT     /* a whole number within [min, max] */
} arc_cli_kind_t;

/*
 * The i-th choice of an option (0, 1, ...), NULL past the last. Choices
 * come from the enums' own name functions so they cannot drift.
 */
typedef const char *(*arc_cli_choice_fn)(unsigned i);

typedef struct arc_cli_option {
    const char *name;        /* with dashes: "--zone" */
    const char *metavar;     /* "ZONE"; NULL for a flag */
    const char *help;        /* one short sentence */
    arc_cli_kind_t kind;
    bool required;
    arc_cli_choice_fn choices; /* CHOICE: the allowed values; TEXT: only
                                  suggestions for completion; or NULL */
    double min, max;           /* NUMBER and COUNT bounds */
} arc_cli_option_t;

#define ARC_CLI_MAX_OPTIONS 12

typedef struct arc_cli_command {
    const char *name;        /* "nodes" */
    const char *summary;     /* one line for the command list */
    const char *args;        /* positional usage ("ID"), or NULL */
    uint8_t min_args;        /* positional arguments required */
    uint8_t max_args;        /* and allowed */
    bool changes_state;      /* drains, undrains: operator only */
    bool passthrough;        /* the rest of argv is the command's own
                                (`sim` parses its own options) */
    uint32_t option_count;
    arc_cli_option_t options[ARC_CLI_MAX_OPTIONS];
} arc_cli_command_t;

/* The command table, and lookup by exact name (NULL when unknown). */
size_t arc_cli_command_count(void);
const arc_cli_command_t *arc_cli_command_at(size_t i);
const arc_cli_command_t *arc_cli_command_find(const char *name);

/* Options every command accepts (--server, --token, --json, --help). */
size_t arc_cli_global_count(void);
const arc_cli_option_t *arc_cli_global_at(size_t i);

#define ARC_CLI_MAX_ARGS 8
#define ARC_CLI_ERROR_MAX 200

/* A parsed command line. Strings point into the parsed argv. */
typedef struct arc_cli_parsed {
    const arc_cli_command_t *cmd; /* NULL: no command given */
    /* value of cmd->options[i]; NULL when absent, "" for a given flag */
    const char *values[ARC_CLI_MAX_OPTIONS];
    const char *args[ARC_CLI_MAX_ARGS]; /* positional arguments */
    uint32_t arg_count;

    const char *server; /* --server, or NULL */
    const char *token;  /* --token, or NULL */
    bool json;          /* --json */
    bool help;          /* --help or -h */

    int rest_argc;      /* passthrough: argv after the command name */
    char **rest_argv;

    char error[ARC_CLI_ERROR_MAX]; /* the usage error, when not ARC_OK */
} arc_cli_parsed_t;

/*
 * Parses argv[0..argc-1] (without the program name). Global options may
 * stand before or after the command; `--name value` and `--name=value`
 * both work; `--` ends the options. With --help, required options and
 * arguments are not demanded. Returns ARC_OK, or ARC_ERR_INVALID with a
 * one-line message in out->error (exit with ARC_CLI_EXIT_USAGE). No
 * command at all is valid only with --help.
 */
arc_status_t arc_cli_parse(int argc, char **argv, arc_cli_parsed_t *out);

/* The value of the option named `name` ("--zone"), or NULL. */
const char *arc_cli_get(const arc_cli_parsed_t *p, const char *name);

/* ---- one typed line (the console's terminal) -------------------------- */

#define ARC_CLI_LINE_MAX 2048
#define ARC_CLI_LINE_WORDS 64

/* A line split into words; the words live in `buf`. */
typedef struct arc_cli_line {
    char buf[ARC_CLI_LINE_MAX];
    char *words[ARC_CLI_LINE_WORDS];
    int count;
} arc_cli_line_t;

/*
 * Splits a line into words like a shell: blanks separate words, '...'
 * keeps everything literally, "..." keeps everything but lets \" and \\
 * through, and a backslash outside quotes escapes the next character.
 * A leading "arcnet" word is dropped. ARC_ERR_INVALID for an unclosed
 * quote, a line too long or too many words (message in `error`, which
 * has room for ARC_CLI_ERROR_MAX bytes and may be NULL).
 */
arc_status_t arc_cli_split(const char *line, arc_cli_line_t *out,
                           char *error);

/*
 * Splits and parses one line: arc_cli_split then arc_cli_parse. The
 * parsed result points into `line_out`.
 */
arc_status_t arc_cli_check_line(const char *line, arc_cli_line_t *line_out,
                                arc_cli_parsed_t *out);

/* ---- completion ------------------------------------------------------- */

/*
 * Candidates for the last word of `line` (the text up to the cursor; a
 * trailing blank means a new, empty word): command names as the first
 * word, option names after a dash, an option's choices after an option
 * that takes them. Writes up to `cap` pointers to constant strings to
 * `out`, in table order, and returns how many there are in all (which
 * may exceed cap).
 */
size_t arc_cli_complete(const char *line, const char **out, size_t cap);

/* ---- usage ------------------------------------------------------------ */

/* The command list (for `arcnet --help`). */
void arc_cli_usage(arc_cli_buf_t *b);

/* One command's usage: synopsis, summary, each option (`--help`). */
void arc_cli_command_usage(arc_cli_buf_t *b, const arc_cli_command_t *c);

/*
 * The whole grammar as one JSON document, for front ends that load it
 * rather than link it: {"commands":[{name, summary, args, min_args,
 * max_args, changes_state, options:[{name, metavar, help, kind,
 * required, choices:[...], min, max}]}], "globals":[...]}.
 */
void arc_cli_grammar_json(arc_cli_buf_t *b);

#endif
