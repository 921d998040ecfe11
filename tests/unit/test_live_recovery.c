/* test_live_recovery.c -- live/recovery.c and live/account_setup.c on the
 * documented payloads: the userTrades and income pagers against the
 * endpoints' paging rules, the income parser on the Get-Income-History
 * example, and the start-up refusals (multi-assets mode, BNFCR). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/account_setup.h"
#include "live/recovery.h"

enum { DAY_MS = 24 * 3600 * 1000 };

/* Account-Trade-List: startTime..endTime at most 7 days; fromId never with
 * a time; a full page (1000) continues by fromId. */
START_TEST(test_trade_pager) {
    trade_pager pager;
    char params[RECOVERY_PARAMS_CAPACITY];
    long long start = 1767225600000LL, end = start + 10LL * DAY_MS;
    trade_pager_init(&pager, start, end);
    ck_assert(trade_pager_query(&pager, "BTCUSDT", params, sizeof params));
    ck_assert_str_eq(params, "symbol=BTCUSDT&startTime=1767225600000&endTime=1767830399999&limit=1000");
    trade_pager_advance(&pager, 12, 500, start + DAY_MS); /* short page: the next 7-day window */
    ck_assert(trade_pager_query(&pager, "BTCUSDT", params, sizeof params));
    ck_assert_str_eq(params, "symbol=BTCUSDT&startTime=1767830400000&endTime=1768089600000&limit=1000");
    trade_pager_advance(&pager, RECOVERY_PAGE_LIMIT, 7000, start + 8LL * DAY_MS); /* full: by id */
    ck_assert(trade_pager_query(&pager, "BTCUSDT", params, sizeof params));
    ck_assert_str_eq(params, "symbol=BTCUSDT&fromId=7001&limit=1000");
    ck_assert(strstr(params, "startTime") == NULL);
    trade_pager_advance(&pager, 3, 7003, start + 9LL * DAY_MS);
    ck_assert(!trade_pager_query(&pager, "BTCUSDT", params, sizeof params));
    /* a full page that already passed the gap's end is the last */
    trade_pager_init(&pager, start, start + 1000);
    trade_pager_advance(&pager, RECOVERY_PAGE_LIMIT, 9, start + 2000);
    ck_assert(pager.done);
    /* an empty gap asks nothing */
    trade_pager_init(&pager, start, start - 1);
    ck_assert(!trade_pager_query(&pager, "BTCUSDT", params, sizeof params));
}
END_TEST

/* Get-Income-History: "If the number of data between startTime and endTime
 * is larger than limit, response will be return as startTime+limit". */
START_TEST(test_income_pager) {
    income_pager pager;
    char params[RECOVERY_PARAMS_CAPACITY];
    long long start = 1767225600000LL;
    income_pager_init(&pager, start, start + 3600000);
    ck_assert(income_pager_query(&pager, params, sizeof params));
    ck_assert_str_eq(params, "startTime=1767225600000&endTime=1767229200000&limit=1000");
    income_pager_advance(&pager, RECOVERY_PAGE_LIMIT, start + 5000); /* full: again from its last ms */
    ck_assert(income_pager_query(&pager, params, sizeof params));
    ck_assert_str_eq(params, "startTime=1767225605000&endTime=1767229200000&limit=1000");
    income_pager_advance(&pager, RECOVERY_PAGE_LIMIT, start + 5000); /* a whole page in one ms: past it */
    ck_assert(income_pager_query(&pager, params, sizeof params));
    ck_assert_str_eq(params, "startTime=1767225605001&endTime=1767229200000&limit=1000");
    income_pager_advance(&pager, 7, start + 6000);
    ck_assert(!income_pager_query(&pager, params, sizeof params));
}
END_TEST

