/* test_live_normalize.c -- live/normalize.c on the payloads of the Binance
 * USD-M futures docs (user data stream: ACCOUNT_UPDATE, ORDER_TRADE_UPDATE,
 * listenKeyExpired; market streams: markPriceUpdate; REST: account,
 * positionRisk, premiumIndex, positionSide/dual, time, listenKey), their
 * variants (funding, a frame without USDT, commissions in BNB, rebates,
 * hedge entries), strict number parsing, and the normalizer's throughput. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live/normalize.h"

static normalized_event event;
static char report[NORMALIZE_REPORT_CAPACITY];

/* A mark table standing in for the kernel's marks. */
typedef struct {
    const char *symbol;
    double mark;
} test_mark;

static bool table_lookup(const void *context, const char *symbol, double *mark) {
    for (const test_mark *entry = context; entry->symbol != NULL; entry++)
        if (strcmp(entry->symbol, symbol) == 0) {
            *mark = entry->mark;
            return true;
        }
    return false;
}

static const test_mark marks[] = {{"BNBUSDT", 600.5}, {"BTCUSDT", 50000}, {NULL, 0}};

static frame_kind run(normalizer *state, const char *text) {
    return normalize_frame(state, text, strlen(text), &event, report);
}

/* The docs' ACCOUNT_UPDATE example (hedge-mode entries included). */
static const char documented_account_update[] =
    "{\"e\":\"ACCOUNT_UPDATE\",\"E\":1564745798939,\"T\":1564745798938,\"a\":{\"m\":\"ORDER\",\"B\":["
    "{\"a\":\"USDT\",\"wb\":\"122624.12345678\",\"cw\":\"100.12345678\",\"bc\":\"50.12345678\"},"
    "{\"a\":\"BUSD\",\"wb\":\"1.00000000\",\"cw\":\"0.00000000\",\"bc\":\"-49.12345678\"}],\"P\":["
    "{\"s\":\"BTCUSDT\",\"pa\":\"0\",\"ep\":\"0.00000\",\"bep\":\"0\",\"cr\":\"200\",\"up\":\"0\",\"mt\":\"isolated\","
    "\"iw\":\"0.00000000\",\"ps\":\"BOTH\"},"
    "{\"s\":\"BTCUSDT\",\"pa\":\"20\",\"ep\":\"6563.66500\",\"bep\":\"0\",\"cr\":\"0\",\"up\":\"2850.21200\","
    "\"mt\":\"isolated\",\"iw\":\"13200.70726908\",\"ps\":\"LONG\"},"
    "{\"s\":\"BTCUSDT\",\"pa\":\"-10\",\"ep\":\"6563.86000\",\"bep\":\"6563.6\",\"cr\":\"-45.04000000\","
    "\"up\":\"-1423.15600\",\"mt\":\"isolated\",\"iw\":\"6570.42511771\",\"ps\":\"SHORT\"}]}}";

/* The same in one-way mode: the BOTH entry only, and an open ETH position. */
static const char one_way_account_update[] =
    "{\"e\":\"ACCOUNT_UPDATE\",\"E\":1564745798939,\"T\":1564745798938,\"a\":{\"m\":\"ORDER\",\"B\":["
    "{\"a\":\"USDT\",\"wb\":\"122624.12345678\",\"cw\":\"100.12345678\",\"bc\":\"50.12345678\"},"
    "{\"a\":\"BUSD\",\"wb\":\"1.00000000\",\"cw\":\"0.00000000\",\"bc\":\"-49.12345678\"}],\"P\":["
    "{\"s\":\"BTCUSDT\",\"pa\":\"0\",\"ep\":\"0.00000\",\"bep\":\"0\",\"cr\":\"200\",\"up\":\"0\",\"mt\":\"isolated\","
    "\"iw\":\"0.00000000\",\"ps\":\"BOTH\"},"
    "{\"s\":\"ETHUSDT\",\"pa\":\"-1.5\",\"ep\":\"3000.5\",\"bep\":\"0\",\"cr\":\"0\",\"up\":\"-12.25\","
    "\"mt\":\"cross\",\"iw\":\"0\",\"ps\":\"BOTH\"}]}}";

