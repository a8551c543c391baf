/*
 * inject.c - puts one message of arbitrary bytes on a Kafka topic, for
 * the cluster test's bad-message checks.
 *
 *   build/cluster/inject BOOTSTRAP TOPIC KEY HEX
 *
 * HEX is the message as hexadecimal digits ("c1", "930163..."). Exits 0
 * once the brokers acknowledged it, 1 otherwise (10 s at most).
 *
 * Threads: main, plus librdkafka's own. Memory: freed before exit.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* Decodes hex into out; returns the byte count or -1. */
static long decode(const char *hex, unsigned char *out, size_t cap)
{
    size_t n = strlen(hex);

    if (n % 2 != 0 || n / 2 > cap) {
        return -1;
    }
    for (size_t i = 0; i < n; i += 2) {
        int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);

        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[i / 2] = (unsigned char)(hi * 16 + lo);
    }
    return (long)(n / 2);
}

int main(int argc, char **argv)
{
    unsigned char buf[1024];
    char errstr[256];
    rd_kafka_conf_t *conf;
    rd_kafka_t *rk;
    long len;
    int rc = 1;

    if (argc != 5 || (len = decode(argv[4], buf, sizeof(buf))) < 0) {
        fprintf(stderr, "usage: inject BOOTSTRAP TOPIC KEY HEX\n");
        return 2;
    }
    conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr,
                          sizeof(errstr)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "inject: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "inject: %s\n", errstr);
        return 1;
    }
    if (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[2]),
                          RD_KAFKA_V_KEY(argv[3], strlen(argv[3])),
                          RD_KAFKA_V_VALUE(buf, (size_t)len),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        rd_kafka_flush(rk, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        rd_kafka_outq_len(rk) == 0) {
        rc = 0;
    }
    rd_kafka_destroy(rk);
    return rc;
}
