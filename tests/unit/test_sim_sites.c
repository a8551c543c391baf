/*
 * test_sim_sites.c - the site table: the embedded copy matches
 * data/sites.csv, every row is a real place in its zone, the parser
 * names the bad line, and any node count places balanced, unique nodes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"
#include "sim/sites.h"
#include "state/mesh.h"

#define HEADER \
    "id,zone,site,lat,lon,grid_region,solar_kw,wind_kw,gas_kw," \
    "battery_kwh,gpus\n"
#define ROWS \
    "w-a,west,A,33.4,-112.0,AZNM,100,0,0,100,8\n" \
    "c-b,central,B,32.7,-96.8,ERCT,0,100,0,100,8\n" \
    "e-c,east,C,40.7,-74.0,NYCW,0,0,100,0,8\n"

static arc_site_table_t *parse_ok(const char *text)
{
    arc_site_table_t *t = NULL;
    char err[128] = "";

    assert_int_equal(arc_sites_parse(text, strlen(text), &t, err,
                                     sizeof(err)),
                     ARC_OK);
    return t;
}

static void expect_error(const char *text, const char *needle)
{
    arc_site_table_t *t = NULL;
    char err[160] = "";

    assert_int_equal(arc_sites_parse(text, strlen(text), &t, err,
                                     sizeof(err)),
                     ARC_ERR_INVALID);
    assert_null(t);
    if (strstr(err, needle) == NULL)
        fail_msg("error '%s' lacks '%s'", err, needle);
}

static void embedded_table_matches_the_data_file(void **state)
{
    size_t len, got;
    const char *csv = arc_sites_default_csv(&len);
    FILE *f = fopen("data/sites.csv", "rb");
    char *buf = malloc(len + 2);

    (void)state;
    assert_non_null(f);
    assert_non_null(buf);
    got = fread(buf, 1, len + 1, f);
    fclose(f);
    assert_int_equal(got, len);
    assert_memory_equal(buf, csv, len);
    free(buf);
}

static void default_table_has_fifty_real_sites_per_zone(void **state)
{
    arc_site_table_t *t = NULL;

    (void)state;
    assert_int_equal(arc_sites_load_default(&t), ARC_OK);
    assert_true(t->count >= 150);
    for (int z = 0; z < ARC_ZONE_COUNT; z++)
        assert_true(t->zone_count[z] >= 50);
    for (uint32_t i = 0; i < t->count; i++) {
        const arc_site_t *s = &t->sites[i];
        assert_true(s->lat > 24.0 && s->lat < 49.5); /* contiguous US */
        assert_true(s->lon > -125.0 && s->lon < -66.0);
        assert_int_equal(arc_geo_zone_of(s->lat, s->lon), s->zone);
        assert_true(s->grid_g_per_kwh > 50.0);
        assert_true(s->gpus > 0);
    }
    arc_sites_free(t);
}

static void bad_number_names_its_line(void **state)
{
    (void)state;
    expect_error("# comment\n" HEADER ROWS
                 "w-d,west,D,abc,-112.0,AZNM,1,0,0,0,8\n",
                 "line 6: bad number 'abc'");
}

static void wrong_zone_names_its_line(void **state)
{
    (void)state;
    expect_error(HEADER "w-a,east,A,33.4,-112.0,AZNM,1,0,0,0,8\n",
                 "line 2: longitude is outside the zone");
}

static void parser_rejects_malformed_input(void **state)
{
    (void)state;
    expect_error("", "line 0: no header");
    expect_error("id,zone\n", "line 1: expected the header");
    expect_error(HEADER "w-a,west,A,33.4\n", "line 2: expected 11 fields");
    expect_error(HEADER "w-a,west,A,33.4,-112,AZNM,1,0,0,0,8,9\n",
                 "line 2: too many fields");
    expect_error(HEADER "W A,west,A,33.4,-112,AZNM,1,0,0,0,8\n",
                 "line 2: bad id");
    expect_error(HEADER "w-a,west,A,33.4,-112,XXXX,1,0,0,0,8\n",
                 "line 2: unknown eGRID subregion");
    expect_error(HEADER "w-a,west,A,33.4,-112,AZNM,1,0,0,0,8.5\n",
                 "line 2: gpus must be a whole number");
    expect_error(HEADER ROWS "w-a,west,A,33.4,-112,AZNM,1,0,0,0,8\n",
                 "line 5: duplicate id");
    expect_error(HEADER "w-a,west,A,33.4,-112,AZNM,1,0,0,0,8\n",
                 "no site in zone");
}