START_TEST(test_documented_account_update_hedge_refused) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    ck_assert_int_eq(run(&state, documented_account_update), FRAME_INVALID);
    ck_assert(strstr(report, "hedge mode") != NULL);
}
END_TEST

START_TEST(test_account_update_one_way) {
    normalizer state;
    normalizer_init(&state, table_lookup, marks);
    ck_assert(normalizer_set_leverage(&state, "ETHUSDT", 10));
    ck_assert_int_eq(run(&state, one_way_account_update), FRAME_EVENT);
    ck_assert(strncmp(event.event_id, "AU:1564745798938:1564745798939:", 31) == 0);
    ck_assert_uint_eq(strlen(event.event_id), 31 + 16);
    char first[EVENT_ID_CAPACITY];
    snprintf(first, sizeof first, "%s", event.event_id);
    ck_assert(event.ts == 1564745798.939);
    ck_assert_uint_eq(event.fact_count, 3);
    ck_assert_int_eq(event.facts[0].type, FACT_BALANCE);
    ck_assert(event.facts[0].wallet_balance == 122624.12345678);
    ck_assert(event.facts[0].available_margin == 0 && event.facts[0].used_margin == 0);
    ck_assert_int_eq(event.facts[1].type, FACT_POSITION);
    ck_assert_str_eq(event.facts[1].symbol, "BTCUSDT");
    ck_assert(event.facts[1].qty == 0 && !signbit(event.facts[1].qty)); /* pa 0 removes */
    ck_assert_int_eq(event.facts[2].type, FACT_POSITION);
    ck_assert_str_eq(event.facts[2].symbol, "ETHUSDT");
    ck_assert(event.facts[2].qty == -1.5 && event.facts[2].entry_price == 3000.5);
    ck_assert(event.facts[2].unrealized_pnl == -12.25);
    ck_assert(event.facts[2].has_leverage && event.facts[2].leverage == 10);
    ck_assert(event.facts[2].mark_price == 0); /* no kernel mark for ETHUSDT */
    ck_assert(event.facts[1].mark_price == 50000); /* the kernel's mark */
    /* a redelivery has the same id; different content at the same T and E does not */
    ck_assert_int_eq(run(&state, one_way_account_update), FRAME_EVENT);
    ck_assert_str_eq(event.event_id, first);
    char other[4096];
    const char *at = strstr(one_way_account_update, "-12.25");
    snprintf(other, sizeof other, "%.*s-12.5%s", (int)(at - one_way_account_update), one_way_account_update, at + 6);
    ck_assert_int_eq(run(&state, other), FRAME_EVENT);
    ck_assert_str_ne(event.event_id, first);
}
END_TEST

START_TEST(test_frame_without_usdt_is_not_a_zero_wallet) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    const char *frame =
        "{\"e\":\"ACCOUNT_UPDATE\",\"E\":1564745798939,\"T\":1564745798938,\"a\":{\"m\":\"ORDER\",\"B\":["
        "{\"a\":\"BNB\",\"wb\":\"2.5\",\"cw\":\"2.5\",\"bc\":\"-0.001\"}],\"P\":[]}}";
    ck_assert_int_eq(run(&state, frame), FRAME_IGNORED);
    ck_assert(strstr(report, "no USDT balance entry") != NULL);
    ck_assert_uint_eq(event.fact_count, 0);
    /* with a position: the position only, still no balance fact */
    const char *with_position =
        "{\"e\":\"ACCOUNT_UPDATE\",\"E\":1564745798939,\"T\":1564745798938,\"a\":{\"m\":\"ORDER\",\"B\":["
        "{\"a\":\"BNB\",\"wb\":\"2.5\",\"cw\":\"2.5\",\"bc\":\"-0.001\"}],\"P\":[{\"s\":\"BTCUSDT\",\"pa\":\"0.5\","
        "\"ep\":\"50000\",\"up\":\"1\",\"ps\":\"BOTH\"}]}}";
    ck_assert_int_eq(run(&state, with_position), FRAME_EVENT);
    ck_assert_uint_eq(event.fact_count, 1);
    ck_assert_int_eq(event.facts[0].type, FACT_POSITION);
    for (size_t index = 0; index < event.fact_count; index++) ck_assert_int_ne(event.facts[index].type, FACT_BALANCE);
}
END_TEST

