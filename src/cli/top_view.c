/*
 * top_view.c - what `arcnet top` shows, as a function of the frames and
 * zone totals received: a title, the status, the zone table and the
 * newest events.
 *
 * The one idea: redraw the whole screen from state each time, with the
 * cursor sent home and every line cleared to its end, rather than
 * patching the terminal: nothing is left over from an earlier frame and
 * the view is testable as text.
 *
 * The program's thread; the state owns its buffers.
 */
#include "cli/top.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/table.h"

void arc_cli_top_init(arc_cli_top_t *t, const char *server)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->server, sizeof(t->server), "%s", server);
    arc_cli_buf_init(&t->zones);
    arc_cli_buf_puts(&t->zones, "waiting for zone totals\n");
    snprintf(t->status, sizeof(t->status), "connecting");
}

void arc_cli_top_free(arc_cli_top_t *t)
{
    arc_cli_buf_free(&t->zones);
}

void arc_cli_top_status(arc_cli_top_t *t, const char *status)
{
    snprintf(t->status, sizeof(t->status), "%s", status);
}

static void push_line(arc_cli_top_t *t, const char *s, size_t len)
{
    char *dst = t->lines[t->line_next];

    snprintf(dst, ARC_CLI_TOP_LINE, "%.*s", (int)len, s);
    t->line_next = (t->line_next + 1) % ARC_CLI_TOP_EVENTS;
    if (t->line_count < ARC_CLI_TOP_EVENTS)
        t->line_count++;
}

/* Counts the decisions of a "decisions" batch frame. */
static void count_decisions(arc_cli_top_t *t, const char *json, size_t len)
{
    cJSON *doc;
    const cJSON *list;

    if (len < 12 || strstr(json, "\"decisions\"") == NULL)
        return;
    doc = cJSON_ParseWithLength(json, len);
    list = cJSON_GetObjectItemCaseSensitive(doc, "decisions");
    if (cJSON_IsArray(list))
        t->decisions += (uint64_t)cJSON_GetArraySize(list);
    cJSON_Delete(doc);
}

void arc_cli_top_frame(arc_cli_top_t *t, const char *json, size_t len)
{
    arc_cli_buf_t text;
    arc_status_t st;
    const char *p;

    arc_cli_buf_init(&text);
    st = arc_cli_format_frame_events(json, len, &t->view, &text);
    if (st == ARC_ERR_INVALID)
        goto out;

    /* Frame numbers going back: the daemon restarted and numbers its
       events from 1 again, so earlier seqs no longer mean "seen". */
    if (t->view.frame_seq != 0 && t->view.frame_seq < t->frame_seq) {
        t->view.last_seq = 0;
        arc_cli_buf_reset(&text);
        arc_cli_format_frame_events(json, len, &t->view, &text);
    }
    t->frame_seq = t->view.frame_seq;

    t->frames++;
    if (t->view.frame_time > 0)
        t->sim_time_us = t->view.frame_time;
    if (st == ARC_ERR_NOT_FOUND)
        count_decisions(t, json, len);

    for (p = arc_cli_buf_str(&text); *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);

        push_line(t, p, n);
        p += n + (nl != NULL);
    }

out:
    arc_cli_buf_free(&text);
}

void arc_cli_top_zones(arc_cli_top_t *t, const char *json, size_t len)
{
    arc_cli_buf_t table;

    arc_cli_buf_init(&table);
    if (arc_cli_format_zones(json, len, &table) == ARC_OK) {
        arc_cli_buf_free(&t->zones);
        t->zones = table;
        return;
    }
    arc_cli_buf_free(&table);
}

/* One screen line: cut to cols, cleared to its end. */
static void screen_line(arc_cli_buf_t *out, const char *s, size_t len,
                        int cols, int *left)
{
    char line[512];

    if (*left <= 0)
        return;
    snprintf(line, sizeof(line), "%.*s", (int)len, s);
    arc_cli_put_cut(out, line, (size_t)cols);
    arc_cli_buf_puts(out, "\x1b[K\n");
    (*left)--;
}

static void text_lines(arc_cli_buf_t *out, const char *text, int cols,
                       int *left)
{
    while (*text != '\0' && *left > 0) {
        const char *nl = strchr(text, '\n');
        size_t n = nl != NULL ? (size_t)(nl - text) : strlen(text);

        screen_line(out, text, n, cols, left);
        text += n + (nl != NULL);
    }
}

static void title(const arc_cli_top_t *t, arc_cli_buf_t *out, int cols,
                  int *left)
{
    char when[32], line[384];

    arc_cli_format_time(t->sim_time_us, when, sizeof(when));
    snprintf(line, sizeof(line),
             "ArcNet top  %s  time %s  frames %llu  decisions %llu  "
             "(q quits)",
             t->server, t->sim_time_us > 0 ? when : "-",
             (unsigned long long)t->frames,
             (unsigned long long)t->decisions);
    screen_line(out, line, strlen(line), cols, left);
    snprintf(line, sizeof(line), "stream: %s", t->status);
    screen_line(out, line, strlen(line), cols, left);
    screen_line(out, "", 0, cols, left);
}

void arc_cli_top_render(const arc_cli_top_t *t, int cols, int rows,
                        arc_cli_buf_t *out)
{
    int left = rows - 1;

    if (cols < 1 || rows < 2)
        return;

    arc_cli_buf_puts(out, "\x1b[H");
    title(t, out, cols, &left);
    text_lines(out, arc_cli_buf_str(&t->zones), cols, &left);
    screen_line(out, "", 0, cols, &left);
    screen_line(out, "LATEST EVENTS", 13, cols, &left);
    if (t->line_count == 0)
        screen_line(out, "none yet", 8, cols, &left);
    for (uint32_t i = 0; i < t->line_count && left > 0; i++) {
        uint32_t k = (t->line_next + ARC_CLI_TOP_EVENTS - 1 - i) %
                     ARC_CLI_TOP_EVENTS;

        screen_line(out, t->lines[k], strlen(t->lines[k]), cols, &left);
    }
    arc_cli_buf_puts(out, "\x1b[J");
}
