/* test_live_sign.c -- live/sign.c: the HMAC-SHA256 signatures of Binance's
 * documented SIGNED-endpoint examples, the query+body concatenation rule,
 * the signed query the REST client builds, redaction of secrets in log
 * lines, and the key-file mode check. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "live/rest.h"
#include "live/sign.h"

/* Binance API docs (spot "SIGNED Endpoint Examples", HMAC keys). */
START_TEST(test_documented_spot_example) {
    char signature[SIGNATURE_HEX_CAPACITY];
    ck_assert(live_sign("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
                        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
                        "&timestamp=1499827319559",
                        NULL, signature));
    ck_assert_str_eq(signature, "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
}
END_TEST

/* Binance USD-M futures docs, "SIGNED Endpoint Examples for POST /fapi/v1/order", example 1. */
START_TEST(test_documented_futures_example) {
    char signature[SIGNATURE_HEX_CAPACITY];
    ck_assert(live_sign("2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
                        "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000"
                        "&timestamp=1591702613943",
                        NULL, signature));
    ck_assert_str_eq(signature, "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9");
}
END_TEST

/* Query and body are concatenated without a separator (the docs' mixed example). */
START_TEST(test_query_and_body_concatenate) {
    const char *secret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
    char mixed[SIGNATURE_HEX_CAPACITY], joined[SIGNATURE_HEX_CAPACITY], body_only[SIGNATURE_HEX_CAPACITY];
    ck_assert(live_sign(secret, "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC",
                        "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943", mixed));
    ck_assert(live_sign(secret,
                        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=9000&recvWindow=5000"
                        "&timestamp=1591702613943",
                        NULL, joined));
    ck_assert_str_eq(mixed, joined);
    ck_assert(live_sign(secret, NULL, "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC"
                                      "&recvWindow=5000&timestamp=1591702613943", body_only));
    ck_assert_str_eq(body_only, "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9");
    ck_assert_uint_eq(strlen(mixed), 64);
}
END_TEST

/* The REST client's signed query: params, recvWindow, timestamp, then the signature of all that. */
START_TEST(test_signed_query_layout) {
    char query[REST_QUERY_CAPACITY];
    ck_assert(rest_signed_query("2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
                                "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC", 5000,
                                1591702613943LL, query, sizeof query));
    ck_assert_str_eq(query, "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000"
                            "&timestamp=1591702613943"
                            "&signature=3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9");
    ck_assert(rest_signed_query("s3cr3t", "", 5000, 1, query, sizeof query));
    ck_assert(strncmp(query, "recvWindow=5000&timestamp=1&signature=", 38) == 0);
    char tiny[16];
    ck_assert(!rest_signed_query("s3cr3t", "symbol=BTCUSDT", 5000, 1, tiny, sizeof tiny));
}
END_TEST

START_TEST(test_redaction) {
    const char *secrets[] = {"SECRETVALUE123", NULL, "KEYKEYKEY", "ab"};
    char out[256];
    live_redact("key=KEYKEYKEY secret=SECRETVALUE123 twice SECRETVALUE123 short ab", secrets, 4, out, sizeof out);
    ck_assert_str_eq(out, "key=<redacted> secret=<redacted> twice <redacted> short ab");
    ck_assert(strstr(out, "SECRET") == NULL);
    /* truncation never leaves a partial secret behind a cut marker */
    char small[12];
    live_redact("SECRETVALUE123", secrets, 4, small, sizeof small);
    ck_assert(strstr(small, "SECRET") == NULL);
    ck_assert_uint_le(strlen(small), sizeof small - 1);
}
END_TEST

/* Writes text to a fresh temp file with mode; returns its path (static). */
static const char *key_file_with_mode(const char *text, mode_t mode) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/ledgersim-keyfile-XXXXXX");
    int descriptor = mkstemp(path);
    ck_assert_int_ge(descriptor, 0);
    ck_assert_int_eq(write(descriptor, text, strlen(text)), (ssize_t)strlen(text));
    close(descriptor);
    ck_assert_int_eq(chmod(path, mode), 0);
    return path;
}

START_TEST(test_key_file_mode) {
    credentials keys;
    char error[512];
    const char *open_file = key_file_with_mode("myApiKey\nmySecretValue\n", 0644);
    ck_assert(!credentials_load(&keys, open_file, error, sizeof error));
    ck_assert(strstr(error, "refused") != NULL);
    ck_assert(strstr(error, "mySecretValue") == NULL);
    unlink(open_file);
    const char *private_file = key_file_with_mode("myApiKey\nmySecretValue\n", 0600);
    ck_assert(credentials_load(&keys, private_file, error, sizeof error));
    ck_assert_str_eq(keys.api_key, "myApiKey");
    ck_assert_str_eq(keys.api_secret, "mySecretValue");
    unlink(private_file);
    const char *named = key_file_with_mode("# keys\nBINANCE_API_SECRET=s2\nBINANCE_API_KEY=k2\n", 0400);
    ck_assert(credentials_load(&keys, named, error, sizeof error));
    ck_assert_str_eq(keys.api_key, "k2");
    ck_assert_str_eq(keys.api_secret, "s2");
    unlink(named);
    const char *half = key_file_with_mode("onlyakey\n", 0600);
    ck_assert(!credentials_load(&keys, half, error, sizeof error));
    unlink(half);
    credentials_wipe(&keys);
    ck_assert_str_eq(keys.api_secret, "");
}
END_TEST

START_TEST(test_environment_credentials) {
    credentials keys;
    char error[512];
    unsetenv("BINANCE_API_KEY");
    unsetenv("BINANCE_API_SECRET");
    ck_assert(!credentials_load(&keys, NULL, error, sizeof error));
    setenv("BINANCE_API_KEY", "envKey", 1);
    setenv("BINANCE_API_SECRET", "envSecret", 1);
    ck_assert(credentials_load(&keys, NULL, error, sizeof error));
    ck_assert_str_eq(keys.api_key, "envKey");
    ck_assert_str_eq(keys.api_secret, "envSecret");
}
END_TEST

static Suite *sign_suite(void) {
    Suite *suite = suite_create("live_sign");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_documented_spot_example);
    tcase_add_test(core, test_documented_futures_example);
    tcase_add_test(core, test_query_and_body_concatenate);
    tcase_add_test(core, test_signed_query_layout);
    tcase_add_test(core, test_redaction);
    tcase_add_test(core, test_key_file_mode);
    tcase_add_test(core, test_environment_credentials);
    suite_add_tcase(suite, core);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(sign_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
