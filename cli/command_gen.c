/* command_gen.c -- `ledgersim gen`: a realistic scenario, deterministic by seed.
 *
 * A venue with its own book, simulated one second at a time:
 *   - every second, the marks of all symbols (each a random walk in whole
 *     ticks) as one event, like Binance's all-market mark-price stream;
 *   - a one-minute bar per symbol (high, low, close of the minute's marks);
 *   - trades: a fill (realized PnL and fee from the venue's book) grouped
 *     with the balance and the position it leaves, under one event id;
 *   - account frames: the balance and every open position;
 *   - funding every 8 hours: one funding row per open position and the
 *     balance, under one event id;
 *   - now and then a late frame (an earlier account frame delivered again
 *     under a new id, its values stale), a zero-wallet frame (a balance that
 *     carried no USDT), and a redelivered trade (same id: a duplicate).
 * Money is kept in whole 1e-8 USDT, prices in ticks and quantities in lots, so
 * every printed number is a short decimal. Randomness is GSL's mt19937 seeded
 * by --seed, and only its uniform draws and plain arithmetic are used (no
 * libm transcendental function), so a seed gives the same bytes everywhere.
 * Writes the CSV to standard output. */
#include <assert.h>
#include <errno.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/usage.h"
#include "core/limits.h"
#include "core/number.h"
#include "io/atomic_file.h"
#include "io/buffer.h"

enum {
    GEN_SYMBOLS_DEFAULT = 8,
    GEN_EVENTS_MIN = 16,                 /* rows: room for the preamble and a frame */
    GEN_FLUSH_BYTES = 1 << 20,           /* write standard output past this */
    GEN_BUFFER_LIMIT = 4 << 20
};

static const long long GEN_EVENTS_MAX = 2000000000LL;         /* rows */
static const int64_t GEN_START_EPOCH_SECONDS = 1767571200;    /* 2026-01-05T00:00:00Z */
static const int64_t GEN_FUNDING_INTERVAL_SECONDS = 8 * 3600;
static const int64_t GEN_BAR_SECONDS = 60;
static const int64_t GEN_SEED_CAPITAL_UNITS = 2500000000000;  /* 25000 USDT in 1e-8 units */
static const double GEN_UNITS_PER_USDT = 1e8;
static const double GEN_MARK_VOLATILITY = 1.5e-4;             /* per second, as a fraction */
static const double GEN_TAKER_FEE_RATE = 0.0004;
static const double GEN_MAKER_FEE_RATE = 0.0002;
static const double GEN_MAINTENANCE_RATE = 0.004;
/* Per-second probabilities of the venue's other events. */
static const double GEN_TRADE_PROBABILITY = 1.0 / 240;
static const double GEN_OPEN_PROBABILITY = 0.3;          /* a flat symbol's trade opens */
static const double GEN_ACCOUNT_FRAME_PROBABILITY = 1.0 / 60;
static const double GEN_LATE_FRAME_PROBABILITY = 1.0 / 900;
static const double GEN_ZERO_WALLET_PROBABILITY = 1.0 / 1800;
static const double GEN_DUPLICATE_PROBABILITY = 1.0 / 600;

/* The columns of every generated row, in header order. */
typedef enum {
    GEN_TS, GEN_EVENT_ID, GEN_TYPE, GEN_SYMBOL, GEN_SIDE, GEN_QTY, GEN_PRICE, GEN_HIGH, GEN_LOW, GEN_FEE,
    GEN_REALIZED_PNL, GEN_AMOUNT, GEN_WALLET_BALANCE, GEN_AVAILABLE_MARGIN, GEN_USED_MARGIN,
    GEN_MAINT_MARGIN, GEN_ENTRY_PRICE, GEN_MARK_PRICE, GEN_UNREALIZED_PNL, GEN_LEVERAGE, GEN_AVG_COST, GEN_KEY,
    GEN_VALUE,
    GEN_COLUMN_COUNT
} gen_column;

static const char gen_header[] =
    "ts,event_id,type,symbol,side,qty,price,high,low,fee,realized_pnl,amount,wallet_balance,"
    "available_margin,used_margin,maint_margin,entry_price,mark_price,unrealized_pnl,leverage,avg_cost,key,value\n";

/* A market the venue lists: name, starting price, tick and lot as powers of ten. */
typedef struct {
    const char *name;
    double start_price;
    int price_decimals;   /* tick = 10^-price_decimals */
    int qty_decimals;     /* lot step = 10^-qty_decimals */
} gen_market;

