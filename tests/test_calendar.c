/*  test_calendar.c — broker_calendar: the published 2025 and 2026 calendars (etc/calendar),
    deadlines across Spring Festival and National Day, receipt on days off, the year
    boundary and provisional answers past the published data, pauses and extension,
    elapsed working days, date helpers, and every way a year file can be wrong.

    Expected dates were worked out by hand from the notices (comments show the count) and
    cross-checked with an independent script. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_calendar.h"
#include "broker_holidays.h"
#include "test_util.h"
#include "tests.h"

static broker_calendar_t *s_cal; //  etc/calendar, loaded once for the suite

static int
s_init (void)
{
    char err[256];
    s_cal = broker_calendar_new ();
    if (!s_cal || broker_calendar_load (s_cal, test_src ("etc/calendar"), err, sizeof err)) {
        fprintf (stderr, "calendar: %s\n", s_cal ? err : "out of memory");
        return -1;
    }
    return 0;
}

static int
s_clean (void)
{
    broker_calendar_destroy (&s_cal);
    return 0;
}

//  n-th working day after start on the real calendar; asserts success and provisional.
static int
s_add (int start, int n, bool want_provisional)
{
    int result = 0;
    bool provisional = !want_provisional;
    CU_ASSERT_EQUAL (broker_calendar_add_working_days (s_cal, start, n, &result, &provisional), 0);
    CU_ASSERT_EQUAL (provisional, want_provisional);
    return result;
}

static void
test_dates (void)
{
    int z = -1;
    CU_ASSERT_EQUAL (broker_calendar_date_to_days (19700101, &z), 0);
    CU_ASSERT_EQUAL (z, 0);
    CU_ASSERT_EQUAL (broker_calendar_date_to_days (20000301, &z), 0);
    CU_ASSERT_EQUAL (z, 11017);
    CU_ASSERT_EQUAL (broker_calendar_date_from_days (11017), 20000301);
    CU_ASSERT_EQUAL (broker_calendar_date_from_days (-1), 19691231);
    CU_ASSERT_EQUAL (broker_calendar_date_to_days (20250230, &z), -1);
    CU_ASSERT_EQUAL (broker_calendar_date_to_days (20250124, NULL), -1);

    //  Leap years: every 4, not every 100, every 400.
    CU_ASSERT_TRUE (broker_calendar_date_valid (20240229));
    CU_ASSERT_TRUE (broker_calendar_date_valid (20000229));
    CU_ASSERT_FALSE (broker_calendar_date_valid (20250229));
    CU_ASSERT_FALSE (broker_calendar_date_valid (19000229));
    CU_ASSERT_FALSE (broker_calendar_date_valid (20250431));
    CU_ASSERT_FALSE (broker_calendar_date_valid (20251301));
    CU_ASSERT_FALSE (broker_calendar_date_valid (20250100));
    CU_ASSERT_FALSE (broker_calendar_date_valid (0));
    CU_ASSERT_FALSE (broker_calendar_date_valid (-20250101));
    CU_ASSERT_FALSE (broker_calendar_date_valid (9991231));
    CU_ASSERT_TRUE (broker_calendar_date_valid (99991231));
    CU_ASSERT_FALSE (broker_calendar_date_valid (100000101));

    //  ISO weekdays: 2025-01-24 Friday, 2025-01-26 Sunday, 1970-01-01 Thursday.
    CU_ASSERT_EQUAL (broker_calendar_date_weekday (20250124), 5);
    CU_ASSERT_EQUAL (broker_calendar_date_weekday (20250126), 7);
    CU_ASSERT_EQUAL (broker_calendar_date_weekday (20250127), 1);
    CU_ASSERT_EQUAL (broker_calendar_date_weekday (19700101), 4);
    CU_ASSERT_EQUAL (broker_calendar_date_weekday (20260101), 4);
    CU_ASSERT_EQUAL (broker_calendar_date_weekday (20250229), -1);

    CU_ASSERT_EQUAL (broker_calendar_date_add (20241231, 1), 20250101);
    CU_ASSERT_EQUAL (broker_calendar_date_add (20240301, -1), 20240229);
    CU_ASSERT_EQUAL (broker_calendar_date_add (20250101, 365), 20260101);
    CU_ASSERT_EQUAL (broker_calendar_date_add (99991231, 1), 0);
    CU_ASSERT_EQUAL (broker_calendar_date_add (20250101, 2000000000), 0);
    CU_ASSERT_EQUAL (broker_calendar_date_add (20250230, 1), 0);

    //  Round trip over four centuries and a bit: every day converts back to itself, and
    //  consecutive days are consecutive dates.
    int start = 0, end = 0;
    CU_ASSERT_EQUAL (broker_calendar_date_to_days (18991225, &start), 0);
    CU_ASSERT_EQUAL (broker_calendar_date_to_days (23000105, &end), 0);
    int previous = 18991224, bad = 0;
    for (int day = start; day <= end; day++) {
        int date = broker_calendar_date_from_days (day), back = -1;
        if (!broker_calendar_date_valid (date) || broker_calendar_date_to_days (date, &back) ||
            back != day || date <= previous || broker_calendar_date_add (previous, 1) != date)
            bad++;
        previous = date;
    }
    CU_ASSERT_EQUAL (bad, 0);

    int date = 0;
    CU_ASSERT_EQUAL (broker_calendar_date_parse ("2025-01-24", &date), 0);
    CU_ASSERT_EQUAL (date, 20250124);
    CU_ASSERT_EQUAL (broker_calendar_date_parse ("2025-02-30", &date), -1);
    CU_ASSERT_EQUAL (broker_calendar_date_parse ("2025-1-24", &date), -1);
    CU_ASSERT_EQUAL (broker_calendar_date_parse ("2025-01-24 ", &date), -1);
    CU_ASSERT_EQUAL (broker_calendar_date_parse ("2025/01/24", &date), -1);
    CU_ASSERT_EQUAL (broker_calendar_date_parse ("+025-01-24", &date), -1);
    CU_ASSERT_EQUAL (broker_calendar_date_parse ("", &date), -1);
    CU_ASSERT_EQUAL (broker_calendar_date_parse (NULL, &date), -1);
    CU_ASSERT_EQUAL (broker_calendar_date_parse ("2025-01-24", NULL), -1);
    CU_ASSERT_EQUAL (date, 20250124);

    char text[11];
    CU_ASSERT_EQUAL (broker_calendar_date_format (20250124, text, sizeof text), 0);
    CU_ASSERT_STRING_EQUAL (text, "2025-01-24");
    CU_ASSERT_EQUAL (broker_calendar_date_format (20250230, text, sizeof text), -1);
    CU_ASSERT_STRING_EQUAL (text, "");
    CU_ASSERT_EQUAL (broker_calendar_date_format (20250124, text, 10), -1);
    CU_ASSERT_EQUAL (broker_calendar_date_format (20250124, NULL, 0), -1);
}

static void
test_published_data (void)
{
    int first = 0, last = 0;
    CU_ASSERT_EQUAL (broker_calendar_range (s_cal, &first, &last), 0);
    CU_ASSERT_EQUAL (first, 20250101);
    CU_ASSERT_EQUAL (last, 20261231);
    CU_ASSERT_TRUE (broker_calendar_published (s_cal, 20250101));
    CU_ASSERT_TRUE (broker_calendar_published (s_cal, 20261231));
    CU_ASSERT_FALSE (broker_calendar_published (s_cal, 20241231));
    CU_ASSERT_FALSE (broker_calendar_published (s_cal, 20270101));
    CU_ASSERT_FALSE (broker_calendar_published (s_cal, 20250230));

    //  2025 (国办发明电〔2024〕12号).
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20250101), BROKER_DAY_HOLIDAY);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20250126), BROKER_DAY_ADJUSTED);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20250127), BROKER_DAY_WEEKDAY);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20250201), BROKER_DAY_HOLIDAY);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20250208), BROKER_DAY_ADJUSTED);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20250209), BROKER_DAY_WEEKEND);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20250230), -1);
    int working[] = {20250102, 20250126, 20250127, 20250205, 20250208, 20250427,
                     20250506, 20250603, 20250928, 20250930, 20251009, 20251011};
    int off[] = {20250101, 20250125, 20250128, 20250204, 20250209, 20250404, 20250406,
                 20250501, 20250505, 20250531, 20250602, 20251001, 20251008, 20251012};
    for (size_t i = 0; i < sizeof working / sizeof working[0]; i++)
        CU_ASSERT_TRUE (broker_calendar_is_working_day (s_cal, working[i]));
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
        CU_ASSERT_FALSE (broker_calendar_is_working_day (s_cal, off[i]));

    //  2026 (notice of 2025-11-04).
    int working26[] = {20260104, 20260213, 20260214, 20260224, 20260228, 20260407,
                       20260509, 20260622, 20260920, 20260928, 20261008, 20261010};
    int off26[] = {20260101, 20260103, 20260215, 20260223, 20260404, 20260406, 20260501,
                   20260505, 20260619, 20260621, 20260925, 20260927, 20261001, 20261007};
    for (size_t i = 0; i < sizeof working26 / sizeof working26[0]; i++)
        CU_ASSERT_TRUE (broker_calendar_is_working_day (s_cal, working26[i]));
    for (size_t i = 0; i < sizeof off26 / sizeof off26[0]; i++)
        CU_ASSERT_FALSE (broker_calendar_is_working_day (s_cal, off26[i]));

    //  Outside the published years: the weekday rule less the days off by law (元旦, Fri
    //  2027-01-01, is off; Thu 2027-01-07 and Tue 2024-12-31 work).
    CU_ASSERT_FALSE (broker_calendar_is_working_day (s_cal, 20270101));
    CU_ASSERT_FALSE (broker_calendar_is_working_day (s_cal, 20270102));
    CU_ASSERT_TRUE (broker_calendar_is_working_day (s_cal, 20270107));
    CU_ASSERT_TRUE (broker_calendar_is_working_day (s_cal, 20241231));
    CU_ASSERT_FALSE (broker_calendar_is_working_day (s_cal, 20250230));

    //  Whole years: 261 weekdays; 2025 loses 18 to holidays and gains 5 adjusted days,
    //  2026 loses 19 and gains 6. Both come to 248.
    bool provisional = true;
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20241231, 20251231, &provisional),
                     248);
    CU_ASSERT_FALSE (provisional);
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20251231, 20261231, &provisional),
                     248);
    CU_ASSERT_FALSE (provisional);
}

//  Receipt on Friday 2025-01-24, just before Spring Festival (holidays Tue 01-28 to Tue
//  02-04; Sun 01-26 and Sat 02-08 work). The day of receipt does not count:
//     1 Sun 01-26 (adjusted)   2 Mon 01-27          [01-28 .. 02-04 off]
//     3 Wed 02-05   4 Thu 02-06   5 Fri 02-07   6 Sat 02-08 (adjusted)
//     7 Mon 02-10   8 Tue 02-11   9 Wed 02-12  10 Thu 02-13  11 Fri 02-14
//    12 Mon 02-17  13 Tue 02-18  14 Wed 02-19  15 Thu 02-20  16 Fri 02-21
//    17 Mon 02-24  18 Tue 02-25  19 Wed 02-26  20 Thu 02-27
//  so the 20-working-day decision limit (Art. 42) ends on Thursday 2025-02-27.
static void
test_spring_festival_2025 (void)
{
    int expected[] = {20250126, 20250127, 20250205, 20250206, 20250207, 20250208, 20250210,
                      20250211, 20250212, 20250213, 20250214, 20250217, 20250218, 20250219,
                      20250220, 20250221, 20250224, 20250225, 20250226, 20250227};
    for (int n = 1; n <= 20; n++)
        CU_ASSERT_EQUAL (s_add (20250124, n, false), expected[n - 1]);
    CU_ASSERT_EQUAL (s_add (20250124, 20, false), 20250227);
    //  The same day counted back: 20 working days have elapsed by the end of 02-27, 19 by
    //  the end of 02-26, and none during the holiday.
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20250124, 20250227, NULL), 20);
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20250124, 20250226, NULL), 19);
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20250127, 20250204, NULL), 0);
}

//  Receipt on Friday 2025-09-26, before National Day and Mid-Autumn (Oct 1-8 off; Sun
//  09-28 and Sat 10-11 work):
//     1 Sun 09-28 (adjusted)   2 Mon 09-29   3 Tue 09-30     [10-01 .. 10-08 off]
//     4 Thu 10-09   5 Fri 10-10   6 Sat 10-11 (adjusted)
//     7 Mon 10-13 ..  11 Fri 10-17,  12 Mon 10-20 .. 16 Fri 10-24,
//    17 Mon 10-27  18 Tue 10-28  19 Wed 10-29  20 Thu 10-30
static void
test_national_day_2025 (void)
{
    CU_ASSERT_EQUAL (s_add (20250926, 1, false), 20250928);
    CU_ASSERT_EQUAL (s_add (20250926, 3, false), 20250930);
    CU_ASSERT_EQUAL (s_add (20250926, 4, false), 20251009);
    CU_ASSERT_EQUAL (s_add (20250926, 6, false), 20251011);
    CU_ASSERT_EQUAL (s_add (20250926, 7, false), 20251013);
    CU_ASSERT_EQUAL (s_add (20250926, 20, false), 20251030);
}

static void
test_receipt_on_day_off (void)
{
    //  Receipt on a holiday, Fri 2025-10-03: day 1 is Thu 10-09, day 3 the adjusted
    //  Sat 10-11; then 5 a week: 10-17 is day 8, 10-24 day 13, 10-31 day 18, so day 20 is
    //  Tue 11-04.
    CU_ASSERT_EQUAL (s_add (20251003, 1, false), 20251009);
    CU_ASSERT_EQUAL (s_add (20251003, 3, false), 20251011);
    CU_ASSERT_EQUAL (s_add (20251003, 20, false), 20251104);
    //  Receipt on an ordinary Saturday, 2025-03-08: day 1 Mon 03-10, day 5 Fri 03-14.
    CU_ASSERT_EQUAL (s_add (20250308, 1, false), 20250310);
    CU_ASSERT_EQUAL (s_add (20250308, 5, false), 20250314);
    //  Receipt on Saturday 2025-01-25, the day before an adjusted Sunday: day 1 is 01-26.
    CU_ASSERT_EQUAL (s_add (20250125, 1, false), 20250126);
    //  Receipt on an adjusted working day (Sat 2025-02-08) does not count it either.
    CU_ASSERT_EQUAL (s_add (20250208, 1, false), 20250210);

    //  n = 0 is the start day itself, whatever it is.
    CU_ASSERT_EQUAL (s_add (20251003, 0, false), 20251003);
    CU_ASSERT_EQUAL (s_add (20250124, 0, false), 20250124);
    CU_ASSERT_EQUAL (s_add (20270102, 0, false), 20270102);
}

static void
test_year_boundary (void)
{
    //  Wed 2025-12-24: 12-25, 12-26, 12-29, 12-30, 12-31 are days 1-5; 2026-01-01..03 off;
    //  Sun 01-04 works (day 6); Mon 01-05 .. Thu 01-08 are days 7-10.
    CU_ASSERT_EQUAL (s_add (20251224, 5, false), 20251231);
    CU_ASSERT_EQUAL (s_add (20251224, 6, false), 20260104);
    CU_ASSERT_EQUAL (s_add (20251224, 10, false), 20260108);
    //  2026 Spring Festival: Fri 02-13 -> Sat 02-14 works (1), 02-15..23 off,
    //  02-24..27 (2-5), Sat 02-28 works (6), Mon 03-02 (7).
    CU_ASSERT_EQUAL (s_add (20260213, 1, false), 20260214);
    CU_ASSERT_EQUAL (s_add (20260213, 2, false), 20260224);
    CU_ASSERT_EQUAL (s_add (20260213, 6, false), 20260228);
    CU_ASSERT_EQUAL (s_add (20260213, 7, false), 20260302);

    //  Past the last published day: Thu 2026-12-24 + 5 = Thu 12-31, still published;
    //  + 6 walks into 2027 and is provisional, and 元旦 (Fri 01-01) is off by law.
    CU_ASSERT_EQUAL (s_add (20261224, 5, false), 20261231);
    CU_ASSERT_EQUAL (s_add (20261224, 6, true), 20270104);
    //  01-04..08 (5), 11-15 (10), 18-22 (15), 25-29 (20).
    CU_ASSERT_EQUAL (s_add (20261231, 20, true), 20270129);
    //  Starting before the published range only matters if a walked day is unpublished;
    //  the start day itself is never walked.
    CU_ASSERT_EQUAL (s_add (20241231, 1, false), 20250102);
    CU_ASSERT_EQUAL (s_add (20241230, 1, true), 20241231);

    //  (12-30, 01-05]: Thu 12-31, then (元旦 off) Mon 01-04, Tue 01-05.
    bool provisional = false;
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20261230, 20270105, &provisional),
                     3);
    CU_ASSERT_TRUE (provisional);

    //  An empty calendar answers everything by the rule for unpublished days, provisional:
    //  Fri 2025-01-24 + 2 is Mon 01-27 (1), then 除夕 to 初三 (01-28..31) off, Mon 02-03 (2).
    broker_calendar_t *empty = broker_calendar_new ();
    CU_ASSERT_FATAL (empty != NULL);
    int result = 0;
    provisional = false;
    CU_ASSERT_EQUAL (broker_calendar_add_working_days (empty, 20250124, 2, &result, &provisional),
                     0);
    CU_ASSERT_EQUAL (result, 20250203);
    CU_ASSERT_TRUE (provisional);
    CU_ASSERT_EQUAL (broker_calendar_range (empty, NULL, NULL), -1);
    CU_ASSERT_FALSE (broker_calendar_published (empty, 20250101));
    broker_calendar_destroy (&empty);
    CU_ASSERT_PTR_NULL (empty);
    broker_calendar_destroy (&empty);
    broker_calendar_destroy (NULL);
}

static void
test_pauses_and_extension (void)
{
    int deadline = 0, base = 0;
    bool provisional = true;
    //  Accepted Mon 2025-03-03, no pause: 4 + 5 + 5 + 5 working days to Fri 03-28, then
    //  Mon 03-31 is day 20.
    CU_ASSERT_EQUAL (
        broker_calendar_deadline (s_cal, 20250303, 20, 0, NULL, 0, &base, &provisional), 0);
    CU_ASSERT_EQUAL (base, 20250331);
    CU_ASSERT_FALSE (provisional);

    //  Supplement (补正) notice Mon 03-10, documents back Fri 03-14: the pause is
    //  [03-10, 03-17): five working days paused, so the deadline moves by exactly five
    //  working days: 04-01, 04-02, 04-03, (04-04..06 清明), 04-07, 04-08.
    broker_calendar_pause_t week = {20250310, 20250317};
    CU_ASSERT_EQUAL (
        broker_calendar_deadline (s_cal, 20250303, 20, 0, &week, 1, &deadline, &provisional), 0);
    CU_ASSERT_EQUAL (deadline, 20250408);
    CU_ASSERT_EQUAL (deadline, s_add (base, 5, false));
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, base, deadline, NULL), 5);

    //  A pause over a weekend moves nothing; a one-day pause on a working day moves
    //  one working day (a day paused for any part does not count).
    broker_calendar_pause_t weekend = {20250308, 20250310};
    CU_ASSERT_EQUAL (
        broker_calendar_deadline (s_cal, 20250303, 20, 0, &weekend, 1, &deadline, NULL), 0);
    CU_ASSERT_EQUAL (deadline, base);
    broker_calendar_pause_t one = {20250312, 20250313};
    CU_ASSERT_EQUAL (broker_calendar_deadline (s_cal, 20250303, 20, 0, &one, 1, &deadline, NULL),
                     0);
    CU_ASSERT_EQUAL (deadline, 20250401);

    //  A pause after the deadline, or before the start, changes nothing.
    broker_calendar_pause_t later[] = {{20250401, 20250408}, {20250201, 20250303}};
    CU_ASSERT_EQUAL (broker_calendar_deadline (s_cal, 20250303, 20, 0, later, 2, &deadline, NULL),
                     0);
    CU_ASSERT_EQUAL (deadline, base);

    //  Overlapping pauses, in any order, count their union once: [03-10, 03-17) and
    //  [03-12, 03-19) pause 03-10..03-18, seven working days: 03-31 + 7 = 04-10.
    broker_calendar_pause_t overlap[] = {{20250312, 20250319}, {20250310, 20250317}};
    CU_ASSERT_EQUAL (broker_calendar_deadline (s_cal, 20250303, 20, 0, overlap, 2, &deadline, NULL),
                     0);
    CU_ASSERT_EQUAL (deadline, s_add (base, 7, false));
    CU_ASSERT_EQUAL (deadline, 20250410);

    //  Extension by 10 (Art. 42): from Fri 2025-01-24, day 20 is Thu 02-27; then Fri
    //  02-28 (21), 03-03..03-07 (22-26), 03-10..03-13 (27-30): Thu 2025-03-13.
    CU_ASSERT_EQUAL (
        broker_calendar_deadline (s_cal, 20250124, 20, 10, NULL, 0, &deadline, &provisional), 0);
    CU_ASSERT_EQUAL (deadline, 20250313);
    CU_ASSERT_FALSE (provisional);
    CU_ASSERT_EQUAL (s_add (20250124, 30, false), 20250313);
    //  Extension and pause together: 03-03 + 30 = 04-15 without the pause; with the
    //  five-day pause, five more working days: 04-22.
    CU_ASSERT_EQUAL (broker_calendar_deadline (s_cal, 20250303, 20, 10, &week, 1, &deadline, NULL),
                     0);
    CU_ASSERT_EQUAL (deadline, 20250422);
    CU_ASSERT_EQUAL (deadline, s_add (s_add (20250303, 30, false), 5, false));

    //  Elapsed on the paused clock: by the end of 03-31, 20 working days minus 5 paused.
    CU_ASSERT_EQUAL (broker_calendar_elapsed (s_cal, 20250303, 20250331, &week, 1, NULL), 15);
    CU_ASSERT_EQUAL (broker_calendar_elapsed (s_cal, 20250303, 20250408, &week, 1, NULL), 20);
    CU_ASSERT_EQUAL (broker_calendar_elapsed (s_cal, 20250303, 20250407, &week, 1, NULL), 19);
    //  Still paused today (03-12): close the pause at tomorrow. Days 03-04..03-07 ran.
    broker_calendar_pause_t open = {20250310, 20250313};
    CU_ASSERT_EQUAL (broker_calendar_elapsed (s_cal, 20250303, 20250312, &open, 1, NULL), 4);

    //  Property: for every start in 2025 and a few pauses, the deadline is the first day on
    //  which the paused clock has used the whole limit.
    int start_z = 0, bad = 0;
    broker_calendar_date_to_days (20250101, &start_z);
    broker_calendar_pause_t mix[] = {{20250415, 20250422}, {20250929, 20251015}};
    for (int z = start_z; z < start_z + 365; z++) {
        int start = broker_calendar_date_from_days (z);
        if (broker_calendar_deadline (s_cal, start, 20, 0, mix, 2, &deadline, NULL) != 0 ||
            broker_calendar_elapsed (s_cal, start, deadline, mix, 2, NULL) != 20 ||
            broker_calendar_elapsed (s_cal, start, broker_calendar_date_add (deadline, -1), mix, 2,
                                     NULL) != 19)
            bad++;
    }
    CU_ASSERT_EQUAL (bad, 0);
}

static void
test_between (void)
{
    bool provisional = true;
    //  Across National Day: (09-26, 10-11] holds 09-28, 09-29, 09-30, 10-09, 10-10, 10-11.
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20250926, 20251011, &provisional),
                     6);
    CU_ASSERT_FALSE (provisional);
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20250930, 20251010, NULL), 2);
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20250930, 20251008, NULL), 0);
    //  Across 2025 Spring Festival, and 2026 Spring Festival (02-14, 02-24..27, 02-28).
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20250124, 20250208, NULL), 6);
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20260213, 20260228, NULL), 6);
    //  Empty and reversed intervals.
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20250124, 20250124, NULL), 0);
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20250227, 20250124, NULL), 0);
    //  Consistency with add_working_days across both years (248 + 248 working days).
    int bad = 0;
    for (int n = 0; n <= 496; n += 7)
        if (broker_calendar_working_days_between (s_cal, 20250101, s_add (20250101, n, false),
                                                  NULL) != n)
            bad++;
    CU_ASSERT_EQUAL (bad, 0);
}

static void
test_bad_arguments (void)
{
    int result = 12345;
    bool provisional = false;
    CU_ASSERT_EQUAL (broker_calendar_add_working_days (s_cal, 20250230, 1, &result, NULL), -1);
    CU_ASSERT_EQUAL (broker_calendar_add_working_days (s_cal, 20250124, -1, &result, NULL), -1);
    CU_ASSERT_EQUAL (broker_calendar_add_working_days (s_cal, 20250124, 1, NULL, NULL), -1);
    CU_ASSERT_EQUAL (broker_calendar_add_working_days (s_cal, 99991230, 5, &result, NULL), -1);
    CU_ASSERT_EQUAL (broker_calendar_add_working_days (s_cal, 20250124, 2000000000, &result, NULL),
                     -1);
    CU_ASSERT_EQUAL (result, 12345);
    //  A NULL calendar is the empty calendar.
    CU_ASSERT_EQUAL (broker_calendar_add_working_days (NULL, 20250124, 1, &result, &provisional),
                     0);
    CU_ASSERT_EQUAL (result, 20250127);
    CU_ASSERT_TRUE (provisional);
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 0, 20250101, NULL), -1);
    CU_ASSERT_EQUAL (broker_calendar_working_days_between (s_cal, 20250101, 20251301, NULL), -1);

    broker_calendar_pause_t reversed = {20250317, 20250310};
    broker_calendar_pause_t empty = {20250310, 20250310};
    broker_calendar_pause_t invalid = {20250310, 20250230};
    CU_ASSERT_EQUAL (broker_calendar_deadline (s_cal, 20250303, 20, 0, &reversed, 1, &result, NULL),
                     -1);
    CU_ASSERT_EQUAL (broker_calendar_deadline (s_cal, 20250303, 20, 0, &empty, 1, &result, NULL),
                     -1);
    CU_ASSERT_EQUAL (broker_calendar_deadline (s_cal, 20250303, 20, 0, &invalid, 1, &result, NULL),
                     -1);
    CU_ASSERT_EQUAL (broker_calendar_deadline (s_cal, 20250303, 20, 0, NULL, 1, &result, NULL), -1);
    CU_ASSERT_EQUAL (broker_calendar_deadline (s_cal, 20250303, 20, 0, &empty, -1, &result, NULL),
                     -1);
    CU_ASSERT_EQUAL (broker_calendar_deadline (s_cal, 20250303, 20, -1, NULL, 0, &result, NULL),
                     -1);
    CU_ASSERT_EQUAL (
        broker_calendar_deadline (s_cal, 20250303, 2000000000, 2000000000, NULL, 0, &result, NULL),
        -1);
    CU_ASSERT_EQUAL (broker_calendar_elapsed (s_cal, 20250303, 20250331, &reversed, 1, NULL), -1);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (NULL, 20250101), BROKER_DAY_STATUTORY);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (NULL, 20250102), BROKER_DAY_WEEKDAY);

    char err[256];
    CU_ASSERT_EQUAL (broker_calendar_load (NULL, "etc/calendar", err, sizeof err), -1);
    CU_ASSERT_EQUAL (broker_calendar_load (s_cal, NULL, err, sizeof err), -1);
    CU_ASSERT_EQUAL (broker_calendar_load (s_cal, "", NULL, 0), -1);
    CU_ASSERT_EQUAL (broker_calendar_load_paths (s_cal, NULL, 2, err, sizeof err), -1);
    CU_ASSERT_EQUAL (broker_calendar_load_paths (s_cal, NULL, 0, err, sizeof err), 0);
}

//  Writes `files` (name, text pairs, NULL-terminated) into a fresh directory and loads it
//  into a fresh calendar. Returns the load's result; the message goes to err.
static int
s_load_texts (const char *const *files, char *err, size_t err_size)
{
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    for (int i = 0; files[i]; i += 2) {
        char path[600];
        snprintf (path, sizeof path, "%s/%s", dir, files[i]);
        CU_ASSERT_EQUAL (test_write_file (path, files[i + 1]), 0);
    }
    broker_calendar_t *cal = broker_calendar_new ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (cal);
    err[0] = 0;
    int rc = broker_calendar_load (cal, dir, err, err_size);
    broker_calendar_destroy (&cal);
    test_rmtree (dir);
    free (dir);
    return rc;
}

//  Loads one file `name` with `text`; expects an error mentioning every NULL-terminated
//  fragment of `want`.
static void
s_expect_error (const char *name, const char *text, const char *want1, const char *want2)
{
    const char *files[] = {name, text, NULL};
    char err[512];
    CU_ASSERT_EQUAL (s_load_texts (files, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, name));
    if (want1 && !strstr (err, want1))
        fprintf (stderr, "\n  error \"%s\" lacks \"%s\"\n", err, want1);
    CU_ASSERT_TRUE (!want1 || strstr (err, want1));
    if (want2 && !strstr (err, want2))
        fprintf (stderr, "\n  error \"%s\" lacks \"%s\"\n", err, want2);
    CU_ASSERT_TRUE (!want2 || strstr (err, want2));
}

#define S_HEAD "{\"year\": 2025, \"source\": \"test\", "

static void
test_load_errors (void)
{
    //  The good minimum loads.
    const char *good[] = {"2025.json", S_HEAD "\"holidays\": [], \"workdays\": []}", NULL};
    char err[512];
    CU_ASSERT_EQUAL (s_load_texts (good, err, sizeof err), 0);

    s_expect_error ("2025.json",
                    S_HEAD "\"holidays\": [{\"name\": \"春节\", \"from\": \"2025-01-28\", "
                           "\"to\": \"2025-02-30\"}], \"workdays\": []}",
                    "holidays[0] (春节) \"to\"", "\"2025-02-30\" is not a real date");
    s_expect_error ("2025.json", S_HEAD "\"holidays\": [], \"workdays\": [\"2025-02-30\"]}",
                    "workdays[0]", "not a real date");
    s_expect_error ("2025.json", S_HEAD "\"holidays\": [], \"workdays\": [\"2025-2-8\"]}",
                    "workdays[0]", "YYYY-MM-DD");
    s_expect_error ("2025.json", S_HEAD "\"holidays\": [], \"workdays\": [20250208]}",
                    "workdays[0]", "string");
    //  Outside its year.
    s_expect_error ("2025.json",
                    S_HEAD "\"holidays\": [{\"name\": \"元旦\", \"from\": \"2024-12-31\", "
                           "\"to\": \"2025-01-01\"}], \"workdays\": []}",
                    "holidays[0] (元旦) \"from\"", "outside");
    s_expect_error ("2025.json", S_HEAD "\"holidays\": [], \"workdays\": [\"2026-01-04\"]}",
                    "workdays[0]", "outside");
    //  Both holiday and workday (2025-02-01 is a Saturday inside 春节).
    s_expect_error ("2025.json",
                    S_HEAD "\"holidays\": [{\"name\": \"春节\", \"from\": \"2025-01-28\", "
                           "\"to\": \"2025-02-04\"}], \"workdays\": [\"2025-02-01\"]}",
                    "workdays[0]", "holidays[0] (春节)");
    //  Ranges out of order, overlapping, too long; a weekday as adjusted workday.
    s_expect_error ("2025.json",
                    S_HEAD "\"holidays\": [{\"name\": \"春节\", \"from\": \"2025-02-04\", "
                           "\"to\": \"2025-01-28\"}], \"workdays\": []}",
                    "holidays[0] (春节)", "before");
    s_expect_error ("2025.json",
                    S_HEAD "\"holidays\": [{\"name\": \"A\", \"from\": \"2025-05-01\", \"to\": "
                           "\"2025-05-05\"}, {\"name\": \"B\", \"from\": \"2025-05-05\", "
                           "\"to\": \"2025-05-06\"}], \"workdays\": []}",
                    "holidays[1] (B)", "overlaps holidays[0] (A)");
    s_expect_error ("2025.json",
                    S_HEAD "\"holidays\": [{\"name\": \"春节\", \"from\": \"2025-01-28\", "
                           "\"to\": \"2025-12-04\"}], \"workdays\": []}",
                    "holidays[0] (春节)", "typo");
    s_expect_error ("2025.json", S_HEAD "\"holidays\": [], \"workdays\": [\"2025-01-27\"]}",
                    "workdays[0]", "weekday");
    s_expect_error ("2025.json",
                    S_HEAD "\"holidays\": [], \"workdays\": [\"2025-01-26\", \"2025-01-26\"]}",
                    "workdays[1]", "twice");
    //  Malformed JSON: the message carries line and column.
    s_expect_error ("2025.json", "{\"year\": 2025, \"holidays\": [,]}", "2025.json:1:", NULL);
    s_expect_error ("2025.json", "", NULL, NULL);
    s_expect_error ("2025.json", "[2025]", "object", NULL);
    s_expect_error ("2025.json", S_HEAD "\"holidays\": [], \"workdays\": [], \"year\": 2025}",
                    "duplicate", NULL);
    //  Missing or wrong keys.
    s_expect_error ("2025.json", S_HEAD "\"holiday\": [], \"workdays\": []}",
                    "unknown key \"holiday\"", NULL);
    s_expect_error ("2025.json", S_HEAD "\"workdays\": []}", "\"holidays\"", NULL);
    s_expect_error ("2025.json", S_HEAD "\"holidays\": []}", "\"workdays\"", NULL);
    s_expect_error ("2025.json", "{\"year\": 2025, \"holidays\": [], \"workdays\": []}",
                    "\"source\"", NULL);
    s_expect_error ("2025.json",
                    "{\"year\": \"2025\", \"source\": \"x\", \"holidays\": [], "
                    "\"workdays\": []}",
                    "\"year\"", NULL);
    s_expect_error ("2025.json",
                    S_HEAD "\"holidays\": [{\"from\": \"2025-01-01\", \"to\": \"2025-01-01\"}], "
                           "\"workdays\": []}",
                    "holidays[0]", "\"name\"");
    s_expect_error ("2025.json",
                    S_HEAD "\"holidays\": [{\"name\": \"元旦\", \"from\": \"2025-01-01\", "
                           "\"to\": \"2025-01-01\", \"extra\": 1}], \"workdays\": []}",
                    "holidays[0] (元旦)", "unknown key \"extra\"");
    s_expect_error ("2025.json", S_HEAD "\"holidays\": [\"2025-01-01\"], \"workdays\": []}",
                    "holidays[0]", "object");
    s_expect_error ("2025.json",
                    S_HEAD "\"published\": \"2024-11-31\", \"holidays\": [], "
                           "\"workdays\": []}",
                    "\"published\"", "not a real date");
    //  A file named for another year.
    s_expect_error ("2026.json", S_HEAD "\"holidays\": [], \"workdays\": []}", "named for 2026",
                    NULL);
}

//  Errors that involve more than one file, the covered days, and the path itself.
static void
test_load_errors_across_files (void)
{
    char err[512];
    //  Two files for one year; a holiday in one file that another makes a workday.
    const char *twice[] = {"2025.json", S_HEAD "\"holidays\": [], \"workdays\": []}", "2025b.json",
                           S_HEAD "\"holidays\": [], \"workdays\": []}", NULL};
    CU_ASSERT_EQUAL (s_load_texts (twice, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "2025b.json: year 2025 is already loaded from"));
    const char *clash[] = {
        "2018.json",
        "{\"year\": 2018, \"source\": \"t\", \"holidays\": [{\"name\": \"元旦\", "
        "\"from\": \"2018-12-29\", \"to\": \"2018-12-31\"}], \"workdays\": []}",
        "2019.json",
        "{\"year\": 2019, \"source\": \"t\", \"covers\": {\"from\": \"2018-12-29\", \"to\": "
        "\"2019-12-31\"}, \"holidays\": [], \"workdays\": [\"2018-12-29\"]}",
        NULL};
    CU_ASSERT_EQUAL (s_load_texts (clash, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "2019.json: workdays[0]: 2018-12-29 is a holiday in"));
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "2018.json"));
    //  "covers" may not reach further than a month, nor leave out part of the year.
    s_expect_error ("2025.json",
                    S_HEAD "\"covers\": {\"from\": \"2024-11-01\", \"to\": \"2025-12-31\"}, "
                           "\"holidays\": [], \"workdays\": []}",
                    "\"covers\" \"from\"", "outside");
    s_expect_error ("2025.json",
                    S_HEAD "\"covers\": {\"from\": \"2025-01-01\", \"to\": \"2025-12-30\"}, "
                           "\"holidays\": [], \"workdays\": []}",
                    "\"covers\" \"to\"", "outside");

    //  Missing directory, missing file, empty directory, a directory with no *.json.
    broker_calendar_t *cal = broker_calendar_new ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (cal);
    CU_ASSERT_EQUAL (broker_calendar_load (cal, "/nonexistent/calendar", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "/nonexistent/calendar"));
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "No such file"));
    CU_ASSERT_EQUAL (broker_calendar_load (cal, "/nonexistent/2025.json", NULL, 0), -1);
    CU_ASSERT_EQUAL (broker_calendar_load (cal, "/dev/null", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "/dev/null: neither"));
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    CU_ASSERT_EQUAL (broker_calendar_load (cal, dir, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "no *.json"));
    test_rmtree (dir);
    free (dir);
    CU_ASSERT_EQUAL (broker_calendar_range (cal, NULL, NULL), -1);
    broker_calendar_destroy (&cal);
}

static void
test_load_atomic (void)
{
    //  A failed load leaves the calendar as it was; a good one adds to it.
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    char good[600], bad[600];
    snprintf (good, sizeof good, "%s/2027.json", dir);
    snprintf (bad, sizeof bad, "%s/2028.json", dir);
    CU_ASSERT_EQUAL (test_write_file (good, "{\"year\": 2027, \"source\": \"t\", \"holidays\": "
                                            "[{\"name\": \"元旦\", \"from\": \"2027-01-01\", "
                                            "\"to\": \"2027-01-03\"}], \"workdays\": []}"),
                     0);
    CU_ASSERT_EQUAL (test_write_file (bad, "{\"year\": 2028, \"source\": \"t\", \"holidays\": "
                                           "[], \"workdays\": [\"2028-02-30\"]}"),
                     0);

    broker_calendar_t *cal = broker_calendar_new ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (cal);
    char err[512];
    const char *paths[] = {test_src ("etc/calendar/2025.json"), NULL, NULL};
    CU_ASSERT_EQUAL (broker_calendar_load_paths (cal, paths, 1, err, sizeof err), 0);
    CU_ASSERT_EQUAL (err[0], 0);
    //  The good 2027 file and the bad 2028 file together: nothing of 2027 is kept.
    paths[0] = good;
    paths[1] = bad;
    CU_ASSERT_EQUAL (broker_calendar_load_paths (cal, paths, 2, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "2028.json: workdays[0]"));
    int first = 0, last = 0;
    CU_ASSERT_EQUAL (broker_calendar_range (cal, &first, &last), 0);
    CU_ASSERT_EQUAL (first, 20250101);
    CU_ASSERT_EQUAL (last, 20251231);
    CU_ASSERT_FALSE (broker_calendar_published (cal, 20270104));
    //  Loading 2025 again is refused.
    CU_ASSERT_EQUAL (
        broker_calendar_load (cal, test_src ("etc/calendar/2025.json"), err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "already loaded"));

    //  2027 alone: 2026 is a gap, published on neither side, so walking through it is
    //  provisional even though the days around it are published; its 元旦 is off by law.
    CU_ASSERT_EQUAL (broker_calendar_load (cal, good, err, sizeof err), 0);
    CU_ASSERT_EQUAL (broker_calendar_range (cal, &first, &last), 0);
    CU_ASSERT_EQUAL (last, 20271231);
    CU_ASSERT_FALSE (broker_calendar_published (cal, 20260601));
    CU_ASSERT_TRUE (broker_calendar_published (cal, 20270601));
    CU_ASSERT_FALSE (broker_calendar_is_working_day (cal, 20270101));
    int result = 0;
    bool provisional = false;
    CU_ASSERT_EQUAL (broker_calendar_add_working_days (cal, 20251230, 2, &result, &provisional), 0);
    CU_ASSERT_EQUAL (result, 20260102);
    CU_ASSERT_TRUE (provisional);
    CU_ASSERT_EQUAL (broker_calendar_add_working_days (cal, 20261231, 1, &result, &provisional), 0);
    CU_ASSERT_EQUAL (result, 20270104);
    CU_ASSERT_FALSE (provisional);
    broker_calendar_destroy (&cal);
    test_rmtree (dir);
    free (dir);
}

static void
test_covers_edge (void)
{
    //  The 2019 notice: 2018-12-30 .. 2019-01-01 off, Sat 2018-12-29 worked. With
    //  "covers" the 2019 file may say so; the 2018 file (published earlier) says nothing
    //  about those days, and the explicit entries win over its plain days.
    const char *files[] = {
        "2018.json", "{\"year\": 2018, \"source\": \"t\", \"holidays\": [], \"workdays\": []}",
        "2019.json",
        "{\"year\": 2019, \"source\": \"t\", \"covers\": {\"from\": \"2018-12-29\", \"to\": "
        "\"2019-12-31\"}, \"holidays\": [{\"name\": \"元旦\", \"from\": \"2018-12-30\", "
        "\"to\": \"2019-01-01\"}], \"workdays\": [\"2018-12-29\"]}",
        NULL};
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    for (int i = 0; files[i]; i += 2) {
        char path[600];
        snprintf (path, sizeof path, "%s/%s", dir, files[i]);
        CU_ASSERT_EQUAL (test_write_file (path, files[i + 1]), 0);
    }
    broker_calendar_t *cal = broker_calendar_new ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (cal);
    char err[512];
    CU_ASSERT_EQUAL (broker_calendar_load (cal, dir, err, sizeof err), 0);
    CU_ASSERT_TRUE (broker_calendar_is_working_day (cal, 20181229));
    CU_ASSERT_FALSE (broker_calendar_is_working_day (cal, 20181231));
    CU_ASSERT_FALSE (broker_calendar_is_working_day (cal, 20190101));
    CU_ASSERT_TRUE (broker_calendar_is_working_day (cal, 20190102));
    //  Fri 2018-12-28 -> Sat 12-29 (1), 12-30..01-01 off, Wed 01-02 (2).
    int result = 0;
    CU_ASSERT_EQUAL (broker_calendar_add_working_days (cal, 20181228, 2, &result, NULL), 0);
    CU_ASSERT_EQUAL (result, 20190102);
    broker_calendar_destroy (&cal);
    test_rmtree (dir);
    free (dir);
}

//  Issue 12: a year without a published file counts the days off the law fixes
//  (broker_holidays.h), never a guessed 调休 day, and every answer is provisional.
static void
test_statutory_unpublished (void)
{
    //  Mon 2026-12-07 + 20: Dec 8-11 (4), 14-18 (9), 21-25 (14), 28-31 (18), 元旦 Fri
    //  01-01 off, Mon 01-04 (19), Tue 01-05 (20).
    CU_ASSERT_EQUAL (s_add (20261207, 20, true), 20270105);
    //  Mon 2027-01-25 + 20: Jan 26-29 (4), Feb 1-4 (8); 除夕 Fri 02-05 and 初三 Mon 02-08
    //  off, 初一 and 初二 on the weekend made up on Tue 02-09 and Wed 02-10; Feb 11-12
    //  (10), 15-19 (15), 22-26 (20).
    CU_ASSERT_EQUAL (s_add (20270125, 20, true), 20270226);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20270101), BROKER_DAY_STATUTORY);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20270205), BROKER_DAY_STATUTORY);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20270206), BROKER_DAY_WEEKEND);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20270210), BROKER_DAY_STATUTORY);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20270211), BROKER_DAY_WEEKDAY);
    CU_ASSERT_FALSE (broker_calendar_is_working_day (s_cal, 20270101));
    CU_ASSERT_FALSE (broker_calendar_is_working_day (s_cal, 20270209));
    CU_ASSERT_TRUE (broker_calendar_is_working_day (s_cal, 20270104));
    CU_ASSERT_FALSE (broker_calendar_published (s_cal, 20270101));
    //  No weekend day becomes a working day without a notice: Sun 2027-02-14 stays off.
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20270214), BROKER_DAY_WEEKEND);
    //  A published year keeps its notice: Sun 2026-01-04 worked, Fri 2026-01-02 off (the
    //  law alone would say the opposite).
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20260104), BROKER_DAY_ADJUSTED);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20260102), BROKER_DAY_HOLIDAY);
    //  Every day the law fixes in 2027..2100 is off, each weekday of them STATUTORY.
    int bad = 0;
    for (int year = 2027; year <= BROKER_HOLIDAYS_LAST_YEAR; year++) {
        broker_holiday_t h[BROKER_HOLIDAYS_MAX];
        int n = broker_holidays_statutory (year, h);
        for (int i = 0; i < n; i++)
            bad += broker_calendar_is_working_day (s_cal, h[i].date) ||
                   (broker_calendar_date_weekday (h[i].date) <= 5 &&
                    broker_calendar_day_kind (s_cal, h[i].date) != BROKER_DAY_STATUTORY);
    }
    CU_ASSERT_EQUAL (bad, 0);
    //  Outside 2020-2100 the law's days are unknown here: the weekday rule. 2019-01-01 and
    //  2101-01-03 are a Tuesday and a Monday.
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 20190101), BROKER_DAY_WEEKDAY);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (s_cal, 21010103), BROKER_DAY_WEEKDAY);
    CU_ASSERT_EQUAL (broker_calendar_day_kind (NULL, 21010103), BROKER_DAY_WEEKDAY);
}

static void
test_reload (void)
{
    char config[600], path[800], caldir[700], err[512];
    char *dir = test_hall_copy (2025, 2026, config, sizeof config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    snprintf (caldir, sizeof caldir, "%s/calendar", dir);
    broker_calendar_t *cal = broker_calendar_new ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (cal);
    CU_ASSERT_EQUAL (broker_calendar_load (cal, caldir, err, sizeof err), 0);
    int deadline = 0, last = 0;
    bool provisional = false;
    //  A broken 2027 file: the reload fails, says where, and changes nothing.
    snprintf (path, sizeof path, "%s/2027.json", caldir);
    CU_ASSERT_EQUAL (test_write_file (path, "{\"year\": 2027, \"source\": \"t\", \"holidays\": "
                                            "[], \"workdays\": [\"2027-02-19\"]}"),
                     0);
    CU_ASSERT_EQUAL (broker_calendar_reload (cal, caldir, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "2027.json: workdays[0]"));
    CU_ASSERT_EQUAL (broker_calendar_range (cal, NULL, &last), 0);
    CU_ASSERT_EQUAL (last, 20261231);
    //  The fixture (the law's days and one 调休 day, Sat 02-20): the same calendar object
    //  now publishes 2027; loading the files a second time is no "already loaded" error.
    char *fixture = test_read_file (test_src ("tests/fixtures/calendar-2027.json"));
    CU_ASSERT_PTR_NOT_NULL_FATAL (fixture);
    CU_ASSERT_EQUAL (test_write_file (path, fixture), 0);
    free (fixture);
    CU_ASSERT_EQUAL (broker_calendar_reload (cal, caldir, err, sizeof err), 0);
    CU_ASSERT_EQUAL (broker_calendar_range (cal, NULL, &last), 0);
    CU_ASSERT_EQUAL (last, 20271231);
    CU_ASSERT_EQUAL (
        broker_calendar_deadline (cal, 20270125, 20, 0, NULL, 0, &deadline, &provisional), 0);
    CU_ASSERT_EQUAL (deadline, 20270225);
    CU_ASSERT_FALSE (provisional);
    CU_ASSERT_EQUAL (
        broker_calendar_deadline (cal, 20261207, 20, 0, NULL, 0, &deadline, &provisional), 0);
    CU_ASSERT_EQUAL (deadline, 20270105);
    CU_ASSERT_FALSE (provisional);
    //  A reload from a path that is gone leaves 2025..2027 in place.
    CU_ASSERT_EQUAL (broker_calendar_reload (cal, "/nonexistent/calendar", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "/nonexistent/calendar"));
    CU_ASSERT_TRUE (broker_calendar_published (cal, 20250101));
    CU_ASSERT_TRUE (broker_calendar_published (cal, 20271231));
    CU_ASSERT_EQUAL (broker_calendar_reload (NULL, dir, err, sizeof err), -1);
    broker_calendar_destroy (&cal);
    test_rmtree (dir);
    free (dir);
}

static void
test_reach (void)
{
    broker_calendar_reach_t r;
    //  Sun 2026-12-06, a hall whose longest clock is 30 + 10 working days, 60 days' margin:
    //  the clock runs to Mon 2027-02-01 (Dec 7-11 (5), 14-18, 21-25, 28-31 (19), 元旦 off,
    //  Jan 4-8 (24), 11-15, 18-22, 25-29 (39), Feb 1 (40)), and the need to 04-02.
    CU_ASSERT_EQUAL (broker_calendar_reach (s_cal, 20261206, 40, 60, &r), 0);
    CU_ASSERT_EQUAL (r.published_from, 20250101);
    CU_ASSERT_EQUAL (r.published_until, 20261231);
    CU_ASSERT_EQUAL (r.provisional_from, 20270101);
    int end = 0;
    CU_ASSERT_EQUAL (broker_calendar_add_working_days (s_cal, 20261206, 40, &end, NULL), 0);
    CU_ASSERT_EQUAL (end, 20270201);
    CU_ASSERT_EQUAL (r.needed_until, broker_calendar_date_add (end, 60));
    CU_ASSERT_TRUE (r.short_of_need);
    //  In March 2025 the same needs reach into July: covered.
    CU_ASSERT_EQUAL (broker_calendar_reach (s_cal, 20250301, 40, 60, &r), 0);
    CU_ASSERT_EQUAL (r.provisional_from, 20270101);
    CU_ASSERT_FALSE (r.short_of_need);
    //  The last day that is not short: needed_until the day before 2027-01-01.
    CU_ASSERT_EQUAL (broker_calendar_reach (s_cal, 20261001, 0, 91, &r), 0);
    CU_ASSERT_EQUAL (r.needed_until, 20261231);
    CU_ASSERT_FALSE (r.short_of_need);
    CU_ASSERT_EQUAL (broker_calendar_reach (s_cal, 20261001, 0, 92, &r), 0);
    CU_ASSERT_TRUE (r.short_of_need);
    //  Nothing published: short from tomorrow on.
    CU_ASSERT_EQUAL (broker_calendar_reach (NULL, 20261206, 0, 0, &r), 0);
    CU_ASSERT_EQUAL (r.published_until, 0);
    CU_ASSERT_EQUAL (r.provisional_from, 20261207);
    CU_ASSERT_FALSE (r.short_of_need);
    CU_ASSERT_EQUAL (broker_calendar_reach (NULL, 20261206, 1, 0, &r), 0);
    CU_ASSERT_TRUE (r.short_of_need);
    CU_ASSERT_EQUAL (broker_calendar_reach (s_cal, 20261306, 40, 60, &r), -1);
    CU_ASSERT_EQUAL (broker_calendar_reach (s_cal, 20261206, -1, 60, &r), -1);
    CU_ASSERT_EQUAL (broker_calendar_reach (s_cal, 20261206, 40, 60, NULL), -1);
}

int
test_calendar_suite (void)
{
    CU_pSuite suite = CU_add_suite ("calendar", s_init, s_clean);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "date helpers", test_dates) ||
        !CU_add_test (suite, "published 2025 and 2026 data", test_published_data) ||
        !CU_add_test (suite, "20 working days across Spring Festival 2025",
                      test_spring_festival_2025) ||
        !CU_add_test (suite, "20 working days across National Day 2025", test_national_day_2025) ||
        !CU_add_test (suite, "receipt on a holiday or weekend, n = 0", test_receipt_on_day_off) ||
        !CU_add_test (suite, "2025 into 2026, provisional past 2026", test_year_boundary) ||
        !CU_add_test (suite, "pauses and extension", test_pauses_and_extension) ||
        !CU_add_test (suite, "working days between", test_between) ||
        !CU_add_test (suite, "bad arguments", test_bad_arguments) ||
        !CU_add_test (suite, "year file errors", test_load_errors) ||
        !CU_add_test (suite, "year file errors across files, covers, paths",
                      test_load_errors_across_files) ||
        !CU_add_test (suite, "loads are all or nothing; gaps", test_load_atomic) ||
        !CU_add_test (suite, "covers: a notice reaching into the previous year",
                      test_covers_edge) ||
        !CU_add_test (suite, "unpublished years: the law's days off, provisional",
                      test_statutory_unpublished) ||
        !CU_add_test (suite, "reload in place, all or nothing", test_reload) ||
        !CU_add_test (suite, "reach: when the published days run short", test_reach))
        return -1;
    return 0;
}
