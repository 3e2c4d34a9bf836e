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

void page_reply(Page *p, HttpReply *r, unsigned status)
{
    r->status = status;
    r->raw = (unsigned char *)p->buf;
    r->raw_len = p->len;
    r->content_type = "text/html; charset=utf-8";
    memset(p, 0, sizeof *p);
}
