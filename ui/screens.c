/* screens.c: the screen registry, the pieces screens share, and the overlays drawn above
 * any screen ("Still there?"). */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "images.h"
#include "i18n.h"
#include "screen.h"

static const ScreenClass *const SCREENS[SCREEN_COUNT] = {
    [SCREEN_ATTRACT] = &SCREEN_ATTRACT_CLASS,
    [SCREEN_IDENTIFY] = &SCREEN_IDENTIFY_CLASS,
    [SCREEN_HOME] = &SCREEN_HOME_CLASS,
    [SCREEN_BROWSE] = &SCREEN_BROWSE_CLASS,
    [SCREEN_SEARCH] = &SCREEN_SEARCH_CLASS,
    [SCREEN_PRODUCT] = &SCREEN_PRODUCT_CLASS,
    [SCREEN_CART] = &SCREEN_CART_CLASS,
    [SCREEN_CHECKOUT] = &SCREEN_CHECKOUT_CLASS,
    [SCREEN_CONFIRMATION] = &SCREEN_CONFIRMATION_CLASS,
    [SCREEN_STAFF] = &SCREEN_STAFF_CLASS,
    [SCREEN_CUSTOMER] = &SCREEN_CUSTOMER_CLASS,
    [SCREEN_NOTE] = &SCREEN_NOTE_CLASS,
    [SCREEN_CONFIRM] = &SCREEN_CONFIRM_CLASS,
    [SCREEN_SETUP] = &SCREEN_SETUP_CLASS,
    [SCREEN_SERVICE_PIN] = &SCREEN_SERVICE_PIN_CLASS,
    [SCREEN_SERVICE] = &SCREEN_SERVICE_CLASS,
};

/* Friendly words for each notice: what happened and what to do, never an error code. */
static const char *notice_text(Notice n)
{
    switch (n) {
    case NOTICE_CARD_UNREADABLE:
        return _("We couldn't read that card. Hold your loyalty card flat on the reader and "
                 "try again.");
    case NOTICE_CARD_EXPIRED:
        return _("This card has expired. A member of our team can give you a new one.");
    case NOTICE_CARD_INVALID:
        return _("This card can't be used here. A member of our team will be glad to help.");
    case NOTICE_STAFF_BADGE:
        return _("That's a staff badge. Staff sign-in isn't available on this screen.");
    case NOTICE_PRODUCT_TAG:
        return _("That's a product tag. Tap your loyalty card to sign in.");
    case NOTICE_TAG_UNKNOWN:
        return _("We don't recognise that tag. A member of our team can help.");
    case NOTICE_SIGN_IN_TO_ORDER:
        return _("Sign in to order: tap your loyalty card or scan the code with our app. "
                 "Your bag is kept.");
    case NOTICE_CART_FULL:
        return _("Your bag is full. To order more, finish this order first.");
    case NOTICE_ADDED_TO_CART:
        return _("Added to your bag.");
    case NOTICE_ORDER_NOT_SAVED:
        return _("We couldn't save your order on this screen, so it has not been placed. "
                 "Please ask a member of our team.");
    case NOTICE_ORDER_REFUSED:
        return _("We couldn't place your order: an item may have just sold out. Your bag is "
                 "still here to change.");
    case NOTICE_GARMENT_UNKNOWN:
        return _("We couldn't find that garment in our catalog. A member of our team can help.");
    case NOTICE_TECHNICIAN:
        return _("That's a technician badge. Service mode isn't available on this screen.");
    case NOTICE_WRONG_CUSTOMER:
        return _("That card belongs to someone else. The customer confirms with their own card.");
    case NOTICE_NOTE_SAVED:
        return _("Note saved to the customer's profile.");
    case NOTICE_NOTE_FAILED:
        return _("The note couldn't be saved just now. It's still here to try again.");
    case NOTICE_SETUP:
        return _("This screen is being set up. It will be ready for you soon.");
    case NOTICE_BADGE_FIRST:
        return _("Tap your technician badge first, then scan the code again.");
    case NOTICE_NO_PIN:
        return _("Service mode needs this store's service PIN, and none is set. Set one at the "
                 "central service first.");
    case NOTICE_NONE:
    case NOTICE_COUNT:
        break;
    }
    return "";
}

/* Where a fitting-room request has got, in the shopper's words. */
static void fitting_text(const AppState *s, const ScreenEnv *env, char *out, size_t size)
{
    const FittingView *f = &s->session.fitting;
    char what[128];
    if (f->size[0] && f->colour[0])
        snprintf(what, sizeof what, _("Size %s in %s"), f->size, f->colour);
    else
        snprintf(what, sizeof what, "%s", f->size[0] ? f->size : f->colour);
    const char *room = env->cfg->fitting_room;
    switch (f->status) {
    case FITTING_SENDING:
        snprintf(out, size, "%s", _("Asking the floor team…"));
        break;
    case FITTING_REQUESTED:
        snprintf(out, size, _("%s requested for %s. An associate will bring it shortly."), what,
                 room);
        break;
    case FITTING_ON_ITS_WAY:
        snprintf(out, size, _("%s is on its way to %s."), what, room);
        break;
    case FITTING_UNAVAILABLE:
        snprintf(out, size,
                 _("Sorry, %s can't be brought just now. You can order it to your home."), what);
        break;
    case FITTING_FAILED:
        snprintf(out, size, "%s",
                 _("We couldn't reach the floor team. Please ask an associate nearby."));
        break;
    case FITTING_NONE:
        out[0] = '\0';
        break;
    }
}

