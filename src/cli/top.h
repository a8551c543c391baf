/*
 * top.h - the state and the drawing of `arcnet top`, apart from its
 * terminal and network loop (top.c), so the screen can be tested as a
 * pure function of what arrived.
 *
 * What arrives: stream frames (events become lines in a small ring,
 * decision batches are counted, the frame time is the simulated clock)
 * and, every few seconds, the reply of GET /v1/zones (the per-zone
 * table: the stream carries node deltas, not zone totals).
 *
 * The program's thread; the state owns its buffers.
 */
#ifndef ARC_CLI_TOP_H
#define ARC_CLI_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/buf.h"
#include "cli/format.h"

#define ARC_CLI_TOP_EVENTS 64
#define ARC_CLI_TOP_LINE 128

typedef struct arc_cli_top {
    char server[128];          /* shown in the title */
    arc_cli_buf_t zones;       /* the zone table, formatted */
    char lines[ARC_CLI_TOP_EVENTS][ARC_CLI_TOP_LINE]; /* event ring */
    uint32_t line_count;       /* lines held (at most the ring size) */
    uint32_t line_next;        /* where the next line goes */
    arc_cli_event_view_t view; /* seq of the last event shown */
    uint64_t frame_seq;        /* seq of the latest frame */
    uint64_t frames;           /* stream frames received */
    uint64_t decisions;        /* routing decisions seen in frames */
    int64_t sim_time_us;       /* time of the latest frame */
    char status[160];          /* connection state, one line */
} arc_cli_top_t;

void arc_cli_top_init(arc_cli_top_t *t, const char *server);
void arc_cli_top_free(arc_cli_top_t *t);

/* Applies one stream frame. Frames that are not JSON are ignored. */
void arc_cli_top_frame(arc_cli_top_t *t, const char *json, size_t len);

/* Replaces the zone table from a GET /v1/zones body. */
void arc_cli_top_zones(arc_cli_top_t *t, const char *json, size_t len);

/* Sets the status line (connection state, errors). */
void arc_cli_top_status(arc_cli_top_t *t, const char *status);

/*
 * The whole screen for a terminal of `cols` x `rows`: cursor home,
 * each line cut to `cols` and cleared to its end, newest events first,
 * at most rows - 1 lines, the rest of the screen cleared.
 */
void arc_cli_top_render(const arc_cli_top_t *t, int cols, int rows,
                        arc_cli_buf_t *out);

#endif
