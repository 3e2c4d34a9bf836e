/* journey.h: what the end-to-end journey tests share. A World is the development central
 * service over real HTTPS, the PN532 emulator read through libnfc, and a headless kiosk
 * driven through its control socket; the helpers fail the running cmocka test with what
 * the screen showed when something does not happen. */
#ifndef KIOSK_TEST_JOURNEY_H
#define KIOSK_TEST_JOURNEY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness.h"
#include "kiosk_proc.h"
#include "nfctest.h"

typedef struct World {
    TestCentral central;
    NfcSim *sim;
    KioskProc kiosk;
    char conf[4096];
} World;

void journey_pause_ms(int ms);
/* Starts the kiosk on the world's service and reader (store sea-ballard, the demo loyalty
 * key) with extra_conf appended to its config, and waits for the first catalog sync. */
void journey_start_kiosk(World *w, const char *extra_conf, const char *const *args);
/* cmocka group setup and teardown: the service and the reader (the kiosk is started by each
 * test); teardown checks the kiosk exits cleanly. */
int journey_setup(void **state);
int journey_teardown(void **state);
/* A demo member who speaks `language`; "" for any. */
void journey_demo_member(World *w, const char *language, char *id, size_t size);
/* Mints the member's card with the demo key and puts it on the reader. */
void journey_tap_card_of(World *w, const char *member);
/* The same for any role ("member", "staff", "technician") on a tag of that UID (hex). */
void journey_tap_badge(World *w, const char *role, const char *id, const char *uid);
/* A garment tag: option "--gtin" or "--uri" and its value (kioskctl card mint-garment). */
void journey_tap_garment(World *w, const char *option, const char *value);
/* The kiosk's "ui" reply (the caller's). */
json_t *journey_ui(World *w);
void journey_press(World *w, const char *id);
void journey_await_screen(World *w, const char *screen);
/* Waits until widget id exists (and is enabled, if asked); returns the ui reply holding it
 * (the caller's). */
json_t *journey_await_widget(World *w, const char *id, bool enabled);
/* A widget's text in a ui reply, or NULL (borrowed). */
const char *journey_text_of(json_t *u, const char *id);
/* Fails if the screen has clipped text, widgets off screen or small touch targets. */
void journey_layout_ok(World *w, const char *where);

#endif