/* The news of a fitting-room request, along the top edge of every mirror screen. */
static void draw_fitting(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const FittingView *f = &s->session.fitting;
    int h = theme_px(t, 104);
    SDL_Rect card = {t->margin, t->margin / 2 + t->touch_min + theme_px(t, 24),
                     ui->w - 2 * t->margin, h};
    Widget c = {.id = "fitting-status",
                .rect = card,
                .color = t->surface,
                .enabled = true,
                .text = f->status == FITTING_REQUESTED     ? "requested"
                        : f->status == FITTING_ON_ITS_WAY  ? "on_its_way"
                        : f->status == FITTING_UNAVAILABLE ? "unavailable"
                        : f->status == FITTING_FAILED      ? "failed"
                                                           : "sending"};
    ui_add(ui, &WIDGET_CARD, &c);
    int pad = theme_px(t, 24), icon = h - 2 * pad;
    Widget ic = {.id = "fitting-icon",
                 .rect = {card.x + pad, card.y + pad, icon, icon},
                 .icon = "tag",
                 .color = f->status == FITTING_ON_ITS_WAY ? t->accent : t->text_muted,
                 .text = "",
                 .enabled = true};
    ui_add(ui, &WIDGET_IMAGE, &ic);
    char text[320];
    fitting_text(s, env, text, sizeof text);
    bool done = f->status != FITTING_SENDING && f->status != FITTING_REQUESTED;
    int bw = done ? t->touch_min : 0;
    int tx = card.x + pad * 2 + icon;
    ui_text(ui, "fitting-text", (SDL_Rect){tx, card.y, card.x + card.w - tx - bw - pad, h}, text,
            TEXT_CAPTION, t->text, (TextLayout){H_LEFT, V_MIDDLE, true});
    if (done)
        ui_icon_button(ui, "fitting-dismiss",
                       (SDL_Rect){card.x + card.w - pad / 2 - bw, card.y + (h - bw) / 2, bw, bw},
                       "", BUTTON_GHOST, "close", H_CENTER, true,
                       screen_intent(INTENT_FITTING_DISMISS, 0));
}

static const char *notice_icon(Notice n)
{
    switch (n) {
    case NOTICE_ADDED_TO_CART:
    case NOTICE_CART_FULL:
        return "bag";
    case NOTICE_ORDER_NOT_SAVED:
    case NOTICE_ORDER_REFUSED:
        return "truck";
    case NOTICE_PRODUCT_TAG:
    case NOTICE_TAG_UNKNOWN:
        return "tag";
    case NOTICE_NOTE_SAVED:
    case NOTICE_NOTE_FAILED:
        return "note";
    default:
        return "nfc-card";
    }
}

/* A calm banner along the bottom edge, above everything but the idle overlay. */
static void draw_notice(Ui *ui, const AppState *s)
{
    const Theme *t = &ui->theme;
    int w = ui->w - 2 * t->margin;
    if (w > theme_px(t, 1240))
        w = theme_px(t, 1240);
    int h = theme_px(t, 150);
    int y = ui->h - t->margin * 2 - h; /* above any footer line */
    if (t->mirror) /* the top edge: the lower third holds what the shopper is doing */
        y = t->margin * 2 + t->touch_min;
    SDL_Rect card = {(ui->w - w) / 2, y, w, h};
    Widget c = {.id = "notice",
                .rect = card,
                .color = t->mirror ? t->surface : t->text,
                .enabled = true,
                .text = app_notice_name(s->notice)};
    ui_add(ui, &WIDGET_CARD, &c);
    int pad = theme_px(t, 36), icon = h - 2 * pad;
    Widget ic = {.id = "notice-icon",
                 .rect = {card.x + pad, card.y + pad, icon, icon},
                 .icon = notice_icon(s->notice),
                 .color = t->mirror ? t->accent : t->background,
                 .text = "",
                 .enabled = true};
    ui_add(ui, &WIDGET_IMAGE, &ic);
    int tx = card.x + pad * 2 + icon;
    ui_text(ui, "notice-text",
            (SDL_Rect){tx, card.y + pad / 2, card.x + card.w - pad - tx, h - pad},
            notice_text(s->notice), TEXT_BODY, t->mirror ? t->text : t->background,
            (TextLayout){H_LEFT, V_MIDDLE, true});
}

Event screen_intent(Intent intent, int32_t arg)
{
    return (Event){.type = EV_INTENT, .u.intent = {intent, arg}};
}

/* Languages are named in their own language, so each reader finds theirs. */
static const char *autonym(const char *code)
{
    if (code[0] == 'e' && code[1] == 's')
        return "Español";
    if (code[0] == 'f' && code[1] == 'r')
        return "Français";
    return "English";
}

