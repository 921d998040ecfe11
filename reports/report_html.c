/* report_html.c -- DIR/reports/index.html: one self-contained page (inline
 * CSS, no script, relative links only) with the run summary and KPIs, the
 * positions ledger and its consistency badge (seed 002 section 6), the AUM
 * breakdown, the charts, the reconcile counts, the fault log and links to
 * the state files. Stable hooks for tests: id="ledger-table",
 * id="consistency-badge" (class green, yellow, red or unknown),
 * class="chart" on every chart image, id="kpis", id="reconcile-counts",
 * id="fault-log". */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/number.h"
#include "io/atomic_file.h"
#include "reports/report_internal.h"

static const char style_sheet[] =
    "<style>\n"
    ":root{--ok:#2ca02c;--warn:#f0b400;--error:#d62728;--line:#d0d7de;--muted:#57606a}\n"
    "*{box-sizing:border-box}\n"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;font-size:15px;"
    "line-height:1.45;color:#1f2328;background:#fff;margin:0 auto;max-width:1100px;padding:16px 24px 48px}\n"
    "h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .5em;padding-bottom:.2em;"
    "border-bottom:1px solid var(--line)}h3{font-size:1.05em;margin:1.2em 0 .4em}\n"
    "nav.toc{display:flex;flex-wrap:wrap;gap:.3em 1em;font-size:.92em;margin:.4em 0 1em}\n"
    "a{color:#0969da}\n"
    ".muted{color:var(--muted)}\n"
    ".notes{border:1px solid var(--warn);background:#fff8e1;padding:.5em 1em;border-radius:6px}\n"
    "dl.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px;margin:0}\n"
    "dl.kpis div{border:1px solid var(--line);border-radius:6px;padding:6px 10px}\n"
    "dl.kpis dt{font-size:.8em;color:var(--muted)}dl.kpis dd{margin:0;font-size:1.15em;font-weight:600;"
    "font-variant-numeric:tabular-nums}\n"
    "table{border-collapse:collapse;margin:.4em 0 1em;font-size:.93em}\n"
    "th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}\n"
    "th{background:#f6f8fa}td.number{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.missing{color:var(--error);font-weight:600}\n"
    "code{font-size:.9em;word-break:break-all}\n"
    ".badge{display:inline-block;padding:2px 12px;border-radius:12px;font-weight:700;color:#fff}\n"
    ".badge.green{background:var(--ok)}.badge.yellow{background:var(--warn);color:#1f2328}"
    ".badge.red{background:var(--error)}.badge.unknown{background:#8c959f}\n"
    ".status-OK{color:var(--ok);font-weight:600}.status-WARN{color:#9a6700;font-weight:600}"
    ".status-ERROR{color:var(--error);font-weight:600}\n"
    "figure{margin:.6em 0 1.4em}figure img.chart{display:block;width:100%;max-width:1000px;height:auto;"
    "border:1px solid var(--line)}\n"
    "figcaption{font-size:.88em;color:var(--muted);margin-top:.2em}\n"
    "@media print{body{max-width:none;padding:0;font-size:11pt}nav.toc{display:none}"
    "figure,table,dl.kpis div{break-inside:avoid}h2{break-after:avoid}a{color:inherit;text-decoration:none}"
    ".badge{border:1px solid #000;-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "figure img.chart{max-width:100%}@page{margin:12mm}}\n"
    "</style>\n";

void html_append_escaped(buffer *out, const char *text) {
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        unsigned char character = (unsigned char)*cursor;
        switch (character) {
        case '&': buffer_append_text(out, "&amp;"); break;
        case '<': buffer_append_text(out, "&lt;"); break;
        case '>': buffer_append_text(out, "&gt;"); break;
        case '"': buffer_append_text(out, "&quot;"); break;
        case '\'': buffer_append_text(out, "&#39;"); break;
        default:
            if (character >= 0x20 || character == '\t' || character == '\n') buffer_append(out, cursor, 1);
        }
    }
}

void append_display(buffer *out, double value, cell_kind kind) {
    if (!isfinite(value)) {
        buffer_append_text(out, "&mdash;");
        return;
    }
    double magnitude = fabs(value);
    char text[NUMBER_TEXT_CAPACITY];
    switch (kind) {
    case CELL_MONEY: report_append_grouped(out, value, 2); return;
    case CELL_COUNT: report_append_grouped(out, value, 0); return;
    case CELL_PRICE:
        if (magnitude >= 1 || value == 0) {
            report_append_grouped(out, value, magnitude >= 1000 ? 2 : 4);
            return;
        }
        /* Below 1: six significant digits (the program never sets a locale). */
        snprintf(text, sizeof text, "%.6g", value);
        buffer_append_text(out, text);
        return;
    case CELL_QTY:
        number_format(round(value * 1e8) / 1e8 + 0.0, text);
        buffer_append_text(out, text);
        return;
    }
}

