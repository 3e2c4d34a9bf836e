/* i18n.c: gettext set-up. The process runs in the C.UTF-8 locale (no generated locales
 * needed on the device) and picks the catalog through LANGUAGE, which GNU gettext honours
 * in any locale but plain "C". Changing LANGUAGE at run time needs the catalog cache
 * invalidated, as the gettext manual describes (_nl_msg_cat_cntr). */
#include "i18n.h"

#include <locale.h>
#include <stdlib.h>

#include "log.h"

extern int _nl_msg_cat_cntr;

void i18n_init(const char *localedir)
{
    if (!setlocale(LC_ALL, "C.UTF-8"))
        log_warn("i18n", "C.UTF-8 locale not available; translations may not load");
    /* Numbers in files and JSON must always use '.', whatever the shopper's language. */
    setlocale(LC_NUMERIC, "C");
    bindtextdomain("kiosk", localedir);
    bind_textdomain_codeset("kiosk", "UTF-8");
    textdomain("kiosk");
}

void i18n_set_language(const char *code)
{
    setenv("LANGUAGE", code, 1);
    ++_nl_msg_cat_cntr;
}
