/*
 * ingest.c - how fast telemetry gets from the bus into the live state.
 *
 *   build/bench-ingest [--messages N] [--e2e N] [--linger MS] [--no-e2e]
 *
 * Part one, on one core: telemetry messages, encoded beforehand, are
 * decoded and applied to a mesh of 150 and of 100,000 nodes - once
 * through the codec and arc_mesh_apply directly, once through the
 * ingest handler a subscription uses (type dispatch included); then
 * the whole path of arcnetd --role all: encoded, published on an
 * inproc bus and applied by its subscription, a tick at a time.
 *
 * Part two, end to end: starts the mock Kafka cluster helper
 * (build/kafka/mock_cluster, three brokers on loopback), produces N
 * telemetry messages through the Kafka bus (idempotent, acks=all),
 * consumes, decodes and applies them in one subscription, then lets
 * kcat read the same topic for comparison ("kcat not installed" when
 * it is missing). Both are timed alike, from the first message to the
 * last: the consumer in its handler, kcat by reading its output (one
 * offset a line) as it comes, so neither's start-up (the consumer's
 * group join, about 3 s) nor kcat's end-of-partition detection counts.
 * kcat runs twice: with its defaults, and tuned -
 * queued.min.messages as the bus sets it, and fetch.wait.max.ms 10 so
 * that seeing the end of each partition does not cost it 0.5 s.
 *
 * Prints tables; asserts nothing. Threads: the main thread (librdkafka
 * adds its own). Memory: everything is freed before exit.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bus/bus.h"
#include "bus/codec.h"
#include "bus/ingest.h"
#include "core/geo.h"
#include "state/mesh.h"

#define KCAT "/usr/bin/kcat"
#define RUNS 3 /* each figure is the best of this many runs */

typedef struct corpus {
    uint8_t *bytes;  /* every message, back to back */
    size_t *offsets; /* start of message i; offsets[n] is the end */
    uint32_t count;
} corpus_t;

/* CPU seconds this process (all its threads) has used. */
static double cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void node_id(char *buf, size_t cap, uint32_t i)
{
    snprintf(buf, cap, "n-%06u", i);
}

static arc_mesh_t *make_mesh(uint32_t nodes)
{
    arc_mesh_t *mesh = arc_mesh_new();

    for (uint32_t i = 0; mesh != NULL && i < nodes; i++) {
        arc_node_t n;

        memset(&n, 0, sizeof(n));
        node_id(n.id, sizeof(n.id), i);
        n.site = "bench";
        n.lat = 30.0 + (double)(i % 1800) / 100.0;
        n.lon = -120.0 + (double)(i % 4500) / 100.0;
        n.zone = (uint8_t)arc_geo_zone_of(n.lat, n.lon);
        n.gpus_total = 8;
        n.gpus_free = 8;
        n.battery_kwh = 500.0f;
        n.battery_soc = 0.5f;
        n.models = 0xff;
        arc_mesh_add(mesh, &n, NULL);
    }
    return mesh;
}

static arc_telemetry_t telemetry_for(uint32_t k, uint32_t nodes)
{
    arc_telemetry_t t;

    memset(&t, 0, sizeof(t));
    t.seq = k / nodes + 1;
    t.time_us = 1700000000LL * ARC_US_PER_S + k;
    t.status = ARC_NODE_UP;
    t.energy_source = (uint8_t)(k % ARC_SOURCE_COUNT);
    t.gpus_free = (uint16_t)(k % 9);
    t.models = 0xff;
    t.queue_depth = k % 17;
    t.gpu_util = (float)(k % 100) / 100.0f;
    t.gpu_mem_used_gb = 40.0f;
    t.battery_soc = 0.5f;
    t.power_kw = 700.0f;
    t.carbon_g_per_kwh = 100.0f;
    return t;
}

/* Encodes `count` messages cycling over `nodes` nodes. */
static int make_corpus(corpus_t *c, uint32_t count, uint32_t nodes)
{
    arc_codec_t *codec = arc_codec_new();
    size_t cap = (size_t)count * 96;
    char id[ARC_NODE_ID_MAX];

    c->bytes = malloc(cap);
    c->offsets = malloc(((size_t)count + 1) * sizeof(size_t));
    c->count = count;
    if (codec == NULL || c->bytes == NULL || c->offsets == NULL)
        return -1;
    c->offsets[0] = 0;
    for (uint32_t k = 0; k < count; k++) {
        arc_telemetry_t t = telemetry_for(k, nodes);
        const uint8_t *p;
        size_t n;

        node_id(id, sizeof(id), k % nodes);
        if (arc_codec_encode_telemetry(codec, id, &t, &p, &n) != ARC_OK ||
            c->offsets[k] + n > cap)
            return -1;
        memcpy(c->bytes + c->offsets[k], p, n);
        c->offsets[k + 1] = c->offsets[k] + n;
    }
    arc_codec_free(codec);
    return 0;
}

