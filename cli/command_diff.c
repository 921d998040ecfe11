/* command_diff.c -- `ledgersim diff DIR_A DIR_B [--json]`: two runs of the
 * same events (before and after a threshold change, seed rules against v2,
 * live against its replay) compared snapshot by snapshot from their
 * logs/reconcile.jsonl.
 *
 * Two runs are "of the same events" when their reconcile logs have the same
 * number of lines and each pair of lines names the same event_seq,
 * source_event_id and ts. The classification of a snapshot is its status,
 * its worst field and the severity of every rule; a rule's severity is read
 * from the explanations ("LABEL|FIELD|...": ERROR, or a WARN label) as
 * docs/state-files.md defines it. The bands each run used come from
 * its logs/state/account.json reconcile_config, when present, so that a
 * difference says which delta crossed which band.
 *
 * Exit: 0 same classification, 1 it differs, 2 not the same events (or bad
 * input). Lines are read one at a time: memory does not grow with the run. */
#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/number.h"
#include "io/buffer.h"
#include "io/json_file.h"
#include "io/json_writer.h"
#include "io/run_output.h"

enum {
    DIFF_RULES_MAX = 16,             /* distinct rule fields (seed 5, v2 adds some) */
    DIFF_FIELD_CAPACITY = 48,        /* bytes of a rule field name */
    DIFF_SHOWN_MAX = 20,             /* differences listed */
    DIFF_LINE_BYTES_MAX = 16 << 20   /* longest reconcile line read */
};

typedef enum { SEVERITY_OK = 0, SEVERITY_WARN = 1, SEVERITY_ERROR = 2 } severity;

static const char *const severity_names[3] = {"OK", "WARN", "ERROR"};

/* The seed's rules, always listed, in R1..R5 order; their band keys. */
static const struct {
    const char *field;
    const char *band_key;            /* reconcile_config member of the WARN band */
} seed_rules[5] = {{"capital_vs_wallet", "pending_fee_bound"}, {"realized_pnl", "realized_rounding"},
                   {"open_positions", NULL}, {"open_notional", "mark_staleness_factor"},
                   {"used_margin", "leverage_rounding_band"}};

/* One rule's change inside one shown difference. */
typedef struct {
    int rule;                        /* index into diff_state.fields */
    severity a, b;
    bool has_delta;
    double delta_a, delta_b;
} rule_change;

/* One snapshot whose classification differs (the first DIFF_SHOWN_MAX). */
typedef struct {
    long event_seq;
    char event_id[128];
    double ts;
    int status_a, status_b;
    char worst_a[DIFF_FIELD_CAPACITY], worst_b[DIFF_FIELD_CAPACITY];
    rule_change changes[DIFF_RULES_MAX];
    int change_count;
} shown_difference;

typedef struct {
    const char *directories[2];
    bool json;
    char fields[DIFF_RULES_MAX][DIFF_FIELD_CAPACITY];
    int field_count;
    long snapshots, status_changed, worst_field_changed, differing;
    long rule_changed[DIFF_RULES_MAX];
    shown_difference shown[DIFF_SHOWN_MAX];
    int shown_count;
    cJSON *bands[2];                 /* account.json reconcile_config of each run, or NULL */
    char divergence[1024];           /* "" while the events match */
} diff_state;

/* One parsed reconcile line, the members diff reads (borrowing the cJSON tree). */
typedef struct {
    cJSON *root;
    double event_seq, ts;
    const char *event_id;
    int status;                      /* -1: unknown text */
    const char *worst;
    const cJSON *deltas;
    severity rules[DIFF_RULES_MAX];
} snapshot_line;

/* Prints the usage on stream. */
static void diff_usage(FILE *stream) {
    fprintf(stream,
            "usage: ledgersim diff DIR_A DIR_B [--json]\n\n"
            "Compares two runs of the same events snapshot by snapshot, from their\n"
            "logs/reconcile.jsonl: how many snapshots changed status, how many changed\n"
            "worst field, per rule how many changed severity, and the first %d\n"
            "differences (event_seq, source event id, ts, status A -> B, which delta\n"
            "crossed which band, the bands read from logs/state/account.json).\n\n"
            "  --json   print {\"snapshots\", \"status_changed\", \"worst_field_changed\",\n"
            "           \"rules\", \"differences\"} instead of text\n\n"
            "Exit status: 0 the classification is identical, 1 it differs, 2 the runs\n"
            "are not of the same events (the first divergence is named) or bad input.\n",
            DIFF_SHOWN_MAX);
}

