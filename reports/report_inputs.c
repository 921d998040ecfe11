/* report_inputs.c -- reads what a run wrote (state files and logs) into the
 * report context, streaming every log once with fixed memory.
 *
 * Order: state files; reconcile.jsonl with exits.jsonl merged in by
 * event_seq (so an exit knows when its position opened); orders.jsonl;
 * marks.csv; nav.csv (which gives each exit its NAV); faults.jsonl. A
 * missing log is an empty one. An unreadable line (bad JSON, too long) is
 * skipped and counted; a state file that does not parse is ignored with a
 * note in index.html. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/number.h"
#include "io/json_writer.h"
#include "io/progress.h"
#include "reports/report_internal.h"

/* 0 OK, 1 WARN, 2 ERROR; -1 for anything else. */
static int status_code(const char *status) {
    if (status == NULL) return -1;
    if (strcmp(status, "OK") == 0) return 0;
    if (strcmp(status, "WARN") == 0) return 1;
    if (strcmp(status, "ERROR") == 0) return 2;
    return -1;
}

/* Reads logs/state/NAME as JSON; absent: *out NULL and 0. A file that cannot
 * be read or parsed is noted and treated as absent. */
static void load_state_file(report_context *context, const char *name, cJSON **out) {
    *out = NULL;
    char path[REPORT_PATH_CAPACITY];
    if (!report_join(context, path, context->state_directory, name)) return;
    buffer text;
    buffer_init(&text, REPORT_STATE_FILE_BYTES_MAX);
    if (report_read_file(path, REPORT_STATE_FILE_BYTES_MAX, &text) != 0) {
        if (errno != ENOENT) report_note(context, "logs/state/%s: cannot read it (%s)", name, strerror(errno));
        buffer_free(&text);
        return;
    }
    *out = cJSON_ParseWithLength(text.data, text.length);
    if (*out == NULL) report_note(context, "logs/state/%s: not valid JSON, ignored", name);
    buffer_free(&text);
}

/* Thresholds of the reconcile bands: account.json reconcile_config, each
 * missing member from the scenario format's defaults. */
static void load_thresholds(report_context *context) {
    kernel_config defaults;
    config_defaults(&defaults);
    context->thresholds = defaults.reconcile;
    const cJSON *settings = cJSON_GetObjectItemCaseSensitive(context->account, "reconcile_config");
    if (!cJSON_IsObject(settings)) return;
    context->thresholds_from_account = true;
    struct {
        const char *name;
        double *field;
    } members[] = {
        {"capital_epsilon", &context->thresholds.capital_epsilon},
        {"pending_fee_bound", &context->thresholds.pending_fee_bound},
        {"realized_rounding", &context->thresholds.realized_rounding},
        {"lot_step", &context->thresholds.lot_step},
        {"mark_staleness_factor", &context->thresholds.mark_staleness_factor},
        {"leverage_rounding_band", &context->thresholds.leverage_rounding_band},
    };
    for (size_t index = 0; index < sizeof members / sizeof members[0]; index++) {
        double value = report_json_number(settings, members[index].name);
        if (isfinite(value)) *members[index].field = value;
    }
}

/* ---- symbol tracks ---------------------------------------------------------- */

/* The chart file stem of symbol: "symbol_" + letters and digits (others as
 * '_'), with "_2", "_3", ... appended if an earlier track has that stem. */
static void make_stem(report_context *context, symbol_track *track) {
    char base[REPORT_STEM_CAPACITY];
    size_t length = (size_t)snprintf(base, sizeof base, "symbol_");
    for (const char *cursor = track->symbol; *cursor != '\0' && length + 1 < sizeof base - 8; cursor++) {
        char character = *cursor;
        bool plain = (character >= 'A' && character <= 'Z') || (character >= 'a' && character <= 'z') ||
                     (character >= '0' && character <= '9');
        base[length++] = plain ? character : '_';
    }
    base[length] = '\0';
    snprintf(track->stem, sizeof track->stem, "%s", base);
    for (int suffix = 2;; suffix++) {
        bool taken = false;
        for (size_t index = 0; index < context->track_count && !taken; index++)
            taken = context->tracks[index] != track && strcmp(context->tracks[index]->stem, track->stem) == 0;
        if (!taken) return;
        snprintf(track->stem, sizeof track->stem, "%s_%d", base, suffix);
    }
}

/* The track of symbol, created (in order of first appearance) while fewer
 * than REPORT_SYMBOL_CHARTS_MAX exist; later symbols are only listed and
 * get NULL. A symbol that does not fit SYMBOL_CAPACITY gets NULL. */
