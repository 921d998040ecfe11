/* replay.c -- see replay.h. */
#include "sim/replay.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/number.h"
#include "core/text.h"
#include "io/progress.h"
#include "sim/event.h"
#include "sim/expect.h"
#include "sim/scenario.h"
#include "sim/venue.h"

enum {
    EXIT_QUEUE_MAX = 2 * SYMBOLS_MAX,   /* exit intents waiting for the venue */
    FAULT_PARAMS_LIMIT = 1024           /* bytes of one fault's params JSON */
};

/* An exit intent waiting to become a reduce-only market order. */
typedef struct {
    char symbol[SYMBOL_CAPACITY];
    position_side side;                 /* of the position to close */
    exit_reason reason;
    double mark;                        /* the kernel's mark that fired it */
    double ts;                          /* of the event that fired it */
} queued_exit;

enum { CONFIG_ROW_KEYS_MAX = 64, CONFIG_ROW_KEY_CAPACITY = 64 };

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
    /* Simulation: see replay.h. */
    bool backtest;                      /* an order or funding_rate row was seen */
    bool faults_active;                 /* events pass the injector */
    bool simulated;                     /* invariants checked, kpis extension written */
    bool injector_ready;                /* fault_injector_init succeeded: free at the end */
    venue exchange;
    exchange_event venue_event;         /* the venue's latest event */
    fault_injector injector;
    invariant_checker checker;
    queued_exit exits[EXIT_QUEUE_MAX];  /* ring */
    size_t exit_head;
    size_t exit_count;
    bool draining;                      /* replay_drain_exits is running */
    bool has_delivered_ts;
    double last_delivered_ts;           /* a late (delayed) event is raised to it, as live does */
    buffer fault_params;                /* one fault's params JSON at a time */
    long row_line;                      /* the line of the row being replayed (for callbacks' errors) */
    /* The config rows' keys so far: a key given twice is an error (the one
     * duplicate-key rule, README "Duplicate keys"). */
    char config_keys[CONFIG_ROW_KEYS_MAX][CONFIG_ROW_KEY_CAPACITY];
    long config_lines[CONFIG_ROW_KEYS_MAX];
    size_t config_count;
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

/* Hands one event to the kernel (defined below; the injector's sink calls it). */
static void replay_deliver(replay *run, exchange_event *event);

/* Makes the run simulated (defined below). */
static void replay_simulate(replay *run);

/* Sink callback: one event from the injector for the kernel (borrowed). */
static void sink_deliver(void *context, exchange_event *event) { replay_deliver(context, event); }

/* Sink callback: logs and counts one injected fault (record borrowed). */
static void sink_injected(void *context, const fault_record *record) {
    replay *run = context;
    if (run->failed) return;
    long last_seq = run->core.projection.snapshot.event_seq;
    run->core.faults_injected++;
    invariants_fault_injected(&run->checker, record->kind, last_seq, run->core.projection.snapshot.reconcile.status);
    const replay_observer *observer = run->options->observer;
    if (observer != NULL) observer->fault(observer->context, &run->core, record->kind, last_seq);
    if (!run->output_open) return;
    buffer *params = &run->fault_params;
    buffer_reset(params);
    json_writer writer;
    json_writer_init(&writer, params, false);
    json_object_begin(&writer);
    JSON_KEY(&writer, "drawn"); json_bool(&writer, record->drawn);
    JSON_KEY(&writer, "event_id");
    if (record->event_id != NULL)
        json_string(&writer, record->event_id);
    else
        json_null(&writer);
    switch (record->kind) {
    case FAULT_STALE_MARK:
        JSON_KEY(&writer, "hidden_mark"); json_number(&writer, record->price);
        JSON_KEY(&writer, "remaining"); json_integer(&writer, record->count);
        break;
    case FAULT_DELAY: JSON_KEY(&writer, "after"); json_integer(&writer, record->count); break;
    case FAULT_CORRUPT: JSON_KEY(&writer, "field"); json_string(&writer, record->field); break;
    case FAULT_ORPHAN_TP_SL:
        JSON_KEY(&writer, "tp"); json_optional_number(&writer, record->has_tp, record->tp);
        JSON_KEY(&writer, "sl"); json_optional_number(&writer, record->has_sl, record->sl);
        break;
    default: break;
    }
    json_object_end(&writer);
    if (buffer_failed(params)) {
        replay_fail(run, REPLAY_OUTPUT_ERROR, 0, "a fault's params exceed %d bytes", FAULT_PARAMS_LIMIT);
        return;
    }
    if (run_output_fault(&run->output, last_seq + 1, fault_kind_name(record->kind), record->symbol, params->data) < 0)
        replay_fail(run, REPLAY_OUTPUT_ERROR, 0, "%s", run->output.error);
}

