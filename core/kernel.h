/* kernel.h -- the one core both drivers feed.
 *
 * The scenario reader (sim/) and the Binance adapter (live/) turn their input
 * into the same normalized exchange facts and hand them here, one exchange
 * event at a time:
 *
 *     kernel_apply_event(k, id, synthetic, ts, facts, count);
 *         // = kernel_begin_event, kernel_apply_fact each, kernel_end_event
 *         //   (snapshot, ledger sync, NAV, exits)
 *
 * Per event, in order (the scenario format's rules): apply the facts; hand
 * the exchange position list to the projection; sync the ledger (seed TP/SL,
 * drop stale entries); build one snapshot with the event's first ts; value
 * NAV and AUM; then, if the event moved a mark, run the exit scanner. The
 * results of the last event stay readable in the struct until the next one.
 * Pure: no I/O, no globals, fixed memory (about 8 MiB: allocate it). */
#ifndef LEDGERSIM_CORE_KERNEL_H
#define LEDGERSIM_CORE_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/book.h"
#include "core/config.h"
#include "core/dedup.h"
#include "core/exits.h"
#include "core/kpis.h"
#include "core/ledger.h"
#include "core/limits.h"
#include "core/nav.h"
#include "core/projection.h"

/* FACT_TRANSFER and FACT_LEVERAGE are format 1.1's transfer and leverage rows. */
typedef enum { FACT_FILL = 1, FACT_FUNDING, FACT_BALANCE, FACT_POSITION, FACT_MARK, FACT_TRANSFER, FACT_LEVERAGE } fact_type;

/* One normalized exchange fact. Fields a type does not use are 0. */
typedef struct {
    fact_type type;
    char symbol[SYMBOL_CAPACITY];
    int side;                 /* fill: +1 BUY, -1 SELL */
    double qty;               /* fill: > 0; position: signed (0 removes) */
    double price;             /* fill price, mark price */
    double fee;               /* fill, quote currency */
    double realized_pnl;      /* fill */
    bool has_leverage;
    double leverage;          /* fill (becomes the symbol's), position, leverage (has_leverage set) */
    double amount;            /* funding: paid by the account; transfer: into the wallet (< 0 out) */
    double wallet_balance, available_margin, used_margin, maint_margin; /* balance */
    double entry_price, mark_price, unrealized_pnl;                     /* position */
} exchange_fact;

typedef enum {
    KERNEL_OK = 0,
    KERNEL_SYMBOLS_FULL = -1  /* a new symbol beyond SYMBOLS_MAX */
} kernel_status;

typedef struct {
    char symbol[SYMBOL_CAPACITY];
    exit_reason reason;
} last_exit;

typedef struct {
    kernel_config config;
    account_projection projection;
    position_book book;
    exchange_position exchange_positions[SYMBOLS_MAX]; /* E positions held, sorted */
    size_t exchange_count;
    tp_sl_registry registry;
    position_ledger ledger;
    ledger_consistency consistency;
    ledger_sync_report sync_report;   /* what the last sync changed */
    bool ledger_stale;                /* a fill or a registry write since the last sync */
    atr_tracker atr;
    exit_scanner scanner;
    holdings_book holdings;
    event_id_window dedup;
    bool has_valid_wallet;
    double last_valid_wallet;
    aum_view aum;                     /* NAV and AUM after the last event */
    kpis_tracker kpis;
    /* The event under way. */
    bool in_event;
    char event_id[EVENT_ID_CAPACITY];
    double event_ts;
    bool event_moved_mark;
    char marked_symbols[EVENT_ROWS_MAX][SYMBOL_CAPACITY]; /* mark facts of the event, in order */
    size_t mark_hints[EVENT_ROWS_MAX];  /* book index of each, kept from event to event (book_entry_hinted) */
    size_t exit_hints[SYMBOLS_MAX];     /* book index of each ledger entry's mark, the same way */
    size_t holding_hints[HOLDINGS_MAX]; /* book index of each holding's ASSET+USDT mark */
    size_t marked_count;
    /* The last event's exit intents. */
    exit_intent intents[SYMBOLS_MAX];
    size_t intent_count;
    last_exit last_exits[SYMBOLS_MAX]; /* the last intent per symbol, sorted */
    size_t last_exit_count;
    long exits_total;
    long events_applied;
    long duplicates_skipped;
    long faults_injected;             /* counted by the driver that injects them */
} kernel;

/* Starts a run with config (copied). */
void kernel_init(kernel *k, const kernel_config *config);

/* Opens an exchange event. Returns false when event_id was applied already
 * (a duplicate delivery): it is counted and the caller skips its facts.
 * synthetic ids (row<LINE>) are unique by construction and not remembered. */
bool kernel_begin_event(kernel *k, const char *event_id, bool synthetic_id, double ts) WARN_UNUSED_RESULT;

/* A hint, no effect on results: a driver that knows the next event's id
 * before its facts are all read says so (see dedup_prefetch). */
void kernel_prefetch_event(const kernel *k, const char *event_id);

/* Applies one fact of the open event. */
kernel_status kernel_apply_fact(kernel *k, const exchange_fact *fact) WARN_UNUSED_RESULT;

/* Closes the event (see the header comment) and returns its snapshot. */
const account_snapshot *kernel_end_event(kernel *k);

typedef enum {
    KERNEL_EVENT_APPLIED,      /* snapshot built */
    KERNEL_EVENT_DUPLICATE,    /* id applied already: skipped and counted */
    KERNEL_EVENT_SYMBOLS_FULL  /* a fact named a symbol past SYMBOLS_MAX; the event was still closed */
} kernel_event_result;

/* One whole event, as both drivers deliver it: kernel_begin_event, each of
 * the count facts (borrowed) in order, kernel_end_event. A fact that fails
 * stops the facts, and the event is closed all the same. */
kernel_event_result kernel_apply_event(kernel *k, const char *event_id, bool synthetic_id, double ts,
                                       const exchange_fact *facts, size_t count) WARN_UNUSED_RESULT;

/* A bar for the ATR (does not move the mark). */
kernel_status kernel_apply_bar(kernel *k, const char *symbol, double high, double low, double close) WARN_UNUSED_RESULT;

/* Writes a registry entry from outside (tp_sl rows, orphan faults); the
 * ledger view is rebuilt, the next sync removes it if it has no position. */
kernel_status kernel_put_tp_sl(kernel *k, const registry_entry *entry) WARN_UNUSED_RESULT;

/* Adds or replaces an off-exchange holding and revalues AUM. */
kernel_status kernel_set_holding(kernel *k, const holding *item) WARN_UNUSED_RESULT;

/* The kernel's mark of symbol; false with none or a non-finite one. */
bool kernel_mark(const kernel *k, const char *symbol, double *mark);

/* The kernel's open positions as the ledger reads them (positions_state).
 * out has room for SYMBOLS_MAX; returns the count, sorted by symbol. */
size_t kernel_positions_view(const kernel *k, position_view *out);

/* The last exit intent for symbol; false when none. */
bool kernel_last_exit(const kernel *k, const char *symbol, exit_reason *reason);

#endif
