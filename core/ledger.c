/* ledger.c -- see ledger.h. */
#include "core/ledger.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

const char *consistency_name(consistency_status status) {
    static const char *const names[] = {"green", "yellow", "red"};
    assert(status >= CONSISTENCY_GREEN && status <= CONSISTENCY_RED);
    return names[status];
}

const char *position_side_name(position_side side) {
    assert(side == SIDE_LONG || side == SIDE_SHORT);
    return side == SIDE_LONG ? "LONG" : "SHORT";
}

void registry_init(tp_sl_registry *registry) { registry->count = 0; }

/* Index of symbol in the sorted registry, or where it would go. */
static size_t registry_search(const tp_sl_registry *registry, const char *symbol, bool *found) {
    size_t low = 0, high = registry->count;
    *found = false;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int order = strcmp(registry->entries[middle].symbol, symbol);
        if (order == 0) {
            *found = true;
            return middle;
        }
        if (order < 0) low = middle + 1; else high = middle;
    }
    return low;
}

const registry_entry *registry_find(const tp_sl_registry *registry, const char *symbol) {
    bool found;
    size_t index = registry_search(registry, symbol, &found);
    return found ? &registry->entries[index] : NULL;
}

bool registry_upsert(tp_sl_registry *registry, const registry_entry *entry) {
    bool found;
    size_t index = registry_search(registry, entry->symbol, &found);
    if (!found) {
        if (registry->count == SYMBOLS_MAX) return false;
        memmove(&registry->entries[index + 1], &registry->entries[index],
                (registry->count - index) * sizeof registry->entries[0]);
        registry->count++;
    }
    registry->entries[index] = *entry;
    return true;
}

bool registry_delete(tp_sl_registry *registry, const char *symbol) {
    bool found;
    size_t index = registry_search(registry, symbol, &found);
    if (!found) return false;
    memmove(&registry->entries[index], &registry->entries[index + 1],
            (registry->count - index - 1) * sizeof registry->entries[0]);
    registry->count--;
    return true;
}

/* The ledger's admission rule: non-zero quantity and a valid entry price. */
static bool position_admitted(const position_view *position) {
    return isfinite(position->qty) && position->qty != 0 && isfinite(position->entry_price) &&
           position->entry_price > 0;
}

static int compare_ledger_entries(const void *left, const void *right) {
    return strcmp(((const ledger_entry *)left)->symbol, ((const ledger_entry *)right)->symbol);
}

void ledger_build(position_ledger *ledger, const position_view *positions, size_t position_count,
                  const tp_sl_registry *registry) {
    assert(position_count <= SYMBOLS_MAX);
    ledger->count = 0;
    bool sorted = true;
    for (size_t index = 0; index < position_count; index++) {
        const position_view *position = &positions[index];
        if (!position_admitted(position)) continue;
        ledger_entry *entry = &ledger->entries[ledger->count++];
        memset(entry, 0, sizeof *entry);
        memcpy(entry->symbol, position->symbol, sizeof entry->symbol); /* both SYMBOL_CAPACITY */
        entry->side = position->side;
        entry->entry_price = position->entry_price;
        entry->qty = fabs(position->qty);
        entry->created_ts = position->created_ts;
        entry->updated_ts = position->updated_ts;
        const registry_entry *levels = registry_find(registry, position->symbol);
        if (levels != NULL) {
            entry->has_tp = levels->has_tp;
            entry->tp = levels->tp;
            entry->has_sl = levels->has_sl;
            entry->sl = levels->sl;
        }
        if (ledger->count > 1 && strcmp(ledger->entries[ledger->count - 2].symbol, entry->symbol) > 0)
            sorted = false;
    }
    if (!sorted) qsort(ledger->entries, ledger->count, sizeof ledger->entries[0], compare_ledger_entries);
}

void ledger_seed_levels(const position_view *position, const atr_tracker *atr, const kernel_config *config,
                        double *tp, double *sl) {
    double entry = position->entry_price;
    double direction = position->side == SIDE_LONG ? 1.0 : -1.0;
    double range;
    if (atr != NULL && atr_value(atr, position->symbol, &range)) {
        *tp = entry + direction * config->tp_atr_multiple * range;
        *sl = entry - direction * config->sl_atr_multiple * range;
    } else {
        *tp = entry * (1.0 + direction * config->tp_percent);
        *sl = entry * (1.0 - direction * config->sl_percent);
    }
}

