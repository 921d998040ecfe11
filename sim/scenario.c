/* scenario.c -- see scenario.h. */
#include "sim/scenario.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_POPCNT_CLONE 1 /* see split_line_popcnt */
#endif

#include "core/number.h"
#include "core/text.h"
#include "io/fault_kinds.h"
#include "io/input_file.h"
#include "io/utf8.h"

static const char *const row_type_names[ROW_TYPE_COUNT] = {
    "config", "fill", "funding", "balance", "position", "mark", "bar", "order",
    "funding_rate", "tp_sl", "holding", "fault", "expect", "transfer", "leverage"};

static const char *const column_names[COLUMN_COUNT] = {
    "ts", "event_id", "type", "symbol", "side", "qty", "price", "high", "low", "fee", "realized_pnl",
    "amount", "rate", "wallet_balance", "available_margin", "used_margin", "maint_margin", "entry_price",
    "mark_price", "unrealized_pnl", "leverage", "tp", "sl", "avg_cost", "key", "value"};

#define BIT(column) (1u << (column))
#define COMMON (BIT(COLUMN_TS) | BIT(COLUMN_TYPE))
/* The columns each row type may fill; any other cell given is an error. */
static const unsigned columns_used[ROW_TYPE_COUNT] = {
    [ROW_CONFIG] = BIT(COLUMN_TYPE) | BIT(COLUMN_KEY) | BIT(COLUMN_VALUE),
    [ROW_FILL] = COMMON | BIT(COLUMN_EVENT_ID) | BIT(COLUMN_SYMBOL) | BIT(COLUMN_SIDE) | BIT(COLUMN_QTY) |
                 BIT(COLUMN_PRICE) | BIT(COLUMN_FEE) | BIT(COLUMN_REALIZED_PNL) | BIT(COLUMN_LEVERAGE),
    [ROW_FUNDING] = COMMON | BIT(COLUMN_EVENT_ID) | BIT(COLUMN_SYMBOL) | BIT(COLUMN_AMOUNT),
    [ROW_BALANCE] = COMMON | BIT(COLUMN_EVENT_ID) | BIT(COLUMN_WALLET_BALANCE) | BIT(COLUMN_AVAILABLE_MARGIN) |
                    BIT(COLUMN_USED_MARGIN) | BIT(COLUMN_MAINT_MARGIN),
    [ROW_POSITION] = COMMON | BIT(COLUMN_EVENT_ID) | BIT(COLUMN_SYMBOL) | BIT(COLUMN_SIDE) | BIT(COLUMN_QTY) |
                     BIT(COLUMN_ENTRY_PRICE) | BIT(COLUMN_MARK_PRICE) | BIT(COLUMN_UNREALIZED_PNL) |
                     BIT(COLUMN_LEVERAGE),
    [ROW_MARK] = COMMON | BIT(COLUMN_EVENT_ID) | BIT(COLUMN_SYMBOL) | BIT(COLUMN_PRICE),
    [ROW_BAR] = COMMON | BIT(COLUMN_SYMBOL) | BIT(COLUMN_HIGH) | BIT(COLUMN_LOW) | BIT(COLUMN_PRICE),
    [ROW_ORDER] = COMMON | BIT(COLUMN_SYMBOL) | BIT(COLUMN_SIDE) | BIT(COLUMN_QTY) | BIT(COLUMN_LEVERAGE),
    [ROW_FUNDING_RATE] = COMMON | BIT(COLUMN_SYMBOL) | BIT(COLUMN_RATE),
    [ROW_TP_SL] = COMMON | BIT(COLUMN_SYMBOL) | BIT(COLUMN_SIDE) | BIT(COLUMN_ENTRY_PRICE) | BIT(COLUMN_TP) |
                  BIT(COLUMN_SL),
    [ROW_HOLDING] = COMMON | BIT(COLUMN_SYMBOL) | BIT(COLUMN_QTY) | BIT(COLUMN_AVG_COST),
    [ROW_FAULT] = COMMON | BIT(COLUMN_SYMBOL) | BIT(COLUMN_KEY) | BIT(COLUMN_VALUE) | BIT(COLUMN_TP) |
                  BIT(COLUMN_SL),
    [ROW_EXPECT] = COMMON | BIT(COLUMN_KEY) | BIT(COLUMN_VALUE),
    [ROW_TRANSFER] = COMMON | BIT(COLUMN_EVENT_ID) | BIT(COLUMN_AMOUNT),
    [ROW_LEVERAGE] = COMMON | BIT(COLUMN_EVENT_ID) | BIT(COLUMN_SYMBOL) | BIT(COLUMN_LEVERAGE),
};

const char *row_type_name(row_type type) {
    assert(type >= 0 && type < ROW_TYPE_COUNT);
    return row_type_names[type];
}

const char *column_name(column_id column) {
    assert(column >= 0 && column < COLUMN_COUNT);
    return column_names[column];
}

bool row_is_exchange_fact(row_type type) {
    return type == ROW_FILL || type == ROW_FUNDING || type == ROW_BALANCE || type == ROW_POSITION ||
           type == ROW_MARK || type == ROW_TRANSFER || type == ROW_LEVERAGE;
}

/* Records the first error as "FILE:LINE: message" and stops the reader. */
__attribute__((format(printf, 3, 4))) static void reader_fail(scenario_reader *reader, long line,
                                                               const char *format, ...) {
    if (reader->failed) return;
    reader->failed = true;
    char message[512];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    snprintf(reader->error, sizeof reader->error, "%s:%ld: %s", reader->path, line, message);
}

