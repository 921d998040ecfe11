/* exits.h -- the exit scanner of seed 002 section 3: TP/SL exits read from
 * ledger entries and marks, never from a registry file.
 *
 * LONG exits when mark >= tp (TP) or mark <= sl (SL); SHORT when mark <= tp
 * (TP) or mark >= sl (SL); a missing tp or sl never fires. One intent per
 * position until its quantity changes: the scanner remembers the quantity it
 * fired at, per symbol. */
#ifndef LEDGERSIM_CORE_EXITS_H
#define LEDGERSIM_CORE_EXITS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ledger.h"
#include "core/limits.h"

typedef enum { EXIT_TP, EXIT_SL } exit_reason;

typedef struct {
    char symbol[SYMBOL_CAPACITY];
    position_side side;
    double qty;
    exit_reason reason;
    double mark;
    bool has_tp;
    double tp;
    bool has_sl;
    double sl;
} exit_intent;

/* The symbols that fired, with the quantity they fired at. */
typedef struct {
    char symbols[SYMBOLS_MAX][SYMBOL_CAPACITY];
    double fired_qty[SYMBOLS_MAX];
    size_t count;
} exit_scanner;

void exits_init(exit_scanner *scanner);

/* The mark of a symbol; false when there is none (or it is not finite). */
typedef bool (*mark_lookup)(const void *context, const char *symbol, double *mark);

/* Scans every ledger entry against its mark and writes the new intents into
 * intents (capacity SYMBOLS_MAX); returns how many. An entry whose quantity
 * changed since it fired is re-armed. */
size_t exits_scan(exit_scanner *scanner, const position_ledger *ledger, mark_lookup lookup,
                  const void *context, exit_intent *intents);

/* Forgets the symbols no longer in ledger or whose quantity changed since
 * they fired. The kernel calls it after every ledger sync, so that a
 * position closed and reopened at the same quantity between two marks is
 * armed again. */
void exits_rearm(exit_scanner *scanner, const position_ledger *ledger);

/* Decides one entry: true and *reason when mark crosses tp or sl. */
bool exits_decide(const ledger_entry *entry, double mark, exit_reason *reason);

const char *exit_reason_name(exit_reason reason);

#endif
