/* test_text.c: text drawn to fit its box (ui/text.c) in-process, with the real fonts and
 * SDL's software renderer on a surface: a sentence wraps; a word too long for its box (a
 * German-style compound) is broken with a hyphen instead of running out of the box; a
 * single line that cannot fit is clipped to its box and reported, never drawn outside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <SDL2/SDL.h>

#include "test_filter.h"

#include "text.h"

#define W 800
#define H 400

typedef struct Fixture {
    SDL_Surface *target;
    SDL_Renderer *r;
    Text *text;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    f->target = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_ARGB8888);
    f->r = SDL_CreateSoftwareRenderer(f->target);
    assert_non_null(f->r);
    KioskErr err;
    f->text = text_create(f->r, &err);
    assert_non_null(f->text);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    text_destroy(f->text);
    SDL_DestroyRenderer(f->r);
    SDL_FreeSurface(f->target);
    free(f);
    return 0;
}

/* Paints the frame white, draws s in black in box, and returns whether any pixel outside
 * box was touched. */
static bool draws_outside(Fixture *f, const char *s, SDL_Rect box, TextLayout lay, int px,
                          bool *fits)
{
    SDL_SetRenderDrawColor(f->r, 255, 255, 255, 255);
    SDL_RenderClear(f->r);
    *fits = text_draw(f->text, s, WEIGHT_REGULAR, px, (SDL_Color){0, 0, 0, 255}, box, lay, NULL);
    SDL_RenderPresent(f->r);
    const Uint32 *p = f->target->pixels;
    int pitch = f->target->pitch / 4;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            bool inside = x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h;
            if (!inside && (p[y * pitch + x] & 0xFFFFFF) != 0xFFFFFF)
                return true;
        }
    }
    return false;
}

static void long_compound_word_is_broken_to_fit(void **state)
{
    Fixture *f = *state;
    bool fits = false;
    SDL_Rect box = {100, 50, 260, 140};
    const char *word = "Donaudampfschifffahrtsgesellschaftskapitänsmütze";
    assert_false(draws_outside(f, word, box, (TextLayout){H_LEFT, V_TOP, true}, 34, &fits));
    assert_true(fits);
    /* in a sentence too, and centred */
    assert_false(draws_outside(f, "Die Wanderschuhe Oberflächenbeschaffenheitsprüfung in Größe 42",
                               box, (TextLayout){H_CENTER, V_MIDDLE, true}, 34, &fits));
    assert_true(fits);
}

static void sentence_wraps_within_its_box(void **state)
{
    Fixture *f = *state;
    bool fits = false;
    SDL_Rect box = {40, 40, 400, 200};
    assert_false(draws_outside(f, "Because you bought the Cascade Rain Shell in the app", box,
                               (TextLayout){H_LEFT, V_TOP, true}, 34, &fits));
    assert_true(fits);
}

static void a_line_that_cannot_fit_is_clipped_and_reported(void **state)
{
    Fixture *f = *state;
    bool fits = true;
    SDL_Rect box = {100, 100, 120, 50};
    assert_false(draws_outside(f, "Donaudampfschifffahrtsgesellschaft", box,
                               (TextLayout){H_LEFT, V_MIDDLE, false}, 34, &fits));
    assert_false(fits); /* the semantics tree will flag it; the test suites fail on that */
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(long_compound_word_is_broken_to_fit, setup, teardown),
        cmocka_unit_test_setup_teardown(sentence_wraps_within_its_box, setup, teardown),
        cmocka_unit_test_setup_teardown(a_line_that_cannot_fit_is_clipped_and_reported, setup,
                                        teardown),
    };
    TEST_FILTER(argc, argv, tests);
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    if (SDL_Init(0) != 0)
        return 1;
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_Quit();
    return rc;
}