void number_cell(buffer *out, double value, cell_kind kind, bool mark_missing) {
    if (!isfinite(value)) {
        buffer_append_format(out, "<td class=\"number%s\">&mdash;</td>", mark_missing ? " missing" : "");
        return;
    }
    buffer_append_text(out, "<td class=\"number\" title=\"");
    report_append_number(out, value);
    buffer_append_text(out, "\">");
    append_display(out, value, kind);
    buffer_append_text(out, "</td>");
}

void append_timestamp(buffer *out, double ts) {
    if (!isfinite(ts)) {
        buffer_append_text(out, "&mdash;");
        return;
    }
    if (ts < 1e8 || ts > 4e10) {
        buffer_append_text(out, "ts ");
        report_append_number(out, ts);
        return;
    }
    time_t seconds = (time_t)floor(ts);
    struct tm parts;
    gmtime_r(&seconds, &parts);
    char text[64];
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
    buffer_append_text(out, text);
}

/* One KPI tile: label, display value (rounded to decimals, grouped) and the
 * exact value in the title attribute. decimals < 0: an integer count. */
static void kpi_tile(buffer *out, const char *id, const char *label, double value, int decimals, const char *unit) {
    buffer_append_format(out, "<div><dt>%s</dt><dd id=\"kpi-%s\"", label, id);
    if (isfinite(value)) {
        buffer_append_text(out, " title=\"");
        report_append_number(out, value);
        buffer_append_text(out, "\">");
        report_append_grouped(out, value, decimals < 0 ? 0 : decimals);
        buffer_append_text(out, unit);
    } else {
        buffer_append_text(out, ">&mdash;");
    }
    buffer_append_text(out, "</dd></div>\n");
}

/* The number at path a.b (b may be NULL) of object, NaN when absent. */
static double member_number(const cJSON *object, const char *first, const char *second) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, first);
    if (second != NULL) item = cJSON_GetObjectItemCaseSensitive(item, second);
    return cJSON_IsNumber(item) ? item->valuedouble : NAN;
}

/* ---- sections ------------------------------------------------------------------------- */

/* Run summary and KPI tiles (kpis_v7.json; NAV from nav.csv when absent). */
static void section_summary(const report_context *context, buffer *out) {
    const cJSON *kpis = context->kpis;
    buffer_append_text(out, "<section id=\"summary\">\n<h2>Run summary and KPIs</h2>\n");
    buffer_append_text(out, "<table id=\"run-facts\"><tbody>\n<tr><th>run</th><td>");
    html_append_escaped(out, context->run_name);
    buffer_append_text(out, "</td></tr>\n<tr><th>time span</th><td>");
    append_timestamp(out, context->has_x ? context->x_min : NAN);
    buffer_append_text(out, " &ndash; ");
    append_timestamp(out, context->has_x ? context->x_max : NAN);
    buffer_append_format(out,
                         "</td></tr>\n<tr><th>snapshots</th><td>%ld in nav.csv, %ld in reconcile.jsonl</td></tr>\n"
                         "<tr><th>exit intents</th><td>%ld (TP %ld, SL %ld)</td></tr>\n"
                         "<tr><th>backtest orders</th><td>%ld (filled %ld, rejected %ld)</td></tr>\n"
                         "<tr><th>faults injected</th><td>%ld</td></tr>\n",
                         context->nav_rows, context->reconcile_rows, context->exit_rows, context->exits_tp,
                         context->exits_sl, context->order_rows, context->orders_filled, context->orders_rejected,
                         context->fault_rows);
    if (context->use_mark_log) buffer_append_format(out, "<tr><th>marks</th><td>%ld rows in marks.csv</td></tr>\n",
                                                    context->mark_rows);
    buffer_append_text(out, "</tbody></table>\n");
    if (kpis == NULL) buffer_append_text(out, "<p class=\"muted\">No logs/state/kpis_v7.json: the KPIs below come from "
                                              "nav.csv where possible.</p>\n");
    double nav = member_number(kpis, "nav", "nav_total");
    if (!isfinite(nav)) nav = context->nav_last;
    double aum = member_number(kpis, "aum_total", NULL);
    buffer_append_text(out, "<dl class=\"kpis\" id=\"kpis\">\n");
    kpi_tile(out, "nav_total", "NAV (futures)", nav, 2, " USD");
    kpi_tile(out, "aum_total", "AUM total", aum, 2, " USD");
    double return_pct = member_number(kpis, "return_pct", NULL);
    kpi_tile(out, "return_pct", "return", return_pct, 2, " %");
    double drawdown = member_number(kpis, "max_drawdown_pct", NULL);
    if (kpis == NULL) drawdown = context->max_drawdown_pct;
    kpi_tile(out, "max_drawdown_pct", "max drawdown", drawdown, 2, " %");
    kpi_tile(out, "sharpe", "Sharpe (daily)", member_number(kpis, "sharpe", NULL), 2, "");
    kpi_tile(out, "realized_pnl", "realized PnL", member_number(kpis, "realized_pnl", NULL), 2, " USD");
    kpi_tile(out, "fees_paid", "fees paid", member_number(kpis, "fees_paid", NULL), 2, " USD");
    kpi_tile(out, "funding_paid", "funding paid", member_number(kpis, "funding_paid", NULL), 2, " USD");
    kpi_tile(out, "trades", "trades", member_number(kpis, "trades", NULL), -1, "");
    kpi_tile(out, "wins", "wins", member_number(kpis, "wins", NULL), -1, "");
    double win_rate = member_number(kpis, "win_rate", NULL);
    kpi_tile(out, "win_rate", "win rate", isfinite(win_rate) ? win_rate * 100 : NAN, 1, " %");
    kpi_tile(out, "exits_tp", "exits TP", member_number(kpis, "exits", "tp"), -1, "");
    kpi_tile(out, "exits_sl", "exits SL", member_number(kpis, "exits", "sl"), -1, "");
    kpi_tile(out, "duplicates_skipped", "duplicates skipped", member_number(kpis, "duplicates_skipped", NULL), -1, "");
    kpi_tile(out, "faults_injected", "faults injected", member_number(kpis, "faults_injected", NULL), -1, "");
    buffer_append_text(out, "</dl>\n");
    const char *reason = sharpe_missing_reason(context);
    if (reason != NULL)
        buffer_append_format(out, "<p class=\"muted\" id=\"sharpe-reason\">Sharpe (daily) is &mdash; because %s.</p>\n",
                             reason);
    buffer_append_text(out, "</section>\n");
}

