/* screen_setup.c: first boot, before the device has its identity. What a technician needs
 * at a glance (the serial the device console lists, the network, the reader, the version)
 * and the steps: their badge, then the enrollment code scanned from the console or typed on
 * the keypad here. Nobody else can use the screen until it is done. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screen.h"
#include "version.h"

/* The enrollment code's alphabet (no 0/O, 1/I/L) and the dash, as keys. */
static const char KEYS[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ-";

static int keypad(Ui *ui, SDL_Rect area)
{
    const Theme *t = &ui->theme;
    int cols = 8, gap = theme_px(t, 10), kh = t->touch_min;
    int kw = (area.w - (cols - 1) * gap) / cols;
    int n = (int)strlen(KEYS);
    char id[16], label[4];
    for (int i = 0; i < n; i++) {
        snprintf(label, sizeof label, "%c", KEYS[i]);
        snprintf(id, sizeof id, "key-%c", KEYS[i]);
        screen_key(
            ui,
            (SDL_Rect){area.x + (i % cols) * (kw + gap), area.y + (i / cols) * (kh + gap), kw, kh},
            label, id, KEYS[i], NULL, true);
    }
    int rows = (n + cols - 1) / cols;
    int y = area.y + rows * (kh + gap);
    screen_key(ui, (SDL_Rect){area.x + area.w - 2 * kw - gap, y, 2 * kw + gap, kh}, _("Delete"),
               "key-backspace", KEY_BACKSPACE, "backspace", true);
    return y + kh;
}

static const char *failure(const char *code, KioskMode mode)
{
    if (strcmp(code, "enrollment_code_other_kind") == 0)
        return mode == KIOSK_MODE_MIRROR
                   ? _("That code is for a kiosk, and this screen is a mirror. Make a code for a "
                       "mirror at the device console.")
                   : _("That code is for a mirror, and this screen is a kiosk. Make a code for a "
                       "kiosk at the device console.");
    if (strcmp(code, "enrollment_code_invalid") == 0)
        return _("That code is not valid: it may have been used already or have expired. "
                 "Make a new one at the device console.");
    if (strcmp(code, "offline") == 0)
        return _("The central service cannot be reached. Check the network cable or Wi-Fi "
                 "and the [central] settings, then try again.");
    if (strcmp(code, "enrollment_unavailable") == 0)
        return _("The central service cannot enroll devices just now. Try again later.");
    return _("Enrollment did not work. Try again; if it fails again, note the code shown "
             "in the log (kioskctl logs).");
}

static void info_row(Ui *ui, const char *id, const char *label, const char *value, SDL_Rect r,
                     SDL_Color c)
{
    const Theme *t = &ui->theme;
    char nid[48];
    int cap_h = t->px[TEXT_CAPTION] * 14 / 10;
    snprintf(nid, sizeof nid, "%s-label", id);
    ui_text(ui, nid, (SDL_Rect){r.x, r.y, r.w, cap_h}, label, TEXT_CAPTION, t->text_muted,
            (TextLayout){H_LEFT, V_TOP, false});
    ui_text(ui, id, (SDL_Rect){r.x, r.y + cap_h, r.w, r.h - cap_h}, value, TEXT_HEADING, c,
            (TextLayout){H_LEFT, V_TOP, false});
}

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Setup *st = &s->setup;
    int W = ui->w, H = ui->h, M = t->margin;
    bool landscape = W > H;
    ui_begin_frame(ui, t->background);
    int title_h = t->px[TEXT_TITLE] * 13 / 10;
    ui_text(ui, "brand", (SDL_Rect){M, M / 2, W - 2 * M, t->touch_min}, env->cfg->brand_name,
            TEXT_BRAND, t->primary, (TextLayout){H_LEFT, V_MIDDLE, false});
    int y = M / 2 + t->touch_min + t->gap / 2;
    ui_text(ui, "title", (SDL_Rect){M, y, W - 2 * M, title_h}, _("Set up this screen"), TEXT_TITLE,
            t->text, (TextLayout){H_LEFT, V_TOP, false});
    y += title_h + t->gap / 2;
    /* What the technician checks: serial, network, reader, version. */
    int info_w = landscape ? (W - 2 * M) * 34 / 100 : W - 2 * M;
    int row_h = t->px[TEXT_CAPTION] * 14 / 10 + t->px[TEXT_HEADING] * 14 / 10 + theme_px(t, 12);
    SDL_Rect info = {M, y, info_w, 4 * row_h + 2 * theme_px(t, 28)};
    Widget card = {.id = "setup-info", .rect = info, .enabled = true};
    ui_add(ui, &WIDGET_CARD, &card);
    int pad = theme_px(t, 28), iy = info.y + pad;
    SDL_Rect r = {info.x + pad, iy, info.w - 2 * pad, row_h};
    info_row(ui, "setup-serial", _("Serial"), st->serial, r, t->text);
    r.y += row_h;
    info_row(ui, "setup-network", _("Central service"),
             !s->central ? _("Not configured")
             : s->online ? _("Reachable")
                         : _("Not reachable yet"),
             r, !s->central || !s->online ? t->accent : t->text);
    r.y += row_h;
    info_row(ui, "setup-reader", _("Card reader"),
             !s->reader_present    ? _("Not configured")
             : s->reader_connected ? _("Ready")
                                   : _("Not answering"),
             r, s->reader_present && !s->reader_connected ? t->accent : t->text);
    r.y += row_h;
    info_row(ui, "setup-version", _("Firmware"), KIOSK_VERSION, r, t->text);
    /* The steps. */
    SDL_Rect steps =
        landscape ? (SDL_Rect){M + info_w + t->gap, y, W - 2 * M - info_w - t->gap, H - M / 2 - y}
                  : (SDL_Rect){M, info.y + info.h + t->gap, W - 2 * M,
                               H - M / 2 - (info.y + info.h + t->gap)};
    Widget sc = {.id = "setup-steps", .rect = steps, .enabled = true};
    ui_add(ui, &WIDGET_CARD, &sc);
    SDL_Rect in = {steps.x + pad, steps.y + pad, steps.w - 2 * pad, steps.h - 2 * pad};
    int head_h = t->px[TEXT_HEADING] * 13 / 10, body_h = t->px[TEXT_BODY] * 14 / 10;
    char line[256];
    switch (st->stage) {
    case SETUP_BADGE:
        ui_text(ui, "step-1", (SDL_Rect){in.x, in.y, in.w, head_h},
                _("1. Tap your technician badge on the reader"), TEXT_HEADING, t->text,
                (TextLayout){H_LEFT, V_TOP, false});
        ui_text(ui, "step-2", (SDL_Rect){in.x, in.y + head_h + t->gap / 2, in.w, body_h * 3},
                _("2. Then scan the enrollment code shown at the central service's device "
                  "console, or type it here."),
                TEXT_BODY, t->text_muted, (TextLayout){H_LEFT, V_TOP, true});
        {
            int icon = in.h / 3 < theme_px(t, 220) ? in.h / 3 : theme_px(t, 220);
            Widget ic = {.id = "setup-badge-icon",
                         .rect = {in.x + (in.w - icon) / 2, in.y + in.h - icon, icon, icon},
                         .icon = "nfc-card",
                         .color = t->primary,
                         .text = "",
                         .enabled = true};
            ui_add(ui, &WIDGET_IMAGE, &ic);
        }
        break;
    case SETUP_CODE: {
        ui_text(ui, "step-code", (SDL_Rect){in.x, in.y, in.w, head_h},
                _("Scan the enrollment code, or type it"), TEXT_HEADING, t->text,
                (TextLayout){H_LEFT, V_TOP, false});
        int fy = in.y + head_h + theme_px(t, 12), fh = theme_px(t, 96);
        SDL_Rect field = {in.x, fy, in.w, fh};
        art_round_rect(ui->art, field, fh / 2, t->surface, t->accent, theme_px(t, 3));
        snprintf(line, sizeof line, "%s|", st->code);
        ui_text(ui, "setup-code", (SDL_Rect){field.x + fh / 3, fy, field.w - fh, fh},
                st->code[0] ? line : "KQ7M-2XPD", TEXT_TITLE, st->code[0] ? t->text : t->text_muted,
                (TextLayout){H_LEFT, V_MIDDLE, false});
        int bottom = keypad(ui, (SDL_Rect){in.x, fy + fh + t->gap / 2, in.w, 0});
        int bw = (in.w - t->gap) / 2, by = in.y + in.h - t->touch_min;
        if (by < bottom + theme_px(t, 16))
            by = bottom + theme_px(t, 16);
        ui_button(ui, "setup-cancel", (SDL_Rect){in.x, by, bw, t->touch_min}, _("Cancel"),
                  BUTTON_SECONDARY, screen_intent(INTENT_BACK, 0));
        Widget go = {.id = "setup-enroll",
                     .rect = {in.x + bw + t->gap, by, bw, t->touch_min},
                     .text = _("Enroll"),
                     .role = TEXT_BUTTON,
                     .kind = BUTTON_PRIMARY,
                     .enabled = strlen(st->code) >= 8,
                     .action = screen_intent(INTENT_ENROLL, 0),
                     .layout = {H_CENTER, V_MIDDLE, false}};
        ui_add(ui, &WIDGET_BUTTON, &go);
        break;
    }
    case SETUP_ENROLLING:
        ui_text(ui, "setup-enrolling", in, _("Enrolling with the central service…"), TEXT_HEADING,
                t->text, (TextLayout){H_CENTER, V_MIDDLE, true});
        break;
    case SETUP_DONE:
        snprintf(line, sizeof line, _("Enrolled as %s for store %s. Starting…"), st->device_id,
                 st->store);
        ui_text(ui, "setup-done", in, line, TEXT_HEADING, t->text,
                (TextLayout){H_CENTER, V_MIDDLE, true});
        break;
    case SETUP_FAILED:
        ui_text(ui, "setup-failed", (SDL_Rect){in.x, in.y, in.w, in.h - t->touch_min - t->gap},
                failure(st->error, s->mode), TEXT_BODY, t->text, (TextLayout){H_LEFT, V_TOP, true});
        ui_button(ui, "setup-retry",
                  (SDL_Rect){in.x, in.y + in.h - t->touch_min, in.w / 2, t->touch_min},
                  _("Try again"), BUTTON_PRIMARY, screen_intent(INTENT_RETRY, 0));
        break;
    }
}

const ScreenClass SCREEN_SETUP_CLASS = {
    .id = SCREEN_SETUP,
    .draw_kiosk = draw,
    .draw_mirror = draw,
};
