/*
 * fuzz_json_writer.c - drives the JSON writer with a program read from
 * the input (one opcode byte, then its operand) and checks the promise
 * the writer makes: whenever arc_jw_finish says ARC_OK, the text is
 * valid JSON (cJSON parses it whole) and valid UTF-8, whatever bytes
 * the strings held.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "api/json_writer.h"
#include "fuzz.h"

/* Runs one opcode; returns the bytes of input it consumed. */
static size_t run_op(arc_jw_t *w, const uint8_t *p, size_t n)
{
    size_t len = n > 1 ? p[1] % 32 : 0;
    double d;

    len = len + 2 <= n ? len : (n >= 2 ? n - 2 : 0);
    switch (p[0] % 9) {
    case 0:
        arc_jw_obj_open(w);
        return 1;
    case 1:
        arc_jw_obj_close(w);
        return 1;
    case 2:
        arc_jw_arr_open(w);
        return 1;
    case 3:
        arc_jw_arr_close(w);
        return 1;
    case 4:
        arc_jw_strn(w, (const char *)p + 2, len);
        return 2 + len;
    case 5:
        arc_jw_key(w, "k\xff\"");
        return 1;
    case 6:
        if (n < 9) {
            return n;
        }
        memcpy(&d, p + 1, sizeof(d));
        arc_jw_double(w, d);
        return 9;
    case 7:
        arc_jw_int(w, (int64_t)p[0] * -977);
        return 1;
    default:
        arc_jw_bool(w, p[0] & 1);
        return 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arc_jw_t w;
    size_t i = 0;

    arc_jw_init(&w, 16);
    while (i < size) {
        i += run_op(&w, data + i, size - i);
    }
    if (arc_jw_finish(&w) == ARC_OK) {
        const char *end = NULL;
        cJSON *root = cJSON_ParseWithOpts(arc_jw_text(&w), &end, 1);

        if (root == NULL || end != arc_jw_text(&w) + arc_jw_len(&w)) {
            abort();
        }
        cJSON_Delete(root);
    }
    arc_jw_free(&w);
    return 0;
}
