/*
 * format_reply.c - routing decisions, inference receipts, stream event
 * lines, drain confirmations and error messages from the daemon's JSON.
 *
 * The one idea: a decision is only useful if it explains itself, so the
 * score is shown broken into its terms (value x weight) beside the
 * runner-ups the router considered.
 *
 * Any thread; cJSON trees live only inside each call.
 */
#include "cli/format.h"

#include <stdio.h>
#include <string.h>

#include "cli/format_util.h"
#include "cli/table.h"
#include "state/events.h"

static void label(arc_cli_buf_t *out, const char *name, const char *value)
{
    arc_cli_buf_printf(out, "%-9s ", name);
    arc_cli_put_cut(out, value != NULL ? value : "-", ARC_CLI_WIDTH - 10);
    arc_cli_buf_puts(out, "\n");
}

static void where(arc_cli_buf_t *out, const cJSON *obj)
{
    const char *node = arc_cli_jstr(obj, "node");
    const char *zone = arc_cli_jstr(obj, "zone");
    char text[96];

    snprintf(text, sizeof(text), "%s (zone %s)", node ? node : "-",
             zone ? zone : "-");
    label(out, "node", text);
}

/* ---- decision --------------------------------------------------------- */

static const arc_cli_column_t term_cols[] = {
    {"TERM", false, 0},
    {"VALUE", true, 0},
    {"WEIGHT", true, 0},
    {"SCORE", true, 0},
};

static void term_table(arc_cli_buf_t *out, const cJSON *terms)
{
    const cJSON *term;
    arc_cli_table_t t;

    if (!cJSON_IsObject(terms) || terms->child == NULL)
        return;

    arc_cli_table_init(&t, ARC_ARRAY_LEN(term_cols), term_cols);
    cJSON_ArrayForEach(term, terms)
    {
        char v[32] = "-", w[32] = "-", s[32] = "-";
        double value, weight;
        const char *row[4] = {term->string, v, w, s};

        if (arc_cli_jnum(term, "value", &value))
            snprintf(v, sizeof(v), "%.2f", value);
        if (arc_cli_jnum(term, "weight", &weight))
            snprintf(w, sizeof(w), "%.4g", weight);
        if (arc_cli_jnum(term, "value", &value) &&
            arc_cli_jnum(term, "weight", &weight))
            snprintf(s, sizeof(s), "%.2f", value * weight);
        arc_cli_table_add(&t, row);
    }
    arc_cli_buf_puts(out, "\n");
    arc_cli_table_render(&t, ARC_CLI_WIDTH, out);
    arc_cli_table_free(&t);
}

static const arc_cli_column_t runner_cols[] = {
    {"RUNNER-UP", false, 10},
    {"ZONE", false, 0},
    {"SCORE", true, 0},
};

static void runner_table(arc_cli_buf_t *out, const cJSON *runners)
{
    const cJSON *r;
    arc_cli_table_t t;

    if (cJSON_GetArraySize(runners) == 0)
        return;

    arc_cli_table_init(&t, ARC_ARRAY_LEN(runner_cols), runner_cols);
    cJSON_ArrayForEach(r, runners)
    {
        char score[32];
        const char *row[3] = {cJSON_IsString(r) ? r->valuestring
                                                : arc_cli_jstr(r, "node"),
                              arc_cli_jstr(r, "zone"),
                              arc_cli_jfmt(r, "score", 2, 1, "", score,
                                           sizeof(score))};

        arc_cli_table_add(&t, row);
    }
    arc_cli_buf_puts(out, "\n");
    arc_cli_table_render(&t, ARC_CLI_WIDTH, out);
    arc_cli_table_free(&t);
}

