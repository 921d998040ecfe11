/* test_live_events.c -- live/normalize.c on the documented payload of every
 * user-data event type issue 14 brings to the ledger (or deliberately does
 * not): liquidation fills, transfers, leverage changes, hedge-side entries,
 * unreadable entries, events not applied, non-ASCII symbols, symbols margined
 * in another asset, the resync and userTrades. Each payload is the example of
 * the Binance USDⓈ-M page cited above it, or that example with the fields
 * the case needs changed (said where). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/normalize.h"

static normalized_event event;
static char report[NORMALIZE_REPORT_CAPACITY];

static frame_kind run(normalizer *state, const char *text) {
    return normalize_frame(state, text, strlen(text), &event, report);
}

/* An ORDER_TRADE_UPDATE of the Event-Order-Update page's field set
 * (https://developers.binance.com/docs/derivatives/usds-margined-futures/user-data-streams/Event-Order-Update)
 * with x, c, o, t, L, l, n and rp filled in. */
static void order_update(char *out, size_t capacity, const char *execution, const char *client_id,
                         const char *order_type, long trade_id) {
    snprintf(out, capacity,
             "{\"e\":\"ORDER_TRADE_UPDATE\",\"E\":1568879465651,\"T\":1568879465650,\"o\":{\"s\":\"BTCUSDT\","
             "\"c\":\"%s\",\"S\":\"SELL\",\"o\":\"%s\",\"f\":\"IOC\",\"q\":\"0.010\",\"p\":\"48000\",\"ap\":\"48000\","
             "\"sp\":\"0\",\"x\":\"%s\",\"X\":\"FILLED\",\"i\":8886774,\"l\":\"0.010\",\"z\":\"0.010\",\"L\":\"48000\","
             "\"N\":\"USDT\",\"n\":\"0.192\",\"T\":1568879465650,\"t\":%ld,\"b\":\"0\",\"a\":\"0\",\"m\":false,"
             "\"R\":false,\"wt\":\"CONTRACT_PRICE\",\"ot\":\"%s\",\"ps\":\"BOTH\",\"cp\":false,\"rp\":\"-20.5\","
             "\"pP\":false,\"si\":0,\"ss\":0,\"V\":\"NONE\",\"pm\":\"NONE\",\"gtd\":0}}",
             client_id, order_type, execution, trade_id, order_type);
}

/* Event-Order-Update: "CALCULATED - Liquidation Execution", client id
 * "autoclose-XXX" (liquidation), "adl_autoclose" (ADL),
 * "settlement_autoclose-" (delisting or delivery): each is a fill, with the
 * stream's trade id (as userTrades gives it) and the liquidation flag. */
START_TEST(test_liquidation_fills) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    char frame[2048];
    order_update(frame, sizeof frame, "CALCULATED", "autoclose-1568879465650", "LIQUIDATION", 2001);
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert_str_eq(event.event_id, "T:BTCUSDT:2001");
    ck_assert_uint_eq(event.flags, NORMALIZED_LIQUIDATION | NORMALIZED_ALERT);
    ck_assert_uint_eq(event.fact_count, 1);
    ck_assert_int_eq(event.facts[0].type, FACT_FILL);
    ck_assert(event.facts[0].side == -1 && event.facts[0].qty == 0.01 && event.facts[0].price == 48000);
    ck_assert(event.facts[0].fee == 0.192 && event.facts[0].realized_pnl == -20.5);
    ck_assert(strstr(report, "liquidation") != NULL && strstr(report, "autoclose-") != NULL);
    order_update(frame, sizeof frame, "TRADE", "adl_autoclose", "MARKET", 2002);
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert(event.flags & NORMALIZED_LIQUIDATION);
    order_update(frame, sizeof frame, "TRADE", "settlement_autoclose-BTCUSDT", "MARKET", 2003);
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert(event.flags & NORMALIZED_LIQUIDATION);
    ck_assert_int_eq(state.liquidations, 3);
    order_update(frame, sizeof frame, "TRADE", "web_1", "MARKET", 2004); /* an ordinary fill */
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert_uint_eq(event.flags, 0);
    ck_assert_str_eq(report, "");
    order_update(frame, sizeof frame, "EXPIRED", "autoclose-1", "LIQUIDATION", 0); /* no execution, no fill */
    ck_assert_int_eq(run(&state, frame), FRAME_IGNORED);
}
END_TEST

