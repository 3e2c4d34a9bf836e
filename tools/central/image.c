/* image.c: see image.h. Shapes are unions of rectangles, ellipses and triangles tested per
 * pixel: crude, recognisable, and tiny. */
#include "image.h"

#include <png.h>
#include <qrencode.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct PngBuf {
    unsigned char *data;
    size_t len, cap;
    bool failed;
} PngBuf;

static void write_cb(png_structp png, png_bytep data, png_size_t n)
{
    PngBuf *b = png_get_io_ptr(png);
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8192;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

static void flush_cb(png_structp png) {}

static bool in_rect(int x, int y, int x0, int y0, int x1, int y1)
{
    return x >= x0 && x < x1 && y >= y0 && y < y1;
}

static bool in_ellipse(int x, int y, int cx, int cy, int rx, int ry)
{
    double dx = (double)(x - cx) / rx, dy = (double)(y - cy) / ry;
    return dx * dx + dy * dy <= 1.0;
}

/* 0 background, 1 body colour, 2 darker accent. */
static int shape(const char *cat, int x, int y)
{
    if (strcmp(cat, "running-shoes") == 0) {
        if (in_rect(x, y, 40, 170, 220, 186))
            return 2; /* sole */
        if (in_ellipse(x, y, 150, 170, 72, 40) && y < 170)
            return 1;
        if (in_rect(x, y, 60, 110, 120, 170))
            return 1;
        return 0;
    }
    if (strcmp(cat, "jeans") == 0) {
        if (in_rect(x, y, 78, 50, 178, 66))
            return 2;
        if (in_rect(x, y, 78, 66, 178, 100))
            return 1;
        if (in_rect(x, y, 78, 100, 124, 215) || in_rect(x, y, 132, 100, 178, 215))
            return 1;
        return 0;
    }
    if (strcmp(cat, "dresses") == 0) {
        int half = 20 + (y - 60) * 60 / 150;
        if (y >= 60 && y < 210 && x > 128 - half && x < 128 + half)
            return y < 100 ? 1 : (y < 106 ? 2 : 1);
        if (in_rect(x, y, 104, 40, 114, 60) || in_rect(x, y, 142, 40, 152, 60))
            return 2;
        return 0;
    }
    if (strcmp(cat, "accessories") == 0) {
        if (in_ellipse(x, y, 128, 90, 40, 40) && !in_ellipse(x, y, 128, 90, 30, 30) && y < 100)
            return 2; /* handle */
        if (in_rect(x, y, 68, 100, 188, 200))
            return 1;
        return 0;
    }
    if (strcmp(cat, "socks") == 0) {
        if (in_rect(x, y, 100, 40, 150, 56))
            return 2;
        if (in_rect(x, y, 100, 56, 150, 160))
            return 1;
        if (in_ellipse(x, y, 150, 170, 50, 26) && x > 100)
            return 1;
        return 0;
    }
    /* jackets, tops, base layers: a T shape; jackets get a zip. */
    bool jacket = strcmp(cat, "jackets") == 0;
    if (jacket && in_rect(x, y, 126, 60, 130, 210))
        return 2;
    if (in_rect(x, y, 84, 60, 172, 210))
        return 1;
    if (in_rect(x, y, 44, 60, 84, jacket ? 170 : 110) ||
        in_rect(x, y, 172, 60, 212, jacket ? 170 : 110))
        return 1;
    if (in_ellipse(x, y, 128, 60, 20, 12))
        return 0;
    return 0;
}

KioskErr image_render_png(const char *category, const char *colour_hex, unsigned char **png,
                          size_t *len)
{
    unsigned r = 0x80, g = 0x80, b = 0x80;
    PngBuf buf = {0};
    png_structp p = NULL;
    png_infop info = NULL;
    /* volatile: both are read after libpng longjmps back to the setjmp below */
    unsigned char *volatile row = NULL;
    volatile KioskErr err = KIOSK_E_NOMEM;
    *png = NULL;
    *len = 0;
    if (colour_hex && sscanf(colour_hex, "#%02x%02x%02x", &r, &g, &b) != 3)
        r = g = b = 0x80;
    p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    info = p ? png_create_info_struct(p) : NULL;
    row = malloc(IMAGE_SIZE * 3);
    if (!p || !info || !row)
        goto out;
    if (setjmp(png_jmpbuf(p))) {
        err = KIOSK_E_IO;
        goto out;
    }
    png_set_write_fn(p, &buf, write_cb, flush_cb);
    png_set_IHDR(p, info, IMAGE_SIZE, IMAGE_SIZE, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(p, info);
    for (int y = 0; y < IMAGE_SIZE; y++) {
        for (int x = 0; x < IMAGE_SIZE; x++) {
            int s = shape(category, x, y);
            unsigned char *px = row + 3 * x;
            if (s == 0) {
                px[0] = 0xf3;
                px[1] = 0xf1;
                px[2] = 0xed;
            } else {
                unsigned k = s == 2 ? 2 : 1; /* the accent is the colour at half strength */
                px[0] = (unsigned char)(r / k);
                px[1] = (unsigned char)(g / k);
                px[2] = (unsigned char)(b / k);
            }
        }
        png_write_row(p, row);
    }
    png_write_end(p, NULL);
    if (buf.failed)
        goto out;
    *png = buf.data;
    *len = buf.len;
    buf.data = NULL;
    err = KIOSK_OK;
out:
    png_destroy_write_struct(p ? &p : NULL, info ? &info : NULL);
    free(row);
    free(buf.data);
    return err;
}

KioskErr image_qr_png(const char *text, unsigned char **png, size_t *len)
{
    PngBuf buf = {0};
    png_structp p = NULL;
    png_infop info = NULL;
    /* volatile: both are read after libpng longjmps back to the setjmp below */
    unsigned char *volatile row = NULL;
    volatile KioskErr err = KIOSK_E_IO;
    *png = NULL;
    *len = 0;
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return KIOSK_E_INVALID;
    const int modules = qr->width + 2 * IMAGE_QR_QUIET;
    const int side = modules * IMAGE_QR_SCALE;
    p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    info = p ? png_create_info_struct(p) : NULL;
    row = malloc((size_t)side);
    if (!p || !info || !row)
        goto out;
    if (setjmp(png_jmpbuf(p)))
        goto out;
    png_set_write_fn(p, &buf, write_cb, flush_cb);
    png_set_IHDR(p, info, (png_uint_32)side, (png_uint_32)side, 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(p, info);
    for (int y = 0; y < side; y++) {
        int my = y / IMAGE_QR_SCALE - IMAGE_QR_QUIET;
        for (int x = 0; x < side; x++) {
            int mx = x / IMAGE_QR_SCALE - IMAGE_QR_QUIET;
            bool dark = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width &&
                        (qr->data[my * qr->width + mx] & 1);
            row[x] = dark ? 0x00 : 0xff;
        }
        png_write_row(p, row);
    }
    png_write_end(p, NULL);
    if (buf.failed)
        goto out;
    *png = buf.data;
    *len = buf.len;
    buf.data = NULL;
    err = KIOSK_OK;
out:
    png_destroy_write_struct(p ? &p : NULL, info ? &info : NULL);
    QRcode_free(qr);
    free(row);
    free(buf.data);
    return err;
}
