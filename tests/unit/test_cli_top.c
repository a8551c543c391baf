/*
 * test_cli_top.c - what `arcnet top` draws and what the one-shot
 * commands send: the screen as a function of stream frames and zone
 * totals (cut to the terminal, newest events first, never taller than
 * the window), and the request paths and bodies built from options.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "cli/top.h"

#define S(lit) lit, sizeof(lit) - 1

static const char zones_json[] =
    "{\"zones\":[{\"id\":\"west\",\"nodes\":50,\"nodes_up\":49,"
    "\"gpu_util\":0.5,\"carbon_g_per_kwh\":100,\"req_per_s\":10,"
    "\"p50_ms\":40,\"p99_ms\":90}]}";

static const char events_frame[] =
    "{\"seq\":7,\"type\":\"events\",\"time\":1782043200000000,"
    "\"events\":[{\"seq\":1,\"type\":\"node-down\",\"severity\":"
    "\"critical\",\"message\":\"first event\"},{\"seq\":2,\"type\":"
    "\"node-up\",\"severity\":\"info\",\"message\":\"second event\"}]}";

static const char decisions_frame[] =
    "{\"seq\":8,\"type\":\"decisions\",\"time\":1782043201000000,"
    "\"decisions\":[{\"request\":1},{\"request\":2},{\"request\":3}]}";

/* The screen without escape codes, one '\n' per line. */
static void plain(const arc_cli_buf_t *screen, char *out, size_t cap)
{
    const char *s = arc_cli_buf_str(screen);
    size_t n = 0;

    while (*s != '\0' && n + 1 < cap) {
        if (*s == '\x1b') {
            s++;
            while (*s != '\0' && !(*s >= 'A' && *s <= 'Z') &&
                   !(*s >= 'a' && *s <= 'z'))
                s++;
            if (*s != '\0')
                s++;
            continue;
        }
        out[n++] = *s++;
    }
    out[n] = '\0';
}

static size_t count_lines(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += *s == '\n';
    return n;
}

static void render(arc_cli_top_t *t, int cols, int rows, char *out,
                   size_t cap)
{
    arc_cli_buf_t screen;

    arc_cli_buf_init(&screen);
    arc_cli_top_render(t, cols, rows, &screen);
    plain(&screen, out, cap);
    arc_cli_buf_free(&screen);
}

static void screen_shows_zones_and_newest_event_first(void **state)
{
    arc_cli_top_t t;
    static char text[8192];

    (void)state;
    arc_cli_top_init(&t, "http://h:1");
    arc_cli_top_zones(&t, S(zones_json));
    arc_cli_top_frame(&t, S(events_frame));
    arc_cli_top_frame(&t, S(decisions_frame));
    render(&t, 80, 40, text, sizeof(text));
    arc_cli_top_free(&t);

    assert_non_null(strstr(text, "frames 2  decisions 3"));
    assert_non_null(strstr(text, "2026-06-21 12:00:01"));
    assert_non_null(strstr(text, "west     50  49"));
    assert_true(strstr(text, "second event") < strstr(text, "first event"));
}

static void screen_never_exceeds_the_window(void **state)
{
    arc_cli_top_t t;
    static char text[8192];
    const char *line;

    (void)state;
    arc_cli_top_init(&t, "http://a-rather-long-server-name:8080");
    arc_cli_top_zones(&t, S(zones_json));
    arc_cli_top_frame(&t, S(events_frame));
    render(&t, 30, 8, text, sizeof(text));
    arc_cli_top_free(&t);

    assert_int_equal(count_lines(text), 7);
    for (line = text; *line != '\0';) {
        const char *nl = strchr(line, '\n');

        assert_true(nl - line <= 30);
        line = nl + 1;
    }
}

static void status_line_reports_the_stream(void **state)
{
    arc_cli_top_t t;
    static char text[8192];

    (void)state;
    arc_cli_top_init(&t, "s");
    render(&t, 80, 24, text, sizeof(text));
    assert_non_null(strstr(text, "stream: connecting"));
    assert_non_null(strstr(text, "waiting for zone totals"));
    assert_non_null(strstr(text, "none yet"));
    arc_cli_top_status(&t, "cannot open the stream; retrying");
    render(&t, 80, 24, text, sizeof(text));
    assert_non_null(strstr(text, "stream: cannot open the stream"));
    arc_cli_top_free(&t);
}

static void replayed_events_are_not_shown_twice(void **state)
{
    arc_cli_top_t t;

    (void)state;
    arc_cli_top_init(&t, "s");
    arc_cli_top_frame(&t, S(events_frame));
    arc_cli_top_frame(&t, S(events_frame));
    assert_int_equal(t.line_count, 2);
    arc_cli_top_frame(&t, S("not json"));
    assert_int_equal(t.frames, 2);
    arc_cli_top_free(&t);
}

static void restarted_daemon_events_are_shown(void **state)
{
    static const char after_restart[] =
        "{\"seq\":1,\"type\":\"events\",\"events\":[{\"seq\":1,"
        "\"type\":\"node-up\",\"message\":\"back again\"}]}";
    arc_cli_top_t t;

    (void)state;
    arc_cli_top_init(&t, "s");
    arc_cli_top_frame(&t, S(events_frame));
    arc_cli_top_frame(&t, S(after_restart));
    assert_int_equal(t.line_count, 3);
    assert_non_null(strstr(t.lines[2], "back again"));
    arc_cli_top_free(&t);
}