static const gen_market gen_markets[] = {
    {"BTCUSDT", 97000.0, 1, 3}, {"ETHUSDT", 3400.0, 2, 3}, {"SOLUSDT", 190.0, 2, 0},
    {"BNBUSDT", 700.0, 2, 2},   {"XRPUSDT", 2.3, 4, 1},    {"DOGEUSDT", 0.35, 5, 0},
    {"ADAUSDT", 1.0, 4, 0},     {"AVAXUSDT", 38.0, 3, 0},  {"LINKUSDT", 23.0, 3, 2},
    {"DOTUSDT", 7.0, 3, 1},     {"LTCUSDT", 100.0, 2, 3},  {"TRXUSDT", 0.25, 5, 0}};
enum { GEN_NAMED_MARKETS = sizeof gen_markets / sizeof gen_markets[0] };

static const double gen_leverages[] = {2, 3, 5, 10, 20};

/* One symbol of the venue: its market and the venue's position in it. */
typedef struct {
    char name[SYMBOL_CAPACITY];
    int price_decimals;
    int qty_decimals;
    double leverage;
    int64_t mark_ticks;
    int64_t minute_high_ticks, minute_low_ticks;
    int64_t position_lots;     /* signed */
    double entry_price;        /* the venue's average entry, rounded to 1e-8 */
} gen_symbol;

/* The venue's account as one balance frame reports it (also kept for late frames). */
typedef struct {
    int64_t wallet_units;
    size_t position_count;
    struct {
        size_t symbol;
        int64_t lots;
        double entry_price;
        int64_t mark_ticks;
    } positions[SYMBOLS_MAX];
} gen_account_frame;

typedef enum {
    ITEM_BAR, ITEM_MARKS, ITEM_TRADE, ITEM_ACCOUNT, ITEM_LATE, ITEM_ZERO_WALLET, ITEM_DUPLICATE, ITEM_FUNDING
} gen_item_kind;

/* Something that happens within the current second, at offset_ms. */
typedef struct {
    int offset_ms;
    gen_item_kind kind;
    size_t symbol;
} gen_item;

enum { GEN_ITEMS_MAX = SYMBOLS_MAX + 8 }; /* a bar per symbol, the marks, six others */

typedef struct {
    gsl_rng *random;
    buffer out;
    bool output_failed;
    long long rows_left;
    size_t symbol_count;
    gen_symbol symbols[SYMBOLS_MAX];
    int64_t wallet_units;
    int64_t second;                      /* seconds since the start */
    int64_t now_ms;                      /* the current item's timestamp, epoch milliseconds */
    long event_counter;
    char last_group_id[EVENT_ID_CAPACITY]; /* id of the last row written ("" for none) */
    gen_account_frame last_frame;        /* the previous account frame, for late ones */
    bool has_last_frame;
    /* The last trade's rows without their ts cell, for a redelivery. */
    char last_trade_rows[4096];
    size_t last_trade_length;
    int last_trade_row_count;
    char last_trade_id[EVENT_ID_CAPACITY];
    gen_item items[GEN_ITEMS_MAX];
    size_t item_count;
} generator;

/* One row being built: a text per column, NULL for an empty cell. */
typedef struct {
    const char *cells[GEN_COLUMN_COUNT];
    char numbers[GEN_COLUMN_COUNT][NUMBER_TEXT_CAPACITY];
} gen_row;

static void gen_usage(FILE *stream) {
    fprintf(stream,
            "usage: ledgersim gen --events N --seed S [--symbols K] > FILE.csv\n\n"
            "Writes a realistic scenario (docs/scenario-format.md) to standard output:\n"
            "a venue with its own book trading K symbols (default %d, at most %d): the\n"
            "marks of all symbols every second as one event, one-minute bars, fills with\n"
            "realized PnL and fees grouped with the balance and position they leave,\n"
            "account frames, funding every 8 hours, and a few late, zero-wallet and\n"
            "redelivered frames. Simulated time starts at 2026-01-05T00:00:00Z.\n\n"
            "  --events N    rows after the header, config rows included (%d to %lld)\n"
            "  --seed S      seed of the generator (GSL mt19937); the same N, S and K\n"
            "                give the same bytes\n"
            "  --symbols K   symbols traded (1 to %d)\n\n"
            "Exit status: 0 success, 2 usage error, 3 output error.\n",
            GEN_SYMBOLS_DEFAULT, SYMBOLS_MAX, GEN_EVENTS_MIN, GEN_EVENTS_MAX, SYMBOLS_MAX);
}