/* An ACCOUNT_UPDATE of the Event-Balance-and-Position-Update page
 * (https://developers.binance.com/docs/derivatives/usds-margined-futures/user-data-streams/Event-Balance-and-Position-Update)
 * with reason m, the USDT entry's wb and bc, and no P. */
static void balance_update(char *out, size_t capacity, const char *reason, const char *wallet, const char *change) {
    snprintf(out, capacity,
             "{\"e\":\"ACCOUNT_UPDATE\",\"E\":1564745798939,\"T\":1564745798938,\"a\":{\"m\":\"%s\",\"B\":["
             "{\"a\":\"USDT\",\"wb\":\"%s\",\"cw\":\"%s\",\"bc\":\"%s\"}],\"P\":[]}}",
             reason, wallet, wallet, change);
}

/* The page: "bc" is the "Balance Change except PnL and Commission"; every
 * reason but ORDER and FUNDING_FEE moves money that is not trading. */
START_TEST(test_reasons_become_transfers) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    static const char *const reasons[] = {"DEPOSIT", "WITHDRAW", "WITHDRAW_REJECT", "ADJUSTMENT", "INSURANCE_CLEAR",
                                          "ADMIN_DEPOSIT", "ADMIN_WITHDRAW", "MARGIN_TRANSFER", "ASSET_TRANSFER",
                                          "OPTIONS_PREMIUM_FEE", "OPTIONS_SETTLE_PROFIT", "AUTO_EXCHANGE",
                                          "COIN_SWAP_DEPOSIT", "COIN_SWAP_WITHDRAW"};
    char frame[1024];
    for (size_t index = 0; index < sizeof reasons / sizeof reasons[0]; index++) {
        balance_update(frame, sizeof frame, reasons[index], "11000.5", index % 2 ? "-500.25" : "1000");
        ck_assert_msg(run(&state, frame) == FRAME_EVENT, "%s", reasons[index]);
        ck_assert_uint_eq(event.fact_count, 2);
        ck_assert_int_eq(event.facts[0].type, FACT_TRANSFER);
        ck_assert(event.facts[0].amount == (index % 2 ? -500.25 : 1000));
        ck_assert_int_eq(event.facts[1].type, FACT_BALANCE);
        ck_assert(event.facts[1].wallet_balance == 11000.5);
    }
    /* ORDER: bc is not a transfer (the page's own example has bc 50.12 on ORDER) */
    balance_update(frame, sizeof frame, "ORDER", "10009.295", "9.796");
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert_uint_eq(event.fact_count, 1);
    ck_assert_int_eq(event.facts[0].type, FACT_BALANCE);
    /* FUNDING_FEE: funding paid = -bc */
    balance_update(frame, sizeof frame, "FUNDING_FEE", "9998.5", "-1.5");
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert_int_eq(event.facts[0].type, FACT_FUNDING);
    ck_assert(event.facts[0].amount == 1.5);
    /* a reason with bc 0 (a margin type change) moves nothing: balance only */
    balance_update(frame, sizeof frame, "MARGIN_TYPE_CHANGE", "9998.5", "0");
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert_uint_eq(event.fact_count, 1);
}
END_TEST

/* Issue 14's frame: ps=BOTH pa=5 with ps=LONG pa=0 and ps=SHORT pa=0 (the
 * page pushes LONG/SHORT entries for initialized isolated positions; seen
 * after a switch from hedge mode). Nothing held on the hedge sides: the
 * frame applies whole, no alert. */