static void event_ring_keeps_the_newest(void **state)
{
    arc_cli_top_t t;
    char frame[160];

    (void)state;
    arc_cli_top_init(&t, "s");
    for (int i = 1; i <= ARC_CLI_TOP_EVENTS + 5; i++) {
        int n = snprintf(frame, sizeof(frame),
                         "{\"seq\":%d,\"type\":\"node-up\",\"message\":"
                         "\"event %d\"}",
                         i, i);

        arc_cli_top_frame(&t, frame, (size_t)n);
    }
    assert_int_equal(t.line_count, ARC_CLI_TOP_EVENTS);
    assert_non_null(strstr(t.lines[(t.line_next + ARC_CLI_TOP_EVENTS - 1) %
                                   ARC_CLI_TOP_EVENTS],
                           "event 69"));
    arc_cli_top_free(&t);
}

/* ---- requests built from options -------------------------------------- */

static void parse_line(const char *line, arc_cli_parsed_t *p)
{
    static arc_cli_line_t l;

    assert_int_equal(arc_cli_check_line(line, &l, p), ARC_OK);
}

static void list_paths_carry_the_filters(void **state)
{
    arc_cli_parsed_t p;
    arc_cli_buf_t b;

    (void)state;
    arc_cli_buf_init(&b);
    parse_line("nodes --zone west --energy-source cogen-wind", &p);
    arc_cli_list_path(&p, &b);
    assert_string_equal(arc_cli_buf_str(&b),
                        "/v1/nodes?zone=west&energy_source=cogen-wind");

    arc_cli_buf_reset(&b);
    parse_line("events --q 'low batt' --since 5 --follow", &p);
    arc_cli_list_path(&p, &b);
    assert_string_equal(arc_cli_buf_str(&b),
                        "/v1/events?q=low%20batt&since=5");
    arc_cli_buf_free(&b);
}

static void request_body_is_valid_json(void **state)
{
    arc_cli_parsed_t p;
    arc_cli_buf_t b;
    cJSON *doc, *origin;

    (void)state;
    arc_cli_buf_init(&b);
    parse_line("infer --model mistral-7b --lat 45.5 --lon -122.25 "
               "--policy greenest --input 'say \"hi\"'",
               &p);
    arc_cli_request_body(&p, &b);
    doc = cJSON_Parse(arc_cli_buf_str(&b));
    assert_non_null(doc);
    assert_string_equal(cJSON_GetObjectItem(doc, "model")->valuestring,
                        "mistral-7b");
    assert_string_equal(cJSON_GetObjectItem(doc, "priority")->valuestring,
                        "normal");
    assert_string_equal(cJSON_GetObjectItem(doc, "policy")->valuestring,
                        "greenest");
    assert_string_equal(cJSON_GetObjectItem(doc, "input")->valuestring,
                        "say \"hi\"");
    origin = cJSON_GetObjectItem(doc, "origin");
    assert_true(cJSON_GetObjectItem(origin, "lat")->valuedouble == 45.5);
    assert_true(cJSON_GetObjectItem(origin, "lon")->valuedouble == -122.25);
    cJSON_Delete(doc);
    arc_cli_buf_free(&b);
}

static void route_body_has_no_input(void **state)
{
    arc_cli_parsed_t p;
    arc_cli_buf_t b;

    (void)state;
    arc_cli_buf_init(&b);
    parse_line("route --model m --lat 1 --lon 2 --priority critical", &p);
    arc_cli_request_body(&p, &b);
    assert_string_equal(arc_cli_buf_str(&b),
                        "{\"model\":\"m\",\"priority\":\"critical\","
                        "\"origin\":{\"lat\":1,\"lon\":2}}");
    arc_cli_buf_free(&b);
}

static void help_json_prints_the_grammar(void **state)
{
    arc_cli_parsed_t p;
    arc_cli_conn_t c;
    FILE *out = tmpfile();
    char text[16384];
    size_t n;
    cJSON *doc;

    (void)state;
    assert_non_null(out);
    parse_line("help --json", &p);
    assert_int_equal(arc_cli_conn_init(&c, NULL, NULL, NULL, NULL, NULL,
                                       NULL),
                     ARC_OK);
    assert_int_equal(arc_cli_run(&p, &c, out, stderr), ARC_CLI_EXIT_OK);
    rewind(out);
    n = fread(text, 1, sizeof(text) - 1, out);
    text[n] = '\0';
    fclose(out);
    doc = cJSON_Parse(text);
    assert_non_null(doc);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
                                                            "commands")),
                     arc_cli_command_count());
    cJSON_Delete(doc);
}

static void help_for_an_unknown_command_is_a_usage_error(void **state)
{
    arc_cli_parsed_t p;
    arc_cli_conn_t c;
    FILE *sink = tmpfile();

    (void)state;
    assert_non_null(sink);
    parse_line("help frobnicate", &p);
    arc_cli_conn_init(&c, NULL, NULL, NULL, NULL, NULL, NULL);
    assert_int_equal(arc_cli_run(&p, &c, sink, sink), ARC_CLI_EXIT_USAGE);
    fclose(sink);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(screen_shows_zones_and_newest_event_first),
        cmocka_unit_test(screen_never_exceeds_the_window),
        cmocka_unit_test(status_line_reports_the_stream),
        cmocka_unit_test(replayed_events_are_not_shown_twice),
        cmocka_unit_test(restarted_daemon_events_are_shown),
        cmocka_unit_test(event_ring_keeps_the_newest),
        cmocka_unit_test(list_paths_carry_the_filters),
        cmocka_unit_test(request_body_is_valid_json),
        cmocka_unit_test(route_body_has_no_input),
        cmocka_unit_test(help_json_prints_the_grammar),
        cmocka_unit_test(help_for_an_unknown_command_is_a_usage_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
