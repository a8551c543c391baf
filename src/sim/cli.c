/*
 * cli.c - option parsing, the runs and the report of `arcnet sim`.
 *
 * One idea: every policy gets an engine built from the same options and
 * seed, so each sees the same mesh, weather, failures and arrivals; only
 * the decisions differ. The JSON is written by a tiny local writer with
 * proper string escaping.
 */
#include "sim/cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"

#define EXIT_USAGE 2

typedef struct sim_opts {
    arc_engine_config_t cfg;
    bool policies[ARC_POLICY_COUNT];
    bool json;
    bool help;
} sim_opts_t;

typedef struct sim_result {
    arc_policy_t policy;
    arc_sim_metrics_t m;
} sim_result_t;

static const char usage[] =
    "usage: arcnet sim [options]\n"
    "Compares routing policies on one seeded simulated mesh and workload.\n"
    "  --hours H        simulated hours (default 24)\n"
    "  --seed S         random seed (default 1)\n"
    "  --nodes N        simulated sites (default 150)\n"
    "  --gpus G         GPUs per site (default 4; 0: each site's own)\n"
    "  --scale X        workload scale, 1 = ~65% peak GPU use (default 1)\n"
    "  --mtbf H         mean hours between node failures (default 720;\n"
    "                   0: no failures)\n"
    "  --mttr H         mean hours to repair (default 2)\n"
    "  --policies LIST  comma list of arcnet, nearest, least-loaded,\n"
    "                   greenest, round-robin (default: all)\n"
    "  --json           print JSON instead of a table\n"
    "  --help           print this help\n";

static int bad(const char *what, const char *value)
{
    fprintf(stderr, "arcnet sim: %s%s%s\n%s", what, value ? ": " : "",
            value ? value : "", "try 'arcnet sim --help'\n");
    return EXIT_USAGE;
}

static bool parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < lo ||
        v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_u64(const char *s, uint64_t hi, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_policies(const char *s, bool out[ARC_POLICY_COUNT])
{
    char buf[256];
    char *save = NULL, *tok;
    size_t n = strlen(s);
    bool any = false;

    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, s, n + 1);
    memset(out, 0, ARC_POLICY_COUNT * sizeof(bool));
    for (tok = strtok_r(buf, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        arc_policy_t p;
        if (arc_policy_parse(tok, &p) != ARC_OK)
            return false;
        out[p] = true;
        any = true;
    }
    return any;
}

/* One option with a value; returns 0 or the exit status. */
static int option(sim_opts_t *o, const char *name, const char *v)
{
    arc_engine_config_t *c = &o->cfg;
    uint64_t u;

    if (strcmp(name, "--hours") == 0)
        return parse_double(v, 0.0, 24.0 * 366, &c->hours) && c->hours > 0
                   ? 0 : bad("bad --hours", v);
    if (strcmp(name, "--seed") == 0)
        return parse_u64(v, UINT64_MAX, &c->seed) ? 0 : bad("bad --seed", v);
    if (strcmp(name, "--nodes") == 0) {
        if (!parse_u64(v, 1000000, &u) || u == 0)
            return bad("bad --nodes (1..1000000)", v);
        c->nodes = (uint32_t)u;
        return 0;
    }
    if (strcmp(name, "--gpus") == 0) {
        if (!parse_u64(v, 65535, &u))
            return bad("bad --gpus (0..65535)", v);
        c->gpus_per_site = (uint32_t)u;
        return 0;
    }
    if (strcmp(name, "--scale") == 0)
        return parse_double(v, 0.0, 100.0, &c->workload_scale)
                   ? 0 : bad("bad --scale", v);
    if (strcmp(name, "--mtbf") == 0)
        return parse_double(v, 0.0, 1e6, &c->mtbf_hours)
                   ? 0 : bad("bad --mtbf", v);
    if (strcmp(name, "--mttr") == 0)
        return parse_double(v, 0.0, 1e6, &c->mttr_hours)
                   ? 0 : bad("bad --mttr", v);
    if (strcmp(name, "--policies") == 0)
        return parse_policies(v, o->policies) ? 0 : bad("bad --policies", v);
    return bad("unknown option", name);
}

static bool takes_value(const char *a)
{
    static const char *const names[] = {
        "--hours", "--seed", "--nodes", "--gpus",
        "--scale", "--mtbf", "--mttr", "--policies",
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(a, names[i]) == 0)
            return true;
    }
    return false;
}

static int parse(int argc, char **argv, sim_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    arc_engine_config_default(&o->cfg);
    for (int p = 0; p < ARC_POLICY_COUNT; p++)
        o->policies[p] = true;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int st;
        if (strcmp(a, "--json") == 0) {
            o->json = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help = true;
        } else if (!takes_value(a)) {
            return bad(strncmp(a, "-", 1) == 0 ? "unknown option"
                                               : "unexpected argument",
                       a);
        } else if (i + 1 >= argc) {
            return bad("missing value for", a);
        } else if ((st = option(o, a, argv[++i])) != 0) {
            return st;
        }
    }
    return 0;
}

/* ---- report ----------------------------------------------------------- */

