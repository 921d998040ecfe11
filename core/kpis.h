/* kpis.h -- the numbers of kpis_v7.json, accumulated in fixed memory.
 *
 * Drawdown streams (peak and worst dip); the Sharpe ratio needs the NAV at
 * each UTC day end, one double per day (NAV_DAYS_MAX). Statistics come from
 * GSL with its abort-on-error handler off (the caller's main turns it off). */
#ifndef LEDGERSIM_CORE_KPIS_H
#define LEDGERSIM_CORE_KPIS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/exits.h"
#include "core/limits.h"
#include "core/projection.h"
#include "core/rules.h"

typedef struct {
    double start_nav;
    double peak_nav;
    double max_drawdown_pct;
    double last_nav;
    double last_aum;
    double last_ts;
    bool has_day;
    long current_day;            /* UTC day number of the last snapshot */
    double day_end_navs[NAV_DAYS_MAX];
    size_t day_count;            /* completed days in day_end_navs */
    bool days_overflowed;        /* more days than NAV_DAYS_MAX: Sharpe is null */
    long fills;
    long trades;                 /* fills that realized PnL (non-zero) */
    long wins;                   /* of those, realized PnL > 0 */
    long exits_tp;
    long exits_sl;
    long reconcile_counts[3];    /* by reconcile_status */
    long worst_field_counts[RULE_COUNT];              /* snapshots whose worst field is the rule's */
    long rule_counts[RULE_COUNT][RULE_OUTCOME_COUNT]; /* snapshots by the rule's outcome in them */
} kpis_tracker;

typedef struct {
    double return_pct;           /* (last NAV / start NAV - 1) * 100; NaN when start <= 0 */
    double max_drawdown_pct;
    bool has_sharpe;
    double sharpe;               /* mean / sd of daily returns * sqrt(365) */
    bool has_win_rate;
    double win_rate;             /* wins / trades */
} kpis_summary;

/* Starts the counters of a run whose NAV starts at start_nav. */
void kpis_init(kpis_tracker *tracker, double start_nav);

/* One snapshot: NAV, AUM and drawdown, the Sharpe day closes, the status,
 * worst field and per-rule outcome counts of its classification. */
void kpis_observe_snapshot(kpis_tracker *tracker, double ts, double nav_total, double aum_total,
                           const reconcile_result *reconcile);

/* Counts one reconcile result alone (status, worst field, per-rule
 * outcomes): what kpis_observe_snapshot counts of it. */
void kpis_observe_reconcile(kpis_tracker *tracker, const reconcile_result *reconcile);

/* Snapshots in which rule was evaluated (ok + warn + error). */
long kpis_rule_evaluated(const kpis_tracker *tracker, reconcile_rule rule);

/* One fill: trades and wins count fills whose realized PnL is finite and non-zero. */
void kpis_observe_fill(kpis_tracker *tracker, double realized_pnl);

/* One exit intent, by reason. */
void kpis_observe_exit(kpis_tracker *tracker, exit_reason reason);

/* Derives the summary. Sharpe needs at least two daily returns with a
 * non-zero spread; otherwise has_sharpe is false (JSON null). */
void kpis_summarize(const kpis_tracker *tracker, kpis_summary *summary);

/* Sharpe of a daily NAV series (start NAV first): false when undefined. */
bool kpis_sharpe(const double *navs, size_t count, double *sharpe);

#endif
