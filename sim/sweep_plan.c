/* sweep_plan.c -- see sweep_plan.h. */
#include "sim/sweep_plan.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/number.h"

/* True when a and b set key alike: the same number, or the same text. */
static bool same_value(const char *a, const char *b) {
    double x, y;
    if (number_parse(a, strlen(a), &x) && number_parse(b, strlen(b), &y)) return x == y;
    return strcmp(a, b) == 0;
}

/* Checks one value of key (borrowed) the way --set would. */
static bool check_value(const char *key, const char *value, char *error, size_t error_capacity) {
    kernel_config scratch;
    config_defaults(&scratch);
    char reason[256];
    if (config_set(&scratch, key, value, reason, sizeof reason) == CONFIG_SET_OK) return true;
    snprintf(error, error_capacity, "--grid %s: %s", key, reason);
    return false;
}

bool sweep_add_axis(sweep_definition *definition, const char *text, char *error, size_t error_capacity) {
    const char *equals = strchr(text, '=');
    if (equals == NULL || equals == text || equals[1] == '\0') {
        snprintf(error, error_capacity, "--grid %s: expected KEY=V1,V2,...", text);
        return false;
    }
    size_t key_length = (size_t)(equals - text);
    if (definition->axis_count == SWEEP_AXES_MAX || key_length >= SWEEP_KEY_CAPACITY) {
        snprintf(error, error_capacity, "--grid %s: at most %d grid keys of at most %d bytes", text, SWEEP_AXES_MAX,
                 SWEEP_KEY_CAPACITY - 1);
        return false;
    }
    sweep_axis *axis = &definition->axes[definition->axis_count];
    memset(axis, 0, sizeof *axis);
    memcpy(axis->key, text, key_length);
    if (!config_key_known(axis->key)) {
        snprintf(error, error_capacity, "--grid %s: unknown config key '%s'", text, axis->key);
        return false;
    }
    for (size_t other = 0; other < definition->axis_count; other++)
        if (strcmp(definition->axes[other].key, axis->key) == 0) {
            snprintf(error, error_capacity, "--grid %s: the key is already swept", axis->key);
            return false;
        }
    axis->threshold = strncmp(axis->key, "reconcile.", 10) == 0;
    definition->axis_count++; /* from here the definition owns axis->values and text */
    axis->text = strdup(text);
    if (axis->text == NULL) {
        snprintf(error, error_capacity, "out of memory");
        return false;
    }
    for (const char *cursor = equals + 1;;) {
        const char *comma = strchr(cursor, ',');
        size_t length = comma != NULL ? (size_t)(comma - cursor) : strlen(cursor);
        if (axis->value_count == SWEEP_AXIS_VALUES_MAX) {
            snprintf(error, error_capacity, "--grid %s: more than %d values", axis->key, SWEEP_AXIS_VALUES_MAX);
            return false;
        }
        char *value = strndup(cursor, length);
        if (value == NULL) {
            snprintf(error, error_capacity, "out of memory");
            return false;
        }
        axis->values[axis->value_count++] = value;
        if (!check_value(axis->key, value, error, error_capacity)) return false;
        for (size_t before = 0; before + 1 < axis->value_count; before++)
            if (same_value(axis->values[before], value)) {
                snprintf(error, error_capacity, "--grid %s: the value %s is given twice", axis->key, value);
                return false;
            }
        if (comma == NULL) break;
        cursor = comma + 1;
    }
    return true;
}

void sweep_free_definition(sweep_definition *definition) {
    for (size_t axis = 0; axis < definition->axis_count; axis++)
        for (size_t value = 0; value < definition->axes[axis].value_count; value++)
            free(definition->axes[axis].values[value]);
    for (size_t axis = 0; axis < definition->axis_count; axis++) free(definition->axes[axis].text);
    definition->axis_count = 0;
    free(definition->threshold_values);
    definition->threshold_values = NULL;
}

