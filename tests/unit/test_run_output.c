/* test_run_output.c -- io/run_output.c in live mode (issue 15): the state
 * set is swapped in whole (a new logs/state folder each time, nothing left
 * beside it), DIR's lock refuses a second writer, and a state folder parked
 * by a killed fallback swap is restored at the next open, not lost. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/config.h"
#include "core/kernel.h"
#include "io/atomic_file.h"
#include "io/run_output.h"

/* A new scratch folder (mkdtemp) into path. */
static void scratch(char path[64]) {
    snprintf(path, 64, "/tmp/ledgersim-run-output-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(path));
}

/* The number of entries of folder, "." and ".." left out. */
static int entries(const char *folder) {
    char command[256];
    snprintf(command, sizeof command, "test $(ls -A '%s' | wc -l) -eq 6", folder);
    return system(command) == 0 ? 6 : -1;
}

START_TEST(test_live_state_swapped_whole) {
    char directory[64];
    scratch(directory);
    kernel *k = malloc(sizeof *k);
    ck_assert_ptr_nonnull(k);
    kernel_config config;
    config_defaults(&config);
    kernel_init(k, &config);
    run_output *out = malloc(sizeof *out);
    run_output *second = malloc(sizeof *second);
    ck_assert_int_eq(run_output_open(out, directory, TRACE_FULL, true), 0);
    /* A second live writer on the same DIR (another process: record locks
     * belong to a process) is refused, naming this process's pid. */
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        char expected[64];
        snprintf(expected, sizeof expected, "being written by process %ld", (long)getppid());
        bool refused = run_output_open(second, directory, TRACE_FULL, true) != 0 &&
                       strstr(second->error, expected) != NULL;
        /* Leave through exec: under valgrind (which follows a fork) the heap
         * this child inherited from the test would count as its own leak
         * and turn its exit status into valgrind's error code. */
        execl(refused ? "/bin/true" : "/bin/false", refused ? "true" : "false", (char *)NULL);
        _exit(refused ? 0 : 1);
    }
    int child_status = -1;
    ck_assert_int_eq(waitpid(child, &child_status, 0), child);
    ck_assert(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0);
    for (int round = 0; round < 3; round++) ck_assert_int_eq(run_output_state(out, k), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/logs/state", directory);
    ck_assert_int_eq(entries(path), 6);
    snprintf(path, sizeof path, "test -z \"$(ls -A '%s/logs' | grep '^\\.')\"", directory);
    ck_assert_int_eq(system(path), 0); /* no staging folder left */
    run_output_close(out);
    /* A swap killed between the fallback's two renames: the state folder
     * parked at .state.previous is restored by the next open. */
    char state[256], previous[256];
    snprintf(state, sizeof state, "%s/logs/state", directory);
    snprintf(previous, sizeof previous, "%s/logs/.state.previous", directory);
    ck_assert_int_eq(rename(state, previous), 0);
    ck_assert_int_eq(run_output_open(out, directory, TRACE_FULL, true), 0);
    ck_assert_int_eq(entries(state), 6);
    struct stat status;
    ck_assert_int_ne(lstat(previous, &status), 0);
    run_output_close(out);
    free(second);
    free(out);
    free(k);
    ck_assert_int_eq(remove_tree(directory), 0);
}
END_TEST

static Suite *run_output_suite(void) {
    Suite *suite = suite_create("run_output");
    TCase *live = tcase_create("live");
    tcase_add_test(live, test_live_state_swapped_whole);
    suite_add_tcase(suite, live);
    return suite;
}

int main(void) {
    SRunner *runner = srunner_create(run_output_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
