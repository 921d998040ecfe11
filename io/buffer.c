/* buffer.c -- see buffer.h. */
#include "io/buffer.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buffer_init(buffer *target, size_t limit) {
    assert(limit > 0);
    target->data = NULL;
    target->length = 0;
    target->capacity = 0;
    target->limit = limit;
    target->failed = false;
}

void buffer_free(buffer *target) {
    free(target->data);
    target->data = NULL;
    target->length = 0;
    target->capacity = 0;
    target->failed = false;
}

void buffer_reset(buffer *target) {
    target->length = 0;
    target->failed = false;
    if (target->data != NULL) target->data[0] = '\0';
}

/* Makes room for extra more bytes plus the NUL. */
static bool buffer_reserve(buffer *target, size_t extra) {
    if (target->failed) return false;
    if (extra > target->limit - target->length) {
        target->failed = true;
        return false;
    }
    size_t needed = target->length + extra + 1;
    if (needed <= target->capacity) return true;
    size_t capacity = target->capacity == 0 ? 256 : target->capacity;
    while (capacity < needed) capacity *= 2;
    char *grown = realloc(target->data, capacity);
    if (grown == NULL) {
        target->failed = true;
        return false;
    }
    target->data = grown;
    target->capacity = capacity;
    return true;
}

bool buffer_append(buffer *target, const void *bytes, size_t length) {
    if (!buffer_reserve(target, length)) return false;
    memcpy(target->data + target->length, bytes, length);
    target->length += length;
    target->data[target->length] = '\0';
    return true;
}

bool buffer_append_text(buffer *target, const char *text) {
    return buffer_append(target, text, strlen(text));
}

bool buffer_append_format(buffer *target, const char *format, ...) {
    char small[256];
    va_list arguments;
    va_start(arguments, format);
    int needed = vsnprintf(small, sizeof small, format, arguments);
    va_end(arguments);
    if (needed < 0) {
        target->failed = true;
        return false;
    }
    if ((size_t)needed < sizeof small) return buffer_append(target, small, (size_t)needed);
    if (!buffer_reserve(target, (size_t)needed)) return false;
    va_start(arguments, format);
    vsnprintf(target->data + target->length, (size_t)needed + 1, format, arguments);
    va_end(arguments);
    target->length += (size_t)needed;
    return true;
}

bool buffer_failed(const buffer *target) {
    return target->failed;
}
