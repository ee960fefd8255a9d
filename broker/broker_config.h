/*  broker_config.h — the hall model loaded from a JSON file (etc/hall.example.json).

    The file lists the hall, its services (each a queue with a letter prefix) and its
    counters (windows, each with the services it may serve), the numbering rule and the
    missed-number rule. docs/CONFIG.md describes every key. Loading checks everything and
    names the offending key in its error, so a hall manager can fix the file. */
#ifndef BROKER_CONFIG_H
#define BROKER_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Services are kept in a 32-bit mask per counter.
#define BROKER_MAX_SERVICES 32
#define BROKER_MAX_COUNTERS 256
#define BROKER_MAX_BREAKS   4 //  scheduled breaks per counter and day

typedef enum { BROKER_MISSED_VOID, BROKER_MISSED_BACK, BROKER_MISSED_GRACE } broker_missed_rule_t;

typedef struct {
    char prefix[3];     //  "A".."ZZ": ticket number prefix and the service's id
    char *name;         //  Chinese name, e.g. 企业开办
    char *name_en;      //  English name
    int mean_service_s; //  prior mean service time until learned from finished tickets
} broker_service_cfg_t;

#define BROKER_MAX_ITEMS 256
#define BROKER_MAX_DOCS  16

typedef enum { BROKER_ITEM_IMMEDIATE, BROKER_ITEM_PROMISED } broker_item_kind_t;
typedef enum {
    BROKER_APPLICANT_PERSON,
    BROKER_APPLICANT_COMPANY,
    BROKER_APPLICANT_EITHER
} broker_applicant_t;

typedef struct {
    char *id;   //  e.g. "application"
    char *name; //  e.g. 设立登记申请书
} broker_doc_cfg_t;

typedef struct {
    char *id;                     //  e.g. "biz_setup"
    char *name;                   //  e.g. 企业设立登记
    int service;                  //  index of the service whose counters take it in
    char *department;             //  back-office department that decides it
    broker_item_kind_t kind;      //  即办件 or 承诺件
    int statutory_days;           //  法定时限, working days
    int promised_days;            //  承诺时限, working days (<= statutory)
    int max_extension_days;       //  Art. 42: 10 unless the law says otherwise
    broker_applicant_t applicant; //  who may apply: a person (ID number), a company (USCC), either
    bool physical;                //  the result is a document to hand out (pickup)
    char result_size[2];          //  cabinet slot size the result needs: "S", "M" or "L"
    bool pickup_pin;              //  cabinet pickup also asks the last 4 of the applicant's ID
                                  //  (default; "pickup_pin": false opts the item out)
    int ndocs;
    broker_doc_cfg_t docs[BROKER_MAX_DOCS]; //  documents required at intake
} broker_item_cfg_t;

//  The applicant's notices (短信) and the SMS gateway they go to (broker_sms.h).
typedef struct {
    char *sms_url;       //  the gateway's endpoint, http(s)://...; "" = no gateway
    int timeout_s;       //  one POST's limit
    int retry_max_s;     //  longest wait between two attempts (the back-off's cap)
    char *pickup_hours;  //  取件时间 of the cabinets, told in a ready-for-pickup notice
    char *counter_hours; //  hours of the pickup counter, told with an approval to collect
} broker_notify_cfg_t;

//  Where and how long an applicant may challenge a refusal or a denial (行政复议法 Art. 20:
//  60 days; 行政诉讼法 Art. 46: 6 months), named in those notices.
typedef struct {
    char *review_body;      //  行政复议机关, e.g. 滨海新区人民政府 ("" = not named)
    int review_days;        //  days to apply for 行政复议
    char *litigation_court; //  the court of first instance ("" = not named)
    int litigation_months;  //  months to bring 行政诉讼
} broker_remedies_cfg_t;

//  How a counter chooses among waiting tickets (docs/POLICY.md): a work profile.
typedef struct {
    char *name;                      //  profile name, e.g. "企业开办专窗"
    int weight[BROKER_MAX_SERVICES]; //  per service; 0: not served by this profile
    int ratio_priority;              //  priority calls per cycle (0: priority always first)
    int ratio_normal;                //  normal calls per cycle
    int max_wait_min;                //  a ticket waiting longer goes first (0: never)
} broker_profile_cfg_t;

