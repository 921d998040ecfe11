/* test_live_quantity.c -- live/quantity.c and live/exchange_rules.c: exit
 * order quantities as exact decimal text, rounded DOWN to stepSize, split at
 * maxQty; exchangeInfo's MARKET_LOT_SIZE (LOT_SIZE where it is missing) and
 * the weight limit, a non-ASCII symbol included. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "live/exchange_rules.h"
#include "live/quantity.h"

static long long units_of(const char *text) {
    long long units = 0;
    ck_assert(quantity_parse(text, &units));
    return units;
}

static const char *text_of(long long units) {
    static char out[QUANTITY_TEXT_CAPACITY];
    quantity_format(units, out);
    return out;
}

/* 0.001 + 0.008 as doubles prints 0.009000000000000001; the exchange's text is exact. */
START_TEST(test_exact_text) {
    ck_assert_int_eq(units_of("0.001") + units_of("0.008"), units_of("0.009"));
    ck_assert_str_eq(text_of(units_of("0.009")), "0.009");
    ck_assert_str_eq(text_of(units_of("-0.500")), "-0.5");
    ck_assert_str_eq(text_of(units_of("120")), "120");
    ck_assert_str_eq(text_of(units_of("0.00000001")), "0.00000001");
    ck_assert_str_eq(text_of(units_of("0.000000019")), "0.00000001"); /* beyond 8 decimals: dropped */
    long long units = 0;
    ck_assert(!quantity_parse("1e-3", &units));
    ck_assert(!quantity_parse("", &units));
    ck_assert(!quantity_parse("0.0.1", &units));
    ck_assert(!quantity_parse("99999999999", &units));
}
END_TEST

START_TEST(test_round_down_and_split) {
    quantity_rules btc = {units_of("0.001"), units_of("0.001"), units_of("120")};
    long long parts[QUANTITY_PARTS_MAX];
    ck_assert_uint_eq(quantity_exit_parts(units_of("0.0099"), &btc, parts, QUANTITY_PARTS_MAX), 1);
    ck_assert_str_eq(text_of(parts[0]), "0.009"); /* down, never up: reduce-only */
    ck_assert_uint_eq(quantity_exit_parts(units_of("-250.5"), &btc, parts, QUANTITY_PARTS_MAX), 3);
    ck_assert_str_eq(text_of(parts[0]), "120");
    ck_assert_str_eq(text_of(parts[1]), "120");
    ck_assert_str_eq(text_of(parts[2]), "10.5");
    ck_assert_uint_eq(quantity_exit_parts(units_of("0.0009"), &btc, parts, QUANTITY_PARTS_MAX), 0); /* below minQty */
    quantity_rules odd = {units_of("0.5"), units_of("1"), units_of("2.7")};       /* maxQty off the step */
    ck_assert_uint_eq(quantity_exit_parts(units_of("6.3"), &odd, parts, QUANTITY_PARTS_MAX), 3);
    ck_assert_str_eq(text_of(parts[0]), "2.5");
    ck_assert_str_eq(text_of(parts[1]), "2.5");
    ck_assert_str_eq(text_of(parts[2]), "1");
    quantity_rules broken = {0, 0, 0};
    ck_assert_uint_eq(quantity_exit_parts(units_of("1"), &broken, parts, QUANTITY_PARTS_MAX), 0);
}
END_TEST

START_TEST(test_exchange_info) {
    const char *json =
        "{\"rateLimits\":[{\"rateLimitType\":\"ORDERS\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":1200},"
        "{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":2400}],"
        "\"symbols\":[{\"symbol\":\"ETHUSDT\",\"filters\":[{\"filterType\":\"LOT_SIZE\",\"stepSize\":\"0.001\","
        "\"minQty\":\"0.001\",\"maxQty\":\"10000\"}]},"
        "{\"symbol\":\"BTCUSDT\",\"filters\":[{\"filterType\":\"LOT_SIZE\",\"stepSize\":\"0.001\",\"minQty\":\"0.001\","
        "\"maxQty\":\"1000\"},{\"filterType\":\"MARKET_LOT_SIZE\",\"stepSize\":\"0.001\",\"minQty\":\"0.001\","
        "\"maxQty\":\"120\"}]},"
        "{\"symbol\":\"\xe5\xb8\x81\xe5\xae\x89\xe4\xba\xba\xe7\x94\x9fUSDT\",\"filters\":[{\"filterType\":"
        "\"MARKET_LOT_SIZE\",\"stepSize\":\"1\",\"minQty\":\"1\",\"maxQty\":\"200000\"}]},"
        "{\"symbol\":\"NOFILTERUSDT\",\"filters\":[]}]}";
    exchange_rules rules;
    char report[EXCHANGE_RULES_REPORT_CAPACITY];
    ck_assert(exchange_rules_parse(&rules, json, report));
    ck_assert_uint_eq(rules.count, 3);
    ck_assert_int_eq(rules.weight_limit_1m, 2400);
    const symbol_rules *btc = exchange_rules_find(&rules, "BTCUSDT");
    ck_assert_ptr_nonnull(btc);
    ck_assert_int_eq(btc->market.max_units, units_of("120")); /* MARKET_LOT_SIZE wins for MARKET orders */
    const symbol_rules *eth = exchange_rules_find(&rules, "ETHUSDT");
    ck_assert_ptr_nonnull(eth);
    ck_assert_int_eq(eth->market.max_units, units_of("10000")); /* LOT_SIZE where it is missing */
    ck_assert_ptr_nonnull(exchange_rules_find(&rules, "\xe5\xb8\x81\xe5\xae\x89\xe4\xba\xba\xe7\x94\x9fUSDT"));
    ck_assert_ptr_null(exchange_rules_find(&rules, "NOFILTERUSDT"));
    exchange_rules_free(&rules);
    ck_assert(!exchange_rules_parse(&rules, "{\"code\":-1000}", report));
    ck_assert(strstr(report, "no symbols") != NULL);
    exchange_rules_free(&rules);
}
END_TEST

static Suite *quantity_suite(void) {
    Suite *suite = suite_create("live_quantity");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_exact_text);
    tcase_add_test(core, test_round_down_and_split);
    tcase_add_test(core, test_exchange_info);
    suite_add_tcase(suite, core);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(quantity_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
