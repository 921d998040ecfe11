/* test_projection.c -- core/projection.c against seed 001's
 * AccountProjectionV2 (K block, E block, reconcile rules R1..R5, _safe) and
 * the V1 AccountProjection's published capital (anchor_to_exchange, settle,
 * observe_slots). Expected values are worked out by hand from the seed's
 * Python; the explanation strings are the seed's f-strings evaluated by hand
 * (Python's "{:.4f}" rounds the exact binary value, as does C's "%.4f"). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/book.h"
#include "core/config.h"
#include "core/projection.h"

/* Reconcile bounds of the seed's ReconcileConfig defaults. */
static reconcile_config default_reconcile(void) {
    kernel_config config;
    config_defaults(&config);
    return config.reconcile;
}

/* Runs the classifier with config over K, E and E's positions alone. */
static void classify_with(const reconcile_config *config, const k_block *k, const e_block *e,
                          const exchange_position *positions, size_t position_count, reconcile_result *result) {
    reconcile_facts facts = {.k = k, .e = e, .positions = positions, .position_count = position_count};
    projection_classify(&facts, config, result);
}

/* Facts after E's first position report (v2 R3 and R4 read positions only
 * from then on): K, E, E's positions and, when not NULL, K's book. */
static reconcile_facts reported_facts(const k_block *k, const e_block *e, const exchange_position *positions,
                                      size_t position_count, const position_book *book) {
    reconcile_facts facts = {.k = k, .e = e, .positions = positions, .position_count = position_count, .book = book};
    facts.extras.positions_reported = true;
    return facts;
}

/* Runs the classifier with the default bounds. */
static void classify_default(const k_block *k, const e_block *e, const exchange_position *positions,
                             size_t position_count, reconcile_result *result) {
    reconcile_config config = default_reconcile();
    classify_with(&config, k, e, positions, position_count, result);
}

/* True and *value when result carries a delta called name. */
static bool find_delta(const reconcile_result *result, const char *name, double *value) {
    for (size_t index = 0; index < result->delta_count; index++)
        if (strcmp(result->delta_names[index], name) == 0) {
            *value = result->delta_values[index];
            return true;
        }
    return false;
}

/* Asserts the delta called name exists and equals expected exactly. */
static void assert_delta(const reconcile_result *result, const char *name, double expected) {
    double value = NAN;
    ck_assert_msg(find_delta(result, name, &value), "no delta %s", name);
    ck_assert_msg(value == expected, "delta %s: expected %.17g, got %.17g", name, expected, value);
}

/* Asserts the explanations are exactly the given strings, in order. */
static void assert_explanations(const reconcile_result *result, size_t count, const char *const *expected) {
    ck_assert_uint_eq(result->explanation_count, count);
    for (size_t index = 0; index < count; index++) ck_assert_str_eq(result->explanations[index], expected[index]);
}

/* Asserts status and worst field. */
static void assert_status(const reconcile_result *result, reconcile_status status, const char *worst_field) {
    ck_assert_str_eq(reconcile_status_name(result->status), reconcile_status_name(status));
    ck_assert_str_eq(result->worst_field, worst_field);
}

/* An exchange position with only a symbol (R3 counts symbols). */
static exchange_position exchange_position_of(const char *symbol) {
    exchange_position position;
    memset(&position, 0, sizeof position);
    strcpy(position.symbol, symbol);
    position.qty = 1;
    position.leverage = 1;
    position.side = "LONG";
    return position;
}

/* Inserts a position into book with the given fields. */
static void put_position(position_book *book, const char *symbol, double qty, double entry, double leverage,
                         bool has_mark, double mark) {
    book_position *position = book_entry(book, symbol);
    ck_assert_ptr_nonnull(position);
    position->qty = qty;
    position->entry_price = entry;
    position->leverage = leverage;
    position->has_mark = has_mark;
    position->mark = mark;
}

/* A projection over a config with the given capital clamps. */
static void start_projection(account_projection *projection, double min_capital, bool has_max,
                             double max_capital) {
    kernel_config config;
    config_defaults(&config);
    config.min_capital = min_capital;
    config.has_max_capital = has_max;
    config.max_capital = max_capital;
    projection_init(projection, &config);
}

/* Builds a snapshot over an empty book. */
static const account_snapshot *build_empty(account_projection *projection, const char *id) {
    position_book book;
    book_init(&book);
    return projection_build_snapshot(projection, id, 1.0, &book);
}

/* ---- _safe ---- */

START_TEST(test_safe_replaces_non_finite) {
    ck_assert(projection_safe(NAN, 0.0) == 0.0);
    ck_assert(projection_safe(INFINITY, 7.0) == 7.0);
    ck_assert(projection_safe(-INFINITY, 1.0) == 1.0);
    ck_assert(projection_safe(-12.5, 0.0) == -12.5);
    ck_assert(projection_safe(1e308, 0.0) == 1e308);
    double negative_zero = projection_safe(-0.0, 5.0);
    ck_assert(negative_zero == 0.0 && signbit(negative_zero));
}
END_TEST

START_TEST(test_status_and_source_names) {
    ck_assert_str_eq(reconcile_status_name(RECONCILE_OK), "OK");
    ck_assert_str_eq(reconcile_status_name(RECONCILE_WARN), "WARN");
    ck_assert_str_eq(reconcile_status_name(RECONCILE_ERROR), "ERROR");
    ck_assert_str_eq(capital_source_name(CAPITAL_SOURCE_SEED), "seed");
    ck_assert_str_eq(capital_source_name(CAPITAL_SOURCE_E_ANCHORED), "e_anchored");
    ck_assert_str_eq(capital_source_name(CAPITAL_SOURCE_K_BRIDGED), "k_bridged");
}
END_TEST

/* ---- R1: capital vs wallet ---- */

START_TEST(test_rule1_ok_warn_error) {
    k_block k = {.capital = 25000};
    e_block e = {.wallet_balance = 25000};
    reconcile_result result;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_OK, "");
    ck_assert_uint_eq(result.delta_count, 1);
    assert_delta(&result, "capital_vs_wallet", 0.0);
    assert_explanations(&result, 0, NULL);

    e.wallet_balance = 24997.6;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_WARN, "capital_vs_wallet");
    assert_delta(&result, "capital_vs_wallet", 25000.0 - 24997.6);
    const char *const warn[] = {"UNSETTLED_FEE|capital_vs_wallet|delta=2.4000"};
    assert_explanations(&result, 1, warn);

    e.wallet_balance = 25030;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_ERROR, "capital_vs_wallet");
    assert_delta(&result, "capital_vs_wallet", -30.0); /* signed: k - e */
    const char *const error[] = {"ERROR|capital_vs_wallet|delta=30.0000"};
    assert_explanations(&result, 1, error);
}
END_TEST

START_TEST(test_rule1_needs_positive_wallet) {
    k_block k = {.capital = 25000};
    const double wallets[] = {0.0, -0.0, -100.0, NAN};
    for (size_t index = 0; index < sizeof wallets / sizeof wallets[0]; index++) {
        e_block e = {.wallet_balance = wallets[index]};
        reconcile_result result;
        classify_default(&k, &e, NULL, 0, &result);
        assert_status(&result, RECONCILE_OK, "");
        ck_assert_uint_eq(result.delta_count, 0);
        ck_assert_uint_eq(result.explanation_count, 0);
    }
}
END_TEST

START_TEST(test_rule1_boundaries) {
    reconcile_config config = default_reconcile();
    reconcile_result result;
    /* |delta| == epsilon is OK (<=) */
    config.capital_epsilon = 0.5;
    k_block k = {.capital = 10};
    e_block e = {.wallet_balance = 9.5};
    classify_with(&config, &k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_OK, "");
    assert_delta(&result, "capital_vs_wallet", 0.5);
    /* |delta| == pending_fee_bound (20) is WARN, above it ERROR */
    config = default_reconcile();
    k.capital = 100;
    e.wallet_balance = 80;
    classify_with(&config, &k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_WARN, "capital_vs_wallet");
    const char *const at_bound[] = {"UNSETTLED_FEE|capital_vs_wallet|delta=20.0000"};
    assert_explanations(&result, 1, at_bound);
    e.wallet_balance = 79.75;
    classify_with(&config, &k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_ERROR, "capital_vs_wallet");
    const char *const above[] = {"ERROR|capital_vs_wallet|delta=20.2500"};
    assert_explanations(&result, 1, above);
    /* just above the default epsilon 1e-4: WARN, printed with 4 decimals */
    k.capital = 1000.00011;
    e.wallet_balance = 1000;
    classify_with(&config, &k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_WARN, "capital_vs_wallet");
    const char *const tiny[] = {"UNSETTLED_FEE|capital_vs_wallet|delta=0.0001"};
    assert_explanations(&result, 1, tiny);
    /* just below it: OK, the delta is still reported */
    k.capital = 1000.00009;
    classify_with(&config, &k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_OK, "");
    assert_delta(&result, "capital_vs_wallet", 1000.00009 - 1000.0);
}
END_TEST