static void on_field(void *data, size_t length, void *context) {
    scenario_reader *reader = context;
    if (reader->failed) return;
    const char *text = data;
    if (memchr(text, '\0', length) != NULL) {
        reader_fail(reader, reader->line, "binary data (a NUL byte) in a cell");
        return;
    }
    for (size_t index = 0; index < length; index++) reader->newlines_in_record += text[index] == '\n';
    if (length > SCENARIO_FIELD_MAX) {
        reader_fail(reader, reader->line, "a cell is longer than %d bytes", SCENARIO_FIELD_MAX);
        return;
    }
    if (reader->cell_count >= COLUMN_COUNT) {
        reader->record_too_wide = true;
        reader->cell_count++;
        return;
    }
    memcpy(reader->cells[reader->cell_count], text, length);
    reader->cells[reader->cell_count][length] = '\0';
    reader->cell_count++;
}

/* The cells of the record at hand (reader->cell_count of them, at most
 * COLUMN_COUNT): NUL-terminated texts, in reader->cells or in place in the
 * input, and their lengths. A plain line (see feed_plain_line) sets only the
 * cells in nonempty; its bytes are all printable, so its texts need no
 * character check. */
typedef struct {
    const char *text[COLUMN_COUNT];
    size_t length[COLUMN_COUNT];
    uint32_t nonempty;                 /* bit per field: the cell has text */
    bool plain;
} record_cells;

static void parse_header(scenario_reader *reader, long line, const record_cells *cells) {
    if (reader->record_too_wide) {
        reader_fail(reader, line, "the header has more than %d columns", COLUMN_COUNT);
        return;
    }
    bool seen[COLUMN_COUNT] = {false};
    for (int field = 0; field < reader->cell_count; field++) {
        const char *name = cells->text[field];
        if (field == 0 && strncmp(name, "\xEF\xBB\xBF", 3) == 0) name += 3; /* UTF-8 BOM */
        for (const char *byte = name; *byte != '\0'; byte++)
            if ((unsigned char)*byte < 0x20 || (unsigned char)*byte >= 0x7f) {
                reader_fail(reader, line, "the header is not a row of column names (binary data?)");
                return;
            }
        int column = -1;
        for (int candidate = 0; candidate < COLUMN_COUNT && column < 0; candidate++)
            if (strcmp(column_names[candidate], name) == 0) column = candidate;
        if (column < 0) {
            reader_fail(reader, line, "unknown column '%s'", name);
            return;
        }
        if (seen[column]) {
            reader_fail(reader, line, "column '%s' appears twice", name);
            return;
        }
        seen[column] = true;
        reader->column_of_field[field] = column;
        if (column == COLUMN_TYPE) reader->type_field = field;
    }
    if (!seen[COLUMN_TYPE]) {
        reader_fail(reader, line, "the header has no 'type' column");
        return;
    }
    reader->field_count = reader->cell_count;
    reader->header_done = true;
}

/* Whether byte may be in a symbol: digits, letters (either case: byte |
 * 0x20), '_', '-', '.'. */
static inline bool symbol_byte(unsigned char byte) {
    return (unsigned)(byte - '0') < 10 || (unsigned)((byte | 0x20) - 'a') < 26 || byte == '_' || byte == '-' ||
           byte == '.';
}

/* Whether every byte of cell (length bytes) may be in a symbol. A cell
 * has 16 readable bytes from its start: in the input (whose padding covers
 * the last line) or in reader->cells. */
static bool symbol_text_allowed(const char *cell, size_t length) {
#if defined(__SSE2__)
    if (length <= 16) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)cell);
        __m128i lower = _mm_or_si128(bytes, _mm_set1_epi8(0x20));
        /* x in [low, high] (unsigned): max(x, low) == x and min(x, high) == x. */
        __m128i letter = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(lower, _mm_set1_epi8('a')), lower),
                                       _mm_cmpeq_epi8(_mm_min_epu8(lower, _mm_set1_epi8('z')), lower));
        __m128i digit = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(bytes, _mm_set1_epi8('0')), bytes),
                                      _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8('9')), bytes));
        __m128i mark = _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('_')),
                                    _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('-')),
                                                 _mm_cmpeq_epi8(bytes, _mm_set1_epi8('.'))));
        unsigned allowed = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), mark));
        unsigned wanted = (1u << length) - 1;
        if ((allowed & wanted) == wanted) return true;
        if ((unsigned)_mm_movemask_epi8(bytes) == 0) return false; /* ASCII only: no UTF-8 to admit */
    }
#endif
    /* Format 1.1 (the live recorder writes what Binance lists): a symbol may
     * also hold well-formed UTF-8 characters beyond ASCII. */
    const unsigned char *bytes = (const unsigned char *)cell;
    for (size_t index = 0; index < length;) {
        if (symbol_byte(bytes[index])) {
            index++;
            continue;
        }
        size_t sequence = text_utf8_sequence_length(bytes + index, length - index);
        if (sequence == 0) return false;
        index += sequence;
    }
    return true;
}

/* Whether every byte of cell (length bytes) is printable (not a control byte). */
static bool printable_text(const char *cell, size_t length) {
    for (size_t index = 0; index < length; index++) {
        unsigned char byte = (unsigned char)cell[index];
        if (byte < 0x20 || byte == 0x7f) return false;
    }
    return true;
}

/* Copies a text cell of length bytes, checking its length and characters
 * (printable: a plain line's, known to have no control byte). */
