/* test_venue.c -- sim/venue.c: the simulated exchange of a backtest.
 * Market fills at the venue's mark with slippage and the taker fee; realized
 * PnL from the venue's own book (reduce, flip) by the kernel's fold rules;
 * reduce-only exits for the whole position at a given price; rejections
 * (no mark, zero or non-finite quantity, nothing to reduce, out of range)
 * that leave everything untouched; funding signs; the account facts each
 * event carries; money conservation. Expected values are computed by hand. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "sim/event.h"
#include "sim/venue.h"

/* A venue with seed 10000, the given taker fee and slippage (allocated). */
static venue *new_venue(double taker_rate, double slippage_bps) {
    kernel_config config;
    config_defaults(&config);
    config.seed_capital = 10000;
    config.fee_taker_rate = taker_rate;
    config.slippage_bps = slippage_bps;
    venue *exchange = malloc(sizeof *exchange);
    ck_assert_ptr_nonnull(exchange);
    venue_init(exchange, &config);
    return exchange;
}

/* An event (allocated) holding one mark fact per (symbol, price) pair. */
static exchange_event *mark_event(const char *symbol, double price) {
    exchange_event *event = calloc(1, sizeof *event); /* zeroed: every fact slot is readable */
    ck_assert_ptr_nonnull(event);
    event_start(event, "row2", true, 1, 2);
    exchange_fact fact;
    memset(&fact, 0, sizeof fact);
    fact.type = FACT_MARK;
    snprintf(fact.symbol, sizeof fact.symbol, "%s", symbol);
    fact.price = price;
    ck_assert(event_add_fact(event, &fact));
    return event;
}

/* Gives the venue a mark. */
static void set_mark(venue *exchange, const char *symbol, double price) {
    exchange_event *event = mark_event(symbol, price);
    venue_observe_marks(exchange, event);
    free(event);
}

/* A market order (not reduce-only) at the venue's mark. */
static venue_order market(const char *symbol, int side, double qty, double ts) {
    venue_order order = {.ts = ts, .side = side, .qty = qty, .reason = "strategy"};
    snprintf(order.symbol, sizeof order.symbol, "%s", symbol);
    return order;
}

/* Equal within 1e-9 relative (sums of fees and prices round). */
static bool close_to(double value, double expected) { return fabs(value - expected) <= 1e-9 * fmax(1, fabs(expected)); }

START_TEST(test_market_fill_at_mark_with_fee) {
    venue *exchange = new_venue(0.0004, 0);
    exchange_event *event = malloc(sizeof *event);
    set_mark(exchange, "BTCUSDT", 50000);
    venue_order order = market("BTCUSDT", 1, 0.1, 7);
    order_record record;
    ck_assert(venue_execute(exchange, &order, event, &record));
    ck_assert_str_eq(event->event_id, "v1");
    ck_assert(!event->synthetic && event->ts == 7 && event->fact_count == 3);
    const exchange_fact *fill = &event->facts[0], *balance = &event->facts[1], *position = &event->facts[2];
    ck_assert(fill->type == FACT_FILL && fill->side == 1 && fill->qty == 0.1 && fill->price == 50000);
    ck_assert(close_to(fill->fee, 2) && fill->realized_pnl == 0 && fill->has_leverage && fill->leverage == 1);
    ck_assert_str_eq(fill->symbol, "BTCUSDT");
    ck_assert(balance->type == FACT_BALANCE && close_to(balance->wallet_balance, 9998));
    ck_assert(close_to(balance->used_margin, 5000) && close_to(balance->available_margin, 4998));
    ck_assert(balance->maint_margin == 0);
    ck_assert(position->type == FACT_POSITION && position->qty == 0.1 && position->entry_price == 50000);
    ck_assert(position->mark_price == 50000 && position->unrealized_pnl == 0);
    ck_assert(record.filled && record.side == 1 && record.qty == 0.1 && record.price == 50000);
    ck_assert(close_to(record.fee, 2) && record.realized_pnl == 0 && record.ts == 7);
    ck_assert_str_eq(record.reason, "strategy");
    ck_assert(exchange->orders_filled == 1 && exchange->orders_rejected == 0);
    ck_assert(venue_position(exchange, "BTCUSDT") == 0.1);
    ck_assert(venue_conservation_error(exchange) <= 1e-12);
    free(event);
    free(exchange);
}
END_TEST