static symbol_track *find_track(report_context *context, const char *symbol) {
    if (symbol == NULL || symbol[0] == '\0' || strlen(symbol) >= SYMBOL_CAPACITY) return NULL;
    for (size_t index = 0; index < context->track_count; index++)
        if (strcmp(context->tracks[index]->symbol, symbol) == 0) return context->tracks[index];
    if (context->track_count == REPORT_SYMBOL_CHARTS_MAX) {
        for (size_t index = 0; index < context->other_symbol_count; index++)
            if (strcmp(context->other_symbols[index], symbol) == 0) return NULL;
        if (context->other_symbol_count < SYMBOLS_MAX)
            snprintf(context->other_symbols[context->other_symbol_count++], SYMBOL_CAPACITY, "%s", symbol);
        return NULL;
    }
    symbol_track *track = calloc(1, sizeof *track);
    marker_sample *events = calloc(1, sizeof *events);
    if (track == NULL || events == NULL) {
        free(track);
        free(events);
        return NULL;
    }
    snprintf(track->symbol, sizeof track->symbol, "%s", symbol);
    series_init(&track->marks, 3, 3);
    series_init(&track->entry_line, 1, 1);
    track->events = events;
    markers_init(track->events);
    track->open_ts = NAN;
    track->ledger_tp = track->ledger_sl = track->ledger_entry = track->ledger_from = NAN;
    track->seen_row = -1;
    context->tracks[context->track_count++] = track;
    make_stem(context, track);
    return track;
}

/* ---- streaming lines --------------------------------------------------------- */

/* Reads one line of stream into line (emptied first; newline and a
 * carriage return before it removed) in 64 KiB pieces, adding the bytes
 * read to *consumed. A line longer than REPORT_LINE_BYTES_MAX is read to
 * its end but not kept: *too_long. Returns 1 for a line, 0 at the end, -1
 * on a read error. */
static int read_line(FILE *stream, buffer *line, long *consumed, bool *too_long) {
    char chunk[65536];
    bool any = false;
    buffer_reset(line);
    *too_long = false;
    while (fgets(chunk, sizeof chunk, stream) != NULL) {
        any = true;
        size_t length = strlen(chunk);
        *consumed += (long)length;
        bool ends = length > 0 && chunk[length - 1] == '\n';
        if (!*too_long) {
            if (line->length + length > REPORT_LINE_BYTES_MAX + 2) *too_long = true;
            else if (!buffer_append(line, chunk, length)) *too_long = true;
        }
        if (ends) break;
    }
    if (!any) return ferror(stream) ? -1 : 0;
    if (!*too_long && line->data != NULL) {
        while (line->length > 0 && (line->data[line->length - 1] == '\n' || line->data[line->length - 1] == '\r'))
            line->data[--line->length] = '\0';
        if (line->length > REPORT_LINE_BYTES_MAX) *too_long = true;
    }
    return 1;
}

typedef int (*line_handler)(report_context *context, char *line, size_t length, void *state);

/* Calls handler for each line of logs/NAME (newline stripped; empty lines
 * skipped). Lines longer than REPORT_LINE_BYTES_MAX are skipped and
 * counted. A missing file has no lines. Returns 0, or -1 on a read error or
 * when the handler fails. */
static int stream_lines(report_context *context, const char *name, line_handler handler, void *state) {
    char path[REPORT_PATH_CAPACITY];
    if (!report_join(context, path, context->logs_directory, name)) return -1;
    FILE *stream = fopen(path, "re");
    if (stream == NULL) {
        if (errno == ENOENT) return 0;
        return report_fail(context, "%s: %s", path, strerror(errno));
    }
    struct stat status;
    long total = fstat(fileno(stream), &status) == 0 ? (long)status.st_size : 0;
    char label[PROGRESS_LABEL_CAPACITY];
    snprintf(label, sizeof label, "report: reading %s", name);
    progress reporter;
    progress_init_bytes(&reporter, label, total);
    buffer line;
    buffer_init(&line, REPORT_LINE_BYTES_MAX + 2);
    long consumed = 0;
    int result = 0;
    for (;;) {
        bool too_long = false;
        int got = read_line(stream, &line, &consumed, &too_long);
        if (got < 0) result = report_fail(context, "%s: read error", path);
        if (got <= 0) break;
        progress_update(&reporter, consumed);
        if (too_long) {
            context->skipped_lines++;
            continue;
        }
        if (line.length == 0) continue;
        if (handler(context, line.data, line.length, state) != 0) {
            result = -1;
            break;
        }
    }
    progress_finish(&reporter);
    buffer_free(&line);
    fclose(stream);
    return result;
}

/* ---- exits.jsonl (merged into the reconcile stream) -------------------------- */

typedef struct {
    double ts, sequence, mark, tp, sl;
    char symbol[SYMBOL_CAPACITY];
    int kind; /* MARKER_EXIT_TP / MARKER_EXIT_SL, 0 for another reason */
} exit_record;

typedef struct {
    FILE *stream;
    buffer line;                         /* REPORT_LINE_BYTES_MAX + 2 */
    bool has_pending;
    exit_record pending;
    char path[REPORT_PATH_CAPACITY];
} exit_reader;

/* Reads the next readable exit into reader->pending (has_pending false at
 * the end). Unreadable lines are skipped and counted. */