/* ---- R2: realized PnL ---- */

START_TEST(test_rule2_ok_warn_error) {
    k_block k = {.realized_pnl = 10};
    e_block e = {.last_fill_realized_pnl = 10};
    reconcile_result result;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_OK, "");
    assert_delta(&result, "realized_pnl", 0.0);

    k.realized_pnl = 10.02;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_WARN, "realized_pnl");
    assert_delta(&result, "realized_pnl", 10.02 - 10.0);
    const char *const warn[] = {"LOT_STEP_ROUNDING|realized_pnl|delta=0.0200"};
    assert_explanations(&result, 1, warn);

    k.realized_pnl = 9.97; /* signed negative, |delta| 0.03 */
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_WARN, "realized_pnl");
    double delta = 0;
    ck_assert(find_delta(&result, "realized_pnl", &delta));
    ck_assert(delta < -0.0299 && delta > -0.0301);
    const char *const warn_negative[] = {"LOT_STEP_ROUNDING|realized_pnl|delta=0.0300"};
    assert_explanations(&result, 1, warn_negative);

    k.realized_pnl = 10.5;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_ERROR, "realized_pnl");
    assert_delta(&result, "realized_pnl", 0.5);
    const char *const error[] = {"ERROR|realized_pnl|delta=0.5000"};
    assert_explanations(&result, 1, error);

    /* K's cumulative realized against the last fill's alone (the seed's rule) */
    k.realized_pnl = 5;
    e.last_fill_realized_pnl = -5;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_ERROR, "realized_pnl");
    assert_delta(&result, "realized_pnl", 10.0);
    const char *const cumulative[] = {"ERROR|realized_pnl|delta=10.0000"};
    assert_explanations(&result, 1, cumulative);
}
END_TEST

START_TEST(test_rule2_skipped_when_last_fill_realized_is_zero) {
    k_block k = {.realized_pnl = 500};
    e_block e = {.last_fill_realized_pnl = 0};
    reconcile_result result;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_OK, "");
    ck_assert_uint_eq(result.delta_count, 0);
}
END_TEST

START_TEST(test_rule2_boundary) {
    reconcile_config config = default_reconcile();
    config.realized_rounding = 0.25;
    k_block k = {.realized_pnl = 1.25};
    e_block e = {.last_fill_realized_pnl = 1.0};
    reconcile_result result;
    classify_with(&config, &k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_WARN, "realized_pnl");
    const char *const at_band[] = {"LOT_STEP_ROUNDING|realized_pnl|delta=0.2500"};
    assert_explanations(&result, 1, at_band);
    k.realized_pnl = 1.5;
    classify_with(&config, &k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_ERROR, "realized_pnl");
    config.capital_epsilon = 0.5;
    classify_with(&config, &k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_OK, "");
}
END_TEST

/* ---- R3: position count ---- */

START_TEST(test_rule3_position_count) {
    exchange_position positions[3] = {exchange_position_of("BTCUSDT"), exchange_position_of("ETHUSDT"),
                                      exchange_position_of("BTCUSDT")};
    k_block k = {.open_positions = 1};
    e_block e = {0};
    reconcile_result result;
    classify_default(&k, &e, positions, 2, &result);
    assert_status(&result, RECONCILE_ERROR, "open_positions");
    assert_delta(&result, "open_positions", -1.0);
    const char *const fewer[] = {"ERROR|open_positions|k=1|e=2"};
    assert_explanations(&result, 1, fewer);

    k.open_positions = 2;
    classify_default(&k, &e, positions, 2, &result);
    assert_status(&result, RECONCILE_OK, "");
    ck_assert_uint_eq(result.delta_count, 0);

    /* the seed counts distinct symbols (its e_pos_map) */
    classify_default(&k, &e, positions, 3, &result);
    assert_status(&result, RECONCILE_OK, "");
    positions[1] = exchange_position_of("BTCUSDT");
    classify_default(&k, &e, positions, 3, &result);
    assert_status(&result, RECONCILE_ERROR, "open_positions");
    assert_delta(&result, "open_positions", 1.0);
    const char *const more[] = {"ERROR|open_positions|k=2|e=1"};
    assert_explanations(&result, 1, more);

    k.open_positions = 0;
    classify_default(&k, &e, positions, 1, &result);
    const char *const none[] = {"ERROR|open_positions|k=0|e=1"};
    assert_explanations(&result, 1, none);
    assert_delta(&result, "open_positions", -1.0);
}
END_TEST

START_TEST(test_rule3_skipped_without_exchange_positions) {
    k_block k = {.open_positions = 3};
    e_block e = {0};
    reconcile_result result;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_OK, "");
    ck_assert_uint_eq(result.delta_count, 0);
}
END_TEST


/* ---- per-rule outcomes (kpis_v7.json reconcile.rules) ---- */

/* Outcome of every seed rule in one snapshot: R1 WARN, R2 not evaluated,
 * R3 evaluated OK without a delta, R4 ERROR, R5 OK; v2's fields never. */
START_TEST(test_rule_outcomes_per_snapshot) {
    exchange_position positions[1] = {exchange_position_of("BTCUSDT")};
    k_block k = {.capital = 1005, .open_positions = 1, .open_notional = 3000, .used_margin = 600};
    e_block e = {.wallet_balance = 1000, .used_margin = 600};
    reconcile_result result;
    classify_default(&k, &e, positions, 1, &result);
    ck_assert_int_eq(result.outcomes[RULE_CAPITAL_VS_WALLET], RULE_OUTCOME_WARN);
    ck_assert_int_eq(result.outcomes[RULE_REALIZED_PNL], RULE_NOT_EVALUATED);
    ck_assert_int_eq(result.outcomes[RULE_OPEN_POSITIONS], RULE_OUTCOME_OK);
    ck_assert_int_eq(result.outcomes[RULE_OPEN_NOTIONAL], RULE_OUTCOME_ERROR);
    ck_assert_int_eq(result.outcomes[RULE_USED_MARGIN], RULE_OUTCOME_OK);
    ck_assert_int_eq(result.outcomes[RULE_POSITION_QTY], RULE_NOT_EVALUATED);
    ck_assert_int_eq(result.outcomes[RULE_REGISTRY], RULE_NOT_EVALUATED);
    /* The same facts classified again under a wider R4 band: WARN there. */
    reconcile_config wide = default_reconcile();
    wide.mark_staleness_factor = 1.0;
    classify_with(&wide, &k, &e, positions, 1, &result);
    ck_assert_int_eq(result.outcomes[RULE_OPEN_NOTIONAL], RULE_OUTCOME_WARN);
    assert_status(&result, RECONCILE_WARN, "capital_vs_wallet");
    /* Without E positions R3 is not evaluated. */
    classify_default(&k, &e, NULL, 0, &result);
    ck_assert_int_eq(result.outcomes[RULE_OPEN_POSITIONS], RULE_NOT_EVALUATED);
}
END_TEST

/* The rule table: fields parse back, the seed's five are in every set,
 * the sorted order is by field name. */
START_TEST(test_rule_table) {
    for (int index = 0; index < RULE_COUNT; index++) {
        reconcile_rule rule;
        const char *field = reconcile_rule_field((reconcile_rule)index);
        ck_assert(reconcile_rule_parse(field, strlen(field), &rule));
        ck_assert_int_eq(rule, index);
        ck_assert(reconcile_rule_in_set((reconcile_rule)index, RULE_SET_V2));
        ck_assert(reconcile_rule_in_set((reconcile_rule)index, RULE_SET_SEED) == (index < RULE_SEED_COUNT));
    }
    reconcile_rule rule;
    ck_assert(!reconcile_rule_parse("used_margins", 12, &rule));
    ck_assert(reconcile_rule_parse("used_margin.ok", 11, &rule));
    reconcile_rule sorted[RULE_COUNT];
    ck_assert_uint_eq(reconcile_rules_sorted(RULE_SET_SEED, sorted), RULE_SEED_COUNT);
    ck_assert_str_eq(reconcile_rule_field(sorted[0]), "capital_vs_wallet");
    ck_assert_str_eq(reconcile_rule_field(sorted[1]), "open_notional");
    ck_assert_str_eq(reconcile_rule_field(sorted[4]), "used_margin");
    size_t count = reconcile_rules_sorted(RULE_SET_V2, sorted);
    ck_assert_uint_eq(count, RULE_COUNT);
    for (size_t index = 1; index < count; index++)
        ck_assert(strcmp(reconcile_rule_field(sorted[index - 1]), reconcile_rule_field(sorted[index])) < 0);
    reconcile_rule_set set;
    ck_assert(reconcile_rule_set_parse("v2", &set) && set == RULE_SET_V2);
    ck_assert(reconcile_rule_set_parse("seed", &set) && set == RULE_SET_SEED);
    ck_assert(!reconcile_rule_set_parse("v3", &set));
}
END_TEST


