/*
 * ws_client.c - a tiny WebSocket client for the integration test: it
 * connects to arcnetd's stream with libwebsockets' client role, prints
 * every text frame it receives on its own line, and reports how the
 * connection ended.
 *
 *   ws_client PORT PATH [options]
 *     --token T        send "Authorization: Bearer T"
 *     --frames N       exit 0 after N frames (default 1)
 *     --send TEXT      send TEXT as a text frame once connected
 *     --binary         send it as a binary frame instead
 *     --timeout S      give up after S seconds (default 10)
 *
 * Exit: 0 got the frames; 3 the server refused the connection; 4 the
 * server closed it (prints "CLOSE code reason"); 5 timed out; 2 usage.
 *
 * One thread; everything lives in main's frame.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct client {
    const char *token;
    const char *send;
    int binary;
    int frames_wanted;
    int frames;
    int done;
    int exit_code;
    unsigned char *msg;   /* frame being reassembled */
    size_t msg_len;
} client_t;

static int add_auth(client_t *c, struct lws *wsi, void *in, size_t len)
{
    unsigned char **p = in;
    unsigned char *end = *p + len;
    char value[256];

    if (c->token == NULL) {
        return 0;
    }
    snprintf(value, sizeof(value), "Bearer %s", c->token);
    return lws_add_http_header_by_token(
        wsi, WSI_TOKEN_HTTP_AUTHORIZATION, (unsigned char *)value,
        (int)strlen(value), p, end) ? -1 : 0;
}

static int on_receive(client_t *c, struct lws *wsi, void *in, size_t len)
{
    unsigned char *nb = realloc(c->msg, c->msg_len + len + 1);

    if (nb == NULL) {
        return -1;
    }
    c->msg = nb;
    memcpy(c->msg + c->msg_len, in, len);
    c->msg_len += len;
    if (!lws_is_final_fragment(wsi)) {
        return 0;
    }
    fwrite(c->msg, 1, c->msg_len, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    c->msg_len = 0;
    if (++c->frames >= c->frames_wanted) {
        c->done = 1;
        c->exit_code = 0;
        return -1;
    }
    return 0;
}

static int on_close(client_t *c, void *in, size_t len)
{
    const unsigned char *b = in;
    int code = len >= 2 ? b[0] << 8 | b[1] : 0;

    printf("CLOSE %d %.*s\n", code, len > 2 ? (int)len - 2 : 0,
           len > 2 ? (const char *)b + 2 : "");
    fflush(stdout);
    c->done = 1;
    c->exit_code = 4;
    return 0;
}

static int send_text(client_t *c, struct lws *wsi)
{
    size_t n = strlen(c->send);
    unsigned char *buf = malloc(LWS_PRE + n + 1);
    int rc;

    if (buf == NULL) {
        return -1;
    }
    memcpy(buf + LWS_PRE, c->send, n);
    rc = lws_write(wsi, buf + LWS_PRE, n,
                   c->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
    free(buf);
    c->send = NULL;
    return rc < 0 ? -1 : 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
                    void *user, void *in, size_t len)
{
    client_t *c = lws_context_user(lws_get_context(wsi));

    (void)user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        return add_auth(c, wsi, in, len);
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        printf("REFUSED %s\n", in ? (const char *)in : "");
        c->done = 1;
        c->exit_code = 3;
        return 0;
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (c->send != NULL) {
            lws_callback_on_writable(wsi);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return c->send ? send_text(c, wsi) : 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        return on_receive(c, wsi, in, len);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        return on_close(c, in, len);
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (!c->done) {
            c->done = 1;
            c->exit_code = 4;
            printf("CLOSE 0 closed\n");
        }
        return 0;
    default:
        return 0;
    }
}

static int parse_args(int argc, char **argv, client_t *c, int *timeout)
{
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--binary") == 0) {
            c->binary = 1;
            continue;
        }
        if (v == NULL) {
            return -1;
        }
        i++;
        if (strcmp(a, "--token") == 0) {
            c->token = v;
        } else if (strcmp(a, "--frames") == 0) {
            c->frames_wanted = atoi(v);
        } else if (strcmp(a, "--send") == 0) {
            c->send = v;
        } else if (strcmp(a, "--timeout") == 0) {
            *timeout = atoi(v);
        } else {
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct lws_protocols protocols[] = {
        {"arcnet", callback, 0, 65536, 0, NULL, 0},
        {NULL, NULL, 0, 0, 0, NULL, 0},
    };
    struct lws_context_creation_info info;
    struct lws_client_connect_info ci;
    struct lws_context *ctx;
    client_t c = {.frames_wanted = 1, .exit_code = 5};
    int timeout = 10;
    lws_usec_t deadline;

    if (argc < 3 || parse_args(argc, argv, &c, &timeout) != 0) {
        fprintf(stderr, "usage: ws_client PORT PATH [--token T] "
                "[--frames N] [--send TEXT] [--binary] [--timeout S]\n");
        return 2;
    }
    lws_set_log_level(0, NULL);
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.user = &c;
    ctx = lws_create_context(&info);
    if (ctx == NULL) {
        return 2;
    }
    memset(&ci, 0, sizeof(ci));
    ci.context = ctx;
    ci.address = "127.0.0.1";
    ci.port = atoi(argv[1]);
    ci.path = argv[2];
    ci.host = "127.0.0.1";
    ci.origin = "127.0.0.1";
    ci.protocol = NULL;
    if (lws_client_connect_via_info(&ci) == NULL) {
        c.done = 1;
        c.exit_code = 3;
        printf("REFUSED connect\n");
    }
    deadline = lws_now_usecs() + (lws_usec_t)timeout * 1000000;
    while (!c.done && lws_now_usecs() < deadline) {
        lws_service(ctx, 0);
    }
    lws_context_destroy(ctx);
    free(c.msg);
    return c.exit_code;
}
