/* buffer.h -- a growable byte buffer with an explicit limit (after curl's
 * dynbuf). The caller owns the struct; init cannot fail. An append that would
 * cross the limit, or an allocation failure, marks the buffer failed: every
 * later append is a no-op and the writer checks buffer_failed() once at the
 * end, so a long sequence of appends needs one check, not one per call. */
#ifndef LEDGERSIM_IO_BUFFER_H
#define LEDGERSIM_IO_BUFFER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"

typedef struct {
    char *data;           /* NUL-terminated while not failed; NULL until first append */
    size_t length;        /* bytes used, NUL excluded */
    size_t capacity;      /* bytes allocated */
    size_t limit;         /* the most bytes it may ever hold */
    bool failed;
} buffer;

/* Prepares an empty buffer that will hold at most limit bytes. */
void buffer_init(buffer *target, size_t limit);

/* Frees the memory; the buffer is empty and may be reused. */
void buffer_free(buffer *target);

/* Empties the buffer, keeping its memory and clearing the failed flag. */
void buffer_reset(buffer *target);

/* Appends length bytes. Returns false (and marks the buffer failed) when the
 * limit would be crossed or memory runs out. */
bool buffer_append(buffer *target, const void *bytes, size_t length);

/* Appends a NUL-terminated string. */
bool buffer_append_text(buffer *target, const char *text);

/* Appends printf-formatted text (bounded by the buffer limit). */
bool buffer_append_format(buffer *target, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* True when any append failed since init or the last reset. */
bool buffer_failed(const buffer *target) WARN_UNUSED_RESULT;

#endif
