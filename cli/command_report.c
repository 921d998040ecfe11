/* command_report.c -- placeholder until the report command lands; owned by its issue. */
#include <stdio.h>

#include "cli/commands.h"

int command_report(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "ledgersim report: not built yet\n");
    return EXIT_BAD_INPUT;
}
