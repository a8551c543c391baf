/*
 * format_util.h - lenient readers of cJSON fields shared by the output
 * formatters (format.c, format_reply.c, top.c). Not for other modules.
 *
 * Any thread; returned strings are the tree's or the caller's buffer.
 */
#ifndef ARC_CLI_FORMAT_UTIL_H
#define ARC_CLI_FORMAT_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "cli/buf.h"

/* The string member `key`, or NULL when absent or not a string. */
const char *arc_cli_jstr(const cJSON *obj, const char *key);

/* The finite number member `key`; false when absent or not one. */
bool arc_cli_jnum(const cJSON *obj, const char *key, double *out);

/* The number member `key` times `scale`, printed with `digits`
 * decimals and then `unit` into buf; "-" when absent. */
const char *arc_cli_jfmt(const cJSON *obj, const char *key, int digits,
                         double scale, const char *unit, char *buf,
                         size_t cap);

/* The time member `key` (integer microseconds UTC) as
 * "YYYY-MM-DD HH:MM:SS", or "HH:MM:SS" when `clock`; a string member is
 * returned as it is; "-" when absent. */
const char *arc_cli_jtime(const cJSON *obj, const char *key, bool clock,
                          char *buf, size_t cap);

/* Parses `len` bytes; NULL for NULL input or invalid JSON. The caller
 * frees the tree with cJSON_Delete. */
cJSON *arc_cli_jparse(const char *json, size_t len);

/* One event object as the fixed-column line of `arcnet events
 * --follow` (see arc_cli_format_frame_events). */
void arc_cli_format_event_obj(const cJSON *ev, arc_cli_buf_t *out);

#endif
