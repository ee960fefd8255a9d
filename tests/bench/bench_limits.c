/*  bench_limits.c — the physical limits the broker is measured against, on this machine,
    in this run:

    - LMDB: one put per write transaction, committed with LMDB's default sync (what the
      broker does per batch), in a directory under var/bench — the same filesystem as the
      broker's data directory. Nothing the broker does durably can go faster for a single
      client, which waits for each commit.
    - ZeroMQ: a DEALER/ROUTER echo server (this program with --echo-server, a separate
      process like the broker) answering 4-frame requests with 4-frame replies shaped like
      the broker's, driven by exactly the client threads the broker figures use. */
#include "bench.h"

#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto_msg.h"

//  Bytes of a reply body: about what ticket.issue and ticket.call_next answer.
#define ECHO_REPLY_BYTES 900
//  Bytes of the value in each LMDB commit: about one ticket record.
#define LMDB_VALUE_BYTES 600

//  Synced single-put commits per second for `seconds`. -1 on error.
static double
s_lmdb_rate (const char *dir, double seconds)
{
    MDB_env *env = NULL;
    MDB_dbi dbi;
    MDB_txn *txn = NULL;
    int rc = mdb_env_create (&env);
    if (!rc)
        rc = mdb_env_set_mapsize (env, (size_t)64 << 20);
    if (!rc)
        rc = mdb_env_open (env, dir, MDB_NOTLS, 0640);
    if (!rc)
        rc = mdb_txn_begin (env, NULL, 0, &txn);
    if (!rc)
        rc = mdb_dbi_open (txn, NULL, 0, &dbi);
    if (!rc)
        rc = mdb_txn_commit (txn);
    if (rc) {
        fprintf (stderr, "bench: lmdb in %s: %s\n", dir, mdb_strerror (rc));
        if (env)
            mdb_env_close (env);
        return -1;
    }
    char value[LMDB_VALUE_BYTES];
    memset (value, 'x', sizeof value);
    long commits = 0;
    int64_t t0 = bench_now_ns (), end = t0 + (int64_t)(seconds * 1e9), t1 = t0;
    while (t1 < end) {
        unsigned char key[8];
        uint64_t k = (uint64_t)commits;
        for (int i = 7; i >= 0; i--, k >>= 8)
            key[i] = (unsigned char)k;
        MDB_val kv = {sizeof key, key}, vv = {sizeof value, value};
        if ((rc = mdb_txn_begin (env, NULL, 0, &txn)) || (rc = mdb_put (txn, dbi, &kv, &vv, 0)) ||
            (rc = mdb_txn_commit (txn))) {
            fprintf (stderr, "bench: lmdb commit: %s\n", mdb_strerror (rc));
            break;
        }
        commits++;
        t1 = bench_now_ns ();
    }
    mdb_env_close (env);
    return rc ? -1 : (double)commits / ((double)(t1 - t0) / 1e9);
}

