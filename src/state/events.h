/*
 * events.h - what happened in the mesh, as a bounded log of events: node
 * up, down and draining, low and recovered batteries, energy source
 * changes, router queue overflows and failed requests.
 *
 * Two parts. The log (arc_event_log_t) numbers each event with a
 * monotonic sequence number, keeps the newest `capacity` of them in a
 * ring, answers filtered queries without allocating, and tells each
 * subscriber (the WebSocket stream, a console) of every new event. The
 * detector (arc_event_detector_t) is a mesh change hook: it compares a
 * node's state before and after each change and writes what it sees into
 * a log.
 *
 * Flapping guard: an event with the same (zone, node, type) as one
 * recorded less than `coalesce_us` earlier (1 s of the log's clock by
 * default) is not recorded; it is counted, and the next recorded event
 * of that key carries the count in `coalesced`. Energy source changes
 * have their own, longer window (`source_coalesce_us`, 5 minutes): a
 * site whose solar output hovers at its load switches between solar and
 * battery at every telemetry report, and one line per switch would bury
 * everything else. The guard remembers keys
 * in a fixed table; when two keys share a slot the older is forgotten,
 * so the guard can let an extra event through but never loses memory or
 * time. A consequence: for up to `coalesce_us` after a flapping node's
 * last recorded transition, the log's last word on it may lag its real
 * state (the mesh is the truth).
 *
 * Battery hysteresis: battery-low when the state of charge falls below
 * `battery_low` (0.25); battery-recovered only once it rises above
 * `battery_recover` (0.30), so a battery hovering near the threshold
 * does not flap. Nodes without a battery (battery_kwh 0) are ignored.
 *
 * Time: each event is stamped by the log's clock, which the owner sets
 * (the simulator sets its simulated time; the default is the wall clock).
 *
 * Threads: one thread owns a log and its detectors, like the mesh;
 * nothing here locks. Memory: the log owns its ring; pointers to events
 * returned by queries stay valid until the next event is recorded.
 */
#ifndef ARC_EVENTS_H
#define ARC_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/types.h"
#include "state/mesh.h"

typedef enum arc_event_type {
    ARC_EVENT_NODE_UP = 0,       /* "node-up": up again, or joined */
    ARC_EVENT_NODE_DOWN,         /* "node-down" */
    ARC_EVENT_NODE_DRAINING,     /* "node-draining": operator or node */
    ARC_EVENT_BATTERY_LOW,       /* "battery-low" */
    ARC_EVENT_BATTERY_RECOVERED, /* "battery-recovered" */
    ARC_EVENT_SOURCE_CHANGE,     /* "energy-source-change" */
    ARC_EVENT_QUEUE_OVERFLOW,    /* "queue-overflow": request refused */
    ARC_EVENT_REQUEST_FAILED,    /* "request-failed" */
    ARC_EVENT_STORE_FAILED,      /* "store-write-failed": history writes
                                    failing, retried */
    ARC_EVENT_STORE_RECOVERED,   /* "store-write-recovered" */
    ARC_EVENT_BUS_BACKLOG,       /* "bus-backlog": brokers away, a
                                    producer holds messages */
    ARC_EVENT_BUS_DRAINED,       /* "bus-backlog-drained" */
    ARC_EVENT_BUS_BUFFER_FULL,   /* "bus-buffer-full": messages refused */
    ARC_EVENT_TYPE_COUNT
} arc_event_type_t;

typedef enum arc_severity {
    ARC_SEV_INFO = 0, /* "info" */
    ARC_SEV_WARNING,  /* "warning" */
    ARC_SEV_CRITICAL, /* "critical" */
    ARC_SEV_COUNT
} arc_severity_t;

/* Wire names, and parsers that reject anything else. */
const char *arc_event_type_name(arc_event_type_t type);
arc_status_t arc_event_type_parse(const char *s, arc_event_type_t *out);
const char *arc_severity_name(arc_severity_t sev);
arc_status_t arc_severity_parse(const char *s, arc_severity_t *out);

#define ARC_EVENT_MSG_MAX 160