START_TEST(test_slippage_moves_against_the_taker) {
    venue *exchange = new_venue(0, 10);
    exchange_event *event = malloc(sizeof *event);
    set_mark(exchange, "ETHUSDT", 2000);
    order_record record;
    venue_order buy = market("ETHUSDT", 1, 1, 1);
    ck_assert(venue_execute(exchange, &buy, event, &record));
    ck_assert(close_to(record.price, 2002)); /* 10 bps above */
    venue_order sell = market("ETHUSDT", -1, 1, 2);
    ck_assert(venue_execute(exchange, &sell, event, &record));
    ck_assert(close_to(record.price, 1998)); /* 10 bps below */
    ck_assert(close_to(record.realized_pnl, -4));
    ck_assert(close_to(exchange->wallet_balance, 9996));
    ck_assert_str_eq(event->event_id, "v2");
    free(event);
    free(exchange);
}
END_TEST

/* Equal to the cent (half a cent either way). */
static bool to_the_cent(double value, double expected) { return fabs(value - expected) < 0.005; }

START_TEST(test_fee_and_slippage_together_both_sides) {
    /* Hand computation, taker 0.0004, slippage 10 bps, seed 10000:
     *   BUY 2 at mark 50000: price 50000 * 1.001 = 50050, fee 2 * 50050 * 0.0004 = 40.04
     *     (on the price before slippage it would be 40.00), wallet 9959.96;
     *   SELL 2 at mark 51000: price 51000 * 0.999 = 50949, fee 2 * 50949 * 0.0004 = 40.7592
     *     (on 51000: 40.80), realized 2 * (50949 - 50050) = 1798,
     *     wallet 9959.96 + 1798 - 40.7592 = 11717.2008. */
    venue *exchange = new_venue(0.0004, 10);
    exchange_event *event = malloc(sizeof *event);
    set_mark(exchange, "BTCUSDT", 50000);
    order_record record;
    venue_order buy = market("BTCUSDT", 1, 2, 1);
    ck_assert(venue_execute(exchange, &buy, event, &record));
    ck_assert(to_the_cent(record.price, 50050) && to_the_cent(record.fee, 40.04));
    ck_assert(to_the_cent(event->facts[0].fee, 40.04) && to_the_cent(event->facts[0].price, 50050));
    ck_assert(to_the_cent(event->facts[1].wallet_balance, 9959.96));
    ck_assert(to_the_cent(exchange->wallet_balance, 9959.96));
    set_mark(exchange, "BTCUSDT", 51000);
    venue_order sell = market("BTCUSDT", -1, 2, 2);
    ck_assert(venue_execute(exchange, &sell, event, &record));
    ck_assert(to_the_cent(record.price, 50949) && to_the_cent(record.fee, 40.7592));
    ck_assert(to_the_cent(record.realized_pnl, 1798));
    ck_assert(to_the_cent(event->facts[0].fee, 40.7592) && to_the_cent(event->facts[0].realized_pnl, 1798));
    ck_assert(to_the_cent(event->facts[1].wallet_balance, 11717.2008));
    ck_assert(to_the_cent(exchange->wallet_balance, 11717.2008));
    ck_assert(to_the_cent(exchange->fees_total, 80.7992));
    ck_assert(venue_position(exchange, "BTCUSDT") == 0);
    /* a short opened with both: SELL 1 at 51000 -> 50949, fee 20.3796 */
    venue_order open_short = market("BTCUSDT", -1, 1, 3);
    ck_assert(venue_execute(exchange, &open_short, event, &record));
    ck_assert(to_the_cent(record.price, 50949) && to_the_cent(record.fee, 20.3796));
    ck_assert(to_the_cent(exchange->wallet_balance, 11696.8212));
    free(event);
    free(exchange);
}
END_TEST