/* Sink callback: writes an orphan registry entry (borrowed) into the kernel. */
static void sink_put_tp_sl(void *context, const registry_entry *entry) {
    replay *run = context;
    if (run->failed) return;
    if (kernel_put_tp_sl(&run->core, entry) != KERNEL_OK)
        replay_fail(run, REPLAY_BAD_INPUT, run->row_line, "more than %d symbols in the TP/SL registry", SYMBOLS_MAX);
}

/* Sink callback: whether the kernel holds a position in symbol. */
static bool sink_holds_position(void *context, const char *symbol) {
    const replay *run = context;
    const book_position *position = book_find(&run->core.book, symbol);
    return position != NULL && position->qty != 0;
}

/* Sink callback: the kernel's mark of symbol. */
static bool sink_mark(void *context, const char *symbol, double *mark) {
    const replay *run = context;
    return kernel_mark(&run->core, symbol, mark);
}

/* kpis_v7.json extension: the "simulator" member of a simulated run. The
 * context is the replay (borrowed); writer is the open kpis object. */
static void render_simulator(void *context, json_writer *writer) {
    const replay *run = context;
    if (!run->simulated) return;
    JSON_KEY(writer, "simulator");
    json_object_begin(writer);
    JSON_KEY(writer, "backtest"); json_bool(writer, run->backtest);
    const fault_plan *plan = run->options->faults;
    bool drawn = plan != NULL && plan->any;
    JSON_KEY(writer, "faults");
    if (drawn) {
        char text[FAULT_PLAN_TEXT_CAPACITY];
        fault_plan_format(plan, text, sizeof text);
        json_string(writer, text);
    } else {
        json_null(writer);
    }
    JSON_KEY(writer, "seed");
    if (drawn)
        json_integer(writer, (int64_t)run->options->seed);
    else
        json_null(writer);
    JSON_KEY(writer, "events_checked"); json_integer(writer, run->checker.events_checked);
    JSON_KEY(writer, "invariant_violations"); json_integer(writer, invariants_total_violations(&run->checker));
    invariants_render(&run->checker, writer);
    JSON_KEY(writer, "venue");
    if (run->backtest) {
        const venue *exchange = &run->exchange;
        json_object_begin(writer);
        JSON_KEY(writer, "wallet_balance"); json_number(writer, exchange->wallet_balance);
        JSON_KEY(writer, "realized_pnl"); json_number(writer, exchange->realized_total);
        JSON_KEY(writer, "fees_paid"); json_number(writer, exchange->fees_total);
        JSON_KEY(writer, "funding_paid"); json_number(writer, exchange->funding_total);
        JSON_KEY(writer, "orders_filled"); json_integer(writer, exchange->orders_filled);
        JSON_KEY(writer, "orders_rejected"); json_integer(writer, exchange->orders_rejected);
        JSON_KEY(writer, "funding_charges"); json_integer(writer, exchange->funding_charges);
        json_object_end(writer);
    } else {
        json_null(writer);
    }
    json_object_end(writer);
}

/* Starts the kernel, the venue, the injector and the outputs once the
 * config rows are all read. */
