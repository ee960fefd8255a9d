/*  broker_handlers.h — the handler of each command of the protocol table, in one array
    indexed by proto_cmd_t, which is all the server needs to dispatch a request.

    Each module declares its own handlers, broker_h_<handler> for the table's handler
    column (broker_ticket.h, broker_case.h, broker_intake.h, broker_vault.h, broker_appt.h,
    broker_rating.h, broker_snapshot.h, broker_admin.h); broker_ctx.h says how a handler
    behaves. This file is the top floor: it calls into every module, and none calls back. */
#ifndef BROKER_HANDLERS_H
#define BROKER_HANDLERS_H

#include "broker_ctx.h"

//  The handler of each command, indexed by proto_cmd_t.
extern broker_handler_fn *const broker_handlers[PROTO_CMD_COUNT];

#endif
