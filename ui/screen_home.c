/* screen_home.c: the session's home. A member is greeted by name when the central service
 * has told us it (otherwise "Welcome back"), with their tier, points and a word about their
 * last purchase, then their recommendations (each with its reason and where it is in
 * stock), their offers and the categories. A guest sees the categories to browse. Names are
 * first names only: a passer-by may read the screen. */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "i18n.h"
#include "screen.h"

static void greeting(const AppState *s, char *out, size_t size)
{
    if (s->session.display_name[0])
        snprintf(out, size, _("Welcome back, %s"), s->session.display_name);
    else
        snprintf(out, size, "%s", _("Welcome back"));
}

static void standing(const AppState *s, char *out, size_t size)
{
    const char *tier = screen_tier(s->session.tier);
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

/* The shelf of category chips ("Shop by category"), wrapping onto a second row. */
static int category_chips(Ui *ui, const AppState *s, SDL_Rect area)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int gap = theme_px(t, 16), h = t->touch_min;
    int x = area.x, y = area.y;
    int per_row = ui->w > ui->h ? 4 : 2;
    int w = (area.w - (per_row - 1) * gap) / per_row;
    for (int i = 0; i < se->category_count; i++) {
        if (i > 0 && i % per_row == 0) {
            x = area.x;
            y += h + gap;
        }
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "category-%.30s", se->categories[i]);
        Widget c = {.id = id,
                    .rect = {x, y, w, h},
                    .text = screen_category(se->categories[i]),
                    .role = TEXT_BUTTON,
                    .kind = BUTTON_SECONDARY,
                    .icon = "chevron-right",
                    .enabled = true,
                    .action = screen_intent(INTENT_OPEN_CATEGORY, i),
                    .layout = {H_CENTER, V_MIDDLE, false}};
        ui_add(ui, &WIDGET_BUTTON, &c);
        x += w + gap;
    }
    return se->category_count ? y + h : area.y;
}

static void offer_tiles(Ui *ui, const AppState *s, const ScreenEnv *env, SDL_Rect area)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int head_h = t->px[TEXT_HEADING] * 13 / 10;
    ui_text(ui, "offers-title", (SDL_Rect){area.x, area.y, area.w, head_h}, _("Your offers"),
            TEXT_HEADING, t->text, (TextLayout){H_LEFT, V_TOP, false});
    int y = area.y + head_h + theme_px(t, 12);
    int gap = theme_px(t, 16);
    int n = se->offers.count < 3 ? se->offers.count : 3;
    if (se->offers_state != LOAD_OK || n == 0) {
        if (se->offers_state == LOAD_OK || se->offers_state == LOAD_NONE)
            ui_text(ui, "offers-none", (SDL_Rect){area.x, y, area.w, t->px[TEXT_BODY] * 28 / 10},
                    _("No offers right now. New ones arrive in your app."), TEXT_BODY,
                    t->text_muted, (TextLayout){H_LEFT, V_TOP, true});
        else
            screen_status(ui, se->offers_state, (SDL_Rect){area.x, y, area.w, area.h / 2}, "offers",
                          _("Your offers can't be shown just now."));
        return;
    }
    int tile_h = theme_px(t, 150);
    while (n > 1 && y + n * tile_h + (n - 1) * gap > area.y + area.h)
        n--; /* the rest wait in the app and at checkout */
    if (tile_h > area.y + area.h - y)
        tile_h = area.y + area.h - y;
    for (int i = 0; i < n; i++) {
        const OfferView *o = &se->offers.items[i];
        char id[UI_ID_MAX], line[256];
        snprintf(id, sizeof id, "offer-%d", i);
        SDL_Rect r = {area.x, y, area.w, tile_h};
        Widget tile = {.id = id,
                       .rect = r,
                       .text = o->title,
                       .enabled = o->product_id[0] != '\0',
                       .action = screen_intent(INTENT_OPEN_PRODUCT, CARDS_OFFERS << 8 | i)};
        ui_add(ui, &WIDGET_TILE, &tile);
        int pad = theme_px(t, 20), icon = theme_px(t, 56);
        Widget ic = {.id = "offer-icon",
                     .rect = {r.x + pad, r.y + pad, icon, icon},
                     .icon = "gift",
                     .color = t->accent,
                     .text = "",
                     .enabled = true};
        ui_add(ui, &WIDGET_IMAGE, &ic);
        int tx = r.x + pad * 2 + icon, tw = r.x + r.w - pad - tx;
        snprintf(id, sizeof id, "offer-%d-title", i);
        int title_h = r.h - 2 * pad - t->px[TEXT_CAPTION] * 14 / 10;
        char title[256];
        screen_offer_title(title, sizeof title, s, o);
        ui_text(ui, id, (SDL_Rect){tx, r.y + pad, tw, title_h}, title, TEXT_BODY, t->text,
                (TextLayout){H_LEFT, V_TOP, true});
        char date[64] = "";
        format_date(date, sizeof date, o->expires_at, app_language(s));
        if (o->code[0] && date[0])
            snprintf(line, sizeof line, _("Code %s · until %s"), o->code, date);
        else if (o->code[0])
            snprintf(line, sizeof line, _("Code %s"), o->code);
        else
            snprintf(line, sizeof line, "%s", _("Applied at checkout"));
        snprintf(id, sizeof id, "offer-%d-how", i);
        ui_text(ui, id, (SDL_Rect){tx, r.y + pad + title_h, tw, r.h - 2 * pad - title_h}, line,
                TEXT_CAPTION, t->text_muted, (TextLayout){H_LEFT, V_BOTTOM, false});
        y += tile_h + gap;
    }
    (void)env;
}

