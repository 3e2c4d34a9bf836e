/* app.c: the rules of the app core (see app.h). Each handler changes the state and asks
 * for effects; nothing here blocks, allocates or touches a device. */
#include "app.h"

#include <stdio.h>
#include <string.h>

#include "format.h"
#include "app_priv.h"
#include "log.h"

static const char *const SCREEN_NAMES[SCREEN_COUNT] = {
    [SCREEN_ATTRACT] = "attract",
    [SCREEN_IDENTIFY] = "identify",
    [SCREEN_HOME] = "home",
    [SCREEN_BROWSE] = "browse",
    [SCREEN_SEARCH] = "search",
    [SCREEN_PRODUCT] = "product",
    [SCREEN_CART] = "cart",
    [SCREEN_CHECKOUT] = "checkout",
    [SCREEN_CONFIRMATION] = "confirmation",
    [SCREEN_STAFF] = "associate",
    [SCREEN_CUSTOMER] = "customer",
    [SCREEN_NOTE] = "note",
    [SCREEN_CONFIRM] = "confirm",
    [SCREEN_SETUP] = "setup",
    [SCREEN_SERVICE_PIN] = "service_pin",
    [SCREEN_SERVICE] = "service",
};

static const char *const NOTICE_NAMES[NOTICE_COUNT] = {
    [NOTICE_NONE] = "none",
    [NOTICE_CARD_UNREADABLE] = "card_unreadable",
    [NOTICE_CARD_EXPIRED] = "card_expired",
    [NOTICE_CARD_INVALID] = "card_invalid",
    [NOTICE_STAFF_BADGE] = "staff_badge",
    [NOTICE_PRODUCT_TAG] = "product_tag",
    [NOTICE_TAG_UNKNOWN] = "tag_unknown",
    [NOTICE_SIGN_IN_TO_ORDER] = "sign_in_to_order",
    [NOTICE_CART_FULL] = "cart_full",
    [NOTICE_ADDED_TO_CART] = "added_to_cart",
    [NOTICE_ORDER_NOT_SAVED] = "order_not_saved",
    [NOTICE_ORDER_REFUSED] = "order_refused",
    [NOTICE_GARMENT_UNKNOWN] = "garment_unknown",
    [NOTICE_TECHNICIAN] = "technician_badge",
    [NOTICE_WRONG_CUSTOMER] = "wrong_customer",
    [NOTICE_NOTE_SAVED] = "note_saved",
    [NOTICE_NOTE_FAILED] = "note_failed",
    [NOTICE_SETUP] = "setup_needed",
    [NOTICE_BADGE_FIRST] = "badge_first",
    [NOTICE_NO_PIN] = "no_service_pin",
};

const char *app_notice_name(Notice notice)
{
    return (unsigned)notice < NOTICE_COUNT ? NOTICE_NAMES[notice] : "unknown";
}

const char *app_screen_name(ScreenId screen)
{
    return (unsigned)screen < SCREEN_COUNT ? SCREEN_NAMES[screen] : "unknown";
}

const char *app_language(const AppState *s)
{
    return s->languages[s->language];
}

void app_init(AppState *s, const KioskConfig *cfg)
{
    memset(s, 0, sizeof *s);
    s->screen = SCREEN_ATTRACT;
    s->mode = cfg->mode;
    s->language_count = cfg->language_count;
    memcpy(s->languages, cfg->languages, sizeof s->languages);
    for (int i = 0; i < cfg->language_count; i++)
        if (strcmp(cfg->languages[i], cfg->language) == 0)
            s->default_language = i;
    s->language = s->default_language;
    s->reader_present = cfg->nfc_connstring[0] != '\0';
    s->central = cfg->central_url[0] != '\0';
    s->session.points = -1;
    s->default_accessible = cfg->high_contrast;
    s->accessible = cfg->high_contrast;
    s->idle_ms = (uint32_t)cfg->idle_seconds * 1000u;
    s->warning_ms = (uint32_t)cfg->warning_seconds * 1000u;
    s->associate_allowed = cfg->associate_mode;
    s->fitting_rooms = cfg->fitting_room[0] != '\0';
    snprintf(s->product_uri, sizeof s->product_uri, "%s", cfg->product_uri);
    s->staff_idle_ms = (uint32_t)cfg->staff_idle_seconds * 1000u;
}

void app_want(Effects *fx, EffectType type, TimerId timer, uint32_t delay_ms)
{
    /* APP_MAX_EFFECTS bounds one event's effects; more is a bug in this file. */
    if (fx->count < APP_MAX_EFFECTS)
        fx->items[fx->count++] = (Effect){.type = type, .timer = timer, .delay_ms = delay_ms};
}

/* Copies a string into a field, cut to fit (fields of one struct never overlap). */
void app_put(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memmove(dst, src, n);
    dst[n] = '\0';
}

void app_restart_idle(AppState *s, Effects *fx)
{
    s->idle_warning = false;
    s->wipe_at_ms = 0;
    app_want(fx, FX_TIMER_CANCEL, TIMER_WIPE, 0);
    bool staff = s->staff.active || s->service.technician[0];
    app_want(fx, FX_TIMER_ARM, TIMER_IDLE, staff ? s->staff_idle_ms : s->idle_ms);
}

/* The pairing code goes away with the screen that showed it. */
void app_pairing_clear(AppState *s, Effects *fx)
{
    if (!s->pairing_available && !s->pairing.id[0])
        return;
    memset(&s->pairing, 0, sizeof s->pairing);
    s->pairing_available = false;
    app_want(fx, FX_TIMER_CANCEL, TIMER_PAIRING, 0);
    app_want(fx, FX_PAIRING_STOP, TIMER_COUNT, 0);
}

/* Overwrites the customer's session, not just forgets it, and stops what it asked for. */
static void clear_session(AppState *s, Effects *fx)
{
    volatile unsigned char *p = (volatile unsigned char *)&s->session;
    for (size_t i = 0; i < sizeof s->session; i++)
        p[i] = 0;
    s->session.points = -1;
    memset(s->pending, 0, sizeof s->pending); /* late answers for the old session are dropped */
    s->idle_warning = false;
    s->wipe_at_ms = 0;
    s->language = s->default_language;
    s->accessible = s->default_accessible;
    app_pairing_clear(s, fx);
    app_want(fx, FX_TIMER_CANCEL, TIMER_WIPE, 0);
    app_want(fx, FX_TIMER_CANCEL, TIMER_STOCK, 0);
    app_want(fx, FX_TIMER_CANCEL, TIMER_ORDER, 0);
    app_want(fx, FX_TIMER_CANCEL, TIMER_SEARCH, 0);
    app_want(fx, FX_TIMER_CANCEL, TIMER_FITTING, 0);
}

void app_wipe_session(AppState *s, Effects *fx)
{
    /* Service mode ends too; its wait after wrong PINs holds for the next badge. */
    int failures = s->service.failures;
    uint64_t wait = s->service.wait_until_ms;
    memset(&s->service, 0, sizeof s->service);
    s->service.failures = failures;
    s->service.wait_until_ms = wait;
    clear_session(s, fx);
    volatile unsigned char *p = (volatile unsigned char *)&s->staff;
    for (size_t i = 0; i < sizeof s->staff; i++)
        p[i] = 0;
    s->screen = SCREEN_ATTRACT;
    app_want(fx, FX_TIMER_CANCEL, TIMER_IDLE, 0);
    /* What the operator asked for during the session, now that nobody's data shows. */
    if (s->shot_when_idle)
        app_want(fx, FX_SCREENSHOT, TIMER_COUNT, 0);
    s->shot_when_idle = false;
    if (s->restart_when_idle)
        app_want(fx, FX_RESTART, TIMER_COUNT, 0);
}

