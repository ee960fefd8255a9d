/*  broker_estimate.c — see broker_estimate.h. */
#include "broker_estimate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "broker_policy.h"

int
broker_estimate_ahead (const broker_hall_t *hall, const broker_ticket_t *t)
{
    broker_class_t cls = broker_priority_class (t->priority);
    int ahead = 0;
    for (int c = 0; c < (int)cls; c++)
        ahead += (int)broker_queue_size (hall->queues[t->service][c]);
    long rank = broker_queue_rank (hall->queues[t->service][cls], t);
    return ahead + (rank > 0 ? (int)rank : 0);
}

int
broker_estimate_ahead_new (const broker_hall_t *hall, int service, broker_priority_t priority)
{
    broker_class_t cls = broker_priority_class (priority);
    int ahead = 0;
    for (int c = 0; c <= (int)cls; c++)
        ahead += (int)broker_queue_size (hall->queues[service][c]);
    return ahead;
}

static int
s_hour (const broker_hall_t *hall, int64_t ms)
{
    int64_t local = ms / 1000 + (int64_t)hall->config->utc_offset_min * 60;
    int64_t h = (local / 3600) % 24;
    return (int)(h < 0 ? h + 24 : h);
}

double
broker_estimate_mean_ms (const broker_hall_t *hall, int service)
{
    const broker_stats_t *st = &hall->stats[service];
    if (st->n >= BROKER_ESTIMATE_MIN_SAMPLES && st->mean_ms > 0)
        return st->mean_ms;
    return hall->config->services[service].mean_service_s * 1000.0;
}

double
broker_estimate_mean_ms_at (const broker_hall_t *hall, int service, int64_t at)
{
    const broker_stats_t *st = &hall->stats_hour[service][s_hour (hall, at)];
    if (st->n >= BROKER_ESTIMATE_MIN_SAMPLES && st->mean_ms > 0)
        return st->mean_ms;
    return broker_estimate_mean_ms (hall, service);
}

int64_t
broker_estimate_wait_s (const broker_hall_t *hall, int service, int ahead)
{
    int open = broker_hall_open_counters (hall, service);
    if (open == 0)
        return -1;
    double ms = ahead * broker_estimate_mean_ms (hall, service) / open;
    return (int64_t)llround (ms / 1000.0);
}

void
broker_estimate_learn (broker_stats_t *stats, int64_t service_ms)
{
    if (service_ms < 0)
        return;
    stats->n++;
    int64_t window = stats->n < BROKER_ESTIMATE_WINDOW ? stats->n : BROKER_ESTIMATE_WINDOW;
    stats->mean_ms += ((double)service_ms - stats->mean_ms) / (double)window;
}

void
broker_estimate_learn_at (broker_hall_t *hall, int service, int64_t called_ms, int64_t service_ms)
{
    broker_estimate_learn (&hall->stats[service], service_ms);
    broker_estimate_learn (&hall->stats_hour[service][s_hour (hall, called_ms)], service_ms);
}

int64_t
broker_estimate_arrival_offset_ms (const broker_hall_t *hall)
{
    return hall->arrive_n >= 3 ? hall->arrive_sum_ms / hall->arrive_n : -10 * 60000;
}

//  ---------------------------------------------------------------------------------------
//  Forward simulation
//
//  The simulation runs once per estimate, over every ticket ahead of the target: up to
//  BROKER_ESTIMATE_HORIZON picks, each choosing the counter that frees first and asking
//  the policy among the heads of its lines. A pick is kept cheap: the counters are a heap
//  by the time they free, each line's next ticket is held (no queue lookups), and the
//  lines that still have one are bit sets per class, so a counter's candidates are read
//  off `left[cls] & services` directly. The policy sees
//  the same candidates as it would in the live hall (their order does not matter to it:
//  every tie is broken by place in line, then id).

typedef struct {
    const broker_counter_t *counter;
    const broker_profile_cfg_t *profile;
    uint32_t services;       //  services it serves now
    int64_t free_at;         //  when it can call next
    int cycle;               //  its priority cycle, advanced as in the live hall
    int nbreaks, next_break; //  scheduled breaks still to take today, in order
    int64_t break_from[BROKER_MAX_BREAKS], break_len[BROKER_MAX_BREAKS];
} s_server_t;

//  A booked citizen still to check in, as the simulation expects them.
typedef struct {
    broker_ticket_t ticket; //  the appointment ticket they will get (issued = arrival)
} s_future_t;

