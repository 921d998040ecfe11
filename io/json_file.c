/* json_file.c -- see json_file.h. */
#include "io/json_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_file_status json_file_load(const char *path, cJSON **root, char *error, size_t error_capacity) {
    *root = NULL;
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        if (errno == ENOENT) return JSON_FILE_MISSING;
        snprintf(error, error_capacity, "%s: cannot open: %s", path, strerror(errno));
        return JSON_FILE_ERROR;
    }
    char *text = malloc(JSON_FILE_LIMIT + 1);
    size_t length = text != NULL ? fread(text, 1, JSON_FILE_LIMIT + 1, file) : 0;
    bool read_failed = text == NULL || ferror(file);
    fclose(file);
    if (read_failed || length > JSON_FILE_LIMIT) {
        snprintf(error, error_capacity, "%s: %s", path,
                 read_failed ? "cannot read" : "larger than 16 MiB");
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
        snprintf(error, error_capacity, "%s: byte %zu: invalid JSON", path, offset);
        free(text);
        return JSON_FILE_ERROR;
    }
    free(text);
    return JSON_FILE_OK;
}
