/* command_live.c -- placeholder until the live command lands; owned by its issue. */
#include <stdio.h>

#include "cli/commands.h"

int command_live(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "ledgersim live: not built yet\n");
    return EXIT_BAD_INPUT;
}
