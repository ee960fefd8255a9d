/*  proto_table.h — the onewindow protocol, as one table.

    Every command the broker accepts, every error code it can return, every event topic it
    publishes and every role a device can hold are listed here once. The enum, the name
    lookup, the role check, the field validator, the broker's dispatcher, and the command
    index, the generated tables and the event field lists of PROTOCOL.md (printed by
    `onewindow admin protocol-table`, scripts/gen-protocol-tables) all follow these lists.
    Adding a command is one line here plus its handler `broker_h_<handler>`, defined in the
    broker module it belongs to and declared in that module's header (broker/broker_ticket.h,
    broker_case.h, ...); broker/broker_handlers.c puts it in the dispatch table, so a missing
    handler is a link error and a command can never be accepted without one.

    Field specs: space-separated `name:T` where T is s (string, 1..1024 bytes of UTF-8),
    i (integer), b (boolean), o (object), a (array), n (number); a trailing `?` makes the
    field optional. A body may carry no field that is not listed. Event bodies are declared
    field by field in the same syntax (PROTO_EVENT_TABLE below), each with its meaning, and
    proto_event_check holds a body to them.
*/
#ifndef PROTO_TABLE_H
#define PROTO_TABLE_H

//  Roles: one per device; a command lists the roles allowed to send it.
#define PROTO_ROLES(X)                                         \
    X (KIOSK, "kiosk", "ticket dispenser (取号机)")            \
    X (COUNTER, "counter", "counter terminal (窗口)")          \
    X (OFFICE, "office", "back-office terminal (后台审批)")    \
    X (VAULT, "vault", "document cabinet controller (智能柜)") \
    X (BOARD, "board", "hall display board (叫号屏)")          \
    X (MONITOR, "monitor", "manager monitor (大厅监控)")       \
    X (WEB, "web", "web gateway (网页网关)")                   \
    X (ADMIN, "admin", "hall administrator (管理员)")

//  Command flags: READ commands change nothing and are not recorded for idempotency;
//  WRITE commands run inside the batch transaction and their reply is recorded.
#define PROTO_READ  0
#define PROTO_WRITE 1

#define R_KIOSK   (1u << PROTO_ROLE_KIOSK)
#define R_COUNTER (1u << PROTO_ROLE_COUNTER)
#define R_OFFICE  (1u << PROTO_ROLE_OFFICE)
#define R_VAULT   (1u << PROTO_ROLE_VAULT)
#define R_BOARD   (1u << PROTO_ROLE_BOARD)
#define R_MONITOR (1u << PROTO_ROLE_MONITOR)
#define R_WEB     (1u << PROTO_ROLE_WEB)
#define R_ADMIN   (1u << PROTO_ROLE_ADMIN)
#define R_ANY     0xffu