/* Parses a whole decimal integer in [minimum, maximum]. */
static bool parse_whole(const char *text, long long minimum, long long maximum, long long *value) {
    if (text[0] < '0' || text[0] > '9') return false;
    errno = 0;
    char *end = NULL;
    long long parsed = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0' || parsed < minimum || parsed > maximum) return false;
    *value = parsed;
    return true;
}

/* 10^exponent for 0 <= exponent <= 15, exactly. */
static double power_of_ten(int exponent) {
    double result = 1;
    for (int step = 0; step < exponent; step++) result *= 10;
    return result;
}

/* A whole count of 10^-decimals as a double: the double nearest the decimal. */
static double scaled(int64_t count, int decimals) { return (double)count / power_of_ten(decimals); }

/* Rounds a USDT amount to whole 1e-8 units. */
static int64_t to_units(double usdt) { return llround(usdt * GEN_UNITS_PER_USDT); }

static double from_units(int64_t units) { return (double)units / GEN_UNITS_PER_USDT; }

/* A uniform draw in [0, 1). */
static double uniform(generator *gen) { return gsl_rng_uniform(gen->random); }

/* An approximately standard normal draw: the centred sum of four uniforms
 * (Irwin-Hall), scaled to unit variance. Plain arithmetic only. */
static double normal(generator *gen) {
    double sum = uniform(gen) + uniform(gen) + uniform(gen) + uniform(gen);
    return (sum - 2.0) * 1.7320508075688772;
}

static void set_number(gen_row *row, gen_column column, double value) {
    number_format(value, row->numbers[column]);
    row->cells[column] = row->numbers[column];
}

/* Writes the pending output when it is large (or always when final). */
static void flush_output(generator *gen, bool final) {
    if (gen->output_failed || (!final && gen->out.length < GEN_FLUSH_BYTES)) return;
    if (buffer_failed(&gen->out) || io_write_all(1, gen->out.data, gen->out.length) < 0) {
        gen->output_failed = true;
        return;
    }
    buffer_reset(&gen->out);
}

/* Appends a row: its cells separated by commas, and the line end. */
static void append_cells(buffer *out, const gen_row *row) {
    for (int column = 0; column < GEN_COLUMN_COUNT; column++) {
        if (column > 0) buffer_append(out, ",", 1);
        if (row->cells[column] != NULL) buffer_append_text(out, row->cells[column]);
    }
    buffer_append(out, "\n", 1);
}

/* Writes one row with the current timestamp; it counts against --events. */
static void emit(generator *gen, gen_row *row) {
    if (row->cells[GEN_TYPE] != NULL && strcmp(row->cells[GEN_TYPE], "config") != 0)
        set_number(row, GEN_TS, scaled(gen->now_ms, 3));
    append_cells(&gen->out, row);
    snprintf(gen->last_group_id, sizeof gen->last_group_id, "%s",
             row->cells[GEN_EVENT_ID] != NULL ? row->cells[GEN_EVENT_ID] : "");
    gen->rows_left--;
}

static void row_clear(gen_row *row) {
    for (int column = 0; column < GEN_COLUMN_COUNT; column++) row->cells[column] = NULL;
}

/* Starts a row of type (and symbol when not NULL) under event_id (NULL: none). */
static void row_start(gen_row *row, const char *type, const char *event_id, const char *symbol) {
    row_clear(row);
    row->cells[GEN_TYPE] = type;
    row->cells[GEN_EVENT_ID] = event_id;
    row->cells[GEN_SYMBOL] = symbol;
}

static double mark_price(const gen_symbol *symbol) { return scaled(symbol->mark_ticks, symbol->price_decimals); }

static double position_qty(const gen_symbol *symbol) {
    return scaled(symbol->position_lots, symbol->qty_decimals);
}

/* Unrealized PnL of a position at a mark, in 1e-8 units. */
static int64_t unrealized_units(double entry_price, double qty, double mark) {
    return to_units((mark - entry_price) * qty);
}

/* The venue's account now: wallet and every open position at its mark. */
static void current_frame(const generator *gen, gen_account_frame *frame) {
    frame->wallet_units = gen->wallet_units;
    frame->position_count = 0;
    for (size_t index = 0; index < gen->symbol_count; index++) {
        const gen_symbol *symbol = &gen->symbols[index];
        if (symbol->position_lots == 0) continue;
        frame->positions[frame->position_count].symbol = index;
        frame->positions[frame->position_count].lots = symbol->position_lots;
        frame->positions[frame->position_count].entry_price = symbol->entry_price;
        frame->positions[frame->position_count].mark_ticks = symbol->mark_ticks;
        frame->position_count++;
    }
}

