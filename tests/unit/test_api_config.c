/*
 * test_api_config.c - arcnetd's settings: defaults, the INI file, the
 * environment and flags, in that order of precedence, and refusal of
 * bad values, unknown settings and roles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/config.h"

static const char *fake_env[16][2];

static const char *env_get(const char *name)
{
    for (int i = 0; i < 16 && fake_env[i][0] != NULL; i++) {
        if (strcmp(fake_env[i][0], name) == 0) {
            return fake_env[i][1];
        }
    }
    return NULL;
}

static int reset_env(void **state)
{
    (void)state;
    memset(fake_env, 0, sizeof(fake_env));
    return 0;
}

static arc_status_t load(arc_config_t *cfg, int argc, char **argv,
                         arc_config_action_t *action, char *err)
{
    return arc_config_load(cfg, argc, argv, env_get, action, err, 200);
}

static void defaults_without_any_source(void **state)
{
    char *argv[] = {"arcnetd"};
    arc_config_action_t a;
    arc_config_t c;
    char err[200];

    (void)state;
    assert_int_equal(load(&c, 1, argv, &a, err), ARC_OK);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8080);
    assert_string_equal(c.data_dir, "./arcnet-data");
    assert_int_equal(c.nodes, 150);
    assert_true(c.time_scale == 1.0);
    assert_int_equal(c.role, ARC_DAEMON_ROLE_ALL);
    assert_false(a.help || a.print_config);
}

static void flags_in_both_spellings(void **state)
{
    char *argv[] = {"arcnetd", "--listen", "0.0.0.0:9000",
                    "--data-dir=/tmp/x", "--seed", "42", "--nodes=10",
                    "--time-scale", "2.5", "--policy", "greenest",
                    "--print-config"};
    arc_config_action_t a;
    arc_config_t c;
    char err[200];

    (void)state;
    assert_int_equal(load(&c, 12, argv, &a, err), ARC_OK);
    assert_string_equal(c.listen_host, "0.0.0.0");
    assert_int_equal(c.listen_port, 9000);
    assert_string_equal(c.data_dir, "/tmp/x");
    assert_int_equal(c.seed, 42);
    assert_int_equal(c.nodes, 10);
    assert_true(c.time_scale == 2.5);
    assert_int_equal(c.policy, ARC_POLICY_GREENEST);
    assert_true(a.print_config);
}

static void flags_beat_env_which_beats_the_file(void **state)
{
    char path[] = "/tmp/arc-config-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    char *argv[] = {"arcnetd", "--config", path, "--seed", "3"};
    arc_config_action_t a;
    arc_config_t c;
    char err[200];

    (void)state;
    assert_non_null(f);
    fputs("[daemon]\nlisten = 10.0.0.1:1\n[sim]\nseed = 1\nnodes = 5\n"
          "time_scale = 4\n", f);
    fclose(f);
    fake_env[0][0] = "ARCNET_SEED";
    fake_env[0][1] = "2";
    fake_env[1][0] = "ARCNET_NODES";
    fake_env[1][1] = "6";
    assert_int_equal(load(&c, 5, argv, &a, err), ARC_OK);
    assert_int_equal(c.seed, 3);       /* flag */
    assert_int_equal(c.nodes, 6);      /* environment */
    assert_true(c.time_scale == 4.0);  /* file */
    assert_int_equal(c.listen_port, 1);
    unlink(path);
}

static void config_file_from_the_environment(void **state)
{
    char path[] = "/tmp/arc-config-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    char *argv[] = {"arcnetd"};
    arc_config_action_t a;
    arc_config_t c;
    char err[200];

    (void)state;
    fputs("nodes = 77\n", f);
    fclose(f);
    fake_env[0][0] = "ARCNET_CONFIG";
    fake_env[0][1] = path;
    assert_int_equal(load(&c, 1, argv, &a, err), ARC_OK);
    assert_int_equal(c.nodes, 77);
    unlink(path);
}

static void bad_file_line_names_the_line(void **state)
{
    char path[] = "/tmp/arc-config-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    char *argv[] = {"arcnetd", "--config", path};
    arc_config_action_t a;
    arc_config_t c;
    char err[200];

    (void)state;
    fputs("[sim]\nnodes = 5\ncolour = red\n", f);
    fclose(f);
    assert_int_equal(load(&c, 3, argv, &a, err), ARC_ERR_INVALID);
    assert_non_null(strstr(err, ":3:"));
    assert_non_null(strstr(err, "colour"));
    unlink(path);
}

