/* report_donut.c -- the AUM donut of seed 000 (reports/aum_donut.gp):
 * donut.dat (one arc per slice), donut_legend.dat and the aum_donut chart,
 * all from logs/state/nav.json.
 *
 * What it shows:
 *   - a slice per asset with a positive USD value: USDT for the futures NAV
 *     (aum.futures), then each off-exchange asset with a mark, largest
 *     first; the slices share the ring by value (their sum is the gross);
 *   - one slice alone is a full ring (an arc of 0..360 degrees: gnuplot
 *     draws nothing for an arc whose ends meet, such as -270..90);
 *   - the centre shows AUM total exactly as nav.json aum.total (the KPI
 *     card's figure). A negative futures NAV is a debt to the exchange:
 *     it is not a slice (a ring cannot hold a negative share), it is
 *     subtracted in the total, and the legend and centre say so. The ring
 *     then shows the assets held, and the centre what they are worth net;
 *   - assets without a mark (usd_value null) or with a value <= 0 are
 *     listed under the legend, never drawn. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_internal.h"

enum {
    LEGEND_ROWS_MAX = 13,                  /* rows of the donut legend; the rest is summed up */
    DONUT_ASSETS_MAX = HOLDINGS_MAX + 1    /* the off-exchange assets and USDT */
};

typedef struct {
    char asset[SYMBOL_CAPACITY];
    double value;
    double qty;
    bool has_value;
} donut_slice;

/* What nav.json gives the donut. */
typedef struct {
    donut_slice slices[DONUT_ASSETS_MAX];   /* value > 0: drawn, USDT first */
    size_t slice_count;
    donut_slice unvalued[DONUT_ASSETS_MAX]; /* no mark or value <= 0: listed only */
    size_t unvalued_count;
    double futures;                         /* aum.futures (NaN when absent) */
    double gross;                           /* sum of the slices */
    double total;                           /* aum.total, else gross plus a negative futures NAV */
} donut_parts;

/* The fill colour of an asset: fixed for the well-known ones, else from a
 * palette by position. */
static unsigned donut_colour(const char *asset, size_t position) {
    static const struct {
        const char *asset;
        unsigned colour;
    } known[] = {{"USDT", 0x26a17b}, {"BTC", 0xf7931a}, {"ETH", 0x627eea}, {"USDC", 0x2775ca},
                 {"XAUT", 0xc9a227}, {"SOL", 0x9945ff}, {"BNB", 0xe0a800}};
    static const unsigned palette[] = {0x8c564b, 0xe377c2, 0x17becf, 0xbcbd22, 0x7f7f7f, 0x9467bd, 0x1f77b4, 0xff7f0e};
    for (size_t index = 0; index < sizeof known / sizeof known[0]; index++)
        if (strcmp(known[index].asset, asset) == 0) return known[index].colour;
    return palette[position % (sizeof palette / sizeof palette[0])];
}

/* Orders slices: by value, largest first; ties by asset name. */
static int compare_slices(const void *left, const void *right) {
    const donut_slice *a = left, *b = right;
    if (a->value != b->value) return a->value > b->value ? -1 : 1;
    return strcmp(a->asset, b->asset);
}

/* Adds asset to the slices (value > 0) or the listed-only assets; dropped
 * when the arrays are full (nav.json holds at most HOLDINGS_MAX assets). */
static void donut_add(donut_parts *parts, const char *asset, double value, bool valued, double qty) {
    bool drawn = valued && value > 0;
    size_t *count = drawn ? &parts->slice_count : &parts->unvalued_count;
    if (*count == DONUT_ASSETS_MAX) return;
    donut_slice *slice = drawn ? &parts->slices[(*count)++] : &parts->unvalued[(*count)++];
    snprintf(slice->asset, sizeof slice->asset, "%s", asset);
    slice->has_value = valued;
    slice->value = valued ? value : NAN;
    slice->qty = qty;
}

/* Reads nav.json into parts: USDT first, then the other slices by value. */
static void donut_collect(const report_context *context, donut_parts *parts) {
    memset(parts, 0, sizeof *parts);
    const cJSON *aum = cJSON_GetObjectItemCaseSensitive(context->nav, "aum");
    parts->futures = report_json_number(aum, "futures");
    if (!isfinite(parts->futures)) parts->futures = report_json_number(context->nav, "nav_total");
    if (isfinite(parts->futures)) donut_add(parts, "USDT", parts->futures, true, parts->futures);
    const cJSON *asset;
    cJSON_ArrayForEach(asset, cJSON_GetObjectItemCaseSensitive(aum, "offexchange")) {
        if (asset->string == NULL || strlen(asset->string) >= SYMBOL_CAPACITY) continue;
        double value = report_json_number(asset, "usd_value");
        donut_add(parts, asset->string, value, isfinite(value), report_json_number(asset, "qty"));
    }
    size_t first_other = parts->slice_count > 0 && strcmp(parts->slices[0].asset, "USDT") == 0 ? 1 : 0;
    qsort(parts->slices + first_other, parts->slice_count - first_other, sizeof parts->slices[0], compare_slices);
    for (size_t index = 0; index < parts->slice_count; index++) parts->gross += parts->slices[index].value;
    parts->total = report_json_number(aum, "total");
    if (!isfinite(parts->total))
        parts->total = parts->gross + (isfinite(parts->futures) && parts->futures < 0 ? parts->futures : 0);
}