/* The zone of an event that concerns no one zone (shown as null). */
#define ARC_EVENT_MESH_WIDE ((arc_zone_t)ARC_ZONE_COUNT)

/* One recorded event. */
typedef struct arc_event {
    uint64_t seq;               /* 1, 2, 3, ... in order of recording */
    int64_t time_us;            /* the log's clock when recorded */
    uint32_t coalesced;         /* same-key events suppressed before it */
    uint8_t type;               /* arc_event_type_t */
    uint8_t severity;           /* arc_severity_t */
    uint8_t zone;               /* arc_zone_t */
    char node[ARC_NODE_ID_MAX]; /* node id; "" for a zone-wide event */
    char message[ARC_EVENT_MSG_MAX]; /* a sentence with the key facts */
} arc_event_t;

/* Returns the time for a new event, in UTC microseconds. */
typedef int64_t (*arc_event_clock_fn)(void *ctx);

/* Told of every recorded event, after it is stored. */
typedef void (*arc_event_sub_fn)(void *ctx, const arc_event_t *ev);

typedef struct arc_event_config {
    uint32_t capacity;       /* events kept (ring size), at least 1 */
    int64_t coalesce_us;     /* flapping window; 0 turns the guard off */
    int64_t source_coalesce_us; /* the window of energy-source-change */
    uint32_t guard_slots;    /* keys the guard remembers (power of 2) */
    float battery_low;       /* battery-low below this soc */
    float battery_recover;   /* battery-recovered above this soc */
    arc_event_clock_fn clock; /* NULL: the wall clock (arc_now_us) */
    void *clock_ctx;
} arc_event_config_t;

/*
 * Defaults: capacity 100000, coalesce 1 s (energy source changes 300 s),
 * 4096 guard slots, battery low below 0.25, recovered above 0.30, the
 * wall clock.
 */
void arc_event_config_default(arc_event_config_t *cfg);

typedef struct arc_event_log arc_event_log_t;

/*
 * A new log. NULL when out of memory or when the config is invalid
 * (capacity 0, guard_slots not a power of 2, recover below low).
 * The config is copied.
 */
arc_event_log_t *arc_event_log_new(const arc_event_config_t *cfg);
void arc_event_log_free(arc_event_log_t *log);

/* The log's copy of its config (for the detector's thresholds). */
const arc_event_config_t *arc_event_log_config(const arc_event_log_t *log);

/* Replaces the clock (NULL: the wall clock). */
void arc_event_log_set_clock(arc_event_log_t *log, arc_event_clock_fn fn,
                             void *ctx);

/*
 * Records an event: stamps seq and time, applies the flapping guard,
 * stores it and tells every subscriber. `node` may be NULL or "" for a
 * zone-wide event; `zone` may be ARC_EVENT_MESH_WIDE for an event of the
 * whole process (the history store failing), which no zone filter
 * matches; it is truncated to ARC_NODE_ID_MAX - 1 characters.
 * `fmt` is a printf format for the message (truncated to fit).
 * Returns the new seq, or 0 when the guard coalesced the event or the
 * arguments were invalid (unknown type, severity or zone).
 */