void app_wipe_customer(AppState *s, Effects *fx)
{
    clear_session(s, fx);
    s->session.active = true; /* the associate is still here */
    s->session.back_depth = 0;
    s->screen = SCREEN_STAFF;
    if (s->central)
        app_want(fx, FX_PAIRING_CREATE, TIMER_COUNT, 0);
    app_restart_idle(s, fx);
}

void app_show_notice(AppState *s, Notice n, Effects *fx)
{
    s->notice = n;
    app_want(fx, FX_TIMER_ARM, TIMER_NOTICE, APP_NOTICE_MS);
}

void app_clear_notice(AppState *s, Effects *fx)
{
    if (s->notice == NOTICE_NONE)
        return;
    s->notice = NOTICE_NONE;
    app_want(fx, FX_TIMER_CANCEL, TIMER_NOTICE, 0);
}

/* ---- the journey's helpers --------------------------------------------------------- */

static void want_load(Effects *fx, EffectType type, uint32_t seq)
{
    if (fx->count < APP_MAX_EFFECTS)
        fx->items[fx->count++] = (Effect){.type = type, .timer = TIMER_COUNT, .seq = seq};
}

/* A new request for `kind`: replies to older ones are dropped from now on. */
uint32_t app_ask(AppState *s, ResultKind kind, EffectType type, Effects *fx)
{
    if (++s->next_seq == 0)
        s->next_seq = 1; /* 0 means "not asked" */
    s->pending[kind] = s->next_seq;
    want_load(fx, type, s->next_seq);
    return s->next_seq;
}

/* Opens a screen, remembering where Back returns to. */
void app_go(AppState *s, ScreenId to)
{
    Session *se = &s->session;
    if (s->screen == to)
        return;
    if (to == SCREEN_HOME) {
        se->back_depth = 0; /* home is the root of a session */
    } else if (s->screen != SCREEN_CONFIRMATION && s->screen != SCREEN_ATTRACT) {
        if (se->back_depth == (int)(sizeof se->back / sizeof se->back[0])) {
            memmove(se->back, se->back + 1, sizeof se->back - sizeof se->back[0]);
            se->back_depth--;
        }
        se->back[se->back_depth++] = s->screen;
    }
    s->screen = to;
    se->handoff_state = LOAD_NONE;
    if (s->notice == NOTICE_ADDED_TO_CART || s->notice == NOTICE_CART_FULL ||
        s->notice == NOTICE_NOTE_SAVED)
        s->notice = NOTICE_NONE; /* said where it happened; not news on the next screen */
}

void app_load_home(AppState *s, Effects *fx)
{
    Session *se = &s->session;
    if (se->member_id[0]) {
        se->recs_state = LOAD_BUSY;
        app_ask(s, RESULT_RECOMMENDATIONS, FX_LOAD_RECS, fx);
        if (s->central) {
            se->offers_state = LOAD_BUSY;
            app_ask(s, RESULT_OFFERS, FX_LOAD_OFFERS, fx);
        }
    }
    if (se->categories_state != LOAD_OK) {
        se->categories_state = LOAD_BUSY;
        app_ask(s, RESULT_CATEGORIES, FX_LOAD_CATEGORIES, fx);
    }
}

int app_cart_items(const AppState *s)
{
    int n = 0;
    for (int i = 0; i < s->session.cart_count; i++)
        n += s->session.cart[i].qty;
    return n;
}

int64_t app_cart_subtotal(const AppState *s)
{
    int64_t sum = 0;
    for (int i = 0; i < s->session.cart_count; i++)
        sum += s->session.cart[i].unit_cents * s->session.cart[i].qty;
    return sum;
}

/* The offer's saving as the service will compute it (docs/api.md, Orders: totals). */
int64_t app_offer_discount(const AppState *s)
{
    const Session *se = &s->session;
    if (se->offer_choice < 0 || se->offer_choice >= se->offers.count)
        return 0;
    const OfferView *o = &se->offers.items[se->offer_choice];
    if (strcmp(o->kind, "amount") == 0) {
        int64_t sub = app_cart_subtotal(s);
        return o->value < sub ? o->value : sub;
    }
    if (strcmp(o->kind, "percent") != 0)
        return 0; /* free_shipping: shows in the shipping line */
    int64_t off = 0;
    for (int i = 0; i < se->cart_count; i++)
        if (strcmp(se->cart[i].product, o->product_id) == 0)
            off += se->cart[i].unit_cents * se->cart[i].qty * o->value / 100;
    return off;
}

/* Whether an offer applies to this cart: order-wide, or for a product in it. */
static bool offer_applies(const AppState *s, const OfferView *o)
{
    if (!o->product_id[0])
        return true;
    for (int i = 0; i < s->session.cart_count; i++)
        if (strcmp(s->session.cart[i].product, o->product_id) == 0)
            return true;
    return false;
}

int app_colours(const ProductDetail *p, int *firsts, int max)
{
    int n = 0;
    for (int i = 0; i < p->variant_count; i++) {
        bool seen = false;
        for (int k = 0; k < n && !seen; k++)
            seen = strcmp(p->variants[firsts[k]].colour, p->variants[i].colour) == 0;
        if (!seen && n < max)
            firsts[n++] = i;
    }
    return n;
}

int app_variant_for(const ProductDetail *p, int colour, const char *size)
{
    int firsts[VIEW_VARIANTS_MAX];
    int n = app_colours(p, firsts, VIEW_VARIANTS_MAX);
    if (colour < 0 || colour >= n)
        return -1;
    const char *name = p->variants[firsts[colour]].colour;
    for (int i = 0; i < p->variant_count; i++)
        if (strcmp(p->variants[i].colour, name) == 0 && strcmp(p->variants[i].size, size) == 0)
            return i;
    return -1;
}

static int stock_index(const StockView *st, const char *variant)
{
    for (int i = 0; i < st->variant_count; i++)
        if (strcmp(st->variants[i], variant) == 0)
            return i;
    return -1;
}

int app_stock_qty(const StockView *st, const LocationStock *loc, const char *variant)
{
    int i = stock_index(st, variant);
    return i < 0 ? -1 : loc->qty[i];
}

/* Available unless every location says none (unknown counts as available: the service
 * checks stock when the order arrives). */
bool app_variant_available(const StockView *st, const char *variant)
{
    int i = stock_index(st, variant);
    if (i < 0 || st->location_count == 0)
        return true;
    for (int l = 0; l < st->location_count; l++)
        if (st->locations[l].qty[i] != 0)
            return true;
    return false;
}

/* The member's size for a product of this category, "" if not known. */
const char *app_member_size(const Session *se, const char *category)
{
    if (strcmp(category, "running-shoes") == 0)
        return se->sizes.shoe;
    if (strcmp(category, "jeans") == 0)
        return se->sizes.waist;
    if (strcmp(category, "dresses") == 0)
        return se->sizes.dress;
    if (strcmp(category, "socks") == 0)
        return se->sizes.sock;
    if (strcmp(category, "tops") == 0 || strcmp(category, "jackets") == 0 ||
        strcmp(category, "base-layers") == 0)
        return se->sizes.top;
    return "";
}

static int colour_of(const ProductDetail *p, int variant)
{
    int firsts[VIEW_VARIANTS_MAX];
    int n = app_colours(p, firsts, VIEW_VARIANTS_MAX);
    for (int c = 0; c < n; c++)
        if (strcmp(p->variants[firsts[c]].colour, p->variants[variant].colour) == 0)
            return c;
    return 0;
}

