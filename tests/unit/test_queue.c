/*
 * test_queue.c - the router's waiting room: band order, fairness between
 * models, aging, the bound with its retry hint, and deadlines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fixture.h"
#include "route/queue.h"

#define AGE_STEP (10 * ARC_US_PER_S)

/* What the test's placement function does and what it saw. */
struct placer {
    int room;              /* requests it may still place */
    uint32_t no_room_model; /* this model never fits (UINT32_MAX: none) */
    uint64_t order[64];    /* ids placed, in order */
    int placed;
    int dropped;
};

static arc_status_t place(void *ctx, const arc_request_t *req,
                          int64_t waited_us)
{
    struct placer *p = ctx;

    (void)waited_us;
    if (req->model == p->no_room_model || p->room == 0)
        return ARC_ERR_UNAVAILABLE;
    p->room--;
    if (p->placed < (int)ARC_ARRAY_LEN(p->order))
        p->order[p->placed] = req->id;
    p->placed++;
    return ARC_OK;
}

static void drop(void *ctx, const arc_request_t *req, arc_status_t why)
{
    struct placer *p = ctx;

    (void)req;
    (void)why;
    p->dropped++;
}

static arc_request_t request(uint64_t id, arc_priority_t prio,
                             uint32_t model)
{
    arc_request_t r = fix_request(id, 40.0, -100.0, prio);

    r.model = model;
    return r;
}

static void higher_bands_are_served_first(void **state)
{
    arc_rqueue_t *q = arc_rqueue_new(16, AGE_STEP);
    struct placer p = {.room = 3, .no_room_model = UINT32_MAX};
    arc_request_t r;

    (void)state;
    r = request(1, ARC_PRIO_BACKGROUND, 0);
    arc_rqueue_push(q, &r, FIX_NOW, NULL);
    r = request(2, ARC_PRIO_NORMAL, 0);
    arc_rqueue_push(q, &r, FIX_NOW, NULL);
    r = request(3, ARC_PRIO_CRITICAL, 0);
    arc_rqueue_push(q, &r, FIX_NOW, NULL);

    assert_int_equal(arc_rqueue_dispatch(q, FIX_NOW, place, drop, &p), 3);
    assert_int_equal(p.order[0], 3);
    assert_int_equal(p.order[1], 2);
    assert_int_equal(p.order[2], 1);
    assert_int_equal(arc_rqueue_len(q), 0);
    arc_rqueue_free(q);
}

static void requests_of_one_model_keep_arrival_order(void **state)
{
    arc_rqueue_t *q = arc_rqueue_new(16, AGE_STEP);
    struct placer p = {.room = 10, .no_room_model = UINT32_MAX};

    (void)state;
    for (uint64_t id = 1; id <= 5; id++) {
        arc_request_t r = request(id, ARC_PRIO_NORMAL, 2);

        arc_rqueue_push(q, &r, FIX_NOW, NULL);
    }
    arc_rqueue_dispatch(q, FIX_NOW, place, drop, &p);
    for (int i = 0; i < 5; i++)
        assert_int_equal(p.order[i], (uint64_t)i + 1);
    arc_rqueue_free(q);
}

static void models_take_turns_within_a_band(void **state)
{
    arc_rqueue_t *q = arc_rqueue_new(16, AGE_STEP);
    struct placer p = {.room = 4, .no_room_model = UINT32_MAX};
    int model0 = 0;

    (void)state;
    /* Six of model 0 arrive before two of model 1. */
    for (uint64_t id = 1; id <= 6; id++) {
        arc_request_t r = request(id, ARC_PRIO_NORMAL, 0);

        arc_rqueue_push(q, &r, FIX_NOW, NULL);
    }
    for (uint64_t id = 7; id <= 8; id++) {
        arc_request_t r = request(id, ARC_PRIO_NORMAL, 1);

        arc_rqueue_push(q, &r, FIX_NOW, NULL);
    }
    arc_rqueue_dispatch(q, FIX_NOW, place, drop, &p);
    for (int i = 0; i < 4; i++)
        model0 += p.order[i] <= 6;
    assert_int_equal(model0, 2); /* not four: model 1 got its turns */
    arc_rqueue_free(q);
}

