/* holdings_file.h -- config/offexchange_holdings.json (seed 000):
 * {"BTC": {"qty": 0.5, "avg_cost": 42000}, ...}. Only this file is read:
 * never reserves.json, assets.json or any treasury field. */
#ifndef LEDGERSIM_IO_HOLDINGS_FILE_H
#define LEDGERSIM_IO_HOLDINGS_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/nav.h"

/* Loads path into holdings (appending/replacing). False with error naming
 * the file and the asset: malformed JSON, a non-numeric or negative qty, a
 * non-numeric avg_cost, an asset name that is not a symbol. */
bool holdings_file_load(const char *path, holdings_book *holdings, char *error, size_t error_capacity) WARN_UNUSED_RESULT;

#endif
