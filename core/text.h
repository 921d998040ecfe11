/* text.h -- bounded copies of NUL-terminated text.
 *
 * snprintf(out, capacity, "%s", text) says the same but costs a format
 * parse per call; the kernel copies ids and symbols several times per
 * event, so it has this. */
#ifndef LEDGERSIM_CORE_TEXT_H
#define LEDGERSIM_CORE_TEXT_H

#include <stddef.h>

/* Copies text into out (capacity bytes, at least 1): at most capacity - 1
 * bytes, then a NUL, as snprintf would. Returns the bytes copied. The
 * caller owns both; they must not overlap. */
size_t text_copy(char *out, size_t capacity, const char *text);

#endif
