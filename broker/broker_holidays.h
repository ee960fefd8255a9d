/*  broker_holidays.h — the statutory holidays the law fixes for any year 2020–2100.

    The yearly State Council notice (etc/calendar/NNNN.json) is the authority on days off:
    it moves weekends around (调休) in ways nobody can compute. But in December the next
    year's notice may not be out, and a calendar that stops at the last published file
    silently counts 元旦 as a working day. For such a year the case clock counts the days
    that 全国年节及纪念日放假办法 (as amended 2024-11-10, in force 2025-01-01) fixes for
    everyone, and marks every deadline that relies on them provisional:

      Art. 2: 元旦 1/1 (1 day); 春节 除夕 to 初三 (4 days); 清明 the solar term (1 day);
      劳动节 5/1–5/2 (2 days); 端午 5th of the 5th lunar month (1 day); 中秋 15th of the 8th
      lunar month (1 day); 国庆 10/1–10/3 (3 days).
      Art. 6: a holiday for everyone that falls on a Saturday or Sunday is made up on
      working days (补假). We make each such day up on the first Monday-to-Friday after its
      festival that is not itself a holiday or an earlier make-up day. Two festivals on one
      date (中秋 on 10/3 in 2028) give one day off, not two: the law adds make-up days only
      for weekends, and anything more is the notice's to decide.

    We do not guess 调休 working days: no weekend day becomes a working day here.

    Lunar dates (除夕, 端午, 中秋) and 清明 come from a table for 2020–2100, checked two
    ways before it was written down (docs/CONFIG.md, "The working-day calendar"): against
    the Hong Kong Observatory–based month table used by Chinese calendar software (with
    the 2033 leap month as 闰十一月, GB/T 33661-2017), and against an astronomical
    computation of new moons and solar terms in Beijing time (PyEphem). They agree on every
    date; 清明 in 2038 and 2071 falls within 15 minutes after midnight and is taken on that
    day. */
#ifndef BROKER_HOLIDAYS_H
#define BROKER_HOLIDAYS_H

#include <stdbool.h>

#define BROKER_HOLIDAYS_FIRST_YEAR 2020
#define BROKER_HOLIDAYS_LAST_YEAR  2100
//  More days than any year can have off by law (14 statutory + make-up days).
#define BROKER_HOLIDAYS_MAX 24

//  One day off by law.
typedef struct {
    int date;         //  yyyymmdd
    const char *name; //  the festival ("春节"); static
    bool makeup;      //  a 补假 day for a festival day that fell on a weekend
} broker_holiday_t;

//  The days off the law fixes for `year` (see above), in date order, into `out` (room
//  for BROKER_HOLIDAYS_MAX). Returns how many, or -1 if the year is outside 2020..2100.
int broker_holidays_statutory (int year, broker_holiday_t *out);
//  The festival whose day off by law `date` (yyyymmdd) is ("元旦", "春节"...; a 补假 day
//  names the festival it makes up for), or NULL if the law fixes no day off on that date
//  or the year is outside 2020..2100. Static.
const char *broker_holidays_name (int date);
//  The Gregorian date (yyyymmdd) of the lunar new year (正月初一) of `year`; 0 outside
//  2020..2100.
int broker_holidays_lunar_new_year (int year);

#endif