START_TEST(test_realized_on_reduce_and_flip) {
    venue *exchange = new_venue(0.001, 0);
    exchange_event *event = malloc(sizeof *event);
    order_record record;
    set_mark(exchange, "SOLUSDT", 100);
    venue_order open = market("SOLUSDT", 1, 1, 1);
    ck_assert(venue_execute(exchange, &open, event, &record));
    ck_assert(close_to(record.fee, 0.1));
    set_mark(exchange, "SOLUSDT", 110);
    venue_order reduce = market("SOLUSDT", -1, 0.4, 2);
    ck_assert(venue_execute(exchange, &reduce, event, &record));
    ck_assert(close_to(record.realized_pnl, 4));   /* 0.4 * (110 - 100) */
    ck_assert(close_to(record.fee, 0.044));
    ck_assert(close_to(venue_position(exchange, "SOLUSDT"), 0.6));
    set_mark(exchange, "SOLUSDT", 90);
    venue_order flip = market("SOLUSDT", -1, 1.6, 3);
    ck_assert(venue_execute(exchange, &flip, event, &record));
    ck_assert(close_to(record.realized_pnl, -6));  /* 0.6 closed at 90 */
    ck_assert(close_to(venue_position(exchange, "SOLUSDT"), -1));
    const exchange_fact *position = &event->facts[2];
    ck_assert(close_to(position->qty, -1) && position->entry_price == 90);
    ck_assert(close_to(exchange->realized_total, -2));
    ck_assert(close_to(exchange->fees_total, 0.1 + 0.044 + 0.144));
    ck_assert(close_to(exchange->wallet_balance, 10000 - 2 - 0.288));
    ck_assert(venue_conservation_error(exchange) <= 1e-12);
    /* back to flat: the position fact says 0 (it removes the exchange position) */
    venue_order flat = market("SOLUSDT", 1, 1, 4);
    ck_assert(venue_execute(exchange, &flat, event, &record));
    ck_assert(event->facts[2].qty == 0 && event->facts[2].entry_price == 0);
    ck_assert(event->facts[1].used_margin == 0);
    free(event);
    free(exchange);
}
END_TEST

START_TEST(test_reduce_only_closes_the_whole_position_at_its_price) {
    venue *exchange = new_venue(0.0004, 0);
    exchange_event *event = malloc(sizeof *event);
    order_record record;
    set_mark(exchange, "BTCUSDT", 50000);
    venue_order open = market("BTCUSDT", -1, 0.3, 1);
    ck_assert(venue_execute(exchange, &open, event, &record));
    set_mark(exchange, "BTCUSDT", 48000);
    venue_order exit = {.ts = 2, .side = 1, .qty = 0.1, .reduce_only = true, .has_base_price = true,
                        .base_price = 49000, .reason = "exit TP"};
    snprintf(exit.symbol, sizeof exit.symbol, "BTCUSDT");
    ck_assert(venue_execute(exchange, &exit, event, &record));
    ck_assert(record.qty == 0.3 && record.price == 49000);     /* whole position, at the given price */
    ck_assert(close_to(record.realized_pnl, 300));             /* short 0.3 from 50000 to 49000 */
    ck_assert_str_eq(record.reason, "exit TP");
    ck_assert(venue_position(exchange, "BTCUSDT") == 0);
    /* nothing left to reduce: rejected, nothing moves */
    double wallet = exchange->wallet_balance;
    long events = exchange->event_number;
    ck_assert(!venue_execute(exchange, &exit, event, &record));
    ck_assert(!record.filled);
    ck_assert_str_eq(record.reason, "reduce-only: no position to reduce");
    ck_assert(exchange->wallet_balance == wallet && exchange->event_number == events);
    /* a reduce-only order on the position's own side is rejected too */
    venue_order buy = market("BTCUSDT", 1, 0.1, 3);
    ck_assert(venue_execute(exchange, &buy, event, &record));
    exit.side = 1;
    ck_assert(!venue_execute(exchange, &exit, event, &record));
    ck_assert(exchange->orders_rejected == 2 && exchange->orders_filled == 3);
    free(event);
    free(exchange);
}
END_TEST