/* The index of field in the state's table, added when new; -1 when full. */
static int field_index(diff_state *state, const char *field, size_t length) {
    for (int index = 0; index < state->field_count; index++)
        if (strlen(state->fields[index]) == length && memcmp(state->fields[index], field, length) == 0) return index;
    if (state->field_count == DIFF_RULES_MAX || length >= DIFF_FIELD_CAPACITY) return -1;
    memcpy(state->fields[state->field_count], field, length);
    state->fields[state->field_count][length] = '\0';
    return state->field_count++;
}

/* The status text as 0/1/2, or -1. */
static int status_from_text(const char *text) {
    for (int index = 0; index < 3; index++)
        if (text != NULL && strcmp(text, severity_names[index]) == 0) return index;
    return -1;
}

/* Parses one reconcile line (text borrowed) into line; false when it is not
 * a snapshot object (the caller names the file and line). */
static bool parse_line(diff_state *state, const char *text, size_t length, snapshot_line *line) {
    memset(line, 0, sizeof *line);
    line->root = cJSON_ParseWithLength(text, length);
    if (!cJSON_IsObject(line->root)) return false;
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(line->root, "event_seq");
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(line->root, "ts");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(line->root, "source_event_id");
    const cJSON *reconcile = cJSON_GetObjectItemCaseSensitive(line->root, "reconcile");
    if (!cJSON_IsNumber(seq) || !cJSON_IsNumber(ts) || !cJSON_IsString(id) || !cJSON_IsObject(reconcile))
        return false;
    line->event_seq = seq->valuedouble;
    line->ts = ts->valuedouble;
    line->event_id = id->valuestring;
    line->status = status_from_text(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reconcile, "status")));
    line->worst = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reconcile, "worst_field"));
    line->deltas = cJSON_GetObjectItemCaseSensitive(reconcile, "deltas");
    if (line->status < 0 || line->worst == NULL) return false;
    const cJSON *explanation;
    cJSON_ArrayForEach(explanation, cJSON_GetObjectItemCaseSensitive(reconcile, "explanations")) {
        const char *text_value = cJSON_GetStringValue(explanation);
        const char *bar = text_value != NULL ? strchr(text_value, '|') : NULL;
        if (bar == NULL) continue;
        const char *end = strchr(bar + 1, '|');
        size_t field_length = end != NULL ? (size_t)(end - bar - 1) : strlen(bar + 1);
        int rule = field_index(state, bar + 1, field_length);
        if (rule < 0) continue;
        bool error = (size_t)(bar - text_value) == 5 && memcmp(text_value, "ERROR", 5) == 0;
        severity found = error ? SEVERITY_ERROR : SEVERITY_WARN;
        if (found > line->rules[rule]) line->rules[rule] = found;
    }
    return true;
}

/* The delta of field in line, when it has one. */
static bool line_delta(const snapshot_line *line, const char *field, double *value) {
    const cJSON *delta = cJSON_GetObjectItemCaseSensitive(line->deltas, field);
    if (!cJSON_IsNumber(delta)) return false;
    *value = delta->valuedouble;
    return true;
}

/* Records the first DIFF_SHOWN_MAX differences with their rule changes. */
static void keep_difference(diff_state *state, const snapshot_line *a, const snapshot_line *b) {
    if (state->shown_count == DIFF_SHOWN_MAX) return;
    shown_difference *shown = &state->shown[state->shown_count++];
    memset(shown, 0, sizeof *shown);
    shown->event_seq = (long)a->event_seq;
    snprintf(shown->event_id, sizeof shown->event_id, "%s", a->event_id);
    shown->ts = a->ts;
    shown->status_a = a->status;
    shown->status_b = b->status;
    snprintf(shown->worst_a, sizeof shown->worst_a, "%s", a->worst);
    snprintf(shown->worst_b, sizeof shown->worst_b, "%s", b->worst);
    for (int rule = 0; rule < state->field_count; rule++) {
        if (a->rules[rule] == b->rules[rule]) continue;
        rule_change *change = &shown->changes[shown->change_count++];
        change->rule = rule;
        change->a = a->rules[rule];
        change->b = b->rules[rule];
        change->has_delta = line_delta(a, state->fields[rule], &change->delta_a) &&
                            line_delta(b, state->fields[rule], &change->delta_b);
    }
}

/* Compares one pair of lines of the same event; false when the events differ
 * (state->divergence says where). */
