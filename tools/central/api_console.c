/* api_console.c: the device console, GET /console/{store}: plain HTML for the person who
 * installs and looks after a shop's displays. It lists the store's devices (id, name, kind,
 * version, last heartbeat, healthy, offline or revoked, certificate expiry, the last
 * screenshot it sent) with buttons for the operator's commands (screenshot, sync now,
 * restart) and Revoke, makes one-time enrollment codes (shown large and as a QR code, the PNG of
 * GET /console/codes/{code}.png) and sets the store's service PIN. The buttons call the
 * operator API (docs/api.md) with fetch(). Inline style and script, no external resources;
 * every text is HTML-escaped and the script reads ids from data attributes and writes with
 * textContent, never splicing text into markup. Operator calls: api_admin_auth.
 * Runs on connection threads with Central.lock held. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "image.h"
#include "page.h"
#include "util.h"

#define CONSOLE_PAGE_MAX    (256 * 1024) /* bytes: 200 devices of hostile names fit */
#define CONSOLE_DEVICES_MAX 200
#define CONSOLE_STORE_NAME  128
#define CONSOLE_HEALTHY_AGE 180 /* seconds since a heartbeat: three intervals */

static const char CONSOLE_STYLE[] =
    "<style>body{font-family:system-ui,-apple-system,sans-serif;color:#1f1f1f;margin:0 auto;"
    "padding:12px;max-width:960px}h1{font-size:1.3em;margin:.3em 0}h2{font-size:1.05em;"
    "margin:1.2em 0 .4em}small{color:#5f6368}table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:8px 6px;border-bottom:1px solid #e4e4e0;vertical-align:top}"
    ".st{font-size:.85em;padding:2px 8px;border-radius:10px;background:#e4e4e0}"
    ".healthy .st{background:#cfe7d3}.revoked .st{background:#f4c7c3}"
    "button{font:inherit;padding:10px 14px;border-radius:10px;border:0;background:#1d2b4f;"
    "color:#fff}button.no{background:#e4e4e0;color:#1f1f1f}button:disabled{opacity:.4}"
    "td button{padding:6px 10px;margin:0 4px 4px 0;font-size:.9em}.nw{white-space:nowrap}"
    "input{font:inherit;padding:9px;border:1px solid #c4c4c0;border-radius:8px;width:10em}"
    "#code{margin:12px 0;padding:12px;border:1px solid #e4e4e0;border-radius:12px;"
    "text-align:center}#code-text{font:700 2.6em ui-monospace,monospace;letter-spacing:.08em;"
    "margin:.2em 0}#code img{image-rendering:pixelated}"
    "#msg{color:#b5522b;min-height:1.2em;margin:.2em 0}</style>";

/* Constant: it takes nothing from the database or the request but the data attributes. */
static const char CONSOLE_SCRIPT[] =
    "<script>(function(){"
    "var S=document.body.dataset.store,msg=document.getElementById('msg');"
    "function $(i){return document.getElementById(i)}"
    "function fail(r){return r.json().then(function(j){"
    "msg.textContent=j&&j.error?j.error.message:'Error '+r.status},"
    "function(){msg.textContent='Error '+r.status})}"
    "function post(url,method,body){return fetch(url,{method:method,headers:"
    "{'Content-Type':'application/json'},body:JSON.stringify(body||{})})}"
    "document.addEventListener('click',function(e){"
    "var k=e.target.closest('button[data-kind]');"
    "if(k){k.disabled=true;post('/v1/admin/enrollment-codes','POST',{store:S,kind:k.dataset.kind})"
    ".then(function(r){if(!r.ok)return fail(r);return r.json().then(function(j){"
    "msg.textContent='';$('code-text').textContent=j.code;$('code-qr').src=j.qr_png;"
    "$('code-exp').textContent='For a '+j.kind+', once, until '+"
    "new Date(j.expires_at).toLocaleTimeString();$('code').hidden=false})})"
    ".catch(function(){msg.textContent='Offline: no code made'})"
    ".then(function(){k.disabled=false});return}"
    "var c=e.target.closest('button[data-cmd]');"
    "if(c){c.disabled=true;post('/v1/admin/devices/'+encodeURIComponent(c.closest('tr')"
    ".dataset.id)+'/commands','POST',{command:c.dataset.cmd}).then(function(r){"
    "if(!r.ok)return fail(r);msg.textContent=c.textContent+': sent with the next heartbeat "
    "(within a minute); it waits for a shopper to finish'}).catch(function(){"
    "msg.textContent='Offline: not sent'}).then(function(){c.disabled=false});return}"
    "var v=e.target.closest('button[data-revoke]');if(!v)return;"
    "var id=v.closest('tr').dataset.id;"
    "if(!confirm('Revoke '+id+'? It stops working until it is enrolled again.'))return;"
    "v.disabled=true;post('/v1/admin/devices/'+encodeURIComponent(id)+'/revoke','POST')"
    ".then(function(r){if(!r.ok)return fail(r);location.reload()})"
    ".catch(function(){msg.textContent='Offline: not revoked';v.disabled=false})});"
    "$('pin').addEventListener('submit',function(e){e.preventDefault();var f=e.target;"
    "post('/v1/admin/stores/'+encodeURIComponent(S)+'/service-pin','PUT',"
    "{pin:f.elements.pin.value}).then(function(r){if(!r.ok)return fail(r);f.reset();"
    "location.reload()}).catch(function(){msg.textContent='Offline: PIN not set'})})"
    "})()</script>";

