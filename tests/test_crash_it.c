/*  test_crash_it.c — kill -9 of the broker: nothing acknowledged is lost.

    A load process issues and calls tickets as fast as it can and writes every reply it
    receives to a pipe; the broker is SIGKILLed in mid-flow, restarted on the same store,
    and every acknowledged ticket must be there with its number and state, and numbering
    must continue after the highest acknowledged number. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto_msg.h"
#include "test_util.h"
#include "tests.h"

#define T0 1795827600000LL

typedef struct {
    char number[16];
    char token[64];
    char state[16];
} s_acked_t;

//  The load: issue tickets of A/B/C and have counter 1 call+start some; write one line
//  per acknowledged change: "issued NUMBER TOKEN" or "called NUMBER TOKEN".
static void
s_load (const char *endpoint, int fd)
{
    proto_client_t *c = proto_client_new (endpoint);
    proto_client_set_timeout (c, 2000, 1);
    json_t *r = NULL;
    proto_client_call (c, "counter.login", json_pack ("{s:i}", "counter", 1), &r);
    json_decref (r);
    const char *services[] = {"A", "B", "C"};
    char line[128];
    for (int i = 0;; i++) {
        json_t *body = json_pack ("{s:s}", "service", services[i % 3]);
        r = NULL;
        int rc = proto_client_call (c, "ticket.issue", body, &r);
        json_decref (body);
        if (rc == PROTO_CLIENT_UNREACHABLE) {
            json_decref (r);
            break;
        }
        if (rc == 0) {
            int n = snprintf (line, sizeof line, "issued %s %s\n",
                              json_string_value (json_object_get (r, "number")),
                              json_string_value (json_object_get (r, "token")));
            if (write (fd, line, (size_t)n) != n)
                break;
        }
        json_decref (r);
        if (i % 4 == 3) {
            json_t *cb = json_pack ("{s:i}", "counter", 1);
            r = NULL;
            rc = proto_client_call (c, "ticket.call_next", cb, &r);
            if (rc == 0) {
                json_t *t = json_object_get (r, "ticket");
                int n = snprintf (line, sizeof line, "called %s %lld\n",
                                  json_string_value (json_object_get (t, "number")),
                                  (long long)json_integer_value (json_object_get (t, "id")));
                if (write (fd, line, (size_t)n) != n)
                    break;
                json_decref (r);
                r = NULL;
                proto_client_call (c, "ticket.missed", cb, &r);
            }
            json_decref (r);
            json_decref (cb);
        }
    }
    proto_client_destroy (&c);
}

static void
test_kill9_loses_nothing (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    int fds[2];
    CU_ASSERT_FATAL (pipe (fds) == 0);
    pid_t load = fork ();
    if (load == 0) {
        close (fds[0]);
        s_load (b.req, fds[1]);
        _exit (0);
    }
    close (fds[1]);
    FILE *in = fdopen (fds[0], "r");
    //  Let it run for a few hundred acknowledged changes, then kill the broker at once.
    char line[256];
    int lines = 0;
    size_t cap = 4096, n = 0;
    s_acked_t *acked = calloc (cap, sizeof *acked);
    char called[4096][16];
    int ncalled = 0;
    while (fgets (line, sizeof line, in)) {
        char kind[16], number[16], token[64];
        if (sscanf (line, "%15s %15s %63s", kind, number, token) != 3)
            continue;
        if (strcmp (kind, "issued") == 0 && n < cap) {
            snprintf (acked[n].number, sizeof acked[n].number, "%s", number);
            snprintf (acked[n].token, sizeof acked[n].token, "%s", token);
            n++;
        } else if (ncalled < 4096)
            snprintf (called[ncalled++], sizeof called[0], "%s", number);
        if (++lines == 300)
            test_broker_stop (&b, SIGKILL);
    }
    //  The load stops by itself when the broker is gone; everything it acknowledged is read.
    fclose (in);
    int st;
    waitpid (load, &st, 0);
    CU_ASSERT_FATAL (lines >= 300);

    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    proto_client_t *c = test_client (&b);
    int missing = 0, wrong = 0;
    for (size_t i = 0; i < n; i++) {
        int code;
        json_t *r =
            test_call (c, "ticket.status", json_pack ("{s:s}", "token", acked[i].token), &code);
        json_t *t = json_object_get (r, "ticket");
        if (code != 0)
            missing++;
        else if (strcmp (json_string_value (json_object_get (t, "number")), acked[i].number) != 0)
            wrong++;
        json_decref (r);
    }
    CU_ASSERT_EQUAL (missing, 0);
    CU_ASSERT_EQUAL (wrong, 0);
    //  Every acknowledged number is distinct.
    int dups = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp (acked[i].number, acked[j].number) == 0)
                dups++;
    CU_ASSERT_EQUAL (dups, 0);
    //  Numbering continues past the highest acknowledged number of each prefix.
    const char *services[] = {"A", "B", "C"};
    for (int s = 0; s < 3; s++) {
        int high = 0;
        for (size_t i = 0; i < n; i++)
            if (acked[i].number[0] == services[s][0] && atoi (acked[i].number + 1) > high)
                high = atoi (acked[i].number + 1);
        int code;
        json_t *r =
            test_call (c, "ticket.issue", json_pack ("{s:s}", "service", services[s]), &code);
        CU_ASSERT_EQUAL (code, 0);
        CU_ASSERT (atoi (json_string_value (json_object_get (r, "number")) + 1) > high);
        json_decref (r);
    }
    //  The journal has no gap: the snapshot's sequence equals the number of events stored.
    json_t *snap = test_call (c, "hall.snapshot", NULL, NULL);
    long long seq = json_integer_value (json_object_get (snap, "seq"));
    json_decref (snap);
    char cmd[700];
    snprintf (cmd, sizeof cmd, "mdb_stat -s events '%s/data' | awk '/Entries:/ {print $2}'", b.dir);
    int st2;
    char *out = test_run (cmd, &st2);
    CU_ASSERT_EQUAL (st2, 0);
    CU_ASSERT_EQUAL (out ? atoll (out) : -1, seq);
    free (out);
    printf (
        "\n    kill -9 after %d acknowledged changes (%zu tickets, %d calls): lost %d, wrong %d, "
        "duplicate numbers %d\n",
        lines, n, ncalled, missing, wrong, dups);
    free (acked);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

static void
test_kill9_mid_service (void)
{
    //  A ticket being served survives a crash as serving, at the same counter.
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = test_call (c, "ticket.issue", json_pack ("{s:s}", "service", "E"), NULL);
    json_decref (test_call (c, "counter.login",
                            json_pack ("{s:i, s:s}", "counter", 7, "clerk", "李四"), NULL));
    json_decref (test_call (c, "ticket.call_next", json_pack ("{s:i}", "counter", 7), NULL));
    json_decref (test_call (c, "ticket.start", json_pack ("{s:i}", "counter", 7), NULL));
    test_broker_stop (&b, SIGKILL);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    proto_client_destroy (&c);
    c = test_client (&b);
    json_t *r = test_call (
        c, "ticket.status",
        json_pack ("{s:s}", "token", json_string_value (json_object_get (t, "token"))), NULL);
    json_t *tk = json_object_get (r, "ticket");
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (tk, "state")), "serving");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (tk, "counter")), 7);
    json_decref (r);
    int code;
    r = test_call (c, "ticket.finish", json_pack ("{s:i}", "counter", 7), &code);
    CU_ASSERT_EQUAL (code, 0);
    json_decref (r);
    json_t *snap = test_call (c, "hall.snapshot", NULL, NULL);
    json_t *ctr = json_array_get (json_object_get (snap, "counters"), 6);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (ctr, "id")), 7);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (ctr, "clerk")), "李四");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (ctr, "served")), 1);
    json_decref (snap);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

int
test_crash_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("crash_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "kill -9 under load loses nothing acknowledged", test_kill9_loses_nothing);
    CU_add_test (s, "kill -9 while serving: state and counter restored", test_kill9_mid_service);
    return 0;
}