static bool compare_pair(diff_state *state, const snapshot_line *a, const snapshot_line *b) {
    if (a->event_seq != b->event_seq || a->ts != b->ts || strcmp(a->event_id, b->event_id) != 0) {
        snprintf(state->divergence, sizeof state->divergence,
                 "the runs diverge at snapshot %ld: A has event_seq %.17g, event %s, ts %.17g; B has event_seq "
                 "%.17g, event %s, ts %.17g",
                 state->snapshots + 1, a->event_seq, a->event_id, a->ts, b->event_seq, b->event_id, b->ts);
        return false;
    }
    state->snapshots++;
    bool differs = false;
    if (a->status != b->status) {
        state->status_changed++;
        differs = true;
    }
    if (strcmp(a->worst, b->worst) != 0) {
        state->worst_field_changed++;
        differs = true;
    }
    for (int rule = 0; rule < state->field_count; rule++)
        if (a->rules[rule] != b->rules[rule]) {
            state->rule_changed[rule]++;
            differs = true;
        }
    if (differs) {
        state->differing++;
        keep_difference(state, a, b);
    }
    return true;
}

/* Reads one line of stream into *line (getline's buffer); 1 a line, 0 the
 * end, -1 a read error or a line over the limit. */
static int read_line(FILE *stream, char **line, size_t *capacity, size_t *length) {
    errno = 0;
    ssize_t got = getline(line, capacity, stream);
    if (got < 0) return errno != 0 || ferror(stream) ? -1 : 0;
    if ((size_t)got > DIFF_LINE_BYTES_MAX) return -1;
    *length = (size_t)got;
    return 1;
}

/* Walks both logs in step. Returns EXIT_OK (all compared), EXIT_BAD_INPUT
 * with the divergence or the error in state->divergence. */
static int walk_logs(diff_state *state, FILE *streams[2], const char *paths[2]) {
    char *text[2] = {NULL, NULL};
    size_t capacity[2] = {0, 0}, length[2] = {0, 0};
    long line_number = 0;
    int result = EXIT_OK;
    while (result == EXIT_OK) {
        int got[2];
        for (int side = 0; side < 2; side++) got[side] = read_line(streams[side], &text[side], &capacity[side], &length[side]);
        line_number++;
        for (int side = 0; side < 2 && result == EXIT_OK; side++)
            if (got[side] < 0) {
                snprintf(state->divergence, sizeof state->divergence, "%s:%ld: cannot read the line", paths[side],
                         line_number);
                result = EXIT_BAD_INPUT;
            }
        if (result != EXIT_OK || (got[0] == 0 && got[1] == 0)) break;
        if (got[0] == 0 || got[1] == 0) {
            snprintf(state->divergence, sizeof state->divergence,
                     "the runs diverge at snapshot %ld: %s has %ld snapshots, %s has more", line_number,
                     state->directories[got[0] == 0 ? 0 : 1], line_number - 1, state->directories[got[0] == 0 ? 1 : 0]);
            result = EXIT_BAD_INPUT;
            break;
        }
        snapshot_line lines[2];
        bool parsed[2];
        for (int side = 0; side < 2; side++) parsed[side] = parse_line(state, text[side], length[side], &lines[side]);
        for (int side = 0; side < 2 && result == EXIT_OK; side++)
            if (!parsed[side]) {
                snprintf(state->divergence, sizeof state->divergence, "%s:%ld: not a reconcile snapshot line",
                         paths[side], line_number);
                result = EXIT_BAD_INPUT;
            }
        if (result == EXIT_OK && !compare_pair(state, &lines[0], &lines[1])) result = EXIT_BAD_INPUT;
        cJSON_Delete(lines[0].root);
        cJSON_Delete(lines[1].root);
    }
    free(text[0]);
    free(text[1]);
    return result;
}

/* Loads DIR/logs/state/account.json reconcile_config of each run (optional). */
static void load_bands(diff_state *state) {
    for (int side = 0; side < 2; side++) {
        char path[PATH_CAPACITY + 32];
        snprintf(path, sizeof path, "%s/logs/state/account.json", state->directories[side]);
        cJSON *root = NULL;
        char error[PATH_CAPACITY + 256];
        if (!json_file_load_object(path, &root, "an object", error, sizeof error)) continue;
        cJSON *bands = cJSON_DetachItemFromObjectCaseSensitive(root, "reconcile_config");
        cJSON_Delete(root);
        state->bands[side] = cJSON_IsObject(bands) ? bands : NULL;
        if (state->bands[side] == NULL) cJSON_Delete(bands);
    }
}

