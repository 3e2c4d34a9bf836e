/* screen_cart.c: the bag. Its lines with quantities, the subtotal, and the ways on:
 * check out here (members; a guest is asked to sign in first, the bag kept), or continue on
 * the phone. */
#include <stdio.h>

#include "i18n.h"
#include "screen.h"

static void line_row(Ui *ui, const AppState *s, const ScreenEnv *env, int i, SDL_Rect r)
{
    const Theme *t = &ui->theme;
    const CartLine *l = &s->session.cart[i];
    char id[UI_ID_MAX], text[256];
    snprintf(id, sizeof id, "line-%d", i);
    Widget tile = {.id = id,
                   .rect = r,
                   .text = l->name,
                   .enabled = true,
                   .action = screen_intent(INTENT_OPEN_PRODUCT, CARDS_CART << 8 | i)};
    ui_add(ui, &WIDGET_TILE, &tile);
    int pad = theme_px(t, 14), img = r.h - 2 * pad;
    snprintf(id, sizeof id, "line-%d-image", i);
    screen_image(ui, env, l->image_url, (SDL_Rect){r.x + pad, r.y + pad, img, img}, id);
    int b = t->touch_min;
    int controls_w = 3 * b + theme_px(t, 72) + theme_px(t, 16); /* - qty + ×, then a gap */
    int price_w = theme_px(t, 200);
    int tx = r.x + 2 * pad + img;
    int tw = r.x + r.w - pad - price_w - controls_w - tx - pad;
    snprintf(id, sizeof id, "line-%d-name", i);
    ui_text(ui, id, (SDL_Rect){tx, r.y + pad, tw, r.h / 2 - pad}, l->name, TEXT_BODY, t->text,
            (TextLayout){H_LEFT, V_MIDDLE, false});
    if (l->size[0] && l->colour[0])
        snprintf(text, sizeof text, _("Size %s · %s"), l->size, l->colour);
    else
        snprintf(text, sizeof text, "%s", l->size[0] ? l->size : l->colour);
    snprintf(id, sizeof id, "line-%d-variant", i);
    ui_text(ui, id, (SDL_Rect){tx, r.y + r.h / 2, tw, r.h / 2 - pad}, text, TEXT_CAPTION,
            t->text_muted, (TextLayout){H_LEFT, V_MIDDLE, false});
    int cx = tx + tw + pad, cy = r.y + (r.h - b) / 2;
    snprintf(id, sizeof id, "line-%d-less", i);
    Widget less = {.id = id,
                   .rect = {cx, cy, b, b},
                   .text = "",
                   .role = TEXT_BUTTON,
                   .kind = BUTTON_SECONDARY,
                   .icon = "minus",
                   .enabled = true,
                   .action = screen_intent(INTENT_QTY_DOWN, i)};
    ui_add(ui, &WIDGET_BUTTON, &less);
    snprintf(text, sizeof text, "%d", l->qty);
    snprintf(id, sizeof id, "line-%d-qty", i);
    ui_text(ui, id, (SDL_Rect){cx + b, cy, theme_px(t, 60), b}, text, TEXT_HEADING, t->text,
            (TextLayout){H_CENTER, V_MIDDLE, false});
    snprintf(id, sizeof id, "line-%d-more", i);
    Widget more = {.id = id,
                   .rect = {cx + b + theme_px(t, 60), cy, b, b},
                   .text = "",
                   .role = TEXT_BUTTON,
                   .kind = BUTTON_SECONDARY,
                   .icon = "plus",
                   .enabled = l->qty < APP_QTY_MAX,
                   .action = screen_intent(INTENT_QTY_UP, i)};
    ui_add(ui, &WIDGET_BUTTON, &more);
    snprintf(id, sizeof id, "line-%d-remove", i);
    Widget rm = {.id = id,
                 .rect = {cx + 2 * b + theme_px(t, 72), cy, b, b},
                 .text = "",
                 .role = TEXT_BUTTON,
                 .kind = BUTTON_GHOST,
                 .icon = "close",
                 .color = t->text_muted,
                 .enabled = true,
                 .action = screen_intent(INTENT_REMOVE_LINE, i)};
    ui_add(ui, &WIDGET_BUTTON, &rm);
    screen_money(text, sizeof text, s, l->unit_cents * l->qty, l->currency);
    snprintf(id, sizeof id, "line-%d-price", i);
    ui_text(ui, id, (SDL_Rect){r.x + r.w - pad - price_w, r.y, price_w, r.h}, text, TEXT_HEADING,
            t->text, (TextLayout){H_RIGHT, V_MIDDLE, false});
}

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int W = ui->w, H = ui->h, M = t->margin;
    bool landscape = W > H;
    ui_begin_frame(ui, t->background);
    int top = screen_top_bar(ui, s, env, _("Your bag"));
    int bottom = H - M / 2 - (s->online || !s->central ? 0 : t->px[TEXT_CAPTION] * 2);
    if (se->cart_count == 0) {
        ui_text(ui, "cart-empty", (SDL_Rect){M, top, W - 2 * M, (bottom - top) / 2},
                _("Your bag is empty. Tap a product, choose a size and add it here."), TEXT_BODY,
                t->text_muted, (TextLayout){H_CENTER, V_MIDDLE, true});
        screen_offline_line(ui, s);
        return;
    }
    int pad = theme_px(t, 36), bh = theme_px(t, 96), bgap = theme_px(t, 16);
    int summary_w = landscape ? theme_px(t, 620) : W - 2 * M;
    /* Portrait: as tall as what it holds (the words, then the buttons), the list above it. */
    int summary_h = landscape ? bottom - top
                              : 2 * pad + t->px[TEXT_BODY] * 16 / 10 + t->px[TEXT_TITLE] * 13 / 10 +
                                    t->px[TEXT_CAPTION] * 30 / 10 + bgap + bh +
                                    (s->central ? bgap + t->touch_min : 0);
    SDL_Rect list = {M, top, landscape ? W - 2 * M - summary_w - t->gap : W - 2 * M,
                     landscape ? bottom - top : bottom - top - summary_h - t->gap};
    int row_h = theme_px(t, 140), gap = theme_px(t, 14);
    int rows = (list.h + gap) / (row_h + gap);
    for (int i = 0; i < se->cart_count && i < rows; i++)
        line_row(ui, s, env, i, (SDL_Rect){list.x, list.y + i * (row_h + gap), list.w, row_h});
    SDL_Rect sum = landscape ? (SDL_Rect){W - M - summary_w, top, summary_w, summary_h}
                             : (SDL_Rect){M, bottom - summary_h, summary_w, summary_h};
    Widget card = {.id = "summary", .rect = sum, .enabled = true};
    ui_add(ui, &WIDGET_CARD, &card);
    int y = sum.y + pad;
    char line[128], money[64];
    int items = app_cart_items(s);
    snprintf(line, sizeof line, ngettext("%d item", "%d items", (unsigned long)items), items);
    ui_text(ui, "summary-items",
            (SDL_Rect){sum.x + pad, y, sum.w - 2 * pad, t->px[TEXT_BODY] * 14 / 10}, line,
            TEXT_BODY, t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
    y += t->px[TEXT_BODY] * 16 / 10;
    screen_money(money, sizeof money, s, app_cart_subtotal(s), se->cart[0].currency);
    snprintf(line, sizeof line, _("Subtotal %s"), money);
    ui_text(ui, "subtotal",
            (SDL_Rect){sum.x + pad, y, sum.w - 2 * pad, t->px[TEXT_TITLE] * 13 / 10}, line,
            TEXT_HEADING, t->text, (TextLayout){H_LEFT, V_TOP, false});
    y += t->px[TEXT_TITLE] * 13 / 10;
    ui_text(
        ui, "summary-note",
        (SDL_Rect){sum.x + pad, y, sum.w - 2 * pad, t->px[TEXT_CAPTION] * 30 / 10},
        _("Delivery and offers are chosen at checkout. Tax is added when the order is confirmed."),
        TEXT_CAPTION, t->text_muted, (TextLayout){H_LEFT, V_TOP, true});
    int by = sum.y + sum.h - pad - bh;
    if (s->central) {
        SDL_Rect pr = {sum.x + pad, sum.y + sum.h - pad - t->touch_min, sum.w - 2 * pad,
                       t->touch_min};
        ui_icon_button(ui, "handoff", pr, _("Continue on my phone"), BUTTON_SECONDARY, "phone-qr",
                       H_CENTER, s->online, screen_intent(INTENT_HANDOFF, 0));
        by = pr.y - bgap - bh;
    }
    ui_button(ui, "checkout", (SDL_Rect){sum.x + pad, by, sum.w - 2 * pad, bh},
              se->member_id[0] ? _("Check out") : _("Sign in to order"), BUTTON_PRIMARY,
              screen_intent(INTENT_CHECKOUT, 0));
    screen_offline_line(ui, s);
}

const ScreenClass SCREEN_CART_CLASS = {
    .id = SCREEN_CART,
    .draw_kiosk = draw,
    .draw_mirror = draw,
};