void screen_language_chips(Ui *ui, const AppState *s, SDL_Rect area, SDL_Color on, HAlign align)
{
    const Theme *t = &ui->theme;
    int n = s->language_count;
    int chip_w = theme_px(t, 212), chip_h = t->touch_min, gap = theme_px(t, 16);
    int total = n * chip_w + (n - 1) * gap;
    int x = area.x;
    if (align == H_RIGHT)
        x = area.x + area.w - total;
    else if (align == H_CENTER)
        x = area.x + (area.w - total) / 2;
    for (int i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "lang-%s", s->languages[i]);
        Widget w = {.id = id,
                    .rect = {x + i * (chip_w + gap), area.y, chip_w, chip_h},
                    .text = autonym(s->languages[i]),
                    .role = TEXT_CAPTION,
                    .kind = i == s->language ? BUTTON_CHIP_ON : BUTTON_CHIP,
                    .color = on,
                    .enabled = true,
                    .action = screen_intent(INTENT_SET_LANGUAGE, i),
                    .layout = {.align = H_CENTER, .valign = V_MIDDLE}};
        ui_add(ui, &WIDGET_BUTTON, &w);
    }
}

/* "Still there?": at least 20 s to answer (WCAG 2.2.1), one touch anywhere keeps the
 * session. Drawn alone on the screen, with nothing personal behind it. */
static int draw_idle_overlay(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    uint64_t left_ms = s->wipe_at_ms > env->now_ms ? s->wipe_at_ms - env->now_ms : 0;
    int secs = (int)((left_ms + 999) / 1000);
    int w = theme_px(t, 980), h = theme_px(t, 560);
    if (w > ui->w - 2 * t->margin)
        w = ui->w - 2 * t->margin;
    SDL_Rect card = {(ui->w - w) / 2, (ui->h - h) / 2, w, h};
    if (t->mirror)
        card.y = ui->h - h - t->margin * 2; /* the lower third: the shopper sees themselves */
    Widget c = {.id = "overlay-idle", .rect = card, .enabled = true};
    ui_add(ui, &WIDGET_CARD, &c);
    int pad = theme_px(t, 56);
    SDL_Rect inner = {card.x + pad, card.y + pad, card.w - 2 * pad, card.h - 2 * pad};
    ui_text(ui, "idle-title", (SDL_Rect){inner.x, inner.y, inner.w, theme_px(t, 84)},
            _("Still there?"), TEXT_TITLE, t->text, (TextLayout){H_CENTER, V_TOP, false});
    char body[256];
    snprintf(body, sizeof body,
             ngettext("To keep your details private, this screen will reset in %d second.",
                      "To keep your details private, this screen will reset in %d seconds.",
                      (unsigned long)secs),
             secs);
    ui_text(ui, "idle-countdown",
            (SDL_Rect){inner.x, inner.y + theme_px(t, 110), inner.w, theme_px(t, 140)}, body,
            TEXT_BODY, t->text_muted, (TextLayout){H_CENTER, V_TOP, true});
    int bh = theme_px(t, 104), gap = theme_px(t, 24);
    int bw = (inner.w - gap) / 2;
    int by = inner.y + inner.h - bh;
    ui_button(ui, "idle-done", (SDL_Rect){inner.x, by, bw, bh}, _("I'm done"), BUTTON_SECONDARY,
              screen_intent(INTENT_END_SESSION, 0));
    ui_button(ui, "idle-stay", (SDL_Rect){inner.x + bw + gap, by, bw, bh}, _("I'm still here"),
              BUTTON_PRIMARY, screen_intent(INTENT_STILL_HERE, 0));
    int until_next = (int)(left_ms % 1000);
    return until_next > 0 ? until_next : 1000;
}

/* The phone hand-off: a QR of a link the central service resolves to the same product or
 * bag on the shopper's phone. Nothing personal is in the link. */