static void recommendations(Ui *ui, const AppState *s, const ScreenEnv *env, SDL_Rect area)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int head_h = t->px[TEXT_HEADING] * 13 / 10;
    ui_text(ui, "recs-title", (SDL_Rect){area.x, area.y, area.w, head_h},
            se->recs_on_device ? _("You might like") : _("Picked for you"), TEXT_HEADING, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    SDL_Rect body = {area.x, area.y + head_h + theme_px(t, 12), area.w,
                     area.h - head_h - theme_px(t, 12)};
    if (se->recs_state != LOAD_OK) {
        screen_status(ui, se->recs_state, body, "recs",
                      _("Your picks can't be shown just now. Browse by category below."));
        return;
    }
    if (se->recs.count == 0) {
        ui_text(ui, "recs-none", body, _("Have a look around: browse by category below."),
                TEXT_BODY, t->text_muted, (TextLayout){H_LEFT, V_TOP, true});
        return;
    }
    bool landscape = ui->w > ui->h;
    int cols = landscape ? 3 : 2, rows = landscape ? 1 : 2, gap = t->gap;
    int cw = (body.w - (cols - 1) * gap) / cols;
    int ch = (body.h - (rows - 1) * gap) / rows;
    int n = se->recs.count < cols * rows ? se->recs.count : cols * rows, lines = 1;
    for (int i = 0; i < n; i++) {
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "rec-%d", i);
        SDL_Rect r = {body.x + (i % cols) * (cw + gap), body.y + (i / cols) * (ch + gap), cw, ch};
        if (i % cols == 0) /* a new row */
            lines = screen_card_name_lines(ui, &se->recs.items[i], n - i < cols ? n - i : cols, cw);
        screen_card(ui, s, env, &se->recs.items[i], r, lines, id,
                    screen_intent(INTENT_OPEN_PRODUCT, CARDS_RECS << 8 | i));
    }
}

