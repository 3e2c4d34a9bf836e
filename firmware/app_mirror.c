/* app_mirror.c: the fitting room's rules. A garment's tag opens that product (the tagged
 * size and colour, or the shopper's own size in that colour when they are signed in); the
 * mirror suggests what completes the look; and "Bring me another size" asks the floor team
 * for a size or colour to be brought to this room, showing the request's news as it
 * changes. Part of the app core (see app_priv.h): no I/O, UI thread only. */
#include <stdio.h>
#include <string.h>

#include "app_priv.h"
#include "log.h"

/* Still news to wait for: the floor team may yet answer, or find none after all. */
static bool fitting_open(const FittingView *f)
{
    return f->status == FITTING_REQUESTED || f->status == FITTING_ON_ITS_WAY;
}

bool app_mirror_garment(AppState *s, const Identity *id, Effects *fx)
{
    Session *se = &s->session;
    if (s->mode != KIOSK_MODE_MIRROR && !s->staff.active) {
        app_show_notice(s, NOTICE_PRODUCT_TAG, fx); /* the shop floor's kiosk has no tags */
        return true;
    }
    if (!se->active) { /* a tag wakes the mirror: browsing, no one signed in yet */
        se->active = true;
        se->after_sign_in = SCREEN_HOME;
    }
    if (s->screen == SCREEN_ATTRACT)
        s->screen = SCREEN_HOME; /* Back from the garment goes to the mirror's welcome */
    app_pairing_clear(s, fx);
    memset(&se->product, 0, sizeof se->product);
    memset(&se->stock, 0, sizeof se->stock);
    memset(&se->look, 0, sizeof se->look);
    se->look_state = LOAD_NONE;
    se->fitting_panel = false;
    se->garment = true;
    app_put(se->garment_gtin, sizeof se->garment_gtin, id->gtin);
    app_put(se->product.id, sizeof se->product.id, id->gtin[0] ? "" : id->product);
    se->product_state = LOAD_BUSY;
    se->stock_state = LOAD_NONE;
    app_want(fx, FX_TIMER_CANCEL, TIMER_STOCK, 0);
    app_go(s, SCREEN_PRODUCT);
    app_ask(s, RESULT_GARMENT, FX_FIND_GARMENT, fx);
    app_restart_idle(s, fx);
    log_info("app", "garment tag: looking up its product");
    return true;
}

void app_mirror_product_loaded(AppState *s, Effects *fx)
{
    Session *se = &s->session;
    const ProductDetail *p = &se->product;
    if (se->garment && se->variant >= 0) {
        /* The tag says which colour they picked up; their profile says their size. */
        const char *size = app_member_size(se, p->category);
        int v = size[0] ? app_variant_for(p, se->colour, size) : -1;
        if (v >= 0)
            se->variant = v;
    }
    if (s->mode != KIOSK_MODE_MIRROR)
        return;
    se->look_state = LOAD_BUSY;
    se->look.count = 0;
    app_ask(s, RESULT_LOOK, FX_LOAD_LOOK, fx);
}

bool app_mirror_intent(AppState *s, Intent intent, int32_t arg, Effects *fx)
{
    Session *se = &s->session;
    switch (intent) {
    case INTENT_FITTING_OPEN:
        if (s->screen != SCREEN_PRODUCT || se->product_state != LOAD_OK || !s->fitting_rooms ||
            !s->central || se->fitting_panel)
            return false;
        se->fitting_panel = true;
        return true;
    case INTENT_FITTING_SEND: {
        if (s->screen != SCREEN_PRODUCT || !se->fitting_panel || arg < 0 ||
            arg >= se->product.variant_count)
            return false;
        const VariantView *v = &se->product.variants[arg];
        memset(&se->fitting, 0, sizeof se->fitting);
        se->fitting.status = FITTING_SENDING;
        app_put(se->fitting.variant, sizeof se->fitting.variant, v->id);
        app_put(se->fitting.size, sizeof se->fitting.size, v->size);
        app_put(se->fitting.colour, sizeof se->fitting.colour, v->colour);
        se->fitting_panel = false;
        app_want(fx, FX_TIMER_CANCEL, TIMER_FITTING, 0);
        app_ask(s, RESULT_FITTING, FX_FITTING_SEND, fx);
        log_info("app", "fitting-room request sent");
        return true;
    }
    case INTENT_FITTING_DISMISS:
        if (se->fitting_panel) {
            se->fitting_panel = false;
            return true;
        }
        if (se->fitting.status == FITTING_NONE || se->fitting.status == FITTING_SENDING)
            return false;
        memset(&se->fitting, 0, sizeof se->fitting);
        s->pending[RESULT_FITTING] = 0;
        app_want(fx, FX_TIMER_CANCEL, TIMER_FITTING, 0);
        return true;
    default:
        return false;
    }
}

