/*  web_assets.c — see web_assets.h. */
#include "web_assets.h"

//  Large type and high contrast for the board (read from across a hall), a plain light
//  dashboard, finger-sized kiosk buttons, and phone-sized citizen pages. The font list
//  names the CJK fonts a Debian, Windows or macOS screen may have.
const char web_css[] =
    "*{box-sizing:border-box}\n"
    "html{font-family:'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Zen Hei','WenQuanYi "
    "Micro Hei','Microsoft YaHei','PingFang SC',system-ui,sans-serif}\n"
    "body{margin:0;background:#f4f6f8;color:#111;line-height:1.4}\n"
    "a{color:#0a58ca}\n"
    "table{border-collapse:collapse}\n"
    ".en{color:#5b6b7b;font-weight:normal}\n"
    ".offline{background:#b00020;color:#fff;padding:.4em 1em;margin:0;font-weight:bold}\n"
    ".live-dot{color:#888}\n"
    "body[data-live=on] .live-dot{color:#2ecc40}\n"
    ".warn{color:#b36b00}.bad{color:#b00020}.ok{color:#0a7a3a}\n"
    /*  board: the TV display  */
    "body.board{background:#000;color:#fff;min-height:100vh}\n"
    ".board header{display:flex;justify-content:space-between;align-items:baseline;"
    "padding:1vh 2vw;background:#0b2a4a;font-size:2.6vw}\n"
    ".board header h1{margin:0;font-size:1em}\n"
    ".board .en{color:#b8c7d6}\n"
    ".board main{display:grid;grid-template-columns:3fr 2fr;gap:2vw;padding:2vh 2vw}\n"
    ".board .latest{grid-column:1/span 2;text-align:center;font-size:6vw;font-weight:bold;"
    "line-height:1.25;background:#111;border:.4vw solid #ffd400;border-radius:1vw;"
    "padding:2vh 1vw;margin:0}\n"
    ".board .latest.fresh{animation:flash 1s ease-in-out 3}\n"
    ".board .latest .en{display:block;font-size:2.4vw}\n"
    ".board .idle{font-size:4vw;color:#b8c7d6}\n"
    ".board .num{color:#ffd400}\n"
    ".board .ctr{color:#4fd1ff}\n"
    ".board .tag{background:#e00;color:#fff;border-radius:.4vw;padding:0 .3em;font-size:.6em;"
    "vertical-align:middle}\n"
    ".board h2{font-size:2.2vw;color:#b8c7d6;margin:.5vh 0;font-weight:normal}\n"
    ".board .recent ol{list-style:none;margin:0;padding:0;font-size:3.4vw}\n"
    ".board .recent li{display:flex;justify-content:space-between;border-bottom:1px solid #333;"
    "padding:.3vh 0}\n"
    ".board .queues table{width:100%;font-size:2.3vw;line-height:1.25}\n"
    ".board .queues th{text-align:left;font-weight:normal;padding:.2vh 0}\n"
    ".board .queues th small{font-size:.5em;color:#b8c7d6}\n"
    ".board .queues td{text-align:right;color:#ffd400;font-weight:bold}\n"

    "@keyframes flash{0%,100%{background:#111}50%{background:#4a3d00}}\n"
    /*  dashboard: the manager's page  */
    "body.dashboard{background:#eef2f6}\n"
    ".bar{background:#0b2a4a;color:#fff;padding:.6em 1.2em;display:flex;flex-wrap:wrap;"
    "justify-content:space-between;align-items:baseline;gap:1em}\n"
    ".bar h1{margin:0;font-size:1.3em}\n"
    ".bar .en{color:#b8c7d6}\n"
    ".dashboard main{padding:1em;display:grid;grid-template-columns:minmax(0,1fr);gap:1em}\n"
    ".dashboard #live{display:grid;grid-template-columns:minmax(0,1fr);gap:1em}\n"
    ".dashboard main>*,.dashboard #live>*{min-width:0}\n"
    ".panel{background:#fff;border-radius:8px;padding:.8em 1em;box-shadow:0 1px 3px "
    "rgba(0,0,0,.12);overflow-x:auto}\n"
    ".panel h2{font-size:1.1em;margin:0 0 .5em}\n"
    ".meta{color:#5b6b7b;margin:0}\n"
    "table.grid{width:100%;font-size:.95em}\n"
    "table.grid th,table.grid td{padding:.3em .4em;border-bottom:1px solid #e3e8ee;"
    "text-align:right;white-space:nowrap}\n"
    "table.grid th:first-child,table.grid td:first-child{text-align:left}\n"
    "table.grid th{font-weight:600;vertical-align:bottom}\n"
    "table.grid th .en,table.grid td:first-child .en{display:block;font-size:.8em}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:.8em}\n"
    ".card{flex:1 1 9em;background:#f7f9fb;border-radius:6px;padding:.5em .8em}\n"
    ".card b{display:block;font-size:1.8em}\n"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:1em}\n"
    ".charts figure{margin:0}\n"
    ".charts figcaption{font-weight:600;margin-bottom:.3em}\n"
    "svg.chart{width:100%;height:auto;display:block}\n"
    "svg.chart text{font-size:11px;fill:#5b6b7b}\n"
    "svg.chart .axis{stroke:#9aa7b4;stroke-width:1}\n"
    "svg.chart .grid{stroke:#e3e8ee;stroke-width:1}\n"
    "svg.chart .line{fill:none;stroke:#0a58ca;stroke-width:2}\n"
    "svg.chart .area{fill:#0a58ca;fill-opacity:.12;stroke:none}\n"
    "svg.chart .dot{fill:#0a7a3a;fill-opacity:.7}\n"
    "svg.chart .limit{stroke:#b00020;stroke-width:1.5;stroke-dasharray:5 4}\n"
    "svg.chart .bar{fill:#0a58ca}\n"
    "svg.chart .bar.over{fill:#b00020}\n"
    "svg.chart .empty{font-size:16px;fill:#9aa7b4}\n"
    ".st-idle{color:#0a7a3a}.st-serving{color:#0a58ca}.st-calling{color:#b36b00}"
    ".st-paused{color:#777}.st-logged_out{color:#aaa}\n"
    /*  kiosk: the touch screen  */
    "body.kiosk{background:#0b2a4a;color:#fff}\n"
    ".kiosk header{padding:2vh 3vw;font-size:2em}\n"
    ".kiosk header h1{margin:0;font-size:1em}\n"
    ".kiosk .en{color:#b8c7d6}\n"
    ".kiosk main{padding:0 3vw 3vh}\n"
    ".kiosk .services{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));"
    "gap:2vw}\n"
    ".kiosk form{margin:0}\n"
    ".kiosk button.svc{width:100%;min-height:20vh;font:inherit;font-size:2.4em;font-weight:bold;"
    "border:0;border-radius:16px;background:#fff;color:#0b2a4a;cursor:pointer;padding:.4em}\n"
    ".kiosk button.svc:active{background:#ffd400}\n"
    ".kiosk button.svc span{display:block;font-size:.45em;font-weight:normal;color:#3a4a5a}\n"
    ".kiosk button.svc small{display:block;font-size:.42em;font-weight:normal;color:#0a7a3a;"
    "margin-top:.3em}\n"
    ".slip{background:#fff;color:#111;max-width:640px;margin:2vh auto;padding:1.5em;"
    "border-radius:12px;text-align:center}\n"
    ".slip .num{font-size:5em;font-weight:bold;margin:.1em 0;color:#0b2a4a}\n"
    ".slip .en{color:#5b6b7b}\n"
    "svg.qr{width:240px;height:240px;display:block;margin:.5em auto}\n"
    ".btn{display:inline-block;font:inherit;font-size:1.5em;padding:.5em 1.5em;"
    "border-radius:10px;background:#ffd400;color:#111;text-decoration:none;border:0;"
    "cursor:pointer}\n"
    /*  citizen pages: status and rating, on a phone  */
    "body.citizen{font-size:18px}\n"
    ".citizen main{max-width:560px;margin:0 auto;padding:1em}\n"
    ".ticket-card,.case,.note{background:#fff;border-radius:12px;padding:1em;margin:0 0 1em;"
    "box-shadow:0 1px 3px rgba(0,0,0,.1)}\n"
    ".ticket-card{text-align:center}\n"
    ".ticket-card .num{font-size:3.5em;font-weight:bold;margin:.1em 0;color:#0b2a4a}\n"
    ".ticket-card .state{font-size:1.3em;font-weight:bold}\n"
    ".ticket-card h1{font-size:1.3em}\n"
    ".ticket-card .ahead b{font-size:1.6em;color:#b36b00}\n"
    ".case h2{font-size:1.1em;margin:0 0 .5em}\n"
    ".case dl{display:grid;grid-template-columns:auto 1fr;gap:.3em 1em;margin:0}\n"
    ".case dt{color:#5b6b7b}\n"
    ".case dd{margin:0}\n"
    ".pickup{background:#fff6d6;border-left:4px solid #ffb400;padding:.6em .8em;margin-top:.8em}\n"
    ".levels{display:grid;gap:.6em;margin:1em 0}\n"
    ".levels button{font:inherit;font-size:1.4em;padding:.7em;border-radius:10px;"
    "border:2px solid #0b2a4a;background:#fff;cursor:pointer}\n"
    ".levels button.l5,.levels button.l4{border-color:#0a7a3a}\n"
    ".levels button.l2,.levels button.l1{border-color:#b00020}\n"
    ".levels button .en{display:block;font-size:.6em}\n"
    "textarea{width:100%;font:inherit;min-height:4em}\n"
    "body.index main{max-width:720px;margin:0 auto;padding:1em}\n"
    "body.index li{margin:.5em 0;font-size:1.2em}\n";