/* A position row of the frame's entry for symbol (lots 0: it was closed). */
static void emit_position(generator *gen, const char *event_id, const gen_symbol *symbol, int64_t lots,
                          double entry_price, int64_t mark_ticks) {
    gen_row row;
    row_start(&row, "position", event_id, symbol->name);
    double qty = scaled(lots, symbol->qty_decimals);
    double mark = scaled(mark_ticks, symbol->price_decimals);
    set_number(&row, GEN_QTY, qty);
    set_number(&row, GEN_ENTRY_PRICE, lots != 0 ? entry_price : 0);
    set_number(&row, GEN_MARK_PRICE, mark);
    set_number(&row, GEN_UNREALIZED_PNL, lots != 0 ? from_units(unrealized_units(entry_price, qty, mark)) : 0);
    set_number(&row, GEN_LEVERAGE, symbol->leverage);
    emit(gen, &row);
}

/* The balance row of a frame: wallet, margins from its positions. */
static void emit_balance(generator *gen, const char *event_id, const gen_account_frame *frame) {
    int64_t used_units = 0, maint_units = 0, unrealized_total_units = 0;
    for (size_t index = 0; index < frame->position_count; index++) {
        const gen_symbol *symbol = &gen->symbols[frame->positions[index].symbol];
        double qty = scaled(frame->positions[index].lots, symbol->qty_decimals);
        double mark = scaled(frame->positions[index].mark_ticks, symbol->price_decimals);
        double notional = fabs(qty) * mark;
        used_units += to_units(notional / symbol->leverage);
        maint_units += to_units(notional * GEN_MAINTENANCE_RATE);
        unrealized_total_units += unrealized_units(frame->positions[index].entry_price, qty, mark);
    }
    int64_t available_units = frame->wallet_units + unrealized_total_units - used_units;
    gen_row row;
    row_start(&row, "balance", event_id, NULL);
    set_number(&row, GEN_WALLET_BALANCE, from_units(frame->wallet_units));
    set_number(&row, GEN_AVAILABLE_MARGIN, from_units(available_units > 0 ? available_units : 0));
    set_number(&row, GEN_USED_MARGIN, from_units(used_units));
    set_number(&row, GEN_MAINT_MARGIN, from_units(maint_units));
    emit(gen, &row);
}

/* A new event id: prefix and a running number. */
static void next_event_id(generator *gen, const char *prefix, char id[EVENT_ID_CAPACITY]) {
    snprintf(id, EVENT_ID_CAPACITY, "%s%ld", prefix, ++gen->event_counter);
}

/* An account frame (balance and every position in it) under a new id. */
static void emit_frame(generator *gen, const char *prefix, const gen_account_frame *frame) {
    char id[EVENT_ID_CAPACITY];
    next_event_id(gen, prefix, id);
    emit_balance(gen, id, frame);
    for (size_t index = 0; index < frame->position_count; index++)
        emit_position(gen, id, &gen->symbols[frame->positions[index].symbol], frame->positions[index].lots,
                      frame->positions[index].entry_price, frame->positions[index].mark_ticks);
}

static size_t open_position_count(const generator *gen) {
    size_t open = 0;
    for (size_t index = 0; index < gen->symbol_count; index++) open += gen->symbols[index].position_lots != 0;
    return open;
}

/* The lots of a new position: a fifth of the wallet spread over the symbols
 * as margin, at the symbol's leverage, 0.5x to 1.5x of that; at least one lot. */
static int64_t target_lots(generator *gen, const gen_symbol *symbol) {
    double margin = from_units(gen->wallet_units) * 0.2 / (double)gen->symbol_count;
    double notional = margin * symbol->leverage * (0.5 + uniform(gen));
    int64_t lots = llround(notional / mark_price(symbol) * power_of_ten(symbol->qty_decimals));
    return lots > 0 ? lots : 1;
}

/* The signed lots the strategy trades on symbol now; 0: it stays flat. */
static int64_t choose_trade(generator *gen, const gen_symbol *symbol) {
    int64_t held = symbol->position_lots;
    int64_t size = target_lots(gen, symbol);
    double choice = uniform(gen);
    if (held == 0) {
        if (choice >= GEN_OPEN_PROBABILITY) return 0;
        return uniform(gen) < 0.5 ? size : -size;
    }
    int64_t direction = held > 0 ? 1 : -1;
    int64_t held_size = held * direction;
    if (choice < 0.5) return -held;                                      /* close */
    if (choice < 0.7) return held_size >= 2 ? -direction * (held_size / 2) : -held; /* reduce */
    if (choice < 0.9) return direction * (size / 2 > 0 ? size / 2 : 1);  /* add */
    return -direction * (held_size + size);                              /* flip */
}

