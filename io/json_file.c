/* json_file.c -- see json_file.h. */
#include "io/json_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/input_file.h"
#include "io/utf8.h"

bool json_nesting_exceeded(const char *text, size_t length) {
    int depth = 0;
    bool in_string = false;
    for (size_t index = 0; index < length; index++) {
        char byte = text[index];
        if (in_string) {
            if (byte == '\\')
                index++;
            else if (byte == '"')
                in_string = false;
        } else if (byte == '"') {
            in_string = true;
        } else if (byte == '[' || byte == '{') {
            if (++depth > CJSON_NESTING_LIMIT) return true;
        } else if (byte == ']' || byte == '}') {
            depth--;
        }
    }
    return false;
}

bool json_text_check(const char *text, size_t length, size_t *offset, const char **problem) {
    const char *nul = memchr(text, '\0', length);
    size_t bad = 0;
    bool valid = utf8_valid(text, length, &bad);
    if (nul != NULL && (valid || (size_t)(nul - text) < bad)) {
        *offset = (size_t)(nul - text);
        *problem = "a NUL byte (not JSON text)";
        return false;
    }
    if (!valid) {
        *offset = bad;
        *problem = "not valid UTF-8";
        return false;
    }
    /* \u0000 in a string: cJSON would cut the string there ("BTC\u0000USDT"
     * read as "BTC"), so that another key could be read as this one. */
    bool in_string = false;
    for (size_t index = 0; index < length; index++) {
        char byte = text[index];
        if (!in_string) {
            in_string = byte == '"';
            continue;
        }
        if (byte == '"') {
            in_string = false;
        } else if (byte == '\\' && index + 1 < length) {
            if (text[index + 1] == 'u' && index + 6 <= length && memcmp(text + index + 2, "0000", 4) == 0) {
                *offset = index;
                *problem = "\\u0000 (a NUL character) in a string";
                return false;
            }
            index++;
        }
    }
    return true;
}

json_file_status json_file_read(const char *path, buffer *content, char *error, size_t error_capacity) {
    enum { CHUNK_BYTES = 65536 };
    FILE *file = input_file_fopen(path, error, error_capacity); /* regular files only: never a FIFO's wait */
    if (file == NULL) return errno == ENOENT ? JSON_FILE_MISSING : JSON_FILE_ERROR;
    json_file_status status = JSON_FILE_OK;
    char chunk[CHUNK_BYTES];
    for (;;) {
        size_t got = fread(chunk, 1, sizeof chunk, file);
        if (got > content->limit - content->length) {
            status = JSON_FILE_TOO_LARGE;
            break;
        }
        if (got > 0 && !buffer_append(content, chunk, got)) {
            snprintf(error, error_capacity, "%s: out of memory", path);
            status = JSON_FILE_ERROR;
            break;
        }
        if (got < sizeof chunk) {
            if (ferror(file)) {
                snprintf(error, error_capacity, "%s: cannot read: %s", path, strerror(errno));
                status = JSON_FILE_ERROR;
            }
            break;
        }
    }
    fclose(file);
    return status;
}

/* Parses path into *root (the caller frees it with cJSON_Delete). A file
 * that does not exist is JSON_FILE_MISSING; any other failure fills error
 * ("FILE: cannot read...", "FILE: byte N: invalid JSON", "FILE: byte N:
 * nested deeper than 1000 levels" for cJSON's CJSON_NESTING_LIMIT). */
static json_file_status json_file_load(const char *path, cJSON **root, char *error, size_t error_capacity) {
    *root = NULL;
    buffer content;
    buffer_init(&content, JSON_FILE_LIMIT + 1); /* + the NUL cJSON checks after the value */
    json_file_status status = json_file_read(path, &content, error, error_capacity);
    if (status == JSON_FILE_OK && content.length > JSON_FILE_LIMIT) status = JSON_FILE_TOO_LARGE;
    if (status == JSON_FILE_TOO_LARGE) snprintf(error, error_capacity, "%s: larger than 16 MiB", path);
    if (status == JSON_FILE_OK && !buffer_append(&content, "", 1)) {
        snprintf(error, error_capacity, "%s: out of memory", path);
        status = JSON_FILE_ERROR;
    }
    if (status != JSON_FILE_OK) {
        buffer_free(&content);
        return status == JSON_FILE_MISSING ? JSON_FILE_MISSING : JSON_FILE_ERROR;
    }
    const char *text = content.data;
    size_t length = content.length - 1;
    size_t offset = 0;
    const char *problem = NULL;
    if (!json_text_check(text, length, &offset, &problem)) {
        snprintf(error, error_capacity, "%s: byte %zu: %s", path, offset, problem);
        buffer_free(&content);
        return JSON_FILE_ERROR;
    }
    const char *end = NULL;
    *root = cJSON_ParseWithLengthOpts(text, length + 1, &end, true);
    if (*root == NULL) {
        offset = end != NULL && end >= text ? (size_t)(end - text) : 0;
        if (json_nesting_exceeded(text, offset < length ? offset + 1 : length))
            snprintf(error, error_capacity, "%s: byte %zu: nested deeper than %d levels", path, offset,
                     CJSON_NESTING_LIMIT);
        else
            snprintf(error, error_capacity, "%s: byte %zu: invalid JSON", path, offset);
        buffer_free(&content);
        return JSON_FILE_ERROR;
    }
    buffer_free(&content);
    return JSON_FILE_OK;
}

bool json_file_load_object(const char *path, cJSON **root, const char *what_expected, char *error,
                           size_t error_capacity) {
    json_file_status status = json_file_load(path, root, error, error_capacity);
    if (status == JSON_FILE_MISSING) snprintf(error, error_capacity, "%s: no such file", path);
    if (status != JSON_FILE_OK) return false;
    if (cJSON_IsObject(*root)) return true;
    snprintf(error, error_capacity, "%s: expected %s", path, what_expected);
    cJSON_Delete(*root);
    *root = NULL;
    return false;
}
