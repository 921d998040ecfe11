/* command_run.c -- `ledgersim run` and `ledgersim check`: options, config
 * precedence, fault options, one replay per scenario file, reports, and the
 * check summary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/config.h"
#include "io/config_file.h"
#include "io/holdings_file.h"
#include "io/report.h"
#include "io/run_directory.h"
#include "sim/faults.h"
#include "sim/replay.h"

enum { RUN_FILES_MAX = 4096, SETTINGS_MAX = 256 };

typedef struct {
    const char *files[RUN_FILES_MAX];
    int file_count;
    const char *output_directory;     /* NULL: out/<scenario name> */
    const char *config_path;
    const char *settings[SETTINGS_MAX]; /* KEY=VALUE */
    int setting_count;
    const char *holdings_path;
    trace_mode trace;
    bool report;
    fault_plan faults;                /* --faults (none drawn when absent) */
    unsigned long seed;               /* --seed (default 0) */
    long detect_window;               /* --detect-window (0: the default) */
    bool strict;                      /* --strict: an invariant violation fails the run */
} run_arguments;

/* Prints the usage of run (check false) or check on stream. */
static void run_usage(FILE *stream, bool check) {
    if (check)
        fprintf(stream,
                "usage: ledgersim check FILE... [--out DIR] [--config FILE.json] [--set KEY=VALUE]...\n"
                "                       [--holdings FILE.json] [--faults KIND=P,...] [--seed N]\n"
                "                       [--detect-window N] [--strict]\n\n"
                "Replays each scenario file like `run` and evaluates its expect rows.\n"
                "Prints every failed expectation as FILE:LINE: PATH expected X, got Y\n"
                "and ends with the line \"N passed, N failed\" (files). The fault options\n"
                "are those of `run`; with --strict an invariant violation fails the file.\n"
                "Exit status: 0 all passed, 1 an expectation failed, 2 bad input, 3 output\n"
                "error (as for run).\n");
    else
        fprintf(stream,
                "usage: ledgersim run FILE... [--out DIR] [--config FILE.json] [--set KEY=VALUE]...\n"
                "                     [--holdings FILE.json] [--trace full|none] [--report]\n\n"
                "Replays each scenario file (shared/spec/scenario-format.md) through the\n"
                "account projection, position ledger and exit scanner, and writes the\n"
                "executor's state files and logs (shared/spec/state-files.md).\n\n"
                "  --out DIR         output directory (default out/<scenario name>; with\n"
                "                    several files, DIR/<scenario name>)\n"
                "  --config FILE     JSON object of config keys (flat or nested)\n"
                "  --set KEY=VALUE   one config key; precedence: --set, then --config,\n"
                "                    then the scenario's config rows, then the defaults\n"
                "  --holdings FILE   off-exchange holdings {\"BTC\": {\"qty\", \"avg_cost\"}}\n"
                "  --trace none      no logs/reconcile.jsonl and no logs/marks.csv\n"
                "  --report          also draw DIR/reports/ (needs gnuplot; without it the\n"
                "                    run succeeds and says once that reports were skipped)\n\n"
                "Simulation (a scenario with order or funding_rate rows is a backtest; see\n"
                "README.md, \"Backtests, faults and ledgersim fuzz\"):\n"
                "  --faults SPEC     draw faults: KIND=P[,KIND=P]... with P the probability per\n"
                "                    event; kinds stale_mark, zero_wallet, orphan_tp_sl, drop,\n"
                "                    duplicate, delay, corrupt, or all=P for every kind\n"
                "  --seed N          seeds the fault generators (default 0); the same file,\n"
                "                    options and seed give the same faults and the same bytes\n"
                "  --detect-window N a fault counts as detected when a snapshot within N\n"
                "                    events is not OK (default 5, at most 1000)\n"
                "  --strict          an invariant violation fails the run (exit 1)\n\n"
                "DIR is replaced as one set: the run is written into a staging folder beside\n"
                "it and swapped in whole when complete (README, \"State files\").\n\n"
                "Exit status: 0 success, 1 an invariant violation with --strict, 2 bad input\n"
                "(nothing written), 3 output error (DIR unchanged; also when another process\n"
                "is writing DIR: its pid is named, or when standard output cannot be written).\n");
}

/* Parses text as a whole decimal number in [minimum, maximum]. */
static bool parse_whole(const char *text, double minimum, double maximum, unsigned long *value) {
    if (text[0] < '0' || text[0] > '9') return false;
    errno = 0;
    char *end;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || (double)parsed < minimum || (double)parsed > maximum) return false;
    *value = (unsigned long)parsed;
    return true;
}