START_TEST(test_empty_hedge_entries_ignored) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    const char frame[] =
        "{\"e\":\"ACCOUNT_UPDATE\",\"E\":1767225601002,\"T\":1767225601000,\"a\":{\"m\":\"ORDER\",\"B\":["
        "{\"a\":\"USDT\",\"wb\":\"10000.0\",\"cw\":\"9000.0\",\"bc\":\"0\"}],\"P\":["
        "{\"s\":\"ETHUSDT\",\"pa\":\"5\",\"ep\":\"3000\",\"bep\":\"3001\",\"cr\":\"0\",\"up\":\"10\",\"mt\":\"isolated\","
        "\"iw\":\"1000\",\"ps\":\"BOTH\",\"ma\":\"USDT\"},"
        "{\"s\":\"ETHUSDT\",\"pa\":\"0\",\"ep\":\"0\",\"bep\":\"0\",\"cr\":\"0\",\"up\":\"0\",\"mt\":\"isolated\","
        "\"iw\":\"0\",\"ps\":\"LONG\",\"ma\":\"USDT\"},"
        "{\"s\":\"ETHUSDT\",\"pa\":\"0\",\"ep\":\"0\",\"bep\":\"0\",\"cr\":\"0\",\"up\":\"0\",\"mt\":\"isolated\","
        "\"iw\":\"0\",\"ps\":\"SHORT\",\"ma\":\"USDT\"}]}}";
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert_uint_eq(event.flags, 0);
    ck_assert_str_eq(report, "");
    ck_assert_uint_eq(event.fact_count, 2);
    ck_assert_int_eq(event.facts[0].type, FACT_BALANCE);
    ck_assert_int_eq(event.facts[1].type, FACT_POSITION);
    ck_assert(event.facts[1].qty == 5 && event.facts[1].entry_price == 3000);
}
END_TEST

/* One entry the adapter cannot read is skipped and reported, never the
 * frame: a balance entry without an asset, a position with a malformed pa. */
START_TEST(test_unreadable_entries_skipped) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    const char frame[] =
        "{\"e\":\"ACCOUNT_UPDATE\",\"E\":1767225601002,\"T\":1767225601000,\"a\":{\"m\":\"ORDER\",\"B\":["
        "{\"wb\":\"1\"},{\"a\":\"USDT\",\"wb\":\"10000.0\",\"cw\":\"10000.0\",\"bc\":\"0\"}],\"P\":["
        "{\"s\":\"BTCUSDT\",\"pa\":\"1e\",\"ep\":\"1\",\"up\":\"0\",\"ps\":\"BOTH\"},"
        "{\"s\":\"ETHUSDT\",\"pa\":\"-2\",\"ep\":\"3000\",\"up\":\"0\",\"ps\":\"BOTH\"}]}}";
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert_uint_eq(event.fact_count, 2);
    ck_assert(event.facts[0].type == FACT_BALANCE && event.facts[0].wallet_balance == 10000);
    ck_assert(event.facts[1].type == FACT_POSITION && event.facts[1].qty == -2);
    ck_assert_int_eq(state.entries_skipped, 2);
    ck_assert(strstr(report, "balance entry without a readable asset") != NULL);
    ck_assert(strstr(report, "BTCUSDT") != NULL);
}
END_TEST

/* Event-User-Account-Configuration-Update-previous-Leverage-Update
 * (https://developers.binance.com/docs/derivatives/usds-margined-futures/user-data-streams/Event-User-Account-Configuration-Update-previous-Leverage-Update):
 * "ac" (a leverage) becomes a leverage fact; "ai" with j true (multi-assets
 * mode on) is an alert and a resync. */
START_TEST(test_account_config_update) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    ck_assert_int_eq(run(&state, "{\"e\":\"ACCOUNT_CONFIG_UPDATE\",\"E\":1611646737479,\"T\":1611646737476,"
                                 "\"ac\":{\"s\":\"BTCUSDT\",\"l\":25}}"),
                     FRAME_EVENT);
    ck_assert_uint_eq(event.fact_count, 1);
    ck_assert_int_eq(event.facts[0].type, FACT_LEVERAGE);
    ck_assert_str_eq(event.facts[0].symbol, "BTCUSDT");
    ck_assert(event.facts[0].leverage == 25);
    /* the next fill of the symbol carries it too */
    double leverage = 0;
    ck_assert(normalizer_leverage(&state, "BTCUSDT", &leverage) && leverage == 25);
    ck_assert_int_eq(run(&state, "{\"e\":\"ACCOUNT_CONFIG_UPDATE\",\"E\":1611646737479,\"T\":1611646737476,"
                                 "\"ai\":{\"j\":true}}"),
                     FRAME_IGNORED);
    ck_assert_uint_eq(event.flags, NORMALIZED_ALERT | NORMALIZED_RESYNC);
    ck_assert(strstr(report, "multi-assets") != NULL);
    ck_assert_int_eq(run(&state, "{\"e\":\"ACCOUNT_CONFIG_UPDATE\",\"E\":1611646737479,\"T\":1611646737476,"
                                 "\"ai\":{\"j\":false}}"),
                     FRAME_IGNORED);
    ck_assert_uint_eq(event.flags, 0);
    ck_assert_int_eq(run(&state, "{\"e\":\"ACCOUNT_CONFIG_UPDATE\",\"E\":1,\"T\":1,\"ac\":{\"s\":\"BTCUSDT\",\"l\":0}}"),
                     FRAME_INVALID);
}
END_TEST

