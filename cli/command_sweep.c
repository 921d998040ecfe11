/* command_sweep.c -- `ledgersim sweep`: scenarios classified over a grid
 * of configuration values, the reconcile thresholds in one pass (issue 16);
 * its plan, shards, merge and Slurm scripts (issue 18).
 *
 * The work is in sim/sweep_plan (what the sweep is and its runs),
 * sim/sweep_run (the runs, -j N), sim/sweep_classify (one run under every
 * threshold point), sim/sweep_output (files, shards, baseline) and
 * io/sweep_report (charts). This file parses the command line, draws the
 * progress line and writes the Slurm scripts. */
#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "io/atomic_file.h"
#include "reports/sweep_report.h"
#include "sim/sweep_output.h"
#include "sim/sweep_plan.h"
#include "sim/sweep_run.h"

enum { SWEEP_ERROR_CAPACITY = PATH_CAPACITY + (1 << 16) };

typedef struct {
    const char *output_directory;        /* --out (default out/sweep) */
    const char *baseline_path;
    long jobs;
    bool plan;
    bool sharded;
    size_t shard, shard_count;
    const char *slurm_directory;         /* --emit-slurm DIR */
    long slurm_shards, throttle;
    const char *time_limit, *partition, *account, *memory;
    bool report;                          /* false with --no-report */
} sweep_options;

/* Prints the usage on stream. */
static void sweep_usage(FILE *stream) {
    fprintf(stream,
            "usage: ledgersim sweep SCENARIO... --grid KEY=V1,V2,... [--grid KEY=...]...\n"
            "                       [--faults SPEC --seeds A..B] [--detect-window N] [-j N]\n"
            "                       [--out DIR] [--baseline FILE] [--set KEY=VALUE]...\n"
            "                       [--config FILE.json] [--holdings FILE.json] [--no-report]\n"
            "       ledgersim sweep ... --plan\n"
            "       ledgersim sweep ... --shard I/N [--out DIR]\n"
            "       ledgersim sweep merge DIR\n"
            "       ledgersim sweep ... --emit-slurm DIR --shards N [--throttle K] [--time T]\n"
            "                       [--partition P] [--account A] [--mem M] [--out DIR]\n\n"
            "Runs every scenario at every point of the grid (the cartesian product of the\n"
            "--grid lists, the last key varying fastest) and counts snapshots by status and\n"
            "by rule. reconcile.* keys change only the classification: each scenario (and\n"
            "seed) runs once and every threshold point is classified in the same pass;\n"
            "other keys run once per distinct setting.\n\n"
            "Writes DIR/sweep.csv, DIR/sweep.json and DIR/reports/ (default DIR out/sweep).\n"
            "  --faults SPEC --seeds A..B  per scenario a clean run and one run per seed\n"
            "                    with drawn faults; adds clean_not_ok and per fault kind\n"
            "                    KIND.injected, KIND.detected\n"
            "  -j N              N processes (the outputs are the same for every N)\n"
            "  --baseline FILE   compare with an earlier sweep.json: changed points are\n"
            "                    printed old -> new, exit 1 when any changed\n"
            "  --plan            print the runs, their indices and the plan hash; run nothing\n"
            "  --shard I/N       run only the plan indices i with i %% N == I into\n"
            "                    DIR/shards/shard-I-of-N.json; `sweep merge DIR` joins them\n"
            "  --emit-slurm DIR  write DIR/sweep.sbatch (a job array, one task per shard)\n"
            "                    and DIR/merge.sbatch, print the commands that submit them\n\n"
            "Exit status: 0 success, 1 a point changed against --baseline, 2 bad input\n"
            "(or a baseline of other inputs or grid, or shards missing at merge), 3 an\n"
            "output error.\n");
}

/* Parses a whole number in [minimum, maximum]. */
static bool parse_number(const char *text, unsigned long minimum, unsigned long maximum, unsigned long *value) {
    if (text[0] < '0' || text[0] > '9') return false;
    errno = 0;
    char *end;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || parsed < minimum || parsed > maximum) return false;
    *value = (unsigned long)parsed;
    return true;
}

/* Parses "A..B" seeds or "I/N" (separator) into two numbers. */
static bool parse_pair(const char *text, const char *separator, unsigned long *first, unsigned long *second,
                       unsigned long maximum) {
    const char *at = strstr(text, separator);
    if (at == NULL || (size_t)(at - text) >= 32) return false;
    char head[32];
    memcpy(head, text, (size_t)(at - text));
    head[at - text] = '\0';
    return parse_number(head, 0, maximum, first) && parse_number(at + strlen(separator), 0, maximum, second);
}

