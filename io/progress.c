/* progress.c -- see progress.h. */
#include "io/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Monotonic milliseconds (0 if the clock is unavailable: then every
 * checkpoint draws, which is still bounded by the count, and no rate or
 * time left is shown). */
static long long monotonic_milliseconds(void) {
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) return 0;
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Appends value with thousands separators to line (length so far *used). */
static void append_grouped(char *line, size_t *used, long value) {
    char digits[32];
    int count = snprintf(digits, sizeof digits, "%ld", value < 0 ? -value : value);
    if (value < 0 && *used + 1 < PROGRESS_LINE_CAPACITY) line[(*used)++] = '-';
    for (int index = 0; index < count && *used + 1 < PROGRESS_LINE_CAPACITY; index++) {
        if (index > 0 && (count - index) % 3 == 0 && *used + 2 < PROGRESS_LINE_CAPACITY) line[(*used)++] = ',';
        line[(*used)++] = digits[index];
    }
    line[*used] = '\0';
}

/* Appends printf text to line (length so far *used), cut at the capacity. */
__attribute__((format(printf, 3, 4))) static void append_text(char *line, size_t *used, const char *format, ...) {
    if (*used + 1 >= PROGRESS_LINE_CAPACITY) return;
    va_list arguments;
    va_start(arguments, format);
    int written = vsnprintf(line + *used, PROGRESS_LINE_CAPACITY - *used, format, arguments);
    va_end(arguments);
    if (written > 0) *used += (size_t)written < PROGRESS_LINE_CAPACITY - *used ? (size_t)written
                                                                                : PROGRESS_LINE_CAPACITY - *used - 1;
}

void progress_format(const progress *reporter, long long elapsed_ms, char *line) {
    size_t used = 0;
    line[0] = '\0';
    append_text(line, &used, "%s", reporter->label);
    if (reporter->total <= 0) {
        append_text(line, &used, " ");
        append_grouped(line, &used, reporter->has_counts ? reporter->rows : reporter->done);
        return;
    }
    long done = reporter->done > reporter->total ? reporter->total : reporter->done;
    int percent = (int)((double)done * 100.0 / (double)reporter->total);
    append_text(line, &used, " %3d%%", percent);
    if (reporter->units == PROGRESS_COUNT && !reporter->has_counts)
        append_text(line, &used, " (%ld/%ld)", done, reporter->total);
    if (reporter->has_counts) {
        append_text(line, &used, "  ");
        append_grouped(line, &used, reporter->rows);
        append_text(line, &used, " rows");
        if (elapsed_ms > 0) {
            append_text(line, &used, "  ");
            append_grouped(line, &used, (long)((double)reporter->events * 1000.0 / (double)elapsed_ms));
            append_text(line, &used, " events/s");
        }
    }
    /* Time left at the rate so far, once there is a rate to go by. */
    if (elapsed_ms >= 500 && done > 0 && done < reporter->total) {
        long long left_s = (long long)((double)elapsed_ms * (double)(reporter->total - done) / (double)done / 1000.0);
        append_text(line, &used, "  %lld:%02lld left", left_s / 60, left_s % 60);
    }
}

/* Draws the current line (carriage return first, the rest of the terminal
 * line cleared). */
static void progress_draw(progress *reporter, long long now_ms) {
    char line[PROGRESS_LINE_CAPACITY];
    progress_format(reporter, now_ms != 0 && reporter->start_ms != 0 ? now_ms - reporter->start_ms : 0, line);
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    reporter->drawn = true;
}

void progress_init(progress *reporter, const char *label, long total) {
    memset(reporter, 0, sizeof *reporter);
    snprintf(reporter->label, sizeof reporter->label, "%s", label != NULL ? label : "");
    reporter->units = PROGRESS_COUNT;
    reporter->total = total;
    reporter->step = total > 0 ? total / PROGRESS_STEPS_PER_TOTAL : PROGRESS_UNKNOWN_TOTAL_STEP;
    if (reporter->step < 1) reporter->step = 1;
    reporter->next_check = reporter->step;
    reporter->enabled = isatty(STDERR_FILENO) == 1;
    reporter->start_ms = reporter->enabled ? monotonic_milliseconds() : 0;
    reporter->last_draw_ms = -PROGRESS_REDRAW_MILLISECONDS;
}

void progress_init_bytes(progress *reporter, const char *label, long total_bytes) {
    progress_init(reporter, label, total_bytes);
    reporter->units = PROGRESS_BYTES;
    if (total_bytes <= 0) reporter->step = 65536; /* bytes: a checkpoint per read chunk */
    reporter->next_check = reporter->step;
}

void progress_update(progress *reporter, long done) {
    if (done <= reporter->done) return;
    reporter->done = done;
    if (!reporter->enabled || done < reporter->next_check) return;
    while (reporter->next_check <= done) reporter->next_check += reporter->step;
    long long now = monotonic_milliseconds();
    if (now != 0 && now - reporter->last_draw_ms < PROGRESS_REDRAW_MILLISECONDS) return;
    reporter->last_draw_ms = now;
    progress_draw(reporter, now);
}

void progress_update_counts(progress *reporter, long done, long rows, long events) {
    reporter->has_counts = true;
    reporter->rows = rows;
    reporter->events = events;
    progress_update(reporter, done);
}

void progress_finish(progress *reporter) {
    if (!reporter->enabled) return;
    if (reporter->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    reporter->drawn = false;
    reporter->enabled = false;
}
