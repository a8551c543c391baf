/*
 * log.c - formats and writes log lines (see log.h).
 *
 * Each line is built in a stack buffer and written with one write(2),
 * so lines from different threads never interleave.
 */
#include "daemon/log.h"

#include <libwebsockets.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const level_names[ARC_LOG_LEVEL_COUNT] = {
    "debug", "info", "warn", "error",
};

static arc_log_level_t current_level = ARC_LOG_INFO;

arc_status_t arc_daemon_log_level_parse(const char *s, arc_log_level_t *out)
{
    for (int i = 0; i < ARC_LOG_LEVEL_COUNT; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (arc_log_level_t)i;
            return ARC_OK;
        }
    }
    return ARC_ERR_INVALID;
}

const char *arc_daemon_log_level_name(arc_log_level_t level)
{
    return level < ARC_LOG_LEVEL_COUNT ? level_names[level] : "?";
}

void arc_daemon_log_set_level(arc_log_level_t level)
{
    current_level = level;
}

int arc_daemon_log_enabled(arc_log_level_t level)
{
    return level >= current_level;
}

static size_t format_time(char *out, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    size_t n;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(out + n, cap - n, ".%03ldZ",
                          ts.tv_nsec / 1000000);
    return n < cap ? n : cap - 1;
}

void arc_daemon_log(arc_log_level_t level, const char *component,
                    const char *fmt, ...)
{
    char line[1024];
    size_t n;
    int m;
    va_list ap;

    if (!arc_daemon_log_enabled(level)) {
        return;
    }
    n = format_time(line, sizeof(line));
    m = snprintf(line + n, sizeof(line) - n, " %-5s %-6s ",
                 arc_daemon_log_level_name(level), component);
    n += m > 0 ? (size_t)m : 0;
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    n += m > 0 ? (size_t)m : 0;
    if (n > sizeof(line) - 2) {
        n = sizeof(line) - 2;
    }
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, n) < 0) {
        return; /* nowhere left to report it */
    }
}

static void lws_emit(int level, const char *line)
{
    size_t n = strlen(line);

    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' ')) {
        n--;
    }
    /* lws warns about client-caused things (a refused upgrade): those
     * are debug lines here, so a client cannot fill the log. */
    arc_daemon_log(level == LLL_ERR ? ARC_LOG_ERROR : ARC_LOG_DEBUG, "lws",
                   "%.*s", (int)n, line);
}

void arc_daemon_log_route_lws(void)
{
    lws_set_log_level(LLL_ERR | LLL_WARN, lws_emit);
}
