/* screen_product.c: one product. Its picture, name and price; its colours and sizes (the
 * member's size chosen for them when known; sizes out of stock everywhere are shown faded,
 * not hidden); and for the chosen variant, where to get it: this store first ("only 2
 * left"), then the nearest stores with their distance, then online with the ship-to-home
 * estimate, each figure with its age. Add to bag, or continue on the phone. */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "i18n.h"
#include "screen.h"

static SDL_Color hex_colour(const char *hex, SDL_Color fallback)
{
    unsigned r, g, b;
    if (!hex || sscanf(hex, "#%02x%02x%02x", &r, &g, &b) != 3)
        return fallback;
    return (SDL_Color){(Uint8)r, (Uint8)g, (Uint8)b, 255};
}

static void qty_text(char *out, size_t size, int qty)
{
    if (qty < 0)
        snprintf(out, size, "%s", _("Not known"));
    else if (qty == 0)
        snprintf(out, size, "%s", _("Out of stock"));
    else if (qty <= APP_LOW_STOCK)
        snprintf(out, size, ngettext("Only %d left", "Only %d left", (unsigned long)qty), qty);
    else
        snprintf(out, size, _("%d in stock"), qty);
}

/* Returns the bottom of what it drew. */
static int variant_chips(Ui *ui, const AppState *s, SDL_Rect area)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    const ProductDetail *p = &se->product;
    int firsts[VIEW_VARIANTS_MAX];
    int colours = app_colours(p, firsts, VIEW_VARIANTS_MAX);
    int gap = theme_px(t, 12), h = t->touch_min;
    int label_h = t->px[TEXT_CAPTION] * 15 / 10;
    int y = area.y;
    char line[160], id[UI_ID_MAX];
    if (colours > 1 || (colours == 1 && p->variants[0].colour[0])) {
        snprintf(line, sizeof line, _("Colour: %s"), p->variants[firsts[se->colour]].colour);
        ui_text(ui, "colour-label", (SDL_Rect){area.x, y, area.w, label_h}, line, TEXT_CAPTION,
                t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
        y += label_h;
        /* Room for the swatch and the colour's name on each chip. */
        int per_row = area.w >= theme_px(t, 1200) ? 4 : 3, x = area.x;
        int w = (area.w - (per_row - 1) * gap) / per_row;
        for (int c = 0; c < colours && c < 2 * per_row; c++) {
            if (c == per_row) {
                x = area.x;
                y += h + gap;
            }
            const VariantView *v = &p->variants[firsts[c]];
            snprintf(id, sizeof id, "colour-%d", c);
            Widget chip = {.id = id,
                           .rect = {x, y, w, h},
                           .text = v->colour,
                           .role = TEXT_CAPTION,
                           .kind = c == se->colour ? BUTTON_CHIP_ON : BUTTON_CHIP,
                           .enabled = true,
                           .action = screen_intent(INTENT_COLOUR, c),
                           .layout = {H_CENTER, V_MIDDLE, false}};
            ui_add(ui, &WIDGET_BUTTON, &chip);
            /* the swatch, at the chip's left end */
            int sw = h / 3;
            art_circle(ui->art, x + h / 2, y + h / 2, sw / 2 + 2, t->outline);
            art_circle(ui->art, x + h / 2, y + h / 2, sw / 2,
                       hex_colour(v->colour_hex, t->surface));
            x += w + gap;
        }
        y += h + gap * 2;
    }
    const char *colour = p->variants[firsts[se->colour]].colour;
    int sizes = 0;
    size_t longest = 0;
    for (int i = 0; i < p->variant_count; i++) {
        if (strcmp(p->variants[i].colour, colour) != 0 || !p->variants[i].size[0])
            continue;
        sizes++;
        if (strlen(p->variants[i].size) > longest)
            longest = strlen(p->variants[i].size);
    }
    if (sizes == 0)
        return y;
    ui_text(ui, "size-label", (SDL_Rect){area.x, y, area.w, label_h}, _("Size"), TEXT_CAPTION,
            t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
    y += label_h;
    int per_row = area.w / (theme_px(t, 118) + gap);
    if (per_row < 4)
        per_row = 4;
    /* Short sizes (shoe sizes, S M L) all on one row when narrower chips still hold them. */
    if (sizes > per_row && longest <= 2 && sizes <= area.w / (theme_px(t, 96) + gap))
        per_row = sizes;
    int w = (area.w - (per_row - 1) * gap) / per_row, x = area.x, n = 0;
    for (int i = 0; i < p->variant_count; i++) {
        const VariantView *v = &p->variants[i];
        if (strcmp(v->colour, colour) != 0 || !v->size[0])
            continue;
        if (n > 0 && n % per_row == 0) {
            x = area.x;
            y += h + gap;
        }
        bool available = app_variant_available(&se->stock, v->id);
        snprintf(id, sizeof id, "size-%s", v->size);
        Widget chip = {.id = id,
                       .rect = {x, y, w, h},
                       .text = v->size,
                       .role = TEXT_BUTTON,
                       .kind = i == se->variant ? BUTTON_CHIP_ON : BUTTON_CHIP,
                       .enabled = available,
                       .action = screen_intent(INTENT_SIZE, i),
                       .layout = {H_CENTER, V_MIDDLE, false}};
        ui_add(ui, &WIDGET_BUTTON, &chip);
        if (!available) /* struck through: there, but none to be had */
            art_round_rect(ui->art, (SDL_Rect){x + w / 5, y + h / 2 - 1, w * 3 / 5, 3}, 1,
                           t->text_muted, t->text_muted, 0);
        x += w + gap;
        n++;
    }
    return y + h + gap * 2;
}

static void stock_rows(Ui *ui, const AppState *s, const ScreenEnv *env, SDL_Rect area)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    const StockView *st = &se->stock;
    int head_h = t->px[TEXT_HEADING] * 13 / 10;
    char line[256], age[64], id[UI_ID_MAX];
    ui_text(ui, "stock-title", (SDL_Rect){area.x, area.y, area.w / 2, head_h}, _("Where to get it"),
            TEXT_HEADING, t->text, (TextLayout){H_LEFT, V_TOP, false});
    if (se->stock_state == LOAD_OK) {
        /* live: when the service answered; saved: when this screen last synced */
        format_age(age, sizeof age, st->live ? st->as_of : s->last_sync, env->wall_s);
        snprintf(line, sizeof line,
                 st->live ? _("Live · updated %s") : _("Saved on this screen · %s"), age);
        ui_text(ui, "stock-fresh", (SDL_Rect){area.x + area.w / 2, area.y, area.w / 2, head_h},
                line, TEXT_CAPTION, t->text_muted, (TextLayout){H_RIGHT, V_MIDDLE, false});
    }
    SDL_Rect body = {area.x, area.y + head_h + theme_px(t, 8), area.w,
                     area.h - head_h - theme_px(t, 8)};
    if (se->stock_state != LOAD_OK) {
        screen_status(ui, se->stock_state, body, "stock", _("Stock can't be checked just now."));
        return;
    }
    if (se->variant < 0) {
        ui_text(ui, "stock-choose", body, _("Choose a size to see where it's in stock."), TEXT_BODY,
                t->text_muted, (TextLayout){H_LEFT, V_TOP, true});
        return;
    }
    const char *variant = se->product.variants[se->variant].id;
    int row_h = t->px[TEXT_BODY] * 15 / 10;
    int rows = body.h / row_h;
    /* Always the online warehouse, in the last row, if it is there. */
    int online = -1;
    for (int l = 0; l < st->location_count; l++)
        if (st->locations[l].online)
            online = l;
    int shown = 0;
    for (int l = 0; l < st->location_count && shown < rows; l++) {
        const LocationStock *loc = &st->locations[l];
        if (loc->online || (online >= 0 && shown == rows - 1))
            continue;
        int qty = app_stock_qty(st, loc, variant);
        int y = body.y + shown * row_h;
        snprintf(id, sizeof id, "stock-%.30s", loc->store);
        if (loc->here)
            snprintf(line, sizeof line, _("Here, %s"), loc->name);
        else
            snprintf(line, sizeof line, "%s", loc->name);
        ui_text(ui, id, (SDL_Rect){area.x, y, area.w * 42 / 100, row_h}, line, TEXT_BODY, t->text,
                (TextLayout){H_LEFT, V_MIDDLE, false});
        if (loc->has_distance && !loc->here) {
            format_distance(line, sizeof line, loc->distance_km, app_language(s));
            snprintf(id, sizeof id, "stock-%.30s-distance", loc->store);
            ui_text(ui, id, (SDL_Rect){area.x + area.w * 42 / 100, y, area.w * 14 / 100, row_h},
                    line, TEXT_CAPTION, t->text_muted, (TextLayout){H_LEFT, V_MIDDLE, false});
        }
        qty_text(line, sizeof line, qty);
        snprintf(id, sizeof id, "stock-%.30s-qty", loc->store);
        ui_text(ui, id, (SDL_Rect){area.x + area.w * 56 / 100, y, area.w * 24 / 100, row_h}, line,
                TEXT_BODY, qty > 0 && qty <= APP_LOW_STOCK ? t->accent : t->text,
                (TextLayout){H_LEFT, V_MIDDLE, false});
        int vi = -1;
        for (int k = 0; k < st->variant_count; k++)
            if (strcmp(st->variants[k], variant) == 0)
                vi = k;
        format_age(age, sizeof age, vi >= 0 ? loc->updated_at[vi] : 0, env->wall_s);
        snprintf(id, sizeof id, "stock-%.30s-age", loc->store);
        ui_text(ui, id, (SDL_Rect){area.x + area.w * 80 / 100, y, area.w * 20 / 100, row_h}, age,
                TEXT_CAPTION, t->text_muted, (TextLayout){H_RIGHT, V_MIDDLE, false});
        shown++;
    }
    if (online >= 0 && shown < rows) {
        const LocationStock *loc = &st->locations[online];
        int qty = app_stock_qty(st, loc, variant);
        int y = body.y + shown * row_h;
        ui_text(ui, "stock-online", (SDL_Rect){area.x, y, area.w * 50 / 100, row_h},
                _("Online, delivered to you"), TEXT_BODY, t->text,
                (TextLayout){H_LEFT, V_MIDDLE, false});
        char dates[128] = "";
        format_date_range(dates, sizeof dates, loc->delivery_earliest, loc->delivery_latest,
                          app_language(s));
        if (qty > 0 && dates[0])
            snprintf(line, sizeof line, _("Arrives %s"), dates);
        else
            qty_text(line, sizeof line, qty);
        ui_text(ui, "stock-online-qty",
                (SDL_Rect){area.x + area.w * 50 / 100, y, area.w * 50 / 100, row_h}, line,
                TEXT_BODY, t->text, (TextLayout){H_RIGHT, V_MIDDLE, false});
    }
}

