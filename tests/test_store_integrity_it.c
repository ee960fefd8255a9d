/*  test_store_integrity_it.c — the broker and a store it cannot trust: a store that cannot
    commit answers every request with `store_failed` and its request id; a truncated,
    emptied, deleted or scrambled store is refused at start with a clear message and a
    non-zero exit, and `--check DIR` says the same offline; `--new-store` is the one way
    to start afresh beside an earlier store's traces. Real broker processes, real files. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto_msg.h"
#include "test_util.h"
#include "tests.h"

#define T0 1795827600000LL

//  Size of DIR/data/NAME in bytes, -1 if it is missing.
static long long
s_size (const test_broker_t *b, const char *name)
{
    char path[700];
    snprintf (path, sizeof path, "%s/data/%s", b->dir, name);
    struct stat st;
    return stat (path, &st) == 0 ? (long long)st.st_size : -1;
}

//  A broker whose store cannot grow its file: RLIMIT_FSIZE at the size data.mdb has now,
//  with SIGXFSZ ignored (both inherited through exec), so a commit that needs a new page
//  fails with EFBIG as one on a full disk fails with ENOSPC.
static int
s_restart_file_capped (test_broker_t *b)
{
    struct rlimit old, capped;
    getrlimit (RLIMIT_FSIZE, &old);
    capped = old;
    capped.rlim_cur = (rlim_t)s_size (b, "data.mdb");
    struct sigaction ign = {.sa_handler = SIG_IGN}, was;
    sigaction (SIGXFSZ, &ign, &was);
    setrlimit (RLIMIT_FSIZE, &capped);
    int rc = test_broker_restart (b);
    setrlimit (RLIMIT_FSIZE, &old);
    sigaction (SIGXFSZ, &was, NULL);
    return rc;
}

static void
test_store_failed_keeps_id (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    CU_ASSERT_EQUAL (test_code (c, "ticket.issue", json_pack ("{s:s}", "service", "A"), NULL), 0);
    proto_client_destroy (&c);
    test_broker_stop (&b, SIGTERM);
    CU_ASSERT_FATAL (s_restart_file_capped (&b) == 0);
    c = test_client (&b);
    //  One try each: a reply without the request's id is never matched, so the call would
    //  time out (and a client would retry for ever) instead of hearing store_failed.
    proto_client_set_timeout (c, 3000, 1);
    int code = 0, issued = 0;
    char id[64];
    for (int i = 0; i < 400 && code == 0; i++) {
        snprintf (id, sizeof id, "full-disk-%d", i);
        json_t *body = json_pack ("{s:s}", "service", "A"), *r = NULL;
        code = proto_client_call_id (c, "ticket.issue", body, id, &r);
        json_decref (body);
        json_decref (r);
        issued += code == 0;
    }
    CU_ASSERT_EQUAL (code, PROTO_ERR_STORE_FAILED);
    CU_ASSERT_STRING_EQUAL (proto_client_code (c), "store_failed");
    //  The same request again, same id: the same answer (nothing was recorded).
    json_t *body = json_pack ("{s:s}", "service", "A"), *r = NULL;
    CU_ASSERT_EQUAL (proto_client_call_id (c, "ticket.issue", body, id, &r),
                     PROTO_ERR_STORE_FAILED);
    json_decref (r);
    CU_ASSERT_TRUE (test_broker_alive (&b));
    proto_client_destroy (&c);
    //  Room again: the retry of that id issues the ticket, numbered after the last one.
    test_broker_stop (&b, SIGTERM);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    c = test_client (&b);
    r = NULL;
    CU_ASSERT_EQUAL (proto_client_call_id (c, "ticket.issue", body, id, &r), 0);
    char number[16];
    snprintf (number, sizeof number, "A%03d", issued + 2);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (r, "number")), number);
    json_decref (r);
    json_decref (body);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

int
test_store_integrity_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("store_integrity_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "a store that cannot commit: store_failed with the request's id",
                 test_store_failed_keeps_id);
    return 0;
}
