/*
 * grammar_table.c - the `arcnet` commands and their options, as data.
 *
 * Adding a command is adding an entry here (and its action in the
 * program); parsing, usage, completion and the JSON grammar follow.
 * Choices of enum-valued options are read from the enums' own name
 * functions, so a new zone or policy appears here by itself.
 *
 * Constant data; any thread.
 */
#include "cli/grammar.h"

#include <string.h>

#include "core/types.h"
#include "route/router.h"
#include "state/events.h"

static const char *zone_choice(unsigned i)
{
    return i < ARC_ZONE_COUNT ? arc_zone_name((arc_zone_t)i) : NULL;
}

static const char *status_choice(unsigned i)
{
    return i < ARC_NODE_STATUS_COUNT
               ? arc_node_status_name((arc_node_status_t)i)
               : NULL;
}

static const char *source_choice(unsigned i)
{
    return i < ARC_SOURCE_COUNT ? arc_source_name((arc_energy_source_t)i)
                                : NULL;
}

static const char *priority_choice(unsigned i)
{
    return i < ARC_PRIO_COUNT ? arc_priority_name((arc_priority_t)i) : NULL;
}

static const char *policy_choice(unsigned i)
{
    return i < ARC_POLICY_COUNT ? arc_policy_name((arc_policy_t)i) : NULL;
}

static const char *model_choice(unsigned i)
{
    const arc_model_t *m = arc_model_get(i);

    return m != NULL ? m->name : NULL;
}

static const char *event_type_choice(unsigned i)
{
    return i < ARC_EVENT_TYPE_COUNT
               ? arc_event_type_name((arc_event_type_t)i)
               : NULL;
}

static const char *severity_choice(unsigned i)
{
    return i < ARC_SEV_COUNT ? arc_severity_name((arc_severity_t)i) : NULL;
}

#define CHOICE(n, mv, h, fn)                                                 \
    {.name = n, .metavar = mv, .help = h, .kind = ARC_CLI_CHOICE,            \
     .choices = fn}
#define TEXT(n, mv, h, req, fn)                                              \
    {.name = n, .metavar = mv, .help = h, .kind = ARC_CLI_TEXT,              \
     .required = req, .choices = fn}
#define NUMBER(n, mv, h, lo, hi)                                             \
    {.name = n, .metavar = mv, .help = h, .kind = ARC_CLI_NUMBER,            \
     .required = true, .min = lo, .max = hi}
#define COUNT(n, mv, h, lo, hi)                                              \
    {.name = n, .metavar = mv, .help = h, .kind = ARC_CLI_COUNT,             \
     .min = lo, .max = hi}
#define FLAG(n, h) {.name = n, .help = h, .kind = ARC_CLI_FLAG}

#define REQUEST_OPTIONS                                                      \
    TEXT("--model", "MODEL", "the model to run", true, model_choice),        \
        CHOICE("--priority", "PRIORITY",                                     \
               "critical, normal (default) or background",                   \
               priority_choice),                                             \
        NUMBER("--lat", "DEG", "latitude the request comes from", -90, 90),  \
        NUMBER("--lon", "DEG", "longitude the request comes from", -180,     \
               180),                                                         \
        CHOICE("--policy", "POLICY", "routing policy (default arcnet)",      \
               policy_choice)

/* Largest integer a JSON number carries exactly. */
#define EXACT_MAX 9007199254740991.0

