/* run_output.h -- the executor's state layout under one run directory,
 * written by both drivers (scenario replay and the live adapter).
 *
 *   DIR/logs/reconcile.jsonl  one line per snapshot (unless trace is none)
 *   DIR/logs/nav.csv          one row per snapshot
 *   DIR/logs/exits.jsonl      one line per exit intent
 *   DIR/logs/faults.jsonl     one line per injected fault
 *   DIR/logs/orders.jsonl     one line per backtest order
 *   DIR/logs/marks.csv        one row per mark the kernel received, with the
 *                             position and TP/SL then (unless trace is none;
 *                             the per-symbol charts' source)
 *   DIR/logs/state/{account,nav,kpis_v7,positions_state,position_tp_sl,state}.json
 *
 * Replay mode writes every file new, straight into DIR: `run` gives it a
 * staging folder of its own that becomes the real DIR in one step when the
 * run is complete (io/run_directory), so a failed run leaves nothing behind.
 * Live mode takes DIR's lock (io/file_lock), appends to the final log files,
 * and at each state write syncs the logs first and then swaps in a new
 * logs/state folder whole (run_output_state): the six state files change as
 * one set and are never ahead of the logs. */
#ifndef LEDGERSIM_IO_RUN_OUTPUT_H
#define LEDGERSIM_IO_RUN_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kernel.h"
#include "core/limits.h"
#include "io/buffer.h"
#include "io/file_lock.h"
#include "io/json_writer.h"

enum { PATH_CAPACITY = 4096, RUN_OUTPUT_ERROR_CAPACITY = PATH_CAPACITY + 256 };

typedef enum { TRACE_FULL, TRACE_NONE } trace_mode;

typedef enum { LOG_RECONCILE, LOG_NAV, LOG_EXITS, LOG_FAULTS, LOG_ORDERS, LOG_MARKS, LOG_COUNT } log_stream;

typedef struct {
    int descriptor;            /* -1 while closed */
    buffer pending;            /* bytes not yet written (flushed at 256 KiB) */
    bool written;              /* anything appended this run */
} log_file;

/* One backtest order for orders.jsonl. */
typedef struct {
    double ts;
    char symbol[SYMBOL_CAPACITY];
    int side;                  /* +1 BUY, -1 SELL */
    double qty;
    bool filled;               /* FILLED or REJECTED */
    double price;
    double fee;
    double realized_pnl;
    const char *reason;        /* "strategy", "exit TP", "no mark", ... */
} order_record;

/* Extra members a driver adds to kpis_v7.json (simulator invariants,
 * detection rates), written by the callback into the open object. */
typedef void (*kpis_extension)(void *context, json_writer *writer);

typedef struct {
    char directory[PATH_CAPACITY];
    trace_mode trace;
    bool live;                 /* append in place instead of temp-and-rename */
    log_file logs[LOG_COUNT];
    buffer scratch;            /* one state file or line at a time */
    kpis_extension extension;  /* may be NULL; set by the driver after open */
    file_lock lock;            /* live mode: DIR's writer lock */
    void *extension_context;
    kpis_extension state_extension; /* may be NULL; adds members to state.json (live) */
    void *state_extension_context;
    char error[RUN_OUTPUT_ERROR_CAPACITY];
} run_output;

/* Prepares output under directory (created with parents). Replay mode: the
 * logs are created new (an existing file or link at their names is removed
 * first). Live mode: takes DIR's lock first (another writer: -1, the error
 * names its pid) and repairs what a killed state swap left. Returns 0, or -1
 * with out->error set. */
int run_output_open(run_output *out, const char *directory, trace_mode trace, bool live) WARN_UNUSED_RESULT;

/* Appends what the event just closed by kernel_end_event produced: the
 * reconcile line, the nav.csv row, one line per exit intent. */
int run_output_event(run_output *out, const kernel *k) WARN_UNUSED_RESULT;

/* Appends a faults.jsonl line; params_json is a JSON object text ("{}" if none). */
int run_output_fault(run_output *out, long event_seq, const char *kind, const char *symbol,
                     const char *params_json) WARN_UNUSED_RESULT;

/* Appends an orders.jsonl line. */
int run_output_order(run_output *out, const order_record *order) WARN_UNUSED_RESULT;

/* Writes the six state JSON files from the kernel as one set (see above). */
int run_output_state(run_output *out, const kernel *k) WARN_UNUSED_RESULT;

/* Flushes, fsyncs and closes the logs (an empty log file is still created,
 * so every run has the same file set). */
int run_output_commit(run_output *out) WARN_UNUSED_RESULT;

/* Closes everything and releases the lock. Safe after a failure and after
 * commit; in replay mode, before commit (a failed run), it removes the logs
 * and state files it wrote. */
void run_output_close(run_output *out);

#endif