/* Appends "x y colour filled "text"" to the legend data. */
static void legend_row(buffer *out, double y, unsigned colour, int filled, const char *text) {
    char quoted[256];
    data_quote(text, quoted, sizeof quoted);
    buffer_append_text(out, "1.35 ");
    report_append_number(out, round(y * 1e4) / 1e4);
    buffer_append_format(out, " %u %d \"%s\"\n", colour, filled, quoted);
}

/* One slice's arc in donut.dat: start and end degrees, colour, the label's
 * place and text. Clockwise from 12 o'clock: gnuplot's arcs run
 * counter-clockwise from 3 o'clock, so a slice spans [90 - end, 90 - start]. */
static void donut_arc_row(buffer *data, const donut_slice *slice, unsigned colour, double before, double share) {
    double start_degrees = 90.0 - (before + share) * 360.0;
    double end_degrees = 90.0 - before * 360.0;
    if (share >= 1.0) {
        start_degrees = 0.0; /* a full ring: gnuplot draws nothing for -270..90 */
        end_degrees = 360.0;
    }
    double middle = (90.0 - (before + share / 2) * 360.0) * M_PI / 180.0;
    report_append_number(data, start_degrees);
    buffer_append_text(data, " ");
    report_append_number(data, end_degrees);
    buffer_append_format(data, " %u ", colour);
    report_append_number(data, round(0.79 * cos(middle) * 1e4) / 1e4);
    buffer_append_text(data, " ");
    report_append_number(data, round(0.79 * sin(middle) * 1e4) / 1e4);
    char quoted[SYMBOL_CAPACITY];
    data_quote(slice->asset, quoted, sizeof quoted);
    buffer_append_format(data, " \"");
    if (share >= 0.06) {
        buffer_append_format(data, "%s\\n", quoted);
        report_append_grouped(data, share * 100, 1);
        buffer_append_text(data, "%");
    }
    buffer_append_format(data, "\" \"%s\"\n", quoted);
}

/* donut.dat: one arc per slice. */
static void donut_write_arcs(const donut_parts *parts, buffer *data) {
    buffer_append_text(data, "# start_deg end_deg rgb label_x label_y \"label\" \"asset\"\n");
    double before = 0;
    for (size_t index = 0; index < parts->slice_count; index++) {
        const donut_slice *slice = &parts->slices[index];
        double share = parts->slice_count == 1 ? 1.0 : slice->value / parts->gross;
        donut_arc_row(data, slice, donut_colour(slice->asset, index), before, share);
        before += share;
    }
}

/* The legend text of an asset without a slice. */
static void unvalued_text(const donut_slice *slice, buffer *line) {
    buffer_reset(line);
    if (strcmp(slice->asset, "USDT") == 0 && slice->has_value && slice->value < 0) {
        buffer_append_text(line, "USDT (futures NAV)  USD ");
        report_append_grouped(line, slice->value, 2);
        buffer_append_text(line, ": a debt, subtracted from AUM");
        return;
    }
    buffer_append_format(line, "%s  qty ", slice->asset);
    report_append_grouped(line, slice->qty, 4);
    if (slice->has_value) {
        buffer_append_text(line, "  USD ");
        report_append_grouped(line, slice->value, 2);
        buffer_append_text(line, " (not > 0)");
    } else {
        buffer_append_text(line, "  no mark (usd_value null)");
    }
}

/* donut_legend.dat: the slices, then a heading and the assets without a
 * slice; past LEGEND_ROWS_MAX the last row says how many are left out. */
