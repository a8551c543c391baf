/*
 * static.h - the built console's files (index.html and assets) read
 * from a directory for the daemon to serve at "/".
 *
 * One idea: a URL path is turned into a file under the root only after
 * every segment is checked (no "..", no hidden names, no backslashes,
 * no NUL), and the resolved file must still lie inside the root after
 * symbolic links are followed, so no request can read outside it. A
 * path that names no file gets index.html instead (the console routes
 * in the browser), except under /assets/, where a missing file is a
 * plain 404.
 *
 * Self-contained: no lws, no daemon headers; any thread. The caller
 * owns what arc_static_load fills and frees it with arc_static_free.
 */
#ifndef ARC_API_STATIC_H
#define ARC_API_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arc.h"

#define ARC_STATIC_PATH_MAX 512         /* longest URL path accepted */
#define ARC_STATIC_FILE_MAX (64u << 20) /* largest file served */

typedef struct arc_static_file {
    char *data;               /* the file's bytes (malloc'd, may hold
                                 NULs); NULL when empty */
    size_t len;               /* bytes in data */
    const char *content_type; /* constant, e.g. "text/html; charset=utf-8" */
    bool fallback;            /* index.html served for an unknown path */
} arc_static_file_t;

/*
 * True for URL paths the console answers: everything but the API's
 * own (/v1 and below, /healthz).
 */
bool arc_static_wants(const char *url_path);

/*
 * The content type for a file name, by its extension; a constant
 * string, "application/octet-stream" when unknown.
 */
const char *arc_static_content_type(const char *name);

/*
 * Reads the file url_path names under root ("/" is index.html) into
 * *out. Returns ARC_OK; ARC_ERR_INVALID for a refused path (not
 * absolute, too long, a ".." or hidden segment, a backslash or control
 * character, or a file resolving outside root); ARC_ERR_NOT_FOUND when
 * neither the file nor (outside /assets/) index.html exists;
 * ARC_ERR_IO when a file cannot be read or is over
 * ARC_STATIC_FILE_MAX; ARC_ERR_NOMEM. On any error *out is empty.
 */
arc_status_t arc_static_load(const char *root, const char *url_path,
                             arc_static_file_t *out);

/* Frees what arc_static_load filled; safe on an empty file. */
void arc_static_free(arc_static_file_t *f);

#endif
