/*
 * auth.h - bearer tokens and the two roles of the API.
 *
 * An operator token may read and change; a viewer token may only read.
 * Tokens are compared in constant time (the time taken does not depend
 * on where the first difference is), so a client cannot learn a token
 * byte by byte from response times. Tokens are never logged.
 *
 * The operator token comes from the environment, or from DATA_DIR/token,
 * or is generated (32 random bytes from getrandom, as 64 hex digits) and
 * written to that file with mode 0600 so the next start reuses it.
 *
 * Any thread may call these; an arc_auth_t is read-only once set up and
 * holds its tokens inline.
 */
#ifndef ARC_AUTH_H
#define ARC_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arc.h"

#define ARC_TOKEN_MAX 128  /* longest token accepted, in bytes */

typedef enum arc_role {
    ARC_ROLE_NONE = 0,  /* no token, or a token that matches nothing */
    ARC_ROLE_VIEWER,    /* may read */
    ARC_ROLE_OPERATOR   /* may read and change */
} arc_role_t;

typedef struct arc_auth {
    char operator_token[ARC_TOKEN_MAX + 1]; /* never empty once set up */
    char viewer_token[ARC_TOKEN_MAX + 1];   /* empty: no viewer token */
} arc_auth_t;

/*
 * True when the two byte strings are equal. Runs in time that depends
 * only on the lengths, never on the contents.
 */
bool arc_auth_equal(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Finds the token in an Authorization header value ("Bearer TOKEN"; the
 * scheme is case-insensitive, surrounding spaces are ignored). On
 * success points *token into `header` and sets *len. ARC_ERR_INVALID for
 * any other scheme, an empty token, a token with spaces or control
 * characters, or one longer than ARC_TOKEN_MAX.
 */
arc_status_t arc_auth_parse_bearer(const char *header, size_t header_len,
                                   const char **token, size_t *len);

/* The role a presented token grants (ARC_ROLE_NONE for no match). */
arc_role_t arc_auth_role(const arc_auth_t *auth, const char *token,
                         size_t len);

/* True when `role` may do the thing: read, or change when `change`. */
bool arc_auth_allows(arc_role_t role, bool change);

/*
 * True when a token is acceptable to configure: 16..ARC_TOKEN_MAX
 * printable ASCII characters without spaces.
 */
bool arc_auth_token_valid(const char *token);

/*
 * Sets up the operator token: `given` if not NULL, else the content of
 * DATA_DIR/token, else a new random token written there (mode 0600).
 * *generated says whether a new token was made. `viewer` may be NULL.
 * ARC_ERR_INVALID for a token that arc_auth_token_valid refuses (also
 * one read from the file); ARC_ERR_IO when the file cannot be read or
 * written.
 */
arc_status_t arc_auth_setup(arc_auth_t *auth, const char *given,
                            const char *viewer, const char *data_dir,
                            bool *generated);

#endif
