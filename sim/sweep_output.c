/* sweep_output.c -- see sweep_output.h. */
#include "sim/sweep_output.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rules.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "io/json_writer.h"

enum { OUTPUT_BYTES_MAX = 1 << 30, CELL_FIELDS = 3 + 3 * RULE_COUNT + FAULT_KIND_COUNT };

/* One point's sums over its runs, or one run's counts. */
typedef struct {
    int64_t runs, snapshots, clean_snapshots, clean_not_ok;
    int64_t injected[FAULT_KIND_COUNT];
    sweep_cell cell;
} point_totals;

/* The rules the outputs list: those of every rule set some run used (the
 * seed's five unless v2 classified somewhere), in table order (sorted is
 * false) or by field name; returns how many. */
static size_t shown_rules(const sweep_results *results, bool sorted, reconcile_rule *out) {
    int64_t sets = 1LL << RULE_SET_SEED;
    for (size_t index = 0; index < results->run_count; index++) sets |= results->runs[index].totals.rule_sets;
    reconcile_rule order[RULE_COUNT];
    size_t ordered = 0;
    if (sorted) {
        ordered = reconcile_rules_sorted(RULE_SET_V2, order);
    } else {
        for (int rule = 0; rule < RULE_COUNT; rule++) order[ordered++] = (reconcile_rule)rule;
    }
    size_t count = 0;
    for (size_t index = 0; index < ordered; index++)
        for (int set = 0; set < RULE_SET_COUNT; set++)
            if ((sets >> set & 1) != 0 && reconcile_rule_in_set(order[index], (reconcile_rule_set)set)) {
                out[count++] = order[index];
                break;
            }
    return count;
}

/* Adds run index's counts at local point t to totals. */
static void add_run(const sweep_definition *definition, const sweep_results *results, size_t index, size_t local,
                    point_totals *totals) {
    const sweep_run_result *run = &results->runs[index];
    const sweep_cell *cell = &results->cells[index * definition->threshold_points + local];
    bool clean = sweep_plan_run(definition, index).clean;
    totals->runs++;
    totals->snapshots += run->totals.snapshots;
    if (clean) {
        totals->clean_snapshots += run->totals.snapshots;
        totals->clean_not_ok += cell->warn + cell->error;
    }
    for (int rule = 0; rule < RULE_COUNT; rule++) {
        totals->cell.rule_evaluated[rule] += cell->rule_evaluated[rule];
        totals->cell.rule_warn[rule] += cell->rule_warn[rule];
        totals->cell.rule_error[rule] += cell->rule_error[rule];
    }
    for (int kind = 0; kind < FAULT_KIND_COUNT; kind++) {
        totals->injected[kind] += run->totals.injected[kind];
        totals->cell.detected[kind] += cell->detected[kind];
    }
    totals->cell.ok += cell->ok;
    totals->cell.warn += cell->warn;
    totals->cell.error += cell->error;
}

/* The sums of point over every scenario and seed. */
static void sum_point(const sweep_definition *definition, const sweep_results *results, size_t point,
                      point_totals *totals) {
    memset(totals, 0, sizeof *totals);
    size_t group, local;
    sweep_point_split(definition, point, &group, &local);
    size_t first = group * definition->scenario_count * definition->per_scenario;
    size_t count = definition->scenario_count * definition->per_scenario;
    for (size_t index = first; index < first + count; index++) add_run(definition, results, index, local, totals);
}

/* Appends the CSV header. */
static void csv_header(const sweep_definition *definition, const reconcile_rule *rules, size_t rule_count,
                       buffer *out) {
    for (size_t axis = 0; axis < definition->axis_count; axis++)
        buffer_append_format(out, "%s,", definition->axes[axis].key);
    buffer_append_text(out, "runs,snapshots,ok,warn,error");
    for (size_t index = 0; index < rule_count; index++)
        buffer_append_format(out, ",%s.warn,%s.error", reconcile_rule_field(rules[index]),
                             reconcile_rule_field(rules[index]));
    if (definition->faults_text != NULL) {
        buffer_append_text(out, ",clean_not_ok");
        for (int kind = 0; kind < FAULT_KIND_COUNT; kind++)
            buffer_append_format(out, ",%s.injected,%s.detected", fault_kind_name((fault_kind)kind),
                                 fault_kind_name((fault_kind)kind));
    }
    buffer_append_text(out, "\n");
}

