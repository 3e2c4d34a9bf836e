/* screen_welcome.c: the shopper is identified. Greeted by name when the central service
 * has told us it (otherwise "Welcome back"), with their tier, points and a word about their
 * last purchase when known. Names are first names only: a passer-by may read the screen. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screen.h"

static void greeting(const AppState *s, char *out, size_t size)
{
    if (s->session.display_name[0])
        snprintf(out, size, _("Welcome back, %s"), s->session.display_name);
    else
        snprintf(out, size, "%s", _("Welcome back"));
}

/* The tier's name in the shopper's language (the API sends a code: docs/api.md). */
static const char *tier_name(const char *code)
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

static void standing(const AppState *s, char *out, size_t size)
{
    const char *tier = tier_name(s->session.tier);
    if (tier && s->session.points >= 0)
        snprintf(out, size, _("%s member · %d points"), tier, s->session.points);
    else if (s->session.points >= 0)
        snprintf(out, size, _("%d points"), s->session.points);
    else if (s->session.source == SOURCE_SCANNER)
        snprintf(out, size, "%s", _("You're signed in with your member code."));
    else if (s->session.source == SOURCE_APP)
        snprintf(out, size, "%s", _("You're signed in with the app."));
    else
        snprintf(out, size, "%s", _("You're signed in with your loyalty card."));
}

static void last_purchase(const AppState *s, char *out, size_t size)
{
    out[0] = '\0';
    if (s->session.last_purchase[0])
        snprintf(out, size, _("How are you getting on with your %s?"), s->session.last_purchase);
}

static void done_button(Ui *ui, SDL_Rect r)
{
    ui_button(ui, "done", r, _("I'm done"), BUTTON_SECONDARY, screen_intent(INTENT_END_SESSION, 0));
}

static void draw_kiosk(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    int W = ui->w, H = ui->h, M = t->margin;
    ui_begin_frame(ui, t->background);
    ui_text(ui, "brand", (SDL_Rect){M, M * 8 / 10, W / 3, t->px[TEXT_BRAND] * 13 / 10},
            env->cfg->brand_name, TEXT_BRAND, t->primary, (TextLayout){H_LEFT, V_TOP, false});
    int bw = theme_px(t, 300);
    done_button(ui, (SDL_Rect){W - M - bw, M * 7 / 10, bw, t->touch_min});

    char line[256];
    int y = H * 30 / 100;
    int col = W - 2 * M;
    art_circle(ui->art, M + theme_px(t, 60), y - theme_px(t, 90), theme_px(t, 60),
               (SDL_Color){t->accent.r, t->accent.g, t->accent.b, 40});
    Widget icon = {
        .id = "welcome-icon",
        .rect = {M + theme_px(t, 24), y - theme_px(t, 126), theme_px(t, 72), theme_px(t, 72)},
        .icon = s->session.source == SOURCE_SCANNER ? "phone-qr" : "nfc-card",
        .color = t->primary,
        .text = "",
        .enabled = true};
    ui_add(ui, &WIDGET_IMAGE, &icon);
    greeting(s, line, sizeof line);
    int head_h = t->px[TEXT_DISPLAY] * 13 / 10;
    ui_text(ui, "greeting", (SDL_Rect){M, y, col, head_h}, line, TEXT_DISPLAY, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    y += head_h + theme_px(t, 12);
    standing(s, line, sizeof line);
    ui_text(ui, "standing", (SDL_Rect){M, y, col, t->px[TEXT_HEADING] * 14 / 10}, line,
            TEXT_HEADING, t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
    y += t->px[TEXT_HEADING] * 14 / 10 + theme_px(t, 28);
    last_purchase(s, line, sizeof line);
    if (line[0])
        ui_text(ui, "last-purchase", (SDL_Rect){M, y, col, t->px[TEXT_BODY] * 28 / 10}, line,
                TEXT_BODY, t->text, (TextLayout){H_LEFT, V_TOP, true});
    ui_text(ui, "privacy",
            (SDL_Rect){M, H - M * 9 / 10 - t->px[TEXT_CAPTION], W - 2 * M,
                       t->px[TEXT_CAPTION] * 14 / 10},
            _("Tap \"I'm done\" when you leave: your details disappear from this screen."),
            TEXT_CAPTION, t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
}

static void draw_mirror(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    int W = ui->w, H = ui->h, M = t->margin;
    ui_begin_frame(ui, t->background);
    int bw = theme_px(t, 300);
    done_button(ui, (SDL_Rect){W - M - bw, M, bw, t->touch_min});
    char line[256];
    int y = H * 64 / 100;
    greeting(s, line, sizeof line);
    int head_h = t->px[TEXT_TITLE] * 26 / 10;
    ui_text(ui, "greeting", (SDL_Rect){M, y, W - 2 * M, head_h}, line, TEXT_TITLE, t->text,
            (TextLayout){H_CENTER, V_BOTTOM, true});
    y += head_h + theme_px(t, 16);
    standing(s, line, sizeof line);
    ui_text(ui, "standing", (SDL_Rect){M, y, W - 2 * M, t->px[TEXT_BODY] * 28 / 10}, line,
            TEXT_BODY, t->text_muted, (TextLayout){H_CENTER, V_TOP, true});
    y += t->px[TEXT_BODY] * 28 / 10 + theme_px(t, 16);
    last_purchase(s, line, sizeof line);
    if (line[0])
        ui_text(ui, "last-purchase", (SDL_Rect){M, y, W - 2 * M, t->px[TEXT_BODY] * 28 / 10}, line,
                TEXT_BODY, t->text, (TextLayout){H_CENTER, V_TOP, true});
}

const ScreenClass SCREEN_WELCOME_CLASS = {
    .id = SCREEN_WELCOME,
    .draw_kiosk = draw_kiosk,
    .draw_mirror = draw_mirror,
};