static bool parse_text(scenario_reader *reader, long line, column_id column, const char *cell, size_t length,
                       char *out, size_t capacity, bool symbol_characters, bool printable) {
    if (length >= capacity) {
        reader_fail(reader, line, "%s '%.40s...' is longer than %zu bytes", column_names[column], cell, capacity - 1);
        return false;
    }
    bool allowed = symbol_characters ? symbol_text_allowed(cell, length) : printable || printable_text(cell, length);
    size_t bad = 0;
    if (!allowed && !utf8_valid(cell, length, &bad)) { /* never echo invalid bytes into the message */
        reader_fail(reader, line, "%s: byte %zu is not valid UTF-8", column_names[column], bad + 1);
        return false;
    }
    if (!allowed) {
        reader_fail(reader, line, "%s '%s' has a character that is not allowed", column_names[column], cell);
        return false;
    }
    if (!symbol_characters && !utf8_valid(cell, length, &bad)) { /* it would reach JSON output raw */
        reader_fail(reader, line, "%s: byte %zu is not valid UTF-8", column_names[column], bad + 1);
        return false;
    }
#if defined(__SSE2__)
    if (length < 16 && capacity >= 16) {
        /* One vector (a cell has 16 readable bytes): what follows the NUL
         * in out is the rest of the line, never read. */
        _mm_storeu_si128((__m128i *)(void *)out, _mm_loadu_si128((const __m128i *)(const void *)cell));
        out[length] = '\0';
        return true;
    }
#endif
    memcpy(out, cell, length + 1);
    return true;
}

static bool parse_side(scenario_reader *reader, long line, const char *cell, scenario_row *row) {
    if (strcmp(cell, "BUY") == 0 || strcmp(cell, "LONG") == 0)
        row->side = 1;
    else if (strcmp(cell, "SELL") == 0 || strcmp(cell, "SHORT") == 0)
        row->side = -1;
    else {
        reader_fail(reader, line, "side '%s' is not BUY, SELL, LONG or SHORT", cell);
        return false;
    }
    return true;
}

/* Parses a ts cell. The rows of one event repeat their ts text, so the
 * last text parsed and its value are remembered. */
static bool parse_ts(scenario_reader *reader, const char *cell, size_t length, double *ts) {
    if (length == reader->ts_text_length && text_same_bytes(cell, reader->ts_text, length)) {
        *ts = reader->ts_value;
        return true;
    }
    if (!number_parse_timestamp(cell, length, ts)) return false;
    if (length < sizeof reader->ts_text) {
        memcpy(reader->ts_text, cell, length);
        reader->ts_text_length = length;
        reader->ts_value = *ts;
    }
    return true;
}

/* Parses the given cells of the record into row; false on an error. The
 * columns the slot's previous row gave are cleared first, so a slot never
 * shows a value of the row it held before (scenario_open zeroed the rest). */
static bool parse_cells(scenario_reader *reader, long line, const record_cells *cells, scenario_row *row,
                        char *side_text) {
    for (unsigned previous = row->given_columns; previous != 0; previous &= previous - 1)
        row->number[__builtin_ctz(previous)] = 0;
    row->given_columns = 0;
    unsigned used = columns_used[row->type];
    for (uint32_t fields = cells->nonempty; fields != 0; fields &= fields - 1) {
        int field = __builtin_ctz(fields);
        column_id column = reader->column_of_field[field];
        const char *cell = cells->text[field];
        size_t length = cells->length[field];
        assert(length > 0);
        if (column == COLUMN_TYPE) continue;
        if (!(used & BIT(column))) {
            reader_fail(reader, line, "column '%s' is not used by %s rows (given '%s')", column_names[column],
                        row_type_names[row->type], cell);
            return false;
        }
        row->given_columns |= BIT(column);
        bool valid = true;
        switch (column) {
        case COLUMN_TS:
            row->has_ts = parse_ts(reader, cell, length, &row->ts);
            if (!row->has_ts) reader_fail(reader, line, "ts '%s' is neither epoch seconds nor ISO-8601 UTC", cell);
            valid = row->has_ts;
            break;
        case COLUMN_EVENT_ID:
            row->event_id_length = (unsigned char)length;
            valid = parse_text(reader, line, column, cell, length, row->event_id, sizeof row->event_id, false, cells->plain);
            break;
        case COLUMN_SYMBOL:
            valid = parse_text(reader, line, column, cell, length, row->symbol, sizeof row->symbol, true, cells->plain);
            break;
        case COLUMN_SIDE:
            valid = parse_side(reader, line, cell, row);
            snprintf(side_text, 8, "%.7s", cell);
            break;
        case COLUMN_KEY:
            valid = parse_text(reader, line, column, cell, length, row->key, sizeof row->key, false, cells->plain);
            break;
        case COLUMN_VALUE:
            valid = parse_text(reader, line, column, cell, length, row->value, sizeof row->value, false, cells->plain);
            break;
        default:
            valid = number_parse(cell, length, &row->number[column]);
            if (!valid) reader_fail(reader, line, "%s '%s' is not a finite number", column_names[column], cell);
            break;
        }
        if (!valid) return false;
    }
    return true;
}

/* Fails unless the column is given. */
static bool require(scenario_reader *reader, long line, const scenario_row *row, column_id column) {
    bool given = column == COLUMN_SIDE ? row->side != 0 : scenario_given(row, column);
    if (!given) reader_fail(reader, line, "%s rows need a %s", row_type_names[row->type], column_names[column]);
    return given;
}

/* Fails unless the given numeric column satisfies the bound. */
static bool bound(scenario_reader *reader, long line, const scenario_row *row, column_id column, double minimum,
                  bool inclusive) {
    if (!scenario_given(row, column)) return true;
    double value = row->number[column];
    bool valid = inclusive ? value >= minimum : value > minimum;
    if (!valid) {
        char text[NUMBER_TEXT_CAPACITY];
        number_format(minimum, text);
        reader_fail(reader, line, "%s must be %s %s", column_names[column], inclusive ? ">=" : ">", text);
    }
    return valid;
}