/* Where a product can go back to when its tag named nothing we know. */
static void garment_unknown(AppState *s, Effects *fx)
{
    Session *se = &s->session;
    se->garment = false;
    se->product_state = LOAD_NONE;
    if (se->back_depth > 0) {
        s->screen = se->back[--se->back_depth];
    } else {
        s->screen = SCREEN_HOME;
        app_load_home(s, fx);
    }
    app_show_notice(s, NOTICE_GARMENT_UNKNOWN, fx);
}

bool app_mirror_result(AppState *s, const Result *r, Effects *fx)
{
    Session *se = &s->session;
    switch (r->kind) {
    case RESULT_GARMENT: {
        if (s->screen != SCREEN_PRODUCT || !se->garment)
            return false;
        if (r->err != KIOSK_OK) {
            log_info("app", "garment tag: not in the catalog (%s)", kerr_name(r->err));
            garment_unknown(s, fx);
            return true;
        }
        char product[sizeof r->u.garment.product], variant[sizeof r->u.garment.variant];
        app_put(product, sizeof product, r->u.garment.product);
        app_put(variant, sizeof variant, r->u.garment.variant);
        app_open_product(s, product, variant, fx);
        se->garment = true; /* open_product is shared with cards, which are not tags */
        return true;
    }
    case RESULT_LOOK: {
        se->look_state = r->err == KIOSK_OK ? LOAD_OK : LOAD_FAILED;
        se->look.count = 0;
        /* Other kinds of garment first: a look is not three of the same thing. */
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; r->err == KIOSK_OK && i < r->u.cards.count; i++) {
                const ProductCard *c = &r->u.cards.items[i];
                bool same = strcmp(c->category, se->product.category) == 0;
                if (se->look.count < APP_LOOK_MAX && same == (pass == 1) &&
                    strcmp(c->id, se->product.id) != 0)
                    se->look.items[se->look.count++] = *c;
            }
        se->look.total = se->look.count;
        return true;
    }
    case RESULT_FITTING: {
        FittingView *f = &se->fitting;
        if (f->status == FITTING_NONE)
            return false; /* dismissed meanwhile */
        if (r->err != KIOSK_OK) {
            if (f->status == FITTING_SENDING) {
                f->status = FITTING_FAILED; /* the mirror says to ask someone instead */
                return true;
            }
            app_want(fx, FX_TIMER_ARM, TIMER_FITTING, APP_FITTING_POLL_MS); /* ask again */
            return false;
        }
        FittingStatus now = r->u.fitting.status;
        bool changed = now != f->status;
        f->status = now;
        app_put(f->id, sizeof f->id, r->u.fitting.id);
        if (fitting_open(f))
            app_want(fx, FX_TIMER_ARM, TIMER_FITTING, APP_FITTING_POLL_MS);
        if (changed)
            log_info("app", "fitting-room request is %s",
                     now == FITTING_REQUESTED    ? "requested"
                     : now == FITTING_ON_ITS_WAY ? "on its way"
                                                 : "unavailable");
        return true;
    }
    default:
        return false;
    }
}

bool app_mirror_timer(AppState *s, TimerId id, Effects *fx)
{
    Session *se = &s->session;
    if (id != TIMER_FITTING || !fitting_open(&se->fitting) || !se->fitting.id[0])
        return false;
    app_ask(s, RESULT_FITTING, FX_FITTING_POLL, fx);
    return false;
}
