/*
 * static_http.h - answering a browser's GET for the console over lws:
 * the file from the console's directory, index.html for a path that
 * names no file, or a JSON 404.
 *
 * Threads: the API's one thread. Memory: nothing kept between calls.
 */
#ifndef ARC_API_STATIC_HTTP_H
#define ARC_API_STATIC_HTTP_H

#include <libwebsockets.h>

/*
 * Writes the answer for url_path under root in one lws_write (headers
 * and body together) and completes the transaction. Hashed assets are
 * cached for a year, everything else revalidated. Returns 0, or -1
 * when lws wants the connection closed.
 */
int arc_api_serve_static(struct lws *wsi, const char *root,
                         const char *url_path);

#endif
