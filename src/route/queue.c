/*
 * queue.c - the router's bounded, banded, fair waiting room (see queue.h).
 *
 * Entries live in one pool allocated at creation; each (band, model) line
 * is a singly linked list through the pool, and free entries form a free
 * list, so queueing never allocates. A dispatch pass offers one request
 * per line in turn (round robin across models, starting from a rotating
 * line) until every line is empty or blocked; a model found without room
 * is blocked in every band for the rest of the pass, since its requests
 * would all meet the same full mesh.
 */
#include "route/queue.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define RATE_WINDOW_US (10 * ARC_US_PER_S)
#define RETRY_MIN_US (1 * ARC_US_PER_S)
#define RETRY_MAX_US (300 * ARC_US_PER_S)
#define RETRY_UNKNOWN_US (5 * ARC_US_PER_S)

struct slot {
    arc_request_t req;
    int64_t queued_us;  /* when it entered the queue */
    int64_t band_us;    /* when it entered its present band */
    uint32_t next;
};

struct line {
    uint32_t head, tail, len;
};

struct arc_rqueue {
    struct slot *pool;
    uint32_t capacity;
    uint32_t free_head;
    uint32_t len;
    uint32_t models;
    int64_t age_step_us;

    struct line *lines;            /* [band][model] */
    uint32_t band_len[ARC_PRIO_COUNT];
    uint32_t turn[ARC_PRIO_COUNT]; /* line that goes first next pass */

    int64_t window_start_us;       /* drain-rate window */
    uint32_t window_drained;
    double drain_per_s;            /* last full window's rate, 0: unknown */
};

static struct line *line_of(arc_rqueue_t *q, uint32_t band, uint32_t model)
{
    return &q->lines[band * q->models + model];
}

arc_rqueue_t *arc_rqueue_new(uint32_t capacity, int64_t age_step_us)
{
    arc_rqueue_t *q;

    if (capacity == 0 || age_step_us <= 0)
        return NULL;
    q = calloc(1, sizeof(*q));
    if (q == NULL)
        return NULL;
    q->models = arc_model_count();
    q->pool = malloc(sizeof(*q->pool) * capacity);
    q->lines = malloc(sizeof(*q->lines) * ARC_PRIO_COUNT * q->models);
    if (q->pool == NULL || q->lines == NULL) {
        arc_rqueue_free(q);
        return NULL;
    }
    q->capacity = capacity;
    q->age_step_us = age_step_us;
    for (uint32_t i = 0; i < capacity; i++)
        q->pool[i].next = i + 1 < capacity ? i + 1 : NIL;
    for (uint32_t i = 0; i < ARC_PRIO_COUNT * q->models; i++)
        q->lines[i] = (struct line){NIL, NIL, 0};
    q->window_start_us = -1;
    return q;
}

void arc_rqueue_free(arc_rqueue_t *q)
{
    if (q == NULL)
        return;
    free(q->pool);
    free(q->lines);
    free(q);
}

uint32_t arc_rqueue_len(const arc_rqueue_t *q)
{
    return q->len;
}

uint32_t arc_rqueue_band_len(const arc_rqueue_t *q, arc_priority_t band)
{
    return (unsigned)band < ARC_PRIO_COUNT ? q->band_len[band] : 0;
}

static void line_append(arc_rqueue_t *q, uint32_t band, uint32_t at)
{
    struct line *l = line_of(q, band, q->pool[at].req.model);

    q->pool[at].next = NIL;
    if (l->tail == NIL)
        l->head = at;
    else
        q->pool[l->tail].next = at;
    l->tail = at;
    l->len++;
    q->band_len[band]++;
}

static uint32_t line_pop(arc_rqueue_t *q, uint32_t band, uint32_t model)
{
    struct line *l = line_of(q, band, model);
    uint32_t at = l->head;

    l->head = q->pool[at].next;
    if (l->head == NIL)
        l->tail = NIL;
    l->len--;
    q->band_len[band]--;
    return at;
}

static void release(arc_rqueue_t *q, uint32_t at)
{
    q->pool[at].next = q->free_head;
    q->free_head = at;
    q->len--;
}

static int64_t retry_hint(const arc_rqueue_t *q)
{
    double us;

    if (q->drain_per_s <= 0.0)
        return RETRY_UNKNOWN_US;
    us = (double)q->len / q->drain_per_s * 1e6;
    if (us < RETRY_MIN_US)
        return RETRY_MIN_US;
    if (us > RETRY_MAX_US)
        return RETRY_MAX_US;
    return (int64_t)us;
}

