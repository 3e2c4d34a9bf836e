/* shell.h: the kiosk process around the app core: the display (a window, or an offscreen
 * surface when headless), the main loop on the UI thread, input (touch, mouse, the
 * keyboard-wedge scanner), and the control-socket commands that need the screen.
 * main.c creates one Shell and runs it; nothing here is global. */
#ifndef KIOSK_SHELL_H
#define KIOSK_SHELL_H

#include <stdbool.h>

#include "config.h"
#include "kerr.h"

typedef struct ShellOptions {
    bool headless;            /* no window: render into memory */
    const char *control_path; /* NULL: no control socket */
    int ready_fd;             /* >= 0: write "ready\n" here after the first frame */
} ShellOptions;

typedef struct Shell Shell;

/* Borrows cfg for the Shell's life. NULL with *err set (and the reason logged). */
Shell *shell_create(const KioskConfig *cfg, const ShellOptions *opt, KioskErr *err);
/* Runs until asked to quit (SIGTERM, SIGINT, window closed). Returns the exit status. */
int shell_run(Shell *sh);
/* After shell_run: a technician asked for a factory reset (kioskctl reset); main performs
 * it once everything is closed (shell_destroy), then exits to start again. */
bool shell_reset_wanted(const Shell *sh);
void shell_destroy(Shell *sh);

#endif
