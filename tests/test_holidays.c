/*  test_holidays.c — broker_holidays: the days off the law fixes for a year without a
    published notice. Checked against the published 2025 and 2026 notices (every day the law
    fixes, and every 补假, must be off there too), against the 2027 example of issue 12 (除夕
    Fri 02-05 and 初三 Mon 02-08 off, 初一 and 初二 on the weekend made up on 02-09 and
    02-10), known lunar new years, and the shape of every year 2020-2100. */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "broker_holidays.h"
#include "test_util.h"
#include "tests.h"

static bool
s_has (const broker_holiday_t *h, int n, int date, bool makeup)
{
    for (int i = 0; i < n; i++)
        if (h[i].date == date && h[i].makeup == makeup)
            return true;
    return false;
}

static void
test_2027_as_the_law_says (void)
{
    broker_holiday_t h[BROKER_HOLIDAYS_MAX];
    int n = broker_holidays_statutory (2027, h);
    //  元旦 Fri; 春节 Fri-Mon + 2 made up; 清明 Mon 04-05; 劳动节 Sat-Sun + 2; 端午 Wed 06-09;
    //  中秋 Wed 09-15; 国庆 Fri-Sun + 2.
    const int off[] = {20270101, 20270205, 20270206, 20270207, 20270208, 20270405, 20270501,
                       20270502, 20270609, 20270915, 20271001, 20271002, 20271003};
    const int made_up[] = {20270209, 20270210, 20270503, 20270504, 20271004, 20271005};
    CU_ASSERT_EQUAL (n, 19);
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
        CU_ASSERT (s_has (h, n, off[i], false));
    for (size_t i = 0; i < sizeof made_up / sizeof made_up[0]; i++)
        CU_ASSERT (s_has (h, n, made_up[i], true));
    CU_ASSERT_STRING_EQUAL (h[1].name, "春节");
    CU_ASSERT_FALSE (h[1].makeup);
}

//  Every holiday range of etc/calendar/YEAR.json as a list of yyyymmdd, into days[].
static int
s_published (int year, int *days, int max)
{
    char path[64];
    snprintf (path, sizeof path, "etc/calendar/%d.json", year);
    json_error_t err;
    json_t *j = json_load_file (test_src (path), 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (j);
    int n = 0;
    size_t i;
    json_t *r;
    json_array_foreach (json_object_get (j, "holidays"), i, r) {
        int y1, m1, d1, y2, m2, d2;
        sscanf (json_string_value (json_object_get (r, "from")), "%d-%d-%d", &y1, &m1, &d1);
        sscanf (json_string_value (json_object_get (r, "to")), "%d-%d-%d", &y2, &m2, &d2);
        //  Ranges never cross a month end by more than a few days; walk day by day.
        for (int y = y1, m = m1, d = d1; n < max;) {
            days[n++] = y * 10000 + m * 100 + d;
            if (y == y2 && m == m2 && d == d2)
                break;
            const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            int last = mdays[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 || y % 400 == 0));
            if (++d > last) {
                d = 1;
                if (++m > 12) {
                    m = 1;
                    y++;
                }
            }
        }
    }
    json_decref (j);
    return n;
}

static void
test_published_years_agree (void)
{
    for (int year = 2025; year <= 2026; year++) {
        int days[200];
        int np = s_published (year, days, 200);
        broker_holiday_t h[BROKER_HOLIDAYS_MAX];
        int n = broker_holidays_statutory (year, h);
        CU_ASSERT (n >= 13);
        for (int i = 0; i < n; i++) {
            bool found = false;
            for (int k = 0; k < np; k++)
                found |= days[k] == h[i].date;
            if (!found)
                fprintf (stderr, "holidays: %d (%s) is not off in the %d notice\n", h[i].date,
                         h[i].name, year);
            CU_ASSERT (found);
        }
    }
}

static void
test_lunar_new_years (void)
{
    CU_ASSERT_EQUAL (broker_holidays_lunar_new_year (2020), 20200125);
    CU_ASSERT_EQUAL (broker_holidays_lunar_new_year (2025), 20250129);
    CU_ASSERT_EQUAL (broker_holidays_lunar_new_year (2026), 20260217);
    CU_ASSERT_EQUAL (broker_holidays_lunar_new_year (2027), 20270206);
    CU_ASSERT_EQUAL (broker_holidays_lunar_new_year (2028), 20280126);
    CU_ASSERT_EQUAL (broker_holidays_lunar_new_year (2019), 0);
    CU_ASSERT_EQUAL (broker_holidays_lunar_new_year (2101), 0);
    broker_holiday_t h[BROKER_HOLIDAYS_MAX];
    CU_ASSERT_EQUAL (broker_holidays_statutory (2019, h), -1);
    CU_ASSERT_EQUAL (broker_holidays_statutory (2101, h), -1);
}

//  0 = Monday .. 6 = Sunday, by Zeller's congruence.
static int
s_weekday (int date)
{
    int y = date / 10000, m = date / 100 % 100, d = date % 100;
    if (m < 3) {
        m += 12;
        y--;
    }
    int h = (d + 13 * (m + 1) / 5 + y + y / 4 - y / 100 + y / 400) % 7; //  0 = Saturday
    return (h + 5) % 7;
}

static void
test_every_year_has_its_shape (void)
{
    for (int year = BROKER_HOLIDAYS_FIRST_YEAR; year <= BROKER_HOLIDAYS_LAST_YEAR; year++) {
        broker_holiday_t h[BROKER_HOLIDAYS_MAX];
        int n = broker_holidays_statutory (year, h);
        int fixed = 0;
        for (int i = 0; i < n; i++) {
            CU_ASSERT_EQUAL (h[i].date / 10000, year);
            if (i > 0)
                CU_ASSERT (h[i].date > h[i - 1].date);
            if (h[i].makeup)
                CU_ASSERT (s_weekday (h[i].date) < 5);
            fixed += !h[i].makeup;
        }
        //  13 days, one fewer when 中秋 is a day of 国庆 (2028-10-03 and the like).
        CU_ASSERT (fixed == 13 || fixed == 12);
        int cny = broker_holidays_lunar_new_year (year);
        CU_ASSERT (cny >= year * 10000 + 121 && cny <= year * 10000 + 220);
        //  端午 and 中秋 and 清明 fall where they can.
        bool qm =
            s_has (h, n, year * 10000 + 404, false) || s_has (h, n, year * 10000 + 405, false);
        CU_ASSERT (qm);
    }
    //  2028: 中秋 is 10-03, a day of 国庆 (Tue): one day off for both.
    broker_holiday_t h[BROKER_HOLIDAYS_MAX];
    int n = broker_holidays_statutory (2028, h);
    CU_ASSERT (s_has (h, n, 20281003, false));
    CU_ASSERT_FALSE (s_has (h, n, 20281004, false));
    //  2033: the leap month is the 11th (GB/T 33661-2017), so 中秋 is 09-08.
    n = broker_holidays_statutory (2033, h);
    CU_ASSERT (s_has (h, n, 20330908, false));
}

int
test_holidays_suite (void)
{
    CU_pSuite s = CU_add_suite ("holidays", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "2027 as the law fixes it: 春节 made up on 02-09 and 02-10",
                 test_2027_as_the_law_says);
    CU_add_test (s, "the law's days are off in the published 2025 and 2026 notices",
                 test_published_years_agree);
    CU_add_test (s, "lunar new years; years outside 2020-2100 refused", test_lunar_new_years);
    CU_add_test (s, "every year 2020-2100: dates in order, 补假 on weekdays, 2028, 2033",
                 test_every_year_has_its_shape);
    return 0;
}