typedef struct {
    int id;            //  window number shown to citizens ("5 号窗口")
    char *name;        //  e.g. "5号窗口 社保医保"
    uint32_t services; //  bit i set: may serve services[i]
    int profile;       //  index into profiles (each counter has one; default built-in)
    int nbreaks;       //  scheduled breaks (午休轮岗): each day from..to, local minutes;
    int break_from[BROKER_MAX_BREAKS],
        break_to[BROKER_MAX_BREAKS]; //  the counter pauses
                                     //  when next idle after `from`, for to - from minutes
} broker_counter_cfg_t;

typedef struct {
    char *hall_id;      //  short id used in case numbers and logs
    char *hall_name;    //  Chinese name
    char *hall_name_en; //  English name
    int utc_offset_min; //  local time offset (China: 480); no DST in China
    int digits;         //  minimum digits of the number (A001: 3; busy halls 4)
    int reset_hour;     //  local hour at which the business day (and numbering) begins
    broker_missed_rule_t missed_rule;
    int missed_places;    //  rule "back": places to move back
    int missed_max;       //  rule "back": misses after which the ticket is void
    int missed_grace_min; //  rule "grace": minutes the citizen may come back
    char *missed_notice;  //  printed on slips
    char *status_url;     //  prefix of the QR URL ("" = the bare token)
    int idem_hours;       //  how long request ids are remembered
    int over_wait_min;    //  a wait longer than this counts as an over-wait (超时等候)
    int rectify_days;     //  working days from a bad rating to its close: 核实, 整改, 回访
    int nservices;
    broker_service_cfg_t services[BROKER_MAX_SERVICES];
    int ncounters;
    broker_counter_cfg_t *counters;
    int nprofiles;
    broker_profile_cfg_t *profiles; //  [0] is the hall's default
    int appt_slot_min;              //  appointment slot length (minutes)
    int appt_capacity;              //  bookings per service per slot
    int appt_early_min;             //  check-in this early still gets appointment priority
    int appt_late_min;              //  ... and this late; later still: a no-show
    int appt_days_ahead;            //  how far ahead one may book
    int appt_open_min[4];           //  opening periods, minutes from midnight: [from, to) pairs
    int appt_nperiods;
    int nitems;
    broker_item_cfg_t *items;
    json_t *departments;     //  {"market": "市场监督管理局", ...}: back-office departments
    char *calendar_path;     //  working-day calendar (directory or file), resolved
    double warn_yellow;      //  fraction of the limit used that raises a yellow warning
    double warn_red;         //  ... a red one
    int pickup_overdue_days; //  calendar days a result may wait in a cabinet before recovery
    int supplement_days;     //  working days to bring what a 补正 notice asks for (0: no limit)
    broker_notify_cfg_t notify;
    broker_remedies_cfg_t remedies;
} broker_config_t;

//  Loads and checks a hall config file. NULL on error with a one-line reason in `err`.
broker_config_t *broker_config_load (const char *path, char *err, size_t err_size);
//  Same, from JSON text.
broker_config_t *broker_config_parse (const char *text, char *err, size_t err_size);
//  Frees the config; sets *self_p to NULL. Safe on NULL.
void broker_config_destroy (broker_config_t **self_p);
//  Index of the service with this prefix, or -1.
int broker_config_service (const broker_config_t *self, const char *prefix);
//  Name of a department ("" if unknown).
const char *broker_config_department (const broker_config_t *self, const char *id);
//  Index of the service item with this id, or -1.
int broker_config_item (const broker_config_t *self, const char *id);
//  Index of the counter with this id, or -1.
int broker_config_counter (const broker_config_t *self, int id);
//  The missed rule's name: "void", "back" or "grace".
const char *broker_config_missed_name (broker_missed_rule_t rule);
//  Unix ms of the hall's local midnight that begins the calendar day of `ms`.
int64_t broker_local_midnight (const broker_config_t *self, int64_t ms);

#endif
