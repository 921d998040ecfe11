/* command_fuzz.c -- placeholder until the fuzz command lands; owned by its issue. */
#include <stdio.h>

#include "cli/commands.h"

int command_fuzz(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "ledgersim fuzz: not built yet\n");
    return EXIT_BAD_INPUT;
}
