/* screen_browse.c: one category's products, a page of cards at a time, from the device's
 * local catalog (so it works offline). Each card says where the product is in stock. */
#include <stdio.h>

#include "i18n.h"
#include "screen.h"

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int W = ui->w, H = ui->h, M = t->margin;
    ui_begin_frame(ui, t->background);
    int top = screen_top_bar(ui, s, env, screen_category(se->category));
    int pager_h = t->touch_min;
    int bottom = H - M - pager_h - t->gap - (s->online || !s->central ? 0 : t->px[TEXT_CAPTION]);
    SDL_Rect grid = {M, top, W - 2 * M, bottom - top};
    if (se->browse_state != LOAD_OK) {
        screen_status(ui, se->browse_state, grid, "browse",
                      _("This category can't be shown just now."));
        screen_offline_line(ui, s);
        return;
    }
    if (se->browse.count == 0) {
        ui_text(ui, "browse-empty", grid, _("Nothing in this category at the moment."), TEXT_BODY,
                t->text_muted, (TextLayout){H_CENTER, V_MIDDLE, true});
        screen_offline_line(ui, s);
        return;
    }
    int cols = screen_columns(ui), rows = APP_PAGE_CARDS / cols, gap = t->gap;
    int cw = (grid.w - (cols - 1) * gap) / cols, ch = (grid.h - (rows - 1) * gap) / rows;
    int n = se->browse.count < APP_PAGE_CARDS ? se->browse.count : APP_PAGE_CARDS, lines = 1;
    for (int i = 0; i < n; i++) {
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "product-%d", i);
        SDL_Rect r = {grid.x + (i % cols) * (cw + gap), grid.y + (i / cols) * (ch + gap), cw, ch};
        if (i % cols == 0) /* a new row */
            lines =
                screen_card_name_lines(ui, &se->browse.items[i], n - i < cols ? n - i : cols, cw);
        screen_card(ui, s, env, &se->browse.items[i], r, lines, id,
                    screen_intent(INTENT_OPEN_PRODUCT, CARDS_BROWSE << 8 | i));
    }
    int pages = (se->browse.total + APP_PAGE_CARDS - 1) / APP_PAGE_CARDS;
    if (pages > 1) {
        int py = bottom + t->gap, bw = theme_px(t, 260);
        Widget prev = {.id = "page-prev",
                       .rect = {M, py, bw, pager_h},
                       .text = _("Previous"),
                       .role = TEXT_BUTTON,
                       .kind = BUTTON_SECONDARY,
                       .icon = "arrow-left",
                       .enabled = se->browse_page > 0,
                       .action = screen_intent(INTENT_PAGE, -1),
                       .layout = {H_CENTER, V_MIDDLE, false}};
        ui_add(ui, &WIDGET_BUTTON, &prev);
        Widget next = {.id = "page-next",
                       .rect = {W - M - bw, py, bw, pager_h},
                       .text = _("Next"),
                       .role = TEXT_BUTTON,
                       .kind = BUTTON_SECONDARY,
                       .icon = "chevron-right",
                       .enabled = se->browse_page + 1 < pages,
                       .action = screen_intent(INTENT_PAGE, 1),
                       .layout = {H_CENTER, V_MIDDLE, false}};
        ui_add(ui, &WIDGET_BUTTON, &next);
        char line[96];
        snprintf(line, sizeof line, _("Page %d of %d · %d products"), se->browse_page + 1, pages,
                 se->browse.total);
        ui_text(ui, "page", (SDL_Rect){M + bw, py, W - 2 * M - 2 * bw, pager_h}, line, TEXT_CAPTION,
                t->text_muted, (TextLayout){H_CENTER, V_MIDDLE, false});
    }
    screen_offline_line(ui, s);
}

const ScreenClass SCREEN_BROWSE_CLASS = {
    .id = SCREEN_BROWSE,
    .draw_kiosk = draw,
    .draw_mirror = draw,
};
