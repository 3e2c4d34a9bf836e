/* widget_tile.c: a pressable surface (role "item"): a product card, an address or a delivery
 * option to choose. The widgets drawn on it afterwards are its content; a touch anywhere on
 * it posts its action. BUTTON_CHIP_ON marks the chosen one with a thick accent outline. */
#include "ui.h"

static bool draw(Ui *ui, const Widget *w)
{
    const Theme *t = &ui->theme;
    bool chosen = w->kind == BUTTON_CHIP_ON;
    SDL_Color fill = t->surface;
    if (!w->enabled)
        fill.a = 150;
    art_round_rect(ui->art, w->rect, t->radius, fill, chosen ? t->accent : t->outline,
                   chosen ? theme_px(t, 5) : theme_px(t, 2));
    return true;
}

const WidgetClass WIDGET_TILE = {.role = "item", .pressable = true, .draw = draw};
