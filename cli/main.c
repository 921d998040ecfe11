/* main.c -- bin/ledgersim: dispatch to a subcommand. */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/usage.h"
#include "core/suggest.h"
#include "io/atomic_file.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"run", command_run, "replay scenario files, write state files, logs and reports"},
    {"check", command_check, "replay scenario files and assert their expect rows"},
    {"ledger", command_ledger, "check a live executor's positions and TP/SL registry files"},
    {"report", command_report, "draw the charts and index.html of a run directory"},
    {"fuzz", command_fuzz, "replay a scenario once per seed with random faults"},
    {"gen", command_gen, "generate a realistic scenario (benchmark input)"},
    {"live", command_live, "run the core on Binance USD-M futures (dry-run by default)"},
    {"sweep", command_sweep, "classify scenarios over a grid of config values in one pass"},
    {"diff", command_diff, "compare the reconcile classification of two runs"},
};

static void usage(FILE *stream) {
    fprintf(stream,
            "usage: ledgersim COMMAND [ARGS...]\n"
            "       ledgersim --help | --version\n\n"
            "A deterministic simulation and backtest harness for the money side of a\n"
            "crypto-futures trading system.\n\ncommands:\n");
    for (size_t index = 0; index < sizeof commands / sizeof commands[0]; index++)
        fprintf(stream, "  %-8s %s\n", commands[index].name, commands[index].summary);
    fprintf(stream, "\n'ledgersim COMMAND --help' describes one command. The formats: docs/scenario-format.md\n"
                    "(input) and docs/state-files.md (output).\n\n"
                    "Exit status (every command): 0 success; 1 a check failed (an expectation, a\n"
                    "yellow ledger, an invariant under --strict, a failing fuzz seed; for live, the\n"
                    "session stopped on an exchange error); 2 bad input or usage (nothing written);\n"
                    "3 an output error, or a red ledger (ledger).\n");
}

/* An unknown command: the error, the nearest command when one is a likely
 * typo, one usage line. Returns EXIT_BAD_INPUT. */
static int unknown_command(const char *name) {
    const char *names[sizeof commands / sizeof commands[0]];
    for (size_t index = 0; index < sizeof commands / sizeof commands[0]; index++) names[index] = commands[index].name;
    const char *nearest = suggest_nearest(name, names, sizeof names / sizeof names[0]);
    fprintf(stderr, "ledgersim: unknown command '%s'%s%s%s\n", name, nearest != NULL ? " (did you mean '" : "",
            nearest != NULL ? nearest : "", nearest != NULL ? "'?)" : "");
    return usage_hint(NULL, "ledgersim run|check|ledger|report|fuzz|gen|live ARGS...");
}

int main(int argc, char **argv) {
    /* GSL aborts on errors unless told not to; every result is checked instead. */
    gsl_set_error_handler_off();
    io_fault_from_environment();
    if (argc < 2) {
        fprintf(stderr, "ledgersim: no command given\n");
        return usage_hint(NULL, "ledgersim run|check|ledger|report|fuzz|gen|live ARGS...");
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("ledgersim %s\n", LEDGERSIM_VERSION);
        return EXIT_OK;
    }
    for (size_t index = 0; index < sizeof commands / sizeof commands[0]; index++)
        if (strcmp(argv[1], commands[index].name) == 0) return commands[index].run(argc - 1, argv + 1);
    return unknown_command(argv[1]);
}
