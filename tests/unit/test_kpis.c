/* test_kpis.c -- core/kpis.c: drawdown and Sharpe on hand-computed series,
 * the UTC day closes behind the Sharpe ratio, win rate, reconcile and exit
 * counters. */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/kpis.h"

enum { DAY = 86400 };

/* A reconcile result with only a status and a worst field. */
static reconcile_result reconcile_of(reconcile_status status, const char *worst_field) {
    reconcile_result result;
    memset(&result, 0, sizeof result);
    result.status = status;
    result.worst_field = worst_field;
    return result;
}

/* A tracker on the heap (it holds NAV_DAYS_MAX doubles). */
static kpis_tracker *new_tracker(double start_nav) {
    kpis_tracker *tracker = malloc(sizeof *tracker);
    ck_assert_ptr_nonnull(tracker);
    memset(tracker, 0xa5, sizeof *tracker); /* kpis_init must set everything read */
    kpis_init(tracker, start_nav);
    return tracker;
}

/* Observes an OK snapshot with NAV nav (AUM equal) at ts. */
static void observe_nav(kpis_tracker *tracker, double ts, double nav) {
    reconcile_result ok = reconcile_of(RECONCILE_OK, "");
    kpis_observe_snapshot(tracker, ts, nav, nav, &ok);
}

START_TEST(test_sharpe_hand_computed) {
    /* returns +10%, -10%, +10%: mean 1/30, sample sd 0.2/sqrt(3), so the
     * ratio is 1/(2 sqrt 3) and the annualised Sharpe sqrt(365/12) */
    const double navs[] = {100, 110, 99, 108.9};
    double sharpe = 0;
    ck_assert(kpis_sharpe(navs, 4, &sharpe));
    ck_assert_double_eq_tol(sharpe, sqrt(365.0 / 12.0), 1e-9);
    /* returns +1%, +3%: mean 2%, sd sqrt(2)/100 -> sqrt(2) * sqrt(365) */
    const double rising[] = {100, 101, 104.03};
    ck_assert(kpis_sharpe(rising, 3, &sharpe));
    ck_assert_double_eq_tol(sharpe, sqrt(2.0) * sqrt(365.0), 1e-7);
    /* a losing series has a negative Sharpe */
    const double falling[] = {100, 99, 96.03};
    ck_assert(kpis_sharpe(falling, 3, &sharpe));
    ck_assert_double_eq_tol(sharpe, -sqrt(2.0) * sqrt(365.0), 1e-7);
}
END_TEST

START_TEST(test_sharpe_undefined_cases) {
    double sharpe = 123;
    const double two[] = {100, 110};
    ck_assert(!kpis_sharpe(two, 2, &sharpe)); /* one return */
    ck_assert(!kpis_sharpe(two, 1, &sharpe));
    ck_assert(!kpis_sharpe(two, 0, &sharpe));
    const double flat[] = {100, 100, 100, 100};
    ck_assert(!kpis_sharpe(flat, 4, &sharpe)); /* zero spread */
    const double doubling[] = {100, 200, 400};
    ck_assert(!kpis_sharpe(doubling, 3, &sharpe)); /* +100% twice: zero spread */
    const double bankrupt[] = {100, 0, 50};
    ck_assert(!kpis_sharpe(bankrupt, 3, &sharpe)); /* a return from 0 is undefined */
    const double negative[] = {100, -10, 50};
    ck_assert(!kpis_sharpe(negative, 3, &sharpe));
    const double broken[] = {100, NAN, 50};
    ck_assert(!kpis_sharpe(broken, 3, &sharpe));
    ck_assert(sharpe == 123);
}
END_TEST

START_TEST(test_drawdown_hand_computed) {
    kpis_tracker *tracker = new_tracker(100);
    const double series[] = {120, 90, 130, 104, 125};
    for (size_t index = 0; index < 5; index++) observe_nav(tracker, 10.0 * (double)index, series[index]);
    /* peak 120 -> 90 is 25%; peak 130 -> 104 is 20%: the max stays 25 */
    ck_assert(tracker->peak_nav == 130);
    ck_assert(tracker->max_drawdown_pct == 25);
    kpis_summary summary;
    kpis_summarize(tracker, &summary);
    ck_assert(summary.max_drawdown_pct == 25);
    ck_assert_double_eq_tol(summary.return_pct, 25, 1e-12);
    free(tracker);
}
END_TEST

