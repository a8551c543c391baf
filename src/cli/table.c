/*
 * table.c - aligned text tables within a width: measure, shrink the
 * free-text columns, then print.
 *
 * The one idea: layout is decided once from all the rows (a table is
 * small - at most a few thousand nodes), so every line lines up and no
 * line wraps on an 80-column terminal.
 *
 * Any thread; the table owns its cells.
 */
#include "cli/table.h"

#include <stdlib.h>
#include <string.h>

#define GAP 2

arc_status_t arc_cli_table_init(arc_cli_table_t *t, size_t cols,
                                const arc_cli_column_t *col)
{
    memset(t, 0, sizeof(*t));
    if (cols == 0 || cols > ARC_CLI_TABLE_COLS || col == NULL)
        return ARC_ERR_INVALID;

    t->cols = cols;
    memcpy(t->col, col, cols * sizeof(*col));
    return ARC_OK;
}

void arc_cli_table_free(arc_cli_table_t *t)
{
    for (size_t i = 0; i < t->rows * t->cols; i++)
        free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->rows = t->cap = 0;
}

/* A copy of s with control characters turned into spaces. */
static char *clean_copy(const char *s)
{
    char *c = strdup(s != NULL ? s : "-");

    for (char *p = c; p != NULL && *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    }
    return c;
}

static bool grow(arc_cli_table_t *t)
{
    size_t cap = t->cap != 0 ? t->cap * 2 : 16;
    char **cells;

    if (t->rows < t->cap)
        return true;
    cells = realloc(t->cells, cap * t->cols * sizeof(*cells));
    if (cells == NULL)
        return false;
    t->cells = cells;
    t->cap = cap;
    return true;
}

arc_status_t arc_cli_table_add(arc_cli_table_t *t, const char *const *row)
{
    char **dst;

    if (t->failed || !grow(t)) {
        t->failed = true;
        return ARC_ERR_NOMEM;
    }

    dst = &t->cells[t->rows * t->cols];
    for (size_t i = 0; i < t->cols; i++) {
        dst[i] = clean_copy(row[i]);
        if (dst[i] == NULL) {
            while (i-- > 0)
                free(dst[i]);
            t->failed = true;
            return ARC_ERR_NOMEM;
        }
    }
    t->rows++;
    return ARC_OK;
}

size_t arc_cli_text_width(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++) {
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    }
    return n;
}

/* Appends n bytes of s with control characters (except those kept)
 * turned into spaces. */
static void add_clean(arc_cli_buf_t *out, const char *s, size_t n,
                      bool keep_lines)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (((unsigned char)c < 0x20 || c == 0x7f) &&
            !(keep_lines && (c == '\n' || c == '\t')))
            c = ' ';
        arc_cli_buf_add(out, &c, 1);
    }
}

void arc_cli_put_text(arc_cli_buf_t *out, const char *s)
{
    add_clean(out, s, strlen(s), true);
}

size_t arc_cli_put_cut(arc_cli_buf_t *out, const char *s, size_t width)
{
    size_t w = arc_cli_text_width(s);
    size_t cols = 0;
    const char *p = s;

    if (w <= width) {
        add_clean(out, s, strlen(s), false);
        return w;
    }
    if (width == 0)
        return 0;

    while (*p != '\0' && cols < width - 1) {
        p++;
        while (((unsigned char)*p & 0xc0) == 0x80)
            p++;
        cols++;
    }
    add_clean(out, s, (size_t)(p - s), false);
    arc_cli_buf_add(out, "~", 1);
    return width;
}

/* Natural widths, then shrink the widest shrinkable until it fits. */
static void layout(const arc_cli_table_t *t, size_t width, size_t *w)
{
    size_t total = GAP * (t->cols - 1);

    for (size_t c = 0; c < t->cols; c++) {
        w[c] = arc_cli_text_width(t->col[c].header);
        for (size_t r = 0; r < t->rows; r++) {
            size_t cw = arc_cli_text_width(t->cells[r * t->cols + c]);

            w[c] = cw > w[c] ? cw : w[c];
        }
        total += w[c];
    }

    while (total > width) {
        size_t best = t->cols;

        for (size_t c = 0; c < t->cols; c++) {
            if (t->col[c].shrink_to == 0 || w[c] <= t->col[c].shrink_to)
                continue;
            if (best == t->cols || w[c] > w[best])
                best = c;
        }
        if (best == t->cols)
            return;
        w[best]--;
        total--;
    }
}

static void cell(arc_cli_buf_t *out, const arc_cli_column_t *col,
                 const char *s, size_t w, bool last)
{
    size_t tw = arc_cli_text_width(s);
    size_t pad = tw < w ? w - tw : 0;

    if (col->right)
        arc_cli_buf_repeat(out, ' ', pad);
    arc_cli_put_cut(out, s, w);
    if (!col->right && !last)
        arc_cli_buf_repeat(out, ' ', pad);
    if (!last)
        arc_cli_buf_repeat(out, ' ', GAP);
}

void arc_cli_table_render(const arc_cli_table_t *t, size_t width,
                          arc_cli_buf_t *out)
{
    size_t w[ARC_CLI_TABLE_COLS];

    if (t->cols == 0)
        return;
    layout(t, width, w);

    for (size_t c = 0; c < t->cols; c++)
        cell(out, &t->col[c], t->col[c].header, w[c], c + 1 == t->cols);
    arc_cli_buf_puts(out, "\n");
    for (size_t r = 0; r < t->rows; r++) {
        for (size_t c = 0; c < t->cols; c++)
            cell(out, &t->col[c], t->cells[r * t->cols + c], w[c],
                 c + 1 == t->cols);
        arc_cli_buf_puts(out, "\n");
    }
}
