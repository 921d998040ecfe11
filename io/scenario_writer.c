/* scenario_writer.c -- see scenario_writer.h. */
#include "io/scenario_writer.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/number.h"
#include "io/atomic_file.h"

/* Column order of every row; the header names them. */
enum {
    COLUMN_TS, COLUMN_EVENT_ID, COLUMN_TYPE, COLUMN_SYMBOL, COLUMN_SIDE, COLUMN_QTY, COLUMN_PRICE,
    COLUMN_FEE, COLUMN_REALIZED_PNL, COLUMN_AMOUNT, COLUMN_WALLET_BALANCE, COLUMN_AVAILABLE_MARGIN,
    COLUMN_USED_MARGIN, COLUMN_MAINT_MARGIN, COLUMN_ENTRY_PRICE, COLUMN_MARK_PRICE,
    COLUMN_UNREALIZED_PNL, COLUMN_LEVERAGE, COLUMN_KEY, COLUMN_VALUE, COLUMN_COUNT
};

static const char header_text[] =
    "ts,event_id,type,symbol,side,qty,price,fee,realized_pnl,amount,wallet_balance,available_margin,"
    "used_margin,maint_margin,entry_price,mark_price,unrealized_pnl,leverage,key,value";

const char *scenario_writer_header(void) { return header_text; }

/* One row's cells before escaping; NULL is an empty cell. */
typedef struct {
    const char *cells[COLUMN_COUNT];
    char numbers[COLUMN_COUNT][NUMBER_TEXT_CAPACITY];
} row;

/* Empties every cell of target (caller-owned). */
static void row_clear(row *target) {
    for (int index = 0; index < COLUMN_COUNT; index++) target->cells[index] = NULL;
}

/* Sets a numeric cell from a finite value (asserted: facts are finite). */
static void row_number(row *target, int column, double value) {
    assert(isfinite(value));
    number_format(value, target->numbers[column]);
    target->cells[column] = target->numbers[column];
}

/* Appends one cell, quoted when it holds a comma, quote, CR or LF. */
static void append_cell(buffer *out, const char *text) {
    if (text == NULL) return;
    if (strpbrk(text, ",\"\r\n") == NULL) {
        buffer_append_text(out, text);
        return;
    }
    buffer_append(out, "\"", 1);
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        if (*cursor == '"') buffer_append(out, "\"", 1);
        buffer_append(out, cursor, 1);
    }
    buffer_append(out, "\"", 1);
}

/* Appends source as one CSV line to the writer's pending buffer. */
static void append_row(scenario_writer *writer, const row *source) {
    for (int index = 0; index < COLUMN_COUNT; index++) {
        if (index > 0) buffer_append(&writer->pending, ",", 1);
        append_cell(&writer->pending, source->cells[index]);
    }
    buffer_append(&writer->pending, "\n", 1);
    writer->rows_written++;
}

/* Starts a writer on descriptor and writes the header. */
static int start(scenario_writer *writer, int descriptor, bool owns) {
    writer->descriptor = descriptor;
    writer->owns_descriptor = owns;
    writer->timed_row_written = false;
    buffer_init(&writer->pending, SCENARIO_WRITER_LINE_LIMIT);
    writer->last_event_id[0] = '\0';
    writer->last_ts = 0;
    writer->events_written = 0;
    writer->rows_written = 0;
    writer->error[0] = '\0';
    buffer_append_text(&writer->pending, header_text);
    buffer_append(&writer->pending, "\n", 1);
    return scenario_writer_flush(writer);
}

int scenario_writer_open(scenario_writer *writer, const char *path) {
    writer->descriptor = -1;
    writer->error[0] = '\0';
    int descriptor = io_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (descriptor < 0) {
        snprintf(writer->error, sizeof writer->error, "%s: %s%s", path, strerror(errno),
                 errno == EEXIST ? " (a recording is never overwritten: choose a new file)" : "");
        buffer_init(&writer->pending, SCENARIO_WRITER_LINE_LIMIT);
        return -1;
    }
    return start(writer, descriptor, true);
}

int scenario_writer_open_descriptor(scenario_writer *writer, int descriptor) {
    assert(descriptor >= 0);
    return start(writer, descriptor, false);
}

int scenario_writer_config(scenario_writer *writer, const char *key, const char *value) {
    assert(writer->descriptor >= 0);
    if (writer->timed_row_written) {
        snprintf(writer->error, sizeof writer->error, "config row after a timed row");
        return -1;
    }
    row line;
    row_clear(&line);
    line.cells[COLUMN_TYPE] = "config";
    line.cells[COLUMN_KEY] = key;
    line.cells[COLUMN_VALUE] = value;
    append_row(writer, &line);
    return scenario_writer_flush(writer);
}

/* Checks and records a timed row's ts. */
static int admit_ts(scenario_writer *writer, double ts) {
    if (!isfinite(ts) || ts < 0 || (writer->timed_row_written && ts < writer->last_ts)) {
        snprintf(writer->error, sizeof writer->error, "timestamp decreases or is invalid");
        return -1;
    }
    writer->timed_row_written = true;
    writer->last_ts = ts;
    return 0;
}

