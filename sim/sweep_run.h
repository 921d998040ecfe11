/* sweep_run.h -- executing a sweep's plan: each run one replay_file() in
 * memory (no output files) with a sweep_classifier watching it.
 *
 * Results live in one shared anonymous mapping indexed by plan index, so
 * with -j N the forked workers write their runs' slots directly and the
 * parent only counts finished runs (one byte per run through a pipe) for
 * the progress line: the results, and every file made from them, are the
 * same for every N. Worker w of N takes the w-th, (w+N)-th, ... of the
 * selected indices. */
#ifndef LEDGERSIM_SIM_SWEEP_RUN_H
#define LEDGERSIM_SIM_SWEEP_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/sweep_classify.h"
#include "sim/sweep_plan.h"

enum { SWEEP_RUN_ERROR_CAPACITY = 1024, SWEEP_JOBS_MAX = 256 };

typedef enum { SWEEP_RUN_PENDING = 0, SWEEP_RUN_DONE = 1, SWEEP_RUN_BAD_INPUT = 2, SWEEP_RUN_FAILED = 3 } sweep_run_status;

typedef struct {
    int status;                          /* sweep_run_status */
    sweep_run_totals totals;
} sweep_run_result;

/* A worker's first failed run (the lowest index it ran): kept per worker,
 * not per run, so that a run's slot stays small. */
typedef struct {
    bool set;
    size_t index;
    char text[SWEEP_RUN_ERROR_CAPACITY];
} sweep_run_error;

typedef struct {
    sweep_run_result *runs;              /* [run_count] */
    sweep_cell *cells;                   /* [run_count * threshold_points] */
    sweep_run_error *errors;             /* [SWEEP_JOBS_MAX] */
    size_t run_count, threshold_points;
    size_t mapped_bytes;
} sweep_results;

/* Maps zeroed results for definition (shared with forked children). False
 * when the mapping fails. */
bool sweep_results_init(sweep_results *results, const sweep_definition *definition);
void sweep_results_free(sweep_results *results);

/* Called in the parent as runs finish (done of total). */
typedef void (*sweep_progress_fn)(void *context, size_t done, size_t total);

/* Runs the plan indices i with i % shard_count == shard, in jobs processes
 * (1: this one). Returns 0 when every run finished; otherwise the exit
 * status (2 a run's bad input, 3 an error) with error set to the first
 * failing run in plan order ("run I (SCENARIO seed N): message"). */
int sweep_execute(const sweep_definition *definition, sweep_results *results, size_t shard, size_t shard_count,
                  long jobs, sweep_progress_fn progress, void *progress_context, char *error, size_t error_capacity);

#endif
