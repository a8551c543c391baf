/*
 * http.h - how `arcnet` reaches the daemon: where (server URL), as whom
 * (token), and one request at a time over libcurl.
 *
 * The one idea: the command line never guesses. The server comes from
 * --server, else $ARCNET_SERVER, else http://127.0.0.1:8080; the token
 * from --token, else $ARCNET_TOKEN, else the first line of
 * ./arcnet-data/token if that file exists, else none. A failure to
 * connect and a refusal by the server are told apart, because the exit
 * status and the message differ.
 *
 * One thread per connection object. The reply body is owned by the
 * reply and freed with arc_cli_reply_free.
 */
#ifndef ARC_CLI_HTTP_H
#define ARC_CLI_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/buf.h"
#include "core/arc.h"

#define ARC_CLI_DEFAULT_SERVER "http://127.0.0.1:8080"
#define ARC_CLI_TOKEN_FILE "arcnet-data/token"
#define ARC_CLI_URL_MAX 512
#define ARC_CLI_TOKEN_MAX 256

/* Where the daemon is and how to authenticate. */
typedef struct arc_cli_conn {
    char server[ARC_CLI_URL_MAX];  /* base URL, no trailing slash */
    char token[ARC_CLI_TOKEN_MAX]; /* "" when none */
    long timeout_ms;               /* whole request; default 10 s */
} arc_cli_conn_t;

/*
 * Resolves server and token as described above. `server_opt` and
 * `token_opt` are the command line's (NULL when not given); `env_server`
 * and `env_token` the environment's (NULL when unset); `token_file` the
 * file to fall back on (NULL: none). ARC_ERR_INVALID with a message in
 * `error` (ARC_CLI_ERROR_MAX bytes, from grammar.h) when the server is
 * not an http:// or https:// URL or a value is too long.
 */
arc_status_t arc_cli_conn_init(arc_cli_conn_t *c, const char *server_opt,
                               const char *token_opt, const char *env_server,
                               const char *env_token, const char *token_file,
                               char *error);

/* A parsed server URL. */
typedef struct arc_cli_url {
    bool tls;        /* https */
    char host[256];  /* without brackets for IPv6 */
    int port;        /* explicit, or 80 / 443 */
    char prefix[128]; /* path before /v1, "" usually; no trailing '/' */
} arc_cli_url_t;

/* Splits "http[s]://host[:port][/prefix]". ARC_ERR_INVALID otherwise. */
arc_status_t arc_cli_url_parse(const char *url, arc_cli_url_t *out);

/* Appends s percent-encoded: all but letters, digits and "-._~". */
void arc_cli_put_encoded(arc_cli_buf_t *b, const char *s);

/*
 * Appends "?key=value" (or "&key=value" once the buffer holds a '?')
 * with the value percent-encoded; nothing when value is NULL.
 */
void arc_cli_query_add(arc_cli_buf_t *path, const char *key,
                       const char *value);

/* One HTTP exchange. */
typedef struct arc_cli_reply {
    long status;          /* HTTP status; 0 when nothing came back */
    arc_cli_buf_t body;   /* the body as received */
} arc_cli_reply_t;

/*
 * Sends `method` `path` (starting with "/") with an optional JSON body
 * and the bearer token, and reads the whole reply. ARC_OK whenever the
 * server answered, whatever the status; ARC_ERR_IO with a message in
 * `error` (ARC_CLI_ERROR_MAX bytes) when it could not be reached;
 * ARC_ERR_NOMEM. The caller frees the reply either way.
 */
arc_status_t arc_cli_http(const arc_cli_conn_t *c, const char *method,
                          const char *path, const char *body,
                          arc_cli_reply_t *reply, char *error);

void arc_cli_reply_free(arc_cli_reply_t *reply);

/*
 * The program's exit status for a finished request: ARC_CLI_EXIT_OK for
 * a 2xx reply, ARC_CLI_EXIT_ERROR for a transport failure or any other
 * status. A usage error never gets this far.
 */
int arc_cli_exit_status(arc_status_t transport, long http_status);

#endif
