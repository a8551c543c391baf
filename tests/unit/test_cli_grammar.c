/*
 * test_cli_grammar.c - the `arcnet` grammar: every command parses, bad
 * command lines are usage errors with a useful message, --help excuses
 * what is missing, typed lines split like a shell, completion offers the
 * right candidates, and the table and its help text stay consistent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "cli/grammar.h"

/* Parses one line; the parsed result points into a static line. */
static arc_status_t check(const char *line, arc_cli_parsed_t *p)
{
    static arc_cli_line_t l;

    return arc_cli_check_line(line, &l, p);
}

static void expect_usage_error(const char *line, const char *needle)
{
    arc_cli_parsed_t p;

    assert_int_equal(check(line, &p), ARC_ERR_INVALID);
    if (strstr(p.error, needle) == NULL)
        fail_msg("'%s': error '%s' lacks '%s'", line, p.error, needle);
}

/* ---- parsing ---------------------------------------------------------- */

static void every_command_parses(void **state)
{
    static const char *const lines[] = {
        "nodes",
        "nodes --zone west --status up --model mistral-7b "
        "--energy-source cogen-wind",
        "node west-portland-01",
        "zones",
        "route --model llama-3.1-8b --priority critical --lat 45.5 "
        "--lon -122.7 --policy nearest",
        "infer --model llama-3.1-8b --lat 40 --lon -90 --input 'hi there'",
        "events --type node-down --zone east --severity critical --q batt "
        "--since 10 --limit 50 --follow",
        "drain west-portland-01",
        "undrain west-portland-01",
        "history west-portland-01 --from 2026-03-20T06:00:00Z --step 5m",
        "top",
        "sim --hours 2",
        "help",
        "help route",
    };
    arc_cli_parsed_t p;

    (void)state;
    assert_int_equal(ARC_ARRAY_LEN(lines), arc_cli_command_count() + 2);
    for (size_t i = 0; i < ARC_ARRAY_LEN(lines); i++) {
        if (check(lines[i], &p) != ARC_OK)
            fail_msg("'%s': %s", lines[i], p.error);
        assert_non_null(p.cmd);
    }
}

static void option_values_and_arguments_are_returned(void **state)
{
    arc_cli_parsed_t p;

    (void)state;
    assert_int_equal(check("route --model mistral-7b --lat 1.5 --lon=-2 "
                           "--priority background",
                           &p),
                     ARC_OK);
    assert_string_equal(p.cmd->name, "route");
    assert_string_equal(arc_cli_get(&p, "--model"), "mistral-7b");
    assert_string_equal(arc_cli_get(&p, "--lon"), "-2");
    assert_string_equal(arc_cli_get(&p, "--priority"), "background");
    assert_null(arc_cli_get(&p, "--policy"));

    assert_int_equal(check("node east-x", &p), ARC_OK);
    assert_int_equal(p.arg_count, 1);
    assert_string_equal(p.args[0], "east-x");
}

static void flags_read_as_empty_values(void **state)
{
    arc_cli_parsed_t p;

    (void)state;
    assert_int_equal(check("events --follow", &p), ARC_OK);
    assert_string_equal(arc_cli_get(&p, "--follow"), "");
    assert_int_equal(check("events", &p), ARC_OK);
    assert_null(arc_cli_get(&p, "--follow"));
}

static void globals_work_before_and_after_the_command(void **state)
{
    arc_cli_parsed_t p;

    (void)state;
    assert_int_equal(check("--server http://h:1 zones --json --token=abc",
                           &p),
                     ARC_OK);
    assert_string_equal(p.server, "http://h:1");
    assert_string_equal(p.token, "abc");
    assert_true(p.json);
    assert_false(p.help);
}

static void unknown_command_is_a_usage_error(void **state)
{
    (void)state;
    expect_usage_error("nodez", "unknown command 'nodez'");
}

static void no_command_is_a_usage_error(void **state)
{
    (void)state;
    expect_usage_error("--json", "no command");
    expect_usage_error("", "no command");
}

static void unknown_option_is_a_usage_error(void **state)
{
    (void)state;
    expect_usage_error("nodes --colour red", "unknown option '--colour'");
    expect_usage_error("zones --zone west", "unknown option '--zone'");
}

static void missing_required_option_is_a_usage_error(void **state)
{
    (void)state;
    expect_usage_error("route --lat 1 --lon 2", "--model");
    expect_usage_error("infer --model mistral-7b --lat 1 --lon 2",
                       "--input");
}

