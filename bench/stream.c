/*
 * bench/stream.c - how many stream frames arcnetd delivers per second to
 * many WebSocket clients at once, and what that costs the server.
 *
 * Opens N connections to /v1/stream (token in the query), counts the
 * complete frames and bytes every client receives over D seconds after
 * all are connected, and, given the server's pid, reads its CPU time
 * from /proc before and after. One thread, one lws client context.
 * Prints a table; asserts nothing. bench/stream.sh starts a daemon and
 * runs this against it.
 *
 *   build/bench-stream --port P --token T [--clients 1000]
 *                      [--seconds 10] [--pid PID]
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct totals {
    int connected;
    int closed;
    int failed;
    int counting;          /* 1 once every client is connected */
    unsigned long frames;  /* complete frames while counting */
    unsigned long bytes;
};

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
                    void *user, void *in, size_t len)
{
    struct totals *t = lws_context_user(lws_get_context(wsi));

    (void)user;
    (void)in;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        t->connected++;
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        t->failed++;
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        t->closed++;
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (t->counting) {
            t->bytes += len;
            if (lws_is_final_fragment(wsi))
                t->frames++;
        }
        break;
    default:
        break;
    }
    return 0;
}

/* The server's user + system time in seconds; -1 when unknown. */
static double cpu_seconds(int pid)
{
    char path[64];
    unsigned long utime, stime;
    FILE *f;
    int n;

    if (pid <= 0)
        return -1.0;
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1.0;
    n = fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                  "%lu %lu", &utime, &stime);
    fclose(f);
    return n == 2 ? (double)(utime + stime) / sysconf(_SC_CLK_TCK) : -1.0;
}

static int connect_all(struct lws_context *ctx, int port, const char *path,
                       int clients)
{
    for (int i = 0; i < clients; i++) {
        struct lws_client_connect_info ci;

        memset(&ci, 0, sizeof(ci));
        ci.context = ctx;
        ci.address = "127.0.0.1";
        ci.port = port;
        ci.path = path;
        ci.host = "127.0.0.1";
        ci.origin = "127.0.0.1";
        if (lws_client_connect_via_info(&ci) == NULL)
            return -1;
    }
    return 0;
}

static void serve_for(struct lws_context *ctx, lws_usec_t us)
{
    lws_usec_t end = lws_now_usecs() + us;

    while (lws_now_usecs() < end)
        lws_service(ctx, 0);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench-stream --port P --token T [--clients N] "
                    "[--seconds S] [--pid PID]\n");
}

int main(int argc, char **argv)
{
    static struct lws_protocols protocols[] = {
        {"arcnet", callback, 0, 1 << 16, 0, NULL, 0},
        {NULL, NULL, 0, 0, 0, NULL, 0},
    };
    struct lws_context_creation_info info;
    struct lws_context *ctx;
    struct totals t = {0};
    const char *token = NULL;
    int port = 0, clients = 1000, seconds = 10, pid = 0;
    char path[256];
    double cpu0, cpu1;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--port") == 0)
            port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--token") == 0)
            token = argv[i + 1];
        else if (strcmp(argv[i], "--clients") == 0)
            clients = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--pid") == 0)
            pid = atoi(argv[i + 1]);
    }
    if (port <= 0 || token == NULL || clients <= 0 || seconds <= 0 ||
        argc % 2 == 0) {
        usage();
        return 2;
    }
    snprintf(path, sizeof(path), "/v1/stream?token=%s", token);

    lws_set_log_level(0, NULL);
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.user = &t;
    info.fd_limit_per_thread = (unsigned)clients + 64;
    ctx = lws_create_context(&info);
    if (ctx == NULL || connect_all(ctx, port, path, clients) != 0) {
        fprintf(stderr, "bench-stream: could not start %d clients\n",
                clients);
        if (ctx != NULL)
            lws_context_destroy(ctx);
        return 1;
    }

    /* Wait up to 30 s for every connection, then count. */
    for (int i = 0; i < 300 && t.connected + t.failed < clients; i++)
        serve_for(ctx, 100000);
    t.counting = 1;
    cpu0 = cpu_seconds(pid);
    serve_for(ctx, (lws_usec_t)seconds * 1000000);
    cpu1 = cpu_seconds(pid);
    t.counting = 0;

    printf("%8s %8s %8s %12s %10s %10s %12s\n", "clients", "closed",
           "failed", "frames/s", "MB/s", "server CPU", "CPU us/frame");
    printf("%8d %8d %8d %12.0f %10.2f", t.connected, t.closed, t.failed,
           (double)t.frames / seconds, (double)t.bytes / seconds / 1e6);
    if (cpu0 >= 0 && cpu1 >= 0 && t.frames > 0)
        printf(" %9.0f%% %12.1f\n", 100.0 * (cpu1 - cpu0) / seconds,
               (cpu1 - cpu0) * 1e6 / (double)t.frames);
    else
        printf(" %10s %12s\n", "-", "-");
    lws_context_destroy(ctx);
    return 0;
}
