/*  sim_world.h — the simulated hall day (docs/SIMULATOR.md): citizens and counters, each a
    small state machine moved by scheduled events (sim_heap) and by the broker's replies.

    The hall is what the broker's hall.info says (sim_world_hall): services and their mean
    service times, counters with their services and scheduled breaks, the UTC offset, the
    appointment rules. The simulator never reads the broker's config file.

    Citizens reach the kiosk (a ticket, or a booking's check-in), wait, are called, walk up
    or are gone (recall, then missed), are served; counters open, call the longest-idle
    first when someone waits for them, take their lunch when next idle, close. Between
    events the broker's clock is moved to the next event's time (clock.advance), so a day
    takes seconds. What to do next depends on each reply, so requests go one at a time. */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim_client.h"
#include "sim_heap.h"

#define SIM_START_MIN     (8 * 60 + 30)  //  the simulation (and the kiosk) start at 08:30
#define SIM_OPEN_MIN      (9 * 60)       //  counters log in at 09:00
#define SIM_CLOSE_MIN     (17 * 60)      //  the hall closes at 17:00 (queue is served out)
#define SIM_LAST_MIN      (16 * 60 + 30) //  the kiosk stops at 16:30
#define SIM_LUNCH_MIN     (11 * 60 + 30) //  first lunch group; the second an hour later
#define SIM_LUNCH_LEN     60             //  minutes
#define SIM_SIGMA         0.6            //  lognormal sigma of service times (CV 0.66)
#define SIM_GREEN         0.03           //  share of walk-ins on the green channel
#define SIM_ELDERLY       0.05           //  share of walk-ins that are elderly
#define SIM_WALKUP_MIN_S  20.0           //  walking to the counter: 20 s + Exp (25 s)
#define SIM_WALKUP_EXP_S  25.0
#define SIM_GONE_BASE     0.02   //  P(citizen gone when called) = 0.02 + 0.10 ×
#define SIM_GONE_SLOPE    0.10   //    min (1, wait / 1 h)
#define SIM_RECALL_S      60     //  a counter recalls after 60 s and marks missed
#define SIM_MISS_S        120    //    after 120 s
#define SIM_APPT_NO_SHOW  0.10   //  bookings never checked in
#define SIM_APPT_MEAN_MIN (-8.0) //  check-in vs slot start: N (-8 min, 12 min)
#define SIM_APPT_SD_MIN   12.0
#define SIM_OVER_WAIT_MIN 30 //  over-wait threshold for over_wait_rate
#define SIM_MAX_SERVICES  32 //  services a hall may have here (a bit set per counter)

//  A citizen's state.
enum { SIM_CIT_WAITING = 1, SIM_CIT_CALLED, SIM_CIT_SERVING, SIM_CIT_DONE, SIM_CIT_MISSED };
//  A counter's state.
enum { SIM_CTR_OFF, SIM_CTR_IDLE, SIM_CTR_CALLED, SIM_CTR_SERVING, SIM_CTR_PAUSED, SIM_CTR_CLOSED };
//  What a scheduled event is (sim_event_t.kind).
enum {
    SIM_EV_ARRIVE = 1, //  a walk-in takes a ticket, or a booking checks in (who: citizen)
    SIM_EV_OPEN,       //  a counter logs in (who: counter index, as for the rest)
    SIM_EV_LUNCH,      //  a counter's lunch is due (taken when it is next idle)
    SIM_EV_RESUME,     //  back from lunch
    SIM_EV_CLOSE,      //  a counter's closing time (early: when idle; else when drained)
    SIM_EV_WALKUP,     //  the called citizen reaches the counter
    SIM_EV_RECALL,     //  the called citizen is not there: call again
    SIM_EV_NOSHOW,     //  ... still not there: missed
    SIM_EV_FINISH,     //  service ends
};

