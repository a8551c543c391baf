/*
 * follow.c - `arcnet events --follow`: the recent events first, then
 * every new one as the stream delivers it, until Ctrl-C.
 *
 * The one idea: events carry their own sequence numbers, so the catch-up
 * list (GET /v1/events) and the stream can overlap freely - whatever was
 * printed is skipped by seq - and after a dropped connection the stream
 * resumes from the last frame seen without losing or repeating a line.
 *
 * The program's thread.
 */
#include "cli/commands.h"

#include <time.h>

#include "cli/format.h"
#include "cli/stream.h"
#include "cli/term.h"

typedef struct follow {
    arc_cli_event_view_t view;
    uint64_t since;       /* last stream frame seen */
    bool got_frame;
    arc_cli_buf_t text;
    FILE *out;
} follow_t;

static bool on_frame(void *ctx, const char *text, size_t len)
{
    follow_t *f = ctx;

    arc_cli_buf_reset(&f->text);
    arc_cli_format_frame_events(text, len, &f->view, &f->text);

    /* Frame numbers going back: the daemon restarted and numbers its
       frames and events from 1 again. Show its events from the start. */
    if (f->view.frame_seq != 0 && f->view.frame_seq < f->since) {
        f->view.last_seq = 0;
        arc_cli_buf_reset(&f->text);
        arc_cli_format_frame_events(text, len, &f->view, &f->text);
    }
    f->since = f->view.frame_seq;
    f->got_frame = true;
    fputs(arc_cli_buf_str(&f->text), f->out);
    fflush(f->out);
    return !arc_cli_interrupted();
}

static bool on_tick(void *ctx)
{
    (void)ctx;
    return !arc_cli_interrupted();
}

/* Prints the recent events; false (message printed) on failure. */
static bool catch_up(const arc_cli_parsed_t *p, const arc_cli_conn_t *c,
                     follow_t *f, FILE *err)
{
    arc_cli_buf_t path;
    arc_cli_reply_t r;
    char msg[ARC_CLI_ERROR_MAX + 64] = "out of memory";
    arc_status_t st;

    arc_cli_buf_init(&path);
    arc_cli_list_path(p, &path);
    st = arc_cli_http(c, "GET", arc_cli_buf_str(&path), NULL, &r, msg);
    if (st == ARC_OK && arc_cli_exit_status(st, r.status) != 0)
        arc_cli_error_text(r.body.data, r.body.len, r.status, msg,
                           sizeof(msg));
    if (arc_cli_exit_status(st, r.status) != ARC_CLI_EXIT_OK)
        fprintf(err, "arcnet: %s\n", msg);
    else if (arc_cli_format_frame_events(r.body.data, r.body.len, &f->view,
                                         &f->text) == ARC_OK)
        fputs(arc_cli_buf_str(&f->text), f->out);

    fflush(f->out);
    st = arc_cli_exit_status(st, r.status) == 0 ? ARC_OK : ARC_ERR_IO;
    arc_cli_reply_free(&r);
    arc_cli_buf_free(&path);
    return st == ARC_OK;
}

/* Waits about a second, or less when interrupted. */
static void pause_a_second(void)
{
    struct timespec step = {0, 100 * 1000 * 1000};

    for (int i = 0; i < 10 && !arc_cli_interrupted(); i++)
        nanosleep(&step, NULL);
}

int arc_cli_follow(const arc_cli_parsed_t *p, const arc_cli_conn_t *c,
                   FILE *out, FILE *err)
{
    follow_t f = {{0}, 0, false, {0}, out};
    arc_cli_stream_opts_t o = {0, 100, on_frame, on_tick, &f};
    char msg[ARC_CLI_ERROR_MAX];
    int code = ARC_CLI_EXIT_OK;

    f.view.type = arc_cli_get(p, "--type");
    f.view.zone = arc_cli_get(p, "--zone");
    f.view.severity = arc_cli_get(p, "--severity");
    f.view.q = arc_cli_get(p, "--q");
    f.view.json = p->json;
    arc_cli_catch_interrupt();
    if (!catch_up(p, c, &f, err)) {
        code = ARC_CLI_EXIT_ERROR;
        goto out;
    }

    while (!arc_cli_interrupted()) {
        o.since = f.since;
        if (arc_cli_stream_run(c, &o, msg) == ARC_OK)
            break;
        if (!f.got_frame) {
            fprintf(err, "arcnet: %s\n", msg);
            code = ARC_CLI_EXIT_ERROR;
            break;
        }
        fprintf(err, "arcnet: %s; reconnecting\n", msg);
        pause_a_second();
    }

out:
    arc_cli_buf_free(&f.text);
    return code;
}
