/* line_reader.h -- lines of a file read by length, not as C strings.
 *
 * fgets/strlen lose what follows a NUL byte (a NUL inside a line swallowed
 * the next line and shifted every later line number). Here a line is the
 * bytes up to '\n', whatever they hold, with its length: the caller decides
 * what a NUL means (live convert: an error naming the line). A line longer
 * than the limit is skipped to its end and reported as such, so memory is
 * bounded by the limit whatever the input. */
#ifndef LEDGERSIM_IO_LINE_READER_H
#define LEDGERSIM_IO_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"

typedef struct {
    int descriptor;       /* borrowed: not closed here */
    char *data;           /* capacity bytes */
    size_t capacity;
    size_t start, end;    /* unread bytes: data[start..end) */
    size_t line_limit;    /* bytes of the longest line returned whole */
    bool end_of_file;
    long line;            /* the number of the line last returned (1-based) */
} line_reader;

/* Starts reading descriptor. Returns 0, or -1 when memory runs out. */
int line_reader_open(line_reader *reader, int descriptor, size_t line_limit) WARN_UNUSED_RESULT;

/* The next line: 1 with *text and *length (without the '\n'; valid until
 * the next call; text[length] is a NUL, so that a line without NUL bytes is
 * also a C string; the caller may write into text[0..length]) and *too_long (then the line was longer than the limit, is
 * skipped, and *length is 0); 0 at the end; -1 on a read error (errno). */
int line_reader_next(line_reader *reader, char **text, size_t *length, bool *too_long) WARN_UNUSED_RESULT;

void line_reader_close(line_reader *reader);

#endif
