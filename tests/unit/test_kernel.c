/* test_kernel.c -- core/kernel.c: one snapshot per grouped exchange event,
 * duplicate deliveries skipped and counted, marks moving the kernel's PnL,
 * the exit scanner firing once per position until its quantity changes, the
 * exchange position list, ledger sync and NAV. Expected values are worked out
 * by hand from the scenario format's rules and seed 001. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"

enum { START_TS = 1767600000 };

/* A kernel on the heap (it is several MiB) started with the default config.
 * It is filled with garbage first: the live adapter mallocs its kernel, so
 * kernel_init must set everything the kernel reads. */
static kernel *new_kernel(void) {
    kernel *k = malloc(sizeof *k);
    ck_assert_ptr_nonnull(k);
    memset(k, 0xa5, sizeof *k);
    kernel_config config;
    config_defaults(&config);
    kernel_init(k, &config);
    return k;
}

/* new_kernel with the v2 rule set (reconcile.rules=v2). */
static kernel *new_v2_kernel(void) {
    kernel *k = malloc(sizeof *k);
    ck_assert_ptr_nonnull(k);
    memset(k, 0xa5, sizeof *k);
    kernel_config config;
    config_defaults(&config);
    config.reconcile.rules = RULE_SET_V2;
    kernel_init(k, &config);
    return k;
}

/* A fact of type on symbol with every other field 0. */
static exchange_fact fact_of(fact_type type, const char *symbol) {
    exchange_fact fact;
    memset(&fact, 0, sizeof fact);
    fact.type = type;
    snprintf(fact.symbol, sizeof fact.symbol, "%s", symbol);
    return fact;
}

/* A fill fact: side +1 BUY / -1 SELL. */
static exchange_fact fill_fact(const char *symbol, int side, double qty, double price, double fee,
                               double realized_pnl) {
    exchange_fact fact = fact_of(FACT_FILL, symbol);
    fact.side = side;
    fact.qty = qty;
    fact.price = price;
    fact.fee = fee;
    fact.realized_pnl = realized_pnl;
    return fact;
}

/* A balance fact. */
static exchange_fact balance_fact(double wallet, double available, double used, double maint) {
    exchange_fact fact = fact_of(FACT_BALANCE, "");
    fact.wallet_balance = wallet;
    fact.available_margin = available;
    fact.used_margin = used;
    fact.maint_margin = maint;
    return fact;
}

/* A position fact with a leverage. */
static exchange_fact position_fact(const char *symbol, double qty, double entry, double mark, double unrealized,
                                   double leverage) {
    exchange_fact fact = fact_of(FACT_POSITION, symbol);
    fact.qty = qty;
    fact.entry_price = entry;
    fact.mark_price = mark;
    fact.unrealized_pnl = unrealized;
    fact.has_leverage = true;
    fact.leverage = leverage;
    return fact;
}

/* A mark fact. */
static exchange_fact mark_fact(const char *symbol, double price) {
    exchange_fact fact = fact_of(FACT_MARK, symbol);
    fact.price = price;
    return fact;
}

/* A funding fact. */
static exchange_fact funding_fact(double amount) {
    exchange_fact fact = fact_of(FACT_FUNDING, "");
    fact.amount = amount;
    return fact;
}

/* Sets the off-exchange holding asset (qty, no average cost). */
static void put_holding(kernel *k, const char *asset, double qty) {
    holding item;
    memset(&item, 0, sizeof item);
    snprintf(item.asset, sizeof item.asset, "%s", asset);
    item.qty = qty;
    ck_assert_int_eq(kernel_set_holding(k, &item), KERNEL_OK);
}

/* Writes a registry entry for symbol from outside: entry 100, tp 110, no sl. */
static void put_tp(kernel *k, const char *symbol, position_side side) {
    registry_entry entry;
    memset(&entry, 0, sizeof entry);
    snprintf(entry.symbol, sizeof entry.symbol, "%s", symbol);
    entry.side = side;
    entry.entry_price = 100;
    entry.has_tp = true;
    entry.tp = 110;
    ck_assert_int_eq(kernel_put_tp_sl(k, &entry), KERNEL_OK);
}

/* Runs one event of count facts; returns its snapshot, or NULL when the id
 * was a duplicate. */
static const account_snapshot *run_event(kernel *k, const char *id, bool synthetic, double ts,
                                         const exchange_fact *facts, size_t count) {
    if (!kernel_begin_event(k, id, synthetic, ts)) return NULL;
    for (size_t index = 0; index < count; index++) ck_assert_int_eq(kernel_apply_fact(k, &facts[index]), KERNEL_OK);
    return kernel_end_event(k);
}

/* Runs a synthetic event holding one mark. */
static const account_snapshot *run_mark(kernel *k, const char *id, double ts, const char *symbol, double price) {
    exchange_fact mark = mark_fact(symbol, price);
    return run_event(k, id, true, ts, &mark, 1);
}

/* The ACCOUNT_UPDATE-like event of the tests: a 0.25 BTC long at 40000. */
static const account_snapshot *open_btc_long(kernel *k) {
    const exchange_fact facts[] = {
        fill_fact("BTCUSDT", 1, 0.25, 40000, 4, 0),
        balance_fact(24996, 14996, 10000, 50),
        position_fact("BTCUSDT", 0.25, 40000, 40000, 0, 1),
    };
    return run_event(k, "e1", false, START_TS, facts, 3);
}

/* Asserts the reconcile explanations are exactly the given ones. */
static void assert_explanations(const reconcile_result *result, size_t count, const char *const *expected) {
    ck_assert_uint_eq(result->explanation_count, count);
    for (size_t index = 0; index < count; index++) ck_assert_str_eq(result->explanations[index], expected[index]);
}

