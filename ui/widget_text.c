/* widget_text.c: a run of text fitted to its box (role "text"). */
#include "ui.h"

static bool draw(Ui *ui, const Widget *w)
{
    const Theme *t = &ui->theme;
    ui->ink = (SDL_Rect){w->rect.x, w->rect.y, 0, 0};
    return text_draw(ui->text, w->text, t->weight[w->role], t->px[w->role], w->color, w->rect,
                     w->layout, &ui->ink);
}

const WidgetClass WIDGET_TEXT = {.role = "text", .pressable = false, .draw = draw};
