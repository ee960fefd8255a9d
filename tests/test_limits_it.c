/*  test_limits_it.c — what the broker takes in, bounded: a date is a date as a whole
    integer (2^32 + 20261130 is not 20261130), and a message is four frames of a bounded
    size in all, whatever libzmq lets through frame by frame. A real broker process. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto_msg.h"
#include "test_util.h"
#include "tests.h"

#define T0 1795998600000LL //  Monday 2026-11-30 09:10 in the example hall

static int
s_book (proto_client_t *c, json_int_t date, const char *name)
{
    return test_code (c, "appointment.book",
                      json_pack ("{s:s, s:I, s:s, s:s, s:s}", "service", "B", "date", date, "slot",
                                 "11:00", "name", name, "phone", "13812345678"),
                      NULL);
}

static int
s_list (proto_client_t *c, json_int_t date, json_t **reply)
{
    return test_code (c, "appointment.list", json_pack ("{s:I}", "date", date), reply);
}

static void
test_dates_are_dates (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    const json_int_t wrapped = ((json_int_t)1 << 32) + 20261130;
    //  Out of range: refused, not cut to the int it ends in.
    CU_ASSERT_EQUAL (s_book (c, wrapped, "王一"), PROTO_ERR_BAD_FIELD);
    CU_ASSERT_EQUAL (s_book (c, -20261130, "王一"), PROTO_ERR_BAD_FIELD);
    CU_ASSERT_EQUAL (s_book (c, 20261131, "王一"), PROTO_ERR_BAD_FIELD); //  no such day
    CU_ASSERT_EQUAL (s_book (c, 20261130, "王一"), PROTO_ERR_OK);
    json_t *r = NULL;
    CU_ASSERT_EQUAL (s_list (c, wrapped, &r), PROTO_ERR_BAD_FIELD);
    json_decref (r);
    CU_ASSERT_EQUAL (s_list (c, 0, &r), PROTO_ERR_BAD_FIELD);
    json_decref (r);
    CU_ASSERT_EQUAL (s_list (c, 20261130, &r), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "appointments")), 1);
    json_decref (r);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  Sends [OW1, command, id, then `nbody` frames of `size` bytes] from a raw DEALER and
//  returns the reply's status frame ("" if none came within 10 s).
static void
s_raw (const test_broker_t *b, const char *command, int nbody, size_t size, char *status,
       size_t ssize)
{
    void *ctx = zmq_ctx_new ();
    void *d = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (d, ZMQ_LINGER, &zero, sizeof zero);
    CU_ASSERT_EQUAL (zmq_connect (d, b->req), 0);
    char *body = malloc (size);
    CU_ASSERT_PTR_NOT_NULL_FATAL (body);
    memset (body, 'x', size);
    zmq_send (d, "OW1", 3, ZMQ_SNDMORE);
    zmq_send (d, command, strlen (command), ZMQ_SNDMORE);
    zmq_send (d, "raw-1", 5, ZMQ_SNDMORE);
    for (int i = 0; i < nbody; i++)
        zmq_send (d, body, size, i < nbody - 1 ? ZMQ_SNDMORE : 0);
    free (body);
    status[0] = 0;
    zmq_pollitem_t item = {d, 0, ZMQ_POLLIN, 0};
    char frame[64];
    if (zmq_poll (&item, 1, 10000) == 1 && zmq_recv (d, frame, sizeof frame, 0) >= 0) {
        int n = zmq_recv (d, status, ssize - 1, 0);
        status[n > 0 && (size_t)n < ssize ? n : 0] = 0;
    }
    zmq_close (d);
    zmq_ctx_term (ctx);
}

static void
test_message_bounded (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    char status[64];
    //  400 frames where a request has four: refused, and the log says who sent it.
    s_raw (&b, "hall.info", 400, 100 * 1000, status, sizeof status);
    CU_ASSERT_STRING_EQUAL (status, "bad_frame");
    //  Four frames, each under the frame limit, together far over what a request holds.
    char *command = malloc (PROTO_MAX_MSG);
    CU_ASSERT_PTR_NOT_NULL_FATAL (command);
    memset (command, 'c', PROTO_MAX_MSG - 1);
    command[PROTO_MAX_MSG - 1] = 0;
    s_raw (&b, command, 1, PROTO_MAX_MSG, status, sizeof status);
    free (command);
    CU_ASSERT_STRING_EQUAL (status, "too_large");
    //  And the broker goes on.
    proto_client_t *c = test_client (&b);
    CU_ASSERT_EQUAL (test_code (c, "hall.info", NULL, NULL), PROTO_ERR_OK);
    proto_client_destroy (&c);
    char *log = test_read_file (b.log);
    CU_ASSERT_PTR_NOT_NULL (log && strstr (log, "refused a message of 403 frames"));
    free (log);
    test_broker_cleanup (&b);
}

int
test_limits_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("limits_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "dates are dates: out of range refused, never wrapped", test_dates_are_dates);
    CU_add_test (s, "a message is four frames of a bounded size in all", test_message_bounded);
    return 0;
}