/* Appends sweep.csv. */
static void render_csv(const sweep_definition *definition, const sweep_results *results, buffer *out) {
    reconcile_rule rules[RULE_COUNT];
    size_t rule_count = shown_rules(results, false, rules);
    csv_header(definition, rules, rule_count, out);
    for (size_t point = 0; point < definition->point_count; point++) {
        point_totals totals;
        sum_point(definition, results, point, &totals);
        for (size_t axis = 0; axis < definition->axis_count; axis++)
            buffer_append_format(out, "%s,", definition->axes[axis].values[sweep_point_value(definition, point, axis)]);
        const sweep_cell *cell = &totals.cell;
        buffer_append_format(out, "%lld,%lld,%lld,%lld,%lld", (long long)totals.runs, (long long)totals.snapshots,
                             (long long)cell->ok, (long long)cell->warn, (long long)cell->error);
        for (size_t index = 0; index < rule_count; index++)
            buffer_append_format(out, ",%lld,%lld", (long long)cell->rule_warn[rules[index]],
                                 (long long)cell->rule_error[rules[index]]);
        if (definition->faults_text != NULL) {
            buffer_append_format(out, ",%lld", (long long)totals.clean_not_ok);
            for (int kind = 0; kind < FAULT_KIND_COUNT; kind++)
                buffer_append_format(out, ",%lld,%lld", (long long)totals.injected[kind],
                                     (long long)cell->detected[kind]);
        }
        buffer_append_text(out, "\n");
    }
}

/* Writes the counts of totals (a point's or one run's) as members; rules
 * are the rules listed, by field name. */
typedef struct {
    reconcile_rule rules[RULE_COUNT];
    size_t count;
} rule_list;

static void write_counts(const sweep_definition *definition, const point_totals *totals, bool point,
                         const rule_list *rules, json_writer *writer) {
    const sweep_cell *cell = &totals->cell;
    if (point) {
        JSON_KEY(writer, "runs"); json_integer(writer, totals->runs);
    }
    JSON_KEY(writer, "snapshots"); json_integer(writer, totals->snapshots);
    JSON_KEY(writer, "ok"); json_integer(writer, cell->ok);
    JSON_KEY(writer, "warn"); json_integer(writer, cell->warn);
    JSON_KEY(writer, "error"); json_integer(writer, cell->error);
    JSON_KEY(writer, "rules");
    json_object_begin(writer);
    for (size_t index = 0; index < rules->count; index++) {
        reconcile_rule rule = rules->rules[index];
        json_key(writer, reconcile_rule_field(rule));
        json_object_begin(writer);
        int64_t evaluated = cell->rule_evaluated[rule];
        JSON_KEY(writer, "evaluated"); json_integer(writer, evaluated);
        JSON_KEY(writer, "ok"); json_integer(writer, evaluated - cell->rule_warn[rule] - cell->rule_error[rule]);
        JSON_KEY(writer, "warn"); json_integer(writer, cell->rule_warn[rule]);
        JSON_KEY(writer, "error"); json_integer(writer, cell->rule_error[rule]);
        json_object_end(writer);
    }
    json_object_end(writer);
    if (definition->faults_text == NULL) return;
    if (point) {
        JSON_KEY(writer, "clean_snapshots"); json_integer(writer, totals->clean_snapshots);
        JSON_KEY(writer, "clean_not_ok"); json_integer(writer, totals->clean_not_ok);
    }
    JSON_KEY(writer, "faults");
    json_object_begin(writer);
    for (int kind = 0; kind < FAULT_KIND_COUNT; kind++) {
        json_key(writer, fault_kind_name((fault_kind)kind));
        json_object_begin(writer);
        JSON_KEY(writer, "injected"); json_integer(writer, totals->injected[kind]);
        JSON_KEY(writer, "detected"); json_integer(writer, cell->detected[kind]);
        json_object_end(writer);
    }
    json_object_end(writer);
}