/* One option that defines the sweep (what a shard file carries) at
 * argv[*index]: 1 taken (*index on its last word), 0 not one of them, -1 a
 * usage error (printed). */
static int parse_definition_option(int argc, char **argv, int *index, sweep_definition *definition) {
    const char *argument = argv[*index];
    if (*index + 1 >= argc) return 0;
    const char *value = argv[*index + 1];
    char error[1024];
    unsigned long number, other;
    if (strcmp(argument, "--grid") == 0) {
        if (!sweep_add_axis(definition, value, error, sizeof error)) {
            fprintf(stderr, "ledgersim sweep: %s\n", error);
            return -1;
        }
    } else if (strcmp(argument, "--set") == 0 && definition->setting_count < SWEEP_SETTINGS_MAX) {
        definition->settings[definition->setting_count++] = value;
    } else if (strcmp(argument, "--config") == 0) {
        definition->config_path = value;
    } else if (strcmp(argument, "--holdings") == 0) {
        definition->holdings_path = value;
    } else if (strcmp(argument, "--faults") == 0) {
        definition->faults_text = value;
        if (!fault_plan_parse(value, &definition->faults, error, sizeof error)) {
            fprintf(stderr, "ledgersim sweep: %s\n", error);
            return -1;
        }
    } else if (strcmp(argument, "--seeds") == 0) {
        if (!parse_pair(value, "..", &number, &other, 4294967295UL) || other < number ||
            (double)(other - number) >= SWEEP_SEEDS_MAX) {
            fprintf(stderr, "ledgersim sweep: --seeds takes A..B, 0 <= A <= B <= 4294967295, at most %.0f seeds\n",
                    SWEEP_SEEDS_MAX);
            return -1;
        }
        definition->first_seed = number;
        definition->last_seed = other;
        definition->seeds_text[0] = 's'; /* marks that --seeds was given */
    } else if (strcmp(argument, "--detect-window") == 0) {
        if (!parse_number(value, 1, DETECT_WINDOW_MAX, &number)) {
            fprintf(stderr, "ledgersim sweep: --detect-window takes 1 to %d\n", DETECT_WINDOW_MAX);
            return -1;
        }
        definition->detect_window = (long)number;
    } else {
        return 0;
    }
    (*index)++;
    return 1;
}

/* One option of this command (how and where to run, not what) at
 * argv[*index]; the same returns as parse_definition_option. */
static int parse_command_option(int argc, char **argv, int *index, sweep_options *options) {
    const char *argument = argv[*index];
    unsigned long number, other;
    if (strcmp(argument, "--plan") == 0) return options->plan = true, 1;
    if (strcmp(argument, "--no-report") == 0) return options->report = false, 1;
    if (*index + 1 >= argc) return 0;
    const char *value = argv[++*index];
    if (strcmp(argument, "-j") == 0) {
        if (!parse_number(value, 1, SWEEP_JOBS_MAX, &number)) {
            fprintf(stderr, "ledgersim sweep: -j takes 1 to %d\n", SWEEP_JOBS_MAX);
            return -1;
        }
        options->jobs = (long)number;
    } else if (strcmp(argument, "--shard") == 0) {
        if (!parse_pair(value, "/", &number, &other, SWEEP_SHARDS_MAX) || other == 0 || number >= other) {
            fprintf(stderr, "ledgersim sweep: --shard takes I/N with 0 <= I < N <= %d\n", SWEEP_SHARDS_MAX);
            return -1;
        }
        options->sharded = true;
        options->shard = number;
        options->shard_count = other;
    } else if (strcmp(argument, "--shards") == 0 || strcmp(argument, "--throttle") == 0) {
        if (!parse_number(value, 1, SWEEP_SHARDS_MAX, &number)) {
            fprintf(stderr, "ledgersim sweep: %s takes 1 to %d\n", argument, SWEEP_SHARDS_MAX);
            return -1;
        }
        *(strcmp(argument, "--shards") == 0 ? &options->slurm_shards : &options->throttle) = (long)number;
    } else {
        const char **targets[] = {&options->output_directory, &options->baseline_path, &options->slurm_directory,
                                  &options->time_limit, &options->partition, &options->account, &options->memory};
        static const char *const names[] = {"--out", "--baseline", "--emit-slurm", "--time", "--partition",
                                            "--account", "--mem"};
        for (size_t name = 0; name < sizeof names / sizeof names[0]; name++)
            if (strcmp(argument, names[name]) == 0) return *targets[name] = value, 1;
        --*index;
        return 0;
    }
    return 1;
}