/* ---- the v2 rules (reconcile.rules=v2) ---- */

static reconcile_config v2_reconcile(void) {
    reconcile_config config = default_reconcile();
    config.rules = RULE_SET_V2;
    return config;
}

/* v2 R1: the last valid wallet, and a zero frame flagged (WARN). */
START_TEST(test_v2_rule1_last_valid_wallet_and_zero_frame) {
    reconcile_config config = v2_reconcile();
    k_block k = {.capital = 1000};
    e_block e = {.wallet_balance = 0};
    reconcile_facts facts = {.k = &k, .e = &e};
    facts.extras.has_valid_wallet = true;
    facts.extras.last_valid_wallet = 1000;
    reconcile_result result;
    projection_classify(&facts, &config, &result);
    assert_status(&result, RECONCILE_OK, "");
    assert_delta(&result, "capital_vs_wallet", 0.0);
    facts.extras.invalid_wallet_frame = true;
    projection_classify(&facts, &config, &result);
    assert_status(&result, RECONCILE_WARN, "capital_vs_wallet");
    const char *const frame[] = {"ZERO_WALLET_FRAME|capital_vs_wallet|delta=1000.0000"};
    assert_explanations(&result, 1, frame);
    ck_assert_int_eq(result.outcomes[RULE_CAPITAL_VS_WALLET], RULE_OUTCOME_WARN);
    /* The seed's rules on the same facts: R1 is off (E wallet 0). */
    reconcile_config seed = default_reconcile();
    projection_classify(&facts, &seed, &result);
    assert_status(&result, RECONCILE_OK, "");
    ck_assert_int_eq(result.outcomes[RULE_CAPITAL_VS_WALLET], RULE_NOT_EVALUATED);
}
END_TEST

/* v2 R2: the book's own realized PnL against E's cumulative. */
START_TEST(test_v2_rule2_book_realized) {
    reconcile_config config = v2_reconcile();
    k_block k = {.realized_pnl = 15};
    e_block e = {.last_fill_realized_pnl = 10};
    reconcile_facts facts = {.k = &k, .e = &e};
    reconcile_result result;
    projection_classify(&facts, &config, &result);
    ck_assert_int_eq(result.outcomes[RULE_REALIZED_PNL], RULE_NOT_EVALUATED); /* no fill yet */
    facts.extras.has_fills = true;
    facts.extras.book_realized_pnl = 15;
    projection_classify(&facts, &config, &result);
    assert_status(&result, RECONCILE_OK, "");
    assert_delta(&result, "realized_pnl", 0.0);
    facts.extras.book_realized_pnl = 14.97;
    projection_classify(&facts, &config, &result);
    assert_status(&result, RECONCILE_WARN, "realized_pnl");
    facts.extras.book_realized_pnl = 10;
    projection_classify(&facts, &config, &result);
    const char *const error[] = {"ERROR|realized_pnl|delta=5.0000"};
    assert_explanations(&result, 1, error);
}
END_TEST

/* v2 R3: per-symbol quantities, K and E merged by symbol; from the first
 * report on, an empty E list is "no positions". */
START_TEST(test_v2_rule3_quantities) {
    reconcile_config config = v2_reconcile();
    position_book book;
    book_init(&book);
    book_position *btc = book_entry(&book, "BTCUSDT");
    book_position *eth = book_entry(&book, "ETHUSDT");
    ck_assert_ptr_nonnull(btc);
    ck_assert_ptr_nonnull(eth);
    btc->qty = 0.01;
    eth->qty = 0; /* flat: E must not hold it either */
    exchange_position positions[2] = {exchange_position_of("BTCUSDT"), exchange_position_of("SOLUSDT")};
    positions[0].qty = 0.0096;
    positions[1].qty = 0.0001;
    k_block k = {.open_positions = 1};
    e_block e = {0};
    reconcile_facts facts = {.k = &k, .e = &e, .positions = positions, .position_count = 1, .book = &book};
    reconcile_result result;
    projection_classify(&facts, &config, &result);
    ck_assert_int_eq(result.outcomes[RULE_POSITION_QTY], RULE_NOT_EVALUATED); /* no report yet */
    facts.extras.positions_reported = true;
    projection_classify(&facts, &config, &result);
    ck_assert_int_eq(result.outcomes[RULE_POSITION_QTY], RULE_OUTCOME_WARN);
    ck_assert_str_eq(result.explanations[0], "LOT_STEP_ROUNDING|position_qty|BTCUSDT|delta=0.0004");
    /* E holds a symbol K does not: the count and that symbol's quantity. */
    positions[0].qty = 0.01;
    facts.position_count = 2;
    projection_classify(&facts, &config, &result);
    ck_assert_int_eq(result.outcomes[RULE_OPEN_POSITIONS], RULE_OUTCOME_ERROR);
    ck_assert_int_eq(result.outcomes[RULE_POSITION_QTY], RULE_OUTCOME_OK); /* 0.0001 <= capital_epsilon */
    positions[1].qty = -0.002;
    projection_classify(&facts, &config, &result);
    ck_assert_int_eq(result.outcomes[RULE_POSITION_QTY], RULE_OUTCOME_ERROR);
    assert_delta(&result, "position_qty", 0.002);
    /* An empty E list after a report: K's position is E's missing one. */
    facts.position_count = 0;
    projection_classify(&facts, &config, &result);
    const char *const missing[] = {"ERROR|open_positions|k=1|e=0", "ERROR|position_qty|BTCUSDT|delta=0.0100"};
    assert_explanations(&result, 2, missing);
}
END_TEST

/* v2 R4 against E's notional (leverage 5 is OK); R6 orphans. */
START_TEST(test_v2_rule4_and_registry) {
    reconcile_config config = v2_reconcile();
    exchange_position positions[1] = {exchange_position_of("ETHUSDT")};
    positions[0].qty = 1;
    positions[0].mark_price = 3000;
    positions[0].leverage = 5;
    position_book book;
    book_init(&book);
    book_position *eth = book_entry(&book, "ETHUSDT");
    ck_assert_ptr_nonnull(eth);
    eth->qty = 1;
    k_block k = {.open_positions = 1, .open_notional = 3000, .used_margin = 600};
    e_block e = {.used_margin = 600};
    reconcile_facts facts = reported_facts(&k, &e, positions, 1, &book);
    reconcile_result result;
    projection_classify(&facts, &config, &result);
    ck_assert_int_eq(result.outcomes[RULE_OPEN_NOTIONAL], RULE_OUTCOME_OK);
    ck_assert_int_eq(result.outcomes[RULE_USED_MARGIN], RULE_OUTCOME_OK);
    positions[0].mark_price = 2997; /* 3 <= 3000 * 0.003 */
    projection_classify(&facts, &config, &result);
    ck_assert_int_eq(result.outcomes[RULE_OPEN_NOTIONAL], RULE_OUTCOME_WARN);
    ck_assert_str_eq(result.explanations[0], "MARK_PRICE_STALENESS|open_notional|delta=3.0000");
    positions[0].mark_price = 3000;
    facts.extras.registry_synced = true;
    facts.extras.orphans_removed = 2;
    strcpy(facts.extras.orphan_symbol, "SOLUSDT");
    projection_classify(&facts, &config, &result);
    assert_status(&result, RECONCILE_WARN, "registry");
    const char *const orphan[] = {"ORPHAN_TP_SL|registry|SOLUSDT"};
    assert_explanations(&result, 1, orphan);
    assert_delta(&result, "registry", 2.0);
}
END_TEST

/* ---- R4: open notional vs E used margin ---- */

