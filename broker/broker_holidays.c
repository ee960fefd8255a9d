/*  broker_holidays.c — see broker_holidays.h. */
#include "broker_holidays.h"

#include <string.h>

//  One year's movable dates: 正月初一, 清明 (in April), 端午 and 中秋 (month, day).
typedef struct {
    short year;
    char cny_m, cny_d, qingming_d, duanwu_m, duanwu_d, zhongqiu_m, zhongqiu_d;
} s_year_t;

//  Checked as broker_holidays.h says; one row per year, 2020..2100.
static const s_year_t s_years[] = {
    {2020, 1, 25, 4, 6, 25, 10, 1}, {2021, 2, 12, 4, 6, 14, 9, 21}, {2022, 2, 1, 5, 6, 3, 9, 10},
    {2023, 1, 22, 5, 6, 22, 9, 29}, {2024, 2, 10, 4, 6, 10, 9, 17}, {2025, 1, 29, 4, 5, 31, 10, 6},
    {2026, 2, 17, 5, 6, 19, 9, 25}, {2027, 2, 6, 5, 6, 9, 9, 15},   {2028, 1, 26, 4, 5, 28, 10, 3},
    {2029, 2, 13, 4, 6, 16, 9, 22}, {2030, 2, 3, 5, 6, 5, 9, 12},   {2031, 1, 23, 5, 6, 24, 10, 1},
    {2032, 2, 11, 4, 6, 12, 9, 19}, {2033, 1, 31, 4, 6, 1, 9, 8},   {2034, 2, 19, 5, 6, 20, 9, 27},
    {2035, 2, 8, 5, 6, 10, 9, 16},  {2036, 1, 28, 4, 5, 30, 10, 4}, {2037, 2, 15, 4, 6, 18, 9, 24},
    {2038, 2, 4, 5, 6, 7, 9, 13},   {2039, 1, 24, 5, 5, 27, 10, 2}, {2040, 2, 12, 4, 6, 14, 9, 20},
    {2041, 2, 1, 4, 6, 3, 9, 10},   {2042, 1, 22, 4, 6, 22, 9, 28}, {2043, 2, 10, 5, 6, 11, 9, 17},
    {2044, 1, 30, 4, 5, 31, 10, 5}, {2045, 2, 17, 4, 6, 19, 9, 25}, {2046, 2, 6, 4, 6, 8, 9, 15},
    {2047, 1, 26, 5, 5, 29, 10, 4}, {2048, 2, 14, 4, 6, 15, 9, 22}, {2049, 2, 2, 4, 6, 4, 9, 11},
    {2050, 1, 23, 4, 6, 23, 9, 30}, {2051, 2, 11, 5, 6, 13, 9, 19}, {2052, 2, 1, 4, 6, 1, 9, 7},
    {2053, 2, 19, 4, 6, 20, 9, 26}, {2054, 2, 8, 4, 6, 10, 9, 16},  {2055, 1, 28, 5, 5, 30, 10, 5},
    {2056, 2, 15, 4, 6, 17, 9, 24}, {2057, 2, 4, 4, 6, 6, 9, 13},   {2058, 1, 24, 4, 6, 25, 10, 2},
    {2059, 2, 12, 5, 6, 14, 9, 21}, {2060, 2, 2, 4, 6, 3, 9, 9},    {2061, 1, 21, 4, 6, 22, 9, 28},
    {2062, 2, 9, 4, 6, 11, 9, 17},  {2063, 1, 29, 5, 6, 1, 10, 6},  {2064, 2, 17, 4, 6, 19, 9, 25},
    {2065, 2, 5, 4, 6, 8, 9, 15},   {2066, 1, 26, 4, 5, 28, 10, 3}, {2067, 2, 14, 5, 6, 16, 9, 23},
    {2068, 2, 3, 4, 6, 4, 9, 11},   {2069, 1, 23, 4, 6, 23, 9, 29}, {2070, 2, 11, 4, 6, 13, 9, 19},
    {2071, 1, 31, 5, 6, 2, 9, 8},   {2072, 2, 19, 4, 6, 20, 9, 26}, {2073, 2, 7, 4, 6, 10, 9, 16},
    {2074, 1, 27, 4, 5, 30, 10, 5}, {2075, 2, 15, 4, 6, 17, 9, 24}, {2076, 2, 5, 4, 6, 6, 9, 12},
    {2077, 1, 24, 4, 6, 24, 10, 1}, {2078, 2, 12, 4, 6, 14, 9, 20}, {2079, 2, 2, 4, 6, 4, 9, 10},
    {2080, 1, 22, 4, 6, 22, 9, 28}, {2081, 2, 9, 4, 6, 11, 9, 17},  {2082, 1, 29, 4, 6, 1, 10, 6},
    {2083, 2, 17, 4, 6, 19, 9, 26}, {2084, 2, 6, 4, 6, 7, 9, 14},   {2085, 1, 26, 4, 5, 27, 10, 3},
    {2086, 2, 14, 4, 6, 15, 9, 22}, {2087, 2, 3, 4, 6, 5, 9, 11},   {2088, 1, 24, 4, 6, 23, 9, 29},
    {2089, 2, 10, 4, 6, 13, 9, 18}, {2090, 1, 30, 4, 6, 2, 9, 8},   {2091, 2, 18, 4, 6, 21, 9, 27},
    {2092, 2, 7, 4, 6, 9, 9, 16},   {2093, 1, 27, 4, 5, 29, 10, 5}, {2094, 2, 15, 4, 6, 17, 9, 24},
    {2095, 2, 5, 4, 6, 6, 9, 13},   {2096, 1, 25, 4, 6, 24, 9, 30}, {2097, 2, 12, 4, 6, 14, 9, 20},
    {2098, 2, 1, 4, 6, 4, 9, 9},    {2099, 1, 21, 4, 6, 23, 9, 29}, {2100, 2, 9, 5, 6, 12, 9, 18},
};