/* The WARN band key of field, or NULL (R3, or a rule diff does not know). */
static const char *band_key(const char *field) {
    for (int index = 0; index < 5; index++)
        if (strcmp(seed_rules[index].field, field) == 0) return seed_rules[index].band_key;
    return NULL;
}

/* Appends " (KEY A -> B)" for the band of field when both runs name it. */
static void append_band(const diff_state *state, const char *field, buffer *out) {
    const char *key = band_key(field);
    if (key == NULL) return;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(state->bands[0], key);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(state->bands[1], key);
    if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b)) return;
    char text_a[NUMBER_TEXT_CAPACITY], text_b[NUMBER_TEXT_CAPACITY];
    number_format(a->valuedouble, text_a);
    number_format(b->valuedouble, text_b);
    if (a->valuedouble == b->valuedouble)
        buffer_append_format(out, " (%s %s in both)", key, text_a);
    else
        buffer_append_format(out, " (%s %s -> %s)", key, text_a, text_b);
}

/* Prints the text report on stdout. */
static void print_text(const diff_state *state) {
    printf("diff %s %s: %ld snapshots, %ld changed status, %ld changed worst field\n", state->directories[0],
           state->directories[1], state->snapshots, state->status_changed, state->worst_field_changed);
    for (int rule = 0; rule < state->field_count; rule++)
        printf("  %-24s %ld changed severity\n", state->fields[rule], state->rule_changed[rule]);
    if (state->differing > state->shown_count)
        printf("first %d of %ld differing snapshots:\n", state->shown_count, state->differing);
    else if (state->differing > 0)
        printf("differing snapshots:\n");
    buffer line;
    buffer_init(&line, 1 << 16);
    for (int index = 0; index < state->shown_count; index++) {
        const shown_difference *shown = &state->shown[index];
        char ts[NUMBER_TEXT_CAPACITY];
        number_format(shown->ts, ts);
        printf("  event_seq %ld (%s, ts %s): %s -> %s", shown->event_seq, shown->event_id, ts,
               severity_names[shown->status_a], severity_names[shown->status_b]);
        if (strcmp(shown->worst_a, shown->worst_b) != 0)
            printf(", worst field %s -> %s", shown->worst_a[0] ? shown->worst_a : "none",
                   shown->worst_b[0] ? shown->worst_b : "none");
        printf("\n");
        for (int change = 0; change < shown->change_count; change++) {
            const rule_change *item = &shown->changes[change];
            const char *field = state->fields[item->rule];
            buffer_reset(&line);
            buffer_append_format(&line, "    %s", field);
            if (item->has_delta) {
                char delta[NUMBER_TEXT_CAPACITY];
                number_format(fabs(item->delta_a), delta);
                buffer_append_format(&line, " |delta| %s", delta);
            }
            buffer_append_format(&line, ": %s -> %s", severity_names[item->a], severity_names[item->b]);
            append_band(state, field, &line);
            if (!buffer_failed(&line)) printf("%s\n", line.data);
        }
    }
    buffer_free(&line);
}

/* Writes one shown difference as a JSON object. */
static void write_difference(const diff_state *state, const shown_difference *shown, json_writer *writer) {
    json_object_begin(writer);
    JSON_KEY(writer, "event_seq"); json_integer(writer, shown->event_seq);
    JSON_KEY(writer, "source_event_id"); json_string(writer, shown->event_id);
    JSON_KEY(writer, "ts"); json_number(writer, shown->ts);
    JSON_KEY(writer, "status_a"); json_string(writer, severity_names[shown->status_a]);
    JSON_KEY(writer, "status_b"); json_string(writer, severity_names[shown->status_b]);
    JSON_KEY(writer, "worst_field_a"); json_string(writer, shown->worst_a);
    JSON_KEY(writer, "worst_field_b"); json_string(writer, shown->worst_b);
    JSON_KEY(writer, "rules");
    json_array_begin(writer);
    for (int change = 0; change < shown->change_count; change++) {
        const rule_change *item = &shown->changes[change];
        const char *field = state->fields[item->rule];
        json_object_begin(writer);
        JSON_KEY(writer, "field"); json_string(writer, field);
        JSON_KEY(writer, "a"); json_string(writer, severity_names[item->a]);
        JSON_KEY(writer, "b"); json_string(writer, severity_names[item->b]);
        JSON_KEY(writer, "delta"); json_optional_number(writer, item->has_delta, item->delta_a);
        const char *key = band_key(field);
        const cJSON *band_a = key != NULL ? cJSON_GetObjectItemCaseSensitive(state->bands[0], key) : NULL;
        const cJSON *band_b = key != NULL ? cJSON_GetObjectItemCaseSensitive(state->bands[1], key) : NULL;
        JSON_KEY(writer, "band");
        if (key != NULL) json_string(writer, key); else json_null(writer);
        JSON_KEY(writer, "band_a"); json_optional_number(writer, cJSON_IsNumber(band_a), cJSON_GetNumberValue(band_a));
        JSON_KEY(writer, "band_b"); json_optional_number(writer, cJSON_IsNumber(band_b), cJSON_GetNumberValue(band_b));
        json_object_end(writer);
    }
    json_array_end(writer);
    json_object_end(writer);
}

