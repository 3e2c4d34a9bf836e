/* widget_image.c: an icon or illustration from assets/icons (role "image"); its text is
 * the description read by the semantics tree (and later by speech output). */
#include "ui.h"

static bool draw(Ui *ui, const Widget *w)
{
    art_icon(ui->art, w->icon, w->rect, w->color);
    return true;
}

const WidgetClass WIDGET_IMAGE = {.role = "image", .pressable = false, .draw = draw};
