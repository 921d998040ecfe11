/* kpis.c -- see kpis.h. */
#include "core/kpis.h"

#include <assert.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void kpis_init(kpis_tracker *tracker, double start_nav) {
    memset(tracker, 0, sizeof *tracker);
    tracker->start_nav = start_nav;
    tracker->peak_nav = start_nav;
    tracker->last_nav = start_nav;
    tracker->last_aum = start_nav;
}

static long utc_day(double ts) { return (long)floor(ts / 86400.0); }

void kpis_observe_snapshot(kpis_tracker *tracker, double ts, double nav_total, double aum_total,
                           const reconcile_result *reconcile) {
    long day = utc_day(ts);
    if (tracker->has_day && day != tracker->current_day) {
        /* The previous day closed at the last NAV seen in it. */
        if (tracker->day_count < NAV_DAYS_MAX)
            tracker->day_end_navs[tracker->day_count++] = tracker->last_nav;
        else
            tracker->days_overflowed = true;
    }
    tracker->has_day = true;
    tracker->current_day = day;
    tracker->last_nav = nav_total;
    tracker->last_aum = aum_total;
    tracker->last_ts = ts;
    if (nav_total > tracker->peak_nav) tracker->peak_nav = nav_total;
    if (tracker->peak_nav > 0) {
        double drawdown = (tracker->peak_nav - nav_total) / tracker->peak_nav * 100.0;
        if (drawdown > tracker->max_drawdown_pct) tracker->max_drawdown_pct = drawdown;
    }
    kpis_observe_reconcile(tracker, reconcile);
}

void kpis_observe_reconcile(kpis_tracker *tracker, const reconcile_result *reconcile) {
    assert(reconcile->status >= RECONCILE_OK && reconcile->status <= RECONCILE_ERROR);
    tracker->reconcile_counts[reconcile->status]++;
    for (size_t rule = 0; rule < RULE_COUNT; rule++) {
        assert(reconcile->outcomes[rule] < RULE_OUTCOME_COUNT);
        tracker->rule_counts[rule][reconcile->outcomes[rule]]++;
    }
    if (reconcile->worst_field[0] == '\0') return; /* OK: no worst field (most snapshots) */
    reconcile_rule rule;
    if (reconcile_rule_parse(reconcile->worst_field, strlen(reconcile->worst_field), &rule))
        tracker->worst_field_counts[rule]++;
}

long kpis_rule_evaluated(const kpis_tracker *tracker, reconcile_rule rule) {
    assert(rule >= 0 && rule < RULE_COUNT);
    return tracker->rule_counts[rule][RULE_OUTCOME_OK] + tracker->rule_counts[rule][RULE_OUTCOME_WARN] +
           tracker->rule_counts[rule][RULE_OUTCOME_ERROR];
}

void kpis_observe_fill(kpis_tracker *tracker, double realized_pnl) {
    tracker->fills++;
    if (!isfinite(realized_pnl) || realized_pnl == 0) return;
    tracker->trades++;
    if (realized_pnl > 0) tracker->wins++;
}

void kpis_observe_exit(kpis_tracker *tracker, exit_reason reason) {
    if (reason == EXIT_TP)
        tracker->exits_tp++;
    else
        tracker->exits_sl++;
}

bool kpis_sharpe(const double *navs, size_t count, double *sharpe) {
    if (count < 3) return false;
    size_t return_count = count - 1;
    double *returns = malloc(return_count * sizeof *returns);
    if (returns == NULL) return false;
    bool valid = true;
    for (size_t index = 0; index < return_count && valid; index++) {
        valid = navs[index] > 0 && isfinite(navs[index]) && isfinite(navs[index + 1]);
        if (valid) returns[index] = navs[index + 1] / navs[index] - 1.0;
    }
    double mean = valid ? gsl_stats_mean(returns, 1, return_count) : NAN;
    double deviation = valid ? gsl_stats_sd_m(returns, 1, return_count, mean) : NAN;
    free(returns);
    if (!isfinite(mean) || !isfinite(deviation) || deviation == 0) return false;
    *sharpe = mean / deviation * sqrt(365.0);
    return isfinite(*sharpe);
}

void kpis_summarize(const kpis_tracker *tracker, kpis_summary *summary) {
    memset(summary, 0, sizeof *summary);
    summary->return_pct =
        tracker->start_nav > 0 ? (tracker->last_nav / tracker->start_nav - 1.0) * 100.0 : NAN;
    summary->max_drawdown_pct = tracker->max_drawdown_pct;
    summary->has_win_rate = tracker->trades > 0;
    summary->win_rate = summary->has_win_rate ? (double)tracker->wins / (double)tracker->trades : 0.0;
    if (tracker->days_overflowed) return;
    /* Series: start NAV, each completed day's close, and the current day's
     * last NAV (the run ends at that day's end). */
    size_t count = tracker->day_count + 2;
    double *navs = malloc(count * sizeof *navs);
    if (navs == NULL) return;
    navs[0] = tracker->start_nav;
    memcpy(navs + 1, tracker->day_end_navs, tracker->day_count * sizeof *navs);
    navs[count - 1] = tracker->last_nav; /* no day seen: day_count 0, two NAVs, no Sharpe */
    summary->has_sharpe = kpis_sharpe(navs, count, &summary->sharpe);
    free(navs);
}
