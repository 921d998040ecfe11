/* line_reader.c -- see line_reader.h. */
#include "io/line_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { LINE_READ_BYTES = 64 << 10 };

int line_reader_open(line_reader *reader, int descriptor, size_t line_limit) {
    memset(reader, 0, sizeof *reader);
    reader->descriptor = descriptor;
    reader->line_limit = line_limit;
    reader->capacity = line_limit + 2 + LINE_READ_BYTES; /* + the NUL after a last line */
    reader->data = malloc(reader->capacity);
    return reader->data != NULL ? 0 : -1;
}

/* Moves the unread bytes to the front and reads more. 0, or -1 (errno). */
static int fill(line_reader *reader) {
    if (reader->start > 0) {
        memmove(reader->data, reader->data + reader->start, reader->end - reader->start);
        reader->end -= reader->start;
        reader->start = 0;
    }
    ssize_t got;
    do got = read(reader->descriptor, reader->data + reader->end, reader->capacity - 1 - reader->end);
    while (got < 0 && errno == EINTR);
    if (got < 0) return -1;
    if (got == 0) reader->end_of_file = true;
    reader->end += (size_t)got;
    return 0;
}

int line_reader_next(line_reader *reader, char **text, size_t *length, bool *too_long) {
    bool skipping = false; /* inside a line past the limit: drop bytes up to its '\n' */
    *too_long = false;
    for (;;) {
        char *begin = reader->data + reader->start;
        size_t available = reader->end - reader->start;
        char *newline = memchr(begin, '\n', available);
        if (newline != NULL || (reader->end_of_file && available > 0)) {
            size_t line_length = newline != NULL ? (size_t)(newline - begin) : available;
            reader->start += line_length + (newline != NULL);
            reader->line++;
            *too_long = skipping || line_length > reader->line_limit;
            *text = begin;
            *length = *too_long ? 0 : line_length;
            begin[*length] = '\0'; /* its '\n', or the byte kept free after the data */
            return 1;
        }
        if (reader->end_of_file) {
            if (!skipping) return 0;
            reader->line++;
            *too_long = true;
            *text = begin;
            *length = 0;
            begin[0] = '\0';
            return 1;
        }
        if (available > reader->line_limit) { /* no '\n' within the limit */
            skipping = true;
            reader->start = reader->end;
        }
        if (fill(reader) < 0) return -1;
    }
}

void line_reader_close(line_reader *reader) {
    free(reader->data);
    reader->data = NULL;
}
