/*
 * test_api_inference.c - how an engine outcome becomes the answer to
 * POST /v1/inference: the receipt and its headers, 429 with a
 * Retry-After in real seconds, 503 with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "api/internal.h"

typedef struct fixture {
    arc_session_t s;
    arc_request_t req;
    arc_outcome_t o;
} fixture_t;

static fixture_t fx;

static int setup(void **state)
{
    (void)state;
    memset(&fx, 0, sizeof(fx));
    arc_jw_init(&fx.s.reply, ARC_API_HEADROOM);
    assert_int_equal(arc_model_find("mistral-7b", &fx.req.model), ARC_OK);
    fx.req.id = 42;
    fx.req.tokens = 64;
    fx.o.finished_us = 1000 * ARC_US_PER_S;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arc_jw_free(&fx.s.reply);
    return 0;
}

static const char *header(const char *name)
{
    for (uint32_t i = 0; i < fx.s.reply_hdr_count; i++) {
        if (strcmp(fx.s.reply_hdr[i].name, name) == 0) {
            return fx.s.reply_hdr[i].value;
        }
    }
    return NULL;
}

static cJSON *reply_json(void)
{
    assert_int_equal(arc_jw_finish(&fx.s.reply), ARC_OK);
    return cJSON_Parse(arc_jw_text(&fx.s.reply));
}

static void served_request_gets_a_receipt_and_headers(void **state)
{
    cJSON *j;

    (void)state;
    fx.o.status = ARC_OK;
    fx.o.node_id = "e-newyork-01";
    fx.o.zone = ARC_ZONE_EAST;
    fx.o.source = ARC_SOURCE_SOLAR;
    fx.o.carbon_g = 0.25;
    fx.o.service_ms = 668;
    arc_api_inference_render(&fx.s, 1.0, &fx.req, &fx.o, 39);
    assert_int_equal(fx.s.reply_status, 200);
    assert_string_equal(header("arcnet-node:"), "e-newyork-01");
    assert_string_equal(header("arcnet-energy-source:"), "cogen-solar");
    assert_string_equal(header("arcnet-carbon-g:"), "0.25");
    j = reply_json();
    assert_string_equal(cJSON_GetObjectItem(j, "zone")->valuestring,
                        "east");
    assert_non_null(strstr(cJSON_GetObjectItem(j, "output")->valuestring,
                           "mistral-7b"));
    assert_non_null(strstr(cJSON_GetObjectItem(j, "output")->valuestring,
                           "39 characters"));
    cJSON_Delete(j);
}

static void full_queue_is_429_with_retry_after_in_real_seconds(void **state)
{
    (void)state;
    fx.o.status = ARC_ERR_FULL;
    fx.o.retry_after_us = fx.o.finished_us + 30 * ARC_US_PER_S;
    arc_api_inference_render(&fx.s, 10.0, &fx.req, &fx.o, 1);
    assert_int_equal(fx.s.reply_status, 429);
    assert_string_equal(header("retry-after:"), "3");
    assert_non_null(strstr(arc_jw_text(&fx.s.reply), "queue-full"));
}

static void retry_after_is_at_least_one_second(void **state)
{
    (void)state;
    fx.o.status = ARC_ERR_FULL;
    fx.o.retry_after_us = fx.o.finished_us + 1000;
    arc_api_inference_render(&fx.s, 1.0, &fx.req, &fx.o, 1);
    assert_string_equal(header("retry-after:"), "1");
}

static void nothing_eligible_is_503_with_the_reason(void **state)
{
    (void)state;
    fx.o.status = ARC_ERR_UNAVAILABLE;
    fx.o.reason = ARC_REASON_NO_MODEL;
    arc_api_inference_render(&fx.s, 1.0, &fx.req, &fx.o, 1);
    assert_int_equal(fx.s.reply_status, 503);
    assert_non_null(strstr(arc_jw_text(&fx.s.reply),
                           arc_reason_text(ARC_REASON_NO_MODEL)));
    assert_null(header("arcnet-node:"));
}

static void refused_request_is_400(void **state)
{
    (void)state;
    fx.o.status = ARC_ERR_INVALID;
    arc_api_inference_render(&fx.s, 1.0, &fx.req, &fx.o, 1);
    assert_int_equal(fx.s.reply_status, 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            served_request_gets_a_receipt_and_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(
            full_queue_is_429_with_retry_after_in_real_seconds, setup,
            teardown),
        cmocka_unit_test_setup_teardown(retry_after_is_at_least_one_second,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            nothing_eligible_is_503_with_the_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_request_is_400, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
