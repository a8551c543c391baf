/*
 * format.c - nodes, zones and events from the daemon's JSON, as tables.
 *
 * The one idea: read fields leniently (a missing or mistyped field is
 * "-") but shapes strictly (a reply without its list is an error), so
 * output degrades gracefully while a wrong endpoint is still caught.
 * Routing decisions, receipts and errors are in format_reply.c.
 *
 * Any thread; cJSON trees live only inside each call.
 */
#include "cli/format.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/format_util.h"
#include "cli/table.h"

/* The array `key` of a document's root; NULL when absent. */
static const cJSON *root_array(const cJSON *doc, const char *key)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, key);

    return cJSON_IsArray(a) ? a : NULL;
}

/* Renders the table and a count line ("3 nodes"); frees both. */
static arc_status_t finish(arc_cli_table_t *t, cJSON *doc, size_t n,
                           const char *noun, arc_cli_buf_t *out)
{
    arc_status_t st = t->failed ? ARC_ERR_NOMEM : ARC_OK;

    if (st == ARC_OK && n == 0) {
        arc_cli_buf_printf(out, "no %s match\n", noun);
    } else if (st == ARC_OK) {
        arc_cli_table_render(t, ARC_CLI_WIDTH, out);
        arc_cli_buf_printf(out, "%zu %.*s\n", n,
                           (int)strlen(noun) - (n == 1), noun);
    }
    arc_cli_table_free(t);
    cJSON_Delete(doc);
    return st;
}

/*
 * A table with one row per element of the root array `key` (row_fn fills
 * each), the noun counting them; ARC_ERR_INVALID when there is no such
 * array.
 */
static arc_status_t format_list(const char *json, size_t len,
                                const char *key,
                                const arc_cli_column_t *cols, size_t ncols,
                                void (*row_fn)(arc_cli_table_t *t,
                                               const cJSON *item),
                                arc_cli_buf_t *out)
{
    cJSON *doc = arc_cli_jparse(json, len);
    const cJSON *list = root_array(doc, key);
    const cJSON *item;
    arc_cli_table_t t;

    if (list == NULL) {
        cJSON_Delete(doc);
        return ARC_ERR_INVALID;
    }

    arc_cli_table_init(&t, ncols, cols);
    cJSON_ArrayForEach(item, list) row_fn(&t, item);
    return finish(&t, doc, t.rows, key, out);
}

/* ---- nodes ------------------------------------------------------------ */

static const arc_cli_column_t node_cols[] = {
    {"ID", false, 10},     {"ZONE", false, 0},  {"STATUS", false, 0},
    {"ENERGY", false, 7},  {"gCO2", true, 0},   {"BATT", true, 0},
    {"GPU", true, 0},      {"FREE", true, 0},   {"QUEUE", true, 0},
};

static void node_row(arc_cli_table_t *t, const cJSON *n)
{
    char co2[16], batt[16], util[16], gpus[24], queue[16];
    double free_g, total_g;
    const char *row[9];

    row[0] = arc_cli_jstr(n, "id");
    row[1] = arc_cli_jstr(n, "zone");
    row[2] = arc_cli_jstr(n, "status");
    row[3] = arc_cli_jstr(n, "energy_source");
    row[4] = arc_cli_jfmt(n, "carbon_g_per_kwh", 0, 1, "", co2, 16);
    row[5] = arc_cli_jfmt(n, "battery_soc", 0, 100, "%", batt, 16);
    row[6] = arc_cli_jfmt(n, "gpu_util", 0, 100, "%", util, 16);
    row[7] = "-";
    if (arc_cli_jnum(n, "gpus_free", &free_g) &&
        arc_cli_jnum(n, "gpus_total", &total_g)) {
        snprintf(gpus, sizeof(gpus), "%.0f/%.0f", free_g, total_g);
        row[7] = gpus;
    }
    row[8] = arc_cli_jfmt(n, "queue_depth", 0, 1, "", queue, 16);
    arc_cli_table_add(t, row);
}

arc_status_t arc_cli_format_nodes(const char *json, size_t len,
                                  arc_cli_buf_t *out)
{
    return format_list(json, len, "nodes", node_cols,
                       ARC_ARRAY_LEN(node_cols), node_row, out);
}

/* ---- one node --------------------------------------------------------- */

static void line(arc_cli_buf_t *out, const char *label, const char *value)
{
    arc_cli_buf_printf(out, "%-11s ", label);
    arc_cli_put_cut(out, value != NULL ? value : "-", ARC_CLI_WIDTH - 12);
    arc_cli_buf_puts(out, "\n");
}

static void models_line(arc_cli_buf_t *out, const cJSON *n)
{
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(n, "models");
    const cJSON *m;
    arc_cli_buf_t list;

    arc_cli_buf_init(&list);
    cJSON_ArrayForEach(m, models)
    {
        if (!cJSON_IsString(m))
            continue;
        arc_cli_buf_printf(&list, "%s%s", list.len ? ", " : "",
                           m->valuestring);
    }
    line(out, "models", list.len > 0 ? arc_cli_buf_str(&list) : "none");
    arc_cli_buf_free(&list);
}

