/*  broker_hall.h — the live hall in memory: counters, waiting lines and live tickets.

    Memory holds only what is live (tickets not yet in a final state, counter states and
    learned statistics); everything else stays in the store. The hall can always be rebuilt
    from the store (broker_hall_load), which is what start-up does and what the server does
    when a batch's commit fails: memory is never the only copy of anything acknowledged.

    Ticket life: waiting -> called -> serving -> done; called -> missed (void, or back in
    line, or a grace period during which ticket.requeue brings it back); serving ->
    waiting in another service (transfer); waiting -> cancelled; anything live -> expired
    when its business day ends or its grace period runs out. */
#ifndef BROKER_HALL_H
#define BROKER_HALL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "broker_config.h"
#include "broker_queue.h"
#include "broker_store.h"
#include "proto_token.h"

typedef enum {
    TICKET_WAITING,
    TICKET_CALLED,
    TICKET_SERVING,
    TICKET_DONE,
    TICKET_MISSED,
    TICKET_CANCELLED,
    TICKET_EXPIRED,
    TICKET_PARKED, //  挂起: set aside by a counter (the citizen fetches a document)
    TICKET_STATE_COUNT
} broker_ticket_state_t;

typedef enum {
    PRIORITY_NORMAL,
    PRIORITY_GREEN,       //  绿色通道: key enterprises, disabled, pregnant
    PRIORITY_ELDERLY,     //  elderly: called with the green channel
    PRIORITY_APPOINTMENT, //  预约: after the green channel, before walk-ins
    PRIORITY_COUNT
} broker_priority_t;

//  Calling classes, in the order the policy serves them.
typedef enum { CLASS_GREEN, CLASS_APPOINTMENT, CLASS_NORMAL, CLASS_COUNT } broker_class_t;

typedef enum {
    COUNTER_LOGGED_OUT,
    COUNTER_IDLE,
    COUNTER_CALLING,
    COUNTER_SERVING,
    COUNTER_PAUSED,
    COUNTER_STATE_COUNT
} broker_counter_state_t;

typedef struct broker_ticket {
    uint64_t id;      //  unique forever (the store key)
    char number[12];  //  "A023": prefix + daily sequence
    int service;      //  index into config->services (current queue)
    int from_service; //  service before a transfer, or -1
    broker_priority_t priority;
    broker_ticket_state_t state;
    char token[PROTO_TOKEN_LEN + 1]; //  the QR token; never in events or snapshots
    int day;                         //  business day issued, YYYYMMDD
    int64_t issued_ms;               //  original issue time (kept across transfers)
    int64_t order_key;               //  place in line; see broker_queue.h
    int64_t called_ms;               //  first call (0 if never): the end of the wait
    int64_t last_called_ms;          //  latest call (after a transfer, requeue or park):
                                     //  the start of the service being timed
    int64_t started_ms;              //  service start (0 if not yet)
    int64_t finished_ms;             //  time it reached a final state (0 while live)
    int64_t grace_until;             //  missed with grace: may be requeued until then
    int counter;                     //  counter id holding it (called/serving), else 0
    int last_counter;                //  counter that last called it
    int recalls;                     //  recalls of the current call
    int misses;                      //  times marked missed
    int ahead_at_issue;              //  people ahead when issued
    int64_t est_wait_at_issue_s;     //  estimate printed on the slip (-1 unknown)
    char reason[128];                //  cancel/expire reason
    bool stored;                     //  its token index and live mark are in the store
} broker_ticket_t;

typedef struct {
    int id;  //  window number
    int cfg; //  index into config->counters
    broker_counter_state_t state;
    uint32_t services;       //  services opened at login (subset of the config's)
    char clerk[64];          //  who is logged in (staff id or name)
    broker_ticket_t *ticket; //  called or serving ticket, or NULL
    int64_t login_ms;        //  when logged in
    int64_t since_ms;        //  when the current state began
    int served;              //  tickets finished or transferred this business day
    int cycle;               //  place in the profile's priority:normal cycle
    int64_t paused_ms;       //  when its latest pause began (0: none yet)
    int64_t back_ms;         //  while paused: when it is expected back (0: unknown)
    char pause_reason[128];
} broker_counter_t;

