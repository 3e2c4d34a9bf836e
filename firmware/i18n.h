/* i18n.h: translated text through gettext catalogs (assets/i18n/LANG.po, compiled to .mo).
 * The UI thread switches the language; strings are looked up with _(). English is the
 * source language and needs no catalog. */
#ifndef KIOSK_I18N_H
#define KIOSK_I18N_H

#include <libintl.h>

#define _(s)  gettext(s)
#define N_(s) (s) /* marks a string for extraction where it is looked up later */

/* Binds the "kiosk" text domain to localedir (holding <lang>/LC_MESSAGES/kiosk.mo). */
void i18n_init(const char *localedir);

/* Switches the language of _() to code ("es"). Call from the UI thread only. */
void i18n_set_language(const char *code);

#endif