static void draw_handoff(Ui *ui, const AppState *s)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    Widget scrim = {.id = "handoff-scrim",
                    .rect = {0, 0, ui->w, ui->h},
                    .color = {0, 0, 0, 150},
                    .text = "",
                    .enabled = true};
    ui_add(ui, &WIDGET_SCRIM, &scrim);
    int w = theme_px(t, 900), h = theme_px(t, 820);
    if (w > ui->w - 2 * t->margin)
        w = ui->w - 2 * t->margin;
    SDL_Rect card = {(ui->w - w) / 2, (ui->h - h) / 2, w, h};
    Widget c = {.id = "handoff-panel", .rect = card, .color = t->surface, .enabled = true};
    ui_add(ui, &WIDGET_CARD, &c);
    int pad = theme_px(t, 48);
    int title_h = t->px[TEXT_TITLE] * 13 / 10;
    ui_text(ui, "handoff-title", (SDL_Rect){card.x + pad, card.y + pad, card.w - 2 * pad, title_h},
            _("Continue on your phone"), TEXT_TITLE, t->text, (TextLayout){H_CENTER, V_TOP, false});
    int bh = t->touch_min;
    SDL_Rect body = {card.x + pad, card.y + pad + title_h + theme_px(t, 16), card.w - 2 * pad,
                     card.h - 2 * pad - title_h - bh - theme_px(t, 40)};
    if (se->handoff_state == LOAD_OK) {
        int cap_h = t->px[TEXT_BODY] * 15 / 10;
        int side = body.h - cap_h - theme_px(t, 16);
        Widget qr = {.id = "handoff-qr",
                     .rect = {body.x + (body.w - side) / 2, body.y, side, side},
                     .text = se->handoff.url,
                     .enabled = true};
        ui_add(ui, &WIDGET_QR, &qr);
        ui_text(ui, "handoff-caption",
                (SDL_Rect){body.x, body.y + side + theme_px(t, 16), body.w, cap_h},
                _("Point your phone's camera at the code."), TEXT_BODY, t->text_muted,
                (TextLayout){H_CENTER, V_TOP, false});
    } else {
        screen_status(ui, se->handoff_state, body, "handoff",
                      _("The link to your phone can't be made just now."));
    }
    int bw = theme_px(t, 300);
    Widget close = {.id = "handoff-close",
                    .rect = {card.x + (card.w - bw) / 2, card.y + card.h - pad - bh, bw, bh},
                    .text = _("Close"),
                    .role = TEXT_BUTTON,
                    .kind = BUTTON_SECONDARY,
                    .icon = "close",
                    .enabled = true,
                    .action = screen_intent(INTENT_CLOSE_PANEL, 0),
                    .layout = {H_CENTER, V_MIDDLE, false}};
    ui_add(ui, &WIDGET_BUTTON, &close);
}

int screen_draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const ScreenClass *cls = SCREENS[s->screen];
    if (s->idle_warning) {
        /* The shopper has probably walked away: their details leave the screen while it
         * asks, so a passer-by sees only the question. */
        ui_begin_frame(ui, ui->theme.background);
        return draw_idle_overlay(ui, s, env);
    }
    if (s->mode == KIOSK_MODE_MIRROR)
        cls->draw_mirror(ui, s, env);
    else
        cls->draw_kiosk(ui, s, env);
    if (s->session.fitting.status != FITTING_NONE && s->screen != SCREEN_ATTRACT)
        draw_fitting(ui, s, env);
    if (s->notice != NOTICE_NONE) /* under the hand-off panel, which the shopper opened */
        draw_notice(ui, s);
    if (s->session.handoff_state != LOAD_NONE && s->screen != SCREEN_ATTRACT)
        draw_handoff(ui, s);
    return -1;
}

/* --- pieces shared by the session's screens ---------------------------------------- */

const char *screen_category(const char *code)
{
    static const struct {
        const char *code, *name;
    } names[] = {{"running-shoes", N_("Running shoes")},
                 {"jackets", N_("Jackets")},
                 {"jeans", N_("Jeans")},
                 {"tops", N_("Tops")},
                 {"dresses", N_("Dresses")},
                 {"accessories", N_("Accessories")},
                 {"socks", N_("Socks")},
                 {"base-layers", N_("Base layers")}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(code, names[i].code) == 0)
            return _(names[i].name);
    return code; /* a category this firmware does not know yet: its code reads well enough */
}

/* The tier's name in the shopper's language (the API sends a code: docs/api.md). */
const char *screen_tier(const char *code)
{
    static const struct {
        const char *code, *name;
    } tiers[] = {{"bronze", N_("Bronze")},
                 {"silver", N_("Silver")},
                 {"gold", N_("Gold")},
                 {"platinum", N_("Platinum")}};
    for (size_t i = 0; i < sizeof tiers / sizeof tiers[0]; i++)
        if (strcmp(code, tiers[i].code) == 0)
            return _(tiers[i].name);
    return NULL; /* a tier this firmware does not know yet: leave it out */
}

void screen_money(char *out, size_t size, const AppState *s, int64_t cents, const char *currency)
{
    format_price(out, size, cents, currency, app_language(s));
}

const char *screen_hint(StockHint h)
{
    switch (h) {
    case HINT_HERE:
        return _("In stock here");
    case HINT_NEARBY:
        return _("In a store nearby");
    case HINT_ONLINE:
        return _("Online: ships to your home");
    case HINT_NONE:
        return _("Out of stock");
    case HINT_UNKNOWN:
        break;
    }
    return "";
}

void screen_offer_title(char *out, size_t size, const AppState *s, const OfferView *o)
{
    char money[64];
    if (strcmp(o->kind, "percent") == 0 && o->product_name[0])
        snprintf(out, size, _("%d%% off the %s"), (int)o->value, o->product_name);
    else if (strcmp(o->kind, "amount") == 0) {
        screen_money(money, sizeof money, s, o->value, "USD");
        snprintf(out, size, _("%s off your order"), money);
    } else if (strcmp(o->kind, "free_shipping") == 0)
        snprintf(out, size, "%s", _("Free delivery on your order"));
    else
        snprintf(out, size, "%s", o->title); /* a kind this firmware does not know yet */
}

int screen_columns(const Ui *ui)
{
    return ui->w > ui->h ? 4 : 2;
}