/* Writes the per scenario and seed breakdown of point. */
static void write_breakdown(const sweep_definition *definition, const sweep_results *results, size_t point,
                            const rule_list *rules, json_writer *writer) {
    size_t group, local;
    sweep_point_split(definition, point, &group, &local);
    size_t first = group * definition->scenario_count * definition->per_scenario;
    JSON_KEY(writer, "breakdown");
    json_array_begin(writer);
    for (size_t index = first; index < first + definition->scenario_count * definition->per_scenario; index++) {
        point_totals totals;
        memset(&totals, 0, sizeof totals);
        add_run(definition, results, index, local, &totals);
        sweep_run run = sweep_plan_run(definition, index);
        json_object_begin(writer);
        JSON_KEY(writer, "scenario"); json_string(writer, definition->scenarios[run.scenario]);
        JSON_KEY(writer, "seed");
        if (run.clean) json_null(writer); else json_integer(writer, (int64_t)run.seed);
        write_counts(definition, &totals, false, rules, writer);
        json_object_end(writer);
    }
    json_array_end(writer);
}

/* Writes the header members: command, plan, inputs, grid, options. */
static void write_header(const sweep_definition *definition, json_writer *writer) {
    buffer command;
    buffer_init(&command, 1 << 20);
    sweep_append_command(definition, &command, NULL, 0);
    JSON_KEY(writer, "ledgersim_sweep"); json_integer(writer, 1);
    JSON_KEY(writer, "command"); json_string(writer, command.data != NULL ? command.data : "");
    buffer_free(&command);
    JSON_KEY(writer, "plan_sha256"); json_string(writer, definition->plan_hash);
    JSON_KEY(writer, "inputs");
    json_array_begin(writer);
    for (size_t index = 0; index < definition->input_count; index++) {
        const sweep_input *input = &definition->inputs[index];
        json_object_begin(writer);
        JSON_KEY(writer, "role"); json_string(writer, input->role);
        JSON_KEY(writer, "path"); json_string(writer, input->path);
        JSON_KEY(writer, "bytes"); json_integer(writer, input->bytes);
        JSON_KEY(writer, "sha256"); json_string(writer, input->sha256);
        json_object_end(writer);
    }
    json_array_end(writer);
    JSON_KEY(writer, "grid");
    json_array_begin(writer);
    for (size_t axis = 0; axis < definition->axis_count; axis++) {
        json_object_begin(writer);
        JSON_KEY(writer, "key"); json_string(writer, definition->axes[axis].key);
        JSON_KEY(writer, "threshold"); json_bool(writer, definition->axes[axis].threshold);
        JSON_KEY(writer, "values");
        json_array_begin(writer);
        for (size_t value = 0; value < definition->axes[axis].value_count; value++)
            json_string(writer, definition->axes[axis].values[value]);
        json_array_end(writer);
        json_object_end(writer);
    }
    json_array_end(writer);
    JSON_KEY(writer, "settings");
    json_array_begin(writer);
    for (int index = 0; index < definition->setting_count; index++) json_string(writer, definition->settings[index]);
    json_array_end(writer);
    JSON_KEY(writer, "faults");
    if (definition->faults_text != NULL) json_string(writer, definition->faults_text); else json_null(writer);
    JSON_KEY(writer, "seeds");
    if (definition->faults_text != NULL) json_string(writer, definition->seeds_text); else json_null(writer);
    JSON_KEY(writer, "detect_window");
    json_integer(writer, definition->detect_window > 0 ? definition->detect_window : DETECT_WINDOW_DEFAULT);
}

void sweep_render_json(const sweep_definition *definition, const sweep_results *results, buffer *out) {
    json_writer writer;
    json_writer_init(&writer, out, true);
    json_object_begin(&writer);
    write_header(definition, &writer);
    rule_list rules;
    rules.count = shown_rules(results, true, rules.rules);
    JSON_KEY(&writer, "points");
    json_array_begin(&writer);
    for (size_t point = 0; point < definition->point_count; point++) {
        json_object_begin(&writer);
        JSON_KEY(&writer, "point"); json_integer(&writer, (int64_t)point);
        JSON_KEY(&writer, "values");
        json_object_begin(&writer);
        for (size_t axis = 0; axis < definition->axis_count; axis++) {
            json_key(&writer, definition->axes[axis].key);
            json_string(&writer, definition->axes[axis].values[sweep_point_value(definition, point, axis)]);
        }
        json_object_end(&writer);
        point_totals totals;
        sum_point(definition, results, point, &totals);
        write_counts(definition, &totals, true, &rules, &writer);
        write_breakdown(definition, results, point, &rules, &writer);
        json_object_end(&writer);
    }
    json_array_end(&writer);
    json_object_end(&writer);
    buffer_append_text(out, "\n");
}

