/*
 * test_role_config.c - the settings of the distributed roles: the bus
 * URL, node, zone, replica and bounds, --sim-site as a bare flag, the
 * printed config read back, and what each role refuses to start
 * without.
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
#include "daemon/role.h"

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

static arc_status_t load(arc_config_t *cfg, int argc, char **argv)
{
    arc_config_action_t a;
    char err[200];

    return arc_config_load(cfg, argc, argv, no_env, &a, err, sizeof(err));
}

static void zone_settings_parse(void **state)
{
    char *argv[] = {"arcnetd", "--role", "zone", "--zone", "east",
                    "--bus", "kafka://127.0.0.1:9092", "--replica", "b",
                    "--topic-prefix", "test.", "--max-buffered", "500"};
    arc_config_t c;

    (void)state;
    assert_int_equal(load(&c, 13, argv), ARC_OK);
    assert_int_equal(c.zone, ARC_ZONE_EAST);
    assert_string_equal(c.bus, "kafka://127.0.0.1:9092");
    assert_string_equal(c.replica, "b");
    assert_string_equal(c.topic_prefix, "test.");
    assert_int_equal(c.max_buffered, 500);
}

static void sim_site_is_a_bare_flag(void **state)
{
    char *argv[] = {"arcnetd", "--role", "agent", "--sim-site", "--node",
                    "w-phoenix-01"};
    arc_config_t c;

    (void)state;
    assert_int_equal(load(&c, 6, argv), ARC_OK);
    assert_true(c.sim_site);
    assert_string_equal(c.node, "w-phoenix-01");
}

static void unknown_bus_scheme_is_refused(void **state)
{
    char *argv[] = {"arcnetd", "--bus", "amqp://host"};
    arc_config_t c;

    (void)state;
    assert_int_equal(load(&c, 3, argv), ARC_ERR_INVALID);
}

static void unknown_zone_is_refused(void **state)
{
    char *argv[] = {"arcnetd", "--zone", "north"};
    arc_config_t c;

    (void)state;
    assert_int_equal(load(&c, 3, argv), ARC_ERR_INVALID);
}

static void printed_config_reads_back(void **state)
{
    char path[] = "/tmp/arcnet-role-config-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    char *argv[] = {"arcnetd", "--config", path};
    arc_config_t c, back;

    (void)state;
    arc_config_default(&c);
    c.role = ARC_DAEMON_ROLE_ZONE;
    c.zone = ARC_ZONE_CENTRAL;
    snprintf(c.bus, sizeof(c.bus), "kafka://10.0.0.1:9092");
    arc_config_print(&c, f);
    fclose(f);
    assert_int_equal(load(&back, 3, argv), ARC_OK);
    unlink(path);
    assert_int_equal(back.zone, ARC_ZONE_CENTRAL);
    assert_string_equal(back.bus, c.bus);
    assert_int_equal(back.role, ARC_DAEMON_ROLE_ZONE);
}

static void roles_need_a_kafka_bus(void **state)
{
    arc_config_t c;
    char err[200];

    (void)state;
    arc_config_default(&c);
    c.role = ARC_DAEMON_ROLE_BRAIN;
    assert_int_equal(arc_role_check(&c, err, sizeof(err)), ARC_ERR_INVALID);
    assert_non_null(strstr(err, "--bus kafka://"));
}

static void role_all_runs_its_bus_in_process(void **state)
{
    arc_config_t c;
    char err[200];

    (void)state;
    arc_config_default(&c);
    assert_int_equal(c.role, ARC_DAEMON_ROLE_ALL);
    assert_int_equal(arc_role_check(&c, err, sizeof(err)), ARC_OK);
    snprintf(c.bus, sizeof(c.bus), "kafka://127.0.0.1:1");
    assert_int_equal(arc_role_check(&c, err, sizeof(err)), ARC_ERR_INVALID);
    assert_non_null(strstr(err, "--bus inproc"));
}

static void agent_needs_a_node_and_zone_a_zone(void **state)
{
    arc_config_t c;
    char err[200];

    (void)state;
    arc_config_default(&c);
    snprintf(c.bus, sizeof(c.bus), "kafka://127.0.0.1:1");
    c.role = ARC_DAEMON_ROLE_AGENT;
    assert_int_equal(arc_role_check(&c, err, sizeof(err)), ARC_ERR_INVALID);
    c.role = ARC_DAEMON_ROLE_ZONE;
    assert_int_equal(arc_role_check(&c, err, sizeof(err)), ARC_ERR_INVALID);
    c.zone = ARC_ZONE_WEST;
    assert_int_equal(arc_role_check(&c, err, sizeof(err)), ARC_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zone_settings_parse),
        cmocka_unit_test(sim_site_is_a_bare_flag),
        cmocka_unit_test(unknown_bus_scheme_is_refused),
        cmocka_unit_test(unknown_zone_is_refused),
        cmocka_unit_test(printed_config_reads_back),
        cmocka_unit_test(roles_need_a_kafka_bus),
        cmocka_unit_test(role_all_runs_its_bus_in_process),
        cmocka_unit_test(agent_needs_a_node_and_zone_a_zone),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
