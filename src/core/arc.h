/*
 * arc.h - the few things every ArcNet module shares: one status type for
 * errors, the wall clock in microseconds, and small helpers.
 *
 * Every fallible function in ArcNet returns arc_status_t. Zero is success;
 * each other value names one kind of failure, so a caller can map it to an
 * HTTP status or an exit code without parsing a message. Times on the wire
 * and in state are UTC integer microseconds since the Unix epoch.
 *
 * This header includes nothing of the daemon: building blocks may use it.
 */
#ifndef ARC_ARC_H
#define ARC_ARC_H

#include <stddef.h>
#include <stdint.h>

typedef enum arc_status {
    ARC_OK = 0,
    ARC_ERR_NOMEM,       /* an allocation failed */
    ARC_ERR_INVALID,     /* the caller's input was wrong */
    ARC_ERR_NOT_FOUND,   /* no such node, model, zone or key */
    ARC_ERR_DUPLICATE,   /* already applied (telemetry sequence seen) */
    ARC_ERR_FULL,        /* a bounded queue is full: retry later */
    ARC_ERR_UNAVAILABLE, /* nothing eligible can serve the request */
    ARC_ERR_DEFERRED,    /* held back on purpose (greener power ahead) */
    ARC_ERR_IO           /* a file or socket operation failed */
} arc_status_t;

/* A short, stable, lower-case name for a status ("not-found", ...). */
const char *arc_status_name(arc_status_t status);

/* Wall-clock time, UTC microseconds since the epoch. */
int64_t arc_now_us(void);

#define ARC_US_PER_MS 1000LL
#define ARC_US_PER_S 1000000LL

#define ARC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
