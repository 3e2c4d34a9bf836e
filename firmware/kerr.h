/* kerr.h: the one error type of the firmware.
 * Every fallible function returns a KioskErr (KIOSK_OK = 0) and hands results back through
 * out-parameters. Library codes (libnfc, curl, mbedTLS, SQLite) are mapped to these at the
 * edge of the module that calls them, with the original logged there. */
#ifndef KIOSK_KERR_H
#define KIOSK_KERR_H

typedef enum KioskErr {
    KIOSK_OK = 0,
    KIOSK_E_NOMEM,    /* allocation failed */
    KIOSK_E_INVALID,  /* bad argument or malformed input */
    KIOSK_E_FULL,     /* a bounded queue or buffer is full */
    KIOSK_E_EMPTY,    /* nothing to take */
    KIOSK_E_TOOBIG,   /* input over its named limit */
    KIOSK_E_IO,       /* file, socket or device failed */
    KIOSK_E_NOTFOUND, /* no such file, key, widget or record */
    KIOSK_E_TIMEOUT,  /* a deadline passed */
    KIOSK_E_CONFIG,   /* configuration rejected */
    KIOSK_E_STATE,    /* not allowed in the current state */
} KioskErr;

/* A stable, lower-case name for logs and control replies ("timeout"). Never NULL. */
const char *kerr_name(KioskErr err);

#endif