//  Tickets per second in synced commits of `per_commit` tickets each, a ticket being what
//  one ticket.issue writes: seven records in seven B-trees (ticket, token, live mark,
//  number, day figures, journal event, idempotency record keyed by time; store schema 2).
//  One a commit: what a lone client can wait for; 32: what the group commit of 32 clients
//  can reach with nothing else to do. -1 on error.
static double
s_lmdb_issue_rate (const char *dir, double seconds, int per_commit)
{
    enum { NDB = 7 };
    static const char *names[NDB] = {"tickets", "tokens", "live",     "numbers",
                                     "stats",   "events", "idem_time"};
    static const size_t sizes[NDB] = {420, 8, 0, 4, 180, 330, 700};
    MDB_env *env = NULL;
    MDB_dbi dbi[NDB];
    MDB_txn *txn = NULL;
    int rc = mdb_env_create (&env);
    if (!rc)
        rc = mdb_env_set_mapsize (env, (size_t)256 << 20);
    if (!rc)
        rc = mdb_env_set_maxdbs (env, 16);
    if (!rc)
        rc = mdb_env_open (env, dir, MDB_NOTLS, 0640);
    if (!rc)
        rc = mdb_txn_begin (env, NULL, 0, &txn);
    for (int i = 0; i < NDB && !rc; i++)
        rc = mdb_dbi_open (txn, names[i], MDB_CREATE, &dbi[i]);
    if (!rc)
        rc = mdb_txn_commit (txn);
    if (rc) {
        fprintf (stderr, "bench: lmdb in %s: %s\n", dir, mdb_strerror (rc));
        if (env)
            mdb_env_close (env);
        return -1;
    }
    char value[LMDB_VALUE_BYTES + 200];
    memset (value, 'x', sizeof value);
    long tickets = 0;
    uint32_t seed = 7;
    int64_t t0 = bench_now_ns (), end = t0 + (int64_t)(seconds * 1e9), t1 = t0;
    while (t1 < end && !rc) {
        if ((rc = mdb_txn_begin (env, NULL, 0, &txn)))
            break;
        for (int n = 0; n < per_commit * NDB && !rc; n++) {
            int i = n % NDB;
            //  Sequential keys where the broker's are (ids, sequences, times), fixed ones for
            //  updates, and for the token the broker's: the time (the same 30 top bits
            //  through a second), then random.
            unsigned char key[26];
            size_t klen = 8;
            uint64_t k = (uint64_t)tickets + (uint64_t)(n / NDB);
            if (i == 1) {
                uint64_t window = (uint64_t)bench_now_ns () / 1000000 >> 10;
                for (int j = 5; j >= 0; j--, window /= 26)
                    key[j] = (unsigned char)('A' + window % 26);
                for (size_t j = 6; j < 26; j++)
                    key[j] = (unsigned char)('A' + (seed = seed * 1103515245u + 12345u) % 26);
                klen = 26;
            } else {
                if (i == 3 || i == 4)
                    k = 1;
                for (int j = 7; j >= 0; j--, k >>= 8)
                    key[j] = (unsigned char)k;
            }
            MDB_val kv = {klen, key}, vv = {sizes[i], value};
            rc = mdb_put (txn, dbi[i], &kv, &vv, 0);
        }
        if (rc || (rc = mdb_txn_commit (txn))) {
            if (rc && txn)
                mdb_txn_abort (txn);
            fprintf (stderr, "bench: lmdb commit: %s\n", mdb_strerror (rc));
            break;
        }
        tickets += per_commit;
        t1 = bench_now_ns ();
    }
    mdb_env_close (env);
    return rc ? -1 : (double)tickets / ((double)(t1 - t0) / 1e9);
}

static int
s_echo_step (bench_load_t *load, bench_client_t *c, void *state)
{
    (void)state;
    return bench_load_call (load, c, "ticket.issue", "{\"service\":\"A\"}") == 0 ? 1 : -1;
}

