/* screen.h: screens as descriptors. A screen draws the current AppState through the
 * widgets of ui.h and never calls the network, the disk or the app core: its buttons carry
 * the intents they post. Adding a screen = one screen_<name>.c with a ScreenClass, and a
 * line in screens.c. UI thread only. */
#ifndef KIOSK_SCREEN_H
#define KIOSK_SCREEN_H

#include <stdint.h>

#include "app.h"
#include "config.h"
#include "ui.h"

/* What screens may read besides the state: configuration and the frame's time. */
typedef struct ScreenEnv {
    const KioskConfig *cfg;
    uint64_t now_ms;
} ScreenEnv;

typedef struct ScreenClass {
    ScreenId id;
    /* Landscape kiosk and portrait mirror have layouts of their own. */
    void (*draw_kiosk)(Ui *ui, const AppState *s, const ScreenEnv *env);
    void (*draw_mirror)(Ui *ui, const AppState *s, const ScreenEnv *env);
} ScreenClass;

extern const ScreenClass SCREEN_ATTRACT_CLASS;
extern const ScreenClass SCREEN_IDENTIFY_CLASS;
extern const ScreenClass SCREEN_WELCOME_CLASS;

/* Draws the whole frame for s: the screen, then any overlay. Returns in how many ms the
 * frame needs drawing again with no state change (a countdown), or -1. */
int screen_draw(Ui *ui, const AppState *s, const ScreenEnv *env);

/* Shared pieces of several screens. */
void screen_language_chips(Ui *ui, const AppState *s, SDL_Rect area, SDL_Color on, HAlign align);
Event screen_intent(Intent intent, int32_t arg);

#endif
