/* command_run.c -- `ledgersim run` and `ledgersim check`: options, config
 * precedence, fault options, one replay per scenario file, reports, and the
 * check summary. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/usage.h"
#include "core/config.h"
#include "io/config_file.h"
#include "io/holdings_file.h"
#include "io/junit_writer.h"
#include "io/run_directory.h"
#include "reports/report.h"
#include "sim/faults.h"
#include "sim/replay.h"

enum {
    RUN_FILES_MAX = 4096,
    SETTINGS_MAX = 256,
    CASE_TEXT_CAPACITY = 8192          /* bytes of a JUnit case name or message (the writer cuts at 4 KiB) */
};

typedef struct {
    const char *files[RUN_FILES_MAX];
    int file_count;
    char *owned[RUN_FILES_MAX];       /* paths found in a folder argument (freed by run_arguments_free) */
    int owned_count;
    const char *junit_path;           /* check --junit FILE */
    bool allow_empty;                 /* check --allow-empty: a file without expect rows passes */
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

/* The one-line usages (usage errors print these, not the whole help). */
static const char RUN_USAGE_LINE[] = "ledgersim run FILE|DIR... [--out DIR] [--config FILE.json] "
                                     "[--set KEY=VALUE]... [--report] [options]";
static const char CHECK_USAGE_LINE[] = "ledgersim check FILE|DIR... [--junit FILE.xml] [--allow-empty] "
                                       "[the options of run]";

/* The options of run and check, for "did you mean". */
static const char *const run_option_names[] = {"--out", "--config", "--set", "--holdings", "--trace", "--report",
                                               "--faults", "--seed", "--detect-window", "--strict", "--help",
                                               "--junit", "--allow-empty"};
enum { RUN_OPTION_COUNT = sizeof run_option_names / sizeof run_option_names[0], CHECK_ONLY_OPTIONS = 2 };

/* Prints the help of check on stream. */
static void check_help(FILE *stream) {
    fprintf(stream,
            "usage: ledgersim check FILE|DIR... [--junit FILE.xml] [--allow-empty]\n"
            "                       [--out DIR] [--config FILE.json] [--set KEY=VALUE]...\n"
            "                       [--holdings FILE.json] [--trace full|none] [--report]\n"
            "                       [--faults KIND=P,...] [--seed N] [--detect-window N] [--strict]\n\n"
            "Replays each scenario file like `run` (same options, same outputs) and\n"
            "evaluates its expect rows (docs/scenario-format.md, \"Expectations\"). A DIR\n"
            "stands for every *.csv in it, in name order. Prints every failed expectation\n"
            "as FILE:LINE: PATH expected X, got Y, then one line per file,\n"
            "  PASS FILE (N expectations, 0.01 s)   or   FAIL FILE (N expectations, M failed, 0.01 s)\n"
            "and ends with the line \"N passed, N failed\" (files).\n\n"
            "  --junit FILE      also write a JUnit XML report for CI (GitLab, Jenkins, GitHub):\n"
            "                    one testsuite per file, one testcase per expect row\n"
            "  --allow-empty     a file without expect rows passes (by default it fails:\n"
            "                    a check that checks nothing is not a pass)\n"
            "  --strict          an invariant violation fails the file\n\n"
            "Exit status: 0 all passed, 1 an expectation (or, with --strict, an invariant)\n"
            "failed, 2 bad input or usage, 3 an output error.\n");
}

/* Prints the help of run on stream. */
static void run_help(FILE *stream) {
    fprintf(stream,
            "usage: ledgersim run FILE|DIR... [--out DIR] [--config FILE.json] [--set KEY=VALUE]...\n"
            "                     [--holdings FILE.json] [--trace full|none] [--report]\n"
            "                     [--faults KIND=P,...] [--seed N] [--detect-window N] [--strict]\n\n"
            "Replays each scenario file (docs/scenario-format.md; a DIR stands for every\n"
            "*.csv in it, in name order) through the account projection, position ledger\n"
            "and exit scanner, and writes the executor's state files and logs\n"
            "(docs/state-files.md).\n\n"
            "  --out DIR         output directory (default out/<scenario name>; with\n"
            "                    several files, DIR/<scenario name>; two files with the\n"
            "                    same name are refused: they would write one folder)\n"
            "  --config FILE     JSON object of config keys (flat or nested)\n"
            "  --set KEY=VALUE   one config key; precedence: --set, then --config,\n"
            "                    then the scenario's config rows, then the defaults\n"
            "  --holdings FILE   off-exchange holdings {\"BTC\": {\"qty\", \"avg_cost\"}}\n"
            "  --trace none      no logs/reconcile.jsonl and no logs/marks.csv\n"
            "  --report          also draw DIR/reports/ (needs gnuplot; without it the\n"
            "                    run succeeds and says once that reports were skipped);\n"
            "                    without --report the new DIR has no reports/\n\n"
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
            "or usage (nothing written), 3 output error (DIR unchanged; also when another\n"
            "process is writing DIR: its pid is named, or when standard output cannot be\n"
            "written).\n");
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

/* Frees the paths a folder argument added. */
static void run_arguments_free(run_arguments *arguments) {
    for (int index = 0; index < arguments->owned_count; index++) free(arguments->owned[index]);
    arguments->owned_count = 0;
}

static int compare_names(const void *left, const void *right) {
    return strcmp(*(char *const *)left, *(char *const *)right);
}

/* Adds every *.csv of folder, in name order (C locale bytes). False with a
 * message on stderr when the folder cannot be read or holds none. */
static bool add_scenario_folder(run_arguments *arguments, const char *folder, const char *command) {
    DIR *directory = opendir(folder);
    if (directory == NULL) {
        fprintf(stderr, "ledgersim %s: %s: %s\n", command, folder, strerror(errno));
        return false;
    }
    int first = arguments->file_count;
    bool ok = true;
    size_t folder_length = strlen(folder);
    bool has_slash = folder_length > 0 && folder[folder_length - 1] == '/';
    for (struct dirent *entry = readdir(directory); entry != NULL && ok; entry = readdir(directory)) {
        size_t length = strlen(entry->d_name);
        if (length <= 4 || strcmp(entry->d_name + length - 4, ".csv") != 0 || entry->d_name[0] == '.') continue;
        if (arguments->file_count == RUN_FILES_MAX) {
            fprintf(stderr, "ledgersim %s: more than %d scenario files\n", command, RUN_FILES_MAX);
            ok = false;
            break;
        }
        char *path = malloc(folder_length + length + 2);
        if (path == NULL) {
            fprintf(stderr, "ledgersim %s: out of memory\n", command);
            ok = false;
            break;
        }
        snprintf(path, folder_length + length + 2, "%s%s%s", folder, has_slash ? "" : "/", entry->d_name);
        arguments->owned[arguments->owned_count++] = path;
        arguments->files[arguments->file_count++] = path;
    }
    closedir(directory);
    if (ok && arguments->file_count == first) {
        fprintf(stderr, "ledgersim %s: %s: no *.csv scenario file in this folder\n", command, folder);
        ok = false;
    }
    qsort(&arguments->files[first], (size_t)(arguments->file_count - first), sizeof arguments->files[0],
          compare_names);
    return ok;
}

/* Adds a FILE or DIR argument. False with a message on stderr. */
static bool add_scenario_argument(run_arguments *arguments, const char *path, const char *command) {
    struct stat status;
    if (stat(path, &status) == 0 && S_ISDIR(status.st_mode)) return add_scenario_folder(arguments, path, command);
    if (arguments->file_count == RUN_FILES_MAX) {
        fprintf(stderr, "ledgersim %s: more than %d scenario files\n", command, RUN_FILES_MAX);
        return false;
    }
    arguments->files[arguments->file_count++] = path;
    return true;
}

/* The name of a scenario file without its folder and .csv: the name of its
 * output folder. Returns its length; *base points into path. */
static size_t scenario_name(const char *path, const char **base) {
    const char *slash = strrchr(path, '/');
    *base = slash != NULL ? slash + 1 : path;
    size_t length = strlen(*base);
    if (length > 4 && strcmp(*base + length - 4, ".csv") == 0) length -= 4;
    return length;
}

static int compare_scenario_names(const void *left, const void *right) {
    const char *left_base, *right_base;
    size_t left_length = scenario_name(*(const char *const *)left, &left_base);
    size_t right_length = scenario_name(*(const char *const *)right, &right_base);
    int order = strncmp(left_base, right_base, left_length < right_length ? left_length : right_length);
    if (order != 0) return order;
    return left_length < right_length ? -1 : left_length > right_length ? 1 : 0;
}

/* With several files, each writes OUT/<its name>: two files of the same
 * name would write one folder, the second silently replacing the first.
 * Refuses that before anything is written (exit 2); the user renames one
 * or runs them one at a time with their own --out. */
static bool output_names_distinct(const run_arguments *arguments, const char *command) {
    if (arguments->file_count < 2) return true;
    const char **sorted = malloc((size_t)arguments->file_count * sizeof *sorted);
    if (sorted == NULL) {
        fprintf(stderr, "ledgersim %s: out of memory\n", command);
        return false;
    }
    memcpy(sorted, arguments->files, (size_t)arguments->file_count * sizeof *sorted);
    qsort(sorted, (size_t)arguments->file_count, sizeof *sorted, compare_scenario_names);
    bool distinct = true;
    for (int index = 1; index < arguments->file_count && distinct; index++) {
        if (compare_scenario_names(&sorted[index - 1], &sorted[index]) != 0) continue;
        const char *base;
        size_t length = scenario_name(sorted[index], &base);
        fprintf(stderr, "ledgersim %s: %s and %s would both write %s/%.*s: rename one, or run them one at "
                        "a time with --out\n", command, sorted[index - 1], sorted[index],
                arguments->output_directory != NULL ? arguments->output_directory : "out", (int)length, base);
        distinct = false;
    }
    free(sorted);
    return distinct;
}

/* Parses one option with a value at argv[*index] (advancing *index). Returns
 * 1 when it was one, 0 when it is not such an option, -1 on a bad value
 * (printed). */
static int parse_valued_option(char **argv, int *index, bool check, run_arguments *arguments) {
    const char *argument = argv[*index];
    const char *value = argv[*index + 1];
    const char *command = check ? "check" : "run";
    if (strcmp(argument, "--out") == 0) arguments->output_directory = value;
    else if (strcmp(argument, "--config") == 0) arguments->config_path = value;
    else if (strcmp(argument, "--holdings") == 0) arguments->holdings_path = value;
    else if (check && strcmp(argument, "--junit") == 0) arguments->junit_path = value;
    else if (strcmp(argument, "--set") == 0) {
        if (arguments->setting_count == SETTINGS_MAX) {
            fprintf(stderr, "ledgersim %s: more than %d --set options\n", command, SETTINGS_MAX);
            return -1;
        }
        arguments->settings[arguments->setting_count++] = value;
    } else if (strcmp(argument, "--trace") == 0) {
        if (strcmp(value, "none") != 0 && strcmp(value, "full") != 0) {
            fprintf(stderr, "ledgersim %s: --trace takes full or none\n", command);
            return -1;
        }
        arguments->trace = strcmp(value, "none") == 0 ? TRACE_NONE : TRACE_FULL;
    } else if (strcmp(argument, "--faults") == 0) {
        char error[512];
        if (!fault_plan_parse(value, &arguments->faults, error, sizeof error)) {
            fprintf(stderr, "ledgersim %s: %s\n", command, error);
            return -1;
        }
    } else if (strcmp(argument, "--seed") == 0) {
        if (!parse_whole(value, 0, 4294967295.0, &arguments->seed)) {
            fprintf(stderr, "ledgersim %s: --seed takes a whole number from 0 to 4294967295\n", command);
            return -1;
        }
    } else if (strcmp(argument, "--detect-window") == 0) {
        unsigned long window;
        if (!parse_whole(value, 1, DETECT_WINDOW_MAX, &window)) {
            fprintf(stderr, "ledgersim %s: --detect-window takes a whole number from 1 to %d\n", command,
                    DETECT_WINDOW_MAX);
            return -1;
        }
        arguments->detect_window = (long)window;
    } else
        return 0;
    ++*index;
    return 1;
}

/* Parses argv; returns -1 on a usage error (its message printed, not the
 * usage), 1 for --help, 0 to go on. */
static int parse_run_arguments(int argc, char **argv, bool check, run_arguments *arguments) {
    memset(arguments, 0, sizeof *arguments);
    arguments->trace = TRACE_FULL;
    const char *command = check ? "check" : "run";
    for (int index = 1; index < argc; index++) {
        const char *argument = argv[index];
        if (strcmp(argument, "--help") == 0 || strcmp(argument, "-h") == 0) return 1;
        if (strcmp(argument, "--report") == 0) arguments->report = true;
        else if (strcmp(argument, "--strict") == 0) arguments->strict = true;
        else if (check && strcmp(argument, "--allow-empty") == 0) arguments->allow_empty = true;
        else if (argument[0] == '-' && argument[1] != '\0') {
            int parsed = index + 1 < argc ? parse_valued_option(argv, &index, check, arguments) : 0;
            if (parsed < 0) return -1;
            if (parsed > 0) continue;
            size_t option_count = check ? RUN_OPTION_COUNT : RUN_OPTION_COUNT - CHECK_ONLY_OPTIONS;
            bool known = false;
            for (size_t option = 0; option < option_count; option++)
                if (strcmp(argument, run_option_names[option]) == 0) known = true;
            if (known)
                fprintf(stderr, "ledgersim %s: %s needs a value\n", command, argument);
            else
                usage_unknown_option(command, argument, run_option_names, option_count);
            return -1;
        } else if (!add_scenario_argument(arguments, argument, command))
            return -1;
    }
    if (arguments->file_count == 0) {
        fprintf(stderr, "ledgersim %s: no scenario file given\n", command);
        return -1;
    }
    return output_names_distinct(arguments, command) ? 0 : -1;
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

/* What the files of one command share: the options, the JUnit report
 * (check --junit), the counts. */
typedef struct {
    const run_arguments *arguments;
    bool check;
    kernel_config config;
    holdings_book holdings;
    buffer failures;
    junit_writer junit;
    const char *file;                 /* the file being replayed (for the JUnit cases) */
    bool reports_skipped;
    run_directory *generation;        /* the output generation of the file being replayed */
    int passed, failed, status;
} run_session;

/* replay_options.on_expectation: one JUnit testcase per expect row. */
static void record_expectation(void *context, const expectation_outcome *outcome) {
    run_session *session = context;
    char name[CASE_TEXT_CAPACITY], message[CASE_TEXT_CAPACITY];
    snprintf(name, sizeof name, "line %ld: %s = %s", outcome->line, outcome->path, outcome->expected);
    snprintf(message, sizeof message, "%s:%ld: %s expected %s, got %s", session->file, outcome->line, outcome->path,
             outcome->expected, outcome->actual);
    junit_case_record record = {.classname = session->file, .name = name, .file = session->file,
                                .line = outcome->line, .outcome = outcome->passed ? JUNIT_PASSED : JUNIT_FAILED,
                                .message = outcome->passed ? NULL : message, .type = "expectation"};
    junit_case(&session->junit, &record);
}

/* A JUnit testcase for a check of the whole file (no line). */
static void record_file_case(run_session *session, const char *name, junit_outcome outcome, const char *message,
                             const char *type) {
    if (session->arguments->junit_path == NULL) return;
    junit_case_record record = {.classname = session->file, .name = name, .file = session->file,
                                .outcome = outcome, .message = message, .type = type};
    junit_case(&session->junit, &record);
}

static double monotonic_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* After a replay that ran: prints its failed expectations, its invariant
 * violations and (check) a missing expect row; true when the file passed. */
static bool judge_file(run_session *session, const replay_result *result) {
    const char *file = session->file;
    char message[INVARIANT_MESSAGE_CAPACITY + PATH_CAPACITY + 128];
    if (session->failures.length > 0) fputs(session->failures.data, stdout);
    if (result->expectations_failed > REPLAY_FAILURES_MAX)
        printf("%s: ... and %ld more failed expectations\n", file, result->expectations_failed - REPLAY_FAILURES_MAX);
    bool passed = result->expectations_failed == 0;
    const simulation_summary *simulation = &result->simulation;
    if (simulation->total_violations > 0) {
        snprintf(message, sizeof message, "%s: %ld invariant violation%s; first: %s", file,
                 simulation->total_violations, simulation->total_violations == 1 ? "" : "s",
                 simulation->first_violation);
        fprintf(stderr, "%s\n", message);
        if (session->arguments->strict) {
            record_file_case(session, "invariants (--strict)", JUNIT_FAILED, message, "invariant");
            passed = false;
        }
    } else if (session->arguments->strict) {
        record_file_case(session, "invariants (--strict)", JUNIT_PASSED, NULL, NULL);
    }
    if (session->check && result->expectations_passed + result->expectations_failed == 0 &&
        !session->arguments->allow_empty) {
        snprintf(message, sizeof message, "%s: no expect rows (a check that checks nothing fails; "
                                          "--allow-empty accepts it)", file);
        printf("%s\n", message);
        record_file_case(session, "expect rows", JUNIT_FAILED, message, "no expect rows");
        passed = false;
    }
    return passed;
}

/* One generation per run (io/run_directory): the lock of DIR, then the
 * replay and (--report) the report into a staging folder that becomes DIR in
 * one step. An error that is not the replay's own is copied into
 * result->error and reported as REPLAY_OUTPUT_ERROR. */
static replay_status replay_one_generation(run_session *session, const char *directory, replay_result *result) {
    const run_arguments *arguments = session->arguments;
    run_directory *generation = session->generation;
    if (run_directory_begin(generation, directory) != RUN_DIRECTORY_OK) {
        snprintf(result->error, sizeof result->error, "ledgersim: %s", generation->error);
        run_directory_end(generation);
        return REPLAY_OUTPUT_ERROR;
    }
    bool junit = session->check && arguments->junit_path != NULL;
    replay_options options = {.output_directory = generation->staging, .overrides = session->config,
                              .holdings = &session->holdings, .trace = arguments->trace,
                              .evaluate_expectations = session->check, .failures = &session->failures,
                              .on_expectation = junit ? record_expectation : NULL, .expectation_context = session,
                              .faults = &arguments->faults, .seed = arguments->seed,
                              .detect_window = arguments->detect_window, .show_progress = true};
    replay_status replayed = replay_file(session->file, &options, result);
    if (replayed != REPLAY_OK) {
        run_directory_end(generation);
        return replayed;
    }
    /* The report is part of the generation: drawn before the swap. */
    bool published = (!arguments->report || draw_report(generation->staging, run_name_of(generation->path),
                                                        &session->reports_skipped)) &&
                     run_directory_publish(generation) == 0;
    if (!published) snprintf(result->error, sizeof result->error, "ledgersim: %s",
                             generation->error[0] != '\0' ? generation->error : "the report could not be drawn");
    run_directory_end(generation);
    return published ? REPLAY_OK : REPLAY_OUTPUT_ERROR;
}

/* Replays one file of run or check, prints its outcome, draws its report. */
static void run_one_file(run_session *session, const char *file) {
    const run_arguments *arguments = session->arguments;
    char directory[PATH_CAPACITY];
    output_directory_for(arguments, file, directory, sizeof directory);
    session->file = file;
    bool junit = session->check && arguments->junit_path != NULL;
    replay_result result;
    memset(&result, 0, sizeof result);
    buffer_reset(&session->failures);
    double started = monotonic_seconds();
    bool passed = false;
    replay_status replayed = replay_one_generation(session, directory, &result);
    if (replayed != REPLAY_OK) {
        fprintf(stderr, "%s\n", result.error);
        record_file_case(session, "read and replay", JUNIT_ERROR, result.error,
                         replayed == REPLAY_BAD_INPUT ? "bad input" : "output error");
        session->status = replayed == REPLAY_BAD_INPUT ? EXIT_BAD_INPUT : EXIT_OUTPUT_ERROR;
    } else {
        passed = judge_file(session, &result);
        if (!passed && session->status == EXIT_OK) session->status = EXIT_FAILED;
        if (!session->check)
            printf("%s: %ld rows, %ld events -> %s\n", file, result.rows, result.events, directory);
    }
    double seconds = monotonic_seconds() - started;
    if (passed) session->passed++; else session->failed++;
    if (!session->check) return;
    long total = result.expectations_passed + result.expectations_failed;
    if (replayed != REPLAY_OK)
        printf("FAIL %s (%s, %.2f s)\n", file, replayed == REPLAY_BAD_INPUT ? "bad input" : "output error", seconds);
    else if (result.expectations_failed > 0)
        printf("FAIL %s (%ld expectation%s, %ld failed, %.2f s)\n", file, total, total == 1 ? "" : "s",
               result.expectations_failed, seconds);
    else
        printf("%s %s (%ld expectation%s, %.2f s)\n", passed ? "PASS" : "FAIL", file, total, total == 1 ? "" : "s",
               seconds);
    if (junit) junit_suite_end(&session->junit, file, file, seconds);
}

/* The body of `run` (check false) and `check` (check true): argv is borrowed. */
static int run_or_check(int argc, char **argv, bool check) {
    static run_session session;       /* static: the holdings book is large */
    run_arguments *arguments = malloc(sizeof *arguments);
    if (arguments == NULL) {
        fprintf(stderr, "ledgersim: out of memory\n");
        return EXIT_OUTPUT_ERROR;
    }
    int parsed = parse_run_arguments(argc, argv, check, arguments);
    if (parsed != 0) {
        run_arguments_free(arguments);
        free(arguments);
        if (parsed > 0) {
            if (check) check_help(stdout); else run_help(stdout);
            return EXIT_OK;
        }
        return usage_hint(check ? "check" : "run", check ? CHECK_USAGE_LINE : RUN_USAGE_LINE);
    }
    memset(&session, 0, sizeof session);
    session.arguments = arguments;
    session.check = check;
    holdings_init(&session.holdings);
    char error[PATH_CAPACITY + 256];
    if (!build_config(arguments, &session.config)) {
        session.status = EXIT_BAD_INPUT;
    } else if (arguments->holdings_path != NULL &&
               !holdings_file_load(arguments->holdings_path, &session.holdings, error, sizeof error)) {
        fprintf(stderr, "ledgersim: %s\n", error);
        session.status = EXIT_BAD_INPUT;
    } else {
        buffer_init(&session.failures, 1 << 20);
        junit_writer_init(&session.junit);
        session.generation = malloc(sizeof *session.generation);
        if (session.generation == NULL) {
            fprintf(stderr, "ledgersim: out of memory\n");
            session.status = EXIT_OUTPUT_ERROR;
        }
        for (int index = 0; session.generation != NULL && index < arguments->file_count; index++)
            run_one_file(&session, arguments->files[index]);
        free(session.generation);
        if (check && arguments->junit_path != NULL &&
            !junit_writer_save(&session.junit, arguments->junit_path, "ledgersim check", error, sizeof error)) {
            fprintf(stderr, "ledgersim check: --junit %s\n", error);
            session.status = EXIT_OUTPUT_ERROR;
        }
        junit_writer_free(&session.junit);
        buffer_free(&session.failures);
        if (check) printf("%d passed, %d failed\n", session.passed, session.failed);
    }
    run_arguments_free(arguments);
    free(arguments);
    /* A result nobody can read is a failed command (`> /dev/full`). */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ledgersim: cannot write to standard output: %s\n", strerror(errno));
        return EXIT_OUTPUT_ERROR;
    }
    return session.status;
}

/* `ledgersim run`; argv is borrowed. */
int command_run(int argc, char **argv) { return run_or_check(argc, argv, false); }

/* `ledgersim check`; argv is borrowed. */
int command_check(int argc, char **argv) { return run_or_check(argc, argv, true); }
