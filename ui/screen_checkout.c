/* screen_checkout.c: ship to home. The member's saved addresses, masked (a passer-by must
 * not read them); delivery options with price and dates; an offer to apply; the payment
 * method on file at the central service (the kiosk never sees card data), or the phone when
 * there is none; and "Place order", which shows its progress until the order is durable. */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "i18n.h"
#include "screen.h"

static int heading(Ui *ui, const char *id, const char *text, int x, int y, int w)
{
    const Theme *t = &ui->theme;
    int h = t->px[TEXT_HEADING] * 13 / 10;
    ui_text(ui, id, (SDL_Rect){x, y, w, h}, text, TEXT_HEADING, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    return y + h + theme_px(t, 12);
}

/* A choice: a tile with a title line and a detail line; the chosen one outlined. */
static void choice(Ui *ui, const char *id, SDL_Rect r, const char *title, const char *detail,
                   const char *right, bool chosen, bool enabled, Event action)
{
    const Theme *t = &ui->theme;
    Widget tile = {.id = id,
                   .rect = r,
                   .text = title,
                   .kind = chosen ? BUTTON_CHIP_ON : BUTTON_CHIP,
                   .enabled = enabled,
                   .action = action};
    ui_add(ui, &WIDGET_TILE, &tile);
    int pad = theme_px(t, 20);
    int right_w = right ? theme_px(t, 170) : 0;
    char nid[UI_ID_MAX];
    snprintf(nid, sizeof nid, "%.32s-title", id);
    ui_text(ui, nid,
            (SDL_Rect){r.x + pad, r.y + pad / 2, r.w - 2 * pad - right_w, r.h / 2 - pad / 2}, title,
            TEXT_BODY, t->text, (TextLayout){H_LEFT, V_MIDDLE, false});
    snprintf(nid, sizeof nid, "%.32s-detail", id);
    ui_text(ui, nid,
            (SDL_Rect){r.x + pad, r.y + r.h / 2, r.w - 2 * pad - right_w, r.h / 2 - pad / 2},
            detail, TEXT_CAPTION, t->text_muted, (TextLayout){H_LEFT, V_MIDDLE, false});
    if (right) {
        snprintf(nid, sizeof nid, "%.32s-price", id);
        ui_text(ui, nid, (SDL_Rect){r.x + r.w - pad - right_w, r.y, right_w, r.h}, right, TEXT_BODY,
                t->text, (TextLayout){H_RIGHT, V_MIDDLE, false});
    }
}

static bool free_shipping(const AppState *s)
{
    const Session *se = &s->session;
    return se->offer_choice >= 0 &&
           strcmp(se->offers.items[se->offer_choice].kind, "free_shipping") == 0;
}

static void addresses(Ui *ui, const AppState *s, SDL_Rect area)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int y = heading(ui, "address-title", _("Deliver to"), area.x, area.y, area.w);
    if (se->address_count == 0) {
        ui_text(ui, "address-none", (SDL_Rect){area.x, y, area.w, t->px[TEXT_BODY] * 42 / 10},
                _("No saved address. Add one in the app, or continue on your phone."), TEXT_BODY,
                t->text_muted, (TextLayout){H_LEFT, V_TOP, true});
        return;
    }
    bool needs = se->shipping_choice < 0 || se->shipping_choice >= se->shipping.count ||
                 se->shipping.items[se->shipping_choice].needs_address;
    int h = theme_px(t, 120), gap = theme_px(t, 14);
    for (int i = 0; i < se->address_count && y + h <= area.y + area.h; i++) {
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "address-%d", i);
        bool fallback = strcmp(se->addresses[i].id, APP_DEFAULT_ADDRESS) == 0;
        choice(ui, id, (SDL_Rect){area.x, y, area.w, h},
               fallback ? _("Your default address") : se->addresses[i].label,
               fallback ? _("As saved in your account") : se->addresses[i].masked, NULL,
               needs && i == se->address_choice, needs && se->order_phase == ORDER_EDITING,
               screen_intent(INTENT_ADDRESS, i));
        y += h + gap;
    }
}

/* The option's name in the shopper's language; the service's words for one it adds later. */
static const char *shipping_name(const ShippingOption *o)
{
    if (strcmp(o->id, "standard") == 0)
        return _("Standard delivery");
    if (strcmp(o->id, "express") == 0)
        return _("Express delivery");
    if (strcmp(o->id, "next_day") == 0)
        return _("Next business day");
    if (strcmp(o->id, "pickup") == 0)
        return _("Collect in this store");
    return o->name;
}

