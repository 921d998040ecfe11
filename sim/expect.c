/* expect.c -- see expect.h. */
#include "sim/expect.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/number.h"
#include "core/suggest.h"

typedef enum { VALUE_ABSENT, VALUE_NULL, VALUE_NUMBER, VALUE_TEXT } value_kind;

typedef struct {
    value_kind kind;
    double number;
    const char *text;
} found_value;

static const char *const k_fields[] = {"capital", "realized_pnl", "unrealized_pnl", "fees_paid", "funding_paid",
                                       "open_notional", "equity", "used_margin", "available_margin",
                                       "open_positions", "peak_capital", "transfers", NULL};
static const char *const e_fields[] = {"wallet_balance", "available_margin", "used_margin", "maint_margin",
                                       "last_fill_price", "last_fill_qty", "last_fill_fee",
                                       "last_fill_realized_pnl", "last_funding", "positions", NULL};
static const char *const published_fields[] = {"capital", "capital_source", "equity", "e_wallet_balance",
                                               "event_seq", "realized_pnl", "fees_paid", "peak_capital", NULL};
static const char *const ledger_fields[] = {"side", "qty", "entry_price", "tp", "sl", NULL};

static int field_index(const char *const *table, const char *name) {
    for (int index = 0; table[index] != NULL; index++)
        if (strcmp(table[index], name) == 0) return index;
    return -1;
}

/* Splits "prefix.SYMBOL.suffix": the symbol between the first and last dot. */
static bool split_symbol(const char *rest, char *symbol, const char **suffix) {
    const char *dot = strrchr(rest, '.');
    if (dot == NULL || dot == rest || (size_t)(dot - rest) >= SYMBOL_CAPACITY) return false;
    memcpy(symbol, rest, (size_t)(dot - rest));
    symbol[dot - rest] = '\0';
    *suffix = dot + 1;
    return true;
}

static bool copy_symbol(const char *text, char *symbol) {
    size_t length = strlen(text);
    if (length == 0 || length >= SYMBOL_CAPACITY || strchr(text, '.') != NULL) return false;
    memcpy(symbol, text, length + 1);
    return true;
}

/* True when the path's values are numbers (so the expected text must be). */
static bool path_is_numeric(const expect_path *path) {
    switch (path->kind) {
    case PATH_K: case PATH_E: case PATH_DELTA: case PATH_LEDGER_COUNT: case PATH_NAV_TOTAL:
    case PATH_AUM_TOTAL: case PATH_AUM_VALUE: case PATH_EXITS_COUNT: case PATH_DUPLICATES:
    case PATH_FAULTS_COUNT: case PATH_EVENT_SEQ: case PATH_RECONCILE_COUNT: case PATH_RULE_COUNT:
        return true;
    case PATH_PUBLISHED:
        return path->field != 1;
    case PATH_LEDGER_FIELD:
        return path->field != 0;
    default:
        return false;
    }
}

/* "ok|warn|error" or "rules.FIELD.evaluated|ok|warn|error" (after "reconcile."). */
static bool parse_reconcile_count(const char *rest, expect_path *parsed) {
    static const char *const statuses[] = {"ok", "warn", "error", NULL};
    static const char *const counts[] = {"evaluated", "ok", "warn", "error", NULL};
    _Static_assert(RECONCILE_OK == 0 && RECONCILE_WARN == 1 && RECONCILE_ERROR == 2, "statuses order");
    _Static_assert(RULE_OUTCOME_OK == 1 && RULE_OUTCOME_WARN == 2 && RULE_OUTCOME_ERROR == 3, "counts order");
    if (strncmp(rest, "rules.", 6) != 0) {
        parsed->kind = PATH_RECONCILE_COUNT;
        return (parsed->field = field_index(statuses, rest)) >= 0;
    }
    const char *field = rest + 6;
    const char *dot = strrchr(field, '.');
    reconcile_rule rule;
    if (dot == NULL || !reconcile_rule_parse(field, (size_t)(dot - field), &rule)) return false;
    parsed->kind = PATH_RULE_COUNT;
    parsed->field = (int)rule;
    parsed->outcome = field_index(counts, dot + 1); /* 0: evaluated, else the rule_outcome */
    return parsed->outcome >= 0;
}

