/* event.c: names of event types and intents, for logs and the control socket. */
#include "event.h"

#include <string.h>

const char *event_type_name(EventType type)
{
    switch (type) {
    case EV_NONE:
        return "none";
    case EV_INTENT:
        return "intent";
    case EV_TOUCH:
        return "touch";
    case EV_TIMER:
        return "timer";
    case EV_IDENTITY:
        return "identity";
    case EV_CARD_REMOVED:
        return "card_removed";
    case EV_READER:
        return "reader";
    case EV_PROFILE:
        return "profile";
    case EV_PAIRING:
        return "pairing";
    case EV_RESULT:
        return "result";
    case EV_CONTROL:
        return "control";
    case EV_QUIT:
        return "quit";
    }
    return "unknown";
}

static const char *const INTENT_NAMES[] = {
    [INTENT_NONE] = "none",
    [INTENT_START] = "start",
    [INTENT_BACK] = "back",
    [INTENT_SET_LANGUAGE] = "set_language",
    [INTENT_STILL_HERE] = "still_here",
    [INTENT_END_SESSION] = "end_session",
    [INTENT_GUEST] = "guest",
    [INTENT_HOME] = "home",
    [INTENT_OPEN_CATEGORY] = "open_category",
    [INTENT_PAGE] = "page",
    [INTENT_OPEN_SEARCH] = "open_search",
    [INTENT_KEY] = "key",
    [INTENT_OPEN_PRODUCT] = "open_product",
    [INTENT_COLOUR] = "colour",
    [INTENT_SIZE] = "size",
    [INTENT_ADD_TO_CART] = "add_to_cart",
    [INTENT_OPEN_CART] = "open_cart",
    [INTENT_QTY_UP] = "qty_up",
    [INTENT_QTY_DOWN] = "qty_down",
    [INTENT_REMOVE_LINE] = "remove_line",
    [INTENT_CHECKOUT] = "checkout",
    [INTENT_ADDRESS] = "address",
    [INTENT_SHIPPING] = "shipping",
    [INTENT_OFFER] = "offer",
    [INTENT_PLACE_ORDER] = "place_order",
    [INTENT_HANDOFF] = "handoff",
    [INTENT_CLOSE_PANEL] = "close_panel",
    [INTENT_RETRY] = "retry",
    [INTENT_ACCESSIBILITY] = "accessibility",
    [INTENT_FITTING_OPEN] = "fitting_open",
    [INTENT_FITTING_SEND] = "fitting_send",
    [INTENT_FITTING_DISMISS] = "fitting_dismiss",
    [INTENT_LOCK] = "lock",
    [INTENT_OPEN_CUSTOMER] = "open_customer",
    [INTENT_NEXT_CUSTOMER] = "next_customer",
    [INTENT_OPEN_NOTE] = "open_note",
    [INTENT_SAVE_NOTE] = "save_note",
    [INTENT_ENROLL] = "enroll",
    [INTENT_SERVICE_PIN] = "service_pin",
    [INTENT_SERVICE_SECTION] = "service_section",
    [INTENT_SERVICE_TOUCH] = "service_touch",
    [INTENT_SERVICE_RESET] = "service_reset",
    [INTENT_SERVICE_EXIT] = "service_exit",
};

const char *intent_name(Intent intent)
{
    if ((unsigned)intent < sizeof INTENT_NAMES / sizeof INTENT_NAMES[0] && INTENT_NAMES[intent])
        return INTENT_NAMES[intent];
    return "unknown";
}

Intent intent_from_name(const char *name)
{
    for (size_t i = 1; i < sizeof INTENT_NAMES / sizeof INTENT_NAMES[0]; i++)
        if (INTENT_NAMES[i] && strcmp(INTENT_NAMES[i], name) == 0)
            return (Intent)i;
    return INTENT_NONE;
}
