/* scenario.h -- the scenario CSV reader (docs/scenario-format.md).
 *
 * Streams: the file is read in 64 KiB pieces (one read(2) each), one
 * physical line at a time, and rows are handed out one at a time, so memory
 * does not depend on the file's length. A plain line (no quote, space,
 * control byte or DEL) is split at its commas in place, with SSE2 masks;
 * any other goes through libcsv, which makes the same cells and reports the
 * same errors (quoting, CRLF, unterminated quotes). Every row is
 * validated completely here (columns, types, cells a type does not use,
 * timestamps that go back); semantic checks that need run state (expect
 * paths, fault parameters) are the replay's. An error is reported once, as
 * "FILE:LINE: message", and the reader stops. */
#ifndef LEDGERSIM_SIM_SCENARIO_H
#define LEDGERSIM_SIM_SCENARIO_H

#include <csv.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/limits.h"

enum {
    SCENARIO_FIELD_MAX = 255,          /* bytes in one cell */
    SCENARIO_LINE_MAX = 8192,          /* bytes in one physical line */
    SCENARIO_VALUE_CAPACITY = SCENARIO_FIELD_MAX + 1,
    SCENARIO_ERROR_CAPACITY = 4096 + 512,
    SCENARIO_QUEUE_ROWS = 64,          /* rows parsed ahead of the consumer */
    SCENARIO_FEED_BYTES = 65536,       /* read size; a line is kept whole in it */
    SCENARIO_TS_CACHE_BYTES = 40,      /* longest ts text whose value is remembered */
    SCENARIO_INPUT_PADDING = 64        /* readable bytes past the input's last: see split_short_line */
};

typedef enum {
    ROW_CONFIG, ROW_FILL, ROW_FUNDING, ROW_BALANCE, ROW_POSITION, ROW_MARK, ROW_BAR, ROW_ORDER,
    ROW_FUNDING_RATE, ROW_TP_SL, ROW_HOLDING, ROW_FAULT, ROW_EXPECT,
    ROW_TRANSFER, ROW_LEVERAGE,        /* format 1.1 */
    ROW_TYPE_COUNT
} row_type;

typedef enum {
    COLUMN_TS, COLUMN_EVENT_ID, COLUMN_TYPE, COLUMN_SYMBOL, COLUMN_SIDE, COLUMN_QTY, COLUMN_PRICE,
    COLUMN_HIGH, COLUMN_LOW, COLUMN_FEE, COLUMN_REALIZED_PNL, COLUMN_AMOUNT, COLUMN_RATE,
    COLUMN_WALLET_BALANCE, COLUMN_AVAILABLE_MARGIN, COLUMN_USED_MARGIN, COLUMN_MAINT_MARGIN,
    COLUMN_ENTRY_PRICE, COLUMN_MARK_PRICE, COLUMN_UNREALIZED_PNL, COLUMN_LEVERAGE, COLUMN_TP, COLUMN_SL,
    COLUMN_AVG_COST, COLUMN_KEY, COLUMN_VALUE, COLUMN_COUNT
} column_id;

/* One validated row. Numeric cells are in number[], their bits set in
 * given_columns; a numeric cell not given reads 0. */
typedef struct {
    long line;
    row_type type;
    bool has_ts;
    double ts;
    char event_id[EVENT_ID_CAPACITY];  /* "" when not given */
    unsigned char event_id_length;     /* strlen(event_id) */
    char symbol[SYMBOL_CAPACITY];
    int side;                          /* BUY/LONG +1, SELL/SHORT -1, 0 not given */
    unsigned given_columns;            /* the cells given: bit 1u << column (see scenario_given) */
    double number[COLUMN_COUNT];
    char key[SCENARIO_VALUE_CAPACITY];
    char value[SCENARIO_VALUE_CAPACITY];
} scenario_row;

typedef struct {
    char path[4096];
    FILE *file;
    struct csv_parser parser;
    bool parser_ready;
    /* Bytes read, not yet fed; zero bytes past the last so that the line
     * splitter may read whole vectors past a line's end. */
    char input[SCENARIO_FEED_BYTES + SCENARIO_INPUT_PADDING];
    size_t input_length;
    size_t input_offset;
    bool input_exhausted;              /* fread found the end of the file */
    /* Header: column of each field position. */
    int column_of_field[COLUMN_COUNT];
    int field_count;
    int type_field;                    /* the field that holds the type */
    bool has_popcnt;                   /* the CPU has the popcnt instruction (x86-64) */
    bool plain_lines_off;              /* tests: every line through libcsv (set after scenario_open) */
    bool header_done;
    /* The record being assembled by libcsv callbacks. */
    char cells[COLUMN_COUNT][SCENARIO_VALUE_CAPACITY];
    int cell_count;
    bool record_too_wide;
    long line;                         /* physical line of the next record */
    long newlines_in_record;
    bool expect_line_feed;             /* the last record ended in CR: only LF may follow */
    long record_bytes;
    /* Parsed rows waiting for the consumer (a ring). */
    scenario_row queue[SCENARIO_QUEUE_ROWS];
    int queue_head;
    int queue_count;
    bool end_of_file;
    bool failed;
    bool timed_row_seen;
    double last_ts;
    long last_ts_line;
    /* The last ts text parsed and its value: the rows of one event repeat it. */
    char ts_text[SCENARIO_TS_CACHE_BYTES];
    size_t ts_text_length;             /* 0: nothing remembered */
    double ts_value;
    long rows_read;
    long bytes_read;
    char error[SCENARIO_ERROR_CAPACITY];
} scenario_reader;

/* Whether row gave a cell in column. */
static inline bool scenario_given(const scenario_row *row, column_id column) {
    return (row->given_columns >> column) & 1u;
}

/* Opens path. Returns 0, or -1 with reader->error set ("FILE: message").
 * The reader is large: allocate it. */
int scenario_open(scenario_reader *reader, const char *path) WARN_UNUSED_RESULT;

/* The next row: 1 and *row pointing at it, 0 at the end of the file, -1 on
 * error (reader->error holds "FILE:LINE: message"). The row belongs to the
 * reader and stays valid until the next call (it is a slot of the queue:
 * handing it out saves a copy per row). */
int scenario_next(scenario_reader *reader, const scenario_row **row) WARN_UNUSED_RESULT;

/* Closes the file and frees the parser. */
void scenario_close(scenario_reader *reader);

const char *row_type_name(row_type type);
const char *column_name(column_id column);

/* True for fill, funding, balance, position, mark, transfer and leverage rows. */
bool row_is_exchange_fact(row_type type);

#endif
