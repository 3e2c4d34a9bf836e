/* screen_staff.c: associate mode's own screen. Who is signed in and where (and Lock), and
 * the ways to find the customer: their loyalty card on the reader, the app's code on this
 * screen, or the member code in their app under the scanner. */
#include <stdio.h>

#include "i18n.h"
#include "screen.h"

typedef struct Way {
    const char *id, *icon, *heading, *body;
} Way;

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    int W = ui->w, H = ui->h, M = t->margin;
    bool landscape = W > H;
    ui_begin_frame(ui, t->background);
    int top = screen_staff_strip(ui, s, M / 2);
    int title_h = t->px[TEXT_TITLE] * 13 / 10;
    ui_text(ui, "title", (SDL_Rect){M, top, W - 2 * M, title_h}, _("Who are you helping?"),
            TEXT_TITLE, t->text, (TextLayout){landscape ? H_LEFT : H_CENTER, V_TOP, false});
    top += title_h + theme_px(t, 8);
    ui_text(ui, "subtitle", (SDL_Rect){M, top, W - 2 * M, t->px[TEXT_BODY] * 14 / 10},
            _("Find the customer to see their sizes, history and notes."), TEXT_BODY, t->text_muted,
            (TextLayout){landscape ? H_LEFT : H_CENTER, V_TOP, false});
    top += t->px[TEXT_BODY] * 14 / 10 + t->gap;
    Way way[3];
    int n = 0;
    if (s->reader_present)
        way[n++] =
            (Way){"way-card", "nfc-card", _("Their loyalty card"), _("They tap it on the reader.")};
    if (s->pairing_available)
        way[n++] =
            (Way){"way-app", "phone-qr", _("Their app"), _("They scan this code with our app.")};
    way[n++] = (Way){"way-scanner", "scanner", _("Their member code"),
                     _("Scan the code in their app with the scanner.")};
    int bottom = H - M / 2 - (s->online || !s->central ? 0 : t->px[TEXT_CAPTION] * 2);
    int gap = t->gap;
    int cw = landscape ? (W - 2 * M - (n - 1) * gap) / n : W - 2 * M;
    int ch = landscape ? bottom - top : (bottom - top - (n - 1) * gap) / n;
    int pad = theme_px(t, 32);
    char id[UI_ID_MAX];
    for (int i = 0; i < n; i++) {
        SDL_Rect c = landscape ? (SDL_Rect){M + i * (cw + gap), top, cw, ch}
                               : (SDL_Rect){M, top + i * (ch + gap), cw, ch};
        Widget card = {.id = way[i].id, .rect = c, .enabled = true};
        ui_add(ui, &WIDGET_CARD, &card);
        int visual = landscape ? c.h * 45 / 100 : c.h - 2 * pad;
        if (visual > c.w - 2 * pad)
            visual = c.w - 2 * pad;
        SDL_Rect v = landscape ? (SDL_Rect){c.x + (c.w - visual) / 2, c.y + pad, visual, visual}
                               : (SDL_Rect){c.x + pad, c.y + pad, visual, visual};
        if (way[i].icon[0] == 'p') {
            Widget qr = {.id = "pairing-qr", .rect = v, .text = s->pairing.qr, .enabled = true};
            ui_add(ui, &WIDGET_QR, &qr);
        } else {
            art_circle(ui->art, v.x + visual / 2, v.y + visual / 2, visual / 2,
                       (SDL_Color){t->accent.r, t->accent.g, t->accent.b, 34});
            snprintf(id, sizeof id, "%s-icon", way[i].id);
            Widget icon = {
                .id = id,
                .rect = {v.x + visual / 5, v.y + visual / 5, visual * 3 / 5, visual * 3 / 5},
                .icon = way[i].icon,
                .color = t->primary,
                .text = "",
                .enabled = true};
            ui_add(ui, &WIDGET_IMAGE, &icon);
        }
        int head_h = t->px[TEXT_HEADING] * 13 / 10;
        SDL_Rect text =
            landscape ? (SDL_Rect){c.x + pad, v.y + visual + pad, c.w - 2 * pad,
                                   c.y + c.h - pad - (v.y + visual + pad)}
                      : (SDL_Rect){v.x + visual + pad, c.y + c.h / 2 - head_h,
                                   c.x + c.w - pad - (v.x + visual + pad), c.h / 2 + head_h - pad};
        snprintf(id, sizeof id, "%s-heading", way[i].id);
        ui_text(ui, id, (SDL_Rect){text.x, text.y, text.w, head_h}, way[i].heading, TEXT_HEADING,
                t->text, (TextLayout){landscape ? H_CENTER : H_LEFT, V_TOP, false});
        snprintf(id, sizeof id, "%s-body", way[i].id);
        ui_text(ui, id, (SDL_Rect){text.x, text.y + head_h, text.w, text.h - head_h}, way[i].body,
                TEXT_BODY, t->text_muted, (TextLayout){landscape ? H_CENTER : H_LEFT, V_TOP, true});
    }
    screen_offline_line(ui, s);
}

const ScreenClass SCREEN_STAFF_CLASS = {
    .id = SCREEN_STAFF,
    .draw_kiosk = draw,
    .draw_mirror = draw,
};
