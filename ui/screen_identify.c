/* screen_identify.c: "how would you like to sign in?". Three ways, side by side (kiosk) or
 * stacked (mirror): tap the loyalty card, scan the kiosk's code with the app, or show the
 * app's member code to the scanner. The app way is offered only while a pairing code can
 * actually work (the central service is reachable and has issued one). */
#include <stdio.h>

#include "i18n.h"
#include "screen.h"

typedef struct Way {
    const char *id, *icon, *heading;
    char body[256];
} Way;

static int ways(const AppState *s, const ScreenEnv *env, Way out[3])
{
    int n = 0;
    out[n] = (Way){"way-card", "nfc-card", _("Tap your card"), ""};
    snprintf(out[n++].body, sizeof out[0].body, "%s",
             _("Hold your loyalty card flat on the reader below the screen."));
    if (s->pairing_available) {
        out[n] = (Way){"way-app", "phone-qr", _("Scan with the app"), ""};
        snprintf(out[n++].body, sizeof out[0].body,
                 _("Open the %s app, tap Scan, and point your phone at this code."),
                 env->cfg->brand_name);
    }
    out[n] = (Way){"way-scanner", "scanner", _("Show your member code"), ""};
    snprintf(out[n++].body, sizeof out[0].body, "%s",
             _("Open your member code in the app and hold it under the scanner."));
    return n;
}

static void back_button(Ui *ui, int x, int y)
{
    const Theme *t = &ui->theme;
    ui_icon_button(ui, "back", (SDL_Rect){x, y, theme_px(t, 220), t->touch_min}, _("Back"),
                   BUTTON_GHOST, "arrow-left", H_LEFT, true, screen_intent(INTENT_BACK, 0));
}

static void draw_mirror(Ui *ui, const AppState *s, const ScreenEnv *env);

static void draw_kiosk(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    int W = ui->w, H = ui->h, M = t->margin;
    if (W < H) { /* a portrait kiosk stacks the ways in, like the mirror */
        draw_mirror(ui, s, env);
        return;
    }
    ui_begin_frame(ui, t->background);
    back_button(ui, M - theme_px(t, 8), M * 7 / 10);
    screen_language_chips(ui, s, (SDL_Rect){W / 3, M * 7 / 10, W - W / 3 - M, t->touch_min},
                          (SDL_Color){0, 0, 0, 0}, H_RIGHT);
    int y = H * 19 / 100;
    int title_h = t->px[TEXT_TITLE] * 13 / 10;
    ui_text(ui, "title", (SDL_Rect){M, y, W - 2 * M, title_h}, _("Sign in to see your offers"),
            TEXT_TITLE, t->text, (TextLayout){H_CENTER, V_TOP, false});
    y += title_h + theme_px(t, 8);
    ui_text(ui, "subtitle", (SDL_Rect){M, y, W - 2 * M, t->px[TEXT_BODY] * 14 / 10},
            _("Choose whichever is easiest. It only takes a moment."), TEXT_BODY, t->text_muted,
            (TextLayout){H_CENTER, V_TOP, false});

    Way way[3];
    int n = ways(s, env, way);
    int gap = t->gap;
    int card_w = (W - 2 * M - (n - 1) * gap) / n;
    int card_max = theme_px(t, n == 3 ? 540 : 640);
    if (card_w > card_max)
        card_w = card_max;
    int total = n * card_w + (n - 1) * gap;
    int card_y = H * 36 / 100, card_h = H * 48 / 100;
    int pad = theme_px(t, 40);
    for (int i = 0; i < n; i++) {
        SDL_Rect c = {(W - total) / 2 + i * (card_w + gap), card_y, card_w, card_h};
        Widget card = {.id = way[i].id, .rect = c, .enabled = true};
        ui_add(ui, &WIDGET_CARD, &card);
        int visual = card_h * 40 / 100;
        int ix = c.x + (c.w - visual) / 2, iy = c.y + pad;
        if (way[i].icon[0] == 'p' && s->pairing_available) {
            /* The pairing code itself (issued by the central service). */
            Widget qr = {.id = "pairing-qr",
                         .rect = {ix, iy, visual, visual},
                         .text = s->pairing.qr,
                         .enabled = true};
            ui_add(ui, &WIDGET_QR, &qr);
        } else {
            art_circle(ui->art, ix + visual / 2, iy + visual / 2, visual / 2,
                       (SDL_Color){t->accent.r, t->accent.g, t->accent.b, 34});
            Widget icon = {
                .id = way[i].icon,
                .rect = {ix + visual / 5, iy + visual / 5, visual * 3 / 5, visual * 3 / 5},
                .icon = way[i].icon,
                .color = t->primary,
                .text = way[i].heading,
                .enabled = true};
            ui_add(ui, &WIDGET_IMAGE, &icon);
        }
        int ty = iy + visual + theme_px(t, 32);
        int head_h = t->px[TEXT_HEADING] * 13 / 10;
        char id[48];
        snprintf(id, sizeof id, "%s-heading", way[i].id);
        ui_text(ui, id, (SDL_Rect){c.x + pad, ty, c.w - 2 * pad, head_h}, way[i].heading,
                TEXT_HEADING, t->text, (TextLayout){H_CENTER, V_TOP, false});
        snprintf(id, sizeof id, "%s-body", way[i].id);
        ui_text(ui, id,
                (SDL_Rect){c.x + pad, ty + head_h + theme_px(t, 10), c.w - 2 * pad,
                           c.y + c.h - pad - (ty + head_h + theme_px(t, 10))},
                way[i].body, TEXT_BODY, t->text_muted, (TextLayout){H_CENTER, V_TOP, true});
    }
    int gw = theme_px(t, 420);
    int gy = H - M * 7 / 10 - t->touch_min;
    if (s->session.after_sign_in != SCREEN_CHECKOUT) /* ordering needs a member */
        ui_button(ui, "guest", (SDL_Rect){W - M - gw, gy, gw, t->touch_min}, _("Just browsing"),
                  BUTTON_SECONDARY, screen_intent(INTENT_GUEST, 0));
    ui_text(ui, "privacy", (SDL_Rect){M, gy, W - 2 * M - gw - t->gap, t->touch_min},
            _("Your details stay on this screen only while you use it."), TEXT_CAPTION,
            t->text_muted, (TextLayout){H_LEFT, V_MIDDLE, false});
}

