/* json_file.c -- see json_file.h. */
#include "io/json_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

json_file_status json_file_load(const char *path, cJSON **root, char *error, size_t error_capacity) {
    *root = NULL;
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        if (errno == ENOENT) return JSON_FILE_MISSING;
        snprintf(error, error_capacity, "%s: cannot open: %s", path, strerror(errno));
        return JSON_FILE_ERROR;
    }
    /* Sized by the file when it says its size, so that a small file costs a
     * small allocation (16 MiB per load made fuzzing under ASan 15x slower);
     * a file that yields more than its size grew while read, and is refused. */
    struct stat status;
    size_t capacity = JSON_FILE_LIMIT + 1;
    if (fstat(fileno(file), &status) == 0 && S_ISREG(status.st_mode) && status.st_size > 0 &&
        status.st_size < JSON_FILE_LIMIT)
        capacity = (size_t)status.st_size + 1;
    char *text = malloc(capacity);
    size_t length = text != NULL ? fread(text, 1, capacity, file) : 0;
    bool read_failed = text == NULL || ferror(file);
    fclose(file);
    if (read_failed || length > JSON_FILE_LIMIT || length == capacity) {
        snprintf(error, error_capacity, "%s: %s", path,
                 read_failed ? "cannot read" : length > JSON_FILE_LIMIT ? "larger than 16 MiB" : "changed while read");
        free(text);
        return JSON_FILE_ERROR;
    }
    const char *nul = memchr(text, '\0', length);
    if (nul != NULL) {
        snprintf(error, error_capacity, "%s: byte %zu: a NUL byte (not JSON text)", path, (size_t)(nul - text));
        free(text);
        return JSON_FILE_ERROR;
    }
    text[length] = '\0'; /* cJSON checks the byte after the value for a terminator */
    const char *end = NULL;
    *root = cJSON_ParseWithLengthOpts(text, length + 1, &end, true);
    if (*root == NULL) {
        size_t offset = end != NULL && end >= text ? (size_t)(end - text) : 0;
        if (json_nesting_exceeded(text, offset < length ? offset + 1 : length))
            snprintf(error, error_capacity, "%s: byte %zu: nested deeper than %d levels", path, offset,
                     CJSON_NESTING_LIMIT);
        else
            snprintf(error, error_capacity, "%s: byte %zu: invalid JSON", path, offset);
        free(text);
        return JSON_FILE_ERROR;
    }
    free(text);
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
