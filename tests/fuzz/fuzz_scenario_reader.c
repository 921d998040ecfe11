/* fuzz_scenario_reader.c -- fuzz target: the scenario CSV reader alone
 * (sim/scenario), beside fuzz_scenario.c's full replay.
 *
 * The full replay sets up a whole run per input (an 8 MiB kernel zeroed,
 * fourteen output files), so it explores a few hundred inputs a second; the
 * reader, where every byte of an input is parsed, gets its own target that
 * costs only what the input touches (issue 15: at least 2,000 executions a
 * second). It checks what the reader promises: rows come out validated, in
 * time order, and errors name the file and a line. Its corpus is
 * fixtures/fuzz/scenario_reader/ (the scenario corpus' small inputs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "tests/fuzz/harness.h"

enum { FUZZ_SCENARIO_BYTES_MAX = 64 << 10 /* bytes: longer inputs only slow the search */ };

/* Checks one row against the reader's validation rules. */
static void check_row(const scenario_row *row, long previous_line) {
    FUZZ_CHECK(row->line >= 2 && row->line > previous_line);
    FUZZ_CHECK(row->type >= 0 && row->type < ROW_TYPE_COUNT);
    FUZZ_CHECK(strlen(row->symbol) < SYMBOL_CAPACITY && strlen(row->event_id) < EVENT_ID_CAPACITY);
    FUZZ_CHECK(strlen(row->key) <= SCENARIO_FIELD_MAX && strlen(row->value) <= SCENARIO_FIELD_MAX);
    /* A numeric cell given is finite; one not given reads 0 (the format's
     * default, which the replay relies on); text columns keep 0 too. */
    for (int column = 0; column < COLUMN_COUNT; column++)
        FUZZ_CHECK(scenario_given(row, column) ? isfinite(row->number[column]) : row->number[column] == 0);
    if (row->type != ROW_CONFIG && row->type != ROW_EXPECT) FUZZ_CHECK(row->has_ts && isfinite(row->ts));
    if (row->type == ROW_FILL)
        FUZZ_CHECK(row->side != 0 && row->number[COLUMN_QTY] > 0 && row->number[COLUMN_PRICE] > 0 &&
                   row->symbol[0] != '\0');
    if (row->type == ROW_MARK) FUZZ_CHECK(row->number[COLUMN_PRICE] > 0 && row->symbol[0] != '\0');
}

/* Reads every row; returns true when the file is valid to the reader. */
static bool read_rows(const char *path) {
    static scenario_reader reader; /* large: not on the stack */
    if (scenario_open(&reader, path) < 0) {
        fprintf(stderr, "fuzz: cannot open %s: %s\n", path, reader.error);
        abort();
    }
    const scenario_row *row = NULL;
    long previous_line = 0;
    bool timed = false;
    double last_ts = 0;
    int next;
    while ((next = scenario_next(&reader, &row)) > 0) {
        check_row(row, previous_line);
        previous_line = row->line;
        if (row->type == ROW_CONFIG) FUZZ_CHECK(!timed);
        if (row->has_ts) {
            FUZZ_CHECK(!timed || row->ts >= last_ts);
            timed = true;
            last_ts = row->ts;
        }
    }
    /* Every error is "FILE:LINE: message". */
    if (next < 0) {
        size_t length = strlen(path);
        FUZZ_CHECK(strncmp(reader.error, path, length) == 0 && reader.error[length] == ':');
    }
    scenario_close(&reader);
    return next == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_SCENARIO_BYTES_MAX) return 0;
    (void)read_rows(fuzz_file_with(data, size));
    return 0;
}