START_TEST(test_drawdown_from_start_nav) {
    /* the start NAV is the first peak: an immediate dip counts */
    kpis_tracker *tracker = new_tracker(200);
    observe_nav(tracker, 0, 150);
    observe_nav(tracker, 1, 180);
    ck_assert(tracker->max_drawdown_pct == 25);
    kpis_summary summary;
    kpis_summarize(tracker, &summary);
    ck_assert_double_eq_tol(summary.return_pct, -10, 1e-12);
    free(tracker);
}
END_TEST

START_TEST(test_drawdown_never_negative) {
    kpis_tracker *tracker = new_tracker(100);
    observe_nav(tracker, 0, 101);
    observe_nav(tracker, 1, 102);
    ck_assert(tracker->max_drawdown_pct == 0);
    /* a total loss is 100%, below zero more than 100% */
    observe_nav(tracker, 2, 0);
    ck_assert(tracker->max_drawdown_pct == 100);
    observe_nav(tracker, 3, -51);
    ck_assert(tracker->max_drawdown_pct == 150);
    free(tracker);
}
END_TEST

START_TEST(test_sharpe_from_daily_closes) {
    /* start 100; day 0 closes at 110, day 1 at 99, and the run ends in day 2
     * at 108.9: the series is 100, 110, 99, 108.9 (see the hand computation) */
    kpis_tracker *tracker = new_tracker(100);
    observe_nav(tracker, 0.5 * DAY, 105);
    observe_nav(tracker, 0.9 * DAY, 110);
    observe_nav(tracker, 1.0 * DAY, 95); /* day 1 starts at 00:00 UTC */
    observe_nav(tracker, 1.5 * DAY, 99);
    observe_nav(tracker, 2.25 * DAY, 108.9);
    ck_assert_uint_eq(tracker->day_count, 2);
    ck_assert(tracker->day_end_navs[0] == 110);
    ck_assert(tracker->day_end_navs[1] == 99);
    kpis_summary summary;
    kpis_summarize(tracker, &summary);
    ck_assert(summary.has_sharpe);
    ck_assert_double_eq_tol(summary.sharpe, sqrt(365.0 / 12.0), 1e-9);
    free(tracker);
}
END_TEST

START_TEST(test_sharpe_null_within_one_day) {
    kpis_tracker *tracker = new_tracker(100);
    kpis_summary summary;
    kpis_summarize(tracker, &summary); /* no snapshot at all */
    ck_assert(!summary.has_sharpe);
    observe_nav(tracker, 100, 110);
    observe_nav(tracker, 200, 90);
    observe_nav(tracker, DAY - 1, 120);
    kpis_summarize(tracker, &summary); /* one return: start -> last */
    ck_assert(!summary.has_sharpe);
    /* a day boundary gives the second return */
    observe_nav(tracker, DAY, 121);
    kpis_summarize(tracker, &summary);
    ck_assert(summary.has_sharpe);
    free(tracker);
}
END_TEST

START_TEST(test_sharpe_null_with_zero_spread) {
    kpis_tracker *tracker = new_tracker(100);
    observe_nav(tracker, 0, 100);
    observe_nav(tracker, DAY, 100);
    observe_nav(tracker, 2 * DAY, 100);
    kpis_summary summary;
    kpis_summarize(tracker, &summary);
    ck_assert(!summary.has_sharpe);
    free(tracker);
}
END_TEST

START_TEST(test_return_pct_needs_positive_start) {
    kpis_tracker *tracker = new_tracker(0);
    observe_nav(tracker, 0, 10);
    kpis_summary summary;
    kpis_summarize(tracker, &summary);
    ck_assert(isnan(summary.return_pct));
    free(tracker);
}
END_TEST

