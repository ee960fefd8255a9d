/*  broker_intake.h — a case opened at the counter (收件), and the automatic checks that
    come with it (the "digital employee").

    The counter serving a ticket opens a case for a service item in one of three ways:
    accepted (受理: the legal clock starts, broker_case.h), supplement (补正: a one-time
    notice lists everything missing, 一次性告知) or not accepted (不予受理, with its reason).
    The case keeps the ticket's token, so its QR code follows the citizen (一码通办).

    The intake checks (broker_idcheck.h): the ID document number by its type (`id_type`, or
    the type an 18-character number names: format, type, check character, birth date,
    region, nationality; the nationality's listing is advisory); USCC format, charset and
    check character (its organisation-code check is advisory); phone format; required
    documents present; no open case of the same applicant (a person: the document's type
    and number; a company: its USCC) for the same item. A failed check refuses the request with
   `check_failed` and the list of checks, unless the clerk overrides that check with a reason;
   overrides are recorded on the case. Nothing fails silently. */
#ifndef BROKER_INTAKE_H
#define BROKER_INTAKE_H

#include "broker_ctx.h"

//  case.accept: opens an accepted case; the clock starts.
int broker_h_case_accept (broker_ctx_t *ctx, const json_t *body);
//  case.supplement: opens a case that waits for material, with the one-time notice.
int broker_h_case_supplement (broker_ctx_t *ctx, const json_t *body);
//  case.not_accepted: records a refused application with its reason.
int broker_h_case_not_accepted (broker_ctx_t *ctx, const json_t *body);
//  case.supplement_received: the awaited material arrives (or is waived, 容缺受理).
int broker_h_case_supplement_received (broker_ctx_t *ctx, const json_t *body);

#endif
