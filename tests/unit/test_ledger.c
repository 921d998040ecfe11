/* test_ledger.c -- core/ledger.c and io/state_json.c: seed 002 section 7.1
 * (basic merge, sync seeding, stale removal, edge formats), the consistency
 * status of section 6.2, and the executor file shapes and errors. Expected
 * TP/SL values are computed by hand in the comments from the rules of
 * spec/scenario-format.md ("TP/SL seeding"). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/ledger.h"
#include "io/buffer.h"
#include "io/json_writer.h"
#include "io/state_json.h"

enum { TEXT_LIMIT = 1 << 20 };

/* A position_view with no timestamps (NaN, as the loader gives them). */
static position_view make_position(const char *symbol, position_side side, double qty, double entry_price) {
    position_view position;
    memset(&position, 0, sizeof position);
    snprintf(position.symbol, sizeof position.symbol, "%s", symbol);
    position.side = side;
    position.qty = qty;
    position.entry_price = entry_price;
    position.created_ts = NAN;
    position.updated_ts = NAN;
    return position;
}

/* A registry entry; has_tp/has_sl false when tp/sl is NaN. */
static registry_entry make_entry(const char *symbol, position_side side, double entry_price, double tp, double sl) {
    registry_entry entry;
    memset(&entry, 0, sizeof entry);
    snprintf(entry.symbol, sizeof entry.symbol, "%s", symbol);
    entry.side = side;
    entry.entry_price = entry_price;
    entry.has_tp = !isnan(tp);
    entry.tp = entry.has_tp ? tp : 0;
    entry.has_sl = !isnan(sl);
    entry.sl = entry.has_sl ? sl : 0;
    entry.created_ts = 1000;
    entry.updated_ts = 1000;
    return entry;
}

/* The ledger entry of symbol; fails the test when absent. */
static const ledger_entry *ledger_get(const position_ledger *ledger, const char *symbol) {
    for (size_t index = 0; index < ledger->count; index++)
        if (strcmp(ledger->entries[index].symbol, symbol) == 0) return &ledger->entries[index];
    ck_abort_msg("no ledger entry for %s", symbol);
    return NULL;
}

/* Parses positions text; fails the test with the message on error. */
static size_t parse_positions_ok(const char *text, position_view *positions) {
    char error[STATE_JSON_ERROR_CAPACITY] = "";
    size_t count = 0;
    bool ok = state_json_parse_positions("positions_state.json", text, strlen(text), positions, &count, error,
                                         sizeof error);
    ck_assert_msg(ok, "unexpected error: %s", error);
    return count;
}

/* Parses positions text that must fail; returns the message (static). */
static const char *parse_positions_error(const char *text) {
    static char error[STATE_JSON_ERROR_CAPACITY];
    static position_view positions[SYMBOLS_MAX];
    size_t count = 0;
    error[0] = '\0';
    bool ok = state_json_parse_positions("positions_state.json", text, strlen(text), positions, &count, error,
                                         sizeof error);
    ck_assert_msg(!ok, "accepted: %s", text);
    ck_assert_msg(strncmp(error, "positions_state.json: ", 22) == 0, "message does not name the file: %s", error);
    return error;
}

/* Parses registry text that must fail; returns the message (static). */
static const char *parse_registry_error(const char *text) {
    static char error[STATE_JSON_ERROR_CAPACITY];
    static tp_sl_registry registry;
    error[0] = '\0';
    bool ok = state_json_parse_registry("position_tp_sl.json", text, strlen(text), &registry, error, sizeof error);
    ck_assert_msg(!ok, "accepted: %s", text);
    ck_assert_msg(strncmp(error, "position_tp_sl.json: ", 21) == 0, "message does not name the file: %s", error);
    return error;
}

/* Asserts that haystack contains needle. */
static void assert_contains(const char *haystack, const char *needle) {
    ck_assert_msg(strstr(haystack, needle) != NULL, "\"%s\" does not contain \"%s\"", haystack, needle);
}

