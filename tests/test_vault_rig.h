/*  test_vault_rig.h — the smart document cabinet (智能柜) rig of test_vault_it.c and
    test_vault_faults_it.c: real processes in one temp directory, the broker (on a
    simulated clock that starts at the real time, so the vault's real-clock times are
    believable to it), onewindow-boardsim on a pseudo-terminal (doors and the person driven
    through its control socket), and onewindow-vault with a small cabinet config written
    here, reading scanned lines from a FIFO (and the staff reader's from another) and camera frames
   (PNG files made by the independent `qrencode` CLI) from a folder, its screen as JSON lines in a
   file read line by line. Waits are bounded waits for an event or a state, never sleeps.

    The cabinet (CU16; one test on 8A boards): two boards of 4 locks,
        S01 1/1  S02 1/2  M01 1/3  M02 1/4  L01 2/1  L02 2/2
    so a result of size M goes to M01 first; vrig_start_opts takes another cabinet (slots,
    boards, baud rate, poll period). One rig runs at a time: a suite's teardown
    (vrig_teardown) stops it, also after a fatal assert. */
#ifndef TEST_VAULT_RIG_H
#define TEST_VAULT_RIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "test_util.h"

#define ID_OK     "11010519491231002X" //  valid, check character X; PIN "002X"
#define ID_2      "110105198001010016"
#define PHONE     "13812345678"
#define BADGE     (vrig ()->badge) //  the rig's enrolled staff badge (its code)
#define STAFF_PIN "240517"         //  ... and its holder's staff PIN
#define CABINET   "T1"
#define WAIT_MS   10000
#define DAY       86400000LL
#define URL       "http://127.0.0.1:8080/t/"

//  A slot of the cabinet.
typedef struct {
    const char *slot;
    char size;
    int board;
    int lock;
} vrig_slot_t;

#define VRIG_NSLOTS 6
extern const vrig_slot_t vrig_cab[VRIG_NSLOTS];

//  How a rig starts; zeros are the defaults of vrig_start.
typedef struct {
    const char *proto;            //  "cu16" or "8a"
    bool pin_hall;                //  see vrig_start
    const char *const *sim_extra; //  more simulator arguments (NULL ended), or NULL
    const vrig_slot_t *slots;     //  the cabinet's slots; NULL: vrig_cab
    size_t nslots;                //  how many
    const char *boards;           //  the cabinet's "boards" list as JSON text, or NULL
    int baud;                     //  the cabinet's baud rate; 0: the protocol's factory rate
    int poll_ms;                  //  the cabinet's poll period; 0: 50
    const char *server_key;       //  CURVE: the broker's public file is also written at this
                                  //  path in the rig's folder and given to the vault, run from
                                  //  that folder, as --server-key (with --key vault.key); the
                                  //  rig's client is an enrolled admin; no event subscription
} vrig_opts_t;

//  The rig: a broker, a board simulator and a vault in one temp directory.
typedef struct {
    char dir[512];
    //  broker
    test_broker_t b;
    char hall[540]; //  hall config used
    int64_t t0;     //  the broker's simulated clock started here (real time)
    proto_client_t *c;
    //  board simulator
    pid_t sim_pid;
    char proto[8];
    char link[700];
    char control[700];
    char sim_log[700];
    int ctl;                  //  control connection
    vrig_opts_t opts;         //  how it was started
    const vrig_slot_t *slots; //  the cabinet's slots
    size_t nslots;
    //  vault
    pid_t vault_pid;
    char cab[700];
    char vdata[700];
    char scanner[700];
    char staff[700]; //  the staff reader's FIFO
    char badge[64];  //  a staff badge enrolled for 王芳 before the vault starts (STAFF_PIN)
    char frames[700];
    char screen[700]; //  its stdout: one JSON line per screen message
    char vlog[700];   //  its stderr
    int scan_fd;      //  our end of the scanner FIFO
    int staff_fd;     //  our end of the staff reader's FIFO
    int frame_seq;
    json_t *lines;     //  every screen line read so far
    size_t cursor;     //  vrig_wait looks from here
    size_t screen_off; //  bytes of the screen file already parsed
    //  events
    test_sub_t *sub; //  every event of the broker
} vrig_t;