static void parser_never_reads_past_the_length(void **state)
{
    const char *text = HEADER ROWS;
    size_t len = strlen(text);

    (void)state;
    /* Every prefix is either a table or a clean error. */
    for (size_t n = 0; n <= len; n++) {
        char *copy = malloc(n ? n : 1);
        arc_site_table_t *t = NULL;
        arc_status_t st;

        assert_non_null(copy);
        memcpy(copy, text, n);
        st = arc_sites_parse(copy, n, &t, NULL, 0);
        assert_true(st == ARC_OK || st == ARC_ERR_INVALID);
        assert_true((st == ARC_OK) == (t != NULL));
        arc_sites_free(t);
        free(copy);
    }
}

static void crlf_lines_parse(void **state)
{
    arc_site_table_t *t;

    (void)state;
    t = parse_ok("id,zone,site,lat,lon,grid_region,solar_kw,wind_kw,gas_kw,"
                 "battery_kwh,gpus\r\n"
                 "w-a,west,A,33.4,-112.0,AZNM,100,0,0,100,8\r\n"
                 "c-b,central,B,32.7,-96.8,ERCT,0,100,0,100,8\r\n"
                 "e-c,east,C,40.7,-74.0,NYCW,0,0,100,0,8\r\n");
    assert_int_equal(t->count, 3);
    assert_string_equal(t->sites[2].grid_region, "NYCW");
    arc_sites_free(t);
}

/* Adds n nodes to a fresh mesh and checks ids, zones and balance. */
static void check_nodes(const arc_site_table_t *t, uint32_t n)
{
    arc_mesh_t *mesh = arc_mesh_new();
    uint32_t per_zone[ARC_ZONE_COUNT] = {0};

    assert_non_null(mesh);
    assert_int_equal(arc_sites_add_nodes(mesh, t, n, 4, 0, NULL), ARC_OK);
    assert_int_equal(arc_mesh_count(mesh), n);
    for (uint32_t i = 0; i < n; i++) {
        const arc_node_t *node = arc_mesh_node(mesh, i);
        uint32_t found;
        assert_int_equal(arc_geo_zone_of(node->lat, node->lon), node->zone);
        assert_int_equal(arc_mesh_find(mesh, node->id, &found), ARC_OK);
        assert_int_equal(found, i); /* ids are unique */
        assert_int_equal(node->gpus_total, 4);
        per_zone[node->zone]++;
    }
    for (int z = 0; z < ARC_ZONE_COUNT; z++)
        assert_true(per_zone[z] + 1 >= n / 3 && per_zone[z] <= n / 3 + 1);
    arc_mesh_free(mesh);
}

static void node_counts_are_balanced_and_unique(void **state)
{
    arc_site_table_t *t = NULL;

    (void)state;
    assert_int_equal(arc_sites_load_default(&t), ARC_OK);
    check_nodes(t, 7);
    check_nodes(t, 150);
    check_nodes(t, t->count);
    check_nodes(t, 5000);
    arc_sites_free(t);
}

static void replicas_are_jittered_and_numbered(void **state)
{
    arc_site_table_t *t = NULL;
    arc_site_place_t a, b, far;

    (void)state;
    assert_int_equal(arc_sites_load_default(&t), ARC_OK);
    assert_int_equal(arc_sites_place(t, 0, &a), ARC_OK);
    assert_int_equal(arc_sites_place(t, t->count, &b), ARC_OK);
    assert_int_equal(arc_sites_place(t, 999999, &far), ARC_OK);
    assert_int_equal(a.site, b.site);
    assert_string_equal(a.id, "w-phoenix-01");
    assert_string_equal(b.id, "w-phoenix-02");
    assert_true(a.lat != b.lat);
    assert_true(arc_geo_distance_km(a.lat, a.lon, b.lat, b.lon) < 60.0);
    assert_true(strlen(far.id) < ARC_NODE_ID_MAX);
    arc_sites_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(embedded_table_matches_the_data_file),
        cmocka_unit_test(default_table_has_fifty_real_sites_per_zone),
        cmocka_unit_test(bad_number_names_its_line),
        cmocka_unit_test(wrong_zone_names_its_line),
        cmocka_unit_test(parser_rejects_malformed_input),
        cmocka_unit_test(parser_never_reads_past_the_length),
        cmocka_unit_test(crlf_lines_parse),
        cmocka_unit_test(node_counts_are_balanced_and_unique),
        cmocka_unit_test(replicas_are_jittered_and_numbered),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