static void exit_reader_next(report_context *context, exit_reader *reader) {
    reader->has_pending = false;
    if (reader->stream == NULL) return;
    for (;;) {
        long consumed = 0;
        bool too_long = false;
        if (read_line(reader->stream, &reader->line, &consumed, &too_long) <= 0) return;
        if (!too_long && reader->line.length == 0) continue;
        cJSON *root = too_long ? NULL : cJSON_ParseWithLength(reader->line.data, reader->line.length);
        if (!cJSON_IsObject(root)) {
            cJSON_Delete(root);
            context->skipped_lines++;
            continue;
        }
        exit_record *record = &reader->pending;
        memset(record, 0, sizeof *record);
        record->ts = report_json_number(root, "ts");
        record->sequence = report_json_number(root, "event_seq");
        record->mark = report_json_number(root, "mark");
        record->tp = report_json_number(root, "tp");
        record->sl = report_json_number(root, "sl");
        const char *symbol = report_json_string(root, "symbol");
        if (symbol != NULL && strlen(symbol) < SYMBOL_CAPACITY) snprintf(record->symbol, sizeof record->symbol, "%s", symbol);
        const char *reason = report_json_string(root, "reason");
        record->kind = reason == NULL ? 0
                       : strcmp(reason, "TP") == 0 ? MARKER_EXIT_TP
                       : strcmp(reason, "SL") == 0 ? MARKER_EXIT_SL
                                                    : 0;
        cJSON_Delete(root);
        reader->has_pending = true;
        return;
    }
}

/* Applies one exit: counts, the NAV chart marker, the symbol's marker with
 * its TP/SL levels from the position's opening to the exit. */
static void apply_exit(report_context *context, const exit_record *record) {
    context->exit_rows++;
    if (record->kind == MARKER_EXIT_TP) context->exits_tp++;
    if (record->kind == MARKER_EXIT_SL) context->exits_sl++;
    report_see_x(context, record->ts);
    report_marker marker = {.x = record->ts, .y = NAN, .x_from = NAN, .tp = record->tp, .sl = record->sl,
                            .sequence = record->sequence, .kind = record->kind != 0 ? record->kind : MARKER_EXIT_TP};
    markers_offer(context->nav_exits, &marker);
    symbol_track *track = find_track(context, record->symbol);
    if (track == NULL) return;
    if (record->kind == MARKER_EXIT_SL) track->exits_sl++;
    else track->exits_tp++;
    marker.y = record->mark;
    /* The position that fired opened at open_ts (it may already be closed
     * in the snapshot before the exit line, when the venue acted first). */
    marker.x_from = isfinite(track->open_ts) && track->open_ts <= record->ts ? track->open_ts : record->ts;
    markers_offer(track->events, &marker);
}

/* Applies every pending exit at or before the snapshot (sequence, ts);
 * with everything true, all that remain. */
static void consume_exits(report_context *context, exit_reader *reader, double sequence, double ts,
                          bool everything) {
    while (reader->has_pending) {
        const exit_record *record = &reader->pending;
        if (!everything) {
            bool by_sequence = isfinite(record->sequence) && isfinite(sequence);
            if (by_sequence ? record->sequence > sequence : !(record->ts <= ts)) return;
        }
        apply_exit(context, record);
        exit_reader_next(context, reader);
    }
}

/* ---- reconcile.jsonl ---------------------------------------------------------- */

typedef struct {
    exit_reader *exits;
} reconcile_state;

/* The WARN band of rule index for a snapshot whose K open notional is given. */
static double rule_band(const report_context *context, size_t rule, double open_notional) {
    const reconcile_config *thresholds = &context->thresholds;
    switch (rule) {
    case RULE_CAPITAL_VS_WALLET: return thresholds->pending_fee_bound;
    case RULE_REALIZED_PNL: return thresholds->realized_rounding;
    case RULE_OPEN_POSITIONS: return 0.0;
    case RULE_OPEN_NOTIONAL: return isfinite(open_notional) ? fabs(open_notional) * thresholds->mark_staleness_factor : NAN;
    default: return thresholds->leverage_rounding_band;
    }
}

/* Records that track holds signed_qty at entry_price at ts: the entry
 * line, and an entry marker when the position opened, flipped or grew (at
 * fill_price when known, else the entry price). */
static void track_position(symbol_track *track, double ts, double signed_qty, double entry_price, double fill_price) {
    series_add(&track->entry_line, ts, &entry_price, 0);
    bool opened = !track->open || (signed_qty > 0) != (track->open_qty > 0);
    bool grew = !opened && fabs(signed_qty) > fabs(track->open_qty) * (1 + 1e-12);
    if (opened || grew) {
        report_marker marker = {.x = ts, .y = entry_price, .x_from = NAN, .tp = NAN, .sl = NAN, .sequence = NAN,
                                .kind = signed_qty > 0 ? MARKER_ENTRY_LONG : MARKER_ENTRY_SHORT};
        if (grew && isfinite(fill_price) && fill_price > 0) marker.y = fill_price;
        markers_offer(track->events, &marker);
        track->entries++;
        track->has_reconcile_entries = true;
    }
    if (opened) track->open_ts = ts;
    track->open = true;
    track->open_qty = signed_qty;
}

/* Records that track is flat from ts: its lines break there (the mark line
 * too when the marks come from the positions). */