START_TEST(test_funding_fee) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    const char *frame =
        "{\"e\":\"ACCOUNT_UPDATE\",\"E\":1564745798939,\"T\":1564745798938,\"a\":{\"m\":\"FUNDING_FEE\",\"B\":["
        "{\"a\":\"USDT\",\"wb\":\"1000.1\",\"cw\":\"1000.1\",\"bc\":\"-0.5\"}]}}";
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert_uint_eq(event.fact_count, 2);
    ck_assert_int_eq(event.facts[0].type, FACT_FUNDING);
    ck_assert(event.facts[0].amount == 0.5); /* paid */
    ck_assert_int_eq(event.facts[1].type, FACT_BALANCE);
    ck_assert(event.facts[1].wallet_balance == 1000.1);
    /* funding received */
    const char *received =
        "{\"e\":\"ACCOUNT_UPDATE\",\"E\":1564745798940,\"T\":1564745798938,\"a\":{\"m\":\"FUNDING_FEE\",\"B\":["
        "{\"a\":\"USDT\",\"wb\":\"1000.35\",\"cw\":\"1000.35\",\"bc\":\"0.25\"}]}}";
    ck_assert_int_eq(run(&state, received), FRAME_EVENT);
    ck_assert(event.facts[0].amount == -0.25);
}
END_TEST

/* The docs' ORDER_TRADE_UPDATE example: execution type NEW, nothing to fill. */
START_TEST(test_documented_order_update_new_is_ignored) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    const char *frame =
        "{\"e\":\"ORDER_TRADE_UPDATE\",\"E\":1568879465651,\"T\":1568879465650,\"o\":{\"s\":\"BTCUSDT\",\"c\":\"TEST\","
        "\"S\":\"SELL\",\"o\":\"TRAILING_STOP_MARKET\",\"f\":\"GTC\",\"q\":\"0.001\",\"p\":\"0\",\"ap\":\"0\","
        "\"sp\":\"7103.04\",\"x\":\"NEW\",\"X\":\"NEW\",\"i\":8886774,\"l\":\"0\",\"z\":\"0\",\"L\":\"0\",\"N\":\"USDT\","
        "\"n\":\"0\",\"T\":1568879465650,\"t\":0,\"b\":\"0\",\"a\":\"9.91\",\"m\":false,\"R\":false,"
        "\"wt\":\"CONTRACT_PRICE\",\"ot\":\"TRAILING_STOP_MARKET\",\"ps\":\"LONG\",\"cp\":false,\"AP\":\"7476.89\","
        "\"cr\":\"5.0\",\"rp\":\"0\"}}";
    ck_assert_int_eq(run(&state, frame), FRAME_IGNORED);
    ck_assert_uint_eq(event.fact_count, 0);
}
END_TEST

/* The same shape with x = TRADE, in one-way mode. */
static const char trade_frame[] =
    "{\"e\":\"ORDER_TRADE_UPDATE\",\"E\":1568879465651,\"T\":1568879465650,\"o\":{\"s\":\"BTCUSDT\",\"c\":\"TEST\","
    "\"S\":\"SELL\",\"o\":\"MARKET\",\"f\":\"GTC\",\"q\":\"0.001\",\"p\":\"0\",\"ap\":\"7103.04\",\"sp\":\"0\","
    "\"x\":\"TRADE\",\"X\":\"FILLED\",\"i\":8886774,\"l\":\"0.001\",\"z\":\"0.001\",\"L\":\"7103.04\",\"N\":\"USDT\","
    "\"n\":\"0.00284121\",\"T\":1568879465650,\"t\":123456,\"b\":\"0\",\"a\":\"0\",\"m\":false,\"R\":true,"
    "\"wt\":\"CONTRACT_PRICE\",\"ot\":\"MARKET\",\"ps\":\"BOTH\",\"cp\":false,\"rp\":\"-1.5\"}}";

