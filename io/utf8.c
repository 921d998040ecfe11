/* utf8.c -- see utf8.h. */
#include "io/utf8.h"

#include <stdint.h>

/* The length of the well-formed sequence at bytes (left bytes remain), or 0. */
static size_t sequence_length(const unsigned char *bytes, size_t left) {
    unsigned char lead = bytes[0];
    size_t length;
    unsigned char low = 0x80, high = 0xBF; /* the second byte's range (RFC 3629 table) */
    if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead == 0xE0) length = 3, low = 0xA0;
    else if (lead == 0xED) length = 3, high = 0x9F;
    else if (lead >= 0xE1 && lead <= 0xEF) length = 3;
    else if (lead == 0xF0) length = 4, low = 0x90;
    else if (lead == 0xF4) length = 4, high = 0x8F;
    else if (lead >= 0xF1 && lead <= 0xF3) length = 4;
    else return 0;
    if (left < length || bytes[1] < low || bytes[1] > high) return 0;
    for (size_t index = 2; index < length; index++)
        if (bytes[index] < 0x80 || bytes[index] > 0xBF) return 0;
    return length;
}

bool utf8_valid(const char *text, size_t length, size_t *bad_offset) {
    const unsigned char *bytes = (const unsigned char *)text;
    size_t index = 0;
    while (index < length) {
        if (bytes[index] < 0x80) {
            index++;
            continue;
        }
        size_t step = sequence_length(bytes + index, length - index);
        if (step == 0) {
            if (bad_offset != NULL) *bad_offset = index;
            return false;
        }
        index += step;
    }
    return true;
}
