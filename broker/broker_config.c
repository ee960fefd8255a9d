/*  broker_config.c — see broker_config.h. */
#include "broker_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_text.h"

//  Copies an optional string; `def` when absent. -1 if present but not a string.
static int
s_str (json_t *obj, const char *key, const char *def, char **out, const char *where, char *err,
       size_t esz)
{
    json_t *v = json_object_get (obj, key);
    if (!v) {
        if (!def)
            return proto_fail (err, esz, "%s.%s is required (a string)", where, key);
        *out = strdup (def);
        return 0;
    }
    if (!json_is_string (v) || (!def && json_string_length (v) == 0))
        return proto_fail (err, esz, "%s.%s must be a%s string", where, key,
                           def ? "" : " non-empty");
    *out = strdup (json_string_value (v));
    return 0;
}

static int
s_int (json_t *obj, const char *key, int def, int min, int max, int *out, const char *where,
       char *err, size_t esz)
{
    json_t *v = json_object_get (obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_integer (v) || json_integer_value (v) < min || json_integer_value (v) > max)
        return proto_fail (err, esz, "%s.%s must be an integer from %d to %d", where, key, min,
                           max);
    *out = (int)json_integer_value (v);
    return 0;
}

const char *
broker_config_missed_name (broker_missed_rule_t rule)
{
    switch (rule) {
    case BROKER_MISSED_BACK: return "back";
    case BROKER_MISSED_GRACE: return "grace";
    default: return "void";
    }
}

//  The "cases" section (warning levels, calendar, pickup overdue) and the departments.
static int
s_parse_cases (broker_config_t *self, json_t *root, char *err, size_t esz)
{
    json_t *cases = json_object_get (root, "cases");
    if (cases && !json_is_object (cases))
        return proto_fail (err, esz, "\"cases\" must be an object");
    self->warn_yellow = 0.5;
    self->warn_red = 0.8;
    json_t *w = json_object_get (cases, "warnings");
    if (w) {
        json_t *y = json_object_get (w, "yellow"), *r = json_object_get (w, "red");
        if (!json_is_object (w) || (y && !json_is_number (y)) || (r && !json_is_number (r)))
            return proto_fail (err, esz,
                               "cases.warnings must be {\"yellow\": 0..1, \"red\": 0..1}");
        if (y)
            self->warn_yellow = json_number_value (y);
        if (r)
            self->warn_red = json_number_value (r);
        if (self->warn_yellow <= 0 || self->warn_red > 1 || self->warn_yellow >= self->warn_red)
            return proto_fail (err, esz, "cases.warnings needs 0 < yellow < red <= 1");
    }
    if (s_str (cases, "calendar", "calendar", &self->calendar_path, "cases", err, esz) ||
        s_int (cases, "pickup_overdue_days", 7, 1, 365, &self->pickup_overdue_days, "cases", err,
               esz) ||
        s_int (cases, "supplement_days", 20, 0, 365, &self->supplement_days, "cases", err, esz))
        return -1;
    json_t *depts = json_object_get (root, "departments");
    if (depts) {
        const char *k;
        json_t *v;
        if (!json_is_object (depts))
            return proto_fail (err, esz, "\"departments\" must map ids to names");
        json_object_foreach (depts, k, v)
            if (!json_is_string (v) || !*k)
                return proto_fail (err, esz, "departments.%s must be a name", k);
        self->departments = json_incref (depts);
    } else
        self->departments = json_object ();
    return 0;
}