static void shipping(Ui *ui, const AppState *s, SDL_Rect area)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int y = heading(ui, "shipping-title", _("Delivery"), area.x, area.y, area.w);
    if (se->shipping_state != LOAD_OK) {
        screen_status(ui, se->shipping_state, (SDL_Rect){area.x, y, area.w, theme_px(t, 260)},
                      "shipping", _("Delivery options can't be loaded just now."));
        return;
    }
    int h = theme_px(t, 110), gap = theme_px(t, 14);
    for (int i = 0; i < se->shipping.count && y + h <= area.y + area.h; i++) {
        const ShippingOption *o = &se->shipping.items[i];
        char id[UI_ID_MAX], dates[128], price[64];
        format_date_range(dates, sizeof dates, o->earliest, o->latest, app_language(s));
        if (o->price_cents < 0) /* offline: the service prices it when the order arrives */
            snprintf(price, sizeof price, "%s", _("By email"));
        else if (o->price_cents == 0 || (free_shipping(s) && o->needs_address))
            snprintf(price, sizeof price, "%s", _("Free"));
        else
            screen_money(price, sizeof price, s, o->price_cents, o->currency);
        snprintf(id, sizeof id, "shipping-%.32s", o->id);
        choice(ui, id, (SDL_Rect){area.x, y, area.w, h}, shipping_name(o), dates, price,
               i == se->shipping_choice, se->order_phase == ORDER_EDITING,
               screen_intent(INTENT_SHIPPING, i));
        y += h + gap;
    }
}

static void offers(Ui *ui, const AppState *s, SDL_Rect area)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int y = area.y, shown = 0, h = theme_px(t, 96), gap = theme_px(t, 14);
    for (int i = 0; i < se->offers.count && y + h <= area.y + area.h; i++) {
        const OfferView *o = &se->offers.items[i];
        bool applies = !o->product_id[0];
        for (int k = 0; !applies && k < se->cart_count; k++)
            applies = strcmp(se->cart[k].product, o->product_id) == 0;
        if (!applies)
            continue;
        if (shown++ == 0)
            y = heading(ui, "offers-title", _("Use an offer"), area.x, y, area.w);
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "use-offer-%d", i);
        char title[256];
        screen_offer_title(title, sizeof title, s, o);
        choice(ui, id, (SDL_Rect){area.x, y, area.w, h}, title, o->code[0] ? o->code : "", NULL,
               i == se->offer_choice, se->order_phase == ORDER_EDITING,
               screen_intent(INTENT_OFFER, i));
        y += h + gap;
    }
}

static int total_line(Ui *ui, const char *id, const char *label, const char *value, SDL_Rect r,
                      TextRole role)
{
    const Theme *t = &ui->theme;
    int h = t->px[role] * 15 / 10;
    ui_text(ui, id, (SDL_Rect){r.x, r.y, r.w * 60 / 100, h}, label, role, t->text,
            (TextLayout){H_LEFT, V_MIDDLE, false});
    char vid[UI_ID_MAX];
    snprintf(vid, sizeof vid, "%.32s-value", id);
    ui_text(ui, vid, (SDL_Rect){r.x + r.w * 60 / 100, r.y, r.w * 40 / 100, h}, value, role, t->text,
            (TextLayout){H_RIGHT, V_MIDDLE, false});
    return r.y + h;
}