/* A button's width for its label in the current language: pill ends, icon, text. */
static int fit_width(Ui *ui, const char *label, bool icon, int min)
{
    const Theme *t = &ui->theme;
    int tw = 0, th = 0;
    text_measure(ui->text, label, t->weight[TEXT_BUTTON], t->px[TEXT_BUTTON], &tw, &th);
    int w = tw + t->touch_min + (icon ? t->touch_min / 2 + theme_px(t, 14) : 0) + theme_px(t, 8);
    return w > min ? w : min;
}

int screen_top_bar(Ui *ui, const AppState *s, const ScreenEnv *env, const char *title)
{
    const Theme *t = &ui->theme;
    int W = ui->w, M = t->margin;
    int y = M / 2, h = t->touch_min, gap = theme_px(t, 16);
    bool portrait = W < ui->h;
    /* From the right: I'm done (an associate: Next customer), Bag, Search, contrast. */
    int x = W - M;
    bool associate = s->staff.active;
    const char *done = associate ? _("Next customer") : _("I'm done");
    int done_w = fit_width(ui, done, false, theme_px(t, 200));
    x -= done_w;
    ui_button(ui, "done", (SDL_Rect){x, y, done_w, h}, done, BUTTON_SECONDARY,
              screen_intent(INTENT_END_SESSION, 0));
    char bag[64];
    int items = app_cart_items(s);
    if (items > 0)
        snprintf(bag, sizeof bag, _("Bag · %d"), items);
    else
        snprintf(bag, sizeof bag, "%s", _("Bag"));
    int bag_w = fit_width(ui, bag, true, theme_px(t, 180));
    x -= gap + bag_w;
    Widget b = {.id = "bag",
                .rect = {x, y, bag_w, h},
                .text = bag,
                .role = TEXT_BUTTON,
                .kind = s->screen == SCREEN_CART ? BUTTON_CHIP_ON
                        : items > 0              ? BUTTON_PRIMARY
                                                 : BUTTON_SECONDARY,
                .icon = "bag",
                .enabled = true,
                .action = screen_intent(INTENT_OPEN_CART, 0),
                .layout = {H_CENTER, V_MIDDLE, false}};
    ui_add(ui, &WIDGET_BUTTON, &b);
    int search_w = portrait ? h : fit_width(ui, _("Search"), true, theme_px(t, 180));
    x -= gap + search_w;
    Widget q = {.id = "search",
                .rect = {x, y, search_w, h},
                .text = portrait ? "" : _("Search"),
                .role = TEXT_BUTTON,
                .kind = s->screen == SCREEN_SEARCH ? BUTTON_CHIP_ON : BUTTON_SECONDARY,
                .icon = "search",
                .enabled = true,
                .action = screen_intent(INTENT_OPEN_SEARCH, 0),
                .layout = {H_CENTER, V_MIDDLE, false}};
    ui_add(ui, &WIDGET_BUTTON, &q);
    x -= gap + h;
    Widget c = {.id = "contrast",
                .rect = {x, y, h, h},
                .text = "",
                .role = TEXT_BUTTON,
                .kind = s->accessible ? BUTTON_CHIP_ON : BUTTON_SECONDARY,
                .icon = "contrast",
                .enabled = true,
                .action = screen_intent(INTENT_ACCESSIBILITY, 0),
                .layout = {H_CENTER, V_MIDDLE, false}};
    ui_add(ui, &WIDGET_BUTTON, &c);
    if (associate && s->session.member_id[0] && !portrait) {
        /* The customer's file, a tap away from anywhere in the journey. */
        int cw = fit_width(ui, _("Customer"), true, theme_px(t, 180));
        x -= gap + cw;
        ui_icon_button(ui, "customer", (SDL_Rect){x, y, cw, h}, _("Customer"), BUTTON_SECONDARY,
                       "person", H_CENTER, true, screen_intent(INTENT_OPEN_CUSTOMER, 0));
    }
    int right = x - gap;
    /* Left: the brand on home, Back elsewhere, then the title. */
    int lx = M - theme_px(t, 8);
    int brand_w = 0, brand_h = 0;
    text_measure(ui->text, env->cfg->brand_name, t->weight[TEXT_BRAND], t->px[TEXT_BRAND], &brand_w,
                 &brand_h);
    if (s->screen == SCREEN_HOME && brand_w <= right - M) { /* a narrow portrait bar: no room */
        ui_text(ui, "brand", (SDL_Rect){M, y, right - M, h}, env->cfg->brand_name, TEXT_BRAND,
                t->primary, (TextLayout){H_LEFT, V_MIDDLE, false});
    } else if (s->screen != SCREEN_HOME) {
        int back_w = portrait ? h : fit_width(ui, _("Back"), true, theme_px(t, 160));
        ui_icon_button(ui, "back", (SDL_Rect){lx, y, back_w, h}, portrait ? "" : _("Back"),
                       BUTTON_GHOST, "arrow-left", H_LEFT, true, screen_intent(INTENT_BACK, 0));
        lx += back_w + gap;
        if (title && !portrait)
            ui_text(ui, "title", (SDL_Rect){lx, y, right - lx, h}, title, TEXT_HEADING, t->text,
                    (TextLayout){H_LEFT, V_MIDDLE, false});
    }
    int top = y + h + theme_px(t, 28);
    /* The mirror keeps its glass clear above the content while the shopper looks and tries
     * on; paying and the receipt (their eyes on the order) take the whole portrait. */
    if (t->mirror && top < ui->h * 2 / 5 && s->screen != SCREEN_CHECKOUT &&
        s->screen != SCREEN_CONFIRMATION)
        top = ui->h * 2 / 5;
    int news = y + h + theme_px(t, 24) + theme_px(t, 104) + theme_px(t, 24);
    if (t->mirror && s->session.fitting.status != FITTING_NONE && top < news)
        top = news; /* under the fitting-room request's news along the top edge */
    if (portrait && title && s->screen != SCREEN_HOME) {
        ui_text(ui, "title", (SDL_Rect){M, top, W - 2 * M, t->px[TEXT_TITLE] * 13 / 10}, title,
                TEXT_TITLE, t->text, (TextLayout){H_LEFT, V_TOP, false});
        top += t->px[TEXT_TITLE] * 13 / 10 + theme_px(t, 16);
    }
    return top;
}