size_t sweep_point_value(const sweep_definition *definition, size_t point, size_t axis) {
    assert(point < definition->point_count);
    assert(axis < definition->axis_count);
    size_t later = 1;
    for (size_t after = axis + 1; after < definition->axis_count; after++) later *= definition->axes[after].value_count;
    return point / later % definition->axes[axis].value_count;
}

void sweep_point_split(const sweep_definition *definition, size_t point, size_t *group, size_t *local) {
    *group = 0;
    *local = 0;
    for (size_t axis = 0; axis < definition->axis_count; axis++) {
        size_t value = sweep_point_value(definition, point, axis);
        if (definition->axes[axis].threshold)
            *local = *local * definition->axes[axis].value_count + value;
        else
            *group = *group * definition->axes[axis].value_count + value;
    }
    assert(*group < definition->group_count);
    assert(*local < definition->threshold_points);
}

sweep_run sweep_plan_run(const sweep_definition *definition, size_t index) {
    assert(index < definition->run_count);
    sweep_run run;
    size_t r = index % definition->per_scenario;
    run.scenario = index / definition->per_scenario % definition->scenario_count;
    run.group = index / definition->per_scenario / definition->scenario_count;
    run.clean = r == 0;
    run.seed = run.clean ? 0 : definition->first_seed + (unsigned long)(r - 1);
    return run;
}

/* The value index of axis in group g (axis a non-threshold axis). */
static size_t group_value(const sweep_definition *definition, size_t group, size_t axis) {
    size_t later = 1;
    for (size_t k = definition->group_axis_count; k-- > 0;) {
        size_t other = definition->group_axes[k];
        if (other == axis) return group / later % definition->axes[axis].value_count;
        later *= definition->axes[other].value_count;
    }
    assert(false);
    return 0;
}

int sweep_group_settings(const sweep_definition *definition, size_t group, const char **settings, size_t capacity,
                         char *storage, size_t capacity_bytes) {
    int count = 0;
    size_t used = 0;
    for (size_t k = 0; k < definition->group_axis_count && (size_t)count < capacity; k++) {
        const sweep_axis *axis = &definition->axes[definition->group_axes[k]];
        const char *value = axis->values[group_value(definition, group, definition->group_axes[k])];
        int written = snprintf(storage + used, capacity_bytes - used, "%s=%s", axis->key, value);
        assert(written > 0 && used + (size_t)written < capacity_bytes);
        settings[count++] = storage + used;
        used += (size_t)written + 1;
    }
    for (int index = 0; index < definition->setting_count && (size_t)count < capacity; index++)
        settings[count++] = definition->settings[index];
    return count;
}

/* Derives the sizes: points, groups, threshold points, runs. */
static bool derive_sizes(sweep_definition *definition, char *error, size_t error_capacity) {
    double points = 1, groups = 1, locals = 1;
    definition->threshold_axis_count = definition->group_axis_count = 0;
    for (size_t axis = 0; axis < definition->axis_count; axis++) {
        double size = (double)definition->axes[axis].value_count;
        points *= size;
        if (definition->axes[axis].threshold) {
            locals *= size;
            definition->threshold_axes[definition->threshold_axis_count++] = axis;
        } else {
            groups *= size;
            definition->group_axes[definition->group_axis_count++] = axis;
        }
    }
    double per_scenario = definition->faults_text != NULL
                              ? 1.0 + (double)(definition->last_seed - definition->first_seed) + 1.0 : 1.0;
    double runs = groups * (double)definition->scenario_count * per_scenario;
    if (runs * locals > SWEEP_CELLS_MAX) {
        snprintf(error, error_capacity, "the sweep has %.0f runs x %.0f threshold points: more than %.0f counts "
                 "to hold (use fewer seeds or values, or --shard)", runs, locals, SWEEP_CELLS_MAX);
        return false;
    }
    definition->point_count = (size_t)points;
    definition->group_count = (size_t)groups;
    definition->threshold_points = (size_t)locals;
    definition->per_scenario = (size_t)per_scenario;
    definition->run_count = (size_t)runs;
    return true;
}

