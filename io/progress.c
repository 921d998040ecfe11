/* progress.c -- see progress.h. */
#include "io/progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Monotonic milliseconds (0 if the clock is unavailable: then every
 * checkpoint draws, which is still bounded by the count). */
static long long monotonic_milliseconds(void) {
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) return 0;
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Writes the current line (carriage return first, padded to erase a longer
 * previous line). */
static void progress_draw(progress *reporter) {
    if (reporter->total > 0) {
        long done = reporter->done > reporter->total ? reporter->total : reporter->done;
        int percent = (int)((double)done * 100.0 / (double)reporter->total);
        fprintf(stderr, "\r%s %3d%% (%ld/%ld)   ", reporter->label, percent, done, reporter->total);
    } else {
        fprintf(stderr, "\r%s %ld   ", reporter->label, reporter->done);
    }
    fflush(stderr);
    reporter->drawn = true;
}

void progress_init(progress *reporter, const char *label, long total) {
    memset(reporter, 0, sizeof *reporter);
    snprintf(reporter->label, sizeof reporter->label, "%s", label != NULL ? label : "");
    reporter->total = total;
    reporter->step = total > 0 ? total / PROGRESS_STEPS_PER_TOTAL : PROGRESS_UNKNOWN_TOTAL_STEP;
    if (reporter->step < 1) reporter->step = 1;
    reporter->next_check = reporter->step;
    reporter->enabled = isatty(STDERR_FILENO) == 1;
    reporter->last_draw_ms = -PROGRESS_REDRAW_MILLISECONDS;
}

void progress_update(progress *reporter, long done) {
    if (done <= reporter->done) return;
    reporter->done = done;
    if (!reporter->enabled || done < reporter->next_check) return;
    while (reporter->next_check <= done) reporter->next_check += reporter->step;
    long long now = monotonic_milliseconds();
    if (now != 0 && now - reporter->last_draw_ms < PROGRESS_REDRAW_MILLISECONDS) return;
    reporter->last_draw_ms = now;
    progress_draw(reporter);
}

void progress_finish(progress *reporter) {
    if (!reporter->enabled) return;
    if (reporter->drawn) {
        progress_draw(reporter);
        fputc('\n', stderr);
        fflush(stderr);
    }
    reporter->drawn = false;
    reporter->enabled = false;
}
