/*
 * http.c - resolving the daemon's address and token, and one HTTP
 * request through libcurl.
 *
 * The one idea: a transport failure (no connection, timeout) is an
 * arc_status_t with curl's own message, while any answer from the
 * server - even a 500 - is a reply the caller reads; the two lead to
 * different messages but the same exit status 1.
 *
 * The calling thread; the reply owns its body.
 */
#include "cli/http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/grammar.h"

/* ---- address and token ------------------------------------------------ */

static bool set_error(char *error, const char *msg, const char *what)
{
    if (error != NULL)
        snprintf(error, ARC_CLI_ERROR_MAX, "%s%s", msg, what);
    return false;
}

/* The first line of a file, trimmed, into out; "" when unreadable. */
static void read_token_file(const char *path, char *out, size_t cap)
{
    FILE *f = path != NULL ? fopen(path, "r") : NULL;
    size_t n;

    out[0] = '\0';
    if (f == NULL)
        return;
    if (fgets(out, (int)cap, f) == NULL)
        out[0] = '\0';
    fclose(f);

    n = strlen(out);
    while (n > 0 && isspace((unsigned char)out[n - 1]))
        out[--n] = '\0';
}

static const char *first_set(const char *a, const char *b, const char *c)
{
    if (a != NULL && a[0] != '\0')
        return a;
    if (b != NULL && b[0] != '\0')
        return b;
    return c;
}

arc_status_t arc_cli_conn_init(arc_cli_conn_t *c, const char *server_opt,
                               const char *token_opt, const char *env_server,
                               const char *env_token, const char *token_file,
                               char *error)
{
    const char *server = first_set(server_opt, env_server,
                                   ARC_CLI_DEFAULT_SERVER);
    const char *token = first_set(token_opt, env_token, NULL);
    arc_cli_url_t url;
    size_t n;

    memset(c, 0, sizeof(*c));
    c->timeout_ms = 10000;
    if (arc_cli_url_parse(server, &url) != ARC_OK) {
        set_error(error, "--server must be http://HOST[:PORT]: ", server);
        return ARC_ERR_INVALID;
    }

    n = strlen(server);
    while (n > 0 && server[n - 1] == '/')
        n--;
    snprintf(c->server, sizeof(c->server), "%.*s", (int)n, server);

    if (token != NULL && strlen(token) >= sizeof(c->token)) {
        set_error(error, "the token is too long", "");
        return ARC_ERR_INVALID;
    }
    if (token != NULL)
        snprintf(c->token, sizeof(c->token), "%s", token);
    else
        read_token_file(token_file, c->token, sizeof(c->token));
    return ARC_OK;
}

static arc_status_t parse_port(const char *s, size_t len, int *out)
{
    int port = 0;

    if (len == 0 || len > 5)
        return ARC_ERR_INVALID;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return ARC_ERR_INVALID;
        port = port * 10 + (s[i] - '0');
    }
    if (port < 1 || port > 65535)
        return ARC_ERR_INVALID;
    *out = port;
    return ARC_OK;
}

/* Splits "host[:port]" or "[v6]:port" of `len` bytes. */
static arc_status_t parse_authority(const char *a, size_t len,
                                    arc_cli_url_t *out)
{
    const char *host = a, *colon = NULL;
    size_t host_len = len;

    if (len > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', len);

        if (close == NULL)
            return ARC_ERR_INVALID;
        host = a + 1;
        host_len = (size_t)(close - host);
        colon = close + 1 < a + len ? close + 1 : NULL;
        if (colon != NULL && *colon != ':')
            return ARC_ERR_INVALID;
    } else {
        colon = memchr(a, ':', len);
        host_len = colon != NULL ? (size_t)(colon - a) : len;
    }

    if (host_len == 0 || host_len >= sizeof(out->host))
        return ARC_ERR_INVALID;
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';
    if (colon == NULL)
        return ARC_OK;
    return parse_port(colon + 1, (size_t)(a + len - colon - 1), &out->port);
}

