/* widget_button.c: a pressable button (role "button"): primary, secondary, chip or ghost,
 * with an optional leading icon. Disabled buttons are drawn faded and do not take touches. */
#include "ui.h"

static SDL_Color faded(SDL_Color c, bool enabled)
{
    if (!enabled)
        c.a = 110;
    return c;
}

static bool draw(Ui *ui, const Widget *w)
{
    const Theme *t = &ui->theme;
    SDL_Color bg = t->primary, fg = t->on_primary, stroke = t->primary;
    int stroke_w = 0;
    int radius = w->rect.h / 2; /* pill */
    switch (w->kind) {
    case BUTTON_PRIMARY:
        break;
    case BUTTON_ACCENT:
        bg = stroke = t->accent;
        fg = t->mirror || t->accent.g > 200 ? (SDL_Color){0, 0, 0, 255} /* light accents */
                                            : (SDL_Color){255, 255, 255, 255};
        break;
    case BUTTON_SECONDARY:
        bg = t->surface;
        fg = t->text;
        stroke = t->outline;
        stroke_w = theme_px(t, 3);
        break;
    case BUTTON_CHIP:
        bg = w->color.a ? (SDL_Color){w->color.r, w->color.g, w->color.b, 40} : t->surface;
        fg = w->color.a ? w->color : t->text;
        stroke = w->color.a ? (SDL_Color){w->color.r, w->color.g, w->color.b, 140} : t->outline;
        stroke_w = theme_px(t, 2);
        break;
    case BUTTON_CHIP_ON:
        bg = t->accent;
        fg = t->mirror || t->accent.g > 200 ? (SDL_Color){0, 0, 0, 255}
                                            : (SDL_Color){255, 255, 255, 255};
        stroke = t->accent;
        break;
    case BUTTON_GHOST:
        bg = (SDL_Color){0, 0, 0, 0};
        fg = w->color.a ? w->color : t->text;
        break;
    case BUTTON_KEY:
        bg = t->surface;
        fg = t->text;
        stroke = t->outline;
        stroke_w = theme_px(t, 2);
        radius = theme_px(t, 14);
        break;
    }
    if (w->kind != BUTTON_GHOST)
        art_round_rect(ui->art, w->rect, radius, faded(bg, w->enabled), faded(stroke, w->enabled),
                       stroke_w);
    SDL_Rect label = w->rect;
    int pad = w->kind == BUTTON_GHOST || w->kind == BUTTON_KEY ? theme_px(t, 8) : radius;
    label.x += pad;
    label.w -= 2 * pad;
    if (w->icon) {
        int side = w->rect.h * 5 / 10;
        bool words = w->text && w->text[0];
        int tw = 0, th = 0;
        if (words)
            text_measure(ui->text, w->text, t->weight[w->role], t->px[w->role], &tw, &th);
        int gap = words ? theme_px(t, 14) : 0, room = label.w - side - gap;
        int total = side + gap + (tw < room ? tw : room > 0 ? room : 0);
        int x = label.x + (label.w - total) / 2;
        if (w->layout.align == H_LEFT)
            x = label.x;
        else if (!words) /* an icon alone sits in the middle of the button, whatever its shape */
            x = w->rect.x + (w->rect.w - side) / 2;
        art_icon(ui->art, w->icon, (SDL_Rect){x, w->rect.y + (w->rect.h - side) / 2, side, side},
                 faded(fg, w->enabled));
        label.w -= (x - label.x) + side + gap;
        label.x = x + side + gap;
        TextLayout lay = {.align = H_LEFT, .valign = V_MIDDLE, .wrap = false};
        return text_draw(ui->text, w->text, t->weight[w->role], t->px[w->role],
                         faded(fg, w->enabled), label, lay, NULL);
    }
    return text_draw(ui->text, w->text, t->weight[w->role], t->px[w->role], faded(fg, w->enabled),
                     label, w->layout, NULL);
}

const WidgetClass WIDGET_BUTTON = {.role = "button", .pressable = true, .draw = draw};
