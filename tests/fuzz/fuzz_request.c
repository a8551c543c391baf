/*
 * fuzz_request.c - every parser of client input at once: the first
 * byte picks the parser (route body, inference body, query string with
 * node and event filters, path resolution, bearer header), the rest is
 * its input. Each must return a status and never crash, hang or leak;
 * a refusal must carry an HTTP status and an error code.
 */
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "api/request.h"
#include "fuzz.h"

static void check_error(arc_status_t st, const arc_api_error_t *err)
{
    if (st != ARC_OK && (err->http < 400 || err->code == NULL)) {
        abort();
    }
}

static void fuzz_query(const char *s, size_t n)
{
    arc_query_t q;
    arc_node_filter_t nf;
    arc_event_filter_t ef;
    arc_api_error_t err;

    arc_query_init(&q);
    if (arc_query_parse(&q, s, n) != ARC_OK) {
        return;
    }
    check_error(arc_api_parse_node_filter(&q, &nf, &err), &err);
    check_error(arc_api_parse_event_filter(&q, &ef, &err), &err);
}

static void fuzz_path(const char *s)
{
    static const char *const methods[] = {"GET", "POST", "DELETE"};
    arc_endpoint_match_t m;
    arc_api_error_t err;

    for (size_t i = 0; i < 3; i++) {
        check_error(arc_api_resolve(methods[i], s, &m, &err), &err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arc_route_body_t body;
    arc_api_error_t err;
    const char *tok;
    size_t len;
    char *s;

    if (size < 1) {
        return 0;
    }
    s = malloc(size); /* NUL-terminated copy of the input after byte 0 */
    if (s == NULL) {
        return 0;
    }
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    switch (data[0] % 5) {
    case 0:
    case 1:
        check_error(arc_api_parse_route_body(s, size - 1, data[0] % 5 == 1,
                                             ARC_POLICY_ARCNET, &body, &err),
                    &err);
        break;
    case 2:
        fuzz_query(s, size - 1);
        break;
    case 3:
        fuzz_path(s);
        break;
    default:
        if (arc_auth_parse_bearer(s, size - 1, &tok, &len) == ARC_OK &&
            (len == 0 || len > ARC_TOKEN_MAX)) {
            abort();
        }
    }
    free(s);
    return 0;
}
