/*  web_api.c — see web_api.h. */
#include "web_api.h"

#include "proto_json.h"
#include "proto_msg.h"
#include "web_charts.h"

//  Sends `j` (taken).
static enum MHD_Result
s_send (web_req_t *req, json_t *j)
{
    enum MHD_Result rc = web_send_json (req, MHD_HTTP_OK, j);
    json_decref (j);
    return rc;
}

enum MHD_Result
web_api_snapshot (web_t *web, web_req_t *req)
{
    json_t *j = json_object ();
    json_object_update (j, (json_t *)proto_mirror_state (web->mirror));
    json_t *hall = json_object_get (proto_mirror_info (web->mirror), "hall");
    if (hall)
        json_object_set (j, "hall", hall);
    json_object_set_new (j, "gateway",
                         json_pack ("{s:b, s:I, s:i, s:i, s:s}", "connected", web->connected, "seq",
                                    (json_int_t)proto_mirror_seq (web->mirror), "snapshots",
                                    proto_mirror_snapshots (web->mirror), "sse_clients",
                                    web_sse_clients (web->sse), "events",
                                    proto_mirror_pub (web->mirror)));
    return s_send (req, j);
}

enum MHD_Result
web_api_kpi (web_t *web, web_req_t *req)
{
    return s_send (req, web_kpi (web));
}

static json_t *
s_series (const web_point_t *p, size_t n)
{
    json_t *a = json_array ();
    for (size_t i = 0; i < n; i++)
        json_array_append_new (a, json_pack ("[I, I]", (json_int_t)p[i].t, (json_int_t)p[i].v));
    return a;
}

enum MHD_Result
web_api_history (web_t *web, web_req_t *req)
{
    const web_history_t *h = web->hist;
    int64_t t0, t1, bins[WEB_HISTORY_BINS];
    web_charts_span (h, web_now (web), web_utc_offset (web), &t0, &t1);
    web_history_bins (h, bins);
    json_t *counts = json_array ();
    for (int i = 0; i < WEB_HISTORY_BINS; i++)
        json_array_append_new (counts, json_integer (bins[i]));
    size_t nq, nw, ni;
    const web_point_t *queue = web_history_queue (h, &nq), *waits = web_history_waits (h, &nw);
    const web_point_t *issued = web_history_issued (h, &ni);
    const json_t *st = proto_mirror_state (web->mirror);
    const json_t *day = json_object_get (st, "day");
    json_t *j = json_pack ("{s:O, s:b, s:I, s:I, s:I, s:I, s:i, s:o, s:o, s:o, s:{s:i, s:o}}",
                           "day", day ? day : json_null (), "loaded", web_history_loaded (h),
                           "last_seq", (json_int_t)web_history_last (h), "start", (json_int_t)t0,
                           "now", (json_int_t)web_now (web), "end", (json_int_t)t1,
                           "over_wait_minutes", (int)proto_int (st, "over_wait_minutes"), "queue",
                           s_series (queue, nq), "waits", s_series (waits, nw), "issued",
                           s_series (issued, ni), "histogram", "bin_minutes", 5, "counts", counts);
    return s_send (req, j);
}

//  Sends the rectification list `r` (borrowed), only those in ?state= when it is given.
static enum MHD_Result
s_ratings_send (web_req_t *req, const json_t *r)
{
    const char *state = web_req_query (req, "state");
    if (!state)
        return web_send_json (req, MHD_HTTP_OK, r);
    json_t *list = json_array ();
    size_t i;
    json_t *item;
    json_array_foreach (json_object_get (r, "rectifications"), i, item) {
        if (proto_is (item, "state", state))
            json_array_append (list, item);
    }
    const json_t *today = json_object_get (r, "today");
    return s_send (req, json_pack ("{s:o, s:O}", "rectifications", list, "today",
                                   today ? today : json_null ()));
}

enum MHD_Result
web_api_ratings (web_t *web, web_req_t *req)
{
    //  Not in yet: asked on this request's behalf, which waits for it (web_req_call).
    json_t *asked = NULL;
    const json_t *r = web_ratings (web);
    if (!r) {
        int rc = web_req_call (req, "rating.list", NULL, NULL, &asked);
        if (rc == WEB_WAIT)
            return MHD_YES;
        if (rc != PROTO_ERR_OK) {
            json_decref (asked);
            return web_send_error (req, MHD_HTTP_SERVICE_UNAVAILABLE, "暂时无法连接大厅服务器",
                                   "The hall server cannot be reached right now.");
        }
        r = asked;
    }
    enum MHD_Result res = s_ratings_send (req, r);
    json_decref (asked);
    return res;
}

enum MHD_Result
web_api_events (web_t *web, web_req_t *req)
{
    return web_sse_open (web->sse, web_req_conn (req), proto_mirror_seq (web->mirror),
                         web_req_header (req, "Last-Event-ID"));
}