//  Written for old TV and kiosk browsers too: ES5, XMLHttpRequest, no modules.
const char web_app_js[] =
    "/* onewindow: keeps the server-rendered parts of a page live (see web_assets.h). */\n"
    "(function () {\n"
    "  'use strict';\n"
    "  var body = document.body;\n"
    "  var parts = [].slice.call(document.querySelectorAll('[data-part]'));\n"
    "  var topics = (body.getAttribute('data-topics') || '').split(' ').filter(function (t) {\n"
    "    return t;\n"
    "  });\n"
    "  function load(el) {\n"
    "    if (el.owBusy) { el.owAgain = true; return; }\n"
    "    el.owBusy = true;\n"
    "    var x = new XMLHttpRequest();\n"
    "    function done() {\n"
    "      el.owBusy = false;\n"
    "      if (el.owAgain) { el.owAgain = false; schedule(el, 300); }\n"
    "    }\n"
    "    x.open('GET', el.getAttribute('data-part'), true);\n"
    "    x.timeout = 10000;\n"
    "    x.onload = function () {\n"
    "      if (x.status === 200) el.innerHTML = x.responseText;\n"
    "      done();\n"
    "    };\n"
    "    x.onerror = done;\n"
    "    x.ontimeout = done;\n"
    "    x.send();\n"
    "  }\n"
    "  function schedule(el, ms) {\n"
    "    if (el.owTimer) return;\n"
    "    el.owTimer = setTimeout(function () { el.owTimer = null; load(el); }, ms);\n"
    "  }\n"
    "  function wants(el, topic, data) {\n"
    "    var on = (el.getAttribute('data-on') || '').split(' '), hit = false, i;\n"
    "    for (i = 0; i < on.length; i++)\n"
    "      if (on[i] && topic.indexOf(on[i]) === 0) hit = true;\n"
    "    if (!hit) return false;\n"
    "    var id = el.getAttribute('data-ticket'), svc = el.getAttribute('data-service');\n"
    "    if (!id && !svc) return true;\n"
    "    if (topic.indexOf('mirror.') === 0 || topic.indexOf('hall.') === 0) return true;\n"
    "    var e;\n"
    "    try { e = JSON.parse(data); } catch (err) { return true; }\n"
    "    var t = e.ticket || (e['case'] && e['case'].ticket) ||\n"
    "      (e.rectification && e.rectification.ticket);\n"
    "    if (!t) return false;\n"
    "    return (id && String(t.id) === id) || (svc && t.service === svc) ? true : false;\n"
    "  }\n"
    "  function onEvent(topic, data) {\n"
    "    parts.forEach(function (el) {\n"
    "      if (wants(el, topic, data)) schedule(el, +(el.getAttribute('data-delay') || 300));\n"
    "    });\n"
    "  }\n"
    "  parts.forEach(function (el) {\n"
    "    var every = +(el.getAttribute('data-every') || 0);\n"
    "    if (every > 0) setInterval(function () { load(el); }, every * 1000);\n"
    "  });\n"
    "  function live(on) { body.setAttribute('data-live', on ? 'on' : 'off'); }\n"
    "  function direct() {\n"
    "    if (!window.EventSource) return;\n"
    "    var es = new EventSource('/events');\n"
    "    es.onopen = function () { message({kind: 'open'}); };\n"
    "    es.onerror = function () { message({kind: 'error'}); };\n"
    "    topics.forEach(function (t) {\n"
    "      es.addEventListener(t, function (e) {\n"
    "        message({kind: 'event', topic: t, data: e.data});\n"
    "      });\n"
    "    });\n"
    "  }\n"
    "  function message(d) {\n"
    "    if (d.kind === 'nosse') direct();\n"
    "    else if (d.kind === 'open') live(true);\n"
    "    else if (d.kind === 'error') live(false);\n"
    "    else if (d.kind === 'event') { live(true); onEvent(d.topic, d.data); }\n"
    "  }\n"
    "  if (!topics.length) return;\n"
    "  /* The stream lives in a worker: the page's own thread stays free for drawing, and\n"
    "     tools that wait for a page's fetches to settle (headless browsers measuring\n"
    "     virtual time) are not held up by a stream that never ends. */\n"
    "  if (window.Worker) {\n"
    "    try {\n"
    "      var w = new Worker('/assets/live-worker.js');\n"
    "      w.onmessage = function (m) { message(m.data); };\n"
    "      w.postMessage({url: '/events', topics: topics});\n"
    "      return;\n"
    "    } catch (err) { /* fall through */ }\n"
    "  }\n"
    "  direct();\n"
    "})();\n";

