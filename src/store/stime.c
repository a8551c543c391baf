/*
 * stime.c - RFC 3339 and integer-microsecond times (see stime.h).
 *
 * The idea: a small cursor walks the text field by field, each reader
 * taking an exact number of digits, so every malformed input stops at
 * the first wrong byte. Calendar arithmetic counts days from 0001-01-01
 * in the proleptic Gregorian calendar with 400-year cycles, then shifts
 * to the Unix epoch. Any thread; no allocation.
 */
#include "store/stime.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define US_PER_DAY (86400LL * ARC_US_PER_S)
#define DAYS_0001_TO_1970 719162LL /* days from 0001-01-01 to 1970-01-01 */

typedef struct cursor {
    const char *p;
    const char *end;
} cursor_t;

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 0001-01-01 to y-m-d (y >= 1). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t py = y - 1;
    int64_t days = py * 365 + py / 4 - py / 100 + py / 400;

    for (int i = 1; i < m; i++) {
        days += month_days(y, i);
    }
    return days + d - 1;
}

static void civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t cycles = days / 146097; /* 400-year cycles */
    int64_t rest = days % 146097;
    int64_t year = cycles * 400 + 1;

    while (rest >= (is_leap(year) ? 366 : 365)) {
        rest -= is_leap(year) ? 366 : 365;
        year++;
    }
    *m = 1;
    while (rest >= month_days(year, *m)) {
        rest -= month_days(year, *m);
        (*m)++;
    }
    *y = year;
    *d = (int)rest + 1;
}

/* Reads exactly n digits. */
static bool take_digits(cursor_t *c, int n, int64_t *out)
{
    int64_t v = 0;

    if (c->end - c->p < n) {
        return false;
    }
    for (int i = 0; i < n; i++) {
        if (c->p[i] < '0' || c->p[i] > '9') {
            return false;
        }
        v = v * 10 + (c->p[i] - '0');
    }
    c->p += n;
    *out = v;
    return true;
}

static bool take_char(cursor_t *c, const char *allowed)
{
    if (c->p >= c->end || *c->p == '\0' || strchr(allowed, *c->p) == NULL) {
        return false;
    }
    c->p++;
    return true;
}

/* Optional fraction: up to 9 digits, microseconds kept. */
static bool take_fraction(cursor_t *c, int64_t *us)
{
    int digits = 0;
    int64_t v = 0;

    *us = 0;
    if (c->p >= c->end || *c->p != '.') {
        return true;
    }
    c->p++;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        if (digits < 6) {
            v = v * 10 + (*c->p - '0');
        }
        digits++;
        c->p++;
    }
    if (digits == 0 || digits > 9) {
        return false;
    }
    for (int i = digits; i < 6; i++) {
        v *= 10;
    }
    *us = v;
    return true;
}

/* 'Z' or +HH:MM / -HH:MM; the offset in microseconds. */
static bool take_offset(cursor_t *c, int64_t *off_us)
{
    int64_t h, m;
    int sign;

    if (take_char(c, "Zz")) {
        *off_us = 0;
        return true;
    }
    if (c->p >= c->end || (*c->p != '+' && *c->p != '-')) {
        return false;
    }
    sign = *c->p == '-' ? -1 : 1;
    c->p++;
    if (!take_digits(c, 2, &h) || !take_char(c, ":") ||
        !take_digits(c, 2, &m) || h > 23 || m > 59) {
        return false;
    }
    *off_us = sign * (h * 3600 + m * 60) * ARC_US_PER_S;
    return true;
}

static arc_status_t parse_rfc3339(cursor_t *c, int64_t *out)
{
    int64_t y, mo, d, h, mi, s, frac, off;

    if (!take_digits(c, 4, &y) || !take_char(c, "-") ||
        !take_digits(c, 2, &mo) || !take_char(c, "-") ||
        !take_digits(c, 2, &d) || !take_char(c, "Tt ") ||
        !take_digits(c, 2, &h) || !take_char(c, ":") ||
        !take_digits(c, 2, &mi) || !take_char(c, ":") ||
        !take_digits(c, 2, &s) || !take_fraction(c, &frac) ||
        !take_offset(c, &off) || c->p != c->end) {
        return ARC_ERR_INVALID;
    }
    if (y < 1 || mo < 1 || mo > 12 || d < 1 ||
        d > month_days(y, (int)mo) || h > 23 || mi > 59 || s > 59) {
        return ARC_ERR_INVALID;
    }
    *out = (days_from_civil(y, (int)mo, (int)d) - DAYS_0001_TO_1970) *
               US_PER_DAY +
           ((h * 60 + mi) * 60 + s) * ARC_US_PER_S + frac - off;
    return ARC_OK;
}

static arc_status_t parse_integer(cursor_t *c, int64_t *out)
{
    bool neg = false;
    uint64_t v = 0;
    uint64_t limit = (uint64_t)INT64_MAX;

    if (c->p < c->end && *c->p == '-') {
        neg = true;
        limit++;
        c->p++;
    }
    if (c->p == c->end) {
        return ARC_ERR_INVALID;
    }
    for (; c->p < c->end; c->p++) {
        unsigned digit = (unsigned)(*c->p - '0');

        if (digit > 9 || v > (limit - digit) / 10) {
            return ARC_ERR_INVALID;
        }
        v = v * 10 + digit;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return ARC_OK;
}

arc_status_t arc_time_parse_n(const char *s, size_t len, int64_t *out_us)
{
    cursor_t c;
    int64_t v = 0;
    arc_status_t st;

    if (s == NULL || out_us == NULL || len == 0 || len > 64 ||
        memchr(s, '\0', len) != NULL) {
        return ARC_ERR_INVALID;
    }
    c.p = s;
    c.end = s + len;
    if (len > 4 && s[4] == '-') {
        st = parse_rfc3339(&c, &v);
    } else {
        st = parse_integer(&c, &v);
    }
    if (st == ARC_OK) {
        *out_us = v;
    }
    return st;
}

arc_status_t arc_time_parse(const char *s, int64_t *out_us)
{
    if (s == NULL) {
        return ARC_ERR_INVALID;
    }
    return arc_time_parse_n(s, strnlen(s, 65), out_us);
}

arc_status_t arc_time_format(int64_t us, char *buf, size_t len)
{
    int64_t days, rest, y;
    int m, d;
    const int64_t min_us = -DAYS_0001_TO_1970 * US_PER_DAY;
    const int64_t max_us = 253402300800LL * ARC_US_PER_S - 1;

    if (buf == NULL || len < ARC_TIME_TEXT_MAX || us < min_us ||
        us > max_us) {
        return ARC_ERR_INVALID;
    }
    days = us / US_PER_DAY;
    rest = us % US_PER_DAY;
    if (rest < 0) {
        rest += US_PER_DAY;
        days--;
    }
    civil_from_days(days + DAYS_0001_TO_1970, &y, &m, &d);
    snprintf(buf, len, "%04lld-%02d-%02dT%02lld:%02lld:%02lld.%06lldZ",
             (long long)y, m, d, (long long)(rest / 3600000000LL),
             (long long)(rest / 60000000LL % 60),
             (long long)(rest / 1000000LL % 60),
             (long long)(rest % 1000000LL));
    return ARC_OK;
}