/* Picks a variant when a product arrives: the one the card suggested, else the member's
 * size in the first colour that has it, else none (the shopper chooses). */
static void preselect(Session *se, const char *suggested)
{
    const ProductDetail *p = &se->product;
    se->variant = -1;
    se->colour = 0;
    for (int i = 0; suggested[0] && i < p->variant_count; i++)
        if (strcmp(p->variants[i].id, suggested) == 0)
            se->variant = i;
    const char *size = app_member_size(se, p->category);
    for (int i = 0; se->variant < 0 && size[0] && i < p->variant_count; i++)
        if (strcmp(p->variants[i].size, size) == 0)
            se->variant = i;
    if (se->variant < 0 && p->variant_count == 1)
        se->variant = 0; /* nothing to choose */
    if (se->variant >= 0)
        se->colour = colour_of(p, se->variant);
}

static void remember_viewed(Session *se, const char *product)
{
    int n = se->viewed_count;
    for (int i = 0; i < n; i++) {
        if (strcmp(se->viewed[i], product) == 0) {
            memmove(se->viewed[1], se->viewed[0], sizeof se->viewed[0] * (size_t)i);
            snprintf(se->viewed[0], sizeof se->viewed[0], "%s", product);
            return;
        }
    }
    if (n == APP_VIEWED_MAX)
        n--;
    memmove(se->viewed[1], se->viewed[0], sizeof se->viewed[0] * (size_t)n);
    snprintf(se->viewed[0], sizeof se->viewed[0], "%s", product);
    se->viewed_count = n + 1;
}

/* The card an OPEN_PRODUCT names: its product id and suggested variant. */
static bool card_target(const Session *se, int32_t arg, const char **product, const char **variant)
{
    int list = arg >> 8, i = arg & 0xff;
    const CardList *cards = NULL;
    switch ((CardSource)list) {
    case CARDS_RECS:
        cards = &se->recs;
        break;
    case CARDS_BROWSE:
        cards = &se->browse;
        break;
    case CARDS_SEARCH:
        cards = &se->search;
        break;
    case CARDS_LOOK:
        cards = &se->look;
        break;
    case CARDS_OFFERS:
        if (i >= se->offers.count || !se->offers.items[i].product_id[0])
            return false;
        *product = se->offers.items[i].product_id;
        *variant = "";
        return true;
    case CARDS_CART:
        if (i >= se->cart_count)
            return false;
        *product = se->cart[i].product;
        *variant = se->cart[i].variant;
        return true;
    }
    if (!cards || i >= cards->count)
        return false;
    *product = cards->items[i].id;
    *variant = cards->items[i].variant;
    return true;
}

void app_open_product(AppState *s, const char *product, const char *variant, Effects *fx)
{
    Session *se = &s->session;
    char suggested[sizeof se->product.variants[0].id];
    snprintf(suggested, sizeof suggested, "%s", variant);
    memset(&se->product, 0, sizeof se->product);
    memset(&se->stock, 0, sizeof se->stock);
    snprintf(se->product.id, sizeof se->product.id, "%s", product);
    /* The suggestion waits in the variant list until the product arrives. */
    snprintf(se->product.variants[0].id, sizeof se->product.variants[0].id, "%s", suggested);
    se->variant = -1;
    se->colour = 0;
    se->product_state = LOAD_BUSY;
    se->stock_state = LOAD_NONE;
    remember_viewed(se, product);
    app_ask(s, RESULT_PRODUCT, FX_LOAD_PRODUCT, fx);
    app_want(fx, FX_TIMER_CANCEL, TIMER_STOCK, 0);
    app_go(s, SCREEN_PRODUCT);
}

static bool add_to_cart(AppState *s, Effects *fx)
{
    Session *se = &s->session;
    if (se->product_state != LOAD_OK || se->variant < 0 || se->variant >= se->product.variant_count)
        return false;
    const VariantView *v = &se->product.variants[se->variant];
    if (!app_variant_available(&se->stock, v->id))
        return false;
    for (int i = 0; i < se->cart_count; i++) {
        if (strcmp(se->cart[i].variant, v->id) == 0) {
            if (se->cart[i].qty >= APP_QTY_MAX) {
                app_show_notice(s, NOTICE_CART_FULL, fx);
                return true;
            }
            se->cart[i].qty++;
            app_show_notice(s, NOTICE_ADDED_TO_CART, fx);
            return true;
        }
    }
    if (se->cart_count == APP_CART_LINES_MAX) {
        app_show_notice(s, NOTICE_CART_FULL, fx);
        return true;
    }
    CartLine *l = &se->cart[se->cart_count++];
    memset(l, 0, sizeof *l);
    app_put(l->variant, sizeof l->variant, v->id);
    app_put(l->product, sizeof l->product, se->product.id);
    app_put(l->name, sizeof l->name, se->product.name);
    app_put(l->size, sizeof l->size, v->size);
    app_put(l->colour, sizeof l->colour, v->colour);
    app_put(l->currency, sizeof l->currency, se->product.currency);
    snprintf(l->image_url, sizeof l->image_url, "%s",
             v->image_url[0] ? v->image_url : se->product.image_url);
    l->unit_cents = v->price_cents > 0 ? v->price_cents : se->product.price_cents;
    l->qty = 1;
    app_show_notice(s, NOTICE_ADDED_TO_CART, fx);
    return true;
}

static bool remove_line(Session *se, int i)
{
    if (i < 0 || i >= se->cart_count)
        return false;
    memmove(&se->cart[i], &se->cart[i + 1], sizeof se->cart[0] * (size_t)(se->cart_count - i - 1));
    se->cart_count--;
    return true;
}

static void start_checkout(AppState *s, Effects *fx)
{
    Session *se = &s->session;
    se->order_phase = ORDER_EDITING;
    se->refusal[0] = '\0';
    if (!se->profile_loaded && se->address_count == 0) {
        /* Offline the saved addresses cannot be read: the service ships to the default. */
        se->address_count = 1;
        memset(&se->addresses[0], 0, sizeof se->addresses[0]);
        app_put(se->addresses[0].id, sizeof se->addresses[0].id, APP_DEFAULT_ADDRESS);
        se->addresses[0].is_default = true;
    }
    se->address_choice = -1;
    for (int i = 0; i < se->address_count; i++)
        if (se->address_choice < 0 || se->addresses[i].is_default)
            se->address_choice =
                se->addresses[i].is_default || se->address_choice < 0 ? i : se->address_choice;
    se->offer_choice = -1;
    se->shipping_choice = -1;
    se->shipping_state = LOAD_BUSY;
    app_ask(s, RESULT_SHIPPING, FX_LOAD_SHIPPING, fx);
    app_go(s, SCREEN_CHECKOUT);
}

/* Everything the order needs is chosen (the UI greys "Place order" out otherwise). */
static bool order_ready(const AppState *s)
{
    const Session *se = &s->session;
    if (!se->member_id[0] || se->cart_count == 0 || (se->profile_loaded && !se->payment_on_file) ||
        se->order_phase != ORDER_EDITING || se->shipping_choice < 0 ||
        se->shipping_choice >= se->shipping.count)
        return false;
    if (se->shipping.items[se->shipping_choice].needs_address &&
        (se->address_choice < 0 || se->address_choice >= se->address_count))
        return false;
    return true;
}

