/* utf8.c -- see utf8.h. */
#include "io/utf8.h"

#include "core/text.h"

bool utf8_valid(const char *text, size_t length, size_t *bad_offset) {
    const unsigned char *bytes = (const unsigned char *)text;
    size_t index = 0;
    while (index < length) {
        if (bytes[index] < 0x80) {
            index++;
            continue;
        }
        size_t step = text_utf8_sequence_length(bytes + index, length - index); /* core's one decoder */
        if (step == 0) {
            if (bad_offset != NULL) *bad_offset = index;
            return false;
        }
        index += step;
    }
    return true;
}
