/*  broker_notify.h — what the applicant is told (办件短信通知), and the outbox it leaves by.

    Every notice an applicant must get follows from a case event, so broker_case_emit asks
    here for each one (broker_notify_case) and nothing else has to remember to notify:

        event                          template              the applicant is told
        case.received                  case_received         material received; answer by
                                                             the notice due date (Art. 32)
        case.accepted                  case_accepted         accepted (or deemed accepted),
                                                             promised date (not 即办件)
        case.supplement_received       case_accepted         ... when it accepted the case
        case.supplement_requested      supplement_requested  the 补正 list, all of it, and
                                                             the date to bring it by
        case.supplement_withdrawn      supplement_withdrawn  the 补正 request is withdrawn
        case.withdrawn (deemed)        supplement_expired    逾期未补正: deemed withdrawn
        case.extended                  case_extended         days added, the reason, the
                                                             new promised date (Art. 42)
        case.approved                  case_approved         approved; where to collect
        case.denied                    case_denied           the reason, 行政复议 and
        case.not_accepted              case_not_accepted     行政诉讼: body, court, terms
        case.ready_for_pickup          ready_for_pickup      cabinet (its Chinese name),
                                                             slot, hours, date to collect by
        case.warning pickup_overdue    pickup_reminder       collect it, or at the counter

    Texts are Chinese only (the Chinese part of a bilingual name or reason, before " / "),
    address the applicant as 您, sign with the hall's name and end with a short link to the
    citizen's status page (status_url + the ticket's token). They never mention a QR code
    in the message: a text message holds none (the slip has the code).

    The outbox: a notice is written to the `notices` database in the same transaction as
    the change it tells of, under the next sequence number, with a stable `id` (the hall,
    the sequence and 8 random characters, so a store started afresh never reuses one), and
    listed under its case (`notice_case`). One to deliver is also in `notice_due`. After
    the commit the server hands it to the SMS sender (broker_sms.h), which sends it until
    the gateway answers 2xx, and records what every attempt gave back here, in a later
    batch (broker_notify_record). A notice recorded delivered is never sent again; one that
    may have reached the gateway before a crash is sent again at start with the same id
    (the gateway's Idempotency-Key).

    States: `pending` (to deliver; attempts may have failed), `delivered` (the gateway
    answered 2xx), `rejected` (it refused the notice for good: 4xx other than 408 and 429;
    not retried), `no_mobile` (the applicant gave no mobile number) and `no_gateway` (the
    hall has no notify.sms_url). Notices of brokers before this outbox have no state. */
#ifndef BROKER_NOTIFY_H
#define BROKER_NOTIFY_H

#include "broker_ctx.h"

//  The notice case event `evt` calls for, if any, queued for the case's applicant in the
//  open transaction (and in ctx->notices, for the server). `extra` is the event's own
//  fields (may be NULL). Call it before the event is emitted: it reads the case as the
//  event leaves it.
void broker_notify_case (broker_ctx_t *ctx, proto_evt_t evt, const json_t *c, const json_t *extra);
//  The notices of one case, oldest first, without the phone (the case has it). Caller
//  owns it.
json_t *broker_notify_case_list (broker_ctx_t *ctx, const char *case_no);
//  notice.list: notices with their delivery states, for the office.
int broker_h_notice_list (broker_ctx_t *ctx, const json_t *body);

//  Every notice still to deliver, oldest first (the server's start). A transaction must be
//  open. Caller owns the array.
json_t *broker_notify_pending (broker_store_t *store);
//  Records one delivery attempt's result (broker_sms_result) on its notice, at `now`, in
//  the open write transaction. A result for a notice no longer pending changes nothing.
void broker_notify_record (broker_store_t *store, const json_t *result, int64_t now);

#endif
