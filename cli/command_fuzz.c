/* command_fuzz.c -- `ledgersim fuzz SCENARIO --seeds A..B --faults SPEC
 * [-j N]`: the scenario once per seed with drawn faults, the invariant
 * violations found, fault detection per kind as a table, and for every
 * failing seed the `ledgersim run` command that reproduces it.
 *
 * Each seed is one replay_file() in memory, without output files. With -j N
 * the seeds are split over N forked worker processes (seed A+i goes to
 * worker i mod N), which send one fixed-size record per seed back through a
 * pipe; totals are sums and failing seeds are sorted, so the output is the
 * same, byte for byte, for every N. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/usage.h"
#include "core/config.h"
#include "core/number.h"
#include "io/config_file.h"
#include "io/holdings_file.h"
#include "io/junit_writer.h"
#include "io/progress.h"
#include "sim/faults.h"
#include "sim/invariants.h"
#include "sim/replay.h"

enum {
    FUZZ_SETTINGS_MAX = 256,            /* --set options */
    FUZZ_JOBS_MAX = 256,                /* -j */
    FUZZ_MESSAGE_CAPACITY = 320,        /* bytes of one seed's first violation or error */
    FUZZ_COMMAND_CAPACITY = 16384,      /* bytes of one reproduce command */
    FUZZ_JUNIT_SEEDS_MAX = 1000000      /* seeds in one --junit report (a testcase each) */
};
#define FUZZ_SEEDS_MAX 100000000.0      /* seeds in one fuzz run */
#define FUZZ_SEED_LAST 4294967295.0     /* the largest seed (as --seed takes) */

typedef struct {
    const char *scenario;
    unsigned long first_seed;
    unsigned long last_seed;
    bool has_seeds;
    const char *faults_text;
    fault_plan faults;
    long jobs;
    long detect_window;                 /* 0: default */
    const char *config_path;
    const char *holdings_path;
    const char *settings[FUZZ_SETTINGS_MAX];
    int setting_count;
    const char *junit_path;             /* --junit FILE: a testcase per seed */
} fuzz_arguments;

/* What one seed found; written whole through a pipe (< PIPE_BUF bytes). */
typedef struct {
    unsigned long seed;
    int status;                         /* replay_status */
    long events;
    long total_violations;
    long violations[INVARIANT_COUNT];
    long injected[FAULT_KIND_COUNT];
    long detected[FAULT_KIND_COUNT];
    long injected_on_ok[FAULT_KIND_COUNT];
    long detected_on_ok[FAULT_KIND_COUNT];
    long unmeasured[FAULT_KIND_COUNT];
    long events_checked;
    long snapshots[3];                  /* by reconcile status: OK, WARN, ERROR */
    char message[FUZZ_MESSAGE_CAPACITY];
} seed_outcome;

/* The sums over every seed. */
typedef struct {
    long seeds;
    long failing_seeds;
    long violations[INVARIANT_COUNT];
    long seeds_violating[INVARIANT_COUNT];
    long injected[FAULT_KIND_COUNT];
    long detected[FAULT_KIND_COUNT];
    long injected_on_ok[FAULT_KIND_COUNT];
    long detected_on_ok[FAULT_KIND_COUNT];
    long unmeasured[FAULT_KIND_COUNT];
    long events_checked;
    long snapshots[3];
    seed_outcome *failing;              /* owned; sorted by seed at the end */
    size_t failing_capacity;
} fuzz_totals;