arc_status_t arc_rqueue_push(arc_rqueue_t *q, const arc_request_t *req,
                             int64_t now_us, int64_t *retry_after_us)
{
    uint32_t at;

    if (req->model >= q->models || req->priority >= ARC_PRIO_COUNT)
        return ARC_ERR_INVALID;
    if (q->free_head == NIL) {
        if (retry_after_us != NULL)
            *retry_after_us = retry_hint(q);
        return ARC_ERR_FULL;
    }

    at = q->free_head;
    q->free_head = q->pool[at].next;
    q->pool[at].req = *req;
    q->pool[at].queued_us = now_us;
    q->pool[at].band_us = now_us;
    q->len++;
    line_append(q, req->priority, at);
    return ARC_OK;
}

/* Moves requests that waited a full step in their band up one band. */
static void age(arc_rqueue_t *q, int64_t now_us)
{
    for (uint32_t band = 1; band < ARC_PRIO_COUNT; band++) {
        for (uint32_t m = 0; m < q->models; m++) {
            struct line *l = line_of(q, band, m);

            while (l->head != NIL &&
                   now_us - q->pool[l->head].band_us >= q->age_step_us) {
                uint32_t at = line_pop(q, band, m);

                q->pool[at].band_us = now_us;
                line_append(q, band - 1, at);
            }
        }
    }
}

static void note_drained(arc_rqueue_t *q, int64_t now_us, uint32_t placed)
{
    if (q->window_start_us < 0)
        q->window_start_us = now_us;
    q->window_drained += placed;
    if (now_us - q->window_start_us >= RATE_WINDOW_US) {
        q->drain_per_s = (double)q->window_drained * 1e6 /
                         (double)(now_us - q->window_start_us);
        q->window_start_us = now_us;
        q->window_drained = 0;
    }
}

/* One band's pass: a request per open line in turn until none is left. */
static uint32_t dispatch_band(arc_rqueue_t *q, uint32_t band, int64_t now_us,
                              bool *blocked, arc_rqueue_place_fn try_place,
                              arc_rqueue_drop_fn on_drop, void *ctx)
{
    uint32_t placed = 0;
    bool progress = true;

    while (progress && q->band_len[band] > 0) {
        progress = false;
        for (uint32_t i = 0; i < q->models; i++) {
            uint32_t m = (q->turn[band] + i) % q->models;
            struct line *l = line_of(q, band, m);
            uint32_t at;
            arc_status_t st;

            if (blocked[m] || l->head == NIL)
                continue;
            at = l->head;
            st = try_place(ctx, &q->pool[at].req,
                           now_us - q->pool[at].queued_us);
            if (st == ARC_ERR_UNAVAILABLE) {
                blocked[m] = true;
                continue;
            }
            line_pop(q, band, m);
            if (st == ARC_OK)
                placed++;
            else if (on_drop != NULL)
                on_drop(ctx, &q->pool[at].req, st);
            release(q, at);
            progress = true;
        }
    }
    q->turn[band] = (q->turn[band] + 1) % q->models;
    return placed;
}

uint32_t arc_rqueue_dispatch(arc_rqueue_t *q, int64_t now_us,
                             arc_rqueue_place_fn try_place,
                             arc_rqueue_drop_fn on_drop, void *ctx)
{
    bool blocked[ARC_MAX_MODELS] = {false};
    uint32_t placed = 0;

    if (q->len == 0)
        return 0;
    age(q, now_us);
    for (uint32_t band = 0; band < ARC_PRIO_COUNT; band++)
        placed += dispatch_band(q, band, now_us, blocked, try_place, on_drop,
                                ctx);
    note_drained(q, now_us, placed);
    return placed;
}

uint32_t arc_rqueue_expire(arc_rqueue_t *q, int64_t now_us,
                           arc_rqueue_drop_fn on_drop, void *ctx)
{
    uint32_t removed = 0;

    for (uint32_t i = 0; i < ARC_PRIO_COUNT * q->models; i++) {
        struct line *l = &q->lines[i];
        uint32_t band = i / q->models;
        uint32_t prev = NIL, at = l->head;

        while (at != NIL) {
            uint32_t next = q->pool[at].next;
            int64_t deadline = q->pool[at].req.deadline_us;

            if (deadline > 0 && deadline < now_us) {
                if (prev == NIL)
                    l->head = next;
                else
                    q->pool[prev].next = next;
                if (l->tail == at)
                    l->tail = prev;
                l->len--;
                q->band_len[band]--;
                if (on_drop != NULL)
                    on_drop(ctx, &q->pool[at].req, ARC_ERR_UNAVAILABLE);
                release(q, at);
                removed++;
            } else {
                prev = at;
            }
            at = next;
        }
    }
    return removed;
}