//  One service item, items[i] (the ones before it parsed). 0 / -1.
static int
s_parse_item (broker_config_t *self, json_t *it, size_t i, char *err, size_t esz)
{
    char where[32];
    snprintf (where, sizeof where, "items[%zu]", i);
    if (!json_is_object (it))
        return proto_fail (err, esz, "%s must be an object", where);
    broker_item_cfg_t *item = &self->items[i];
    self->nitems = (int)i + 1;
    char *service = NULL, *kind = NULL, *applicant = NULL;
    int rc = s_str (it, "id", NULL, &item->id, where, err, esz) ||
             s_str (it, "name", NULL, &item->name, where, err, esz) ||
             s_str (it, "department", NULL, &item->department, where, err, esz) ||
             s_str (it, "service", NULL, &service, where, err, esz) ||
             s_str (it, "kind", NULL, &kind, where, err, esz) ||
             s_str (it, "applicant", "either", &applicant, where, err, esz);
    if (!rc) {
        item->service = broker_config_service (self, service);
        if (item->service < 0)
            rc = proto_fail (err, esz, "%s.service \"%s\" is not a service prefix", where, service);
        else if (strcmp (kind, "immediate") == 0)
            item->kind = BROKER_ITEM_IMMEDIATE;
        else if (strcmp (kind, "promised") == 0)
            item->kind = BROKER_ITEM_PROMISED;
        else
            rc = proto_fail (err, esz, "%s.kind must be \"immediate\" or \"promised\"", where);
    }
    if (!rc) {
        if (strcmp (applicant, "person") == 0)
            item->applicant = BROKER_APPLICANT_PERSON;
        else if (strcmp (applicant, "company") == 0)
            item->applicant = BROKER_APPLICANT_COMPANY;
        else if (strcmp (applicant, "either") == 0)
            item->applicant = BROKER_APPLICANT_EITHER;
        else
            rc = proto_fail (err, esz, "%s.applicant must be person, company or either", where);
    }
    free (service);
    free (kind);
    free (applicant);
    if (rc)
        return -1;
    for (int j = 0; j < (int)i; j++)
        if (strcmp (self->items[j].id, item->id) == 0)
            return proto_fail (err, esz, "%s.id \"%s\" is used twice", where, item->id);
    if (json_object_size (self->departments) &&
        !json_object_get (self->departments, item->department))
        return proto_fail (err, esz, "%s.department \"%s\" is not in \"departments\"", where,
                           item->department);
    bool immediate = item->kind == BROKER_ITEM_IMMEDIATE;
    if (s_int (it, "statutory_days", 0, 0, 365, &item->statutory_days, where, err, esz) ||
        s_int (it, "promised_days", immediate ? 0 : item->statutory_days, immediate ? 0 : 1,
               item->statutory_days, &item->promised_days, where, err, esz) ||
        s_int (it, "max_extension_days", 10, 0, 365, &item->max_extension_days, where, err, esz))
        return -1;
    if (!immediate && item->statutory_days == 0)
        return proto_fail (err, esz, "%s.statutory_days is required for a promised item", where);
    json_t *phys = json_object_get (it, "physical_result");
    if (phys && !json_is_boolean (phys))
        return proto_fail (err, esz, "%s.physical_result must be true or false", where);
    item->physical = json_is_true (phys);
    char *rsize = NULL;
    if (s_str (it, "result_size", "M", &rsize, where, err, esz))
        return -1;
    bool size_ok = strcmp (rsize, "S") == 0 || strcmp (rsize, "M") == 0 || strcmp (rsize, "L") == 0;
    if (size_ok)
        memcpy (item->result_size, rsize, 2);
    free (rsize);
    if (!size_ok)
        return proto_fail (err, esz, "%s.result_size must be S, M or L", where);
    json_t *pin = json_object_get (it, "pickup_pin");
    if (pin && !json_is_boolean (pin))
        return proto_fail (err, esz, "%s.pickup_pin must be true or false", where);
    //  On unless the item opts out: the slip alone must not open the cabinet.
    item->pickup_pin = !pin || json_is_true (pin);
    json_t *docs = json_object_get (it, "documents");
    if (docs && (!json_is_array (docs) || json_array_size (docs) > BROKER_MAX_DOCS))
        return proto_fail (err, esz, "%s.documents must be an array of at most %d", where,
                           BROKER_MAX_DOCS);
    size_t j;
    json_t *d;
    json_array_foreach (docs, j, d) {
        char dwhere[64];
        snprintf (dwhere, sizeof dwhere, "%s.documents[%zu]", where, j);
        if (!json_is_object (d))
            return proto_fail (err, esz, "%s must be {\"id\", \"name\"}", dwhere);
        item->ndocs = (int)j + 1;
        if (s_str (d, "id", NULL, &item->docs[j].id, dwhere, err, esz) ||
            s_str (d, "name", NULL, &item->docs[j].name, dwhere, err, esz))
            return -1;
    }
    return 0;
}

