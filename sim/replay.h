/* replay.h -- one scenario file through the kernel: the replay loop.
 *
 * Rows are read one at a time (sim/scenario), consecutive exchange-fact rows
 * with the same event_id are grouped into one exchange event, and each event
 * goes to the kernel and then to the run's outputs (io/run_output). Market
 * and strategy rows (bar, tp_sl, holding) act at their place in the
 * timeline; expect rows are evaluated against the state after every row
 * above them. Memory is fixed: the loop holds one event and one row. */
#ifndef LEDGERSIM_SIM_REPLAY_H
#define LEDGERSIM_SIM_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "core/config.h"
#include "core/kernel.h"
#include "core/nav.h"
#include "io/buffer.h"
#include "io/run_output.h"

enum { REPLAY_SETTINGS_MAX = 64, REPLAY_FAILURES_MAX = 200 };

typedef struct {
    const char *output_directory;    /* where the run's files go */
    kernel_config overrides;         /* config_defaults() plus locked keys from --config/--set */
    const holdings_book *holdings;   /* from --holdings (may be NULL) */
    trace_mode trace;
    bool evaluate_expectations;      /* check: compare expect rows */
    buffer *failures;                /* receives "FILE:LINE: PATH expected X, got Y\n" lines */
} replay_options;

typedef struct {
    long rows;
    long events;
    long expectations_passed;
    long expectations_failed;
    char error[4096 + 512];          /* "FILE:LINE: message" on bad input or an output error */
} replay_result;

typedef enum { REPLAY_OK = 0, REPLAY_BAD_INPUT = 2, REPLAY_OUTPUT_ERROR = 3 } replay_status;

/* Runs one scenario file. On REPLAY_BAD_INPUT nothing is written or
 * replaced under the output directory. */
replay_status replay_file(const char *path, const replay_options *options, replay_result *result);

#endif
