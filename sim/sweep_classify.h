/* sweep_classify.h -- one run's snapshots classified under many threshold
 * sets in the same pass (ledgersim sweep, issue 16).
 *
 * The reconcile thresholds change neither K nor E, only the classification,
 * so a run is replayed once and each snapshot is classified under every
 * threshold point of the grid by core/projection's own classifier
 * (projection_classify over the snapshot's reconcile_facts).
 *
 * Calling it for every point of every snapshot would cost the grid's size
 * per snapshot, so under the seed's rules each snapshot is first reduced to
 * a key: per banded rule, whether it was evaluated and where its |delta|
 * falls among the sorted distinct epsilons and bands of the grid; for R3,
 * whether it was evaluated and whether the counts differ. That is all the
 * seed's rules read, so two snapshots with the same key classify alike
 * under every point: the classifier runs once per point for the first
 * snapshot of each key (outcomes kept in an arena), and a run then only
 * counts keys (a small hash table). Every 1024th repeat of a key is
 * classified again and asserted equal. When a point uses the v2 rules (or
 * the run's own configuration does), which read more than deltas, every
 * snapshot is classified under every point instead. Each point's fault
 * detection follows sim/invariants exactly (the same window, the same
 * queue, the same limit).
 *
 * The thresholds of a point are the run's own configuration (scenario
 * config rows included) with the grid's keys set to the point's values;
 * they are resolved at the first snapshot, when that configuration is
 * known. The comparisons are those of core/projection.c's classify_band
 * (|delta| <= epsilon OK, <= band WARN, else ERROR; R4's band is K's open
 * notional times the factor), so the counts equal a separate run's.
 *
 * Memory: the per-point tables and queues are allocated by the classifier
 * (sweep_classifier_new) and reused run after run; nothing is allocated per
 * snapshot except when a new key or a longer detection queue appears. */
#ifndef LEDGERSIM_SIM_SWEEP_CLASSIFY_H
#define LEDGERSIM_SIM_SWEEP_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kernel.h"
#include "core/rules.h"
#include "sim/faults.h"
#include "sim/replay.h"

enum {
    SWEEP_AXIS_VALUES_MAX = 100,       /* values of one grid key */
    SWEEP_AXES_MAX = 16                /* grid keys */
};

/* One point's counts over one run (int64 fields only, in this order: the
 * shard files carry them as one array). */
typedef struct {
    int64_t ok, warn, error;
    int64_t rule_evaluated[RULE_COUNT];
    int64_t rule_warn[RULE_COUNT];
    int64_t rule_error[RULE_COUNT];
    int64_t detected[FAULT_KIND_COUNT];
} sweep_cell;

/* What every point of a run shares. */
typedef struct {
    int64_t snapshots;
    int64_t injected[FAULT_KIND_COUNT];
    int64_t rule_sets;                 /* bit per reconcile_rule_set some point used */
} sweep_run_totals;

/* The threshold points of one group: axis_count reconcile.* keys and, per
 * point, their value texts (values[point * axis_count + axis], borrowed
 * for the classifier's life). */
typedef struct {
    size_t axis_count;
    const char *keys[SWEEP_AXES_MAX];
    size_t point_count;
    const char *const *values;
    long detect_window;                /* snapshots; 0: DETECT_WINDOW_DEFAULT */
} sweep_threshold_grid;

typedef struct sweep_classifier sweep_classifier;

/* A classifier for grid (borrowed, must outlive it); NULL when out of
 * memory. Free with sweep_classifier_free. */
sweep_classifier *sweep_classifier_new(const sweep_threshold_grid *grid);
void sweep_classifier_free(sweep_classifier *classifier);

/* Prepares for a new run (keeps the memory). */
void sweep_classifier_reset(sweep_classifier *classifier);

/* The observer to put in replay_options for the run (points into the
 * classifier). */
const replay_observer *sweep_classifier_observer(sweep_classifier *classifier);

/* After the run: totals and cells[point_count] (the caller's) filled. False
 * when memory ran out during the run or a point's value no longer parses
 * (error says which), the counts are then not to be used. */
bool sweep_classifier_finish(sweep_classifier *classifier, sweep_run_totals *totals, sweep_cell *cells,
                             char *error, size_t error_capacity);

#endif