START_TEST(test_rule4_ok_warn_error) {
    /* k.used_margin equals e.used_margin so R5 stays OK */
    k_block k = {.open_notional = 10000, .used_margin = 10000};
    e_block e = {.used_margin = 10000};
    reconcile_result result;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_OK, "");
    assert_delta(&result, "open_notional", 0.0);

    k.used_margin = e.used_margin = 10020; /* band = 10000 * 0.003 = 30 */
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_WARN, "open_notional");
    assert_delta(&result, "open_notional", -20.0);
    const char *const warn[] = {"MARK_PRICE_STALENESS|open_notional|delta=20.0000"};
    assert_explanations(&result, 1, warn);

    k.used_margin = e.used_margin = 10030; /* exactly the band: WARN */
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_WARN, "open_notional");
    const char *const at_band[] = {"MARK_PRICE_STALENESS|open_notional|delta=30.0000"};
    assert_explanations(&result, 1, at_band);

    k.used_margin = e.used_margin = 10030.5;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_ERROR, "open_notional");
    assert_delta(&result, "open_notional", -30.5);
    const char *const error[] = {"ERROR|open_notional|delta=30.5000"};
    assert_explanations(&result, 1, error);

    /* the band scales with K's notional */
    k.open_notional = 20000;
    k.used_margin = e.used_margin = 20050; /* band 60 */
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_WARN, "open_notional");
    /* leverage > 1 makes E's used margin a fraction of the notional: ERROR */
    k.used_margin = e.used_margin = 4000;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_ERROR, "open_notional");
    assert_delta(&result, "open_notional", 16000.0);
    const char *const leveraged[] = {"ERROR|open_notional|delta=16000.0000"};
    assert_explanations(&result, 1, leveraged);
}
END_TEST

START_TEST(test_rule4_needs_both_sides) {
    k_block k = {.open_notional = 0, .used_margin = 500};
    e_block e = {.used_margin = 500};
    reconcile_result result;
    classify_default(&k, &e, NULL, 0, &result);
    ck_assert(!find_delta(&result, "open_notional", &(double){0}));
    assert_delta(&result, "used_margin", 0.0);
    k.open_notional = 10000;
    e.used_margin = 0;
    k.used_margin = 0;
    classify_default(&k, &e, NULL, 0, &result);
    ck_assert_uint_eq(result.delta_count, 0);
    assert_status(&result, RECONCILE_OK, "");
}
END_TEST

/* ---- R5: used margin ---- */

START_TEST(test_rule5_ok_warn_error) {
    k_block k = {.used_margin = 1001.5};
    e_block e = {.used_margin = 1000};
    reconcile_result result;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_WARN, "used_margin");
    assert_delta(&result, "used_margin", 1.5);
    const char *const warn[] = {"LEVERAGE_ROUNDING|used_margin|delta=1.5000"};
    assert_explanations(&result, 1, warn);

    k.used_margin = 1002; /* exactly the band */
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_WARN, "used_margin");

    k.used_margin = 997.5;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_ERROR, "used_margin");
    assert_delta(&result, "used_margin", -2.5);
    const char *const error[] = {"ERROR|used_margin|delta=2.5000"};
    assert_explanations(&result, 1, error);

    k.used_margin = 1000;
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_OK, "");
    assert_delta(&result, "used_margin", 0.0);
}
END_TEST

/* ---- escalation across rules ---- */

START_TEST(test_worst_field_needs_strictly_worse_status) {
    reconcile_result result;
    /* R1 WARN then R2 ERROR: ERROR takes over */
    k_block k = {.capital = 25000, .realized_pnl = 3};
    e_block e = {.wallet_balance = 24990, .last_fill_realized_pnl = 1};
    classify_default(&k, &e, NULL, 0, &result);
    assert_status(&result, RECONCILE_ERROR, "realized_pnl");
    const char *const both[] = {"UNSETTLED_FEE|capital_vs_wallet|delta=10.0000", "ERROR|realized_pnl|delta=2.0000"};
    assert_explanations(&result, 2, both);

    /* R1 ERROR then R5 ERROR: the first keeps it */
    k_block k2 = {.capital = 25000, .used_margin = 50};
    e_block e2 = {.wallet_balance = 20000, .used_margin = 10};
    classify_default(&k2, &e2, NULL, 0, &result);
    assert_status(&result, RECONCILE_ERROR, "capital_vs_wallet");
    ck_assert_uint_eq(result.explanation_count, 2);

    /* R1 WARN then R4 WARN: the first keeps it */
    k_block k3 = {.capital = 25000, .open_notional = 10000, .used_margin = 10010};
    e_block e3 = {.wallet_balance = 24995, .used_margin = 10010};
    classify_default(&k3, &e3, NULL, 0, &result);
    assert_status(&result, RECONCILE_WARN, "capital_vs_wallet");
    const char *const warns[] = {"UNSETTLED_FEE|capital_vs_wallet|delta=5.0000",
                                 "MARK_PRICE_STALENESS|open_notional|delta=10.0000"};
    assert_explanations(&result, 2, warns);

    /* R4 WARN then R5 ERROR */
    k_block k4 = {.open_notional = 10000, .used_margin = 10020};
    e_block e4 = {.used_margin = 10010};
    classify_default(&k4, &e4, NULL, 0, &result);
    assert_status(&result, RECONCILE_ERROR, "used_margin");
    const char *const margin[] = {"MARK_PRICE_STALENESS|open_notional|delta=10.0000",
                                  "ERROR|used_margin|delta=10.0000"};
    assert_explanations(&result, 2, margin);
}
END_TEST

START_TEST(test_deltas_in_seed_insertion_order) {
    exchange_position positions[2] = {exchange_position_of("BTCUSDT"), exchange_position_of("ETHUSDT")};
    k_block k = {.capital = 25000, .realized_pnl = 7, .open_positions = 1, .open_notional = 1000,
                 .used_margin = 1000};
    e_block e = {.wallet_balance = 25000, .last_fill_realized_pnl = 7, .used_margin = 1000};
    reconcile_result result;
    classify_default(&k, &e, positions, 2, &result);
    ck_assert_uint_eq(result.delta_count, 5);
    const char *const order[] = {"capital_vs_wallet", "realized_pnl", "open_positions", "open_notional",
                                 "used_margin"};
    for (size_t index = 0; index < 5; index++) ck_assert_str_eq(result.delta_names[index], order[index]);
    assert_status(&result, RECONCILE_ERROR, "open_positions");
    const char *const only[] = {"ERROR|open_positions|k=1|e=2"};
    assert_explanations(&result, 1, only);
}
END_TEST

/* ---- K capital ---- */

START_TEST(test_k_capital_accumulates) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    ck_assert(projection_k_capital(&projection) == 25000);
    ck_assert_int_eq(projection.snapshot.event_seq, 0);
    ck_assert(projection.snapshot.k.capital == 25000);
    ck_assert(projection.snapshot.k.peak_capital == 25000);
    projection_apply_fill(&projection, 50000, 0.1, 2, 100);
    ck_assert(projection_k_capital(&projection) == 25098);
    projection_apply_funding(&projection, 10);
    ck_assert(projection_k_capital(&projection) == 25088);
    projection_apply_funding(&projection, -5); /* funding received */
    ck_assert(projection_k_capital(&projection) == 25093);
    const account_snapshot *snapshot = build_empty(&projection, "e1");
    ck_assert(snapshot->k.capital == 25093);
    ck_assert(snapshot->k.realized_pnl == 100);
    ck_assert(snapshot->k.fees_paid == 2);
    ck_assert(snapshot->k.funding_paid == 5);
    ck_assert(snapshot->k.equity == 25093);
    ck_assert(snapshot->k.available_margin == 25093);
    ck_assert(snapshot->k.peak_capital == 25093);
    ck_assert(snapshot->e.last_funding == -5);
    ck_assert(snapshot->e.last_fill_price == 50000);
    ck_assert(snapshot->e.last_fill_qty == 0.1);
    ck_assert(snapshot->e.last_fill_fee == 2);
    ck_assert(snapshot->e.last_fill_realized_pnl == 100);
}
END_TEST

START_TEST(test_k_capital_min_clamp) {
    account_projection projection;
    start_projection(&projection, 24000, false, 0);
    projection_apply_fill(&projection, 100, 1, 0, -5000);
    ck_assert(projection_k_capital(&projection) == 24000);
    const account_snapshot *snapshot = build_empty(&projection, "loss");
    ck_assert(snapshot->k.capital == 24000);
    ck_assert(snapshot->k.realized_pnl == -5000); /* the accumulator is not clamped */
    ck_assert(snapshot->k.peak_capital == 25000);
}
END_TEST

START_TEST(test_k_capital_max_clamp) {
    account_projection projection;
    start_projection(&projection, 0, true, 25050);
    projection_apply_fill(&projection, 100, 1, 0, 100);
    ck_assert(projection_k_capital(&projection) == 25050);
    const account_snapshot *snapshot = build_empty(&projection, "gain");
    ck_assert(snapshot->k.peak_capital == 25050);
    /* min above max: max(min, min(raw, max)) gives min */
    start_projection(&projection, 100, true, 50);
    ck_assert(projection_k_capital(&projection) == 100);
    /* a seed below a clamp window is clamped from the start */
    kernel_config config;
    config_defaults(&config);
    config.seed_capital = 10;
    config.min_capital = 20;
    projection_init(&projection, &config);
    ck_assert(projection.snapshot.k.capital == 20);
    ck_assert(projection.snapshot.k.peak_capital == 20);
    /* a seed above max_capital: capital is clamped, the peak starts at the seed */
    config.seed_capital = 25000;
    config.min_capital = 0;
    config.has_max_capital = true;
    config.max_capital = 20000;
    projection_init(&projection, &config);
    ck_assert(projection.snapshot.k.capital == 20000);
    ck_assert(projection.snapshot.k.peak_capital == 25000);
}
END_TEST