START_TEST(test_trade_fill) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    ck_assert(normalizer_set_leverage(&state, "BTCUSDT", 20));
    ck_assert_int_eq(run(&state, trade_frame), FRAME_EVENT);
    ck_assert_str_eq(event.event_id, "T:BTCUSDT:123456");
    ck_assert(event.ts == 1568879465.651);
    ck_assert_uint_eq(event.fact_count, 1);
    const exchange_fact *fill = &event.facts[0];
    ck_assert_int_eq(fill->type, FACT_FILL);
    ck_assert_str_eq(fill->symbol, "BTCUSDT");
    ck_assert_int_eq(fill->side, -1);
    ck_assert(fill->qty == 0.001 && fill->price == 7103.04);
    ck_assert(fill->fee == 0.00284121 && fill->realized_pnl == -1.5);
    ck_assert(fill->has_leverage && fill->leverage == 20);
    ck_assert_str_eq(report, "");
    /* redelivery: the same id */
    char first[EVENT_ID_CAPACITY];
    snprintf(first, sizeof first, "%s", event.event_id);
    ck_assert_int_eq(run(&state, trade_frame), FRAME_EVENT);
    ck_assert_str_eq(event.event_id, first);
}
END_TEST

/* Replaces the first occurrence of from by to in source (into out). */
static void replace(const char *source, const char *from, const char *to, char *out, size_t capacity) {
    const char *at = strstr(source, from);
    ck_assert_ptr_nonnull(at);
    snprintf(out, capacity, "%.*s%s%s", (int)(at - source), source, to, at + strlen(from));
}

START_TEST(test_commission_in_bnb) {
    char frame[4096];
    replace(trade_frame, "\"N\":\"USDT\",\"n\":\"0.00284121\"", "\"N\":\"BNB\",\"n\":\"0.0001\"", frame, sizeof frame);
    normalizer state;
    normalizer_init(&state, table_lookup, marks);
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert(event.facts[0].fee == 0.0001 * 600.5);
    ck_assert(strstr(report, "converted") != NULL);
    /* no mark for BNBUSDT: reported, never silently dropped */
    normalizer bare;
    normalizer_init(&bare, NULL, NULL);
    ck_assert_int_eq(run(&bare, frame), FRAME_EVENT);
    ck_assert(event.facts[0].fee == 0);
    ck_assert(strstr(report, "NOT converted") != NULL);
    ck_assert_int_eq(bare.commissions_unconverted, 1);
    /* a conversion that overflows is refused, never an infinite fee */
    replace(trade_frame, "\"N\":\"USDT\",\"n\":\"0.00284121\"", "\"N\":\"BNB\",\"n\":\"1e307\"", frame, sizeof frame);
    ck_assert_int_eq(run(&state, frame), FRAME_INVALID);
}
END_TEST

START_TEST(test_rebate_becomes_income) {
    char frame[4096];
    replace(trade_frame, "\"n\":\"0.00284121\"", "\"n\":\"-0.25\"", frame, sizeof frame);
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert(event.facts[0].fee == 0);
    ck_assert(event.facts[0].realized_pnl == -1.5 + 0.25);
    ck_assert(strstr(report, "rebate") != NULL);
}
END_TEST

