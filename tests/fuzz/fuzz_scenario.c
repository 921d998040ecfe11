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
    bool valid = fuzz_read_scenario_rows(path);

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
