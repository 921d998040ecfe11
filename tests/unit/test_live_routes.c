/* test_live_routes.c -- live/route_urls.c: the split routes appended to
 * the --ws-url base (trailing slashes ignored), stream names in lower case,
 * bytes outside ASCII percent-encoded, the SUBSCRIBE request, and URLs that
 * do not fit refused. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "live/route_urls.h"

START_TEST(test_private_url) {
    char url[ROUTE_URL_CAPACITY];
    ck_assert(route_private_url("wss://fstream.binance.com/", "KEY1", url, sizeof url));
    ck_assert_str_eq(url, "wss://fstream.binance.com/private/ws?listenKey=KEY1");
    ck_assert(!route_private_url("wss://fstream.binance.com", "KEY1", url, 20));
}
END_TEST

START_TEST(test_market_url) {
    char url[ROUTE_URL_CAPACITY];
    const char symbols[3][SYMBOL_CAPACITY] = {"BTCUSDT", "ETHUSDT", "\xe5\xb8\x81\xe5\xae\x89\xe4\xba\xba\xe7\x94\x9fUSDT"};
    ck_assert(route_market_url("wss://fstream.binancefuture.com", symbols, 2, url, sizeof url));
    ck_assert_str_eq(url, "wss://fstream.binancefuture.com/market/stream?streams=btcusdt@markPrice@1s/ethusdt@markPrice@1s");
    ck_assert(route_market_url("ws://127.0.0.1:9", symbols + 2, 1, url, sizeof url));
    ck_assert_str_eq(url, "ws://127.0.0.1:9/market/stream?streams=%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9Fusdt@markPrice@1s");
    ck_assert(!route_market_url("wss://fstream.binance.com", symbols, 3, url, 60));
}
END_TEST

START_TEST(test_subscribe_request) {
    char request[256];
    ck_assert(route_subscribe_request("ETHUSDT", 7, request, sizeof request));
    ck_assert_str_eq(request, "{\"method\":\"SUBSCRIBE\",\"params\":[\"ethusdt@markPrice@1s\"],\"id\":7}");
    ck_assert(!route_subscribe_request("ETHUSDT", 7, request, 10));
}
END_TEST

static Suite *routes_suite(void) {
    Suite *suite = suite_create("live_routes");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_private_url);
    tcase_add_test(core, test_market_url);
    tcase_add_test(core, test_subscribe_request);
    suite_add_tcase(suite, core);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(routes_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
