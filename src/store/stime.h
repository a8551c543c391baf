/*
 * stime.h - times as people and programs write them: RFC 3339
 * ("2026-03-20T06:00:00Z", "2026-03-20T01:00:00.5-05:00") or integer
 * microseconds since the Unix epoch ("1774000000000000"), both read
 * into UTC microseconds, and written back as RFC 3339 in UTC.
 *
 * One parser serves the API's query strings, the CLI's flags and the
 * store's tests, so a time means the same everywhere. It accepts only
 * what it can read whole: trailing text, out-of-range fields (month 13,
 * 30 February, hour 24) or a value past the int64 range are refused.
 * Pure functions; any thread; nothing allocated.
 */
#ifndef ARC_STORE_STIME_H
#define ARC_STORE_STIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/arc.h"

/*
 * Reads `s` (NUL-terminated) as RFC 3339 (date 'T' or 't' or ' ' time,
 * optional fraction of up to 9 digits - finer than microseconds is
 * truncated - then 'Z', 'z' or +HH:MM / -HH:MM) or as an optional '-'
 * and decimal digits (microseconds). Years 0001-9999. ARC_ERR_INVALID
 * for anything else, NULL or empty.
 */
arc_status_t arc_time_parse(const char *s, int64_t *out_us);

/* The same for the first `len` bytes of `s` (need not be terminated). */
arc_status_t arc_time_parse_n(const char *s, size_t len, int64_t *out_us);

#define ARC_TIME_TEXT_MAX 32

/*
 * Writes `us` as "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (27 characters and a
 * NUL). ARC_ERR_INVALID when the year falls outside 0001-9999 or the
 * buffer is shorter than ARC_TIME_TEXT_MAX.
 */
arc_status_t arc_time_format(int64_t us, char *buf, size_t len);

#endif
