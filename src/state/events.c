/*
 * events.c - the event log: a ring of numbered events, a flapping guard,
 * subscribers and filtered queries.
 *
 * The one idea: sequence numbers are dense (every recorded event takes
 * the next one; coalesced events take none), so the event with seq s
 * lives at ring[(s - 1) % capacity] and a query starting after `since`
 * jumps straight to it instead of scanning. Queries return pointers into
 * the ring and never allocate.
 *
 * Thread: whichever single thread owns the log. Memory: the log owns the
 * ring and the guard table; subscribers get borrowed pointers.
 */
#include "state/events.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct guard_slot {
    uint64_t key;       /* hash of (zone, node, type); 0 = empty */
    int64_t last_us;    /* when that key was last recorded */
    uint32_t suppressed; /* coalesced since then */
} guard_slot_t;

typedef struct sub {
    arc_event_sub_fn fn;
    void *ctx;
} sub_t;

struct arc_event_log {
    arc_event_config_t cfg;
    arc_event_t *ring;     /* cfg.capacity events */
    guard_slot_t *guard;   /* cfg.guard_slots slots */
    uint64_t last_seq;     /* newest seq assigned; 0 before the first */
    uint32_t held;         /* events in the ring */
    uint64_t coalesced;
    uint64_t overwritten;
    sub_t subs[ARC_EVENT_MAX_SUBS];
    uint32_t sub_count;
};

static const char *const type_names[ARC_EVENT_TYPE_COUNT] = {
    "node-up",        "node-down",           "node-draining",
    "battery-low",    "battery-recovered",   "energy-source-change",
    "queue-overflow", "request-failed",      "store-write-failed",
    "store-write-recovered", "bus-backlog", "bus-backlog-drained",
    "bus-buffer-full",
};

static const char *const severity_names[ARC_SEV_COUNT] = {
    "info", "warning", "critical",
};

/* ---- names ------------------------------------------------------------ */

const char *arc_event_type_name(arc_event_type_t type)
{
    return (unsigned)type < ARC_EVENT_TYPE_COUNT ? type_names[type]
                                                 : "unknown";
}

arc_status_t arc_event_type_parse(const char *s, arc_event_type_t *out)
{
    if (s == NULL)
        return ARC_ERR_INVALID;

    for (uint32_t i = 0; i < ARC_EVENT_TYPE_COUNT; i++) {
        if (strcmp(type_names[i], s) == 0) {
            *out = (arc_event_type_t)i;
            return ARC_OK;
        }
    }
    return ARC_ERR_NOT_FOUND;
}

const char *arc_severity_name(arc_severity_t sev)
{
    return (unsigned)sev < ARC_SEV_COUNT ? severity_names[sev] : "unknown";
}

arc_status_t arc_severity_parse(const char *s, arc_severity_t *out)
{
    if (s == NULL)
        return ARC_ERR_INVALID;

    for (uint32_t i = 0; i < ARC_SEV_COUNT; i++) {
        if (strcmp(severity_names[i], s) == 0) {
            *out = (arc_severity_t)i;
            return ARC_OK;
        }
    }
    return ARC_ERR_NOT_FOUND;
}

/* ---- creation --------------------------------------------------------- */

static int64_t wall_clock(void *ctx)
{
    (void)ctx;
    return arc_now_us();
}

void arc_event_config_default(arc_event_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->capacity = 100000;
    cfg->coalesce_us = ARC_US_PER_S;
    cfg->source_coalesce_us = 300 * ARC_US_PER_S;
    cfg->guard_slots = 4096;
    cfg->battery_low = 0.25f;
    cfg->battery_recover = 0.30f;
}

static bool config_valid(const arc_event_config_t *cfg)
{
    uint32_t slots = cfg->guard_slots;

    if (cfg->capacity == 0 || cfg->coalesce_us < 0 ||
        cfg->source_coalesce_us < 0)
        return false;
    if (slots == 0 || (slots & (slots - 1)) != 0)
        return false;
    return !(cfg->battery_recover < cfg->battery_low);
}