static void track_flat(report_context *context, symbol_track *track, double ts) {
    if (!track->open) return;
    track->open = false;
    track->open_qty = 0;
    double gap = NAN;
    series_add(&track->entry_line, ts, &gap, 0);
    if (!context->use_mark_log) {
        double gaps[3] = {NAN, NAN, NAN};
        series_add(&track->marks, ts, gaps, 0);
    }
}

/* Folds the exchange positions of one snapshot into the symbol tracks:
 * marks (without a mark log) and, unless the mark log carries the kernel's
 * positions, entry lines, entries and closes. */
static void reconcile_positions(report_context *context, const cJSON *e_block, double ts) {
    const cJSON *positions = cJSON_GetObjectItemCaseSensitive(e_block, "positions");
    double last_fill_price = report_json_number(e_block, "last_fill_price");
    long row = context->reconcile_rows;
    const cJSON *position;
    cJSON_ArrayForEach(position, positions) {
        symbol_track *track = find_track(context, report_json_string(position, "symbol"));
        if (track == NULL) continue;
        double qty = report_json_number(position, "qty");
        const char *side = report_json_string(position, "side");
        if (!isfinite(qty) || qty == 0) continue;
        double signed_qty = (qty < 0 || (side != NULL && strcmp(side, "SHORT") == 0)) ? -fabs(qty) : fabs(qty);
        double mark_price = report_json_number(position, "mark_price");
        track->seen_row = row;
        if (!context->use_mark_log && isfinite(mark_price) && mark_price > 0) {
            double values[3] = {mark_price, NAN, NAN};
            series_add(&track->marks, ts, values, 0);
        }
        if (!context->mark_log_has_positions)
            track_position(track, ts, signed_qty, report_json_number(position, "entry_price"), last_fill_price);
    }
    if (context->mark_log_has_positions) return;
    for (size_t index = 0; index < context->track_count; index++) {
        symbol_track *track = context->tracks[index];
        if (track->open && track->seen_row != row) track_flat(context, track, ts);
    }
}

/* One reconcile.jsonl line: status, deltas per rule, positions, then the
 * exits of this snapshot. */
static int reconcile_line(report_context *context, char *line, size_t length, void *opaque) {
    reconcile_state *state = opaque;
    cJSON *root = cJSON_ParseWithLength(line, length);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        context->skipped_lines++;
        return 0;
    }
    double ts = report_json_number(root, "ts");
    double sequence = report_json_number(root, "event_seq");
    const cJSON *reconcile = cJSON_GetObjectItemCaseSensitive(root, "reconcile");
    int status = status_code(report_json_string(reconcile, "status"));
    report_see_x(context, ts);
    if (status >= 0) {
        context->status_counts[status]++;
        if (!series_add(&context->status_series, ts, NULL, status)) {
            cJSON_Delete(root);
            return report_fail(context, "out of memory reading reconcile.jsonl");
        }
    }
    const char *worst = report_json_string(reconcile, "worst_field");
    if (worst != NULL && worst[0] != '\0') {
        size_t rule = 0;
        while (rule < REPORT_RULES && strcmp(reconcile_rule_field((reconcile_rule)rule), worst) != 0) rule++;
        context->worst_field_counts[rule]++;
    }
    const cJSON *k_block = cJSON_GetObjectItemCaseSensitive(root, "k");
    double open_notional = report_json_number(k_block, "open_notional");
    report_trading_snapshot(context, ts, root);
    const cJSON *deltas = cJSON_GetObjectItemCaseSensitive(reconcile, "deltas");
    const cJSON *delta;
    bool evaluated[REPORT_RULES] = {false};
    cJSON_ArrayForEach(delta, deltas) {
        if (!cJSON_IsNumber(delta) || delta->string == NULL) continue;
        for (size_t rule = 0; rule < REPORT_RULES; rule++) {
            if (strcmp(reconcile_rule_field((reconcile_rule)rule), delta->string) != 0) continue;
            rule_track *track = &context->rules[rule];
            double epsilon = rule == RULE_OPEN_POSITIONS ? 0.0 : context->thresholds.capital_epsilon;
            double band = rule_band(context, rule, open_notional);
            double values[3] = {delta->valuedouble, epsilon, band};
            series_add(&track->deltas, ts, values, status < 0 ? 0 : status);
            evaluated[rule] = true;
            track->evaluated++;
            double magnitude = fabs(delta->valuedouble);
            if (magnitude > track->largest) track->largest = magnitude;
            if (isfinite(band) && band > track->band_max) track->band_max = band;
            if (epsilon > track->epsilon_max) track->epsilon_max = epsilon;
            if (magnitude > epsilon) track->outside_epsilon++;
            if (magnitude > (isfinite(band) && band > epsilon ? band : epsilon)) track->outside_band++;
        }
    }
    /* A rule that stops being evaluated gets one gap row: its line breaks. */
    for (size_t rule = 0; rule < REPORT_RULES; rule++) {
        rule_track *track = &context->rules[rule];
        if (!evaluated[rule] && track->evaluated_last) {
            double gap[3] = {NAN, NAN, NAN};
            series_add(&track->deltas, ts, gap, status < 0 ? 0 : status);
        }
        track->evaluated_last = evaluated[rule];
    }
    reconcile_positions(context, cJSON_GetObjectItemCaseSensitive(root, "e"), ts);
    context->reconcile_rows++;
    cJSON_Delete(root);
    if (!context->mark_log_has_positions) consume_exits(context, state->exits, sequence, ts, false);
    return 0;
}

