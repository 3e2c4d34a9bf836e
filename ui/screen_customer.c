/* screen_customer.c: the customer's file, for the associate (associate mode only). What a
 * stylist needs at a glance: their sizes and taste; what they bought on every channel,
 * returns and their reasons included; the notes stylists have kept at the central service
 * (and a new one); then on to building a look, the bag, or the next customer. Member data
 * from the session only; the masked name never appears in full. */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "i18n.h"
#include "screen.h"
#include "text.h"

#define NOTE_LINES_MAX 4 /* of a note's text on the screen; longer ones are drawn smaller */

static const char *channel_name(const char *c)
{
    if (strcmp(c, "web") == 0)
        return _("Online");
    if (strcmp(c, "app") == 0)
        return _("App");
    if (strcmp(c, "store") == 0)
        return _("In store");
    if (strcmp(c, "kiosk") == 0)
        return _("Kiosk");
    return c;
}

static const char *word(const char *code)
{
    static const struct {
        const char *code, *name;
    } words[] = {{"slim", N_("Slim fit")},       {"regular", N_("Regular fit")},
                 {"relaxed", N_("Relaxed fit")}, {"casual", N_("Casual")},
                 {"smart", N_("Smart")},         {"outdoor", N_("Outdoor")},
                 {"sport", N_("Sport")},         {"classic", N_("Classic")}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(code, words[i].code) == 0)
            return _(words[i].name);
    return code;
}

/* A card with a heading; returns the room inside it. */
static SDL_Rect section(Ui *ui, const char *id, const char *title, SDL_Rect r)
{
    const Theme *t = &ui->theme;
    Widget card = {.id = id, .rect = r, .enabled = true};
    ui_add(ui, &WIDGET_CARD, &card);
    int pad = theme_px(t, 28), head_h = t->px[TEXT_HEADING] * 13 / 10;
    char hid[UI_ID_MAX];
    snprintf(hid, sizeof hid, "%.32s-title", id);
    ui_text(ui, hid, (SDL_Rect){r.x + pad, r.y + pad, r.w - 2 * pad, head_h}, title, TEXT_HEADING,
            t->text, (TextLayout){H_LEFT, V_TOP, false});
    return (SDL_Rect){r.x + pad, r.y + pad + head_h + theme_px(t, 8), r.w - 2 * pad,
                      r.h - 2 * pad - head_h - theme_px(t, 8)};
}

/* One line of text in a list; returns the next line's y, or -1 when it no longer fits. */
static int line(Ui *ui, const char *id, SDL_Rect in, int y, const char *text, TextRole role,
                SDL_Color c)
{
    int h = ui->theme.px[role] * 14 / 10;
    if (y + h > in.y + in.h)
        return -1;
    ui_text(ui, id, (SDL_Rect){in.x, y, in.w, h}, text, role, c,
            (TextLayout){H_LEFT, V_TOP, false});
    return y + h;
}

/* Sizes, then taste: one under the other in a column, side by side in a wide card (portrait,
 * where the card spans the screen and has room for few lines). */
static void sizes_and_taste(Ui *ui, const AppState *s, SDL_Rect r)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    SDL_Rect in = section(ui, "sizes", _("Sizes and taste"), r);
    bool wide = r.w > 2 * r.h;
    SDL_Rect taste = in;
    if (wide) {
        in.w = (in.w - t->gap) / 2;
        taste = (SDL_Rect){in.x + in.w + t->gap, in.y, in.w, in.h};
    }
    char text[256];
    int y = in.y;
    const struct {
        const char *id, *label, *value;
    } sizes[] = {{"size-shoe", N_("Shoes"), se->sizes.shoe},
                 {"size-top", N_("Tops"), se->sizes.top},
                 {"size-waist", N_("Waist"), se->sizes.waist},
                 {"size-dress", N_("Dresses"), se->sizes.dress},
                 {"size-sock", N_("Socks"), se->sizes.sock}};
    bool any = false;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && y >= 0; i++) {
        if (!sizes[i].value[0])
            continue;
        snprintf(text, sizeof text, "%s: %s", _(sizes[i].label), sizes[i].value);
        y = line(ui, sizes[i].id, in, y, text, TEXT_BODY, t->text);
        any = true;
    }
    if (!any && y >= 0)
        y = line(ui, "size-none", in, y,
                 se->profile_loaded ? _("No sizes saved yet.") : _("One moment…"), TEXT_BODY,
                 t->text_muted);
    const CentralPreferences *pf = &se->prefs;
    if (wide)
        y = taste.y;
    else if (y >= 0)
        y += theme_px(t, 12);
    in = taste;
    if (y >= 0 && pf->fit[0])
        y = line(ui, "pref-fit", in, y, word(pf->fit), TEXT_BODY, t->text);
    if (y >= 0 && pf->colour_count > 0) {
        size_t n = (size_t)snprintf(text, sizeof text, "%s ", _("Colours:"));
        for (size_t i = 0; i < pf->colour_count && n < sizeof text; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", i ? ", " : "", pf->colours[i]);
        y = line(ui, "pref-colours", in, y, text, TEXT_BODY, t->text);
    }
    if (y >= 0 && pf->style_count > 0) {
        size_t n = (size_t)snprintf(text, sizeof text, "%s ", _("Style:"));
        for (size_t i = 0; i < pf->style_count && n < sizeof text; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", i ? ", " : "",
                                  word(pf->styles[i]));
        line(ui, "pref-styles", in, y, text, TEXT_BODY, t->text);
    }
}

