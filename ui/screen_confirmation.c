/* screen_confirmation.c: thank you. Shown only once the order is durable on this device.
 * With the central service's answer: the order number, the delivery estimate, the total and
 * a QR to track it on the phone. Without it yet (offline, or slow): the order is safe here
 * and the confirmation follows in the app and by email. On a mirror the words sit just above
 * the buttons and the QR at the right edge above them, so the glass stays a mirror. */
#include <stdio.h>

#include "format.h"
#include "i18n.h"
#include "screen.h"

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    const OrderView *o = &se->order;
    int W = ui->w, H = ui->h, M = t->margin;
    bool landscape = W > H;
    bool confirmed = se->order_phase == ORDER_DONE;
    (void)env;
    ui_begin_frame(ui, t->background);
    bool mirror = t->mirror && !landscape;
    int qr_side = !confirmed || !o->tracking_url[0] ? 0
                  : landscape                       ? H * 40 / 100
                  : mirror                          ? W * 32 / 100
                                                    : W * 50 / 100;
    int col_w = landscape && qr_side ? W - 2 * M - qr_side - t->gap * 2 : W - 2 * M;
    int bw = theme_px(t, 420), bh = theme_px(t, 104);
    int title_h = t->px[TEXT_DISPLAY] * 12 / 10;
    int body_h = t->px[TEXT_HEADING] * 14 / 10;
    int caption_h = t->px[TEXT_CAPTION] * 15 / 10;
    char dates[128] = "";
    format_date_range(dates, sizeof dates, o->delivery_earliest, o->delivery_latest,
                      app_language(s));
    int y = landscape ? H * 18 / 100 : H * 12 / 100;
    if (mirror) { /* from the buttons up: the words, then the QR */
        int words = title_h + theme_px(t, 16) +
                    (confirmed ? body_h + theme_px(t, 8) + (dates[0] ? body_h : 0) + 2 * body_h
                               : t->px[TEXT_HEADING] * 28 / 10 + theme_px(t, 8) +
                                     t->px[TEXT_BODY] * 28 / 10);
        y = H - M - bh - 2 * t->gap - words;
    } else {
        int badge = theme_px(t, 120);
        art_circle(ui->art, M + badge / 2, y + badge / 2, badge / 2, t->accent);
        Widget ic = {.id = "confirm-icon",
                     .rect = {M + badge / 5, y + badge / 5, badge * 3 / 5, badge * 3 / 5},
                     .icon = "check",
                     .color = t->on_primary,
                     .text = "",
                     .enabled = true};
        ui_add(ui, &WIDGET_IMAGE, &ic);
        y += badge + theme_px(t, 36);
    }
    int words_top = y;
    char line[256];
    if (se->display_name[0])
        snprintf(line, sizeof line, _("Thank you, %s!"), se->display_name);
    else
        snprintf(line, sizeof line, "%s", _("Thank you!"));
    ui_text(ui, "confirm-title", (SDL_Rect){M, y, col_w, title_h}, line, TEXT_DISPLAY, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    y += title_h + theme_px(t, 16);
    if (confirmed) {
        snprintf(line, sizeof line, _("Order %s is confirmed."), o->number);
        ui_text(ui, "order-number", (SDL_Rect){M, y, col_w, body_h}, line, TEXT_HEADING, t->text,
                (TextLayout){H_LEFT, V_TOP, false});
        y += body_h + theme_px(t, 8);
        if (dates[0]) {
            snprintf(line, sizeof line, _("Arriving %s"), dates);
            ui_text(ui, "delivery", (SDL_Rect){M, y, col_w, body_h}, line, TEXT_BODY, t->text,
                    (TextLayout){H_LEFT, V_TOP, false});
            y += body_h;
        }
        char money[64];
        screen_money(money, sizeof money, s, o->total_cents, o->currency);
        snprintf(line, sizeof line, _("Total paid with your saved card: %s"), money);
        ui_text(ui, "order-total", (SDL_Rect){M, y, col_w, body_h}, line, TEXT_BODY, t->text_muted,
                (TextLayout){H_LEFT, V_TOP, false});
        y += body_h;
        ui_text(ui, "confirm-email", (SDL_Rect){M, y, col_w, body_h},
                _("We've sent the details to your app and by email."), TEXT_BODY, t->text_muted,
                (TextLayout){H_LEFT, V_TOP, false});
    } else {
        ui_text(ui, "order-received", (SDL_Rect){M, y, col_w, t->px[TEXT_HEADING] * 28 / 10},
                _("Order received — confirmation will follow in your app and by email."),
                TEXT_HEADING, t->text, (TextLayout){H_LEFT, V_TOP, true});
        y += t->px[TEXT_HEADING] * 28 / 10 + theme_px(t, 8);
        ui_text(ui, "order-safe", (SDL_Rect){M, y, col_w, t->px[TEXT_BODY] * 28 / 10},
                _("Your order is saved safely on this screen and is sent to us automatically. "
                  "You don't need to do anything else."),
                TEXT_BODY, t->text_muted, (TextLayout){H_LEFT, V_TOP, true});
    }
    if (qr_side) {
        int qx = landscape || mirror ? W - M - qr_side : (W - qr_side) / 2;
        int qy = landscape ? H * 18 / 100
                 : mirror  ? words_top - t->gap - caption_h - theme_px(t, 12) - qr_side
                           : y + theme_px(t, 60);
        Widget qr = {.id = "tracking-qr",
                     .rect = {qx, qy, qr_side, qr_side},
                     .text = o->tracking_url,
                     .enabled = true};
        ui_add(ui, &WIDGET_QR, &qr);
        ui_text(ui, "tracking-caption",
                (SDL_Rect){qx, qy + qr_side + theme_px(t, 12), qr_side, caption_h},
                _("Scan to track your order"), TEXT_CAPTION, t->text_muted,
                (TextLayout){H_CENTER, V_TOP, false});
    }
    ui_button(ui, "done", (SDL_Rect){M, H - M - bh, bw, bh}, _("I'm done"), BUTTON_PRIMARY,
              screen_intent(INTENT_END_SESSION, 0));
    ui_button(ui, "keep-shopping", (SDL_Rect){M + bw + t->gap, H - M - bh, bw, bh},
              _("Keep shopping"), BUTTON_SECONDARY, screen_intent(INTENT_HOME, 0));
}

const ScreenClass SCREEN_CONFIRMATION_CLASS = {
    .id = SCREEN_CONFIRMATION,
    .draw_kiosk = draw,
    .draw_mirror = draw,
};
