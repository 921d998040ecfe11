/* venue.c -- see venue.h. */
#include "sim/venue.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

enum { BASIS_POINTS_PER_UNIT = 10000 };

/* Starts the venue; config is copied, exchange is owned by the caller. */
void venue_init(venue *exchange, const kernel_config *config) {
    memset(exchange, 0, sizeof *exchange);
    exchange->config = *config;
    book_init(&exchange->book);
    exchange->seed_capital = config->seed_capital;
    exchange->wallet_balance = config->seed_capital;
}

/* Sets one mark of the venue (symbol borrowed). */
void venue_set_mark(venue *exchange, const char *symbol, double price) {
    if (!isfinite(price) || price <= 0) return;
    book_position *position = book_entry(&exchange->book, symbol);
    if (position == NULL) return; /* beyond SYMBOLS_MAX: the kernel fails the run */
    position->has_mark = true;
    position->mark = price;
}

/* Updates the venue's marks from event (borrowed). */
void venue_observe_marks(venue *exchange, const exchange_event *event) {
    for (size_t index = 0; index < event->fact_count; index++) {
        const exchange_fact *fact = &event->facts[index];
        if (fact->type == FACT_MARK) venue_set_mark(exchange, fact->symbol, fact->price);
    }
}

/* Used margin (sum of |qty| * mark / leverage) and unrealized PnL of the
 * venue's open positions, in symbol order (the kernel's order). */
static void venue_totals(const venue *exchange, double *used_margin, double *unrealized_pnl) {
    *used_margin = 0;
    *unrealized_pnl = 0;
    for (size_t index = 0; index < exchange->book.count; index++) {
        const book_position *position = &exchange->book.positions[index];
        double size = fabs(position->qty);
        if (!(size > 0)) continue;
        double mark = position->has_mark ? position->mark : position->entry_price;
        double leverage = position->leverage > 1.0 ? position->leverage : 1.0;
        *used_margin += size * mark / leverage;
        *unrealized_pnl += book_unrealized_pnl(position);
    }
}

/* The venue's account as one balance fact (fact owned by the caller). */
static void balance_fact(const venue *exchange, exchange_fact *fact) {
    double used_margin, unrealized_pnl;
    venue_totals(exchange, &used_margin, &unrealized_pnl);
    memset(fact, 0, sizeof *fact);
    fact->type = FACT_BALANCE;
    fact->wallet_balance = exchange->wallet_balance;
    fact->used_margin = used_margin;
    double available = exchange->wallet_balance + unrealized_pnl - used_margin;
    fact->available_margin = available > 0 ? available : 0;
    fact->maint_margin = 0;
}

/* One position fact for position (borrowed): signed qty, 0 when flat. */
static void position_fact(const book_position *position, exchange_fact *fact) {
    memset(fact, 0, sizeof *fact);
    fact->type = FACT_POSITION;
    text_copy(fact->symbol, sizeof fact->symbol, position->symbol);
    fact->qty = position->qty;
    fact->entry_price = position->entry_price;
    fact->mark_price = position->has_mark ? position->mark : 0;
    fact->unrealized_pnl = book_unrealized_pnl(position);
    fact->has_leverage = true;
    fact->leverage = position->leverage;
}

/* Appends the account refresh for the marked, held symbols of event. */
size_t venue_append_account(const venue *exchange, exchange_event *event) {
    size_t original = event->fact_count;
    size_t held = 0;
    for (size_t index = 0; index < original; index++) {
        const exchange_fact *fact = &event->facts[index];
        if (fact->type != FACT_MARK) continue;
        const book_position *position = book_find(&exchange->book, fact->symbol);
        held += position != NULL && position->qty != 0;
    }
    if (held == 0 || original + held + 1 > EVENT_ROWS_MAX) return 0;
    for (size_t index = 0; index < original; index++) {
        const exchange_fact *fact = &event->facts[index];
        if (fact->type != FACT_MARK) continue;
        const book_position *position = book_find(&exchange->book, fact->symbol);
        if (position == NULL || position->qty == 0) continue;
        exchange_fact refreshed;
        position_fact(position, &refreshed);
        bool added = event_add_fact(event, &refreshed);
        assert(added);
        (void)added;
    }
    exchange_fact balance;
    balance_fact(exchange, &balance);
    bool added = event_add_fact(event, &balance);
    assert(added);
    (void)added;
    return event->fact_count - original;
}

/* Fills record (owned by the caller) as a rejection of order for reason. */
static bool reject(venue *exchange, const venue_order *order, order_record *record, const char *reason) {
    memset(record, 0, sizeof *record);
    record->ts = order->ts;
    text_copy(record->symbol, sizeof record->symbol, order->symbol);
    record->side = order->side;
    record->qty = order->qty;
    record->filled = false;
    record->reason = reason;
    exchange->orders_rejected++;
    return false;
}

/* Starts the venue's next event vN at ts in event (owned by the caller). */
static void next_event(venue *exchange, exchange_event *event, double ts) {
    char event_id[EVENT_ID_CAPACITY];
    exchange->event_number++;
    snprintf(event_id, sizeof event_id, "v%ld", exchange->event_number);
    event_start(event, event_id, false, ts, 0);
}