START_TEST(test_rejections_leave_everything_untouched) {
    venue *exchange = new_venue(0.0004, 0);
    exchange_event *event = malloc(sizeof *event);
    event_start(event, "untouched", false, 0, 0);
    order_record record;
    venue_order no_mark = market("XRPUSDT", 1, 10, 1);
    ck_assert(!venue_execute(exchange, &no_mark, event, &record));
    ck_assert_str_eq(record.reason, "no mark");
    ck_assert(!record.filled && record.qty == 10 && record.side == 1);
    ck_assert_str_eq(record.symbol, "XRPUSDT");
    set_mark(exchange, "XRPUSDT", 2);
    venue_order zero = market("XRPUSDT", 1, 0, 2);
    ck_assert(!venue_execute(exchange, &zero, event, &record));
    ck_assert_str_eq(record.reason, "zero quantity");
    venue_order not_finite = market("XRPUSDT", -1, NAN, 3);
    ck_assert(!venue_execute(exchange, &not_finite, event, &record));
    ck_assert_str_eq(record.reason, "quantity not finite");
    venue_order negative = market("XRPUSDT", -1, -1, 3);
    ck_assert(!venue_execute(exchange, &negative, event, &record));
    set_mark(exchange, "HUGEUSDT", 1e300);
    venue_order huge = market("HUGEUSDT", 1, 1e300, 4);
    ck_assert(!venue_execute(exchange, &huge, event, &record));
    ck_assert_str_eq(record.reason, "price or amount out of range");
    ck_assert_str_eq(event->event_id, "untouched");
    ck_assert(event->fact_count == 0 && exchange->event_number == 0 && exchange->orders_rejected == 5);
    ck_assert(exchange->wallet_balance == 10000 && venue_position(exchange, "XRPUSDT") == 0);
    free(event);
    free(exchange);
}
END_TEST

START_TEST(test_funding_signs) {
    venue *exchange = new_venue(0, 0);
    exchange_event *event = malloc(sizeof *event);
    order_record record;
    ck_assert(venue_charge_funding(exchange, "BTCUSDT", 0.0001, 1, event) == VENUE_FUNDING_NO_POSITION);
    set_mark(exchange, "BTCUSDT", 50000);
    set_mark(exchange, "ETHUSDT", 2000);
    ck_assert(venue_charge_funding(exchange, "BTCUSDT", 0.0001, 1, event) == VENUE_FUNDING_NO_POSITION);
    venue_order long_btc = market("BTCUSDT", 1, 1, 1);
    venue_order short_eth = market("ETHUSDT", -1, 10, 1);
    ck_assert(venue_execute(exchange, &long_btc, event, &record));
    ck_assert(venue_execute(exchange, &short_eth, event, &record));
    /* a long pays when the rate is positive */
    ck_assert(venue_charge_funding(exchange, "BTCUSDT", 0.0001, 2, event) == VENUE_FUNDING_CHARGED);
    ck_assert_str_eq(event->event_id, "v3");
    ck_assert(event->fact_count == 2 && event->facts[0].type == FACT_FUNDING && event->facts[1].type == FACT_BALANCE);
    ck_assert(close_to(event->facts[0].amount, 5));
    ck_assert_str_eq(event->facts[0].symbol, "BTCUSDT");
    ck_assert(close_to(event->facts[1].wallet_balance, 9995));
    /* a short receives when the rate is positive, pays when it is negative */
    ck_assert(venue_charge_funding(exchange, "ETHUSDT", 0.0001, 3, event) == VENUE_FUNDING_CHARGED);
    ck_assert(close_to(event->facts[0].amount, -2));
    ck_assert(venue_charge_funding(exchange, "ETHUSDT", -0.0003, 4, event) == VENUE_FUNDING_CHARGED);
    ck_assert(close_to(event->facts[0].amount, 6));
    ck_assert(close_to(exchange->funding_total, 9) && close_to(exchange->wallet_balance, 9991));
    ck_assert(exchange->funding_charges == 3);
    ck_assert(venue_charge_funding(exchange, "ETHUSDT", 1e308, 5, event) == VENUE_FUNDING_OUT_OF_RANGE);
    ck_assert(close_to(exchange->wallet_balance, 9991));
    ck_assert(venue_conservation_error(exchange) <= 1e-12);
    free(event);
    free(exchange);
}
END_TEST