/* Events not applied. MARGIN_CALL
 * (https://developers.binance.com/docs/derivatives/usds-margined-futures/user-data-streams/Event-Margin-Call)
 * and CONDITIONAL_ORDER_TRIGGER_REJECT
 * (https://developers.binance.com/docs/derivatives/usds-margined-futures/user-data-streams/Event-Conditional-Order-Trigger-Reject)
 * are warnings; TRADE_LITE (.../Event-Trade-Lite), STRATEGY_UPDATE
 * (.../Event-Strategy-Update), GRID_UPDATE (.../Event-Grid-Update) are
 * counted. Every one is counted per type. */
START_TEST(test_events_not_applied) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    ck_assert_int_eq(run(&state, "{\"e\":\"MARGIN_CALL\",\"E\":1587727187525,\"cw\":\"3.16812045\",\"p\":["
                                 "{\"s\":\"ETHUSDT\",\"ps\":\"LONG\",\"pa\":\"1.327\",\"mt\":\"CROSSED\",\"iw\":\"0\","
                                 "\"mp\":\"187.17127\",\"up\":\"-1.166074\",\"mm\":\"1.614445\"}]}"),
                     FRAME_IGNORED);
    ck_assert_uint_eq(event.flags, NORMALIZED_ALERT);
    ck_assert(strstr(report, "MARGIN_CALL") != NULL && strstr(report, "ETHUSDT") != NULL &&
              strstr(report, "1.614445") != NULL);
    ck_assert_int_eq(run(&state, "{\"e\":\"CONDITIONAL_ORDER_TRIGGER_REJECT\",\"E\":1685517224945,\"T\":1685517224955,"
                                 "\"or\":{\"s\":\"ETHUSDT\",\"i\":155618472834,\"r\":\"Due to the order could not be "
                                 "filled immediately, the FOK order has been rejected.\"}}"),
                     FRAME_IGNORED);
    ck_assert_uint_eq(event.flags, NORMALIZED_ALERT);
    ck_assert(strstr(report, "155618472834") != NULL && strstr(report, "FOK") != NULL);
    const char trade_lite[] = "{\"e\":\"TRADE_LITE\",\"E\":1721895408092,\"T\":1721895408214,\"s\":\"BTCUSDT\","
                              "\"q\":\"0.001\",\"p\":\"0\",\"m\":false,\"c\":\"z8hcUoOsqEdKMeKPSABslD\",\"S\":\"BUY\","
                              "\"L\":\"64089.20\",\"l\":\"0.040\",\"t\":109100866,\"i\":8886774}";
    for (int round = 0; round < 2; round++) {
        ck_assert_int_eq(run(&state, trade_lite), FRAME_IGNORED);
        ck_assert_uint_eq(event.flags, 0);
        ck_assert_str_eq(report, "");
    }
    ck_assert_int_eq(run(&state, "{\"e\":\"STRATEGY_UPDATE\",\"T\":1669262908216,\"E\":1669262908218,\"su\":{"
                                 "\"si\":176054594,\"st\":\"GRID\",\"ss\":\"NEW\",\"s\":\"BTCUSDT\","
                                 "\"ut\":1669262908193,\"c\":180}}"),
                     FRAME_IGNORED);
    ck_assert_int_eq(run(&state, "{\"e\":\"GRID_UPDATE\",\"T\":1669262908216,\"E\":1669262908218,\"gu\":{"
                                 "\"si\":176057039,\"st\":\"GRID\",\"ss\":\"WORKING\",\"s\":\"BTCUSDT\","
                                 "\"r\":\"-0.00300716\",\"up\":\"16720\",\"uq\":\"-0.001\",\"uf\":\"-0.00300716\","
                                 "\"mp\":\"0.0\",\"ut\":1669262908197}}"),
                     FRAME_IGNORED);
    char summary[256];
    ck_assert_int_eq(normalizer_unapplied_summary(&state, summary, sizeof summary), 6);
    ck_assert_str_eq(summary, "CONDITIONAL_ORDER_TRIGGER_REJECT 1, GRID_UPDATE 1, MARGIN_CALL 1, STRATEGY_UPDATE 1, "
                              "TRADE_LITE 2");
}
END_TEST

