/* replay.c -- see replay.h. */
#include "sim/replay.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/expect.h"
#include "sim/scenario.h"

/* One exchange event: the facts of consecutive rows sharing an event_id. */
typedef struct {
    char event_id[EVENT_ID_CAPACITY];
    bool synthetic;
    double ts;
    long line;
    exchange_fact facts[EVENT_ROWS_MAX];
    size_t fact_count;
} exchange_event;

typedef struct {
    const char *path;
    const replay_options *options;
    replay_result *result;
    scenario_reader reader;
    kernel_config config;
    kernel core;
    bool started;
    run_output output;
    bool output_open;
    bool directory_existed;
    exchange_event pending;
    bool has_pending;
    bool failed;
    replay_status status;
} replay;

/* Records the first error ("FILE:LINE: message") and the status to return. */
__attribute__((format(printf, 4, 5))) static void replay_fail(replay *run, replay_status status, long line,
                                                               const char *format, ...) {
    if (run->failed) return;
    run->failed = true;
    run->status = status;
    char message[1024];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    if (line > 0)
        snprintf(run->result->error, sizeof run->result->error, "%s:%ld: %s", run->path, line, message);
    else
        snprintf(run->result->error, sizeof run->result->error, "%s: %s", run->path, message);
}

/* Starts the kernel and the outputs once the config rows are all read. */
static void replay_start(replay *run, long line) {
    if (run->started || run->failed) return;
    run->started = true;
    kernel_init(&run->core, &run->config);
    const holdings_book *holdings = run->options->holdings;
    for (size_t index = 0; holdings != NULL && index < holdings->count; index++)
        if (kernel_set_holding(&run->core, &holdings->items[index]) != KERNEL_OK)
            replay_fail(run, REPLAY_BAD_INPUT, line, "more than %d holdings", HOLDINGS_MAX);
    struct stat status;
    run->directory_existed = stat(run->options->output_directory, &status) == 0;
    if (run_output_open(&run->output, run->options->output_directory, run->options->trace, false) < 0) {
        replay_fail(run, REPLAY_OUTPUT_ERROR, 0, "%s", run->output.error);
        run_output_close(&run->output);
        return;
    }
    run->output_open = true;
}

/* Converts a validated exchange-fact row. */
static void fact_from_row(const scenario_row *row, exchange_fact *fact) {
    memset(fact, 0, sizeof *fact);
    const double *number = row->number;
    snprintf(fact->symbol, sizeof fact->symbol, "%s", row->symbol);
    fact->has_leverage = row->given[COLUMN_LEVERAGE];
    fact->leverage = number[COLUMN_LEVERAGE];
    switch (row->type) {
    case ROW_FILL:
        fact->type = FACT_FILL;
        fact->side = row->side;
        fact->qty = number[COLUMN_QTY];
        fact->price = number[COLUMN_PRICE];
        fact->fee = number[COLUMN_FEE];
        fact->realized_pnl = number[COLUMN_REALIZED_PNL];
        break;
    case ROW_FUNDING:
        fact->type = FACT_FUNDING;
        fact->amount = number[COLUMN_AMOUNT];
        break;
    case ROW_BALANCE:
        fact->type = FACT_BALANCE;
        fact->wallet_balance = number[COLUMN_WALLET_BALANCE];
        fact->available_margin = number[COLUMN_AVAILABLE_MARGIN];
        fact->used_margin = number[COLUMN_USED_MARGIN];
        fact->maint_margin = number[COLUMN_MAINT_MARGIN];
        break;
    case ROW_POSITION:
        fact->type = FACT_POSITION;
        fact->qty = row->side != 0 ? row->side * number[COLUMN_QTY] : number[COLUMN_QTY];
        fact->entry_price = number[COLUMN_ENTRY_PRICE];
        fact->mark_price = number[COLUMN_MARK_PRICE];
        fact->unrealized_pnl = number[COLUMN_UNREALIZED_PNL];
        break;
    default:
        assert(row->type == ROW_MARK);
        fact->type = FACT_MARK;
        fact->price = number[COLUMN_PRICE];
        break;
    }
}

/* Applies one whole event to the kernel and appends its outputs. */
static void replay_apply_event(replay *run, const exchange_event *event) {
    kernel *core = &run->core;
    if (!kernel_begin_event(core, event->event_id, event->synthetic, event->ts)) return;
    for (size_t index = 0; index < event->fact_count; index++)
        if (kernel_apply_fact(core, &event->facts[index]) != KERNEL_OK) {
            replay_fail(run, REPLAY_BAD_INPUT, event->line, "more than %d symbols", SYMBOLS_MAX);
            kernel_end_event(core);
            return;
        }
    kernel_end_event(core);
    run->result->events++;
    if (run_output_event(&run->output, core) < 0) replay_fail(run, REPLAY_OUTPUT_ERROR, 0, "%s", run->output.error);
}

static void replay_flush(replay *run) {
    if (!run->has_pending || run->failed) return;
    run->has_pending = false;
    replay_apply_event(run, &run->pending);
}

/* Adds an exchange-fact row to the pending event, or starts a new event. */
static void replay_fact_row(replay *run, const scenario_row *row) {
    exchange_event *event = &run->pending;
    bool joins = run->has_pending && row->event_id[0] != '\0' && !event->synthetic &&
                 strcmp(event->event_id, row->event_id) == 0;
    if (!joins) {
        replay_flush(run);
        run->has_pending = true;
        event->fact_count = 0;
        event->line = row->line;
        event->ts = row->ts;
        event->synthetic = row->event_id[0] == '\0';
        if (event->synthetic)
            snprintf(event->event_id, sizeof event->event_id, "row%ld", row->line);
        else
            snprintf(event->event_id, sizeof event->event_id, "%s", row->event_id);
    }
    if (event->fact_count == EVENT_ROWS_MAX) {
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "event '%s' has more than %d rows", event->event_id,
                    EVENT_ROWS_MAX);
        return;
    }
    fact_from_row(row, &event->facts[event->fact_count++]);
}

