/* command_gen.c -- placeholder until the gen command lands; owned by its issue. */
#include <stdio.h>

#include "cli/commands.h"

int command_gen(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "ledgersim gen: not built yet\n");
    return EXIT_BAD_INPUT;
}
