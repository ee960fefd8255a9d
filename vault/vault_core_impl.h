/*  vault_core_impl.h — the inside of vault_core_t, for the files that implement it and
    for no other module:

        vault_core.c         the controller's life: new, tick, the broker's sync
        vault_core_report.c  what it tells: the cabinet's screen, the journal, the slot
                             records, alarms, and the outbox of reports to the broker
        vault_core_doors.c   the slot state machine (vault_core.h) driven by the door and
                             occupancy sensors, as the board thread (vault_bus.h) reports
                             them: unlock, open, close, timeouts, start-up, offline boards
        vault_core_scan.c    the scanner, keypad, camera and staff reader: pickup codes,
                             the second factor, staff badges, deposits and recoveries,
                             codes held while in view, and each source's lockout

    Everything here works on one vault_core_t from one thread; the board thread only hands
    it events (vault_bus_next). */
#ifndef VAULT_CORE_IMPL_H
#define VAULT_CORE_IMPL_H

#include <jansson.h>

#include "vault_bus.h"
#include "vault_core.h"

typedef enum {
    ST_FREE,
    ST_RESERVED,
    ST_DEPOSIT_OPEN,
    ST_OCCUPIED,
    ST_PICKUP_OPEN,
    ST_OVERDUE,
    ST_RECOVERY_OPEN,
    ST_DISABLED,
    ST_COUNT
} vault_slot_state_t;

typedef enum { OP_NONE, OP_DEPOSIT, OP_PICKUP, OP_RECOVERY, OP_REMOTE, OP_COUNT } vault_slot_op_t;

//  Alarms on a slot (or the cabinet, for a lockout), as bits; their names are in
//  vault_core_report.c in this order.
#define A_AJAR        1u
#define A_JAMMED      2u
#define A_UNCOMMANDED 4u
#define A_OFFLINE     8u
#define A_INCIDENT    16u
#define A_LOCKOUT     32u
#define NALARMS       6

#define SYNC_MS            2000
#define OFFLINE_BACKOFF_MS 3000
#define PIN_WAIT_MS        60000
#define TICK_MS            20   //  how soon the board thread's news are looked at
#define NWRONG             64   //  distinct wrong codes remembered per source
#define NSEEN              16   //  camera codes remembered as in view
#define CAMERA_GAP_MS      2000 //  a code not seen this long has left the camera's view
#define CAMERA_HOLD_MS     3000 //  ... and one acted on is held this long even if it left

typedef struct {
    const vault_slot_cfg_t *cfg;
    vault_slot_state_t state;
    char case_no[64];
    unsigned alarms;
    bool sensed; //  the sensors have been read at least once, and the slot reconciled
    bool door_open;
    bool occupied;
    vault_slot_op_t op;      //  operation in progress
    int pulses;              //  unlock pulses for it, each saved before its frame is sent
    bool unlocking;          //  an unlock is with the board thread (not kept over a restart)
    bool missing;            //  its documents vanished without a pickup (a forced door...)
    bool seen_open;          //  the door opened for it
    int64_t op_time;         //  when it began, or the last pulse
    int64_t opened_at;       //  when the door was seen open
    bool proxy;              //  a pickup by a proxy's code
    int64_t command;         //  staff command behind it, 0 if none
    char staff[96];          //  a recovery's badge holder, "NAME (badge ID)", for the audit
    vault_slot_state_t prev; //  state to return to if it fails
} vault_slot_t;

//  A source's wrong codes in the lockout window, each once, and its lockout.
typedef struct {
    uint64_t wrong[NWRONG];   //  hashes of the distinct wrong codes
    int64_t wrong_at[NWRONG]; //  when each was first counted
    int nwrong;
    int64_t locked_until; //  locked out until then
} vault_source_state_t;

//  A code the camera showed and the vault acted on.
typedef struct {
    uint64_t code; //  its hash, 0: unused
    int64_t acted; //  when it was acted on
    int64_t seen;  //  when it was last in a frame
} vault_seen_t;