static bool side_kind(scenario_reader *reader, long line, const scenario_row *row, const char *side_text,
                      bool trade_side) {
    if (row->side == 0) return true;
    bool is_trade = strcmp(side_text, "BUY") == 0 || strcmp(side_text, "SELL") == 0;
    if (is_trade == trade_side) return true;
    reader_fail(reader, line, "side '%s' on a %s row: expected %s", side_text, row_type_names[row->type],
                trade_side ? "BUY or SELL" : "LONG or SHORT");
    return false;
}

static const char *const corruptible_fields[] = {
    "qty", "price", "fee", "realized_pnl", "amount", "wallet_balance", "available_margin", "used_margin",
    "maint_margin", "entry_price", "mark_price", "unrealized_pnl", "leverage"};

static bool validate_fault(scenario_reader *reader, long line, const scenario_row *row) {
    if (!require(reader, line, row, COLUMN_KEY)) return false;
    fault_kind kind;
    if (!fault_kind_parse(row->key, &kind)) {
        reader_fail(reader, line, "unknown fault kind '%s'", row->key);
        return false;
    }
    const char *name = fault_kind_name(kind);
    if (fault_kinds[kind].value_is_count) {
        double count;
        if (!number_parse(row->value, strlen(row->value), &count) || count < 1 || count > 1e6 ||
            count != floor(count)) {
            reader_fail(reader, line, "fault %s needs value=N, a whole number from 1 to 1000000 (got '%s')", name,
                        row->value);
            return false;
        }
    }
    if (fault_kinds[kind].needs_symbol && !require(reader, line, row, COLUMN_SYMBOL)) return false;
    if (kind == FAULT_CORRUPT) {
        size_t field = 0;
        while (field < sizeof corruptible_fields / sizeof corruptible_fields[0] &&
               strcmp(corruptible_fields[field], row->value) != 0)
            field++;
        if (field == sizeof corruptible_fields / sizeof corruptible_fields[0]) {
            reader_fail(reader, line, "fault corrupt needs value=FIELD, a numeric field of exchange facts (got '%s')",
                        row->value);
            return false;
        }
    }
    return true;
}

/* The checks of each row type beyond the allowed columns. */
static bool validate_row(scenario_reader *reader, long line, const scenario_row *row, const char *side_text) {
    switch (row->type) {
    case ROW_CONFIG:
        return require(reader, line, row, COLUMN_KEY) && require(reader, line, row, COLUMN_VALUE);
    case ROW_EXPECT:
        return require(reader, line, row, COLUMN_KEY); /* an empty value expects an empty string */
    case ROW_FILL:
        return require(reader, line, row, COLUMN_SYMBOL) && require(reader, line, row, COLUMN_SIDE) &&
               side_kind(reader, line, row, side_text, true) && require(reader, line, row, COLUMN_QTY) &&
               require(reader, line, row, COLUMN_PRICE) && bound(reader, line, row, COLUMN_QTY, 0, false) &&
               bound(reader, line, row, COLUMN_PRICE, 0, false) && bound(reader, line, row, COLUMN_FEE, 0, true) &&
               bound(reader, line, row, COLUMN_LEVERAGE, 1, true);
    case ROW_FUNDING:
        return require(reader, line, row, COLUMN_AMOUNT);
    case ROW_BALANCE:
        return true;
    case ROW_POSITION:
        return require(reader, line, row, COLUMN_SYMBOL) && require(reader, line, row, COLUMN_QTY) &&
               side_kind(reader, line, row, side_text, false) &&
               (row->side == 0 || bound(reader, line, row, COLUMN_QTY, 0, true)) &&
               bound(reader, line, row, COLUMN_ENTRY_PRICE, 0, true) &&
               bound(reader, line, row, COLUMN_MARK_PRICE, 0, true) &&
               bound(reader, line, row, COLUMN_LEVERAGE, 1, true);
    case ROW_MARK:
        return require(reader, line, row, COLUMN_SYMBOL) && require(reader, line, row, COLUMN_PRICE) &&
               bound(reader, line, row, COLUMN_PRICE, 0, false);
    case ROW_BAR:
        if (!(require(reader, line, row, COLUMN_SYMBOL) && require(reader, line, row, COLUMN_HIGH) &&
              require(reader, line, row, COLUMN_LOW) && require(reader, line, row, COLUMN_PRICE) &&
              bound(reader, line, row, COLUMN_LOW, 0, false)))
            return false;
        if (row->number[COLUMN_HIGH] < row->number[COLUMN_LOW]) {
            reader_fail(reader, line, "bar high is below its low");
            return false;
        }
        return true;
    case ROW_ORDER:
        return require(reader, line, row, COLUMN_SYMBOL) && require(reader, line, row, COLUMN_SIDE) &&
               side_kind(reader, line, row, side_text, true) && require(reader, line, row, COLUMN_QTY) &&
               bound(reader, line, row, COLUMN_QTY, 0, true) && bound(reader, line, row, COLUMN_LEVERAGE, 1, true);
    case ROW_FUNDING_RATE:
        return require(reader, line, row, COLUMN_SYMBOL) && require(reader, line, row, COLUMN_RATE);
    case ROW_TP_SL:
        return require(reader, line, row, COLUMN_SYMBOL) && require(reader, line, row, COLUMN_SIDE) &&
               side_kind(reader, line, row, side_text, false) &&
               bound(reader, line, row, COLUMN_ENTRY_PRICE, 0, true) && bound(reader, line, row, COLUMN_TP, 0, false) &&
               bound(reader, line, row, COLUMN_SL, 0, false);
    case ROW_HOLDING:
        return require(reader, line, row, COLUMN_SYMBOL) && require(reader, line, row, COLUMN_QTY) &&
               bound(reader, line, row, COLUMN_QTY, 0, true) && bound(reader, line, row, COLUMN_AVG_COST, 0, true);
    case ROW_FAULT:
        return validate_fault(reader, line, row);
    case ROW_TRANSFER:
        return require(reader, line, row, COLUMN_AMOUNT);
    case ROW_LEVERAGE:
        return require(reader, line, row, COLUMN_SYMBOL) && require(reader, line, row, COLUMN_LEVERAGE) &&
               bound(reader, line, row, COLUMN_LEVERAGE, 1, true);
    case ROW_TYPE_COUNT:
        break;
    }
    assert(!"unknown row type");
    return false;
}

