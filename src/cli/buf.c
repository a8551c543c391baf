/*
 * buf.c - the growable text buffer: doubling growth, a sticky failure
 * flag, and JSON string escaping.
 *
 * Any thread; the caller owns the buffer and frees it.
 */
#include "cli/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void arc_cli_buf_init(arc_cli_buf_t *b)
{
    memset(b, 0, sizeof(*b));
}

void arc_cli_buf_free(arc_cli_buf_t *b)
{
    free(b->data);
    arc_cli_buf_init(b);
}

void arc_cli_buf_reset(arc_cli_buf_t *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

/* Makes room for `extra` more bytes and the NUL; false on failure. */
static bool reserve(arc_cli_buf_t *b, size_t extra)
{
    size_t cap = b->cap != 0 ? b->cap : 256;
    char *grown;

    if (b->failed || extra > SIZE_MAX / 4 - b->len)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;

    while (cap < b->len + extra + 1)
        cap *= 2;
    grown = realloc(b->data, cap);
    if (grown == NULL) {
        b->failed = true;
        return false;
    }
    b->data = grown;
    b->cap = cap;
    return true;
}

void arc_cli_buf_add(arc_cli_buf_t *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void arc_cli_buf_puts(arc_cli_buf_t *b, const char *s)
{
    arc_cli_buf_add(b, s, strlen(s));
}

void arc_cli_buf_printf(arc_cli_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n))
        return;

    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void arc_cli_buf_repeat(arc_cli_buf_t *b, char c, size_t n)
{
    if (!reserve(b, n))
        return;
    memset(b->data + b->len, c, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void arc_cli_buf_json_string(arc_cli_buf_t *b, const char *s)
{
    arc_cli_buf_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};

            arc_cli_buf_add(b, esc, 2);
        } else if (*p < 0x20) {
            arc_cli_buf_printf(b, "\\u%04x", *p);
        } else {
            arc_cli_buf_add(b, (const char *)p, 1);
        }
    }
    arc_cli_buf_add(b, "\"", 1);
}

const char *arc_cli_buf_str(const arc_cli_buf_t *b)
{
    return b->len > 0 ? b->data : "";
}
