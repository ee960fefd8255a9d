/*  broker_calendar.c — working-day calendar: year files, day kinds, deadlines.

    The published days are one array of day records from the first to the last published
    day; a record says whether the day is unpublished (a gap between year files), plain
    (weekday rule), a holiday or an adjusted working day, and which file said so, for error
    messages. A few years fit in a few kilobytes and every lookup is an index. The days off
    the law fixes for 2020-2100 (broker_holidays.h) are one bit each, computed when the
    calendar is made, so an unpublished day costs an index too. */
#include "broker_calendar.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "broker_holidays.h"

#define S_MIN_YEAR    1000
#define S_MAX_YEAR    9999
#define S_MAX_FILES   1000    //  year files in one calendar
#define S_MAX_ENTRIES 366     //  holidays or workdays in one file
#define S_MAX_HOLIDAY 31      //  days in one holiday range (the longest so far: 10)
#define S_MAX_EDGE    31      //  days "covers" may reach into a neighbouring year
#define S_MAX_COUNT   1000000 //  working days one deadline may count
//  Days from 2020-01-01 to 2100-12-31: the years broker_holidays.h knows.
#define S_LAW_DAYS 29586

enum { S_UNPUBLISHED = 0, S_PLAIN, S_HOLIDAY, S_WORKDAY };

typedef struct {
    unsigned char kind;  //  S_UNPUBLISHED .. S_WORKDAY
    unsigned short file; //  index in files of the file that set kind
} s_day_t;

typedef struct {
    int year;   //  the year the file publishes
    char *path; //  as given, for error messages
} s_file_t;

struct broker_calendar {
    int first;       //  days since 1970-01-01 of days[0]
    int ndays;       //  length of days; 0 = nothing published
    s_day_t *days;   //  one record per day from first
    int nfiles;      //  loaded year files
    s_file_t *files; //  loaded year files, in load order
    int law_first;   //  days since 1970-01-01 of 2020-01-01, the first day of `law`
    unsigned char law[(S_LAW_DAYS + 7) / 8]; //  one bit per day: off by law (holidays.h)
};

//  ---------------------------------------------------------------------------------------
//  Dates: proleptic Gregorian calendar, days since 1970-01-01 (H. Hinnant's algorithms).