static bool parse_kind(const char *path, expect_path *parsed) {
    static const struct { const char *name; expect_path_kind kind; } plain[] = {
        {"status", PATH_STATUS}, {"worst_field", PATH_WORST_FIELD}, {"explanation", PATH_EXPLANATION},
        {"event_seq", PATH_EVENT_SEQ}, {"ledger.count", PATH_LEDGER_COUNT}, {"consistency", PATH_CONSISTENCY},
        {"nav.total", PATH_NAV_TOTAL}, {"aum.total", PATH_AUM_TOTAL}, {"exits.count", PATH_EXITS_COUNT},
        {"duplicates_skipped", PATH_DUPLICATES}, {"faults.count", PATH_FAULTS_COUNT}};
    for (size_t index = 0; index < sizeof plain / sizeof plain[0]; index++)
        if (strcmp(path, plain[index].name) == 0) {
            parsed->kind = plain[index].kind;
            return true;
        }
    const char *suffix;
    if (strncmp(path, "k.", 2) == 0) {
        parsed->kind = PATH_K;
        return (parsed->field = field_index(k_fields, path + 2)) >= 0;
    }
    if (strncmp(path, "e.", 2) == 0) {
        parsed->kind = PATH_E;
        return (parsed->field = field_index(e_fields, path + 2)) >= 0;
    }
    if (strncmp(path, "deltas.", 7) == 0) {
        reconcile_rule rule;
        parsed->kind = PATH_DELTA;
        if (!reconcile_rule_parse(path + 7, strlen(path + 7), &rule)) return false;
        parsed->field = (int)rule;
        return true;
    }
    if (strncmp(path, "reconcile.", 10) == 0) return parse_reconcile_count(path + 10, parsed);
    if (strncmp(path, "published.", 10) == 0) {
        parsed->kind = PATH_PUBLISHED;
        return (parsed->field = field_index(published_fields, path + 10)) >= 0;
    }
    if (strncmp(path, "ledger.", 7) == 0 && split_symbol(path + 7, parsed->symbol, &suffix)) {
        parsed->kind = PATH_LEDGER_FIELD;
        return (parsed->field = field_index(ledger_fields, suffix)) >= 0;
    }
    if (strncmp(path, "aum.", 4) == 0 && split_symbol(path + 4, parsed->symbol, &suffix)) {
        parsed->kind = PATH_AUM_VALUE;
        return strcmp(suffix, "usd_value") == 0;
    }
    if (strncmp(path, "registry.", 9) == 0) {
        parsed->kind = PATH_REGISTRY;
        return copy_symbol(path + 9, parsed->symbol);
    }
    if (strncmp(path, "exit.", 5) == 0) {
        parsed->kind = PATH_EXIT;
        return copy_symbol(path + 5, parsed->symbol);
    }
    return false;
}

/* The paths of one prefix, for the unknown-path message: the prefix, the
 * field table (NULL: a plain path), and what stands between them. */
typedef struct {
    const char *prefix;
    const char *const *fields;  /* NULL-terminated; NULL: a plain path (or the rule fields, below) */
    bool rule_fields;           /* the fields are core/rules.h's, in its order */
    const char *suffix;         /* what follows the field (NULL: nothing) */
} path_family;

static const path_family path_families[] = {
    {"status", NULL, false, NULL}, {"worst_field", NULL, false, NULL}, {"explanation", NULL, false, NULL},
    {"event_seq", NULL, false, NULL}, {"k.", k_fields, false, NULL}, {"e.", e_fields, false, NULL},
    {"deltas.", NULL, true, NULL}, {"published.", published_fields, false, NULL},
    {"ledger.count", NULL, false, NULL}, {"ledger.SYM.", ledger_fields, false, NULL},
    {"registry.SYM", NULL, false, NULL}, {"consistency", NULL, false, NULL}, {"nav.total", NULL, false, NULL},
    {"aum.total", NULL, false, NULL}, {"aum.SYM.usd_value", NULL, false, NULL},
    {"exits.count", NULL, false, NULL}, {"exit.SYM", NULL, false, NULL},
    {"duplicates_skipped", NULL, false, NULL}, {"faults.count", NULL, false, NULL},
    {"reconcile.ok", NULL, false, NULL}, {"reconcile.warn", NULL, false, NULL},
    {"reconcile.error", NULL, false, NULL}, {"reconcile.rules.", NULL, true, ".{evaluated,ok,warn,error}"}};