/* Prints the usage on stream. */
static void fuzz_usage(FILE *stream) {
    fprintf(stream,
            "usage: ledgersim fuzz SCENARIO --seeds A..B --faults KIND=P[,KIND=P]... [-j N]\n"
            "                      [--detect-window N] [--config FILE.json] [--set KEY=VALUE]...\n"
            "                      [--holdings FILE.json] [--junit FILE.xml]\n\n"
            "Replays SCENARIO once per seed from A to B (inclusive) with faults drawn as\n"
            "`ledgersim run --faults SPEC --seed N` draws them, checks the simulator's\n"
            "invariants after every event, and prints:\n"
            "  - the clean run (no drawn faults): its snapshots by reconcile status, the\n"
            "    baseline against which detection is read;\n"
            "  - per fault kind: faults injected, detected (a snapshot that is not OK\n"
            "    within the detection window), and the detection rate;\n"
            "  - per invariant: violations and the seeds that had them;\n"
            "  - every failing seed, in seed order, with the exact `ledgersim run` command\n"
            "    that reproduces it.\n"
            "No files are written. Kinds: stale_mark, zero_wallet, orphan_tp_sl, drop,\n"
            "duplicate, delay, corrupt; all=P sets every kind.\n\n"
            "  -j N              run the seeds in N parallel processes (output unchanged)\n"
            "  --detect-window N detection window in events (default 5)\n"
            "  --junit FILE      also write a JUnit XML report for CI: one testsuite, one\n"
            "                    testcase for the clean run and one per seed (at most %d\n"
            "                    seeds), a failing seed's failure with its reproduce command\n\n"
            "Exit status: 0 no violation, 1 an invariant violation or a failed seed, 2 bad\n"
            "input or usage, 3 an output error.\n", FUZZ_JUNIT_SEEDS_MAX);
}

/* Parses text as a whole decimal number in [minimum, maximum] into *value. */
static bool parse_whole(const char *text, size_t length, double minimum, double maximum, unsigned long *value) {
    char copy[32];
    if (length == 0 || length >= sizeof copy || text[0] < '0' || text[0] > '9') return false;
    memcpy(copy, text, length);
    copy[length] = '\0';
    errno = 0;
    char *end;
    unsigned long long parsed = strtoull(copy, &end, 10);
    if (errno != 0 || *end != '\0' || (double)parsed < minimum || (double)parsed > maximum) return false;
    *value = (unsigned long)parsed;
    return true;
}

/* Parses "A..B" into the arguments' seed range. */
static bool parse_seeds(const char *text, fuzz_arguments *arguments) {
    const char *dots = strstr(text, "..");
    if (dots == NULL) return false;
    if (!parse_whole(text, (size_t)(dots - text), 0, FUZZ_SEED_LAST, &arguments->first_seed) ||
        !parse_whole(dots + 2, strlen(dots + 2), 0, FUZZ_SEED_LAST, &arguments->last_seed))
        return false;
    return arguments->first_seed <= arguments->last_seed &&
           (double)(arguments->last_seed - arguments->first_seed) + 1 <= FUZZ_SEEDS_MAX;
}