/* Writes path whole from out; false with error. */
static bool write_whole(const char *path, const buffer *out, char *error, size_t error_capacity) {
    if (buffer_failed(out)) {
        snprintf(error, error_capacity, "%s: more than %d bytes", path, OUTPUT_BYTES_MAX);
        return false;
    }
    if (atomic_file_write(path, out->data != NULL ? out->data : "", out->length) == 0) return true;
    snprintf(error, error_capacity, "%s: cannot write: %s", path, strerror(errno));
    return false;
}

bool sweep_write_outputs(const sweep_definition *definition, const sweep_results *results, const char *directory,
                         char *error, size_t error_capacity) {
    if (make_directories(directory) < 0) {
        snprintf(error, error_capacity, "%s: cannot create: %s", directory, strerror(errno));
        return false;
    }
    char path[PATH_CAPACITY + 32];
    buffer out;
    buffer_init(&out, OUTPUT_BYTES_MAX);
    render_csv(definition, results, &out);
    snprintf(path, sizeof path, "%s/sweep.csv", directory);
    bool written = write_whole(path, &out, error, error_capacity);
    buffer_reset(&out);
    sweep_render_json(definition, results, &out);
    snprintf(path, sizeof path, "%s/sweep.json", directory);
    written = written && write_whole(path, &out, error, error_capacity);
    buffer_free(&out);
    return written;
}

/* ---- shards ------------------------------------------------------------ */

/* One run's counts as a JSON object of the shard file. */
static void write_shard_run(const sweep_definition *definition, const sweep_results *results, size_t index,
                            json_writer *writer) {
    const sweep_run_result *run = &results->runs[index];
    json_object_begin(writer);
    JSON_KEY(writer, "index"); json_integer(writer, (int64_t)index);
    JSON_KEY(writer, "snapshots"); json_integer(writer, run->totals.snapshots);
    JSON_KEY(writer, "rule_sets"); json_integer(writer, run->totals.rule_sets);
    JSON_KEY(writer, "injected");
    json_array_begin(writer);
    for (int kind = 0; kind < FAULT_KIND_COUNT; kind++) json_integer(writer, run->totals.injected[kind]);
    json_array_end(writer);
    JSON_KEY(writer, "cells");
    json_array_begin(writer);
    for (size_t local = 0; local < definition->threshold_points; local++) {
        const sweep_cell *cell = &results->cells[index * definition->threshold_points + local];
        const int64_t *fields = &cell->ok;
        json_array_begin(writer);
        for (int field = 0; field < CELL_FIELDS; field++) json_integer(writer, fields[field]);
        json_array_end(writer);
    }
    json_array_end(writer);
    json_object_end(writer);
}