/* The classifier's grid: every threshold point's value texts. */
static bool build_threshold_grid(sweep_definition *definition) {
    size_t axes = definition->threshold_axis_count, points = definition->threshold_points;
    definition->threshold_values = calloc(points * (axes > 0 ? axes : 1), sizeof *definition->threshold_values);
    if (definition->threshold_values == NULL) return false;
    for (size_t t = 0; t < points; t++) {
        size_t rest = t;
        for (size_t k = axes; k-- > 0;) {
            const sweep_axis *axis = &definition->axes[definition->threshold_axes[k]];
            definition->threshold_values[t * axes + k] = axis->values[rest % axis->value_count];
            rest /= axis->value_count;
        }
    }
    sweep_threshold_grid *grid = &definition->classifier_grid;
    grid->axis_count = axes;
    for (size_t k = 0; k < axes; k++) grid->keys[k] = definition->axes[definition->threshold_axes[k]].key;
    grid->point_count = points;
    grid->values = definition->threshold_values;
    grid->detect_window = definition->detect_window;
    return true;
}

/* Adds an input with its size and hash. */
static bool add_input(sweep_definition *definition, const char *path, const char *role, char *error,
                      size_t error_capacity) {
    assert(definition->input_count < SWEEP_INPUTS_MAX);
    sweep_input *input = &definition->inputs[definition->input_count++];
    input->path = path;
    input->role = role;
    if (sha256_file(path, input->sha256, &input->bytes)) return true;
    snprintf(error, error_capacity, "%s: cannot read: %s", path, strerror(errno));
    return false;
}

/* The canonical argument list: scenarios, grids, settings, files, faults. */
static void build_arguments(sweep_definition *definition) {
    int count = 0;
    const char **arguments = definition->arguments;
    for (size_t index = 0; index < definition->scenario_count; index++) arguments[count++] = definition->scenarios[index];
    for (size_t axis = 0; axis < definition->axis_count; axis++) {
        arguments[count++] = "--grid";
        arguments[count++] = definition->axes[axis].text;
    }
    for (int index = 0; index < definition->setting_count; index++) {
        arguments[count++] = "--set";
        arguments[count++] = definition->settings[index];
    }
    if (definition->config_path != NULL) {
        arguments[count++] = "--config";
        arguments[count++] = definition->config_path;
    }
    if (definition->holdings_path != NULL) {
        arguments[count++] = "--holdings";
        arguments[count++] = definition->holdings_path;
    }
    if (definition->faults_text != NULL) {
        snprintf(definition->seeds_text, sizeof definition->seeds_text, "%lu..%lu", definition->first_seed,
                 definition->last_seed);
        arguments[count++] = "--faults";
        arguments[count++] = definition->faults_text;
        arguments[count++] = "--seeds";
        arguments[count++] = definition->seeds_text;
    }
    if (definition->detect_window > 0) {
        snprintf(definition->window_text, sizeof definition->window_text, "%ld", definition->detect_window);
        arguments[count++] = "--detect-window";
        arguments[count++] = definition->window_text;
    }
    assert(count <= SWEEP_ARGUMENTS_MAX);
    definition->argument_count = count;
}

/* The plan hash: sha256 of the plan's header text. */
static void hash_plan(sweep_definition *definition) {
    buffer text;
    buffer_init(&text, 1 << 24);
    sweep_append_plan_header(definition, &text);
    sha256_context context;
    sha256_init(&context);
    sha256_update(&context, text.data != NULL ? text.data : "", text.length);
    sha256_final_hex(&context, definition->plan_hash);
    buffer_free(&text);
}