static void option_without_value_is_a_usage_error(void **state)
{
    (void)state;
    expect_usage_error("nodes --zone", "--zone needs a value");
}

static void bad_choice_lists_the_choices(void **state)
{
    (void)state;
    expect_usage_error("nodes --zone north",
                       "--zone must be west, central or east");
    expect_usage_error("events --severity loud", "info, warning");
}

static void numbers_are_checked(void **state)
{
    (void)state;
    expect_usage_error("route --model m --lat 91 --lon 0", "between -90");
    expect_usage_error("route --model m --lat x --lon 0", "needs a number");
    expect_usage_error("route --model m --lat 1 --lon nan", "needs a number");
    expect_usage_error("events --limit 0", "between 1");
    expect_usage_error("events --since -1", "whole number");
    expect_usage_error("events --limit 2.5", "whole number");
}

static void flag_given_a_value_is_a_usage_error(void **state)
{
    (void)state;
    expect_usage_error("events --follow=yes", "takes no value");
}

static void empty_text_is_a_usage_error(void **state)
{
    (void)state;
    expect_usage_error("events --q ''", "non-empty");
}

static void arguments_are_counted(void **state)
{
    (void)state;
    expect_usage_error("node", "node needs ID");
    expect_usage_error("drain a b", "unexpected argument 'b'");
    expect_usage_error("zones west", "unexpected argument");
    expect_usage_error("node ''", "empty argument");
}

static void help_excuses_what_is_missing(void **state)
{
    arc_cli_parsed_t p;

    (void)state;
    assert_int_equal(check("route --help", &p), ARC_OK);
    assert_true(p.help);
    assert_string_equal(p.cmd->name, "route");
    assert_int_equal(check("node -h", &p), ARC_OK);
    assert_true(p.help);
    assert_int_equal(check("--help", &p), ARC_OK);
    assert_null(p.cmd);
}

static void double_dash_ends_options(void **state)
{
    arc_cli_parsed_t p;

    (void)state;
    assert_int_equal(check("node -- -odd-id", &p), ARC_OK);
    assert_string_equal(p.args[0], "-odd-id");
}

static void sim_gets_the_rest_of_the_line_untouched(void **state)
{
    arc_cli_parsed_t p;

    (void)state;
    assert_int_equal(check("--json sim --hours 2 --unknown x", &p), ARC_OK);
    assert_string_equal(p.cmd->name, "sim");
    assert_true(p.json);
    assert_int_equal(p.rest_argc, 4);
    assert_string_equal(p.rest_argv[0], "--hours");
    assert_string_equal(p.rest_argv[3], "x");
}

static void only_drain_and_undrain_change_state(void **state)
{
    (void)state;
    for (size_t i = 0; i < arc_cli_command_count(); i++) {
        const arc_cli_command_t *c = arc_cli_command_at(i);
        bool operator_only = strcmp(c->name, "drain") == 0 ||
                             strcmp(c->name, "undrain") == 0;

        assert_int_equal(c->changes_state, operator_only);
    }
}

/* ---- splitting -------------------------------------------------------- */

static void split_handles_quotes_and_escapes(void **state)
{
    arc_cli_line_t l;

    (void)state;
    assert_int_equal(arc_cli_split("  a 'b c'  \"d \\\"e\\\\\" f\\ g x''y ''",
                                   &l, NULL),
                     ARC_OK);
    assert_int_equal(l.count, 6);
    assert_string_equal(l.words[0], "a");
    assert_string_equal(l.words[1], "b c");
    assert_string_equal(l.words[2], "d \"e\\");
    assert_string_equal(l.words[3], "f g");
    assert_string_equal(l.words[4], "xy");
    assert_string_equal(l.words[5], "");
}

static void split_drops_a_leading_program_name(void **state)
{
    arc_cli_line_t l;

    (void)state;
    assert_int_equal(arc_cli_split("arcnet nodes", &l, NULL), ARC_OK);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.words[0], "nodes");
}

static void split_rejects_an_unclosed_quote(void **state)
{
    arc_cli_line_t l;
    char error[ARC_CLI_ERROR_MAX];

    (void)state;
    assert_int_equal(arc_cli_split("events --q 'low", &l, error),
                     ARC_ERR_INVALID);
    assert_non_null(strstr(error, "quote"));
}

