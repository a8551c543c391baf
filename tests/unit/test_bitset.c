/*
 * test_bitset.c - the levelled bit set: next-member queries across word
 * and level edges, growth that keeps members, and a long random run
 * checked against a plain array.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "core/bitset.h"

/* The answer arc_bitset_next must give, by looking at every integer. */
static uint32_t naive_next(const bool *member, uint32_t cap, uint32_t from)
{
    for (uint32_t i = from; i < cap; i++) {
        if (member[i])
            return i;
    }
    return ARC_BITSET_NONE;
}

static void next_crosses_words_and_levels(void **state)
{
    static const uint32_t members[] = {0, 63, 64, 4095, 4096, 262143,
                                       262144, 299999};
    arc_bitset_t set;
    uint32_t at = 0;

    (void)state;
    arc_bitset_init(&set);
    assert_int_equal(arc_bitset_reserve(&set, 300000), ARC_OK);
    assert_int_equal(set.levels, 4);
    assert_int_equal(arc_bitset_next(&set, 0), ARC_BITSET_NONE);
    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
        arc_bitset_put(&set, members[i], true);

    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        assert_int_equal(arc_bitset_next(&set, at), members[i]);
        assert_true(arc_bitset_has(&set, members[i]));
        at = members[i] + 1;
    }
    assert_int_equal(arc_bitset_next(&set, at), ARC_BITSET_NONE);
    assert_int_equal(arc_bitset_next(&set, 300000), ARC_BITSET_NONE);

    /* Emptying a word clears the summaries above it. */
    arc_bitset_put(&set, 4095, false);
    arc_bitset_put(&set, 4096, false);
    assert_int_equal(arc_bitset_next(&set, 65), 262143);
    arc_bitset_clear(&set);
    assert_int_equal(arc_bitset_next(&set, 0), ARC_BITSET_NONE);
    arc_bitset_free(&set);
}

static void growth_keeps_members(void **state)
{
    arc_bitset_t set;

    (void)state;
    arc_bitset_init(&set);
    assert_int_equal(arc_bitset_reserve(&set, 10), ARC_OK);
    arc_bitset_put(&set, 3, true);
    arc_bitset_put(&set, 9, true);
    arc_bitset_put(&set, 10, true); /* beyond the room: ignored */
    assert_false(arc_bitset_has(&set, 10));

    assert_int_equal(arc_bitset_reserve(&set, 100000), ARC_OK);
    assert_int_equal(arc_bitset_next(&set, 0), 3);
    assert_int_equal(arc_bitset_next(&set, 4), 9);
    assert_int_equal(arc_bitset_next(&set, 10), ARC_BITSET_NONE);
    arc_bitset_put(&set, 99999, true);
    assert_int_equal(arc_bitset_next(&set, 10), 99999);
    assert_true(arc_bitset_bytes(&set) >= 100000 / 8);
    arc_bitset_free(&set);
}

static void random_puts_match_a_plain_array(void **state)
{
    enum { CAP = 20000, STEPS = 200000 };
    bool *member = calloc(CAP, sizeof(*member));
    arc_bitset_t set;
    uint64_t rng = 0x9e3779b97f4a7c15ull;

    (void)state;
    assert_non_null(member);
    arc_bitset_init(&set);
    assert_int_equal(arc_bitset_reserve(&set, CAP), ARC_OK);
    for (int step = 0; step < STEPS; step++) {
        uint32_t i, from;

        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        /* Clustered near the start, so words fill and empty often. */
        i = (uint32_t)(rng % (step % 2 ? CAP : 300));
        from = (uint32_t)((rng >> 32) % (CAP + 10));
        member[i] = (rng >> 20) % 3 == 0;
        arc_bitset_put(&set, i, member[i]);
        assert_int_equal(arc_bitset_next(&set, from),
                         naive_next(member, CAP, from));
    }
    arc_bitset_free(&set);
    free(member);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(next_crosses_words_and_levels),
        cmocka_unit_test(growth_keeps_members),
        cmocka_unit_test(random_puts_match_a_plain_array),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
