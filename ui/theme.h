/* theme.h: colours and the type scale, chosen per mode (kiosk, mirror), contrast setting
 * and screen size. Screens take every colour and size from here, never from literals, so
 * a retailer's brand and the high-contrast mode change the whole UI in one place. */
#ifndef KIOSK_THEME_H
#define KIOSK_THEME_H

#include <SDL2/SDL.h>
#include <stdbool.h>

#include "config.h"

typedef enum TextRole {
    TEXT_DISPLAY = 0, /* the attract headline */
    TEXT_TITLE,       /* a screen's title */
    TEXT_HEADING,     /* a card's heading */
    TEXT_BODY,
    TEXT_CAPTION,
    TEXT_BUTTON,
    TEXT_BRAND, /* the wordmark */
    TEXT_ROLE_COUNT
} TextRole;

typedef enum FontWeight {
    WEIGHT_REGULAR = 0,
    WEIGHT_SEMIBOLD,
    WEIGHT_BOLD,
    WEIGHT_COUNT
} FontWeight;

typedef struct Theme {
    SDL_Color background; /* screens */
    SDL_Color hero;       /* the attract screen's field */
    SDL_Color on_hero;    /* text on hero */
    SDL_Color on_hero_muted;
    SDL_Color surface; /* cards */
    SDL_Color text;
    SDL_Color text_muted;
    SDL_Color primary; /* primary buttons */
    SDL_Color on_primary;
    SDL_Color accent; /* highlights, the selected language */
    SDL_Color outline;
    int px[TEXT_ROLE_COUNT];
    FontWeight weight[TEXT_ROLE_COUNT];
    float scale;   /* 1.0 at 1080 pixels on the short side */
    int margin;    /* outer margin */
    int gap;       /* between cards */
    int radius;    /* corner radius of cards and buttons */
    int touch_min; /* smallest touch target, >= 56 px at 1080p */
    bool mirror;
} Theme;

/* Fills t for a w x h screen in the configured mode and contrast. */
void theme_init(Theme *t, const KioskConfig *cfg, int w, int h);

/* Scales a length given at 1080p. */
int theme_px(const Theme *t, int px_at_1080);

#endif