static void node_lines(arc_cli_buf_t *out, const cJSON *n)
{
    char where[64], energy[64], gpus[64], b1[32], b2[32];
    double lat, lon, fr, tot;

    line(out, "id", arc_cli_jstr(n, "id"));
    line(out, "site", arc_cli_jstr(n, "site"));
    line(out, "zone", arc_cli_jstr(n, "zone"));
    if (arc_cli_jnum(n, "lat", &lat) && arc_cli_jnum(n, "lon", &lon)) {
        snprintf(where, sizeof(where), "%.4f, %.4f", lat, lon);
        line(out, "location", where);
    }
    line(out, "status", arc_cli_jstr(n, "status"));
    snprintf(energy, sizeof(energy), "%s (%s g CO2/kWh)",
             arc_cli_jstr(n, "energy_source") ? arc_cli_jstr(
                                                    n, "energy_source")
                                              : "-",
             arc_cli_jfmt(n, "carbon_g_per_kwh", 0, 1, "", b1, 32));
    line(out, "energy", energy);
    line(out, "battery", arc_cli_jfmt(n, "battery_soc", 0, 100, "%", b1,
                                      32));
    if (arc_cli_jnum(n, "gpus_free", &fr) &&
        arc_cli_jnum(n, "gpus_total", &tot)) {
        snprintf(gpus, sizeof(gpus), "%.0f free of %.0f, %s busy", fr, tot,
                 arc_cli_jfmt(n, "gpu_util", 0, 100, "%", b2, 32));
        line(out, "GPUs", gpus);
    }
    models_line(out, n);
    line(out, "queue", arc_cli_jfmt(n, "queue_depth", 0, 1, "", b1, 32));
    line(out, "last seen", arc_cli_jtime(n, "last_seen", false, b2, 32));
}

arc_status_t arc_cli_format_node(const char *json, size_t len,
                                 arc_cli_buf_t *out)
{
    cJSON *doc = arc_cli_jparse(json, len);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(doc, "node");

    if (!cJSON_IsObject(n))
        n = doc;
    if (!cJSON_IsObject(n) || arc_cli_jstr(n, "id") == NULL) {
        cJSON_Delete(doc);
        return ARC_ERR_INVALID;
    }

    node_lines(out, n);
    cJSON_Delete(doc);
    return out->failed ? ARC_ERR_NOMEM : ARC_OK;
}

/* ---- zones ------------------------------------------------------------ */

static const arc_cli_column_t zone_cols[] = {
    {"ZONE", false, 0}, {"NODES", true, 0}, {"UP", true, 0},
    {"GPU", true, 0},   {"gCO2", true, 0},  {"REQ/S", true, 0},
    {"P50ms", true, 0}, {"P99ms", true, 0}, {"ENERGY MIX", false, 10},
};

/* "solar 45% grid 30% ..." from {"source": share (0..1)}. */
static void energy_mix(const cJSON *z, char *buf, size_t cap)
{
    const cJSON *mix = cJSON_GetObjectItemCaseSensitive(z, "energy_mix");
    const cJSON *s;
    size_t used = 0;

    snprintf(buf, cap, "-");
    if (!cJSON_IsObject(mix))
        return;
    cJSON_ArrayForEach(s, mix)
    {
        const char *name;
        int n;

        if (!cJSON_IsNumber(s) || s->string == NULL || s->valuedouble <= 0)
            continue;
        name = strncmp(s->string, "cogen-", 6) == 0 ? s->string + 6
                                                    : s->string;
        n = snprintf(buf + used, cap - used, "%s%s %.0f%%",
                     used ? " " : "", name, s->valuedouble * 100);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
}

static void zone_row(arc_cli_table_t *t, const cJSON *z)
{
    char b[8][24], mix[160];
    const char *row[9];

    row[0] = arc_cli_jstr(z, "id");
    row[1] = arc_cli_jfmt(z, "nodes", 0, 1, "", b[0], 24);
    row[2] = arc_cli_jfmt(z, "nodes_up", 0, 1, "", b[1], 24);
    row[3] = arc_cli_jfmt(z, "gpu_util", 0, 100, "%", b[2], 24);
    row[4] = arc_cli_jfmt(z, "carbon_g_per_kwh", 0, 1, "", b[3], 24);
    row[5] = arc_cli_jfmt(z, "req_per_s", 1, 1, "", b[4], 24);
    row[6] = arc_cli_jfmt(z, "p50_ms", 0, 1, "", b[5], 24);
    row[7] = arc_cli_jfmt(z, "p99_ms", 0, 1, "", b[6], 24);
    energy_mix(z, mix, sizeof(mix));
    row[8] = mix;
    arc_cli_table_add(t, row);
}

arc_status_t arc_cli_format_zones(const char *json, size_t len,
                                  arc_cli_buf_t *out)
{
    return format_list(json, len, "zones", zone_cols,
                       ARC_ARRAY_LEN(zone_cols), zone_row, out);
}

/* ---- events ----------------------------------------------------------- */

static const arc_cli_column_t event_cols[] = {
    {"SEQ", true, 0},      {"TIME", false, 0},    {"SEVERITY", false, 0},
    {"TYPE", false, 9},    {"MESSAGE", false, 20},
};

static void event_row(arc_cli_table_t *t, const cJSON *e)
{
    char seq[24], tm[32];
    const char *row[5];

    row[0] = arc_cli_jfmt(e, "seq", 0, 1, "", seq, sizeof(seq));
    row[1] = arc_cli_jtime(e, "time", true, tm, sizeof(tm));
    row[2] = arc_cli_jstr(e, "severity");
    row[3] = arc_cli_jstr(e, "type");
    row[4] = arc_cli_jstr(e, "message");
    arc_cli_table_add(t, row);
}

arc_status_t arc_cli_format_events(const char *json, size_t len,
                                   arc_cli_buf_t *out)
{
    return format_list(json, len, "events", event_cols,
                       ARC_ARRAY_LEN(event_cols), event_row, out);
}