/* ---- orders.jsonl ------------------------------------------------------------------ */

/* One order: counts and, for a charted symbol, a fill or rejection marker
 * (exits are drawn from exits.jsonl, so exit orders are only counted). */
static int order_line(report_context *context, char *line, size_t length, void *opaque) {
    (void)opaque;
    cJSON *root = cJSON_ParseWithLength(line, length);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        context->skipped_lines++;
        return 0;
    }
    context->order_rows++;
    report_trading_order(context, root);
    double ts = report_json_number(root, "ts");
    double price = report_json_number(root, "price");
    const char *status = report_json_string(root, "status");
    const char *reason = report_json_string(root, "reason");
    bool filled = status != NULL && strcmp(status, "FILLED") == 0;
    bool is_exit = reason != NULL && (strncmp(reason, "exit", 4) == 0 || strcmp(reason, "TP") == 0 ||
                                      strcmp(reason, "SL") == 0);
    if (filled) context->orders_filled++;
    else context->orders_rejected++;
    report_see_x(context, ts);
    symbol_track *track = find_track(context, report_json_string(root, "symbol"));
    if (track != NULL && !(filled && is_exit)) {
        report_marker marker = {.x = ts, .y = isfinite(price) && price > 0 ? price : NAN, .x_from = NAN,
                                .tp = NAN, .sl = NAN, .sequence = NAN,
                                .kind = filled ? MARKER_ORDER_FILLED : MARKER_ORDER_REJECTED};
        markers_offer(track->events, &marker);
        if (filled) track->orders_filled++;
        else track->orders_rejected++;
    }
    cJSON_Delete(root);
    return 0;
}

/* ---- CSV (nav.csv, marks.csv) ------------------------------------------------------ */

enum { CSV_FIELDS_MAX = 32 };

/* Splits line in place at commas (double-quoted fields keep their commas;
 * the quotes are removed). Returns the field count (at most CSV_FIELDS_MAX). */
static size_t csv_split(char *line, char *fields[CSV_FIELDS_MAX]) {
    size_t count = 0;
    char *read = line;
    while (count < CSV_FIELDS_MAX) {
        char *write = read;
        fields[count++] = write;
        bool quoted = false;
        for (;;) {
            char character = *read;
            if (character == '\0') {
                *write = '\0';
                return count;
            }
            read++;
            if (character == '"') {
                if (quoted && *read == '"') {
                    *write++ = '"';
                    read++;
                } else {
                    quoted = !quoted;
                }
                continue;
            }
            if (character == ',' && !quoted) {
                *write = '\0';
                break;
            }
            *write++ = character;
        }
    }
    return count;
}

/* The number in field (NaN when empty, "null" or not a number). */
static double csv_number(const char *field) {
    double value;
    if (field == NULL || !number_parse(field, strlen(field), &value)) return NAN;
    return value;
}

typedef struct {
    bool has_header;
    int column_ts, column_sequence, column_nav, column_aum, column_status, column_symbol, column_price;
    int column_qty, column_entry, column_tp, column_sl; /* marks.csv's optional kernel position */
    exit_reader *exits;                  /* marks.csv: exits merged in when it carries positions */
    double peak;
    size_t exit_cursor;                  /* nav.csv: next NAV-chart exit to place */
    double previous_nav;
} csv_state;

/* Maps header names to column numbers (-1 when absent). */
static void csv_header(csv_state *state, char *line) {
    char *fields[CSV_FIELDS_MAX];
    size_t count = csv_split(line, fields);
    state->column_ts = state->column_sequence = state->column_nav = state->column_aum = -1;
    state->column_status = state->column_symbol = state->column_price = -1;
    state->column_qty = state->column_entry = state->column_tp = state->column_sl = -1;
    for (size_t index = 0; index < count; index++) {
        const char *name = fields[index];
        int column = (int)index;
        if (strcmp(name, "ts") == 0) state->column_ts = column;
        else if (strcmp(name, "event_seq") == 0) state->column_sequence = column;
        else if (strcmp(name, "nav_total") == 0) state->column_nav = column;
        else if (strcmp(name, "aum_total") == 0) state->column_aum = column;
        else if (strcmp(name, "status") == 0) state->column_status = column;
        else if (strcmp(name, "symbol") == 0) state->column_symbol = column;
        else if (strcmp(name, "qty") == 0) state->column_qty = column;
        else if (strcmp(name, "entry_price") == 0) state->column_entry = column;
        else if (strcmp(name, "tp") == 0) state->column_tp = column;
        else if (strcmp(name, "sl") == 0) state->column_sl = column;
        else if (strcmp(name, "price") == 0 || (strcmp(name, "mark") == 0 && state->column_price < 0))
            state->column_price = column;
    }
    state->has_header = true;
}