/* Parses argv (borrowed) into arguments; -1 on a usage error (printed), 1 for --help. */
static int parse_fuzz_arguments(int argc, char **argv, fuzz_arguments *arguments) {
    memset(arguments, 0, sizeof *arguments);
    arguments->jobs = 1;
    for (int index = 1; index < argc; index++) {
        const char *argument = argv[index];
        bool has_value = index + 1 < argc;
        unsigned long number;
        if (strcmp(argument, "--help") == 0 || strcmp(argument, "-h") == 0) return 1;
        if (strcmp(argument, "--seeds") == 0 && has_value) {
            if (!parse_seeds(argv[++index], arguments)) {
                fprintf(stderr, "ledgersim fuzz: --seeds takes A..B, whole numbers 0 <= A <= B <= 4294967295, "
                                "at most 100000000 seeds\n");
                return -1;
            }
            arguments->has_seeds = true;
        } else if (strcmp(argument, "--faults") == 0 && has_value) {
            char error[512];
            arguments->faults_text = argv[++index];
            if (!fault_plan_parse(arguments->faults_text, &arguments->faults, error, sizeof error)) {
                fprintf(stderr, "ledgersim fuzz: %s\n", error);
                return -1;
            }
        } else if (strcmp(argument, "-j") == 0 && has_value) {
            const char *text = argv[++index];
            if (!parse_whole(text, strlen(text), 1, FUZZ_JOBS_MAX, &number)) {
                fprintf(stderr, "ledgersim fuzz: -j takes a whole number from 1 to %d\n", FUZZ_JOBS_MAX);
                return -1;
            }
            arguments->jobs = (long)number;
        } else if (strcmp(argument, "--detect-window") == 0 && has_value) {
            const char *text = argv[++index];
            if (!parse_whole(text, strlen(text), 1, DETECT_WINDOW_MAX, &number)) {
                fprintf(stderr, "ledgersim fuzz: --detect-window takes a whole number from 1 to %d\n",
                        DETECT_WINDOW_MAX);
                return -1;
            }
            arguments->detect_window = (long)number;
        } else if (strcmp(argument, "--config") == 0 && has_value) {
            arguments->config_path = argv[++index];
        } else if (strcmp(argument, "--holdings") == 0 && has_value) {
            arguments->holdings_path = argv[++index];
        } else if (strcmp(argument, "--set") == 0 && has_value && arguments->setting_count < FUZZ_SETTINGS_MAX) {
            arguments->settings[arguments->setting_count++] = argv[++index];
        } else if (strcmp(argument, "--junit") == 0 && has_value) {
            arguments->junit_path = argv[++index];
        } else if (argument[0] == '-' && argument[1] != '\0') {
            static const char *const options[] = {"--seeds", "--faults", "-j", "--detect-window", "--config",
                                                  "--holdings", "--set", "--junit", "--help"};
            bool known = false;
            for (size_t option = 0; option < sizeof options / sizeof options[0]; option++)
                if (strcmp(argument, options[option]) == 0) known = true;
            if (known)
                fprintf(stderr, "ledgersim fuzz: %s needs a value\n", argument);
            else
                usage_unknown_option("fuzz", argument, options, sizeof options / sizeof options[0]);
            return -1;
        } else if (arguments->scenario == NULL) {
            arguments->scenario = argument;
        } else {
            fprintf(stderr, "ledgersim fuzz: one scenario file at a time (got %s and %s)\n", arguments->scenario,
                    argument);
            return -1;
        }
    }
    if (arguments->scenario == NULL || !arguments->has_seeds || arguments->faults_text == NULL) {
        fprintf(stderr, "ledgersim fuzz: SCENARIO, --seeds A..B and --faults SPEC are required\n");
        return -1;
    }
    if (arguments->junit_path != NULL && arguments->last_seed - arguments->first_seed >= FUZZ_JUNIT_SEEDS_MAX) {
        fprintf(stderr, "ledgersim fuzz: --junit takes at most %d seeds (a testcase each)\n", FUZZ_JUNIT_SEEDS_MAX);
        return -1;
    }
    return 0;
}

/* --set over --config over the scenario's rows, as `run` does. */
static bool build_fuzz_config(const fuzz_arguments *arguments, kernel_config *config) {
    char error[4096 + 256];
    if (config_build(config, arguments->settings, arguments->setting_count, arguments->config_path, error,
                     sizeof error))
        return true;
    fprintf(stderr, "ledgersim fuzz: %s\n", error);
    return false;
}

/* Runs the scenario for one seed (plan may be NULL: the clean run) into outcome. */
static void run_seed(const fuzz_arguments *arguments, const kernel_config *config, const holdings_book *holdings,
                     const fault_plan *plan, unsigned long seed, seed_outcome *outcome) {
    replay_options options = {.output_directory = NULL, .overrides = *config, .holdings = holdings,
                              .trace = TRACE_NONE, .evaluate_expectations = false, .failures = NULL,
                              .faults = plan, .seed = seed, .detect_window = arguments->detect_window};
    static replay_result result; /* large; one run at a time per process */
    replay_status status = replay_file(arguments->scenario, &options, &result);
    memset(outcome, 0, sizeof *outcome);
    outcome->seed = seed;
    outcome->status = (int)status;
    outcome->events = result.events;
    const simulation_summary *simulation = &result.simulation;
    outcome->total_violations = simulation->total_violations;
    outcome->events_checked = simulation->events_checked;
    memcpy(outcome->violations, simulation->violations, sizeof outcome->violations);
    memcpy(outcome->injected, simulation->injected, sizeof outcome->injected);
    memcpy(outcome->detected, simulation->detected, sizeof outcome->detected);
    memcpy(outcome->injected_on_ok, simulation->injected_on_ok, sizeof outcome->injected_on_ok);
    memcpy(outcome->detected_on_ok, simulation->detected_on_ok, sizeof outcome->detected_on_ok);
    memcpy(outcome->unmeasured, simulation->unmeasured, sizeof outcome->unmeasured);
    memcpy(outcome->snapshots, simulation->snapshots, sizeof outcome->snapshots);
    if (status != REPLAY_OK)
        snprintf(outcome->message, sizeof outcome->message, "%s", result.error);
    else
        snprintf(outcome->message, sizeof outcome->message, "%s", simulation->first_violation);
}

