/* widget_card.c: a rounded surface that groups the widgets drawn on it (role "group"), and a
 * modal's scrim (role "scrim"). */
#include "ui.h"

static bool draw(Ui *ui, const Widget *w)
{
    const Theme *t = &ui->theme;
    SDL_Color fill = w->color.a ? w->color : t->surface;
    art_round_rect(ui->art, w->rect, t->radius, fill, t->outline,
                   t->mirror || fill.a < 255 ? theme_px(t, 2) : 0);
    return true;
}

const WidgetClass WIDGET_CARD = {.role = "group", .pressable = false, .draw = draw};

/* A modal's shade (w->color) over everything drawn before it, which touches no longer reach. */
static bool draw_scrim(Ui *ui, const Widget *w)
{
    art_round_rect(ui->art, w->rect, 0, w->color, (SDL_Color){0, 0, 0, 0}, 0);
    return true;
}

const WidgetClass WIDGET_SCRIM = {
    .role = "scrim", .pressable = false, .blocks = true, .draw = draw_scrim};
