/* screen_service.c: service mode, for the technician who gave the store's PIN. Sections down
 * the left: the device's status; live tests of the reader and the scanner (what the last tag
 * or line was, nothing acted on); the display's test pattern and a touch grid; the recent
 * log; and the factory reset, which asks twice. */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "i18n.h"
#include "log.h"
#include "screen.h"
#include "version.h"

static const char *section_name(ServiceSection s)
{
    switch (s) {
    case SERVICE_STATUS:
        return _("Status");
    case SERVICE_READER:
        return _("Card reader");
    case SERVICE_SCANNER:
        return _("Scanner");
    case SERVICE_DISPLAY:
        return _("Display");
    case SERVICE_LOGS:
        return _("Log");
    case SERVICE_RESET:
        return _("Factory reset");
    case SERVICE_SECTION_COUNT:
        break;
    }
    return "";
}

/* A label and its value: side by side on a wide panel, the label above on a narrow one (a
 * portrait screen), where a value such as the reader's connection string needs the width. */
static int row(Ui *ui, const char *id, const char *label, const char *value, SDL_Rect in, int y,
               SDL_Color c)
{
    const Theme *t = &ui->theme;
    int h = t->px[TEXT_BODY] * 16 / 10;
    char lid[48];
    snprintf(lid, sizeof lid, "%s-label", id);
    if (in.w < theme_px(t, 1100)) {
        int lh = t->px[TEXT_CAPTION] * 13 / 10, vh = t->px[TEXT_BODY] * 14 / 10;
        ui_text(ui, lid, (SDL_Rect){in.x, y, in.w, lh}, label, TEXT_CAPTION, t->text_muted,
                (TextLayout){H_LEFT, V_TOP, false});
        ui_text(ui, id, (SDL_Rect){in.x, y + lh, in.w, vh}, value, TEXT_BODY, c,
                (TextLayout){H_LEFT, V_TOP, false});
        return y + lh + vh + theme_px(t, 12);
    }
    ui_text(ui, lid, (SDL_Rect){in.x, y, in.w * 40 / 100, h}, label, TEXT_BODY, t->text_muted,
            (TextLayout){H_LEFT, V_MIDDLE, false});
    ui_text(ui, id, (SDL_Rect){in.x + in.w * 40 / 100, y, in.w * 60 / 100, h}, value, TEXT_BODY, c,
            (TextLayout){H_LEFT, V_MIDDLE, false});
    return y + h;
}

/* "Ends in N days", of a certificate. */
static void ends_in(char *out, size_t size, int64_t days)
{
    snprintf(out, size, ngettext("Ends in %lld day", "Ends in %lld days", (unsigned long)days),
             (long long)days);
}