static const arc_cli_command_t commands[] = {
    {.name = "nodes",
     .summary = "List nodes, filtered by zone, status, model or energy",
     .option_count = 6,
     .options = {
         CHOICE("--zone", "ZONE", "only nodes of this zone", zone_choice),
         CHOICE("--status", "STATUS", "only nodes in this status",
                status_choice),
         TEXT("--model", "MODEL", "only nodes that load this model", false,
              model_choice),
         CHOICE("--energy-source", "SOURCE",
                "only nodes running on this source", source_choice),
         TEXT("--as-of", "TIME", "the nodes as they were then (no filters)",
              false, NULL),
         TEXT("--known-at", "TIME", "as the history knew them then",
              false, NULL),
     }},
    {.name = "node",
     .summary = "Show one node in full",
     .args = "ID",
     .min_args = 1,
     .max_args = 1},
    {.name = "zones", .summary = "Show each zone's totals"},
    {.name = "route",
     .summary = "Ask where a request would run, and why",
     .option_count = 5,
     .options = {REQUEST_OPTIONS}},
    {.name = "infer",
     .summary = "Run an inference request and show its receipt",
     .option_count = 6,
     .options = {REQUEST_OPTIONS,
                 TEXT("--input", "TEXT", "the prompt", true, NULL)}},
    {.name = "events",
     .summary = "List events, or follow them as they happen",
     .option_count = 7,
     .options = {
         CHOICE("--type", "TYPE", "only events of this type",
                event_type_choice),
         CHOICE("--zone", "ZONE", "only events of this zone", zone_choice),
         CHOICE("--severity", "SEVERITY", "only events this severe or worse",
                severity_choice),
         TEXT("--q", "TEXT", "only events whose text contains this", false,
              NULL),
         COUNT("--since", "SEQ", "only events after this sequence number",
               0, EXACT_MAX),
         COUNT("--limit", "N", "at most this many (the newest)", 1, 100000),
         FLAG("--follow", "keep printing new events until interrupted"),
     }},
    {.name = "history",
     .summary = "Show a node's history, bucketed",
     .args = "ID",
     .min_args = 1,
     .max_args = 1,
     .option_count = 3,
     .options = {
         TEXT("--from", "TIME", "start (RFC 3339 or microseconds; an hour "
              "before --to)", false, NULL),
         TEXT("--to", "TIME", "end (now)", false, NULL),
         TEXT("--step", "STEP", "bucket width: 60s, 5m, 1h (1m)", false,
              NULL),
     }},
    {.name = "drain",
     .summary = "Stop sending new requests to a node (operator)",
     .args = "ID",
     .min_args = 1,
     .max_args = 1,
     .changes_state = true},
    {.name = "undrain",
     .summary = "Send requests to a drained node again (operator)",
     .args = "ID",
     .min_args = 1,
     .max_args = 1,
     .changes_state = true},
    {.name = "top",
     .summary = "Live view of the zones and the latest events (q quits)"},
    {.name = "sim",
     .summary = "Simulate the mesh offline and compare policies",
     .args = "[sim options]",
     .passthrough = true},
    {.name = "help",
     .summary = "Show the commands, or one command's options",
     .args = "[COMMAND]",
     .max_args = 1},
};

static const arc_cli_option_t globals[] = {
    TEXT("--server", "URL",
         "daemon URL (else $ARCNET_SERVER or http://127.0.0.1:8080)",
         false, NULL),
    TEXT("--token", "TOKEN",
         "API token (else $ARCNET_TOKEN or ./arcnet-data/token)", false,
         NULL),
    FLAG("--json", "print the server's JSON instead of a table"),
    FLAG("--help", "show this help"),
};

size_t arc_cli_command_count(void)
{
    return ARC_ARRAY_LEN(commands);
}

const arc_cli_command_t *arc_cli_command_at(size_t i)
{
    return i < ARC_ARRAY_LEN(commands) ? &commands[i] : NULL;
}

const arc_cli_command_t *arc_cli_command_find(const char *name)
{
    if (name == NULL)
        return NULL;

    for (size_t i = 0; i < ARC_ARRAY_LEN(commands); i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

size_t arc_cli_global_count(void)
{
    return ARC_ARRAY_LEN(globals);
}

const arc_cli_option_t *arc_cli_global_at(size_t i)
{
    return i < ARC_ARRAY_LEN(globals) ? &globals[i] : NULL;
}