/* Non-ASCII listings (`币安人生USDT`, listed 2025-10): UTF-8 symbols up to
 * the byte limit are symbols. */
START_TEST(test_utf8_symbols) {
    ck_assert(normalize_symbol_valid("币安人生USDT", strlen("币安人生USDT")));
    ck_assert(normalize_symbol_valid("BTCUSDT_260327", 14));
    ck_assert(!normalize_symbol_valid("", 0));
    ck_assert(!normalize_symbol_valid("BTC USDT", 8));
    ck_assert(!normalize_symbol_valid("\xe5\xb8USDT", 6));        /* cut short */
    ck_assert(!normalize_symbol_valid("\xc0\xafUSDT", 6));        /* overlong */
    ck_assert(!normalize_symbol_valid("\xed\xa0\x80USDT", 7));    /* surrogate */
    char longest[SYMBOL_CAPACITY + 1];
    memset(longest, 'A', sizeof longest);
    ck_assert(normalize_symbol_valid(longest, SYMBOL_CAPACITY - 1));
    ck_assert(!normalize_symbol_valid(longest, SYMBOL_CAPACITY));
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    ck_assert_int_eq(run(&state, "{\"e\":\"markPriceUpdate\",\"E\":1767225600000,\"s\":\"币安人生USDT\","
                                 "\"p\":\"0.1234\",\"i\":\"0.1233\",\"P\":\"0.1235\",\"r\":\"0.0001\",\"T\":1}"),
                     FRAME_EVENT);
    ck_assert_str_eq(event.facts[0].symbol, "币安人生USDT");
    ck_assert_str_eq(event.event_id, "M:币安人生USDT:1767225600000");
}
END_TEST

/* A position margined in another asset (the P entry's "ma") stays out of
 * the USDT ledger and is reported once; a USDC contract's fill too. */
START_TEST(test_other_margin_asset_left_out) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    const char frame[] =
        "{\"e\":\"ACCOUNT_UPDATE\",\"E\":1767225601002,\"T\":1767225601000,\"a\":{\"m\":\"ORDER\",\"B\":["
        "{\"a\":\"USDT\",\"wb\":\"10000.0\",\"cw\":\"10000.0\",\"bc\":\"0\"}],\"P\":["
        "{\"s\":\"ETHBTC_PERP\",\"pa\":\"1\",\"ep\":\"0.05\",\"up\":\"0\",\"ps\":\"BOTH\",\"ma\":\"BTC\"}]}}";
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert_uint_eq(event.fact_count, 1);
    ck_assert(strstr(report, "ETHBTC_PERP is margined in BTC") != NULL);
    ck_assert_int_eq(run(&state, frame), FRAME_EVENT);
    ck_assert_str_eq(report, ""); /* once */
    char fill[2048];
    order_update(fill, sizeof fill, "TRADE", "web_1", "MARKET", 7);
    char *symbol = strstr(fill, "BTCUSDT");
    memcpy(symbol, "BTCUSDC", 7);
    ck_assert_int_eq(run(&state, fill), FRAME_IGNORED);
    ck_assert(strstr(report, "BTCUSDC is margined in USDC") != NULL);
}
END_TEST

/* The resync reads positionRisk whole: an unreadable entry and a non-ASCII
 * listing at 0 do not stop it. */
