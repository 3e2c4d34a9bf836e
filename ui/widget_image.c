/* widget_image.c: an icon or illustration from assets/icons (role "image"); its text is
 * the description read by the semantics tree (and later by speech output). */
#include "ui.h"

static bool draw(Ui *ui, const Widget *w)
{
    art_icon(ui->art, w->icon, w->rect, w->color);
    return true;
}

const WidgetClass WIDGET_IMAGE = {.role = "image", .pressable = false, .draw = draw};

/* A product picture drawn by images.c (asynchronously, with a placeholder): only its place
 * in the semantics tree is recorded here. */
static bool record_only(Ui *ui, const Widget *w)
{
    (void)ui;
    (void)w;
    return true;
}

const WidgetClass WIDGET_PICTURE = {.role = "image", .pressable = false, .draw = record_only};
