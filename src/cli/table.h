/*
 * table.h - aligned text tables that fit a given width (80 columns for
 * the command line), for the `arcnet` human output.
 *
 * Columns take the width of their widest cell. When the whole is wider
 * than allowed, the columns marked shrinkable (free text such as a
 * message or an id) give up width, widest first, down to their minimum;
 * a cut cell ends in '~'. Control characters in cells (a server's text
 * could carry terminal escapes) are replaced by spaces when added.
 *
 * Any thread; the table owns copies of its cells and frees them.
 */
#ifndef ARC_CLI_TABLE_H
#define ARC_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/buf.h"
#include "core/arc.h"

#define ARC_CLI_TABLE_COLS 10

typedef struct arc_cli_column {
    const char *header;  /* upper-case title */
    bool right;          /* right-aligned (numbers) */
    size_t shrink_to;    /* 0: never cut; else the narrowest it may get */
} arc_cli_column_t;

typedef struct arc_cli_table {
    size_t cols;
    arc_cli_column_t col[ARC_CLI_TABLE_COLS];
    char **cells;        /* rows * cols strings, row-major */
    size_t rows;
    size_t cap;          /* rows allocated */
    bool failed;         /* an allocation failed */
} arc_cli_table_t;

/* A table with `cols` columns (at most ARC_CLI_TABLE_COLS), no rows. */
arc_status_t arc_cli_table_init(arc_cli_table_t *t, size_t cols,
                                const arc_cli_column_t *col);
void arc_cli_table_free(arc_cli_table_t *t);

/* Adds a row of t->cols cells (NULL cells print as "-"); copies them. */
arc_status_t arc_cli_table_add(arc_cli_table_t *t, const char *const *row);

/*
 * Appends the header and rows. Lines fit `width` columns as far as the
 * shrinkable columns allow.
 */
void arc_cli_table_render(const arc_cli_table_t *t, size_t width,
                          arc_cli_buf_t *out);

/* Display width of UTF-8 text: code points, not bytes. */
size_t arc_cli_text_width(const char *s);

/*
 * Appends at most `width` columns of s, control characters turned into
 * spaces; when it is cut, the last column is '~'. Returns the columns
 * written.
 */
size_t arc_cli_put_cut(arc_cli_buf_t *out, const char *s, size_t width);

/* Appends s keeping newlines and tabs, other controls as spaces. */
void arc_cli_put_text(arc_cli_buf_t *out, const char *s);

#endif