static double share(const arc_sim_metrics_t *m, int which)
{
    double cogen = m->energy_kwh_by_source[ARC_SOURCE_SOLAR] +
                   m->energy_kwh_by_source[ARC_SOURCE_WIND] +
                   m->energy_kwh_by_source[ARC_SOURCE_GAS];
    double part = which == 0 ? cogen
                  : which == 1 ? m->energy_kwh_by_source[ARC_SOURCE_BATTERY]
                               : m->energy_kwh_by_source[ARC_SOURCE_GRID];

    return m->energy_kwh > 0.0 ? 100.0 * part / m->energy_kwh : 0.0;
}

static double per_request(const arc_sim_metrics_t *m)
{
    return m->served ? m->co2_g / (double)m->served : 0.0;
}

static void print_table(FILE *out, const sim_opts_t *o,
                        const sim_result_t *r, int n)
{
    fprintf(out, "arcnet sim: %u nodes, %g h, seed %llu\n\n",
            o->cfg.nodes, o->cfg.hours, (unsigned long long)o->cfg.seed);
    fprintf(out, "%-12s %9s %8s %8s %8s %9s %8s %6s %6s %6s %5s %s\n",
            "policy", "served", "rejected", "deferred", "p50 ms", "p99 ms",
            "gCO2/req", "cogen%", "batt%", "grid%", "depl",
            "SLO miss c/n/b");
    for (int i = 0; i < n; i++) {
        const arc_sim_metrics_t *m = &r[i].m;
        fprintf(out,
                "%-12s %9llu %8llu %8llu %8.0f %9.0f %8.2f %6.1f %6.1f "
                "%6.1f %5llu %llu/%llu/%llu\n",
                arc_policy_name(r[i].policy),
                (unsigned long long)m->served,
                (unsigned long long)m->rejected,
                (unsigned long long)m->deferred, m->p50_ms, m->p99_ms,
                per_request(m), share(m, 0), share(m, 1), share(m, 2),
                (unsigned long long)m->battery_depletions,
                (unsigned long long)m->slo_miss[ARC_PRIO_CRITICAL],
                (unsigned long long)m->slo_miss[ARC_PRIO_NORMAL],
                (unsigned long long)m->slo_miss[ARC_PRIO_BACKGROUND]);
    }
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void json_result(FILE *out, const sim_result_t *r)
{
    const arc_sim_metrics_t *m = &r->m;

    fputs("{\"policy\":", out);
    json_string(out, arc_policy_name(r->policy));
    fprintf(out,
            ",\"served\":%llu,\"rejected\":%llu,\"deferred\":%llu,"
            "\"expired\":%llu,\"unfinished\":%llu,\"failed\":%llu,"
            "\"retried\":%llu,\"node_failures\":%llu,",
            (unsigned long long)m->served, (unsigned long long)m->rejected,
            (unsigned long long)m->deferred, (unsigned long long)m->expired,
            (unsigned long long)m->unfinished,
            (unsigned long long)m->failed, (unsigned long long)m->retried,
            (unsigned long long)m->node_failures);
    fprintf(out, "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"co2_g_per_request\":%.4f,",
            m->p50_ms, m->p99_ms, per_request(m));
    fprintf(out,
            "\"energy_share\":{\"cogen\":%.4f,\"battery\":%.4f,"
            "\"grid\":%.4f},",
            share(m, 0) / 100.0, share(m, 1) / 100.0, share(m, 2) / 100.0);
    fprintf(out,
            "\"battery_depletions\":%llu,\"slo_misses\":{\"critical\":%llu,"
            "\"normal\":%llu,\"background\":%llu}}",
            (unsigned long long)m->battery_depletions,
            (unsigned long long)m->slo_miss[ARC_PRIO_CRITICAL],
            (unsigned long long)m->slo_miss[ARC_PRIO_NORMAL],
            (unsigned long long)m->slo_miss[ARC_PRIO_BACKGROUND]);
}

static void print_json(FILE *out, const sim_result_t *r, int n)
{
    fputs("{\"policies\":[", out);
    for (int i = 0; i < n; i++) {
        if (i > 0)
            fputc(',', out);
        json_result(out, &r[i]);
    }
    fputs("]}\n", out);
}

/* ---- runs ------------------------------------------------------------- */

static arc_status_t run_policy(const sim_opts_t *o, arc_policy_t p,
                               sim_result_t *r)
{
    arc_engine_config_t cfg = o->cfg;
    arc_engine_t *e = NULL;
    arc_status_t st;

    cfg.policy = p;
    st = arc_engine_new(&cfg, NULL, &e);
    if (st == ARC_OK)
        st = arc_engine_run(e);
    if (st == ARC_OK) {
        r->policy = p;
        r->m = *arc_engine_metrics(e);
    }
    arc_engine_free(e);
    return st;
}

int arc_sim_cli(int argc, char **argv, FILE *out)
{
    sim_opts_t o;
    sim_result_t results[ARC_POLICY_COUNT];
    int n = 0, st = parse(argc, argv, &o);

    if (st != 0)
        return st;
    if (o.help) {
        fputs(usage, out);
        return 0;
    }

    for (int p = 0; p < ARC_POLICY_COUNT; p++) {
        arc_status_t rs;
        if (!o.policies[p])
            continue;
        rs = run_policy(&o, (arc_policy_t)p, &results[n]);
        if (rs != ARC_OK) {
            fprintf(stderr, "arcnet sim: policy %s failed: %s\n",
                    arc_policy_name((arc_policy_t)p), arc_status_name(rs));
            return 1;
        }
        n++;
    }
    if (o.json)
        print_json(out, results, n);
    else
        print_table(out, &o, results, n);
    return 0;
}
