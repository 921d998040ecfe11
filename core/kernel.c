/* kernel.c -- see kernel.h. */
#include "core/kernel.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

/* The kernel's mark as the callback shape of the exit scanner and NAV. */
static bool mark_of(const void *context, const char *symbol, double *mark) {
    return kernel_mark(context, symbol, mark);
}

enum { MISSING_HINT = SYMBOLS_MAX + 1 }; /* hints from here on mean "not in the book" */

/* Marks for one pass of the exit scanner or NAV, which look symbols up in
 * the same order event after event (ledger entries, holdings): the n-th
 * lookup tries first the book index where the n-th was found last time. */
typedef struct {
    const position_book *book;
    size_t *hints;                     /* the kernel's, one per lookup of a pass */
    size_t hint_count;
    size_t lookups;
} mark_cursor;

/* mark_of through a cursor (the caller's own, not const: the hints move).
 * Symbols have 16 readable bytes: SYMBOL_CAPACITY arrays or larger. */
static bool mark_at_cursor(const void *context, const char *symbol, double *mark) {
    mark_cursor *cursor = (mark_cursor *)(uintptr_t)context;
    assert(cursor->hint_count > 0);
    size_t *hint = &cursor->hints[cursor->lookups < cursor->hint_count ? cursor->lookups : cursor->hint_count - 1];
    cursor->lookups++;
    /* A symbol missing from the book stays missing until the book grows (it
     * never shrinks): MISSING_HINT + its size at the last lookup. */
    size_t missing = MISSING_HINT + cursor->book->count;
    if (*hint == missing) return false;
    const book_position *position = book_find_hinted(cursor->book, symbol, *hint);
    if (position == NULL) {
        *hint = missing;
        return false;
    }
    *hint = (size_t)(position - cursor->book->positions);
    if (!position->has_mark || !isfinite(position->mark)) return false;
    *mark = position->mark;
    return true;
}

void kernel_init(kernel *k, const kernel_config *config) {
    k->config = *config;
    projection_init(&k->projection, config);
    book_init(&k->book);
    k->exchange_count = 0;
    registry_init(&k->registry);
    k->ledger.count = 0;
    k->consistency = ledger_check_consistency(0, &k->ledger);
    memset(&k->sync_report, 0, sizeof k->sync_report);
    k->ledger_stale = true;
    atr_init(&k->atr, config->atr_period);
    exits_init(&k->scanner);
    holdings_init(&k->holdings);
    dedup_init(&k->dedup);
    k->has_valid_wallet = false;
    k->last_valid_wallet = 0;
    k->in_event = false;
    memset(k->mark_hints, 0, sizeof k->mark_hints);
    memset(k->exit_hints, 0, sizeof k->exit_hints);
    memset(k->holding_hints, 0, sizeof k->holding_hints);
    k->intent_count = 0;
    k->last_exit_count = 0;
    k->exits_total = 0;
    k->events_applied = 0;
    k->duplicates_skipped = 0;
    k->faults_injected = 0;
    double start_nav = k->projection.snapshot.k.equity;
    nav_compute_aum(start_nav, &k->holdings, mark_of, k, &k->aum);
    kpis_init(&k->kpis, start_nav);
}

bool kernel_begin_event(kernel *k, const char *event_id, bool synthetic_id, double ts) {
    assert(!k->in_event);
    if (!synthetic_id && !dedup_admit(&k->dedup, event_id)) {
        k->duplicates_skipped++;
        return false;
    }
    k->in_event = true;
    text_copy(k->event_id, sizeof k->event_id, event_id);
    k->event_ts = ts;
    k->event_moved_mark = false;
    k->marked_count = 0;
    return true;
}

void kernel_prefetch_event(const kernel *k, const char *event_id) { dedup_prefetch(&k->dedup, event_id); }

