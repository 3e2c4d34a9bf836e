/* test_widgets.c: buttons drawn in-process (ui/widget_button.c) with the real fonts, icons
 * and SDL's software renderer on a surface, measured by where their ink lands: an icon
 * alone sits in the middle of its button (the contrast, search, quantity and close buttons),
 * or at its left edge when the button says so (Back), and an icon with words is centred as
 * one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <SDL2/SDL.h>

#include "test_filter.h"

#include "config.h"
#include "ui.h"

#define W 800
#define H 400

typedef struct Fixture {
    SDL_Surface *target;
    SDL_Renderer *r;
    Ui *ui;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    f->target = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_ARGB8888);
    f->r = SDL_CreateSoftwareRenderer(f->target);
    assert_non_null(f->r);
    KioskConfig cfg;
    config_defaults(&cfg);
    KioskErr err;
    f->ui = ui_create(f->r, 1920, 1080, &cfg, KIOSK_TEST_ASSETS_DIR, &err);
    assert_non_null(f->ui);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    ui_destroy(f->ui);
    SDL_DestroyRenderer(f->r);
    SDL_FreeSurface(f->target);
    free(f);
    return 0;
}

/* Draws one ghost button (no fill, no outline: only its icon and words leave ink) in black
 * on white and returns the box around every pixel it touched. */
static SDL_Rect ink_of(Fixture *f, SDL_Rect rect, const char *label, HAlign align)
{
    SDL_SetRenderDrawColor(f->r, 255, 255, 255, 255);
    SDL_RenderClear(f->r);
    ui_begin_frame(f->ui, (SDL_Color){255, 255, 255, 255});
    Widget w = {.id = "b",
                .rect = rect,
                .text = label,
                .role = TEXT_BUTTON,
                .kind = BUTTON_GHOST,
                .icon = "plus",
                .color = {0, 0, 0, 255},
                .enabled = true,
                .layout = {align, V_MIDDLE, false}};
    ui_add(f->ui, &WIDGET_BUTTON, &w);
    SDL_RenderPresent(f->r);
    const Uint32 *p = f->target->pixels;
    int pitch = f->target->pitch / 4, x0 = W, y0 = H, x1 = -1, y1 = -1;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if ((p[y * pitch + x] & 0xFFFFFF) != 0xFFFFFF) {
                x0 = x < x0 ? x : x0;
                y0 = y < y0 ? y : y0;
                x1 = x > x1 ? x : x1;
                y1 = y > y1 ? y : y1;
            }
    assert_true(x1 >= 0); /* something was drawn */
    return (SDL_Rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

static void icon_alone_sits_in_the_middle(void **state)
{
    Fixture *f = *state;
    static const SDL_Rect rects[] = {{100, 100, 72, 72}, {300, 50, 200, 96}, {40, 250, 96, 96}};
    for (size_t i = 0; i < sizeof rects / sizeof rects[0]; i++) {
        SDL_Rect r = rects[i], ink = ink_of(f, r, "", H_CENTER);
        int dx = (ink.x + ink.w / 2) - (r.x + r.w / 2), dy = (ink.y + ink.h / 2) - (r.y + r.h / 2);
        print_message("button %d,%d %dx%d: icon off by %d,%d\n", r.x, r.y, r.w, r.h, dx, dy);
        assert_true(abs(dx) <= 2 && abs(dy) <= 2);
    }
}

static void icon_alone_keeps_left_when_asked(void **state)
{
    Fixture *f = *state;
    SDL_Rect r = {100, 100, 300, 72}, ink = ink_of(f, r, "", H_LEFT);
    assert_true(ink.x >= r.x && ink.x <= r.x + 20);
}

static void icon_and_words_are_centred_together(void **state)
{
    Fixture *f = *state;
    SDL_Rect r = {100, 100, 500, 96}, ink = ink_of(f, r, "Add to bag", H_CENTER);
    int dx = (ink.x + ink.w / 2) - (r.x + r.w / 2);
    print_message("icon and words off by %d\n", dx);
    assert_true(abs(dx) <= 4);
    assert_true(ink.w > 120); /* the words are there too */
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(icon_alone_sits_in_the_middle),
        cmocka_unit_test(icon_alone_keeps_left_when_asked),
        cmocka_unit_test(icon_and_words_are_centred_together),
    };
    TEST_FILTER(argc, argv, tests);
    return cmocka_run_group_tests_name("ui.widgets", tests, setup, teardown);
}