enum { PATH_FAMILY_COUNT = sizeof path_families / sizeof path_families[0], PATH_NAMES_MAX = 64 };

/* The field names of family into names (room for PATH_NAMES_MAX); returns
 * how many (0 for a plain path). */
static size_t family_fields(const path_family *entry, const char *names[PATH_NAMES_MAX]) {
    size_t count = 0;
    if (entry->rule_fields) {
        for (size_t rule = 0; rule < RULE_COUNT; rule++) names[count++] = reconcile_rule_field((reconcile_rule)rule);
        return count;
    }
    while (entry->fields != NULL && entry->fields[count] != NULL && count < PATH_NAMES_MAX) {
        names[count] = entry->fields[count];
        count++;
    }
    return count;
}

/* The nearest known path to an unknown one, into nearest (capacity bytes):
 * a field of the same prefix ("k.capitol" -> "k.capital", the symbol kept
 * for ledger.SYM.FIELD), else a plain path. False when none is close. */
static bool nearest_path(const char *path, char *nearest, size_t capacity) {
    char symbol[SYMBOL_CAPACITY];
    const char *suffix;
    for (size_t family = 0; family < PATH_FAMILY_COUNT; family++) {
        const path_family *entry = &path_families[family];
        const char *names[PATH_NAMES_MAX];
        size_t fields = family_fields(entry, names);
        if (fields == 0 || entry->suffix != NULL) continue;
        if (strcmp(entry->prefix, "ledger.SYM.") == 0) {
            if (strncmp(path, "ledger.", 7) != 0 || !split_symbol(path + 7, symbol, &suffix)) continue;
            const char *field = suggest_nearest(suffix, names, fields);
            if (field == NULL) return false;
            snprintf(nearest, capacity, "ledger.%s.%s", symbol, field);
            return true;
        }
        size_t length = strlen(entry->prefix);
        if (strncmp(path, entry->prefix, length) != 0) continue;
        const char *field = suggest_nearest(path + length, names, fields);
        if (field == NULL) return false;
        snprintf(nearest, capacity, "%s%s", entry->prefix, field);
        return true;
    }
    const char *plain[PATH_NAMES_MAX];
    size_t count = 0;
    for (size_t family = 0; family < PATH_FAMILY_COUNT; family++)
        if (path_families[family].fields == NULL && !path_families[family].rule_fields &&
            strstr(path_families[family].prefix, "SYM") == NULL)
            plain[count++] = path_families[family].prefix;
    const char *found = suggest_nearest(path, plain, count);
    if (found != NULL) snprintf(nearest, capacity, "%s", found);
    return found != NULL;
}

/* The unknown-path message: the path, the nearest one, every valid path. */
static void describe_unknown_path(const char *path, char *reason, size_t reason_capacity) {
    char nearest[SYMBOL_CAPACITY + 64];
    bool has_nearest = nearest_path(path, nearest, sizeof nearest);
    int length = snprintf(reason, reason_capacity, "unknown expect path '%s'%s%s%s; valid paths:", path,
                          has_nearest ? " (did you mean '" : "", has_nearest ? nearest : "",
                          has_nearest ? "'?)" : "");
    for (size_t family = 0; family < PATH_FAMILY_COUNT; family++) {
        const path_family *entry = &path_families[family];
        const char *names[PATH_NAMES_MAX];
        size_t fields = family_fields(entry, names);
        if (length < 0 || (size_t)length >= reason_capacity) return;
        length += snprintf(reason + length, reason_capacity - (size_t)length, "%s %s%s", family == 0 ? "" : ",",
                           entry->prefix, fields > 0 ? "{" : "");
        for (size_t field = 0; field < fields; field++) {
            if (length < 0 || (size_t)length >= reason_capacity) return;
            length += snprintf(reason + length, reason_capacity - (size_t)length, "%s%s", field == 0 ? "" : ",",
                               names[field]);
        }
        if (fields > 0 && length >= 0 && (size_t)length < reason_capacity)
            length += snprintf(reason + length, reason_capacity - (size_t)length, "}%s",
                               entry->suffix != NULL ? entry->suffix : "");
    }
}