START_TEST(test_strict_numbers) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    const char *bad_values[] = {"\"7103.04x\"", "\"nan\"", "\"inf\"", "\" 7103\"", "\"\"", "7103.04", "\"0x10\""};
    for (size_t index = 0; index < sizeof bad_values / sizeof bad_values[0]; index++) {
        char replacement[64], frame[4096];
        snprintf(replacement, sizeof replacement, "\"L\":%s", bad_values[index]);
        replace(trade_frame, "\"L\":\"7103.04\"", replacement, frame, sizeof frame);
        ck_assert_msg(run(&state, frame) == FRAME_INVALID, "L=%s accepted", bad_values[index]);
    }
    char frame[4096];
    replace(one_way_account_update, "\"wb\":\"122624.12345678\"", "\"wb\":122624.1", frame, sizeof frame);
    ck_assert_int_eq(run(&state, frame), FRAME_INVALID);
    ck_assert_int_eq(run(&state, "{not json"), FRAME_INVALID);
    ck_assert_int_eq(run(&state, "{\"e\":\"ACCOUNT_UPDATE\",\"E\":\"1564745798939\",\"T\":1,\"a\":{}}"), FRAME_INVALID);
}
END_TEST

START_TEST(test_mark_price_update) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    const char *documented = "{\"e\":\"markPriceUpdate\",\"E\":1562305380000,\"s\":\"BTCUSDT\",\"p\":\"11794.15000000\","
                             "\"i\":\"11784.62659091\",\"P\":\"11784.25641265\",\"r\":\"0.00038167\",\"T\":1562306400000}";
    ck_assert_int_eq(run(&state, documented), FRAME_EVENT);
    ck_assert_str_eq(event.event_id, "M:BTCUSDT:1562305380000");
    ck_assert(event.ts == 1562305380.0);
    ck_assert_uint_eq(event.fact_count, 1);
    ck_assert_int_eq(event.facts[0].type, FACT_MARK);
    ck_assert(event.facts[0].price == 11794.15);
    /* the same in a combined-stream envelope */
    char wrapped[1024];
    snprintf(wrapped, sizeof wrapped, "{\"stream\":\"btcusdt@markPrice@1s\",\"data\":%s}", documented);
    ck_assert_int_eq(run(&state, wrapped), FRAME_EVENT);
    ck_assert_str_eq(event.event_id, "M:BTCUSDT:1562305380000");
}
END_TEST

START_TEST(test_listen_key_expired_and_config) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    ck_assert_int_eq(run(&state, "{\"e\":\"listenKeyExpired\",\"E\":1576653824250}"), FRAME_LISTEN_KEY_EXPIRED);
    ck_assert_int_eq(run(&state, "{\"e\":\"listenKeyExpired\",\"E\":\"1736996475556\",\"listenKey\":"
                                 "\"WsCMN0a4KHUPTQuX6IUnqEZfB1inxmv1qR4kbf1LuEjur5VdbzqvyxqG9TSjVVxv\"}"),
                     FRAME_LISTEN_KEY_EXPIRED);
    ck_assert_int_eq(run(&state, "{\"e\":\"ACCOUNT_CONFIG_UPDATE\",\"E\":1611646737479,\"T\":1611646737476,"
                                 "\"ac\":{\"s\":\"BTCUSDT\",\"l\":25}}"),
                     FRAME_IGNORED);
    double leverage = 0;
    ck_assert(normalizer_leverage(&state, "BTCUSDT", &leverage) && leverage == 25);
    ck_assert_int_eq(run(&state, "{\"result\":null,\"id\":1}"), FRAME_IGNORED);
}
END_TEST

static const char account_json[] =
    "{\"feeTier\":0,\"canTrade\":true,\"totalWalletBalance\":\"23.72469206\",\"assets\":["
    "{\"asset\":\"USDT\",\"walletBalance\":\"23.72469206\",\"unrealizedProfit\":\"0.00000000\","
    "\"marginBalance\":\"23.72469206\",\"maintMargin\":\"0.5\",\"initialMargin\":\"5.25\","
    "\"positionInitialMargin\":\"5.25\",\"openOrderInitialMargin\":\"0.00000000\",\"crossWalletBalance\":\"23.72469206\","
    "\"crossUnPnl\":\"0.00000000\",\"availableBalance\":\"18.47469206\",\"maxWithdrawAmount\":\"18.47469206\","
    "\"marginAvailable\":true,\"updateTime\":1625474304765}],\"positions\":[]}";