static void split_rejects_too_many_words(void **state)
{
    char line[ARC_CLI_LINE_WORDS * 2 + 8] = "";
    arc_cli_line_t l;

    (void)state;
    for (int i = 0; i <= ARC_CLI_LINE_WORDS; i++)
        memcpy(line + 2 * i, "a ", 3);
    assert_int_equal(arc_cli_split(line, &l, NULL), ARC_ERR_INVALID);
}

static void split_rejects_a_line_too_long(void **state)
{
    static char line[ARC_CLI_LINE_MAX + 16];
    arc_cli_line_t l;

    (void)state;
    memset(line, 'x', sizeof(line) - 1);
    assert_int_equal(arc_cli_split(line, &l, NULL), ARC_ERR_INVALID);
}

static void checked_line_keeps_quoted_text_whole(void **state)
{
    arc_cli_parsed_t p;

    (void)state;
    assert_int_equal(check("infer --model mistral-7b --lat 1 --lon 2 "
                           "--input \"what is 'arc'?\"",
                           &p),
                     ARC_OK);
    assert_string_equal(arc_cli_get(&p, "--input"), "what is 'arc'?");
}

/* ---- completion ------------------------------------------------------- */

static bool has(const char **c, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(c[i], s) == 0)
            return true;
    }
    return false;
}

static void completes_command_names(void **state)
{
    const char *c[32];
    size_t n;

    (void)state;
    n = arc_cli_complete("no", c, 32);
    assert_int_equal(n, 2);
    assert_true(has(c, n, "nodes") && has(c, n, "node"));
    n = arc_cli_complete("", c, 32);
    assert_int_equal(n, arc_cli_command_count());
}

static void completes_options_of_the_command(void **state)
{
    const char *c[32];
    size_t n;

    (void)state;
    n = arc_cli_complete("route --p", c, 32);
    assert_int_equal(n, 2);
    assert_true(has(c, n, "--priority") && has(c, n, "--policy"));
    n = arc_cli_complete("zones --", c, 32);
    assert_int_equal(n, arc_cli_global_count());
}

static void completes_choices_after_an_option(void **state)
{
    const char *c[32];
    size_t n;

    (void)state;
    n = arc_cli_complete("nodes --zone ", c, 32);
    assert_int_equal(n, 3);
    assert_true(has(c, n, "central"));
    n = arc_cli_complete("events --type node-d", c, 32);
    assert_int_equal(n, 2);
    assert_true(has(c, n, "node-down") && has(c, n, "node-draining"));
    n = arc_cli_complete("route --model llama-3.1-4", c, 32);
    assert_int_equal(n, 1);
    assert_string_equal(c[0], "llama-3.1-405b");
}

static void completes_nothing_for_free_text(void **state)
{
    const char *c[32];

    (void)state;
    assert_int_equal(arc_cli_complete("events --q ", c, 32), 0);
    assert_int_equal(arc_cli_complete("node ", c, 32), 0);
}

static void completes_command_names_after_help(void **state)
{
    const char *c[32];
    size_t n;

    (void)state;
    n = arc_cli_complete("help r", c, 32);
    assert_int_equal(n, 1);
    assert_string_equal(c[0], "route");
}

static void completion_counts_beyond_capacity(void **state)
{
    const char *c[2];

    (void)state;
    assert_int_equal(arc_cli_complete("", c, 2), arc_cli_command_count());
}

/* ---- the table and its text ------------------------------------------- */

static void option_counts_match_the_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < arc_cli_command_count(); i++) {
        const arc_cli_command_t *c = arc_cli_command_at(i);

        assert_true(c->option_count <= ARC_CLI_MAX_OPTIONS);
        for (uint32_t k = 0; k < c->option_count; k++)
            assert_non_null(c->options[k].name);
        if (c->option_count < ARC_CLI_MAX_OPTIONS)
            assert_null(c->options[c->option_count].name);
        assert_true(c->max_args >= c->min_args);
    }
}

static void assert_fits_80_columns(const char *text)
{
    const char *line = text;

    while (*line != '\0') {
        const char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);

        if (len > 80)
            fail_msg("line over 80 columns: %.*s", (int)len, line);
        line += len + (nl != NULL);
    }
}

