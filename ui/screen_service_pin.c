/* screen_service_pin.c: service mode's door. The technician who tapped their badge types the
 * store's service PIN on a digit pad; the PIN shows as dots. After wrong PINs the pad waits
 * before it takes another (the wait doubles each time). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "screen.h"

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Service *sv = &s->service;
    int W = ui->w, H = ui->h, M = t->margin;
    ui_begin_frame(ui, t->background);
    bool waiting = sv->wait_until_ms > env->now_ms;
    int col = theme_px(t, 640);
    if (col > W - 2 * M)
        col = W - 2 * M;
    int x = (W - col) / 2, y = M;
    int title_h = t->px[TEXT_TITLE] * 13 / 10, body_h = t->px[TEXT_BODY] * 14 / 10;
    ui_text(ui, "title", (SDL_Rect){x, y, col, title_h}, _("Service mode"), TEXT_TITLE, t->text,
            (TextLayout){H_CENTER, V_TOP, false});
    y += title_h;
    char line[160];
    if (waiting) {
        /* A time of day, not a countdown: the screen is drawn only when something changes. */
        time_t at =
            (time_t)(env->wall_s + (int64_t)((sv->wait_until_ms - env->now_ms + 999) / 1000));
        struct tm tm;
        char clock[16];
        localtime_r(&at, &tm);
        strftime(clock, sizeof clock, "%H:%M:%S", &tm);
        snprintf(line, sizeof line, _("Too many wrong PINs. The pad opens again at %s."), clock);
    } else if (sv->failures > 0) {
        snprintf(line, sizeof line, "%s", _("Wrong PIN. Try again."));
    } else {
        snprintf(line, sizeof line, "%s", _("Enter the store's service PIN."));
    }
    ui_text(ui, "pin-prompt", (SDL_Rect){x, y, col, body_h * 2}, line, TEXT_BODY,
            sv->failures > 0 ? t->accent : t->text_muted, (TextLayout){H_CENTER, V_TOP, true});
    y += body_h * 2 + t->gap / 2;
    int fh = theme_px(t, 96);
    art_round_rect(ui->art, (SDL_Rect){x, y, col, fh}, fh / 2, t->surface, t->outline,
                   theme_px(t, 3));
    char dots[3 * APP_SERVICE_PIN_MAX + 1] = "";
    for (size_t i = 0; i < strlen(sv->pin); i++)
        strcat(dots, "\xE2\x80\xA2"); /* a bullet per digit: the PIN itself never shows */
    ui_text(ui, "pin-dots", (SDL_Rect){x, y, col, fh}, dots, TEXT_TITLE, t->text,
            (TextLayout){H_CENTER, V_MIDDLE, false});
    y += fh + t->gap / 2;
    int gap = theme_px(t, 14), kw = (col - 2 * gap) / 3, kh = t->touch_min * 5 / 4;
    bool open = !waiting && !sv->checking;
    char id[16], label[4];
    for (int d = 1; d <= 9; d++) {
        snprintf(id, sizeof id, "pin-%d", d);
        snprintf(label, sizeof label, "%d", d);
        screen_key(ui,
                   (SDL_Rect){x + (d - 1) % 3 * (kw + gap), y + (d - 1) / 3 * (kh + gap), kw, kh},
                   label, id, '0' + d, NULL, open);
    }
    int ry = y + 3 * (kh + gap);
    screen_key(ui, (SDL_Rect){x, ry, kw, kh}, _("Clear"), "pin-clear", KEY_CLEAR, NULL, open);
    screen_key(ui, (SDL_Rect){x + kw + gap, ry, kw, kh}, "0", "pin-0", '0', NULL, open);
    screen_key(ui, (SDL_Rect){x + 2 * (kw + gap), ry, kw, kh}, "", "pin-backspace", KEY_BACKSPACE,
               "backspace", open);
    y = ry + kh + t->gap;
    int bw = (col - gap) / 2;
    ui_button(ui, "pin-cancel", (SDL_Rect){x, y, bw, t->touch_min}, _("Cancel"), BUTTON_SECONDARY,
              screen_intent(INTENT_SERVICE_EXIT, 0));
    Widget ok = {.id = "pin-ok",
                 .rect = {x + bw + gap, y, bw, t->touch_min},
                 .text = sv->checking ? _("Checking…") : _("Open"),
                 .role = TEXT_BUTTON,
                 .kind = BUTTON_PRIMARY,
                 .enabled = open && strlen(sv->pin) >= 4,
                 .action = screen_intent(INTENT_SERVICE_PIN, 0),
                 .layout = {H_CENTER, V_MIDDLE, false}};
    ui_add(ui, &WIDGET_BUTTON, &ok);
    (void)H;
}

const ScreenClass SCREEN_SERVICE_PIN_CLASS = {
    .id = SCREEN_SERVICE_PIN,
    .draw_kiosk = draw,
    .draw_mirror = draw,
};