bool expect_parse(const char *path, const char *expected, expect_path *parsed, char *reason,
                  size_t reason_capacity) {
    memset(parsed, 0, sizeof *parsed);
    if (!parse_kind(path, parsed)) {
        describe_unknown_path(path, reason, reason_capacity);
        return false;
    }
    double number;
    bool special = strcmp(expected, "absent") == 0 || strcmp(expected, "null") == 0;
    if (path_is_numeric(parsed) && !special && !number_parse(expected, strlen(expected), &number)) {
        snprintf(reason, reason_capacity, "expect %s: '%s' is not a number, absent or null", path, expected);
        return false;
    }
    if (parsed->kind == PATH_REGISTRY && strcmp(expected, "present") != 0 && strcmp(expected, "absent") != 0) {
        snprintf(reason, reason_capacity, "expect %s: value must be present or absent", path);
        return false;
    }
    return true;
}

static found_value number_value(double number) { return (found_value){VALUE_NUMBER, number, NULL}; }
static found_value text_value(const char *text) { return (found_value){VALUE_TEXT, 0, text}; }
static const found_value absent_value = {VALUE_ABSENT, 0, NULL};
static const found_value null_value = {VALUE_NULL, 0, NULL};

static found_value k_value(const k_block *k, int field) {
    const double values[] = {k->capital, k->realized_pnl, k->unrealized_pnl, k->fees_paid, k->funding_paid,
                             k->open_notional, k->equity, k->used_margin, k->available_margin,
                             (double)k->open_positions, k->peak_capital, k->transfers};
    _Static_assert(sizeof values / sizeof values[0] == sizeof k_fields / sizeof k_fields[0] - 1,
                   "one value per k field");
    return number_value(values[field]);
}

static found_value e_value(const kernel *k, int field) {
    const e_block *e = &k->projection.snapshot.e;
    const double values[] = {e->wallet_balance, e->available_margin, e->used_margin, e->maint_margin,
                             e->last_fill_price, e->last_fill_qty, e->last_fill_fee, e->last_fill_realized_pnl,
                             e->last_funding, (double)k->projection.position_count};
    return number_value(values[field]);
}

static found_value delta_value(const reconcile_result *result, int field) {
    const char *name = reconcile_rule_field((reconcile_rule)field);
    for (size_t index = 0; index < result->delta_count; index++)
        if (strcmp(result->delta_names[index], name) == 0)
            return number_value(result->delta_values[index]);
    return absent_value;
}

static found_value published_value(const published_capital *published, int field) {
    if (field == 1) return text_value(capital_source_name(published->source));
    const double values[] = {published->capital, 0, published->equity, published->e_wallet_balance,
                             (double)published->event_seq, published->realized_pnl, published->fees_paid,
                             published->peak_capital};
    return number_value(values[field]);
}

static found_value ledger_value(const position_ledger *ledger, const char *symbol, int field) {
    for (size_t index = 0; index < ledger->count; index++) {
        const ledger_entry *entry = &ledger->entries[index];
        if (strcmp(entry->symbol, symbol) != 0) continue;
        switch (field) {
        case 0: return text_value(position_side_name(entry->side));
        case 1: return number_value(entry->qty);
        case 2: return number_value(entry->entry_price);
        case 3: return entry->has_tp ? number_value(entry->tp) : null_value;
        default: return entry->has_sl ? number_value(entry->sl) : null_value;
        }
    }
    return absent_value;
}

static found_value aum_value(const aum_view *aum, const char *asset) {
    for (size_t index = 0; index < aum->asset_count; index++)
        if (strcmp(aum->assets[index].asset, asset) == 0)
            return aum->assets[index].has_usd_value ? number_value(aum->assets[index].usd_value) : null_value;
    return absent_value;
}

/* reconcile.rules.FIELD.COUNT: absent for a field the run's rule set lacks. */
static found_value rule_count_value(const kernel *k, const expect_path *path) {
    reconcile_rule rule = (reconcile_rule)path->field;
    if (!reconcile_rule_in_set(rule, k->config.reconcile.rules)) return absent_value;
    if (path->outcome == RULE_NOT_EVALUATED) return number_value((double)kpis_rule_evaluated(&k->kpis, rule));
    return number_value((double)k->kpis.rule_counts[rule][path->outcome]);
}

