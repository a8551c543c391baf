/*
 * static_http.c - the console's files over HTTP (see static_http.h).
 *
 * One idea: like every other answer of the API, a file goes out in a
 * single lws_write of headers and body together; lws keeps whatever
 * the socket does not take at once and sends it as the socket drains.
 * Files are read from disk on each request: the console is a handful
 * of files and the page cache keeps them warm.
 *
 * Threads: the API's one thread. Memory: the file and the write buffer
 * live for one call.
 */
#include "api/static_http.h"

#include <stdlib.h>
#include <string.h>

#include "api/static.h"

#define HEADER_MAX 1024

static const char not_found[] =
    "{\"error\":{\"code\":\"not-found\",\"message\":\"no such path\"}}\n";

/* Writes status, type and body in one write; completes the transaction. */
static int send_body(struct lws *wsi, unsigned status, const char *type,
                     const char *cache, const char *body, size_t len)
{
    unsigned char *buf = malloc(LWS_PRE + HEADER_MAX + len);
    unsigned char *start, *p, *end;
    int rc = -1;

    if (buf == NULL) {
        return -1;
    }
    start = p = buf + LWS_PRE;
    end = start + HEADER_MAX;
    if (lws_add_http_common_headers(wsi, status, type, len, &p, end) ||
        lws_add_http_header_by_name(
            wsi, (const unsigned char *)"cache-control:",
            (const unsigned char *)cache, (int)strlen(cache), &p, end) ||
        lws_finalize_http_header(wsi, &p, end)) {
        goto out;
    }
    if (len > 0) {
        memcpy(p, body, len);
    }
    if (lws_write(wsi, start, (size_t)(p - start) + len,
                  LWS_WRITE_HTTP_FINAL) >= 0) {
        rc = lws_http_transaction_completed(wsi) ? -1 : 0;
    }
out:
    free(buf);
    return rc;
}

int arc_api_serve_static(struct lws *wsi, const char *root,
                         const char *url_path)
{
    arc_static_file_t f;
    const char *cache = "no-cache";
    int rc;

    if (arc_static_load(root, url_path, &f) != ARC_OK) {
        return send_body(wsi, 404, "application/json", cache, not_found,
                         sizeof(not_found) - 1);
    }
    if (strncmp(url_path, "/assets/", 8) == 0) {
        cache = "public, max-age=31536000, immutable";
    }
    rc = send_body(wsi, 200, f.content_type, cache, f.data, f.len);
    arc_static_free(&f);
    return rc;
}