/* Executes order; see venue.h for ownership. */
bool venue_execute(venue *exchange, const venue_order *order, exchange_event *event, order_record *record) {
    assert(order->side == 1 || order->side == -1);
    book_position *position = (book_position *)book_find(&exchange->book, order->symbol);
    double quantity = order->qty;
    if (order->reduce_only) {
        bool reducible = position != NULL && position->qty != 0 && (position->qty > 0) != (order->side > 0);
        if (!reducible) return reject(exchange, order, record, "reduce-only: no position to reduce");
        quantity = fabs(position->qty);
    } else if (!isfinite(quantity) || quantity < 0) {
        return reject(exchange, order, record, "quantity not finite");
    } else if (quantity == 0) {
        return reject(exchange, order, record, "zero quantity");
    }
    double base_price = order->base_price;
    if (!order->has_base_price) {
        if (position == NULL || !position->has_mark) return reject(exchange, order, record, "no mark");
        base_price = position->mark;
    }
    double price = base_price * (1.0 + order->side * exchange->config.slippage_bps / BASIS_POINTS_PER_UNIT);
    double fee = quantity * price * exchange->config.fee_taker_rate;
    double held = position != NULL ? position->qty : 0;
    double realized = 0;
    if (held != 0 && (held > 0) != (order->side > 0)) {
        double closed = quantity < fabs(held) ? quantity : fabs(held);
        realized = closed * (price - position->entry_price) * (held > 0 ? 1.0 : -1.0);
    }
    double wallet = exchange->wallet_balance + realized - fee;
    if (!(isfinite(price) && price > 0) || !isfinite(fee) || !isfinite(realized) || !isfinite(wallet) ||
        !isfinite(quantity * price))
        return reject(exchange, order, record, "price or amount out of range");
    if (position == NULL) {
        position = book_entry(&exchange->book, order->symbol);
        if (position == NULL) return reject(exchange, order, record, "too many symbols");
    }
    if (order->has_leverage && isfinite(order->leverage) && order->leverage >= 1) position->leverage = order->leverage;
    book_apply_fill(position, order->side, quantity, price, order->ts);
    exchange->wallet_balance = wallet;
    exchange->realized_total += realized;
    exchange->fees_total += fee;
    exchange->orders_filled++;

    next_event(exchange, event, order->ts);
    exchange_fact fact;
    memset(&fact, 0, sizeof fact);
    fact.type = FACT_FILL;
    text_copy(fact.symbol, sizeof fact.symbol, order->symbol);
    fact.side = order->side;
    fact.qty = quantity;
    fact.price = price;
    fact.fee = fee;
    fact.realized_pnl = realized;
    fact.has_leverage = true;
    fact.leverage = position->leverage;
    bool added = event_add_fact(event, &fact);
    balance_fact(exchange, &fact);
    added = event_add_fact(event, &fact) && added;
    position_fact(position, &fact);
    added = event_add_fact(event, &fact) && added;
    assert(added);
    (void)added;

    memset(record, 0, sizeof *record);
    record->ts = order->ts;
    text_copy(record->symbol, sizeof record->symbol, order->symbol);
    record->side = order->side;
    record->qty = quantity;
    record->filled = true;
    record->price = price;
    record->fee = fee;
    record->realized_pnl = realized;
    record->reason = order->reason;
    return true;
}

/* Charges funding on symbol; see venue.h for ownership. */
venue_funding_result venue_charge_funding(venue *exchange, const char *symbol, double rate, double ts,
                                          exchange_event *event) {
    const book_position *position = book_find(&exchange->book, symbol);
    if (position == NULL || position->qty == 0 || !position->has_mark) return VENUE_FUNDING_NO_POSITION;
    double amount = position->qty * position->mark * rate;
    double wallet = exchange->wallet_balance - amount;
    if (!isfinite(amount) || !isfinite(wallet) || !isfinite(exchange->funding_total + amount))
        return VENUE_FUNDING_OUT_OF_RANGE;
    exchange->wallet_balance = wallet;
    exchange->funding_total += amount;
    exchange->funding_charges++;
    next_event(exchange, event, ts);
    exchange_fact fact;
    memset(&fact, 0, sizeof fact);
    fact.type = FACT_FUNDING;
    text_copy(fact.symbol, sizeof fact.symbol, symbol);
    fact.amount = amount;
    bool added = event_add_fact(event, &fact);
    balance_fact(exchange, &fact);
    added = event_add_fact(event, &fact) && added;
    assert(added);
    (void)added;
    return VENUE_FUNDING_CHARGED;
}

/* The venue's mark of symbol into *mark; false without one. */
bool venue_mark(const venue *exchange, const char *symbol, double *mark) {
    const book_position *position = book_find(&exchange->book, symbol);
    if (position == NULL || !position->has_mark) return false;
    *mark = position->mark;
    return true;
}

/* The venue's signed quantity of symbol. */
double venue_position(const venue *exchange, const char *symbol) {
    const book_position *position = book_find(&exchange->book, symbol);
    return position != NULL ? position->qty : 0;
}

/* Relative gap between the wallet and the sums it must equal. */
double venue_conservation_error(const venue *exchange) {
    double expected = exchange->seed_capital + exchange->realized_total - exchange->fees_total -
                      exchange->funding_total;
    if (!isfinite(expected) || !isfinite(exchange->wallet_balance)) return INFINITY;
    double scale = fabs(expected) > 1.0 ? fabs(expected) : 1.0;
    return fabs(exchange->wallet_balance - expected) / scale;
}
