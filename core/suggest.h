/* suggest.h -- "did you mean": the known name nearest to a mistyped one, for
 * the error messages of unknown commands, options, config keys and expect
 * paths. Pure: no I/O, no allocation. */
#ifndef LEDGERSIM_CORE_SUGGEST_H
#define LEDGERSIM_CORE_SUGGEST_H

#include <stddef.h>

enum { SUGGEST_NAME_MAX = 64 };   /* bytes of a name compared; longer names get no suggestion */

/* The candidate (of count, borrowed; NULL entries skipped) nearest to name by
 * edit distance (insert, delete, substitute, swap two neighbours), when it
 * is close enough to be a typo: at most 1 edit for names up to 4 bytes, 2
 * up to 8, 3 beyond. NULL when none is. Ties go to the earlier candidate. */
const char *suggest_nearest(const char *name, const char *const *candidates, size_t count);

/* The edit distance between a and b (each at most SUGGEST_NAME_MAX bytes),
 * or SUGGEST_NAME_MAX + 1 when either is longer. */
size_t suggest_distance(const char *a, const char *b);

#endif
