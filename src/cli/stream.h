/*
 * stream.h - the `arcnet` side of the live WebSocket stream
 * (/v1/stream): connect, hand every text frame to a callback, and call
 * a tick callback at a steady pace so a caller can redraw the screen or
 * read the keyboard between frames.
 *
 * The one idea: the caller never sees libwebsockets. It gives two
 * callbacks and gets back why the stream ended: a callback asked to stop
 * (ARC_OK), or the connection failed or closed (ARC_ERR_IO, with a
 * message). To resume after a drop, the caller passes the seq of the
 * last frame it saw as `since`; the daemon replays what it still holds.
 *
 * The calling thread runs the whole stream; nothing is shared.
 */
#ifndef ARC_CLI_STREAM_H
#define ARC_CLI_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/http.h"
#include "core/arc.h"

/* One whole text frame; return false to stop the stream. */
typedef bool (*arc_cli_frame_fn)(void *ctx, const char *text, size_t len);

/* Called every tick; return false to stop the stream. */
typedef bool (*arc_cli_tick_fn)(void *ctx);

typedef struct arc_cli_stream_opts {
    uint64_t since;          /* frame seq to resume after; 0: fresh */
    int tick_ms;             /* tick period; 0: 100 ms */
    arc_cli_frame_fn on_frame;
    arc_cli_tick_fn on_tick; /* may be NULL */
    void *ctx;
} arc_cli_stream_opts_t;

/*
 * Streams until a callback returns false (ARC_OK) or the connection
 * fails or ends (ARC_ERR_IO, message in `error`, ARC_CLI_ERROR_MAX
 * bytes). Frames larger than 16 MiB end the stream as ARC_ERR_IO.
 */
arc_status_t arc_cli_stream_run(const arc_cli_conn_t *c,
                                const arc_cli_stream_opts_t *o,
                                char *error);

/* The stream's path and query: PREFIX/v1/stream?token=T&since=N. */
void arc_cli_stream_path(const arc_cli_conn_t *c, const char *prefix,
                         uint64_t since, arc_cli_buf_t *out);

#endif
