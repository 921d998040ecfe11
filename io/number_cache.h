/* number_cache.h -- number_format with a memo of recent values.
 *
 * From one event to the next most numbers a run writes repeat: fees,
 * realized PnL, balances, entry prices, TP/SL, quantities. number_cache_format
 * gives exactly number_format's text, looking the value up first in a small
 * direct-mapped table keyed by its bits (bitwise-equal doubles have the same
 * text). Process state, for one thread (ledgersim has no other). */
#ifndef LEDGERSIM_IO_NUMBER_CACHE_H
#define LEDGERSIM_IO_NUMBER_CACHE_H

#include <stddef.h>

#include "core/number.h"

/* number_format(value, out), from the memo when value was written lately. */
size_t number_cache_format(double value, char out[NUMBER_TEXT_CAPACITY]);

#endif