/* Adds outcome (borrowed) to totals; a failing seed is kept. False when
 * out of memory. */
static bool add_outcome(fuzz_totals *totals, const seed_outcome *outcome) {
    totals->seeds++;
    totals->events_checked += outcome->events_checked;
    for (int status = 0; status < 3; status++) totals->snapshots[status] += outcome->snapshots[status];
    for (int index = 0; index < INVARIANT_COUNT; index++) {
        totals->violations[index] += outcome->violations[index];
        totals->seeds_violating[index] += outcome->violations[index] > 0;
    }
    for (int index = 0; index < FAULT_KIND_COUNT; index++) {
        totals->injected[index] += outcome->injected[index];
        totals->detected[index] += outcome->detected[index];
        totals->injected_on_ok[index] += outcome->injected_on_ok[index];
        totals->detected_on_ok[index] += outcome->detected_on_ok[index];
        totals->unmeasured[index] += outcome->unmeasured[index];
    }
    if (outcome->status == REPLAY_OK && outcome->total_violations == 0) return true;
    totals->failing_seeds++;
    if ((size_t)totals->failing_seeds > totals->failing_capacity) {
        size_t capacity = totals->failing_capacity == 0 ? 16 : totals->failing_capacity * 2;
        seed_outcome *grown = realloc(totals->failing, capacity * sizeof *grown);
        if (grown == NULL) return false;
        totals->failing = grown;
        totals->failing_capacity = capacity;
    }
    totals->failing[totals->failing_seeds - 1] = *outcome;
    return true;
}

/* Orders outcomes by seed (qsort callback). */
static int by_seed(const void *left, const void *right) {
    unsigned long first = ((const seed_outcome *)left)->seed, second = ((const seed_outcome *)right)->seed;
    return first < second ? -1 : first > second;
}

/* Writes all of length bytes of data to descriptor; false on an error. */
static bool write_whole(int descriptor, const void *data, size_t length) {
    const char *bytes = data;
    while (length > 0) {
        ssize_t written = write(descriptor, bytes, length);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return false;
        bytes += written;
        length -= (size_t)written;
    }
    return true;
}

/* A worker process: seeds first_seed + worker, + jobs, ... to descriptor. Never returns. */
static void worker_main(const fuzz_arguments *arguments, const kernel_config *config, const holdings_book *holdings,
                        long worker, int descriptor) {
    unsigned long count = arguments->last_seed - arguments->first_seed + 1;
    for (unsigned long offset = (unsigned long)worker; offset < count; offset += (unsigned long)arguments->jobs) {
        seed_outcome outcome;
        run_seed(arguments, config, holdings, &arguments->faults, arguments->first_seed + offset, &outcome);
        if (!write_whole(descriptor, &outcome, sizeof outcome)) _exit(3);
    }
    close(descriptor);
    _exit(0);
}

/* Runs every seed in this process. False when out of memory. */
static bool run_seeds_here(const fuzz_arguments *arguments, const kernel_config *config,
                           const holdings_book *holdings, fuzz_totals *totals, progress *reporter) {
    for (unsigned long seed = arguments->first_seed;; seed++) {
        seed_outcome outcome;
        run_seed(arguments, config, holdings, &arguments->faults, seed, &outcome);
        if (!add_outcome(totals, &outcome)) return false;
        progress_update(reporter, totals->seeds);
        if (seed == arguments->last_seed) break;
    }
    return true;
}

typedef struct {
    pid_t process;
    int descriptor;                     /* read end; -1 once closed */
    seed_outcome partial;               /* bytes of the record being read */
    size_t partial_length;
} worker_pipe;

/* Runs the seeds in arguments->jobs worker processes. False on a system
 * error or a worker that died (printed). */
