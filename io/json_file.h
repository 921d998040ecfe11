/* json_file.h -- reading a whole JSON file with cJSON, within a size limit,
 * with errors that name the file and the byte. */
#ifndef LEDGERSIM_IO_JSON_FILE_H
#define LEDGERSIM_IO_JSON_FILE_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"
#include "io/buffer.h"

enum { JSON_FILE_LIMIT = 16 << 20 };

typedef enum { JSON_FILE_OK = 0, JSON_FILE_MISSING = 1, JSON_FILE_TOO_LARGE = 2, JSON_FILE_ERROR = -1 } json_file_status;

/* Reads the whole file at path into content (the caller's buffer: its limit
 * is the most the file may hold; it grows with the file, so a small file
 * costs a small allocation). JSON_FILE_MISSING when the file does not exist,
 * JSON_FILE_TOO_LARGE past the limit, JSON_FILE_ERROR with error ("FILE:
 * cannot open/read: reason") otherwise. */
json_file_status json_file_read(const char *path, buffer *content, char *error, size_t error_capacity) WARN_UNUSED_RESULT;


/* Checks text[0..length) before cJSON reads it: no NUL byte, well-formed
 * UTF-8, and no \u0000 escape in a string (cJSON would end the string
 * there). True, or false with the byte offset and a description of the first
 * problem (a static string). */
bool json_text_check(const char *text, size_t length, size_t *offset, const char **problem);

/* True when arrays and objects in text[0..length) (strings skipped) nest
 * deeper than CJSON_NESTING_LIMIT: what makes cJSON refuse a document there. */
bool json_nesting_exceeded(const char *text, size_t length);

/* Loads path, which must exist and hold a JSON object. False with error
 * naming the file; what_expected completes "expected ..." for a non-object. */
bool json_file_load_object(const char *path, cJSON **root, const char *what_expected, char *error,
                           size_t error_capacity) WARN_UNUSED_RESULT;

#endif