//  The case rules, the departments and the service items.
static int
s_parse_items (broker_config_t *self, json_t *root, char *err, size_t esz)
{
    if (s_parse_cases (self, root, err, esz))
        return -1;
    json_t *items = json_object_get (root, "items");
    if (!items)
        return 0;
    if (!json_is_array (items) || json_array_size (items) > BROKER_MAX_ITEMS)
        return proto_fail (err, esz, "\"items\" must be an array of at most %d items",
                           BROKER_MAX_ITEMS);
    self->items = calloc (json_array_size (items) + 1, sizeof *self->items);
    if (!self->items)
        return proto_fail (err, esz, "out of memory");
    size_t i;
    json_t *it;
    json_array_foreach (items, i, it)
        if (s_parse_item (self, it, i, err, esz))
            return -1;
    return 0;
}

//  "HH:MM" (exactly two digits each) into minutes from midnight; 24:00 allowed as an end.
static int
s_hhmm_strict (const char *t, int *min)
{
    for (int i = 0; i < 5; i++)
        if (i == 2 ? t[i] != ':' : (t[i] < '0' || t[i] > '9'))
            return -1;
    int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0))
        return -1;
    *min = h * 60 + m;
    return 0;
}

//  "HH:MM-HH:MM" into minutes from midnight (start < end; 24:00 only as the end).
static int
s_period (const char *text, int *from, int *to)
{
    if (!text || strlen (text) != 11 || text[5] != '-' || s_hhmm_strict (text, from) != 0 ||
        s_hhmm_strict (text + 6, to) != 0 || *from >= 24 * 60)
        return -1;
    return *to > *from ? 0 : -1;
}

static int
s_parse_profile (broker_config_t *self, broker_profile_cfg_t *p, const char *name, json_t *obj,
                 int def_ratio_p, int def_ratio_n, int def_max_wait, char *err, size_t esz)
{
    char where[96];
    snprintf (where, sizeof where, "profiles.%s", name);
    p->name = strdup (name);
    p->ratio_priority = def_ratio_p;
    p->ratio_normal = def_ratio_n;
    p->max_wait_min = def_max_wait;
    json_t *svc = json_object_get (obj, "services");
    if (svc && !json_is_object (svc))
        return proto_fail (err, esz, "%s.services must map prefixes to weights", where);
    if (!svc)
        for (int s = 0; s < self->nservices; s++)
            p->weight[s] = 1;
    const char *k;
    json_t *v;
    json_object_foreach (svc, k, v) {
        int s = broker_config_service (self, k);
        if (s < 0 || !json_is_integer (v) || json_integer_value (v) < 1 ||
            json_integer_value (v) > 100)
            return proto_fail (err, esz, "%s.services.%s: a service prefix with a weight 1..100",
                               where, k);
        p->weight[s] = (int)json_integer_value (v);
    }
    json_t *ratio = json_object_get (obj, "priority_ratio");
    if (ratio) {
        if (!json_is_array (ratio) || json_array_size (ratio) != 2 ||
            !json_is_integer (json_array_get (ratio, 0)) ||
            !json_is_integer (json_array_get (ratio, 1)) ||
            json_integer_value (json_array_get (ratio, 0)) < 1 ||
            json_integer_value (json_array_get (ratio, 1)) < 1)
            return proto_fail (err, esz,
                               "%s.priority_ratio must be [priority, normal], e.g. [1, 2]", where);
        p->ratio_priority = (int)json_integer_value (json_array_get (ratio, 0));
        p->ratio_normal = (int)json_integer_value (json_array_get (ratio, 1));
    }
    return s_int (obj, "max_wait_minutes", p->max_wait_min, 0, 24 * 60, &p->max_wait_min, where,
                  err, esz);
}

