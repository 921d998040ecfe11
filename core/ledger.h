/* ledger.h -- the position ledger and TP/SL registry of seed 002.
 *
 * The registry holds TP/SL per symbol (position_tp_sl.json); the ledger is a
 * view built by merging the positions with the registry: only non-zero
 * quantities with a valid entry price, tp/sl attached when the registry has
 * them. A sync seeds TP/SL for positions without an entry (ATR of the last
 * bars, else percentages) and removes entries whose symbol has no position.
 * Pure: loading and saving the registry file is io/state_json's job. */
#ifndef LEDGERSIM_CORE_LEDGER_H
#define LEDGERSIM_CORE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/limits.h"

typedef enum { SIDE_LONG = 1, SIDE_SHORT = -1 } position_side;

typedef struct {
    char symbol[SYMBOL_CAPACITY];
    position_side side;
    double entry_price;
    bool has_tp;
    double tp;
    bool has_sl;
    double sl;
    double created_ts;
    double updated_ts;
} registry_entry;

/* position_tp_sl.json in memory: entries sorted by symbol. */
typedef struct {
    registry_entry entries[SYMBOLS_MAX];
    size_t count;
} tp_sl_registry;

/* One position as the ledger reads it (positions_state.json's shape). */
typedef struct {
    char symbol[SYMBOL_CAPACITY];
    position_side side;
    double qty;              /* unsigned */
    double entry_price;
    double created_ts;
    double updated_ts;
} position_view;

/* PositionLedgerEntry. */
typedef struct {
    char symbol[SYMBOL_CAPACITY];
    position_side side;
    double entry_price;
    double qty;              /* unsigned, > 0 */
    bool has_tp;
    double tp;
    bool has_sl;
    double sl;
    double created_ts;
    double updated_ts;
} ledger_entry;

typedef struct {
    ledger_entry entries[SYMBOLS_MAX];
    size_t count;
} position_ledger;

/* Per-symbol ATR inputs: the last atr_period true ranges and the last close. */
typedef struct {
    char symbol[SYMBOL_CAPACITY];
    double previous_close;
    size_t bars_seen;
    double true_ranges[ATR_PERIOD_MAX]; /* ring */
    size_t next;                        /* ring write index */
} atr_window;

typedef struct {
    atr_window windows[SYMBOLS_MAX];    /* sorted by symbol */
    size_t count;
    int period;
} atr_tracker;

typedef enum { CONSISTENCY_GREEN, CONSISTENCY_YELLOW, CONSISTENCY_RED } consistency_status;

typedef struct {
    consistency_status status;
    size_t num_positions;
    size_t num_ledger;
    size_t num_tp_sl;        /* ledger entries with both tp and sl */
} ledger_consistency;

/* What one sync changed, for logs and the `ledger --sync` report. */
typedef struct {
    char seeded[SYMBOLS_MAX][SYMBOL_CAPACITY];
    size_t seeded_count;
    char removed[SYMBOLS_MAX][SYMBOL_CAPACITY];
    size_t removed_count;
} ledger_sync_report;

void registry_init(tp_sl_registry *registry);
/* The entry of symbol, or NULL. */
const registry_entry *registry_find(const tp_sl_registry *registry, const char *symbol);
/* Replaces the entry of entry->symbol whole, or inserts it. False when full. */
bool registry_upsert(tp_sl_registry *registry, const registry_entry *entry) WARN_UNUSED_RESULT;
/* Removes the entry of symbol; false when there was none. */
bool registry_delete(tp_sl_registry *registry, const char *symbol);

/* build_position_ledger: merges positions (any order, unique symbols) with the
 * registry into ledger (sorted by symbol). */
void ledger_build(position_ledger *ledger, const position_view *positions, size_t position_count,
                  const tp_sl_registry *registry);

/* sync_ledger_with_positions: when seed_missing, seeds TP/SL for positions
 * without an entry; when remove_stale, deletes entries whose symbol has no
 * position; then rebuilds ledger. atr may be NULL (percentage fallback). ts
 * stamps seeded entries. report may be NULL. */
void ledger_sync(tp_sl_registry *registry, position_ledger *ledger, const position_view *positions,
                 size_t position_count, const atr_tracker *atr, const kernel_config *config, double ts,
                 bool seed_missing, bool remove_stale, ledger_sync_report *report);

/* Seeds tp and sl for one position: ATR when the symbol has atr_period bars,
 * else the percentage fallback (SHORT mirrored). */
void ledger_seed_levels(const position_view *position, const atr_tracker *atr, const kernel_config *config,
                        double *tp, double *sl);

/* Consistency of seed 002 6.2: red when positions exist and the ledger is
 * empty; green when every position is in the ledger with both tp and sl;
 * yellow otherwise. */
ledger_consistency ledger_check_consistency(size_t position_count, const position_ledger *ledger);
const char *consistency_name(consistency_status status);
const char *position_side_name(position_side side);

void atr_init(atr_tracker *atr, int period);
/* Adds one bar. False when the tracker already holds SYMBOLS_MAX symbols. */
bool atr_add_bar(atr_tracker *atr, const char *symbol, double high, double low, double close) WARN_UNUSED_RESULT;
/* The mean true range of the last period bars; false with fewer bars. */
bool atr_value(const atr_tracker *atr, const char *symbol, double *value);

#endif