static void status(Ui *ui, const AppState *s, const ScreenEnv *env, SDL_Rect in)
{
    const Theme *t = &ui->theme;
    const Service *sv = &s->service;
    char v[160], age[64];
    bool checked = sv->diag_state == LOAD_OK;
    int y = in.y;
    snprintf(v, sizeof v, "%s", KIOSK_VERSION);
    if (checked && sv->update[0])
        snprintf(v, sizeof v, "%s · %s", KIOSK_VERSION, sv->update);
    y = row(ui, "svc-version", _("Firmware"), v, in, y, t->text);
    if (!s->central)
        snprintf(v, sizeof v, "%s", _("Not configured"));
    else if (!checked)
        snprintf(v, sizeof v, "%s", _("Checking…"));
    else if (sv->reachable)
        snprintf(v, sizeof v, _("Reachable, %ld ms"), sv->latency_ms);
    else
        snprintf(v, sizeof v, "%s", _("Not reachable"));
    y = row(ui, "svc-central", _("Central service"), v, in, y,
            checked && s->central && !sv->reachable ? t->accent : t->text);
    if (checked && sv->certificate_days >= 0) {
        ends_in(v, sizeof v, sv->certificate_days);
        y = row(ui, "svc-tls", _("Service's certificate"), v, in, y,
                sv->certificate_days < 14 ? t->accent : t->text);
    }
    if (checked && sv->device_enrolled) { /* renewed by itself well before it ends */
        if (sv->device_certificate_days >= 0)
            ends_in(v, sizeof v, sv->device_certificate_days);
        else
            snprintf(v, sizeof v, "%s", _("Ended: enroll this device again"));
        y = row(ui, "svc-device-cert", _("This device's certificate"), v, in, y,
                sv->device_certificate_days < 14 ? t->accent : t->text);
    }
    format_age(age, sizeof age, s->last_sync, env->wall_s);
    y = row(ui, "svc-sync", _("Last catalog sync"), s->last_sync ? age : _("Never"), in, y,
            t->text);
    if (!s->heartbeat[0])
        snprintf(v, sizeof v, "%s", _("Not sent yet"));
    else if (strcmp(s->heartbeat, "ok") == 0)
        snprintf(v, sizeof v, "%s", _("Delivered"));
    else /* for a technician: the service's own reason, as the fleet view shows it */
        snprintf(v, sizeof v, _("Refused (%s)"), s->heartbeat);
    y = row(ui, "svc-heartbeat", _("Heartbeat"), v, in, y,
            strcmp(s->heartbeat, "ok") == 0 ? t->text : t->accent);
    snprintf(v, sizeof v, "%u", s->outbox_depth);
    y = row(ui, "svc-outbox", _("Orders to send"), v, in, y, s->outbox_depth ? t->accent : t->text);
    if (checked) {
        snprintf(v, sizeof v, _("%lld MB free (%d%%)"), (long long)(sv->free_bytes >> 20),
                 sv->free_percent);
        y = row(ui, "svc-storage", _("Storage"), v, in, y,
                sv->free_percent < 10 ? t->accent : t->text);
    }
    snprintf(v, sizeof v, "%lld", (long long)s->catalog_size);
    y = row(ui, "svc-catalog", _("Products stored"), v, in, y, t->text);
    row(ui, "svc-reader", _("Card reader"),
        !s->reader_present     ? _("Not configured")
        : !s->reader_connected ? _("Not answering")
        : s->reader_detail[0]  ? s->reader_detail
                               : _("Ready"),
        in, y, s->reader_present && !s->reader_connected ? t->accent : t->text);
}