static int
s_parse_policy (broker_config_t *self, json_t *root, char *err, size_t esz)
{
    //  The hall's default profile: every service, weight 1, the hall's policy.
    json_t *policy = json_object_get (root, "policy");
    if (policy && !json_is_object (policy))
        return proto_fail (err, esz, "\"policy\" must be an object");
    json_t *profiles = json_object_get (root, "profiles");
    if (profiles && !json_is_object (profiles))
        return proto_fail (err, esz, "\"profiles\" must map names to work profiles");
    self->profiles = calloc (json_object_size (profiles) + 1, sizeof *self->profiles);
    if (!self->profiles)
        return proto_fail (err, esz, "out of memory");
    self->nprofiles = 1;
    json_t *empty = json_object ();
    int rc = s_parse_profile (self, &self->profiles[0], "default", policy ? policy : empty, 0, 0,
                              45, err, esz);
    json_decref (empty);
    if (rc)
        return -1;
    //  The default profile serves every service: its "services" key is not a restriction.
    for (int s = 0; s < self->nservices; s++)
        if (!self->profiles[0].weight[s])
            self->profiles[0].weight[s] = 1;
    const char *name;
    json_t *p;
    json_object_foreach (profiles, name, p) {
        if (!json_is_object (p))
            return proto_fail (err, esz, "profiles.%s must be an object", name);
        broker_profile_cfg_t *d = &self->profiles[0];
        if (s_parse_profile (self, &self->profiles[self->nprofiles++], name, p, d->ratio_priority,
                             d->ratio_normal, d->max_wait_min, err, esz))
            return -1;
    }
    //  Appointments (预约).
    json_t *appt = json_object_get (root, "appointments");
    if (appt && !json_is_object (appt))
        return proto_fail (err, esz, "\"appointments\" must be an object");
    if (s_int (appt, "slot_minutes", 30, 5, 240, &self->appt_slot_min, "appointments", err, esz) ||
        s_int (appt, "capacity", 4, 1, 1000, &self->appt_capacity, "appointments", err, esz) ||
        s_int (appt, "early_minutes", 30, 0, 240, &self->appt_early_min, "appointments", err,
               esz) ||
        s_int (appt, "late_minutes", 15, 0, 240, &self->appt_late_min, "appointments", err, esz) ||
        s_int (appt, "days_ahead", 14, 1, 90, &self->appt_days_ahead, "appointments", err, esz))
        return -1;
    json_t *hours = json_object_get (appt, "hours");
    if (!hours) {
        self->appt_open_min[0] = 9 * 60;
        self->appt_open_min[1] = 12 * 60;
        self->appt_open_min[2] = 13 * 60 + 30;
        self->appt_open_min[3] = 17 * 60;
        self->appt_nperiods = 2;
    } else {
        if (!json_is_array (hours) || json_array_size (hours) < 1 || json_array_size (hours) > 2)
            return proto_fail (err, esz,
                               "appointments.hours: one or two periods like \"09:00-12:00\"");
        size_t i;
        json_t *h;
        json_array_foreach (hours, i, h)
            if (s_period (json_string_value (h), &self->appt_open_min[2 * i],
                          &self->appt_open_min[2 * i + 1]))
                return proto_fail (err, esz,
                                   "appointments.hours[%zu] must look like \"09:00-12:00\"", i);
        self->appt_nperiods = (int)json_array_size (hours);
    }
    return 0;
}