START_TEST(test_k_peak_capital_only_rises) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    projection_apply_fill(&projection, 1, 1, 0, -1000);
    ck_assert(build_empty(&projection, "a")->k.peak_capital == 25000);
    projection_apply_fill(&projection, 1, 1, 0, 3000);
    ck_assert(build_empty(&projection, "b")->k.peak_capital == 27000);
    projection_apply_fill(&projection, 1, 1, 0, -500);
    const account_snapshot *snapshot = build_empty(&projection, "c");
    ck_assert(snapshot->k.capital == 26500);
    ck_assert(snapshot->k.peak_capital == 27000);
}
END_TEST

/* ---- _safe on the ingestion paths ---- */

START_TEST(test_fill_non_finite_inputs_are_zero) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    projection_apply_fill(&projection, 50000, 0.1, 2, 5);
    projection_apply_fill(&projection, NAN, INFINITY, -INFINITY, NAN);
    const account_snapshot *snapshot = build_empty(&projection, "corrupt");
    ck_assert(snapshot->k.realized_pnl == 5);
    ck_assert(snapshot->k.fees_paid == 2);
    ck_assert(snapshot->k.capital == 25003);
    /* the seed overwrites the last-fill facts with _safe(...) = 0 */
    ck_assert(snapshot->e.last_fill_price == 0);
    ck_assert(snapshot->e.last_fill_qty == 0);
    ck_assert(snapshot->e.last_fill_fee == 0);
    ck_assert(snapshot->e.last_fill_realized_pnl == 0);
    ck_assert(isfinite(projection.published.capital));
    ck_assert(projection.published.capital == 25003);
    ck_assert(projection.published.fees_paid == 2);
    ck_assert(projection.published.realized_pnl == 5);
}
END_TEST

START_TEST(test_funding_non_finite_is_zero) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    projection_apply_funding(&projection, 4);
    projection_apply_funding(&projection, NAN);
    projection_apply_funding(&projection, -INFINITY);
    const account_snapshot *snapshot = build_empty(&projection, "funding");
    ck_assert(snapshot->k.funding_paid == 4);
    ck_assert(snapshot->e.last_funding == 0);
    ck_assert(snapshot->k.capital == 24996);
    ck_assert(projection.published.capital == 24996);
}
END_TEST

START_TEST(test_balance_non_finite_is_zero) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    projection_apply_balance(&projection, 25000, 20000, 5000, 100);
    projection_apply_balance(&projection, NAN, INFINITY, -INFINITY, NAN);
    const account_snapshot *snapshot = build_empty(&projection, "corrupt");
    ck_assert(snapshot->e.wallet_balance == 0);
    ck_assert(snapshot->e.available_margin == 0);
    ck_assert(snapshot->e.used_margin == 0);
    ck_assert(snapshot->e.maint_margin == 0);
    /* wallet 0 after _safe: R1 is not evaluated, the snapshot is OK */
    assert_status(&snapshot->reconcile, RECONCILE_OK, "");
    ck_assert_uint_eq(snapshot->reconcile.delta_count, 0);
    ck_assert(projection.published.capital == 25000);
    ck_assert_str_eq(capital_source_name(projection.published.source), "e_anchored");
}
END_TEST

/* ---- V1 published capital ---- */

START_TEST(test_published_starts_at_seed) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    const published_capital *published = &projection.published;
    ck_assert(published->capital == 25000);
    ck_assert(published->equity == 25000);
    ck_assert_str_eq(capital_source_name(published->source), "seed");
    ck_assert(published->peak_capital == 0); /* AccountSnapshot's default */
    ck_assert(published->e_wallet_balance == 0);
    ck_assert_int_eq(published->event_seq, 0);
    /* settle from the seed source keeps "seed" */
    projection_apply_fill(&projection, 1, 1, 1, 11);
    ck_assert(published->capital == 25010);
    ck_assert_str_eq(capital_source_name(published->source), "seed");
    projection_apply_funding(&projection, -10);
    ck_assert(published->capital == 25020);
    ck_assert_str_eq(capital_source_name(published->source), "seed");
}
END_TEST

START_TEST(test_published_anchor_on_positive_wallet) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    projection_apply_balance(&projection, 24000, 0, 0, 0);
    const published_capital *published = &projection.published;
    ck_assert(published->capital == 24000);
    ck_assert(published->e_wallet_balance == 24000);
    ck_assert(published->equity == 24000);
    ck_assert(published->peak_capital == 24000);
    ck_assert_str_eq(capital_source_name(published->source), "e_anchored");
    ck_assert_int_eq(published->event_seq, 1); /* the snapshot this event builds */
    build_empty(&projection, "b1");
    build_empty(&projection, "b2");
    projection_apply_balance(&projection, 23000, 0, 0, 0);
    ck_assert_int_eq(published->event_seq, 3);
    ck_assert(published->capital == 23000);
    ck_assert(published->peak_capital == 24000);
}
END_TEST

START_TEST(test_published_ignores_bad_wallets) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    projection_apply_balance(&projection, 24000, 0, 0, 0);
    const published_capital *published = &projection.published;
    const double wallets[] = {0.0, -0.0, -5.0, NAN, INFINITY, -INFINITY};
    for (size_t index = 0; index < sizeof wallets / sizeof wallets[0]; index++) {
        build_empty(&projection, "x");
        projection_apply_balance(&projection, wallets[index], 1, 2, 3);
        ck_assert(published->capital == 24000);
        ck_assert(published->e_wallet_balance == 24000);
        ck_assert_int_eq(published->event_seq, 1);
        ck_assert_str_eq(capital_source_name(published->source), "e_anchored");
    }
    /* V2 still records the frame, through _safe */
    ck_assert(projection.e.wallet_balance == 0);
    ck_assert(projection.e.used_margin == 2);
    projection_apply_balance(&projection, -5, 0, 0, 0);
    ck_assert(projection.e.wallet_balance == -5);
    /* a zero wallet before any anchor leaves the seed */
    start_projection(&projection, 0, false, 0);
    projection_apply_balance(&projection, 0, 0, 0, 0);
    ck_assert(projection.published.capital == 25000);
    ck_assert_str_eq(capital_source_name(projection.published.source), "seed");
}
END_TEST

START_TEST(test_published_bridges_after_anchor) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    const published_capital *published = &projection.published;
    projection_apply_balance(&projection, 24000, 0, 0, 0);
    projection_apply_fill(&projection, 100, 1, 0, 0); /* net 0: still anchored */
    ck_assert_str_eq(capital_source_name(published->source), "e_anchored");
    projection_apply_fill(&projection, 100, 1, 0, 1e-13); /* |net| <= 1e-12 */
    ck_assert_str_eq(capital_source_name(published->source), "e_anchored");
    ck_assert(published->capital == 24000.0 + 1e-13);
    projection_apply_fill(&projection, 100, 1, 5, 5); /* net 0 again */
    ck_assert_str_eq(capital_source_name(published->source), "e_anchored");
    projection_apply_fill(&projection, 100, 1, 1, 5); /* net 4 */
    ck_assert_str_eq(capital_source_name(published->source), "k_bridged");
    ck_assert(published->capital == 24000.0 + 1e-13 + 4.0);
    ck_assert(published->realized_pnl == 1e-13 + 5 + 5);
    ck_assert(published->fees_paid == 6);
    ck_assert(published->e_wallet_balance == 24000);
    /* a new anchor snaps back */
    projection_apply_balance(&projection, 24100, 0, 0, 0);
    ck_assert(published->capital == 24100);
    ck_assert_str_eq(capital_source_name(published->source), "e_anchored");
    /* funding settles -amount */
    projection_apply_funding(&projection, 10);
    ck_assert(published->capital == 24090);
    ck_assert_str_eq(capital_source_name(published->source), "k_bridged");
    ck_assert(published->fees_paid == 6); /* funding is not a fee */
    ck_assert(published->realized_pnl == 1e-13 + 5 + 5 - 10); /* settle(-amount) */
}
END_TEST

