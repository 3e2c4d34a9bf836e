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
struct Images;

typedef struct ScreenEnv {
    const KioskConfig *cfg;
    uint64_t now_ms;       /* monotonic, for animation */
    int64_t wall_s;        /* the time of day, for "2 min ago" and delivery dates */
    struct Images *images; /* product pictures, loaded off the UI thread; NULL: placeholders */
} ScreenEnv;

typedef struct ScreenClass {
    ScreenId id;
    /* Landscape kiosk and portrait mirror have layouts of their own. */
    void (*draw_kiosk)(Ui *ui, const AppState *s, const ScreenEnv *env);
    void (*draw_mirror)(Ui *ui, const AppState *s, const ScreenEnv *env);
} ScreenClass;

extern const ScreenClass SCREEN_ATTRACT_CLASS;
extern const ScreenClass SCREEN_IDENTIFY_CLASS;
extern const ScreenClass SCREEN_HOME_CLASS;
extern const ScreenClass SCREEN_BROWSE_CLASS;
extern const ScreenClass SCREEN_SEARCH_CLASS;
extern const ScreenClass SCREEN_PRODUCT_CLASS;
extern const ScreenClass SCREEN_CART_CLASS;
extern const ScreenClass SCREEN_CHECKOUT_CLASS;
extern const ScreenClass SCREEN_CONFIRMATION_CLASS;
extern const ScreenClass SCREEN_STAFF_CLASS;
extern const ScreenClass SCREEN_CUSTOMER_CLASS;
extern const ScreenClass SCREEN_NOTE_CLASS;
extern const ScreenClass SCREEN_CONFIRM_CLASS;
extern const ScreenClass SCREEN_SETUP_CLASS;
extern const ScreenClass SCREEN_SERVICE_PIN_CLASS;
extern const ScreenClass SCREEN_SERVICE_CLASS;

/* Draws the whole frame for s: the screen, then any overlay. Returns in how many ms the
 * frame needs drawing again with no state change (a countdown), or -1. */
int screen_draw(Ui *ui, const AppState *s, const ScreenEnv *env);

/* Shared pieces of several screens. */
void screen_language_chips(Ui *ui, const AppState *s, SDL_Rect area, SDL_Color on, HAlign align);
Event screen_intent(Intent intent, int32_t arg);

/* The bar along the top of a session's screens: Back (or the brand on home), the title, and
 * Search, Bag, the contrast switch and "I'm done". Returns where the content starts. */
int screen_top_bar(Ui *ui, const AppState *s, const ScreenEnv *env, const char *title);
/* The calm line along the bottom when the central service cannot be reached. */
void screen_offline_line(Ui *ui, const AppState *s);
/* A product picture by its catalog URL, with a placeholder until it has loaded. */
void screen_image(Ui *ui, const ScreenEnv *env, const char *url, SDL_Rect r, const char *id);
/* A product card: picture, name, price, the reason (recommendations) and where it is. Cards
 * side by side share name_lines (1 or 2), from screen_card_name_lines over their row. */
void screen_card(Ui *ui, const AppState *s, const ScreenEnv *env, const ProductCard *c, SDL_Rect r,
                 int name_lines, const char *id, Event action);
/* 2 if any of the n cards' names needs two lines on a card card_w wide, else 1. */
int screen_card_name_lines(Ui *ui, const ProductCard *cards, int n, int card_w);
/* A panel's waiting or failed state: a quiet "Loading..." or a friendly line and Retry.
 * Draws nothing for LOAD_OK and LOAD_NONE. */
void screen_status(Ui *ui, LoadState st, SDL_Rect r, const char *id, const char *failed);
/* The category's name in the shopper's language ("running-shoes" -> "Running shoes"). */
const char *screen_category(const char *code);
/* A loyalty tier's name in the shopper's language ("gold" -> "Gold"), NULL if unknown. */
const char *screen_tier(const char *code);
/* A price in the shopper's language. */
void screen_money(char *out, size_t size, const AppState *s, int64_t cents, const char *currency);
/* Where a product can be had, in words ("In stock here"). */
const char *screen_hint(StockHint h);
/* An offer's title in the shopper's language, from its kind and value. */
void screen_offer_title(char *out, size_t size, const AppState *s, const OfferView *o);
/* One key of an on-screen keyboard or pad: posts INTENT_KEY with code. */
void screen_key(Ui *ui, SDL_Rect r, const char *label, const char *id, int32_t code,
                const char *icon, bool enabled);
/* The on-screen keyboard (search, notes), its bottom edge at `bottom`; returns its top. */
int screen_keyboard(Ui *ui, int bottom);
/* The associate's strip under the top bar in associate mode: who is signed in, where, and
 * Lock. Returns where the content starts. */
int screen_staff_strip(Ui *ui, const AppState *s, int top);
/* The size of the kiosk's grids: columns for this screen's width. */
int screen_columns(const Ui *ui);

#endif