//  One service's figures for the business day (DOMAIN.md, "What halls report").
typedef struct {
    int64_t issued; //  tickets issued
    int64_t called; //  first calls
    int64_t served; //  finished
    int64_t missed, cancelled, transferred;
    int64_t over_wait;   //  called after waiting longer than over_wait_minutes
    int64_t sum_wait_ms; //  Σ (first call − issue)
    int64_t max_wait_ms;
    int64_t sum_service_ms; //  Σ (finish − call)
    int64_t rated;          //  ratings received, and per level 1..5
    int64_t rating[6];
} broker_day_service_t;

//  One counter's figures for the business day.
typedef struct {
    int64_t served;  //  finished or transferred
    int64_t open_ms; //  logged in and not paused
    int64_t busy_ms; //  calling or serving
    int64_t paused_ms;
} broker_day_counter_t;

typedef struct {
    int64_t n;      //  finished tickets learned from
    double mean_ms; //  call-to-finish time, running mean (window 50)
    double var_ms;  //  ... and its variance (ms squared, same window)
} broker_stats_t;

//  A booking still to check in (the wait estimates expect its citizen).
typedef struct {
    char code[PROTO_TOKEN_LEN + 1];
    int service;
    int64_t start_ms; //  the slot's start
} broker_booking_t;

typedef struct broker_hall {
    const broker_config_t *config;                            //  borrowed
    broker_counter_t *counters;                               //  one per config counter, same order
    broker_queue_t *queues[BROKER_MAX_SERVICES][CLASS_COUNT]; //  waiting lines
    broker_ticket_t **live;                                   //  live tickets sorted by id
    size_t nlive, caplive;
    broker_stats_t stats[BROKER_MAX_SERVICES];
    broker_stats_t stats_hour[BROKER_MAX_SERVICES][24]; //  ... by local hour of the call
    broker_day_service_t day_svc[BROKER_MAX_SERVICES];  //  today's figures per service
    broker_day_counter_t *day_ctr; //  today's figures per counter (config order)
    uint64_t next_id;              //  next ticket id
    uint64_t last_seq;             //  last event sequence number in the journal
    int day;                       //  current business day (YYYYMMDD), 0 before the first
    int case_day;                  //  local date of the last case-warning sweep
    int64_t appt_due;              //  earliest no-show time of a booking (0: none)
    int64_t grace_due; //  earliest end of a missed ticket's grace (0: none); never later than
                       //  the true one, so the timers need not walk every live ticket
    broker_booking_t *bookings; //  bookings still to check in, any day, unordered
    size_t nbookings, capbookings;
    int64_t arrive_sum_ms;      //  check-ins in their window since start: the sum of
    int arrive_n;               //  (check-in - slot start), and how many
    struct broker_learn *learn; //  how the hall behaves, for the estimates (broker_learn.h)
} broker_hall_t;

//  The bookings still to check in: add one (0 / -1 out of memory), forget one by code.
int broker_hall_booking_add (broker_hall_t *self, const char *code, int service, int64_t start_ms);
void broker_hall_booking_del (broker_hall_t *self, const char *code);

//  An empty hall for `config` (borrowed; must outlive the hall). NULL on out-of-memory.
broker_hall_t *broker_hall_new (const broker_config_t *config);
//  Frees the hall and its live tickets; sets *self_p to NULL.
void broker_hall_destroy (broker_hall_t **self_p);
//  Replaces memory with what the store holds (a transaction must be open). 0 / -1.
int broker_hall_load (broker_hall_t *self, broker_store_t *store);

//  Names for states and priorities, as on the wire.
const char *broker_ticket_state_name (broker_ticket_state_t s);
const char *broker_priority_name (broker_priority_t p);
int broker_priority_lookup (const char *name);
const char *broker_counter_state_name (broker_counter_state_t s);
broker_class_t broker_priority_class (broker_priority_t p);
//  True if the state is final (done, cancelled, expired, or missed without grace).
bool broker_ticket_final (const broker_ticket_t *t);