START_TEST(test_grouped_event_gives_one_snapshot) {
    kernel *k = new_kernel();
    ck_assert_int_eq(k->projection.snapshot.event_seq, 0);
    const account_snapshot *snapshot = open_btc_long(k);
    ck_assert_ptr_nonnull(snapshot);
    ck_assert_int_eq(snapshot->event_seq, 1);
    ck_assert_int_eq(k->events_applied, 1);
    ck_assert_str_eq(snapshot->source_event_id, "e1");
    ck_assert(snapshot->ts == START_TS);
    /* K: 25000 - fee 4; no mark yet, so the notional is at the entry */
    ck_assert(snapshot->k.capital == 24996);
    ck_assert(snapshot->k.fees_paid == 4);
    ck_assert_int_eq(snapshot->k.open_positions, 1);
    ck_assert(snapshot->k.open_notional == 10000);
    ck_assert(snapshot->k.used_margin == 10000);
    ck_assert(snapshot->k.unrealized_pnl == 0);
    ck_assert(snapshot->k.available_margin == 14996);
    /* E: every fact of the event */
    ck_assert(snapshot->e.wallet_balance == 24996);
    ck_assert(snapshot->e.used_margin == 10000);
    ck_assert(snapshot->e.maint_margin == 50);
    ck_assert(snapshot->e.last_fill_price == 40000);
    ck_assert(snapshot->e.last_fill_qty == 0.25);
    ck_assert(snapshot->e.last_fill_fee == 4);
    ck_assert_uint_eq(k->projection.position_count, 1);
    ck_assert_str_eq(k->projection.positions[0].symbol, "BTCUSDT");
    ck_assert_str_eq(k->projection.positions[0].side, "LONG");
    /* K and E agree: OK, with the three deltas that apply */
    ck_assert_int_eq(snapshot->reconcile.status, RECONCILE_OK);
    ck_assert_str_eq(snapshot->reconcile.worst_field, "");
    ck_assert_uint_eq(snapshot->reconcile.delta_count, 3);
    ck_assert_str_eq(snapshot->reconcile.delta_names[0], "capital_vs_wallet");
    ck_assert_str_eq(snapshot->reconcile.delta_names[1], "open_notional");
    ck_assert_str_eq(snapshot->reconcile.delta_names[2], "used_margin");
    /* V1: the fee settled (seed source), then the wallet anchored it */
    ck_assert(k->projection.published.capital == 24996);
    ck_assert_str_eq(capital_source_name(k->projection.published.source), "e_anchored");
    ck_assert_int_eq(k->projection.published.event_seq, 1);
    /* ledger: seeded by percentages (no bars), green */
    ck_assert_uint_eq(k->ledger.count, 1);
    ck_assert(k->ledger.entries[0].has_tp && k->ledger.entries[0].has_sl);
    ck_assert_double_eq_tol(k->ledger.entries[0].tp, 40800, 1e-9);
    ck_assert_double_eq_tol(k->ledger.entries[0].sl, 39600, 1e-9);
    ck_assert_int_eq(k->consistency.status, CONSISTENCY_GREEN);
    /* NAV: the valid wallet plus the exchange's unrealized PnL */
    ck_assert(k->aum.nav_total == 24996);
    ck_assert_uint_eq(k->intent_count, 0);
    free(k);
}
END_TEST

START_TEST(test_duplicate_event_skipped_and_counted) {
    kernel *k = new_kernel();
    ck_assert_ptr_nonnull(open_btc_long(k));
    /* the same id again: skipped whole, counted, no snapshot */
    ck_assert(!kernel_begin_event(k, "e1", false, START_TS + 1));
    ck_assert_int_eq(k->duplicates_skipped, 1);
    ck_assert(!kernel_begin_event(k, "e1", false, START_TS + 2));
    ck_assert_int_eq(k->duplicates_skipped, 2);
    ck_assert_int_eq(k->projection.snapshot.event_seq, 1);
    ck_assert_int_eq(k->events_applied, 1);
    ck_assert(k->projection.snapshot.k.fees_paid == 4); /* the fill was not applied twice */
    /* a new id still works after a skip */
    const exchange_fact funding = funding_fact(1.5);
    const account_snapshot *snapshot = run_event(k, "e2", false, START_TS + 3, &funding, 1);
    ck_assert_ptr_nonnull(snapshot);
    ck_assert_int_eq(snapshot->event_seq, 2);
    /* synthetic ids are not remembered: the same one runs twice */
    ck_assert_ptr_nonnull(run_event(k, "row9", true, START_TS + 4, &funding, 1));
    ck_assert_ptr_nonnull(run_event(k, "row9", true, START_TS + 5, &funding, 1));
    ck_assert_int_eq(k->duplicates_skipped, 2);
    ck_assert_int_eq(k->projection.snapshot.event_seq, 4);
    ck_assert(k->projection.snapshot.k.funding_paid == 4.5);
    ck_assert(k->projection.snapshot.k.capital == 24996 - 4.5);
    ck_assert(k->projection.snapshot.e.last_funding == 1.5);
    /* funding bridges the anchored published capital */
    ck_assert(k->projection.published.capital == 24996 - 4.5);
    ck_assert_str_eq(capital_source_name(k->projection.published.source), "k_bridged");
    free(k);
}
END_TEST

START_TEST(test_mark_moves_unrealized) {
    kernel *k = new_kernel();
    ck_assert_ptr_nonnull(open_btc_long(k));
    const account_snapshot *snapshot = run_mark(k, "row5", START_TS + 60, "BTCUSDT", 40400);
    ck_assert_int_eq(snapshot->event_seq, 2);
    ck_assert_str_eq(snapshot->source_event_id, "row5");
    ck_assert(snapshot->k.unrealized_pnl == 100);  /* (40400 - 40000) * 0.25 */
    ck_assert(snapshot->k.open_notional == 10100); /* 0.25 * 40400 */
    ck_assert(snapshot->k.used_margin == 10100);
    ck_assert(snapshot->k.equity == 25096);
    /* E still says 10000: R4's band is 10100 * 0.003 = 30.3, so both ERROR */
    ck_assert_int_eq(snapshot->reconcile.status, RECONCILE_ERROR);
    ck_assert_str_eq(snapshot->reconcile.worst_field, "open_notional");
    const char *const expected[] = {"ERROR|open_notional|delta=100.0000", "ERROR|used_margin|delta=100.0000"};
    assert_explanations(&snapshot->reconcile, 2, expected);
    double mark = 0;
    ck_assert(kernel_mark(k, "BTCUSDT", &mark) && mark == 40400);
    ck_assert(!kernel_mark(k, "ETHUSDT", &mark));
    /* NAV follows the exchange (its unrealized is still 0), not the kernel */
    ck_assert(k->aum.nav_total == 24996);
    /* a mark back at the entry brings the PnL back to 0 */
    snapshot = run_mark(k, "row6", START_TS + 61, "BTCUSDT", 40000);
    ck_assert(snapshot->k.unrealized_pnl == 0);
    ck_assert_int_eq(snapshot->reconcile.status, RECONCILE_OK);
    free(k);
}
END_TEST

