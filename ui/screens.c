/* screens.c: the screen registry, the pieces screens share, and the overlays drawn above
 * any screen ("Still there?"). */
#include <stdio.h>

#include "i18n.h"
#include "screen.h"

static const ScreenClass *const SCREENS[SCREEN_COUNT] = {
    [SCREEN_ATTRACT] = &SCREEN_ATTRACT_CLASS,
    [SCREEN_IDENTIFY] = &SCREEN_IDENTIFY_CLASS,
    [SCREEN_WELCOME] = &SCREEN_WELCOME_CLASS,
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
    case NOTICE_NONE:
    case NOTICE_COUNT:
        break;
    }
    return "";
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
                 .icon = "nfc-card",
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
    if (s->notice != NOTICE_NONE)
        draw_notice(ui, s);
    return -1;
}
