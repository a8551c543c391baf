/*
 * mock_cluster.c - a Kafka cluster for tests and benchmarks, with no
 * broker installed: librdkafka's mock cluster (real Kafka protocol on
 * loopback) hosted in a small process that others drive over stdin.
 *
 *   build/kafka/mock_cluster [BROKERS]        (default 3 brokers)
 *
 * The first line on stdout is the bootstrap address list
 * ("127.0.0.1:PORT,..."; the ports are new on every start). It then
 * reads commands, one per line, and answers each with one line, "ok"
 * or "error: <why>":
 *   down N                     broker N (1..BROKERS) refuses connections
 *   up N                       broker N accepts them again
 *   errors API COUNT ERR       the next COUNT requests of API (a number
 *                              or a name: Produce, Fetch, Metadata,
 *                              OffsetCommit, JoinGroup, ...) fail with
 *                              ERR (a number or a name such as
 *                              NOT_LEADER_FOR_PARTITION)
 *   topic NAME PARTITIONS      creates a topic (replication 1)
 *   leaders NAME BROKER        moves the leadership of every partition
 *                              of topic NAME to broker BROKER, or with
 *                              -1 leaves them without a leader (their
 *                              messages wait); answers "ok N" with the
 *                              number of partitions (the mock creates
 *                              a topic that does not exist)
 * It exits when stdin closes or on SIGTERM or SIGINT.
 *
 * Threads: the main thread reads commands; the mock brokers run on
 * librdkafka's threads. Memory: everything lives until exit.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_ERRORS 1000

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static const struct {
    const char *name;
    int16_t key;
} apis[] = {
    {"Produce", 0},          {"Fetch", 1},        {"ListOffsets", 2},
    {"Metadata", 3},         {"OffsetCommit", 8}, {"OffsetFetch", 9},
    {"FindCoordinator", 10}, {"JoinGroup", 11},   {"Heartbeat", 12},
    {"LeaveGroup", 13},      {"SyncGroup", 14},   {"ApiVersions", 18},
    {"InitProducerId", 22},
};

static int parse_api(const char *s, int16_t *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s != '\0' && *end == '\0' && v >= 0 && v < 100) {
        *out = (int16_t)v;
        return 0;
    }
    for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
        if (strcasecmp(s, apis[i].name) == 0) {
            *out = apis[i].key;
            return 0;
        }
    }
    return -1;
}

static int parse_err(const char *s, rd_kafka_resp_err_t *out)
{
    const struct rd_kafka_err_desc *descs;
    size_t count;
    char *end;
    long v = strtol(s, &end, 10);

    if (*s != '\0' && *end == '\0') {
        *out = (rd_kafka_resp_err_t)v;
        return 0;
    }
    rd_kafka_get_err_descs(&descs, &count);
    for (size_t i = 0; i < count; i++) {
        if (descs[i].name != NULL && strcasecmp(s, descs[i].name) == 0) {
            *out = descs[i].code;
            return 0;
        }
    }
    return -1;
}

static const char *cmd_errors(rd_kafka_mock_cluster_t *mc, const char *api,
                              const char *count, const char *err)
{
    static rd_kafka_resp_err_t errs[MAX_ERRORS];
    int16_t key;
    rd_kafka_resp_err_t code;
    long n = strtol(count, NULL, 10);

    if (parse_api(api, &key) != 0)
        return "error: unknown api";
    if (parse_err(err, &code) != 0)
        return "error: unknown error name";
    if (n <= 0 || n > MAX_ERRORS)
        return "error: count must be 1..1000";
    for (long i = 0; i < n; i++)
        errs[i] = code;
    rd_kafka_mock_push_request_errors_array(mc, key, (size_t)n, errs);
    return "ok";
}

static const char *cmd_broker(rd_kafka_mock_cluster_t *mc, int brokers,
                              const char *verb, const char *arg)
{
    long id = strtol(arg, NULL, 10);
    rd_kafka_resp_err_t err;

    if (id < 1 || id > brokers)
        return "error: no such broker";
    if (strcmp(verb, "down") == 0)
        err = rd_kafka_mock_broker_set_down(mc, (int32_t)id);
    else
        err = rd_kafka_mock_broker_set_up(mc, (int32_t)id);
    return err == RD_KAFKA_RESP_ERR_NO_ERROR ? "ok" : rd_kafka_err2str(err);
}

/* Sets the leader of partitions 0, 1, ... of a topic until the mock
 * says there is no such partition. */
static const char *cmd_leaders(rd_kafka_mock_cluster_t *mc, int brokers,
                               const char *topic, const char *arg)
{
    static char answer[32];
    long id = strtol(arg, NULL, 10);
    int32_t p = 0;

    if (id != -1 && (id < 1 || id > brokers))
        return "error: no such broker";
    while (p < 10000 && rd_kafka_mock_partition_set_leader(
                            mc, topic, p, (int32_t)id) ==
                            RD_KAFKA_RESP_ERR_NO_ERROR)
        p++;
    snprintf(answer, sizeof(answer), "ok %d", (int)p);
    return answer;
}

static const char *run_command(rd_kafka_mock_cluster_t *mc, int brokers,
                               char *line)
{
    char *save = NULL;
    char *verb = strtok_r(line, " \t\r\n", &save);
    char *a = strtok_r(NULL, " \t\r\n", &save);
    char *b = strtok_r(NULL, " \t\r\n", &save);
    char *c = strtok_r(NULL, " \t\r\n", &save);

    if (verb == NULL)
        return "error: empty command";
    if ((strcmp(verb, "down") == 0 || strcmp(verb, "up") == 0) && a != NULL)
        return cmd_broker(mc, brokers, verb, a);
    if (strcmp(verb, "leaders") == 0 && b != NULL)
        return cmd_leaders(mc, brokers, a, b);
    if (strcmp(verb, "errors") == 0 && c != NULL)
        return cmd_errors(mc, a, b, c);
    if (strcmp(verb, "topic") == 0 && b != NULL) {
        if (rd_kafka_mock_topic_create(mc, a, atoi(b), 1) !=
            RD_KAFKA_RESP_ERR_NO_ERROR)
            return "error: topic not created";
        return "ok";
    }
    return "error: unknown command";
}

/*
 * Serves stdin until it closes or a signal asks to stop. The signal
 * handlers are installed without SA_RESTART, so a signal interrupts the
 * blocking read and fgets returns.
 */
static void serve(rd_kafka_mock_cluster_t *mc, int brokers)
{
    char line[512];

    while (!stop && fgets(line, sizeof(line), stdin) != NULL) {
        printf("%s\n", run_command(mc, brokers, line));
        fflush(stdout);
    }
}

static void on_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

int main(int argc, char **argv)
{
    char errstr[256];
    int brokers = argc > 1 ? atoi(argv[1]) : 3;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;

    if (brokers < 1 || brokers > 16) {
        fprintf(stderr, "usage: mock_cluster [BROKERS 1..16]\n");
        return 2;
    }
    on_signals();
    rd_kafka_conf_set(conf, "log_level", "2", errstr, sizeof(errstr));
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "rd_kafka_new() failed: %s\n", errstr);
        return 1;
    }
    mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (mc == NULL) {
        fprintf(stderr, "rd_kafka_mock_cluster_new() failed\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);

    serve(mc, brokers);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
