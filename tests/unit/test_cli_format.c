/*
 * test_cli_format.c - human output of `arcnet`: tables from the
 * daemon's JSON documents fit 80 columns and show the right values,
 * replies of the wrong shape are refused, error bodies give their
 * message, and server text cannot smuggle terminal control codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/format.h"
#include "cli/table.h"

static arc_cli_buf_t out;

static int setup(void **state)
{
    (void)state;
    arc_cli_buf_init(&out);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arc_cli_buf_free(&out);
    return 0;
}

static const char *text(void)
{
    return arc_cli_buf_str(&out);
}

static void assert_contains(const char *needle)
{
    if (strstr(text(), needle) == NULL)
        fail_msg("output lacks '%s':\n%s", needle, text());
}

static void assert_lines_fit(size_t width)
{
    const char *line = text();

    while (*line != '\0') {
        const char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);

        if (len > width)
            fail_msg("line of %zu columns: %.*s", len, (int)len, line);
        line += len + (nl != NULL);
    }
}

#define S(lit) lit, sizeof(lit) - 1

static const char nodes_json[] =
    "{\"nodes\":[{\"id\":\"west-portland-01\",\"zone\":\"west\","
    "\"site\":\"Portland\",\"lat\":45.5,\"lon\":-122.6,\"status\":\"up\","
    "\"energy_source\":\"cogen-solar\",\"carbon_g_per_kwh\":0,"
    "\"battery_soc\":0.834,\"gpu_util\":0.25,\"gpus_total\":16,"
    "\"gpus_free\":12,\"models\":[\"llama-3.1-8b\",\"mistral-7b\"],"
    "\"queue_depth\":3,\"last_seen\":1782043200000000},"
    "{\"id\":\"east-a-very-long-node-identifier\",\"zone\":\"east\","
    "\"status\":\"draining\",\"energy_source\":\"grid\","
    "\"carbon_g_per_kwh\":412.4}]}";

static void nodes_table_shows_each_node(void **state)
{
    (void)state;
    assert_int_equal(arc_cli_format_nodes(S(nodes_json), &out), ARC_OK);
    assert_contains("ID");
    assert_contains("west-portland-01");
    assert_contains("cogen-solar");
    assert_contains("83%");
    assert_contains("12/16");
    assert_contains("412");
    assert_contains("2 nodes");
    assert_lines_fit(80);
}

static void missing_fields_print_as_dashes(void **state)
{
    (void)state;
    assert_int_equal(arc_cli_format_nodes(S("{\"nodes\":[{\"id\":\"x\"}]}"),
                                          &out),
                     ARC_OK);
    assert_contains("x  ");
    assert_contains(" -");
}

static void empty_list_says_so(void **state)
{
    (void)state;
    assert_int_equal(arc_cli_format_nodes(S("{\"nodes\":[]}"), &out),
                     ARC_OK);
    assert_string_equal(text(), "no nodes match\n");
}

static void wrong_shape_is_refused(void **state)
{
    (void)state;
    assert_int_equal(arc_cli_format_nodes(S("{\"zones\":[]}"), &out),
                     ARC_ERR_INVALID);
    assert_int_equal(arc_cli_format_zones(S("not json"), &out),
                     ARC_ERR_INVALID);
    assert_int_equal(arc_cli_format_events(S("[1,2]"), &out),
                     ARC_ERR_INVALID);
    assert_int_equal(arc_cli_format_decision(S("{\"decision\":{}}"), &out),
                     ARC_ERR_INVALID);
    assert_int_equal(arc_cli_format_node(S("{}"), &out), ARC_ERR_INVALID);
    assert_int_equal(arc_cli_format_inference(NULL, 0, &out),
                     ARC_ERR_INVALID);
}

static void node_shows_labelled_facts(void **state)
{
    static const char doc[] =
        "{\"id\":\"west-portland-01\",\"site\":\"Portland, OR\","
        "\"zone\":\"west\",\"lat\":45.5,\"lon\":-122.6,\"status\":\"up\","
        "\"energy_source\":\"battery\",\"carbon_g_per_kwh\":35,"
        "\"battery_soc\":0.5,\"gpu_util\":0.25,\"gpus_total\":16,"
        "\"gpus_free\":12,\"models\":[\"llama-3.1-8b\",\"mistral-7b\"],"
        "\"queue_depth\":3,\"last_seen\":1782043200000000}";

    (void)state;
    assert_int_equal(arc_cli_format_node(S(doc), &out), ARC_OK);
    assert_contains("site        Portland, OR\n");
    assert_contains("battery (35 g CO2/kWh)");
    assert_contains("12 free of 16, 25% busy");
    assert_contains("llama-3.1-8b, mistral-7b");
    assert_contains("2026-06-21 12:00:00");
    assert_lines_fit(80);
}

static void zones_table_shows_energy_mix(void **state)
{
    static const char doc[] =
        "{\"zones\":[{\"id\":\"west\",\"nodes\":50,\"nodes_up\":48,"
        "\"gpu_util\":0.61,\"energy_mix\":{\"cogen-solar\":0.45,"
        "\"battery\":0.2,\"grid\":0.35,\"cogen-gas\":0},"
        "\"carbon_g_per_kwh\":120.2,\"req_per_s\":85.25,\"p50_ms\":40,"
        "\"p99_ms\":210}]}";

    (void)state;
    assert_int_equal(arc_cli_format_zones(S(doc), &out), ARC_OK);
    assert_contains("west");
    assert_contains("61%");
    assert_contains("85.2");
    assert_contains("solar 45% battery 20% grid 35%");
    assert_true(strstr(text(), "gas") == NULL);
    assert_lines_fit(80);
}

static void decision_shows_terms_and_runner_ups(void **state)
{
    static const char doc[] =
        "{\"decision\":{\"node\":\"west-portland-01\",\"zone\":\"west\","
        "\"policy\":\"arcnet\",\"score\":12.5,\"spilled\":true,"
        "\"terms\":{\"latency\":{\"value\":4,\"weight\":2},"
        "\"carbon\":{\"value\":0,\"weight\":0.01}},"
        "\"runner_ups\":[{\"node\":\"west-seattle-02\",\"zone\":\"west\","
        "\"score\":13.75}]}}";

    (void)state;
    assert_int_equal(arc_cli_format_decision(S(doc), &out), ARC_OK);
    assert_contains("west-portland-01 (zone west)");
    assert_contains("arcnet, score 12.50");
    assert_contains("yes, served outside its home zone");
    assert_contains("latency");
    assert_contains("8.00");
    assert_contains("west-seattle-02");
    assert_contains("13.75");
    assert_lines_fit(80);
}

static void inference_receipt_says_where_and_at_what_carbon(void **state)
{
    static const char doc[] =
        "{\"node\":\"east-knox-03\",\"zone\":\"east\","
        "\"energy_source\":\"cogen-wind\",\"carbon_g\":0.0123,"
        "\"queue_ms\":2,\"service_ms\":431.6,\"output\":\"Hello\\n"
        "world\\u001b[31m\"}";

    (void)state;
    assert_int_equal(arc_cli_format_inference(S(doc), &out), ARC_OK);
    assert_contains("east-knox-03 (zone east)");
    assert_contains("cogen-wind, 0.0123 g CO2");
    assert_contains("queued 2 ms, served in 432 ms");
    assert_contains("Hello\nworld [31m");
}

static void events_table_cuts_messages_to_fit(void **state)
{
    static const char doc[] =
        "{\"events\":[{\"seq\":7,\"time\":1782043205000000,"
        "\"type\":\"battery-low\",\"severity\":\"warning\","
        "\"zone\":\"west\",\"node\":\"west-a\",\"message\":\"west-a "
        "battery low at 24% (below 25%), on battery, and a great deal "
        "more text that cannot fit\"}]}";

    (void)state;
    assert_int_equal(arc_cli_format_events(S(doc), &out), ARC_OK);
    assert_contains("12:00:05");
    assert_contains("battery-low");
    assert_contains("~\n");
    assert_contains("1 event\n");
    assert_lines_fit(80);
}

static void event_batch_frame_prints_one_line_each(void **state)
{
    static const char frame[] =
        "{\"seq\":9,\"v\":1,\"type\":\"events\",\"time\":1,"
        "\"events\":[{\"seq\":42,\"type\":\"node-down\","
        "\"severity\":\"critical\",\"time\":1782043200000000,"
        "\"message\":\"x is down\"},{\"seq\":43,\"type\":\"node-up\","
        "\"severity\":\"info\",\"message\":\"x is up\"}]}";
    arc_cli_event_view_t v = {0};

    (void)state;
    assert_int_equal(arc_cli_format_frame_events(S(frame), &v, &out),
                     ARC_OK);
    assert_int_equal(v.last_seq, 43);
    assert_int_equal(v.frame_seq, 9);
    assert_contains("    42 12:00:00 critical node-down");
    assert_contains("x is down\n");
    assert_contains("node-up");
    assert_lines_fit(80);
}

static void events_already_seen_are_skipped(void **state)
{
    static const char frame[] =
        "{\"type\":\"events\",\"events\":[{\"seq\":5,\"message\":\"old\"},"
        "{\"seq\":6,\"message\":\"new\"}]}";
    arc_cli_event_view_t v = {.last_seq = 5};

    (void)state;
    assert_int_equal(arc_cli_format_frame_events(S(frame), &v, &out),
                     ARC_OK);
    assert_int_equal(v.last_seq, 6);
    assert_true(strstr(text(), "old") == NULL);
    assert_contains("new");
}

static void single_event_frames_are_understood(void **state)
{
    static const char bare[] =
        "{\"seq\":3,\"type\":\"battery-low\",\"message\":\"low\"}";
    static const char wrapped[] =
        "{\"seq\":99,\"type\":\"event\",\"event\":{\"seq\":4,"
        "\"type\":\"node-up\",\"message\":\"up\"}}";
    arc_cli_event_view_t v = {0};

    (void)state;
    assert_int_equal(arc_cli_format_frame_events(S(bare), &v, &out),
                     ARC_OK);
    assert_int_equal(arc_cli_format_frame_events(S(wrapped), &v, &out),
                     ARC_OK);
    assert_int_equal(v.last_seq, 4);
    assert_contains("low\n");
    assert_contains("up\n");
}

static void frames_without_events_are_not_found(void **state)
{
    arc_cli_event_view_t v = {0};

    (void)state;
    assert_int_equal(arc_cli_format_frame_events(
                         S("{\"seq\":1,\"type\":\"telemetry\","
                           "\"nodes\":[]}"),
                         &v, &out),
                     ARC_ERR_NOT_FOUND);
    assert_int_equal(arc_cli_format_frame_events(S("{"), &v, &out),
                     ARC_ERR_INVALID);
}

static const char mixed_frame[] =
    "{\"seq\":2,\"type\":\"events\",\"events\":["
    "{\"seq\":1,\"type\":\"node-down\",\"severity\":\"critical\","
    "\"zone\":\"west\",\"node\":\"west-a\",\"message\":\"A down\"},"
    "{\"seq\":2,\"type\":\"battery-low\",\"severity\":\"warning\","
    "\"zone\":\"east\",\"node\":\"east-b\",\"message\":\"B low\"},"
    "{\"seq\":3,\"type\":\"node-up\",\"severity\":\"info\","
    "\"zone\":\"east\",\"node\":\"east-c\",\"message\":\"C up\"}]}";

static void follow_filters_apply_to_stream_events(void **state)
{
    arc_cli_event_view_t v = {.zone = "east", .severity = "warning"};

    (void)state;
    assert_int_equal(arc_cli_format_frame_events(S(mixed_frame), &v, &out),
                     ARC_OK);
    assert_string_equal(strstr(text(), "B low"), "B low\n");
    assert_true(strstr(text(), "A down") == NULL);
    assert_true(strstr(text(), "C up") == NULL);
    assert_int_equal(v.last_seq, 3);

    arc_cli_buf_reset(&out);
    v = (arc_cli_event_view_t){.q = "EAST-C", .type = "node-up"};
    arc_cli_format_frame_events(S(mixed_frame), &v, &out);
    assert_contains("C up");
    assert_true(strstr(text(), "B low") == NULL);
}

static void follow_json_prints_one_object_per_line(void **state)
{
    arc_cli_event_view_t v = {.json = true, .type = "battery-low"};

    (void)state;
    arc_cli_format_frame_events(S(mixed_frame), &v, &out);
    assert_string_equal(text(),
                        "{\"seq\":2,\"type\":\"battery-low\","
                        "\"severity\":\"warning\",\"zone\":\"east\","
                        "\"node\":\"east-b\",\"message\":\"B low\"}\n");
}

static void error_body_gives_message_and_code(void **state)
{
    char msg[128];

    (void)state;
    arc_cli_error_text(S("{\"error\":{\"code\":\"not-found\","
                         "\"message\":\"no node west-x\"}}"),
                       404, msg, sizeof(msg));
    assert_string_equal(msg, "no node west-x (not-found)");
    arc_cli_error_text(S("<html>bad gateway</html>"), 502, msg, sizeof(msg));
    assert_non_null(strstr(msg, "HTTP 502"));
}

static void drain_reply_confirms(void **state)
{
    (void)state;
    assert_int_equal(arc_cli_format_drain(S("{\"node\":{\"id\":\"w\","
                                            "\"status\":\"draining\"}}"),
                                          "w", 1, &out),
                     ARC_OK);
    assert_contains("w drained");
    assert_contains("status draining");
}

static void table_cells_lose_control_characters(void **state)
{
    static const arc_cli_column_t cols[] = {{"A", false, 0}};
    const char *row[] = {"evil\x1b]0;title\x07"};
    arc_cli_table_t t;

    (void)state;
    assert_int_equal(arc_cli_table_init(&t, 1, cols), ARC_OK);
    assert_int_equal(arc_cli_table_add(&t, row), ARC_OK);
    arc_cli_table_render(&t, 80, &out);
    arc_cli_table_free(&t);
    assert_true(strchr(text(), '\x1b') == NULL);
    assert_contains("evil ]0;title ");
}

static void table_right_aligns_numbers(void **state)
{
    static const arc_cli_column_t cols[] = {{"NAME", false, 0},
                                            {"N", true, 0}};
    const char *r1[] = {"a", "5"}, *r2[] = {"bb", "100"};
    arc_cli_table_t t;

    (void)state;
    arc_cli_table_init(&t, 2, cols);
    arc_cli_table_add(&t, r1);
    arc_cli_table_add(&t, r2);
    arc_cli_table_render(&t, 80, &out);
    arc_cli_table_free(&t);
    assert_string_equal(text(), "NAME    N\na       5\nbb    100\n");
}

static void text_width_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(arc_cli_text_width("CO\xe2\x82\x82"), 3);
    assert_int_equal(arc_cli_put_cut(&out, "gr\xc3\xbcn-energy", 5), 5);
    assert_string_equal(text(), "gr\xc3\xbcn~");
}

static void time_is_utc(void **state)
{
    char buf[32];

    (void)state;
    arc_cli_format_time(0, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01 00:00:00");
    arc_cli_format_time(-5, buf, sizeof(buf));
    assert_string_equal(buf, "-");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(nodes_table_shows_each_node),
        T(missing_fields_print_as_dashes),
        T(empty_list_says_so),
        T(wrong_shape_is_refused),
        T(node_shows_labelled_facts),
        T(zones_table_shows_energy_mix),
        T(decision_shows_terms_and_runner_ups),
        T(inference_receipt_says_where_and_at_what_carbon),
        T(events_table_cuts_messages_to_fit),
        T(event_batch_frame_prints_one_line_each),
        T(events_already_seen_are_skipped),
        T(single_event_frames_are_understood),
        T(frames_without_events_are_not_found),
        T(follow_filters_apply_to_stream_events),
        T(follow_json_prints_one_object_per_line),
        T(error_body_gives_message_and_code),
        T(drain_reply_confirms),
        T(table_cells_lose_control_characters),
        T(table_right_aligns_numbers),
        T(text_width_counts_code_points),
        T(time_is_utc),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
