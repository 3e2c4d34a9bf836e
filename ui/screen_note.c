/* screen_note.c: the associate writes a note about the customer (associate mode only), on the
 * on-screen keyboard; Save keeps it at the central service with the associate's name. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screen.h"

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int W = ui->w, H = ui->h, M = t->margin;
    ui_begin_frame(ui, t->background);
    int top = screen_staff_strip(ui, s, M / 2);
    char text[CENTRAL_NOTE_TEXT_MAX + 160];
    int title_h = t->px[TEXT_HEADING] * 13 / 10, bh = t->touch_min;
    snprintf(text, sizeof text, _("A note about %s"),
             se->display_name[0] ? se->display_name : _("the customer"));
    int bw = theme_px(t, 260), gap = theme_px(t, 16);
    ui_text(ui, "title", (SDL_Rect){M, top, W - 2 * M - 2 * (bw + gap), bh}, text, TEXT_HEADING,
            t->text, (TextLayout){H_LEFT, V_MIDDLE, false});
    bool busy = se->note_state == LOAD_BUSY;
    ui_icon_button(ui, "note-save", (SDL_Rect){W - M - bw, top, bw, bh},
                   busy ? _("Saving…") : _("Save"), BUTTON_PRIMARY, "check", H_CENTER,
                   se->note_draft[0] && !busy && s->online, screen_intent(INTENT_SAVE_NOTE, 0));
    ui_button(ui, "note-cancel", (SDL_Rect){W - M - 2 * bw - gap, top, bw, bh}, _("Cancel"),
              BUTTON_SECONDARY, screen_intent(INTENT_BACK, 0));
    top += bh + gap;
    (void)title_h;
    int kb_top =
        screen_keyboard(ui, H - M / 2 - (s->online || !s->central ? 0 : t->px[TEXT_CAPTION] * 2));
    int cap_h = t->px[TEXT_CAPTION] * 15 / 10;
    SDL_Rect field = {M, top, W - 2 * M, kb_top - t->gap - cap_h - top};
    art_round_rect(ui->art, field, t->radius, t->surface, t->accent, theme_px(t, 3));
    int pad = theme_px(t, 28);
    snprintf(text, sizeof text, "%s|", se->note_draft);
    ui_text(ui, "note-text",
            (SDL_Rect){field.x + pad, field.y + pad, field.w - 2 * pad, field.h - 2 * pad},
            se->note_draft[0] ? text : _("Sizes tried, what they liked, what to show next time…"),
            TEXT_BODY, se->note_draft[0] ? t->text : t->text_muted,
            (TextLayout){H_LEFT, V_TOP, true});
    snprintf(text, sizeof text,
             _("%d of %d characters · kept with their profile, not on this screen"),
             (int)strlen(se->note_draft), CENTRAL_NOTE_TEXT_MAX);
    ui_text(ui, "note-count", (SDL_Rect){M, field.y + field.h + theme_px(t, 8), W - 2 * M, cap_h},
            text, TEXT_CAPTION, t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
    screen_offline_line(ui, s);
}

const ScreenClass SCREEN_NOTE_CLASS = {
    .id = SCREEN_NOTE,
    .draw_kiosk = draw,
    .draw_mirror = draw,
};