static bool run_seeds_forked(const fuzz_arguments *arguments, const kernel_config *config,
                             const holdings_book *holdings, fuzz_totals *totals, progress *reporter) {
    long jobs = arguments->jobs;
    worker_pipe *workers = calloc((size_t)jobs, sizeof *workers);
    struct pollfd *polls = calloc((size_t)jobs, sizeof *polls);
    if (workers == NULL || polls == NULL) {
        free(workers);
        free(polls);
        fprintf(stderr, "ledgersim fuzz: out of memory\n");
        return false;
    }
    fflush(stdout);
    fflush(stderr);
    bool healthy = true;
    long started = 0;
    for (; started < jobs; started++) {
        int ends[2];
        if (pipe(ends) < 0) {
            fprintf(stderr, "ledgersim fuzz: pipe: %s\n", strerror(errno));
            healthy = false;
            break;
        }
        pid_t process = fork();
        if (process < 0) {
            fprintf(stderr, "ledgersim fuzz: fork: %s\n", strerror(errno));
            close(ends[0]);
            close(ends[1]);
            healthy = false;
            break;
        }
        if (process == 0) {
            close(ends[0]);
            for (long other = 0; other < started; other++) close(workers[other].descriptor);
            worker_main(arguments, config, holdings, started, ends[1]);
        }
        close(ends[1]);
        workers[started] = (worker_pipe){.process = process, .descriptor = ends[0]};
    }
    long open = started;
    while (healthy && open > 0) {
        nfds_t count = 0;
        for (long index = 0; index < started; index++)
            if (workers[index].descriptor >= 0) polls[count++] = (struct pollfd){workers[index].descriptor, POLLIN, 0};
        if (poll(polls, count, -1) < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "ledgersim fuzz: poll: %s\n", strerror(errno));
            healthy = false;
            break;
        }
        for (nfds_t ready = 0; ready < count; ready++) {
            if (polls[ready].revents == 0) continue;
            worker_pipe *worker = NULL;
            for (long index = 0; index < started && worker == NULL; index++)
                if (workers[index].descriptor == polls[ready].fd) worker = &workers[index];
            if (worker == NULL) continue;
            char *target = (char *)&worker->partial + worker->partial_length;
            ssize_t got;
            do
                got = read(worker->descriptor, target, sizeof worker->partial - worker->partial_length);
            while (got < 0 && errno == EINTR);
            if (got <= 0) {
                close(worker->descriptor);
                worker->descriptor = -1;
                open--;
                continue;
            }
            worker->partial_length += (size_t)got;
            if (worker->partial_length < sizeof worker->partial) continue;
            worker->partial_length = 0;
            if (!add_outcome(totals, &worker->partial)) {
                fprintf(stderr, "ledgersim fuzz: out of memory\n");
                healthy = false;
            }
            progress_update(reporter, totals->seeds);
        }
    }
    for (long index = 0; index < started; index++) {
        if (workers[index].descriptor >= 0) close(workers[index].descriptor);
        if (!healthy) kill(workers[index].process, SIGTERM);
        int status;
        while (waitpid(workers[index].process, &status, 0) < 0 && errno == EINTR) {
        }
        if (healthy && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            fprintf(stderr, "ledgersim fuzz: worker %ld did not finish its seeds\n", index + 1);
            healthy = false;
        }
    }
    free(workers);
    free(polls);
    unsigned long expected = arguments->last_seed - arguments->first_seed + 1;
    if (healthy && (unsigned long)totals->seeds != expected) {
        fprintf(stderr, "ledgersim fuzz: %ld of %lu seeds reported\n", totals->seeds, expected);
        healthy = false;
    }
    return healthy;
}

/* Appends text to command (capacity bytes), single-quoted for a POSIX shell
 * when it has a character outside [A-Za-z0-9_./=,:@%+-]. */