static void history(Ui *ui, const AppState *s, SDL_Rect r)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    SDL_Rect in = section(ui, "history", _("Purchases on every channel"), r);
    if (se->history_state != LOAD_OK) {
        screen_status(ui, se->history_state, in, "history", _("History can't be shown just now."));
        return;
    }
    if (se->history.count == 0) {
        line(ui, "history-none", in, in.y, _("No purchases yet."), TEXT_BODY, t->text_muted);
        return;
    }
    char text[384], date[64], id[UI_ID_MAX];
    int y = in.y;
    /* Returns first, with their reasons: what a stylist most needs to know about fit. */
    for (size_t o = 0; o < se->history.count && y >= 0; o++) {
        const CentralHistoryOrder *h = &se->history.orders[o];
        for (size_t l = 0; l < h->line_count && y >= 0; l++) {
            const CentralHistoryLine *hl = &h->lines[l];
            if (!hl->returned)
                continue;
            snprintf(text, sizeof text, _("Returned %s: %s"), hl->name,
                     hl->return_reason[0] ? hl->return_reason : _("no reason given"));
            snprintf(id, sizeof id, "return-%d-%d", (int)o, (int)l);
            y = line(ui, id, in, y, text, TEXT_BODY, t->accent);
        }
    }
    if (y > in.y)
        y += theme_px(t, 12);
    for (size_t o = 0; o < se->history.count && y >= 0; o++) {
        const CentralHistoryOrder *h = &se->history.orders[o];
        format_date(date, sizeof date, view_parse_time(h->created_at), app_language(s));
        snprintf(text, sizeof text, "%s · %s", date, channel_name(h->channel));
        snprintf(id, sizeof id, "order-%zu", o);
        if (y + t->px[TEXT_CAPTION] * 14 / 10 + t->px[TEXT_BODY] * 14 / 10 > in.y + in.h)
            break; /* a date without a line under it says nothing */
        y = line(ui, id, in, y, text, TEXT_CAPTION, t->text_muted);
        for (size_t l = 0; l < h->line_count && y >= 0; l++) {
            const CentralHistoryLine *hl = &h->lines[l];
            if (hl->size[0] && hl->colour[0])
                snprintf(text, sizeof text, _("%s, size %s, %s"), hl->name, hl->size, hl->colour);
            else
                snprintf(text, sizeof text, "%s", hl->name);
            snprintf(id, sizeof id, "order-%d-line-%d", (int)o, (int)l);
            y = line(ui, id, in, y, text, TEXT_BODY, hl->returned ? t->text_muted : t->text);
        }
        if (y >= 0)
            y += theme_px(t, 12);
    }
}