/* Returns the bottom of the buttons: side by side, or stacked on a narrow screen. */
static int actions(Ui *ui, const AppState *s, SDL_Rect r)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    bool can_add =
        se->variant >= 0 && app_variant_available(&se->stock, se->product.variants[se->variant].id);
    int gap = theme_px(t, 16);
    bool stacked = ui->w < ui->h;
    int bw = s->central && !stacked ? (r.w - gap) * 55 / 100 : r.w;
    Widget add = {.id = "add-to-bag",
                  .rect = {r.x, r.y, bw, r.h},
                  .text = se->variant < 0 ? _("Choose a size") : _("Add to bag"),
                  .role = TEXT_BUTTON,
                  .kind = BUTTON_PRIMARY,
                  .icon = "bag",
                  .enabled = can_add,
                  .action = screen_intent(INTENT_ADD_TO_CART, 0),
                  .layout = {H_CENTER, V_MIDDLE, false}};
    ui_add(ui, &WIDGET_BUTTON, &add);
    if (s->central) {
        SDL_Rect pr = stacked ? (SDL_Rect){r.x, r.y + r.h + gap, r.w, r.h}
                              : (SDL_Rect){r.x + bw + gap, r.y, r.w - bw - gap, r.h};
        ui_icon_button(ui, "handoff", pr, _("Send to my phone"), BUTTON_SECONDARY, "phone-qr",
                       H_CENTER, s->online, screen_intent(INTENT_HANDOFF, 0));
        return pr.y + pr.h;
    }
    return r.y + r.h;
}

