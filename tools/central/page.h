/* page.h: the small HTML pages the service serves to people rather than devices (a phone's
 * hand-off page, the associates' floor page): a bounded buffer that text is appended to,
 * every text from the database or the request HTML-escaped on the way in. A Page is used by
 * one handler; its buffer passes to the HttpReply with page_reply(). */
#ifndef CENTRAL_PAGE_H
#define CENTRAL_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

typedef struct Page {
    char *buf;
    size_t len, cap;
    bool full; /* something did not fit: the page is cut, never overrun */
} Page;

/* Allocates cap bytes (including the NUL); false when out of memory. */
bool page_init(Page *p, size_t cap);
/* Frees the buffer unless page_reply() took it; a zeroed Page is fine. */
void page_deinit(Page *p);
/* Appends markup as it is (the format and its arguments are the caller's, never user text). */
void page_raw(Page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends text HTML-escaped (& < > " '), safe in element content and quoted attributes. */
void page_text(Page *p, const char *s);
/* Appends cents as "$12.34". */
void page_money(Page *p, long long cents);
/* Starts a page: doctype, viewport, "<title>title · place</title>" (place may be NULL) and
 * the style markup as it is. The caller goes on with <body>. */
void page_head(Page *p, const char *title, const char *place, const char *style);
/* A whole page that says one thing: its title as the heading and a sentence. */
void page_message(Page *p, const char *style, const char *title, const char *message);
/* An age for people: "just now", "12 min ago", "3 h 5 min ago", "4 days ago". */
void page_ago(Page *p, long long seconds);
/* Hands the page to the reply as text/html with this status; the Page is empty after. */
void page_reply(Page *p, HttpReply *r, unsigned status);

#endif