arc_status_t arc_cli_url_parse(const char *url, arc_cli_url_t *out)
{
    const char *rest, *slash;
    size_t plen;

    memset(out, 0, sizeof(*out));
    if (url == NULL)
        return ARC_ERR_INVALID;
    if (strncmp(url, "http://", 7) == 0) {
        rest = url + 7;
    } else if (strncmp(url, "https://", 8) == 0) {
        rest = url + 8;
        out->tls = true;
    } else {
        return ARC_ERR_INVALID;
    }

    out->port = out->tls ? 443 : 80;
    slash = strchr(rest, '/');
    if (parse_authority(rest, slash ? (size_t)(slash - rest) : strlen(rest),
                        out) != ARC_OK)
        return ARC_ERR_INVALID;

    plen = slash != NULL ? strlen(slash) : 0;
    while (plen > 0 && slash[plen - 1] == '/')
        plen--;
    if (plen >= sizeof(out->prefix) ||
        (slash != NULL && strpbrk(slash, "?# ") != NULL))
        return ARC_ERR_INVALID;
    if (plen > 0)
        memcpy(out->prefix, slash, plen);
    return ARC_OK;
}

void arc_cli_put_encoded(arc_cli_buf_t *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._~", *p) != NULL)
            arc_cli_buf_add(b, (const char *)p, 1);
        else
            arc_cli_buf_printf(b, "%%%02X", *p);
    }
}

void arc_cli_query_add(arc_cli_buf_t *path, const char *key,
                       const char *value)
{
    if (value == NULL)
        return;

    arc_cli_buf_puts(path, strchr(arc_cli_buf_str(path), '?') ? "&" : "?");
    arc_cli_buf_puts(path, key);
    arc_cli_buf_puts(path, "=");
    arc_cli_put_encoded(path, value);
}

/* ---- one request ------------------------------------------------------ */

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    arc_cli_buf_t *b = ctx;

    arc_cli_buf_add(b, data, size * n);
    return b->failed ? 0 : size * n;
}

/* Appends a header line unless an earlier append failed. */
static struct curl_slist *add_header(struct curl_slist *h, const char *line,
                                     bool *ok)
{
    struct curl_slist *next;

    if (!*ok)
        return h;
    next = curl_slist_append(h, line);
    if (next == NULL)
        *ok = false;
    return next != NULL ? next : h;
}

/* Accept, Content-Type for a body, and the bearer token; NULL on OOM. */
static struct curl_slist *headers_for(const arc_cli_conn_t *c, bool body)
{
    struct curl_slist *h = NULL;
    char auth[ARC_CLI_TOKEN_MAX + 32];
    bool ok = true;

    h = add_header(h, "Accept: application/json", &ok);
    if (body)
        h = add_header(h, "Content-Type: application/json", &ok);
    if (c->token[0] != '\0') {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->token);
        h = add_header(h, auth, &ok);
    }
    if (!ok) {
        curl_slist_free_all(h);
        return NULL;
    }
    return h;
}

arc_status_t arc_cli_http(const arc_cli_conn_t *c, const char *method,
                          const char *path, const char *body,
                          arc_cli_reply_t *reply, char *error)
{
    char url[ARC_CLI_URL_MAX + 1024];
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = headers_for(c, body != NULL);
    arc_status_t st = ARC_OK;
    CURLcode rc;

    memset(reply, 0, sizeof(*reply));
    if (curl == NULL || headers == NULL) {
        st = ARC_ERR_NOMEM;
        goto out;
    }

    snprintf(url, sizeof(url), "%s%s", c->server, path);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply->body);
    if (body != NULL)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    else if (strcmp(method, "POST") == 0)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");

    rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
        st = reply->body.failed ? ARC_ERR_NOMEM : ARC_ERR_IO;
        set_error(error, "cannot reach the server: ",
                  curl_easy_strerror(rc));
        goto out;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);

out:
    curl_slist_free_all(headers);
    if (curl != NULL)
        curl_easy_cleanup(curl);
    return st;
}

void arc_cli_reply_free(arc_cli_reply_t *reply)
{
    arc_cli_buf_free(&reply->body);
}

int arc_cli_exit_status(arc_status_t transport, long http_status)
{
    if (transport != ARC_OK)
        return ARC_CLI_EXIT_ERROR;
    return http_status >= 200 && http_status < 300 ? ARC_CLI_EXIT_OK
                                                   : ARC_CLI_EXIT_ERROR;
}