/* Folds a fill into the venue's book (the scenario format's rules) and
 * returns the realized PnL in 1e-8 units. */
static int64_t venue_fill(gen_symbol *symbol, int64_t lots, double price) {
    double held = position_qty(symbol);
    double held_size = fabs(held);
    double quantity = scaled(lots > 0 ? lots : -lots, symbol->qty_decimals);
    int64_t realized_units = 0;
    if (symbol->position_lots == 0 || (symbol->position_lots > 0) == (lots > 0)) {
        double entry = (held_size * symbol->entry_price + quantity * price) / (held_size + quantity);
        symbol->entry_price = from_units(to_units(entry));
    } else {
        double closed = quantity <= held_size ? quantity : held_size;
        realized_units = to_units((price - symbol->entry_price) * closed * (held > 0 ? 1 : -1));
        if (quantity >= held_size) symbol->entry_price = quantity > held_size ? price : 0;
    }
    symbol->position_lots += lots;
    if (symbol->position_lots == 0) symbol->entry_price = 0;
    return realized_units;
}

/* A trade (none when the strategy leaves a flat symbol flat): the fill, the
 * balance and the position it leaves, one event id.
 * Its rows (without ts) are kept for a later redelivery. */
static void emit_trade(generator *gen) {
    size_t index = gsl_rng_uniform_int(gen->random, gen->symbol_count);
    gen_symbol *symbol = &gen->symbols[index];
    int64_t lots = choose_trade(gen, symbol);
    if (lots == 0) return;
    /* A taker pays one tick of spread; a maker order fills at the mark. */
    bool taker = uniform(gen) < 0.7;
    int64_t price_ticks = symbol->mark_ticks + (taker ? (lots > 0 ? 1 : -1) : 0);
    if (price_ticks < 1) price_ticks = 1;
    double price = scaled(price_ticks, symbol->price_decimals);
    double quantity = scaled(lots > 0 ? lots : -lots, symbol->qty_decimals);
    int64_t fee_units = to_units(quantity * price * (taker ? GEN_TAKER_FEE_RATE : GEN_MAKER_FEE_RATE));
    int64_t realized_units = venue_fill(symbol, lots, price);
    gen->wallet_units += realized_units - fee_units;

    char id[EVENT_ID_CAPACITY];
    next_event_id(gen, "trade", id);
    size_t start = gen->out.length;
    gen_row row;
    row_start(&row, "fill", id, symbol->name);
    row.cells[GEN_SIDE] = lots > 0 ? "BUY" : "SELL";
    set_number(&row, GEN_QTY, quantity);
    set_number(&row, GEN_PRICE, price);
    set_number(&row, GEN_FEE, from_units(fee_units));
    set_number(&row, GEN_REALIZED_PNL, from_units(realized_units));
    set_number(&row, GEN_LEVERAGE, symbol->leverage);
    emit(gen, &row);
    gen_account_frame frame;
    current_frame(gen, &frame);
    emit_balance(gen, id, &frame);
    emit_position(gen, id, symbol, symbol->position_lots, symbol->entry_price, symbol->mark_ticks);
    /* Keep the rows for a redelivery (output is flushed between items only). */
    gen->last_trade_length = 0;
    if (gen->out.length - start < sizeof gen->last_trade_rows) {
        size_t length = gen->out.length - start;
        memcpy(gen->last_trade_rows, gen->out.data + start, length);
        gen->last_trade_length = length;
        gen->last_trade_row_count = 3;
        snprintf(gen->last_trade_id, sizeof gen->last_trade_id, "%s", id);
    }
}

/* Redelivers the last trade's rows at the current time (a duplicate). */
static void emit_duplicate(generator *gen) {
    if (gen->last_trade_length == 0 || strcmp(gen->last_group_id, gen->last_trade_id) == 0) return;
    char ts[NUMBER_TEXT_CAPACITY];
    size_t ts_length = number_format(scaled(gen->now_ms, 3), ts);
    const char *row = gen->last_trade_rows;
    const char *end = row + gen->last_trade_length;
    while (row < end) {
        const char *line_end = memchr(row, '\n', (size_t)(end - row));
        const char *after_ts = memchr(row, ',', (size_t)(line_end - row));
        buffer_append(&gen->out, ts, ts_length);
        buffer_append(&gen->out, after_ts, (size_t)(line_end - after_ts) + 1);
        gen->rows_left--;
        row = line_end + 1;
    }
    snprintf(gen->last_group_id, sizeof gen->last_group_id, "%s", gen->last_trade_id);
}