static const char risk_json[] =
    "[{\"entryPrice\":\"6563.66500\",\"marginType\":\"isolated\",\"isAutoAddMargin\":\"false\",\"isolatedMargin\":"
    "\"15517.54150468\",\"leverage\":\"10\",\"liquidationPrice\":\"5930.78\",\"markPrice\":\"6679.50671178\","
    "\"maxNotionalValue\":\"20000000\",\"positionAmt\":\"20.000\",\"notional\":\"20000\",\"isolatedWallet\":\"0\","
    "\"symbol\":\"BTCUSDT\",\"unRealizedProfit\":\"2316.83423560\",\"positionSide\":\"BOTH\",\"updateTime\":1625474304765},"
    "{\"entryPrice\":\"0.0\",\"leverage\":\"20\",\"markPrice\":\"3000\",\"positionAmt\":\"0.000\",\"symbol\":\"ETHUSDT\","
    "\"unRealizedProfit\":\"0.00000000\",\"positionSide\":\"BOTH\",\"updateTime\":0}]";

static const char premium_json[] =
    "[{\"symbol\":\"BTCUSDT\",\"markPrice\":\"6679.50671178\",\"indexPrice\":\"6677.1\",\"estimatedSettlePrice\":"
    "\"6680.3\",\"lastFundingRate\":\"0.00010000\",\"interestRate\":\"0.00010000\",\"nextFundingTime\":1597392000000,"
    "\"time\":1597370495002},{\"symbol\":\"XRPUSDT\",\"markPrice\":\"0.5\",\"time\":1597370495002},"
    "{\"symbol\":\"BNBUSDT\",\"markPrice\":\"600.5\",\"time\":1597370495002}]";

START_TEST(test_resync) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    const char held[2][SYMBOL_CAPACITY] = {"BTCUSDT", "SOLUSDT"};
    const char watched[1][SYMBOL_CAPACITY] = {"BNBUSDT"};
    ck_assert_int_eq(normalize_resync(&state, 1625474304765LL, 3, account_json, risk_json, premium_json, held, 2,
                                      watched, 1, &event, report),
                     FRAME_EVENT);
    ck_assert_str_eq(event.event_id, "R:1625474304765:3");
    ck_assert(event.ts == 1625474304.765);
    /* marks (BTCUSDT open, BNBUSDT watched; XRPUSDT neither), balance, BTC position, SOL removal */
    ck_assert_uint_eq(event.fact_count, 5);
    ck_assert_int_eq(event.facts[0].type, FACT_MARK);
    ck_assert_str_eq(event.facts[0].symbol, "BTCUSDT");
    ck_assert(event.facts[0].price == 6679.50671178);
    ck_assert_int_eq(event.facts[1].type, FACT_MARK);
    ck_assert_str_eq(event.facts[1].symbol, "BNBUSDT");
    ck_assert_int_eq(event.facts[2].type, FACT_BALANCE);
    ck_assert(event.facts[2].wallet_balance == 23.72469206 && event.facts[2].available_margin == 18.47469206);
    ck_assert(event.facts[2].used_margin == 5.25 && event.facts[2].maint_margin == 0.5);
    ck_assert_int_eq(event.facts[3].type, FACT_POSITION);
    ck_assert(event.facts[3].qty == 20 && event.facts[3].entry_price == 6563.665);
    ck_assert(event.facts[3].has_leverage && event.facts[3].leverage == 10);
    ck_assert_int_eq(event.facts[4].type, FACT_POSITION);
    ck_assert_str_eq(event.facts[4].symbol, "SOLUSDT");
    ck_assert(event.facts[4].qty == 0);
    /* hedge entries refuse the resync */
    ck_assert_int_eq(normalize_resync(&state, 1, 4, account_json,
                                      "[{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"1\",\"positionSide\":\"LONG\"}]",
                                      NULL, NULL, 0, NULL, 0, &event, report),
                     FRAME_INVALID);
    /* an account without a USDT asset: no balance fact at all */
    ck_assert_int_eq(normalize_resync(&state, 2, 5, "{\"assets\":[{\"asset\":\"BNB\",\"walletBalance\":\"1\"}]}",
                                      risk_json, NULL, NULL, 0, NULL, 0, &event, report),
                     FRAME_EVENT);
    for (size_t index = 0; index < event.fact_count; index++) ck_assert_int_ne(event.facts[index].type, FACT_BALANCE);
}
END_TEST