/* The page's example response, with a FUNDING_FEE, a BNB transfer and a
 * malformed entry added.
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Get-Income-History */
START_TEST(test_parse_income) {
    const char json[] =
        "[{\"symbol\":\"\",\"incomeType\":\"TRANSFER\",\"income\":\"-0.37500000\",\"asset\":\"USDT\","
        "\"info\":\"TRANSFER\",\"time\":1570608000000,\"tranId\":9689322392,\"tradeId\":\"\"},"
        "{\"symbol\":\"BTCUSDT\",\"incomeType\":\"COMMISSION\",\"income\":\"-0.01000000\",\"asset\":\"USDT\","
        "\"info\":\"COMMISSION\",\"time\":1570636800000,\"tranId\":9689322392,\"tradeId\":\"2059192\"},"
        "{\"symbol\":\"ETHUSDT\",\"incomeType\":\"FUNDING_FEE\",\"income\":\"-1.50000000\",\"asset\":\"USDT\","
        "\"info\":\"FUNDING_FEE\",\"time\":1570636800001,\"tranId\":\"9689322393\",\"tradeId\":\"\"},"
        "{\"symbol\":\"\",\"incomeType\":\"TRANSFER\",\"income\":\"1.0\",\"asset\":\"BNB\",\"info\":\"\","
        "\"time\":1570636800002,\"tranId\":9689322394,\"tradeId\":\"\"},"
        "{\"symbol\":\"\",\"incomeType\":\"TRANSFER\",\"income\":\"abc\",\"asset\":\"USDT\",\"time\":1,\"tranId\":1}]";
    income_entry entries[8];
    long skipped = 0;
    char report[NORMALIZE_REPORT_CAPACITY];
    ck_assert_int_eq(recovery_parse_income(json, entries, 8, &skipped, report), 4);
    ck_assert_int_eq(skipped, 1);
    ck_assert(strstr(report, "skipped") != NULL);
    ck_assert_str_eq(entries[0].event_id, "I:TRANSFER:9689322392");
    ck_assert_int_eq(entries[0].kind, INCOME_TRANSFER);
    ck_assert_str_eq(entries[1].event_id, "I:COMMISSION:9689322392"); /* unique per incomeType only */
    ck_assert_int_eq(entries[1].kind, INCOME_TRADE);
    ck_assert_str_eq(entries[1].symbol, "BTCUSDT");
    ck_assert_int_eq(entries[2].kind, INCOME_FUNDING);
    ck_assert_int_eq(entries[3].kind, INCOME_IGNORED); /* not USDT */
    recovered_fill event;
    ck_assert(recovery_income_event(&entries[0], &event));
    ck_assert_int_eq(event.fact.type, FACT_TRANSFER);
    ck_assert(event.fact.amount == -0.375 && event.ts == 1570608000.0);
    ck_assert(recovery_income_event(&entries[2], &event));
    ck_assert_int_eq(event.fact.type, FACT_FUNDING);
    ck_assert(event.fact.amount == 1.5); /* paid */
    ck_assert(!recovery_income_event(&entries[1], &event));
    ck_assert_int_eq(recovery_parse_income("{\"code\":-1}", entries, 8, &skipped, report), -1);
}
END_TEST

/* Get-Current-Multi-Assets-Mode: {"multiAssetsMargin": true} is refused. */
START_TEST(test_multi_assets_refused) {
    char message[ACCOUNT_SETUP_MESSAGE_CAPACITY];
    ck_assert_int_eq(account_setup_multi_assets("{\"multiAssetsMargin\":true}", message), ACCOUNT_SETUP_REFUSED);
    ck_assert(strstr(message, "multi-assets mode") != NULL && strstr(message, "multiAssetsMargin=false") != NULL);
    ck_assert_int_eq(account_setup_multi_assets("{\"multiAssetsMargin\":false}", message), ACCOUNT_SETUP_OK);
    ck_assert_str_eq(message, "");
    ck_assert_int_eq(account_setup_multi_assets("{\"code\":-2015}", message), ACCOUNT_SETUP_MALFORMED);
}
END_TEST

/* Account-Information-V2 assets: a BNFCR balance is refused; other assets
 * with a balance are listed. */
START_TEST(test_assets) {
    char message[ACCOUNT_SETUP_MESSAGE_CAPACITY];
    const char usdt[] = "{\"asset\":\"USDT\",\"walletBalance\":\"23.72469206\",\"marginBalance\":\"23.72469206\"}";
    char json[1024];
    snprintf(json, sizeof json, "{\"assets\":[%s,{\"asset\":\"BNFCR\",\"walletBalance\":\"100.0\"}]}", usdt);
    ck_assert_int_eq(account_setup_assets(json, message), ACCOUNT_SETUP_REFUSED);
    ck_assert(strstr(message, "BNFCR") != NULL && strstr(message, "credits mode") != NULL);
    snprintf(json, sizeof json, "{\"assets\":[%s,{\"asset\":\"BNFCR\",\"walletBalance\":\"0.00000000\"},"
             "{\"asset\":\"USDC\",\"walletBalance\":\"500.5\"},{\"asset\":\"BNB\",\"walletBalance\":\"0.0\"}]}", usdt);
    ck_assert_int_eq(account_setup_assets(json, message), ACCOUNT_SETUP_OK);
    ck_assert_str_eq(message, "assets not in this USDT ledger: USDC 500.5");
    ck_assert_int_eq(account_setup_assets("[]", message), ACCOUNT_SETUP_MALFORMED);
}
END_TEST

static Suite *recovery_suite(void) {
    Suite *suite = suite_create("live_recovery");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_trade_pager);
    tcase_add_test(core, test_income_pager);
    tcase_add_test(core, test_parse_income);
    tcase_add_test(core, test_multi_assets_refused);
    tcase_add_test(core, test_assets);
    suite_add_tcase(suite, core);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(recovery_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