/* True when positions hold symbol with an admitted quantity. */
static bool has_position(const position_view *positions, size_t count, const char *symbol) {
    for (size_t index = 0; index < count; index++)
        if (strcmp(positions[index].symbol, symbol) == 0 && position_admitted(&positions[index])) return true;
    return false;
}

void ledger_sync(tp_sl_registry *registry, position_ledger *ledger, const position_view *positions,
                 size_t position_count, const atr_tracker *atr, const kernel_config *config, double ts,
                 bool seed_missing, bool remove_stale, ledger_sync_report *report) {
    if (report != NULL) report->seeded_count = report->removed_count = 0;
    if (remove_stale) {
        for (size_t index = registry->count; index-- > 0;) {
            const char *symbol = registry->entries[index].symbol;
            if (has_position(positions, position_count, symbol)) continue;
            if (report != NULL)
                text_copy(report->removed[report->removed_count++], SYMBOL_CAPACITY, symbol);
            registry_delete(registry, symbol);
        }
    }
    if (seed_missing) {
        for (size_t index = 0; index < position_count; index++) {
            const position_view *position = &positions[index];
            if (!position_admitted(position) || registry_find(registry, position->symbol) != NULL) continue;
            registry_entry entry = {.side = position->side, .entry_price = position->entry_price,
                                    .has_tp = true, .has_sl = true, .created_ts = ts, .updated_ts = ts};
            text_copy(entry.symbol, sizeof entry.symbol, position->symbol);
            ledger_seed_levels(position, atr, config, &entry.tp, &entry.sl);
            if (!registry_upsert(registry, &entry)) break;
            if (report != NULL)
                text_copy(report->seeded[report->seeded_count++], SYMBOL_CAPACITY, position->symbol);
        }
    }
    ledger_build(ledger, positions, position_count, registry);
}

ledger_consistency ledger_check_consistency(size_t position_count, const position_ledger *ledger) {
    ledger_consistency result = {.num_positions = position_count, .num_ledger = ledger->count};
    for (size_t index = 0; index < ledger->count; index++)
        result.num_tp_sl += ledger->entries[index].has_tp && ledger->entries[index].has_sl;
    if (position_count > 0 && ledger->count == 0)
        result.status = CONSISTENCY_RED;
    else if (position_count == ledger->count && result.num_tp_sl == ledger->count)
        result.status = CONSISTENCY_GREEN;
    else
        result.status = CONSISTENCY_YELLOW;
    return result;
}

void atr_init(atr_tracker *atr, int period) {
    assert(period >= 1 && period <= ATR_PERIOD_MAX);
    atr->count = 0;
    atr->period = period;
}

static atr_window *atr_find(const atr_tracker *atr, const char *symbol, size_t *insert_at) {
    size_t low = 0, high = atr->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int order = strcmp(atr->windows[middle].symbol, symbol);
        if (order == 0) return (atr_window *)&atr->windows[middle];
        if (order < 0) low = middle + 1; else high = middle;
    }
    if (insert_at != NULL) *insert_at = low;
    return NULL;
}

bool atr_add_bar(atr_tracker *atr, const char *symbol, double high, double low, double close) {
    size_t index = 0;
    atr_window *window = atr_find(atr, symbol, &index);
    if (window == NULL) {
        if (atr->count == SYMBOLS_MAX) return false;
        memmove(&atr->windows[index + 1], &atr->windows[index], (atr->count - index) * sizeof atr->windows[0]);
        atr->count++;
        window = &atr->windows[index];
        memset(window, 0, sizeof *window);
        text_copy(window->symbol, sizeof window->symbol, symbol);
    }
    double true_range = high - low;
    if (window->bars_seen > 0) {
        double top = high > window->previous_close ? high : window->previous_close;
        double bottom = low < window->previous_close ? low : window->previous_close;
        true_range = top - bottom;
    }
    window->true_ranges[window->next] = true_range;
    window->next = (window->next + 1) % (size_t)atr->period;
    window->bars_seen++;
    window->previous_close = close;
    return true;
}

bool atr_value(const atr_tracker *atr, const char *symbol, double *value) {
    const atr_window *window = atr_find(atr, symbol, NULL);
    size_t period = (size_t)atr->period;
    if (window == NULL || window->bars_seen < period) return false;
    /* Sum oldest to newest so the result does not depend on the ring's phase. */
    double sum = 0;
    for (size_t step = 0; step < period; step++) sum += window->true_ranges[(window->next + step) % period];
    *value = sum / (double)period;
    return true;
}