/* Checks the timestamp rules: required, non-decreasing, config first. */
static bool check_time(scenario_reader *reader, long line, const scenario_row *row) {
    if (row->type == ROW_CONFIG) {
        if (reader->timed_row_seen) {
            reader_fail(reader, line, "config rows must come before the first timed row");
            return false;
        }
        return true;
    }
    if (!row->has_ts) {
        if (row->type == ROW_EXPECT) return true;
        reader_fail(reader, line, "%s rows need a ts", row_type_names[row->type]);
        return false;
    }
    if (reader->timed_row_seen && row->ts < reader->last_ts) {
        char now[NUMBER_TEXT_CAPACITY], before[NUMBER_TEXT_CAPACITY];
        number_format(row->ts, now);
        number_format(reader->last_ts, before);
        reader_fail(reader, line, "ts %s goes back: line %ld has ts %s", now, reader->last_ts_line, before);
        return false;
    }
    reader->timed_row_seen = true;
    reader->last_ts = row->ts;
    reader->last_ts_line = line;
    return true;
}

/* The row types in the order a lookup tries them: the most frequent first. */
static const row_type row_type_lookup_order[ROW_TYPE_COUNT] = {
    ROW_MARK, ROW_FILL, ROW_BALANCE, ROW_POSITION, ROW_FUNDING, ROW_BAR, ROW_ORDER, ROW_FUNDING_RATE,
    ROW_TP_SL, ROW_EXPECT, ROW_FAULT, ROW_HOLDING, ROW_CONFIG, ROW_TRANSFER, ROW_LEVERAGE};

static const unsigned char row_type_lengths[ROW_TYPE_COUNT] = {6, 4, 7, 7, 8, 4, 3, 5, 12, 5, 7, 5, 6, 8, 8};
/* The names again, NUL-padded to 16 bytes for text_same_bytes. */
static const char row_type_padded[ROW_TYPE_COUNT][16] = {
    "config", "fill", "funding", "balance", "position", "mark", "bar", "order",
    "funding_rate", "tp_sl", "holding", "fault", "expect", "transfer", "leverage"};

/* The row type named by text (length bytes), or ROW_TYPE_COUNT. */
static int row_type_of(const char *text, size_t length) {
    for (int index = 0; index < ROW_TYPE_COUNT; index++) {
        row_type type = row_type_lookup_order[index];
        if (row_type_lengths[type] == length && text_same_bytes(row_type_padded[type], text, length)) return type;
    }
    return ROW_TYPE_COUNT;
}

static void parse_record(scenario_reader *reader, long line, const record_cells *cells) {
    if (reader->cell_count != reader->field_count || reader->record_too_wide) {
        reader_fail(reader, line, "%d fields, but the header has %d", reader->cell_count, reader->field_count);
        return;
    }
    assert(reader->queue_count < SCENARIO_QUEUE_ROWS);
    assert(reader->type_field >= 0 && reader->type_field < reader->field_count);
    scenario_row *row = &reader->queue[(reader->queue_head + reader->queue_count) % SCENARIO_QUEUE_ROWS];
    if (!(cells->nonempty & (UINT32_C(1) << reader->type_field))) {
        reader_fail(reader, line, "the type cell is empty");
        return;
    }
    const char *type_cell = cells->text[reader->type_field];
    int type = row_type_of(type_cell, cells->length[reader->type_field]);
    if (type == ROW_TYPE_COUNT) {
        reader_fail(reader, line, "unknown row type '%s'", type_cell);
        return;
    }
    row->line = line;
    row->type = (row_type)type;
    row->has_ts = false;
    row->ts = 0;
    row->event_id[0] = row->symbol[0] = '\0';
    row->event_id_length = 0;
    row->side = 0;
    row->key[0] = row->value[0] = '\0';
    char side_text[8] = "";
    if (!parse_cells(reader, line, cells, row, side_text) || !validate_row(reader, line, row, side_text) ||
        !check_time(reader, line, row))
        return;
    reader->queue_count++;
    reader->rows_read++;
}

/* A record ends (terminator: the byte that ended it): counts its lines and
 * parses it as the header or a row. */
static void end_record(scenario_reader *reader, int terminator, const record_cells *cells) {
    long line = reader->line;
    if (reader->expect_line_feed) {
        /* libcsv reports the LF of a CRLF as an empty record of its own. */
        reader->expect_line_feed = false;
        bool line_feed = terminator == '\n' && reader->cell_count == 0;
        if (!line_feed) reader_fail(reader, line, "a carriage return without a line feed (lines end in LF or CRLF)");
        if (line_feed) {
            reader->line++;
            return;
        }
    }
    if (terminator == '\r') reader->expect_line_feed = true;
    reader->line += reader->newlines_in_record + (terminator == '\n');
    reader->newlines_in_record = 0;
    if (!reader->failed && reader->cell_count > 0) {
        if (!reader->header_done)
            parse_header(reader, line, cells);
        else
            parse_record(reader, line, cells);
    }
    reader->cell_count = 0;
    reader->record_too_wide = false;
}

