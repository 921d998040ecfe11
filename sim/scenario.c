/* scenario.c -- see scenario.h. */
#include "sim/scenario.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "core/number.h"

static const char *const row_type_names[ROW_TYPE_COUNT] = {
    "config", "fill", "funding", "balance", "position", "mark", "bar", "order",
    "funding_rate", "tp_sl", "holding", "fault", "expect"};

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
    [ROW_ORDER] = COMMON | BIT(COLUMN_SYMBOL) | BIT(COLUMN_SIDE) | BIT(COLUMN_QTY),
    [ROW_FUNDING_RATE] = COMMON | BIT(COLUMN_SYMBOL) | BIT(COLUMN_RATE),
    [ROW_TP_SL] = COMMON | BIT(COLUMN_SYMBOL) | BIT(COLUMN_SIDE) | BIT(COLUMN_ENTRY_PRICE) | BIT(COLUMN_TP) |
                  BIT(COLUMN_SL),
    [ROW_HOLDING] = COMMON | BIT(COLUMN_SYMBOL) | BIT(COLUMN_QTY) | BIT(COLUMN_AVG_COST),
    [ROW_FAULT] = COMMON | BIT(COLUMN_SYMBOL) | BIT(COLUMN_KEY) | BIT(COLUMN_VALUE) | BIT(COLUMN_TP) |
                  BIT(COLUMN_SL),
    [ROW_EXPECT] = COMMON | BIT(COLUMN_KEY) | BIT(COLUMN_VALUE),
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
           type == ROW_MARK;
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
 * input, and their lengths. */
typedef struct {
    const char *text[COLUMN_COUNT];
    size_t length[COLUMN_COUNT];
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
    }
    if (!seen[COLUMN_TYPE]) {
        reader_fail(reader, line, "the header has no 'type' column");
        return;
    }
    reader->field_count = reader->cell_count;
    reader->header_done = true;
}

