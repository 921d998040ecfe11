/* harness.h -- what every fuzz target shares.
 *
 * Each target in tests/fuzz/fuzz_*.c defines LLVMFuzzerTestOneInput and is
 * built twice: with clang's libFuzzer (`make fuzz`, which finds inputs) and
 * with replay_main.c (`make fuzz-replay`, which feeds the committed corpus
 * fixtures/fuzz/NAME/ of tests/fuzz/fuzz_NAME.c to it as regression cases,
 * without libFuzzer). A
 * target reports a defect by crashing: a sanitizer finding or FUZZ_CHECK. */
#ifndef LEDGERSIM_TESTS_FUZZ_HARNESS_H
#define LEDGERSIM_TESTS_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    FUZZ_INPUT_MAX = 1 << 20   /* bytes: a larger input is skipped (replay_main reads no more) */
};

/* The entry point libFuzzer calls once per input (and replay_main.c too). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with the failed condition and its place when condition is false:
 * an invariant the code under test promised does not hold. */
#define FUZZ_CHECK(condition) \
    ((condition) ? (void)0 : fuzz_check_failed(#condition, __FILE__, __LINE__))
_Noreturn void fuzz_check_failed(const char *condition, const char *file, int line);

/* A path whose file holds exactly data[0..size): for code that reads by
 * path. The file lives in memory (memfd) and is rewritten by every call, so
 * the returned path is valid until the next call. Aborts if it cannot. */
const char *fuzz_file_with(const uint8_t *data, size_t size);

/* A fresh, empty scratch folder under TMPDIR (else /dev/shm, else /tmp),
 * the same for the whole process: everything under it is removed by each
 * call, and the folder at a normal exit (libFuzzer ends without one:
 * tests/fuzz/run-fuzzers.sh points TMPDIR at a folder it removes). For
 * targets whose code under test writes files. */
const char *fuzz_scratch_directory(void);

/* Reads the scenario file at path row by row, checking what the reader
 * promises (rows validated, in time order, errors "FILE:LINE: message");
 * true when the file is valid to the reader. A broken promise aborts. */
bool fuzz_read_scenario_rows(const char *path);

#endif