static void replay_start(replay *run, long line) {
    if (run->started || run->failed) return;
    run->started = true;
    kernel_init(&run->core, &run->config);
    const holdings_book *holdings = run->options->holdings;
    for (size_t index = 0; holdings != NULL && index < holdings->count; index++)
        if (kernel_set_holding(&run->core, &holdings->items[index]) != KERNEL_OK)
            replay_fail(run, REPLAY_BAD_INPUT, line, "more than %d holdings", HOLDINGS_MAX);
    venue_init(&run->exchange, &run->config);
    fault_plan no_faults;
    memset(&no_faults, 0, sizeof no_faults);
    const fault_plan *plan = run->options->faults != NULL ? run->options->faults : &no_faults;
    fault_sink sink = {.context = run, .deliver = sink_deliver, .injected = sink_injected,
                       .put_tp_sl = sink_put_tp_sl, .holds_position = sink_holds_position, .mark = sink_mark};
    if (!fault_injector_init(&run->injector, plan, run->options->seed, &sink)) {
        replay_fail(run, REPLAY_OUTPUT_ERROR, 0, "out of memory (fault generators)");
        return;
    }
    run->injector_ready = true;
    run->faults_active = plan->any;
    if (plan->any) replay_simulate(run);
    if (run->options->output_directory == NULL) return;
    struct stat status;
    run->directory_existed = stat(run->options->output_directory, &status) == 0;
    if (run_output_open(&run->output, run->options->output_directory, run->options->trace, false) < 0) {
        replay_fail(run, REPLAY_OUTPUT_ERROR, 0, "%s", run->output.error);
        run_output_close(&run->output);
        return;
    }
    run->output.extension = render_simulator;
    run->output.extension_context = run;
    run->output_open = true;
}

/* Fills every field of fact (owned by the caller) from a validated
 * exchange-fact row (borrowed); the fields its type does not use are 0. */
static void fact_from_row(const scenario_row *row, exchange_fact *fact) {
    const double *number = row->number;
    /* Field by field: clearing the whole struct first is a rep stos, slow
     * for its size, once per row. */
    memcpy(fact->symbol, row->symbol, sizeof fact->symbol); /* both SYMBOL_CAPACITY */
    fact->side = 0;
    fact->qty = fact->price = fact->fee = fact->realized_pnl = fact->amount = 0;
    fact->wallet_balance = fact->available_margin = fact->used_margin = fact->maint_margin = 0;
    fact->entry_price = fact->mark_price = fact->unrealized_pnl = 0;
    fact->has_leverage = scenario_given(row, COLUMN_LEVERAGE);
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
    case ROW_TRANSFER:
        fact->type = FACT_TRANSFER;
        fact->amount = number[COLUMN_AMOUNT];
        break;
    case ROW_LEVERAGE:
        fact->type = FACT_LEVERAGE;
        break;
    default:
        assert(row->type == ROW_MARK);
        fact->type = FACT_MARK;
        fact->price = number[COLUMN_PRICE];
        break;
    }
}

/* Applies one whole event (borrowed) to the kernel and appends its outputs.
 * Returns whether the kernel applied it (false: a duplicate id, skipped). */
static bool replay_apply_event(replay *run, const exchange_event *event) {
    kernel *core = &run->core;
    kernel_event_result applied =
        kernel_apply_event(core, event->event_id, event->synthetic, event->ts, event->facts, event->fact_count);
    if (applied == KERNEL_EVENT_DUPLICATE) return false;
    if (applied == KERNEL_EVENT_SYMBOLS_FULL) {
        replay_fail(run, REPLAY_BAD_INPUT, event->line, "more than %d symbols", SYMBOLS_MAX);
        return true;
    }
    run->result->events++;
    const replay_observer *observer = run->options->observer;
    if (observer != NULL) observer->snapshot(observer->context, core);
    if (run->output_open && run_output_event(&run->output, core) < 0)
        replay_fail(run, REPLAY_OUTPUT_ERROR, 0, "%s", run->output.error);
    return true;
}

/* Appends record (borrowed) to orders.jsonl. */
static void replay_log_order(replay *run, const order_record *record) {
    if (!run->output_open || run->failed) return;
    if (run_output_order(&run->output, record) < 0) replay_fail(run, REPLAY_OUTPUT_ERROR, 0, "%s", run->output.error);
}

/* Queues the exit intents of the event the kernel just closed (backtest). */
static void queue_exits(replay *run) {
    const kernel *core = &run->core;
    for (size_t index = 0; index < core->intent_count; index++) {
        const exit_intent *intent = &core->intents[index];
        if (run->exit_count == EXIT_QUEUE_MAX) {
            order_record record = {.ts = core->event_ts, .side = intent->side == SIDE_LONG ? -1 : 1,
                                   .qty = intent->qty, .filled = false, .reason = "exit queue full"};
            text_copy(record.symbol, sizeof record.symbol, intent->symbol);
            run->exchange.orders_rejected++;
            replay_log_order(run, &record);
            continue;
        }
        queued_exit *queued = &run->exits[(run->exit_head + run->exit_count) % EXIT_QUEUE_MAX];
        text_copy(queued->symbol, sizeof queued->symbol, intent->symbol);
        queued->side = intent->side;
        queued->reason = intent->reason;
        queued->mark = intent->mark;
        queued->ts = core->event_ts;
        run->exit_count++;
    }
}