struct vault_core {
    const vault_config_t *cfg;
    vault_store_t *store;
    vault_bus_t *bus; //  the board thread, which owns the board driver
    proto_client_t *broker;
    FILE *out;
    bool json;
    vault_slot_t slots[VAULT_MAX_SLOTS];
    vault_badges_t *badges;                    //  the enrolled staff badges (borrowed)
    int64_t staff_until;                       //  staff mode (deposit, recovery) until then
    char staff_id[VAULT_BADGE_ID_LEN + 1];     //  the badge that opened staff mode
    char staff_name[80];                       //  its holder
    int rec_slot;                              //  a recovery waiting for the PIN: its slot
    char rec_case[64];                         //  ... its case ("": none waits)
    int64_t rec_until;                         //  ... until then
    vault_source_state_t src[VAULT_SRC_COUNT]; //  wrong codes and lockout of each source
    bool src_loaded;                           //  src[] read back from the store
    vault_seen_t seen[NSEEN];                  //  camera codes acted on, while in view
    char pin_case[64];                         //  pickup waiting for its second factor
    int pin_slot;
    int pin_tries;
    bool pin_proxy;
    int64_t pin_until;
    int64_t offline_until; //  do not try the broker before then
    int64_t next_sync;
    bool report_dirty;  //  slot states changed since the last report
    int utc_offset_min; //  the hall's local time (from vault.sync), for messages
};

//  vault_core_report.c

//  A message on the cabinet's screen (a text line, or a JSON object with --json), about
//  `slot` and `case_no` when given.
void vault_core_say (vault_core_t *self, const char *event, const vault_slot_t *slot,
                     const char *case_no, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));
//  Stores the slot's record (it survives a crash) and marks the states for a report.
void vault_core_save (vault_core_t *self, const vault_slot_t *s);
//  Reads the slot's record back at start-up (nothing if there is none).
void vault_core_load (vault_core_t *self, vault_slot_t *s);
//  Appends an event about slot `s` (or the cabinet, NULL) to the journal.
void vault_core_journal (vault_core_t *self, const char *event, const vault_slot_t *s,
                         const char *detail);
//  Queues a report for the broker (takes `body`); it is sent in order, exactly once.
void vault_core_outbox (vault_core_t *self, const char *command, json_t *body);
//  Every slot as vault.report gives it. Caller owns it.
json_t *vault_core_slots_json (vault_core_t *self);
//  An alarm for staff: on the screen, in the journal, and to the broker at once.
void vault_core_alarm (vault_core_t *self, vault_slot_t *s, unsigned alarm, const char *detail);
//  True if the broker may be tried now (there is one, and it answered lately).
bool vault_core_online (const vault_core_t *self);
//  A call (takes `body`) with the outcome: 0 ok, a proto_err_t, or PROTO_CLIENT_UNREACHABLE
//  (then the vault works offline for a few seconds before trying again). *reply is the
//  caller's.
int vault_core_call (vault_core_t *self, const char *command, json_t *body, const char *request_id,
                     json_t **reply);
//  Reports a staff command's result (id 0: none) and remembers it was done.
void vault_core_command_done (vault_core_t *self, int64_t id, const char *result);
//  Sets (value taken) or, with NULL, removes `key` in the local pickup record of a case.
void vault_core_pickup_mark (vault_core_t *self, const char *case_no, const char *key,
                             json_t *value);
//  The slot with this id, or NULL.
vault_slot_t *vault_core_slot_named (vault_core_t *self, const char *id);
//  Sends queued reports in order; stops at the first that cannot be delivered.
void vault_core_flush (vault_core_t *self);

//  vault_core_doors.c

//  Unlocks the slot's door once more: the pulse is saved (synced) before the board thread
//  gets it, so a crash at any moment after leaves a record that it may have gone out.
void vault_core_pulse (vault_core_t *self, vault_slot_t *s);
//  Begins an operation: journaled and synced before the unlock frame goes out.
void vault_core_begin (vault_core_t *self, vault_slot_t *s, vault_slot_op_t op,
                       vault_slot_state_t while_waiting, int64_t command, const char *why);
//  The operation failed before the door opened: back to where it was.
void vault_core_cancel (vault_core_t *self, vault_slot_t *s);
//  True if the slot can take an operation: read, no blocking alarm, none under way.
bool vault_core_usable (const vault_slot_t *s);
//  Takes the board thread's news: readings move the slots (a slot's first reading
//  reconciles it: an operation cut by a crash is settled from the sensors, never pulsed
//  again), unlock results start the door's timer, offline and online boards are told.
void vault_core_board_events (vault_core_t *self);
//  Doors that did not open (a second pulse, then jammed), doors left open (ajar), and
//  a second factor no longer awaited.
void vault_core_timers (vault_core_t *self);

//  vault_core_scan.c

//  Staff: opens a free slot of the right size for a case's result (`size` NULL: the
//  broker's); `command` is the staff command behind it, 0 if none.
void vault_core_deposit (vault_core_t *self, const char *code, const char *size, int64_t command);

#endif
