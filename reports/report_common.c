/* report_common.c -- what every part of the report uses: errors and notes
 * in the context, paths, whole-file reads and small JSON accessors (see
 * report_internal.h). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "reports/report_internal.h"

int report_fail(report_context *context, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    if (context->error != NULL && context->error_capacity > 0)
        vsnprintf(context->error, context->error_capacity, format, arguments);
    va_end(arguments);
    return -1;
}

/* Adds a warning line for index.html (dropped past the note limit). */
void report_note(report_context *context, const char *format, ...) {
    if (context->note_count >= sizeof context->notes / sizeof context->notes[0]) return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(context->notes[context->note_count++], REPORT_NOTE_CAPACITY, format, arguments);
    va_end(arguments);
}

/* Widens the context's x range by x (finite values only). */
void report_see_x(report_context *context, double x) {
    if (!isfinite(x)) return;
    if (!context->has_x || x < context->x_min) context->x_min = x;
    if (!context->has_x || x > context->x_max) context->x_max = x;
    context->has_x = true;
}

bool report_join(report_context *context, char *path, const char *directory, const char *name) {
    int length = snprintf(path, REPORT_PATH_CAPACITY, "%s/%s", directory, name);
    if (length < 0 || length >= REPORT_PATH_CAPACITY) {
        report_fail(context, "%s/%s: path longer than %d bytes", directory, name, REPORT_PATH_CAPACITY - 1);
        return false;
    }
    return true;
}

int report_read_file(const char *path, size_t limit, buffer *out) {
    int descriptor;
    do descriptor = open(path, O_RDONLY | O_CLOEXEC);
    while (descriptor < 0 && errno == EINTR);
    if (descriptor < 0) return -1;
    char chunk[65536];
    for (;;) {
        ssize_t got = read(descriptor, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int saved = errno;
            close(descriptor);
            errno = saved;
            return -1;
        }
        if (got == 0) break;
        if (out->length + (size_t)got > limit || !buffer_append(out, chunk, (size_t)got)) {
            close(descriptor);
            errno = EFBIG;
            return -1;
        }
    }
    close(descriptor);
    if (out->data == NULL && !buffer_append(out, "", 0)) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

/* ---- small JSON accessors ------------------------------------------------ */

double report_json_number(const cJSON *object, const char *name) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsNumber(item) ? item->valuedouble : NAN;
}

const char *report_json_string(const cJSON *object, const char *name) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}