/* The consistency status of seed 002 section 6.2, recomputed from
 * state.json: red when positions exist and the ledger is empty, yellow
 * when the counts differ or an entry lacks tp or sl, else green. */
static const char *recompute_consistency(const cJSON *state) {
    const cJSON *positions = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(state, "positions_state"),
                                                              "positions");
    const cJSON *ledger = cJSON_GetObjectItemCaseSensitive(state, "positions_ledger");
    int position_count = cJSON_GetArraySize(positions), ledger_count = cJSON_GetArraySize(ledger);
    if (position_count > 0 && ledger_count == 0) return "red";
    if (position_count != ledger_count) return "yellow";
    const cJSON *entry;
    cJSON_ArrayForEach(entry, ledger) {
        if (!isfinite(report_json_number(entry, "tp")) || !isfinite(report_json_number(entry, "sl"))) return "yellow";
    }
    return "green";
}

/* The consistency badge paragraph (seed 002 section 6.2): state.json's
 * status, recomputed when absent, and a note when the two disagree. */
static void consistency_badge(const report_context *context, buffer *out) {
    const cJSON *state = context->state;
    const cJSON *consistency = cJSON_GetObjectItemCaseSensitive(state, "ledger_consistency");
    const char *status = report_json_string(consistency, "status");
    const char *badge = "unknown";
    if (status != NULL && (strcmp(status, "green") == 0 || strcmp(status, "yellow") == 0 || strcmp(status, "red") == 0))
        badge = status;
    const char *recomputed = state != NULL ? recompute_consistency(state) : NULL;
    if (status == NULL && recomputed != NULL) badge = recomputed;
    buffer_append_text(out, "<p>Ledger consistency: ");
    buffer_append_format(out, "<span id=\"consistency-badge\" class=\"badge %s\" data-status=\"%s\">%s</span> ", badge,
                         badge, badge);
    if (consistency != NULL) {
        buffer_append_text(out, "<span class=\"muted\">");
        double counts[3] = {report_json_number(consistency, "num_positions"),
                            report_json_number(consistency, "num_ledger"), report_json_number(consistency, "num_tp_sl")};
        const char *labels[3] = {"positions", "in the ledger", "with TP/SL"};
        for (size_t index = 0; index < 3; index++) {
            if (index > 0) buffer_append_text(out, ", ");
            append_display(out, counts[index], CELL_COUNT);
            buffer_append_format(out, " %s", labels[index]);
        }
        buffer_append_text(out, " (state.json ledger_consistency)</span>");
    } else if (state == NULL) {
        buffer_append_text(out, "<span class=\"muted\">no logs/state/state.json</span>");
    } else {
        buffer_append_text(out, "<span class=\"muted\">state.json has no ledger_consistency; recomputed</span>");
    }
    buffer_append_text(out, "</p>\n");
    if (status != NULL && recomputed != NULL && strcmp(status, recomputed) != 0)
        buffer_append_format(out, "<p class=\"notes\" id=\"consistency-mismatch\">state.json says %s, but its "
                                  "positions and ledger give %s (seed 002 section 6.2).</p>\n",
                             badge, recomputed);
    buffer_append_text(out, "<p class=\"muted\">green: every position is in the ledger with both TP and SL; yellow: "
                            "some lack TP or SL; red: positions exist and the ledger is empty.</p>\n");
}