/* Funding: every open position pays qty x mark x rate (longs pay when the
 * rate is positive), then the balance; one event id. */
static void emit_funding(generator *gen) {
    char id[EVENT_ID_CAPACITY];
    next_event_id(gen, "funding", id);
    double rate = (double)llround((0.0001 + 0.0001 * normal(gen)) * 1e6) / 1e6;
    for (size_t index = 0; index < gen->symbol_count; index++) {
        gen_symbol *symbol = &gen->symbols[index];
        if (symbol->position_lots == 0) continue;
        int64_t amount_units = to_units(position_qty(symbol) * mark_price(symbol) * rate);
        gen->wallet_units -= amount_units;
        gen_row row;
        row_start(&row, "funding", id, symbol->name);
        set_number(&row, GEN_AMOUNT, from_units(amount_units));
        emit(gen, &row);
    }
    gen_account_frame frame;
    current_frame(gen, &frame);
    emit_balance(gen, id, &frame);
}

/* One mark event: the next mark of the first count symbols, one event id. */
static void emit_marks(generator *gen, size_t count) {
    char id[EVENT_ID_CAPACITY];
    next_event_id(gen, "mark", id);
    for (size_t index = 0; index < count; index++) {
        gen_symbol *symbol = &gen->symbols[index];
        double step = 1.0 + GEN_MARK_VOLATILITY * normal(gen);
        int64_t ticks = llround((double)symbol->mark_ticks * step);
        symbol->mark_ticks = ticks > 1 ? ticks : 1;
        if (symbol->mark_ticks > symbol->minute_high_ticks) symbol->minute_high_ticks = symbol->mark_ticks;
        if (symbol->mark_ticks < symbol->minute_low_ticks) symbol->minute_low_ticks = symbol->mark_ticks;
        gen_row row;
        row_start(&row, "mark", id, symbol->name);
        set_number(&row, GEN_PRICE, mark_price(symbol));
        emit(gen, &row);
    }
}

/* The bar of the minute that just ended; the next one starts at the mark. */
static void emit_bar(generator *gen, gen_symbol *symbol) {
    gen_row row;
    row_start(&row, "bar", NULL, symbol->name);
    set_number(&row, GEN_HIGH, scaled(symbol->minute_high_ticks, symbol->price_decimals));
    set_number(&row, GEN_LOW, scaled(symbol->minute_low_ticks, symbol->price_decimals));
    set_number(&row, GEN_PRICE, mark_price(symbol));
    emit(gen, &row);
    symbol->minute_high_ticks = symbol->minute_low_ticks = symbol->mark_ticks;
}

/* Rows an item writes, to keep the total at exactly --events. */
static long long item_rows(const generator *gen, gen_item_kind kind) {
    switch (kind) {
    case ITEM_TRADE: return 3;
    case ITEM_MARKS: return (long long)gen->symbol_count;
    case ITEM_ACCOUNT: return 1 + (long long)open_position_count(gen);
    case ITEM_LATE: return gen->has_last_frame ? 1 + (long long)gen->last_frame.position_count : 0;
    case ITEM_DUPLICATE: return gen->last_trade_length > 0 ? gen->last_trade_row_count : 0;
    case ITEM_FUNDING: return 1 + (long long)open_position_count(gen);
    default: return 1;
    }
}

static void run_item(generator *gen, const gen_item *item) {
    gen_symbol *symbol = &gen->symbols[item->symbol];
    switch (item->kind) {
    case ITEM_BAR: emit_bar(gen, symbol); break;
    case ITEM_MARKS: emit_marks(gen, gen->symbol_count); break;
    case ITEM_TRADE: emit_trade(gen); break;
    case ITEM_FUNDING: emit_funding(gen); break;
    case ITEM_DUPLICATE: emit_duplicate(gen); break;
    case ITEM_ZERO_WALLET: {
        char id[EVENT_ID_CAPACITY];
        next_event_id(gen, "account", id);
        gen_row row;
        row_start(&row, "balance", id, NULL);
        set_number(&row, GEN_WALLET_BALANCE, 0);
        emit(gen, &row);
        break;
    }
    case ITEM_ACCOUNT: {
        gen_account_frame frame;
        current_frame(gen, &frame);
        emit_frame(gen, "account", &frame);
        gen->last_frame = frame;
        gen->has_last_frame = true;
        break;
    }
    case ITEM_LATE: emit_frame(gen, "account", &gen->last_frame); break;
    }
}

