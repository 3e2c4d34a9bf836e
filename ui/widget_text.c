/* widget_text.c: a run of text fitted to its box (role "text"). */
#include "ui.h"

static bool draw(Ui *ui, const Widget *w)
{
    const Theme *t = &ui->theme;
    return text_draw(ui->text, w->text, t->weight[w->role], t->px[w->role], w->color, w->rect,
                     w->layout, NULL);
}

const WidgetClass WIDGET_TEXT = {.role = "text", .pressable = false, .draw = draw};