uint64_t arc_event_record(arc_event_log_t *log, arc_event_type_t type,
                          arc_severity_t sev, arc_zone_t zone,
                          const char *node, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/*
 * For the router's owner: a request was refused because the router queue
 * is full (`queue_len` waiting). Warning; critical for a critical request.
 * Returns as arc_event_record.
 */
uint64_t arc_event_queue_overflow(arc_event_log_t *log, arc_zone_t zone,
                                  const arc_request_t *req,
                                  uint32_t queue_len);

/*
 * For the router's owner: a request failed (`why`, a short phrase such as
 * "no capacity"); `node` is where it failed, or NULL when it was never
 * placed. Warning; critical for a critical request.
 */
uint64_t arc_event_request_failed(arc_event_log_t *log, arc_zone_t zone,
                                  const char *node, const arc_request_t *req,
                                  const char *why);

/* ---- subscribers ------------------------------------------------------ */

#define ARC_EVENT_MAX_SUBS 8

/*
 * Adds a subscriber, called in registration order for each new event
 * from inside arc_event_record (so it must not record events itself).
 * ARC_ERR_FULL past ARC_EVENT_MAX_SUBS.
 */
arc_status_t arc_event_subscribe(arc_event_log_t *log, arc_event_sub_fn fn,
                                 void *ctx);
void arc_event_unsubscribe(arc_event_log_t *log, arc_event_sub_fn fn,
                           void *ctx);

/* ---- queries ---------------------------------------------------------- */

/*
 * What to return. Masks have bit i set to include value i (for example
 * 1u << ARC_EVENT_NODE_DOWN); a mask of 0 includes everything.
 */
typedef struct arc_event_filter {
    uint32_t type_mask;     /* arc_event_type_t bits */
    uint32_t zone_mask;     /* arc_zone_t bits */
    uint32_t severity_mask; /* arc_severity_t bits */
    const char *q;          /* case-insensitive substring of message or
                               node; NULL or "" matches all */
    uint64_t since;         /* only events with seq > since */
    uint32_t limit;         /* at most this many; 0: no limit */
    bool oldest_first;      /* with a limit: the oldest `limit` matches
                               after `since` (paging); default the
                               newest `limit` matches */
} arc_event_filter_t;

/* A filter that matches everything. */
void arc_event_filter_init(arc_event_filter_t *f);

/* Severity mask of `sev` and everything more severe. */
uint32_t arc_severity_mask_at_least(arc_severity_t sev);

/*
 * Writes pointers to the matching events, oldest first (newest last), to
 * out[0..cap-1]; returns how many. At most min(cap, f->limit) are
 * returned, chosen as f->oldest_first says. Allocates nothing. Cost: a
 * jump to `since`, then a scan that stops at the limit; a `q` that
 * matches little scans the whole ring (about 10 ms for 100,000 events).
 */
size_t arc_event_query(const arc_event_log_t *log,
                       const arc_event_filter_t *f, const arc_event_t **out,
                       size_t cap);

/*
 * The same selection, handed one by one to `fn` oldest first. Returns
 * how many were handed over. Allocates nothing.
 */
typedef void (*arc_event_each_fn)(void *ctx, const arc_event_t *ev);
size_t arc_event_each(const arc_event_log_t *log,
                      const arc_event_filter_t *f, arc_event_each_fn fn,
                      void *ctx);

/* True when `ev` passes the filter's masks, q and since (not limit). */
bool arc_event_matches(const arc_event_t *ev, const arc_event_filter_t *f);

/* Counters of a log. */
typedef struct arc_event_stats {
    uint64_t recorded;   /* events recorded since creation */
    uint64_t coalesced;  /* events suppressed by the flapping guard */
    uint64_t overwritten; /* events pushed out of the ring */
    uint64_t first_seq;  /* oldest seq held; 0 when empty */
    uint64_t last_seq;   /* newest seq held; 0 when empty */
    uint32_t held;       /* events in the ring */
} arc_event_stats_t;

void arc_event_log_stats(const arc_event_log_t *log,
                         arc_event_stats_t *out);

/* ---- detection from mesh changes ------------------------------------- */

typedef struct arc_event_detector arc_event_detector_t;

/*
 * A detector reading `mesh` and writing to `log`; both must outlive it.
 * It does not register itself: the owner calls
 *   arc_mesh_add_hook(mesh, arc_event_detector_hook, det);
 * Nodes added before that are taken as they are (no node-up event;
 * batteries already low are remembered as low without an event). NULL
 * when out of memory.
 */
arc_event_detector_t *arc_event_detector_new(const arc_mesh_t *mesh,
                                             arc_event_log_t *log);
void arc_event_detector_free(arc_event_detector_t *det);

/*
 * The mesh change hook (an arc_mesh_hook_fn; ctx is the detector).
 * Compares `before` with the node's state now and records: node-up,
 * node-down or node-draining when the effective status changes (down;
 * draining when the node reports draining or an operator drained it;
 * else up), battery-low and battery-recovered with hysteresis, and
 * energy-source-change.
 */
void arc_event_detector_hook(void *ctx, uint32_t node,
                             const arc_node_t *before);

#endif
