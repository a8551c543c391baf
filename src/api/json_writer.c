/*
 * json_writer.c - the streaming JSON writer (see json_writer.h).
 *
 * Bytes are appended to one buffer that doubles when full. Strings are
 * copied in runs: bytes that need no escaping are copied together, and
 * only quotes, backslashes, control characters and multi-byte sequences
 * take the slow path. UTF-8 is checked as it is copied (overlong forms,
 * surrogates and code points past U+10FFFF are invalid) and each invalid
 * byte becomes U+FFFD, so the output is always valid UTF-8 JSON.
 */
#include "api/json_writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JW_MIN_CAP 256

static bool grow(arc_jw_t *w, size_t extra)
{
    size_t need = w->len + extra + 1;
    size_t cap = w->cap ? w->cap : JW_MIN_CAP;
    char *nb;

    if (w->oom) {
        return false;
    }
    if (need <= w->cap) {
        return true;
    }
    while (cap < need) {
        cap *= 2;
    }
    nb = realloc(w->buf, w->headroom + cap);
    if (nb == NULL) {
        w->oom = true;
        return false;
    }
    w->buf = nb;
    w->cap = cap;
    return true;
}

static inline void put(arc_jw_t *w, const char *s, size_t n)
{
    char *at;

    if (w->len + n >= w->cap && !grow(w, n)) {
        return;
    }
    at = w->buf + w->headroom + w->len;
    memcpy(at, s, n);
    at[n] = '\0';
    w->len += n;
}

static inline void putc1(arc_jw_t *w, char c)
{
    char *at;

    if (w->len + 1 >= w->cap && !grow(w, 1)) {
        return;
    }
    at = w->buf + w->headroom + w->len;
    at[0] = c;
    at[1] = '\0';
    w->len++;
}

void arc_jw_init(arc_jw_t *w, size_t headroom)
{
    memset(w, 0, sizeof(*w));
    w->headroom = headroom;
}

void arc_jw_reset(arc_jw_t *w)
{
    char *buf = w->buf;
    size_t cap = w->cap;
    size_t headroom = w->headroom;

    memset(w, 0, sizeof(*w));
    w->buf = buf;
    w->cap = cap;
    w->headroom = headroom;
    if (buf != NULL) {
        buf[headroom] = '\0';
    }
}

void arc_jw_free(arc_jw_t *w)
{
    free(w->buf);
    memset(w, 0, sizeof(*w));
}

/* Before any value: the comma, and a check that a value is allowed. */
static void begin_value(arc_jw_t *w)
{
    bool in_array = w->depth > 0 &&
                    (w->is_array >> (w->depth - 1) & 1u) != 0;

    if (w->depth == 0) {
        if (w->started) {
            w->misuse = true;
        }
        w->started = true;
        return;
    }
    if (!in_array && !w->after_key) {
        w->misuse = true;
    }
    if (in_array && w->need_comma) {
        putc1(w, ',');
    }
    w->after_key = false;
}

static void end_value(arc_jw_t *w)
{
    w->need_comma = true;
}

static void open_container(arc_jw_t *w, char c, bool array)
{
    begin_value(w);
    if (w->depth >= ARC_JW_MAX_DEPTH) {
        w->misuse = true;
        return;
    }
    if (array) {
        w->is_array |= (uint64_t)1 << w->depth;
    } else {
        w->is_array &= ~((uint64_t)1 << w->depth);
    }
    w->depth++;
    w->need_comma = false;
    putc1(w, c);
}

static void close_container(arc_jw_t *w, char c, bool array)
{
    bool is_array;

    if (w->depth == 0 || w->after_key) {
        w->misuse = true;
        return;
    }
    is_array = (w->is_array >> (w->depth - 1) & 1u) != 0;
    if (is_array != array) {
        w->misuse = true;
        return;
    }
    w->depth--;
    putc1(w, c);
    end_value(w);
}

void arc_jw_obj_open(arc_jw_t *w)
{
    open_container(w, '{', false);
}

void arc_jw_obj_close(arc_jw_t *w)
{
    close_container(w, '}', false);
}

void arc_jw_arr_open(arc_jw_t *w)
{
    open_container(w, '[', true);
}

void arc_jw_arr_close(arc_jw_t *w)
{
    close_container(w, ']', true);
}