//  The hall, numbering, missed-ticket rule and the top-level settings.
static int
s_parse_hall (broker_config_t *self, json_t *root, char *err, size_t esz)
{
    json_t *hall = json_object_get (root, "hall");
    if (!json_is_object (hall))
        return proto_fail (err, esz, "\"hall\" is required (an object with id and name)");
    const char *hid = json_string_value (json_object_get (hall, "id"));
    size_t hlen = hid ? strlen (hid) : 0;
    bool hid_ok = hlen >= 1 && hlen <= 16;
    for (size_t k = 0; hid_ok && k < hlen; k++)
        hid_ok = isalnum ((unsigned char)hid[k]) || hid[k] == '-' || hid[k] == '_';
    if (!hid_ok)
        return proto_fail (
            err, esz,
            "hall.id must be 1..16 letters, digits, - or _ (it starts every case number)");
    if (s_str (hall, "id", NULL, &self->hall_id, "hall", err, esz) ||
        s_str (hall, "name", NULL, &self->hall_name, "hall", err, esz) ||
        s_str (hall, "name_en", "", &self->hall_name_en, "hall", err, esz) ||
        s_int (hall, "utc_offset_min", 480, -720, 840, &self->utc_offset_min, "hall", err, esz))
        return -1;

    json_t *num = json_object_get (root, "numbering");
    if (num && !json_is_object (num))
        return proto_fail (err, esz, "\"numbering\" must be an object");
    if (s_int (num, "digits", 3, 2, 5, &self->digits, "numbering", err, esz) ||
        s_int (num, "reset_hour", 3, 0, 23, &self->reset_hour, "numbering", err, esz))
        return -1;

    json_t *missed = json_object_get (root, "missed");
    if (missed && !json_is_object (missed))
        return proto_fail (err, esz, "\"missed\" must be an object");
    char *rule = NULL;
    if (s_str (missed, "rule", "void", &rule, "missed", err, esz))
        return -1;
    int ok = 1;
    if (strcmp (rule, "void") == 0)
        self->missed_rule = BROKER_MISSED_VOID;
    else if (strcmp (rule, "back") == 0)
        self->missed_rule = BROKER_MISSED_BACK;
    else if (strcmp (rule, "grace") == 0)
        self->missed_rule = BROKER_MISSED_GRACE;
    else
        ok = 0;
    free (rule);
    if (!ok)
        return proto_fail (err, esz, "missed.rule must be \"void\", \"back\" or \"grace\"");
    const char *def_notice =
        self->missed_rule == BROKER_MISSED_VOID ? "过号无效，请重新取号" : "过号请到取号机重新排队";
    if (s_int (missed, "places", 3, 1, 1000, &self->missed_places, "missed", err, esz) ||
        s_int (missed, "max_misses", 2, 1, 100, &self->missed_max, "missed", err, esz) ||
        s_int (missed, "minutes", 10, 1, 24 * 60, &self->missed_grace_min, "missed", err, esz) ||
        s_str (missed, "notice", def_notice, &self->missed_notice, "missed", err, esz))
        return -1;

    if (s_str (root, "status_url", "", &self->status_url, "config", err, esz) ||
        s_int (root, "idempotency_hours", 24, 1, 24 * 30, &self->idem_hours, "config", err, esz) ||
        s_int (root, "over_wait_minutes", 30, 1, 24 * 60, &self->over_wait_min, "config", err,
               esz) ||
        s_int (root, "rectify_days", 5, 1, 60, &self->rectify_days, "config", err, esz))
        return -1;
    return 0;
}

