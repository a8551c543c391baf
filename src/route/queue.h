/*
 * queue.h - where requests wait at the router when no node has room.
 *
 * Waiting here, rather than on a saturated node, keeps the choice of node
 * open until capacity appears anywhere. Requests wait in three priority
 * bands (critical, normal, background); the highest non-empty band is
 * served first. Within a band each model has its own first-in first-out
 * line and the lines take turns, so one model without room never blocks
 * another (fair within a band). A request that has waited `age_step` in a
 * band moves up one band, so background work cannot starve behind a
 * steady stream of critical work.
 *
 * The queue is bounded. A request that does not fit is refused at once
 * with a hint of when to retry, estimated from the recent rate at which
 * the queue drained. Memory: one ring of fixed capacity per (band, model)
 * line is avoided; all lines share one pool of entries sized at creation.
 */
#ifndef ARC_QUEUE_H
#define ARC_QUEUE_H

#include "core/types.h"

typedef struct arc_rqueue arc_rqueue_t;

/* A new queue holding at most `capacity` requests. NULL on bad args/OOM. */
arc_rqueue_t *arc_rqueue_new(uint32_t capacity, int64_t age_step_us);
void arc_rqueue_free(arc_rqueue_t *q);

uint32_t arc_rqueue_len(const arc_rqueue_t *q);
uint32_t arc_rqueue_band_len(const arc_rqueue_t *q, arc_priority_t band);

/*
 * Queues a copy of `req` at time `now_us`. ARC_ERR_FULL when the queue is
 * full; then *retry_after_us (if not NULL) says when a retry may succeed.
 */
arc_status_t arc_rqueue_push(arc_rqueue_t *q, const arc_request_t *req,
                             int64_t now_us, int64_t *retry_after_us);

/*
 * Asks `try_place` for each waiting request, in service order, until it
 * has asked about every line once. try_place returns ARC_OK when it placed
 * the request (it is then removed), ARC_ERR_UNAVAILABLE when there is no
 * room for that model now (its line is skipped for this pass: the requests
 * behind it want the same model), or any other status to drop the request
 * (it is then removed and `on_drop` is told, if not NULL). Aging is applied
 * first. Returns how many requests were placed.
 */
typedef arc_status_t (*arc_rqueue_place_fn)(void *ctx,
                                            const arc_request_t *req,
                                            int64_t waited_us);
typedef void (*arc_rqueue_drop_fn)(void *ctx, const arc_request_t *req,
                                   arc_status_t why);

uint32_t arc_rqueue_dispatch(arc_rqueue_t *q, int64_t now_us,
                             arc_rqueue_place_fn try_place,
                             arc_rqueue_drop_fn on_drop, void *ctx);

/*
 * Removes every request whose deadline is before `now_us`, telling
 * `on_drop` with ARC_ERR_UNAVAILABLE. Returns how many were removed.
 */
uint32_t arc_rqueue_expire(arc_rqueue_t *q, int64_t now_us,
                           arc_rqueue_drop_fn on_drop, void *ctx);

#endif
