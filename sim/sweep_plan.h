/* sweep_plan.h -- what a sweep is (its definition) and the runs it makes
 * (its plan), for ledgersim sweep (issues 16 and 18).
 *
 * The grid is the cartesian product of the --grid lists in the order given,
 * the last key varying fastest: point p has, for axis a, the value index
 * (p / product of the later axes' sizes) % size(a). Axes whose key starts
 * with "reconcile." are threshold axes: they change only the
 * classification, so one run classifies every threshold point (a "local"
 * point t, the product of the threshold axes alone, last fastest). The
 * other axes make groups: one per combination of their values (product of
 * the other axes alone, last fastest), each with its own runs.
 *
 * Plan: run index i = (group * scenarios + scenario) * per_scenario + r,
 * r = 0 the clean run (without --faults: the only one), r = 1 + k the run
 * with drawn faults and seed first_seed + k. Shard I of N runs the indices
 * i with i % N == I.
 *
 * The definition is kept as a canonical argument list (the options that
 * change results, in a fixed order), which a shard file carries so that
 * `sweep merge` rebuilds the same definition; its text, with the inputs'
 * sizes and sha256, is hashed into the plan hash. */
#ifndef LEDGERSIM_SIM_SWEEP_PLAN_H
#define LEDGERSIM_SIM_SWEEP_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "io/buffer.h"
#include "io/sha256.h"
#include "sim/faults.h"
#include "sim/sweep_classify.h"

enum {
    SWEEP_SCENARIOS_MAX = 1024,          /* scenario files */
    SWEEP_SETTINGS_MAX = 64,             /* --set options */
    SWEEP_KEY_CAPACITY = 64,             /* bytes of a config key */
    SWEEP_ARGUMENTS_MAX = 2 * (SWEEP_AXES_MAX + SWEEP_SETTINGS_MAX) + SWEEP_SCENARIOS_MAX + 16,
    SWEEP_INPUTS_MAX = SWEEP_SCENARIOS_MAX + 2
};
#define SWEEP_CELLS_MAX 4000000.0        /* runs x threshold points held at once (about 0.5 GB) */
#define SWEEP_SEEDS_MAX 1000000.0

typedef struct {
    char key[SWEEP_KEY_CAPACITY];
    bool threshold;                      /* a reconcile.* key */
    size_t value_count;
    char *values[SWEEP_AXIS_VALUES_MAX]; /* owned */
    char *text;                          /* owned: "KEY=V1,V2,..." as the command line gives it back */
} sweep_axis;

typedef struct {
    const char *path;                    /* borrowed (argv or the definition's strings) */
    const char *role;                    /* "scenario", "config", "holdings" */
    long long bytes;
    char sha256[SHA256_HEX_CAPACITY];
} sweep_input;

typedef struct {
    /* What the user asked (strings borrowed from the argument list). */
    const char *scenarios[SWEEP_SCENARIOS_MAX];
    size_t scenario_count;
    sweep_axis axes[SWEEP_AXES_MAX];
    size_t axis_count;
    const char *settings[SWEEP_SETTINGS_MAX];
    int setting_count;
    const char *config_path, *holdings_path;
    const char *faults_text;             /* NULL: no drawn faults */
    fault_plan faults;
    unsigned long first_seed, last_seed;
    long detect_window;                  /* 0: the default */
    /* Derived. */
    size_t point_count, group_count, threshold_points, per_scenario, run_count;
    size_t threshold_axes[SWEEP_AXES_MAX], threshold_axis_count;
    size_t group_axes[SWEEP_AXES_MAX], group_axis_count;
    const char **threshold_values;       /* [t * threshold_axis_count + k], owned array of borrowed texts */
    sweep_threshold_grid classifier_grid;
    sweep_input inputs[SWEEP_INPUTS_MAX];
    size_t input_count;
    char plan_hash[SHA256_HEX_CAPACITY];
    const char *arguments[SWEEP_ARGUMENTS_MAX]; /* canonical, borrowed strings */
    int argument_count;
    char seeds_text[64], window_text[32];
} sweep_definition;

/* One run of the plan. */
typedef struct {
    size_t group, scenario;
    bool clean;                          /* no drawn faults */
    unsigned long seed;                  /* when not clean */
} sweep_run;

/* Adds one "--grid KEY=V1,V2,..." text (borrowed) to definition. False with
 * error (a key that is unknown or given twice, a value that does not parse
 * or repeats, too many values or keys). */
bool sweep_add_axis(sweep_definition *definition, const char *text, char *error, size_t error_capacity);

/* Derives the points, groups and runs, hashes the inputs and names the
 * plan. False with error (no scenario, no grid, a key both swept and set,
 * too large, an unreadable input). */
bool sweep_finish_definition(sweep_definition *definition, char *error, size_t error_capacity);

/* Frees what the definition owns. */
void sweep_free_definition(sweep_definition *definition);

/* The run at plan index. */
sweep_run sweep_plan_run(const sweep_definition *definition, size_t index);

/* The axis value index of point p on axis. */
size_t sweep_point_value(const sweep_definition *definition, size_t point, size_t axis);

/* The group and threshold point of point p. */
void sweep_point_split(const sweep_definition *definition, size_t point, size_t *group, size_t *local);

/* The --set texts of group g ("KEY=VALUE" of its non-threshold axes, then
 * the user's --set), into settings (capacity entries) and storage (the
 * texts, capacity_bytes). Returns the count. */
int sweep_group_settings(const sweep_definition *definition, size_t group, const char **settings, size_t capacity,
                         char *storage, size_t capacity_bytes);

/* Appends the canonical command line ("ledgersim sweep ARGS", shell-quoted)
 * and, with extra non-NULL, the extra words after it. */
void sweep_append_command(const sweep_definition *definition, buffer *out, const char *const *extra, int extra_count);

/* Appends one word to a shell command (a space first unless out is empty),
 * single-quoted when it holds anything but [A-Za-z0-9_./=,:@%+-]. */
void sweep_append_shell_word(buffer *out, const char *word);

/* Appends the plan's header: the canonical command, the inputs (role,
 * path, bytes, sha256) and the sizes; the plan hash is its sha256. */
void sweep_append_plan_header(const sweep_definition *definition, buffer *out);

/* Appends the --plan listing: the header, one line per run, the hash. */
void sweep_append_plan(const sweep_definition *definition, buffer *out);

#endif