static int
s_cmp_future (const void *a, const void *b)
{
    const s_future_t *x = a, *y = b;
    if (x->ticket.service != y->ticket.service)
        return x->ticket.service - y->ticket.service;
    return x->ticket.issued_ms < y->ticket.issued_ms ? -1
                                                     : x->ticket.issued_ms > y->ticket.issued_ms;
}

//  The bookings of today whose citizens have not checked in yet, as appointment tickets
//  issued when they are expected (slot start + the hall's learned arrival offset, not
//  before now), sorted by service then arrival. *n gets their number; caller frees.
static s_future_t *
s_futures (const broker_hall_t *hall, int64_t now, size_t *n)
{
    *n = 0;
    if (!hall->nbookings)
        return NULL;
    const broker_config_t *cfg = hall->config;
    int64_t offset = broker_estimate_arrival_offset_ms (hall);
    int64_t late = (int64_t)cfg->appt_late_min * 60000;
    int64_t horizon = now + 24 * 3600000LL;
    s_future_t *f = calloc (hall->nbookings, sizeof *f);
    if (!f)
        return NULL;
    for (size_t i = 0; i < hall->nbookings; i++) {
        const broker_booking_t *b = &hall->bookings[i];
        int64_t arrive = b->start_ms + offset;
        //  Not today (or its window closed: the no-show timer will say so).
        if (b->start_ms > horizon || b->start_ms + late < now)
            continue;
        broker_ticket_t *t = &f[*n].ticket;
        t->id = hall->next_id + 1 + i; //  issued after every ticket there is now
        t->service = b->service;
        t->priority = PRIORITY_APPOINTMENT;
        t->issued_ms = arrive > now ? arrive : now;
        (*n)++;
    }
    qsort (f, *n, sizeof *f, s_cmp_future);
    //  Their places in line follow their arrival order.
    int64_t base = (int64_t)(hall->next_id + 1) * BROKER_ORDER_GAP;
    for (size_t i = 0; i < *n; i++)
        f[i].ticket.order_key = base + f[i].ticket.issued_ms;
    return f;
}

//  Moves heap[i] down to its place: by free_at, then by config order.
static void
s_sift (const s_server_t *servers, int *heap, int n, int i)
{
    for (;;) {
        int least = i, l = 2 * i + 1, r = l + 1;
        if (l < n &&
            (servers[heap[l]].free_at < servers[heap[least]].free_at ||
             (servers[heap[l]].free_at == servers[heap[least]].free_at && heap[l] < heap[least])))
            least = l;
        if (r < n &&
            (servers[heap[r]].free_at < servers[heap[least]].free_at ||
             (servers[heap[r]].free_at == servers[heap[least]].free_at && heap[r] < heap[least])))
            least = r;
        if (least == i)
            return;
        int tmp = heap[i];
        heap[i] = heap[least];
        heap[least] = tmp;
        i = least;
    }
}

//  The counters that can call, as the simulation starts them (into `servers`): when each
//  is free next, and its breaks today not yet taken. Returns how many.
static int
s_servers (const broker_hall_t *hall, int64_t now, s_server_t *servers)
{
    const broker_config_t *cfg = hall->config;
    int nservers = 0;
    int64_t midnight = broker_local_midnight (cfg, now);
    for (int i = 0; i < cfg->ncounters; i++) {
        const broker_counter_t *c = &hall->counters[i];
        //  A paused counter counts from when it said it would be back.
        if (c->state == COUNTER_LOGGED_OUT || (c->state == COUNTER_PAUSED && !c->back_ms))
            continue;
        int64_t free_at = now;
        if (c->state == COUNTER_PAUSED && c->back_ms > now)
            free_at = c->back_ms;
        if (c->ticket) {
            int64_t since = c->ticket->last_called_ms;
            double mean = broker_estimate_mean_ms_at (hall, c->ticket->service, since);
            int64_t expected = since + (int64_t)mean;
            int64_t floor = now + (int64_t)(0.3 * mean);
            free_at = expected > floor ? expected : floor;
        }
        s_server_t *sv = &servers[nservers++];
        *sv = (s_server_t){c,           &cfg->profiles[cfg->counters[c->cfg].profile],
                           c->services, free_at,
                           c->cycle,    0,
                           0,           {0},
                           {0}};
        //  Its breaks today not yet taken nor over: it pauses when next free after each.
        const broker_counter_cfg_t *cc = &cfg->counters[c->cfg];
        for (int b = 0; b < cc->nbreaks; b++) {
            int64_t from = midnight + (int64_t)cc->break_from[b] * 60000;
            int64_t to = midnight + (int64_t)cc->break_to[b] * 60000;
            if (c->paused_ms < from && now < to) {
                sv->break_from[sv->nbreaks] = from;
                sv->break_len[sv->nbreaks++] = to - from;
            }
        }
    }
    return nservers;
}

