/*  broker_appt.h — appointments (预约).

    A citizen books a slot of a service on a working day (appointment.book): the slots are
    `slot_minutes` long inside the configured opening hours, each with `capacity` places
    per service; one booking per person a day (by ID number, or phone). The booking's code
    is a token (its QR code). On the day, the kiosk checks it in (appointment.checkin): from
    `early_minutes` before the slot to `late_minutes` after it the ticket has appointment
    priority (called after the green channel, before walk-ins); outside that window it is
    an ordinary ticket. A booking not checked in by the end of its window becomes a no-show
    (a timer on the broker's clock raises appointment.no_show). */
#ifndef BROKER_APPT_H
#define BROKER_APPT_H

#include "broker_ctx.h"

//  appointment.book: a place in a slot of a working day; the code is the booking's QR code.
int broker_h_appointment_book (broker_ctx_t *ctx, const json_t *body);
//  appointment.cancel: gives the place back before the slot begins.
int broker_h_appointment_cancel (broker_ctx_t *ctx, const json_t *body);
//  appointment.checkin: the kiosk issues the booking's ticket on its day.
int broker_h_appointment_checkin (broker_ctx_t *ctx, const json_t *body);
//  appointment.list: the bookings of a day (of one service).
int broker_h_appointment_list (broker_ctx_t *ctx, const json_t *body);

//  Appointment timers: bookings whose check-in window closed become no-shows.
void broker_appt_timers (broker_ctx_t *ctx);

#endif