static void replay_expect_row(replay *run, const scenario_row *row) {
    expect_path path;
    char reason[512];
    if (!expect_parse(row->key, row->value, &path, reason, sizeof reason)) {
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "%s", reason);
        return;
    }
    if (!run->options->evaluate_expectations) return;
    char actual[EXPECT_TEXT_CAPACITY];
    if (expect_evaluate(&run->core, &path, row->value, actual)) {
        run->result->expectations_passed++;
        return;
    }
    run->result->expectations_failed++;
    if (run->options->failures != NULL && run->result->expectations_failed <= REPLAY_FAILURES_MAX)
        buffer_append_format(run->options->failures, "%s:%ld: %s expected %s, got %s\n", run->path, row->line,
                             row->key, row->value, actual);
}

static void replay_config_row(replay *run, const scenario_row *row) {
    char reason[512];
    config_set_result result = config_set(&run->config, row->key, row->value, reason, sizeof reason);
    if (result == CONFIG_SET_UNKNOWN_KEY)
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "unknown config key '%s'", row->key);
    else if (result == CONFIG_SET_BAD_VALUE)
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "%s", reason);
}

static void replay_market_row(replay *run, const scenario_row *row) {
    const double *number = row->number;
    kernel_status status = KERNEL_OK;
    if (row->type == ROW_BAR) {
        status = kernel_apply_bar(&run->core, row->symbol, number[COLUMN_HIGH], number[COLUMN_LOW],
                                  number[COLUMN_PRICE]);
    } else if (row->type == ROW_TP_SL) {
        registry_entry entry = {.side = row->side > 0 ? SIDE_LONG : SIDE_SHORT,
                                .entry_price = number[COLUMN_ENTRY_PRICE],
                                .has_tp = row->given[COLUMN_TP], .tp = number[COLUMN_TP],
                                .has_sl = row->given[COLUMN_SL], .sl = number[COLUMN_SL],
                                .created_ts = row->ts, .updated_ts = row->ts};
        snprintf(entry.symbol, sizeof entry.symbol, "%s", row->symbol);
        status = kernel_put_tp_sl(&run->core, &entry);
    } else {
        assert(row->type == ROW_HOLDING);
        holding item = {.qty = number[COLUMN_QTY], .has_avg_cost = row->given[COLUMN_AVG_COST],
                        .avg_cost = number[COLUMN_AVG_COST]};
        snprintf(item.asset, sizeof item.asset, "%s", row->symbol);
        status = kernel_set_holding(&run->core, &item);
    }
    if (status != KERNEL_OK)
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "more than %d symbols (or %d holdings)", SYMBOLS_MAX,
                    HOLDINGS_MAX);
}

static void replay_row(replay *run, const scenario_row *row) {
    if (row->type == ROW_CONFIG) {
        replay_config_row(run, row);
        return;
    }
    replay_start(run, row->line);
    if (run->failed) return;
    if (row_is_exchange_fact(row->type)) {
        replay_fact_row(run, row);
        return;
    }
    replay_flush(run);
    if (run->failed) return;
    switch (row->type) {
    case ROW_EXPECT: replay_expect_row(run, row); break;
    case ROW_BAR: case ROW_TP_SL: case ROW_HOLDING: replay_market_row(run, row); break;
    default:
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "%s rows are not supported yet", row_type_name(row->type));
        break;
    }
}

/* Removes what a failed run created, so bad input leaves nothing behind. */
static void replay_clean_up(replay *run) {
    if (!run->output_open) return;
    run_output_close(&run->output);
    run->output_open = false;
    char path[PATH_CAPACITY + 32];
    snprintf(path, sizeof path, "%s/logs/state", run->options->output_directory);
    rmdir(path);
    snprintf(path, sizeof path, "%s/logs", run->options->output_directory);
    rmdir(path);
    if (!run->directory_existed) rmdir(run->options->output_directory);
}

static void replay_finish(replay *run) {
    replay_flush(run);
    replay_start(run, 0);
    if (run->failed) return;
    if (run_output_state(&run->output, &run->core) < 0 || run_output_commit(&run->output) < 0)
        replay_fail(run, REPLAY_OUTPUT_ERROR, 0, "%s", run->output.error);
}

replay_status replay_file(const char *path, const replay_options *options, replay_result *result) {
    memset(result, 0, sizeof *result);
    replay *run = calloc(1, sizeof *run);
    if (run == NULL) {
        snprintf(result->error, sizeof result->error, "%s: out of memory", path);
        return REPLAY_OUTPUT_ERROR;
    }
    run->path = path;
    run->options = options;
    run->result = result;
    run->config = options->overrides;
    if (scenario_open(&run->reader, path) < 0) {
        snprintf(result->error, sizeof result->error, "%s", run->reader.error);
        run->failed = true;
        run->status = REPLAY_BAD_INPUT;
    }
    scenario_row row;
    while (!run->failed) {
        int next = scenario_next(&run->reader, &row);
        if (next < 0) {
            replay_fail(run, REPLAY_BAD_INPUT, 0, "%s", "");
            snprintf(result->error, sizeof result->error, "%s", run->reader.error);
        }
        if (next <= 0) break;
        result->rows++;
        replay_row(run, &row);
    }
    if (!run->failed) replay_finish(run);
    if (run->failed)
        replay_clean_up(run);
    else
        run_output_close(&run->output);
    scenario_close(&run->reader);
    replay_status status = run->failed ? run->status : REPLAY_OK;
    free(run);
    return status;
}