/* Replaces (or removes, qty 0) the exchange position of fact->symbol. */
static kernel_status apply_exchange_position(kernel *k, const exchange_fact *fact) {
    size_t index = 0;
    while (index < k->exchange_count && strcmp(k->exchange_positions[index].symbol, fact->symbol) < 0) index++;
    bool found = index < k->exchange_count && strcmp(k->exchange_positions[index].symbol, fact->symbol) == 0;
    exchange_position *positions = k->exchange_positions;
    if (fact->qty == 0 || !isfinite(fact->qty)) {
        /* A NaN quantity (a corrupt frame) is _safe'd to 0: it removes. */
        if (found) {
            memmove(&positions[index], &positions[index + 1], (k->exchange_count - index - 1) * sizeof positions[0]);
            k->exchange_count--;
        }
        return KERNEL_OK;
    }
    if (!found) {
        if (k->exchange_count == SYMBOLS_MAX) return KERNEL_SYMBOLS_FULL;
        memmove(&positions[index + 1], &positions[index], (k->exchange_count - index) * sizeof positions[0]);
        k->exchange_count++;
    }
    exchange_position *position = &positions[index];
    text_copy(position->symbol, sizeof position->symbol, fact->symbol);
    position->qty = fact->qty;
    position->entry_price = projection_safe(fact->entry_price, 0.0);
    position->mark_price = projection_safe(fact->mark_price, 0.0);
    position->unrealized_pnl = projection_safe(fact->unrealized_pnl, 0.0);
    position->leverage = fact->has_leverage ? projection_safe(fact->leverage, 1.0) : 1.0;
    position->side = fact->qty > 0 ? "LONG" : "SHORT";
    return KERNEL_OK;
}

kernel_status kernel_apply_fact(kernel *k, const exchange_fact *fact) {
    assert(k->in_event);
    switch (fact->type) {
    case FACT_FILL: {
        book_position *position = book_entry(&k->book, fact->symbol);
        if (position == NULL) return KERNEL_SYMBOLS_FULL;
        if (fact->has_leverage && isfinite(fact->leverage)) position->leverage = fact->leverage;
        /* A corrupt (non-finite) price still moves the quantity: the entry
         * becomes unknown, the ledger cannot admit the position, and the
         * consistency canary turns red instead of the fill vanishing. */
        if (isfinite(fact->qty) && fact->qty > 0 && (fact->side == 1 || fact->side == -1)) {
            /* v2 R2: what the book itself realizes, before the fold. */
            projection_observe_book_fill(&k->projection,
                                         book_fill_realized(position, fact->side, fact->qty, fact->price));
            book_apply_fill(position, fact->side, fact->qty, fact->price, k->event_ts);
        }
        projection_apply_fill(&k->projection, fact->price, fact->qty, fact->fee, fact->realized_pnl);
        k->ledger_stale = true;
        kpis_observe_fill(&k->kpis, fact->realized_pnl);
        return KERNEL_OK;
    }
    case FACT_FUNDING:
        projection_apply_funding(&k->projection, fact->amount);
        return KERNEL_OK;
    case FACT_BALANCE:
        projection_apply_balance(&k->projection, fact->wallet_balance, fact->available_margin,
                                 fact->used_margin, fact->maint_margin);
        if (fact->wallet_balance > 0 && isfinite(fact->wallet_balance)) {
            k->has_valid_wallet = true;
            k->last_valid_wallet = fact->wallet_balance;
        }
        return KERNEL_OK;
    case FACT_POSITION:
        projection_note_position_report(&k->projection);
        return apply_exchange_position(k, fact);
    case FACT_TRANSFER:
        projection_apply_transfer(&k->projection, fact->amount);
        return KERNEL_OK;
    case FACT_LEVERAGE: {
        /* The symbol's used margin divides by it from the next snapshot on,
         * as a fill's leverage does; a symbol never traded gets a flat entry
         * that remembers it for its first fill. */
        book_position *position = book_entry(&k->book, fact->symbol);
        if (position == NULL) return KERNEL_SYMBOLS_FULL;
        if (isfinite(fact->leverage) && fact->leverage >= 1) position->leverage = fact->leverage;
        return KERNEL_OK;
    }
    case FACT_MARK: {
        /* Past EVENT_ROWS_MAX marks in one event, the last slot's hint is reused. */
        size_t slot = k->marked_count < EVENT_ROWS_MAX ? k->marked_count : EVENT_ROWS_MAX - 1;
        assert(slot < EVENT_ROWS_MAX);
        size_t *hint = &k->mark_hints[slot];
        book_position *position = book_entry_hinted(&k->book, fact->symbol, hint);
        if (position == NULL) return KERNEL_SYMBOLS_FULL;
        position->has_mark = true;
        position->mark = fact->price;
        k->event_moved_mark = true;
        if (k->marked_count < EVENT_ROWS_MAX)
            memcpy(k->marked_symbols[k->marked_count++], fact->symbol, SYMBOL_CAPACITY); /* both SYMBOL_CAPACITY */
        return KERNEL_OK;
    }
    }
    assert(!"unknown fact type");
    return KERNEL_OK;
}

