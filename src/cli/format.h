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

/*
 * The events a stream frame carries - its "events" array (the daemon's
 * batches), its "event" object, or the frame itself when its "type" is
 * an event type - one line each of fixed columns within 80 columns,
 * skipping those with seq <= *last_seq and raising *last_seq to the
 * newest printed. ARC_ERR_NOT_FOUND when the frame carries no events
 * (telemetry, decisions: callers skip those); ARC_ERR_INVALID when it
 * is not JSON.
 */
arc_status_t arc_cli_format_frame_events(const char *json, size_t len,
                                         uint64_t *last_seq,
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
