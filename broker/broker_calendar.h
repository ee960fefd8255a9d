/*  broker_calendar.h — the working-day calendar behind the case clock (《行政许可法》).

    Licensing limits are counted in working days (工作日): Monday to Friday, minus statutory
    holidays, plus the weekend days the yearly State Council notice turns into working days
    (调休上班). The day of receipt never counts: day 1 is the next working day. The calendar
    is data, one JSON file per year in etc/calendar/, added each November when the notice
    for the next year appears (then broker_calendar_reload).

    Outside the published days, a day is worked if it is a Monday to Friday that the law
    does not make a day off: the statutory holidays and their 补假 days of
    broker_holidays.h, for 2020-2100 (the plain weekday rule beyond). No weekend day is
    ever made a working day there: 调休 is the notice's to decide, and nobody can guess it.
    Every answer that relied on an unpublished day is flagged provisional, for it may move
    when the notice comes.

    Dates in this API are `int` yyyymmdd (20250124), years 1000..9999. yyyymmdd order is
    date order, so callers may compare them with < and ==. Arithmetic goes through days
    since 1970-01-01, computed in plain integer code (no time zone, no timegm).

    File format (etc/calendar/2025.json):

        {
            "year": 2025,
            "source": "国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号)",
            "published": "2024-11-12",
            "note": "how the data was checked",
            "holidays": [
                {"name": "元旦", "from": "2025-01-01", "to": "2025-01-01"},
                {"name": "春节", "from": "2025-01-28", "to": "2025-02-04"}
            ],
            "workdays": ["2025-01-26", "2025-02-08"]
        }

    - year (required): the year the file publishes; every day of it becomes published. A
      file named NNNN.json must hold year NNNN.
    - source (required, non-empty): the notice the data comes from.
    - published, note (optional): the notice's date ("YYYY-MM-DD") and free text.
    - holidays (required, may be empty): days off, as named inclusive ranges "from".."to"
      (at most 31 days each; ranges may not overlap). Weekend days inside a range are fine.
    - workdays (required, may be empty): weekend days made working days (调休上班). A
      Monday-to-Friday date here is an error (it already works: likely a typo).
    - covers (optional, rare): {"from": "2018-12-29", "to": "2019-12-31"} when a notice
      also arranges days at the edge of the neighbouring year (the 2019 notice made
      Sat 2018-12-29 a working day). It must contain the whole year and reach at most
      31 days beyond it; all published days then run from..to. Without it, every date in
      the file must lie inside its year.
    Dates are exactly "YYYY-MM-DD" and must exist. Unknown keys, duplicate keys, a day both
    holiday and workday (in one file or across files), and two files for one year are
    errors. Each error names the file and the entry ("holidays[1] (春节)"). */
#ifndef BROKER_CALENDAR_H
#define BROKER_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

typedef struct broker_calendar broker_calendar_t;

//  What a day is. Outside the published days: WEEKDAY, WEEKEND or STATUTORY.
typedef enum {
    BROKER_DAY_WEEKDAY,  //  an ordinary Monday-to-Friday working day
    BROKER_DAY_WEEKEND,  //  an ordinary Saturday or Sunday off
    BROKER_DAY_HOLIDAY,  //  a day off in a published holiday range
    BROKER_DAY_ADJUSTED, //  a weekend day made a working day (调休上班)
    BROKER_DAY_STATUTORY //  unpublished, a weekday off by law (broker_holidays.h): provisional
} broker_day_kind_t;

//  A stretch of whole days [from, to) on which the case clock stands still: supplement
//  (补正) after acceptance, special procedures (Art. 45: hearing, testing, expert review).
//
//  Rule: a day on which the clock is stopped for any part does not count. For a pause that
//  starts on day A and ends (documents received, procedure concluded) on day B, pass
//  from = A and to = the day after B. Why: (1) Art. 45 says the time does not count at all,
//  and a working day cannot be counted in part, so any day the pause touches is left out;
//  (2) the day the clock restarts is treated like the day of receipt, which never counts
//  (Art. 32: the case is accepted on the day the documents arrive; 民法典 Art. 201: 开始的
//  当日不计入); (3) the result depends only on the dates printed on the notices, so the
//  applicant, the office and an auditor all get the same deadline without times of day.
//  The cost is at most the day the pause began, in the office's favour.
typedef struct {
    int from; //  first paused day, yyyymmdd
    int to;   //  first day the clock runs again, yyyymmdd; must be > from
} broker_calendar_pause_t;

//  An empty calendar: nothing published, every answer by the rule for unpublished days
//  (above) and provisional. A NULL calendar is the same. NULL on out-of-memory. Caller
//  owns it.
broker_calendar_t *broker_calendar_new (void);
//  Frees the calendar; sets *self_p to NULL. Safe on NULL.
void broker_calendar_destroy (broker_calendar_t **self_p);

//  Loads year files from `path`: a directory (every *.json in it, in name order; none is
//  an error) or one file. All or nothing: on error the calendar is unchanged, -1 is
//  returned and `err` (may be NULL) gets a one-line reason naming the file and entry.
//  To reload after a new notice, load into a new calendar and swap it in.
int broker_calendar_load (broker_calendar_t *self, const char *path, char *err, size_t err_size);
//  Same for `count` paths (each a directory or a file), all or nothing.
int broker_calendar_load_paths (broker_calendar_t *self, const char *const *paths, int count,
                                char *err, size_t err_size);