bool app_type_key(char *text, size_t size, int32_t key)
{
    size_t n = strlen(text);
    if (key == KEY_BACKSPACE) {
        if (n == 0)
            return false;
        do /* back over a whole UTF-8 sequence */
            n--;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80);
        text[n] = '\0';
        return true;
    }
    if (key == KEY_CLEAR) {
        bool had = n > 0;
        text[0] = '\0';
        return had;
    }
    if (key < 0x20 || key > 0xFF || (key >= 0x7F && key < 0xA0))
        return false; /* control characters, C1 included: nothing a field should hold */
    char enc[3] = {0};
    if (key < 0x80) {
        enc[0] = (char)key;
    } else {
        enc[0] = (char)(0xC0 | (key >> 6));
        enc[1] = (char)(0x80 | (key & 0x3F));
    }
    if (n + strlen(enc) >= size)
        return false;
    memcpy(text + n, enc, strlen(enc) + 1);
    return true;
}

static bool retry(AppState *s, Effects *fx)
{
    Session *se = &s->session;
    switch (s->screen) {
    case SCREEN_HOME:
        app_load_home(s, fx);
        return true;
    case SCREEN_BROWSE:
        se->browse_state = LOAD_BUSY;
        app_ask(s, RESULT_BROWSE, FX_LOAD_BROWSE, fx);
        return true;
    case SCREEN_SEARCH:
        if (!se->query[0])
            return false;
        se->search_state = LOAD_BUSY;
        app_ask(s, RESULT_SEARCH, FX_SEARCH, fx);
        return true;
    case SCREEN_PRODUCT:
        if (se->product_state == LOAD_FAILED) {
            se->product_state = LOAD_BUSY;
            app_ask(s, RESULT_PRODUCT, FX_LOAD_PRODUCT, fx);
        } else {
            se->stock_state = LOAD_BUSY;
            app_ask(s, RESULT_STOCK, FX_LOAD_STOCK, fx);
        }
        return true;
    case SCREEN_CHECKOUT:
        se->shipping_state = LOAD_BUSY;
        app_ask(s, RESULT_SHIPPING, FX_LOAD_SHIPPING, fx);
        return true;
    default:
        return false;
    }
}

/* Associate mode's root: the customer's file, or finding the customer. */
static void to_root(AppState *s)
{
    s->session.back_depth = 0;
    s->screen = s->session.member_id[0] ? SCREEN_CUSTOMER : SCREEN_STAFF;
}