START_TEST(test_exit_fires_once_until_quantity_changes) {
    kernel *k = new_kernel();
    ck_assert_ptr_nonnull(open_btc_long(k)); /* tp 40800, sl 39600 */
    exit_reason reason;
    ck_assert(!kernel_last_exit(k, "BTCUSDT", &reason));
    run_mark(k, "m1", START_TS + 1, "BTCUSDT", 40500);
    ck_assert_uint_eq(k->intent_count, 0);
    run_mark(k, "m2", START_TS + 2, "BTCUSDT", 40900);
    ck_assert_uint_eq(k->intent_count, 1);
    ck_assert_str_eq(k->intents[0].symbol, "BTCUSDT");
    ck_assert_int_eq(k->intents[0].reason, EXIT_TP);
    ck_assert_int_eq(k->intents[0].side, SIDE_LONG);
    ck_assert(k->intents[0].qty == 0.25);
    ck_assert(k->intents[0].mark == 40900);
    ck_assert(k->intents[0].has_tp && k->intents[0].has_sl);
    ck_assert(kernel_last_exit(k, "BTCUSDT", &reason) && reason == EXIT_TP);
    ck_assert_int_eq(k->exits_total, 1);
    /* same quantity: no second intent, whichever side the mark crosses */
    run_mark(k, "m3", START_TS + 3, "BTCUSDT", 41000);
    ck_assert_uint_eq(k->intent_count, 0);
    run_mark(k, "m4", START_TS + 4, "BTCUSDT", 39000);
    ck_assert_uint_eq(k->intent_count, 0);
    ck_assert_int_eq(k->exits_total, 1);
    /* nothing executes intents in a replay: the position is still open */
    ck_assert_int_eq(k->projection.snapshot.k.open_positions, 1);
    /* the quantity changes: re-armed (the registry entry is kept, not re-seeded) */
    const exchange_fact add = fill_fact("BTCUSDT", 1, 0.25, 40000, 4, 0);
    run_event(k, "e2", false, START_TS + 5, &add, 1);
    ck_assert_uint_eq(k->intent_count, 0); /* no mark in that event: no scan */
    run_mark(k, "m5", START_TS + 6, "BTCUSDT", 39000);
    ck_assert_uint_eq(k->intent_count, 1);
    ck_assert_int_eq(k->intents[0].reason, EXIT_SL);
    ck_assert(k->intents[0].qty == 0.5);
    ck_assert(kernel_last_exit(k, "BTCUSDT", &reason) && reason == EXIT_SL);
    ck_assert_uint_eq(k->last_exit_count, 1); /* the symbol's entry replaced, not a second one */
    run_mark(k, "m6", START_TS + 7, "BTCUSDT", 38000);
    ck_assert_uint_eq(k->intent_count, 0);
    ck_assert_int_eq(k->exits_total, 2);
    ck_assert_int_eq(k->kpis.exits_tp, 1);
    ck_assert_int_eq(k->kpis.exits_sl, 1);
    free(k);
}
END_TEST

START_TEST(test_exit_in_the_event_that_opens) {
    /* a fill and a mark in one event: sync seeds first, then the scan sees it */
    kernel *k = new_kernel();
    const exchange_fact facts[] = {fill_fact("ETHUSDT", -1, 2, 2000, 0, 0), mark_fact("ETHUSDT", 2030)};
    run_event(k, "e1", false, START_TS, facts, 2);
    /* SHORT: tp 2000 * 0.98 = 1960, sl 2000 * 1.01 = 2020; mark 2030 >= sl */
    ck_assert_uint_eq(k->intent_count, 1);
    ck_assert_int_eq(k->intents[0].reason, EXIT_SL);
    ck_assert_int_eq(k->intents[0].side, SIDE_SHORT);
    ck_assert(k->intents[0].qty == 2);
    ck_assert_double_eq_tol(k->intents[0].tp, 1960, 1e-9);
    ck_assert_double_eq_tol(k->intents[0].sl, 2020, 1e-9);
    ck_assert(k->projection.snapshot.k.unrealized_pnl == -60); /* (2030 - 2000) * -2 */
    free(k);
}
END_TEST

START_TEST(test_exit_uses_atr_when_bars_suffice) {
    kernel *k = malloc(sizeof *k);
    ck_assert_ptr_nonnull(k);
    kernel_config config;
    config_defaults(&config);
    config.atr_period = 2;
    kernel_init(k, &config);
    /* true ranges: 110-90 = 20, then max(115,100) - min(95,100) = 20: ATR 20 */
    ck_assert_int_eq(kernel_apply_bar(k, "BTCUSDT", 110, 90, 100), KERNEL_OK);
    ck_assert_int_eq(kernel_apply_bar(k, "BTCUSDT", 115, 95, 105), KERNEL_OK);
    const exchange_fact fill = fill_fact("BTCUSDT", 1, 1, 100, 0, 0);
    run_event(k, "e1", false, START_TS, &fill, 1);
    const registry_entry *entry = registry_find(&k->registry, "BTCUSDT");
    ck_assert_ptr_nonnull(entry);
    ck_assert(entry->tp == 140 && entry->sl == 80); /* 100 + 2 * 20, 100 - 1 * 20 */
    run_mark(k, "m1", START_TS + 1, "BTCUSDT", 139);
    ck_assert_uint_eq(k->intent_count, 0);
    run_mark(k, "m2", START_TS + 2, "BTCUSDT", 140);
    ck_assert_uint_eq(k->intent_count, 1);
    ck_assert_int_eq(k->intents[0].reason, EXIT_TP);
    free(k);
}
END_TEST

START_TEST(test_exchange_positions_sorted_and_removed) {
    kernel *k = new_kernel();
    const exchange_fact facts[] = {
        position_fact("SOLUSDT", -10, 150, 150, 0, 2),
        position_fact("BTCUSDT", 0.1, 40000, 40000, 5, 1),
        position_fact("ETHUSDT", 1, 2000, 2000, -3, 1),
    };
    const account_snapshot *snapshot = run_event(k, "p1", false, START_TS, facts, 3);
    ck_assert_uint_eq(k->exchange_count, 3);
    ck_assert_str_eq(k->exchange_positions[0].symbol, "BTCUSDT");
    ck_assert_str_eq(k->exchange_positions[1].symbol, "ETHUSDT");
    ck_assert_str_eq(k->exchange_positions[2].symbol, "SOLUSDT");
    ck_assert_str_eq(k->exchange_positions[2].side, "SHORT");
    ck_assert(k->exchange_positions[2].leverage == 2);
    /* the kernel's book holds nothing: R3 says k=0, e=3 */
    ck_assert_int_eq(snapshot->reconcile.status, RECONCILE_ERROR);
    const char *const count[] = {"ERROR|open_positions|k=0|e=3"};
    assert_explanations(&snapshot->reconcile, 1, count);
    /* NAV before any wallet is the kernel's equity */
    ck_assert(k->aum.nav_total == 25000);
    /* qty 0 removes, a NaN qty (corrupt) removes, a new value replaces */
    const exchange_fact updates[] = {
        position_fact("ETHUSDT", 0, 0, 0, 0, 1),
        position_fact("SOLUSDT", NAN, 150, 150, 0, 2),
        position_fact("BTCUSDT", 0.2, 41000, 42000, 200, 3),
    };
    run_event(k, "p2", false, START_TS + 1, updates, 3);
    ck_assert_uint_eq(k->exchange_count, 1);
    ck_assert_str_eq(k->exchange_positions[0].symbol, "BTCUSDT");
    ck_assert(k->exchange_positions[0].qty == 0.2);
    ck_assert(k->exchange_positions[0].entry_price == 41000);
    ck_assert(k->exchange_positions[0].leverage == 3);
    ck_assert_uint_eq(k->projection.position_count, 1);
    /* removing a symbol that is not held changes nothing */
    const exchange_fact absent = position_fact("XRPUSDT", 0, 0, 0, 0, 1);
    run_event(k, "p3", false, START_TS + 2, &absent, 1);
    ck_assert_uint_eq(k->exchange_count, 1);
    /* a valid wallet: NAV = wallet + exchange unrealized (200) */
    const exchange_fact balance = balance_fact(24000, 0, 0, 0);
    run_event(k, "b1", false, START_TS + 3, &balance, 1);
    ck_assert(k->aum.nav_total == 24200);
    /* a zero-wallet frame keeps the last valid wallet */
    const exchange_fact zero = balance_fact(0, 0, 0, 0);
    run_event(k, "b2", false, START_TS + 4, &zero, 1);
    ck_assert(k->aum.nav_total == 24200);
    ck_assert(k->projection.published.capital == 24000);
    free(k);
}
END_TEST

