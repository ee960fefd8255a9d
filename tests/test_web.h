/*  test_web.h — what the web gateway's suite (web_it) shares between its files:
    test_web_it.c starts the hall (a broker on a simulated clock and the gateway with both
    doors, its manager logged in) and holds the first tests over plain sockets, and
    registers every test; test_web_client.c is the HTTP client; test_web_doors.c the
    doors (public and staff, login, roles, Host, limits, the broker stopped);
    test_web_pages.c runs a busy day and checks the kiosk, board and dashboard on it;
    test_web_citizen.c the citizen's page in each state, test_web_report.c the report;
    test_web_browser.c holds the tests that drive headless Chromium. */
#ifndef TEST_WEB_H
#define TEST_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto_token.h"
#include "test_util.h"

#define WEB_IT_TICKETS  16                //  tickets remembered with their tokens
#define WEB_IT_CITIZEN  12                //  citizen's pages kept for the browser
#define WEB_IT_PASSWORD "boss-password-1" //  the manager's (boss)

//  The suite's hall: one broker, one gateway, the tickets issued so far.
typedef struct {
    test_broker_t broker;
    proto_client_t *client;
    pid_t gateway;
    int port;        //  the gateway's staff door, on 127.0.0.1
    int public_port; //  its public door
    char log[700];
    char users[700];  //  its accounts file
    char cookie[160]; //  "Cookie: ow_session=...\r\n": the manager's session
    struct {
        char number[16];
        char token[PROTO_TOKEN_LEN + 1];
    } tickets[WEB_IT_TICKETS];
    int ntickets;
    char served[16]; //  the ticket counter 1 serves (its case, its rating)
    char served_token[PROTO_TOKEN_LEN + 1];
    char case_no[64];
    struct {
        char name[24];         //  the state it shows ("waiting", "ready-care")
        char path[128];        //  /t/TOKEN[?care=1]
    } citizen[WEB_IT_CITIZEN]; //  test_web_citizen.c's pages, one per state
    int ncitizen;
} web_it_hall_t;

extern web_it_hall_t web_it_hall;

//  test_web_client.c: a loopback port nobody listens on right now.
int web_it_free_port (void);
//  test_web_client.c: a connection to 127.0.0.1:`port`, or -1.
int web_it_connect (int port);
//  test_web_client.c: sends all `n` bytes. True if it could.
bool web_it_send_all (int fd, const char *data, size_t n);

//  A received HTTP response.
typedef struct {
    int status;
    char *head; //  status line and headers
    char *body;
} web_it_resp_t;

//  METHOD path (HTTP/1.0) to the gateway's staff door as the manager, with an optional
//  form body; 0 once the whole answer is in *r (free it with web_it_resp_free), -1 if
//  none came.
int web_it_http (const char *method, const char *path, const char *form, web_it_resp_t *r);
//  The same to `port` with more `headers` (whole lines, each ending in CRLF; "" for none).
int web_it_request (int port, const char *method, const char *path, const char *headers,
                    const char *form, web_it_resp_t *r);
//  The value of header `name` (case-insensitive), copied into out; "" when absent.
const char *web_it_header (const web_it_resp_t *r, const char *name, char *out, size_t size);
//  Sends a whole raw request (headers and all) to the gateway; as web_it_http.
int web_it_raw (const char *request, web_it_resp_t *r);
//  GET path, as web_it_http.
int web_it_get (const char *path, web_it_resp_t *r);
//  Frees a response's head and body.
void web_it_resp_free (web_it_resp_t *r);
//  Milliseconds on the monotonic clock.
int64_t web_it_now_ms (void);
//  Sleeps `ms`.
void web_it_pause (int ms);
//  Waits until GET `path` answers 200 with a body holding `needle`. True if it did.
bool web_it_wait_for (const char *path, const char *needle, int timeout_ms);
//  Sends a command (body taken) to the broker, asserts its status is `expect`; the reply
//  (caller frees).
json_t *web_it_call (const char *command, json_t *body, int expect);
//  A string member, or "".
const char *web_it_str (const json_t *j, const char *key);
//  Issues a ticket of `service`, copies its number to `number` and remembers its token.
void web_it_issue (const char *service, char *number, size_t size);

//  test_web_doors.c: writes account NAME:ROLE (`spec`) with `password` into the gateway's
//  accounts file (onewindow-web --add-user): its exit status (0 written, 2 refused).
int web_it_add_user (const char *spec, const char *password);
//  test_web_doors.c: POST /login to `port`; the status (303 when in) and the session as a
//  header line "Cookie: ow_session=...\r\n" into `cookie` ("" when none).
int web_it_login (int port, const char *user, const char *password, char *cookie, size_t size);
//  test_web_doors.c: the public door serves citizens' pages only; logins and roles.
void test_web_doors (void);
//  test_web_doors.c: Host validation, per-client limits (429), 1,100 half-open connections.
void test_web_doors_limits (void);
//  test_web_doors.c: with the broker stopped, status pages do not hold the board up.
void test_web_doors_broker_stopped (void);
//  test_web_browser.c: the login page and a citizen's phone at the public door in
//  Chromium; leaves a logged-in profile the other browser tests copy.
void test_web_browser_login (void);

//  test_web_pages.c: moves the hall to a working Monday morning, busy (see there).
void test_web_pages_busy_day (void);
//  test_web_pages.c: the kiosk's priorities and its warning for a service with no counter.
void test_web_pages_kiosk (void);
//  test_web_pages.c: the board's recent calls and the call as WAV.
void test_web_pages_board (void);
//  test_web_pages.c: the dashboard's alerts, clerks, alarms and charts.
void test_web_pages_dashboard (void);
//  test_web_pages.c: a new ticket of service A served to its finish at counter 3; its
//  token, a visit to rate.
void test_web_pages_finished_visit (char *token, size_t size);
//  test_web_pages.c: the rating page's two steps over plain HTTP, and what they record.
void test_web_pages_rating (void);
//  test_web_citizen.c: /t/TOKEN in every state of a visit and its cases, 关怀模式 on /t/
//  and /kiosk; the pages kept in web_it_hall.citizen.
void test_web_citizen_states (void);
//  test_web_report.c: /report, /report.csv and format=json agree with `onewindow report`.
void test_web_report (void);
//  test_web_browser.c: the citizen's pages of test_web_citizen.c on a phone (390x844) and
//  the report printed (one A4 landscape page): facts and screenshots.
void test_web_browser_citizen (void);
//  test_web_browser.c: headless Chromium on the board and dashboard (DOM, screenshots).
void test_web_browser (void);
//  test_web_browser.c: open pages follow calls as they happen (DevTools over a pipe).
void test_web_browser_live (void);
//  test_web_browser.c: the busy day's pages at wall, TV, desktop, kiosk and phone sizes:
//  what must fit, screenshots, the kiosk's warning by touch, the board's voice.
void test_web_browser_layout (void);
//  test_web_browser.c: the rating page on a phone, scripts off: a level, a reason, a
//  comment, submitted; screenshots of both steps.
void test_web_browser_rating (void);

#endif
