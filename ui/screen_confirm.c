/* screen_confirm.c: the customer confirms the order an associate built for them (associate
 * mode only): what is being ordered and where it goes, then their own loyalty card on the
 * reader, or this code in their app. Nothing is placed until they do. */
#include <stdio.h>

#include "i18n.h"
#include "screen.h"

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int W = ui->w, H = ui->h, M = t->margin;
    bool landscape = W > H;
    ui_begin_frame(ui, t->background);
    int bh = t->touch_min;
    bool placing = se->order_phase == ORDER_STORING || se->order_phase == ORDER_SENDING;
    int back_w = theme_px(t, 300);
    ui_icon_button(ui, "back", (SDL_Rect){M - theme_px(t, 8), M / 2, back_w, bh},
                   _("Change the order"), BUTTON_GHOST, "arrow-left", H_LEFT, !placing,
                   screen_intent(INTENT_BACK, 0));
    int y = M / 2 + bh + t->gap;
    if (t->mirror && y < H * 2 / 5)
        y = H * 2 / 5;
    char text[256], money[64];
    int title_h = t->px[TEXT_TITLE] * 13 / 10;
    if (se->display_name[0])
        snprintf(text, sizeof text, _("%s, please confirm your order"), se->display_name);
    else
        snprintf(text, sizeof text, "%s", _("Please confirm your order"));
    ui_text(ui, "title", (SDL_Rect){M, y, W - 2 * M, title_h}, text, TEXT_TITLE, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    y += title_h + theme_px(t, 8);
    int items = app_cart_items(s);
    screen_money(money, sizeof money, s, app_cart_subtotal(s) - app_offer_discount(s),
                 se->cart_count > 0 ? se->cart[0].currency : "USD");
    snprintf(text, sizeof text,
             ngettext("%d item · %s before delivery and tax",
                      "%d items · %s before delivery and tax", (unsigned long)items),
             items, money);
    int body_h = t->px[TEXT_BODY] * 14 / 10;
    ui_text(ui, "confirm-summary", (SDL_Rect){M, y, W - 2 * M, body_h}, text, TEXT_BODY, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    y += body_h;
    if (se->address_choice >= 0 && se->address_choice < se->address_count &&
        se->addresses[se->address_choice].masked[0])
        snprintf(text, sizeof text, _("Delivered to %s"), se->addresses[se->address_choice].masked);
    else
        snprintf(text, sizeof text, "%s", _("Delivered to your default address"));
    ui_text(ui, "confirm-address", (SDL_Rect){M, y, W - 2 * M, body_h}, text, TEXT_BODY,
            t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
    y += body_h;
    if (s->staff.name[0]) {
        snprintf(text, sizeof text, _("Ordered with %s, your stylist today"), s->staff.name);
        ui_text(ui, "confirm-associate", (SDL_Rect){M, y, W - 2 * M, body_h}, text, TEXT_BODY,
                t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
        y += body_h;
    }
    y += t->gap;
    int bottom = H - M / 2 - (s->online || !s->central ? 0 : t->px[TEXT_CAPTION] * 2);
    if (placing) {
        ui_text(ui, "confirm-placing", (SDL_Rect){M, y, W - 2 * M, bottom - y},
                _("Placing your order…"), TEXT_HEADING, t->text,
                (TextLayout){H_CENTER, V_MIDDLE, false});
        screen_offline_line(ui, s);
        return;
    }
    /* The ways to say yes: the card (and the app's code when the service can issue one). */
    int n = s->pairing_available ? 2 : 1, gap = t->gap;
    int cw = landscape ? (W - 2 * M - (n - 1) * gap) / n : W - 2 * M;
    int ch = landscape ? bottom - y : (bottom - y - (n - 1) * gap) / n;
    int pad = theme_px(t, 32);
    for (int i = 0; i < n; i++) {
        SDL_Rect c = landscape ? (SDL_Rect){M + i * (cw + gap), y, cw, ch}
                               : (SDL_Rect){M, y + i * (ch + gap), cw, ch};
        Widget card = {.id = i == 0 ? "confirm-card" : "confirm-app", .rect = c, .enabled = true};
        ui_add(ui, &WIDGET_CARD, &card);
        int visual = c.h - 2 * pad;
        if (visual > c.w / 3)
            visual = c.w / 3;
        SDL_Rect v = {c.x + pad, c.y + (c.h - visual) / 2, visual, visual};
        if (i == 1) {
            Widget qr = {.id = "pairing-qr", .rect = v, .text = s->pairing.qr, .enabled = true};
            ui_add(ui, &WIDGET_QR, &qr);
        } else {
            art_circle(ui->art, v.x + visual / 2, v.y + visual / 2, visual / 2,
                       (SDL_Color){t->accent.r, t->accent.g, t->accent.b, 34});
            Widget icon = {
                .id = "confirm-card-icon",
                .rect = {v.x + visual / 5, v.y + visual / 5, visual * 3 / 5, visual * 3 / 5},
                .icon = "nfc-card",
                .color = t->primary,
                .text = "",
                .enabled = true};
            ui_add(ui, &WIDGET_IMAGE, &icon);
        }
        int tx = v.x + visual + pad, tw = c.x + c.w - pad - tx;
        int head_h = t->px[TEXT_HEADING] * 13 / 10;
        ui_text(ui, i == 0 ? "confirm-card-heading" : "confirm-app-heading",
                (SDL_Rect){tx, c.y + c.h / 2 - head_h, tw, head_h},
                i == 0 ? _("Tap your loyalty card") : _("Or scan with our app"), TEXT_HEADING,
                t->text, (TextLayout){H_LEFT, V_BOTTOM, false});
        ui_text(ui, i == 0 ? "confirm-card-body" : "confirm-app-body",
                (SDL_Rect){tx, c.y + c.h / 2, tw, c.h / 2 - pad},
                i == 0
                    ? _("Your card confirms the order. It is paid with the card on your account.")
                    : _("Confirm in the app on your phone."),
                TEXT_BODY, t->text_muted, (TextLayout){H_LEFT, V_TOP, true});
    }
    screen_offline_line(ui, s);
}

const ScreenClass SCREEN_CONFIRM_CLASS = {
    .id = SCREEN_CONFIRM,
    .draw_kiosk = draw,
    .draw_mirror = draw,
};