typedef struct {
    int svc;          //  service index
    const char *prio; //  requested priority: "normal", "green", "elderly", "appointment"
    bool appt;        //  a booking's check-in, not a walk-in
    char code[64];    //  the booking's code
    char slot[16];    //  the booked slot
    int64_t arrive;   //  when they reach the kiosk
    double service_s; //  how long their business takes at the counter
    double walkup_s;  //  how long they take to reach the counter
    double gone_u;    //  uniform draw: gone when called if below P(gone | wait)
    //  What the broker said.
    long id;                                   //  ticket id, 0 until issued
    char number[16];                           //  ticket number
    char priority[16];                         //  priority of the ticket as issued
    int64_t issued, called, started, finished; //  Unix ms, 0 when not (yet)
    int64_t est, naive;                        //  estimates at issue (s), -1 when null
    int state;                                 //  SIM_CIT_*
    bool gone;                                 //  left before being called
    bool missed;                               //  marked missed at least once
    int counter;                               //  counter of the first call
} sim_cit_t;

typedef struct {
    int id;                     //  window number
    uint32_t services;          //  bit i: serves service i
    int state;                  //  SIM_CTR_*
    long cit;                   //  citizen at the counter, -1
    int64_t since;              //  when the current state began (for utilisation)
    int64_t idle_since;         //  when it last became idle (longest-idle calls first)
    int64_t open_ms, busy_ms;   //  logged in and not paused; calling or serving
    bool lunch_due, lunch_done; //  lunch time has come; lunch taken
    int lunch_from, lunch_len;  //  the hall's scheduled break (local minutes; len 0: none
                                //  configured, the simulator's staggered default)
    bool close_due, early;      //  closing time has come; closes before the others
} sim_ctr_t;

typedef struct {
    sim_client_t *client;                              //  to the private broker
    int64_t now, start, open, last_arrival, close;     //  Unix ms on the broker's clock
    int date, off;                                     //  YYYYMMDD; the hall's UTC offset
    sim_heap_t heap;                                   //  the agenda
    int nsvc;                                          //  services, in hall.info's order
    char prefix[SIM_MAX_SERVICES][4];                  //  ... their prefixes
    double mean_s[SIM_MAX_SERVICES];                   //  ... mean service times
    int waiting[SIM_MAX_SERVICES];                     //  our mirror of the lines
    int appt_slot_min, appt_periods[4], appt_nperiods; //  the appointment rules
    sim_cit_t *cit;                                    //  citizens, in the order drawn
    long ncit, capcit;                                 //
    long *by_id;                                       //  ticket id -> citizen
    long nby_id;                                       //
    sim_ctr_t *ctr;                                    //  counters, in hall.info's order
    int nctr;                                          //
    long pending;                                      //  arrivals still to come
    long booked, booking_refused, appt_no_show;        //  appointments
    long appt_in_window, appt_outside;                 //  ... their check-ins
    long unexpected;                                   //  replies the model did not expect
} sim_world_t;

//  Reads the hall from the broker's hall.info reply: services, counters and their first
//  scheduled break, the UTC offset, the appointment rules (the broker's defaults when an
//  older broker does not send them). 0, or -1 with the reason on stderr.
int sim_world_hall (sim_world_t *w, const json_t *info);
//  Sets the day's times: local `date`, walk-ins for `hours` from 08:30 (0: until 16:30),
//  the hall closing half an hour after the last walk-in at the latest. Needs w->off.
void sim_world_times (sim_world_t *w, int date, double hours);
//  A new citizen, zeroed but for no estimates yet; NULL on out-of-memory.
sim_cit_t *sim_world_citizen (sim_world_t *w);
//  One request to the broker: the status (0 ok, an error code), -1 only when the broker is
//  gone. *reply as for sim_client_call.
int sim_world_request (sim_world_t *w, const char *command, json_t *body, json_t **reply);
//  Runs the day: every event in time order, the broker's clock moved to each; then the
//  counters that waited for the last arrival close. 0, or -1 when the broker is gone, the
//  run was interrupted, memory ran out or the day did not end.
int sim_world_run (sim_world_t *w);
//  Frees what the world holds (not the client).
void sim_world_free (sim_world_t *w);

#endif
