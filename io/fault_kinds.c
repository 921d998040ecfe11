/* fault_kinds.c -- see fault_kinds.h. */
#include "io/fault_kinds.h"

#include <assert.h>
#include <string.h>

const fault_kind_info fault_kinds[FAULT_KIND_COUNT] = {
    [FAULT_STALE_MARK] = {"stale_mark", true, true},
    [FAULT_ZERO_WALLET] = {"zero_wallet", false, false},
    [FAULT_ORPHAN_TP_SL] = {"orphan_tp_sl", false, true},
    [FAULT_DROP] = {"drop", true, false},
    [FAULT_DUPLICATE] = {"duplicate", true, false},
    [FAULT_DELAY] = {"delay", true, false},
    [FAULT_CORRUPT] = {"corrupt", false, false},
};

const char *fault_kind_name(fault_kind kind) {
    assert(kind >= 0 && kind < FAULT_KIND_COUNT);
    assert(fault_kinds[kind].name != NULL);
    return fault_kinds[kind].name;
}

bool fault_kind_parse(const char *name, fault_kind *kind) {
    for (int index = 0; index < FAULT_KIND_COUNT; index++)
        if (strcmp(fault_kinds[index].name, name) == 0) {
            *kind = (fault_kind)index;
            return true;
        }
    return false;
}

void fault_kinds_sorted(fault_kind out[FAULT_KIND_COUNT]) {
    for (int index = 0; index < FAULT_KIND_COUNT; index++) {
        /* Insertion sort: seven names. */
        int at = index;
        while (at > 0 && strcmp(fault_kinds[out[at - 1]].name, fault_kinds[index].name) > 0) {
            out[at] = out[at - 1];
            at--;
        }
        out[at] = (fault_kind)index;
    }
}