START_TEST(test_published_bridge_threshold) {
    /* abs(net) > 1e-12 bridges; exactly 1e-12 does not. A wallet of 1 keeps
     * such tiny amounts visible in the capital. */
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    const published_capital *published = &projection.published;
    projection_apply_balance(&projection, 1, 0, 0, 0);
    projection_apply_fill(&projection, 1, 1, 0, 1e-12);
    ck_assert_str_eq(capital_source_name(published->source), "e_anchored");
    ck_assert(published->capital == 1.0 + 1e-12);
    projection_apply_fill(&projection, 1, 1, 1e-12, 0); /* net -1e-12 */
    ck_assert_str_eq(capital_source_name(published->source), "e_anchored");
    projection_apply_fill(&projection, 1, 1, 0, 2e-12);
    ck_assert_str_eq(capital_source_name(published->source), "k_bridged");
    projection_apply_balance(&projection, 1, 0, 0, 0);
    projection_apply_funding(&projection, 2e-12);
    ck_assert_str_eq(capital_source_name(published->source), "k_bridged");
    ck_assert(published->capital == 1.0 - 2e-12);
}
END_TEST

START_TEST(test_published_settle_clamps) {
    account_projection projection;
    start_projection(&projection, 0, true, 25050);
    projection_apply_fill(&projection, 1, 1, 0, 100);
    ck_assert(projection.published.capital == 25050);
    /* the anchor itself is not clamped (the seed's anchor_to_exchange) */
    projection_apply_balance(&projection, 30000, 0, 0, 0);
    ck_assert(projection.published.capital == 30000);
    /* the next settle clamps again */
    projection_apply_fill(&projection, 1, 1, 1, 0);
    ck_assert(projection.published.capital == 25050);
    ck_assert_str_eq(capital_source_name(projection.published.source), "k_bridged");
    start_projection(&projection, 24000, false, 0);
    projection_apply_funding(&projection, 5000);
    ck_assert(projection.published.capital == 24000);
    projection_apply_balance(&projection, 100, 0, 0, 0);
    ck_assert(projection.published.capital == 100);
}
END_TEST

START_TEST(test_published_observe_slots) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    position_book book;
    book_init(&book);
    put_position(&book, "BTCUSDT", 0.5, 40000, 5, true, 40100);
    projection_build_snapshot(&projection, "m", 2.0, &book);
    const published_capital *published = &projection.published;
    ck_assert_int_eq(published->open_positions, 1);
    ck_assert(published->open_notional == 20050);
    ck_assert(published->unrealized_pnl == 50);
    ck_assert(published->equity == 25050);
    ck_assert(published->peak_capital == 25000); /* open notional > 0 and capital > 0 */
    /* the anchor's equity adds the last observed unrealized PnL */
    projection_apply_balance(&projection, 24000, 0, 0, 0);
    ck_assert(published->equity == 24050);
    ck_assert(published->peak_capital == 25000);
    /* a settle keeps the unrealized PnL in equity */
    projection_apply_fill(&projection, 1, 1, 0, 10);
    ck_assert(published->equity == 24060);
}
END_TEST

START_TEST(test_published_peak_needs_open_notional) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    build_empty(&projection, "flat");
    ck_assert(projection.published.peak_capital == 0);
    position_book book;
    book_init(&book);
    put_position(&book, "BTCUSDT", 0, 0, 1, true, 40000); /* flat */
    projection_build_snapshot(&projection, "still flat", 2.0, &book);
    ck_assert(projection.published.peak_capital == 0);
    ck_assert_int_eq(projection.published.open_positions, 0);
}
END_TEST

/* ---- snapshots over a book (the seed's _scan_slots) ---- */

START_TEST(test_snapshot_k_block_from_book) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    position_book book;
    book_init(&book);
    put_position(&book, "BTCUSDT", 0.5, 40000, 5, true, 40100);
    const account_snapshot *snapshot = projection_build_snapshot(&projection, "e7", 1767600000.25, &book);
    ck_assert_int_eq(snapshot->event_seq, 1);
    ck_assert_str_eq(snapshot->source_event_id, "e7");
    ck_assert(snapshot->ts == 1767600000.25);
    ck_assert_int_eq(snapshot->k.open_positions, 1);
    ck_assert(snapshot->k.open_notional == 20050);   /* 0.5 * 40100 */
    ck_assert(snapshot->k.unrealized_pnl == 50);     /* (40100 - 40000) * 0.5 */
    ck_assert(snapshot->k.used_margin == 4010);      /* 20050 / 5 */
    ck_assert(snapshot->k.equity == 25050);
    ck_assert(snapshot->k.available_margin == 20990);
    ck_assert_int_eq(projection_build_snapshot(&projection, "e8", 2, &book)->event_seq, 2);
}
END_TEST

START_TEST(test_snapshot_short_and_several_symbols) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    position_book book;
    book_init(&book);
    put_position(&book, "ETHUSDT", -4, 2000, 2, true, 1900);
    put_position(&book, "BTCUSDT", 0.25, 40000, 1, false, 0);
    put_position(&book, "SOLUSDT", 0, 0, 1, true, 150); /* flat: skipped */
    const account_snapshot *snapshot = projection_build_snapshot(&projection, "s", 1, &book);
    ck_assert_int_eq(snapshot->k.open_positions, 2);
    /* ETH: 4 * 1900 = 7600, unrealized (1900 - 2000) * -4 = 400, margin 3800;
     * BTC without a mark: 0.25 * 40000 = 10000 at entry, unrealized 0 */
    ck_assert(snapshot->k.open_notional == 17600);
    ck_assert(snapshot->k.unrealized_pnl == 400);
    ck_assert(snapshot->k.used_margin == 13800);
    ck_assert(snapshot->k.available_margin == 25000 - 13800);
}
END_TEST

START_TEST(test_snapshot_mark_fallbacks) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    position_book book;
    book_init(&book);
    /* mark 0: V2 values the notional at the entry, V1 at the mark (0) */
    put_position(&book, "AUSDT", 2, 100, 1, true, 0);
    const account_snapshot *snapshot = projection_build_snapshot(&projection, "zero mark", 1, &book);
    ck_assert(snapshot->k.open_notional == 200);
    ck_assert(snapshot->k.unrealized_pnl == -200); /* (0 - 100) * 2 */
    ck_assert(projection.published.open_notional == 0);
    ck_assert(projection.published.unrealized_pnl == -200);
    /* a NaN mark (corrupt frame): V2 _safe's both to the entry and 0 */
    book_init(&book);
    put_position(&book, "AUSDT", 2, 100, 1, true, NAN);
    snapshot = projection_build_snapshot(&projection, "nan mark", 2, &book);
    ck_assert(snapshot->k.open_notional == 200);
    ck_assert(snapshot->k.unrealized_pnl == 0);
    ck_assert(snapshot->k.equity == 25000);
    /* V1: safe_float(NaN, entry) is the entry; the NaN PnL makes equity fall
     * back to capital */
    ck_assert(projection.published.open_notional == 200);
    ck_assert(isnan(projection.published.unrealized_pnl));
    ck_assert(projection.published.equity == projection.published.capital);
    /* negative mark: V2 uses the entry */
    book_init(&book);
    put_position(&book, "AUSDT", 2, 100, 1, true, -3);
    snapshot = projection_build_snapshot(&projection, "negative mark", 3, &book);
    ck_assert(snapshot->k.open_notional == 200);
    ck_assert(projection.published.open_notional == 6); /* V1: |size| * |mark| */
}
END_TEST

START_TEST(test_snapshot_leverage_floor) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    position_book book;
    book_init(&book);
    put_position(&book, "AUSDT", 1, 1000, 0.5, false, 0);  /* max(1, 0.5) = 1 */
    put_position(&book, "BUSDT", 1, 1000, NAN, false, 0);  /* _safe -> 1 */
    put_position(&book, "CUSDT", 1, 1000, 4, false, 0);
    const account_snapshot *snapshot = projection_build_snapshot(&projection, "lev", 1, &book);
    ck_assert(snapshot->k.used_margin == 1000 + 1000 + 250);
    ck_assert(snapshot->k.open_notional == 3000);
}
END_TEST

START_TEST(test_snapshot_available_margin_floor) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    position_book book;
    book_init(&book);
    put_position(&book, "BTCUSDT", 1, 30000, 1, false, 0);
    const account_snapshot *snapshot = projection_build_snapshot(&projection, "over", 1, &book);
    ck_assert(snapshot->k.used_margin == 30000);
    ck_assert(snapshot->k.available_margin == 0); /* max(0, 25000 - 30000) */
}
END_TEST