//  X (ID, handler, "name", roles, flags, "fields", "summary")
#define PROTO_COMMANDS(X)                                                                                   \
    X (HALL_INFO, hall_info, "hall.info", R_ANY, PROTO_READ, "",                                            \
       "Hall name, services, counters, the event endpoint, protocol version and clock.")                    \
    X (HALL_SNAPSHOT, hall_snapshot, "hall.snapshot", R_ANY, PROTO_READ, "",                                \
       "Whole live hall state and the sequence number of the last event it includes.")                      \
    X (TICKET_ISSUE, ticket_issue, "ticket.issue", R_KIOSK | R_WEB | R_ADMIN, PROTO_WRITE,                  \
       "service:s priority:s?",                                                                             \
       "Issue a numbered ticket for a service; returns number, token, people ahead, wait.")                 \
    X (TICKET_STATUS, ticket_status, "ticket.status", R_ANY, PROTO_READ, "token:s",                         \
       "A ticket's state, people ahead and estimated wait, by its token.")                                  \
    X (TICKET_CANCEL, ticket_cancel, "ticket.cancel", R_KIOSK | R_COUNTER | R_WEB | R_ADMIN,                \
       PROTO_WRITE, "token:s reason:s?",                                                                    \
       "Cancel a waiting ticket, or a missed one within its grace (the citizen leaves).")                   \
    X (TICKET_REQUEUE, ticket_requeue, "ticket.requeue", R_KIOSK | R_COUNTER | R_ADMIN,                     \
       PROTO_WRITE, "token:s",                                                                              \
       "Put a missed ticket back in its queue while its grace period lasts.")                               \
    X (COUNTER_LOGIN, counter_login, "counter.login", R_COUNTER | R_ADMIN, PROTO_WRITE,                     \
       "counter:i services:a? clerk:s?",                                                                    \
       "Open a counter for some or all of its configured services.")                                        \
    X (COUNTER_PAUSE, counter_pause, "counter.pause", R_COUNTER | R_ADMIN, PROTO_WRITE,                     \
       "counter:i reason:s? minutes:i?",                                                                    \
       "Pause an idle counter (no calls until resumed); `minutes`: when it expects to be "                  \
       "back (a scheduled break's length if omitted during one), for the wait estimates.")                  \
    X (COUNTER_RESUME, counter_resume, "counter.resume", R_COUNTER | R_ADMIN, PROTO_WRITE,                  \
       "counter:i", "Resume a paused counter.")                                                             \
    X (COUNTER_LOGOUT, counter_logout, "counter.logout", R_COUNTER | R_ADMIN, PROTO_WRITE,                  \
       "counter:i", "Close a counter that holds no ticket.")                                                \
    X (TICKET_CALL_NEXT, ticket_call_next, "ticket.call_next", R_COUNTER | R_ADMIN, PROTO_WRITE,            \
       "counter:i", "Call the next ticket for this counter by the calling policy.")                         \
    X (TICKET_RECALL, ticket_recall, "ticket.recall", R_COUNTER | R_ADMIN, PROTO_WRITE,                     \
       "counter:i ticket:s?", "Announce the counter's called ticket again (重呼).")                         \
    X (TICKET_MISSED, ticket_missed, "ticket.missed", R_COUNTER | R_ADMIN, PROTO_WRITE,                     \
       "counter:i ticket:s?",                                                                               \
       "The called citizen did not come (过号); apply the hall's missed rule.")                             \
    X (TICKET_START, ticket_start, "ticket.start", R_COUNTER | R_ADMIN, PROTO_WRITE,                        \
       "counter:i ticket:s?", "The called citizen arrived; service starts.")                                \
    X (TICKET_FINISH, ticket_finish, "ticket.finish", R_COUNTER | R_ADMIN, PROTO_WRITE,                     \
       "counter:i ticket:s?", "Service of the counter's ticket is finished.")                               \
    X (TICKET_CALL_SPECIFIC, ticket_call_specific, "ticket.call_specific", R_COUNTER | R_ADMIN,             \
       PROTO_WRITE, "counter:i ticket:s reason:s",                                                          \
       "Call one waiting ticket out of turn, with the reason (audited).")                                   \
    X (TICKET_PARK, ticket_park, "ticket.park", R_COUNTER | R_ADMIN, PROTO_WRITE,                           \
       "counter:i ticket:s? reason:s?",                                                                     \
       "Set the counter's ticket aside (挂起), e.g. while the citizen fetches a document.")                 \
    X (TICKET_UNPARK, ticket_unpark, "ticket.unpark", R_COUNTER | R_ADMIN, PROTO_WRITE,                     \
       "counter:i ticket:s", "Call a parked ticket back to this counter.")                                  \
    X (TICKET_TRANSFER, ticket_transfer, "ticket.transfer", R_COUNTER | R_ADMIN, PROTO_WRITE,               \
       "counter:i to:s ticket:s?",                                                                          \
       "Move the ticket being served to another service's queue (转号).")                                   \
    X (CASE_ACCEPT, case_accept, "case.accept", R_COUNTER | R_ADMIN, PROTO_WRITE,                           \
       "counter:i item:s name:s id_number:s? id_type:s? uscc:s? phone:s? documents:a? "                     \
       "overrides:o? ticket:s?",                                                                            \
       "Accept an application (收件受理) from the ticket being served; runs the checks.")                   \
    X (CASE_SUPPLEMENT, case_supplement, "case.supplement", R_COUNTER | R_ADMIN, PROTO_WRITE,               \
       "counter:i item:s name:s id_number:s? id_type:s? uscc:s? phone:s? documents:a? "                     \
       "missing:a? overrides:o? ticket:s? notice_later:b?",                                                 \
       "Take in an incomplete application with a one-time notice of what is missing (补正), "             \
       "or with the notice to follow within 5 working days (`notice_later`).")                              \
    X (CASE_NOT_ACCEPTED, case_not_accepted, "case.not_accepted", R_COUNTER | R_ADMIN,                      \
       PROTO_WRITE,                                                                                         \
       "counter:i item:s name:s reason:s id_number:s? id_type:s? uscc:s? phone:s? ticket:s?",               \
       "Record an application refused at intake, with the written reason (不予受理).")                      \
    X (CASE_SUPPLEMENT_RECEIVED, case_supplement_received, "case.supplement_received",                      \
       R_COUNTER | R_OFFICE | R_ADMIN, PROTO_WRITE,                                                         \
       "case_no:s documents:a? overrides:o? clerk:s?",                                                      \
       "The missing documents arrived: the case is accepted, or its clock runs again.")                     \
    X (CASE_GET, case_get, "case.get", R_COUNTER | R_OFFICE | R_ADMIN, PROTO_READ, "case_no:s",             \
       "A case in full (applicant unmasked), for the counter and back office.")                             \
    X (CASE_QUEUE, case_queue, "case.queue", R_OFFICE | R_MONITOR | R_ADMIN, PROTO_READ,                    \
       "department:s? state:s?", "Open cases, most urgent deadline first, with warnings.")                  \
    X (CASE_REVIEW, case_review, "case.review", R_OFFICE | R_ADMIN, PROTO_WRITE,                            \
       "case_no:s clerk:s?", "Take an accepted case into review (审核).")                                   \
    X (CASE_APPROVE, case_approve, "case.approve", R_OFFICE | R_COUNTER | R_ADMIN, PROTO_WRITE,             \
       "case_no:s reason:s? clerk:s?", "Approve (准予); a physical result then awaits pickup.")             \
    X (CASE_DENY, case_deny, "case.deny", R_OFFICE | R_COUNTER | R_ADMIN, PROTO_WRITE,                      \
       "case_no:s reason:s clerk:s?", "Deny (不予许可), with the reason.")                                  \
    X (CASE_REQUEST_SUPPLEMENT, case_request_supplement, "case.request_supplement",                         \
       R_OFFICE | R_ADMIN, PROTO_WRITE, "case_no:s missing:a reason:s? clerk:s?",                           \
       "Ask for missing material after acceptance; the clock stops until it arrives.")                      \
    X (CASE_EXTEND, case_extend, "case.extend", R_OFFICE | R_ADMIN, PROTO_WRITE,                            \
       "case_no:s days:i reason:s approver:s clerk:s",                                                      \
       "Extend the limit by N working days (延期), approved by the 负责人 named, before the "          \
       "statutory deadline has passed; the applicant is told the reason.")                                  \
    X (CASE_SPECIAL_START, case_special_start, "case.special_start", R_OFFICE | R_ADMIN,                    \
       PROTO_WRITE, "case_no:s reason:s clerk:s?",                                                          \
       "Start a special procedure (特别程序: hearing, testing...); the clock stops.")                       \
    X (CASE_SPECIAL_END, case_special_end, "case.special_end", R_OFFICE | R_ADMIN, PROTO_WRITE,             \
       "case_no:s clerk:s?", "End the special procedure; the clock runs again.")                            \
    X (CASE_WITHDRAW, case_withdraw, "case.withdraw", R_COUNTER | R_OFFICE | R_ADMIN, PROTO_WRITE,          \
       "case_no:s reason:s? clerk:s?", "The applicant withdraws (撤回).")                                   \
    X (CASE_HAND_OUT, case_hand_out, "case.hand_out", R_COUNTER | R_ADMIN, PROTO_WRITE,                     \
       "case_no:s counter:i id_number:s? id_type:s?",                                                       \
       "Hand the result out at a counter (窗口出件), naming the collector's document checked.")             \
    X (CASE_AUDIT, case_audit, "case.audit", R_OFFICE | R_ADMIN, PROTO_READ, "case_no:s",                   \
       "Every step of a case from the journal: time, actor, reason.")                                       \
    X (CASE_AUTHORIZE_PROXY, case_authorize_proxy, "case.authorize_proxy",                                  \
       R_KIOSK | R_WEB | R_COUNTER | R_ADMIN, PROTO_WRITE,                                                  \
       "token:s proxy_name:s proxy_id_number:s? proxy_id_type:s?",                                          \
       "The applicant lets someone else collect (代领): a new pickup code for them.")                       \
    X (VAULT_DEPOSIT_CHECK, vault_deposit_check, "vault.deposit_check", R_VAULT | R_ADMIN,                  \
       PROTO_READ, "cabinet:s code:s",                                                                      \
       "May this scanned case be deposited? Its number and slot size.")                                     \
    X (VAULT_DEPOSITED, vault_deposited, "vault.deposited", R_VAULT | R_ADMIN, PROTO_WRITE,                 \
       "cabinet:s case_no:s slot:s clerk:s?",                                                               \
       "The door closed on the deposited result: ready for pickup; the citizen is notified.")               \
    X (VAULT_PICKUP_CHECK, vault_pickup_check, "vault.pickup_check", R_VAULT | R_ADMIN,                     \
       PROTO_READ, "cabinet:s code:s",                                                                      \
       "May this scanned code, or typed pickup code, open a door here? Which slot.")                        \
    X (VAULT_COLLECTED, vault_collected, "vault.collected", R_VAULT | R_ADMIN, PROTO_WRITE,                 \
       "cabinet:s case_no:s slot:s time:i proxy:b?",                                                        \
       "The door closed on an empty slot: the case is collected at that time.")                             \
    X (VAULT_RECOVERED, vault_recovered, "vault.recovered", R_VAULT | R_ADMIN, PROTO_WRITE,                 \
       "cabinet:s case_no:s slot:s clerk:s?",                                                               \
       "Staff took an uncollected result out: it goes back to the counter.")                                \
    X (VAULT_REPORT, vault_report, "vault.report", R_VAULT | R_ADMIN, PROTO_WRITE,                          \
       "cabinet:s slots:a name:s? alarm:o?",                                                                \
       "The cabinet's slots as its sensors see them, and any alarm.")                                       \
    X (VAULT_SYNC, vault_sync, "vault.sync", R_VAULT | R_ADMIN, PROTO_READ, "cabinet:s",                    \
       "The cabinet's work: pickup records (hashed codes) and pending staff commands.")                     \
    X (VAULT_COMMAND_DONE, vault_command_done, "vault.command_done", R_VAULT | R_ADMIN,                     \
       PROTO_WRITE, "cabinet:s id:i result:s", "A staff command was carried out (or failed).")              \
    X (VAULT_DEPOSIT_REQUEST, vault_deposit_request, "vault.deposit_request",                               \
       R_COUNTER | R_OFFICE | R_ADMIN, PROTO_WRITE, "cabinet:s code:s size:s? clerk:s?",                    \
       "A staff terminal asks a cabinet to open a slot for a case's result.")                               \
    X (VAULT_REMOTE_OPEN, vault_remote_open, "vault.remote_open", R_ADMIN, PROTO_WRITE,                     \
       "cabinet:s slot:s reason:s clerk:s?", "Open a slot remotely, with a reason (audited).")              \
    X (VAULT_STATUS, vault_status, "vault.status", R_ANY, PROTO_READ, "cabinet:s?",                         \
       "Every cabinet's slots, states, cases and alarms as last reported.")                                 \
    X (APPOINTMENT_BOOK, appointment_book, "appointment.book", R_KIOSK | R_WEB | R_ADMIN,                   \
       PROTO_WRITE, "service:s date:i slot:s name:s id_number:s? id_type:s? phone:s?",                      \
       "Book a slot (预约): one per person a day, within the slot's capacity.")                             \
    X (APPOINTMENT_CANCEL, appointment_cancel, "appointment.cancel", R_KIOSK | R_WEB | R_ADMIN,             \
       PROTO_WRITE, "code:s", "Cancel a booking before its slot.")                                          \
    X (APPOINTMENT_CHECKIN, appointment_checkin, "appointment.checkin", R_KIOSK | R_WEB | R_ADMIN,          \
       PROTO_WRITE, "code:s",                                                                               \
       "Check in at the kiosk: an appointment ticket inside the window, a normal one outside.")             \
    X (APPOINTMENT_LIST, appointment_list, "appointment.list",                                              \
       R_OFFICE | R_MONITOR | R_WEB | R_ADMIN, PROTO_READ, "date:i? service:s?",                            \
       "A day's bookings with their states.")                                                               \
    X (EVENTS_RANGE, events_range, "events.range", R_ANY, PROTO_READ, "from:i limit:i?",                    \
       "Journal events from sequence `from` (at most 1000): history for charts and audits.")                \
    X (TICKET_RATE, ticket_rate, "ticket.rate", R_WEB | R_COUNTER | R_ADMIN, PROTO_WRITE,                   \
       "token:s? counter:i? case_no:s? level:i comment:s?",                                                 \
       "Rate a finished visit (好差评): 5 非常满意 .. 1 非常不满意; 1-2 open a rectification. " \
       "With `case_no`, the concluded case the slip leads to (一事一评). By the slip's `token` "        \
       "(the citizen's phone page: role web), or a visit by `counter` (only that counter's "                \
       "rating pad: its last visit, within 10 minutes of the finish).")                                     \
    X (RATING_LIST, rating_list, "rating.list", R_OFFICE | R_MONITOR | R_WEB | R_ADMIN,                     \
       PROTO_READ, "state:s?",                                                                              \
       "Rectification items of bad ratings: stage, what each awaits, deadline; and the figures "            \
       "the hall is judged on.")                                                                            \
    X (RATING_VERIFY, rating_verify, "rating.verify", R_OFFICE | R_ADMIN, PROTO_WRITE,                      \
       "id:i result:s reason:s? clerk:s",                                                                   \
       "核实 a bad rating: `valid`, `invalid` (with the reason) or `appealed` to the supervising "        \
       "body.")                                                                                             \
    X (RATING_RECTIFY, rating_rectify, "rating.rectify", R_OFFICE | R_ADMIN, PROTO_WRITE,                   \
       "id:i answer:s clerk:s?", "整改: what was done about a bad rating verified valid.")                  \
    X (RATING_REVISIT, rating_revisit, "rating.revisit", R_OFFICE | R_ADMIN, PROTO_WRITE,                   \
       "id:i result:s contacted:b? note:s? clerk:s?",                                                       \
       "回访: the rater called back and told the outcome; closes the rectification.")                       \
    X (DEVICE_ENROLL, device_enroll, "device.enroll", R_ADMIN, PROTO_WRITE,                                 \
       "public_key:s role:s name:s", "Admit a device's CURVE public key in one role.")                      \
    X (DEVICE_REVOKE, device_revoke, "device.revoke", R_ADMIN, PROTO_WRITE, "device:s",                     \
       "Revoke a device (by public key or name): its next request is refused.")                             \
    X (DEVICE_LIST, device_list, "device.list", R_ADMIN, PROTO_READ, "",                                    \
       "Every enrolled device: key, name, role, when enrolled, when revoked.")                              \
    X (BACKUP, backup, "admin.backup", R_ADMIN, PROTO_READ, "dir:s",                                        \
       "Start a hot, compacting copy of the store into a new directory on the broker's host.")              \
    X (BACKUP_STATUS, backup_status, "admin.backup_status", R_ADMIN, PROTO_READ, "",                        \
       "The last backup: running, done (bytes, milliseconds) or failed (why).")                             \
    X (CLOCK_ADVANCE, clock_advance, "clock.advance", R_ADMIN, PROTO_WRITE, "ms:i",                         \
       "Advance the simulated clock (only when the broker runs --clock sim).")                              \
    X (CALENDAR_RELOAD, calendar_reload, "calendar.reload", R_ADMIN, PROTO_WRITE, "",                       \
       "Re-read the calendar's year files and move every open deadline they change (audited).")             \
    X (CASE_SUPPLEMENT_NOTICE, case_supplement_notice, "case.supplement_notice",                            \
       R_COUNTER | R_OFFICE | R_ADMIN, PROTO_WRITE, "case_no:s missing:a reason:s? clerk:s?",               \
       "The one-time notice (一次性告知) for an application taken in with `notice_later`, "            \
       "within 5 working days of receipt; later, it counts as accepted (Art. 32).")                         \
    X (CASE_SUPPLEMENT_WITHDRAW, case_supplement_withdraw, "case.supplement_withdraw",                      \
       R_OFFICE | R_ADMIN, PROTO_WRITE, "case_no:s reason:s clerk:s?",                                      \
       "Withdraw a 补正 request made after acceptance: the clock counts as if it never "                  \
       "stopped, and one complete request may replace it.")                                                 \
    X (NOTICE_LIST, notice_list, "notice.list", R_OFFICE | R_MONITOR | R_ADMIN, PROTO_READ,                 \
       "case_no:s? state:s? from:i? limit:i?",                                                              \
       "Notices to applicants (SMS) with their delivery states: a case's, or by state.")

