/*  test_policy.c — broker/broker_policy and broker_queue on a hall built in memory: the
    calling order (green, appointment, then first come first served across a counter's
    services), the reasons, a counter's own services, re-insertion with an earlier place,
    and the queue against a simple reference under many random inserts and removes. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_config.h"
#include "broker_hall.h"
#include "broker_policy.h"
#include "broker_queue.h"
#include "test_util.h"
#include "tests.h"

#define S_A 0
#define S_B 1
#define S_C 2

static const char *s_config_text =
    "{\"hall\": {\"id\": \"P\", \"name\": \"策略\"},"
    " \"services\": [{\"prefix\": \"A\", \"name\": \"甲\"}, {\"prefix\": \"B\", \"name\": \"乙\"},"
    " {\"prefix\": \"C\", \"name\": \"丙\"}],"
    " \"counters\": [{\"id\": 1, \"services\": [\"A\", \"B\"]}, {\"id\": 2, \"services\": [\"A\"]},"
    " {\"id\": 3, \"services\": [\"A\", \"B\", \"C\"]}]}";

static broker_config_t *s_config;

static int
s_init (void)
{
    char err[256];
    s_config = broker_config_parse (s_config_text, err, sizeof err);
    return s_config ? 0 : -1;
}

static int
s_clean (void)
{
    broker_config_destroy (&s_config);
    return 0;
}

static broker_ticket_t *
s_ticket (broker_hall_t *hall, int service, broker_priority_t priority)
{
    return test_ticket_waiting (hall, service, (int)priority);
}

static broker_counter_t *
s_open_counter (broker_hall_t *hall, int id, uint32_t services)
{
    broker_counter_t *c = broker_hall_counter (hall, id);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    c->state = COUNTER_IDLE;
    c->services = services;
    return c;
}

//  What ticket.call_next does to the line: the chosen ticket leaves it.
static broker_ticket_t *
s_call (broker_hall_t *hall, broker_counter_t *c, const char **reason)
{
    broker_ticket_t *t = broker_policy_next (hall, c, 0, reason);
    if (t) {
        broker_hall_dequeue (hall, t);
        t->state = TICKET_CALLED;
        t->counter = c->id;
    }
    return t;
}

//  ---------------------------------------------------------------------------------------

static void
test_classes (void)
{
    broker_hall_t *hall = broker_hall_new (s_config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (hall);
    broker_counter_t *c = s_open_counter (hall, 2, 1u << S_A);
    broker_ticket_t *normal = s_ticket (hall, S_A, PRIORITY_NORMAL);
    broker_ticket_t *appt = s_ticket (hall, S_A, PRIORITY_APPOINTMENT);
    broker_ticket_t *green = s_ticket (hall, S_A, PRIORITY_GREEN);
    const char *reason = "unset";
    CU_ASSERT_PTR_EQUAL (s_call (hall, c, &reason), green);
    CU_ASSERT_STRING_EQUAL (reason, "green");
    CU_ASSERT_PTR_EQUAL (s_call (hall, c, &reason), appt);
    CU_ASSERT_STRING_EQUAL (reason, "appointment");
    CU_ASSERT_PTR_EQUAL (s_call (hall, c, &reason), normal);
    CU_ASSERT_STRING_EQUAL (reason, "fifo");
    CU_ASSERT_PTR_NULL (s_call (hall, c, &reason));
    CU_ASSERT_PTR_NULL (reason);
    //  A NULL reason pointer is allowed.
    broker_ticket_t *t = s_ticket (hall, S_A, PRIORITY_NORMAL);
    CU_ASSERT_PTR_EQUAL (broker_policy_next (hall, c, 0, NULL), t);
    broker_hall_destroy (&hall);
    CU_ASSERT_PTR_NULL (hall);
}

static void
test_elderly_is_green (void)
{
    broker_hall_t *hall = broker_hall_new (s_config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (hall);
    CU_ASSERT_EQUAL (broker_priority_class (PRIORITY_ELDERLY), CLASS_GREEN);
    CU_ASSERT_EQUAL (broker_priority_class (PRIORITY_GREEN), CLASS_GREEN);
    CU_ASSERT_EQUAL (broker_priority_class (PRIORITY_APPOINTMENT), CLASS_APPOINTMENT);
    CU_ASSERT_EQUAL (broker_priority_class (PRIORITY_NORMAL), CLASS_NORMAL);
    broker_counter_t *c = s_open_counter (hall, 2, 1u << S_A);
    broker_ticket_t *normal = s_ticket (hall, S_A, PRIORITY_NORMAL);
    broker_ticket_t *appt = s_ticket (hall, S_A, PRIORITY_APPOINTMENT);
    broker_ticket_t *elderly = s_ticket (hall, S_A, PRIORITY_ELDERLY);
    broker_ticket_t *green = s_ticket (hall, S_A, PRIORITY_GREEN);
    const char *reason;
    //  Elderly and green share one line, in order of arrival.
    CU_ASSERT_PTR_EQUAL (s_call (hall, c, &reason), elderly);
    CU_ASSERT_STRING_EQUAL (reason, "green");
    CU_ASSERT_PTR_EQUAL (s_call (hall, c, &reason), green);
    CU_ASSERT_STRING_EQUAL (reason, "green");
    CU_ASSERT_PTR_EQUAL (s_call (hall, c, &reason), appt);
    CU_ASSERT_PTR_EQUAL (s_call (hall, c, &reason), normal);
    CU_ASSERT_PTR_NULL (s_call (hall, c, &reason));
    broker_hall_destroy (&hall);
}

static void
test_fifo_across_services (void)
{
    broker_hall_t *hall = broker_hall_new (s_config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (hall);
    broker_counter_t *ab = s_open_counter (hall, 1, (1u << S_A) | (1u << S_B));
    broker_ticket_t *b1 = s_ticket (hall, S_B, PRIORITY_NORMAL);
    broker_ticket_t *a2 = s_ticket (hall, S_A, PRIORITY_NORMAL);
    broker_ticket_t *c3 = s_ticket (hall, S_C, PRIORITY_NORMAL);
    broker_ticket_t *a4 = s_ticket (hall, S_A, PRIORITY_NORMAL);
    broker_ticket_t *b5 = s_ticket (hall, S_B, PRIORITY_NORMAL);
    const char *reason;
    //  B was issued first, so a counter serving A and B calls it first.
    CU_ASSERT_PTR_EQUAL (broker_policy_next (hall, ab, 0, &reason), b1);
    CU_ASSERT_STRING_EQUAL (reason, "fifo");
    //  A counter serving only A never gets B (nor C).
    broker_counter_t *a = s_open_counter (hall, 2, 1u << S_A);
    CU_ASSERT_PTR_EQUAL (s_call (hall, a, &reason), a2);
    CU_ASSERT_PTR_EQUAL (s_call (hall, a, &reason), a4);
    CU_ASSERT_PTR_NULL (s_call (hall, a, &reason));
    CU_ASSERT_EQUAL (broker_hall_waiting (hall, S_B), 2);
    //  The A+B counter now takes B1, B5 and never C3.
    CU_ASSERT_PTR_EQUAL (s_call (hall, ab, &reason), b1);
    CU_ASSERT_PTR_EQUAL (s_call (hall, ab, &reason), b5);
    CU_ASSERT_PTR_NULL (s_call (hall, ab, &reason));
    //  A counter with no services opened gets nothing.
    broker_counter_t *none = s_open_counter (hall, 3, 0);
    CU_ASSERT_PTR_NULL (broker_policy_next (hall, none, 0, &reason));
    none->services = 1u << S_C;
    CU_ASSERT_PTR_EQUAL (s_call (hall, none, &reason), c3);

    //  The class beats the order across services: a later green B before an earlier
    //  normal A; among greens, the earliest across services.
    broker_ticket_t *a6 = s_ticket (hall, S_A, PRIORITY_NORMAL);
    broker_ticket_t *b7 = s_ticket (hall, S_B, PRIORITY_GREEN);
    broker_ticket_t *a8 = s_ticket (hall, S_A, PRIORITY_ELDERLY);
    broker_ticket_t *a9 = s_ticket (hall, S_A, PRIORITY_APPOINTMENT);
    broker_ticket_t *b10 = s_ticket (hall, S_B, PRIORITY_APPOINTMENT);
    CU_ASSERT_PTR_EQUAL (s_call (hall, ab, &reason), b7);
    CU_ASSERT_STRING_EQUAL (reason, "green");
    CU_ASSERT_PTR_EQUAL (s_call (hall, ab, &reason), a8);
    CU_ASSERT_STRING_EQUAL (reason, "green");
    CU_ASSERT_PTR_EQUAL (s_call (hall, ab, &reason), a9);
    CU_ASSERT_STRING_EQUAL (reason, "appointment");
    CU_ASSERT_PTR_EQUAL (s_call (hall, ab, &reason), b10);
    CU_ASSERT_STRING_EQUAL (reason, "appointment");
    CU_ASSERT_PTR_EQUAL (s_call (hall, ab, &reason), a6);
    CU_ASSERT_STRING_EQUAL (reason, "fifo");
    CU_ASSERT_PTR_NULL (s_call (hall, ab, &reason));
    //  A green B ticket is not called by the A-only counter, even though it is green.
    s_ticket (hall, S_B, PRIORITY_GREEN);
    broker_ticket_t *a12 = s_ticket (hall, S_A, PRIORITY_NORMAL);
    CU_ASSERT_PTR_EQUAL (s_call (hall, a, &reason), a12);
    CU_ASSERT_STRING_EQUAL (reason, "fifo");
    broker_hall_destroy (&hall);
}

static void
test_reinsert_keeps_place (void)
{
    broker_hall_t *hall = broker_hall_new (s_config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (hall);
    broker_counter_t *ab = s_open_counter (hall, 1, (1u << S_A) | (1u << S_B));
    broker_counter_t *a = s_open_counter (hall, 2, 1u << S_A);
    broker_ticket_t *b1 = s_ticket (hall, S_B, PRIORITY_NORMAL);
    broker_ticket_t *a2 = s_ticket (hall, S_A, PRIORITY_NORMAL);
    broker_ticket_t *a3 = s_ticket (hall, S_A, PRIORITY_NORMAL);
    CU_ASSERT_EQUAL (b1->order_key, BROKER_ORDER_GAP);
    CU_ASSERT_EQUAL (a3->order_key, 3 * BROKER_ORDER_GAP);
    const char *reason;
    //  B1 is called and served, then transferred to A keeping its order key: it goes
    //  ahead of A2 and A3, which were issued after it.
    CU_ASSERT_PTR_EQUAL (s_call (hall, ab, &reason), b1);
    b1->from_service = S_B;
    b1->service = S_A;
    b1->state = TICKET_WAITING;
    b1->counter = 0;
    CU_ASSERT_EQUAL (broker_hall_enqueue (hall, b1), 0);
    CU_ASSERT_EQUAL (broker_queue_rank (hall->queues[S_A][CLASS_NORMAL], b1), 0);
    CU_ASSERT_EQUAL (broker_queue_rank (hall->queues[S_A][CLASS_NORMAL], a2), 1);
    CU_ASSERT_PTR_EQUAL (s_call (hall, a, &reason), b1);
    //  A ticket put back between two others (missed, back one place).
    CU_ASSERT_PTR_EQUAL (s_call (hall, a, &reason), a2);
    broker_ticket_t *a4 = s_ticket (hall, S_A, PRIORITY_NORMAL);
    a2->state = TICKET_WAITING;
    a2->order_key = a3->order_key + 1;
    CU_ASSERT_EQUAL (broker_hall_enqueue (hall, a2), 0);
    CU_ASSERT_PTR_EQUAL (s_call (hall, a, &reason), a3);
    CU_ASSERT_PTR_EQUAL (s_call (hall, a, &reason), a2);
    CU_ASSERT_PTR_EQUAL (s_call (hall, a, &reason), a4);
    //  Equal order keys fall back to the id, also across services.
    broker_ticket_t *b5 = s_ticket (hall, S_B, PRIORITY_NORMAL);
    broker_ticket_t *a6 = s_ticket (hall, S_A, PRIORITY_NORMAL);
    broker_hall_dequeue (hall, a6);
    a6->order_key = b5->order_key;
    broker_hall_enqueue (hall, a6);
    CU_ASSERT_PTR_EQUAL (s_call (hall, ab, &reason), b5);
    CU_ASSERT_PTR_EQUAL (s_call (hall, ab, &reason), a6);
    broker_hall_destroy (&hall);
}

static void
test_hall_live_set (void)
{
    broker_hall_t *hall = broker_hall_new (s_config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (hall);
    broker_ticket_t *t[5];
    for (int i = 0; i < 5; i++) {
        t[i] = s_ticket (hall, i % 2 ? S_B : S_A, PRIORITY_NORMAL);
        CU_ASSERT_EQUAL (t[i]->id, (uint64_t)i + 1);
        CU_ASSERT_EQUAL (t[i]->from_service, -1);
    }
    CU_ASSERT_EQUAL (hall->nlive, 5);
    CU_ASSERT_PTR_EQUAL (broker_hall_live (hall, 3), t[2]);
    CU_ASSERT_PTR_NULL (broker_hall_live (hall, 6));
    CU_ASSERT_PTR_EQUAL (broker_hall_live_by_number (hall, "B002"), t[1]);
    CU_ASSERT_EQUAL (broker_hall_waiting (hall, S_A), 3);
    CU_ASSERT_EQUAL (broker_hall_waiting (hall, S_B), 2);
    //  Retiring a waiting ticket also takes it out of its line.
    broker_hall_retire (hall, t[2]);
    CU_ASSERT_EQUAL (hall->nlive, 4);
    CU_ASSERT_PTR_NULL (broker_hall_live (hall, 3));
    CU_ASSERT_PTR_EQUAL (broker_hall_live (hall, 4), t[3]);
    CU_ASSERT_EQUAL (broker_hall_waiting (hall, S_A), 2);
    broker_counter_t *a = s_open_counter (hall, 2, 1u << S_A);
    const char *reason;
    CU_ASSERT_PTR_EQUAL (s_call (hall, a, &reason), t[0]);
    CU_ASSERT_PTR_EQUAL (s_call (hall, a, &reason), t[4]);
    CU_ASSERT_PTR_NULL (s_call (hall, a, &reason));
    CU_ASSERT_PTR_NULL (broker_hall_counter (hall, 99));
    broker_hall_destroy (&hall);
}

//  ---------------------------------------------------------------------------------------
//  The queue against a plain sorted array.

static int
s_before (const broker_ticket_t *a, const broker_ticket_t *b)
{
    return a->order_key < b->order_key || (a->order_key == b->order_key && a->id < b->id);
}

static void
test_queue_random (void)
{
    enum { POOL = 1500, OPS = 10000 };
    broker_ticket_t *pool = calloc (POOL, sizeof *pool);
    broker_ticket_t **ref = calloc (POOL, sizeof *ref);
    bool *in = calloc (POOL, sizeof *in);
    broker_queue_t *q = broker_queue_new ();
    CU_ASSERT_FATAL (pool && ref && in && q);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < POOL; i++) {
        pool[i].id = (uint64_t)i + 1;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        //  A small key range, so equal keys (ordered by id) are common.
        pool[i].order_key = (int64_t)(x % 400) * BROKER_ORDER_GAP + (int64_t)(x >> 60);
    }
    size_t n = 0;
    int mismatches = 0;
    for (int op = 0; op < OPS; op++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int i = (int)(x % POOL);
        broker_ticket_t *t = &pool[i];
        if (!in[i]) {
            if (broker_queue_insert (q, t) != 0)
                mismatches++;
            size_t at = 0;
            while (at < n && s_before (ref[at], t))
                at++;
            memmove (&ref[at + 1], &ref[at], (n - at) * sizeof *ref);
            ref[at] = t;
            n++;
            in[i] = true;
            if (broker_queue_rank (q, t) != (long)at)
                mismatches++;
        } else {
            size_t at = 0;
            while (ref[at] != t)
                at++;
            if (broker_queue_rank (q, t) != (long)at)
                mismatches++;
            if (broker_queue_remove (q, t) != 0)
                mismatches++;
            memmove (&ref[at], &ref[at + 1], (n - at - 1) * sizeof *ref);
            n--;
            in[i] = false;
            if (broker_queue_rank (q, t) != -1 || broker_queue_remove (q, t) != -1)
                mismatches++;
        }
        if (broker_queue_size (q) != n)
            mismatches++;
        if (op % 500 == 0 || op == OPS - 1) {
            for (size_t k = 0; k < n; k++)
                if (broker_queue_at (q, k) != ref[k] || broker_queue_rank (q, ref[k]) != (long)k)
                    mismatches++;
            if (broker_queue_at (q, n) != NULL)
                mismatches++;
        }
    }
    CU_ASSERT_EQUAL (mismatches, 0);
    CU_ASSERT_TRUE (n > 100); //  the run did fill the queue
    //  Sorted by (order key, id) with no duplicates.
    for (size_t k = 1; k < broker_queue_size (q); k++)
        CU_ASSERT_TRUE (s_before (broker_queue_at (q, k - 1), broker_queue_at (q, k)));
    broker_queue_clear (q);
    CU_ASSERT_EQUAL (broker_queue_size (q), 0);
    CU_ASSERT_PTR_NULL (broker_queue_at (q, 0));
    CU_ASSERT_EQUAL (broker_queue_rank (q, &pool[0]), -1);
    CU_ASSERT_EQUAL (broker_queue_remove (q, &pool[0]), -1);
    //  Reusable after clear.
    CU_ASSERT_EQUAL (broker_queue_insert (q, &pool[1]), 0);
    CU_ASSERT_EQUAL (broker_queue_insert (q, &pool[0]), 0);
    CU_ASSERT_EQUAL (broker_queue_size (q), 2);
    broker_queue_destroy (&q);
    CU_ASSERT_PTR_NULL (q);
    broker_queue_destroy (&q);
    free (pool);
    free (ref);
    free (in);
}

int
test_policy_suite (void)
{
    CU_pSuite suite = CU_add_suite ("policy", s_init, s_clean);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "green, then appointment, then fifo", test_classes) ||
        !CU_add_test (suite, "elderly is called with green", test_elderly_is_green) ||
        !CU_add_test (suite, "fifo across a counter's services only", test_fifo_across_services) ||
        !CU_add_test (suite, "re-inserted tickets keep an earlier place",
                      test_reinsert_keeps_place) ||
        !CU_add_test (suite, "live set: ids, lookup, retire", test_hall_live_set) ||
        !CU_add_test (suite, "queue vs reference, 10k random ops", test_queue_random))
        return -1;
    return 0;
}
