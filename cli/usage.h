/* usage.h -- how every subcommand reports a usage error: the error, one
 * usage line and where the full help is, never the whole help (the error
 * would scroll away), with "did you mean" for a near option or command. */
#ifndef LEDGERSIM_CLI_USAGE_H
#define LEDGERSIM_CLI_USAGE_H

#include <stddef.h>

/* Prints, on stderr, "usage: USAGE_LINE" and "see 'ledgersim COMMAND
 * --help'" (command NULL: 'ledgersim --help'). Returns EXIT_BAD_INPUT. */
int usage_hint(const char *command, const char *usage_line);

/* Prints "ledgersim COMMAND: unknown option 'ARGUMENT'" and, when one of
 * options (count names, borrowed) is a likely typo of it (compared without
 * any "=VALUE"), " (did you mean 'OPTION'?)". */
void usage_unknown_option(const char *command, const char *argument, const char *const *options, size_t count);

#endif
