/*
 * sites.c - the site table's CSV parser and the placement of simulated
 * nodes on its rows.
 *
 * The parser walks the buffer line by line without ever writing to it or
 * reading past `len`; every field is copied into a bounded scratch string
 * before it is converted, so an overlong or unterminated field is an
 * error, not an overrun. The first failure stops the parse and names its
 * line.
 */
#include "sim/sites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"
#include "sim/carbon.h"
#include "sim/rng.h"

#define FIELD_COUNT 11
#define FIELD_MAX 64
#define JITTER_DEG 0.2
#define INITIAL_SOC 0.6f
#define BATTERY_RESERVE 0.2f

static const char header[] =
    "id,zone,site,lat,lon,grid_region,solar_kw,wind_kw,gas_kw,"
    "battery_kwh,gpus";

typedef struct parser {
    const char *p, *end;
    uint32_t line;
    char *err;
    size_t err_len;
} parser_t;

static arc_status_t fail(parser_t *ps, const char *what, const char *field)
{
    if (ps->err != NULL && ps->err_len > 0)
        snprintf(ps->err, ps->err_len, "line %u: %s%s%s%s", ps->line, what,
                 field ? " '" : "", field ? field : "", field ? "'" : "");
    return ARC_ERR_INVALID;
}

/* The next line without its end of line; false at the end of input. */
static bool next_line(parser_t *ps, const char **start, size_t *n)
{
    const char *nl;

    if (ps->p >= ps->end)
        return false;
    nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
    *start = ps->p;
    *n = (size_t)((nl ? nl : ps->end) - ps->p);
    ps->p = nl ? nl + 1 : ps->end;
    ps->line++;
    if (*n > 0 && (*start)[*n - 1] == '\r')
        (*n)--;
    return true;
}

/* Splits a line at commas into NUL-terminated copies. */
static arc_status_t split(parser_t *ps, const char *s, size_t n,
                          char fields[FIELD_COUNT][FIELD_MAX])
{
    size_t f = 0, k = 0;

    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == ',') {
            fields[f][k] = '\0';
            if (i == n)
                break;
            if (++f == FIELD_COUNT)
                return fail(ps, "too many fields", NULL);
            k = 0;
        } else if (s[i] == '\0' || s[i] == '"') {
            return fail(ps, "unexpected character in field", NULL);
        } else if (k + 1 >= FIELD_MAX) {
            return fail(ps, "field too long", NULL);
        } else {
            fields[f][k++] = s[i];
        }
    }
    if (f + 1 != FIELD_COUNT)
        return fail(ps, "expected 11 fields", NULL);
    return ARC_OK;
}

static arc_status_t number(parser_t *ps, const char *s, double lo,
                           double hi, double *out)
{
    char *endp;
    double v;

    if (*s == '\0')
        return fail(ps, "empty number", NULL);
    v = strtod(s, &endp);
    if (*endp != '\0' || !isfinite(v) || v < lo || v > hi)
        return fail(ps, "bad number", s);
    *out = v;
    return ARC_OK;
}

