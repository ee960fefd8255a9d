/*  sim_world.h — the simulated hall day (docs/SIMULATOR.md): citizens and counters, each a
    small state machine moved by scheduled events (sim_heap) and by the broker's replies.

    The hall is what the broker's hall.info says (sim_world_hall): services and their
    configured mean service times, counters with their services and every scheduled break,
    the UTC offset, the appointment rules. The simulator never reads the broker's config
    file. How the hall behaves (true service times, arrivals, patience, clerks) is the
    scenario's (sim_scenario.h).

    Citizens reach the kiosk (a ticket, or a booking's check-in), wait, may give up (cancel
    their ticket, or be gone when called: recall, then missed), walk up, are served;
    counters open, call when someone waits for them (the longest idle first, or each after
    its clerk's reaction delay), take their breaks and pauses when next idle, close. Between
    events the broker's clock is moved to the next event's time (clock.advance), so a day
    takes seconds. What to do next depends on each reply, so requests go one at a time. */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim_client.h"
#include "sim_erlang.h"
#include "sim_heap.h"
#include "sim_scenario.h"

#define SIM_OVER_WAIT_MIN 30  //  over-wait threshold for over_wait_rate
#define SIM_RECALL_S      60  //  a counter recalls after 60 s and marks missed
#define SIM_MISS_S        120 //    after 120 s
#define SIM_MAX_ABSENCES  24  //  breaks and pauses of a counter in a day
#define SIM_MAX_BREAKS    4   //  the hall's scheduled breaks per counter (hall.info)

//  A citizen's state.
enum {
    SIM_CIT_WAITING = 1,
    SIM_CIT_CALLED,
    SIM_CIT_SERVING,
    SIM_CIT_DONE,
    SIM_CIT_MISSED,
    SIM_CIT_CANCELLED
};
//  A counter's state.
enum { SIM_CTR_OFF, SIM_CTR_IDLE, SIM_CTR_CALLED, SIM_CTR_SERVING, SIM_CTR_PAUSED, SIM_CTR_CLOSED };
//  What a scheduled event is (sim_event_t.kind).
enum {
    SIM_EV_ARRIVE = 1, //  a walk-in takes a ticket, or a booking checks in (who: citizen)
    SIM_EV_OPEN,       //  a counter logs in (who: counter index, as for the rest)
    SIM_EV_ABSENT,     //  a counter's break or pause is due (taken when it is next idle)
    SIM_EV_RESUME,     //  back from it
    SIM_EV_CLOSE,      //  a counter's closing time (early: when idle; else when drained)
    SIM_EV_CALL,       //  a clerk's reaction delay is over: call if someone waits
    SIM_EV_WALKUP,     //  the called citizen reaches the counter
    SIM_EV_RECALL,     //  the called citizen is not there: call again
    SIM_EV_NOSHOW,     //  ... still not there: missed
    SIM_EV_FINISH,     //  service ends
    SIM_EV_CANCEL,     //  a citizen gives up and cancels the ticket (who: citizen)
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
    double gone_u;    //  uniform draw: gone when called if below the share gone by then
    bool cancels;     //  ... and when they give up, they cancel the ticket at the kiosk
    //  What the broker said.
    long id;                                   //  ticket id, 0 until issued
    char number[16];                           //  ticket number
    char priority[16];                         //  priority of the ticket as issued
    char token[40];                            //  its token (to cancel it)
    int64_t issued, called, started, finished; //  Unix ms, 0 when not (yet)
    int64_t est, naive;                        //  estimates at issue (s), -1 when null
    int64_t est_lo, est_hi;                    //  the printed interval (s), -1 when null
    int64_t ahead;                             //  people ahead at issue, -1 when null
    int64_t plus1, les;                        //  the baselines at issue (s), -1: no answer
    int state;                                 //  SIM_CIT_*
    bool gone;                                 //  left before being called
    bool cancelled;                            //  cancelled before being called
    bool missed;                               //  marked missed at least once
    int counter;                               //  counter of the first call
} sim_cit_t;

//  A break or pause of a counter, as the clerk takes it.
typedef struct {
    int64_t at;     //  when it is due (taken when the counter is next idle)
    int64_t len_ms; //  how long
    bool planned;   //  one of the hall's scheduled breaks (else unannounced)
} sim_absence_t;

typedef struct {
    int id;                   //  window number
    uint32_t services;        //  bit i: serves service i
    int state;                //  SIM_CTR_*
    long cit;                 //  citizen at the counter, -1
    int64_t since;            //  when the current state began (for utilisation)
    int64_t idle_since;       //  when it last became idle (longest-idle calls first)
    int64_t open_ms, busy_ms; //  logged in and not paused; calling or serving
    int nbreaks;              //  the hall's scheduled breaks (local minutes)
    int break_from[SIM_MAX_BREAKS], break_to[SIM_MAX_BREAKS];
    sim_absence_t abs[SIM_MAX_ABSENCES]; //  the day's breaks and pauses, in time order
    int nabs, next_abs;                  //  ... and the next one not yet taken
    bool call_pending;                   //  a call is coming (the clerk's reaction)
    bool close_due, early;               //  closing time has come; closes before the others
} sim_ctr_t;

//  A running mean as the broker learns one (the baselines use it).
typedef struct {
    long n;
    double mean;
} sim_mean_t;

typedef struct {
    sim_client_t *client;                              //  to the private broker
    const sim_scenario_t *sc;                          //  how the hall behaves (borrowed)
    int64_t now, start, open, last_arrival, close;     //  Unix ms on the broker's clock
    int date, off;                                     //  YYYYMMDD; the hall's UTC offset
    sim_heap_t heap;                                   //  the agenda
    sim_rng_t react;                                   //  the clerks' reaction delays
    int nsvc;                                          //  services, in hall.info's order
    char prefix[SIM_MAX_SERVICES][4];                  //  ... their prefixes
    double config_s[SIM_MAX_SERVICES];                 //  ... configured mean service times
    int waiting[SIM_MAX_SERVICES];                     //  our mirror of the lines
    sim_mean_t handled[SIM_MAX_SERVICES];              //  call to finish, as observed
    int64_t les[SIM_MAX_SERVICES][3];                  //  last wait called, per class (ms)
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

//  Reads the hall from the broker's hall.info reply: services, counters and their scheduled
//  breaks, the UTC offset, the appointment rules (the broker's defaults when an older
//  broker does not send them). 0, or -1 with the reason on stderr.
int sim_world_hall (sim_world_t *w, const json_t *info);
//  Sets the day's times from the scenario's hours: local `date`, walk-ins for `hours` from
//  the kiosk's opening (0: until it stops), the hall closing half an hour after the last
//  walk-in at the latest. Needs w->off and w->sc.
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
