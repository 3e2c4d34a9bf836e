/* api_floor.c: the associates' floor page, GET /floor/{store}: plain HTML for a phone or a
 * tablet on the shop floor with the store's open fitting-room requests (requested or on its
 * way), oldest first, each with "On its way" and "Unavailable" buttons that call
 * POST /v1/fitting-requests/{id}/status with fetch(); the list refreshes every 5 s. Inline
 * style and script, no external resources; every text is HTML-escaped and the script reads
 * ids from data attributes, never from text spliced into it.
 * Runs on connection threads with Central.lock held. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "page.h"
#include "util.h"

#define FLOOR_PAGE_MAX   (256 * 1024) /* bytes of the page: 100 requests of hostile text fit */
#define FLOOR_LIST_MAX   100          /* open requests shown */
#define FLOOR_REFRESH_MS 5000
#define FLOOR_STORE_NAME 128

static const char FLOOR_STYLE[] =
    "<style>body{font-family:system-ui,-apple-system,sans-serif;color:#1f1f1f;margin:0 auto;"
    "padding:12px;max-width:720px}h1{font-size:1.3em;margin:.3em 0}small{color:#5f6368}"
    "ul{list-style:none;padding:0;margin:0}li{display:flex;gap:12px;align-items:center;"
    "justify-content:space-between;padding:12px 0;border-bottom:1px solid #e4e4e0}"
    ".room{font-weight:700}.st{font-size:.85em;padding:2px 8px;border-radius:10px;"
    "background:#f2e3b3}.on_its_way .st{background:#cfe7d3}"
    ".act{display:flex;gap:8px;flex:none}button{font:inherit;padding:12px 14px;"
    "border-radius:10px;border:0;background:#1d2b4f;color:#fff}"
    "button.no{background:#e4e4e0;color:#1f1f1f}button:disabled{opacity:.4}"
    "#msg{color:#b5522b;min-height:1.2em;margin:.2em 0}</style>";

/* Constant: it takes nothing from the database or the request but the data attributes.
 * It ends in "setInterval(refresh," and the caller appends the period. */
static const char FLOOR_SCRIPT[] =
    "<script>(function(){"
    "var A=document.body.dataset.associate||'',msg=document.getElementById('msg'),off=false;"
    "function refresh(){fetch(location.href,{cache:'no-store'}).then(function(r){"
    "return r.ok?r.text():null}).then(function(t){if(off){off=false;msg.textContent=''}"
    "if(!t)return;var n=new DOMParser().parseFromString(t,'text/html').getElementById('list');"
    "if(n)document.getElementById('list').replaceWith(n)}).catch(function(){off=true;"
    "msg.textContent='Offline: retrying'})}"
    "document.addEventListener('click',function(e){"
    "var b=e.target.closest('button[data-status]');if(!b)return;var li=b.closest('li');"
    "b.disabled=true;var body={status:b.dataset.status};if(A)body.associate=A;"
    "fetch('/v1/fitting-requests/'+encodeURIComponent(li.dataset.id)+'/status',"
    "{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify(body)})"
    ".then(function(r){if(r.ok){msg.textContent='';return}return r.json().then(function(j){"
    "msg.textContent='Not changed: '+(j&&j.error?j.error.message:r.status)})})"
    ".catch(function(){msg.textContent='Offline: not changed'}).then(refresh)});"
    "setInterval(refresh,";

/* The store's name if it is a shop (fitting rooms are in shops); false otherwise. */
static bool shop_name(sqlite3 *db, const char *store, char name[FLOOR_STORE_NAME])
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (db_prepare(db, "SELECT name FROM stores WHERE id=? AND kind='store'", &st) != KIOSK_OK)
        return false;
    sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(name, FLOOR_STORE_NAME, "%s", db_text(st, 0));
        found = true;
    }
    sqlite3_finalize(st);
    return found;
}

static void page_request(Page *p, sqlite3_stmt *st, time_t now)
{
    const char *status = db_text(st, 5);
    bool on_its_way = strcmp(status, "on_its_way") == 0;
    time_t age = now - (time_t)sqlite3_column_int64(st, 6);
    page_raw(p, "<li class=%s data-id=\"", on_its_way ? "on_its_way" : "requested");
    page_text(p, db_text(st, 0));
    page_raw(p, "\"><div><span class=room>");
    page_text(p, db_text(st, 1));
    page_raw(p, "</span> <small>");
    page_ago(p, age < 0 ? 0 : age);
    page_raw(p, "</small><br>");
    page_text(p, db_text(st, 2));
    page_raw(p, "<br><small>");
    page_text(p, db_text(st, 3));
    page_raw(p, " · size ");
    page_text(p, db_text(st, 4));
    page_raw(p, "</small> <span class=st>%s</span></div><div class=act>",
             on_its_way ? "On its way" : "Requested");
    page_raw(p, "<button data-status=on_its_way%s>On its way</button>",
             on_its_way ? " disabled" : "");
    page_raw(p, "<button class=no data-status=unavailable>Unavailable</button></div></li>");
}

void api_floor_page(HttpRequest *req, HttpReply *r)
{
    const char *store = req->seg[1], *associate = http_query(req, "associate");
    char name[FLOOR_STORE_NAME];
    sqlite3_stmt *st = NULL;
    unsigned status = 200;
    time_t now = time(NULL);
    Page p;
    if (!page_init(&p, FLOOR_PAGE_MAX)) {
        http_reply_error(r, 500, "internal", "Out of memory");
        return;
    }
    if (associate && *associate && !util_valid_id(associate)) {
        status = 400;
        page_message(&p, FLOOR_STYLE, "Not a staff id",
                     "The associate in this link is not a staff id.");
        goto out;
    }
    if (!util_valid_id(store) || !shop_name(req->c->db, store, name)) {
        status = 404;
        page_message(&p, FLOOR_STYLE, "Store not found", "There is no shop with this id.");
        goto out;
    }
    if (db_prepare(req->c->db,
                   "SELECT f.id,f.room,p.name,v.colour,v.size,f.status,f.created_at"
                   " FROM fitting_requests f JOIN variants v ON v.id=f.variant_id"
                   " JOIN products p ON p.id=v.product_id WHERE f.store_id=?"
                   " AND f.status IN ('requested','on_its_way') ORDER BY f.created_at, f.id"
                   " LIMIT ?",
                   &st) != KIOSK_OK) {
        status = 500;
        page_message(&p, FLOOR_STYLE, "Try again", "The service could not read its database.");
        goto out;
    }
    sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, FLOOR_LIST_MAX);
    page_head(&p, "Fitting rooms", name, FLOOR_STYLE);
    page_raw(&p, "<body data-associate=\"");
    page_text(&p, associate ? associate : "");
    page_raw(&p, "\"><h1>Fitting rooms</h1><p><small>");
    page_text(&p, name);
    page_raw(&p, " · refreshes every %d s</small></p><p id=msg role=status></p><div id=list>",
             FLOOR_REFRESH_MS / 1000);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++ == 0)
            page_raw(&p, "<ul>");
        page_request(&p, st, now);
    }
    page_raw(&p, n ? "</ul>" : "<p><small>No open requests.</small></p>");
    page_raw(&p, "</div>");
    page_raw(&p, "%s%d)})()</script>", FLOOR_SCRIPT, FLOOR_REFRESH_MS);
    page_raw(&p, "</body></html>");
out:
    sqlite3_finalize(st);
    page_reply(&p, r, status);
}
