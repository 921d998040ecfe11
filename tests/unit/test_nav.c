/* test_nav.c -- core/nav.c: the futures NAV (seed 000: pure futures, last
 * valid wallet plus exchange unrealized PnL) and AUM with off-exchange
 * holdings valued at ASSET+USDT marks; a missing mark is null and adds
 * nothing. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nav.h"

/* A fixed table of marks for the lookup callback. */
typedef struct {
    const char *symbols[8];
    double marks[8];
    size_t count;
    int lookups;
} mark_table;

/* nav_mark_lookup over a mark_table: false when the symbol has no row. */
static bool table_lookup(const void *context, const char *symbol, double *mark) {
    mark_table *table = (mark_table *)(uintptr_t)context;
    table->lookups++;
    for (size_t index = 0; index < table->count; index++)
        if (strcmp(table->symbols[index], symbol) == 0) {
            *mark = table->marks[index];
            return true;
        }
    return false;
}

/* A holding of asset with qty and, when has_cost, avg_cost. */
static holding holding_of(const char *asset, double qty, bool has_cost, double avg_cost) {
    holding item;
    memset(&item, 0, sizeof item);
    snprintf(item.asset, sizeof item.asset, "%s", asset);
    item.qty = qty;
    item.has_avg_cost = has_cost;
    item.avg_cost = avg_cost;
    return item;
}

/* The AUM asset row of name, failing the test when absent. */
static const aum_asset *asset_named(const aum_view *view, const char *name) {
    for (size_t index = 0; index < view->asset_count; index++)
        if (strcmp(view->assets[index].asset, name) == 0) return &view->assets[index];
    ck_abort_msg("no asset %s", name);
    return NULL;
}

START_TEST(test_futures_nav) {
    /* before any valid wallet: the kernel's equity */
    ck_assert(nav_futures(false, 0, 123, 25050) == 25050);
    /* after: the wallet plus the exchange positions' unrealized PnL */
    ck_assert(nav_futures(true, 24000, 150, 25050) == 24150);
    ck_assert(nav_futures(true, 24000, -500, 25050) == 23500);
    ck_assert(nav_futures(true, 0.5, 0, 1) == 0.5);
}
END_TEST

START_TEST(test_holdings_sorted_and_replaced) {
    holdings_book holdings;
    holdings_init(&holdings);
    holding usdc = holding_of("USDC", 1000, true, 1);
    holding btc = holding_of("BTC", 0.5, true, 30000);
    holding xaut = holding_of("XAUT", 2, false, 0);
    ck_assert(holdings_set(&holdings, &usdc));
    ck_assert(holdings_set(&holdings, &btc));
    ck_assert(holdings_set(&holdings, &xaut));
    ck_assert_uint_eq(holdings.count, 3);
    ck_assert_str_eq(holdings.items[0].asset, "BTC");
    ck_assert_str_eq(holdings.items[1].asset, "USDC");
    ck_assert_str_eq(holdings.items[2].asset, "XAUT");
    holding more_btc = holding_of("BTC", 0.75, false, 0);
    ck_assert(holdings_set(&holdings, &more_btc)); /* replaces whole */
    ck_assert_uint_eq(holdings.count, 3);
    ck_assert(holdings.items[0].qty == 0.75 && !holdings.items[0].has_avg_cost);
}
END_TEST

START_TEST(test_holdings_full) {
    holdings_book holdings;
    holdings_init(&holdings);
    char name[SYMBOL_CAPACITY];
    for (int index = 0; index < HOLDINGS_MAX; index++) {
        snprintf(name, sizeof name, "A%02d", index);
        holding item = holding_of(name, 1, false, 0);
        ck_assert(holdings_set(&holdings, &item));
    }
    holding extra = holding_of("ZZZ", 1, false, 0);
    ck_assert(!holdings_set(&holdings, &extra));
    holding existing = holding_of("A07", 9, false, 0);
    ck_assert(holdings_set(&holdings, &existing)); /* replacing needs no room */
    ck_assert(holdings.items[7].qty == 9);
    ck_assert_uint_eq(holdings.count, HOLDINGS_MAX);
}
END_TEST

