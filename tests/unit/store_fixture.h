/*
 * store_fixture.h - opens a fresh store on either backend for the store
 * tests: SQLite in a new temporary directory, or PostgreSQL in a new
 * database of the cluster named by ARCNET_TEST_PG (which `make test`
 * starts). Without ARCNET_TEST_PG the PostgreSQL tests are skipped;
 * with it set but unreachable they fail when CI=true, else skip.
 * Clocks are fake: tests move system and valid time by hand.
 * Header-only so each test program stays one file.
 */
#ifndef ARC_TEST_STORE_FIXTURE_H
#define ARC_TEST_STORE_FIXTURE_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

#define SFX_NOW (1773999960LL * ARC_US_PER_S) /* 2026-03-20T09:46:00Z */

typedef struct sfx {
    bool postgres;
    char target[512];
    char dir[256];             /* SQLite: the temporary directory */
    char dbname[64];           /* PostgreSQL: the test's database */
    int64_t sys_now;           /* the fake system clock */
    int64_t valid_now;         /* the fake valid-time clock */
    arc_store_config_t cfg;
    arc_store_t *store;
    PGconn *blocker;           /* holds a lock to make writes fail */
    sqlite3 *sq_blocker;
} sfx_t;

static int64_t sfx_sys_clock(void *ctx)
{
    return ((sfx_t *)ctx)->sys_now;
}

static int64_t sfx_valid_clock(void *ctx)
{
    return ((sfx_t *)ctx)->valid_now;
}

static bool sfx_ci(void)
{
    const char *ci = getenv("CI");

    return ci != NULL && strcmp(ci, "true") == 0;
}

static void sfx_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs sql on the admin database of ARCNET_TEST_PG. */
static bool sfx_pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("ARCNET_TEST_PG"));
    bool ok = PQstatus(c) == CONNECTION_OK;

    if (ok) {
        PGresult *r;

        PQsetNoticeProcessor(c, sfx_quiet, NULL);
        r = PQexec(c, sql);

        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) {
            fprintf(stderr, "admin: %s", PQerrorMessage(c));
        }
        PQclear(r);
    } else {
        fprintf(stderr, "ARCNET_TEST_PG unreachable: %s",
                PQerrorMessage(c));
    }
    PQfinish(c);
    return ok;
}

/* The URL of ARCNET_TEST_PG with another database name. */
static void sfx_pg_url(sfx_t *fx)
{
    const char *base = getenv("ARCNET_TEST_PG");
    const char *host = strstr(base, "://");
    const char *slash = host ? strchr(host + 3, '/') : NULL;
    int keep = slash ? (int)(slash - base) : (int)strlen(base);

    snprintf(fx->target, sizeof(fx->target), "%.*s/%s", keep, base,
             fx->dbname);
}

static arc_status_t sfx_open(sfx_t *fx)
{
    char err[256];
    arc_status_t st = arc_store_open(fx->target, &fx->cfg, &fx->store, err,
                                     sizeof(err));

    if (st != ARC_OK) {
        fprintf(stderr, "open: %s\n", err);
    }
    return st;
}

static void sfx_config(sfx_t *fx)
{
    arc_store_config_default(&fx->cfg);
    fx->cfg.flush_us = 20 * ARC_US_PER_MS;
    fx->cfg.retry_us = 20 * ARC_US_PER_MS;
    fx->cfg.maintain_every_us = 0;
    fx->cfg.clock = sfx_sys_clock;
    fx->cfg.clock_ctx = fx;
    fx->cfg.valid_clock = sfx_valid_clock;
    fx->cfg.valid_clock_ctx = fx;
    fx->sys_now = SFX_NOW;
    fx->valid_now = SFX_NOW;
}

static int sfx_setup_sqlite(void **state)
{
    static int counter;
    sfx_t *fx = calloc(1, sizeof(*fx));

    snprintf(fx->dir, sizeof(fx->dir), "/tmp/arc-store-test-%d-%d.XXXXXX",
             (int)getpid(), counter++);
    if (mkdtemp(fx->dir) == NULL) {
        free(fx);
        return -1;
    }
    snprintf(fx->target, sizeof(fx->target), "sqlite:%s/history.db",
             fx->dir);
    sfx_config(fx);
    *state = fx;
    return 0;
}

static int sfx_setup_postgres(void **state)
{
    static int counter;
    char sql[160];
    sfx_t *fx;

    *state = NULL;
    if (getenv("ARCNET_TEST_PG") == NULL) {
        return 0; /* the test skips */
    }
    fx = calloc(1, sizeof(*fx));
    fx->postgres = true;
    snprintf(fx->dbname, sizeof(fx->dbname), "arc_store_test_%d_%d",
             (int)getpid(), counter++);
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", fx->dbname);
    sfx_pg_admin(sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", fx->dbname);
    if (!sfx_pg_admin(sql)) {
        free(fx);
        return sfx_ci() ? -1 : 0;
    }
    sfx_pg_url(fx);
    sfx_config(fx);
    *state = fx;
    return 0;
}

/* Opens the store with the fixture's config; skips when no backend. */
static sfx_t *sfx_begin(void **state)
{
    sfx_t *fx = *state;

    if (fx == NULL) {
        skip();
    }
    if (sfx_open(fx) != ARC_OK) {
        fail_msg("cannot open the store");
    }
    return fx;
}

static void sfx_close(sfx_t *fx)
{
    arc_store_close(fx->store);
    fx->store = NULL;
}

static int sfx_teardown(void **state)
{
    sfx_t *fx = *state;
    char cmd[320];

    if (fx == NULL) {
        return 0;
    }
    sfx_close(fx);
    if (fx->blocker != NULL) {
        PQfinish(fx->blocker);
    }
    if (fx->sq_blocker != NULL) {
        sqlite3_close(fx->sq_blocker);
    }
    if (fx->postgres) {
        snprintf(cmd, sizeof(cmd), "DROP DATABASE IF EXISTS %s",
                 fx->dbname);
        sfx_pg_admin(cmd);
    } else {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "could not remove %s\n", fx->dir);
        }
    }
    free(fx);
    return 0;
}

/* Makes every write fail (a lock the writer cannot get) until unblock. */
static void sfx_block_writes(sfx_t *fx)
{
    if (fx->postgres) {
        PGresult *r;

        fx->blocker = PQconnectdb(fx->target);
        r = PQexec(fx->blocker, "BEGIN; LOCK TABLE nodes, node_state "
                                "IN ACCESS EXCLUSIVE MODE");
        assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
        PQclear(r);
    } else {
        char path[300];

        snprintf(path, sizeof(path), "%s/history.db", fx->dir);
        assert_int_equal(sqlite3_open(path, &fx->sq_blocker), SQLITE_OK);
        assert_int_equal(sqlite3_exec(fx->sq_blocker, "BEGIN EXCLUSIVE",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    }
}

static void sfx_unblock_writes(sfx_t *fx)
{
    if (fx->postgres) {
        PQclear(PQexec(fx->blocker, "COMMIT"));
        PQfinish(fx->blocker);
        fx->blocker = NULL;
    } else {
        sqlite3_exec(fx->sq_blocker, "COMMIT", NULL, NULL, NULL);
        sqlite3_close(fx->sq_blocker);
        fx->sq_blocker = NULL;
    }
}

#endif