static void append_shell_word(char *command, size_t capacity, const char *text) {
    size_t length = strlen(command);
    bool plain = text[0] != '\0';
    for (const char *cursor = text; *cursor != '\0' && plain; cursor++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=,:@%+-", *cursor) != NULL;
    if (length > 0 && length + 1 < capacity) command[length++] = ' ';
    if (plain) {
        snprintf(command + length, capacity - length, "%s", text);
        return;
    }
    if (length + 1 < capacity) command[length++] = '\'';
    for (const char *cursor = text; *cursor != '\0' && length + 5 < capacity; cursor++) {
        if (*cursor == '\'') {
            memcpy(command + length, "'\\''", 4);
            length += 4;
        } else {
            command[length++] = *cursor;
        }
    }
    if (length + 1 < capacity) command[length++] = '\'';
    command[length < capacity ? length : capacity - 1] = '\0';
}

/* The `ledgersim run` command that reproduces seed, into command. */
static void reproduce_command(const fuzz_arguments *arguments, unsigned long seed, char *command, size_t capacity) {
    char number[32];
    command[0] = '\0';
    append_shell_word(command, capacity, "ledgersim");
    append_shell_word(command, capacity, "run");
    append_shell_word(command, capacity, arguments->scenario);
    append_shell_word(command, capacity, "--faults");
    append_shell_word(command, capacity, arguments->faults_text);
    snprintf(number, sizeof number, "%lu", seed);
    append_shell_word(command, capacity, "--seed");
    append_shell_word(command, capacity, number);
    if (arguments->detect_window > 0) {
        snprintf(number, sizeof number, "%ld", arguments->detect_window);
        append_shell_word(command, capacity, "--detect-window");
        append_shell_word(command, capacity, number);
    }
    if (arguments->config_path != NULL) {
        append_shell_word(command, capacity, "--config");
        append_shell_word(command, capacity, arguments->config_path);
    }
    if (arguments->holdings_path != NULL) {
        append_shell_word(command, capacity, "--holdings");
        append_shell_word(command, capacity, arguments->holdings_path);
    }
    for (int index = 0; index < arguments->setting_count; index++) {
        append_shell_word(command, capacity, "--set");
        append_shell_word(command, capacity, arguments->settings[index]);
    }
    append_shell_word(command, capacity, "--strict");
    char directory[64];
    snprintf(directory, sizeof directory, "out/fuzz-seed-%lu", seed);
    append_shell_word(command, capacity, "--out");
    append_shell_word(command, capacity, directory);
}

/* A share as "12.3%", or "-" when there is nothing to share. */
static void format_rate(long part, long whole, char *out, size_t capacity) {
    if (whole <= 0)
        snprintf(out, capacity, "-");
    else
        snprintf(out, capacity, "%.1f%%", 100.0 * (double)part / (double)whole);
}

/* Prints the report of a finished fuzz run on stdout. */
static void print_report(const fuzz_arguments *arguments, const seed_outcome *clean, const fuzz_totals *totals) {
    char plan[FAULT_PLAN_TEXT_CAPACITY];
    fault_plan_format(&arguments->faults, plan, sizeof plan);
    printf("fuzz %s: seeds %lu..%lu (%ld runs), faults %s, detection window %ld events\n", arguments->scenario,
           arguments->first_seed, arguments->last_seed, totals->seeds, plan[0] != '\0' ? plan : "none",
           arguments->detect_window > 0 ? arguments->detect_window : (long)DETECT_WINDOW_DEFAULT);
    long clean_snapshots = clean->snapshots[0] + clean->snapshots[1] + clean->snapshots[2];
    long fuzzed_snapshots = totals->snapshots[0] + totals->snapshots[1] + totals->snapshots[2];
    char clean_share[32], fuzzed_share[32];
    format_rate(clean->snapshots[1] + clean->snapshots[2], clean_snapshots, clean_share, sizeof clean_share);
    format_rate(totals->snapshots[1] + totals->snapshots[2], fuzzed_snapshots, fuzzed_share, sizeof fuzzed_share);
    printf("clean run (no drawn faults): %ld snapshots, %s not OK (%ld WARN, %ld ERROR), %ld invariant "
           "violations\n", clean_snapshots, clean_share, clean->snapshots[1], clean->snapshots[2],
           clean->total_violations);
    printf("fuzzed runs: %ld snapshots, %s not OK (%ld WARN, %ld ERROR)\n\n", fuzzed_snapshots, fuzzed_share,
           totals->snapshots[1], totals->snapshots[2]);
    printf("%-14s %10s %10s %8s   %10s %10s %8s\n", "fault kind", "injected", "detected", "rate", "on OK",
           "detected", "rate");
    fault_kind sorted[FAULT_KIND_COUNT];
    fault_kinds_sorted(sorted);
    long all[4] = {0, 0, 0, 0}, all_measured = 0;
    for (int position = 0; position <= FAULT_KIND_COUNT; position++) {
        bool total = position == FAULT_KIND_COUNT;
        fault_kind kind = total ? FAULT_CORRUPT : sorted[position];
        long injected = total ? all[0] : totals->injected[kind];
        long detected = total ? all[1] : totals->detected[kind];
        long on_ok = total ? all[2] : totals->injected_on_ok[kind];
        long detected_on_ok = total ? all[3] : totals->detected_on_ok[kind];
        long measured = total ? all_measured : injected - totals->unmeasured[kind];
        char rate[32], rate_on_ok[32];
        format_rate(detected, measured, rate, sizeof rate);
        format_rate(detected_on_ok, on_ok, rate_on_ok, sizeof rate_on_ok);
        printf("%-14s %10ld %10ld %8s   %10ld %10ld %8s\n", total ? "all" : fault_kind_name(kind), injected, detected,
               rate, on_ok, detected_on_ok, rate_on_ok);
        if (total) break;
        all[0] += injected;
        all[1] += detected;
        all[2] += on_ok;
        all[3] += detected_on_ok;
        all_measured += measured;
    }
    printf("(rate: share followed by a snapshot that is not OK within the window; on OK: the\n"
           " faults that hit a kernel whose last snapshot was OK, and their share)\n\n");
    printf("%-28s %10s %8s\n", "invariant", "violations", "seeds");
    for (int index = 0; index < INVARIANT_COUNT; index++)
        printf("%-28s %10ld %8ld\n", invariant_name((invariant_id)index), totals->violations[index],
               totals->seeds_violating[index]);
    printf("\n%ld events checked; %ld of %ld seeds failed\n", totals->events_checked, totals->failing_seeds,
           totals->seeds);
    for (long index = 0; index < totals->failing_seeds; index++) {
        const seed_outcome *outcome = &totals->failing[index];
        char command[FUZZ_COMMAND_CAPACITY];
        reproduce_command(arguments, outcome->seed, command, sizeof command);
        if (outcome->status != REPLAY_OK)
            printf("seed %lu: the run failed: %s\n", outcome->seed, outcome->message);
        else
            printf("seed %lu: %ld invariant violation%s; first: %s\n", outcome->seed, outcome->total_violations,
                   outcome->total_violations == 1 ? "" : "s", outcome->message);
        printf("  reproduce: %s\n", command);
    }
}

/* The message of a failing seed's testcase: what failed and the command
 * that reproduces it, into message (capacity bytes). */
static void seed_failure_message(const fuzz_arguments *arguments, const seed_outcome *outcome, char *message,
                                 size_t capacity) {
    char command[FUZZ_COMMAND_CAPACITY];
    reproduce_command(arguments, outcome->seed, command, sizeof command);
    if (outcome->status != REPLAY_OK)
        snprintf(message, capacity, "%s: seed %lu: the run failed: %s; reproduce: %s", arguments->scenario,
                 outcome->seed, outcome->message, command);
    else
        snprintf(message, capacity, "%s: seed %lu: %ld invariant violation%s; first: %s; reproduce: %s",
                 arguments->scenario, outcome->seed, outcome->total_violations,
                 outcome->total_violations == 1 ? "" : "s", outcome->message, command);
}

/* --junit: one testsuite (the scenario), a testcase for the clean run and
 * one per seed in seed order (totals->failing is sorted). False with a
 * message when the file cannot be written. */
static bool write_junit(const fuzz_arguments *arguments, const seed_outcome *clean, const fuzz_totals *totals) {
    junit_writer writer;
    junit_writer_init(&writer);
    char name[64], message[FUZZ_COMMAND_CAPACITY + FUZZ_MESSAGE_CAPACITY + 256];
    snprintf(message, sizeof message, "%s: the clean run (no drawn faults): %ld invariant violation%s; first: %s",
             arguments->scenario, clean->total_violations, clean->total_violations == 1 ? "" : "s", clean->message);
    junit_case_record record = {.classname = arguments->scenario, .name = "clean run (no drawn faults)",
                                .file = arguments->scenario, .type = "invariant",
                                .outcome = clean->total_violations > 0 ? JUNIT_FAILED : JUNIT_PASSED,
                                .message = clean->total_violations > 0 ? message : NULL};
    junit_case(&writer, &record);
    long next_failing = 0;
    for (unsigned long seed = arguments->first_seed;; seed++) {
        bool failing = next_failing < totals->failing_seeds && totals->failing[next_failing].seed == seed;
        snprintf(name, sizeof name, "seed %lu", seed);
        if (failing) seed_failure_message(arguments, &totals->failing[next_failing++], message, sizeof message);
        record.name = name;
        record.outcome = failing ? JUNIT_FAILED : JUNIT_PASSED;
        record.message = failing ? message : NULL;
        junit_case(&writer, &record);
        if (seed == arguments->last_seed) break;
    }
    char suite[FUZZ_COMMAND_CAPACITY];
    snprintf(suite, sizeof suite, "%s --faults %s", arguments->scenario, arguments->faults_text);
    junit_suite_end(&writer, suite, arguments->scenario, -1);
    char error[PATH_CAPACITY + 256];
    bool saved = junit_writer_save(&writer, arguments->junit_path, "ledgersim fuzz", error, sizeof error);
    if (!saved) fprintf(stderr, "ledgersim fuzz: --junit %s\n", error);
    junit_writer_free(&writer);
    return saved;
}

/* `ledgersim fuzz`; argv is borrowed. */
int command_fuzz(int argc, char **argv) {
    fuzz_arguments arguments;
    int parsed = parse_fuzz_arguments(argc, argv, &arguments);
    if (parsed > 0) {
        fuzz_usage(stdout);
        return EXIT_OK;
    }
    if (parsed < 0)
        return usage_hint("fuzz", "ledgersim fuzz SCENARIO --seeds A..B --faults KIND=P[,KIND=P]... [-j N] "
                                  "[--junit FILE.xml] [options]");
    kernel_config config;
    if (!build_fuzz_config(&arguments, &config)) return EXIT_BAD_INPUT;
    holdings_book holdings;
    holdings_init(&holdings);
    char error[4096 + 256];
    if (arguments.holdings_path != NULL && !holdings_file_load(arguments.holdings_path, &holdings, error, sizeof error)) {
        fprintf(stderr, "ledgersim fuzz: %s\n", error);
        return EXIT_BAD_INPUT;
    }
    /* The clean run first: bad input stops here, before any worker starts. */
    seed_outcome clean;
    run_seed(&arguments, &config, &holdings, NULL, 0, &clean);
    if (clean.status != REPLAY_OK) {
        fprintf(stderr, "%s\n", clean.message);
        return clean.status == REPLAY_BAD_INPUT ? EXIT_BAD_INPUT : EXIT_OUTPUT_ERROR;
    }
    fuzz_totals totals;
    memset(&totals, 0, sizeof totals);
    progress reporter;
    unsigned long count = arguments.last_seed - arguments.first_seed + 1;
    progress_init(&reporter, "fuzz seeds", (long)count);
    bool completed = arguments.jobs > 1 && count > 1
                         ? run_seeds_forked(&arguments, &config, &holdings, &totals, &reporter)
                         : run_seeds_here(&arguments, &config, &holdings, &totals, &reporter);
    progress_finish(&reporter);
    if (!completed) {
        free(totals.failing);
        return EXIT_OUTPUT_ERROR;
    }
    if (totals.failing_seeds > 0)
        qsort(totals.failing, (size_t)totals.failing_seeds, sizeof *totals.failing, by_seed);
    print_report(&arguments, &clean, &totals);
    bool saved = arguments.junit_path == NULL || write_junit(&arguments, &clean, &totals);
    free(totals.failing);
    if (!saved) return EXIT_OUTPUT_ERROR;
    return totals.failing_seeds > 0 || clean.total_violations > 0 ? EXIT_FAILED : EXIT_OK;
}