static bool on_intent(AppState *s, Intent intent, int32_t arg, uint64_t now_ms, Effects *fx)
{
    Session *se = &s->session;
    if (app_service_screen(s->screen) || intent == INTENT_SERVICE_PIN ||
        intent == INTENT_SERVICE_SECTION || intent == INTENT_SERVICE_TOUCH ||
        intent == INTENT_SERVICE_RESET || intent == INTENT_SERVICE_EXIT)
        return app_service_intent(s, intent, arg, now_ms, fx);
    bool in_session = s->screen != SCREEN_ATTRACT;
    switch (intent) {
    case INTENT_START:
        if (s->screen != SCREEN_ATTRACT)
            return false;
        s->screen = SCREEN_IDENTIFY;
        se->active = true;
        se->after_sign_in = SCREEN_HOME;
        app_restart_idle(s, fx);
        if (s->central) /* the app's way in: shown once the service has issued a code */
            app_want(fx, FX_PAIRING_CREATE, TIMER_COUNT, 0);
        return true;
    case INTENT_BACK:
        if (!in_session)
            return false;
        if (se->handoff_state != LOAD_NONE) {
            se->handoff_state = LOAD_NONE;
            return true;
        }
        if (se->back_depth > 0) {
            ScreenId to = se->back[--se->back_depth];
            if (s->screen == SCREEN_IDENTIFY)
                app_pairing_clear(s, fx);
            if (to == SCREEN_IDENTIFY && s->central)
                app_want(fx, FX_PAIRING_CREATE, TIMER_COUNT, 0);
            s->screen = to;
            return true;
        }
        if (s->staff.active) { /* the roots of associate mode */
            if (s->screen == SCREEN_CONFIRMATION) {
                app_wipe_customer(s, fx);
                return true;
            }
            if (s->screen == SCREEN_HOME) {
                s->screen = se->member_id[0] ? SCREEN_CUSTOMER : SCREEN_STAFF;
                return true;
            }
            if (s->screen == SCREEN_STAFF || s->screen == SCREEN_CUSTOMER)
                return false;
        }
        if (s->screen == SCREEN_IDENTIFY || s->screen == SCREEN_CONFIRMATION) {
            app_wipe_session(s, fx);
            return true;
        }
        if (s->screen != SCREEN_HOME) {
            app_go(s, SCREEN_HOME);
            return true;
        }
        return false;
    case INTENT_END_SESSION:
        if (!in_session)
            return false;
        if (s->staff.active && se->member_id[0]) /* done with this customer, not the badge */
            app_wipe_customer(s, fx);
        else
            app_wipe_session(s, fx);
        return true;
    case INTENT_SET_LANGUAGE:
        if (arg < 0 || arg >= s->language_count || arg == s->language)
            return false;
        s->language = arg;
        return true;
    case INTENT_STILL_HERE:
        if (!s->idle_warning)
            return false;
        app_restart_idle(s, fx);
        return true;
    case INTENT_GUEST:
        if (s->screen != SCREEN_IDENTIFY)
            return false;
        app_pairing_clear(s, fx);
        se->active = true;
        app_go(s, SCREEN_HOME);
        app_load_home(s, fx);
        return true;
    case INTENT_HOME:
        if (!in_session || s->screen == SCREEN_IDENTIFY)
            return false;
        app_go(s, SCREEN_HOME);
        if (se->categories_state != LOAD_OK && se->categories_state != LOAD_BUSY)
            app_load_home(s, fx);
        return true;
    case INTENT_OPEN_CATEGORY:
        if (!in_session || arg < 0 || arg >= se->category_count)
            return false;
        snprintf(se->category, sizeof se->category, "%s", se->categories[arg]);
        se->browse_page = 0;
        se->browse_state = LOAD_BUSY;
        app_ask(s, RESULT_BROWSE, FX_LOAD_BROWSE, fx);
        app_go(s, SCREEN_BROWSE);
        return true;
    case INTENT_PAGE: {
        if (s->screen != SCREEN_BROWSE || se->browse_state != LOAD_OK)
            return false;
        int pages = (se->browse.total + APP_PAGE_CARDS - 1) / APP_PAGE_CARDS;
        int to = se->browse_page + (arg > 0 ? 1 : -1);
        if (to < 0 || to >= pages)
            return false;
        se->browse_page = to;
        se->browse_state = LOAD_BUSY;
        app_ask(s, RESULT_BROWSE, FX_LOAD_BROWSE, fx);
        return true;
    }
    case INTENT_OPEN_SEARCH:
        if (!in_session || s->screen == SCREEN_IDENTIFY)
            return false;
        app_go(s, SCREEN_SEARCH);
        return true;
    case INTENT_KEY:
        if (s->screen == SCREEN_NOTE)
            return app_staff_intent(s, intent, arg, fx);
        if (s->screen != SCREEN_SEARCH || !app_type_key(se->query, sizeof se->query, arg))
            return false;
        app_want(fx, FX_TIMER_ARM, TIMER_SEARCH, APP_SEARCH_DELAY_MS);
        return true;
    case INTENT_OPEN_PRODUCT: {
        const char *product = NULL, *variant = NULL;
        if (!in_session || s->screen == SCREEN_IDENTIFY || arg < 0 ||
            !card_target(se, arg, &product, &variant))
            return false;
        char p[sizeof se->product.id], v[sizeof se->product.id];
        snprintf(p, sizeof p, "%s", product); /* both may live in what open_product clears */
        snprintf(v, sizeof v, "%s", variant);
        se->garment = false;
        app_open_product(s, p, v, fx);
        return true;
    }
    case INTENT_COLOUR: {
        if (s->screen != SCREEN_PRODUCT || se->product_state != LOAD_OK)
            return false;
        int firsts[VIEW_VARIANTS_MAX];
        int n = app_colours(&se->product, firsts, VIEW_VARIANTS_MAX);
        if (arg < 0 || arg >= n)
            return false;
        const char *size = se->variant >= 0 ? se->product.variants[se->variant].size : "";
        int v = app_variant_for(&se->product, arg, size);
        se->colour = arg;
        se->variant = v >= 0 ? v : (se->product.variants[firsts[arg]].size[0] ? -1 : firsts[arg]);
        return true;
    }
    case INTENT_SIZE:
        if (s->screen != SCREEN_PRODUCT || se->product_state != LOAD_OK || arg < 0 ||
            arg >= se->product.variant_count || colour_of(&se->product, arg) != se->colour)
            return false;
        se->variant = arg;
        return true;
    case INTENT_ADD_TO_CART:
        return s->screen == SCREEN_PRODUCT && add_to_cart(s, fx);
    case INTENT_OPEN_CART:
        if (!in_session || s->screen == SCREEN_IDENTIFY)
            return false;
        app_go(s, SCREEN_CART);
        return true;
    case INTENT_QTY_UP:
        if (s->screen != SCREEN_CART || arg < 0 || arg >= se->cart_count)
            return false;
        if (se->cart[arg].qty >= APP_QTY_MAX) {
            app_show_notice(s, NOTICE_CART_FULL, fx);
            return true;
        }
        se->cart[arg].qty++;
        return true;
    case INTENT_QTY_DOWN:
        if (s->screen != SCREEN_CART || arg < 0 || arg >= se->cart_count)
            return false;
        if (--se->cart[arg].qty == 0)
            remove_line(se, arg);
        return true;
    case INTENT_REMOVE_LINE:
        return s->screen == SCREEN_CART && remove_line(se, arg);
    case INTENT_CHECKOUT:
        if (s->screen != SCREEN_CART || se->cart_count == 0)
            return false;
        if (!se->member_id[0] && s->staff.active) { /* the associate finds the customer first */
            to_root(s);
            app_show_notice(s, NOTICE_SIGN_IN_TO_ORDER, fx);
            return true;
        }
        if (!se->member_id[0]) { /* ordering needs a member: sign in, then come back */
            se->after_sign_in = SCREEN_CHECKOUT;
            app_go(s, SCREEN_IDENTIFY);
            app_show_notice(s, NOTICE_SIGN_IN_TO_ORDER, fx);
            if (s->central)
                app_want(fx, FX_PAIRING_CREATE, TIMER_COUNT, 0);
            return true;
        }
        start_checkout(s, fx);
        return true;
    case INTENT_ADDRESS:
        if (s->screen != SCREEN_CHECKOUT || se->order_phase != ORDER_EDITING || arg < 0 ||
            arg >= se->address_count)
            return false;
        se->address_choice = arg;
        return true;
    case INTENT_SHIPPING:
        if (s->screen != SCREEN_CHECKOUT || se->order_phase != ORDER_EDITING || arg < 0 ||
            arg >= se->shipping.count)
            return false;
        se->shipping_choice = arg;
        return true;
    case INTENT_OFFER:
        if (s->screen != SCREEN_CHECKOUT || se->order_phase != ORDER_EDITING ||
            arg >= se->offers.count || arg < -1 ||
            (arg >= 0 && !offer_applies(s, &se->offers.items[arg])))
            return false;
        se->offer_choice = se->offer_choice == arg ? -1 : arg;
        return true;
    case INTENT_PLACE_ORDER:
        if (s->screen != SCREEN_CHECKOUT || !order_ready(s))
            return false;
        if (s->staff.active) { /* the customer confirms it with their own card first */
            app_staff_confirm(s, fx);
            return true;
        }
        se->order_phase = ORDER_STORING;
        se->refusal[0] = '\0';
        memset(&se->order, 0, sizeof se->order);
        app_ask(s, RESULT_ORDER_STORED, FX_PLACE_ORDER, fx);
        return true;
    case INTENT_HANDOFF:
        if ((s->screen != SCREEN_PRODUCT && s->screen != SCREEN_CART &&
             s->screen != SCREEN_CHECKOUT) ||
            !s->central || (s->screen != SCREEN_PRODUCT && se->cart_count == 0) ||
            (s->screen == SCREEN_PRODUCT && se->product_state != LOAD_OK))
            return false;
        se->handoff_state = LOAD_BUSY;
        app_ask(s, RESULT_HANDOFF, FX_HANDOFF, fx);
        return true;
    case INTENT_CLOSE_PANEL:
        if (se->handoff_state == LOAD_NONE)
            return false;
        se->handoff_state = LOAD_NONE;
        return true;
    case INTENT_RETRY:
        return in_session && retry(s, fx);
    case INTENT_ACCESSIBILITY:
        s->accessible = !s->accessible;
        return true;
    case INTENT_FITTING_OPEN:
    case INTENT_FITTING_SEND:
    case INTENT_FITTING_DISMISS:
        return app_mirror_intent(s, intent, arg, fx);
    case INTENT_LOCK:
    case INTENT_OPEN_CUSTOMER:
    case INTENT_NEXT_CUSTOMER:
    case INTENT_OPEN_NOTE:
    case INTENT_SAVE_NOTE:
        return app_staff_intent(s, intent, arg, fx);
    case INTENT_SERVICE_PIN: /* all handled above */
    case INTENT_SERVICE_SECTION:
    case INTENT_SERVICE_TOUCH:
    case INTENT_SERVICE_RESET:
    case INTENT_SERVICE_EXIT:
    case INTENT_ENROLL: /* enrolled already */
    case INTENT_NONE:
    case INTENT_COUNT:
        return false;
    }
    return false;
}

/* ---- data arriving ----------------------------------------------------------------- */

static LoadState loaded(const Result *r)
{
    return r->err == KIOSK_OK ? LOAD_OK : LOAD_FAILED;
}

static void note_online(AppState *s, const Result *r)
{
    if (r->offline)
        s->online = false;
    else if (r->err == KIOSK_OK && (r->kind == RESULT_STOCK ? r->u.stock.live : true) &&
             r->kind != RESULT_CATEGORIES && r->kind != RESULT_BROWSE && r->kind != RESULT_SEARCH &&
             r->kind != RESULT_PRODUCT && r->kind != RESULT_ORDER_STORED &&
             r->kind != RESULT_GARMENT && r->kind != RESULT_LOOK)
        s->online = true; /* an answer from the central service */
}