//  The counter with window number `id`, or NULL.
broker_counter_t *broker_hall_counter (broker_hall_t *self, int id);
//  The live ticket with `id`, or NULL.
broker_ticket_t *broker_hall_live (const broker_hall_t *self, uint64_t id);
//  The live ticket with this number on the current business day, or NULL.
broker_ticket_t *broker_hall_live_by_number (const broker_hall_t *self, const char *number);
//  A new live ticket (zeroed, with id assigned) added to the live set. NULL on OOM.
broker_ticket_t *broker_hall_ticket_new (broker_hall_t *self);
//  Puts a waiting ticket into its service's line / takes it out.
int broker_hall_enqueue (broker_hall_t *self, broker_ticket_t *t);
void broker_hall_dequeue (broker_hall_t *self, broker_ticket_t *t);
//  Removes a ticket that reached a final state from the live set and frees it.
void broker_hall_retire (broker_hall_t *self, broker_ticket_t *t);

//  Waiting tickets in a service (all classes).
size_t broker_hall_waiting (const broker_hall_t *self, int service);
//  Counters open (idle, calling or serving, not paused) that serve `service`.
int broker_hall_open_counters (const broker_hall_t *self, int service);

//  Writes the ticket into the open transaction; the first time also its token index and
//  live mark, which never change while it is live (rewriting them would copy a page of
//  each B-tree for nothing); the live mark goes when it reaches a final state.
void broker_hall_save_ticket (broker_hall_t *self, broker_store_t *store, broker_ticket_t *t);
//  The same from `view`, the ticket's public broker_ticket_json already built (for its event
//  and reply): the stored record is a shallow copy of it with the private fields added, the
//  same bytes as broker_ticket_json (t, true). `view` itself is left as it was.
void broker_hall_save_ticket_view (broker_hall_t *self, broker_store_t *store, broker_ticket_t *t,
                                   const json_t *view);
//  Writes the counter's state into the open transaction.
void broker_hall_save_counter (broker_hall_t *self, broker_store_t *store,
                               const broker_counter_t *c);
//  The same from `view`, the counter's broker_counter_json already built (for its event):
//  its nested ticket is shared, not rebuilt; `view` itself is left as it was.
void broker_hall_save_counter_view (broker_hall_t *self, broker_store_t *store,
                                    const broker_counter_t *c, const json_t *view);
//  Writes a service's statistics into the open transaction.
void broker_hall_save_stats (broker_hall_t *self, broker_store_t *store, int service);

//  Today's figures of a service / a counter as JSON. Caller owns it.
json_t *broker_day_service_json (const broker_day_service_t *d);
json_t *broker_day_counter_json (const broker_day_counter_t *d);
//  Writes today's figures of a service / counter into the open transaction.
void broker_hall_save_day_service (broker_hall_t *self, broker_store_t *store, int service);
void broker_hall_save_day_counter (broker_hall_t *self, broker_store_t *store, int cfg_index);
//  Forgets today's figures (a new business day).
void broker_hall_reset_day (broker_hall_t *self);

//  Ticket as JSON. `full` adds the token and store-only fields (for the store and for
//  the ticket's own holder); events and snapshots use full = false. Caller owns it.
json_t *broker_ticket_json (const broker_hall_t *self, const broker_ticket_t *t, bool full);
//  Reads a stored ticket. 0 / -1 (unknown service or malformed record).
int broker_ticket_from_json (const broker_hall_t *self, const json_t *j, broker_ticket_t *t);
//  Counter as JSON (state, services, clerk, current ticket). Caller owns it.
json_t *broker_counter_json (const broker_hall_t *self, const broker_counter_t *c);
//  The same, its "ticket" being `ticket` (a reference is taken), the public JSON of the
//  counter's ticket as it is now, already built; NULL builds it.
json_t *broker_counter_json_with (const broker_hall_t *self, const broker_counter_t *c,
                                  json_t *ticket);

#endif
