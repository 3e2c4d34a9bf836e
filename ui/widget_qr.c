/* widget_qr.c: a QR code drawn with libqrencode (role "qr"), square, centred in its box,
 * dark modules on white with the 4-module quiet zone a phone camera needs, whatever the
 * theme. The UI redraws only when the state changes, so encoding per drawn frame is cheap. */
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ui.h"

#define QR_QUIET_MODULES 4
#define QR_PAYLOAD_MAX   1024

static bool draw(Ui *ui, const Widget *w)
{
    if (!w->text || !w->text[0] || strlen(w->text) > QR_PAYLOAD_MAX)
        return true;
    QRcode *qr = QRcode_encodeString(w->text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) {
        log_warn("qr", "cannot encode a payload of %zu bytes", strlen(w->text));
        return true;
    }
    int side = w->rect.w < w->rect.h ? w->rect.w : w->rect.h;
    int modules = qr->width + 2 * QR_QUIET_MODULES;
    int px = side / modules; /* whole pixels per module keep every edge sharp */
    if (px < 1)
        px = 1;
    int size = px * modules;
    int x0 = w->rect.x + (w->rect.w - size) / 2, y0 = w->rect.y + (w->rect.h - size) / 2;
    SDL_Renderer *r = ui->renderer;
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
    SDL_RenderFillRect(r, &(SDL_Rect){x0, y0, size, size});
    SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
    int q = QR_QUIET_MODULES * px;
    for (int y = 0; y < qr->width; y++) {
        int run = -1; /* draw horizontal runs of dark modules as one rectangle */
        for (int x = 0; x <= qr->width; x++) {
            bool dark = x < qr->width && (qr->data[y * qr->width + x] & 1);
            if (dark && run < 0)
                run = x;
            if (!dark && run >= 0) {
                SDL_RenderFillRect(
                    r, &(SDL_Rect){x0 + q + run * px, y0 + q + y * px, (x - run) * px, px});
                run = -1;
            }
        }
    }
    QRcode_free(qr);
    return true;
}

const WidgetClass WIDGET_QR = {.role = "qr", .pressable = false, .draw = draw};
