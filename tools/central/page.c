/* page.c: see page.h. */
#include "page.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool page_init(Page *p, size_t cap)
{
    memset(p, 0, sizeof *p);
    p->buf = malloc(cap);
    if (!p->buf)
        return false;
    p->cap = cap;
    p->buf[0] = '\0';
    return true;
}

void page_deinit(Page *p)
{
    free(p->buf);
    memset(p, 0, sizeof *p);
}

void page_raw(Page *p, const char *fmt, ...)
{
    if (p->full)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(p->buf + p->len, p->cap - p->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= p->cap - p->len) {
        p->full = true;
        p->len = p->cap - 1;
    } else {
        p->len += (size_t)n;
    }
}

void page_text(Page *p, const char *s)
{
    for (; *s && !p->full; s++) {
        switch (*s) {
        case '&':
            page_raw(p, "&amp;");
            break;
        case '<':
            page_raw(p, "&lt;");
            break;
        case '>':
            page_raw(p, "&gt;");
            break;
        case '"':
            page_raw(p, "&quot;");
            break;
        case '\'':
            page_raw(p, "&#39;");
            break;
        default:
            page_raw(p, "%c", *s);
        }
    }
}

void page_money(Page *p, long long cents)
{
    page_raw(p, "$%lld.%02lld", cents / 100, cents % 100);
}

void page_head(Page *p, const char *title, const char *place, const char *style)
{
    page_raw(p, "<!doctype html><html lang=en><meta charset=utf-8>"
                "<meta name=viewport content=\"width=device-width,initial-scale=1\"><title>");
    page_text(p, title);
    if (place && place[0]) {
        page_raw(p, " · ");
        page_text(p, place);
    }
    page_raw(p, "</title>%s", style);
}

void page_message(Page *p, const char *style, const char *title, const char *message)
{
    page_head(p, title, NULL, style);
    page_raw(p, "<h1>");
    page_text(p, title);
    page_raw(p, "</h1><p>");
    page_text(p, message);
    page_raw(p, "</p></html>");
}

void page_ago(Page *p, long long seconds)
{
    if (seconds < 60)
        page_raw(p, "just now");
    else if (seconds < 3600)
        page_raw(p, "%lld min ago", seconds / 60);
    else if (seconds < 2 * 86400)
        page_raw(p, "%lld h %lld min ago", seconds / 3600, seconds % 3600 / 60);
    else
        page_raw(p, "%lld days ago", seconds / 86400);
}

void page_reply(Page *p, HttpReply *r, unsigned status)
{
    r->status = status;
    r->raw = (unsigned char *)p->buf;
    r->raw_len = p->len;
    r->content_type = "text/html; charset=utf-8";
    memset(p, 0, sizeof *p);
}