/* libcsv's record callback: the cells are in reader->cells. */
static void on_record(int terminator, void *context) {
    scenario_reader *reader = context;
    record_cells cells;
    cells.nonempty = 0;
    cells.plain = false;
    int stored = reader->cell_count < COLUMN_COUNT ? reader->cell_count : COLUMN_COUNT;
    for (int field = 0; field < stored; field++) {
        cells.text[field] = reader->cells[field];
        cells.length[field] = strlen(reader->cells[field]);
        cells.nonempty |= (uint32_t)(cells.length[field] > 0) << field;
    }
    end_record(reader, terminator, &cells);
}

int scenario_open(scenario_reader *reader, const char *path) {
    memset(reader, 0, offsetof(scenario_reader, queue));
    memset(reader->queue, 0, sizeof reader->queue); /* see parse_cells */
    memset(reader->input, 0, sizeof reader->input); /* see split_plain_line */
    reader->queue_head = reader->queue_count = 0;
    reader->end_of_file = reader->failed = reader->timed_row_seen = false;
    reader->rows_read = reader->bytes_read = reader->last_ts_line = 0;
    reader->error[0] = '\0';
    reader->ts_text_length = 0;
    reader->type_field = -1;
#if defined(HAVE_POPCNT_CLONE)
    reader->has_popcnt = __builtin_cpu_supports("popcnt");
#endif
    reader->line = 1;
    snprintf(reader->path, sizeof reader->path, "%s", path);
    reader->file = input_file_fopen(path, reader->error, sizeof reader->error); /* regular files only */
    if (reader->file == NULL) {
        reader->failed = true;
        return -1;
    }
    /* The reader keeps its own 64 KiB buffer: stdio's would split each
     * fread into two system calls (a 10M-row file took 79,000 reads). */
    setvbuf(reader->file, NULL, _IONBF, 0);
    if (csv_init(&reader->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL) != 0) {
        snprintf(reader->error, sizeof reader->error, "%s: out of memory", path);
        reader->failed = true;
        return -1;
    }
    reader->parser_ready = true;
    for (int type = 0; type < ROW_TYPE_COUNT; type++) {
        assert(strlen(row_type_names[type]) == row_type_lengths[type]);
        assert(strcmp(row_type_padded[type], row_type_names[type]) == 0);
    }
    return 0;
}

/* A plain line: every byte printable ASCII or above 0x7f, no '"', no space.
 * libcsv (CSV_STRICT, default space and terminator functions) would only
 * split it at its commas; any other byte (quotes, CR, the spaces and tabs it
 * trims, NUL, control bytes) sends the line to libcsv. */
#if !defined(__SSE2__)
/* The class of one byte (the SSE2 code computes the same, sixteen at once). */
enum { PLAIN_TEXT = 0, PLAIN_COMMA = 1, PLAIN_NOT = 2 };

static inline unsigned char plain_byte_kind(unsigned char byte) {
    if (byte == ',') return PLAIN_COMMA;
    return byte <= ' ' || byte == '"' || byte == 0x7f ? PLAIN_NOT : PLAIN_TEXT;
}
#endif

enum { PLAIN_WORDS_MAX = (SCENARIO_LINE_MAX + 2) / 64 + 1 };

/* The set bits of word. Baseline x86-64 has no popcnt instruction, and
 * without it GCC's builtin is a library call: hardware is true only inside
 * the split_line_popcnt clone below, on a machine that has it; elsewhere
 * this is a dozen inline operations. */
#define ALWAYS_INLINE inline __attribute__((always_inline))
static ALWAYS_INLINE int bit_count(uint64_t word, bool hardware) {
    if (hardware) return __builtin_popcountll(word);
    word = word - ((word >> 1) & UINT64_C(0x5555555555555555));
    word = (word & UINT64_C(0x3333333333333333)) + ((word >> 2) & UINT64_C(0x3333333333333333));
    word = (word + (word >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
    return (int)((word * UINT64_C(0x0101010101010101)) >> 56);
}

/* A plain line as bit masks, one bit per byte (64 to a word): its commas,
 * with one more at the line's end (content) so that every cell ends in one. */
typedef struct {
    uint64_t commas[PLAIN_WORDS_MAX];
    size_t words;
    size_t content;
    int count;                         /* cells: the commas, counting the one at the end */
} plain_split;

/* The masks of the 64 bytes at word w: false when one is not plain. */
static inline bool plain_word(const char *start, size_t content, size_t w, uint64_t *commas) {
    uint64_t comma_bits = 0, not_plain_bits = 0;
    size_t first = w * 64;
#if defined(__SSE2__)
    /* Per 16 bytes: x <= ' ' as min(x, ' ') == x, '"', DEL, and the commas;
     * bytes past content (the line's '\n' and whatever follows, read only as
     * far as the input's padding) are masked off. */
    const __m128i space = _mm_set1_epi8(' '), quote = _mm_set1_epi8('"'), delete = _mm_set1_epi8(0x7f),
                  comma = _mm_set1_epi8(',');
    for (size_t index = first; index < content && index < first + 64; index += 16) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)(start + index));
        __m128i not_plain = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(bytes, space), bytes),
                                         _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, delete)));
        int shift = (int)(index - first);
        not_plain_bits |= (uint64_t)(uint32_t)_mm_movemask_epi8(not_plain) << shift;
        comma_bits |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, comma)) << shift;
    }
    uint64_t valid = content - first >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << (content - first)) - 1;
    not_plain_bits &= valid;
    comma_bits &= valid;
#else
    for (size_t index = first; index < content && index < first + 64; index++) {
        unsigned char kind = plain_byte_kind((unsigned char)start[index]);
        not_plain_bits |= (uint64_t)(kind == PLAIN_NOT) << (index - first);
        comma_bits |= (uint64_t)(kind == PLAIN_COMMA) << (index - first);
    }
