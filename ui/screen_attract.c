/* screen_attract.c: what a passer-by sees. The brand, one clear call to action, what the
 * kiosk is good for, and the language choice. Kiosk: a full evergreen field, landscape.
 * Mirror: black glass with the words in the lower third. */
#include <stdio.h>

#include "i18n.h"
#include "screen.h"

static SDL_Color mix(SDL_Color a, SDL_Color b, int percent_b)
{
    return (SDL_Color){(Uint8)((a.r * (100 - percent_b) + b.r * percent_b) / 100),
                       (Uint8)((a.g * (100 - percent_b) + b.g * percent_b) / 100),
                       (Uint8)((a.b * (100 - percent_b) + b.b * percent_b) / 100), 255};
}

static void brand(Ui *ui, const ScreenEnv *env, SDL_Rect r, HAlign align, SDL_Color c,
                  SDL_Color muted)
{
    const Theme *t = &ui->theme;
    int bh = t->px[TEXT_BRAND] * 13 / 10;
    ui_text(ui, "brand", (SDL_Rect){r.x, r.y, r.w, bh}, env->cfg->brand_name, TEXT_BRAND, c,
            (TextLayout){align, V_TOP, false});
    ui_text(ui, "tagline", (SDL_Rect){r.x, r.y + bh, r.w, t->px[TEXT_CAPTION] * 14 / 10},
            env->cfg->brand_tagline, TEXT_CAPTION, muted, (TextLayout){align, V_TOP, false});
}

static void draw_mirror(Ui *ui, const AppState *s, const ScreenEnv *env);

static void draw_kiosk(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    if (ui->w < ui->h) { /* a portrait kiosk: the portrait layout, in the kiosk's colours */
        draw_mirror(ui, s, env);
        return;
    }
    const Theme *t = &ui->theme;
    int W = ui->w, H = ui->h, M = t->margin;
    ui_begin_frame(ui, t->hero);
    brand(ui, env, (SDL_Rect){M, M * 8 / 10, W / 3, 0}, H_LEFT, t->on_hero, t->on_hero_muted);
    screen_language_chips(ui, s, (SDL_Rect){W / 3, M * 8 / 10, W - W / 3 - M, t->touch_min},
                          t->on_hero, H_RIGHT);

    /* The illustration: a card and a phone on a soft disc, right of the words. */
    int r = H * 27 / 100;
    int cx = W * 78 / 100, cy = H * 50 / 100;
    art_circle(ui->art, cx, cy, r, mix(t->hero, t->on_hero, 9));
    art_circle(ui->art, cx, cy, r * 72 / 100, mix(t->hero, t->on_hero, 14));
    Widget card = {.id = "art-card",
                   .rect = {cx - r * 80 / 100, cy - r * 70 / 100, r * 130 / 100, r * 130 / 100},
                   .icon = "nfc-card",
                   .color = t->on_hero,
                   .text = _("A loyalty card"),
                   .enabled = true};
    ui_add(ui, &WIDGET_IMAGE, &card);
    Widget phone = {.id = "art-phone",
                    .rect = {cx + r * 18 / 100, cy - r * 5 / 100, r * 80 / 100, r * 80 / 100},
                    .icon = "phone-qr",
                    .color = t->accent,
                    .text = _("A phone with the app"),
                    .enabled = true};
    ui_add(ui, &WIDGET_IMAGE, &phone);

    int col_w = W * 56 / 100 - M;
    int y = H * 19 / 100;
    int head_h = t->px[TEXT_DISPLAY] * 37 / 10;
    ui_text(ui, "headline", (SDL_Rect){M, y, col_w, head_h},
            _("Tap your loyalty card or scan with the app"), TEXT_DISPLAY, t->on_hero,
            (TextLayout){H_LEFT, V_BOTTOM, true});
    y += head_h + theme_px(t, 28);
    int body_h = t->px[TEXT_BODY] * 28 / 10;
    ui_text(ui, "subline", (SDL_Rect){M, y, col_w * 9 / 10, body_h},
            _("See offers picked for you, check stock in every store, and get it delivered "
              "to your door."),
            TEXT_BODY, t->on_hero_muted, (TextLayout){H_LEFT, V_TOP, true});
    y += body_h + theme_px(t, 40);
    ui_button(ui, "start", (SDL_Rect){M, y, theme_px(t, 460), theme_px(t, 116)}, _("Get started"),
              BUTTON_ACCENT, screen_intent(INTENT_START, 0));

    /* What the kiosk is good for, along the bottom edge. */
    static const struct {
        const char *id, *icon, *label;
    } features[] = {
        {"feature-offers", "gift", N_("Offers made for you")},
        {"feature-stock", "store", N_("Stock in every store")},
        {"feature-delivery", "truck", N_("Delivered to your door")},
    };
    int fy = H - M - theme_px(t, 56);
    int icon = theme_px(t, 56);
    int item_w = (W * 3 / 4 - M) / 3;
    for (int i = 0; i < 3; i++) {
        int fx = M + i * item_w;
        Widget ic = {.id = features[i].icon,
                     .rect = {fx, fy, icon, icon},
                     .icon = features[i].icon,
                     .color = t->accent,
                     .text = "",
                     .enabled = true};
        ui_add(ui, &WIDGET_IMAGE, &ic);
        ui_text(ui, features[i].id,
                (SDL_Rect){fx + icon + theme_px(t, 16), fy, item_w - icon - theme_px(t, 32), icon},
                _(features[i].label), TEXT_CAPTION, t->on_hero,
                (TextLayout){H_LEFT, V_MIDDLE, true});
    }
}