static void free_corpus(corpus_t *c)
{
    free(c->bytes);
    free(c->offsets);
}

/* ---- part one: decode and apply on one core --------------------------- */

static double run_direct(const corpus_t *c, arc_mesh_t *mesh, uint64_t *applied)
{
    arc_codec_t *codec = arc_codec_new();
    double t0 = now_s();

    *applied = 0;
    for (uint32_t k = 0; k < c->count; k++) {
        arc_telemetry_t t;
        size_t off = c->offsets[k];

        if (arc_codec_decode_telemetry(codec, mesh, c->bytes + off,
                                       c->offsets[k + 1] - off, &t,
                                       NULL) == ARC_OK &&
            arc_mesh_apply(mesh, &t) == ARC_OK)
            (*applied)++;
    }
    t0 = now_s() - t0;
    arc_codec_free(codec);
    return t0;
}

static void quiet(void *ctx, arc_bus_log_level_t level, const char *line)
{
    (void)ctx;
    (void)level;
    (void)line;
}

static double run_handler(const corpus_t *c, arc_mesh_t *mesh,
                          uint64_t *applied)
{
    arc_ingest_t *in = arc_ingest_new(mesh, NULL, quiet, NULL);
    arc_ingest_stats_t st;
    arc_bus_msg_t msg = {.topic = ARC_TOPIC_TELEMETRY};
    double t0 = now_s();

    for (uint32_t k = 0; k < c->count; k++) {
        msg.value = c->bytes + c->offsets[k];
        msg.value_len = c->offsets[k + 1] - c->offsets[k];
        msg.offset = k;
        arc_ingest_handle(in, &msg);
    }
    t0 = now_s() - t0;
    arc_ingest_stats(in, &st);
    *applied = st.applied;
    arc_ingest_free(in);
    return t0;
}

/*
 * The all role's path: each report is encoded, published on an inproc
 * bus (rings of 8192, as arcnetd sizes them) and handed by the poll to
 * the ingest handler, a tick of one report per node at a time.
 */
static double run_inproc(const corpus_t *c, arc_mesh_t *mesh,
                         uint64_t *applied)
{
    const char *topic = ARC_TOPIC_TELEMETRY;
    uint32_t nodes = arc_mesh_count(mesh);
    arc_ingest_t *in = arc_ingest_new(mesh, NULL, quiet, NULL);
    arc_codec_t *codec = arc_codec_new();
    arc_bus_config_t cfg;
    arc_bus_t *bus = NULL;
    arc_bus_sub_t *sub = NULL;
    arc_ingest_stats_t st;
    double t0;

    arc_bus_config_default(&cfg);
    cfg.ring_capacity = 8192;
    cfg.log = quiet;
    *applied = 0;
    if (in == NULL || codec == NULL || arc_bus_open(&cfg, &bus) != ARC_OK ||
        arc_bus_subscribe(bus, &topic, 1, "bench", arc_ingest_handle, in,
                          &sub) != ARC_OK) {
        t0 = 0.0;
        goto out;
    }
    t0 = now_s();
    for (uint32_t k = 0; k < c->count; k++) {
        arc_telemetry_t t = telemetry_for(k, nodes);
        const char *id = arc_mesh_node(mesh, k % nodes)->id;
        const uint8_t *p;
        size_t n;

        t.node = k % nodes;
        if (arc_codec_encode_telemetry(codec, id, &t, &p, &n) != ARC_OK)
            break;
        while (arc_bus_publish(bus, topic, id, strlen(id), p, n) ==
               ARC_ERR_FULL)
            arc_bus_poll(bus, 0, UINT32_MAX, NULL);
        if (t.node == nodes - 1)
            arc_bus_poll(bus, 0, UINT32_MAX, NULL); /* end of a tick */
    }
    arc_bus_poll(bus, 0, UINT32_MAX, NULL);
    t0 = now_s() - t0;
    arc_ingest_stats(in, &st);
    *applied = st.applied;
out:
    arc_bus_close(bus);
    arc_codec_free(codec);
    arc_ingest_free(in);
    return t0;
}

