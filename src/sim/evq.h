/*
 * evq.h - the simulation's time line: a binary min-heap of events ordered
 * by time, ties broken by insertion order so every run replays the same.
 *
 * Threads: owned by one engine. Memory: the heap grows by doubling and is
 * freed with arc_evq_free.
 */
#ifndef ARC_SIM_EVQ_H
#define ARC_SIM_EVQ_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arc.h"

typedef struct arc_event {
    int64_t time_us;
    uint64_t seq;    /* insertion order: the tie breaker */
    uint32_t type;   /* the engine's event kind */
    uint32_t a, b;   /* its arguments (slot and generation, node ...) */
} arc_event_t;

typedef struct arc_evq {
    arc_event_t *heap;
    uint32_t len, cap;
    uint64_t next_seq;
} arc_evq_t;

void arc_evq_init(arc_evq_t *q);
void arc_evq_free(arc_evq_t *q);

/* ARC_ERR_NOMEM when it cannot grow. */
arc_status_t arc_evq_push(arc_evq_t *q, int64_t time_us, uint32_t type,
                          uint32_t a, uint32_t b);

/* The earliest event, left in place; false when empty. */
bool arc_evq_peek(const arc_evq_t *q, arc_event_t *out);

/* Removes and returns the earliest event; false when empty. */
bool arc_evq_pop(arc_evq_t *q, arc_event_t *out);

#endif