static int
s_days_in_month (int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

static bool
s_ymd_valid (int y, int m, int d)
{
    return y >= S_MIN_YEAR && y <= S_MAX_YEAR && m >= 1 && m <= 12 && d >= 1 &&
           d <= s_days_in_month (y, m);
}

static int
s_days_from_civil (int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int
s_civil_from_days (int z)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    return y * 10000 + m * 100 + d;
}

//  Day numbers of 1000-01-01 and 9999-12-31.
static int
s_min_days (void)
{
    return s_days_from_civil (S_MIN_YEAR, 1, 1);
}

static int
s_max_days (void)
{
    return s_days_from_civil (S_MAX_YEAR, 12, 31);
}

//  ISO weekday of a day number: 1970-01-01 was a Thursday (4).
static int
s_weekday (int z)
{
    return ((z % 7 + 7 + 3) % 7) + 1;
}

bool
broker_calendar_date_valid (int yyyymmdd)
{
    if (yyyymmdd <= 0)
        return false;
    return s_ymd_valid (yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

int
broker_calendar_date_to_days (int yyyymmdd, int *days)
{
    if (!days || !broker_calendar_date_valid (yyyymmdd))
        return -1;
    *days = s_days_from_civil (yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
    return 0;
}

int
broker_calendar_date_from_days (int days)
{
    if (days < s_min_days () || days > s_max_days ())
        return 0;
    return s_civil_from_days (days);
}

int
broker_calendar_date_add (int yyyymmdd, int ndays)
{
    int z;
    if (broker_calendar_date_to_days (yyyymmdd, &z) != 0)
        return 0;
    //  Both operands are within a few million of zero, so this cannot overflow unless
    //  ndays is huge; check before adding.
    if ((ndays > 0 && z > INT_MAX - ndays) || (ndays < 0 && z < INT_MIN - ndays))
        return 0;
    return broker_calendar_date_from_days (z + ndays);
}

int
broker_calendar_date_weekday (int yyyymmdd)
{
    int z;
    if (broker_calendar_date_to_days (yyyymmdd, &z) != 0)
        return -1;
    return s_weekday (z);
}

//  Parses "YYYY-MM-DD": 0, -1 if not in that form, -2 if not a real date.
static int
s_parse (const char *text, int *yyyymmdd)
{
    if (!text || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
        return -1;
    int value[3] = {0, 0, 0};
    static const int start[3] = {0, 5, 8}, len[3] = {4, 2, 2};
    for (int f = 0; f < 3; f++)
        for (int i = 0; i < len[f]; i++) {
            char c = text[start[f] + i];
            if (c < '0' || c > '9')
                return -1;
            value[f] = value[f] * 10 + (c - '0');
        }
    if (!s_ymd_valid (value[0], value[1], value[2]))
        return -2;
    *yyyymmdd = value[0] * 10000 + value[1] * 100 + value[2];
    return 0;
}

int
broker_calendar_date_parse (const char *text, int *yyyymmdd)
{
    int day;
    if (!yyyymmdd || s_parse (text, &day) != 0)
        return -1;
    *yyyymmdd = day;
    return 0;
}

int
broker_calendar_date_format (int yyyymmdd, char *out, size_t size)
{
    if (!out || size == 0)
        return -1;
    out[0] = 0;
    if (size < 11 || !broker_calendar_date_valid (yyyymmdd))
        return -1;
    snprintf (out, size, "%04d-%02d-%02d", yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  The calendar object

broker_calendar_t *
broker_calendar_new (void)
{
    broker_calendar_t *self = calloc (1, sizeof (broker_calendar_t));
    if (!self)
        return NULL;
    self->law_first = s_days_from_civil (BROKER_HOLIDAYS_FIRST_YEAR, 1, 1);
    for (int year = BROKER_HOLIDAYS_FIRST_YEAR; year <= BROKER_HOLIDAYS_LAST_YEAR; year++) {
        broker_holiday_t h[BROKER_HOLIDAYS_MAX];
        int n = broker_holidays_statutory (year, h);
        for (int i = 0; i < n; i++) {
            int bit =
                s_days_from_civil (h[i].date / 10000, h[i].date / 100 % 100, h[i].date % 100) -
                self->law_first;
            self->law[bit / 8] |= (unsigned char)(1u << (bit % 8));
        }
    }
    return self;
}

void
broker_calendar_destroy (broker_calendar_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_calendar_t *self = *self_p;
    for (int i = 0; i < self->nfiles; i++)
        free (self->files[i].path);
    free (self->files);
    free (self->days);
    free (self);
    *self_p = NULL;
}

//  A deep copy, used as the staging area of a load. NULL on out-of-memory.
static broker_calendar_t *
s_clone (const broker_calendar_t *self)
{
    broker_calendar_t *copy = broker_calendar_new ();
    if (!copy)
        return NULL;
    copy->first = self->first;
    if (self->ndays) {
        copy->days = malloc ((size_t)self->ndays * sizeof (s_day_t));
        if (!copy->days)
            goto fail;
        memcpy (copy->days, self->days, (size_t)self->ndays * sizeof (s_day_t));
        copy->ndays = self->ndays;
    }
    if (self->nfiles) {
        copy->files = calloc ((size_t)self->nfiles, sizeof (s_file_t));
        if (!copy->files)
            goto fail;
        for (int i = 0; i < self->nfiles; i++) {
            copy->files[i].year = self->files[i].year;
            copy->files[i].path = strdup (self->files[i].path);
            copy->nfiles = i + 1;
            if (!copy->files[i].path)
                goto fail;
        }
    }
    return copy;
fail:
    broker_calendar_destroy (&copy);
    return NULL;
}

//  Record of day number z, or NULL if it lies outside the array.
static const s_day_t *
s_record (const broker_calendar_t *self, int z)
{
    if (!self || self->ndays == 0 || z < self->first || z - self->first >= self->ndays)
        return NULL;
    return &self->days[z - self->first];
}

static int
s_kind (const broker_calendar_t *self, int z)
{
    const s_day_t *rec = s_record (self, z);
    return rec ? rec->kind : S_UNPUBLISHED;
}

//  True if day z is off by law (2020-2100). A NULL calendar, the empty one, asks
//  broker_holidays each time.
static bool
s_law (const broker_calendar_t *self, int z)
{
    if (!self)
        return broker_holidays_name (s_civil_from_days (z)) != NULL;
    int bit = z - self->law_first;
    if (bit < 0 || bit >= S_LAW_DAYS)
        return false;
    return (self->law[bit / 8] >> (bit % 8)) & 1;
}

//  Whether day z of `kind` is worked: as published, else Monday to Friday less the days
//  off by law (never a weekend day worked: 调休 is the notice's to decide).
static bool
s_working (const broker_calendar_t *self, int kind, int z)
{
    if (kind == S_HOLIDAY)
        return false;
    if (kind == S_WORKDAY)
        return true;
    if (s_weekday (z) > 5)
        return false;
    return kind == S_PLAIN || !s_law (self, z);
}

bool
broker_calendar_is_working_day (const broker_calendar_t *self, int day)
{
    int z;
    if (broker_calendar_date_to_days (day, &z) != 0)
        return false;
    return s_working (self, s_kind (self, z), z);
}

bool
broker_calendar_published (const broker_calendar_t *self, int day)
{
    int z;
    if (broker_calendar_date_to_days (day, &z) != 0)
        return false;
    return s_kind (self, z) != S_UNPUBLISHED;
}

int
broker_calendar_day_kind (const broker_calendar_t *self, int day)
{
    int z;
    if (broker_calendar_date_to_days (day, &z) != 0)
        return -1;
    int kind = s_kind (self, z);
    if (kind == S_HOLIDAY)
        return BROKER_DAY_HOLIDAY;
    if (kind == S_WORKDAY)
        return BROKER_DAY_ADJUSTED;
    if (s_weekday (z) > 5)
        return BROKER_DAY_WEEKEND;
    return kind == S_UNPUBLISHED && s_law (self, z) ? BROKER_DAY_STATUTORY : BROKER_DAY_WEEKDAY;
}

int
broker_calendar_range (const broker_calendar_t *self, int *first, int *last)
{
    //  The array always starts and ends on published days (it only grows to cover files).
    if (!self || self->ndays == 0)
        return -1;
    if (first)
        *first = s_civil_from_days (self->first);
    if (last)
        *last = s_civil_from_days (self->first + self->ndays - 1);
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Counting

//  True if yyyymmdd `day` lies in any pause.
static bool
s_paused (int day, const broker_calendar_pause_t *pauses, int pause_count)
{
    for (int i = 0; i < pause_count; i++)
        if (day >= pauses[i].from && day < pauses[i].to)
            return true;
    return false;
}

static int
s_check_pauses (const broker_calendar_pause_t *pauses, int pause_count)
{
    if (pause_count < 0 || (pause_count > 0 && !pauses))
        return -1;
    for (int i = 0; i < pause_count; i++)
        if (!broker_calendar_date_valid (pauses[i].from) ||
            !broker_calendar_date_valid (pauses[i].to) || pauses[i].to <= pauses[i].from)
            return -1;
    return 0;
}

//  Walks from the day after start_z until `count` counted days (working, unpaused) have
//  passed; the last one goes to *end_z. Day numbers in, day numbers out.
static int
s_walk (const broker_calendar_t *self, int start_z, int count,
        const broker_calendar_pause_t *pauses, int pause_count, int *end_z, bool *provisional)
{
    bool guess = false;
    int z = start_z;
    int max_z = s_max_days ();
    for (int counted = 0; counted < count;) {
        if (z >= max_z)
            return -1;
        z++;
        if (pause_count && s_paused (s_civil_from_days (z), pauses, pause_count))
            continue;
        int kind = s_kind (self, z);
        if (kind == S_UNPUBLISHED)
            guess = true;
        if (s_working (self, kind, z))
            counted++;
    }
    *end_z = z;
    if (provisional)
        *provisional = guess;
    return 0;
}

//  Counted days (working, unpaused) in (from_z, to_z].
static int
s_count (const broker_calendar_t *self, int from_z, int to_z, const broker_calendar_pause_t *pauses,
         int pause_count, bool *provisional)
{
    bool guess = false;
    int counted = 0;
    for (int z = from_z + 1; z <= to_z; z++) {
        if (pause_count && s_paused (s_civil_from_days (z), pauses, pause_count))
            continue;
        int kind = s_kind (self, z);
        if (kind == S_UNPUBLISHED)
            guess = true;
        if (s_working (self, kind, z))
            counted++;
    }
    if (provisional)
        *provisional = guess;
    return counted;
}

int
broker_calendar_add_working_days (const broker_calendar_t *self, int start_day, int n,
                                  int *result_day, bool *provisional)
{
    return broker_calendar_deadline (self, start_day, n, 0, NULL, 0, result_day, provisional);
}

int
broker_calendar_working_days_between (const broker_calendar_t *self, int from_day, int to_day,
                                      bool *provisional)
{
    return broker_calendar_elapsed (self, from_day, to_day, NULL, 0, provisional);
}

int
broker_calendar_deadline (const broker_calendar_t *self, int start_day, int limit, int extension,
                          const broker_calendar_pause_t *pauses, int pause_count, int *deadline_day,
                          bool *provisional)
{
    int start_z, end_z;
    if (!deadline_day || broker_calendar_date_to_days (start_day, &start_z) != 0)
        return -1;
    if (limit < 0 || extension < 0 || limit > S_MAX_COUNT || extension > S_MAX_COUNT)
        return -1;
    if (s_check_pauses (pauses, pause_count) != 0)
        return -1;
    if (s_walk (self, start_z, limit + extension, pauses, pause_count, &end_z, provisional))
        return -1;
    *deadline_day = s_civil_from_days (end_z);
    return 0;
}

int
broker_calendar_elapsed (const broker_calendar_t *self, int start_day, int today,
                         const broker_calendar_pause_t *pauses, int pause_count, bool *provisional)
{
    int from_z, to_z;
    if (broker_calendar_date_to_days (start_day, &from_z) != 0 ||
        broker_calendar_date_to_days (today, &to_z) != 0 ||
        s_check_pauses (pauses, pause_count) != 0)
        return -1;
    return s_count (self, from_z, to_z, pauses, pause_count, provisional);
}

//  ---------------------------------------------------------------------------------------
//  Loading

#if defined(__GNUC__)
__attribute__ ((format (printf, 3, 4)))
#endif
static int
s_fail (char *err, size_t err_size, const char *format, ...)
{
    if (err && err_size) {
        va_list args;
        va_start (args, format);
        vsnprintf (err, err_size, format, args);
        va_end (args);
    }
    return -1;
}

//  One holiday range of the file being loaded, in day numbers.
typedef struct {
    int from, to;
    const char *name; //  borrowed from the JSON document
} s_range_t;

//  Reads a "YYYY-MM-DD" JSON string into day number *z, which must lie in [lo, hi] (day
//  numbers). `what` names the entry in messages. 0 / -1 with err set.
static int
s_get_date (json_t *value, const char *path, const char *what, int lo, int hi, int *z, char *err,
            size_t err_size)
{
    if (!json_is_string (value))
        return s_fail (err, err_size, "%s: %s: must be a \"YYYY-MM-DD\" string", path, what);
    const char *text = json_string_value (value);
    int day;
    int rc = s_parse (text, &day);
    if (rc == -1)
        return s_fail (err, err_size, "%s: %s: \"%s\" is not in YYYY-MM-DD form", path, what, text);
    if (rc == -2)
        return s_fail (err, err_size, "%s: %s: \"%s\" is not a real date", path, what, text);
    broker_calendar_date_to_days (day, z);
    if (*z < lo || *z > hi) {
        char from[16], to[16];
        broker_calendar_date_format (s_civil_from_days (lo), from, sizeof from);
        broker_calendar_date_format (s_civil_from_days (hi), to, sizeof to);
        return s_fail (err, err_size, "%s: %s: %s is outside the file's days %s..%s", path, what,
                       text, from, to);
    }
    return 0;
}

//  Rejects keys of `obj` not in the NULL-terminated `allowed`.
static int
s_check_keys (json_t *obj, const char *const *allowed, const char *path, const char *what,
              char *err, size_t err_size)
{
    const char *key;
    json_t *value;
    json_object_foreach (obj, key, value) {
        (void)value;
        bool known = false;
        for (int i = 0; allowed[i] && !known; i++)
            known = strcmp (key, allowed[i]) == 0;
        if (!known)
            return s_fail (err, err_size, "%s: %s: unknown key \"%s\"", path, what, key);
    }
    return 0;
}

//  Year named by a file called NNNN.json, or 0.
static int
s_year_of_name (const char *path)
{
    const char *base = strrchr (path, '/');
    base = base ? base + 1 : path;
    if (strlen (base) != 9 || strcmp (base + 4, ".json") != 0)
        return 0;
    int year = 0;
    for (int i = 0; i < 4; i++) {
        if (base[i] < '0' || base[i] > '9')
            return 0;
        year = year * 10 + (base[i] - '0');
    }
    return year;
}

//  Widens the day array to cover [from_z, to_z]; new days are unpublished. 0 / -1.
static int
s_grow (broker_calendar_t *self, int from_z, int to_z)
{
    int first = from_z, last = to_z;
    if (self->ndays) {
        if (self->first < first)
            first = self->first;
        if (self->first + self->ndays - 1 > last)
            last = self->first + self->ndays - 1;
    }
    size_t count = (size_t)(last - first + 1);
    if (self->ndays && first == self->first && (size_t)self->ndays == count)
        return 0;
    s_day_t *days = calloc (count, sizeof (s_day_t));
    if (!days)
        return -1;
    if (self->ndays)
        memcpy (days + (self->first - first), self->days, (size_t)self->ndays * sizeof (s_day_t));
    free (self->days);
    self->days = days;
    self->first = first;
    self->ndays = (int)count;
    return 0;
}

//  Checks the holidays array into ranges[] (at most S_MAX_ENTRIES); *nranges gets the count.
static int
s_load_holidays (json_t *holidays, const char *path, int lo, int hi, s_range_t *ranges,
                 int *nranges, char *err, size_t err_size)
{
    static const char *const keys[] = {"name", "from", "to", NULL};
    if (!json_is_array (holidays))
        return s_fail (err, err_size, "%s: \"holidays\" must be an array", path);
    if (json_array_size (holidays) > S_MAX_ENTRIES)
        return s_fail (err, err_size, "%s: \"holidays\" has more than %d entries", path,
                       S_MAX_ENTRIES);
    *nranges = 0;
    size_t i;
    json_t *entry;
    json_array_foreach (holidays, i, entry) {
        char what[160];
        snprintf (what, sizeof what, "holidays[%zu]", i);
        if (!json_is_object (entry))
            return s_fail (err, err_size, "%s: %s: must be an object", path, what);
        json_t *name = json_object_get (entry, "name");
        if (!json_is_string (name) || !*json_string_value (name))
            return s_fail (err, err_size, "%s: %s: \"name\" must be a non-empty string", path,
                           what);
        snprintf (what, sizeof what, "holidays[%zu] (%s)", i, json_string_value (name));
        if (s_check_keys (entry, keys, path, what, err, err_size))
            return -1;
        s_range_t *r = &ranges[i];
        r->name = json_string_value (name);
        char field[200];
        snprintf (field, sizeof field, "%s \"from\"", what);
        if (s_get_date (json_object_get (entry, "from"), path, field, lo, hi, &r->from, err,
                        err_size))
            return -1;
        snprintf (field, sizeof field, "%s \"to\"", what);
        if (s_get_date (json_object_get (entry, "to"), path, field, lo, hi, &r->to, err, err_size))
            return -1;
        if (r->to < r->from)
            return s_fail (err, err_size, "%s: %s: \"to\" is before \"from\"", path, what);
        if (r->to - r->from + 1 > S_MAX_HOLIDAY)
            return s_fail (err, err_size, "%s: %s: %d days is longer than %d, surely a typo", path,
                           what, r->to - r->from + 1, S_MAX_HOLIDAY);
        for (size_t j = 0; j < i; j++)
            if (r->from <= ranges[j].to && ranges[j].from <= r->to)
                return s_fail (err, err_size, "%s: %s: overlaps holidays[%zu] (%s)", path, what, j,
                               ranges[j].name);
        *nranges = (int)i + 1;
    }
    return 0;
}

//  The file's year, and its source, note and published date checked. 0 / -1.
static int
s_load_header (const broker_calendar_t *self, json_t *root, const char *path, int *year_p,
               char *err, size_t err_size)
{
    json_t *year_j = json_object_get (root, "year");
    if (!json_is_integer (year_j) || json_integer_value (year_j) <= S_MIN_YEAR ||
        json_integer_value (year_j) >= S_MAX_YEAR)
        return s_fail (err, err_size, "%s: \"year\" must be an integer from %d to %d", path,
                       S_MIN_YEAR + 1, S_MAX_YEAR - 1);
    int year = (int)json_integer_value (year_j);
    int name_year = s_year_of_name (path);
    if (name_year && name_year != year)
        return s_fail (err, err_size, "%s: \"year\" is %d but the file is named for %d", path, year,
                       name_year);
    for (int i = 0; i < self->nfiles; i++)
        if (self->files[i].year == year)
            return s_fail (err, err_size, "%s: year %d is already loaded from %s", path, year,
                           self->files[i].path);
    if (self->nfiles >= S_MAX_FILES)
        return s_fail (err, err_size, "%s: more than %d year files", path, S_MAX_FILES);
    json_t *source = json_object_get (root, "source");
    if (!json_is_string (source) || !*json_string_value (source))
        return s_fail (err, err_size, "%s: \"source\" must name the notice (a non-empty string)",
                       path);
    json_t *note = json_object_get (root, "note");
    if (note && !json_is_string (note))
        return s_fail (err, err_size, "%s: \"note\" must be a string", path);
    int unused;
    json_t *published = json_object_get (root, "published");
    if (published &&
        s_get_date (published, path, "\"published\"", INT_MIN, INT_MAX, &unused, err, err_size))
        return -1;
    *year_p = year;
    return 0;
}

//  The days the file publishes, [*lo, *hi]: its year, or "covers". 0 / -1.
static int
s_load_covers (json_t *root, const char *path, int year, int *lo, int *hi, char *err,
               size_t err_size)
{
    static const char *const cover_keys[] = {"from", "to", NULL};
    int year_lo = s_days_from_civil (year, 1, 1), year_hi = s_days_from_civil (year, 12, 31);
    *lo = year_lo;
    *hi = year_hi;
    json_t *covers = json_object_get (root, "covers");
    if (!covers)
        return 0;
    if (!json_is_object (covers))
        return s_fail (err, err_size, "%s: \"covers\" must be an object with from and to", path);
    if (s_check_keys (covers, cover_keys, path, "\"covers\"", err, err_size) ||
        s_get_date (json_object_get (covers, "from"), path, "\"covers\" \"from\"",
                    year_lo - S_MAX_EDGE, year_lo, lo, err, err_size) ||
        s_get_date (json_object_get (covers, "to"), path, "\"covers\" \"to\"", year_hi,
                    year_hi + S_MAX_EDGE, hi, err, err_size))
        return -1;
    return 0;
}

//  The adjusted working days (调休): weekend days in [lo, hi], each once, none a holiday
//  of this file. 0 / -1.
static int
s_check_workdays (json_t *workdays, const char *path, int lo, int hi, const s_range_t *ranges,
                  int nranges, char *err, size_t err_size)
{
    if (!json_is_array (workdays))
        return s_fail (err, err_size, "%s: \"workdays\" must be an array of dates", path);
    if (json_array_size (workdays) > S_MAX_ENTRIES)
        return s_fail (err, err_size, "%s: \"workdays\" has more than %d entries", path,
                       S_MAX_ENTRIES);
    size_t i;
    json_t *entry;
    json_array_foreach (workdays, i, entry) {
        char what[64];
        snprintf (what, sizeof what, "workdays[%zu]", i);
        int z;
        if (s_get_date (entry, path, what, lo, hi, &z, err, err_size))
            return -1;
        const char *text = json_string_value (entry);
        if (s_weekday (z) <= 5)
            return s_fail (err, err_size,
                           "%s: %s: %s is a weekday; only a Saturday or Sunday can be made a "
                           "working day",
                           path, what, text);
        for (int r = 0; r < nranges; r++)
            if (z >= ranges[r].from && z <= ranges[r].to)
                return s_fail (err, err_size,
                               "%s: %s: %s is both a workday and in holidays[%d] (%s)", path, what,
                               text, r, ranges[r].name);
        for (size_t j = 0; j < i; j++)
            if (strcmp (json_string_value (json_array_get (workdays, j)), text) == 0)
                return s_fail (err, err_size, "%s: %s: %s is listed twice", path, what, text);
    }
    return 0;
}

//  Merges a sound file. Plain days never override another file's explicit entries;
//  explicit entries must agree with them. 0 / -1.
static int
s_merge (broker_calendar_t *self, const char *path, int year, int lo, int hi,
         const s_range_t *ranges, int nranges, const json_t *workdays, char *err, size_t err_size)
{
    s_file_t *files = realloc (self->files, (size_t)(self->nfiles + 1) * sizeof (s_file_t));
    if (!files)
        return s_fail (err, err_size, "%s: out of memory", path);
    self->files = files;
    char *copy = strdup (path);
    if (!copy || s_grow (self, lo, hi)) {
        free (copy);
        return s_fail (err, err_size, "%s: out of memory", path);
    }
    unsigned short index = (unsigned short)self->nfiles;
    self->files[self->nfiles].year = year;
    self->files[self->nfiles].path = copy;
    self->nfiles++;
    for (int z = lo; z <= hi; z++) {
        s_day_t *rec = &self->days[z - self->first];
        if (rec->kind == S_UNPUBLISHED) {
            rec->kind = S_PLAIN;
            rec->file = index;
        }
    }
    for (int r = 0; r < nranges; r++)
        for (int z = ranges[r].from; z <= ranges[r].to; z++) {
            s_day_t *rec = &self->days[z - self->first];
            if (rec->kind == S_WORKDAY) {
                char day[16];
                broker_calendar_date_format (s_civil_from_days (z), day, sizeof day);
                return s_fail (err, err_size, "%s: holidays[%d] (%s): %s is a workday in %s", path,
                               r, ranges[r].name, day, self->files[rec->file].path);
            }
            rec->kind = S_HOLIDAY;
            rec->file = index;
        }
    size_t i;
    json_t *entry;
    json_array_foreach (workdays, i, entry) {
        //  Checked before, so these cannot fail.
        int day = 0, z = 0;
        s_parse (json_string_value (entry), &day);
        broker_calendar_date_to_days (day, &z);
        s_day_t *rec = &self->days[z - self->first];
        if (rec->kind == S_HOLIDAY)
            return s_fail (err, err_size, "%s: workdays[%zu]: %s is a holiday in %s", path, i,
                           json_string_value (entry), self->files[rec->file].path);
        rec->kind = S_WORKDAY;
        rec->file = index;
    }
    return 0;
}

//  Checks one year file and applies it to `self` (a staging copy). 0 / -1 with err set.
static int
s_load_file (broker_calendar_t *self, const char *path, char *err, size_t err_size)
{
    static const char *const keys[] = {"year",   "source",   "published", "note",
                                       "covers", "holidays", "workdays",  NULL};
    s_range_t ranges[S_MAX_ENTRIES];
    int nranges = 0, year = 0, lo = 0, hi = 0;
    json_error_t jerr;
    json_t *root = json_load_file (path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return s_fail (err, err_size, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    int rc = -1;
    if (!json_is_object (root))
        s_fail (err, err_size, "%s: must hold a JSON object", path);
    else if (s_check_keys (root, keys, path, "top level", err, err_size) == 0 &&
             s_load_header (self, root, path, &year, err, err_size) == 0 &&
             s_load_covers (root, path, year, &lo, &hi, err, err_size) == 0 &&
             s_load_holidays (json_object_get (root, "holidays"), path, lo, hi, ranges, &nranges,
                              err, err_size) == 0 &&
             s_check_workdays (json_object_get (root, "workdays"), path, lo, hi, ranges, nranges,
                               err, err_size) == 0)
        rc = s_merge (self, path, year, lo, hi, ranges, nranges, json_object_get (root, "workdays"),
                      err, err_size);
    json_decref (root);
    return rc;
}

static int
s_compare_names (const void *a, const void *b)
{
    return strcmp (*(char *const *)a, *(char *const *)b);
}

//  Loads every *.json in directory `path`, in name order.
static int
s_load_dir (broker_calendar_t *self, const char *path, char *err, size_t err_size)
{
    DIR *dir = opendir (path);
    if (!dir)
        return s_fail (err, err_size, "%s: cannot open directory: %s", path, strerror (errno));
    char **names = NULL;
    int nnames = 0, rc = -1;
    struct dirent *ent;
    while ((ent = readdir (dir))) {
        size_t len = strlen (ent->d_name);
        if (ent->d_name[0] == '.' || len <= 5 || strcmp (ent->d_name + len - 5, ".json") != 0)
            continue;
        if (nnames >= S_MAX_FILES) {
            s_fail (err, err_size, "%s: more than %d year files", path, S_MAX_FILES);
            goto done;
        }
        char **grown = realloc (names, (size_t)(nnames + 1) * sizeof (char *));
        if (!grown) {
            s_fail (err, err_size, "%s: out of memory", path);
            goto done;
        }
        names = grown;
        size_t size = strlen (path) + len + 2;
        names[nnames] = malloc (size);
        if (!names[nnames]) {
            s_fail (err, err_size, "%s: out of memory", path);
            goto done;
        }
        snprintf (names[nnames], size, "%s/%s", path, ent->d_name);
        nnames++;
    }
    if (nnames == 0) {
        s_fail (err, err_size, "%s: no *.json year files in this directory", path);
        goto done;
    }
    qsort (names, (size_t)nnames, sizeof (char *), s_compare_names);
    for (int i = 0; i < nnames; i++)
        if (s_load_file (self, names[i], err, err_size))
            goto done;
    rc = 0;
done:
    closedir (dir);
    for (int i = 0; i < nnames; i++)
        free (names[i]);
    free (names);
    return rc;
}

//  Loads `paths` into `stage` (a copy of self, or a fresh calendar), which then becomes
//  self's contents; either way stage is destroyed. 0 / -1 with err set (self unchanged).
static int
s_load_staged (broker_calendar_t *self, broker_calendar_t *stage, const char *const *paths,
               int count, char *err, size_t err_size)
{
    if (!stage)
        return s_fail (err, err_size, "calendar: out of memory");
    for (int i = 0; i < count; i++) {
        const char *path = paths[i];
        struct stat st;
        if (!path || !*path) {
            s_fail (err, err_size, "calendar: empty path");
            goto fail;
        }
        if (stat (path, &st) != 0) {
            s_fail (err, err_size, "%s: %s", path, strerror (errno));
            goto fail;
        }
        if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode)) {
            s_fail (err, err_size, "%s: neither a directory nor a regular file", path);
            goto fail;
        }
        int rc = S_ISDIR (st.st_mode) ? s_load_dir (stage, path, err, err_size)
                                      : s_load_file (stage, path, err, err_size);
        if (rc)
            goto fail;
    }
    //  Commit: the staging copy becomes the calendar.
    broker_calendar_t old = *self;
    *self = *stage;
    *stage = old;
    broker_calendar_destroy (&stage);
    return 0;
fail:
    broker_calendar_destroy (&stage);
    return -1;
}

int
broker_calendar_load_paths (broker_calendar_t *self, const char *const *paths, int count, char *err,
                            size_t err_size)
{
    if (err && err_size)
        err[0] = 0;
    if (!self || count < 0 || (count > 0 && !paths))
        return s_fail (err, err_size, "calendar: bad arguments");
    return s_load_staged (self, s_clone (self), paths, count, err, err_size);
}

int
broker_calendar_load (broker_calendar_t *self, const char *path, char *err, size_t err_size)
{
    return broker_calendar_load_paths (self, &path, 1, err, err_size);
}

int
broker_calendar_reload (broker_calendar_t *self, const char *path, char *err, size_t err_size)
{
    if (err && err_size)
        err[0] = 0;
    if (!self)
        return s_fail (err, err_size, "calendar: bad arguments");
    return s_load_staged (self, broker_calendar_new (), &path, 1, err, err_size);
}

//  ---------------------------------------------------------------------------------------
//  Reach

int
broker_calendar_reach (const broker_calendar_t *self, int today, int longest, int margin,
                       broker_calendar_reach_t *out)
{
    int today_z, end_z;
    if (!out || longest < 0 || margin < 0 || longest > S_MAX_COUNT || margin > S_MAX_COUNT ||
        broker_calendar_date_to_days (today, &today_z) != 0 ||
        s_walk (self, today_z, longest, NULL, 0, &end_z, NULL) != 0 ||
        end_z > s_max_days () - margin)
        return -1;
    *out = (broker_calendar_reach_t){0};
    broker_calendar_range (self, &out->published_from, &out->published_until);
    out->needed_until = s_civil_from_days (end_z + margin);
    //  The first unpublished day after today: in a gap between files, or after the last.
    int z = today_z + 1;
    while (z <= s_max_days () && s_kind (self, z) != S_UNPUBLISHED)
        z++;
    out->provisional_from = z <= s_max_days () ? s_civil_from_days (z) : 0;
    out->short_of_need = out->provisional_from && z <= end_z + margin;
    return 0;
}
