/* pipeline.h -- normalized events into the kernel, the record and the
 * state files, in one place, so that the live run and `live convert` apply
 * exactly the scenario format's event semantics.
 *
 * For each event: ts is the exchange's event time, raised to the previous
 * event's ts if it went back (the scenario format forbids decreasing
 * timestamps, and the record must replay); the event is appended to the
 * record first (an adjacent redelivery of the same id is preceded by an
 * `expect duplicates_skipped` row so that the two deliveries do not group),
 * then applied to the kernel (a redelivered id is skipped and counted by the
 * kernel), then its outputs appended. */
#ifndef LEDGERSIM_LIVE_PIPELINE_H
#define LEDGERSIM_LIVE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kernel.h"
#include "io/run_output.h"
#include "io/scenario_writer.h"
#include "live/normalize.h"

enum { PIPELINE_ERROR_CAPACITY = RUN_OUTPUT_ERROR_CAPACITY + 64 };

typedef enum { PIPELINE_APPLIED = 0, PIPELINE_DUPLICATE = 1, PIPELINE_FAILED = -1 } pipeline_result;

typedef struct {
    kernel *core;                /* owned (heap: about 8 MiB) */
    normalizer normal;           /* reads the kernel's marks */
    scenario_writer *record;     /* borrowed; NULL for none */
    run_output *outputs;         /* borrowed; NULL for none */
    bool has_ts;
    double last_ts;
    long events_applied;
    long duplicates;
    long ts_raised;              /* events whose ts was raised to keep order */
    char error[PIPELINE_ERROR_CAPACITY];
} pipeline;

/* Allocates the kernel with config (copied). record and outputs are
 * borrowed, either may be NULL. Returns 0, or -1 when memory runs out. */
int pipeline_init(pipeline *flow, const kernel_config *config, scenario_writer *record, run_output *outputs)
    WARN_UNUSED_RESULT;

/* Applies one event (see the header comment). */
pipeline_result pipeline_apply(pipeline *flow, const normalized_event *event) WARN_UNUSED_RESULT;

/* The symbols the kernel holds an exchange position for, into out (room for
 * SYMBOLS_MAX); returns the count. */
size_t pipeline_held_symbols(const pipeline *flow, char (*out)[SYMBOL_CAPACITY]);

/* Frees the kernel. */
void pipeline_free(pipeline *flow);

#endif
