/* report_html_trading.c -- the trading section of index.html: what the
 * reports of freqtrade, NautilusTrader and LEAN show and a ledger report
 * lacked: the trades with their realized PnL, PnL per symbol, exposure and
 * leverage over time, and the daily returns behind the Sharpe ratio.
 * Stable hooks for tests: id="trading", id="trades", id="symbol-pnl",
 * id="daily-returns", id="sharpe-reason". */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "reports/report_internal.h"

enum {
    OPEN_ROWS_MAX = 25 /* a longer table is folded (<details>), still in the page */
};

/* Opens a table that folds when it has more than OPEN_ROWS_MAX rows. */
static void open_foldable(buffer *out, size_t rows, const char *what) {
    if (rows > OPEN_ROWS_MAX) buffer_append_format(out, "<details><summary>%zu %s</summary>\n", rows, what);
}

/* Closes what open_foldable opened. */
static void close_foldable(buffer *out, size_t rows) {
    if (rows > OPEN_ROWS_MAX) buffer_append_text(out, "</details>\n");
}

/* The fills the page lists: the backtest's orders, else E's fills seen
 * in reconcile.jsonl. */
static const report_fills *listed_fills(const report_context *context) {
    return context->order_rows > 0 ? &context->trading->orders : &context->trading->snapshots;
}

/* One trade's row. */
static void trade_row(const report_trade *trade, size_t number, double cumulative, buffer *out) {
    buffer_append_format(out, "<tr class=\"%s\"><td class=\"number\">%zu</td><td>",
                         trade->realized_pnl > 0 ? "win" : "loss", number);
    append_timestamp(out, trade->ts);
    buffer_append_text(out, "</td><td>");
    html_append_escaped(out, trade->symbol[0] != '\0' ? trade->symbol : "?");
    buffer_append_text(out, "</td><td>");
    html_append_escaped(out, trade->side);
    buffer_append_text(out, "</td>");
    number_cell(out, trade->qty, CELL_QTY, false);
    number_cell(out, trade->price, CELL_PRICE, false);
    number_cell(out, trade->fee, CELL_MONEY, false);
    number_cell(out, trade->realized_pnl, CELL_MONEY, false);
    number_cell(out, cumulative, CELL_MONEY, false);
    buffer_append_text(out, "<td>");
    html_append_escaped(out, trade->reason);
    buffer_append_text(out, "</td></tr>\n");
}

/* The trades (fills that realized PnL) with their PnL and its running sum. */
static void trades_table(const report_context *context, buffer *out) {
    const report_fills *fills = listed_fills(context);
    buffer_append_text(out, "<h3>Trades</h3>\n");
    if (context->order_rows == 0 && context->reconcile_rows == 0) {
        buffer_append_text(out, "<p class=\"muted\" id=\"trades\">No trade list: it comes from logs/orders.jsonl "
                                "(a backtest) or from the fills in logs/reconcile.jsonl, and this run has neither "
                                "(<code>--trace none</code>).</p>\n");
        return;
    }
    buffer_append_format(out, "<p>%ld trades (fills that realized PnL, as kpis_v7.json counts them), %ld won; "
                              "realized PnL ",
                         fills->trades_total, fills->wins_total);
    append_display(out, fills->realized_total, CELL_MONEY);
    buffer_append_format(out, " USDT. Source: %s.</p>\n",
                         context->order_rows > 0 ? "logs/orders.jsonl"
                                                 : "the exchange's last fill in each snapshot of logs/reconcile.jsonl "
                                                   "(symbol and side from the position that changed; ? when none "
                                                   "or several did)");
    open_foldable(out, fills->trade_count, "trades");
    buffer_append_text(out, "<table id=\"trades\">\n<thead><tr><th>#</th><th>time</th><th>symbol</th><th>side</th>"
                            "<th>qty</th><th>price</th><th>fee</th><th>realized PnL</th><th>cumulative</th>"
                            "<th>reason</th></tr></thead>\n<tbody>\n");
    double cumulative = 0;
    for (size_t index = 0; index < fills->trade_count; index++) {
        cumulative += fills->trades[index].realized_pnl;
        trade_row(&fills->trades[index], index + 1, cumulative, out);
    }
    buffer_append_text(out, "</tbody>\n</table>\n");
    close_foldable(out, fills->trade_count);
    if (fills->trades_total > (long)fills->trade_count)
        buffer_append_format(out, "<p class=\"muted\">The first %zu are listed, of %ld.</p>\n", fills->trade_count,
                             fills->trades_total);
}

/* One row of the PnL table. */
static void symbol_pnl_row(const report_symbol_pnl *row, const char *label, buffer *out) {
    buffer_append_text(out, "<tr><td>");
    html_append_escaped(out, label);
    buffer_append_text(out, "</td>");
    number_cell(out, (double)row->fills, CELL_COUNT, false);
    number_cell(out, (double)row->trades, CELL_COUNT, false);
    number_cell(out, (double)row->wins, CELL_COUNT, false);
    number_cell(out, row->trades > 0 ? (double)row->wins / (double)row->trades * 100 : NAN, CELL_MONEY, false);
    number_cell(out, row->realized_pnl, CELL_MONEY, false);
    number_cell(out, row->fees, CELL_MONEY, false);
    number_cell(out, row->realized_pnl - row->fees, CELL_MONEY, false);
    buffer_append_text(out, "</tr>\n");
}

