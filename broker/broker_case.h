/*  broker_case.h — cases (办件): intake at the counter, the automatic checks, the back
    office's decisions on the legal clock, and hand-out.

    A case lives only in the store (a busy hall keeps years of them): its record in the
    `cases` database, open ones also listed in `open_cases`, and three indexes — by token
    (the ticket's QR code follows the citizen: 一码通办), by applicant and item (duplicate
    check), and by case number + event sequence (the audit trail, read from the journal).

    Case life:

        intake ──accept──────────────────────► accepted ──review──► in_review
          │  └─supplement──► supplement_pending ──received──┘  ▲       │  │
          └─not_accepted (final)                               │       │  ├─approve─► approved
   (final) │       │  │           or awaiting_pickup accepted/in_review ──request_supplement──►
   supplement_pending ─┘  │              ──hand_out──► collected accepted/in_review
   ──special_start──► special_procedure ─special_end┘  └─deny──► denied (final) any open state
   ──withdraw──► withdrawn (final)

    The clock (《行政许可法》): working days (broker_calendar.h); the day of acceptance does not
    count; supplement after acceptance and special procedures stop it (Art. 45); one
    extension per case of up to the item's max_extension_days (Art. 42). Deadlines are
    days (yyyymmdd) in the hall's local date; a deadline past the published calendar is
    flagged provisional. Warnings (yellow, red at configured fractions of the promised
    limit; overdue past the promised deadline; statutory_overdue past the statutory one)
    are raised once each, by the daily timer, as case.warning events.

    Intake, with its automatic checks, is broker_intake.h; the hand-out from a cabinet is
    broker_vault.h. Both work on cases through this header.

    Privacy: ID and phone numbers are masked in events, status and queue views; only
    case.get (counter and back office) shows them whole. */
#ifndef BROKER_CASE_H
#define BROKER_CASE_H

#include "broker_ctx.h"

//  States, as on the wire.
#define BROKER_CASE_SUPPLEMENT   "supplement_pending"
#define BROKER_CASE_ACCEPTED     "accepted"
#define BROKER_CASE_REVIEW       "in_review"
#define BROKER_CASE_SPECIAL      "special_procedure"
#define BROKER_CASE_APPROVED     "approved"
#define BROKER_CASE_DENIED       "denied"
#define BROKER_CASE_AWAITING     "awaiting_pickup"
#define BROKER_CASE_READY        "ready_for_pickup"
#define BROKER_CASE_COLLECTED    "collected"
#define BROKER_CASE_NOT_ACCEPTED "not_accepted"
#define BROKER_CASE_WITHDRAWN    "withdrawn"

#define BROKER_CASE_NO_MAX     48  //  a case number's bytes at most
#define BROKER_CASE_NAME_MAX   64  //  a name's buffer (applicant, clerk), with its NUL
#define BROKER_CASE_REASON_MAX 512 //  a reason's buffer, with its NUL

//  case.get: a case with the applicant unmasked (counter and back office).
int broker_h_case_get (broker_ctx_t *ctx, const json_t *body);
//  case.queue: open cases (of a department, in a state), by deadline.
int broker_h_case_queue (broker_ctx_t *ctx, const json_t *body);
//  case.review: an accepted case taken into review.
int broker_h_case_review (broker_ctx_t *ctx, const json_t *body);
//  case.approve and case.deny: the decision.
int broker_h_case_approve (broker_ctx_t *ctx, const json_t *body);
int broker_h_case_deny (broker_ctx_t *ctx, const json_t *body);
//  case.request_supplement: material asked for after acceptance; the clock stops.
int broker_h_case_request_supplement (broker_ctx_t *ctx, const json_t *body);
//  case.extend: the one extension of the limit (Art. 42).
int broker_h_case_extend (broker_ctx_t *ctx, const json_t *body);
//  case.special_start and case.special_end: a special procedure stops the clock.
int broker_h_case_special_start (broker_ctx_t *ctx, const json_t *body);
int broker_h_case_special_end (broker_ctx_t *ctx, const json_t *body);
//  case.withdraw: the applicant withdraws an undecided case.
int broker_h_case_withdraw (broker_ctx_t *ctx, const json_t *body);
//  case.hand_out: a result awaiting pickup handed out at a counter.
int broker_h_case_hand_out (broker_ctx_t *ctx, const json_t *body);
//  case.audit: the case's trail, read back from the journal.
int broker_h_case_audit (broker_ctx_t *ctx, const json_t *body);