arc_event_log_t *arc_event_log_new(const arc_event_config_t *cfg)
{
    arc_event_log_t *log;

    if (cfg == NULL || !config_valid(cfg))
        return NULL;

    log = calloc(1, sizeof(*log));
    if (log == NULL)
        return NULL;
    log->cfg = *cfg;
    log->ring = calloc(cfg->capacity, sizeof(*log->ring));
    log->guard = calloc(cfg->guard_slots, sizeof(*log->guard));
    if (log->ring == NULL || log->guard == NULL) {
        arc_event_log_free(log);
        return NULL;
    }
    arc_event_log_set_clock(log, cfg->clock, cfg->clock_ctx);
    return log;
}

void arc_event_log_free(arc_event_log_t *log)
{
    if (log == NULL)
        return;
    free(log->ring);
    free(log->guard);
    free(log);
}

const arc_event_config_t *arc_event_log_config(const arc_event_log_t *log)
{
    return &log->cfg;
}

void arc_event_log_set_clock(arc_event_log_t *log, arc_event_clock_fn fn,
                             void *ctx)
{
    log->cfg.clock = fn != NULL ? fn : wall_clock;
    log->cfg.clock_ctx = fn != NULL ? ctx : NULL;
}

/* ---- recording -------------------------------------------------------- */

/* FNV-1a over the node id, mixed with zone and type; never 0. */
static uint64_t guard_key(arc_event_type_t type, arc_zone_t zone,
                          const char *node)
{
    uint64_t h = 1469598103934665603ULL;

    for (const char *p = node; *p != '\0'; p++) {
        h ^= (unsigned char)*p;
        h *= 1099511628211ULL;
    }
    h ^= ((uint64_t)type << 8) | (uint64_t)zone;
    h *= 1099511628211ULL;
    return h != 0 ? h : 1;
}

/*
 * Decides whether an event of `key` at `now` is recorded. Returns true
 * and writes the number suppressed before it to *coalesced, or false
 * when it falls inside the window of the previous one.
 */
static bool guard_admit(arc_event_log_t *log, arc_event_type_t type,
                        uint64_t key, int64_t now, uint32_t *coalesced)
{
    int64_t window = type == ARC_EVENT_SOURCE_CHANGE
                         ? log->cfg.source_coalesce_us
                         : log->cfg.coalesce_us;
    guard_slot_t *slot;

    *coalesced = 0;
    if (window == 0)
        return true;

    slot = &log->guard[key & (log->cfg.guard_slots - 1)];
    if (slot->key == key) {
        if (now >= slot->last_us && now - slot->last_us < window) {
            slot->suppressed++;
            log->coalesced++;
            return false;
        }
        *coalesced = slot->suppressed;
    }

    slot->key = key;
    slot->last_us = now;
    slot->suppressed = 0;
    return true;
}

/* The next ring slot, counting an overwrite when the ring is full. */
static arc_event_t *ring_take(arc_event_log_t *log)
{
    uint64_t seq = ++log->last_seq;

    if (log->held == log->cfg.capacity)
        log->overwritten++;
    else
        log->held++;
    return &log->ring[(seq - 1) % log->cfg.capacity];
}

static void notify(arc_event_log_t *log, const arc_event_t *ev)
{
    for (uint32_t i = 0; i < log->sub_count; i++)
        log->subs[i].fn(log->subs[i].ctx, ev);
}

uint64_t arc_event_record(arc_event_log_t *log, arc_event_type_t type,
                          arc_severity_t sev, arc_zone_t zone,
                          const char *node, const char *fmt, ...)
{
    int64_t now;
    uint32_t coalesced;
    arc_event_t *ev;
    va_list ap;

    if (log == NULL || fmt == NULL || (unsigned)type >= ARC_EVENT_TYPE_COUNT ||
        (unsigned)sev >= ARC_SEV_COUNT || (unsigned)zone > ARC_ZONE_COUNT)
        return 0;
    if (node == NULL)
        node = "";

    now = log->cfg.clock(log->cfg.clock_ctx);
    if (!guard_admit(log, type, guard_key(type, zone, node), now,
                     &coalesced))
        return 0;

    ev = ring_take(log);
    ev->seq = log->last_seq;
    ev->time_us = now;
    ev->coalesced = coalesced;
    ev->type = (uint8_t)type;
    ev->severity = (uint8_t)sev;
    ev->zone = (uint8_t)zone;
    snprintf(ev->node, sizeof(ev->node), "%s", node);
    va_start(ap, fmt);
    vsnprintf(ev->message, sizeof(ev->message), fmt, ap);
    va_end(ap);

    notify(log, ev);
    return ev->seq;
}