static bool on_order_result(AppState *s, const Result *r, Effects *fx)
{
    Session *se = &s->session;
    bool ours = se->order.idempotency_key[0] &&
                strcmp(se->order.idempotency_key, r->u.order.idempotency_key) == 0;
    switch (r->kind) {
    case RESULT_ORDER_STORED:
        if (r->seq != s->pending[RESULT_ORDER_STORED] || se->order_phase != ORDER_STORING)
            return false;
        if (r->err != KIOSK_OK) {
            se->order_phase = ORDER_EDITING; /* nothing was placed: say so plainly */
            app_show_notice(s, NOTICE_ORDER_NOT_SAVED, fx);
            return true;
        }
        snprintf(se->order.idempotency_key, sizeof se->order.idempotency_key, "%s",
                 r->u.order.idempotency_key);
        se->order_phase = ORDER_SENDING;
        app_want(fx, FX_TIMER_ARM, TIMER_ORDER, APP_ORDER_WAIT_MS);
        app_want(fx, FX_SYNC_KICK, TIMER_COUNT, 0);
        return true;
    case RESULT_ORDER_SENT:
        if (!ours || (se->order_phase != ORDER_SENDING && se->order_phase != ORDER_QUEUED))
            return false;
        se->order = r->u.order;
        se->order_phase = ORDER_DONE;
        se->cart_count = 0;
        app_want(fx, FX_TIMER_CANCEL, TIMER_ORDER, 0);
        app_go(s, SCREEN_CONFIRMATION);
        se->back_depth = 0; /* nothing to go back to: the order is placed */
        return true;
    case RESULT_ORDER_REFUSED:
        if (!ours)
            return false;
        snprintf(se->refusal, sizeof se->refusal, "%s", r->refusal);
        app_want(fx, FX_TIMER_CANCEL, TIMER_ORDER, 0);
        if (se->order_phase == ORDER_SENDING) { /* still at checkout: they can change it */
            se->order_phase = ORDER_EDITING;
            memset(&se->order, 0, sizeof se->order);
        }
        app_show_notice(s, NOTICE_ORDER_REFUSED, fx);
        return true;
    default:
        return false;
    }
}

/* Someone is using the screen: a shopper, an associate, a technician in service mode. */
static bool screen_in_use(const AppState *s)
{
    return s->session.active || s->staff.active || s->service.technician[0];
}

/* The operator's commands, from a heartbeat's answer. A restart waits for the screen to
 * be free: nobody's session is cut off. */
static bool on_heartbeat(AppState *s, const Result *r, Effects *fx)
{
    bool was = strcmp(s->heartbeat, r->err == KIOSK_OK ? "ok" : r->refusal) != 0;
    app_put(s->heartbeat, sizeof s->heartbeat, r->err == KIOSK_OK ? "ok" : r->refusal);
    if (r->err != KIOSK_OK)
        return was;
    const CentralHeartbeatReply *h = &r->u.heartbeat;
    if (h->has_config) /* the store's PIN, set or removed at the service (core keeps it) */
        s->service_pin_set = strcmp(h->service_pin, "null") != 0;
    if (h->next_heartbeat_seconds > 0 && h->next_heartbeat_seconds <= 86400)
        s->heartbeat_ms = (uint32_t)h->next_heartbeat_seconds * 1000u;
    bool changed = was;
    if (h->renew_certificate && !s->renewing) { /* one renewal at a time */
        s->renewing = true;
        app_ask(s, RESULT_RENEWED, FX_RENEW, fx);
    }
    for (size_t i = 0; i < h->command_count; i++) {
        const char *cmd = h->commands[i].command;
        log_info("app", "operator command %s (%s)", cmd, h->commands[i].id);
        if (strcmp(cmd, "sync_now") == 0) {
            app_want(fx, FX_SYNC_KICK, TIMER_COUNT, 0);
        } else if (strcmp(cmd, "screenshot") == 0) {
            if (screen_in_use(s)) /* a member's or a customer's data never goes to a file */
                s->shot_when_idle = true;
            else
                app_want(fx, FX_SCREENSHOT, TIMER_COUNT, 0);
        } else if (strcmp(cmd, "restart") == 0) {
            if (screen_in_use(s)) {
                s->restart_when_idle = true;
                changed = true;
            } else {
                app_want(fx, FX_RESTART, TIMER_COUNT, 0);
            }
        } else {
            log_warn("app", "unknown operator command %s: skipped", cmd);
        }
    }
    return changed;
}