//  A case record from the store, or NULL. Caller owns it.
json_t *broker_case_load (broker_ctx_t *ctx, const char *case_no);
//  Writes a case record and keeps the open-cases list in step with its state.
void broker_case_save (broker_ctx_t *ctx, const json_t *c);
//  Publishes a case event: the case's masked view plus `extra` (taken; may be NULL) and
//  the clerk, and indexes it for the case's audit trail.
void broker_case_emit (broker_ctx_t *ctx, proto_evt_t evt, const json_t *c, json_t *extra,
                       const char *clerk);
//  A case as others see it; `full` shows the applicant whole. Caller owns it.
json_t *broker_case_view (broker_ctx_t *ctx, const json_t *c, bool full);

//  The case named by body's case_no, or NULL with unknown_case. Caller owns it.
json_t *broker_case_named (broker_ctx_t *ctx, const json_t *body);
//  The common start of a command on a case: body's clerk (and reason, if `reason` is not
//  NULL) length-checked, and the case it names. NULL with the failure recorded.
json_t *broker_case_begin (broker_ctx_t *ctx, const json_t *body, const char **clerk,
                           const char **reason);
//  The common end: recomputes the deadlines, saves, publishes `evt` (with `extra`, taken)
//  and replies with the case's view. Takes `c`. Returns 0.
int broker_case_finish (broker_ctx_t *ctx, json_t *c, proto_evt_t evt, json_t *extra,
                        const char *clerk);
//  Fails with wrong_state: "case N is STATE; `what`". Returns -1.
int broker_case_wrong_state (broker_ctx_t *ctx, const json_t *c, const char *what);
//  Sets the case's state.
void broker_case_set_state (json_t *c, const char *state);
//  The service item of a case, or NULL if the config no longer has it.
const broker_item_cfg_t *broker_case_item (broker_ctx_t *ctx, const json_t *c);
//  Recomputes the stored deadlines from acceptance, limits, extension and closed pauses.
void broker_case_clock (broker_ctx_t *ctx, json_t *c);
//  Closes the open pause: the clock runs again from the day after `today`.
void broker_case_pause_close (json_t *c, int today);

//  Case lines of ticket.status: the cases opened from this ticket's token. Caller owns it.
json_t *broker_case_for_token (broker_ctx_t *ctx, const char *token);
//  Open cases by state and by warning raised (hall.snapshot): what a manager watches.
//  Caller owns it. Each open case's state and warnings also go into `open_cases` (case
//  number -> [state, warning...]), so a mirror can move the counts with case events.
json_t *broker_case_summary (broker_ctx_t *ctx, json_t *open_cases);
//  The records of every open case, in case number order. Caller owns the array.
json_t *broker_case_open_all (broker_ctx_t *ctx);
//  Raises the deadline warnings due for a case on date `today` (yyyymmdd), each once, as
//  case.warning events. True if the case changed (the caller saves it).
bool broker_case_warn (broker_ctx_t *ctx, json_t *c, int today);

//  After the calendar changed (broker_reload.h): recomputes the deadlines of a case on the
//  clock, accepted and not yet decided (a decided case keeps the deadlines it was decided
//  against), and publishes case.deadline_moved with `reason` for each deadline that moved.
//  True if the record changed, a deadline or `provisional`: the caller saves it.
bool broker_case_recalendar (broker_ctx_t *ctx, json_t *c, const char *reason);

#endif
