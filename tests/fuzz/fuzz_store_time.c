/*
 * fuzz_store_time.c - the time parser on any bytes: it must return a
 * status and never crash or read past the input; a time it accepts and
 * can format must read back as the same microsecond.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "store/stime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[ARC_TIME_TEXT_MAX];
    int64_t v = 0, again = 0;

    if (arc_time_parse_n((const char *)data, size, &v) != ARC_OK) {
        return 0;
    }
    if (arc_time_format(v, buf, sizeof(buf)) != ARC_OK) {
        return 0;
    }
    if (arc_time_parse(buf, &again) != ARC_OK || again != v) {
        abort();
    }
    return 0;
}