static void notes(Ui *ui, const AppState *s, SDL_Rect r)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    SDL_Rect in = section(ui, "notes", _("Stylist notes"), r);
    int bh = t->touch_min;
    SDL_Rect list = {in.x, in.y, in.w, in.h - bh - theme_px(t, 16)};
    ui_icon_button(ui, "add-note", (SDL_Rect){in.x, in.y + in.h - bh, in.w, bh}, _("Add a note"),
                   BUTTON_SECONDARY, "note", H_CENTER, s->online,
                   screen_intent(INTENT_OPEN_NOTE, 0));
    if (se->notes_state != LOAD_OK) {
        screen_status(ui, se->notes_state, list, "notes", _("Notes can't be shown just now."));
        return;
    }
    if (se->notes.count == 0) {
        line(ui, "notes-none", list, list.y, _("No notes yet."), TEXT_BODY, t->text_muted);
        return;
    }
    char text[256], date[64], id[UI_ID_MAX];
    int y = list.y, line_h = t->px[TEXT_BODY] * 13 / 10;
    size_t i;
    for (i = 0; i < se->notes.count; i++) {
        const CentralNote *n = &se->notes.notes[i];
        int cap_h = t->px[TEXT_CAPTION] * 14 / 10;
        /* As many lines as the note takes at full size (a tenth spare for the wrapping),
         * up to NOTE_LINES_MAX: the author right under it, every note the same size. */
        int w = 0, h = 0;
        text_measure(ui->text, n->text, t->weight[TEXT_BODY], t->px[TEXT_BODY], &w, &h);
        int lines = w * 10 / 9 / (list.w > 0 ? list.w : 1) + 1;
        int body_h = line_h * (lines < NOTE_LINES_MAX ? lines : NOTE_LINES_MAX);
        if (y + body_h + cap_h > list.y + list.h)
            break;
        snprintf(id, sizeof id, "note-%zu", i);
        ui_text(ui, id, (SDL_Rect){list.x, y, list.w, body_h}, n->text, TEXT_BODY, t->text,
                (TextLayout){H_LEFT, V_TOP, true});
        y += body_h;
        format_date(date, sizeof date, view_parse_time(n->created_at), app_language(s));
        snprintf(text, sizeof text, "%s · %s",
                 n->associate_name[0] ? n->associate_name : n->associate, date);
        snprintf(id, sizeof id, "note-%zu-by", i);
        y = line(ui, id, list, y, text, TEXT_CAPTION, t->text_muted);
        if (y < 0)
            break;
        y += theme_px(t, 12);
    }
    if (i < se->notes.count && y >= 0) { /* the stylist knows there is more than shown */
        int more = (int)(se->notes.count - i);
        snprintf(text, sizeof text,
                 ngettext("%d older note", "%d older notes", (unsigned long)more), more);
        line(ui, "notes-more", list, y, text, TEXT_CAPTION, t->text_muted);
    }
}

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int W = ui->w, H = ui->h, M = t->margin;
    bool landscape = W > H;
    ui_begin_frame(ui, t->background);
    int top = screen_staff_strip(ui, s, M / 2);
    char text[256];
    int title_h = t->px[TEXT_TITLE] * 13 / 10;
    ui_text(ui, "customer-name", (SDL_Rect){M, top, W - 2 * M, title_h},
            se->display_name[0] ? se->display_name : _("Customer"), TEXT_TITLE, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    top += title_h;
    const char *tier = screen_tier(se->tier);
    if (tier && se->points >= 0)
        snprintf(text, sizeof text, _("%s member · %d points"), tier, se->points);
    else
        snprintf(text, sizeof text, "%s", se->profile_loaded ? "" : _("Loading their profile…"));
    ui_text(ui, "customer-tier", (SDL_Rect){M, top, W - 2 * M, t->px[TEXT_BODY] * 14 / 10}, text,
            TEXT_BODY, t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
    top += t->px[TEXT_BODY] * 14 / 10 + t->gap / 2;
    int bh = t->touch_min;
    int bottom = H - M / 2 - (s->online || !s->central ? 0 : t->px[TEXT_CAPTION] * 2);
    int gap = t->gap;
    int by = bottom - bh;
    int content_bottom = landscape ? by : by - bh - gap;
    if (landscape) {
        int col1 = (W - 2 * M - 2 * gap) * 28 / 100, col3 = (W - 2 * M - 2 * gap) * 30 / 100;
        int col2 = W - 2 * M - 2 * gap - col1 - col3;
        int h = content_bottom - gap - top;
        sizes_and_taste(ui, s, (SDL_Rect){M, top, col1, h});
        history(ui, s, (SDL_Rect){M + col1 + gap, top, col2, h});
        notes(ui, s, (SDL_Rect){M + col1 + col2 + 2 * gap, top, col3, h});
    } else {
        int h = content_bottom - gap - top - 2 * gap;
        sizes_and_taste(ui, s, (SDL_Rect){M, top, W - 2 * M, h * 26 / 100});
        history(ui, s, (SDL_Rect){M, top + h * 26 / 100 + gap, W - 2 * M, h * 42 / 100});
        notes(ui, s, (SDL_Rect){M, top + h * 68 / 100 + 2 * gap, W - 2 * M, h - h * 68 / 100});
    }
    int items = app_cart_items(s);
    char bag[64];
    if (items > 0)
        snprintf(bag, sizeof bag, _("Bag · %d"), items);
    else
        snprintf(bag, sizeof bag, "%s", _("Bag"));
    /* Landscape: one row of three. Portrait: the look across, then the bag and next. */
    int bw = landscape ? (W - 2 * M - 2 * gap) / 3 : (W - 2 * M - gap) / 2;
    SDL_Rect look =
        landscape ? (SDL_Rect){M, by, bw, bh} : (SDL_Rect){M, by - bh - gap, W - 2 * M, bh};
    SDL_Rect bag_r = landscape ? (SDL_Rect){M + bw + gap, by, bw, bh} : (SDL_Rect){M, by, bw, bh};
    SDL_Rect next = {bag_r.x + bw + gap, by, bw, bh};
    ui_icon_button(ui, "build-look", look, _("Build a look"), BUTTON_PRIMARY, "store", H_CENTER,
                   true, screen_intent(INTENT_HOME, 0));
    ui_icon_button(ui, "bag", bag_r, bag, BUTTON_SECONDARY, "bag", H_CENTER, true,
                   screen_intent(INTENT_OPEN_CART, 0));
    ui_button(ui, "next-customer", next, _("Next customer"), BUTTON_SECONDARY,
              screen_intent(INTENT_NEXT_CUSTOMER, 0));
    screen_offline_line(ui, s);
}

const ScreenClass SCREEN_CUSTOMER_CLASS = {
    .id = SCREEN_CUSTOMER,
    .draw_kiosk = draw,
    .draw_mirror = draw,
};
