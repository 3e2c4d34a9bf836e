/* factory.h: the factory reset. Everything the device has learnt goes from its data
 * directory: its identity (key, certificate, enrollment record: device_id_wipe), the local
 * store and its journal, the outbox key, cached pictures and support screenshots. The
 * configuration file under /etc is the installer's and stays. Run only with nothing open on
 * the directory (after the shell and its workers have stopped). */
#ifndef KIOSK_FACTORY_H
#define KIOSK_FACTORY_H

#include "kerr.h"

/* KIOSK_OK when nothing of the above is left (also when it was never there); KIOSK_E_IO
 * (logged) when a file could not be removed. */
KioskErr factory_reset(const char *data_dir);

#endif