START_TEST(test_corrupt_facts_are_safe) {
    kernel *k = new_kernel();
    ck_assert_ptr_nonnull(open_btc_long(k));
    /* a NaN fill: the book is not folded, the projection _safe's it to 0 */
    const exchange_fact corrupt = fill_fact("BTCUSDT", 1, NAN, NAN, NAN, NAN);
    const account_snapshot *snapshot = run_event(k, "c1", false, START_TS + 1, &corrupt, 1);
    ck_assert(book_find(&k->book, "BTCUSDT")->qty == 0.25);
    ck_assert(snapshot->k.fees_paid == 4);
    ck_assert(snapshot->k.capital == 24996);
    ck_assert(snapshot->e.last_fill_price == 0 && snapshot->e.last_fill_qty == 0);
    /* a NaN mark: no mark for the scanner or NAV, V2 falls back to the entry */
    snapshot = run_mark(k, "c2", START_TS + 2, "BTCUSDT", NAN);
    double mark;
    ck_assert(!kernel_mark(k, "BTCUSDT", &mark));
    ck_assert(snapshot->k.open_notional == 10000);
    ck_assert(snapshot->k.unrealized_pnl == 0);
    ck_assert_uint_eq(k->intent_count, 0);
    /* a NaN balance: zero-wallet, V1 keeps its anchor */
    const exchange_fact balance = balance_fact(NAN, NAN, NAN, NAN);
    snapshot = run_event(k, "c3", false, START_TS + 3, &balance, 1);
    ck_assert(snapshot->e.wallet_balance == 0);
    ck_assert(k->projection.published.capital == 24996);
    ck_assert(k->aum.nav_total == 24996);
    ck_assert(isfinite(k->aum.total));
    free(k);
}
END_TEST

START_TEST(test_corrupt_price_still_moves_quantity) {
    /* A fill whose price is NaN still moves the book (the venue did trade):
     * the entry is unknown, the ledger cannot admit the position, and the
     * consistency canary turns red. */
    kernel *k = new_kernel();
    const exchange_fact corrupt = fill_fact("BTCUSDT", 1, 0.5, NAN, 1, 0);
    const account_snapshot *snapshot = run_event(k, "c1", false, START_TS, &corrupt, 1);
    const book_position *position = book_find(&k->book, "BTCUSDT");
    ck_assert_ptr_nonnull(position);
    ck_assert(position->qty == 0.5);
    ck_assert(isnan(position->entry_price));
    ck_assert_uint_eq(k->ledger.count, 0);
    ck_assert_int_eq(k->consistency.status, CONSISTENCY_RED);
    ck_assert_uint_eq(k->consistency.num_positions, 1);
    ck_assert_ptr_null(registry_find(&k->registry, "BTCUSDT")); /* nothing seeded from a NaN entry */
    /* V2: one open slot valued at _safe(entry) = 0; the fee still counts */
    ck_assert_int_eq(snapshot->k.open_positions, 1);
    ck_assert(snapshot->k.open_notional == 0 && snapshot->k.used_margin == 0);
    ck_assert(snapshot->k.capital == 24999);
    ck_assert(snapshot->e.last_fill_price == 0);
    ck_assert(snapshot->e.last_fill_qty == 0.5);
    free(k);
}
END_TEST

START_TEST(test_ledger_sync_drops_orphans) {
    kernel *k = new_kernel();
    registry_entry orphan;
    memset(&orphan, 0, sizeof orphan);
    snprintf(orphan.symbol, sizeof orphan.symbol, "ETHUSDT");
    orphan.side = SIDE_LONG;
    orphan.entry_price = 2000;
    orphan.has_tp = true;
    orphan.tp = 2100;
    ck_assert_int_eq(kernel_put_tp_sl(k, &orphan), KERNEL_OK);
    ck_assert_ptr_nonnull(registry_find(&k->registry, "ETHUSDT"));
    ck_assert_uint_eq(k->ledger.count, 0); /* no position: not in the ledger */
    /* an outside entry for a held symbol is kept whole (no re-seed) */
    registry_entry manual = orphan;
    snprintf(manual.symbol, sizeof manual.symbol, "BTCUSDT");
    manual.tp = 50000;
    manual.has_sl = false;
    ck_assert_int_eq(kernel_put_tp_sl(k, &manual), KERNEL_OK);
    ck_assert_ptr_nonnull(open_btc_long(k));
    ck_assert_ptr_null(registry_find(&k->registry, "ETHUSDT")); /* the sync removed it */
    const registry_entry *kept = registry_find(&k->registry, "BTCUSDT");
    ck_assert_ptr_nonnull(kept);
    ck_assert(kept->tp == 50000 && !kept->has_sl);
    ck_assert_int_eq(k->consistency.status, CONSISTENCY_YELLOW); /* a position without an sl */
    ck_assert_uint_eq(k->sync_report.removed_count, 1);
    ck_assert_str_eq(k->sync_report.removed[0], "ETHUSDT");
    ck_assert_uint_eq(k->sync_report.seeded_count, 0);
    /* a missing sl never fires */
    run_mark(k, "m1", START_TS + 1, "BTCUSDT", 1000);
    ck_assert_uint_eq(k->intent_count, 0);
    /* an event without a sync changed nothing: its report is empty */
    ck_assert_uint_eq(k->sync_report.removed_count, 0);
    ck_assert_uint_eq(k->sync_report.seeded_count, 0);
    /* closing the position drops its entry at the next sync */
    const exchange_fact close = fill_fact("BTCUSDT", -1, 0.25, 41000, 4, 250);
    run_event(k, "e2", false, START_TS + 2, &close, 1);
    ck_assert_ptr_null(registry_find(&k->registry, "BTCUSDT"));
    ck_assert_uint_eq(k->ledger.count, 0);
    ck_assert_int_eq(k->consistency.status, CONSISTENCY_GREEN);
    ck_assert(k->projection.snapshot.k.realized_pnl == 250);
    ck_assert_int_eq(k->kpis.trades, 1);
    ck_assert_int_eq(k->kpis.wins, 1);
    free(k);
}
END_TEST