#endif
    *commas = comma_bits;
    return not_plain_bits == 0;
}

/* Finds the commas of content bytes at start; false when the line is not
 * plain or has more than COLUMN_COUNT cells. */
static ALWAYS_INLINE bool split_plain_line(const char *start, size_t content, plain_split *split, bool hardware) {
    assert(content <= SCENARIO_LINE_MAX + 1);
    split->content = content;
    split->words = content / 64 + 1;
    int count = 0;
    for (size_t w = 0; w < split->words; w++) {
        if (!plain_word(start, content, w, &split->commas[w])) return false;
        if (w + 1 == split->words) split->commas[w] |= UINT64_C(1) << (content % 64);
        count += bit_count(split->commas[w], hardware);
    }
    split->count = count;
    return count <= COLUMN_COUNT;
}

/* The offset of the first comma at or after position (there is always one:
 * the line's end). */
static size_t plain_next_comma(const plain_split *split, size_t position) {
    size_t w = position / 64;
    uint64_t bits = split->commas[w] & (~UINT64_C(0) << (position % 64));
    while (bits == 0) bits = split->commas[++w];
    assert(w < split->words);
    return w * 64 + (size_t)__builtin_ctzll(bits);
}

/* Sets the cells of the split line at start, each NUL-terminated in place
 * (at its comma): every cell when all is true (the header), else only the
 * non-empty ones. False when a cell is longer than SCENARIO_FIELD_MAX. */
static ALWAYS_INLINE bool plain_cells(char *start, const plain_split *split, bool all, record_cells *cells,
                                      bool hardware) {
    cells->nonempty = 0;
    int commas_before_word = 0;
    uint64_t previous_comma = 1; /* a cell begins at 0 and after each comma */
    for (size_t w = 0; w < split->words; w++) {
        uint64_t commas = split->commas[w];
        uint64_t begins = (commas << 1) | previous_comma;
        previous_comma = commas >> 63;
        uint64_t wanted = all ? begins : begins & ~commas; /* a begin on a comma is an empty cell */
        if (w + 1 == split->words) wanted &= (UINT64_C(2) << (split->content % 64)) - 1;
        for (; wanted != 0; wanted &= wanted - 1) {
            unsigned bit = (unsigned)__builtin_ctzll(wanted);
            size_t begin = w * 64 + bit;
            int field = commas_before_word + bit_count(commas & ((UINT64_C(1) << bit) - 1), hardware);
            size_t end = plain_next_comma(split, begin);
            assert(field < split->count);
            if (end - begin > SCENARIO_FIELD_MAX) return false;
            cells->text[field] = start + begin;
            cells->length[field] = end - begin;
            cells->nonempty |= (uint32_t)(end != begin) << field;
        }
        commas_before_word += bit_count(commas, hardware);
    }
    /* Only now that the line is known to be plain (false leaves it
     * untouched for libcsv): each cell's comma becomes its NUL. */
    uint32_t ended = all ? (uint32_t)((UINT64_C(1) << split->count) - 1) : cells->nonempty;
    for (; ended != 0; ended &= ended - 1) {
        int field = __builtin_ctz(ended);
        start[cells->text[field] - start + (ptrdiff_t)cells->length[field]] = '\0';
    }
    return true;
}

#if defined(__SSE2__)
/* The common case in one pass: a row's line shorter than 64 bytes, split
 * into its non-empty cells as split_plain_line and plain_cells together
 * would, with one 64-bit mask of its commas. Its four vectors may read up
 * to 64 bytes past start: the input's padding covers a line at its end.
 * Returns false, the line untouched, when it is not plain or has too many
 * cells. */
static ALWAYS_INLINE bool split_short_line(char *start, size_t content, record_cells *cells, int *cell_count,
                                           bool hardware) {
    assert(content < 64);
    const __m128i space = _mm_set1_epi8(' '), quote = _mm_set1_epi8('"'), delete = _mm_set1_epi8(0x7f),
                  comma = _mm_set1_epi8(',');
    uint64_t comma_bits = 0, not_plain_bits = 0;
    for (int chunk = 0; chunk < 4; chunk++) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)(start + 16 * chunk));
        __m128i not_plain = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(bytes, space), bytes),
                                         _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, delete)));
        not_plain_bits |= (uint64_t)(uint32_t)_mm_movemask_epi8(not_plain) << (16 * chunk);
        comma_bits |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, comma)) << (16 * chunk);
    }
    uint64_t valid = (UINT64_C(1) << content) - 1;
    if ((not_plain_bits & valid) != 0) return false;
    /* Every cell ends at a comma: one more at the line's end. */
    uint64_t commas = (comma_bits & valid) | (UINT64_C(1) << content);
    int count = bit_count(commas, hardware);
    if (count > COLUMN_COUNT) return false;
    /* Non-empty cells begin at 0 or after a comma, on a byte that is not one. */
    uint64_t begins = ((commas << 1) | 1) & ~commas & valid;
    cells->nonempty = 0;
    for (; begins != 0; begins &= begins - 1) {
        unsigned begin = (unsigned)__builtin_ctzll(begins);
        int field = bit_count(commas & ((UINT64_C(1) << begin) - 1), hardware);
        unsigned end = begin + (unsigned)__builtin_ctzll(commas >> begin);
        cells->text[field] = start + begin;
        cells->length[field] = end - begin;
        cells->nonempty |= UINT32_C(1) << field;
        start[end] = '\0'; /* known plain: the masks, not the bytes, say where cells end */
    }
    *cell_count = count;
    return true;
}
#endif

/* Splits a plain line and sets its cells (split_short_line, or
 * split_plain_line and plain_cells): one clone with the popcnt
 * instruction, one without. */