static const char *model_name(uint32_t id)
{
    const arc_model_t *m = arc_model_get(id);

    return m != NULL ? m->name : "an unknown model";
}

static arc_severity_t request_severity(const arc_request_t *req)
{
    return req->priority == ARC_PRIO_CRITICAL ? ARC_SEV_CRITICAL
                                              : ARC_SEV_WARNING;
}

uint64_t arc_event_queue_overflow(arc_event_log_t *log, arc_zone_t zone,
                                  const arc_request_t *req,
                                  uint32_t queue_len)
{
    if (req == NULL)
        return 0;

    return arc_event_record(
        log, ARC_EVENT_QUEUE_OVERFLOW, request_severity(req), zone, NULL,
        "router queue in %s is full (%u waiting): %s request %llu for %s "
        "refused",
        arc_zone_name(zone), queue_len,
        arc_priority_name((arc_priority_t)req->priority),
        (unsigned long long)req->id, model_name(req->model));
}

uint64_t arc_event_request_failed(arc_event_log_t *log, arc_zone_t zone,
                                  const char *node, const arc_request_t *req,
                                  const char *why)
{
    bool placed = node != NULL && node[0] != '\0';

    if (req == NULL)
        return 0;

    return arc_event_record(
        log, ARC_EVENT_REQUEST_FAILED, request_severity(req), zone, node,
        "%s request %llu for %s failed%s%s: %s",
        arc_priority_name((arc_priority_t)req->priority),
        (unsigned long long)req->id, model_name(req->model),
        placed ? " on " : "", placed ? node : "",
        why != NULL ? why : "unknown reason");
}

/* ---- subscribers ------------------------------------------------------ */

arc_status_t arc_event_subscribe(arc_event_log_t *log, arc_event_sub_fn fn,
                                 void *ctx)
{
    if (log == NULL || fn == NULL)
        return ARC_ERR_INVALID;
    if (log->sub_count == ARC_EVENT_MAX_SUBS)
        return ARC_ERR_FULL;

    log->subs[log->sub_count].fn = fn;
    log->subs[log->sub_count].ctx = ctx;
    log->sub_count++;
    return ARC_OK;
}

void arc_event_unsubscribe(arc_event_log_t *log, arc_event_sub_fn fn,
                           void *ctx)
{
    for (uint32_t i = 0; log != NULL && i < log->sub_count; i++) {
        if (log->subs[i].fn != fn || log->subs[i].ctx != ctx)
            continue;
        memmove(&log->subs[i], &log->subs[i + 1],
                (log->sub_count - i - 1) * sizeof(log->subs[0]));
        log->sub_count--;
        return;
    }
}

/* ---- stats ------------------------------------------------------------ */

static uint64_t first_seq(const arc_event_log_t *log)
{
    return log->held == 0 ? 0 : log->last_seq - log->held + 1;
}

void arc_event_log_stats(const arc_event_log_t *log, arc_event_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    out->recorded = log->last_seq;
    out->coalesced = log->coalesced;
    out->overwritten = log->overwritten;
    out->first_seq = first_seq(log);
    out->last_seq = log->held == 0 ? 0 : log->last_seq;
    out->held = log->held;
}

/* ---- queries ---------------------------------------------------------- */

void arc_event_filter_init(arc_event_filter_t *f)
{
    memset(f, 0, sizeof(*f));
}

