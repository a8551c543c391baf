/*
 * static.c - serving the console's built files from a directory (see
 * static.h).
 *
 * The check is done twice on purpose: first on the text of the URL
 * path (cheap, and clear about why a path is refused), then on the
 * resolved file with realpath(), which also catches symbolic links
 * that point out of the root.
 *
 * Threads: any; no state. Memory: the file's bytes belong to the
 * caller once arc_static_load returns ARC_OK.
 */
#include "api/static.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct type_map {
    const char *ext;
    const char *type;
} type_map_t;

static const type_map_t types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".wasm", "application/wasm"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
};

bool arc_static_wants(const char *url_path)
{
    if (url_path == NULL || url_path[0] != '/') {
        return false;
    }
    if (strcmp(url_path, "/healthz") == 0 || strcmp(url_path, "/v1") == 0) {
        return false;
    }
    return strncmp(url_path, "/v1/", 4) != 0;
}

const char *arc_static_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (dot != NULL && strchr(dot, '/') == NULL) {
        for (size_t i = 0; i < ARC_ARRAY_LEN(types); i++) {
            if (strcasecmp(dot, types[i].ext) == 0) {
                return types[i].type;
            }
        }
    }
    return "application/octet-stream";
}

/* True when every segment of an absolute path is an ordinary name. */
static bool path_is_clean(const char *p)
{
    size_t len = strnlen(p, ARC_STATIC_PATH_MAX + 1);

    if (len == 0 || len > ARC_STATIC_PATH_MAX || p[0] != '/') {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c < 0x20 || c == 0x7f || c == '\\') {
            return false;
        }
        if (c == '/' && p[i + 1] == '.') {
            return false; /* "..", "." and hidden names alike */
        }
    }
    return true;
}

/* Reads a regular file of at most ARC_STATIC_FILE_MAX bytes. */
static arc_status_t read_file(const char *path, arc_static_file_t *out)
{
    struct stat st;
    arc_status_t rc = ARC_ERR_IO;
    FILE *f = fopen(path, "rb");

    if (f == NULL) {
        return errno == ENOENT || errno == ENOTDIR ? ARC_ERR_NOT_FOUND
                                                   : ARC_ERR_IO;
    }
    if (fstat(fileno(f), &st) != 0) {
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = S_ISDIR(st.st_mode) ? ARC_ERR_NOT_FOUND : ARC_ERR_IO;
        goto out;
    }
    if ((unsigned long long)st.st_size > ARC_STATIC_FILE_MAX) {
        goto out;
    }
    out->len = (size_t)st.st_size;
    out->data = malloc(out->len ? out->len : 1);
    if (out->data == NULL) {
        rc = ARC_ERR_NOMEM;
        goto out;
    }
    rc = fread(out->data, 1, out->len, f) == out->len ? ARC_OK : ARC_ERR_IO;
out:
    fclose(f);
    if (rc != ARC_OK) {
        arc_static_free(out);
    }
    return rc;
}

/* True when `path` resolves to somewhere inside the resolved root. */
static bool inside(const char *real_root, const char *path)
{
    char real[PATH_MAX];
    size_t n = strlen(real_root);

    if (realpath(path, real) == NULL) {
        return true; /* missing: read_file reports it */
    }
    return strncmp(real, real_root, n) == 0 &&
           (real[n] == '/' || real[n] == '\0');
}

/* Loads root + rel (rel starts with '/'), checking it stays in root. */
static arc_status_t load_under(const char *real_root, const char *rel,
                               arc_static_file_t *out)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s%s", real_root, rel);

    if (n < 0 || (size_t)n >= sizeof(path)) {
        return ARC_ERR_INVALID;
    }
    if (!inside(real_root, path)) {
        return ARC_ERR_INVALID;
    }
    out->content_type = arc_static_content_type(rel);
    return read_file(path, out);
}

arc_status_t arc_static_load(const char *root, const char *url_path,
                             arc_static_file_t *out)
{
    char real_root[PATH_MAX];
    arc_status_t rc;
    bool is_dir = false;
    size_t len;

    memset(out, 0, sizeof(*out));
    if (root == NULL || url_path == NULL || !path_is_clean(url_path)) {
        return ARC_ERR_INVALID;
    }
    if (realpath(root, real_root) == NULL) {
        return ARC_ERR_NOT_FOUND;
    }
    len = strlen(url_path);
    is_dir = url_path[len - 1] == '/';
    rc = is_dir ? ARC_ERR_NOT_FOUND : load_under(real_root, url_path, out);
    if (rc != ARC_ERR_NOT_FOUND || strncmp(url_path, "/assets/", 8) == 0) {
        return rc;
    }
    rc = load_under(real_root, "/index.html", out);
    out->fallback = rc == ARC_OK && strcmp(url_path, "/") != 0 &&
                    strcmp(url_path, "/index.html") != 0;
    return rc;
}

void arc_static_free(arc_static_file_t *f)
{
    if (f == NULL) {
        return;
    }
    free(f->data);
    f->data = NULL;
    f->len = 0;
}
