/*
 * arc.c - status names and the wall clock.
 */
#include "core/arc.h"

#include <time.h>

const char *arc_status_name(arc_status_t status)
{
    switch (status) {
    case ARC_OK:
        return "ok";
    case ARC_ERR_NOMEM:
        return "out-of-memory";
    case ARC_ERR_INVALID:
        return "invalid";
    case ARC_ERR_NOT_FOUND:
        return "not-found";
    case ARC_ERR_DUPLICATE:
        return "duplicate";
    case ARC_ERR_FULL:
        return "queue-full";
    case ARC_ERR_UNAVAILABLE:
        return "unavailable";
    case ARC_ERR_DEFERRED:
        return "deferred";
    case ARC_ERR_IO:
        return "io-error";
    }
    return "unknown";
}

int64_t arc_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * ARC_US_PER_S + ts.tv_nsec / 1000;
}