bool sweep_write_shard(const sweep_definition *definition, const sweep_results *results, size_t shard,
                       size_t shard_count, const char *directory, char *error, size_t error_capacity) {
    _Static_assert(sizeof(sweep_cell) == CELL_FIELDS * sizeof(int64_t), "a cell is its fields, in order");
    char path[PATH_CAPACITY + 64];
    snprintf(path, sizeof path, "%s/shards", directory);
    if (make_directories(path) < 0) {
        snprintf(error, error_capacity, "%s: cannot create: %s", path, strerror(errno));
        return false;
    }
    buffer out;
    buffer_init(&out, OUTPUT_BYTES_MAX);
    json_writer writer;
    json_writer_init(&writer, &out, false);
    json_object_begin(&writer);
    JSON_KEY(&writer, "ledgersim_shard"); json_integer(&writer, 1);
    JSON_KEY(&writer, "plan_sha256"); json_string(&writer, definition->plan_hash);
    JSON_KEY(&writer, "shard"); json_integer(&writer, (int64_t)shard);
    JSON_KEY(&writer, "shards"); json_integer(&writer, (int64_t)shard_count);
    JSON_KEY(&writer, "arguments");
    json_array_begin(&writer);
    for (int index = 0; index < definition->argument_count; index++) json_string(&writer, definition->arguments[index]);
    json_array_end(&writer);
    JSON_KEY(&writer, "runs");
    json_array_begin(&writer);
    for (size_t index = shard; index < definition->run_count; index += shard_count)
        write_shard_run(definition, results, index, &writer);
    json_array_end(&writer);
    json_object_end(&writer);
    buffer_append_text(&out, "\n");
    snprintf(path, sizeof path, "%s/shards/shard-%zu-of-%zu.json", directory, shard, shard_count);
    bool written = write_whole(path, &out, error, error_capacity);
    buffer_free(&out);
    return written;
}

/* Parses "shard-I-of-N.json" into I and N. */
static bool shard_name(const char *name, size_t *shard, size_t *count) {
    unsigned long parsed_shard, parsed_count;
    int consumed = 0;
    if (sscanf(name, "shard-%lu-of-%lu.json%n", &parsed_shard, &parsed_count, &consumed) != 2) return false;
    if (name[consumed] != '\0' || parsed_count == 0 || parsed_shard >= parsed_count) return false;
    *shard = parsed_shard;
    *count = parsed_count;
    return true;
}

/* Loads DIR/shards/shard-I-of-N.json; NULL when missing or unreadable. */
static cJSON *load_shard(const char *directory, size_t shard, size_t shard_count) {
    char path[PATH_CAPACITY + 64];
    snprintf(path, sizeof path, "%s/shards/shard-%zu-of-%zu.json", directory, shard, shard_count);
    cJSON *root = NULL;
    char error[PATH_CAPACITY + 256];
    buffer content;
    buffer_init(&content, OUTPUT_BYTES_MAX);
    if (json_file_read(path, &content, error, sizeof error) == JSON_FILE_OK && content.data != NULL)
        root = cJSON_ParseWithLength(content.data, content.length);
    buffer_free(&content);
    if (root != NULL && !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        root = NULL;
    }
    return root;
}

bool sweep_read_shard_arguments(const char *directory, void **arguments_storage, const char **arguments,
                                int *argument_count, size_t *shard_count, char *error, size_t error_capacity) {
    char path[PATH_CAPACITY + 32];
    snprintf(path, sizeof path, "%s/shards", directory);
    *arguments_storage = NULL;
    *shard_count = 0;
    DIR *listing = opendir(path);
    struct dirent *entry;
    size_t found_shard, found_count;
    bool mixed = false;
    while (listing != NULL && (entry = readdir(listing)) != NULL) {
        if (!shard_name(entry->d_name, &found_shard, &found_count)) continue;
        if (*shard_count != 0 && found_count != *shard_count) mixed = true;
        if (*shard_count == 0 || found_count > *shard_count) *shard_count = found_count;
    }
    if (listing != NULL) closedir(listing);
    /* The lowest readable shard defines the sweep: the same one whatever the listing order. */
    for (size_t shard = 0; !mixed && shard < *shard_count && *arguments_storage == NULL; shard++)
        *arguments_storage = load_shard(directory, shard, *shard_count);
    if (*shard_count == 0 || *arguments_storage == NULL) {
        snprintf(error, error_capacity, "%s: no readable shard-I-of-N.json (run the shards first)", path);
        cJSON_Delete(*arguments_storage);
        *arguments_storage = NULL;
        return false;
    }
    if (mixed) {
        snprintf(error, error_capacity, "%s holds shards of different counts N: remove the stale ones", path);
        cJSON_Delete(*arguments_storage);
        *arguments_storage = NULL;
        return false;
    }
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(*arguments_storage, "arguments");
    *argument_count = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        if (!cJSON_IsString(item) || *argument_count == SWEEP_ARGUMENTS_MAX) continue;
        arguments[(*argument_count)++] = item->valuestring;
    }
    return true;
}

