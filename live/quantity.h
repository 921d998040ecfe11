/* quantity.h -- exact decimal quantities for exit orders.
 *
 * An order's quantity is text the exchange checks digit by digit against
 * the symbol's stepSize (-1111 "Precision is over the maximum defined for
 * this asset" otherwise): a double folded from two fills of 0.001 and 0.008
 * prints 0.009000000000000001. Here quantities are integers of 1e-8 units,
 * parsed from the exchange's own text (positionAmt, stepSize), rounded down
 * to the step, split at maxQty and printed back exactly. Pure. */
#ifndef LEDGERSIM_LIVE_QUANTITY_H
#define LEDGERSIM_LIVE_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"

enum {
    QUANTITY_DECIMALS = 8,              /* the finest step a USD-M symbol lists */
    QUANTITY_TEXT_CAPACITY = 32,
    QUANTITY_PARTS_MAX = 16             /* orders of one exit at most (split at maxQty) */
};

/* A symbol's quantity rules for MARKET orders (exchangeInfo MARKET_LOT_SIZE,
 * LOT_SIZE where MARKET_LOT_SIZE is absent), in 1e-8 units. */
typedef struct {
    long long step_units;
    long long min_units;
    long long max_units;
} quantity_rules;

/* Parses a plain decimal ("-0.009", "12", "0.00100000") into 1e-8 units,
 * digits beyond the eighth decimal dropped (towards zero). False when text
 * is not a plain decimal or does not fit. */
bool quantity_parse(const char *text, long long *units) WARN_UNUSED_RESULT;

/* Prints units exactly ("0.009", "120"), without trailing zeros. */
void quantity_format(long long units, char out[QUANTITY_TEXT_CAPACITY]);

/* The reduce-only orders that close a position of amount_units (its
 * absolute value is used): the amount rounded DOWN to step, split into
 * parts of at most max (itself rounded down to step). Returns the count
 * (<= capacity); 0 when the rounded amount is below min or the rules are
 * unusable. */
size_t quantity_exit_parts(long long amount_units, const quantity_rules *rules, long long *parts, size_t capacity);

#endif