int
bench_echo_server_main (int argc, char **argv)
{
    if (argc < 3) {
        fprintf (stderr, "usage: onewindow-bench --echo-server ENDPOINT\n");
        return 2;
    }
    signal (SIGTERM, SIG_DFL);
    void *zctx = zmq_ctx_new ();
    void *router = zmq_socket (zctx, ZMQ_ROUTER);
    int hwm = 100000;
    zmq_setsockopt (router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt (router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_bind (router, argv[2]) != 0) {
        fprintf (stderr, "echo: cannot bind %s: %s\n", argv[2], zmq_strerror (zmq_errno ()));
        return 1;
    }
    char reply[ECHO_REPLY_BYTES + 1];
    memset (reply, ' ', ECHO_REPLY_BYTES);
    reply[0] = '{';
    reply[ECHO_REPLY_BYTES - 1] = '}';
    reply[ECHO_REPLY_BYTES] = 0;
    for (;;) {
        //  [identity, signature, command, request-id, body] in; the same envelope with
        //  "ok" and a reply-sized body out.
        zmq_msg_t f[5];
        int n = 0;
        bool more = true;
        while (more) {
            zmq_msg_t m;
            zmq_msg_init (&m);
            if (zmq_msg_recv (&m, router, 0) < 0) {
                zmq_msg_close (&m);
                break;
            }
            more = zmq_msg_more (&m);
            if (n < 5)
                f[n++] = m;
            else
                zmq_msg_close (&m);
        }
        if (n == 5) {
            zmq_msg_send (&f[0], router, ZMQ_SNDMORE);
            zmq_msg_send (&f[1], router, ZMQ_SNDMORE);
            zmq_send (router, "ok", 2, ZMQ_SNDMORE);
            zmq_msg_send (&f[3], router, ZMQ_SNDMORE);
            zmq_send (router, reply, ECHO_REPLY_BYTES, 0);
            zmq_msg_close (&f[2]);
            zmq_msg_close (&f[4]);
        } else
            for (int i = 0; i < n; i++)
                zmq_msg_close (&f[i]);
    }
    return 0;
}

static const int s_clients[] = {1, 8, 32};
#define NCLIENTS (int)(sizeof s_clients / sizeof s_clients[0])

int
bench_limits (bench_t *b)
{
    char dir[700];
    snprintf (dir, sizeof dir, "%s/lmdb-limit", b->work);
    bench_fig_t *lmdb = bench_fig (b, "limits", "limit.lmdb_commit", 1, "commits/s",
                                   "LMDB synced single-put commit");
    bench_fig_t *issue = bench_fig (b, "limits", "limit.lmdb_commit_ticket", 1, "commits/s",
                                    "LMDB synced commit, 7 puts in 7 B-trees");
    bench_fig_t *issue32 = bench_fig (b, "limits", "limit.lmdb_tickets", 32, "tickets/s",
                                      "LMDB synced commits of 32 tickets' puts");
    bench_fig_t *echo[NCLIENTS];
    for (int k = 0; k < NCLIENTS; k++)
        echo[k] = bench_fig (b, "limits", "limit.zmq_echo", s_clients[k], "round trips/s",
                             "ZeroMQ DEALER/ROUTER echo");

    char ep[64], log[700];
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", bench_free_port ());
    snprintf (log, sizeof log, "%s/echo.log", b->work);
    char *argv[] = {b->self, "--echo-server", ep, NULL};
    pid_t echo_pid = bench_spawn (argv, log);
    if (echo_pid < 0)
        return -1;
    int rc = 0;
    {
        //  Each on a fresh store: the single put, then a ticket's puts 1 and 32 a commit.
        bench_fig_t *figs[] = {lmdb, issue, issue32};
        for (int m = 0; m < 3 && rc == 0; m++) {
            bench_rmtree (dir);
            bench_mkdirs (dir);
            double rate = m == 0 ? s_lmdb_rate (dir, b->seconds)
                                 : s_lmdb_issue_rate (dir, b->seconds / 2, m == 1 ? 1 : 32);
            if (rate < 0)
                rc = -1;
            else
                bench_fig_add (figs[m], rate);
        }
        for (int k = 0; k < NCLIENTS && rc == 0; k++) {
            bench_load_t load = {.endpoint = ep,
                                 .clients = s_clients[k],
                                 .step = s_echo_step,
                                 .warmup_s = b->warmup,
                                 .seconds = b->seconds};
            if (bench_load_run (&load) != 0)
                rc = -1;
            else
                bench_fig_add (echo[k], (double)load.ops / ((double)load.window_ns / 1e9));
            bench_samples_free (&load.lat);
        }
        bench_progress ("limits: lmdb %.0f commits/s, echo %.0f / %.0f / %.0f rt/s",
                        lmdb->nruns ? lmdb->runs[lmdb->nruns - 1] : 0,
                        echo[0]->nruns ? echo[0]->runs[echo[0]->nruns - 1] : 0,
                        echo[1]->nruns ? echo[1]->runs[echo[1]->nruns - 1] : 0,
                        echo[2]->nruns ? echo[2]->runs[echo[2]->nruns - 1] : 0);
    }
    bench_stop (echo_pid, SIGKILL);
    bench_rmtree (dir);
    return rc;
}
