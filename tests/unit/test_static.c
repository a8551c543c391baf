/*
 * test_static.c - serving the console's files: content types, the
 * index.html fallback, and refusal of every path that could leave the
 * root (dot segments, hidden names, backslashes, symbolic links).
 *
 * Each test builds its own small tree under a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/static.h"

typedef struct tree {
    char root[256];    /* the console's dist directory */
    char outside[256]; /* a secret file beside it */
    char base[64];
} tree_t;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void join(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s/%s", a, b);

    assert_true(n > 0 && (size_t)n < cap);
}

static int setup(void **state)
{
    tree_t *t = calloc(1, sizeof(*t));
    char p[512];

    assert_non_null(t);
    snprintf(t->base, sizeof(t->base), "/tmp/arc-static-XXXXXX");
    assert_non_null(mkdtemp(t->base));
    join(t->root, sizeof(t->root), t->base, "dist");
    join(t->outside, sizeof(t->outside), t->base, "secret.txt");
    assert_int_equal(mkdir(t->root, 0700), 0);
    join(p, sizeof(p), t->root, "assets");
    assert_int_equal(mkdir(p, 0700), 0);
    join(p, sizeof(p), t->root, "index.html");
    write_file(p, "<html>console</html>");
    join(p, sizeof(p), t->root, "assets/app.js");
    write_file(p, "console.log(1)");
    join(p, sizeof(p), t->root, "assets/app.css");
    write_file(p, "body{}");
    join(p, sizeof(p), t->root, ".env");
    write_file(p, "hidden");
    write_file(t->outside, "secret");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tree_t *t = *state;
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->base);
    assert_int_equal(system(cmd), 0);
    free(t);
    return 0;
}

static void serves_index_at_root(void **state)
{
    tree_t *t = *state;
    arc_static_file_t f;

    assert_int_equal(arc_static_load(t->root, "/", &f), ARC_OK);
    assert_int_equal(f.len, strlen("<html>console</html>"));
    assert_memory_equal(f.data, "<html>console</html>", f.len);
    assert_string_equal(f.content_type, "text/html; charset=utf-8");
    assert_false(f.fallback);
    arc_static_free(&f);
}

static void serves_assets_with_their_content_type(void **state)
{
    tree_t *t = *state;
    arc_static_file_t f;

    assert_int_equal(arc_static_load(t->root, "/assets/app.js", &f), ARC_OK);
    assert_string_equal(f.content_type, "text/javascript; charset=utf-8");
    assert_memory_equal(f.data, "console.log(1)", f.len);
    arc_static_free(&f);
    assert_int_equal(arc_static_load(t->root, "/assets/app.css", &f), ARC_OK);
    assert_string_equal(f.content_type, "text/css; charset=utf-8");
    arc_static_free(&f);
}

static void falls_back_to_index_for_unknown_paths(void **state)
{
    tree_t *t = *state;
    arc_static_file_t f;

    assert_int_equal(arc_static_load(t->root, "/nodes/w-phoenix-01", &f),
                     ARC_OK);
    assert_true(f.fallback);
    assert_string_equal(f.content_type, "text/html; charset=utf-8");
    assert_memory_equal(f.data, "<html>console</html>", f.len);
    arc_static_free(&f);
}

static void answers_not_found_for_a_missing_asset(void **state)
{
    tree_t *t = *state;
    arc_static_file_t f;

    assert_int_equal(arc_static_load(t->root, "/assets/gone.js", &f),
                     ARC_ERR_NOT_FOUND);
    assert_null(f.data);
}

static void refuses_dot_segments(void **state)
{
    tree_t *t = *state;
    arc_static_file_t f;

    assert_int_equal(arc_static_load(t->root, "/../secret.txt", &f),
                     ARC_ERR_INVALID);
    assert_int_equal(arc_static_load(t->root, "/assets/../../secret.txt", &f),
                     ARC_ERR_INVALID);
    assert_int_equal(arc_static_load(t->root, "/./index.html", &f),
                     ARC_ERR_INVALID);
    assert_null(f.data);
}

static void refuses_hidden_files(void **state)
{
    tree_t *t = *state;
    arc_static_file_t f;

    assert_int_equal(arc_static_load(t->root, "/.env", &f), ARC_ERR_INVALID);
}

static void refuses_backslashes_and_control_characters(void **state)
{
    tree_t *t = *state;
    arc_static_file_t f;

    assert_int_equal(arc_static_load(t->root, "/..\\secret.txt", &f),
                     ARC_ERR_INVALID);
    assert_int_equal(arc_static_load(t->root, "/a\nb", &f), ARC_ERR_INVALID);
}

static void refuses_relative_and_overlong_paths(void **state)
{
    tree_t *t = *state;
    arc_static_file_t f;
    char longp[ARC_STATIC_PATH_MAX + 8];

    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    longp[sizeof(longp) - 1] = '\0';
    assert_int_equal(arc_static_load(t->root, "index.html", &f),
                     ARC_ERR_INVALID);
    assert_int_equal(arc_static_load(t->root, "", &f), ARC_ERR_INVALID);
    assert_int_equal(arc_static_load(t->root, longp, &f), ARC_ERR_INVALID);
    assert_int_equal(arc_static_load(t->root, NULL, &f), ARC_ERR_INVALID);
}

static void refuses_a_symlink_out_of_the_root(void **state)
{
    tree_t *t = *state;
    arc_static_file_t f;
    char link[512];

    join(link, sizeof(link), t->root, "leak.txt");
    assert_int_equal(symlink(t->outside, link), 0);
    assert_int_equal(arc_static_load(t->root, "/leak.txt", &f),
                     ARC_ERR_INVALID);
    assert_null(f.data);
}

static void reports_a_missing_root(void **state)
{
    arc_static_file_t f;

    (void)state;
    assert_int_equal(arc_static_load("/nonexistent/arc/dist", "/", &f),
                     ARC_ERR_NOT_FOUND);
}

static void leaves_the_api_paths_to_the_api(void **state)
{
    (void)state;
    assert_false(arc_static_wants("/v1/nodes"));
    assert_false(arc_static_wants("/v1"));
    assert_false(arc_static_wants("/healthz"));
    assert_true(arc_static_wants("/"));
    assert_true(arc_static_wants("/assets/app.js"));
    assert_true(arc_static_wants("/v1x"));
    assert_false(arc_static_wants(NULL));
}

static void knows_common_content_types(void **state)
{
    (void)state;
    assert_string_equal(arc_static_content_type("a.JSON"), "application/json");
    assert_string_equal(arc_static_content_type("x.png"), "image/png");
    assert_string_equal(arc_static_content_type("noext"),
                        "application/octet-stream");
    assert_string_equal(arc_static_content_type("dir.d/file"),
                        "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(serves_index_at_root, setup, teardown),
        cmocka_unit_test_setup_teardown(serves_assets_with_their_content_type,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(falls_back_to_index_for_unknown_paths,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(answers_not_found_for_a_missing_asset,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_dot_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_hidden_files, setup, teardown),
        cmocka_unit_test_setup_teardown(
            refuses_backslashes_and_control_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_relative_and_overlong_paths,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_a_symlink_out_of_the_root,
                                        setup, teardown),
        cmocka_unit_test(reports_a_missing_root),
        cmocka_unit_test(leaves_the_api_paths_to_the_api),
        cmocka_unit_test(knows_common_content_types),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
