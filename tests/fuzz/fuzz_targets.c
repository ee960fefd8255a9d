/*  fuzz_targets.c — see fuzz_targets.h.

    Compiled into each libFuzzer harness (tests/fuzz/fuzz_*.c, by `make fuzz`) and into
    run_tests through tests/test_fuzz_regress.c, which includes this file so the regression
    suite runs exactly the code the fuzzer ran.

    A broken promise is reported by S_CHECK, which prints it and sets the function's local
    `rc` to -1 but carries on, so what was allocated is still freed (a leak would otherwise
    hide the real report). */
#include "fuzz_targets.h"

#include <jansson.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker_calendar.h"
#include "broker_config.h"
#include "broker_idcheck.h"
#include "proto_msg.h"
#include "proto_qr.h"
#include "proto_token.h"
#include "vault_frame.h"

//  Prints a broken promise; returns -1 for `rc`.
static int s_broken (const char *where, int line, const char *cond, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static int
s_broken (const char *where, int line, const char *cond, const char *fmt, ...)
{
    fprintf (stderr, "fuzz: %s (fuzz_targets.c:%d): broken promise: %s", where, line, cond);
    if (fmt && *fmt) {
        va_list ap;
        va_start (ap, fmt);
        fputs (": ", stderr);
        vfprintf (stderr, fmt, ap);
        va_end (ap);
    }
    fputc ('\n', stderr);
    return -1;
}

//  S_CHECK (condition, "printf format", ...): needs a local `int rc`.
#define S_CHECK(cond, ...)                                          \
    do {                                                            \
        if (!(cond))                                                \
            rc = s_broken (__func__, __LINE__, #cond, __VA_ARGS__); \
    } while (0)

//  True if `buf` (size bytes) holds a NUL.
static bool
s_terminated (const char *buf, size_t size)
{
    return memchr (buf, 0, size) != NULL;
}

//  ---------------------------------------------------------------------------------------
//  Protocol: request decoding and validation.

#define S_MAX_FRAMES 6

//  proto_validate of `body` against every command, with a full, a tiny and no message
//  buffer: the three must agree, and a refusal must say why.
static int
s_validate_all (const json_t *body)
{
    int rc = 0;
    for (int cmd = 0; cmd < PROTO_CMD_COUNT; cmd++) {
        char why[256];
        memset (why, 'X', sizeof why);
        proto_err_t err = proto_validate ((proto_cmd_t)cmd, body, why, sizeof why);
        S_CHECK (err == PROTO_ERR_OK || err == PROTO_ERR_MISSING_FIELD ||
                     err == PROTO_ERR_BAD_FIELD,
                 "%s gave %s", proto_command ((proto_cmd_t)cmd)->name, proto_err_code (err));
        if (err != PROTO_ERR_OK)
            S_CHECK (s_terminated (why, sizeof why) && why[0], "%s: empty or unterminated why",
                     proto_command ((proto_cmd_t)cmd)->name);
        char tiny[8];
        memset (tiny, 'X', sizeof tiny);
        proto_err_t err2 = proto_validate ((proto_cmd_t)cmd, body, tiny, sizeof tiny);
        S_CHECK (err2 == err, "%s: %s with a tiny buffer, %s with a big one",
                 proto_command ((proto_cmd_t)cmd)->name, proto_err_code (err2),
                 proto_err_code (err));
        if (err2 != PROTO_ERR_OK)
            S_CHECK (s_terminated (tiny, sizeof tiny), "%s: tiny why unterminated",
                     proto_command ((proto_cmd_t)cmd)->name);
        S_CHECK (proto_validate ((proto_cmd_t)cmd, body, NULL, 0) == err, "%s: NULL why",
                 proto_command ((proto_cmd_t)cmd)->name);
    }
    return rc;
}

int
fuzz_request_one (const uint8_t *data, size_t size)
{
    int rc = 0;
    if (size == 0)
        return 0;
    static const uint8_t s_empty[1] = {0};
    size_t count = 1 + data[0] % S_MAX_FRAMES;
    proto_frame_t frames[S_MAX_FRAMES];
    uint8_t *copies[S_MAX_FRAMES] = {NULL};
    size_t pos = 1;
    for (size_t i = 0; i < count; i++) {
        size_t len = size - pos;
        if (i + 1 < count) {
            len = 0;
            if (size - pos >= 2) {
                len = (size_t)data[pos] << 8 | data[pos + 1];
                pos += 2;
            } else
                pos = size;
            if (len > size - pos)
                len = size - pos;
        }
        //  Each frame in a block of exactly its size, as zmq_msg_data hands it over: the
        //  sanitizer sees any read past a frame's end (frames are not NUL-terminated).
        copies[i] = malloc (len);
        if (!copies[i] && len)
            goto done;
        if (len)
            memcpy (copies[i], data + pos, len);
        frames[i].data = copies[i] ? copies[i] : s_empty;
        frames[i].size = len;
        pos += len;
    }

    proto_request_t req;
    char why[256];
    memset (why, 'X', sizeof why);
    proto_err_t err = proto_request_decode (frames, count, &req, why, sizeof why);
    S_CHECK ((int)err >= 0 && err < PROTO_ERR_COUNT, "error %d", (int)err);
    S_CHECK (s_terminated (req.request_id, sizeof req.request_id), "request id unterminated");
    if (req.request_id[0])
        S_CHECK (proto_request_id_valid (req.request_id, strlen (req.request_id)),
                 "kept an invalid request id");
    if (err == PROTO_ERR_OK)
        S_CHECK (count == 4 && req.cmd >= 0 && req.cmd < PROTO_CMD_COUNT &&
                     json_is_object (req.body),
                 "ok without a command and an object body");
    else {
        S_CHECK (s_terminated (why, sizeof why) && why[0], "%s without a reason",
                 proto_err_code (err));
        //  What the broker replies with must always build (it falls back on the table's text).
        json_t *reply = proto_error_body (err, why);
        S_CHECK (reply != NULL, "proto_error_body gave NULL for %s", proto_err_code (err));
        json_decref (reply);
    }
    if (req.body) {
        S_CHECK (req.cmd >= 0 && req.cmd < PROTO_CMD_COUNT, "a body without a command");
        rc |= s_validate_all (req.body);
        //  The body survives a dump and reload with the same verdict.
        char *text = proto_json_dump (req.body);
        json_t *again = text ? json_loads (text, JSON_REJECT_DUPLICATES, NULL) : NULL;
        S_CHECK (again != NULL, "dumped body does not load again: %s", text ? text : "(null)");
        if (again && req.cmd >= 0 && req.cmd < PROTO_CMD_COUNT)
            S_CHECK (proto_validate ((proto_cmd_t)req.cmd, again, NULL, 0) == err,
                     "verdict changed after a dump and reload");
        json_decref (again);
        free (text);
    }
    proto_request_reset (&req);
    S_CHECK (req.body == NULL && req.cmd == -1 && req.request_id[0] == 0, "reset left state");
    proto_request_reset (&req);

    //  The whole input as a JSON document, for the validator on its own.
    json_t *doc =
        json_loadb ((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    if (json_is_object (doc))
        rc |= s_validate_all (doc);
    json_decref (doc);
done:
    for (size_t i = 0; i < count; i++)
        free (copies[i]);
    return rc;
}

//  ---------------------------------------------------------------------------------------
//  Lock boards: frames and the stream parser.

//  A frame the parser or the decoder returned: decodes again to the same fields, and the
//  builder makes the same bytes from those fields.
static int
s_frame_check (vault_proto_t proto, const vault_frame_t *f)
{
    int rc = 0;
    S_CHECK (f->proto == proto, "family %d, expected %d", (int)f->proto, (int)proto);
    S_CHECK (f->size == 5 || f->size == 9, "size %zu", f->size);
    if (rc)
        return rc;
    vault_frame_t g;
    S_CHECK (vault_frame_decode (proto, f->data, f->size, &g) == 0 && memcmp (&g, f, sizeof g) == 0,
             "frame does not decode to itself");
    vault_frame_t h;
    int built;
    if (proto == VAULT_PROTO_8A)
        built = vault_frame_8a (&h, f->head, f->board, f->lock, f->cmd);
    else if (f->cmd == VAULT_CU16_CMD_REPLY)
        built = vault_frame_cu16_status (&h, f->board, f->lock, f->latched, f->infrared);
    else
        built = vault_frame_cu16 (&h, f->board, f->lock, f->cmd);
    S_CHECK (built == 0 && h.size == f->size && memcmp (h.data, f->data, f->size) == 0,
             "rebuilding board %d lock %d cmd %02X gives other bytes", f->board, f->lock, f->cmd);
    char hex[3 * VAULT_FRAME_MAX + 1];
    vault_frame_hex (f->data, f->size, hex, sizeof hex);
    S_CHECK (strlen (hex) == 3 * f->size - 1, "hex \"%s\"", hex);
    return rc;
}

//  Every byte fed is in a returned frame, discarded, or pending.
static int
s_parser_balance (const vault_parser_t *p, uint64_t fed, uint64_t frame_bytes, const char *which)
{
    int rc = 0;
    uint64_t held = vault_parser_discarded (p) + frame_bytes + vault_parser_pending (p);
    S_CHECK (held == fed, "%s: fed %llu, accounted %llu", which, (unsigned long long)fed,
             (unsigned long long)held);
    S_CHECK (vault_parser_pending (p) <= VAULT_FRAME_MAX, "%s: %zu bytes pending", which,
             vault_parser_pending (p));
    return rc;
}

//  Feeds `size` bytes to `p`; every frame out must be the next of `expected`.
static int
s_feed (vault_parser_t *p, const uint8_t *data, size_t size, const vault_frame_t *expected,
        size_t nexpected, size_t *nseen, size_t *frame_bytes)
{
    int rc = 0;
    vault_frame_t f;
    while (vault_parser_next (p, &data, &size, &f)) {
        S_CHECK (*nseen < nexpected && memcmp (&f, &expected[*nseen], sizeof f) == 0,
                 "chunked frame %zu differs", *nseen);
        (*nseen)++;
        *frame_bytes += f.size;
    }
    S_CHECK (size == 0, "chunk not used up");
    return rc;
}

static int
s_frames_family (vault_proto_t proto, const uint8_t *data, size_t size)
{
    int rc = 0;
    size_t max = size / 5 + 1;
    vault_frame_t *found = calloc (max, sizeof *found);
    vault_parser_t *whole = vault_parser_new (proto);
    vault_parser_t *chunked = vault_parser_new (proto);
    vault_parser_t *reset = vault_parser_new (proto);
    if (!found || !whole || !chunked || !reset)
        goto done;

    //  1. Everything in one call.
    const uint8_t *p = data;
    size_t left = size, nfound = 0, frame_bytes = 0;
    vault_frame_t f;
    while (vault_parser_next (whole, &p, &left, &f)) {
        S_CHECK (nfound < max, "more frames than 5-byte pieces");
        if (nfound < max)
            found[nfound++] = f;
        frame_bytes += f.size;
        rc |= s_frame_check (proto, &f);
    }
    S_CHECK (left == 0 && p == data + size, "input not used up");
    S_CHECK (vault_parser_frames (whole) == nfound, "frames counter %llu, returned %zu",
             (unsigned long long)vault_parser_frames (whole), nfound);
    rc |= s_parser_balance (whole, size, frame_bytes, "whole");

    //  2. The same bytes in chunks of 0..8 (sizes taken from the data) give the same frames
    //  and the same counters: the parser keeps a partial frame across calls.
    size_t pos = 0, k = 0, nchunked = 0, chunked_bytes = 0;
    while (pos < size) {
        size_t chunk = data[k++ % size] % 9;
        if (chunk > size - pos)
            chunk = size - pos;
        rc |= s_feed (chunked, data + pos, chunk, found, nfound, &nchunked, &chunked_bytes);
        if (chunk == 0) { //  that was an empty call; feed one byte so the loop moves on
            chunk = 1;
            rc |= s_feed (chunked, data + pos, chunk, found, nfound, &nchunked, &chunked_bytes);
        }
        pos += chunk;
    }
    S_CHECK (nchunked == nfound, "%zu frames in chunks, %zu whole", nchunked, nfound);
    S_CHECK (vault_parser_discarded (chunked) == vault_parser_discarded (whole) &&
                 vault_parser_bad_frames (chunked) == vault_parser_bad_frames (whole) &&
                 vault_parser_pending (chunked) == vault_parser_pending (whole),
             "counters differ between whole and chunked");
    rc |= s_parser_balance (chunked, size, chunked_bytes, "chunked");

    //  3. A reset half-way (a serial line reopened) forgets the partial frame only.
    size_t half = size / 2, reset_bytes = 0;
    p = data;
    left = half;
    while (vault_parser_next (reset, &p, &left, &f)) {
        reset_bytes += f.size;
        rc |= s_frame_check (proto, &f);
    }
    vault_parser_reset (reset);
    S_CHECK (vault_parser_pending (reset) == 0, "reset left bytes pending");
    left = size - half;
    while (vault_parser_next (reset, &p, &left, &f)) {
        reset_bytes += f.size;
        rc |= s_frame_check (proto, &f);
    }
    rc |= s_parser_balance (reset, size, reset_bytes, "reset");
    //  Nothing more comes out of an empty call once the input is used up.
    S_CHECK (!vault_parser_next (whole, NULL, NULL, &f), "a frame from nothing");

    //  4. The decoder on the whole input and on every window of a frame's length.
    if (vault_frame_decode (proto, data, size, &f) == 0)
        rc |= s_frame_check (proto, &f);
    for (size_t i = 0; i + 5 <= size; i++) {
        if (vault_frame_decode (proto, data + i, 5, &f) == 0)
            rc |= s_frame_check (proto, &f);
        if (i + 9 <= size && vault_frame_decode (proto, data + i, 9, &f) == 0)
            rc |= s_frame_check (proto, &f);
    }
done:
    vault_parser_destroy (&whole);
    vault_parser_destroy (&chunked);
    vault_parser_destroy (&reset);
    free (found);
    return rc;
}

int
fuzz_frames_one (const uint8_t *data, size_t size)
{
    int rc = 0;
    rc |= s_frames_family (VAULT_PROTO_8A, data, size);
    rc |= s_frames_family (VAULT_PROTO_CU16, data, size);
    vault_frame_t f;
    S_CHECK (vault_frame_decode (VAULT_PROTO_8A, NULL, 0, &f) == -1, "decoded nothing");
    //  Hex dumps into buffers of every small size stay inside them and are terminated.
    size_t n = size < 4 ? size : 4;
    for (size_t bs = 1; bs <= 3 * n + 1; bs++) {
        char *buf = malloc (bs);
        if (!buf)
            break;
        vault_frame_hex (data, n, buf, bs);
        S_CHECK (s_terminated (buf, bs), "hex unterminated in %zu bytes", bs);
        free (buf);
    }
    return rc;
}

//  ---------------------------------------------------------------------------------------
//  Hall config.

//  What a loaded config promises its users (broker_hall, the handlers).
static int
s_config_check (const broker_config_t *cfg)
{
    int rc = 0;
    S_CHECK (cfg->hall_id && strlen (cfg->hall_id) >= 1 && strlen (cfg->hall_id) <= 16, "hall id");
    S_CHECK (cfg->hall_name && cfg->hall_name_en && cfg->missed_notice && cfg->status_url &&
                 cfg->calendar_path && cfg->departments,
             "a string is missing");
    S_CHECK (cfg->nservices >= 1 && cfg->nservices <= BROKER_MAX_SERVICES, "%d services",
             cfg->nservices);
    for (int i = 0; i < cfg->nservices && i < BROKER_MAX_SERVICES; i++) {
        const broker_service_cfg_t *s = &cfg->services[i];
        S_CHECK (broker_config_service (cfg, s->prefix) == i, "service %d \"%s\"", i, s->prefix);
        S_CHECK (s->name && s->name_en, "service %d names", i);
    }
    S_CHECK (cfg->ncounters >= 1 && cfg->ncounters <= BROKER_MAX_COUNTERS && cfg->counters,
             "%d counters", cfg->ncounters);
    uint32_t all = cfg->nservices >= 32 ? 0xffffffffu : (1u << cfg->nservices) - 1;
    for (int i = 0; i < cfg->ncounters && cfg->counters; i++) {
        const broker_counter_cfg_t *c = &cfg->counters[i];
        S_CHECK (broker_config_counter (cfg, c->id) == i, "counter %d id %d", i, c->id);
        S_CHECK (c->services && (c->services & ~all) == 0, "counter %d serves %08x", c->id,
                 c->services);
        S_CHECK (c->name != NULL, "counter %d name", c->id);
        S_CHECK (c->profile >= 0 && c->profile < cfg->nprofiles, "counter %d profile %d of %d",
                 c->id, c->profile, cfg->nprofiles);
    }
    S_CHECK (cfg->nprofiles >= 1 && cfg->profiles, "%d profiles", cfg->nprofiles);
    for (int i = 0; i < cfg->nprofiles && cfg->profiles; i++) {
        const broker_profile_cfg_t *pr = &cfg->profiles[i];
        S_CHECK (pr->name != NULL, "profile %d name", i);
        for (int s = 0; s < BROKER_MAX_SERVICES; s++)
            S_CHECK (pr->weight[s] >= 0 && pr->weight[s] <= 100 &&
                         (s < cfg->nservices || pr->weight[s] == 0),
                     "profile %d weight[%d] = %d", i, s, pr->weight[s]);
    }
    S_CHECK (cfg->appt_nperiods >= 1 && cfg->appt_nperiods <= 2, "%d periods", cfg->appt_nperiods);
    for (int i = 0; i < cfg->appt_nperiods && i < 2; i++)
        S_CHECK (cfg->appt_open_min[2 * i] >= 0 &&
                     cfg->appt_open_min[2 * i] < cfg->appt_open_min[2 * i + 1],
                 "period %d: %d..%d", i, cfg->appt_open_min[2 * i], cfg->appt_open_min[2 * i + 1]);
    S_CHECK (cfg->nitems >= 0 && cfg->nitems <= BROKER_MAX_ITEMS &&
                 (cfg->nitems == 0 || cfg->items),
             "%d items", cfg->nitems);
    for (int i = 0; i < cfg->nitems && cfg->items; i++) {
        const broker_item_cfg_t *it = &cfg->items[i];
        S_CHECK (it->id && it->name && it->department, "item %d strings", i);
        if (!it->id || !it->department)
            continue;
        S_CHECK (broker_config_item (cfg, it->id) == i, "item %d \"%s\"", i, it->id);
        S_CHECK (it->service >= 0 && it->service < cfg->nservices, "item %d service %d", i,
                 it->service);
        S_CHECK (it->promised_days <= it->statutory_days, "item %d promises %d of %d days", i,
                 it->promised_days, it->statutory_days);
        S_CHECK (it->ndocs >= 0 && it->ndocs <= BROKER_MAX_DOCS, "item %d has %d documents", i,
                 it->ndocs);
        for (int j = 0; j < it->ndocs && j < BROKER_MAX_DOCS; j++)
            S_CHECK (it->docs[j].id && it->docs[j].name, "item %d document %d", i, j);
        S_CHECK (broker_config_department (cfg, it->department) != NULL, "department lookup");
    }
    S_CHECK (cfg->warn_yellow > 0 && cfg->warn_yellow < cfg->warn_red && cfg->warn_red <= 1,
             "warnings %g / %g", cfg->warn_yellow, cfg->warn_red);
    return rc;
}

int
fuzz_config_one (const uint8_t *data, size_t size)
{
    int rc = 0;
    char *text = malloc (size + 1);
    if (!text)
        return 0;
    memcpy (text, data, size);
    text[size] = 0;
    char err[400];
    memset (err, 'X', sizeof err);
    broker_config_t *cfg = broker_config_parse (text, err, sizeof err);
    if (cfg)
        rc |= s_config_check (cfg);
    else {
        S_CHECK (s_terminated (err, sizeof err) && err[0], "refused without a reason");
        //  The same refusal into a buffer too small for it.
        char small[8];
        memset (small, 'X', sizeof small);
        broker_config_t *again = broker_config_parse (text, small, sizeof small);
        S_CHECK (again == NULL && s_terminated (small, sizeof small), "small error buffer");
        broker_config_destroy (&again);
    }
    broker_config_destroy (&cfg);
    S_CHECK (cfg == NULL, "destroy did not clear the pointer");
    free (text);
    return rc;
}

//  ---------------------------------------------------------------------------------------
//  Working-day calendar. It loads only from files, so the input goes to one temp file per
//  process, created on first use, rewritten in place (no truncate to zero, no new inode:
//  on ext4 either costs more than the whole run) and removed at exit. The file is the only
//  state kept between runs.

static char s_cal_dir[512];
static char s_cal_path[600];
static int s_cal_fd = -1;

static void
s_cal_cleanup (void)
{
    if (s_cal_fd >= 0)
        close (s_cal_fd);
    if (s_cal_path[0])
        unlink (s_cal_path);
    if (s_cal_dir[0])
        rmdir (s_cal_dir);
}

//  Writes the input to the temp file; returns its path, or NULL if that cannot be done.
static const char *
s_cal_write (const uint8_t *data, size_t size)
{
    if (s_cal_fd < 0) {
        const char *tmp = getenv ("TMPDIR");
        snprintf (s_cal_dir, sizeof s_cal_dir, "%s/ow-fuzz-calendar-XXXXXX",
                  tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp (s_cal_dir)) {
            perror ("fuzz_calendar: mkdtemp");
            s_cal_dir[0] = 0;
            return NULL;
        }
        //  Not named NNNN.json, so the file may hold any year.
        snprintf (s_cal_path, sizeof s_cal_path, "%s/calendar.json", s_cal_dir);
        s_cal_fd = open (s_cal_path, O_RDWR | O_CREAT, 0600);
        atexit (s_cal_cleanup);
        if (s_cal_fd < 0) {
            perror ("fuzz_calendar: open");
            return NULL;
        }
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite (s_cal_fd, data + done, size - done, (off_t)done);
        if (n <= 0)
            return NULL;
        done += (size_t)n;
    }
    if (ftruncate (s_cal_fd, (off_t)size) != 0)
        return NULL;
    return s_cal_path;
}

//  What a loaded calendar answers, checked against itself.
static int
s_calendar_check (broker_calendar_t *cal, const char *path)
{
    int rc = 0, first = 0, last = 0;
    S_CHECK (broker_calendar_range (cal, &first, &last) == 0, "loaded but no range");
    if (rc)
        return rc;
    S_CHECK (broker_calendar_date_valid (first) && broker_calendar_date_valid (last) &&
                 first <= last,
             "range %d..%d", first, last);
    int z0, z1;
    if (broker_calendar_date_to_days (first, &z0) || broker_calendar_date_to_days (last, &z1))
        return -1;
    S_CHECK (z1 - z0 <= 366 + 62, "%d days from one file", z1 - z0 + 1);
    for (int z = z0; z <= z1 && z - z0 <= 366 + 62; z++) {
        int day = broker_calendar_date_from_days (z);
        int kind = broker_calendar_day_kind (cal, day);
        bool working = broker_calendar_is_working_day (cal, day);
        S_CHECK (kind >= BROKER_DAY_WEEKDAY && kind <= BROKER_DAY_ADJUSTED, "%d kind %d", day,
                 kind);
        S_CHECK (working == (kind == BROKER_DAY_WEEKDAY || kind == BROKER_DAY_ADJUSTED),
                 "%d kind %d but working %d", day, kind, (int)working);
        S_CHECK (broker_calendar_published (cal, day), "%d in range but not published", day);
    }
    S_CHECK (!broker_calendar_published (cal, broker_calendar_date_add (first, -1)),
             "day before the range published");
    S_CHECK (!broker_calendar_published (cal, broker_calendar_date_add (last, 1)),
             "day after the range published");

    //  A clock with a pause: the days used at its deadline are its limit + extension.
    broker_calendar_pause_t pause = {broker_calendar_date_add (first, 3),
                                     broker_calendar_date_add (first, 11)};
    int deadline = 0;
    if (broker_calendar_deadline (cal, first, 20, 10, &pause, 1, &deadline, NULL) == 0) {
        S_CHECK (deadline > first, "deadline %d before start %d", deadline, first);
        int used = broker_calendar_elapsed (cal, first, deadline, &pause, 1, NULL);
        S_CHECK (used == 30, "%d working days used at the deadline %d, not 30", used, deadline);
        used = broker_calendar_elapsed (cal, first, broker_calendar_date_add (deadline, -1), &pause,
                                        1, NULL);
        S_CHECK (used == 29, "%d working days used the day before the deadline", used);
    }
    int fifth = 0;
    if (broker_calendar_add_working_days (cal, first, 5, &fifth, NULL) == 0)
        S_CHECK (broker_calendar_working_days_between (cal, first, fifth, NULL) == 5,
                 "5 working days after %d is %d", first, fifth);

    //  All or nothing: the same year a second time is refused and changes nothing.
    char err[256];
    int first2 = 0, last2 = 0;
    S_CHECK (broker_calendar_load (cal, path, err, sizeof err) == -1, "same year loaded twice");
    S_CHECK (broker_calendar_range (cal, &first2, &last2) == 0 && first2 == first && last2 == last,
             "a refused load changed the range");
    return rc;
}

int
fuzz_calendar_one (const uint8_t *data, size_t size)
{
    int rc = 0;
    const char *path = s_cal_write (data, size);
    if (!path)
        return 0;
    broker_calendar_t *cal = broker_calendar_new ();
    if (!cal)
        return 0;
    char err[512];
    memset (err, 'X', sizeof err);
    if (broker_calendar_load (cal, path, err, sizeof err) == 0)
        rc |= s_calendar_check (cal, path);
    else {
        S_CHECK (s_terminated (err, sizeof err) && err[0], "refused without a reason");
        S_CHECK (broker_calendar_range (cal, NULL, NULL) == -1, "a refused load left days");
    }
    broker_calendar_destroy (&cal);
    S_CHECK (cal == NULL, "destroy did not clear the pointer");
    return rc;
}

//  ---------------------------------------------------------------------------------------
//  Tokens, UTF-8 and identifiers.

//  A check result is complete: a code, a terminated UTF-8 reason, a canonical form only
//  on success.
static int
s_result_check (const char *what, int ret, const broker_check_t *chk, bool canonical_rule)
{
    int rc = 0;
    S_CHECK ((ret == 0) == chk->ok, "%s returned %d with ok %d", what, ret, (int)chk->ok);
    S_CHECK (s_terminated (chk->code, sizeof chk->code) && chk->code[0], "%s: code", what);
    S_CHECK (s_terminated (chk->reason, sizeof chk->reason) && chk->reason[0], "%s: reason", what);
    S_CHECK (s_terminated (chk->canonical, sizeof chk->canonical), "%s: canonical", what);
    if (rc)
        return rc;
    S_CHECK (proto_utf8_valid (chk->reason, strlen (chk->reason)), "%s: reason is not UTF-8: %s",
             what, chk->reason);
    if (canonical_rule)
        S_CHECK (chk->ok == (chk->canonical[0] != 0), "%s: ok %d, canonical \"%s\"", what,
                 (int)chk->ok, chk->canonical);
    return rc;
}

//  An identifier-like input (8+ letters and digits, 4+ digits) is never repeated whole in
//  a reason: reasons end up in logs and on screens.
static int
s_no_echo (const char *what, const char *text, const broker_check_t *chk)
{
    int rc = 0;
    size_t len = strlen (text), digits = 0;
    if (len < 8)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return 0;
        digits += c >= '0' && c <= '9';
    }
    if (digits >= 4)
        S_CHECK (strstr (chk->reason, text) == NULL, "%s repeats the input: %s", what, chk->reason);
    return rc;
}

//  A mask into buffers of several sizes stays inside them, is terminated, and is the same
//  text cut short.
static int
s_mask_check (const char *what, void (*mask) (const char *, char *, size_t), const char *text,
              char *full, size_t full_size)
{
    int rc = 0;
    mask (text, full, full_size);
    S_CHECK (s_terminated (full, full_size), "%s unterminated", what);
    static const size_t sizes[] = {1, 2, 4, 5, 9, 14, 19};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *buf = malloc (sizes[i]);
        if (!buf)
            break;
        mask (text, buf, sizes[i]);
        S_CHECK (s_terminated (buf, sizes[i]) && strncmp (buf, full, strlen (buf)) == 0,
                 "%s into %zu bytes", what, sizes[i]);
        free (buf);
    }
    char canary = 'C';
    mask (text, &canary, 0);
    S_CHECK (canary == 'C', "%s wrote into a zero-size buffer", what);
    return rc;
}

//  fuzz_token_one's tokens and UTF-8: `bytes` is the input (size bytes), `text` the same
//  as a C string.
static int
s_tokens_and_utf8 (const char *bytes, size_t size, const char *text)
{
    int rc = 0;
    size_t tlen = strlen (text);
    //  Tokens.
    char token[PROTO_TOKEN_LEN + 1], again[PROTO_TOKEN_LEN + 1];
    if (proto_token_parse (bytes, size, token) == 0) {
        S_CHECK (proto_token_valid (token), "parsed \"%s\" is not canonical", token);
        S_CHECK (proto_token_parse (token, PROTO_TOKEN_LEN, again) == 0 &&
                     strcmp (token, again) == 0,
                 "\"%s\" does not parse to itself", token);
    }
    if (proto_token_valid (text))
        S_CHECK (proto_token_parse (text, tlen, again) == 0 && strcmp (text, again) == 0,
                 "a valid token does not parse to itself");

    //  UTF-8: proto_utf8_valid agrees with jansson's independent check (which also takes
    //  NUL as valid).
    bool ours = proto_utf8_valid (bytes, size);
    json_t *theirs = json_stringn (bytes, size);
    S_CHECK (ours == (theirs != NULL), "proto_utf8_valid says %d, jansson %d", (int)ours,
             (int)(theirs != NULL));
    json_decref (theirs);
    char clipped[80];
    size_t max = size % 72;
    proto_utf8_clip (clipped, sizeof clipped, text, max);
    S_CHECK (strlen (clipped) <= max && strncmp (clipped, text, strlen (clipped)) == 0,
             "clip to %zu gave %zu bytes that are not a prefix", max, strlen (clipped));
    if (proto_utf8_valid (text, tlen))
        S_CHECK (proto_utf8_valid (clipped, strlen (clipped)), "clipping cut a character");
    return rc;
}

int
fuzz_token_one (const uint8_t *data, size_t size)
{
    int rc = 0;
    //  `bytes` is exactly the input (no NUL after it) for the functions that take a length;
    //  `text` is the input as a C string (up to its first NUL) for the others.
    char *bytes = malloc (size ? size : 1);
    char *text = malloc (size + 1);
    if (!bytes || !text)
        goto done;
    memcpy (bytes, data, size);
    memcpy (text, data, size);
    text[size] = 0;
    size_t tlen = strlen (text);

    rc |= s_tokens_and_utf8 (bytes, size, text);

    //  ID numbers.
    const int today = 20250601;
    broker_check_t chk, chk2;
    int ret = broker_idcheck_id_number (text, today, &chk);
    rc |= s_result_check ("id_number", ret, &chk, true);
    rc |= s_no_echo ("id_number", text, &chk);
    S_CHECK (ret != 0 || broker_idcheck_id_number (text, 0, NULL) == 0,
             "valid today but not without a date");
    char gender = broker_idcheck_id_gender (text);
    S_CHECK (gender == 0 || gender == 'M' || gender == 'F', "gender %d", gender);
    char cc = broker_idcheck_id_check_char (text);
    S_CHECK (cc == 0 || (cc >= '0' && cc <= '9') || cc == 'X', "check char %d", cc);
    if (ret == 0) {
        S_CHECK (strlen (chk.canonical) == 18, "canonical \"%s\"", chk.canonical);
        S_CHECK (broker_idcheck_id_number (chk.canonical, today, &chk2) == 0 &&
                     strcmp (chk2.canonical, chk.canonical) == 0,
                 "canonical \"%s\" is not valid", chk.canonical);
        S_CHECK (broker_idcheck_id_check_char (chk.canonical) == chk.canonical[17],
                 "check char of a valid ID");
        int birth = 0;
        S_CHECK (broker_idcheck_id_birth (chk.canonical, &birth) == 0 &&
                     broker_idcheck_age (birth, today) >= 0,
                 "birth %d of a valid ID", birth);
        char masked[64];
        broker_idcheck_mask_id (chk.canonical, masked, sizeof masked);
        S_CHECK (strlen (masked) == 18 && strstr (masked, "**********") != NULL &&
                     strncmp (masked, chk.canonical, 4) == 0,
                 "masked ID \"%s\"", masked);
    }
    char full[64];
    rc |= s_mask_check ("mask_id", broker_idcheck_mask_id, text, full, sizeof full);
    if (tlen >= 8)
        S_CHECK (strstr (full, text) == NULL || strcmp (full, "****") == 0, "mask_id shows \"%s\"",
                 full);
    broker_idcheck_mask_id (NULL, full, sizeof full);
    S_CHECK (full[0] == 0, "mask of NULL");
    if (size >= 8) {
        int a, b;
        memcpy (&a, data, sizeof a);
        memcpy (&b, data + 4, sizeof b);
        int age = broker_idcheck_age (a, b);
        S_CHECK (age >= -1, "age %d", age);
    }

    //  Unified social credit codes.
    ret = broker_idcheck_uscc (text, &chk);
    rc |= s_result_check ("uscc", ret, &chk, true);
    rc |= s_no_echo ("uscc", text, &chk);
    if (ret == 0) {
        S_CHECK (strlen (chk.canonical) == 18 &&
                     broker_idcheck_uscc_check_char (chk.canonical) == chk.canonical[17],
                 "canonical \"%s\"", chk.canonical);
        S_CHECK (broker_idcheck_uscc (chk.canonical, &chk2) == 0 &&
                     strcmp (chk2.canonical, chk.canonical) == 0,
                 "canonical \"%s\" is not valid", chk.canonical);
    }
    ret = broker_idcheck_uscc_org (text, &chk);
    rc |= s_result_check ("uscc_org", ret, &chk, false);
    rc |= s_no_echo ("uscc_org", text, &chk);
    cc = broker_idcheck_uscc_check_char (text);
    S_CHECK (cc == 0 || strchr ("0123456789ABCDEFGHJKLMNPQRTUWXY", cc), "USCC check char %d", cc);
    cc = broker_idcheck_org_check_char (text);
    S_CHECK (cc == 0 || (cc >= '0' && cc <= '9') || cc == 'X', "org check char %d", cc);

    //  Phone numbers.
    ret = broker_idcheck_phone (text, &chk);
    rc |= s_result_check ("phone", ret, &chk, true);
    rc |= s_no_echo ("phone", text, &chk);
    if (ret == 0)
        S_CHECK (broker_idcheck_phone (chk.canonical, &chk2) == 0 &&
                     strcmp (chk2.canonical, chk.canonical) == 0,
                 "canonical \"%s\" is not valid", chk.canonical);
    rc |= s_mask_check ("mask_phone", broker_idcheck_mask_phone, text, full, sizeof full);
    if (ret == 0) {
        char fits[14];
        broker_idcheck_mask_phone (text, fits, sizeof fits);
        S_CHECK (strcmp (fits, full) == 0 && strchr (full, '*') && strcmp (full, chk.canonical),
                 "masked phone \"%s\" / \"%s\"", fits, full);
    }
done:
    free (bytes);
    free (text);
    return rc;
}
