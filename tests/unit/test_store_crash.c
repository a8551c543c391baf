/*
 * test_store_crash.c - the SQLite store survives kill -9 during heavy
 * writes. A child process writes one node's rows with consecutive
 * sequence numbers as fast as it can and tells the parent, through a
 * pipe, the highest sequence it knows committed; the parent kills it
 * at a varying moment, then checks the file: integrity_check says ok,
 * the stored sequences run 1..max without a gap (each batch is one
 * transaction), and nothing reported committed is missing. Five rounds
 * on the same file, each child continuing where the last one stopped.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"

#define ROUNDS 5
#define T0 (1773999960LL * ARC_US_PER_S)

typedef struct stored {
    int64_t count, min_seq, max_seq;
} stored_t;

static stored_t read_back(const char *path)
{
    stored_t s = {0, 0, 0};
    sqlite3 *db;
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
                                        &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), "
                                        "coalesce(min(seq), 0), "
                                        "coalesce(max(seq), 0) "
                                        "FROM node_state", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    s.count = sqlite3_column_int64(st, 0);
    s.min_seq = sqlite3_column_int64(st, 1);
    s.max_seq = sqlite3_column_int64(st, 2);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return s;
}

static arc_store_node_row_t seq_row(uint64_t seq)
{
    arc_store_node_row_t r;

    memset(&r, 0, sizeof(r));
    snprintf(r.node, sizeof(r.node), "crash-node");
    r.seq = seq;
    r.valid_us = T0 + (int64_t)seq * ARC_US_PER_MS;
    r.gpus_total = 8;
    r.battery_soc = (float)(seq % 100) / 100.0f;
    return r;
}

/* The child: writes from `next` on until killed. Never returns. */
static void writer_child(const char *path, uint64_t next, int fd)
{
    arc_store_config_t cfg;
    arc_store_t *store;
    arc_store_stats_t st;
    uint64_t first = next;
    char err[256];

    arc_store_config_default(&cfg);
    cfg.flush_us = 5 * ARC_US_PER_MS;
    cfg.queue_rows = 4096;
    if (arc_store_open(path, &cfg, &store, err, sizeof(err)) != ARC_OK) {
        _exit(3);
    }
    for (;;) {
        arc_store_node_row_t r = seq_row(next);

        if (arc_store_put_node(store, &r) == ARC_ERR_FULL) {
            usleep(200);
            continue;
        }
        next++;
        if (next % 512 == 0) {
            int64_t done;

            arc_store_stats(store, &st);
            done = (int64_t)(first + st.committed) - 1;
            if (write(fd, &done, sizeof(done)) != sizeof(done)) {
                _exit(4);
            }
        }
    }
}

/* The last committed sequence the child reported (0: none). */
static int64_t last_reported(int fd)
{
    int64_t v, last = 0;

    while (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v)) {
        last = v;
    }
    return last;
}

static void one_round(const char *path, int round)
{
    stored_t before = read_back(path), after;
    int fds[2];
    int status;
    pid_t pid;

    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        writer_child(path, (uint64_t)before.max_seq + 1, fds[1]);
    }
    close(fds[1]);
    usleep((useconds_t)(250000 + round * 70000));
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));

    after = read_back(path);
    assert_true(after.max_seq > before.max_seq); /* it did write */
    assert_int_equal(after.min_seq, 1);
    assert_int_equal(after.count, after.max_seq); /* no gap */
    assert_true(after.max_seq >= last_reported(fds[0]));
    close(fds[0]);
}

static void test_kill_during_writes_keeps_history_continuous(void **state)
{
    char dir[] = "/tmp/arc-store-crash.XXXXXX";
    char path[64], cmd[96];
    arc_store_config_t cfg;
    arc_store_t *store;
    char err[256];

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/history.db", dir);
    arc_store_config_default(&cfg);
    assert_int_equal(arc_store_open(path, &cfg, &store, err, sizeof(err)),
                     ARC_OK); /* create the schema */
    arc_store_close(store);
    for (int round = 0; round < ROUNDS; round++) {
        one_round(path, round);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_during_writes_keeps_history_continuous),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