/* The store's name if it is a shop (devices are installed in shops); false otherwise. */
static bool shop_name(sqlite3 *db, const char *store, char name[CONSOLE_STORE_NAME])
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (db_prepare(db, "SELECT name FROM stores WHERE id=? AND kind='store'", &st) != KIOSK_OK)
        return false;
    sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(name, CONSOLE_STORE_NAME, "%s", db_text(st, 0));
        found = true;
    }
    sqlite3_finalize(st);
    return found;
}

/* "set on 2026-11-23" or "not set", from store_config. */
static void page_pin_state(Page *p, sqlite3 *db, const char *store)
{
    sqlite3_stmt *st = NULL;
    time_t set_at = 0;
    if (db_prepare(db,
                   "SELECT pin_set_at FROM store_config WHERE store_id=? AND pin_hash"
                   " IS NOT NULL",
                   &st) == KIOSK_OK) {
        sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            set_at = (time_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (set_at) {
        char date[11];
        util_iso_date(set_at, date);
        page_raw(p,
                 "<p>Set on %s. Devices get it hashed with their configuration; the PIN "
                 "itself is never stored.</p>",
                 date);
    } else {
        page_raw(p, "<p><b>Not set:</b> the store's devices refuse service mode until it is."
                    "</p>");
    }
}

/* One row of the device table; st is the SELECT of api_console_page. */
static void page_device(Page *p, sqlite3_stmt *st, time_t now)
{
    time_t seen = (time_t)sqlite3_column_int64(st, 4);
    time_t expires = (time_t)sqlite3_column_int64(st, 5);
    bool revoked = sqlite3_column_type(st, 6) != SQLITE_NULL;
    bool healthy = !revoked && seen && now - seen <= CONSOLE_HEALTHY_AGE;
    const char *state = revoked ? "revoked" : healthy ? "healthy" : "offline";
    page_raw(p, "<tr class=%s data-id=\"", state);
    page_text(p, db_text(st, 0));
    page_raw(p, "\"><td>");
    page_text(p, db_text(st, 0));
    page_raw(p, "<br><small>");
    page_text(p, db_text(st, 1));
    page_raw(p, "</small><td>");
    page_text(p, db_text(st, 2));
    page_raw(p, "<td>");
    page_text(p, db_text(st, 3));
    page_raw(p, "<td>");
    if (seen)
        page_ago(p, now - seen < 0 ? 0 : now - seen);
    else
        page_raw(p, "never");
    page_raw(p, "<td><span class=st>%s</span>", state);
    if (expires && !revoked) {
        char date[11];
        util_iso_date(expires, date);
        page_raw(p, "<br><small class=nw>certificate until %s</small>", date);
    }
    if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
        time_t shot = (time_t)sqlite3_column_int64(st, 7);
        page_raw(p, "<br><small class=nw><a href=\"/v1/admin/devices/");
        page_text(p, db_text(st, 0));
        page_raw(p, "/screenshot\" target=_blank>screenshot</a> ");
        page_ago(p, now - shot < 0 ? 0 : now - shot);
        page_raw(p, "</small>");
    }
    page_raw(p, "<td>%s",
             revoked ? ""
                     : "<button class=no data-cmd=screenshot>Screenshot</button> "
                       "<button class=no data-cmd=sync_now>Sync now</button> "
                       "<button class=no data-cmd=restart>Restart</button> "
                       "<button class=no data-revoke>Revoke</button>");
    page_raw(p, "</tr>");
}

void api_console_page(HttpRequest *req, HttpReply *r)
{
    const char *store = req->seg[1];
    char name[CONSOLE_STORE_NAME];
    sqlite3_stmt *st = NULL;
    unsigned status = 200;
    time_t now = time(NULL);
    Page p;
    if (!api_admin_auth(req, r))
        return;
    if (!page_init(&p, CONSOLE_PAGE_MAX)) {
        http_reply_error(r, 500, "internal", "Out of memory");
        return;
    }
    if (!util_valid_id(store) || !shop_name(req->c->db, store, name)) {
        status = 404;
        page_message(&p, CONSOLE_STYLE, "Store not found", "There is no shop with this id.");
        goto out;
    }
    if (db_prepare(req->c->db,
                   "SELECT id,name,kind,version,last_seen,cert_expires_at,revoked_at,taken_at"
                   " FROM devices LEFT JOIN device_screenshots ON device_id=id"
                   " WHERE store_id=? ORDER BY id LIMIT ?",
                   &st) != KIOSK_OK) {
        status = 500;
        page_message(&p, CONSOLE_STYLE, "Try again", "The service could not read its database.");
        goto out;
    }
    sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, CONSOLE_DEVICES_MAX);
    page_head(&p, "Devices", name, CONSOLE_STYLE);
    page_raw(&p, "<body data-store=\"");
    page_text(&p, store);
    page_raw(&p, "\"><h1>Devices</h1><p><small>");
    page_text(&p, name);
    page_raw(&p, " · ");
    page_text(&p, store);
    page_raw(&p, "</small></p><p id=msg role=status></p>");

    page_raw(&p, "<h2>Enroll a device</h2><p>Make a one-time code, valid 30 minutes, and type "
                 "it or scan it on the new device.</p><p><button data-kind=kiosk>New kiosk "
                 "code</button> <button data-kind=mirror>New mirror code</button></p>"
                 "<div id=code hidden><p id=code-text></p><img id=code-qr alt=\"QR code of "
                 "the enrollment code\"><p><small id=code-exp></small></p></div>");

    page_raw(&p, "<h2>Service PIN</h2>");
    page_pin_state(&p, req->c->db, store);
    page_raw(&p, "<form id=pin><input name=pin type=password inputmode=numeric "
                 "autocomplete=off pattern=\"[0-9]{6,12}\" maxlength=12 required "
                 "placeholder=\"6 to 12 digits\"> <button>Set PIN</button></form>");

    page_raw(&p, "<h2>Devices</h2>");
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++ == 0)
            page_raw(&p, "<table id=list><tr><th>Device<th>Kind<th>Version<th>Last heartbeat"
                         "<th>State<th></tr>");
        page_device(&p, st, now);
    }
    page_raw(&p, n ? "</table>" : "<p><small>No devices enrolled yet.</small></p>");
    page_raw(&p, "%s</body></html>", CONSOLE_SCRIPT);