/* Parses argv; returns -1 on a usage error (printed), 1 for --help. */
static int parse_run_arguments(int argc, char **argv, bool check, run_arguments *arguments) {
    memset(arguments, 0, sizeof *arguments);
    arguments->trace = TRACE_FULL;
    for (int index = 1; index < argc; index++) {
        const char *argument = argv[index];
        bool has_value = index + 1 < argc;
        if (strcmp(argument, "--help") == 0 || strcmp(argument, "-h") == 0) return 1;
        if (strcmp(argument, "--out") == 0 && has_value)
            arguments->output_directory = argv[++index];
        else if (strcmp(argument, "--config") == 0 && has_value)
            arguments->config_path = argv[++index];
        else if (strcmp(argument, "--holdings") == 0 && has_value)
            arguments->holdings_path = argv[++index];
        else if (strcmp(argument, "--set") == 0 && has_value) {
            if (arguments->setting_count == SETTINGS_MAX) {
                fprintf(stderr, "ledgersim: more than %d --set options\n", SETTINGS_MAX);
                return -1;
            }
            arguments->settings[arguments->setting_count++] = argv[++index];
        }
        else if (!check && strcmp(argument, "--trace") == 0 && has_value) {
            const char *mode = argv[++index];
            if (strcmp(mode, "none") != 0 && strcmp(mode, "full") != 0) {
                fprintf(stderr, "ledgersim: --trace takes full or none\n");
                return -1;
            }
            arguments->trace = strcmp(mode, "none") == 0 ? TRACE_NONE : TRACE_FULL;
        } else if (!check && strcmp(argument, "--report") == 0)
            arguments->report = true;
        else if (strcmp(argument, "--strict") == 0)
            arguments->strict = true;
        else if (strcmp(argument, "--faults") == 0 && has_value) {
            char error[512];
            if (!fault_plan_parse(argv[++index], &arguments->faults, error, sizeof error)) {
                fprintf(stderr, "ledgersim: %s\n", error);
                return -1;
            }
        } else if (strcmp(argument, "--seed") == 0 && has_value) {
            if (!parse_whole(argv[++index], 0, 4294967295.0, &arguments->seed)) {
                fprintf(stderr, "ledgersim: --seed takes a whole number from 0 to 4294967295\n");
                return -1;
            }
        } else if (strcmp(argument, "--detect-window") == 0 && has_value) {
            unsigned long window;
            if (!parse_whole(argv[++index], 1, DETECT_WINDOW_MAX, &window)) {
                fprintf(stderr, "ledgersim: --detect-window takes a whole number from 1 to %d\n", DETECT_WINDOW_MAX);
                return -1;
            }
            arguments->detect_window = (long)window;
        }
        else if (argument[0] == '-' && argument[1] != '\0') {
            fprintf(stderr, "ledgersim %s: unknown option or missing value: %s\n", check ? "check" : "run", argument);
            return -1;
        } else if (arguments->file_count == RUN_FILES_MAX) {
            fprintf(stderr, "ledgersim %s: more than %d scenario files\n", check ? "check" : "run", RUN_FILES_MAX);
            return -1;
        } else
            arguments->files[arguments->file_count++] = argument;
    }
    if (arguments->file_count == 0) {
        fprintf(stderr, "ledgersim %s: no scenario file given\n", check ? "check" : "run");
        return -1;
    }
    return 0;
}

/* Config precedence: --set over --config over scenario rows over defaults
 * (io/config_file). arguments is borrowed; config is owned by the caller. */
static bool build_config(const run_arguments *arguments, kernel_config *config) {
    char error[4096 + 256];
    if (config_build(config, arguments->settings, arguments->setting_count, arguments->config_path, error,
                     sizeof error))
        return true;
    fprintf(stderr, "ledgersim: %s\n", error);
    return false;
}

/* out/<name of the scenario without .csv>, or DIR, or DIR/<name>, into
 * directory (capacity bytes, owned by the caller). */
static void output_directory_for(const run_arguments *arguments, const char *file, char *directory,
                                 size_t capacity) {
    const char *slash = strrchr(file, '/');
    const char *base = slash != NULL ? slash + 1 : file;
    size_t length = strlen(base);
    if (length > 4 && strcmp(base + length - 4, ".csv") == 0) length -= 4;
    if (arguments->output_directory != NULL && arguments->file_count == 1)
        snprintf(directory, capacity, "%s", arguments->output_directory);
    else
        snprintf(directory, capacity, "%s/%.*s",
                 arguments->output_directory != NULL ? arguments->output_directory : "out", (int)length, base);
}

/* The last component of directory (the run's name in its report). */
static const char *run_name_of(const char *directory) {
    const char *slash = strrchr(directory, '/');
    return slash != NULL && slash[1] != '\0' ? slash + 1 : directory;
}

/* --report: draws DIR/reports/ after a successful replay. Without gnuplot
 * it says so once per command (*skipped remembers) and succeeds. Returns
 * false on a report error (printed). */