arc_status_t arc_cli_format_decision(const char *json, size_t len,
                                     arc_cli_buf_t *out)
{
    cJSON *doc = arc_cli_jparse(json, len);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(doc, "decision");
    const cJSON *spilled;
    char text[96], score[32];

    if (!cJSON_IsObject(d) || arc_cli_jstr(d, "node") == NULL) {
        cJSON_Delete(doc);
        return ARC_ERR_INVALID;
    }

    where(out, d);
    snprintf(text, sizeof(text), "%s, score %s",
             arc_cli_jstr(d, "policy") ? arc_cli_jstr(d, "policy") : "-",
             arc_cli_jfmt(d, "score", 2, 1, "", score, sizeof(score)));
    label(out, "policy", text);
    spilled = cJSON_GetObjectItemCaseSensitive(d, "spilled");
    label(out, "spilled",
          cJSON_IsTrue(spilled) ? "yes, served outside its home zone"
                                : "no");
    term_table(out, cJSON_GetObjectItemCaseSensitive(d, "terms"));
    runner_table(out, cJSON_GetObjectItemCaseSensitive(d, "runner_ups"));

    cJSON_Delete(doc);
    return out->failed ? ARC_ERR_NOMEM : ARC_OK;
}

/* ---- inference -------------------------------------------------------- */

arc_status_t arc_cli_format_inference(const char *json, size_t len,
                                      arc_cli_buf_t *out)
{
    cJSON *doc = arc_cli_jparse(json, len);
    const char *output = arc_cli_jstr(doc, "output");
    const char *source = arc_cli_jstr(doc, "energy_source");
    char text[128], b1[32], b2[32];

    if (!cJSON_IsObject(doc) || arc_cli_jstr(doc, "node") == NULL) {
        cJSON_Delete(doc);
        return ARC_ERR_INVALID;
    }

    where(out, doc);
    snprintf(text, sizeof(text), "%s, %s g CO2", source ? source : "-",
             arc_cli_jfmt(doc, "carbon_g", 4, 1, "", b1, sizeof(b1)));
    label(out, "energy", text);
    snprintf(text, sizeof(text), "queued %s ms, served in %s ms",
             arc_cli_jfmt(doc, "queue_ms", 0, 1, "", b1, sizeof(b1)),
             arc_cli_jfmt(doc, "service_ms", 0, 1, "", b2, sizeof(b2)));
    label(out, "time", text);
    if (output != NULL) {
        arc_cli_buf_puts(out, "\n");
        arc_cli_put_text(out, output);
        arc_cli_buf_puts(out, "\n");
    }

    cJSON_Delete(doc);
    return out->failed ? ARC_ERR_NOMEM : ARC_OK;
}

/* ---- one stream event ------------------------------------------------- */

void arc_cli_format_event_obj(const cJSON *ev, arc_cli_buf_t *out)
{
    const char *sev = arc_cli_jstr(ev, "severity");
    const char *type = arc_cli_jstr(ev, "type");
    const char *msg = arc_cli_jstr(ev, "message");
    char tm[32], head[64];
    double seq = 0;

    arc_cli_jnum(ev, "seq", &seq);
    snprintf(head, sizeof(head), "%6.0f %8s %-8s %-20s ", seq,
             arc_cli_jtime(ev, "time", true, tm, sizeof(tm)),
             sev ? sev : "-", type ? type : "-");
    arc_cli_put_cut(out, head, sizeof(head));
    arc_cli_put_cut(out, msg ? msg : "-",
                    ARC_CLI_WIDTH - arc_cli_text_width(head));
    arc_cli_buf_puts(out, "\n");
}

static bool severity_passes(const char *have, const char *want)
{
    arc_severity_t h, w;

    if (want == NULL)
        return true;
    if (arc_severity_parse(have, &h) != ARC_OK ||
        arc_severity_parse(want, &w) != ARC_OK)
        return false;
    return h >= w;
}

static bool text_has(const char *hay, const char *needle)
{
    return hay != NULL && strcasestr(hay, needle) != NULL;
}