static void a_model_without_room_does_not_block_others(void **state)
{
    arc_rqueue_t *q = arc_rqueue_new(16, AGE_STEP);
    struct placer p = {.room = 10, .no_room_model = 4};
    arc_request_t r;

    (void)state;
    r = request(1, ARC_PRIO_CRITICAL, 4);
    arc_rqueue_push(q, &r, FIX_NOW, NULL);
    r = request(2, ARC_PRIO_CRITICAL, 0);
    arc_rqueue_push(q, &r, FIX_NOW, NULL);
    r = request(3, ARC_PRIO_BACKGROUND, 1);
    arc_rqueue_push(q, &r, FIX_NOW, NULL);

    assert_int_equal(arc_rqueue_dispatch(q, FIX_NOW, place, drop, &p), 2);
    assert_int_equal(arc_rqueue_len(q), 1);
    assert_int_equal(arc_rqueue_band_len(q, ARC_PRIO_CRITICAL), 1);
    arc_rqueue_free(q);
}

static void waiting_background_work_ages_into_higher_bands(void **state)
{
    arc_rqueue_t *q = arc_rqueue_new(16, AGE_STEP);
    struct placer p = {.room = 0, .no_room_model = UINT32_MAX};
    arc_request_t r = request(1, ARC_PRIO_BACKGROUND, 0);

    (void)state;
    arc_rqueue_push(q, &r, FIX_NOW, NULL);
    arc_rqueue_dispatch(q, FIX_NOW + AGE_STEP, place, drop, &p);
    assert_int_equal(arc_rqueue_band_len(q, ARC_PRIO_NORMAL), 1);
    arc_rqueue_dispatch(q, FIX_NOW + 2 * AGE_STEP, place, drop, &p);
    assert_int_equal(arc_rqueue_band_len(q, ARC_PRIO_CRITICAL), 1);
    arc_rqueue_free(q);
}

static void aged_work_is_served_before_fresh_work_of_its_new_band(void **s)
{
    arc_rqueue_t *q = arc_rqueue_new(16, AGE_STEP);
    struct placer p = {.room = 0, .no_room_model = UINT32_MAX};
    arc_request_t r = request(1, ARC_PRIO_NORMAL, 0);

    (void)s;
    arc_rqueue_push(q, &r, FIX_NOW, NULL);
    arc_rqueue_dispatch(q, FIX_NOW + AGE_STEP, place, drop, &p); /* ages */
    r = request(2, ARC_PRIO_NORMAL, 0);
    arc_rqueue_push(q, &r, FIX_NOW + AGE_STEP, NULL);

    p.room = 1;
    arc_rqueue_dispatch(q, FIX_NOW + AGE_STEP, place, drop, &p);
    assert_int_equal(p.order[0], 1);
    arc_rqueue_free(q);
}

static void a_full_queue_refuses_with_a_retry_hint(void **state)
{
    arc_rqueue_t *q = arc_rqueue_new(2, AGE_STEP);
    arc_request_t r = request(1, ARC_PRIO_NORMAL, 0);
    int64_t retry = 0;

    (void)state;
    assert_int_equal(arc_rqueue_push(q, &r, FIX_NOW, &retry), ARC_OK);
    assert_int_equal(arc_rqueue_push(q, &r, FIX_NOW, &retry), ARC_OK);
    assert_int_equal(arc_rqueue_push(q, &r, FIX_NOW, &retry), ARC_ERR_FULL);
    assert_true(retry >= ARC_US_PER_S);
    assert_int_equal(arc_rqueue_len(q), 2);
    arc_rqueue_free(q);
}

