/*  test_display_it.c — the call display (`onewindow board`) and its voice: the announcement text;
   the queue against a fake synthesizer (one at a time, in order, the oldest dropped on overflow,
   the speaking child killed on destroy); and the real `onewindow board --json --audio-dir` against
   the real broker and the real espeak-ng: a call, a recall and a second call announced in order
   with three valid WAV files, then a broker restart and one more call; and a board that starts
   late showing the day's last calls, read back from the broker's journal. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "proto_text.h"
#include "term_voice.h"
#include "test_util.h"
#include "tests.h"

//  2026-11-28 09:00 in Beijing (UTC+8).
#define T0 1795827600000LL
//  Bound on any wait for the board: generous for sanitizers on a loaded machine, and above
//  the mirror's 5 s quiet-stream check that recovers an event lost across a restart.
#define DEADLINE_MS 30000

static void
s_nap (void)
{
    nanosleep (&(struct timespec){0, 20 * 1000 * 1000}, NULL);
}

//  ---------------------------------------------------------------------------------------
//  The announcement text

static void
s_expect_text (const char *number, long long counter, int recall, const char *want)
{
    char out[256];
    int n = term_voice_text (number, counter, recall, out, sizeof out);
    CU_ASSERT_EQUAL (n, (int)strlen (want));
    CU_ASSERT_STRING_EQUAL (out, want);
    if (strcmp (out, want) != 0)
        fprintf (stderr, "\n  %s@%lld: got '%s', want '%s'\n", number, counter, out, want);
}

static void
test_text (void)
{
    s_expect_text ("A023", 5, 0, "请 A零二三 号到 五 号窗口办理");
    s_expect_text ("A1024", 12, 0, "请 A一零二四 号到 十二 号窗口办理");
    s_expect_text ("B007", 3, 1, "重呼，请 B零零七 号到 三 号窗口办理");
    s_expect_text ("B007", 3, 2, "重呼，请 B零零七 号到 三 号窗口办理");
    //  Two-letter prefixes: the letters apart, or espeak-ng reads them as a word.
    s_expect_text ("AB015", 8, 0, "请 A B零一五 号到 八 号窗口办理");
    s_expect_text ("ab01", 8, 0, "请 A B零一 号到 八 号窗口办理");
    s_expect_text ("G100", 10, 0, "请 G一零零 号到 十 号窗口办理");
    s_expect_text ("G100", 20, 0, "请 G一零零 号到 二十 号窗口办理");
    s_expect_text ("G100", 35, 0, "请 G一零零 号到 三十五 号窗口办理");
    s_expect_text ("G100", 101, 0, "请 G一零零 号到 一零一 号窗口办理");

    char out[256] = "x";
    CU_ASSERT_EQUAL (term_voice_text ("", 5, 0, out, sizeof out), -1);
    CU_ASSERT_EQUAL (term_voice_text (NULL, 5, 0, out, sizeof out), -1);
    CU_ASSERT_EQUAL (term_voice_text ("A-01", 5, 0, out, sizeof out), -1);
    CU_ASSERT_EQUAL (term_voice_text ("A 01", 5, 0, out, sizeof out), -1);
    CU_ASSERT_EQUAL (term_voice_text ("A01", 0, 0, out, sizeof out), -1);
    CU_ASSERT_EQUAL (term_voice_text ("A01", -3, 0, out, sizeof out), -1);
    CU_ASSERT_STRING_EQUAL (out, "");
    char small[20];
    CU_ASSERT_EQUAL (term_voice_text ("A023", 5, 0, small, sizeof small), -1);
    CU_ASSERT_STRING_EQUAL (small, "");
}

//  ---------------------------------------------------------------------------------------
//  The queue, against a fake synthesizer: a script that notes overlaps, logs the text it
//  was given and, with -w FILE, writes a tiny file.

typedef struct {
    char *dir;
    char program[600];
    char log[600];
    char pidfile[600];
} s_fake_t;

static void
s_fake_open (s_fake_t *f, const char *pause)
{
    memset (f, 0, sizeof *f);
    f->dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (f->dir);
    snprintf (f->program, sizeof f->program, "%s/fake-espeak", f->dir);
    snprintf (f->log, sizeof f->log, "%s/said.log", f->dir);
    snprintf (f->pidfile, sizeof f->pidfile, "%s/pid", f->dir);
    char script[4096];
    snprintf (script, sizeof script,
              "#!/bin/sh\n"
              "echo $$ > '%s'\n"
              "out=''\n"
              "while [ $# -gt 0 ]; do\n"
              "  case \"$1\" in\n"
              "    -w) out=\"$2\"; shift 2 ;;\n"
              "    --) shift; break ;;\n"
              "    *) shift ;;\n"
              "  esac\n"
              "done\n"
              "if [ -e '%s/lock' ]; then echo OVERLAP >> '%s'; fi\n"
              ": > '%s/lock'\n"
              "sleep %s\n"
              "echo \"$1\" >> '%s'\n"
              "if [ -n \"$out\" ]; then printf RIFF > \"$out\"; fi\n"
              "rm -f '%s/lock'\n",
              f->pidfile, f->dir, f->log, f->dir, pause, f->log, f->dir);
    CU_ASSERT_EQUAL_FATAL (test_write_file (f->program, script), 0);
    chmod (f->program, 0755);
}

static void
s_fake_close (s_fake_t *f)
{
    test_rmtree (f->dir);
    free (f->dir);
}

//  Ticks until the queue is idle; false at the deadline.
static bool
s_drain (term_voice_t *v)
{
    int64_t end = proto_mono_ms () + DEADLINE_MS;
    while (term_voice_busy (v) && proto_mono_ms () < end) {
        term_voice_tick (v);
        nanosleep (&(struct timespec){0, TERM_VOICE_TICK_MS * 1000 * 1000}, NULL);
    }
    return !term_voice_busy (v);
}

static void
test_queue (void)
{
    s_fake_t f;
    s_fake_open (&f, "0.05");
    term_voice_t *v = term_voice_new (f.program, NULL, NULL, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL (v);
    //  The first starts at once; three wait; the fifth pushes out the oldest waiting (t2).
    CU_ASSERT_EQUAL (term_voice_say (v, "t1", "A001", 1), 0);
    CU_ASSERT_EQUAL (term_voice_say (v, "t2", "A002", 1), 0);
    CU_ASSERT_EQUAL (term_voice_say (v, "t3", "A003", 1), 0);
    CU_ASSERT_EQUAL (term_voice_say (v, "t4", "A004", 1), 0);
    CU_ASSERT_EQUAL (term_voice_queued (v), 3);
    CU_ASSERT_EQUAL (term_voice_say (v, "t5", "A005", 1), 1);
    CU_ASSERT_EQUAL (term_voice_dropped (v), 1);
    CU_ASSERT_EQUAL (term_voice_queued (v), 3);
    CU_ASSERT_TRUE (s_drain (v));
    CU_ASSERT_EQUAL (term_voice_spoken (v), 4);
    CU_ASSERT_EQUAL (term_voice_failed (v), 0);
    char *said = test_read_file (f.log);
    CU_ASSERT_PTR_NOT_NULL_FATAL (said);
    CU_ASSERT_STRING_EQUAL (said, "t1\nt3\nt4\nt5\n"); //  in order, never two at once
    free (said);
    //  A recall is said with the pinyin of 重 (chóng) by the default voice.
    CU_ASSERT_EQUAL (term_voice_say (v, "重呼，请 B零零七 号到 三 号窗口办理", "B007", 3), 0);
    CU_ASSERT_TRUE (s_drain (v));
    said = test_read_file (f.log);
    CU_ASSERT_PTR_NOT_NULL (
        strstr (said ? said : "", "chong2 hu1，请 B零零七 号到 三 号窗口办理\n"));
    free (said);
    term_voice_destroy (&v);
    CU_ASSERT_PTR_NULL (v);
    term_voice_destroy (&v); //  safe on NULL

    //  With an audio directory: numbered files, continuing after those already there.
    char audio[700];
    snprintf (audio, sizeof audio, "%s/audio", f.dir);
    mkdir (audio, 0755);
    char old[800];
    snprintf (old, sizeof old, "%s/000041-A001-2.wav", audio);
    CU_ASSERT_EQUAL (test_write_file (old, "RIFF"), 0);
    v = term_voice_new (f.program, NULL, audio, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (v);
    term_voice_say (v, "a", "A002", 2);
    term_voice_say (v, "b", "B-3/..", 15); //  the file name keeps letters and digits only
    CU_ASSERT_TRUE (s_drain (v));
    term_voice_destroy (&v);
    char path[900];
    snprintf (path, sizeof path, "%s/000042-A002-2.wav", audio);
    CU_ASSERT_EQUAL (access (path, F_OK), 0);
    snprintf (path, sizeof path, "%s/000043-B3-15.wav", audio);
    CU_ASSERT_EQUAL (access (path, F_OK), 0);
    s_fake_close (&f);
}

static void
test_queue_stop_and_fail (void)
{
    //  Destroy stops a long announcement and reaps it.
    s_fake_t f;
    s_fake_open (&f, "30");
    term_voice_t *v = term_voice_new (f.program, NULL, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (v);
    term_voice_say (v, "long", "A001", 1);
    char *pid_text = NULL;
    for (int64_t end = proto_mono_ms () + DEADLINE_MS; proto_mono_ms () < end; s_nap ()) {
        pid_text = test_read_file (f.pidfile);
        if (pid_text && strchr (pid_text, '\n'))
            break;
        free (pid_text);
        pid_text = NULL;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL (pid_text);
    pid_t pid = (pid_t)atoi (pid_text);
    free (pid_text);
    CU_ASSERT_TRUE (pid > 0);
    CU_ASSERT_EQUAL (kill (pid, 0), 0); //  speaking
    int64_t t = proto_mono_ms ();
    term_voice_destroy (&v);
    CU_ASSERT_TRUE (proto_mono_ms () - t < 5000);
    CU_ASSERT_EQUAL (kill (pid, 0), -1); //  gone, and reaped
    CU_ASSERT_EQUAL (errno, ESRCH);
    s_fake_close (&f);

    //  A synthesizer that cannot run: counted, and the queue goes on.
    v = term_voice_new ("/nonexistent/espeak-ng", NULL, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (v);
    term_voice_say (v, "x", "A001", 1);
    term_voice_say (v, "y", "A002", 1);
    CU_ASSERT_TRUE (s_drain (v));
    CU_ASSERT_EQUAL (term_voice_failed (v), 2);
    CU_ASSERT_EQUAL (term_voice_spoken (v), 0);
    term_voice_destroy (&v);

    //  An audio directory that cannot be made.
    CU_ASSERT_PTR_NULL (term_voice_new (NULL, NULL, "/proc/no/such/dir", 0));
}

//  ---------------------------------------------------------------------------------------
//  The real board

typedef struct {
    pid_t pid;
    char out[700]; //  its stdout
    char err[700]; //  its stderr
} s_board_t;

static pid_t
s_board_spawn (s_board_t *bd, const test_broker_t *b, const char *audio)
{
    pid_t pid = fork ();
    if (pid != 0)
        return bd->pid = pid;
    int out = open (bd->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open (bd->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out >= 0)
        dup2 (out, STDOUT_FILENO);
    if (err >= 0)
        dup2 (err, STDERR_FILENO);
    char *argv[] = {(char *)test_bin ("onewindow"),
                    "board",
                    "--broker",
                    (char *)b->req,
                    "--json",
                    "--audio-dir",
                    (char *)audio,
                    NULL};
    execv (argv[0], argv);
    fprintf (stderr, "test: cannot exec %s: %s\n", argv[0], strerror (errno));
    _exit (127);
}

//  The JSON lines the board printed so far (an array; caller frees).
static json_t *
s_board_lines (const s_board_t *bd)
{
    json_t *lines = json_array ();
    char *text = test_read_file (bd->out);
    char *save = NULL;
    for (char *l = text ? strtok_r (text, "\n", &save) : NULL; l;
         l = strtok_r (NULL, "\n", &save)) {
        json_t *j = json_loads (l, 0, NULL);
        json_array_append_new (lines, j ? j : json_string (l));
    }
    free (text);
    return lines;
}

//  Waits for the board's n-th line; returns all lines (caller frees).
static json_t *
s_wait_lines (const s_board_t *bd, size_t n)
{
    int64_t end = proto_mono_ms () + DEADLINE_MS;
    json_t *lines = s_board_lines (bd);
    while (json_array_size (lines) < n && proto_mono_ms () < end) {
        s_nap ();
        json_decref (lines);
        lines = s_board_lines (bd);
    }
    if (json_array_size (lines) < n)
        fprintf (stderr, "\n  board printed %zu lines, expected %zu\n", json_array_size (lines), n);
    return lines;
}

//  Waits until `text` appears in the board's stderr.
static bool
s_wait_err (const s_board_t *bd, const char *text)
{
    for (int64_t end = proto_mono_ms () + DEADLINE_MS; proto_mono_ms () < end; s_nap ()) {
        char *err = test_read_file (bd->err);
        bool found = err && strstr (err, text);
        free (err);
        if (found)
            return true;
    }
    return false;
}

static int
s_cmp_names (const void *a, const void *b)
{
    return strcmp (*(char *const *)a, *(char *const *)b);
}

//  The *.wav files in dir, sorted, as a JSON array of names.
static json_t *
s_wav_files (const char *dir)
{
    json_t *names = json_array ();
    DIR *d = opendir (dir);
    if (!d)
        return names;
    char *list[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir (d)) && n < 256) {
        size_t len = strlen (e->d_name);
        if (len > 4 && strcmp (e->d_name + len - 4, ".wav") == 0)
            list[n++] = strdup (e->d_name);
    }
    closedir (d);
    qsort (list, n, sizeof list[0], s_cmp_names);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new (names, json_string (list[i]));
        free (list[i]);
    }
    return names;
}

static json_t *
s_wait_wavs (const char *dir, size_t n)
{
    int64_t end = proto_mono_ms () + DEADLINE_MS;
    json_t *names = s_wav_files (dir);
    while (json_array_size (names) < n && proto_mono_ms () < end) {
        s_nap ();
        json_decref (names);
        names = s_wav_files (dir);
    }
    return names;
}

static uint32_t
s_le32 (const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

//  True if path is a whole RIFF/WAVE file: header sizes agree with the file, a fmt chunk of
//  PCM and a data chunk with samples.
static bool
s_valid_wav (const char *path)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return false;
    static unsigned char buf[4 << 20];
    size_t n = fread (buf, 1, sizeof buf, f);
    fclose (f);
    if (n < 44 || memcmp (buf, "RIFF", 4) != 0 || memcmp (buf + 8, "WAVE", 4) != 0)
        return false;
    //  espeak-ng writes 0x7ffff000-ish sizes only if it was killed before it finished.
    if (s_le32 (buf + 4) + 8 != n)
        return false;
    bool fmt = false;
    uint32_t data = 0;
    for (size_t off = 12; off + 8 <= n;) {
        uint32_t size = s_le32 (buf + off + 4);
        if (memcmp (buf + off, "fmt ", 4) == 0 && size >= 16 && buf[off + 8] == 1 &&
            buf[off + 9] == 0)
            fmt = true;
        else if (memcmp (buf + off, "data", 4) == 0)
            data = size;
        off += 8 + size + (size & 1);
    }
    return fmt && data > 0;
}

static json_t *
s_cmd (proto_client_t *c, const char *command, json_t *body)
{
    int code;
    json_t *r = test_call (c, command, body, &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    if (code != PROTO_ERR_OK)
        fprintf (stderr, "\n  %s failed: %d\n", command, code);
    return r;
}

static void
s_counter (proto_client_t *c, const char *command, int counter)
{
    json_decref (s_cmd (c, command, json_pack ("{s:i}", "counter", counter)));
}

static void
s_expect_call (const json_t *line, const char *number, int counter, const char *counter_name,
               int recall, const char *text)
{
    CU_ASSERT_STRING_EQUAL (proto_str (line, "number"), number);
    CU_ASSERT_EQUAL (proto_int (line, "counter"), counter);
    CU_ASSERT_STRING_EQUAL (proto_str (line, "counter_name"), counter_name);
    CU_ASSERT_EQUAL (proto_int (line, "recall"), recall);
    CU_ASSERT_STRING_EQUAL (proto_str (line, "text"), text);
    CU_ASSERT_TRUE (json_is_integer (json_object_get (line, "time")));
}

static void
s_expect_wavs (const char *audio, const char *const *want, size_t n)
{
    json_t *wavs = s_wait_wavs (audio, n);
    CU_ASSERT_EQUAL (json_array_size (wavs), n);
    for (size_t i = 0; i < n && i < json_array_size (wavs); i++) {
        const char *name = json_string_value (json_array_get (wavs, i));
        CU_ASSERT_STRING_EQUAL (name, want[i]);
        char path[900];
        snprintf (path, sizeof path, "%s/%s", audio, name);
        CU_ASSERT_TRUE (s_valid_wav (path));
    }
    json_decref (wavs);
}

//  --once draws the hall as it is (plain text: stdout is a pipe), filtered by service,
//  with the estimated wait for a ticket taken now where a counter is open; bad options and
//  --help.
static void
s_board_once (const test_broker_t *b)
{
    char cmd[2048];
    int status;
    snprintf (cmd, sizeof cmd, "'%s' board --broker '%s' --once --voice off",
              test_bin ("onewindow"), b->req);
    char *out = test_run (cmd, &status);
    CU_ASSERT_EQUAL (status, 0);
    CU_ASSERT_PTR_NOT_NULL (strstr (out ? out : "", "请 B001 号到 5 号窗口办理"));
    CU_ASSERT_PTR_NOT_NULL (strstr (out ? out : "", "等候人数 Waiting"));
    CU_ASSERT_PTR_NOT_NULL (strstr (out ? out : "", "新取号"));
    CU_ASSERT_PTR_NULL (strstr (out ? out : "", "\033["));
    free (out);
    snprintf (cmd, sizeof cmd, "'%s' board --broker '%s' --once --voice off --services A",
              test_bin ("onewindow"), b->req);
    out = test_run (cmd, &status);
    CU_ASSERT_EQUAL (status, 0);
    CU_ASSERT_PTR_NULL (strstr (out ? out : "", "B001"));
    CU_ASSERT_PTR_NULL (strstr (out ? out : "", "社保医保"));
    CU_ASSERT_PTR_NOT_NULL (strstr (out ? out : "", "企业开办"));
    free (out);
    snprintf (cmd, sizeof cmd, "'%s' board --broker '%s' --once --json --services B",
              test_bin ("onewindow"), b->req);
    out = test_run (cmd, &status);
    CU_ASSERT_EQUAL (status, 0);
    json_t *once = json_loads (out ? out : "", JSON_DISABLE_EOF_CHECK, NULL);
    CU_ASSERT_STRING_EQUAL (proto_str (once, "number"), "B001");
    json_decref (once);
    free (out);
    snprintf (cmd, sizeof cmd, "'%s' board --voice loud 2>/dev/null", test_bin ("onewindow"));
    free (test_run (cmd, &status));
    CU_ASSERT_EQUAL (status, 2);
    snprintf (cmd, sizeof cmd, "'%s' board --help", test_bin ("onewindow"));
    out = test_run (cmd, &status);
    CU_ASSERT_EQUAL (status, 0);
    CU_ASSERT_PTR_NOT_NULL (strstr (out ? out : "", "--audio-dir"));
    free (out);
}

//  SIGTERM: a clean exit, and nothing from the sanitizers.
static void
s_board_stop (s_board_t *bd)
{
    kill (bd->pid, SIGTERM);
    int st = 0;
    pid_t r = 0;
    for (int64_t end = proto_mono_ms () + DEADLINE_MS;
         (r = waitpid (bd->pid, &st, WNOHANG)) == 0 && proto_mono_ms () < end;)
        s_nap ();
    CU_ASSERT_EQUAL (r, bd->pid);
    if (r != bd->pid) {
        kill (bd->pid, SIGKILL);
        waitpid (bd->pid, &st, 0);
    }
    CU_ASSERT_TRUE (WIFEXITED (st) && WEXITSTATUS (st) == 0);
    char *err = test_read_file (bd->err);
    CU_ASSERT_PTR_NULL (strstr (err ? err : "", "Sanitizer"));
    CU_ASSERT_PTR_NULL (strstr (err ? err : "", "runtime error"));
    if (CU_get_number_of_failures ())
        fprintf (stderr, "\n  board stderr:\n%s\n", err ? err : "(none)");
    free (err);
}

static void
test_board_live (void)
{
    CU_ASSERT_EQUAL_FATAL (system ("espeak-ng --version >/dev/null 2>&1"), 0);
    test_broker_t b;
    CU_ASSERT_EQUAL_FATAL (test_broker_start (&b, NULL, T0), 0);
    proto_client_t *c = test_client (&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    char audio[600];
    snprintf (audio, sizeof audio, "%s/audio", dir);
    s_board_t bd = {0};
    snprintf (bd.out, sizeof bd.out, "%s/board.out", dir);
    snprintf (bd.err, sizeof bd.err, "%s/board.err", dir);

    json_decref (s_cmd (c, "ticket.issue", json_pack ("{s:s}", "service", "A")));
    json_decref (s_cmd (c, "ticket.issue", json_pack ("{s:s}", "service", "A")));
    s_counter (c, "counter.login", 3);
    CU_ASSERT (s_board_spawn (&bd, &b, audio) > 0);
    //  Calls made before the board's first snapshot are history, not announcements.
    bool ready = s_wait_err (&bd, "in sync with");
    CU_ASSERT (ready);
    if (!ready)
        goto stop;

    //  Call, recall, call the other: each announced in order, the recall marked.
    s_counter (c, "ticket.call_next", 3);
    json_decref (s_wait_lines (&bd, 1));
    s_counter (c, "ticket.recall", 3);
    json_decref (s_wait_lines (&bd, 2));
    s_counter (c, "ticket.start", 3);
    s_counter (c, "ticket.finish", 3);
    s_counter (c, "ticket.call_next", 3);
    json_t *lines = s_wait_lines (&bd, 3);
    CU_ASSERT_EQUAL (json_array_size (lines), 3);
    if (json_array_size (lines) != 3) {
        json_decref (lines);
        goto stop;
    }
    s_expect_call (json_array_get (lines, 0), "A001", 3, "3号窗口 企业开办", 0,
                   "请 A零零一 号到 三 号窗口办理");
    s_expect_call (json_array_get (lines, 1), "A001", 3, "3号窗口 企业开办", 1,
                   "重呼，请 A零零一 号到 三 号窗口办理");
    s_expect_call (json_array_get (lines, 2), "A002", 3, "3号窗口 企业开办", 0,
                   "请 A零零二 号到 三 号窗口办理");
    json_decref (lines);
    static const char *const wavs[] = {"000001-A001-3.wav", "000002-A001-3.wav",
                                       "000003-A002-3.wav", "000004-B001-5.wav"};
    s_expect_wavs (audio, wavs, 3);

    //  The broker restarts under the board; the next call is announced all the same.
    CU_ASSERT_EQUAL (test_broker_stop (&b, SIGTERM), 0);
    if (test_broker_restart (&b) != 0) {
        CU_FAIL ("the broker did not restart");
        goto stop;
    }
    json_decref (s_cmd (c, "ticket.issue", json_pack ("{s:s}", "service", "B")));
    s_counter (c, "counter.login", 5);
    s_counter (c, "ticket.call_next", 5);
    lines = s_wait_lines (&bd, 4);
    CU_ASSERT_EQUAL (json_array_size (lines), 4);
    if (json_array_size (lines) == 4)
        s_expect_call (json_array_get (lines, 3), "B001", 5, "5号窗口 社保医保", 0,
                       "请 B零零一 号到 五 号窗口办理");
    json_decref (lines);
    s_expect_wavs (audio, wavs, 4);

    json_decref (s_cmd (c, "ticket.issue", json_pack ("{s:s}", "service", "A")));
    s_board_once (&b);

stop:
    s_board_stop (&bd);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
    test_rmtree (dir);
    free (dir);
}

//  `onewindow board --once --json [--services S]`: the calls a board shows when it starts,
//  oldest first (caller frees).
static json_t *
s_board_history (const test_broker_t *b, const char *services)
{
    char cmd[2048];
    int status;
    snprintf (cmd, sizeof cmd, "'%s' board --broker '%s' --once --json %s%s 2>/dev/null",
              test_bin ("onewindow"), b->req, services ? "--services " : "",
              services ? services : "");
    char *out = test_run (cmd, &status);
    CU_ASSERT_EQUAL (status, 0);
    json_t *lines = json_array ();
    char *save = NULL;
    for (char *l = out ? strtok_r (out, "\n", &save) : NULL; l; l = strtok_r (NULL, "\n", &save))
        json_array_append_new (lines, json_loads (l, 0, NULL));
    free (out);
    return lines;
}

//  The numbers (with "+n" for the n-th recall) of a board's calls, space-separated.
static void
s_numbers (const json_t *lines, char *out, size_t size)
{
    out[0] = 0;
    size_t i;
    json_t *l;
    json_array_foreach (lines, i, l) {
        size_t len = strlen (out);
        snprintf (out + len, size - len, "%s%s", i ? " " : "", proto_str (l, "number"));
        if (proto_int (l, "recall") > 0) {
            len = strlen (out);
            snprintf (out + len, size - len, "+%lld", (long long)proto_int (l, "recall"));
        }
    }
}

//  A board that starts (or restarts) shows the last calls of the day from the broker's
//  journal, not a blank list: the current call and the 8 before it, in order, with
//  recalls, of the services it shows, and none of the day before.
static void
test_board_history (void)
{
    test_broker_t b;
    CU_ASSERT_EQUAL_FATAL (test_broker_start (&b, NULL, T0), 0);
    proto_client_t *c = test_client (&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    //  Yesterday: counter 4 calls D001 and D002.
    for (int i = 0; i < 2; i++)
        json_decref (s_cmd (c, "ticket.issue", json_pack ("{s:s}", "service", "D")));
    json_decref (
        s_cmd (c, "counter.login", json_pack ("{s:i, s:[s]}", "counter", 4, "services", "D")));
    s_counter (c, "ticket.call_next", 4);
    s_counter (c, "ticket.start", 4);
    s_counter (c, "ticket.finish", 4);
    s_counter (c, "ticket.call_next", 4);
    s_counter (c, "ticket.start", 4);
    s_counter (c, "ticket.finish", 4);
    json_decref (s_cmd (c, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)86400000)));
    //  Today: counter 3 serves A001-A010 and recalls A010 once; counter 5 calls B001.
    for (int i = 0; i < 10; i++)
        json_decref (s_cmd (c, "ticket.issue", json_pack ("{s:s}", "service", "A")));
    json_decref (s_cmd (c, "ticket.issue", json_pack ("{s:s}", "service", "B")));
    s_counter (c, "counter.login", 3);
    s_counter (c, "counter.login", 5);
    for (int i = 0; i < 10; i++) {
        s_counter (c, "ticket.call_next", 3);
        if (i < 9) {
            s_counter (c, "ticket.start", 3);
            s_counter (c, "ticket.finish", 3);
        }
    }
    s_counter (c, "ticket.recall", 3);
    s_counter (c, "ticket.call_next", 5);

    char numbers[512];
    json_t *lines = s_board_history (&b, NULL);
    s_numbers (lines, numbers, sizeof numbers);
    CU_ASSERT_STRING_EQUAL (numbers, "A004 A005 A006 A007 A008 A009 A010 A010+1 B001");
    json_t *last = json_array_get (lines, json_array_size (lines) - 1);
    s_expect_call (last, "B001", 5, "5号窗口 社保医保", 0, "请 B零零一 号到 五 号窗口办理");
    json_decref (lines);
    lines = s_board_history (&b, "A");
    s_numbers (lines, numbers, sizeof numbers);
    CU_ASSERT_STRING_EQUAL (numbers, "A003 A004 A005 A006 A007 A008 A009 A010 A010+1");
    json_decref (lines);
    lines = s_board_history (&b, "D"); //  yesterday's calls are not today's history
    CU_ASSERT_EQUAL (json_array_size (lines), 0);
    json_decref (lines);

    //  The board as drawn: the current call, then the 8 before it, not it again.
    char cmd[2048];
    int status;
    snprintf (cmd, sizeof cmd, "'%s' board --broker '%s' --once --voice off 2>/dev/null",
              test_bin ("onewindow"), b.req);
    char *out = test_run (cmd, &status);
    CU_ASSERT_EQUAL (status, 0);
    const char *now = strstr (out ? out : "", "当前叫号 Now calling\n  请 B001 号到 5 号窗口办理");
    const char *list = strstr (out ? out : "", "最近叫号 Recent calls");
    CU_ASSERT_PTR_NOT_NULL (now);
    CU_ASSERT_PTR_NOT_NULL_FATAL (list);
    CU_ASSERT_PTR_NULL (strstr (list, "B001"));
    CU_ASSERT_PTR_NOT_NULL (strstr (list, "重呼 recall 1"));
    CU_ASSERT_PTR_NOT_NULL (strstr (list, "请 A004 号到 3 号窗口办理"));
    CU_ASSERT_PTR_NULL (strstr (list, "A003"));
    int rows = 0;
    for (const char *p = list; (p = strstr (p, "号窗口办理")) != NULL; p++)
        rows++;
    CU_ASSERT_EQUAL (rows, 8);
    free (out);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

int
test_display_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("display_it", NULL, NULL);
    if (!s)
        return -1;
    if (!CU_add_test (s, "announcement text", test_text) ||
        !CU_add_test (s, "voice queue: in order, one at a time, overflow", test_queue) ||
        !CU_add_test (s, "voice queue: destroy stops the child, failures counted",
                      test_queue_stop_and_fail) ||
        !CU_add_test (s, "board: calls, recall, WAV files, broker restart", test_board_live) ||
        !CU_add_test (s, "board: today's last calls restored from the journal", test_board_history))
        return -1;
    return 0;
}
