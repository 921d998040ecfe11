/* fuzz_json_loaders.c -- fuzz target: every JSON file ledgersim reads.
 *
 * The input is one JSON document, given to each loader in turn:
 *   positions state   state_json_parse_positions (logs/state/positions_state.json)
 *   TP/SL registry    state_json_parse_registry (logs/state/position_tp_sl.json),
 *                     then written back and read again: the same entries
 *   holdings          holdings_file_load (config/offexchange_holdings.json)
 *   config file       config_file_apply (--config FILE.json)
 * Checked: no crash or sanitizer finding, what each loader promises about
 * what it accepts (counts within the limits, finite numbers), and errors
 * that start with the file's name. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/ledger.h"
#include "core/nav.h"
#include "io/buffer.h"
#include "io/config_file.h"
#include "io/holdings_file.h"
#include "io/json_writer.h"
#include "io/state_json.h"
#include "tests/fuzz/harness.h"

static const char input_name[] = "input.json";

/* True when error starts with "NAME:". */
static bool names_file(const char *error, const char *name) {
    size_t length = strlen(name);
    return strncmp(error, name, length) == 0 && error[length] == ':';
}

/* Two doubles that are the same value, NaN (an absent timestamp) included. */
static bool same_number(double left, double right) {
    return (isnan(left) && isnan(right)) || left == right;
}

static void fuzz_positions(const uint8_t *data, size_t size) {
    static position_view positions[SYMBOLS_MAX];
    size_t count = 0;
    char error[STATE_JSON_ERROR_CAPACITY] = "";
    if (!state_json_parse_positions(input_name, (const char *)data, size, positions, &count, error, sizeof error)) {
        FUZZ_CHECK(names_file(error, input_name));
        return;
    }
    FUZZ_CHECK(count <= SYMBOLS_MAX);
    for (size_t index = 0; index < count; index++) {
        const position_view *view = &positions[index];
        FUZZ_CHECK(view->symbol[0] != '\0' && strlen(view->symbol) < SYMBOL_CAPACITY);
        FUZZ_CHECK(view->side == SIDE_LONG || view->side == SIDE_SHORT);
        FUZZ_CHECK(isfinite(view->qty) && view->qty > 0 && isfinite(view->entry_price));
        for (size_t earlier = 0; earlier < index; earlier++)
            FUZZ_CHECK(strcmp(positions[earlier].symbol, view->symbol) != 0);
    }
}

static void fuzz_registry(const uint8_t *data, size_t size) {
    static tp_sl_registry registry, again;
    char error[STATE_JSON_ERROR_CAPACITY] = "";
    if (!state_json_parse_registry(input_name, (const char *)data, size, &registry, error, sizeof error)) {
        FUZZ_CHECK(names_file(error, input_name));
        return;
    }
    FUZZ_CHECK(registry.count <= SYMBOLS_MAX);
    for (size_t index = 1; index < registry.count; index++)
        FUZZ_CHECK(strcmp(registry.entries[index - 1].symbol, registry.entries[index].symbol) < 0);
    /* What was read is written the same way the executor would, and reads back the same. */
    buffer text;
    buffer_init(&text, STATE_FILE_BYTES_MAX);
    json_writer writer;
    json_writer_init(&writer, &text, true);
    state_json_render_registry(&writer, &registry);
    FUZZ_CHECK(!buffer_failed(&text));
    bool read_back = state_json_parse_registry("rendered.json", text.data, text.length, &again, error, sizeof error);
    if (!read_back) fprintf(stderr, "fuzz: the rendered registry does not read back: %s\n%s\n", error, text.data);
    FUZZ_CHECK(read_back);
    buffer_free(&text);
    FUZZ_CHECK(again.count == registry.count);
    for (size_t index = 0; index < registry.count; index++) {
        const registry_entry *first = &registry.entries[index], *second = &again.entries[index];
        FUZZ_CHECK(strcmp(first->symbol, second->symbol) == 0 && first->side == second->side);
        FUZZ_CHECK(first->entry_price == second->entry_price);
        FUZZ_CHECK(first->has_tp == second->has_tp && (!first->has_tp || first->tp == second->tp));
        FUZZ_CHECK(first->has_sl == second->has_sl && (!first->has_sl || first->sl == second->sl));
        FUZZ_CHECK(same_number(first->created_ts, second->created_ts));
        FUZZ_CHECK(same_number(first->updated_ts, second->updated_ts));
    }
}

static void fuzz_holdings(const char *path) {
    static holdings_book holdings;
    holdings_init(&holdings);
    char error[4096 + 256] = "";
    if (!holdings_file_load(path, &holdings, error, sizeof error)) {
        FUZZ_CHECK(names_file(error, path));
        return;
    }
    FUZZ_CHECK(holdings.count <= HOLDINGS_MAX);
    for (size_t index = 0; index < holdings.count; index++) {
        const holding *item = &holdings.items[index];
        FUZZ_CHECK(item->asset[0] != '\0' && isfinite(item->qty) && item->qty >= 0);
        FUZZ_CHECK(!item->has_avg_cost || isfinite(item->avg_cost));
    }
}

static void fuzz_config(const char *path) {
    kernel_config config;
    config_defaults(&config);
    char error[4096 + 256] = "";
    if (!config_file_apply(path, &config, error, sizeof error)) {
        FUZZ_CHECK(names_file(error, path));
        return;
    }
    FUZZ_CHECK(isfinite(config.seed_capital) && config.atr_period >= 1 && config.atr_period <= ATR_PERIOD_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_INPUT_MAX) return 0;
    fuzz_positions(data, size);
    fuzz_registry(data, size);
    const char *path = fuzz_file_with(data, size);
    fuzz_holdings(path);
    fuzz_config(path);
    return 0;
}