static void draw_mirror(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    int W = ui->w, H = ui->h, M = t->margin;
    ui_begin_frame(ui, t->background);
    brand(ui, env, (SDL_Rect){M, M, W - 2 * M, 0}, H_CENTER, t->on_hero_muted, t->text_muted);

    /* Everything else lives in the lower third: the shopper sees themselves above it. */
    int icon = theme_px(t, 120);
    int y = H * 60 / 100;
    Widget tag = {.id = "art-tag",
                  .rect = {W / 2 - icon - theme_px(t, 16), y, icon, icon},
                  .icon = "tag",
                  .color = t->accent,
                  .text = _("A garment tag"),
                  .enabled = true};
    ui_add(ui, &WIDGET_IMAGE, &tag);
    Widget card = {.id = "art-card",
                   .rect = {W / 2 + theme_px(t, 16), y, icon, icon},
                   .icon = "nfc-card",
                   .color = t->text,
                   .text = _("A loyalty card"),
                   .enabled = true};
    ui_add(ui, &WIDGET_IMAGE, &card);
    y += icon + theme_px(t, 40);
    int head_h = t->px[TEXT_TITLE] * 25 / 10; /* two lines; one sits low, by the words below */
    ui_text(ui, "headline", (SDL_Rect){M, y, W - 2 * M, head_h},
            _("Tap a tag or your loyalty card"), TEXT_TITLE, t->text,
            (TextLayout){H_CENTER, V_BOTTOM, true});
    y += head_h + theme_px(t, 12);
    int body_h = t->px[TEXT_BODY] * 28 / 10;
    ui_text(ui, "subline", (SDL_Rect){M, y, W - 2 * M, body_h},
            _("Hold a garment's tag to the reader to see every size and colour in stock."),
            TEXT_BODY, t->text_muted, (TextLayout){H_CENTER, V_TOP, true});
    y += body_h + theme_px(t, 36);
    int bw = theme_px(t, 520);
    ui_button(ui, "start", (SDL_Rect){(W - bw) / 2, y, bw, theme_px(t, 112)}, _("Get started"),
              BUTTON_PRIMARY, screen_intent(INTENT_START, 0));
    screen_language_chips(ui, s, (SDL_Rect){M, H - M - t->touch_min, W - 2 * M, t->touch_min},
                          (SDL_Color){0, 0, 0, 0}, H_CENTER);
}

const ScreenClass SCREEN_ATTRACT_CLASS = {
    .id = SCREEN_ATTRACT,
    .draw_kiosk = draw_kiosk,
    .draw_mirror = draw_mirror,
};
