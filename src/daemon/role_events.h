/*
 * role_events.h - what the distributed roles say about their own bus:
 * events published so that a full producer delays them rather than
 * loses them, and a watcher that turns the producer's backlog into
 * bus-backlog, bus-buffer-full and bus-backlog-drained.
 *
 * One idea: the agent, a zone and the brain hold the same kind of
 * producer and fail the same way when the brokers go away, so they share
 * one watcher; each role only says where an event goes (the agent
 * publishes it, a zone records it in its log, which publishes it, the
 * brain keeps it in its own log).
 *
 * The watcher reads the bus's counters, never the clock of librdkafka:
 * the producer "holds" messages once it has had unacknowledged messages
 * and no acknowledgement for ARC_ROLE_STALL_MS; it has "drained" once it
 * holds nothing again; the bound was crossed when a publish was
 * refused. Each of the three is said once per outage.
 *
 * Threads: the role's main thread. Memory: both structs live inside the
 * role and own nothing.
 */
#ifndef ARC_DAEMON_ROLE_EVENTS_H
#define ARC_DAEMON_ROLE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/role.h"
#include "state/events.h"

/* No acknowledgement for this long while messages wait: brokers away. */
#define ARC_ROLE_STALL_MS 2000

/* Events a full producer refused, kept to publish later, in order. */
#define ARC_ROLE_OUTBOX 32

typedef struct arc_role_outbox {
    arc_event_t events[ARC_ROLE_OUTBOX];
    uint32_t first; /* index of the oldest */
    uint32_t count;
    uint64_t dropped; /* refused while the outbox was full */
} arc_role_outbox_t;

/*
 * Publishes an event on the events topic under its zone's name. When the
 * producer refuses it (its bound is crossed), or older events still
 * wait, the event waits in `box` and goes out, in order, from a later
 * arc_role_outbox_retry. An event that finds the outbox full is counted
 * in `dropped` and logged. An event of no zone (ARC_EVENT_MESH_WIDE)
 * has no wire form: ARC_ERR_INVALID.
 */
arc_status_t arc_role_send_event(arc_role_bus_t *rb, arc_role_outbox_t *box,
                                 const arc_event_t *ev);

/* Publishes what waits in `box` while the producer takes it. */
void arc_role_outbox_retry(arc_role_bus_t *rb, arc_role_outbox_t *box);

/* Records or publishes one event of the watcher, as the role sees fit. */
typedef void (*arc_role_say_fn)(void *ctx, arc_event_type_t type,
                                arc_severity_t severity,
                                const char *message);

typedef struct arc_role_backlog {
    char label[96];   /* key=value facts for log lines: "node=w-..." */
    char subject[96]; /* who, in a sentence: "zone west replica 0" */
    arc_role_say_fn say;
    void *ctx;
    int64_t stall_us;      /* ARC_ROLE_STALL_MS, in microseconds */
    uint64_t last_acked;   /* acknowledged messages at the last look */
    int64_t progress_us;   /* when they last grew, or nothing waited */
    uint64_t refused_seen; /* refusals already accounted for */
    uint64_t refused_at_start; /* refusals when this outage began */
    bool holding;          /* bus-backlog said, not yet drained */
    bool full_said;        /* bus-buffer-full said, not yet drained */
} arc_role_backlog_t;

/* Sets up a watcher; `label` and `subject` are copied. */
void arc_role_backlog_init(arc_role_backlog_t *w, const char *label,
                           const char *subject, arc_role_say_fn say,
                           void *ctx);

/*
 * Looks at the producer once (call it every few ticks of the role's
 * loop; `now_us` is the wall clock) and says, each once per outage, as a
 * log line and through `say`: bus-backlog when messages have waited
 * ARC_ROLE_STALL_MS without an acknowledgement; bus-buffer-full when a
 * publish was refused; bus-backlog-drained when the producer holds
 * nothing again after either.
 */
void arc_role_backlog_watch(arc_role_backlog_t *w, const arc_role_bus_t *rb,
                            int64_t now_us);

#endif