//  X (ID, "code", "meaning")
#define PROTO_ERRORS(X)                                                                            \
    X (OK, "ok", "success")                                                                        \
    X (BAD_FRAME, "bad_frame", "the message is not [signature, command, request-id, body]")        \
    X (BAD_SIGNATURE, "bad_signature", "the first frame is not a signature this broker speaks")    \
    X (BAD_REQUEST_ID, "bad_request_id",                                                           \
       "request id is empty, longer than 64 bytes or not printable ASCII")                         \
    X (UNKNOWN_COMMAND, "unknown_command", "no such command")                                      \
    X (TOO_LARGE, "too_large", "the body is over the size limit")                                  \
    X (BAD_JSON, "bad_json", "the body is not valid JSON in UTF-8")                                \
    X (BAD_BODY, "bad_body", "the body is not a JSON object")                                      \
    X (MISSING_FIELD, "missing_field", "a required field is absent")                               \
    X (BAD_FIELD, "bad_field",                                                                     \
       "a field has the wrong type, an invalid value, or is not part of the command")              \
    X (FORBIDDEN, "forbidden", "this device's role may not send this command")                     \
    X (REQUEST_ID_REUSED, "request_id_reused",                                                     \
       "the request id was used before for another command or another body")                       \
    X (UNKNOWN_SERVICE, "unknown_service", "no such service in this hall")                         \
    X (UNKNOWN_COUNTER, "unknown_counter", "no such counter in this hall")                         \
    X (UNKNOWN_TICKET, "unknown_ticket", "no ticket (or booking) with this token, code or number") \
    X (NOT_LOGGED_IN, "not_logged_in", "the counter is not logged in")                             \
    X (COUNTER_PAUSED, "counter_paused", "the counter is paused")                                  \
    X (COUNTER_BUSY, "counter_busy", "the counter already holds a ticket")                         \
    X (NO_TICKET, "no_ticket", "the counter holds no ticket")                                      \
    X (WRONG_TICKET, "wrong_ticket", "the counter holds a different ticket than the one named")    \
    X (WRONG_STATE, "wrong_state",                                                                 \
       "the ticket, counter, case, booking, rating, command or backup is not in a state that "     \
       "allows this")                                                                              \
    X (QUEUE_EMPTY, "queue_empty", "nobody is waiting for this counter's services")                \
    X (NOT_SIMULATED, "not_simulated", "the broker's clock is real; it cannot be advanced")        \
    X (UNKNOWN_ITEM, "unknown_item", "no such service item in this hall")                          \
    X (UNKNOWN_CASE, "unknown_case", "no case with this number, or none that this code leads to")  \
    X (UNKNOWN_CABINET, "unknown_cabinet", "no cabinet with this id has reported")                 \
    X (UNKNOWN_RATING, "unknown_rating", "no rectification item with this id")                     \
    X (CHECK_FAILED, "check_failed",                                                               \
       "an intake check failed; the body lists the checks; override with a reason to proceed")     \
    X (CALENDAR_INVALID, "calendar_invalid",                                                       \
       "a calendar year file is wrong or unreadable; the calendar was not changed")                \
    X (STORE_FAILED, "store_failed", "the store could not commit; nothing was changed")            \
    X (INTERNAL, "internal", "an internal error; nothing was changed")