/* The positions-ledger table and the consistency badge. */
static void section_positions(const report_context *context, buffer *out) {
    const cJSON *state = context->state;
    buffer_append_text(out, "<section id=\"positions\">\n<h2>Positions ledger</h2>\n");
    consistency_badge(context, out);
    buffer_append_text(out, "<table id=\"ledger-table\">\n<thead><tr><th>symbol</th><th>side</th><th>qty</th>"
                            "<th>entry</th><th>tp</th><th>sl</th><th>created</th><th>updated</th></tr></thead>\n"
                            "<tbody>\n");
    const cJSON *ledger = cJSON_GetObjectItemCaseSensitive(state, "positions_ledger");
    const cJSON *entry;
    int rows = 0;
    cJSON_ArrayForEach(entry, ledger) {
        const char *side = report_json_string(entry, "side");
        buffer_append_text(out, "<tr><td>");
        html_append_escaped(out, entry->string != NULL ? entry->string : "?");
        buffer_append_text(out, "</td><td>");
        html_append_escaped(out, side != NULL ? side : "?");
        buffer_append_text(out, "</td>");
        number_cell(out, report_json_number(entry, "qty"), CELL_QTY, false);
        number_cell(out, report_json_number(entry, "entry_price"), CELL_PRICE, false);
        number_cell(out, report_json_number(entry, "tp"), CELL_PRICE, true);
        number_cell(out, report_json_number(entry, "sl"), CELL_PRICE, true);
        buffer_append_text(out, "<td>");
        append_timestamp(out, report_json_number(entry, "created_ts"));
        buffer_append_text(out, "</td><td>");
        append_timestamp(out, report_json_number(entry, "updated_ts"));
        buffer_append_text(out, "</td></tr>\n");
        rows++;
    }
    if (rows == 0)
        buffer_append_text(out, "<tr class=\"empty\"><td colspan=\"8\" class=\"muted\">no positions in the ledger"
                                "</td></tr>\n");
    buffer_append_text(out, "</tbody>\n</table>\n");
    const cJSON *positions = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(state, "positions_state"),
                                                              "positions");
    buffer_append_format(out, "<p class=\"muted\">positions_state: %d open position%s", cJSON_GetArraySize(positions),
                         cJSON_GetArraySize(positions) == 1 ? "" : "s");
    const cJSON *position;
    bool first = true;
    cJSON_ArrayForEach(position, positions) {
        const char *symbol = report_json_string(position, "symbol");
        buffer_append_text(out, first ? ": " : ", ");
        first = false;
        html_append_escaped(out, symbol != NULL ? symbol : "?");
    }
    buffer_append_text(out, ".</p>\n</section>\n");
}

/* Appends the bytes of data as base64 (RFC 4648, padded). */
static void append_base64(buffer *out, const unsigned char *data, size_t length) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char quad[4];
    for (size_t index = 0; index < length; index += 3) {
        unsigned long group = (unsigned long)data[index] << 16;
        if (index + 1 < length) group |= (unsigned long)data[index + 1] << 8;
        if (index + 2 < length) group |= data[index + 2];
        quad[0] = alphabet[(group >> 18) & 63];
        quad[1] = alphabet[(group >> 12) & 63];
        quad[2] = index + 1 < length ? alphabet[(group >> 6) & 63] : '=';
        quad[3] = index + 2 < length ? alphabet[group & 63] : '=';
        buffer_append(out, quad, 4);
    }
}

void chart_figure(buffer *out, const report_chart *chart) {
    buffer_append_format(out, "<figure id=\"figure-%s\"><img class=\"chart\" id=\"chart-%s\" width=\"%d\" "
                              "height=\"%d\" alt=\"",
                         chart->stem, chart->stem, chart->width, chart->height);
    html_append_escaped(out, chart->title);
    buffer_append_text(out, "\" src=\"data:image/png;base64,");
    if (chart->png.data != NULL) append_base64(out, (const unsigned char *)chart->png.data, chart->png.length);
    buffer_append_text(out, "\"><figcaption>");
    html_append_escaped(out, chart->title);
    buffer_append_format(out, " &middot; beside this page: %s.svg, %s.gp</figcaption></figure>\n", chart->stem,
                         chart->stem);
}

const report_chart *find_chart(const report_chart_list *charts, const char *stem) {
    for (size_t index = 0; index < charts->count; index++)
        if (strcmp(charts->items[index].stem, stem) == 0) return &charts->items[index];
    return NULL;
}

