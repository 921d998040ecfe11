/* exchange_rules.h -- what GET /fapi/v1/exchangeInfo says about order
 * quantities and request weight, read once at start.
 *
 * Per symbol: MARKET_LOT_SIZE (stepSize, minQty, maxQty), the filter MARKET
 * orders are checked against, with LOT_SIZE's values where a symbol lacks
 * it; rateLimits REQUEST_WEIGHT per minute. Source:
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Exchange-Information
 * and the filter definitions in
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/common-definition */
#ifndef LEDGERSIM_LIVE_EXCHANGE_RULES_H
#define LEDGERSIM_LIVE_EXCHANGE_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"
#include "live/quantity.h"

enum { EXCHANGE_SYMBOLS_MAX = 4096, EXCHANGE_RULES_REPORT_CAPACITY = 256 };

typedef struct {
    char symbol[SYMBOL_CAPACITY];
    quantity_rules market;
} symbol_rules;

typedef struct {
    symbol_rules *symbols;      /* owned, sorted by symbol */
    size_t count;
    long weight_limit_1m;       /* 0 when not listed */
} exchange_rules;

/* Parses an exchangeInfo answer (JSON text) into rules (which it owns
 * after; free with exchange_rules_free). Symbols longer than
 * SYMBOL_CAPACITY or without usable lot filters are skipped. False with
 * report set when the answer is malformed or memory runs out. */
bool exchange_rules_parse(exchange_rules *rules, const char *json, char report[EXCHANGE_RULES_REPORT_CAPACITY])
    WARN_UNUSED_RESULT;

/* The rules of symbol, or NULL. */
const symbol_rules *exchange_rules_find(const exchange_rules *rules, const char *symbol);

void exchange_rules_free(exchange_rules *rules);

#endif