/* Copies one shard run object into results; false when malformed. */
static bool read_shard_run(const sweep_definition *definition, sweep_results *results, const cJSON *run) {
    const cJSON *index_item = cJSON_GetObjectItemCaseSensitive(run, "index");
    if (!cJSON_IsNumber(index_item) || index_item->valuedouble < 0 ||
        index_item->valuedouble >= (double)definition->run_count)
        return false;
    size_t index = (size_t)index_item->valuedouble;
    sweep_run_result *slot = &results->runs[index];
    slot->totals.snapshots = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(run, "snapshots"));
    slot->totals.rule_sets = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(run, "rule_sets"));
    const cJSON *injected = cJSON_GetObjectItemCaseSensitive(run, "injected");
    const cJSON *cells = cJSON_GetObjectItemCaseSensitive(run, "cells");
    if (cJSON_GetArraySize(injected) != FAULT_KIND_COUNT ||
        cJSON_GetArraySize(cells) != (int)definition->threshold_points)
        return false;
    for (int kind = 0; kind < FAULT_KIND_COUNT; kind++)
        slot->totals.injected[kind] = (int64_t)cJSON_GetNumberValue(cJSON_GetArrayItem(injected, kind));
    size_t local = 0;
    const cJSON *cell;
    cJSON_ArrayForEach(cell, cells) {
        if (cJSON_GetArraySize(cell) != CELL_FIELDS) return false;
        int64_t *fields = &results->cells[index * definition->threshold_points + local++].ok;
        for (int field = 0; field < CELL_FIELDS; field++)
            fields[field] = (int64_t)cJSON_GetNumberValue(cJSON_GetArrayItem(cell, field));
    }
    slot->status = SWEEP_RUN_DONE;
    return true;
}

/* Appends "  shard I: WHY; rerun: COMMAND\n" to problems. */
static void add_problem(const sweep_definition *definition, const char *directory, size_t shard, size_t shard_count,
                        const char *why, buffer *problems) {
    char shard_text[64];
    snprintf(shard_text, sizeof shard_text, "%zu/%zu", shard, shard_count);
    const char *extra[4] = {"--shard", shard_text, "--out", directory};
    buffer_append_format(problems, "  shard %zu of %zu (%s/shards/shard-%zu-of-%zu.json): %s; rerun: ", shard,
                         shard_count, directory, shard, shard_count, why);
    buffer command;
    buffer_init(&command, 1 << 20);
    sweep_append_command(definition, &command, extra, 4);
    buffer_append_text(problems, command.data != NULL ? command.data : "");
    buffer_free(&command);
    buffer_append_text(problems, "\n");
}

int sweep_read_shards(const sweep_definition *definition, sweep_results *results, const char *directory,
                      size_t shard_count, char *error, size_t error_capacity) {
    buffer problems;
    buffer_init(&problems, 1 << 22);
    size_t bad = 0;
    for (size_t shard = 0; shard < shard_count; shard++) {
        cJSON *root = load_shard(directory, shard, shard_count);
        const char *why = NULL;
        const char *hash = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "plan_sha256"));
        if (root == NULL) {
            char path[PATH_CAPACITY + 64];
            snprintf(path, sizeof path, "%s/shards/shard-%zu-of-%zu.json", directory, shard, shard_count);
            why = access(path, F_OK) == 0 ? "unreadable" : "missing";
        } else if (hash == NULL || strcmp(hash, definition->plan_hash) != 0) {
            why = "foreign (another plan hash: other inputs, grid or options)";
        } else {
            const cJSON *run;
            cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(root, "runs")) {
                if (why == NULL && !read_shard_run(definition, results, run)) why = "malformed";
            }
        }
        cJSON_Delete(root);
        if (why != NULL) {
            bad++;
            add_problem(definition, directory, shard, shard_count, why, &problems);
        }
    }
    for (size_t index = 0; bad == 0 && index < definition->run_count; index++)
        if (results->runs[index].status != SWEEP_RUN_DONE) {
            bad++;
            add_problem(definition, directory, index % shard_count, shard_count, "lacks runs", &problems);
        }
    if (bad > 0)
        snprintf(error, error_capacity, "%zu of %zu shards cannot be merged:\n%s", bad, shard_count,
                 problems.data != NULL ? problems.data : "");
    buffer_free(&problems);
    return bad > 0 ? 2 : 0;
}

