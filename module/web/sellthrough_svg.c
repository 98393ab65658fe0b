/*
 * sellthrough_svg.c -- bar charts of the sell-through pages
 * (sellthrough_svg.h).
 */
#include "web/sellthrough_svg.h"

#include <math.h>
#include <stdio.h>

#include "base/svgtext.h"

/* sized to stay legible when 640 units shrink to a 360 px phone */
#define ROW_H 32u
#define TOP 40u
#define LABEL_W 170u
#define BAR_W 360u

APP_MUST_USE static enum app_err
open_svg(struct buf *b, struct str title, unsigned h)
{
    enum app_err rc =
        buf_printf(b,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                   "viewBox=\"0 0 %u %u\" width=\"100%%\" "
                   "role=\"img\" class=\"st-chart\" aria-label=\"",
                   ST_SVG_W, h);

    if (rc == APP_OK)
        rc = svgtext_out(b, title, 60);
    if (rc == APP_OK)
        rc = buf_puts(b, "\"><title>");
    if (rc == APP_OK)
        rc = svgtext_out(b, title, 60);
    if (rc == APP_OK)
        rc = buf_puts(b, "</title><text x=\"4\" y=\"24\" font-size=\"22\" "
                         "font-weight=\"bold\">");
    if (rc == APP_OK)
        rc = svgtext_out(b, title, 60);
    if (rc == APP_OK)
        rc = buf_puts(b, "</text>");
    return rc;
}

enum app_err
st_svg_bars(struct buf *out, struct str title, const struct st_bar *bars,
            size_t n, double threshold)
{
    size_t len0 = out->len, i;
    unsigned rows = n < ST_SVG_BARS_MAX ? (unsigned)n : ST_SVG_BARS_MAX;
    unsigned h = TOP + rows * ROW_H + 8;
    enum app_err rc = open_svg(out, title, h);

    for (i = 0; rc == APP_OK && i < rows; i++) {
        double v = bars[i].value;
        bool has = !isnan(v);
        bool low = has && !isnan(threshold) && v < threshold;
        double c = has ? (v < 0 ? 0 : v > 1 ? 1 : v) : 0;
        unsigned y = TOP + (unsigned)i * ROW_H;
        unsigned w = (unsigned)lround(c * BAR_W);

        rc = buf_printf(out, "<g><text x=\"4\" y=\"%u\" font-size=\"20\">",
                        y + 22);
        if (rc == APP_OK)
            rc = svgtext_out(out, bars[i].label, ST_SVG_LABEL_COLS);
        if (rc == APP_OK)
            rc = buf_printf(out,
                            "</text><rect x=\"%u\" y=\"%u\" width=\"%u\" "
                            "height=\"24\" fill=\"%s\"/>"
                            "<text x=\"%u\" y=\"%u\" font-size=\"20\">",
                            LABEL_W, y + 3, w, low ? "#b33" : "#4a7",
                            LABEL_W + w + 6, y + 22);
        if (rc == APP_OK)
            rc = has ? buf_printf(out, "%.1f%%%s", v * 100, low ? " !" : "")
                     : buf_puts(out, "\xe2\x80\x94");
        if (rc == APP_OK)
            rc = buf_puts(out, "</text></g>");
    }
    if (rc == APP_OK && !isnan(threshold) && rows > 0) {
        double c = threshold < 0 ? 0 : threshold > 1 ? 1 : threshold;
        unsigned x = LABEL_W + (unsigned)lround(c * BAR_W);

        rc = buf_printf(out,
                        "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
                        "stroke=\"#333\" stroke-dasharray=\"4 3\"/>",
                        x, TOP - 4, x, TOP + rows * ROW_H);
    }
    if (rc == APP_OK)
        rc = buf_puts(out, "</svg>");
    if (rc != APP_OK) {
        out->len = len0;
        if (out->p != NULL)
            out->p[len0] = '\0';
    }
    return rc;
}

enum app_err
st_svg_hours(struct buf *out, struct str title, const double v[24],
             const double *other, struct str label, struct str other_label)
{
    size_t len0 = out->len;
    double max = 0;
    unsigned h = 240, base = 200, col = (ST_SVG_W - 40) / 24;
    int i;
    enum app_err rc = open_svg(out, title, h);

    for (i = 0; i < 24; i++) {
        if (v[i] > max)
            max = v[i];
        if (other != NULL && other[i] > max)
            max = other[i];
    }
    for (i = 0; rc == APP_OK && i < 24; i++) {
        unsigned x = 30 + (unsigned)i * col;
        unsigned bh =
            max > 0 && v[i] > 0 ? (unsigned)lround(v[i] / max * 130) : 0;

        rc = buf_printf(out,
                        "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
                        "fill=\"#4a7\"><title>%02d:00 %.0f</title></rect>",
                        x, base - bh, col / 2, bh, i, v[i] > 0 ? v[i] : 0);
        if (rc == APP_OK && other != NULL) {
            unsigned oh = max > 0 && other[i] > 0
                              ? (unsigned)lround(other[i] / max * 130)
                              : 0;

            rc = buf_printf(out,
                            "<rect x=\"%u\" y=\"%u\" width=\"%u\" "
                            "height=\"%u\" fill=\"none\" stroke=\"#246\">"
                            "<title>%02d:00 %.0f</title></rect>",
                            x + col / 2, base - oh, col / 2 - 1, oh, i,
                            other[i] > 0 ? other[i] : 0);
        }
        if (rc == APP_OK && i % 3 == 0)
            rc = buf_printf(out,
                            "<text x=\"%u\" y=\"%u\" font-size=\"18\">%d"
                            "</text>",
                            x, base + 18, i);
    }
    if (rc == APP_OK)
        rc = buf_printf(out,
                        "<rect x=\"30\" y=\"%u\" width=\"10\" height=\"10\" "
                        "fill=\"#4a7\"/><text x=\"44\" y=\"%u\" "
                        "font-size=\"18\">",
                        h - 12, h - 3);
    if (rc == APP_OK)
        rc = svgtext_out(out, label, 20);
    if (rc == APP_OK)
        rc = buf_puts(out, "</text>");
    if (rc == APP_OK && other != NULL) {
        rc = buf_printf(out,
                        "<rect x=\"230\" y=\"%u\" width=\"10\" height=\"10\" "
                        "fill=\"none\" stroke=\"#246\"/><text x=\"244\" "
                        "y=\"%u\" font-size=\"18\">",
                        h - 12, h - 3);
        if (rc == APP_OK)
            rc = svgtext_out(out, other_label, 20);
        if (rc == APP_OK)
            rc = buf_puts(out, "</text>");
    }
    if (rc == APP_OK)
        rc = buf_puts(out, "</svg>");
    if (rc != APP_OK) {
        out->len = len0;
        if (out->p != NULL)
            out->p[len0] = '\0';
    }
    return rc;
}