/* PnL per symbol from the filled orders, with the totals. */
static void symbol_pnl_table(const report_context *context, buffer *out) {
    const report_fills *trading = listed_fills(context);
    if (trading->symbol_count == 0) return;
    buffer_append_text(out, "<h3>PnL per symbol</h3>\n<table id=\"symbol-pnl\">\n<thead><tr><th>symbol</th>"
                            "<th>fills</th><th>trades</th><th>wins</th><th>win rate %</th><th>realized PnL</th>"
                            "<th>fees</th><th>net (realized &minus; fees)</th></tr></thead>\n<tbody>\n");
    report_symbol_pnl total;
    memset(&total, 0, sizeof total);
    for (size_t index = 0; index <= REPORT_PNL_SYMBOLS_MAX; index++) {
        if (index == REPORT_PNL_SYMBOLS_MAX && !trading->has_other_symbols) break;
        if (index >= trading->symbol_count && index < REPORT_PNL_SYMBOLS_MAX) continue;
        const report_symbol_pnl *row = &trading->symbols[index];
        const char *label = index == REPORT_PNL_SYMBOLS_MAX ? "other symbols" : row->symbol[0] != '\0' ? row->symbol : "?";
        symbol_pnl_row(row, label, out);
        total.fills += row->fills;
        total.trades += row->trades;
        total.wins += row->wins;
        total.realized_pnl += row->realized_pnl;
        total.fees += row->fees;
    }
    buffer_append_text(out, "</tbody>\n<tfoot>\n");
    symbol_pnl_row(&total, "total", out);
    buffer_append_format(out, "</tfoot>\n</table>\n<p class=\"muted\">USDT, from %s. Funding is charged to the "
                              "account, not to a symbol: see the funding KPI.</p>\n",
                         context->order_rows > 0 ? "logs/orders.jsonl" : "the fills in logs/reconcile.jsonl");
}

/* Appends a UTC day as YYYY-MM-DD (or "day N" for synthetic clocks). */
static void append_day(buffer *out, long day) {
    double ts = (double)day * 86400.0;
    if (ts < 1e8 || ts > 4e10) {
        buffer_append_format(out, "day %ld", day);
        return;
    }
    time_t seconds = (time_t)ts;
    struct tm parts;
    gmtime_r(&seconds, &parts);
    char text[32];
    strftime(text, sizeof text, "%Y-%m-%d", &parts);
    buffer_append_text(out, text);
}

/* The NAV at each UTC day's end and the day's return, as the Sharpe ratio
 * uses them (the first against the run's first NAV). */
static void daily_returns_table(const report_context *context, buffer *out) {
    const report_trading *trading = context->trading;
    buffer_append_text(out, "<h3>Daily returns</h3>\n");
    if (trading->day_count == 0) {
        buffer_append_text(out, "<p class=\"muted\" id=\"daily-returns\">No NAV rows in logs/nav.csv.</p>\n");
        return;
    }
    open_foldable(out, trading->day_count, "UTC days");
    buffer_append_text(out, "<table id=\"daily-returns\">\n<thead><tr><th>UTC day</th><th>NAV at the day's end</th>"
                            "<th>return %</th></tr></thead>\n<tbody>\n");
    double previous = trading->first_nav;
    for (size_t index = 0; index < trading->day_count; index++) {
        const report_day *day = &trading->days[index];
        buffer_append_text(out, "<tr><td>");
        append_day(out, day->day);
        buffer_append_text(out, "</td>");
        number_cell(out, day->close_nav, CELL_MONEY, false);
        number_cell(out, previous > 0 ? (day->close_nav / previous - 1.0) * 100.0 : NAN, CELL_MONEY, false);
        buffer_append_text(out, "</tr>\n");
        previous = day->close_nav;
    }
    buffer_append_text(out, "</tbody>\n</table>\n");
    close_foldable(out, trading->day_count);
    const char *reason = sharpe_missing_reason(context);
    if (reason != NULL)
        buffer_append_format(out, "<p class=\"muted\" id=\"sharpe-reason-days\">Sharpe: &mdash; because %s.</p>\n",
                             reason);
}

const char *sharpe_missing_reason(const report_context *context) {
    const cJSON *sharpe = cJSON_GetObjectItemCaseSensitive(context->kpis, "sharpe");
    if (context->kpis == NULL || cJSON_IsNumber(sharpe)) return NULL;
    const report_trading *trading = context->trading;
    if (trading->days_total < 2)
        return "the run has fewer than two UTC days of NAV (a daily Sharpe needs two daily returns)";
    if (trading->days_total > NAV_DAYS_MAX) return "the run is longer than the core keeps days for (NAV_DAYS_MAX)";
    bool positive = trading->first_nav > 0;
    for (size_t index = 0; index < trading->day_count && positive; index++)
        positive = trading->days[index].close_nav > 0;
    if (!positive) return "a day closed with a NAV of 0 or less, where a return is undefined";
    return "the daily returns do not vary (a standard deviation of 0)";
}

void section_trading(const report_context *context, const report_chart_list *charts, buffer *out) {
    buffer_append_text(out, "<section id=\"trading\">\n<h2>Trading</h2>\n");
    trades_table(context, out);
    symbol_pnl_table(context, out);
    buffer_append_text(out, "<h3>Exposure and leverage</h3>\n");
    const report_chart *chart = find_chart(charts, "exposure");
    if (chart != NULL)
        chart_figure(out, chart);
    else
        buffer_append_text(out, "<p class=\"muted\" id=\"exposure-missing\">No exposure chart: it is drawn from "
                                "K's open notional and equity in logs/reconcile.jsonl, which this run did not write "
                                "(<code>--trace none</code>) or which has no snapshot.</p>\n");
    daily_returns_table(context, out);
    buffer_append_text(out, "</section>\n");
}