START_TEST(test_aum_values_holdings_at_marks) {
    holdings_book holdings;
    holdings_init(&holdings);
    holding items[] = {holding_of("BTC", 0.5, true, 30000), holding_of("USDC", 1000, true, 1),
                       holding_of("XAUT", 2, true, 1900)};
    for (size_t index = 0; index < 3; index++) ck_assert(holdings_set(&holdings, &items[index]));
    mark_table marks = {.symbols = {"BTCUSDT", "USDCUSDT", "ETHUSDT"}, .marks = {60000, 0.999, 3000}, .count = 3};
    aum_view view;
    nav_compute_aum(24000, &holdings, table_lookup, &marks, &view);
    ck_assert(view.nav_total == 24000 && view.futures == 24000);
    ck_assert_uint_eq(view.asset_count, 3);
    const aum_asset *btc = asset_named(&view, "BTC");
    ck_assert(btc->has_usd_value && btc->usd_value == 30000);
    ck_assert(btc->qty == 0.5 && btc->has_avg_cost && btc->avg_cost == 30000);
    const aum_asset *usdc = asset_named(&view, "USDC");
    ck_assert(usdc->has_usd_value && usdc->usd_value == 999);
    /* XAUT has no XAUTUSDT mark: null, qty and avg_cost still published */
    const aum_asset *xaut = asset_named(&view, "XAUT");
    ck_assert(!xaut->has_usd_value);
    ck_assert(xaut->qty == 2 && xaut->has_avg_cost && xaut->avg_cost == 1900);
    /* total = futures + 30000 + 999, nothing for XAUT */
    ck_assert(view.total == 24000 + 30000 + 999);
    ck_assert_int_eq(marks.lookups, 3);
}
END_TEST

START_TEST(test_aum_non_finite_mark_is_missing) {
    holdings_book holdings;
    holdings_init(&holdings);
    holding btc = holding_of("BTC", 1, false, 0);
    holding eth = holding_of("ETH", 2, false, 0);
    ck_assert(holdings_set(&holdings, &btc));
    ck_assert(holdings_set(&holdings, &eth));
    mark_table marks = {.symbols = {"BTCUSDT", "ETHUSDT"}, .marks = {NAN, INFINITY}, .count = 2};
    aum_view view;
    nav_compute_aum(100, &holdings, table_lookup, &marks, &view);
    ck_assert(!asset_named(&view, "BTC")->has_usd_value);
    ck_assert(!asset_named(&view, "ETH")->has_usd_value);
    ck_assert(view.total == 100);
}
END_TEST

START_TEST(test_aum_longest_asset_name) {
    /* An asset of 27 bytes (the limit) is valued at its 31-byte ASSET+USDT
     * mark: the pair's text fills the lookup buffer to the last byte. */
    holdings_book holdings;
    holdings_init(&holdings);
    holding longest = holding_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0", 2, false, 0);
    ck_assert_uint_eq(strlen(longest.asset), 27);
    ck_assert(holdings_set(&holdings, &longest));
    mark_table marks = {.symbols = {"ABCDEFGHIJKLMNOPQRSTUVWXYZ0USDT"}, .marks = {3.5}, .count = 1};
    aum_view view;
    nav_compute_aum(100, &holdings, table_lookup, &marks, &view);
    ck_assert(asset_named(&view, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0")->has_usd_value);
    ck_assert_double_eq(view.total, 107);
}
END_TEST

START_TEST(test_aum_without_holdings) {
    holdings_book holdings;
    holdings_init(&holdings);
    mark_table marks = {.count = 0};
    aum_view view;
    nav_compute_aum(-50, &holdings, table_lookup, &marks, &view);
    ck_assert_uint_eq(view.asset_count, 0);
    ck_assert(view.total == -50 && view.nav_total == -50 && view.futures == -50);
    ck_assert_int_eq(marks.lookups, 0);
}
END_TEST

START_TEST(test_aum_zero_and_negative_values_count) {
    /* a mark of 0 is a value (0), not a missing mark */
    holdings_book holdings;
    holdings_init(&holdings);
    holding dead = holding_of("DEAD", 10, false, 0);
    holding owed = holding_of("OWED", -3, false, 0);
    ck_assert(holdings_set(&holdings, &dead));
    ck_assert(holdings_set(&holdings, &owed));
    mark_table marks = {.symbols = {"DEADUSDT", "OWEDUSDT"}, .marks = {0, 10}, .count = 2};
    aum_view view;
    nav_compute_aum(1000, &holdings, table_lookup, &marks, &view);
    ck_assert(asset_named(&view, "DEAD")->has_usd_value && asset_named(&view, "DEAD")->usd_value == 0);
    ck_assert(asset_named(&view, "OWED")->usd_value == -30);
    ck_assert(view.total == 970);
}
END_TEST

/* Every test of core/nav.c. */
static Suite *nav_suite(void) {
    Suite *suite = suite_create("nav");
    TCase *nav = tcase_create("nav");
    tcase_add_test(nav, test_futures_nav);
    tcase_add_test(nav, test_holdings_sorted_and_replaced);
    tcase_add_test(nav, test_holdings_full);
    tcase_add_test(nav, test_aum_values_holdings_at_marks);
    tcase_add_test(nav, test_aum_non_finite_mark_is_missing);
    tcase_add_test(nav, test_aum_longest_asset_name);
    tcase_add_test(nav, test_aum_without_holdings);
    tcase_add_test(nav, test_aum_zero_and_negative_values_count);
    suite_add_tcase(suite, nav);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(nav_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
