/* widget_card.c: a rounded surface that groups the widgets drawn on it (role "group"). A
 * modal card first dims the whole screen behind it. */
#include "ui.h"

static bool draw(Ui *ui, const Widget *w)
{
    const Theme *t = &ui->theme;
    if (w->modal) {
        SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_BLEND);
        SDL_SetRenderDrawColor(ui->renderer, t->scrim.r, t->scrim.g, t->scrim.b, t->scrim.a);
        SDL_RenderFillRect(ui->renderer, NULL);
    }
    SDL_Color fill = w->color.a ? w->color : t->surface;
    art_round_rect(ui->art, w->rect, t->radius, fill, t->outline,
                   t->mirror || fill.a < 255 ? theme_px(t, 2) : 0);
    return true;
}

const WidgetClass WIDGET_CARD = {.role = "group", .pressable = false, .draw = draw};
