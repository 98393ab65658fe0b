/*
 * demo_pictures.c -- drawing the demo's evidence photos (demo_pictures.h):
 * a sheet of paper on a desk with ruled lines, grey bars where text would
 * be, a table, a signature and a red stamp; or a shelf of coloured
 * products.  A small RGB canvas, encoded as PNG with zlib.
 */
#include "server/demo_pictures.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

struct canvas {
    int w, h;
    unsigned char *px; /* RGB */
    uint64_t rng;
};

struct rgb {
    unsigned char r, g, b;
};

static unsigned
rnd(struct canvas *c, unsigned n)
{
    c->rng = c->rng * 6364136223846793005ull + 1442695040888963407ull;
    return n > 0 ? (unsigned)((c->rng >> 33) % n) : 0;
}

static void
dot(struct canvas *c, int x, int y, struct rgb k)
{
    unsigned char *p;

    if (x < 0 || y < 0 || x >= c->w || y >= c->h)
        return;
    p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
    p[0] = k.r;
    p[1] = k.g;
    p[2] = k.b;
}

static void
rect(struct canvas *c, int x, int y, int w, int h, struct rgb k)
{
    int i, j;

    for (j = y; j < y + h; j++) {
        for (i = x; i < x + w; i++)
            dot(c, i, j, k);
    }
}

/* A line of thickness t (a square pen). */
static void
line(struct canvas *c, double x0, double y0, double x1, double y1, int t,
     struct rgb k)
{
    double len = hypot(x1 - x0, y1 - y0), s;

    for (s = 0; s <= len; s += 0.5) {
        double f = len > 0 ? s / len : 0;

        rect(c, (int)(x0 + (x1 - x0) * f) - t / 2,
             (int)(y0 + (y1 - y0) * f) - t / 2, t, t, k);
    }
}

static void
ring(struct canvas *c, int cx, int cy, int r, int t, struct rgb k)
{
    int x, y;

    for (y = cy - r; y <= cy + r; y++) {
        for (x = cx - r; x <= cx + r; x++) {
            double d = hypot(x - cx, y - cy);

            if (d <= r && d >= r - t)
                dot(c, x, y, k);
        }
    }
}

/* A hand signature: a few loops along a line. */
static void
signature(struct canvas *c, int x, int y, int w)
{
    static const struct rgb ink = { 20, 40, 120 };
    double px = x, py = y, t;
    unsigned loops = 3 + rnd(c, 3);

    for (t = 0; t <= 1.0; t += 0.004) {
        double nx = x + w * t + 10 * sin(t * loops * 6.283);
        double ny = y - 14 * sin(t * loops * 3.1416) * cos(t * 9.0);

        line(c, px, py, nx, ny, 2, ink);
        px = nx;
        py = ny;
    }
}

/* A red company stamp: two rings, a star, an arc of "characters". */
static void
stamp(struct canvas *c, int cx, int cy, int r)
{
    static const struct rgb red = { 200, 30, 40 };
    int i;

    ring(c, cx, cy, r, 4, red);
    ring(c, cx, cy, r - 10, 1, red);
    for (i = 0; i < 5; i++) {
        double a = -1.5708 + i * 2.513, b = a + 2.513 * 2;

        line(c, cx + 14 * cos(a), cy + 14 * sin(a), cx + 14 * cos(b),
             cy + 14 * sin(b), 3, red);
    }
    for (i = 0; i < 9; i++) {
        double a = 3.6 + i * 0.28;

        rect(c, cx + (int)((r - 22) * cos(a)) - 4,
             cy + (int)((r - 22) * sin(a)) - 4, 8, 8, red);
    }
}

/* Grey bars where a line of text would be. */
static void
text_line(struct canvas *c, int x, int y, int w)
{
    static const struct rgb grey = { 120, 124, 132 };
    int at = x;

    while (at < x + w - 10) {
        int word = 14 + (int)rnd(c, 40);

        if (at + word > x + w)
            word = x + w - at;
        rect(c, at, y, word, 7, grey);
        at += word + 6;
    }
}

/* A sheet on a desk, with a soft shadow; returns the sheet's box. */
static void
paper(struct canvas *c, int *x, int *y, int *w, int *h)
{
    static const struct rgb desk = { 150, 118, 86 };
    static const struct rgb shadow = { 110, 86, 62 };
    static const struct rgb sheet = { 250, 249, 244 };
    int i;

    rect(c, 0, 0, c->w, c->h, desk);
    for (i = 0; i < c->w * c->h / 40; i++) { /* the grain of the wood */
        int gx = (int)rnd(c, (unsigned)c->w), gy = (int)rnd(c, (unsigned)c->h);

        rect(c, gx, gy, 6 + (int)rnd(c, 20), 1, (struct rgb){ 140, 108, 78 });
    }
    *x = c->w / 10;
    *y = c->h / 14;
    *w = c->w - 2 * *x;
    *h = c->h - 2 * *y;
    rect(c, *x + 8, *y + 8, *w, *h, shadow);
    rect(c, *x, *y, *w, *h, sheet);
}