START_TEST(test_snapshot_classifies_with_exchange_positions) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    exchange_position positions[2] = {exchange_position_of("BTCUSDT"), exchange_position_of("ETHUSDT")};
    projection_apply_positions(&projection, positions, 2);
    projection_apply_balance(&projection, 24997.6, 0, 0, 0);
    position_book book;
    book_init(&book);
    put_position(&book, "BTCUSDT", 0.5, 40000, 1, false, 0);
    const account_snapshot *snapshot = projection_build_snapshot(&projection, "e", 1, &book);
    assert_status(&snapshot->reconcile, RECONCILE_ERROR, "open_positions");
    const char *const expected[] = {"UNSETTLED_FEE|capital_vs_wallet|delta=2.4000",
                                    "ERROR|open_positions|k=1|e=2"};
    assert_explanations(&snapshot->reconcile, 2, expected);
    /* the list is replaced whole */
    projection_apply_positions(&projection, positions, 1);
    snapshot = projection_build_snapshot(&projection, "f", 2, &book);
    assert_status(&snapshot->reconcile, RECONCILE_WARN, "capital_vs_wallet");
    projection_apply_positions(&projection, positions, 0);
    ck_assert_uint_eq(projection.position_count, 0);
}
END_TEST

/* Every test of core/projection.c. */
/* The snapshot a fresh projection holds (a run of config rows only writes
 * it): sequence 0, time 0, no source event; a NaN seed is _safe'd to 0. */
START_TEST(test_fresh_snapshot) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    ck_assert_int_eq(projection.snapshot.event_seq, 0);
    ck_assert(projection.snapshot.ts == 0);
    ck_assert_str_eq(projection.snapshot.source_event_id, "");
    ck_assert(projection.snapshot.k.capital == 25000);
    kernel_config config;
    config_defaults(&config);
    config.seed_capital = NAN;
    projection_init(&projection, &config);
    ck_assert(projection.snapshot.k.capital == 0 && !signbit(projection.snapshot.k.capital));
    ck_assert(projection.snapshot.k.peak_capital == 0);
}
END_TEST

/* V1 observe_slots reads only the book's positions, never a stale slot
 * past its count (a book over garbage), and values a position whose entry
 * is corrupt and has no mark at 0. */
START_TEST(test_published_observe_reads_only_the_book) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    position_book *book = malloc(sizeof *book);
    ck_assert_ptr_nonnull(book);
    memset(book, 0xa5, sizeof *book);
    book_init(book);
    put_position(book, "AUSDT", 2, NAN, 1, false, 0);
    projection_build_snapshot(&projection, "corrupt entry", 1, book);
    ck_assert_int_eq(projection.published.open_positions, 1);
    ck_assert(projection.published.open_notional == 0);
    free(book);
}
END_TEST

/* V1's peak follows capital whenever something is open, however small the
 * notional or the capital (both above 0). */
START_TEST(test_published_peak_small_values) {
    account_projection projection;
    start_projection(&projection, 0, false, 0);
    position_book book;
    book_init(&book);
    put_position(&book, "AUSDT", 0.5, 1, 1, true, 1); /* notional 0.5 */
    projection_build_snapshot(&projection, "small notional", 1, &book);
    ck_assert(projection.published.peak_capital == 25000);
    kernel_config config;
    config_defaults(&config);
    config.seed_capital = 0.5;
    projection_init(&projection, &config);
    put_position(&book, "AUSDT", 2, 100, 1, true, 100);
    projection_build_snapshot(&projection, "small capital", 1, &book);
    ck_assert(projection.published.peak_capital == 0.5);
}
END_TEST

/* V1 equity falls back to capital when capital + unrealized overflows,
 * even though capital - unrealized does not. */
START_TEST(test_published_equity_overflow_falls_back) {
    account_projection projection;
    kernel_config config;
    config_defaults(&config);
    config.seed_capital = 1.5e308;
    projection_init(&projection, &config);
    position_book book;
    book_init(&book);
    put_position(&book, "AUSDT", 1.5e300, 1, 1, true, 100000001); /* unrealized 1.5e308 */
    projection_build_snapshot(&projection, "huge", 1, &book);
    ck_assert(projection.published.unrealized_pnl == 1.5e308);
    ck_assert(projection.published.equity == 1.5e308);
}
END_TEST

/* What a projection notes for one event under v2 (a registry sync, a
 * valid wallet, the book's realized PnL) holds for that event's snapshot
 * only; a wallet below 1 is as valid as any, and a NaN realized PnL is 0. */
START_TEST(test_v2_pending_facts_last_one_event) {
    kernel_config config;
    config_defaults(&config);
    config.reconcile.rules = RULE_SET_V2;
    account_projection projection;
    projection_init(&projection, &config);
    projection_note_registry_sync(&projection, 2, "SOLUSDT");
    const account_snapshot *snapshot = build_empty(&projection, "sync");
    ck_assert_int_eq(snapshot->reconcile.outcomes[RULE_REGISTRY], RULE_OUTCOME_WARN);
    const char *const orphan[] = {"ORPHAN_TP_SL|registry|SOLUSDT"};
    assert_explanations(&snapshot->reconcile, 1, orphan);
    snapshot = build_empty(&projection, "no sync");
    ck_assert_int_eq(snapshot->reconcile.outcomes[RULE_REGISTRY], RULE_NOT_EVALUATED);
    ck_assert(!projection.extras.registry_synced);
    ck_assert_uint_eq(projection.extras.orphans_removed, 0);
    ck_assert_str_eq(projection.extras.orphan_symbol, "");
    ck_assert_uint_eq(snapshot->reconcile.explanation_count, 0);
    projection_apply_balance(&projection, 0.5, 0, 0, 0);
    build_empty(&projection, "small wallet");
    ck_assert(projection.extras.has_valid_wallet && projection.extras.last_valid_wallet == 0.5);
    ck_assert(!projection.extras.invalid_wallet_frame);
    projection_observe_book_fill(&projection, NAN);
    projection_observe_book_fill(&projection, 2.5);
    build_empty(&projection, "fills");
    ck_assert(projection.extras.has_fills && projection.extras.book_realized_pnl == 2.5);
}
END_TEST

/* v2 R3's merge of K's book and E's list: symbols one byte value apart
 * (strcmp may return exactly 1), a symbol only E holds after K's last, the
 * first of two equal deltas, a NaN book quantity as 0, never a slot past
 * the book's count (a book over garbage), and the count's signed delta. */
START_TEST(test_v2_rule3_merge_edges) {
    reconcile_config config = v2_reconcile();
    position_book *book = malloc(sizeof *book);
    ck_assert_ptr_nonnull(book);
    memset(book, 0xa5, sizeof *book);
    book_init(book);
    book_entry(book, "BBC")->qty = 1;
    exchange_position positions[2] = {exchange_position_of("BBB"), exchange_position_of("BBC")};
    positions[0].qty = 0.5;
    positions[1].qty = 1;
    k_block k = {.open_positions = 1};
    e_block e = {0};
    reconcile_facts facts = reported_facts(&k, &e, positions, 2, book);
    reconcile_result result;
    projection_classify(&facts, &config, &result);
    assert_delta(&result, "open_positions", -1.0);
    assert_delta(&result, "position_qty", -0.5);
    const char *const only_e[] = {"ERROR|open_positions|k=1|e=2", "ERROR|position_qty|BBB|delta=0.5000"};
    assert_explanations(&result, 2, only_e);
    /* E's symbol after K's last; then two equal deltas: the first is named */
    positions[0] = exchange_position_of("BBC");
    positions[0].qty = 1;
    positions[1] = exchange_position_of("ZZZ");
    positions[1].qty = 0.5;
    projection_classify(&facts, &config, &result);
    ck_assert_str_eq(result.explanations[1], "ERROR|position_qty|ZZZ|delta=0.5000");
    book_entry(book, "AAA")->qty = 0.5;
    k.open_positions = 2;
    facts.position_count = 2;
    projection_classify(&facts, &config, &result);
    assert_delta(&result, "position_qty", 0.5);
    ck_assert_str_eq(result.explanations[0], "ERROR|position_qty|AAA|delta=0.5000");
    /* K holds one more than E: +1; a NaN quantity in the book counts as 0 */
    facts.position_count = 1;
    book_entry(book, "AAA")->qty = NAN;
    projection_classify(&facts, &config, &result);
    assert_delta(&result, "open_positions", 1.0);
    assert_delta(&result, "position_qty", 0.0);
    free(book);
}
END_TEST

/* v2 R1's zero-wallet frame explains |K capital - E wallet|: for a
 * negative wallet, more than K's capital. */
START_TEST(test_v2_rule1_negative_wallet_frame) {
    reconcile_config config = v2_reconcile();
    k_block k = {.capital = 1000};
    e_block e = {.wallet_balance = -5};
    reconcile_facts facts = {.k = &k, .e = &e};
    facts.extras.invalid_wallet_frame = true;
    reconcile_result result;
    projection_classify(&facts, &config, &result);
    const char *const frame[] = {"ZERO_WALLET_FRAME|capital_vs_wallet|delta=1005.0000"};
    assert_explanations(&result, 1, frame);
}
END_TEST