static void draw_mirror(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    int W = ui->w, H = ui->h, M = t->margin;
    ui_begin_frame(ui, t->background);
    back_button(ui, M - theme_px(t, 8), M);
    int gw = theme_px(t, 420);
    if (s->session.after_sign_in != SCREEN_CHECKOUT)
        ui_button(ui, "guest", (SDL_Rect){W - M - gw, M, gw, t->touch_min}, _("Just browsing"),
                  BUTTON_SECONDARY, screen_intent(INTENT_GUEST, 0));

    Way way[3];
    int n = ways(s, env, way);
    int row_h = theme_px(t, 220), gap = theme_px(t, 24);
    int rows_h = n * row_h + (n - 1) * gap;
    int y = H - M * 2 - t->touch_min - rows_h - t->px[TEXT_TITLE] * 15 / 10;
    ui_text(ui, "title", (SDL_Rect){M, y, W - 2 * M, t->px[TEXT_TITLE] * 13 / 10},
            _("Sign in to see your offers"), TEXT_TITLE, t->text,
            (TextLayout){H_CENTER, V_TOP, false});
    y += t->px[TEXT_TITLE] * 15 / 10;
    int pad = theme_px(t, 32);
    for (int i = 0; i < n; i++) {
        SDL_Rect c = {M, y + i * (row_h + gap), W - 2 * M, row_h};
        Widget card = {.id = way[i].id, .rect = c, .enabled = true};
        ui_add(ui, &WIDGET_CARD, &card);
        int visual = row_h - 2 * pad;
        if (way[i].icon[0] == 'p' && s->pairing_available) {
            Widget qr = {.id = "pairing-qr",
                         .rect = {c.x + pad, c.y + pad, visual, visual},
                         .text = s->pairing.qr,
                         .enabled = true};
            ui_add(ui, &WIDGET_QR, &qr);
        } else {
            Widget icon = {.id = way[i].icon,
                           .rect = {c.x + pad, c.y + pad, visual, visual},
                           .icon = way[i].icon,
                           .color = t->accent,
                           .text = way[i].heading,
                           .enabled = true};
            ui_add(ui, &WIDGET_IMAGE, &icon);
        }
        int tx = c.x + pad * 2 + visual, tw = c.w - (tx - c.x) - pad;
        int head_h = t->px[TEXT_HEADING] * 13 / 10;
        char id[48];
        snprintf(id, sizeof id, "%s-heading", way[i].id);
        ui_text(ui, id, (SDL_Rect){tx, c.y + pad, tw, head_h}, way[i].heading, TEXT_HEADING,
                t->text, (TextLayout){H_LEFT, V_TOP, false});
        snprintf(id, sizeof id, "%s-body", way[i].id);
        ui_text(ui, id, (SDL_Rect){tx, c.y + pad + head_h, tw, row_h - 2 * pad - head_h},
                way[i].body, TEXT_CAPTION, t->text_muted, (TextLayout){H_LEFT, V_TOP, true});
    }
    screen_language_chips(ui, s, (SDL_Rect){M, H - M - t->touch_min, W - 2 * M, t->touch_min},
                          (SDL_Color){0, 0, 0, 0}, H_CENTER);
}

const ScreenClass SCREEN_IDENTIFY_CLASS = {
    .id = SCREEN_IDENTIFY,
    .draw_kiosk = draw_kiosk,
    .draw_mirror = draw_mirror,
};
