/*  broker_case.h — cases (办件): intake at the counter, the automatic checks, the back
    office's decisions on the legal clock, and hand-out.

    A case lives only in the store (a busy hall keeps years of them): its record in the
    `cases` database, open ones also listed in `open_cases`, and three indexes — by token
    (the ticket's QR code follows the citizen: 一码通办), by applicant and item (duplicate
    check), and by case number + event sequence (the audit trail, read from the journal).

    Case life:

        intake ──accept──────────────────────► accepted ──review──► in_review
          │  └─supplement──► supplement_pending ──received──┘  ▲       │  │
          └─not_accepted (final)                               │       │  ├─approve─► approved (final)
                                                               │       │  │           or awaiting_pickup
        accepted/in_review ──request_supplement──► supplement_pending ─┘  │              ──hand_out──► collected
        accepted/in_review ──special_start──► special_procedure ─special_end┘  └─deny──► denied (final)
        any open state ──withdraw──► withdrawn (final)

    The clock (《行政许可法》): working days (broker_calendar.h); the day of acceptance does not
    count; supplement after acceptance and special procedures stop it (Art. 45); one
    extension per case of up to the item's max_extension_days (Art. 42). Deadlines are
    days (yyyymmdd) in the hall's local date; a deadline past the published calendar is
    flagged provisional. Warnings (yellow, red at configured fractions of the promised
    limit; overdue past the promised deadline; statutory_overdue past the statutory one)
    are raised once each, by the daily timer, as case.warning events.

    The intake checks (the "digital employee", broker_idcheck.h): ID number format, check
    character, birth date, region; USCC format, charset and check character (its
    organisation-code check is advisory); phone format; required documents present; no
    open case of the same applicant for the same item. A failed check refuses the request
    with `check_failed` and the list of checks, unless the clerk overrides that check with
    a reason; overrides are recorded on the case. Nothing fails silently.

    Privacy: ID and phone numbers are masked in events, status and queue views; only
    case.get (counter and back office) shows them whole. */
#ifndef BROKER_CASE_H
#define BROKER_CASE_H

#include "broker_handlers.h"

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

#endif
