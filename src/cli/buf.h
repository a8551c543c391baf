/*
 * buf.h - a growable text buffer for the command line tool: output is
 * built in memory first (tables, usage, JSON request bodies) so the
 * formatting functions stay pure and testable.
 *
 * An allocation failure is sticky: the buffer keeps what it had, sets
 * `failed`, and ignores later appends, so callers check once at the end.
 * Any thread; a buffer belongs to whoever initialised it, who frees it.
 */
#ifndef ARC_CLI_BUF_H
#define ARC_CLI_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct arc_cli_buf {
    char *data;  /* NUL-terminated when len > 0 */
    size_t len;  /* bytes held, without the NUL */
    size_t cap;  /* bytes allocated */
    bool failed; /* an allocation failed; appends are ignored */
} arc_cli_buf_t;

void arc_cli_buf_init(arc_cli_buf_t *b);
void arc_cli_buf_free(arc_cli_buf_t *b);

/* Empties the buffer, keeping its memory. */
void arc_cli_buf_reset(arc_cli_buf_t *b);

void arc_cli_buf_add(arc_cli_buf_t *b, const char *s, size_t n);
void arc_cli_buf_puts(arc_cli_buf_t *b, const char *s);
void arc_cli_buf_printf(arc_cli_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends `n` copies of character `c`. */
void arc_cli_buf_repeat(arc_cli_buf_t *b, char c, size_t n);

/* Appends s as a JSON string: quoted, with ", \ and controls escaped. */
void arc_cli_buf_json_string(arc_cli_buf_t *b, const char *s);

/* The text held; "" when empty. Valid until the next append or free. */
const char *arc_cli_buf_str(const arc_cli_buf_t *b);

#endif