/* Hands one event (borrowed) to the kernel, with the invariant checks
 * around it and, in a backtest, its exit intents queued for the venue. A
 * late event (a delayed one) is stamped with the latest ts delivered, as
 * the live driver does, so that snapshots never go back in time. */
static void replay_deliver(replay *run, exchange_event *event) {
    if (run->failed) return;
    if (run->has_delivered_ts && event->ts < run->last_delivered_ts) event->ts = run->last_delivered_ts;
    run->has_delivered_ts = true;
    run->last_delivered_ts = event->ts;
    if (run->simulated) invariants_before_event(&run->checker, &run->core);
    bool applied = replay_apply_event(run, event);
    if (run->failed) return;
    if (run->simulated)
        invariants_after_event(&run->checker, &run->core, event, applied, run->backtest ? &run->exchange : NULL);
    if (applied && run->backtest && run->core.intent_count > 0) queue_exits(run);
}

/* Sends one event (borrowed) on its way: through the injector when faults
 * are active, else straight to the kernel. */
static void replay_route(replay *run, exchange_event *event) {
    if (run->failed) return;
    if (run->faults_active)
        fault_injector_submit(&run->injector, event);
    else
        replay_deliver(run, event);
}

/* Executes the queued exit intents as reduce-only market orders for the
 * whole position, at the mark that fired them; their events may fire
 * nothing (fills move no mark), but released delayed events may: loop. */
static void replay_drain_exits(replay *run) {
    if (run->draining) return;
    run->draining = true;
    while (run->exit_count > 0 && !run->failed) {
        queued_exit queued = run->exits[run->exit_head];
        run->exit_head = (run->exit_head + 1) % EXIT_QUEUE_MAX;
        run->exit_count--;
        venue_order order = {.ts = queued.ts, .side = queued.side == SIDE_LONG ? -1 : 1, .qty = 0,
                             .reduce_only = true, .has_base_price = true, .base_price = queued.mark,
                             .reason = queued.reason == EXIT_TP ? "exit TP" : "exit SL"};
        text_copy(order.symbol, sizeof order.symbol, queued.symbol);
        order_record record;
        bool filled = venue_execute(&run->exchange, &order, &run->venue_event, &record);
        replay_log_order(run, &record);
        if (filled) replay_route(run, &run->venue_event);
    }
    run->draining = false;
}

/* Routes event (borrowed) and then executes the exits it caused. */
static void replay_submit(replay *run, exchange_event *event) {
    replay_route(run, event);
    replay_drain_exits(run);
}

/* From now on the run is simulated (invariants, kpis extension, the
 * venue following every mark). Until now the kernel saw every mark as it
 * was (no fault was active), so its marks are the venue's truth. */
static void replay_simulate(replay *run) {
    if (run->simulated) return;
    run->simulated = true;
    /* Only now: the checker's id window is 768 KiB to clear, which a plain
     * replay of exchange facts never uses. */
    long window = run->options->detect_window > 0 ? run->options->detect_window : DETECT_WINDOW_DEFAULT;
    invariants_init(&run->checker, window);
    const position_book *book = &run->core.book;
    for (size_t index = 0; index < book->count; index++)
        if (book->positions[index].has_mark)
            venue_set_mark(&run->exchange, book->positions[index].symbol, book->positions[index].mark);
}

/* Sends the pending file event: in a simulated run the venue reads its
 * marks first (its own truth) and, in a backtest, re-reports its account
 * with them. */
static void replay_flush(replay *run) {
    if (!run->has_pending || run->failed) return;
    run->has_pending = false;
    if (run->simulated) venue_observe_marks(&run->exchange, &run->pending);
    if (run->backtest) (void)venue_append_account(&run->exchange, &run->pending);
    replay_submit(run, &run->pending);
}

