/* state_json.h -- the live executor's own state files, read and written.
 *
 * Readers (cJSON) for logs/state/positions_state.json in every shape the
 * executor has written, and for the TP/SL registry logs/state/
 * position_tp_sl.json; writers (io/json_writer) for the registry and for the
 * positions_ledger block of state.json, in the format of
 * spec/state-files.md.
 *
 * Accepted positions shapes (seed 002 section 4, "accept both"):
 *   {"positions": [ {...}, ... ]}   (also "positions": {SYM: {...}})
 *   [ {...}, ... ]
 *   {"BTCUSDT": {...}, ...}          (symbol from the key)
 * In one position object:
 *   symbol                      string (optional when keyed; must match the key)
 *   side | position_side | positionSide
 *                               LONG, SHORT, BUY (LONG), SELL (SHORT), any
 *                               case; BOTH (Binance one-way mode) means "no
 *                               side": the sign of the quantity decides
 *   qty | positionAmt           unsigned with a side, or signed (the sign
 *                               gives the side when there is none); 0 is a
 *                               flat entry, skipped
 *   entry_price | avg_entry_price | entryPrice
 *                               optional: a missing or non-positive entry
 *                               price keeps the position (it counts for the
 *                               consistency status) but out of the ledger
 *   created_ts, updated_ts      optional epoch seconds (or ISO-8601 UTC text)
 * Numbers are JSON numbers or numeric strings ("0.5"), parsed strictly with
 * number_parse. null means "not given". Two aliases that disagree are an
 * error. An absent timestamp is NaN in memory and null in JSON output.
 *
 * Every error message starts with the file name, then where (the byte offset
 * of a JSON syntax error; the index and/or symbol of a bad entry), then what.
 * Files larger than STATE_FILE_BYTES_MAX are refused. */
#ifndef LEDGERSIM_IO_STATE_JSON_H
#define LEDGERSIM_IO_STATE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ledger.h"
#include "core/limits.h"
#include "io/buffer.h"
#include "io/json_writer.h"

enum {
    STATE_FILE_BYTES_MAX = 16 * 1024 * 1024, /* bytes: the largest state file read or written */
    STATE_JSON_ERROR_CAPACITY = 1024         /* bytes of one error message, NUL included */
};

/* Parses the text of a positions state file (length bytes, need not be
 * NUL-terminated) into positions (capacity SYMBOLS_MAX; open positions
 * only, in file order, qty unsigned) and *count. name labels messages. On
 * failure returns false, writes the reason into error, and positions/count
 * hold no meaning. Allocates nothing that outlives the call. */
bool state_json_parse_positions(const char *name, const char *text, size_t length, position_view *positions,
                                size_t *count, char *error, size_t error_capacity) WARN_UNUSED_RESULT;

/* Reads the file at path and parses it as above. A missing file is an error. */
bool state_json_load_positions(const char *path, position_view *positions, size_t *count, char *error,
                               size_t error_capacity) WARN_UNUSED_RESULT;

/* Parses the text of a TP/SL registry ({SYM: {side, entry_price, tp, sl,
 * created_ts, updated_ts}}; side and entry_price required, tp/sl may be null
 * or absent) into registry (emptied first; sorted by symbol). On failure
 * returns false and writes the reason into error. */
bool state_json_parse_registry(const char *name, const char *text, size_t length, tp_sl_registry *registry,
                               char *error, size_t error_capacity) WARN_UNUSED_RESULT;

/* Reads the registry file at path. A missing file is an empty registry (seed
 * 002 1.3): true with *found false (found may be NULL). */
bool state_json_load_registry(const char *path, tp_sl_registry *registry, bool *found, char *error,
                              size_t error_capacity) WARN_UNUSED_RESULT;

/* Writes the registry as one JSON object {SYM: {side, entry_price, tp, sl,
 * created_ts, updated_ts}}, sorted by symbol, null for an absent tp or sl
 * (or timestamp). The writer and its buffer belong to the caller. */
void state_json_render_registry(json_writer *writer, const tp_sl_registry *registry);

/* Renders the registry as state_json_save_registry does, except that an
 * entry whose symbol is a member of original (the registry file's text as
 * read, original_length bytes, valid JSON) is written as that member's value
 * byte for byte: every field the executor wrote, known or not (tp_order_id,
 * trailing{...}), is kept. Entries not in original are rendered. Appends to
 * out (with a final newline); false when out fails (memory, limit). */
bool state_json_render_registry_keeping(buffer *out, const tp_sl_registry *registry, const char *original,
                                        size_t original_length) WARN_UNUSED_RESULT;

/* Writes the ledger as one JSON object {SYM: {side, qty, entry_price, tp,
 * sl, created_ts, updated_ts}} (the positions_ledger block of state.json),
 * sorted by symbol, null for an absent tp, sl or timestamp. */
void state_json_render_ledger(json_writer *writer, const position_ledger *ledger);

/* Replaces the file at path with the registry (two-space indented JSON and a
 * final newline) through atomic_file_write. Returns false with the reason in
 * error; the file is then untouched. */
bool state_json_save_registry(const char *path, const tp_sl_registry *registry, char *error,
                              size_t error_capacity) WARN_UNUSED_RESULT;

#endif