START_TEST(test_small_rest_answers) {
    ck_assert_int_eq(normalize_position_mode("{\"dualSidePosition\":true}"), 1);
    ck_assert_int_eq(normalize_position_mode("{\"dualSidePosition\":false}"), 0);
    ck_assert_int_eq(normalize_position_mode("{}"), -1);
    long long server_time = 0;
    ck_assert(normalize_server_time("{\"serverTime\":1499827319559}", &server_time));
    ck_assert(server_time == 1499827319559LL);
    ck_assert(!normalize_server_time("{\"serverTime\":\"1\"}", &server_time));
    char key[128];
    ck_assert(normalize_listen_key("{\"listenKey\":\"pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1\"}",
                                   key, sizeof key));
    ck_assert_str_eq(key, "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1");
    ck_assert(!normalize_listen_key("{\"code\":-1125,\"msg\":\"This listenKey does not exist.\"}", key, sizeof key));
}
END_TEST

/* Throughput of the normalizer on a mix of marks, fills and account updates (printed, not asserted). */
START_TEST(test_throughput) {
    normalizer state;
    normalizer_init(&state, table_lookup, marks);
    const char *mark = "{\"stream\":\"btcusdt@markPrice@1s\",\"data\":{\"e\":\"markPriceUpdate\",\"E\":1562305380000,"
                       "\"s\":\"BTCUSDT\",\"p\":\"11794.15000000\",\"i\":\"11784.62659091\",\"P\":\"11784.25641265\","
                       "\"r\":\"0.00038167\",\"T\":1562306400000}}";
    const char *frames[] = {mark, mark, mark, trade_frame, one_way_account_update};
    size_t lengths[5];
    for (int index = 0; index < 5; index++) lengths[index] = strlen(frames[index]);
    const long rounds = 200000;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long events = 0;
    for (long round = 0; round < rounds; round++)
        if (normalize_frame(&state, frames[round % 5], lengths[round % 5], &event, report) == FRAME_EVENT) events++;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    ck_assert_int_eq(events, rounds);
    printf("normalizer: %ld frames in %.3f s: %.0f events/s\n", rounds, seconds, (double)rounds / seconds);
}
END_TEST

static Suite *normalize_suite(void) {
    Suite *suite = suite_create("live_normalize");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 30);
    tcase_add_test(core, test_documented_account_update_hedge_refused);
    tcase_add_test(core, test_account_update_one_way);
    tcase_add_test(core, test_frame_without_usdt_is_not_a_zero_wallet);
    tcase_add_test(core, test_funding_fee);
    tcase_add_test(core, test_documented_order_update_new_is_ignored);
    tcase_add_test(core, test_trade_fill);
    tcase_add_test(core, test_commission_in_bnb);
    tcase_add_test(core, test_rebate_becomes_income);
    tcase_add_test(core, test_strict_numbers);
    tcase_add_test(core, test_mark_price_update);
    tcase_add_test(core, test_listen_key_expired_and_config);
    tcase_add_test(core, test_resync);
    tcase_add_test(core, test_small_rest_answers);
    tcase_add_test(core, test_throughput);
    suite_add_tcase(suite, core);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(normalize_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