static void print_row(const char *what, uint32_t nodes, uint64_t msgs,
                      uint64_t ok, double secs)
{
    printf("%-34s %7u %9llu %9llu %8.3f %12.0f\n", what, nodes,
           (unsigned long long)msgs, (unsigned long long)ok, secs,
           secs > 0 ? (double)msgs / secs : 0.0);
}

typedef double (*run_fn)(const corpus_t *c, arc_mesh_t *mesh,
                         uint64_t *applied);

/* The fastest of RUNS runs, each on a fresh mesh. */
static double best_of(const corpus_t *c, uint32_t nodes, run_fn run,
                      uint64_t *applied)
{
    double best = -1.0;

    for (int r = 0; r < RUNS; r++) {
        arc_mesh_t *mesh = make_mesh(nodes);
        double secs = run(c, mesh, applied);

        if (best < 0 || secs < best)
            best = secs;
        arc_mesh_free(mesh);
    }
    return best;
}

static void part_one(uint32_t count)
{
    static const uint32_t sizes[] = {150, 100000};
    cpu_set_t one;

    CPU_ZERO(&one);
    CPU_SET(0, &one);
    sched_setaffinity(0, sizeof(one), &one);
    printf("decode + apply telemetry on one core (best of %d runs)\n", RUNS);
    printf("%-34s %7s %9s %9s %8s %12s\n", "path", "nodes", "messages",
           "applied", "seconds", "msgs/s");
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        corpus_t c = {0};
        uint64_t ok = 0;
        double secs;

        if (make_corpus(&c, count, sizes[i]) != 0) {
            printf("could not build the messages\n");
            free_corpus(&c);
            return;
        }
        secs = best_of(&c, sizes[i], run_direct, &ok);
        print_row("codec + arc_mesh_apply", sizes[i], count, ok, secs);
        secs = best_of(&c, sizes[i], run_handler, &ok);
        print_row("ingest handler (as subscribed)", sizes[i], count, ok, secs);
        secs = best_of(&c, sizes[i], run_inproc, &ok);
        print_row("encode, inproc bus, ingest", sizes[i], count, ok, secs);
        free_corpus(&c);
    }
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    CPU_SET(1, &one);
    sched_setaffinity(0, sizeof(one), &one);
}

/* ---- part two: end to end through the mock brokers -------------------- */

typedef struct helper {
    pid_t pid;
    FILE *in;  /* commands to the helper */
    FILE *out; /* its answers */
    char bootstrap[512];
} helper_t;

