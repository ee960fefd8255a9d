/*  term_board.c — `onewindow board`: the hall's call display (叫号屏) in a terminal, with
    the calls spoken in Mandarin.

      onewindow board [--broker EP] [--pub EP] [--voice on|off] [--audio-dir DIR]
                      [--services A,B] [--once] [--json]

    Fed by proto_mirror (the Clone pattern): it redraws after each batch of events and never
    asks the broker for state. The current call is drawn large, and under it the RECENT
    calls before it (never the current one again). On start it reads today's last calls
    back from the broker's journal (events.range), so a restart does not blank the list of
    recent calls. A call announced once is never announced again; a call that happened
    while the event stream was broken (a broker restart, a lost event) is found in the next
    snapshot (a ticket in state `called` with a call or recall count not yet announced) and
    announced then, so a resync loses no call. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "proto_log.h"
#include "proto_msg.h"
#include "term_cli.h"
#include "term_font.h"
#include "proto_mirror.h"
#include "term_voice.h"
#include "term_words.h"

#define RECENT       8    //  calls listed under the current one (which is not among them)
#define IDLE_MS      1000 //  loop wake-up when nothing is being spoken
#define JOURNAL_PAGE 1000 //  events read at a time (the most events.range gives)

//  The one mutable global: the signal that asked us to stop (SIGINT, SIGTERM), or 0.
static volatile sig_atomic_t s_stop_signal;

static void
s_on_signal (int sig)
{
    s_stop_signal = sig;
}

typedef struct {
    proto_mirror_t *mirror; //  the live hall
    term_voice_t *voice;    //  announcements, or NULL with --voice off
    json_t *services;       //  --services prefixes, or NULL for all
    json_t *recent;         //  the current call and the RECENT before it, newest first
    json_t *announced;      //  ticket id -> "called:recalls" of the last call announced
    const char *broker;     //  request endpoint, for the connecting screen
    bool json;              //  one JSON line per call instead of drawing
    bool live;              //  following the hall (not --once)
    bool tty;               //  stdout is a terminal: ANSI redraw and big type
    bool synced;            //  a first snapshot was taken
    bool online;            //  the broker answered lately
    bool dirty;             //  redraw needed
    bool out_broken;        //  stdout cannot be written any more
} s_board_t;

static bool
s_wanted (const s_board_t *b, const char *service)
{
    if (!b->services)
        return true;
    for (size_t i = 0; i < json_array_size (b->services); i++)
        if (strcmp (json_string_value (json_array_get (b->services, i)), service) == 0)
            return true;
    return false;
}

static int
s_utc_offset (const s_board_t *b)
{
    const json_t *st = proto_mirror_state (b->mirror);
    json_t *off = json_object_get (st, "utc_offset_min");
    if (!json_is_integer (off))
        off = json_object_get (json_object_get (proto_mirror_info (b->mirror), "hall"),
                               "utc_offset_min");
    return json_is_integer (off) ? (int)json_integer_value (off) : 480;
}

//  "HH:MM" of a Unix ms time in the hall's zone.
static void
s_hhmm (const s_board_t *b, long long ms, char *out, size_t size)
{
    char full[32];
    proto_format_time (ms, s_utc_offset (b), full, sizeof full);
    snprintf (out, size, "%s", strlen (full) > 11 ? full + 11 : full);
}

//  Writes stdout and notes a reader that went away (a closed pipe).
static void
s_flush (s_board_t *b)
{
    if (fflush (stdout) != 0 || ferror (stdout))
        b->out_broken = true;
}

//  ---------------------------------------------------------------------------------------
//  Calls

//  The key remembering a ticket's last call announced.
static void
s_call_key (const json_t *ticket, char *out, size_t size)
{
    snprintf (out, size, "%lld:%lld", proto_int (ticket, "called"), proto_int (ticket, "recalls"));
}

//  One call (or recall): show it, print it with --json, speak it.
static void
s_call (s_board_t *b, const json_t *ticket, long long counter, const char *counter_name,
        long long recall, long long time_ms, bool announce)
{
    const char *number = proto_str (ticket, "number");
    char id[32];
    snprintf (id, sizeof id, "%lld", proto_int (ticket, "id"));
    char key[64];
    s_call_key (ticket, key, sizeof key);
    json_object_set_new (b->announced, id, json_string (key));
    if (!s_wanted (b, proto_str (ticket, "service")))
        return;

    char text[256];
    if (term_voice_text (number, counter, (int)recall, text, sizeof text) < 0) {
        //  Not a number the protocol allows; show it, but there is nothing sensible to say.
        log_warn ("board: cannot announce ticket '%s' at counter %lld", number, counter);
        snprintf (text, sizeof text, "%s请 %s 号到 %lld 号窗口办理", recall > 0 ? "重呼，" : "",
                  number, counter);
        announce = false;
    }
    json_t *call = json_pack ("{s:s, s:I, s:s, s:I, s:s, s:I, s:s}", "number", number, "counter",
                              (json_int_t)counter, "counter_name", counter_name, "recall",
                              (json_int_t)recall, "text", text, "time", (json_int_t)time_ms,
                              "service", proto_str (ticket, "service"));
    if (!call)
        return;
    if (b->json && announce) {
        char *line = json_dumps (call, JSON_COMPACT);
        if (line) {
            printf ("%s\n", line);
            free (line);
        }
        s_flush (b);
    }
    if (b->voice && announce)
        term_voice_say (b->voice, text, number, counter);
    json_array_insert_new (b->recent, 0, call);
    while (json_array_size (b->recent) > RECENT + 1)
        json_array_remove (b->recent, json_array_size (b->recent) - 1);
    b->dirty = true;
}

static const char *
s_counter_name (const s_board_t *b, long long id)
{
    const json_t *counters = json_object_get (proto_mirror_state (b->mirror), "counters");
    for (size_t i = 0; i < json_array_size (counters); i++)
        if (proto_int (json_array_get (counters, i), "id") == id)
            return proto_str (json_array_get (counters, i), "name");
    return "";
}

static int
s_by_called (const void *x, const void *y)
{
    const json_t *a = *(json_t *const *)x, *c = *(json_t *const *)y;
    long long d = proto_int (a, "called") - proto_int (c, "called");
    if (!d)
        d = proto_int (a, "id") - proto_int (c, "id");
    return d < 0 ? -1 : d > 0;
}

//  One page of the journal: events from..upto (inclusive) into `found`, newest first,
//  the wanted calls only, until it holds RECENT + 1 (the current call and the list under
//  it). -1 if the broker did not give them.
static int
s_journal_page (s_board_t *b, int64_t from, int64_t upto, json_t *found)
{
    json_t *range =
        json_pack ("{s:I, s:I}", "from", (json_int_t)from, "limit", (json_int_t)(upto - from + 1));
    json_t *r = NULL;
    int rc = proto_client_call (proto_mirror_client (b->mirror), "events.range", range, &r);
    json_decref (range);
    const json_t *events = json_object_get (r, "events");
    for (size_t i = json_array_size (events); rc == PROTO_ERR_OK && i-- > 0;) {
        json_t *e = json_array_get (events, i);
        const json_t *t = json_object_get (e, "ticket");
        if (strcmp (proto_str (e, "topic"), "ticket.called") == 0 && json_is_object (t) &&
            s_wanted (b, proto_str (t, "service")) && json_array_size (found) < RECENT + 1)
            json_array_append (found, e);
    }
    json_decref (r);
    return rc == PROTO_ERR_OK ? 0 : -1;
}

//  On the first snapshot: the last calls of the business day, read back from the broker's
//  journal (events.range: the ticket.called events from the day's first event up to the
//  snapshot's), newest pages first, so a board that restarts shows the calls it showed
//  before instead of a blank list. They are history: nothing is announced. -1 if the
//  journal cannot be read (an older broker): the caller shows what the snapshot has.
static int
s_restore (s_board_t *b)
{
    int64_t upto = (int64_t)proto_mirror_seq (b->mirror);
    json_t *r = NULL, *range = json_pack ("{s:i, s:i}", "from", 1, "limit", 1);
    int rc = proto_client_call (proto_mirror_client (b->mirror), "events.range", range, &r);
    json_decref (range);
    int64_t first = proto_int (r, "day_first_seq");
    json_decref (r);
    if (rc != PROTO_ERR_OK || first < 1)
        return -1;
    json_t *found = json_array (); //  newest first
    for (int64_t hi = upto; hi >= first && json_array_size (found) < RECENT + 1;) {
        int64_t lo = hi - JOURNAL_PAGE + 1 < first ? first : hi - JOURNAL_PAGE + 1;
        if (s_journal_page (b, lo, hi, found) != 0) {
            json_decref (found);
            return -1;
        }
        hi = lo - 1;
    }
    for (size_t i = json_array_size (found); i-- > 0;) {
        const json_t *e = json_array_get (found, i);
        s_call (b, json_object_get (e, "ticket"), proto_int (e, "counter"),
                proto_str (e, "counter_name"), proto_int (e, "recall"), proto_int (e, "time"),
                false);
    }
    log_info ("board: %zu call(s) of today restored from the journal", json_array_size (found));
    json_decref (found);
    return 0;
}

//  After a snapshot: announce the calls the event stream did not bring (tickets `called`
//  with a call or recall count not yet announced), oldest first, and forget tickets that
//  are no longer called. On the first snapshot nothing is announced: those calls were made
//  before the board started; the board shows them as history, today's from the journal
//  (s_restore) or, failing that, the tickets called or being served now.
static void
s_resync (s_board_t *b)
{
    bool restored = !b->synced && s_restore (b) == 0;
    const json_t *st = proto_mirror_state (b->mirror);
    json_t *tickets = json_object_get (st, "tickets");
    size_t n = json_object_size (tickets), count = 0;
    json_t **called = calloc (n ? n : 1, sizeof *called);
    if (!called)
        return;
    const char *k;
    json_t *t;
    json_object_foreach (tickets, k, t) {
        const char *state = proto_str (t, "state");
        bool first_history = !b->synced && strcmp (state, "serving") == 0;
        if ((strcmp (state, "called") == 0 || first_history) &&
            json_is_integer (json_object_get (t, "counter")))
            called[count++] = t;
    }
    qsort (called, count, sizeof *called, s_by_called);
    json_t *still = json_object ();
    for (size_t i = 0; i < count; i++) {
        t = called[i];
        char id[32], key[64];
        snprintf (id, sizeof id, "%lld", proto_int (t, "id"));
        s_call_key (t, key, sizeof key);
        const char *seen = json_string_value (json_object_get (b->announced, id));
        long long counter = proto_int (t, "counter");
        long long recall = proto_int (t, "recalls");
        if (!b->synced && !restored)
            s_call (b, t, counter, s_counter_name (b, counter), recall, proto_int (t, "called"),
                    false);
        else if (!seen || strcmp (seen, key) != 0) {
            log_info ("board: %s at counter %lld found in the snapshot: announcing it",
                      proto_str (t, "number"), counter);
            s_call (b, t, counter, s_counter_name (b, counter), recall,
                    recall ? proto_int (st, "now") : proto_int (t, "called"), true);
        }
        if (strcmp (proto_str (t, "state"), "called") == 0)
            json_object_set_new (still, id, json_string (key));
    }
    free (called);
    json_decref (b->announced);
    b->announced = still;
    if (!b->synced && b->services) {
        size_t i;
        json_t *p;
        json_array_foreach (b->services, i, p) {
            bool known = false;
            const json_t *svcs = json_object_get (st, "services");
            for (size_t j = 0; j < json_array_size (svcs); j++)
                known = known || strcmp (proto_str (json_array_get (svcs, j), "prefix"),
                                         json_string_value (p)) == 0;
            if (!known)
                log_warn ("board: the hall has no service '%s'", json_string_value (p));
        }
    }
    b->synced = true;
}

static void
s_on_event (proto_mirror_t *mirror, const char *topic, const json_t *event, void *arg)
{
    (void)mirror;
    s_board_t *b = arg;
    if (!b->online && b->live && b->json) {
        //  Scripts reading the JSON lines learn here that no call will be missed from now on.
        fprintf (stderr, "onewindow board: %s the hall at %s (events %s, seq %llu)\n",
                 b->synced ? "back in sync with" : "in sync with", b->broker,
                 proto_mirror_pub (b->mirror), (unsigned long long)proto_mirror_seq (b->mirror));
        fflush (stderr);
    }
    b->online = true;
    b->dirty = true;
    if (strcmp (topic, "mirror.snapshot") == 0)
        s_resync (b);
    else if (strcmp (topic, "ticket.called") == 0) {
        const json_t *t = json_object_get (event, "ticket");
        if (json_is_object (t))
            s_call (b, t, proto_int (event, "counter"), proto_str (event, "counter_name"),
                    proto_int (event, "recall"), proto_int (event, "time"), true);
    }
}

//  ---------------------------------------------------------------------------------------
//  Drawing

//  `s` padded with spaces to `width` terminal columns.
static void
s_pad (FILE *f, const char *s, int width)
{
    fputs (s, f);
    for (int w = proto_display_width (s); w < width; w++)
        fputc (' ', f);
}

//  Ends a line: on a terminal, clears what an earlier, longer frame left there.
static void
s_eol (const s_board_t *b, FILE *f)
{
    fputs (b->tty ? "\033[K\n" : "\n", f);
}

static int
s_columns (void)
{
    struct winsize ws;
    if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

//  The ticket number in the built-in 5×7 font, two columns per pixel.
static void
s_draw_big (const s_board_t *b, FILE *f, const char *number)
{
    int len = (int)strlen (number);
    if (len == 0 || 2 + len * TERM_FONT_ADVANCE * 2 > s_columns ())
        return;
    for (int y = 0; y < TERM_FONT_ROWS; y++) {
        fputs ("  ", f);
        for (int i = 0; i < len; i++)
            for (int x = 0; x < TERM_FONT_ADVANCE; x++)
                fputs (term_font_ink (number[i], x, y) ? "██" : "  ", f);
        s_eol (b, f);
    }
}

//  "请 A023 号到 5 号窗口办理", as shown (the spoken form has Chinese numerals).
static void
s_display_text (const json_t *call, char *out, size_t size)
{
    snprintf (out, size, "请 %s 号到 %lld 号窗口办理", proto_str (call, "number"),
              proto_int (call, "counter"));
}

static void
s_draw (s_board_t *b)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream (&buf, &size);
    if (!f)
        return;
    const json_t *st = proto_mirror_state (b->mirror);
    const json_t *hall = json_object_get (proto_mirror_info (b->mirror), "hall");
    if (b->tty)
        fputs ("\033[H", f);
    else
        fputs ("========================================================================\n", f);

    char now[32] = "";
    if (json_is_integer (json_object_get (st, "now")))
        proto_format_time (proto_int (st, "now"), s_utc_offset (b), now, sizeof now);
    fprintf (f, "%s 叫号信息  %s — calls    %s", hall ? proto_str (hall, "name") : "onewindow",
             hall ? proto_str (hall, "name_en") : "", now);
    s_eol (b, f);
    if (b->services) {
        fputs ("本屏区域 this board:", f);
        for (size_t i = 0; i < json_array_size (b->services); i++)
            fprintf (f, " %s", json_string_value (json_array_get (b->services, i)));
        s_eol (b, f);
    }
    if (!b->synced || !b->online) {
        fprintf (f, "%s / %s %s", b->synced ? "与叫号系统的连接中断，正在重连" : "正在连接叫号系统",
                 b->synced ? "broker unreachable, reconnecting to" : "connecting to the broker at",
                 b->broker);
        s_eol (b, f);
    }
    s_eol (b, f);

    const json_t *current = json_array_get (b->recent, 0);
    char text[256];
    fputs ("当前叫号 Now calling", f);
    s_eol (b, f);
    if (current) {
        if (b->tty)
            s_draw_big (b, f, proto_str (current, "number"));
        s_display_text (current, text, sizeof text);
        fprintf (f, "  %s%s   %s", proto_int (current, "recall") > 0 ? "【重呼 recall】" : "", text,
                 proto_str (current, "counter_name"));
    } else
        fputs ("  (暂无 none yet)", f);
    s_eol (b, f);
    s_eol (b, f);

    //  The calls before the current one: it is shown large above, not again here.
    fputs ("最近叫号 Recent calls", f);
    s_eol (b, f);
    size_t i;
    json_t *call;
    json_array_foreach (b->recent, i, call) {
        if (i == 0)
            continue;
        char hhmm[32];
        s_hhmm (b, proto_int (call, "time"), hhmm, sizeof hhmm);
        s_display_text (call, text, sizeof text);
        fprintf (f, "  %s  ", hhmm);
        s_pad (f, text, 30);
        fputs ("  ", f);
        if (proto_int (call, "recall") > 0) {
            s_pad (f, proto_str (call, "counter_name"), 24);
            fprintf (f, "  重呼 recall %lld", proto_int (call, "recall"));
        } else
            fputs (proto_str (call, "counter_name"), f);
        s_eol (b, f);
    }
    if (json_array_size (b->recent) < 2) {
        fputs ("  (暂无 none yet)", f);
        s_eol (b, f);
    }
    s_eol (b, f);

    fputs ("等候人数 Waiting", f);
    s_eol (b, f);
    json_t *svc;
    json_array_foreach (json_object_get (st, "services"), i, svc) {
        if (!s_wanted (b, proto_str (svc, "prefix")))
            continue;
        fprintf (f, "  %-2s  ", proto_str (svc, "prefix"));
        s_pad (f, proto_str (svc, "name"), 12);
        fputs ("  ", f);
        s_pad (f, proto_str (svc, "name_en"), 38);
        fprintf (f, "  %3lld 人 waiting   %lld 窗口 open", proto_int (svc, "waiting"),
                 proto_int (svc, "open_counters"));
        //  What a ticket taken now can expect: the broker's forward-simulated estimate.
        json_t *est = json_object_get (svc, "est_wait_s");
        if (json_is_integer (est) && json_integer_value (est) < 60)
            fputs ("   新取号 1 分钟内 new ticket < 1 min", f);
        else if (json_is_integer (est)) {
            char zh[48], en[48];
            long long ms = json_integer_value (est) * 1000;
            fprintf (f, "   新取号约 %s new ticket ~%s",
                     term_minutes (ms, true, true, zh, sizeof zh),
                     term_minutes (ms, false, true, en, sizeof en));
        }
        s_eol (b, f);
    }
    if (b->voice && term_voice_dropped (b->voice)) {
        s_eol (b, f);
        fprintf (f, "(播报队列溢出 voice queue overflow: %zu dropped)",
                 term_voice_dropped (b->voice));
        s_eol (b, f);
    }
    if (b->tty)
        fputs ("\033[J", f);
    fclose (f);
    fwrite (buf, 1, size, stdout);
    free (buf);
    s_flush (b);
}

//  ---------------------------------------------------------------------------------------

static void
s_help (FILE *out)
{
    fprintf (out,
             "usage: onewindow board [--broker EP] [--pub EP] [--voice on|off] [--audio-dir DIR]\n"
             "                       [--services A,B] [--once] [--json]\n"
             "\n"
             "The hall's call display (叫号屏): the current call in large type, the %d calls\n"
             "before it, newest first (\"请 A023 号到 5 号窗口办理\", recalls marked 重呼), and\n"
             "the people waiting per service. Each call and recall is spoken in Mandarin with\n"
             "espeak-ng, one announcement at a time, queued so none overlaps or is lost. The\n"
             "board follows the broker's event stream and survives a broker restart.\n"
             "\n"
             "  --broker EP        broker request endpoint (default $ONEWINDOW_BROKER or\n"
             "                     tcp://127.0.0.1:7100)\n"
             "  --pub EP           event endpoint (default: the one the broker advertises)\n"
             "  --voice on|off     speak the calls (default on)\n"
             "  --audio-dir DIR    write each announcement to DIR/NNNNNN-A023-5.wav instead\n"
             "                     of playing it\n"
             "  --espeak-voice V   espeak-ng voice (default %s)\n"
             "  --services A,B     only these services' calls and waiting counts\n"
             "  --once             draw the current state and exit\n"
             "  --json             print one JSON line per call announced instead of drawing:\n"
             "                     "
             "{\"number\",\"counter\",\"counter_name\",\"recall\",\"text\",\"time\",\n"
             "                     \"service\"}\n"
             "\n"
             "Exit status: 0 done (SIGINT/SIGTERM), 2 usage, 3 broker unreachable (--once).\n",
             RECENT, TERM_VOICE_NAME);
}

//  --once: the current state, drawn or (--json) as the lines a running board would print.
static int
s_once (s_board_t *b)
{
    if (proto_mirror_start (b->mirror) != 0) {
        fprintf (stderr, "onewindow board: the broker at %s does not answer\n", b->broker);
        return TERM_EXIT_UNREACHABLE;
    }
    b->online = true;
    if (b->json) {
        //  The calls shown, oldest first: the current one last.
        for (size_t i = json_array_size (b->recent); i-- > 0;) {
            char *line = json_dumps (json_array_get (b->recent, i), JSON_COMPACT);
            if (line)
                printf ("%s\n", line);
            free (line);
        }
        s_flush (b);
    } else
        s_draw (b);
    return TERM_EXIT_OK;
}

//  The running board: follows the mirror, speaks the calls, redraws on change, until a
//  signal (or a closed output) stops it.
static int
s_live (s_board_t *b, bool voice_on, const char *espeak_voice, const char *audio_dir)
{
    b->live = true;
    if (voice_on) {
        b->voice = term_voice_new (NULL, espeak_voice, audio_dir, 0);
        if (!b->voice)
            return TERM_EXIT_USAGE;
    }
    struct sigaction sa = {.sa_handler = s_on_signal};
    sigemptyset (&sa.sa_mask);
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    signal (SIGPIPE, SIG_IGN);
    if (b->tty)
        fputs ("\033[?25l\033[2J", stdout); //  hide the cursor, clear once
    b->dirty = true;
    if (proto_mirror_start (b->mirror) == 0)
        b->online = true;
    int columns = b->tty ? s_columns () : 0;
    while (!s_stop_signal && !b->out_broken) {
        int timeout = b->voice && term_voice_busy (b->voice) ? TERM_VOICE_TICK_MS : IDLE_MS;
        int64_t started = proto_mono_ms ();
        int applied = proto_mirror_poll (b->mirror, timeout);
        if (applied < 0) {
            if (b->online)
                b->dirty = true;
            b->online = false;
            //  Unreachable: wait out the rest of the period rather than spin.
            int64_t left = timeout - (proto_mono_ms () - started);
            if (left > 0 && !s_stop_signal)
                nanosleep (&(struct timespec){left / 1000, (left % 1000) * 1000000}, NULL);
        }
        if (b->voice)
            term_voice_tick (b->voice);
        if (b->tty && s_columns () != columns) {
            columns = s_columns ();
            fputs ("\033[2J", stdout);
            b->dirty = true;
        }
        if (b->dirty && !b->json) {
            s_draw (b);
            b->dirty = false;
        }
    }
    if (b->tty) {
        fputs ("\033[?25h", stdout); //  the cursor back
        fflush (stdout);
    }
    if (s_stop_signal)
        log_info ("board: stopping on signal %d", (int)s_stop_signal);
    return TERM_EXIT_OK;
}

int
term_board_main (term_opts_t *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"broker", required_argument, NULL, 'b'},
        {"pub", required_argument, NULL, 'p'},
        {"voice", required_argument, NULL, 'v'},
        {"audio-dir", required_argument, NULL, 'a'},
        {"espeak-voice", required_argument, NULL, 'e'},
        {"services", required_argument, NULL, 's'},
        {"once", no_argument, NULL, '1'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *pub = NULL, *audio_dir = NULL, *espeak_voice = NULL, *services = NULL;
    bool voice_on = true, once = false;
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b': o->broker = optarg; break;
        case 'p': pub = optarg; break;
        case 'v':
            if (strcmp (optarg, "on") == 0)
                voice_on = true;
            else if (strcmp (optarg, "off") == 0)
                voice_on = false;
            else
                return term_usage_error ("board", "--voice takes on or off, not '%s'", optarg);
            break;
        case 'a': audio_dir = optarg; break;
        case 'e': espeak_voice = optarg; break;
        case 's': services = optarg; break;
        case '1': once = true; break;
        case 'j': o->json = true; break;
        case 'h': s_help (stdout); return TERM_EXIT_OK;
        default: return term_usage_error ("board", "bad option");
        }
    }
    if (optind != argc)
        return term_usage_error ("board", "unexpected argument '%s'", argv[optind]);

    s_board_t b = {
        .broker = o->broker,
        .json = o->json,
        .tty = !o->json && isatty (STDOUT_FILENO),
        .recent = json_array (),
        .announced = json_object (),
    };
    int rc = TERM_EXIT_OK;
    if (services) {
        b.services = term_split_list (services);
        if (json_array_size (b.services) == 0) {
            rc = term_usage_error ("board", "--services needs at least one prefix");
            goto done;
        }
    }
    b.mirror = proto_mirror_new (o->broker, pub);
    if (!b.mirror) {
        fprintf (stderr, "onewindow board: cannot create a client for %s\n", o->broker);
        rc = TERM_EXIT_UNREACHABLE;
        goto done;
    }
    proto_mirror_on_event (b.mirror, s_on_event, &b);

    rc = once ? s_once (&b) : s_live (&b, voice_on, espeak_voice, audio_dir);
done:
    term_voice_destroy (&b.voice);
    proto_mirror_destroy (&b.mirror);
    json_decref (b.services);
    json_decref (b.recent);
    json_decref (b.announced);
    return rc;
}