START_TEST(test_holdings_value_at_kernel_marks) {
    kernel *k = new_kernel();
    put_holding(k, "BTC", 0.5);
    ck_assert(!k->aum.assets[0].has_usd_value); /* no BTCUSDT mark yet */
    ck_assert(k->aum.total == 25000);
    run_mark(k, "m1", START_TS, "BTCUSDT", 60000);
    ck_assert(k->aum.assets[0].has_usd_value && k->aum.assets[0].usd_value == 30000);
    ck_assert(k->aum.total == 55000);
    ck_assert(k->aum.nav_total == 25000); /* nav_total stays the futures NAV */
    free(k);
}
END_TEST

START_TEST(test_fresh_kernel_is_consistent) {
    /* Before any event (a scenario of config rows only writes this state):
     * no positions, an empty ledger, green. */
    kernel *k = new_kernel();
    ck_assert_int_eq(k->consistency.status, CONSISTENCY_GREEN);
    ck_assert_uint_eq(k->consistency.num_positions, 0);
    ck_assert_uint_eq(k->consistency.num_ledger, 0);
    ck_assert_uint_eq(k->consistency.num_tp_sl, 0);
    /* and nothing counted yet: the run's outputs read these after zero events */
    ck_assert_uint_eq(k->intent_count, 0);
    ck_assert_uint_eq(k->last_exit_count, 0);
    ck_assert(k->exits_total == 0 && k->events_applied == 0 && k->duplicates_skipped == 0 && k->faults_injected == 0);
    free(k);
}
END_TEST

START_TEST(test_holding_marks_in_a_large_book) {
    /* A holding's mark found through its hint, event after event, in a book
     * of 200 symbols (a "not in the book" hint must never equal an index). */
    kernel *k = new_kernel();
    put_holding(k, "S057", 2);
    enum { SYMBOLS = 200 };
    exchange_fact *marks = malloc(SYMBOLS * sizeof *marks);
    ck_assert_ptr_nonnull(marks);
    for (int index = 0; index < SYMBOLS; index++) {
        char symbol[SYMBOL_CAPACITY];
        snprintf(symbol, sizeof symbol, "S%03dUSDT", index);
        marks[index] = mark_fact(symbol, 1 + index);
    }
    run_event(k, "all", true, START_TS, marks, SYMBOLS);
    free(marks);
    ck_assert(k->aum.assets[0].has_usd_value && k->aum.assets[0].usd_value == 116);
    run_mark(k, "m1", START_TS + 1, "S057USDT", 100);
    ck_assert(k->aum.assets[0].has_usd_value && k->aum.assets[0].usd_value == 200);
    run_mark(k, "m2", START_TS + 2, "S100USDT", 5);
    ck_assert(k->aum.assets[0].has_usd_value && k->aum.assets[0].usd_value == 200);
    ck_assert(k->aum.total == 25200);
    free(k);
}
END_TEST

START_TEST(test_symbols_full) {
    kernel *k = new_kernel();
    ck_assert(kernel_begin_event(k, "many", false, START_TS));
    char symbol[SYMBOL_CAPACITY];
    for (int index = 0; index < SYMBOLS_MAX; index++) {
        snprintf(symbol, sizeof symbol, "S%03dUSDT", index);
        exchange_fact mark = mark_fact(symbol, 1);
        ck_assert_int_eq(kernel_apply_fact(k, &mark), KERNEL_OK);
    }
    exchange_fact extra = mark_fact("ZZZUSDT", 1);
    ck_assert_int_eq(kernel_apply_fact(k, &extra), KERNEL_SYMBOLS_FULL);
    exchange_fact fill = fill_fact("YYYUSDT", 1, 1, 1, 0, 0);
    ck_assert_int_eq(kernel_apply_fact(k, &fill), KERNEL_SYMBOLS_FULL);
    kernel_end_event(k);
    free(k);
}
END_TEST

/* kernel_apply_event: one snapshot per applied event, a duplicate skipped
 * and counted, and a fact past SYMBOLS_MAX reported with the event still
 * closed (so the next event can open). */
START_TEST(test_apply_event_whole) {
    kernel *k = new_kernel();
    exchange_fact facts[2] = {fill_fact("BTCUSDT", 1, 0.1, 50000, 2, 0), balance_fact(9998, 0, 5000, 0)};
    ck_assert_int_eq(kernel_apply_event(k, "e1", false, START_TS, facts, 2), KERNEL_EVENT_APPLIED);
    ck_assert_int_eq(k->projection.snapshot.event_seq, 1);
    ck_assert_double_eq(k->projection.snapshot.k.capital, 24998);
    ck_assert_int_eq(kernel_apply_event(k, "e1", false, START_TS + 1, facts, 2), KERNEL_EVENT_DUPLICATE);
    ck_assert_int_eq(k->projection.snapshot.event_seq, 1);
    ck_assert_int_eq(k->duplicates_skipped, 1);
    exchange_fact marks[SYMBOLS_MAX + 1];
    for (int index = 0; index <= SYMBOLS_MAX; index++) {
        char symbol[SYMBOL_CAPACITY];
        snprintf(symbol, sizeof symbol, "S%03dUSDT", index);
        marks[index] = mark_fact(symbol, 1);
    }
    ck_assert_int_eq(kernel_apply_event(k, "many", false, START_TS + 2, marks, SYMBOLS_MAX + 1),
                     KERNEL_EVENT_SYMBOLS_FULL);
    ck_assert(!k->in_event);
    ck_assert_int_eq(k->projection.snapshot.event_seq, 2);
    free(k);
}
END_TEST

/* Format 1.1: a transfer moves K's capital (seed + transfers + realized -
 * fees - funding) and k.transfers, not the published V1 capital; a
 * snapshot before any transfer has no transfers field to write. */