START_TEST(test_win_rate) {
    kpis_tracker *tracker = new_tracker(100);
    kpis_summary summary;
    kpis_summarize(tracker, &summary);
    ck_assert(!summary.has_win_rate);
    kpis_observe_fill(tracker, 0);   /* an opening fill: no trade */
    kpis_observe_fill(tracker, 5);
    kpis_observe_fill(tracker, -2);
    kpis_observe_fill(tracker, 7.5);
    kpis_observe_fill(tracker, NAN); /* a corrupt fill: not a trade */
    kpis_observe_fill(tracker, -INFINITY);
    ck_assert_int_eq(tracker->fills, 6);
    ck_assert_int_eq(tracker->trades, 3);
    ck_assert_int_eq(tracker->wins, 2);
    kpis_summarize(tracker, &summary);
    ck_assert(summary.has_win_rate);
    ck_assert(summary.win_rate == 2.0 / 3.0);
    free(tracker);
}
END_TEST

START_TEST(test_reconcile_and_exit_counters) {
    kpis_tracker *tracker = new_tracker(100);
    const reconcile_result results[] = {
        reconcile_of(RECONCILE_OK, ""),
        reconcile_of(RECONCILE_WARN, "capital_vs_wallet"),
        reconcile_of(RECONCILE_ERROR, "open_positions"),
        reconcile_of(RECONCILE_ERROR, "open_positions"),
        reconcile_of(RECONCILE_WARN, "used_margin"),
        reconcile_of(RECONCILE_ERROR, "realized_pnl"),
        reconcile_of(RECONCILE_WARN, "open_notional"),
    };
    for (size_t index = 0; index < 7; index++) kpis_observe_snapshot(tracker, (double)index, 100, 100, &results[index]);
    ck_assert_int_eq(tracker->reconcile_counts[RECONCILE_OK], 1);
    ck_assert_int_eq(tracker->reconcile_counts[RECONCILE_WARN], 3);
    ck_assert_int_eq(tracker->reconcile_counts[RECONCILE_ERROR], 3);
    const char *const names[] = {"capital_vs_wallet", "realized_pnl", "open_positions", "open_notional",
                                 "used_margin"};
    const long counts[] = {1, 1, 2, 1, 1};
    for (size_t index = 0; index < RULE_SEED_COUNT; index++) {
        ck_assert_str_eq(reconcile_rule_field((reconcile_rule)index), names[index]);
        ck_assert_int_eq(tracker->worst_field_counts[index], counts[index]);
    }
    kpis_observe_exit(tracker, EXIT_TP);
    kpis_observe_exit(tracker, EXIT_SL);
    kpis_observe_exit(tracker, EXIT_TP);
    ck_assert_int_eq(tracker->exits_tp, 2);
    ck_assert_int_eq(tracker->exits_sl, 1);
    ck_assert(tracker->last_ts == 6);
    free(tracker);
}
END_TEST

START_TEST(test_day_overflow_makes_sharpe_null) {
    kpis_tracker *tracker = new_tracker(100);
    for (long day = 0; day <= NAV_DAYS_MAX + 1; day++)
        observe_nav(tracker, (double)day * DAY, 100 + (double)(day % 7));
    ck_assert(tracker->days_overflowed);
    ck_assert_uint_eq(tracker->day_count, NAV_DAYS_MAX);
    kpis_summary summary;
    kpis_summarize(tracker, &summary);
    ck_assert(!summary.has_sharpe);
    free(tracker);
}
END_TEST


/* Per-rule counts: each snapshot's outcome per rule; evaluated is their sum. */
START_TEST(test_rule_counts) {
    kpis_tracker *tracker = new_tracker(100);
    reconcile_result result = reconcile_of(RECONCILE_WARN, "capital_vs_wallet");
    result.outcomes[RULE_CAPITAL_VS_WALLET] = RULE_OUTCOME_WARN;
    result.outcomes[RULE_USED_MARGIN] = RULE_OUTCOME_OK;
    kpis_observe_snapshot(tracker, 1, 100, 100, &result);
    result = reconcile_of(RECONCILE_ERROR, "used_margin");
    result.outcomes[RULE_CAPITAL_VS_WALLET] = RULE_OUTCOME_OK;
    result.outcomes[RULE_USED_MARGIN] = RULE_OUTCOME_ERROR;
    kpis_observe_snapshot(tracker, 2, 100, 100, &result);
    ck_assert_int_eq(kpis_rule_evaluated(tracker, RULE_CAPITAL_VS_WALLET), 2);
    ck_assert_int_eq(tracker->rule_counts[RULE_CAPITAL_VS_WALLET][RULE_OUTCOME_OK], 1);
    ck_assert_int_eq(tracker->rule_counts[RULE_CAPITAL_VS_WALLET][RULE_OUTCOME_WARN], 1);
    ck_assert_int_eq(tracker->rule_counts[RULE_USED_MARGIN][RULE_OUTCOME_ERROR], 1);
    ck_assert_int_eq(kpis_rule_evaluated(tracker, RULE_REALIZED_PNL), 0);
    ck_assert_int_eq(tracker->rule_counts[RULE_REALIZED_PNL][RULE_NOT_EVALUATED], 2);
    ck_assert_int_eq(tracker->worst_field_counts[RULE_USED_MARGIN], 1);
    free(tracker);
}
END_TEST