/* The AUM donut and the table of assets (nav.json). */
static void section_aum(const report_context *context, const report_chart_list *charts, buffer *out) {
    buffer_append_text(out, "<section id=\"aum\">\n<h2>AUM</h2>\n");
    const report_chart *donut = find_chart(charts, "aum_donut");
    if (donut != NULL) chart_figure(out, donut);
    const cJSON *aum = cJSON_GetObjectItemCaseSensitive(context->nav, "aum");
    if (context->nav == NULL) {
        buffer_append_text(out, "<p class=\"muted\">No logs/state/nav.json.</p>\n</section>\n");
        return;
    }
    double total = report_json_number(aum, "total");
    double futures = report_json_number(aum, "futures");
    if (!isfinite(futures)) futures = report_json_number(context->nav, "nav_total");
    buffer_append_text(out, "<table id=\"aum-table\">\n<thead><tr><th>asset</th><th>qty</th><th>usd_value</th>"
                            "<th>avg_cost</th><th>share of AUM</th></tr></thead>\n<tbody>\n"
                            "<tr><td>USDT (futures NAV)</td><td class=\"number\">&mdash;</td>");
    number_cell(out, futures, CELL_MONEY, false);
    buffer_append_text(out, "<td class=\"number\">&mdash;</td><td class=\"number\">");
    if (isfinite(total) && total > 0 && isfinite(futures)) {
        report_append_grouped(out, futures / total * 100, 1);
        buffer_append_text(out, " %");
    }
    buffer_append_text(out, "</td></tr>\n");
    const cJSON *asset;
    cJSON_ArrayForEach(asset, cJSON_GetObjectItemCaseSensitive(aum, "offexchange")) {
        double value = report_json_number(asset, "usd_value");
        buffer_append_text(out, "<tr><td>");
        html_append_escaped(out, asset->string != NULL ? asset->string : "?");
        buffer_append_text(out, "</td>");
        number_cell(out, report_json_number(asset, "qty"), CELL_QTY, false);
        if (isfinite(value)) number_cell(out, value, CELL_MONEY, false);
        else buffer_append_text(out, "<td class=\"number missing\">no mark (null)</td>");
        number_cell(out, report_json_number(asset, "avg_cost"), CELL_PRICE, false);
        buffer_append_text(out, "<td class=\"number\">");
        if (isfinite(value) && isfinite(total) && total > 0) {
            report_append_grouped(out, value / total * 100, 1);
            buffer_append_text(out, " %");
        }
        buffer_append_text(out, "</td></tr>\n");
    }
    buffer_append_text(out, "</tbody>\n<tfoot><tr><th>total</th><td></td>");
    number_cell(out, total, CELL_MONEY, false);
    buffer_append_text(out, "<td></td><td></td></tr></tfoot>\n</table>\n<p class=\"muted\">An asset is valued at the "
                            "kernel's mark of ASSET+USDT; without one its usd_value is null and it adds nothing to the "
                            "total.</p>\n</section>\n");
}

/* Appends a count cell (a dash when absent). */
static void count_cell(buffer *out, double value) { number_cell(out, value, CELL_COUNT, false); }

/* The status counts of the snapshots, beside kpis_v7.json's. */
static void reconcile_counts_table(const report_context *context, buffer *out) {
    static const char *const status_names[3] = {"OK", "WARN", "ERROR"};
    static const char *const kpi_names[3] = {"ok", "warn", "error"};
    const cJSON *kpi_reconcile = cJSON_GetObjectItemCaseSensitive(context->kpis, "reconcile");
    buffer_append_format(out, "<table id=\"reconcile-counts\">\n<thead><tr><th>status</th><th>snapshots (%s)</th>"
                              "<th>kpis_v7.json</th></tr></thead>\n<tbody>\n",
                         context->reconcile_rows > 0 ? "reconcile.jsonl" : "nav.csv");
    for (int status = 0; status < 3; status++) {
        buffer_append_format(out, "<tr><td class=\"status-%s\">%s</td>", status_names[status], status_names[status]);
        count_cell(out, (double)context->status_counts[status]);
        number_cell(out, report_json_number(kpi_reconcile, kpi_names[status]), CELL_COUNT, false);
        buffer_append_text(out, "</tr>\n");
    }
    buffer_append_text(out, "</tbody>\n</table>\n");
}

/* The WARN band of rule (R1..R5) as text: its threshold and value. */
static void append_rule_band(const reconcile_config *thresholds, size_t rule, buffer *out) {
    switch (rule) {
    case RULE_CAPITAL_VS_WALLET: buffer_append_text(out, "pending_fee_bound "); report_append_number(out, thresholds->pending_fee_bound); break;
    case RULE_REALIZED_PNL: buffer_append_text(out, "realized_rounding "); report_append_number(out, thresholds->realized_rounding); break;
    case RULE_OPEN_POSITIONS: buffer_append_text(out, "none: any difference is ERROR"); break;
    case RULE_OPEN_NOTIONAL:
        buffer_append_text(out, "open_notional &times; ");
        report_append_number(out, thresholds->mark_staleness_factor);
        break;
    default:
        buffer_append_text(out, "leverage_rounding_band ");
        report_append_number(out, thresholds->leverage_rounding_band);
    }
}

/* One row per rule: evaluations, breaches, largest delta, worst-field
 * counts and the band; then where the thresholds came from. */