bool kernel_mark(const kernel *k, const char *symbol, double *mark) {
    const book_position *position = book_find(&k->book, symbol);
    if (position == NULL || !position->has_mark || !isfinite(position->mark)) return false;
    *mark = position->mark;
    return true;
}

size_t kernel_positions_view(const kernel *k, position_view *out) {
    size_t count = 0;
    for (size_t index = 0; index < k->book.count; index++) {
        const book_position *position = &k->book.positions[index];
        if (position->qty == 0) continue;
        position_view *view = &out[count++];
        memcpy(view->symbol, position->symbol, sizeof view->symbol); /* both SYMBOL_CAPACITY */
        view->side = position->qty > 0 ? SIDE_LONG : SIDE_SHORT;
        view->qty = fabs(position->qty);
        view->entry_price = position->entry_price;
        view->created_ts = position->created_ts;
        view->updated_ts = position->updated_ts;
    }
    return count;
}

/* Registry entries that were orphans at the last sync (no ledger entry
 * then) and that the coming sync either removes (still no position; a
 * position closed in this event was in the ledger) or adopts for a position
 * opened since on the other side (its levels are on the wrong side of the
 * price). Their count, and the first in *first. */
static size_t count_orphans(const kernel *k, const position_view *positions, size_t count, const char **first) {
    /* All three lists are sorted by symbol: one merge pass. */
    size_t orphans = 0, position = 0, entry = 0;
    *first = NULL;
    for (size_t index = 0; index < k->registry.count; index++) {
        const registry_entry *levels = &k->registry.entries[index];
        while (position < count && strcmp(positions[position].symbol, levels->symbol) < 0) position++;
        while (entry < k->ledger.count && strcmp(k->ledger.entries[entry].symbol, levels->symbol) < 0) entry++;
        if (entry < k->ledger.count && strcmp(k->ledger.entries[entry].symbol, levels->symbol) == 0) continue;
        bool held = position < count && strcmp(positions[position].symbol, levels->symbol) == 0;
        if (held && positions[position].side == levels->side) continue; /* adopted as written: TP/SL before its fill */
        if (orphans++ == 0) *first = levels->symbol;
    }
    return orphans;
}

/* Syncs the registry with the book and rebuilds the ledger view. */
static void kernel_sync_ledger(kernel *k, bool sync) {
    position_view positions[SYMBOLS_MAX];
    size_t count = kernel_positions_view(k, positions);
    if (sync) {
        /* v2 R6 reads this; the symbol is copied before the sync deletes it. */
        const char *first;
        size_t orphans = count_orphans(k, positions, count, &first);
        projection_note_registry_sync(&k->projection, orphans, first);
    }
    if (sync)
        ledger_sync(&k->registry, &k->ledger, positions, count, &k->atr, &k->config, k->event_ts, true, true,
                    &k->sync_report);
    else
        ledger_build(&k->ledger, positions, count, &k->registry);
    k->consistency = ledger_check_consistency(count, &k->ledger);
}

/* NAV and AUM from the latest facts. */
static void kernel_value(kernel *k) {
    double exchange_unrealized = 0;
    for (size_t index = 0; index < k->exchange_count; index++)
        exchange_unrealized += k->exchange_positions[index].unrealized_pnl;
    double nav = nav_futures(k->has_valid_wallet, k->last_valid_wallet, exchange_unrealized,
                             k->projection.snapshot.k.equity);
    mark_cursor cursor = {.book = &k->book, .hints = k->holding_hints, .hint_count = HOLDINGS_MAX, .lookups = 0};
    nav_compute_aum(nav, &k->holdings, mark_at_cursor, &cursor, &k->aum);
}