static bool on_result(AppState *s, const Result *r, uint64_t now_ms, Effects *fx)
{
    Session *se = &s->session;
    note_online(s, r);
    if (r->kind == RESULT_SYNC) {
        bool grew = r->u.sync.products != s->catalog_size;
        s->online = r->u.sync.online;
        s->last_sync = r->u.sync.last_sync;
        s->catalog_size = r->u.sync.products;
        s->outbox_depth = r->u.sync.outbox_depth;
        if (grew && s->screen == SCREEN_HOME) { /* first boot: categories as they arrive */
            se->categories_state = se->categories_state == LOAD_OK ? LOAD_OK : LOAD_BUSY;
            app_ask(s, RESULT_CATEGORIES, FX_LOAD_CATEGORIES, fx);
        }
        return true;
    }
    if (r->kind == RESULT_ORDER_STORED || r->kind == RESULT_ORDER_SENT ||
        r->kind == RESULT_ORDER_REFUSED)
        return on_order_result(s, r, fx);
    if (r->kind == RESULT_HEARTBEAT)
        return on_heartbeat(s, r, fx);
    if (r->kind == RESULT_PIN_CHECKED || r->kind == RESULT_DIAG)
        return app_service_result(s, r, now_ms, fx);
    if (r->kind == RESULT_RENEWED) {
        /* Connections open with the old certificate end with the kiosk's next start, when
         * nobody is using it; the service accepts only the new one from now on. */
        if (!s->renewing)
            return false;
        s->renewing = false;
        s->pending[RESULT_RENEWED] = 0;
        if (r->err == KIOSK_OK && !screen_in_use(s))
            app_want(fx, FX_RESTART, TIMER_COUNT, 0);
        else if (r->err == KIOSK_OK)
            s->restart_when_idle = true;
        return false;
    }
    if ((unsigned)r->kind >= RESULT_KIND_COUNT || r->seq == 0 || r->seq != s->pending[r->kind])
        return false; /* an answer to a question nobody is asking any more */
    s->pending[r->kind] = 0;
    switch (r->kind) {
    case RESULT_RECOMMENDATIONS:
        se->recs_state = loaded(r);
        if (r->err == KIOSK_OK)
            se->recs = r->u.cards;
        se->recs_on_device = r->offline;
        break;
    case RESULT_OFFERS:
        se->offers_state = loaded(r);
        if (r->err == KIOSK_OK)
            se->offers = r->u.offers;
        break;
    case RESULT_CATEGORIES:
        se->categories_state = loaded(r);
        se->category_count = 0;
        for (int i = 0; r->err == KIOSK_OK && i < r->u.categories.count; i++)
            memcpy(se->categories[se->category_count++], r->u.categories.names[i],
                   sizeof se->categories[0]);
        break;
    case RESULT_BROWSE:
        se->browse_state = loaded(r);
        if (r->err == KIOSK_OK)
            se->browse = r->u.cards;
        break;
    case RESULT_SEARCH:
        se->search_state = loaded(r);
        if (r->err == KIOSK_OK)
            se->search = r->u.cards;
        snprintf(se->search_done, sizeof se->search_done, "%s", r->query);
        break;
    case RESULT_PRODUCT: {
        char suggested[sizeof se->product.variants[0].id];
        snprintf(suggested, sizeof suggested, "%s", se->product.variants[0].id);
        se->product_state = loaded(r);
        if (r->err != KIOSK_OK)
            break;
        se->product = r->u.product;
        preselect(se, suggested);
        se->stock_state = LOAD_BUSY;
        app_ask(s, RESULT_STOCK, FX_LOAD_STOCK, fx);
        app_mirror_product_loaded(s, fx);
        break;
    }
    case RESULT_STOCK:
        if (r->err != KIOSK_OK && se->stock_state == LOAD_OK)
            break; /* keep the figures on screen; their age says how old they are */
        se->stock_state = loaded(r);
        if (r->err == KIOSK_OK)
            se->stock = r->u.stock;
        if (s->screen == SCREEN_PRODUCT)
            app_want(fx, FX_TIMER_ARM, TIMER_STOCK, APP_STOCK_REFRESH_MS);
        break;
    case RESULT_SHIPPING:
        se->shipping_state = loaded(r);
        if (r->err != KIOSK_OK)
            break;
        se->shipping = r->u.shipping;
        se->shipping_choice = se->shipping.count > 0 ? 0 : -1;
        break;
    case RESULT_GARMENT:
    case RESULT_LOOK:
    case RESULT_FITTING:
        return app_mirror_result(s, r, fx);
    case RESULT_STAFF:
    case RESULT_HISTORY:
    case RESULT_NOTES:
    case RESULT_NOTE_SAVED:
        return app_staff_result(s, r, fx);
    case RESULT_HANDOFF:
        if (se->handoff_state == LOAD_NONE)
            break; /* closed meanwhile */
        se->handoff_state = loaded(r);
        if (r->err == KIOSK_OK)
            se->handoff = r->u.handoff;
        break;
    default:
        break;
    }
    return true;
}
static bool on_timer(AppState *s, TimerId id, uint64_t now_ms, Effects *fx)
{
    if (id == TIMER_SERVICE)
        return app_service_timer(s, id, fx);
    if (id == TIMER_HEARTBEAT) { /* whatever the screen: the fleet hears from every device */
        if (s->heartbeat_ms) {
            app_want(fx, FX_HEARTBEAT, TIMER_COUNT, 0);
            app_want(fx, FX_TIMER_ARM, TIMER_HEARTBEAT, s->heartbeat_ms);
        }
        return false;
    }
    if (id == TIMER_NOTICE) {
        bool had = s->notice != NOTICE_NONE;
        s->notice = NOTICE_NONE;
        return had;
    }
    if (s->screen == SCREEN_ATTRACT)
        return false; /* a stale timer from a session that already ended */
    if (id == TIMER_PAIRING) {
        if ((s->screen == SCREEN_IDENTIFY || s->screen == SCREEN_STAFF ||
             s->screen == SCREEN_CONFIRM) &&
            s->central)
            app_want(fx, FX_PAIRING_CREATE, TIMER_COUNT, 0); /* a fresh code before this one ends */
        return false;
    }
    Session *se = &s->session;
    if (id == TIMER_STOCK) {
        if (s->screen == SCREEN_PRODUCT && se->product_state == LOAD_OK)
            app_ask(s, RESULT_STOCK, FX_LOAD_STOCK, fx);
        return false;
    }
    if (id == TIMER_FITTING)
        return app_mirror_timer(s, id, fx);
    if (id == TIMER_SEARCH) {
        if (s->screen != SCREEN_SEARCH)
            return false;
        if (!se->query[0]) {
            se->search_state = LOAD_NONE;
            se->search.count = 0;
            se->search_done[0] = '\0';
            s->pending[RESULT_SEARCH] = 0;
            return true;
        }
        se->search_state = LOAD_BUSY;
        app_ask(s, RESULT_SEARCH, FX_SEARCH, fx);
        return true;
    }
    if (id == TIMER_ORDER) {
        if (se->order_phase != ORDER_SENDING)
            return false;
        /* Durable but not confirmed yet: the sender keeps trying; the shopper can go. */
        se->order_phase = ORDER_QUEUED;
        se->cart_count = 0;
        app_go(s, SCREEN_CONFIRMATION);
        se->back_depth = 0;
        return true;
    }
    switch (id) {
    case TIMER_IDLE:
        s->idle_warning = true;
        s->wipe_at_ms = now_ms + s->warning_ms;
        app_want(fx, FX_TIMER_ARM, TIMER_WIPE, s->warning_ms);
        return true;
    case TIMER_WIPE:
        log_info("app", "session ended after %u s without a touch",
                 (s->idle_ms + s->warning_ms) / 1000u);
        app_wipe_session(s, fx);
        return true;
    case TIMER_NOTICE:
    case TIMER_PAIRING:
    case TIMER_STOCK:
    case TIMER_ORDER:
    case TIMER_SEARCH:
    case TIMER_FITTING:
    case TIMER_RESTART:
    case TIMER_HEARTBEAT:
    case TIMER_SERVICE:
    case TIMER_PROBE:
    case TIMER_COUNT:
        break;
    }
    return false;
}

static Notice notice_for(IdentityRefusal r)
{
    switch (r) {
    case REFUSED_EXPIRED:
        return NOTICE_CARD_EXPIRED;
    case REFUSED_INVALID:
        return NOTICE_CARD_INVALID;
    case REFUSED_UNKNOWN_TAG:
        return NOTICE_TAG_UNKNOWN;
    case REFUSED_UNREADABLE:
    case REFUSED_NONE:
        break;
    }
    return NOTICE_CARD_UNREADABLE;
}

/* A member has just signed in: home, or back where a guest asked to check out. */
void app_signed_in(AppState *s, Effects *fx)
{
    Session *se = &s->session;
    if (se->after_sign_in == SCREEN_CHECKOUT && se->cart_count > 0 &&
        s->screen == SCREEN_IDENTIFY) {
        se->back_depth = 0;
        s->screen = SCREEN_CART;
        app_load_home(s, fx); /* their offers are needed at checkout */
        return;
    }
    if (s->screen == SCREEN_PRODUCT || s->screen == SCREEN_CART || s->screen == SCREEN_BROWSE ||
        s->screen == SCREEN_SEARCH) {
        app_load_home(s, fx); /* a card tapped while browsing: stay, greet on the way home */
        return;
    }
    app_go(s, SCREEN_HOME);
    app_load_home(s, fx);
}

/* A verified member signs in: the session starts (or passes to them) and they are greeted.
 * Roles other than member are not for shopper screens. Only kinds and codes are logged. */
static bool on_identity(AppState *s, const Identity *id, Effects *fx)
{
    switch (id->kind) {
    case IDENTITY_MEMBER:
        if (s->staff.active) /* the customer an associate serves, or their confirmation */
            return app_staff_identity(s, id, fx);
        if (s->session.active && s->session.member_id[0] &&
            strcmp(s->session.member_id, id->member_id) != 0)
            app_wipe_session(s, fx); /* a second shopper: nothing of the first one stays */
        s->session.active = true;
        s->session.source = id->source;
        snprintf(s->session.member_id, sizeof s->session.member_id, "%s", id->member_id);
        snprintf(s->session.token, sizeof s->session.token, "%s", id->token);
        snprintf(s->session.uid_hex, sizeof s->session.uid_hex, "%s", id->uid_hex);
        if (s->central)
            app_want(fx, FX_FETCH_PROFILE, TIMER_COUNT, 0);
        app_pairing_clear(s, fx);
        app_signed_in(s, fx);
        app_clear_notice(s, fx);
        app_restart_idle(s, fx);
        log_info("app", "member signed in by %s", id->source == SOURCE_CARD ? "card" : "scanner");
        return true;
    case IDENTITY_STAFF:
    case IDENTITY_TECHNICIAN:
        return app_staff_identity(s, id, fx);
    case IDENTITY_GARMENT:
        return app_mirror_garment(s, id, fx);
    case IDENTITY_REFUSED:
        log_info("app", "refused a %s: %s", id->source == SOURCE_CARD ? "card" : "scanned code",
                 token_result_name(id->token_result));
        app_show_notice(s, notice_for(id->refusal), fx);
        return true;
    case IDENTITY_ENROLL_CODE: /* the device is enrolled already: nothing to do with it */
    case IDENTITY_NONE:
        break;
    }
    return false;
}

/* The central service's word on who the member is. Offline the greeting stays "Welcome
 * back"; a reply for a shopper who has already gone is dropped. */