//  Event bodies. Every event carries the common fields, then its topic's own. Fields use the
//  syntax of command fields (`name:T`, `?` optional: absent, or null where the meaning says
//  so), except that an event's string may be empty and has no length limit, and that the
//  field `*` means "and any other field" (a cabinet's alarm is published as it was sent).
//  F ("name:T", "meaning")
#define PROTO_EVENT_COMMON(F)                                                                    \
    F ("seq:i", "sequence number, the same as frame 2: 1, 2, 3, ... over the life of the store") \
    F ("time:i", "when the change happened: Unix ms on the broker's clock")                      \
    F ("topic:s", "the topic, the same as frame 1")                                              \
    F ("by_device:s?", "CURVE broker, an event caused by a request: the enrolled name of "       \
                       "the device that sent it (its public key when the name is empty)")        \
    F ("device_key:s?", "with `by_device`: that device's public key (Z85)")

//  Event topics, each followed by its own fields: E (ID, "topic", "what it says; who
//  publishes it"), then one F ("name:T", "meaning") per field of its body. Objects are
//  those of PROTOCOL.md section 6: the public ticket (6.3), the counter (6.6), the masked
//  case view (6.10), the booking (6.16), the rectification (6.17), the cabinet and its
//  commands (6.18), the device (6.19).
#define PROTO_EVENT_TABLE(E, F)                                                                    \
    E (TICKET_ISSUED, "ticket.issued",                                                             \
       "A ticket was issued: `ticket.issue`, `appointment.checkin`.")                              \
    F ("ticket:o", "the new ticket (public ticket, 6.3)")                                          \
    F ("ahead:i", "people ahead at issue (6.5), as printed on the slip")                           \
    F ("est_wait_s:i?", "the simulated wait at issue in seconds (6.5), as on the slip; "           \
                        "null when no open counter will reach it")                                 \
    F ("est_wait_lo_s:i?", "the low end of its 80% interval in seconds, rounded as printed "       \
                           "(6.5); null with est_wait_s")                                          \
    F ("est_wait_hi_s:i?", "the high end of its 80% interval in seconds, rounded as printed "      \
                           "(6.5); null with est_wait_s")                                          \
    F ("naive_wait_s:i?", "the naive estimate at issue (6.5); null when no open counter "          \
                          "serves the service")                                                    \
    E (TICKET_CALLED, "ticket.called",                                                             \
       "A ticket was called to a counter, or called again: `ticket.call_next`, "                   \
       "`ticket.call_specific`, `ticket.unpark`, `ticket.recall`.")                                \
    F ("ticket:o", "the called ticket (6.3)")                                                      \
    F ("counter:i", "the counter's id (window number)")                                            \
    F ("counter_name:s", "the counter's name, e.g. `5号窗口 社保医保`")                            \
    F ("recall:i", "0 for a call, n for the n-th recall of this call (重呼)")                      \
    F ("reason:s", "why this ticket: `max_wait`, `green`, `appointment`, `fifo`, `weight` "        \
                   "(`ticket.call_next`, 6.5); `specific`, `unpark`, `recall`")                    \
    F ("wait_s:i?", "seconds from issue to this call; on the ticket's first call only")            \
    F ("note:s?", "`ticket.call_specific` only: the clerk's reason for the call out of turn")      \
    F ("est_new_s:o?",                                                                             \
       "every call but a recall: each service's prefix mapped to the "                             \
       "simulated wait of a `normal` ticket issued now, in seconds, or null (6.5)")                \
    E (TICKET_STARTED, "ticket.started", "Service of a called ticket started: `ticket.start`.")    \
    F ("ticket:o", "the ticket, now `serving` (6.3)")                                              \
    F ("counter:i", "the counter serving it")                                                      \
    E (TICKET_FINISHED, "ticket.finished", "Service was finished (办结): `ticket.finish`.")        \
    F ("ticket:o", "the ticket, now `done` (6.3)")                                                 \
    F ("counter:i", "the counter that served it")                                                  \
    F ("service_s:i", "whole seconds from the ticket's first call to the finish")                  \
    E (TICKET_MISSED, "ticket.missed", "The called citizen did not come (过号): `ticket.missed`.") \
    F ("ticket:o", "the ticket after the hall's missed rule (6.4)")                                \
    F ("counter:i", "the counter that called it")                                                  \
    F ("rule:s", "the hall's missed rule: `void`, `back` or `grace`")                              \
    F ("outcome:s", "what happened: `void`, `requeued` (rule `back`) or `grace`")                  \
    E (TICKET_REQUEUED, "ticket.requeued",                                                         \
       "A missed ticket went back in line within its grace period: `ticket.requeue`.")             \
    F ("ticket:o", "the ticket, `waiting` again (6.3)")                                            \
    E (TICKET_TRANSFERRED, "ticket.transferred",                                                   \
       "The ticket being served moved to another service's line (转号): `ticket.transfer`.")       \
    F ("ticket:o", "the ticket, already `waiting` in the new service (6.3)")                       \
    F ("counter:i", "the counter that transferred it")                                             \
    F ("from:s", "the service's prefix it left")                                                   \
    F ("to:s", "the service's prefix it is in now")                                                \
    E (TICKET_CANCELLED, "ticket.cancelled", "The citizen left: `ticket.cancel`.")                 \
    F ("ticket:o", "the ticket, `cancelled` (6.3)")                                                \
    F ("reason:s", "the reason given; `\"\"` when none was given")                                 \
    E (TICKET_PARKED, "ticket.parked", "A counter set its ticket aside (挂起): `ticket.park`.")    \
    F ("ticket:o", "the ticket, `parked` (6.3)")                                                   \
    F ("counter:i", "the counter that parked it")                                                  \
    F ("reason:s", "the reason given; `\"\"` when none was given")                                 \
    E (APPOINTMENT_BOOKED, "appointment.booked", "A slot was booked (预约): `appointment.book`.")  \
    F ("appointment:o", "the booking (6.16): without its code, its name and phone masked")         \
    E (APPOINTMENT_CANCELLED, "appointment.cancelled",                                             \
       "A booking was cancelled: `appointment.cancel`.")                                           \
    F ("appointment:o", "the booking, `cancelled` (6.16)")                                         \
    E (APPOINTMENT_CHECKED_IN, "appointment.checked_in",                                           \
       "A booking was checked in at a kiosk: `appointment.checkin`, after its `ticket.issued`.")   \
    F ("appointment:o", "the booking, `checked_in` (6.16)")                                        \
    F ("ticket:s", "the number of the ticket issued, e.g. `B003`")                                 \
    F ("in_window:b", "true if checked in within the booking's window (an `appointment` "          \
                      "ticket)")                                                                   \
    E (APPOINTMENT_NO_SHOW, "appointment.no_show",                                                 \
       "A booking's check-in window closed without a check-in (爽约): the no-show timer.")         \
    F ("appointment:o", "the booking, `no_show` (6.16)")                                           \
    E (TICKET_EXPIRED, "ticket.expired",                                                           \
       "A live ticket expired: its business day ended, or its grace period ran out (timers).")     \
    F ("ticket:o", "the ticket, `expired` (6.3)")                                                  \
    F ("reason:s", "`day_over` or `grace_over`")                                                   \
    E (COUNTER_CHANGED, "counter.changed",                                                         \
       "A counter's state changed: every counter command, and every ticket command or "            \
       "timer that moves its ticket (after that ticket's event).")                                 \
    F ("counter:o", "the whole counter (6.6)")                                                     \
    F ("action:s", "what changed it: `login`, `pause`, `resume`, `logout`, `call`, "               \
                   "`start`, `finish`, `missed`, `transfer`, `park`, `expire` or `day`")           \
    E (CASE_ACCEPTED, "case.accepted",                                                             \
       "An application was accepted (受理): `case.accept`; or it counts as accepted on its "     \
       "day of receipt because its one-time notice did not come within 5 working days "            \
       "(Art. 32): the case sweep.")                                                               \
    F ("case:o", "the case (masked view, 6.10)")                                                   \
    F ("intake:b", "`true`: an intake event (`case.audit` shows its checks); `false` when "        \
                   "the case was deemed accepted")                                                 \
    F ("deemed:b?", "`true` when the case was deemed accepted (Art. 32)")                          \
    F ("clerk:s?", "the clerk logged in at the intake counter, when there is one")                 \
    E (CASE_RECEIVED, "case.received",                                                             \
       "An incomplete application was taken in; the one-time notice of what is missing "           \
       "follows within 5 working days: `case.supplement` with `notice_later`.")                    \
    F ("case:o", "the case, `supplement_pending`, with `notice_due` (6.10)")                       \
    F ("missing:a", "what the intake found missing so far (strings); the notice may add to it")    \
    F ("notice_due:i", "the last day for the one-time notice (`YYYYMMDD`)")                        \
    F ("intake:b", "`true`")                                                                       \
    F ("clerk:s?", "the clerk logged in at the intake counter, when there is one")                 \
    E (CASE_SUPPLEMENT_REQUESTED, "case.supplement_requested",                                     \
       "Material is missing, all of it told at once (一次性告知): an incomplete intake "      \
       "(`case.supplement`), the notice that followed one (`case.supplement_notice`), or the "     \
       "back office's request (`case.request_supplement`).")                                       \
    F ("case:o", "the case, `supplement_pending` (6.10)")                                          \
    F ("missing:a", "what is asked for (strings)")                                                 \
    F ("intake:b?", "`true` from `case.supplement`")                                               \
    F ("reason:s?", "from `case.request_supplement` and `case.supplement_notice`: its reason, "    \
                    "`\"\"` when none was given")                                                  \
    F ("supplement_due:i?", "the last day to bring it (`YYYYMMDD`); absent when the hall sets "    \
                            "no limit (`cases.supplement_days` 0)")                                \
    F ("clerk:s?", "the clerk who acted, when known")                                              \
    E (CASE_SUPPLEMENT_RECEIVED, "case.supplement_received",                                       \
       "The missing material arrived: `case.supplement_received`.")                                \
    F ("case:o", "the case, accepted or back in its state (6.10)")                                 \
    F ("clerk:s?", "the request's `clerk`, when given")                                            \
    E (CASE_SUPPLEMENT_WITHDRAWN, "case.supplement_withdrawn",                                     \
       "A 补正 request after acceptance was withdrawn; the clock counts as if it had not "       \
       "stopped: `case.supplement_withdraw`.")                                                     \
    F ("case:o", "the case, back in its state (6.10)")                                             \
    F ("reason:s", "why it was withdrawn")                                                         \
    F ("clerk:s?", "who, when given")                                                              \
    E (CASE_NOT_ACCEPTED, "case.not_accepted",                                                     \
       "An application was refused at intake (不予受理): `case.not_accepted`.")                    \
    F ("case:o", "the case, `not_accepted` (6.10)")                                                \
    F ("reason:s", "the written reason")                                                           \
    F ("intake:b", "`true`")                                                                       \
    F ("clerk:s?", "the clerk logged in at the intake counter, when there is one")                 \
    E (CASE_REVIEW_STARTED, "case.review_started", "A case was taken into review: `case.review`.") \
    F ("case:o", "the case, `in_review` (6.10)")                                                   \
    F ("clerk:s?", "the reviewer, when given")                                                     \
    E (CASE_APPROVED, "case.approved", "A case was approved (准予): `case.approve`.")              \
    F ("case:o", "the case, `awaiting_pickup` or `approved`; its `decision` holds the "            \
                 "reason (6.10)")                                                                  \
    F ("clerk:s?", "who decided, when given")                                                      \
    E (CASE_DENIED, "case.denied", "A case was denied (不予许可): `case.deny`.")                   \
    F ("case:o", "the case, `denied` (6.10)")                                                      \
    F ("reason:s", "why")                                                                          \
    F ("clerk:s?", "who decided, when given")                                                      \
    E (CASE_EXTENDED, "case.extended", "A case's limits were extended (延期): `case.extend`.")     \
    F ("case:o", "the case (6.10)")                                                                \
    F ("days:i", "working days added")                                                             \
    F ("reason:s", "why")                                                                          \
    F ("approver:s", "the 负责人 who approved the extension")                                      \
    F ("clerk:s", "the clerk who recorded it")                                                     \
    E (CASE_SPECIAL_STARTED, "case.special_started",                                               \
       "A special procedure began; the clock stops: `case.special_start`.")                        \
    F ("case:o", "the case, `special_procedure` (6.10)")                                           \
    F ("reason:s", "which procedure and why")                                                      \
    F ("clerk:s?", "who, when given")                                                              \
    E (CASE_SPECIAL_ENDED, "case.special_ended",                                                   \
       "The special procedure ended; the clock runs again: `case.special_end`.")                   \
    F ("case:o", "the case, back in its state (6.10)")                                             \
    F ("clerk:s?", "who, when given")                                                              \
    E (CASE_WITHDRAWN, "case.withdrawn",                                                           \
       "The applicant withdrew (撤回): `case.withdraw`; or the material asked for did not "      \
       "come by its date (逾期未补正): the case sweep.")                                           \
    F ("case:o", "the case, `withdrawn` (6.10)")                                                   \
    F ("reason:s", "the reason given; `\"\"` when none was given")                                 \
    F ("deemed:b?", "`true`: deemed withdrawn by the case sweep, the material asked for not "      \
                    "brought by its `supplement_due` (逾期未补正)")                                \
    F ("clerk:s?", "who recorded it, when given")                                                  \
    E (CASE_COLLECTED, "case.collected",                                                           \
       "The result was collected: at a counter (`case.hand_out`) or from a cabinet "               \
       "(`vault.collected`).")                                                                     \
    F ("case:o", "the case, `collected` (6.10)")                                                   \
    F ("counter:i?", "at a counter: the counter")                                                  \
    F ("clerk:s?", "at a counter: its clerk, when logged in with one")                             \
    F ("cabinet:s?", "from a cabinet: the cabinet's id")                                           \
    F ("slot:s?", "from a cabinet: the slot")                                                      \
    F ("proxy:b?", "from a cabinet: `true` if a proxy's code opened the door")                     \
    F ("collector:s?", "who collected: `applicant`, `proxy` (an authorised proxy, 代领) or, at " \
                       "a counter, `other` (a document the clerk accepted with a written "         \
                       "authorisation)")                                                           \
    F ("id_type:s?", "the type (6.13) of the document checked, when one was")                      \
    F ("id_number:s?", "its number, masked (6.10)")                                                \
    F ("proxy_name:s?", "`proxy` at a counter: the proxy's name, masked")                          \
    F ("factor:s?", "from a cabinet: the second factor asked (`id_last4`: the last 4 characters "  \
                    "of the applicant's document; `none`: the code alone, 6.18)")                  \
    E (CASE_WARNING, "case.warning",                                                               \
       "A deadline warning was raised: the case sweep at a new local date (6.15).")                \
    F ("case:o", "the case (6.10)")                                                                \
    F ("level:s", "`yellow`, `red`, `overdue`, `statutory_overdue`, `issue_overdue` or "           \
                  "`pickup_overdue`")                                                              \
    F ("elapsed_days:i?", "`yellow`, `red`, `overdue`, `statutory_overdue`: working days used "    \
                          "(6.12)")                                                                \
    F ("limit_days:i?", "with `elapsed_days`: the limit they are measured against")                \
    F ("issue_deadline:i?", "`issue_overdue`: the day by which the result was to be made "         \
                            "available (Art. 44)")                                                 \
    F ("cabinet:s?", "`pickup_overdue`: the cabinet holding the result")                           \
    F ("slot:s?", "`pickup_overdue`: its slot")                                                    \
    E (CASE_READY_FOR_PICKUP, "case.ready_for_pickup",                                             \
       "A result was put in a cabinet: `vault.deposited`.")                                        \
    F ("case:o", "the case, `ready_for_pickup`, with `pickup` (6.10)")                             \
    F ("cabinet:s", "the cabinet's id")                                                            \
    F ("slot:s", "the slot")                                                                       \
    F ("clerk:s?", "the request's `clerk`, when given")                                            \
    E (CASE_RECOVERED, "case.recovered",                                                           \
       "Staff took an uncollected result out of a cabinet: `vault.recovered`.")                    \
    F ("case:o", "the case, `awaiting_pickup` again (6.10)")                                       \
    F ("cabinet:s", "the cabinet's id")                                                            \
    F ("slot:s", "the slot")                                                                       \
    F ("clerk:s?", "the request's `clerk`, when given")                                            \
    E (CASE_PROXY_AUTHORIZED, "case.proxy_authorized",                                             \
       "The applicant let someone else collect (代领): `case.authorize_proxy`.")                   \
    F ("case:o", "the case; its `proxies` hold the new one, hashed (6.10)")                        \
    F ("proxy_name:s", "the proxy's name, masked (6.10)")                                          \
    F ("proxy_id_type:s?", "the type of the proxy's document, when it was given")                  \
    F ("proxy_id_number:s?", "its number, masked")                                                 \
    E (CASE_DEADLINE_MOVED, "case.deadline_moved",                                                 \
       "A deadline of an undecided case moved because the calendar changed: `calendar.reload`, "   \
       "SIGHUP; one event per deadline moved.")                                                    \
    F ("case:o", "the case with its new deadlines and `provisional` (6.10)")                       \
    F ("field:s", "`statutory_deadline` or `promised_deadline`")                                   \
    F ("from:i", "the deadline before, `YYYYMMDD`")                                                \
    F ("to:i", "the deadline now, `YYYYMMDD`")                                                     \
    F ("reason:s", "`calendar`: the calendar's year files changed (6.12)")                         \
    E (VAULT_CHANGED, "vault.changed", "A cabinet reported its slots: every `vault.report`.")      \
    F ("cabinet:o", "the whole cabinet as reported (6.18)")                                        \
    E (VAULT_ALARM, "vault.alarm", "A cabinet raised an alarm: `vault.report` with `alarm`.")      \
    F ("cabinet:s", "the cabinet's id")                                                            \
    F ("alarm:s?", "`onewindow-vault`: `ajar`, `jammed`, `uncommanded_open`, "                     \
                   "`board_offline`, `incident` or `lockout`")                                     \
    F ("detail:s?", "`onewindow-vault`: a sentence for staff")                                     \
    F ("slot:s?", "`onewindow-vault`: the slot concerned, if any")                                 \
    F ("case_no:s?", "`onewindow-vault`: the case in that slot, if any")                           \
    F ("*", "any other field of the report's `alarm` object, as the cabinet sent it (its "         \
            "own `time` is replaced by the event's)")                                              \
    E (VAULT_COMMAND, "vault.command",                                                             \
       "A staff command was queued for a cabinet: `vault.deposit_request`, "                       \
       "`vault.remote_open`.")                                                                     \
    F ("cabinet:s", "the cabinet's id")                                                            \
    F ("command:o", "the command (6.18)")                                                          \
    E (VAULT_COMMAND_DONE, "vault.command_done",                                                   \
       "A cabinet carried out a staff command, or gave up: `vault.command_done`.")                 \
    F ("cabinet:s", "the cabinet's id")                                                            \
    F ("command:o", "the command, with its `result` (6.18)")                                       \
    E (RATING_RECEIVED, "rating.received", "A visit was rated (好差评): `ticket.rate`.")           \
    F ("ticket:o", "the visit rated, `done` (6.3)")                                                \
    F ("level:i", "1 to 5 (5 非常满意)")                                                           \
    F ("counter:i", "the counter that last called the ticket")                                     \
    E (RATING_CASE_RECEIVED, "rating.case_received",                                               \
       "A case was rated (一事一评): `ticket.rate` with `case_no`.")                               \
    F ("case_no:s", "the case rated, concluded (6.10)")                                            \
    F ("item:s", "its service item")                                                               \
    F ("service:s", "the item's service prefix")                                                   \
    F ("department:s", "the department that decided it")                                           \
    F ("level:i", "1 to 5 (5 非常满意)")                                                           \
    F ("counter:i", "the counter that took the application in")                                    \
    E (RATING_BAD, "rating.bad",                                                                   \
       "A bad rating (1 or 2) opened a rectification item: `ticket.rate`, after its "              \
       "`rating.received` or `rating.case_received`.")                                             \
    F ("rectification:o", "the item, `received` (6.17)")                                           \
    E (RATING_VERIFIED, "rating.verified", "A bad rating was verified (核实): `rating.verify`.")   \
    F ("rectification:o", "the item, `valid`, `invalid` (with `verification`, `excluded`) or "     \
                          "`appealed` (with `appeal`) (6.17)")                                     \
    E (RATING_RECTIFIED, "rating.rectified",                                                       \
       "A bad rating was rectified (整改): `rating.rectify`.")                                     \
    F ("rectification:o", "the item, `rectified`, with `answer`, `clerk`, `rectified` (6.17)")     \
    E (RATING_REVISITED, "rating.revisited",                                                       \
       "The rater was called back (回访) and the rectification closed: `rating.revisit`.")         \
    F ("rectification:o", "the item, `closed`, with `revisit`, `closed`, `on_time` (6.17)")        \
    E (RATING_DEADLINE_MOVED, "rating.deadline_moved",                                             \
       "An open rectification's deadline moved because the calendar changed: `calendar.reload`, "  \
       "SIGHUP.")                                                                                  \
    F ("rectification:o", "the item with its new `deadline` and `provisional` (6.17)")             \
    F ("from:i", "the deadline before, `YYYYMMDD`")                                                \
    F ("to:i", "the deadline now, `YYYYMMDD`")                                                     \
    F ("reason:s", "`calendar`: the calendar's year files changed (6.12)")                         \
    E (DEVICE_CHANGED, "device.changed",                                                           \
       "A device was enrolled or revoked: `device.enroll`, `device.revoke`.")                      \
    F ("device:o", "the device (6.19)")                                                            \
    F ("action:s", "`enroll` or `revoke`")                                                         \
    E (HALL_DAY, "hall.day", "A new business day began (the day timer, 6.1).")                     \
    F ("day:i", "the new business day, `YYYYMMDD`")                                                \
    E (CLOCK_ADVANCED, "clock.advanced", "The simulated clock moved: `clock.advance`.")            \
    F ("ms:i", "the advance, in milliseconds")                                                     \
    F ("now:i", "the new time, Unix ms")                                                           \
    E (HALL_ESTIMATES, "hall.estimates",                                                           \
       "What a ticket taken now would wait, when that changed: published at most once a "          \
       "second after the hall changed. Not journaled: `seq` is the last journaled event's, a "     \
       "mirror applies it without checking the sequence, and `events.range` never returns it.")    \
    F ("est_new_s:o", "service prefix -> the simulated wait in seconds of a ticket taken now "     \
                      "(6.5); null when no open counter will reach it")

//  The topics alone: X (ID, "topic", "what it says; who publishes it").
#define PROTO_EVENT_NO_FIELD(spec, meaning)
#define PROTO_EVENTS(X) PROTO_EVENT_TABLE (X, PROTO_EVENT_NO_FIELD)

#endif