//  The rig of the running test (one at a time).
vrig_t *vrig (void);
//  The short pause between two looks at a condition that has a deadline.
void vrig_pause (void);
//  True if the slot (as vault.status gives it) has `alarm` raised.
bool vrig_has_alarm (const json_t *slot, const char *alarm);
//  "HH:MM" of `ms` at a UTC offset (minutes), or in the local zone when `local`.
void vrig_hhmm (int64_t ms, int offset_min, bool local, char *out, size_t size);
//  Starts the vault (with OW_VAULT_CRASH=after_journal when `crash`) and waits until it has
//  read its doors and says it is ready. 0 / -1.
int vrig_vault_spawn (vrig_t *r, bool crash);
//  Enrols a staff badge for `name` with `pin` at the rig's cabinet (onewindow-vault
//  --enrol-badge, the PIN on standard input); its code into `code` (64 bytes), its id into
//  `id` (16 bytes) if not NULL. 0 / -1.
int vrig_enrol (vrig_t *r, const char *name, const char *pin, char *code, char *id);
//  Runs onewindow-vault with the rig's --config and --data and `args` (shell words); its
//  standard output (caller frees) and exit status.
char *vrig_vault_cmd (vrig_t *r, const char *args, int *status);
//  Stops the vault with `sig` and returns its wait status.
int vrig_vault_stop (vrig_t *r, int sig);
//  Starts everything. `proto` "cu16" or "8a"; `pin_hall` keeps the example hall's default,
//  biz_setup asking for the second factor, else biz_setup opts out of it (pickup_pin false);
//  `sim_extra` more simulator arguments (NULL ended).
int vrig_start (vrig_t *r, const char *proto, bool pin_hall, const char *const *sim_extra);
//  vrig_start with another cabinet.
int vrig_start_opts (vrig_t *r, const vrig_opts_t *opts);
//  The simulator's `state` line as JSON (caller frees).
json_t *vrig_sim_state (vrig_t *r);
//  Waits until the vault's log has `needle` `count` times or more; asserts it came.
void vrig_wait_log (vrig_t *r, const char *needle, int count);
//  Stops what runs (vault, simulator, broker) and removes the directory (kept with
//  $OW_KEEP_TMP). Safe on NULL and twice.
void vrig_stop (vrig_t *r);
//  Runs before every test: no rig yet.
void vrig_setup (void);
//  Runs after every test, also after a fatal assert: nothing is left running.
void vrig_teardown (void);
//  One control command; the reply line (caller frees), NULL if the simulator is gone.
char *vrig_ctl (vrig_t *r, const char *fmt, ...);
//  A control command that must answer "ok".
void vrig_act (vrig_t *r, const char *verb, int board, int lock);
//  Unlock pulses the simulator has seen on a door.
int vrig_pulses (vrig_t *r, int board, int lock);
//  True if the simulator's door is open.
bool vrig_door_open (vrig_t *r, int board, int lock);
//  A line on the vault's scanner (a code, or 4 digits).
void vrig_scan (vrig_t *r, const char *line);
//  A line on the vault's staff reader (a badge, a case's QR code, a staff PIN).
void vrig_staff_scan (vrig_t *r, const char *line);
//  Shows the camera a QR code of `text` made by the qrencode CLI: written elsewhere, then
//  renamed into the frames folder so the vault never sees half a file.
void vrig_show_qr (vrig_t *r, const char *text);
//  The first screen line from index `from` with `event` (and `slot`, if given), waiting up
//  to WAIT_MS for it; NULL if none came. Borrowed; *at gets its index.
json_t *vrig_find (vrig_t *r, size_t from, const char *event, const char *slot, size_t *at);
//  Waits for the next screen line with `event` (after the last one waited for); moves on
//  past it. Borrowed; asserts it came.
json_t *vrig_wait (vrig_t *r, const char *event, const char *slot);
//  Screen lines with `event` so far (from index `from`).
int vrig_count (vrig_t *r, size_t from, const char *event);
//  Sends a command, asserts its status and returns the reply (caller frees); a mismatch
//  prints the broker's message.
json_t *vrig_do (vrig_t *r, const char *command, json_t *body, int expect);
//  case.get of `no` (caller frees).
json_t *vrig_case_get (vrig_t *r, const char *no);
//  Waits until case `no` is in `state` (the vault's reports travel through its outbox).
void vrig_wait_case (vrig_t *r, const char *no, const char *state);
//  Asserts case `no` is in `state` now.
void vrig_expect_case (vrig_t *r, const char *no, const char *state);
//  The slot as the broker last heard of it (caller frees), or NULL.
json_t *vrig_slot (vrig_t *r, const char *slot);
//  Waits until the broker's mirror shows `slot` in `state` with (`present`) or without an
//  alarm (NULL: with no alarm at all), and its door `door` (NULL: either). All in one report,
//  so an older report cannot pass half of it. Returns the slot (caller frees); asserts.
json_t *vrig_wait_slot_door (vrig_t *r, const char *slot, const char *state, const char *alarm,
                             bool present, const char *door);
//  vrig_wait_slot_door with the door either way.
json_t *vrig_wait_slot (vrig_t *r, const char *slot, const char *state, const char *alarm,
                        bool present);
//  Waits until the broker's mirror shows the door of `slot` `door` ("open", "closed").
void vrig_wait_door (vrig_t *r, const char *slot, const char *door);
//  Next broker event with `topic` (and, when given, body field `key` equal to `value`),
//  within WAIT_MS; caller frees the body. Other events are skipped.
json_t *vrig_event (vrig_t *r, const char *topic, const char *key, const char *value);
//  Every event published so far with `topic` for case `no` (a marker clock.advance 0 ends it).
int vrig_count_case_events (vrig_t *r, const char *topic, const char *no);
//  Steps of the case's audit trail with `topic`.
int vrig_audit_count (vrig_t *r, const char *no, const char *topic);
//  A case awaiting pickup: a ticket, served at counter 1, biz_setup accepted with every
//  document (applicant `id`, phone PHONE), reviewed and approved. Copies its token and number.
void vrig_case (vrig_t *r, const char *id, char *token, char *no);
//  The staff deposit at the cabinet: badge, the case's code, a door opens (the first free M
//  slot, M01), documents in, door closed; the case is then ready for pickup there.
void vrig_deposit (vrig_t *r, const char *token, const char *no);
//  The citizen at an open pickup door takes the documents and closes it: collected.
json_t *vrig_take_and_close (vrig_t *r, const char *slot, const char *no);

#endif
