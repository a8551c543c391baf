/*
 * query.h - the parameters of a URL query string.
 *
 * A query holds at most ARC_QUERY_MAX key=value pairs, each copied and
 * percent-decoded into fixed-size fields, so parsing allocates nothing
 * and a hostile query cannot make it do much work. Keys and values are
 * checked: a bad escape, an empty or too long key, a too long value, a
 * NUL byte or too many pairs make the whole query invalid (a 400 for
 * the client) rather than silently cut.
 *
 * Two ways in: arc_query_parse takes a raw query string ("a=1&b=x%20y");
 * arc_query_add takes one pair that is already decoded (libwebsockets
 * hands the arguments over that way).
 *
 * Any thread; a query is a plain value owned by its caller.
 */
#ifndef ARC_QUERY_H
#define ARC_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "core/arc.h"

#define ARC_QUERY_MAX 16
#define ARC_QUERY_KEY_MAX 32
#define ARC_QUERY_VALUE_MAX 256

typedef struct arc_query_pair {
    char key[ARC_QUERY_KEY_MAX];     /* NUL-terminated, non-empty */
    char value[ARC_QUERY_VALUE_MAX]; /* NUL-terminated, may be empty */
} arc_query_pair_t;

typedef struct arc_query {
    uint32_t count;                       /* pairs held */
    arc_query_pair_t pair[ARC_QUERY_MAX]; /* in the order given */
} arc_query_t;

/* Empties a query. */
void arc_query_init(arc_query_t *q);

/*
 * Parses a raw query string of `len` bytes (without the '?'): pairs
 * split on '&', key and value on the first '=', '+' is a space and %XX
 * an escaped byte. Empty pairs ("a=1&&b=2") are skipped. Appends to q.
 * ARC_ERR_INVALID for anything malformed (q then holds what came
 * before).
 */
arc_status_t arc_query_parse(arc_query_t *q, const char *s, size_t len);

/* Appends one decoded pair "key=value" (or "key", an empty value). */
arc_status_t arc_query_add(arc_query_t *q, const char *pair, size_t len);

/* The value of the first pair with this key, or NULL. */
const char *arc_query_get(const arc_query_t *q, const char *key);

#endif
