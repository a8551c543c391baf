/*
 * silence.h - which of a zone's nodes has gone longest without a
 * report, in constant time per report and per node found silent.
 *
 * The watched nodes sit in a list in the order their last report
 * arrived: a report moves its node to the back, so the front is the one
 * heard from longest ago. Each keeps the time it counts from (its last
 * report's, or when watching began for a node never heard from). A
 * sweep takes nodes off the front while their time is past the timeout
 * and stops at the first that is not, instead of reading every node of
 * the mesh. Reports arrive nearly in the order of their times; where
 * they do not (a replayed backlog), a silent node behind a fresher one
 * is found once that one reports again: one report period late at most.
 */
#ifndef ARC_SILENCE_H
#define ARC_SILENCE_H

#include <stdint.h>

#define ARC_SILENCE_NONE UINT32_MAX

typedef struct arc_silence arc_silence_t;

/* A watch over node indexes 0 .. nodes-1, none watched yet. */
arc_silence_t *arc_silence_new(uint32_t nodes);
void arc_silence_free(arc_silence_t *s);

/* Watches `node` from time `since_us`, at the back of the list. */
void arc_silence_heard(arc_silence_t *s, uint32_t node, int64_t since_us);

/* Stops watching `node` (nothing if it was not watched). */
void arc_silence_forget(arc_silence_t *s, uint32_t node);

/*
 * The watched node at the front, and its time in *since_us, or
 * ARC_SILENCE_NONE when none is watched.
 */
uint32_t arc_silence_front(const arc_silence_t *s, int64_t *since_us);

#endif