static bool draw_report(const char *directory, const char *run_name, bool *skipped) {
    char error[REPORT_ERROR_CAPACITY];
    int written = report_write_named(directory, run_name, error, sizeof error);
    if (written == 0) return true;
    if (written == REPORT_NO_GNUPLOT) {
        if (!*skipped) fprintf(stderr, "ledgersim: gnuplot not found on PATH: reports skipped\n");
        *skipped = true;
        return true;
    }
    fprintf(stderr, "ledgersim: report: %s\n", error);
    return false;
}

/* The body of `run` (check false) and `check` (check true): argv is borrowed. */
static int run_or_check(int argc, char **argv, bool check) {
    run_arguments arguments;
    int parsed = parse_run_arguments(argc, argv, check, &arguments);
    if (parsed != 0) {
        run_usage(parsed > 0 ? stdout : stderr, check);
        return parsed > 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    kernel_config config;
    if (!build_config(&arguments, &config)) return EXIT_BAD_INPUT;
    holdings_book holdings;
    holdings_init(&holdings);
    char error[4096 + 256];
    if (arguments.holdings_path != NULL && !holdings_file_load(arguments.holdings_path, &holdings, error, sizeof error)) {
        fprintf(stderr, "ledgersim: %s\n", error);
        return EXIT_BAD_INPUT;
    }
    buffer failures;
    buffer_init(&failures, 1 << 20);
    bool reports_skipped = false;
    int passed = 0, failed = 0, status = EXIT_OK;
    run_directory *generation = malloc(sizeof *generation);
    if (generation == NULL) {
        fprintf(stderr, "ledgersim: out of memory\n");
        buffer_free(&failures);
        return 3;
    }
    for (int index = 0; index < arguments.file_count; index++) {
        char directory[PATH_CAPACITY];
        output_directory_for(&arguments, arguments.files[index], directory, sizeof directory);
        /* One generation per run (io/run_directory): the lock of DIR, then
         * everything into a staging folder that becomes DIR in one step. */
        if (run_directory_begin(generation, directory) != RUN_DIRECTORY_OK) {
            fprintf(stderr, "ledgersim: %s\n", generation->error);
            run_directory_end(generation);
            failed++;
            status = 3;
            continue;
        }
        replay_options options = {.output_directory = generation->staging, .overrides = config,
                                  .holdings = &holdings, .trace = arguments.trace,
                                  .evaluate_expectations = check, .failures = &failures,
                                  .faults = &arguments.faults, .seed = arguments.seed,
                                  .detect_window = arguments.detect_window};
        replay_result result;
        buffer_reset(&failures);
        replay_status replayed = replay_file(arguments.files[index], &options, &result);
        if (replayed != REPLAY_OK) {
            run_directory_end(generation);
            fprintf(stderr, "%s\n", result.error);
            failed++;
            status = replayed == REPLAY_BAD_INPUT ? EXIT_BAD_INPUT : 3;
            continue;
        }
        /* The report is part of the generation: drawn before the swap. */
        bool published = (check || !arguments.report ||
                          draw_report(generation->staging, run_name_of(generation->path), &reports_skipped)) &&
                         run_directory_publish(generation) == 0;
        if (!published && generation->error[0] != '\0') fprintf(stderr, "ledgersim: %s\n", generation->error);
        run_directory_end(generation);
        if (!published) {
            failed++;
            status = 3;
            continue;
        }
        if (failures.length > 0) fputs(failures.data, stdout);
        if (result.expectations_failed > REPLAY_FAILURES_MAX)
            printf("%s: ... and %ld more failed expectations\n", arguments.files[index],
                   result.expectations_failed - REPLAY_FAILURES_MAX);
        const simulation_summary *simulation = &result.simulation;
        bool violated = simulation->total_violations > 0;
        if (violated)
            fprintf(stderr, "%s: %ld invariant violation%s; first: %s\n", arguments.files[index],
                    simulation->total_violations, simulation->total_violations == 1 ? "" : "s",
                    simulation->first_violation);
        if (result.expectations_failed > 0 || (violated && arguments.strict)) {
            failed++;
            if (status == EXIT_OK) status = EXIT_FAILED;
        } else {
            passed++;
        }
        if (!check) printf("%s: %ld rows, %ld events -> %s\n", arguments.files[index], result.rows, result.events,
                           directory);
    }
    free(generation);
    buffer_free(&failures);
    if (check) printf("%d passed, %d failed\n", passed, failed);
    /* A result nobody can read is a failed command (`> /dev/full`). */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ledgersim: cannot write to standard output: %s\n", strerror(errno));
        return 3;
    }
    return status;
}

/* `ledgersim run`; argv is borrowed. */
int command_run(int argc, char **argv) { return run_or_check(argc, argv, false); }

/* `ledgersim check`; argv is borrowed. */
int command_check(int argc, char **argv) { return run_or_check(argc, argv, true); }
