/*
 * evq.c - the binary heap behind the simulation's time line.
 */
#include "sim/evq.h"

#include <stdlib.h>
#include <string.h>

void arc_evq_init(arc_evq_t *q)
{
    memset(q, 0, sizeof(*q));
}

void arc_evq_free(arc_evq_t *q)
{
    free(q->heap);
    memset(q, 0, sizeof(*q));
}

static bool before(const arc_event_t *x, const arc_event_t *y)
{
    return x->time_us < y->time_us ||
           (x->time_us == y->time_us && x->seq < y->seq);
}

arc_status_t arc_evq_push(arc_evq_t *q, int64_t time_us, uint32_t type,
                          uint32_t a, uint32_t b)
{
    arc_event_t ev = {time_us, q->next_seq++, type, a, b};
    uint32_t i;

    if (q->len == q->cap) {
        uint32_t ncap = q->cap ? q->cap * 2 : 1024;
        arc_event_t *p = realloc(q->heap, (size_t)ncap * sizeof(*p));
        if (p == NULL || ncap < q->cap)
            return ARC_ERR_NOMEM;
        q->heap = p;
        q->cap = ncap;
    }

    i = q->len++;
    while (i > 0 && before(&ev, &q->heap[(i - 1) / 2])) {
        q->heap[i] = q->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    q->heap[i] = ev;
    return ARC_OK;
}

bool arc_evq_peek(const arc_evq_t *q, arc_event_t *out)
{
    if (q->len == 0)
        return false;
    *out = q->heap[0];
    return true;
}

bool arc_evq_pop(arc_evq_t *q, arc_event_t *out)
{
    arc_event_t last;
    uint32_t i = 0;

    if (q->len == 0)
        return false;
    *out = q->heap[0];
    last = q->heap[--q->len];

    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= q->len)
            break;
        if (c + 1 < q->len && before(&q->heap[c + 1], &q->heap[c]))
            c++;
        if (!before(&q->heap[c], &last))
            break;
        q->heap[i] = q->heap[c];
        i = c;
    }
    if (q->len > 0)
        q->heap[i] = last;
    return true;
}
