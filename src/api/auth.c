/*
 * auth.c - token comparison, bearer parsing and the token file.
 *
 * The comparison walks the expected token's full length whatever the
 * presented one holds, folding every difference (and a length mismatch)
 * into one accumulator, so its running time says nothing about where
 * the tokens differ. The token file is created with O_EXCL and mode
 * 0600 so no other user can read the operator token.
 */
#include "api/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

bool arc_auth_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    volatile unsigned char diff = 0;
    size_t i;

    diff |= (unsigned char)(alen != blen);
    for (i = 0; i < alen; i++) {
        unsigned char cb = i < blen ? (unsigned char)b[i] : 0;

        diff |= (unsigned char)((unsigned char)a[i] ^ cb);
    }
    return diff == 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

arc_status_t arc_auth_parse_bearer(const char *header, size_t header_len,
                                   const char **token, size_t *len)
{
    size_t i = 0;
    size_t end = header_len;
    size_t start;

    while (i < end && is_space(header[i])) {
        i++;
    }
    while (end > i && is_space(header[end - 1])) {
        end--;
    }
    if (end - i < 7 || strncasecmp(header + i, "bearer", 6) != 0 ||
        !is_space(header[i + 6])) {
        return ARC_ERR_INVALID;
    }
    i += 7;
    while (i < end && is_space(header[i])) {
        i++;
    }
    start = i;
    for (; i < end; i++) {
        unsigned char c = (unsigned char)header[i];

        if (c <= 0x20 || c >= 0x7f) {
            return ARC_ERR_INVALID;
        }
    }
    if (end == start || end - start > ARC_TOKEN_MAX) {
        return ARC_ERR_INVALID;
    }
    *token = header + start;
    *len = end - start;
    return ARC_OK;
}

arc_role_t arc_auth_role(const arc_auth_t *auth, const char *token,
                         size_t len)
{
    const char *op = auth->operator_token;
    const char *view = auth->viewer_token;
    bool is_op = op[0] != '\0' && arc_auth_equal(op, strlen(op), token, len);
    bool is_view =
        view[0] != '\0' && arc_auth_equal(view, strlen(view), token, len);

    if (is_op) {
        return ARC_ROLE_OPERATOR;
    }
    return is_view ? ARC_ROLE_VIEWER : ARC_ROLE_NONE;
}

bool arc_auth_allows(arc_role_t role, bool change)
{
    if (change) {
        return role == ARC_ROLE_OPERATOR;
    }
    return role == ARC_ROLE_OPERATOR || role == ARC_ROLE_VIEWER;
}

bool arc_auth_token_valid(const char *token)
{
    size_t n = token ? strlen(token) : 0;

    if (n < 16 || n > ARC_TOKEN_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)token[i];

        if (c <= 0x20 || c >= 0x7f) {
            return false;
        }
    }
    return true;
}

static arc_status_t read_token_file(const char *path, char *out,
                                    size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n;

    if (f == NULL) {
        return errno == ENOENT ? ARC_ERR_NOT_FOUND : ARC_ERR_IO;
    }
    n = fread(out, 1, cap - 1, f);
    fclose(f);
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' ||
                     out[n - 1] == ' ')) {
        out[--n] = '\0';
    }
    return arc_auth_token_valid(out) ? ARC_OK : ARC_ERR_INVALID;
}

static arc_status_t generate_token(const char *path, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[32];
    arc_status_t st = ARC_ERR_IO;
    int fd = -1;

    if (cap < 2 * sizeof(raw) + 2 ||
        getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
        goto out;
    }
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * sizeof(raw)] = '\n';
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 ||
        write(fd, out, 2 * sizeof(raw) + 1) != 2 * sizeof(raw) + 1) {
        goto out;
    }
    st = ARC_OK;
out:
    if (fd >= 0 && close(fd) != 0) {
        st = ARC_ERR_IO;
    }
    out[2 * sizeof(raw)] = '\0';
    memset(raw, 0, sizeof(raw));
    return st;
}

arc_status_t arc_auth_setup(arc_auth_t *auth, const char *given,
                            const char *viewer, const char *data_dir,
                            bool *generated)
{
    char path[4096];
    arc_status_t st;

    memset(auth, 0, sizeof(*auth));
    *generated = false;
    if (viewer != NULL && viewer[0] != '\0') {
        if (!arc_auth_token_valid(viewer)) {
            return ARC_ERR_INVALID;
        }
        snprintf(auth->viewer_token, sizeof(auth->viewer_token), "%s",
                 viewer);
    }
    if (given != NULL && given[0] != '\0') {
        if (!arc_auth_token_valid(given)) {
            return ARC_ERR_INVALID;
        }
        snprintf(auth->operator_token, sizeof(auth->operator_token), "%s",
                 given);
        return ARC_OK;
    }
    if (snprintf(path, sizeof(path), "%s/token", data_dir) >=
        (int)sizeof(path)) {
        return ARC_ERR_INVALID;
    }
    st = read_token_file(path, auth->operator_token,
                         sizeof(auth->operator_token));
    if (st != ARC_ERR_NOT_FOUND) {
        return st;
    }
    st = generate_token(path, auth->operator_token,
                        sizeof(auth->operator_token));
    *generated = st == ARC_OK;
    return st;
}
