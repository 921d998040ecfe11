/* pipeline.c -- see pipeline.h. */
#include "live/pipeline.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel's mark, as the normalizer's look-up. */
static bool kernel_mark_lookup(const void *context, const char *symbol, double *mark) {
    return kernel_mark(context, symbol, mark);
}

int pipeline_init(pipeline *flow, const kernel_config *config, scenario_writer *record, run_output *outputs) {
    memset(flow, 0, sizeof *flow);
    flow->core = malloc(sizeof *flow->core);
    if (flow->core == NULL) return -1;
    kernel_init(flow->core, config);
    normalizer_init(&flow->normal, kernel_mark_lookup, flow->core);
    flow->record = record;
    flow->outputs = outputs;
    return 0;
}

pipeline_result pipeline_apply(pipeline *flow, const normalized_event *event) {
    assert(event->fact_count > 0 && event->fact_count <= EVENT_ROWS_MAX);
    assert(event->event_id[0] != '\0');
    double ts = event->ts;
    if (flow->has_ts && ts < flow->last_ts) {
        ts = flow->last_ts;
        flow->ts_raised++;
    }
    flow->has_ts = true;
    flow->last_ts = ts;
    if (flow->record != NULL) {
        if (strcmp(flow->record->last_event_id, event->event_id) == 0) {
            char count[32];
            snprintf(count, sizeof count, "%ld", flow->core->duplicates_skipped);
            if (scenario_writer_expect(flow->record, ts, "duplicates_skipped", count) != 0) {
                snprintf(flow->error, sizeof flow->error, "record: %s", flow->record->error);
                return PIPELINE_FAILED;
            }
        }
        if (scenario_writer_event(flow->record, event->event_id, ts, event->facts, event->fact_count) != 0) {
            snprintf(flow->error, sizeof flow->error, "record: %s", flow->record->error);
            return PIPELINE_FAILED;
        }
    }
    kernel *core = flow->core;
    kernel_event_result applied = kernel_apply_event(core, event->event_id, false, ts, event->facts, event->fact_count);
    if (applied == KERNEL_EVENT_DUPLICATE) {
        flow->duplicates++;
        return PIPELINE_DUPLICATE;
    }
    if (applied == KERNEL_EVENT_SYMBOLS_FULL) {
        snprintf(flow->error, sizeof flow->error, "event %s: more than %d symbols", event->event_id, SYMBOLS_MAX);
        return PIPELINE_FAILED;
    }
    flow->events_applied++;
    if (flow->outputs != NULL && run_output_event(flow->outputs, core) != 0) {
        snprintf(flow->error, sizeof flow->error, "outputs: %s", flow->outputs->error);
        return PIPELINE_FAILED;
    }
    return PIPELINE_APPLIED;
}

size_t pipeline_held_symbols(const pipeline *flow, char (*out)[SYMBOL_CAPACITY]) {
    const kernel *core = flow->core;
    for (size_t index = 0; index < core->exchange_count; index++)
        snprintf(out[index], SYMBOL_CAPACITY, "%s", core->exchange_positions[index].symbol);
    return core->exchange_count;
}

void pipeline_free(pipeline *flow) {
    free(flow->core);
    flow->core = NULL;
}