//  The lines as the simulation moves through them: each line's next ticket (the virtual
//  one after the end of its line), per class the lines that still have one, and the
//  booked citizens still to come, per service in order of arrival.
typedef struct {
    const broker_hall_t *hall;
    const broker_ticket_t *virt; //  the virtual new ticket, or NULL
    int vservice;                //  ... which stands last in this service's normal line
    size_t cursor[BROKER_MAX_SERVICES][CLASS_COUNT];
    size_t size[BROKER_MAX_SERVICES][CLASS_COUNT];
    const broker_ticket_t *head[BROKER_MAX_SERVICES][CLASS_COUNT];
    uint32_t left[CLASS_COUNT];
    s_future_t *fut; //  booked citizens to come (caller frees)
    size_t fut_next[BROKER_MAX_SERVICES], fut_end[BROKER_MAX_SERVICES];
    uint32_t fut_left; //  services with a booked citizen still to come
} s_lines_t;

static void
s_lines_init (s_lines_t *l, const broker_hall_t *hall, int64_t now, const broker_ticket_t *virt,
              int vservice)
{
    const broker_config_t *cfg = hall->config;
    l->hall = hall;
    l->virt = virt;
    l->vservice = vservice;
    for (int cls = 0; cls < CLASS_COUNT; cls++)
        l->left[cls] = 0;
    for (int s = 0; s < cfg->nservices; s++)
        for (int cls = 0; cls < CLASS_COUNT; cls++) {
            l->cursor[s][cls] = 0;
            l->size[s][cls] = broker_queue_size (hall->queues[s][cls]);
            l->head[s][cls] = broker_queue_at (hall->queues[s][cls], 0);
            if (!l->head[s][cls] && virt && s == vservice && cls == CLASS_NORMAL)
                l->head[s][cls] = virt;
            if (l->head[s][cls])
                l->left[cls] |= 1u << s;
        }
    //  Booked citizens still to come join the appointment lines as they arrive.
    size_t nfut = 0;
    l->fut = s_futures (hall, now, &nfut);
    l->fut_left = 0;
    for (int s = 0; s < cfg->nservices; s++)
        l->fut_next[s] = l->fut_end[s] = 0;
    for (size_t i = 0; i < nfut; i++) {
        int s = l->fut[i].ticket.service;
        if (!(l->fut_left & (1u << s)))
            l->fut_next[s] = i;
        l->fut_end[s] = i + 1;
        l->fut_left |= 1u << s;
    }
}

//  What counter `sv` may call at `at`: the heads of its lines, and booked citizens who have
//  arrived by then for an appointment line that is otherwise empty. Returns how many.
static int
s_candidates (const s_lines_t *l, const s_server_t *sv, int64_t at, broker_candidate_t *cands)
{
    uint32_t fut_ready = 0;
    for (uint32_t bits = l->fut_left & sv->services & ~l->left[CLASS_APPOINTMENT]; bits;
         bits &= bits - 1) {
        int s = __builtin_ctz (bits);
        if (l->fut[l->fut_next[s]].ticket.issued_ms <= at)
            fut_ready |= 1u << s;
    }
    int n = 0;
    for (int cls = 0; cls < CLASS_COUNT; cls++) {
        uint32_t bits = l->left[cls] & sv->services;
        if (cls == CLASS_APPOINTMENT)
            bits |= fut_ready;
        for (; bits; bits &= bits - 1) {
            int s = __builtin_ctz (bits);
            const broker_ticket_t *t =
                l->head[s][cls] ? l->head[s][cls] : &l->fut[l->fut_next[s]].ticket;
            cands[n++] =
                (broker_candidate_t){s, (broker_class_t)cls, t->order_key, t->id, t->issued_ms};
        }
    }
    return n;
}

//  When the next booked citizen of `services` arrives after `at`, or -1 if none will.
static int64_t
s_next_arrival (const s_lines_t *l, uint32_t services, int64_t at)
{
    int64_t next = -1;
    for (uint32_t bits = l->fut_left & services; bits; bits &= bits - 1) {
        int64_t a = l->fut[l->fut_next[__builtin_ctz (bits)]].ticket.issued_ms;
        if (a > at && (next < 0 || a < next))
            next = a;
    }
    return next;
}