/* Parses the options that define the sweep and those of this command. The
 * definition borrows strings of argv. Returns 0, 1 for --help, -1 on a
 * usage error (printed). */
static int parse_sweep_arguments(int argc, char **argv, int first, sweep_definition *definition,
                                 sweep_options *options) {
    for (int index = first; index < argc; index++) {
        const char *argument = argv[index];
        if (strcmp(argument, "--help") == 0 || strcmp(argument, "-h") == 0) return 1;
        int taken = parse_definition_option(argc, argv, &index, definition);
        if (taken == 0) taken = parse_command_option(argc, argv, &index, options);
        if (taken < 0) return -1;
        if (taken > 0) continue;
        if (argument[0] == '-' && argument[1] != '\0') {
            fprintf(stderr, "ledgersim sweep: unknown option or missing value: %s\n", argument);
            return -1;
        }
        if (definition->scenario_count == SWEEP_SCENARIOS_MAX) {
            fprintf(stderr, "ledgersim sweep: more than %d scenario files\n", SWEEP_SCENARIOS_MAX);
            return -1;
        }
        definition->scenarios[definition->scenario_count++] = argument;
    }
    if ((definition->faults_text != NULL) != (definition->seeds_text[0] != '\0')) {
        fprintf(stderr, "ledgersim sweep: --faults and --seeds go together\n");
        return -1;
    }
    if (options->slurm_directory != NULL && options->slurm_shards == 0) {
        fprintf(stderr, "ledgersim sweep: --emit-slurm needs --shards N\n");
        return -1;
    }
    return 0;
}

/* ---- progress ------------------------------------------------------------ */

typedef struct {
    bool enabled;                        /* stderr is a terminal */
    bool drawn;
    double started_s, last_draw_s;
    size_t runs_per_group, threshold_points, point_count;
} progress_line;