static int start_helper(helper_t *h, const char *path)
{
    int to[2], from[2];

    if (pipe(to) != 0 || pipe(from) != 0)
        return -1;
    fflush(stdout);
    h->pid = fork();
    if (h->pid < 0)
        return -1;
    if (h->pid == 0) {
        dup2(to[0], STDIN_FILENO);
        dup2(from[1], STDOUT_FILENO);
        close(to[1]);
        close(from[0]);
        execl(path, path, "3", (char *)NULL);
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    h->in = fdopen(to[1], "w");
    h->out = fdopen(from[0], "r");
    if (fgets(h->bootstrap, sizeof(h->bootstrap), h->out) == NULL)
        return -1;
    h->bootstrap[strcspn(h->bootstrap, "\n")] = '\0';
    return 0;
}

static int helper_say(helper_t *h, const char *cmd)
{
    char answer[256];

    fprintf(h->in, "%s\n", cmd);
    fflush(h->in);
    if (fgets(answer, sizeof(answer), h->out) == NULL)
        return -1;
    return strncmp(answer, "ok", 2) == 0 ? 0 : -1;
}

static void stop_helper(helper_t *h)
{
    if (h->in != NULL)
        fclose(h->in); /* the helper exits when stdin closes */
    if (h->out != NULL)
        fclose(h->out);
    if (h->pid > 0)
        waitpid(h->pid, NULL, 0);
}

static int linger_ms = 5;

static arc_bus_t *open_kafka(const helper_t *h)
{
    arc_bus_config_t cfg;
    arc_bus_t *bus = NULL;
    char url[600];

    snprintf(url, sizeof(url), "kafka://%s", h->bootstrap);
    arc_bus_config_default(&cfg);
    cfg.url = url;
    cfg.session_timeout_ms = 6000;
    cfg.max_buffered = 1000000;
    cfg.linger_ms = linger_ms;
    cfg.log = getenv("ARC_BENCH_LOG") != NULL ? NULL : quiet;
    if (arc_bus_open(&cfg, &bus) != ARC_OK)
        return NULL;
    return bus;
}

static double produce_all(arc_bus_t *bus, const char *topic, const corpus_t *c,
                          uint32_t nodes)
{
    char id[ARC_NODE_ID_MAX];
    double t0 = now_s();

    for (uint32_t k = 0; k < c->count; k++) {
        size_t off = c->offsets[k];
        arc_status_t st;

        node_id(id, sizeof(id), k % nodes);
        do {
            st = arc_bus_publish(bus, topic, id, strlen(id), c->bytes + off,
                                 c->offsets[k + 1] - off);
            if (st == ARC_ERR_FULL)
                arc_bus_poll(bus, 1, 0, NULL);
        } while (st == ARC_ERR_FULL);
    }
    if (arc_bus_flush(bus, 60000) != ARC_OK)
        return -1.0;
    return now_s() - t0;
}

/* Times the consumer from its first message to its last. */
typedef struct timed {
    arc_ingest_t *in;
    uint64_t seen;
    double first, last;
    double cpu_first; /* process CPU time at the first message */
} timed_t;

static arc_status_t timed_handle(void *ctx, const arc_bus_msg_t *msg)
{
    timed_t *t = ctx;
    arc_status_t st = arc_ingest_handle(t->in, msg);

    if (t->seen++ == 0) {
        t->first = now_s();
        t->cpu_first = cpu_s();
    }
    return st;
}

static double consume_all(arc_bus_t *bus, const char *topic, uint32_t count,
                          int run, uint64_t *applied, double *cpu)
{
    char group[32];
    arc_mesh_t *mesh = make_mesh(150);
    timed_t t = {arc_ingest_new(mesh, NULL, quiet, NULL), 0, 0, 0, 0};
    const char *topics[] = {topic};
    arc_bus_sub_t *sub = NULL;
    arc_ingest_stats_t st;
    double deadline = now_s() + 60.0;

    snprintf(group, sizeof(group), "bench-ingest-%d", run);
    arc_bus_subscribe(bus, topics, 1, group, timed_handle, &t, &sub);
    while (t.seen < count && now_s() < deadline)
        arc_bus_poll(bus, 100, 10000, NULL);
    t.last = now_s(); /* poll returns as soon as the last is handled */
    *cpu = cpu_s() - t.cpu_first;
    arc_ingest_stats(t.in, &st);
    *applied = st.applied;
    arc_bus_unsubscribe(bus, sub);
    arc_ingest_free(t.in);
    arc_mesh_free(mesh);
    return t.seen == count ? t.last - t.first : -1.0;
}

/*
 * Runs kcat on the topic, printing only each message's offset, and
 * times it the way the consumer is timed: from its first message to its
 * `count`-th, read from its output as they come. Its CPU is the whole
 * run's. Returns seconds, or -1 when kcat failed or fell short.
 */
static double run_kcat(const helper_t *h, const char *topic, bool tuned,
                       uint32_t count, double *cpu)
{
    double first = -1.0, last = -1.0;
    uint32_t seen = 0;
    int fds[2], status = 0;
    char buf[65536];
    ssize_t got;
    pid_t pid;
    struct rusage ru;

    fflush(stdout);
    if (pipe(fds) != 0)
        return -1.0;
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        if (dup2(fds[1], STDOUT_FILENO) < 0)
            _exit(127);
        if (tuned)
            execl(KCAT, "kcat", "-C", "-b", h->bootstrap, "-t", topic, "-o",
                  "beginning", "-e", "-q", "-f", "%o\n", "-X",
                  "queued.min.messages=1000000", "-X",
                  "fetch.wait.max.ms=10", (char *)NULL);
        else
            execl(KCAT, "kcat", "-C", "-b", h->bootstrap, "-t", topic, "-o",
                  "beginning", "-e", "-q", "-f", "%o\n", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    while (pid > 0 && (got = read(fds[0], buf, sizeof(buf))) > 0) {
        double t = now_s();

        if (first < 0)
            first = t;
        for (ssize_t i = 0; i < got; i++) {
            if (buf[i] == '\n' && ++seen == count)
                last = t;
        }
    }
    close(fds[0]);
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0 || last < 0)
        return -1.0;
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return last - first;
}

static void print_e2e(const char *what, uint64_t msgs, double secs)
{
    if (secs <= 0) {
        printf("%-46s %9llu %8s %12s\n", what, (unsigned long long)msgs, "-",
               "failed");
        return;
    }
    printf("%-46s %9llu %8.3f %12.0f\n", what, (unsigned long long)msgs, secs,
           (double)msgs / secs);
}

static void part_two_run(helper_t *h, uint32_t count)
{
    char topic[64], cmd[128];
    corpus_t c = {0};
    arc_bus_t *bus = open_kafka(h);
    uint64_t applied = 0;
    double produce, consume = -1.0, cpu = 0, kcat = -1.0, kcat_tuned = -1.0;
    double kcat_cpu = 0, tuned_cpu = 0;

    snprintf(topic, sizeof(topic), "bench.telemetry.%d", (int)getpid());
    snprintf(cmd, sizeof(cmd), "topic %s 8", topic);
    if (bus == NULL || helper_say(h, cmd) != 0 ||
        make_corpus(&c, count, 150) != 0) {
        printf("could not set up the end-to-end run\n");
        goto out;
    }
    produce = produce_all(bus, topic, &c, 150);
    for (int r = 0; r < RUNS; r++) {
        double c_cpu,
            secs = consume_all(bus, topic, count, r, &applied, &c_cpu);

        if (secs > 0 && (consume < 0 || secs < consume)) {
            consume = secs;
            cpu = c_cpu;
        }
    }
    for (int r = 0; r < RUNS && access(KCAT, X_OK) == 0; r++) {
        double k_cpu = 0, secs = run_kcat(h, topic, false, count, &k_cpu);

        if (secs > 0 && (kcat < 0 || secs < kcat)) {
            kcat = secs;
            kcat_cpu = k_cpu;
        }
        secs = run_kcat(h, topic, true, count, &k_cpu);
        if (secs > 0 && (kcat_tuned < 0 || secs < kcat_tuned)) {
            kcat_tuned = secs;
            tuned_cpu = k_cpu;
        }
    }

    printf("\nend to end through 3 mock brokers (%s, 8 partitions, "
           "linger.ms %d; reads: best of %d)\n",
           h->bootstrap, linger_ms, RUNS);
    printf("%-46s %9s %8s %12s\n", "step", "messages", "seconds", "msgs/s");
    print_e2e("produce (idempotent, acks=all)", count, produce);
    print_e2e("consume + decode + apply (first..last msg)", applied, consume);
    printf("%-46s %9s %8.3f\n", "  its CPU seconds, all threads", "", cpu);
    if (access(KCAT, X_OK) != 0)
        printf("kcat not installed\n");
    else
        print_e2e("kcat -C, defaults (first..last msg)", count, kcat);
    if (kcat > 0)
        printf("%-46s %9s %8.3f\n", "  its CPU seconds", "", kcat_cpu);
    if (kcat_tuned > 0) {
        print_e2e("kcat, fetch tuned (see above)", count, kcat_tuned);
        printf("%-46s %9s %8.3f\n", "  its CPU seconds", "", tuned_cpu);
    }
    if (kcat_tuned > 0 && consume > 0)
        printf("%-46s %30.2f\n", "arcnet consumer / kcat (fetch tuned)",
               kcat_tuned / consume);
    if (kcat > 0 && consume > 0)
        printf("%-46s %30.2f\n", "arcnet consumer / kcat (kcat defaults)",
               kcat / consume);
out:
    arc_bus_close(bus);
    free_corpus(&c);
}

static void part_two(const char *argv0, uint32_t count)
{
    char path[4096];
    const char *slash = strrchr(argv0, '/');
    helper_t h = {0};

    snprintf(path, sizeof(path), "%.*skafka/mock_cluster",
             slash != NULL ? (int)(slash - argv0 + 1) : 0, argv0);
    if (access(path, X_OK) != 0 || start_helper(&h, path) != 0) {
        printf("\nmock cluster helper not found at %s (make builds it)\n",
               path);
        stop_helper(&h);
        return;
    }
    part_two_run(&h, count);
    stop_helper(&h);
}

int main(int argc, char **argv)
{
    uint32_t count = 2000000, e2e = 300000;
    bool run_e2e = true;

    signal(SIGPIPE, SIG_IGN);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--messages") == 0 && i + 1 < argc)
            count = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--e2e") == 0 && i + 1 < argc)
            e2e = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--linger") == 0 && i + 1 < argc)
            linger_ms = atoi(argv[++i]);
        else if (strcmp(argv[i], "--no-e2e") == 0)
            run_e2e = false;
    }
    if (count == 0 || e2e == 0) {
        fprintf(stderr, "usage: bench-ingest [--messages N] [--e2e N] "
                        "[--linger MS] [--no-e2e]\n");
        return 2;
    }
    part_one(count);
    if (run_e2e)
        part_two(argv[0], e2e);
    return 0;
}