static bool passes(const cJSON *ev, const arc_cli_event_view_t *v)
{
    const char *type = arc_cli_jstr(ev, "type");
    const char *zone = arc_cli_jstr(ev, "zone");

    if (v->type != NULL && (type == NULL || strcmp(type, v->type) != 0))
        return false;
    if (v->zone != NULL && (zone == NULL || strcmp(zone, v->zone) != 0))
        return false;
    if (!severity_passes(arc_cli_jstr(ev, "severity"), v->severity))
        return false;
    return v->q == NULL || text_has(arc_cli_jstr(ev, "message"), v->q) ||
           text_has(arc_cli_jstr(ev, "node"), v->q);
}

static void one_event(const cJSON *ev, arc_cli_event_view_t *v,
                      arc_cli_buf_t *out)
{
    double seq;
    char *text;

    if (!cJSON_IsObject(ev) || !arc_cli_jnum(ev, "seq", &seq) ||
        seq <= (double)v->last_seq)
        return;
    v->last_seq = (uint64_t)seq;
    if (!passes(ev, v))
        return;

    if (!v->json) {
        arc_cli_format_event_obj(ev, out);
        return;
    }
    text = cJSON_PrintUnformatted(ev);
    if (text == NULL) {
        out->failed = true;
        return;
    }
    arc_cli_buf_puts(out, text);
    arc_cli_buf_puts(out, "\n");
    cJSON_free(text);
}

arc_status_t arc_cli_format_frame_events(const char *json, size_t len,
                                         arc_cli_event_view_t *view,
                                         arc_cli_buf_t *out)
{
    cJSON *doc = arc_cli_jparse(json, len);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "events");
    const cJSON *one = cJSON_GetObjectItemCaseSensitive(doc, "event");
    arc_event_type_t type;
    arc_status_t st = ARC_OK;
    const cJSON *ev;
    double seq = 0;

    if (doc == NULL)
        return ARC_ERR_INVALID;

    view->frame_seq = arc_cli_jnum(doc, "seq", &seq) ? (uint64_t)seq : 0;
    view->frame_time = arc_cli_jnum(doc, "time", &seq) ? (int64_t)seq : 0;
    if (cJSON_IsArray(list)) {
        cJSON_ArrayForEach(ev, list) one_event(ev, view, out);
    } else if (cJSON_IsObject(one)) {
        one_event(one, view, out);
    } else if (arc_event_type_parse(arc_cli_jstr(doc, "type"), &type) ==
               ARC_OK) {
        one_event(doc, view, out);
    } else {
        st = ARC_ERR_NOT_FOUND;
    }
    cJSON_Delete(doc);
    return st == ARC_OK && out->failed ? ARC_ERR_NOMEM : st;
}

/* ---- drain and errors ------------------------------------------------- */

arc_status_t arc_cli_format_drain(const char *json, size_t len,
                                  const char *node, int drained,
                                  arc_cli_buf_t *out)
{
    cJSON *doc = arc_cli_jparse(json, len);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(doc, "node");
    const char *status = arc_cli_jstr(cJSON_IsObject(n) ? n : doc, "status");

    arc_cli_put_cut(out, node, ARC_NODE_ID_MAX);
    arc_cli_buf_printf(out, " %s%s%s\n",
                       drained ? "drained: it finishes its work and takes "
                                 "no new requests"
                               : "undrained: it takes new requests again",
                       status ? "; status " : "", status ? status : "");
    cJSON_Delete(doc);
    return out->failed ? ARC_ERR_NOMEM : ARC_OK;
}

void arc_cli_error_text(const char *json, size_t len, long http_status,
                        char *out, size_t cap)
{
    cJSON *doc = arc_cli_jparse(json, len);
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(doc, "error");
    const char *msg = arc_cli_jstr(err, "message");
    const char *code = arc_cli_jstr(err, "code");

    if (msg != NULL)
        snprintf(out, cap, "%s%s%s%s", msg, code ? " (" : "",
                 code ? code : "", code ? ")" : "");
    else
        snprintf(out, cap, "the server answered HTTP %ld without an "
                           "error message", http_status);
    for (char *p = out; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    }
    cJSON_Delete(doc);
}