static int
s_parse_services (broker_config_t *self, json_t *root, char *err, size_t esz)
{
    json_t *services = json_object_get (root, "services");
    if (!json_is_array (services) || json_array_size (services) == 0)
        return proto_fail (err, esz, "\"services\" is required (a non-empty array)");
    if (json_array_size (services) > BROKER_MAX_SERVICES)
        return proto_fail (err, esz, "at most %d services", BROKER_MAX_SERVICES);
    size_t i;
    json_t *svc;
    json_array_foreach (services, i, svc) {
        char where[32];
        snprintf (where, sizeof where, "services[%zu]", i);
        if (!json_is_object (svc))
            return proto_fail (err, esz, "%s must be an object", where);
        broker_service_cfg_t *s = &self->services[i];
        const char *prefix = json_string_value (json_object_get (svc, "prefix"));
        size_t plen = prefix ? strlen (prefix) : 0;
        if (plen < 1 || plen > 2 || !isupper ((unsigned char)prefix[0]) ||
            (plen == 2 && !isupper ((unsigned char)prefix[1])))
            return proto_fail (err, esz, "%s.prefix must be 1 or 2 upper-case letters A-Z", where);
        memcpy (s->prefix, prefix, plen + 1);
        if (broker_config_service (self, s->prefix) >= 0)
            return proto_fail (err, esz, "%s.prefix \"%s\" is used twice", where, s->prefix);
        self->nservices = (int)i + 1;
        if (s_str (svc, "name", NULL, &s->name, where, err, esz) ||
            s_str (svc, "name_en", "", &s->name_en, where, err, esz) ||
            s_int (svc, "mean_service_s", 600, 10, 8 * 3600, &s->mean_service_s, where, err, esz))
            return -1;
    }
    return 0;
}

//  One counter, counters[i] (the ones before it parsed): id, name, services, breaks,
//  work profile. 0 / -1.
static int
s_parse_counter (broker_config_t *self, json_t *ctr, size_t i, char *err, size_t esz)
{
    char where[32];
    snprintf (where, sizeof where, "counters[%zu]", i);
    if (!json_is_object (ctr))
        return proto_fail (err, esz, "%s must be an object", where);
    broker_counter_cfg_t *c = &self->counters[i];
    json_t *id = json_object_get (ctr, "id");
    if (!json_is_integer (id) || json_integer_value (id) < 1 || json_integer_value (id) > 9999)
        return proto_fail (err, esz, "%s.id must be an integer from 1 to 9999", where);
    c->id = (int)json_integer_value (id);
    if (broker_config_counter (self, c->id) >= 0)
        return proto_fail (err, esz, "%s.id %d is used twice", where, c->id);
    self->ncounters = (int)i + 1;
    char def_name[32];
    snprintf (def_name, sizeof def_name, "%d号窗口", c->id);
    if (s_str (ctr, "name", def_name, &c->name, where, err, esz))
        return -1;
    json_t *list = json_object_get (ctr, "services");
    if (!json_is_array (list) || json_array_size (list) == 0)
        return proto_fail (err, esz, "%s.services must list the prefixes it serves", where);
    size_t j;
    json_t *p;
    json_array_foreach (list, j, p) {
        int si = json_is_string (p) ? broker_config_service (self, json_string_value (p)) : -1;
        if (si < 0)
            return proto_fail (err, esz, "%s.services[%zu] is not a service prefix", where, j);
        c->services |= 1u << si;
    }
    json_t *breaks = json_object_get (ctr, "breaks");
    if (breaks && (!json_is_array (breaks) || json_array_size (breaks) > BROKER_MAX_BREAKS))
        return proto_fail (err, esz, "%s.breaks: at most %d periods like \"11:30-12:30\"", where,
                           BROKER_MAX_BREAKS);
    json_array_foreach (breaks, j, p) {
        int from, to;
        if (s_period (json_string_value (p), &from, &to) != 0)
            return proto_fail (err, esz, "%s.breaks[%zu] must look like \"11:30-12:30\"", where, j);
        if (c->nbreaks && from < c->break_to[c->nbreaks - 1])
            return proto_fail (err, esz, "%s.breaks must be in order, without overlaps", where);
        c->break_from[c->nbreaks] = from;
        c->break_to[c->nbreaks++] = to;
    }
    const char *prof = json_string_value (json_object_get (ctr, "profile"));
    c->profile = 0;
    if (prof) {
        for (int k = 1; k < self->nprofiles; k++)
            if (strcmp (self->profiles[k].name, prof) == 0)
                c->profile = k;
        if (!c->profile)
            return proto_fail (err, esz, "%s.profile \"%s\" is not in \"profiles\"", where, prof);
        //  A profile only narrows: the counter serves what both allow.
        for (int s = 0; s < self->nservices; s++)
            if (!self->profiles[c->profile].weight[s])
                c->services &= ~(1u << s);
        if (!c->services)
            return proto_fail (err, esz, "%s: its profile serves none of its services", where);
    }
    return 0;
}