/* Fills the cells of one fact. */
static void fact_cells(const exchange_fact *fact, row *line) {
    switch (fact->type) {
    case FACT_FILL:
        line->cells[COLUMN_TYPE] = "fill";
        line->cells[COLUMN_SYMBOL] = fact->symbol;
        line->cells[COLUMN_SIDE] = fact->side > 0 ? "BUY" : "SELL";
        row_number(line, COLUMN_QTY, fact->qty);
        row_number(line, COLUMN_PRICE, fact->price);
        row_number(line, COLUMN_FEE, fact->fee);
        row_number(line, COLUMN_REALIZED_PNL, fact->realized_pnl);
        if (fact->has_leverage) row_number(line, COLUMN_LEVERAGE, fact->leverage);
        break;
    case FACT_FUNDING:
        line->cells[COLUMN_TYPE] = "funding";
        row_number(line, COLUMN_AMOUNT, fact->amount);
        break;
    case FACT_BALANCE:
        line->cells[COLUMN_TYPE] = "balance";
        row_number(line, COLUMN_WALLET_BALANCE, fact->wallet_balance);
        row_number(line, COLUMN_AVAILABLE_MARGIN, fact->available_margin);
        row_number(line, COLUMN_USED_MARGIN, fact->used_margin);
        row_number(line, COLUMN_MAINT_MARGIN, fact->maint_margin);
        break;
    case FACT_POSITION:
        line->cells[COLUMN_TYPE] = "position";
        line->cells[COLUMN_SYMBOL] = fact->symbol;
        row_number(line, COLUMN_QTY, fact->qty);
        row_number(line, COLUMN_ENTRY_PRICE, fact->entry_price);
        row_number(line, COLUMN_MARK_PRICE, fact->mark_price);
        row_number(line, COLUMN_UNREALIZED_PNL, fact->unrealized_pnl);
        if (fact->has_leverage) row_number(line, COLUMN_LEVERAGE, fact->leverage);
        break;
    case FACT_MARK:
        line->cells[COLUMN_TYPE] = "mark";
        line->cells[COLUMN_SYMBOL] = fact->symbol;
        row_number(line, COLUMN_PRICE, fact->price);
        break;
    case FACT_TRANSFER:
        line->cells[COLUMN_TYPE] = "transfer";
        row_number(line, COLUMN_AMOUNT, fact->amount);
        break;
    case FACT_LEVERAGE:
        line->cells[COLUMN_TYPE] = "leverage";
        line->cells[COLUMN_SYMBOL] = fact->symbol;
        row_number(line, COLUMN_LEVERAGE, fact->leverage);
        break;
    }
}

int scenario_writer_event(scenario_writer *writer, const char *event_id, double ts, const exchange_fact *facts,
                          size_t count) {
    assert(writer->descriptor >= 0);
    assert(event_id != NULL && event_id[0] != '\0' && strlen(event_id) < EVENT_ID_CAPACITY);
    assert(count > 0 && count <= EVENT_ROWS_MAX);
    if (admit_ts(writer, ts) != 0) return -1;
    char ts_text[NUMBER_TEXT_CAPACITY];
    number_format(ts, ts_text);
    for (size_t index = 0; index < count; index++) {
        row line;
        row_clear(&line);
        line.cells[COLUMN_TS] = ts_text;
        line.cells[COLUMN_EVENT_ID] = event_id;
        fact_cells(&facts[index], &line);
        append_row(writer, &line);
    }
    snprintf(writer->last_event_id, sizeof writer->last_event_id, "%s", event_id);
    writer->events_written++;
    if (buffer_failed(&writer->pending)) {
        snprintf(writer->error, sizeof writer->error, "event too large for the record buffer");
        return -1;
    }
    if (writer->pending.length == 0) return 0;
    ssize_t written = io_write_all(writer->descriptor, writer->pending.data, writer->pending.length);
    buffer_reset(&writer->pending);
    if (written < 0) {
        snprintf(writer->error, sizeof writer->error, "write: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int scenario_writer_expect(scenario_writer *writer, double ts, const char *key, const char *value) {
    assert(writer->descriptor >= 0);
    if (admit_ts(writer, ts) != 0) return -1;
    char ts_text[NUMBER_TEXT_CAPACITY];
    number_format(ts, ts_text);
    row line;
    row_clear(&line);
    line.cells[COLUMN_TS] = ts_text;
    line.cells[COLUMN_TYPE] = "expect";
    line.cells[COLUMN_KEY] = key;
    line.cells[COLUMN_VALUE] = value;
    append_row(writer, &line);
    writer->last_event_id[0] = '\0';
    return 0;
}

int scenario_writer_flush(scenario_writer *writer) {
    if (writer->descriptor < 0) return -1;
    if (buffer_failed(&writer->pending)) {
        snprintf(writer->error, sizeof writer->error, "record buffer overflow");
        return -1;
    }
    if (writer->pending.length > 0) {
        ssize_t written = io_write_all(writer->descriptor, writer->pending.data, writer->pending.length);
        buffer_reset(&writer->pending);
        if (written < 0) {
            snprintf(writer->error, sizeof writer->error, "write: %s", strerror(errno));
            return -1;
        }
    }
    if (io_fsync(writer->descriptor) != 0 && errno != EINVAL && errno != EROFS) {
        snprintf(writer->error, sizeof writer->error, "fsync: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int scenario_writer_close(scenario_writer *writer) {
    if (writer->descriptor < 0) {
        buffer_free(&writer->pending);
        return 0;
    }
    int result = scenario_writer_flush(writer);
    if (writer->owns_descriptor && close(writer->descriptor) != 0 && result == 0) {
        snprintf(writer->error, sizeof writer->error, "close: %s", strerror(errno));
        result = -1;
    }
    writer->descriptor = -1;
    buffer_free(&writer->pending);
    return result;
}
