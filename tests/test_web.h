/*  test_web.h — what the web gateway's suite (web_it) shares between its two files:
    test_web_it.c starts the hall (a broker on a simulated clock and the gateway), holds
    the HTTP helpers and the tests over plain sockets, and registers every test;
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

#define WEB_IT_TICKETS 16 //  tickets remembered with their tokens

//  The suite's hall: one broker, one gateway, the tickets issued so far.
typedef struct {
    test_broker_t broker;
    proto_client_t *client;
    pid_t gateway;
    int port; //  the gateway's, on 127.0.0.1
    char log[700];
    struct {
        char number[16];
        char token[PROTO_TOKEN_LEN + 1];
    } tickets[WEB_IT_TICKETS];
    int ntickets;
    char served[16]; //  the ticket counter 1 serves (its case, its rating)
    char served_token[PROTO_TOKEN_LEN + 1];
    char case_no[64];
} web_it_hall_t;

extern web_it_hall_t web_it_hall;

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

//  test_web_browser.c: headless Chromium on the board and dashboard (DOM, screenshots).
void test_web_browser (void);
//  test_web_browser.c: open pages follow calls as they happen (DevTools over a pipe).
void test_web_browser_live (void);

#endif
