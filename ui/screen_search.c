/* screen_search.c: search with the on-screen keyboard (a kiosk has no keyboard). Hits come
 * from the local catalog as the shopper types (after a short pause), by name, brand or
 * category, typed on the on-screen keyboard (screen_keyboard). */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screen.h"

/* A hit as one row: picture, name and category, price and where it is. */
static void hit_row(Ui *ui, const AppState *s, const ScreenEnv *env, const ProductCard *c,
                    SDL_Rect r, const char *id, Event action)
{
    const Theme *t = &ui->theme;
    Widget tile = {.id = id, .rect = r, .text = c->name, .enabled = true, .action = action};
    ui_add(ui, &WIDGET_TILE, &tile);
    int pad = theme_px(t, 12), img = r.h - 2 * pad;
    char nid[UI_ID_MAX], line[128];
    snprintf(nid, sizeof nid, "%.32s-image", id);
    screen_image(ui, env, c->image_url, (SDL_Rect){r.x + pad, r.y + pad, img, img}, nid);
    int price_w = theme_px(t, 180);
    int tx = r.x + 2 * pad + img, tw = r.x + r.w - pad * 2 - price_w - tx;
    snprintf(nid, sizeof nid, "%.32s-name", id);
    ui_text(ui, nid, (SDL_Rect){tx, r.y + pad, tw, r.h / 2 - pad}, c->name, TEXT_BODY, t->text,
            (TextLayout){H_LEFT, V_MIDDLE, false});
    const char *hint = screen_hint(c->hint);
    snprintf(line, sizeof line, "%s%s%s", screen_category(c->category), hint[0] ? " · " : "", hint);
    snprintf(nid, sizeof nid, "%.32s-detail", id);
    ui_text(ui, nid, (SDL_Rect){tx, r.y + r.h / 2, tw, r.h / 2 - pad}, line, TEXT_CAPTION,
            t->text_muted, (TextLayout){H_LEFT, V_MIDDLE, false});
    screen_money(line, sizeof line, s, c->price_cents, c->currency);
    snprintf(nid, sizeof nid, "%.32s-price", id);
    ui_text(ui, nid, (SDL_Rect){r.x + r.w - pad * 2 - price_w, r.y, price_w, r.h}, line,
            TEXT_HEADING, t->text, (TextLayout){H_RIGHT, V_MIDDLE, false});
}

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int W = ui->w, H = ui->h, M = t->margin;
    ui_begin_frame(ui, t->background);
    int top = screen_top_bar(ui, s, env, _("Search"));
    /* The field: what has been typed, with a caret. */
    int field_h = theme_px(t, 96);
    SDL_Rect field = {M, top, W - 2 * M, field_h};
    art_round_rect(ui->art, field, field_h / 2, t->surface, t->accent, theme_px(t, 3));
    int icon = field_h / 2;
    Widget ic = {.id = "search-icon",
                 .rect = {field.x + field_h / 3, field.y + (field_h - icon) / 2, icon, icon},
                 .icon = "search",
                 .color = t->text_muted,
                 .text = "",
                 .enabled = true};
    ui_add(ui, &WIDGET_IMAGE, &ic);
    char shown[VIEW_QUERY_MAX + 8];
    snprintf(shown, sizeof shown, "%s|", se->query);
    int tx = field.x + field_h / 3 + icon + theme_px(t, 20);
    ui_text(ui, "query", (SDL_Rect){tx, field.y, field.x + field.w - tx - field_h / 3, field_h},
            se->query[0] ? shown : _("Type a product, a brand or a category"), TEXT_HEADING,
            se->query[0] ? t->text : t->text_muted, (TextLayout){H_LEFT, V_MIDDLE, false});
    int kb_top =
        screen_keyboard(ui, H - M / 2 - (s->online || !s->central ? 0 : t->px[TEXT_CAPTION] * 2));
    SDL_Rect hits = {M, top + field_h + t->gap, W - 2 * M,
                     kb_top - t->gap - (top + field_h + t->gap)};
    if (!se->query[0]) {
        ui_text(ui, "search-hint", hits, _("Results appear as you type."), TEXT_BODY, t->text_muted,
                (TextLayout){H_CENTER, V_MIDDLE, false});
    } else if (se->search_state == LOAD_FAILED) {
        screen_status(ui, LOAD_FAILED, hits, "search", _("Search isn't available just now."));
    } else if (se->search_done[0] && se->search.count == 0 && se->search_state == LOAD_OK) {
        char line[160];
        snprintf(line, sizeof line, _("Nothing found for \"%s\". Try another word."),
                 se->search_done);
        ui_text(ui, "search-empty", hits, line, TEXT_BODY, t->text_muted,
                (TextLayout){H_CENTER, V_MIDDLE, true});
    } else {
        int cols = W > H ? 2 : 1, gap = theme_px(t, 16);
        int row_h = theme_px(t, 96);
        int rows = (hits.h + gap) / (row_h + gap);
        int cw = (hits.w - (cols - 1) * t->gap) / cols;
        for (int i = 0; i < se->search.count && i < rows * cols; i++) {
            char id[UI_ID_MAX];
            snprintf(id, sizeof id, "hit-%d", i);
            SDL_Rect r = {hits.x + (i / rows) * (cw + t->gap), hits.y + (i % rows) * (row_h + gap),
                          cw, row_h};
            hit_row(ui, s, env, &se->search.items[i], r, id,
                    screen_intent(INTENT_OPEN_PRODUCT, CARDS_SEARCH << 8 | i));
        }
    }
    screen_offline_line(ui, s);
}

const ScreenClass SCREEN_SEARCH_CLASS = {
    .id = SCREEN_SEARCH,
    .draw_kiosk = draw,
    .draw_mirror = draw,
};