bool sweep_finish_definition(sweep_definition *definition, char *error, size_t error_capacity) {
    if (definition->scenario_count == 0 || definition->axis_count == 0) {
        snprintf(error, error_capacity, "a scenario file and at least one --grid KEY=V1,... are required");
        return false;
    }
    for (int index = 0; index < definition->setting_count; index++)
        for (size_t axis = 0; axis < definition->axis_count; axis++) {
            size_t length = strlen(definition->axes[axis].key);
            if (strncmp(definition->settings[index], definition->axes[axis].key, length) == 0 &&
                definition->settings[index][length] == '=') {
                snprintf(error, error_capacity, "%s is both swept (--grid) and set (--set)", definition->axes[axis].key);
                return false;
            }
        }
    if (!derive_sizes(definition, error, error_capacity)) return false;
    if (!build_threshold_grid(definition)) {
        snprintf(error, error_capacity, "out of memory");
        return false;
    }
    definition->input_count = 0;
    for (size_t index = 0; index < definition->scenario_count; index++)
        if (!add_input(definition, definition->scenarios[index], "scenario", error, error_capacity)) return false;
    if (definition->config_path != NULL && !add_input(definition, definition->config_path, "config", error, error_capacity))
        return false;
    if (definition->holdings_path != NULL &&
        !add_input(definition, definition->holdings_path, "holdings", error, error_capacity))
        return false;
    build_arguments(definition);
    hash_plan(definition);
    return true;
}

void sweep_append_shell_word(buffer *out, const char *word) {
    bool plain = word[0] != '\0';
    for (const char *cursor = word; *cursor != '\0' && plain; cursor++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=,:@%+-", *cursor) != NULL;
    if (out->length > 0) buffer_append_text(out, " ");
    if (plain) {
        buffer_append_text(out, word);
        return;
    }
    buffer_append_text(out, "'");
    for (const char *cursor = word; *cursor != '\0'; cursor++)
        if (*cursor == '\'')
            buffer_append_text(out, "'\\''");
        else
            buffer_append(out, cursor, 1);
    buffer_append_text(out, "'");
}

void sweep_append_command(const sweep_definition *definition, buffer *out, const char *const *extra, int extra_count) {
    sweep_append_shell_word(out, "ledgersim");
    sweep_append_shell_word(out, "sweep");
    for (int index = 0; index < definition->argument_count; index++)
        sweep_append_shell_word(out, definition->arguments[index]);
    for (int index = 0; index < extra_count; index++) sweep_append_shell_word(out, extra[index]);
}

void sweep_append_plan_header(const sweep_definition *definition, buffer *out) {
    buffer_append_text(out, "ledgersim sweep plan 1\ncommand: ");
    buffer command;
    buffer_init(&command, 1 << 20);
    sweep_append_command(definition, &command, NULL, 0);
    buffer_append_text(out, command.data != NULL ? command.data : "");
    buffer_free(&command);
    buffer_append_text(out, "\n");
    for (size_t index = 0; index < definition->input_count; index++) {
        const sweep_input *input = &definition->inputs[index];
        buffer_append_format(out, "input %s %s %lld sha256:%s\n", input->role, input->path, input->bytes,
                             input->sha256);
    }
    buffer_append_format(out, "points %zu, threshold points per run %zu, groups %zu, runs %zu\n",
                         definition->point_count, definition->threshold_points, definition->group_count,
                         definition->run_count);
}

void sweep_append_plan(const sweep_definition *definition, buffer *out) {
    sweep_append_plan_header(definition, out);
    char storage[SWEEP_AXES_MAX * (SWEEP_KEY_CAPACITY + 64) + 64];
    for (size_t index = 0; index < definition->run_count; index++) {
        sweep_run run = sweep_plan_run(definition, index);
        buffer_append_format(out, "run %zu: %s", index, definition->scenarios[run.scenario]);
        if (run.clean)
            buffer_append_text(out, definition->faults_text != NULL ? " clean" : "");
        else
            buffer_append_format(out, " seed %lu", run.seed);
        const char *settings[SWEEP_AXES_MAX + SWEEP_SETTINGS_MAX];
        int count = sweep_group_settings(definition, run.group, settings, SWEEP_AXES_MAX, storage, sizeof storage);
        for (int k = 0; k < count && (size_t)k < definition->group_axis_count; k++)
            buffer_append_format(out, " %s", settings[k]);
        buffer_append_text(out, "\n");
    }
    buffer_append_format(out, "plan sha256:%s\n", definition->plan_hash);
}
