/* rules.c -- see rules.h. */
#include "core/rules.h"

#include <assert.h>
#include <string.h>

const reconcile_rule_info reconcile_rules[RULE_COUNT] = {
    [RULE_CAPITAL_VS_WALLET] = {"R1", "capital_vs_wallet", "R1 capital_vs_wallet", "UNSETTLED_FEE", RULE_SET_SEED},
    [RULE_REALIZED_PNL] = {"R2", "realized_pnl", "R2 realized_pnl", "LOT_STEP_ROUNDING", RULE_SET_SEED},
    [RULE_OPEN_POSITIONS] = {"R3", "open_positions", "R3 open_positions", NULL, RULE_SET_SEED},
    [RULE_OPEN_NOTIONAL] = {"R4", "open_notional", "R4 open_notional", "MARK_PRICE_STALENESS", RULE_SET_SEED},
    [RULE_USED_MARGIN] = {"R5", "used_margin", "R5 used_margin", "LEVERAGE_ROUNDING", RULE_SET_SEED},
    [RULE_POSITION_QTY] = {"R3", "position_qty", "R3 position_qty", "LOT_STEP_ROUNDING", RULE_SET_V2},
    [RULE_REGISTRY] = {"R6", "registry", "R6 registry", "ORPHAN_TP_SL", RULE_SET_V2},
};

const char *reconcile_rule_field(reconcile_rule rule) {
    assert(rule >= 0 && rule < RULE_COUNT);
    assert(reconcile_rules[rule].field != NULL);
    return reconcile_rules[rule].field;
}

bool reconcile_rule_parse(const char *field, size_t length, reconcile_rule *rule) {
    for (int index = 0; index < RULE_COUNT; index++) {
        const char *name = reconcile_rules[index].field;
        if (strncmp(name, field, length) == 0 && name[length] == '\0') {
            *rule = (reconcile_rule)index;
            return true;
        }
    }
    return false;
}

bool reconcile_rule_in_set(reconcile_rule rule, reconcile_rule_set set) {
    assert(rule >= 0 && rule < RULE_COUNT);
    assert(set >= RULE_SET_SEED && set < RULE_SET_COUNT);
    return reconcile_rules[rule].set <= set;
}

size_t reconcile_rules_sorted(reconcile_rule_set set, reconcile_rule *out) {
    size_t count = 0;
    for (int index = 0; index < RULE_COUNT; index++) {
        if (!reconcile_rule_in_set((reconcile_rule)index, set)) continue;
        /* Insertion sort: seven names at most. */
        size_t at = count++;
        while (at > 0 && strcmp(reconcile_rules[out[at - 1]].field, reconcile_rules[index].field) > 0) {
            out[at] = out[at - 1];
            at--;
        }
        out[at] = (reconcile_rule)index;
    }
    assert(count >= RULE_SEED_COUNT && count <= RULE_COUNT);
    return count;
}

const char *reconcile_rule_set_name(reconcile_rule_set set) {
    static const char *const names[RULE_SET_COUNT] = {[RULE_SET_SEED] = "seed", [RULE_SET_V2] = "v2"};
    assert(set >= RULE_SET_SEED && set < RULE_SET_COUNT);
    return names[set];
}

bool reconcile_rule_set_parse(const char *text, reconcile_rule_set *set) {
    for (int index = 0; index < RULE_SET_COUNT; index++)
        if (strcmp(text, reconcile_rule_set_name((reconcile_rule_set)index)) == 0) {
            *set = (reconcile_rule_set)index;
            return true;
        }
    return false;
}

const char *rule_outcome_name(rule_outcome outcome) {
    static const char *const names[RULE_OUTCOME_COUNT] = {
        [RULE_NOT_EVALUATED] = "not_evaluated", [RULE_OUTCOME_OK] = "ok", [RULE_OUTCOME_WARN] = "warn",
        [RULE_OUTCOME_ERROR] = "error"};
    assert(outcome >= RULE_NOT_EVALUATED && outcome < RULE_OUTCOME_COUNT);
    return names[outcome];
}
