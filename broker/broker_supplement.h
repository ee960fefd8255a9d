/*  broker_supplement.h — 补正 and the one-time notice (一次性告知), as the law runs them.

    《行政许可法》Art. 32: material that is incomplete or not in the legal form is told to the
    applicant on the spot or within 5 days, all of it at once; a notice that does not come
    in time makes the application count as accepted from the day it was received. The hall
    keeps these rules:

    - Before acceptance. `case.supplement` gives the notice on the spot (the intake reply's
      `notice`). With `notice_later` the material is taken in to be examined and the notice
      follows by `notice_due`, 5 working days after receipt (`case.supplement_notice`). If
      the office records it later, or never, the case sweep accepts the case on its day of
      receipt (`deemed_accepted`; the clock runs from then).
    - After acceptance. The back office may ask for material once (`case.request_supplement`:
      the clock stops, Art. 45). A second request is refused: the first notice was to name
      everything. A request made in error or incompletely is withdrawn
      (`case.supplement_withdraw`): its pause no longer counts, as if the clock had never
      stopped, and one complete request may take its place. The two stages are counted
      apart: review may find a substantive gap that the counter's check of completeness
      and form could not (the figure 一次办结率 counts cases decided without the second).
    - Every notice names the day by which the material is due, `cases.supplement_days`
      working days after the notice (0: no limit). Material not brought by then ends the
      case: the sweep withdraws it (逾期未补正，视为撤回申请), as departmental rules on
      licensing procedure provide, and the applicant is told; the hall's practice is
      written up in docs/POLICY.md.

    Working days are those of the case clock (broker_calendar.h); the notice's day never
    counts. The case sweep runs when the local date changes (broker_timers.h). */
#ifndef BROKER_SUPPLEMENT_H
#define BROKER_SUPPLEMENT_H

#include "broker_ctx.h"

//  Art. 32: working days after receipt within which the one-time notice must be given.
#define BROKER_SUPPLEMENT_NOTICE_DAYS 5

//  case.request_supplement: material asked for after acceptance, once; the clock stops.
int broker_h_case_request_supplement (broker_ctx_t *ctx, const json_t *body);
//  case.supplement_notice: the one-time notice an intake with `notice_later` promised.
int broker_h_case_supplement_notice (broker_ctx_t *ctx, const json_t *body);
//  case.supplement_withdraw: a request after acceptance withdrawn; the clock as if it ran.
int broker_h_case_supplement_withdraw (broker_ctx_t *ctx, const json_t *body);

//  A case just taken in by case.supplement (today) at `clerk`'s counter: the day its
//  material is due and its case.supplement_requested (the notice); or, with
//  `notice_later`, the day the notice is due and its case.received. Call before the case
//  is saved.
void broker_supplement_intake (broker_ctx_t *ctx, json_t *c, bool notice_later, const char *clerk);
//  The sweep of a case on date `today`: accepted on its day of receipt if its notice is
//  overdue (Art. 32); withdrawn if the material asked for is overdue. Each with its event
//  (and notice). True if the case changed (the caller saves it).
bool broker_supplement_sweep (broker_ctx_t *ctx, json_t *c, int today);

#endif
