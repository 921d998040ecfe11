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

size_t text_utf8_sequence_length(const unsigned char *bytes, size_t available) {
    assert(bytes != NULL);
    if (available == 0 || bytes[0] < 0xC2 || bytes[0] > 0xF4) return 0; /* ASCII, continuation, overlong 2-byte */
    size_t length = bytes[0] < 0xE0 ? 2 : bytes[0] < 0xF0 ? 3 : 4;
    if (length > available) return 0;
    for (size_t index = 1; index < length; index++)
        if ((bytes[index] & 0xC0) != 0x80) return 0;
    /* The second byte's range excludes overlong forms, surrogates and > U+10FFFF. */
    unsigned char second = bytes[1];
    if (bytes[0] == 0xE0 && second < 0xA0) return 0;
    if (bytes[0] == 0xED && second > 0x9F) return 0;
    if (bytes[0] == 0xF0 && second < 0x90) return 0;
    if (bytes[0] == 0xF4 && second > 0x8F) return 0;
    assert(length >= 2 && length <= 4);
    return length;
}