/* Every test of core/kpis.c. */
/* Before any snapshot, a run's KPIs are its start: return 0%, AUM the
 * start NAV, no drawdown. */
START_TEST(test_fresh_tracker_reads_its_start) {
    kpis_tracker *tracker = new_tracker(250);
    ck_assert(tracker->last_nav == 250 && tracker->last_aum == 250 && tracker->peak_nav == 250);
    ck_assert(tracker->max_drawdown_pct == 0);
    kpis_summary summary;
    kpis_summarize(tracker, &summary);
    ck_assert(summary.return_pct == 0);
    ck_assert(!summary.has_win_rate && summary.win_rate == 0 && !summary.has_sharpe);
    free(tracker);
}
END_TEST

/* NAVs below 1 (a run sized in small units) are as valid as any: drawdown,
 * return and Sharpe are computed on them. Returns +10%, -10%, +10% from
 * 0.5, as in test_sharpe_hand_computed scaled by 1/200. */
START_TEST(test_small_navs_count) {
    kpis_tracker *tracker = new_tracker(1);
    observe_nav(tracker, 0, 0.5);
    ck_assert(tracker->max_drawdown_pct == 50);
    kpis_summary summary;
    kpis_summarize(tracker, &summary);
    ck_assert(summary.return_pct == -50);
    free(tracker);
    const double navs[] = {0.5, 0.55, 0.495, 0.5445};
    double sharpe = 0;
    ck_assert(kpis_sharpe(navs, 4, &sharpe));
    ck_assert_double_eq_tol(sharpe, sqrt(365.0 / 12.0), 1e-9);
}
END_TEST

/* A start NAV of 0 has no drawdown (no peak to fall from), however far
 * below it NAV goes. */
START_TEST(test_no_drawdown_from_zero_peak) {
    kpis_tracker *tracker = new_tracker(0);
    observe_nav(tracker, 0, -5);
    observe_nav(tracker, 1, 0);
    ck_assert(tracker->peak_nav == 0);
    ck_assert(tracker->max_drawdown_pct == 0);
    free(tracker);
}
END_TEST

static Suite *kpis_suite(void) {
    Suite *suite = suite_create("kpis");
    TCase *ratios = tcase_create("ratios");
    tcase_add_test(ratios, test_sharpe_hand_computed);
    tcase_add_test(ratios, test_sharpe_undefined_cases);
    tcase_add_test(ratios, test_drawdown_hand_computed);
    tcase_add_test(ratios, test_drawdown_from_start_nav);
    tcase_add_test(ratios, test_drawdown_never_negative);
    tcase_add_test(ratios, test_sharpe_from_daily_closes);
    tcase_add_test(ratios, test_sharpe_null_within_one_day);
    tcase_add_test(ratios, test_sharpe_null_with_zero_spread);
    tcase_add_test(ratios, test_return_pct_needs_positive_start);
    suite_add_tcase(suite, ratios);
    TCase *counters = tcase_create("counters");
    tcase_set_timeout(counters, 60);
    tcase_add_test(counters, test_win_rate);
    tcase_add_test(counters, test_reconcile_and_exit_counters);
    tcase_add_test(counters, test_rule_counts);
    tcase_add_test(counters, test_day_overflow_makes_sharpe_null);
    tcase_add_test(counters, test_fresh_tracker_reads_its_start);
    tcase_add_test(counters, test_small_navs_count);
    tcase_add_test(counters, test_no_drawdown_from_zero_peak);
    suite_add_tcase(suite, counters);
    return suite;
}

int main(void) {
    gsl_set_error_handler_off(); /* as bin/ledgersim's main does */
    SRunner *runner = srunner_create(kpis_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
