/*
 * silence.c - the arrival-ordered list of silence.h, kept in arrays
 * indexed by node: links both ways, so a report moves its node in
 * constant time, and no allocation after the first.
 */
#include "daemon/silence.h"

#include <stdbool.h>
#include <stdlib.h>

struct arc_silence {
    uint32_t nodes;
    uint32_t front, back;
    uint32_t *prev, *next; /* ARC_SILENCE_NONE at the ends */
    int64_t *since_us;
    bool *watched;
};

arc_silence_t *arc_silence_new(uint32_t nodes)
{
    arc_silence_t *s = calloc(1, sizeof(*s));
    size_t slots = nodes ? nodes : 1; /* calloc(0) may answer NULL */

    if (s == NULL)
        return NULL;
    s->nodes = nodes;
    s->front = s->back = ARC_SILENCE_NONE;
    s->prev = calloc(slots, sizeof(*s->prev));
    s->next = calloc(slots, sizeof(*s->next));
    s->since_us = calloc(slots, sizeof(*s->since_us));
    s->watched = calloc(slots, sizeof(*s->watched));
    if (s->prev == NULL || s->next == NULL || s->since_us == NULL ||
        s->watched == NULL) {
        arc_silence_free(s);
        return NULL;
    }
    return s;
}

void arc_silence_free(arc_silence_t *s)
{
    if (s == NULL)
        return;
    free(s->prev);
    free(s->next);
    free(s->since_us);
    free(s->watched);
    free(s);
}

void arc_silence_forget(arc_silence_t *s, uint32_t node)
{
    if (node >= s->nodes || !s->watched[node])
        return;

    if (s->prev[node] != ARC_SILENCE_NONE)
        s->next[s->prev[node]] = s->next[node];
    else
        s->front = s->next[node];
    if (s->next[node] != ARC_SILENCE_NONE)
        s->prev[s->next[node]] = s->prev[node];
    else
        s->back = s->prev[node];
    s->watched[node] = false;
}

void arc_silence_heard(arc_silence_t *s, uint32_t node, int64_t since_us)
{
    if (node >= s->nodes)
        return;

    arc_silence_forget(s, node);
    s->since_us[node] = since_us;
    s->prev[node] = s->back;
    s->next[node] = ARC_SILENCE_NONE;
    if (s->back != ARC_SILENCE_NONE)
        s->next[s->back] = node;
    else
        s->front = node;
    s->back = node;
    s->watched[node] = true;
}

uint32_t arc_silence_front(const arc_silence_t *s, int64_t *since_us)
{
    if (s->front != ARC_SILENCE_NONE && since_us != NULL)
        *since_us = s->since_us[s->front];
    return s->front;
}