//  Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
static int
s_days (int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

//  The yyyymmdd of days since 1970-01-01 (civil_from_days).
static int
s_date (int z)
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
    return (y + (m <= 2)) * 10000 + m * 100 + d;
}

//  0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday).
static int
s_weekday (int z)
{
    return ((z % 7) + 7 + 3) % 7;
}

static const s_year_t *
s_year (int year)
{
    if (year < BROKER_HOLIDAYS_FIRST_YEAR || year > BROKER_HOLIDAYS_LAST_YEAR)
        return NULL;
    return &s_years[year - BROKER_HOLIDAYS_FIRST_YEAR];
}

int
broker_holidays_lunar_new_year (int year)
{
    const s_year_t *y = s_year (year);
    return y ? year * 10000 + y->cny_m * 100 + y->cny_d : 0;
}

//  A festival: `days` consecutive days from day number `first`.
typedef struct {
    const char *name;
    int first, days;
} s_festival_t;

static bool
s_taken (const broker_holiday_t *out, int n, int date)
{
    for (int i = 0; i < n; i++)
        if (out[i].date == date)
            return true;
    return false;
}

int
broker_holidays_statutory (int year, broker_holiday_t *out)
{
    const s_year_t *y = s_year (year);
    if (!y)
        return -1;
    int cny = s_days (year, y->cny_m, y->cny_d);
    //  In date order; 除夕 is the day before 初一 (it may fall in the same January).
    const s_festival_t f[] = {
        {"元旦", s_days (year, 1, 1), 1},
        {"春节", cny - 1, 4},
        {"清明节", s_days (year, 4, y->qingming_d), 1},
        {"劳动节", s_days (year, 5, 1), 2},
        {"端午节", s_days (year, y->duanwu_m, y->duanwu_d), 1},
        {"中秋节", s_days (year, y->zhongqiu_m, y->zhongqiu_d), 1},
        {"国庆节", s_days (year, 10, 1), 3},
    };
    const int nf = (int)(sizeof f / sizeof f[0]);
    int n = 0;
    for (int i = 0; i < nf; i++)
        for (int k = 0; k < f[i].days; k++)
            if (!s_taken (out, n, s_date (f[i].first + k)))
                out[n++] = (broker_holiday_t){s_date (f[i].first + k), f[i].name, false};
    //  Art. 6: each festival day on a weekend is made up after its festival.
    for (int i = 0; i < nf; i++) {
        int next = f[i].first + f[i].days;
        for (int k = 0; k < f[i].days; k++) {
            int day = f[i].first + k;
            if (s_weekday (day) < 5)
                continue;
            while (s_weekday (next) >= 5 || s_taken (out, n, s_date (next)))
                next++;
            out[n++] = (broker_holiday_t){s_date (next), f[i].name, true};
        }
    }
    //  Date order (insertion sort: at most BROKER_HOLIDAYS_MAX entries).
    for (int i = 1; i < n; i++) {
        broker_holiday_t h = out[i];
        int j = i - 1;
        while (j >= 0 && out[j].date > h.date) {
            out[j + 1] = out[j];
            j--;
        }
        out[j + 1] = h;
    }
    return n;
}

const char *
broker_holidays_name (int date)
{
    broker_holiday_t h[BROKER_HOLIDAYS_MAX];
    int n = broker_holidays_statutory (date / 10000, h);
    for (int i = 0; i < n; i++)
        if (h[i].date == date)
            return h[i].name;
    return NULL;
}