START_TEST(test_account_refresh_with_marks) {
    venue *exchange = new_venue(0, 0);
    exchange_event *event = malloc(sizeof *event);
    order_record record;
    set_mark(exchange, "BTCUSDT", 100);
    venue_order open = market("BTCUSDT", 1, 2, 1);
    ck_assert(venue_execute(exchange, &open, event, &record));
    free(event);
    /* a mark of a symbol it does not hold: nothing appended */
    event = mark_event("ETHUSDT", 10);
    venue_observe_marks(exchange, event);
    ck_assert_uint_eq(venue_append_account(exchange, event), 0);
    ck_assert_uint_eq(event->fact_count, 1);
    free(event);
    /* a mark of a held symbol: its position and the balance at the new mark */
    event = mark_event("BTCUSDT", 105);
    venue_observe_marks(exchange, event);
    ck_assert_uint_eq(venue_append_account(exchange, event), 2);
    ck_assert_uint_eq(event->fact_count, 3);
    ck_assert(event->facts[1].type == FACT_POSITION && event->facts[1].mark_price == 105);
    ck_assert(event->facts[1].unrealized_pnl == 10);
    ck_assert(event->facts[2].type == FACT_BALANCE && event->facts[2].used_margin == 210);
    ck_assert(event->facts[2].wallet_balance == 10000 && event->facts[2].available_margin == 9800);
    /* no room for the facts: nothing appended */
    event->fact_count = EVENT_ROWS_MAX - 1;
    ck_assert_uint_eq(venue_append_account(exchange, event), 0);
    ck_assert_uint_eq(event->fact_count, EVENT_ROWS_MAX - 1);
    /* a non-finite or non-positive mark is not the venue's truth */
    event_start(event, "x", true, 1, 1);
    exchange_fact fact;
    memset(&fact, 0, sizeof fact);
    fact.type = FACT_MARK;
    snprintf(fact.symbol, sizeof fact.symbol, "BTCUSDT");
    fact.price = NAN;
    ck_assert(event_add_fact(event, &fact));
    venue_observe_marks(exchange, event);
    double mark;
    ck_assert(venue_mark(exchange, "BTCUSDT", &mark) && mark == 105);
    ck_assert(!venue_mark(exchange, "DOGEUSDT", &mark));
    free(event);
    free(exchange);
}
END_TEST

START_TEST(test_conservation_over_many_orders) {
    venue *exchange = new_venue(0.0004, 3);
    exchange_event *event = malloc(sizeof *event);
    order_record record;
    const char *const symbols[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
    double prices[] = {50000, 3000, 150};
    unsigned state = 12345;
    for (int step = 0; step < 5000; step++) {
        state = state * 1103515245u + 12345u;
        int which = (int)((state >> 16) % 3);
        prices[which] *= 1.0 + (((int)((state >> 8) % 201) - 100) / 100000.0);
        set_mark(exchange, symbols[which], prices[which]);
        if (step % 7 == 0) {
            venue_order order = market(symbols[which], (state >> 4) % 2 ? 1 : -1, 0.001 * (1 + (state >> 20) % 50), step);
            ck_assert(venue_execute(exchange, &order, event, &record));
        }
        if (step % 97 == 0) (void)venue_charge_funding(exchange, symbols[which], 0.0001, step, event);
    }
    ck_assert(venue_conservation_error(exchange) <= 1e-9);
    /* the check notices a wallet that does not add up, and a non-finite one */
    exchange->wallet_balance += 0.01;
    ck_assert(venue_conservation_error(exchange) > 1e-9);
    exchange->wallet_balance = NAN;
    ck_assert(isinf(venue_conservation_error(exchange)));
    free(event);
    free(exchange);
}
END_TEST

/* Every test of sim/venue.c. */
static Suite *venue_suite(void) {
    Suite *suite = suite_create("venue");
    TCase *orders = tcase_create("orders");
    tcase_add_test(orders, test_market_fill_at_mark_with_fee);
    tcase_add_test(orders, test_slippage_moves_against_the_taker);
    tcase_add_test(orders, test_fee_and_slippage_together_both_sides);
    tcase_add_test(orders, test_realized_on_reduce_and_flip);
    tcase_add_test(orders, test_reduce_only_closes_the_whole_position_at_its_price);
    tcase_add_test(orders, test_rejections_leave_everything_untouched);
    suite_add_tcase(suite, orders);
    TCase *account = tcase_create("account");
    tcase_add_test(account, test_funding_signs);
    tcase_add_test(account, test_account_refresh_with_marks);
    tcase_add_test(account, test_conservation_over_many_orders);
    suite_add_tcase(suite, account);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(venue_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