/* A fresh temporary directory (the caller removes what it creates). */
static void make_temporary_directory(char path[64]) {
    snprintf(path, 64, "/tmp/test_ledger.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(path));
}

/* ---- 7.1.1 basic merge ------------------------------------------------- */

START_TEST(test_basic_merge) {
    position_view positions[2] = {make_position("ETHUSDT", SIDE_SHORT, 2, 3000),
                                  make_position("BTCUSDT", SIDE_LONG, 0.5, 50000)};
    tp_sl_registry registry;
    registry_init(&registry);
    registry_entry btc = make_entry("BTCUSDT", SIDE_LONG, 50000, 51000, 49500);
    ck_assert(registry_upsert(&registry, &btc));
    position_ledger ledger;
    ledger_build(&ledger, positions, 2, &registry);
    ck_assert_uint_eq(ledger.count, 2);
    /* Sorted by symbol whatever the positions' order. */
    ck_assert_str_eq(ledger.entries[0].symbol, "BTCUSDT");
    ck_assert_str_eq(ledger.entries[1].symbol, "ETHUSDT");
    const ledger_entry *with = ledger_get(&ledger, "BTCUSDT");
    ck_assert(with->has_tp && with->has_sl);
    ck_assert_double_eq(with->tp, 51000);
    ck_assert_double_eq(with->sl, 49500);
    ck_assert_double_eq(with->qty, 0.5);
    ck_assert_double_eq(with->entry_price, 50000);
    ck_assert_int_eq(with->side, SIDE_LONG);
    const ledger_entry *without = ledger_get(&ledger, "ETHUSDT");
    ck_assert(!without->has_tp && !without->has_sl);
    ck_assert_int_eq(without->side, SIDE_SHORT);
    ck_assert_double_eq(without->qty, 2);
}
END_TEST

START_TEST(test_build_admits_only_open_positions_with_valid_entry) {
    position_view positions[4] = {make_position("BTCUSDT", SIDE_LONG, 0.5, 50000),
                                  make_position("ETHUSDT", SIDE_SHORT, 0, 3000),
                                  make_position("SOLUSDT", SIDE_LONG, 1, 0),
                                  make_position("XRPUSDT", SIDE_LONG, 10, NAN)};
    tp_sl_registry registry;
    registry_init(&registry);
    position_ledger ledger;
    ledger_build(&ledger, positions, 4, &registry);
    ck_assert_uint_eq(ledger.count, 1);
    ck_assert_str_eq(ledger.entries[0].symbol, "BTCUSDT");
}
END_TEST

START_TEST(test_registry_sorted_upsert_delete) {
    tp_sl_registry registry;
    registry_init(&registry);
    const char *symbols[] = {"SOLUSDT", "BTCUSDT", "XRPUSDT", "ETHUSDT"};
    for (size_t index = 0; index < 4; index++) {
        registry_entry entry = make_entry(symbols[index], SIDE_LONG, 1, 2, 0.5);
        ck_assert(registry_upsert(&registry, &entry));
    }
    ck_assert_uint_eq(registry.count, 4);
    ck_assert_str_eq(registry.entries[0].symbol, "BTCUSDT");
    ck_assert_str_eq(registry.entries[3].symbol, "XRPUSDT");
    registry_entry replacement = make_entry("ETHUSDT", SIDE_SHORT, 3000, NAN, 3030);
    ck_assert(registry_upsert(&registry, &replacement));
    ck_assert_uint_eq(registry.count, 4);
    const registry_entry *found = registry_find(&registry, "ETHUSDT");
    ck_assert_ptr_nonnull(found);
    ck_assert(!found->has_tp);
    ck_assert_int_eq(found->side, SIDE_SHORT);
    ck_assert(registry_delete(&registry, "BTCUSDT"));
    ck_assert(!registry_delete(&registry, "BTCUSDT"));
    ck_assert_ptr_null(registry_find(&registry, "BTCUSDT"));
    ck_assert_uint_eq(registry.count, 3);
    ck_assert_str_eq(registry.entries[0].symbol, "ETHUSDT");
}
END_TEST

START_TEST(test_registry_full_refuses_new_symbol) {
    tp_sl_registry *registry = malloc(sizeof *registry);
    ck_assert_ptr_nonnull(registry);
    registry_init(registry);
    for (int index = 0; index < SYMBOLS_MAX; index++) {
        char symbol[SYMBOL_CAPACITY];
        snprintf(symbol, sizeof symbol, "S%04dUSDT", index);
        registry_entry entry = make_entry(symbol, SIDE_LONG, 1, 2, 0.5);
        ck_assert(registry_upsert(registry, &entry));
    }
    registry_entry extra = make_entry("ZZZUSDT", SIDE_LONG, 1, 2, 0.5);
    ck_assert(!registry_upsert(registry, &extra));
    registry_entry existing = make_entry("S0003USDT", SIDE_SHORT, 1, 0.5, 2);
    ck_assert(registry_upsert(registry, &existing));
    ck_assert_uint_eq(registry->count, SYMBOLS_MAX);
    /* deletes from the full registry, first, near the end and last: each
     * closes its gap, and nothing else moves */
    const int deleted[] = {0, 200, SYMBOLS_MAX - 1};
    for (size_t pass = 0; pass < 3; pass++) {
        char symbol[SYMBOL_CAPACITY];
        snprintf(symbol, sizeof symbol, "S%04dUSDT", deleted[pass]);
        ck_assert(registry_delete(registry, symbol));
        ck_assert_uint_eq(registry->count, SYMBOLS_MAX - 1 - pass);
    }
    size_t slot = 0;
    for (int index = 0; index < SYMBOLS_MAX; index++) {
        if (index == 0 || index == 200 || index == SYMBOLS_MAX - 1) continue;
        char symbol[SYMBOL_CAPACITY];
        snprintf(symbol, sizeof symbol, "S%04dUSDT", index);
        ck_assert_str_eq(registry->entries[slot].symbol, symbol);
        ck_assert_int_eq(registry->entries[slot].side, index == 3 ? SIDE_SHORT : SIDE_LONG);
        slot++;
    }
    ck_assert_uint_eq(slot, registry->count);
    free(registry);
}
END_TEST

/* ledger_build sorts what it is given out of order, however close the
 * symbols: "BBB" after "BBC" differ by 1 in one byte (strcmp may return
 * exactly 1). */
START_TEST(test_build_sorts_positions_out_of_order) {
    const position_view positions[] = {
        make_position("BBC", SIDE_LONG, 1, 10), make_position("BBB", SIDE_SHORT, -2, 20),
        make_position("ABB", SIDE_LONG, 3, 30),
    };
    tp_sl_registry registry;
    registry_init(&registry);
    position_ledger *ledger = malloc(sizeof *ledger);
    ck_assert_ptr_nonnull(ledger);
    ledger_build(ledger, positions, 2, &registry);
    ck_assert_uint_eq(ledger->count, 2);
    ck_assert_str_eq(ledger->entries[0].symbol, "BBB");
    ck_assert_str_eq(ledger->entries[1].symbol, "BBC");
    ledger_build(ledger, positions, 3, &registry);
    ck_assert_str_eq(ledger->entries[0].symbol, "ABB");
    ck_assert_str_eq(ledger->entries[1].symbol, "BBB");
    ck_assert_str_eq(ledger->entries[2].symbol, "BBC");
    free(ledger);
}
END_TEST

/* A tracker started over garbage (a malloc'd kernel) holds no window: it
 * takes SYMBOLS_MAX symbols, and no more. */
START_TEST(test_atr_fresh_tracker_takes_every_symbol) {
    atr_tracker *atr = malloc(sizeof *atr);
    ck_assert_ptr_nonnull(atr);
    memset(atr, 0xa5, sizeof *atr);
    atr_init(atr, 1);
    for (int index = 0; index < SYMBOLS_MAX; index++) {
        char symbol[SYMBOL_CAPACITY];
        snprintf(symbol, sizeof symbol, "S%04dUSDT", index);
        ck_assert(atr_add_bar(atr, symbol, 12, 10, 11));
    }
    ck_assert(!atr_add_bar(atr, "ZZZUSDT", 12, 10, 11));
    double range = 0;
    ck_assert(atr_value(atr, "S0000USDT", &range) && range == 2);
    free(atr);
}
END_TEST

/* Windows inserted between others (the even symbols first, then the odd
 * ones, each between two held windows) keep every window's bars: symbol i
 * has true ranges 10 + i, then max(16, 15) - min(14, 15) = 2, so an ATR
 * over 2 bars of (12 + i) / 2, exact in binary. */
START_TEST(test_atr_windows_inserted_between_others) {
    atr_tracker *atr = malloc(sizeof *atr);
    ck_assert_ptr_nonnull(atr);
    atr_init(atr, 2);
    for (int pass = 0; pass < 2; pass++)
        for (int index = pass; index < SYMBOLS_MAX; index += 2) {
            char symbol[SYMBOL_CAPACITY];
            snprintf(symbol, sizeof symbol, "S%04dUSDT", index);
            ck_assert(atr_add_bar(atr, symbol, 20 + index, 10, 15));
            ck_assert(atr_add_bar(atr, symbol, 16, 14, 15));
        }
    ck_assert_uint_eq(atr->count, SYMBOLS_MAX);
    for (int index = 0; index < SYMBOLS_MAX; index++) {
        char symbol[SYMBOL_CAPACITY];
        snprintf(symbol, sizeof symbol, "S%04dUSDT", index);
        double range = 0;
        ck_assert_msg(atr_value(atr, symbol, &range) && range == (12.0 + index) / 2, "%s: %g", symbol, range);
    }
    free(atr);
}
END_TEST

/* ---- 7.1.2 sync seeding ------------------------------------------------ */

/* Bars of BTCUSDT (high, low, close), ATR period 3:
 *   bar 1: 110 90 100  true range = high - low            = 20 (first bar)
 *   bar 2: 108 96 104  max(108, 100) - min(96, 100)       = 12
 *   bar 3: 120 104 110 max(120, 104) - min(104, 104)      = 16
 *   bar 4: 112 104 108 max(112, 110) - min(104, 110)      = 8
 * ATR of the last 3 bars = (12 + 16 + 8) / 3 = 12 (bar 1 has left the window).
 * Bars of ETHUSDT:
 *   205 195 200 -> 10;  210 190 195 -> 20;  200 170 180 -> max(200,195)-min(170,195) = 30
 * ATR = (10 + 20 + 30) / 3 = 20. */
static void add_bars(atr_tracker *atr) {
    ck_assert(atr_add_bar(atr, "BTCUSDT", 110, 90, 100));
    ck_assert(atr_add_bar(atr, "BTCUSDT", 108, 96, 104));
    ck_assert(atr_add_bar(atr, "BTCUSDT", 120, 104, 110));
    ck_assert(atr_add_bar(atr, "BTCUSDT", 112, 104, 108));
    ck_assert(atr_add_bar(atr, "ETHUSDT", 205, 195, 200));
    ck_assert(atr_add_bar(atr, "ETHUSDT", 210, 190, 195));
    ck_assert(atr_add_bar(atr, "ETHUSDT", 200, 170, 180));
}

START_TEST(test_atr_mean_true_range_of_last_period_bars) {
    atr_tracker *atr = malloc(sizeof *atr);
    ck_assert_ptr_nonnull(atr);
    atr_init(atr, 3);
    add_bars(atr);
    double value = 0;
    ck_assert(atr_value(atr, "BTCUSDT", &value));
    ck_assert_double_eq(value, 12);
    ck_assert(atr_value(atr, "ETHUSDT", &value));
    ck_assert_double_eq(value, 20);
    ck_assert(!atr_value(atr, "SOLUSDT", &value));
    free(atr);
}
END_TEST

START_TEST(test_atr_first_bar_is_high_minus_low_and_gaps_use_previous_close) {
    atr_tracker *atr = malloc(sizeof *atr);
    ck_assert_ptr_nonnull(atr);
    atr_init(atr, 1);
    /* First bar: the close (200) is outside the range but only high - low counts. */
    ck_assert(atr_add_bar(atr, "BTCUSDT", 110, 90, 200));
    double value = 0;
    ck_assert(atr_value(atr, "BTCUSDT", &value));
    ck_assert_double_eq(value, 20);
    /* Gap up: max(130, 200) - min(125, 200) = 200 - 125 = 75. */
    ck_assert(atr_add_bar(atr, "BTCUSDT", 130, 125, 128));
    ck_assert(atr_value(atr, "BTCUSDT", &value));
    ck_assert_double_eq(value, 75);
    free(atr);
}
END_TEST

START_TEST(test_atr_needs_exactly_period_bars) {
    /* period 4: three bars (period - 1) give no ATR, the fourth gives the
     * mean of all four true ranges: 20, max(108,100)-min(96,100) = 12,
     * max(120,104)-min(104,104) = 16, max(112,110)-min(104,110) = 8 -> 14. */
    atr_tracker *atr = malloc(sizeof *atr);
    ck_assert_ptr_nonnull(atr);
    atr_init(atr, 4);
    double value = -1;
    ck_assert(atr_add_bar(atr, "BTCUSDT", 110, 90, 100));
    ck_assert(atr_add_bar(atr, "BTCUSDT", 108, 96, 104));
    ck_assert(atr_add_bar(atr, "BTCUSDT", 120, 104, 110));
    ck_assert(!atr_value(atr, "BTCUSDT", &value));
    ck_assert_double_eq(value, -1); /* untouched */
    ck_assert(atr_add_bar(atr, "BTCUSDT", 112, 104, 108));
    ck_assert(atr_value(atr, "BTCUSDT", &value));
    ck_assert_double_eq(value, 14);
    /* period 1: no bar, no ATR; one bar, its range */
    atr_init(atr, 1);
    ck_assert(!atr_value(atr, "ETHUSDT", &value));
    ck_assert(atr_add_bar(atr, "ETHUSDT", 205, 195, 200));
    ck_assert(atr_value(atr, "ETHUSDT", &value));
    ck_assert_double_eq(value, 10);
    free(atr);
}
END_TEST

START_TEST(test_sync_with_period_minus_one_bars_uses_percentages) {
    /* atr.period 3 and two bars of BTCUSDT: the percentages seed the levels;
     * the third bar makes the next seeding use the ATR (10 + 12 + 16) / 3. */
    kernel_config config;
    config_defaults(&config); /* tp.pct 0.02, sl.pct 0.01, tp.atr_mult 2, sl.atr_mult 1 */
    atr_tracker *atr = malloc(sizeof *atr);
    ck_assert_ptr_nonnull(atr);
    atr_init(atr, 3);
    ck_assert(atr_add_bar(atr, "BTCUSDT", 105, 95, 100));  /* 10 */
    ck_assert(atr_add_bar(atr, "BTCUSDT", 108, 96, 104));  /* max(108,100) - min(96,100) = 12 */
    position_view position = {.symbol = "BTCUSDT", .side = SIDE_LONG, .qty = 1, .entry_price = 1000};
    double tp = 0, sl = 0;
    ledger_seed_levels(&position, atr, &config, &tp, &sl);
    ck_assert_double_eq(tp, 1000 * (1.0 + 0.02));
    ck_assert_double_eq(sl, 1000 * (1.0 - 0.01));
    ck_assert(atr_add_bar(atr, "BTCUSDT", 120, 104, 110));  /* max(120,104) - min(104,104) = 16 */
    ledger_seed_levels(&position, atr, &config, &tp, &sl);
    double range = (10.0 + 12.0 + 16.0) / 3.0;
    ck_assert_double_eq(tp, 1000 + 2 * range);
    ck_assert_double_eq(sl, 1000 - 1 * range);
    free(atr);
}
END_TEST

START_TEST(test_sync_seeds_from_atr_long_and_short_mirrored) {
    kernel_config config;
    config_defaults(&config);  /* tp.atr_mult 2, sl.atr_mult 1 */
    atr_tracker *atr = malloc(sizeof *atr);
    ck_assert_ptr_nonnull(atr);
    atr_init(atr, 3);
    add_bars(atr);
    position_view positions[2] = {make_position("BTCUSDT", SIDE_LONG, 1, 100),
                                  make_position("ETHUSDT", SIDE_SHORT, 3, 200)};
    tp_sl_registry registry;
    registry_init(&registry);
    position_ledger ledger;
    ledger_sync_report report;
    ledger_sync(&registry, &ledger, positions, 2, atr, &config, 5000, true, true, &report);
    ck_assert_uint_eq(report.seeded_count, 2);
    ck_assert_uint_eq(report.removed_count, 0);
    /* LONG 100, ATR 12: tp = 100 + 2 x 12 = 124, sl = 100 - 1 x 12 = 88. */
    const ledger_entry *btc = ledger_get(&ledger, "BTCUSDT");
    ck_assert_double_eq(btc->tp, 124);
    ck_assert_double_eq(btc->sl, 88);
    /* SHORT 200, ATR 20: tp = 200 - 2 x 20 = 160, sl = 200 + 1 x 20 = 220. */
    const ledger_entry *eth = ledger_get(&ledger, "ETHUSDT");
    ck_assert_double_eq(eth->tp, 160);
    ck_assert_double_eq(eth->sl, 220);
    const registry_entry *stored = registry_find(&registry, "ETHUSDT");
    ck_assert_ptr_nonnull(stored);
    ck_assert_int_eq(stored->side, SIDE_SHORT);
    ck_assert_double_eq(stored->entry_price, 200);
    ck_assert_double_eq(stored->created_ts, 5000);
    ck_assert_double_eq(stored->updated_ts, 5000);
    ck_assert(ledger_check_consistency(2, &ledger).status == CONSISTENCY_GREEN);
    free(atr);
}
END_TEST

START_TEST(test_sync_fewer_bars_uses_percentages) {
    kernel_config config;
    config_defaults(&config);  /* tp.pct 0.02, sl.pct 0.01, atr.period 14 */
    atr_tracker *atr = malloc(sizeof *atr);
    ck_assert_ptr_nonnull(atr);
    atr_init(atr, 14);
    add_bars(atr);             /* 4 and 3 bars: fewer than 14 */
    position_view positions[2] = {make_position("BTCUSDT", SIDE_LONG, 1, 100),
                                  make_position("ETHUSDT", SIDE_SHORT, 3, 200)};
    tp_sl_registry registry;
    registry_init(&registry);
    position_ledger ledger;
    ledger_sync(&registry, &ledger, positions, 2, atr, &config, 5000, true, true, NULL);
    /* LONG 100: tp = 100 x 1.02 = 102, sl = 100 x 0.99 = 99. */
    ck_assert_double_eq_tol(ledger_get(&ledger, "BTCUSDT")->tp, 102, 1e-9);
    ck_assert_double_eq_tol(ledger_get(&ledger, "BTCUSDT")->sl, 99, 1e-9);
    /* SHORT 200: tp = 200 x 0.98 = 196, sl = 200 x 1.01 = 202. */
    ck_assert_double_eq_tol(ledger_get(&ledger, "ETHUSDT")->tp, 196, 1e-9);
    ck_assert_double_eq_tol(ledger_get(&ledger, "ETHUSDT")->sl, 202, 1e-9);
    /* No tracker at all: the same fallback. */
    double tp = 0, sl = 0;
    ledger_seed_levels(&positions[0], NULL, &config, &tp, &sl);
    ck_assert_double_eq_tol(tp, 102, 1e-9);
    ck_assert_double_eq_tol(sl, 99, 1e-9);
    free(atr);
}
END_TEST

START_TEST(test_sync_without_registry_file_seeds_and_saves) {
    char directory[64];
    make_temporary_directory(directory);
    char path[128];
    snprintf(path, sizeof path, "%s/position_tp_sl.json", directory);
    tp_sl_registry registry;
    bool found = true;
    char error[STATE_JSON_ERROR_CAPACITY] = "";
    ck_assert_msg(state_json_load_registry(path, &registry, &found, error, sizeof error), "%s", error);
    ck_assert(!found);
    ck_assert_uint_eq(registry.count, 0);
    kernel_config config;
    config_defaults(&config);
    position_view positions[2] = {make_position("BTCUSDT", SIDE_LONG, 0.5, 50000),
                                  make_position("ETHUSDT", SIDE_SHORT, 2, 3000)};
    position_ledger ledger;
    ledger_sync(&registry, &ledger, positions, 2, NULL, &config, 1733400000, true, true, NULL);
    ck_assert(state_json_save_registry(path, &registry, error, sizeof error));
    tp_sl_registry reloaded;
    ck_assert_msg(state_json_load_registry(path, &reloaded, &found, error, sizeof error), "%s", error);
    ck_assert(found);
    ck_assert_uint_eq(reloaded.count, 2);
    /* 50000 x 1.02 = 51000, 50000 x 0.99 = 49500; SHORT 3000: 2940 and 3030. */
    ck_assert_double_eq_tol(registry_find(&reloaded, "BTCUSDT")->tp, 51000, 1e-6);
    ck_assert_double_eq_tol(registry_find(&reloaded, "BTCUSDT")->sl, 49500, 1e-6);
    ck_assert_double_eq_tol(registry_find(&reloaded, "ETHUSDT")->tp, 2940, 1e-6);
    ck_assert_double_eq_tol(registry_find(&reloaded, "ETHUSDT")->sl, 3030, 1e-6);
    /* Round trip: every number reads back as the very same double. */
    for (size_t index = 0; index < 2; index++) {
        ck_assert_double_eq(reloaded.entries[index].tp, registry.entries[index].tp);
        ck_assert_double_eq(reloaded.entries[index].sl, registry.entries[index].sl);
        ck_assert_double_eq(reloaded.entries[index].created_ts, 1733400000);
    }
    unlink(path);
    rmdir(directory);
}
END_TEST

START_TEST(test_sync_seeds_only_symbols_without_entry) {
    kernel_config config;
    config_defaults(&config);
    position_view positions[1] = {make_position("BTCUSDT", SIDE_LONG, 0.5, 50000)};
    tp_sl_registry registry;
    registry_init(&registry);
    registry_entry partial = make_entry("BTCUSDT", SIDE_LONG, 50000, NAN, 49000);
    ck_assert(registry_upsert(&registry, &partial));
    position_ledger ledger;
    ledger_sync_report report;
    ledger_sync(&registry, &ledger, positions, 1, NULL, &config, 5000, true, true, &report);
    ck_assert_uint_eq(report.seeded_count, 0);
    ck_assert(!ledger.entries[0].has_tp);
    ck_assert_double_eq(ledger.entries[0].sl, 49000);
    ck_assert(ledger_check_consistency(1, &ledger).status == CONSISTENCY_YELLOW);
}
END_TEST

/* ---- 7.1.3 stale removal ----------------------------------------------- */

START_TEST(test_sync_removes_stale_entries) {
    kernel_config config;
    config_defaults(&config);
    position_view positions[2] = {make_position("BTCUSDT", SIDE_LONG, 0.5, 50000),
                                  make_position("ETHUSDT", SIDE_SHORT, 0, 3000)}; /* flat */
    tp_sl_registry registry;
    registry_init(&registry);
    registry_entry entries[3] = {make_entry("BTCUSDT", SIDE_LONG, 50000, 51000, 49500),
                                 make_entry("ETHUSDT", SIDE_SHORT, 3000, 2940, 3030),
                                 make_entry("XRPUSDT", SIDE_LONG, 0.6, 0.612, 0.594)};
    for (size_t index = 0; index < 3; index++) ck_assert(registry_upsert(&registry, &entries[index]));
    position_ledger ledger;
    ledger_sync_report report;
    ledger_sync(&registry, &ledger, positions, 2, NULL, &config, 5000, true, true, &report);
    ck_assert_uint_eq(registry.count, 1);
    ck_assert_ptr_nonnull(registry_find(&registry, "BTCUSDT"));
    ck_assert_ptr_null(registry_find(&registry, "XRPUSDT"));
    ck_assert_ptr_null(registry_find(&registry, "ETHUSDT"));
    ck_assert_uint_eq(report.removed_count, 2);
    ck_assert_uint_eq(report.seeded_count, 0);
    /* The surviving entry is untouched (not re-seeded, not re-stamped). */
    ck_assert_double_eq(registry_find(&registry, "BTCUSDT")->tp, 51000);
    ck_assert_double_eq(registry_find(&registry, "BTCUSDT")->created_ts, 1000);
    ck_assert_uint_eq(ledger.count, 1);
}
END_TEST

START_TEST(test_sync_flags_are_honoured) {
    kernel_config config;
    config_defaults(&config);
    position_view positions[1] = {make_position("BTCUSDT", SIDE_LONG, 0.5, 50000)};
    tp_sl_registry registry;
    registry_init(&registry);
    registry_entry orphan = make_entry("XRPUSDT", SIDE_LONG, 0.6, 0.612, 0.594);
    ck_assert(registry_upsert(&registry, &orphan));
    position_ledger ledger;
    ledger_sync(&registry, &ledger, positions, 1, NULL, &config, 5000, false, false, NULL);
    ck_assert_uint_eq(registry.count, 1);
    ck_assert(!ledger.entries[0].has_tp);
    ledger_sync(&registry, &ledger, positions, 1, NULL, &config, 5000, false, true, NULL);
    ck_assert_uint_eq(registry.count, 0);
    ledger_sync(&registry, &ledger, positions, 1, NULL, &config, 5000, true, false, NULL);
    ck_assert_uint_eq(registry.count, 1);
    ck_assert(ledger.entries[0].has_tp && ledger.entries[0].has_sl);
}
END_TEST

START_TEST(test_sync_without_positions_empties_registry) {
    kernel_config config;
    config_defaults(&config);
    tp_sl_registry registry;
    registry_init(&registry);
    registry_entry orphan = make_entry("XRPUSDT", SIDE_LONG, 0.6, 0.612, 0.594);
    ck_assert(registry_upsert(&registry, &orphan));
    position_ledger ledger;
    ledger_sync(&registry, &ledger, NULL, 0, NULL, &config, 5000, true, true, NULL);
    ck_assert_uint_eq(registry.count, 0);
    ck_assert_uint_eq(ledger.count, 0);
    buffer text;
    buffer_init(&text, TEXT_LIMIT);
    json_writer writer;
    json_writer_init(&writer, &text, true);
    state_json_render_registry(&writer, &registry);
    ck_assert(!buffer_failed(&text));
    ck_assert_str_eq(text.data, "{}");
    buffer_free(&text);
}
END_TEST

/* ---- 7.1.4 edge formats (io/state_json) -------------------------------- */

START_TEST(test_edge_formats_position_side_and_avg_entry_price) {
    position_view positions[SYMBOLS_MAX];
    size_t count = parse_positions_ok("{\"positions\": ["
                                      "{\"symbol\": \"SOLUSDT\", \"position_side\": \"LONG\", \"qty\": 1.234,"
                                      " \"avg_entry_price\": 143.36, \"created_ts\": 1733310000.123},"
                                      "{\"symbol\": \"ETHUSDT\", \"position_side\": \"SELL\", \"qty\": \"2\","
                                      " \"avg_entry_price\": \"3000.5\"}]}",
                                      positions);
    ck_assert_uint_eq(count, 2);
    ck_assert_str_eq(positions[0].symbol, "SOLUSDT");
    ck_assert_int_eq(positions[0].side, SIDE_LONG);
    ck_assert_double_eq(positions[0].qty, 1.234);
    ck_assert_double_eq(positions[0].entry_price, 143.36);
    ck_assert_double_eq(positions[0].created_ts, 1733310000.123);
    ck_assert(isnan(positions[0].updated_ts));
    ck_assert_str_eq(positions[1].symbol, "ETHUSDT");
    ck_assert_int_eq(positions[1].side, SIDE_SHORT);
    ck_assert_double_eq(positions[1].qty, 2);
    ck_assert_double_eq(positions[1].entry_price, 3000.5);
    tp_sl_registry registry;
    registry_init(&registry);
    position_ledger ledger;
    ledger_build(&ledger, positions, count, &registry);
    ck_assert_uint_eq(ledger.count, 2);
    ck_assert_double_eq(ledger_get(&ledger, "SOLUSDT")->entry_price, 143.36);
    ck_assert_int_eq(ledger_get(&ledger, "ETHUSDT")->side, SIDE_SHORT);
}
END_TEST

START_TEST(test_edge_formats_signed_quantities_and_keyed_objects) {
    position_view positions[SYMBOLS_MAX];
    /* Binance positionRisk style: signed positionAmt, entryPrice, BOTH, flat rows. */
    size_t count = parse_positions_ok("[{\"symbol\": \"BTCUSDT\", \"positionAmt\": \"-0.500\","
                                      " \"entryPrice\": \"50000.0\", \"positionSide\": \"BOTH\"},"
                                      " {\"symbol\": \"ADAUSDT\", \"positionAmt\": \"0.000\","
                                      " \"entryPrice\": \"0.0\", \"positionSide\": \"BOTH\"}]",
                                      positions);
    ck_assert_uint_eq(count, 1);
    ck_assert_int_eq(positions[0].side, SIDE_SHORT);
    ck_assert_double_eq(positions[0].qty, 0.5);
    ck_assert_double_eq(positions[0].entry_price, 50000);
    /* Keyed by symbol, unsigned qty with a side, ISO timestamps. */
    count = parse_positions_ok("{\"ETHUSDT\": {\"side\": \"short\", \"qty\": 2, \"entry_price\": 3000,"
                               " \"created_ts\": \"2024-12-04T11:00:00Z\", \"updated_ts\": 1733310100},"
                               " \"BTCUSDT\": {\"symbol\": \"BTCUSDT\", \"qty\": 0.1, \"entry_price\": 51000}}",
                               positions);
    ck_assert_uint_eq(count, 2);
    ck_assert_str_eq(positions[0].symbol, "ETHUSDT");
    ck_assert_int_eq(positions[0].side, SIDE_SHORT);
    ck_assert_double_eq(positions[0].created_ts, 1733310000);
    ck_assert_double_eq(positions[0].updated_ts, 1733310100);
    ck_assert_str_eq(positions[1].symbol, "BTCUSDT");
    ck_assert_int_eq(positions[1].side, SIDE_LONG);
    /* A SHORT with a negative qty is consistent: the magnitude is kept. */
    count = parse_positions_ok("[{\"symbol\": \"ETHUSDT\", \"side\": \"SHORT\", \"qty\": -2, \"entry_price\": 3000}]",
                               positions);
    ck_assert_uint_eq(count, 1);
    ck_assert_double_eq(positions[0].qty, 2);
    /* Empty wrapper and empty object. */
    ck_assert_uint_eq(parse_positions_ok("{\"updated_ts\": 1, \"positions\": []}", positions), 0);
    ck_assert_uint_eq(parse_positions_ok("{}", positions), 0);
    /* "positions" keyed by symbol inside the wrapper. */
    count = parse_positions_ok("{\"positions\": {\"BTCUSDT\": {\"side\": \"BUY\", \"qty\": 1, \"entry_price\": 1}}}",
                               positions);
    ck_assert_uint_eq(count, 1);
    ck_assert_int_eq(positions[0].side, SIDE_LONG);
}
END_TEST

START_TEST(test_every_shape_gives_the_same_ledger) {
    const char *shapes[] = {
        "{\"positions\": [{\"symbol\": \"BTCUSDT\", \"side\": \"LONG\", \"qty\": 0.5, \"entry_price\": 50000},"
        " {\"symbol\": \"ETHUSDT\", \"side\": \"SHORT\", \"qty\": 2, \"entry_price\": 3000}]}",
        "[{\"symbol\": \"ETHUSDT\", \"position_side\": \"SELL\", \"qty\": \"2\", \"avg_entry_price\": \"3000\"},"
        " {\"symbol\": \"BTCUSDT\", \"position_side\": \"BUY\", \"qty\": \"0.5\", \"avg_entry_price\": \"50000\"}]",
        "{\"BTCUSDT\": {\"qty\": 0.5, \"entryPrice\": 50000}, \"ETHUSDT\": {\"positionAmt\": -2, \"entryPrice\": 3000}}",
    };
    tp_sl_registry registry;
    registry_init(&registry);
    registry_entry btc = make_entry("BTCUSDT", SIDE_LONG, 50000, 51000, 49500);
    ck_assert(registry_upsert(&registry, &btc));
    position_ledger first;
    for (size_t shape = 0; shape < sizeof shapes / sizeof shapes[0]; shape++) {
        position_view positions[SYMBOLS_MAX];
        size_t count = parse_positions_ok(shapes[shape], positions);
        ck_assert_uint_eq(count, 2);
        position_ledger ledger;
        ledger_build(&ledger, positions, count, &registry);
        if (shape == 0) {
            first = ledger;
            continue;
        }
        ck_assert_uint_eq(ledger.count, first.count);
        for (size_t index = 0; index < ledger.count; index++) {
            const ledger_entry *left = &first.entries[index], *right = &ledger.entries[index];
            ck_assert_str_eq(left->symbol, right->symbol);
            ck_assert_int_eq(left->side, right->side);
            ck_assert_double_eq(left->qty, right->qty);
            ck_assert_double_eq(left->entry_price, right->entry_price);
            ck_assert_int_eq(left->has_tp, right->has_tp);
            ck_assert_int_eq(left->has_sl, right->has_sl);
        }
    }
}
END_TEST

START_TEST(test_missing_entry_price_keeps_position_out_of_ledger) {
    position_view positions[SYMBOLS_MAX];
    size_t count = parse_positions_ok("[{\"symbol\": \"BTCUSDT\", \"side\": \"LONG\", \"qty\": 0.5},"
                                      " {\"symbol\": \"ETHUSDT\", \"side\": \"SHORT\", \"qty\": 2,"
                                      " \"entry_price\": null}]",
                                      positions);
    ck_assert_uint_eq(count, 2);
    tp_sl_registry registry;
    registry_init(&registry);
    position_ledger ledger;
    ledger_build(&ledger, positions, count, &registry);
    ck_assert_uint_eq(ledger.count, 0);
    ck_assert(ledger_check_consistency(count, &ledger).status == CONSISTENCY_RED);
}
END_TEST

START_TEST(test_position_errors_name_file_and_entry) {
    const char *error;
    error = parse_positions_error("{\"positions\": [{\"symbol\": \"BTCUSDT\", \"side\": \"LONG\", \"qty\": 1,"
                                  " \"entry_price\": 1}, {\"symbol\": \"ETHUSDT\", \"qty\": true}]}");
    assert_contains(error, "positions[1] (ETHUSDT)");
    assert_contains(error, "qty");
    error = parse_positions_error("[{\"symbol\": \"BTCUSDT\", \"side\": \"LONG\", \"qty\": \"0.5abc\"}]");
    assert_contains(error, "[0] (BTCUSDT)");
    assert_contains(error, "0.5abc");
    error = parse_positions_error("[{\"symbol\": \"BTCUSDT\", \"side\": \"SIDEWAYS\", \"qty\": 1}]");
    assert_contains(error, "unknown side \"SIDEWAYS\"");
    error = parse_positions_error("[\"BTCUSDT\", 1]");
    assert_contains(error, "[0]");
    assert_contains(error, "expected an object");
    error = parse_positions_error("{\"BTCUSDT\": {\"qty\": 1}, \"ETHUSDT\": 7}");
    assert_contains(error, "ETHUSDT: expected an object");
    error = parse_positions_error("[{\"side\": \"LONG\", \"qty\": 1}]");
    assert_contains(error, "no symbol");
    error = parse_positions_error("[{\"symbol\": \"BTCUSDT\", \"side\": \"LONG\"}]");
    assert_contains(error, "no qty");
    error = parse_positions_error("[{\"symbol\": \"BTCUSDT\", \"side\": \"LONG\", \"qty\": -1}]");
    assert_contains(error, "negative");
    error = parse_positions_error("[{\"symbol\": \"BTCUSDT\", \"side\": \"LONG\", \"position_side\": \"SHORT\","
                                  " \"qty\": 1}]");
    assert_contains(error, "disagree");
    error = parse_positions_error("[{\"symbol\": \"BTCUSDT\", \"qty\": 1, \"positionAmt\": 2}]");
    assert_contains(error, "disagree");
    error = parse_positions_error("[{\"symbol\": \"BTCUSDT\", \"qty\": 1}, {\"symbol\": \"BTCUSDT\", \"qty\": 2}]");
    assert_contains(error, "second open position");
    error = parse_positions_error("{\"BTCUSDT\": {\"symbol\": \"ETHUSDT\", \"qty\": 1}}");
    assert_contains(error, "differs from its key");
    error = parse_positions_error("[{\"symbol\": \"BTC USDT\", \"qty\": 1}]");
    assert_contains(error, "not a symbol");
    error = parse_positions_error("[{\"symbol\": \"BTCUSDT\", \"qty\": 1e999}]");
    assert_contains(error, "qty");
    error = parse_positions_error("[{\"symbol\": \"BTCUSDT\", \"qty\": \"nan\"}]");
    assert_contains(error, "nan");
    error = parse_positions_error("[{\"symbol\": \"BTCUSDT\", \"qty\": 1, \"created_ts\": \"yesterday\"}]");
    assert_contains(error, "created_ts");
    error = parse_positions_error("\"positions\"");
    assert_contains(error, "a list, or an object keyed by symbol");
    error = parse_positions_error("{\"positions\": 3}");
    assert_contains(error, "positions: expected");
}
END_TEST

START_TEST(test_parse_error_names_the_byte_offset) {
    const char *error = parse_positions_error("{\"positions\": [1, }");
    assert_contains(error, "byte offset 18");
    assert_contains(error, "line 1, column 19");
    /* Truncated: the error is at the end of the text. */
    error = parse_positions_error("{\"positions\": [\n");
    assert_contains(error, "byte offset 16");
    assert_contains(error, "truncated");
    error = parse_positions_error("");
    assert_contains(error, "byte offset 0");
    error = parse_positions_error("[] x");
    assert_contains(error, "byte offset 3");
    static const char with_nul[] = "[]\0[]";
    char message[STATE_JSON_ERROR_CAPACITY];
    position_view positions[SYMBOLS_MAX];
    size_t count;
    ck_assert(!state_json_parse_positions("f.json", with_nul, sizeof with_nul - 1, positions, &count, message,
                                          sizeof message));
    assert_contains(message, "byte offset 2");
}
END_TEST

START_TEST(test_too_many_positions_is_an_error) {
    buffer text;
    buffer_init(&text, TEXT_LIMIT);
    buffer_append_text(&text, "[");
    for (int index = 0; index <= SYMBOLS_MAX; index++)
        buffer_append_format(&text, "%s{\"symbol\": \"S%04dUSDT\", \"qty\": 1, \"entry_price\": 1}",
                             index > 0 ? "," : "", index);
    buffer_append_text(&text, "]");
    ck_assert(!buffer_failed(&text));
    const char *error = parse_positions_error(text.data);
    assert_contains(error, "more than 256 open positions");
    buffer_free(&text);
}
END_TEST

START_TEST(test_file_size_limit) {
    char directory[64];
    make_temporary_directory(directory);
    char path[128];
    snprintf(path, sizeof path, "%s/big.json", directory);
    FILE *file = fopen(path, "wb");
    ck_assert_ptr_nonnull(file);
    static char spaces[65536];
    memset(spaces, ' ', sizeof spaces);
    for (size_t written = 0; written <= STATE_FILE_BYTES_MAX; written += sizeof spaces)
        ck_assert_uint_eq(fwrite(spaces, 1, sizeof spaces, file), sizeof spaces);
    fclose(file);
    char error[STATE_JSON_ERROR_CAPACITY] = "";
    position_view positions[SYMBOLS_MAX];
    size_t count;
    ck_assert(!state_json_load_positions(path, positions, &count, error, sizeof error));
    assert_contains(error, path);
    assert_contains(error, "16 MiB");
    tp_sl_registry registry;
    ck_assert(!state_json_load_registry(path, &registry, NULL, error, sizeof error));
    assert_contains(error, "16 MiB");
    unlink(path);
    rmdir(directory);
}
END_TEST

START_TEST(test_missing_positions_file_is_an_error) {
    char error[STATE_JSON_ERROR_CAPACITY] = "";
    position_view positions[SYMBOLS_MAX];
    size_t count;
    ck_assert(!state_json_load_positions("/nonexistent/positions_state.json", positions, &count, error,
                                         sizeof error));
    assert_contains(error, "/nonexistent/positions_state.json");
}
END_TEST

/* ---- registry file ----------------------------------------------------- */

START_TEST(test_registry_parse_with_null_levels) {
    const char *text = "{\"ETHUSDT\": {\"side\": \"SHORT\", \"entry_price\": 3000, \"tp\": null, \"sl\": \"3030\","
                       " \"created_ts\": 1, \"updated_ts\": 2},"
                       " \"BTCUSDT\": {\"side\": \"LONG\", \"entry_price\": 50000, \"tp\": 51000}}";
    tp_sl_registry registry;
    char error[STATE_JSON_ERROR_CAPACITY] = "";
    ck_assert_msg(state_json_parse_registry("r.json", text, strlen(text), &registry, error, sizeof error), "%s",
                  error);
    ck_assert_uint_eq(registry.count, 2);
    ck_assert_str_eq(registry.entries[0].symbol, "BTCUSDT");
    ck_assert(registry.entries[0].has_tp);
    ck_assert(!registry.entries[0].has_sl);
    ck_assert(isnan(registry.entries[0].created_ts));
    const registry_entry *eth = registry_find(&registry, "ETHUSDT");
    ck_assert(!eth->has_tp);
    ck_assert(eth->has_sl);
    ck_assert_double_eq(eth->sl, 3030);
    ck_assert_int_eq(eth->side, SIDE_SHORT);
    ck_assert_double_eq(eth->updated_ts, 2);
    ck_assert(state_json_parse_registry("r.json", "{}", 2, &registry, error, sizeof error));
    ck_assert_uint_eq(registry.count, 0);
}
END_TEST

START_TEST(test_registry_errors_name_file_and_symbol) {
    const char *error;
    error = parse_registry_error("{\"BTCUSDT\": {\"side\": \"LONG\", \"entry_price\": 1, \"tp\": \"high\"}}");
    assert_contains(error, "BTCUSDT: tp");
    error = parse_registry_error("[]");
    assert_contains(error, "object keyed by symbol");
    error = parse_registry_error("{\"BTCUSDT\": 5}");
    assert_contains(error, "BTCUSDT: expected an object");
    error = parse_registry_error("{\"BTCUSDT\": {\"entry_price\": 1}}");
    assert_contains(error, "no side");
    error = parse_registry_error("{\"BTCUSDT\": {\"side\": \"LONG\"}}");
    assert_contains(error, "no entry_price");
    error = parse_registry_error("{\"BTCUSDT\": {\"side\": \"LONG\", \"entry_price\": 1},"
                                 " \"BTCUSDT\": {\"side\": \"LONG\", \"entry_price\": 2}}");
    assert_contains(error, "more than once");
    error = parse_registry_error("{\"BTCUSDT\": {\"side\": \"LONG\", \"entry_price\": 1, \"sl\": 4");
    assert_contains(error, "byte offset");
}
END_TEST

START_TEST(test_corrupt_registry_file_is_an_error_and_missing_is_empty) {
    char directory[64];
    make_temporary_directory(directory);
    char path[128];
    snprintf(path, sizeof path, "%s/position_tp_sl.json", directory);
    FILE *file = fopen(path, "wb");
    ck_assert_ptr_nonnull(file);
    fputs("{\"BTCUSDT\": {\"side\": \"LONG\",", file);
    fclose(file);
    tp_sl_registry registry;
    bool found = false;
    char error[STATE_JSON_ERROR_CAPACITY] = "";
    ck_assert(!state_json_load_registry(path, &registry, &found, error, sizeof error));
    ck_assert(found);
    assert_contains(error, path);
    assert_contains(error, "byte offset 28"); /* the text is 28 bytes: it ends early */
    unlink(path);
    ck_assert(state_json_load_registry(path, &registry, &found, error, sizeof error));
    ck_assert(!found);
    ck_assert_uint_eq(registry.count, 0);
    rmdir(directory);
}
END_TEST

START_TEST(test_render_registry_and_ledger) {
    tp_sl_registry registry;
    registry_init(&registry);
    registry_entry eth = make_entry("ETHUSDT", SIDE_SHORT, 3000, NAN, 3030.5);
    registry_entry btc = make_entry("BTCUSDT", SIDE_LONG, 50000, 51000.1, 49500);
    btc.updated_ts = NAN;
    ck_assert(registry_upsert(&registry, &eth));
    ck_assert(registry_upsert(&registry, &btc));
    buffer text;
    buffer_init(&text, TEXT_LIMIT);
    json_writer writer;
    json_writer_init(&writer, &text, false);
    state_json_render_registry(&writer, &registry);
    ck_assert(!buffer_failed(&text));
    ck_assert_str_eq(text.data,
                     "{\"BTCUSDT\":{\"side\":\"LONG\",\"entry_price\":50000,\"tp\":51000.1,\"sl\":49500,"
                     "\"created_ts\":1000,\"updated_ts\":null},"
                     "\"ETHUSDT\":{\"side\":\"SHORT\",\"entry_price\":3000,\"tp\":null,\"sl\":3030.5,"
                     "\"created_ts\":1000,\"updated_ts\":1000}}");
    /* Reads back to the same registry. */
    tp_sl_registry reloaded;
    char error[STATE_JSON_ERROR_CAPACITY];
    ck_assert(state_json_parse_registry("r", text.data, text.length, &reloaded, error, sizeof error));
    ck_assert_uint_eq(reloaded.count, 2);
    ck_assert_double_eq(reloaded.entries[0].tp, 51000.1);
    ck_assert(!reloaded.entries[1].has_tp);

    position_view positions[2] = {make_position("ETHUSDT", SIDE_SHORT, 2, 3000),
                                  make_position("BTCUSDT", SIDE_LONG, 0.1 + 0.2, 50000)};
    positions[0].created_ts = 7;
    position_ledger ledger;
    ledger_build(&ledger, positions, 2, &registry);
    buffer_reset(&text);
    json_writer_init(&writer, &text, false);
    state_json_render_ledger(&writer, &ledger);
    ck_assert(!buffer_failed(&text));
    ck_assert_str_eq(text.data,
                     "{\"BTCUSDT\":{\"side\":\"LONG\",\"qty\":0.30000000000000004,\"entry_price\":50000,"
                     "\"tp\":51000.1,\"sl\":49500,\"created_ts\":null,\"updated_ts\":null},"
                     "\"ETHUSDT\":{\"side\":\"SHORT\",\"qty\":2,\"entry_price\":3000,\"tp\":null,\"sl\":3030.5,"
                     "\"created_ts\":7,\"updated_ts\":null}}");
    buffer_free(&text);
}
END_TEST

/* ---- 6.2 consistency --------------------------------------------------- */

START_TEST(test_consistency_green_yellow_red) {
    position_view positions[2] = {make_position("BTCUSDT", SIDE_LONG, 0.5, 50000),
                                  make_position("ETHUSDT", SIDE_SHORT, 2, 3000)};
    tp_sl_registry registry;
    registry_init(&registry);
    position_ledger ledger;

    /* Red: positions exist and the ledger is empty. */
    position_view invalid[2] = {make_position("BTCUSDT", SIDE_LONG, 0.5, 0),
                                make_position("ETHUSDT", SIDE_SHORT, 2, 0)};
    ledger_build(&ledger, invalid, 2, &registry);
    ledger_consistency result = ledger_check_consistency(2, &ledger);
    ck_assert(result.status == CONSISTENCY_RED);
    ck_assert_str_eq(consistency_name(result.status), "red");
    ck_assert_uint_eq(result.num_positions, 2);
    ck_assert_uint_eq(result.num_ledger, 0);

    /* Yellow: in the ledger, no tp/sl. */
    ledger_build(&ledger, positions, 2, &registry);
    result = ledger_check_consistency(2, &ledger);
    ck_assert(result.status == CONSISTENCY_YELLOW);
    ck_assert_uint_eq(result.num_tp_sl, 0);

    /* Yellow: one of two has both. */
    registry_entry btc = make_entry("BTCUSDT", SIDE_LONG, 50000, 51000, 49500);
    ck_assert(registry_upsert(&registry, &btc));
    ledger_build(&ledger, positions, 2, &registry);
    result = ledger_check_consistency(2, &ledger);
    ck_assert(result.status == CONSISTENCY_YELLOW);
    ck_assert_uint_eq(result.num_tp_sl, 1);
    ck_assert_str_eq(consistency_name(result.status), "yellow");

    /* Yellow: tp without sl does not count as "with tp/sl". */
    registry_entry half = make_entry("ETHUSDT", SIDE_SHORT, 3000, 2940, NAN);
    ck_assert(registry_upsert(&registry, &half));
    ledger_build(&ledger, positions, 2, &registry);
    ck_assert(ledger_check_consistency(2, &ledger).status == CONSISTENCY_YELLOW);

    /* Green: every position with both. */
    registry_entry eth = make_entry("ETHUSDT", SIDE_SHORT, 3000, 2940, 3030);
    ck_assert(registry_upsert(&registry, &eth));
    ledger_build(&ledger, positions, 2, &registry);
    result = ledger_check_consistency(2, &ledger);
    ck_assert(result.status == CONSISTENCY_GREEN);
    ck_assert_uint_eq(result.num_tp_sl, 2);
    ck_assert_str_eq(consistency_name(result.status), "green");

    /* Yellow: a position left out of a non-empty ledger (3 positions, 2 entries). */
    ck_assert(ledger_check_consistency(3, &ledger).status == CONSISTENCY_YELLOW);

    /* Green: nothing open, nothing in the ledger. */
    ledger_build(&ledger, NULL, 0, &registry);
    ck_assert(ledger_check_consistency(0, &ledger).status == CONSISTENCY_GREEN);
}
END_TEST

static Suite *ledger_suite(void) {
    Suite *suite = suite_create("ledger");
    TCase *merge = tcase_create("merge");
    tcase_add_test(merge, test_basic_merge);
    tcase_add_test(merge, test_build_admits_only_open_positions_with_valid_entry);
    tcase_add_test(merge, test_registry_sorted_upsert_delete);
    tcase_add_test(merge, test_build_sorts_positions_out_of_order);
    tcase_add_test(merge, test_atr_fresh_tracker_takes_every_symbol);
    tcase_add_test(merge, test_atr_windows_inserted_between_others);
    tcase_add_test(merge, test_registry_full_refuses_new_symbol);
    suite_add_tcase(suite, merge);
    TCase *seeding = tcase_create("sync seeding");
    tcase_add_test(seeding, test_atr_mean_true_range_of_last_period_bars);
    tcase_add_test(seeding, test_atr_needs_exactly_period_bars);
    tcase_add_test(seeding, test_sync_with_period_minus_one_bars_uses_percentages);
    tcase_add_test(seeding, test_atr_first_bar_is_high_minus_low_and_gaps_use_previous_close);
    tcase_add_test(seeding, test_sync_seeds_from_atr_long_and_short_mirrored);
    tcase_add_test(seeding, test_sync_fewer_bars_uses_percentages);
    tcase_add_test(seeding, test_sync_without_registry_file_seeds_and_saves);
    tcase_add_test(seeding, test_sync_seeds_only_symbols_without_entry);
    suite_add_tcase(suite, seeding);
    TCase *stale = tcase_create("stale removal");
    tcase_add_test(stale, test_sync_removes_stale_entries);
    tcase_add_test(stale, test_sync_flags_are_honoured);
    tcase_add_test(stale, test_sync_without_positions_empties_registry);
    suite_add_tcase(suite, stale);
    TCase *formats = tcase_create("edge formats");
    tcase_set_timeout(formats, 30);
    tcase_add_test(formats, test_edge_formats_position_side_and_avg_entry_price);
    tcase_add_test(formats, test_edge_formats_signed_quantities_and_keyed_objects);
    tcase_add_test(formats, test_every_shape_gives_the_same_ledger);
    tcase_add_test(formats, test_missing_entry_price_keeps_position_out_of_ledger);
    tcase_add_test(formats, test_position_errors_name_file_and_entry);
    tcase_add_test(formats, test_parse_error_names_the_byte_offset);
    tcase_add_test(formats, test_too_many_positions_is_an_error);
    tcase_add_test(formats, test_file_size_limit);
    tcase_add_test(formats, test_missing_positions_file_is_an_error);
    suite_add_tcase(suite, formats);
    TCase *registry = tcase_create("registry file");
    tcase_add_test(registry, test_registry_parse_with_null_levels);
    tcase_add_test(registry, test_registry_errors_name_file_and_symbol);
    tcase_add_test(registry, test_corrupt_registry_file_is_an_error_and_missing_is_empty);
    tcase_add_test(registry, test_render_registry_and_ledger);
    suite_add_tcase(suite, registry);
    TCase *consistency = tcase_create("consistency");
    tcase_add_test(consistency, test_consistency_green_yellow_red);
    suite_add_tcase(suite, consistency);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(ledger_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