START_TEST(test_transfer_moves_k_capital_only) {
    kernel *k = new_kernel(); /* seed 25000 */
    exchange_fact balance = balance_fact(25000, 0, 0, 0);
    const account_snapshot *snapshot = run_event(k, "b1", false, START_TS, &balance, 1);
    ck_assert(!snapshot->k.has_transfers);
    exchange_fact deposit = fact_of(FACT_TRANSFER, "");
    deposit.amount = 1000;
    snapshot = run_event(k, "d1", false, START_TS + 1, &deposit, 1);
    ck_assert(snapshot->k.has_transfers);
    ck_assert(snapshot->k.transfers == 1000);
    ck_assert(snapshot->k.capital == 26000);
    ck_assert(k->projection.published.capital == 25000); /* not bridged by a transfer */
    ck_assert_int_eq(snapshot->reconcile.status, RECONCILE_ERROR); /* E has not seen it yet */
    exchange_fact facts[2] = {fill_fact("BTCUSDT", 1, 0.1, 50000, 2, 0), balance_fact(25998, 0, 0, 0)};
    snapshot = run_event(k, "f1", false, START_TS + 2, facts, 2);
    ck_assert(snapshot->k.capital == 25998);
    ck_assert_int_eq(snapshot->reconcile.status, RECONCILE_OK);
    exchange_fact withdrawal = fact_of(FACT_TRANSFER, "");
    withdrawal.amount = NAN; /* _safe: counts as 0 */
    snapshot = run_event(k, "w1", false, START_TS + 3, &withdrawal, 1);
    ck_assert(snapshot->k.transfers == 1000);
    free(k);
}
END_TEST

/* Format 1.1: a leverage fact divides the symbol's used margin from then
 * on, for a held position and for one opened later without a leverage. */
START_TEST(test_leverage_fact_divides_used_margin) {
    kernel *k = new_kernel();
    exchange_fact fill = fill_fact("ETHUSDT", 1, 1, 3000, 0, 0);
    fill.has_leverage = true;
    fill.leverage = 5;
    const account_snapshot *snapshot = run_event(k, "u1", false, START_TS, &fill, 1);
    ck_assert(snapshot->k.used_margin == 600);
    exchange_fact leverage = fact_of(FACT_LEVERAGE, "ETHUSDT");
    leverage.has_leverage = true;
    leverage.leverage = 10;
    snapshot = run_event(k, "c1", false, START_TS + 1, &leverage, 1);
    ck_assert(snapshot->k.used_margin == 300);
    exchange_fact later = fact_of(FACT_LEVERAGE, "BTCUSDT");
    later.has_leverage = true;
    later.leverage = 20;
    snapshot = run_event(k, "c2", false, START_TS + 2, &later, 1);
    ck_assert(snapshot->k.used_margin == 300);
    ck_assert_int_eq(snapshot->k.open_positions, 1); /* a remembered leverage is no position */
    exchange_fact btc = fill_fact("BTCUSDT", 1, 0.01, 50000, 0, 0);
    snapshot = run_event(k, "u2", false, START_TS + 3, &btc, 1);
    ck_assert(snapshot->k.used_margin == 325);
    exchange_fact invalid = fact_of(FACT_LEVERAGE, "ETHUSDT");
    invalid.leverage = 0.5; /* below 1: ignored (the reader refuses it in a file) */
    snapshot = run_event(k, "c3", false, START_TS + 4, &invalid, 1);
    ck_assert(snapshot->k.used_margin == 325);
    free(k);
}
END_TEST

/* An exchange position whose prices are corrupt (NaN) is kept with each
 * _safe'd to its documented fallback: prices and PnL 0, leverage 1. */
START_TEST(test_exchange_position_corrupt_fields) {
    kernel *k = new_kernel();
    const exchange_fact corrupt = position_fact("BTCUSDT", 0.1, NAN, NAN, NAN, NAN);
    run_event(k, "p1", false, START_TS, &corrupt, 1);
    ck_assert_uint_eq(k->exchange_count, 1);
    const exchange_position *position = &k->exchange_positions[0];
    ck_assert(position->qty == 0.1);
    ck_assert(position->entry_price == 0 && !signbit(position->entry_price));
    ck_assert(position->mark_price == 0 && position->unrealized_pnl == 0);
    ck_assert(position->leverage == 1);
    free(k);
}
END_TEST

/* SYMBOLS_MAX exchange positions, each new one sorting last (the insert
 * moves nothing): every one kept in order, and nothing beside the list
 * written over (the registry and ledger that follow it stay empty). */
START_TEST(test_exchange_positions_fill_the_list) {
    kernel *k = new_kernel();
    for (int index = 0; index < SYMBOLS_MAX; index++) {
        char symbol[SYMBOL_CAPACITY];
        snprintf(symbol, sizeof symbol, "S%03dUSDT", index);
        const exchange_fact fact = position_fact(symbol, 1 + index, 10, 10, 0, 1);
        ck_assert_ptr_nonnull(run_event(k, symbol, false, START_TS + index, &fact, 1));
    }
    ck_assert_uint_eq(k->exchange_count, SYMBOLS_MAX);
    for (int index = 0; index < SYMBOLS_MAX; index++) {
        char symbol[SYMBOL_CAPACITY];
        snprintf(symbol, sizeof symbol, "S%03dUSDT", index);
        ck_assert_str_eq(k->exchange_positions[index].symbol, symbol);
        ck_assert(k->exchange_positions[index].qty == 1 + index);
    }
    ck_assert_uint_eq(k->registry.count, 0);
    ck_assert_uint_eq(k->ledger.count, 0);
    ck_assert_int_eq(k->consistency.status, CONSISTENCY_GREEN);
    const exchange_fact extra = position_fact("ZZZUSDT", 1, 10, 10, 0, 1);
    ck_assert(kernel_begin_event(k, "extra", false, START_TS + SYMBOLS_MAX));
    ck_assert_int_eq(kernel_apply_fact(k, &extra), KERNEL_SYMBOLS_FULL);
    free(k);
}
END_TEST

/* A fill of quantity 0 (a corrupt frame) does not move the book: no entry,
 * no timestamps; the projection still records it as the last fill. */
START_TEST(test_zero_quantity_fill_leaves_book) {
    kernel *k = new_kernel();
    ck_assert_ptr_nonnull(open_btc_long(k));
    const exchange_fact zero = fill_fact("BTCUSDT", 1, 0, 50000, 0, 0);
    const account_snapshot *snapshot = run_event(k, "z1", false, START_TS + 5, &zero, 1);
    const book_position *position = book_find(&k->book, "BTCUSDT");
    ck_assert(position->qty == 0.25 && position->entry_price == 40000);
    ck_assert(position->updated_ts == START_TS);
    ck_assert(snapshot->e.last_fill_price == 50000 && snapshot->e.last_fill_qty == 0);
    const exchange_fact flat = fill_fact("ETHUSDT", -1, 0, 3000, 0, 0);
    run_event(k, "z2", false, START_TS + 6, &flat, 1);
    const book_position *eth = book_find(&k->book, "ETHUSDT");
    ck_assert(eth == NULL || (eth->qty == 0 && eth->entry_price == 0 && eth->created_ts == 0));
    free(k);
}
END_TEST

