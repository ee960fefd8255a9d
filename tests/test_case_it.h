/*  test_case_it.h — what the two files of the case_it suite share: the hall's dates and
    identifiers, the client helpers (cit_: case integration test), and the tests of
   test_case_flow_it.c, which test_case_it.c registers with its own.

    Every helper asserts what it must and returns what the caller frees. */
#ifndef TEST_CASE_IT_H
#define TEST_CASE_IT_H

#include <jansson.h>
#include <stdbool.h>

#include "proto_client.h"
#include "test_util.h"

//  Monday 2026-03-09 09:00 in Beijing (UTC+8) = 2026-03-09T01:00:00Z.
#define T0 1773018000000LL
//  Monday 2026-12-28 09:00 in Beijing, the last week of the published calendar.
#define T_DEC 1798419600000LL
//  Tuesday 2026-03-10 07:30 in Beijing = Monday 2026-03-09T23:30:00Z: UTC is a day behind.
#define T_EARLY 1773099000000LL
#define HOUR    3600000LL
#define DAY     86400000LL

//  Identifiers (DOMAIN.md and hand-computed MOD 11-2 check characters).
#define ID_BAD         "110105194912310021" //  wrong check character (should be X)
#define ID_BAD_MASKED  "1101**************" //  first 4 only: never the last 4 (the pickup factor)
#define ID_OK          "11010519491231002X"
#define ID_FUTURE      "11010520300101001X" //  born 2030-01-01, check character right
#define ID_1           "110105198001010016"
#define ID_2           "110105198001010032"
#define ID_3           "110105198001010059"
#define ID_4           "110105198001010075"
#define ID_5           "110105198001010091"
#define USCC_OK        "91350100M000100Y43"
#define USCC_OK2       "914403001922038216"
#define USCC_BAD       "91350100M000100Y4Z" //  DOMAIN.md's invalid one: Z is outside the alphabet
#define USCC_BAD_CHECK "91350100M000100Y44" //  right alphabet, check character should be 3
#define PHONE          "13812345678"
#define PHONE_TYPED    "138-1234-5678"
#define PHONE_MASKED   "138****5678"

//  True if member `key` of `j` is JSON null (not merely absent).
bool cit_null (const json_t *j, const char *key);
//  Sends a command, asserts its status and returns the reply. A mismatch prints the
//  broker's message to help the reader of a failed run.
json_t *cit_do (proto_client_t *c, const char *command, json_t *body, int expect);
//  cit_do expecting ok, the reply dropped.
void cit_ok (proto_client_t *c, const char *command, json_t *body);
//  Moves the simulated clock on by `ms`.
void cit_advance (proto_client_t *c, long long ms);
//  Counter `counter` (logged in as 张三 if it was not) finishes what it holds and serves a
//  new ticket of `service`. Returns the ticket.issue reply.
json_t *cit_serve (proto_client_t *c, int counter, const char *service);
//  Every required document of an item (etc/hall.example.json).
json_t *cit_docs (const char *item);
//  An intake body; `docs` (taken) may be NULL for none.
json_t *cit_body (int counter, const char *item, const char *name, const char *id, const char *uscc,
                  const char *phone, json_t *docs);
//  case.accept with every document; asserts success, copies the case number into `no`
//  (48 bytes) when not NULL.
json_t *cit_accept (proto_client_t *c, int counter, const char *item, const char *id,
                    const char *uscc, char *no);
//  case.get of case `no`, asserted ok.
json_t *cit_get (proto_client_t *c, const char *no);
//  Asserts the state of a case by case.get.
void cit_expect_state (proto_client_t *c, const char *no, const char *state);
//  A case command on `no` with extra fields (taken; may be NULL).
json_t *cit_case_cmd (proto_client_t *c, const char *command, const char *no, json_t *extra,
                      int expect);
//  The entry of `checks` named `name`, or NULL (borrowed).
json_t *cit_check (const json_t *checks, const char *name);

//  Every event published so far (test_sub_until_now), asserting that the marker came.
json_t *cit_until_now (test_sub_t *sub, proto_client_t *c);
//  The case.warning events in `events` as "CASE_NO level" lines, in order, joined by "; ".
char *cit_warnings (const json_t *events);

//  The tests of test_case_flow_it.c: the legal clock, warnings, refused transitions,
//  immediate items, a crash in mid-review, refusals at intake and the queue, the audit
//  trail's devices.
void cit_test_clock_pauses_and_extension (void);
void cit_test_provisional_deadline (void);
void cit_test_local_date (void);
void cit_test_warnings_once (void);
void cit_test_bad_transitions (void);
void cit_test_immediate_item (void);
void cit_test_crash_in_review (void);
void cit_test_not_accepted_and_queue (void);
void cit_test_audit_devices (void);

#endif