static ALWAYS_INLINE bool split_line(char *start, size_t content, plain_split *split, bool all,
                                     record_cells *cells, int *cell_count, bool hardware) {
#if defined(__SSE2__)
    if (!all && content < 64) return split_short_line(start, content, cells, cell_count, hardware);
#endif
    if (!split_plain_line(start, content, split, hardware) || !plain_cells(start, split, all, cells, hardware))
        return false;
    *cell_count = split->count;
    return true;
}

static bool split_line_portable(char *start, size_t content, plain_split *split, bool all, record_cells *cells,
                                int *cell_count) {
    return split_line(start, content, split, all, cells, cell_count, false);
}

#if defined(HAVE_POPCNT_CLONE)
__attribute__((target("popcnt"))) static bool split_line_popcnt(char *start, size_t content, plain_split *split,
                                                                bool all, record_cells *cells, int *cell_count) {
    return split_line(start, content, split, all, cells, cell_count, true);
}
#endif

/* Takes a whole line (ending in '\n', libcsv between records) apart at its
 * commas, in place. The record is what libcsv and on_field would have made
 * of it. Returns false, the line untouched, when libcsv must read it: a byte
 * that is not plain, a cell longer than SCENARIO_FIELD_MAX, too many cells
 * (libcsv then reports those). Most scenario lines are plain: this saves
 * libcsv's two copies of every cell, and rows touch only their non-empty
 * cells. */
static bool feed_plain_line(scenario_reader *reader, char *start, size_t length) {
    enum { LIBCSV_ROW_NOT_BEGUN = 0 }; /* csv_parser.pstate between records */
    if (reader->parser.pstate != LIBCSV_ROW_NOT_BEGUN) return false;
    size_t content = length - 1;
    record_cells cells;
    cells.plain = true;
    cells.nonempty = 0;
    int cell_count = 0;
    /* libcsv reports an empty line as a record end with no cell. */
    if (content > 0) {
        plain_split split;
        bool all = !reader->header_done;
#if defined(HAVE_POPCNT_CLONE)
        bool split_done = reader->has_popcnt ? split_line_popcnt(start, content, &split, all, &cells, &cell_count)
                                             : split_line_portable(start, content, &split, all, &cells, &cell_count);
#else
        bool split_done = split_line_portable(start, content, &split, all, &cells, &cell_count);
#endif
        if (!split_done) return false;
    }
    reader->cell_count = cell_count;
    end_record(reader, '\n', &cells);
    return true;
}

/* Feeds the parser the next physical line, whole. Returns false when the
 * buffer holds no whole line and more input may come (the caller refills). */
static bool feed_line(scenario_reader *reader) {
    char *start = reader->input + reader->input_offset;
    size_t available = reader->input_length - reader->input_offset;
    const char *newline = memchr(start, '\n', available);
    if (newline == NULL && !reader->input_exhausted && available < SCENARIO_FEED_BYTES) return false;
    /* A line, or the last bytes of a file that does not end in a newline. */
    size_t length = newline != NULL ? (size_t)(newline - start) + 1 : available;
    if (length > SCENARIO_LINE_MAX + 2) {
        reader_fail(reader, reader->line, "line longer than %d bytes", SCENARIO_LINE_MAX);
        return true;
    }
    reader->input_offset += length;
    if (newline != NULL && !reader->plain_lines_off && feed_plain_line(reader, start, length)) return true;
    if (csv_parse(&reader->parser, start, length, on_field, on_record, reader) != length)
        reader_fail(reader, reader->line, "%s", csv_strerror(csv_error(&reader->parser)));
    return true;
}

/* Moves the unfed bytes to the front of the buffer and reads after them. */
static void refill(scenario_reader *reader) {
    size_t remaining = reader->input_length - reader->input_offset;
    memmove(reader->input, reader->input + reader->input_offset, remaining);
    size_t got = fread(reader->input + remaining, 1, SCENARIO_FEED_BYTES - remaining, reader->file);
    assert(remaining + got <= SCENARIO_FEED_BYTES);
    reader->input_length = remaining + got;
    reader->input_offset = 0;
    reader->bytes_read += (long)got;
    if (got == 0) reader->input_exhausted = true;
}

/* At the end of the file: flushes the last record and checks the whole. */
static void finish(scenario_reader *reader) {
    reader->end_of_file = true;
    if (ferror(reader->file)) {
        reader_fail(reader, reader->line, "read error: %s", strerror(errno));
        return;
    }
    if (csv_fini(&reader->parser, on_field, on_record, reader) != 0) {
        /* libcsv flushes a half row even on this error: the flag discards it. */
        reader->queue_count = 0;
        reader_fail(reader, reader->line, "unterminated quoted cell");
        return;
    }
    if (!reader->header_done)
        reader_fail(reader, 1, "empty file: expected a header row");
    else if (reader->rows_read == 0)
        reader_fail(reader, 2, "no rows after the header");
}

int scenario_next(scenario_reader *reader, const scenario_row **row) {
    while (reader->queue_count == 0 && !reader->failed && !reader->end_of_file) {
        if (reader->input_exhausted && reader->input_offset == reader->input_length)
            finish(reader);
        else if (!feed_line(reader))
            refill(reader);
    }
    if (reader->failed) return -1;
    if (reader->queue_count == 0) return 0;
    *row = &reader->queue[reader->queue_head];
    reader->queue_head = (reader->queue_head + 1) % SCENARIO_QUEUE_ROWS;
    reader->queue_count--;
    return 1;
}

void scenario_close(scenario_reader *reader) {
    if (reader->parser_ready) csv_free(&reader->parser);
    reader->parser_ready = false;
    if (reader->file != NULL) fclose(reader->file);
    reader->file = NULL;
}
