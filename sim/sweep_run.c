/* sweep_run.c -- see sweep_run.h. */
#include "sim/sweep_run.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/config_file.h"
#include "io/holdings_file.h"
#include "sim/replay.h"

bool sweep_results_init(sweep_results *results, const sweep_definition *definition) {
    memset(results, 0, sizeof *results);
    results->run_count = definition->run_count;
    results->threshold_points = definition->threshold_points;
    size_t run_bytes = definition->run_count * sizeof *results->runs;
    size_t cell_bytes = definition->run_count * definition->threshold_points * sizeof *results->cells;
    size_t error_bytes = SWEEP_JOBS_MAX * sizeof *results->errors;
    results->mapped_bytes = run_bytes + cell_bytes + error_bytes;
    void *memory = mmap(NULL, results->mapped_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return false;
    results->runs = memory;
    results->cells = (sweep_cell *)(void *)((char *)memory + run_bytes);
    results->errors = (sweep_run_error *)(void *)((char *)memory + run_bytes + cell_bytes);
    return true;
}

void sweep_results_free(sweep_results *results) {
    if (results->runs != NULL) munmap(results->runs, results->mapped_bytes);
    results->runs = NULL;
    results->cells = NULL;
}

/* What every run of one process shares. */
typedef struct {
    const sweep_definition *definition;
    sweep_results *results;
    holdings_book holdings;
    sweep_classifier *classifier;
    long worker;                         /* its error slot */
} run_context;

/* Records a failed run: its status, and its message when it is the
 * worker's first (runs go in increasing index). */
static void fail_run(run_context *context, size_t index, sweep_run_status status, const char *message) {
    context->results->runs[index].status = status;
    sweep_run_error *slot = &context->results->errors[context->worker];
    if (slot->set) return;
    slot->set = true;
    slot->index = index;
    snprintf(slot->text, sizeof slot->text, "%s", message);
}

/* Runs plan index into its result slot. */
static void run_one(run_context *context, size_t index) {
    const sweep_definition *definition = context->definition;
    sweep_run_result *slot = &context->results->runs[index];
    sweep_run run = sweep_plan_run(definition, index);
    const char *settings[SWEEP_AXES_MAX + SWEEP_SETTINGS_MAX];
    char storage[SWEEP_AXES_MAX * (SWEEP_KEY_CAPACITY + 64) + 64];
    int count = sweep_group_settings(definition, run.group, settings, sizeof settings / sizeof settings[0], storage,
                                     sizeof storage);
    kernel_config config;
    char error[PATH_CAPACITY + 512];
    if (!config_build(&config, settings, count, definition->config_path, error, sizeof error)) {
        fail_run(context, index, SWEEP_RUN_BAD_INPUT, error);
        return;
    }
    sweep_classifier_reset(context->classifier);
    replay_options options = {.output_directory = NULL, .overrides = config, .holdings = &context->holdings,
                              .trace = TRACE_NONE, .evaluate_expectations = false, .failures = NULL,
                              .faults = run.clean ? NULL : &definition->faults, .seed = run.seed,
                              .detect_window = definition->detect_window,
                              .observer = sweep_classifier_observer(context->classifier)};
    static replay_result result; /* large; one run at a time per process */
    replay_status status = replay_file(definition->scenarios[run.scenario], &options, &result);
    if (status != REPLAY_OK) {
        fail_run(context, index, status == REPLAY_BAD_INPUT ? SWEEP_RUN_BAD_INPUT : SWEEP_RUN_FAILED, result.error);
        return;
    }
    sweep_cell *cells = context->results->cells + index * definition->threshold_points;
    if (!sweep_classifier_finish(context->classifier, &slot->totals, cells, error, sizeof error)) {
        char message[PATH_CAPACITY + 1024];
        snprintf(message, sizeof message, "%s: %s", definition->scenarios[run.scenario], error);
        fail_run(context, index, SWEEP_RUN_FAILED, message);
        return;
    }
    slot->status = SWEEP_RUN_DONE;
}

/* Runs the worker-th, (worker+jobs)-th, ... selected index; one byte per
 * finished run to descriptor (-1: none). */
static void run_share(run_context *context, size_t shard, size_t shard_count, long worker, long jobs, int descriptor,
                      sweep_progress_fn progress, void *progress_context, size_t total) {
    size_t position = 0, done = 0;
    for (size_t index = shard; index < context->definition->run_count; index += shard_count, position++) {
        if (position % (size_t)jobs != (size_t)worker) continue;
        run_one(context, index);
        done++;
        if (descriptor >= 0) {
            char byte = 1;
            while (write(descriptor, &byte, 1) < 0 && errno == EINTR) {
            }
        } else if (progress != NULL) {
            progress(progress_context, done, total);
        }
    }
}

/* Forks jobs workers and counts their finished runs. False when a worker
 * could not start or died (error set). */
static bool run_forked(run_context *context, size_t shard, size_t shard_count, long jobs, size_t total,
                       sweep_progress_fn progress, void *progress_context, char *error, size_t error_capacity) {
    int ends[2];
    if (pipe(ends) < 0) {
        snprintf(error, error_capacity, "pipe: %s", strerror(errno));
        return false;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t workers[SWEEP_JOBS_MAX];
    long started = 0;
    for (; started < jobs; started++) {
        pid_t process = fork();
        if (process < 0) break;
        if (process == 0) {
            close(ends[0]);
            context->worker = started;
            run_share(context, shard, shard_count, started, jobs, ends[1], NULL, NULL, total);
            _exit(0);
        }
        workers[started] = process;
    }
    close(ends[1]);
    size_t done = 0;
    char bytes[256];
    for (;;) {
        ssize_t got = read(ends[0], bytes, sizeof bytes);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        done += (size_t)got;
        if (progress != NULL) progress(progress_context, done, total);
    }
    close(ends[0]);
    bool healthy = started == jobs;
    if (!healthy) snprintf(error, error_capacity, "fork: %s", strerror(errno));
    for (long index = 0; index < started; index++) {
        int status = 0;
        while (waitpid(workers[index], &status, 0) < 0 && errno == EINTR) {
        }
        if (healthy && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            snprintf(error, error_capacity, "worker %ld did not finish its runs", index + 1);
            healthy = false;
        }
    }
    return healthy;
}

int sweep_execute(const sweep_definition *definition, sweep_results *results, size_t shard, size_t shard_count,
                  long jobs, sweep_progress_fn progress, void *progress_context, char *error, size_t error_capacity) {
    assert(shard < shard_count);
    assert(jobs >= 1 && jobs <= SWEEP_JOBS_MAX);
    run_context context = {.definition = definition, .results = results};
    holdings_init(&context.holdings);
    char reason[PATH_CAPACITY + 512];
    if (definition->holdings_path != NULL &&
        !holdings_file_load(definition->holdings_path, &context.holdings, reason, sizeof reason)) {
        snprintf(error, error_capacity, "%s", reason);
        return 2;
    }
    context.classifier = sweep_classifier_new(&definition->classifier_grid);
    if (context.classifier == NULL) {
        snprintf(error, error_capacity, "out of memory");
        return 3;
    }
    size_t total = definition->run_count > shard ? (definition->run_count - shard + shard_count - 1) / shard_count : 0;
    bool healthy = true;
    if (jobs > 1 && total > 1)
        healthy = run_forked(&context, shard, shard_count, jobs < (long)total ? jobs : (long)total, total, progress,
                             progress_context, error, error_capacity);
    else
        run_share(&context, shard, shard_count, 0, 1, -1, progress, progress_context, total);
    sweep_classifier_free(context.classifier);
    if (!healthy) return 3;
    /* The first failed run in plan order: the lowest of the workers' firsts. */
    const sweep_run_error *first = NULL;
    for (long worker = 0; worker < SWEEP_JOBS_MAX; worker++)
        if (results->errors[worker].set && (first == NULL || results->errors[worker].index < first->index))
            first = &results->errors[worker];
    size_t pending = SIZE_MAX;
    for (size_t index = shard; index < definition->run_count && pending == SIZE_MAX; index += shard_count)
        if (results->runs[index].status == SWEEP_RUN_PENDING) pending = index;
    if (first == NULL && pending == SIZE_MAX) return 0;
    size_t index = first != NULL && first->index < pending ? first->index : pending;
    sweep_run run = sweep_plan_run(definition, index);
    char seed[48] = "";
    if (definition->faults_text != NULL) snprintf(seed, sizeof seed, run.clean ? ", clean run" : ", seed %lu", run.seed);
    snprintf(error, error_capacity, "run %zu (%s%s): %s", index, definition->scenarios[run.scenario], seed,
             index == pending ? "never finished" : first->text);
    return index != pending && results->runs[index].status == SWEEP_RUN_BAD_INPUT ? 2 : 3;
    return 0;
}