static void reconcile_rules_table(const report_context *context, buffer *out) {
    const reconcile_config *thresholds = &context->thresholds;
    buffer_append_text(out, "<table id=\"reconcile-rules\">\n<thead><tr><th>rule</th><th>snapshots evaluated</th>"
                            "<th>|delta| &gt; epsilon</th><th>beyond the WARN band</th><th>largest |delta|</th>"
                            "<th>worst field (snapshots)</th><th>WARN band</th></tr></thead>\n<tbody>\n");
    for (size_t rule = 0; rule < REPORT_RULES; rule++) {
        const rule_track *track = &context->rules[rule];
        buffer_append_text(out, "<tr><td>");
        html_append_escaped(out, track->label);
        buffer_append_format(out, "</td><td class=\"number\">%ld</td><td class=\"number\">%ld</td>"
                                  "<td class=\"number\">%ld</td>",
                             track->evaluated, track->outside_epsilon, track->outside_band);
        buffer_append_text(out, "<td class=\"number\">");
        if (track->evaluated > 0) report_append_grouped(out, track->largest, 4);
        else buffer_append_text(out, "&mdash;");
        buffer_append_text(out, "</td>");
        buffer_append_format(out, "<td class=\"number\">%ld</td><td>", context->worst_field_counts[rule]);
        append_rule_band(thresholds, rule, out);
        buffer_append_text(out, "</td></tr>\n");
    }
    buffer_append_text(out, "</tbody>\n</table>\n<p class=\"muted\">OK when |delta| &le; capital_epsilon (");
    report_append_number(out, thresholds->capital_epsilon);
    buffer_append_format(out, "); thresholds from %s.</p>\n",
                         context->thresholds_from_account ? "logs/state/account.json reconcile_config"
                                                          : "the scenario format's defaults (account.json has none)");
}

/* The latest snapshot's status, worst field and explanations (account.json). */
static void reconcile_latest(const report_context *context, buffer *out) {
    const cJSON *latest = cJSON_GetObjectItemCaseSensitive(context->account, "reconcile");
    const char *latest_status = report_json_string(latest, "status");
    if (latest_status == NULL) return;
    buffer_append_text(out, "<p>Latest snapshot (account.json): <span class=\"status-");
    html_append_escaped(out, latest_status);
    buffer_append_text(out, "\">");
    html_append_escaped(out, latest_status);
    buffer_append_text(out, "</span>");
    const char *worst = report_json_string(latest, "worst_field");
    if (worst != NULL && worst[0] != '\0') {
        buffer_append_text(out, ", worst field ");
        html_append_escaped(out, worst);
    }
    buffer_append_text(out, ".</p>\n");
    const cJSON *explanation;
    bool any = false;
    cJSON_ArrayForEach(explanation, cJSON_GetObjectItemCaseSensitive(latest, "explanations")) {
        if (!cJSON_IsString(explanation)) continue;
        buffer_append_text(out, any ? "" : "<ul id=\"explanations\">\n");
        any = true;
        buffer_append_text(out, "<li><code>");
        html_append_escaped(out, explanation->valuestring);
        buffer_append_text(out, "</code></li>\n");
    }
    if (any) buffer_append_text(out, "</ul>\n");
}

/* Per-rule counts from kpis_v7.json: reconcile.rules{FIELD:{evaluated, ok,
 * warn, error}} when the run wrote them, and reconcile.worst_fields always.
 * They exist without the trace, so a --trace none run still tells how each
 * rule fared. */
static void reconcile_kpi_rules_table(const report_context *context, buffer *out) {
    const cJSON *reconcile = cJSON_GetObjectItemCaseSensitive(context->kpis, "reconcile");
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(reconcile, "rules");
    const cJSON *worst = cJSON_GetObjectItemCaseSensitive(reconcile, "worst_fields");
    bool per_rule = cJSON_IsObject(rules);
    buffer_append_text(out, "<table id=\"reconcile-kpi-rules\">\n<thead><tr><th>rule (kpis_v7.json)</th>"
                            "<th>snapshots evaluated</th><th>OK</th><th>WARN</th><th>ERROR</th>"
                            "<th>worst field (snapshots)</th></tr></thead>\n<tbody>\n");
    for (size_t rule = 0; rule < REPORT_RULES; rule++) {
        const rule_track *track = &context->rules[rule];
        const cJSON *counts = cJSON_GetObjectItemCaseSensitive(rules, track->name);
        buffer_append_text(out, "<tr><td>");
        html_append_escaped(out, track->label);
        buffer_append_text(out, "</td>");
        count_cell(out, report_json_number(counts, "evaluated"));
        count_cell(out, report_json_number(counts, "ok"));
        count_cell(out, report_json_number(counts, "warn"));
        count_cell(out, report_json_number(counts, "error"));
        count_cell(out, report_json_number(worst, track->name));
        buffer_append_text(out, "</tr>\n");
    }
    buffer_append_text(out, "</tbody>\n</table>\n");
    if (!per_rule)
        buffer_append_text(out, "<p class=\"muted\">kpis_v7.json has no per-rule counts (reconcile.rules): of each "
                                "snapshot only its worst field is known.</p>\n");
}

/* The reconcile section: counts, rule tables, latest status and chart.
 * Without reconcile.jsonl (--trace none) the per-snapshot deltas and the
 * chart do not exist: it says so and shows kpis_v7.json's counts. */