/* The value at path, and for explanations whether one starts with expected. */
static found_value lookup(const kernel *k, const expect_path *path, const char *expected, bool *prefix_matched) {
    const account_snapshot *snapshot = &k->projection.snapshot;
    exit_reason reason;
    switch (path->kind) {
    case PATH_STATUS: return text_value(reconcile_status_name(snapshot->reconcile.status));
    case PATH_WORST_FIELD: return text_value(snapshot->reconcile.worst_field);
    case PATH_EXPLANATION:
        *prefix_matched = false;
        for (size_t index = 0; index < snapshot->reconcile.explanation_count; index++)
            if (strncmp(snapshot->reconcile.explanations[index], expected, strlen(expected)) == 0)
                *prefix_matched = true;
        return snapshot->reconcile.explanation_count > 0 ? text_value(snapshot->reconcile.explanations[0])
                                                          : absent_value;
    case PATH_EVENT_SEQ: return number_value((double)snapshot->event_seq);
    case PATH_K: return k_value(&snapshot->k, path->field);
    case PATH_E: return e_value(k, path->field);
    case PATH_DELTA: return delta_value(&snapshot->reconcile, path->field);
    case PATH_PUBLISHED: return published_value(&k->projection.published, path->field);
    case PATH_LEDGER_COUNT: return number_value((double)k->ledger.count);
    case PATH_LEDGER_FIELD: return ledger_value(&k->ledger, path->symbol, path->field);
    case PATH_REGISTRY: return text_value(registry_find(&k->registry, path->symbol) ? "present" : "absent");
    case PATH_CONSISTENCY: return text_value(consistency_name(k->consistency.status));
    case PATH_NAV_TOTAL: return number_value(k->aum.nav_total);
    case PATH_AUM_TOTAL: return number_value(k->aum.total);
    case PATH_AUM_VALUE: return aum_value(&k->aum, path->symbol);
    case PATH_EXITS_COUNT: return number_value((double)k->exits_total);
    case PATH_EXIT: return text_value(kernel_last_exit(k, path->symbol, &reason) ? exit_reason_name(reason) : "none");
    case PATH_DUPLICATES: return number_value((double)k->duplicates_skipped);
    case PATH_FAULTS_COUNT: return number_value((double)k->faults_injected);
    case PATH_RECONCILE_COUNT: return number_value((double)k->kpis.reconcile_counts[path->field]);
    case PATH_RULE_COUNT: return rule_count_value(k, path);
    }
    assert(!"unknown path kind");
    return absent_value;
}

bool expect_evaluate(const kernel *k, const expect_path *path, const char *expected,
                     char actual[EXPECT_TEXT_CAPACITY]) {
    bool prefix_matched = false;
    found_value found = lookup(k, path, expected, &prefix_matched);
    switch (found.kind) {
    case VALUE_ABSENT: snprintf(actual, EXPECT_TEXT_CAPACITY, "absent"); break;
    case VALUE_NULL: snprintf(actual, EXPECT_TEXT_CAPACITY, "null"); break;
    case VALUE_NUMBER: number_format(found.number, actual); break;
    case VALUE_TEXT: snprintf(actual, EXPECT_TEXT_CAPACITY, "%s", found.text); break;
    }
    if (path->kind == PATH_REGISTRY) return strcmp(found.text, expected) == 0; /* present/absent are its values */
    if (strcmp(expected, "absent") == 0) return found.kind == VALUE_ABSENT;
    if (strcmp(expected, "null") == 0) return found.kind == VALUE_NULL;
    if (path->kind == PATH_EXPLANATION) return prefix_matched;
    if (found.kind == VALUE_TEXT) return strcmp(found.text, expected) == 0;
    if (found.kind != VALUE_NUMBER) return false;
    double wanted;
    if (!number_parse(expected, strlen(expected), &wanted)) return false;
    return fabs(found.number - wanted) <= 1e-6 * fmax(1.0, fabs(wanted));
}