/* Adds an exchange-fact row (borrowed) to the pending event, or starts a new event. */
static void replay_fact_row(replay *run, const scenario_row *row) {
    exchange_event *event = &run->pending;
    bool joins = run->has_pending && row->event_id_length > 0 && !event->synthetic &&
                 event->event_id_length == row->event_id_length &&
                 text_same_bytes(event->event_id, row->event_id, row->event_id_length); /* both EVENT_ID_CAPACITY */
    if (!joins) {
        replay_flush(run);
        if (run->failed) return;
        run->has_pending = true;
        bool synthetic = row->event_id[0] == '\0';
        char event_id[EVENT_ID_CAPACITY];
        if (synthetic)
            event_synthetic_id(event_id, row->line);
        else
            text_copy(event_id, sizeof event_id, row->event_id);
        event_start(event, event_id, synthetic, row->ts, row->line);
        if (!synthetic) kernel_prefetch_event(&run->core, event->event_id);
    }
    exchange_fact *fact = event_append_fact(event);
    if (fact != NULL)
        fact_from_row(row, fact);
    else
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "event '%s' has more than %d rows", event->event_id,
                    EVENT_ROWS_MAX);
}

/* An order row (borrowed): the venue executes it and delivers its event. */
static void replay_order_row(replay *run, const scenario_row *row) {
    venue_order order = {.ts = row->ts, .side = row->side, .qty = row->number[COLUMN_QTY], .reduce_only = false,
                         .has_leverage = scenario_given(row, COLUMN_LEVERAGE), .leverage = row->number[COLUMN_LEVERAGE],
                         .has_base_price = false, .reason = "strategy"};
    text_copy(order.symbol, sizeof order.symbol, row->symbol);
    order_record record;
    bool filled = venue_execute(&run->exchange, &order, &run->venue_event, &record);
    replay_log_order(run, &record);
    if (filled) replay_submit(run, &run->venue_event);
}

/* A funding_rate row (borrowed): the venue charges the symbol's position. */
static void replay_funding_rate_row(replay *run, const scenario_row *row) {
    venue_funding_result charged = venue_charge_funding(&run->exchange, row->symbol, row->number[COLUMN_RATE],
                                                        row->ts, &run->venue_event);
    if (charged == VENUE_FUNDING_CHARGED) replay_submit(run, &run->venue_event);
}

/* A fault row (borrowed): scripted into the injector at its place. */
static void replay_fault_row(replay *run, const scenario_row *row) {
    fault_kind kind;
    if (!fault_kind_parse(row->key, &kind)) {
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "unknown fault kind '%s'", row->key);
        return;
    }
    run->faults_active = true;
    replay_simulate(run);
    char reason[512];
    if (!fault_injector_script(&run->injector, kind, row->symbol, row->value, scenario_given(row, COLUMN_TP),
                               row->number[COLUMN_TP], scenario_given(row, COLUMN_SL), row->number[COLUMN_SL], row->ts,
                               row->line, reason, sizeof reason))
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "%s", reason);
    replay_drain_exits(run);
}

/* An expect row (borrowed): parsed always, evaluated in check mode. */
static void replay_expect_row(replay *run, const scenario_row *row) {
    expect_path path;
    char reason[EXPECT_REASON_CAPACITY];
    if (!expect_parse(row->key, row->value, &path, reason, sizeof reason)) {
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "%s", reason);
        return;
    }
    if (!run->options->evaluate_expectations) return;
    char actual[EXPECT_TEXT_CAPACITY];
    bool passed = expect_evaluate(&run->core, &path, row->value, actual);
    if (run->options->on_expectation != NULL) {
        expectation_outcome outcome = {row->line, row->key, row->value, actual, passed};
        run->options->on_expectation(run->options->expectation_context, &outcome);
    }
    if (passed) {
        run->result->expectations_passed++;
        return;
    }
    run->result->expectations_failed++;
    if (run->options->failures != NULL && run->result->expectations_failed <= REPLAY_FAILURES_MAX)
        buffer_append_format(run->options->failures, "%s:%ld: %s expected %s, got %s\n", run->path, row->line,
                             row->key, row->value, actual);
}

