/*
 * query.c - query string parsing into fixed-size pairs (see query.h).
 *
 * One routine copies a span into a field, decoding escapes when asked;
 * both entry points use it, so a raw query and lws's pre-decoded pairs
 * face the same limits.
 */
#include "api/query.h"

#include <stdbool.h>
#include <string.h>

void arc_query_init(arc_query_t *q)
{
    q->count = 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Copies s[0..n) into out (cap bytes with the NUL), decoding if asked. */
static arc_status_t copy_field(char *out, size_t cap, const char *s,
                               size_t n, bool decode)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (decode && c == '+') {
            c = ' ';
        } else if (decode && c == '%') {
            int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;

            if (hi < 0 || lo < 0) {
                return ARC_ERR_INVALID;
            }
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        if (c == '\0' || o + 1 >= cap) {
            return ARC_ERR_INVALID;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return ARC_OK;
}

static arc_status_t add_pair(arc_query_t *q, const char *s, size_t n,
                             bool decode)
{
    const char *eq = memchr(s, '=', n);
    size_t klen = eq ? (size_t)(eq - s) : n;
    arc_query_pair_t *p;

    if (klen == 0 || q->count >= ARC_QUERY_MAX) {
        return ARC_ERR_INVALID;
    }
    p = &q->pair[q->count];
    if (copy_field(p->key, sizeof(p->key), s, klen, decode) != ARC_OK ||
        p->key[0] == '\0') {
        return ARC_ERR_INVALID;
    }
    if (eq == NULL) {
        p->value[0] = '\0';
    } else if (copy_field(p->value, sizeof(p->value), eq + 1,
                          n - klen - 1, decode) != ARC_OK) {
        return ARC_ERR_INVALID;
    }
    q->count++;
    return ARC_OK;
}

arc_status_t arc_query_parse(arc_query_t *q, const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - s) : len;

        if (end > i && add_pair(q, s + i, end - i, true) != ARC_OK) {
            return ARC_ERR_INVALID;
        }
        i = end + 1;
    }
    return ARC_OK;
}

arc_status_t arc_query_add(arc_query_t *q, const char *pair, size_t len)
{
    if (len == 0) {
        return ARC_OK;
    }
    return add_pair(q, pair, len, false);
}

const char *arc_query_get(const arc_query_t *q, const char *key)
{
    for (uint32_t i = 0; i < q->count; i++) {
        if (strcmp(q->pair[i].key, key) == 0) {
            return q->pair[i].value;
        }
    }
    return NULL;
}
