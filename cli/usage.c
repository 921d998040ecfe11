/* usage.c -- see usage.h. */
#include "cli/usage.h"

#include <stdio.h>
#include <string.h>

#include "core/exit_status.h"
#include "core/suggest.h"

int usage_hint(const char *command, const char *usage_line) {
    fprintf(stderr, "usage: %s\n", usage_line);
    if (command != NULL)
        fprintf(stderr, "see 'ledgersim %s --help'\n", command);
    else
        fprintf(stderr, "see 'ledgersim --help'\n");
    return EXIT_BAD_INPUT;
}

void usage_unknown_option(const char *command, const char *argument, const char *const *options, size_t count) {
    char name[SUGGEST_NAME_MAX + 1];
    size_t length = strcspn(argument, "=");
    if (length > SUGGEST_NAME_MAX) length = SUGGEST_NAME_MAX;
    memcpy(name, argument, length);
    name[length] = '\0';
    const char *nearest = suggest_nearest(name, options, count);
    fprintf(stderr, "ledgersim %s: unknown option '%s'%s%s%s\n", command, argument,
            nearest != NULL ? " (did you mean '" : "", nearest != NULL ? nearest : "", nearest != NULL ? "'?)" : "");
}