static void remember_exit(kernel *k, const exit_intent *intent) {
    size_t index = 0;
    while (index < k->last_exit_count && strcmp(k->last_exits[index].symbol, intent->symbol) < 0) index++;
    if (index == k->last_exit_count || strcmp(k->last_exits[index].symbol, intent->symbol) != 0) {
        assert(k->last_exit_count < SYMBOLS_MAX);
        memmove(&k->last_exits[index + 1], &k->last_exits[index],
                (k->last_exit_count - index) * sizeof k->last_exits[0]);
        k->last_exit_count++;
        text_copy(k->last_exits[index].symbol, SYMBOL_CAPACITY, intent->symbol);
    }
    k->last_exits[index].reason = intent->reason;
}

bool kernel_last_exit(const kernel *k, const char *symbol, exit_reason *reason) {
    for (size_t index = 0; index < k->last_exit_count; index++)
        if (strcmp(k->last_exits[index].symbol, symbol) == 0) {
            *reason = k->last_exits[index].reason;
            return true;
        }
    return false;
}

const account_snapshot *kernel_end_event(kernel *k) {
    assert(k->in_event);
    projection_apply_positions(&k->projection, k->exchange_positions, k->exchange_count);
    /* Only fills and registry writes change what a sync reads (marks,
     * balances and exchange positions do not), so most events skip it. */
    if (k->ledger_stale) {
        kernel_sync_ledger(k, true);
        exits_rearm(&k->scanner, &k->ledger); /* a position closed and reopened between marks is new */
        k->ledger_stale = false;
    } else {
        k->sync_report.seeded_count = k->sync_report.removed_count = 0;
    }
    const account_snapshot *snapshot =
        projection_build_snapshot(&k->projection, k->event_id, k->event_ts, &k->book);
    kernel_value(k);
    kpis_observe_snapshot(&k->kpis, k->event_ts, k->aum.nav_total, k->aum.total, &snapshot->reconcile);
    k->intent_count = 0;
    if (k->event_moved_mark) {
        mark_cursor cursor = {.book = &k->book, .hints = k->exit_hints, .hint_count = SYMBOLS_MAX, .lookups = 0};
        k->intent_count = exits_scan(&k->scanner, &k->ledger, mark_at_cursor, &cursor, k->intents);
        for (size_t index = 0; index < k->intent_count; index++) {
            remember_exit(k, &k->intents[index]);
            kpis_observe_exit(&k->kpis, k->intents[index].reason);
        }
        k->exits_total += (long)k->intent_count;
    }
    k->events_applied++;
    k->in_event = false;
    return snapshot;
}

kernel_event_result kernel_apply_event(kernel *k, const char *event_id, bool synthetic_id, double ts,
                                       const exchange_fact *facts, size_t count) {
    if (!kernel_begin_event(k, event_id, synthetic_id, ts)) return KERNEL_EVENT_DUPLICATE;
    kernel_event_result result = KERNEL_EVENT_APPLIED;
    for (size_t index = 0; index < count && result == KERNEL_EVENT_APPLIED; index++)
        if (kernel_apply_fact(k, &facts[index]) != KERNEL_OK) result = KERNEL_EVENT_SYMBOLS_FULL;
    kernel_end_event(k);
    return result;
}

kernel_status kernel_apply_bar(kernel *k, const char *symbol, double high, double low, double close) {
    return atr_add_bar(&k->atr, symbol, high, low, close) ? KERNEL_OK : KERNEL_SYMBOLS_FULL;
}

kernel_status kernel_put_tp_sl(kernel *k, const registry_entry *entry) {
    if (!registry_upsert(&k->registry, entry)) return KERNEL_SYMBOLS_FULL;
    kernel_sync_ledger(k, false);
    k->ledger_stale = true; /* the next event's sync removes it if it has no position */
    return KERNEL_OK;
}

kernel_status kernel_set_holding(kernel *k, const holding *item) {
    if (!holdings_set(&k->holdings, item)) return KERNEL_SYMBOLS_FULL;
    /* A new asset moves the ones after it to other places, and a place's
     * "missing" hint is trusted without a look (mark_at_cursor): forget them
     * all, or an asset inherits the "no mark" of the one that held its place. */
    memset(k->holding_hints, 0, sizeof k->holding_hints);
    kernel_value(k);
    return KERNEL_OK;
}