static int
s_parse_counters (broker_config_t *self, json_t *root, char *err, size_t esz)
{
    json_t *counters = json_object_get (root, "counters");
    if (!json_is_array (counters) || json_array_size (counters) == 0)
        return proto_fail (err, esz, "\"counters\" is required (a non-empty array)");
    if (json_array_size (counters) > BROKER_MAX_COUNTERS)
        return proto_fail (err, esz, "at most %d counters", BROKER_MAX_COUNTERS);
    self->counters = calloc (json_array_size (counters), sizeof *self->counters);
    if (!self->counters)
        return proto_fail (err, esz, "out of memory");
    size_t i;
    json_t *ctr;
    json_array_foreach (counters, i, ctr)
        if (s_parse_counter (self, ctr, i, err, esz))
            return -1;
    return 0;
}

//  The applicant's notices: the SMS gateway, the hours told; and the remedies named in a
//  refusal or a denial.
static int
s_parse_notify (broker_config_t *self, json_t *root, char *err, size_t esz)
{
    json_t *n = json_object_get (root, "notify"), *r = json_object_get (root, "remedies");
    if (n && !json_is_object (n))
        return proto_fail (err, esz, "\"notify\" must be an object");
    if (r && !json_is_object (r))
        return proto_fail (err, esz, "\"remedies\" must be an object");
    broker_notify_cfg_t *nc = &self->notify;
    broker_remedies_cfg_t *rc = &self->remedies;
    if (s_str (n, "sms_url", "", &nc->sms_url, "notify", err, esz) ||
        s_int (n, "timeout_s", 10, 1, 300, &nc->timeout_s, "notify", err, esz) ||
        s_int (n, "retry_max_s", 300, 1, 86400, &nc->retry_max_s, "notify", err, esz) ||
        s_str (n, "pickup_hours", "", &nc->pickup_hours, "notify", err, esz) ||
        s_str (n, "counter_hours", "", &nc->counter_hours, "notify", err, esz) ||
        s_str (r, "review_body", "", &rc->review_body, "remedies", err, esz) ||
        s_int (r, "review_days", 60, 1, 365, &rc->review_days, "remedies", err, esz) ||
        s_str (r, "litigation_court", "", &rc->litigation_court, "remedies", err, esz) ||
        s_int (r, "litigation_months", 6, 1, 60, &rc->litigation_months, "remedies", err, esz))
        return -1;
    if (*nc->sms_url && strncmp (nc->sms_url, "http://", 7) != 0 &&
        strncmp (nc->sms_url, "https://", 8) != 0)
        return proto_fail (err, esz, "notify.sms_url must be an http:// or https:// URL");
    return 0;
}

static int
s_parse (broker_config_t *self, json_t *root, char *err, size_t esz)
{
    if (!json_is_object (root))
        return proto_fail (err, esz, "the config must be a JSON object");
    if (s_parse_hall (self, root, err, esz) || s_parse_services (self, root, err, esz) ||
        s_parse_items (self, root, err, esz) || s_parse_policy (self, root, err, esz) ||
        s_parse_counters (self, root, err, esz) || s_parse_notify (self, root, err, esz))
        return -1;
    return 0;
}