/* Prints the --json report on stdout. */
static bool print_json(const diff_state *state) {
    buffer out;
    buffer_init(&out, 1 << 24);
    json_writer writer;
    json_writer_init(&writer, &out, true);
    json_object_begin(&writer);
    JSON_KEY(&writer, "snapshots"); json_integer(&writer, state->snapshots);
    JSON_KEY(&writer, "status_changed"); json_integer(&writer, state->status_changed);
    JSON_KEY(&writer, "worst_field_changed"); json_integer(&writer, state->worst_field_changed);
    JSON_KEY(&writer, "differing"); json_integer(&writer, state->differing);
    JSON_KEY(&writer, "rules");
    json_object_begin(&writer);
    for (int rule = 0; rule < state->field_count; rule++) {
        json_key(&writer, state->fields[rule]);
        json_integer(&writer, state->rule_changed[rule]);
    }
    json_object_end(&writer);
    JSON_KEY(&writer, "differences");
    json_array_begin(&writer);
    for (int index = 0; index < state->shown_count; index++) write_difference(state, &state->shown[index], &writer);
    json_array_end(&writer);
    json_object_end(&writer);
    bool written = !buffer_failed(&out) && printf("%s\n", out.data) >= 0;
    buffer_free(&out);
    return written;
}

/* Opens DIR/logs/reconcile.jsonl of both runs; false with a message printed. */
static bool open_logs(const diff_state *state, FILE *streams[2], char paths[2][PATH_CAPACITY + 32]) {
    for (int side = 0; side < 2; side++) {
        snprintf(paths[side], sizeof paths[side], "%s/logs/reconcile.jsonl", state->directories[side]);
        streams[side] = fopen(paths[side], "r");
        if (streams[side] == NULL) {
            fprintf(stderr, "ledgersim diff: %s: %s%s\n", paths[side], strerror(errno),
                    errno == ENOENT ? " (a run with --trace none has no reconcile log)" : "");
            if (side == 1) fclose(streams[0]);
            return false;
        }
    }
    return true;
}

/* `ledgersim diff`; argv is borrowed. */
int command_diff(int argc, char **argv) {
    diff_state *state = calloc(1, sizeof *state);
    if (state == NULL) return EXIT_BAD_INPUT;
    int directories = 0, status = EXIT_OK;
    for (int index = 1; index < argc && status == EXIT_OK; index++) {
        if (strcmp(argv[index], "--help") == 0 || strcmp(argv[index], "-h") == 0) {
            diff_usage(stdout);
            free(state);
            return EXIT_OK;
        }
        if (strcmp(argv[index], "--json") == 0)
            state->json = true;
        else if (argv[index][0] == '-' || directories == 2)
            status = EXIT_BAD_INPUT;
        else
            state->directories[directories++] = argv[index];
    }
    if (status != EXIT_OK || directories != 2) {
        diff_usage(stderr);
        free(state);
        return EXIT_BAD_INPUT;
    }
    for (int index = 0; index < 5; index++) field_index(state, seed_rules[index].field, strlen(seed_rules[index].field));
    FILE *streams[2];
    char paths[2][PATH_CAPACITY + 32];
    if (!open_logs(state, streams, paths)) {
        free(state);
        return EXIT_BAD_INPUT;
    }
    const char *path_names[2] = {paths[0], paths[1]};
    status = walk_logs(state, streams, path_names);
    fclose(streams[0]);
    fclose(streams[1]);
    if (status == EXIT_OK) {
        load_bands(state);
        if (state->json ? !print_json(state) : (print_text(state), false)) status = 3;
        if (status == EXIT_OK) status = state->differing > 0 ? EXIT_FAILED : EXIT_OK;
    } else {
        fprintf(stderr, "ledgersim diff: %s\n", state->divergence);
    }
    cJSON_Delete(state->bands[0]);
    cJSON_Delete(state->bands[1]);
    free(state);
    return status;
}
