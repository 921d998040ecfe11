/* report_trades.c -- what traders look for in a report, gathered while the
 * logs stream by (report_inputs.c calls in), in fixed memory:
 *   - trades: the fills that realized PnL (the kernel's trade count), from
 *     orders.jsonl (written by backtests), the first REPORT_TRADE_ROWS_MAX
 *     kept, all counted;
 *   - PnL per symbol: fills, trades, wins, realized PnL and fees;
 *   - exposure over time: K's open notional and leverage (open notional /
 *     equity) per reconcile.jsonl snapshot (decimated);
 *   - daily returns: the last NAV of each UTC day in nav.csv, as the core's
 *     Sharpe uses them (core/kpis.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_internal.h"

int report_trading_init(report_context *context) {
    context->trading = calloc(1, sizeof *context->trading);
    if (context->trading == NULL) return report_fail(context, "out of memory");
    series_init(&context->trading->exposure, 2, 2);
    context->trading->first_nav = NAN;
    return 0;
}

void report_trading_free(report_context *context) {
    if (context->trading == NULL) return;
    series_free(&context->trading->exposure);
    free(context->trading);
    context->trading = NULL;
}

/* The PnL row of symbol: found, or added while there is room, else the
 * row of the remaining symbols. */
static report_symbol_pnl *symbol_pnl(report_trading *trading, const char *symbol) {
    for (size_t index = 0; index < trading->symbol_count; index++)
        if (strcmp(trading->symbols[index].symbol, symbol) == 0) return &trading->symbols[index];
    if (trading->symbol_count < REPORT_PNL_SYMBOLS_MAX) {
        report_symbol_pnl *row = &trading->symbols[trading->symbol_count++];
        snprintf(row->symbol, sizeof row->symbol, "%s", symbol);
        return row;
    }
    trading->has_other_symbols = true;
    return &trading->symbols[REPORT_PNL_SYMBOLS_MAX];
}

void report_trading_order(report_context *context, const cJSON *order) {
    report_trading *trading = context->trading;
    const char *status = report_json_string(order, "status");
    const char *symbol = report_json_string(order, "symbol");
    if (status == NULL || strcmp(status, "FILLED") != 0 || symbol == NULL || strlen(symbol) >= SYMBOL_CAPACITY)
        return;
    double realized = report_json_number(order, "realized_pnl");
    double fee = report_json_number(order, "fee");
    report_symbol_pnl *row = symbol_pnl(trading, symbol);
    row->fills++;
    if (isfinite(fee)) {
        row->fees += fee;
        trading->fees_total += fee;
    }
    /* A trade as the kernel counts one (core/kpis.c): a fill with realized PnL. */
    if (!isfinite(realized) || realized == 0) return;
    row->trades++;
    row->realized_pnl += realized;
    if (realized > 0) row->wins++;
    trading->trades_total++;
    trading->realized_total += realized;
    if (realized > 0) trading->wins_total++;
    if (trading->trade_count == REPORT_TRADE_ROWS_MAX) return;
    report_trade *trade = &trading->trades[trading->trade_count++];
    const char *side = report_json_string(order, "side");
    const char *reason = report_json_string(order, "reason");
    trade->ts = report_json_number(order, "ts");
    trade->qty = report_json_number(order, "qty");
    trade->price = report_json_number(order, "price");
    trade->fee = fee;
    trade->realized_pnl = realized;
    snprintf(trade->symbol, sizeof trade->symbol, "%s", symbol);
    snprintf(trade->side, sizeof trade->side, "%s", side != NULL ? side : "");
    snprintf(trade->reason, sizeof trade->reason, "%s", reason != NULL ? reason : "");
}

void report_trading_snapshot(report_context *context, double ts, const cJSON *k_block) {
    double notional = report_json_number(k_block, "open_notional");
    double equity = report_json_number(k_block, "equity");
    if (!isfinite(ts) || !isfinite(notional)) return;
    double values[2] = {fabs(notional), equity > 0 ? fabs(notional) / equity : NAN};
    series_add(&context->trading->exposure, ts, values, 0);
}

void report_trading_nav(report_context *context, double ts, double nav) {
    report_trading *trading = context->trading;
    if (!isfinite(ts) || !isfinite(nav)) return;
    if (!isfinite(trading->first_nav)) trading->first_nav = nav;
    long day = (long)floor(ts / 86400.0);
    /* A day before the current one (a clock going back) is not a new day. */
    if (trading->days_total == 0 || day > trading->current_day) {
        trading->current_day = day;
        trading->days_total++;
        if (trading->day_count < REPORT_DAYS_MAX) trading->days[trading->day_count++].day = day;
    }
    if (trading->day_count > 0 && trading->days[trading->day_count - 1].day == trading->current_day)
        trading->days[trading->day_count - 1].close_nav = nav;
}

void report_trading_finish(report_context *context) {
    report_trading *trading = context->trading;
    if (trading->exposure.allocation_failed) report_note(context, "out of memory: the exposure chart is incomplete");
    if (trading->days_total > (long)trading->day_count)
        report_note(context, "%ld UTC days; daily returns are listed for the first %d", trading->days_total,
                    REPORT_DAYS_MAX);
}
