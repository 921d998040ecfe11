/* exits.c -- see exits.h. */
#include "core/exits.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

void exits_init(exit_scanner *scanner) { scanner->count = 0; }

const char *exit_reason_name(exit_reason reason) {
    assert(reason == EXIT_TP || reason == EXIT_SL);
    return reason == EXIT_TP ? "TP" : "SL";
}

bool exits_decide(const ledger_entry *entry, double mark, exit_reason *reason) {
    if (!isfinite(mark)) return false;
    if (entry->side == SIDE_LONG) {
        if (entry->has_tp && mark >= entry->tp) { *reason = EXIT_TP; return true; }
        if (entry->has_sl && mark <= entry->sl) { *reason = EXIT_SL; return true; }
    } else {
        if (entry->has_tp && mark <= entry->tp) { *reason = EXIT_TP; return true; }
        if (entry->has_sl && mark >= entry->sl) { *reason = EXIT_SL; return true; }
    }
    return false;
}

static size_t scanner_find(const exit_scanner *scanner, const char *symbol) {
    for (size_t index = 0; index < scanner->count; index++)
        if (text_equal(scanner->symbols[index], symbol)) return index;
    return scanner->count;
}

/* Forgets symbols no longer in the ledger or whose quantity changed. */
void exits_rearm(exit_scanner *scanner, const position_ledger *ledger) {
    size_t kept = 0;
    for (size_t index = 0; index < scanner->count; index++) {
        bool still_fired = false;
        for (size_t entry = 0; entry < ledger->count && !still_fired; entry++)
            still_fired = text_equal(ledger->entries[entry].symbol, scanner->symbols[index]) &&
                          ledger->entries[entry].qty == scanner->fired_qty[index];
        if (!still_fired) continue;
        if (kept != index) {
            memcpy(scanner->symbols[kept], scanner->symbols[index], SYMBOL_CAPACITY);
            scanner->fired_qty[kept] = scanner->fired_qty[index];
        }
        kept++;
    }
    scanner->count = kept;
}

size_t exits_scan(exit_scanner *scanner, const position_ledger *ledger, mark_lookup lookup,
                  const void *context, exit_intent *intents) {
    exits_rearm(scanner, ledger);
    size_t produced = 0;
    for (size_t index = 0; index < ledger->count; index++) {
        const ledger_entry *entry = &ledger->entries[index];
        double mark;
        exit_reason reason;
        if (!lookup(context, entry->symbol, &mark) || !exits_decide(entry, mark, &reason)) continue;
        if (scanner_find(scanner, entry->symbol) < scanner->count) continue;
        assert(scanner->count < SYMBOLS_MAX);
        text_copy(scanner->symbols[scanner->count], SYMBOL_CAPACITY, entry->symbol);
        scanner->fired_qty[scanner->count++] = entry->qty;
        exit_intent *intent = &intents[produced++];
        text_copy(intent->symbol, sizeof intent->symbol, entry->symbol);
        intent->side = entry->side;
        intent->qty = entry->qty;
        intent->reason = reason;
        intent->mark = mark;
        intent->has_tp = entry->has_tp;
        intent->tp = entry->tp;
        intent->has_sl = entry->has_sl;
        intent->sl = entry->sl;
    }
    return produced;
}