broker_config_t *
broker_config_parse (const char *text, char *err, size_t err_size)
{
    json_error_t jerr;
    json_t *root = json_loads (text, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        proto_fail (err, err_size, "not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line,
                    jerr.column);
        return NULL;
    }
    broker_config_t *self = calloc (1, sizeof *self);
    if (!self || s_parse (self, root, err, err_size) != 0) {
        if (!self)
            proto_fail (err, err_size, "out of memory");
        broker_config_destroy (&self);
        json_decref (root);
        return NULL;
    }
    json_decref (root);
    return self;
}

broker_config_t *
broker_config_load (const char *path, char *err, size_t err_size)
{
    FILE *f = fopen (path, "rb");
    if (!f) {
        proto_fail (err, err_size, "cannot open '%s': %m", path);
        return NULL;
    }
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream (&text, &size);
    char buf[8192];
    size_t n;
    while (mem && (n = fread (buf, 1, sizeof buf, f)) > 0)
        fwrite (buf, 1, n, mem);
    fclose (f);
    if (!mem) {
        proto_fail (err, err_size, "out of memory");
        return NULL;
    }
    fclose (mem);
    char inner[400];
    broker_config_t *self = broker_config_parse (text, inner, sizeof inner);
    free (text);
    if (!self) {
        proto_fail (err, err_size, "%s: %s", path, inner);
        return NULL;
    }
    //  A relative calendar path is relative to the config file, so the hall's files travel
    //  together.
    if (self->calendar_path[0] != '/') {
        const char *slash = strrchr (path, '/');
        char *joined = NULL;
        if (slash &&
            asprintf (&joined, "%.*s/%s", (int)(slash - path), path, self->calendar_path) > 0) {
            free (self->calendar_path);
            self->calendar_path = joined;
        }
    }
    return self;
}

void
broker_config_destroy (broker_config_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_config_t *self = *self_p;
    free (self->hall_id);
    free (self->hall_name);
    free (self->hall_name_en);
    free (self->missed_notice);
    free (self->status_url);
    for (int i = 0; i < self->nservices; i++) {
        free (self->services[i].name);
        free (self->services[i].name_en);
    }
    for (int i = 0; i < self->ncounters; i++)
        free (self->counters[i].name);
    free (self->counters);
    for (int i = 0; i < self->nitems; i++) {
        broker_item_cfg_t *item = &self->items[i];
        free (item->id);
        free (item->name);
        free (item->department);
        for (int j = 0; j < item->ndocs; j++) {
            free (item->docs[j].id);
            free (item->docs[j].name);
        }
    }
    free (self->items);
    for (int i = 0; i < self->nprofiles; i++)
        free (self->profiles[i].name);
    free (self->profiles);
    free (self->calendar_path);
    free (self->notify.sms_url);
    free (self->notify.pickup_hours);
    free (self->notify.counter_hours);
    free (self->remedies.review_body);
    free (self->remedies.litigation_court);
    json_decref (self->departments);
    free (self);
    *self_p = NULL;
}

int
broker_config_service (const broker_config_t *self, const char *prefix)
{
    for (int i = 0; i < self->nservices; i++)
        if (strcmp (self->services[i].prefix, prefix) == 0)
            return i;
    return -1;
}

const char *
broker_config_department (const broker_config_t *self, const char *id)
{
    const char *name = json_string_value (json_object_get (self->departments, id));
    return name ? name : "";
}

int
broker_config_item (const broker_config_t *self, const char *id)
{
    for (int i = 0; i < self->nitems; i++)
        if (strcmp (self->items[i].id, id) == 0)
            return i;
    return -1;
}

int
broker_config_counter (const broker_config_t *self, int id)
{
    for (int i = 0; i < self->ncounters; i++)
        if (self->counters[i].id == id)
            return i;
    return -1;
}

int64_t
broker_local_midnight (const broker_config_t *self, int64_t ms)
{
    int64_t off = (int64_t)self->utc_offset_min * 60000;
    int64_t local = ms + off;
    int64_t day = local >= 0 ? local / 86400000 : (local - 86399999) / 86400000;
    return day * 86400000 - off;
}
