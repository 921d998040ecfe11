/* command_ledger.c -- placeholder until the ledger command lands; owned by its issue. */
#include <stdio.h>

#include "cli/commands.h"

int command_ledger(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "ledgersim ledger: not built yet\n");
    return EXIT_BAD_INPUT;
}