static void section_reconcile(const report_context *context, const report_chart_list *charts, buffer *out) {
    buffer_append_text(out, "<section id=\"reconcile\">\n<h2>Reconcile</h2>\n");
    reconcile_counts_table(context, out);
    if (context->reconcile_rows > 0) {
        reconcile_rules_table(context, out);
    } else {
        buffer_append_text(out, "<p class=\"notes\" id=\"reconcile-no-trace\">This run wrote no "
                                "logs/reconcile.jsonl (replayed with <code>--trace none</code>): the deltas of each "
                                "snapshot and their chart need it. The counts here come from nav.csv and "
                                "kpis_v7.json.</p>\n");
    }
    if (context->kpis != NULL &&
        (context->reconcile_rows == 0 ||
         cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(context->kpis, "reconcile"),
                                                         "rules"))))
        reconcile_kpi_rules_table(context, out);
    reconcile_latest(context, out);
    const report_chart *chart = find_chart(charts, "reconcile");
    if (chart != NULL) chart_figure(out, chart);
    buffer_append_text(out, "</section>\n");
}

/* One row of the fault log table. */
static void fault_row(const report_context *context, const report_fault_row *row, buffer *out) {
    buffer_append_text(out, "<tr><td class=\"number\">");
    if (isfinite(row->sequence)) report_append_number(out, row->sequence);
    buffer_append_text(out, "</td><td>");
    html_append_escaped(out, row->kind);
    buffer_append_text(out, "</td><td>");
    html_append_escaped(out, row->symbol);
    buffer_append_text(out, "</td><td><code>");
    if (context->fault_params.data != NULL && row->params_offset < context->fault_params.length)
        html_append_escaped(out, context->fault_params.data + row->params_offset);
    buffer_append_text(out, "</code></td></tr>\n");
}

/* The fault log: counts by kind and the first REPORT_FAULT_ROWS_MAX rows. */
static void section_faults(const report_context *context, buffer *out) {
    buffer_append_format(out, "<section id=\"faults\">\n<h2>Fault log</h2>\n<p>%ld fault%s injected", context->fault_rows,
                         context->fault_rows == 1 ? "" : "s");
    bool first = true;
    for (size_t kind = 0; kind <= FAULT_KIND_COUNT; kind++) {
        if (context->fault_kind_counts[kind] == 0) continue;
        buffer_append_format(out, "%s%s %ld", first ? ": " : ", ", kind < FAULT_KIND_COUNT ? fault_kind_name((fault_kind)kind) : "other",
                             context->fault_kind_counts[kind]);
        first = false;
    }
    buffer_append_text(out, ".</p>\n<table id=\"fault-log\">\n<thead><tr><th>event_seq</th><th>kind</th><th>symbol</th>"
                            "<th>params</th></tr></thead>\n<tbody>\n");
    long shown = context->fault_rows < REPORT_FAULT_ROWS_MAX ? context->fault_rows : REPORT_FAULT_ROWS_MAX;
    for (long index = 0; index < shown; index++) fault_row(context, &context->fault_table[index], out);
    if (context->fault_rows == 0)
        buffer_append_text(out, "<tr class=\"empty\"><td colspan=\"4\" class=\"muted\">no faults</td></tr>\n");
    buffer_append_text(out, "</tbody>\n</table>\n");
    if (context->fault_rows > REPORT_FAULT_ROWS_MAX)
        buffer_append_format(out, "<p class=\"muted\">The first %d are shown; see logs/faults.jsonl for all %ld.</p>\n",
                             REPORT_FAULT_ROWS_MAX, context->fault_rows);
    buffer_append_text(out, "</section>\n");
}

/* Links to the state files and logs that exist, relative to reports/. */
static void section_files(const report_context *context, buffer *out) {
    static const char *const files[] = {"state/account.json", "state/nav.json", "state/kpis_v7.json",
                                        "state/positions_state.json", "state/position_tp_sl.json", "state/state.json",
                                        "nav.csv", "reconcile.jsonl", "exits.jsonl", "orders.jsonl", "faults.jsonl",
                                        "marks.csv"};
    buffer_append_text(out, "<section id=\"files\">\n<h2>Files</h2>\n<ul id=\"file-links\">\n");
    for (size_t index = 0; index < sizeof files / sizeof files[0]; index++) {
        char path[REPORT_PATH_CAPACITY];
        int length = snprintf(path, sizeof path, "%s/%s", context->logs_directory, files[index]);
        struct stat status;
        if (length < 0 || length >= (int)sizeof path || stat(path, &status) != 0) continue;
        buffer_append_format(out, "<li><a href=\"../logs/%s\">logs/%s</a> <span class=\"muted\">(%lld bytes)</span></li>\n",
                             files[index], files[index], (long long)status.st_size);
    }
    buffer_append_text(out, "</ul>\n<p class=\"muted\">Charts: PNG and SVG by gnuplot from the *.dat files and *.gp "
                            "scripts next to this page.</p>\n</section>\n");
}