static void retry_hint_follows_the_drain_rate(void **state)
{
    arc_rqueue_t *q = arc_rqueue_new(100, AGE_STEP);
    struct placer p = {.room = 1000, .no_room_model = UINT32_MAX};
    int64_t now = FIX_NOW, retry = 0;
    arc_request_t r = request(1, ARC_PRIO_NORMAL, 0);

    (void)state;
    /* Drain one request a second for a while: 1/s. */
    for (int i = 0; i < 12; i++) {
        arc_rqueue_push(q, &r, now, NULL);
        p.room = 1;
        arc_rqueue_dispatch(q, now, place, drop, &p);
        now += ARC_US_PER_S;
    }
    for (int i = 0; i < 100; i++)
        arc_rqueue_push(q, &r, now, NULL);
    assert_int_equal(arc_rqueue_push(q, &r, now, &retry), ARC_ERR_FULL);
    /* 100 waiting at about one a second: around 100 s. */
    assert_in_range(retry, 80 * ARC_US_PER_S, 130 * ARC_US_PER_S);
    arc_rqueue_free(q);
}

static void expired_requests_are_removed_and_reported(void **state)
{
    arc_rqueue_t *q = arc_rqueue_new(8, AGE_STEP);
    struct placer p = {.room = 10, .no_room_model = UINT32_MAX};
    arc_request_t r = request(1, ARC_PRIO_NORMAL, 0);

    (void)state;
    r.deadline_us = FIX_NOW + ARC_US_PER_S;
    arc_rqueue_push(q, &r, FIX_NOW, NULL);
    r.id = 2;
    r.deadline_us = 0; /* none */
    arc_rqueue_push(q, &r, FIX_NOW, NULL);
    r.id = 3;
    r.deadline_us = FIX_NOW + 100 * ARC_US_PER_S;
    arc_rqueue_push(q, &r, FIX_NOW, NULL);

    assert_int_equal(arc_rqueue_expire(q, FIX_NOW + 2 * ARC_US_PER_S, drop,
                                       &p),
                     1);
    assert_int_equal(p.dropped, 1);
    assert_int_equal(arc_rqueue_len(q), 2);
    arc_rqueue_dispatch(q, FIX_NOW, place, drop, &p);
    assert_int_equal(p.order[0], 2);
    assert_int_equal(p.order[1], 3);
    arc_rqueue_free(q);
}

static void slots_are_reused_after_removal(void **state)
{
    arc_rqueue_t *q = arc_rqueue_new(2, AGE_STEP);
    struct placer p = {.room = 1000, .no_room_model = UINT32_MAX};
    arc_request_t r = request(1, ARC_PRIO_NORMAL, 0);

    (void)state;
    for (int i = 0; i < 50; i++) {
        assert_int_equal(arc_rqueue_push(q, &r, FIX_NOW, NULL), ARC_OK);
        assert_int_equal(arc_rqueue_push(q, &r, FIX_NOW, NULL), ARC_OK);
        assert_int_equal(arc_rqueue_dispatch(q, FIX_NOW, place, drop, &p),
                         2);
    }
    arc_rqueue_free(q);
}

static void bad_arguments_are_refused(void **state)
{
    arc_rqueue_t *q = arc_rqueue_new(2, AGE_STEP);
    arc_request_t r = request(1, ARC_PRIO_NORMAL, 999);

    (void)state;
    assert_null(arc_rqueue_new(0, AGE_STEP));
    assert_null(arc_rqueue_new(4, 0));
    assert_int_equal(arc_rqueue_push(q, &r, FIX_NOW, NULL), ARC_ERR_INVALID);
    arc_rqueue_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(higher_bands_are_served_first),
        cmocka_unit_test(requests_of_one_model_keep_arrival_order),
        cmocka_unit_test(models_take_turns_within_a_band),
        cmocka_unit_test(a_model_without_room_does_not_block_others),
        cmocka_unit_test(waiting_background_work_ages_into_higher_bands),
        cmocka_unit_test(aged_work_is_served_before_fresh_work_of_its_new_band),
        cmocka_unit_test(a_full_queue_refuses_with_a_retry_hint),
        cmocka_unit_test(retry_hint_follows_the_drain_rate),
        cmocka_unit_test(expired_requests_are_removed_and_reported),
        cmocka_unit_test(slots_are_reused_after_removal),
        cmocka_unit_test(bad_arguments_are_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