/* ---- baseline ------------------------------------------------------------ */

/* Appends to differences why the members name of a and b differ (printed JSON). */
static void compare_member(const cJSON *a, const cJSON *b, const char *name, buffer *differences) {
    char *text_a = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(a, name));
    char *text_b = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(b, name));
    if (text_a == NULL || text_b == NULL || strcmp(text_a, text_b) != 0)
        buffer_append_format(differences, "  %s: baseline %s, now %s\n", name, text_a != NULL ? text_a : "(none)",
                             text_b != NULL ? text_b : "(none)");
    free(text_a);
    free(text_b);
}

/* Prints every numeric member of a point that changed, "NAME old -> new". */
static bool print_changes(const cJSON *old_value, const cJSON *new_value, const char *prefix, buffer *line) {
    bool changed = false;
    const cJSON *member;
    cJSON_ArrayForEach(member, new_value) {
        if (member->string == NULL || strcmp(member->string, "breakdown") == 0 || strcmp(member->string, "values") == 0 ||
            strcmp(member->string, "point") == 0)
            continue;
        const cJSON *old_member = cJSON_GetObjectItemCaseSensitive(old_value, member->string);
        char name[256];
        snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] != '\0' ? "." : "", member->string);
        if (cJSON_IsObject(member)) {
            changed |= print_changes(old_member, member, name, line);
        } else if (cJSON_IsNumber(member) && (!cJSON_IsNumber(old_member) || old_member->valuedouble != member->valuedouble)) {
            if (cJSON_IsNumber(old_member))
                buffer_append_format(line, ", %s %.0f -> %.0f", name, old_member->valuedouble, member->valuedouble);
            else
                buffer_append_format(line, ", %s (none) -> %.0f", name, member->valuedouble);
            changed = true;
        }
    }
    return changed;
}

int sweep_compare_baseline(const char *baseline_path, const buffer *rendered, char *error, size_t error_capacity) {
    cJSON *old_root = NULL;
    if (!json_file_load_object(baseline_path, &old_root, "a sweep.json object", error, error_capacity)) return 2;
    cJSON *new_root = cJSON_ParseWithLength(rendered->data, rendered->length);
    buffer differences;
    buffer_init(&differences, 1 << 20);
    static const char *const members[] = {"inputs", "grid", "settings", "faults", "seeds", "detect_window"};
    for (size_t index = 0; index < sizeof members / sizeof members[0]; index++)
        compare_member(old_root, new_root, members[index], &differences);
    int status = 0;
    if (differences.length > 0) {
        snprintf(error, error_capacity, "%s is a sweep of other inputs, grid or options:\n%s", baseline_path,
                 differences.data);
        status = 2;
    }
    const cJSON *old_points = cJSON_GetObjectItemCaseSensitive(old_root, "points");
    const cJSON *point;
    long changed = 0;
    const cJSON *new_points = status == 0 ? cJSON_GetObjectItemCaseSensitive(new_root, "points") : NULL;
    cJSON_ArrayForEach(point, new_points) {
        int index = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(point, "point"));
        buffer line;
        buffer_init(&line, 1 << 16);
        if (print_changes(cJSON_GetArrayItem(old_points, index), point, "", &line)) {
            printf("point %d (", index);
            const cJSON *value;
            bool first = true;
            cJSON_ArrayForEach(value, cJSON_GetObjectItemCaseSensitive(point, "values")) {
                printf("%s%s=%s", first ? "" : " ", value->string, cJSON_GetStringValue(value));
                first = false;
            }
            printf("):%s\n", line.data != NULL ? line.data + 1 : "");
            changed++;
        }
        buffer_free(&line);
    }
    if (status == 0)
        printf("baseline %s: %ld of %d points changed\n", baseline_path, changed,
               cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(new_root, "points")));
    buffer_free(&differences);
    cJSON_Delete(old_root);
    cJSON_Delete(new_root);
    return status != 0 ? status : changed > 0 ? 1 : 0;
}
