/* theme.c: the Northwind palette and type scale (see theme.h). Sizes are given for a
 * 1080-pixel short side and scaled, so 4K panels get the same layout at twice the pixels. */
#include "theme.h"

static SDL_Color rgb(unsigned hex)
{
    return (SDL_Color){(Uint8)(hex >> 16), (Uint8)(hex >> 8), (Uint8)hex, 255};
}

int theme_px(const Theme *t, int px_at_1080)
{
    return (int)(px_at_1080 * t->scale + 0.5f);
}

void theme_init(Theme *t, const KioskConfig *cfg, int w, int h)
{
    int short_side = w < h ? w : h;
    t->scale = (float)short_side / 1080.0f;
    t->mirror = cfg->mode == KIOSK_MODE_MIRROR;

    /* Kiosk: warm paper, deep evergreen, terracotta accent. */
    t->background = rgb(0xF5F2EC);
    t->hero = rgb(0x123B2C);
    t->on_hero = rgb(0xFFFFFF);
    t->on_hero_muted = rgb(0xC9D8CF);
    t->surface = rgb(0xFFFFFF);
    t->text = rgb(0x1B1F23);
    t->text_muted = rgb(0x56606B);
    t->primary = rgb(0x123B2C);
    t->on_primary = rgb(0xFFFFFF);
    t->accent = rgb(0xB4512E); /* white text on it passes WCAG AA */
    t->outline = rgb(0xDAD5CC);

    if (t->mirror) { /* black is mirror: light only where there is content */
        t->background = rgb(0x000000);
        t->hero = rgb(0x000000);
        t->on_hero = rgb(0xFFFFFF);
        t->on_hero_muted = rgb(0xB8B8B8);
        t->surface = rgb(0x111111);
        t->text = rgb(0xFFFFFF);
        t->text_muted = rgb(0xB8B8B8);
        t->primary = rgb(0xFFFFFF);
        t->on_primary = rgb(0x000000);
        t->accent = rgb(0xE9B38F);
        t->outline = rgb(0x3A3A3A);
    }
    if (cfg->high_contrast) {
        t->background = rgb(0x000000);
        t->hero = rgb(0x000000);
        t->on_hero = rgb(0xFFFFFF);
        t->on_hero_muted = rgb(0xFFFFFF);
        t->surface = rgb(0x000000);
        t->text = rgb(0xFFFFFF);
        t->text_muted = rgb(0xFFFFFF);
        t->primary = rgb(0xFFE500);
        t->on_primary = rgb(0x000000);
        t->accent = rgb(0xFFE500);
        t->outline = rgb(0xFFFFFF);
    }

    static const int base_px[TEXT_ROLE_COUNT] = {
        [TEXT_DISPLAY] = 100, [TEXT_TITLE] = 64,  [TEXT_HEADING] = 44, [TEXT_BODY] = 34,
        [TEXT_CAPTION] = 27,  [TEXT_BUTTON] = 36, [TEXT_BRAND] = 46,
    };
    static const FontWeight weights[TEXT_ROLE_COUNT] = {
        [TEXT_DISPLAY] = WEIGHT_BOLD,     [TEXT_TITLE] = WEIGHT_BOLD,
        [TEXT_HEADING] = WEIGHT_SEMIBOLD, [TEXT_BODY] = WEIGHT_REGULAR,
        [TEXT_CAPTION] = WEIGHT_REGULAR,  [TEXT_BUTTON] = WEIGHT_SEMIBOLD,
        [TEXT_BRAND] = WEIGHT_BOLD,
    };
    float text_scale = cfg->high_contrast ? 1.2f : 1.0f; /* large-text mode */
    for (int i = 0; i < TEXT_ROLE_COUNT; i++) {
        t->px[i] = (int)(base_px[i] * t->scale * text_scale + 0.5f);
        t->weight[i] = weights[i];
    }
    t->margin = theme_px(t, 88);
    t->gap = theme_px(t, 36);
    t->radius = theme_px(t, 28);
    t->touch_min = theme_px(t, 72);
}
