/* commands.h -- the subcommands of bin/ledgersim. Each takes the arguments
 * after its name and returns the process exit status (core/exit_status.h). */
#ifndef LEDGERSIM_CLI_COMMANDS_H
#define LEDGERSIM_CLI_COMMANDS_H

#include "core/exit_status.h"

#define LEDGERSIM_VERSION "0.1.0"

int command_run(int argc, char **argv);     /* cli/command_run.c */
int command_check(int argc, char **argv);   /* cli/command_run.c */
int command_ledger(int argc, char **argv);  /* cli/command_ledger.c */
int command_report(int argc, char **argv);  /* cli/command_report.c */
int command_fuzz(int argc, char **argv);    /* cli/command_fuzz.c */
int command_gen(int argc, char **argv);     /* cli/command_gen.c */
int command_live(int argc, char **argv);    /* cli/command_live.c */
int command_sweep(int argc, char **argv);   /* cli/command_sweep.c */
int command_diff(int argc, char **argv);    /* cli/command_diff.c */

#endif