static void draw_member(Ui *ui, const AppState *s, const ScreenEnv *env, int top)
{
    const Theme *t = &ui->theme;
    int W = ui->w, H = ui->h, M = t->margin;
    bool landscape = W > H;
    char line[256];
    greeting(s, line, sizeof line);
    int head_h = t->px[TEXT_TITLE] * 13 / 10;
    ui_text(ui, "greeting", (SDL_Rect){M, top, W - 2 * M, head_h}, line, TEXT_TITLE, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    int y = top + head_h;
    standing(s, line, sizeof line);
    char last[256];
    last_purchase(s, last, sizeof last);
    char both[600];
    if (last[0] && landscape)
        snprintf(both, sizeof both, "%s  ·  %s", line, last);
    else
        snprintf(both, sizeof both, "%s", line);
    int sub_h = t->px[TEXT_BODY] * 14 / 10;
    ui_text(ui, "standing", (SDL_Rect){M, y, W - 2 * M, sub_h}, both, TEXT_BODY, t->text_muted,
            (TextLayout){H_LEFT, V_TOP, false});
    y += sub_h + theme_px(t, 30);
    int chips_rows = landscape ? 2 : 4;
    int chips_h = chips_rows * t->touch_min + (chips_rows - 1) * theme_px(t, 16);
    int cats_y = H - M - chips_h - (s->online || !s->central ? 0 : t->px[TEXT_CAPTION]);
    int content_bottom = cats_y - t->gap;
    if (landscape) {
        int offers_w = theme_px(t, 500);
        recommendations(ui, s, env,
                        (SDL_Rect){M, y, W - 2 * M - offers_w - t->gap, content_bottom - y});
        offer_tiles(ui, s, env, (SDL_Rect){W - M - offers_w, y, offers_w, content_bottom - y});
    } else {
        int recs_h = (content_bottom - y) * 64 / 100;
        recommendations(ui, s, env, (SDL_Rect){M, y, W - 2 * M, recs_h});
        offer_tiles(
            ui, s, env,
            (SDL_Rect){M, y + recs_h + t->gap, W - 2 * M, content_bottom - y - recs_h - t->gap});
    }
    category_chips(ui, s, (SDL_Rect){M, cats_y, W - 2 * M, chips_h});
}

static void draw_guest(Ui *ui, const AppState *s, const ScreenEnv *env, int top)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int W = ui->w, H = ui->h, M = t->margin;
    int head_h = t->px[TEXT_TITLE] * 13 / 10;
    ui_text(ui, "greeting", (SDL_Rect){M, top, W - 2 * M, head_h}, _("Have a look around"),
            TEXT_TITLE, t->text, (TextLayout){H_LEFT, V_TOP, false});
    int y = top + head_h;
    int sub_h = t->px[TEXT_BODY] * (W > H ? 14 : 28) / 10;
    ui_text(ui, "standing", (SDL_Rect){M, y, W - 2 * M, sub_h},
            _("Find a product, check what's in stock here and nearby. Sign in to order."),
            TEXT_BODY, t->text_muted, (TextLayout){H_LEFT, V_TOP, true});
    y += sub_h + theme_px(t, 40);
    SDL_Rect body = {M, y, W - 2 * M, H - M - y};
    if (se->categories_state != LOAD_OK || se->category_count == 0) {
        screen_status(ui, se->categories_state == LOAD_OK ? LOAD_FAILED : se->categories_state,
                      body, "categories",
                      _("Our catalog is on its way to this screen. Try again in a minute."));
        return;
    }
    int cols = W > H ? 4 : 2, gap = t->gap;
    int rows = (se->category_count + cols - 1) / cols;
    int tw = (body.w - (cols - 1) * gap) / cols;
    int th = (body.h - (rows - 1) * gap) / rows;
    if (th > theme_px(t, 260))
        th = theme_px(t, 260);
    for (int i = 0; i < se->category_count; i++) {
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "category-%.30s", se->categories[i]);
        SDL_Rect r = {body.x + (i % cols) * (tw + gap), body.y + (i / cols) * (th + gap), tw, th};
        Widget tile = {.id = id,
                       .rect = r,
                       .text = screen_category(se->categories[i]),
                       .enabled = true,
                       .action = screen_intent(INTENT_OPEN_CATEGORY, i)};
        ui_add(ui, &WIDGET_TILE, &tile);
        int pad = theme_px(t, 28), icon = theme_px(t, 64);
        art_circle(ui->art, r.x + pad + icon / 2, r.y + pad + icon / 2, icon / 2 + theme_px(t, 10),
                   (SDL_Color){t->accent.r, t->accent.g, t->accent.b, 34});
        Widget ic = {
            .id = "category-icon",
            .rect = {r.x + pad + icon / 8, r.y + pad + icon / 8, icon * 3 / 4, icon * 3 / 4},
            .icon = "tag",
            .color = t->accent,
            .text = "",
            .enabled = true};
        ui_add(ui, &WIDGET_IMAGE, &ic);
        snprintf(id, sizeof id, "category-%.30s-name", se->categories[i]);
        ui_text(ui, id,
                (SDL_Rect){r.x + pad, r.y + r.h - pad - t->px[TEXT_HEADING] * 13 / 10,
                           r.w - 2 * pad, t->px[TEXT_HEADING] * 13 / 10},
                screen_category(se->categories[i]), TEXT_HEADING, t->text,
                (TextLayout){H_LEFT, V_BOTTOM, false});
    }
    (void)env;
}

