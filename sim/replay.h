/* replay.h -- one scenario file through the kernel: the replay loop, the
 * simulated venue of a backtest, and the fault injector.
 *
 * Rows are read one at a time (sim/scenario), consecutive exchange-fact rows
 * with the same event_id are grouped into one exchange event, and each event
 * goes to the kernel and then to the run's outputs (io/run_output). Market
 * and strategy rows (bar, tp_sl, holding) act at their place in the
 * timeline; expect rows are evaluated against the state after every row
 * above them.
 *
 * Backtest: from the first `order` or `funding_rate` row on, the run is a
 * backtest. The venue (sim/venue) executes orders and funding charges and
 * delivers its own events (v1, v2, ...); the kernel's exit intents become
 * reduce-only market orders for the whole position, executed at once at the
 * mark that fired them; with each mark of a symbol it holds, the venue
 * re-reports its account (position and balance facts appended to the mark's
 * event). The venue takes every mark row as its truth.
 *
 * Faults: with a fault plan (--faults), or from the first `fault` row on,
 * every event passes the fault injector (sim/faults) on its way to the
 * kernel.
 *
 * A run is "simulated" once it is a backtest or has faults: from then on
 * the venue follows every mark row (starting from the kernel's marks, which
 * no fault could have touched before), the invariants (sim/invariants) are
 * checked after every event, and kpis_v7.json gets a "simulator" member
 * with them, fault detection per kind and the venue's account. A plain
 * replay of exchange facts is unchanged by all of this.
 *
 * Memory is fixed (about 15 MiB, allocated per run): the loop holds one
 * event and one row, the injector at most FAULT_HELD_EVENTS_MAX events. */
#ifndef LEDGERSIM_SIM_REPLAY_H
#define LEDGERSIM_SIM_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "core/config.h"
#include "core/kernel.h"
#include "core/nav.h"
#include "io/buffer.h"
#include "io/run_output.h"
#include "sim/faults.h"
#include "sim/invariants.h"

enum { REPLAY_SETTINGS_MAX = 64, REPLAY_FAILURES_MAX = 200, REPLAY_ERROR_CAPACITY = 4096 + 512 };

/* One evaluated expect row, as handed to replay_options.on_expectation
 * (every text borrowed for the call). */
typedef struct {
    long line;
    const char *path;
    const char *expected;
    const char *actual;
    bool passed;
} expectation_outcome;

/* Watches a run from outside (ledgersim sweep classifies every snapshot
 * under other thresholds): called after each event the kernel applied
 * (one snapshot each), and for each injected fault with the event_seq of
 * the kernel's last snapshot. The kernel is borrowed for the call. */
typedef struct {
    void *context;
    void (*snapshot)(void *context, const kernel *core);
    void (*fault)(void *context, const kernel *core, fault_kind kind, long last_seq);
} replay_observer;

typedef struct {
    const char *output_directory;    /* where the run's files go; NULL: write nothing (fuzz) */
    kernel_config overrides;         /* config_defaults() plus locked keys from --config/--set */
    const holdings_book *holdings;   /* from --holdings (may be NULL) */
    trace_mode trace;
    bool evaluate_expectations;      /* check: compare expect rows */
    buffer *failures;                /* receives "FILE:LINE: PATH expected X, got Y\n" lines */
    /* check: called for every evaluated expect row, passed or not (NULL: not called) */
    void (*on_expectation)(void *context, const expectation_outcome *outcome);
    void *expectation_context;       /* borrowed; handed to on_expectation */
    const fault_plan *faults;        /* drawn faults (--faults); NULL or none drawn: only fault rows */
    unsigned long seed;              /* --seed: seeds the fault generators */
    long detect_window;              /* --detect-window, snapshots; 0: DETECT_WINDOW_DEFAULT */
    bool show_progress;              /* a progress line on stderr when it is a terminal (io/progress.h) */
    const replay_observer *observer; /* NULL: none */
} replay_options;

/* What a simulated run found (all zero for a plain replay). */
typedef struct {
    bool simulated;
    bool backtest;
    long events_checked;
    long violations[INVARIANT_COUNT];
    long total_violations;
    char first_violation[INVARIANT_MESSAGE_CAPACITY + 64]; /* "NAME at event_seq N: ..." or "" */
    long injected[FAULT_KIND_COUNT];
    long detected[FAULT_KIND_COUNT];
    long injected_on_ok[FAULT_KIND_COUNT];  /* hit a kernel whose last snapshot was OK */
    long detected_on_ok[FAULT_KIND_COUNT];
    long unmeasured[FAULT_KIND_COUNT];
    long snapshots[3];               /* by reconcile_status: OK, WARN, ERROR (every run) */
    long orders_filled;
    long orders_rejected;
} simulation_summary;

typedef struct {
    long rows;
    long events;
    long expectations_passed;
    long expectations_failed;
    simulation_summary simulation;
    char error[REPLAY_ERROR_CAPACITY]; /* "FILE:LINE: message" on bad input or an output error */
} replay_result;

typedef enum { REPLAY_OK = 0, REPLAY_BAD_INPUT = 2, REPLAY_OUTPUT_ERROR = 3 } replay_status;

/* Runs one scenario file (path borrowed); options and result belong to the
 * caller. On REPLAY_BAD_INPUT nothing is written or replaced under the
 * output directory. */
replay_status replay_file(const char *path, const replay_options *options, replay_result *result);

#endif