static void help_text_fits_80_columns(void **state)
{
    arc_cli_buf_t b;

    (void)state;
    arc_cli_buf_init(&b);
    arc_cli_usage(&b);
    assert_non_null(strstr(arc_cli_buf_str(&b), "  route "));
    assert_fits_80_columns(arc_cli_buf_str(&b));
    for (size_t i = 0; i < arc_cli_command_count(); i++) {
        arc_cli_buf_reset(&b);
        arc_cli_command_usage(&b, arc_cli_command_at(i));
        assert_fits_80_columns(arc_cli_buf_str(&b));
    }
    arc_cli_buf_free(&b);
}

static void command_help_shows_required_options(void **state)
{
    arc_cli_buf_t b;

    (void)state;
    arc_cli_buf_init(&b);
    arc_cli_command_usage(&b, arc_cli_command_find("route"));
    assert_non_null(strstr(arc_cli_buf_str(&b),
                           "usage: arcnet route --model MODEL --lat DEG"));
    assert_non_null(strstr(arc_cli_buf_str(&b), "[--policy POLICY]"));
    assert_non_null(strstr(arc_cli_buf_str(&b), "(required)"));
    arc_cli_buf_free(&b);
}

static void grammar_json_describes_every_command(void **state)
{
    arc_cli_buf_t b;
    cJSON *doc, *cmds, *route, *opt;

    (void)state;
    arc_cli_buf_init(&b);
    arc_cli_grammar_json(&b);
    doc = cJSON_Parse(arc_cli_buf_str(&b));
    assert_non_null(doc);
    cmds = cJSON_GetObjectItem(doc, "commands");
    assert_int_equal(cJSON_GetArraySize(cmds), arc_cli_command_count());
    route = cJSON_GetArrayItem(cmds, 3);
    assert_string_equal(cJSON_GetObjectItem(route, "name")->valuestring,
                        "route");
    opt = cJSON_GetArrayItem(cJSON_GetObjectItem(route, "options"), 1);
    assert_string_equal(cJSON_GetObjectItem(opt, "kind")->valuestring,
                        "choice");
    assert_int_equal(
        cJSON_GetArraySize(cJSON_GetObjectItem(opt, "choices")), 3);
    assert_int_equal(
        cJSON_GetArraySize(cJSON_GetObjectItem(doc, "globals")),
        arc_cli_global_count());
    cJSON_Delete(doc);
    arc_cli_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_command_parses),
        cmocka_unit_test(option_values_and_arguments_are_returned),
        cmocka_unit_test(flags_read_as_empty_values),
        cmocka_unit_test(globals_work_before_and_after_the_command),
        cmocka_unit_test(unknown_command_is_a_usage_error),
        cmocka_unit_test(no_command_is_a_usage_error),
        cmocka_unit_test(unknown_option_is_a_usage_error),
        cmocka_unit_test(missing_required_option_is_a_usage_error),
        cmocka_unit_test(option_without_value_is_a_usage_error),
        cmocka_unit_test(bad_choice_lists_the_choices),
        cmocka_unit_test(numbers_are_checked),
        cmocka_unit_test(flag_given_a_value_is_a_usage_error),
        cmocka_unit_test(empty_text_is_a_usage_error),
        cmocka_unit_test(arguments_are_counted),
        cmocka_unit_test(help_excuses_what_is_missing),
        cmocka_unit_test(double_dash_ends_options),
        cmocka_unit_test(sim_gets_the_rest_of_the_line_untouched),
        cmocka_unit_test(only_drain_and_undrain_change_state),
        cmocka_unit_test(split_handles_quotes_and_escapes),
        cmocka_unit_test(split_drops_a_leading_program_name),
        cmocka_unit_test(split_rejects_an_unclosed_quote),
        cmocka_unit_test(split_rejects_too_many_words),
        cmocka_unit_test(split_rejects_a_line_too_long),
        cmocka_unit_test(checked_line_keeps_quoted_text_whole),
        cmocka_unit_test(completes_command_names),
        cmocka_unit_test(completes_options_of_the_command),
        cmocka_unit_test(completes_choices_after_an_option),
        cmocka_unit_test(completes_nothing_for_free_text),
        cmocka_unit_test(completes_command_names_after_help),
        cmocka_unit_test(completion_counts_beyond_capacity),
        cmocka_unit_test(option_counts_match_the_table),
        cmocka_unit_test(help_text_fits_80_columns),
        cmocka_unit_test(command_help_shows_required_options),
        cmocka_unit_test(grammar_json_describes_every_command),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
