/*  broker_handlers.c — see broker_handlers.h. */
#include "broker_handlers.h"

#include "broker_admin.h"
#include "broker_appt.h"
#include "broker_case.h"
#include "broker_intake.h"
#include "broker_notify.h"
#include "broker_rating.h"
#include "broker_snapshot.h"
#include "broker_supplement.h"
#include "broker_ticket.h"
#include "broker_vault.h"

//  A command without a handler here does not compile: the table and the modules agree.
broker_handler_fn *const broker_handlers[PROTO_CMD_COUNT] = {
#define X(id, fn, name, roles, flags, fields, summary) [PROTO_CMD_##id] = broker_h_##fn,
    PROTO_COMMANDS (X)
#undef X
};