static void
draw_document(struct canvas *c, bool receipt)
{
    static const struct rgb rule = { 170, 176, 186 };
    static const struct rgb title = { 40, 44, 52 };
    int x, y, w, h, row, rows = receipt ? 6 : 0, i;

    paper(c, &x, &y, &w, &h);
    rect(c, x + w / 4, y + 30, w / 2, 14, title); /* the title */
    text_line(c, x + 40, y + 70, w - 80);
    if (receipt) { /* a table of items received */
        int top = y + 100, rh = 34, cols[] = { 0, w / 3, w * 2 / 3 - 40 };

        for (row = 0; row <= rows; row++)
            line(c, x + 30, top + row * rh, x + w - 30, top + row * rh, 1,
                 rule);
        for (i = 0; i < 3; i++)
            line(c, x + 30 + cols[i], top, x + 30 + cols[i], top + rows * rh, 1,
                 rule);
        line(c, x + w - 30, top, x + w - 30, top + rows * rh, 1, rule);
        for (row = 0; row < rows; row++)
            for (i = 0; i < 3; i++)
                text_line(c, x + 40 + cols[i], top + row * rh + 14,
                          40 + (int)rnd(c, 60));
    } else { /* clauses */
        for (row = 0; row < 14; row++)
            text_line(c, x + 40 + (row % 5 == 0 ? 20 : 0), y + 100 + row * 24,
                      w - 80 - (int)rnd(c, 60));
    }
    text_line(c, x + 40, y + h - 110, 90);
    signature(c, x + 150, y + h - 100, 150);
    stamp(c, x + w - 130, y + h - 110, 60);
}

static void
draw_form(struct canvas *c)
{
    static const struct rgb rule = { 170, 176, 186 };
    static const struct rgb title = { 40, 44, 52 };
    static const struct rgb tick = { 20, 40, 120 };
    int x, y, w, h, row;

    paper(c, &x, &y, &w, &h);
    rect(c, x + w / 3, y + 30, w / 3, 14, title);
    for (row = 0; row < 9; row++) {
        int ly = y + 90 + row * 44;

        text_line(c, x + 40, ly, 80);
        line(c, x + 140, ly + 12, x + w - 40, ly + 12, 1, rule);
        text_line(c, x + 150, ly - 4, 60 + (int)rnd(c, 160));
        if (row % 3 == 2) { /* a ticked box */
            rect(c, x + w - 70, ly - 6, 16, 16, rule);
            line(c, x + w - 68, ly + 2, x + w - 62, ly + 8, 2, tick);
            line(c, x + w - 62, ly + 8, x + w - 52, ly - 8, 2, tick);
        }
    }
    signature(c, x + w - 260, y + h - 70, 140);
}

static void
draw_shelf(struct canvas *c)
{
    static const struct rgb wall = { 232, 230, 224 };
    static const struct rgb board = { 120, 96, 70 };
    static const struct rgb palette[] = {
        { 214, 48, 49 },  { 9, 132, 227 },  { 0, 184, 148 }, { 253, 203, 110 },
        { 108, 92, 231 }, { 225, 112, 85 }, { 45, 52, 54 },  { 250, 250, 250 },
    };
    int shelves = 4, sh = c->h / shelves, s;

    rect(c, 0, 0, c->w, c->h, wall);
    for (s = 0; s < shelves; s++) {
        int base = (s + 1) * sh - 14, x = 16;

        rect(c, 0, base, c->w, 14, board);
        while (x < c->w - 40) {
            const struct rgb *k = &palette[rnd(c, 8)];
            int bw = 34 + (int)rnd(c, 30), bh = sh - 40 - (int)rnd(c, 40);
            int n = 1 + (int)rnd(c, 4), i;

            /* A facing of n of one product, labelled. */
            for (i = 0; i < n && x < c->w - 40; i++) {
                rect(c, x, base - bh, bw, bh, *k);
                rect(c, x + 4, base - bh / 2, bw - 8, 12,
                     (struct rgb){ 255, 255, 255 });
                rect(c, x + 2, base - bh, 3, bh,
                     (struct rgb){ (unsigned char)(k->r / 2),
                                   (unsigned char)(k->g / 2),
                                   (unsigned char)(k->b / 2) });
                x += bw + 3;
            }
            x += 10 + (int)rnd(c, 20);
        }
        /* The price strip. */
        rect(c, 0, base + 2, c->w, 4, (struct rgb){ 255, 214, 0 });
    }
}