/* The warnings gathered while reading, if any. */
static void html_notes(const report_context *context, buffer *out) {
    if (context->note_count == 0) return;
    buffer_append_text(out, "<div class=\"notes\" id=\"notes\"><ul>\n");
    for (size_t index = 0; index < context->note_count; index++) {
        buffer_append_text(out, "<li>");
        html_append_escaped(out, context->notes[index]);
        buffer_append_text(out, "</li>\n");
    }
    buffer_append_text(out, "</ul></div>\n");
}

/* The NAV (and AUM) chart and the drawdown chart. */
static void section_nav(const report_chart_list *charts, buffer *out) {
    buffer_append_text(out, "<section id=\"nav\">\n<h2>NAV, AUM and drawdown</h2>\n");
    const report_chart *chart = find_chart(charts, "nav_aum");
    if (chart != NULL) chart_figure(out, chart);
    chart = find_chart(charts, "drawdown");
    if (chart != NULL) chart_figure(out, chart);
    buffer_append_text(out, "</section>\n");
}

/* One chart per symbol, the symbols past the limit, where prices come from. */
static void section_symbols(const report_context *context, const report_chart_list *charts, buffer *out) {
    buffer_append_text(out, "<section id=\"symbols\">\n<h2>Symbols</h2>\n");
    size_t symbol_charts = 0;
    for (size_t index = 0; index < charts->count; index++) {
        if (!charts->items[index].per_symbol) continue;
        chart_figure(out, &charts->items[index]);
        symbol_charts++;
    }
    if (symbol_charts == 0) buffer_append_text(out, "<p class=\"muted\">No symbol traded or held in this run.</p>\n");
    if (context->other_symbol_count > 0) {
        buffer_append_format(out, "<p class=\"muted\">Without a chart (limit %d):", REPORT_SYMBOL_CHARTS_MAX);
        for (size_t index = 0; index < context->other_symbol_count; index++) {
            buffer_append_text(out, " ");
            html_append_escaped(out, context->other_symbols[index]);
        }
        buffer_append_text(out, "</p>\n");
    }
    if (!context->use_mark_log && context->reconcile_rows == 0)
        buffer_append_text(out, "<p class=\"muted\">The run wrote neither logs/marks.csv nor logs/reconcile.jsonl "
                                "(<code>--trace none</code>): a symbol's chart shows its orders, exits and levels, "
                                "without a price line.</p>\n");
    else if (!context->use_mark_log)
        buffer_append_text(out, "<p class=\"muted\">The run wrote no logs/marks.csv: a symbol's price line is the mark "
                                "price of its exchange position in reconcile.jsonl, so it exists only while a position "
                                "is open.</p>\n");
    buffer_append_text(out, "</section>\n");
}

int report_write_html(report_context *context, const report_chart_list *charts) {
    buffer out;
    buffer_init(&out, REPORT_OUTPUT_BYTES_MAX);
    buffer_append_text(&out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                             "<meta name=\"generator\" content=\"ledgersim report\">\n<title>ledgersim report: ");
    html_append_escaped(&out, context->run_name);
    buffer_append_text(&out, "</title>\n");
    buffer_append_text(&out, style_sheet);
    buffer_append_text(&out, "</head>\n<body>\n<header>\n<h1>ledgersim report: ");
    html_append_escaped(&out, context->run_name);
    buffer_append_text(&out, "</h1>\n<nav class=\"toc\"><a href=\"#summary\">summary</a><a href=\"#positions\">positions"
                             "</a><a href=\"#aum\">AUM</a><a href=\"#nav\">NAV</a><a href=\"#trading\">trading</a>"
                             "<a href=\"#reconcile\">reconcile</a><a href=\"#symbols\">symbols</a>"
                             "<a href=\"#faults\">faults</a><a href=\"#files\">files</a></nav>\n</header>\n<main>\n");
    html_notes(context, &out);
    section_summary(context, &out);
    section_positions(context, &out);
    section_aum(context, charts, &out);
    section_nav(charts, &out);
    section_trading(context, charts, &out);
    section_reconcile(context, charts, &out);
    section_symbols(context, charts, &out);
    section_faults(context, &out);
    section_files(context, &out);
    buffer_append_text(&out, "</main>\n<footer class=\"muted\"><p>Written by ledgersim report from the files of the run "
                             "directory; the same run gives the same bytes.</p></footer>\n</body>\n</html>\n");
    if (buffer_failed(&out)) {
        buffer_free(&out);
        return report_fail(context, "index.html: larger than %d bytes or out of memory", REPORT_OUTPUT_BYTES_MAX);
    }
    char path[REPORT_PATH_CAPACITY];
    int result = 0;
    if (!report_join(context, path, context->reports_directory, "index.html")) result = -1;
    else if (atomic_file_write(path, out.data, out.length) != 0)
        result = report_fail(context, "%s: cannot write it (%s)", path, strerror(errno));
    buffer_free(&out);
    return result;
}
