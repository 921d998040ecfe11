/* venue.h -- the simulated exchange of a backtest (scenario format, "Market
 * data and orders").
 *
 * The venue keeps its own truth: its marks (every mark row, whatever the
 * kernel is shown), its own position book folded by the kernel's rules
 * (core/book), and a USDT wallet moved by realized PnL, fees and funding.
 * It never reads the kernel. Each execution becomes one exchange event for
 * the kernel (fill + balance + position), each funding charge one event
 * (funding + balance); events are named v1, v2, ... in the order produced.
 *
 * Money: a market order fills at the venue's mark (or, for an exit, the mark
 * that fired it) times (1 + side * slippage_bps / 10000); the fee is
 * qty * price * fee.taker_rate; realized PnL is (price - entry) * closed
 * quantity * sign of the position. Leverage is 1 until an order gives one
 * (the order row's optional `leverage`); it divides the used margin. The
 * venue conserves money: wallet = seed + realized - fees - funding; the
 * wallet is moved step by step and the three sums are kept apart so that
 * venue_conservation_error() checks something real.
 *
 * Fixed memory (one position_book); no I/O, no globals. */
#ifndef LEDGERSIM_SIM_VENUE_H
#define LEDGERSIM_SIM_VENUE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/book.h"
#include "core/config.h"
#include "core/limits.h"
#include "io/run_output.h"
#include "sim/event.h"

typedef struct {
    double ts;
    char symbol[SYMBOL_CAPACITY];
    int side;                 /* +1 BUY, -1 SELL */
    double qty;               /* as asked; 0 is rejected. Ignored when reduce_only (whole position) */
    bool reduce_only;         /* closes the whole position on the other side, or is rejected */
    bool has_leverage;        /* the symbol's leverage from this order on (as a fill's leverage) */
    double leverage;          /* >= 1 */
    bool has_base_price;      /* execute at base_price +- slippage instead of the venue's mark */
    double base_price;
    const char *reason;       /* static text for orders.jsonl: "strategy", "exit TP", "exit SL" */
} venue_order;

typedef enum {
    VENUE_FUNDING_CHARGED = 0,
    VENUE_FUNDING_NO_POSITION = 1,   /* flat (or unknown) symbol: nothing to charge */
    VENUE_FUNDING_OUT_OF_RANGE = 2   /* the amount or the wallet would not be finite: not charged */
} venue_funding_result;

typedef struct {
    kernel_config config;     /* copied at init: seed_capital, fee.taker_rate, slippage_bps */
    position_book book;       /* positions and marks, sorted by symbol */
    double seed_capital;
    double wallet_balance;    /* moved by every execution and funding charge */
    double realized_total;    /* sum of realized PnL */
    double fees_total;        /* sum of fees */
    double funding_total;     /* sum of funding paid (received is negative) */
    long event_number;        /* the N of the last event id vN */
    long orders_filled;
    long orders_rejected;
    long funding_charges;
} venue;

/* Starts a venue with config (copied): the wallet holds seed_capital. */
void venue_init(venue *exchange, const kernel_config *config);

/* Sets the venue's mark of symbol (finite, > 0; anything else is ignored,
 * as is a new symbol beyond SYMBOLS_MAX). */
void venue_set_mark(venue *exchange, const char *symbol, double price);

/* Takes the marks of event's mark facts (finite, > 0) as the venue's truth.
 * event is borrowed. A mark for a new symbol beyond SYMBOLS_MAX is ignored
 * (the kernel reports that limit). */
void venue_observe_marks(venue *exchange, const exchange_event *event);

/* The venue re-reports its account with each mark of a symbol it holds:
 * appends to event (owned by the caller) one position fact per such mark
 * and one balance fact. Returns how many facts it appended; 0 when the venue
 * holds none of the marked symbols or the event has no room for them all. */
size_t venue_append_account(const venue *exchange, exchange_event *event);

/* Executes order (borrowed). Filled: returns true, event (owned by the
 * caller) holds the fill, balance and position facts under a new id vN with
 * order->ts, and record is FILLED. Rejected (no mark, zero or non-finite
 * quantity, nothing to reduce, a price or amount out of range, too many
 * symbols): returns false, event is untouched and record says why. The
 * record's reason points to static text. */
bool venue_execute(venue *exchange, const venue_order *order, exchange_event *event, order_record *record);

/* Charges funding at rate on symbol's position: amount = signed qty * mark
 * * rate (longs pay when rate > 0). Charged: event (owned by the caller)
 * holds the funding and balance facts under a new id vN with ts. */
venue_funding_result venue_charge_funding(venue *exchange, const char *symbol, double rate, double ts,
                                          exchange_event *event);

/* The venue's mark of symbol; false when it has none. */
bool venue_mark(const venue *exchange, const char *symbol, double *mark);

/* The venue's signed position in symbol (0 when flat or unknown). */
double venue_position(const venue *exchange, const char *symbol);

/* |wallet - (seed + realized - fees - funding)| / max(1, |seed + realized -
 * fees - funding|); +infinity when any of them is not finite. */
double venue_conservation_error(const venue *exchange);

#endif
