/* kerr.c: names of the firmware's error codes, for logs and machine-readable replies. */
#include "kerr.h"

const char *kerr_name(KioskErr err)
{
    switch (err) {
    case KIOSK_OK:
        return "ok";
    case KIOSK_E_NOMEM:
        return "no_memory";
    case KIOSK_E_INVALID:
        return "invalid";
    case KIOSK_E_FULL:
        return "full";
    case KIOSK_E_EMPTY:
        return "empty";
    case KIOSK_E_TOOBIG:
        return "too_big";
    case KIOSK_E_IO:
        return "io";
    case KIOSK_E_NOTFOUND:
        return "not_found";
    case KIOSK_E_TIMEOUT:
        return "timeout";
    case KIOSK_E_CONFIG:
        return "config";
    case KIOSK_E_STATE:
        return "state";
    }
    return "unknown";
}
