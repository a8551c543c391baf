/*
 * test_api_request.c - checks on request bodies and node filters: each
 * kind of bad input maps to its HTTP status and error code, good input
 * to the right values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/request.h"

static arc_status_t route(const char *body, bool inference,
                          arc_route_body_t *out, arc_api_error_t *err)
{
    return arc_api_parse_route_body(body, strlen(body), inference,
                                    ARC_POLICY_ARCNET, out, err);
}

static void expect_error(const char *body, bool inference, int http,
                         const char *code)
{
    arc_route_body_t out;
    arc_api_error_t err = {0};

    assert_int_equal(route(body, inference, &out, &err), ARC_ERR_INVALID);
    assert_int_equal(err.http, http);
    assert_string_equal(err.code, code);
    assert_true(err.message[0] != '\0');
}

#define GOOD_ORIGIN "\"origin\":{\"lat\":45.5,\"lon\":-122.6}"

static void accepts_a_full_route_body(void **state)
{
    const char *b = "{\"model\":\"mistral-7b\",\"priority\":\"critical\","
                    GOOD_ORIGIN ",\"policy\":\"greenest\","
                    "\"max_tokens\":64,\"extra\":[1,2]}";
    arc_route_body_t out;
    arc_api_error_t err;
    uint32_t model;

    (void)state;
    assert_int_equal(route(b, false, &out, &err), ARC_OK);
    assert_int_equal(arc_model_find("mistral-7b", &model), ARC_OK);
    assert_int_equal(out.req.model, model);
    assert_int_equal(out.req.priority, ARC_PRIO_CRITICAL);
    assert_true(out.req.lat == 45.5 && out.req.lon == -122.6);
    assert_int_equal(out.policy, ARC_POLICY_GREENEST);
    assert_int_equal(out.req.tokens, 64);
}

static void defaults_priority_policy_and_tokens(void **state)
{
    const char *b = "{\"model\":\"mistral-7b\"," GOOD_ORIGIN "}";
    arc_route_body_t out;
    arc_api_error_t err;

    (void)state;
    assert_int_equal(route(b, false, &out, &err), ARC_OK);
    assert_int_equal(out.req.priority, ARC_PRIO_NORMAL);
    assert_int_equal(out.policy, ARC_POLICY_ARCNET);
    assert_int_equal(out.req.tokens, ARC_API_TOKENS_DEFAULT);
}

static void counts_input_bytes_and_characters(void **state)
{
    const char *b = "{\"model\":\"mistral-7b\"," GOOD_ORIGIN
                    ",\"input\":\"h\\u00e9llo\"}";
    arc_route_body_t out;
    arc_api_error_t err;

    (void)state;
    assert_int_equal(route(b, true, &out, &err), ARC_OK);
    assert_int_equal(out.input_bytes, 6);
    assert_int_equal(out.input_chars, 5);
}

static void malformed_json_is_400(void **state)
{
    (void)state;
    expect_error("{\"model\":", false, 400, "invalid-json");
    expect_error("", false, 400, "invalid-json");
    expect_error("[1,2]", false, 400, "invalid-json");
    expect_error("\"x\"", false, 400, "invalid-json");
}

static void missing_model_is_400(void **state)
{
    (void)state;
    expect_error("{" GOOD_ORIGIN "}", false, 400, "missing-field");
}

static void wrong_types_are_400(void **state)
{
    (void)state;
    expect_error("{\"model\":7," GOOD_ORIGIN "}", false, 400,
                 "invalid-field");
    expect_error("{\"model\":\"mistral-7b\",\"origin\":[1,2]}", false, 400,
                 "invalid-field");
    expect_error("{\"model\":\"mistral-7b\",\"origin\":{\"lat\":\"1\","
                 "\"lon\":2}}", false, 400, "invalid-field");
    expect_error("{\"model\":\"mistral-7b\",\"priority\":1," GOOD_ORIGIN "}",
                 false, 400, "invalid-field");
    expect_error("{\"model\":\"mistral-7b\"," GOOD_ORIGIN
                 ",\"input\":42}", true, 400, "invalid-field");
}

static void out_of_range_origin_is_400(void **state)
{
    (void)state;
    expect_error("{\"model\":\"mistral-7b\",\"origin\":{\"lat\":91,"
                 "\"lon\":0}}", false, 400, "invalid-origin");
    expect_error("{\"model\":\"mistral-7b\",\"origin\":{\"lat\":0,"
                 "\"lon\":-180.5}}", false, 400, "invalid-origin");
    expect_error("{\"model\":\"mistral-7b\",\"origin\":{\"lat\":0}}", false,
                 400, "missing-field");
}

static void unknown_names_are_400(void **state)
{
    (void)state;
    expect_error("{\"model\":\"gpt-9\"," GOOD_ORIGIN "}", false, 400,
                 "unknown-model");
    expect_error("{\"model\":\"mistral-7b\",\"priority\":\"urgent\","
                 GOOD_ORIGIN "}", false, 400, "unknown-priority");
    expect_error("{\"model\":\"mistral-7b\",\"policy\":\"random\","
                 GOOD_ORIGIN "}", false, 400, "unknown-policy");
}

static void bad_max_tokens_is_400(void **state)
{
    (void)state;
    expect_error("{\"model\":\"mistral-7b\"," GOOD_ORIGIN
                 ",\"max_tokens\":0}", false, 400, "invalid-field");
    expect_error("{\"model\":\"mistral-7b\"," GOOD_ORIGIN
                 ",\"max_tokens\":1.5}", false, 400, "invalid-field");
}

static void inference_needs_input(void **state)
{
    (void)state;
    expect_error("{\"model\":\"mistral-7b\"," GOOD_ORIGIN "}", true, 400,
                 "missing-field");
}

static void body_over_limit_is_413(void **state)
{
    arc_route_body_t out;
    arc_api_error_t err;
    size_t n = ARC_API_BODY_MAX + 1;
    char *big = malloc(n);

    (void)state;
    assert_non_null(big);
    memset(big, ' ', n);
    assert_int_equal(arc_api_parse_route_body(big, n, false,
                                              ARC_POLICY_ARCNET, &out,
                                              &err),
                     ARC_ERR_INVALID);
    assert_int_equal(err.http, 413);
    free(big);
}

static arc_status_t filter(const char *qs, arc_node_filter_t *f,
                           arc_api_error_t *err)
{
    arc_query_t q;

    arc_query_init(&q);
    assert_int_equal(arc_query_parse(&q, qs, strlen(qs)), ARC_OK);
    return arc_api_parse_node_filter(&q, f, err);
}

static void node_filter_reads_each_field(void **state)
{
    arc_node_filter_t f;
    arc_api_error_t err;
    arc_node_t n;

    (void)state;
    assert_int_equal(filter("zone=east&status=up&energy_source=cogen-wind", &f,
                            &err),
                     ARC_OK);
    assert_int_equal(f.zone, ARC_ZONE_EAST);
    assert_int_equal(f.status, ARC_NODE_UP);
    assert_int_equal(f.model, -1);
    memset(&n, 0, sizeof(n));
    n.zone = ARC_ZONE_EAST;
    n.energy_source = ARC_SOURCE_WIND;
    assert_true(arc_api_node_matches(&f, &n));
    n.zone = ARC_ZONE_WEST;
    assert_false(arc_api_node_matches(&f, &n));
}

static void node_filter_matches_loaded_models(void **state)
{
    arc_node_filter_t f;
    arc_api_error_t err;
    arc_node_t n;
    uint32_t id;

    (void)state;
    assert_int_equal(filter("model=mixtral-8x7b", &f, &err), ARC_OK);
    assert_int_equal(arc_model_find("mixtral-8x7b", &id), ARC_OK);
    memset(&n, 0, sizeof(n));
    assert_false(arc_api_node_matches(&f, &n));
    n.models = 1u << id;
    assert_true(arc_api_node_matches(&f, &n));
}

static void node_filter_refuses_unknown_values_and_names(void **state)
{
    arc_node_filter_t f;
    arc_api_error_t err;

    (void)state;
    assert_int_equal(filter("zone=north", &f, &err), ARC_ERR_INVALID);
    assert_string_equal(err.code, "invalid-parameter");
    assert_int_equal(filter("energy_source=coal", &f, &err),
                     ARC_ERR_INVALID);
    assert_int_equal(filter("colour=red", &f, &err), ARC_ERR_INVALID);
    assert_string_equal(err.code, "unknown-parameter");
}

static void parses_bounded_integers(void **state)
{
    long long v = 0;

    (void)state;
    assert_int_equal(arc_api_parse_int("42", 0, 100, &v), ARC_OK);
    assert_int_equal(v, 42);
    assert_int_equal(arc_api_parse_int("101", 0, 100, &v), ARC_ERR_INVALID);
    assert_int_equal(arc_api_parse_int("-1", 0, 100, &v), ARC_ERR_INVALID);
    assert_int_equal(arc_api_parse_int("4x", 0, 100, &v), ARC_ERR_INVALID);
    assert_int_equal(arc_api_parse_int("", 0, 100, &v), ARC_ERR_INVALID);
    assert_int_equal(arc_api_parse_int("99999999999999999999", 0, 100, &v),
                     ARC_ERR_INVALID);
}

static void resolves_each_endpoint(void **state)
{
    arc_endpoint_match_t m;
    arc_api_error_t err;

    (void)state;
    assert_int_equal(arc_api_resolve("GET", "/healthz", &m, &err), ARC_OK);
    assert_int_equal(m.endpoint, ARC_EP_HEALTHZ);
    assert_false(m.needs_token);
    assert_int_equal(arc_api_resolve("GET", "/v1/nodes", &m, &err), ARC_OK);
    assert_int_equal(m.endpoint, ARC_EP_NODES);
    assert_true(m.needs_token);
    assert_int_equal(arc_api_resolve("POST", "/v1/route", &m, &err),
                     ARC_OK);
    assert_false(m.changes);
    assert_int_equal(arc_api_resolve("POST", "/v1/inference", &m, &err),
                     ARC_OK);
    assert_true(m.changes);
    assert_int_equal(arc_api_resolve("GET", "/v1/stats", &m, &err), ARC_OK);
    assert_int_equal(m.endpoint, ARC_EP_STATS);
    assert_true(m.needs_token);
    assert_false(m.changes);
}

static void resolves_node_paths_with_their_id(void **state)
{
    arc_endpoint_match_t m;
    arc_api_error_t err;

    (void)state;
    assert_int_equal(arc_api_resolve("GET", "/v1/nodes/west-a-01", &m, &err),
                     ARC_OK);
    assert_int_equal(m.endpoint, ARC_EP_NODE);
    assert_string_equal(m.node_id, "west-a-01");
    assert_int_equal(arc_api_resolve("POST", "/v1/nodes/x/drain", &m, &err),
                     ARC_OK);
    assert_int_equal(m.endpoint, ARC_EP_DRAIN);
    assert_true(m.changes);
    assert_int_equal(arc_api_resolve("POST", "/v1/nodes/x/undrain", &m,
                                     &err),
                     ARC_OK);
    assert_int_equal(m.endpoint, ARC_EP_UNDRAIN);
}

static void unknown_path_is_404(void **state)
{
    const char *bad[] = {"/", "/v1", "/v1/nodes/", "/v1/nodes/x/y",
                         "/v1/nodes/x/drain/", "/v2/nodes",
                         "/v1/nodes/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    arc_endpoint_match_t m;
    arc_api_error_t err;

    (void)state;
    for (size_t i = 0; i < ARC_ARRAY_LEN(bad); i++) {
        assert_int_equal(arc_api_resolve("GET", bad[i], &m, &err),
                         ARC_ERR_INVALID);
        assert_int_equal(err.http, 404);
    }
}

static void wrong_method_is_405_with_allow(void **state)
{
    arc_endpoint_match_t m;
    arc_api_error_t err;

    (void)state;
    assert_int_equal(arc_api_resolve("POST", "/v1/nodes", &m, &err),
                     ARC_ERR_INVALID);
    assert_int_equal(err.http, 405);
    assert_string_equal(m.allow, "GET");
    assert_string_equal(err.allow, "GET");
    assert_int_equal(arc_api_resolve("GET", "/v1/route", &m, &err),
                     ARC_ERR_INVALID);
    assert_int_equal(err.http, 405);
    assert_string_equal(m.allow, "POST");
    assert_int_equal(arc_api_resolve("DELETE", "/v1/nodes/x", &m, &err),
                     ARC_ERR_INVALID);
    assert_int_equal(err.http, 405);
}

static arc_status_t events(const char *qs, arc_event_filter_t *f,
                           arc_query_t *q, arc_api_error_t *err)
{
    arc_query_init(q);
    assert_int_equal(arc_query_parse(q, qs, strlen(qs)), ARC_OK);
    return arc_api_parse_event_filter(q, f, err);
}

static void event_filter_reads_lists_and_numbers(void **state)
{
    arc_event_filter_t f;
    arc_api_error_t err;
    arc_query_t q;

    (void)state;
    assert_int_equal(events("type=node-down,battery-low&zone=west,east"
                            "&severity=warning&q=port&since=7&limit=5",
                            &f, &q, &err),
                     ARC_OK);
    assert_int_equal(f.type_mask, (1u << ARC_EVENT_NODE_DOWN) |
                                      (1u << ARC_EVENT_BATTERY_LOW));
    assert_int_equal(f.zone_mask,
                     (1u << ARC_ZONE_WEST) | (1u << ARC_ZONE_EAST));
    assert_int_equal(f.severity_mask,
                     arc_severity_mask_at_least(ARC_SEV_WARNING));
    assert_string_equal(f.q, "port");
    assert_int_equal(f.since, 7);
    assert_int_equal(f.limit, 5);
}

static void event_filter_defaults_its_limit(void **state)
{
    arc_event_filter_t f;
    arc_api_error_t err;
    arc_query_t q;

    (void)state;
    assert_int_equal(events("", &f, &q, &err), ARC_OK);
    assert_int_equal(f.limit, ARC_API_EVENTS_DEFAULT);
    assert_int_equal(f.type_mask, 0);
}

static void event_filter_refuses_bad_values(void **state)
{
    const char *bad[] = {"type=node-exploded", "zone=west,,east",
                         "severity=loud", "since=-1", "limit=0",
                         "limit=1001", "limit=ten", "order=asc"};
    arc_event_filter_t f;
    arc_api_error_t err;
    arc_query_t q;

    (void)state;
    for (size_t i = 0; i < ARC_ARRAY_LEN(bad); i++) {
        assert_int_equal(events(bad[i], &f, &q, &err), ARC_ERR_INVALID);
        assert_int_equal(err.http, 400);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_a_full_route_body),
        cmocka_unit_test(defaults_priority_policy_and_tokens),
        cmocka_unit_test(counts_input_bytes_and_characters),
        cmocka_unit_test(malformed_json_is_400),
        cmocka_unit_test(missing_model_is_400),
        cmocka_unit_test(wrong_types_are_400),
        cmocka_unit_test(out_of_range_origin_is_400),
        cmocka_unit_test(unknown_names_are_400),
        cmocka_unit_test(bad_max_tokens_is_400),
        cmocka_unit_test(inference_needs_input),
        cmocka_unit_test(body_over_limit_is_413),
        cmocka_unit_test(node_filter_reads_each_field),
        cmocka_unit_test(node_filter_matches_loaded_models),
        cmocka_unit_test(node_filter_refuses_unknown_values_and_names),
        cmocka_unit_test(parses_bounded_integers),
        cmocka_unit_test(resolves_each_endpoint),
        cmocka_unit_test(resolves_node_paths_with_their_id),
        cmocka_unit_test(unknown_path_is_404),
        cmocka_unit_test(wrong_method_is_405_with_allow),
        cmocka_unit_test(event_filter_reads_lists_and_numbers),
        cmocka_unit_test(event_filter_defaults_its_limit),
        cmocka_unit_test(event_filter_refuses_bad_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
