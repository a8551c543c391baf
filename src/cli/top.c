/*
 * top.c - `arcnet top`: the live view's loop. The stream feeds events
 * and the clock; every two seconds the zone totals are fetched; the
 * screen is redrawn when something changed, or at least every second;
 * q or Ctrl-C ends it and gives the terminal back.
 *
 * The one idea: everything happens on the stream's tick, on one thread,
 * so there is nothing to lock; a dropped stream is retried every second
 * while the view stays up and says so.
 *
 * The program's thread; the state lives for the command.
 */
#include "cli/commands.h"

#include <string.h>
#include <time.h>

#include "cli/format.h"
#include "cli/stream.h"
#include "cli/term.h"
#include "cli/top.h"

#define ZONES_EVERY_MS 2000
#define REDRAW_EVERY_MS 1000

typedef struct top_run {
    arc_cli_top_t view;
    arc_cli_conn_t conn;   /* with a short timeout for the zone polls */
    arc_cli_buf_t screen;
    FILE *out;
    bool quit;
    bool dirty;
    int64_t zones_at_ms;   /* when the zones were last fetched */
    int64_t drawn_at_ms;   /* when the screen was last drawn */
} top_run_t;

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fetches the zone totals; on failure the table says why. */
static void fetch_zones(top_run_t *r)
{
    arc_cli_reply_t reply;
    char msg[ARC_CLI_ERROR_MAX] = "out of memory";
    arc_status_t st;

    r->zones_at_ms = now_ms();
    st = arc_cli_http(&r->conn, "GET", "/v1/zones", NULL, &reply, msg);
    if (st == ARC_OK && reply.status == 200) {
        arc_cli_top_zones(&r->view, reply.body.data, reply.body.len);
    } else {
        if (st == ARC_OK)
            arc_cli_error_text(reply.body.data, reply.body.len,
                               reply.status, msg, sizeof(msg));
        arc_cli_buf_reset(&r->view.zones);
        arc_cli_buf_printf(&r->view.zones, "zone totals: %s\n", msg);
    }
    arc_cli_reply_free(&reply);
    r->dirty = true;
}

static void draw(top_run_t *r)
{
    int cols, rows;

    arc_cli_term_size(&cols, &rows);
    arc_cli_buf_reset(&r->screen);
    arc_cli_top_render(&r->view, cols, rows, &r->screen);
    fputs(arc_cli_buf_str(&r->screen), r->out);
    fflush(r->out);
    r->dirty = false;
    r->drawn_at_ms = now_ms();
}

static bool on_tick(void *ctx)
{
    top_run_t *r = ctx;
    int key;

    while ((key = arc_cli_term_key()) != -1) {
        if (key == 'q' || key == 'Q' || key == 3)
            r->quit = true;
    }
    if (arc_cli_interrupted())
        r->quit = true;
    if (r->quit)
        return false;

    if (now_ms() - r->zones_at_ms >= ZONES_EVERY_MS)
        fetch_zones(r);
    if (r->dirty || now_ms() - r->drawn_at_ms >= REDRAW_EVERY_MS)
        draw(r);
    return true;
}

static bool on_frame(void *ctx, const char *text, size_t len)
{
    top_run_t *r = ctx;

    arc_cli_top_status(&r->view, "live");
    arc_cli_top_frame(&r->view, text, len);
    r->dirty = true;
    return true;
}

/* Keeps the view alive for about a second after a dropped stream. */
static void wait_a_second(top_run_t *r)
{
    struct timespec step = {0, 100 * 1000 * 1000};

    for (int i = 0; i < 10 && on_tick(r); i++)
        nanosleep(&step, NULL);
}

int arc_cli_top(const arc_cli_parsed_t *p, const arc_cli_conn_t *c,
                FILE *out, FILE *err)
{
    top_run_t r;
    arc_cli_stream_opts_t o = {0, 100, on_frame, on_tick, &r};
    char msg[ARC_CLI_ERROR_MAX], status[ARC_CLI_ERROR_MAX + 32];

    (void)p;
    (void)err;
    memset(&r, 0, sizeof(r));
    arc_cli_top_init(&r.view, c->server);
    arc_cli_buf_init(&r.screen);
    r.conn = *c;
    r.conn.timeout_ms = 1500;
    r.out = out;
    arc_cli_catch_interrupt();
    arc_cli_term_enter(out);
    fetch_zones(&r);

    while (!r.quit) {
        o.since = r.view.frame_seq;
        if (arc_cli_stream_run(c, &o, msg) == ARC_OK)
            break;
        snprintf(status, sizeof(status), "%s; retrying", msg);
        arc_cli_top_status(&r.view, status);
        draw(&r);
        wait_a_second(&r);
    }

    arc_cli_term_leave(out);
    arc_cli_top_free(&r.view);
    arc_cli_buf_free(&r.screen);
    return ARC_CLI_EXIT_OK;
}