void screen_offline_line(Ui *ui, const AppState *s)
{
    if (s->online || !s->central)
        return;
    const Theme *t = &ui->theme;
    int h = t->px[TEXT_CAPTION] * 16 / 10;
    int y = ui->h - t->margin / 2 - h;
    int icon = h;
    Widget ic = {.id = "offline-icon",
                 .rect = {t->margin, y, icon, icon},
                 .icon = "cloud-off",
                 .color = t->text_muted,
                 .text = "",
                 .enabled = true};
    ui_add(ui, &WIDGET_IMAGE, &ic);
    ui_text(ui, "offline",
            (SDL_Rect){t->margin + icon + theme_px(t, 12), y,
                       ui->w - 2 * t->margin - icon - theme_px(t, 12), h},
            _("We're working offline for a moment: some information may be a few minutes old. "
              "Orders are kept safe and sent as soon as we're back."),
            TEXT_CAPTION, t->text_muted, (TextLayout){H_LEFT, V_MIDDLE, false});
}

void screen_image(Ui *ui, const ScreenEnv *env, const char *url, SDL_Rect r, const char *id)
{
    images_draw(env->images, ui, url, r, env->now_ms);
    Widget alt = {.id = id, .rect = r, .text = "", .enabled = true};
    ui_add(ui, &WIDGET_PICTURE, &alt);
}

static void reason_text(const ProductCard *c, char *out, size_t size)
{
    out[0] = '\0';
    if (strcmp(c->reason_code, "bought_together") == 0 && c->reason_anchor[0]) {
        if (strcmp(c->reason_channel, "web") == 0)
            snprintf(out, size, _("Because you bought the %s online"), c->reason_anchor);
        else if (strcmp(c->reason_channel, "app") == 0)
            snprintf(out, size, _("Because you bought the %s in the app"), c->reason_anchor);
        else
            snprintf(out, size, _("Because you bought the %s"), c->reason_anchor);
    } else if (strcmp(c->reason_code, "replenish") == 0) {
        snprintf(out, size, "%s", _("Time for a fresh pair? You buy these often"));
    } else if (strcmp(c->reason_code, "viewed") == 0 && c->reason_anchor[0]) {
        snprintf(out, size, _("Goes well with the %s you looked at"), c->reason_anchor);
    } else if (strcmp(c->reason_code, "affinity") == 0 && c->reason_anchor[0]) {
        snprintf(out, size, _("Often bought with the %s"), c->reason_anchor);
    } else if (strcmp(c->reason_code, "popular") == 0) {
        snprintf(out, size, "%s", _("Popular with members right now"));
    }
}

/* A name that needs two lines at the card's text size (shorter ones keep one line, so that
 * the cards of a row look alike). */
int screen_card_name_lines(Ui *ui, const ProductCard *cards, int n, int card_w)
{
    int w = card_w - 2 * theme_px(&ui->theme, 20), tw = 0, th = 0;
    for (int i = 0; i < n; i++) {
        text_measure(ui->text, cards[i].name, ui->theme.weight[TEXT_BODY], ui->theme.px[TEXT_BODY],
                     &tw, &th);
        if (tw > w)
            return 2;
    }
    return 1;
}