/* The field of column (NULL when the column is absent or the row short). */
static const char *csv_field(char *fields[CSV_FIELDS_MAX], size_t count, int column) {
    return column >= 0 && (size_t)column < count ? fields[column] : NULL;
}

/* Gives the NAV-chart exits at or before this row (sequence, ts) the NAV of
 * the last row before it or of this row (last: every remaining exit). */
static void place_exits(report_context *context, csv_state *state, double sequence, double ts, double nav,
                        bool last) {
    marker_sample *exits = context->nav_exits;
    while (state->exit_cursor < exits->count) {
        report_marker *marker = &exits->items[state->exit_cursor];
        bool by_sequence = isfinite(marker->sequence) && isfinite(sequence);
        if (!last) {
            if (by_sequence ? marker->sequence > sequence : !(marker->x <= ts)) return;
            bool same = by_sequence ? marker->sequence == sequence : marker->x == ts;
            marker->y = same ? nav : state->previous_nav;
        } else {
            marker->y = state->previous_nav;
        }
        state->exit_cursor++;
    }
}

/* One nav.csv line: the NAV/AUM/drawdown series, exits' NAV, and the
 * status strip when there is no reconcile log. */
static int nav_line(report_context *context, char *line, size_t length, void *opaque) {
    (void)length;
    csv_state *state = opaque;
    if (!state->has_header) {
        csv_header(state, line);
        if (state->column_ts < 0 || state->column_nav < 0)
            report_note(context, "logs/nav.csv: no ts or nav_total column; NAV charts are empty");
        return 0;
    }
    if (state->column_ts < 0 || state->column_nav < 0) return 0;
    char *fields[CSV_FIELDS_MAX];
    size_t count = csv_split(line, fields);
    double ts = csv_number(csv_field(fields, count, state->column_ts));
    if (!isfinite(ts)) {
        context->skipped_lines++;
        return 0;
    }
    double sequence = csv_number(csv_field(fields, count, state->column_sequence));
    double nav = csv_number(csv_field(fields, count, state->column_nav));
    double aum = csv_number(csv_field(fields, count, state->column_aum));
    int status = status_code(csv_field(fields, count, state->column_status));
    double drawdown = NAN;
    if (isfinite(nav)) {
        if (!isfinite(state->peak) || nav > state->peak) state->peak = nav;
        if (state->peak > 0) drawdown = -(state->peak - nav) / state->peak * 100.0 + 0.0;
        if (!isfinite(context->nav_first)) context->nav_first = nav;
        context->nav_last = nav;
        context->nav_peak = state->peak;
        if (isfinite(drawdown) && -drawdown > context->max_drawdown_pct) context->max_drawdown_pct = -drawdown;
    }
    /* AUM is drawn from the first snapshot where it differs from the NAV
     * (a holding has its first mark): before that it is the NAV itself and
     * would only stretch the AUM axis. */
    if (!context->aum_distinct && isfinite(aum) && isfinite(nav) && aum != nav) {
        context->aum_distinct = true;
        context->aum_from_x = ts;
    }
    double values[3] = {nav, context->aum_distinct ? aum : NAN, drawdown};
    if (!series_add(&context->nav_series, ts, values, status < 0 ? 0 : status))
        return report_fail(context, "out of memory reading nav.csv");
    if (context->reconcile_rows == 0 && status >= 0) {
        context->status_counts[status]++;
        series_add(&context->status_series, ts, NULL, status);
    }
    place_exits(context, state, sequence, ts, nav, false);
    report_trading_nav(context, ts, nav);
    if (isfinite(nav)) state->previous_nav = nav;
    report_see_x(context, ts);
    context->nav_rows++;
    return 0;
}

/* One marks.csv line: ts, symbol, price, and optionally event_seq and the
 * kernel's position and ledger levels after it (qty signed, 0 flat;
 * entry_price; tp; sl). Feeds the mark series with its levels and, with a
 * qty column, the entries and closes; then the exits up to this event. */
static int mark_line(report_context *context, char *line, size_t length, void *opaque) {
    (void)length;
    csv_state *state = opaque;
    if (!state->has_header) {
        csv_header(state, line);
        return 0;
    }
    char *fields[CSV_FIELDS_MAX];
    size_t count = csv_split(line, fields);
    double ts = csv_number(csv_field(fields, count, state->column_ts));
    double price = csv_number(csv_field(fields, count, state->column_price));
    const char *symbol = csv_field(fields, count, state->column_symbol);
    if (!isfinite(ts) || symbol == NULL) {
        context->skipped_lines++;
        return 0;
    }
    context->mark_rows++;
    report_see_x(context, ts);
    symbol_track *track = find_track(context, symbol);
    if (track != NULL) {
        double values[3] = {isfinite(price) && price > 0 ? price : NAN,
                            csv_number(csv_field(fields, count, state->column_tp)),
                            csv_number(csv_field(fields, count, state->column_sl))};
        series_add(&track->marks, ts, values, 0);
        if (context->mark_log_has_positions) {
            double qty = csv_number(csv_field(fields, count, state->column_qty));
            if (isfinite(qty) && qty != 0)
                track_position(track, ts, qty, csv_number(csv_field(fields, count, state->column_entry)), NAN);
            else if (isfinite(qty))
                track_flat(context, track, ts);
        }
    }
    if (context->mark_log_has_positions && state->exits != NULL)
        consume_exits(context, state->exits, csv_number(csv_field(fields, count, state->column_sequence)), ts, false);
    return 0;
}