static void live_test(Ui *ui, const char *id, const char *ask, int count, const char *last,
                      SDL_Rect in)
{
    const Theme *t = &ui->theme;
    char v[128], nid[48];
    int head_h = t->px[TEXT_HEADING] * 13 / 10;
    snprintf(nid, sizeof nid, "%s-ask", id);
    ui_text(ui, nid, (SDL_Rect){in.x, in.y, in.w, head_h}, ask, TEXT_HEADING, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    int y = in.y + head_h + t->gap / 2;
    snprintf(v, sizeof v, "%d", count);
    snprintf(nid, sizeof nid, "%s-count", id);
    y = row(ui, nid, _("Read so far"), v, in, y, t->text);
    snprintf(nid, sizeof nid, "%s-last", id);
    row(ui, nid, _("The last one"), count ? last : "-", in, y, count ? t->accent : t->text);
}

static void display_test(Ui *ui, const AppState *s, SDL_Rect in)
{
    const Theme *t = &ui->theme;
    static const SDL_Color bars[] = {{255, 255, 255, 255}, {255, 229, 0, 255}, {0, 200, 230, 255},
                                     {0, 190, 70, 255},    {220, 0, 200, 255}, {230, 30, 30, 255},
                                     {20, 40, 220, 255},   {0, 0, 0, 255}};
    int n = (int)(sizeof bars / sizeof bars[0]), bh = in.h / 5;
    for (int i = 0; i < n; i++)
        art_round_rect(ui->art, (SDL_Rect){in.x + i * in.w / n, in.y, in.w / n + 1, bh}, 0, bars[i],
                       bars[i], 0);
    art_round_rect(ui->art, (SDL_Rect){in.x, in.y, in.w, bh}, 0, (SDL_Color){0, 0, 0, 0},
                   t->outline, theme_px(t, 2)); /* the white bar's edge */
    int cols = 6, rows = APP_TOUCH_GRID / cols, gap = theme_px(t, 8);
    int gy = in.y + bh + t->gap / 2, gh = in.y + in.h - t->px[TEXT_BODY] * 2 - gy;
    int cw = (in.w - (cols - 1) * gap) / cols, ch = (gh - (rows - 1) * gap) / rows;
    char id[24];
    int touched = 0;
    for (int c = 0; c < APP_TOUCH_GRID; c++) {
        bool on = s->service.touched & (1u << c);
        touched += on;
        snprintf(id, sizeof id, "touch-%d", c);
        Widget cell = {.id = id,
                       .rect = {in.x + c % cols * (cw + gap), gy + c / cols * (ch + gap), cw, ch},
                       .text = "",
                       .role = TEXT_BUTTON,
                       .kind = BUTTON_KEY,
                       .enabled = true,
                       .action = screen_intent(INTENT_SERVICE_TOUCH, c),
                       .layout = {H_CENTER, V_MIDDLE, false}};
        ui_add(ui, &WIDGET_BUTTON, &cell);
        if (on) /* touched: filled, so a dead spot on the panel stands out */
            art_round_rect(ui->art, cell.rect, theme_px(t, 12), t->accent, t->accent, 0);
    }
    char v[96];
    snprintf(v, sizeof v, _("Touch every square: %d of %d"), touched, APP_TOUCH_GRID);
    ui_text(ui, "touch-count",
            (SDL_Rect){in.x, in.y + in.h - t->px[TEXT_BODY] * 2, in.w, t->px[TEXT_BODY] * 2}, v,
            TEXT_BODY, touched == APP_TOUCH_GRID ? t->accent : t->text_muted,
            (TextLayout){H_LEFT, V_MIDDLE, false});
}

/* The most recent lines that fit, oldest first; a line wider than the panel wraps onto a
 * second line rather than shrinking. */
static void logs(Ui *ui, SDL_Rect in)
{
    const Theme *t = &ui->theme;
    static LogLine lines[LOG_RECENT_LINES];                   /* UI thread only */
    static char text[LOG_RECENT_LINES][LOG_RECENT_TEXT + 64]; /* the same */
    int h = t->px[TEXT_CAPTION] * 14 / 10, fit = in.h / h;
    int n = log_recent(lines, fit < LOG_RECENT_LINES ? fit : LOG_RECENT_LINES);
    int first = n, used = 0, tw = 0, th = 0;
    bool wide[LOG_RECENT_LINES] = {false};
    for (int i = n - 1; i >= 0; i--) {
        snprintf(text[i], sizeof text[i], "%s %.15s: %s", log_level_name(lines[i].level),
                 lines[i].module, lines[i].text);
        text_measure(ui->text, text[i], t->weight[TEXT_CAPTION], t->px[TEXT_CAPTION], &tw, &th);
        wide[i] = tw > in.w;
        if (used + (wide[i] ? 2 : 1) * h > in.h)
            break;
        used += (wide[i] ? 2 : 1) * h;
        first = i;
    }
    char id[24];
    for (int i = first, y = in.y; i < n; i++) {
        snprintf(id, sizeof id, "log-%d", i - first);
        int lh = (wide[i] ? 2 : 1) * h;
        ui_text(ui, id, (SDL_Rect){in.x, y, in.w, lh}, text[i], TEXT_CAPTION,
                lines[i].level <= LOG_WARN ? t->accent : t->text,
                (TextLayout){H_LEFT, V_TOP, wide[i]});
        y += lh;
    }
}

static void reset(Ui *ui, const AppState *s, SDL_Rect in)
{
    const Theme *t = &ui->theme;
    int step = s->service.reset_step;
    static const char *const ask[] = {
        N_("A factory reset erases this device's identity (it must be enrolled again with a "
           "new code), its local store, its keys and its cached pictures, then starts it as "
           "new. Orders still waiting in the outbox would be lost."),
        N_("Are you sure? The identity, the local store, the keys and the pictures are erased."),
        N_("Last chance: erase everything now?")};
    ui_text(ui, "reset-text", (SDL_Rect){in.x, in.y, in.w, in.h - t->touch_min - t->gap},
            _(ask[step < 3 ? step : 2]), TEXT_BODY, step ? t->accent : t->text,
            (TextLayout){H_LEFT, V_TOP, true});
    int bw = (in.w - t->gap) / 2, by = in.y + in.h - t->touch_min;
    if (step > 0)
        ui_button(ui, "reset-keep", (SDL_Rect){in.x, by, bw, t->touch_min}, _("Keep everything"),
                  BUTTON_SECONDARY, screen_intent(INTENT_BACK, 0));
    static const char *const go[] = {N_("Factory reset…"), N_("Yes, erase"),
                                     N_("Erase everything now")};
    ui_button(ui, "reset-go", (SDL_Rect){in.x + bw + t->gap, by, bw, t->touch_min},
              _(go[step < 3 ? step : 2]), step ? BUTTON_PRIMARY : BUTTON_SECONDARY,
              screen_intent(INTENT_SERVICE_RESET, 0));
}

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Service *sv = &s->service;
    int W = ui->w, H = ui->h, M = t->margin;
    bool landscape = W > H;
    ui_begin_frame(ui, t->background);
    int bar = t->touch_min;
    char who[96];
    snprintf(who, sizeof who, _("Service mode · technician %.40s"), sv->technician);
    int done_w = theme_px(t, 220);
    ui_text(ui, "title", (SDL_Rect){M, M / 2, W - 2 * M - done_w - t->gap, bar}, who, TEXT_HEADING,
            t->text, (TextLayout){H_LEFT, V_MIDDLE, false});
    ui_button(ui, "service-done", (SDL_Rect){W - M - done_w, M / 2, done_w, bar}, _("Done"),
              BUTTON_PRIMARY, screen_intent(INTENT_SERVICE_EXIT, 0));
    int top = M / 2 + bar + t->gap;
    /* The sections: a column on a landscape screen, two rows of chips in portrait. */
    int gap = theme_px(t, 12);
    SDL_Rect body;
    char id[24];
    if (landscape) {
        int cw = theme_px(t, 340);
        for (int i = 0; i < SERVICE_SECTION_COUNT; i++) {
            snprintf(id, sizeof id, "section-%d", i);
            Widget chip = {.id = id,
                           .rect = {M, top + i * (bar + gap), cw, bar},
                           .text = section_name((ServiceSection)i),
                           .role = TEXT_BUTTON,
                           .kind = (int)sv->section == i ? BUTTON_CHIP_ON : BUTTON_CHIP,
                           .enabled = true,
                           .action = screen_intent(INTENT_SERVICE_SECTION, i),
                           .layout = {H_LEFT, V_MIDDLE, false}};
            ui_add(ui, &WIDGET_BUTTON, &chip);
        }
        body = (SDL_Rect){M + cw + t->gap, top, W - 2 * M - cw - t->gap, H - M / 2 - top};
    } else {
        int per = 3, cw = (W - 2 * M - (per - 1) * gap) / per;
        for (int i = 0; i < SERVICE_SECTION_COUNT; i++) {
            snprintf(id, sizeof id, "section-%d", i);
            Widget chip = {.id = id,
                           .rect = {M + i % per * (cw + gap), top + i / per * (bar + gap), cw, bar},
                           .text = section_name((ServiceSection)i),
                           .role = TEXT_BUTTON,
                           .kind = (int)sv->section == i ? BUTTON_CHIP_ON : BUTTON_CHIP,
                           .enabled = true,
                           .action = screen_intent(INTENT_SERVICE_SECTION, i),
                           .layout = {H_CENTER, V_MIDDLE, false}};
            ui_add(ui, &WIDGET_BUTTON, &chip);
        }
        int y = top + 2 * (bar + gap) + t->gap / 2;
        body = (SDL_Rect){M, y, W - 2 * M, H - M / 2 - y};
    }
    Widget card = {.id = "service-body", .rect = body, .enabled = true};
    ui_add(ui, &WIDGET_CARD, &card);
    int pad = theme_px(t, 32);
    SDL_Rect in = {body.x + pad, body.y + pad, body.w - 2 * pad, body.h - 2 * pad};
    switch (sv->section) {
    case SERVICE_STATUS:
        status(ui, s, env, in);
        break;
    case SERVICE_READER:
        live_test(ui, "reader-test", _("Hold a card, badge or garment tag to the reader."),
                  sv->taps, sv->last_tap, in);
        break;
    case SERVICE_SCANNER:
        live_test(ui, "scanner-test", _("Scan any code with the scanner."), sv->lines,
                  sv->last_line, in);
        break;
    case SERVICE_DISPLAY:
        display_test(ui, s, in);
        break;
    case SERVICE_LOGS:
        logs(ui, in);
        break;
    case SERVICE_RESET:
    case SERVICE_SECTION_COUNT:
        reset(ui, s, in);
        break;
    }
}

const ScreenClass SCREEN_SERVICE_CLASS = {
    .id = SCREEN_SERVICE,
    .draw_kiosk = draw,
    .draw_mirror = draw,
};