/* Length of a valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    uint32_t cp;
    size_t len;

    if (s[0] < 0xC2 || s[0] > 0xF4) {
        return 0;
    }
    len = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
    if (n < len) {
        return 0;
    }
    cp = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

static void put_escape(arc_jw_t *w, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

    switch (c) {
    case '"':
        put(w, "\\\"", 2);
        return;
    case '\\':
        put(w, "\\\\", 2);
        return;
    case '\n':
        put(w, "\\n", 2);
        return;
    case '\r':
        put(w, "\\r", 2);
        return;
    case '\t':
        put(w, "\\t", 2);
        return;
    default:
        put(w, esc, sizeof(esc));
    }
}

static void put_string(arc_jw_t *w, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    putc1(w, '"');
    while (i < n) {
        size_t run = i;
        size_t seq;

        while (run < n && s[run] >= 0x20 && s[run] < 0x80 &&
               s[run] != '"' && s[run] != '\\') {
            run++;
        }
        put(w, str + i, run - i);
        i = run;
        if (i >= n) {
            break;
        }
        if (s[i] < 0x80) {
            put_escape(w, s[i]);
            i++;
            continue;
        }
        seq = utf8_seq_len(s + i, n - i);
        if (seq == 0) {
            put(w, "\xEF\xBF\xBD", 3);
            i++;
        } else {
            put(w, str + i, seq);
            i += seq;
        }
    }
    putc1(w, '"');
}

void arc_jw_key(arc_jw_t *w, const char *key)
{
    bool in_object = w->depth > 0 &&
                     (w->is_array >> (w->depth - 1) & 1u) == 0;

    if (!in_object || w->after_key) {
        w->misuse = true;
        return;
    }
    if (w->need_comma) {
        putc1(w, ',');
    }
    put_string(w, key ? key : "", key ? strlen(key) : 0);
    putc1(w, ':');
    w->after_key = true;
}

void arc_jw_strn(arc_jw_t *w, const char *s, size_t n)
{
    begin_value(w);
    put_string(w, s, n);
    end_value(w);
}

void arc_jw_str(arc_jw_t *w, const char *s)
{
    if (s == NULL) {
        arc_jw_null(w);
        return;
    }
    arc_jw_strn(w, s, strlen(s));
}

static void put_formatted(arc_jw_t *w, const char *text, int n)
{
    begin_value(w);
    if (n > 0) {
        put(w, text, (size_t)n);
    } else {
        w->misuse = true;
    }
    end_value(w);
}

void arc_jw_int(arc_jw_t *w, int64_t v)
{
    char tmp[32];

    put_formatted(w, tmp, snprintf(tmp, sizeof(tmp), "%lld", (long long)v));
}

void arc_jw_uint(arc_jw_t *w, uint64_t v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);

    put_formatted(w, tmp, n);
}

/*
 * Nine significant digits without printf for the common magnitudes
 * (1e-4 <= |v| < 1e9): scale to an integer of at most nine digits,
 * round once, print the digits. printf's exact binary-to-decimal
 * conversion costs several times more and was the largest cost of a
 * route response. Returns the length, or 0 to fall back to printf.
 */
static int format_double_fast(double v, char *out)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
                                 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13};
    double a = fabs(v);
    int dec = 8, n = 0;
    uint64_t scaled, ip, fp, div;
    char digits[24];
    int nd = 0;

    if (!(a >= 1e-4 && a < 1e9)) {
        return 0;
    }
    while (dec > 0 && a >= p10[9 - dec]) {
        dec--;
    }
    while (a < 1 && a * p10[dec - 8] < 1) {
        dec++;
    }
    scaled = (uint64_t)llround(a * p10[dec]);
    div = (uint64_t)p10[dec];
    ip = scaled / div;
    fp = scaled % div;
    if (v < 0) {
        out[n++] = '-';
    }
    do {
        digits[nd++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip > 0);
    while (nd > 0) {
        out[n++] = digits[--nd];
    }
    if (fp != 0) {
        out[n++] = '.';
        for (int i = dec - 1; i >= 0; i--) {
            digits[i] = (char)('0' + fp % 10);
            fp /= 10;
        }
        while (dec > 0 && digits[dec - 1] == '0') {
            dec--;
        }
        memcpy(out + n, digits, (size_t)dec);
        n += dec;
    }
    return n;
}

void arc_jw_double(arc_jw_t *w, double v)
{
    char tmp[40];
    int n;

    if (!isfinite(v)) {
        arc_jw_null(w);
        return;
    }
    if (v == 0.0) {
        put_formatted(w, "0", 1); /* also for -0 */
        return;
    }
    n = format_double_fast(v, tmp);
    if (n == 0) {
        n = snprintf(tmp, sizeof(tmp), "%.9g", v);
    }
    put_formatted(w, tmp, n);
}

void arc_jw_bool(arc_jw_t *w, bool v)
{
    put_formatted(w, v ? "true" : "false", v ? 4 : 5);
}

void arc_jw_null(arc_jw_t *w)
{
    put_formatted(w, "null", 4);
}

void arc_jw_raw(arc_jw_t *w, const char *json, size_t n)
{
    put_formatted(w, json, (int)(n > 0x7fffffff ? 0 : n));
}

void arc_jw_kstr(arc_jw_t *w, const char *key, const char *s)
{
    arc_jw_key(w, key);
    arc_jw_str(w, s);
}

void arc_jw_kint(arc_jw_t *w, const char *key, int64_t v)
{
    arc_jw_key(w, key);
    arc_jw_int(w, v);
}

void arc_jw_kuint(arc_jw_t *w, const char *key, uint64_t v)
{
    arc_jw_key(w, key);
    arc_jw_uint(w, v);
}

void arc_jw_kdouble(arc_jw_t *w, const char *key, double v)
{
    arc_jw_key(w, key);
    arc_jw_double(w, v);
}

void arc_jw_kbool(arc_jw_t *w, const char *key, bool v)
{
    arc_jw_key(w, key);
    arc_jw_bool(w, v);
}

arc_status_t arc_jw_finish(const arc_jw_t *w)
{
    if (w->oom) {
        return ARC_ERR_NOMEM;
    }
    if (w->misuse || w->depth != 0 || !w->started || w->after_key) {
        return ARC_ERR_INVALID;
    }
    return ARC_OK;
}

const char *arc_jw_text(const arc_jw_t *w)
{
    return w->buf != NULL ? w->buf + w->headroom : "";
}

size_t arc_jw_len(const arc_jw_t *w)
{
    return w->len;
}

char *arc_jw_base(arc_jw_t *w)
{
    return w->buf;
}
