/*  proto_journal.c — see proto_journal.h. */
#include "proto_journal.h"

#include <stdbool.h>

#include "proto_json.h"

#define DAY_MS 86400000LL

//  ---------------------------------------------------------------------------------------
//  Dates (the proleptic Gregorian calendar, days counted from 1970-01-01)

static int64_t
s_days_from_civil (int yyyymmdd)
{
    int y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int
s_civil_from_days (int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    return (int)(y * 10000 + m * 100 + d);
}

int
proto_journal_local_date (int64_t ms, int utc_offset_min)
{
    int64_t local = ms + (int64_t)utc_offset_min * 60000;
    int64_t days = local >= 0 ? local / DAY_MS : -((-local + DAY_MS - 1) / DAY_MS);
    return s_civil_from_days (days);
}

int64_t
proto_journal_midnight (int yyyymmdd, int utc_offset_min)
{
    return s_days_from_civil (yyyymmdd) * DAY_MS - (int64_t)utc_offset_min * 60000;
}

int
proto_journal_days_between (int from, int to)
{
    return (int)(s_days_from_civil (to) - s_days_from_civil (from));
}

//  ---------------------------------------------------------------------------------------
//  Reading

//  events.range from `from`, at most `limit`: 0 with *reply set, or the call's result.
static int
s_range (proto_client_t *client, json_int_t from, json_int_t limit, json_t **reply)
{
    json_t *body = json_pack ("{s:I, s:I}", "from", from, "limit", limit);
    int rc = proto_client_call (client, "events.range", body, reply);
    json_decref (body);
    return rc;
}

//  The sequence number of the first event at or after time `t` among 1..last (last + 1 if
//  none), by a binary search: the broker's event times do not go back.
static int
s_first_at (proto_client_t *client, int64_t t, json_int_t last, json_int_t *seq)
{
    json_int_t lo = 1, hi = last + 1;
    while (lo < hi) {
        json_int_t mid = lo + (hi - lo) / 2;
        json_t *r = NULL;
        int rc = s_range (client, mid, 1, &r);
        if (rc) {
            json_decref (r);
            return rc;
        }
        const json_t *e = json_array_get (json_object_get (r, "events"), 0);
        if (e && proto_int (e, "time") < t)
            lo = mid + 1;
        else
            hi = mid;
        json_decref (r);
    }
    *seq = lo;
    return 0;
}

int
proto_journal_read (proto_client_t *client, json_int_t from, json_int_t stop, proto_journal_fn *fn,
                    void *arg)
{
    while (from <= stop) {
        json_int_t limit =
            stop - from + 1 < PROTO_JOURNAL_PAGE ? stop - from + 1 : PROTO_JOURNAL_PAGE;
        json_t *r = NULL;
        int rc = s_range (client, from, limit, &r);
        const json_t *events = json_object_get (r, "events");
        if (rc || json_array_size (events) == 0) {
            json_decref (r);
            return rc;
        }
        size_t i;
        json_t *e;
        bool over = false;
        json_array_foreach (events, i, e) {
            from = proto_int (e, "seq") + 1;
            if (proto_int (e, "seq") > stop || fn (e, arg) == 0) {
                over = true;
                break;
            }
        }
        json_decref (r);
        if (over)
            break;
    }
    return 0;
}

int
proto_journal_day_start (proto_client_t *client, const json_t *info, int day, json_int_t *seq)
{
    int today = (int)proto_int (info, "day");
    json_int_t last = proto_int (info, "seq");
    *seq = last + 1;
    if (day > today)
        return 0;
    if (day < today)
        return s_first_at (
            client,
            proto_journal_midnight (
                day, (int)proto_int (json_object_get (info, "hall"), "utc_offset_min")),
            last, seq);
    json_t *head = NULL;
    int rc = s_range (client, 1, 1, &head);
    if (!rc)
        *seq = proto_int (head, "day_first_seq");
    json_decref (head);
    return rc;
}