START_TEST(test_resync_skips_entries) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    const char account[] = "{\"assets\":[{\"asset\":\"USDT\",\"walletBalance\":\"100\",\"availableBalance\":\"90\","
                           "\"initialMargin\":\"10\",\"maintMargin\":\"1\"}],\"positions\":[]}";
    const char risks[] = "[{\"symbol\":\"币安人生USDT\",\"positionAmt\":\"0\",\"entryPrice\":\"0\",\"leverage\":\"5\","
                         "\"positionSide\":\"BOTH\"},"
                         "{\"symbol\":\"BAD SYMBOL\",\"positionAmt\":\"1\"},"
                         "{\"symbol\":\"ETHUSDT\",\"positionAmt\":\"x\"},"
                         "{\"symbol\":\"BTCUSDT\",\"positionAmt\":\"0.5\",\"entryPrice\":\"50000\","
                         "\"markPrice\":\"50100\",\"unRealizedProfit\":\"50\",\"leverage\":\"10\","
                         "\"positionSide\":\"BOTH\",\"marginAsset\":\"USDT\"}]";
    resync_inputs inputs = {.server_time_ms = 1767225600000LL, .sequence = 1, .account_json = account,
                            .position_risk_json = risks};
    ck_assert_int_eq(normalize_resync(&state, &inputs, &event, report), FRAME_EVENT);
    ck_assert_uint_eq(event.fact_count, 2);
    ck_assert(event.facts[0].type == FACT_BALANCE && event.facts[0].used_margin == 10);
    ck_assert(event.facts[1].type == FACT_POSITION && event.facts[1].qty == 0.5 && event.facts[1].leverage == 10);
    ck_assert_int_eq(state.entries_skipped, 2);
}
END_TEST

/* /fapi/v1/userTrades (https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Account-Trade-List):
 * ids the stream's, the trade id kept for fromId paging, a bad trade skipped. */
START_TEST(test_user_trades) {
    normalizer state;
    normalizer_init(&state, NULL, NULL);
    const char trades[] =
        "[{\"buyer\":false,\"commission\":\"-0.07819010\",\"commissionAsset\":\"USDT\",\"id\":698759,"
        "\"maker\":false,\"orderId\":25851813,\"price\":\"7819.01\",\"qty\":\"0.002\",\"quoteQty\":\"15.63802\","
        "\"realizedPnl\":\"-0.91539999\",\"side\":\"SELL\",\"positionSide\":\"SHORT\",\"symbol\":\"BTCUSDT\","
        "\"time\":1569514978020},"
        "{\"buyer\":false,\"commission\":\"0.07819010\",\"commissionAsset\":\"USDT\",\"id\":698760,"
        "\"maker\":false,\"orderId\":25851814,\"price\":\"7819.01\",\"qty\":\"0.002\",\"quoteQty\":\"15.63802\","
        "\"realizedPnl\":\"-0.91539999\",\"side\":\"SELL\",\"positionSide\":\"BOTH\",\"symbol\":\"BTCUSDT\","
        "\"time\":1569514978020}]";
    recovered_fill fills[4];
    ck_assert_int_eq(normalize_user_trades(&state, trades, fills, 4, report), 1);
    ck_assert_str_eq(fills[0].event_id, "T:BTCUSDT:698760");
    ck_assert(fills[0].trade_id == 698760);
    ck_assert(fills[0].fact.fee == 0.0781901 && fills[0].fact.realized_pnl == -0.91539999);
    ck_assert(strstr(report, "skipped") != NULL);
}
END_TEST

static Suite *events_suite(void) {
    Suite *suite = suite_create("live_events");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_liquidation_fills);
    tcase_add_test(core, test_reasons_become_transfers);
    tcase_add_test(core, test_empty_hedge_entries_ignored);
    tcase_add_test(core, test_unreadable_entries_skipped);
    tcase_add_test(core, test_account_config_update);
    tcase_add_test(core, test_events_not_applied);
    tcase_add_test(core, test_utf8_symbols);
    tcase_add_test(core, test_other_margin_asset_left_out);
    tcase_add_test(core, test_resync_skips_entries);
    tcase_add_test(core, test_user_trades);
    suite_add_tcase(suite, core);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(events_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