/* A config row (borrowed): sets a key unless a higher source locked it. */
static void replay_config_row(replay *run, const scenario_row *row) {
    char reason[CONFIG_REASON_CAPACITY];
    config_set_result result = config_set(&run->config, row->key, row->value, reason, sizeof reason);
    if (result == CONFIG_SET_UNKNOWN_KEY || result == CONFIG_SET_BAD_VALUE)
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "%s", reason);
    if (run->failed) return;
    for (size_t index = 0; index < run->config_count; index++)
        if (strcmp(run->config_keys[index], row->key) == 0) {
            replay_fail(run, REPLAY_BAD_INPUT, row->line, "config key '%s' is given twice (first on line %ld)",
                        row->key, run->config_lines[index]);
            return;
        }
    if (run->config_count < CONFIG_ROW_KEYS_MAX && strlen(row->key) < CONFIG_ROW_KEY_CAPACITY) {
        snprintf(run->config_keys[run->config_count], CONFIG_ROW_KEY_CAPACITY, "%s", row->key);
        run->config_lines[run->config_count++] = row->line;
    }
}

/* A bar, tp_sl or holding row (borrowed), applied to the kernel now. */
static void replay_market_row(replay *run, const scenario_row *row) {
    const double *number = row->number;
    kernel_status status = KERNEL_OK;
    if (row->type == ROW_BAR) {
        status = kernel_apply_bar(&run->core, row->symbol, number[COLUMN_HIGH], number[COLUMN_LOW],
                                  number[COLUMN_PRICE]);
    } else if (row->type == ROW_TP_SL) {
        registry_entry entry = {.side = row->side > 0 ? SIDE_LONG : SIDE_SHORT,
                                .entry_price = number[COLUMN_ENTRY_PRICE],
                                .has_tp = scenario_given(row, COLUMN_TP), .tp = number[COLUMN_TP],
                                .has_sl = scenario_given(row, COLUMN_SL), .sl = number[COLUMN_SL],
                                .created_ts = row->ts, .updated_ts = row->ts};
        text_copy(entry.symbol, sizeof entry.symbol, row->symbol);
        status = kernel_put_tp_sl(&run->core, &entry);
    } else {
        assert(row->type == ROW_HOLDING);
        /* The limit --holdings enforces: room for ASSET + "USDT" in a symbol. */
        if (strlen(row->symbol) + 4 >= SYMBOL_CAPACITY) {
            replay_fail(run, REPLAY_BAD_INPUT, row->line, "holding asset '%s' is longer than %d bytes", row->symbol,
                        SYMBOL_CAPACITY - 5);
            return;
        }
        holding item = {.qty = number[COLUMN_QTY], .has_avg_cost = scenario_given(row, COLUMN_AVG_COST),
                        .avg_cost = number[COLUMN_AVG_COST]};
        text_copy(item.asset, sizeof item.asset, row->symbol);
        status = kernel_set_holding(&run->core, &item);
    }
    if (status != KERNEL_OK && row->type == ROW_HOLDING)
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "more than %d holdings", HOLDINGS_MAX);
    else if (status != KERNEL_OK)
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "more than %d symbols", SYMBOLS_MAX);
}