//  Takes the ticket at the head of line (s, cls), or the next booked citizen of `s` when
//  that line is empty, and moves the line on.
static const broker_ticket_t *
s_take (s_lines_t *l, int s, int cls)
{
    const broker_ticket_t *t = l->head[s][cls];
    if (!t) {
        t = &l->fut[l->fut_next[s]].ticket;
        if (++l->fut_next[s] == l->fut_end[s])
            l->fut_left &= ~(1u << s);
        return t;
    }
    size_t next = ++l->cursor[s][cls];
    l->head[s][cls] =
        next < l->size[s][cls] ? broker_queue_at (l->hall->queues[s][cls], next)
        : l->virt && s == l->vservice && cls == CLASS_NORMAL && next == l->size[s][cls] ? l->virt
                                                                                        : NULL;
    if (!l->head[s][cls])
        l->left[cls] &= ~(1u << s);
    return t;
}

//  Predicts when `target` (a waiting ticket, or the virtual new ticket of `vservice`
//  when target is NULL) is called. Returns Unix ms, or -1.
static int64_t
s_simulate (const broker_hall_t *hall, int64_t now, const broker_ticket_t *target, int vservice)
{
    s_server_t servers[BROKER_MAX_COUNTERS];
    int nservers = s_servers (hall, now, servers);
    if (!nservers)
        return -1;
    //  The virtual new ticket stands behind everyone in its service's normal line.
    broker_ticket_t virt;
    if (!target) {
        memset (&virt, 0, sizeof virt);
        virt.id = hall->next_id;
        virt.service = vservice;
        virt.priority = PRIORITY_NORMAL;
        virt.issued_ms = now;
        virt.order_key = (int64_t)virt.id * BROKER_ORDER_GAP;
        target = &virt;
    }
    s_lines_t lines;
    s_lines_init (&lines, hall, now, target == &virt ? &virt : NULL, vservice);
    int64_t result = -1;
    //  The counters that can still call, in a heap by (free_at, config order): the top is
    //  the one that frees first, the earliest in the config on a tie.
    int heap[BROKER_MAX_COUNTERS];
    int nheap = nservers;
    for (int i = 0; i < nservers; i++)
        heap[i] = i;
    for (int i = nheap / 2 - 1; i >= 0; i--)
        s_sift (servers, heap, nheap, i);
    for (int picks = 0; picks < BROKER_ESTIMATE_HORIZON && nheap; picks++) {
        s_server_t *sv = &servers[heap[0]];
        int64_t at = sv->free_at;
        if (sv->next_break < sv->nbreaks && sv->break_from[sv->next_break] <= at) {
            //  Its break is due: it pauses now, for the break's length.
            sv->free_at = at + sv->break_len[sv->next_break++];
            s_sift (servers, heap, nheap, 0);
            continue;
        }
        broker_candidate_t cands[BROKER_MAX_SERVICES * CLASS_COUNT];
        int n = s_candidates (&lines, sv, at, cands);
        const char *reason;
        int pick = broker_policy_pick (sv->profile, at, cands, n, &sv->cycle, &reason);
        if (pick < 0) {
            //  Nothing it can serve now: wait for the next booked citizen of its services,
            //  or leave the heap.
            int64_t next_arrival = s_next_arrival (&lines, sv->services, at);
            if (next_arrival > 0)
                sv->free_at = next_arrival;
            else
                heap[0] = heap[--nheap];
            s_sift (servers, heap, nheap, 0);
            continue;
        }
        const broker_ticket_t *t = s_take (&lines, cands[pick].service, (int)cands[pick].cls);
        if (t == target) {
            result = at;
            break;
        }
        sv->free_at = at + (int64_t)broker_estimate_mean_ms_at (hall, t->service, at);
        s_sift (servers, heap, nheap, 0);
    }
    free (lines.fut);
    return result;
}

int64_t
broker_estimate_sim_s (const broker_hall_t *hall, int64_t now, const broker_ticket_t *t)
{
    int64_t at = s_simulate (hall, now, t, t->service);
    return at < 0 ? -1 : (at - now + 500) / 1000;
}

int64_t
broker_estimate_sim_new_s (const broker_hall_t *hall, int64_t now, int service)
{
    int64_t at = s_simulate (hall, now, NULL, service);
    return at < 0 ? -1 : (at - now + 500) / 1000;
}
