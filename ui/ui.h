/* ui.h: the immediate-mode UI context. Each frame a screen describes its widgets; each
 * widget is drawn by its class and recorded in the frame's semantics tree, which serves
 * three readers: hit-testing of touches, the control socket's "ui" reply, and tests.
 * UI thread only. The Ui borrows the renderer and owns its fonts and caches. */
#ifndef KIOSK_UI_H
#define KIOSK_UI_H

#include <SDL2/SDL.h>
#include <stdbool.h>

#include "art.h"
#include "event.h"
#include "kerr.h"
#include "text.h"
#include "theme.h"

#define UI_MAX_WIDGETS 256 /* per frame */
#define UI_ID_MAX      48
#define UI_TEXT_MAX    512

typedef struct WidgetClass WidgetClass;
typedef struct Ui Ui;

typedef enum ButtonKind {
    BUTTON_PRIMARY = 0, /* filled with the primary colour */
    BUTTON_ACCENT,      /* the call to action on a hero field */
    BUTTON_SECONDARY,   /* outlined */
    BUTTON_CHIP,        /* small choice, e.g. a language */
    BUTTON_CHIP_ON,     /* the chosen chip */
    BUTTON_GHOST,       /* text only, e.g. Back */
    BUTTON_KEY,         /* a key of the on-screen keyboard: square-ish, tight padding */
} ButtonKind;

/* What a screen asks for; borrowed by ui_add for the duration of the call. */
typedef struct Widget {
    const char *id;
    SDL_Rect rect;
    const char *text; /* label, text, or the QR payload */
    TextRole role;    /* text size and weight */
    SDL_Color color;  /* text or icon colour */
    TextLayout layout;
    ButtonKind kind;
    const char *icon; /* icon name (assets/icons), for images and buttons */
    bool enabled;
    bool hidden_text; /* record the text as "" in the tree (secrets) */
    Event action;     /* posted when a button is pressed */
} Widget;

/* A recorded widget in the current frame. */
typedef struct SemNode {
    char id[UI_ID_MAX];
    const char *role;
    char text[UI_TEXT_MAX];
    SDL_Rect rect;
    SDL_Rect ink; /* text: where its letters were drawn (within rect); others: rect */
    bool enabled;
    bool clipped;  /* its text did not fit its box */
    bool selected; /* a chosen chip (a size, a colour, a language), as a screen reader says */
    bool pressable;
    bool blocks;
    Event action;
} SemNode;

struct WidgetClass {
    const char *role; /* "text", "button", "image", "qr", "list", "item", "group", "scrim" */
    bool pressable;
    bool blocks; /* a touch on it reaches nothing drawn before it (a modal's scrim) */
    /* Draws w; returns false if its text had to be clipped. */
    bool (*draw)(Ui *ui, const Widget *w);
};

extern const WidgetClass WIDGET_TEXT;
extern const WidgetClass WIDGET_BUTTON;
extern const WidgetClass WIDGET_IMAGE;
extern const WidgetClass WIDGET_QR;
extern const WidgetClass WIDGET_CARD;    /* a surface grouping other widgets ("group") */
extern const WidgetClass WIDGET_SCRIM;   /* a modal's shade over the screen ("scrim") */
extern const WidgetClass WIDGET_TILE;    /* a pressable surface ("item") */
extern const WidgetClass WIDGET_PICTURE; /* a product picture drawn by images.c */

struct Ui {
    SDL_Renderer *renderer; /* borrowed */
    int w, h;
    Theme theme;
    Text *text;
    Art *art;
    SemNode nodes[UI_MAX_WIDGETS];
    int node_count;
    int dropped;  /* widgets past UI_MAX_WIDGETS this frame (a bug) */
    SDL_Rect ink; /* set by a text widget's draw: where its letters went */
};

/* w x h: the logical size screens lay out for. NULL with *err set on failure. */
Ui *ui_create(SDL_Renderer *r, int w, int h, const KioskConfig *cfg, const char *assets_dir,
              KioskErr *err);
void ui_destroy(Ui *ui);
/* Switches the high-contrast, large-text theme on or off (the shopper's choice). */
void ui_set_contrast(Ui *ui, const KioskConfig *cfg, bool high_contrast);

/* Clears the semantics tree and the frame to the theme's background. */
void ui_begin_frame(Ui *ui, SDL_Color background);

/* Draws w with cls and records it. */
void ui_add(Ui *ui, const WidgetClass *cls, const Widget *w);

/* Shorthands for the common cases. */
void ui_text(Ui *ui, const char *id, SDL_Rect r, const char *text, TextRole role, SDL_Color c,
             TextLayout layout);
void ui_button(Ui *ui, const char *id, SDL_Rect r, const char *label, ButtonKind kind,
               Event action);

/* A button with a leading icon (assets/icons), its label aligned as asked. */
void ui_icon_button(Ui *ui, const char *id, SDL_Rect r, const char *label, ButtonKind kind,
                    const char *icon, HAlign align, bool enabled, Event action);

/* The topmost pressable, enabled widget at (x, y), or NULL. */
const SemNode *ui_hit(const Ui *ui, int x, int y);
const SemNode *ui_find(const Ui *ui, const char *id);

#endif
