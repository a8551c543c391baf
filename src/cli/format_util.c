/*
 * format_util.c - lenient readers of cJSON fields for the formatters,
 * and the UTC time format.
 *
 * Any thread; no state.
 */
#include "cli/format_util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/format.h"

const char *arc_cli_jstr(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool arc_cli_jnum(const cJSON *obj, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return false;
    *out = v->valuedouble;
    return true;
}

const char *arc_cli_jfmt(const cJSON *obj, const char *key, int digits,
                         double scale, const char *unit, char *buf,
                         size_t cap)
{
    double x;

    if (!arc_cli_jnum(obj, key, &x))
        return "-";
    snprintf(buf, cap, "%.*f%s", digits, x * scale, unit);
    return buf;
}

cJSON *arc_cli_jparse(const char *json, size_t len)
{
    if (json == NULL)
        return NULL;
    return cJSON_ParseWithLength(json, len);
}

void arc_cli_format_time(int64_t us, char *out, size_t cap)
{
    time_t s = (time_t)(us / ARC_US_PER_S);
    struct tm tm;

    if (us < 0 || gmtime_r(&s, &tm) == NULL) {
        snprintf(out, cap, "-");
        return;
    }
    strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

/* The time of an object's field: integer microseconds, or text as is. */
const char *arc_cli_jtime(const cJSON *obj, const char *key, bool clock,
                          char *buf, size_t cap)
{
    double us;
    const char *s = arc_cli_jstr(obj, key);

    if (s != NULL)
        return s;
    if (!arc_cli_jnum(obj, key, &us))
        return "-";

    arc_cli_format_time((int64_t)us, buf, cap);
    if (clock && strlen(buf) > 11)
        memmove(buf, buf + 11, strlen(buf + 11) + 1);
    return buf;
}