static bool on_profile(AppState *s, const Event *ev)
{
    const ProfileEvent *p = &ev->u.profile;
    bool was_online = s->online;
    /* Refused (4xx) still means the service answered. */
    s->online = p->result == CENTRAL_OK || p->result == CENTRAL_REFUSED;
    if (p->result != CENTRAL_OK || !s->session.active ||
        strcmp(p->member_id, s->session.member_id) != 0)
        return s->online != was_online;
    Session *se = &s->session;
    snprintf(se->display_name, sizeof se->display_name, "%s", p->display_name);
    snprintf(se->tier, sizeof se->tier, "%s", p->tier);
    se->points = p->points > INT32_MAX ? INT32_MAX : (int)p->points;
    snprintf(se->last_purchase, sizeof se->last_purchase, "%s", p->last_item);
    snprintf(se->last_channel, sizeof se->last_channel, "%s", p->last_channel);
    snprintf(se->last_product, sizeof se->last_product, "%s", p->last_product);
    se->sizes = p->sizes;
    se->prefs = p->prefs;
    se->payment_on_file = p->payment_on_file;
    se->profile_loaded = true;
    se->address_count = 0;
    for (int i = 0; i < p->address_count && i < APP_ADDRESSES_MAX; i++) {
        Address *a = &se->addresses[se->address_count++];
        snprintf(a->id, sizeof a->id, "%s", p->addresses[i].id);
        snprintf(a->label, sizeof a->label, "%s", p->addresses[i].label);
        format_mask_address(p->addresses[i].masked, a->masked, sizeof a->masked);
        a->is_default = p->addresses[i].is_default;
    }
    if (s->screen == SCREEN_CHECKOUT && se->address_choice < 0 && se->address_count > 0)
        se->address_choice = 0;
    /* The member's own language, if offered; an associate's screen keeps the device's. */
    for (int i = 0; !s->staff.active && i < s->language_count; i++)
        if (strcmp(s->languages[i], p->language) == 0)
            s->language = i;
    return true;
}

/* A pairing code arrived, or a long-poll on it came back. Replies about codes this screen
 * no longer shows are dropped. */
static bool on_pairing(AppState *s, const PairingEvent *p, Effects *fx)
{
    if (s->screen != SCREEN_IDENTIFY && s->screen != SCREEN_STAFF && s->screen != SCREEN_CONFIRM)
        return false;
    /* A poll that succeeded names its code; an old code's is dropped. A failed one names
     * none, and can only be the current code's: a new code cancels the old code's poll. */
    if (!p->created && p->result == CENTRAL_OK && strcmp(p->id, s->pairing.id) != 0)
        return false;
    if (p->result != CENTRAL_OK) {
        bool had = s->pairing_available;
        memset(&s->pairing, 0, sizeof s->pairing);
        s->pairing_available = false; /* never show a code that cannot work */
        s->online = p->result == CENTRAL_REFUSED;
        app_want(fx, FX_TIMER_ARM, TIMER_PAIRING, APP_PAIRING_RETRY_MS);
        return had;
    }
    s->online = true;
    if (p->created) {
        snprintf(s->pairing.id, sizeof s->pairing.id, "%s", p->id);
        snprintf(s->pairing.qr, sizeof s->pairing.qr, "%s", p->qr);
        s->pairing_available = s->pairing.qr[0] != '\0';
        int64_t renew_s = p->expires_in_s - APP_PAIRING_RENEW_S;
        app_want(fx, FX_TIMER_ARM, TIMER_PAIRING, (uint32_t)(renew_s > 5 ? renew_s * 1000 : 5000));
        app_want(fx, FX_PAIRING_POLL, TIMER_COUNT, 0);
        return true;
    }
    switch (p->status) {
    case CENTRAL_PAIRING_PENDING:
        app_want(fx, FX_PAIRING_POLL, TIMER_COUNT, 0); /* the wait ran out: wait again */
        return false;
    case CENTRAL_PAIRING_EXPIRED:
        app_want(fx, FX_PAIRING_CREATE, TIMER_COUNT, 0);
        return false;
    case CENTRAL_PAIRING_CLAIMED:
        break;
    }
    /* The member's app claimed the code: they are signed in (or the associate's customer is
     * found, or confirms). */
    if (s->staff.active)
        return app_staff_paired(s, p->member, fx);
    app_pairing_clear(s, fx);
    s->session.active = true;
    s->session.source = SOURCE_APP;
    snprintf(s->session.member_id, sizeof s->session.member_id, "%s", p->member);
    s->session.token[0] = '\0';
    s->session.uid_hex[0] = '\0';
    app_signed_in(s, fx);
    app_restart_idle(s, fx);
    app_want(fx, FX_FETCH_MEMBER, TIMER_COUNT, 0);
    log_info("app", "member signed in with the app");
    return true;
}

bool app_dispatch(AppState *s, const Event *ev, uint64_t now_ms, Effects *fx)
{
    bool changed = false;
    bool was_online = s->online;
    if (s->setup.needed) { /* nobody is served before the device knows who it is */
        changed = app_setup_dispatch(s, ev, fx);
        if (changed)
            s->version++;
        return changed;
    }
    switch (ev->type) {
    case EV_INTENT:
        changed = on_intent(s, ev->u.intent.intent, ev->u.intent.arg, now_ms, fx);
        break;
    case EV_TOUCH:
        /* A touch anywhere keeps a session alive, and answers "Still there?". */
        if (s->screen != SCREEN_ATTRACT) {
            changed = s->idle_warning;
            app_restart_idle(s, fx);
        }
        break;
    case EV_TIMER:
        changed = on_timer(s, ev->u.timer.id, now_ms, fx);
        break;
    case EV_IDENTITY:
        changed = app_service_identity(s, &ev->u.identity, now_ms, fx) ||
                  on_identity(s, &ev->u.identity, fx);
        break;
    case EV_READER:
        changed = s->reader_connected != ev->u.reader.connected ||
                  strcmp(s->reader_detail, ev->u.reader.detail) != 0;
        s->reader_connected = ev->u.reader.connected;
        app_put(s->reader_detail, sizeof s->reader_detail, ev->u.reader.detail);
        break;
    case EV_CARD_REMOVED:
        break;
    case EV_PROFILE:
        changed = on_profile(s, ev);
        break;
    case EV_PAIRING:
        changed = on_pairing(s, &ev->u.pairing, fx);
        break;
    case EV_RESULT:
        changed = ev->u.result.result && on_result(s, ev->u.result.result, now_ms, fx);
        break;
    case EV_NONE:
    case EV_CONTROL:
    case EV_QUIT:
        break;
    }
    /* Back online: sync and send now. Just gone: the background sync takes over watching,
     * retrying every few seconds until the service answers again. (Its own reports need no
     * kick.) */
    bool from_sync =
        ev->type == EV_RESULT && ev->u.result.result && ev->u.result.result->kind == RESULT_SYNC;
    if (s->online != was_online && !from_sync)
        app_want(fx, FX_SYNC_KICK, TIMER_COUNT, 0);
    if (s->online && !was_online)
        changed |= app_staff_back_online(s, fx);
    changed |= app_staff_enforce(s, fx);
    changed |= app_service_enforce(s, fx);
    /* A pairing code lives only on the screens that show it: a code left behind could be
     * claimed for a screen that no longer listens. */
    if ((s->pairing_available || s->pairing.id[0]) && s->screen != SCREEN_IDENTIFY &&
        s->screen != SCREEN_STAFF && s->screen != SCREEN_CONFIRM) {
        app_pairing_clear(s, fx);
        changed = true;
    }
    if (changed)
        s->version++;
    return changed;
}