static void missing_file_is_an_error(void **state)
{
    char *argv[] = {"arcnetd", "--config", "/nonexistent/arcnet.ini"};
    arc_config_action_t a;
    arc_config_t c;
    char err[200];

    (void)state;
    assert_int_equal(load(&c, 3, argv, &a, err), ARC_ERR_IO);
}

static void bad_values_are_refused(void **state)
{
    const char *bad[][2] = {
        {"listen", "nohost"},  {"listen", ":80"},     {"listen", "h:99999"},
        {"seed", "-1"},        {"seed", "x"},         {"nodes", "0"},
        {"time_scale", "0"},   {"time_scale", "nan"}, {"policy", "dice"},
        {"role", "king"},      {"log_level", "loud"}, {"tick_ms", "1"},
    };
    arc_config_t c;
    char err[200];

    (void)state;
    arc_config_default(&c);
    for (size_t i = 0; i < ARC_ARRAY_LEN(bad); i++) {
        assert_int_equal(arc_config_set(&c, bad[i][0], bad[i][1], err,
                                        sizeof(err)),
                         ARC_ERR_INVALID);
    }
    assert_int_equal(arc_config_set(&c, "colour", "red", err, sizeof(err)),
                     ARC_ERR_NOT_FOUND);
}

static void history_settings_reach_the_config(void **state)
{
    char *argv[] = {"arcnetd", "--keyframe-s", "60", "--raw-keep-days=2",
                    "--minute-keep-days", "30", "--deadband-soc", "0.02",
                    "--deadband-carbon=10"};
    const char *bad[][2] = {
        {"raw_keep_days", "0"},   {"keyframe_s", "-5"},
        {"deadband_soc", "1.5"},  {"deadband_util", "x"},
        {"deadband_carbon", "-1"}, {"flush_ms", "0"},
    };
    arc_config_action_t a;
    arc_config_t c;
    char err[200];

    (void)state;
    assert_int_equal(load(&c, 9, argv, &a, err), ARC_OK);
    assert_int_equal(c.keyframe_s, 60);
    assert_int_equal(c.raw_keep_days, 2);
    assert_int_equal(c.minute_keep_days, 30);
    assert_true(c.deadband_soc == 0.02);
    assert_true(c.deadband_carbon == 10.0);
    assert_true(c.deadband_util == 0.05); /* the default */
    assert_int_equal(c.flush_ms, 500);
    for (size_t i = 0; i < ARC_ARRAY_LEN(bad); i++) {
        assert_int_equal(arc_config_set(&c, bad[i][0], bad[i][1], err,
                                        sizeof(err)),
                         ARC_ERR_INVALID);
    }
}

static void flag_without_value_is_an_error(void **state)
{
    char *argv[] = {"arcnetd", "--seed"};
    arc_config_action_t a;
    arc_config_t c;
    char err[200];

    (void)state;
    assert_int_equal(load(&c, 2, argv, &a, err), ARC_ERR_INVALID);
}

static void stray_argument_is_an_error(void **state)
{
    char *argv[] = {"arcnetd", "serve"};
    arc_config_action_t a;
    arc_config_t c;
    char err[200];

    (void)state;
    assert_int_equal(load(&c, 2, argv, &a, err), ARC_ERR_INVALID);
}

static void other_roles_parse(void **state)
{
    char *argv[] = {"arcnetd", "--role", "brain"};
    arc_config_action_t a;
    arc_config_t c;
    char err[200];

    (void)state;
    assert_int_equal(load(&c, 3, argv, &a, err), ARC_OK);
    assert_int_equal(c.role, ARC_DAEMON_ROLE_BRAIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(defaults_without_any_source, reset_env),
        cmocka_unit_test_setup(flags_in_both_spellings, reset_env),
        cmocka_unit_test_setup(flags_beat_env_which_beats_the_file,
                               reset_env),
        cmocka_unit_test_setup(config_file_from_the_environment, reset_env),
        cmocka_unit_test_setup(bad_file_line_names_the_line, reset_env),
        cmocka_unit_test_setup(missing_file_is_an_error, reset_env),
        cmocka_unit_test_setup(bad_values_are_refused, reset_env),
        cmocka_unit_test_setup(history_settings_reach_the_config, reset_env),
        cmocka_unit_test_setup(flag_without_value_is_an_error, reset_env),
        cmocka_unit_test_setup(stray_argument_is_an_error, reset_env),
        cmocka_unit_test_setup(other_roles_parse, reset_env),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
