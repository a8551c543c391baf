/*
 * feed.h - what flows from the live mesh into the history: every change
 * to a node (as telemetry, through the dead-band), every recorded
 * event, every request outcome, and a summary of each zone at a fixed
 * interval.
 *
 * The feed is a mesh change hook and an event-log subscriber; the owner
 * adds the outcomes (from the engine's outcome callback) and calls the
 * tick after each step of its loop. It only ever puts rows, so it never
 * waits on I/O (see store.h).
 *
 * Threads: the owner of the mesh and the event log. Memory: the feed
 * borrows the store, the mesh and the log; all must outlive it.
 */
#ifndef ARC_STORE_FEED_H
#define ARC_STORE_FEED_H

#include "sim/engine.h"
#include "state/events.h"
#include "state/mesh.h"
#include "store/store.h"

typedef struct arc_store_feed arc_store_feed_t;

/*
 * A feed into `store`; hooks itself into `mesh` and subscribes to
 * `events` (may be NULL). `clock` gives the valid time of a change (the
 * simulated time in the daemon; NULL: the wall clock). Zone summaries
 * are written every `zone_every_us` of that time (0: never).
 * ARC_ERR_FULL when the mesh or the log has no room for another hook,
 * ARC_ERR_NOMEM.
 */
arc_status_t arc_store_feed_new(arc_store_t *store, arc_mesh_t *mesh,
                                arc_event_log_t *events,
                                arc_store_clock_fn clock, void *clock_ctx,
                                int64_t zone_every_us,
                                arc_store_feed_t **out);

/* Unhooks and frees. NULL is ignored. */
void arc_store_feed_free(arc_store_feed_t *feed);

/* Writes the zone summaries when they are due at `now_us`. */
void arc_store_feed_tick(arc_store_feed_t *feed, int64_t now_us);

/* Writes one request's outcome. */
void arc_store_feed_outcome(arc_store_feed_t *feed,
                            const arc_request_t *req,
                            const arc_outcome_t *outcome);

#endif