/* An event of more marks than EVENT_ROWS_MAX (the live adapter can group
 * that many): every mark lands, the list of marked symbols stops at its
 * limit, and the last hint slot is reused, never one past it (make asan's
 * bounds check sees an index of EVENT_ROWS_MAX). */
START_TEST(test_more_marks_than_event_rows) {
    kernel *k = new_kernel();
    enum { MARKS = EVENT_ROWS_MAX + 8 };
    exchange_fact *marks = malloc(MARKS * sizeof *marks);
    ck_assert_ptr_nonnull(marks);
    for (int index = 0; index < MARKS; index++) {
        char symbol[SYMBOL_CAPACITY];
        snprintf(symbol, sizeof symbol, "S%03dUSDT", index % 100);
        marks[index] = mark_fact(symbol, 1 + index);
    }
    ck_assert_int_eq(kernel_apply_event(k, "many", true, START_TS, marks, MARKS), KERNEL_EVENT_APPLIED);
    free(marks);
    ck_assert_uint_eq(k->marked_count, EVENT_ROWS_MAX);
    double mark;
    ck_assert(kernel_mark(k, "S019USDT", &mark) && mark == 1 + MARKS - 1);
    ck_assert(kernel_mark(k, "S020USDT", &mark) && mark == 1 + 420);
    free(k);
}
END_TEST

/* 200 positions stopped out in one event, in symbol order: each exit is
 * remembered after the ones before it (the insert moves nothing), all 200
 * kept and nothing after the list written over. */
START_TEST(test_many_exits_remembered) {
    kernel *k = new_kernel();
    enum { SYMBOLS = 200 };
    exchange_fact *facts = malloc(SYMBOLS * sizeof *facts);
    ck_assert_ptr_nonnull(facts);
    for (int index = 0; index < SYMBOLS; index++) {
        char symbol[SYMBOL_CAPACITY];
        snprintf(symbol, sizeof symbol, "S%03dUSDT", index);
        facts[index] = fill_fact(symbol, 1, 1, 100, 0, 0);
    }
    run_event(k, "open", false, START_TS, facts, SYMBOLS);
    for (int index = 0; index < SYMBOLS; index++) facts[index] = mark_fact(facts[index].symbol, 50);
    run_event(k, "crash", true, START_TS + 1, facts, SYMBOLS);
    ck_assert_uint_eq(k->intent_count, SYMBOLS);
    ck_assert_uint_eq(k->last_exit_count, SYMBOLS);
    ck_assert_int_eq(k->exits_total, SYMBOLS);
    for (int index = 0; index < SYMBOLS; index++) {
        exit_reason reason = EXIT_TP;
        ck_assert_str_eq(k->last_exits[index].symbol, facts[index].symbol);
        ck_assert(kernel_last_exit(k, facts[index].symbol, &reason) && reason == EXIT_SL);
    }
    free(facts);
    free(k);
}
END_TEST

/* A kernel started again in the same memory remembers no exit of its
 * previous run. */
START_TEST(test_reinit_forgets_exits) {
    kernel *k = new_kernel();
    ck_assert_ptr_nonnull(open_btc_long(k));
    run_mark(k, "m1", START_TS + 1, "BTCUSDT", 30000);
    exit_reason reason;
    ck_assert(kernel_last_exit(k, "BTCUSDT", &reason) && reason == EXIT_SL);
    kernel_config config;
    config_defaults(&config);
    kernel_init(k, &config);
    ck_assert(!kernel_last_exit(k, "BTCUSDT", &reason));
    free(k);
}
END_TEST

/* Under v2, R6 is evaluated only by a sync (after a fill or a registry
 * write): a mark-only event leaves it not evaluated. */
START_TEST(test_v2_registry_rule_only_after_a_sync) {
    kernel *k = new_v2_kernel();
    const exchange_fact fill = fill_fact("BTCUSDT", 1, 0.25, 40000, 0, 0);
    const account_snapshot *snapshot = run_event(k, "e1", false, START_TS, &fill, 1);
    ck_assert_int_eq(snapshot->reconcile.outcomes[RULE_REGISTRY], RULE_OUTCOME_OK);
    snapshot = run_mark(k, "m1", START_TS + 1, "BTCUSDT", 40100);
    ck_assert_int_eq(snapshot->reconcile.outcomes[RULE_REGISTRY], RULE_NOT_EVALUATED);
    free(k);
}
END_TEST

/* A holding added before another in the sorted list moves the others'
 * places: an asset valued at its mark must not inherit the "no mark" the
 * place remembered for the asset that held it before. */
START_TEST(test_holding_added_before_an_unmarked_one) {
    kernel *k = new_kernel();
    run_mark(k, "m1", START_TS, "BTCUSDT", 60000); /* the book: BTCUSDT only */
    put_holding(k, "ZZZ", 1); /* no ZZZUSDT mark */
    ck_assert(!k->aum.assets[0].has_usd_value);
    put_holding(k, "BTC", 0.5); /* sorts first: takes ZZZ's place */
    ck_assert_str_eq(k->aum.assets[0].asset, "BTC");
    ck_assert(k->aum.assets[0].has_usd_value && k->aum.assets[0].usd_value == 30000);
    ck_assert(!k->aum.assets[1].has_usd_value);
    ck_assert(k->aum.total == 55000);
    free(k);
}
END_TEST

/* Under v2, R6 counts the orphan entries the sync removes and names the
 * first: two entries written for symbols never held, one for a symbol held
 * on the other side (its levels are wrong for it), none for one held on
 * the side written. */
START_TEST(test_v2_registry_counts_orphans) {
    kernel *k = new_v2_kernel();
    const char *const symbols[] = {"AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"};
    const position_side sides[] = {SIDE_LONG, SIDE_LONG, SIDE_SHORT, SIDE_LONG};
    for (size_t index = 0; index < 4; index++) put_tp(k, symbols[index], sides[index]);
    /* CCC long (written short: adopted on the wrong side), DDD long (as written) */
    const exchange_fact fills[] = {fill_fact("CCCUSDT", 1, 1, 100, 0, 0), fill_fact("DDDUSDT", 1, 1, 100, 0, 0)};
    const account_snapshot *snapshot = run_event(k, "e1", false, START_TS, fills, 2);
    ck_assert_int_eq(snapshot->reconcile.outcomes[RULE_REGISTRY], RULE_OUTCOME_WARN);
    double delta = -1;
    for (size_t index = 0; index < snapshot->reconcile.delta_count; index++)
        if (strcmp(snapshot->reconcile.delta_names[index], "registry") == 0) delta = snapshot->reconcile.delta_values[index];
    ck_assert(delta == 3);
    int found = 0;
    for (size_t index = 0; index < snapshot->reconcile.explanation_count; index++)
        found += strcmp(snapshot->reconcile.explanations[index], "ORPHAN_TP_SL|registry|AAAUSDT") == 0;
    ck_assert_int_eq(found, 1);
    free(k);
}
END_TEST

