/* fuzz_scenario_reader.c -- fuzz target: the scenario CSV reader alone
 * (sim/scenario), beside fuzz_scenario.c's full replay.
 *
 * The full replay sets up a whole run per input (an 8 MiB kernel zeroed,
 * fourteen output files), so it explores a few hundred inputs a second; the
 * reader, where every byte of an input is parsed, gets its own target that
 * costs only what the input touches (issue 15: at least 2,000 executions a
 * second). It checks what the reader promises: rows come out validated, in
 * time order, and errors name the file and a line. Its corpus is
 * fixtures/fuzz/scenario_reader/ (the scenario corpus' small inputs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "tests/fuzz/harness.h"

enum { FUZZ_SCENARIO_BYTES_MAX = 64 << 10 /* bytes: longer inputs only slow the search */ };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_SCENARIO_BYTES_MAX) return 0;
    (void)fuzz_read_scenario_rows(fuzz_file_with(data, size));
    return 0;
}