/* Monotonic seconds (drawing only: never reaches an output). */
static double monotonic_s(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Draws "sweep: runs D/T, points P/Q, about S s left" at most 10 times a second. */
static void draw_progress(void *context, size_t done, size_t total) {
    progress_line *line = context;
    if (!line->enabled) return;
    double now = monotonic_s();
    if (done < total && now - line->last_draw_s < 0.1) return;
    line->last_draw_s = now;
    line->drawn = true;
    size_t points = line->runs_per_group > 0 ? done / line->runs_per_group * line->threshold_points : 0;
    if (done == total || points > line->point_count) points = line->point_count;
    double elapsed = now - line->started_s;
    if (done == 0 || done == total)
        fprintf(stderr, "\rsweep: runs %zu/%zu, points %zu/%zu   ", done, total, points, line->point_count);
    else
        fprintf(stderr, "\rsweep: runs %zu/%zu, points %zu/%zu, about %.0f s left   ", done, total, points,
                line->point_count, elapsed / (double)done * (double)(total - done));
    fflush(stderr);
}

/* ---- Slurm scripts ---------------------------------------------------------- */

/* Appends "#SBATCH --NAME=VALUE\n" when value is set. */
static void sbatch_option(buffer *out, const char *name, const char *value) {
    if (value != NULL) buffer_append_format(out, "#SBATCH --%s=%s\n", name, value);
}

/* The absolute path of this executable, for the scripts. */
static void own_executable(char *path, size_t capacity) {
    ssize_t length = readlink("/proc/self/exe", path, capacity - 1);
    if (length <= 0) length = (ssize_t)snprintf(path, capacity, "ledgersim");
    path[length] = '\0';
}

/* Writes the shared head of both scripts into out. */
static void script_head(buffer *out, const sweep_options *options, const char *job_name, const char *log_name) {
    buffer_append_text(out, "#!/bin/sh\n");
    buffer_append_format(out, "#SBATCH --job-name=%s\n", job_name);
    buffer_append_format(out, "#SBATCH --output=%s/logs/%s\n", options->slurm_directory, log_name);
    sbatch_option(out, "time", options->time_limit);
    sbatch_option(out, "partition", options->partition);
    sbatch_option(out, "account", options->account);
    sbatch_option(out, "mem", options->memory);
}

/* Writes DIR/sweep.sbatch and DIR/merge.sbatch and prints how to submit them. */
static int emit_slurm(const sweep_definition *definition, const sweep_options *options, const char *output) {
    char path[PATH_CAPACITY + 64], executable[PATH_CAPACITY], directory[PATH_CAPACITY];
    own_executable(executable, sizeof executable);
    if (getcwd(directory, sizeof directory) == NULL) snprintf(directory, sizeof directory, ".");
    snprintf(path, sizeof path, "%s/logs", options->slurm_directory);
    if (make_directories(path) < 0) {
        fprintf(stderr, "ledgersim sweep: %s: cannot create: %s\n", path, strerror(errno));
        return 3;
    }
    buffer script, words;
    buffer_init(&script, 1 << 22);
    buffer_init(&words, 1 << 22);
    script_head(&script, options, "ledgersim-sweep", "shard-%a.out");
    long throttle = options->throttle > 0 ? options->throttle : options->slurm_shards;
    buffer_append_format(&script, "#SBATCH --array=0-%ld%%%ld\n", options->slurm_shards - 1, throttle);
    sweep_append_shell_word(&words, directory);
    buffer_append_format(&script, "set -eu\ncd %s\n", words.data);
    buffer_reset(&words);
    sweep_append_shell_word(&words, executable);
    buffer_append_format(&script, "LEDGERSIM=${LEDGERSIM:-%s}\n", words.data);
    buffer_reset(&words);
    const char *extra[2] = {"--out", output};
    sweep_append_command(definition, &words, extra, 2);
    /* words starts with "ledgersim sweep": the binary comes from $LEDGERSIM. */
    buffer_append_format(&script, "exec \"$LEDGERSIM\"%s --shard \"$SLURM_ARRAY_TASK_ID/%ld\"\n",
                         words.data + strlen("ledgersim"), options->slurm_shards);
    snprintf(path, sizeof path, "%s/sweep.sbatch", options->slurm_directory);
    int status = !buffer_failed(&script) && atomic_file_write(path, script.data, script.length) == 0 ? 0 : 3;
    buffer_reset(&script);
    script_head(&script, options, "ledgersim-merge", "merge.out");
    buffer_reset(&words);
    sweep_append_shell_word(&words, directory);
    buffer_append_format(&script, "set -eu\ncd %s\n", words.data);
    buffer_reset(&words);
    sweep_append_shell_word(&words, executable);
    buffer_append_format(&script, "LEDGERSIM=${LEDGERSIM:-%s}\n", words.data);
    buffer_reset(&words);
    sweep_append_shell_word(&words, output);
    buffer_append_format(&script, "exec \"$LEDGERSIM\" sweep merge %s\n", words.data);
    snprintf(path, sizeof path, "%s/merge.sbatch", options->slurm_directory);
    if (status == 0 && (buffer_failed(&script) || atomic_file_write(path, script.data, script.length) != 0)) status = 3;
    buffer_free(&script);
    buffer_free(&words);
    if (status != 0) {
        fprintf(stderr, "ledgersim sweep: cannot write the scripts in %s: %s\n", options->slurm_directory,
                strerror(errno));
        return status;
    }
    printf("array=$(sbatch --parsable %s/sweep.sbatch | cut -d';' -f1)\n", options->slurm_directory);
    printf("sbatch --dependency=afterok:$array %s/merge.sbatch\n", options->slurm_directory);
    return 0;
}

/* ---- the command ------------------------------------------------------------- */

/* Writes the outputs and reports of finished results; then the baseline. */
static int finish_outputs(const sweep_definition *definition, const sweep_results *results,
                          const sweep_options *options, const char *output) {
    static char error[SWEEP_ERROR_CAPACITY];
    if (!sweep_write_outputs(definition, results, output, error, sizeof error)) {
        fprintf(stderr, "ledgersim sweep: %s\n", error);
        return 3;
    }
    if (options->report) {
        int drawn = sweep_report_write(output, error, sizeof error);
        if (drawn == REPORT_NO_GNUPLOT)
            fprintf(stderr, "ledgersim sweep: gnuplot not found on PATH: reports skipped\n");
        else if (drawn != 0) {
            fprintf(stderr, "ledgersim sweep: report: %s\n", error);
            return 3;
        }
    }
    printf("sweep: %zu points, %zu runs -> %s/sweep.csv, %s/sweep.json\n", definition->point_count,
           definition->run_count, output, output);
    if (options->baseline_path == NULL) return EXIT_OK;
    buffer rendered;
    buffer_init(&rendered, 1u << 30);
    sweep_render_json(definition, results, &rendered);
    int compared = sweep_compare_baseline(options->baseline_path, &rendered, error, sizeof error);
    buffer_free(&rendered);
    if (compared == 2) fprintf(stderr, "ledgersim sweep: %s\n", error);
    return compared;
}

/* Runs (all or one shard) and writes what the options ask. */
static int run_sweep(const sweep_definition *definition, const sweep_options *options) {
    const char *output = options->output_directory != NULL ? options->output_directory : "out/sweep";
    if (options->plan) {
        buffer listing;
        buffer_init(&listing, 1u << 30);
        sweep_append_plan(definition, &listing);
        if (!buffer_failed(&listing)) fputs(listing.data, stdout);
        buffer_free(&listing);
        return EXIT_OK;
    }
    if (options->slurm_directory != NULL) return emit_slurm(definition, options, output);
    sweep_results results;
    if (!sweep_results_init(&results, definition)) {
        fprintf(stderr, "ledgersim sweep: cannot map the results: %s\n", strerror(errno));
        return 3;
    }
    progress_line line = {.enabled = isatty(STDERR_FILENO) == 1, .started_s = monotonic_s(),
                          .runs_per_group = definition->scenario_count * definition->per_scenario,
                          .threshold_points = definition->threshold_points, .point_count = definition->point_count};
    size_t shard = options->sharded ? options->shard : 0, shard_count = options->sharded ? options->shard_count : 1;
    static char error[SWEEP_ERROR_CAPACITY];
    int status = sweep_execute(definition, &results, shard, shard_count, options->jobs, draw_progress, &line, error,
                               sizeof error);
    if (line.drawn) fprintf(stderr, "\n");
    if (status != 0)
        fprintf(stderr, "ledgersim sweep: %s\n", error);
    else if (options->sharded) {
        if (!sweep_write_shard(definition, &results, shard, shard_count, output, error, sizeof error)) {
            fprintf(stderr, "ledgersim sweep: %s\n", error);
            status = 3;
        } else
            printf("sweep: shard %zu of %zu -> %s/shards/shard-%zu-of-%zu.json\n", shard, shard_count, output, shard,
                   shard_count);
    } else
        status = finish_outputs(definition, &results, options, output);
    sweep_results_free(&results);
    return status;
}

/* `ledgersim sweep merge DIR`. */
static int merge_shards(int argc, char **argv) {
    if (argc != 3 || argv[2][0] == '-') {
        fprintf(stderr, "usage: ledgersim sweep merge DIR\n");
        return argc == 3 && strcmp(argv[2], "--help") == 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    const char *directory = argv[2];
    static char error[SWEEP_ERROR_CAPACITY];
    void *storage = NULL;
    static const char *arguments[SWEEP_ARGUMENTS_MAX + 1];
    int argument_count = 0;
    size_t shard_count = 0;
    if (!sweep_read_shard_arguments(directory, &storage, arguments + 1, &argument_count, &shard_count, error,
                                    sizeof error)) {
        fprintf(stderr, "ledgersim sweep merge: %s\n", error);
        return EXIT_BAD_INPUT;
    }
    arguments[0] = "sweep";
    static sweep_definition definition;
    sweep_options options = {.jobs = 1, .report = true, .output_directory = directory};
    int status = parse_sweep_arguments(argument_count + 1, (char **)arguments, 1, &definition, &options) == 0
                     ? EXIT_OK : EXIT_BAD_INPUT;
    if (status == EXIT_OK && !sweep_finish_definition(&definition, error, sizeof error)) {
        fprintf(stderr, "ledgersim sweep merge: %s\n", error);
        status = EXIT_BAD_INPUT;
    }
    sweep_results results = {0};
    if (status == EXIT_OK && !sweep_results_init(&results, &definition)) status = 3;
    if (status == EXIT_OK) {
        status = sweep_read_shards(&definition, &results, directory, shard_count, error, sizeof error);
        if (status != 0) fprintf(stderr, "ledgersim sweep merge: %s", error);
    }
    if (status == EXIT_OK) status = finish_outputs(&definition, &results, &options, directory);
    sweep_results_free(&results);
    sweep_free_definition(&definition);
    cJSON_Delete(storage);
    return status;
}

/* `ledgersim sweep`; argv is borrowed. */
int command_sweep(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "merge") == 0) return merge_shards(argc, argv);
    static sweep_definition definition;
    sweep_options options = {.jobs = 1, .report = true};
    int parsed = parse_sweep_arguments(argc, argv, 1, &definition, &options);
    if (parsed != 0) {
        if (parsed > 0)
            sweep_usage(stdout);
        else
            fprintf(stderr, "(ledgersim sweep --help describes the options)\n");
        sweep_free_definition(&definition);
        return parsed > 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    static char error[SWEEP_ERROR_CAPACITY];
    int status = EXIT_OK;
    if (!sweep_finish_definition(&definition, error, sizeof error)) {
        fprintf(stderr, "ledgersim sweep: %s\n", error);
        status = EXIT_BAD_INPUT;
    } else {
        status = run_sweep(&definition, &options);
    }
    sweep_free_definition(&definition);
    return status;
}