const char web_worker_js[] =
    "/* onewindow: the page's event stream (see app.js). EventSource reconnects by itself\n"
    "   and sends Last-Event-ID, so a gateway or broker restart loses nothing. A browser\n"
    "   without EventSource in workers is told so, and the page opens the stream itself. */\n"
    "'use strict';\n"
    "var es = null;\n"
    "onmessage = function (m) {\n"
    "  if (es) return;\n"
    "  if (!self.EventSource) { postMessage({kind: 'nosse'}); return; }\n"
    "  es = new EventSource(m.data.url);\n"
    "  es.onopen = function () { postMessage({kind: 'open'}); };\n"
    "  es.onerror = function () { postMessage({kind: 'error'}); };\n"
    "  m.data.topics.forEach(function (t) {\n"
    "    es.addEventListener(t, function (e) {\n"
    "      postMessage({kind: 'event', topic: t, data: e.data});\n"
    "    });\n"
    "  });\n"
    "};\n";

void
web_escape (FILE *out, const char *text)
{
    if (!text)
        return;
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&': fputs ("&amp;", out); break;
        case '<': fputs ("&lt;", out); break;
        case '>': fputs ("&gt;", out); break;
        case '"': fputs ("&quot;", out); break;
        case '\'': fputs ("&#39;", out); break;
        default: fputc (*p, out);
        }
    }
}

void
web_page_begin (FILE *out, const char *title, const char *page, const char *head_extra,
                const char *body_attrs)
{
    fputs ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"referrer\" content=\"no-referrer\">\n<title>",
           out);
    web_escape (out, title);
    fputs ("</title>\n<link rel=\"icon\" href=\"data:,\">\n"
           "<link rel=\"stylesheet\" href=\"/assets/app.css\">\n",
           out);
    if (head_extra)
        fputs (head_extra, out);
    fputs ("</head>\n<body class=\"", out);
    web_escape (out, page);
    fputs ("\"", out);
    if (body_attrs)
        fputs (body_attrs, out);
    fputs (">\n", out);
}

void
web_page_end (FILE *out, int script)
{
    if (script)
        fputs ("<script src=\"/assets/app.js\"></script>\n", out);
    fputs ("</body>\n</html>\n", out);
}