static bool valid_id(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n >= ARC_SITE_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

static arc_status_t parse_names(parser_t *ps,
                                char f[FIELD_COUNT][FIELD_MAX],
                                arc_site_t *s)
{
    if (!valid_id(f[0]))
        return fail(ps, "bad id (a-z, 0-9, '-', at most 16)", f[0]);
    memcpy(s->id, f[0], strlen(f[0]) + 1);

    if (arc_zone_parse(f[1], &s->zone) != ARC_OK)
        return fail(ps, "unknown zone", f[1]);

    if (f[2][0] == '\0' || strlen(f[2]) >= ARC_SITE_NAME_MAX)
        return fail(ps, "bad site name", f[2]);
    memcpy(s->name, f[2], strlen(f[2]) + 1);

    if (strlen(f[5]) >= ARC_SITE_REGION_MAX ||
        arc_sim_grid_intensity(f[5], &s->grid_g_per_kwh) != ARC_OK)
        return fail(ps, "unknown eGRID subregion", f[5]);
    memcpy(s->grid_region, f[5], strlen(f[5]) + 1);
    return ARC_OK;
}

static arc_status_t parse_site(parser_t *ps,
                               char f[FIELD_COUNT][FIELD_MAX],
                               arc_site_t *s)
{
    double gpus;
    arc_status_t st = parse_names(ps, f, s);

    if (st == ARC_OK)
        st = number(ps, f[3], -90.0, 90.0, &s->lat);
    if (st == ARC_OK)
        st = number(ps, f[4], -180.0, 180.0, &s->lon);
    if (st == ARC_OK && arc_geo_zone_of(s->lat, s->lon) != s->zone)
        st = fail(ps, "longitude is outside the zone", f[4]);
    if (st == ARC_OK)
        st = number(ps, f[6], 0.0, 1e6, &s->solar_kw);
    if (st == ARC_OK)
        st = number(ps, f[7], 0.0, 1e6, &s->wind_kw);
    if (st == ARC_OK)
        st = number(ps, f[8], 0.0, 1e6, &s->gas_kw);
    if (st == ARC_OK)
        st = number(ps, f[9], 0.0, 1e7, &s->battery_kwh);
    if (st == ARC_OK)
        st = number(ps, f[10], 1.0, 65535.0, &gpus);
    if (st == ARC_OK && gpus != floor(gpus))
        st = fail(ps, "gpus must be a whole number", f[10]);
    if (st == ARC_OK)
        s->gpus = (uint32_t)gpus;
    return st;
}

static bool skip_line(const char *s, size_t n)
{
    return n == 0 || s[0] == '#';
}

static arc_status_t grow(arc_site_table_t *t, uint32_t *cap)
{
    uint32_t ncap = *cap ? *cap * 2 : 64;
    arc_site_t *p;

    if (*cap > UINT32_MAX / 4)
        return ARC_ERR_NOMEM;
    p = realloc(t->sites, (size_t)ncap * sizeof(*p));
    if (p == NULL)
        return ARC_ERR_NOMEM;
    t->sites = p;
    *cap = ncap;
    return ARC_OK;
}

/* Zones taken in turn, each in file order. */
static arc_status_t build_order(arc_site_table_t *t)
{
    uint32_t next[ARC_ZONE_COUNT] = {0};
    uint32_t k = 0;

    t->order = malloc((size_t)t->count * sizeof(*t->order));
    if (t->order == NULL)
        return ARC_ERR_NOMEM;

    while (k < t->count) {
        for (int z = 0; z < ARC_ZONE_COUNT; z++) {
            while (next[z] < t->count &&
                   (int)t->sites[next[z]].zone != z)
                next[z]++;
            if (next[z] < t->count)
                t->order[k++] = next[z]++;
        }
    }
    return ARC_OK;
}

static arc_status_t parse_rows(parser_t *ps, arc_site_table_t *t)
{
    char fields[FIELD_COUNT][FIELD_MAX];
    const char *s;
    size_t n;
    bool seen_header = false;
    uint32_t cap = 0;
    arc_status_t st = ARC_OK;

    while (st == ARC_OK && next_line(ps, &s, &n)) {
        if (skip_line(s, n))
            continue;
        if (!seen_header) {
            seen_header = true;
            if (n != sizeof(header) - 1 || memcmp(s, header, n) != 0)
                st = fail(ps, "expected the header", header);
            continue;
        }
        if (t->count == cap && (st = grow(t, &cap)) != ARC_OK)
            break;
        st = split(ps, s, n, fields);
        if (st == ARC_OK)
            st = parse_site(ps, fields, &t->sites[t->count]);
        if (st == ARC_OK)
            t->zone_count[t->sites[t->count++].zone]++;
    }
    if (st == ARC_OK && !seen_header)
        st = fail(ps, "no header", NULL);
    return st;
}

static arc_status_t check_unique(parser_t *ps, const arc_site_table_t *t)
{
    for (int z = 0; z < ARC_ZONE_COUNT; z++) {
        if (t->zone_count[z] == 0)
            return fail(ps, "no site in zone", arc_zone_name(z));
    }
    /* Quadratic, but the table has hundreds of rows, not millions. */
    for (uint32_t i = 0; i < t->count; i++) {
        for (uint32_t j = i + 1; j < t->count; j++) {
            if (strcmp(t->sites[i].id, t->sites[j].id) == 0)
                return fail(ps, "duplicate id", t->sites[j].id);
        }
    }
    return ARC_OK;
}

arc_status_t arc_sites_parse(const char *buf, size_t len,
                             arc_site_table_t **out, char *err,
                             size_t err_len)
{
    parser_t ps = {buf, buf + len, 0, err, err_len};
    arc_site_table_t *t;
    arc_status_t st;

    if (out == NULL || (buf == NULL && len > 0))
        return ARC_ERR_INVALID;
    *out = NULL;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return ARC_ERR_NOMEM;

    st = parse_rows(&ps, t);
    if (st == ARC_OK)
        st = check_unique(&ps, t);
    if (st == ARC_OK)
        st = build_order(t);

    if (st != ARC_OK) {
        if (st == ARC_ERR_NOMEM && err != NULL && err_len > 0)
            snprintf(err, err_len, "out of memory");
        arc_sites_free(t);
        return st;
    }
    *out = t;
    return ARC_OK;
}

arc_status_t arc_sites_load_default(arc_site_table_t **out)
{
    size_t len;
    const char *csv = arc_sites_default_csv(&len);

    return arc_sites_parse(csv, len, out, NULL, 0);
}

void arc_sites_free(arc_site_table_t *table)
{
    if (table == NULL)
        return;
    free(table->sites);
    free(table->order);
    free(table);
}

arc_status_t arc_sites_place(const arc_site_table_t *table, uint64_t k,
                             arc_site_place_t *out)
{
    const arc_site_t *s;
    uint64_t replica;
    int n;

    if (table == NULL || table->count == 0 || out == NULL)
        return ARC_ERR_INVALID;
    out->site = table->order[k % table->count];
    replica = k / table->count + 1;
    if (replica > UINT32_MAX)
        return ARC_ERR_INVALID;
    out->replica = (uint32_t)replica;
    s = &table->sites[out->site];

    out->lat = s->lat;
    out->lon = s->lon;
    if (replica > 1) {
        double lat = s->lat + (arc_rng_hash_double(k, 1, 0) - 0.5) *
                                  2.0 * JITTER_DEG;
        double lon = s->lon + (arc_rng_hash_double(k, 2, 0) - 0.5) *
                                  2.0 * JITTER_DEG;
        out->lat = fmax(-90.0, fmin(90.0, lat));
        if (arc_geo_zone_of(out->lat, lon) == s->zone && lon >= -180.0 &&
            lon <= 180.0)
            out->lon = lon;
    }

    n = snprintf(out->id, sizeof(out->id), "%s-%02u", s->id, out->replica);
    return n > 0 && (size_t)n < sizeof(out->id) ? ARC_OK : ARC_ERR_INVALID;
}

uint32_t arc_sites_gpus(const arc_site_t *site, uint32_t gpus_per_site)
{
    return gpus_per_site ? gpus_per_site : site->gpus;
}

/* Every model that fits; the largest only on every third site. */
static uint32_t site_models(uint32_t site, uint32_t gpus)
{
    uint32_t mask = 0;

    for (uint32_t m = 0; m < arc_model_count() && m < 32; m++) {
        const arc_model_t *model = arc_model_get(m);
        if (model->gpus > gpus)
            continue;
        if (model->gpus >= 8 && site % 3 != 0)
            continue;
        mask |= 1u << m;
    }
    return mask;
}

static void fill_node(arc_node_t *n, const arc_site_t *s,
                      const arc_site_place_t *pl, uint32_t gpus,
                      int64_t now_us)
{
    memset(n, 0, sizeof(*n));
    memcpy(n->id, pl->id, sizeof(n->id));
    n->site = s->name;
    n->lat = pl->lat;
    n->lon = pl->lon;
    n->models = site_models(pl->site, gpus);
    n->gpus_total = (uint16_t)gpus;
    n->gpus_free = (uint16_t)gpus;
    n->battery_kwh = (float)(s->battery_kwh * gpus / s->gpus);
    n->battery_soc = n->battery_kwh > 0 ? INITIAL_SOC : 0.0f;
    n->battery_reserve = BATTERY_RESERVE;
    n->carbon_g_per_kwh = (float)s->grid_g_per_kwh;
    n->zone = (uint8_t)s->zone;
    n->status = ARC_NODE_UP;
    n->energy_source = ARC_SOURCE_GRID;
    n->last_heartbeat_us = now_us;
}

arc_status_t arc_sites_add_nodes(arc_mesh_t *mesh,
                                 const arc_site_table_t *table,
                                 uint32_t count, uint32_t gpus_per_site,
                                 int64_t now_us, uint32_t *site_of_node)
{
    arc_site_place_t pl;
    arc_node_t node;
    uint32_t index;
    arc_status_t st = ARC_OK;

    if (mesh == NULL || table == NULL || gpus_per_site > 65535)
        return ARC_ERR_INVALID;

    for (uint32_t k = 0; k < count && st == ARC_OK; k++) {
        st = arc_sites_place(table, k, &pl);
        if (st != ARC_OK)
            break;
        fill_node(&node, &table->sites[pl.site], &pl,
                  arc_sites_gpus(&table->sites[pl.site], gpus_per_site),
                  now_us);
        st = arc_mesh_add(mesh, &node, &index);
        if (st == ARC_OK && site_of_node != NULL)
            site_of_node[k] = pl.site;
    }
    return st;
}