static void add_item(generator *gen, gen_item_kind kind, size_t symbol, int offset_ms) {
    assert(gen->item_count < GEN_ITEMS_MAX);
    gen_item *item = &gen->items[gen->item_count++];
    item->kind = kind;
    item->symbol = symbol;
    item->offset_ms = offset_ms;
}

/* Sorts the second's items by offset, keeping the order of equal ones. */
static void sort_items(generator *gen) {
    for (size_t index = 1; index < gen->item_count; index++) {
        gen_item item = gen->items[index];
        size_t position = index;
        while (position > 0 && gen->items[position - 1].offset_ms > item.offset_ms) {
            gen->items[position] = gen->items[position - 1];
            position--;
        }
        gen->items[position] = item;
    }
}

static int random_offset_ms(generator *gen) { return (int)gsl_rng_uniform_int(gen->random, 1000); }

/* Simulates one second: bars at a minute's start, funding every 8 hours,
 * the marks of every symbol, and the venue's random events. */
static void simulate_second(generator *gen) {
    gen->item_count = 0;
    int64_t epoch_second = GEN_START_EPOCH_SECONDS + gen->second;
    if (gen->second > 0 && epoch_second % GEN_BAR_SECONDS == 0)
        for (size_t index = 0; index < gen->symbol_count; index++) add_item(gen, ITEM_BAR, index, 0);
    if (gen->second > 0 && epoch_second % GEN_FUNDING_INTERVAL_SECONDS == 0) add_item(gen, ITEM_FUNDING, 0, 0);
    if (gen->second == 0) add_item(gen, ITEM_ACCOUNT, 0, 0);
    add_item(gen, ITEM_MARKS, 0, random_offset_ms(gen));
    if (uniform(gen) < GEN_TRADE_PROBABILITY) add_item(gen, ITEM_TRADE, 0, random_offset_ms(gen));
    if (uniform(gen) < GEN_ACCOUNT_FRAME_PROBABILITY) add_item(gen, ITEM_ACCOUNT, 0, random_offset_ms(gen));
    if (uniform(gen) < GEN_LATE_FRAME_PROBABILITY) add_item(gen, ITEM_LATE, 0, random_offset_ms(gen));
    if (uniform(gen) < GEN_ZERO_WALLET_PROBABILITY) add_item(gen, ITEM_ZERO_WALLET, 0, random_offset_ms(gen));
    if (uniform(gen) < GEN_DUPLICATE_PROBABILITY) add_item(gen, ITEM_DUPLICATE, 0, random_offset_ms(gen));
    sort_items(gen);
    for (size_t index = 0; index < gen->item_count && gen->rows_left > 0 && !gen->output_failed; index++) {
        const gen_item *item = &gen->items[index];
        gen->now_ms = epoch_second * 1000 + item->offset_ms;
        long long rows = item_rows(gen, item->kind);
        /* A group that does not fit in the rows left becomes the marks that do. */
        if (rows > gen->rows_left) {
            emit_marks(gen, (size_t)(gen->rows_left < (long long)gen->symbol_count ? gen->rows_left
                                                                                      : (long long)gen->symbol_count));
            continue;
        }
        run_item(gen, item);
        flush_output(gen, false);
    }
    gen->second++;
}

/* The market of symbol index: a named one, or a made-up GENnnnUSDT. */
static void init_symbol(generator *gen, size_t index) {
    gen_symbol *symbol = &gen->symbols[index];
    double price;
    if (index < GEN_NAMED_MARKETS) {
        const gen_market *market = &gen_markets[index];
        snprintf(symbol->name, sizeof symbol->name, "%s", market->name);
        price = market->start_price;
        symbol->price_decimals = market->price_decimals;
        symbol->qty_decimals = market->qty_decimals;
    } else {
        snprintf(symbol->name, sizeof symbol->name, "GEN%03zuUSDT", index);
        /* 0.05 to 5000, five significant digits of tick. */
        int magnitude = (int)gsl_rng_uniform_int(gen->random, 6);
        price = (1.0 + 9.0 * uniform(gen)) * power_of_ten(magnitude) / 100.0;
        symbol->price_decimals = 6 - magnitude;
        symbol->qty_decimals = magnitude >= 3 ? 3 : 3 - magnitude;
        if (symbol->qty_decimals < 0) symbol->qty_decimals = 0;
    }
    symbol->mark_ticks = llround(price * power_of_ten(symbol->price_decimals));
    symbol->minute_high_ticks = symbol->minute_low_ticks = symbol->mark_ticks;
    symbol->leverage = gen_leverages[gsl_rng_uniform_int(gen->random, sizeof gen_leverages / sizeof gen_leverages[0])];
    symbol->position_lots = 0;
    symbol->entry_price = 0;
}

