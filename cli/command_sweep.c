#include "cli/commands.h"
int command_sweep(int argc, char **argv) { (void)argc; (void)argv; return EXIT_BAD_INPUT; }
