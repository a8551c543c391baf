/*
 * format_history.c - a node's history as a table (see
 * format_history.h): time, worst status, energy source, carbon,
 * battery, GPU use, fewest free GPUs and how many rows each bucket
 * holds. Buckets the store left out (the node stayed inside its
 * dead-band) are simply absent.
 */
#include "cli/format_history.h"

#include "cli/format.h"
#include "cli/format_util.h"
#include "cli/table.h"

static const arc_cli_column_t cols[] = {
    {"TIME", false, 0},  {"STATUS", false, 0}, {"ENERGY", false, 7},
    {"gCO2", true, 0},   {"BATT", true, 0},    {"GPU", true, 0},
    {"FREE", true, 0},   {"ROWS", true, 0},
};

static void bucket_row(arc_cli_table_t *t, const cJSON *b)
{
    char when[32], co2[16], batt[16], util[16], free_g[16], rows[16];
    const char *row[8];

    row[0] = arc_cli_jtime(b, "time", false, when, sizeof(when));
    row[1] = arc_cli_jstr(b, "status");
    row[2] = arc_cli_jstr(b, "energy_source");
    row[3] = arc_cli_jfmt(b, "carbon_g_per_kwh", 0, 1, "", co2, 16);
    row[4] = arc_cli_jfmt(b, "battery_soc", 0, 100, "%", batt, 16);
    row[5] = arc_cli_jfmt(b, "gpu_util", 0, 100, "%", util, 16);
    row[6] = arc_cli_jfmt(b, "gpus_free_min", 0, 1, "", free_g, 16);
    row[7] = arc_cli_jfmt(b, "samples", 0, 1, "", rows, 16);
    arc_cli_table_add(t, row);
}

arc_status_t arc_cli_format_history(const char *json, size_t len,
                                    arc_cli_buf_t *out)
{
    cJSON *doc = arc_cli_jparse(json, len);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "buckets");
    const cJSON *b;
    arc_cli_table_t t;
    arc_status_t st;

    if (!cJSON_IsArray(list)) {
        cJSON_Delete(doc);
        return ARC_ERR_INVALID;
    }
    arc_cli_table_init(&t, ARC_ARRAY_LEN(cols), cols);
    cJSON_ArrayForEach(b, list) bucket_row(&t, b);
    st = t.failed ? ARC_ERR_NOMEM : ARC_OK;
    if (st == ARC_OK && t.rows == 0) {
        arc_cli_buf_puts(out, "no history in that range\n");
    } else if (st == ARC_OK) {
        arc_cli_table_render(&t, ARC_CLI_WIDTH, out);
        arc_cli_buf_printf(out, "%zu bucket%s\n", t.rows,
                           t.rows == 1 ? "" : "s");
    }
    arc_cli_table_free(&t);
    cJSON_Delete(doc);
    return st;
}