/* The config row, and off-exchange holdings (one without a mark: USDC). */
static void emit_preamble(generator *gen) {
    gen_row row;
    row_start(&row, "config", NULL, NULL);
    row.cells[GEN_KEY] = "seed_capital";
    set_number(&row, GEN_VALUE, from_units(GEN_SEED_CAPITAL_UNITS));
    emit(gen, &row);
    static const struct {
        const char *asset;
        double qty, avg_cost;
    } holdings[] = {{"BTC", 0.25, 61250.5}, {"ETH", 4, 2810.25}, {"USDC", 1500, 1}};
    gen->now_ms = GEN_START_EPOCH_SECONDS * 1000;
    for (size_t index = 0; index < sizeof holdings / sizeof holdings[0]; index++) {
        row_start(&row, "holding", NULL, holdings[index].asset);
        set_number(&row, GEN_QTY, holdings[index].qty);
        set_number(&row, GEN_AVG_COST, holdings[index].avg_cost);
        emit(gen, &row);
    }
}

static const char GEN_USAGE_LINE[] = "ledgersim gen --events N --seed S [--symbols K] > FILE.csv";

int command_gen(int argc, char **argv) {
    long long events = -1, seed = -1, symbols = GEN_SYMBOLS_DEFAULT;
    for (int index = 1; index < argc; index += 2) { /* every option takes a value */
        const char *argument = argv[index];
        const char *value = index + 1 < argc ? argv[index + 1] : NULL;
        if (strcmp(argument, "--help") == 0 || strcmp(argument, "-h") == 0) {
            gen_usage(stdout);
            return EXIT_OK;
        }
        bool valid = value != NULL;
        if (valid && strcmp(argument, "--events") == 0)
            valid = parse_whole(value, GEN_EVENTS_MIN, GEN_EVENTS_MAX, &events);
        else if (valid && strcmp(argument, "--seed") == 0)
            valid = parse_whole(value, 0, (long long)UINT32_MAX, &seed);
        else if (valid && strcmp(argument, "--symbols") == 0)
            valid = parse_whole(value, 1, SYMBOLS_MAX, &symbols);
        else
            valid = false;
        if (!valid) {
            static const char *const options[] = {"--events", "--seed", "--symbols", "--help"};
            bool known = false;
            for (size_t option = 0; option < sizeof options / sizeof options[0]; option++)
                if (strcmp(argument, options[option]) == 0) known = true;
            if (known)
                fprintf(stderr, "ledgersim gen: bad value for %s: %s\n", argument, value != NULL ? value : "(none)");
            else
                usage_unknown_option("gen", argument, options, sizeof options / sizeof options[0]);
            return usage_hint("gen", GEN_USAGE_LINE);
        }
    }
    if (events < 0 || seed < 0) {
        fprintf(stderr, "ledgersim gen: --events and --seed are required\n");
        return usage_hint("gen", GEN_USAGE_LINE);
    }
    generator *gen = calloc(1, sizeof *gen);
    gsl_rng *random = gsl_rng_alloc(gsl_rng_mt19937);
    if (gen == NULL || random == NULL) {
        fprintf(stderr, "ledgersim gen: out of memory\n");
        free(gen);
        if (random != NULL) gsl_rng_free(random);
        return EXIT_OUTPUT_ERROR;
    }
    gsl_rng_set(random, (unsigned long)seed);
    gen->random = random;
    buffer_init(&gen->out, GEN_BUFFER_LIMIT);
    gen->rows_left = events;
    gen->symbol_count = (size_t)symbols;
    gen->wallet_units = GEN_SEED_CAPITAL_UNITS;
    for (size_t index = 0; index < gen->symbol_count; index++) init_symbol(gen, index);
    buffer_append_text(&gen->out, gen_header);
    emit_preamble(gen);
    while (gen->rows_left > 0 && !gen->output_failed) simulate_second(gen);
    flush_output(gen, true);
    bool failed = gen->output_failed;
    int saved_errno = errno;
    buffer_free(&gen->out);
    gsl_rng_free(random);
    free(gen);
    if (failed) {
        fprintf(stderr, "ledgersim gen: cannot write standard output: %s\n", strerror(saved_errno));
        return EXIT_OUTPUT_ERROR;
    }
    return EXIT_OK;
}
