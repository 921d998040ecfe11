/* text.c -- see text.h. */
#include "core/text.h"

#include <assert.h>
#include <string.h>

size_t text_copy(char *out, size_t capacity, const char *text) {
    assert(capacity > 0);
    assert(out != text);
    size_t length = strnlen(text, capacity - 1);
    memcpy(out, text, length);
    out[length] = '\0';
    return length;
}