static void
put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Append a chunk (length, type, data, CRC) at out + *at. */
static void
chunk(unsigned char *out, size_t *at, const char *type,
      const unsigned char *data, size_t n)
{
    uLong crc;

    put32(out + *at, (uint32_t)n);
    memcpy(out + *at + 4, type, 4);
    if (n > 0)
        memcpy(out + *at + 8, data, n);
    crc = crc32(0L, out + *at + 4, (uInt)(n + 4));
    put32(out + *at + 8 + n, (uint32_t)crc);
    *at += 12 + n;
}

APP_MUST_USE static enum app_err
encode(const struct canvas *c, unsigned char **png, size_t *len)
{
    static const unsigned char sig[8] = { 0x89, 'P',  'N',  'G',
                                          0x0d, 0x0a, 0x1a, 0x0a };
    size_t row = (size_t)c->w * 3 + 1, raw_n = row * (size_t)c->h, at = 0;
    unsigned char *raw = malloc(raw_n), *out, ihdr[13];
    uLongf z_n = compressBound((uLong)raw_n);
    int y;

    out = malloc(8 + 25 + 12 + z_n + 12);
    if (raw == NULL || out == NULL) {
        free(raw);
        free(out);
        return APP_ENOMEM;
    }
    for (y = 0; y < c->h; y++) {
        raw[(size_t)y * row] = 0; /* filter: none */
        memcpy(raw + (size_t)y * row + 1, c->px + (size_t)y * (size_t)c->w * 3,
               row - 1);
    }
    memcpy(out, sig, 8);
    at = 8;
    put32(ihdr, (uint32_t)c->w);
    put32(ihdr + 4, (uint32_t)c->h);
    ihdr[8] = 8;  /* bits per channel */
    ihdr[9] = 2;  /* RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    chunk(out, &at, "IHDR", ihdr, sizeof(ihdr));
    /* IDAT: compress straight into place after its length and type. */
    if (compress2(out + at + 8, &z_n, raw, (uLong)raw_n, 9) != Z_OK) {
        free(raw);
        free(out);
        return APP_EINTERNAL;
    }
    free(raw);
    {
        uLong crc;

        put32(out + at, (uint32_t)z_n);
        memcpy(out + at + 4, "IDAT", 4);
        crc = crc32(0L, out + at + 4, (uInt)(z_n + 4));
        put32(out + at + 8 + z_n, (uint32_t)crc);
        at += 12 + z_n;
    }
    chunk(out, &at, "IEND", NULL, 0);
    *png = out;
    *len = at;
    return APP_OK;
}

enum demo_picture
demo_picture_for(const char *key)
{
    if (key == NULL)
        return PIC_FORM;
    if (strstr(key, "receipt") != NULL)
        return PIC_RECEIPT;
    if (strstr(key, "contract") != NULL)
        return PIC_CONTRACT;
    if (strstr(key, "shelf") != NULL || strstr(key, "store") != NULL)
        return PIC_SHELF;
    return PIC_FORM;
}

const char *
demo_picture_name(enum demo_picture kind)
{
    static const char *const names[PIC_COUNT] = { "receipt", "contract",
                                                  "shelf", "form" };

    return (unsigned)kind < PIC_COUNT ? names[kind] : "form";
}

enum app_err
demo_picture_png(enum demo_picture kind, uint64_t seed, unsigned char **png,
                 size_t *len)
{
    struct canvas c;
    enum app_err rc;

    c.w = kind == PIC_SHELF ? 800 : 600;
    c.h = kind == PIC_SHELF ? 600 : 800;
    c.rng = seed * 2654435761u + (uint64_t)kind + 1;
    c.px = malloc((size_t)c.w * (size_t)c.h * 3);
    if (c.px == NULL)
        return APP_ENOMEM;
    switch (kind) {
    case PIC_RECEIPT:
        draw_document(&c, true);
        break;
    case PIC_CONTRACT:
        draw_document(&c, false);
        break;
    case PIC_SHELF:
        draw_shelf(&c);
        break;
    default:
        draw_form(&c);
        break;
    }
    rc = encode(&c, png, len);
    free(c.px);
    return rc;
}
