/* fault_kinds.h -- the fault kinds of the scenario format ("Faults"): the
 * one definition of their ids, names and the shape of their `fault` rows.
 *
 * In io/, the lowest layer that names them (the report reads faults.jsonl);
 * the scenario reader, the injector (sim/faults.h) and `fuzz` use the same
 * table, so adding a kind is an enum entry and a table row. */
#ifndef LEDGERSIM_IO_FAULT_KINDS_H
#define LEDGERSIM_IO_FAULT_KINDS_H

#include <stdbool.h>

#include "core/limits.h"

/* In the order the injector applies them when several hit one event. */
typedef enum {
    FAULT_STALE_MARK, FAULT_ZERO_WALLET, FAULT_ORPHAN_TP_SL, FAULT_DROP, FAULT_DUPLICATE, FAULT_DELAY,
    FAULT_CORRUPT, FAULT_KIND_COUNT
} fault_kind;

typedef struct {
    const char *name;       /* as in fault rows, --faults and faults.jsonl */
    bool value_is_count;    /* its row needs value=N, a whole number */
    bool needs_symbol;      /* its row needs a symbol */
} fault_kind_info;

/* The table, indexed by fault_kind. */
extern const fault_kind_info fault_kinds[FAULT_KIND_COUNT];

/* The static name of kind (kind < FAULT_KIND_COUNT). */
const char *fault_kind_name(fault_kind kind);

/* Every kind sorted by name (the order of JSON objects and tables keyed by
 * kind) into out. */
void fault_kinds_sorted(fault_kind out[FAULT_KIND_COUNT]);

/* The kind named name; false when it is not one of the table's. */
bool fault_kind_parse(const char *name, fault_kind *kind) WARN_UNUSED_RESULT;

#endif
