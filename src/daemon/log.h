/*
 * log.h - the daemon's log: one line per event on stderr.
 *
 * A line reads: UTC time with milliseconds, level, component, a
 * sentence, then key=value facts, e.g.
 *   2026-12-03T13:40:01.123Z info  api listening address=127.0.0.1:8080
 * Lines below the configured level are dropped before any formatting,
 * so debug logging costs one comparison when it is off. Nothing is
 * logged per request at the default level (info).
 *
 * Threads: any thread may log (each line is one write to stderr); the
 * level is set once at start.
 */
#ifndef ARC_DAEMON_LOG_H
#define ARC_DAEMON_LOG_H

#include "core/arc.h"

typedef enum arc_log_level {
    ARC_LOG_DEBUG = 0,
    ARC_LOG_INFO,
    ARC_LOG_WARN,
    ARC_LOG_ERROR,
    ARC_LOG_LEVEL_COUNT
} arc_log_level_t;

/* Parses "debug", "info", "warn" or "error". */
arc_status_t arc_daemon_log_level_parse(const char *s, arc_log_level_t *out);
const char *arc_daemon_log_level_name(arc_log_level_t level);

/* Lines below `level` are dropped. The default is ARC_LOG_INFO. */
void arc_daemon_log_set_level(arc_log_level_t level);

/* True when a line at `level` would be written. */
int arc_daemon_log_enabled(arc_log_level_t level);

/*
 * Writes one line. `component` is a short word ("api", "sim"); `fmt`
 * is the sentence and its key=value facts, printf-style, no newline.
 */
void arc_daemon_log(arc_log_level_t level, const char *component,
                    const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sends libwebsockets' own warnings and errors through this log. */
void arc_daemon_log_route_lws(void);

#endif