/* v2 R3 on a book used before and started again (book_init keeps the old
 * slots' bytes): the merge stops at the book's count, so a stale slot
 * past it is never a K position. */
START_TEST(test_v2_rule3_reused_book) {
    reconcile_config config = v2_reconcile();
    position_book *book = malloc(sizeof *book);
    ck_assert_ptr_nonnull(book);
    book_init(book);
    book_entry(book, "AAA")->qty = 1;
    book_entry(book, "BBC")->qty = 1;
    book_entry(book, "CCC")->qty = 1;
    book_init(book);
    book_entry(book, "BBC")->qty = 1;
    exchange_position positions[2] = {exchange_position_of("BBC"), exchange_position_of("ZZZ")};
    positions[0].qty = 1;
    positions[1].qty = 1;
    k_block k = {.open_positions = 1};
    e_block e = {0};
    reconcile_facts facts = reported_facts(&k, &e, positions, 2, book);
    reconcile_result result;
    projection_classify(&facts, &config, &result);
    assert_delta(&result, "position_qty", -1.0);
    ck_assert_str_eq(result.explanations[1], "ERROR|position_qty|ZZZ|delta=1.0000");
    free(book);
}
END_TEST

/* v2 R3's rounding band includes its bound: |delta| = lot_step / 2 exactly
 * (1.5 - 1 with a lot step of 1) is a WARN. */
START_TEST(test_v2_rule3_rounding_bound) {
    reconcile_config config = v2_reconcile();
    config.lot_step = 1;
    position_book book;
    book_init(&book);
    book_entry(&book, "AAA")->qty = 1.5;
    exchange_position positions[1] = {exchange_position_of("AAA")};
    positions[0].qty = 1;
    k_block k = {.open_positions = 1};
    e_block e = {0};
    reconcile_facts facts = reported_facts(&k, &e, positions, 1, &book);
    reconcile_result result;
    projection_classify(&facts, &config, &result);
    ck_assert_int_eq(result.outcomes[RULE_POSITION_QTY], RULE_OUTCOME_WARN);
}
END_TEST

/* v2 R4 values E's positions at their mark, or at the entry when the mark
 * is not above 0; a mark below 1 is a mark. */
START_TEST(test_v2_rule4_exchange_notional_marks) {
    reconcile_config config = v2_reconcile();
    exchange_position positions[1] = {exchange_position_of("AAA")};
    positions[0].qty = 2;
    positions[0].entry_price = 100;
    positions[0].mark_price = 0;
    k_block k = {.open_positions = 1, .open_notional = 200};
    e_block e = {0};
    reconcile_facts facts = reported_facts(&k, &e, positions, 1, NULL);
    reconcile_result result;
    projection_classify(&facts, &config, &result);
    assert_delta(&result, "open_notional", 0.0); /* mark 0: 2 x entry 100 */
    positions[0].mark_price = 0.5;
    k.open_notional = 1;
    projection_classify(&facts, &config, &result);
    assert_delta(&result, "open_notional", 0.0); /* 2 x mark 0.5 */
}
END_TEST

/* Values below 1 are values: R5 checks a used margin of 0.5 (seed and
 * v2), v2 R4 an open notional of 0.5 on either side. */
START_TEST(test_rules_check_values_below_one) {
    reconcile_config seed = default_reconcile();
    reconcile_config v2 = v2_reconcile();
    k_block k = {.used_margin = 0.5};
    e_block e = {.used_margin = 0.5};
    reconcile_result result;
    classify_with(&seed, &k, &e, NULL, 0, &result);
    ck_assert_int_eq(result.outcomes[RULE_USED_MARGIN], RULE_OUTCOME_OK);
    classify_with(&v2, &k, &e, NULL, 0, &result);
    ck_assert_int_eq(result.outcomes[RULE_USED_MARGIN], RULE_OUTCOME_OK);
    exchange_position positions[1] = {exchange_position_of("AAA")};
    positions[0].qty = 0.5;
    positions[0].mark_price = 1;
    k_block flat = {0};
    e_block none = {0};
    reconcile_facts facts = reported_facts(&flat, &none, positions, 1, NULL);
    projection_classify(&facts, &v2, &result);
    assert_delta(&result, "open_notional", -0.5);
    k_block small = {.open_notional = 0.5};
    facts.k = &small;
    facts.position_count = 0;
    projection_classify(&facts, &v2, &result);
    assert_delta(&result, "open_notional", 0.5);
}
END_TEST

static Suite *projection_suite(void) {
    Suite *suite = suite_create("projection");
    TCase *classify = tcase_create("classify");
    tcase_add_test(classify, test_safe_replaces_non_finite);
    tcase_add_test(classify, test_status_and_source_names);
    tcase_add_test(classify, test_rule1_ok_warn_error);
    tcase_add_test(classify, test_rule_outcomes_per_snapshot);
    tcase_add_test(classify, test_rule_table);
    tcase_add_test(classify, test_v2_rule1_last_valid_wallet_and_zero_frame);
    tcase_add_test(classify, test_v2_rule2_book_realized);
    tcase_add_test(classify, test_v2_rule3_quantities);
    tcase_add_test(classify, test_v2_rule4_and_registry);
    tcase_add_test(classify, test_rule1_needs_positive_wallet);
    tcase_add_test(classify, test_rule1_boundaries);
    tcase_add_test(classify, test_rule2_ok_warn_error);
    tcase_add_test(classify, test_rule2_skipped_when_last_fill_realized_is_zero);
    tcase_add_test(classify, test_rule2_boundary);
    tcase_add_test(classify, test_rule3_position_count);
    tcase_add_test(classify, test_rule3_skipped_without_exchange_positions);
    tcase_add_test(classify, test_rule4_ok_warn_error);
    tcase_add_test(classify, test_rule4_needs_both_sides);
    tcase_add_test(classify, test_rule5_ok_warn_error);
    tcase_add_test(classify, test_worst_field_needs_strictly_worse_status);
    tcase_add_test(classify, test_deltas_in_seed_insertion_order);
    suite_add_tcase(suite, classify);
    TCase *capital = tcase_create("k_capital");
    tcase_add_test(capital, test_k_capital_accumulates);
    tcase_add_test(capital, test_k_capital_min_clamp);
    tcase_add_test(capital, test_k_capital_max_clamp);
    tcase_add_test(capital, test_k_peak_capital_only_rises);
    tcase_add_test(capital, test_fill_non_finite_inputs_are_zero);
    tcase_add_test(capital, test_funding_non_finite_is_zero);
    tcase_add_test(capital, test_balance_non_finite_is_zero);
    suite_add_tcase(suite, capital);
    TCase *published = tcase_create("published");
    tcase_add_test(published, test_published_starts_at_seed);
    tcase_add_test(published, test_published_anchor_on_positive_wallet);
    tcase_add_test(published, test_published_ignores_bad_wallets);
    tcase_add_test(published, test_published_bridges_after_anchor);
    tcase_add_test(published, test_published_bridge_threshold);
    tcase_add_test(published, test_published_settle_clamps);
    tcase_add_test(published, test_published_observe_slots);
    tcase_add_test(published, test_published_peak_needs_open_notional);
    suite_add_tcase(suite, published);
    TCase *snapshot = tcase_create("snapshot");
    tcase_add_test(snapshot, test_snapshot_k_block_from_book);
    tcase_add_test(snapshot, test_snapshot_short_and_several_symbols);
    tcase_add_test(snapshot, test_snapshot_mark_fallbacks);
    tcase_add_test(snapshot, test_snapshot_leverage_floor);
    tcase_add_test(snapshot, test_snapshot_available_margin_floor);
    tcase_add_test(snapshot, test_snapshot_classifies_with_exchange_positions);
    tcase_add_test(snapshot, test_fresh_snapshot);
    tcase_add_test(snapshot, test_published_observe_reads_only_the_book);
    tcase_add_test(snapshot, test_published_peak_small_values);
    tcase_add_test(snapshot, test_published_equity_overflow_falls_back);
    tcase_add_test(snapshot, test_v2_pending_facts_last_one_event);
    tcase_add_test(snapshot, test_v2_rule3_merge_edges);
    tcase_add_test(snapshot, test_v2_rule1_negative_wallet_frame);
    tcase_add_test(snapshot, test_v2_rule3_reused_book);
    tcase_add_test(snapshot, test_v2_rule3_rounding_bound);
    tcase_add_test(snapshot, test_v2_rule4_exchange_notional_marks);
    tcase_add_test(snapshot, test_rules_check_values_below_one);
    suite_add_tcase(suite, snapshot);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(projection_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