/* Copies a text cell of length bytes, checking its length and characters. */
static bool parse_text(scenario_reader *reader, long line, column_id column, const char *cell, size_t length,
                       char *out, size_t capacity, bool symbol_characters) {
    if (length >= capacity) {
        reader_fail(reader, line, "%s '%.40s...' is longer than %zu bytes", column_names[column], cell, capacity - 1);
        return false;
    }
    for (size_t index = 0; index < length; index++) {
        unsigned char byte = (unsigned char)cell[index];
        /* Digits, letters (either case: byte | 0x20), '_', '-', '.'. */
        bool allowed = symbol_characters ? (unsigned)(byte - '0') < 10 || (unsigned)((byte | 0x20) - 'a') < 26 ||
                                               byte == '_' || byte == '-' || byte == '.'
                                         : byte >= 0x20 && byte != 0x7f;
        if (!allowed) {
            reader_fail(reader, line, "%s '%s' has a character that is not allowed", column_names[column], cell);
            return false;
        }
    }
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

/* Parses every given cell of the record into row; false on an error. */
static bool parse_cells(scenario_reader *reader, long line, const record_cells *cells, scenario_row *row,
                        char *side_text) {
    for (int field = 0; field < reader->field_count; field++) {
        column_id column = reader->column_of_field[field];
        const char *cell = cells->text[field];
        size_t length = cells->length[field];
        if (column == COLUMN_TYPE || cell[0] == '\0') continue;
        if (!(columns_used[row->type] & BIT(column))) {
            reader_fail(reader, line, "column '%s' is not used by %s rows (given '%s')", column_names[column],
                        row_type_names[row->type], cell);
            return false;
        }
        row->given[column] = true;
        bool valid = true;
        switch (column) {
        case COLUMN_TS:
            row->has_ts = number_parse_timestamp(cell, length, &row->ts);
            if (!row->has_ts) reader_fail(reader, line, "ts '%s' is neither epoch seconds nor ISO-8601 UTC", cell);
            valid = row->has_ts;
            break;
        case COLUMN_EVENT_ID:
            valid = parse_text(reader, line, column, cell, length, row->event_id, sizeof row->event_id, false);
            break;
        case COLUMN_SYMBOL:
            valid = parse_text(reader, line, column, cell, length, row->symbol, sizeof row->symbol, true);
            break;
        case COLUMN_SIDE:
            valid = parse_side(reader, line, cell, row);
            snprintf(side_text, 8, "%.7s", cell);
            break;
        case COLUMN_KEY:
            valid = parse_text(reader, line, column, cell, length, row->key, sizeof row->key, false);
            break;
        case COLUMN_VALUE:
            valid = parse_text(reader, line, column, cell, length, row->value, sizeof row->value, false);
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
    bool given = column == COLUMN_SIDE ? row->side != 0 : row->given[column];
    if (!given) reader_fail(reader, line, "%s rows need a %s", row_type_names[row->type], column_names[column]);
    return given;
}

/* Fails unless the given numeric column satisfies the bound. */
static bool bound(scenario_reader *reader, long line, const scenario_row *row, column_id column, double minimum,
                  bool inclusive) {
    if (!row->given[column]) return true;
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

static const char *const fault_kinds[] = {"stale_mark", "zero_wallet", "orphan_tp_sl", "drop",
                                          "duplicate", "delay", "corrupt"};
static const char *const corruptible_fields[] = {
    "qty", "price", "fee", "realized_pnl", "amount", "wallet_balance", "available_margin", "used_margin",
    "maint_margin", "entry_price", "mark_price", "unrealized_pnl", "leverage"};

static bool validate_fault(scenario_reader *reader, long line, const scenario_row *row) {
    if (!require(reader, line, row, COLUMN_KEY)) return false;
    size_t kind = 0;
    while (kind < 7 && strcmp(fault_kinds[kind], row->key) != 0) kind++;
    if (kind == 7) {
        reader_fail(reader, line, "unknown fault kind '%s'", row->key);
        return false;
    }
    const char *name = fault_kinds[kind];
    bool needs_count = strcmp(name, "stale_mark") == 0 || strcmp(name, "drop") == 0 ||
                       strcmp(name, "duplicate") == 0 || strcmp(name, "delay") == 0;
    if (needs_count) {
        double count;
        if (!number_parse(row->value, strlen(row->value), &count) || count < 1 || count > 1e6 ||
            count != floor(count)) {
            reader_fail(reader, line, "fault %s needs value=N, a whole number from 1 to 1000000 (got '%s')", name,
                        row->value);
            return false;
        }
    }
    if ((strcmp(name, "stale_mark") == 0 || strcmp(name, "orphan_tp_sl") == 0) &&
        !require(reader, line, row, COLUMN_SYMBOL))
        return false;
    if (strcmp(name, "corrupt") == 0) {
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
               bound(reader, line, row, COLUMN_QTY, 0, true);
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

static void parse_record(scenario_reader *reader, long line, const record_cells *cells) {
    if (reader->cell_count != reader->field_count || reader->record_too_wide) {
        reader_fail(reader, line, "%d fields, but the header has %d", reader->cell_count, reader->field_count);
        return;
    }
    assert(reader->queue_count < SCENARIO_QUEUE_ROWS);
    scenario_row *row = &reader->queue[(reader->queue_head + reader->queue_count) % SCENARIO_QUEUE_ROWS];
    /* number[] too: a cell not given reads 0, never a value of the row this ring slot held before. */
    memset(row, 0, offsetof(scenario_row, key));
    row->line = line;
    const char *type_cell = NULL;
    for (int field = 0; field < reader->field_count && type_cell == NULL; field++)
        if (reader->column_of_field[field] == COLUMN_TYPE) type_cell = cells->text[field];
    assert(type_cell != NULL);
    int type = 0;
    while (type < ROW_TYPE_COUNT &&
           (row_type_names[type][0] != type_cell[0] || strcmp(row_type_names[type], type_cell) != 0))
        type++;
    if (type == ROW_TYPE_COUNT) {
        reader_fail(reader, line, type_cell[0] == '\0' ? "the type cell is empty" : "unknown row type '%s'",
                    type_cell);
        return;
    }
    row->type = (row_type)type;
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
    int stored = reader->cell_count < COLUMN_COUNT ? reader->cell_count : COLUMN_COUNT;
    for (int field = 0; field < stored; field++) {
        cells.text[field] = reader->cells[field];
        cells.length[field] = strlen(reader->cells[field]);
    }
    end_record(reader, terminator, &cells);
}

int scenario_open(scenario_reader *reader, const char *path) {
    memset(reader, 0, offsetof(scenario_reader, queue));
    reader->queue_head = reader->queue_count = 0;
    reader->end_of_file = reader->failed = reader->timed_row_seen = false;
    reader->rows_read = reader->bytes_read = reader->last_ts_line = 0;
    reader->error[0] = '\0';
    reader->line = 1;
    snprintf(reader->path, sizeof reader->path, "%s", path);
    reader->file = fopen(path, "rb");
    if (reader->file == NULL) {
        snprintf(reader->error, sizeof reader->error, "%s: cannot open: %s", path, strerror(errno));
        reader->failed = true;
        return -1;
    }
    if (csv_init(&reader->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL) != 0) {
        snprintf(reader->error, sizeof reader->error, "%s: out of memory", path);
        reader->failed = true;
        return -1;
    }
    reader->parser_ready = true;
    return 0;
}

/* The bytes of a plain line: cell text, the comma between cells, and the
 * bytes after which libcsv (CSV_STRICT, default space and terminator
 * functions) would do more than split at commas: quotes, CR, the spaces and
 * tabs it trims, NUL (a cell error). */
enum { PLAIN_TEXT = 0, PLAIN_COMMA = 1, PLAIN_NOT = 2 };
static const unsigned char plain_line_byte[256] = {
    ['\0'] = PLAIN_NOT, ['\t'] = PLAIN_NOT, ['\r'] = PLAIN_NOT, [' '] = PLAIN_NOT, ['"'] = PLAIN_NOT,
    [','] = PLAIN_COMMA};

/* Takes a whole line (ending in '\n', libcsv between records) apart at its
 * commas, in place: the cells are the line's own bytes, each comma and the
 * '\n' overwritten with a NUL. The record is what libcsv and on_field would
 * have made of it. Returns false, the line untouched, when it has a byte that
 * asks for libcsv, a cell longer than SCENARIO_FIELD_MAX or too many cells
 * (libcsv then reports those). Most scenario lines are plain: this saves
 * libcsv's two copies of every cell. */
/* Ends the cell of the plain line start that began at *begin at end (a comma
 * or the line's end): false when it is too long or one too many. */
static inline bool end_plain_cell(char *start, size_t end, size_t *begin, record_cells *cells, size_t *ends,
                                  int *cell_count) {
    if (*cell_count == COLUMN_COUNT || end - *begin > SCENARIO_FIELD_MAX) return false;
    cells->text[*cell_count] = start + *begin;
    cells->length[*cell_count] = end - *begin;
    ends[(*cell_count)++] = end;
    *begin = end + 1;
    return true;
}

static bool feed_plain_line(scenario_reader *reader, char *start, size_t length) {
    enum { LIBCSV_ROW_NOT_BEGUN = 0 }; /* csv_parser.pstate between records */
    if (reader->parser.pstate != LIBCSV_ROW_NOT_BEGUN) return false;
    size_t content = length - 1;
    record_cells cells;
    size_t ends[COLUMN_COUNT]; /* where each cell ends: a comma, then the '\n' */
    int cell_count = 0;
    size_t begin = 0, index = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Eight bytes at a time. In each, per byte and exactly (no carry between
     * bytes): below 0x21 (every byte of PLAIN_NOT but '"', plus control bytes,
     * which only send the line to libcsv) or '"' stops; commas end cells. */
    const uint64_t ones = UINT64_C(0x0101010101010101), low7 = UINT64_C(0x7f7f7f7f7f7f7f7f);
    const uint64_t high = ~low7;
    for (; index + 8 <= content; index += 8) {
        uint64_t word;
        memcpy(&word, start + index, sizeof word);
        uint64_t below_0x21 = ~(((word & low7) + (0x80 - 0x21) * ones) | word) & high;
        uint64_t quotes = word ^ ('"' * ones), commas = word ^ (',' * ones);
        quotes = ~(((quotes & low7) + low7) | quotes | low7);
        commas = ~(((commas & low7) + low7) | commas | low7);
        if ((below_0x21 | quotes) != 0) return false;
        for (; commas != 0; commas &= commas - 1)
            if (!end_plain_cell(start, index + (size_t)__builtin_ctzll(commas) / 8, &begin, &cells, ends, &cell_count))
                return false;
    }
#endif
    for (; index < content; index++) {
        unsigned char kind = plain_line_byte[(unsigned char)start[index]];
        if (kind == PLAIN_TEXT) continue;
        if (kind == PLAIN_NOT || !end_plain_cell(start, index, &begin, &cells, ends, &cell_count)) return false;
    }
    /* libcsv reports an empty line as a record end with no cell. */
    if (content > 0) {
        if (!end_plain_cell(start, content, &begin, &cells, ends, &cell_count)) return false;
        for (int field = 0; field < cell_count; field++) start[ends[field]] = '\0';
    }
    reader->cell_count = cell_count;
    end_record(reader, '\n', &cells);
    return true;
}

/* Feeds the parser up to the next newline (one physical line at most). */
static void feed_line(scenario_reader *reader) {
    char *start = reader->input + reader->input_offset;
    size_t available = reader->input_length - reader->input_offset;
    const char *newline = memchr(start, '\n', available);
    size_t length = newline != NULL ? (size_t)(newline - start) + 1 : available;
    reader->line_bytes += (long)length;
    if (reader->line_bytes > SCENARIO_LINE_MAX + 2) {
        reader_fail(reader, reader->line, "line longer than %d bytes", SCENARIO_LINE_MAX);
        return;
    }
    if (newline != NULL) reader->line_bytes = 0;
    reader->input_offset += length;
    if (newline != NULL && feed_plain_line(reader, start, length)) return;
    if (csv_parse(&reader->parser, start, length, on_field, on_record, reader) != length)
        reader_fail(reader, reader->line, "%s", csv_strerror(csv_error(&reader->parser)));
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

int scenario_next(scenario_reader *reader, scenario_row *row) {
    while (reader->queue_count == 0 && !reader->failed && !reader->end_of_file) {
        if (reader->input_offset == reader->input_length) {
            reader->input_length = fread(reader->input, 1, sizeof reader->input, reader->file);
            reader->input_offset = 0;
            reader->bytes_read += (long)reader->input_length;
            if (reader->input_length == 0) {
                finish(reader);
                break;
            }
        }
        feed_line(reader);
    }
    if (reader->failed) return -1;
    if (reader->queue_count == 0) return 0;
    /* The fixed part and the two texts (most of key and value is unused). */
    const scenario_row *next = &reader->queue[reader->queue_head];
    memcpy(row, next, offsetof(scenario_row, key));
    memcpy(row->key, next->key, strlen(next->key) + 1);
    memcpy(row->value, next->value, strlen(next->value) + 1);
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