static void summary(Ui *ui, const AppState *s, SDL_Rect sum)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    Widget card = {.id = "summary", .rect = sum, .enabled = true};
    ui_add(ui, &WIDGET_CARD, &card);
    int pad = theme_px(t, 32);
    SDL_Rect r = {sum.x + pad, sum.y + pad, sum.w - 2 * pad, 0};
    const char *cur = se->cart_count ? se->cart[0].currency : "USD";
    char v[64], label[96];
    int64_t sub = app_cart_subtotal(s), off = app_offer_discount(s), ship = 0;
    bool ship_known = se->shipping_choice >= 0 && se->shipping_choice < se->shipping.count;
    if (ship_known)
        ship = free_shipping(s) && se->shipping.items[se->shipping_choice].needs_address
                   ? 0
                   : se->shipping.items[se->shipping_choice].price_cents;
    int items = app_cart_items(s);
    snprintf(label, sizeof label, ngettext("%d item", "%d items", (unsigned long)items), items);
    screen_money(v, sizeof v, s, sub, cur);
    r.y = total_line(ui, "total-items", label, v, r, TEXT_BODY);
    if (off > 0) {
        screen_money(v, sizeof v, s, -off, cur);
        r.y = total_line(ui, "total-discount", _("Offer"), v, r, TEXT_BODY);
    }
    if (ship_known && ship < 0) {
        snprintf(v, sizeof v, "%s", _("By email"));
        ship = 0;
    } else if (ship_known) {
        if (ship == 0)
            snprintf(v, sizeof v, "%s", _("Free"));
        else
            screen_money(v, sizeof v, s, ship, cur);
    } else {
        snprintf(v, sizeof v, "–");
    }
    r.y = total_line(ui, "total-shipping", _("Delivery"), v, r, TEXT_BODY);
    r.y += theme_px(t, 8);
    screen_money(v, sizeof v, s, sub - off + ship, cur);
    r.y = total_line(ui, "total", _("Total"), v, r, TEXT_HEADING);
    ui_text(ui, "total-tax", (SDL_Rect){r.x, r.y, r.w, t->px[TEXT_CAPTION] * 15 / 10},
            _("Plus tax, added when the order is confirmed."), TEXT_CAPTION, t->text_muted,
            (TextLayout){H_LEFT, V_TOP, false});
    r.y += t->px[TEXT_CAPTION] * 15 / 10 + theme_px(t, 20);
    const char *pay = !se->profile_loaded
                          ? _("Paid with the card saved in your account. If none is saved, we'll "
                              "email you a secure link to pay.")
                      : se->payment_on_file
                          ? _("Paid with the card saved in your account. This screen never sees "
                              "your card.")
                          : _("No card is saved in your account: finish on your phone.");
    ui_text(ui, "payment", (SDL_Rect){r.x, r.y, r.w, t->px[TEXT_CAPTION] * 30 / 10}, pay,
            TEXT_CAPTION, t->text, (TextLayout){H_LEFT, V_TOP, true});
    int bh = theme_px(t, 104);
    SDL_Rect b = {r.x, sum.y + sum.h - pad - bh, r.w, bh};
    if (se->profile_loaded && !se->payment_on_file && s->central) {
        Widget phone = {.id = "handoff",
                        .rect = b,
                        .text = _("Finish on my phone"),
                        .role = TEXT_BUTTON,
                        .kind = BUTTON_PRIMARY,
                        .icon = "phone-qr",
                        .enabled = s->online,
                        .action = screen_intent(INTENT_HANDOFF, 0),
                        .layout = {H_CENTER, V_MIDDLE, false}};
        ui_add(ui, &WIDGET_BUTTON, &phone);
        return;
    }
    bool busy = se->order_phase == ORDER_STORING || se->order_phase == ORDER_SENDING;
    bool ready = se->order_phase == ORDER_EDITING && ship_known &&
                 (!se->shipping.items[se->shipping_choice].needs_address ||
                  (se->address_choice >= 0 && se->address_choice < se->address_count));
    Widget place = {.id = "place-order",
                    .rect = b,
                    .text = busy ? _("Placing your order…") : _("Place order"),
                    .role = TEXT_BUTTON,
                    .kind = BUTTON_PRIMARY,
                    .enabled = ready,
                    .action = screen_intent(INTENT_PLACE_ORDER, 0),
                    .layout = {H_CENTER, V_MIDDLE, false}};
    ui_add(ui, &WIDGET_BUTTON, &place);
}

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    int W = ui->w, H = ui->h, M = t->margin;
    bool landscape = W > H;
    ui_begin_frame(ui, t->background);
    int top = screen_top_bar(ui, s, env, _("Checkout"));
    int bottom = H - M / 2 - (s->online || !s->central ? 0 : t->px[TEXT_CAPTION] * 2);
    if (landscape) {
        int sum_w = theme_px(t, 580);
        int col_w = (W - 2 * M - sum_w - 2 * t->gap) / 2;
        addresses(ui, s, (SDL_Rect){M, top, col_w, bottom - top});
        shipping(ui, s, (SDL_Rect){M + col_w + t->gap, top, col_w, bottom - top});
        int offers_y = top + t->px[TEXT_HEADING] * 13 / 10 + theme_px(t, 12) +
                       s->session.address_count * (theme_px(t, 120) + theme_px(t, 14)) + t->gap;
        if (s->session.address_count == 0)
            offers_y += t->px[TEXT_BODY] * 42 / 10;
        offers(ui, s, (SDL_Rect){M, offers_y, col_w, bottom - offers_y});
        summary(ui, s, (SDL_Rect){W - M - sum_w, top, sum_w, bottom - top});
    } else {
        /* Stacked, each as tall as its rows: the addresses, the delivery options, then the
         * summary with the button at the bottom. */
        const Session *se = &s->session;
        int head = t->px[TEXT_HEADING] * 13 / 10 + theme_px(t, 12);
        int n_addr = se->address_count > 0 ? se->address_count : 1;
        int addr_h = head + n_addr * (theme_px(t, 120) + theme_px(t, 14)) + theme_px(t, 16);
        int n_ship = se->shipping.count > 0 ? se->shipping.count : 1;
        int ship_h = head + n_ship * (theme_px(t, 110) + theme_px(t, 14)) + theme_px(t, 16);
        int sum_h = bottom - top - addr_h - ship_h;
        int sum_min = theme_px(t, 520);
        if (sum_h < sum_min) { /* too many rows: the lists give way, the summary does not */
            int over = sum_min - sum_h;
            ship_h -= over / 2;
            addr_h -= over - over / 2;
            sum_h = sum_min;
        }
        addresses(ui, s, (SDL_Rect){M, top, W - 2 * M, addr_h});
        shipping(ui, s, (SDL_Rect){M, top + addr_h, W - 2 * M, ship_h});
        summary(ui, s, (SDL_Rect){M, bottom - sum_h, W - 2 * M, sum_h});
    }
    screen_offline_line(ui, s);
}

const ScreenClass SCREEN_CHECKOUT_CLASS = {
    .id = SCREEN_CHECKOUT,
    .draw_kiosk = draw,
    .draw_mirror = draw,
};