/* An exit for a symbol that sorts before the ones remembered goes in
 * front of them, and they keep their reasons. */
START_TEST(test_exit_remembered_before_others) {
    kernel *k = new_kernel();
    const exchange_fact opens[] = {fill_fact("XXXUSDT", 1, 1, 100, 0, 0), fill_fact("YYYUSDT", 1, 1, 100, 0, 0),
                                   fill_fact("AAAUSDT", 1, 1, 100, 0, 0)};
    run_event(k, "open", false, START_TS, opens, 3);
    run_mark(k, "m1", START_TS + 1, "XXXUSDT", 200); /* TP */
    run_mark(k, "m2", START_TS + 2, "YYYUSDT", 50);  /* SL */
    run_mark(k, "m3", START_TS + 3, "AAAUSDT", 200); /* TP, sorts first */
    ck_assert_uint_eq(k->last_exit_count, 3);
    exit_reason reason;
    ck_assert(kernel_last_exit(k, "AAAUSDT", &reason) && reason == EXIT_TP);
    ck_assert(kernel_last_exit(k, "XXXUSDT", &reason) && reason == EXIT_TP);
    ck_assert(kernel_last_exit(k, "YYYUSDT", &reason) && reason == EXIT_SL);
    ck_assert_str_eq(k->last_exits[0].symbol, "AAAUSDT");
    ck_assert_str_eq(k->last_exits[2].symbol, "YYYUSDT");
    free(k);
}
END_TEST

/* HOLDINGS_MAX holdings, the last two sharing the last hint slot's
 * neighbourhood: the one before last has no mark, the last has one and is
 * valued at it. */
START_TEST(test_full_holdings_last_one_valued) {
    kernel *k = new_kernel();
    exchange_fact *marks = malloc(HOLDINGS_MAX * sizeof *marks);
    ck_assert_ptr_nonnull(marks);
    size_t mark_count = 0;
    for (int index = 0; index < HOLDINGS_MAX; index++) {
        char asset[SYMBOL_CAPACITY];
        snprintf(asset, sizeof asset, "H%02d", index);
        put_holding(k, asset, 1);
        char symbol[SYMBOL_CAPACITY];
        snprintf(symbol, sizeof symbol, "H%02dUSDT", index);
        if (index != HOLDINGS_MAX - 2) marks[mark_count++] = mark_fact(symbol, 10);
    }
    run_event(k, "marks", true, START_TS, marks, mark_count);
    run_mark(k, "again", START_TS + 1, "H00USDT", 10);
    free(marks);
    ck_assert(!k->aum.assets[HOLDINGS_MAX - 2].has_usd_value);
    ck_assert(k->aum.assets[HOLDINGS_MAX - 1].has_usd_value && k->aum.assets[HOLDINGS_MAX - 1].usd_value == 10);
    free(k);
}
END_TEST

/* An orphan entry written again for a symbol whose position closed (the
 * ledger's old slot for it is past its count now) is still an orphan to
 * v2 R6: the merge reads the ledger only up to its count. */
START_TEST(test_v2_orphan_after_a_close) {
    kernel *k = new_v2_kernel();
    const exchange_fact opens[] = {fill_fact("AAAUSDT", 1, 1, 100, 0, 0), fill_fact("ZZZUSDT", 1, 1, 100, 0, 0)};
    run_event(k, "open", false, START_TS, opens, 2);
    ck_assert_uint_eq(k->ledger.count, 2);
    const exchange_fact close = fill_fact("ZZZUSDT", -1, 1, 100, 0, 0);
    run_event(k, "close", false, START_TS + 1, &close, 1);
    ck_assert_uint_eq(k->ledger.count, 1);
    put_tp(k, "ZZZUSDT", SIDE_LONG);
    const exchange_fact add = fill_fact("AAAUSDT", 1, 1, 100, 0, 0);
    const account_snapshot *snapshot = run_event(k, "add", false, START_TS + 2, &add, 1);
    ck_assert_int_eq(snapshot->reconcile.outcomes[RULE_REGISTRY], RULE_OUTCOME_WARN);
    ck_assert_str_eq(snapshot->reconcile.explanations[snapshot->reconcile.explanation_count - 1],
                     "ORPHAN_TP_SL|registry|ZZZUSDT");
    free(k);
}
END_TEST

/* Every test of core/kernel.c. */
static Suite *kernel_suite(void) {
    Suite *suite = suite_create("kernel");
    TCase *events = tcase_create("events");
    tcase_add_test(events, test_grouped_event_gives_one_snapshot);
    tcase_add_test(events, test_duplicate_event_skipped_and_counted);
    tcase_add_test(events, test_mark_moves_unrealized);
    tcase_add_test(events, test_exchange_positions_sorted_and_removed);
    tcase_add_test(events, test_corrupt_facts_are_safe);
    tcase_add_test(events, test_corrupt_price_still_moves_quantity);
    tcase_add_test(events, test_symbols_full);
    tcase_add_test(events, test_apply_event_whole);
    tcase_add_test(events, test_transfer_moves_k_capital_only);
    tcase_add_test(events, test_leverage_fact_divides_used_margin);
    tcase_add_test(events, test_exchange_position_corrupt_fields);
    tcase_add_test(events, test_exchange_positions_fill_the_list);
    tcase_add_test(events, test_zero_quantity_fill_leaves_book);
    tcase_add_test(events, test_more_marks_than_event_rows);
    suite_add_tcase(suite, events);
    TCase *exits = tcase_create("exits");
    tcase_add_test(exits, test_exit_fires_once_until_quantity_changes);
    tcase_add_test(exits, test_exit_in_the_event_that_opens);
    tcase_add_test(exits, test_exit_uses_atr_when_bars_suffice);
    tcase_add_test(exits, test_ledger_sync_drops_orphans);
    tcase_add_test(exits, test_holdings_value_at_kernel_marks);
    tcase_add_test(exits, test_holding_marks_in_a_large_book);
    tcase_add_test(exits, test_holding_added_before_an_unmarked_one);
    tcase_add_test(exits, test_fresh_kernel_is_consistent);
    tcase_add_test(exits, test_many_exits_remembered);
    tcase_add_test(exits, test_reinit_forgets_exits);
    tcase_add_test(exits, test_v2_registry_rule_only_after_a_sync);
    tcase_add_test(exits, test_v2_registry_counts_orphans);
    tcase_add_test(exits, test_exit_remembered_before_others);
    tcase_add_test(exits, test_full_holdings_last_one_valued);
    tcase_add_test(exits, test_v2_orphan_after_a_close);
    suite_add_tcase(suite, exits);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(kernel_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
