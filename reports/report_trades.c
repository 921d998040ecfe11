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
static report_symbol_pnl *symbol_pnl(report_fills *fills, const char *symbol) {
    for (size_t index = 0; index < fills->symbol_count; index++)
        if (strcmp(fills->symbols[index].symbol, symbol) == 0) return &fills->symbols[index];
    if (fills->symbol_count < REPORT_PNL_SYMBOLS_MAX) {
        report_symbol_pnl *row = &fills->symbols[fills->symbol_count++];
        snprintf(row->symbol, sizeof row->symbol, "%s", symbol);
        return row;
    }
    fills->has_other_symbols = true;
    return &fills->symbols[REPORT_PNL_SYMBOLS_MAX];
}

/* Counts one fill for symbol; one that realized PnL is a trade (as the
 * kernel counts them, core/kpis.c), listed while there is room. */
static void add_fill(report_fills *fills, const report_trade *fill) {
    report_symbol_pnl *row = symbol_pnl(fills, fill->symbol);
    row->fills++;
    if (isfinite(fill->fee)) {
        row->fees += fill->fee;
        fills->fees_total += fill->fee;
    }
    if (!isfinite(fill->realized_pnl) || fill->realized_pnl == 0) return;
    row->trades++;
    row->realized_pnl += fill->realized_pnl;
    if (fill->realized_pnl > 0) row->wins++;
    fills->trades_total++;
    fills->realized_total += fill->realized_pnl;
    if (fill->realized_pnl > 0) fills->wins_total++;
    if (fills->trade_count < REPORT_TRADE_ROWS_MAX) fills->trades[fills->trade_count++] = *fill;
}

void report_trading_order(report_context *context, const cJSON *order) {
    const char *status = report_json_string(order, "status");
    const char *symbol = report_json_string(order, "symbol");
    if (status == NULL || strcmp(status, "FILLED") != 0 || symbol == NULL || strlen(symbol) >= SYMBOL_CAPACITY)
        return;
    const char *side = report_json_string(order, "side");
    const char *reason = report_json_string(order, "reason");
    report_trade fill = {.ts = report_json_number(order, "ts"), .qty = report_json_number(order, "qty"),
                         .price = report_json_number(order, "price"), .fee = report_json_number(order, "fee"),
                         .realized_pnl = report_json_number(order, "realized_pnl")};
    snprintf(fill.symbol, sizeof fill.symbol, "%s", symbol);
    snprintf(fill.side, sizeof fill.side, "%s", side != NULL ? side : "");
    snprintf(fill.reason, sizeof fill.reason, "%s", reason != NULL ? reason : "");
    add_fill(&context->trading->orders, &fill);
}

/* The signed qty of an E position (qty may be unsigned with a side). */
static double signed_qty(const cJSON *position) {
    double qty = report_json_number(position, "qty");
    const char *side = report_json_string(position, "side");
    if (!isfinite(qty)) return NAN;
    return (qty < 0 || (side != NULL && strcmp(side, "SHORT") == 0)) ? -fabs(qty) : fabs(qty);
}

/* The one symbol whose E position changed since the previous snapshot
 * (into symbol, "" when none or several did); remembers this snapshot's. */
static void changed_position(report_trading *trading, const cJSON *positions, char symbol[SYMBOL_CAPACITY],
                             double *change) {
    report_position_qty now[REPORT_PNL_SYMBOLS_MAX];
    size_t count = 0, changed = 0;
    const cJSON *position;
    cJSON_ArrayForEach(position, positions) {
        const char *name = report_json_string(position, "symbol");
        if (name == NULL || strlen(name) >= SYMBOL_CAPACITY || count == REPORT_PNL_SYMBOLS_MAX) continue;
        snprintf(now[count].symbol, SYMBOL_CAPACITY, "%s", name);
        now[count++].qty = signed_qty(position);
    }
    symbol[0] = '\0';
    *change = NAN;
    /* A symbol changed when its qty differs, or it appeared or went. */
    for (int pass = 0; pass < 2; pass++) {
        const report_position_qty *from = pass == 0 ? now : trading->positions;
        const report_position_qty *to = pass == 0 ? trading->positions : now;
        size_t from_count = pass == 0 ? count : trading->position_count;
        size_t to_count = pass == 0 ? trading->position_count : count;
        for (size_t index = 0; index < from_count; index++) {
            double other = 0;
            for (size_t search = 0; search < to_count; search++)
                if (strcmp(to[search].symbol, from[index].symbol) == 0) other = to[search].qty;
            if (other == from[index].qty || (pass == 1 && other != 0)) continue;
            changed++;
            snprintf(symbol, SYMBOL_CAPACITY, "%s", from[index].symbol);
            *change = pass == 0 ? from[index].qty - other : other - from[index].qty;
        }
    }
    if (changed != 1) symbol[0] = '\0';
    memcpy(trading->positions, now, count * sizeof now[0]);
    trading->position_count = count;
}

/* E's fill of this snapshot, when its last_fill figures changed: a fill of
 * the symbol whose position changed (when one did). */
static void snapshot_fill(report_trading *trading, double ts, const cJSON *e_block) {
    double fill[4] = {report_json_number(e_block, "last_fill_price"), report_json_number(e_block, "last_fill_qty"),
                      report_json_number(e_block, "last_fill_fee"),
                      report_json_number(e_block, "last_fill_realized_pnl")};
    char symbol[SYMBOL_CAPACITY];
    double change;
    changed_position(trading, cJSON_GetObjectItemCaseSensitive(e_block, "positions"), symbol, &change);
    bool same = trading->has_previous && memcmp(fill, trading->previous_fill, sizeof fill) == 0;
    bool none = !(fill[1] > 0);
    memcpy(trading->previous_fill, fill, sizeof fill);
    trading->has_previous = true;
    if (same || none) return;
    report_trade trade = {.ts = ts, .price = fill[0], .qty = fill[1], .fee = fill[2], .realized_pnl = fill[3]};
    snprintf(trade.symbol, sizeof trade.symbol, "%s", symbol);
    snprintf(trade.side, sizeof trade.side, "%s", !isfinite(change) ? "" : change > 0 ? "BUY" : "SELL");
    snprintf(trade.reason, sizeof trade.reason, "fill");
    add_fill(&trading->snapshots, &trade);
}

void report_trading_snapshot(report_context *context, double ts, const cJSON *root) {
    const cJSON *k_block = cJSON_GetObjectItemCaseSensitive(root, "k");
    double notional = report_json_number(k_block, "open_notional");
    double equity = report_json_number(k_block, "equity");
    if (isfinite(ts)) snapshot_fill(context->trading, ts, cJSON_GetObjectItemCaseSensitive(root, "e"));
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