/* ---- faults.jsonl ------------------------------------------------------------------- */

/* Writes item as compact JSON (numbers canonical). */
static void write_json_value(json_writer *writer, const cJSON *item) {
    if (cJSON_IsObject(item)) {
        json_object_begin(writer);
        const cJSON *member;
        cJSON_ArrayForEach(member, item) {
            json_key(writer, member->string != NULL ? member->string : "");
            write_json_value(writer, member);
        }
        json_object_end(writer);
    } else if (cJSON_IsArray(item)) {
        json_array_begin(writer);
        const cJSON *element;
        cJSON_ArrayForEach(element, item) write_json_value(writer, element);
        json_array_end(writer);
    } else if (cJSON_IsString(item)) {
        json_string(writer, item->valuestring);
    } else if (cJSON_IsNumber(item)) {
        json_number(writer, item->valuedouble);
    } else if (cJSON_IsBool(item)) {
        json_bool(writer, cJSON_IsTrue(item));
    } else {
        json_null(writer);
    }
}

/* One fault: counts by kind, and a table row (data) for the first ones. */
static int fault_line(report_context *context, char *line, size_t length, void *opaque) {
    (void)opaque;
    cJSON *root = cJSON_ParseWithLength(line, length);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        context->skipped_lines++;
        return 0;
    }
    const char *kind = report_json_string(root, "kind");
    size_t kind_index = 0;
    while (kind_index < FAULT_KIND_COUNT && (kind == NULL || strcmp(kind, fault_kind_name((fault_kind)kind_index)) != 0))
        kind_index++;
    context->fault_kind_counts[kind_index]++;
    if (context->fault_rows < REPORT_FAULT_ROWS_MAX) {
        report_fault_row *row = &context->fault_table[context->fault_rows];
        const char *symbol = report_json_string(root, "symbol");
        row->sequence = report_json_number(root, "event_seq");
        snprintf(row->kind, sizeof row->kind, "%s", kind != NULL ? kind : "?");
        snprintf(row->symbol, sizeof row->symbol, "%s", symbol != NULL ? symbol : "");
        /* The params as compact JSON, NUL-terminated in fault_params. */
        row->params_offset = context->fault_params.length;
        json_writer writer;
        json_writer_init(&writer, &context->fault_params, false);
        const cJSON *parameters = cJSON_GetObjectItemCaseSensitive(root, "params");
        if (parameters != NULL) write_json_value(&writer, parameters);
        buffer_append(&context->fault_params, "", 1);
    }
    context->fault_rows++;
    cJSON_Delete(root);
    return 0;
}

/* ---- the whole read ----------------------------------------------------------------- */

/* Reads the ledger's current TP/SL of every position (state.json
 * positions_ledger) into the tracks. */
static void read_ledger_levels(report_context *context) {
    const cJSON *ledger = cJSON_GetObjectItemCaseSensitive(context->state, "positions_ledger");
    const cJSON *entry;
    cJSON_ArrayForEach(entry, ledger) {
        symbol_track *track = find_track(context, entry->string);
        if (track == NULL) continue;
        track->has_ledger = true;
        track->ledger_tp = report_json_number(entry, "tp");
        track->ledger_sl = report_json_number(entry, "sl");
        track->ledger_entry = report_json_number(entry, "entry_price");
        const char *side = report_json_string(entry, "side");
        track->ledger_short = side != NULL && strcmp(side, "SHORT") == 0;
        double from = report_json_number(entry, "created_ts");
        if (!isfinite(from)) from = report_json_number(entry, "updated_ts");
        track->ledger_from = from;
        report_see_x(context, from);
    }
}

/* True when logs/NAME exists and holds more than a header line. */
static bool log_has_rows(report_context *context, const char *name) {
    char path[REPORT_PATH_CAPACITY];
    if (!report_join(context, path, context->logs_directory, name)) return false;
    FILE *stream = fopen(path, "re");
    if (stream == NULL) return false;
    int newlines = 0;
    int character;
    bool text_after_newline = false;
    while ((character = fgetc(stream)) != EOF && newlines < 2) {
        if (character == '\n') newlines++;
        else if (newlines >= 1) text_after_newline = true;
    }
    fclose(stream);
    return text_after_newline;
}

/* True when the header of logs/marks.csv names a qty column. */
static bool mark_log_has_qty(report_context *context) {
    char path[REPORT_PATH_CAPACITY];
    if (!report_join(context, path, context->logs_directory, "marks.csv")) return false;
    FILE *stream = fopen(path, "re");
    if (stream == NULL) return false;
    char header[1024];
    bool found = false;
    if (fgets(header, sizeof header, stream) != NULL) {
        header[strcspn(header, "\r\n")] = '\0';
        char *fields[CSV_FIELDS_MAX];
        size_t count = csv_split(header, fields);
        for (size_t index = 0; index < count && !found; index++) found = strcmp(fields[index], "qty") == 0;
    }
    fclose(stream);
    return found;
}

