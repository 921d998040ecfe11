/* rules.h -- the reconcile rules: the one definition of their ids, field
 * names, WARN labels and rule sets.
 *
 * Every place that names a rule (the classifier in core/projection.c, the
 * per-rule counts of core/kpis.c, the expect paths of sim/expect.c, the
 * report's delta panels) takes it from this table, so that a new rule is an
 * enum entry and a table row the compiler follows everywhere.
 *
 * Two rule sets: `seed` (R1..R5 of seed 001's _classify, to the character,
 * the default) and `v2` (opt-in, `reconcile.rules=v2`: the checks the seed
 * meant to make, and two fields of its own, position_qty and registry). A
 * rule's field is the name of its delta in `deltas`, the second part of its
 * explanations ("LABEL|FIELD|..."), and its key in kpis_v7.json. */
#ifndef LEDGERSIM_CORE_RULES_H
#define LEDGERSIM_CORE_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"

/* In the seed's order: R1..R5 first (their deltas and explanations appear
 * in this order), then the fields only v2 adds. */
typedef enum {
    RULE_CAPITAL_VS_WALLET, /* R1: K capital vs E wallet balance */
    RULE_REALIZED_PNL,      /* R2: realized PnL */
    RULE_OPEN_POSITIONS,    /* R3: position count */
    RULE_OPEN_NOTIONAL,     /* R4: open notional */
    RULE_USED_MARGIN,       /* R5: used margin */
    RULE_POSITION_QTY,      /* R3 under v2: quantity per symbol */
    RULE_REGISTRY,          /* R6 under v2: orphan TP/SL entries */
    RULE_COUNT
} reconcile_rule;

enum { RULE_SEED_COUNT = RULE_POSITION_QTY }; /* the seed's rules are the first five */

typedef enum { RULE_SET_SEED = 0, RULE_SET_V2 = 1, RULE_SET_COUNT } reconcile_rule_set;

/* What one rule concluded for one snapshot (kpis counts these). */
typedef enum {
    RULE_NOT_EVALUATED = 0, /* its condition for checking did not hold */
    RULE_OUTCOME_OK,
    RULE_OUTCOME_WARN,
    RULE_OUTCOME_ERROR,
    RULE_OUTCOME_COUNT
} rule_outcome;

typedef struct {
    const char *id;         /* "R1".."R6", as the README and the report name it */
    const char *field;      /* delta and explanation field, kpis key */
    const char *label;      /* id and field, for charts and tables */
    const char *warn_label; /* label of its WARN band; NULL when it has none */
    reconcile_rule_set set; /* the first rule set that has it */
} reconcile_rule_info;

/* The label that opens an ERROR explanation, whatever the rule. */
#define RULE_ERROR_LABEL "ERROR"
/* v2 R1: a zero or non-finite wallet frame (WARN). */
#define RULE_ZERO_WALLET_FRAME_LABEL "ZERO_WALLET_FRAME"

/* The table, indexed by reconcile_rule. */
extern const reconcile_rule_info reconcile_rules[RULE_COUNT];

/* The static field name of rule (rule < RULE_COUNT). */
const char *reconcile_rule_field(reconcile_rule rule);

/* The rule whose field is the first length bytes of field; false when none. */
bool reconcile_rule_parse(const char *field, size_t length, reconcile_rule *rule) WARN_UNUSED_RESULT;

/* True when set has rule (the seed's five are in every set). */
bool reconcile_rule_in_set(reconcile_rule rule, reconcile_rule_set set);

/* The rules of set sorted by field name (the order of JSON objects keyed by
 * field); out has room for RULE_COUNT. Returns how many. */
size_t reconcile_rules_sorted(reconcile_rule_set set, reconcile_rule *out);

/* "seed" or "v2". */
const char *reconcile_rule_set_name(reconcile_rule_set set);

/* The set named text; false when text is neither name. */
bool reconcile_rule_set_parse(const char *text, reconcile_rule_set *set);

/* "ok", "warn", "error" (the kpis keys) for an evaluated outcome. */
const char *rule_outcome_name(rule_outcome outcome);

#endif
