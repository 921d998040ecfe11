/* fuzz_scenario.c -- fuzz target: the scenario CSV (sim/scenario, sim/replay).
 *
 * The input is one scenario file. It is read twice: row by row with the
 * reader, checking what the reader promises (rows come out validated, in
 * time order, errors name the file and a line); then whole through
 * replay_file in check mode, with expectations, into a scratch folder,
 * checking the output contract: bad input writes nothing, a good run writes
 * every state file as valid JSON and every log line as valid JSON. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "sim/replay.h"
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

/* Parses path as one JSON document, or each line as one when lines is set. */
static void check_json_file(const char *path, bool lines) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        FUZZ_CHECK(lines); /* a log may be absent; a state file may not */
        return;
    }
    char *text = NULL;
    size_t capacity = 0;
    ssize_t length;
    /* A whole file is read up to a NUL byte, which JSON text never holds. */
    while ((length = getdelim(&text, &capacity, lines ? '\n' : '\0', file)) > 0) {
        if (text[length - 1] == '\n') text[length - 1] = '\0';
        cJSON *root = cJSON_Parse(text);
        if (root == NULL) fprintf(stderr, "fuzz: %s: invalid JSON: %.200s\n", path, text);
        FUZZ_CHECK(root != NULL);
        cJSON_Delete(root);
    }
    FUZZ_CHECK(!ferror(file));
    free(text);
    fclose(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_SCENARIO_BYTES_MAX) return 0;
    const char *path = fuzz_file_with(data, size);
    bool valid = read_rows(path);

    char directory[4096 + 16];
    snprintf(directory, sizeof directory, "%s/run", fuzz_scratch_directory());
    kernel_config overrides;
    config_defaults(&overrides);
    buffer failures;
    buffer_init(&failures, 1 << 20);
    replay_options options = {.output_directory = directory, .overrides = overrides, .holdings = NULL,
                              .trace = TRACE_FULL, .evaluate_expectations = true, .failures = &failures};
    static replay_result result;
    replay_status status = replay_file(path, &options, &result);
    buffer_free(&failures);
    FUZZ_CHECK(status == REPLAY_OK || status == REPLAY_BAD_INPUT || status == REPLAY_OUTPUT_ERROR);
    /* What the reader refuses, the replay refuses too. */
    if (!valid) FUZZ_CHECK(status == REPLAY_BAD_INPUT);
    struct stat info;
    if (status == REPLAY_BAD_INPUT) {
        FUZZ_CHECK(result.error[0] != '\0');
        FUZZ_CHECK(stat(directory, &info) != 0); /* nothing written */
        return 0;
    }
    if (status != REPLAY_OK) return 0;
    static const char *const state_files[] = {"account.json", "nav.json", "kpis_v7.json",
                                              "positions_state.json", "position_tp_sl.json", "state.json"};
    static const char *const logs[] = {"reconcile.jsonl", "exits.jsonl", "faults.jsonl", "orders.jsonl"};
    char file[sizeof directory + 64];
    for (size_t index = 0; index < sizeof state_files / sizeof state_files[0]; index++) {
        snprintf(file, sizeof file, "%s/logs/state/%s", directory, state_files[index]);
        check_json_file(file, false);
    }
    for (size_t index = 0; index < sizeof logs / sizeof logs[0]; index++) {
        snprintf(file, sizeof file, "%s/logs/%s", directory, logs[index]);
        check_json_file(file, true);
    }
    return 0;
}