static void donut_write_legend(const donut_parts *parts, buffer *legend) {
    enum { STEP_PER_MILLE = 160 };
    const double step = STEP_PER_MILLE / 1000.0;
    buffer line;
    buffer_init(&line, 512);
    buffer_append_text(legend, "# x y rgb filled \"text\"\n");
    size_t wanted_rows = parts->slice_count + (parts->unvalued_count > 0 ? parts->unvalued_count + 1 : 0);
    size_t row_budget = wanted_rows <= LEGEND_ROWS_MAX ? wanted_rows : LEGEND_ROWS_MAX - 1;
    size_t row = 0, listed = 0;
    for (size_t index = 0; index < parts->slice_count && row < row_budget; index++, row++, listed++) {
        const donut_slice *slice = &parts->slices[index];
        buffer_reset(&line);
        buffer_append_format(&line, "%s%s  USD ", slice->asset, strcmp(slice->asset, "USDT") == 0 ? " (futures NAV)" : "");
        report_append_grouped(&line, slice->value, 2);
        buffer_append_text(&line, "  ");
        report_append_grouped(&line, parts->slice_count == 1 ? 100 : slice->value / parts->gross * 100, 1);
        buffer_append_text(&line, "%");
        legend_row(legend, 1.0 - (double)row * step, donut_colour(slice->asset, index), 1,
                   buffer_failed(&line) ? slice->asset : line.data);
    }
    double spacer = parts->unvalued_count > 0 ? step / 2 : 0;
    if (parts->unvalued_count > 0 && row < row_budget) {
        legend_row(legend, 1.0 - (double)row * step - spacer, 0xffffff, 2, "not in the ring:");
        row++;
    }
    for (size_t index = 0; index < parts->unvalued_count && row < row_budget; index++, row++, listed++) {
        const donut_slice *slice = &parts->unvalued[index];
        unvalued_text(slice, &line);
        bool debt = slice->has_value && slice->value < 0 && strcmp(slice->asset, "USDT") == 0;
        legend_row(legend, 1.0 - (double)row * step - spacer, debt ? 0xd62728 : 0x999999, 0,
                   buffer_failed(&line) ? slice->asset : line.data);
    }
    size_t assets = parts->slice_count + parts->unvalued_count;
    if (listed < assets) {
        buffer_reset(&line);
        buffer_append_format(&line, "... %zu more assets (see the AUM table)", assets - listed);
        legend_row(legend, 1.0 - (double)row * step - spacer, 0xffffff, 2, line.data != NULL ? line.data : "...");
    }
    if (assets == 0) legend_row(legend, 0.0, 0xffffff, 2, "no AUM data (logs/state/nav.json)");
    buffer_free(&line);
}

/* The centre text: "AUM", the total (nav.json aum.total) and, with a
 * negative futures NAV, what that total nets. */
static void donut_center_text(const donut_parts *parts, template_values *values) {
    buffer line;
    buffer_init(&line, 512);
    if (isfinite(parts->total)) {
        buffer_append_text(&line, "AUM\\nUSD ");
        report_append_grouped(&line, parts->total, 2);
        if (isfinite(parts->futures) && parts->futures < 0) {
            buffer_append_text(&line, "\\nnet of a futures\\nNAV of ");
            report_append_grouped(&line, parts->futures, 2);
        }
    }
    values_set(values, "CENTER_TEXT", "%s", line.data != NULL && !buffer_failed(&line) ? line.data : "no AUM data");
    buffer_free(&line);
}

int report_draw_donut(report_context *context, const char *gnuplot_path, const char *templates,
                      report_chart_list *charts) {
    donut_parts *parts = malloc(sizeof *parts);
    if (parts == NULL) return report_fail(context, "out of memory drawing the AUM donut");
    donut_collect(context, parts);
    assert(parts->slice_count <= DONUT_ASSETS_MAX && parts->unvalued_count <= DONUT_ASSETS_MAX);
    assert(parts->slice_count == 0 || parts->gross > 0); /* slices are the values > 0 */
    buffer data, legend;
    buffer_init(&data, REPORT_OUTPUT_BYTES_MAX);
    buffer_init(&legend, REPORT_OUTPUT_BYTES_MAX);
    donut_write_arcs(parts, &data);
    donut_write_legend(parts, &legend);
    int result = write_report_file(context, "donut.dat", &data);
    if (result == 0) result = write_report_file(context, "donut_legend.dat", &legend);
    buffer_free(&data);
    buffer_free(&legend);
    template_values values = {.count = 0};
    values_set(&values, "HAS_SLICES", "%d", parts->slice_count > 0);
    donut_center_text(parts, &values);
    free(parts);
    report_chart *chart = add_chart(charts, "aum_donut", 1000, 500, false);
    char when[64];
    format_timestamp(report_json_number(context->nav, "ts"), when, sizeof when);
    snprintf(chart->title, sizeof chart->title, "AUM by asset (logs/state/nav.json, %s)", when);
    if (result != 0) return -1;
    return draw_chart(context, gnuplot_path, templates, "aum_donut.gp", chart, &values);
}