uint32_t arc_severity_mask_at_least(arc_severity_t sev)
{
    uint32_t all = (1u << ARC_SEV_COUNT) - 1;

    if ((unsigned)sev >= ARC_SEV_COUNT)
        return 0;
    return all & ~((1u << sev) - 1);
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

/*
 * Case-insensitive (ASCII) substring test: find the needle's first
 * letter, then compare the rest in place. No allocation, no locale.
 */
static bool contains_ci(const char *hay, const char *needle)
{
    const unsigned char *n = (const unsigned char *)needle;
    unsigned char first = ascii_lower(n[0]);

    for (const unsigned char *p = (const unsigned char *)hay; *p; p++) {
        size_t k = 1;

        if (ascii_lower(*p) != first)
            continue;
        while (n[k] != '\0' && ascii_lower(p[k]) == ascii_lower(n[k]))
            k++;
        if (n[k] == '\0')
            return true;
    }
    return false;
}

static bool in_mask(uint32_t mask, uint8_t value)
{
    return mask == 0 || (value < 32 && (mask & (1u << value)) != 0);
}

/* A zone filter matches only its zones: never a mesh-wide event. */
static bool in_zone_mask(uint32_t mask, uint8_t zone)
{
    return mask == 0 || (zone < ARC_ZONE_COUNT && in_mask(mask, zone));
}

bool arc_event_matches(const arc_event_t *ev, const arc_event_filter_t *f)
{
    if (ev->seq <= f->since)
        return false;
    if (!in_mask(f->type_mask, ev->type) ||
        !in_zone_mask(f->zone_mask, ev->zone) ||
        !in_mask(f->severity_mask, ev->severity))
        return false;
    if (f->q == NULL || f->q[0] == '\0')
        return true;
    return contains_ci(ev->message, f->q) || contains_ci(ev->node, f->q);
}

static const arc_event_t *at_seq(const arc_event_log_t *log, uint64_t seq)
{
    return &log->ring[(seq - 1) % log->cfg.capacity];
}

/* The range of seqs a filter can reach: [*lo, *hi]; false when empty. */
static bool seq_range(const arc_event_log_t *log,
                      const arc_event_filter_t *f, uint64_t *lo,
                      uint64_t *hi)
{
    if (log->held == 0)
        return false;

    *lo = first_seq(log);
    if (f->since >= *lo)
        *lo = f->since + 1;
    *hi = log->last_seq;
    return *lo <= *hi;
}

/*
 * The seq of the oldest event to hand out so that the newest `want`
 * matches are selected, scanning back from hi; lo when fewer match.
 */
static uint64_t newest_start(const arc_event_log_t *log,
                             const arc_event_filter_t *f, uint64_t lo,
                             uint64_t hi, size_t want)
{
    size_t found = 0;

    for (uint64_t s = hi; s >= lo; s--) {
        if (arc_event_matches(at_seq(log, s), f) && ++found == want)
            return s;
    }
    return lo;
}

/* How many to hand out at most: min(cap, limit), 0 meaning none given. */
static size_t wanted(const arc_event_filter_t *f, size_t cap)
{
    if (f->limit != 0 && f->limit < cap)
        return f->limit;
    return cap;
}

size_t arc_event_each(const arc_event_log_t *log,
                      const arc_event_filter_t *f, arc_event_each_fn fn,
                      void *ctx)
{
    uint64_t lo, hi;
    size_t want = wanted(f, SIZE_MAX);
    size_t n = 0;

    if (log == NULL || f == NULL || fn == NULL ||
        !seq_range(log, f, &lo, &hi))
        return 0;
    if (want != SIZE_MAX && !f->oldest_first)
        lo = newest_start(log, f, lo, hi, want);

    for (uint64_t s = lo; s <= hi && n < want; s++) {
        const arc_event_t *ev = at_seq(log, s);

        if (!arc_event_matches(ev, f))
            continue;
        fn(ctx, ev);
        n++;
    }
    return n;
}

typedef struct collect {
    const arc_event_t **out;
    size_t n;
} collect_t;

static void collect_one(void *ctx, const arc_event_t *ev)
{
    collect_t *c = ctx;

    c->out[c->n++] = ev;
}

size_t arc_event_query(const arc_event_log_t *log,
                       const arc_event_filter_t *f, const arc_event_t **out,
                       size_t cap)
{
    arc_event_filter_t capped;
    collect_t c = {out, 0};

    if (f == NULL || out == NULL || cap == 0)
        return 0;

    capped = *f;
    capped.limit = (uint32_t)wanted(f, cap > UINT32_MAX ? UINT32_MAX : cap);
    return arc_event_each(log, &capped, collect_one, &c);
}