static void draw_kiosk(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    ui_begin_frame(ui, ui->theme.background);
    int top = screen_top_bar(ui, s, env, NULL);
    if (s->session.member_id[0])
        draw_member(ui, s, env, top);
    else
        draw_guest(ui, s, env, top);
    screen_offline_line(ui, s);
}

/* The mirror: the glass stays clear; below, the greeting, how the mirror works (a garment's
 * tag), and three picks for them. A guest gets the tag hint and the categories' way in. */
static void draw_mirror(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    int W = ui->w, H = ui->h, M = t->margin;
    ui_begin_frame(ui, t->background);
    int y = screen_top_bar(ui, s, env, NULL);
    char line[256];
    int head_h = t->px[TEXT_TITLE] * 13 / 10, body_h = t->px[TEXT_BODY] * 14 / 10;
    if (se->member_id[0]) {
        greeting(s, line, sizeof line);
        ui_text(ui, "greeting", (SDL_Rect){M, y, W - 2 * M, head_h}, line, TEXT_TITLE, t->text,
                (TextLayout){H_LEFT, V_TOP, false});
        y += head_h;
        standing(s, line, sizeof line);
        ui_text(ui, "standing", (SDL_Rect){M, y, W - 2 * M, body_h}, line, TEXT_BODY, t->text_muted,
                (TextLayout){H_LEFT, V_TOP, false});
        y += body_h;
        last_purchase(s, line, sizeof line);
        if (line[0]) {
            ui_text(ui, "last-purchase", (SDL_Rect){M, y, W - 2 * M, body_h * 2}, line, TEXT_BODY,
                    t->text, (TextLayout){H_LEFT, V_TOP, true});
            y += body_h * 2;
        }
    } else {
        ui_text(ui, "greeting", (SDL_Rect){M, y, W - 2 * M, head_h}, _("Try it on, see it all"),
                TEXT_TITLE, t->text, (TextLayout){H_LEFT, V_TOP, false});
        y += head_h;
    }
    y += t->gap / 2;
    /* How the mirror works: a garment's tag. */
    int icon = t->touch_min;
    Widget ic = {.id = "tag-hint-icon",
                 .rect = {M, y, icon, icon},
                 .icon = "tag",
                 .color = t->accent,
                 .text = "",
                 .enabled = true};
    ui_add(ui, &WIDGET_IMAGE, &ic);
    ui_text(ui, "tag-hint",
            (SDL_Rect){M + icon + t->gap / 2, y, W - 2 * M - icon - t->gap / 2, body_h * 2},
            _("Hold a garment's tag to the reader to see its sizes, colours and stock."), TEXT_BODY,
            t->text, (TextLayout){H_LEFT, V_MIDDLE, true});
    y += body_h * 2 + t->gap;
    int bottom = H - M / 2 - (s->online || !s->central ? 0 : t->px[TEXT_CAPTION] * 2);
    if (se->member_id[0] && se->recs_state == LOAD_OK && se->recs.count > 0) {
        int cap_h = t->px[TEXT_CAPTION] * 16 / 10;
        ui_text(ui, "recs-title", (SDL_Rect){M, y, W - 2 * M, cap_h}, _("Picked for you"),
                TEXT_CAPTION, t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
        y += cap_h;
        int n = se->recs.count < 3 ? se->recs.count : 3, gap = theme_px(t, 16);
        int cw = (W - 2 * M - 2 * gap) / 3;
        int lines = screen_card_name_lines(ui, se->recs.items, n, cw);
        for (int i = 0; i < n; i++) {
            char id[UI_ID_MAX];
            snprintf(id, sizeof id, "rec-%d", i);
            screen_card(ui, s, env, &se->recs.items[i],
                        (SDL_Rect){M + i * (cw + gap), y, cw, bottom - y}, lines, id,
                        screen_intent(INTENT_OPEN_PRODUCT, CARDS_RECS << 8 | i));
        }
    } else if (se->member_id[0]) {
        screen_status(ui, se->recs_state, (SDL_Rect){M, y, W - 2 * M, bottom - y}, "recs",
                      _("Your picks can't be shown just now."));
    }
    screen_offline_line(ui, s);
}

const ScreenClass SCREEN_HOME_CLASS = {
    .id = SCREEN_HOME,
    .draw_kiosk = draw_kiosk,
    .draw_mirror = draw_mirror,
};
