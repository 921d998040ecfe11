/* json_writer.h -- JSON text into a buffer, numbers in canonical form.
 *
 * cJSON is used to read JSON only: its printer does not round-trip doubles
 * (0.1+0.2 prints as 0.3). Every JSON file and log line is written here, with
 * number_format(), so that each number reads back as the same double.
 * Errors are sticky in the buffer (see buffer.h). */
#ifndef LEDGERSIM_IO_JSON_WRITER_H
#define LEDGERSIM_IO_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "io/buffer.h"

enum { JSON_WRITER_DEPTH_MAX = 16 };

typedef struct {
    buffer *out;                             /* borrowed; not freed here */
    bool pretty;                             /* two-space indentation, one member a line */
    int depth;
    bool has_members[JSON_WRITER_DEPTH_MAX]; /* whether a comma is due at each depth */
    bool after_key;
} json_writer;

/* Starts writing into out (appending to what it holds). */
void json_writer_init(json_writer *writer, buffer *out, bool pretty);

void json_object_begin(json_writer *writer);
void json_object_end(json_writer *writer);
void json_array_begin(json_writer *writer);
void json_array_end(json_writer *writer);
/* Writes a member name; the next value call writes its value. */
void json_key(json_writer *writer, const char *key);

/* json_key for a key of length bytes that needs no escaping: the writers'
 * own field names, given as string literals through JSON_KEY, which
 * passes the length (a hot path: a reconcile line has 45 keys). */
void json_key_plain(json_writer *writer, const char *key, size_t length);
#define JSON_KEY(writer, literal) json_key_plain((writer), "" literal "", sizeof(literal) - 1)
void json_string(json_writer *writer, const char *text);
/* A finite double in canonical form; a non-finite one as null. */
void json_number(json_writer *writer, double value);
void json_integer(json_writer *writer, int64_t value);
void json_bool(json_writer *writer, bool value);
void json_null(json_writer *writer);
/* A number, or null when present is false (optional fields such as tp). */
void json_optional_number(json_writer *writer, bool present, double value);

/* A value given as JSON text, written as it is (text must be one valid JSON
 * value: a member kept byte for byte from a file that was read). */
void json_raw_value(json_writer *writer, const char *text, size_t length);

/* Appends a JSON string literal (quotes and escapes) for text. */
void json_append_string_literal(buffer *out, const char *text);

#endif
