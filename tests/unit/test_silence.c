/*
 * test_silence.c - the zone's silence watch: the front is the node
 * heard from longest ago, a report moves its node to the back, and a
 * node forgotten (found silent) is watched again by its next report.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "daemon/silence.h"

static void front_is_the_longest_unheard(void **state)
{
    arc_silence_t *s = arc_silence_new(4);
    int64_t since = 0;

    (void)state;
    assert_non_null(s);
    assert_int_equal(arc_silence_front(s, &since), ARC_SILENCE_NONE);
    for (uint32_t i = 0; i < 4; i++)
        arc_silence_heard(s, i, 100);

    arc_silence_heard(s, 0, 200); /* node 0 reports: to the back */
    assert_int_equal(arc_silence_front(s, &since), 1);
    assert_int_equal(since, 100);

    arc_silence_heard(s, 2, 210); /* one from the middle */
    arc_silence_forget(s, 1);     /* found silent */
    assert_int_equal(arc_silence_front(s, &since), 3);
    arc_silence_forget(s, 3);
    assert_int_equal(arc_silence_front(s, &since), 0);
    assert_int_equal(since, 200);
    arc_silence_forget(s, 0);
    assert_int_equal(arc_silence_front(s, &since), 2);
    arc_silence_forget(s, 2);
    assert_int_equal(arc_silence_front(s, &since), ARC_SILENCE_NONE);

    /* Forgotten nodes come back with their next report. */
    arc_silence_heard(s, 1, 300);
    arc_silence_heard(s, 3, 310);
    assert_int_equal(arc_silence_front(s, &since), 1);
    assert_int_equal(since, 300);
    arc_silence_free(s);
}

static void unknown_nodes_and_repeats_change_nothing(void **state)
{
    arc_silence_t *s = arc_silence_new(2);
    int64_t since = 0;

    (void)state;
    assert_non_null(s);
    arc_silence_heard(s, 7, 5); /* beyond the watch: ignored */
    assert_int_equal(arc_silence_front(s, &since), ARC_SILENCE_NONE);
    arc_silence_forget(s, 1); /* never watched */
    arc_silence_heard(s, 1, 10);
    arc_silence_heard(s, 1, 20); /* twice: still one entry */
    arc_silence_forget(s, 1);
    assert_int_equal(arc_silence_front(s, &since), ARC_SILENCE_NONE);
    arc_silence_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(front_is_the_longest_unheard),
        cmocka_unit_test(unknown_nodes_and_repeats_change_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
