/* expect.h -- `expect` rows: a path into the run's state and an expected
 * value (docs/scenario-format.md, "Expectations").
 *
 * Paths are checked when the row is read (an unknown path is an error in the
 * file, not a failed expectation); values are compared against the kernel
 * after every row above. Numbers match within 1e-6 * max(1, |expected|);
 * "absent" means the path must not exist; "null" means JSON null. */
#ifndef LEDGERSIM_SIM_EXPECT_H
#define LEDGERSIM_SIM_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kernel.h"
#include "core/limits.h"

typedef enum {
    PATH_STATUS, PATH_WORST_FIELD, PATH_EXPLANATION, PATH_EVENT_SEQ, PATH_K, PATH_E, PATH_DELTA, PATH_PUBLISHED,
    PATH_LEDGER_COUNT, PATH_LEDGER_FIELD, PATH_REGISTRY, PATH_CONSISTENCY, PATH_NAV_TOTAL, PATH_AUM_TOTAL,
    PATH_AUM_VALUE, PATH_EXITS_COUNT, PATH_EXIT, PATH_DUPLICATES, PATH_FAULTS_COUNT,
    PATH_RECONCILE_COUNT, /* reconcile.ok|warn|error: field is a reconcile_status */
    PATH_RULE_COUNT       /* reconcile.rules.FIELD.COUNT: field is a reconcile_rule */
} expect_path_kind;

typedef struct {
    expect_path_kind kind;
    int field;                          /* index into the kind's field table */
    int outcome;                        /* PATH_RULE_COUNT: a rule_outcome, RULE_NOT_EVALUATED for "evaluated" */
    char symbol[SYMBOL_CAPACITY];       /* ledger.SYM, registry.SYM, aum.SYM, exit.SYM */
} expect_path;

enum {
    EXPECT_TEXT_CAPACITY = 128,
    EXPECT_REASON_CAPACITY = 2048   /* bytes of a reason: room for the list of every path */
};

/* Parses path. False with reason filled when it is not a known path (the
 * reason then names the nearest path when one is a likely typo, and lists
 * every valid path: give EXPECT_REASON_CAPACITY bytes), or when expected
 * cannot be a value of it (a word for a number). */
bool expect_parse(const char *path, const char *expected, expect_path *parsed, char *reason,
                  size_t reason_capacity) WARN_UNUSED_RESULT;

/* Evaluates a parsed path against the kernel. True when it holds; actual
 * receives the value found as text ("absent", "null", a number, a word). */
bool expect_evaluate(const kernel *k, const expect_path *path, const char *expected,
                     char actual[EXPECT_TEXT_CAPACITY]);

#endif
