/* ui.c: the UI context and the semantics tree (see ui.h). */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

Ui *ui_create(SDL_Renderer *r, int w, int h, const KioskConfig *cfg, const char *assets_dir,
              KioskErr *err)
{
    Ui *ui = calloc(1, sizeof *ui);
    *err = KIOSK_E_NOMEM;
    if (!ui)
        return NULL;
    ui->renderer = r;
    ui->w = w;
    ui->h = h;
    theme_init(&ui->theme, cfg, w, h);
    ui->text = text_create(r, err);
    if (!ui->text) {
        ui_destroy(ui);
        return NULL;
    }
    char icons[600];
    snprintf(icons, sizeof icons, "%s/icons", assets_dir);
    ui->art = art_create(r, icons);
    if (!ui->art) {
        *err = KIOSK_E_NOMEM;
        ui_destroy(ui);
        return NULL;
    }
    *err = KIOSK_OK;
    return ui;
}

void ui_set_contrast(Ui *ui, const KioskConfig *cfg, bool high_contrast)
{
    KioskConfig c = *cfg;
    c.high_contrast = high_contrast;
    theme_init(&ui->theme, &c, ui->w, ui->h);
}

void ui_destroy(Ui *ui)
{
    if (!ui)
        return;
    art_destroy(ui->art);
    text_destroy(ui->text);
    free(ui);
}

void ui_begin_frame(Ui *ui, SDL_Color bg)
{
    if (ui->dropped)
        log_error("ui", "%d widgets did not fit the semantics tree", ui->dropped);
    ui->node_count = 0;
    ui->dropped = 0;
    SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(ui->renderer, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(ui->renderer);
}

void ui_add(Ui *ui, const WidgetClass *cls, const Widget *w)
{
    bool fits = cls->draw(ui, w);
    if (ui->node_count == UI_MAX_WIDGETS) {
        ui->dropped++;
        return;
    }
    SemNode *n = &ui->nodes[ui->node_count++];
    snprintf(n->id, sizeof n->id, "%s", w->id ? w->id : "");
    n->role = cls->role;
    snprintf(n->text, sizeof n->text, "%s", w->text && !w->hidden_text ? w->text : "");
    n->rect = w->rect;
    n->ink = cls == &WIDGET_TEXT ? ui->ink : w->rect;
    n->enabled = w->enabled;
    n->clipped = !fits;
    n->selected = cls == &WIDGET_BUTTON && w->kind == BUTTON_CHIP_ON;
    n->pressable = cls->pressable;
    n->blocks = cls->blocks;
    n->action = w->action;
}

void ui_text(Ui *ui, const char *id, SDL_Rect r, const char *text, TextRole role, SDL_Color c,
             TextLayout layout)
{
    Widget w = {.id = id,
                .rect = r,
                .text = text,
                .role = role,
                .color = c,
                .layout = layout,
                .enabled = true};
    ui_add(ui, &WIDGET_TEXT, &w);
}

void ui_button(Ui *ui, const char *id, SDL_Rect r, const char *label, ButtonKind kind, Event action)
{
    Widget w = {.id = id,
                .rect = r,
                .text = label,
                .role = TEXT_BUTTON,
                .kind = kind,
                .enabled = true,
                .action = action,
                .layout = {.align = H_CENTER, .valign = V_MIDDLE, .wrap = false}};
    ui_add(ui, &WIDGET_BUTTON, &w);
}

const SemNode *ui_hit(const Ui *ui, int x, int y)
{
    for (int i = ui->node_count - 1; i >= 0; i--) { /* last drawn is on top */
        const SemNode *n = &ui->nodes[i];
        SDL_Point p = {x, y};
        if (!SDL_PointInRect(&p, &n->rect))
            continue;
        if (n->pressable && n->enabled)
            return n;
        if (n->blocks)
            return NULL;
    }
    return NULL;
}

const SemNode *ui_find(const Ui *ui, const char *id)
{
    for (int i = ui->node_count - 1; i >= 0; i--)
        if (strcmp(ui->nodes[i].id, id) == 0)
            return &ui->nodes[i];
    return NULL;
}

void ui_icon_button(Ui *ui, const char *id, SDL_Rect r, const char *label, ButtonKind kind,
                    const char *icon, HAlign align, bool enabled, Event action)
{
    Widget w = {.id = id,
                .rect = r,
                .text = label,
                .role = TEXT_BUTTON,
                .kind = kind,
                .icon = icon,
                .enabled = enabled,
                .action = action,
                .layout = {align, V_MIDDLE, false}};
    ui_add(ui, &WIDGET_BUTTON, &w);
}