//  Replaces what is loaded by a fresh load of `path` (a new notice added, a file
//  corrected), in place, so every holder of `self` sees the new days. All or nothing: on
//  error the calendar is unchanged and `err` says why, as for a load.
int broker_calendar_reload (broker_calendar_t *self, const char *path, char *err, size_t err_size);

//  True if `day` (yyyymmdd) is a working day. False for an invalid date.
bool broker_calendar_is_working_day (const broker_calendar_t *self, int day);
//  True if `day` lies in a loaded year file; false means the answers for it are provisional.
bool broker_calendar_published (const broker_calendar_t *self, int day);
//  Kind of `day`, or -1 for an invalid date.
int broker_calendar_day_kind (const broker_calendar_t *self, int day);
//  First and last published days (either pointer may be NULL). -1 if nothing is loaded.
//  Published days may have gaps if a year file is missing in the middle.
int broker_calendar_range (const broker_calendar_t *self, int *first, int *last);

//  The n-th working day after start_day into *result_day. start_day itself never counts,
//  whatever it is (holiday, weekend, working day); n = 0 gives start_day. *provisional
//  (may be NULL) is true if any day walked (start_day, result] is unpublished. 0, or -1
//  on an invalid date, n < 0, NULL result_day or passing 9999-12-31.
int broker_calendar_add_working_days (const broker_calendar_t *self, int start_day, int n,
                                      int *result_day, bool *provisional);
//  Number of working days in (from_day, to_day]: the working days used on the clock by
//  the end of to_day. 0 if to_day <= from_day. *provisional (may be NULL) as above. -1 on
//  an invalid date.
int broker_calendar_working_days_between (const broker_calendar_t *self, int from_day, int to_day,
                                          bool *provisional);

//  Deadline of a clock started on start_day (receipt or acceptance, never counted) with
//  `limit` + `extension` working days (Art. 42: 20, extendable by 10), counting only
//  working days outside every pause (see broker_calendar_pause_t; pauses may overlap and
//  come in any order; `pauses` may be NULL when pause_count is 0). limit + extension = 0
//  gives start_day. *provisional (may be NULL) is true if an unpublished, unpaused day
//  was counted or skipped. 0, or -1 on bad input (invalid date, negative or huge counts,
//  a pause with to <= from, passing 9999-12-31).
int broker_calendar_deadline (const broker_calendar_t *self, int start_day, int limit,
                              int extension, const broker_calendar_pause_t *pauses, int pause_count,
                              int *deadline_day, bool *provisional);
//  Working days used by the end of `today` on that clock: working days in
//  (start_day, today] outside every pause. To ask while a pause is still open, close it
//  at the day after today. -1 on bad input.
int broker_calendar_elapsed (const broker_calendar_t *self, int start_day, int today,
                             const broker_calendar_pause_t *pauses, int pause_count,
                             bool *provisional);

//  How far the published days reach, seen from a date (broker_calendar_reach).
typedef struct {
    int published_from;   //  first published day, yyyymmdd; 0 if nothing is published
    int published_until;  //  last published day; 0 if nothing is published
    int provisional_from; //  first unpublished day after the date (a gap, or the day after
                          //  the last file); 0 if none up to 9999-12-31
    int needed_until;     //  the deadline of a `longest` clock started on the date, + margin
    bool short_of_need;   //  provisional_from is on or before needed_until: warn
} broker_calendar_reach_t;

//  Whether the published days cover what a case accepted on `today` may need: a clock of
//  `longest` working days (the hall's longest limit with its extension), counted as a
//  deadline is, and `margin` calendar days more for the notice to come out. 0, or -1 on
//  an invalid date or negative or huge counts.
int broker_calendar_reach (const broker_calendar_t *self, int today, int longest, int margin,
                           broker_calendar_reach_t *out);

//  True if yyyymmdd is a real date in years 1000..9999.
bool broker_calendar_date_valid (int yyyymmdd);
//  Days since 1970-01-01 of a date into *days. 0 / -1 (invalid date).
int broker_calendar_date_to_days (int yyyymmdd, int *days);
//  Date of a day number since 1970-01-01, or 0 outside years 1000..9999.
int broker_calendar_date_from_days (int days);
//  The date `ndays` (may be negative) after yyyymmdd, or 0 if invalid or out of range.
int broker_calendar_date_add (int yyyymmdd, int ndays);
//  ISO day of week: 1 Monday .. 7 Sunday; -1 for an invalid date.
int broker_calendar_date_weekday (int yyyymmdd);
//  Parses exactly "YYYY-MM-DD" (a real date) into *yyyymmdd. 0 / -1.
int broker_calendar_date_parse (const char *text, int *yyyymmdd);
//  Writes "YYYY-MM-DD" into out (size >= 11). 0, or -1 (out gets "") on an invalid date.
int broker_calendar_date_format (int yyyymmdd, char *out, size_t size);

#endif
