#include "cli/commands.h"
int command_run(int argc, char **argv) { (void)argc; (void)argv; return 2; }
int command_check(int argc, char **argv) { (void)argc; (void)argv; return 2; }