int report_read_inputs(report_context *context) {
    series_init(&context->nav_series, 3, 3);
    series_init(&context->status_series, 0, 0);
    for (size_t rule = 0; rule < REPORT_RULES; rule++) {
        context->rules[rule].name = reconcile_rule_field((reconcile_rule)rule);
        context->rules[rule].label = reconcile_rules[rule].label;
        series_init(&context->rules[rule].deltas, 3, 1);
    }
    if (report_trading_init(context) != 0) return -1;
    context->nav_exits = calloc(1, sizeof *context->nav_exits);
    if (context->nav_exits == NULL) return report_fail(context, "out of memory");
    markers_init(context->nav_exits);
    buffer_init(&context->fault_params, REPORT_OUTPUT_BYTES_MAX);
    context->nav_first = context->nav_last = context->nav_peak = NAN;

    load_state_file(context, "account.json", &context->account);
    load_state_file(context, "nav.json", &context->nav);
    load_state_file(context, "kpis_v7.json", &context->kpis);
    load_state_file(context, "state.json", &context->state);
    load_state_file(context, "position_tp_sl.json", &context->registry);
    load_thresholds(context);
    context->use_mark_log = log_has_rows(context, "marks.csv");
    context->mark_log_has_positions = context->use_mark_log && mark_log_has_qty(context);

    exit_reader exits;
    memset(&exits, 0, sizeof exits);
    buffer_init(&exits.line, REPORT_LINE_BYTES_MAX + 2);
    if (!report_join(context, exits.path, context->logs_directory, "exits.jsonl")) return -1;
    exits.stream = fopen(exits.path, "re");
    if (exits.stream == NULL && errno != ENOENT) return report_fail(context, "%s: %s", exits.path, strerror(errno));
    exit_reader_next(context, &exits);
    /* The exits merge into the stream that says when positions open: the
     * mark log when it carries the kernel's positions, else reconcile. */
    reconcile_state reconcile = {.exits = &exits};
    int result = stream_lines(context, "reconcile.jsonl", reconcile_line, &reconcile);
    csv_state marks;
    memset(&marks, 0, sizeof marks);
    marks.exits = &exits;
    if (result == 0 && context->use_mark_log) result = stream_lines(context, "marks.csv", mark_line, &marks);
    if (result == 0) consume_exits(context, &exits, NAN, NAN, true);
    if (exits.stream != NULL) fclose(exits.stream);
    buffer_free(&exits.line);
    if (result != 0) return -1;
    if (stream_lines(context, "orders.jsonl", order_line, NULL) != 0) return -1;
    csv_state nav;
    memset(&nav, 0, sizeof nav);
    nav.peak = NAN;
    nav.previous_nav = NAN;
    if (stream_lines(context, "nav.csv", nav_line, &nav) != 0) return -1;
    place_exits(context, &nav, NAN, NAN, NAN, true);
    report_trading_finish(context);
    if (stream_lines(context, "faults.jsonl", fault_line, NULL) != 0) return -1;
    read_ledger_levels(context);

    if (buffer_failed(&context->fault_params)) return report_fail(context, "out of memory reading faults");
    for (size_t index = 0; index < context->track_count; index++) {
        const symbol_track *track = context->tracks[index];
        if (track->marks.allocation_failed || track->entry_line.allocation_failed)
            return report_fail(context, "out of memory reading the positions of %s", track->symbol);
    }
    for (size_t rule = 0; rule < REPORT_RULES; rule++)
        if (context->rules[rule].deltas.allocation_failed) return report_fail(context, "out of memory reading deltas");
    if (context->skipped_lines > 0)
        report_note(context, "%ld unreadable log lines were skipped", context->skipped_lines);
    if (context->other_symbol_count > 0)
        report_note(context, "%zu more symbols have no chart (limit %d)", context->other_symbol_count,
                    REPORT_SYMBOL_CHARTS_MAX);
    return 0;
}

void report_free_inputs(report_context *context) {
    cJSON_Delete(context->account);
    cJSON_Delete(context->nav);
    cJSON_Delete(context->kpis);
    cJSON_Delete(context->state);
    cJSON_Delete(context->registry);
    context->account = context->nav = context->kpis = context->state = context->registry = NULL;
    series_free(&context->nav_series);
    series_free(&context->status_series);
    for (size_t rule = 0; rule < REPORT_RULES; rule++) series_free(&context->rules[rule].deltas);
    for (size_t index = 0; index < context->track_count; index++) {
        symbol_track *track = context->tracks[index];
        series_free(&track->marks);
        series_free(&track->entry_line);
        free(track->events);
        free(track);
        context->tracks[index] = NULL;
    }
    context->track_count = 0;
    free(context->nav_exits);
    context->nav_exits = NULL;
    buffer_free(&context->fault_params);
    report_trading_free(context);
}