out:
    sqlite3_finalize(st);
    page_reply(&p, r, status);
}

void api_console_code_png(HttpRequest *req, HttpReply *r)
{
    char text[HTTP_SEG_MAX + 1], shown[API_CODE_SHOWN], qr[32];
    unsigned char *png = NULL;
    size_t len = 0, n = strlen(req->seg[2]);
    if (!api_admin_auth(req, r))
        return;
    /* Only a code that can still be used gets a picture: this is no QR service for any
     * text, and a used code's QR is worth nothing. */
    if (n < 4 || strcmp(req->seg[2] + n - 4, ".png") != 0 ||
        snprintf(text, sizeof text, "%.*s", (int)(n - 4), req->seg[2]) < 0 ||
        !api_enrollment_code_live(req->c->db, text, shown)) {
        http_reply_error(r, 404, "enrollment_code_not_found", "No live enrollment code %s",
                         req->seg[2]);
        return;
    }
    snprintf(qr, sizeof qr, "%s%s", API_CODE_QR_PREFIX, shown);
    if (image_qr_png(qr, &png, &len) != KIOSK_OK) {
        http_reply_error(r, 500, "internal", "The QR code could not be drawn");
        return;
    }
    r->status = 200;
    r->raw = png;
    r->raw_len = len;
    r->content_type = "image/png";
    r->no_store = true;
}