void screen_card(Ui *ui, const AppState *s, const ScreenEnv *env, const ProductCard *c, SDL_Rect r,
                 int name_lines, const char *id, Event action)
{
    const Theme *t = &ui->theme;
    Widget tile = {.id = id, .rect = r, .text = c->name, .enabled = true, .action = action};
    ui_add(ui, &WIDGET_TILE, &tile);
    int pad = theme_px(t, 20), w = r.w - 2 * pad;
    char nid[UI_ID_MAX], line[256];
    /* Bottom up: where it is, the reason, the price, the name; the picture takes the rest. The
     * name has the lines its row needs (it sits on the price), so the pictures and prices of
     * cards side by side line up. */
    int hint_h = t->px[TEXT_CAPTION] * 14 / 10;
    int price_h = t->px[TEXT_HEADING] * 12 / 10;
    int name_h = t->px[TEXT_BODY] * 13 / 10 * (name_lines > 1 ? 2 : 1);
    reason_text(c, line, sizeof line);
    int reason_h = line[0] ? t->px[TEXT_CAPTION] * 27 / 10 : 0;
    int text_h = name_h + price_h + reason_h + hint_h + theme_px(t, 16);
    int img_h = r.h - 2 * pad - text_h;
    int one_line = t->px[TEXT_BODY] * 13 / 10;
    if (img_h < r.h / 3 && name_h > one_line) { /* a short card: the name shrinks to a line */
        img_h += name_h - one_line;
        name_h = one_line;
    }
    if (img_h < r.h / 4 && reason_h) { /* a very short one: the picture matters more */
        img_h += reason_h;
        reason_h = 0;
    }
    snprintf(nid, sizeof nid, "%.32s-image", id);
    screen_image(ui, env, c->image_url, (SDL_Rect){r.x + pad, r.y + pad, w, img_h}, nid);
    int y = r.y + pad + img_h + theme_px(t, 10);
    snprintf(nid, sizeof nid, "%.32s-name", id);
    ui_text(ui, nid, (SDL_Rect){r.x + pad, y, w, name_h}, c->name, TEXT_BODY, t->text,
            (TextLayout){H_LEFT, V_BOTTOM, true});
    y += name_h;
    char price[64];
    screen_money(price, sizeof price, s, c->price_cents, c->currency);
    snprintf(nid, sizeof nid, "%.32s-price", id);
    ui_text(ui, nid, (SDL_Rect){r.x + pad, y, w, price_h}, price, TEXT_HEADING, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    y += price_h + theme_px(t, 4);
    if (reason_h) {
        snprintf(nid, sizeof nid, "%.32s-reason", id);
        ui_text(ui, nid, (SDL_Rect){r.x + pad, y, w, reason_h}, line, TEXT_CAPTION, t->text_muted,
                (TextLayout){H_LEFT, V_TOP, true});
    }
    const char *hint = screen_hint(c->hint);
    if (hint[0]) {
        snprintf(nid, sizeof nid, "%.32s-stock", id);
        ui_text(ui, nid, (SDL_Rect){r.x + pad, r.y + r.h - pad - hint_h, w, hint_h}, hint,
                TEXT_CAPTION, c->hint == HINT_NONE ? t->text_muted : t->accent,
                (TextLayout){H_LEFT, V_BOTTOM, false});
    }
}

int screen_staff_strip(Ui *ui, const AppState *s, int top)
{
    const Theme *t = &ui->theme;
    const Staff *st = &s->staff;
    int M = t->margin, h = t->touch_min, pad = theme_px(t, 20);
    SDL_Rect band = {M, top, ui->w - 2 * M, h + 2 * pad};
    Widget card = {.id = "staff-strip", .rect = band, .color = t->surface, .enabled = true};
    ui_add(ui, &WIDGET_CARD, &card);
    Widget ic = {.id = "staff-icon",
                 .rect = {band.x + pad, band.y + pad + h / 8, h * 3 / 4, h * 3 / 4},
                 .icon = "person",
                 .color = t->accent,
                 .text = "",
                 .enabled = true};
    ui_add(ui, &WIDGET_IMAGE, &ic);
    char who[APP_NAME_MAX * 2 + 8];
    if (st->name[0] && st->store_name[0])
        snprintf(who, sizeof who, "%s · %s", st->name, st->store_name);
    else
        snprintf(who, sizeof who, "%s", st->name[0] ? st->name : st->id);
    int lock_w = fit_width(ui, _("Lock"), true, theme_px(t, 180));
    int tx = band.x + pad * 2 + h * 3 / 4, tw = band.x + band.w - pad - lock_w - t->gap - tx;
    ui_text(ui, "staff-mode", (SDL_Rect){tx, band.y + pad / 2, tw, band.h / 2 - pad / 2},
            _("Associate mode"), TEXT_CAPTION, t->text_muted,
            (TextLayout){H_LEFT, V_MIDDLE, false});
    ui_text(ui, "staff-name", (SDL_Rect){tx, band.y + band.h / 2, tw, band.h / 2 - pad / 2}, who,
            TEXT_BODY, t->text, (TextLayout){H_LEFT, V_MIDDLE, false});
    ui_icon_button(ui, "lock", (SDL_Rect){band.x + band.w - pad - lock_w, band.y + pad, lock_w, h},
                   _("Lock"), BUTTON_SECONDARY, "lock", H_CENTER, true,
                   screen_intent(INTENT_LOCK, 0));
    return band.y + band.h + t->gap;
}

/* --- the on-screen keyboard: the same in every language, with the accented letters of
 * Spanish and French on a row of their own --------------------------------------------- */

static const char *const ROWS[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
/* Latin-1 code points: á é í ó ú ñ ü ç è à ê ô */
static const int ACCENTS[] = {0xE1, 0xE9, 0xED, 0xF3, 0xFA, 0xF1,
                              0xFC, 0xE7, 0xE8, 0xE0, 0xEA, 0xF4};

void screen_key(Ui *ui, SDL_Rect r, const char *label, const char *id, int32_t code,
                const char *icon, bool enabled)
{
    Widget k = {.id = id,
                .rect = r,
                .text = label,
                .role = TEXT_BUTTON,
                .kind = BUTTON_KEY,
                .icon = icon,
                .enabled = enabled,
                .action = screen_intent(INTENT_KEY, code),
                .layout = {H_CENTER, V_MIDDLE, false}};
    ui_add(ui, &WIDGET_BUTTON, &k);
}

int screen_keyboard(Ui *ui, int bottom)
{
    const Theme *t = &ui->theme;
    int W = ui->w, M = t->margin, gap = theme_px(t, 10);
    int kw = (W - 2 * M - 11 * gap) / 12;
    if (W < ui->h) /* portrait: the accent row sets the width */
        kw = (W - 2 * M / 2 - 11 * gap) / 12;
    if (kw > theme_px(t, 110))
        kw = theme_px(t, 110);
    int kh = t->touch_min;
    int rows = 5;
    int top = bottom - rows * kh - (rows - 1) * gap;
    int y = top;
    char id[UI_ID_MAX], label[8];
    for (int r = 0; r < 3; r++) {
        int n = (int)strlen(ROWS[r]);
        int x = (W - (n * kw + (n - 1) * gap)) / 2;
        for (int i = 0; i < n; i++) {
            snprintf(label, sizeof label, "%c", ROWS[r][i] - 32);
            snprintf(id, sizeof id, "key-%c", ROWS[r][i]);
            screen_key(ui, (SDL_Rect){x + i * (kw + gap), y, kw, kh}, label, id, ROWS[r][i], NULL,
                       true);
        }
        y += kh + gap;
    }
    int n = (int)(sizeof ACCENTS / sizeof ACCENTS[0]);
    int x = (W - (n * kw + (n - 1) * gap)) / 2;
    for (int i = 0; i < n; i++) {
        /* The upper-case letter is 0x20 below the lower-case one in Latin-1. */
        int up = ACCENTS[i] - 0x20;
        snprintf(label, sizeof label, "%c%c", 0xC0 | (up >> 6), 0x80 | (up & 0x3F));
        snprintf(id, sizeof id, "key-x%02x", ACCENTS[i]);
        screen_key(ui, (SDL_Rect){x + i * (kw + gap), y, kw, kh}, label, id, ACCENTS[i], NULL,
                   true);
    }
    y += kh + gap;
    /* Clear, a comma, the space bar, a full stop, Delete. */
    int space_w = 4 * kw + 3 * gap, side_w = 3 * kw + 2 * gap;
    x = (W - (space_w + 2 * side_w + 2 * kw + 4 * gap)) / 2;
    screen_key(ui, (SDL_Rect){x, y, side_w, kh}, _("Clear"), "key-clear", KEY_CLEAR, NULL, true);
    x += side_w + gap;
    screen_key(ui, (SDL_Rect){x, y, kw, kh}, ",", "key-comma", ',', NULL, true);
    x += kw + gap;
    screen_key(ui, (SDL_Rect){x, y, space_w, kh}, _("Space"), "key-space", ' ', NULL, true);
    x += space_w + gap;
    screen_key(ui, (SDL_Rect){x, y, kw, kh}, ".", "key-period", '.', NULL, true);
    x += kw + gap;
    screen_key(ui, (SDL_Rect){x, y, side_w, kh}, _("Delete"), "key-backspace", KEY_BACKSPACE,
               "backspace", true);
    return top;
}

void screen_status(Ui *ui, LoadState st, SDL_Rect r, const char *id, const char *failed)
{
    const Theme *t = &ui->theme;
    char nid[UI_ID_MAX];
    if (st == LOAD_BUSY) {
        snprintf(nid, sizeof nid, "%.32s-loading", id);
        ui_text(ui, nid, r, _("One moment…"), TEXT_BODY, t->text_muted,
                (TextLayout){H_CENTER, V_MIDDLE, false});
    } else if (st == LOAD_FAILED) {
        int bh = t->touch_min, bw = theme_px(t, 260);
        int th = t->px[TEXT_BODY] * 28 / 10;
        int y = r.y + (r.h - th - bh - theme_px(t, 16)) / 2;
        snprintf(nid, sizeof nid, "%.32s-failed", id);
        ui_text(ui, nid, (SDL_Rect){r.x, y, r.w, th}, failed, TEXT_BODY, t->text,
                (TextLayout){H_CENTER, V_MIDDLE, true});
        snprintf(nid, sizeof nid, "%.32s-retry", id);
        ui_button(ui, nid, (SDL_Rect){r.x + (r.w - bw) / 2, y + th + theme_px(t, 16), bw, bh},
                  _("Try again"), BUTTON_SECONDARY, screen_intent(INTENT_RETRY, 0));
    }
}
