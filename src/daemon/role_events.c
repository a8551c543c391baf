/*
 * role_events.c - events the roles publish with a small outbox, and the
 * watcher of their producer's backlog (see role_events.h).
 *
 * One idea: an event about the bus must survive the very condition it
 * reports. A refused event waits in the outbox and is published, in
 * order, once the producer takes messages again; the watcher decides
 * from the bus's counters alone, so it behaves the same in every role.
 *
 * Threads: the role's main thread. Memory: none of its own.
 */
#include "daemon/role_events.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "daemon/log.h"

/* ---- the outbox ------------------------------------------------------- */

static arc_status_t publish_one(arc_role_bus_t *rb, const arc_event_t *ev)
{
    const uint8_t *data;
    size_t len;
    arc_status_t st = arc_codec_encode_event(rb->codec, ev, &data, &len);

    if (st != ARC_OK) {
        return st;
    }
    return arc_role_publish(rb, ARC_RT_EVENTS,
                            arc_zone_name((arc_zone_t)ev->zone), data, len);
}

arc_status_t arc_role_send_event(arc_role_bus_t *rb, arc_role_outbox_t *box,
                                 const arc_event_t *ev)
{
    arc_status_t st;

    if (ev->zone >= ARC_ZONE_COUNT) {
        return ARC_ERR_INVALID;
    }
    if (box->count == 0) {
        st = publish_one(rb, ev);
        if (st != ARC_ERR_FULL) {
            return st;
        }
    }
    if (box->count == ARC_ROLE_OUTBOX) {
        box->dropped++;
        arc_daemon_log(ARC_LOG_ERROR, "bus", "event outbox full, event "
                       "dropped type=%s zone=%s node=%s dropped=%llu",
                       arc_event_type_name((arc_event_type_t)ev->type),
                       arc_zone_name((arc_zone_t)ev->zone), ev->node,
                       (unsigned long long)box->dropped);
        return ARC_ERR_FULL;
    }
    box->events[(box->first + box->count) % ARC_ROLE_OUTBOX] = *ev;
    box->count++;
    return ARC_OK;
}

void arc_role_outbox_retry(arc_role_bus_t *rb, arc_role_outbox_t *box)
{
    while (box->count > 0 && arc_role_backlog(rb) < rb->max_buffered) {
        if (publish_one(rb, &box->events[box->first]) == ARC_ERR_FULL) {
            return;
        }
        box->first = (box->first + 1) % ARC_ROLE_OUTBOX;
        box->count--;
    }
}

/* ---- the backlog watcher ---------------------------------------------- */

void arc_role_backlog_init(arc_role_backlog_t *w, const char *label,
                           const char *subject, arc_role_say_fn say,
                           void *ctx)
{
    memset(w, 0, sizeof(*w));
    snprintf(w->label, sizeof(w->label), "%s", label);
    snprintf(w->subject, sizeof(w->subject), "%s", subject);
    w->say = say;
    w->ctx = ctx;
    w->stall_us = (int64_t)ARC_ROLE_STALL_MS * ARC_US_PER_MS;
    w->progress_us = arc_now_us(); /* a stall is measured from here */
}

static void say(arc_role_backlog_t *w, arc_event_type_t type,
                arc_severity_t sev, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void say(arc_role_backlog_t *w, arc_event_type_t type,
                arc_severity_t sev, const char *fmt, ...)
{
    char message[ARC_EVENT_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    w->say(w->ctx, type, sev, message);
}

void arc_role_backlog_watch(arc_role_backlog_t *w, const arc_role_bus_t *rb,
                            int64_t now_us)
{
    arc_bus_stats_t s;

    arc_bus_stats(rb->bus, &s);
    if (s.buffered == 0 || s.acked != w->last_acked) {
        w->last_acked = s.acked;
        w->progress_us = now_us;
    }

    if (!w->holding && s.buffered > 0 &&
        now_us - w->progress_us >= w->stall_us) {
        w->holding = true;
        arc_daemon_log(ARC_LOG_WARN, "bus", "brokers unreachable, "
                       "buffering %s backlog=%llu bound=%u", w->label,
                       (unsigned long long)s.buffered, rb->max_buffered);
        say(w, ARC_EVENT_BUS_BACKLOG, ARC_SEV_WARNING,
            "%s cannot reach the brokers: %llu messages held, bound %u",
            w->subject, (unsigned long long)s.buffered, rb->max_buffered);
    }

    if (rb->refused > w->refused_seen) {
        w->refused_seen = rb->refused;
        if (!w->full_said) {
            w->full_said = true;
            arc_daemon_log(ARC_LOG_WARN, "bus", "producer buffer full, "
                           "messages refused %s refused=%llu bound=%u",
                           w->label, (unsigned long long)rb->refused,
                           rb->max_buffered);
            say(w, ARC_EVENT_BUS_BUFFER_FULL, ARC_SEV_CRITICAL,
                "%s holds its bound of %u messages: new ones are refused "
                "until the brokers take the backlog", w->subject,
                rb->max_buffered);
        }
    }

    if (s.buffered == 0 && (w->holding || w->full_said)) {
        uint64_t lost = rb->refused - w->refused_at_start;

        arc_daemon_log(ARC_LOG_INFO, "bus", "backlog drained %s "
                       "refused=%llu", w->label, (unsigned long long)lost);
        say(w, ARC_EVENT_BUS_DRAINED, ARC_SEV_INFO,
            "%s reached the brokers again: backlog delivered, %llu "
            "publishes refused meanwhile", w->subject,
            (unsigned long long)lost);
        w->holding = false;
        w->full_said = false;
        w->refused_at_start = rb->refused;
    }
}
