/* exit_status.h -- the process exit statuses of every ledgersim command, in
 * one place so that cli/ and the drivers below it (live/) agree without
 * reaching up into cli/. Pure constants: no I/O.
 *
 *   0 success
 *   1 a check failed: an expectation, a yellow ledger, an invariant under
 *     --strict, a failing fuzz seed; for `live`, the session stopped on an
 *     exchange or connection error
 *   2 bad input or usage (the message names the file, line or option;
 *     nothing is written)
 *   3 an output error (a file could not be written, or another process
 *     writes the same --out DIR), or a red ledger (`ledger`) */
#ifndef LEDGERSIM_CORE_EXIT_STATUS_H
#define LEDGERSIM_CORE_EXIT_STATUS_H

enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1,
    EXIT_BAD_INPUT = 2,
    EXIT_OUTPUT_ERROR = 3,
    EXIT_RED = 3                /* `ledger`: consistency red (shares 3 with output errors) */
};

/* The one-line summary every --help prints. */
#define EXIT_STATUS_HELP \
    "Exit status: 0 success, 1 a check failed, 2 bad input or usage, 3 an output\n" \
    "error (or a red ledger). See README.md, \"Command line\".\n"

#endif