static void draw(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    const ProductDetail *p = &se->product;
    int W = ui->w, H = ui->h, M = t->margin;
    bool landscape = W > H;
    ui_begin_frame(ui, t->background);
    int top = screen_top_bar(ui, s, env, p->category[0] ? screen_category(p->category) : NULL);
    int bottom = H - M / 2 - (s->online || !s->central ? 0 : t->px[TEXT_CAPTION] * 2);
    if (se->product_state != LOAD_OK) {
        screen_status(ui, se->product_state, (SDL_Rect){M, top, W - 2 * M, bottom - top}, "product",
                      _("This product can't be shown just now."));
        screen_offline_line(ui, s);
        return;
    }
    const char *image = se->variant >= 0 && p->variants[se->variant].image_url[0]
                            ? p->variants[se->variant].image_url
                            : p->image_url;
    SDL_Rect col;
    if (landscape) {
        int side = bottom - top;
        if (side > W * 36 / 100)
            side = W * 36 / 100;
        screen_image(ui, env, image, (SDL_Rect){M, top, side, side}, "product-image");
        col = (SDL_Rect){M + side + t->gap * 2, top, W - M - (M + side + t->gap * 2), bottom - top};
    } else {
        int side = H * 30 / 100;
        screen_image(ui, env, image, (SDL_Rect){(W - side) / 2, top, side, side}, "product-image");
        col = (SDL_Rect){M, top + side + t->gap, W - 2 * M, bottom - top - side - t->gap};
    }
    int y = col.y;
    int cap_h = t->px[TEXT_CAPTION] * 14 / 10;
    ui_text(ui, "brand", (SDL_Rect){col.x, y, col.w, cap_h}, p->brand, TEXT_CAPTION, t->text_muted,
            (TextLayout){H_LEFT, V_TOP, false});
    y += cap_h;
    int name_h = t->px[TEXT_TITLE] * 12 / 10;
    ui_text(ui, "name", (SDL_Rect){col.x, y, col.w, name_h}, p->name, TEXT_TITLE, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    y += name_h + theme_px(t, 4);
    char price[64];
    int64_t cents = se->variant >= 0 && p->variants[se->variant].price_cents > 0
                        ? p->variants[se->variant].price_cents
                        : p->price_cents;
    screen_money(price, sizeof price, s, cents, p->currency);
    int price_h = t->px[TEXT_HEADING] * 13 / 10;
    ui_text(ui, "price", (SDL_Rect){col.x, y, col.w, price_h}, price, TEXT_HEADING, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    y += price_h + theme_px(t, 20);
    y = variant_chips(ui, s, (SDL_Rect){col.x, y, col.w, 0});
    y = actions(ui, s, (SDL_Rect){col.x, y, col.w, t->touch_min}) + theme_px(t, 28);
    stock_rows(ui, s, env, (SDL_Rect){col.x, y, col.w, col.y + col.h - y});
    screen_offline_line(ui, s);
}

/* ---- the mirror: the garment in hand, in the lower half; its look along the right edge --- */

/* "Which size shall we bring?": every variant, by colour, that this store has. */
static void fitting_picker(Ui *ui, const AppState *s, const ScreenEnv *env, SDL_Rect area)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    const ProductDetail *p = &se->product;
    int title_h = t->px[TEXT_HEADING] * 13 / 10, cap_h = t->px[TEXT_CAPTION] * 15 / 10;
    int gap = theme_px(t, 12), h = t->touch_min;
    ui_text(ui, "fitting-title", (SDL_Rect){area.x, area.y, area.w, title_h},
            _("Which size shall we bring?"), TEXT_HEADING, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    char line[192], id[UI_ID_MAX];
    snprintf(line, sizeof line, _("An associate brings it to %s."), env->cfg->fitting_room);
    ui_text(ui, "fitting-room", (SDL_Rect){area.x, area.y + title_h, area.w, cap_h}, line,
            TEXT_CAPTION, t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
    int y = area.y + title_h + cap_h + theme_px(t, 16);
    const LocationStock *here = NULL;
    for (int l = 0; l < se->stock.location_count; l++)
        if (se->stock.locations[l].here)
            here = &se->stock.locations[l];
    int firsts[VIEW_VARIANTS_MAX];
    int colours = app_colours(p, firsts, VIEW_VARIANTS_MAX);
    int bottom = area.y + area.h - h - theme_px(t, 24);
    int per_row = 7, w = (area.w - (per_row - 1) * gap) / per_row;
    for (int c = 0; c < colours && y + cap_h + h <= bottom; c++) {
        const char *colour = p->variants[firsts[c]].colour;
        snprintf(id, sizeof id, "fitting-colour-%d", c);
        ui_text(ui, id, (SDL_Rect){area.x, y, area.w, cap_h}, colour[0] ? colour : p->name,
                TEXT_CAPTION, t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
        y += cap_h;
        int n = 0;
        for (int i = 0; i < p->variant_count && n < per_row; i++) {
            const VariantView *v = &p->variants[i];
            if (strcmp(v->colour, colour) != 0)
                continue;
            int qty = here ? app_stock_qty(&se->stock, here, v->id) : -1;
            snprintf(id, sizeof id, "fitting-size-%d", i);
            Widget chip = {.id = id,
                           .rect = {area.x + n * (w + gap), y, w, h},
                           .text = v->size[0] ? v->size : _("One size"),
                           .role = TEXT_BUTTON,
                           .kind = i == se->variant ? BUTTON_CHIP_ON : BUTTON_CHIP,
                           .enabled = qty != 0, /* none on this floor: nothing to bring */
                           .action = screen_intent(INTENT_FITTING_SEND, i),
                           .layout = {H_CENTER, V_MIDDLE, false}};
            ui_add(ui, &WIDGET_BUTTON, &chip);
            if (qty == 0)
                art_round_rect(ui->art,
                               (SDL_Rect){chip.rect.x + w / 5, y + h / 2 - 1, w * 3 / 5, 3}, 1,
                               t->text_muted, t->text_muted, 0);
            n++;
        }
        y += h + gap * 2;
    }
    int bw = theme_px(t, 300);
    ui_icon_button(ui, "fitting-cancel", (SDL_Rect){area.x, area.y + area.h - h, bw, h},
                   _("Cancel"), BUTTON_SECONDARY, "close", H_CENTER, true,
                   screen_intent(INTENT_FITTING_DISMISS, 0));
}

/* "Complete the look": up to three small tiles down the right edge. */
static void look_column(Ui *ui, const AppState *s, const ScreenEnv *env, SDL_Rect area)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    if (se->look_state != LOAD_OK || se->look.count == 0)
        return;
    int head_h = t->px[TEXT_CAPTION] * 16 / 10;
    ui_text(ui, "look-title", (SDL_Rect){area.x, area.y, area.w, head_h}, _("Complete the look"),
            TEXT_CAPTION, t->text_muted, (TextLayout){H_LEFT, V_TOP, false});
    int gap = theme_px(t, 16);
    int tile_h = (area.h - head_h - (APP_LOOK_MAX - 1) * gap) / APP_LOOK_MAX;
    char id[UI_ID_MAX], price[64];
    for (int i = 0; i < se->look.count && i < APP_LOOK_MAX; i++) {
        const ProductCard *c = &se->look.items[i];
        SDL_Rect r = {area.x, area.y + head_h + i * (tile_h + gap), area.w, tile_h};
        snprintf(id, sizeof id, "look-%d", i);
        Widget tile = {.id = id,
                       .rect = r,
                       .text = c->name,
                       .enabled = true,
                       .action = screen_intent(INTENT_OPEN_PRODUCT, CARDS_LOOK << 8 | i)};
        ui_add(ui, &WIDGET_TILE, &tile);
        int pad = theme_px(t, 12), text_h = t->px[TEXT_CAPTION] * 14 / 10;
        int img = r.h - 2 * pad - 2 * text_h;
        snprintf(id, sizeof id, "look-%d-image", i);
        screen_image(ui, env, c->image_url, (SDL_Rect){r.x + (r.w - img) / 2, r.y + pad, img, img},
                     id);
        snprintf(id, sizeof id, "look-%d-name", i);
        ui_text(ui, id, (SDL_Rect){r.x + pad, r.y + pad + img, r.w - 2 * pad, text_h}, c->name,
                TEXT_CAPTION, t->text, (TextLayout){H_CENTER, V_MIDDLE, false});
        screen_money(price, sizeof price, s, c->price_cents, c->currency);
        snprintf(id, sizeof id, "look-%d-price", i);
        ui_text(ui, id, (SDL_Rect){r.x + pad, r.y + pad + img + text_h, r.w - 2 * pad, text_h},
                price, TEXT_CAPTION, t->text_muted, (TextLayout){H_CENTER, V_MIDDLE, false});
    }
}

static void draw_mirror(Ui *ui, const AppState *s, const ScreenEnv *env)
{
    const Theme *t = &ui->theme;
    const Session *se = &s->session;
    const ProductDetail *p = &se->product;
    int W = ui->w, H = ui->h, M = t->margin;
    ui_begin_frame(ui, t->background);
    screen_top_bar(ui, s, env, NULL);
    int bottom = H - M / 2 - (s->online || !s->central ? 0 : t->px[TEXT_CAPTION] * 2);
    SDL_Rect panel = {M, H * 46 / 100, W - 2 * M, bottom - H * 46 / 100};
    if (se->product_state != LOAD_OK) {
        screen_status(ui, se->product_state, panel, "product",
                      _("This product can't be shown just now."));
        screen_offline_line(ui, s);
        return;
    }
    /* The right edge, above the panel: what goes with it. */
    int look_w = theme_px(t, 250);
    look_column(ui, s, env,
                (SDL_Rect){W - M - look_w, H * 17 / 100, look_w, panel.y - t->gap - H * 17 / 100});
    /* The panel, bottom up: buttons, where to get it, sizes; the garment's name on top. */
    int gap = theme_px(t, 16), bh = t->touch_min;
    if (se->fitting_panel) {
        fitting_picker(ui, s, env, panel);
        screen_offline_line(ui, s);
        return;
    }
    SDL_Rect buttons = {panel.x, panel.y + panel.h - bh, panel.w, bh};
    bool can_ask = s->fitting_rooms && s->central;
    int aw = can_ask ? (panel.w - gap) / 2 : 0;
    if (can_ask)
        ui_icon_button(ui, "fitting-open", (SDL_Rect){buttons.x, buttons.y, aw, bh},
                       _("Bring me another size"), BUTTON_SECONDARY, "tag", H_CENTER,
                       s->online && se->fitting.status != FITTING_SENDING,
                       screen_intent(INTENT_FITTING_OPEN, 0));
    bool can_add =
        se->variant >= 0 && app_variant_available(&se->stock, se->product.variants[se->variant].id);
    int ax = buttons.x + (can_ask ? aw + gap : 0);
    ui_icon_button(ui, "add-to-bag", (SDL_Rect){ax, buttons.y, buttons.x + buttons.w - ax, bh},
                   se->variant < 0 ? _("Choose a size") : _("Add to bag"), BUTTON_PRIMARY, "bag",
                   H_CENTER, can_add, screen_intent(INTENT_ADD_TO_CART, 0));
    /* Top down: the picture and name, the colours and sizes, then where to get it in what
     * is left above the buttons (as many locations as fit: here, nearest, online). */
    int img = theme_px(t, 150);
    const char *image = se->variant >= 0 && p->variants[se->variant].image_url[0]
                            ? p->variants[se->variant].image_url
                            : p->image_url;
    screen_image(ui, env, image, (SDL_Rect){panel.x, panel.y, img, img}, "product-image");
    int tx = panel.x + img + t->gap, tw = panel.x + panel.w - tx;
    int cap_h = t->px[TEXT_CAPTION] * 14 / 10, name_h = t->px[TEXT_HEADING] * 13 / 10;
    ui_text(ui, "brand", (SDL_Rect){tx, panel.y, tw, cap_h}, p->brand, TEXT_CAPTION, t->text_muted,
            (TextLayout){H_LEFT, V_TOP, false});
    ui_text(ui, "name", (SDL_Rect){tx, panel.y + cap_h, tw, name_h}, p->name, TEXT_HEADING, t->text,
            (TextLayout){H_LEFT, V_TOP, false});
    char price[64];
    int64_t cents = se->variant >= 0 && p->variants[se->variant].price_cents > 0
                        ? p->variants[se->variant].price_cents
                        : p->price_cents;
    screen_money(price, sizeof price, s, cents, p->currency);
    ui_text(ui, "price", (SDL_Rect){tx, panel.y + cap_h + name_h, tw, name_h}, price, TEXT_BODY,
            t->text, (TextLayout){H_LEFT, V_TOP, false});
    int y = variant_chips(ui, s, (SDL_Rect){panel.x, panel.y + img + t->gap, panel.w, 0});
    stock_rows(ui, s, env, (SDL_Rect){panel.x, y, panel.w, buttons.y - t->gap - y});
    screen_offline_line(ui, s);
}

const ScreenClass SCREEN_PRODUCT_CLASS = {
    .id = SCREEN_PRODUCT,
    .draw_kiosk = draw,
    .draw_mirror = draw_mirror,
};