/* Dispatches one row (borrowed) at its place in the timeline. */
static void replay_row(replay *run, const scenario_row *row) {
    run->row_line = row->line;
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
    case ROW_ORDER:
    case ROW_FUNDING_RATE:
        run->backtest = true;
        replay_simulate(run);
        if (row->type == ROW_ORDER)
            replay_order_row(run, row);
        else
            replay_funding_rate_row(run, row);
        break;
    case ROW_FAULT: replay_fault_row(run, row); break;
    default:
        replay_fail(run, REPLAY_BAD_INPUT, row->line, "%s rows are not supported here", row_type_name(row->type));
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

/* Copies what the simulation found into the caller's result. */
static void replay_summarize(const replay *run, simulation_summary *summary) {
    memset(summary, 0, sizeof *summary);
    summary->simulated = run->simulated;
    summary->backtest = run->backtest;
    const invariant_checker *checker = &run->checker;
    summary->events_checked = checker->events_checked;
    for (int index = 0; index < INVARIANT_COUNT; index++) {
        summary->violations[index] = checker->violations[index];
        if (checker->violations[index] > 0 && summary->first_violation[0] == '\0')
            snprintf(summary->first_violation, sizeof summary->first_violation, "%s at event_seq %ld: %s",
                     invariant_name((invariant_id)index), checker->first_event_seq[index],
                     checker->first_message[index]);
    }
    summary->total_violations = invariants_total_violations(checker);
    for (int index = 0; index < FAULT_KIND_COUNT; index++) {
        summary->injected[index] = checker->injected[index];
        summary->detected[index] = checker->detected[index];
        summary->injected_on_ok[index] = checker->injected_on_ok[index];
        summary->detected_on_ok[index] = checker->detected_on_ok[index];
        summary->unmeasured[index] = checker->unmeasured[index];
    }
    summary->orders_filled = run->exchange.orders_filled;
    summary->orders_rejected = run->exchange.orders_rejected;
}

/* The end of the file: the last event, the held events and the exits they
 * cause, then the state files and the logs' commit. */
static void replay_finish(replay *run) {
    replay_flush(run);
    replay_start(run, 0);
    if (run->failed) return;
    while (!run->failed && (fault_injector_held_count(&run->injector) > 0 || run->exit_count > 0)) {
        fault_injector_release_all(&run->injector);
        replay_drain_exits(run);
    }
    if (run->failed) return;
    if (run->simulated) {
        invariants_finish(&run->checker);
        replay_summarize(run, &run->result->simulation);
    }
    for (int status = 0; status < 3; status++)
        run->result->simulation.snapshots[status] = run->core.kpis.reconcile_counts[status];
    if (!run->output_open) return;
    if (run_output_state(&run->output, &run->core) < 0 || run_output_commit(&run->output) < 0)
        replay_fail(run, REPLAY_OUTPUT_ERROR, 0, "%s", run->output.error);
}

/* Starts the progress line of a replay (options->show_progress; drawn only
 * on a terminal): "replay FILE", its percent from the bytes read of the file's
 * size. Without show_progress the reporter stays silent. */
static void replay_progress_start(const char *path, const replay_options *options, progress *reporter) {
    memset(reporter, 0, sizeof *reporter); /* silent: no terminal check per replay (fuzz runs thousands) */
    if (!options->show_progress) return;
    struct stat status;
    long size = stat(path, &status) == 0 && S_ISREG(status.st_mode) ? (long)status.st_size : 0;
    const char *slash = strrchr(path, '/');
    char label[PROGRESS_LABEL_CAPACITY];
    snprintf(label, sizeof label, "replay %s", slash != NULL ? slash + 1 : path);
    progress_init_bytes(reporter, label, size);
}

/* Runs one scenario file; see replay.h. */
replay_status replay_file(const char *path, const replay_options *options, replay_result *result) {
    memset(result, 0, sizeof *result);
    if (options->detect_window < 0 || options->detect_window > DETECT_WINDOW_MAX) {
        snprintf(result->error, sizeof result->error, "%s: the detection window must be 1 to %d snapshots", path,
                 DETECT_WINDOW_MAX);
        return REPLAY_BAD_INPUT;
    }
    replay *run = calloc(1, sizeof *run);
    if (run == NULL) {
        snprintf(result->error, sizeof result->error, "%s: out of memory", path);
        return REPLAY_OUTPUT_ERROR;
    }
    run->path = path;
    run->options = options;
    run->result = result;
    run->config = options->overrides;
    buffer_init(&run->fault_params, FAULT_PARAMS_LIMIT);
    if (scenario_open(&run->reader, path) < 0) {
        snprintf(result->error, sizeof result->error, "%s", run->reader.error);
        run->failed = true;
        run->status = REPLAY_BAD_INPUT;
    }
    const scenario_row *row = NULL;
    progress reporter;
    replay_progress_start(path, options, &reporter);
    while (!run->failed) {
        int next = scenario_next(&run->reader, &row);
        if (next < 0) {
            replay_fail(run, REPLAY_BAD_INPUT, 0, "%s", "");
            snprintf(result->error, sizeof result->error, "%s", run->reader.error);
        }
        if (next <= 0) break;
        result->rows++;
        replay_row(run, row);
        /* Every 4096 rows: a clock read per row would cost more than the row. */
        if (options->show_progress && (result->rows & 4095) == 0)
            progress_update_counts(&reporter, run->reader.bytes_read, result->rows, result->events);
    }
    progress_finish(&reporter);
    if (!run->failed) replay_finish(run);
    if (run->failed)
        replay_clean_up(run);
    else if (run->output_open)
        run_output_close(&run->output);
    scenario_close(&run->reader);
    if (run->injector_ready) fault_injector_free(&run->injector);
    buffer_free(&run->fault_params);
    replay_status status = run->failed ? run->status : REPLAY_OK;
    free(run);
    return status;
}
