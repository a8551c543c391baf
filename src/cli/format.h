/*
 * format.h - the daemon's JSON replies turned into what a person reads:
 * aligned tables within 80 columns and short receipts.
 *
 * Every function is pure: a JSON document in, text appended to a buffer
 * out. A reply that is not the JSON document expected is ARC_ERR_INVALID
 * (the caller says the server's reply was not understood). Missing
 * fields print as "-", so a newer server with more or fewer fields still
 * formats.
 *
 * Any thread; the caller owns the buffer.
 */
#ifndef ARC_CLI_FORMAT_H
#define ARC_CLI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/buf.h"
#include "core/arc.h"

#define ARC_CLI_WIDTH 80

/* {"nodes":[...]} as a table: id, zone, status, energy, carbon, ... */
arc_status_t arc_cli_format_nodes(const char *json, size_t len,
                                  arc_cli_buf_t *out);

/* One node ({...} or {"node":{...}}) as labelled lines. */
arc_status_t arc_cli_format_node(const char *json, size_t len,
                                 arc_cli_buf_t *out);

/* {"zones":[...]} as a table. */
arc_status_t arc_cli_format_zones(const char *json, size_t len,
                                  arc_cli_buf_t *out);

/* {"decision":{...}}: the choice, the score of each term, runner-ups. */
arc_status_t arc_cli_format_decision(const char *json, size_t len,
                                     arc_cli_buf_t *out);

/* An inference reply: where it ran, energy, carbon, times, output. */
arc_status_t arc_cli_format_inference(const char *json, size_t len,
                                      arc_cli_buf_t *out);

/* {"events":[...]} as a table, oldest first. */
arc_status_t arc_cli_format_events(const char *json, size_t len,
                                   arc_cli_buf_t *out);

/* Which events of a frame to show, and how. */
typedef struct arc_cli_event_view {
    const char *type;     /* only this type; NULL: any */
    const char *zone;     /* only this zone; NULL: any */
    const char *severity; /* only this severity or worse; NULL: any */
    const char *q;        /* only events whose message or node contains
                             this, ignoring case; NULL: any */
    bool json;            /* one JSON object per line, not columns */
    uint64_t last_seq;    /* in/out: events up to this seq are skipped;
                             raised to the newest shown */
    uint64_t frame_seq;   /* out: the frame's own "seq", 0 if none */
    int64_t frame_time;   /* out: the frame's "time" (UTC us), or 0 */
} arc_cli_event_view_t;

/*
 * The events a stream frame carries - its "events" array (the daemon's
 * batches, and the reply of GET /v1/events), its "event" object, or the
 * frame itself when its "type" is an event type - that pass the view's
 * filters, one line each: fixed columns within 80 columns, or JSON.
 * ARC_ERR_NOT_FOUND when the frame carries no events (telemetry,
 * decisions: callers skip those); ARC_ERR_INVALID when it is not JSON.
 */
arc_status_t arc_cli_format_frame_events(const char *json, size_t len,
                                         arc_cli_event_view_t *view,
                                         arc_cli_buf_t *out);

/* The reply to drain and undrain: "node X drained" or the like. */
arc_status_t arc_cli_format_drain(const char *json, size_t len,
                                  const char *node, int drained,
                                  arc_cli_buf_t *out);

/*
 * The message of an error reply {"error":{"code","message"}} as
 * "message (code)"; when the body is not such a document, a sentence
 * with the HTTP status instead. Always writes a NUL-terminated string.
 */
void arc_cli_error_text(const char *json, size_t len, long http_status,
                        char *out, size_t cap);

/* UTC "YYYY-MM-DD HH:MM:SS" of microseconds since the epoch. */
void arc_cli_format_time(int64_t us, char *out, size_t cap);

#endif
